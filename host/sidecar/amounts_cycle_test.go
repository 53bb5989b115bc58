package sidecar

import (
	"context"
	"errors"
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
	if _, dup := n.seen.LoadOrStore(ev.ID, true); dup {
		return nil
	}
	return n.countingNotifier.Notify(ctx, shop, ev)
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

// TestGrowthAfterALostMarkIsTold: a status told but not marked; the next
// settle, with a second charge, tells the status again under the same id
// (the shop's outbox drops it as a duplicate), so its amounts are not
// taken as told: an event of the new amounts follows.
func TestGrowthAfterALostMarkIsTold(t *testing.T) {
	ctx := context.Background()
	st := &lostMark{Store: store.NewMemory(), key: "applied:RES1:CHARGED"}
	n := &dedupNotifier{}
	r := newApplyRig(t, st, nil)
	r.svc.notify = n
	settleAll(t, r, detailsAt("CAPTURED", 100, 0, 0))
	st.armed.Store(true)
	settleAll(t, r, detailsAt("CHARGED", 100, 4900, 0), detailsAt("CHARGED", 100, 9800, 0))
	if _, e := r.svc.settleDetails(ctx, r.stored(t), detailsAt("CHARGED", 100, 9800, 0), "reconcile"); e != nil {
		t.Fatal(e.Message)
	}
	if c := countTold(toldAmounts(&n.countingNotifier), "100/9800/0/0"); c != 1 {
		t.Fatalf("the second charge reached the shop %d times: %q", c, toldAmounts(&n.countingNotifier))
	}
}
