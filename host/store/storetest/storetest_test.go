package storetest_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/frontgate/frontgate/host/store"
	"github.com/frontgate/frontgate/host/store/storetest"
)

// brokenStores are stores that break the contract in one way each, and what
// the contract must say about them.
var brokenStores = map[string]struct {
	make func() store.Store
	want string
}{
	// A swap that never succeeds once spun the race case forever.
	"swaps fail": {func() store.Store { return failingSwaps{store.NewMemory()} },
		"no swap succeeded in 16 attempts"},
	// A counter read back as something else than a number was read as 0.
	"counter garbled": {func() store.Store { return garbledCounter{store.NewMemory()} },
		`the counter holds "zero", not a number`},
	// A sub-millisecond TTL dropped to "never expires" (redisstore once did).
	"sub-millisecond ttl dropped": {func() store.Store { return truncatedTTL{store.NewMemory()} },
		"a swap with TTL 500µs still holds"},
}

// TestRunCatchesBrokenStores runs the contract against each broken store in
// a child process (a failing contract fails its test) and checks that it
// fails, in time, saying why.
func TestRunCatchesBrokenStores(t *testing.T) {
	if name := os.Getenv("STORETEST_BROKEN"); name != "" {
		s := brokenStores[name].make()
		defer s.Close()
		storetest.Run(t, s, "broken:")
		return
	}
	if testing.Short() {
		t.Skip("runs the contract in child processes")
	}
	for name, tc := range brokenStores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestRunCatchesBrokenStores$", "-test.timeout=60s", "-test.v")
			cmd.Env = append(os.Environ(), "STORETEST_BROKEN="+name)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the contract passed a broken store:\n%s", out)
			}
			if strings.Contains(string(out), "test timed out") {
				t.Fatalf("the contract hung on a broken store:\n%s", tail(out))
			}
			if !strings.Contains(string(out), tc.want) {
				t.Fatalf("the contract failed without saying %q:\n%s", tc.want, tail(out))
			}
		})
	}
}

func tail(b []byte) string {
	if len(b) > 4000 {
		return "…" + string(b[len(b)-4000:])
	}
	return string(b)
}

type failingSwaps struct{ store.Store }

func (failingSwaps) CompareAndSwap(context.Context, string, []byte, []byte, time.Duration) (bool, error) {
	return false, nil
}

type garbledCounter struct{ store.Store }

func (g garbledCounter) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := g.Store.Get(ctx, key)
	if err == nil && strings.HasSuffix(key, "counter") {
		return []byte("zero"), nil
	}
	return b, err
}

type truncatedTTL struct{ store.Store }

func (s truncatedTTL) CompareAndSwap(ctx context.Context, key string, old, value []byte, ttl time.Duration) (bool, error) {
	return s.Store.CompareAndSwap(ctx, key, old, value, ttl.Truncate(time.Millisecond))
}
