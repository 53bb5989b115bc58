package sidecar

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/frontgate/frontgate/host/frontgo"
	"github.com/frontgate/frontgate/host/internal/wasmrt"
	"github.com/frontgate/frontgate/host/sandbox"
	"github.com/frontgate/frontgate/host/signature"
	"github.com/frontgate/frontgate/host/store"
)

// lockedBuffer collects log output from concurrent goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestSecretsNeverLogged runs a whole checkout (create, pay, callback,
// return, capture, a forged callback, bad keys) with debug logging and
// checks that no secret, token, checksum or personal number appears in the
// logs.
func TestSecretsNeverLogged(t *testing.T) {
	logs := &lockedBuffer{}
	h := newHarness(t, native())
	h.svc.log = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	req := checkoutReq("sec-1")
	req["order"].(map[string]any)["customer"].(map[string]any)["personalNumber"] = "19635464524"
	r := h.do("POST", "/v1/checkouts", shopKey, "sec", req)
	if r.status != 201 {
		t.Fatalf("checkout: %d %s", r.status, r.body)
	}
	var c Checkout
	r.json(t, &c)
	back := h.approve(c, "4111111111111111")
	h.get(back)
	recs, err := h.sb.WaitCallbacks(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	h.get(strings.Replace(recs[0].URL, "status=RESERVED", "status=CAPTURED", 1)) // forged
	h.do("POST", "/v1/reservations/"+c.ReservationUUID+"/capture", shopKey, "", map[string]any{})
	h.do("GET", "/v1/checkouts/"+c.CheckoutID, "wrong-key-0123456789", "", nil)
	// Refusals too: a customer's details in a request that fails
	// validation, and a store that fails.
	bad := checkoutReq("sec-2")
	bad["order"].(map[string]any)["customer"].(map[string]any)["email"] = "kari.nordmann-at-example.no"
	bad["order"].(map[string]any)["customer"].(map[string]any)["msisdn"] = "46x67468"
	if r := h.do("POST", "/v1/checkouts", shopKey, "sec-bad", bad); r.status != 422 {
		t.Fatalf("invalid checkout: %d %s", r.status, r.body)
	}
	time.Sleep(100 * time.Millisecond)

	cb, _ := url.Parse(recs[0].URL)
	retTok := strings.TrimPrefix(mustParse(t, back).Path, "/v1/return/success/")
	secrets := map[string]string{
		"shop API key":         shopKey,
		"FrontGo token":        fgToken,
		"FrontGo secret":       fgSecret,
		"callback checksum":    cb.Query().Get("checksum"),
		"callback route token": strings.TrimPrefix(cb.Path, "/v1/frontgo/callback/"),
		"return token":         retTok,
		"personal number":      "19635464524",
		"card number":          "4111111111111111",
		"e-mail":               "kari@example.no",
		"phone number":         "46567468",
		"refused e-mail":       "kari.nordmann-at-example.no",
		"refused phone number": "46x67468",
		"token key":            "0123456789abcdef0123456789abcdef",
	}
	out := logs.String()
	if len(out) < 200 {
		t.Fatalf("too few logs to judge: %q", out)
	}
	for name, v := range secrets {
		if v == "" {
			t.Fatalf("%s is empty: the test would prove nothing", name)
		}
		if strings.Contains(out, v) {
			t.Errorf("the logs contain the %s", name)
		}
	}
}

func mustParse(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestSlowClient: a client that sends its headers slower than the read
// timeout is disconnected; the server keeps serving others.
func TestSlowClient(t *testing.T) {
	h := newHarness(t, native(), func(c *Config, _ *sandbox.Config) { c.ReadTimeout = Duration(300 * time.Millisecond) })
	conn, err := net.Dial("tcp", strings.TrimPrefix(h.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("POST /v1/checkouts HTTP/1.1\r\nHost: x\r\n"))
	time.Sleep(700 * time.Millisecond)
	// The server must end the connection (a 408 first is fine): reading
	// to the end finishes with EOF or a reset, not with our own deadline.
	conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, err = io.Copy(io.Discard, conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("a slow client kept its connection open past the read timeout")
	}
	if r := h.get(h.base + "/healthz"); r.status != 200 {
		t.Fatalf("server stopped serving after a slow client: %d", r.status)
	}
}

// TestMalformedRequests: bodies and headers that are not what the API
// takes are refused with a 4xx, never a 5xx or a crash.
func TestMalformedRequests(t *testing.T) {
	h := newHarness(t, native())
	c := h.checkout("mal-1")
	cases := []struct {
		name, method, path, body string
	}{
		{"checkout array", "POST", "/v1/checkouts", `[]`},
		{"checkout null", "POST", "/v1/checkouts", `null`},
		{"checkout truncated", "POST", "/v1/checkouts", `{"mode":"session","order":{`},
		{"checkout order as string", "POST", "/v1/checkouts", `{"mode":"session","orderId":"1","order":"x"}`},
		{"checkout deep nesting", "POST", "/v1/checkouts", `{"orderId":"1","order":` + strings.Repeat(`{"a":`, 200) + `1` + strings.Repeat(`}`, 200) + `}`},
		{"capture not json", "POST", "/v1/reservations/" + c.ReservationUUID + "/capture", `capture please`},
		{"capture lines as object", "POST", "/v1/reservations/" + c.ReservationUUID + "/capture", `{"lines":{"id":1}}`},
		{"refund huge numbers", "POST", "/v1/reservations/" + c.ReservationUUID + "/refund", `{"lines":[{"id":1e400,"amount":-1e400}],"source":"captured","reference":"CAP1"}`},
		{"uuid path traversal", "GET", "/v1/reservations/..%2F..%2Fetc", ""},
		{"history bad bounds", "GET", "/v1/history?start=x&end=1", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body any
			if tc.body != "" {
				body = tc.body
			}
			r := h.do(tc.method, tc.path, shopKey, "", body)
			if r.status < 400 || r.status >= 500 {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if !bytes.Contains(r.body, []byte(`"error"`)) {
				t.Fatalf("no error body: %s", r.body)
			}
		})
	}
	long := strings.Repeat("a", 300)
	if r := h.do("POST", "/v1/checkouts", shopKey, long, checkoutReq("mal-2")); r.status != 400 {
		t.Fatalf("oversized Idempotency-Key: %d", r.status)
	}
}

// fuzzServer is a sidecar served in memory for fuzzing: no sockets, so
// millions of inputs run fast; the upstream is an unreachable address, so
// nothing leaves the process.
func fuzzServer(f *testing.F) fasthttp.RequestHandler {
	cfg := DefaultConfig()
	cfg.Shops = []ShopConfig{{ID: "one", APIKeyEnv: "K1", AllowedHosts: []string{"shop.example"}}}
	cfg.PublicURL = "http://127.0.0.1:9"
	cfg.FrontGo.BaseURL = "http://127.0.0.1:9/api/v1"
	env := map[string]string{"FRONTGATE_FRONTGO_TOKEN": fgToken, "FRONTGATE_FRONTGO_SECRET": fgSecret, "K1": shopKey}
	if err := cfg.Validate(func(k string) string { return env[k] }); err != nil {
		f.Fatal(err)
	}
	fg, _ := frontgo.New(frontgo.Config{BaseURL: cfg.FrontGo.BaseURL, Token: fgToken, Timeout: 50 * time.Millisecond, MaxAttempts: 1})
	signer, _ := signature.NewSigner([]string{"t1"}, [][]byte{[]byte("0123456789abcdef0123456789abcdef")})
	svc := NewService(cfg, Deps{Core: wasmrt.NewNative(), FrontGo: fg, Store: store.NewMemory(), Signer: signer,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	f.Cleanup(func() { _ = svc.Drain(context.Background()) }) // background work ends with the fuzz run
	return observed(NewServer(svc, nil).Handler())
}

func serveFuzz(t *testing.T, handler fasthttp.RequestHandler, method, uri string, body []byte, headers map[string]string) *fasthttp.Response {
	t.Helper()
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetMethod(method)
	ctx.Request.SetRequestURI(uri)
	for k, v := range headers {
		ctx.Request.Header.Set(k, v)
	}
	ctx.Request.SetBody(body)
	handler(&ctx)
	st := ctx.Response.StatusCode()
	if st == 0 || st >= 500 && st != 502 && st != 503 && st != 504 {
		t.Fatalf("%s %s -> %d %s", method, uri, st, ctx.Response.Body())
	}
	var resp fasthttp.Response
	ctx.Response.CopyTo(&resp)
	return &resp
}

// FuzzCheckoutBody: any body on POST /v1/checkouts is answered with a
// status below 500 (a 502/504 only when it reached the unreachable
// upstream), never a crash.
func FuzzCheckoutBody(f *testing.F) {
	h := fuzzServer(f)
	f.Add([]byte(`{"mode":"session","orderId":"1","order":{}}`), "k")
	f.Add([]byte(`{"mode":"link","orderId":"1","payload":{"customerDetails":{}}}`), "")
	f.Fuzz(func(t *testing.T, body []byte, key string) {
		hdr := map[string]string{"Authorization": "Bearer " + shopKey}
		if key != "" && len(key) < 300 {
			hdr["Idempotency-Key"] = key
		}
		serveFuzz(t, h, "POST", "/v1/checkouts", body, hdr)
	})
}

// FuzzCallbackAndReturn: arbitrary tokens and queries on the routes
// FrontGo and shoppers reach are refused cleanly.
func FuzzCallbackAndReturn(f *testing.F) {
	h := fuzzServer(f)
	f.Add("t1.e30.AAAA", "orderUuid=RES1&status=RESERVED&checksum=00")
	f.Add("", "a=%zz")
	f.Fuzz(func(t *testing.T, token, query string) {
		tok := url.PathEscape(token)
		r := serveFuzz(t, h, "GET", "/v1/frontgo/callback/"+tok+"?"+query, nil, nil)
		if r.StatusCode() == 200 {
			t.Fatalf("a fuzzed callback was accepted: %q %q", token, query)
		}
		r = serveFuzz(t, h, "GET", "/v1/return/success/"+tok, nil, nil)
		if r.StatusCode() == 302 {
			t.Fatalf("a fuzzed return token redirected: %q", token)
		}
	})
}

// FuzzOperationBody: back-office bodies for an unknown reservation never
// reach FrontGo and never crash.
func FuzzOperationBody(f *testing.F) {
	h := fuzzServer(f)
	f.Add("capture", []byte(`{"lines":[{"id":1,"amount":100}]}`))
	f.Add("refund", []byte(`{"lines":[],"source":"captured","reference":"CAP1"}`))
	f.Fuzz(func(t *testing.T, op string, body []byte) {
		r := serveFuzz(t, h, "POST", "/v1/reservations/RES1/"+url.PathEscape(op), body, map[string]string{"Authorization": "Bearer " + shopKey})
		if st := r.StatusCode(); st != 404 && st != 400 && st != 405 {
			t.Fatalf("%s -> %d %s", op, st, r.Body())
		}
	})
}

// TestUnreadableRequestNotLogged: fasthttp logs a request it cannot parse,
// by default with up to 400 bytes of it, which would carry the shop's key.
func TestUnreadableRequestNotLogged(t *testing.T) {
	logs := &lockedBuffer{}
	h := newHarness(t, native())
	h.svc.log = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := NewServer(h.svc, nil) // its fasthttp logger is the capturing one
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	conn.Write([]byte("BROKEN\r\nAuthorization: Bearer " + shopKey + "\r\n\r\n"))
	if _, err := http.ReadResponse(bufio.NewReader(conn), nil); err != nil {
		t.Fatal(err)
	}
	out := ""
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if out = logs.String(); strings.Contains(out, "error when reading request headers") {
			break
		}
	}
	if !strings.Contains(out, "error when reading request headers") {
		t.Fatalf("fasthttp logged nothing about the request: the test would prove nothing: %q", out)
	}
	if strings.Contains(out, shopKey) {
		t.Errorf("the logs contain the shop's key: %s", out)
	}
}

// TestHistoryIsEachShopsOwn: FrontGo's history holds every reservation of
// the account; each shop reads only its own.
func TestHistoryIsEachShopsOwn(t *testing.T) {
	h := newHarness(t, native())
	one := h.checkout("hist-1")
	req2 := checkoutReq("hist-2")
	req2["returnUrls"] = map[string]any{"success": "https://two.example/ok", "failure": "https://two.example/no"}
	var two Checkout
	r := h.do("POST", "/v1/checkouts", shop2Key, "", req2)
	r.json(t, &two)
	if r.status != 201 {
		t.Fatalf("shop two's checkout: %d %s", r.status, r.body)
	}
	for key, want := range map[string]string{shopKey: one.ReservationUUID, shop2Key: two.ReservationUUID} {
		var hist struct {
			Events []struct{ UUID string }
		}
		h.do("GET", "/v1/history", key, "", nil).json(t, &hist)
		seen := false
		for _, e := range hist.Events {
			if e.UUID != want {
				t.Fatalf("a shop's history holds another shop's reservation %s", e.UUID)
			}
			seen = true
		}
		if !seen {
			t.Fatalf("a shop's history lacks its own reservation %s", want)
		}
	}
}

// TestReturnRecheckedBeforeRedirect: the return page is checked against the
// shop's allowed hosts again when the shopper comes back, not only when the
// checkout was made (a record changed since, or hosts removed from the
// config, must not redirect a shopper elsewhere).
func TestReturnRecheckedBeforeRedirect(t *testing.T) {
	h := newHarness(t, native())
	c := h.checkout("ret-1")
	back := h.approve(c, "4111111111111111")
	b, err := h.svc.store.Get(context.Background(), "chk:"+c.CheckoutID)
	if err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	rec["successUrl"] = "https://evil.example/phish"
	b, _ = json.Marshal(rec)
	if err := h.svc.store.Set(context.Background(), "chk:"+c.CheckoutID, b, time.Hour); err != nil {
		t.Fatal(err)
	}
	r := h.get(back)
	if r.status == 302 || strings.Contains(r.header.Get("Location"), "evil.example") {
		t.Fatalf("return redirected to %q (%d)", r.header.Get("Location"), r.status)
	}
}
