package reservation

import (
	"bytes"

	"github.com/frontgate/frontgate/plugin/internal/jsonx"
	"github.com/frontgate/frontgate/plugin/money"
	"github.com/frontgate/frontgate/plugin/status"
)

// Details is the data of Get Reservation Details By UUID: the reservation's
// state, its lines with what is reserved and captured on each, and its
// payment history. Amounts are in øre.
type Details struct {
	ReservationUUID string
	// Status is FrontGo's status in the reference's spelling ("RESERVED",
	// …, as the status package writes it), or as sent when unknown.
	Status            string
	IsPaid            bool
	Products          []DetailsProduct
	GrandTotal        money.Amount
	ReservationDate   string
	PaymentLinkDue    string
	SendOrderBy       SendOrderBy
	Customer          DetailsCustomer
	ReferenceNumber   string
	ChargeValidity    string
	CustomerReference string
	CustomerNotes     string
	TermsAndCondition string
	Payment           PaymentDetails
	Organization      *Organization
	TranslationKey    string
	History           PaymentHistory
}

// DetailsProduct is one entry of productList. ID is what capture and refund
// name; Quantity keeps FrontGo's decimal text, since it is derived from
// amount / rate and may carry a fraction.
type DetailsProduct struct {
	ID        int64
	Name      string
	ProductID string
	Quantity  string
	Rate      money.Amount
	Discount  money.Amount
	Tax       money.Rate
	Amount    money.Amount
	Reserved  money.Amount
	Captured  money.Amount
}

// DetailsCustomer is customerDetails as details returns it.
type DetailsCustomer struct {
	CountryCode, MSISDN, Email, Name string
	Address                          Address
}

// PaymentDetails sums up the money moved on the reservation.
type PaymentDetails struct {
	ReservedAt           string
	Reserved             money.Amount
	Captured             money.Amount
	Charged              money.Amount
	RefundedFromCaptured money.Amount
	RefundedFromCharged  money.Amount
}

// Organization is organizationDetails, present for corporate customers.
type Organization struct {
	Name           string
	BillingAddress DetailsCustomer
}

// PaymentHistory lists each reservation, capture, charge and refund.
type PaymentHistory struct {
	Reserved []PaymentEvent
	Captured []PaymentEvent
	Charged  []PaymentEvent
	Refunded []PaymentEvent
}

// PaymentEvent is one entry of paymentHistory. Reference is the CAP…/CHA…
// identifier refunds name.
type PaymentEvent struct {
	At             string
	Amount         money.Amount
	Reference      string
	IsRefunded     bool
	Refunded       money.Amount
	IsPartial      bool
	AdditionalText string
}

// ParseDetails parses the answer to Get Reservation Details By UUID. It is
// strict about what money and state depend on (uuid, status, amounts, line
// ids) and reports every deviation by path in a KindMalformed *APIError: a
// reservation whose amounts cannot be read is not one to act on.
func ParseDetails(r Response) (*Details, error) { return parseDetails(r, false) }

// ParseDetailsBorrowed is ParseDetails whose texts share r.Body's bytes
// where they hold no escapes, instead of being copies: one allocation
// fewer per text field, for a caller done with the result before r.Body
// changes (the core's parse_details writes its answer and drops it).
func ParseDetailsBorrowed(r Response) (*Details, error) { return parseDetails(r, true) }

// ParseDetailsInto is ParseDetailsBorrowed writing into *out, and reusing
// the storage of the products, payment events and organization *out held
// from an earlier parse: a caller that parses answer after answer into one
// Details (the core's parse_details, through a pool) allocates nothing for
// them (an allocation costs about 0.2 µs in the wasm guest). The result is
// what ParseDetailsBorrowed returns, field for field. On an error the
// contents of *out mean nothing (they may be partly this answer's, partly
// the last one's).
func ParseDetailsInto(r Response, out *Details) error { return parseDetailsInto(r, true, out) }

func parseDetails(r Response, borrow bool) (*Details, error) {
	out := &Details{}
	if err := parseDetailsInto(r, borrow, out); err != nil {
		return nil, err
	}
	return out, nil
}

// detailsSpare is the storage of an earlier Details, for the next parse.
type detailsSpare struct {
	products []DetailsProduct
	events   [4][]PaymentEvent // reserved, captured, charged, refunded
	org      *Organization
}

func parseDetailsInto(r Response, borrow bool, out *Details) error {
	d, data, msg, err := envelopeOf(OpDetails, r, borrow)
	if err != nil {
		return err
	}
	defer d.Release() // what is kept is copied out of the document, or borrowed from r.Body
	h := &out.History
	sp := detailsSpare{products: out.Products, events: [4][]PaymentEvent{h.Reserved, h.Captured, h.Charged, h.Refunded},
		org: out.Organization}
	*out = Details{}
	c := respChecker{checker{borrow: borrow}}
	if c.object(data, at("data"), true) {
		c.details(data, out, &sp)
	}
	if len(c.errs) > 0 {
		return c.fail(OpDetails, r, msg)
	}
	return nil
}

// Forget drops the texts d holds (which share the answer's bytes when
// ParseDetailsInto filled it), keeping its storage for the next parse.
func (d *Details) Forget() {
	clear(d.Products[:cap(d.Products)])
	h := &d.History
	for _, evs := range [...][]PaymentEvent{h.Reserved, h.Captured, h.Charged, h.Refunded} {
		clear(evs[:cap(evs)])
	}
	if d.Organization != nil {
		*d.Organization = Organization{}
	}
	*d = Details{Products: d.Products[:0], Organization: d.Organization, History: PaymentHistory{
		Reserved: h.Reserved[:0], Captured: h.Captured[:0], Charged: h.Charged[:0], Refunded: h.Refunded[:0]}}
}

// reuse returns s emptied when it can hold n elements, else a new slice
// (never nil, as make would give).
func reuse[T any](s []T, n int) []T {
	if s != nil && cap(s) >= n {
		return s[:0]
	}
	return make([]T, 0, n)
}

// isList reports whether v is one of FrontGo's lists: a JSON array, or an
// object whose keys are all decimal indexes ({"0": …, "2": …}). PHP's
// json_encode writes an array that way when its keys are not 0…n-1 in
// order (after a filter dropped an element, say), and FrontGo, a PHP
// service, writes its own requests' products as such objects. The
// elements are taken in the document's order. An empty object is not a
// list: PHP writes an empty array as [].
func isList(v jsonx.Value) bool {
	switch v.Kind() {
	case jsonx.Array:
		return true
	case jsonx.Object:
		n := 0
		for it := v.Iter(); it.Next(); n++ {
			if _, ok := listKey(it.KeyBytes()); !ok {
				return false
			}
		}
		return n > 0
	}
	return false
}

// listIndex is the index of it's current element, for its path: its key
// in an object list, its position in an array. The details parser's loops
// call it for object lists only, sparing the usual arrays a call per
// element in the wasm guest.
func listIndex(it *jsonx.Iter) int {
	if k := it.KeyBytes(); k != nil {
		n, _ := listKey(k)
		return n
	}
	return it.Index()
}

// maxListKey bounds the keys of object lists: no answer holds a million
// lines, and the bound keeps an index an int on every platform.
const maxListKey = 1 << 20

// listKey reads an object list's key: a decimal index without sign or
// leading zero, below maxListKey.
func listKey(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 7 || (b[0] == '0' && len(b) > 1) {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n < maxListKey
}

// optAmount reads an amount FrontGo may leave out or send as null (zero),
// and refuses a blank string: "" is no amount, and reading it as zero
// would, say, take a line's reserved money for none (RuleNumber).
func (c *respChecker) optAmount(v jsonx.Value, path fpath) money.Amount {
	if v.Absent() {
		return 0
	}
	if a, ok := floatNoise(v); ok {
		return a
	}
	if blankString(v) {
		c.add(path, RuleNumber, "must be a number or left out, not a blank string")
		return 0
	}
	a, _ := c.amount(v, path, false)
	return a
}

// blankString says whether v is a string of nothing but white space.
func blankString(v jsonx.Value) bool {
	if v.Kind() != jsonx.String {
		return false
	}
	b, _ := v.StrBytes()
	return len(bytes.TrimSpace(b)) == 0
}

// floatNoise reads a JSON number of a FrontGo answer that has more than two
// decimals only because FrontGo's PHP printed a float in full: with
// serialize_precision 17, 149.95 × 3 comes out as 449.84999999999997. A
// number whose decimals after the second begin with six 0s or six 9s is the
// øre it is that close to; any other is not noise, and the caller refuses
// it (RulePrecision) as before. (On the digits, not through float64: the
// float parser would add 40 KB to the wasm module.)
func floatNoise(v jsonx.Value) (money.Amount, bool) {
	raw := v.Raw()
	if v.Kind() != jsonx.Number || bytes.ContainsAny(raw, "eE") {
		return 0, false
	}
	dot := bytes.IndexByte(raw, '.')
	if dot < 0 || len(raw)-dot-1 < 2+noiseRun {
		return 0, false
	}
	run := raw[dot+3 : dot+3+noiseRun]
	up := bytes.Count(run, []byte{'9'}) == noiseRun
	if !up && bytes.Count(run, []byte{'0'}) != noiseRun {
		return 0, false
	}
	a, err := money.ParseAmount(raw[:dot+3])
	if err != nil {
		return 0, false
	}
	if up {
		if raw[0] == '-' {
			a--
		} else {
			a++
		}
	}
	if a > money.MaxAmount || a < -money.MaxAmount {
		return 0, false
	}
	return a, true
}

// noiseRun is how many 0s or 9s after an amount's second decimal make the
// rest float noise.
const noiseRun = 6

func (c *respChecker) optStr(v jsonx.Value, path fpath) string {
	s, _ := c.lenientStr(v, path)
	return s
}

// The field readers below are optStr, optAmount and optBool of obj's member
// key at parent.key, with the common case (a plain string, a number that
// reads as money, a boolean) taken first in one step: no path is built and
// none of the general path's calls is made unless the value needs them, and
// a details answer has some sixty such fields. Their results are the
// general path's in every case (TestFieldReadersMatch).

// strAt is optStr(obj.Get(key), parent.at(key)).
func (c *respChecker) strAt(obj *jsonx.Cursor, key string, parent *fpath) string {
	v := obj.Get(key)
	if b, ok := v.Plain(); ok && len(b) > 0 && b[0] > ' ' && b[0] < 0x80 {
		return c.keep(b)
	}
	return c.optStr(v, parent.at(key))
}

// amountAt is optAmount(obj.Get(key), parent.at(key)).
func (c *respChecker) amountAt(obj *jsonx.Cursor, key string, parent *fpath) money.Amount {
	v := obj.Get(key)
	if b, ok := v.Number(); ok {
		if a, err := money.ParseAmount(b); err == nil {
			return a
		}
	}
	return c.optAmount(v, parent.at(key))
}

// moneyAt is amountAt for an amount that cannot be below zero (a line's
// price, reserved or captured money, the payment's totals): a negative one
// is refused (RuleMin), as it would turn "what is left to capture" into
// more than was reserved.
func (c *respChecker) moneyAt(obj *jsonx.Cursor, key string, parent *fpath) money.Amount {
	a := c.amountAt(obj, key, parent)
	if a < 0 {
		c.add(parent.at(key), RuleMin, "must not be negative")
		return 0
	}
	return a
}

// boolAt is optBool(obj.Get(key), parent.at(key)).
func (c *respChecker) boolAt(obj *jsonx.Cursor, key string, parent *fpath) bool {
	v := obj.Get(key)
	if v.Kind() == jsonx.Bool {
		b, _ := v.Bool()
		return b
	}
	return c.optBool(v, parent.at(key))
}

func (c *respChecker) details(data jsonx.Value, out *Details, sp *detailsSpare) {
	p := at("data")
	dc := data.Cursor()
	d := &dc
	if s, ok := c.str(d.Get("reservationUuid"), p.at("reservationUuid"), true, 64); ok {
		if !validReservationUUID(s) {
			c.add(p.at("reservationUuid"), RuleUUID, "is not a reservation identifier")
		}
		out.ReservationUUID = s
	}
	out.Status, _ = c.str(d.Get("status"), p.at("status"), true, 64)
	if st, err := status.Parse(out.Status); err == nil {
		// Spelled as the reference does ("Reserved", "RESEVRED" and
		// "partial_refunded" become RESERVED and PARTIAL REFUNDED), so
		// that every consumer compares and tells one spelling; a status
		// the package does not know stays as sent.
		out.Status = st.String()
	}
	out.IsPaid = c.boolAt(d, "isPaid", &p)
	if pl := d.Get("productList"); !pl.Absent() {
		if k := pl.Kind(); k != jsonx.Array && !isList(pl) { // arrays without a call: the usual case
			c.add(p.at("productList"), RuleType, "must be an array, not "+article(k))
		} else {
			out.Products = reuse(sp.products, pl.Len())
			keyed := k == jsonx.Object
			for it := pl.Iter(); it.Next(); {
				i, ev := it.Index(), it.Value()
				if keyed {
					i = listIndex(&it)
				}
				lp := elem("data.productList", i)
				if !c.object(ev, lp, true) {
					continue
				}
				var dp DetailsProduct
				ec := ev.Cursor()
				e := &ec
				dp.ID, _ = c.id(e.Get("id"), lp.at("id"))
				dp.Name = c.strAt(e, "name", &lp)
				dp.ProductID = c.strAt(e, "productId", &lp)
				if q := e.Get("quantity"); !q.Absent() {
					if raw, ok := c.number(q, lp.at("quantity"), false); ok {
						dp.Quantity = c.keep(raw)
					}
				}
				dp.Rate = c.moneyAt(e, "rate", &lp)
				dp.Discount = c.moneyAt(e, "discount", &lp)
				if t := e.Get("tax"); blankString(t) {
					c.add(lp.at("tax"), RuleTaxRate, "must be a tax rate in percent or left out, not a blank string")
				} else if !t.Absent() {
					if raw, ok := c.number(t, lp.at("tax"), false); ok {
						r, err := money.ParseRate(raw)
						if err != nil {
							c.add(lp.at("tax"), RuleTaxRate, "is not a tax rate in percent")
						}
						dp.Tax = r
					}
				}
				dp.Amount = c.moneyAt(e, "amount", &lp)
				dp.Reserved = c.moneyAt(e, "reserved", &lp)
				dp.Captured = c.moneyAt(e, "captured", &lp)
				out.Products = append(out.Products, dp)
			}
		}
	}
	out.GrandTotal = c.moneyAt(d, "grandTotal", &p)
	out.ReservationDate = c.strAt(d, "reservationDate", &p)
	out.PaymentLinkDue = c.strAt(d, "paymentLinkDueDate", &p)
	if sc, ok := d.Object("sendOrderBy"); ok {
		sp := p.at("sendOrderBy")
		out.SendOrderBy.SMS = c.boolAt(&sc, "sms", &sp)
		out.SendOrderBy.Email = c.boolAt(&sc, "email", &sp)
	}
	if cu := d.Get("customerDetails"); cu.Kind() == jsonx.Object {
		c.detailsCustomer(cu, at("data.customerDetails"), &out.Customer, cu.Get("address"))
	}
	out.ReferenceNumber = c.strAt(d, "referenceNumber", &p)
	out.ChargeValidity = c.strAt(d, "chargeValidity", &p)
	out.CustomerReference = c.strAt(d, "customerReference", &p)
	out.CustomerNotes, _ = c.str(d.Get("customerNotes"), p.at("customerNotes"), false, anyLength)
	out.TermsAndCondition, _ = c.str(d.Get("termsAndCondition"), p.at("termsAndCondition"), false, anyLength)
	if pd, ok := d.Object("paymentDetails"); ok {
		pp := at("data.paymentDetails")
		out.Payment.ReservedAt = c.strAt(&pd, "reservedAt", &pp)
		out.Payment.Reserved = c.moneyAt(&pd, "reservedAmount", &pp)
		out.Payment.Captured = c.moneyAt(&pd, "capturedAmount", &pp)
		out.Payment.Charged = c.moneyAt(&pd, "chargedAmount", &pp)
		if ar, ok := pd.Object("amountRefunded"); ok {
			ap := pp.at("amountRefunded")
			out.Payment.RefundedFromCaptured = c.moneyAt(&ar, "fromCaptured", &ap)
			out.Payment.RefundedFromCharged = c.moneyAt(&ar, "fromCharge", &ap)
		}
	}
	if od, ok := d.Object("organizationDetails"); ok {
		op := p.at("organizationDetails")
		org := sp.org
		if org == nil {
			org = &Organization{}
		}
		*org = Organization{Name: c.strAt(&od, "name", &op)}
		if ba := od.Get("billingAddress"); ba.Kind() == jsonx.Object {
			c.detailsCustomer(ba, at("data.organizationDetails.billingAddress"), &org.BillingAddress, ba)
		}
		out.Organization = org
	}
	out.TranslationKey = c.strAt(d, "translationKey", &p)
	if ph, ok := d.Object("paymentHistory"); ok {
		out.History.Reserved = c.events(ph.Get("reserved"), at("data.paymentHistory.reserved"), sp.events[0])
		out.History.Captured = c.events(ph.Get("captured"), at("data.paymentHistory.captured"), sp.events[1])
		out.History.Charged = c.events(ph.Get("charged"), at("data.paymentHistory.charged"), sp.events[2])
		out.History.Refunded = c.events(ph.Get("refunded"), at("data.paymentHistory.refunded"), sp.events[3])
	}
}

// detailsCustomer reads contact fields from v and the address fields from
// addr (nested for customers, flat for billing addresses).
func (c *respChecker) detailsCustomer(v jsonx.Value, path fpath, out *DetailsCustomer, addr jsonx.Value) {
	vc := v.Cursor()
	out.CountryCode = c.strAt(&vc, "countryCode", &path)
	out.MSISDN = c.strAt(&vc, "msisdn", &path)
	out.Email = c.strAt(&vc, "email", &path)
	out.Name = c.strAt(&vc, "name", &path)
	if addr.Kind() == jsonx.Object {
		ap := path
		ac := &vc
		if addr != v {
			ap = path.at("address")
			a := addr.Cursor()
			ac = &a
		}
		out.Address = Address{
			Street:  c.strAt(ac, "street", &ap),
			Zip:     c.strAt(ac, "zip", &ap),
			City:    c.strAt(ac, "city", &ap),
			Country: c.strAt(ac, "country", &ap),
		}
	}
}

// events reads a payment history list into spare's storage when it fits.
func (c *respChecker) events(v jsonx.Value, path fpath, spare []PaymentEvent) []PaymentEvent {
	k := v.Kind()
	switch {
	case k == jsonx.Invalid || k == jsonx.Null:
		return nil
	case k != jsonx.Array && !isList(v): // arrays without a call: the usual case
		c.add(path, RuleType, "must be an array, not "+article(k))
		return nil
	}
	out := reuse(spare, v.Len())
	keyed := k == jsonx.Object
	for it := v.Iter(); it.Next(); {
		i, e := it.Index(), it.Value()
		if keyed {
			i = listIndex(&it)
		}
		p := path.index(i)
		if !c.object(e, p, true) {
			continue
		}
		ec := e.Cursor()
		out = append(out, PaymentEvent{
			At:             c.strAt(&ec, "at", &p),
			Amount:         c.amountAt(&ec, "amount", &p),
			Reference:      c.strAt(&ec, "reference", &p),
			IsRefunded:     c.boolAt(&ec, "isRefunded", &p),
			Refunded:       c.amountAt(&ec, "refunded", &p),
			IsPartial:      c.boolAt(&ec, "isPartial", &p),
			AdditionalText: c.strAt(&ec, "additionalText", &p),
		})
	}
	return out
}
