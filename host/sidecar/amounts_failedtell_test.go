package sidecar

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/frontgate/frontgate/host/store"
)

// beforeClaim runs hook once, when a settle first tries to claim mark: as
// if that settle had waited on another's claim while the other ran.
type beforeClaim struct {
	store.Store
	mark string
	hook func()
}

func (s *beforeClaim) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if key == s.mark && s.hook != nil {
		h := s.hook
		s.hook = nil
		h()
	}
	return s.Store.SetNX(ctx, key, value, ttl)
}

// TestOlderSettleAfterAFailedTelling: a settle with details read before a
// second charge (CHARGED, 4900) reaches the claim on CHARGED while a
// settle with the second charge's details (CHARGED, 9800) holds it, fails
// to tell (the notifier refuses) and gives the claim back. The older one
// then tells CHARGED with its amounts; the second charge must not be lost:
// FrontGo's retry tells 9800.
func TestOlderSettleAfterAFailedTelling(t *testing.T) {
	ctx := context.Background()
	n := &countingNotifier{}
	st := &beforeClaim{Store: store.NewMemory(), mark: "applied:RES1:CHARGED"}
	r := newApplyRig(t, st, n)
	settleAll(t, r, detailsAt("CAPTURED", 100, 0, 0))
	older, newer := r.stored(t), r.stored(t) // both read at CAPTURED
	st.hook = func() {
		n.fail = func(_ int, ev Event) error { return errors.New("outbox unavailable") }
		if _, e := r.svc.settleDetails(ctx, newer, detailsAt("CHARGED", 100, 9800, 0), "callback"); e == nil {
			t.Error("the telling that failed answered no error")
		}
		n.fail = nil
	}
	_, _ = r.svc.settleDetails(ctx, older, detailsAt("CHARGED", 100, 4900, 0), "callback")
	// FrontGo calls again for the telling that failed.
	settleAll(t, r, detailsAt("CHARGED", 100, 9800, 0))
	if told := toldAmounts(n); countTold(told, "100/9800/0/0") != 1 {
		t.Fatalf("told %q: the shop never heard of the second charge (9800)", told)
	}
}
