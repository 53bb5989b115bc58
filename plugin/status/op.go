package status

import (
	"strconv"
	"strings"
)

// Op is an operation of the FrontGo Connect reservation API. The zero value
// is not an operation, so a forgotten field is never taken for "details".
type Op uint8

// The operations, in the order Allowed lists them.
const (
	OpDetails  Op = iota + 1 // GET /reservations/details/{uuid}
	OpCapture                // POST /reservations/capture/{uuid}
	OpCharge                 // POST /reservations/charge/{uuid}
	OpCancel                 // GET (or POST) /reservations/cancel/{uuid}
	OpComplete               // POST /reservations/complete/{uuid}
	OpResend                 // POST /reservations/resend/{uuid}
	OpRefund                 // POST /reservations/refund/{uuid}
	OpHistory                // GET /reservations/history/{start}/{end}

	numOps
)

var opNames = [numOps]string{
	OpDetails:  "details",
	OpCapture:  "capture",
	OpCharge:   "charge",
	OpCancel:   "cancel",
	OpComplete: "complete",
	OpResend:   "resend",
	OpRefund:   "refund",
	OpHistory:  "history",
}

// String returns the operation's lower-case name ("capture"), the one
// ParseOp reads and error messages start with; "op(N)" outside the set.
func (op Op) String() string {
	if op.Valid() {
		return opNames[op]
	}
	return "op(" + strconv.Itoa(int(op)) + ")"
}

// Valid reports whether op is one of the operations.
func (op Op) Valid() bool { return op > 0 && op < numOps }

// ParseOp reads an operation name as String writes it, ignoring ASCII case
// and surrounding space. Anything else is an error wrapping ErrUnknownOp.
func ParseOp(s string) (Op, error) {
	t := strings.TrimSpace(s)
	for op := OpDetails; op < numOps; op++ {
		if asciiEqualFold(t, opNames[op]) {
			return op, nil
		}
	}
	return 0, &wrapError{msg: "status: unknown operation " + quote(s), errs: []error{ErrUnknownOp}}
}

// asciiEqualFold is strings.EqualFold restricted to ASCII, so that no
// Unicode look-alike ("ſ" for "s") passes for a name.
func asciiEqualFold(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// FrontGo's message keys for the refusals Check predicts.
const (
	msgCaptureRunway       = "requestedCaptureAmountExceedAvailableCaptureRunway"
	msgCaptureDeadline     = "paymentCaptureDeadlineExceed"
	msgAlreadyCancelled    = "reservationStatusAlreadyCancelled"
	msgAlreadyCompleted    = "reservationStatusAlreadyCompleted"
	msgCardNotFound        = "paymentCardNotFound"
	msgCancelPrerequisite  = "prerequisiteFailedToCancelReservation"
	msgCompletePrereq      = "prerequisiteFailedToCompleteReservation"
	msgOrderCompleted      = "orderStatusAlreadyCompleted"
	msgOrderCancelled      = "orderStatusAlreadyCancelled"
	msgRefundExceedsAmount = "refundRejectionForRefundRequestGreaterThanOrderAmount"
)

// RefusedError says FrontGo would refuse op while the reservation is in
// Status, and with which answer: MessageKey is the exact `message` FrontGo
// returns and HTTPStatus its status code (400 "Conflict of Business Logic",
// or 404 for paymentCardNotFound), so the sandbox can answer as FrontGo does
// and the shop can show the same text either way. When Status is not a valid
// status, MessageKey is empty (FrontGo was never asked) and the error
// unwraps to ErrUnknownStatus.
type RefusedError struct {
	Op         Op
	Status     Status
	MessageKey string
	HTTPStatus int
}

// Error reads like "capture: not allowed while reservation is CANCELLED
// (reservationStatusAlreadyCancelled)".
func (e *RefusedError) Error() string {
	if e.MessageKey == "" {
		return e.Op.String() + ": not allowed while reservation status is unknown"
	}
	return e.Op.String() + ": not allowed while reservation is " + e.Status.String() + " (" + e.MessageKey + ")"
}

// Unwrap returns ErrUnknownStatus when the refusal is for want of a valid
// status, else nil.
func (e *RefusedError) Unwrap() error {
	if !e.Status.Valid() {
		return ErrUnknownStatus
	}
	return nil
}

// Check reports whether FrontGo would accept op while the reservation is in
// status s: nil if so, else a *RefusedError carrying FrontGo's message key.
// Details and history are always allowed, whatever s is, since they are how
// a caller learns the status; every other operation on a status that is not
// Valid is refused with an empty key. An invalid op is an error wrapping
// ErrUnknownOp. See refusal for the rules and their sources.
func Check(s Status, op Op) error {
	if !op.Valid() {
		return &wrapError{msg: "status: unknown operation " + op.String(), errs: []error{ErrUnknownOp}}
	}
	key, refused := refusal(s, op)
	if !refused {
		return nil
	}
	code := 400
	if key == msgCardNotFound {
		code = 404
	}
	return &RefusedError{Op: op, Status: s, MessageKey: key, HTTPStatus: code}
}

// Allowed returns the operations Check accepts in status s, in Op order.
// For a status that is not Valid it returns details and history.
func Allowed(s Status) []Op {
	ops := make([]Op, 0, numOps-1)
	for op := OpDetails; op < numOps; op++ {
		if _, refused := refusal(s, op); !refused {
			ops = append(ops, op)
		}
	}
	return ops
}

// refusal is the table behind Check: whether FrontGo refuses op in status
// s, and with which message key. Section names are those of the FrontGo
// Connect reservation reference; "inferred" marks a key the reference
// documents for another operation, or not for this status, which frontgate
// predicts because it is the same condition.
func refusal(s Status, op Op) (key string, refused bool) {
	switch op {
	case OpDetails, OpHistory:
		// "Get Reservation Details By UUID", "Get Reservation History":
		// no status precondition.
		return "", false
	}
	if !s.Valid() {
		return "", true
	}
	switch op {
	case OpCapture:
		// "Capture Reservation": converts the reserved amount, in full
		// or in part, and releases the remainder, so only RESERVED has
		// anything to capture.
		// https://docs.frontpayment.no/books/fpgo-connect/page/capture-reservation
		switch s {
		case Reserved:
			return "", false
		case Cancelled: // documented under capture
			return msgAlreadyCancelled, true
		case Completed: // inferred from cancel's rejection
			return msgAlreadyCompleted, true
		case Expired: // "the reservation may expire and no longer be capturable"
			return msgCaptureDeadline, true
		}
		// Not yet reserved, or already captured, charged or refunded:
		// no capture runway is left (a partial capture releases the rest).
		return msgCaptureRunway, true

	case OpCharge:
		// "Charge Reservation": debits the card stored at reservation,
		// independently of the reserved amount, so it works once a card
		// exists and until the reservation is closed.
		// https://docs.frontpayment.no/books/fpgo-connect/page/charge-reservation
		switch s {
		case Reserved, Captured, Charged, Refunded, PartialRefunded:
			return "", false
		case Expired:
			// Two reservations share this status: a payment link that ran
			// out unpaid (SENT -> EXPIRED, no card) and a reservation whose
			// window ended (RESERVED -> EXPIRED, a card stored), which the
			// reference lets the merchant charge "even after the
			// reservation window", up to 90 days. The status cannot tell
			// them apart, so FrontGo decides: paymentCardNotFound (404) for
			// the first, paymentChargeDeadlineExceed past the window.
			return "", false
		case Sent, ReservedNotPaid: // documented key; no card was stored
			return msgCardNotFound, true
		case Cancelled: // inferred
			return msgAlreadyCancelled, true
		}
		return msgAlreadyCompleted, true // COMPLETED; inferred

	case OpCancel:
		// "Cancel Reservation": only while the amount is still reserved,
		// before any capture or charge. The reference's wording
		// ("EXPIRED and NOT IN SENT or RESERVED NOT PAID") omits
		// RESERVED, but its introduction allows cancelling a reserved
		// amount, which is the point of cancelling.
		switch s {
		case Sent, ReservedNotPaid, Reserved:
			return "", false
		case Completed, Cancelled: // documented: "already COMPLETED or CANCELLED" answers this one key
			return msgAlreadyCompleted, true
		}
		return msgCancelPrerequisite, true // EXPIRED documented; captured, charged, refunds inferred

	case OpComplete:
		// "Complete Reservation": only after some amount was captured or
		// charged, never in a merely reserved state.
		switch s {
		case Captured, Charged, Refunded, PartialRefunded:
			return "", false
		case Completed: // inferred
			return msgAlreadyCompleted, true
		case Cancelled: // inferred
			return msgAlreadyCancelled, true
		}
		return msgCompletePrereq, true // SENT, RESERVED NOT PAID, EXPIRED documented; RESERVED from the prose

	case OpResend:
		// "Resend Reservation": refused once the order is COMPLETED or
		// CANCELLED (both keys documented), accepted otherwise.
		switch s {
		case Completed:
			return msgOrderCompleted, true
		case Cancelled:
			return msgOrderCancelled, true
		}
		return "", false

	case OpRefund:
		// "Refund Reservation": refunds come out of a capture or a
		// charge (source "captured" or "charged"). With nothing captured
		// or charged, or everything already refunded, any amount exceeds
		// what is refundable.
		switch s {
		case Captured, Charged, Completed, PartialRefunded:
			return "", false
		}
		return msgRefundExceedsAmount, true
	}
	return "", true
}
