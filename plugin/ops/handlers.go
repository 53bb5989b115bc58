package ops

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/frontgate/frontgate/plugin/abi"
	"github.com/frontgate/frontgate/plugin/internal/jsonx"
	"github.com/frontgate/frontgate/plugin/money"
	"github.com/frontgate/frontgate/plugin/reservation"
)

func init() {
	var hs []named
	for _, op := range []struct {
		validate, build, parse string
		name                   string
	}{
		{abi.FuncValidateSubmit, abi.FuncBuildSubmit, abi.FuncParseSubmit, reservation.OpSubmit},
		{abi.FuncValidateCreate, abi.FuncBuildCreate, abi.FuncParseCreate, reservation.OpCreate},
		{abi.FuncValidateDetails, abi.FuncBuildDetails, abi.FuncParseDetails, reservation.OpDetails},
		{abi.FuncValidateCapture, abi.FuncBuildCapture, abi.FuncParseCapture, reservation.OpCapture},
		{abi.FuncValidateCharge, abi.FuncBuildCharge, abi.FuncParseCharge, reservation.OpCharge},
		{abi.FuncValidateCancel, abi.FuncBuildCancel, abi.FuncParseCancel, reservation.OpCancel},
		{abi.FuncValidateComplete, abi.FuncBuildComplete, abi.FuncParseComplete, reservation.OpComplete},
		{abi.FuncValidateResend, abi.FuncBuildResend, abi.FuncParseResend, reservation.OpResend},
		{abi.FuncValidateRefund, abi.FuncBuildRefund, abi.FuncParseRefund, reservation.OpRefund},
		{abi.FuncValidateHistory, abi.FuncBuildHistory, abi.FuncParseHistory, reservation.OpHistory},
	} {
		name, vfn, bfn, pfn := op.name, op.validate, op.build, op.parse
		hs = append(hs,
			named{vfn, func(in jsonx.Value, w *jsonx.Writer) *opError { return validate(vfn, name, in, w) }},
			named{bfn, func(in jsonx.Value, w *jsonx.Writer) *opError { return build(bfn, name, in, w) }},
			named{pfn, func(in jsonx.Value, w *jsonx.Writer) *opError { return parse(pfn, name, in, w) }})
	}
	register(hs...)
}

// input reads the members every operation shares and reports shape errors
// as bad_input naming the member.
type input struct {
	v    jsonx.Value
	fn   string
	errs []reservation.FieldError
	// vals are values of the right shape that break a rule (a negative
	// price, say): they answer as validation errors, like the core's own.
	vals []reservation.FieldError
}

// invalid records a value that breaks a rule. Out of line like bad.
//
//go:noinline
func (in *input) invalid(path, rule, msg string) {
	in.vals = append(in.vals, reservation.FieldError{Path: path, Rule: rule, Message: msg})
}

// failedOrInvalid is the shape error of in.errs, or else the validation
// error of in.vals for op, or nil: shape errors first, as the core would
// not see the values. Operations that judge values (build_capture, say)
// call it; the others call failed.
func (in *input) failedOrInvalid(op string) *opError {
	if len(in.errs) > 0 {
		return in.shapeError(in.errs)
	}
	if len(in.vals) == 0 {
		return nil
	}
	return fromErr(in.fn, &reservation.ValidationError{Op: op, Fields: in.vals})
}

// bad records a shape error. Out of line like reservation's checker.add.
//
//go:noinline
func (in *input) bad(path, rule, msg string) {
	in.errs = append(in.errs, reservation.FieldError{Path: path, Rule: rule, Message: msg})
}

// Members each operation's input may have; anything else is refused
// (only). now and taxRates, the options a host sets for every request it
// builds or validates, are accepted by every validate_* and build_*
// operation and always checked, so a host can send one set to all.
var (
	membersValidateNew     = newMembers("payload", "now", "taxRates")
	membersValidateDetails = newMembers("reservationUuid", "now", "taxRates")
	membersValidateHistory = newMembers("start", "end", "now", "taxRates")
	membersValidateBody    = newMembers("reservationUuid", "payload", "now", "taxRates")
	membersBuildNew        = newMembers("order", "payload", "callback", "now", "taxRates")
	membersBuildDetails    = membersValidateDetails
	membersBuildHistory    = membersValidateHistory
	membersBuildLines      = newMembers("reservationUuid", "lines", "additionalText", "now", "taxRates") // capture, charge
	membersBuildNote       = newMembers("reservationUuid", "note", "now", "taxRates")
	membersBuildResend     = newMembers("reservationUuid", "countryCode", "msisdn", "email", "now", "taxRates")
	membersBuildRefund     = newMembers("reservationUuid", "lines", "source", "reference", "now", "taxRates")
	membersParse           = newMembers("status", "body", "requestId")
	membersVerifyCallback  = newMembers("query", "secret", "now", "scheme", "toleranceSeconds", "requireTimestamp")
	membersStatusCheck     = newMembers("status", "operation")
	membersStatusAllowed   = newMembers("status")
	membersStatusTrans     = newMembers("from", "to")
	membersNone            = newMembers()
	membersCallback        = newMembers("callbackUrl", "success", "failure")
	membersLineAmount      = newMembers("id", "amount")
	membersChargeLine      = newMembers("kind", "name", "sku", "unitPrice", "quantity", "taxRate", "discount")
)

// members is the set of member names an input object may have, with each
// name's fingerprint (jsonx.KeyHash), which the parser has already
// computed for every key: a member is looked up by comparing numbers, and
// its bytes only when one matches.
type members struct {
	names []string
	hash  []uint32
}

func newMembers(names ...string) *members {
	m := &members{names: names, hash: make([]uint32, len(names))}
	for i, n := range names {
		m.hash[i] = jsonx.KeyHash(n)
	}
	return m
}

// has reports whether key, with fingerprint h, is one of m's names.
func (m *members) has(key []byte, h uint32) bool {
	for i, mh := range m.hash {
		if mh == h && string(key) == m.names[i] {
			return true
		}
	}
	return false
}

// only refuses, as shape errors with rule "unknown", the members of in's
// object that are not in m (what names the object in the message, "a
// charge line"; "" means the operation's input). A member the operation
// does not read would otherwise be dropped without a word: a line's
// discount, say, charged at full price.
func (in *input) only(m *members, what string) {
	for it := in.v.Iter(); it.Next(); {
		if k, h := it.KeyBytesHash(); !m.has(k, h) {
			in.unknown(string(k), m.names, what)
		}
	}
}

// unknown records a member only refused. Out of line, like bad.
//
//go:noinline
func (in *input) unknown(key string, names []string, what string) {
	if what == "" {
		what = in.fn + "'s input"
	}
	msg := "is not a member of " + what
	if len(names) > 0 {
		msg += " (it takes " + strings.Join(names, ", ") + ")"
	} else {
		msg += " (it takes none)"
	}
	in.bad(key, reservation.RuleUnknown, msg)
}

func (in *input) str(name string, required bool) string {
	return string(in.bytes(name, required))
}

// text is str sharing the input's bytes instead of copying them, for a
// value used only while the operation runs.
func (in *input) text(name string, required bool) string {
	b := in.bytes(name, required)
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// bytes is str without copies: the input's own bytes when the string holds
// no escapes (valid until the call returns).
func (in *input) bytes(name string, required bool) []byte {
	v := in.v.Get(name)
	switch v.Kind() {
	case jsonx.String:
		b, _ := v.StrBytes()
		return b
	case jsonx.Invalid, jsonx.Null:
		if required {
			in.bad(name, reservation.RuleRequired, "is required")
		}
		return nil
	}
	in.bad(name, reservation.RuleType, "must be a string")
	return nil
}

// bodyBytes is bytes(name, false) for a response body: an escaped body is
// decoded into *scratch (grown to fit, up to maxBodyBuf), so the result may
// share its storage.
func (in *input) bodyBytes(name string, scratch *[]byte) []byte {
	v := in.v.Get(name)
	if v.Kind() != jsonx.String {
		return in.bytes(name, false)
	}
	if n := len(v.Raw()); cap(*scratch) < n && n <= maxBodyBuf {
		*scratch = make([]byte, n)
	}
	b, _ := v.StrBytesInto(*scratch)
	return b
}

func (in *input) int(name string, required bool) int64 {
	v := in.v.Get(name)
	switch v.Kind() {
	case jsonx.Number:
		n, ok := v.Int()
		switch {
		case ok:
		case v.IsWhole(): // whole, but past int64
			in.invalid(name, reservation.RuleRange, "is out of range (too large for a 64-bit integer)")
		default:
			in.bad(name, reservation.RuleInteger, "must be a whole number")
		}
		return n
	case jsonx.Invalid, jsonx.Null:
		if required {
			in.bad(name, reservation.RuleRequired, "is required")
		}
		return 0
	}
	in.bad(name, reservation.RuleType, "must be a number")
	return 0
}

// setting is int for a member the host sets (now, status, a tolerance, a
// time frame) rather than the shop's data: a whole number past 64 bits is
// a bad input there, in every operation, like a negative now.
func (in *input) setting(name string, required bool) int64 {
	n := len(in.vals)
	v := in.int(name, required)
	if len(in.vals) > n {
		in.errs = append(in.errs, in.vals[n:]...)
		in.vals = in.vals[:n]
	}
	return v
}

// object returns an object member, or the zero Value (recording why when
// it is present, or required).
func (in *input) object(name string, required bool) jsonx.Value {
	v := in.v.Get(name)
	switch v.Kind() {
	case jsonx.Object:
		return v
	case jsonx.Invalid, jsonx.Null:
		if required {
			in.bad(name, reservation.RuleRequired, "is required")
		}
		return jsonx.Value{}
	}
	in.bad(name, reservation.RuleType, "must be an object")
	return jsonx.Value{}
}

// doc returns the raw bytes of an object member, or nil (see object).
func (in *input) doc(name string, required bool) []byte { return in.object(name, required).Raw() }

// options reads "now" (Unix seconds; 0 or absent means not given) and
// "taxRates" (percent numbers).
func (in *input) options() reservation.Options {
	var o reservation.Options
	switch now := in.setting("now", false); {
	case now > 0:
		o.Now = time.Unix(now, 0)
	case now < 0:
		in.bad("now", reservation.RuleMin, "must not be negative: the current time in Unix seconds")
	}
	if tr := in.v.Get("taxRates"); !tr.Absent() {
		if tr.Kind() != jsonx.Array {
			in.bad("taxRates", reservation.RuleType, "must be an array of numbers")
			return o
		}
		o.TaxRates = make([]money.Rate, 0, tr.Len())
		for it := tr.Iter(); it.Next(); {
			i, e := it.Index(), it.Value()
			r, err := money.ParseRate(e.Raw())
			if e.Kind() != jsonx.Number || err != nil {
				in.bad("taxRates."+strconv.Itoa(i), reservation.RuleTaxRate, "must be a percentage between 0 and 100")
				continue
			}
			o.TaxRates = append(o.TaxRates, r)
		}
	}
	return o
}

// failed is the bad_input error of everything wrong with the input, or nil.
// A value that breaks a rule (in.vals: a whole number past 64 bits, say)
// counts too, so that no operation reads it as zero and goes on.
func (in *input) failed() *opError {
	if len(in.errs) == 0 && len(in.vals) == 0 {
		return nil
	}
	return in.shapeError(append(in.errs, in.vals...))
}

func (in *input) shapeError(fields []reservation.FieldError) *opError {
	return &opError{code: abi.CodeBadInput, message: in.fn + ": the input is not this operation's shape", fields: fields}
}

// fromErr turns a core error into an envelope error.
func fromErr(fn string, err error) *opError {
	var oe opErr
	if errors.As(err, &oe) {
		return oe.e
	}
	var ve *reservation.ValidationError
	if errors.As(err, &ve) {
		return &opError{code: abi.CodeValidation, message: ve.Error(), fields: ve.Fields}
	}
	var ae *reservation.APIError
	if errors.As(err, &ae) {
		return &opError{code: abi.CodeUpstream, message: ae.Error(), fields: ae.Fields, extra: func(w *jsonx.Writer) {
			w.KeyLit("kind")
			w.String(string(ae.Kind))
			w.KeyLit("httpStatus")
			w.Int(int64(ae.HTTPStatus))
			w.KeyLit("messageKey")
			w.String(ae.MessageKey)
			w.KeyLit("statusMessage")
			w.String(ae.StatusMessage)
			w.KeyLit("retryable")
			w.Bool(reservation.IsRetryable(ae))
			w.KeyLit("outcomeUnknown")
			w.Bool(ae.OutcomeUnknown())
			w.KeyLit("errors")
			w.BeginArray()
			for _, s := range ae.Errors {
				w.String(s)
			}
			w.EndArray()
			if ae.RequestID != "" {
				w.KeyLit("requestId")
				w.String(ae.RequestID)
			}
		}}
	}
	return &opError{code: abi.CodeInternal, message: fn + ": " + err.Error()}
}

// validate checks a FrontGo request body as FrontGo would.
// Input: {"reservationUuid"?, "payload"?, "now"?, "taxRates"?, "start"?, "end"?}.
// Data: {"valid": true}.
func validate(fn, op string, v jsonx.Value, w *jsonx.Writer) *opError {
	in := &input{v: v, fn: fn}
	var err error
	switch op {
	case reservation.OpSubmit, reservation.OpCreate:
		in.only(membersValidateNew, "")
		o := in.options()
		payload := in.object("payload", true)
		if e := in.failed(); e != nil {
			return e
		}
		// The payload was parsed with the input: check it in place.
		err = reservation.ValidateNewValue(op, payload, o)
	case reservation.OpDetails:
		in.only(membersValidateDetails, "")
		in.options()
		uuid := in.str("reservationUuid", false)
		if e := in.failed(); e != nil {
			return e
		}
		err = reservation.ValidateDetails(uuid)
	case reservation.OpHistory:
		in.only(membersValidateHistory, "")
		in.options()
		start, end := in.str("start", false), in.str("end", false)
		if e := in.failed(); e != nil {
			return e
		}
		err = reservation.ValidateHistory(start, end)
	default:
		in.only(membersValidateBody, "")
		o := in.options()
		uuid := in.str("reservationUuid", false)
		body := in.doc("payload", true)
		if e := in.failed(); e != nil {
			return e
		}
		switch op {
		case reservation.OpCapture:
			err = reservation.ValidateCapture(uuid, body)
		case reservation.OpCharge:
			err = reservation.ValidateCharge(uuid, body, o)
		case reservation.OpCancel:
			err = reservation.ValidateCancel(uuid, body)
		case reservation.OpComplete:
			err = reservation.ValidateComplete(uuid, body)
		case reservation.OpResend:
			err = reservation.ValidateResend(uuid, body)
		case reservation.OpRefund:
			err = reservation.ValidateRefund(uuid, body)
		}
	}
	if err != nil {
		return fromErr(in.fn, err)
	}
	w.BeginObject()
	w.KeyLit("valid")
	w.Bool(true)
	w.EndObject()
	return nil
}

// writeRequest writes the data of a build operation: the HTTP request to
// send FrontGo, relative to its API base.
func writeRequest(w *jsonx.Writer, method, path string, body []byte) {
	writeRequestHead(w, method, path)
	if body != nil {
		w.KeyLit("body")
		w.Raw(body)
	}
	w.EndObject()
}

// writeRequestHead opens a request and writes its method and path; a body
// and the closing brace follow.
func writeRequestHead(w *jsonx.Writer, method, path string) {
	w.BeginObject()
	w.KeyLit("method")
	w.String(method)
	w.KeyLit("path")
	w.String(path)
}
