// Package storetest is the contract every store.Store passes.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontgate/frontgate/host/store"
)

// Run is the contract every Store implementation passes, modelled on
// fstest.TestFS: call it from the implementation's tests with a fresh,
// empty store. Keys are prefixed so a shared backend can be reused.
func Run(t *testing.T, s store.Store, prefix string) {
	t.Helper()
	ctx := context.Background()
	k := func(n string) string { return prefix + n }

	t.Run("get missing", func(t *testing.T) {
		if _, err := s.Get(ctx, k("missing")); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Get(missing) err = %v, want store.ErrNotFound", err)
		}
	})
	t.Run("set get delete", func(t *testing.T) {
		if err := s.Set(ctx, k("a"), []byte("1"), 0); err != nil {
			t.Fatal(err)
		}
		v, err := s.Get(ctx, k("a"))
		if err != nil || string(v) != "1" {
			t.Fatalf("Get = %q, %v", v, err)
		}
		v[0] = 'x' // callers own returned bytes
		if v2, _ := s.Get(ctx, k("a")); string(v2) != "1" {
			t.Fatalf("store shares memory with callers: %q", v2)
		}
		if err := s.Set(ctx, k("a"), []byte("2"), 0); err != nil {
			t.Fatal(err)
		}
		if v, _ := s.Get(ctx, k("a")); string(v) != "2" {
			t.Fatalf("overwrite: %q", v)
		}
		if err := s.Delete(ctx, k("a")); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, k("a")); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("after delete err = %v", err)
		}
		if err := s.Delete(ctx, k("a")); err != nil {
			t.Fatalf("delete of missing key: %v", err)
		}
	})
	t.Run("setnx", func(t *testing.T) {
		ok, err := s.SetNX(ctx, k("nx"), []byte("first"), time.Minute)
		if err != nil || !ok {
			t.Fatalf("first SetNX = %v, %v", ok, err)
		}
		ok, err = s.SetNX(ctx, k("nx"), []byte("second"), time.Minute)
		if err != nil || ok {
			t.Fatalf("second SetNX = %v, %v", ok, err)
		}
		if v, _ := s.Get(ctx, k("nx")); string(v) != "first" {
			t.Fatalf("SetNX overwrote: %q", v)
		}
	})
	t.Run("ttl", func(t *testing.T) {
		if err := s.Set(ctx, k("ttl"), []byte("v"), 1100*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		ok, _ := s.SetNX(ctx, k("ttlnx"), []byte("v"), 1100*time.Millisecond)
		if !ok {
			t.Fatal("SetNX on a fresh key failed")
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			_, err1 := s.Get(ctx, k("ttl"))
			ok, _ := s.SetNX(ctx, k("ttlnx"), []byte("again"), time.Minute)
			if errors.Is(err1, store.ErrNotFound) && ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("entries did not expire: get err %v, setnx %v", err1, ok)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	t.Run("setnx race", func(t *testing.T) {
		var wins atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 32; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if ok, err := s.SetNX(ctx, k("race"), []byte("x"), time.Minute); err == nil && ok {
					wins.Add(1)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("%d goroutines won SetNX, want exactly 1", wins.Load())
		}
	})
	t.Run("compare and swap", func(t *testing.T) {
		if ok, err := s.CompareAndSwap(ctx, k("cas"), []byte("a"), []byte("b"), time.Minute); err != nil || ok {
			t.Fatalf("swap of a missing key: %v %v", ok, err)
		}
		if _, err := s.Get(ctx, k("cas")); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a failed swap created the key: %v", err)
		}
		if err := s.Set(ctx, k("cas"), []byte("a"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.CompareAndSwap(ctx, k("cas"), []byte("x"), []byte("b"), time.Minute); err != nil || ok {
			t.Fatalf("swap from the wrong value: %v %v", ok, err)
		}
		if ok, err := s.CompareAndSwap(ctx, k("cas"), []byte("a"), []byte("b"), time.Minute); err != nil || !ok {
			t.Fatalf("swap from the right value: %v %v", ok, err)
		}
		if b, err := s.Get(ctx, k("cas")); err != nil || string(b) != "b" {
			t.Fatalf("after the swap: %q %v", b, err)
		}
	})
	t.Run("compare and swap expires", func(t *testing.T) {
		// A swap sets the TTL it is given, a sub-millisecond one too
		// (rounded up, as Set does, not dropped into "never expires").
		for _, ttl := range []time.Duration{500 * time.Microsecond, 300 * time.Millisecond} {
			key := k("casttl:" + ttl.String())
			if err := s.Set(ctx, key, []byte("a"), time.Minute); err != nil {
				t.Fatal(err)
			}
			if ok, err := s.CompareAndSwap(ctx, key, []byte("a"), []byte("b"), ttl); err != nil || !ok {
				t.Fatalf("swap with TTL %s: %v %v", ttl, ok, err)
			}
			deadline := time.Now().Add(5 * time.Second)
			for {
				b, err := s.Get(ctx, key)
				if errors.Is(err, store.ErrNotFound) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if time.Now().After(deadline) {
					t.Fatalf("a swap with TTL %s still holds %q after 5s, want store.ErrNotFound", ttl, b)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
	})
	t.Run("compare and swap race", func(t *testing.T) {
		// writers each add one to a counter by read-and-swap: no
		// increment may be lost. A swap fails only when another writer's
		// swap came between the read and it, and each writer swaps once,
		// so no writer needs more than writers attempts.
		const writers = 16
		if err := s.Set(ctx, k("counter"), []byte("0"), time.Minute); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := increment(ctx, s, k("counter"), writers); err != nil {
					t.Errorf("writer %d: %v", w, err)
				}
			}()
		}
		wg.Wait()
		b, err := s.Get(ctx, k("counter"))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != strconv.Itoa(writers) {
			t.Fatalf("counter is %q after %d increments", b, writers)
		}
	})
	t.Run("ping", func(t *testing.T) {
		if err := s.Ping(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

// increment adds one to the decimal counter at key by read-and-swap, in at
// most attempts tries.
func increment(ctx context.Context, s store.Store, key string, attempts int) error {
	var last []byte
	for range attempts {
		b, err := s.Get(ctx, key)
		if err != nil {
			return fmt.Errorf("get: %w", err)
		}
		n, err := strconv.Atoi(string(b))
		if err != nil {
			return fmt.Errorf("the counter holds %q, not a number", b)
		}
		ok, err := s.CompareAndSwap(ctx, key, b, []byte(strconv.Itoa(n+1)), time.Minute)
		if err != nil {
			return fmt.Errorf("compare and swap: %w", err)
		}
		if ok {
			return nil
		}
		last = b
	}
	return fmt.Errorf("no swap succeeded in %d attempts (last read %q): swaps fail without another writer in between", attempts, last)
}
