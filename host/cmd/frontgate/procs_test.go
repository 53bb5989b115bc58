package main

import (
	"context"
	"errors"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestProcsForGuests(t *testing.T) {
	for _, tc := range []struct {
		env        string
		base, pool int
		want       int
		set        bool
	}{
		{"", 2, 2, 4, true},
		{"", 8, 3, 11, true},
		{"3", 3, 2, 3, false}, // the operator's GOMAXPROCS wins
		{"", 2, 0, 2, false},
	} {
		got, set := procsForGuests(tc.env, tc.base, tc.pool)
		if got != tc.want || set != tc.set {
			t.Errorf("procsForGuests(%q, %d, %d) = %d, %v; want %d, %v", tc.env, tc.base, tc.pool, got, set, tc.want, tc.set)
		}
	}
}

// running is one run() in this process, started by startRun.
type running struct {
	stop func() error
}

// startRun starts run() with the built-in sandbox, no demo shop and the
// wasm core, with env as the whole environment, and waits until it serves.
func startRun(t *testing.T, env map[string]string, args ...string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	args = append([]string{"-listen", "127.0.0.1:0", "-shop", "off", "-log", "text"}, args...)
	go func() { done <- run(ctx, args, func(k string) string { return env[k] }, stdout, stderr) }()
	stop := func() error {
		cancel()
		select {
		case err := <-done:
			if errors.Is(err, context.Canceled) {
				err = nil
			}
			return err
		case <-time.After(30 * time.Second):
			return errors.New("run did not stop within 30s")
		}
	}
	for deadline := time.Now().Add(3 * time.Minute); !strings.Contains(stdout.String(), "Press Ctrl-C"); {
		select {
		case err := <-done:
			t.Fatalf("run exited: %v\n%s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("run did not start:\n%s", stderr.String())
		}
	}
	return &running{stop: stop}
}

// TestRunGOMAXPROCS: run() adds one P per wasm instance while it runs and
// gives them back when it returns, so runs in one process (tests, an
// embedding) neither compound GOMAXPROCS nor grow their default pools; and
// it reads GOMAXPROCS from the environment it is given.
func TestRunGOMAXPROCS(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the sidecar several times")
	}
	base := runtime.GOMAXPROCS(0)
	t.Run("one after another", func(t *testing.T) {
		for i := 1; i <= 3; i++ {
			r := startRun(t, nil)
			// The default pool is one instance per P the process had.
			if got := runtime.GOMAXPROCS(0); got != 2*base {
				t.Errorf("run %d: GOMAXPROCS %d while running, want %d (%d + a pool of %d)", i, got, 2*base, base, base)
			}
			if err := r.stop(); err != nil {
				t.Fatal(err)
			}
			if got := runtime.GOMAXPROCS(0); got != base {
				t.Fatalf("after run %d: GOMAXPROCS %d, want %d back", i, got, base)
			}
		}
	})
	t.Run("overlapping", func(t *testing.T) {
		a := startRun(t, nil, "-pool", "1")
		b := startRun(t, nil, "-pool", "1")
		if got := runtime.GOMAXPROCS(0); got != base+1 {
			t.Errorf("two runs with a pool of 1: GOMAXPROCS %d, want %d", got, base+1)
		}
		if err := a.stop(); err != nil {
			t.Fatal(err)
		}
		if got := runtime.GOMAXPROCS(0); got != base+1 {
			t.Errorf("one run left: GOMAXPROCS %d, want %d", got, base+1)
		}
		if err := b.stop(); err != nil {
			t.Fatal(err)
		}
		if got := runtime.GOMAXPROCS(0); got != base {
			t.Fatalf("after both: GOMAXPROCS %d, want %d back", got, base)
		}
	})
	t.Run("GOMAXPROCS in the given environment", func(t *testing.T) {
		r := startRun(t, map[string]string{"GOMAXPROCS": strconv.Itoa(base)})
		if got := runtime.GOMAXPROCS(0); got != base {
			t.Errorf("GOMAXPROCS %d while running, want the operator's %d left alone", got, base)
		}
		if err := r.stop(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestRunRefusesPoolSize: a pool size out of bounds stops start-up with an
// error naming the field and the rule (see sidecar.MaxPoolSize; the config
// tests hold the upper bound), instead of being ignored.
func TestRunRefusesPoolSize(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := run(ctx, []string{"-listen", "127.0.0.1:0", "-shop", "off", "-pool", "-1"},
		func(string) string { return "" }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "poolSize: must be between 0 (GOMAXPROCS) and 64") {
		t.Errorf("-pool -1: err = %v", err)
	}
}
