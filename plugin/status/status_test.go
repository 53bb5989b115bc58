package status

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

var allStatuses = []Status{Sent, ReservedNotPaid, Reserved, Captured, Charged, Completed, Cancelled, Expired, Refunded, PartialRefunded}

var allOps = []Op{OpDetails, OpCapture, OpCharge, OpCancel, OpComplete, OpResend, OpRefund, OpHistory}

func TestParse(t *testing.T) {
	cases := []struct {
		in      string
		want    Status
		wantErr string // exact message when the parse fails
		order   bool   // the error also wraps ErrOrderStatus
	}{
		{in: "SENT", want: Sent},
		{in: "RESERVED NOT PAID", want: ReservedNotPaid},
		{in: "RESERVED", want: Reserved},
		{in: "CAPTURED", want: Captured},
		{in: "CHARGED", want: Charged},
		{in: "COMPLETED", want: Completed},
		{in: "CANCELLED", want: Cancelled},
		{in: "EXPIRED", want: Expired},
		{in: "REFUNDED", want: Refunded},
		{in: "PARTIAL REFUNDED", want: PartialRefunded},
		{in: "Reserved", want: Reserved},
		{in: "captured", want: Captured},
		{in: "  Charged\t\n", want: Charged},
		{in: "reserved_not_paid", want: ReservedNotPaid},
		{in: "Reserved-Not-Paid", want: ReservedNotPaid},
		{in: "RESERVED  NOT__PAID", want: ReservedNotPaid},
		{in: "partial-refunded", want: PartialRefunded},
		{in: "PARTIAL_REFUNDED", want: PartialRefunded},
		{in: "RESEVRED", want: Reserved},
		{in: "Resevred", want: Reserved},
		{in: "", wantErr: `status: unknown status ""`},
		{in: "   ", wantErr: `status: unknown status "   "`},
		{in: "success", wantErr: `status: unknown status "success"`},
		{in: "UNKNOWN", wantErr: `status: unknown status "UNKNOWN"`},
		{in: "CANCELED", wantErr: `status: unknown status "CANCELED"`},
		{in: "RESERVEDNOTPAID", wantErr: `status: unknown status "RESERVEDNOTPAID"`},
		{in: "_RESERVED", wantErr: `status: unknown status "_RESERVED"`},
		{in: "RESERVED-", wantErr: `status: unknown status "RESERVED-"`},
		{in: "RESERVED\tNOT PAID", wantErr: `status: unknown status "RESERVED\tNOT PAID"`},
		{in: "RESERVED NOT PAID X", wantErr: `status: unknown status "RESERVED NOT PAID X"`},
		{in: "reſerved", wantErr: `status: unknown status "reſerved"`},
		{in: "PAID", wantErr: `status: unknown status "PAID": order status, not a reservation status`, order: true},
		{in: "invoiced", wantErr: `status: unknown status "invoiced": order status, not a reservation status`, order: true},
		{in: strings.Repeat("x", 63) + "é", wantErr: `status: unknown status "` + strings.Repeat("x", 63) + `"...`},
		{in: strings.Repeat("y", 100), wantErr: `status: unknown status "` + strings.Repeat("y", 64) + `"...`},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := Parse(c.in)
			if c.wantErr == "" {
				if err != nil || got != c.want {
					t.Fatalf("Parse(%q) = %v, %v; want %v", c.in, got, err, c.want)
				}
				return
			}
			if err == nil || err.Error() != c.wantErr {
				t.Fatalf("Parse(%q) error = %v, want %q", c.in, err, c.wantErr)
			}
			if got != Unknown || !errors.Is(err, ErrUnknownStatus) || errors.Is(err, ErrOrderStatus) != c.order {
				t.Fatalf("Parse(%q) = %v, %v: wrong status or wrapping", c.in, got, err)
			}
		})
	}
}

func TestStringRoundTrip(t *testing.T) {
	for _, s := range allStatuses {
		got, err := Parse(s.String())
		if err != nil || got != s || !s.Valid() {
			t.Errorf("Parse(%v.String()) = %v, %v", s, got, err)
		}
	}
	for s, want := range map[Status]string{Unknown: "UNKNOWN", numStatuses: "STATUS(11)", 255: "STATUS(255)"} {
		if s.String() != want || s.Valid() {
			t.Errorf("Status(%d): String %q, Valid %v", uint8(s), s.String(), s.Valid())
		}
	}
}

func TestOp(t *testing.T) {
	names := []string{"details", "capture", "charge", "cancel", "complete", "resend", "refund", "history"}
	for i, op := range allOps {
		if op.String() != names[i] {
			t.Errorf("%d.String() = %q, want %q", op, op.String(), names[i])
		}
		for _, in := range []string{names[i], strings.ToUpper(names[i]), " " + names[i] + " "} {
			if got, err := ParseOp(in); err != nil || got != op {
				t.Errorf("ParseOp(%q) = %v, %v", in, got, err)
			}
		}
	}
	for _, in := range []string{"", "void", "captured", "ſtatus"} {
		_, err := ParseOp(in)
		if !errors.Is(err, ErrUnknownOp) || err.Error() != "status: unknown operation "+quote(in) {
			t.Errorf("ParseOp(%q) error = %v", in, err)
		}
	}
	if Op(0).Valid() || Op(0).String() != "op(0)" || numOps.Valid() {
		t.Error("zero or out-of-range Op is valid")
	}
}

// TestCheck runs every (status, op) pair against the expected FrontGo
// answer, written out independently of the implementation. "ok" means
// FrontGo accepts the operation.
func TestCheck(t *testing.T) {
	const (
		ok        = "ok"
		runway    = "requestedCaptureAmountExceedAvailableCaptureRunway"
		deadline  = "paymentCaptureDeadlineExceed"
		cancelled = "reservationStatusAlreadyCancelled"
		completed = "reservationStatusAlreadyCompleted"
		noCard    = "paymentCardNotFound"
		noCancel  = "prerequisiteFailedToCancelReservation"
		noComp    = "prerequisiteFailedToCompleteReservation"
		ordComp   = "orderStatusAlreadyCompleted"
		ordCanc   = "orderStatusAlreadyCancelled"
		refund    = "refundRejectionForRefundRequestGreaterThanOrderAmount"
	)
	// Columns: details, capture, charge, cancel, complete, resend, refund, history.
	want := map[Status][8]string{
		Sent:            {ok, runway, noCard, ok, noComp, ok, refund, ok},
		ReservedNotPaid: {ok, runway, noCard, ok, noComp, ok, refund, ok},
		Reserved:        {ok, ok, ok, ok, noComp, ok, refund, ok},
		Captured:        {ok, runway, ok, noCancel, ok, ok, ok, ok},
		Charged:         {ok, runway, ok, noCancel, ok, ok, ok, ok},
		Completed:       {ok, completed, completed, completed, completed, ordComp, ok, ok},
		// Cancel's own section: "already COMPLETED or CANCELLED" is
		// reservationStatusAlreadyCompleted, the one key for both.
		Cancelled: {ok, cancelled, cancelled, completed, cancelled, ordCanc, refund, ok},
		// A charge in EXPIRED goes to FrontGo: the status cannot tell an
		// unpaid link (no card) from a reservation past its window.
		Expired:         {ok, deadline, ok, noCancel, noComp, ok, refund, ok},
		Refunded:        {ok, runway, ok, noCancel, ok, ok, refund, ok},
		PartialRefunded: {ok, runway, ok, noCancel, ok, ok, ok, ok},
	}
	if len(want) != len(allStatuses) {
		t.Fatal("table does not cover every status")
	}
	for _, s := range allStatuses {
		for i, op := range allOps {
			t.Run(s.String()+"/"+op.String(), func(t *testing.T) {
				err := Check(s, op)
				if want[s][i] == ok {
					if err != nil {
						t.Fatalf("Check = %v, want nil", err)
					}
					return
				}
				var re *RefusedError
				if !errors.As(err, &re) {
					t.Fatalf("Check = %v, want *RefusedError", err)
				}
				code := 400
				if want[s][i] == noCard {
					code = 404
				}
				wantErr := &RefusedError{Op: op, Status: s, MessageKey: want[s][i], HTTPStatus: code}
				if !reflect.DeepEqual(re, wantErr) {
					t.Fatalf("Check = %+v, want %+v", re, wantErr)
				}
				if errors.Is(err, ErrUnknownStatus) {
					t.Fatal("refusal for a valid status wraps ErrUnknownStatus")
				}
			})
		}
	}
}

func TestCheckEdges(t *testing.T) {
	cases := []struct {
		s       Status
		op      Op
		wantMsg string // "" means allowed
		unknown bool   // wraps ErrUnknownStatus
		badOp   bool   // wraps ErrUnknownOp
	}{
		{s: Cancelled, op: OpCapture, wantMsg: "capture: not allowed while reservation is CANCELLED (reservationStatusAlreadyCancelled)"},
		{s: ReservedNotPaid, op: OpCharge, wantMsg: "charge: not allowed while reservation is RESERVED NOT PAID (paymentCardNotFound)"},
		{s: Unknown, op: OpDetails},
		{s: Unknown, op: OpHistory},
		{s: 200, op: OpDetails},
		{s: Unknown, op: OpCapture, wantMsg: "capture: not allowed while reservation status is unknown", unknown: true},
		{s: 200, op: OpRefund, wantMsg: "refund: not allowed while reservation status is unknown", unknown: true},
		{s: Reserved, op: 0, wantMsg: "status: unknown operation op(0)", badOp: true},
		{s: Reserved, op: 42, wantMsg: "status: unknown operation op(42)", badOp: true},
	}
	for _, c := range cases {
		t.Run(c.s.String()+"/"+c.op.String(), func(t *testing.T) {
			err := Check(c.s, c.op)
			if c.wantMsg == "" {
				if err != nil {
					t.Fatalf("Check = %v, want nil", err)
				}
				return
			}
			if err == nil || err.Error() != c.wantMsg {
				t.Fatalf("Check = %v, want %q", err, c.wantMsg)
			}
			if errors.Is(err, ErrUnknownStatus) != c.unknown || errors.Is(err, ErrUnknownOp) != c.badOp {
				t.Fatalf("Check(%v, %v) = %v: wrong wrapping", c.s, c.op, err)
			}
		})
	}
}

func TestAllowed(t *testing.T) {
	cases := map[Status][]Op{
		Unknown:   {OpDetails, OpHistory},
		Sent:      {OpDetails, OpCancel, OpResend, OpHistory},
		Reserved:  {OpDetails, OpCapture, OpCharge, OpCancel, OpResend, OpHistory},
		Captured:  {OpDetails, OpCharge, OpComplete, OpResend, OpRefund, OpHistory},
		Completed: {OpDetails, OpRefund, OpHistory},
		Cancelled: {OpDetails, OpHistory},
		Expired:   {OpDetails, OpCharge, OpResend, OpHistory},
		Refunded:  {OpDetails, OpCharge, OpComplete, OpResend, OpHistory},
	}
	for s, want := range cases {
		if got := Allowed(s); !reflect.DeepEqual(got, want) {
			t.Errorf("Allowed(%v) = %v, want %v", s, got, want)
		}
	}
	for _, s := range allStatuses {
		for _, op := range Allowed(s) {
			if err := Check(s, op); err != nil {
				t.Errorf("Allowed(%v) lists %v but Check says %v", s, op, err)
			}
		}
	}
}

func TestTransition(t *testing.T) {
	legal := map[Status][]Status{
		Sent:            {ReservedNotPaid, Reserved, Expired, Cancelled},
		ReservedNotPaid: {Reserved, Expired, Cancelled},
		Reserved:        {Captured, Charged, Cancelled, Expired},
		Captured:        {Charged, Completed, PartialRefunded, Refunded},
		Charged:         {Completed, PartialRefunded, Refunded},
		PartialRefunded: {Charged, Completed, Refunded},
		Refunded:        {Charged, Completed},
		Completed:       {PartialRefunded, Refunded},
		Cancelled:       nil,
		Expired:         nil,
	}
	for _, from := range allStatuses {
		for _, to := range allStatuses {
			want := from == to
			for _, s := range legal[from] {
				want = want || s == to
			}
			t.Run(from.String()+"->"+to.String(), func(t *testing.T) {
				if got := CanTransition(from, to); got != want {
					t.Fatalf("CanTransition = %v, want %v", got, want)
				}
				err := Transition(from, to)
				if want {
					if err != nil {
						t.Fatalf("Transition = %v", err)
					}
					return
				}
				var te *TransitionError
				if !errors.As(err, &te) || *te != (TransitionError{from, to}) {
					t.Fatalf("Transition = %v, want *TransitionError", err)
				}
				if msg := "status: cannot move from " + from.String() + " to " + to.String(); err.Error() != msg {
					t.Fatalf("Transition error = %q, want %q", err, msg)
				}
				if errors.Is(err, ErrUnknownStatus) {
					t.Fatal("transition between valid statuses wraps ErrUnknownStatus")
				}
			})
		}
		if !CanTransition(Unknown, from) || CanTransition(from, Unknown) || CanTransition(from, 99) || CanTransition(99, from) {
			t.Errorf("%v: Unknown or invalid statuses handled wrongly", from)
		}
		if got := Terminal(from); got != (len(legal[from]) == 0) {
			t.Errorf("Terminal(%v) = %v", from, got)
		}
	}
	if err := Transition(Reserved, Unknown); !errors.Is(err, ErrUnknownStatus) {
		t.Errorf("Transition to Unknown = %v, want ErrUnknownStatus", err)
	}
	if err := Transition(99, Reserved); !errors.Is(err, ErrUnknownStatus) {
		t.Errorf("Transition from 99 = %v, want ErrUnknownStatus", err)
	}
	if CanTransition(Unknown, Unknown) {
		t.Error("CanTransition(Unknown, Unknown) = true")
	}
}

func TestReachable(t *testing.T) {
	cases := []struct {
		from, to Status
		want     bool
	}{
		{Sent, Captured, true},
		{Sent, Completed, true},
		{ReservedNotPaid, Refunded, true},
		{Completed, Charged, true}, // via a refund: COMPLETED -> PARTIAL REFUNDED -> CHARGED
		{Captured, Reserved, false},
		{Charged, Captured, false},
		{Cancelled, Reserved, false},
		{Expired, Expired, true},
		{Reserved, Sent, false},
		{Unknown, Completed, true},
		{Captured, Unknown, false},
		{99, Captured, false},
	}
	for _, c := range cases {
		if got := Reachable(c.from, c.to); got != c.want {
			t.Errorf("Reachable(%v, %v) = %v, want %v", c.from, c.to, got, c.want)
		}
	}
	for _, from := range allStatuses {
		for _, to := range allStatuses {
			if CanTransition(from, to) && !Reachable(from, to) {
				t.Errorf("%v -> %v legal but not reachable", from, to)
			}
		}
	}
}

func TestNewer(t *testing.T) {
	cases := []struct {
		known, incoming Status
		want            bool
	}{
		{Captured, Reserved, false}, // a late RESERVED callback
		{Charged, Captured, false},
		{Charged, Reserved, false},
		{Reserved, Captured, true},
		{Reserved, Charged, true},
		{Captured, Charged, true},
		{Sent, Charged, true}, // missed callbacks in between
		{Charged, Charged, false},
		{PartialRefunded, Charged, true}, // a charge after a refund
		{Refunded, PartialRefunded, false},
		{Completed, Refunded, true}, // a refund after completion
		{Completed, Captured, false},
		{Cancelled, Reserved, false},
		{Expired, Cancelled, false},
		{Unknown, Sent, true},
		{Reserved, Unknown, false},
		{200, Reserved, true},
		{Reserved, 200, false},
	}
	for _, c := range cases {
		if got := Newer(c.known, c.incoming); got != c.want {
			t.Errorf("Newer(%v, %v) = %v, want %v", c.known, c.incoming, got, c.want)
		}
	}
	// Whatever is legal and not a self-move is newer; nothing reaches back
	// to a lower rank except along a legal step.
	for _, a := range allStatuses {
		for _, b := range allStatuses {
			if a != b && CanTransition(a, b) && !Newer(a, b) {
				t.Errorf("legal %v -> %v is not newer", a, b)
			}
			if Newer(a, b) && Rank(b) <= Rank(a) && !CanTransition(a, b) {
				t.Errorf("Newer(%v, %v) without rank or transition", a, b)
			}
		}
	}
	if Rank(Unknown) != 0 || Rank(250) != 0 || Rank(Sent) != 1 || Rank(Completed) != 8 {
		t.Error("Rank endpoints")
	}
}

func TestNoAllocations(t *testing.T) {
	n := testing.AllocsPerRun(100, func() {
		_, _ = Parse("reserved_not_paid")
		_ = Check(Reserved, OpCapture)
		_ = Transition(Reserved, Captured)
		_ = Newer(Captured, Reserved)
		_ = Reachable(Sent, Completed)
	})
	if n != 0 {
		t.Errorf("hot paths allocate %v times", n)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range allStatuses {
		f.Add(s.String())
	}
	for _, s := range []string{"", "resevred", "reserved_not_paid", " Partial-Refunded ", "PAID", "success", "RESERVED  NOT PAID", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := Parse(in)
		if err != nil {
			if s != Unknown || !errors.Is(err, ErrUnknownStatus) {
				t.Fatalf("Parse(%q) = %v, %v", in, s, err)
			}
			// 64 bytes of the value, each at most 4 once quoted ("\x80").
			if len(err.Error()) > 400 {
				t.Fatalf("error too long: %d bytes", len(err.Error()))
			}
			return
		}
		if !s.Valid() {
			t.Fatalf("Parse(%q) = invalid %v", in, s)
		}
		back, err := Parse(s.String())
		if err != nil || back != s {
			t.Fatalf("round trip of %v: %v, %v", s, back, err)
		}
		if strings.EqualFold(strings.TrimSpace(in), s.String()) {
			return
		}
		// Lenient forms differ from the wire value only by case and
		// separators, or are the documented typo.
		norm := strings.NewReplacer("_", " ", "-", " ").Replace(strings.ToUpper(strings.TrimSpace(in)))
		norm = strings.Join(strings.FieldsFunc(norm, func(r rune) bool { return r == ' ' }), " ")
		if norm != s.String() && norm != "RESEVRED" {
			t.Fatalf("Parse(%q) = %v, unexpected leniency", in, s)
		}
	})
}
