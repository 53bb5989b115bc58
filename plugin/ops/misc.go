package ops

import (
	"errors"
	"strconv"
	"time"

	"github.com/frontgate/frontgate/plugin/abi"
	"github.com/frontgate/frontgate/plugin/callback"
	"github.com/frontgate/frontgate/plugin/internal/jsonx"
	"github.com/frontgate/frontgate/plugin/reservation"
	"github.com/frontgate/frontgate/plugin/status"
)

func init() {
	register(
		named{abi.FuncVerifyCallback, verifyCallback},
		named{abi.FuncStatusCheck, statusCheck},
		named{abi.FuncStatusAllowed, statusAllowed},
		named{abi.FuncStatusTransition, statusTransition},
	)
}

// callbackReasons names each verification failure for error.reason.
var callbackReasons = []struct {
	err    error
	reason string
}{
	{callback.ErrNoSecret, "no_secret"},
	{callback.ErrInvalidConfig, "invalid_config"},
	{callback.ErrMissingChecksum, "missing_checksum"},
	{callback.ErrChecksumMismatch, "checksum_mismatch"},
	{callback.ErrStale, "stale"},
	{callback.ErrMalformed, "malformed"},
}

// maxToleranceSeconds bounds the age a callback may have: a week, far more
// than any clock skew or retry schedule.
const maxToleranceSeconds = 7 * 24 * 60 * 60

// verifyCallback checks a FrontGo callback. Input: {"query": raw query
// string, "secret", "scheme"?, "now" (Unix seconds), "toleranceSeconds"?,
// "requireTimestamp"?}. Data: the callback's parameters.
func verifyCallback(v jsonx.Value, w *jsonx.Writer) *opError {
	in := &input{v: v, fn: abi.FuncVerifyCallback}
	in.only(membersVerifyCallback, "")
	query := in.str("query", false)
	secret := in.str("secret", true)
	cfg := callback.DefaultVerifyConfig()
	if s := in.str("scheme", false); s != "" {
		sc, err := callback.ParseScheme(s)
		if err != nil {
			in.bad("scheme", reservation.RuleEnum, "must be ordered-params, legacy-v1 or legacy-v2")
		}
		cfg.Scheme = sc
	}
	switch tol := in.setting("toleranceSeconds", false); {
	case tol < 0:
		in.bad("toleranceSeconds", reservation.RuleMin, "must not be negative")
	case tol > maxToleranceSeconds:
		// Past this the seconds would not fit a time.Duration either.
		in.bad("toleranceSeconds", reservation.RuleRange, "must be at most "+strconv.Itoa(maxToleranceSeconds)+" (a week)")
	case tol > 0:
		cfg.Tolerance = time.Duration(tol) * time.Second
	}
	if rt := v.Get("requireTimestamp"); !rt.Absent() {
		b, ok := rt.Bool()
		if !ok {
			in.bad("requireTimestamp", reservation.RuleType, "must be true or false")
		}
		cfg.RequireTimestamp = b
	}
	now := in.setting("now", true)
	if e := in.failed(); e != nil {
		return e
	}
	p, err := callback.Verify(query, []byte(secret), cfg, time.Unix(now, 0))
	if err != nil {
		reason := "malformed"
		for _, r := range callbackReasons {
			if errors.Is(err, r.err) {
				reason = r.reason
				break
			}
		}
		return &opError{code: abi.CodeCallback, message: err.Error(), extra: func(w *jsonx.Writer) {
			w.KeyLit("reason")
			w.String(reason)
		}}
	}
	w.BeginObject()
	str(w, "orderUuid", p.OrderUUID)
	str(w, "status", p.Status)
	str(w, "createdAt", p.CreatedAt)
	str(w, "paymentMethod", p.PaymentMethod)
	str(w, "amount", p.Amount)
	str(w, "timestamp", p.Timestamp)
	w.KeyLit("params")
	w.BeginArray()
	for _, pr := range p.Pairs {
		w.BeginObject()
		str(w, "key", pr.Key)
		str(w, "value", pr.Value)
		w.EndObject()
	}
	w.EndArray()
	w.EndObject()
	return nil
}

func (in *input) status(name string) status.Status {
	s := in.str(name, true)
	if s == "" {
		in.blank(name)
		return status.Unknown
	}
	st, err := status.Parse(s)
	if err != nil {
		in.bad(name, reservation.RuleEnum, "is not a FrontGo reservation status")
	}
	return st
}

// blank refuses a required string that is present but empty (an absent
// one str has refused already).
func (in *input) blank(name string) {
	if in.v.Get(name).Kind() == jsonx.String {
		in.bad(name, reservation.RuleRequired, "is required")
	}
}

// statusCheck answers whether FrontGo accepts an operation in a status.
// Input: {"status", "operation"}. Data: {"allowed", "status", "operation",
// "messageKey"?, "httpStatus"?} with the provider's refusal when not.
func statusCheck(v jsonx.Value, w *jsonx.Writer) *opError {
	in := &input{v: v, fn: abi.FuncStatusCheck}
	in.only(membersStatusCheck, "")
	st := in.status("status")
	opName := in.str("operation", true)
	op, err := status.ParseOp(opName)
	switch {
	case opName == "":
		in.blank("operation")
	case err != nil:
		in.bad("operation", reservation.RuleEnum, "must be one of details, capture, charge, cancel, complete, resend, refund, history")
	}
	if e := in.failed(); e != nil {
		return e
	}
	w.BeginObject()
	err = status.Check(st, op)
	w.KeyLit("allowed")
	w.Bool(err == nil)
	str(w, "status", st.String())
	str(w, "operation", op.String())
	var re *status.RefusedError
	if errors.As(err, &re) {
		str(w, "messageKey", re.MessageKey)
		w.KeyLit("httpStatus")
		w.Int(int64(re.HTTPStatus))
	}
	w.EndObject()
	return nil
}

// statusAllowed lists the operations a status allows. Input: {"status"}.
func statusAllowed(v jsonx.Value, w *jsonx.Writer) *opError {
	in := &input{v: v, fn: abi.FuncStatusAllowed}
	in.only(membersStatusAllowed, "")
	st := in.status("status")
	if e := in.failed(); e != nil {
		return e
	}
	w.BeginObject()
	str(w, "status", st.String())
	w.KeyLit("operations")
	w.BeginArray()
	for _, op := range status.Allowed(st) {
		w.String(op.String())
	}
	w.EndArray()
	w.KeyLit("terminal")
	w.Bool(status.Terminal(st))
	w.EndObject()
	return nil
}

// statusTransition tells whether FrontGo moves a reservation from one
// status to another, and whether "to" is newer news than "from" (for
// reordered callbacks). Input: {"from", "to"}.
func statusTransition(v jsonx.Value, w *jsonx.Writer) *opError {
	in := &input{v: v, fn: abi.FuncStatusTransition}
	in.only(membersStatusTrans, "")
	from, to := in.status("from"), in.status("to")
	if e := in.failed(); e != nil {
		return e
	}
	w.BeginObject()
	str(w, "from", from.String())
	str(w, "to", to.String())
	w.KeyLit("legal")
	w.Bool(status.CanTransition(from, to))
	w.KeyLit("newer")
	w.Bool(status.Newer(from, to))
	w.EndObject()
	return nil
}
