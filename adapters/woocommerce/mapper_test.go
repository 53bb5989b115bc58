package woocommerce

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/frontgate/frontgate/plugin/money"
	"github.com/frontgate/frontgate/plugin/reservation"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// checkoutTime is a minute after the fixtures' orders were placed.
var checkoutTime = time.Date(2026, 3, 2, 13, 6, 0, 0, time.UTC)

func readOrder(t *testing.T, name string) *Order {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "orders", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := ParseOrder(b)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// mapCases is shared with the PHP mapper's test (plugin/tests), which
// reads testdata/golden: <name>.order.json for orders that map and
// <name>.error.txt for those refused.
var mapCases = []struct {
	name  string
	cfg   func(*MapConfig)
	lines int   // order lines; the core may split them further
	errIs error // for refused orders
}{
	{name: "incl-tax-shipping", lines: 3},
	{name: "excl-tax-food-books", lines: 4},
	{name: "coupon-percent", lines: 3},
	{name: "coupon-fixed", lines: 4},
	{name: "rounding-per-line", lines: 3},
	{name: "rounding-per-item", lines: 3},
	{name: "fees", lines: 4},
	{name: "corporate", lines: 1},
	{name: "shipping-address-fallback", lines: 2},
	{name: "no-rate-percent", lines: 2},
	{name: "err-round-at-subtotal", errIs: ErrTotal},
	{name: "err-unknown-rate", errIs: ErrTaxRate},
	{name: "err-two-taxes", errIs: ErrTaxRate},
	{name: "err-currency", errIs: ErrCurrency},
	{name: "err-no-phone", errIs: ErrCustomer},
}

func TestMapOrderFixtures(t *testing.T) {
	for _, tc := range mapCases {
		t.Run(tc.name, func(t *testing.T) {
			o := readOrder(t, tc.name)
			cfg := DefaultMapConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			ord, err := MapOrder(o, cfg)
			if tc.errIs != nil {
				if !errors.Is(err, tc.errIs) {
					t.Fatalf("MapOrder = %v, want an error matching %v", err, tc.errIs)
				}
				golden(t, tc.name+".error.txt", []byte(err.Error()+"\n"))
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(ord.Lines) != tc.lines {
				t.Errorf("%d lines, want %d", len(ord.Lines), tc.lines)
			}
			b, err := MarshalOrder(ord)
			if err != nil {
				t.Fatal(err)
			}
			var pretty bytes.Buffer
			_ = json.Indent(&pretty, b, "", "  ")
			pretty.WriteByte('\n')
			golden(t, tc.name+".order.json", pretty.Bytes())

			// The JSON reads back as the same order.
			back, err := reservation.DecodeOrder(b)
			if err != nil {
				t.Fatalf("DecodeOrder: %v", err)
			}
			if !reflect.DeepEqual(back, ord) {
				t.Fatalf("DecodeOrder(MarshalOrder(o)) differs:\n got %+v\nwant %+v", back, ord)
			}
			// The core builds it, and FrontGo's grand total is WooCommerce's.
			opts := reservation.Options{Now: checkoutTime}
			r, err := reservation.FromOrder(ord, opts)
			if err != nil {
				t.Fatalf("FromOrder: %v", err)
			}
			r.SuccessURL, r.FailureURL = "https://butikk.example/kasse/ok", "https://butikk.example/kasse/feil"
			if _, err := reservation.BuildCreate(r, opts); err != nil {
				t.Fatalf("BuildCreate: %v", err)
			}
			if _, err := reservation.BuildOrder(reservation.OpSubmit, ord, opts); err != nil {
				t.Fatalf("BuildOrder(submit): %v", err)
			}
			want, _ := money.ParseAmount([]byte(o.Total))
			if r.Summary.GrandTotal != want {
				t.Fatalf("grandTotal %s, WooCommerce total %s", r.Summary.GrandTotal, want)
			}
		})
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs (go test -update rewrites it):\n got %s\nwant %s", path, got, want)
	}
}

// The fixed coupon's order in full: WooCommerce's discounted totals as
// each line's discount, and 133.45 for 4 bars left for the core to split.
func TestMapOrderCouponFixedExact(t *testing.T) {
	ord, err := MapOrder(readOrder(t, "coupon-fixed"), DefaultMapConfig())
	if err != nil {
		t.Fatal(err)
	}
	want := &reservation.Order{
		Customer: reservation.Customer{Type: "private", CountryCode: "+47", MSISDN: "41234567", Email: "kari@example.no",
			Name: "Kari Nordmann", Address: reservation.Address{Street: "Storgata 1", Zip: "0155", City: "Oslo", Country: "NO"}},
		Currency: "NOK", OrderDate: time.Date(2026, 3, 2, 13, 5, 11, 0, time.UTC).Unix(), Reference: "1204",
		Lines: []reservation.OrderLine{
			{Kind: "product", Name: "Vinterjakke", SKU: "JAKKE-V", UnitPrice: 149900, Quantity: 1, TaxRate: 2500, Discount: 7015},
			{Kind: "product", Name: "Lue", SKU: "LUE", UnitPrice: 24900, Quantity: 2, TaxRate: 2500, Discount: 2330},
			{Kind: "product", Name: "Sjokolade 100 g", SKU: "SJOKO", UnitPrice: 3500, Quantity: 4, TaxRate: 1500, Discount: 655},
			{Kind: "shipping", Name: "Posten – Pakke i postkassen", SKU: "flat_rate", UnitPrice: 6900, Quantity: 1, TaxRate: 2500},
		},
	}
	if !reflect.DeepEqual(ord, want) {
		t.Fatalf("got  %+v\nwant %+v", ord, want)
	}
	r, err := reservation.FromOrder(ord, reservation.Options{Now: checkoutTime})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range r.Products {
		got = append(got, p.Name+" "+p.Rate.String()+"="+p.Amount.String())
	}
	wantP := "Vinterjakke 1428.85=1428.85|Lue 237.35=474.70|Sjokolade 100 g 33.36=100.08|Sjokolade 100 g 33.37=33.37|" +
		"Posten – Pakke i postkassen 69.00=69.00"
	if strings.Join(got, "|") != wantP {
		t.Fatalf("products %s\nwant     %s", strings.Join(got, "|"), wantP)
	}
	if r.Summary.GrandTotal != 210600 {
		t.Fatalf("grandTotal %s", r.Summary.GrandTotal)
	}
}

func TestMapOrderRoundingTolerance(t *testing.T) {
	o := readOrder(t, "err-round-at-subtotal")
	cfg := DefaultMapConfig()
	cfg.RoundingTolerance = 1
	ord, err := MapOrder(o, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Linjal, the largest line (16.24), absorbs the øre: 16.23.
	if l := ord.Lines[2]; l.Name != "Linjal 30 cm" || lineTotal(l) != 1623 {
		t.Fatalf("line %+v", l)
	}
	r, err := reservation.FromOrder(ord, reservation.Options{Now: checkoutTime})
	if err != nil || r.Summary.GrandTotal != 2621 {
		t.Fatalf("FromOrder: %v, %+v", err, r)
	}
}

func TestMapOrderConfig(t *testing.T) {
	t.Run("a rate the account takes", func(t *testing.T) {
		cfg := DefaultMapConfig()
		cfg.TaxRates = []money.Rate{0, 1500, 2400, 2500}
		ord, err := MapOrder(readOrder(t, "err-unknown-rate"), cfg)
		if err != nil || ord.Lines[0].TaxRate != 2400 {
			t.Fatalf("MapOrder = %+v, %v", ord, err)
		}
	})
	t.Run("no organisation number meta key", func(t *testing.T) {
		cfg := DefaultMapConfig()
		cfg.OrgNumberMetaKey = ""
		ord, err := MapOrder(readOrder(t, "corporate"), cfg)
		if err != nil || ord.Customer.Type != "private" || ord.Customer.Name != "Ola Hansen" {
			t.Fatalf("MapOrder = %+v, %v", ord.Customer, err)
		}
	})
	t.Run("language", func(t *testing.T) {
		cfg := DefaultMapConfig()
		cfg.PreferredLanguage = "no"
		ord, _ := MapOrder(readOrder(t, "fees"), cfg)
		if ord.Customer.PreferredLanguage != "no" {
			t.Fatal(ord.Customer)
		}
	})
	t.Run("a bad organisation number", func(t *testing.T) {
		o := readOrder(t, "corporate")
		o.MetaData[0].Value = json.RawMessage(`"923 609 016 AS"`)
		_, err := MapOrder(o, DefaultMapConfig())
		want := `woocommerce: order 1208: meta_data._billing_organization_number: "923 609 016 AS" is not an organisation number`
		if err == nil || err.Error() != want {
			t.Fatalf("MapOrder = %v\nwant %s", err, want)
		}
	})
	t.Run("an amount with three decimals", func(t *testing.T) {
		o := readOrder(t, "fees")
		o.LineItems[0].Total = "62.405"
		_, err := MapOrder(o, DefaultMapConfig())
		if !errors.Is(err, ErrAmount) || !strings.HasSuffix(err.Error(), `order 1207: line_items.0.total: "62.405": more than two decimal places`) {
			t.Fatalf("MapOrder = %v", err)
		}
	})
	t.Run("a fractional quantity", func(t *testing.T) {
		o := readOrder(t, "fees")
		o.LineItems[0].Quantity = "1.5"
		_, err := MapOrder(o, DefaultMapConfig())
		if !errors.Is(err, ErrAmount) || !strings.Contains(err.Error(), `line_items.0.quantity: must be a whole number above 0, not "1.5"`) {
			t.Fatalf("MapOrder = %v", err)
		}
	})
	t.Run("a tax that is not the rate's", func(t *testing.T) {
		o := readOrder(t, "incl-tax-shipping")
		o.LineItems[1].TotalTax = "19.20" // 16 %, not 25 %
		_, err := MapOrder(o, DefaultMapConfig())
		if !errors.Is(err, ErrTaxRate) || !strings.Contains(err.Error(), "line_items.1.total_tax: the tax 19.20 is not 25% of 119.20 (29.80)") {
			t.Fatalf("MapOrder = %v", err)
		}
	})
}

func TestSplitPhone(t *testing.T) {
	tests := []struct {
		raw, country, code, msisdn, err string
	}{
		{"412 34 567", "NO", "+47", "41234567", ""},
		{"41234567", "", "+47", "41234567", ""},
		{"+47 412 34 567", "NO", "+47", "41234567", ""},
		{"0047 41234567", "NO", "+47", "41234567", ""},
		{"4741234567", "NO", "+47", "41234567", ""},
		{"+46 70-123 45 67", "SE", "+46", "701234567", ""},
		{"070-123 45 67", "SE", "+46", "701234567", ""},
		{"+358 40 123 4567", "FI", "+358", "401234567", ""},
		{"+44 (0)20 7946 0958", "GB", "+44", "2079460958", ""},
		{"+1 (212) 555-0123", "US", "+1", "2125550123", ""},
		{"+354 611 2345", "IS", "+354", "6112345", ""},
		{"+420 601 123 456", "CZ", "+420", "601123456", ""},
		{"+7 912 345 67 89", "", "+7", "9123456789", ""},
		{"+27 82 123 4567", "", "+27", "821234567", ""},
		{"612345678", "CZ", "", "", "has no dialing code and the country CZ has none on file: give it as +<code> <number>"},
		{"", "NO", "", "", "is empty"},
		{"tel: 412", "NO", "", "", "is not a phone number"},
		{"+0 123", "", "", "", "is not a phone number"},
		{"41+234567", "NO", "", "", "is not a phone number"},
	}
	for _, tc := range tests {
		code, msisdn, err := SplitPhone(tc.raw, tc.country, "+47")
		if code != tc.code || msisdn != tc.msisdn || (err == nil) != (tc.err == "") || (err != nil && err.Error() != tc.err) {
			t.Errorf("SplitPhone(%q, %q) = %q, %q, %v; want %q, %q, %q", tc.raw, tc.country, code, msisdn, err, tc.code, tc.msisdn, tc.err)
		}
	}
}

func FuzzMapOrder(f *testing.F) {
	for _, tc := range mapCases {
		b, err := os.ReadFile(filepath.Join("testdata", "orders", tc.name+".json"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := ParseOrder(b)
		if err != nil {
			return
		}
		ord, err := MapOrder(o, DefaultMapConfig())
		if err != nil {
			return
		}
		// Whatever maps adds up to WooCommerce's total, and the core
		// either builds it or says why.
		var sum money.Amount
		for _, l := range ord.Lines {
			if l.Discount < 0 || l.UnitPrice < 0 {
				t.Fatalf("negative line %+v", l)
			}
			sum += lineTotal(l)
		}
		for _, d := range ord.Discounts {
			sum -= d.Amount
		}
		if want, _ := money.ParseAmount([]byte(strings.TrimSpace(o.Total))); sum != want {
			t.Fatalf("lines add up to %s, total %s", sum, want)
		}
	})
}
