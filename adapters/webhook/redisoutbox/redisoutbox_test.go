package redisoutbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontgate/frontgate/adapters/webhook"
	"github.com/frontgate/frontgate/adapters/webhook/outboxtest"
	"github.com/frontgate/frontgate/host/store/redisstore/redistest"
)

// client connects to the test's Redis (redistest: FRONTGATE_REDIS_URL or a
// redis-server of its own).
func client(t *testing.T, url string) redis.UniversalClient {
	t.Helper()
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	return rdb
}

// prefix is a fresh key prefix, so tests sharing a Redis do not meet.
func prefix() string {
	b := make([]byte, 6)
	rand.Read(b)
	return "test:outbox:{" + hex.EncodeToString(b) + "}:"
}

// fast are options for tests: a short poll, so that expired leases and
// other outboxes' changes are seen at once.
func fast(p string, clock webhook.Clock) Options {
	return Options{Prefix: p, Clock: clock, PollInterval: 10 * time.Millisecond}
}

func TestContract(t *testing.T) {
	rdb := client(t, redistest.URL(t))
	outboxtest.Run(t, func(_ *testing.T, clock webhook.Clock) webhook.Outbox {
		return New(rdb, fast(prefix(), clock))
	})
}

func take(t *testing.T, b *Outbox, within time.Duration) (*webhook.Delivery, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	return b.Take(ctx)
}

func mustTake(t *testing.T, b *Outbox) *webhook.Delivery {
	t.Helper()
	d, err := take(t, b, 5*time.Second)
	if err != nil {
		t.Fatalf("Take = %v", err)
	}
	return d
}

func mustPut(t *testing.T, b *Outbox, d *webhook.Delivery, want bool) {
	t.Helper()
	added, err := b.Put(context.Background(), d)
	if err != nil || added != want {
		t.Fatalf("Put(%s) = %v, %v; want %v", d.ID, added, err, want)
	}
}

// TestTwoOutboxesNeverShareALease: two sidecars' outboxes on one Redis,
// four takers each, hand every delivery to one taker at a time; each is
// retried once and then acknowledged exactly once.
func TestTwoOutboxesNeverShareALease(t *testing.T) {
	rdb1 := client(t, redistest.URL(t))
	opt := rdb1.(*redis.Client).Options()
	rdb2 := redis.NewClient(opt) // another sidecar: its own connections
	defer rdb2.Close()
	p := prefix()
	a, b := New(rdb1, fast(p, nil)), New(rdb2, fast(p, nil))
	const n = 200
	for i := range n {
		box := a
		if i%2 == 1 {
			box = b
		}
		mustPut(t, box, &webhook.Delivery{ID: fmt.Sprintf("ev%03d", i), Body: []byte(`{}`), NextAt: time.Now()}, true)
	}

	var (
		mu      sync.Mutex
		holder  = map[string]string{} // id → taker holding it now
		retried = map[string]bool{}
		acked   = map[string]int{}
		done    atomic.Int64
		errs    = make(chan error, 16)
	)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for w := range 8 {
		box, name := a, fmt.Sprintf("a%d", w)
		if w%2 == 1 {
			box, name = b, fmt.Sprintf("b%d", w)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for done.Load() < n {
				tctx, tcancel := context.WithTimeout(ctx, 50*time.Millisecond)
				d, err := box.Take(tctx)
				tcancel()
				if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
					continue
				}
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				if h, ok := holder[d.ID]; ok {
					mu.Unlock()
					errs <- fmt.Errorf("%s handed to %s while %s holds it", d.ID, name, h)
					return
				}
				holder[d.ID] = name
				again := !retried[d.ID]
				retried[d.ID] = true
				mu.Unlock()
				time.Sleep(time.Duration(len(d.ID)%3) * time.Millisecond) // the attempt
				mu.Lock()
				delete(holder, d.ID) // before handing it back: then anyone may take it
				if !again {
					acked[d.ID]++
				}
				mu.Unlock()
				if again {
					d.Attempts++
					d.NextAt = time.Now()
					err = box.Retry(context.Background(), d)
				} else {
					err = box.Ack(context.Background(), d)
					done.Add(1)
				}
				if err != nil {
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
	if len(acked) != n {
		t.Fatalf("%d deliveries acknowledged, want %d", len(acked), n)
	}
	for id, k := range acked {
		if k != 1 {
			t.Errorf("%s acknowledged %d times", id, k)
		}
	}
	if a.Len() != 0 || b.Len() != 0 {
		t.Fatalf("Len = %d, %d after everything was acknowledged", a.Len(), b.Len())
	}
	// Each id is remembered by both.
	mustPut(t, b, &webhook.Delivery{ID: "ev000"}, false)
	mustPut(t, a, &webhook.Delivery{ID: "ev001"}, false)
}

// TestAbandonedLeaseExpires: an outbox that took a delivery and went away
// without a word (its sidecar died) does not strand it: once the lease
// times out another outbox takes it, and the late answers of the first
// neither take it back nor disturb the new lease.
func TestAbandonedLeaseExpires(t *testing.T) {
	rdb := client(t, redistest.URL(t))
	p := prefix()
	clock := outboxtest.NewManualClock(outboxtest.Start)
	dead, live := New(rdb, fast(p, clock)), New(rdb, fast(p, clock))
	mustPut(t, live, &webhook.Delivery{ID: "ev", Body: []byte(`{"n":1}`), NextAt: clock.Now()}, true)
	stale := mustTake(t, dead)

	took := make(chan *webhook.Delivery, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		d, _ := live.Take(ctx)
		took <- d
	}()
	select {
	case d := <-took:
		t.Fatalf("a leased delivery was taken again before its lease expired: %v", d)
	case <-time.After(100 * time.Millisecond):
	}
	clock.Advance(DefaultLeaseTimeout - time.Second)
	select {
	case d := <-took:
		t.Fatalf("taken a second before the lease expired: %v", d)
	case <-time.After(100 * time.Millisecond):
	}
	clock.Advance(2 * time.Second)
	var d *webhook.Delivery
	select {
	case d = <-took:
	case <-time.After(5 * time.Second):
		t.Fatal("the delivery was not taken within 5s of its lease's expiry")
	}
	if d == nil || d.ID != "ev" || string(d.Body) != `{"n":1}` {
		t.Fatalf("took %+v", d)
	}
	if live.Len() != 1 {
		t.Fatalf("Len = %d, want 1", live.Len())
	}

	// The first taker wakes up: its Retry and Drop are no-ops, the lease
	// stays with live.
	stale.NextAt = clock.Now()
	if err := dead.Retry(context.Background(), stale); err != nil {
		t.Fatalf("a stale Retry = %v", err)
	}
	if d, err := take(t, dead, 100*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("after a stale Retry, Take = %v, %v; want nothing", d, err)
	}
	if err := live.Ack(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if err := dead.Drop(context.Background(), stale); !errors.Is(err, ErrNotLeased) {
		t.Fatalf("Drop of a delivery already retried = %v, want ErrNotLeased", err)
	}
	if live.Len() != 0 {
		t.Fatalf("Len = %d after Ack", live.Len())
	}
	mustPut(t, dead, &webhook.Delivery{ID: "ev", NextAt: clock.Now()}, false)
}

// TestStaleAckStillEnds: a taker whose lease expired while the shop
// acknowledged still ends the delivery; the new holder's answers are then
// harmless.
func TestStaleAckStillEnds(t *testing.T) {
	rdb := client(t, redistest.URL(t))
	p := prefix()
	clock := outboxtest.NewManualClock(outboxtest.Start)
	slow, other := New(rdb, fast(p, clock)), New(rdb, fast(p, clock))
	mustPut(t, slow, &webhook.Delivery{ID: "ev", NextAt: clock.Now()}, true)
	d1 := mustTake(t, slow)
	clock.Advance(DefaultLeaseTimeout + time.Second)
	d2 := mustTake(t, other)
	if err := slow.Ack(context.Background(), d1); err != nil {
		t.Fatal(err)
	}
	if other.Len() != 0 {
		t.Fatalf("Len = %d after the stale Ack", other.Len())
	}
	d2.NextAt = clock.Now()
	if err := other.Retry(context.Background(), d2); err != nil {
		t.Fatal(err)
	}
	if d, err := take(t, other, 100*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("an acknowledged delivery came back: %v, %v", d, err)
	}
	mustPut(t, other, &webhook.Delivery{ID: "ev", NextAt: clock.Now()}, false)
}

// TestSurvivesRestart: what one outbox object stored, a new one on the same
// Redis and prefix finds: queued deliveries with their fields and due times,
// a lease held at the crash (after it expires), and acknowledged ids.
func TestSurvivesRestart(t *testing.T) {
	url := redistest.URL(t)
	p := prefix()
	clock := outboxtest.NewManualClock(outboxtest.Start)
	now := clock.Now()
	before := New(client(t, url), fast(p, clock))
	mustPut(t, before, &webhook.Delivery{ID: "leased", Shop: "s1", NextAt: now}, true)
	mustPut(t, before, &webhook.Delivery{ID: "acked", NextAt: now}, true)
	mustPut(t, before, &webhook.Delivery{ID: "later", Shop: "s1", URL: "https://shop.example/h", Body: []byte(`{"a":1}`),
		Created: now, NextAt: now.Add(time.Minute)}, true)
	l := mustTake(t, before)
	if l.ID != "leased" {
		t.Fatalf("took %s", l.ID)
	}
	if err := before.Ack(context.Background(), mustTake(t, before)); err != nil {
		t.Fatal(err)
	}
	// The process ends: no Close, no Retry. A new one starts.
	after := New(client(t, url), fast(p, clock))
	if after.Len() != 2 {
		t.Fatalf("Len after restart = %d, want 2", after.Len())
	}
	mustPut(t, after, &webhook.Delivery{ID: "acked", NextAt: now}, false)
	mustPut(t, after, &webhook.Delivery{ID: "leased", NextAt: now}, false)
	if d, err := take(t, after, 100*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Take before anything is due = %v, %v", d, err)
	}
	clock.Advance(time.Minute)
	d := mustTake(t, after)
	if d.ID != "later" || d.URL != "https://shop.example/h" || string(d.Body) != `{"a":1}` || !d.Created.Equal(now) ||
		!d.NextAt.Equal(now.Add(time.Minute)) {
		t.Fatalf("after restart took %+v", d)
	}
	clock.Advance(DefaultLeaseTimeout)
	if d := mustTake(t, after); d.ID != "leased" {
		t.Fatalf("took %s, want the delivery leased at the crash", d.ID)
	}
}

// TestDoneTTL: acknowledged ids are forgotten after DoneTTL (a Redis
// expiry, in real time).
func TestDoneTTL(t *testing.T) {
	rdb := client(t, redistest.URL(t))
	o := fast(prefix(), nil)
	o.DoneTTL = 150 * time.Millisecond
	b := New(rdb, o)
	mustPut(t, b, &webhook.Delivery{ID: "a", NextAt: time.Now()}, true)
	if err := b.Ack(context.Background(), mustTake(t, b)); err != nil {
		t.Fatal(err)
	}
	mustPut(t, b, &webhook.Delivery{ID: "a", NextAt: time.Now()}, false)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		added, err := b.Put(context.Background(), &webhook.Delivery{ID: "a", NextAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if added {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("an acknowledged id was still remembered 5s after a 150ms DoneTTL")
		}
	}
}

// TestPrefixesAreSeparate: outboxes on other prefixes (another notifier
// kind, another deployment) neither see nor take each other's deliveries.
func TestPrefixesAreSeparate(t *testing.T) {
	rdb := client(t, redistest.URL(t))
	a, b := New(rdb, fast(prefix(), nil)), New(rdb, fast(prefix(), nil))
	mustPut(t, a, &webhook.Delivery{ID: "x", NextAt: time.Now()}, true)
	mustPut(t, b, &webhook.Delivery{ID: "x", NextAt: time.Now()}, true)
	if err := a.Ack(context.Background(), mustTake(t, a)); err != nil {
		t.Fatal(err)
	}
	if b.Len() != 1 {
		t.Fatalf("b's Len = %d, want 1", b.Len())
	}
}

// TestNotLeased: answers about a delivery this outbox did not hand out are
// refused, not applied to whoever holds it.
func TestNotLeased(t *testing.T) {
	rdb := client(t, redistest.URL(t))
	b := New(rdb, fast(prefix(), nil))
	mustPut(t, b, &webhook.Delivery{ID: "x", NextAt: time.Now()}, true)
	d := mustTake(t, b)
	forged := *d
	for name, f := range map[string]func(context.Context, *webhook.Delivery) error{"Retry": b.Retry, "Ack": b.Ack, "Drop": b.Drop} {
		if err := f(context.Background(), &forged); !errors.Is(err, ErrNotLeased) {
			t.Errorf("%s of a copy = %v, want ErrNotLeased", name, err)
		}
	}
	if err := b.Ack(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if err := b.Ack(context.Background(), d); !errors.Is(err, ErrNotLeased) {
		t.Fatalf("a second Ack = %v, want ErrNotLeased", err)
	}
}

// TestRedisDown: Take and Put report a Redis that does not answer, and a
// Take waiting on one ends with its context.
func TestRedisDown(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer rdb.Close()
	b := New(rdb, fast(prefix(), nil))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := b.Put(ctx, &webhook.Delivery{ID: "x"}); err == nil {
		t.Fatal("Put on an unreachable Redis succeeded")
	}
	if _, err := b.Take(ctx); err == nil || ctx.Err() != nil {
		t.Fatalf("Take on an unreachable Redis = %v (ctx %v), want a Redis error at once", err, ctx.Err())
	}
	if n := b.Len(); n != 0 {
		t.Fatalf("Len = %d", n)
	}
}

// TestDeadCap: beyond DeadMax a shop's oldest dead letters go, with their
// hashes, and only that shop's: another's stay.
func TestDeadCap(t *testing.T) {
	rdb := client(t, redistest.URL(t))
	ctx := context.Background()
	c := outboxtest.NewManualClock(outboxtest.Start)
	o := fast(prefix(), c)
	o.DeadMax = 2
	b := New(rdb, o)
	drop := func(id, shop string) {
		mustPut(t, b, &webhook.Delivery{ID: id, Shop: shop, NextAt: c.Now()}, true)
		d := mustTake(t, b)
		c.Advance(time.Second)
		if err := b.Drop(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	drop("b1", "b")
	for _, id := range []string{"1", "2", "3"} {
		drop(id, "a")
	}
	dead, err := b.Dead(ctx, "a", 0)
	if err != nil || len(dead) != 2 || dead[0].ID != "3" || dead[1].ID != "2" {
		t.Fatalf("shop a's dead letters %+v, %v; want 3 and 2", dead, err)
	}
	if dead, _ := b.Dead(ctx, "b", 0); len(dead) != 1 || dead[0].ID != "b1" {
		t.Fatalf("shop b's dead letters %+v, want b1: another shop's failures pushed it out", dead)
	}
	if n := rdb.Exists(ctx, o.Prefix+"d:1").Val(); n != 0 {
		t.Fatal("the hash of a dead letter past the cap is still stored")
	}
	if n, m := rdb.ZCard(ctx, o.Prefix+"dead:a").Val(), rdb.ZCard(ctx, o.Prefix+"dead").Val(); n != 2 || m != 3 || b.DeadLen() != 3 {
		t.Fatalf("the dead sets hold %d (shop a) and %d (all), DeadLen %d; want 2, 3, 3", n, m, b.DeadLen())
	}
}

// TestStaleAckEndsADeadLetter: a slow attempt whose lease expired succeeds
// after another taker gave the delivery up. The shop took the event, so the
// dead letter ends, with its hash and its members of both dead sets.
func TestStaleAckEndsADeadLetter(t *testing.T) {
	rdb := client(t, redistest.URL(t))
	ctx := context.Background()
	c := outboxtest.NewManualClock(outboxtest.Start)
	o := fast(prefix(), c)
	b1, b2 := New(rdb, o), New(rdb, o)
	mustPut(t, b1, &webhook.Delivery{ID: "a", Shop: "s1", NextAt: c.Now()}, true)
	slow := mustTake(t, b1)
	c.Advance(DefaultLeaseTimeout + time.Second)
	d := mustTake(t, b2)
	if err := b2.Drop(ctx, d); err != nil {
		t.Fatal(err)
	}
	if dead, _ := b2.Dead(ctx, "s1", 0); len(dead) != 1 {
		t.Fatalf("dead letters %+v, want a", dead)
	}
	if err := b1.Ack(ctx, slow); err != nil {
		t.Fatal(err)
	}
	if dead, _ := b2.Dead(ctx, "s1", 0); len(dead) != 0 || b2.DeadLen() != 0 {
		t.Fatalf("after the acknowledgement: dead letters %+v, DeadLen %d; want none", dead, b2.DeadLen())
	}
	if n, m, h := rdb.ZCard(ctx, o.Prefix+"dead").Val(), rdb.ZCard(ctx, o.Prefix+"dead:s1").Val(), rdb.Exists(ctx, o.Prefix+"d:a").Val(); n+m+h != 0 {
		t.Fatalf("left on Redis: %d in the dead set, %d in the shop's, hash %d", n, m, h)
	}
	mustPut(t, b1, &webhook.Delivery{ID: "a", Shop: "s1", NextAt: c.Now()}, false) // acknowledged: never sent again
}

// withDeadLetter returns a fresh outbox on the test's Redis (with its
// client, options and clock) holding one dead letter: a, of shop s1.
func withDeadLetter(t *testing.T) (redis.UniversalClient, Options, *Outbox, *outboxtest.ManualClock) {
	t.Helper()
	rdb := client(t, redistest.URL(t))
	c := outboxtest.NewManualClock(outboxtest.Start)
	o := fast(prefix(), c)
	b := New(rdb, o)
	mustPut(t, b, &webhook.Delivery{ID: "a", Shop: "s1", NextAt: c.Now()}, true)
	if err := b.Drop(context.Background(), mustTake(t, b)); err != nil {
		t.Fatal(err)
	}
	return rdb, o, b, c
}

// TestDeadListHealsStrayMembers: a member of a dead set whose hash is gone
// (as an older version's acknowledgement could leave) is dropped when the
// set is listed, and does not take a place within the limit.
func TestDeadListHealsStrayMembers(t *testing.T) {
	rdb, o, b, c := withDeadLetter(t)
	ctx := context.Background()
	score := float64(c.Now().Add(time.Minute).UnixMicro())
	rdb.ZAdd(ctx, o.Prefix+"dead:s1", redis.Z{Score: score, Member: "gone"})
	rdb.ZAdd(ctx, o.Prefix+"dead", redis.Z{Score: score, Member: "gone"})
	if dead, err := b.Dead(ctx, "s1", 1); err != nil || len(dead) != 1 || dead[0].ID != "a" {
		t.Fatalf("Dead(s1, 1) = %+v, %v; want a", dead, err)
	}
	if dead, _ := b.Dead(ctx, "", 0); len(dead) != 1 {
		t.Fatalf("Dead = %+v, want a alone", dead)
	}
	if n, m := rdb.ZCard(ctx, o.Prefix+"dead:s1").Val(), rdb.ZCard(ctx, o.Prefix+"dead").Val(); n != 1 || m != 1 {
		t.Fatalf("the stray member is still in the sets: %d and %d members", n, m)
	}
}

// TestDeadLetterHashExpires: a dead letter's hash (the shopper's contact
// details) expires on Redis itself, a day after the dead-letter TTL, so it
// goes even if no script prunes; a revived delivery's hash no longer
// expires.
func TestDeadLetterHashExpires(t *testing.T) {
	rdb, o, b, c := withDeadLetter(t)
	ctx := context.Background()
	if ttl, want := rdb.PTTL(ctx, o.Prefix+"d:a").Val(), webhook.DefaultDeadTTL+hashGrace; ttl <= want-time.Minute || ttl > want {
		t.Fatalf("the dead letter's hash expires in %v, want about %v", ttl, want)
	}
	if n, err := b.Revive(ctx, "s1", []string{"a"}, c.Now(), ""); n != 1 || err != nil {
		t.Fatalf("Revive = %d, %v", n, err)
	}
	if ttl := rdb.PTTL(ctx, o.Prefix+"d:a").Val(); ttl != -1 {
		t.Fatalf("a revived delivery's hash expires in %v; it must not", ttl)
	}
}

// TestReviveOnlyTheLetterRead: a dead letter read, then replaced by a new
// delivery of the same event that was given up in turn, is not revived
// with what was read; read again, it is.
func TestReviveOnlyTheLetterRead(t *testing.T) {
	_, _, b, c := withDeadLetter(t)
	ctx := context.Background()
	read, err := b.deadLetters(ctx, "s1", []string{"a"})
	if err != nil || len(read) != 1 {
		t.Fatalf("read %+v, %v", read, err)
	}
	c.Advance(time.Minute)
	mustPut(t, b, &webhook.Delivery{ID: "a", Shop: "s1", Body: []byte("2"), NextAt: c.Now()}, true)
	if err := b.Drop(ctx, mustTake(t, b)); err != nil {
		t.Fatal(err)
	}
	if n, err := b.revive(ctx, "s1", read, c.Now(), ""); n != 0 || err != nil {
		t.Fatalf("revive of the letter read before = %d, %v; want 0", n, err)
	}
	if n, err := b.Revive(ctx, "s1", []string{"a"}, c.Now(), ""); n != 1 || err != nil {
		t.Fatalf("Revive = %d, %v; want 1", n, err)
	}
	if d := mustTake(t, b); string(d.Body) != "2" {
		t.Fatalf("revived %q, want the later delivery's body", d.Body)
	}
}

// TestPruneClearsTheShopSet: a dead letter whose hash Redis expired (its
// shop can no longer be read from it) leaves the shop's set at the next
// prune that names the shop, and at a listing.
func TestPruneClearsTheShopSet(t *testing.T) {
	rdb, o, b, c := withDeadLetter(t)
	ctx := context.Background()
	rdb.Del(ctx, o.Prefix+"d:a") // as if Redis expired it
	c.Advance(webhook.DefaultDeadTTL + time.Second)
	mustPut(t, b, &webhook.Delivery{ID: "b", Shop: "s1", NextAt: c.Now()}, true)
	if err := b.Drop(ctx, mustTake(t, b)); err != nil {
		t.Fatal(err)
	}
	if m, err := rdb.ZRange(ctx, o.Prefix+"dead:s1", 0, -1).Result(); err != nil || fmt.Sprint(m) != "[b]" {
		t.Fatalf("the shop's set holds %v, %v; want [b]", m, err)
	}
	if m := rdb.ZRange(ctx, o.Prefix+"dead", 0, -1).Val(); fmt.Sprint(m) != "[b]" {
		t.Fatalf("the dead set holds %v; want [b]", m)
	}
}
