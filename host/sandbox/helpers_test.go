package sandbox

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontgate/frontgate/plugin/callback"
	"github.com/frontgate/frontgate/plugin/money"
	"github.com/frontgate/frontgate/plugin/reservation"
)

// t0 is the sandbox clock's start in tests: a fixed instant, so deadlines
// and datetimes are exact.
var t0 = time.Date(2025, 9, 3, 10, 0, 0, 0, time.UTC)

const (
	testToken  = "test-token"
	testSecret = "test-secret"
)

// fixture is a sandbox listening on 127.0.0.1 with a fixed clock and seed.
type fixture struct {
	t    testing.TB
	sb   *Sandbox
	hc   *http.Client
	base string
}

func newFixture(t testing.TB, mods ...func(*Config)) *fixture {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Token, cfg.Secret, cfg.Control = testToken, testSecret, true
	cfg.Now = func() time.Time { return t0 }
	cfg.Rand = SeededRand(1)
	cfg.CallbackBackoff = 5 * time.Millisecond
	cfg.CallbackTimeout = 2 * time.Second
	cfg.HoldMax = 3 * time.Second
	for _, m := range mods {
		m(&cfg)
	}
	sb, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{
		Transport:     tr,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &fixture{t: t, sb: sb, hc: hc, base: sb.URL()}
}

// raw sends a request to an absolute sandbox path with an Authorization
// header (none when auth is "").
func (f *fixture) raw(method, path, body, auth string) (*http.Response, []byte) {
	f.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.base+path, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := f.hc.Do(req)
	if err != nil {
		f.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp, b
}

// call sends an authorised API request; path is relative to APIPrefix
// ("submit", "details/RES…").
func (f *fixture) call(method, path, body string) reservation.Response {
	f.t.Helper()
	resp, b := f.raw(method, APIPrefix+path, body, "Bearer "+testToken)
	return reservation.Response{Status: resp.StatusCode, Body: b, RequestID: resp.Header.Get("X-Request-Id")}
}

// testLine is a product line for newOrder: amount = rate × qty.
type testLine struct {
	name, rate string
	qty        int64
	tax        int
}

func amt(tb testing.TB, s string) money.Amount {
	tb.Helper()
	a, err := money.ParseAmount([]byte(s))
	if err != nil {
		tb.Fatalf("amount %q: %v", s, err)
	}
	return a
}

// order returns a NewReservation for op with the given lines, due in 7
// days, calling back to cb (if not "").
func order(tb testing.TB, lines []testLine, cb string) *reservation.NewReservation {
	tb.Helper()
	nr := &reservation.NewReservation{
		Customer: reservation.Customer{
			Type: reservation.CustomerPrivate, CountryCode: "+47", MSISDN: "46567468", Email: "kari@example.no",
			Name: "Kari Nordmann", PreferredLanguage: "en",
			Address: reservation.Address{Street: "Storgata 1", Zip: "0155", City: "Oslo", Country: "NO"},
		},
		OrderDate:             t0.Unix(),
		DueDateForPaymentLink: t0.Add(7 * 24 * time.Hour).Unix(),
		SendOrderBy:           reservation.SendOrderBy{Email: true},
		CallbackURL:           cb,
	}
	for _, l := range lines {
		r := amt(tb, l.rate)
		a, _ := r.Mul(l.qty)
		nr.Products = append(nr.Products, reservation.Product{Name: l.name, Rate: r, Tax: money.Percent(l.tax), Amount: a})
	}
	nr.Summary = reservation.SummaryOf(nr.Products)
	return nr
}

func build(tb testing.TB, op string, nr *reservation.NewReservation) string {
	tb.Helper()
	var b []byte
	var err error
	if op == reservation.OpSubmit {
		b, err = reservation.BuildSubmit(nr, reservation.Options{Now: t0})
	} else {
		if nr.PaymentMethod == "" {
			nr.PaymentMethod = "visa"
		}
		b, err = reservation.BuildCreate(nr, reservation.Options{Now: t0})
	}
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// defaultLines is a room (2 × 1000.00 at 12 %) and breakfast
// (3 × 149.95 at 15 %): 2449.85 in all.
var defaultLines = []testLine{{"Double room", "1000.00", 2, 12}, {"Breakfast", "149.95", 3, 15}}

// create submits (or creates) a reservation and returns it parsed.
func (f *fixture) create(op string, nr *reservation.NewReservation) *reservation.Created {
	f.t.Helper()
	resp := f.call("POST", op, build(f.t, op, nr))
	var c *reservation.Created
	var err error
	if op == reservation.OpSubmit {
		c, err = reservation.ParseSubmit(resp)
	} else {
		c, err = reservation.ParseCreate(resp)
	}
	if err != nil {
		f.t.Fatalf("%s: %v\n%s", op, err, resp.Body)
	}
	return c
}

// reserved creates a reservation with lines, approves it, and returns its
// uuid and details.
func (f *fixture) reserved(lines []testLine, cb string) (string, *reservation.Details) {
	f.t.Helper()
	c := f.create(reservation.OpCreate, order(f.t, lines, cb))
	if out, err := f.sb.Approve(c.ReservationUUID, ""); err != nil || out != OutcomeApproved {
		f.t.Fatalf("approve: %v %v", out, err)
	}
	return c.ReservationUUID, f.details(c.ReservationUUID)
}

func (f *fixture) details(uuid string) *reservation.Details {
	f.t.Helper()
	resp := f.call("GET", "details/"+uuid, "")
	d, err := reservation.ParseDetails(resp)
	if err != nil {
		f.t.Fatalf("details: %v\n%s", err, resp.Body)
	}
	return d
}

func (f *fixture) captureBody(uuid string, lines ...reservation.LineAmount) string {
	f.t.Helper()
	b, err := reservation.BuildCapture(uuid, &reservation.Capture{Products: lines, GrandTotal: reservation.SumLines(lines)})
	if err != nil {
		f.t.Fatal(err)
	}
	return string(b)
}

func (f *fixture) chargeBody(uuid string, total money.Amount) string {
	f.t.Helper()
	b, err := reservation.BuildCharge(uuid, &reservation.Charge{
		Products:   []reservation.Product{{Name: "Minibar", Rate: total, Tax: money.Percent(25), Amount: total}},
		GrandTotal: total,
	}, reservation.Options{})
	if err != nil {
		f.t.Fatal(err)
	}
	return string(b)
}

func (f *fixture) refundBody(uuid, source, ref string, lines ...reservation.LineAmount) string {
	f.t.Helper()
	b, err := reservation.BuildRefund(uuid, &reservation.Refund{Products: lines, GrandTotal: reservation.SumLines(lines), Source: source, Reference: ref})
	if err != nil {
		f.t.Fatal(err)
	}
	return string(b)
}

func noteBody(note string) string { return `{"note":"` + note + `"}` }

// wantAPIError checks that err is a FrontGo *APIError of status and key.
func wantAPIError(tb testing.TB, err error, status int, kind reservation.ErrorKind, key string) *reservation.APIError {
	tb.Helper()
	var e *reservation.APIError
	if !errors.As(err, &e) {
		tb.Fatalf("want APIError %d %s, got %v", status, key, err)
	}
	if e.HTTPStatus != status || e.Kind != kind || e.MessageKey != key {
		tb.Fatalf("want %d %s %s, got %d %s %s (%v)", status, kind, key, e.HTTPStatus, e.Kind, e.MessageKey, e)
	}
	return e
}

// receiver is a merchant's callback endpoint on 127.0.0.1.
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	hits   []*url.URL
	code   atomic.Int32 // answer; 0 means 200
	failN  atomic.Int32 // answer 500 to this many requests first
	notify chan struct{}
}

func newReceiver(t testing.TB) *receiver {
	t.Helper()
	rc := &receiver{notify: make(chan struct{}, 100)}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.mu.Lock()
		u := *r.URL
		rc.hits = append(rc.hits, &u)
		rc.mu.Unlock()
		select {
		case rc.notify <- struct{}{}:
		default:
		}
		if rc.failN.Add(-1) >= 0 {
			w.WriteHeader(500)
			return
		}
		if c := rc.code.Load(); c != 0 {
			w.Header().Set("Location", "http://127.0.0.1:1/elsewhere")
			w.WriteHeader(int(c))
			return
		}
		w.WriteHeader(200)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// url is the callback URL, with a merchant parameter of its own.
func (rc *receiver) url() string { return rc.srv.URL + "/frontgo/callback?shop=demo&order=42" }

func (rc *receiver) requests() []*url.URL {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]*url.URL(nil), rc.hits...)
}

// verify checks a received callback with plugin/callback.
func verify(tb testing.TB, u *url.URL, now time.Time) callback.Params {
	tb.Helper()
	p, err := callback.Verify(u.RawQuery, []byte(testSecret), callback.DefaultVerifyConfig(), now)
	if err != nil {
		tb.Fatalf("verify %s: %v", u.RawQuery, err)
	}
	return p
}

func waitCallbacks(tb testing.TB, sb *Sandbox, n int) []CallbackRecord {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	recs, err := sb.WaitCallbacks(ctx, n)
	if err != nil {
		tb.Fatalf("waiting for %d callbacks: %v (have %+v)", n, err, recs)
	}
	return recs
}
