package sidecar

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/frontgate/frontgate/host/signature"
	"github.com/frontgate/frontgate/host/store"
)

// Server is the sidecar's HTTP front: routing, shop authentication,
// idempotency, limits, request ids and logs over a Service.
type Server struct {
	svc    *Service
	srv    *fasthttp.Server
	opsSrv *fasthttp.Server // the opsListen address's server
	ready  func(ctx context.Context) map[string]string
	// stopping is set when Shutdown begins: /readyz answers 503 from then
	// on, so a balancer stops sending requests while those in flight end.
	stopping atomic.Bool
}

// NewServer wraps svc. ready reports readiness problems by component
// (empty when ready); nil means always ready.
func NewServer(svc *Service, ready func(ctx context.Context) map[string]string) *Server {
	s := &Server{svc: svc, ready: ready}
	s.srv, s.opsSrv = s.httpServer(s.handle), s.httpServer(s.handleOps)
	return s
}

// httpServer is a fasthttp server with the sidecar's limits and timeouts
// around handler.
func (s *Server) httpServer(handler fasthttp.RequestHandler) *fasthttp.Server {
	cfg := s.svc.cfg
	return &fasthttp.Server{
		Handler:               handler,
		Name:                  "frontgate",
		ReadTimeout:           time.Duration(cfg.ReadTimeout),
		WriteTimeout:          time.Duration(cfg.WriteTimeout),
		IdleTimeout:           60 * time.Second,
		MaxRequestBodySize:    cfg.MaxBodyBytes,
		ReadBufferSize:        8 << 10, // also the header size limit
		NoDefaultServerHeader: true,
		NoDefaultContentType:  true,
		CloseOnShutdown:       true,
		Logger:                fasthttpLogger{s.svc.log},
		ErrorHandler:          s.unreadable,
		HeaderReceived:        s.bodyLimit,
		// fasthttp would log up to 400 bytes of a request whose headers it
		// cannot parse: with them, a shop's Bearer key.
		SecureErrorLogMessage: true,
	}
}

// anonymousBodyBytes is the most body a request without a shop's API key
// may send: none of the routes open to the public (callbacks, returns, /go
// links, the operator's endpoints) reads one.
const anonymousBodyBytes = 4 << 10

// bodyLimit sets, once a request's headers are read and before its body
// is, how much body it may send: maxBodyBytes with a shop's API key,
// anonymousBodyBytes without. fasthttp allocates a body's declared length
// before reading it, so without this anyone could make each connection
// hold maxBodyBytes for readTimeout by declaring it and sending nothing.
func (s *Server) bodyLimit(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
	if key, ok := bearer(string(h.Peek("Authorization"))); !ok || s.shopOf(key) == nil {
		return fasthttp.RequestConfig{MaxRequestBodySize: anonymousBodyBytes}
	}
	return fasthttp.RequestConfig{}
}

// bearer returns the token of an Authorization header value of the Bearer
// scheme, whose name is case-insensitive (RFC 9110, 11.1).
func bearer(authorization string) (string, bool) {
	scheme, key, ok := strings.Cut(authorization, " ")
	return key, ok && strings.EqualFold(scheme, "Bearer") && key != ""
}

// shopOf returns the shop whose API key is key, or nil. Every shop's key
// is compared, in constant time (and all of them, so timing does not tell
// which exists).
func (s *Server) shopOf(key string) *ShopConfig {
	var found *ShopConfig
	for _, shop := range s.svc.shops {
		if signature.Equal(key, shop.apiKey) {
			found = shop
		}
	}
	return found
}

// unreadable answers a request fasthttp could not read, before any handler
// ran, with the same JSON error body as every other failure, naming the
// limit it broke (fasthttp's own answers are plain text, and an oversized
// body would be a bare 400).
func (s *Server) unreadable(ctx *fasthttp.RequestCtx, err error) {
	var small *fasthttp.ErrSmallBuffer
	var netErr *net.OpError
	e := &Error{Status: 400, Code: "bad_request", Message: "the HTTP request could not be read"}
	switch {
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		e = &Error{Status: 413, Code: "too_large", Message: "request body: over the limit of " + strconv.Itoa(s.svc.cfg.MaxBodyBytes) +
			" bytes (maxBodyBytes; " + strconv.Itoa(anonymousBodyBytes) + " without a shop's API key)"}
	case errors.As(err, &small):
		e = &Error{Status: 431, Code: "headers_too_large", Message: "request headers: over the limit of 8 KiB"}
	case errors.As(err, &netErr) && netErr.Timeout():
		e = &Error{Status: 408, Code: "timeout", Message: "the request was not received within readTimeout"}
	}
	// Its own X-Request-Id could not be read either: a new one, as every
	// answer carries one.
	ctx.Response.Header.Set("X-Request-Id", newID("req"))
	writeError(ctx, e)
}

type fasthttpLogger struct{ l *slog.Logger }

func (f fasthttpLogger) Printf(format string, args ...any) {
	f.l.Warn("http server", "detail", strings.TrimSpace(sprintf(format, args...)))
}

// Serve serves on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error { return s.srv.Serve(ln) }

// ServeOps serves /healthz, /readyz and /metrics on ln (the opsListen
// address) until Shutdown. Without opsListen in the config, those paths
// are served by Serve too, and ServeOps is not needed.
func (s *Server) ServeOps(ln net.Listener) error { return s.opsSrv.Serve(ln) }

// Shutdown stops accepting connections on both addresses and waits for
// in-flight requests; /readyz answers 503 from its start (on the opsListen
// address, which closes after the public one).
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopping.Store(true)
	return errors.Join(s.srv.ShutdownWithContext(ctx), s.opsSrv.ShutdownWithContext(ctx))
}

// Handler returns the request handler, for tests that serve it themselves.
func (s *Server) Handler() fasthttp.RequestHandler { return s.handle }

// OpsHandler returns the opsListen address's handler, for tests.
func (s *Server) OpsHandler() fasthttp.RequestHandler { return s.handleOps }

type reqCtx struct {
	*fasthttp.RequestCtx
	ctx   context.Context // bounded by the request timeout
	id    string
	shop  *ShopConfig
	log   *slog.Logger
	route string
	// ref is the checkout id a checkout request will create, kept in its
	// Idempotency-Key's pending record so that a retry after the request
	// was lost can find what it made (takeOver); unnamed says its
	// reservation would not carry that id as FrontGo's reference.
	ref     string
	unnamed bool
}

func (s *Server) handle(fc *fasthttp.RequestCtx) { s.serve(fc, s.route) }

// handleOps is the opsListen address's handler.
func (s *Server) handleOps(fc *fasthttp.RequestCtx) { s.serve(fc, s.routeOps) }

// serve gives a request its id, log, deadline, panic guard and request
// metric, and hands it to route.
func (s *Server) serve(fc *fasthttp.RequestCtx, route func(*reqCtx)) {
	start := time.Now()
	rc := &reqCtx{RequestCtx: fc, id: string(fc.Request.Header.Peek("X-Request-Id"))}
	if rc.id == "" || len(rc.id) > 64 || !printable(rc.id) {
		rc.id = newID("req")
	}
	fc.Response.Header.Set("X-Request-Id", rc.id)
	rc.log = s.svc.log.With("request_id", rc.id)
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(s.svc.cfg.RequestTimeout))
	defer cancel()
	rc.ctx = ctx
	defer func() {
		if r := recover(); r != nil {
			id := newID("err")
			rc.log.Error("handler panic", "error_id", id, "panic", sprintf("%v", r))
			s.fail(rc, &Error{Status: 500, Code: "internal", Message: "internal error " + id})
		}
		status := fc.Response.StatusCode()
		s.svc.m.request(rc.route, status, time.Since(start))
		rc.log.Info("request", "method", string(fc.Method()), "route", rc.route, "status", status, "duration_ms", time.Since(start).Milliseconds())
	}()
	route(rc)
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// route dispatches by path. Paths:
//
//	POST /v1/checkouts                       create a checkout (shop auth)
//	GET  /v1/checkouts/{id}                  a checkout's record (shop auth)
//	GET  /v1/checkouts/{id}/go               302 to FrontGo's payment page
//	GET  /v1/reservations/{uuid}             details (shop auth)
//	POST /v1/reservations/{uuid}/{op}        capture, charge, cancel, complete, resend, refund (shop auth)
//	GET  /v1/history?start=&end=             history (shop auth)
//	GET  /v1/webhooks/dead?limit=            notifications given up (shop auth)
//	POST /v1/webhooks/redeliver              send dead letters again (shop auth)
//	GET  /v1/frontgo/callback/{token}        FrontGo's callback
//	GET  /v1/return/{success|failure}/{token} the shopper's return
//	GET  /healthz, /readyz, /metrics
func (s *Server) route(rc *reqCtx) {
	path := string(rc.Path())
	method := string(rc.Method())
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case isOpsPath(path) && s.svc.cfg.OpsListen == "":
		s.ops(rc, path)
	case len(parts) == 2 && parts[0] == "v1" && parts[1] == "checkouts":
		rc.route = "checkouts.create"
		if s.method(rc, method, "POST") && s.auth(rc) {
			s.createCheckout(rc)
		}
	case len(parts) == 3 && parts[0] == "v1" && parts[1] == "checkouts":
		rc.route = "checkouts.get"
		if s.method(rc, method, "GET") && s.auth(rc) {
			c, e := s.svc.Checkout(rc.ctx, rc.shop.ID, parts[2])
			s.reply(rc, 200, c, e)
		}
	case len(parts) == 4 && parts[0] == "v1" && parts[1] == "checkouts" && parts[3] == "go":
		rc.route = "checkouts.redirect"
		if s.method(rc, method, "GET") {
			u, e := s.svc.Redirect(rc.ctx, parts[2])
			if e != nil {
				s.page(rc, e)
				return
			}
			redirect(rc, u)
		}
	case len(parts) == 3 && parts[0] == "v1" && parts[1] == "reservations":
		rc.route = "reservations.details"
		if s.method(rc, method, "GET") && s.auth(rc) {
			d, e := s.svc.Details(rc.ctx, rc.shop.ID, parts[2])
			s.reply(rc, 200, d, e)
		}
	case len(parts) == 4 && parts[0] == "v1" && parts[1] == "reservations":
		op := parts[3]
		switch op {
		case "capture", "charge", "cancel", "complete", "resend", "refund":
		default:
			rc.route = "unknown"
			s.fail(rc, errorf(404, "not_found", "no such operation %q", truncate(op, 32)))
			return
		}
		rc.route = "reservations." + op
		if s.method(rc, method, "POST") && s.auth(rc) {
			s.idempotent(rc, "", func() (int, any, *Error) {
				out, e := s.svc.Operate(rc.ctx, rc.shop.ID, op, parts[2], rc.PostBody())
				return 200, out, e
			})
		}
	case len(parts) == 2 && parts[0] == "v1" && parts[1] == "history":
		rc.route = "history"
		if s.method(rc, method, "GET") && s.auth(rc) {
			// Only start and end are read: other parameters (a cache
			// buster, say) are no business of the sidecar's.
			qa := rc.QueryArgs()
			start, err1 := strconv.ParseInt(string(qa.Peek("start")), 10, 64)
			end, err2 := strconv.ParseInt(string(qa.Peek("end")), 10, 64)
			if given := qa.Has("start") || qa.Has("end"); given && (err1 != nil || err2 != nil) {
				s.fail(rc, errorf(400, "bad_input", "start and end must both be Unix seconds, or both absent"))
				return
			}
			h, e := s.svc.History(rc.ctx, rc.shop.ID, start, end)
			s.reply(rc, 200, map[string]any{"events": h}, e)
		}
	case len(parts) == 3 && parts[0] == "v1" && parts[1] == "webhooks" && parts[2] == "dead":
		rc.route = "webhooks.dead"
		if s.method(rc, method, "GET") && s.auth(rc) {
			s.listDead(rc)
		}
	case len(parts) == 3 && parts[0] == "v1" && parts[1] == "webhooks" && parts[2] == "redeliver":
		rc.route = "webhooks.redeliver"
		if s.method(rc, method, "POST") && s.auth(rc) {
			s.redeliver(rc)
		}
	case len(parts) == 4 && parts[0] == "v1" && parts[1] == "frontgo" && parts[2] == "callback":
		rc.route = "callback"
		if s.method(rc, method, "GET", "POST") {
			res, e := s.svc.HandleCallback(rc.ctx, parts[3], string(rc.URI().QueryString()))
			s.reply(rc, 200, map[string]string{"result": string(res)}, e)
		}
	case len(parts) == 4 && parts[0] == "v1" && parts[1] == "return" && (parts[2] == "success" || parts[2] == "failure"):
		rc.route = "return." + parts[2]
		if s.method(rc, method, "GET") {
			u, e := s.svc.Return(rc.ctx, parts[2], parts[3])
			if e != nil {
				s.page(rc, e)
				return
			}
			redirect(rc, u)
		}
	default:
		rc.route = "unknown"
		s.fail(rc, errorf(404, "not_found", "no such endpoint"))
	}
}

// redirect sends the shopper's browser to u, an absolute URL, as it is:
// fasthttp's Redirect would resolve it as a URI of its own and normalize
// its path (%2F decoded, "//" and ".." collapsed), sending the shopper to
// another page than the shop's (or FrontGo's) own.
func redirect(rc *reqCtx, u string) {
	rc.Response.Header.Set("Cache-Control", "no-store")
	rc.Response.Header.Set("Location", u)
	rc.SetStatusCode(fasthttp.StatusFound)
}

// isOpsPath says whether path is one of the operator's endpoints, served
// on the public port unless opsListen moves them to their own.
func isOpsPath(path string) bool {
	return path == "/healthz" || path == "/readyz" || path == "/metrics"
}

// ops serves the operator's endpoints, to GET (and HEAD, which some
// probes send); other methods are 405.
func (s *Server) ops(rc *reqCtx, path string) {
	rc.route = strings.TrimPrefix(path, "/")
	if !s.method(rc, string(rc.Method()), "GET", "HEAD") {
		return
	}
	switch path {
	case "/healthz":
		rc.SetContentType("text/plain; charset=utf-8")
		rc.WriteString("ok\n")
	case "/readyz":
		s.readyz(rc)
	case "/metrics":
		rc.SetContentType("text/plain; version=0.0.4")
		s.svc.m.write(rc)
	}
}

// routeOps is the router of the opsListen address: the operator's
// endpoints and nothing else.
func (s *Server) routeOps(rc *reqCtx) {
	path := string(rc.Path())
	if isOpsPath(path) {
		s.ops(rc, path)
		return
	}
	rc.route = "unknown"
	s.fail(rc, errorf(404, "not_found", "no such endpoint (this address serves /healthz, /readyz and /metrics)"))
}

func (s *Server) method(rc *reqCtx, method string, allowed ...string) bool {
	for _, m := range allowed {
		if method == m {
			return true
		}
	}
	rc.Response.Header.Set("Allow", strings.Join(allowed, ", "))
	s.fail(rc, errorf(405, "method_not_allowed", "use %s", strings.Join(allowed, " or ")))
	return false
}

// auth finds the shop by its bearer key (shopOf).
func (s *Server) auth(rc *reqCtx) bool {
	key, ok := bearer(string(rc.Request.Header.Peek("Authorization")))
	if !ok {
		rc.Response.Header.Set("WWW-Authenticate", `Bearer realm="frontgate"`)
		s.fail(rc, errorf(401, "unauthorized", "missing bearer API key"))
		return false
	}
	found := s.shopOf(key)
	if found == nil {
		rc.Response.Header.Set("WWW-Authenticate", `Bearer realm="frontgate", error="invalid_token"`)
		s.fail(rc, errorf(401, "unauthorized", "unknown API key"))
		return false
	}
	rc.shop = found
	rc.log = rc.log.With("shop", found.ID)
	return true
}

func (s *Server) createCheckout(rc *reqCtx) {
	var req CheckoutRequest
	if e := decodeObject("checkout", rc.PostBody(), &req); e != nil {
		s.fail(rc, e)
		return
	}
	key := "order:" + req.OrderID // a double-click without a key is still one checkout
	// A checkout whose reservation carries its id as FrontGo's referenceNo
	// can be found again if the request is lost; its pending record keeps
	// the id (see takeOver).
	id := newID("chk")
	rc.ref, rc.unnamed = id, !req.Named(id)
	s.idempotent(rc, key, func() (int, any, *Error) {
		c, e := s.svc.CreateCheckout(rc.ctx, rc.shop, &req)
		return 201, c, e
	})
}

// idemRecord is a POST's stored result.
type idemRecord struct {
	State  string          `json:"state"` // "pending" or "done"
	Hash   string          `json:"hash"`
	Status int             `json:"status,omitempty"`
	Body   json.RawMessage `json:"body,omitempty"`
	// Started is when a pending request began (Unix ms). A pending record
	// older than idemLease belongs to a request that will never finish:
	// its sidecar stopped. Lost marks one that broke off (a panic). Ref is
	// the checkout id a checkout request creates; Unnamed says its
	// reservation would not carry Ref as FrontGo's reference.
	Started int64  `json:"started,omitempty"`
	Lost    bool   `json:"lost,omitempty"`
	Ref     string `json:"ref,omitempty"`
	Unnamed bool   `json:"unnamed,omitempty"`
	// Lease is the writer's idemLease (ms): an instance configured with a
	// shorter requestTimeout must not take a key over while the request of
	// one with a longer timeout may still run.
	Lease int64 `json:"lease,omitempty"`
}

// leaseOf is how long rec's request may hold its key: the longer of its
// writer's lease and this sidecar's (records from before Lease: this one's).
func (s *Server) leaseOf(rec idemRecord) time.Duration {
	return max(s.idemLease(), time.Duration(rec.Lease)*time.Millisecond)
}

// idemLease is how long a request may hold its key pending: the request
// deadline and a margin for clocks and the store. Past it, the request is
// taken for lost (see idempotent).
func (s *Server) idemLease() time.Duration {
	return time.Duration(s.svc.cfg.RequestTimeout) + time.Minute
}

// idempotent runs f at most once per (shop, Idempotency-Key): a retry with
// the same key and body gets the first answer, the same key with another
// body is refused (409), and a retry while the first is still running gets
// 409 with Retry-After. Without the header, fallbackKey is used; with
// neither, f simply runs (two partial captures may rightly have equal
// bodies).
//
// What is kept under the key: a success; and an answer saying a write may
// have reached FrontGo with its outcome unknown (Error.keep), so that a
// retry cannot charge, capture or refund twice. Anything else did nothing
// at FrontGo (a refusal, a validation error, FrontGo unreachable, the
// store down) and frees the key, so a corrected or later retry runs.
//
// A request whose sidecar stopped (a crash, a kill) leaves its key pending;
// past idemLease (at once after a panic) a retry finds it lost. A checkout
// then runs again (the lost one never gave the shopper a payment page); an
// operation on a reservation gets, and keeps, 504 upstream_unknown: it may
// have reached FrontGo.
func (s *Server) idempotent(rc *reqCtx, fallbackKey string, f func() (int, any, *Error)) {
	key := string(rc.Request.Header.Peek("Idempotency-Key"))
	if key == "" && fallbackKey == "" {
		status, out, e := f()
		s.reply(rc, status, out, e)
		return
	}
	auto := key == ""
	if auto {
		key = "auto:" + fallbackKey
	} else if len(key) > 255 || !printable(key) {
		s.fail(rc, errorf(400, "bad_input", "Idempotency-Key must be 1-255 visible ASCII characters (no spaces)"))
		return
	}
	skey := "idem:" + rc.shop.ID + ":" + string(rc.Path()) + ":" + key
	hash := hashOf(rc.PostBody())
	ttl := time.Duration(s.svc.cfg.IdempotencyTTL)
	pending, _ := json.Marshal(idemRecord{State: "pending", Hash: hash, Started: s.svc.now().UnixMilli(), Ref: rc.ref, Unnamed: rc.unnamed,
		Lease: s.idemLease().Milliseconds()})
	ok, err := s.svc.store.SetNX(rc.ctx, skey, pending, ttl)
	if err != nil {
		s.fail(rc, errorf(503, "store_unavailable", "store unavailable"))
		return
	}
	if !ok {
		b, err := s.svc.store.Get(rc.ctx, skey)
		var rec idemRecord
		if err != nil || json.Unmarshal(b, &rec) != nil {
			if errors.Is(err, store.ErrNotFound) { // expired in between: run it
				s.idempotent(rc, fallbackKey, f)
				return
			}
			s.fail(rc, errorf(503, "store_unavailable", "store unavailable"))
			return
		}
		if rec.Hash != hash {
			if auto {
				s.fail(rc, errorf(409, "idempotency_mismatch", "a checkout for this orderId was made with a different body "+
					"within idempotencyTtl; send an Idempotency-Key of your own for another attempt"))
				return
			}
			s.fail(rc, errorf(409, "idempotency_mismatch", "this Idempotency-Key was used with a different request body"))
			return
		}
		if rec.State != "done" {
			if rec.Started == 0 && !rec.Lost {
				// Written by a sidecar from before records carried their
				// start: its lease starts now.
				rec.Started = s.svc.now().UnixMilli()
				stamped, _ := json.Marshal(rec)
				_, _ = s.svc.store.CompareAndSwap(rc.ctx, skey, b, stamped, ttl)
			}
			if !rec.Lost && s.svc.now().Sub(time.UnixMilli(rec.Started)) < s.leaseOf(rec) {
				s.fail(rc, inProgress())
				return
			}
			// An operation on a reservation may have moved money: it does
			// not run again. A checkout does (takeOver first looks for
			// what the lost request made, by the checkout id its record
			// kept), and so does a redelivery; a checkout record with no
			// id (from a sidecar older than records' Ref) cannot be looked
			// for, so it does not.
			rerun := !strings.HasPrefix(rc.route, "reservations.") && !(rc.route == "checkouts.create" && rec.Ref == "")
			claimed, ok := s.takeOver(rc, skey, b, rec, rerun, ttl)
			if !ok {
				return
			}
			pending = claimed
		} else {
			rc.Response.Header.Set("Idempotent-Replayed", "true")
			rc.SetContentType("application/json")
			rc.SetStatusCode(rec.Status)
			rc.SetBody(rec.Body)
			return
		}
	}
	finished := false
	defer func() {
		if !finished { // f panicked: mark the request lost at once
			var rec idemRecord
			_ = json.Unmarshal(pending, &rec)
			rec.Lost = true
			lost, _ := json.Marshal(rec)
			_, _ = s.svc.store.CompareAndSwap(context.WithoutCancel(rc.ctx), skey, pending, lost, ttl)
		}
	}()
	status, out, e := f()
	finished = true
	s.finish(rc, skey, pending, hash, ttl, status, out, e)
}

// finish answers the request under key skey (whose pending record it
// wrote is pending) with status and out, or e, and keeps that answer under
// the key for retries (the body's hash, for ttl); an error that did
// nothing at FrontGo (not e.keep) frees the key instead, so a retry runs
// again.
func (s *Server) finish(rc *reqCtx, skey string, pending []byte, hash string, ttl time.Duration, status int, out any, e *Error) {
	var body []byte
	if e != nil {
		status = e.Status
		body, _ = json.Marshal(map[string]*Error{"error": e})
	} else {
		body, _ = json.Marshal(out)
	}
	if e != nil && !e.keep {
		if err := s.svc.store.Delete(context.WithoutCancel(rc.ctx), skey); err != nil {
			s.freeLater(rc, skey, pending)
		}
	} else {
		done, _ := json.Marshal(idemRecord{State: "done", Hash: hash, Status: status, Body: body})
		if err := s.svc.store.Set(context.WithoutCancel(rc.ctx), skey, done, ttl); err != nil {
			rc.log.Error("storing idempotent result failed", "err", err)
		}
	}
	if e != nil {
		s.fail(rc, e)
		return
	}
	rc.SetContentType("application/json")
	rc.SetStatusCode(status)
	rc.SetBody(body)
}

// freeLater frees key skey, which an answer that did nothing at FrontGo
// could not free because the store failed (Redis restarting): that answer
// tells the shop to try again, under the same key for a checkout, and the
// key left pending would answer in_progress until its lease ran out
// (requestTimeout and a minute). It tries again in the background, for at
// most half the lease, and only while the key still holds this request's
// pending record: a failed delete may have gone through, and a retry may
// have taken the key since (its record is left alone: expireIfHolds).
func (s *Server) freeLater(rc *reqCtx, skey string, pending []byte) {
	log := rc.log
	until := time.Now().Add(s.idemLease() / 2)
	free := func() bool { // freed, or no longer this request's
		return s.svc.expireIfHolds(context.Background(), skey, pending) == nil
	}
	s.svc.bg.Go(func() {
		for wait := 100 * time.Millisecond; ; wait = min(2*wait, 5*time.Second) {
			if time.Now().Add(wait).After(until) {
				log.Warn("an Idempotency-Key could not be freed; it is taken for lost after its lease", "key", skey)
				return
			}
			select {
			case <-time.After(wait):
			case <-s.svc.quit:
				free()
				return
			}
			if free() {
				return
			}
		}
	})
}

// takeOver claims a key whose request was lost (lost, its record, read as
// seen) for this request to run, returning the pending record it stored
// and true, or answers the request and returns false. Two retries racing
// for the same lost key: one wins the swap, the other is told the key is
// in use.
//
// An operation on a reservation, and a checkout whose reservation would
// not carry its id as reference, is answered, once and for every later
// retry, with 504 upstream_unknown: it may have reached FrontGo. Anything
// else runs again (rerun); a checkout first looks for what the lost
// request made, by the checkout id its record kept: a checkout it recorded
// is the answer (201); otherwise a reservation FrontGo made for it (a
// payment link may even have gone out) is found by its reference and
// cancelled, and the checkout runs again once that search went through.
func (s *Server) takeOver(rc *reqCtx, skey string, seen []byte, lost idemRecord, rerun bool, ttl time.Duration) ([]byte, bool) {
	var next []byte
	var e *Error
	if rerun {
		next, _ = json.Marshal(idemRecord{State: "pending", Hash: lost.Hash, Started: s.svc.now().UnixMilli(), Ref: rc.ref, Unnamed: rc.unnamed,
			Lease: s.idemLease().Milliseconds()})
	} else {
		check := "check the reservation (GET /v1/reservations/{uuid})"
		if rc.route == "checkouts.create" {
			check = "look for the reservation by the order's own reference (GET /v1/history, or FrontGo's portal)"
		}
		e = &Error{Status: 504, Code: "upstream_unknown", Message: "an earlier request with this Idempotency-Key broke off " +
			"(the sidecar stopped) and may have reached FrontGo; the outcome is unknown: " + check +
			" and send it again under a new Idempotency-Key only if it was not made"}
		body, _ := json.Marshal(map[string]*Error{"error": e})
		next, _ = json.Marshal(idemRecord{State: "done", Hash: lost.Hash, Status: e.Status, Body: body})
	}
	won, err := s.svc.store.CompareAndSwap(rc.ctx, skey, seen, next, ttl)
	switch {
	case err != nil:
		s.fail(rc, errorf(503, "store_unavailable", "store unavailable"))
		return nil, false
	case !won:
		s.fail(rc, inProgress())
		return nil, false
	case e != nil:
		rc.log.Warn("a request with this Idempotency-Key was lost; its outcome is unknown", "key", skey)
		s.fail(rc, e)
		return nil, false
	}
	if lost.Ref != "" {
		// The retry's body is the lost one's (the hashes matched): it says
		// too whether the reservation carries the checkout id, for a
		// record written before records said so (no unnamed member).
		named := !lost.Unnamed && !rc.unnamed
		c, found, e := s.svc.RecoverCheckout(rc.ctx, rc.shop, lost.Ref, time.UnixMilli(lost.Started), named)
		switch {
		case e != nil && e.keep: // it cannot be found out: this answer, for every retry
			rc.log.Warn("a checkout request with this Idempotency-Key was lost; its outcome is unknown", "key", skey)
			s.finish(rc, skey, next, lost.Hash, ttl, 0, nil, e)
			return nil, false
		case e != nil: // the store cannot say: let a later retry find out
			_, _ = s.svc.store.CompareAndSwap(context.WithoutCancel(rc.ctx), skey, next, seen, ttl)
			s.fail(rc, e)
			return nil, false
		case found:
			rc.log.Warn("a checkout request with this Idempotency-Key was lost after it made its checkout; answering with it",
				"key", skey, "checkout", c.CheckoutID)
			s.finish(rc, skey, next, lost.Hash, ttl, 201, c, nil)
			return nil, false
		}
	}
	rc.log.Warn("a checkout request with this Idempotency-Key was lost; running it again", "key", skey)
	return next, true
}

func (s *Server) reply(rc *reqCtx, status int, v any, e *Error) {
	if e != nil {
		s.fail(rc, e)
		return
	}
	body, err := json.Marshal(v)
	if err != nil {
		s.fail(rc, errorf(500, "internal", "encoding the answer failed"))
		return
	}
	rc.SetContentType("application/json")
	rc.SetStatusCode(status)
	rc.SetBody(body)
}

func (s *Server) fail(rc *reqCtx, e *Error) {
	if e.Status >= 500 {
		rc.log.Error("request failed", "code", e.Code, "status", e.Status, "message", e.Message, "detail", e.detail)
	}
	writeError(rc.RequestCtx, e)
}

// inProgress answers a request whose Idempotency-Key another request still
// holds: try again in a second (the header and the body say so alike).
func inProgress() *Error {
	return &Error{Status: 409, Code: "in_progress", RetryAfter: 1, Message: "a request with this Idempotency-Key is still being processed"}
}

// writeError writes e as the answer: {"error": e}, and Retry-After when e
// has one.
func writeError(ctx *fasthttp.RequestCtx, e *Error) {
	if e.RetryAfter > 0 {
		ctx.Response.Header.Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	body, _ := json.Marshal(map[string]*Error{"error": e})
	ctx.SetContentType("application/json")
	ctx.SetStatusCode(e.Status)
	ctx.SetBody(body)
}

// page answers a shopper's browser with a small HTML page instead of JSON:
// in English (its lang says so, for screen readers), never cached (a reload
// asks again), with e's Retry-After.
func (s *Server) page(rc *reqCtx, e *Error) {
	if e.RetryAfter > 0 {
		rc.Response.Header.Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	rc.Response.Header.Set("Cache-Control", "no-store")
	rc.SetContentType("text/html; charset=utf-8")
	rc.SetStatusCode(e.Status)
	rc.WriteString(`<!doctype html><html lang="en"><meta charset="utf-8"><title>frontgate</title><body style="font-family:sans-serif;max-width:32em;margin:4em auto">` +
		`<h1>` + htmlEscape(e.Message) + `</h1><p>Return to the shop and try again, or contact the shop.</p></body>`)
}

func (s *Server) readyz(rc *reqCtx) {
	problems := map[string]string{}
	if s.ready != nil {
		ctx, cancel := context.WithTimeout(rc.ctx, 3*time.Second)
		problems = s.ready(ctx)
		cancel()
	}
	if problems == nil {
		problems = map[string]string{}
	}
	if s.stopping.Load() {
		problems["shutdown"] = "shutting down: requests in flight are finishing"
	}
	status := 200
	if len(problems) > 0 {
		status = 503
	}
	last, runs := s.svc.LastReconcile()
	detail := map[string]any{"ready": len(problems) == 0, "problems": problems, "reconcileRuns": runs}
	if runs > 0 {
		if last.Error != "" { // the detail is in the log; this answer is public
			last.Error = "failed: see the sidecar's log"
		}
		detail["lastReconcile"] = last
	}
	s.reply(rc, status, detail, nil)
}
