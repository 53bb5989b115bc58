package status

// next holds, per status, the statuses it may move to (bit n is Status n),
// as the package comment's table lists them. Self-moves are handled by
// CanTransition.
var next = [numStatuses]uint16{
	// "Submit Reservation", "Create Session": the customer pays, or the
	// link runs out, or the merchant cancels.
	Sent:            1<<ReservedNotPaid | 1<<Reserved | 1<<Expired | 1<<Cancelled,
	ReservedNotPaid: 1<<Reserved | 1<<Expired | 1<<Cancelled,
	// "Reservation Lifecycle": capture, charge, cancel, or the
	// reservation window ends.
	Reserved: 1<<Captured | 1<<Charged | 1<<Cancelled | 1<<Expired,
	// Once money moved: more charges, completion, refunds.
	Captured:        1<<Charged | 1<<Completed | 1<<PartialRefunded | 1<<Refunded,
	Charged:         1<<Completed | 1<<PartialRefunded | 1<<Refunded,
	PartialRefunded: 1<<Charged | 1<<Completed | 1<<Refunded,
	Refunded:        1<<Charged | 1<<Completed,
	// Refund is allowed after completion; the reference does not say
	// whether the status then shows the refund. frontgate accepts it, so
	// that a details answer saying so is not rejected.
	Completed: 1<<PartialRefunded | 1<<Refunded,
}

// TransitionError says a status cannot follow another. It unwraps to
// ErrUnknownStatus when To, or From other than Unknown, is not a valid
// status.
type TransitionError struct {
	From, To Status
}

// Error reads like "status: cannot move from CANCELLED to RESERVED".
func (e *TransitionError) Error() string {
	return "status: cannot move from " + e.From.String() + " to " + e.To.String()
}

// Unwrap returns ErrUnknownStatus for an invalid status, else nil.
func (e *TransitionError) Unwrap() error {
	if !e.To.Valid() || (e.From != Unknown && !e.From.Valid()) {
		return ErrUnknownStatus
	}
	return nil
}

// CanTransition reports whether a reservation in status from can next be
// in status to, in one step. Every valid status may follow itself, terminal
// ones included: a duplicated callback, or another charge or partial refund,
// changes nothing. Unknown, meaning nothing recorded yet, may be followed by
// any valid status.
func CanTransition(from, to Status) bool {
	switch {
	case !to.Valid():
		return false
	case from == Unknown || from == to:
		return true
	case !from.Valid():
		return false
	}
	return next[from]&(1<<to) != 0
}

// Transition is CanTransition as an error: nil, or a *TransitionError.
func Transition(from, to Status) error {
	if CanTransition(from, to) {
		return nil
	}
	return &TransitionError{From: from, To: to}
}

// Reachable reports whether to can follow from in any number of steps. A
// caller that re-reads the details endpoint after missed callbacks (SENT
// recorded, CAPTURED reported) checks the answer with Reachable rather than
// CanTransition.
func Reachable(from, to Status) bool {
	if CanTransition(from, to) {
		return true
	}
	if !from.Valid() || !to.Valid() {
		return false
	}
	seen := uint16(1) << from
	for frontier := seen; frontier != 0; {
		var reached uint16
		for s := Sent; s < numStatuses; s++ {
			if frontier&(1<<s) != 0 {
				reached |= next[s]
			}
		}
		frontier = reached &^ seen
		seen |= reached
	}
	return seen&(1<<to) != 0
}

// Terminal reports whether no other status can follow s: CANCELLED and
// EXPIRED. COMPLETED is not terminal, as refunds may follow it.
func Terminal(s Status) bool { return s == Cancelled || s == Expired }

// rank orders the statuses along the reservation's life; the three ends
// share the last rank.
var rank = [numStatuses]int{
	Unknown:         0,
	Sent:            1,
	ReservedNotPaid: 2,
	Reserved:        3,
	Captured:        4,
	Charged:         5,
	PartialRefunded: 6,
	Refunded:        7,
	Completed:       8,
	Cancelled:       8,
	Expired:         8,
}

// Rank places s along the reservation's life, for ordering callbacks that
// arrive out of order: SENT 1, RESERVED NOT PAID 2, RESERVED 3, CAPTURED 4,
// CHARGED 5, PARTIAL REFUNDED 6, REFUNDED 7, and COMPLETED, CANCELLED and
// EXPIRED 8. Unknown and invalid values rank 0.
func Rank(s Status) int {
	if s < numStatuses {
		return rank[s]
	}
	return 0
}

// Newer reports whether a status that arrives (incoming) should replace the
// one already applied (known), so that a late callback cannot move a
// reservation backwards (a RESERVED delivered after CAPTURED is ignored). It
// is true when incoming ranks higher, or when it is a legal step out of known
// that ranks lower (a charge after a refund, a refund after completion); the
// same status is not newer. In that last case, and on the cycle between
// CHARGED and the refund statuses, order cannot be told from statuses alone:
// confirm with the details endpoint before acting.
func Newer(known, incoming Status) bool {
	switch {
	case !incoming.Valid():
		return false
	case !known.Valid():
		return true
	case known == incoming:
		return false
	}
	return Rank(incoming) > Rank(known) || next[known]&(1<<incoming) != 0
}
