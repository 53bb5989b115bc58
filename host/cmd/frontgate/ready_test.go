package main

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestReadinessAsksFrontGoSeldom: however many probes hit /readyz, FrontGo
// is asked at most once per interval (each ask spends the account's rate
// limit, which payments share), and the last answer stands in between.
func TestReadinessAsksFrontGoSeldom(t *testing.T) {
	var calls atomic.Int32
	fail := errors.New("down")
	var result atomic.Pointer[error]
	result.Store(&fail)
	c := &cachedCheck{every: time.Hour, check: func(context.Context) error {
		calls.Add(1)
		time.Sleep(5 * time.Millisecond)
		return *result.Load()
	}}
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.Err(context.Background()); err != fail {
				t.Errorf("err = %v", err)
			}
		}()
	}
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Fatalf("50 probes asked %d times, want 1", n)
	}
	// Past the interval it asks again.
	var ok error
	result.Store(&ok)
	c.mu.Lock()
	c.at = time.Now().Add(-2 * time.Hour)
	c.mu.Unlock()
	if err := c.Err(context.Background()); err != nil || calls.Load() != 2 {
		t.Fatalf("after the interval: %v, %d calls", err, calls.Load())
	}
}
