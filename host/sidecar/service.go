// Package sidecar is frontgate's main job: the HTTP service shops call at
// checkout and from their back office. It hands FrontGo signed callback and
// return URLs, confirms every state change with FrontGo before telling the
// shop, applies each change once, and refuses what FrontGo would refuse
// before calling it. Validation, payloads and parsing come from the
// reservation core through wasmrt.Core; this package adds HTTP, state,
// security and delivery.
package sidecar

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/frontgate/frontgate/host/frontgo"
	"github.com/frontgate/frontgate/host/internal/wasmrt"
	"github.com/frontgate/frontgate/host/signature"
	"github.com/frontgate/frontgate/host/store"
	"github.com/frontgate/frontgate/plugin/abi"
)

// Service holds the sidecar's logic, independent of HTTP routing.
type Service struct {
	cfg      Config
	core     wasmrt.Core
	fg       *frontgo.Client
	store    store.Store
	signer   *signature.Signer
	log      *slog.Logger
	now      func() time.Time
	notify   Notifier
	shops    map[string]*ShopConfig
	m        *metricSet
	rec      reconcileState
	bg       sync.WaitGroup // settles Operate runs after answering, orphan rechecks
	quit     chan struct{}  // closed by Drain: waiting background work gives up
	quitOnce sync.Once
}

// Deps are the parts a Service is built from.
type Deps struct {
	Core     wasmrt.Core
	FrontGo  *frontgo.Client
	Store    store.Store
	Signer   *signature.Signer
	Log      *slog.Logger
	Now      func() time.Time
	Notifier Notifier
}

// NewService wires a Service. cfg must have passed Validate.
func NewService(cfg Config, d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Notifier == nil {
		d.Notifier = NopNotifier{}
	}
	s := &Service{cfg: cfg, core: d.Core, fg: d.FrontGo, store: d.Store, signer: d.Signer, log: d.Log, now: d.Now,
		notify: d.Notifier, shops: map[string]*ShopConfig{}, m: newMetrics(), quit: make(chan struct{})}
	for i := range cfg.Shops {
		s.shops[cfg.Shops[i].ID] = &cfg.Shops[i]
	}
	return s
}

// Drain waits until the settles the Service runs in the background (after
// a back-office operation answered) have finished, or ctx ends. Call it
// after the HTTP server has shut down and before the store, the core and the
// notifiers close: a settle cut off halfway leaves its state for a retry to
// tell, but one that runs into a closed store only logs errors.
func (s *Service) Drain(ctx context.Context) error {
	s.quitOnce.Do(func() { close(s.quit) })
	done := make(chan struct{})
	go func() {
		s.bg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("sidecar: background settles still running: %w", ctx.Err())
	}
}

// Error is what the sidecar answers a shop when a request fails: an HTTP
// status and a JSON body {"error": {...}} with every detail a shop needs to
// act, and nothing secret.
type Error struct {
	Status     int            `json:"-"`
	Code       string         `json:"code"`
	Message    string         `json:"message"`
	Fields     []wasmrt.Field `json:"fields,omitempty"`
	MessageKey string         `json:"messageKey,omitempty"`
	Upstream   int            `json:"upstreamStatus,omitempty"`
	RequestID  string         `json:"upstreamRequestId,omitempty"`
	RetryAfter int            `json:"retryAfter,omitempty"`

	// keep says the answer must stay under its Idempotency-Key although
	// it is an error: a write may have reached FrontGo (upstream_unknown).
	keep bool
	// kind is the core's upstream error kind (reservation.ErrorKind), and
	// outcomeUnknown its flag for a write that may have been made.
	kind           string
	outcomeUnknown bool
	// detail is logged with the error, never answered (storeError).
	detail string
}

func (e *Error) Error() string { return e.Message }

func errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// shopMessage rewrites a core bad_input message in the shop's terms: the
// core speaks of its own operation ("build_create: …") and of the input
// the sidecar made around the shop's order, whose byte offsets mean nothing
// to the shop ("invalid json at offset 787: duplicate object key").
func shopMessage(msg string) string {
	if op, rest, ok := strings.Cut(msg, ": "); ok && !strings.Contains(op, " ") && strings.Contains(op, "_") {
		msg = rest
	}
	if rest, ok := strings.CutPrefix(msg, "invalid json at offset "); ok {
		if _, why, ok := strings.Cut(rest, ": "); ok {
			return "the request's JSON is not acceptable: " + why
		}
		return "the request's JSON is not acceptable"
	}
	if msg == "the input is not this operation's shape" {
		return "the request does not have the expected shape; fields name each member"
	}
	return msg
}

// storeError answers a store that failed, as opposed to a key that is not
// there: the caller (FrontGo's callback above all) is to try again soon,
// and nothing may read the failure as "no such checkout".
func storeError(err error) *Error {
	// The store's own words (addresses, the server's errors) go to the
	// log, not to the caller.
	return &Error{Status: 503, Code: "store_unavailable", Message: "store unavailable", RetryAfter: 1, detail: err.Error()}
}

// fromEnvelope maps a core error to the shop-facing error.
func fromEnvelope(e *wasmrt.EnvelopeError) *Error {
	out := &Error{Code: e.Code, Message: e.Message, Fields: e.Fields, MessageKey: e.MessageKey, RequestID: e.RequestID, kind: e.Kind,
		outcomeUnknown: e.OutcomeUnknown}
	if e.Code == abi.CodeBadInput {
		out.Message = shopMessage(e.Message)
	}
	switch e.Code {
	case abi.CodeValidation:
		out.Status = 422
	case abi.CodeBadInput, abi.CodeTooLarge:
		out.Status = 400
	case abi.CodeUpstream:
		out.Upstream = e.HTTPStatus
		switch e.Kind {
		case "validation":
			out.Status = 422
		case "business":
			out.Status = 409
		case "not_found":
			out.Status = 404
		case "rate_limited":
			out.Status, out.RetryAfter = 503, 1
		default: // unauthorized (our credentials), server, dependency, malformed
			out.Status = 502
		}
	default:
		out.Status = 500
	}
	return out
}

// call runs a core operation and decodes its data into out.
func (s *Service) call(ctx context.Context, fn string, in any, out any) *Error {
	start := time.Now()
	data, err := wasmrt.Do[json.RawMessage](ctx, s.core, fn, in)
	return s.called(fn, start, data, err, out)
}

// parse runs parse_<op> on FrontGo's answer (wasmrt.DoParse: the body goes
// in as JSON when it is an object or array) and decodes its data into out.
func (s *Service) parse(ctx context.Context, op string, a wasmrt.Answer, out any) *Error {
	fn := "parse_" + op
	start := time.Now()
	data, err := wasmrt.DoParse[json.RawMessage](ctx, s.core, fn, a)
	e := s.called(fn, start, data, err, out)
	if e != nil && e.Code == abi.CodeTooLarge {
		// FrontGo's answer, not the shop's request, is what was too large.
		return &Error{Status: 502, Code: abi.CodeTooLarge, Message: op + ": FrontGo's answer is larger than the sidecar reads", detail: e.Message}
	}
	return e
}

// called records a core call and turns its result into out or an *Error.
func (s *Service) called(fn string, start time.Time, data json.RawMessage, err error, out any) *Error {
	s.m.coreCall(fn, time.Since(start), err)
	if err != nil {
		var ee *wasmrt.EnvelopeError
		if errors.As(err, &ee) {
			return fromEnvelope(ee)
		}
		id := newID("err")
		s.log.Error("core call failed", "fn", fn, "error_id", id, "err", err)
		return &Error{Status: 500, Code: "internal", Message: "internal error " + id}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return &Error{Status: 500, Code: "internal", Message: "decoding " + fn + ": " + err.Error()}
		}
	}
	return nil
}

// request is what the core's build operations return.
type request struct {
	Method string          `json:"method"`
	Path   string          `json:"path"`
	Body   json.RawMessage `json:"body"`
}

// exchange builds a request with the core, sends it to FrontGo and parses
// the answer with the core into out.
func (s *Service) exchange(ctx context.Context, op string, in any, out any) *Error {
	var req request
	if e := s.call(ctx, "build_"+op, in, &req); e != nil {
		return e
	}
	return s.send(ctx, op, req, out)
}

func (s *Service) send(ctx context.Context, op string, req request, out any) *Error {
	write := op != "details" && op != "history"
	start := time.Now()
	resp, err := s.fg.Do(ctx, frontgo.Request{Op: op, Method: req.Method, Path: req.Path, Body: req.Body, Write: write})
	if err != nil {
		s.m.upstream(op, 0, time.Since(start))
		var te *frontgo.TransportError
		if errors.As(err, &te) && te.Sent && write {
			s.log.Error("frontgo write outcome unknown", "op", op, "err", err)
			return &Error{Status: 504, Code: "upstream_unknown", keep: true,
				Message: op + ": FrontGo did not answer; the outcome is unknown: check the reservation before retrying"}
		}
		if !write && errors.Is(err, fasthttp.ErrBodyTooLarge) {
			// No retry reads less: the reconciler reads a shorter window.
			return &Error{Status: 502, Code: abi.CodeTooLarge, Message: op + ": FrontGo's answer is larger than the sidecar reads", detail: err.Error()}
		}
		// Why (an address, a TLS problem) goes to the log, not to the shop.
		return &Error{Status: 502, Code: "upstream_unavailable", Message: op + ": FrontGo is unavailable; try again later", detail: err.Error()}
	}
	s.m.upstream(op, resp.Status, time.Since(start))
	e := s.parse(ctx, op, wasmrt.Answer{Status: resp.Status, Body: resp.Body, RequestID: resp.RequestID}, out)
	if e != nil && e.kind == "rate_limited" && resp.RetryAfter > time.Second {
		// FrontGo said how long to wait (the client waited as much
		// within the request's time, then gave up): the shop hears it.
		e.RetryAfter = int(resp.RetryAfter / time.Second)
	}
	if e != nil && write && mayHaveWritten(e) {
		s.log.Error("frontgo write outcome unknown", "op", op, "status", resp.Status, "err", e.Message)
		return &Error{Status: 502, Code: "upstream_unknown", keep: true, Upstream: e.Upstream, RequestID: e.RequestID,
			MessageKey: e.MessageKey, Message: op + ": FrontGo's answer (" + strconv.Itoa(resp.Status) + ") does not say " +
				"whether it was made (" + e.Message + "); the outcome is unknown: check the reservation before retrying"}
	}
	return e
}

// mayHaveWritten reports whether an error parsing FrontGo's answer to a
// write leaves open that the write was made: a 5xx (FrontGo or the gateway
// behind it failed, perhaps after acting), or an answer the core cannot
// read (a 2xx not as documented, or its data not decodable, or more than
// the core reads). A refusal,
// a validation error, a 404, 401 or 429 says FrontGo did nothing.
func mayHaveWritten(e *Error) bool {
	switch {
	case e.Code == abi.CodeUpstream:
		// The core says so (ABI 1.2); the kinds are the same cases for a
		// module that predates the flag.
		return e.outcomeUnknown || e.kind == "server" || e.kind == "dependency" || e.kind == "malformed"
	case e.Code == "internal", e.Code == abi.CodeTooLarge: // too_large: an answer larger than the core reads
		return true
	}
	return false
}

// options is the part of every build input the config sets.
func (s *Service) options(in map[string]any) map[string]any {
	in["now"] = s.now().Unix()
	if len(s.cfg.FrontGo.TaxRates) > 0 {
		in["taxRates"] = s.cfg.FrontGo.TaxRates
	}
	return in
}

var idEnc = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

func newID(prefix string) string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return prefix + "_" + idEnc.EncodeToString(b[:])
}

func hashOf(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// ---- checkouts ----

// withRaw encodes in with "order" (or else "payload") appended as the raw
// JSON the shop sent, which encoding/json has already checked while
// reading the request: re-encoding it would only compact and re-check it.
func withRaw(in map[string]any, order, payload json.RawMessage) ([]byte, error) {
	key, raw := "order", order
	if order == nil {
		key, raw = "payload", payload
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(in); err != nil {
		return nil, err
	}
	b := bytes.TrimRight(buf.Bytes(), "\n")
	if len(b) < 2 || b[len(b)-1] != '}' {
		return nil, errors.New("input is not an object")
	}
	if raw == nil {
		return b, nil
	}
	if len(b) > 2 {
		b = append(b[:len(b)-1], ',')
	} else {
		b = b[:1]
	}
	b = append(append(append(b, '"'), key...), `":`...)
	return append(append(b, raw...), '}'), nil
}

// checkoutPrep is what the sidecar reads of, and sets in, a checkout's
// order or payload before it runs, once per request: the HTTP layer needs
// to know whether the reservation will carry the checkout's id as its
// reference before the request's Idempotency-Key is taken.
type checkoutPrep struct {
	probe  orderProbe      // of the order, or of the payload's members
	probed bool            // the order or payload is an object probe could read
	order  json.RawMessage // the order with its reference set
	pay    json.RawMessage // the payload with its referenceNo set
	named  bool            // FrontGo's referenceNo will be the checkout's id
}

// orderProbe is what the sidecar reads of a shop-neutral order (or, with
// the payload's names, of a FrontGo payload) itself.
type orderProbe struct {
	PaymentLinkDueDate json.RawMessage `json:"paymentLinkDueDate"`
	Reference          json.RawMessage `json:"reference"`
	// A payload's names for the same.
	DueDateForPaymentLink json.RawMessage `json:"dueDateForPaymentLink"`
	ReferenceNo           json.RawMessage `json:"referenceNo"`
	// SendOrderBy has one name in both.
	SendOrderBy json.RawMessage `json:"sendOrderBy"`
}

// sendsLink says whether FrontGo itself sends the reservation's payment
// link to the customer (sendOrderBy with sms or email true). What cannot
// be read as two booleans counts as sending: the answer is kept then.
func (p *orderProbe) sendsLink() bool {
	if len(p.SendOrderBy) == 0 || string(p.SendOrderBy) == "null" {
		return false
	}
	var by struct {
		SMS   bool `json:"sms"`
		Email bool `json:"email"`
	}
	return json.Unmarshal(p.SendOrderBy, &by) != nil || by.SMS || by.Email
}

// read fills p from obj, and says whether obj is a JSON object it could
// read.
func (p *orderProbe) read(obj json.RawMessage) bool {
	trimmed := bytes.TrimLeft(obj, " \t\r\n")
	return len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(obj, p) == nil
}

// prepare reads the request's order or payload once and names the
// reservation after the checkout (req.id) where the shop gave no reference
// of its own: an order's reference, a payload's referenceNo, absent or
// null.
func (req *CheckoutRequest) prepare() *checkoutPrep {
	if req.prep != nil {
		return req.prep
	}
	p := &checkoutPrep{order: req.Order, pay: req.Payload}
	req.prep = p
	switch {
	case req.Order != nil:
		if p.probed = p.probe.read(req.Order); p.probed {
			p.order, p.named = withReference(req.Order, "reference", p.probe.Reference, req.id)
		}
	case req.Payload != nil:
		if p.probed = p.probe.read(req.Payload); p.probed {
			p.pay, p.named = withReference(req.Payload, "referenceNo", p.probe.ReferenceNo, req.id)
		}
	}
	return p
}

// finalOrder is the order as the core gets it for checkout c: its
// reference set (prepare), and its due date where the shop gave none.
func (p *checkoutPrep) finalOrder(c *Checkout) json.RawMessage {
	if !p.probed {
		return p.order
	}
	return p.probe.withDueDate(p.order, c)
}

// withReference sets obj's member key, whose value probe read as was (nil
// when absent), to id when it is absent or null, and says whether it did.
// A reference of the shop's own is kept: such a reservation cannot be told
// from the shop's others, and none is cancelled after a lost create.
func withReference(obj json.RawMessage, key string, was json.RawMessage, id string) (json.RawMessage, bool) {
	ref, _ := json.Marshal(id)
	switch {
	case was == nil:
		trimmed := bytes.TrimLeft(obj, " \t\r\n")
		return splice(obj, trimmed, append(append(append(append([]byte{'"'}, key...), `":`...), ref...), ',')), true
	case string(was) == "null":
		if out, ok := replaceNull(obj, key, ref); ok {
			return out, true
		}
	}
	return obj, false
}

// replaceNull puts value in place of the null of obj's one top-level
// member key; ok is false when obj is not such an object (key twice, or
// not null), which the core will then judge.
func replaceNull(obj json.RawMessage, key string, value []byte) (json.RawMessage, bool) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if _, err := dec.Token(); err != nil { // '{'
		return obj, false
	}
	at, end, seen := -1, -1, 0
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return obj, false
		}
		from := dec.InputOffset()
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return obj, false
		}
		if k == key {
			seen++
			end = int(dec.InputOffset())
			at = end - len("null")
			if string(v) != "null" || at < int(from) || string(obj[at:end]) != "null" {
				return obj, false
			}
		}
	}
	if seen != 1 {
		return obj, false
	}
	out := make([]byte, 0, len(obj)+len(value))
	return append(append(append(out, obj[:at]...), value...), obj[end:]...), true
}

// withDueDate adds an order's paymentLinkDueDate, the checkout's expiry,
// unless it has one (p read it).
func (p *orderProbe) withDueDate(order json.RawMessage, c *Checkout) json.RawMessage {
	if p.PaymentLinkDueDate != nil {
		return order
	}
	trimmed := bytes.TrimLeft(order, " \t\r\n")
	add := append([]byte(`"paymentLinkDueDate":`), strconv.AppendInt(nil, c.ExpiresAt.Unix(), 10)...)
	return splice(order, trimmed, append(add, ','))
}

// splice puts members add (each followed by ',') at the start of the JSON
// object obj, whose text from its '{' on is trimmed.
func splice(obj, trimmed, add []byte) json.RawMessage {
	if add == nil {
		return obj
	}
	rest := bytes.TrimLeft(trimmed[1:], " \t\r\n")
	if len(rest) > 0 && rest[0] == '}' {
		add = add[:len(add)-1] // an empty object: no member follows
	}
	out := make([]byte, 0, len(obj)+len(add))
	out = append(append(append(out, '{'), add...), trimmed[1:]...)
	return out
}

// dueDateOf returns the payment link's due date a checkout request gives
// itself: an order's paymentLinkDueDate (Unix seconds) or a payload's
// dueDateForPaymentLink (Unix seconds as a string, or a number). A value
// that is not such a number is left for the core to refuse.
func dueDateOf(req *CheckoutRequest, probe *orderProbe) (time.Time, bool) {
	raw := probe.PaymentLinkDueDate
	if req.Order == nil {
		raw = probe.DueDateForPaymentLink
	}
	raw = bytes.Trim(raw, `"`)
	secs, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil || secs <= 0 || secs > maxDueUnix {
		return time.Time{}, false
	}
	return time.Unix(secs, 0), true
}

// maxDueUnix bounds a due date the sidecar reads (year 9999).
const maxDueUnix = 253402300799

// CheckoutRequest is the body of POST /v1/checkouts.
type CheckoutRequest struct {
	// Mode is "session" (create: pay now at paymentUrl) or "link" (submit:
	// FrontGo sends a payment link by SMS or e-mail).
	Mode string `json:"mode"`
	// OrderID is the shop's own order id.
	OrderID string `json:"orderId"`
	// Order is a shop-neutral order; Payload a FrontGo submit/create body.
	Order   json.RawMessage `json:"order,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
	// ReturnURLs are the shop's pages the shopper lands on.
	ReturnURLs struct {
		Success string `json:"success"`
		Failure string `json:"failure"`
	} `json:"returnUrls"`

	// id, when set, is the checkout id to create (the HTTP layer keeps it
	// with the request's Idempotency-Key); otherwise a new one is made.
	id string
	// prep is what prepare read and set, once.
	prep *checkoutPrep
}

// Named says whether the reservation the checkout creates will carry the
// checkout's id (id) as FrontGo's referenceNo, by which a create whose
// answer was lost can be found and cancelled (see cancelOrphans): unless
// the shop's order or payload gives a reference of its own. It reads the
// order or payload once; CreateCheckout does not read it again.
func (req *CheckoutRequest) Named(id string) bool {
	req.id = id
	return req.prepare().named
}

// Checkout is a checkout's record and the answer to POST /v1/checkouts.
type Checkout struct {
	CheckoutID      string    `json:"checkoutId"`
	Shop            string    `json:"shop"`
	OrderID         string    `json:"orderId"`
	Mode            string    `json:"mode"`
	ReservationUUID string    `json:"reservationUuid"`
	CustomerUUID    string    `json:"customerUuid,omitempty"`
	RedirectURL     string    `json:"redirectUrl"`
	PaymentURL      string    `json:"paymentUrl"`
	ExpiresAt       time.Time `json:"expiresAt"`
	Status          string    `json:"status"`
	SuccessURL      string    `json:"successUrl,omitempty"`
	FailureURL      string    `json:"failureUrl,omitempty"`
	CreatedAt       time.Time `json:"createdAt"`
	UpdatedAt       time.Time `json:"updatedAt"`
}

const (
	callbackTTL = 180 * 24 * time.Hour // captures and charges come weeks later
	recordTTL   = 400 * 24 * time.Hour
)

// CreateCheckout validates and builds the reservation with the core,
// creates it at FrontGo with the sidecar's signed callback and return URLs,
// and records it.
func (s *Service) CreateCheckout(ctx context.Context, shop *ShopConfig, req *CheckoutRequest) (*Checkout, *Error) {
	var fields []wasmrt.Field
	bad := func(path, rule, msg string) {
		fields = append(fields, wasmrt.Field{Path: path, Rule: rule, Message: msg})
	}
	op := ""
	switch req.Mode {
	case "session", "":
		op = "create"
	case "link":
		op = "submit"
	default:
		bad("mode", "enum", "must be session or link")
	}
	switch {
	case req.OrderID == "":
		bad("orderId", "required", "is required (1-64 characters)")
	case len(req.OrderID) > 64:
		bad("orderId", "max_length", "must be at most 64 characters")
	}
	if (req.Order == nil) == (req.Payload == nil) {
		bad("order", "required_one_of", "give either order (shop-neutral) or payload (FrontGo's shape)")
	}
	if op == "create" {
		for _, u := range []struct{ path, url string }{{"returnUrls.success", req.ReturnURLs.Success}, {"returnUrls.failure", req.ReturnURLs.Failure}} {
			switch {
			case u.url == "":
				bad(u.path, "required", "is required in mode session: the page the shopper returns to")
			case !shop.allowed(u.url):
				bad(u.path, "allowed_host", "must be an http(s) URL on one of the shop's allowed hosts")
			}
		}
	} else if op == "submit" && (req.ReturnURLs.Success != "" || req.ReturnURLs.Failure != "") {
		bad("returnUrls", "unknown", "a payment link has no return pages; use mode session")
	}
	if len(fields) > 0 {
		return nil, &Error{Status: 422, Code: abi.CodeValidation, Message: "checkout: invalid request", Fields: fields}
	}

	now := s.now()
	id := req.id
	if id == "" {
		id = newID("chk")
	}
	c := &Checkout{CheckoutID: id, Shop: shop.ID, OrderID: req.OrderID, Mode: req.Mode, Status: "SENT",
		SuccessURL: req.ReturnURLs.Success, FailureURL: req.ReturnURLs.Failure, CreatedAt: now, UpdatedAt: now,
		ExpiresAt: now.Add(time.Duration(s.cfg.CheckoutTTL))}
	if req.id == "" {
		req.id = id
	}
	prep := req.prepare()
	if due, ok := dueDateOf(req, &prep.probe); ok {
		// The shop's own due date is how long FrontGo keeps the link
		// open: the checkout (its /go link, its return pages) lasts as
		// long, not checkoutTtl. (A past one the core refuses.)
		if due.After(now.Add(callbackTTL)) {
			path := "order.paymentLinkDueDate"
			if req.Order == nil {
				path = "payload.dueDateForPaymentLink"
			}
			return nil, &Error{Status: 422, Code: abi.CodeValidation, Message: "checkout: invalid request",
				Fields: []wasmrt.Field{{Path: path, Rule: "range",
					Message: "must be within 180 days: the sidecar keeps a checkout's callback and return links that long"}}}
		}
		c.ExpiresAt = due
	}
	if c.Mode == "" {
		c.Mode = "session"
	}
	cb, err := s.urls(c)
	if err != nil {
		return nil, &Error{Status: 500, Code: "internal", Message: "signing return URLs failed"}
	}
	in := s.options(map[string]any{"callback": cb})
	named := prep.named
	if req.Order != nil {
		req.Order = prep.finalOrder(c)
	} else {
		req.Payload = prep.pay
	}
	input, err := withRaw(in, req.Order, req.Payload)
	if err != nil {
		return nil, &Error{Status: 500, Code: "internal", Message: "encoding the checkout for the core: " + err.Error()}
	}
	var created struct {
		CustomerUUID    string `json:"customerUuid"`
		ReservationUUID string `json:"reservationUuid"`
		CheckoutURL     string `json:"checkoutUrl"`
		PaymentURL      string `json:"paymentUrl"`
	}
	started := s.now()
	if e := s.exchange(ctx, op, input, &created); e != nil {
		if e.Code == "upstream_unknown" {
			s.markOrphan(ctx, c)
			// The attempt may have made a reservation, and a payment link
			// FrontGo itself sends (a submit, or sendOrderBy) may have
			// reached the shopper. A retry may run only once every such
			// reservation is known cancelled: it carries the checkout's
			// id as its reference, and the search for it went through.
			//
			// A session's reservation that FrontGo sends no link for is
			// out of anyone's reach: its payment page's address was in the
			// answer that was lost. A retry may run then too; the orphan
			// is cancelled later where it can be found (named), and else
			// expires unpaid at its due date.
			unreachable := op == "create" && prep.probed && !prep.probe.sendsLink()
			switch {
			case named && s.cancelOrphans(ctx, c, started):
				e.Message = op + ": the outcome was unknown (FrontGo did not answer, or its answer did not say); any reservation " +
					"it made for this checkout was cancelled: retry with the same Idempotency-Key"
				e.keep = false
				s.recheckOrphans(c, started)
			case unreachable:
				e.Message = op + ": the outcome was unknown (FrontGo did not answer, or its answer did not say); any reservation " +
					"it made cannot be paid (its payment page's address was in the lost answer, and FrontGo sends no link): " +
					"retry with the same Idempotency-Key"
				e.keep = false
				if named {
					s.recheckOrphans(c, started)
				}
			default:
				e.Message += "; a retry under this Idempotency-Key gets this answer again: find the reservation (history, " +
					"or FrontGo's portal) and, if none was made, retry under a new key"
			}
		} else {
			e.keep = false
		}
		return nil, e
	}
	c.ReservationUUID, c.CustomerUUID = created.ReservationUUID, created.CustomerUUID
	c.PaymentURL = created.PaymentURL
	if op == "submit" {
		c.PaymentURL = created.CheckoutURL
	}
	c.RedirectURL = s.cfg.PublicURL + "/v1/checkouts/" + c.CheckoutID + "/go"
	if err := s.keepCheckout(ctx, c); err != nil {
		// The reservation exists at FrontGo, but without its record no
		// callback, return or reconcile run could find it again, and it
		// could still be paid. So it is cancelled, and the shop hears a
		// 503, which frees its Idempotency-Key for a retry.
		s.log.Error("saving checkout record failed: cancelling its reservation", "checkout", c.CheckoutID,
			"reservation", c.ReservationUUID, "err", err)
		s.markOrphan(ctx, c)
		var out json.RawMessage
		if e := s.exchange(context.WithoutCancel(ctx), "cancel", map[string]any{"reservationUuid": c.ReservationUUID,
			"note": "frontgate: the checkout could not be recorded; the shop retries"}, &out); e != nil {
			s.log.Error("cancelling an unrecorded reservation failed: cancel it by hand", "checkout", c.CheckoutID,
				"reservation", c.ReservationUUID, "err", e.Message)
		}
		e := storeError(err)
		e.Message = op + ": the checkout could not be recorded (" + e.Message + "); its reservation was cancelled: retry with the same Idempotency-Key"
		return nil, e
	}
	s.log.Info("checkout created", "shop", shop.ID, "order", c.OrderID, "checkout", c.CheckoutID, "reservation", c.ReservationUUID, "mode", c.Mode)
	s.m.checkouts.Inc()
	return c, nil
}

// RecoverCheckout finds what a checkout request that was lost (its sidecar
// stopped, or it panicked) made under the checkout id ref, started at
// since: its record, if it got that far (found), or else a reservation
// FrontGo made for it, which is cancelled (cancelOrphans) so that the
// request can run again without leaving a second payment page or link
// open. e is a store failure, or a search for such a reservation that did
// not go through: nothing can be said then, and a later retry asks again;
// or, for a checkout whose reservation would not carry ref as its
// reference (named false) and that recorded nothing, an upstream_unknown
// to keep (e.keep).
func (s *Service) RecoverCheckout(ctx context.Context, shop *ShopConfig, ref string, since time.Time, named bool) (c *Checkout, found bool, e *Error) {
	c, e = s.Checkout(ctx, shop.ID, ref)
	switch {
	case e == nil:
		return c, true, nil
	case e.Status != 404:
		return nil, false, e
	case !named:
		// Its reservation carries the shop's own reference: it cannot be
		// told from the shop's others, nor cancelled, and its payment
		// link may be out. The shop finds out.
		return nil, false, &Error{Status: 504, Code: "upstream_unknown", keep: true, Message: "an earlier request with this " +
			"Idempotency-Key broke off (the sidecar stopped) and may have reached FrontGo; the outcome is unknown: look for " +
			"the reservation by the order's own reference (GET /v1/history, or FrontGo's portal) and send it again under a " +
			"new Idempotency-Key only if it was not made"}
	}
	lost := &Checkout{CheckoutID: ref, Shop: shop.ID}
	if !s.cancelOrphans(ctx, lost, since) {
		// A reservation the lost request made may be out there with its
		// payment link: the checkout may not run again until it is known
		// cancelled. A later retry looks again.
		return nil, false, &Error{Status: 503, Code: "upstream_unavailable", RetryAfter: 5,
			Message: "checkout: an earlier request with this Idempotency-Key broke off, and whether it made a reservation cannot be checked just now; retry shortly"}
	}
	s.recheckOrphans(lost, since) // the lost create may show in the history later
	return nil, false, nil
}

// cancelOrphans handles a create whose answer was lost: FrontGo may have
// made the reservation, but without its answer the shopper has no payment
// page, and the shop's retry will make another. So the reservations made
// since the attempt that carry this checkout's reference and belong to no
// checkout are cancelled, and the retry starts clean. FrontGo takes no
// idempotency key; this is the nearest to one it allows.
func (s *Service) cancelOrphans(ctx context.Context, c *Checkout, since time.Time) (clean bool) {
	ref := c.CheckoutID
	var events []json.RawMessage
	in := map[string]any{"start": since.Add(-time.Minute).Unix(), "end": s.now().Add(time.Minute).Unix(), "now": s.now().Unix()}
	if e := s.exchange(ctx, "history", in, &events); e != nil {
		s.log.Warn("looking for an orphaned reservation failed", "checkout", c.CheckoutID, "err", e.Message)
		return false
	}
	clean = true
	seen := map[string]bool{}
	for _, ev := range events {
		var h struct {
			UUID string `json:"uuid"`
		}
		if json.Unmarshal(ev, &h) != nil || h.UUID == "" || seen[h.UUID] {
			continue
		}
		seen[h.UUID] = true
		if _, err := s.store.Get(ctx, "res:"+h.UUID); err == nil {
			continue // someone's checkout
		} else if !errors.Is(err, store.ErrNotFound) {
			clean = false // the store cannot say: never cancel then, nor call it clean
			continue
		}
		// A reservation's reference never changes: one read of each is
		// enough for every lost checkout's search (a sidecar that stopped
		// with many checkouts in flight leaves as many orphans, and each
		// retry would read them all, spending the FrontGo account's rate
		// limit on its searches).
		refKey := "refno:" + h.UUID
		if b, err := s.store.Get(ctx, refKey); err == nil && string(b) != ref {
			continue
		}
		var d struct {
			Status          string `json:"status"`
			ReferenceNumber string `json:"referenceNumber"`
		}
		if e := s.exchange(ctx, "details", map[string]any{"reservationUuid": h.UUID}, &d); e != nil {
			clean = false // it may be the one
			continue
		}
		_ = s.store.Set(ctx, refKey, []byte(d.ReferenceNumber), time.Duration(s.cfg.IdempotencyTTL)+s.orphanRecheckAfter())
		if d.ReferenceNumber != ref {
			continue
		}
		if d.Status == "CANCELLED" || d.Status == "EXPIRED" {
			continue // nothing left to pay: as good as cancelled
		}
		var out json.RawMessage
		e := s.exchange(ctx, "cancel", map[string]any{"reservationUuid": h.UUID, "note": "frontgate: the create's answer was lost; the shop retries"}, &out)
		s.log.Warn("cancelled a reservation whose create answer was lost", "checkout", c.CheckoutID, "reservation", h.UUID,
			"status", d.Status, "ok", e == nil)
		if e != nil {
			clean = false
		}
	}
	return clean
}

// orphanRecheckAfter is how long after a create of unknown outcome its
// orphan is looked for once more: FrontGo may finish a create after the
// sidecar stopped waiting for it (two of its timeouts), and its history
// shows it a little later.
func (s *Service) orphanRecheckAfter() time.Duration {
	if s.cfg.orphanRecheck > 0 {
		return s.cfg.orphanRecheck
	}
	return 2*time.Duration(s.cfg.FrontGo.Timeout) + 30*time.Second
}

// recheckOrphans looks for c's orphans once more, later: a reservation
// FrontGo made after the first search (a create that finished after the
// sidecar stopped waiting) is cancelled then, so a retry's reservation is
// the only one left open. A sidecar that stops first gives the recheck up
// (Drain); the reconciler does not know such reservations, as none is
// recorded.
func (s *Service) recheckOrphans(c *Checkout, since time.Time) {
	s.bg.Go(func() {
		select {
		case <-time.After(s.orphanRecheckAfter()):
		case <-s.quit:
			s.log.Warn("a lost create's second search for its reservation given up at shutdown; look for it by its reference",
				"checkout", c.CheckoutID)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		go func() { // a shutdown meanwhile ends the search
			select {
			case <-s.quit:
				cancel()
			case <-ctx.Done():
			}
		}()
		if !s.cancelOrphans(ctx, c, since) {
			s.log.Warn("looking again for a reservation a lost create made failed", "checkout", c.CheckoutID)
		}
	})
}

// urls signs the callback, success and failure URLs for a checkout.
func (s *Service) urls(c *Checkout) (map[string]string, error) {
	sign := func(purpose string, ttl time.Duration) (string, error) {
		return s.signer.Sign(signature.Claims{Purpose: purpose, Shop: c.Shop, Order: c.OrderID, Checkout: c.CheckoutID,
			Expires: s.now().Add(ttl).Unix()})
	}
	// Callbacks come until the link is paid, and for captures and
	// charges long after.
	cbTok, err := sign("callback", c.ExpiresAt.Sub(s.now())+callbackTTL)
	if err != nil {
		return nil, err
	}
	out := map[string]string{"callbackUrl": s.cfg.PublicURL + "/v1/frontgo/callback/" + cbTok}
	if c.Mode == "link" {
		return out, nil
	}
	// The shopper may pay until the checkout expires, and come back a
	// little later.
	ttl := c.ExpiresAt.Sub(s.now()) + 24*time.Hour
	okTok, err := sign("success", ttl)
	if err != nil {
		return nil, err
	}
	failTok, err := sign("failure", ttl)
	if err != nil {
		return nil, err
	}
	out["success"] = s.cfg.PublicURL + "/v1/return/success/" + okTok
	out["failure"] = s.cfg.PublicURL + "/v1/return/failure/" + failTok
	return out, nil
}

// keepCheckout stores a new checkout's record and its reservation's owner,
// trying each up to three times within 150 ms: they are what
// every later callback, return and reconcile run finds the reservation by.
// The request's cancellation does not stop them.
func (s *Service) keepCheckout(ctx context.Context, c *Checkout) error {
	ctx = context.WithoutCancel(ctx)
	var err error
	for try, wait := 0, 50*time.Millisecond; try < keepTries; try, wait = try+1, wait*2 {
		if try > 0 {
			time.Sleep(wait)
		}
		if err = s.saveCheckout(ctx, c); err != nil {
			continue
		}
		if err = s.store.Set(ctx, "res:"+c.ReservationUUID, []byte(c.CheckoutID), recordTTL); err == nil {
			return nil
		}
	}
	return err
}

// keepTries is how often keepCheckout tries before it gives up.
const keepTries = 3

func (s *Service) saveCheckout(ctx context.Context, c *Checkout) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return s.store.Set(ctx, "chk:"+c.CheckoutID, b, recordTTL)
}

// Checkout returns a checkout record of shop.
func (s *Service) Checkout(ctx context.Context, shop, id string) (*Checkout, *Error) {
	b, err := s.store.Get(ctx, "chk:"+id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errorf(404, "not_found", "checkout %s not found", id)
	} else if err != nil {
		return nil, storeError(err)
	}
	var c Checkout
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, errorf(500, "internal", "checkout record unreadable")
	}
	if shop != "" && c.Shop != shop {
		return nil, errorf(404, "not_found", "checkout %s not found", id)
	}
	return &c, nil
}

// ---- back office ----

// ownReservation checks that uuid was created for shop through this
// sidecar: one FrontGo account serves many shops, and no shop may touch
// another's reservations.
func (s *Service) ownReservation(ctx context.Context, shop, uuid string) (*Checkout, *Error) {
	id, err := s.store.Get(ctx, "res:"+uuid)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errorf(404, "not_found", "reservation %s not found for this shop", truncate(uuid, 64))
	} else if err != nil {
		return nil, storeError(err)
	}
	c, e := s.Checkout(ctx, shop, string(id))
	if e != nil && e.Status == 404 {
		return nil, errorf(404, "not_found", "reservation %s not found for this shop", truncate(uuid, 64))
	} else if e != nil {
		return nil, e
	}
	return c, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// Details is the core's parsed reservation details (amounts in øre).
type Details struct {
	ReservationUUID string `json:"reservationUuid"`
	Status          string `json:"status"`
	Products        []struct {
		ID       int64 `json:"id"`
		Amount   int64 `json:"amount"`
		Reserved int64 `json:"reserved"`
		Captured int64 `json:"captured"`
	} `json:"products"`
	Payment struct {
		Captured             int64 `json:"captured"`
		Charged              int64 `json:"charged"`
		RefundedFromCaptured int64 `json:"refundedFromCaptured"`
		RefundedFromCharged  int64 `json:"refundedFromCharged"`
	} `json:"payment"`
	raw json.RawMessage
	// path is the statuses a settle tells for these details, in order
	// (impliedSteps, and perhaps an untold status the record holds; see
	// settlePath); nil means impliedSteps.
	path []string
}

// details fetches and parses a reservation's details.
func (s *Service) details(ctx context.Context, uuid string) (*Details, *Error) {
	var raw json.RawMessage
	if e := s.exchange(ctx, "details", map[string]any{"reservationUuid": uuid}, &raw); e != nil {
		return nil, e
	}
	var d Details
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, errorf(502, "upstream_malformed", "details: %v", err)
	}
	d.raw = raw
	return &d, nil
}

// Details returns a reservation's details as the core parsed them.
func (s *Service) Details(ctx context.Context, shop, uuid string) (json.RawMessage, *Error) {
	if _, e := s.ownReservation(ctx, shop, uuid); e != nil {
		return nil, e
	}
	d, e := s.details(ctx, uuid)
	if e != nil {
		return nil, e
	}
	return d.raw, nil
}

// Operate runs a back-office operation (capture, charge, cancel, complete,
// resend, refund) on a reservation of shop. It checks ownership, fetches
// the current state, asks the status machine whether FrontGo would accept
// the operation, and only then calls FrontGo. A capture without lines
// captures everything still reserved.
func (s *Service) Operate(ctx context.Context, shop, op, uuid string, body []byte) (json.RawMessage, *Error) {
	c, e := s.ownReservation(ctx, shop, uuid)
	if e != nil {
		return nil, e
	}
	in := map[string]any{}
	if len(bytes.TrimSpace(body)) > 0 {
		if e := decodeObject(op, body, &in); e != nil {
			return nil, e
		}
	}
	if e := knownFields(op, in); e != nil {
		return nil, e
	}
	d, e := s.details(ctx, uuid)
	if e != nil {
		return nil, e
	}
	var check struct {
		Allowed    bool   `json:"allowed"`
		MessageKey string `json:"messageKey"`
	}
	if e := s.call(ctx, abi.FuncStatusCheck, map[string]any{"status": d.Status, "operation": op}, &check); e != nil {
		return nil, e
	}
	if !check.Allowed {
		s.m.refused.Inc()
		return nil, &Error{Status: 409, Code: abi.CodeRefused, MessageKey: check.MessageKey,
			Message: fmt.Sprintf("%s: not allowed while the reservation is %s (%s)", op, d.Status, check.MessageKey)}
	}
	if op == "capture" {
		if _, ok := in["lines"]; !ok {
			var lines []map[string]int64
			for _, p := range d.Products {
				if left := p.Reserved - p.Captured; left > 0 {
					lines = append(lines, map[string]int64{"id": p.ID, "amount": left})
				}
			}
			in["lines"] = lines
		}
	}
	in["reservationUuid"] = uuid
	var out json.RawMessage
	if e := s.exchange(ctx, op, s.options(in), &out); e != nil {
		return nil, e
	}
	s.log.Info("reservation operation", "op", op, "shop", shop, "order", c.OrderID, "reservation", uuid)
	s.m.operations(op)
	// Captures and charges also arrive as callbacks; confirm now so the
	// shop hears once, whichever comes first.
	s.bg.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, e := s.settle(ctx, c, "operation:"+op); e != nil {
			s.log.Warn("settling after an operation failed; the callback or reconciler will", "reservation", uuid, "err", e.Message)
		}
	})
	return out, nil
}

// opFields are the members each operation's body may have (openapi.json);
// the sidecar sets reservationUuid, now and taxRates itself.
var opFields = map[string][]string{
	"capture":  {"lines", "additionalText"},
	"charge":   {"lines", "additionalText"},
	"cancel":   {"note"},
	"complete": {"note"},
	"resend":   {"countryCode", "msisdn", "email"},
	"refund":   {"lines", "source", "reference"},
}

// knownFields refuses members an operation's body may not have: a capture
// sent as {"products": …} (FrontGo's own shape) or with "Lines" would
// otherwise capture everything still reserved, the documented meaning of a
// body without lines.
func knownFields(op string, in map[string]any) *Error {
	var fields []wasmrt.Field
	for k := range in {
		if !slices.Contains(opFields[op], k) {
			fields = append(fields, wasmrt.Field{Path: k, Rule: "unknown",
				Message: "is not a member of a " + op + " request (it takes " + strings.Join(opFields[op], ", ") + ")"})
		}
	}
	if len(fields) == 0 {
		return nil
	}
	slices.SortFunc(fields, func(a, b wasmrt.Field) int { return strings.Compare(a.Path, b.Path) })
	return &Error{Status: 400, Code: abi.CodeBadInput, Message: op + ": unknown member " + strconv.Quote(fields[0].Path), Fields: fields}
}

// History returns FrontGo's reservation history for a time frame (the last
// 24 hours by default), filtered to shop's reservations.
func (s *Service) History(ctx context.Context, shop string, start, end int64) ([]json.RawMessage, *Error) {
	in := map[string]any{"now": s.now().Unix()}
	if start != 0 || end != 0 {
		in["start"], in["end"] = start, end
	}
	var events []json.RawMessage
	if e := s.exchange(ctx, "history", in, &events); e != nil {
		return nil, e
	}
	out := make([]json.RawMessage, 0, len(events))
	for _, ev := range events {
		var h struct {
			UUID string `json:"uuid"`
		}
		if json.Unmarshal(ev, &h) == nil {
			_, e := s.ownReservation(ctx, shop, h.UUID)
			switch {
			case e == nil:
				out = append(out, ev)
			case e.Status != 404:
				return nil, e // a store failure: not "none of the shop's"
			}
		}
	}
	return out, nil
}

// ---- callbacks, returns, settling ----

// CallbackResult says what a callback led to, for the response and logs.
type CallbackResult string

// Callback outcomes, also the "result" label of the callbacks metric.
const (
	CallbackApplied   CallbackResult = "applied"
	CallbackDuplicate CallbackResult = "duplicate"
	CallbackStale     CallbackResult = "stale"
)

// HandleCallback verifies a FrontGo callback (the route token, then the
// checksum), confirms the reservation's state with GET details, and applies
// it to the shop once.
func (s *Service) HandleCallback(ctx context.Context, token, rawQuery string) (CallbackResult, *Error) {
	claims, err := s.signer.Verify(token, "callback", s.now())
	if err != nil {
		s.m.callback("forged")
		s.log.Warn("callback refused: bad route token", "reason", err.Error())
		return "", errorf(403, "forbidden", "callback refused")
	}
	var params struct {
		OrderUUID string `json:"orderUuid"`
		Status    string `json:"status"`
	}
	in := map[string]any{"query": rawQuery, "secret": s.cfg.FrontGo.secret, "scheme": s.cfg.FrontGo.CallbackScheme,
		"now": s.now().Unix(), "toleranceSeconds": int64(time.Duration(s.cfg.FrontGo.CallbackTolerance) / time.Second),
		"requireTimestamp": !s.cfg.FrontGo.CallbackTimestampOptional}
	if e := s.call(ctx, abi.FuncVerifyCallback, in, &params); e != nil {
		reason := "forged"
		if e.Code == abi.CodeCallback && strings.Contains(e.Message, "stale") {
			reason = "stale"
		}
		s.m.callback(reason)
		s.log.Warn("callback refused", "shop", claims.Shop, "checkout", claims.Checkout, "reason", reason, "detail", e.Message)
		return "", errorf(403, "forbidden", "callback refused")
	}
	c, e := s.Checkout(ctx, claims.Shop, claims.Checkout)
	if e != nil {
		if e.Status == 404 {
			s.m.callback("unknown")
			s.logUnrecorded(ctx, "callback", claims, "reservation", truncate(params.OrderUUID, 64), "status", truncate(params.Status, 32))
		} else {
			s.m.callback("error") // 503: FrontGo calls again
			s.log.Error("callback: store failed", "checkout", claims.Checkout, "err", e.Message)
		}
		return "", e
	}
	// The callback names the reservation in orderUuid, or, as the
	// documentation's own example does ("ODR123"), something else: an
	// order id frontgate cannot map. Only a reservation id other than the
	// checkout's is refused; anything else is a hint like any callback, and
	// the state is confirmed for the checkout's own reservation below.
	if c.ReservationUUID != "" && params.OrderUUID != c.ReservationUUID && strings.HasPrefix(params.OrderUUID, "RES") {
		s.m.callback("forged")
		s.log.Warn("callback refused: reservation does not match the checkout", "checkout", c.CheckoutID)
		return "", errorf(403, "forbidden", "callback refused")
	}
	// A callback URL replayed (by anyone who saw it, within its freshness
	// window, or for ever where timestamps are optional) would cost a GET
	// details each time, against the rate limit every shop's payments
	// share. The same callback, once settled, is answered from that; it is
	// known by its checksum, not by its spelling: the query can be written
	// many ways that verify alike (an empty "&&" segment, "%52ES" for
	// "RES", the checksum in upper case, under the legacy schemes any
	// unsigned parameter added), and each would have been another GET.
	mark := "cbq:" + c.CheckoutID + ":" + hashOf([]byte(callbackSum(rawQuery)))
	if _, err := s.store.Get(ctx, mark); err == nil {
		s.m.callback(string(CallbackDuplicate))
		return CallbackDuplicate, nil
	}
	res, e := s.settle(ctx, c, "callback")
	if e != nil {
		s.m.callback("error")
		return "", e
	}
	if err := s.store.Set(ctx, mark, []byte("1"), callbackReplayTTL); err != nil {
		s.log.Warn("marking a callback settled failed; a replay will ask FrontGo again", "checkout", c.CheckoutID, "err", err)
	}
	s.m.callback(string(res))
	return res, nil
}

// callbackSum returns the checksum of a verified callback query, in lower
// case: the digest of what FrontGo signed, the same for every spelling of
// one callback. The query was verified, so it has exactly one checksum
// parameter and its escapes are well formed; were it not found, the whole
// query stands in.
func callbackSum(rawQuery string) string {
	for _, seg := range strings.Split(strings.TrimPrefix(rawQuery, "?"), "&") {
		k, v, _ := strings.Cut(seg, "=")
		if name, err := url.QueryUnescape(k); err != nil || name != "checksum" {
			continue
		}
		if sum, err := url.QueryUnescape(v); err == nil {
			return strings.ToLower(sum)
		}
	}
	return rawQuery
}

// markOrphan notes that checkout c was never recorded although FrontGo
// may have made its reservation (the create's outcome unknown, or its
// record not saved and the reservation cancelled): a callback that
// reservation brings (paid through a link FrontGo sent) is then no sign of
// a store that lost its data, and its log line says what it is. A failed
// write only makes it read as a lost record.
func (s *Service) markOrphan(ctx context.Context, c *Checkout) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	_ = s.store.Set(ctx, "orphan:"+c.CheckoutID, []byte(c.Shop), recordTTL)
}

// logUnrecorded logs, as an error for the operator, what (a callback, a
// return) of a checkout with no record. Its link is signed by this
// sidecar, and records outlive every link (recordTTL): either the checkout
// was never recorded (an orphan, markOrphan) and its reservation moved
// anyway, or the store lost it (a memory store restarted, or a Redis came
// back empty or evicted keys). Nothing can tell the shop either way.
func (s *Service) logUnrecorded(ctx context.Context, what string, claims signature.Claims, args ...any) {
	args = append([]any{"shop", claims.Shop, "order", claims.Order, "checkout", claims.Checkout}, args...)
	if _, err := s.store.Get(ctx, "orphan:"+claims.Checkout); err == nil {
		s.log.Error(what+" for a checkout whose create did not complete: FrontGo made its reservation after all, and it "+
			"moved (paid through a link FrontGo sent?); the shop does not know it: check it in FrontGo's portal, and cancel or "+
			"refund it, or tell the shop", args...)
		return
	}
	s.log.Error(what+" for a checkout the store has lost: its state is not told (the store lost it: a memory store "+
		"restarted, or Redis lost or evicted its data); tell the shop by hand", args...)
}

// callbackReplayTTL is how long a settled callback's query is remembered.
const callbackReplayTTL = 24 * time.Hour

// settle confirms a checkout's reservation state with FrontGo and applies
// it if it is news: each (reservation, status) pair is applied once across
// callbacks, returns, operations and retries, and a state older than one
// already applied (a reordered callback) is ignored.
func (s *Service) settle(ctx context.Context, c *Checkout, via string) (CallbackResult, *Error) {
	d, e := s.details(ctx, c.ReservationUUID)
	if e != nil {
		return "", e
	}
	return s.settleDetails(ctx, c, d, via)
}

// settleDetails is settle with the details read: each implied status told
// once, in order, then the amounts if they grew.
func (s *Service) settleDetails(ctx context.Context, c *Checkout, d *Details, via string) (CallbackResult, *Error) {
	// Money only grows: details with less of it than the shop was told
	// were read before another settle's (the statuses that follow each
	// other both ways, CHARGED and the refunds, cannot tell).
	if stale, e := s.detailsStale(ctx, c, d); e != nil || stale {
		if e != nil {
			return "", e
		}
		return CallbackStale, nil
	}
	result, last := CallbackDuplicate, CallbackResult("")
	d.path = s.settlePath(ctx, c, d)
	for _, st := range d.path {
		r, e := s.apply(ctx, c, d, st, via)
		if e != nil {
			return "", e
		}
		last = r
		switch {
		case r == CallbackApplied:
			result = CallbackApplied
		case r == CallbackStale && result == CallbackDuplicate:
			result = CallbackStale
		}
	}
	if last != CallbackStale {
		r, e := s.applyAmounts(ctx, c, d, via)
		if e != nil {
			return "", e
		}
		if r == CallbackApplied {
			result = CallbackApplied
		}
	}
	return result, nil
}

// amountsKey is the money a reservation has moved, as details give it:
// captured, charged, refunded from each, in øre. Each only grows.
func amountsKey(d *Details) string {
	p := d.Payment
	return fmt.Sprintf("%d/%d/%d/%d", p.Captured, p.Charged, p.RefundedFromCaptured, p.RefundedFromCharged)
}

// parseAmounts reads an amounts key (amountsKey); ok is false for one
// that is not.
func parseAmounts(k string) (v [4]int64, ok bool) {
	_, err := fmt.Sscanf(k, "%d/%d/%d/%d", &v[0], &v[1], &v[2], &v[3])
	return v, err == nil
}

// amountsGrew says whether amounts key b is a's, with none smaller and one
// larger: a later state of the same reservation's money. Anything is more
// than an unreadable a (nothing told before).
func amountsGrew(a, b string) bool {
	x, okA := parseAmounts(a)
	y, okB := parseAmounts(b)
	if !okB {
		return false
	}
	if !okA {
		return true
	}
	grew := false
	for i := range x {
		if y[i] < x[i] {
			return false
		}
		grew = grew || y[i] > x[i]
	}
	return grew
}

// detailsStale says whether d has less money than the shop was told of c's
// reservation: details read before another settle's, whatever their
// status (CHARGED and the refunds follow each other both ways).
func (s *Service) detailsStale(ctx context.Context, c *Checkout, d *Details) (bool, *Error) {
	told, err := s.store.Get(ctx, "amounts:"+c.ReservationUUID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return false, nil
	case err != nil:
		return false, storeError(err)
	}
	return amountsShrank(string(told), amountsKey(d)), nil
}

// recordBehind says whether c's record is on d's path before the implied
// step st (or before every step: not reserved yet), so that st, told
// already, is where the record stands before the next step. A record
// elsewhere (past st, or in a cycle: PARTIAL REFUNDED with CHARGED
// implied) keeps its status.
func recordBehind(c *Checkout, d *Details, st string) bool {
	switch c.Status {
	case "", statusCreated, "RESERVED NOT PAID":
		return true
	}
	for _, x := range pathOf(d) {
		switch x {
		case st:
			return false
		case c.Status:
			return true
		}
	}
	return false
}

// amountsShrank says whether amounts key b has less of some amount than a:
// details read before a.
func amountsShrank(a, b string) bool {
	x, okA := parseAmounts(a)
	y, okB := parseAmounts(b)
	if !okA || !okB {
		return false
	}
	for i := range x {
		if y[i] < x[i] {
			return true
		}
	}
	return false
}

// applyAmounts tells the shop that c's reservation, still in the status
// details give, moved money again: a second charge, a refund (from
// FrontGo's portal too: FrontGo sends no callback for it, the reconciler
// finds it in the history), which change no status, or not always. The
// event has the status it is in, the same status as previous, and an id
// of its own, EventID(uuid, "<status>#<amounts>"), told once like a
// status (its mark); its details hold the new amounts.
//
// Amounts are told only when they grew beyond what the shop was told: the
// amounts the status's own event carried (kept in its mark, which this
// waits for while another settle is telling it) and the last amounts told
// (amounts:<uuid>, only ever moved forward). A status told before amounts
// were kept (its mark holds none) makes the present amounts the baseline,
// not news. Two settles reading different details may each tell theirs,
// in either order; amounts only grow, so the larger wins.
func (s *Service) applyAmounts(ctx context.Context, c *Checkout, d *Details, via string) (CallbackResult, *Error) {
	st := d.Status
	if c.Status != st || d.Payment.Captured+d.Payment.Charged == 0 {
		return CallbackDuplicate, nil
	}
	key := amountsKey(d)
	statusMark := "applied:" + c.ReservationUUID + ":" + st
	v, e := s.toldValue(ctx, statusMark)
	if e != nil || v == nil {
		// Not told (a telling failed and gave its claim back): whoever
		// tells the status tells these amounts with it.
		return CallbackDuplicate, e
	}
	_, withStatus, kept := strings.Cut(string(v), "|")
	lastKey := "amounts:" + c.ReservationUUID
	prev, err := s.store.Get(ctx, lastKey)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if !kept { // told before amounts were kept
			s.moveAmounts(ctx, lastKey, key)
			return CallbackDuplicate, nil
		}
		prev = nil
	case err != nil:
		return "", storeError(err)
	}
	told := string(prev)
	if told == "" || amountsGrew(told, withStatus) {
		told = withStatus
	}
	if !amountsGrew(told, key) {
		return CallbackDuplicate, nil
	}
	mark := statusMark + "#" + key
	claim := markPending + newID("lease")
	done, e := s.claim(ctx, mark, claim, false)
	if e != nil || done {
		return CallbackDuplicate, e
	}
	// Another settle may have told larger amounts since they were read:
	// these are then no news (and would arrive after them).
	if cur, err := s.store.Get(ctx, lastKey); err == nil && !amountsGrew(string(cur), key) {
		mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		_ = s.store.Set(mctx, mark, []byte(via), recordTTL)
		return CallbackDuplicate, nil
	}
	ev := Event{ID: EventID(c.ReservationUUID, st+"#"+key), Type: eventType(st), Shop: c.Shop, OrderID: c.OrderID, CheckoutID: c.CheckoutID,
		ReservationUUID: c.ReservationUUID, Status: st, PreviousStatus: st, Via: via, At: s.now().UTC(), Details: d.raw}
	if e := s.tell(ctx, c, ev, mark, claim, "its amounts"); e != nil {
		return "", e
	}
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if err := s.store.Set(mctx, mark, []byte(via), recordTTL); err != nil {
		s.log.Warn("marking told amounts failed; they may be told again", "reservation", c.ReservationUUID, "amounts", key, "err", err)
	}
	s.moveAmounts(mctx, lastKey, key)
	s.log.Info("reservation amounts applied", "shop", c.Shop, "order", c.OrderID, "reservation", c.ReservationUUID, "status", st,
		"amounts", key, "via", via)
	return CallbackApplied, nil
}

// toldValue waits while mark is claimed (pending) and returns its told
// value, or nil when it is absent; a claim that outlives ctx answers
// in_progress.
func (s *Service) toldValue(ctx context.Context, mark string) ([]byte, *Error) {
	pause := 5 * time.Millisecond
	for {
		v, err := s.store.Get(ctx, mark)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return nil, nil
		case err != nil:
			return nil, storeError(err)
		case !bytes.HasPrefix(v, []byte(markPending)):
			return v, nil
		}
		if !waitForClaim(ctx, &pause) {
			return nil, claimBusy()
		}
	}
}

// claimBusy answers a request that gave up waiting for another settle's
// claim on a mark.
func claimBusy() *Error {
	return &Error{Status: 503, Code: "in_progress", RetryAfter: 1,
		Message: "another request is telling the shop about this change; try again"}
}

// waitForClaim waits *pause (doubling it, up to 100 ms) for another
// settle's claim to end, and says false when ctx ended first.
func waitForClaim(ctx context.Context, pause *time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(*pause):
	}
	*pause = min(2**pause, 100*time.Millisecond)
	return true
}

// moveAmounts sets the last amounts told (key lastKey) to key unless they
// are larger already: the value only moves forward, whatever the order in
// which settles finish.
func (s *Service) moveAmounts(ctx context.Context, lastKey, key string) {
	for range 8 {
		cur, err := s.store.Get(ctx, lastKey)
		switch {
		case errors.Is(err, store.ErrNotFound):
			if ok, err := s.store.SetNX(ctx, lastKey, []byte(key), recordTTL); err != nil || ok {
				return
			}
			continue
		case err != nil:
			return
		case !amountsGrew(string(cur), key):
			return
		}
		if ok, err := s.store.CompareAndSwap(ctx, lastKey, cur, []byte(key), recordTTL); err != nil || ok {
			return
		}
	}
}

// pathOf is the statuses a settle of d tells: its path, or impliedSteps.
func pathOf(d *Details) []string {
	if d.path != nil {
		return d.path
	}
	return impliedSteps(d)
}

// settlePath is impliedSteps(d), and before its last step the status c's
// record holds when that is not on the way and was never told: the record
// is saved before the shop is told, so a telling that failed (the
// notifier refused, the sidecar died) leaves it there, and a reservation
// that moved on (COMPLETED, then refunded) would otherwise never have it
// told.
func (s *Service) settlePath(ctx context.Context, c *Checkout, d *Details) []string {
	steps := impliedSteps(d)
	switch c.Status {
	case "", statusCreated, "RESERVED NOT PAID":
		return steps
	}
	for _, st := range steps {
		if st == c.Status {
			return steps
		}
	}
	v, err := s.store.Get(ctx, "applied:"+c.ReservationUUID+":"+c.Status)
	if err == nil && !bytes.HasPrefix(v, []byte(markPending)) || err != nil && !errors.Is(err, store.ErrNotFound) {
		return steps // told (or the store cannot say: the next settle asks again)
	}
	out := append([]string(nil), steps[:len(steps)-1]...)
	return append(out, c.Status, steps[len(steps)-1])
}

// impliedSteps lists the states a reservation must have passed through to
// be where details say it is, ending with that state: a reservation seen
// CAPTURED was RESERVED first, a COMPLETED one with money captured was
// CAPTURED. A shop whose callbacks were lost or reordered is told each of
// them, in order, once.
func impliedSteps(d *Details) []string {
	var steps []string
	switch d.Status {
	case "CAPTURED", "CHARGED", "COMPLETED", "REFUNDED", "PARTIAL REFUNDED":
		steps = append(steps, "RESERVED")
	}
	switch d.Status {
	case "CHARGED", "COMPLETED", "REFUNDED", "PARTIAL REFUNDED":
		if d.Payment.Captured > 0 {
			steps = append(steps, "CAPTURED")
		}
	}
	switch d.Status {
	case "COMPLETED", "REFUNDED", "PARTIAL REFUNDED":
		if d.Payment.Charged > 0 {
			steps = append(steps, "CHARGED")
		}
	}
	return append(steps, d.Status)
}

// apply tells the shop that c's reservation reached status st, and never a
// state older than one already told. Each (reservation, status) has a mark
// in the store, shared by every sidecar: absent (not told), "pending:<id>"
// (a settle has claimed it and is telling the shop; the claim expires after
// applyLease), or the path that told it ("callback", "return:success", …).
// A status is marked told only after the shop's notifier took the event, so
// a settle that fails anywhere between the claim and the notifier leaves the
// status untold, and the next callback, return or reconcile run tells it: a
// state reaches the shop at least once. Exactly once but for a crash
// between Notify and the mark, or a claim that outlived its lease: then the
// event goes out twice with the same Event.ID, which notifiers deduplicate.
func (s *Service) apply(ctx context.Context, c *Checkout, d *Details, st, via string) (CallbackResult, *Error) {
	if st == statusCreated {
		// The state a record starts in is no change to tell.
		if c.Status == st {
			return CallbackDuplicate, nil
		}
		return CallbackStale, nil
	}
	// The record only moves forward, and only by a settle that claimed the
	// state it moves to: a record at st does not mean st was told (the
	// telling may have failed after the save), so the mark decides.
	if st != c.Status {
		var tr struct {
			Newer bool `json:"newer"`
		}
		if e := s.call(ctx, abi.FuncStatusTransition, map[string]any{"from": c.Status, "to": st}, &tr); e != nil {
			return "", e
		}
		if !tr.Newer {
			return CallbackStale, nil
		}
	}
	mark := "applied:" + c.ReservationUUID + ":" + st
	claim := markPending + newID("lease")
	told, e := s.claim(ctx, mark, claim, st == c.Status)
	if e != nil {
		return "", e
	}
	if told {
		// Told already, by another settle or sidecar. Our copy of the
		// record may still be behind (a settle that read an older state
		// saved last): bring the stored record forward to the state
		// details give, tell no one. Never to a step only implied on the
		// way (in a cycle it would move the record back, if briefly), nor
		// from details with less money than was told since they were
		// checked (they are older than another settle's).
		if st == c.Status {
			return CallbackDuplicate, nil
		}
		if st != d.Status {
			if recordBehind(c, d, st) {
				c.Status = st // the previous status of the next step, not saved
			}
			return CallbackDuplicate, nil
		}
		switch stale, e := s.detailsStale(ctx, c, d); {
		case e != nil:
			return "", e
		case stale:
			return CallbackStale, nil
		default:
			c.Status, c.UpdatedAt = st, s.now()
			if e := s.saveForward(ctx, c); e != nil {
				return "", e
			}
		}
		return CallbackDuplicate, nil
	}
	// Claimed: save, tell, mark told. Any failure gives the claim back.
	// A settle with newer details may have held the claim, recorded its
	// amounts (the last told, for every later settle) and failed to tell:
	// telling these older ones now would mark those amounts told. Its
	// caller tries again, and so does this one's, with fresh details.
	if stale, e := s.detailsStale(ctx, c, d); e != nil || stale {
		s.unclaim(ctx, mark, claim)
		if e != nil {
			return "", e
		}
		return "", &Error{Status: 503, Code: "in_progress", RetryAfter: 1,
			Message: fmt.Sprintf("reservation %s: newer details are being told to the shop; try again", c.ReservationUUID)}
	}
	prev := c.Status
	if prev == st { // an earlier attempt saved it, then failed to tell (or died after)
		prev = stepBefore(d, st)
	}
	// An attempt that may have handed this status's event to the notifier
	// (it died before marking it told) leaves tried: behind. Telling it
	// again then uses the same event id, which the shop's outbox drops as
	// a duplicate, so the amounts of this telling may never arrive.
	tried := "tried:" + c.ReservationUUID + ":" + st
	_, err := s.store.Get(ctx, tried)
	retell := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.unclaim(ctx, mark, claim)
		return "", storeError(err)
	}
	c.Status, c.UpdatedAt = st, s.now()
	if e := s.saveForward(ctx, c); e != nil {
		s.unclaim(ctx, mark, claim)
		return "", e
	}
	ev := Event{ID: EventID(c.ReservationUUID, st), Type: eventType(st), Shop: c.Shop, OrderID: c.OrderID, CheckoutID: c.CheckoutID,
		ReservationUUID: c.ReservationUUID, Status: st, PreviousStatus: prev, Via: via, At: s.now().UTC(), Details: d.raw}
	if err := s.store.Set(ctx, tried, []byte("1"), recordTTL); err != nil {
		s.unclaim(ctx, mark, claim)
		return "", storeError(err)
	}
	lastKey := "amounts:" + c.ReservationUUID
	if !retell {
		// The money these details hold is what the shop hears next: a
		// settle with older details (a second charge read before the
		// refund this tells) is stale from now on, not only once the
		// notifier took the event; else, running while it is taken, it
		// tells its status after this one, with a later at. A telling
		// that fails leaves the status untold, and whoever tells it
		// tells these amounts or more.
		s.moveAmounts(ctx, lastKey, amountsKey(d))
	}
	if e := s.tell(ctx, c, ev, mark, claim, st); e != nil {
		// tried: stays. The error does not say that an earlier attempt's
		// event was not taken, nor always that this one's was not (an
		// enqueue that timed out may have gone through): the next telling
		// is taken for a second one, and at worst its amounts are told
		// once more under an id of their own.
		return "", e
	}
	// The shop has the event. Record that even if the request's deadline
	// has just passed: a mark left pending only means a second, harmless
	// delivery of the same event id after the lease.
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	// The mark keeps the amounts the shop surely has with this status
	// (applyAmounts tells only more): this event's, unless it may be a
	// second telling of an event a dead attempt delivered already, whose
	// id the shop's outbox then drops; then the amounts told before.
	had := amountsKey(d)
	if retell {
		had = ""
		if v, err := s.store.Get(mctx, lastKey); err == nil {
			had = string(v)
		}
	}
	if err := s.store.Set(mctx, mark, []byte(via+"|"+had), recordTTL); err != nil {
		s.log.Warn("marking a told state failed; it may be told again", "reservation", c.ReservationUUID, "status", st, "err", err)
	}
	s.log.Info("reservation state applied", "shop", c.Shop, "order", c.OrderID, "reservation", c.ReservationUUID, "from", prev, "to", st, "via", via)
	return CallbackApplied, nil
}

// tell hands ev to the shop's notifier; when the notifier cannot take it,
// the claim on mark is given back, so a retry of the callback, the return
// or the reconciler tells it (what names what was untold, for messages).
// A shop this sidecar's config does not name (instances sharing a store
// run different configs while one that adds a shop rolls out) cannot be
// told here: the claim is given back too, so that an instance that knows
// the shop tells it, rather than the state being marked told.
func (s *Service) tell(ctx context.Context, c *Checkout, ev Event, mark, claim, what string) *Error {
	shop := s.shops[c.Shop]
	if shop == nil {
		s.unclaim(ctx, mark, claim)
		s.m.notifyFailed()
		s.log.Error("the reservation's shop is not in this sidecar's config; it stays untold until an instance that has it tells it",
			"shop", c.Shop, "order", c.OrderID, "reservation", c.ReservationUUID, "status", ev.Status, "what", what)
		return &Error{Status: 503, Code: "notify_failed", RetryAfter: 1,
			Message: fmt.Sprintf("reservation %s: telling the shop about %s failed; try again", c.ReservationUUID, what)}
	}
	if err := s.notify.Notify(ctx, shop, ev); err != nil {
		s.unclaim(ctx, mark, claim)
		s.m.notifyFailed()
		s.log.Error("shop notification failed; it stays untold until a retry", "shop", c.Shop, "order", c.OrderID,
			"reservation", c.ReservationUUID, "status", ev.Status, "what", what, "err", err)
		return &Error{Status: 503, Code: "notify_failed", RetryAfter: 1,
			Message: fmt.Sprintf("reservation %s: telling the shop about %s failed; try again", c.ReservationUUID, what)}
	}
	return nil
}

// statusCreated is the status a checkout record is created with; FrontGo
// reports it until the shopper acts, and it is never told as a change.
const statusCreated = "SENT"

const (
	// markPending prefixes a claimed, not yet told, mark's value.
	markPending = "pending:"
	// applyLease is how long a claim holds before another settle may take
	// the state over: far above the save and the notifier's enqueue a
	// claim covers (milliseconds), short enough that a sidecar dying
	// mid-settle holds the state up only briefly.
	applyLease = 10 * time.Second
	// cleanupTimeout bounds writes made on behalf of a request whose own
	// deadline may have passed (giving a claim back, marking told).
	cleanupTimeout = 2 * time.Second
)

// claim takes the mark for a settle about to tell the shop, or reports that
// the state was told already. While another settle holds the claim, it
// waits (polling) for it to be told, given back or to expire, so neither a
// "duplicate" answer nor a success comes before the shop was told; when ctx
// ends first it returns a retryable 503. getFirst says the state is likely
// told (the record is at it already), so the mark is read before anything
// is written.
func (s *Service) claim(ctx context.Context, mark, claim string, getFirst bool) (told bool, e *Error) {
	busy := claimBusy
	pause := 5 * time.Millisecond
	for {
		if !getFirst {
			ok, err := s.store.SetNX(ctx, mark, []byte(claim), applyLease)
			if err != nil {
				return false, storeError(err)
			}
			if ok {
				return false, nil
			}
		}
		getFirst = false
		v, err := s.store.Get(ctx, mark)
		switch {
		case errors.Is(err, store.ErrNotFound):
			if ctx.Err() != nil {
				return false, busy()
			}
			continue // absent, given back or expired: claim it
		case err != nil:
			return false, storeError(err)
		case !bytes.HasPrefix(v, []byte(markPending)):
			return true, nil
		}
		if !waitForClaim(ctx, &pause) {
			return false, busy()
		}
	}
}

// unclaim gives a claim back, if it is still this settle's, so a retry
// tells the state without waiting for the lease. The store has no
// compare-and-delete; a compare-and-swap that leaves the mark to expire at
// once is one. It runs even when ctx has ended: that is often why the
// settle failed.
func (s *Service) unclaim(ctx context.Context, mark, claim string) {
	if err := s.expireIfHolds(ctx, mark, []byte(claim)); err != nil {
		s.log.Warn("giving back a claim failed; it expires on its own", "mark", mark, "err", err)
	}
}

// expireIfHolds lets key expire at once if it still holds val (swapped for
// itself with a TTL of a millisecond: the store has no compare-and-delete),
// detached from ctx's cancellation; a key that holds something else is
// another's and stays.
func (s *Service) expireIfHolds(ctx context.Context, key string, val []byte) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	_, err := s.store.CompareAndSwap(ctx, key, val, val, time.Millisecond)
	return err
}

// stepBefore is the state the reservation was in before st, as far as its
// details tell ("" when they do not).
func stepBefore(d *Details, st string) string {
	steps := pathOf(d)
	for i := 1; i < len(steps); i++ {
		if steps[i] == st {
			return steps[i-1]
		}
	}
	return ""
}

// saveForward saves c unless the stored record already holds a newer
// status: settles run concurrently (a callback, the return, an operation,
// another sidecar), and the last to save must not move the record back.
func (s *Service) saveForward(ctx context.Context, c *Checkout) *Error {
	key := "chk:" + c.CheckoutID
	// Read, decide, then swap only if nobody wrote in between: a plain
	// write here once let a settle holding an older state overwrite a newer
	// one another settle had just saved.
	for range maxSaveAttempts {
		b, err := s.store.Get(ctx, key)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return storeError(err)
		}
		if err == nil {
			var cur Checkout
			if json.Unmarshal(b, &cur) == nil {
				if cur.Status == c.Status {
					return nil
				}
				var tr struct {
					Newer bool `json:"newer"`
				}
				if e := s.call(ctx, abi.FuncStatusTransition, map[string]any{"from": cur.Status, "to": c.Status}, &tr); e != nil {
					return e
				}
				if !tr.Newer {
					c.Status = cur.Status
					return nil
				}
			}
		}
		next, merr := json.Marshal(c)
		if merr != nil {
			return errorf(500, "internal", "encoding the checkout record: %v", merr)
		}
		var ok bool
		if err != nil { // no record yet
			ok, err = s.store.SetNX(ctx, key, next, recordTTL)
		} else {
			ok, err = s.store.CompareAndSwap(ctx, key, b, next, recordTTL)
		}
		if err != nil {
			return storeError(err)
		}
		if ok {
			return nil
		}
	}
	return errorf(503, "store_busy", "checkout %s: the record kept changing; try again", c.CheckoutID)
}

// maxSaveAttempts bounds saveForward's read-and-swap retries; each retry
// means another writer moved the record in between.
const maxSaveAttempts = 16

// Return handles the shopper's return from FrontGo's page: it verifies the
// token, confirms the state, tells the shop, and returns where to send the
// shopper (always one of the shop's own pages).
func (s *Service) Return(ctx context.Context, which, token string) (string, *Error) {
	claims, err := s.signer.Verify(token, which, s.now())
	if err != nil {
		s.m.returns(which, "refused")
		if errors.Is(err, signature.ErrExpired) {
			return "", errorf(410, "expired", "this payment link has expired")
		}
		return "", errorf(403, "forbidden", "invalid return link")
	}
	c, e := s.Checkout(ctx, claims.Shop, claims.Checkout)
	if e != nil && e.Status == 404 {
		s.m.returns(which, "unknown")
		s.logUnrecorded(ctx, "shopper's return", claims)
		return "", e
	} else if e != nil {
		// The shopper sees a page: no store details on it.
		s.m.returns(which, "error")
		s.log.Error("return: store failed", "checkout", claims.Checkout, "err", e.Message)
		return "", &Error{Status: 503, Code: e.Code, Message: "the payment could not be checked just now: please reload this page in a moment", RetryAfter: 1}
	}
	shop := s.shops[c.Shop]
	if shop == nil {
		// Another instance's config names the shop (a rolling deploy that
		// adds it): a reload may reach it.
		s.m.returns(which, "error")
		s.log.Error("return: the checkout's shop is not in this sidecar's config", "shop", c.Shop, "checkout", c.CheckoutID)
		return "", &Error{Status: 503, Code: "notify_failed", Message: "the payment could not be checked just now: please reload this page in a moment", RetryAfter: 1}
	}
	status := c.Status
	if s.mayConfirm(ctx, c, which) {
		if r, e := s.settle(ctx, c, "return:"+which); e == nil {
			status = c.Status
			if r == CallbackStale {
				// FrontGo's answer was older than another settle's (a
				// capture right after the payment): the record, which
				// that settle moved, has the newer state.
				if cur, e := s.Checkout(ctx, c.Shop, c.CheckoutID); e == nil {
					status = cur.Status
				}
			}
		} else {
			s.log.Warn("could not confirm state on return", "checkout", c.CheckoutID, "err", e.Message)
			status = "PENDING"
		}
	}
	// A failure return of a reservation FrontGo shows paid (the shopper
	// paid after a decline, and went back to the decline's page) goes to
	// the success page: the failure page would offer to pay again.
	target := c.FailureURL
	if (which == "success" && status != "CANCELLED" && status != "EXPIRED") || paidStatus[status] {
		target = c.SuccessURL
	}
	if !shop.allowed(target) {
		return "", errorf(400, "bad_redirect", "the shop's return page is not on its allowed hosts")
	}
	s.m.returns(which, "ok")
	return addQuery(target, map[string]string{"frontgate_checkout": c.CheckoutID, "frontgate_status": status}), nil
}

// returnConfirmEvery is how often a checkout's return pages may ask
// FrontGo for its state.
const returnConfirmEvery = 10 * time.Second

// mayConfirm reports whether a return to page which ("success" or
// "failure") may confirm c's state with FrontGo now: at most once per
// returnConfirmEvery per checkout and page, across sidecars (per page, so
// that a shopper declined, then paying at once, is confirmed on success).
// A return link stays valid for a day past the checkout and sits in the
// shopper's history; replayed, each hit was a GET details against the
// FrontGo account's rate limit, which all its shops share. A return in
// between uses the record, which the last confirmation (or a callback)
// updated. If the store cannot answer, the return confirms.
func (s *Service) mayConfirm(ctx context.Context, c *Checkout, which string) bool {
	got, err := s.store.SetNX(ctx, "ret:"+which+":"+c.CheckoutID, []byte("1"), returnConfirmEvery)
	return got || err != nil
}

// paidStatus holds the statuses of a reservation the shopper has paid
// (reserved on the card, or taken since).
var paidStatus = map[string]bool{"RESERVED": true, "CAPTURED": true, "CHARGED": true, "COMPLETED": true,
	"PARTIAL REFUNDED": true, "REFUNDED": true}

// addQuery appends kv to the query of URL raw, replacing parameters of
// those names; the rest of the shop's query stays as it was written (its
// order, its encoding, and parameters url.ParseQuery would drop, such as
// one holding a ';').
func addQuery(raw string, kv map[string]string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	var parts []string
	if u.RawQuery != "" {
		for _, p := range strings.Split(u.RawQuery, "&") {
			name, _, _ := strings.Cut(p, "=")
			if n, err := url.QueryUnescape(name); err == nil {
				if _, ours := kv[n]; ours {
					continue
				}
			}
			parts = append(parts, p)
		}
	}
	add := url.Values{}
	for k, v := range kv {
		add.Set(k, v)
	}
	u.RawQuery = strings.Join(append(parts, add.Encode()), "&")
	return u.String()
}

// Redirect returns FrontGo's payment page for a checkout: the short link a
// shop can hand out. Only FrontGo's own URL is ever a target.
func (s *Service) Redirect(ctx context.Context, id string) (string, *Error) {
	c, e := s.Checkout(ctx, "", id)
	if e != nil {
		return "", e
	}
	if s.now().After(c.ExpiresAt) {
		return "", errorf(410, "expired", "this checkout has expired")
	}
	return c.PaymentURL, nil
}
