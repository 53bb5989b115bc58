package sandbox

import (
	"time"

	"github.com/frontgate/frontgate/plugin/money"
	"github.com/frontgate/frontgate/plugin/reservation"
	"github.com/frontgate/frontgate/plugin/status"
)

// store is the account's state. Every field is guarded by Sandbox.mu.
type store struct {
	reservations map[string]*resv
	order        []*resv           // creation order, for listings
	customers    map[string]string // contact key → CSRT…
	ids          map[string]bool   // every identifier handed out
	events       []*event          // history, in the order it happened
	refunds      []refundStamp     // every refund, for the weekly limit
	nextLineID   int64             // product line ids, as details shows them
}

func newStore() *store {
	return &store{
		reservations: map[string]*resv{},
		customers:    map[string]string{},
		ids:          map[string]bool{},
		nextLineID:   101,
	}
}

// reset forgets the account's state. Handed-out identifiers and line ids
// stay reserved so that a reset never reissues one.
func (st *store) reset() {
	ids, next := st.ids, st.nextLineID
	*st = *newStore()
	st.ids, st.nextLineID = ids, next
}

// resv is one reservation.
type resv struct {
	UUID         string
	CustomerUUID string
	Op           string // reservation.OpSubmit or OpCreate
	Status       status.Status

	Customer          reservation.Customer
	OrderDate         time.Time
	Due               time.Time
	ReferenceNo       string
	CustomerReference string
	ChargeValidity    string
	CustomerNotes     string
	TnC               string
	SendOrderBy       reservation.SendOrderBy
	Settings          reservation.Settings
	CallbackURL       string
	SuccessURL        string
	FailureURL        string
	PaymentMethod     string // create's submitPayment.via
	GrandTotal        money.Amount
	TotalTax          money.Amount

	Lines []*line // the reserved products, then every charged product

	CreatedAt  time.Time
	ReservedAt time.Time // zero until the card is authorised
	Card       *card     // the card on file once authorised
	Pending    *card     // a card waiting for its 3-D Secure challenge

	CaptureClosed bool // a capture happened: the rest is released
	Captures      []*txn
	Charges       []*txn
	Refunds       []*refundRec
}

// line is one product line. Charge lines belong to a CHA… transaction and
// reserve nothing.
type line struct {
	ID        int64
	Name      string
	ProductID string
	Rate      money.Amount
	Tax       money.Rate
	Amount    money.Amount
	Reserved  money.Amount
	Captured  money.Amount
	Charge    string // the CHA… this line was charged in; "" for reserved lines
}

// card is a card on file: what the checkout page learnt.
type card struct {
	Brand string // "Visa" or "Mastercard"
	Last4 string
}

// txn is a capture (CAP…) or a charge (CHA…): what refunds name as their
// reference.
type txn struct {
	UUID           string
	Source         string // "captured" or "charged", as refunds name it
	At             time.Time
	Amount         money.Amount
	Refunded       money.Amount
	Lines          []txnLine
	AdditionalText string
}

func (t *txn) left() money.Amount { return t.Amount - t.Refunded }

// txnLine is what one transaction moved on one product line.
type txnLine struct {
	ID       int64
	Amount   money.Amount
	Refunded money.Amount
}

// refundRec is one accepted refund.
type refundRec struct {
	At        time.Time
	Amount    money.Amount
	Reference string
	Source    string
	Partial   bool // less than the transaction's full amount
	Lines     []reservation.LineAmount
}

// refundStamp is a refund's time and amount, for the weekly limit.
type refundStamp struct {
	At     time.Time
	Amount money.Amount
}

// event is one entry of Get Reservation History.
type event struct {
	UUID          string
	Title         string
	At            time.Time
	SentTo        string
	Note          string
	PaymentMethod string
	Amount        *money.Amount
	Txn           *txn // captured/charged events: refundable while money is left
}

// History titles. The reference shows refund-sent-from-captured and
// refund-sent-from-charged; the others follow the same lower-kebab style.
const (
	TitleSent           = "reservation-sent"    // submit: the payment link went out
	TitleCreated        = "reservation-created" // create: a checkout session opened
	TitleReserved       = "reserved"
	TitleDeclined       = "payment-declined"
	TitleCaptured       = "captured"
	TitleCharged        = "charged"
	TitleRefundCaptured = "refund-sent-from-captured"
	TitleRefundCharged  = "refund-sent-from-charged"
	TitleCancelled      = "cancelled"
	TitleCompleted      = "completed"
	TitleResent         = "resent"
	TitleExpired        = "expired"
)

func (st *store) addEvent(e *event) { st.events = append(st.events, e) }

// reservedTotal is what the card authorised.
func (r *resv) reservedTotal() money.Amount {
	var s money.Amount
	for _, l := range r.Lines {
		s += l.Reserved
	}
	return s
}

// captureRunway is what can still be captured: everything reserved until
// the first capture, nothing after it (the rest is released).
func (r *resv) captureRunway() money.Amount {
	if r.Status != status.Reserved || r.CaptureClosed {
		return 0
	}
	return r.reservedTotal()
}

func (r *resv) sum(ts []*txn) (total, refunded money.Amount) {
	for _, t := range ts {
		total += t.Amount
		refunded += t.Refunded
	}
	return total, refunded
}

func (r *resv) findLine(id int64) *line {
	for _, l := range r.Lines {
		if l.ID == id {
			return l
		}
	}
	return nil
}
