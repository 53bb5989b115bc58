package sidecar

import (
	"context"
	"testing"

	"github.com/frontgate/frontgate/host/store"
)

// TestOlderSettleDuringATelling: a settle tells PARTIAL REFUNDED (a second
// charge, then a refund), and while the notifier takes that event another
// settle runs whole with details read before the refund (CHARGED, the
// second charge). Those are older: nothing is told from them. Told, their
// CHARGED event would reach the shop with a later at than PARTIAL
// REFUNDED's, and a shop keeping the later of two statuses that follow
// each other both ways (adapters/webhook's README) would stay at CHARGED.
func TestOlderSettleDuringATelling(t *testing.T) {
	ctx := context.Background()
	n := &countingNotifier{}
	r := newApplyRig(t, store.NewMemory(), n)
	settleAll(t, r, detailsAt("CAPTURED", 100, 0, 0), detailsAt("CHARGED", 100, 4900, 0))
	old := r.stored(t)
	var inner CallbackResult
	n.fail = func(_ int, ev Event) error {
		if ev.Status == "PARTIAL REFUNDED" && inner == "" {
			res, e := r.svc.settleDetails(ctx, old, detailsAt("CHARGED", 100, 9800, 0), "callback")
			if e != nil {
				t.Errorf("the older settle: %s", e.Message)
			}
			inner = res
		}
		return nil
	}
	settleAll(t, r, detailsAt("PARTIAL REFUNDED", 100, 9800, 50))
	if inner != CallbackStale {
		t.Errorf("the older settle answered %q, want stale", inner)
	}
	told := toldAmounts(n)
	want := []string{"SENT>RESERVED 100/0/0/0", "RESERVED>CAPTURED 100/0/0/0", "CAPTURED>CHARGED 100/4900/0/0", "CHARGED>PARTIAL REFUNDED 100/9800/50/0"}
	if len(told) != len(want) {
		t.Fatalf("told %q, want %q", told, want)
	}
	for i := range want {
		if told[i] != want[i] {
			t.Fatalf("told %q, want %q", told, want)
		}
	}
	if st := r.stored(t).Status; st != "PARTIAL REFUNDED" {
		t.Fatalf("the record is %s, want PARTIAL REFUNDED", st)
	}
}
