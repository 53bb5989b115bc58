package webhook

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontgate/frontgate/host/signature"
)

func signedRequest(t *testing.T, body string, at time.Time, secrets ...[]byte) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(body))
	r.Header.Set(signature.WebhookHeader, signature.SignWebhook([]byte(body), at, secrets...))
	return r
}

func TestVerifier(t *testing.T) {
	now := time.Unix(1_772_366_400, 0)
	old := []byte("old-secret-old-secret-old-secret")
	body := `{"id":"e1","type":"reservation.reserved","status":"RESERVED","orderId":"42"}`
	tests := []struct {
		name string
		req  func() *http.Request
		v    Verifier
		want error // nil: valid
	}{
		{"valid", func() *http.Request { return signedRequest(t, body, now, testSecret) }, Verifier{}, nil},
		{"valid within tolerance", func() *http.Request { return signedRequest(t, body, now.Add(-4*time.Minute), testSecret) }, Verifier{}, nil},
		{"rotation: signed with the old secret", func() *http.Request { return signedRequest(t, body, now, old) },
			Verifier{Secrets: [][]byte{testSecret, old}}, nil},
		{"tampered body", func() *http.Request {
			r := signedRequest(t, body, now, testSecret)
			r.Body = httptestBody(strings.Replace(body, "42", "43", 1))
			return r
		}, Verifier{}, signature.ErrInvalid},
		{"wrong secret", func() *http.Request { return signedRequest(t, body, now, old) }, Verifier{}, signature.ErrInvalid},
		{"too old", func() *http.Request { return signedRequest(t, body, now.Add(-6*time.Minute), testSecret) }, Verifier{}, signature.ErrExpired},
		{"custom tolerance", func() *http.Request { return signedRequest(t, body, now.Add(-6*time.Minute), testSecret) },
			Verifier{Tolerance: 10 * time.Minute}, nil},
		{"no header", func() *http.Request { return httptest.NewRequest("POST", "/", strings.NewReader(body)) }, Verifier{}, signature.ErrMalformed},
		{"too large", func() *http.Request { return signedRequest(t, body, now, testSecret) }, Verifier{MaxBodyBytes: 10}, ErrTooLarge},
		{"event id header differs", func() *http.Request {
			r := signedRequest(t, body, now, testSecret)
			r.Header.Set(HeaderEventID, "e2")
			return r
		}, Verifier{}, signature.ErrMalformed},
		{"not JSON", func() *http.Request { return signedRequest(t, "id=e1", now, testSecret) }, Verifier{}, signature.ErrMalformed},
		{"no id", func() *http.Request { return signedRequest(t, `{"type":"x"}`, now, testSecret) }, Verifier{}, signature.ErrMalformed},
		{"no secret", func() *http.Request { return signedRequest(t, body, now, testSecret) }, Verifier{Secrets: [][]byte{}}, signature.ErrNoKey},
		// A secret not set yet (an empty environment variable) is skipped.
		{"an empty secret first", func() *http.Request { return signedRequest(t, body, now, testSecret) },
			Verifier{Secrets: [][]byte{nil, testSecret}}, nil},
		{"only empty secrets", func() *http.Request { return signedRequest(t, body, now, testSecret) },
			Verifier{Secrets: [][]byte{nil, {}}}, signature.ErrNoKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := tc.v
			if v.Secrets == nil {
				v.Secrets = [][]byte{testSecret}
			}
			v.Now = func() time.Time { return now }
			p, _, err := v.Verify(tc.req())
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
			if err == nil && (p.ID != "e1" || p.Status != "RESERVED" || p.OrderID != "42") {
				t.Fatalf("payload %+v", p)
			}
		})
	}
}

func httptestBody(s string) *readCloser { return &readCloser{strings.NewReader(s)} }

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }

func TestHandler(t *testing.T) {
	now := time.Now()
	v := &Verifier{Secrets: [][]byte{testSecret}}
	dd := NewDeduper(time.Hour, 10)
	var applied []string
	fail := true
	h := Handler(v, dd, func(_ context.Context, p *Payload) error {
		if p.OrderID == "fails-once" && fail {
			fail = false
			return errors.New("database down")
		}
		applied = append(applied, p.ID)
		return nil
	})
	serve := func(r *http.Request) string {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return fmt.Sprintf("%d %s", w.Code, strings.TrimSpace(w.Body.String()))
	}
	b1 := `{"id":"e1","orderId":"1"}`
	b2 := `{"id":"e2","orderId":"fails-once"}`
	steps := []struct {
		req  *http.Request
		want string
	}{
		{signedRequest(t, b1, now, testSecret), `200 {"result":"applied"}`},
		{signedRequest(t, b1, now, testSecret), `200 {"result":"duplicate"}`},
		{signedRequest(t, b2, now, testSecret), "500 could not apply the event"},
		{signedRequest(t, b2, now, testSecret), `200 {"result":"applied"}`},
		{signedRequest(t, b1, now, []byte("wrong-secret-wrong-secret-wrong!")), "401 invalid signature"},
		{signedRequest(t, b1, now.Add(-time.Hour), testSecret), "401 invalid signature"},
		{httptest.NewRequest("GET", "/hook", nil), "405 method not allowed"},
		{httptest.NewRequest("POST", "/hook", strings.NewReader(b1)), "400 malformed webhook"},
		{signedRequest(t, strings.Repeat(" ", DefaultMaxBodyBytes)+b1, now, testSecret), "413 body too large"},
	}
	for i, s := range steps {
		if got := serve(s.req); got != s.want {
			t.Errorf("step %d: %s, want %s", i, got, s.want)
		}
	}
	if strings.Join(applied, ",") != "e1,e2" {
		t.Fatalf("applied %v", applied)
	}
}

// TestHandlerAcksOnlyApplied: a retry that arrives while the first
// delivery of the event is still being applied is told to come back (409),
// not acknowledged: the first may yet fail, and then the event would be
// lost. A panicking apply gives its claim back like a failing one.
func TestHandlerAcksOnlyApplied(t *testing.T) {
	now := time.Now()
	v := &Verifier{Secrets: [][]byte{testSecret}}
	dd := NewDeduper(time.Hour, 10)
	started, release := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	h := Handler(v, dd, func(_ context.Context, p *Payload) error {
		switch calls.Add(1) {
		case 1: // slow, then fails
			close(started)
			<-release
			return errors.New("database down")
		case 2:
			panic("a bug in the shop's apply")
		}
		return nil
	})
	body := `{"id":"e9","orderId":"9"}`
	first := make(chan int)
	go func() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, signedRequest(t, body, now, testSecret))
		first <- w.Code
	}()
	<-started
	w := httptest.NewRecorder()
	h.ServeHTTP(w, signedRequest(t, body, now, testSecret))
	if w.Code != 409 || w.Header().Get("Retry-After") == "" {
		t.Fatalf("a retry while the first is applied: %d %q, want 409 with Retry-After", w.Code, w.Body.String())
	}
	close(release)
	if code := <-first; code != 500 {
		t.Fatalf("the slow first delivery: %d, want 500", code)
	}
	for i, want := range []string{"500", "200"} { // the panic, then the apply that works
		w := httptest.NewRecorder()
		h.ServeHTTP(w, signedRequest(t, body, now, testSecret))
		if got := strconv.Itoa(w.Code); got != want {
			t.Fatalf("retry %d: %s %s, want %s", i, got, w.Body.String(), want)
		}
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, signedRequest(t, body, now, testSecret))
	if w.Code != 200 || !strings.Contains(w.Body.String(), "duplicate") {
		t.Fatalf("after it was applied: %d %s", w.Code, w.Body.String())
	}
}

func TestDeduperBounds(t *testing.T) {
	d := NewDeduper(time.Minute, 3)
	now := time.Unix(0, 0)
	d.now = func() time.Time { return now }
	for _, id := range []string{"a", "b", "c"} {
		if !d.Claim(id) {
			t.Fatalf("first Claim(%s) refused", id)
		}
	}
	if d.Claim("a") {
		t.Fatal("second Claim(a) accepted")
	}
	d.Claim("d") // over the cap: a is forgotten
	if !d.Claim("a") {
		t.Fatal("a still remembered past the cap")
	}
	now = now.Add(2 * time.Minute)
	if !d.Claim("d") {
		t.Fatal("d still remembered past the TTL")
	}
	d.Release("d")
	if !d.Claim("d") {
		t.Fatal("Release did not forget d")
	}
}
