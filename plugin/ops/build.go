package ops

import (
	"bytes"
	"strconv"
	"strings"
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
		in.only(membersBuildNew, "")
		if err := buildNew(in, op, w); err != nil {
			return fromErr(in.fn, err)
		}
		return nil
	case reservation.OpDetails:
		in.only(membersBuildDetails, "")
		in.options()
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
		in.only(membersBuildHistory, "")
		o := in.options()
		start, end := in.setting("start", false), in.setting("end", false)
		var now int64
		if !o.Now.IsZero() {
			now = o.Now.Unix()
		}
		if start == 0 && end == 0 && now == 0 && in.v.Get("now").Absent() {
			in.bad("now", reservation.RuleRequired, "is required when start and end are not given")
		}
		if e := in.failed(); e != nil {
			return e
		}
		if start == 0 && end == 0 && now == 0 {
			in.invalid("now", reservation.RuleMin, "must be greater than 0 when start and end are not given")
			return in.failedOrInvalid(op)
		}
		path, err := reservation.HistoryPath(start, end, now)
		if err != nil {
			return fromErr(in.fn, err)
		}
		writeRequest(w, "GET", path, nil)
		return nil
	case reservation.OpCapture:
		in.only(membersBuildLines, "")
		in.options()
		uuid := in.str("reservationUuid", true)
		c := &reservation.Capture{Products: in.lineAmounts(), AdditionalText: in.str("additionalText", false)}
		if e := in.failedOrInvalid(op); e != nil {
			return e
		}
		c.GrandTotal = reservation.SumLines(c.Products)
		body, err = reservation.BuildCapture(uuid, c)
		err = inputPaths(err, nil, lineAmountMember)
	case reservation.OpCharge:
		in.only(membersBuildLines, "")
		o := in.options()
		uuid := in.str("reservationUuid", true)
		products, from := in.chargeLines(o)
		c := &reservation.Charge{Products: products, AdditionalText: in.str("additionalText", false)}
		if e := in.failedOrInvalid(op); e != nil {
			return e
		}
		c.GrandTotal = reservation.SumProducts(c.Products)
		body, err = reservation.BuildCharge(uuid, c, o)
		err = inputPaths(err, from, chargeMember)
	case reservation.OpCancel, reservation.OpComplete:
		in.only(membersBuildNote, "")
		in.options()
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
		in.only(membersBuildResend, "")
		in.options()
		uuid := in.str("reservationUuid", true)
		r := &reservation.Resend{CountryCode: in.str("countryCode", false), MSISDN: in.str("msisdn", false), Email: in.str("email", false)}
		if e := in.failed(); e != nil {
			return e
		}
		body, err = reservation.BuildResend(uuid, r)
	case reservation.OpRefund:
		in.only(membersBuildRefund, "")
		in.options()
		uuid := in.str("reservationUuid", true)
		r := &reservation.Refund{Products: in.lineAmounts(), Source: in.str("source", false), Reference: in.str("reference", false)}
		if e := in.failedOrInvalid(op); e != nil {
			return e
		}
		r.GrandTotal = reservation.SumLines(r.Products)
		body, err = reservation.BuildRefund(uuid, r)
		err = inputPaths(err, nil, lineAmountMember)
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
	// Each URL given in "callback" replaces the order's (or payload's) own
	// of that name; one left out keeps it, so a caller that replaces only
	// callbackUrl keeps the shop's return pages.
	var cb struct{ url, success, failure string }
	if c := in.v.Get("callback"); !c.Absent() {
		if c.Kind() != jsonx.Object {
			in.bad("callback", reservation.RuleType, "must be an object")
		} else {
			sub := &input{v: c, fn: in.fn}
			sub.only(membersCallback, "callback")
			// Borrowed: they are written into the request before the call returns.
			cb.url, cb.success, cb.failure = sub.text("callbackUrl", false), sub.text("success", false), sub.text("failure", false)
			for _, u := range []struct{ name, v string }{{"callbackUrl", cb.url}, {"success", cb.success}, {"failure", cb.failure}} {
				switch {
				case op == reservation.OpSubmit && u.name != "callbackUrl" && !c.Get(u.name).Absent():
					sub.bad(u.name, reservation.RuleUnknown, "return pages belong to a session checkout (build_create), not to a payment link (build_submit)")
				case u.v == "" && c.Get(u.name).Kind() == jsonx.String:
					sub.bad(u.name, reservation.RuleURL, "must be an absolute http or https URL; leave it out to keep the order's own")
				case u.v != "" && !reservation.ValidURL(u.v):
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
		// Without a callback object, or for a URL it leaves out, the
		// replacement is empty: the order's own URL stays.
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
	if cb.url != "" {
		r.CallbackURL = cb.url
	}
	if cb.success != "" {
		r.SuccessURL = cb.success
	}
	if cb.failure != "" {
		r.FailureURL = cb.failure
	}
	var b []byte
	if op == reservation.OpSubmit {
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
	if ls.Len() > reservation.MaxLines {
		in.invalid("lines", reservation.RuleMaxItems, "must hold at most "+strconv.Itoa(reservation.MaxLines)+" lines")
		return nil
	}
	out := make([]reservation.LineAmount, 0, ls.Len())
	var sum money.Amount
	sumOK := true
	for it := ls.Iter(); it.Next(); {
		i, e := it.Index(), it.Value()
		sub := &input{v: e, fn: in.fn}
		if e.Kind() != jsonx.Object {
			in.bad("lines."+strconv.Itoa(i), reservation.RuleType, "must be an object")
			continue
		}
		sub.only(membersLineAmount, "a line {id, amount}")
		l := reservation.LineAmount{ID: sub.int("id", true), Amount: money.Amount(sub.int("amount", true))}
		if len(sub.errs) == 0 && len(sub.vals) == 0 { // not a number past int64 either
			if l.ID <= 0 {
				sub.invalid("id", reservation.RuleMin, "must be a product line id, greater than 0")
			} else {
				for _, o := range out {
					if o.ID == l.ID {
						sub.invalid("id", reservation.RuleDistinct, "product "+strconv.FormatInt(l.ID, 10)+" appears more than once")
						break
					}
				}
			}
			if l.Amount <= 0 {
				sub.invalid("amount", reservation.RuleMin, "must be greater than 0 (øre)")
			} else if l.Amount > money.MaxAmount {
				sub.invalid("amount", reservation.RuleRange, "must be at most "+strconv.FormatInt(int64(money.MaxAmount), 10)+" øre")
			} else if s, err := sum.Add(l.Amount); err == nil && sumOK {
				sum = s
			} else {
				sumOK = false
			}
		}
		in.adopt(sub, "lines."+strconv.Itoa(i)+".")
		out = append(out, l)
	}
	if !sumOK || sum > money.MaxAmount {
		in.invalid("lines", reservation.RuleRange, "the lines add up to more than "+strconv.FormatInt(int64(money.MaxAmount), 10)+" øre")
	}
	return out
}

// chargeLines reads "lines": the same lines as an order's, [{"kind"?,
// "name", "sku"?, "unitPrice" (øre), "quantity", "taxRate" (percent, a
// number or a string holding one), "discount"? (øre)}], into FrontGo
// product lines exactly as an order's lines become them
// (reservation.CheckLine, AppendLineProducts): a discount comes off the
// line, which splits in two when it no longer divides into whole units.
// from[i] is the input line of product i. Every rule is reported at the
// caller's own lines.N.…, as lineAmounts does.
func (in *input) chargeLines(o reservation.Options) (products []reservation.Product, from []int) {
	ls, ok := in.linesArray("{name, unitPrice, quantity, taxRate}")
	if !ok {
		return nil, nil
	}
	if ls.Len() > reservation.MaxLines {
		in.invalid("lines", reservation.RuleMaxItems, "must hold at most "+strconv.Itoa(reservation.MaxLines)+" lines")
		return nil, nil
	}
	problems := len(in.errs) + len(in.vals)
	products = make([]reservation.Product, 0, ls.Len())
	from = make([]int, 0, ls.Len())
	for it := ls.Iter(); it.Next(); {
		i, e := it.Index(), it.Value()
		p := "lines." + strconv.Itoa(i)
		if e.Kind() != jsonx.Object {
			in.bad(p, reservation.RuleType, "must be an object")
			continue
		}
		sub := &input{v: e, fn: in.fn}
		sub.only(membersChargeLine, "a charge line")
		l := reservation.OrderLine{
			Kind: sub.str("kind", false), Name: sub.str("name", true), SKU: sub.str("sku", false),
			UnitPrice: money.Amount(sub.int("unitPrice", true)), Quantity: sub.int("quantity", true),
			TaxRate: sub.taxRate("taxRate"), Discount: money.Amount(sub.int("discount", false)),
		}
		ok := len(sub.errs) == 0 && len(sub.vals) == 0
		in.adopt(sub, p+".")
		if !ok {
			continue
		}
		t, fe := reservation.CheckLine(&l, i, o)
		for _, f := range fe {
			in.invalid(f.Path, f.Rule, f.Message)
		}
		if len(fe) > 0 {
			continue
		}
		products = reservation.AppendLineProducts(products, &l, t)
		for len(from) < len(products) {
			from = append(from, i)
		}
	}
	if len(in.errs)+len(in.vals) > problems {
		return products, from // the total of some lines is not known
	}
	var sum money.Amount
	for _, pr := range products {
		sum += pr.Amount // each at most MaxAmount, at most MaxLines of them: no overflow
	}
	switch {
	case sum == 0:
		in.invalid("lines", reservation.RuleMin, "must charge more than 0")
	case sum > money.MaxAmount:
		in.invalid("lines", reservation.RuleRange, "the lines add up to more than "+strconv.FormatInt(int64(money.MaxAmount), 10)+" øre")
	case len(products) > reservation.MaxLines:
		in.invalid("lines", reservation.RuleMaxItems, "become more than "+strconv.Itoa(reservation.MaxLines)+" FrontGo lines")
	}
	return products, from
}

// lineAmountMember and chargeMember name the input line's member a FrontGo
// product's member comes from ("" for the line as a whole).
func lineAmountMember(m string) string { return m }

func chargeMember(m string) string {
	switch m {
	case "name":
		return "name"
	case "productId":
		return "sku"
	case "rate":
		return "unitPrice"
	case "tax":
		return "taxRate"
	}
	return "" // amount: unit price × quantity less the discount
}

// inputPaths rewrites the paths of a validation error found in the FrontGo
// body built from the input's lines into the input's own: products.N.… is
// the line it came from (from[N]; nil means the same index) with member
// named by member, products and grandTotal (computed from the lines) are
// lines. The checks above find every rule first; this keeps a rule they
// missed from naming a path the caller never sent.
func inputPaths(err error, from []int, member func(string) string) error {
	ve, ok := err.(*reservation.ValidationError)
	if !ok {
		return err
	}
	out := &reservation.ValidationError{Op: ve.Op, Fields: make([]reservation.FieldError, 0, len(ve.Fields))}
	for _, f := range ve.Fields {
		switch {
		case f.Path == "products" || f.Path == "grandTotal":
			f.Path = "lines"
		case strings.HasPrefix(f.Path, "products."):
			idx, m, _ := strings.Cut(f.Path[len("products."):], ".")
			n, err := strconv.Atoi(idx)
			switch {
			case err != nil || n < 0 || (from != nil && n >= len(from)):
				f.Path = "lines"
			default:
				if from != nil {
					n = from[n]
				}
				f.Path = "lines." + strconv.Itoa(n)
				if name := member(m); name != "" {
					f.Path += "." + name
				}
			}
		}
		out.Fields = append(out.Fields, f)
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
	switch {
	case err == money.ErrPrecision:
		in.invalid(name, reservation.RulePrecision, "must have at most two decimal places (percent)")
		return 0
	case err != nil || r < 0 || r > money.Percent(100):
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
