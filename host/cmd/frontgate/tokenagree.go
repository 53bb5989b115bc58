package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/frontgate/frontgate/host/signature"
	"github.com/frontgate/frontgate/host/store"
)

// Sidecars sharing a store must sign return and callback links with the
// same token keys: a link one signs, another refuses ("invalid return
// link" to a shopper who has paid, 403 to FrontGo's callbacks). Each
// instance keeps its keys' fingerprints on the store while it runs, and one
// whose key differs under the same id is refused at start.
const (
	// tokenKeyTTL is how long a fingerprint stays once no instance
	// refreshes it: a key replaced under the same id is taken that long
	// after the last instance with the old one stopped.
	tokenKeyTTL = 5 * time.Minute
	// tokenKeyRefresh is how often a running instance refreshes its own.
	tokenKeyRefresh = time.Minute
)

// agreeTokenKeys registers fps (key id → fingerprint) on st for ttl, and
// refuses a key whose id holds another fingerprint there.
func agreeTokenKeys(ctx context.Context, st store.Store, fps map[string]string, ttl time.Duration) error {
	ids := make([]string, 0, len(fps))
	for id := range fps {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		same, err := holdTokenKey(ctx, st, id, fps[id], ttl)
		if err != nil {
			return fmt.Errorf("token key %s: the store: %w", id, err)
		}
		if !same {
			return fmt.Errorf("token key %s (tokenKeyEnv) differs from the key of that id another sidecar on this store signs with: "+
				"links one signs, the other refuses. Give every instance the same key; to replace one, add the new key behind it "+
				"under a new id (%s:<old secret>,new:<secret>) on every instance, then put it in front, or start with the new key %s "+
				"after the last instance with the old one stopped", id, id, tokenKeyTTL)
		}
	}
	return nil
}

// holdTokenKey writes fp at id's key, or renews it when it holds fp
// already, and reports whether it holds fp.
func holdTokenKey(ctx context.Context, st store.Store, id, fp string, ttl time.Duration) (bool, error) {
	key := "tokenkey:" + id
	for range 3 { // the key may expire between the calls
		ok, err := st.SetNX(ctx, key, []byte(fp), ttl)
		if err != nil || ok {
			return ok, err
		}
		cur, err := st.Get(ctx, key)
		if errors.Is(err, store.ErrNotFound) {
			continue
		} else if err != nil {
			return false, err
		}
		if !signature.Equal(string(cur), fp) {
			return false, nil
		}
		if _, err := st.CompareAndSwap(ctx, key, cur, cur, ttl); err != nil {
			return false, err
		}
		return true, nil
	}
	return false, errors.New("its key kept expiring")
}

// keepTokenKeys renews fps every tokenKeyRefresh until ctx ends, logging a
// key another instance took over meanwhile (after this one could not renew
// it for tokenKeyTTL).
func keepTokenKeys(ctx context.Context, st store.Store, fps map[string]string, log *slog.Logger) {
	t := time.NewTicker(tokenKeyRefresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for id, fp := range fps {
			same, err := holdTokenKey(ctx, st, id, fp, tokenKeyTTL)
			switch {
			case err != nil && ctx.Err() == nil:
				log.Warn("renewing the token key's fingerprint failed", "key_id", id, "err", err)
			case err == nil && !same:
				log.Error("another sidecar on this store signs with a different key of this id: links one signs, the other refuses", "key_id", id)
			}
		}
	}
}
