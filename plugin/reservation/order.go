package reservation

import (
	"math/bits"
	"strconv"
	"strings"
	"unsafe"

	"github.com/frontgate/frontgate/plugin/internal/jsonx"
	"github.com/frontgate/frontgate/plugin/money"
)

// Line kinds of a shop-neutral order.
const (
	LineProduct  = "product"
	LineShipping = "shipping"
	LineFee      = "fee"
)

// Order is the shop-neutral order a shop hands frontgate: prices in minor
// units with tax included, whole quantities, and discounts as amounts. The
// core turns it into FrontGo product lines and an orderSummary whose totals
// are exact to the øre (see BuildFromOrder).
type Order struct {
	Customer Customer
	// Currency must be "NOK" (FrontGo settles in Norwegian kroner); empty
	// means NOK.
	Currency              string
	OrderDate             int64 // Unix seconds; zero means Options.Now
	DueDateForPaymentLink int64 // Unix seconds; zero means OrderDate + DefaultPaymentLinkTTL
	Reference             string
	CustomerReference     string
	Lines                 []OrderLine
	// Discounts apply to the whole order (a coupon). Each is spread over the
	// product lines in proportion to their totals.
	Discounts   []Discount
	SendOrderBy SendOrderBy
	// ChargeValidity is how many days after the reservation a charge stays
	// possible; zero leaves it unset. It goes to FrontGo as chargeValidity
	// in minutes (× MinutesPerDay), the unit the reference gives.
	ChargeValidity int
	CustomerNotes  string
	TnC            string
	Settings       Settings
	CallbackURL    string
	SuccessURL     string
	FailureURL     string
	PaymentMethod  string // create: visa or mastercard; empty means DefaultPaymentMethod

}

// OrderLine is one line of an Order. UnitPrice includes tax.
type OrderLine struct {
	Kind      string // LineProduct (default), LineShipping or LineFee
	Name      string
	SKU       string // sent as productId
	UnitPrice money.Amount
	Quantity  int64
	TaxRate   money.Rate
	// Discount is taken off this line's total (UnitPrice × Quantity).
	Discount money.Amount
}

// Discount is an order-level reduction in minor units, tax included.
type Discount struct {
	Name   string
	Amount money.Amount
}

// DefaultPaymentLinkTTL is how long a payment link stays valid when the
// order does not say: 7 days.
const DefaultPaymentLinkTTL = 7 * 24 * 60 * 60

// FromOrder computes FrontGo product lines and the orderSummary from a
// shop-neutral order.
//
// FrontGo's product lines carry a unit rate and a line amount but no
// quantity or discount. frontgate reads amount as rate × quantity with tax
// included (the reference's "Total product amount"; its examples agree), so
// a discounted line must still be a whole number of units at one rate. When
// the discounted total does not divide evenly, the line is split in two at
// rates one øre apart: 3 × 100.00 less 10.00 becomes 1 × 96.66 and
// 2 × 96.67, which is 290.00 exactly. Order-level discounts are first
// spread over product lines in proportion to their totals (largest remainder,
// so the shares add up to the discount exactly).
//
// Tax per line is the tax included in its amount, rounded half away from
// zero; totalTax is their sum. grandTotal equals subTotal.
func FromOrder(ord *Order, o Options) (*NewReservation, error) {
	r := &NewReservation{}
	if err := fromOrder(ord, o, r, nil); err != nil {
		return nil, err
	}
	return r, nil
}

// fromOrder is FromOrder into r, which the build path keeps on its stack,
// with r's products in spare's storage when it is large enough.
func fromOrder(ord *Order, o Options, r *NewReservation, spare []Product) error {
	var c checker
	if ord.Currency != "" && ord.Currency != "NOK" {
		c.add(at("currency"), RuleEnum, "must be NOK, not "+quote(ord.Currency))
	}
	if len(ord.Lines) == 0 {
		c.add(at("lines"), RuleRequired, "must contain at least one line")
	}
	// The lines' totals: on the stack for the usual order.
	var tbuf [16]money.Amount
	var totals []money.Amount
	if n := len(ord.Lines); n <= len(tbuf) {
		totals = tbuf[:n]
	} else {
		totals = make([]money.Amount, n)
	}
	before := len(c.errs)
	c.lineTotals(ord.Lines, 0, &o, totals)
	linesBroke := len(c.errs) > before
	var orderDiscount money.Amount
	for i, d := range ord.Discounts {
		p := elem("discounts", i)
		if d.Amount <= 0 {
			c.add(p.at("amount"), RuleMin, "must be greater than 0")
			continue
		}
		if d.Amount > money.MaxAmount {
			c.add(p.at("amount"), RuleRange, "must be at most "+money.MaxAmount.String())
			continue
		}
		sum, err := orderDiscount.Add(d.Amount)
		if err != nil {
			// Summed unchecked, two huge discounts wrapped negative and
			// the order went out at full price.
			c.add(p.at("amount"), RuleRange, "the order's discounts add up to more than "+money.MaxAmount.String())
			continue
		}
		orderDiscount = sum
	}
	if len(c.errs) > 0 {
		return c.result("order")
	}
	if orderDiscount > 0 {
		if err := spread(ord.Lines, totals, orderDiscount); err != nil {
			c.add(at("discounts"), RuleRange, err.Error())
			return c.result("order")
		}
	}

	*r = NewReservation{
		Customer:              ord.Customer,
		OrderDate:             ord.OrderDate,
		DueDateForPaymentLink: ord.DueDateForPaymentLink,
		ReferenceNo:           ord.Reference,
		CustomerReference:     ord.CustomerReference,
		SendOrderBy:           ord.SendOrderBy,
		CustomerNotes:         ord.CustomerNotes,
		TnC:                   ord.TnC,
		Settings:              ord.Settings,
		CallbackURL:           ord.CallbackURL,
		SuccessURL:            ord.SuccessURL,
		FailureURL:            ord.FailureURL,
		PaymentMethod:         ord.PaymentMethod,
		Products:              reuse(spare, len(ord.Lines)+1),
	}
	if r.OrderDate == 0 && !o.Now.IsZero() {
		r.OrderDate = o.Now.Unix()
	}
	if r.DueDateForPaymentLink == 0 && r.OrderDate != 0 {
		r.DueDateForPaymentLink = r.OrderDate + DefaultPaymentLinkTTL
	}
	if r.OrderDate <= 0 {
		c.add(at("orderDate"), RuleRequired, "is required (or pass the current time)")
	}
	if !o.Now.IsZero() && r.DueDateForPaymentLink != 0 && r.DueDateForPaymentLink < o.Now.Unix() {
		c.add(at("paymentLinkDueDate"), RuleNotPast, "must be now or in the future")
	}
	if ord.ChargeValidity < 0 || ord.ChargeValidity > maxChargeValDays {
		c.add(at("chargeValidityDays"), RuleRange, "must be between 0 and "+strconv.Itoa(maxChargeValDays))
	}
	if ord.ChargeValidity > 0 {
		// The order counts days; FrontGo's chargeValidity is "Validity in
		// minutes (digits only)" (the create table).
		r.ChargeValidity = strconv.Itoa(ord.ChargeValidity * MinutesPerDay)
	}
	r.Products = appendLinesProducts(r.Products, ord.Lines, totals)
	r.Summary = SummaryOf(r.Products)
	if len(r.Products) > MaxLines {
		c.add(at("lines"), RuleMaxItems, "become more than "+strconv.Itoa(MaxLines)+" FrontGo lines")
	}
	switch {
	case r.Summary.GrandTotal <= 0 && !linesBroke:
		// (A line that broke a rule counts 0: its own error says why.)
		c.add(at("lines"), RuleMin, "the order's total must be greater than 0")
	case r.Summary.GrandTotal > money.MaxAmount:
		c.add(at("lines"), RuleRange, "the order's total must be at most "+money.MaxAmount.String())
	}
	return c.result("order")
}

// MinutesPerDay converts an order's chargeValidityDays into the minutes
// FrontGo's chargeValidity counts.
const MinutesPerDay = 24 * 60

// lineTotals checks the values of lines, which are lines first, first+1, …
// of their input (paths lines.N), and sets totals[i] to line i's total
// after its own discount: kind, tax rate (one of o's), quantity, unit
// price, unit price × quantity, and the discount (not negative, not above
// the line). A line that breaks a rule keeps total 0. Orders and the lines
// of a charge go through it alike; it takes a slice so that an order's ten
// lines cost one call, not ten (calls are dear in the wasm guest).
func (c *checker) lineTotals(lines []OrderLine, first int, o *Options, totals []money.Amount) {
	for i := range lines {
		l := &lines[i]
		p := elem("lines", first+i)
		switch l.Kind {
		case "", LineProduct, LineShipping, LineFee:
		default:
			c.add(p.at("kind"), RuleEnum, "must be one of product, shipping, fee, not "+quote(l.Kind))
		}
		if !o.taxRateAllowed(l.TaxRate) {
			c.add(p.at("taxRate"), RuleTaxRate, "must be one of the tax rates "+o.taxRatesText())
		}
		if l.Quantity <= 0 {
			c.add(p.at("quantity"), RuleMin, "must be a whole number greater than 0")
			continue
		}
		if l.UnitPrice < 0 {
			c.add(p.at("unitPrice"), RuleMin, "must not be negative")
			continue
		}
		if l.UnitPrice > money.MaxAmount {
			c.add(p.at("unitPrice"), RuleRange, "must be at most "+money.MaxAmount.String())
			continue
		}
		t, err := l.UnitPrice.Mul(l.Quantity)
		if err != nil {
			c.add(p.at("quantity"), RuleRange, "unit price × quantity is out of range (at most "+money.MaxAmount.String()+")")
			continue
		}
		if l.Discount < 0 {
			c.add(p.at("discount"), RuleMin, "must not be negative")
			continue
		}
		if l.Discount > t {
			c.add(p.at("discount"), RuleRange, "must not exceed the line total "+t.String())
			continue
		}
		totals[i] = t - l.Discount
	}
}

// CheckLine checks one shop-neutral line on its own, as an order's lines
// are checked (name and sku as the order decoder reads them, then the
// rules of its values), and returns its total after its discount. Every
// problem is reported under lines.index (the line's own path). The build
// of a charge reads its lines with it, so a charge line means what an order
// line means.
func CheckLine(l *OrderLine, index int, o Options) (money.Amount, []FieldError) {
	var c checker
	p := elem("lines", index)
	c.text(l.Name, p.at("name"), true, maxShortText)
	c.text(l.SKU, p.at("sku"), false, maxShortText)
	var t [1]money.Amount
	c.lineTotals(unsafe.Slice(l, 1), index, &o, t[:])
	if len(c.errs) > 0 {
		return 0, c.errs
	}
	return t[0], nil
}

// AppendLineProducts appends to ps the FrontGo lines of order line l, whose
// total after discounts is total (CheckLine's, or FromOrder's after an
// order discount is spread), and returns the extended slice. FrontGo's
// lines carry a rate and an amount (rate × whole units) but no discount,
// so a total that does not divide evenly into l.Quantity units becomes two
// lines at rates one øre apart: 3 × 100.00 less 10.00 is 1 × 96.66 and
// 2 × 96.67, exactly 290.00.
//
// l must be a line CheckLine accepted: one without a positive quantity is
// a caller's bug and panics saying so.
func AppendLineProducts(ps []Product, l *OrderLine, total money.Amount) []Product {
	if l.Quantity <= 0 || total < 0 {
		panic("reservation: AppendLineProducts of a line CheckLine refuses (quantity " + strconv.FormatInt(l.Quantity, 10) + ", total " + total.String() + ")")
	}
	return appendLinesProducts(ps, unsafe.Slice(l, 1), unsafe.Slice(&total, 1))
}

// appendLinesProducts is AppendLineProducts for each of lines with its
// total, in one call.
func appendLinesProducts(ps []Product, lines []OrderLine, totals []money.Amount) []Product {
	for i := range lines {
		l, t := &lines[i], totals[i]
		q := l.Quantity
		rate := t / money.Amount(q)
		rem := int64(t - rate*money.Amount(q))
		if rem == 0 {
			ps = append(ps, Product{Name: l.Name, ProductID: l.SKU, Rate: rate, Tax: l.TaxRate, Amount: t})
			continue
		}
		// q-rem units at rate, rem units at rate+1 øre: exact total.
		ps = append(ps,
			Product{Name: l.Name, ProductID: l.SKU, Rate: rate, Tax: l.TaxRate, Amount: rate * money.Amount(q-rem)},
			Product{Name: l.Name, ProductID: l.SKU, Rate: rate + 1, Tax: l.TaxRate, Amount: (rate + 1) * money.Amount(rem)})
	}
	return ps
}

// SummaryOf computes the orderSummary of product lines under frontgate's
// reading: subTotal = Σ amount, totalTax = Σ tax included per line,
// grandTotal = subTotal.
func SummaryOf(ps []Product) Summary {
	var s Summary
	for _, p := range ps {
		s.SubTotal += p.Amount
		s.TotalTax += money.TaxIncluded(p.Amount, p.Tax)
	}
	s.GrandTotal = s.SubTotal
	return s
}

// spread takes an order discount off the product lines' totals in
// proportion to them, by the largest-remainder method so the shares sum to
// the discount exactly.
func spread(lines []OrderLine, totals []money.Amount, discount money.Amount) error {
	var base money.Amount
	for i, l := range lines {
		if l.Kind == "" || l.Kind == LineProduct {
			base += totals[i]
		}
	}
	if discount > base {
		return errf("the discounts, " + discount.String() + ", exceed the product lines' total " + base.String())
	}
	type share struct {
		i   int
		rem int64
	}
	var given money.Amount
	rems := make([]share, 0, len(lines))
	cut := make([]money.Amount, len(lines))
	for i, l := range lines {
		if !(l.Kind == "" || l.Kind == LineProduct) || totals[i] == 0 {
			continue
		}
		q, rem := mulDiv(int64(discount), int64(totals[i]), int64(base))
		cut[i] = money.Amount(q)
		given += cut[i]
		rems = append(rems, share{i, rem})
	}
	// Hand out the øre left over, largest remainders first; ties by line.
	for left := discount - given; left > 0; left-- {
		best := -1
		for k, s := range rems {
			if cut[s.i] >= totals[s.i] {
				continue
			}
			if best < 0 || s.rem > rems[best].rem {
				best = k
			}
		}
		if best < 0 {
			return errf("the discounts cannot be spread over the product lines")
		}
		cut[rems[best].i]++
		rems[best].rem = -1
	}
	for i := range totals {
		totals[i] -= cut[i]
	}
	return nil
}

// mulDiv returns a×b/c and the remainder for non-negative a, b and c > 0,
// exactly, through a 128-bit product. The quotient fits because a ≤ c.
func mulDiv(a, b, c int64) (q, r int64) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	uq, ur := bits.Div64(hi, lo, uint64(c))
	return int64(uq), int64(ur)
}

type stringError string

func (e stringError) Error() string { return string(e) }

func errf(s string) error { return stringError(s) }

// BuildOrder turns a shop-neutral order into the wire body of submit
// (OpSubmit) or create (OpCreate): FromOrder, then BuildSubmit/BuildCreate.
// Violations found in the built payload are reported at the order's own
// paths ("customer.email", "paymentLinkDueDate"), so a shop sees the field
// it sent.
func BuildOrder(op string, ord *Order, o Options) ([]byte, error) {
	return buildOrder(op, ord, o, false, nil)
}

// CheckedOrder is an order DecodeChecked has held to FrontGo's rules for
// everything it carries as given (customer, texts, URLs); FromOrder checks
// and computes the rest. Its Build therefore writes the payload without
// validating it a second time: the costliest step in the wasm guest, and
// redundant here (FuzzDecodeOrder holds every such payload to the full
// validation). A CheckedOrder is not safe for concurrent use: Build keeps
// the storage of the FrontGo lines it makes for the next build.
type CheckedOrder struct {
	order Order
	// products is the storage of the last build's FrontGo lines, for the
	// next (see DecodeCheckedInto).
	products []Product
}

// Forget drops the texts c holds (which share the document's bytes),
// keeping the storage of its lines for the next DecodeCheckedInto.
func (c *CheckedOrder) Forget() {
	lines := c.order.Lines
	clear(lines[:cap(lines)])
	clear(c.products[:cap(c.products)])
	*c = CheckedOrder{order: Order{Lines: lines[:0]}, products: c.products[:0]}
}

// Order returns the decoded order.
func (c *CheckedOrder) Order() *Order { return &c.order }

// Build is BuildOrder for a checked order. Each of callbackURL, successURL
// and failureURL that is not empty replaces the order's own URL of that
// name; an empty one keeps the order's (a caller that replaces only the
// callback URL keeps the shop's return pages). They must already be
// ValidURL.
func (c *CheckedOrder) Build(op string, o Options, callbackURL, successURL, failureURL string) ([]byte, error) {
	return c.build(nil, op, o, callbackURL, successURL, failureURL)
}

// BuildTo is Build writing the body into w as its next value, for a caller
// assembling a larger document (the core's request envelope): the usual
// case then neither allocates the body nor copies it. w must not hold an
// error already (its Err is read as the body's). On an error w holds part
// of the body and must be discarded.
func (c *CheckedOrder) BuildTo(w *jsonx.Writer, op string, o Options, callbackURL, successURL, failureURL string) error {
	b, err := c.build(w, op, o, callbackURL, successURL, failureURL)
	if err == nil && b != nil {
		w.Raw(b) // built and validated apart (a replacement URL needed a look)
	}
	return err
}

func (c *CheckedOrder) build(w *jsonx.Writer, op string, o Options, callbackURL, successURL, failureURL string) ([]byte, error) {
	ord := c.order
	if callbackURL != "" || successURL != "" || failureURL != "" {
		ord.CallbackURL = orURL(callbackURL, ord.CallbackURL)
		ord.SuccessURL = orURL(successURL, ord.SuccessURL)
		ord.FailureURL = orURL(failureURL, ord.FailureURL)
		// The order's own URLs were checked when it was decoded; only
		// replacements need a look.
		for _, u := range [...]string{callbackURL, successURL, failureURL} {
			if u != "" && !ValidURL(u) {
				return buildOrder(op, &ord, o, false, nil) // full validation names the field
			}
		}
	}
	return buildOrderInto(op, &ord, o, true, w, &c.products)
}

// orURL is replacement, or own when there is none.
func orURL(replacement, own string) string {
	if replacement != "" {
		return replacement
	}
	return own
}

// buildOrder builds the body of op from ord. A trusted order (checked when
// decoded) is only encoded: into w when w is not nil, returning no bytes.
func buildOrder(op string, ord *Order, o Options, trusted bool, w *jsonx.Writer) ([]byte, error) {
	return buildOrderInto(op, ord, o, trusted, w, nil)
}

// buildOrderInto is buildOrder with the FrontGo lines in *products'
// storage when it is large enough; *products is left holding the storage
// used.
func buildOrderInto(op string, ord *Order, o Options, trusted bool, w *jsonx.Writer, products *[]Product) ([]byte, error) {
	var res NewReservation
	var spare []Product
	if products != nil {
		spare = *products
		defer func() { *products = res.Products[:0] }()
	}
	if err := fromOrder(ord, o, &res, spare); err != nil {
		return nil, err
	}
	r := &res
	var b []byte
	var err error
	switch op {
	case OpSubmit:
		// Each member a payment link has no use for is named itself.
		var fs []FieldError
		for _, m := range [...]struct{ path, val string }{{"successUrl", ord.SuccessURL}, {"failureUrl", ord.FailureURL}, {"paymentMethod", ord.PaymentMethod}} {
			if m.val != "" {
				fs = append(fs, FieldError{Path: m.path, Rule: RuleUnknown,
					Message: "applies to a session checkout (create), not a payment link (submit)"})
			}
		}
		if fs != nil {
			return nil, &ValidationError{Op: "order", Fields: fs}
		}
		if trusted {
			return encodeTrusted(w, op, r)
		}
		b, err = BuildSubmit(r, o)
	case OpCreate:
		if trusted {
			return encodeTrusted(w, op, r)
		}
		b, err = BuildCreate(r, o)
	default:
		return nil, &ValidationError{Op: "order", Fields: []FieldError{{Rule: RuleEnum, Message: "an order builds submit or create, not " + quote(op)}}}
	}
	if ve, ok := err.(*ValidationError); ok {
		return nil, orderPaths(ve, r)
	}
	return b, err
}

func encodeTrusted(w *jsonx.Writer, op string, r *NewReservation) ([]byte, error) {
	if w == nil {
		return encodeNew(op, r)
	}
	return nil, encodeNewTo(w, op, r)
}

// orderPaths maps payload paths back to order paths.
func orderPaths(ve *ValidationError, r *NewReservation) *ValidationError {
	out := &ValidationError{Op: "order", Fields: make([]FieldError, 0, len(ve.Fields))}
	for _, f := range ve.Fields {
		p := f.Path
		switch {
		case strings.HasPrefix(p, "customerDetails"):
			p = "customer" + p[len("customerDetails"):]
		case p == "dueDateForPaymentLink":
			p = "paymentLinkDueDate"
		case p == "referenceNo":
			p = "reference"
		case p == "tnc":
			p = "terms"
		case p == "chargeValidity":
			p = "chargeValidityDays"
		case p == "callback.callbackUrl":
			p = "callbackUrl"
		case p == "callback.success":
			p = "successUrl"
		case p == "callback.failure":
			p = "failureUrl"
		case p == "submitPayment.via":
			p = "paymentMethod"
		case strings.HasPrefix(p, "products.") || strings.HasPrefix(p, "orderSummary"):
			// Lines are split and discounts spread, so a product path
			// does not name one order line; FromOrder checks lines
			// itself and reports these only for a bug or a tax rate.
			p = "lines"
		}
		f.Path = p
		out.Fields = append(out.Fields, f)
	}
	return out
}
