// Package woocommerce connects WooCommerce shops to the sidecar: it maps
// WooCommerce REST API v3 orders to the core's shop-neutral order (exact
// to the øre), maps reservation states to WooCommerce outcomes, delivers
// those outcomes to the frontgate-woocommerce plugin's WC-API endpoint as
// signed webhooks, and reads orders back through the REST API for
// reconciliation. The plugin itself (PHP) lives in plugin/ and maps
// WC_Order objects by the same rules, checked against the same fixtures.
package woocommerce

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frontgate/frontgate/plugin/money"
	"github.com/frontgate/frontgate/plugin/reservation"
)

// MapConfig says how a shop's orders map. DefaultMapConfig fills it.
type MapConfig struct {
	// Currencies accepted; default NOK only. FrontGo settles in NOK and the
	// core refuses other currencies today: widen this only together with
	// the core.
	Currencies []string
	// TaxRates the merchant's FrontGo account accepts; nil means
	// reservation.DefaultTaxRates (0, 12, 15, 25 %). A line whose
	// WooCommerce rate is not among them is refused, never rounded to one.
	TaxRates []money.Rate
	// DefaultDialingCode completes national phone numbers of shoppers in
	// Norway, or with no country: "+47".
	DefaultDialingCode string
	// OrgNumberMetaKey is the order meta key holding the buyer's
	// organisation number (filled by a checkout field plugin). A billing
	// company makes a corporate customer only when this meta has one.
	OrgNumberMetaKey string
	// RoundingTolerance is the largest difference, in øre, between the
	// lines and the order total that is absorbed into the largest product
	// line instead of refusing the order. Zero (the default) refuses every
	// difference; shops that round tax at subtotal level may need 1-2 øre.
	RoundingTolerance money.Amount
	// PreferredLanguage is the customer's language on FrontGo's pages
	// ("no", "en", …); empty means the core's default.
	PreferredLanguage string
}

// DefaultOrgNumberMetaKey is the meta key read for organisation numbers
// unless configured otherwise.
const DefaultOrgNumberMetaKey = "_billing_organization_number"

// DefaultMapConfig returns the defaults: NOK, the default tax rates, +47,
// DefaultOrgNumberMetaKey, no rounding tolerance.
func DefaultMapConfig() MapConfig {
	return MapConfig{Currencies: []string{"NOK"}, DefaultDialingCode: "+47", OrgNumberMetaKey: DefaultOrgNumberMetaKey}
}

// Sentinel errors a MappingError unwraps to, for errors.Is.
var (
	ErrCurrency = errors.New("currency not accepted")
	ErrTaxRate  = errors.New("tax rate not accepted")
	ErrTotal    = errors.New("lines do not add up to the order total")
	ErrAmount   = errors.New("amount not readable")
	ErrCustomer = errors.New("customer details not usable")
)

// Problem is one reason an order cannot be mapped, at the REST field it
// comes from ("line_items.2.taxes", "total", "billing.phone").
type Problem struct {
	Path    string
	Message string
	Err     error // one of the sentinel errors
}

// MappingError lists every reason a WooCommerce order cannot become a
// reservation.
type MappingError struct {
	Order    string // the order number
	Problems []Problem
}

func (e *MappingError) Error() string {
	var b strings.Builder
	b.WriteString("woocommerce: order ")
	b.WriteString(e.Order)
	for i, p := range e.Problems {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(p.Path)
		b.WriteString(": ")
		b.WriteString(p.Message)
	}
	return b.String()
}

// Unwrap returns the problems' sentinel errors.
func (e *MappingError) Unwrap() []error {
	out := make([]error, 0, len(e.Problems))
	for _, p := range e.Problems {
		out = append(out, p.Err)
	}
	return out
}

type mapper struct {
	cfg      MapConfig
	o        *Order
	rates    map[int64]*TaxLine
	problems []Problem
}

func (m *mapper) bad(path string, err error, format string, args ...any) {
	m.problems = append(m.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...), Err: err})
}

// MapOrder turns a WooCommerce order into the core's shop-neutral order.
//
// Every line's gross is WooCommerce's own total plus total_tax, in øre,
// parsed exactly; coupons are already in those totals, so a coupon shows
// as each line's discount (its subtotal less its total) rather than as an
// order discount the core would spread by its own proportions: the tax of
// each line stays WooCommerce's. A line whose gross does not divide by its
// quantity gets a unit price rounded up and the øre left over as its
// discount, which the core splits into two lines one øre apart. Shipping
// and fees become lines of kind shipping and fee; a negative fee becomes
// an order discount. The lines must add up to the order's total to the
// øre (see MapConfig.RoundingTolerance), or the order is refused with both
// numbers named.
func MapOrder(o *Order, cfg MapConfig) (*reservation.Order, error) {
	if cfg.DefaultDialingCode == "" {
		cfg.DefaultDialingCode = "+47"
	}
	if len(cfg.Currencies) == 0 {
		cfg.Currencies = []string{"NOK"}
	}
	m := &mapper{cfg: cfg, o: o, rates: map[int64]*TaxLine{}}
	for i := range o.TaxLines {
		m.rates[o.TaxLines[i].RateID] = &o.TaxLines[i]
	}
	ord := &reservation.Order{Currency: strings.ToUpper(o.Currency), Reference: o.Number, CustomerNotes: o.CustomerNote}
	if ord.Reference == "" {
		ord.Reference = strconv.FormatInt(o.ID, 10)
	}
	if !m.currencyOK(ord.Currency) {
		m.bad("currency", ErrCurrency, "%q is not accepted (accepted: %s)", o.Currency, strings.Join(cfg.Currencies, ", "))
	}
	if t, err := time.Parse("2006-01-02T15:04:05", o.DateCreatedGMT); err == nil {
		ord.OrderDate = t.Unix()
	}
	ord.Customer = m.customer()

	var sum money.Amount
	largest := -1
	for i, li := range o.LineItems {
		p := "line_items." + strconv.Itoa(i)
		q, err := strconv.ParseInt(li.Quantity.String(), 10, 64)
		if err != nil || q <= 0 {
			m.bad(p+".quantity", ErrAmount, "must be a whole number above 0, not %q", li.Quantity.String())
			continue
		}
		before := len(m.problems)
		total, tax := m.amount(p+".total", li.Total), m.amount(p+".total_tax", li.TotalTax)
		sub, subTax := total, tax
		if li.Subtotal != "" {
			sub = m.amount(p+".subtotal", li.Subtotal)
			subTax = m.amount(p+".subtotal_tax", li.SubtotalTax)
		}
		if len(m.problems) > before {
			continue
		}
		rate := m.rate(p, li.Taxes, total, tax, q)
		sku := li.SKU
		if sku == "" {
			sku = strconv.FormatInt(li.ProductID, 10)
			if li.VariationID != 0 {
				sku = strconv.FormatInt(li.VariationID, 10)
			}
		}
		l, ok := m.line(p, reservation.LineProduct, li.Name, sku, q, sub+subTax, total+tax, rate)
		if !ok {
			continue
		}
		ord.Lines = append(ord.Lines, l)
		sum += total + tax
		if largest < 0 || lineTotal(l) > lineTotal(ord.Lines[largest]) {
			largest = len(ord.Lines) - 1
		}
	}
	for i, sl := range o.ShippingLines {
		p := "shipping_lines." + strconv.Itoa(i)
		before := len(m.problems)
		total, tax := m.amount(p+".total", sl.Total), m.amount(p+".total_tax", sl.TotalTax)
		if len(m.problems) > before {
			continue
		}
		rate := m.rate(p, sl.Taxes, total, tax, 1)
		if l, ok := m.line(p, reservation.LineShipping, sl.MethodTitle, sl.MethodID, 1, total+tax, total+tax, rate); ok {
			ord.Lines = append(ord.Lines, l)
			sum += total + tax
		}
	}
	for i, fl := range o.FeeLines {
		p := "fee_lines." + strconv.Itoa(i)
		before := len(m.problems)
		total, tax := m.amount(p+".total", fl.Total), m.amount(p+".total_tax", fl.TotalTax)
		if len(m.problems) > before {
			continue
		}
		if total+tax < 0 {
			ord.Discounts = append(ord.Discounts, reservation.Discount{Name: clip(fl.Name), Amount: -(total + tax)})
			sum += total + tax
			continue
		}
		rate := m.rate(p, fl.Taxes, total, tax, 1)
		if l, ok := m.line(p, reservation.LineFee, fl.Name, "", 1, total+tax, total+tax, rate); ok {
			ord.Lines = append(ord.Lines, l)
			sum += total + tax
		}
	}
	if len(o.LineItems)+len(o.ShippingLines)+len(o.FeeLines) == 0 {
		m.bad("line_items", ErrAmount, "the order has no lines")
	}
	want := m.amount("total", o.Total)
	if len(m.problems) == 0 && sum != want {
		diff := want - sum
		if abs(diff) <= m.cfg.RoundingTolerance && largest >= 0 {
			l := &ord.Lines[largest]
			g := lineTotal(*l) + diff
			l.UnitPrice = max(l.UnitPrice, ceilDiv(g, l.Quantity))
			l.Discount = l.UnitPrice*money.Amount(l.Quantity) - g
		} else {
			m.bad("total", ErrTotal, "the lines add up to %s but the order total is %s (a difference of %s); "+
				"WooCommerce may be set to round tax at subtotal level", sum, want, diff)
		}
	}
	if len(m.problems) > 0 {
		return nil, &MappingError{Order: ord.Reference, Problems: m.problems}
	}
	return ord, nil
}

func (m *mapper) currencyOK(c string) bool {
	for _, x := range m.cfg.Currencies {
		if strings.EqualFold(x, c) {
			return true
		}
	}
	return false
}

// amount parses a WooCommerce money string exactly; "" is zero.
func (m *mapper) amount(path, s string) money.Amount {
	if strings.TrimSpace(s) == "" {
		return 0
	}
	a, err := money.ParseAmount([]byte(strings.TrimSpace(s)))
	if err != nil {
		m.bad(path, ErrAmount, "%q: %v", s, err)
		return 0
	}
	return a
}

// line makes an order line of gross total g for q units, with the unit
// price taken from base (the gross before coupons) when it is larger.
func (m *mapper) line(path, kind, name, sku string, q int64, base, g money.Amount, rate money.Rate) (reservation.OrderLine, bool) {
	if g < 0 {
		m.bad(path, ErrAmount, "the total with tax, %s, is negative", g)
		return reservation.OrderLine{}, false
	}
	unit := ceilDiv(max(base, g), q)
	if strings.TrimSpace(name) == "" {
		name = kind
	}
	return reservation.OrderLine{Kind: kind, Name: clip(name), SKU: clip(sku), UnitPrice: unit, Quantity: q, TaxRate: rate,
		Discount: unit*money.Amount(q) - g}, true
}

func lineTotal(l reservation.OrderLine) money.Amount {
	return l.UnitPrice*money.Amount(l.Quantity) - l.Discount
}

func ceilDiv(a money.Amount, q int64) money.Amount {
	if a <= 0 {
		return 0
	}
	return (a + money.Amount(q) - 1) / money.Amount(q)
}

func abs(a money.Amount) money.Amount {
	if a < 0 {
		return -a
	}
	return a
}

// clip keeps a text within the core's 255-byte limit, on a rune boundary.
func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) <= 255 {
		return s
	}
	n := 255
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// nonZero reports whether a decimal string has a non-zero digit.
func nonZero(s string) bool { return strings.ContainsAny(s, "123456789") }

// rate finds a line's tax rate: the one tax rate WooCommerce charged on it
// (its rate_percent in tax_lines), else, for an untaxed line, 0 %. Without
// rate_percent (WooCommerce before 3.7) the rate is inferred from the
// line's tax and net. The rate must be one the account accepts, and must
// explain the line's tax to within an øre a unit.
func (m *mapper) rate(path string, taxes []ItemTax, net, tax money.Amount, q int64) money.Rate {
	var ids []int64
	for _, t := range taxes {
		if nonZero(t.Total) {
			ids = append(ids, t.ID)
		}
	}
	if len(ids) == 0 && len(taxes) == 1 {
		ids = append(ids, taxes[0].ID)
	}
	if len(ids) > 1 {
		m.bad(path+".taxes", ErrTaxRate, "%d tax rates apply (rate ids %s); FrontGo takes one rate per line", len(ids), joinIDs(ids))
		return 0
	}
	var r money.Rate
	switch {
	case len(ids) == 0 && tax == 0:
		r = 0
	case len(ids) == 1 && m.rates[ids[0]] != nil && m.rates[ids[0]].RatePercent != "":
		tl := m.rates[ids[0]]
		var err error
		if r, err = money.ParseRate([]byte(tl.RatePercent.String())); err != nil {
			m.bad(path+".taxes", ErrTaxRate, "tax rate %q (%s) is not a percentage with at most two decimals", tl.RatePercent, tl.Label)
			return 0
		}
		if tl.Compound {
			m.bad(path+".taxes", ErrTaxRate, "tax rate %s (%s) is compound; FrontGo takes one simple rate per line", r, tl.Label)
			return 0
		}
	default:
		var ok bool
		if r, ok = m.inferRate(net, tax, q); !ok {
			m.bad(path+".total_tax", ErrTaxRate, "the tax %s on %s matches none of the accepted rates %s", tax, net, m.ratesText())
			return 0
		}
	}
	if !m.rateAllowed(r) {
		m.bad(path+".taxes", ErrTaxRate, "tax rate %s%% is not one of the accepted rates %s", r, m.ratesText())
		return 0
	}
	if d := abs(money.TaxOn(net, r) - tax); d > money.Amount(q)+1 {
		m.bad(path+".total_tax", ErrTaxRate, "the tax %s is not %s%% of %s (%s)", tax, r, net, money.TaxOn(net, r))
		return 0
	}
	return r
}

func (m *mapper) inferRate(net, tax money.Amount, q int64) (money.Rate, bool) {
	best, bestD := money.Rate(0), money.Amount(-1)
	for _, r := range m.allowed() {
		d := abs(money.TaxOn(net, r) - tax)
		if d <= money.Amount(q)+1 && (bestD < 0 || d < bestD) {
			best, bestD = r, d
		}
	}
	return best, bestD >= 0
}

func (m *mapper) allowed() []money.Rate {
	if m.cfg.TaxRates != nil {
		return m.cfg.TaxRates
	}
	return reservation.DefaultTaxRates
}

func (m *mapper) rateAllowed(r money.Rate) bool {
	for _, x := range m.allowed() {
		if x == r {
			return true
		}
	}
	return false
}

func (m *mapper) ratesText() string {
	var parts []string
	for _, r := range m.allowed() {
		parts = append(parts, r.String()+"%")
	}
	return strings.Join(parts, ", ")
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ", ")
}

// customer maps the billing details (the shipping address when the billing
// address is empty, as for virtual products).
func (m *mapper) customer() reservation.Customer {
	b, s := m.o.Billing, m.o.Shipping
	c := reservation.Customer{Type: reservation.CustomerPrivate, Email: strings.TrimSpace(b.Email),
		Name:              strings.TrimSpace(strings.TrimSpace(b.FirstName) + " " + strings.TrimSpace(b.LastName)),
		PreferredLanguage: m.cfg.PreferredLanguage}
	addr := b
	if strings.TrimSpace(b.Address1) == "" && strings.TrimSpace(s.Address1) != "" {
		addr = s
	}
	street := strings.TrimSpace(addr.Address1)
	if a2 := strings.TrimSpace(addr.Address2); a2 != "" {
		street += ", " + a2
	}
	country := strings.ToUpper(strings.TrimSpace(addr.Country))
	if country == "" {
		country = strings.ToUpper(strings.TrimSpace(b.Country))
	}
	c.Address = reservation.Address{Street: clip(street), Zip: strings.TrimSpace(addr.Postcode), City: strings.TrimSpace(addr.City), Country: country}

	phone, phonePath := b.Phone, "billing.phone"
	if strings.TrimSpace(phone) == "" && strings.TrimSpace(s.Phone) != "" {
		phone, phonePath = s.Phone, "shipping.phone"
	}
	phoneCountry := strings.ToUpper(strings.TrimSpace(b.Country))
	if phoneCountry == "" {
		phoneCountry = country
	}
	code, msisdn, err := SplitPhone(phone, phoneCountry, m.cfg.DefaultDialingCode)
	switch {
	case errors.Is(err, ErrPhoneEmpty):
		m.bad(phonePath, ErrCustomer, "is empty; FrontGo needs the customer's mobile number")
	case err != nil:
		m.bad(phonePath, ErrCustomer, "%q %v", phone, err)
	}
	c.CountryCode, c.MSISDN = code, msisdn

	if company := strings.TrimSpace(b.Company); company != "" && m.cfg.OrgNumberMetaKey != "" {
		if raw, ok := m.o.Meta(m.cfg.OrgNumberMetaKey); ok && strings.TrimSpace(raw) != "" {
			org, ok := orgNumber(raw)
			if !ok {
				m.bad("meta_data."+m.cfg.OrgNumberMetaKey, ErrCustomer, "%q is not an organisation number", raw)
			}
			c.Type, c.OrganizationID = reservation.CustomerCorporate, org
			if c.Name == "" {
				c.Name = company
			} else {
				c.Name = company + " (" + c.Name + ")"
			}
		}
	}
	if c.Name == "" {
		c.Name = strings.TrimSpace(b.Company)
	}
	c.Name = clip(c.Name)
	return c
}

// orgNumber reads an organisation number as people write it: "NO 923 609
// 016 MVA", "923609016".
func orgNumber(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "NO")
	s = strings.TrimSuffix(s, "MVA")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '\u00a0':
		default:
			return "", false
		}
	}
	return b.String(), b.Len() > 0
}
