package sandbox

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/frontgate/frontgate/plugin/reservation"
)

// APIPrefix is where the reservation endpoints live, as in FrontGo's
// reference (https://demo-api.frontpayment.no/api/v1/connect/reservations/…).
const APIPrefix = "/api/v1/connect/reservations/"

// Endpoint names, as faults and the control plane name them: the core's
// operation names.
var Endpoints = []string{
	reservation.OpSubmit, reservation.OpCreate, reservation.OpDetails, reservation.OpCapture,
	reservation.OpCharge, reservation.OpCancel, reservation.OpComplete, reservation.OpResend,
	reservation.OpRefund, reservation.OpHistory,
}

func (s *Sandbox) routes() http.Handler {
	mux := http.NewServeMux()
	p := APIPrefix
	mux.Handle(p+"submit", s.endpoint(reservation.OpSubmit, s.handleNew(reservation.OpSubmit)))
	mux.Handle(p+"create", s.endpoint(reservation.OpCreate, s.handleNew(reservation.OpCreate)))
	mux.Handle(p+"details/{uuid}", s.endpoint(reservation.OpDetails, s.handleDetails))
	mux.Handle(p+"capture/{uuid}", s.endpoint(reservation.OpCapture, s.handleCapture))
	mux.Handle(p+"charge/{uuid}", s.endpoint(reservation.OpCharge, s.handleCharge))
	mux.Handle(p+"cancel/{uuid}", s.endpoint(reservation.OpCancel, s.handleNote(reservation.OpCancel)))
	mux.Handle(p+"complete/{uuid}", s.endpoint(reservation.OpComplete, s.handleNote(reservation.OpComplete)))
	mux.Handle(p+"resend/{uuid}", s.endpoint(reservation.OpResend, s.handleResend))
	mux.Handle(p+"refund/{uuid}", s.endpoint(reservation.OpRefund, s.handleRefund))
	history := s.endpoint(reservation.OpHistory, s.handleHistory)
	mux.Handle(p+"history", history)
	mux.Handle(p+"history/{start}", history)
	mux.Handle(p+"history/{start}/{end}", history)
	mux.HandleFunc("/api/", s.handleNoRoute)
	mux.HandleFunc("/checkout/{uuid}", s.handleCheckout)
	mux.HandleFunc("/{$}", s.handleIndex)
	if s.cfg.Control {
		mux.Handle(ControlPrefix, s.controlHandler())
	}
	return mux
}

// methods returns the methods an endpoint accepts: GET for details and
// history; GET (documented) and POST (an older revision, and third-party
// clients) for cancel; POST for the rest.
func methods(op string) []string {
	switch op {
	case reservation.OpDetails, reservation.OpHistory:
		return []string{http.MethodGet}
	case reservation.OpCancel:
		return []string{http.MethodGet, http.MethodPost}
	}
	return []string{http.MethodPost}
}

// apiHandler answers one API request: the body (already read, within the
// size limit) and the sandbox time the request is handled at.
type apiHandler func(r *http.Request, body []byte, now time.Time) reply

// endpoint wraps an API handler with what every endpoint shares, in the
// order a Laravel stack applies it: method (405), bearer token (401),
// injected faults, body size (413), then the handler.
func (s *Sandbox) endpoint(op string, h apiHandler) http.Handler {
	allowed := methods(op)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rid := "sbx-" + strconv.FormatInt(s.reqSeq.Add(1), 10)
		w.Header().Set("X-Request-Id", rid)
		code, outcome := s.serveAPI(w, r, op, allowed, h)
		s.cfg.Logger.Info("request", "request_id", rid, "method", r.Method, "op", op,
			"reservation", r.PathValue("uuid"), "status", code, "outcome", outcome,
			"duration", time.Since(start))
	})
}

func (s *Sandbox) serveAPI(w http.ResponseWriter, r *http.Request, op string, allowed []string, h apiHandler) (int, string) {
	ok := false
	for _, m := range allowed {
		ok = ok || r.Method == m
	}
	if !ok {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		return write(w, errorReply(405, "Method Not Allowed", "methodNotAllowed", true,
			[]string{"the " + op + " endpoint accepts " + strings.Join(allowed, " or ")})), "method"
	}
	if !s.authorized(r, s.cfg.Token) {
		return write(w, unauthorizedReply()), "unauthorized"
	}
	w.Header().Set("X-Ratelimit-Limit", strconv.Itoa(s.cfg.RateLimit))
	w.Header().Set("X-Ratelimit-Remaining", s.rate.hit(s.Now(), s.cfg.RateLimit))

	latency, f := s.faults.pick(op, s.float64)
	if latency > 0 && !s.sleep(r.Context(), latency) {
		return 0, "latency-interrupted"
	}
	dropAfter := false
	if f != nil {
		switch f.Kind {
		case FaultRateLimit:
			ra := f.RetryAfter
			if ra <= 0 {
				ra = 1
			}
			w.Header().Set("X-Ratelimit-Remaining", "0")
			w.Header().Set("Retry-After", strconv.Itoa(ra))
			return write(w, rateLimitReply(f)), "fault:" + string(f.Kind)
		case FaultServerError, FaultGatewayError:
			return write(w, faultReply(op, f)), "fault:" + string(f.Kind)
		case FaultTimeout:
			hold := f.Latency
			if hold <= 0 || hold > s.cfg.HoldMax {
				hold = s.cfg.HoldMax
			}
			s.sleep(r.Context(), hold)
			drop(w)
			return 0, "fault:" + string(f.Kind)
		case FaultDrop:
			drop(w)
			return 0, "fault:" + string(f.Kind)
		case FaultDropAfter:
			dropAfter = true
		}
	}

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return write(w, errorReply(413, "Payload Too Large", "payloadTooLarge", true,
				[]string{"the request body exceeds " + strconv.FormatInt(tooBig.Limit, 10) + " bytes"})), "too-large"
		}
		return 0, "read-error"
	}
	rep := h(r, body, s.Now())
	if dropAfter {
		drop(w)
		return 0, "fault:" + string(FaultDropAfter) + "(" + strconv.Itoa(rep.code) + ")"
	}
	return write(w, rep), ""
}

func write(w http.ResponseWriter, rep reply) int {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(rep.body)))
	w.WriteHeader(rep.code)
	_, _ = w.Write(rep.body)
	return rep.code
}

// drop closes the connection without an answer: the client sees a reset or
// an unexpected EOF. Where the connection cannot be hijacked (HTTP/2), the
// handler aborts, which resets the stream.
func drop(w http.ResponseWriter) {
	if c, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = c.Close()
		return
	}
	panic(http.ErrAbortHandler)
}

// authorized checks "Authorization: Bearer <token>" in constant time
// (comparing digests, so the token's length does not leak either).
func (s *Sandbox) authorized(r *http.Request, token string) bool {
	h := r.Header.Get("Authorization")
	const prefix = "bearer "
	if len(h) < len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(h[len(prefix):])))
	want := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

// handleNoRoute answers any other path under /api/ with FrontGo's 404
// envelope.
func (s *Sandbox) handleNoRoute(w http.ResponseWriter, r *http.Request) {
	write(w, errorReply(404, smNotFound, "routeNotFound", true, []string{"no endpoint " + r.URL.Path}))
}

// publicBase is the base of URLs handed to shoppers.
func (s *Sandbox) publicBase(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return s.cfg.PublicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Sandbox) options(now time.Time) reservation.Options {
	return reservation.Options{Now: now, TaxRates: s.cfg.TaxRates}
}

// invalid turns a core error into the 417 answer.
func invalid(err error) reply {
	var ve *reservation.ValidationError
	if errors.As(err, &ve) {
		return validationReply(ve)
	}
	return errorReply(417, smClientError, reservation.MsgPayloadValidationErrors, true, []string{err.Error()})
}

// bodyUUID is the identifier to validate a body with: the path's, or a
// well-formed stand-in when the path's is malformed. FrontGo validates the
// payload (417) before it looks the reservation up (404), and does not
// validate the path parameter as a field; a malformed identifier is simply
// not found.
func bodyUUID(uuid string) string {
	if reservation.ValidateDetails(uuid) != nil {
		return "RES0"
	}
	return uuid
}

// createdData is the data of a successful submit (checkoutUrl) or create
// (paymentUrl).
type createdData struct {
	CustomerUUID    string `json:"customerUuid"`
	ReservationUUID string `json:"reservationUuid"`
	CheckoutURL     string `json:"checkoutUrl,omitempty"`
	PaymentURL      string `json:"paymentUrl,omitempty"`
}

// MsgSubmitted is the message of a successful submit or create: prose in
// the reference, not a key.
const MsgSubmitted = "Reservation Submitted Successfully"

// handleNew serves Submit Reservation and Create Session for Reservation.
func (s *Sandbox) handleNew(op string) apiHandler {
	return func(r *http.Request, body []byte, now time.Time) reply {
		nr, err := reservation.DecodeNew(op, body, s.options(now))
		if err != nil {
			return invalid(err)
		}
		s.mu.Lock()
		res := s.create(op, nr, now)
		d := createdData{CustomerUUID: res.CustomerUUID, ReservationUUID: res.UUID}
		s.mu.Unlock()
		u := s.publicBase(r) + CheckoutPath + d.ReservationUUID
		if op == reservation.OpSubmit {
			d.CheckoutURL = u
		} else {
			d.PaymentURL = u
		}
		return dataReply(201, smOK, MsgSubmitted, true, d)
	}
}

// handleDetails serves Get Reservation Details By UUID.
func (s *Sandbox) handleDetails(r *http.Request, _ []byte, now time.Time) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	res := s.lookup(r.PathValue("uuid"), now)
	if res == nil {
		return notFoundReply(reservation.OpDetails)
	}
	return dataReply(200, smOK, "reservationRetrievedSuccessfully", true, s.details(res))
}

type uuidData struct {
	UUID string `json:"uuid"`
}

// handleCapture serves Capture Reservation.
func (s *Sandbox) handleCapture(r *http.Request, body []byte, now time.Time) reply {
	uuid := r.PathValue("uuid")
	cp, err := reservation.DecodeCapture(bodyUUID(uuid), body)
	if err != nil {
		return invalid(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	res := s.lookup(uuid, now)
	if res == nil {
		return notFoundReply(reservation.OpCapture)
	}
	t, rf := s.capture(res, cp, now)
	if rf != nil {
		return refusalReply(reservation.OpCapture, rf)
	}
	return dataReply(202, smOK, "reservationCapturedSuccessfully", true, uuidData{t.UUID})
}

// handleCharge serves Charge Reservation.
func (s *Sandbox) handleCharge(r *http.Request, body []byte, now time.Time) reply {
	uuid := r.PathValue("uuid")
	ch, err := reservation.DecodeCharge(bodyUUID(uuid), body, s.options(now))
	if err != nil {
		return invalid(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	res := s.lookup(uuid, now)
	if res == nil {
		return notFoundReply(reservation.OpCharge)
	}
	t, rf := s.charge(res, ch, now)
	if rf != nil {
		return refusalReply(reservation.OpCharge, rf)
	}
	return dataReply(202, smOK, "reservationChargedSuccessfully", true, uuidData{t.UUID})
}

// handleNote serves Cancel Reservation and Complete Reservation.
func (s *Sandbox) handleNote(op string) apiHandler {
	return func(r *http.Request, body []byte, now time.Time) reply {
		uuid := r.PathValue("uuid")
		note, err := reservation.DecodeNote(op, bodyUUID(uuid), body)
		if err != nil {
			return invalid(err)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		res := s.lookup(uuid, now)
		if res == nil {
			return notFoundReply(op)
		}
		if op == reservation.OpCancel {
			if rf := s.cancel(res, note, now); rf != nil {
				return refusalReply(op, rf)
			}
			return dataReply(202, smOK, "cancelledOrderSuccessfully", false, nil)
		}
		if rf := s.complete(res, note, now); rf != nil {
			return refusalReply(op, rf)
		}
		return dataReply(202, smOK, "reservationCompletedSuccessfully", false, nil)
	}
}

// handleResend serves Resend Reservation.
func (s *Sandbox) handleResend(r *http.Request, body []byte, now time.Time) reply {
	uuid := r.PathValue("uuid")
	rs, err := reservation.DecodeResend(bodyUUID(uuid), body)
	if err != nil {
		return invalid(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	res := s.lookup(uuid, now)
	if res == nil {
		return notFoundReply(reservation.OpResend)
	}
	if rf := s.resend(res, rs, now); rf != nil {
		return refusalReply(reservation.OpResend, rf)
	}
	return dataReply(202, smOK, "resentOrderSuccessfully", true, nil)
}

// handleRefund serves Refund Reservation.
func (s *Sandbox) handleRefund(r *http.Request, body []byte, now time.Time) reply {
	uuid := r.PathValue("uuid")
	rf, err := reservation.DecodeRefund(bodyUUID(uuid), body)
	if err != nil {
		return invalid(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	res := s.lookup(uuid, now)
	if res == nil {
		return notFoundReply(reservation.OpRefund)
	}
	if ref := s.refund(res, rf, now); ref != nil {
		return refusalReply(reservation.OpRefund, ref)
	}
	return dataReply(202, smOK, "orderRefundedSuccessfully", true, nil)
}

// handleHistory serves Get Reservation History: /history (the last 24
// hours) or /history/{start}/{end} (Unix seconds, both ends included).
func (s *Sandbox) handleHistory(r *http.Request, _ []byte, now time.Time) reply {
	start, end := r.PathValue("start"), r.PathValue("end")
	if err := reservation.ValidateHistory(start, end); err != nil {
		return invalid(err)
	}
	from, to := now.Unix()-reservation.HistoryWindow, now.Unix()
	if start != "" {
		from, _ = strconv.ParseInt(start, 10, 64)
		to, _ = strconv.ParseInt(end, 10, 64)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshAll(now)
	return dataReply(200, smOK, "reservationRetrievedSuccessfully", true, s.history(from, to))
}
