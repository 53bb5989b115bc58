package sandbox

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/frontgate/frontgate/plugin/money"
	"github.com/frontgate/frontgate/plugin/reservation"
	"github.com/frontgate/frontgate/plugin/status"
)

// The business rules. Every function here runs with s.mu held, mutates
// nothing when it refuses, and returns the refusal FrontGo documents.

// refusal is a documented business answer: the HTTP status and the
// message key.
type refusal struct {
	code int
	key  string
}

func (r *refusal) Error() string { return strconv.Itoa(r.code) + " " + r.key }

func conflict(key string) *refusal { return &refusal{code: 400, key: key} }

// statusRefusal says whether op may run on a reservation in its status,
// and if not, FrontGo's answer. The table is plugin/status's Check, the one
// frontgate consults before a request leaves the shop; its comments give
// the reference's section for each rule, or say where a key is inferred.
// Sharing it means the sandbox and the client agree by construction; the
// sandbox's own rules (runways, deadlines, references) come after it.
func statusRefusal(op string, r *resv) *refusal {
	o, err := status.ParseOp(op)
	if err != nil {
		return nil // submit and create have no status precondition
	}
	var re *status.RefusedError
	if errors.As(status.Check(r.Status, o), &re) {
		return &refusal{code: re.HTTPStatus, key: re.MessageKey}
	}
	return nil
}

// refresh applies what time alone changes: a payment link whose due date
// passed unpaid expires.
func (s *Sandbox) refresh(r *resv, now time.Time) {
	if (r.Status == status.Sent || r.Status == status.ReservedNotPaid) && now.After(r.Due) {
		r.Status = status.Expired
		r.Pending = nil
		s.store.addEvent(&event{UUID: r.UUID, Title: TitleExpired, At: r.Due})
	}
}

// refreshAll expires every reservation due, before a listing.
func (s *Sandbox) refreshAll(now time.Time) {
	for _, r := range s.store.order {
		s.refresh(r, now)
	}
}

// lookup returns a reservation, refreshed, or nil.
func (s *Sandbox) lookup(uuid string, now time.Time) *resv {
	r := s.store.reservations[uuid]
	if r != nil {
		s.refresh(r, now)
	}
	return r
}

// customerKey identifies a returning customer: FrontGo keeps one customer
// (CSRT…) per merchant and contact.
func customerKey(c *reservation.Customer) string {
	return strings.ToLower(c.Email) + "|" + c.CountryCode + c.MSISDN + "|" + c.OrganizationID
}

// create records a validated submit or create.
func (s *Sandbox) create(op string, nr *reservation.NewReservation, now time.Time) *resv {
	st := s.store
	cu := nr.Customer.UUID
	if cu == "" {
		key := customerKey(&nr.Customer)
		if cu = st.customers[key]; cu == "" {
			cu = s.newID("CSRT")
			st.customers[key] = cu
		}
	}
	r := &resv{
		UUID:              s.newID("RES"),
		CustomerUUID:      cu,
		Op:                op,
		Status:            status.Sent,
		Customer:          nr.Customer,
		OrderDate:         time.Unix(nr.OrderDate, 0),
		Due:               time.Unix(nr.DueDateForPaymentLink, 0),
		ReferenceNo:       nr.ReferenceNo,
		CustomerReference: nr.CustomerReference,
		ChargeValidity:    nr.ChargeValidity,
		CustomerNotes:     nr.CustomerNotes,
		TnC:               nr.TnC,
		SendOrderBy:       nr.SendOrderBy,
		Settings:          nr.Settings,
		CallbackURL:       nr.CallbackURL,
		SuccessURL:        nr.SuccessURL,
		FailureURL:        nr.FailureURL,
		PaymentMethod:     nr.PaymentMethod,
		GrandTotal:        nr.Summary.GrandTotal,
		TotalTax:          nr.Summary.TotalTax,
		CreatedAt:         now,
	}
	if r.Customer.PreferredLanguage == "" {
		r.Customer.PreferredLanguage = reservation.DefaultLanguage
	}
	for _, p := range nr.Products {
		r.Lines = append(r.Lines, &line{ID: st.nextLineID, Name: p.Name, ProductID: p.ProductID, Rate: p.Rate, Tax: p.Tax, Amount: p.Amount})
		st.nextLineID++
	}
	st.reservations[r.UUID] = r
	st.order = append(st.order, r)
	ev := &event{UUID: r.UUID, Title: TitleCreated, At: now}
	if op == reservation.OpSubmit {
		ev.Title = TitleSent
		ev.SentTo = sentTo(nr.SendOrderBy.Email, nr.Customer.Email, nr.SendOrderBy.SMS, nr.Customer.CountryCode, nr.Customer.MSISDN)
	}
	ev.Amount = amountPtr(r.GrandTotal)
	st.addEvent(ev)
	return r
}

func sentTo(byEmail bool, email string, bySMS bool, cc, msisdn string) string {
	var parts []string
	if byEmail && email != "" {
		parts = append(parts, email)
	}
	if bySMS && msisdn != "" {
		parts = append(parts, cc+msisdn)
	}
	return strings.Join(parts, ", ")
}

func amountPtr(a money.Amount) *money.Amount { return &a }

// reserve authorises the reservation's total on c.
func (s *Sandbox) reserve(r *resv, c *card, now time.Time) {
	r.Status = status.Reserved
	r.ReservedAt = now
	r.Card = c
	r.Pending = nil
	for _, l := range r.Lines {
		if l.Charge == "" {
			l.Reserved = l.Amount
		}
	}
	s.store.addEvent(&event{UUID: r.UUID, Title: TitleReserved, At: now, PaymentMethod: c.Brand, Amount: amountPtr(r.reservedTotal())})
	s.cb.enqueue(r, callbackReserved, r.reservedTotal(), now)
}

// captureDeadline is the last instant a capture is accepted.
func (s *Sandbox) captureDeadline(r *resv) time.Time {
	return r.ReservedAt.Add(s.cfg.CaptureDeadline)
}

// maxChargeWindow bounds a chargeValidity: the most the core lets an
// order ask for (100000 days), and far inside what a time.Duration holds.
const maxChargeWindow = 100000 * 24 * time.Hour

// chargeWindow is how long after authorisation a reservation may be
// charged: its chargeValidity, in minutes as the reference's create table
// says ("Validity in minutes (digits only)"), or the configured default
// (in days) when it has none (or "0").
func (s *Sandbox) chargeWindow(r *resv) time.Duration {
	if n, err := strconv.ParseInt(r.ChargeValidity, 10, 64); err == nil && n > 0 {
		return time.Duration(min(n, int64(maxChargeWindow/time.Minute))) * time.Minute
	}
	if len(r.ChargeValidity) > 0 && strings.Trim(r.ChargeValidity, "0") != "" {
		return maxChargeWindow // digits beyond int64: effectively unlimited
	}
	return time.Duration(s.cfg.ChargeValidityDays) * 24 * time.Hour
}

// chargeDeadline is the last instant a charge is accepted.
func (s *Sandbox) chargeDeadline(r *resv) time.Time {
	return r.ReservedAt.Add(s.chargeWindow(r))
}

// chargeRunway is the most all charges of r may add up to.
func (s *Sandbox) chargeRunway(r *resv) money.Amount {
	rw := money.Amount(int64(r.reservedTotal()) * int64(s.cfg.ChargeRunwayPercent) / 100)
	if s.cfg.ChargeRunwayMax > 0 && rw > s.cfg.ChargeRunwayMax {
		rw = s.cfg.ChargeRunwayMax
	}
	return rw
}

// capture applies Capture Reservation: every line named must be a
// reserved line of r with at least that much reserved and not captured,
// within the capture deadline; the first capture releases the rest.
func (s *Sandbox) capture(r *resv, cp *reservation.Capture, now time.Time) (*txn, *refusal) {
	if rf := statusRefusal(reservation.OpCapture, r); rf != nil {
		return nil, rf
	}
	if now.After(s.captureDeadline(r)) {
		return nil, conflict(reservation.MsgCaptureDeadlineExceeded)
	}
	if cp.GrandTotal > r.captureRunway() {
		return nil, conflict(reservation.MsgCaptureExceedsRunway)
	}
	for _, la := range cp.Products {
		l := r.findLine(la.ID)
		if l == nil || l.Charge != "" || la.Amount > l.Reserved-l.Captured {
			return nil, conflict(reservation.MsgCaptureExceedsRunway)
		}
	}
	t := &txn{UUID: s.newID("CAP"), Source: "captured", At: now, Amount: cp.GrandTotal, AdditionalText: cp.AdditionalText}
	for _, la := range cp.Products {
		r.findLine(la.ID).Captured += la.Amount
		t.Lines = append(t.Lines, txnLine{ID: la.ID, Amount: la.Amount})
	}
	r.Captures = append(r.Captures, t)
	r.CaptureClosed = true
	r.Status = status.Captured
	s.store.addEvent(&event{UUID: r.UUID, Title: TitleCaptured, At: now, PaymentMethod: r.Card.Brand, Amount: amountPtr(t.Amount), Txn: t, Note: cp.AdditionalText})
	s.cb.enqueue(r, callbackCaptured, t.Amount, now)
	return t, nil
}

// charge applies Charge Reservation: a new payment on the card on file,
// within the charge window and the charge runway.
func (s *Sandbox) charge(r *resv, ch *reservation.Charge, now time.Time) (*txn, *refusal) {
	if rf := statusRefusal(reservation.OpCharge, r); rf != nil {
		return nil, rf
	}
	// The status table lets a charge through in EXPIRED, which is also
	// where an unpaid link ends: the card decides, as at FrontGo.
	if r.Card == nil {
		return nil, &refusal{code: 404, key: reservation.MsgPaymentCardNotFound}
	}
	if now.After(s.chargeDeadline(r)) {
		return nil, conflict(reservation.MsgChargeDeadlineExceeded)
	}
	charged, _ := r.sum(r.Charges)
	if charged+ch.GrandTotal > s.chargeRunway(r) {
		return nil, conflict(reservation.MsgChargeRunwayExceeded)
	}
	t := &txn{UUID: s.newID("CHA"), Source: "charged", At: now, Amount: ch.GrandTotal, AdditionalText: ch.AdditionalText}
	for _, p := range ch.Products {
		l := &line{ID: s.store.nextLineID, Name: p.Name, ProductID: p.ProductID, Rate: p.Rate, Tax: p.Tax, Amount: p.Amount, Charge: t.UUID}
		s.store.nextLineID++
		r.Lines = append(r.Lines, l)
		t.Lines = append(t.Lines, txnLine{ID: l.ID, Amount: p.Amount})
	}
	r.Charges = append(r.Charges, t)
	r.Status = status.Charged
	s.store.addEvent(&event{UUID: r.UUID, Title: TitleCharged, At: now, PaymentMethod: r.Card.Brand, Amount: amountPtr(t.Amount), Txn: t, Note: ch.AdditionalText})
	s.cb.enqueue(r, callbackCharged, t.Amount, now)
	return t, nil
}

// cancel applies Cancel Reservation.
func (s *Sandbox) cancel(r *resv, note string, now time.Time) *refusal {
	if rf := statusRefusal(reservation.OpCancel, r); rf != nil {
		return rf
	}
	r.Status = status.Cancelled
	r.Pending = nil
	s.store.addEvent(&event{UUID: r.UUID, Title: TitleCancelled, At: now, Note: note})
	return nil
}

// complete applies Complete Reservation.
func (s *Sandbox) complete(r *resv, note string, now time.Time) *refusal {
	if rf := statusRefusal(reservation.OpComplete, r); rf != nil {
		return rf
	}
	r.Status = status.Completed
	s.store.addEvent(&event{UUID: r.UUID, Title: TitleCompleted, At: now, Note: note})
	return nil
}

// resend applies Resend Reservation: the link goes out again, to the
// contacts given (which need not be the customer's).
func (s *Sandbox) resend(r *resv, rs *reservation.Resend, now time.Time) *refusal {
	if rf := statusRefusal(reservation.OpResend, r); rf != nil {
		return rf
	}
	to := sentTo(rs.Email != "", rs.Email, rs.MSISDN != "", rs.CountryCode, rs.MSISDN)
	s.store.addEvent(&event{UUID: r.UUID, Title: TitleResent, At: now, SentTo: to})
	return nil
}

// refund applies Refund Reservation against the capture or charge named as
// reference. Checks, in order: the status (statusRefusal); the reference and every product id belong to
// that transaction (requestProductIdNotAvailable); the total is within what
// is left of it (refundRejectionForRefundRequestGreaterThanOrderAmount);
// each line within what is left of that line
// (refundRejectionForProductAmountExceed); the per-request and weekly
// thresholds, when configured.
func (s *Sandbox) refund(r *resv, rf *reservation.Refund, now time.Time) *refusal {
	if ref := statusRefusal(reservation.OpRefund, r); ref != nil {
		return ref
	}
	var t *txn
	list := r.Captures
	if rf.Source == "charged" {
		list = r.Charges
	}
	for _, x := range list {
		if x.UUID == rf.Reference {
			t = x
		}
	}
	if t == nil {
		return conflict(reservation.MsgRefundProductNotAvailable)
	}
	idx := make([]int, len(rf.Products))
	for i, la := range rf.Products {
		idx[i] = -1
		for j, tl := range t.Lines {
			if tl.ID == la.ID {
				idx[i] = j
			}
		}
		if idx[i] < 0 {
			return conflict(reservation.MsgRefundProductNotAvailable)
		}
	}
	if rf.GrandTotal > t.left() {
		return conflict(reservation.MsgRefundGreaterThanOrderAmount)
	}
	for i, la := range rf.Products {
		tl := t.Lines[idx[i]]
		if la.Amount > tl.Amount-tl.Refunded {
			return &refusal{code: 400, key: reservation.MsgRefundProductAmountExceeded}
		}
	}
	if lim := s.cfg.RefundRequestLimit; lim > 0 && rf.GrandTotal > lim {
		return conflict(reservation.MsgRefundRequestAmountThresholdExceeds)
	}
	if lim := s.cfg.RefundWeeklyLimit; lim > 0 {
		week := rf.GrandTotal
		from := now.Add(-7 * 24 * time.Hour)
		for _, st := range s.store.refunds {
			if st.At.After(from) {
				week += st.Amount
			}
		}
		if week > lim {
			return conflict(reservation.MsgRefundWeeklyThresholdExceeded)
		}
	}
	for i, la := range rf.Products {
		t.Lines[idx[i]].Refunded += la.Amount
	}
	partial := t.Refunded > 0 || rf.GrandTotal < t.Amount
	t.Refunded += rf.GrandTotal
	r.Refunds = append(r.Refunds, &refundRec{At: now, Amount: rf.GrandTotal, Reference: t.UUID, Source: rf.Source, Partial: partial, Lines: rf.Products})
	s.store.refunds = append(s.store.refunds, refundStamp{At: now, Amount: rf.GrandTotal})
	title := TitleRefundCaptured
	if rf.Source == "charged" {
		title = TitleRefundCharged
	}
	s.store.addEvent(&event{UUID: r.UUID, Title: title, At: now, Amount: amountPtr(rf.GrandTotal)})
	return nil
}
