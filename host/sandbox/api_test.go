package sandbox

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontgate/frontgate/plugin/reservation"
)

var (
	reRES  = regexp.MustCompile(`^RES[1-9][0-9]{9}$`)
	reCSRT = regexp.MustCompile(`^CSRT[1-9][0-9]{9}$`)
	reCAP  = regexp.MustCompile(`^CAP[1-9][0-9]{9}$`)
	reCHA  = regexp.MustCompile(`^CHA[1-9][0-9]{9}$`)
)

func TestSubmitAndCreate(t *testing.T) {
	f := newFixture(t)
	for _, op := range []string{reservation.OpSubmit, reservation.OpCreate} {
		t.Run(op, func(t *testing.T) {
			resp := f.call("POST", op, build(t, op, order(t, defaultLines, "")))
			if resp.Status != 201 {
				t.Fatalf("status %d: %s", resp.Status, resp.Body)
			}
			var c *reservation.Created
			var err error
			if op == reservation.OpSubmit {
				c, err = reservation.ParseSubmit(resp)
			} else {
				c, err = reservation.ParseCreate(resp)
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reRES.MatchString(c.ReservationUUID) || !reCSRT.MatchString(c.CustomerUUID) {
				t.Errorf("identifiers %q %q", c.ReservationUUID, c.CustomerUUID)
			}
			if want := f.base + CheckoutPath + c.ReservationUUID; c.URL != want {
				t.Errorf("url %q, want %q", c.URL, want)
			}
			if c.Message != MsgSubmitted {
				t.Errorf("message %q", c.Message)
			}
			key := map[string]string{reservation.OpSubmit: `"checkoutUrl"`, reservation.OpCreate: `"paymentUrl"`}[op]
			if !strings.Contains(string(resp.Body), key) {
				t.Errorf("body lacks %s: %s", key, resp.Body)
			}
			if d := f.details(c.ReservationUUID); d.Status != "SENT" || d.GrandTotal != amt(t, "2449.85") || d.IsPaid {
				t.Errorf("details %+v", d)
			}
		})
	}
	// The same contact is the same customer.
	a := f.create(reservation.OpSubmit, order(t, defaultLines, ""))
	b := f.create(reservation.OpSubmit, order(t, defaultLines, ""))
	if a.CustomerUUID != b.CustomerUUID || a.ReservationUUID == b.ReservationUUID {
		t.Errorf("customers %s %s, reservations %s %s", a.CustomerUUID, b.CustomerUUID, a.ReservationUUID, b.ReservationUUID)
	}
}

func TestIdentifiersAreDeterministic(t *testing.T) {
	var got [2][]string
	for i := range got {
		f := newFixture(t)
		for range 3 {
			got[i] = append(got[i], f.create(reservation.OpSubmit, order(t, defaultLines, "")).ReservationUUID)
		}
	}
	if !slices.Equal(got[0], got[1]) {
		t.Errorf("same seed, different identifiers: %v %v", got[0], got[1])
	}
}

// every endpoint, with a method it accepts and a body it could carry.
var endpointCalls = []struct{ op, method, path string }{
	{reservation.OpSubmit, "POST", "submit"},
	{reservation.OpCreate, "POST", "create"},
	{reservation.OpDetails, "GET", "details/RES1000000001"},
	{reservation.OpCapture, "POST", "capture/RES1000000001"},
	{reservation.OpCharge, "POST", "charge/RES1000000001"},
	{reservation.OpCancel, "GET", "cancel/RES1000000001"},
	{reservation.OpComplete, "POST", "complete/RES1000000001"},
	{reservation.OpResend, "POST", "resend/RES1000000001"},
	{reservation.OpRefund, "POST", "refund/RES1000000001"},
	{reservation.OpHistory, "GET", "history"},
	{reservation.OpHistory, "GET", "history/1/2"},
}

func TestUnauthorized(t *testing.T) {
	f := newFixture(t)
	for _, auth := range []string{"", "Bearer wrong", "Bearer " + testToken + "x", "Basic " + testToken, "Bearer"} {
		for _, e := range endpointCalls {
			resp, body := f.raw(e.method, APIPrefix+e.path, `{}`, auth)
			_, err := reservation.ParseAck(e.op, reservation.Response{Status: resp.StatusCode, Body: body})
			wantAPIError(t, err, 401, reservation.KindUnauthorized, "unauthenticated")
		}
	}
	// Case of the scheme does not matter; the token does.
	resp, _ := f.raw("GET", APIPrefix+"history", "", "bearer "+testToken)
	if resp.StatusCode != 200 {
		t.Errorf("lower-case scheme: %d", resp.StatusCode)
	}
}

func TestMethodNotAllowed(t *testing.T) {
	f := newFixture(t)
	for _, e := range endpointCalls {
		for _, m := range []string{"GET", "POST", "PUT", "DELETE", "PATCH"} {
			if slices.Contains(methods(e.op), m) {
				continue
			}
			resp, body := f.raw(m, APIPrefix+e.path, "{}", "Bearer "+testToken)
			if resp.StatusCode != 405 || resp.Header.Get("Allow") == "" {
				t.Errorf("%s %s: %d %q", m, e.path, resp.StatusCode, resp.Header.Get("Allow"))
			}
			var env errorEnvelope
			if err := json.Unmarshal(body, &env); err != nil || env.StatusCode != 405 {
				t.Errorf("%s %s: body %s", m, e.path, body)
			}
		}
	}
}

func TestUnknownRoute(t *testing.T) {
	f := newFixture(t)
	for _, p := range []string{"/api/v1/connect/reservations/nope", "/api/v1/connect/reservations/details/", "/api/v2/x"} {
		resp, body := f.raw("GET", p, "", "Bearer "+testToken)
		_, err := reservation.ParseAck("details", reservation.Response{Status: resp.StatusCode, Body: body})
		wantAPIError(t, err, 404, reservation.KindNotFound, "routeNotFound")
	}
}

func TestValidationErrors(t *testing.T) {
	f := newFixture(t)
	badBody := strings.Replace(build(t, reservation.OpSubmit, order(t, defaultLines, "")), "kari@example.no", "not-an-email", 1)
	cases := []struct {
		name, op, method, path, body string
		want                         string // one expected "path: message" string
	}{
		{"submit garbage", "submit", "POST", "submit", "{not json", ""},
		{"submit empty", "submit", "POST", "submit", "", ""},
		{"submit array", "submit", "POST", "submit", "[]", ""},
		{"submit email", "submit", "POST", "submit", badBody, "customerDetails.email: must be a valid e-mail address"},
		{"create missing via", "create", "POST", "create", build(t, "submit", order(t, defaultLines, "")), "submitPayment: is required"},
		{"capture", "capture", "POST", "capture/RES1000000001", `{"products":{"0":{"id":1,"amount":5}},"grandTotal":6}`, "grandTotal: must equal the sum of products.*.amount, 5.00, not 6.00"},
		{"charge", "charge", "POST", "charge/RES1000000001", `{"products":{},"grandTotal":1}`, "products: must contain at least one product"},
		{"cancel no note", "cancel", "GET", "cancel/RES1000000001", ``, ""},
		{"cancel note", "cancel", "POST", "cancel/RES1000000001", `{"note":""}`, "note: must not be empty"},
		{"complete", "complete", "POST", "complete/RES1000000001", `{}`, "note: is required"},
		{"resend", "resend", "POST", "resend/RES1000000001", `{"email":"x"}`, "email: must be a valid e-mail address"},
		{"refund", "refund", "POST", "refund/RES1000000001", `{"type":"reservation","grandTotal":1,"products":[{"id":1,"amount":1}],"source":"captured","reference":"CHA1"}`, "reference: must be the captured transaction's identifier, starting with CAP"},
		{"history one bound", "history", "GET", "history/1706674723", "", "end: is required when the other bound is given"},
		{"history order", "history", "GET", "history/20/10", "", "start: must not be after end"},
		{"history digits", "history", "GET", "history/a/b", "", "start: must be a Unix timestamp in seconds, such as \"1706674723\""},
		// A malformed identifier is not a field error: the body is judged.
		{"capture bad uuid bad body", "capture", "POST", "capture/xyz", `{}`, "products: is required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := f.call(tc.method, tc.path, tc.body)
			_, err := reservation.ParseAck(tc.op, resp)
			e := wantAPIError(t, err, 417, reservation.KindValidation, reservation.MsgPayloadValidationErrors)
			var env struct {
				Errors  []string `json:"errors"`
				IsError bool     `json:"is_error"`
			}
			if err := json.Unmarshal(resp.Body, &env); err != nil || !env.IsError || len(env.Errors) == 0 {
				t.Fatalf("errors must be a non-empty array of strings: %s", resp.Body)
			}
			if tc.want != "" && !slices.Contains(e.Errors, tc.want) {
				t.Errorf("errors %q lack %q", e.Errors, tc.want)
			}
			for _, s := range e.Errors {
				if strings.HasPrefix(s, "reservationUuid") {
					t.Errorf("path parameter reported as a field: %q", s)
				}
			}
		})
	}
}

func TestNotFound(t *testing.T) {
	f := newFixture(t)
	const ghost = "RES1234567890"
	cases := []struct {
		op, method, body string
		key              string
		isData           bool
	}{
		{"details", "GET", "", reservation.MsgReservationNotFound, true},
		{"capture", "POST", f.captureBody(ghost, reservation.LineAmount{ID: 1, Amount: 100}), reservation.MsgReservationNotFound, true},
		{"charge", "POST", f.chargeBody(ghost, 100), reservation.MsgReservationNotFound, true},
		{"complete", "POST", noteBody("done"), reservation.MsgReservationNotFound, true},
		{"cancel", "GET", noteBody("no"), reservation.MsgOrderNotFound, false},
		{"cancel", "POST", noteBody("no"), reservation.MsgOrderNotFound, false},
		{"resend", "POST", `{"email":"kari@example.no"}`, reservation.MsgOrderNotFound, false},
		{"refund", "POST", f.refundBody(ghost, "captured", "CAP1234567890", reservation.LineAmount{ID: 1, Amount: 100}), reservation.MsgOrderNotFound, false},
	}
	for _, tc := range cases {
		for _, uuid := range []string{ghost, "bogus", "RES-1"} {
			resp := f.call(tc.method, tc.op+"/"+uuid, tc.body)
			_, err := reservation.ParseAck(tc.op, resp)
			wantAPIError(t, err, 404, reservation.KindNotFound, tc.key)
			shape := `"is_error":false,"errors":null`
			if tc.isData {
				shape = `"is_data":false,"data":null`
			}
			if !strings.Contains(string(resp.Body), shape) {
				t.Errorf("%s %s: body %s lacks %s", tc.op, uuid, resp.Body, shape)
			}
		}
	}
}

func TestBodyTooLarge(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.MaxBodyBytes = 1024 })
	big := `{"note":"` + strings.Repeat("x", 4096) + `"}`
	for _, p := range []string{"submit", "cancel/RES1000000001", "refund/RES1000000001"} {
		resp := f.call("POST", p, big)
		if resp.Status != 413 {
			t.Errorf("%s: %d %s", p, resp.Status, resp.Body)
		}
	}
	// The sandbox still answers afterwards.
	if resp := f.call("GET", "history", ""); resp.Status != 200 {
		t.Errorf("after: %d", resp.Status)
	}
}

func TestGarbageNeverCrashes(t *testing.T) {
	f := newFixture(t)
	bodies := []string{"\x00\xff\xfe", "{", `{"products":{"0":{"id":1e400,"amount":-0}},"grandTotal":"NaN"}`,
		strings.Repeat("[", 10000), `{"note":"\ud800"}`, `"just a string"`, `null`, `{"type":"reservation","products":[null]}`}
	for _, e := range endpointCalls {
		for _, b := range bodies {
			resp := f.call(e.method, e.path, b)
			if resp.Status >= 500 || resp.Status == 0 {
				t.Errorf("%s %s %q: %d %s", e.method, e.path, b, resp.Status, resp.Body)
			}
		}
	}
}

func TestRateLimitHeaders(t *testing.T) {
	f := newFixture(t)
	resp1, _ := f.raw("GET", APIPrefix+"history", "", "Bearer "+testToken)
	resp2, _ := f.raw("GET", APIPrefix+"history", "", "Bearer "+testToken)
	if resp1.Header.Get("X-Ratelimit-Limit") != "240" || resp1.Header.Get("X-Ratelimit-Remaining") != "239" || resp2.Header.Get("X-Ratelimit-Remaining") != "238" {
		t.Errorf("headers %v / %v", resp1.Header, resp2.Header)
	}
	f.sb.AdvanceClock(time.Minute)
	resp3, _ := f.raw("GET", APIPrefix+"history", "", "Bearer "+testToken)
	if resp3.Header.Get("X-Ratelimit-Remaining") != "239" {
		t.Errorf("a new minute: %v", resp3.Header)
	}
}
