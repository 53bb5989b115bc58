package webhook

import (
	"context"
	"errors"
	"testing"
	"time"
)

// manualClock moves only when told; After fires when the clock passes the
// deadline.
type manualClock struct {
	instantClock
	waiters []waiter
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

func (c *manualClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.waiters = append(c.waiters, waiter{c.t.Add(d), ch})
	return ch
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	keep := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(c.t) {
			w.ch <- c.t
		} else {
			keep = append(keep, w)
		}
	}
	c.waiters = keep
}

func TestMemoryOutboxOrderAndDedupe(t *testing.T) {
	ctx := context.Background()
	c := &manualClock{instantClock: instantClock{t: time.Unix(1_700_000_000, 0)}}
	m := NewMemoryOutbox(c)
	now := c.Now()
	for _, tc := range []struct {
		d    *Delivery
		want bool
	}{
		{&Delivery{ID: "late", NextAt: now.Add(time.Minute)}, true},
		{&Delivery{ID: "a", NextAt: now}, true},
		{&Delivery{ID: "b", NextAt: now}, true},
		{&Delivery{ID: "a", NextAt: now}, false}, // pending: refused
	} {
		added, err := m.Put(ctx, tc.d)
		if err != nil || added != tc.want {
			t.Fatalf("Put(%s) = %v, %v; want %v", tc.d.ID, added, err, tc.want)
		}
	}
	if m.Len() != 3 {
		t.Fatalf("Len = %d, want 3", m.Len())
	}
	var got []string
	for i := 0; i < 2; i++ {
		d, err := m.Take(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, d.ID)
		if d.ID == "a" {
			_ = m.Ack(ctx, d)
		} else {
			d.NextAt = now.Add(2 * time.Minute)
			_ = m.Retry(ctx, d)
		}
	}
	if got[0] != "a" || got[1] != "b" {
		t.Fatalf("taken %v, want [a b] (due order, then insertion order)", got)
	}
	if added, _ := m.Put(ctx, &Delivery{ID: "a", NextAt: now}); added {
		t.Fatal("an acknowledged id was queued again")
	}

	// "late" is due in a minute: Take waits for the clock.
	took := make(chan string, 1)
	go func() {
		d, err := m.Take(ctx)
		if err != nil {
			took <- err.Error()
			return
		}
		took <- d.ID
	}()
	select {
	case id := <-took:
		t.Fatalf("Take returned %s before it was due", id)
	case <-time.After(20 * time.Millisecond):
	}
	c.Advance(time.Minute)
	if id := <-took; id != "late" {
		t.Fatalf("took %s, want late", id)
	}

	// After the TTL the acknowledged id is forgotten.
	c.Advance(DefaultDoneTTL + time.Second)
	if added, _ := m.Put(ctx, &Delivery{ID: "a", NextAt: c.Now()}); !added {
		t.Fatal("an id acknowledged long ago was refused")
	}
}

func TestMemoryOutboxCloseDrains(t *testing.T) {
	ctx := context.Background()
	m := NewMemoryOutbox(nil)
	_, _ = m.Put(ctx, &Delivery{ID: "x", NextAt: time.Now()})
	_ = m.Close()
	if _, err := m.Put(ctx, &Delivery{ID: "y"}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Put after Close = %v", err)
	}
	d, err := m.Take(ctx)
	if err != nil || d.ID != "x" {
		t.Fatalf("Take = %v, %v", d, err)
	}
	// While x is leased, Take waits: x may come back.
	done := make(chan error, 1)
	go func() { _, err := m.Take(ctx); done <- err }()
	select {
	case err := <-done:
		t.Fatalf("Take returned %v while a delivery was leased", err)
	case <-time.After(20 * time.Millisecond):
	}
	_ = m.Drop(ctx, d)
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Fatalf("Take after the last Drop = %v, want ErrClosed", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := NewMemoryOutbox(nil).Take(cctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Take on a cancelled context = %v", err)
	}
}

func TestMemoryOutboxDoneCap(t *testing.T) {
	ctx := context.Background()
	m := NewMemoryOutbox(nil)
	m.doneMax = 2
	for _, id := range []string{"1", "2", "3"} {
		_, _ = m.Put(ctx, &Delivery{ID: id})
		d, _ := m.Take(ctx)
		_ = m.Ack(ctx, d)
	}
	if added, _ := m.Put(ctx, &Delivery{ID: "1"}); !added {
		t.Fatal("the oldest id past the cap is still remembered")
	}
	if added, _ := m.Put(ctx, &Delivery{ID: "3"}); added {
		t.Fatal("a recent id was forgotten")
	}
}
