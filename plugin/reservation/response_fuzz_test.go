package reservation

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/frontgate/frontgate/plugin/money"
)

// The fuzz targets feed the response parsers arbitrary bodies under
// arbitrary statuses. Properties: no panic; a failure is always a non-nil
// *APIError (never wrapped, never another type) and never comes with a
// result; a success has the shape its parser promises. Seeds: every file in
// testdata/responses under its own status and under the success statuses.

func seedResponses(f *testing.F) {
	f.Helper()
	for _, name := range responseFiles(f) {
		body := readResponse(f, name)
		for _, status := range []int{fixtureStatus(f, name), 200, 201, 202} {
			f.Add(status, body)
		}
	}
	f.Add(429, []byte(html429))
	f.Add(502, []byte{})
	f.Add(417, []byte(laravel))
	f.Add(200, []byte(laravel))
}

// checkFuzzError asserts the error half of every parser's contract.
func checkFuzzError(t *testing.T, status int, err error, resultIsNil bool) {
	t.Helper()
	e, ok := err.(*APIError)
	if !ok || e == nil {
		t.Fatalf("error %T %v is not an *APIError", err, err)
	}
	if !resultIsNil {
		t.Fatal("a result alongside an error")
	}
	if e.Kind == "" || e.Op == "" || e.Error() == "" {
		t.Fatalf("incomplete error %+v", e)
	}
	if e.Kind == KindMalformed && len(e.Fields) == 0 {
		t.Fatalf("malformed without a field error: %+v", e)
	}
	if e.Kind == KindMalformed && e.HTTPStatus != status {
		t.Fatalf("malformed error has status %d, response had %d", e.HTTPStatus, status)
	}
	_ = IsRetryable(err)
}

func checkAmount(t *testing.T, path string, a money.Amount) {
	t.Helper()
	back, err := money.ParseAmount([]byte(a.String()))
	if err != nil || back != a {
		t.Fatalf("%s: %d prints as %q, which reads back as %d, %v", path, a, a.String(), back, err)
	}
}

func checkRate(t *testing.T, path string, r money.Rate) {
	t.Helper()
	back, err := money.ParseRate([]byte(r.String()))
	if err != nil || back != r {
		t.Fatalf("%s: %d prints as %q, which reads back as %d, %v", path, r, r.String(), back, err)
	}
}

func checkEvents(t *testing.T, path string, evs []PaymentEvent) {
	t.Helper()
	for _, ev := range evs {
		checkAmount(t, path+".amount", ev.Amount)
		checkAmount(t, path+".refunded", ev.Refunded)
	}
}

// fuzzReused is the Details FuzzParseDetails parses every input into.
var fuzzReused Details

func FuzzParseDetails(f *testing.F) {
	seedResponses(f)
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		d, err := ParseDetails(Response{Status: status, Body: body, RequestID: "fuzz"})
		// The borrowing parse answers alike, error for error.
		b, berr := ParseDetailsBorrowed(Response{Status: status, Body: bytes.Clone(body), RequestID: "fuzz"})
		if !reflect.DeepEqual(b, d) || (berr == nil) != (err == nil) || (err != nil && berr.Error() != err.Error()) {
			t.Fatalf("ParseDetailsBorrowed differs:\n%+v %v\n%+v %v", b, berr, d, err)
		}
		// So does a parse into the Details of all earlier inputs, which
		// reuses their storage.
		rerr := ParseDetailsInto(Response{Status: status, Body: bytes.Clone(body), RequestID: "fuzz"}, &fuzzReused)
		if (rerr == nil) != (err == nil) || (err != nil && rerr.Error() != err.Error()) || (err == nil && !reflect.DeepEqual(&fuzzReused, d)) {
			t.Fatalf("ParseDetailsInto a reused Details differs:\n%+v %v\n%+v %v", fuzzReused, rerr, d, err)
		}
		if err != nil {
			checkFuzzError(t, status, err, d == nil)
			return
		}
		if d == nil {
			t.Fatal("nil details without an error")
		}
		if !validReservationUUID(d.ReservationUUID) || d.Status == "" {
			t.Fatalf("accepted uuid %q, status %q", d.ReservationUUID, d.Status)
		}
		for _, p := range d.Products {
			if p.ID <= 0 {
				t.Fatalf("accepted product id %d", p.ID)
			}
			checkAmount(t, "rate", p.Rate)
			checkAmount(t, "discount", p.Discount)
			checkAmount(t, "amount", p.Amount)
			checkAmount(t, "reserved", p.Reserved)
			checkAmount(t, "captured", p.Captured)
			checkRate(t, "tax", p.Tax)
		}
		checkAmount(t, "grandTotal", d.GrandTotal)
		checkAmount(t, "reservedAmount", d.Payment.Reserved)
		checkAmount(t, "capturedAmount", d.Payment.Captured)
		checkAmount(t, "chargedAmount", d.Payment.Charged)
		checkAmount(t, "fromCaptured", d.Payment.RefundedFromCaptured)
		checkAmount(t, "fromCharge", d.Payment.RefundedFromCharged)
		checkEvents(t, "reserved", d.History.Reserved)
		checkEvents(t, "captured", d.History.Captured)
		checkEvents(t, "charged", d.History.Charged)
		checkEvents(t, "refunded", d.History.Refunded)
	})
}

// FuzzParseCreated covers ParseSubmit and ParseCreate, which share a parser
// but not the URL's key.
func FuzzParseCreated(f *testing.F) {
	seedResponses(f)
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		borrowed := []func(Response) (*Created, error){ParseSubmitBorrowed, ParseCreateBorrowed}
		for i, parse := range []func(Response) (*Created, error){ParseSubmit, ParseCreate} {
			c, err := parse(Response{Status: status, Body: body, RequestID: "fuzz"})
			b, berr := borrowed[i](Response{Status: status, Body: bytes.Clone(body), RequestID: "fuzz"})
			if !reflect.DeepEqual(b, c) || (berr == nil) != (err == nil) || (err != nil && berr.Error() != err.Error()) {
				t.Fatalf("borrowing parse differs:\n%+v %v\n%+v %v", b, berr, c, err)
			}
			if err != nil {
				checkFuzzError(t, status, err, c == nil)
				continue
			}
			if c == nil {
				t.Fatal("nil result without an error")
			}
			if !validReservationUUID(c.ReservationUUID) || !validURL(c.URL) {
				t.Fatalf("accepted uuid %q, url %q", c.ReservationUUID, c.URL)
			}
		}
	})
}

func FuzzParseHistory(f *testing.F) {
	seedResponses(f)
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		evs, err := ParseHistory(Response{Status: status, Body: body, RequestID: "fuzz"})
		if err != nil {
			checkFuzzError(t, status, err, evs == nil)
			return
		}
		for _, ev := range evs {
			if ev.UUID == "" || ev.Title == "" || !validHistoryTime(ev.DateTime) {
				t.Fatalf("accepted event %+v", ev)
			}
			checkAmount(t, "amount", ev.Amount)
		}
	})
}

func FuzzParseAck(f *testing.F) {
	seedResponses(f)
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		for _, op := range []string{OpCancel, OpComplete, OpResend, OpRefund} {
			a, err := ParseAck(op, Response{Status: status, Body: body, RequestID: "fuzz"})
			if err != nil {
				checkFuzzError(t, status, err, a == nil)
				if e := err.(*APIError); e.Op != op {
					t.Fatalf("error names op %q, want %q", e.Op, op)
				}
				continue
			}
			if a == nil {
				t.Fatal("nil ack without an error")
			}
		}
	})
}
