package sidecar

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontgate/frontgate/host/frontgo"
	"github.com/frontgate/frontgate/host/internal/wasmrt"
	"github.com/frontgate/frontgate/host/sandbox"
	"github.com/frontgate/frontgate/host/signature"
	"github.com/frontgate/frontgate/host/store"
	"github.com/frontgate/frontgate/plugin/callback"
)

const (
	shopKey  = "shop-one-key-0123456789"
	shop2Key = "shop-two-key-0123456789"
	fgToken  = "test-frontgo-token"
	fgSecret = "test-frontgo-secret"
)

// harness is a sidecar in front of a sandbox, both on loopback.
type harness struct {
	t      *testing.T
	sb     *sandbox.Sandbox
	svc    *Service
	base   string
	events *EventLog
	hook   *notifyHook // runs before each event reaches events
	client *http.Client
	offset *atomic.Int64 // added to the sidecar's clock
}

// notifyHook is the harness's Notifier: it runs the test's hook, if any,
// and records the event in log only when the hook lets it through, as a
// shop that failed to take an event would not have it.
type notifyHook struct {
	log *EventLog
	f   atomic.Pointer[func(Event) error]
}

func (n *notifyHook) set(f func(Event) error) { n.f.Store(&f) }

// Notify implements Notifier.
func (n *notifyHook) Notify(ctx context.Context, shop *ShopConfig, ev Event) error {
	if f := n.f.Load(); f != nil && *f != nil {
		if err := (*f)(ev); err != nil {
			return err
		}
	}
	return n.log.Notify(ctx, shop, ev)
}

type harnessOpt func(*Config, *sandbox.Config)

// startSandbox runs a sandbox with the test credentials and its control
// plane on a free loopback port until the test ends.
func startSandbox(t *testing.T, edit func(*sandbox.Config)) *sandbox.Sandbox {
	t.Helper()
	scfg := sandbox.DefaultConfig()
	scfg.Token, scfg.Secret, scfg.Control = fgToken, fgSecret, true
	scfg.CallbackBackoff = 20 * time.Millisecond
	if edit != nil {
		edit(&scfg)
	}
	sb, err := sandbox.New(scfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	return sb
}

// testConfig is a validated config for shops with the given ids (keys K1,
// K2, … from the test environment) against sb, served at public.
func testConfig(t *testing.T, sb *sandbox.Sandbox, public string, edit func(*Config), shops ...ShopConfig) Config {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Shops = shops
	cfg.PublicURL = public
	cfg.FrontGo.BaseURL = sb.APIBase()
	if edit != nil {
		edit(&cfg)
	}
	env := map[string]string{"FRONTGATE_FRONTGO_TOKEN": fgToken, "FRONTGATE_FRONTGO_SECRET": fgSecret, "K1": shopKey, "K2": shop2Key}
	if err := cfg.Validate(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	return cfg
}

var (
	shopOne = ShopConfig{ID: "one", APIKeyEnv: "K1", AllowedHosts: []string{"shop.example"}}
	shopTwo = ShopConfig{ID: "two", APIKeyEnv: "K2", AllowedHosts: []string{"two.example"}}
)

func newHarness(t *testing.T, core wasmrt.Core, opts ...harnessOpt) *harness {
	t.Helper()
	// Each option edits the sidecar's config, the sandbox's, or both.
	sb := startSandbox(t, func(sc *sandbox.Config) {
		for _, o := range opts {
			o(&Config{}, sc)
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, sb, "http://"+ln.Addr().String(), func(c *Config) {
		for _, o := range opts {
			o(c, &sandbox.Config{})
		}
	}, shopOne, shopTwo)
	fg, err := frontgo.New(frontgo.Config{BaseURL: cfg.FrontGo.BaseURL, Token: fgToken, Timeout: 2 * time.Second,
		Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := signature.NewSigner([]string{"t1"}, [][]byte{[]byte("0123456789abcdef0123456789abcdef")})
	events := &EventLog{}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(tWriter{t}, nil))
	}
	offset := &atomic.Int64{}
	now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	hook := &notifyHook{log: events}
	svc := NewService(cfg, Deps{Core: core, FrontGo: fg, Store: store.NewMemory(), Signer: signer, Log: log, Notifier: hook, Now: now})
	srv := observe(NewServer(svc, nil))
	go srv.Serve(ln)
	t.Cleanup(func() {
		srv.Shutdown(context.Background())
		// Background work (settles, orphan rechecks) ends with the test.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := svc.Drain(ctx); err != nil {
			t.Error(err)
		}
	})
	return &harness{t: t, sb: sb, svc: svc, base: cfg.PublicURL, events: events, hook: hook, offset: offset,
		client: &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

func (h *harness) do(method, path, key, idem string, body any) reply {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		enc, _ := json.Marshal(b)
		rd = bytes.NewReader(enc)
	}
	req, _ := http.NewRequest(method, h.base+path, rd)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if idem != "" {
		req.Header.Set("Idempotency-Key", idem)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, b}
}

func (h *harness) get(u string) reply {
	h.t.Helper()
	resp, err := h.client.Get(u)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, b}
}

func order() map[string]any {
	return map[string]any{
		"customer": map[string]any{"type": "private", "name": "Kari Nordmann", "email": "kari@example.no", "countryCode": "+47", "msisdn": "46567468",
			"address": map[string]any{"street": "Karl Johans gate 1", "zip": "0154", "city": "Oslo", "country": "NO"}},
		"lines": []any{
			map[string]any{"name": "Ullsokker", "sku": "SOK-1", "unitPrice": 14900, "quantity": 2, "taxRate": 25},
			map[string]any{"name": "Kaffe", "sku": "KAF-5", "unitPrice": 8990, "quantity": 1, "taxRate": 15},
		},
	}
}

func checkoutReq(orderID string) map[string]any {
	return map[string]any{"mode": "session", "orderId": orderID, "order": order(),
		"returnUrls": map[string]any{"success": "https://shop.example/ok?o=" + orderID, "failure": "https://shop.example/failed"}}
}

// paidCallbackLost makes a checkout for orderID that the shopper pays
// while FrontGo's callbacks are dropped (for good: the sandbox gives them
// up), and waits for that callback to be given up.
func (h *harness) paidCallbackLost(orderID string) Checkout {
	h.t.Helper()
	if _, err := h.sb.InjectCallbackFault(sandbox.CallbackFault{Kind: sandbox.CallbackDrop}); err != nil {
		h.t.Fatal(err)
	}
	c := h.checkout(orderID)
	if _, err := h.sb.Approve(c.ReservationUUID, "4111111111111111"); err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.sb.WaitCallbacks(context.Background(), 1); err != nil {
		h.t.Fatal(err)
	}
	return c
}

func (h *harness) checkout(orderID string) Checkout {
	h.t.Helper()
	r := h.do("POST", "/v1/checkouts", shopKey, "idem-"+orderID, checkoutReq(orderID))
	if r.status != 201 {
		h.t.Fatalf("checkout: %d %s", r.status, r.body)
	}
	var c Checkout
	r.json(h.t, &c)
	return c
}

// waitStatus polls the checkout record until it reaches status.
func (h *harness) waitStatus(id, status string) Checkout {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var c Checkout
		h.do("GET", "/v1/checkouts/"+id, shopKey, "", nil).json(h.t, &c)
		if c.Status == status {
			return c
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("checkout %s is %s, want %s", id, c.Status, status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (h *harness) eventsFor(uuid string) []string {
	var out []string
	for _, e := range h.events.Events() {
		if e.ReservationUUID == uuid {
			out = append(out, e.Status)
		}
	}
	return out
}

// approve pays on the sandbox's hosted page and returns where it sent the
// shopper.
func (h *harness) approve(c Checkout, card string) string {
	h.t.Helper()
	// The short link goes to FrontGo's page.
	r := h.get(c.RedirectURL)
	if r.status != 302 || r.header.Get("Location") != c.PaymentURL {
		h.t.Fatalf("redirect link: %d %q", r.status, r.header.Get("Location"))
	}
	form := url.Values{"action": {"pay"}, "via": {"visa"}, "number": {card}, "exp": {"12/30"}, "cvc": {"123"}, "holder": {"Kari"}}
	resp, err := h.client.PostForm(c.PaymentURL, form)
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 303 {
		h.t.Fatalf("hosted page answered %d", resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

func native() wasmrt.Core { return wasmrt.NewNative() }

func TestSessionCheckoutApproveAndReturn(t *testing.T) {
	h := newHarness(t, native())
	c := h.checkout("1001")
	if c.ReservationUUID == "" || !strings.HasPrefix(c.RedirectURL, h.base+"/v1/checkouts/") || c.Status != "SENT" {
		t.Fatalf("checkout = %+v", c)
	}
	back := h.approve(c, "4111111111111111")
	if !strings.HasPrefix(back, h.base+"/v1/return/success/") {
		t.Fatalf("FrontGo sent the shopper to %q", back)
	}
	r := h.get(back)
	loc, _ := url.Parse(r.header.Get("Location"))
	if r.status != 302 || loc.Host != "shop.example" || loc.Path != "/ok" || loc.Query().Get("o") != "1001" ||
		loc.Query().Get("frontgate_status") != "RESERVED" || loc.Query().Get("frontgate_checkout") != c.CheckoutID {
		t.Fatalf("return: %d %s", r.status, loc)
	}
	h.waitStatus(c.CheckoutID, "RESERVED")
	if _, err := h.sb.WaitCallbacks(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	// The callback and the return both confirmed RESERVED; the shop heard once.
	time.Sleep(50 * time.Millisecond)
	if got := h.eventsFor(c.ReservationUUID); strings.Join(got, ",") != "RESERVED" {
		t.Fatalf("events = %v, want one RESERVED", got)
	}
	// The shopper returning again changes nothing.
	if r := h.get(back); r.status != 302 {
		t.Fatalf("second return: %d", r.status)
	}
	if got := h.eventsFor(c.ReservationUUID); len(got) != 1 {
		t.Fatalf("events after a second return = %v", got)
	}
}

func TestDeclineGoesToFailurePage(t *testing.T) {
	h := newHarness(t, native())
	c := h.checkout("1002")
	back := h.approve(c, "4000000000000002")
	if !strings.HasPrefix(back, h.base+"/v1/return/failure/") {
		t.Fatalf("declined shopper sent to %q", back)
	}
	r := h.get(back)
	loc, _ := url.Parse(r.header.Get("Location"))
	if r.status != 302 || loc.Host != "shop.example" || loc.Path != "/failed" {
		t.Fatalf("failure return: %d %s", r.status, loc)
	}
	if got := h.eventsFor(c.ReservationUUID); len(got) != 0 {
		t.Fatalf("a decline produced events %v", got)
	}
	// The second card pays; the decline's link, opened again, goes to the
	// success page (the failure page would offer to pay again).
	h.approve(c, "4111111111111111")
	if _, err := h.sb.WaitCallbacks(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	r = h.get(back)
	loc, _ = url.Parse(r.header.Get("Location"))
	if r.status != 302 || loc.Path != "/ok" || loc.Query().Get("frontgate_status") != "RESERVED" {
		t.Fatalf("failure return after paying: %d %s", r.status, loc)
	}
}

// TestReturnKeepsShopURL: the shopper is sent back to the shop's page as
// the shop gave it, with frontgate_checkout and frontgate_status appended:
// its path is not normalized (an encoded slash, a double slash), and its
// query keeps its order, its encoding and a parameter holding a ';'.
func TestReturnKeepsShopURL(t *testing.T) {
	h := newHarness(t, native())
	req := checkoutReq("1010")
	const page = "https://shop.example/back/tok%2Fab//x/..%2Fy"
	req["returnUrls"] = map[string]any{"success": page + "?z=1;2&a=%7E&frontgate_status=PAID#top", "failure": "https://shop.example/failed"}
	r := h.do("POST", "/v1/checkouts", shopKey, "idem-1010", req)
	if r.status != 201 {
		t.Fatalf("checkout: %d %s", r.status, r.body)
	}
	var c Checkout
	r.json(t, &c)
	back := h.get(h.approve(c, "4111111111111111"))
	want := page + "?z=1;2&a=%7E&frontgate_checkout=" + c.CheckoutID + "&frontgate_status=RESERVED#top"
	if got := back.header.Get("Location"); back.status != 302 || got != want {
		t.Fatalf("return: %d to\n %s, want\n %s", back.status, got, want)
	}
}

func TestLinkCheckout(t *testing.T) {
	h := newHarness(t, native())
	req := checkoutReq("1003")
	req["mode"] = "link"
	delete(req, "returnUrls")
	o := req["order"].(map[string]any)
	o["sendOrderBy"] = map[string]any{"sms": true, "email": true}
	r := h.do("POST", "/v1/checkouts", shopKey, "k-1003", req)
	if r.status != 201 {
		t.Fatalf("link checkout: %d %s", r.status, r.body)
	}
	var c Checkout
	r.json(t, &c)
	if _, err := h.sb.Approve(c.ReservationUUID, "4111111111111111"); err != nil {
		t.Fatal(err)
	}
	h.waitStatus(c.CheckoutID, "RESERVED")
	// A link has no return pages.
	req["returnUrls"] = map[string]any{"success": "https://shop.example/ok"}
	r = h.do("POST", "/v1/checkouts", shopKey, "k-1003b", req)
	if r.status != 422 || !bytes.Contains(r.body, []byte(`"path":"returnUrls"`)) {
		t.Fatalf("link with return pages: %d %s", r.status, r.body)
	}
}

func TestIdempotency(t *testing.T) {
	h := newHarness(t, native())
	first := h.do("POST", "/v1/checkouts", shopKey, "same-key", checkoutReq("2001"))
	again := h.do("POST", "/v1/checkouts", shopKey, "same-key", checkoutReq("2001"))
	if first.status != 201 || again.status != 201 || !bytes.Equal(first.body, again.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %d %d replayed=%q\n%s\n%s", first.status, again.status, again.header.Get("Idempotent-Replayed"), first.body, again.body)
	}
	other := checkoutReq("2001")
	other["mode"] = "link"
	delete(other, "returnUrls")
	if r := h.do("POST", "/v1/checkouts", shopKey, "same-key", other); r.status != 409 || !bytes.Contains(r.body, []byte("idempotency_mismatch")) {
		t.Fatalf("same key, other body: %d %s", r.status, r.body)
	}
	// Another shop may use the same key.
	req2 := checkoutReq("2001")
	req2["returnUrls"] = map[string]any{"success": "https://two.example/ok", "failure": "https://two.example/no"}
	if r := h.do("POST", "/v1/checkouts", shop2Key, "same-key", req2); r.status != 201 {
		t.Fatalf("other shop, same key: %d %s", r.status, r.body)
	}
	// A double click without a key: 8 concurrent requests, one reservation.
	var wg sync.WaitGroup
	replies := make([]reply, 8)
	for i := range replies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			replies[i] = h.do("POST", "/v1/checkouts", shopKey, "", checkoutReq("2002"))
		}()
	}
	wg.Wait()
	var uuid string
	created := 0
	for _, r := range replies {
		switch r.status {
		case 201:
			var c Checkout
			r.json(t, &c)
			if uuid != "" && c.ReservationUUID != uuid {
				t.Fatalf("two reservations for one order: %s and %s", uuid, c.ReservationUUID)
			}
			uuid = c.ReservationUUID
			created++
		case 409: // still in progress: the client retries
		default:
			t.Fatalf("double click: %d %s", r.status, r.body)
		}
	}
	n := 0
	for _, s := range h.sb.Reservations() {
		_ = s
		n++
	}
	if created == 0 || n != 3 {
		t.Fatalf("created=%d, sandbox has %d reservations, want 3", created, n)
	}
	// The same orderId without a key but another cart: refused, in words
	// that name the orderId, not a key the shop never sent.
	changed := checkoutReq("2002")
	changed["order"].(map[string]any)["lines"] = []any{map[string]any{"name": "Kaffe", "unitPrice": 8990, "quantity": 2, "taxRate": 15}}
	if r := h.do("POST", "/v1/checkouts", shopKey, "", changed); r.status != 409 || !bytes.Contains(r.body, []byte("a checkout for this orderId was made with a different body")) {
		t.Fatalf("orderId again, another cart: %d %s", r.status, r.body)
	}
	if r := h.do("POST", "/v1/checkouts", shopKey, "has space", checkoutReq("2003")); r.status != 400 || !bytes.Contains(r.body, []byte("no spaces")) {
		t.Fatalf("a key with a space: %d %s", r.status, r.body)
	}
}

func TestValidationErrors(t *testing.T) {
	h := newHarness(t, native())
	req := checkoutReq("3001")
	o := req["order"].(map[string]any)
	o["customer"].(map[string]any)["email"] = "kari@"
	o["customer"].(map[string]any)["personalNumber"] = "123"
	o["lines"].([]any)[0].(map[string]any)["taxRate"] = 13
	r := h.do("POST", "/v1/checkouts", shopKey, "v1", req)
	var e struct {
		Error Error `json:"error"`
	}
	r.json(t, &e)
	var paths []string
	for _, f := range e.Error.Fields {
		paths = append(paths, f.Path+":"+f.Rule)
	}
	// Every problem at once: the customer's fields and the line's tax rate.
	if r.status != 422 || strings.Join(paths, " ") != "order.customer.email:email order.customer.personalNumber:length order.lines.0.taxRate:tax_rate" {
		t.Fatalf("422 fields = %v (%d %s)", paths, r.status, r.body)
	}
	o["lines"].([]any)[0].(map[string]any)["taxRate"] = 25
	r = h.do("POST", "/v1/checkouts", shopKey, "v2", req)
	e.Error.Fields = nil
	r.json(t, &e)
	paths = nil
	for _, f := range e.Error.Fields {
		paths = append(paths, f.Path+":"+f.Rule)
	}
	if r.status != 422 || strings.Join(paths, " ") != "order.customer.email:email order.customer.personalNumber:length" {
		t.Fatalf("422 fields = %v (%d %s)", paths, r.status, r.body)
	}
	if r := h.do("POST", "/v1/checkouts", shopKey, "v3", `{"mode":"session","bogus":1}`); r.status != 400 {
		t.Fatalf("unknown member: %d %s", r.status, r.body)
	}
	if r := h.do("POST", "/v1/checkouts", shopKey, "v4", `not json`); r.status != 400 {
		t.Fatalf("not json: %d", r.status)
	}
}

func TestOpenRedirectRefused(t *testing.T) {
	h := newHarness(t, native())
	for i, target := range []string{"https://evil.example/ok", "https://shop.example.evil.example/", "javascript:alert(1)", "//evil.example/x", "https://user@evil.example/"} {
		req := checkoutReq("4001")
		req["returnUrls"] = map[string]any{"success": target, "failure": "https://shop.example/failed"}
		r := h.do("POST", "/v1/checkouts", shopKey, "r"+string(rune('a'+i)), req)
		if r.status != 422 || !bytes.Contains(r.body, []byte(`"rule":"allowed_host"`)) {
			t.Fatalf("%s accepted: %d %s", target, r.status, r.body)
		}
	}
	// The other shop's host is not this shop's.
	req := checkoutReq("4002")
	req["returnUrls"] = map[string]any{"success": "https://two.example/ok", "failure": "https://shop.example/failed"}
	if r := h.do("POST", "/v1/checkouts", shopKey, "r-two", req); r.status != 422 {
		t.Fatalf("other shop's host accepted: %d", r.status)
	}
}

func TestAuth(t *testing.T) {
	h := newHarness(t, native())
	c := h.checkout("5001")
	for _, key := range []string{"", "wrong-key-0123456789"} {
		if r := h.do("POST", "/v1/checkouts", key, "a", checkoutReq("5002")); r.status != 401 || r.header.Get("WWW-Authenticate") == "" {
			t.Fatalf("key %q: %d", key, r.status)
		}
	}
	// Shop two cannot see or touch shop one's reservation or checkout.
	if r := h.do("GET", "/v1/reservations/"+c.ReservationUUID, shop2Key, "", nil); r.status != 404 {
		t.Fatalf("other shop read details: %d", r.status)
	}
	if r := h.do("POST", "/v1/reservations/"+c.ReservationUUID+"/cancel", shop2Key, "", map[string]any{"note": "x"}); r.status != 404 {
		t.Fatalf("other shop cancelled: %d", r.status)
	}
	if r := h.do("GET", "/v1/checkouts/"+c.CheckoutID, shop2Key, "", nil); r.status != 404 {
		t.Fatalf("other shop read checkout: %d", r.status)
	}
	if r := h.do("GET", "/v1/reservations/"+c.ReservationUUID, shopKey, "", nil); r.status != 200 {
		t.Fatalf("own details: %d %s", r.status, r.body)
	}
	// The scheme's name is case-insensitive; another scheme is not a key.
	for h2, want := range map[string]int{"bearer " + shopKey: 200, "BEARER " + shopKey: 200, "Basic " + shopKey: 401, "Bearer": 401, shopKey: 401} {
		req, _ := http.NewRequest("GET", h.base+"/v1/reservations/"+c.ReservationUUID, nil)
		req.Header.Set("Authorization", h2)
		resp, err := h.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Authorization %.12q…: %d, want %d", h2, resp.StatusCode, want)
		}
	}
}

func TestLifecycle(t *testing.T) {
	h := newHarness(t, native())
	c := h.checkout("6001")
	h.approve(c, "4111111111111111")
	h.waitStatus(c.CheckoutID, "RESERVED")
	uuid := c.ReservationUUID
	var d struct {
		Status   string `json:"status"`
		Products []struct {
			ID       int64 `json:"id"`
			Amount   int64 `json:"amount"`
			Reserved int64 `json:"reserved"`
		} `json:"products"`
	}
	h.do("GET", "/v1/reservations/"+uuid, shopKey, "", nil).json(t, &d)
	if d.Status != "RESERVED" || len(d.Products) != 2 || d.Products[0].Amount != 29800 {
		t.Fatalf("details = %+v", d)
	}
	// Complete before capture is refused early, with FrontGo's key.
	r := h.do("POST", "/v1/reservations/"+uuid+"/complete", shopKey, "", map[string]any{"note": "done"})
	if r.status != 409 || !bytes.Contains(r.body, []byte(`"messageKey":"prerequisiteFailedToCompleteReservation"`)) {
		t.Fatalf("early complete: %d %s", r.status, r.body)
	}
	// Capture more than reserved on a line: FrontGo's business error.
	r = h.do("POST", "/v1/reservations/"+uuid+"/capture", shopKey, "cap-too-much",
		map[string]any{"lines": []any{map[string]any{"id": d.Products[0].ID, "amount": 29801}}})
	if r.status != 409 || !bytes.Contains(r.body, []byte("requestedCaptureAmountExceedAvailableCaptureRunway")) {
		t.Fatalf("over-capture: %d %s", r.status, r.body)
	}
	// Partial capture of the first line.
	r = h.do("POST", "/v1/reservations/"+uuid+"/capture", shopKey, "cap-1",
		map[string]any{"lines": []any{map[string]any{"id": d.Products[0].ID, "amount": 14900}}, "additionalText": "first parcel"})
	var capt struct{ UUID string }
	r.json(t, &capt)
	if r.status != 200 || !strings.HasPrefix(capt.UUID, "CAP") {
		t.Fatalf("capture: %d %s", r.status, r.body)
	}
	if r2 := h.do("POST", "/v1/reservations/"+uuid+"/capture", shopKey, "cap-1",
		map[string]any{"lines": []any{map[string]any{"id": d.Products[0].ID, "amount": 14900}}, "additionalText": "first parcel"}); !bytes.Equal(r2.body, r.body) {
		t.Fatalf("retried capture was not replayed: %s", r2.body)
	}
	h.waitStatus(c.CheckoutID, "CAPTURED")
	// Cancel after capture: refused by the status machine.
	r = h.do("POST", "/v1/reservations/"+uuid+"/cancel", shopKey, "", map[string]any{"note": "too late"})
	if r.status != 409 || !bytes.Contains(r.body, []byte("prerequisiteFailedToCancelReservation")) {
		t.Fatalf("cancel after capture: %d %s", r.status, r.body)
	}
	// Charge an extra line on the card.
	r = h.do("POST", "/v1/reservations/"+uuid+"/charge", shopKey, "chg-1",
		map[string]any{"lines": []any{map[string]any{"name": "Gavepapir", "unitPrice": 2500, "quantity": 1, "taxRate": 25}}})
	var chg struct{ UUID string }
	r.json(t, &chg)
	if r.status != 200 || !strings.HasPrefix(chg.UUID, "CHA") {
		t.Fatalf("charge: %d %s", r.status, r.body)
	}
	// Refund part of the capture.
	r = h.do("POST", "/v1/reservations/"+uuid+"/refund", shopKey, "ref-1",
		map[string]any{"lines": []any{map[string]any{"id": d.Products[0].ID, "amount": 5000}}, "source": "captured", "reference": capt.UUID})
	if r.status != 200 {
		t.Fatalf("refund: %d %s", r.status, r.body)
	}
	// Refund beyond what was captured on that line.
	r = h.do("POST", "/v1/reservations/"+uuid+"/refund", shopKey, "ref-2",
		map[string]any{"lines": []any{map[string]any{"id": d.Products[0].ID, "amount": 10000}}, "source": "captured", "reference": capt.UUID})
	if r.status != 409 || !bytes.Contains(r.body, []byte(`"messageKey":"refundRejectionFor`)) {
		t.Fatalf("over-refund: %d %s", r.status, r.body)
	}
	// Resend validation comes from the core.
	r = h.do("POST", "/v1/reservations/"+uuid+"/resend", shopKey, "", map[string]any{"countryCode": "+47"})
	if r.status != 422 || !bytes.Contains(r.body, []byte(`"path":"msisdn"`)) {
		t.Fatalf("resend without msisdn: %d %s", r.status, r.body)
	}
	r = h.do("POST", "/v1/reservations/"+uuid+"/complete", shopKey, "", map[string]any{"note": "shipped"})
	if r.status != 200 {
		t.Fatalf("complete: %d %s", r.status, r.body)
	}
	var hist struct {
		Events []struct{ UUID, Title string }
	}
	h.do("GET", "/v1/history", shopKey, "", nil).json(t, &hist)
	if len(hist.Events) == 0 {
		t.Fatal("history is empty")
	}
	for _, e := range hist.Events {
		if e.UUID != uuid {
			t.Fatalf("history leaks another reservation: %+v", e)
		}
	}
	// Parameters other than start and end are no business of the
	// sidecar's; start without end is.
	if r := h.do("GET", "/v1/history?_=1733472000", shopKey, "", nil); r.status != 200 {
		t.Fatalf("history with a cache buster: %d %s", r.status, r.body)
	}
	if r := h.do("GET", "/v1/history?start=1733472000", shopKey, "", nil); r.status != 400 {
		t.Fatalf("history with start alone: %d %s", r.status, r.body)
	}
	if r := h.do("POST", "/v1/reservations/"+uuid+"/void", shopKey, "", nil); r.status != 404 {
		t.Fatalf("unknown operation: %d", r.status)
	}
}

func TestCallbacks(t *testing.T) {
	h := newHarness(t, native())
	c := h.checkout("7001")
	cbURL := ""
	// Duplicate every callback: the shop still hears once.
	if _, err := h.sb.InjectCallbackFault(sandbox.CallbackFault{Kind: sandbox.CallbackDuplicate}); err != nil {
		t.Fatal(err)
	}
	h.approve(c, "4111111111111111")
	recs, err := h.sb.WaitCallbacks(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	cbURL = recs[0].URL
	h.waitStatus(c.CheckoutID, "RESERVED")
	time.Sleep(50 * time.Millisecond)
	if got := h.eventsFor(c.ReservationUUID); len(got) != 1 {
		t.Fatalf("duplicated callbacks gave events %v", got)
	}
	u, _ := url.Parse(cbURL)
	token := strings.TrimPrefix(u.Path, "/v1/frontgo/callback/")

	// Replayed later: a duplicate, applied nothing, and answered without
	// asking FrontGo again (each ask spends the shared rate limit).
	details := func() string {
		m := regexp.MustCompile(`frontgate_upstream_requests_total\{op="details",status="200"\} (\d+)`).FindStringSubmatch(string(h.get(h.base + "/metrics").body))
		if m == nil {
			return "0"
		}
		return m[1]
	}
	before := details()
	for range 20 {
		if r := h.get(cbURL); r.status != 200 || !bytes.Contains(r.body, []byte(`"duplicate"`)) {
			t.Fatalf("replayed callback: %d %s", r.status, r.body)
		}
	}
	if after := details(); after != before {
		t.Fatalf("20 replays asked FrontGo for details: %s → %s", before, after)
	}
	// Forged: values changed, checksum kept.
	forged := strings.Replace(cbURL, "status=RESERVED", "status=CAPTURED", 1)
	if r := h.get(forged); r.status != 403 {
		t.Fatalf("forged callback: %d %s", r.status, r.body)
	}
	// Forged route token.
	if r := h.get(h.base + "/v1/frontgo/callback/t1.e30.AAAA?" + u.RawQuery); r.status != 403 {
		t.Fatalf("bad token: %d", r.status)
	}
	// Stale: correctly signed, an hour old.
	old := time.Now().Add(-time.Hour).Unix()
	q := callback.SignedQuery([]callback.Pair{{Key: "orderUuid", Value: c.ReservationUUID}, {Key: "status", Value: "RESERVED"},
		{Key: "createdAt", Value: itoa(old)}, {Key: "paymentMethod", Value: "Visa"}, {Key: "amount", Value: "387.90"}, {Key: "timestamp", Value: itoa(old)}},
		[]byte(fgSecret), callback.SchemeOrderedParams)
	if r := h.get(h.base + "/v1/frontgo/callback/" + token + "?" + q); r.status != 403 {
		t.Fatalf("stale callback: %d %s", r.status, r.body)
	}
	// A valid callback naming another reservation under this checkout's token.
	now := time.Now().Unix()
	q = callback.SignedQuery([]callback.Pair{{Key: "orderUuid", Value: "RES999"}, {Key: "status", Value: "RESERVED"},
		{Key: "createdAt", Value: itoa(now)}, {Key: "timestamp", Value: itoa(now)}}, []byte(fgSecret), callback.SchemeOrderedParams)
	if r := h.get(h.base + "/v1/frontgo/callback/" + token + "?" + q); r.status != 403 {
		t.Fatalf("callback for another reservation: %d", r.status)
	}
	// One naming an order id, as the documentation's example does
	// (orderUuid=ODR123), is a hint for the checkout's own reservation.
	q = callback.SignedQuery([]callback.Pair{{Key: "orderUuid", Value: "ODR123"}, {Key: "status", Value: "success"},
		{Key: "createdAt", Value: itoa(now)}, {Key: "timestamp", Value: itoa(now)}}, []byte(fgSecret), callback.SchemeOrderedParams)
	if r := h.get(h.base + "/v1/frontgo/callback/" + token + "?" + q); r.status != 200 || !bytes.Contains(r.body, []byte(`"duplicate"`)) {
		t.Fatalf("callback naming an order id: %d %s", r.status, r.body)
	}
	// Bad checksums from the sandbox are refused and counted.
	h.sb.ClearCallbackFaults()
	if _, err := h.sb.InjectCallbackFault(sandbox.CallbackFault{Kind: sandbox.CallbackBadChecksum}); err != nil {
		t.Fatal(err)
	}
	r := h.do("POST", "/v1/reservations/"+c.ReservationUUID+"/capture", shopKey, "", map[string]any{})
	if r.status != 200 {
		t.Fatalf("capture: %d %s", r.status, r.body)
	}
	// The capture is still applied once, by the sidecar's own settle.
	h.waitStatus(c.CheckoutID, "CAPTURED")
	time.Sleep(100 * time.Millisecond)
	if got := strings.Join(h.eventsFor(c.ReservationUUID), ","); got != "RESERVED,CAPTURED" {
		t.Fatalf("events = %s", got)
	}
	// Reordered: the old RESERVED callback arriving after CAPTURED changes nothing.
	if r := h.get(cbURL); r.status != 200 || !bytes.Contains(r.body, []byte(`"duplicate"`)) && !bytes.Contains(r.body, []byte(`"stale"`)) {
		t.Fatalf("late reserved callback: %d %s", r.status, r.body)
	}
	if got := strings.Join(h.eventsFor(c.ReservationUUID), ","); got != "RESERVED,CAPTURED" {
		t.Fatalf("events after a late callback = %s", got)
	}
	var metrics = string(h.get(h.base + "/metrics").body)
	for _, want := range []string{`frontgate_callbacks_total{result="forged"}`, `frontgate_callbacks_total{result="stale"}`, `frontgate_callbacks_total{result="applied"}`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func TestReturnTokens(t *testing.T) {
	h := newHarness(t, native())
	c := h.checkout("8001")
	back := h.approve(c, "4111111111111111")
	u, _ := url.Parse(back)
	tok := strings.TrimPrefix(u.Path, "/v1/return/success/")
	parts := strings.Split(tok, ".")
	// Tampered: the payload names another order.
	claims, _ := json.Marshal(signature.Claims{Purpose: "success", Shop: "one", Order: "9999", Checkout: c.CheckoutID, Expires: time.Now().Add(time.Hour).Unix()})
	tampered := parts[0] + "." + b64(claims) + "." + parts[2]
	r := h.get(h.base + "/v1/return/success/" + tampered)
	if r.status != 403 || r.header.Get("Location") != "" {
		t.Fatalf("tampered token: %d %q", r.status, r.header.Get("Location"))
	}
	// The shopper's browser gets a page in a language it is told, that a
	// reload asks for again.
	if r.header.Get("Cache-Control") != "no-store" || !bytes.Contains(r.body, []byte(`<html lang="en">`)) {
		t.Fatalf("error page: Cache-Control %q\n%s", r.header.Get("Cache-Control"), r.body)
	}
	// A success token used on the failure route.
	if r := h.get(h.base + "/v1/return/failure/" + tok); r.status != 403 {
		t.Fatalf("token on the wrong route: %d", r.status)
	}
	// Expired.
	h.offset.Store(int64(3 * 24 * time.Hour))
	if r := h.get(back); r.status != 410 {
		t.Fatalf("expired token: %d", r.status)
	}
}

func TestUpstreamFaults(t *testing.T) {
	h := newHarness(t, native())
	// 510 on create: a gateway error passed through, nothing stored.
	h.sb.InjectFault(sandbox.Fault{Endpoint: "create", Kind: sandbox.FaultGatewayError, Times: 1})
	r := h.do("POST", "/v1/checkouts", shopKey, "f1", checkoutReq("9001"))
	if r.status != 502 || !bytes.Contains(r.body, []byte(`"upstreamStatus":510`)) {
		t.Fatalf("510: %d %s", r.status, r.body)
	}
	// The shop retries under the same key and succeeds.
	if r := h.do("POST", "/v1/checkouts", shopKey, "f1", checkoutReq("9001")); r.status != 201 {
		t.Fatalf("retry after 510: %d %s", r.status, r.body)
	}
	// 429 on create: FrontGo did not act, so the client retries.
	h.sb.InjectFault(sandbox.Fault{Endpoint: "create", Kind: sandbox.FaultRateLimit, Times: 1})
	if r := h.do("POST", "/v1/checkouts", shopKey, "f2", checkoutReq("9002")); r.status != 201 {
		t.Fatalf("429 then ok: %d %s", r.status, r.body)
	}
	// 429 every time: the shop hears FrontGo's own Retry-After.
	h.sb.InjectFault(sandbox.Fault{Endpoint: "history", Kind: sandbox.FaultRateLimit, RetryAfter: 7})
	r = h.do("GET", "/v1/history", shopKey, "", nil)
	h.sb.ClearFaults()
	if r.status != 503 || r.header.Get("Retry-After") != "7" || !bytes.Contains(r.body, []byte(`"retryAfter":7`)) {
		t.Fatalf("429 throughout: %d Retry-After %q %s", r.status, r.header.Get("Retry-After"), r.body)
	}
	// A create whose answer is lost: outcome unknown, not retried blindly;
	// the orphan FrontGo made is found by its reference and cancelled, so
	// the shop's retry leaves exactly one live reservation.
	before := len(h.sb.Reservations())
	h.sb.InjectFault(sandbox.Fault{Endpoint: "create", Kind: sandbox.FaultDropAfter, Times: 1})
	r = h.do("POST", "/v1/checkouts", shopKey, "f3", checkoutReq("9003"))
	if r.status != 504 || !bytes.Contains(r.body, []byte("upstream_unknown")) {
		t.Fatalf("lost answer: %d %s", r.status, r.body)
	}
	all := h.sb.Reservations()
	if len(all) != before+1 || all[len(all)-1].Status != "CANCELLED" {
		t.Fatalf("after a lost create: %d reservations (want %d), last %+v", len(all), before+1, all[len(all)-1])
	}
	if r := h.do("POST", "/v1/checkouts", shopKey, "f3", checkoutReq("9003")); r.status != 201 {
		t.Fatalf("retry after a lost create: %d %s", r.status, r.body)
	}
	live := 0
	for _, res := range h.sb.Reservations()[before:] {
		if res.Status != "CANCELLED" {
			live++
		}
	}
	if live != 1 {
		t.Fatalf("%d live reservations for one order, want 1", live)
	}
	// 500 on details (a read) is retried.
	c := h.checkout("9004")
	h.sb.InjectFault(sandbox.Fault{Endpoint: "details", Kind: sandbox.FaultServerError, Times: 2})
	if r := h.do("GET", "/v1/reservations/"+c.ReservationUUID, shopKey, "", nil); r.status != 200 {
		t.Fatalf("details after two 500s: %d %s", r.status, r.body)
	}
	// 500 on capture (a write) is not retried and surfaces as 502.
	h.sb.Approve(c.ReservationUUID, "4111111111111111")
	h.sb.InjectFault(sandbox.Fault{Endpoint: "capture", Kind: sandbox.FaultServerError, Times: 1})
	if r := h.do("POST", "/v1/reservations/"+c.ReservationUUID+"/capture", shopKey, "", map[string]any{}); r.status != 502 {
		t.Fatalf("capture 500: %d %s", r.status, r.body)
	}
	if st, _ := h.sb.Inspect(c.ReservationUUID); st.Status != "RESERVED" {
		t.Fatalf("sandbox status after a failed capture: %s", st.Status)
	}
}

func TestHealthAndLimits(t *testing.T) {
	h := newHarness(t, native())
	if r := h.get(h.base + "/healthz"); r.status != 200 {
		t.Fatalf("healthz: %d", r.status)
	}
	if r := h.get(h.base + "/readyz"); r.status != 200 {
		t.Fatalf("readyz: %d %s", r.status, r.body)
	}
	if r := h.do("GET", "/v1/checkouts", shopKey, "", nil); r.status != 405 {
		t.Fatalf("GET on checkouts: %d", r.status)
	}
	big := `{"mode":"session","orderId":"x","order":{"customerNotes":"` + strings.Repeat("a", 300<<10) + `"}}`
	// The server refuses the body: with 413, or by closing the connection
	// while the client is still sending (both are a refusal).
	req, _ := http.NewRequest("POST", h.base+"/v1/checkouts", strings.NewReader(big))
	req.Header.Set("Authorization", "Bearer "+shopKey)
	if resp, err := h.client.Do(req); err == nil {
		resp.Body.Close()
		if resp.StatusCode != 413 && resp.StatusCode != 400 {
			t.Fatalf("oversized body: %d", resp.StatusCode)
		}
	}
	if r := h.get(h.base + "/healthz"); r.status != 200 {
		t.Fatalf("server unhealthy after an oversized body: %d", r.status)
	}
	// Refused before any handler runs, yet answered like every other
	// failure: JSON naming the limit. (Raw requests: the answer comes
	// before the body is sent.)
	for _, c := range []struct {
		name, head    string
		status        int
		code, mention string
	}{
		{"body over maxBodyBytes", "POST /v1/checkouts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10485760\r\n\r\n",
			413, "too_large", "maxBodyBytes"},
		{"headers over 8 KiB", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 10<<10) + "\r\n\r\n",
			431, "headers_too_large", "8 KiB"},
		{"not HTTP", "NONSENSE\r\n\r\n", 400, "bad_request", "could not be read"},
	} {
		t.Run(c.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", strings.TrimPrefix(h.base, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			if _, err := conn.Write([]byte(c.head)); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct{ Error Error }
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != c.status ||
				body.Error.Code != c.code || !strings.Contains(body.Error.Message, c.mention) ||
				resp.Header.Get("Content-Type") != "application/json" || !strings.HasPrefix(resp.Header.Get("X-Request-Id"), "req_") {
				t.Errorf("%d %s %+v (%v) id %q, want %d %s mentioning %q", resp.StatusCode, resp.Header.Get("Content-Type"), body.Error, err, resp.Header.Get("X-Request-Id"), c.status, c.code, c.mention)
			}
		})
	}
	if r := h.get(h.base + "/nowhere"); r.status != 404 {
		t.Fatalf("unknown path: %d", r.status)
	}
}

func TestWasmCoreCheckout(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the wasm module")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	wc := wasmrt.NewWasmConfig()
	wc.PoolSize = 2
	w, err := wasmrt.LoadWasm(ctx, wc)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	h := newHarness(t, w)
	c := h.checkout("10001")
	h.get(h.approve(c, "4111111111111111"))
	h.waitStatus(c.CheckoutID, "RESERVED")
	if r := h.do("POST", "/v1/reservations/"+c.ReservationUUID+"/capture", shopKey, "", map[string]any{}); r.status != 200 {
		t.Fatalf("capture via wasm: %d %s", r.status, r.body)
	}
	h.waitStatus(c.CheckoutID, "CAPTURED")
}

// TestReconcileRepairsLostCallbacks: every callback is dropped and the
// shopper never returns; the reconciler finds the reservation in FrontGo's
// history, confirms it, and tells the shop once. A second sidecar sharing
// the store skips while the first holds the lock.
func TestReconcileRepairsLostCallbacks(t *testing.T) {
	h := newHarness(t, native())
	if _, err := h.sb.InjectCallbackFault(sandbox.CallbackFault{Kind: sandbox.CallbackDrop}); err != nil {
		t.Fatal(err)
	}
	c := h.checkout("11001")
	if _, err := h.sb.Approve(c.ReservationUUID, "4111111111111111"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	var rec Checkout
	h.do("GET", "/v1/checkouts/"+c.CheckoutID, shopKey, "", nil).json(t, &rec)
	if rec.Status != "SENT" || len(h.eventsFor(c.ReservationUUID)) != 0 {
		t.Fatalf("before reconciling: %s, events %v", rec.Status, h.eventsFor(c.ReservationUUID))
	}
	rep := h.svc.Reconcile(context.Background(), time.Minute)
	if rep.Error != "" || rep.Seen != 1 || rep.Repaired != 1 || rep.Skipped {
		t.Fatalf("report = %+v", rep)
	}
	h.waitStatus(c.CheckoutID, "RESERVED")
	if got := h.eventsFor(c.ReservationUUID); strings.Join(got, ",") != "RESERVED" {
		t.Fatalf("events = %v", got)
	}
	// The lock holds: a second run within its TTL is skipped.
	if rep := h.svc.Reconcile(context.Background(), time.Minute); !rep.Skipped {
		t.Fatalf("second run = %+v, want skipped", rep)
	}
	var ready struct {
		ReconcileRuns int             `json:"reconcileRuns"`
		Last          ReconcileReport `json:"lastReconcile"`
	}
	h.get(h.base+"/readyz").json(t, &ready)
	if ready.ReconcileRuns != 2 || !ready.Last.Skipped {
		t.Fatalf("readyz = %+v", ready)
	}
	m := string(h.get(h.base + "/metrics").body)
	if !strings.Contains(m, "frontgate_reconcile_repaired_total 1") || !strings.Contains(m, `frontgate_reconcile_runs_total{result="skipped"} 1`) {
		t.Fatalf("reconcile metrics missing:\n%s", m)
	}
}
