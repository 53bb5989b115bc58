package ops

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/frontgate/frontgate/plugin/abi"
	"github.com/frontgate/frontgate/plugin/callback"
	"github.com/frontgate/frontgate/plugin/reservation"
)

// envelopeFields decodes an envelope's error code and fields.
func envelopeFields(t testing.TB, out []byte) (code string, fields []struct{ Path, Rule string }) {
	t.Helper()
	var e struct {
		OK    bool
		Error *struct {
			Code   string
			Fields []struct{ Path, Rule string }
		}
	}
	if err := json.Unmarshal(out, &e); err != nil {
		t.Fatalf("not an envelope: %v: %s", err, out)
	}
	if e.OK || e.Error == nil {
		return "", nil
	}
	return e.Error.Code, e.Error.Fields
}

// validInputs holds, for every operation, an input it accepts as to shape,
// so that adding a member it does not know is the only problem.
var validInputs = map[string]string{
	abi.FuncManifest:         `{}`,
	abi.FuncValidateSubmit:   `{"payload":{},"now":1}`,
	abi.FuncValidateCreate:   `{"payload":{},"taxRates":[25]}`,
	abi.FuncValidateDetails:  `{"reservationUuid":"RES1"}`,
	abi.FuncValidateCapture:  `{"reservationUuid":"RES1","payload":{}}`,
	abi.FuncValidateCharge:   `{"reservationUuid":"RES1","payload":{}}`,
	abi.FuncValidateCancel:   `{"reservationUuid":"RES1","payload":{}}`,
	abi.FuncValidateComplete: `{"reservationUuid":"RES1","payload":{}}`,
	abi.FuncValidateResend:   `{"reservationUuid":"RES1","payload":{}}`,
	abi.FuncValidateRefund:   `{"reservationUuid":"RES1","payload":{}}`,
	abi.FuncValidateHistory:  `{"start":"1","end":"2"}`,
	abi.FuncBuildSubmit:      `{"now":1,"order":{}}`,
	abi.FuncBuildCreate:      `{"now":1,"payload":{},"callback":{"callbackUrl":"https://a.no/cb"}}`,
	abi.FuncBuildDetails:     `{"reservationUuid":"RES1"}`,
	abi.FuncBuildCapture:     `{"reservationUuid":"RES1","lines":[{"id":1,"amount":100}]}`,
	abi.FuncBuildCharge:      `{"reservationUuid":"RES1","lines":[{"name":"A","unitPrice":100,"quantity":1,"taxRate":0}]}`,
	abi.FuncBuildCancel:      `{"reservationUuid":"RES1","note":"n"}`,
	abi.FuncBuildComplete:    `{"reservationUuid":"RES1","note":"n"}`,
	abi.FuncBuildResend:      `{"reservationUuid":"RES1","email":"a@b.no"}`,
	abi.FuncBuildRefund:      `{"reservationUuid":"RES1","lines":[{"id":1,"amount":100}],"source":"captured","reference":"CAP1"}`,
	abi.FuncBuildHistory:     `{"now":100000}`,
	abi.FuncVerifyCallback:   `{"query":"a=b","secret":"s","now":1}`,
	abi.FuncStatusCheck:      `{"status":"RESERVED","operation":"capture"}`,
	abi.FuncStatusAllowed:    `{"status":"RESERVED"}`,
	abi.FuncStatusTransition: `{"from":"SENT","to":"RESERVED"}`,
}

func init() {
	for _, op := range []string{"submit", "create", "details", "capture", "charge", "cancel", "complete", "resend", "refund", "history"} {
		validInputs["parse_"+op] = `{"status":200,"body":"","requestId":"r"}`
	}
}

// TestEveryInputRefusesUnknownMembers: no operation drops a member it does
// not read (a charge line's discount once was, and charged full price):
// each answers bad_input naming the member, rule unknown.
func TestEveryInputRefusesUnknownMembers(t *testing.T) {
	for _, op := range abi.Operations {
		t.Run(op.Name, func(t *testing.T) {
			base, ok := validInputs[op.Name]
			if !ok {
				t.Fatalf("no valid input for %s: add one", op.Name)
			}
			if code, fields := envelopeFields(t, Call(op.Name, []byte(base))); slices.ContainsFunc(fields, func(f struct{ Path, Rule string }) bool { return f.Rule == "unknown" }) {
				t.Fatalf("the base input already has an unknown member: %s %v", code, fields)
			}
			in := strings.TrimSuffix(base, "}")
			if in != "{" {
				in += ","
			}
			in += `"extra":null}`
			out := Call(op.Name, []byte(in))
			code, fields := envelopeFields(t, out)
			if code != abi.CodeBadInput || !slices.Contains(fields, struct{ Path, Rule string }{"extra", "unknown"}) {
				t.Fatalf("%s with an unknown member: %s", op.Name, out)
			}
			if !strings.Contains(string(out), `"is not a member of `+op.Name+`'s input (it takes `) {
				t.Errorf("message does not list what the input takes: %s", out)
			}
		})
	}
	// Inside lines and the callback object too.
	for _, c := range []struct{ fn, in, path string }{
		{abi.FuncBuildCharge, `{"reservationUuid":"RES1","lines":[{"name":"A","unitPrice":100,"quantity":1,"taxRate":0,"vat":25}]}`, "lines.0.vat"},
		{abi.FuncBuildCapture, `{"reservationUuid":"RES1","lines":[{"id":1,"amount":100,"sku":"x"}]}`, "lines.0.sku"},
		{abi.FuncBuildRefund, `{"reservationUuid":"RES1","lines":[{"id":1,"amount":100,"qty":1}],"source":"captured","reference":"CAP1"}`, "lines.0.qty"},
		{abi.FuncBuildCreate, `{"now":1,"payload":{},"callback":{"callbackURL":"https://a.no/cb"}}`, "callback.callbackURL"},
	} {
		code, fields := envelopeFields(t, Call(c.fn, []byte(c.in)))
		if code != abi.CodeBadInput || !slices.Contains(fields, struct{ Path, Rule string }{c.path, "unknown"}) {
			t.Errorf("%s: %s %v, want %s unknown", c.fn, code, fields, c.path)
		}
	}
}

// inputMembers are the members of each line-building operation's input,
// the only first segments its error paths may have.
var inputMembers = map[string]*members{
	abi.FuncBuildCapture:  membersBuildLines,
	abi.FuncBuildCharge:   membersBuildLines,
	abi.FuncBuildRefund:   membersBuildRefund,
	abi.FuncBuildCancel:   membersBuildNote,
	abi.FuncBuildComplete: membersBuildNote,
	abi.FuncBuildResend:   membersBuildResend,
	abi.FuncBuildDetails:  membersBuildDetails,
	abi.FuncBuildHistory:  membersBuildHistory,
}

// checkInputPaths fails when an error of fn names a path that does not
// start with a member of fn's input (products.0.tax, grandTotal: the
// FrontGo body's, which the caller never sent), or when fn failed inside.
func checkInputPaths(t testing.TB, fn string, in []byte) {
	t.Helper()
	out := Call(fn, in)
	code, fields := envelopeFields(t, out)
	if code == abi.CodeInternal {
		t.Fatalf("%s %s: %s", fn, in, out)
	}
	if code != abi.CodeValidation {
		return // bad_input names what it read; the ops above check it
	}
	for _, f := range fields {
		first, _, _ := strings.Cut(f.Path, ".")
		if !slices.Contains(inputMembers[fn].names, first) {
			t.Fatalf("%s %s: error at %q, which is not the input's own path: %s", fn, in, f.Path, out)
		}
	}
}

// TestBuildErrorsNameInputPaths: every rule a build breaks is reported at
// the input's path (lines.0.taxRate), never at the body's (products.0.tax).
func TestBuildErrorsNameInputPaths(t *testing.T) {
	line := func(override string) string {
		l := map[string]any{"name": "A", "unitPrice": 100, "quantity": 1, "taxRate": 0}
		if err := json.Unmarshal([]byte("{"+strings.TrimPrefix(override, ",")+"}"), &l); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(map[string]any{"reservationUuid": "RES1", "lines": []any{l}})
		return string(b)
	}
	for _, c := range []struct{ fn, in, want string }{
		{abi.FuncBuildCharge, line(`,"taxRate":13`), "lines.0.taxRate"},
		{abi.FuncBuildCharge, line(`,"name":""`), "lines.0.name"},
		{abi.FuncBuildCharge, line(`,"name":"` + strings.Repeat("n", 300) + `"`), "lines.0.name"},
		{abi.FuncBuildCharge, line(`,"sku":"` + strings.Repeat("s", 300) + `"`), "lines.0.sku"},
		{abi.FuncBuildCharge, line(`,"unitPrice":0`), "lines"},
		{abi.FuncBuildCharge, line(`,"discount":101`), "lines.0.discount"},
		{abi.FuncBuildCharge, `{"reservationUuid":"RES1","lines":[{"name":"A","unitPrice":60000000000000,"quantity":1,"taxRate":0},{"name":"B","unitPrice":60000000000000,"quantity":1,"taxRate":0}]}`, "lines"},
		{abi.FuncBuildCharge, `{"reservationUuid":"RES1","additionalText":"` + strings.Repeat("x", 10001) + `","lines":[{"name":"A","unitPrice":1,"quantity":1,"taxRate":0}]}`, "additionalText"},
		{abi.FuncBuildCapture, `{"reservationUuid":"RES1","lines":[{"id":1,"amount":60000000000000},{"id":2,"amount":60000000000000}]}`, "lines"},
		{abi.FuncBuildCapture, `{"reservationUuid":"RES1","lines":[{"id":1,"amount":1},{"id":1,"amount":2}]}`, "lines.1.id"},
		{abi.FuncBuildRefund, `{"reservationUuid":"RES1","lines":[{"id":1,"amount":60000000000000},{"id":2,"amount":60000000000000}],"source":"captured","reference":"CAP1"}`, "lines"},
		{abi.FuncBuildRefund, `{"reservationUuid":"RES1","lines":[{"id":1,"amount":1}],"source":"charged","reference":"CAP1"}`, "reference"},
		{abi.FuncBuildCancel, `{"reservationUuid":"RES1","note":" "}`, "note"},
		{abi.FuncBuildResend, `{"reservationUuid":"RES1","msisdn":"123"}`, "countryCode"},
		{abi.FuncBuildHistory, `{"start":5,"end":1}`, "start"},
		{abi.FuncBuildDetails, `{"reservationUuid":"ODR1"}`, "reservationUuid"},
	} {
		out := Call(c.fn, []byte(c.in))
		code, fields := envelopeFields(t, out)
		if code != abi.CodeValidation || !slices.ContainsFunc(fields, func(f struct{ Path, Rule string }) bool { return f.Path == c.want }) {
			t.Errorf("%s: want a validation error at %s, got %s", c.fn, c.want, out)
			continue
		}
		checkInputPaths(t, c.fn, []byte(c.in))
	}
}

// TestInputPathsMapsBodyPaths: a rule found only in the built body (a bug
// in the checks before it) still names the input's line.
func TestInputPathsMapsBodyPaths(t *testing.T) {
	err := inputPaths(&reservation.ValidationError{Fields: []reservation.FieldError{
		{Path: "products.2.tax"}, {Path: "products.1.productId"}, {Path: "products.1.amount"}, {Path: "grandTotal"}, {Path: "products"}, {Path: "products.9.rate"}, {Path: "additionalText"},
	}}, []int{0, 0, 1}, chargeMember)
	var got []string
	for _, f := range err.(*reservation.ValidationError).Fields {
		got = append(got, f.Path)
	}
	want := []string{"lines.1.taxRate", "lines.0.sku", "lines.0", "lines", "lines", "lines", "additionalText"}
	if !slices.Equal(got, want) {
		t.Fatalf("paths %v, want %v", got, want)
	}
}

// FuzzBuildLines builds captures, charges and refunds from arbitrary
// lines: never an internal error, never a path the input does not have.
func FuzzBuildLines(f *testing.F) {
	f.Add(`[{"name":"A","unitPrice":100,"quantity":3,"taxRate":25,"discount":10}]`)
	f.Add(`[{"id":1,"amount":100},{"id":1,"amount":5}]`)
	f.Add(`[{"name":"","unitPrice":-1,"quantity":0,"taxRate":"x","kind":"y","sku":1}]`)
	f.Add(`[{"id":1,"amount":99999999999999},{"id":2,"amount":99999999999999}]`)
	f.Fuzz(func(t *testing.T, lines string) {
		for _, fn := range []string{abi.FuncBuildCharge, abi.FuncBuildCapture, abi.FuncBuildRefund} {
			in := `{"reservationUuid":"RES1","lines":` + lines
			if fn == abi.FuncBuildRefund {
				in += `,"source":"captured","reference":"CAP1"`
			}
			checkInputPaths(t, fn, []byte(in+`}`))
		}
	})
}

// FuzzVerifyCallback: whatever the query (signed or not, any bytes once
// decoded), verify_callback answers a callback or bad_input envelope,
// never internal (which made the host replace its instance and lose the
// callback).
func FuzzVerifyCallback(f *testing.F) {
	const secret = "s3cret"
	pairs := []callback.Pair{{Key: "orderUuid", Value: "RES1"}, {Key: "status", Value: "CAPTURED"},
		{Key: "paymentMethod", Value: "Visa\xf8"}, {Key: "timestamp", Value: "1755764131"}}
	f.Add(callback.SignedQuery(pairs, []byte(secret), callback.SchemeOrderedParams), int64(1755764131))
	pairs[2].Value = "Visa"
	f.Add(callback.SignedQuery(pairs, []byte(secret), callback.SchemeOrderedParams), int64(1755764131))
	f.Add("orderUuid=RES1&status=%FF%FE&checksum=00", int64(0))
	f.Add("k%C3=1&timestamp=1755764131000&checksum=", int64(-1))
	f.Fuzz(func(t *testing.T, query string, now int64) {
		b, _ := json.Marshal(map[string]any{"query": strings.ToValidUTF8(query, ""), "secret": secret, "now": now})
		out := Call(abi.FuncVerifyCallback, b)
		var e struct {
			OK    bool
			Error *struct{ Code string }
		}
		if err := json.Unmarshal(out, &e); err != nil {
			t.Fatalf("not an envelope: %s", out)
		}
		if !e.OK && e.Error.Code != abi.CodeCallback && e.Error.Code != abi.CodeBadInput {
			t.Fatalf("verify_callback %q: %s", query, out)
		}
	})
}
