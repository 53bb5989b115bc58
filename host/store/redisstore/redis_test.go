package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/frontgate/frontgate/host/store/storetest"
)

// redisURL returns a Redis to test against: FRONTGATE_REDIS_URL, or a
// redis-server started here on a free loopback port. Without either the
// test skips, except in CI (FRONTGATE_REQUIRE_ALL=1), where it fails.
func redisURL(t *testing.T) string {
	t.Helper()
	if u := os.Getenv("FRONTGATE_REDIS_URL"); u != "" {
		return u
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("FRONTGATE_REQUIRE_ALL") == "1" {
			t.Fatal("redis-server is not installed and FRONTGATE_REQUIRE_ALL=1")
		}
		t.Skip("redis-server not installed")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	dir := t.TempDir()
	cmd := exec.Command(bin, "--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--save", "", "--appendonly", "no", "--dir", dir,
		"--logfile", filepath.Join(dir, "redis.log"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for deadline := time.Now().Add(10 * time.Second); ; {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("redis-server did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return "redis://" + addr + "/0"
}

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
