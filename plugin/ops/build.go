package ops

import (
	"bytes"
	"strconv"
	"sync"

	"github.com/frontgate/frontgate/plugin/internal/jsonx"
	"github.com/frontgate/frontgate/plugin/money"
	"github.com/frontgate/frontgate/plugin/reservation"
)

// build produces the HTTP request for an operation from shop-neutral input
// (money in øre). Data: {"method", "path", "body"?}. fn is the export's
// name (build_<op>).
func build(fn, op string, v jsonx.Value, w *jsonx.Writer) *opError {
	in := &input{v: v, fn: fn}
	var body []byte
	var err error
	switch op {
	case reservation.OpSubmit, reservation.OpCreate:
		if err := buildNew(in, op, w); err != nil {
			return fromErr(in.fn, err)
		}
		return nil
	case reservation.OpDetails:
		uuid := in.str("reservationUuid", true)
		if e := in.failed(); e != nil {
			return e
		}
		path, err := reservation.Path(op, uuid)
		if err != nil {
			return fromErr(in.fn, err)
		}
		writeRequest(w, "GET", path, nil)
		return nil
	case reservation.OpHistory:
		start, end, now := in.int("start", false), in.int("end", false), in.int("now", false)
		if start == 0 && end == 0 && now == 0 {
			in.bad("now", reservation.RuleRequired, "is required when start and end are not given")
		}
		if e := in.failed(); e != nil {
			return e
		}
		path, err := reservation.HistoryPath(start, end, now)
		if err != nil {
			return fromErr(in.fn, err)
		}
		writeRequest(w, "GET", path, nil)
		return nil
	case reservation.OpCapture:
		uuid := in.str("reservationUuid", true)
		c := &reservation.Capture{Products: in.lineAmounts(), AdditionalText: in.str("additionalText", false)}
		if e := in.failedOrInvalid(op); e != nil {
			return e
		}
		c.GrandTotal = reservation.SumLines(c.Products)
		body, err = reservation.BuildCapture(uuid, c)
	case reservation.OpCharge:
		o := in.options()
		uuid := in.str("reservationUuid", true)
		c := &reservation.Charge{Products: in.chargeLines(), AdditionalText: in.str("additionalText", false)}
		if e := in.failedOrInvalid(op); e != nil {
			return e
		}
		c.GrandTotal = reservation.SumProducts(c.Products)
		body, err = reservation.BuildCharge(uuid, c, o)
	case reservation.OpCancel, reservation.OpComplete:
		uuid := in.str("reservationUuid", true)
		note := in.str("note", false)
		if e := in.failed(); e != nil {
			return e
		}
		if op == reservation.OpCancel {
			body, err = reservation.BuildCancel(uuid, note)
		} else {
			body, err = reservation.BuildComplete(uuid, note)
		}
	case reservation.OpResend:
		uuid := in.str("reservationUuid", true)
		r := &reservation.Resend{CountryCode: in.str("countryCode", false), MSISDN: in.str("msisdn", false), Email: in.str("email", false)}
		if e := in.failed(); e != nil {
			return e
		}
		body, err = reservation.BuildResend(uuid, r)
	case reservation.OpRefund:
		uuid := in.str("reservationUuid", true)
		r := &reservation.Refund{Products: in.lineAmounts(), Source: in.str("source", false), Reference: in.str("reference", false)}
		if e := in.failedOrInvalid(op); e != nil {
			return e
		}
		r.GrandTotal = reservation.SumLines(r.Products)
		body, err = reservation.BuildRefund(uuid, r)
	}
	if err != nil {
		return fromErr(in.fn, err)
	}
	uuid, _ := v.Get("reservationUuid").Str()
	path, err := reservation.Path(op, uuid)
	if err != nil {
		return fromErr(in.fn, err)
	}
	writeRequest(w, reservation.Method(op), path, body)
	return nil
}

// checkedOrders holds the CheckedOrders buildNew decodes orders into; one
// whose lines grew past maxPooledLines is left to the collector.
var checkedOrders sync.Pool // of *reservation.CheckedOrder

// buildNew writes the request of submit or create, built from {"order"}
// (shop-neutral) or {"payload"} (FrontGo's own shape), with the callback
// URLs optionally replaced from {"callback": {"callbackUrl", "success",
// "failure"}}. An order's body is written straight into w. On an error w
// holds part of the request: the caller discards it.
func buildNew(in *input, op string, w *jsonx.Writer) error {
	o := in.options()
	order, payload := in.object("order", false), in.object("payload", false)
	if order.Exists() == payload.Exists() && len(in.errs) == 0 {
		in.bad("order", reservation.RuleRequiredOneOf, "give either order (shop-neutral) or payload (FrontGo's shape)")
	}
	var cb struct{ set, url, success, failure string }
	if c := in.v.Get("callback"); !c.Absent() {
		if c.Kind() != jsonx.Object {
			in.bad("callback", reservation.RuleType, "must be an object")
		} else {
			sub := &input{v: c, fn: in.fn}
			cb.set = "yes"
			// Borrowed: they are written into the request before the call returns.
			cb.url, cb.success, cb.failure = sub.text("callbackUrl", false), sub.text("success", false), sub.text("failure", false)
			for _, u := range []struct{ name, v string }{{"callbackUrl", cb.url}, {"success", cb.success}, {"failure", cb.failure}} {
				if u.v != "" && !reservation.ValidURL(u.v) {
					sub.bad(u.name, reservation.RuleURL, "must be an absolute http or https URL")
				}
			}
			for _, f := range sub.errs {
				in.bad("callback."+f.Path, f.Rule, f.Message)
			}
		}
	}
	if e := in.failed(); e != nil {
		return e.asError()
	}
	path, err := reservation.Path(op, "")
	if err != nil {
		return err
	}
	if order.Exists() {
		// Into a pooled CheckedOrder, whose lines are reused.
		co, _ := checkedOrders.Get().(*reservation.CheckedOrder)
		if co == nil {
			co = new(reservation.CheckedOrder)
		}
		defer func() {
			if cap(co.Order().Lines) <= maxPooledLines {
				co.Forget() // no texts of this input stay in the pool
				checkedOrders.Put(co)
			}
		}()
		if err := reservation.DecodeCheckedInto(order, o, co); err != nil {
			return prefixed(err, "order")
		}
		// Without a callback object the replacements are empty: the
		// order's own URLs stay.
		writeRequestHead(w, reservation.Method(op), path)
		w.KeyLit("body")
		if err := co.BuildTo(w, op, o, cb.url, cb.success, cb.failure); err != nil {
			return prefixed(err, "order")
		}
		w.EndObject()
		return nil
	}
	r, err := reservation.DecodeNew(op, payload.Raw(), o)
	if err != nil {
		return prefixed(err, "payload")
	}
	if cb.set != "" {
		r.CallbackURL, r.SuccessURL, r.FailureURL = cb.url, cb.success, cb.failure
	}
	var b []byte
	if op == reservation.OpSubmit {
		r.SuccessURL, r.FailureURL = "", ""
		b, err = reservation.BuildSubmit(r, o)
	} else {
		b, err = reservation.BuildCreate(r, o)
	}
	if err != nil {
		return prefixed(err, "payload")
	}
	writeRequest(w, reservation.Method(op), path, b)
	return nil
}

func prefixed(err error, prefix string) error {
	if err == nil {
		return nil
	}
	if ve, ok := err.(*reservation.ValidationError); ok {
		return ve.Prefixed(prefix)
	}
	return err
}

// linesArray returns the input's "lines", recording why when it is not a
// non-empty array (what, the shape of one line, for the message).
func (in *input) linesArray(what string) (jsonx.Value, bool) {
	ls := in.v.Get("lines")
	switch ls.Kind() {
	case jsonx.Array:
		if ls.Len() == 0 {
			in.bad("lines", reservation.RuleRequired, "must hold at least one line "+what)
			return ls, false
		}
		return ls, true
	case jsonx.Invalid, jsonx.Null:
		in.bad("lines", reservation.RuleRequired, "is required: an array of "+what)
	default:
		in.bad("lines", reservation.RuleType, "must be an array of "+what)
	}
	return ls, false
}

// lineAmounts reads "lines": [{"id", "amount" (øre)}]. Every rule a line
// can break is reported at the caller's own lines.N.…, not at the
// FrontGo body's products.N.… built from it.
func (in *input) lineAmounts() []reservation.LineAmount {
	ls, ok := in.linesArray("{id, amount}")
	if !ok {
		return nil
	}
	out := make([]reservation.LineAmount, 0, ls.Len())
	for it := ls.Iter(); it.Next(); {
		i, e := it.Index(), it.Value()
		sub := &input{v: e, fn: in.fn}
		if e.Kind() != jsonx.Object {
			in.bad("lines."+strconv.Itoa(i), reservation.RuleType, "must be an object")
			continue
		}
		l := reservation.LineAmount{ID: sub.int("id", true), Amount: money.Amount(sub.int("amount", true))}
		if len(sub.errs) == 0 {
			if l.ID <= 0 {
				sub.invalid("id", reservation.RuleMin, "must be a product line id, greater than 0")
			}
			if l.Amount <= 0 {
				sub.invalid("amount", reservation.RuleMin, "must be greater than 0 (øre)")
			} else if l.Amount > money.MaxAmount {
				sub.invalid("amount", reservation.RuleRange, "must be at most "+strconv.FormatInt(int64(money.MaxAmount), 10)+" øre")
			}
		}
		in.adopt(sub, "lines."+strconv.Itoa(i)+".")
		out = append(out, l)
	}
	return out
}

// chargeLines reads "lines": [{"name", "sku", "unitPrice" (øre), "quantity",
// "taxRate" (percent, a number or a string holding one, as in orders)}]
// into product lines, reporting every rule at lines.N.… as lineAmounts does.
func (in *input) chargeLines() []reservation.Product {
	ls, ok := in.linesArray("{name, unitPrice, quantity, taxRate}")
	if !ok {
		return nil
	}
	out := make([]reservation.Product, 0, ls.Len())
	for it := ls.Iter(); it.Next(); {
		i, e := it.Index(), it.Value()
		p := "lines." + strconv.Itoa(i)
		if e.Kind() != jsonx.Object {
			in.bad(p, reservation.RuleType, "must be an object")
			continue
		}
		sub := &input{v: e, fn: in.fn}
		name, sku := sub.str("name", true), sub.str("sku", false)
		unit, qty := money.Amount(sub.int("unitPrice", true)), sub.int("quantity", true)
		rate := sub.taxRate("taxRate")
		total, err := unit.Mul(qty)
		if len(sub.errs) == 0 && len(sub.vals) == 0 {
			switch {
			case unit < 0:
				sub.invalid("unitPrice", reservation.RuleMin, "must not be negative")
			case qty <= 0:
				sub.invalid("quantity", reservation.RuleMin, "must be greater than 0")
			case err != nil:
				sub.invalid("quantity", reservation.RuleRange, "unit price × quantity is out of range")
			}
		}
		in.adopt(sub, p+".")
		out = append(out, reservation.Product{Name: name, ProductID: sku, Rate: unit, Tax: rate, Amount: total})
	}
	return out
}

// taxRate reads a required tax rate in percent: a number, or a string
// holding one (with blanks around it, as orders take it).
func (in *input) taxRate(name string) money.Rate {
	v := in.v.Get(name)
	var text []byte
	switch v.Kind() {
	case jsonx.Number:
		text = v.Raw()
	case jsonx.String:
		b, _ := v.StrBytes()
		text = bytes.TrimSpace(b)
	case jsonx.Invalid, jsonx.Null:
		in.bad(name, reservation.RuleRequired, "is required: the tax rate in percent")
		return 0
	default:
		in.bad(name, reservation.RuleType, "must be a number (percent)")
		return 0
	}
	r, err := money.ParseRate(text)
	if err != nil || r < 0 || r > money.Percent(100) {
		in.invalid(name, reservation.RuleTaxRate, "must be a percentage between 0 and 100")
		return 0
	}
	return r
}

// adopt records sub's errors as in's, under prefix.
func (in *input) adopt(sub *input, prefix string) {
	for _, f := range sub.errs {
		in.bad(prefix+f.Path, f.Rule, f.Message)
	}
	for _, f := range sub.vals {
		in.invalid(prefix+f.Path, f.Rule, f.Message)
	}
}

func (e *opError) asError() error { return opErr{e} }

type opErr struct{ e *opError }

func (o opErr) Error() string { return o.e.message }
