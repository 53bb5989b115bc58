package sidecar

import (
	"encoding/json"
	"testing"
	"time"
)

func TestWithDefaults(t *testing.T) {
	c := &Checkout{CheckoutID: "chk_abc", ExpiresAt: time.Unix(1_800_000_000, 0)}
	for _, tc := range []struct{ in, want string }{
		{`{"lines":[]}`, `{"paymentLinkDueDate":1800000000,"reference":"chk_abc","lines":[]}`},
		{` { "lines":[] }`, `{"paymentLinkDueDate":1800000000,"reference":"chk_abc", "lines":[] }`},
		{`{}`, `{"paymentLinkDueDate":1800000000,"reference":"chk_abc"}`},
		{`{ }`, `{"paymentLinkDueDate":1800000000,"reference":"chk_abc" }`},
		{`{"reference":"mine"}`, `{"paymentLinkDueDate":1800000000,"reference":"mine"}`},
		{`{"reference":null,"paymentLinkDueDate":5}`, `{"reference":"chk_abc","paymentLinkDueDate":5}`},
		{`{"reference":null,"reference":null}`, `{"paymentLinkDueDate":1800000000,"reference":null,"reference":null}`},
		{`{"paymentLinkDueDate":null}`, `{"reference":"chk_abc","paymentLinkDueDate":null}`},
		{`[1]`, `[1]`},
		{`"x"`, `"x"`},
		{`{"a":`, `{"a":`},
	} {
		got := string(withDefaults(json.RawMessage(tc.in), c))
		if got != tc.want {
			t.Errorf("withDefaults(%s) = %s; want %s", tc.in, got, tc.want)
		}
		if json.Valid([]byte(tc.in)) && !json.Valid([]byte(got)) {
			t.Errorf("withDefaults(%s) made invalid JSON %s", tc.in, got)
		}
	}
}

func TestWithRaw(t *testing.T) {
	for _, tc := range []struct {
		in             map[string]any
		order, payload string
		want           string
	}{
		{map[string]any{"now": 1, "callback": map[string]string{"u": "a<b"}}, `{"x":1}`, "", `{"callback":{"u":"a<b"},"now":1,"order":{"x":1}}`},
		{map[string]any{"now": 1}, "", ` {"p":[]}`, `{"now":1,"payload": {"p":[]}}`},
		{map[string]any{}, `{}`, "", `{"order":{}}`},
		{map[string]any{"now": 2}, "", "", `{"now":2}`},
	} {
		var order, payload json.RawMessage
		if tc.order != "" {
			order = json.RawMessage(tc.order)
		}
		if tc.payload != "" {
			payload = json.RawMessage(tc.payload)
		}
		got, err := withRaw(tc.in, order, payload)
		if err != nil || string(got) != tc.want || !json.Valid(got) {
			t.Errorf("withRaw(%v, %s, %s) = %s, %v; want %s", tc.in, tc.order, tc.payload, got, err, tc.want)
		}
	}
	if _, err := withRaw(map[string]any{"f": func() {}}, nil, nil); err == nil {
		t.Error("an input encoding/json cannot encode was accepted")
	}
}

// TestPayloadWithReference: a FrontGo payload without a referenceNo, or
// with a null one, gets the checkout's id (so a lost create is found again
// by it); one with its own keeps it; what the core will refuse anyway is
// left alone.
func TestPayloadWithReference(t *testing.T) {
	c := &Checkout{CheckoutID: "chk_abc"}
	tests := []struct{ in, want string }{
		{`{"orderDate":"1"}`, `{"referenceNo":"chk_abc","orderDate":"1"}`},
		{` { } `, `{"referenceNo":"chk_abc" } `},
		{`{"referenceNo": null, "x": 1}`, `{"referenceNo": "chk_abc", "x": 1}`},
		{`{"a":{"referenceNo":null},"referenceNo":null}`, `{"a":{"referenceNo":null},"referenceNo":"chk_abc"}`},
		{`{"referenceNo":"SHOP-7"}`, `{"referenceNo":"SHOP-7"}`},
		{`{"referenceNo":""}`, `{"referenceNo":""}`},
		{`{"referenceNo":null,"referenceNo":null}`, `{"referenceNo":null,"referenceNo":null}`},
		{`[1]`, `[1]`},
		{`{"referenceNo":`, `{"referenceNo":`},
	}
	for _, tc := range tests {
		req := &CheckoutRequest{Payload: json.RawMessage(tc.in)}
		named := req.Named(c.CheckoutID)
		if got := string(req.prepare().pay); got != tc.want {
			t.Errorf("the payload %s became %s; want %s", tc.in, got, tc.want)
		}
		if want := tc.want != tc.in; named != want {
			t.Errorf("the payload %s: named %v, want %v", tc.in, named, want)
		}
	}
}

// withDefaults is what CreateCheckout does to a shop-neutral order (through
// prepare and withDueDate): the members the sidecar sets when the shop did
// not, the payment link's due date (the checkout's expiry) and the
// reference (the checkout's id, for an absent or null one).
func withDefaults(order json.RawMessage, c *Checkout) json.RawMessage {
	req := &CheckoutRequest{Order: order, id: c.CheckoutID}
	return req.prepare().finalOrder(c)
}
