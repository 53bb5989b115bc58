package reservation

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/frontgate/frontgate/plugin/internal/jsonx"
)

// TestFieldReadersMatch holds the field readers that take the common case
// first (the details parser's strAt, amountAt and boolAt, the order's strIn
// and intIn) to the general readers they stand for: the same value and the same field errors for
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
	parents := []fpath{at("data"), at("data.productList").index(3), at("data").at("sendOrderBy"),
		at("data.customerDetails").at("address"), at("data.paymentHistory.captured").index(0)}
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
							what, m, parent, borrow, got, fast.errs, want, gen.errs)
					}
				}
				check("strAt", fast.strAt(obj, "k", &p), gen.optStr(obj.Get("k"), parent.at("k")))
				check("amountAt", fast.amountAt(obj, "k", &p), gen.optAmount(obj.Get("k"), parent.at("k")))
				check("boolAt", fast.boolAt(obj, "k", &p), gen.optBool(obj.Get("k"), parent.at("k")))
				for _, req := range []bool{false, true} {
					for _, max := range []int{1, 16, maxShortText} {
						s, ok := fast.strIn(obj.Get("k"), &p, "k", req, max)
						ws, wok := gen.str(obj.Get("k"), parent.at("k"), req, max)
						check(fmt.Sprintf("strIn (required %v, max %d)", req, max), []any{s, ok}, []any{ws, wok})
					}
					check(fmt.Sprintf("intIn (required %v)", req), fast.intIn(obj.Get("k"), &p, "k", req), gen.intField(obj.Get("k"), parent.at("k"), req))
				}
				if p != parent {
					t.Errorf("a reader changed its parent path: %s", p)
				}
			}
		}
	}
}
