package sidecar

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestCheckoutLastsUntilItsDueDate: an order that sets its payment link's
// due date keeps its checkout (the /go link, the return pages) open until
// then, not for checkoutTtl; one that does not gets checkoutTtl.
func TestCheckoutLastsUntilItsDueDate(t *testing.T) {
	h := newHarness(t, native())
	due := time.Now().Add(72 * time.Hour).Truncate(time.Second)
	req := checkoutReq("due-1")
	o := order()
	o["paymentLinkDueDate"] = due.Unix()
	req["order"] = o
	r := h.do("POST", "/v1/checkouts", shopKey, "idem-due-1", req)
	if r.status != 201 {
		t.Fatalf("checkout: %d %s", r.status, r.body)
	}
	var c Checkout
	r.json(t, &c)
	if !c.ExpiresAt.Equal(due) {
		t.Fatalf("expiresAt %s, want the due date %s", c.ExpiresAt, due)
	}
	// Past checkoutTtl (24 h), before the due date: the link still works,
	// and so does the return page of a payment made now.
	h.offset.Store(int64(60 * time.Hour))
	if r := h.get(c.RedirectURL); r.status != 302 {
		t.Fatalf("/go 60 h on: %d %s", r.status, r.body)
	}
	back := h.approve(c, "4111111111111111")
	if r := h.get(back); r.status != 302 {
		t.Fatalf("return page 60 h on: %d %s", r.status, r.body)
	} else if loc, _ := url.Parse(r.header.Get("Location")); loc == nil || loc.Host != "shop.example" {
		t.Fatalf("returned to %q", r.header.Get("Location"))
	}
	// Past the due date the link is gone.
	h.offset.Store(int64(73 * time.Hour))
	if r := h.get(c.RedirectURL); r.status != 410 {
		t.Fatalf("/go past the due date: %d", r.status)
	}

	// A due date further off than the sidecar keeps a checkout's links is
	// refused, named by its path.
	far := checkoutReq("due-3")
	fo := order()
	fo["paymentLinkDueDate"] = time.Now().Add(190 * 24 * time.Hour).Unix() // past 180 days on the sidecar's clock, moved on 73 h
	far["order"] = fo
	if r := h.do("POST", "/v1/checkouts", shopKey, "idem-due-3", far); r.status != 422 ||
		!strings.Contains(string(r.body), `"path":"order.paymentLinkDueDate","rule":"range"`) {
		t.Fatalf("a due date 190 days off: %d %s", r.status, r.body)
	}

	// Without a due date of its own: checkoutTtl.
	plain := h.checkout("due-2")
	if d := plain.ExpiresAt.Sub(plain.CreatedAt); d != 24*time.Hour {
		t.Fatalf("expiresAt - createdAt = %s, want checkoutTtl 24h", d)
	}
}

// TestDueDateOf reads the due date from an order or a FrontGo payload, and
// leaves anything else to the core (checkoutTtl meanwhile).
func TestDueDateOf(t *testing.T) {
	tests := []struct {
		name, order, payload string
		want                 int64
	}{
		{"order", `{"paymentLinkDueDate":1800000000}`, "", 1800000000},
		{"payload as a string", "", `{"dueDateForPaymentLink":"1800000000"}`, 1800000000},
		{"payload as a number", "", `{"dueDateForPaymentLink":1800000000}`, 1800000000},
		{"none", `{"lines":[]}`, "", 0},
		{"null", `{"paymentLinkDueDate":null}`, "", 0},
		{"words", "", `{"dueDateForPaymentLink":"tomorrow"}`, 0},
		{"past year 9999", `{"paymentLinkDueDate":253402300800}`, "", 0},
		{"negative", `{"paymentLinkDueDate":-5}`, "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := &CheckoutRequest{}
			if tc.order != "" {
				req.Order = json.RawMessage(tc.order)
			}
			if tc.payload != "" {
				req.Payload = json.RawMessage(tc.payload)
			}
			got, ok := dueDateOf(req, &req.prepare().probe)
			if tc.want == 0 {
				if ok {
					t.Fatalf("due %s, want none", got)
				}
				return
			}
			if !ok || got.Unix() != tc.want {
				t.Fatalf("due %v %v, want %s", got, ok, strconv.FormatInt(tc.want, 10))
			}
		})
	}
}
