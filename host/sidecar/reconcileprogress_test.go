package sidecar

import (
	"context"
	"testing"
	"time"

	"github.com/frontgate/frontgate/host/sandbox"
)

// A reconcile run that cannot confirm its whole window before its deadline
// (FrontGo slow, or its rate limit spent) keeps what it confirmed: the next
// run reads the same window and confirms only what is left, so the lost
// states at the window's end are told after a few runs instead of never.
func TestReconcileResumesAnUnfinishedWindow(t *testing.T) {
	h := newHarness(t, native())
	if _, err := h.sb.InjectCallbackFault(sandbox.CallbackFault{Kind: sandbox.CallbackDrop}); err != nil {
		t.Fatal(err)
	}
	const n = 6
	var uuids []string
	for i := range n {
		c := h.checkout("rp-" + string(rune('a'+i)))
		if _, err := h.sb.Approve(c.ReservationUUID, "4111111111111111"); err != nil {
			t.Fatal(err)
		}
		uuids = append(uuids, c.ReservationUUID)
	}
	if _, err := h.sb.WaitCallbacks(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	// Each details call takes 100 ms; a run has 350 ms: about three
	// reservations a run.
	if _, err := h.sb.InjectFault(sandbox.Fault{Endpoint: "details", Kind: sandbox.FaultLatency, Latency: 100 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	for run := range 5 {
		ctx, cancel := context.WithTimeout(context.Background(), 350*time.Millisecond)
		rep := h.svc.Reconcile(ctx, time.Millisecond)
		cancel()
		t.Logf("run %d: %+v", run, rep)
		time.Sleep(5 * time.Millisecond) // past the run's lock
	}
	for _, u := range uuids {
		if got := h.eventsFor(u); len(got) != 1 || got[0] != "RESERVED" {
			t.Errorf("%s: events %v, want RESERVED once", u, got)
		}
	}
}
