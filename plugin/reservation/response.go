package reservation

import (
	"bytes"
	"strconv"
	"strings"
	"unsafe"

	"github.com/frontgate/frontgate/plugin/internal/jsonx"
	"github.com/frontgate/frontgate/plugin/internal/text"
	"github.com/frontgate/frontgate/plugin/money"
)

// Response is what a caller hands the parsers: the HTTP status, the body,
// and the request id header if FrontGo sent one.
type Response struct {
	Status    int
	Body      []byte
	RequestID string

	parsed jsonx.Value // the body already parsed (WithParsedBody), or absent
}

// WithParsedBody returns r with its body given as a value the core's JSON
// parser has already read, an object or an array: the core's parse
// operations receive the body that way inside their own input (ABI 1.1) and
// so do not parse it twice. Body becomes the value's source bytes, and the
// value's document must outlive every use of the result.
func (r Response) WithParsedBody(body jsonx.Value) Response {
	r.parsed, r.Body = body, body.Raw()
	return r
}

// Created is the data of a successful submit or create: the reservation,
// its customer, and the URL the shopper pays at (checkoutUrl for submit,
// paymentUrl for create).
type Created struct {
	CustomerUUID    string
	ReservationUUID string
	URL             string
	Message         string
}

// Transaction is the data of a successful capture or charge: the CAP… or
// CHA… identifier a refund later names as its reference.
type Transaction struct {
	UUID    string
	Message string
}

// Ack is the answer of operations that return no data: cancel, complete,
// resend and refund. Message is the provider's message key.
type Ack struct {
	Message string
}

// respChecker collects shape problems of a response body.
type respChecker struct{ checker }

func (c *respChecker) fail(op string, r Response, msg string) error {
	return &APIError{Op: op, Kind: KindMalformed, HTTPStatus: r.Status, MessageKey: strings.Clone(msg), Fields: c.errs, RequestID: r.RequestID}
}

// envelope parses FrontGo's common envelope. It returns the data member of
// a success, or the decoded *APIError of a failure.
//
// The data Value belongs to the returned Doc, which the caller releases
// once it has copied out what it keeps; on an error, or when r's body came
// parsed, the Doc is nil (releasing nil does nothing).
func envelope(op string, r Response) (*jsonx.Doc, jsonx.Value, string, error) {
	return envelopeOf(op, r, false)
}

// envelopeOf is envelope whose message shares r's bytes when borrow is set
// and it holds no escapes (see ParseDetailsBorrowed).
func envelopeOf(op string, r Response, borrow bool) (*jsonx.Doc, jsonx.Value, string, error) {
	var d *jsonx.Doc // nil when the body came parsed: its document is not ours to release
	var perr error
	root := r.parsed
	if !root.Exists() {
		if d, perr = jsonx.ParseTemp(r.Body); perr == nil {
			root = d.Root()
		}
	}
	code := r.Status
	if sc, ok := root.Get("status_code").Int(); ok && sc != 0 {
		if code < 300 && sc >= 300 { // trust the worse of the two
			code = int(sc)
		}
	}
	var msg string
	if borrow {
		b, _ := root.Get("message").StrBytes()
		msg = unsafe.String(unsafe.SliceData(b), len(b))
	} else {
		msg, _ = root.Get("message").Str()
	}
	if code >= 200 && code < 300 {
		if perr != nil {
			return nil, jsonx.Value{}, "", &APIError{Op: op, Kind: KindMalformed, HTTPStatus: r.Status, RequestID: r.RequestID,
				Fields: []FieldError{{Rule: RuleJSON, Message: perr.Error()}}}
		}
		if root.Kind() != jsonx.Object {
			d.Release()
			return nil, jsonx.Value{}, "", &APIError{Op: op, Kind: KindMalformed, HTTPStatus: r.Status, RequestID: r.RequestID,
				Fields: []FieldError{{Rule: RuleType, Message: "the body must be a JSON object"}}}
		}
		return d, root.Get("data"), msg, nil
	}
	e := &APIError{Op: op, Kind: kindOf(code), HTTPStatus: code, RequestID: r.RequestID, MessageKey: strings.Clone(msg)}
	if perr != nil || root.Kind() != jsonx.Object {
		// Not JSON (a proxy's HTML page, or the reference's own
		// non-JSON 510 example): keep what can be recovered.
		e.MessageKey = scanMessage(r.Body)
		d.Release()
		return nil, jsonx.Value{}, "", e
	}
	e.StatusMessage, _ = root.Get("status_message").Str()
	errs := root.Get("errors")
	e.Errors = flattenErrors(errs)
	// The reference: validation errors other than the 417 "return
	// appropriate HTTP error codes (e.g., 400 Bad Request) along with error
	// messages specifying the invalid or missing fields". A 400 whose errors
	// are keyed by field is such a one, unless it says it is a business
	// refusal ("Conflict of Business Logic", whose errors may be an object
	// of details too).
	if e.Kind == KindBusiness && e.HTTPStatus == 400 && e.StatusMessage != "Conflict of Business Logic" &&
		errs.Kind() == jsonx.Object && errs.Len() > 0 {
		e.Kind = KindValidation
	}
	if e.Kind == KindValidation {
		e.Fields = validationFields(errs)
	}
	d.Release()
	return nil, jsonx.Value{}, "", e
}

// flattenErrors turns FrontGo's `errors` member into strings: it may be an
// array of strings (the demo API), an object of strings or string arrays,
// or a single string; the reference also shows the placeholder "Array".
func flattenErrors(v jsonx.Value) []string {
	var out []string
	var add func(prefix string, v jsonx.Value)
	add = func(prefix string, v jsonx.Value) {
		switch v.Kind() {
		case jsonx.String:
			s, _ := v.Str()
			if prefix != "" {
				s = prefix + ": " + s
			}
			out = append(out, text.Cut(s, 500))
		case jsonx.Number, jsonx.Bool:
			s := string(v.Raw())
			if prefix != "" {
				s = prefix + ": " + s
			}
			out = append(out, s)
		case jsonx.Array:
			for it := v.Iter(); it.Next(); {
				_, e := it.Index(), it.Value()
				add(prefix, e)
			}
		case jsonx.Object:
			for k, e := range v.Members() {
				add(join(prefix, k), e)
			}
		}
	}
	add("", v)
	if len(out) > 100 {
		out = out[:100]
	}
	return out
}

// validationFields maps a 417's errors to field errors where FrontGo keyed
// them by field (Laravel's {"field": ["message"]}); plain strings keep an
// empty path.
func validationFields(v jsonx.Value) []FieldError {
	var out []FieldError
	switch v.Kind() {
	case jsonx.Object:
		for k, e := range v.Members() {
			for _, s := range flattenErrors(e) {
				out = append(out, FieldError{Path: k, Rule: RuleFrontGo, Message: s})
			}
		}
	default:
		for _, s := range flattenErrors(v) {
			out = append(out, FieldError{Rule: RuleFrontGo, Message: s})
		}
	}
	return out
}

// scanMessage recovers the "message" value from a body that is not valid
// JSON, or returns "".
func scanMessage(b []byte) string {
	i := bytes.Index(b, []byte(`"message"`))
	if i < 0 {
		return ""
	}
	rest := bytes.TrimLeft(b[i+len(`"message"`):], " \t\r\n")
	if len(rest) == 0 || rest[0] != ':' {
		return ""
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) == 0 || rest[0] != '"' {
		return ""
	}
	// Find the closing quote: one not escaped by an odd run of backslashes.
	end := -1
	for i := 1; i < len(rest); i++ {
		if rest[i] != '"' {
			continue
		}
		bs := 0
		for j := i - 1; j >= 1 && rest[j] == '\\'; j-- {
			bs++
		}
		if bs%2 == 0 {
			end = i
			break
		}
	}
	if end < 0 {
		return ""
	}
	return text.Cut(strings.ToValidUTF8(string(rest[1:end]), "\uFFFD"), 200)
}

// ParseSubmit parses the answer to Submit Reservation (201 with
// customerUuid, reservationUuid and checkoutUrl).
func ParseSubmit(r Response) (*Created, error) {
	return parseCreated(OpSubmit, "checkoutUrl", r, false)
}

// ParseCreate parses the answer to Create Session for Reservation (201 with
// customerUuid, reservationUuid and paymentUrl).
func ParseCreate(r Response) (*Created, error) { return parseCreated(OpCreate, "paymentUrl", r, false) }

// ParseSubmitBorrowed and ParseCreateBorrowed are ParseSubmit and
// ParseCreate whose identifiers and URL share r.Body's bytes where they
// hold no escapes (see ParseDetailsBorrowed).
func ParseSubmitBorrowed(r Response) (*Created, error) {
	return parseCreated(OpSubmit, "checkoutUrl", r, true)
}

// ParseCreateBorrowed: see ParseSubmitBorrowed.
func ParseCreateBorrowed(r Response) (*Created, error) {
	return parseCreated(OpCreate, "paymentUrl", r, true)
}

// ParseCreatedInto is ParseSubmitBorrowed (op OpSubmit) or
// ParseCreateBorrowed (OpCreate) writing into *out instead of a new
// Created: a caller that keeps the result on its stack allocates nothing
// (an allocation is a twentieth of parse_create in the wasm guest). On an
// error the contents of *out mean nothing.
func ParseCreatedInto(op string, r Response, out *Created) error {
	urlKey := "paymentUrl"
	if op == OpSubmit {
		urlKey = "checkoutUrl"
	}
	return parseCreatedInto(op, urlKey, r, true, out)
}

func parseCreated(op, urlKey string, r Response, borrow bool) (*Created, error) {
	out := &Created{}
	if err := parseCreatedInto(op, urlKey, r, borrow, out); err != nil {
		return nil, err
	}
	return out, nil
}

func parseCreatedInto(op, urlKey string, r Response, borrow bool, out *Created) error {
	d, data, msg, err := envelopeOf(op, r, borrow)
	if err != nil {
		return err
	}
	defer d.Release() // what is kept is copied out of the document, or borrowed from r.Body
	c := respChecker{checker{borrow: borrow}}
	*out = Created{Message: msg}
	if c.object(data, at("data"), true) {
		out.CustomerUUID, _ = c.str(data.Get("customerUuid"), at("data.customerUuid"), false, 64)
		if s, ok := c.str(data.Get("reservationUuid"), at("data.reservationUuid"), true, 64); ok {
			if !validReservationUUID(s) {
				c.add(at("data.reservationUuid"), RuleUUID, "is not a reservation identifier")
			}
			out.ReservationUUID = s
		}
		dp := at("data")
		if u, ok := c.url(data.Get(urlKey), dp.at(urlKey), true); ok {
			out.URL = c.keep(u)
		}
	}
	if len(c.errs) > 0 {
		return c.fail(op, r, msg)
	}
	return nil
}

// ParseCapture parses the answer to Capture Reservation (202 with the
// capture's uuid).
func ParseCapture(r Response) (*Transaction, error) { return parseTransaction(OpCapture, r) }

// ParseCharge parses the answer to Charge Reservation (202 with the
// charge's uuid).
func ParseCharge(r Response) (*Transaction, error) { return parseTransaction(OpCharge, r) }

func parseTransaction(op string, r Response) (*Transaction, error) {
	d, data, msg, err := envelope(op, r)
	if err != nil {
		return nil, err
	}
	defer d.Release() // everything kept is copied out of the document
	var c respChecker
	out := &Transaction{Message: msg}
	if c.object(data, at("data"), true) {
		out.UUID, _ = c.str(data.Get("uuid"), at("data.uuid"), true, 64)
	}
	if len(c.errs) > 0 {
		return nil, c.fail(op, r, msg)
	}
	return out, nil
}

// ParseAck parses the answer to cancel, complete, resend or refund: a 202
// whose data is null.
func ParseAck(op string, r Response) (*Ack, error) {
	d, _, msg, err := envelope(op, r)
	d.Release()
	if err != nil {
		return nil, err
	}
	return &Ack{Message: msg}, nil
}

// HistoryEvent is one entry of Get Reservation History.
type HistoryEvent struct {
	UUID          string
	Title         string // e.g. "refund-sent-from-captured"
	DateTime      string // "21.01.2024 04:00", FrontGo's local time
	SentTo        string
	ActionBy      string
	Note          string
	PaymentMethod string
	IsRefundable  bool
	Amount        money.Amount
}

// ParseHistory parses the answer to Get Reservation History.
func ParseHistory(r Response) ([]HistoryEvent, error) {
	d, data, msg, err := envelope(OpHistory, r)
	if err != nil {
		return nil, err
	}
	defer d.Release() // everything kept is copied out of the document
	var c respChecker
	var out []HistoryEvent
	switch k := data.Kind(); {
	case k == jsonx.Null || k == jsonx.Invalid:
	case isList(data):
		out = make([]HistoryEvent, 0, data.Len())
		for it := data.Iter(); it.Next(); {
			i, e := listIndex(&it), it.Value()
			p := elem("data", i)
			if !c.object(e, p, true) {
				continue
			}
			var ev HistoryEvent
			ev.UUID, _ = c.str(e.Get("uuid"), p.at("uuid"), true, 64)
			ev.Title, _ = c.str(e.Get("title"), p.at("title"), true, anyLength)
			if s, ok := c.str(e.Get("datetime"), p.at("datetime"), true, 32); ok {
				if !validHistoryTime(s) {
					c.add(p.at("datetime"), RuleTimestamp, "must look like \"21.01.2024 04:00\"")
				}
				ev.DateTime = s
			}
			ev.SentTo, _ = c.str(e.Get("sentTo"), p.at("sentTo"), false, anyLength)
			ev.ActionBy, _ = c.lenientStr(e.Get("actionBy"), p.at("actionBy"))
			ev.Note, _ = c.str(e.Get("note"), p.at("note"), false, anyLength)
			ev.PaymentMethod, _ = c.str(e.Get("paymentMethod"), p.at("paymentMethod"), false, anyLength)
			ev.IsRefundable = c.optBool(e.Get("isRefundable"), p.at("isRefundable"))
			if a := e.Get("amount"); !a.Absent() {
				if n, ok := floatNoise(a); ok {
					ev.Amount = n
				} else {
					ev.Amount, _ = c.amount(a, p.at("amount"), false)
				}
			}
			out = append(out, ev)
		}
	default:
		c.add(at("data"), RuleType, "must be an array, not "+article(data.Kind()))
	}
	if len(c.errs) > 0 {
		return nil, c.fail(OpHistory, r, msg)
	}
	return out, nil
}

// validHistoryTime checks the "dd.mm.yyyy hh:mm" shape of history times.
func validHistoryTime(s string) bool {
	if len(s) != 16 || s[2] != '.' || s[5] != '.' || s[10] != ' ' || s[13] != ':' {
		return false
	}
	for _, i := range []int{0, 1, 3, 4, 6, 7, 8, 9, 11, 12, 14, 15} {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	d, _ := strconv.Atoi(s[0:2])
	m, _ := strconv.Atoi(s[3:5])
	h, _ := strconv.Atoi(s[11:13])
	mi, _ := strconv.Atoi(s[14:16])
	return d >= 1 && d <= 31 && m >= 1 && m <= 12 && h <= 23 && mi <= 59
}

// lenientStr reads an optional field FrontGo may send as a string or a
// number (an id): both become text.
func (c *respChecker) lenientStr(v jsonx.Value, path fpath) (string, bool) {
	if v.Kind() == jsonx.Number {
		return c.keep(v.Raw()), true
	}
	return c.str(v, path, false, anyLength)
}

// anyLength is the length limit of the text fields of FrontGo's answers:
// none but the input's own. FrontGo's schema gives none, no money or state
// depends on them, and a name longer than frontgate would send (one made in
// FrontGo's portal, say) must not make a whole answer unreadable.
const anyLength = 0

// optBool reads an optional boolean; FrontGo's PHP may also send 0 or 1.
func (c *respChecker) optBool(v jsonx.Value, path fpath) bool {
	switch v.Kind() {
	case jsonx.Bool:
		b, _ := v.Bool()
		return b
	case jsonx.Number:
		switch string(v.Raw()) {
		case "0":
			return false
		case "1":
			return true
		}
	case jsonx.Invalid, jsonx.Null:
		return false
	}
	c.add(path, RuleType, "must be true or false")
	return false
}
