package reservation

import (
	"strconv"
	"strings"

	"github.com/frontgate/frontgate/plugin/internal/jsonx"
	"github.com/frontgate/frontgate/plugin/money"
)

// Operation names, as the ABI and error messages use them.
const (
	OpSubmit   = "submit"
	OpCreate   = "create"
	OpDetails  = "details"
	OpCapture  = "capture"
	OpCharge   = "charge"
	OpCancel   = "cancel"
	OpComplete = "complete"
	OpResend   = "resend"
	OpRefund   = "refund"
	OpHistory  = "history"
)

// Languages FrontGo accepts for customerDetails.preferredLanguage.
var Languages = []string{"en", "no", "sv", "da", "de"}

// DefaultLanguage is what FrontGo assumes when preferredLanguage is unset.
const DefaultLanguage = "no"

// ValidateSubmit checks a Submit Reservation body exactly as the reference's
// validation table describes, plus frontgate's consistency rules for money.
// It returns nil or a *ValidationError listing every violation.
//
// Reference: reservations-api.md, "Submit Reservation" → Validation Rules.
func ValidateSubmit(body []byte, o Options) error {
	return validateNew(OpSubmit, body, &o)
}

// ValidateCreate checks a Create Session for Reservation body: the submit
// rules plus submitPayment.via and the success/failure redirect URLs.
//
// Reference: reservations-api.md, "Create Session for Reservation".
func ValidateCreate(body []byte, o Options) error {
	return validateNew(OpCreate, body, &o)
}

// Indexes of each field set's members in a fields array, in the order of
// its names: constants, so that reading a member needs no bounds check.
const (
	nCustomer = iota
	nOrderDate
	nDueDate
	nReferenceNo
	nCustRef
	nSendOrderBy
	nProducts
	nSummary
	nChargeVal
	nNotes
	nTnC
	nSettings
	nCallback
	nSubmitPay
)

const (
	cUUID = iota
	cType
	cCountryCode
	cMSISDN
	cEmail
	cName
	cLanguage
	cPersonalNo
	cOrgID
	cAddress
)

const (
	aStreet = iota
	aZip
	aCity
	aCountry
)

const (
	pName = iota
	pProductID
	pRate
	pTax
	pAmount
)

const (
	sSubTotal = iota
	sTotalTax
	sGrandTotal
)

const (
	sendSMS = iota
	sendEmail
)

const (
	setSecure = iota
	setPartRefund
)

const (
	cbURL = iota
	cbSuccess
	cbFailure
)

const (
	spVia = iota
)

const (
	laID = iota
	laAmount
)

const (
	lnProducts = iota
	lnGrandTotal
	lnText
)

const (
	noteNote = iota
)

const (
	rsCountryCode = iota
	rsMSISDN
	rsEmail
)

const (
	rfType = iota
	rfGrandTotal
	rfProducts
	rfSource
	rfReference
)

var (
	newKnownSubmit = newKnownCreate[:nSubmitPay:nSubmitPay]
	// submit's names, then submitPayment, so an index means one member in both
	newKnownCreate = []string{
		nCustomer: "customerDetails", nOrderDate: "orderDate", nDueDate: "dueDateForPaymentLink",
		nReferenceNo: "referenceNo", nCustRef: "customerReference", nSendOrderBy: "sendOrderBy",
		nProducts: "products", nSummary: "orderSummary", nChargeVal: "chargeValidity", nNotes: "customerNotes",
		nTnC: "tnc", nSettings: "settings", nCallback: "callback", nSubmitPay: "submitPayment",
	}
	customerKnown = []string{
		cUUID: "uuid", cType: "type", cCountryCode: "countryCode", cMSISDN: "msisdn", cEmail: "email", cName: "name",
		cLanguage: "preferredLanguage", cPersonalNo: "personalNumber", cOrgID: "organizationId", cAddress: "address",
	}
	addressKnown   = []string{aStreet: "street", aZip: "zip", aCity: "city", aCountry: "country"}
	productKnown   = []string{pName: "name", pProductID: "productId", pRate: "rate", pTax: "tax", pAmount: "amount"}
	summaryKnown   = []string{sSubTotal: "subTotal", sTotalTax: "totalTax", sGrandTotal: "grandTotal"}
	sendKnown      = []string{sendSMS: "sms", sendEmail: "email"}
	settingsKnown  = []string{setSecure: "secureDetails", setPartRefund: "isChargePartiallyRefundable"}
	callbackSubmit = callbackCreate[:cbSuccess:cbSuccess] // callbackUrl only
	callbackCreate = []string{cbURL: "callbackUrl", cbSuccess: "success", cbFailure: "failure"}

	newSubmitSet = newFieldSet(newKnownSubmit...)
	newCreateSet = newFieldSet(newKnownCreate...) // newSubmitSet's names, then submitPayment

	customerSet  = newFieldSet(customerKnown...)
	addressSet   = newFieldSet(addressKnown...)
	productSet   = newFieldSet(productKnown...)
	summarySet   = newFieldSet(summaryKnown...)
	sendSet      = newFieldSet(sendKnown...)
	settingsSet  = newFieldSet(settingsKnown...)
	cbSubmitSet  = newFieldSet(callbackSubmit...)
	cbCreateSet  = newFieldSet(callbackCreate...) // cbSubmitSet's name, then success and failure
	submitPaySet = newFieldSet(submitPayKnown...)

	lineAmountSet   = newFieldSet(lineAmountKnown...)
	linesSet        = newFieldSet(linesKnown...)
	noteSet         = newFieldSet(noteKnown...)
	resendSet       = newFieldSet(resendKnown...)
	refundSet       = newFieldSet(refundKnown...)
	submitPayKnown  = []string{spVia: "via"}
	lineAmountKnown = []string{laID: "id", laAmount: "amount"}
	linesKnown      = []string{lnProducts: "products", lnGrandTotal: "grandTotal", lnText: "additionalText"} // capture and charge
	noteKnown       = []string{noteNote: "note"}
	resendKnown     = []string{rsCountryCode: "countryCode", rsMSISDN: "msisdn", rsEmail: "email"}
	refundKnown     = []string{
		rfType: "type", rfGrandTotal: "grandTotal", rfProducts: "products", rfSource: "source",
		rfReference: "reference",
	}
	paymentMethods = []string{"visa", "mastercard"}
	customerTypes  = []string{"private", "corporate"}
	refundSources  = []string{"captured", "charged"}
	refundTypes    = []string{"reservation"}
	// maxChargeValDays bounds an order's chargeValidityDays, and
	// maxChargeValMinutes the chargeValidity (minutes, as the reference's
	// create table says) of a FrontGo body: the same span.
	maxChargeValDays    = 100000
	maxChargeValMinutes = maxChargeValDays * MinutesPerDay
)

// ValidateNewValue is ValidateSubmit (op OpSubmit) or ValidateCreate
// (OpCreate) for a body already parsed as part of a larger document (the
// ABI's validate input), so it is not parsed a second time. Only code
// inside plugin/ can hold a jsonx.Value.
func ValidateNewValue(op string, body jsonx.Value, o Options) error {
	if op != OpSubmit && op != OpCreate {
		return &ValidationError{Op: op, Fields: []FieldError{{Rule: RuleEnum, Message: "only submit and create bodies are validated here, not " + quote(op)}}}
	}
	if body.Kind() != jsonx.Object {
		return &ValidationError{Op: op, Fields: []FieldError{{Rule: RuleType, Message: "the body must be a JSON object, not " + article(body.Kind())}}}
	}
	var c checker
	c.newReservation(op, body, &o)
	return c.result(op)
}

func validateNew(op string, body []byte, o *Options) error {
	d, err := parseBody(op, body)
	if err != nil {
		return err
	}
	defer d.Release()
	return validateNewDoc(op, d, o)
}

func validateNewDoc(op string, d *jsonx.Doc, o *Options) error {
	var c checker
	c.newReservation(op, d.Root(), o)
	return c.result(op)
}

func (c *checker) newReservation(op string, root jsonx.Value, o *Options) {
	set := newSubmitSet
	if op == OpCreate {
		set = newCreateSet
	}
	var f fields
	c.members(root, at(""), true, set, &f)
	cp := at("customerDetails")
	if cf, _, ok := c.customer(f[nCustomer], cp); ok && op == OpSubmit {
		// Required for both in the reference, but only Create's table
		// gives a default ("no") when it is missing. On submit an empty
		// string is missing too: refused, never replaced by the default.
		switch lang := cf[cLanguage]; lang.Kind() {
		case jsonx.Invalid, jsonx.Null:
			c.add(cp.at("preferredLanguage"), RuleRequired, "is required")
		case jsonx.String:
			if b, _ := lang.StrBytes(); len(b) == 0 {
				c.add(cp.at("preferredLanguage"), RuleRequired, "must not be empty: give one of "+joinNames(Languages))
			}
		}
	}

	c.timestamp(f[nOrderDate], at("orderDate"), true)
	if due, ok := c.timestamp(f[nDueDate], at("dueDateForPaymentLink"), true); ok && !o.Now.IsZero() {
		if due < o.Now.Unix() {
			c.add(at("dueDateForPaymentLink"), RuleNotPast, "must be now or in the future")
		}
	}
	c.strb(f[nReferenceNo], at("referenceNo"), false, maxShortText)
	c.strb(f[nCustRef], at("customerReference"), false, maxShortText)

	var sf fields
	if c.members(f[nSendOrderBy], at("sendOrderBy"), true, sendSet, &sf) {
		c.boolean(sf[sendSMS], at("sendOrderBy.sms"), true)
		c.boolean(sf[sendEmail], at("sendOrderBy.email"), true)
	}

	subTotal, tax, linesOK := c.productLines(f[nProducts], at("products"), o, nil)
	var sum fields
	if c.members(f[nSummary], at("orderSummary"), true, summarySet, &sum) {
		st, okS := c.nonNegative(sum[sSubTotal], at("orderSummary.subTotal"))
		tt, okT := c.nonNegative(sum[sTotalTax], at("orderSummary.totalTax"))
		gt, okG := c.positive(sum[sGrandTotal], at("orderSummary.grandTotal"))
		if linesOK {
			if okS && st != subTotal {
				c.add(at("orderSummary.subTotal"), RuleSum, "must equal the sum of products.*.amount, "+subTotal.String()+", not "+st.String())
			}
			// A shop may round tax per line, once on the total or per
			// unit (see taxAllowance), which is worked out only when
			// totalTax is not the sum of the lines' rounded tax.
			if okT && tt != tax && !taxAllowed(f[nProducts], o, tax, tt) {
				c.add(at("orderSummary.totalTax"), RuleTaxTotal, "must equal the tax included in the products, "+tax.String()+", not "+tt.String())
			}
		}
		if okS && okG && gt != st {
			c.add(at("orderSummary.grandTotal"), RuleSum, "must equal orderSummary.subTotal, "+st.String()+", not "+gt.String()+" (product amounts include tax)")
		}
	}

	if v := f[nChargeVal]; v.Kind() == jsonx.Number {
		c.add(at("chargeValidity"), RuleType, "must be a string of digits, not a number")
	} else if b, ok := c.strb(v, at("chargeValidity"), false, 16); ok {
		if !digitsB(b) {
			c.add(at("chargeValidity"), RuleDigits, "must contain digits only")
		} else if n := digitsValue(b); n > int64(maxChargeValMinutes) {
			c.add(at("chargeValidity"), RuleRange, "must be at most "+strconv.Itoa(maxChargeValMinutes)+" (minutes)")
		}
	}
	c.strb(f[nNotes], at("customerNotes"), false, maxLongText)
	c.strb(f[nTnC], at("tnc"), false, maxLongText)

	var st fields
	if c.members(f[nSettings], at("settings"), false, settingsSet, &st) {
		c.boolean(st[setSecure], at("settings.secureDetails"), false)
		c.boolean(st[setPartRefund], at("settings.isChargePartiallyRefundable"), false)
	}

	cbSet := cbSubmitSet
	if op == OpCreate {
		cbSet = cbCreateSet
	}
	var cb fields
	if c.members(f[nCallback], at("callback"), false, cbSet, &cb) {
		c.url(cb[cbURL], at("callback.callbackUrl"), false)
		if op == OpCreate {
			c.url(cb[cbSuccess], at("callback.success"), false)
			c.url(cb[cbFailure], at("callback.failure"), false)
		}
	}
	if op == OpCreate {
		var sp fields
		if c.members(f[nSubmitPay], at("submitPayment"), true, submitPaySet, &sp) {
			c.enum(sp[spVia], at("submitPayment.via"), true, paymentMethods...)
		}
	}
}

func joinNames(names []string) string { return strings.Join(names, ", ") }

func absAmount(a money.Amount) money.Amount {
	if a < 0 {
		return -a
	}
	return a
}

// customer checks customerDetails (or a shop order's customer) and
// returns its members and its address's, for reading the values.
func (c *checker) customer(v jsonx.Value, path fpath) (f, a fields, ok bool) {
	if !c.members(v, path, true, customerSet, &f) {
		return f, a, false
	}
	c.strb(f[cUUID], path.at("uuid"), false, 64)
	typ, _ := c.enum(f[cType], path.at("type"), true, customerTypes...)
	c.dialingCode(f[cCountryCode], path.at("countryCode"), true)
	c.msisdn(f[cMSISDN], path.at("msisdn"), true)
	c.email(f[cEmail], path.at("email"), true)
	c.strb(f[cName], path.at("name"), true, maxShortText)
	if _, ok := c.enum(f[cLanguage], path.at("preferredLanguage"), false, Languages...); !ok {
		// enum passes over a blank string as unset; white space is not
		// unset, and no language either.
		if b, _ := f[cLanguage].StrBytes(); len(b) > 0 && blank(b) {
			c.add(path.at("preferredLanguage"), RuleEnum, "must be one of "+joinNames(Languages)+", not blank")
		}
	}

	pn := f[cPersonalNo]
	if pn.Kind() == jsonx.Number {
		c.add(path.at("personalNumber"), RuleType, "must be a string of 11 digits, not a number")
	} else if s, ok := c.strb(pn, path.at("personalNumber"), false, 32); ok {
		if !digitsB(s) {
			c.add(path.at("personalNumber"), RuleDigits, "must contain digits only, without spaces")
		} else if len(s) != personalNrLen {
			c.add(path.at("personalNumber"), RuleLength, "must be exactly 11 digits")
		}
	}

	org := f[cOrgID]
	orgPath := path.at("organizationId")
	switch {
	case org.Kind() == jsonx.Number:
		c.add(orgPath, RuleType, "must be a string of digits, not a number")
	case typ == "corporate" && org.Absent():
		c.add(orgPath, RuleRequiredIf, "is required when customerDetails.type is corporate")
	default:
		if s, ok := c.strb(org, orgPath, typ == "corporate", 32); ok && !digitsB(s) {
			c.add(orgPath, RuleDigits, "must contain digits only, without spaces")
		}
	}

	if ap := path.at("address"); c.members(f[cAddress], ap, true, addressSet, &a) {
		c.strb(a[aStreet], ap.at("street"), true, maxShortText)
		c.strb(a[aZip], ap.at("zip"), true, 16)
		c.strb(a[aCity], ap.at("city"), true, maxShortText)
		c.country(a[aCountry], ap.at("country"))
	}
	return f, a, true
}

// productLines checks full product lines (submit, create, charge) and
// returns their sum and included tax. ok is false when any line is unusable,
// so that totals are not compared against a partial sum.
//
// frontgate reads products.*.amount as the line total, rate × quantity,
// with tax included (see the README's "Money" section): the reference calls
// it "Total product amount" for create and charge, and its examples agree.
//
// With ta, it also works out the other totalTax values rounding allows (see
// taxAllowance).
func (c *checker) productLines(v jsonx.Value, path fpath, o *Options, ta *taxAllowance) (sum, tax money.Amount, ok bool) {
	var buf [lineRefsOnStack]lineRef
	refs := c.lines(v, path, false, buf[:])
	if refs == nil {
		return 0, 0, false
	}
	ok = true
	for _, ref := range refs {
		p := path.index(ref.i)
		var f fields
		if !c.members(ref.v, p, true, productSet, &f) {
			ok = false
			continue
		}
		c.strb(f[pName], p.at("name"), true, maxShortText)
		if id := f[pProductID]; id.Kind() == jsonx.Number {
			c.add(p.at("productId"), RuleType, "must be a string, not a number")
		} else {
			c.strb(id, p.at("productId"), false, maxShortText)
		}
		rate, okR := c.nonNegative(f[pRate], p.at("rate"))
		tr, okT := c.taxRate(f[pTax], p.at("tax"), o)
		amt, okA := c.nonNegative(f[pAmount], p.at("amount"))
		if okR && okA {
			if (rate == 0 && amt != 0) || (rate != 0 && (amt%rate != 0 || amt == 0)) {
				c.add(p.at("amount"), RuleLineTotal, "must be rate × a whole quantity (rate "+rate.String()+", amount "+amt.String()+")")
			}
		}
		if !(okR && okT && okA) {
			ok = false
			continue
		}
		var err error
		if sum, err = sum.Add(amt); err != nil {
			c.add(path, RuleRange, "sum of amounts is out of range")
			return 0, 0, false
		}
		tax += money.TaxIncluded(amt, tr)
		if ta != nil {
			ta.add(rate, amt, tr)
		}
	}
	return sum, tax, ok
}

// taxAllowance is what an order's totalTax may be besides the sum of each
// line's included tax rounded half away from zero (tax):
//
//   - within one øre a line of tax, counting only lines whose tax is not a
//     whole number of øre: a shop that rounds each line another way, or
//     rounds once on the total, differs by that much at most;
//   - exactly the tax of one unit, rounded half away from zero or half
//     towards it, times the quantity, summed over the lines: a shop that
//     rounds per unit.
//
// Nothing else: a line whose tax is exact leaves no room, however many
// units or lines the order has.
type taxAllowance struct {
	inexact          money.Amount // lines whose included tax is not whole øre
	unitUp, unitDown money.Amount
}

// add counts a valid line of amt at rate (so amt = rate × q) taxed at tr.
func (ta *taxAllowance) add(rate, amt money.Amount, tr money.Rate) {
	if tr <= 0 || amt == 0 {
		return
	}
	den := int64(money.MaxRate) + int64(tr)
	if int64(amt)*int64(tr)%den != 0 {
		ta.inexact++
	}
	if rate <= 0 { // refused as line_total already; no units to round
		return
	}
	q := amt / rate
	up := money.TaxIncluded(rate, tr)
	down := up
	if rem := int64(rate) * int64(tr) % den; 2*rem == den {
		down-- // exactly half an øre: rounded towards zero instead
	}
	ta.unitUp += up * q
	ta.unitDown += down * q
}

// taxAllowed says whether totalTax tt is one rounding allows for the valid
// product lines v whose rounded tax adds up to tax (see taxAllowance). It
// takes a division or two a line, so it runs only when tt is not tax.
func taxAllowed(v jsonx.Value, o *Options, tax, tt money.Amount) bool {
	var c checker
	var ta taxAllowance
	c.productLines(v, at("products"), o, &ta)
	return absAmount(tt-tax) <= ta.inexact || tt == ta.unitUp || tt == ta.unitDown
}

// ValidateDetails checks the reservation identifier of a details request.
func ValidateDetails(reservationUUID string) error {
	var c checker
	c.reservationUUID(reservationUUID)
	return c.result(OpDetails)
}

// ValidateCapture checks a Capture Reservation body: product ids and
// amounts, and grandTotal equal to their sum.
//
// Reference: reservations-api.md, "Capture Reservation".
func ValidateCapture(reservationUUID string, body []byte) error {
	return validateLines(OpCapture, reservationUUID, body, nil)
}

// ValidateCharge checks a Charge Reservation body: full product lines as in
// submit, and grandTotal equal to their sum.
//
// Reference: reservations-api.md, "Charge Reservation".
func ValidateCharge(reservationUUID string, body []byte, o Options) error {
	return validateLines(OpCharge, reservationUUID, body, &o)
}

func validateLines(op, uuid string, body []byte, o *Options) error {
	_, err := linesDoc(op, uuid, body, o)
	return err
}

// linesDoc validates a capture or charge body and returns it parsed, for
// the decoders.
func linesDoc(op, uuid string, body []byte, o *Options) (*jsonx.Doc, error) {
	var c checker
	c.reservationUUID(uuid)
	d, err := parseBody(op, body)
	if err != nil {
		return nil, prepend(&c, err)
	}
	root := d.Root()
	var sum money.Amount
	var ok bool
	var f fields
	c.members(root, at(""), true, linesSet, &f)
	if op == OpCharge {
		sum, _, ok = c.productLines(f[lnProducts], at("products"), o, nil)
		if ok && sum == 0 {
			c.add(at("products"), RuleMin, "must charge more than 0")
		}
	} else {
		sum, ok = c.idAmounts(f[lnProducts], at("products"), false)
	}
	if gt, okG := c.positive(f[lnGrandTotal], at("grandTotal")); okG && ok && gt != sum {
		c.add(at("grandTotal"), RuleSum, "must equal the sum of products.*.amount, "+sum.String()+", not "+gt.String())
	}
	c.strb(f[lnText], at("additionalText"), false, maxLongText)
	return d, c.result(op)
}

// prepend merges a body error after the path-parameter errors already found.
func prepend(c *checker, err error) error {
	if ve, ok := err.(*ValidationError); ok {
		c.errs = append(c.errs, ve.Fields...)
		return &ValidationError{Op: ve.Op, Fields: c.errs}
	}
	return err
}

// idAmounts checks {id, amount} lines (capture, refund): positive whole ids,
// each at most once, positive amounts.
func (c *checker) idAmounts(v jsonx.Value, path fpath, array bool) (sum money.Amount, ok bool) {
	var buf [lineRefsOnStack]lineRef
	refs := c.lines(v, path, array, buf[:])
	if refs == nil {
		return 0, false
	}
	ok = true
	seen := make([]int64, 0, len(refs))
	for _, ref := range refs {
		p := path.index(ref.i)
		var f fields
		if !c.members(ref.v, p, true, lineAmountSet, &f) {
			ok = false
			continue
		}
		id, okI := c.id(f[laID], p.at("id"))
		if okI {
			for _, s := range seen {
				if s == id {
					c.add(p.at("id"), RuleDistinct, "product "+strconv.FormatInt(id, 10)+" appears more than once")
					break
				}
			}
			seen = append(seen, id)
		}
		amt, okA := c.positive(f[laAmount], p.at("amount"))
		if !okA {
			ok = false
			continue
		}
		var err error
		if sum, err = sum.Add(amt); err != nil {
			c.add(path, RuleRange, "sum of amounts is out of range")
			return 0, false
		}
	}
	return sum, ok
}

// ValidateCancel checks a Cancel Reservation body: a note is required.
func ValidateCancel(reservationUUID string, body []byte) error {
	return validateNote(OpCancel, reservationUUID, body)
}

// ValidateComplete checks a Complete Reservation body: a note is required.
func ValidateComplete(reservationUUID string, body []byte) error {
	return validateNote(OpComplete, reservationUUID, body)
}

func validateNote(op, uuid string, body []byte) error {
	_, err := noteDoc(op, uuid, body)
	return err
}

func noteDoc(op, uuid string, body []byte) (*jsonx.Doc, error) {
	var c checker
	c.reservationUUID(uuid)
	d, err := parseBody(op, body)
	if err != nil {
		return nil, prepend(&c, err)
	}
	root := d.Root()
	var f fields
	c.members(root, at(""), true, noteSet, &f)
	c.strb(f[noteNote], at("note"), true, maxLongText)
	return d, c.result(op)
}

// ValidateResend checks a Resend Reservation body: either countryCode and
// msisdn together (SMS), or email, or both.
//
// Reference: reservations-api.md, "Resend Reservation".
func ValidateResend(reservationUUID string, body []byte) error {
	_, err := resendDoc(reservationUUID, body)
	return err
}

func resendDoc(reservationUUID string, body []byte) (*jsonx.Doc, error) {
	var c checker
	c.reservationUUID(reservationUUID)
	d, err := parseBody(OpResend, body)
	if err != nil {
		return nil, prepend(&c, err)
	}
	root := d.Root()
	var f fields
	c.members(root, at(""), true, resendSet, &f)
	cc, ms, em := f[rsCountryCode], f[rsMSISDN], f[rsEmail]
	hasCC, hasMS, hasEM := present(cc), present(ms), present(em)
	if hasCC || hasMS {
		c.dialingCode(cc, at("countryCode"), false)
		c.msisdn(ms, at("msisdn"), false)
		if hasCC && !hasMS {
			c.add(at("msisdn"), RuleRequiredWith, "is required when countryCode is given")
		}
		if hasMS && !hasCC {
			c.add(at("countryCode"), RuleRequiredWith, "is required when msisdn is given")
		}
	}
	if hasEM {
		c.email(em, at("email"), false)
	}
	if !hasCC && !hasMS && !hasEM {
		c.add(at(""), RuleRequiredOneOf, "give countryCode and msisdn to resend by SMS, or email to resend by e-mail")
	}
	return d, c.result(OpResend)
}

// present reports whether an optional field carries a value ("" counts as
// absent, as it does for FrontGo).
func present(v jsonx.Value) bool {
	switch v.Kind() {
	case jsonx.Invalid, jsonx.Null:
		return false
	case jsonx.String:
		s, _ := v.Str()
		return s != ""
	}
	return true
}

// ValidateRefund checks a Refund Reservation body: type "reservation",
// products as an array of {id, amount}, grandTotal equal to their sum, and a
// source (captured|charged) with the capture's or charge's reference.
//
// Reference: reservations-api.md, "Refund Reservation".
func ValidateRefund(reservationUUID string, body []byte) error {
	_, err := refundDoc(reservationUUID, body)
	return err
}

func refundDoc(reservationUUID string, body []byte) (*jsonx.Doc, error) {
	var c checker
	c.reservationUUID(reservationUUID)
	d, err := parseBody(OpRefund, body)
	if err != nil {
		return nil, prepend(&c, err)
	}
	root := d.Root()
	var f fields
	c.members(root, at(""), true, refundSet, &f)
	c.enum(f[rfType], at("type"), true, refundTypes...)
	sum, ok := c.idAmounts(f[rfProducts], at("products"), true)
	if gt, okG := c.positive(f[rfGrandTotal], at("grandTotal")); okG && ok && gt != sum {
		c.add(at("grandTotal"), RuleSum, "must equal the sum of products.*.amount, "+sum.String()+", not "+gt.String())
	}
	src, okS := c.enum(f[rfSource], at("source"), true, refundSources...)
	ref, okR := c.str(f[rfReference], at("reference"), true, 64)
	if okS && okR {
		want := "CAP"
		if src == "charged" {
			want = "CHA"
		}
		if len(ref) < 4 || ref[:3] != want || !alnum(ref[3:]) {
			c.add(at("reference"), RuleReference, "must be the "+src+" transaction's identifier, starting with "+want)
		}
	}
	return d, c.result(OpRefund)
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if !(ch >= '0' && ch <= '9' || ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z') {
			return false
		}
	}
	return s != ""
}

// HistoryWindow is the default window of a history request: the last 24
// hours, as FrontGo applies when no time frame is given.
const HistoryWindow = 24 * 60 * 60

// ValidateHistory checks a history time frame: Unix seconds as digit
// strings, start not after end. Empty start and end select the default
// window.
func ValidateHistory(start, end string) error {
	var c checker
	_, _, _ = c.historyWindow(start, end)
	return c.result(OpHistory)
}

func (c *checker) historyWindow(start, end string) (s, e int64, ok bool) {
	if start == "" && end == "" {
		return 0, 0, true
	}
	ok = true
	parse := func(v, path string) int64 {
		if v == "" {
			c.add(at(path), RuleRequiredWith, "is required when the other bound is given")
			ok = false
			return 0
		}
		if !allDigits(v) || len(v) > 11 {
			c.add(at(path), RuleTimestamp, "must be a Unix timestamp in seconds, such as \"1706674723\"")
			ok = false
			return 0
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	}
	s, e = parse(start, "start"), parse(end, "end")
	if ok && s > e {
		c.add(at("start"), RuleOrder, "must not be after end")
		ok = false
	}
	return s, e, ok
}
