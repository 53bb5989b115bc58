package reservation

import (
	"github.com/frontgate/frontgate/plugin/internal/jsonx"
	"github.com/frontgate/frontgate/plugin/money"
)

// Details is the data of Get Reservation Details By UUID: the reservation's
// state, its lines with what is reserved and captured on each, and its
// payment history. Amounts are in øre.
type Details struct {
	ReservationUUID string
	// Status is FrontGo's status text as sent ("RESERVED", …); the status
	// package parses it.
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

func parseDetails(r Response, borrow bool) (*Details, error) {
	d, data, msg, err := envelopeOf(OpDetails, r, borrow)
	if err != nil {
		return nil, err
	}
	defer d.Release() // what is kept is copied out of the document, or borrowed from r.Body
	c := respChecker{checker{borrow: borrow}}
	out := &Details{}
	if c.object(data, at("data"), true) {
		c.details(data, out)
	}
	if len(c.errs) > 0 {
		return nil, c.fail(OpDetails, r, msg)
	}
	return out, nil
}

func (c *respChecker) optAmount(v jsonx.Value, path fpath) money.Amount {
	if v.Absent() {
		return 0
	}
	a, _ := c.amount(v, path, false)
	return a
}

func (c *respChecker) optStr(v jsonx.Value, path fpath) string {
	s, _ := c.lenientStr(v, path)
	return s
}

func (c *respChecker) details(d jsonx.Value, out *Details) {
	p := at("data")
	if s, ok := c.str(d.Get("reservationUuid"), p.at("reservationUuid"), true, 64); ok {
		if !validReservationUUID(s) {
			c.add(p.at("reservationUuid"), RuleUUID, "is not a reservation identifier")
		}
		out.ReservationUUID = s
	}
	out.Status, _ = c.str(d.Get("status"), p.at("status"), true, 64)
	out.IsPaid = c.optBool(d.Get("isPaid"), p.at("isPaid"))
	if pl := d.Get("productList"); !pl.Absent() {
		if pl.Kind() != jsonx.Array {
			c.add(p.at("productList"), RuleType, "must be an array, not "+article(pl.Kind()))
		} else {
			out.Products = make([]DetailsProduct, 0, pl.Len())
			for it := pl.Iter(); it.Next(); {
				i, e := it.Index(), it.Value()
				lp := at("data.productList").index(i)
				if !c.object(e, lp, true) {
					continue
				}
				var dp DetailsProduct
				dp.ID, _ = c.id(e.Get("id"), lp.at("id"))
				dp.Name = c.optStr(e.Get("name"), lp.at("name"))
				dp.ProductID = c.optStr(e.Get("productId"), lp.at("productId"))
				if q := e.Get("quantity"); !q.Absent() {
					if raw, ok := c.number(q, lp.at("quantity"), false); ok {
						dp.Quantity = c.keep(raw)
					}
				}
				dp.Rate = c.optAmount(e.Get("rate"), lp.at("rate"))
				dp.Discount = c.optAmount(e.Get("discount"), lp.at("discount"))
				if t := e.Get("tax"); !t.Absent() {
					if raw, ok := c.number(t, lp.at("tax"), false); ok {
						r, err := money.ParseRate(raw)
						if err != nil {
							c.add(lp.at("tax"), RuleTaxRate, "is not a tax rate in percent")
						}
						dp.Tax = r
					}
				}
				dp.Amount = c.optAmount(e.Get("amount"), lp.at("amount"))
				dp.Reserved = c.optAmount(e.Get("reserved"), lp.at("reserved"))
				dp.Captured = c.optAmount(e.Get("captured"), lp.at("captured"))
				out.Products = append(out.Products, dp)
			}
		}
	}
	out.GrandTotal = c.optAmount(d.Get("grandTotal"), p.at("grandTotal"))
	out.ReservationDate = c.optStr(d.Get("reservationDate"), p.at("reservationDate"))
	out.PaymentLinkDue = c.optStr(d.Get("paymentLinkDueDate"), p.at("paymentLinkDueDate"))
	if s := d.Get("sendOrderBy"); s.Kind() == jsonx.Object {
		out.SendOrderBy.SMS = c.optBool(s.Get("sms"), p.at("sendOrderBy").at("sms"))
		out.SendOrderBy.Email = c.optBool(s.Get("email"), p.at("sendOrderBy").at("email"))
	}
	if cu := d.Get("customerDetails"); cu.Kind() == jsonx.Object {
		c.detailsCustomer(cu, at("data.customerDetails"), &out.Customer, cu.Get("address"))
	}
	out.ReferenceNumber = c.optStr(d.Get("referenceNumber"), p.at("referenceNumber"))
	out.ChargeValidity = c.optStr(d.Get("chargeValidity"), p.at("chargeValidity"))
	out.CustomerReference = c.optStr(d.Get("customerReference"), p.at("customerReference"))
	out.CustomerNotes, _ = c.str(d.Get("customerNotes"), p.at("customerNotes"), false, maxLongText)
	out.TermsAndCondition, _ = c.str(d.Get("termsAndCondition"), p.at("termsAndCondition"), false, maxLongText)
	if pd := d.Get("paymentDetails"); pd.Kind() == jsonx.Object {
		pp := at("data.paymentDetails")
		out.Payment.ReservedAt = c.optStr(pd.Get("reservedAt"), pp.at("reservedAt"))
		out.Payment.Reserved = c.optAmount(pd.Get("reservedAmount"), pp.at("reservedAmount"))
		out.Payment.Captured = c.optAmount(pd.Get("capturedAmount"), pp.at("capturedAmount"))
		out.Payment.Charged = c.optAmount(pd.Get("chargedAmount"), pp.at("chargedAmount"))
		if ar := pd.Get("amountRefunded"); ar.Kind() == jsonx.Object {
			out.Payment.RefundedFromCaptured = c.optAmount(ar.Get("fromCaptured"), pp.at("amountRefunded").at("fromCaptured"))
			out.Payment.RefundedFromCharged = c.optAmount(ar.Get("fromCharge"), pp.at("amountRefunded").at("fromCharge"))
		}
	}
	if od := d.Get("organizationDetails"); od.Kind() == jsonx.Object {
		org := &Organization{Name: c.optStr(od.Get("name"), p.at("organizationDetails").at("name"))}
		if ba := od.Get("billingAddress"); ba.Kind() == jsonx.Object {
			c.detailsCustomer(ba, at("data.organizationDetails.billingAddress"), &org.BillingAddress, ba)
		}
		out.Organization = org
	}
	out.TranslationKey = c.optStr(d.Get("translationKey"), p.at("translationKey"))
	if ph := d.Get("paymentHistory"); ph.Kind() == jsonx.Object {
		// Paths as one dotted constant each: an fpath holds three
		// levels before it must build a string (see fpath).
		out.History.Reserved = c.events(ph.Get("reserved"), at("data.paymentHistory.reserved"))
		out.History.Captured = c.events(ph.Get("captured"), at("data.paymentHistory.captured"))
		out.History.Charged = c.events(ph.Get("charged"), at("data.paymentHistory.charged"))
		out.History.Refunded = c.events(ph.Get("refunded"), at("data.paymentHistory.refunded"))
	}
}

// detailsCustomer reads contact fields from v and the address fields from
// addr (nested for customers, flat for billing addresses).
func (c *respChecker) detailsCustomer(v jsonx.Value, path fpath, out *DetailsCustomer, addr jsonx.Value) {
	out.CountryCode = c.optStr(v.Get("countryCode"), path.at("countryCode"))
	out.MSISDN = c.optStr(v.Get("msisdn"), path.at("msisdn"))
	out.Email = c.optStr(v.Get("email"), path.at("email"))
	out.Name = c.optStr(v.Get("name"), path.at("name"))
	if addr.Kind() == jsonx.Object {
		ap := path
		if addr != v {
			ap = path.at("address")
		}
		out.Address = Address{
			Street:  c.optStr(addr.Get("street"), ap.at("street")),
			Zip:     c.optStr(addr.Get("zip"), ap.at("zip")),
			City:    c.optStr(addr.Get("city"), ap.at("city")),
			Country: c.optStr(addr.Get("country"), ap.at("country")),
		}
	}
}

func (c *respChecker) events(v jsonx.Value, path fpath) []PaymentEvent {
	switch v.Kind() {
	case jsonx.Invalid, jsonx.Null:
		return nil
	case jsonx.Array:
	default:
		c.add(path, RuleType, "must be an array, not "+article(v.Kind()))
		return nil
	}
	out := make([]PaymentEvent, 0, v.Len())
	for it := v.Iter(); it.Next(); {
		i, e := it.Index(), it.Value()
		p := path.index(i)
		if !c.object(e, p, true) {
			continue
		}
		out = append(out, PaymentEvent{
			At:             c.optStr(e.Get("at"), p.at("at")),
			Amount:         c.optAmount(e.Get("amount"), p.at("amount")),
			Reference:      c.optStr(e.Get("reference"), p.at("reference")),
			IsRefunded:     c.optBool(e.Get("isRefunded"), p.at("isRefunded")),
			Refunded:       c.optAmount(e.Get("refunded"), p.at("refunded")),
			IsPartial:      c.optBool(e.Get("isPartial"), p.at("isPartial")),
			AdditionalText: c.optStr(e.Get("additionalText"), p.at("additionalText")),
		})
	}
	return out
}
