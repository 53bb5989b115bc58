// Package frontgo is the sidecar's HTTP client for FrontGo Connect. It moves
// bytes: the reservation core (through the wasm module) builds every request
// and parses every answer; this package adds the bearer token, timeouts,
// retries with backoff and jitter, and respect for FrontGo's rate-limit
// headers.
//
// Retry discipline: reads (details, history) are retried on network errors,
// 429 and 5xx. Writes are retried only when FrontGo certainly did not act on
// them: the connection could not be made, or FrontGo answered 429. A write
// that timed out or got a 5xx is NOT retried: FrontGo takes no idempotency
// key, so a second create could make a second reservation. The caller sees
// the failure and the shop retries under its own Idempotency-Key, which
// frontgate turns into one attempt at a time.
package frontgo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
)

// Config configures a Client. Zero values take the defaults of
// DefaultConfig.
type Config struct {
	// BaseURL is FrontGo's API base, ending in /api/v1, such as
	// https://demo-api.frontpayment.no/api/v1.
	BaseURL string
	// Token is the merchant's bearer token.
	Token string
	// Timeout bounds one attempt.
	Timeout time.Duration
	// MaxAttempts bounds tries of one request (first try included).
	MaxAttempts int
	// BaseBackoff is the first retry's delay; it doubles per retry, with
	// full jitter, up to MaxBackoff.
	BaseBackoff, MaxBackoff time.Duration
	// CancelMethod is "GET" (the reference) or "POST" (an older revision).
	CancelMethod string
	// Sleep waits between retries; tests replace it to run without delay.
	Sleep func(ctx context.Context, d time.Duration) error
	// MaxResponseBytes bounds a response body.
	MaxResponseBytes int
}

// DefaultConfig returns the defaults: 10 s per attempt, 3 attempts,
// backoff from 200 ms to 2 s, cancel by GET.
func DefaultConfig() Config {
	return Config{Timeout: 10 * time.Second, MaxAttempts: 3, BaseBackoff: 200 * time.Millisecond,
		MaxBackoff: 2 * time.Second, CancelMethod: "GET", MaxResponseBytes: 4 << 20}
}

// Request is one call to FrontGo, as the core's build operations describe
// it: method, path relative to the base URL, and an optional JSON body.
type Request struct {
	Op     string // operation name, for logs and metrics
	Method string
	Path   string
	Body   []byte
	// Write marks requests that change state at FrontGo.
	Write bool
}

// Response is FrontGo's raw answer.
type Response struct {
	Status    int
	Body      []byte
	RequestID string
	Attempts  int
	// RateLimit and RateRemaining echo x-ratelimit-limit and
	// x-ratelimit-remaining; -1 when absent.
	RateLimit, RateRemaining int
	// RetryAfter is a 429's Retry-After, or zero.
	RetryAfter time.Duration
}

// ErrUnavailable wraps transport failures: FrontGo could not be reached or
// did not answer in time.
var ErrUnavailable = errors.New("frontgo: unavailable")

// TransportError is a failed exchange. Sent tells whether the request may
// have reached FrontGo (so a write's outcome is unknown).
type TransportError struct {
	Op       string
	Attempts int
	Sent     bool
	Err      error
}

func (e *TransportError) Error() string {
	state := "not sent"
	if e.Sent {
		state = "outcome unknown"
	}
	return fmt.Sprintf("frontgo: %s: %s after %d attempt(s): %v", e.Op, state, e.Attempts, e.Err)
}

func (e *TransportError) Unwrap() []error { return []error{ErrUnavailable, e.Err} }

// Client talks to one FrontGo account. It is safe for concurrent use.
type Client struct {
	cfg  Config
	hc   *fasthttp.Client
	auth string

	mu          sync.Mutex
	pausedUntil time.Time // rate limit: no new request before this
	now         func() time.Time
}

// New returns a Client for cfg.
func New(cfg Config) (*Client, error) {
	d := DefaultConfig()
	if cfg.Timeout <= 0 {
		cfg.Timeout = d.Timeout
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = d.MaxAttempts
	}
	if cfg.BaseBackoff <= 0 {
		cfg.BaseBackoff = d.BaseBackoff
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = d.MaxBackoff
	}
	if cfg.CancelMethod == "" {
		cfg.CancelMethod = d.CancelMethod
	}
	if cfg.MaxResponseBytes <= 0 {
		cfg.MaxResponseBytes = d.MaxResponseBytes
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	if cfg.CancelMethod != "GET" && cfg.CancelMethod != "POST" {
		return nil, fmt.Errorf("frontgo: cancel method must be GET or POST, not %q", cfg.CancelMethod)
	}
	if !strings.HasPrefix(cfg.BaseURL, "http://") && !strings.HasPrefix(cfg.BaseURL, "https://") {
		return nil, fmt.Errorf("frontgo: base URL must be an absolute http(s) URL, not %q", cfg.BaseURL)
	}
	if cfg.Token == "" {
		return nil, errors.New("frontgo: token is required")
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return &Client{
		cfg:  cfg,
		auth: "Bearer " + cfg.Token,
		now:  time.Now,
		hc: &fasthttp.Client{
			Name:                          "frontgate",
			ReadTimeout:                   cfg.Timeout,
			WriteTimeout:                  cfg.Timeout,
			MaxResponseBodySize:           cfg.MaxResponseBytes,
			MaxIdleConnDuration:           30 * time.Second,
			NoDefaultUserAgentHeader:      false,
			DisableHeaderNamesNormalizing: false,
			DisablePathNormalizing:        true,
		},
	}, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Do sends r, retrying as the package comment describes, never past ctx's
// deadline. Any HTTP answer, success or error status, is returned as a
// Response for the core to parse; err is a *TransportError or ctx's error.
func (c *Client) Do(ctx context.Context, r Request) (*Response, error) {
	method := r.Method
	if r.Op == "cancel" {
		method = c.cfg.CancelMethod
	}
	var lastErr error
	sent := false
	for attempt := 1; attempt <= c.cfg.MaxAttempts; attempt++ {
		if err := c.waitRateLimit(ctx); err != nil {
			return nil, err
		}
		resp, wasSent, err := c.once(ctx, method, r)
		if err == nil {
			resp.Attempts = attempt
			c.noteRateLimit(resp)
			if !retryStatus(resp.Status, r.Write) || attempt == c.cfg.MaxAttempts {
				return resp, nil
			}
			if err := c.backoff(ctx, attempt, retryAfter(resp)); err != nil {
				return resp, nil // out of time: hand back the last answer
			}
			continue
		}
		sent = sent || wasSent
		lastErr = err
		if ctx.Err() != nil {
			return nil, &TransportError{Op: r.Op, Attempts: attempt, Sent: sent, Err: ctx.Err()}
		}
		// A write that may have reached FrontGo is not repeated, nor is an
		// answer over MaxResponseBytes (it is as large the next time).
		if (r.Write && wasSent) || errors.Is(err, fasthttp.ErrBodyTooLarge) {
			return nil, &TransportError{Op: r.Op, Attempts: attempt, Sent: true, Err: err}
		}
		if attempt == c.cfg.MaxAttempts {
			break
		}
		if err := c.backoff(ctx, attempt, 0); err != nil {
			return nil, &TransportError{Op: r.Op, Attempts: attempt, Sent: sent, Err: err}
		}
	}
	return nil, &TransportError{Op: r.Op, Attempts: c.cfg.MaxAttempts, Sent: sent, Err: lastErr}
}

// retryStatus decides which answers are worth another try: 429 always
// (FrontGo refused before acting), 5xx only for reads.
func retryStatus(status int, write bool) bool {
	if status == 429 {
		return true
	}
	return !write && status >= 500
}

func retryAfter(r *Response) time.Duration { return r.RetryAfter }

func (c *Client) backoff(ctx context.Context, attempt int, min time.Duration) error {
	d := c.cfg.BaseBackoff << (attempt - 1)
	if d > c.cfg.MaxBackoff || d <= 0 {
		d = c.cfg.MaxBackoff
	}
	d = time.Duration(rand.Int64N(int64(d)) + 1) // full jitter
	if d < min {
		d = min
	}
	if dl, ok := ctx.Deadline(); ok && c.now().Add(d).After(dl) {
		return context.DeadlineExceeded
	}
	return c.cfg.Sleep(ctx, d)
}

func (c *Client) once(ctx context.Context, method string, r Request) (*Response, bool, error) {
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(c.cfg.BaseURL + r.Path)
	req.Header.SetMethod(method)
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("Accept", "application/json")
	if r.Body != nil {
		req.Header.SetContentType("application/json")
		req.SetBodyRaw(r.Body)
	}
	timeout := c.cfg.Timeout
	if dl, ok := ctx.Deadline(); ok {
		if left := time.Until(dl); left < timeout {
			timeout = left
		}
	}
	if timeout <= 0 {
		return nil, false, context.DeadlineExceeded
	}
	err := c.hc.DoTimeout(req, resp, timeout)
	if err != nil {
		return nil, mayHaveBeenSent(err), err
	}
	out := &Response{
		Status:        resp.StatusCode(),
		Body:          append([]byte(nil), resp.Body()...),
		RequestID:     string(firstHeader(&resp.Header, "X-Request-Id", "X-Request-ID", "Request-Id")),
		RateLimit:     headerInt(&resp.Header, "X-Ratelimit-Limit"),
		RateRemaining: headerInt(&resp.Header, "X-Ratelimit-Remaining"),
	}
	if ra := headerInt(&resp.Header, "Retry-After"); ra > 0 && out.Status == 429 {
		out.RetryAfter = time.Duration(min(ra, 60)) * time.Second
		c.pause(out.RetryAfter)
	}
	return out, true, nil
}

// mayHaveBeenSent tells a failure before the request left (dial refused,
// DNS) from one after (timeout, reset mid-answer).
func mayHaveBeenSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return false
	}
	if errors.Is(err, fasthttp.ErrNoFreeConns) || errors.Is(err, fasthttp.ErrDialTimeout) {
		return false
	}
	var dnsErr *net.DNSError
	return !errors.As(err, &dnsErr)
}

func firstHeader(h *fasthttp.ResponseHeader, names ...string) []byte {
	for _, n := range names {
		if v := h.Peek(n); len(v) > 0 {
			return v
		}
	}
	return nil
}

func headerInt(h *fasthttp.ResponseHeader, name string) int {
	v := h.Peek(name)
	if len(v) == 0 {
		return -1
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(v)))
	if err != nil {
		return -1
	}
	return n
}

// noteRateLimit pauses new requests briefly when FrontGo says the window is
// used up (x-ratelimit-remaining: 0); the window's length is undocumented,
// so the pause is a conservative second unless Retry-After says more.
func (c *Client) noteRateLimit(r *Response) {
	if r.RateRemaining == 0 && r.RateLimit > 0 {
		c.pause(time.Second)
	}
}

func (c *Client) pause(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if until := c.now().Add(d); until.After(c.pausedUntil) {
		c.pausedUntil = until
	}
}

func (c *Client) waitRateLimit(ctx context.Context) error {
	c.mu.Lock()
	wait := c.pausedUntil.Sub(c.now())
	c.mu.Unlock()
	if wait <= 0 {
		return nil
	}
	if dl, ok := ctx.Deadline(); ok && c.now().Add(wait).After(dl) {
		return &TransportError{Op: "rate-limit", Err: errors.New("rate limited past the deadline")}
	}
	return c.cfg.Sleep(ctx, wait)
}

// Ping checks that FrontGo answers, for readiness probes: any HTTP status
// counts (RES0 is no reservation) but 401 and 403, which say FrontGo
// refuses the bearer token, and so every request the sidecar would send.
func (c *Client) Ping(ctx context.Context) error {
	resp, err := c.Do(ctx, Request{Op: "ping", Method: "GET", Path: "/connect/reservations/details/RES0"})
	if err != nil {
		return err
	}
	if resp.Status == 401 || resp.Status == 403 {
		return fmt.Errorf("frontgo: ping: %d: FrontGo refuses the bearer token (frontgo.tokenEnv or tokenFile)", resp.Status)
	}
	return nil
}
