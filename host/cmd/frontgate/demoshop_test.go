package main

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// shopper is a browser without JavaScript: a cookie jar that does not
// follow redirects, so each hop can be checked.
type shopper struct {
	t    *testing.T
	hc   *http.Client
	csrf string
}

func newShopper(t *testing.T) *shopper {
	jar, _ := cookiejar.New(nil)
	return &shopper{t: t, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var reCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (s *shopper) do(method, u string, form url.Values) (*http.Response, string) {
	s.t.Helper()
	var body io.Reader
	if form != nil {
		if form.Get("csrf") == "" {
			form.Set("csrf", s.csrf)
		}
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		s.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := reCSRF.FindSubmatch(b); m != nil {
		s.csrf = html.UnescapeString(string(m[1]))
	}
	return resp, string(b)
}

// follow GETs u and follows redirects, returning the last response and the
// URLs passed through.
func (s *shopper) follow(u string) (*http.Response, string, []string) {
	s.t.Helper()
	var hops []string
	for range 10 {
		hops = append(hops, u)
		resp, body := s.do("GET", u, nil)
		if resp.StatusCode/100 != 3 {
			return resp, body, hops
		}
		next, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
		if err != nil {
			s.t.Fatal(err)
		}
		u = next.String()
	}
	s.t.Fatalf("too many redirects: %v", hops)
	return nil, "", nil
}

func fetchBody(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestDemoShopWithoutBrowser walks the demo shop over plain HTTP through
// the binary's wiring: the checkout form's server-side validation, a
// reservation paid on the sandbox's page, the return, the orders page and
// back-office operations, and a refusal shown plainly. It needs no
// browser; TestBrowser covers the JavaScript.
func TestDemoShopWithoutBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts frontgate")
	}
	fg := startFrontgate(t)
	s := newShopper(t)

	if r, body := s.do("GET", fg.Shop+"/", nil); r.StatusCode != 200 || !strings.Contains(body, "Brunost") || s.csrf == "" {
		t.Fatalf("home: %d %q", r.StatusCode, s.csrf)
	}
	for _, sku := range []string{"ULL-SOKK", "BRUNOST", "KINO", "BOK-TOPPER"} {
		if r, _ := s.do("POST", fg.Shop+"/cart/add", url.Values{"sku": {sku}, "qty": {"1"}}); r.StatusCode != 303 {
			t.Fatalf("add %s: %d", sku, r.StatusCode)
		}
	}
	_, cart := s.do("GET", fg.Shop+"/cart", nil)
	for _, want := range []string{"herav mva 25 %", "herav mva 15 %", "herav mva 12 %", "herav mva 0 %", "Frakt", "kr 901,90"} {
		if !strings.Contains(cart, want) {
			t.Errorf("cart lacks %q", want)
		}
	}

	// A forged form is refused.
	if r, _ := s.do("POST", fg.Shop+"/cart/add", url.Values{"sku": {"KAFFE"}, "csrf": {"forged"}}); r.StatusCode != 403 {
		t.Errorf("forged CSRF token: %d, want 403", r.StatusCode)
	}

	customer := url.Values{"type": {"corporate"}, "name": {"Fjordtech AS"}, "organizationId": {"91234567x"},
		"email": {"innkjop@fjordtech"}, "countryCode": {"+47"}, "msisdn": {"22 33 44 55"},
		"street": {"Bryggen 7"}, "zip": {"5003"}, "city": {"Bergen"}, "country": {"NO"}}
	s.do("GET", fg.Shop+"/checkout", nil)
	r, body := s.do("POST", fg.Shop+"/checkout", customer)
	if r.StatusCode != 200 {
		t.Fatalf("invalid checkout: %d", r.StatusCode)
	}
	for _, want := range []string{`id="email-error" aria-live="polite">must be a valid e-mail address`,
		`id="organizationId-error" aria-live="polite">must contain digits only`} {
		if !strings.Contains(body, want) {
			t.Errorf("checkout page lacks %q", want)
		}
	}

	customer.Set("organizationId", "912345678")
	customer.Set("email", "innkjop@fjordtech.example")
	r, _ = s.do("POST", fg.Shop+"/checkout", customer)
	if r.StatusCode != 303 || !strings.HasPrefix(r.Header.Get("Location"), fg.API+"/v1/checkouts/") {
		t.Fatalf("checkout: %d → %q", r.StatusCode, r.Header.Get("Location"))
	}
	// The same submission again (a double click) is the same checkout.
	r2, _ := s.do("POST", fg.Shop+"/checkout", customer)
	if r2.Header.Get("Location") != r.Header.Get("Location") {
		t.Errorf("resubmission: %q, want %q", r2.Header.Get("Location"), r.Header.Get("Location"))
	}
	checkoutLink := r.Header.Get("Location")
	id := regexp.MustCompile(`"id":"(FB-\d+)"`).FindStringSubmatch(fetchBody(t, fg.Shop+"/admin/orders/status"))[1]
	op := func(name string, form url.Values) string {
		t.Helper()
		form.Set("nonce", name+time.Now().Format("150405.000000"))
		if r, _ := s.do("POST", fg.Shop+"/admin/orders/"+id+"/"+name, form); r.StatusCode != 303 {
			t.Fatalf("%s: %d", name, r.StatusCode)
		}
		_, page := s.do("GET", fg.Shop+"/admin/orders", nil)
		m := regexp.MustCompile(`(?s)<div class="outcome (ok|bad)" role="status" data-outcome="` + name + `">\s*(.*?)</div>`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("%s: no outcome on the orders page", name)
		}
		return m[1] + ": " + html.UnescapeString(strings.Join(strings.Fields(m[2]), " "))
	}
	// While the shopper has not paid, the link can be sent again.
	s.do("GET", fg.Shop+"/admin/orders", nil)
	if got := op("resend", url.Values{"via": {"email"}, "email": {"innkjop@fjordtech.example"}}); !strings.Contains(got, "ok: <strong>resend</strong>") || !strings.Contains(got, "Payment link sent to innkjop@fjordtech.example") {
		t.Errorf("resend: %s", got)
	}

	r, _, hops := s.follow(checkoutLink)
	payURL := hops[len(hops)-1]
	if r.StatusCode != 200 || !strings.Contains(payURL, "/checkout/RES") {
		t.Fatalf("payment page: %d %v", r.StatusCode, hops)
	}
	uuid := payURL[strings.LastIndex(payURL, "/")+1:]
	r, _ = s.do("POST", payURL, url.Values{"action": {"pay"}, "via": {"visa"}, "number": {"4111 1111 1111 1111"}, "exp": {"12/30"}, "cvc": {"123"}})
	if r.StatusCode != 303 {
		t.Fatalf("pay: %d", r.StatusCode)
	}
	_, body, hops = s.follow(r.Header.Get("Location"))
	if !strings.Contains(hops[len(hops)-1], fg.Shop+"/checkout/success?") || !strings.Contains(body, `data-result="success"`) ||
		!strings.Contains(body, ">RESERVED<") || !strings.Contains(body, "org.nr. 912345678") {
		t.Fatalf("success page via %v:\n%s", hops, body)
	}
	if got := regexp.MustCompile(`id="order-id">([^<]+)<`).FindStringSubmatch(body)[1]; got != id {
		t.Errorf("success page for order %s, want %s", got, id)
	}
	if _, cart := s.do("GET", fg.Shop+"/cart", nil); !strings.Contains(cart, `id="empty-cart"`) {
		t.Error("the cart was not emptied after payment")
	}

	// Back office: full capture, a cancel the status forbids, charges.
	_, page := s.do("GET", fg.Shop+"/admin/orders", nil)
	if !strings.Contains(page, uuid) {
		t.Fatalf("orders page lacks reservation %s", uuid)
	}
	if got := op("capture", url.Values{"mode": {"full"}}); !strings.HasPrefix(got, "ok: <strong>capture</strong>") || !strings.Contains(got, "Captured kr 901,90 (CAP") {
		t.Errorf("capture: %s", got)
	}
	fg.waitOrderStatus(t, id, "CAPTURED", 10*time.Second)
	if got := op("cancel", url.Values{}); !strings.HasPrefix(got, "bad:") || !strings.Contains(got, "Refused (409, ") {
		t.Errorf("cancel after capture: %s", got)
	}
	if got := op("charge", url.Values{"name": {"Ekstra frakt"}, "amount": {"12,345"}, "taxRate": {"25"}}); !strings.HasPrefix(got, "bad:") || !strings.Contains(got, "at most two decimals") {
		t.Errorf("charge with a bad amount: %s", got)
	}
	if got := op("charge", url.Values{"name": {"Ekstra frakt"}, "amount": {"49"}, "taxRate": {"25"}}); !strings.HasPrefix(got, "ok:") || !strings.Contains(got, "Charged kr 49,00 (CHA") {
		t.Errorf("charge: %s", got)
	}
}
