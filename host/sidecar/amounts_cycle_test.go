package sidecar

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontgate/frontgate/host/store"
)

// settleAll settles each details in turn, each on the record as stored.
func settleAll(t *testing.T, r *applyRig, ds ...*Details) {
	t.Helper()
	for _, d := range ds {
		if _, e := r.svc.settleDetails(context.Background(), r.stored(t), d, "callback"); e != nil {
			t.Fatal(e.Message)
		}
	}
}

// TestStaleDetailsAfterARefund: details read before a refund (CHARGED
// with a second charge, no refund yet) settled after another settle told
// PARTIAL REFUNDED with the refund: stale, by their amounts (the statuses
// follow each other both ways and cannot tell). Nothing is told, and the
// record does not move back; whether the late settle read its record
// before or after.
func TestStaleDetailsAfterARefund(t *testing.T) {
	ctx := context.Background()
	for _, early := range []bool{true, false} {
		r := newApplyRig(t, store.NewMemory(), nil)
		settleAll(t, r, detailsAt("CAPTURED", 100, 0, 0), detailsAt("CHARGED", 100, 4900, 0))
		var c *Checkout
		if early {
			c = r.stored(t) // read at CHARGED
		}
		settleAll(t, r, detailsAt("PARTIAL REFUNDED", 100, 9800, 50))
		if !early {
			c = r.stored(t)
		}
		before := len(r.shop.log.Events())
		res, e := r.svc.settleDetails(ctx, c, detailsAt("CHARGED", 100, 9800, 0), "reconcile")
		if e != nil || res != CallbackStale {
			t.Fatalf("record read early %v: %v %v, want stale", early, res, e)
		}
		if told := toldAmounts(r.shop); len(told) != before {
			t.Fatalf("record read early %v: told %q after the refund", early, told[before:])
		}
		if st := r.stored(t).Status; st != "PARTIAL REFUNDED" {
			t.Fatalf("record read early %v: the record moved back to %s", early, st)
		}
	}
}

// TestChargeAfterARefundIsTold: a reservation first seen refunded (its
// CHARGED told as an implied step), then charged again (back to CHARGED):
// the new amounts reach the shop.
func TestChargeAfterARefundIsTold(t *testing.T) {
	for _, first := range []string{"PARTIAL REFUNDED", "REFUNDED"} {
		t.Run(first, func(t *testing.T) {
			r := newApplyRig(t, store.NewMemory(), nil)
			settleAll(t, r, detailsAt("CAPTURED", 100, 0, 0), detailsAt(first, 100, 4900, 50), detailsAt("CHARGED", 100, 9800, 50))
			if n := countTold(toldAmounts(r.shop), "100/9800/50/0"); n != 1 {
				t.Fatalf("the second charge told %d times: %q", n, toldAmounts(r.shop))
			}
		})
	}
}

// dedupNotifier drops an event whose id it took before, as the webhook
// outbox's Put does.
type dedupNotifier struct {
	countingNotifier
	seen sync.Map
}

func (n *dedupNotifier) Notify(ctx context.Context, shop *ShopConfig, ev Event) error {
	if _, dup := n.seen.Load(ev.ID); dup {
		return nil
	}
	if err := n.countingNotifier.Notify(ctx, shop, ev); err != nil {
		return err
	}
	n.seen.Store(ev.ID, true)
	return nil
}

// lostMark loses the first told mark of key (as a sidecar that died
// between telling and marking, its claim then expired).
type lostMark struct {
	store.Store
	key   string
	armed atomic.Bool
}

func (s *lostMark) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if key == s.key && s.armed.CompareAndSwap(true, false) {
		_ = s.Store.Delete(ctx, key)
		return errors.New("died")
	}
	return s.Store.Set(ctx, key, value, ttl)
}

// lostMarkRig is a reservation told up to CAPTURED, whose next CHARGED
// mark st loses once armed, told through an outbox that drops repeated ids.
func lostMarkRig(t *testing.T) (*applyRig, *lostMark, *dedupNotifier) {
	t.Helper()
	st := &lostMark{Store: store.NewMemory(), key: "applied:RES1:CHARGED"}
	n := &dedupNotifier{}
	r := newApplyRig(t, st, nil)
	r.svc.notify = n
	settleAll(t, r, detailsAt("CAPTURED", 100, 0, 0))
	return r, st, n
}

// TestGrowthAfterALostMarkIsTold: a status told but not marked; the next
// settle, with a second charge, tells the status again under the same id
// (the shop's outbox drops it as a duplicate), so its amounts are not
// taken as told: an event of the new amounts follows.
func TestGrowthAfterALostMarkIsTold(t *testing.T) {
	ctx := context.Background()
	r, st, n := lostMarkRig(t)
	st.armed.Store(true)
	settleAll(t, r, detailsAt("CHARGED", 100, 4900, 0), detailsAt("CHARGED", 100, 9800, 0))
	if _, e := r.svc.settleDetails(ctx, r.stored(t), detailsAt("CHARGED", 100, 9800, 0), "reconcile"); e != nil {
		t.Fatal(e.Message)
	}
	if c := countTold(toldAmounts(&n.countingNotifier), "100/9800/0/0"); c != 1 {
		t.Fatalf("the second charge reached the shop %d times: %q", c, toldAmounts(&n.countingNotifier))
	}
}

// writesRecorder records the status of every checkout record written.
type writesRecorder struct {
	store.Store
	mu       sync.Mutex
	statuses []string
}

func (w *writesRecorder) note(key string, value []byte) {
	if len(key) > 4 && key[:4] == "chk:" {
		var c Checkout
		if json.Unmarshal(value, &c) == nil {
			w.mu.Lock()
			w.statuses = append(w.statuses, c.Status)
			w.mu.Unlock()
		}
	}
}

func (w *writesRecorder) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	w.note(key, value)
	return w.Store.Set(ctx, key, value, ttl)
}

func (w *writesRecorder) CompareAndSwap(ctx context.Context, key string, old, value []byte, ttl time.Duration) (bool, error) {
	ok, err := w.Store.CompareAndSwap(ctx, key, old, value, ttl)
	if ok {
		w.note(key, value)
	}
	return ok, err
}

// TestSettledAgainTheRecordStays: settling the same PARTIAL REFUNDED
// details again writes nothing: its implied CHARGED step, told already,
// does not move the record back on the way.
func TestSettledAgainTheRecordStays(t *testing.T) {
	w := &writesRecorder{Store: store.NewMemory()}
	r := newApplyRig(t, w, nil)
	d := detailsAt("PARTIAL REFUNDED", 100, 4900, 50)
	settleAll(t, r, detailsAt("CAPTURED", 100, 0, 0), d)
	w.mu.Lock()
	w.statuses = nil
	w.mu.Unlock()
	settleAll(t, r, d)
	if len(w.statuses) != 0 {
		t.Fatalf("settling the same details again wrote the record as %q", w.statuses)
	}
}

// TestNotifierErrorsLoseNoGrowth: a notifier error does not say whether
// an event was taken (an enqueue that timed out may have gone through), so
// a status told after one keeps the amounts told before in its mark: a
// second charge settled after a refused or doubtful telling reaches the
// shop, even when the doubtful one did deliver (the shop's outbox then
// drops the next telling's event id). The price: after a refusal, the same
// amounts may come once more, under an id of their own.
func TestNotifierErrorsLoseNoGrowth(t *testing.T) {
	for _, tc := range []struct {
		name  string
		taken bool // the refused call's event was taken all the same
	}{{"refused", false}, {"taken, then an error", true}} {
		t.Run(tc.name, func(t *testing.T) {
			n := &dedupNotifier{}
			failed := false
			n.fail = func(_ int, ev Event) error {
				if ev.Status == "CHARGED" && ev.PreviousStatus != "CHARGED" && !failed {
					failed = true
					return errors.New("outbox timed out")
				}
				return nil
			}
			r := newApplyRig(t, store.NewMemory(), nil)
			r.svc.notify = &errAfterTaking{inner: n, taken: tc.taken}
			settleAll(t, r, detailsAt("CAPTURED", 100, 0, 0))
			if _, e := r.svc.settleDetails(context.Background(), r.stored(t), detailsAt("CHARGED", 100, 4900, 0), "callback"); e == nil {
				t.Fatal("the refused telling answered no error")
			}
			settleAll(t, r, detailsAt("CHARGED", 100, 9800, 0), detailsAt("CHARGED", 100, 9800, 0))
			told := toldAmounts(&n.countingNotifier)
			// At least once; after the refusal, once more is the price.
			if c := countTold(told, "100/9800/0/0"); c < 1 || c > 2 {
				t.Fatalf("the second charge reached the shop %d times: %q", c, told)
			}
		})
	}
}

// errAfterTaking hands the event to inner and, when taken is set, answers
// an error though inner took it (an enqueue whose answer timed out); else
// it answers inner's own error.
type errAfterTaking struct {
	inner *dedupNotifier
	taken bool
}

func (n *errAfterTaking) Notify(ctx context.Context, shop *ShopConfig, ev Event) error {
	if n.taken {
		if f := n.inner.fail; f != nil {
			if err := f(0, ev); err != nil {
				n.inner.fail = nil
				_ = n.inner.Notify(ctx, shop, ev)
				n.inner.fail = f
				return err
			}
		}
	}
	return n.inner.Notify(ctx, shop, ev)
}

// TestLostMarkWithAnOldCopy: a sidecar told CHARGED and died before
// marking it; another settle, whose copy of the record is older
// (CAPTURED), tells CHARGED again with a second charge. The shop's outbox
// drops that as a duplicate id, so the growth comes as an amounts event.
func TestLostMarkWithAnOldCopy(t *testing.T) {
	ctx := context.Background()
	r, st, n := lostMarkRig(t)
	old := r.stored(t) // at CAPTURED
	st.armed.Store(true)
	settleAll(t, r, detailsAt("CHARGED", 100, 4900, 0))
	if _, e := r.svc.settleDetails(ctx, old, detailsAt("CHARGED", 100, 9800, 0), "reconcile"); e != nil {
		t.Fatal(e.Message)
	}
	if c := countTold(toldAmounts(&n.countingNotifier), "100/9800/0/0"); c != 1 {
		t.Fatalf("the second charge reached the shop %d times: %q", c, toldAmounts(&n.countingNotifier))
	}
}

// TestPreviousStatusAfterACycle: a told implied step becomes the next
// step's previous status only when the record is behind it on the path: a
// record at PARTIAL REFUNDED stays the previous status of REFUNDED or
// COMPLETED, though CHARGED is implied on their way.
func TestPreviousStatusAfterACycle(t *testing.T) {
	for _, next := range []string{"REFUNDED", "COMPLETED"} {
		t.Run(next, func(t *testing.T) {
			r := newApplyRig(t, store.NewMemory(), nil)
			settleAll(t, r, detailsAt("CAPTURED", 100, 0, 0), detailsAt("PARTIAL REFUNDED", 100, 4900, 50),
				detailsAt(next, 100, 4900, 5000))
			told := toldAmounts(r.shop)
			if last := told[len(told)-1]; last != "PARTIAL REFUNDED>"+next+" 100/4900/5000/0" {
				t.Fatalf("last told %q, want it to come from PARTIAL REFUNDED: %q", last, told)
			}
		})
	}
}

// failingGets fails every Get of keys with prefix.
type failingGets struct {
	store.Store
	prefix string
}

func (f *failingGets) Get(ctx context.Context, key string) ([]byte, error) {
	if len(key) >= len(f.prefix) && key[:len(f.prefix)] == f.prefix {
		return nil, errors.New("store down")
	}
	return f.Store.Get(ctx, key)
}

// TestStaleCheckNeedsTheStore: when the money told cannot be read, details
// are not taken for fresh: the settle fails (to be retried), and the
// record does not move.
func TestStaleCheckNeedsTheStore(t *testing.T) {
	fg := &failingGets{Store: store.NewMemory(), prefix: "\x00"}
	r := newApplyRig(t, fg, nil)
	settleAll(t, r, detailsAt("CAPTURED", 100, 0, 0), detailsAt("CHARGED", 100, 4900, 0), detailsAt("PARTIAL REFUNDED", 100, 9800, 50))
	fg.prefix = "amounts:"
	if _, e := r.svc.settleDetails(context.Background(), r.stored(t), detailsAt("CHARGED", 100, 9800, 0), "reconcile"); e == nil {
		t.Fatal("no error while the money told could not be read")
	}
	fg.prefix = "\x00"
	if st := r.stored(t).Status; st != "PARTIAL REFUNDED" {
		t.Fatalf("the record moved to %s", st)
	}
}

// TestUntoldStatusTheRecordHoldsIsTold: COMPLETED whose telling the
// notifier refused (the record saved at it), then the reservation refunded
// before any retry: the next settle tells COMPLETED, then the refund.
func TestUntoldStatusTheRecordHoldsIsTold(t *testing.T) {
	n := &countingNotifier{}
	refused := false
	n.fail = func(_ int, ev Event) error {
		if ev.Status == "COMPLETED" && !refused {
			refused = true
			return errors.New("outbox down")
		}
		return nil
	}
	r := newApplyRig(t, store.NewMemory(), n)
	settleAll(t, r, detailsAt("CAPTURED", 100, 0, 0))
	if _, e := r.svc.settleDetails(context.Background(), r.stored(t), detailsAt("COMPLETED", 100, 0, 0), "callback"); e == nil {
		t.Fatal("the refused telling answered no error")
	}
	settleAll(t, r, detailsAt("PARTIAL REFUNDED", 100, 0, 50))
	var got []string
	for _, ev := range n.log.Events() {
		got = append(got, ev.PreviousStatus+">"+ev.Status)
	}
	want := "SENT>RESERVED,RESERVED>CAPTURED,CAPTURED>COMPLETED,COMPLETED>PARTIAL REFUNDED"
	if strings.Join(got, ",") != want {
		t.Fatalf("told %s, want %s", strings.Join(got, ","), want)
	}
}
