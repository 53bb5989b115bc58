package sandbox

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontgate/frontgate/plugin/callback"
)

func TestCallbackRetries(t *testing.T) {
	f := newFixture(t)
	rc := newReceiver(t)
	rc.failN.Store(2)
	f.approve(f.session(rc, defaultLines).ReservationUUID, "")
	recs := waitCallbacks(t, f.sb, 1)
	if r := recs[0]; !r.Delivered || r.Attempts != 3 || r.HTTPStatus != 200 || r.Error != "" {
		t.Errorf("record %+v", r)
	}
	if n := len(rc.requests()); n != 3 {
		t.Errorf("%d requests", n)
	}
}

func TestCallbackGivesUp(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.CallbackAttempts = 2 })
	rc := newReceiver(t)
	rc.failN.Store(100)
	f.approve(f.session(rc, defaultLines).ReservationUUID, "")
	recs := waitCallbacks(t, f.sb, 1)
	if r := recs[0]; r.Delivered || !r.Done || r.Attempts != 2 || r.HTTPStatus != 500 || r.Error != "answered 500" {
		t.Errorf("record %+v", r)
	}
}

func TestCallbackFollowsNoRedirect(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.CallbackAttempts = 1 })
	rc := newReceiver(t)
	rc.code.Store(302) // Location: http://127.0.0.1:1/elsewhere
	f.approve(f.session(rc, defaultLines).ReservationUUID, "")
	recs := waitCallbacks(t, f.sb, 1)
	if r := recs[0]; r.Delivered || r.HTTPStatus != 302 || r.Attempts != 1 {
		t.Errorf("record %+v", r)
	}
}

func TestCallbackUnreachable(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.CallbackAttempts = 2 })
	c := f.session(nil, defaultLines)
	st, _ := f.sb.Inspect(c.ReservationUUID)
	if st.CallbackURL != "" {
		t.Fatal("no callback URL expected")
	}
	f.approve(c.ReservationUUID, "")
	if n := len(f.sb.Callbacks()); n != 0 {
		t.Errorf("%d records without a callback URL", n)
	}
	nr := order(t, defaultLines, "http://127.0.0.1:1/cb")
	c2 := f.create("create", nr)
	f.approve(c2.ReservationUUID, "")
	recs := waitCallbacks(t, f.sb, 1)
	if r := recs[0]; r.Delivered || r.Attempts != 2 || r.Error == "" || strings.Contains(r.Error, "checksum=") {
		t.Errorf("record %+v", r)
	}
}

func TestCallbackFaults(t *testing.T) {
	t.Run("drop", func(t *testing.T) {
		f := newFixture(t)
		rc := newReceiver(t)
		f.cbFault(CallbackFault{Kind: CallbackDrop, Times: 1})
		uuid, d := f.reserved(defaultLines, rc.url())
		f.mustCapture(uuid, la(d.Products[0].ID, 100))
		recs := waitCallbacks(t, f.sb, 2)
		if recs[0].Fault != CallbackDrop || recs[0].Attempts != 0 || recs[1].Fault != "" || !recs[1].Delivered {
			t.Errorf("records %+v", recs)
		}
		if hits := rc.requests(); len(hits) != 1 || verify(t, hits[0], f.sb.Now()).Status != "CAPTURED" {
			t.Errorf("received %v", hits)
		}
	})
	t.Run("duplicate", func(t *testing.T) {
		f := newFixture(t)
		rc := newReceiver(t)
		f.cbFault(CallbackFault{Kind: CallbackDuplicate})
		f.reserved(defaultLines, rc.url())
		recs := waitCallbacks(t, f.sb, 2)
		hits := rc.requests()
		if len(recs) != 2 || len(hits) != 2 || hits[0].RawQuery != hits[1].RawQuery {
			t.Fatalf("records %+v, hits %v", recs, hits)
		}
		verify(t, hits[1], f.sb.Now())
	})
	t.Run("delay", func(t *testing.T) {
		f := newFixture(t)
		rc := newReceiver(t)
		f.cbFault(CallbackFault{Kind: CallbackDelay, Delay: 300 * time.Millisecond})
		start := time.Now()
		f.reserved(defaultLines, rc.url())
		recs := waitCallbacks(t, f.sb, 1)
		if el := recs[0].Sent.Sub(recs[0].Queued); el < 300*time.Millisecond || time.Since(start) < 300*time.Millisecond {
			t.Errorf("delivered after %v", el)
		}
	})
	t.Run("reorder", func(t *testing.T) {
		f := newFixture(t)
		rc := newReceiver(t)
		f.cbFault(CallbackFault{Kind: CallbackReorder, Status: "RESERVED"})
		uuid, d := f.reserved(defaultLines, rc.url())
		f.mustCapture(uuid, la(d.Products[0].ID, 100))
		waitCallbacks(t, f.sb, 2)
		hits := rc.requests()
		if len(hits) != 2 {
			t.Fatalf("%d hits", len(hits))
		}
		if a, b := verify(t, hits[0], f.sb.Now()).Status, verify(t, hits[1], f.sb.Now()).Status; a != "CAPTURED" || b != "RESERVED" {
			t.Errorf("order %s, %s", a, b)
		}
	})
	t.Run("reorder without a successor is released after the hold", func(t *testing.T) {
		f := newFixture(t, func(c *Config) { c.HoldMax = 200 * time.Millisecond })
		rc := newReceiver(t)
		f.cbFault(CallbackFault{Kind: CallbackReorder})
		f.reserved(defaultLines, rc.url())
		if recs := waitCallbacks(t, f.sb, 1); !recs[0].Delivered {
			t.Errorf("record %+v", recs[0])
		}
	})
	t.Run("bad checksum", func(t *testing.T) {
		f := newFixture(t)
		rc := newReceiver(t)
		f.cbFault(CallbackFault{Kind: CallbackBadChecksum, Status: "CAPTURED"})
		uuid, d := f.reserved(defaultLines, rc.url())
		f.mustCapture(uuid, la(d.Products[0].ID, 100))
		waitCallbacks(t, f.sb, 2)
		hits := rc.requests()
		verify(t, hits[0], f.sb.Now())
		if _, err := callback.Verify(hits[1].RawQuery, []byte(testSecret), callback.DefaultVerifyConfig(), f.sb.Now()); !errors.Is(err, callback.ErrChecksumMismatch) {
			t.Errorf("bad checksum verified: %v", err)
		}
	})
	t.Run("probability and times", func(t *testing.T) {
		f := newFixture(t)
		rc := newReceiver(t)
		id := f.cbFault(CallbackFault{Kind: CallbackDrop, Probability: 0.5, Times: 3})
		for range 12 {
			f.reserved(defaultLines, rc.url())
		}
		recs := waitCallbacks(t, f.sb, 12)
		dropped := 0
		for _, r := range recs {
			if r.Fault == CallbackDrop {
				dropped++
			}
		}
		if dropped != 3 || len(f.sb.CallbackFaults()) != 0 {
			t.Errorf("dropped %d of 12 (fault %d, left %+v)", dropped, id, f.sb.CallbackFaults())
		}
	})
	t.Run("invalid", func(t *testing.T) {
		f := newFixture(t)
		for _, cf := range []CallbackFault{{Kind: "explode"}, {Kind: CallbackDrop, Status: "PAID"}, {Kind: CallbackDelay, Delay: -1}, {Kind: CallbackDrop, Probability: 2}} {
			if _, err := f.sb.InjectCallbackFault(cf); !errors.Is(err, ErrBadFault) {
				t.Errorf("%+v: %v", cf, err)
			}
		}
	})
}

func TestOnCallbackHook(t *testing.T) {
	var n atomic.Int32
	got := make(chan CallbackRecord, 1)
	f := newFixture(t, func(c *Config) {
		c.OnCallback = func(r CallbackRecord) {
			n.Add(1)
			got <- r
		}
	})
	rc := newReceiver(t)
	f.reserved(defaultLines, rc.url())
	select {
	case r := <-got:
		if !r.Delivered || r.Status != "RESERVED" {
			t.Errorf("hook got %+v", r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("hook not called")
	}
}

func (f *fixture) cbFault(cf CallbackFault) int {
	f.t.Helper()
	id, err := f.sb.InjectCallbackFault(cf)
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}
