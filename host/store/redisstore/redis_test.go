package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/frontgate/frontgate/host/store/redisstore/redistest"
	"github.com/frontgate/frontgate/host/store/storetest"
)

func redisURL(t *testing.T) string { return redistest.URL(t) }

func TestRedisContract(t *testing.T) {
	url := redisURL(t)
	s, err := New(context.Background(), Options{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b := make([]byte, 6)
	rand.Read(b)
	storetest.Run(t, s, "test:"+hex.EncodeToString(b)+":")
}

// TestTwoClientsShareState: two sidecars' stores on one Redis see each
// other's writes, and exactly one wins a SetNX.
func TestTwoClientsShareState(t *testing.T) {
	url := redisURL(t)
	ctx := context.Background()
	a, err := New(ctx, Options{URL: url, Prefix: "share:"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, _ := New(ctx, Options{URL: url, Prefix: "share:"})
	defer b.Close()
	okA, _ := a.SetNX(ctx, "idem:k", []byte("a"), time.Minute)
	okB, _ := b.SetNX(ctx, "idem:k", []byte("b"), time.Minute)
	if !okA || okB {
		t.Fatalf("SetNX a=%v b=%v, want only a", okA, okB)
	}
	v, err := b.Get(ctx, "idem:k")
	if err != nil || string(v) != "a" {
		t.Fatalf("b reads %q, %v", v, err)
	}
}

func TestBadURL(t *testing.T) {
	if _, err := New(context.Background(), Options{URL: "http://x"}); err == nil {
		t.Fatal("non-redis URL accepted")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := New(ctx, Options{URL: "redis://127.0.0.1:1/0"}); err == nil {
		t.Fatal("unreachable Redis accepted")
	}
}

func TestPXOf(t *testing.T) {
	for _, tc := range []struct {
		ttl  time.Duration
		want int64
	}{
		{0, 0}, {-time.Second, 0}, {time.Nanosecond, 1}, {500 * time.Microsecond, 1}, {time.Millisecond, 1},
		{1500 * time.Microsecond, 2}, {time.Minute, 60000},
	} {
		if got := pxOf(tc.ttl); got != tc.want {
			t.Errorf("pxOf(%s) = %d, want %d", tc.ttl, got, tc.want)
		}
	}
}
