package sandbox

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frontgate/frontgate/plugin/reservation"
	"github.com/frontgate/frontgate/plugin/status"
)

// DateTimeLayout is how FrontGo writes datetimes in history and details:
// "21.01.2024 04:00", in its local time (Config.Location).
const DateTimeLayout = "02.01.2006 15:04"

func (s *Sandbox) fmtTime(t time.Time) string { return t.In(s.cfg.Location).Format(DateTimeLayout) }

// The details answer, field for field as the reference's schema lists them
// ("Get Reservation Details By UUID" → Response).
type detailsJSON struct {
	ReservationUUID     string             `json:"reservationUuid"`
	Status              string             `json:"status"`
	IsPaid              bool               `json:"isPaid"`
	ProductList         []detailsLineJSON  `json:"productList"`
	GrandTotal          amountJSON         `json:"grandTotal"`
	ReservationDate     string             `json:"reservationDate"`
	PaymentLinkDueDate  string             `json:"paymentLinkDueDate"`
	SendOrderBy         sendOrderByJSON    `json:"sendOrderBy"`
	CustomerDetails     customerJSON       `json:"customerDetails"`
	ReferenceNumber     *string            `json:"referenceNumber"`
	ChargeValidity      *string            `json:"chargeValidity"`
	CustomerReference   *string            `json:"customerReference"`
	CustomerNotes       *string            `json:"customerNotes"`
	TermsAndCondition   *string            `json:"termsAndCondition"`
	PaymentDetails      paymentDetailsJSON `json:"paymentDetails"`
	OrganizationDetails *organizationJSON  `json:"organizationDetails"`
	TranslationKey      string             `json:"translationKey"`
	PaymentHistory      paymentHistoryJSON `json:"paymentHistory"`
}

type detailsLineJSON struct {
	ID        int64           `json:"id"`
	Name      string          `json:"name"`
	ProductID *string         `json:"productId"`
	Quantity  json.RawMessage `json:"quantity"`
	Rate      amountJSON      `json:"rate"`
	Discount  amountJSON      `json:"discount"`
	Tax       rateJSON        `json:"tax"`
	Amount    amountJSON      `json:"amount"`
	Reserved  amountJSON      `json:"reserved"`
	Captured  amountJSON      `json:"captured"`
}

type sendOrderByJSON struct {
	SMS   bool `json:"sms"`
	Email bool `json:"email"`
}

type addressJSON struct {
	Street  string `json:"street"`
	Zip     string `json:"zip"`
	City    string `json:"city"`
	Country string `json:"country"`
}

type customerJSON struct {
	CountryCode string      `json:"countryCode"`
	MSISDN      string      `json:"msisdn"`
	Email       string      `json:"email"`
	Name        string      `json:"name"`
	Address     addressJSON `json:"address"`
}

type paymentDetailsJSON struct {
	ReservedAt     *string            `json:"reservedAt"`
	ReservedAmount amountJSON         `json:"reservedAmount"`
	CapturedAmount amountJSON         `json:"capturedAmount"`
	ChargedAmount  amountJSON         `json:"chargedAmount"`
	AmountRefunded amountRefundedJSON `json:"amountRefunded"`
}

type amountRefundedJSON struct {
	FromCaptured amountJSON `json:"fromCaptured"`
	FromCharge   amountJSON `json:"fromCharge"`
}

type organizationJSON struct {
	Name           string             `json:"name"`
	BillingAddress billingAddressJSON `json:"billingAddress"`
}

type billingAddressJSON struct {
	CountryCode string `json:"countryCode"`
	MSISDN      string `json:"msisdn"`
	Email       string `json:"email"`
	Street      string `json:"street"`
	Zip         string `json:"zip"`
	City        string `json:"city"`
	Country     string `json:"country"`
}

type paymentHistoryJSON struct {
	Reserved []reservedEventJSON `json:"reserved"`
	Captured []txnEventJSON      `json:"captured"`
	Charged  []txnEventJSON      `json:"charged"`
	Refunded []refundEventJSON   `json:"refunded"`
}

type reservedEventJSON struct {
	At     string     `json:"at"`
	Amount amountJSON `json:"amount"`
}

type txnEventJSON struct {
	At             string     `json:"at"`
	Amount         amountJSON `json:"amount"`
	Reference      string     `json:"reference"`
	IsRefunded     bool       `json:"isRefunded"`
	Refunded       amountJSON `json:"refunded"`
	AdditionalText *string    `json:"additionalText"`
}

type refundEventJSON struct {
	At         string     `json:"at"`
	Amount     amountJSON `json:"amount"`
	Reference  string     `json:"reference"`
	IsRefunded bool       `json:"isRefunded"`
	IsPartial  bool       `json:"isPartial"`
}

// quantity is amount / rate: a whole number, since the core only accepts
// lines whose amount is rate × a whole quantity. A free line (rate 0) has
// quantity 1.
func quantity(l *line) json.RawMessage {
	if l.Rate == 0 {
		return json.RawMessage("1")
	}
	return json.RawMessage(strconv.FormatInt(int64(l.Amount/l.Rate), 10))
}

// translationKey is the status as FrontGo's translation keys spell it
// ("reservationCaptured", as in the concrete details example).
func translationKey(st status.Status) string {
	var b strings.Builder
	b.WriteString("reservation")
	for _, w := range strings.Fields(strings.ToLower(st.String())) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

// details builds the details answer of r. Charged products are listed after
// the reserved ones, with nothing reserved or captured on them: that is
// where a refund of a charge finds its product ids.
func (s *Sandbox) details(r *resv) detailsJSON {
	d := detailsJSON{
		ReservationUUID:    r.UUID,
		Status:             r.Status.String(),
		IsPaid:             !r.ReservedAt.IsZero(),
		ProductList:        make([]detailsLineJSON, 0, len(r.Lines)),
		GrandTotal:         amountJSON(r.GrandTotal),
		ReservationDate:    s.fmtTime(r.OrderDate),
		PaymentLinkDueDate: s.fmtTime(r.Due),
		SendOrderBy:        sendOrderByJSON{r.SendOrderBy.SMS, r.SendOrderBy.Email},
		CustomerDetails: customerJSON{
			CountryCode: r.Customer.CountryCode, MSISDN: r.Customer.MSISDN, Email: r.Customer.Email, Name: r.Customer.Name,
			Address: addressJSON{r.Customer.Address.Street, r.Customer.Address.Zip, r.Customer.Address.City, r.Customer.Address.Country},
		},
		ReferenceNumber:   nullStr(r.ReferenceNo),
		ChargeValidity:    nullStr(r.ChargeValidity),
		CustomerReference: nullStr(r.CustomerReference),
		CustomerNotes:     nullStr(r.CustomerNotes),
		TermsAndCondition: nullStr(r.TnC),
		TranslationKey:    translationKey(r.Status),
		PaymentHistory: paymentHistoryJSON{
			Reserved: []reservedEventJSON{}, Captured: []txnEventJSON{}, Charged: []txnEventJSON{}, Refunded: []refundEventJSON{},
		},
	}
	for _, l := range r.Lines {
		d.ProductList = append(d.ProductList, detailsLineJSON{
			ID: l.ID, Name: l.Name, ProductID: nullStr(l.ProductID), Quantity: quantity(l),
			Rate: amountJSON(l.Rate), Tax: rateJSON(l.Tax), Amount: amountJSON(l.Amount),
			Reserved: amountJSON(l.Reserved), Captured: amountJSON(l.Captured),
		})
	}
	captured, refCap := r.sum(r.Captures)
	charged, refCha := r.sum(r.Charges)
	d.PaymentDetails = paymentDetailsJSON{
		ReservedAmount: amountJSON(r.reservedTotal()),
		CapturedAmount: amountJSON(captured),
		ChargedAmount:  amountJSON(charged),
		AmountRefunded: amountRefundedJSON{amountJSON(refCap), amountJSON(refCha)},
	}
	if !r.ReservedAt.IsZero() {
		at := s.fmtTime(r.ReservedAt)
		d.PaymentDetails.ReservedAt = &at
		d.PaymentHistory.Reserved = append(d.PaymentHistory.Reserved, reservedEventJSON{at, amountJSON(r.reservedTotal())})
	}
	if r.Customer.Type == reservation.CustomerCorporate {
		c := r.Customer
		d.OrganizationDetails = &organizationJSON{
			Name: c.Name,
			BillingAddress: billingAddressJSON{c.CountryCode, c.MSISDN, c.Email,
				c.Address.Street, c.Address.Zip, c.Address.City, c.Address.Country},
		}
	}
	txns := func(ts []*txn) []txnEventJSON {
		out := make([]txnEventJSON, 0, len(ts))
		for _, t := range ts {
			out = append(out, txnEventJSON{s.fmtTime(t.At), amountJSON(t.Amount), t.UUID, t.Refunded > 0,
				amountJSON(t.Refunded), nullStr(t.AdditionalText)})
		}
		return out
	}
	d.PaymentHistory.Captured = txns(r.Captures)
	d.PaymentHistory.Charged = txns(r.Charges)
	for _, rf := range r.Refunds {
		d.PaymentHistory.Refunded = append(d.PaymentHistory.Refunded,
			refundEventJSON{s.fmtTime(rf.At), amountJSON(rf.Amount), rf.Reference, true, rf.Partial})
	}
	return d
}

// historyEventJSON is one entry of Get Reservation History, as the
// reference's example shows it (amount as a string).
type historyEventJSON struct {
	UUID          string      `json:"uuid"`
	Title         string      `json:"title"`
	Datetime      string      `json:"datetime"`
	SentTo        string      `json:"sentTo"`
	ActionBy      *string     `json:"actionBy"`
	Note          *string     `json:"note"`
	PaymentMethod *string     `json:"paymentMethod"`
	IsRefundable  bool        `json:"isRefundable"`
	Amount        *amountText `json:"amount"`
}

// history lists the events between from and to (Unix seconds, inclusive),
// oldest first.
func (s *Sandbox) history(from, to int64) []historyEventJSON {
	evs := make([]*event, 0, 16)
	for _, e := range s.store.events {
		if u := e.At.Unix(); u >= from && u <= to {
			evs = append(evs, e)
		}
	}
	slices.SortStableFunc(evs, func(a, b *event) int { return a.At.Compare(b.At) })
	out := make([]historyEventJSON, 0, len(evs))
	for _, e := range evs {
		h := historyEventJSON{
			UUID: e.UUID, Title: e.Title, Datetime: s.fmtTime(e.At), SentTo: e.SentTo,
			Note: nullStr(e.Note), PaymentMethod: nullStr(e.PaymentMethod),
			IsRefundable: e.Txn != nil && e.Txn.left() > 0,
		}
		if e.Amount != nil {
			a := amountText(*e.Amount)
			h.Amount = &a
		}
		out = append(out, h)
	}
	return out
}
