package conformance

import (
	"bytes"

	"encoding/json"
	"github.com/frontgate/frontgate/plugin/callback"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The reference's Submit Reservation example, with the due date the clock
// below makes "now".
const submitExample = `{
  "customerDetails": {"uuid": "", "type": "private", "countryCode": "+880", "msisdn": "1724313009",
    "email": "nafees@yopmail.com", "name": "Nafees", "preferredLanguage": "en", "personalNumber": "19635464524",
    "organizationId": null, "address": {"street": "Dhaka", "zip": "3500", "city": "Cumilla", "country": "NO"}},
  "orderDate": "1756871295", "dueDateForPaymentLink": "1756871295", "referenceNo": null, "customerReference": null,
  "sendOrderBy": {"sms": false, "email": true},
  "products": {"0": {"name": "Test", "productId": null, "rate": 1, "tax": "0", "amount": 1}},
  "orderSummary": {"subTotal": 1, "totalTax": 0, "grandTotal": 1},
  "chargeValidity": "55", "customerNotes": null, "tnc": null,
  "settings": {"secureDetails": false, "isChargePartiallyRefundable": false},
  "callback": {"callbackUrl": "https://wp.frontpayment.no"}
}`

const submitNow = 1756871295

// The reference's Create Session example.
const createExample = `{
  "customerDetails": {"type": "private", "countryCode": "+47", "msisdn": "46567468", "email": "nafees@yopmail.com",
    "name": "Nafees", "preferredLanguage": "en", "personalNumber": null, "organizationId": null,
    "address": {"street": "Dhaka", "zip": "3500", "city": "Cumilla", "country": "NO"}},
  "orderDate": "1724294524", "dueDateForPaymentLink": "1724294524", "referenceNo": null, "customerReference": null,
  "sendOrderBy": {"sms": false, "email": false},
  "products": {"0": {"name": "Test", "productId": null, "rate": 1000, "tax": "0", "amount": 1000}},
  "orderSummary": {"subTotal": 1000.00, "totalTax": 0, "grandTotal": 1000.00},
  "chargeValidity": "55", "customerNotes": null, "tnc": null, "submitPayment": {"via": "visa"},
  "callback": {"callbackUrl": "https://wp.frontpayment.no/?order_identifier=rRbl1FWZG59o&order_status=success",
    "success": "https://wp.frontpayment.no/?order_identifier=rRbl1FWZG59o&order_status=success",
    "failure": "https://frontpayment.no/?order_identifier=rRbl1FWZG59o&order_status=failed"},
  "settings": {"secureDetails": false, "isChargePartiallyRefundable": true}
}`

const createNow = 1724294524

const (
	captureExample = `{"products": {"0": {"id": 298, "amount": 5}, "1": {"id": 299, "amount": 50}}, "grandTotal": 55, "additionalText": "My additional Text for capture"}`
	chargeExample  = `{"products": {"0": {"name": "Charge QA", "productId": null, "rate": 150, "tax": "0", "amount": 150}}, "grandTotal": 150, "additionalText": "My additional Text for capture"}`
	refundExample  = `{"type": "reservation", "grandTotal": 15, "products": [{"id": 510, "amount": 15}], "source": "captured", "reference": "CAP123234"}`
	uuid           = "RES1943140879"
)

type edit struct {
	path string
	val  any
	del  bool
}

func set(p string, v any) edit { return edit{path: p, val: v} }
func del(p string) edit        { return edit{path: p, del: true} }
func num(s string) json.Number { return json.Number(s) }

// mutate decodes base, applies edits at dotted paths and re-encodes.
func mutate(t *testing.T, base string, edits ...edit) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(base))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("bad base: %v", err)
	}
	for _, e := range edits {
		parts := strings.Split(e.path, ".")
		cur := v
		for _, p := range parts[:len(parts)-1] {
			switch m := cur.(type) {
			case map[string]any:
				cur = m[p]
			case []any:
				i, _ := strconv.Atoi(p)
				cur = m[i]
			}
		}
		last := parts[len(parts)-1]
		switch m := cur.(type) {
		case map[string]any:
			if e.del {
				delete(m, last)
			} else {
				m[last] = e.val
			}
		case []any:
			i, _ := strconv.Atoi(last)
			m[i] = e.val
		default:
			t.Fatalf("path %s does not reach an object", e.path)
		}
	}
	return v
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func input(t *testing.T, m map[string]any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSpace(b.Bytes())
}

func allCases(t *testing.T) []vcase {
	var cs []vcase
	add := func(c vcase) { cs = append(cs, c) }

	// ---- submit ----
	sub := func(name string, want []string, edits ...edit) {
		add(vcase{name: "submit: " + name, fn: "validate_submit",
			input: input(t, map[string]any{"now": submitNow, "payload": mutate(t, submitExample, edits...)}),
			ok:    want == nil, rules: want, code: codeFor(want)})
	}
	sub("the reference example", nil)
	sub("products as a JSON array", nil, set("products", []any{map[string]any{"name": "Test", "productId": nil, "rate": 1, "tax": "0", "amount": 1}}))
	sub("optional fields absent", nil, del("customerDetails.uuid"), del("customerDetails.personalNumber"), del("customerDetails.organizationId"),
		del("referenceNo"), del("customerReference"), del("chargeValidity"), del("customerNotes"), del("tnc"), del("settings"), del("callback"))
	// Required in Submit's table, which (unlike Create's) gives no default.
	sub("preferred language absent", []string{"customerDetails.preferredLanguage:required"}, del("customerDetails.preferredLanguage"))
	sub("preferred language null", []string{"customerDetails.preferredLanguage:required"}, set("customerDetails.preferredLanguage", nil))
	// Required: an empty string is missing, never replaced by a default.
	sub("preferred language empty", []string{"customerDetails.preferredLanguage:required"}, set("customerDetails.preferredLanguage", ""))
	sub("preferred language blank", []string{"customerDetails.preferredLanguage:enum"}, set("customerDetails.preferredLanguage", "  "))
	for _, f := range []string{"type", "countryCode", "msisdn", "email", "name", "address"} {
		sub("customer "+f+" missing", []string{"customerDetails." + f + ":required"}, del("customerDetails."+f))
	}
	for _, f := range []string{"street", "zip", "city", "country"} {
		sub("address "+f+" missing", []string{"customerDetails.address." + f + ":required"}, del("customerDetails.address."+f))
	}
	sub("customerDetails missing", []string{"customerDetails:required"}, del("customerDetails"))
	sub("customerDetails as an array", []string{"customerDetails:type"}, set("customerDetails", []any{}))
	sub("customer type business", []string{"customerDetails.type:enum"}, set("customerDetails.type", "business"))
	sub("customer name blank", []string{"customerDetails.name:required"}, set("customerDetails.name", "   "))
	sub("corporate without organizationId", []string{"customerDetails.organizationId:required_if"}, set("customerDetails.type", "corporate"))
	sub("corporate with organizationId", nil, set("customerDetails.type", "corporate"), set("customerDetails.organizationId", "987654321"))
	sub("organizationId with a space", []string{"customerDetails.organizationId:digits"}, set("customerDetails.type", "corporate"), set("customerDetails.organizationId", "987 654 321"))
	sub("organizationId as a number", []string{"customerDetails.organizationId:type"}, set("customerDetails.organizationId", 987654321))
	sub("personal number of 10 digits", []string{"customerDetails.personalNumber:length"}, set("customerDetails.personalNumber", "1963546452"))
	sub("personal number of 12 digits", []string{"customerDetails.personalNumber:length"}, set("customerDetails.personalNumber", "196354645241"))
	sub("personal number with a space", []string{"customerDetails.personalNumber:digits"}, set("customerDetails.personalNumber", "196354 64524"))
	sub("personal number as a number", []string{"customerDetails.personalNumber:type"}, set("customerDetails.personalNumber", 19635464524))
	sub("personal number empty is absent", nil, set("customerDetails.personalNumber", ""))
	for i, e := range []string{"nafees", "nafees@", "@yopmail.com", "na fees@yopmail.com", "nafees@yopmail", "nafees@@yopmail.com", "nafees@yop_mail.com", ".nafees@yopmail.com", "nafees@yopmail.123"} {
		sub("email invalid "+strconv.Itoa(i+1)+" "+e, []string{"customerDetails.email:email"}, set("customerDetails.email", e))
	}
	sub("email with plus and subdomain", nil, set("customerDetails.email", "kari.nordmann+shop@mail.example.no"))
	for i, cc := range []string{"47", "+", "+047", "+47 ", "+12345", "+4a"} {
		sub("dialing code invalid "+strconv.Itoa(i+1)+" "+strconv.Quote(cc), []string{"customerDetails.countryCode:dialing_code"}, set("customerDetails.countryCode", cc))
	}
	sub("dialing code as a number", []string{"customerDetails.countryCode:type"}, set("customerDetails.countryCode", 47))
	sub("msisdn with spaces", []string{"customerDetails.msisdn:digits"}, set("customerDetails.msisdn", "465 67 468"))
	sub("msisdn with country code", []string{"customerDetails.msisdn:digits"}, set("customerDetails.msisdn", "+4746567468"))
	sub("msisdn of 3 digits", []string{"customerDetails.msisdn:length"}, set("customerDetails.msisdn", "465"))
	sub("msisdn of 16 digits", []string{"customerDetails.msisdn:length"}, set("customerDetails.msisdn", "1234567890123456"))
	sub("msisdn as a number", []string{"customerDetails.msisdn:type"}, set("customerDetails.msisdn", 46567468))
	sub("preferred language fr", []string{"customerDetails.preferredLanguage:enum"}, set("customerDetails.preferredLanguage", "fr"))
	sub("preferred language upper case", []string{"customerDetails.preferredLanguage:enum"}, set("customerDetails.preferredLanguage", "NO"))
	for _, l := range []string{"no", "sv", "da", "de"} {
		sub("preferred language "+l, nil, set("customerDetails.preferredLanguage", l))
	}
	sub("country lower case", []string{"customerDetails.address.country:country"}, set("customerDetails.address.country", "no"))
	sub("country UK is not ISO", []string{"customerDetails.address.country:country"}, set("customerDetails.address.country", "UK"))
	sub("country XX", []string{"customerDetails.address.country:country"}, set("customerDetails.address.country", "XX"))
	sub("country alpha-3", []string{"customerDetails.address.country:country"}, set("customerDetails.address.country", "NOR"))
	sub("country Aland", nil, set("customerDetails.address.country", "AX"))
	sub("orderDate as a number", []string{"orderDate:type"}, set("orderDate", 1756871295))
	sub("orderDate in the old d M, Y format", []string{"orderDate:timestamp"}, set("orderDate", "03 Sep, 2025"))
	sub("orderDate missing", []string{"orderDate:required"}, del("orderDate"))
	sub("orderDate zero", []string{"orderDate:timestamp"}, set("orderDate", "0"))
	sub("orderDate in milliseconds", []string{"orderDate:timestamp"}, set("orderDate", "1756871295000"))
	sub("due date one second in the past", []string{"dueDateForPaymentLink:not_past"}, set("dueDateForPaymentLink", "1756871294"))
	sub("due date in the future", nil, set("dueDateForPaymentLink", "1757476095"))
	sub("due date missing", []string{"dueDateForPaymentLink:required"}, del("dueDateForPaymentLink"))
	sub("sendOrderBy missing", []string{"sendOrderBy:required"}, del("sendOrderBy"))
	sub("sendOrderBy.sms missing", []string{"sendOrderBy.sms:required"}, del("sendOrderBy.sms"))
	sub("sendOrderBy.email as 1", []string{"sendOrderBy.email:type"}, set("sendOrderBy.email", 1))
	sub("sendOrderBy.sms as a string", []string{"sendOrderBy.sms:type"}, set("sendOrderBy.sms", "false"))
	sub("products missing", []string{"products:required"}, del("products"))
	sub("products empty", []string{"products:required"}, set("products", map[string]any{}))
	sub("products keyed from 1", []string{"products.1:keys"}, set("products", map[string]any{"1": map[string]any{"name": "Test", "rate": 1, "tax": "0", "amount": 1}}))
	sub("product name missing", []string{"products.0.name:required"}, del("products.0.name"))
	sub("product rate missing", []string{"products.0.rate:required"}, del("products.0.rate"))
	sub("product tax missing", []string{"products.0.tax:required"}, del("products.0.tax"))
	sub("product amount missing", []string{"products.0.amount:required"}, del("products.0.amount"))
	sub("product tax 13", []string{"products.0.tax:tax_rate"}, set("products.0.tax", "13"))
	sub("product tax 25.5", []string{"products.0.tax:tax_rate"}, set("products.0.tax", num("25.5")))
	sub("product tax as a word", []string{"products.0.tax:number"}, set("products.0.tax", "zero"))
	sub("product tax as a number 0", nil, set("products.0.tax", 0))
	sub("product rate with three decimals", []string{"products.0.rate:precision"}, set("products.0.rate", num("1.005")))
	sub("product rate as a numeric string", nil, set("products.0.rate", "1.00"))
	sub("product rate negative", []string{"products.0.rate:min"}, set("products.0.rate", -1))
	sub("product amount not a whole quantity", []string{"products.0.amount:line_total"}, set("products.0.rate", 2), set("products.0.amount", 3),
		set("orderSummary.subTotal", 3), set("orderSummary.grandTotal", 3))
	sub("product amount as exponent", nil, set("products.0.amount", num("1e0")))
	// Crashers the money fuzzer found, kept as vectors: many trailing zeros
	// and a long exponent are exact values, not range errors.
	sub("fuzz crasher: amount with 41 trailing zeros", nil, set("products.0.rate", num("1."+strings.Repeat("0", 41))),
		set("products.0.amount", num("1."+strings.Repeat("0", 41))))
	sub("fuzz crasher: zero with a long exponent", []string{"orderSummary.totalTax:tax_total"}, set("orderSummary.totalTax", num("0e0100010")),
		set("products.0.tax", "25"))
	sub("productId as a number", []string{"products.0.productId:type"}, set("products.0.productId", 42))
	sub("orderSummary missing", []string{"orderSummary:required"}, del("orderSummary"))
	sub("subTotal off by one øre", []string{"orderSummary.subTotal:sum", "orderSummary.grandTotal:sum"}, set("orderSummary.subTotal", num("1.01")))
	sub("grandTotal not subTotal", []string{"orderSummary.grandTotal:sum"}, set("orderSummary.grandTotal", num("1.25")))
	sub("grandTotal zero", []string{"orderSummary.grandTotal:min", "orderSummary.subTotal:sum"}, set("products.0.rate", 0), set("products.0.amount", 0),
		set("orderSummary.grandTotal", 0))
	sub("totalTax wrong", []string{"orderSummary.totalTax:tax_total"}, set("products.0.tax", "25"), set("orderSummary.totalTax", num("0.50")))
	sub("totalTax within one øre per line", nil, set("products", map[string]any{
		"0": map[string]any{"name": "A", "rate": num("99.90"), "tax": "25", "amount": num("99.90")},
		"1": map[string]any{"name": "B", "rate": num("49.90"), "tax": "15", "amount": num("99.80")}}),
		set("orderSummary", map[string]any{"subTotal": num("199.70"), "totalTax": num("32.99"), "grandTotal": num("199.70")}))
	// oneLine is a body of one line of rate × units at tax, whose
	// orderSummary gives totalTax total.
	oneLine := func(rate, tax, amount string) func(total string) []edit {
		return func(total string) []edit {
			return []edit{set("products", map[string]any{
				"0": map[string]any{"name": "A", "rate": num(rate), "tax": tax, "amount": num(amount)}}),
				set("orderSummary", map[string]any{"subTotal": num(amount), "totalTax": num(total), "grandTotal": num(amount)})}
		}
	}
	// 100 units of 1.01 at 25 %: 20.20 rounded per line (exact, so no øre
	// either side), 100 × 0.20 = 20.00 rounded per unit; nothing else.
	hundred := oneLine("1.01", "25", "101.00")
	sub("totalTax rounded per unit", nil, hundred("20.00")...)
	sub("totalTax past per-unit rounding", []string{"orderSummary.totalTax:tax_total"}, hundred("19.69")...)
	sub("totalTax between per-unit and per-line rounding", []string{"orderSummary.totalTax:tax_total"}, hundred("20.10")...)
	// 1,000 units of 1.00 at 25 %: the tax is exactly 200.00 however it is
	// rounded, so many units open no allowance.
	thousand := oneLine("1.00", "25", "1000.00")
	sub("totalTax of an exact line", nil, thousand("200.00")...)
	sub("totalTax off an exact line by many units", []string{"orderSummary.totalTax:tax_total"}, thousand("195.00")...)
	sub("totalTax off an exact line by one øre", []string{"orderSummary.totalTax:tax_total"}, thousand("200.01")...)
	// Free lines have no tax to round: nine of them open no allowance.
	free := map[string]any{"0": map[string]any{"name": "A", "rate": num("100.00"), "tax": "25", "amount": num("100.00")}}
	for i := 1; i <= 9; i++ {
		free[strconv.Itoa(i)] = map[string]any{"name": "Gift", "rate": num("0.00"), "tax": "25", "amount": num("0.00")}
	}
	sub("totalTax not widened by free lines", []string{"orderSummary.totalTax:tax_total"}, set("products", free),
		set("orderSummary", map[string]any{"subTotal": num("100.00"), "totalTax": num("19.99"), "grandTotal": num("100.00")}))
	// 10 units of 0.14 at 12 %: the line's tax is exactly 0.15, each unit's
	// exactly 1.5 øre, so per unit rounds to 0.20 (half away from zero) or
	// 0.10 (half towards it); nothing between.
	tie := oneLine("0.14", "12", "1.40")
	sub("totalTax of a line of half-øre units", nil, tie("0.15")...)
	// A line with no rate but an amount is refused, and the tax allowance
	// (worked out because totalTax is off) does not divide by its rate.
	sub("totalTax off, a line without a rate", []string{"products.0.amount:line_total", "orderSummary.totalTax:tax_total"},
		oneLine("0.00", "25", "100.00")("1.00")...)
	sub("totalTax rounded per unit, a half øre towards zero", nil, tie("0.10")...)
	sub("totalTax rounded per unit, a half øre away from zero", nil, tie("0.20")...)
	sub("totalTax between the roundings of half-øre units", []string{"orderSummary.totalTax:tax_total"}, tie("0.14")...)
	sub("totalTax past a half øre per unit", []string{"orderSummary.totalTax:tax_total"}, tie("0.09")...)
	sub("totalTax of mixed rates", nil, set("products", map[string]any{
		"0": map[string]any{"name": "A", "rate": num("125.00"), "tax": "25", "amount": num("250.00")},
		"1": map[string]any{"name": "B", "rate": num("112.00"), "tax": "12", "amount": num("112.00")}}),
		set("orderSummary", map[string]any{"subTotal": num("362.00"), "totalTax": num("62.00"), "grandTotal": num("362.00")}))
	sub("chargeValidity as a number", []string{"chargeValidity:type"}, set("chargeValidity", 55))
	sub("chargeValidity with words", []string{"chargeValidity:digits"}, set("chargeValidity", "55 days"))
	sub("callbackUrl ftp", []string{"callback.callbackUrl:url"}, set("callback.callbackUrl", "ftp://wp.frontpayment.no"))
	sub("callbackUrl relative", []string{"callback.callbackUrl:url"}, set("callback.callbackUrl", "/frontgo/callback"))
	sub("callbackUrl with credentials", []string{"callback.callbackUrl:url"}, set("callback.callbackUrl", "https://user:pw@shop.example/cb"))
	sub("callbackUrl with a space", []string{"callback.callbackUrl:url"}, set("callback.callbackUrl", "https://shop.example/a b"))
	sub("callbackUrl with a port and query", nil, set("callback.callbackUrl", "http://127.0.0.1:8080/cb?shop=1&order=2"))
	for i, u := range []string{"https://x.no:99999/", "https://x.no:0/", "https://x.no:/", "https://x..no/", "https://-x.no/", "https://x-.no/cb",
		"https://.x.no/", "https://x.no./", "https://[::1]:65536/", "https://[::1/", "https://[x]/", "https://:443/"} {
		sub("callbackUrl refused "+strconv.Itoa(i+1)+" "+u, []string{"callback.callbackUrl:url"}, set("callback.callbackUrl", u))
	}
	for i, u := range []string{"https://x.no:65535/cb", "https://x.no:1/", "https://a-b.x-y.no/", "https://[::1]:8443/cb", "https://xn--bcher-kva.no/", "https://bücher.no/"} {
		sub("callbackUrl accepted "+strconv.Itoa(i+1)+" "+u, nil, set("callback.callbackUrl", u))
	}
	sub("chargeValidity of 100000 days in minutes", nil, set("chargeValidity", "144000000"))
	sub("chargeValidity past 100000 days in minutes", []string{"chargeValidity:range"}, set("chargeValidity", "144000001"))
	sub("success url is create only", []string{"callback.success:unknown"}, set("callback.success", "https://shop.example/ok"))
	sub("submitPayment is create only", []string{"submitPayment:unknown"}, set("submitPayment", map[string]any{"via": "visa"}))
	sub("unknown top-level field", []string{"callbackURL:unknown"}, set("callbackURL", "https://shop.example/cb"))
	sub("settings.secureDetails as yes", []string{"settings.secureDetails:type"}, set("settings.secureDetails", "yes"))
	sub("tnc as a number", []string{"tnc:type"}, set("tnc", 1))
	sub("name too long", []string{"customerDetails.name:max_length"}, set("customerDetails.name", strings.Repeat("x", 256)))
	sub("every problem at once", []string{"customerDetails.email:email", "customerDetails.personalNumber:length",
		"customerDetails.address.country:country", "products.0.tax:tax_rate", "orderSummary.grandTotal:sum", "dueDateForPaymentLink:not_past"},
		set("customerDetails.email", "x"), set("customerDetails.personalNumber", "1"), set("customerDetails.address.country", "ZZ"),
		set("products.0.tax", "7"), set("orderSummary.grandTotal", 2), set("dueDateForPaymentLink", "1"))
	rawSub := func(name, payload string, code string, want []string) {
		add(vcase{name: "submit: " + name, fn: "validate_submit", input: []byte(`{"now":1756871295,"payload":` + payload + `}`), rules: want, code: code})
	}
	rawSub("duplicate key", `{"orderDate":"1","orderDate":"2"}`, "bad_input", nil)
	rawSub("payload is an array", `[]`, "bad_input", []string{"payload:type"})
	add(vcase{name: "submit: input is not JSON", fn: "validate_submit", input: []byte(`{"payload":`), code: "bad_input"})
	add(vcase{name: "submit: payload missing", fn: "validate_submit", input: []byte(`{"now":1756871295}`), code: "bad_input", rules: []string{"payload:required"}})
	add(vcase{name: "submit: tax rates configured", fn: "validate_submit",
		input: input(t, map[string]any{"now": submitNow, "taxRates": []any{0, num("11.11"), 25}, "payload": mutate(t, submitExample, set("products.0.tax", num("11.11")), set("orderSummary.totalTax", num("0.10")))}), ok: true})

	// ---- create ----
	cre := func(name string, want []string, edits ...edit) {
		add(vcase{name: "create: " + name, fn: "validate_create",
			input: input(t, map[string]any{"now": createNow, "payload": mutate(t, createExample, edits...)}),
			ok:    want == nil, rules: want, code: codeFor(want)})
	}
	cre("the reference example", nil)
	// Create's table: "If nothing is given it will set default to no".
	cre("preferred language absent defaults to no", nil, del("customerDetails.preferredLanguage"))
	cre("preferred language blank", []string{"customerDetails.preferredLanguage:enum"}, set("customerDetails.preferredLanguage", " "))
	cre("submitPayment missing", []string{"submitPayment:required"}, del("submitPayment"))
	cre("via amex", []string{"submitPayment.via:enum"}, set("submitPayment.via", "amex"))
	cre("via mastercard", nil, set("submitPayment.via", "mastercard"))
	cre("via Visa capitalised", []string{"submitPayment.via:enum"}, set("submitPayment.via", "Visa"))
	cre("success not a URL", []string{"callback.success:url"}, set("callback.success", "thank-you"))
	cre("failure javascript", []string{"callback.failure:url"}, set("callback.failure", "javascript:alert(1)"))
	cre("unknown callback member", []string{"callback.cancel:unknown"}, set("callback.cancel", "https://frontpayment.no/"))
	cre("corporate customer", nil, set("customerDetails.type", "corporate"), set("customerDetails.organizationId", "915123456"))
	cre("grandTotal with three decimals", []string{"orderSummary.grandTotal:precision"}, set("orderSummary.grandTotal", num("1000.001")))
	cre("due date before now", []string{"dueDateForPaymentLink:not_past"}, set("dueDateForPaymentLink", "1724294523"))

	// ---- capture ----
	capt := func(name string, body any, id string, want []string) {
		add(vcase{name: "capture: " + name, fn: "validate_capture",
			input: input(t, map[string]any{"reservationUuid": id, "payload": body}), ok: want == nil, rules: want, code: codeFor(want)})
	}
	capt("the reference example", mutate(t, captureExample), uuid, nil)
	capt("without additional text", mutate(t, captureExample, del("additionalText")), uuid, nil)
	capt("grandTotal not the sum", mutate(t, captureExample, set("grandTotal", 60)), uuid, []string{"grandTotal:sum"})
	capt("same product twice", mutate(t, captureExample, set("products.1.id", 298)), uuid, []string{"products.1.id:distinct"})
	capt("product id zero", mutate(t, captureExample, set("products.0.id", 0)), uuid, []string{"products.0.id:min"})
	capt("product id with a fraction", mutate(t, captureExample, set("products.0.id", num("298.5"))), uuid, []string{"products.0.id:integer"})
	capt("product id as text", mutate(t, captureExample, set("products.0.id", "abc")), uuid, []string{"products.0.id:number"})
	capt("product id as numeric text", mutate(t, captureExample, set("products.0.id", "298")), uuid, nil)
	capt("amount zero", mutate(t, captureExample, set("products.0.amount", 0), set("grandTotal", 50)), uuid, []string{"products.0.amount:min"})
	capt("amount negative", mutate(t, captureExample, set("products.0.amount", -5), set("grandTotal", 45)), uuid, []string{"products.0.amount:min"})
	capt("products empty", mutate(t, captureExample, set("products", map[string]any{}), set("grandTotal", 1)), uuid, []string{"products:required"})
	capt("products missing", mutate(t, captureExample, del("products")), uuid, []string{"products:required"})
	capt("grandTotal missing", mutate(t, captureExample, del("grandTotal")), uuid, []string{"grandTotal:required"})
	capt("reservation uuid with a slash", mutate(t, captureExample), "RES1/../../x", []string{"reservationUuid:reservation_uuid"})
	capt("reservation uuid of an order", mutate(t, captureExample), "ODR123", []string{"reservationUuid:reservation_uuid"})
	capt("reservation uuid missing", mutate(t, captureExample), "", []string{"reservationUuid:required"})
	capt("additional text as a number", mutate(t, captureExample, set("additionalText", 5)), uuid, []string{"additionalText:type"})
	capt("unknown member", mutate(t, captureExample, set("amount", 55)), uuid, []string{"amount:unknown"})

	// ---- charge ----
	chg := func(name string, body any, want []string) {
		add(vcase{name: "charge: " + name, fn: "validate_charge",
			input: input(t, map[string]any{"reservationUuid": uuid, "payload": body}), ok: want == nil, rules: want, code: codeFor(want)})
	}
	chg("the reference example", mutate(t, chargeExample), nil)
	chg("grandTotal not the sum", mutate(t, chargeExample, set("grandTotal", 100)), []string{"grandTotal:sum"})
	chg("tax 10", mutate(t, chargeExample, set("products.0.tax", "10")), []string{"products.0.tax:tax_rate"})
	chg("name missing", mutate(t, chargeExample, del("products.0.name")), []string{"products.0.name:required"})
	chg("nothing to charge", mutate(t, chargeExample, set("products.0.rate", 0), set("products.0.amount", 0), set("grandTotal", 0)),
		[]string{"products:min", "grandTotal:min"})
	chg("two lines at 25 percent", mutate(t, chargeExample, set("products.1", map[string]any{"name": "Ekstra", "productId": "X-1", "rate": num("62.50"), "tax": "25", "amount": num("125.00")}),
		set("grandTotal", num("275.00"))), nil)

	// ---- cancel, complete ----
	for _, op := range []string{"cancel", "complete"} {
		note := func(name string, body any, want []string) {
			add(vcase{name: op + ": " + name, fn: "validate_" + op,
				input: input(t, map[string]any{"reservationUuid": uuid, "payload": body}), ok: want == nil, rules: want, code: codeFor(want)})
		}
		note("with a note", map[string]any{"note": "Customer changed their mind"}, nil)
		note("note missing", map[string]any{}, []string{"note:required"})
		note("note empty", map[string]any{"note": ""}, []string{"note:required"})
		note("note as a number", map[string]any{"note": 1}, []string{"note:type"})
		note("unknown member", map[string]any{"note": "x", "reason": "y"}, []string{"reason:unknown"})
	}

	// ---- resend ----
	rs := func(name string, body any, want []string) {
		add(vcase{name: "resend: " + name, fn: "validate_resend",
			input: input(t, map[string]any{"reservationUuid": uuid, "payload": body}), ok: want == nil, rules: want, code: codeFor(want)})
	}
	rs("by e-mail", map[string]any{"countryCode": nil, "msisdn": nil, "email": "example-email@email.com"}, nil)
	rs("by SMS", map[string]any{"countryCode": "+47", "msisdn": "46567468", "email": nil}, nil)
	rs("by both", map[string]any{"countryCode": "+47", "msisdn": "46567468", "email": "example-email@email.com"}, nil)
	rs("country code without number", map[string]any{"countryCode": "+47"}, []string{"msisdn:required_with"})
	rs("number without country code", map[string]any{"msisdn": "46567468"}, []string{"countryCode:required_with"})
	rs("nothing to send to", map[string]any{"countryCode": nil, "msisdn": nil, "email": nil}, []string{":required_one_of"})
	rs("empty strings count as nothing", map[string]any{"countryCode": "", "msisdn": "", "email": ""}, []string{":required_one_of"})
	rs("email invalid", map[string]any{"email": "example-email@"}, []string{"email:email"})
	rs("country code as the reference's bare number", map[string]any{"countryCode": 47, "msisdn": "46567468"}, []string{"countryCode:type"})

	// ---- refund ----
	rf := func(name string, body any, want []string) {
		add(vcase{name: "refund: " + name, fn: "validate_refund",
			input: input(t, map[string]any{"reservationUuid": uuid, "payload": body}), ok: want == nil, rules: want, code: codeFor(want)})
	}
	rf("the reference example", mutate(t, refundExample), nil)
	rf("from a charge", mutate(t, refundExample, set("source", "charged"), set("reference", "CHA555123")), nil)
	rf("type order", mutate(t, refundExample, set("type", "order")), []string{"type:enum"})
	rf("source settled", mutate(t, refundExample, set("source", "settled")), []string{"source:enum"})
	rf("charge reference for a captured source", mutate(t, refundExample, set("reference", "CHA123")), []string{"reference:reference_source"})
	rf("reference missing", mutate(t, refundExample, del("reference")), []string{"reference:required"})
	rf("products as an object", mutate(t, refundExample, set("products", map[string]any{"0": map[string]any{"id": 510, "amount": 15}})), []string{"products:type"})
	rf("grandTotal not the sum", mutate(t, refundExample, set("grandTotal", 20)), []string{"grandTotal:sum"})
	rf("amount with three decimals", mutate(t, refundExample, set("products.0.amount", num("15.001"))), []string{"products.0.amount:precision"})
	rf("two lines", mutate(t, refundExample, set("products", []any{map[string]any{"id": 510, "amount": num("10.50")}, map[string]any{"id": 511, "amount": num("4.50")}})), nil)

	// ---- details, history ----
	add(vcase{name: "details: a reservation uuid", fn: "validate_details", input: []byte(`{"reservationUuid":"RES1943140879"}`), ok: true})
	add(vcase{name: "details: uuid missing", fn: "validate_details", input: []byte(`{}`), rules: []string{"reservationUuid:required"}, code: "validation"})
	add(vcase{name: "details: uuid with a query", fn: "validate_details", input: []byte(`{"reservationUuid":"RES1?x=1"}`), rules: []string{"reservationUuid:reservation_uuid"}, code: "validation"})
	add(vcase{name: "history: default window", fn: "validate_history", input: []byte(`{}`), ok: true})
	add(vcase{name: "history: a time frame", fn: "validate_history", input: []byte(`{"start":"1706674723","end":"1706761123"}`), ok: true})
	add(vcase{name: "history: start after end", fn: "validate_history", input: []byte(`{"start":"1706761123","end":"1706674723"}`), rules: []string{"start:order"}, code: "validation"})
	add(vcase{name: "history: start not a timestamp", fn: "validate_history", input: []byte(`{"start":"yesterday","end":"1706674723"}`), rules: []string{"start:timestamp"}, code: "validation"})
	add(vcase{name: "history: end missing", fn: "validate_history", input: []byte(`{"start":"1706674723"}`), rules: []string{"end:required_with"}, code: "validation"})

	buildCases(t, add)
	parseCases(t, add)
	miscCases(t, add)
	return cs
}

func codeFor(want []string) string {
	if want == nil {
		return ""
	}
	return "validation"
}

// An order in frontgate's shop-neutral shape.
const orderExample = `{
  "customer": {"type": "private", "name": "Kari Nordmann", "email": "kari@example.no", "countryCode": "+47", "msisdn": "46567468",
    "address": {"street": "Karl Johans gate 1", "zip": "0154", "city": "Oslo", "country": "NO"}},
  "reference": "WC-1001",
  "lines": [
    {"name": "Ullsokker", "sku": "SOK-1", "unitPrice": 14900, "quantity": 2, "taxRate": 25},
    {"name": "Kaffe 500 g", "sku": "KAF-5", "unitPrice": 8990, "quantity": 1, "taxRate": 15},
    {"kind": "shipping", "name": "Frakt", "unitPrice": 4900, "quantity": 1, "taxRate": 25}
  ],
  "callbackUrl": "https://shop.example/frontgo/callback",
  "successUrl": "https://shop.example/checkout/ok",
  "failureUrl": "https://shop.example/checkout/failed"
}`

func buildCases(t *testing.T, add func(vcase)) {
	b := func(name, fn string, in map[string]any, want []string, data string) {
		add(vcase{name: "build: " + name, fn: fn, input: input(t, in), ok: want == nil, rules: want, code: codeFor(want), data: data})
	}
	order := func(edits ...edit) any { return mutate(t, orderExample, edits...) }
	b("create from an order", "build_create", map[string]any{"now": createNow, "order": order()}, nil, `"grandTotal":436.90`)
	b("submit from an order", "build_submit", map[string]any{"now": createNow, "order": order(del("successUrl"), del("failureUrl"))}, nil, `"path":"/connect/reservations/submit"`)
	b("submit refuses return pages", "build_submit", map[string]any{"now": createNow, "order": order()}, []string{"order.successUrl:unknown", "order.failureUrl:unknown"}, "")
	b("submit refuses a payment method", "build_submit", map[string]any{"now": createNow, "order": order(del("successUrl"), del("failureUrl"), set("paymentMethod", "visa"))},
		[]string{"order.paymentMethod:unknown"}, "")
	b("line discount splits the line", "build_create", map[string]any{"now": createNow, "order": order(set("lines.0", map[string]any{
		"name": "Ullsokker", "unitPrice": 10000, "quantity": 3, "taxRate": 25, "discount": 1000}))}, nil, `"rate":96.67,"tax":"25","amount":193.34`)
	b("order discount spread by largest remainder", "build_create", map[string]any{"now": createNow, "order": order(set("discounts", []any{
		map[string]any{"name": "Kupong", "amount": 1001}}))}, nil, `"subTotal":426.89`)
	b("discount larger than the products", "build_create", map[string]any{"now": createNow, "order": order(set("discounts", []any{
		map[string]any{"name": "Kupong", "amount": 100000}}))}, []string{"order.discounts:range"}, "")
	b("quantity zero", "build_create", map[string]any{"now": createNow, "order": order(set("lines.1.quantity", 0))}, []string{"order.lines.1.quantity:min"}, "")
	b("unit price in kroner with decimals", "build_create", map[string]any{"now": createNow, "order": order(set("lines.1.unitPrice", num("89.90")))}, []string{"order.lines.1.unitPrice:integer"}, "")
	b("quantity with decimals", "build_create", map[string]any{"now": createNow, "order": order(set("lines.1.quantity", num("1.5")))}, []string{"order.lines.1.quantity:integer"}, "")
	b("unit price past int64", "build_create", map[string]any{"now": createNow, "order": order(set("lines.1.unitPrice", num("99999999999999999999")))}, []string{"order.lines.1.unitPrice:range"}, "")
	b("capture amount past int64", "build_capture", map[string]any{"reservationUuid": uuid, "lines": []any{map[string]any{"id": 298, "amount": num("99999999999999999999")}}}, []string{"lines.0.amount:range"}, "")
	// The only line unreadable: its error alone, not also "the order's
	// total must be greater than 0".
	b("the only line's unit price with decimals", "build_create", map[string]any{"now": createNow, "order": order(set("lines", []any{
		map[string]any{"name": "Ullsokker", "unitPrice": num("1000.5"), "quantity": 1, "taxRate": 25}}))}, []string{"order.lines.0.unitPrice:integer"}, "")
	b("unit price past the maximum", "build_create", map[string]any{"now": createNow, "order": order(set("lines", []any{
		map[string]any{"name": "Ullsokker", "unitPrice": num("1000000000000000"), "quantity": 1, "taxRate": 25}}))}, []string{"order.lines.0.unitPrice:range"}, "")
	b("unit price negative", "build_create", map[string]any{"now": createNow, "order": order(set("lines.1.unitPrice", -100))}, []string{"order.lines.1.unitPrice:min"}, "")
	b("line discount above the line", "build_create", map[string]any{"now": createNow, "order": order(set("lines.1.discount", 9000))}, []string{"order.lines.1.discount:range"}, "")
	b("tax rate not configured", "build_create", map[string]any{"now": createNow, "order": order(set("lines.1.taxRate", 13))}, []string{"order.lines.1.taxRate:tax_rate"}, "")
	b("currency SEK", "build_create", map[string]any{"now": createNow, "order": order(set("currency", "SEK"))}, []string{"order.currency:enum"}, "")
	b("customer email wrong at the order's path", "build_create", map[string]any{"now": createNow, "order": order(set("customer.email", "kari"))}, []string{"order.customer.email:email"}, "")
	b("no lines", "build_create", map[string]any{"now": createNow, "order": order(set("lines", []any{}))}, []string{"order.lines:required"}, "")
	b("corporate customer without organization", "build_create", map[string]any{"now": createNow, "order": order(set("customer.type", "corporate"))}, []string{"order.customer.organizationId:required_if"}, "")
	b("unknown order field", "build_create", map[string]any{"now": createNow, "order": order(set("total", 100))}, []string{"order.total:unknown"}, "")
	b("callback URLs replaced by the caller", "build_create", map[string]any{"now": createNow, "order": order(),
		"callback": map[string]any{"callbackUrl": "https://gate.example/cb/t1", "success": "https://gate.example/ok/t1", "failure": "https://gate.example/fail/t1"}}, nil, `"callbackUrl":"https://gate.example/cb/t1"`)
	b("create from a FrontGo payload", "build_create", map[string]any{"now": createNow, "payload": mutate(t, createExample)}, nil, `"products":{"0":{"name":"Test","productId":null,"rate":1000.00`)
	b("invalid FrontGo payload", "build_create", map[string]any{"now": createNow, "payload": mutate(t, createExample, del("submitPayment"))}, []string{"payload.submitPayment:required"}, "")
	add(vcase{name: "build: both order and payload", fn: "build_create", input: input(t, map[string]any{"now": createNow, "order": order(), "payload": mutate(t, createExample)}),
		code: "bad_input", rules: []string{"order:required_one_of"}})
	b("capture two lines", "build_capture", map[string]any{"reservationUuid": uuid, "lines": []any{map[string]any{"id": 298, "amount": 500}, map[string]any{"id": 299, "amount": 5000}}}, nil, `"grandTotal":55.00`)
	add(vcase{name: "build: capture without lines", fn: "build_capture", input: input(t, map[string]any{"reservationUuid": uuid}),
		code: "bad_input", rules: []string{"lines:required"}})
	b("charge a line", "build_charge", map[string]any{"reservationUuid": uuid, "lines": []any{map[string]any{"name": "Minibar", "unitPrice": 4500, "quantity": 2, "taxRate": 25}}}, nil, `"amount":90.00`)
	// Errors of the line-based builds name the caller's own lines.N fields,
	// not the products.N of the FrontGo body built from them.
	charge := func(line map[string]any) map[string]any {
		l := map[string]any{"name": "Minibar", "unitPrice": 4500, "quantity": 2, "taxRate": 25}
		for k, v := range line {
			l[k] = v
		}
		return map[string]any{"reservationUuid": uuid, "lines": []any{l}}
	}
	b("charge a negative unit price", "build_charge", charge(map[string]any{"unitPrice": -4500}), []string{"lines.0.unitPrice:min"}, "")
	b("charge a tax rate as a string", "build_charge", charge(map[string]any{"taxRate": " 25"}), nil, `"tax":"25"`)
	shape := func(name, fn string, in map[string]any, want ...string) {
		add(vcase{name: "build: " + name, fn: fn, input: input(t, in), code: "bad_input", rules: want})
	}
	shape("charge a tax rate of the wrong type", "build_charge", charge(map[string]any{"taxRate": true}), "lines.0.taxRate:type")
	b("charge a tax rate with three decimals", "build_charge", charge(map[string]any{"taxRate": "25.001"}), []string{"lines.0.taxRate:precision"}, "")
	b("charge a unit price past the maximum", "build_charge", charge(map[string]any{"unitPrice": num("1000000000000000")}), []string{"lines.0.unitPrice:range"}, "")
	b("charge a tax rate past 100", "build_charge", charge(map[string]any{"taxRate": 125}), []string{"lines.0.taxRate:tax_rate"}, "")
	shape("charge lines as an object", "build_charge", map[string]any{"reservationUuid": uuid, "lines": map[string]any{"0": map[string]any{}}}, "lines:type")
	b("capture a zero amount", "build_capture", map[string]any{"reservationUuid": uuid, "lines": []any{map[string]any{"id": 298, "amount": 0}}}, []string{"lines.0.amount:min"}, "")
	b("capture line id 0", "build_capture", map[string]any{"reservationUuid": uuid, "lines": []any{map[string]any{"id": 0, "amount": 100}}}, []string{"lines.0.id:min"}, "")
	shape("refund no lines", "build_refund", map[string]any{"reservationUuid": uuid, "lines": []any{}, "source": "captured", "reference": "CAP123234"}, "lines:required")
	b("cancel", "build_cancel", map[string]any{"reservationUuid": uuid, "note": "Out of stock"}, nil, `"method":"GET"`)
	b("complete without a note", "build_complete", map[string]any{"reservationUuid": uuid}, []string{"note:required"}, "")
	b("resend by e-mail", "build_resend", map[string]any{"reservationUuid": uuid, "email": "kari@example.no"}, nil, `"countryCode":null`)
	b("refund a capture", "build_refund", map[string]any{"reservationUuid": uuid, "lines": []any{map[string]any{"id": 510, "amount": 1500}}, "source": "captured", "reference": "CAP123234"}, nil, `"products":[{"id":510,"amount":15.00}]`)
	b("details path", "build_details", map[string]any{"reservationUuid": uuid}, nil, `/connect/reservations/details/RES1943140879`)
	b("details of a bad uuid", "build_details", map[string]any{"reservationUuid": "RES../x"}, []string{"reservationUuid:reservation_uuid"}, "")
	b("history default window", "build_history", map[string]any{"now": 1706761123}, nil, `/history/1706674723/1706761123`)

	// A charge line is an order line: its discount comes off, as an
	// order line's does, splitting the line when it no longer divides.
	b("charge a line with a discount", "build_charge", map[string]any{"reservationUuid": "RES1", "lines": []any{
		map[string]any{"name": "A", "unitPrice": 100, "quantity": 1, "taxRate": 0, "discount": 50}}}, nil,
		`"products":{"0":{"name":"A","productId":null,"rate":0.50,"tax":"0","amount":0.50}},"grandTotal":0.50}`)
	b("charge a discount that splits the line", "build_charge", charge(map[string]any{"unitPrice": 10000, "quantity": 3, "discount": 1000}), nil,
		`"0":{"name":"Minibar","productId":null,"rate":96.66,"tax":"25","amount":96.66},"1":{"name":"Minibar","productId":null,"rate":96.67,"tax":"25","amount":193.34}},"grandTotal":290.00`)
	b("charge a discount above the line", "build_charge", charge(map[string]any{"discount": 9001}), []string{"lines.0.discount:range"}, "")
	b("charge a negative discount", "build_charge", charge(map[string]any{"discount": -1}), []string{"lines.0.discount:min"}, "")
	b("charge a shipping line", "build_charge", charge(map[string]any{"kind": "shipping"}), nil, `"grandTotal":90.00`)
	b("charge a line of an unknown kind", "build_charge", charge(map[string]any{"kind": "gift"}), []string{"lines.0.kind:enum"}, "")
	b("charge everything discounted", "build_charge", charge(map[string]any{"discount": 9000}), []string{"lines:min"}, "")
	shape("charge a line with an unknown member", "build_charge", charge(map[string]any{"discountPercent": 10}), "lines.0.discountPercent:unknown")
	shape("charge a discount in kroner", "build_charge", charge(map[string]any{"discount": num("10.50")}), "lines.0.discount:integer")
	// Errors name the input's own paths (lines.N.…), never the FrontGo
	// body's (products.N.…, grandTotal).
	b("charge a tax rate not configured", "build_charge", charge(map[string]any{"taxRate": 13}), []string{"lines.0.taxRate:tax_rate"}, "")
	b("charge a tax rate configured", "build_charge", func() map[string]any {
		in := charge(map[string]any{"taxRate": 13})
		in["taxRates"] = []any{13}
		return in
	}(), nil, `"tax":"13"`)
	b("charge an empty name", "build_charge", charge(map[string]any{"name": " "}), []string{"lines.0.name:required"}, "")
	b("charge a name too long", "build_charge", charge(map[string]any{"name": strings.Repeat("n", 256)}), []string{"lines.0.name:max_length"}, "")
	b("charge an sku too long", "build_charge", charge(map[string]any{"sku": strings.Repeat("s", 256)}), []string{"lines.0.sku:max_length"}, "")
	b("charge lines past the limit", "build_charge", map[string]any{"reservationUuid": uuid, "lines": []any{
		map[string]any{"name": "A", "unitPrice": 60_000_000_000_000, "quantity": 1, "taxRate": 0},
		map[string]any{"name": "B", "unitPrice": 60_000_000_000_000, "quantity": 1, "taxRate": 0}}}, []string{"lines:range"}, "")
	capLines := func(ls ...map[string]any) map[string]any {
		var a []any
		for _, l := range ls {
			a = append(a, l)
		}
		return map[string]any{"reservationUuid": uuid, "lines": a}
	}
	b("capture lines past the limit", "build_capture", capLines(map[string]any{"id": 1, "amount": 60_000_000_000_000}, map[string]any{"id": 2, "amount": 60_000_000_000_000}),
		[]string{"lines:range"}, "")
	b("capture the same line twice", "build_capture", capLines(map[string]any{"id": 298, "amount": 100}, map[string]any{"id": 298, "amount": 200}),
		[]string{"lines.1.id:distinct"}, "")
	b("refund the same line twice", "build_refund", map[string]any{"reservationUuid": uuid, "lines": []any{map[string]any{"id": 510, "amount": 100},
		map[string]any{"id": 510, "amount": 100}}, "source": "captured", "reference": "CAP123234"}, []string{"lines.1.id:distinct"}, "")
	// Every input refuses members it does not read.
	for _, c := range []struct {
		fn string
		in map[string]any
	}{
		{"build_capture", capLines(map[string]any{"id": 298, "amount": 100})},
		{"build_charge", charge(nil)},
		{"build_cancel", map[string]any{"reservationUuid": uuid, "note": "n"}},
		{"build_complete", map[string]any{"reservationUuid": uuid, "note": "n"}},
		{"build_resend", map[string]any{"reservationUuid": uuid, "email": "kari@example.no"}},
		{"build_refund", map[string]any{"reservationUuid": uuid, "lines": []any{map[string]any{"id": 510, "amount": 100}}, "source": "captured", "reference": "CAP123234"}},
		{"build_details", map[string]any{"reservationUuid": uuid}},
		{"build_history", map[string]any{"now": 1706761123}},
		{"build_create", map[string]any{"now": createNow, "order": order()}},
		{"validate_capture", map[string]any{"reservationUuid": uuid, "payload": mutate(t, captureExample)}},
		{"validate_details", map[string]any{"reservationUuid": uuid}},
		{"parse_capture", map[string]any{"status": 202}}, // no body: not an answer that hosts replay as one
		{"status_check", map[string]any{"status": "RESERVED", "operation": "capture"}},
		{"verify_callback", map[string]any{"query": "a=b", "secret": "s", "now": 1}},
	} {
		c.in["amountOre"] = 100
		add(vcase{name: "input: " + c.fn + " with an unknown member", fn: c.fn, input: input(t, c.in), code: "bad_input", rules: []string{"amountOre:unknown"}})
	}
	shape("capture a line with an unknown member", "build_capture", capLines(map[string]any{"id": 298, "amount": 100, "note": "x"}), "lines.0.note:unknown")
	add(vcase{name: "input: manifest with a member", fn: "manifest", input: []byte(`{"verbose":true}`), code: "bad_input", rules: []string{"verbose:unknown"}})
	b("capture with the host's options", "build_capture", func() map[string]any {
		in := capLines(map[string]any{"id": 298, "amount": 100})
		in["now"], in["taxRates"] = createNow, []any{0, 25}
		return in
	}(), nil, `"grandTotal":1.00`)
	shape("history with a negative now", "build_history", map[string]any{"now": -5}, "now:min")

	// The callback object replaces the URLs it gives and keeps the others.
	b("callback replaces only the URLs given", "build_create", map[string]any{"now": createNow, "order": order(),
		"callback": map[string]any{"callbackUrl": "https://gate.example/cb/t1"}}, nil,
		`"callback":{"callbackUrl":"https://gate.example/cb/t1","success":"https://shop.example/checkout/ok","failure":"https://shop.example/checkout/failed"}`)
	b("callback replaces a payload's URLs it gives", "build_create", map[string]any{"now": createNow, "payload": mutate(t, createExample),
		"callback": map[string]any{"failure": "https://gate.example/fail/t1"}}, nil,
		`"callback":{"callbackUrl":"https://wp.frontpayment.no/?order_identifier=rRbl1FWZG59o&order_status=success","success":"https://wp.frontpayment.no/?order_identifier=rRbl1FWZG59o&order_status=success","failure":"https://gate.example/fail/t1"}`)
	b("callback of a payment link", "build_submit", map[string]any{"now": createNow, "order": order(del("successUrl"), del("failureUrl")),
		"callback": map[string]any{"callbackUrl": "https://gate.example/cb/t1"}}, nil, `"callback":{"callbackUrl":"https://gate.example/cb/t1"}`)
	shape("callback return pages on a payment link", "build_submit", map[string]any{"now": createNow, "order": order(del("successUrl"), del("failureUrl")),
		"callback": map[string]any{"callbackUrl": "https://gate.example/cb/t1", "success": "https://gate.example/ok/t1"}}, "callback.success:unknown")
	shape("callback with an empty URL", "build_create", map[string]any{"now": createNow, "order": order(), "callback": map[string]any{"success": ""}}, "callback.success:url")
	shape("callback with an unknown member", "build_create", map[string]any{"now": createNow, "order": order(), "callback": map[string]any{"cancel": "https://gate.example/x"}}, "callback.cancel:unknown")
	shape("callback URL with a port out of range", "build_create", map[string]any{"now": createNow, "order": order(), "callback": map[string]any{"callbackUrl": "https://gate.example:70000/cb"}}, "callback.callbackUrl:url")

	// chargeValidityDays goes to FrontGo in minutes, the reference's unit.
	b("charge validity in days goes as minutes", "build_create", map[string]any{"now": createNow, "order": order(set("chargeValidityDays", 14))}, nil, `"chargeValidity":"20160"`)
	b("charge validity of 100000 days", "build_create", map[string]any{"now": createNow, "order": order(set("chargeValidityDays", 100000))}, nil, `"chargeValidity":"144000000"`)
	b("charge validity past 100000 days", "build_create", map[string]any{"now": createNow, "order": order(set("chargeValidityDays", 100001))}, []string{"order.chargeValidityDays:range"}, "")
	b("submit payload with an empty language", "build_submit", map[string]any{"now": submitNow, "payload": mutate(t, submitExample, set("customerDetails.preferredLanguage", ""))},
		[]string{"payload.customerDetails.preferredLanguage:required"}, "")
	b("order URL with an empty label", "build_create", map[string]any{"now": createNow, "order": order(set("successUrl", "https://shop..example/ok"))}, []string{"order.successUrl:url"}, "")
}

// parseCases turns every documented response in
// plugin/reservation/testdata/responses into a parse vector.
func parseCases(t *testing.T, add func(vcase)) {
	files, _ := filepath.Glob(filepath.Join(Dir(), "..", "..", "reservation", "testdata", "responses", "*.json"))
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatal("no documented responses found under plugin/reservation/testdata/responses")
	}
	for _, f := range files {
		base := strings.TrimSuffix(filepath.Base(f), ".json")
		parts := strings.SplitN(base, "-", 3)
		if len(parts) < 2 {
			continue
		}
		op, status := parts[0], parts[1]
		code, err := strconv.Atoi(status)
		if err != nil {
			continue
		}
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		in, _ := json.Marshal(map[string]any{"status": code, "body": string(body)})
		c := vcase{name: "parse: " + base, fn: "parse_" + op, input: in}
		switch {
		case code < 300 && strings.Contains(base, "schema"):
			c.code = "upstream" // the reference's placeholder schema cannot be read as money
		case code < 300:
			c.ok = true
		default:
			c.code = "upstream"
		}
		add(c)
		// Since ABI 1.1 a host may send an object or array body as the
		// JSON value itself; the answer must not change.
		if raw := bytes.TrimSpace(body); len(raw) > 0 && (raw[0] == '{' || raw[0] == '[') {
			j := c
			j.name, j.same = c.name+" (body as JSON)", c.name
			j.input = []byte(`{"status":` + status + `,"body":` + string(raw) + `}`)
			if !json.Valid(raw) {
				// Not JSON after all: the input is not JSON either, and a
				// host sends such a body again as text (wasmrt.CallParse).
				j.ok, j.code, j.data, j.same = false, "bad_input", "", ""
			}
			add(j)
		}
	}
}

const callbackSecret = "sandbox-secret-Ø1"

func callbackCases(t *testing.T, add func(vcase)) {
	base := []callback.Pair{{Key: "orderUuid", Value: "RES1943140879"}, {Key: "status", Value: "RESERVED"}, {Key: "createdAt", Value: "1755764131"},
		{Key: "paymentMethod", Value: "Visa"}, {Key: "amount", Value: "100"}, {Key: "timestamp", Value: "1755764131"}}
	const now = 1755764200
	cb := func(name, query string, extra map[string]any, ok bool, reason string) {
		in := map[string]any{"query": query, "secret": callbackSecret, "now": now}
		for k, v := range extra {
			in[k] = v
		}
		c := vcase{name: "callback: " + name, fn: "verify_callback", input: input(t, in), ok: ok}
		if !ok {
			c.code, c.data = "callback", `"reason":"`+reason+`"`
		}
		add(c)
	}
	signed := callback.SignedQuery(base, []byte(callbackSecret), callback.SchemeOrderedParams)
	cb("ordered params", signed, nil, true, "")
	merchant := append([]callback.Pair{{Key: "shop", Value: "s1"}, {Key: "t", Value: "a b/c"}}, base...)
	cb("merchant parameters first", callback.SignedQuery(merchant, []byte(callbackSecret), callback.SchemeOrderedParams), nil, true, "")
	cb("amount tampered", strings.Replace(signed, "amount=100", "amount=1", 1), nil, false, "checksum_mismatch")
	cb("wrong secret", callback.SignedQuery(base, []byte("other"), callback.SchemeOrderedParams), nil, false, "checksum_mismatch")
	// The same signed parameters with orderUuid and status swapped.
	reordered := signed
	i := strings.Index(reordered, "&status=")
	j := strings.Index(reordered, "&createdAt=")
	reordered = reordered[i+1:j] + "&" + reordered[:i] + reordered[j:]
	cb("parameters reordered", reordered, nil, false, "checksum_mismatch")
	cb("checksum missing", strings.Split(signed, "&checksum=")[0], nil, false, "missing_checksum")
	cb("checksum in upper case", strings.Split(signed, "&checksum=")[0]+"&checksum="+strings.ToUpper(strings.Split(signed, "&checksum=")[1]), nil, true, "")
	cb("stale by an hour", signed, map[string]any{"now": 1755764131 + 3600}, false, "stale")
	cb("stale within a custom tolerance", signed, map[string]any{"now": 1755764131 + 3600, "toleranceSeconds": 7200}, true, "")
	cb("from the future", signed, map[string]any{"now": 1755764131 - 600}, false, "stale")
	cb("legacy v1", callback.SignedQuery(base, []byte(callbackSecret), callback.SchemeLegacyV1), map[string]any{"scheme": "legacy-v1"}, true, "")
	cb("legacy v2", callback.SignedQuery(base, []byte(callbackSecret), callback.SchemeLegacyV2), map[string]any{"scheme": "legacy-v2"}, true, "")
	cb("legacy v2 checked as ordered params", callback.SignedQuery(base, []byte(callbackSecret), callback.SchemeLegacyV2), nil, false, "checksum_mismatch")
	cb("duplicate checksum", signed+"&checksum=00", nil, false, "malformed")
	cb("bad percent escape", "orderUuid=RES1%zz&status=RESERVED&checksum=00", nil, false, "malformed")
	// Signed correctly, but a value is not UTF-8 once decoded: refused as
	// malformed, naming the parameter (it was an internal error).
	latin1 := append([]callback.Pair(nil), base...)
	latin1[3].Value = "Visa\xf8"
	cb("value not utf-8 once decoded", callback.SignedQuery(latin1, []byte(callbackSecret), callback.SchemeOrderedParams), nil, false, "malformed")
	// A timestamp in milliseconds is stale, and the message says why.
	ms := append([]callback.Pair(nil), base...)
	ms[5].Value = "1755764131000"
	add(vcase{name: "callback: timestamp in milliseconds", fn: "verify_callback", code: "callback",
		input: input(t, map[string]any{"query": callback.SignedQuery(ms, []byte(callbackSecret), callback.SchemeOrderedParams), "secret": callbackSecret, "now": now}),
		data:  `timestamp 1755764131000 looks like milliseconds, not unix seconds (as seconds it is more than 292 years ahead): stale callback","reason":"stale"`})
	add(vcase{name: "callback: secret empty", fn: "verify_callback", input: []byte(`{"query":"a=b","secret":"","now":1}`), code: "callback", data: `"reason":"no_secret"`})
	add(vcase{name: "callback: secret missing", fn: "verify_callback", input: []byte(`{"query":"a=b","now":1}`), code: "bad_input", rules: []string{"secret:required"}})
	add(vcase{name: "callback: tolerance negative", fn: "verify_callback", input: []byte(`{"query":"a=b","secret":"s","now":1,"toleranceSeconds":-1}`), code: "bad_input", rules: []string{"toleranceSeconds:min"}})
	// 9223372037 seconds would wrap a time.Duration to a negative tolerance,
	// 18446744074 to 0.3 s: both refused, with the limit named.
	add(vcase{name: "callback: tolerance past a week", fn: "verify_callback", input: []byte(`{"query":"a=b","secret":"s","now":1,"toleranceSeconds":604801}`), code: "bad_input", rules: []string{"toleranceSeconds:range"}})
	// A whole number past 64 bits is refused wherever it comes, never read
	// as 0 (which here would mean "the default tolerance", "no clock", "no
	// status").
	add(vcase{name: "callback: tolerance past 64 bits", fn: "verify_callback", input: []byte(`{"query":"a=b","secret":"s","now":1,"toleranceSeconds":99999999999999999999}`), code: "bad_input", rules: []string{"toleranceSeconds:range"}})
	add(vcase{name: "callback: now past 64 bits", fn: "verify_callback", input: []byte(`{"query":"a=b","secret":"s","now":99999999999999999999}`), code: "bad_input", rules: []string{"now:range"}})
	add(vcase{name: "parse: status past 64 bits", fn: "parse_capture", input: []byte(`{"status":99999999999999999999,"body":{"status_code":202}}`), code: "bad_input", rules: []string{"status:range"}})
	add(vcase{name: "parse: status past 64 bits, negative", fn: "parse_capture", input: []byte(`{"status":-99999999999999999999,"body":{"status_code":202}}`), code: "bad_input", rules: []string{"status:range"}})
	add(vcase{name: "submit: now past 64 bits", fn: "validate_submit", input: []byte(`{"now":99999999999999999999,"payload":{}}`), code: "bad_input", rules: []string{"now:range"}})
	add(vcase{name: "build: details with now past 64 bits", fn: "build_details", input: []byte(`{"now":99999999999999999999,"reservationUuid":"RES1943140879"}`), code: "bad_input", rules: []string{"now:range"}})
	add(vcase{name: "build: charge with now past 64 bits", fn: "build_charge", input: []byte(`{"now":99999999999999999999,"reservationUuid":"RES1943140879","lines":[{"name":"A","unitPrice":100,"quantity":1,"taxRate":25}]}`), code: "bad_input", rules: []string{"now:range"}})
	add(vcase{name: "build: capture with now past 64 bits and a line of the wrong shape", fn: "build_capture", input: []byte(`{"now":99999999999999999999,"reservationUuid":"RES1943140879","lines":[{"id":"x","amount":100}]}`), code: "bad_input", rules: []string{"now:range", "lines.0.id:type"}})
	add(vcase{name: "build: history with a start past 64 bits", fn: "build_history", input: []byte(`{"start":99999999999999999999,"end":1}`), code: "bad_input", rules: []string{"start:range"}})
	add(vcase{name: "callback: tolerance that would wrap", fn: "verify_callback", input: []byte(`{"query":"a=b","secret":"s","now":1,"toleranceSeconds":18446744074}`), code: "bad_input", rules: []string{"toleranceSeconds:range"}})
	add(vcase{name: "callback: scheme unknown", fn: "verify_callback", input: []byte(`{"query":"a=b","secret":"s","now":1,"scheme":"md5"}`), code: "bad_input", rules: []string{"scheme:enum"}})
}

func statusCases(t *testing.T, add func(vcase)) {
	for _, c := range []struct{ st, op, data string }{
		{"RESERVED", "capture", `"allowed":true`},
		{"CAPTURED", "capture", `"messageKey":"requestedCaptureAmountExceedAvailableCaptureRunway"`},
		{"CANCELLED", "capture", `"messageKey":"reservationStatusAlreadyCancelled"`},
		{"EXPIRED", "capture", `"messageKey":"paymentCaptureDeadlineExceed"`},
		{"SENT", "charge", `"messageKey":"paymentCardNotFound","httpStatus":404`},
		{"EXPIRED", "charge", `"allowed":true`}, // FrontGo decides: a card may be stored
		{"CAPTURED", "charge", `"allowed":true`},
		{"RESERVED", "cancel", `"allowed":true`},
		{"CAPTURED", "cancel", `"messageKey":"prerequisiteFailedToCancelReservation"`},
		{"COMPLETED", "cancel", `"messageKey":"reservationStatusAlreadyCompleted"`},
		{"CANCELLED", "cancel", `"messageKey":"reservationStatusAlreadyCompleted"`}, // the reference's one key for both
		{"RESERVED", "complete", `"messageKey":"prerequisiteFailedToCompleteReservation"`},
		{"CHARGED", "complete", `"allowed":true`},
		{"CANCELLED", "resend", `"messageKey":"orderStatusAlreadyCancelled"`},
		{"COMPLETED", "resend", `"messageKey":"orderStatusAlreadyCompleted"`},
		{"SENT", "resend", `"allowed":true`},
		{"COMPLETED", "refund", `"allowed":true`},
		{"RESERVED", "refund", `"messageKey":"refundRejectionForRefundRequestGreaterThanOrderAmount"`},
		{"resevred", "details", `"status":"RESERVED"`},
		{"reserved_not_paid", "history", `"allowed":true`},
	} {
		add(vcase{name: "status: " + c.op + " while " + c.st, fn: "status_check", input: input(t, map[string]any{"status": c.st, "operation": c.op}), ok: true, data: c.data})
	}
	add(vcase{name: "status: check of an unknown status", fn: "status_check", input: []byte(`{"status":"PAID","operation":"capture"}`), code: "bad_input", rules: []string{"status:enum"}})
	add(vcase{name: "status: check of an unknown operation", fn: "status_check", input: []byte(`{"status":"RESERVED","operation":"void"}`), code: "bad_input", rules: []string{"operation:enum"}})
	add(vcase{name: "status: check of empty names", fn: "status_check", input: []byte(`{"status":"","operation":""}`), code: "bad_input", rules: []string{"status:required", "operation:required"}})
	add(vcase{name: "status: allowed in an empty status", fn: "status_allowed", input: []byte(`{"status":""}`), code: "bad_input", rules: []string{"status:required"}})
	add(vcase{name: "status: transition from an empty status", fn: "status_transition", input: []byte(`{"from":"","to":"RESERVED"}`), code: "bad_input", rules: []string{"from:required"}})
	for _, st := range []string{"SENT", "RESERVED NOT PAID", "RESERVED", "CAPTURED", "CHARGED", "COMPLETED", "CANCELLED", "EXPIRED", "REFUNDED", "PARTIAL REFUNDED"} {
		add(vcase{name: "status: allowed in " + st, fn: "status_allowed", input: input(t, map[string]any{"status": st}), ok: true, data: `"operations":[`})
	}
	for _, c := range []struct{ from, to, data string }{
		{"SENT", "RESERVED", `"legal":true,"newer":true`},
		{"CAPTURED", "RESERVED", `"legal":false,"newer":false`},
		{"RESERVED", "CAPTURED", `"legal":true,"newer":true`},
		{"CANCELLED", "CAPTURED", `"legal":false`},
		{"CAPTURED", "CAPTURED", `"legal":true,"newer":false`},
	} {
		add(vcase{name: "status: " + c.from + " to " + c.to, fn: "status_transition", input: input(t, map[string]any{"from": c.from, "to": c.to}), ok: true, data: c.data})
	}
}

func miscCases(t *testing.T, add func(vcase)) {
	callbackCases(t, add)
	statusCases(t, add)
	add(vcase{name: "abi: manifest", fn: "manifest", input: []byte(`{}`), ok: true, data: `"abi":"1.2.1"`})
	add(vcase{name: "abi: unknown operation", fn: "validate_order", input: []byte(`{}`), code: "unknown_op"})
	// 30 three-byte characters: the name is cut to the 21 whole ones within
	// 64 bytes, never inside one.
	add(vcase{name: "abi: unknown operation with a long non-ascii name", fn: strings.Repeat("€", 30), input: []byte(`{}`), code: "unknown_op",
		data: strings.Repeat("€", 21) + "…"})
	add(vcase{name: "abi: input not an object", fn: "validate_details", input: []byte(`"RES1"`), code: "bad_input"})
	// Invalid UTF-8 cannot travel inside a vector file's JSON string; the
	// ops package's own tests cover it.
	add(vcase{name: "parse: status out of range", fn: "parse_submit", input: []byte(`{"status":999,"body":""}`), code: "bad_input", rules: []string{"status:range"}})
	add(vcase{name: "parse: a 429 with an html body", fn: "parse_capture", input: []byte(`{"status":429,"body":"<html>Too Many Requests</html>","requestId":"req-1"}`), code: "upstream", data: `"retryable":true`})
	add(vcase{name: "parse: 200 envelope claiming 417", fn: "parse_submit", input: input(t, map[string]any{"status": 200, "body": `{"status_code":417,"message":"payloadValidationErrors","is_error":true,"errors":["The customer details.email must be a valid email address."]}`}), code: "upstream", data: `"kind":"validation"`})
	add(vcase{name: "parse: a 400 with errors keyed by field", fn: "parse_submit", input: input(t, map[string]any{"status": 400, "body": `{"status_code":400,"status_message":"Bad Request","message":"The given data was invalid.","is_error":true,"errors":{"customerDetails.email":["The email must be a valid email address."]}}`}), code: "upstream", rules: []string{"customerDetails.email:frontgo"}, data: `"kind":"validation"`})
	add(vcase{name: "parse: a 400 business refusal stays one", fn: "parse_cancel", input: input(t, map[string]any{"status": 400, "body": `{"status_code":400,"status_message":"Conflict of Business Logic","message":"reservationStatusAlreadyCompleted","is_error":true,"errors":["Reservation is already completed"]}`}), code: "upstream", data: `"kind":"business"`})
	add(vcase{name: "parse: laravel keyed validation errors", fn: "parse_create", input: input(t, map[string]any{"status": 417, "body": `{"status_code":417,"status_message":"Client Error","message":"payloadValidationErrors","is_error":true,"errors":{"customerDetails.email":["The email must be a valid email address."]}}`}), code: "upstream", rules: []string{"customerDetails.email:frontgo"}})
	add(vcase{name: "parse: success without reservation uuid", fn: "parse_create", input: input(t, map[string]any{"status": 201, "body": `{"status_code":201,"message":"Reservation Submitted Successfully","is_data":true,"data":{"customerUuid":"CSRT1","paymentUrl":"https://pay.example/x"}}`}), code: "upstream", rules: []string{"data.reservationUuid:required"}})
	// The body as a JSON value (ABI 1.1) must be the input's last member:
	// a host that pastes a body it did not check cannot be fooled by text
	// that ends the value early and adds members of its own.
	created := `{"status_code":201,"message":"Reservation Submitted Successfully","is_data":true,"data":{"customerUuid":"CSRT1","reservationUuid":"RES1943140879","paymentUrl":"https://pay.example/x"}}`
	add(vcase{name: "parse: body as JSON", fn: "parse_create", input: []byte(`{"status":201,"requestId":"req-2","body":` + created + `}`), ok: true, data: `"paymentUrl":"https://pay.example/x"`})
	add(vcase{name: "parse: body as text, the same answer", fn: "parse_create", input: input(t, map[string]any{"status": 201, "requestId": "req-2", "body": created}), ok: true, same: "parse: body as JSON"})
	add(vcase{name: "parse: body as JSON with whitespace around it", fn: "parse_create", input: []byte("{\"status\":201,\"requestId\":\"req-2\",\"body\": \r\n\t" + created + "\n  }"), ok: true, same: "parse: body as JSON"})
	add(vcase{name: "parse: body as JSON followed by another member", fn: "parse_create", input: []byte(`{"status":201,"body":` + created + `,"requestId":"req-2"}`), code: "bad_input", rules: []string{"body:last_member"}})
	add(vcase{name: "parse: body as JSON with a duplicate key", fn: "parse_capture", input: []byte(`{"status":202,"body":{"status_code":202,"status_code":202}}`), code: "bad_input"})
	add(vcase{name: "parse: body as a JSON array with a 500", fn: "parse_cancel", input: []byte(`{"status":500,"body":["Server Error"]}`), code: "upstream", data: `"kind":"server"`})
	// PHP writes an array whose keys are not 0…n-1 as an object: such a
	// productList and payment history read as the arrays they stand for.
	concrete, err := os.ReadFile(filepath.Join(Dir(), "..", "..", "reservation", "testdata", "responses", "details-200-concrete.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dm map[string]any
	if err := json.Unmarshal(concrete, &dm); err != nil {
		t.Fatal(err)
	}
	phpList := func(v any) json.RawMessage {
		m := map[string]any{}
		for i, e := range v.([]any) {
			m[strconv.Itoa(2*i+1)] = e // encoding/json sorts the keys: 1, 3, 5… stay in order below 10
		}
		b, _ := json.Marshal(m)
		return b
	}
	data := dm["data"].(map[string]any)
	data["productList"] = phpList(data["productList"])
	data["paymentHistory"].(map[string]any)["refunded"] = phpList(data["paymentHistory"].(map[string]any)["refunded"])
	add(vcase{name: "parse: details with PHP object lists", fn: "parse_details", input: input(t, map[string]any{"status": 200, "body": string(mustMarshal(t, dm))}),
		ok: true, same: "parse: details-200-concrete"})
	data["productList"] = json.RawMessage(`{"0":{"id":1},"first":{"id":2}}`)
	add(vcase{name: "parse: details with a productList object that is not a list", fn: "parse_details", input: input(t, map[string]any{"status": 200, "body": string(mustMarshal(t, dm))}),
		code: "upstream", rules: []string{"data.productList:type"}})
	// A blank or negative amount in details is no amount: refused, not read
	// as zero (a line whose reserved money read as none would be left out
	// of "capture everything", and a negative captured would capture more
	// than was reserved).
	details := func(edit func(data map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(concrete, &m); err != nil {
			t.Fatal(err)
		}
		edit(m["data"].(map[string]any))
		return input(t, map[string]any{"status": 200, "body": string(mustMarshal(t, m))})
	}
	line := func(data map[string]any) map[string]any { return data["productList"].([]any)[0].(map[string]any) }
	add(vcase{name: "parse: details with a blank reserved amount", fn: "parse_details",
		input: details(func(d map[string]any) { line(d)["reserved"] = "" }), code: "upstream", rules: []string{"data.productList.0.reserved:number"}})
	add(vcase{name: "parse: details with a negative captured amount", fn: "parse_details",
		input: details(func(d map[string]any) { line(d)["captured"] = -100 }), code: "upstream", rules: []string{"data.productList.0.captured:min"}})
	add(vcase{name: "parse: details with a blank tax rate", fn: "parse_details",
		input: details(func(d map[string]any) { line(d)["tax"] = " " }), code: "upstream", rules: []string{"data.productList.0.tax:tax_rate"}})
	add(vcase{name: "parse: details with a negative captured total", fn: "parse_details",
		input: details(func(d map[string]any) { d["paymentDetails"].(map[string]any)["capturedAmount"] = -100 }), code: "upstream",
		rules: []string{"data.paymentDetails.capturedAmount:min"}})
	add(vcase{name: "parse: details with a null reserved amount", fn: "parse_details",
		input: details(func(d map[string]any) { line(d)["reserved"] = nil }), ok: true, data: `"reserved":0`})
	// A 5xx to a write may have happened: not retryable, outcome unknown;
	// to a read, retryable.
	const wentWrong = `{"status_code":510,"status_message":"Execution Exception Occurred","message":"somethingWentWrong","is_error":true,"errors":"Array"}`
	for _, op := range []string{"refund", "charge", "capture", "cancel", "complete", "resend", "submit", "create"} {
		add(vcase{name: "parse: a 510 to " + op, fn: "parse_" + op, input: input(t, map[string]any{"status": 510, "body": wentWrong}),
			code: "upstream", data: `"retryable":false,"outcomeUnknown":true`})
	}
	add(vcase{name: "parse: a 510 to details", fn: "parse_details", input: input(t, map[string]any{"status": 510, "body": wentWrong}),
		code: "upstream", data: `"retryable":true,"outcomeUnknown":false`})
	add(vcase{name: "parse: a 500 to history", fn: "parse_history", input: input(t, map[string]any{"status": 500, "body": ""}),
		code: "upstream", data: `"retryable":true,"outcomeUnknown":false`})
	add(vcase{name: "parse: a 503 to a capture", fn: "parse_capture", input: input(t, map[string]any{"status": 503, "body": "<html>Service Unavailable</html>"}),
		code: "upstream", data: `"retryable":false,"outcomeUnknown":true`})
	add(vcase{name: "parse: a 429 to a refund", fn: "parse_refund", input: input(t, map[string]any{"status": 429, "body": ""}),
		code: "upstream", data: `"retryable":true,"outcomeUnknown":false`})
	add(vcase{name: "parse: no answer to a charge", fn: "parse_charge", input: []byte(`{"status":0,"body":""}`),
		code: "upstream", data: `"retryable":false,"outcomeUnknown":true`})
	// A 2xx that is not the documented answer: the write may have happened.
	add(vcase{name: "parse: cancel answered 204 without a body", fn: "parse_cancel", input: []byte(`{"status":204,"body":""}`),
		code: "upstream", data: `"kind":"malformed","httpStatus":204,"messageKey":"","statusMessage":"","retryable":false,"outcomeUnknown":true`})
	add(vcase{name: "parse: details answered 200 with html", fn: "parse_details", input: []byte(`{"status":200,"body":"<html></html>"}`),
		code: "upstream", data: `"kind":"malformed","httpStatus":200,"messageKey":"","statusMessage":"","retryable":false,"outcomeUnknown":false`})
	add(vcase{name: "parse: truncated success", fn: "parse_capture", input: input(t, map[string]any{"status": 202, "body": `{"status_code":202,"message":"reservationCapturedSuccessfully","is_data":true,"data":{"uuid":"CAP1`}), code: "upstream", data: `"kind":"malformed"`})
}
