package ops

import (
	"sync"

	"github.com/frontgate/frontgate/plugin/internal/jsonx"
	"github.com/frontgate/frontgate/plugin/money"
	"github.com/frontgate/frontgate/plugin/reservation"
)

// bodyBufs holds buffers to decode escaped response bodies into: a body is
// read only while its answer is parsed and written, and allocating one per
// call was a tenth of parse_details in the wasm guest.
var bodyBufs sync.Pool // of *[]byte

// detailsBufs holds the Details parse_details reads answers into; one
// whose product list grew past maxPooledLines is left to the collector.
var detailsBufs sync.Pool // of *reservation.Details

const maxPooledLines = 64

// maxBodyBuf bounds the buffer a pooled scratch may grow to.
const maxBodyBuf = 256 << 10

// parse decodes a FrontGo answer. Input: {"status": 201, "body": "<the
// response body as a string>", "requestId"?}, or (since ABI 1.1) with the
// body as the JSON object or array itself, as the input's last member.
// Data: the typed result, with money in øre; a failure is an "upstream"
// error envelope.
func parse(fn, op string, v jsonx.Value, w *jsonx.Writer) *opError {
	in := &input{v: v, fn: fn}
	status := in.setting("status", true)
	var r reservation.Response
	b := v.Get("body")
	if b.Kind() == jsonx.Object || b.Kind() == jsonx.Array {
		// The body as JSON, already parsed with the input. A host that
		// pasted a body it had not checked into its input could have let
		// the text end the value early and add members of its own; as the
		// last member, anything after the value would have been one.
		if !v.IsLast(b) {
			in.bad("body", reservation.RuleLastMember, "as a JSON object or array, must be the input's last member")
		}
		r = r.WithParsedBody(b)
	} else {
		scratch, _ := bodyBufs.Get().(*[]byte)
		if scratch == nil {
			scratch = new([]byte)
		}
		defer bodyBufs.Put(scratch) // the body is not used after this call
		r.Body = in.bodyBytes("body", scratch)
	}
	rid := in.str("requestId", false)
	// Members parse does not know are refused. Counted first, so that the
	// usual input (parse_create is a hot operation) is not looked at member
	// by member: keys are unique, so an input with no more members than the
	// known ones found holds no other.
	present := 0
	for _, found := range [...]bool{status != 0, b.Exists(), rid != ""} {
		if found {
			present++
		}
	}
	if v.Len() > present {
		in.only(membersParse, "")
	}
	if status != 0 && (status < 100 || status > 599) {
		in.bad("status", reservation.RuleRange, "must be an HTTP status between 100 and 599")
	}
	if e := in.failed(); e != nil {
		return e
	}
	r.Status, r.RequestID = int(status), rid
	switch op {
	case reservation.OpSubmit, reservation.OpCreate:
		// Borrowed, like details below, and on the stack.
		urlKey := jsonx.Lit("checkoutUrl")
		if op == reservation.OpCreate {
			urlKey = "paymentUrl"
		}
		var c reservation.Created
		if err := reservation.ParseCreatedInto(op, r, &c); err != nil {
			return fromErr(in.fn, err)
		}
		w.BeginObject()
		str(w, "customerUuid", c.CustomerUUID)
		str(w, "reservationUuid", c.ReservationUUID)
		str(w, urlKey, c.URL)
		str(w, "message", c.Message)
		w.EndObject()
	case reservation.OpCapture, reservation.OpCharge:
		parseFn := reservation.ParseCapture
		if op == reservation.OpCharge {
			parseFn = reservation.ParseCharge
		}
		t, err := parseFn(r)
		if err != nil {
			return fromErr(in.fn, err)
		}
		w.BeginObject()
		str(w, "uuid", t.UUID)
		str(w, "message", t.Message)
		w.EndObject()
	case reservation.OpCancel, reservation.OpComplete, reservation.OpResend, reservation.OpRefund:
		a, err := reservation.ParseAck(op, r)
		if err != nil {
			return fromErr(in.fn, err)
		}
		w.BeginObject()
		str(w, "message", a.Message)
		w.EndObject()
	case reservation.OpHistory:
		evs, err := reservation.ParseHistory(r)
		if err != nil {
			return fromErr(in.fn, err)
		}
		w.BeginArray()
		for _, e := range evs {
			w.BeginObject()
			str(w, "uuid", e.UUID)
			str(w, "title", e.Title)
			str(w, "datetime", e.DateTime)
			str(w, "sentTo", e.SentTo)
			str(w, "actionBy", e.ActionBy)
			str(w, "note", e.Note)
			str(w, "paymentMethod", e.PaymentMethod)
			w.KeyBool("isRefundable", e.IsRefundable)
			ore(w, "amount", e.Amount)
			w.EndObject()
		}
		w.EndArray()
	case reservation.OpDetails:
		// Borrowed: the answer is written before body goes back to the
		// pool (deferred above); and into a pooled Details, whose lists
		// are reused.
		d, _ := detailsBufs.Get().(*reservation.Details)
		if d == nil {
			d = new(reservation.Details)
		}
		defer func() {
			if cap(d.Products) <= maxPooledLines {
				d.Forget() // no texts of this answer stay in the pool
				detailsBufs.Put(d)
			}
		}()
		if err := reservation.ParseDetailsInto(r, d); err != nil {
			return fromErr(in.fn, err)
		}
		writeDetails(w, d)
	}
	return nil
}

func str(w *jsonx.Writer, k jsonx.Lit, v string) { w.KeyString(k, v) }

func ore(w *jsonx.Writer, k jsonx.Lit, a money.Amount) { w.KeyInt(k, int64(a)) }

func writeDetails(w *jsonx.Writer, d *reservation.Details) {
	w.BeginObject()
	str(w, "reservationUuid", d.ReservationUUID)
	str(w, "status", d.Status)
	w.KeyBool("isPaid", d.IsPaid)
	w.KeyLit("products")
	w.BeginArray()
	for _, p := range d.Products {
		w.BeginObject()
		w.KeyInt("id", p.ID)
		str(w, "name", p.Name)
		str(w, "productId", p.ProductID)
		str(w, "quantity", p.Quantity)
		ore(w, "rate", p.Rate)
		ore(w, "discount", p.Discount)
		w.KeyLit("taxRate")
		w.RawFunc(p.Tax.Append)
		ore(w, "amount", p.Amount)
		ore(w, "reserved", p.Reserved)
		ore(w, "captured", p.Captured)
		w.EndObject()
	}
	w.EndArray()
	ore(w, "grandTotal", d.GrandTotal)
	str(w, "reservationDate", d.ReservationDate)
	str(w, "paymentLinkDueDate", d.PaymentLinkDue)
	w.KeyLit("sendOrderBy")
	w.BeginObject()
	w.KeyBool("sms", d.SendOrderBy.SMS)
	w.KeyBool("email", d.SendOrderBy.Email)
	w.EndObject()
	w.KeyLit("customer")
	writeContact(w, &d.Customer)
	str(w, "referenceNumber", d.ReferenceNumber)
	str(w, "chargeValidity", d.ChargeValidity)
	str(w, "customerReference", d.CustomerReference)
	str(w, "customerNotes", d.CustomerNotes)
	str(w, "termsAndCondition", d.TermsAndCondition)
	w.KeyLit("payment")
	w.BeginObject()
	str(w, "reservedAt", d.Payment.ReservedAt)
	ore(w, "reserved", d.Payment.Reserved)
	ore(w, "captured", d.Payment.Captured)
	ore(w, "charged", d.Payment.Charged)
	ore(w, "refundedFromCaptured", d.Payment.RefundedFromCaptured)
	ore(w, "refundedFromCharged", d.Payment.RefundedFromCharged)
	w.EndObject()
	w.KeyLit("organization")
	if d.Organization == nil {
		w.Null()
	} else {
		w.BeginObject()
		str(w, "name", d.Organization.Name)
		w.KeyLit("billingAddress")
		writeContact(w, &d.Organization.BillingAddress)
		w.EndObject()
	}
	str(w, "translationKey", d.TranslationKey)
	w.KeyLit("history")
	w.BeginObject()
	events(w, "reserved", d.History.Reserved)
	events(w, "captured", d.History.Captured)
	events(w, "charged", d.History.Charged)
	events(w, "refunded", d.History.Refunded)
	w.EndObject()
	w.EndObject()
}

func writeContact(w *jsonx.Writer, c *reservation.DetailsCustomer) {
	w.BeginObject()
	str(w, "countryCode", c.CountryCode)
	str(w, "msisdn", c.MSISDN)
	str(w, "email", c.Email)
	str(w, "name", c.Name)
	w.KeyLit("address")
	w.BeginObject()
	str(w, "street", c.Address.Street)
	str(w, "zip", c.Address.Zip)
	str(w, "city", c.Address.City)
	str(w, "country", c.Address.Country)
	w.EndObject()
	w.EndObject()
}

func events(w *jsonx.Writer, k jsonx.Lit, evs []reservation.PaymentEvent) {
	w.KeyLit(k)
	w.BeginArray()
	for _, e := range evs {
		w.BeginObject()
		str(w, "at", e.At)
		ore(w, "amount", e.Amount)
		str(w, "reference", e.Reference)
		w.KeyBool("isRefunded", e.IsRefunded)
		ore(w, "refunded", e.Refunded)
		w.KeyBool("isPartial", e.IsPartial)
		str(w, "additionalText", e.AdditionalText)
		w.EndObject()
	}
	w.EndArray()
}
