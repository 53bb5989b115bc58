package webhook

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The contract every Outbox passes is in outbox_contract_test.go
// (adapters/webhook/outboxtest); these are MemoryOutbox's own promises.

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

func (c *manualClock) pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.waiters)
}

func TestMemoryOutboxForgetsAfterDoneTTL(t *testing.T) {
	ctx := context.Background()
	c := &manualClock{instantClock: instantClock{t: time.Unix(1_700_000_000, 0)}}
	m := NewMemoryOutbox(c)
	_, _ = m.Put(ctx, &Delivery{ID: "a", NextAt: c.Now()})
	d, _ := m.Take(ctx)
	_ = m.Ack(ctx, d)
	c.Advance(DefaultDoneTTL - time.Second)
	if added, _ := m.Put(ctx, &Delivery{ID: "a", NextAt: c.Now()}); added {
		t.Fatal("an id acknowledged within the TTL was queued again")
	}
	c.Advance(2 * time.Second)
	if added, _ := m.Put(ctx, &Delivery{ID: "a", NextAt: c.Now()}); !added {
		t.Fatal("an id acknowledged long ago was refused")
	}
}

// TestMemoryOutboxCloseWaitsForLaterDeliveries: a closed MemoryOutbox does
// not give up what is due later, since nothing else would deliver it.
func TestMemoryOutboxCloseWaitsForLaterDeliveries(t *testing.T) {
	ctx := context.Background()
	c := &manualClock{instantClock: instantClock{t: time.Unix(1_700_000_000, 0)}}
	m := NewMemoryOutbox(c)
	_, _ = m.Put(ctx, &Delivery{ID: "later", NextAt: c.Now().Add(time.Hour)})
	_ = m.Close()
	took := make(chan string, 1)
	go func() {
		d, err := m.Take(ctx)
		if err != nil {
			took <- err.Error()
			return
		}
		took <- d.ID
	}()
	for deadline := time.Now().Add(5 * time.Second); c.pending() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("Take did not wait for the clock")
		}
	}
	select {
	case got := <-took:
		t.Fatalf("Take on a closed outbox with a delivery due later = %s", got)
	case <-time.After(20 * time.Millisecond):
	}
	c.Advance(time.Hour)
	select {
	case got := <-took:
		if got != "later" {
			t.Fatalf("took %s, want later", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Take did not return once the delivery was due")
	}
	_ = m.Drop(ctx, &Delivery{ID: "later"})
	if _, err := m.Take(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("Take on a drained, closed outbox = %v", err)
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

// TestMemoryOutboxDeadCap: beyond deadMax dead letters, the oldest go.
func TestMemoryOutboxDeadCap(t *testing.T) {
	ctx := context.Background()
	c := &manualClock{instantClock: instantClock{t: time.Unix(1_700_000_000, 0)}}
	m := NewMemoryOutbox(c)
	m.deadMax = 2
	for _, id := range []string{"1", "2", "3"} {
		_, _ = m.Put(ctx, &Delivery{ID: id, Shop: "s", NextAt: c.Now()})
		d, _ := m.Take(ctx)
		c.Advance(time.Second)
		_ = m.Drop(ctx, d)
	}
	dead, _ := m.Dead(ctx, "s", 0)
	if len(dead) != 2 || dead[0].ID != "3" || dead[1].ID != "2" {
		t.Fatalf("dead letters %+v, want 3 and 2", dead)
	}
}
