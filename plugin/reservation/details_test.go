package reservation

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/frontgate/frontgate/plugin/internal/jsonx"
)

// TestFieldReadersMatch holds the field readers that take the common case
// first (the details parser's strAt, amountAt and boolAt, the order's strIn
// and intIn, strb and number themselves) to the general readers they stand
// for: the same value and the same field errors for
// every kind of member, present or not, valid or not, borrowed or copied.
func TestFieldReadersMatch(t *testing.T) {
	members := []string{
		``, `"k":null`, `"k":""`, `"k":" "`, `"k":"\t"`, `"k":"x"`, `"k":" x"`, `"k":"x "`,
		`"k":"\u0041b"`, `"k":"\\"`, `"k":"ø"`, `"k":"\u00f8"`, `"k":"\u00a0"`, `"k":"` + "\u00a0" + `"`,
		`"k":"` + "\x7f" + `"`, `"k":"` + strings.Repeat("a", maxShortText) + `"`,
		`"k":"` + strings.Repeat("a", maxShortText+1) + `"`, `"k":"` + strings.Repeat("ø", 128) + `"`,
		`"k":0`, `"k":1`, `"k":2`, `"k":-1`, `"k":12.5`, `"k":12.345`, `"k":1e2`, `"k":1e400`, `"k":-0`,
		`"k":99999999999999999999`, `"k":"12.50"`, `"k":" 12 "`, `"k":"12,5"`, `"k":"1e2"`, `"k":99999999999`, `"k":-99999999999`, `"k":1000000000000000000000`,
		`"k":"ab"`, `"k":"` + strings.Repeat("a", 16) + `"`, `"k":"` + strings.Repeat("a", 17) + `"`,
		`"k":true`, `"k":false`, `"k":{}`, `"k":[]`, `"k":[1]`, `"k":{"a":1}`,
	}
	data, cd := at("data"), at("data.customerDetails")
	parents := []fpath{data, elem("data.productList", 3), data.at("sendOrderBy"), cd.at("address"),
		elem("data.paymentHistory.captured", 0)}
	for _, m := range members {
		for _, borrow := range []bool{false, true} {
			for _, parent := range parents {
				doc, err := jsonx.Parse([]byte(`{` + m + `}`))
				if err != nil {
					t.Fatalf("%s: %v", m, err)
				}
				obj := doc.Root()
				fast := respChecker{checker{borrow: borrow}}
				gen := respChecker{checker{borrow: borrow}}
				p := parent
				check := func(what string, got, want any) {
					t.Helper()
					if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(fast.errs, gen.errs) {
						t.Errorf("%s of {%s} under %s, borrow %v: got %#v %v; want %#v %v",
							what, m, &parent, borrow, got, fast.errs, want, gen.errs)
					}
				}
				want := parent.at("k")
				c1, c2, c3 := obj.Cursor(), obj.Cursor(), obj.Cursor()
				check("strAt", fast.strAt(&c1, "k", &p), gen.optStr(obj.Get("k"), want))
				check("amountAt", fast.amountAt(&c2, "k", &p), gen.optAmount(obj.Get("k"), want))
				check("boolAt", fast.boolAt(&c3, "k", &p), gen.optBool(obj.Get("k"), want))
				for _, req := range []bool{false, true} {
					for _, max := range []int{0, 1, 16, maxShortText} {
						s, ok := fast.strIn(obj.Get("k"), &p, "k", req, max)
						ws, wok := gen.str(obj.Get("k"), want, req, max)
						check(fmt.Sprintf("strIn (required %v, max %d)", req, max), []any{s, ok}, []any{ws, wok})
						b, ok := fast.strb(obj.Get("k"), want, req, max)
						wb, wok := gen.strbSlow(obj.Get("k"), want, req, max)
						check(fmt.Sprintf("strb (required %v, max %d)", req, max), []any{string(b), ok}, []any{string(wb), wok})
					}
					if req {
						n, ok := fast.id(obj.Get("k"), want)
						wn, wok := gen.idSlow(obj.Get("k"), want)
						check("id", []any{n, ok}, []any{wn, wok})
					}
					nb, nok := fast.number(obj.Get("k"), want, req)
					wnb, wnok := gen.numberSlow(obj.Get("k"), want, req)
					check(fmt.Sprintf("number (required %v)", req), []any{string(nb), nok}, []any{string(wnb), wnok})
					check(fmt.Sprintf("intIn (required %v)", req), fast.intIn(obj.Get("k"), &p, "k", req), gen.intField(obj.Get("k"), want, req))
				}
				if p != parent {
					t.Errorf("a reader changed its parent path: %s", &p)
				}
			}
		}
	}
}

// TestPathString spells every shape of path the checkers build.
func TestPathString(t *testing.T) {
	root, lines, data := at(""), at("lines"), at("data.paymentHistory.reserved")
	l3 := elem("lines", 3)
	l3name := l3.at("name")
	cust := at("customer")
	addr := cust.at("address")
	i0 := data.index(0)
	nested := addr.index(2)
	for _, c := range []struct {
		p    fpath
		want string
	}{
		{root, ""},
		{root.at("x"), "x"},
		{root.index(1), ".1"},
		{lines, "lines"},
		{lines.index(0), "lines.0"},
		{l3, "lines.3"},
		{l3name, "lines.3.name"},
		{l3name.at("deeper"), "lines.3.name.deeper"},
		{addr, "customer.address"},
		{addr.at("street"), "customer.address.street"},
		{i0, "data.paymentHistory.reserved.0"},
		{i0.at("amount"), "data.paymentHistory.reserved.0.amount"},
		{nested, "customer.address.2"},
		{nested.at("x"), "customer.address.2.x"},
	} {
		if got := c.p.String(); got != c.want {
			t.Errorf("path %q; want %q", got, c.want)
		}
	}
}

// TestParseDetailsIntoReuses parses every documented details answer, and
// variants that lack or empty the lists, in turn into one Details: each
// result equals a fresh parse, field for field, and Forget between parses
// changes nothing but what the Details refers to.
func TestParseDetailsIntoReuses(t *testing.T) {
	concrete := string(readResponse(t, "details-200-concrete.json"))
	bodies := []string{concrete}
	for _, f := range responseFiles(t) {
		if fixtureOp(f) == OpDetails {
			bodies = append(bodies, string(readResponse(t, f)))
		}
	}
	// Fewer products and events, none, an empty or absent organization.
	for _, cut := range []struct{ from, to string }{
		{`"productList": [`, `"productList": [], "x": [`},
		{`"paymentHistory": {`, `"paymentHistory": {"reserved": null, "x": {`},
		{`"organizationDetails": {`, `"organizationDetails": null, "x": {`},
		{`"captured": [`, `"captured": [], "x": [`},
	} {
		if !strings.Contains(concrete, cut.from) {
			t.Fatalf("the concrete answer holds no %q", cut.from)
		}
		bodies = append(bodies, strings.Replace(concrete, cut.from, cut.to, 1))
	}
	var reused Details
	for round := 0; round < 3; round++ {
		for i := range bodies {
			body := bodies[(i*7+round)%len(bodies)]
			for _, status := range []int{200, 404} {
				want, wantErr := ParseDetailsBorrowed(Response{Status: status, Body: []byte(body)})
				err := ParseDetailsInto(Response{Status: status, Body: []byte(body)}, &reused)
				if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
					t.Fatalf("body %d, status %d: error %v; want %v", i, status, err, wantErr)
				}
				if err == nil && !reflect.DeepEqual(&reused, want) {
					t.Fatalf("body %d, status %d, round %d: reused\n%+v\nwant\n%+v", i, status, round, reused, *want)
				}
				if round == 1 {
					reused.Forget()
					if reused.ReservationUUID != "" || len(reused.Products) != 0 || reused.Organization != nil && reused.Organization.Name != "" {
						t.Fatalf("Forget kept %+v", reused)
					}
				}
			}
		}
	}
}

// TestDecodeCheckedIntoReuses decodes the orders of the build vectors, and
// variants with fewer and more lines, in turn into one CheckedOrder, with
// and without Forget between: each order, and each payload built from it,
// equals a fresh DecodeChecked's.
func TestDecodeCheckedIntoReuses(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "vectors", "build-*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var orders []string
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var v struct{ Input string }
		var in struct {
			Order json.RawMessage `json:"order"`
		}
		if json.Unmarshal(b, &v) == nil && json.Unmarshal([]byte(v.Input), &in) == nil && in.Order != nil {
			orders = append(orders, string(in.Order))
		}
	}
	if len(orders) < 5 {
		t.Fatalf("only %d orders in the build vectors", len(orders))
	}
	line := `{"name":"Extra","sku":"X-1","unitPrice":1000,"quantity":3,"taxRate":25}`
	for _, o := range orders[:3] {
		if i := strings.Index(o, `"lines":[`); i >= 0 {
			at := i + len(`"lines":[`)
			orders = append(orders, o[:at]+line+","+line+","+o[at:])
		}
	}
	opts := Options{Now: time.Unix(1756871295, 0)}
	var reused CheckedOrder
	for round := 0; round < 3; round++ {
		for i := range orders {
			src := orders[(i*5+round)%len(orders)]
			d, err := jsonx.Parse([]byte(src))
			if err != nil {
				t.Fatal(err)
			}
			fresh, ferr := DecodeChecked(d.Root(), opts)
			err = DecodeCheckedInto(d.Root(), opts, &reused)
			if (err == nil) != (ferr == nil) || (err != nil && err.Error() != ferr.Error()) {
				t.Fatalf("order %d: error %v; want %v", i, err, ferr)
			}
			if err != nil {
				continue
			}
			if !reflect.DeepEqual(reused.Order(), fresh.Order()) {
				t.Fatalf("order %d, round %d: reused\n%+v\nwant\n%+v", i, round, reused.Order(), fresh.Order())
			}
			for _, op := range []string{OpSubmit, OpCreate} {
				want, werr := fresh.Build(op, opts, "", "", "")
				got, gerr := reused.Build(op, opts, "", "", "")
				if string(got) != string(want) || (gerr == nil) != (werr == nil) {
					t.Fatalf("order %d, %s: reused builds\n%s %v\nwant\n%s %v", i, op, got, gerr, want, werr)
				}
			}
			if round == 1 {
				reused.Forget()
				if o := reused.Order(); o.Customer.Name != "" || len(o.Lines) != 0 {
					t.Fatalf("Forget kept %+v", o)
				}
			}
		}
	}
}

// The text fields of FrontGo's answers have no length limit but the
// input's: a product name or terms longer than frontgate would send (typed
// in FrontGo's portal, say) once made the whole details answer malformed,
// so that no state of that reservation could be confirmed.
func TestAnswersTakeLongText(t *testing.T) {
	long := strings.Repeat("Dobbeltrom med frokost, ", 20) // 480 bytes
	terms := strings.Repeat("Vilkår gjelder. ", 700)       // 11.9 kB
	body := strings.Replace(string(readResponse(t, "details-200-concrete.json")), `"name": "Double room, 2 nights"`, `"name": "`+long+`"`, 1)
	body = strings.Replace(body, `"termsAndCondition": null`, `"termsAndCondition": "`+terms+`"`, 1)
	d, err := ParseDetails(Response{Status: 200, Body: []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
	if d.Products[0].Name != long || d.TermsAndCondition != terms {
		t.Fatalf("name %d bytes, terms %d bytes", len(d.Products[0].Name), len(d.TermsAndCondition))
	}
	note := strings.Repeat("x", 20000)
	hist := strings.Replace(string(readResponse(t, "history-200-reservationRetrievedSuccessfully.json")), `"note": null`, `"note": "`+note+`"`, 1)
	evs, err := ParseHistory(Response{Status: 200, Body: []byte(hist)})
	if err != nil || evs[0].Note != note {
		t.Fatalf("history with a long note: %v", err)
	}
}

// A details status is read in the reference's spelling, so that whoever
// compares or tells it (the sidecar's marks, the shop's events) sees one
// spelling; an unknown status stays as sent.
func TestDetailsStatusSpelling(t *testing.T) {
	concrete := string(readResponse(t, "details-200-concrete.json"))
	for sent, want := range map[string]string{"Captured": "CAPTURED", "RESEVRED": "RESERVED", "partial_refunded": "PARTIAL REFUNDED",
		" captured ": "CAPTURED", "ON HOLD": "ON HOLD"} {
		body := strings.Replace(concrete, `"status": "CAPTURED"`, `"status": "`+sent+`"`, 1)
		if body == concrete {
			t.Fatal(`the concrete answer holds no "status": "CAPTURED"`)
		}
		d, err := ParseDetails(Response{Status: 200, Body: []byte(body)})
		if err != nil || d.Status != want {
			t.Errorf("status %q: %q, %v; want %q", sent, d.Status, err, want)
		}
	}
}

// Amounts of FrontGo's answers that carry float noise (PHP printing a float
// in full: 149.95 × 3 as 449.84999999999997) are read as the øre they
// mean; a real third decimal still makes the answer malformed.
func TestAnswerAmountsWithFloatNoise(t *testing.T) {
	concrete := string(readResponse(t, "details-200-concrete.json"))
	for sent, want := range map[string]string{"449.84999999999997": "449.85", "0.30000000000000004": "0.30", "1.0000000000000002": "1.00", "449.8400000001": "449.84"} {
		body := strings.Replace(concrete, `"grandTotal": 2950.85`, `"grandTotal": `+sent, 1)
		if body == concrete {
			t.Fatal(`the concrete answer holds no "grandTotal": 2950.85`)
		}
		d, err := ParseDetails(Response{Status: 200, Body: []byte(body)})
		if err != nil || d.GrandTotal.String() != want {
			t.Errorf("grandTotal %s: %v, %v; want %s", sent, d, err, want)
		}
	}
	for _, sent := range []string{"449.845", "449.8451", "1e-3"} {
		body := strings.Replace(concrete, `"grandTotal": 2950.85`, `"grandTotal": `+sent, 1)
		if _, err := ParseDetails(Response{Status: 200, Body: []byte(body)}); err == nil || !strings.Contains(err.Error(), "grandTotal") {
			t.Errorf("grandTotal %s read without an error (%v)", sent, err)
		}
	}
}

// TestPHPObjectLists: FrontGo's lists written as PHP writes an array whose
// keys are not 0…n-1 ({"0": …, "2": …}) read as the arrays they stand for,
// in the document's order; errors inside name the element by its key.
func TestPHPObjectLists(t *testing.T) {
	var orig map[string]any
	if err := json.Unmarshal(readResponse(t, "details-200-concrete.json"), &orig); err != nil {
		t.Fatal(err)
	}
	want, err := ParseDetails(Response{Status: 200, Body: readResponse(t, "details-200-concrete.json")})
	if err != nil {
		t.Fatal(err)
	}
	// asObject turns a list into {"<key>": element} with keys 0, 2, 4….
	asObject := func(v any) string {
		var b strings.Builder
		b.WriteString("{")
		for i, e := range v.([]any) {
			if i > 0 {
				b.WriteString(",")
			}
			j, _ := json.Marshal(e)
			fmt.Fprintf(&b, `"%d":%s`, 2*i, j)
		}
		b.WriteString("}")
		return b.String()
	}
	data := orig["data"].(map[string]any)
	history := data["paymentHistory"].(map[string]any)
	prods := data["productList"].([]any)
	products := asObject(prods)
	captured := asObject(history["captured"])
	data["productList"], history["captured"] = json.RawMessage(products), json.RawMessage(captured)
	body, _ := json.Marshal(orig)
	got, err := ParseDetails(Response{Status: 200, Body: body})
	if err != nil {
		t.Fatalf("object lists: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("object lists read\n%+v\nwant\n%+v", got, want)
	}

	prods[1].(map[string]any)["rate"] = "x"
	data["productList"] = json.RawMessage(asObject(prods))
	body, _ = json.Marshal(orig)
	_, err = ParseDetails(Response{Status: 200, Body: body})
	var ae *APIError
	if !errors.As(err, &ae) || len(ae.Fields) != 1 || ae.Fields[0].Path != "data.productList.2.rate" {
		t.Fatalf("an error in an object list: %v, want one at data.productList.2.rate", err)
	}
	for _, bad := range []string{`{}`, `{"0":{},"x":{}}`, `{"-1":{}}`, `{"1048576":{}}`, `{" 1":{}}`, `{"00":{}}`} {
		data["productList"] = json.RawMessage(bad)
		body, _ = json.Marshal(orig)
		_, err = ParseDetails(Response{Status: 200, Body: body})
		if !errors.As(err, &ae) || len(ae.Fields) != 1 || ae.Fields[0].Path != "data.productList" || ae.Fields[0].Rule != RuleType {
			t.Errorf("productList %s: %v, want a type error at data.productList", bad, err)
		}
	}
}
