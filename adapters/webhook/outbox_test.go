package webhook

import (
	"context"
	"errors"
	"strconv"
	"strings"
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

// TestMemoryOutboxDeadCap: beyond its cap a shop's oldest dead letters go,
// and only its own: another shop's stay.
func TestMemoryOutboxDeadCap(t *testing.T) {
	ctx := context.Background()
	c := &manualClock{instantClock: instantClock{t: time.Unix(1_700_000_000, 0)}}
	m := NewMemoryOutbox(c)
	m.dead.perMax = 2
	drop := func(id, shop string) {
		_, _ = m.Put(ctx, &Delivery{ID: id, Shop: shop, NextAt: c.Now()})
		d, _ := m.Take(ctx)
		c.Advance(time.Second)
		_ = m.Drop(ctx, d)
	}
	drop("b1", "b")
	for _, id := range []string{"1", "2", "3"} {
		drop(id, "a")
	}
	ids := func(shop string) string {
		dead, _ := m.Dead(ctx, shop, 0)
		var out []string
		for _, d := range dead {
			out = append(out, d.ID)
		}
		return strings.Join(out, ",")
	}
	if got := ids("a"); got != "3,2" {
		t.Fatalf("shop a's dead letters %s, want 3,2", got)
	}
	if got := ids("b"); got != "b1" {
		t.Fatalf("shop b's dead letters %s, want b1: another shop's failures pushed it out", got)
	}
	if got := ids(""); got != "3,2,b1" || m.DeadLen() != 3 {
		t.Fatalf("every shop's dead letters %s (DeadLen %d), want 3,2,b1", got, m.DeadLen())
	}
}

// BenchmarkMemoryOutboxDropAtCap: giving up a delivery while the shop is at
// its cap costs what it forgets, not a walk over every dead letter.
//
//	go test -run '^$' -bench DropAtCap ./adapters/webhook
func BenchmarkMemoryOutboxDropAtCap(b *testing.B) {
	ctx := context.Background()
	c := &manualClock{instantClock: instantClock{t: time.Unix(1_700_000_000, 0)}}
	m := NewMemoryOutbox(c)
	i := 0
	drop := func() {
		i++
		_, _ = m.Put(ctx, &Delivery{ID: strconv.Itoa(i), Shop: "a", NextAt: c.Now()})
		d, _ := m.Take(ctx)
		c.Advance(time.Millisecond)
		_ = m.Drop(ctx, d)
	}
	for range DefaultDeadMax {
		drop()
	}
	for b.Loop() {
		drop()
	}
	if n := m.DeadLen(); n != DefaultDeadMax {
		b.Fatalf("%d dead letters, want the cap %d", n, DefaultDeadMax)
	}
}

// TestDeadStoreStaysSmall: revived and replaced dead letters do not pile
// up in the store's queues.
func TestDeadStoreStaysSmall(t *testing.T) {
	s := newDeadStore(time.Hour, 100)
	at := time.Unix(1_700_000_000, 0)
	for i := range 10_000 {
		at = at.Add(time.Second)
		id := strconv.Itoa(i % 7)
		s.add(Delivery{ID: id, Shop: "a", GaveUpAt: at})
		if i%3 == 0 {
			s.remove(id)
		}
	}
	if len(s.all) > 2*len(s.byID)+64 || len(s.shops["a"]) > 2*s.counts["a"]+64 {
		t.Fatalf("queues of %d and %d entries for %d dead letters", len(s.all), len(s.shops["a"]), len(s.byID))
	}
	s.prune(at.Add(2 * time.Hour))
	if len(s.byID) != 0 || len(s.all) != 0 || len(s.counts) != 0 || len(s.shops) != 0 {
		t.Fatalf("after the TTL: %d letters, %d entries, counts %v", len(s.byID), len(s.all), s.counts)
	}
}
