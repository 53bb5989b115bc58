package sidecar

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestAmountsChangesAreTold: money moved without a change of status (a
// second charge, a refund, which FrontGo reports with no status of its
// own) reaches the shop as an event in the same status, with an id of its
// own and the new amounts in its details; told once, and never older
// amounts after newer ones.
func TestAmountsChangesAreTold(t *testing.T) {
	h := newHarness(t, native())
	uuid, line := h.reserved("7601")
	rec, e := h.svc.store.Get(context.Background(), "res:"+uuid)
	if e != nil {
		t.Fatal(e)
	}
	checkoutID := string(rec)
	post := func(op string, body map[string]any) []byte {
		t.Helper()
		r := h.do("POST", "/v1/reservations/"+uuid+"/"+op, shopKey, "", body)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", op, r.status, r.body)
		}
		return r.body
	}
	var capt struct{ UUID string }
	if err := json.Unmarshal(post("capture", map[string]any{}), &capt); err != nil {
		t.Fatal(err)
	}
	charge := func(price int) {
		post("charge", map[string]any{"lines": []any{map[string]any{"name": "Minibar", "unitPrice": price, "quantity": 1, "taxRate": 25}}})
	}
	charge(4900)
	charge(7000)
	post("refund", map[string]any{"lines": []any{map[string]any{"id": line, "amount": 5000}}, "source": "captured", "reference": capt.UUID})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.svc.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	// Told again (a callback, the reconciler): nothing new.
	c, ce := h.svc.Checkout(ctx, "", h.waitStatus(checkoutID, "CHARGED").CheckoutID)
	if ce != nil {
		t.Fatal(ce.Message)
	}
	if _, ce := h.svc.settle(ctx, c, "reconcile"); ce != nil {
		t.Fatal(ce.Message)
	}

	type payment struct {
		Captured, Charged, RefundedFromCaptured int64
	}
	var got []string
	var amounts []payment
	ids := map[string]bool{}
	for _, ev := range h.events.Events() {
		if ev.ReservationUUID != uuid {
			continue
		}
		ids[ev.ID] = true
		got = append(got, ev.PreviousStatus+">"+ev.Status)
		var d struct{ Payment payment }
		if err := json.Unmarshal(ev.Details, &d); err != nil {
			t.Fatal(err)
		}
		amounts = append(amounts, d.Payment)
	}
	// The statuses once each, then the amounts: the second charge's and
	// the refund's, or only the refund's when its settle ran first (the
	// second charge's amounts are then no news), or when the first
	// charge's settle read the details after the second charge (CHARGED
	// told with both). Never the same amounts twice, never smaller after
	// larger.
	want := "SENT>RESERVED,RESERVED>CAPTURED,CAPTURED>CHARGED,CHARGED>CHARGED"
	if g := strings.Join(got, ","); g != want && g != want+",CHARGED>CHARGED" {
		t.Fatalf("events %s, want %s and one or two more of CHARGED>CHARGED", g, want)
	}
	if len(ids) != len(got) {
		t.Fatalf("%d events, %d ids", len(got), len(ids))
	}
	for i := 3; i+1 < len(amounts); i++ {
		a, b := amounts[i], amounts[i+1]
		if b.Charged < a.Charged || b.RefundedFromCaptured < a.RefundedFromCaptured || b == a {
			t.Fatalf("amounts told out of order or twice: %+v", amounts)
		}
	}
	last := amounts[len(amounts)-1]
	if last.Charged != 11900 || last.RefundedFromCaptured != 5000 || (amounts[2].Charged != 4900 && amounts[2].Charged != 11900) {
		t.Fatalf("amounts told: %+v", amounts)
	}
	if id := EventID(uuid, "CHARGED#"+amountsKeyOf(last.Captured, last.Charged, last.RefundedFromCaptured, 0)); !ids[id] {
		t.Fatalf("the refund's event id is not EventID(uuid, status#amounts)")
	}
}

func amountsKeyOf(captured, charged, refC, refCh int64) string {
	var d Details
	d.Payment.Captured, d.Payment.Charged, d.Payment.RefundedFromCaptured, d.Payment.RefundedFromCharged = captured, charged, refC, refCh
	return amountsKey(&d)
}

// TestAmountsGrew: amounts told only when none shrank and one grew.
func TestAmountsGrew(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"100/0/0/0", "100/4900/0/0", true},
		{"100/4900/0/0", "100/4900/0/0", false},
		{"100/11900/0/0", "100/4900/5000/0", false}, // older details: charged shrank
		{"", "100/0/0/0", true},
		{"100/0/0/0", "x", false},
	} {
		if got := amountsGrew(tc.a, tc.b); got != tc.want {
			t.Errorf("amountsGrew(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}
