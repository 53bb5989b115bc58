package reservation

import (
	"strconv"

	"github.com/frontgate/frontgate/plugin/internal/jsonx"
	"github.com/frontgate/frontgate/plugin/money"
)

// Customer types.
const (
	CustomerPrivate   = "private"
	CustomerCorporate = "corporate"
)

// Customer is customerDetails of a submit or create request. Empty optional
// fields go on the wire as null, as the reference's examples show.
type Customer struct {
	UUID              string // an existing FrontGo customer (CSRT…); optional
	Type              string // CustomerPrivate or CustomerCorporate
	CountryCode       string // dialing code, "+47"
	MSISDN            string // phone number without the dialing code
	Email             string
	Name              string
	PreferredLanguage string // en, no, sv, da or de; empty means DefaultLanguage
	PersonalNumber    string // 11 digits; optional
	OrganizationID    string // digits; required for corporate customers
	Address           Address
}

// Address is customerDetails.address.
type Address struct {
	Street, Zip, City string
	Country           string // ISO 3166-1 alpha-2, upper case
}

// Product is one line of a submit, create or charge request. Amount is the
// line total (Rate × quantity), tax included.
type Product struct {
	Name      string
	ProductID string
	Rate      money.Amount
	Tax       money.Rate
	Amount    money.Amount
}

// Summary is orderSummary: SubTotal is the sum of the lines' amounts,
// TotalTax the tax they include, GrandTotal what the shopper pays (equal to
// SubTotal, since amounts include tax).
type Summary struct {
	SubTotal, TotalTax, GrandTotal money.Amount
}

// SendOrderBy chooses how FrontGo sends the payment link itself.
type SendOrderBy struct{ SMS, Email bool }

// Settings is the optional settings object.
type Settings struct {
	SecureDetails               bool
	IsChargePartiallyRefundable bool
}

// NewReservation is the body of Submit Reservation (a payment link) and of
// Create Session for Reservation (an immediate checkout). PaymentMethod,
// SuccessURL and FailureURL belong to create only.
type NewReservation struct {
	Customer              Customer
	OrderDate             int64 // Unix seconds
	DueDateForPaymentLink int64 // Unix seconds; now or later
	ReferenceNo           string
	CustomerReference     string
	SendOrderBy           SendOrderBy
	Products              []Product
	Summary               Summary
	ChargeValidity        string // digits; optional
	CustomerNotes         string
	TnC                   string
	Settings              Settings
	CallbackURL           string
	SuccessURL            string // create only
	FailureURL            string // create only
	PaymentMethod         string // create only: visa or mastercard; empty means DefaultPaymentMethod
}

// DefaultPaymentMethod preselects the card form at create when the caller
// does not choose; the shopper can still switch on FrontGo's page.
const DefaultPaymentMethod = "visa"

// BuildSubmit writes the wire body of Submit Reservation and validates it
// with ValidateSubmit, so a built payload is never one FrontGo refuses for a
// documented rule.
func BuildSubmit(r *NewReservation, o Options) ([]byte, error) {
	return buildNew(OpSubmit, r, o)
}

// BuildCreate writes the wire body of Create Session for Reservation and
// validates it with ValidateCreate.
func BuildCreate(r *NewReservation, o Options) ([]byte, error) {
	return buildNew(OpCreate, r, o)
}

func buildNew(op string, r *NewReservation, o Options) ([]byte, error) {
	if op == OpSubmit && (r.SuccessURL != "" || r.FailureURL != "" || r.PaymentMethod != "") {
		return nil, &ValidationError{Op: op, Fields: []FieldError{{Path: "callback", Rule: RuleUnknown,
			Message: "success, failure and submitPayment belong to create, not submit"}}}
	}
	b, err := encodeNew(op, r)
	if err != nil {
		return nil, err
	}
	// The body was just written by jsonx.Writer from distinct field names,
	// so the parse skips the duplicate-key scan; every rule still runs.
	d, err := jsonx.ParseOwn(b)
	if err != nil {
		return nil, &ValidationError{Op: op, Fields: []FieldError{{Rule: RuleJSON, Message: err.Error()}}}
	}
	if err := validateNewDoc(op, d, &o); err != nil {
		return nil, err
	}
	return b, nil
}

// encodeNew writes the wire body of submit or create without validating it.
func encodeNew(op string, r *NewReservation) ([]byte, error) {
	w := jsonx.NewWriter(make([]byte, 0, 768+len(r.Products)*128)) // 10 lines of short names: ~1.7 KB
	if err := encodeNewTo(w, op, r); err != nil {
		return nil, err
	}
	return w.Bytes(), nil
}

// encodeNewTo is encodeNew writing the body into w as its next value; w
// must not hold an error already. On an error w holds part of the body and
// must be discarded.
func encodeNewTo(w *jsonx.Writer, op string, r *NewReservation) error {
	writeNew(w, op, r)
	if err := w.Err(); err != nil {
		return &ValidationError{Op: op, Fields: []FieldError{{Rule: RuleType, Message: err.Error()}}}
	}
	return nil
}

// ValidURL reports whether s is a URL FrontGo accepts for callbackUrl,
// success and failure: absolute http(s), a host, no credentials or spaces.
func ValidURL(s string) bool { return len(s) <= maxURL && validURL(s) }

func ts(w *jsonx.Writer, t int64) {
	if t == 0 {
		w.Null()
		return
	}
	w.QuotedInt(t)
}

func writeNew(w *jsonx.Writer, op string, r *NewReservation) {
	c := &r.Customer
	w.BeginObject()
	w.KeyLit("customerDetails")
	w.BeginObject()
	if c.UUID != "" {
		w.KeyString("uuid", c.UUID)
	}
	w.KeyString("type", c.Type)
	w.KeyString("countryCode", c.CountryCode)
	w.KeyString("msisdn", c.MSISDN)
	w.KeyString("email", c.Email)
	w.KeyString("name", c.Name)
	w.KeyLit("preferredLanguage")
	if c.PreferredLanguage == "" {
		w.String(DefaultLanguage)
	} else {
		w.String(c.PreferredLanguage)
	}
	w.KeyStringOrNull("personalNumber", c.PersonalNumber)
	w.KeyStringOrNull("organizationId", c.OrganizationID)
	w.KeyLit("address")
	w.BeginObject()
	w.KeyString("street", c.Address.Street)
	w.KeyString("zip", c.Address.Zip)
	w.KeyString("city", c.Address.City)
	w.KeyString("country", c.Address.Country)
	w.EndObject()
	w.EndObject()

	w.KeyLit("orderDate")
	ts(w, r.OrderDate)
	w.KeyLit("dueDateForPaymentLink")
	ts(w, r.DueDateForPaymentLink)
	w.KeyStringOrNull("referenceNo", r.ReferenceNo)
	w.KeyStringOrNull("customerReference", r.CustomerReference)
	w.KeyLit("sendOrderBy")
	w.BeginObject()
	w.KeyBool("sms", r.SendOrderBy.SMS)
	w.KeyBool("email", r.SendOrderBy.Email)
	w.EndObject()
	w.KeyLit("products")
	writeProducts(w, r.Products)
	w.KeyLit("orderSummary")
	w.BeginObject()
	w.KeyFixed2("subTotal", int64(r.Summary.SubTotal))
	w.KeyFixed2("totalTax", int64(r.Summary.TotalTax))
	w.KeyFixed2("grandTotal", int64(r.Summary.GrandTotal))
	w.EndObject()
	w.KeyStringOrNull("chargeValidity", r.ChargeValidity)
	w.KeyStringOrNull("customerNotes", r.CustomerNotes)
	w.KeyStringOrNull("tnc", r.TnC)
	if op == OpCreate {
		w.KeyLit("submitPayment")
		w.BeginObject()
		w.KeyLit("via")
		if r.PaymentMethod == "" {
			w.String(DefaultPaymentMethod)
		} else {
			w.String(r.PaymentMethod)
		}
		w.EndObject()
	}
	if r.CallbackURL != "" || r.SuccessURL != "" || r.FailureURL != "" {
		w.KeyLit("callback")
		w.BeginObject()
		if r.CallbackURL != "" {
			w.KeyString("callbackUrl", r.CallbackURL)
		}
		if r.SuccessURL != "" {
			w.KeyString("success", r.SuccessURL)
		}
		if r.FailureURL != "" {
			w.KeyString("failure", r.FailureURL)
		}
		w.EndObject()
	}
	w.KeyLit("settings")
	w.BeginObject()
	w.KeyBool("secureDetails", r.Settings.SecureDetails)
	w.KeyBool("isChargePartiallyRefundable", r.Settings.IsChargePartiallyRefundable)
	w.EndObject()
	w.EndObject()
}

// writeProducts writes full product lines as the object keyed "0", "1", …
// that submit, create and charge take.
func writeProducts(w *jsonx.Writer, ps []Product) {
	w.BeginObject()
	for i := range ps {
		p := &ps[i]
		w.IndexKey(i)
		w.BeginObject()
		w.KeyString("name", p.Name)
		w.KeyStringOrNull("productId", p.ProductID)
		w.KeyFixed2("rate", int64(p.Rate))
		w.KeyLit("tax")
		w.QuotedFunc(p.Tax.Append)
		w.KeyFixed2("amount", int64(p.Amount))
		w.EndObject()
	}
	w.EndObject()
}

// LineAmount names a reservation product line (its id from the details
// response's productList) and an amount of it, for capture and refund.
type LineAmount struct {
	ID     int64
	Amount money.Amount
}

// Capture is the body of Capture Reservation.
type Capture struct {
	Products       []LineAmount
	GrandTotal     money.Amount
	AdditionalText string
}

// Charge is the body of Charge Reservation: new lines charged to the card
// on file.
type Charge struct {
	Products       []Product
	GrandTotal     money.Amount
	AdditionalText string
}

// Refund sources.
const (
	SourceCaptured = "captured"
	SourceCharged  = "charged"
)

// Refund is the body of Refund Reservation. Reference is the CAP… or CHA…
// identifier of the capture or charge refunded.
type Refund struct {
	GrandTotal money.Amount
	Products   []LineAmount
	Source     string
	Reference  string
}

// Resend is the body of Resend Reservation.
type Resend struct {
	CountryCode, MSISDN, Email string
}

// SumLines returns the sum of line amounts, the grandTotal a capture or
// refund must state.
func SumLines(ls []LineAmount) money.Amount {
	var s money.Amount
	for _, l := range ls {
		s += l.Amount
	}
	return s
}

// SumProducts returns the sum of product amounts.
func SumProducts(ps []Product) money.Amount {
	var s money.Amount
	for _, p := range ps {
		s += p.Amount
	}
	return s
}

func writeLineAmount(w *jsonx.Writer, l LineAmount) {
	w.BeginObject()
	w.KeyLit("id")
	w.Int(l.ID)
	w.KeyFixed2("amount", int64(l.Amount))
	w.EndObject()
}

// BuildCapture writes and validates the body of Capture Reservation.
func BuildCapture(reservationUUID string, r *Capture) ([]byte, error) {
	w := jsonx.NewWriter(make([]byte, 0, 64+len(r.Products)*40))
	w.BeginObject()
	w.KeyLit("products")
	w.BeginObject()
	for i, l := range r.Products {
		w.IndexKey(i)
		writeLineAmount(w, l)
	}
	w.EndObject()
	w.KeyFixed2("grandTotal", int64(r.GrandTotal))
	if r.AdditionalText != "" {
		w.KeyString("additionalText", r.AdditionalText)
	}
	w.EndObject()
	return checked(w, OpCapture, func(b []byte) error { return ValidateCapture(reservationUUID, b) })
}

// BuildCharge writes and validates the body of Charge Reservation.
func BuildCharge(reservationUUID string, r *Charge, o Options) ([]byte, error) {
	w := jsonx.NewWriter(make([]byte, 0, 64+len(r.Products)*96))
	w.BeginObject()
	w.KeyLit("products")
	writeProducts(w, r.Products)
	w.KeyFixed2("grandTotal", int64(r.GrandTotal))
	if r.AdditionalText != "" {
		w.KeyString("additionalText", r.AdditionalText)
	}
	w.EndObject()
	return checked(w, OpCharge, func(b []byte) error { return ValidateCharge(reservationUUID, b, o) })
}

// BuildCancel writes and validates the body of Cancel Reservation.
func BuildCancel(reservationUUID, note string) ([]byte, error) {
	return buildNote(OpCancel, reservationUUID, note, ValidateCancel)
}

// BuildComplete writes and validates the body of Complete Reservation.
func BuildComplete(reservationUUID, note string) ([]byte, error) {
	return buildNote(OpComplete, reservationUUID, note, ValidateComplete)
}

func buildNote(op, uuid, note string, validate func(string, []byte) error) ([]byte, error) {
	w := jsonx.NewWriter(make([]byte, 0, 16+len(note)))
	w.BeginObject()
	w.KeyString("note", note)
	w.EndObject()
	return checked(w, op, func(b []byte) error { return validate(uuid, b) })
}

// BuildResend writes and validates the body of Resend Reservation. Unused
// channels go as null; countryCode is a string (the reference's example
// shows a bare +47, which is not JSON).
func BuildResend(reservationUUID string, r *Resend) ([]byte, error) {
	w := jsonx.NewWriter(make([]byte, 0, 96))
	w.BeginObject()
	w.KeyStringOrNull("countryCode", r.CountryCode)
	w.KeyStringOrNull("msisdn", r.MSISDN)
	w.KeyStringOrNull("email", r.Email)
	w.EndObject()
	return checked(w, OpResend, func(b []byte) error { return ValidateResend(reservationUUID, b) })
}

// BuildRefund writes and validates the body of Refund Reservation; its
// products are a JSON array, unlike the other operations'.
func BuildRefund(reservationUUID string, r *Refund) ([]byte, error) {
	w := jsonx.NewWriter(make([]byte, 0, 96+len(r.Products)*40))
	w.BeginObject()
	w.KeyString("type", "reservation")
	w.KeyFixed2("grandTotal", int64(r.GrandTotal))
	w.KeyLit("products")
	w.BeginArray()
	for _, l := range r.Products {
		writeLineAmount(w, l)
	}
	w.EndArray()
	w.KeyString("source", r.Source)
	w.KeyString("reference", r.Reference)
	w.EndObject()
	return checked(w, OpRefund, func(b []byte) error { return ValidateRefund(reservationUUID, b) })
}

func checked(w *jsonx.Writer, op string, validate func([]byte) error) ([]byte, error) {
	if err := w.Err(); err != nil {
		return nil, &ValidationError{Op: op, Fields: []FieldError{{Rule: RuleType, Message: err.Error()}}}
	}
	if err := validate(w.Bytes()); err != nil {
		return nil, err
	}
	return w.Bytes(), nil
}

// HistoryPath returns the path of a history request relative to the API
// base, filling the default window (the 24 hours before now) when start and
// end are both zero.
func HistoryPath(start, end, now int64) (string, error) {
	if start == 0 && end == 0 {
		start, end = now-HistoryWindow, now
	}
	s, e := strconv.FormatInt(start, 10), strconv.FormatInt(end, 10)
	if err := ValidateHistory(s, e); err != nil {
		return "", err
	}
	return "/connect/reservations/history/" + s + "/" + e, nil
}

// Path returns the path of an operation on one reservation, relative to the
// API base (".../api/v1"), after checking the identifier so it cannot alter
// the path.
func Path(op, reservationUUID string) (string, error) {
	switch op {
	case OpSubmit:
		return "/connect/reservations/submit", nil
	case OpCreate:
		return "/connect/reservations/create", nil
	case OpDetails, OpCapture, OpCharge, OpCancel, OpComplete, OpResend, OpRefund:
		if err := ValidateDetails(reservationUUID); err != nil {
			return "", &ValidationError{Op: op, Fields: err.(*ValidationError).Fields}
		}
		return "/connect/reservations/" + op + "/" + reservationUUID, nil
	}
	return "", &ValidationError{Op: op, Fields: []FieldError{{Rule: RuleEnum, Message: "unknown operation " + quote(op)}}}
}

// Method returns the HTTP method FrontGo documents for an operation. Cancel
// is documented as GET with a JSON body; an older revision used POST, which
// callers may choose instead.
func Method(op string) string {
	switch op {
	case OpDetails, OpHistory, OpCancel:
		return "GET"
	}
	return "POST"
}
