package sandbox

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/frontgate/frontgate/plugin/callback"
	"github.com/frontgate/frontgate/plugin/reservation"
)

const (
	successURL = "https://shop.example/return?o=42&r=ok"
	failureURL = "https://shop.example/return?o=42&r=failed"
)

// session creates a reservation with redirect URLs and a callback to rc.
func (f *fixture) session(rc *receiver, lines []testLine) *reservation.Created {
	f.t.Helper()
	nr := order(f.t, lines, "")
	if rc != nil {
		nr.CallbackURL = rc.url()
	}
	nr.SuccessURL, nr.FailureURL = successURL, failureURL
	return f.create(reservation.OpCreate, nr)
}

// page GETs a checkout URL.
func (f *fixture) page(u string) (int, string) {
	f.t.Helper()
	resp, err := f.hc.Get(u)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		f.t.Errorf("content type %q", ct)
	}
	return resp.StatusCode, string(b)
}

// post submits the checkout form.
func (f *fixture) post(u string, form url.Values) (*http.Response, string) {
	f.t.Helper()
	resp, err := f.hc.PostForm(u, form)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func payForm(number string) url.Values {
	return url.Values{"action": {"pay"}, "number": {number}, "exp": {"12/30"}, "cvc": {"123"}, "holder": {"Kari Nordmann"}, "via": {"visa"}}
}

func TestCheckoutApproveOverHTTP(t *testing.T) {
	f := newFixture(t)
	rc := newReceiver(t)
	c := f.session(rc, defaultLines)

	code, html := f.page(c.URL)
	if code != 200 {
		t.Fatalf("page %d", code)
	}
	for _, want := range []string{"Double room", "Breakfast", "NOK 2449.85", `name="number"`, `action="/checkout/` + c.ReservationUUID + `"`, "4111111111111111"} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "<link", " src=", "http://", "https://"} {
		if strings.Contains(html, bad) {
			t.Errorf("page refers to %q: no external assets or scripts allowed", bad)
		}
	}

	resp, _ := f.post(c.URL, payForm("4111 1111 1111 1111"))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != successURL {
		t.Fatalf("approve: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	d := f.details(c.ReservationUUID)
	if d.Status != "RESERVED" {
		t.Fatalf("status %s", d.Status)
	}

	// Capture and charge call back too.
	cp := f.mustCapture(c.ReservationUUID, la(d.Products[0].ID, amt(t, "1000.00")))
	f.mustCharge(c.ReservationUUID, amt(t, "99.50"))
	recs := waitCallbacks(t, f.sb, 3)
	hits := rc.requests()
	if len(hits) != 3 {
		t.Fatalf("%d callbacks received", len(hits))
	}
	want := []struct{ status, amount string }{{"RESERVED", "2449.85"}, {"CAPTURED", "1000.00"}, {"CHARGED", "99.50"}}
	for i, u := range hits {
		if u.Path != "/frontgo/callback" {
			t.Errorf("path %q", u.Path)
		}
		p := verify(t, u, f.sb.Now())
		if p.OrderUUID != c.ReservationUUID || p.Status != want[i].status || p.Amount != want[i].amount || p.PaymentMethod != "Visa" {
			t.Errorf("callback %d: %+v", i, p)
		}
		if p.Timestamp != "1756893600" || p.CreatedAt != "1756893600" {
			t.Errorf("times %s %s", p.CreatedAt, p.Timestamp)
		}
		// The merchant's own parameters come first and are signed too.
		if p.Pairs[0] != (callback.Pair{Key: "shop", Value: "demo"}) || p.Pairs[1] != (callback.Pair{Key: "order", Value: "42"}) {
			t.Errorf("merchant parameters %+v", p.Pairs[:2])
		}
		if !recs[i].Delivered || recs[i].Attempts != 1 || recs[i].HTTPStatus != 200 || recs[i].Status != want[i].status {
			t.Errorf("record %+v", recs[i])
		}
	}
	_ = cp

	// A paid reservation's page says so; paying again is refused.
	if code, html := f.page(c.URL); code != 200 || !strings.Contains(html, "paid") {
		t.Errorf("paid page %d", code)
	}
	if resp, _ := f.post(c.URL, payForm("4111111111111111")); resp.StatusCode != http.StatusConflict {
		t.Errorf("second payment: %d", resp.StatusCode)
	}
}

func TestCheckoutDeclines(t *testing.T) {
	f := newFixture(t)
	rc := newReceiver(t)
	for _, card := range []string{"4000000000000002", "4000 0000 0000 9995", "4000-0000-0000-0069", "4000000000000119", "378282246310005"} {
		c := f.session(rc, defaultLines)
		resp, _ := f.post(c.URL, payForm(card))
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != failureURL {
			t.Errorf("%s: %d %q", card, resp.StatusCode, resp.Header.Get("Location"))
		}
		if d := f.details(c.ReservationUUID); d.Status != "SENT" {
			t.Errorf("%s: status %s", card, d.Status)
		}
		// The shopper may try again with another card.
		if resp, _ := f.post(c.URL, payForm("5555555555554444")); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != successURL {
			t.Errorf("%s, then approved: %d", card, resp.StatusCode)
		}
	}
	// Only the approvals called back.
	recs := waitCallbacks(t, f.sb, 5)
	if len(recs) != 5 || len(rc.requests()) != 5 {
		t.Errorf("%d records, %d requests", len(recs), len(rc.requests()))
	}

	// A past expiry date declines as an expired card.
	c := f.session(nil, defaultLines)
	form := payForm("4111111111111111")
	form.Set("exp", "08/25")
	if resp, _ := f.post(c.URL, form); resp.Header.Get("Location") != failureURL {
		t.Errorf("expired card: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestCheckoutSubmitPages(t *testing.T) {
	f := newFixture(t)
	c := f.create(reservation.OpSubmit, order(t, defaultLines, ""))
	resp, html := f.post(c.URL, payForm("4000000000000002"))
	if resp.StatusCode != http.StatusPaymentRequired || !strings.Contains(html, "declined by its issuer") || !strings.Contains(html, `href="/checkout/`+c.ReservationUUID+`"`) {
		t.Errorf("decline page %d\n%s", resp.StatusCode, html)
	}
	resp, html = f.post(c.URL, payForm("4111111111111111"))
	if resp.StatusCode != 200 || !strings.Contains(html, "Payment approved") {
		t.Errorf("done page %d", resp.StatusCode)
	}
}

func TestCheckoutChallenge(t *testing.T) {
	f := newFixture(t)
	rc := newReceiver(t)
	for _, pass := range []bool{true, false} {
		c := f.session(rc, defaultLines)
		resp, html := f.post(c.URL, payForm(CardChallenge))
		if resp.StatusCode != 200 || !strings.Contains(html, "3-D Secure") {
			t.Fatalf("challenge page %d", resp.StatusCode)
		}
		if d := f.details(c.ReservationUUID); d.Status != "RESERVED NOT PAID" {
			t.Fatalf("status %s", d.Status)
		}
		if code, html := f.page(c.URL); code != 200 || !strings.Contains(html, "challenge-pass") {
			t.Errorf("page while challenged: %d", code)
		}
		action, want, status := "challenge-fail", failureURL, "RESERVED NOT PAID"
		if pass {
			action, want, status = "challenge-pass", successURL, "RESERVED"
		}
		resp, _ = f.post(c.URL, url.Values{"action": {action}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Errorf("%s: %d %q", action, resp.StatusCode, resp.Header.Get("Location"))
		}
		if d := f.details(c.ReservationUUID); d.Status != status {
			t.Errorf("%s: status %s", action, d.Status)
		}
		if pass {
			continue
		}
		// After a failed challenge the page takes another card (the status
		// never goes back to SENT), and that card reserves.
		if code, html := f.page(c.URL); code != 200 || strings.Contains(html, "challenge-pass") || !strings.Contains(html, `name="number"`) {
			t.Errorf("page after a failed challenge: %d\n%s", code, html)
		}
		if _, err := f.sb.Challenge(c.ReservationUUID, true); !errors.Is(err, ErrNotPayable) {
			t.Errorf("challenge after it failed: %v", err)
		}
		if resp, _ = f.post(c.URL, payForm(CardApprove)); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != successURL {
			t.Errorf("second card: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if d := f.details(c.ReservationUUID); d.Status != "RESERVED" {
			t.Errorf("second card: status %s", d.Status)
		}
	}
	if recs := waitCallbacks(t, f.sb, 2); len(recs) != 2 || recs[0].Status != "RESERVED" || recs[1].Status != "RESERVED" {
		t.Errorf("records %+v", recs)
	}
	// The control API does the same.
	c := f.session(nil, defaultLines)
	if out, err := f.sb.Approve(c.ReservationUUID, CardChallenge); out != OutcomeChallenge || err != nil {
		t.Fatal(out, err)
	}
	if out, err := f.sb.Challenge(c.ReservationUUID, true); out != OutcomeApproved || err != nil {
		t.Fatal(out, err)
	}
	if _, err := f.sb.Challenge(c.ReservationUUID, true); !errors.Is(err, ErrNotPayable) {
		t.Errorf("second challenge: %v", err)
	}
}

func TestCheckoutEscapesAndValidates(t *testing.T) {
	f := newFixture(t)
	lines := []testLine{{`<script>alert("x")</script>`, "10.00", 1, 25}}
	nr := order(t, lines, "")
	nr.Customer.Name = `Kari "<b>" O'Hara & co`
	c := f.create(reservation.OpSubmit, nr)
	_, html := f.page(c.URL)
	if strings.Contains(html, "<script>") || strings.Contains(html, "<b>") {
		t.Fatalf("user data not escaped:\n%s", html)
	}
	if !strings.Contains(html, "&lt;script&gt;") || !strings.Contains(html, "&amp; co") {
		t.Errorf("escaped text missing")
	}
	for _, tc := range []struct {
		field, value, msg string
	}{
		{"number", "4111 1111 1111 1112", "valid card number"},
		{"number", "abc", "valid card number"},
		{"exp", "13/30", "MM/YY"},
		{"exp", "", "MM/YY"},
		{"cvc", "12", "security code"},
	} {
		form := payForm("4111111111111111")
		form.Set(tc.field, tc.value)
		resp, html := f.post(c.URL, form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, tc.msg) {
			t.Errorf("%s=%q: %d", tc.field, tc.value, resp.StatusCode)
		}
	}
	// Typed values come back escaped.
	form := payForm(`"><b>x`)
	_, html = f.post(c.URL, form)
	if strings.Contains(html, `"><b>x`) {
		t.Error("typed card number echoed unescaped")
	}
	if _, err := f.sb.Approve(c.ReservationUUID, "1234"); !errors.Is(err, ErrInvalidCard) {
		t.Errorf("invalid card: %v", err)
	}
}

func TestCheckoutPageStates(t *testing.T) {
	f := newFixture(t)
	if code, _ := f.page(f.base + CheckoutPath + "RES1234567890"); code != 404 {
		t.Errorf("unknown: %d", code)
	}
	if code, _ := f.page(f.base + CheckoutPath + "<x>"); code != 404 {
		t.Errorf("garbage: %d", code)
	}
	c := f.create(reservation.OpSubmit, order(t, defaultLines, ""))
	f.mustAck("cancel", "GET", c.ReservationUUID, noteBody("x"))
	if code, html := f.page(c.URL); code != 410 || !strings.Contains(html, "cancelled") {
		t.Errorf("cancelled: %d", code)
	}
	if resp, _ := f.post(c.URL, payForm("4111111111111111")); resp.StatusCode != 410 {
		t.Errorf("paying a cancelled reservation: %d", resp.StatusCode)
	}
	nr := order(t, defaultLines, "")
	nr.DueDateForPaymentLink = t0.Unix()
	e := f.create(reservation.OpSubmit, nr)
	f.sb.AdvanceClock(1e9)
	if code, html := f.page(e.URL); code != 410 || !strings.Contains(html, "expired") {
		t.Errorf("expired: %d", code)
	}
	req, _ := http.NewRequest("PUT", c.URL, nil)
	if resp, err := f.hc.Do(req); err != nil || resp.StatusCode != 405 {
		t.Errorf("PUT: %v %v", resp, err)
	}
	if code, html := f.page(f.base + "/"); code != 200 || !strings.Contains(html, f.base+"/api/v1") {
		t.Errorf("index %d", code)
	}
}

func TestCallbackSchemes(t *testing.T) {
	for _, sc := range []callback.Scheme{callback.SchemeOrderedParams, callback.SchemeLegacyV1, callback.SchemeLegacyV2} {
		t.Run(sc.String(), func(t *testing.T) {
			f := newFixture(t, func(c *Config) { c.Scheme = sc })
			rc := newReceiver(t)
			c := f.session(rc, defaultLines)
			f.approve(c.ReservationUUID, "")
			waitCallbacks(t, f.sb, 1)
			u := rc.requests()[0]
			cfg := callback.DefaultVerifyConfig()
			cfg.Scheme = sc
			if _, err := callback.Verify(u.RawQuery, []byte(testSecret), cfg, f.sb.Now()); err != nil {
				t.Fatal(err)
			}
			cfg.Scheme = (sc + 1) % 3
			if _, err := callback.Verify(u.RawQuery, []byte(testSecret), cfg, f.sb.Now()); !errors.Is(err, callback.ErrChecksumMismatch) {
				t.Errorf("verified under another scheme: %v", err)
			}
		})
	}
	t.Run("status success", func(t *testing.T) {
		f := newFixture(t, func(c *Config) { c.CallbackStatusSuccess = true })
		rc := newReceiver(t)
		f.approve(f.session(rc, defaultLines).ReservationUUID, "")
		waitCallbacks(t, f.sb, 1)
		if p := verify(t, rc.requests()[0], f.sb.Now()); p.Status != "success" {
			t.Errorf("status %q", p.Status)
		}
	})
}
