package sidecar

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontgate/frontgate/host/internal/wasmrt"
	"github.com/frontgate/frontgate/host/sandbox"
	"github.com/frontgate/frontgate/host/store"
)

// The tests in this file hold apply to its promise: every state change a
// settle confirms reaches the shop, whatever fails on the way (a swap whose
// answer is lost, a deadline inside the save, a notifier that fails, a
// concurrent settle that fails), and a retry of the callback, the return or
// the reconciler tells it then; a state told is not told again.

// applyRig is a Service without HTTP or FrontGo: apply and saveForward
// only need the core and the store.
type applyRig struct {
	svc   *Service
	st    store.Store
	shop  *countingNotifier
	check *Checkout
}

func newApplyRig(t *testing.T, st store.Store, n *countingNotifier) *applyRig {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Shops = []ShopConfig{{ID: "one"}}
	if n == nil {
		n = &countingNotifier{}
	}
	svc := NewService(cfg, Deps{Core: wasmrt.NewNative(), Store: st, Log: slog.New(slog.DiscardHandler), Notifier: n})
	c := &Checkout{CheckoutID: "chk_1", Shop: "one", OrderID: "1001", ReservationUUID: "RES1", Status: "SENT"}
	if err := svc.saveCheckout(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return &applyRig{svc: svc, st: st, shop: n, check: c}
}

// stored reads the checkout record back, as a retry would.
func (r *applyRig) stored(t *testing.T) *Checkout {
	t.Helper()
	c, e := r.svc.Checkout(context.Background(), "", "chk_1")
	if e != nil {
		t.Fatal(e.Message)
	}
	return c
}

// countingNotifier records the events a shop took; fail, when set, decides
// per call whether the shop takes it.
type countingNotifier struct {
	mu    sync.Mutex
	calls int
	fail  func(call int, ev Event) error
	log   EventLog
}

func (n *countingNotifier) Notify(ctx context.Context, shop *ShopConfig, ev Event) error {
	n.mu.Lock()
	n.calls++
	call, fail := n.calls, n.fail
	n.mu.Unlock()
	if fail != nil {
		if err := fail(call, ev); err != nil {
			return err
		}
	}
	return n.log.Notify(ctx, shop, ev)
}

func (n *countingNotifier) told() []string {
	var out []string
	for _, e := range n.log.Events() {
		out = append(out, e.Status)
	}
	return out
}

// recordFaults wraps a store and fails the first compare-and-swap of a
// checkout record ("chk:…") in one of two ways.
type recordFaults struct {
	store.Store
	armed atomic.Bool
	// lostReply: the swap is applied, but its answer is lost.
	lostReply bool
	// cancel: the caller's deadline passes during the swap; like Redis,
	// every call on a dead context then fails.
	cancel func()
}

func (s *recordFaults) CompareAndSwap(ctx context.Context, key string, old, value []byte, ttl time.Duration) (bool, error) {
	if strings.HasPrefix(key, "chk:") && s.armed.CompareAndSwap(true, false) {
		if s.lostReply {
			if _, err := s.Store.CompareAndSwap(ctx, key, old, value, ttl); err != nil {
				return false, err
			}
			return false, errors.New("i/o timeout")
		}
		s.cancel()
		return false, context.DeadlineExceeded
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	return s.Store.CompareAndSwap(ctx, key, old, value, ttl)
}

func (s *recordFaults) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.Store.Get(ctx, key)
}

func (s *recordFaults) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.Store.Set(ctx, key, value, ttl)
}

func (s *recordFaults) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	return s.Store.SetNX(ctx, key, value, ttl)
}

func (s *recordFaults) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.Store.Delete(ctx, key)
}

func TestApplyTellsAfterFailures(t *testing.T) {
	for _, tc := range []struct {
		name string
		// setup arms the fault and returns the first attempt's context.
		setup func(*recordFaults, *countingNotifier) context.Context
		// wantErr is the code of the first attempt's error.
		wantErr string
	}{
		{"swap applied, answer lost", func(s *recordFaults, _ *countingNotifier) context.Context {
			s.lostReply = true
			s.armed.Store(true)
			return context.Background()
		}, "store_unavailable"},
		{"deadline passes inside the save", func(s *recordFaults, _ *countingNotifier) context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			s.cancel = cancel
			s.armed.Store(true)
			return ctx
		}, "store_unavailable"},
		{"the shop's notifier fails", func(_ *recordFaults, n *countingNotifier) context.Context {
			n.fail = func(call int, _ Event) error {
				if call == 1 {
					return errors.New("outbox unavailable")
				}
				return nil
			}
			return context.Background()
		}, "notify_failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := &recordFaults{Store: store.NewMemory()}
			r := newApplyRig(t, st, nil)
			ctx := tc.setup(st, r.shop)
			d := &Details{Status: "RESERVED"}
			if _, e := r.svc.apply(ctx, r.check, d, "RESERVED", "callback"); e == nil || e.Code != tc.wantErr {
				t.Fatalf("first attempt: error %+v, want code %s", e, tc.wantErr)
			}
			if got := r.shop.told(); len(got) != 0 {
				t.Fatalf("the failed attempt told %v", got)
			}
			// FrontGo retries the callback (or the shopper returns, or the
			// reconciler runs): it starts from the stored record.
			res, e := r.svc.apply(context.Background(), r.stored(t), d, "RESERVED", "callback")
			if e != nil || res != CallbackApplied {
				t.Fatalf("retry = %v, %+v; want applied", res, e)
			}
			if got := strings.Join(r.shop.told(), ","); got != "RESERVED" {
				t.Fatalf("the shop was told %q, want RESERVED once", got)
			}
			// Told now: a third delivery is a duplicate.
			if res, e := r.svc.apply(context.Background(), r.stored(t), d, "RESERVED", "callback"); e != nil || res != CallbackDuplicate {
				t.Fatalf("third delivery = %v, %+v; want duplicate", res, e)
			}
			if got := strings.Join(r.shop.told(), ","); got != "RESERVED" {
				t.Fatalf("after a duplicate the shop was told %q", got)
			}
			if r.stored(t).Status != "RESERVED" {
				t.Fatalf("record is %s", r.stored(t).Status)
			}
		})
	}
}

// TestApplyConcurrentSettleFails: two settles confirm the same state at
// once; the one that claimed it fails to tell the shop. The other must not
// answer "duplicate" and leave the state untold: it tells it.
func TestApplyConcurrentSettleFails(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	n := &countingNotifier{fail: func(call int, _ Event) error {
		if call == 1 {
			close(entered)
			<-release
			return errors.New("outbox unavailable")
		}
		return nil
	}}
	r := newApplyRig(t, store.NewMemory(), n)
	d := &Details{Status: "RESERVED"}
	first := make(chan *Error, 1)
	a := *r.check
	go func() {
		_, e := r.svc.apply(context.Background(), &a, d, "RESERVED", "callback")
		first <- e
	}()
	<-entered
	type result struct {
		res CallbackResult
		e   *Error
	}
	second := make(chan result, 1)
	b := *r.check
	go func() {
		res, e := r.svc.apply(context.Background(), &b, d, "RESERVED", "return:success")
		second <- result{res, e}
	}()
	time.Sleep(50 * time.Millisecond) // the second settle finds the first one's claim
	close(release)
	if e := <-first; e == nil {
		t.Fatal("the first settle's notifier failed, but it reported success")
	}
	var got result
	select {
	case got = <-second:
	case <-time.After(10 * time.Second):
		t.Fatal("the second settle did not finish")
	}
	if got.e != nil {
		t.Fatalf("second settle: %+v", got.e)
	}
	// Whatever the second settle answered, the state must be told by now,
	// or at the latest on a retry.
	if len(n.told()) == 0 {
		if res, e := r.svc.apply(context.Background(), r.stored(t), d, "RESERVED", "callback"); e != nil {
			t.Fatalf("retry: %v %+v", res, e)
		}
	}
	if told := strings.Join(n.told(), ","); told != "RESERVED" {
		t.Fatalf("second settle answered %s; the shop was told %q, want RESERVED once", got.res, told)
	}
}

// TestCallbackRetriedWhenNotifyFails: while the shop's notifier fails, the
// callback is answered 503 so FrontGo sends it again; the retry tells the
// shop, once.
func TestCallbackRetriedWhenNotifyFails(t *testing.T) {
	h := newHarness(t, native())
	var failures atomic.Int32
	h.hook.set(func(ev Event) error {
		if ev.Status == "RESERVED" && failures.Add(1) <= 2 {
			return errors.New("outbox unavailable")
		}
		return nil
	})
	c := h.checkout("12001")
	if _, err := h.sb.Approve(c.ReservationUUID, "4111111111111111"); err != nil {
		t.Fatal(err)
	}
	recs, err := h.sb.WaitCallbacks(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if recs[0].Attempts < 3 || !recs[0].Delivered {
		t.Errorf("callback: %d attempts, delivered %v; want acknowledged on the third", recs[0].Attempts, recs[0].Delivered)
	}
	deadline := time.Now().Add(3 * time.Second)
	for len(h.eventsFor(c.ReservationUUID)) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := strings.Join(h.eventsFor(c.ReservationUUID), ","); got != "RESERVED" {
		t.Fatalf("events = %q, want RESERVED once", got)
	}
}

// TestEventsCarryTheirID: every event names itself by EventID, so a shop
// that hears it twice applies it once.
func TestEventsCarryTheirID(t *testing.T) {
	r := newApplyRig(t, store.NewMemory(), nil)
	if _, e := r.svc.apply(context.Background(), r.check, &Details{Status: "RESERVED"}, "RESERVED", "callback"); e != nil {
		t.Fatal(e.Message)
	}
	if got, want := r.shop.log.Events()[0].ID, EventID("RES1", "RESERVED"); got != want || got == "" {
		t.Fatalf("event id %q, want %q", got, want)
	}
}

// TestDrainWaitsForBackgroundSettles: the settle an operation starts after
// answering runs on; Drain waits for it, so the binary closes the store,
// the core and the notifiers only after it.
func TestDrainWaitsForBackgroundSettles(t *testing.T) {
	h := newHarness(t, native())
	c := h.checkout("13001")
	h.approve(c, "4111111111111111")
	h.waitStatus(c.CheckoutID, "RESERVED")
	if _, err := h.sb.WaitCallbacks(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	// Only the operation's own settle tells CAPTURED, and it hangs in the
	// shop's notifier until released.
	if _, err := h.sb.InjectCallbackFault(sandbox.CallbackFault{Kind: sandbox.CallbackDrop}); err != nil {
		t.Fatal(err)
	}
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	h.hook.set(func(ev Event) error {
		if ev.Status == "CAPTURED" {
			once.Do(func() { close(entered) })
			<-release
		}
		return nil
	})
	if r := h.do("POST", "/v1/reservations/"+c.ReservationUUID+"/capture", shopKey, "", map[string]any{}); r.status != 200 {
		t.Fatalf("capture: %d %s", r.status, r.body)
	}
	select {
	case <-entered:
	case <-time.After(5 * time.Second):
		t.Fatal("the operation's settle never reached the notifier")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	err := h.svc.Drain(ctx)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Drain with a settle running = %v, want it to wait until its deadline", err)
	}
	close(release)
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.svc.Drain(ctx); err != nil {
		t.Fatalf("Drain after the settle could finish: %v", err)
	}
	if got := strings.Join(h.eventsFor(c.ReservationUUID), ","); got != "RESERVED,CAPTURED" {
		t.Fatalf("events = %q", got)
	}
}

// TestApplyWaitsForAClaim: a state another settle has claimed is neither
// answered "duplicate" nor told twice while the claim holds; a claim whose
// holder died (its lease ran out) is taken over and the state told.
func TestApplyWaitsForAClaim(t *testing.T) {
	r := newApplyRig(t, store.NewMemory(), nil)
	d := &Details{Status: "RESERVED"}
	mark := "applied:RES1:RESERVED"
	ctx := context.Background()
	if ok, err := r.st.SetNX(ctx, mark, []byte(markPending+"dead"), 300*time.Millisecond); !ok || err != nil {
		t.Fatal(ok, err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if res, e := r.svc.apply(short, r.check, d, "RESERVED", "callback"); e == nil || e.Code != "in_progress" || e.Status != 503 {
		t.Fatalf("while another holds the claim: %v, %+v; want 503 in_progress", res, e)
	}
	start := time.Now()
	if res, e := r.svc.apply(ctx, r.stored(t), d, "RESERVED", "callback"); e != nil || res != CallbackApplied {
		t.Fatalf("after the claim's lease: %v, %+v; want applied", res, e)
	}
	if waited := time.Since(start); waited > 2*time.Second {
		t.Errorf("took the claim over after %s", waited)
	}
	if got := strings.Join(r.shop.told(), ","); got != "RESERVED" {
		t.Fatalf("told %q", got)
	}
	// The path that told it, and the amounts its event carried.
	if v, err := r.st.Get(ctx, mark); err != nil || string(v) != "callback|0/0/0/0" {
		t.Fatalf("mark = %q, %v; want told by callback, with no money moved", v, err)
	}
}

// TestTooLargeAnswerToAWrite: FrontGo's answer to a write, larger than the
// core reads, does not say the write was not made: its outcome is unknown
// (kept under the Idempotency-Key, never sent again), not a refusal.
func TestTooLargeAnswerToAWrite(t *testing.T) {
	h := newHarness(t, native())
	big := append(append([]byte(`{"is_data":true,"data":{"note":"`), bytes.Repeat([]byte("x"), 2<<20)...), `"}}`...)
	e := h.svc.parse(context.Background(), "capture", wasmrt.Answer{Status: 200, Body: big}, nil)
	if e == nil || e.Code != "too_large" || e.Status != 502 || !mayHaveWritten(e) {
		t.Fatalf("a 2 MiB answer to a capture: %+v, may have written %v", e, e != nil && mayHaveWritten(e))
	}
}
