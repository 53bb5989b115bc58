package demoshop

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontgate/frontgate/host/sidecar"
)

func TestParseKr(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		err  error
	}{
		{"149", 14900, nil},
		{"149,5", 14950, nil},
		{"149.50", 14950, nil},
		{"1 299,00", 129900, nil},
		{"kr 10", 1000, nil},
		{"0,01", 1, nil},
		{",50", 50, nil},
		{"", 0, errEmptyAmount},
		{"12,345", 0, errBadAmount},
		{"-5", 0, errBadAmount},
		{"+5", 0, errBadAmount},
		{"1e3", 0, errBadAmount},
		{"abc", 0, errBadAmount},
		{"1.2.3", 0, errBadAmount},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseKr(tc.in)
			if got != tc.want || err != tc.err {
				t.Errorf("parseKr(%q) = %d, %v; want %d, %v", tc.in, got, err, tc.want, tc.err)
			}
		})
	}
}

func TestKr(t *testing.T) {
	for in, want := range map[int64]string{0: "kr 0,00", 5: "kr 0,05", 14900: "kr 149,00", 129900: "kr 1 299,00",
		123456789: "kr 1 234 567,89", -4050: "−kr 40,50"} {
		if got := kr(in); got != want {
			t.Errorf("kr(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestVATBreakdown(t *testing.T) {
	lines := []orderLine{
		{UnitPrice: 14900, Quantity: 2, TaxRate: 25}, // 298.00 incl. 59.60
		{UnitPrice: 12990, Quantity: 1, TaxRate: 15}, // 129.90 incl. 16.94 (16.943…)
		{UnitPrice: 14500, Quantity: 1, TaxRate: 12}, // 145.00 incl. 15.54 (15.535…)
		{UnitPrice: 39900, Quantity: 1, TaxRate: 0},
		{UnitPrice: 7900, Quantity: 1, TaxRate: 25}, // 79.00 incl. 15.80
	}
	want := []vatLine{{25, 7540}, {15, 1694}, {12, 1554}, {0, 0}}
	got := vatBreakdown(lines)
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("rate %v: got %v, want %v", want[i].Rate, got[i], want[i])
		}
	}
}

// fakeSidecar answers the shop's calls from a script, like the sidecar
// would, and records them.
type fakeSidecar struct {
	mu       sync.Mutex
	requests []string // "METHOD path idempotency-key body"
	answer   func(r *http.Request, body string) (int, string)
}

func (f *fakeSidecar) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.requests = append(f.requests, r.Method+" "+r.URL.Path+" "+r.Header.Get("Idempotency-Key")+" "+string(b))
	f.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer test-key" {
		w.WriteHeader(401)
		return
	}
	status, body := f.answer(r, string(b))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

const detailsJSON = `{"reservationUuid":"RES1","status":"RESERVED","products":[
 {"id":101,"name":"Ullsokker","productId":"ULL-SOKK","quantity":"1","rate":14900,"taxRate":25,"amount":14900,"reserved":14900,"captured":0},
 {"id":102,"name":"Frakt","productId":"FRAKT","quantity":"1","rate":7900,"taxRate":25,"amount":7900,"reserved":7900,"captured":0}],
 "grandTotal":22800,"payment":{"reserved":22800},"history":{"captured":[],"charged":[],"refunded":[]}}`

type harness struct {
	t    *testing.T
	shop *Shop
	side *fakeSidecar
	url  string
	hc   *http.Client
	csrf string
}

func newHarness(t *testing.T, answer func(r *http.Request, body string) (int, string)) *harness {
	t.Helper()
	side := &fakeSidecar{answer: answer}
	sc := httptest.NewServer(side)
	t.Cleanup(sc.Close)
	h := &harness{t: t, side: side}
	front := httptest.NewUnstartedServer(nil)
	shop, err := New(Config{SidecarURL: sc.URL, APIKey: "test-key", PublicURL: "http://" + front.Listener.Addr().String(),
		Wasm: func(context.Context) ([]byte, error) { return []byte("\x00asm\x01\x00\x00\x00"), nil }})
	if err != nil {
		t.Fatal(err)
	}
	front.Config.Handler = shop
	front.Start()
	t.Cleanup(front.Close)
	jar, _ := cookiejar.New(nil)
	h.shop, h.url = shop, front.URL
	h.hc = &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return h
}

var reCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (h *harness) get(path string) (*http.Response, string) {
	h.t.Helper()
	resp, err := h.hc.Get(h.url + path)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := reCSRF.FindSubmatch(b); m != nil {
		h.csrf = html.UnescapeString(string(m[1]))
	}
	return resp, string(b)
}

func (h *harness) post(path string, form url.Values) *http.Response {
	h.t.Helper()
	f := url.Values{"csrf": {h.csrf}}
	for k, v := range form {
		f[k] = v
	}
	resp, err := h.hc.PostForm(h.url+path, f)
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

var customer = url.Values{"type": {"private"}, "name": {"Kari Nordmann"}, "email": {"kari@example.no"},
	"countryCode": {"+47"}, "msisdn": {"465 67 468"}, "street": {"Karl Johans gate 1"}, "zip": {"0154"},
	"city": {"Oslo"}, "country": {"no"}}

func TestCSRF(t *testing.T) {
	h := newHarness(t, func(*http.Request, string) (int, string) { return 500, `{}` })
	h.get("/")
	if r := h.post("/cart/add", url.Values{"sku": {"KAFFE"}, "csrf": {"forged"}}); r.StatusCode != 403 {
		t.Errorf("forged token: %d, want 403", r.StatusCode)
	}
	if r := h.post("/cart/add", url.Values{"sku": {"KAFFE"}}); r.StatusCode != 303 {
		t.Errorf("real token: %d, want 303", r.StatusCode)
	}
}

// TestCheckoutRequest checks what the shop sends the sidecar: the order in
// frontgate's shape with the form normalised as checkout.js normalises it,
// return URLs on the shop, and an Idempotency-Key that a resubmission
// reuses.
func TestCheckoutRequest(t *testing.T) {
	h := newHarness(t, func(r *http.Request, body string) (int, string) {
		return 201, `{"checkoutId":"chk_1","orderId":"FB-1001","reservationUuid":"RES1","redirectUrl":"http://sidecar.example/v1/checkouts/chk_1/go","status":"SENT"}`
	})
	h.get("/")
	h.post("/cart/add", url.Values{"sku": {"ULL-SOKK"}, "qty": {"2"}})
	h.post("/cart/add", url.Values{"sku": {"KINO"}})
	r := h.post("/checkout", customer)
	if r.StatusCode != 303 || r.Header.Get("Location") != "http://sidecar.example/v1/checkouts/chk_1/go" {
		t.Fatalf("checkout: %d → %q", r.StatusCode, r.Header.Get("Location"))
	}
	h.post("/checkout", customer)
	if len(h.side.requests) != 2 {
		t.Fatalf("requests: %q", h.side.requests)
	}
	f1, f2 := strings.SplitN(h.side.requests[0], " ", 4), strings.SplitN(h.side.requests[1], " ", 4)
	if f1[1] != "/v1/checkouts" || f1[2] == "" || f1[2] != f2[2] || f1[3] != f2[3] {
		t.Errorf("a resubmission must repeat the request and its key:\n%q\n%q", h.side.requests[0], h.side.requests[1])
	}
	var req struct {
		Mode, OrderID string
		Order         map[string]any
		ReturnURLs    map[string]string
	}
	if err := json.Unmarshal([]byte(f1[3]), &req); err != nil {
		t.Fatal(err)
	}
	cu, _ := json.Marshal(req.Order["customer"])
	if want := `{"address":{"city":"Oslo","country":"NO","street":"Karl Johans gate 1","zip":"0154"},"countryCode":"+47","email":"kari@example.no","msisdn":"46567468","name":"Kari Nordmann","type":"private"}`; string(cu) != want {
		t.Errorf("customer:\n got %s\nwant %s", cu, want)
	}
	lines, _ := json.Marshal(req.Order["lines"])
	if want := `[{"kind":"product","name":"Ullsokker","quantity":2,"sku":"ULL-SOKK","taxRate":25,"unitPrice":14900},{"kind":"product","name":"Kinobillett","quantity":1,"sku":"KINO","taxRate":12,"unitPrice":14500},{"kind":"shipping","name":"Frakt","quantity":1,"sku":"FRAKT","taxRate":25,"unitPrice":7900}]`; string(lines) != want {
		t.Errorf("lines:\n got %s\nwant %s", lines, want)
	}
	if req.Mode != "session" || req.OrderID != "FB-1001" || req.ReturnURLs["success"] != h.url+"/checkout/success?order=FB-1001" {
		t.Errorf("request: %+v", req)
	}
}

// TestCheckoutFieldErrors: the sidecar's 422 lands next to the inputs its
// paths name; a path without an input is listed above the form.
func TestCheckoutFieldErrors(t *testing.T) {
	h := newHarness(t, func(*http.Request, string) (int, string) {
		return 422, `{"error":{"code":"validation","message":"order: 2 invalid fields","fields":[
			{"path":"order.customer.email","rule":"email","message":"must be a valid e-mail address"},
			{"path":"order.lines.0.taxRate","rule":"tax_rate","message":"must be one of the tax rates 0, 12, 15, 25"}]}}`
	})
	h.get("/")
	h.post("/cart/add", url.Values{"sku": {"KAFFE"}})
	form := url.Values{}
	for k, v := range customer {
		form[k] = v
	}
	form.Set("email", "kari@")
	resp, err := h.hc.PostForm(h.url+"/checkout", withCSRF(form, h.csrf))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(b)
	for _, want := range []string{
		`<p class="field-error" id="email-error" aria-live="polite">must be a valid e-mail address</p>`,
		`<p>order.lines.0.taxRate: must be one of the tax rates 0, 12, 15, 25</p>`,
		`id="email" name="email" type="email" value="kari@"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
}

func withCSRF(v url.Values, token string) url.Values {
	v.Set("csrf", token)
	return v
}

// TestFormPaths keeps the checkout form's inputs, their data-path
// attributes (what checkout.js maps errors with) and formFields (what the
// server maps them with) in step.
func TestFormPaths(t *testing.T) {
	h := newHarness(t, nil)
	h.get("/")
	h.post("/cart/add", url.Values{"sku": {"KAFFE"}})
	_, page := h.get("/checkout")
	for _, f := range formFields {
		if !regexp.MustCompile(`name="` + f.Name + `"[^>]*data-path="` + regexp.QuoteMeta(f.Path) + `"`).MatchString(page) {
			t.Errorf("no input %s with data-path %s", f.Name, f.Path)
		}
	}
}

// TestBackOffice: an operation the sidecar refuses shows FrontGo's message
// key plainly; one it accepts is recorded with its transaction.
func TestBackOffice(t *testing.T) {
	h := newHarness(t, func(r *http.Request, body string) (int, string) {
		switch {
		case r.URL.Path == "/v1/checkouts":
			return 201, `{"checkoutId":"chk_1","reservationUuid":"RES1","redirectUrl":"http://sidecar.example/go","status":"SENT"}`
		case r.URL.Path == "/v1/reservations/RES1":
			return 200, detailsJSON
		case strings.HasSuffix(r.URL.Path, "/cancel"):
			return 409, `{"error":{"code":"refused","message":"cancel: not allowed while the reservation is CAPTURED (prerequisiteFailedToCancelReservation)","messageKey":"prerequisiteFailedToCancelReservation"}}`
		case strings.HasSuffix(r.URL.Path, "/capture"):
			return 200, `{"uuid":"CAP1","message":"captured"}`
		}
		return 404, `{"error":{"code":"not_found","message":"no"}}`
	})
	h.get("/")
	h.post("/cart/add", url.Values{"sku": {"ULL-SOKK"}})
	h.post("/checkout", customer)
	h.shop.Notify(context.Background(), &sidecar.ShopConfig{ID: "demo"}, sidecar.Event{CheckoutID: "chk_1", OrderID: "FB-1001",
		Status: "RESERVED", Via: "callback", At: time.Now(), Details: json.RawMessage(detailsJSON)})
	h.get("/admin/orders")

	h.post("/admin/orders/FB-1001/cancel", url.Values{"note": {"x"}, "nonce": {"n1"}})
	o, _ := h.shop.orders.get("FB-1001")
	if o.Last == nil || o.Last.OK || o.Last.Text != "Refused (409, prerequisiteFailedToCancelReservation): cancel: not allowed while the reservation is CAPTURED (prerequisiteFailedToCancelReservation)" {
		t.Errorf("refusal: %+v", o.Last)
	}
	h.post("/admin/orders/FB-1001/capture", url.Values{"mode": {"lines"}, "amount_101": {"100,50"}, "nonce": {"n2"}})
	o, _ = h.shop.orders.get("FB-1001")
	if o.Last == nil || !o.Last.OK || o.Last.Text != "Captured kr 100,50 (CAP1)" || len(o.Txns) != 1 || o.Txns[0].Lines[0] != (txnLine{101, "Ullsokker", 10050}) {
		t.Errorf("capture: %+v %+v", o.Last, o.Txns)
	}
	last := h.side.requests[len(h.side.requests)-2] // the capture; details follow it
	if want := "POST /v1/reservations/RES1/capture fjellbu-FB-1001-capture-n2 " + `{"lines":[{"amount":10050,"id":101}]}`; last != want {
		t.Errorf("capture request:\n got %s\nwant %s", last, want)
	}
	// The same form sent again (a double click): the sidecar replays the
	// first answer; the shop records nothing twice and says it acted once.
	h.post("/admin/orders/FB-1001/capture", url.Values{"mode": {"lines"}, "amount_101": {"100,50"}, "nonce": {"n2"}})
	o, _ = h.shop.orders.get("FB-1001")
	if o.Last == nil || !o.Last.OK || o.Last.Text != "Captured kr 100,50 (CAP1, once: this form was sent before)" || len(o.Txns) != 1 {
		t.Errorf("the capture form sent twice: %+v %+v", o.Last, o.Txns)
	}
	h.post("/admin/orders/FB-1001/capture", url.Values{"mode": {"lines"}, "amount_101": {"1,005"}, "nonce": {"n3"}})
	if o, _ = h.shop.orders.get("FB-1001"); o.Last.OK || !strings.Contains(o.Last.Text, "at most two decimals") {
		t.Errorf("bad amount: %+v", o.Last)
	}
}

// TestBackOfficeOffersWhatFrontGoAllows: capture only while RESERVED (the
// first capture releases the rest), charges only after a capture.
func TestBackOfficeOffersWhatFrontGoAllows(t *testing.T) {
	var d reservationDetails
	if err := json.Unmarshal([]byte(`{"products":[{"id":101,"name":"Ullsokker","reserved":29800,"captured":14900,"amount":29800}]}`), &d); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		status          string
		capture, charge bool
		remaining       int64
	}{
		{"SENT", false, false, 0},
		{"RESERVED", true, false, 14900},
		{"CAPTURED", false, true, 0},
		{"CHARGED", false, true, 0},
		{"CANCELLED", false, false, 0},
	} {
		v := viewOf(order{Status: c.status, Details: &d})
		if v.CanCapture != c.capture || v.CanCharge != c.charge || v.Rows[0].Remaining != c.remaining {
			t.Errorf("%s: capture %v, charge %v, remaining %d; want %v, %v, %d", c.status, v.CanCapture, v.CanCharge,
				v.Rows[0].Remaining, c.capture, c.charge, c.remaining)
		}
	}
}

// TestNotifyNeverGoesBack: a late, older status does not undo a newer one.
func TestNotifyNeverGoesBack(t *testing.T) {
	h := newHarness(t, func(*http.Request, string) (int, string) {
		return 201, `{"checkoutId":"chk_1","reservationUuid":"RES1","redirectUrl":"http://sidecar.example/go","status":"SENT"}`
	})
	h.get("/")
	h.post("/cart/add", url.Values{"sku": {"KAFFE"}})
	h.post("/checkout", customer)
	ev := func(status, via string) {
		h.shop.Notify(context.Background(), nil, sidecar.Event{CheckoutID: "chk_1", OrderID: "FB-1001", Status: status, Via: via, At: time.Now()})
	}
	ev("CAPTURED", "operation:capture")
	ev("RESERVED", "callback")
	ev("CAPTURED", "callback")
	o, _ := h.shop.orders.get("FB-1001")
	var seen []string
	for _, e := range o.Events {
		seen = append(seen, e.Status+"/"+e.Via)
	}
	if o.Status != "CAPTURED" || strings.Join(seen, " ") != "SENT/checkout CAPTURED/operation:capture" {
		t.Errorf("status %s, events %v", o.Status, seen)
	}
	// An event for a checkout the shop did not make is ignored.
	h.shop.Notify(context.Background(), nil, sidecar.Event{CheckoutID: "chk_other", OrderID: "FB-1001", Status: "CANCELLED"})
	if o, _ := h.shop.orders.get("FB-1001"); o.Status != "CAPTURED" {
		t.Errorf("a foreign event changed the order: %s", o.Status)
	}
}

// TestReturnPageKeepsVersion: loading a return page again changes nothing
// of the order, so its version stays: a page waiting for confirmation
// reloads when the version changes, and two such tabs would otherwise
// reload each other for as long as the payment is unconfirmed.
func TestReturnPageKeepsVersion(t *testing.T) {
	h := newHarness(t, func(r *http.Request, _ string) (int, string) {
		return 201, `{"checkoutId":"chk_1","reservationUuid":"RES1","redirectUrl":"http://sidecar.example/go","status":"SENT"}`
	})
	h.get("/")
	h.post("/cart/add", url.Values{"sku": {"KAFFE"}})
	h.post("/checkout", customer)
	for _, page := range []string{"success", "failure"} {
		path := "/checkout/" + page + "?order=FB-1001&frontgate_checkout=chk_1&frontgate_status=SENT"
		h.get(path)
		first, _ := h.shop.orders.get("FB-1001")
		for range 2 {
			if _, body := h.get(path); page == "success" && !strings.Contains(body, `data-result="waiting"`) {
				t.Fatalf("success page not waiting:\n%s", body)
			}
		}
		if o, _ := h.shop.orders.get("FB-1001"); o.Version != first.Version {
			t.Errorf("%s page loaded twice more: version %d → %d", page, first.Version, o.Version)
		}
	}
}

func TestAssets(t *testing.T) {
	h := newHarness(t, nil)
	for path, ctype := range map[string]string{
		"/static/frontgate.wasm":                 "application/wasm",
		"/static/vendor/browser_wasi_shim.js":    "text/javascript; charset=utf-8",
		"/static/frontgate-browser.js":           "text/javascript; charset=utf-8",
		"/static/checkout.js":                    "text/javascript; charset=utf-8",
		"/static/style.css":                      "text/css; charset=utf-8",
		"/static/vendor/README.md":               "",
		"/static/vendor/LICENSE-MIT":             "",
		"/static/vendor/LICENSE-APACHE":          "",
		"/static/vendor/../../shop.go":           "-",
		"/static/vendor/browser_wasi_shim.js.gz": "-",
	} {
		resp, _ := h.get(path)
		switch {
		case ctype == "-" && resp.StatusCode == 200:
			t.Errorf("%s: served", path)
		case ctype != "-" && resp.StatusCode != 200:
			t.Errorf("%s: %d", path, resp.StatusCode)
		case ctype != "-" && ctype != "" && resp.Header.Get("Content-Type") != ctype:
			t.Errorf("%s: Content-Type %q, want %q", path, resp.Header.Get("Content-Type"), ctype)
		}
	}
	resp, _ := h.get("/")
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self' 'wasm-unsafe-eval'") {
		t.Errorf("CSP %q", csp)
	}
}

// TestCartRefusesBadQuantities: a quantity the cart cannot hold is refused
// with a reason naming the field, never clamped or replaced; the cart stays
// as it was.
func TestCartRefusesBadQuantities(t *testing.T) {
	h := newHarness(t, func(*http.Request, string) (int, string) { return 500, `{}` })
	h.get("/")
	cartQty := func() string {
		_, body := h.get("/cart")
		m := regexp.MustCompile(`name="qty" value="(\d+)" min="0" max="99" aria-label="Antall Kaffe`).FindStringSubmatch(body)
		if m == nil {
			return "none"
		}
		return m[1]
	}
	postPage := func(path string, form url.Values) (int, string) {
		t.Helper()
		f := url.Values{"csrf": {h.csrf}}
		for k, v := range form {
			f[k] = v
		}
		resp, err := h.hc.PostForm(h.url+path, f)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, html.UnescapeString(string(b))
	}
	if r := h.post("/cart/add", url.Values{"sku": {"KAFFE"}, "qty": {"97"}}); r.StatusCode != 303 || cartQty() != "97" {
		t.Fatalf("add 97: %d, cart %s", r.StatusCode, cartQty())
	}
	for _, c := range []struct {
		path string
		form url.Values
		want string
	}{
		{"/cart/add", url.Values{"sku": {"KAFFE"}, "qty": {"3"}}, "plass til 99 av hver vare; du har 97"},
		{"/cart/add", url.Values{"sku": {"KAFFE"}, "qty": {"0"}}, "Antall (qty) må være et helt tall fra 1 til 99"},
		{"/cart/add", url.Values{"sku": {"KAFFE"}, "qty": {"-1"}}, "Antall (qty) må være et helt tall fra 1 til 99"},
		{"/cart/add", url.Values{"sku": {"KAFFE"}, "qty": {"1.5"}}, "Antall (qty) må være et helt tall fra 1 til 99"},
		{"/cart/add", url.Values{"sku": {"KAFFE"}, "qty": {""}}, "Antall (qty) må være et helt tall fra 1 til 99"},
		{"/cart/add", url.Values{"sku": {"NOPE"}}, `Ukjent vare (sku): "NOPE"`},
		{"/cart/update", url.Values{"sku": {"KAFFE"}, "qty": {"100"}}, "fra 0 (fjern) til 99"},
		{"/cart/update", url.Values{"sku": {"KAFFE"}, "qty": {"-2"}}, "fra 0 (fjern) til 99"},
		{"/cart/update", url.Values{"sku": {"KAFFE"}, "qty": {"mange"}}, "fra 0 (fjern) til 99"},
		{"/cart/update", url.Values{"sku": {"NOPE"}, "qty": {"1"}}, `Ukjent vare (sku): "NOPE"`},
	} {
		code, body := postPage(c.path, c.form)
		if code != 400 || !strings.Contains(body, `role="alert" id="cart-problem">`) || !strings.Contains(body, c.want) {
			t.Errorf("%s %v: %d, want 400 saying %q", c.path, c.form, code, c.want)
		}
		if q := cartQty(); q != "97" {
			t.Errorf("%s %v changed the cart to %s", c.path, c.form, q)
		}
	}
	if r := h.post("/cart/update", url.Values{"sku": {"KAFFE"}, "qty": {"99"}}); r.StatusCode != 303 || cartQty() != "99" {
		t.Errorf("update to 99: %d, cart %s", r.StatusCode, cartQty())
	}
	if r := h.post("/cart/update", url.Values{"sku": {"KAFFE"}, "qty": {"0"}}); r.StatusCode != 303 || cartQty() != "none" {
		t.Errorf("update to 0: %d, cart %s", r.StatusCode, cartQty())
	}
}

// TestFailurePageOffersAnotherCard: after a decline (SENT) or a failed 3-D
// Secure challenge (RESERVED NOT PAID, which never goes back to SENT) the
// failure page links to the payment page again.
func TestFailurePageOffersAnotherCard(t *testing.T) {
	for _, st := range []string{"SENT", "RESERVED NOT PAID", "CANCELLED"} {
		t.Run(st, func(t *testing.T) {
			h := newHarness(t, func(r *http.Request, _ string) (int, string) {
				if r.Method == http.MethodPost {
					return 201, `{"checkoutId":"chk_1","reservationUuid":"RES1","redirectUrl":"http://sidecar.example/go","status":"SENT"}`
				}
				return 200, `{"checkoutId":"chk_1","reservationUuid":"RES1","redirectUrl":"http://sidecar.example/go","status":"` + st + `"}`
			})
			h.get("/")
			h.post("/cart/add", url.Values{"sku": {"KAFFE"}})
			h.post("/checkout", customer)
			_, body := h.get("/checkout/failure?order=FB-1001&frontgate_checkout=chk_1&frontgate_status=" + url.QueryEscape(st))
			if got, want := strings.Contains(body, `id="retry"`), st != "CANCELLED"; got != want {
				t.Errorf("retry link shown %v, want %v:\n%s", got, want, body)
			}
		})
	}
}
