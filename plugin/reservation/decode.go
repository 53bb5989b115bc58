package reservation

import (
	"bytes"
	"errors"
	"strconv"
	"strings"

	"github.com/frontgate/frontgate/plugin/internal/jsonx"
	"github.com/frontgate/frontgate/plugin/money"
)

// Prefixed returns a copy of e with prefix added in front of every path, for
// callers that embed a request inside a larger document ("order.lines.0…").
func (e *ValidationError) Prefixed(prefix string) *ValidationError {
	out := &ValidationError{Op: e.Op, Fields: make([]FieldError, len(e.Fields))}
	for i, f := range e.Fields {
		f.Path = join(prefix, f.Path)
		out.Fields[i] = f
	}
	return out
}

// Indexes of each field set's members in a fields array, in the order of
// its names: constants, so that reading a member needs no bounds check.
const (
	oCustomer = iota
	oCurrency
	oOrderDate
	oDueDate
	oReference
	oCustRef
	oLines
	oDiscounts
	oSendOrderBy
	oChargeValidity
	oNotes
	oTerms
	oSettings
	oCallbackURL
	oSuccessURL
	oFailureURL
	oPaymentMethod
)

const (
	lKind = iota
	lName
	lSKU
	lUnitPrice
	lQuantity
	lTaxRate
	lDiscount
)

const (
	dName = iota
	dAmount
)

var (
	orderKnown = []string{
		oCustomer: "customer", oCurrency: "currency", oOrderDate: "orderDate", oDueDate: "paymentLinkDueDate",
		oReference: "reference", oCustRef: "customerReference", oLines: "lines", oDiscounts: "discounts",
		oSendOrderBy: "sendOrderBy", oChargeValidity: "chargeValidityDays", oNotes: "customerNotes", oTerms: "terms",
		oSettings: "settings", oCallbackURL: "callbackUrl", oSuccessURL: "successUrl", oFailureURL: "failureUrl",
		oPaymentMethod: "paymentMethod",
	}
	orderLineKnown = []string{
		lKind: "kind", lName: "name", lSKU: "sku", lUnitPrice: "unitPrice", lQuantity: "quantity",
		lTaxRate: "taxRate", lDiscount: "discount",
	}
	discountKnown = []string{dName: "name", dAmount: "amount"}

	orderSet    = newFieldSet(orderKnown...)
	lineSet     = newFieldSet(orderLineKnown...)
	discountSet = newFieldSet(discountKnown...)
)

// DecodeOrder reads the shop-neutral order JSON that shops send frontgate
// (the sidecar's POST /v1/checkouts and the ABI's build operations). Money
// is in øre as JSON integers, tax rates in percent, timestamps as Unix
// seconds. Every problem is reported with its path; FromOrder then checks
// the order as a whole and BuildSubmit/BuildCreate apply FrontGo's rules.
func DecodeOrder(b []byte) (*Order, error) {
	d, err := parseBody("order", b)
	if err != nil {
		return nil, err
	}
	return DecodeOrderValue(d.Root())
}

// DecodeOrderValue is DecodeOrder for an order already parsed as part of a
// larger document (the ABI's build input), so it is not parsed twice. Only
// code inside plugin/ can hold a jsonx.Value.
func DecodeOrderValue(v jsonx.Value) (*Order, error) {
	if v.Kind() != jsonx.Object {
		return nil, &ValidationError{Op: "order", Fields: []FieldError{{Rule: RuleType, Message: "the order must be a JSON object, not " + article(v.Kind())}}}
	}
	var c checker
	o := &Order{}
	c.order(v, o, nil)
	if err := c.result("order"); err != nil {
		return nil, err
	}
	return o, nil
}

// order reads v into o, which must be zero.
// order reads an order, its lines in spare's storage when it is large
// enough.
func (c *checker) order(v jsonx.Value, o *Order, spare []OrderLine) {
	var f fields
	c.members(v, at(""), true, orderSet, &f)
	// The customer is checked with FrontGo's own customerDetails rules
	// here, at the order's paths, so a decoded order need not be checked
	// again after it is built (see Order.checked).
	if cf, ca, ok := c.customer(f[oCustomer], at("customer")); ok {
		o.Customer = customerFrom(&cf, &ca, c)
	}
	o.Currency, _ = c.str(f[oCurrency], at("currency"), false, 3)
	o.OrderDate = c.intField(f[oOrderDate], at("orderDate"), false)
	o.DueDateForPaymentLink = c.intField(f[oDueDate], at("paymentLinkDueDate"), false)
	o.Reference, _ = c.str(f[oReference], at("reference"), false, maxShortText)
	o.CustomerReference, _ = c.str(f[oCustRef], at("customerReference"), false, maxShortText)
	if ls := f[oLines]; ls.Kind() != jsonx.Array {
		if ls.Absent() {
			c.add(at("lines"), RuleRequired, "is required")
		} else {
			c.add(at("lines"), RuleType, "must be an array, not "+article(ls.Kind()))
		}
	} else if ls.Len() > MaxLines {
		c.add(at("lines"), RuleMaxItems, "must contain at most "+strconv.Itoa(MaxLines)+" lines")
	} else {
		o.Lines = reuse(spare, ls.Len())
		for it := ls.Iter(); it.Next(); {
			i, e := it.Index(), it.Value()
			p := elem("lines", i)
			var lf fields
			if !c.members(e, p, true, lineSet, &lf) {
				continue
			}
			l := OrderLine{}
			l.Kind, _ = c.strIn(lf[lKind], &p, "kind", false, 16)
			l.Name, _ = c.strIn(lf[lName], &p, "name", true, maxShortText)
			l.SKU, _ = c.strIn(lf[lSKU], &p, "sku", false, maxShortText)
			l.UnitPrice = money.Amount(c.intIn(lf[lUnitPrice], &p, "unitPrice", true))
			l.Quantity = c.intIn(lf[lQuantity], &p, "quantity", true)
			r, ok := lf[lTaxRate].Number()
			if !ok {
				r, ok = c.number(lf[lTaxRate], p.at("taxRate"), true)
			}
			if ok {
				rate, err := money.ParseRate(r)
				if err != nil {
					c.add(p.at("taxRate"), RuleTaxRate, "must be a tax rate in percent between 0 and 100 with at most two decimals")
				}
				l.TaxRate = rate
			}
			l.Discount = money.Amount(c.intIn(lf[lDiscount], &p, "discount", false))
			o.Lines = append(o.Lines, l)
		}
	}
	if ds := f[oDiscounts]; !ds.Absent() {
		if ds.Kind() != jsonx.Array {
			c.add(at("discounts"), RuleType, "must be an array, not "+article(ds.Kind()))
		} else {
			for it := ds.Iter(); it.Next(); {
				i, e := it.Index(), it.Value()
				p := elem("discounts", i)
				var df fields
				if !c.members(e, p, true, discountSet, &df) {
					continue
				}
				var dc Discount
				dc.Name, _ = c.str(df[dName], p.at("name"), false, maxShortText)
				dc.Amount = money.Amount(c.intField(df[dAmount], p.at("amount"), true))
				o.Discounts = append(o.Discounts, dc)
			}
		}
	}
	var sf fields
	if c.members(f[oSendOrderBy], at("sendOrderBy"), false, sendSet, &sf) {
		c.boolean(sf[sendSMS], at("sendOrderBy.sms"), false)
		c.boolean(sf[sendEmail], at("sendOrderBy.email"), false)
		o.SendOrderBy.SMS, _ = sf[sendSMS].Bool()
		o.SendOrderBy.Email, _ = sf[sendEmail].Bool()
	}
	o.ChargeValidity = int(c.intField(f[oChargeValidity], at("chargeValidityDays"), false))
	o.CustomerNotes, _ = c.str(f[oNotes], at("customerNotes"), false, maxLongText)
	o.TnC, _ = c.str(f[oTerms], at("terms"), false, maxLongText)
	var st fields
	if c.members(f[oSettings], at("settings"), false, settingsSet, &st) {
		c.boolean(st[setSecure], at("settings.secureDetails"), false)
		c.boolean(st[setPartRefund], at("settings.isChargePartiallyRefundable"), false)
		o.Settings.SecureDetails, _ = st[setSecure].Bool()
		o.Settings.IsChargePartiallyRefundable, _ = st[setPartRefund].Bool()
	}
	if u, ok := c.url(f[oCallbackURL], at("callbackUrl"), false); ok {
		o.CallbackURL = c.keep(u)
	}
	if u, ok := c.url(f[oSuccessURL], at("successUrl"), false); ok {
		o.SuccessURL = c.keep(u)
	}
	if u, ok := c.url(f[oFailureURL], at("failureUrl"), false); ok {
		o.FailureURL = c.keep(u)
	}
	o.PaymentMethod, _ = c.enum(f[oPaymentMethod], at("paymentMethod"), false, paymentMethods...)
}

// DecodeChecked decodes an order like DecodeOrderValue and, when it is
// valid, returns it as a CheckedOrder. On failure it also runs FromOrder's
// checks on what could be read, so a shop sees every problem at once; a
// problem FromOrder finds at a path the decoder already reported is left
// out.
//
// The order's strings share memory with v's document instead of being
// copied (in the wasm guest an allocation and a copy per field cost 6 % of
// build_create): use the result before the document is released or its
// source bytes change, as the build operations do within one call.
func DecodeChecked(v jsonx.Value, o Options) (*CheckedOrder, error) {
	co := &CheckedOrder{} // the order inside it: one allocation, not two
	if err := DecodeCheckedInto(v, o, co); err != nil {
		return nil, err
	}
	return co, nil
}

// DecodeCheckedInto is DecodeChecked into *co, reusing the storage of the
// lines of the order co held before and of the FrontGo lines it built: a
// caller that decodes order after order into one CheckedOrder (the core's
// build operations, through a pool) allocates nothing for them. The result
// is DecodeChecked's, field for field. On an error the contents of *co mean
// nothing.
func DecodeCheckedInto(v jsonx.Value, o Options, co *CheckedOrder) error {
	if v.Kind() != jsonx.Object {
		_, err := DecodeOrderValue(v)
		return err
	}
	c := checker{borrow: true}
	lines := co.order.Lines
	co.order = Order{}
	c.order(v, &co.order, lines)
	derr := c.result("order")
	if derr == nil {
		return nil
	}
	ve := derr.(*ValidationError)
	if _, ferr := FromOrder(&co.order, o); ferr != nil {
		if fe, ok := ferr.(*ValidationError); ok {
			for _, f := range fe.Fields {
				covered := false
				for _, d := range ve.Fields {
					// The same member, one inside it, or a total over
					// members the decoder refused (a line's zero total
					// is no news when its unitPrice was unreadable).
					if f.Path == d.Path || strings.HasPrefix(f.Path, d.Path+".") || strings.HasPrefix(d.Path, f.Path+".") {
						covered = true
						break
					}
				}
				if !covered {
					ve.Fields = append(ve.Fields, f)
				}
			}
		}
	}
	return ve
}

// customerValues reads a customer object already checked by c.customer.
func customerValues(v jsonx.Value) Customer {
	var f, a fields
	fill(v, customerSet, &f)
	fill(f[cAddress], addressSet, &a)
	return customerFrom(&f, &a, &checker{})
}

// customerFrom reads a customer from its members and its address's, as
// c.customer returns them; its strings are made by c.keep (copies, or the
// document's own bytes when c borrows).
func customerFrom(f, a *fields, c *checker) Customer {
	str := func(v jsonx.Value) string {
		b, _ := v.StrBytes()
		return c.keep(b)
	}
	return Customer{
		UUID: str(f[cUUID]), Type: str(f[cType]), CountryCode: str(f[cCountryCode]), MSISDN: str(f[cMSISDN]),
		Email: str(f[cEmail]), Name: str(f[cName]), PreferredLanguage: str(f[cLanguage]),
		PersonalNumber: str(f[cPersonalNo]), OrganizationID: str(f[cOrgID]),
		Address: Address{Street: str(a[aStreet]), Zip: str(a[aZip]), City: str(a[aCity]), Country: str(a[aCountry])},
	}
}

// strIn and intIn are str and intField of the member key under parent,
// with the common case (a plain string within max, an integer in range)
// taken first: the path is built only when the general reader runs, and
// an order's lines are mostly such fields. Their results are the general
// readers' in every case (TestFieldReadersMatch).

// strIn is c.str(v, parent.at(key), required, max) for max > 0.
func (c *checker) strIn(v jsonx.Value, parent *fpath, key string, required bool, max int) (string, bool) {
	if b, ok := v.Plain(); ok && len(b) > 0 && len(b) <= max && b[0] > ' ' && b[0] < 0x80 {
		return c.keep(b), true
	}
	return c.str(v, parent.at(key), required, max)
}

// intIn is c.intField(v, parent.at(key), required).
func (c *checker) intIn(v jsonx.Value, parent *fpath, key string, required bool) int64 {
	if n, ok := v.Int(); ok && n <= int64(money.MaxAmount) && n >= -int64(money.MaxAmount) {
		return n
	}
	return c.intField(v, parent.at(key), required)
}

// intField reads a JSON integer (øre, quantities, Unix seconds).
func (c *checker) intField(v jsonx.Value, path fpath, required bool) int64 {
	switch v.Kind() {
	case jsonx.Invalid, jsonx.Null:
		if required {
			c.add(path, RuleRequired, "is required")
		}
		return 0
	case jsonx.Number:
		n, ok := v.Int()
		if !ok && v.IsWhole() { // whole, but past int64
			c.add(path, RuleRange, "is out of range (at most "+strconv.FormatInt(int64(money.MaxAmount), 10)+")")
			return 0
		}
		if !ok {
			msg := "must be a whole number"
			switch path.name {
			case "unitPrice", "discount", "amount":
				msg += " (amounts are in øre)"
			}
			c.add(path, RuleInteger, msg)
			return 0
		}
		if n > int64(money.MaxAmount) || n < -int64(money.MaxAmount) {
			c.add(path, RuleRange, "is out of range (at most "+strconv.FormatInt(int64(money.MaxAmount), 10)+" in size)")
			return 0
		}
		return n
	}
	c.add(path, RuleType, "must be a number, not "+article(v.Kind()))
	return 0
}

// DecodeNew reads a FrontGo submit or create body into a NewReservation
// after validating it, so a shop that already speaks FrontGo's format can
// hand it to frontgate and have the callback URLs replaced.
func DecodeNew(op string, body []byte, o Options) (*NewReservation, error) {
	d, err := parseBody(op, body)
	if err != nil {
		return nil, err
	}
	var c checker
	root := d.Root()
	c.newReservation(op, root, &o)
	if err := c.result(op); err != nil {
		return nil, err
	}
	r := &NewReservation{}
	cu := root.Get("customerDetails")
	r.Customer = customerValues(cu)
	r.OrderDate = tsValue(root.Get("orderDate"))
	r.DueDateForPaymentLink = tsValue(root.Get("dueDateForPaymentLink"))
	r.ReferenceNo, _ = root.Get("referenceNo").Str()
	r.CustomerReference, _ = root.Get("customerReference").Str()
	r.SendOrderBy.SMS, _ = root.Get("sendOrderBy").Get("sms").Bool()
	r.SendOrderBy.Email, _ = root.Get("sendOrderBy").Get("email").Bool()
	var n numbers
	r.Products = n.products(root.Get("products"))
	sum := root.Get("orderSummary")
	r.Summary.SubTotal = n.amount(sum.Get("subTotal"))
	r.Summary.TotalTax = n.amount(sum.Get("totalTax"))
	r.Summary.GrandTotal = n.amount(sum.Get("grandTotal"))
	r.ChargeValidity, _ = root.Get("chargeValidity").Str()
	r.CustomerNotes, _ = root.Get("customerNotes").Str()
	r.TnC, _ = root.Get("tnc").Str()
	r.Settings.SecureDetails, _ = root.Get("settings").Get("secureDetails").Bool()
	r.Settings.IsChargePartiallyRefundable, _ = root.Get("settings").Get("isChargePartiallyRefundable").Bool()
	cb := root.Get("callback")
	r.CallbackURL, _ = cb.Get("callbackUrl").Str()
	r.SuccessURL, _ = cb.Get("success").Str()
	r.FailureURL, _ = cb.Get("failure").Str()
	r.PaymentMethod, _ = root.Get("submitPayment").Get("via").Str()
	if n.err != nil {
		return nil, n.err
	}
	return r, nil
}

// doc runs a validator that also returns the parsed body, so a decoder
// reads the same parse it validated instead of parsing again.
func doc(d *jsonx.Doc, err error) (jsonx.Value, error) {
	if err != nil {
		return jsonx.Value{}, err
	}
	return d.Root(), nil
}

// DecodeCharge reads a validated FrontGo charge body.
func DecodeCharge(reservationUUID string, body []byte, o Options) (*Charge, error) {
	root, err := doc(linesDoc(OpCharge, reservationUUID, body, &o))
	if err != nil {
		return nil, err
	}
	var n numbers
	ch := &Charge{Products: n.products(root.Get("products")), GrandTotal: n.amount(root.Get("grandTotal"))}
	ch.AdditionalText, _ = root.Get("additionalText").Str()
	if n.err != nil {
		return nil, n.err
	}
	return ch, nil
}

// DecodeCapture reads a validated FrontGo capture body.
func DecodeCapture(reservationUUID string, body []byte) (*Capture, error) {
	root, err := doc(linesDoc(OpCapture, reservationUUID, body, nil))
	if err != nil {
		return nil, err
	}
	var n numbers
	cp := &Capture{Products: n.lineAmounts(root.Get("products")), GrandTotal: n.amount(root.Get("grandTotal"))}
	cp.AdditionalText, _ = root.Get("additionalText").Str()
	if n.err != nil {
		return nil, n.err
	}
	return cp, nil
}

// DecodeRefund reads a validated FrontGo refund body.
func DecodeRefund(reservationUUID string, body []byte) (*Refund, error) {
	root, err := doc(refundDoc(reservationUUID, body))
	if err != nil {
		return nil, err
	}
	var n numbers
	rf := &Refund{Products: n.lineAmounts(root.Get("products")), GrandTotal: n.amount(root.Get("grandTotal"))}
	rf.Source, _ = root.Get("source").Str()
	rf.Reference, _ = root.Get("reference").Str()
	if n.err != nil {
		return nil, n.err
	}
	return rf, nil
}

// DecodeResend reads a validated FrontGo resend body.
func DecodeResend(reservationUUID string, body []byte) (*Resend, error) {
	root, err := doc(resendDoc(reservationUUID, body))
	if err != nil {
		return nil, err
	}
	r := &Resend{}
	r.CountryCode, _ = root.Get("countryCode").Str()
	r.MSISDN, _ = root.Get("msisdn").Str()
	r.Email, _ = root.Get("email").Str()
	return r, nil
}

// DecodeNote reads the note of a validated cancel or complete body.
func DecodeNote(op, reservationUUID string, body []byte) (string, error) {
	root, err := doc(noteDoc(op, reservationUUID, body))
	if err != nil {
		return "", err
	}
	s, _ := root.Get("note").Str()
	return s, nil
}

// The helpers below read values already validated.

func tsValue(v jsonx.Value) int64 {
	s, _ := v.Str()
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// numText is the text of a number the checker accepted: a JSON number, or
// a string holding one with the blanks around it that the checker allows
// (checker.numberSlow trims them too).
func numText(v jsonx.Value) []byte {
	if v.Kind() == jsonx.String {
		b, _ := v.StrBytes()
		return bytes.TrimSpace(b)
	}
	return v.Raw()
}

// numbers reads the numbers of a body the checker accepted. A number it
// cannot read would mean that the checker and this reader disagree (a bug);
// instead of a silent zero, the first such value is kept in err, which the
// decoder returns. Absent and null values read as zero, as the checker let
// only optional ones be absent.
type numbers struct{ err error }

func (n *numbers) text(v jsonx.Value) []byte {
	if k := v.Kind(); k != jsonx.Number && k != jsonx.String {
		return nil
	}
	return numText(v)
}

func (n *numbers) failed(what string, t []byte, err error) {
	if n.err == nil {
		// Not fmt: it would add a third of a megabyte to the wasm module.
		n.err = errors.New("reservation: a validated " + what + " " + strconv.Quote(string(t)) + " does not read: " + err.Error())
	}
}

func (n *numbers) amount(v jsonx.Value) money.Amount {
	t := n.text(v)
	if t == nil {
		return 0
	}
	a, err := money.ParseAmount(t)
	if err != nil {
		n.failed("amount", t, err)
	}
	return a
}

func (n *numbers) rate(v jsonx.Value) money.Rate {
	t := n.text(v)
	if t == nil {
		return 0
	}
	r, err := money.ParseRate(t)
	if err != nil {
		n.failed("tax rate", t, err)
	}
	return r
}

func (n *numbers) int(v jsonx.Value) int64 {
	t := n.text(v)
	if t == nil {
		return 0
	}
	i, err := strconv.ParseInt(string(t), 10, 64)
	if err != nil {
		n.failed("integer", t, err)
	}
	return i
}

func (n *numbers) products(v jsonx.Value) []Product {
	ps := make([]Product, 0, v.Len())
	for it := v.Iter(); it.Next(); {
		e := it.Value()
		p := Product{Rate: n.amount(e.Get("rate")), Amount: n.amount(e.Get("amount")), Tax: n.rate(e.Get("tax"))}
		p.Name, _ = e.Get("name").Str()
		p.ProductID, _ = e.Get("productId").Str()
		ps = append(ps, p)
	}
	return ps
}

func (n *numbers) lineAmounts(v jsonx.Value) []LineAmount {
	ls := make([]LineAmount, 0, v.Len())
	for it := v.Iter(); it.Next(); {
		e := it.Value()
		ls = append(ls, LineAmount{ID: n.int(e.Get("id")), Amount: n.amount(e.Get("amount"))})
	}
	return ls
}
