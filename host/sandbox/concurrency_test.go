package sandbox

import (
	"errors"
	"sync"
	"testing"

	"github.com/frontgate/frontgate/plugin/reservation"
)

// TestConcurrentCaptures: a partial capture closes the runway, so of many
// parallel captures exactly one wins and the state adds up.
func TestConcurrentCaptures(t *testing.T) {
	f := newFixture(t)
	uuid, d := f.reserved(defaultLines, "")
	id := d.Products[0].ID
	body := f.captureBody(uuid, la(id, 100))
	const n = 24
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range n {
		wg.Go(func() {
			codes[i] = f.call("POST", "capture/"+uuid, body).Status
			f.call("GET", "details/"+uuid, "")
		})
	}
	wg.Wait()
	won := 0
	for _, c := range codes {
		switch c {
		case 202:
			won++
		case 400:
		default:
			t.Errorf("status %d", c)
		}
	}
	st, _ := f.sb.Inspect(uuid)
	if won != 1 || len(st.Captures) != 1 || st.Captured != 100 || st.Lines[0].Captured != 100 {
		t.Errorf("%d captures won; state %+v", won, st)
	}
}

// TestConcurrentCharges: parallel charges never exceed the runway.
func TestConcurrentCharges(t *testing.T) {
	f := newFixture(t)
	uuid, _ := f.reserved(defaultLines, "") // runway 2 × 2449.85 = 4899.70
	const n = 60
	amount := amt(t, "100.00")
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for range n {
		wg.Go(func() {
			_, err := reservation.ParseCharge(f.call("POST", "charge/"+uuid, f.chargeBody(uuid, amount)))
			var e *reservation.APIError
			switch {
			case err == nil:
				mu.Lock()
				ok++
				mu.Unlock()
			case errors.As(err, &e) && e.MessageKey == reservation.MsgChargeRunwayExceeded:
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	st, _ := f.sb.Inspect(uuid)
	if ok != 48 || st.Charged != 48*amount || len(st.Charges) != 48 {
		t.Errorf("%d charges succeeded, charged %d", ok, st.Charged)
	}
}

// TestConcurrentEverything mixes creation, payment, reads, history and
// control calls; -race checks the locking, the assertions the identities.
func TestConcurrentEverything(t *testing.T) {
	f := newFixture(t)
	rc := newReceiver(t)
	const n = 16
	uuids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			f := f.with(t)
			c := f.create(reservation.OpCreate, order(t, defaultLines, rc.url()))
			uuids[i] = c.ReservationUUID
			f.approve(c.ReservationUUID, "")
			d := f.details(c.ReservationUUID)
			f.mustCapture(c.ReservationUUID, la(d.Products[1].ID, d.Products[1].Reserved))
			f.call("GET", "history", "")
			f.sb.Callbacks()
			f.sb.Reservations()
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, u := range uuids {
		if seen[u] {
			t.Errorf("identifier %s issued twice", u)
		}
		seen[u] = true
		if st, _ := f.sb.Inspect(u); st.Status != "CAPTURED" {
			t.Errorf("%s: %s", u, st.Status)
		}
	}
	recs := waitCallbacks(t, f.sb, 2*n)
	delivered := 0
	for _, r := range recs {
		if r.Delivered {
			delivered++
		}
	}
	if delivered != 2*n {
		t.Errorf("%d of %d callbacks delivered", delivered, 2*n)
	}
}
