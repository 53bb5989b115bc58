package sidecar

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontgate/frontgate/host/internal/wasmrt"
	"github.com/frontgate/frontgate/host/sandbox"
)

// panicCore panics on one core function while armed, as a defect in the
// sidecar's handling of it would.
type panicCore struct {
	wasmrt.Core
	fn    string
	armed atomic.Bool
}

func (p *panicCore) Call(ctx context.Context, fn string, in []byte) ([]byte, error) {
	if fn == p.fn && p.armed.Load() {
		panic("test: " + fn)
	}
	return p.Core.Call(ctx, fn, in)
}

// reserved makes a checkout and pays it: a RESERVED reservation's uuid and
// the FrontGo id of its first line.
func (h *harness) reserved(orderID string) (string, int64) {
	h.t.Helper()
	c := h.checkout(orderID)
	h.approve(c, "4111111111111111")
	h.waitStatus(c.CheckoutID, "RESERVED")
	var d struct {
		Products []struct {
			ID int64 `json:"id"`
		} `json:"products"`
	}
	h.do("GET", "/v1/reservations/"+c.ReservationUUID, shopKey, "", nil).json(h.t, &d)
	if len(d.Products) == 0 {
		h.t.Fatal("no products")
	}
	return c.ReservationUUID, d.Products[0].ID
}

// TestUnknownOutcomeIsNeverRepeated: a write whose answer was lost, or
// whose answer was a 5xx, may have been made at FrontGo. A retry under the
// same Idempotency-Key gets the same answer back and never sends it again,
// so no charge, capture or refund is made twice.
func TestUnknownOutcomeIsNeverRepeated(t *testing.T) {
	h := newHarness(t, native())
	uuid, line := h.reserved("7101")
	if r := h.do("POST", "/v1/reservations/"+uuid+"/capture", shopKey, "cap", map[string]any{}); r.status != 200 {
		t.Fatalf("capture: %d %s", r.status, r.body)
	}
	charge := map[string]any{"lines": []any{map[string]any{"name": "Frakt", "unitPrice": 9900, "quantity": 1, "taxRate": 25}}}
	h.sb.InjectFault(sandbox.Fault{Endpoint: "charge", Kind: sandbox.FaultDropAfter, Times: 1})
	first := h.do("POST", "/v1/reservations/"+uuid+"/charge", shopKey, "chg-lost", charge)
	if first.status != 504 || !bytes.Contains(first.body, []byte(`"upstream_unknown"`)) {
		t.Fatalf("lost charge: %d %s", first.status, first.body)
	}
	again := h.do("POST", "/v1/reservations/"+uuid+"/charge", shopKey, "chg-lost", charge)
	if again.status != 504 || !bytes.Equal(again.body, first.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry of a lost charge: %d replayed=%q %s", again.status, again.header.Get("Idempotent-Replayed"), again.body)
	}
	st, _ := h.sb.Inspect(uuid)
	if len(st.Charges) != 1 || st.Charged != 9900 {
		t.Fatalf("charges after a retried lost charge: %d, %d øre; want one of 9900", len(st.Charges), st.Charged)
	}

	// A 5xx answer to a refund: it may have been made.
	refund := map[string]any{"lines": []any{map[string]any{"id": line, "amount": 1000}}, "source": "captured", "reference": st.Captures[0].UUID}
	h.sb.InjectFault(sandbox.Fault{Endpoint: "refund", Kind: sandbox.FaultServerError, Times: 1})
	first = h.do("POST", "/v1/reservations/"+uuid+"/refund", shopKey, "ref-500", refund)
	if first.status != 502 || !bytes.Contains(first.body, []byte(`"code":"upstream_unknown"`)) || !bytes.Contains(first.body, []byte(`"upstreamStatus":500`)) {
		t.Fatalf("refund answered 500: %d %s", first.status, first.body)
	}
	if again := h.do("POST", "/v1/reservations/"+uuid+"/refund", shopKey, "ref-500", refund); again.status != 502 || !bytes.Equal(again.body, first.body) {
		t.Fatalf("retry of a refund answered 500: %d %s", again.status, again.body)
	}
	// Under a new key, after checking, it is sent.
	if r := h.do("POST", "/v1/reservations/"+uuid+"/refund", shopKey, "ref-new", refund); r.status != 200 {
		t.Fatalf("refund under a new key: %d %s", r.status, r.body)
	}
}

// TestRefusalsFreeTheKey: an answer that says nothing was done (a
// validation error, FrontGo's refusal) is not kept, so the shop's
// corrected request under the same key runs instead of being refused as
// another body for 24 hours.
func TestRefusalsFreeTheKey(t *testing.T) {
	h := newHarness(t, native())
	uuid, line := h.reserved("7201")
	bad := map[string]any{"lines": []any{map[string]any{"id": line, "amount": -5}}}
	if r := h.do("POST", "/v1/reservations/"+uuid+"/capture", shopKey, "cap-k", bad); r.status < 400 || r.status >= 500 {
		t.Fatalf("bad capture: %d %s", r.status, r.body)
	}
	good := map[string]any{"lines": []any{map[string]any{"id": line, "amount": 100}}}
	r := h.do("POST", "/v1/reservations/"+uuid+"/capture", shopKey, "cap-k", good)
	if r.status != 200 || r.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("corrected capture under the same key: %d %s", r.status, r.body)
	}
	if again := h.do("POST", "/v1/reservations/"+uuid+"/capture", shopKey, "cap-k", good); !bytes.Equal(again.body, r.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("the success is kept: %d %s", again.status, again.body)
	}
	// A checkout refused for the shopper's typo: the corrected one, under
	// the same order id and no key, runs.
	req := checkoutReq("7202")
	req["order"].(map[string]any)["customer"].(map[string]any)["email"] = "kari@"
	if r := h.do("POST", "/v1/checkouts", shopKey, "", req); r.status != 422 {
		t.Fatalf("typo: %d %s", r.status, r.body)
	}
	if r := h.do("POST", "/v1/checkouts", shopKey, "", checkoutReq("7202")); r.status != 201 {
		t.Fatalf("corrected checkout: %d %s", r.status, r.body)
	}
}

// TestLostRequests: a request whose sidecar stopped leaves its key pending.
// While it could still be running, a retry is told to wait; past the lease
// a checkout runs again, and an operation gets (and keeps) upstream_unknown
// instead of being sent a second time.
func TestLostRequests(t *testing.T) {
	h := newHarness(t, native())
	uuid, line := h.reserved("7301")
	capture := map[string]any{"lines": []any{map[string]any{"id": line, "amount": 100}}}
	body, _ := json.Marshal(capture)
	ref, unnamed := "", false
	lost := func(path, key string, body []byte, started time.Time) {
		rec, _ := json.Marshal(idemRecord{State: "pending", Hash: hashOf(body), Started: started.UnixMilli(), Ref: ref, Unnamed: unnamed})
		if err := h.svc.store.Set(context.Background(), "idem:one:"+path+":"+key, rec, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	path := "/v1/reservations/" + uuid + "/capture"
	lost(path, "cap-lost", body, time.Now().Add(-5*time.Second))
	if r := h.do("POST", path, shopKey, "cap-lost", string(body)); r.status != 409 || !bytes.Contains(r.body, []byte(`"code":"in_progress"`)) ||
		!bytes.Contains(r.body, []byte(`"retryAfter":1`)) || r.header.Get("Retry-After") != "1" {
		t.Fatalf("while it may still run: %d %s (Retry-After %q)", r.status, r.body, r.header.Get("Retry-After"))
	}
	lost(path, "cap-lost", body, time.Now().Add(-time.Hour))
	r := h.do("POST", path, shopKey, "cap-lost", string(body))
	if r.status != 504 || !bytes.Contains(r.body, []byte("upstream_unknown")) || !bytes.Contains(r.body, []byte("broke off")) {
		t.Fatalf("past the lease: %d %s", r.status, r.body)
	}
	if again := h.do("POST", path, shopKey, "cap-lost", string(body)); again.status != 504 || !bytes.Equal(again.body, r.body) {
		t.Fatalf("kept: %d %s", again.status, again.body)
	}
	if st, _ := h.sb.Inspect(uuid); len(st.Captures) != 0 {
		t.Fatalf("a lost capture was sent again: %+v", st.Captures)
	}
	// A checkout whose reservation carries its id (the record keeps it):
	// runs again, nothing of it being found at FrontGo.
	req := checkoutReq("7302")
	cb, _ := json.Marshal(req)
	ref = "chk_lost7302"
	lost("/v1/checkouts", "auto:order:7302", cb, time.Now().Add(-time.Hour))
	if r := h.do("POST", "/v1/checkouts", shopKey, "", string(cb)); r.status != 201 {
		t.Fatalf("lost checkout, retried: %d %s", r.status, r.body)
	}
	// One whose reservation would carry the shop's own reference, and that
	// recorded nothing: it cannot be found again, so it is not run again.
	req = checkoutReq("7303")
	req["order"].(map[string]any)["reference"] = "SHOP-7303"
	cb, _ = json.Marshal(req)
	ref, unnamed = "chk_lost7303", true
	lost("/v1/checkouts", "auto:order:7303", cb, time.Now().Add(-time.Hour))
	r = h.do("POST", "/v1/checkouts", shopKey, "", string(cb))
	if r.status != 504 || !bytes.Contains(r.body, []byte("look for the reservation by the order's own reference")) {
		t.Fatalf("lost checkout with the shop's reference: %d %s", r.status, r.body)
	}
	if again := h.do("POST", "/v1/checkouts", shopKey, "", string(cb)); again.status != 504 || !bytes.Equal(again.body, r.body) {
		t.Fatalf("kept: %d %s", again.status, again.body)
	}
	// One like it that got as far as recording its checkout: answered
	// with it.
	made := h.checkout("7304")
	req = checkoutReq("7305")
	req["order"].(map[string]any)["reference"] = "SHOP-7305"
	cb, _ = json.Marshal(req)
	ref, unnamed = made.CheckoutID, true
	lost("/v1/checkouts", "auto:order:7305", cb, time.Now().Add(-time.Hour))
	if r := h.do("POST", "/v1/checkouts", shopKey, "", string(cb)); r.status != 201 || !bytes.Contains(r.body, []byte(made.CheckoutID)) {
		t.Fatalf("lost checkout that recorded itself: %d %s", r.status, r.body)
	}
}

// TestPanicMarksTheKeyLost: a request that panics answers 500 and leaves
// its key lost at once, not pending for the key's 24 hours.
func TestPanicMarksTheKeyLost(t *testing.T) {
	pc := &panicCore{Core: native(), fn: "build_capture"}
	h := newHarness(t, pc)
	uuid, line := h.reserved("7401")
	capture := map[string]any{"lines": []any{map[string]any{"id": line, "amount": 100}}}
	pc.armed.Store(true)
	if r := h.do("POST", "/v1/reservations/"+uuid+"/capture", shopKey, "cap-panic", capture); r.status != 500 {
		t.Fatalf("panic: %d %s", r.status, r.body)
	}
	pc.armed.Store(false)
	r := h.do("POST", "/v1/reservations/"+uuid+"/capture", shopKey, "cap-panic", capture)
	if r.status != 504 || !strings.Contains(string(r.body), "upstream_unknown") {
		t.Fatalf("after the panic: %d %s", r.status, r.body)
	}
	// The same panic in a checkout: its retry runs.
	pc.fn = "build_create"
	pc.armed.Store(true)
	if r := h.do("POST", "/v1/checkouts", shopKey, "", checkoutReq("7402")); r.status != 500 {
		t.Fatalf("checkout panic: %d %s", r.status, r.body)
	}
	pc.armed.Store(false)
	if r := h.do("POST", "/v1/checkouts", shopKey, "", checkoutReq("7402")); r.status != 201 {
		t.Fatalf("checkout after the panic: %d %s", r.status, r.body)
	}
}

// TestLostCheckoutIsRecovered: a checkout request lost after it made its
// checkout is answered with that checkout; one lost after FrontGo sent a
// payment link but before the checkout was recorded has that reservation
// cancelled before it runs again, so one order never has two open links.
func TestLostCheckoutIsRecovered(t *testing.T) {
	pc := &panicCore{Core: native(), fn: "parse_submit"}
	h := newHarness(t, pc)
	link := func(orderID string) map[string]any {
		req := checkoutReq(orderID)
		req["mode"] = "link"
		delete(req, "returnUrls")
		return req
	}
	// Lost after FrontGo made the reservation and sent the link.
	pc.armed.Store(true)
	if r := h.do("POST", "/v1/checkouts", shopKey, "", link("7901")); r.status != 500 {
		t.Fatalf("panic: %d %s", r.status, r.body)
	}
	pc.armed.Store(false)
	before := h.sb.Reservations()
	if len(before) != 1 || before[0].Status != "SENT" {
		t.Fatalf("after the lost request: %+v", before)
	}
	r := h.do("POST", "/v1/checkouts", shopKey, "", link("7901"))
	var c Checkout
	r.json(t, &c)
	if r.status != 201 || c.ReservationUUID == before[0].UUID {
		t.Fatalf("retry: %d %s", r.status, r.body)
	}
	if st, _ := h.sb.Inspect(before[0].UUID); st.Status != "CANCELLED" {
		t.Fatalf("the lost request's reservation is %s, want CANCELLED (its link open beside the new one)", st.Status)
	}

	// Lost after the checkout was recorded: that checkout is the answer.
	first := h.checkout("7902")
	body, _ := json.Marshal(checkoutReq("7902"))
	rec, _ := json.Marshal(idemRecord{State: "pending", Hash: hashOf(body), Started: time.Now().Add(-time.Hour).UnixMilli(), Ref: first.CheckoutID})
	if err := h.svc.store.Set(context.Background(), "idem:one:/v1/checkouts:auto:order:7902", rec, time.Hour); err != nil {
		t.Fatal(err)
	}
	n := len(h.sb.Reservations())
	r = h.do("POST", "/v1/checkouts", shopKey, "", string(body))
	var got Checkout
	r.json(t, &got)
	if r.status != 201 || got.CheckoutID != first.CheckoutID || got.ReservationUUID != first.ReservationUUID || len(h.sb.Reservations()) != n {
		t.Fatalf("lost after recording: %d %s (first %s)", r.status, r.body, first.CheckoutID)
	}
}

// TestPendingRecordWithoutStart: a pending record written by an older
// sidecar (no start) is a request still running, not a lost one: its lease
// starts when it is first met.
func TestPendingRecordWithoutStart(t *testing.T) {
	h := newHarness(t, native())
	body, _ := json.Marshal(checkoutReq("7951"))
	key := "idem:one:/v1/checkouts:auto:order:7951"
	old, _ := json.Marshal(map[string]string{"state": "pending", "hash": hashOf(body)})
	if err := h.svc.store.Set(context.Background(), key, old, time.Hour); err != nil {
		t.Fatal(err)
	}
	if r := h.do("POST", "/v1/checkouts", shopKey, "", string(body)); r.status != 409 || !bytes.Contains(r.body, []byte("in_progress")) {
		t.Fatalf("older record: %d %s", r.status, r.body)
	}
	b, _ := h.svc.store.Get(context.Background(), key)
	var rec idemRecord
	if json.Unmarshal(b, &rec) != nil || rec.Started == 0 || rec.Lost || len(h.sb.Reservations()) != 0 {
		t.Fatalf("record after: %s; reservations %d", b, len(h.sb.Reservations()))
	}
}

// TestLostRedeliveryRunsAgain: a lost redelivery moved no money, so its
// retry runs (here: this shop has no webhook outbox, 404), rather than
// being told the outcome is unknown.
func TestLostRedeliveryRunsAgain(t *testing.T) {
	h := newHarness(t, native())
	rec, _ := json.Marshal(idemRecord{State: "pending", Hash: hashOf(nil), Started: time.Now().Add(-time.Hour).UnixMilli()})
	if err := h.svc.store.Set(context.Background(), "idem:one:/v1/webhooks/redeliver:rd-1", rec, time.Hour); err != nil {
		t.Fatal(err)
	}
	r := h.do("POST", "/v1/webhooks/redeliver", shopKey, "rd-1", nil)
	if r.status != 404 || !bytes.Contains(r.body, []byte(`"no_webhook"`)) {
		t.Fatalf("lost redelivery: %d %s", r.status, r.body)
	}
}

// TestPendingRecordKeepsItsWritersLease: sidecars on one store with
// different requestTimeouts. A request of one with a longer timeout (its
// lease in its record) is not taken for lost by one with a shorter lease
// while it may still run; a record without a lease (an older sidecar's)
// has this sidecar's.
func TestPendingRecordKeepsItsWritersLease(t *testing.T) {
	h := newHarness(t, native())
	srv := NewServer(h.svc, nil)
	own := srv.idemLease()
	path := "/v1/reservations/RES1/capture"
	body := []byte(`{}`)
	for _, tc := range []struct {
		lease   time.Duration
		running bool
	}{{0, false}, {own, false}, {own + 10*time.Minute, true}} {
		key := fmt.Sprintf("lease-%d", tc.lease)
		rec, _ := json.Marshal(idemRecord{State: "pending", Hash: hashOf(body), Started: time.Now().Add(-own - time.Minute).UnixMilli(),
			Lease: tc.lease.Milliseconds()})
		if err := h.svc.store.Set(context.Background(), "idem:one:"+path+":"+key, rec, time.Hour); err != nil {
			t.Fatal(err)
		}
		r := h.do("POST", path, shopKey, key, string(body))
		if running := bytes.Contains(r.body, []byte(`"in_progress"`)); running != tc.running {
			t.Errorf("a record with a lease of %s, started %s ago: %d %s", tc.lease, own+time.Minute, r.status, r.body)
		}
	}
}

// TestLostCheckoutOfAnOlderSidecar: a pending record written by a sidecar
// from before records said whether the reservation carries the checkout id
// (no "unnamed" member) for a checkout under the shop's own reference.
// The retry carries the same body, which says so: it is not run again
// (a second reservation, the first one's payment link perhaps out), but
// answered upstream_unknown as for a record of this sidecar.
func TestLostCheckoutOfAnOlderSidecar(t *testing.T) {
	h := newHarness(t, native())
	req := checkoutReq("7306")
	req["order"].(map[string]any)["reference"] = "SHOP-7306"
	cb, _ := json.Marshal(req)
	rec := `{"state":"pending","hash":"` + hashOf(cb) + `","started":` + strconv.FormatInt(time.Now().Add(-time.Hour).UnixMilli(), 10) +
		`,"ref":"chk_lost7306"}`
	if err := h.svc.store.Set(context.Background(), "idem:one:/v1/checkouts:ck-7306", []byte(rec), time.Hour); err != nil {
		t.Fatal(err)
	}
	before := len(h.sb.Reservations())
	r := h.do("POST", "/v1/checkouts", shopKey, "ck-7306", string(cb))
	if r.status != 504 || !bytes.Contains(r.body, []byte("look for the reservation by the order's own reference")) {
		t.Fatalf("lost checkout of an older sidecar, with the shop's reference: %d %s", r.status, r.body)
	}
	if n := len(h.sb.Reservations()); n != before {
		t.Fatalf("the lost checkout was run again: %d reservations, want %d", n, before)
	}
}
