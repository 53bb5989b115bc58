package sidecar

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/frontgate/frontgate/host/store"
)

// detailsAt is details in status with the payment's amounts, as FrontGo
// would give them.
func detailsAt(status string, captured, charged, refunded int64) *Details {
	d := &Details{ReservationUUID: "RES1", Status: status}
	d.Payment.Captured, d.Payment.Charged, d.Payment.RefundedFromCaptured = captured, charged, refunded
	d.raw, _ = json.Marshal(map[string]any{"status": status, "payment": map[string]any{"captured": captured, "charged": charged, "refundedFromCaptured": refunded}})
	return d
}

// toldAmounts lists what the shop heard: "previous>status amounts".
func toldAmounts(n *countingNotifier) []string {
	var out []string
	for _, e := range n.log.Events() {
		var d Details
		_ = json.Unmarshal(e.Details, &d)
		out = append(out, e.PreviousStatus+">"+e.Status+" "+amountsKey(&d))
	}
	return out
}

func countTold(told []string, amounts string) int {
	n := 0
	for _, s := range told {
		if strings.HasSuffix(s, " "+amounts) {
			n++
		}
	}
	return n
}

// TestAmountsRacingTheStatus: a settle that tells a status, and another
// that runs whole while the first has told the status but not looked at
// the amounts yet. Newer amounts in the second are told (not taken for a
// baseline), and the same amounts are not told twice under two ids.
func TestAmountsRacingTheStatus(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		second   *Details
		want     string
		wantTold int
	}{
		{"newer amounts", detailsAt("CHARGED", 100, 11900, 0), "100/11900/0/0", 1},
		{"the same amounts", detailsAt("CHARGED", 100, 4900, 0), "100/4900/0/0", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newApplyRig(t, store.NewMemory(), nil)
			if _, e := r.svc.settleDetails(ctx, r.stored(t), detailsAt("CAPTURED", 100, 0, 0), "callback"); e != nil {
				t.Fatal(e.Message)
			}
			first := detailsAt("CHARGED", 100, 4900, 0)
			cA := r.stored(t)
			if res, e := r.svc.apply(ctx, cA, first, "CHARGED", "callback"); e != nil || res != CallbackApplied {
				t.Fatalf("the first settle's status: %v %v", res, e)
			}
			if _, e := r.svc.settleDetails(ctx, r.stored(t), tc.second, "reconcile"); e != nil {
				t.Fatal(e.Message)
			}
			if _, e := r.svc.applyAmounts(ctx, cA, first, "callback"); e != nil {
				t.Fatal(e.Message)
			}
			for range 2 { // later settles with the newest details
				if _, e := r.svc.settleDetails(ctx, r.stored(t), tc.second, "reconcile"); e != nil {
					t.Fatal(e.Message)
				}
			}
			told := toldAmounts(r.shop)
			if n := countTold(told, tc.want); n != tc.wantTold {
				t.Fatalf("amounts %s told %d times, want %d: %q", tc.want, n, tc.wantTold, told)
			}
			if n := countTold(told, "100/4900/0/0"); n != 1 {
				t.Fatalf("the status's own amounts told %d times: %q", n, told)
			}
		})
	}
}

// TestOlderAmountsNotToldAfterNewer: a settle that read older details
// (one charge) is held after reading the last amounts told, while another
// tells newer ones (two charges); the first then tells nothing.
func TestOlderAmountsNotToldAfterNewer(t *testing.T) {
	ctx := context.Background()
	gate := &gateStore{Store: store.NewMemory(), hold: make(chan struct{}), held: make(chan struct{})}
	r := newApplyRig(t, gate, nil)
	if _, e := r.svc.settleDetails(ctx, r.stored(t), detailsAt("CHARGED", 100, 100, 0), "callback"); e != nil {
		t.Fatal(e.Message)
	}
	cA, cB := r.stored(t), r.stored(t)
	gate.armed.Store(true)
	var wg sync.WaitGroup
	wg.Go(func() {
		if _, e := r.svc.settleDetails(ctx, cA, detailsAt("CHARGED", 100, 4900, 0), "reconcile"); e != nil {
			t.Error(e.Message)
		}
	})
	<-gate.held // the older settle has read amounts:RES1
	if _, e := r.svc.settleDetails(ctx, cB, detailsAt("CHARGED", 100, 11900, 0), "callback"); e != nil {
		t.Fatal(e.Message)
	}
	close(gate.hold)
	wg.Wait()
	told := toldAmounts(r.shop)
	if countTold(told, "100/11900/0/0") != 1 || countTold(told, "100/4900/0/0") != 0 {
		t.Fatalf("told %q; want the newer amounts once and the older not at all", told)
	}
}

// gateStore holds the first Get of an amounts: key after armed is set,
// until hold is closed.
type gateStore struct {
	store.Store
	armed      atomic.Bool
	hold, held chan struct{}
}

func (s *gateStore) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := s.Store.Get(ctx, key)
	if strings.HasPrefix(key, "amounts:") && s.armed.Swap(false) {
		close(s.held)
		<-s.hold
	}
	return v, err
}
