package sidecar

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontgate/frontgate/host/sandbox"
)

// TestLostPayloadCreateIsCancelled: a checkout given as a FrontGo payload
// whose referenceNo is null, and whose create answer is lost, is found
// again by the checkout id the sidecar gave it as referenceNo and
// cancelled, so the shop's retry leaves one live reservation (as for an
// order). A payload with the shop's own referenceNo keeps it.
func TestLostPayloadCreateIsCancelled(t *testing.T) {
	h := newHarness(t, native())
	now := strconv.FormatInt(time.Now().Unix(), 10)
	due := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
	payload := func(ref, send string) string {
		return `{"customerDetails":{"type":"private","countryCode":"+47","msisdn":"46567468","email":"kari@example.no",
  "name":"Kari","preferredLanguage":"en","personalNumber":null,"organizationId":null,
  "address":{"street":"Karl Johans gate 1","zip":"0154","city":"Oslo","country":"NO"}},
 "orderDate":"` + now + `","dueDateForPaymentLink":"` + due + `","referenceNo":` + ref + `,"customerReference":null,
 "sendOrderBy":` + send + `,
 "products":{"0":{"name":"Test","productId":null,"rate":1000,"tax":"0","amount":1000}},
 "orderSummary":{"subTotal":1000.00,"totalTax":0,"grandTotal":1000.00},
 "chargeValidity":"55","customerNotes":null,"tnc":null,"submitPayment":{"via":"visa"},
 "settings":{"secureDetails":false,"isChargePartiallyRefundable":true}}`
	}
	const noLink, smsLink = `{"sms":false,"email":false}`, `{"sms":true,"email":false}`
	req := func(orderID, ref string, send ...string) string {
		by := noLink
		if len(send) > 0 {
			by = send[0]
		}
		return `{"mode":"session","orderId":"` + orderID + `","returnUrls":{"success":"https://shop.example/ok","failure":"https://shop.example/no"},"payload":` + payload(ref, by) + `}`
	}

	before := len(h.sb.Reservations())
	h.sb.InjectFault(sandbox.Fault{Endpoint: "create", Kind: sandbox.FaultDropAfter, Times: 1})
	r := h.do("POST", "/v1/checkouts", shopKey, "p1", req("9101", "null"))
	if r.status != 504 || !bytes.Contains(r.body, []byte("upstream_unknown")) {
		t.Fatalf("lost answer: %d %s", r.status, r.body)
	}
	all := h.sb.Reservations()
	if len(all) != before+1 || all[len(all)-1].Status != "CANCELLED" {
		t.Fatalf("after a lost payload create: %d reservations (want %d), last %+v", len(all), before+1, all[len(all)-1])
	}
	r = h.do("POST", "/v1/checkouts", shopKey, "p1", req("9101", "null"))
	if r.status != 201 {
		t.Fatalf("retry: %d %s", r.status, r.body)
	}
	var c Checkout
	r.json(t, &c)
	d := h.do("GET", "/v1/reservations/"+c.ReservationUUID, shopKey, "", nil)
	if !bytes.Contains(d.body, []byte(`"referenceNumber":"`+c.CheckoutID+`"`)) {
		t.Fatalf("the payload's null referenceNo did not become the checkout id: %s", d.body)
	}

	// A lost create under the shop's own reference, whose link FrontGo
	// sends the customer, cannot be found again while the link may be out:
	// the answer is kept, and its retry is not sent to FrontGo again.
	before = len(h.sb.Reservations())
	h.sb.InjectFault(sandbox.Fault{Endpoint: "create", Kind: sandbox.FaultDropAfter, Times: 1})
	r = h.do("POST", "/v1/checkouts", shopKey, "p3", req("9103", `"SHOP-9103"`, smsLink))
	if r.status != 504 || !bytes.Contains(r.body, []byte("a retry under this Idempotency-Key gets this answer again")) {
		t.Fatalf("lost answer, own reference: %d %s", r.status, r.body)
	}
	if again := h.do("POST", "/v1/checkouts", shopKey, "p3", req("9103", `"SHOP-9103"`, smsLink)); again.status != 504 || !bytes.Equal(again.body, r.body) {
		t.Fatalf("its retry: %d %s", again.status, again.body)
	}
	if all := h.sb.Reservations(); len(all) != before+1 || all[len(all)-1].Status != "SENT" {
		t.Fatalf("after a lost create under the shop's reference: %d reservations (want %d)", len(all), before+1)
	}
	// The same without a link FrontGo sends: the reservation it made is out
	// of everyone's reach (its page's address was in the lost answer), so
	// the retry runs, and the orphan expires unpaid.
	before = len(h.sb.Reservations())
	h.sb.InjectFault(sandbox.Fault{Endpoint: "create", Kind: sandbox.FaultDropAfter, Times: 1})
	r = h.do("POST", "/v1/checkouts", shopKey, "p4", req("9104", `"SHOP-9104"`))
	if r.status != 504 || !bytes.Contains(r.body, []byte("cannot be paid")) {
		t.Fatalf("lost answer, own reference, no link sent: %d %s", r.status, r.body)
	}
	if again := h.do("POST", "/v1/checkouts", shopKey, "p4", req("9104", `"SHOP-9104"`)); again.status != 201 {
		t.Fatalf("its retry: %d %s", again.status, again.body)
	}
	if all := h.sb.Reservations(); len(all) != before+2 || all[len(all)-2].Status != "SENT" || all[len(all)-1].Status != "SENT" {
		t.Fatalf("after a lost create without a link, and its retry: %d reservations (want %d)", len(all), before+2)
	}

	// The shop's own reference stays, and nothing of the shop's is
	// cancelled by it.
	r = h.do("POST", "/v1/checkouts", shopKey, "p2", req("9102", `"SHOP-9102"`))
	if r.status != 201 {
		t.Fatalf("own reference: %d %s", r.status, r.body)
	}
	r.json(t, &c)
	if d := h.do("GET", "/v1/reservations/"+c.ReservationUUID, shopKey, "", nil); !strings.Contains(string(d.body), `"referenceNumber":"SHOP-9102"`) {
		t.Fatalf("the shop's referenceNo was replaced: %s", d.body)
	}
}

// TestLostCheckoutWithACancelledOrphan: a checkout request lost after
// FrontGo made its reservation (a payment link sent). The first retry's
// cancel of the orphan reaches FrontGo but its answer is lost; the next
// retry finds the orphan CANCELLED, takes it for done, and the checkout
// runs again, leaving one live reservation.
func TestLostCheckoutWithACancelledOrphan(t *testing.T) {
	pc := &panicCore{Core: native(), fn: "parse_submit"}
	h := newHarness(t, pc)
	req := checkoutReq("7951")
	req["mode"] = "link"
	delete(req, "returnUrls")
	pc.armed.Store(true)
	if r := h.do("POST", "/v1/checkouts", shopKey, "", req); r.status != 500 {
		t.Fatalf("panic: %d %s", r.status, r.body)
	}
	pc.armed.Store(false)
	orphan := h.sb.Reservations()[0]
	h.sb.InjectFault(sandbox.Fault{Endpoint: "cancel", Kind: sandbox.FaultDropAfter, Times: 1})
	if r := h.do("POST", "/v1/checkouts", shopKey, "", req); r.status != 503 {
		t.Fatalf("the retry whose cancel was lost: %d %s", r.status, r.body)
	}
	r := h.do("POST", "/v1/checkouts", shopKey, "", req)
	if r.status != 201 {
		t.Fatalf("the next retry: %d %s", r.status, r.body)
	}
	live := 0
	for _, res := range h.sb.Reservations() {
		if res.Status != "CANCELLED" {
			live++
		}
	}
	if st, _ := h.sb.Inspect(orphan.UUID); st.Status != "CANCELLED" || live != 1 {
		t.Fatalf("orphan %s, %d live reservations", st.Status, live)
	}
}
