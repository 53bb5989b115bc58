// Package status is the FrontGo Connect reservation status machine: which
// operation FrontGo accepts in which status, and which status can follow
// which. frontgate checks an operation against it before a request leaves
// the shop, so that a refusal FrontGo would answer with a 400 is reported
// locally with the same message key, and so that reordered callbacks do not
// move a reservation backwards.
//
// The rules come from the FrontGo Connect reservation reference
// (https://docs.frontpayment.no/books/fpgo-connect), section by section;
// each rule's comment names its section and says where the reference is
// silent and frontgate decided. FrontGo remains the authority: the status a
// caller holds can be stale, so a refusal here is advice to re-read
// GET /reservations/details/{uuid}, and FrontGo's own answer always wins.
//
// Legal transitions ([CanTransition]); every known status may also "move"
// to itself, a no-op for duplicated callbacks and repeated charges or
// refunds, and [Unknown] (nothing recorded yet) may move to any status:
//
//	SENT              -> RESERVED NOT PAID, RESERVED, EXPIRED, CANCELLED
//	RESERVED NOT PAID -> RESERVED, EXPIRED, CANCELLED
//	RESERVED          -> CAPTURED, CHARGED, CANCELLED, EXPIRED
//	CAPTURED          -> CHARGED, COMPLETED, PARTIAL REFUNDED, REFUNDED
//	CHARGED           -> COMPLETED, PARTIAL REFUNDED, REFUNDED
//	PARTIAL REFUNDED  -> CHARGED, COMPLETED, REFUNDED
//	REFUNDED          -> CHARGED, COMPLETED
//	COMPLETED         -> PARTIAL REFUNDED, REFUNDED
//	CANCELLED         (terminal)
//	EXPIRED           (terminal)
//
// Operations FrontGo accepts ([Check]); details and history always:
//
//	status             capture charge cancel complete resend refund
//	SENT                  -      -      x       -        x      -
//	RESERVED NOT PAID     -      -      x       -        x      -
//	RESERVED              x      x      x       -        x      -
//	CAPTURED              -      x      -       x        x      x
//	CHARGED               -      x      -       x        x      x
//	COMPLETED             -      -      -       -        -      x
//	CANCELLED             -      -      -       -        -      -
//	EXPIRED               -      x*     -       -        x      -
//	REFUNDED              -      x      -       x        x      -
//	PARTIAL REFUNDED      -      x      -       x        x      x
//
// (*) EXPIRED is an unpaid link that ran out (no card: FrontGo answers
// paymentCardNotFound) or a reservation whose window ended (a card: the
// reference allows a charge up to 90 days after it). The status alone
// cannot tell which, so Check leaves the charge to FrontGo.
//
// The package does no I/O, allocates only for errors and Allowed, and uses
// neither fmt nor reflection, so it stays small in the wasip1 module.
package status
