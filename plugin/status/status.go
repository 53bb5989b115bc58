package status

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Status is a reservation's status as FrontGo reports it in the details
// answer and in callbacks. The zero value, Unknown, means "not known yet",
// so a forgotten field is never mistaken for a real status.
type Status uint8

// The statuses. Reservation statuses first, then the order-level refund
// statuses the details answer also reports.
const (
	// Unknown is the zero Status: nothing recorded yet. It is not a wire
	// value.
	Unknown Status = iota
	// Sent: the payment link is out, the customer has not paid.
	Sent
	// ReservedNotPaid: the customer started paying; the card is not
	// authorised yet.
	ReservedNotPaid
	// Reserved: the amount is authorised on the card and can be captured,
	// charged or cancelled.
	Reserved
	// Captured: some or all of the reserved amount was captured; the rest
	// is released.
	Captured
	// Charged: the stored card was charged, with or without a capture.
	Charged
	// Completed: the merchant closed the reservation.
	Completed
	// Cancelled: the reservation was voided before any capture or charge.
	Cancelled
	// Expired: the payment link or the reservation ran out.
	Expired
	// Refunded: the captured and charged amounts were refunded in full.
	Refunded
	// PartialRefunded: part of the captured or charged amounts was
	// refunded.
	PartialRefunded

	numStatuses
)

var wireNames = [numStatuses]string{
	Unknown:         "UNKNOWN",
	Sent:            "SENT",
	ReservedNotPaid: "RESERVED NOT PAID",
	Reserved:        "RESERVED",
	Captured:        "CAPTURED",
	Charged:         "CHARGED",
	Completed:       "COMPLETED",
	Cancelled:       "CANCELLED",
	Expired:         "EXPIRED",
	Refunded:        "REFUNDED",
	PartialRefunded: "PARTIAL REFUNDED",
}

// String returns the wire value FrontGo uses ("RESERVED NOT PAID");
// "UNKNOWN" for Unknown and "STATUS(N)" for a value outside the set, neither
// of which Parse accepts.
func (s Status) String() string {
	if s < numStatuses {
		return wireNames[s]
	}
	return "STATUS(" + strconv.Itoa(int(s)) + ")"
}

// Valid reports whether s is one of the statuses FrontGo reports, that is
// neither Unknown nor out of range.
func (s Status) Valid() bool { return s > Unknown && s < numStatuses }

// Errors. Parse and ParseOp wrap them with the offending text; Check,
// Transition and their typed errors unwrap to ErrUnknownStatus when the
// status given was not a valid one.
var (
	// ErrUnknownStatus means a status text or value is not one of the
	// reservation statuses.
	ErrUnknownStatus = errors.New("unknown status")
	// ErrOrderStatus means a status text is one FrontGo uses for payment
	// link orders ("PAID", "INVOICED"), not for reservations. Errors
	// wrapping it also wrap ErrUnknownStatus.
	ErrOrderStatus = errors.New("order status, not a reservation status")
	// ErrUnknownOp means an operation name or value is not one of the
	// operations.
	ErrUnknownOp = errors.New("unknown operation")
)

// maxWire is the longest wire value, "RESERVED NOT PAID".
const maxWire = 17

// Parse reads a status as FrontGo writes it, leniently where FrontGo's own
// documentation is inconsistent: case is ignored, surrounding space is
// trimmed, '_' and '-' stand for a space (runs of them for one), and the
// callback page's typo "RESEVRED" means RESERVED. Anything else, including
// the callback example's "success", is an error wrapping ErrUnknownStatus
// and naming the value. "PAID" and "INVOICED", which the callback page
// lists but which belong to payment-link orders, are refused explicitly
// (the error also wraps ErrOrderStatus) rather than guessed into a
// reservation status: the caller should read the details endpoint instead.
// https://docs.frontpayment.no/books/fpgo-connect/page/notifications-via-callback-url
func Parse(s string) (Status, error) {
	t := strings.TrimSpace(s)
	var buf [maxWire]byte
	n, sep := 0, false
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c == ' ' || c == '_' || c == '-':
			sep = true
			continue
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		}
		if sep {
			if n == len(buf) {
				return Unknown, unknownStatus(s)
			}
			buf[n] = ' '
			n++
			sep = false
		}
		if n == len(buf) {
			return Unknown, unknownStatus(s)
		}
		buf[n] = c
		n++
	}
	if sep {
		return Unknown, unknownStatus(s)
	}
	switch string(buf[:n]) {
	case "SENT":
		return Sent, nil
	case "RESERVED NOT PAID":
		return ReservedNotPaid, nil
	case "RESERVED", "RESEVRED":
		return Reserved, nil
	case "CAPTURED":
		return Captured, nil
	case "CHARGED":
		return Charged, nil
	case "COMPLETED":
		return Completed, nil
	case "CANCELLED":
		return Cancelled, nil
	case "EXPIRED":
		return Expired, nil
	case "REFUNDED":
		return Refunded, nil
	case "PARTIAL REFUNDED":
		return PartialRefunded, nil
	case "PAID", "INVOICED":
		return Unknown, &wrapError{
			msg:  "status: unknown status " + quote(s) + ": " + ErrOrderStatus.Error(),
			errs: []error{ErrUnknownStatus, ErrOrderStatus},
		}
	}
	return Unknown, unknownStatus(s)
}

func unknownStatus(s string) error {
	return &wrapError{msg: "status: unknown status " + quote(s), errs: []error{ErrUnknownStatus}}
}

// wrapError is a message that wraps one or more sentinels; it spares the
// package fmt.
type wrapError struct {
	msg  string
	errs []error
}

func (e *wrapError) Error() string   { return e.msg }
func (e *wrapError) Unwrap() []error { return e.errs }

// maxQuoted bounds how much of a caller's text an error repeats.
const maxQuoted = 64

// quote returns s as a Go string literal, cut to maxQuoted bytes on a rune
// boundary, with "..." after it when cut.
func quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	n := maxQuoted
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strconv.Quote(s[:n]) + "..."
}
