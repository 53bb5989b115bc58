package reservation

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/frontgate/frontgate/plugin/internal/jsonx"
	"github.com/frontgate/frontgate/plugin/money"
)

var testNow = time.Unix(1756871295, 0)

func testCustomer() Customer {
	return Customer{Type: CustomerPrivate, CountryCode: "+47", MSISDN: "46567468", Email: "kari@example.no", Name: "Kari Nordmann",
		Address: Address{Street: "Karl Johans gate 1", Zip: "0154", City: "Oslo", Country: "NO"}}
}

func TestFromOrderLines(t *testing.T) {
	tests := []struct {
		name  string
		lines []OrderLine
		disc  []Discount
		want  []Product
		sum   Summary
	}{
		{
			name:  "whole units",
			lines: []OrderLine{{Name: "A", UnitPrice: 12500, Quantity: 2, TaxRate: 2500}},
			want:  []Product{{Name: "A", Rate: 12500, Tax: 2500, Amount: 25000}},
			sum:   Summary{SubTotal: 25000, TotalTax: 5000, GrandTotal: 25000},
		},
		{
			name:  "line discount that divides evenly",
			lines: []OrderLine{{Name: "A", UnitPrice: 10000, Quantity: 2, TaxRate: 2500, Discount: 2000}},
			want:  []Product{{Name: "A", Rate: 9000, Tax: 2500, Amount: 18000}},
			sum:   Summary{SubTotal: 18000, TotalTax: 3600, GrandTotal: 18000},
		},
		{
			name:  "line discount split one øre apart",
			lines: []OrderLine{{Name: "A", SKU: "a", UnitPrice: 10000, Quantity: 3, TaxRate: 2500, Discount: 1000}},
			want: []Product{{Name: "A", ProductID: "a", Rate: 9666, Tax: 2500, Amount: 9666},
				{Name: "A", ProductID: "a", Rate: 9667, Tax: 2500, Amount: 19334}},
			sum: Summary{SubTotal: 29000, TotalTax: 1933 + 3867, GrandTotal: 29000},
		},
		{
			name: "order discount spread, shipping untouched",
			lines: []OrderLine{{Name: "A", UnitPrice: 10000, Quantity: 1, TaxRate: 2500}, {Name: "B", UnitPrice: 5000, Quantity: 1, TaxRate: 1500},
				{Kind: LineShipping, Name: "Frakt", UnitPrice: 4900, Quantity: 1, TaxRate: 2500}},
			disc: []Discount{{Name: "kupong", Amount: 1000}},
			// 1000 × 10000/15000 = 666.67 → 666 (+1 by remainder .67 > .33); B: 333.33 → 333
			want: []Product{{Name: "A", Rate: 9333, Tax: 2500, Amount: 9333}, {Name: "B", Rate: 4667, Tax: 1500, Amount: 4667},
				{Name: "Frakt", Rate: 4900, Tax: 2500, Amount: 4900}},
			sum: Summary{SubTotal: 18900, TotalTax: 1867 + 609 + 980, GrandTotal: 18900},
		},
		{
			name:  "free line",
			lines: []OrderLine{{Name: "Gift", UnitPrice: 0, Quantity: 1, TaxRate: 0}, {Name: "A", UnitPrice: 100, Quantity: 1, TaxRate: 0}},
			want:  []Product{{Name: "Gift", Rate: 0, Tax: 0, Amount: 0}, {Name: "A", Rate: 100, Tax: 0, Amount: 100}},
			sum:   Summary{SubTotal: 100, TotalTax: 0, GrandTotal: 100},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := FromOrder(&Order{Customer: testCustomer(), Lines: tc.lines, Discounts: tc.disc}, Options{Now: testNow})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Products) != len(tc.want) {
				t.Fatalf("products = %+v, want %+v", r.Products, tc.want)
			}
			for i := range tc.want {
				if r.Products[i] != tc.want[i] {
					t.Errorf("product %d = %+v, want %+v", i, r.Products[i], tc.want[i])
				}
			}
			if r.Summary != tc.sum {
				t.Errorf("summary = %+v, want %+v", r.Summary, tc.sum)
			}
			if _, err := BuildCreate(r, Options{Now: testNow}); err != nil {
				t.Errorf("built payload does not validate: %v", err)
			}
		})
	}
}

func TestFromOrderErrors(t *testing.T) {
	tests := []struct {
		name string
		ord  Order
		want string
	}{
		{"no lines", Order{}, "order: invalid request: lines: must contain at least one line"},
		{"currency", Order{Currency: "EUR", Lines: []OrderLine{{Name: "A", UnitPrice: 1, Quantity: 1}}}, `order: invalid request: currency: must be NOK, not "EUR"`},
		{"tax rate", Order{Lines: []OrderLine{{Name: "A", UnitPrice: 1, Quantity: 1, TaxRate: 1300}}}, "order: invalid request: lines.0.taxRate: must be one of the tax rates 0, 12, 15, 25"},
		{"quantity", Order{Lines: []OrderLine{{Name: "A", UnitPrice: 1, Quantity: 0}}}, "order: invalid request: lines.0.quantity: must be a whole number greater than 0"},
		{"overflow", Order{Lines: []OrderLine{{Name: "A", UnitPrice: money.MaxAmount, Quantity: 2}}}, "order: invalid request: lines.0.quantity: unit price × quantity is out of range (at most 1000000000000.00)"},
		// A unit price past the maximum is named as such, and the line's
		// zero total adds no "total must be greater than 0".
		{"unit price past the maximum", Order{Lines: []OrderLine{{Name: "A", UnitPrice: money.MaxAmount + 1, Quantity: 1}}},
			"order: invalid request: lines.0.unitPrice: must be at most 1000000000000.00"},
		{"discount above line", Order{Lines: []OrderLine{{Name: "A", UnitPrice: 100, Quantity: 1, Discount: 101}}}, "order: invalid request: lines.0.discount: must not exceed the line total 1.00"},
		{"order discount above products", Order{Lines: []OrderLine{{Name: "A", UnitPrice: 100, Quantity: 1}, {Kind: LineShipping, Name: "S", UnitPrice: 1000, Quantity: 1}},
			Discounts: []Discount{{Amount: 101}}}, "order: invalid request: discounts: the discounts, 1.01, exceed the product lines' total 1.00"},
		// Two discounts whose unchecked sum wrapped negative: the order went
		// out at full price without an error.
		{"discounts that overflow", Order{Lines: []OrderLine{{Name: "A", UnitPrice: 100000, Quantity: 1}}, Discounts: []Discount{{Amount: 1 << 62}, {Amount: 1 << 62}}},
			"order: 2 invalid fields: discounts.0.amount: must be at most 1000000000000.00; discounts.1.amount: must be at most 1000000000000.00"},
		{"discounts whose sum is too large", Order{Lines: []OrderLine{{Name: "A", UnitPrice: 100000, Quantity: 1}}, Discounts: []Discount{{Amount: 60_000_000_000_000}, {Amount: 60_000_000_000_000}}},
			"order: invalid request: discounts.1.amount: the order's discounts add up to more than 1000000000000.00"},
		{"total past the maximum", Order{Lines: []OrderLine{{Name: "A", UnitPrice: 60_000_000_000_000, Quantity: 1}, {Name: "B", UnitPrice: 60_000_000_000_000, Quantity: 1}}},
			"order: invalid request: lines: the order's total must be at most 1000000000000.00"},
		{"discount not positive", Order{Lines: []OrderLine{{Name: "A", UnitPrice: 100, Quantity: 1}}, Discounts: []Discount{{Amount: 0}}}, "order: invalid request: discounts.0.amount: must be greater than 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FromOrder(&tc.ord, Options{Now: testNow})
			if err == nil || err.Error() != tc.want {
				t.Fatalf("err = %v\nwant %s", err, tc.want)
			}
		})
	}
}

// TestFromOrderProperty builds random orders and checks the invariants the
// README promises: totals exact to the øre, every line a whole number of
// units at one rate, and a payload that passes FrontGo's rules.
func TestFromOrderProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	rates := []money.Rate{0, 1200, 1500, 2500}
	for n := 0; n < 3000; n++ {
		var lines []OrderLine
		var want money.Amount
		for i := 0; i < 1+rng.IntN(12); i++ {
			l := OrderLine{Name: "line", UnitPrice: money.Amount(rng.IntN(500000)), Quantity: int64(1 + rng.IntN(20)), TaxRate: rates[rng.IntN(4)]}
			if rng.IntN(5) == 0 {
				l.Kind = LineShipping
			}
			total := l.UnitPrice * money.Amount(l.Quantity)
			if total > 0 && rng.IntN(3) == 0 {
				l.Discount = money.Amount(rng.Int64N(int64(total)))
			}
			want += total - l.Discount
			lines = append(lines, l)
		}
		var disc []Discount
		var productBase money.Amount
		r0, _ := FromOrder(&Order{Customer: testCustomer(), Lines: lines}, Options{Now: testNow})
		for i, p := range r0.Products {
			_ = i
			productBase += p.Amount
		}
		if productBase > 10 && rng.IntN(2) == 0 {
			// Keep discounts within the product (non-shipping) lines.
			var base money.Amount
			for _, l := range lines {
				if l.Kind != LineShipping {
					base += l.UnitPrice*money.Amount(l.Quantity) - l.Discount
				}
			}
			if base > 1 {
				d := money.Amount(1 + rng.Int64N(int64(base)-1))
				disc = []Discount{{Name: "coupon", Amount: d}}
				want -= d
			}
		}
		r, err := FromOrder(&Order{Customer: testCustomer(), Lines: lines, Discounts: disc}, Options{Now: testNow})
		if err != nil {
			t.Fatalf("order %d: %v", n, err)
		}
		if r.Summary.GrandTotal != want || SumProducts(r.Products) != want {
			t.Fatalf("order %d: grand total %v, sum %v, want %v", n, r.Summary.GrandTotal, SumProducts(r.Products), want)
		}
		for i, p := range r.Products {
			if p.Amount < 0 || (p.Rate == 0 && p.Amount != 0) || (p.Rate != 0 && p.Amount%p.Rate != 0) {
				t.Fatalf("order %d line %d: %+v is not whole units", n, i, p)
			}
		}
		if want == 0 {
			continue // FrontGo refuses a zero grand total; covered elsewhere
		}
		if _, err := BuildCreate(r, Options{Now: testNow}); err != nil {
			t.Fatalf("order %d: %v", n, err)
		}
	}
}

func TestDecodeOrderErrors(t *testing.T) {
	_, err := DecodeOrder([]byte(`{"customer":{"name":5},"lines":[{"name":"A","unitPrice":"100","quantity":1.5,"taxRate":"x"}],"sendOrderBy":{"sms":"no"},"bogus":1}`))
	// The customer is held to FrontGo's customerDetails rules at decode
	// time, so its missing fields are reported with the rest at once.
	want := `order: 11 invalid fields: bogus: is not a field of this request; customer.type: is required; ` +
		`customer.countryCode: is required; customer.msisdn: is required; customer.email: is required; ` +
		`customer.name: must be a string, not a number; customer.address: is required; ` +
		`lines.0.unitPrice: must be a number, not a string; lines.0.quantity: must be a whole number; ` +
		`lines.0.taxRate: must be a number, not "x"; sendOrderBy.sms: must be true or false, not a string`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
}

func TestBuildSubmitRefusesCreateFields(t *testing.T) {
	r, err := FromOrder(&Order{Customer: testCustomer(), Lines: []OrderLine{{Name: "A", UnitPrice: 100, Quantity: 1}}}, Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	r.SuccessURL = "https://shop.example/ok"
	_, err = BuildSubmit(r, Options{Now: testNow})
	if err == nil || !strings.Contains(err.Error(), "belong to create") {
		t.Fatalf("err = %v", err)
	}
}

// TestDecodeBorrowsOnlyWhenChecked: DecodeOrder's strings are copies, so a
// caller may reuse its buffer (the sandbox keeps decoded orders); those of
// DecodeChecked share the document's bytes, and build the same payload as
// long as they are used before the bytes change.
func TestDecodeBorrowsOnlyWhenChecked(t *testing.T) {
	body := []byte(`{"customer":{"type":"private","name":"Kari Nordmann","email":"kari@example.no","countryCode":"+47",` +
		`"msisdn":"46567468","address":{"street":"Karl Johans gate 1","zip":"0154","city":"Oslo","country":"NO"}},` +
		`"lines":[{"name":"Bok","sku":"B-1","unitPrice":12990,"quantity":2,"taxRate":25}],"callbackUrl":"https://gate.example/cb"}`)
	ord, err := DecodeOrder(body)
	if err != nil {
		t.Fatal(err)
	}
	want, err := BuildOrder(OpSubmit, ord, Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	d, err := jsonx.Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	co, err := DecodeChecked(d.Root(), Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	got, err := co.Build(OpSubmit, Options{Now: testNow}, "", "", "")
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("checked build:\n%s %v\nwant\n%s", got, err, want)
	}
	for _, s := range []string{"Kari Nordmann", "Bok", "B-1", "https://gate.example/cb"} {
		i := bytes.Index(body, []byte(s))
		copy(body[i:], bytes.Repeat([]byte("x"), len(s)))
	}
	if ord.Customer.Name != "Kari Nordmann" || ord.Lines[0].Name != "Bok" || ord.Lines[0].SKU != "B-1" || ord.CallbackURL != "https://gate.example/cb" {
		t.Errorf("DecodeOrder's strings changed with its buffer: %+v", ord)
	}
	if co.order.Customer.Name != "xxxxxxxxxxxxx" || co.order.Lines[0].SKU != "xxx" {
		t.Errorf("DecodeChecked copied instead of borrowing: %q %q", co.order.Customer.Name, co.order.Lines[0].SKU)
	}
}

// TestBuildToMatchesBuild: writing the body into a larger document gives
// Build's bytes where it is trusted (no replacement, or replacements that
// are valid URLs) and where it is not (a replacement needs the full
// validation, which names the field), and Build's errors.
func TestBuildToMatchesBuild(t *testing.T) {
	body := []byte(`{"customer":{"type":"private","name":"Kari Nordmann","email":"kari@example.no","countryCode":"+47",` +
		`"msisdn":"46567468","address":{"street":"Karl Johans gate 1","zip":"0154","city":"Oslo","country":"NO"}},` +
		`"lines":[{"name":"Bok","sku":"B-1","unitPrice":12990,"quantity":2,"taxRate":25}],"callbackUrl":"https://gate.example/cb"}`)
	d, err := jsonx.Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Now: testNow}
	co, err := DecodeChecked(d.Root(), o)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, op, cb, ok, no string
		wantErr              string
	}{
		{"create, the order's own URLs", OpCreate, "", "", "", ""},
		{"submit, the order's own URLs", OpSubmit, "", "", "", ""},
		{"create, replaced", OpCreate, "https://gate.example/cb/t1.x", "https://gate.example/ok", "https://gate.example/no", ""},
		{"create, a bad replacement", OpCreate, "https://gate.example/cb", "not a url", "", "successUrl"},
		{"submit with a success page", OpSubmit, "", "https://gate.example/ok", "", "successUrl"},
		{"an operation orders do not build", OpCapture, "", "", "", "capture"},
	} {
		t.Run(c.name, func(t *testing.T) {
			want, werr := co.Build(c.op, o, c.cb, c.ok, c.no)
			w := jsonx.NewWriter([]byte(`{"x":1,"body":`))
			err := co.BuildTo(w, c.op, o, c.cb, c.ok, c.no)
			if c.wantErr != "" {
				if werr == nil || err == nil || err.Error() != werr.Error() || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("BuildTo error %v; Build error %v; want one naming %q", err, werr, c.wantErr)
				}
				return
			}
			if werr != nil || err != nil {
				t.Fatalf("Build: %v; BuildTo: %v", werr, err)
			}
			if got := string(w.Bytes()); got != `{"x":1,"body":`+string(want) {
				t.Fatalf("BuildTo wrote\n%s\nBuild\n%s", got, want)
			}
		})
	}
}

// TestChargeLinesAreOrderLines: a line checked on its own (CheckLine,
// AppendLineProducts: the build of a charge) becomes exactly the FrontGo
// lines it becomes inside an order without order discounts, discount and
// split included.
func TestChargeLinesAreOrderLines(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	rates := []money.Rate{0, 1200, 1500, 2500}
	for n := 0; n < 2000; n++ {
		l := OrderLine{Name: "line", SKU: "s", UnitPrice: money.Amount(1 + rng.IntN(500000)), Quantity: int64(1 + rng.IntN(20)), TaxRate: rates[rng.IntN(4)]}
		if rng.IntN(2) == 0 {
			l.Discount = money.Amount(rng.Int64N(int64(l.UnitPrice) * l.Quantity))
		}
		r, err := FromOrder(&Order{Customer: testCustomer(), Lines: []OrderLine{l}}, Options{Now: testNow})
		if err != nil {
			t.Fatalf("line %d %+v: %v", n, l, err)
		}
		total, errs := CheckLine(&l, 0, Options{})
		if errs != nil {
			t.Fatalf("line %d %+v: %v", n, l, errs)
		}
		if got := AppendLineProducts(nil, &l, total); !slicesEqual(got, r.Products) {
			t.Fatalf("line %d %+v: charge %+v, order %+v", n, l, got, r.Products)
		}
	}
	// Its rules at the line's own path, the order's messages.
	_, errs := CheckLine(&OrderLine{Kind: "gift", Name: " ", SKU: strings.Repeat("s", 256), UnitPrice: 100, Quantity: 1, TaxRate: 1300, Discount: 101}, 2, Options{})
	var got []string
	for _, f := range errs {
		got = append(got, f.Path+":"+f.Rule)
	}
	if want := "lines.2.name:required lines.2.sku:max_length lines.2.kind:enum lines.2.taxRate:tax_rate lines.2.discount:range"; strings.Join(got, " ") != want {
		t.Fatalf("CheckLine errors %v, want %s", got, want)
	}
}

func slicesEqual(a, b []Product) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestChargeValidityInMinutes: an order counts days, FrontGo's
// chargeValidity minutes ("Validity in minutes (digits only)").
func TestChargeValidityInMinutes(t *testing.T) {
	for _, c := range []struct {
		days int
		want string
	}{{0, ""}, {1, "1440"}, {14, "20160"}, {90, "129600"}, {100000, "144000000"}} {
		r, err := FromOrder(&Order{Customer: testCustomer(), ChargeValidity: c.days, Lines: []OrderLine{{Name: "A", UnitPrice: 100, Quantity: 1}}}, Options{Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		if r.ChargeValidity != c.want {
			t.Errorf("%d days: chargeValidity %q, want %q", c.days, r.ChargeValidity, c.want)
		}
		if _, err := BuildCreate(r, Options{Now: testNow}); err != nil {
			t.Errorf("%d days: the built body is refused: %v", c.days, err)
		}
	}
}

// TestCheckedOrderReplacesOnlyGivenURLs: a replacement callback URL keeps
// the order's return pages (it once wiped them).
func TestCheckedOrderReplacesOnlyGivenURLs(t *testing.T) {
	d, err := jsonx.Parse([]byte(`{"customer":{"type":"private","name":"Kari","email":"kari@example.no","countryCode":"+47","msisdn":"46567468",
		"address":{"street":"a","zip":"0154","city":"Oslo","country":"NO"}},"lines":[{"name":"A","unitPrice":100,"quantity":1,"taxRate":25}],
		"callbackUrl":"https://shop.example/cb","successUrl":"https://shop.example/ok","failureUrl":"https://shop.example/no"}`))
	if err != nil {
		t.Fatal(err)
	}
	co, err := DecodeChecked(d.Root(), Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	b, err := co.Build(OpCreate, Options{Now: testNow}, "https://gate.example/cb", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if want := `"callback":{"callbackUrl":"https://gate.example/cb","success":"https://shop.example/ok","failure":"https://shop.example/no"}`; !bytes.Contains(b, []byte(want)) {
		t.Fatalf("body %s lacks %s", b, want)
	}
}

// TestAppendLineProductsRefusesUncheckedLine: a line CheckLine would refuse
// is a caller's bug, said in words, not a division by zero.
func TestAppendLineProductsRefusesUncheckedLine(t *testing.T) {
	defer func() {
		r := recover()
		if s, _ := r.(string); !strings.Contains(s, "AppendLineProducts of a line CheckLine refuses (quantity 0") {
			t.Fatalf("recovered %v", r)
		}
	}()
	AppendLineProducts(nil, &OrderLine{Name: "A", UnitPrice: 100}, 100)
}
