// Package outboxtest is the contract every webhook.Outbox passes, modelled
// on fstest.TestFS: an implementation's tests call Run with a constructor
// of fresh, empty outboxes, and the suite checks ordering, dedupe, leases,
// retries, Close and cancellation against a clock it moves itself.
package outboxtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/frontgate/frontgate/adapters/webhook"
)

// Start is the time every ManualClock of the suite starts at.
var Start = time.Unix(1_700_000_000, 0).UTC()

// ManualClock is a webhook.Clock that moves only when told: After fires
// when Advance passes its deadline (at once for a wait of zero or less).
type ManualClock struct {
	mu      sync.Mutex
	t       time.Time
	waiters []waiter
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

// NewManualClock returns a clock reading t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{t: t} }

// Now implements webhook.Clock.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// After implements webhook.Clock.
func (c *ManualClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.t
		return ch
	}
	c.waiters = append(c.waiters, waiter{c.t.Add(d), ch})
	return ch
}

// Advance moves the clock by d and fires the waits it passes.
func (c *ManualClock) Advance(d time.Duration) {
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

// Waiters returns how many After channels have not fired yet.
func (c *ManualClock) Waiters() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.waiters)
}

// WaitForWaiters blocks until at least n After channels wait on c (a Take
// waiting for a due time), so that an Advance that follows is seen; it
// fails t after a few seconds. Waits abandoned by a Take that ended stay
// counted: read Waiters before starting the Take and ask for one more.
func (c *ManualClock) WaitForWaiters(t testing.TB, n int) {
	t.Helper()
	for deadline := time.Now().Add(promptly); c.Waiters() < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d waits on the clock after %s, want %d", c.Waiters(), promptly, n)
		}
	}
}

// Bounds of the suite's waits: how long a Take that should return may
// take, and how long one that should not is watched.
const (
	promptly = 5 * time.Second
	quiet    = 50 * time.Millisecond
)

// Run checks newOutbox's outboxes against the Outbox contract. newOutbox
// returns a fresh, empty outbox on clock for each subtest; the suite closes
// it at the subtest's end.
func Run(t *testing.T, newOutbox func(t *testing.T, clock webhook.Clock) webhook.Outbox) {
	t.Helper()
	fresh := func(t *testing.T) (webhook.Outbox, *ManualClock) {
		t.Helper()
		c := NewManualClock(Start)
		ob := newOutbox(t, c)
		t.Cleanup(func() { _ = ob.Close() })
		return ob, c
	}

	t.Run("order by NextAt, then by Put", func(t *testing.T) {
		ob, c := fresh(t)
		now := c.Now()
		for _, d := range []*webhook.Delivery{
			{ID: "late", NextAt: now.Add(time.Minute)},
			{ID: "a", NextAt: now},
			{ID: "b", NextAt: now},
			{ID: "early", NextAt: now.Add(-time.Minute)},
			{ID: "c", NextAt: now},
		} {
			mustPut(t, ob, d, true)
		}
		wantLen(t, ob, 5)
		var got []string
		for range 4 {
			d := mustTake(t, ob)
			got = append(got, d.ID)
			mustAck(t, ob, d)
		}
		if fmt.Sprint(got) != "[early a b c]" {
			t.Fatalf("taken %v, want [early a b c] (due order, then the order of Put)", got)
		}
		// "late" is due in a minute: Take waits for the clock.
		w := c.Waiters()
		took := goTake(ob, context.Background())
		notYet(t, took, "a delivery due in a minute")
		c.WaitForWaiters(t, w+1)
		c.Advance(time.Minute)
		if d := receive(t, took); d.ID != "late" {
			t.Fatalf("took %s, want late", d.ID)
		}
	})

	t.Run("fields survive Put, Take and Retry", func(t *testing.T) {
		ob, c := fresh(t)
		now := c.Now()
		in := webhook.Delivery{ID: "ev1", Shop: "shop1", URL: "https://shop.example/hook?x=1", Type: "reservation.reserved",
			Order: "1001", Reservation: "RSRV1", Body: []byte(`{"id":"ev1","status":"RESERVED"}`),
			Created: now.Add(-time.Second), NextAt: now}
		d := in
		mustPut(t, ob, &d, true)
		got := mustTake(t, ob)
		sameDelivery(t, got, &in)
		got.Attempts, got.LastError, got.NextAt = 3, "the shop answered 503", now
		if err := ob.Retry(context.Background(), got); err != nil {
			t.Fatal(err)
		}
		again := mustTake(t, ob)
		want := in
		want.Attempts, want.LastError = 3, "the shop answered 503"
		sameDelivery(t, again, &want)
	})

	t.Run("dedupe of pending ids", func(t *testing.T) {
		ob, c := fresh(t)
		now := c.Now()
		mustPut(t, ob, &webhook.Delivery{ID: "a", NextAt: now, Body: []byte("1")}, true)
		mustPut(t, ob, &webhook.Delivery{ID: "a", NextAt: now, Body: []byte("2")}, false) // queued
		d := mustTake(t, ob)
		mustPut(t, ob, &webhook.Delivery{ID: "a", NextAt: now}, false) // leased
		d.NextAt = now
		if err := ob.Retry(context.Background(), d); err != nil {
			t.Fatal(err)
		}
		mustPut(t, ob, &webhook.Delivery{ID: "a", NextAt: now}, false) // queued again
		wantLen(t, ob, 1)
		if d := mustTake(t, ob); string(d.Body) != "1" {
			t.Fatalf("body %q, want the first Put's", d.Body)
		}
	})

	t.Run("dedupe of acknowledged ids", func(t *testing.T) {
		ob, c := fresh(t)
		mustPut(t, ob, &webhook.Delivery{ID: "a", NextAt: c.Now()}, true)
		mustAck(t, ob, mustTake(t, ob))
		wantLen(t, ob, 0)
		mustPut(t, ob, &webhook.Delivery{ID: "a", NextAt: c.Now()}, false)
		wantLen(t, ob, 0)
		nothingDue(t, ob)
	})

	t.Run("Drop keeps a dead letter; a Put of its id replaces it", func(t *testing.T) {
		ob, c := fresh(t)
		ctx := context.Background()
		mustPut(t, ob, &webhook.Delivery{ID: "a", Shop: "s1", Body: []byte("1"), Created: c.Now(), NextAt: c.Now()}, true)
		d := mustTake(t, ob)
		d.Attempts, d.LastError = 3, "the shop answered 500"
		c.Advance(time.Minute)
		if err := ob.Drop(ctx, d); err != nil {
			t.Fatal(err)
		}
		wantLen(t, ob, 0)
		nothingDue(t, ob)
		wantDead(t, ob, "", 0, "a")
		wantDead(t, ob, "s1", 0, "a")
		wantDead(t, ob, "s2", 0)
		dead, _ := ob.Dead(ctx, "s1", 0)
		want := webhook.Delivery{ID: "a", Shop: "s1", Body: []byte("1"), Attempts: 3,
			LastError: "the shop answered 500", Created: Start, NextAt: Start}
		sameDelivery(t, &dead[0], &want)
		if !dead[0].GaveUpAt.Equal(c.Now()) {
			t.Fatalf("GaveUpAt %v, want the clock's %v", dead[0].GaveUpAt, c.Now())
		}
		mustPut(t, ob, &webhook.Delivery{ID: "a", Shop: "s1", Body: []byte("2"), NextAt: c.Now()}, true)
		wantDead(t, ob, "", 0)
		if d := mustTake(t, ob); string(d.Body) != "2" || d.Attempts != 0 {
			t.Fatalf("took %s %q after %d attempts, want the new Put's", d.ID, d.Body, d.Attempts)
		}
	})

	t.Run("Dead lists the latest first; Revive queues a shop's dead letters afresh", func(t *testing.T) {
		ob, c := fresh(t)
		ctx := context.Background()
		for _, d := range []struct{ id, shop string }{{"a", "s1"}, {"b", "s1"}, {"c", "s2"}} {
			mustPut(t, ob, &webhook.Delivery{ID: d.id, Shop: d.shop, Created: c.Now(), NextAt: c.Now()}, true)
		}
		for range 3 {
			d := mustTake(t, ob)
			d.Attempts, d.LastError = 20, "refused"
			c.Advance(time.Second)
			if err := ob.Drop(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		wantDead(t, ob, "", 0, "c", "b", "a")
		wantDead(t, ob, "", 2, "c", "b")
		wantDead(t, ob, "s1", 0, "b", "a")
		if n, err := ob.Revive(ctx, "s1", []string{"c", "nope"}, c.Now(), ""); n != 0 || err != nil {
			t.Fatalf("Revive of another shop's and an unknown id = %d, %v; want 0", n, err)
		}
		c.Advance(time.Hour)
		if n, err := ob.Revive(ctx, "s1", []string{"a"}, c.Now(), "https://fixed.example/hook"); n != 1 || err != nil {
			t.Fatalf("Revive(a) = %d, %v; want 1", n, err)
		}
		wantLen(t, ob, 1)
		wantDead(t, ob, "", 0, "c", "b")
		d := mustTake(t, ob)
		want := webhook.Delivery{ID: "a", Shop: "s1", URL: "https://fixed.example/hook", Created: c.Now(), NextAt: c.Now()}
		sameDelivery(t, d, &want)
		if !d.GaveUpAt.IsZero() {
			t.Fatalf("a revived delivery has GaveUpAt %v", d.GaveUpAt)
		}
		mustAck(t, ob, d)
		if n, err := ob.Revive(ctx, "s1", nil, c.Now(), ""); n != 1 || err != nil {
			t.Fatalf("Revive(s1, all) = %d, %v; want 1 (b)", n, err)
		}
		if n, _ := ob.Revive(ctx, "s1", nil, c.Now(), ""); n != 0 {
			t.Fatalf("a second Revive(s1, all) queued %d, want 0", n)
		}
		if d := mustTake(t, ob); d.ID != "b" || d.URL != "" {
			t.Fatalf("took %s (URL %q), want b with its own URL", d.ID, d.URL)
		}
		wantDead(t, ob, "s2", 0, "c")
		wantDead(t, ob, "s1", 0)
	})

	t.Run("dead letters expire after their TTL", func(t *testing.T) {
		ob, c := fresh(t)
		ctx := context.Background()
		mustPut(t, ob, &webhook.Delivery{ID: "a", Shop: "s1", NextAt: c.Now()}, true)
		if err := ob.Drop(ctx, mustTake(t, ob)); err != nil {
			t.Fatal(err)
		}
		c.Advance(webhook.DefaultDeadTTL - time.Second)
		wantDead(t, ob, "s1", 0, "a")
		c.Advance(2 * time.Second)
		// Revived by id first, with nothing else having pruned since.
		if n, _ := ob.Revive(ctx, "s1", []string{"a"}, c.Now(), ""); n != 0 {
			t.Fatalf("Revive of an expired dead letter queued %d", n)
		}
		wantDead(t, ob, "s1", 0)
		wantDead(t, ob, "", 0)
		nothingDue(t, ob)
	})

	t.Run("a leased delivery is taken again only after Retry", func(t *testing.T) {
		ob, c := fresh(t)
		mustPut(t, ob, &webhook.Delivery{ID: "a", NextAt: c.Now()}, true)
		d := mustTake(t, ob)
		took := goTake(ob, context.Background())
		notYet(t, took, "a leased delivery")
		wantLen(t, ob, 1)
		d.NextAt = c.Now()
		if err := ob.Retry(context.Background(), d); err != nil {
			t.Fatal(err)
		}
		if d := receive(t, took); d.ID != "a" {
			t.Fatalf("took %s, want a", d.ID)
		}
	})

	t.Run("Retry is due at NextAt", func(t *testing.T) {
		ob, c := fresh(t)
		mustPut(t, ob, &webhook.Delivery{ID: "a", NextAt: c.Now()}, true)
		mustPut(t, ob, &webhook.Delivery{ID: "b", NextAt: c.Now().Add(3 * time.Minute)}, true)
		d := mustTake(t, ob)
		d.Attempts, d.NextAt = 1, c.Now().Add(2*time.Minute)
		if err := ob.Retry(context.Background(), d); err != nil {
			t.Fatal(err)
		}
		nothingDue(t, ob)
		w := c.Waiters()
		took := goTake(ob, context.Background())
		c.WaitForWaiters(t, w+1)
		c.Advance(time.Minute)
		notYet(t, took, "a retry due in two minutes, a minute later")
		c.Advance(time.Minute)
		if d := receive(t, took); d.ID != "a" || d.Attempts != 1 {
			t.Fatalf("took %s (attempts %d), want a after 1 attempt", d.ID, d.Attempts)
		}
	})

	t.Run("Take wakes on Put", func(t *testing.T) {
		ob, c := fresh(t)
		took := goTake(ob, context.Background())
		notYet(t, took, "an empty outbox")
		mustPut(t, ob, &webhook.Delivery{ID: "a", NextAt: c.Now()}, true)
		if d := receive(t, took); d.ID != "a" {
			t.Fatalf("took %s, want a", d.ID)
		}
	})

	t.Run("Len counts queued and leased", func(t *testing.T) {
		ob, c := fresh(t)
		wantLen(t, ob, 0)
		for _, id := range []string{"a", "b", "c"} {
			mustPut(t, ob, &webhook.Delivery{ID: id, NextAt: c.Now()}, true)
		}
		wantLen(t, ob, 3)
		a := mustTake(t, ob)
		wantLen(t, ob, 3)
		mustAck(t, ob, a)
		wantLen(t, ob, 2)
		if err := ob.Drop(context.Background(), mustTake(t, ob)); err != nil {
			t.Fatal(err)
		}
		wantLen(t, ob, 1)
	})

	t.Run("Close refuses Put, drains what is due, then ErrClosed", func(t *testing.T) {
		ob, c := fresh(t)
		ctx := context.Background()
		mustPut(t, ob, &webhook.Delivery{ID: "x", NextAt: c.Now()}, true)
		if err := ob.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := ob.Put(ctx, &webhook.Delivery{ID: "y", NextAt: c.Now()}); !errors.Is(err, webhook.ErrClosed) {
			t.Fatalf("Put after Close = %v, want ErrClosed", err)
		}
		d := mustTake(t, ob)
		// While x is leased, Take waits: x may come back.
		took := goTake(ob, ctx)
		notYet(t, took, "a closed outbox with a leased delivery")
		d.NextAt = c.Now()
		if err := ob.Retry(ctx, d); err != nil {
			t.Fatal(err)
		}
		d = receive(t, took)
		took = goTake(ob, ctx)
		notYet(t, took, "a closed outbox with a leased delivery")
		mustAck(t, ob, d)
		if r := await(t, took); !errors.Is(r.err, webhook.ErrClosed) {
			t.Fatalf("Take after the last Ack = %v, %v; want ErrClosed", r.d, r.err)
		}
		if _, err := takeWithin(ob, promptly); !errors.Is(err, webhook.ErrClosed) {
			t.Fatalf("Take on a drained, closed outbox = %v, want ErrClosed", err)
		}
		if err := ob.Close(); err != nil {
			t.Fatalf("a second Close = %v", err)
		}
		wantLen(t, ob, 0)
	})

	t.Run("Take ends with its context", func(t *testing.T) {
		ob, c := fresh(t)
		cctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := ob.Take(cctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("Take on a cancelled context = %v", err)
		}
		mustPut(t, ob, &webhook.Delivery{ID: "later", NextAt: c.Now().Add(time.Hour)}, true)
		wctx, cancel := context.WithCancel(context.Background())
		took := goTake(ob, wctx)
		notYet(t, took, "a delivery due in an hour")
		cancel()
		if r := await(t, took); !errors.Is(r.err, context.Canceled) {
			t.Fatalf("Take after cancel = %v, %v; want context.Canceled", r.d, r.err)
		}
		if _, err := takeWithin(ob, quiet); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Take past its deadline = %v, want context.DeadlineExceeded", err)
		}
		wantLen(t, ob, 1)
	})

	t.Run("concurrent takers each get a delivery once", func(t *testing.T) {
		ob, c := fresh(t)
		const n, takers = 60, 6
		for i := range n {
			mustPut(t, ob, &webhook.Delivery{ID: fmt.Sprintf("d%02d", i), NextAt: c.Now()}, true)
		}
		var mu sync.Mutex
		seen := map[string]int{}
		var wg sync.WaitGroup
		errs := make(chan error, takers)
		for range takers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					mu.Lock()
					left := len(seen) < n
					mu.Unlock()
					if !left {
						return
					}
					d, err := takeWithin(ob, quiet)
					if errors.Is(err, context.DeadlineExceeded) {
						continue
					}
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					seen[d.ID]++
					mu.Unlock()
					if err := ob.Ack(context.Background(), d); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		for id, k := range seen {
			if k != 1 {
				t.Errorf("%s taken %d times", id, k)
			}
		}
		if len(seen) != n {
			t.Fatalf("%d deliveries taken, want %d", len(seen), n)
		}
		wantLen(t, ob, 0)
	})
}

type result struct {
	d   *webhook.Delivery
	err error
}

func goTake(ob webhook.Outbox, ctx context.Context) <-chan result {
	ch := make(chan result, 1)
	go func() {
		ctx, cancel := context.WithTimeout(ctx, 2*promptly)
		defer cancel()
		d, err := ob.Take(ctx)
		ch <- result{d, err}
	}()
	return ch
}

// notYet fails t if the Take behind ch returns within quiet.
func notYet(t *testing.T, ch <-chan result, what string) {
	t.Helper()
	select {
	case r := <-ch:
		if r.d != nil {
			t.Fatalf("Take on %s returned %s", what, r.d.ID)
		}
		t.Fatalf("Take on %s returned %v", what, r.err)
	case <-time.After(quiet):
	}
}

// await waits promptly for the Take behind ch.
func await(t *testing.T, ch <-chan result) result {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(promptly):
		t.Fatalf("Take did not return within %s", promptly)
		return result{}
	}
}

// receive waits promptly for the Take behind ch to return a delivery.
func receive(t *testing.T, ch <-chan result) *webhook.Delivery {
	t.Helper()
	r := await(t, ch)
	if r.err != nil {
		t.Fatalf("Take = %v", r.err)
	}
	return r.d
}

func takeWithin(ob webhook.Outbox, d time.Duration) (*webhook.Delivery, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return ob.Take(ctx)
}

func mustTake(t *testing.T, ob webhook.Outbox) *webhook.Delivery {
	t.Helper()
	d, err := takeWithin(ob, promptly)
	if err != nil {
		t.Fatalf("Take = %v", err)
	}
	return d
}

// nothingDue fails t if a Take finds something due now.
func nothingDue(t *testing.T, ob webhook.Outbox) {
	t.Helper()
	d, err := takeWithin(ob, quiet)
	if d != nil {
		t.Fatalf("Take returned %s, want nothing due", d.ID)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Take = %v, want context.DeadlineExceeded", err)
	}
}

func mustPut(t *testing.T, ob webhook.Outbox, d *webhook.Delivery, want bool) {
	t.Helper()
	added, err := ob.Put(context.Background(), d)
	if err != nil || added != want {
		t.Fatalf("Put(%s) = %v, %v; want %v", d.ID, added, err, want)
	}
}

func mustAck(t *testing.T, ob webhook.Outbox, d *webhook.Delivery) {
	t.Helper()
	if err := ob.Ack(context.Background(), d); err != nil {
		t.Fatalf("Ack(%s) = %v", d.ID, err)
	}
}

// wantDead checks Dead(shop, limit) and, for every shop, DeadLen.
func wantDead(t *testing.T, ob webhook.Outbox, shop string, limit int, ids ...string) {
	t.Helper()
	dead, err := ob.Dead(context.Background(), shop, limit)
	if err != nil {
		t.Fatalf("Dead(%q) = %v", shop, err)
	}
	var got []string
	for _, d := range dead {
		got = append(got, d.ID)
	}
	if fmt.Sprint(got) != fmt.Sprint(ids) {
		t.Fatalf("Dead(%q, %d) = %v, want %v", shop, limit, got, ids)
	}
	if shop == "" && limit == 0 {
		if n := ob.DeadLen(); n != len(ids) {
			t.Fatalf("DeadLen = %d, want %d", n, len(ids))
		}
	}
}

func wantLen(t *testing.T, ob webhook.Outbox, want int) {
	t.Helper()
	if n := ob.Len(); n != want {
		t.Fatalf("Len = %d, want %d", n, want)
	}
}

func sameDelivery(t *testing.T, got, want *webhook.Delivery) {
	t.Helper()
	if got.ID != want.ID || got.Shop != want.Shop || got.URL != want.URL || got.Type != want.Type ||
		got.Order != want.Order || got.Reservation != want.Reservation || !bytes.Equal(got.Body, want.Body) ||
		got.Attempts != want.Attempts || got.LastError != want.LastError ||
		!got.Created.Equal(want.Created) || !got.NextAt.Equal(want.NextAt) {
		t.Fatalf("delivery\n got %+v\nwant %+v", *got, *want)
	}
}
