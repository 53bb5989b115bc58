// Package demoshop is Fjellbu, a small Norwegian web shop that takes card
// reservations through the frontgate sidecar: catalogue, cart, checkout
// for private and corporate customers, the shopper's return, and a back
// office that captures, charges, cancels, completes, resends and refunds.
//
// It is what `go run ./host/cmd/frontgate` serves next to the sidecar and
// the FrontGo sandbox, and a worked example of a shop integration: every
// payment call goes to the sidecar's HTTP API with the shop's API key, and
// the checkout form is validated in the shopper's browser by the same
// frontgate.wasm the sidecar runs (static/checkout.js).
//
// The shop learns of reservation changes as the sidecar's Notifier (events
// arrive in-process when the sidecar confirms a callback, a return or an
// operation), and asks the sidecar itself where it must be sure: the
// return pages read GET /v1/checkouts/{id}, the back office reads GET
// /v1/reservations/{uuid} after each operation. Everything is kept in
// memory.
package demoshop

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/frontgate/frontgate/build/wasmbuild"
)

//go:embed static templates
var assets embed.FS

// Config configures a Shop.
type Config struct {
	// SidecarURL is the sidecar's base URL, e.g. http://127.0.0.1:8080.
	SidecarURL string
	// APIKey is the shop's bearer key for the sidecar.
	APIKey string
	// PublicURL is where shoppers reach the shop (http://127.0.0.1:8081);
	// the sidecar sends them back to pages under it. Its host must be
	// among the shop's allowedHosts in the sidecar's config.
	PublicURL string
	// AllowedHosts are other hosts the shop answers on (localhost:8081);
	// a shopper on one of them is sent back to the same host, so the
	// session cookie is still there. They must be allowed hosts too.
	AllowedHosts []string
	// Wasm returns frontgate.wasm for the browser; nil means
	// wasmbuild.Load (FRONTGATE_WASM, the embedded module, or a build of
	// the checkout).
	Wasm func(ctx context.Context) ([]byte, error)
	// HTTPClient calls the sidecar; nil means a client with a 20 s timeout.
	HTTPClient *http.Client
	// Log receives the shop's log lines; nil discards them.
	Log *slog.Logger
}

// Shop is the demo shop: an http.Handler, and the sidecar's Notifier.
type Shop struct {
	cfg      Config
	public   *url.URL
	api      *client
	log      *slog.Logger
	orders   *store
	sessions *sessions
	pages    map[string]*template.Template
	static   http.Handler

	wasmMu   sync.Mutex
	wasm     []byte
	wasmETag string
}

// New returns the shop for cfg.
func New(cfg Config) (*Shop, error) {
	if cfg.SidecarURL == "" || cfg.APIKey == "" {
		return nil, errors.New("demoshop: SidecarURL and APIKey are required")
	}
	pub, err := url.Parse(cfg.PublicURL)
	if err != nil || (pub.Scheme != "http" && pub.Scheme != "https") || pub.Host == "" {
		return nil, fmt.Errorf("demoshop: PublicURL %q must be an http(s) URL", cfg.PublicURL)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 20 * time.Second}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Wasm == nil {
		cfg.Wasm = func(ctx context.Context) ([]byte, error) {
			b, _, err := wasmbuild.Load(ctx)
			return b, err
		}
	}
	s := &Shop{cfg: cfg, public: pub, log: cfg.Log, orders: newStore(), sessions: newSessions(),
		api: &client{base: strings.TrimRight(cfg.SidecarURL, "/"), key: cfg.APIKey, hc: cfg.HTTPClient}}
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	sub, _ := fs.Sub(assets, "static")
	s.static = http.StripPrefix("/static/", http.FileServerFS(sub))
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Shop) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	path := r.URL.Path
	switch {
	case path == "/static/frontgate.wasm":
		s.serveWasm(w, r)
		return
	case strings.HasPrefix(path, "/static/"):
		h.Set("Cache-Control", "no-cache")
		s.static.ServeHTTP(w, r)
		return
	case path == "/favicon.ico":
		http.NotFound(w, r)
		return
	}
	sess := s.sessions.get(w, r)
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		if subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(sess.csrf)) != 1 {
			s.log.Warn("csrf token mismatch", "path", path)
			http.Error(w, "This form has expired. Go back, reload the page and try again.", http.StatusForbidden)
			return
		}
	}
	rq := &request{w: w, r: r, sess: sess}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case path == "/" && r.Method == http.MethodGet:
		s.home(rq)
	case path == "/cart" && r.Method == http.MethodGet:
		s.cartPage(rq)
	case path == "/cart/add" && r.Method == http.MethodPost:
		s.cartAdd(rq)
	case path == "/cart/update" && r.Method == http.MethodPost:
		s.cartUpdate(rq)
	case path == "/checkout" && r.Method == http.MethodGet:
		s.checkoutPage(rq)
	case path == "/checkout" && r.Method == http.MethodPost:
		s.checkoutSubmit(rq)
	case path == "/checkout/success" && r.Method == http.MethodGet:
		s.returnPage(rq, true)
	case path == "/checkout/failure" && r.Method == http.MethodGet:
		s.returnPage(rq, false)
	case len(parts) == 3 && parts[0] == "order" && parts[2] == "status" && r.Method == http.MethodGet:
		s.orderStatus(rq, parts[1])
	case path == "/admin/orders" && r.Method == http.MethodGet:
		s.ordersPage(rq)
	case path == "/admin/orders/status" && r.Method == http.MethodGet:
		s.ordersStatus(rq)
	case len(parts) == 4 && parts[0] == "admin" && parts[1] == "orders" && r.Method == http.MethodPost:
		s.backOffice(rq, parts[2], parts[3])
	default:
		w.WriteHeader(http.StatusNotFound)
		s.render(rq, "message.html", map[string]any{"Title": "Not found", "Text": "There is no such page in this shop."})
	}
}

// request is one request with its session.
type request struct {
	w    http.ResponseWriter
	r    *http.Request
	sess *session
}

func (s *Shop) serveWasm(w http.ResponseWriter, r *http.Request) {
	s.wasmMu.Lock()
	if s.wasm == nil {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Minute)
		b, err := s.cfg.Wasm(ctx)
		cancel()
		if err != nil {
			s.wasmMu.Unlock()
			s.log.Error("loading frontgate.wasm for the browser failed", "err", err)
			http.Error(w, "frontgate.wasm is not available", http.StatusServiceUnavailable)
			return
		}
		sum := sha256.Sum256(b)
		s.wasm, s.wasmETag = b, `"`+hex.EncodeToString(sum[:16])+`"`
	}
	b, etag := s.wasm, s.wasmETag
	s.wasmMu.Unlock()
	w.Header().Set("Content-Type", "application/wasm")
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, "frontgate.wasm", time.Time{}, bytes.NewReader(b))
}

// ---- sessions and CSRF ----

const sessionCookie = "fjellbu_session"

type session struct {
	id   string
	csrf string
	mu   sync.Mutex
	cart map[string]int64 // sku → quantity
	// pending is the order of the last checkout attempt and a hash of
	// what was submitted: the same submission again (a double click, the
	// back button) reuses it and its Idempotency-Key.
	pendingOrder string
	pendingHash  string
	seen         time.Time
}

type sessions struct {
	mu sync.Mutex
	m  map[string]*session
}

const maxSessions = 10000

func newSessions() *sessions { return &sessions{m: map[string]*session{}} }

func randomToken() string {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// get finds the request's session or starts one.
func (ss *sessions) get(w http.ResponseWriter, r *http.Request) *session {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if c, err := r.Cookie(sessionCookie); err == nil {
		if s, ok := ss.m[c.Value]; ok {
			s.seen = time.Now()
			return s
		}
	}
	if len(ss.m) >= maxSessions { // a demo: forget the oldest rather than grow
		var oldest *session
		for _, s := range ss.m {
			if oldest == nil || s.seen.Before(oldest.seen) {
				oldest = s
			}
		}
		delete(ss.m, oldest.id)
	}
	s := &session{id: randomToken(), csrf: randomToken(), cart: map[string]int64{}, seen: time.Now()}
	ss.m[s.id] = s
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: s.id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	return s
}

// cartLines returns the session's cart as order lines, freight included.
func (se *session) cartLines() []orderLine {
	se.mu.Lock()
	defer se.mu.Unlock()
	var lines []orderLine
	var goods int64
	physical := false
	for _, p := range catalog { // catalogue order, so the cart is stable
		q := se.cart[p.SKU]
		if q <= 0 {
			continue
		}
		l := orderLine{Kind: "product", SKU: p.SKU, Name: p.Name, UnitPrice: p.Price, Quantity: q, TaxRate: p.TaxRate}
		lines = append(lines, l)
		if p.Physical {
			physical = true
			goods += l.Total()
		}
	}
	if physical && goods < freeShippingFrom {
		lines = append(lines, orderLine{Kind: "shipping", SKU: shippingSKU, Name: shippingName, UnitPrice: shippingPrice, Quantity: 1, TaxRate: shippingTax})
	}
	return lines
}

func (se *session) count() int64 {
	se.mu.Lock()
	defer se.mu.Unlock()
	var n int64
	for _, q := range se.cart {
		n += q
	}
	return n
}

// ---- rendering ----

var funcs = template.FuncMap{
	"kr":    kr,
	"pct":   pct,
	"lower": strings.ToLower,
	"statusClass": func(s string) string {
		return "st-" + strings.ToLower(strings.ReplaceAll(s, " ", "-"))
	},
	"time": func(t time.Time) string { return t.Local().Format("15:04:05") },
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	},
	"field": func(name, label, path, value string, errs map[string]string, typ, auto string) map[string]string {
		return map[string]string{"Name": name, "Label": label, "Path": path, "Value": value, "Error": errs[name], "Type": typ, "Auto": auto}
	},
}

func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimPrefix(n, "templates/")
		if base == "layout.html" || base == "partials.html" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/partials.html", n)
		if err != nil {
			return nil, fmt.Errorf("demoshop: %w", err)
		}
		pages[base] = t
	}
	return pages, nil
}

// render executes page inside the layout. data is a map the layout adds
// its own keys to (CSRF token, cart size).
func (s *Shop) render(rq *request, page string, data map[string]any) {
	s.renderStatus(rq, http.StatusOK, page, data)
}

func (s *Shop) renderStatus(rq *request, code int, page string, data map[string]any) {
	data["CSRF"] = rq.sess.csrf
	data["CartCount"] = rq.sess.count()
	data["Path"] = rq.r.URL.Path
	var buf bytes.Buffer
	if err := s.pages[page].ExecuteTemplate(&buf, "layout", data); err != nil {
		s.log.Error("rendering failed", "page", page, "err", err)
		http.Error(rq.w, "internal error", http.StatusInternalServerError)
		return
	}
	h := rq.w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	rq.w.WriteHeader(code)
	_, _ = rq.w.Write(buf.Bytes())
}

func (s *Shop) redirect(rq *request, to string) {
	http.Redirect(rq.w, rq.r, to, http.StatusSeeOther)
}

// baseURL is where the sidecar should send this shopper back: the host
// they are on when it is one of the shop's, so their cookie is there.
func (s *Shop) baseURL(r *http.Request) string {
	if r.Host != s.public.Host && slices.Contains(s.cfg.AllowedHosts, r.Host) {
		return s.public.Scheme + "://" + r.Host
	}
	return s.public.Scheme + "://" + s.public.Host
}
