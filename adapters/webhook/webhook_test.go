package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontgate/frontgate/host/sidecar"
	"github.com/frontgate/frontgate/host/signature"
)

var testSecret = []byte("whsec-0123456789abcdef0123456789abcdef")

func testEvent(i int, status string) sidecar.Event {
	return sidecar.Event{Type: "reservation." + strings.ToLower(status), Shop: "shop1", OrderID: strconv.Itoa(1000 + i),
		CheckoutID: "chk_" + strconv.Itoa(i), ReservationUUID: fmt.Sprintf("RSRV%08d", i), Status: status,
		PreviousStatus: "SENT", Via: "callback", At: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		Details: json.RawMessage(`{"status":"` + status + `","grandTotal":29900}`)}
}

// receiver is a shop's webhook endpoint on 127.0.0.1 that verifies every
// request and answers what script says for the n-th request (1-based).
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	now    func() time.Time
	script func(n int, r *http.Request) int

	mu       sync.Mutex
	n        int
	acked    map[string]int // event id → 2xx answers
	attempts []string       // Frontgate-Attempt headers in order
	bad      []string       // verification failures
}

func newReceiver(t *testing.T, now func() time.Time, script func(n int, r *http.Request) int) *receiver {
	t.Helper()
	rc := &receiver{t: t, now: now, script: script, acked: map[string]int{}}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	v := &Verifier{Secrets: [][]byte{testSecret}, Now: rc.now}
	p, _, err := v.Verify(r)
	rc.mu.Lock()
	rc.n++
	n := rc.n
	rc.attempts = append(rc.attempts, r.Header.Get(HeaderAttempt))
	if err != nil {
		rc.bad = append(rc.bad, err.Error())
	}
	rc.mu.Unlock()
	if err != nil {
		w.WriteHeader(401)
		return
	}
	code := 200
	if rc.script != nil {
		code = rc.script(n, r)
	}
	if code >= 200 && code < 300 {
		rc.mu.Lock()
		rc.acked[p.ID]++
		rc.mu.Unlock()
	}
	w.WriteHeader(code)
}

func (rc *receiver) requests() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.n
}

func (rc *receiver) dest() DestinationFunc {
	return func(*sidecar.ShopConfig) (Destination, error) {
		return Destination{URL: rc.srv.URL + "/hook", Secrets: [][]byte{testSecret}}, nil
	}
}

var shop1 = &sidecar.ShopConfig{ID: "shop1"}

// fastConfig retries after a millisecond or two.
func fastConfig(d DestinationFunc) Config {
	return Config{Destination: d, Backoff: Backoff{Initial: time.Millisecond, Max: 2 * time.Millisecond},
		AttemptTimeout: 2 * time.Second}
}

func start(t *testing.T, cfg Config) *Notifier {
	t.Helper()
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = n.Close(ctx)
	})
	return n
}

func closeNow(t *testing.T, n *Notifier) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := n.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func TestDeliverySignedAndVerifiable(t *testing.T) {
	var got struct {
		sync.Mutex
		header http.Header
		body   []byte
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Lock()
		defer got.Unlock()
		got.header = r.Header.Clone()
		got.body, _ = io.ReadAll(r.Body)
	}))
	defer srv.Close()
	n := start(t, Config{Destination: func(*sidecar.ShopConfig) (Destination, error) {
		return Destination{URL: srv.URL, Secrets: [][]byte{testSecret}}, nil
	}})
	ev := testEvent(1, "RESERVED")
	if err := n.Notify(context.Background(), shop1, ev); err != nil {
		t.Fatal(err)
	}
	closeNow(t, n)

	got.Lock()
	defer got.Unlock()
	id := EventID(ev.ReservationUUID, ev.Status)
	for k, want := range map[string]string{"Content-Type": "application/json", HeaderEventID: id,
		HeaderEventType: "reservation.reserved", HeaderAttempt: "1", "User-Agent": "frontgate-webhook/1"} {
		if g := got.header.Get(k); g != want {
			t.Errorf("header %s = %q, want %q", k, g, want)
		}
	}
	if err := signature.VerifyWebhook(got.header.Get(signature.WebhookHeader), got.body, testSecret, 0, time.Now()); err != nil {
		t.Fatalf("signature: %v", err)
	}
	want := `{"id":"` + id + `","type":"reservation.reserved","shop":"shop1","orderId":"1001","checkoutId":"chk_1",` +
		`"reservationUuid":"RSRV00000001","status":"RESERVED","previousStatus":"SENT","via":"callback",` +
		`"at":"2026-03-01T12:00:00Z","details":{"status":"RESERVED","grandTotal":29900}}`
	if string(got.body) != want {
		t.Fatalf("body\n got %s\nwant %s", got.body, want)
	}
	if s := n.Stats(); s != (Stats{Queued: 1, Attempts: 1, Delivered: 1}) {
		t.Fatalf("stats %+v", s)
	}
}

func TestEventID(t *testing.T) {
	// sha256("RSRV1:RESERVED"), as `printf %s RSRV1:RESERVED | sha256sum`
	// prints it; the PHP plugin computes the same id (its tests check this
	// value too).
	if got, want := EventID("RSRV1", "RESERVED"), "7cfdcebb9a217491da3e95eff2bbb6be69887a4eadb09a055f36f17e16c182c7"; got != want {
		t.Fatalf("EventID = %s, want %s", got, want)
	}
	if EventID("RSRV1", "RESERVED") == EventID("RSRV1", "CAPTURED") {
		t.Fatal("ids collide")
	}
}

func TestRetriesOn500UntilSuccess(t *testing.T) {
	rc := newReceiver(t, nil, func(n int, _ *http.Request) int {
		if n <= 2 {
			return 500
		}
		return 204
	})
	var delivered []Delivery
	var mu sync.Mutex
	cfg := fastConfig(rc.dest())
	cfg.OnDelivered = func(d Delivery) { mu.Lock(); delivered = append(delivered, d); mu.Unlock() }
	n := start(t, cfg)
	if err := n.Notify(context.Background(), shop1, testEvent(1, "CAPTURED")); err != nil {
		t.Fatal(err)
	}
	closeNow(t, n)
	if got := strings.Join(rc.attempts, ","); got != "1,2,3" {
		t.Fatalf("attempt headers %s, want 1,2,3", got)
	}
	if len(delivered) != 1 || delivered[0].Attempts != 3 || delivered[0].LastError != "" {
		t.Fatalf("delivered %+v", delivered)
	}
	if s := n.Stats(); s.Failures != 2 || s.Delivered != 1 || s.GivenUp != 0 || s.Pending != 0 {
		t.Fatalf("stats %+v", s)
	}
}

func TestRetriesAfterTimeout(t *testing.T) {
	rc := newReceiver(t, nil, func(n int, r *http.Request) int {
		if n == 1 {
			select { // hang past the attempt timeout
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}
		return 200
	})
	cfg := fastConfig(rc.dest())
	cfg.AttemptTimeout = 100 * time.Millisecond
	n := start(t, cfg)
	if err := n.Notify(context.Background(), shop1, testEvent(2, "RESERVED")); err != nil {
		t.Fatal(err)
	}
	closeNow(t, n)
	if s := n.Stats(); s.Attempts != 2 || s.Failures != 1 || s.Delivered != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestRetriesWhenUnreachable(t *testing.T) {
	// A port nothing listens on, then the real receiver.
	rc := newReceiver(t, nil, nil)
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	var calls atomic.Int32
	cfg := fastConfig(func(*sidecar.ShopConfig) (Destination, error) {
		return Destination{URL: rc.srv.URL, Secrets: [][]byte{testSecret}}, nil
	})
	cfg.Client = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if calls.Add(1) == 1 {
			r2 := r.Clone(r.Context())
			r2.URL.Host = strings.TrimPrefix(deadURL, "http://")
			return http.DefaultTransport.RoundTrip(r2)
		}
		return http.DefaultTransport.RoundTrip(r)
	})}
	n := start(t, cfg)
	if err := n.Notify(context.Background(), shop1, testEvent(3, "RESERVED")); err != nil {
		t.Fatal(err)
	}
	closeNow(t, n)
	if s := n.Stats(); s.Attempts != 2 || s.Delivered != 1 || rc.requests() != 1 {
		t.Fatalf("stats %+v, receiver saw %d", s, rc.requests())
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	rc := newReceiver(t, nil, func(int, *http.Request) int { return 503 })
	var gaveUp []string
	var mu sync.Mutex
	cfg := fastConfig(rc.dest())
	cfg.MaxAttempts = 4
	cfg.OnGiveUp = func(d Delivery, err error) {
		mu.Lock()
		defer mu.Unlock()
		gaveUp = append(gaveUp, fmt.Sprintf("%s %d %v", d.Order, d.Attempts, err))
	}
	n := start(t, cfg)
	if err := n.Notify(context.Background(), shop1, testEvent(4, "RESERVED")); err != nil {
		t.Fatal(err)
	}
	closeNow(t, n)
	if want := "1004 4 4 attempts failed, the last: the shop answered 503"; len(gaveUp) != 1 || gaveUp[0] != want {
		t.Fatalf("gave up %q, want [%q]", gaveUp, want)
	}
	if rc.requests() != 4 {
		t.Fatalf("receiver saw %d requests, want 4", rc.requests())
	}
	if s := n.Stats(); s.GivenUp != 1 || s.Delivered != 0 || s.Pending != 0 {
		t.Fatalf("stats %+v", s)
	}
}

// instantClock advances by whatever is waited for, at once: backoff
// sleeping switched off, with time still adding up.
type instantClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *instantClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *instantClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.t
	return ch
}

func TestGivesUpAfterMaxAge(t *testing.T) {
	clock := &instantClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	rc := newReceiver(t, clock.Now, func(int, *http.Request) int { return 500 })
	var gaveUp error
	cfg := Config{Destination: rc.dest(), Clock: clock, Workers: 1, MaxAttempts: 1000, MaxAge: time.Hour,
		Backoff: Backoff{Initial: time.Minute, Max: 16 * time.Minute}, Rand: func() float64 { return 1 },
		OnGiveUp: func(_ Delivery, err error) { gaveUp = err }}
	n := start(t, cfg)
	if err := n.Notify(context.Background(), shop1, testEvent(5, "RESERVED")); err != nil {
		t.Fatal(err)
	}
	closeNow(t, n)
	// Waits 1+2+4+8+16+16 = 47 min; the next 16 would pass the hour.
	if rc.requests() != 7 {
		t.Fatalf("receiver saw %d requests, want 7", rc.requests())
	}
	if want := "no acknowledgement within 1h0m0s (7 attempts), the last: the shop answered 500"; gaveUp == nil || gaveUp.Error() != want {
		t.Fatalf("gave up with %v, want %q", gaveUp, want)
	}
}

func TestGoneIsNotRetried(t *testing.T) {
	rc := newReceiver(t, nil, func(int, *http.Request) int { return 410 })
	var gaveUp int
	cfg := fastConfig(rc.dest())
	cfg.OnGiveUp = func(Delivery, error) { gaveUp++ }
	n := start(t, cfg)
	_ = n.Notify(context.Background(), shop1, testEvent(6, "RESERVED"))
	closeNow(t, n)
	if rc.requests() != 1 || gaveUp != 1 {
		t.Fatalf("requests %d, given up %d", rc.requests(), gaveUp)
	}
}

func TestRedirectIsAFailure(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
			return
		}
		w.WriteHeader(200)
	}))
	defer srv.Close()
	cfg := fastConfig(func(*sidecar.ShopConfig) (Destination, error) {
		return Destination{URL: srv.URL + "/hook", Secrets: [][]byte{testSecret}}, nil
	})
	nt := start(t, cfg)
	_ = nt.Notify(context.Background(), shop1, testEvent(7, "RESERVED"))
	closeNow(t, nt)
	if s := nt.Stats(); s.Attempts != 2 || s.Failures != 1 || s.Delivered != 1 || n.Load() != 2 {
		t.Fatalf("stats %+v, requests %d", s, n.Load())
	}
}

func TestAcknowledgedEventNeverSentAgain(t *testing.T) {
	rc := newReceiver(t, nil, nil)
	n := start(t, fastConfig(rc.dest()))
	ev := testEvent(8, "CAPTURED")
	for i := 0; i < 3; i++ { // the same event, queued twice while pending
		if err := n.Notify(context.Background(), shop1, ev); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for n.Stats().Delivered == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	for i := 0; i < 3; i++ { // and again after the shop acknowledged it
		if err := n.Notify(context.Background(), shop1, ev); err != nil {
			t.Fatal(err)
		}
	}
	closeNow(t, n)
	if rc.requests() != 1 {
		t.Fatalf("receiver saw %d requests, want 1", rc.requests())
	}
	if s := n.Stats(); s.Queued != 1 || s.Duplicates != 5 || s.Delivered != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestConcurrentNotifyUnderFailures(t *testing.T) {
	// Every third request fails; 16 goroutines each notify 25 events, and
	// each event twice. Every event must be acknowledged exactly once.
	rc := newReceiver(t, nil, func(n int, _ *http.Request) int {
		if n%3 == 0 {
			return 502
		}
		return 200
	})
	cfg := fastConfig(rc.dest())
	cfg.Workers = 8
	n := start(t, cfg)
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				ev := testEvent(g*25+i, "RESERVED")
				for k := 0; k < 2; k++ {
					if err := n.Notify(context.Background(), shop1, ev); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	closeNow(t, n)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.acked) != 400 {
		t.Fatalf("%d events acknowledged, want 400", len(rc.acked))
	}
	for id, c := range rc.acked {
		if c != 1 {
			t.Fatalf("event %s acknowledged %d times", id, c)
		}
	}
	if len(rc.bad) > 0 {
		t.Fatalf("verification failures: %v", rc.bad[:1])
	}
	if s := n.Stats(); s.Delivered != 400 || s.Queued != 400 || s.Duplicates != 400 || s.GivenUp != 0 || s.Pending != 0 {
		t.Fatalf("stats %+v", s)
	}
}

func TestNotifyNeverBlocks(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	cfg := Config{Destination: func(*sidecar.ShopConfig) (Destination, error) {
		return Destination{URL: srv.URL, Secrets: [][]byte{testSecret}}, nil
	}, Workers: 2, AttemptTimeout: time.Minute}
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	begin := time.Now()
	for i := 0; i < 2000; i++ {
		if err := n.Notify(context.Background(), shop1, testEvent(i, "RESERVED")); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(begin); d > 2*time.Second {
		t.Fatalf("2000 Notify calls took %v with the shop hanging", d)
	}
	if s := n.Stats(); s.Queued != 2000 || s.Pending != 2000 {
		t.Fatalf("stats %+v", s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err = n.Close(ctx)
	if err == nil || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "closed with 2000 deliveries pending") {
		t.Fatalf("Close = %v", err)
	}
	if err := n.Notify(context.Background(), shop1, testEvent(1, "CAPTURED")); !errors.Is(err, ErrClosed) {
		t.Fatalf("Notify after Close = %v, want ErrClosed", err)
	}
}

func TestCloseDrainsPending(t *testing.T) {
	rc := newReceiver(t, nil, func(n int, _ *http.Request) int {
		time.Sleep(2 * time.Millisecond)
		if n%5 == 0 {
			return 500
		}
		return 200
	})
	cfg := fastConfig(rc.dest())
	cfg.Workers = 3
	n := start(t, cfg)
	for i := 0; i < 60; i++ {
		_ = n.Notify(context.Background(), shop1, testEvent(i, "RESERVED"))
	}
	closeNow(t, n)
	if s := n.Stats(); s.Delivered != 60 || s.Pending != 0 {
		t.Fatalf("stats %+v", s)
	}
	if err := n.Close(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("second Close = %v", err)
	}
}

func TestDestinations(t *testing.T) {
	env := map[string]string{"SHOP_SECRET": "s3cr3t-s3cr3t-s3cr3t"}
	d := EnvDestination(func(k string) string { return env[k] })
	tests := []struct {
		name    string
		shop    sidecar.ShopConfig
		notify  string // Notify's error
		skipped int64
	}{
		{"no webhook", sidecar.ShopConfig{ID: "a"}, "", 1},
		{"empty secret", sidecar.ShopConfig{ID: "b", WebhookURL: "https://shop.example/hook", WebhookSecretEnv: "NOPE"},
			`webhook: shop b: the secret variable "NOPE" is empty`, 0},
		{"plain http", sidecar.ShopConfig{ID: "c", WebhookURL: "http://shop.example/hook", WebhookSecretEnv: "SHOP_SECRET"},
			"webhook: shop c: webhook URL http://shop.example/hook must use https (set AllowHTTP to permit http)", 0},
		{"not a URL", sidecar.ShopConfig{ID: "d", WebhookURL: "shop.example/hook", WebhookSecretEnv: "SHOP_SECRET"},
			`webhook: shop d: webhook URL must be an absolute https URL, not "shop.example/hook"`, 0},
		{"https", sidecar.ShopConfig{ID: "e", WebhookURL: "https://shop.invalid/hook", WebhookSecretEnv: "SHOP_SECRET"}, "", 0},
		{"loopback http", sidecar.ShopConfig{ID: "f", WebhookURL: "http://127.0.0.1:9/hook", WebhookSecretEnv: "SHOP_SECRET"}, "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, _ := New(Config{Destination: d, Workers: 1, Backoff: Backoff{Initial: time.Hour}})
			defer func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
				defer cancel()
				_ = n.Close(ctx)
			}()
			err := n.Notify(context.Background(), &tc.shop, testEvent(1, "RESERVED"))
			if got := fmt.Sprint(err); (err != nil || tc.notify != "") && got != tc.notify {
				t.Fatalf("Notify = %v, want %q", err, tc.notify)
			}
			if s := n.Stats(); s.Skipped != tc.skipped {
				t.Fatalf("skipped %d", s.Skipped)
			}
		})
	}
}

func TestBackoffDelay(t *testing.T) {
	b := Backoff{Initial: time.Second, Max: 10 * time.Second, Jitter: 0.5}
	tests := []struct {
		attempt int
		r       float64
		want    time.Duration
	}{
		{1, 1, time.Second}, {1, 0, 500 * time.Millisecond}, {2, 1, 2 * time.Second}, {3, 0.5, 3 * time.Second},
		{4, 1, 8 * time.Second}, {5, 1, 10 * time.Second}, {50, 0, 5 * time.Second},
	}
	for _, tc := range tests {
		if got := b.Delay(tc.attempt, tc.r); got != tc.want {
			t.Errorf("Delay(%d, %v) = %v, want %v", tc.attempt, tc.r, got, tc.want)
		}
	}
	if got := (Backoff{Initial: time.Second, Max: time.Minute, Jitter: 0}).Delay(3, 0); got != 4*time.Second {
		t.Errorf("no jitter: %v", got)
	}
}

// TestDeliveriesFromBeforeARestart: a delivery already in the outbox when
// the Notifier starts (a durable outbox after a restart, or one another
// sidecar filled) is signed with the secrets Shops and Destination give for
// its shop, with no Notify for that shop first; without Shops it waits for
// one; a shop no longer configured gives it up.
func TestDeliveriesFromBeforeARestart(t *testing.T) {
	rc := newReceiver(t, nil, nil)
	stored := func(id, shop string) *MemoryOutbox {
		box := NewMemoryOutbox(nil)
		_, _ = box.Put(context.Background(), &Delivery{ID: id, Shop: shop, URL: rc.srv.URL + "/hook", Type: "reservation.reserved",
			Body: []byte(`{"id":"` + id + `"}`), Attempts: 2, Created: time.Now(), NextAt: time.Now()})
		return box
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); !ok(); time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("no %s within 5s", what)
			}
		}
	}
	shops := func(id string) *sidecar.ShopConfig {
		if id == "shop1" {
			return shop1
		}
		return nil
	}

	t.Run("Shops finds the secret", func(t *testing.T) {
		cfg := fastConfig(rc.dest())
		cfg.Outbox, cfg.Shops = stored("ev-restart", "shop1"), shops
		n := start(t, cfg)
		waitFor("delivery", func() bool { return n.Stats().Delivered == 1 })
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if rc.acked["ev-restart"] != 1 || len(rc.bad) != 0 || rc.attempts[len(rc.attempts)-1] != "3" {
			t.Fatalf("acked %v, bad %v, attempts %v", rc.acked, rc.bad, rc.attempts)
		}
	})
	t.Run("without Shops it waits for a Notify", func(t *testing.T) {
		cfg := fastConfig(rc.dest())
		cfg.Outbox, cfg.Workers = stored(EventID("RSRV00000007", "RESERVED")+"-old", "shop1"), 1
		cfg.Backoff = Backoff{Initial: 20 * time.Millisecond, Max: 20 * time.Millisecond}
		n := start(t, cfg)
		waitFor("failed attempt", func() bool { return n.Stats().Failures >= 1 })
		if n.Stats().Delivered != 0 {
			t.Fatal("delivered without a secret")
		}
		if err := n.Notify(context.Background(), shop1, testEvent(7, "RESERVED")); err != nil {
			t.Fatal(err)
		}
		waitFor("deliveries", func() bool { return n.Stats().Delivered == 2 })
	})
	t.Run("a shop no longer configured is given up", func(t *testing.T) {
		var gaveUp error
		cfg := fastConfig(rc.dest())
		cfg.Outbox, cfg.Shops, cfg.Workers, cfg.MaxAttempts = stored("ev-gone", "shop-removed"), shops, 1, 4
		cfg.OnGiveUp = func(_ Delivery, err error) { gaveUp = err }
		n := start(t, cfg)
		closeNow(t, n)
		if want := `4 attempts failed, the last: shop "shop-removed" is not configured`; !strings.HasPrefix(fmt.Sprint(gaveUp), want) {
			t.Fatalf("gave up with %v, want %q", gaveUp, want)
		}
	})
	// Sidecars sharing an outbox while a config that adds a shop rolls
	// out: one still on the old config meets the new shop's delivery. It
	// leaves it for another, which has the shop, instead of giving it up.
	t.Run("a shop another sidecar's config names is left to it", func(t *testing.T) {
		box := stored("ev-new", "shop-new")
		var gaveUp atomic.Int64
		cfg := fastConfig(rc.dest())
		cfg.Outbox, cfg.Shops, cfg.Workers = box, shops, 1
		cfg.OnGiveUp = func(Delivery, error) { gaveUp.Add(1) }
		old := start(t, cfg)
		waitFor("failed attempt", func() bool { return old.Stats().Failures >= 1 })
		cfg.Shops = func(id string) *sidecar.ShopConfig { return &sidecar.ShopConfig{ID: id} }
		upgraded := start(t, cfg)
		waitFor("delivery", func() bool { return upgraded.Stats().Delivered == 1 })
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if rc.acked["ev-new"] != 1 || gaveUp.Load() != 0 {
			t.Fatalf("acked %v, given up %d times", rc.acked, gaveUp.Load())
		}
	})
}

// givenUp starts a Notifier on cfg, notifies shop1 of testEvent(i,
// "RESERVED") and waits until the delivery is given up.
func givenUp(t *testing.T, cfg Config, i int) (*Notifier, sidecar.Event) {
	t.Helper()
	gaveUp := make(chan Delivery, 4)
	cfg.OnGiveUp = func(d Delivery, _ error) { gaveUp <- d }
	n := start(t, cfg)
	ev := testEvent(i, "RESERVED")
	ev.ID = sidecar.EventID(ev.ReservationUUID, ev.Status)
	if err := n.Notify(context.Background(), shop1, ev); err != nil {
		t.Fatal(err)
	}
	select {
	case <-gaveUp:
	case <-time.After(5 * time.Second):
		t.Fatal("the delivery was not given up")
	}
	return n, ev
}

// TestGivenUpIsKeptAndRedelivered: a delivery given up while the shop's
// endpoint failed is a dead letter, listed with why; once the endpoint is
// fixed, Redeliver sends it again (a fresh set of attempts, the same event
// id) and the shop takes it.
func TestGivenUpIsKeptAndRedelivered(t *testing.T) {
	var broken atomic.Bool
	broken.Store(true)
	rc := newReceiver(t, nil, func(int, *http.Request) int {
		if broken.Load() {
			return 500
		}
		return 204
	})
	cfg := fastConfig(rc.dest())
	cfg.MaxAttempts = 3
	n, ev := givenUp(t, cfg, 7)
	ctx := context.Background()
	dead, err := n.DeadLetters(ctx, shop1, 10)
	if err != nil || len(dead) != 1 {
		t.Fatalf("DeadLetters = %+v, %v; want one", dead, err)
	}
	d := dead[0]
	if d.EventID != ev.ID || d.OrderID != "1007" || d.ReservationUUID != ev.ReservationUUID || d.Attempts != 3 ||
		d.LastError != "the shop answered 500" || d.GaveUpAt.IsZero() || d.Type != "reservation.reserved" {
		t.Fatalf("dead letter %+v", d)
	}
	if other, _ := n.DeadLetters(ctx, &sidecar.ShopConfig{ID: "shop2"}, 10); len(other) != 0 {
		t.Fatalf("another shop sees %d dead letters", len(other))
	}
	if k, err := n.Redeliver(ctx, &sidecar.ShopConfig{ID: "shop2"}, nil); k != 0 || err != nil {
		t.Fatalf("another shop's Redeliver = %d, %v; want 0", k, err)
	}
	if s := n.Stats(); s.Dead != 1 || s.GivenUp != 1 || s.Pending != 0 {
		t.Fatalf("stats %+v", s)
	}
	broken.Store(false)
	if k, err := n.Redeliver(ctx, shop1, []string{ev.ID}); k != 1 || err != nil {
		t.Fatalf("Redeliver = %d, %v; want 1", k, err)
	}
	closeNow(t, n)
	if rc.acked[ev.ID] != 1 {
		t.Fatalf("the shop acknowledged the event %d times, want 1", rc.acked[ev.ID])
	}
	if got := rc.attempts[len(rc.attempts)-1]; got != "1" {
		t.Fatalf("the redelivery's attempt header is %q, want 1 (its attempts start afresh)", got)
	}
	if s := n.Stats(); s.Dead != 0 || s.Delivered != 1 {
		t.Fatalf("stats after the redelivery %+v", s)
	}
}

// TestRedeliverGoesToTheCurrentURL: a wrong webhook URL is a common reason
// for dead letters. Once the configuration names the right one, the
// redelivery goes there, and so does any delivery still pending.
func TestRedeliverGoesToTheCurrentURL(t *testing.T) {
	gone := newReceiver(t, nil, func(int, *http.Request) int { return 410 })
	fixed := newReceiver(t, nil, nil)
	var url atomic.Pointer[string]
	url.Store(&gone.srv.URL)
	dest := func(*sidecar.ShopConfig) (Destination, error) {
		return Destination{URL: *url.Load() + "/hook", Secrets: [][]byte{testSecret}}, nil
	}
	n, _ := givenUp(t, fastConfig(dest), 8)
	ctx := context.Background()
	url.Store(&fixed.srv.URL) // the shop's config is mended
	if k, err := n.Redeliver(ctx, shop1, nil); k != 1 || err != nil {
		t.Fatalf("Redeliver = %d, %v; want 1", k, err)
	}
	closeNow(t, n)
	if gone.requests() != 1 || fixed.requests() != 1 {
		t.Fatalf("the old URL saw %d requests, the mended one %d; want 1 and 1", gone.requests(), fixed.requests())
	}

	// A delivery queued for the old URL and met after a restart (Shops set)
	// goes to the URL configured now.
	box := NewMemoryOutbox(nil)
	_, _ = box.Put(ctx, &Delivery{ID: "e2", Shop: "shop1", URL: gone.srv.URL + "/hook", Body: []byte(`{}`), NextAt: time.Now()})
	cfg := fastConfig(dest)
	cfg.Outbox = box
	cfg.Shops = func(id string) *sidecar.ShopConfig { return shop1 }
	closeNow(t, start(t, cfg))
	if gone.requests() != 1 || fixed.requests() != 2 {
		t.Fatalf("after the restart the old URL saw %d requests, the mended one %d; want 1 and 2", gone.requests(), fixed.requests())
	}
}

// TestDefaultsRetryForMaxAge: with the default backoff, even the shortest
// delays (the jitter's low end) fit fewer attempts into MaxAge than
// MaxAttempts, so a failing shop is retried for the whole 24 hours.
func TestDefaultsRetryForMaxAge(t *testing.T) {
	cfg := NewConfig()
	var elapsed time.Duration
	attempts := 1
	for ; elapsed <= cfg.MaxAge; attempts++ {
		elapsed += cfg.Backoff.Delay(attempts, 0)
	}
	if attempts >= cfg.MaxAttempts {
		t.Fatalf("%d attempts fit in %s, MaxAttempts is %d: retries would end before MaxAge", attempts, cfg.MaxAge, cfg.MaxAttempts)
	}
	t.Logf("at most %d attempts in %s", attempts-1, cfg.MaxAge)
}

// TestRotationSignsWithEverySecret: while a shop's secret rotates, a
// second variable holds the old one, and every delivery carries a v1 for
// each: a receiver that knows either verifies it.
func TestRotationSignsWithEverySecret(t *testing.T) {
	newS, oldS := "whsec-new-0123456789abcdef", "whsec-old-0123456789abcdef"
	got := make(chan *http.Request, 1)
	bodies := make(chan []byte, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- r
		bodies <- b
	}))
	defer srv.Close()
	env := map[string]string{"S": newS, "OLD": oldS}
	n, err := New(Config{Destination: EnvDestination(func(k string) string { return env[k] }), AllowHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	shop := &sidecar.ShopConfig{ID: "shop1", WebhookURL: srv.URL, WebhookSecretEnv: "S", WebhookPreviousSecretEnv: "OLD"}
	if err := n.Notify(context.Background(), shop, testEvent(1, "RESERVED")); err != nil {
		t.Fatal(err)
	}
	r, body := <-got, <-bodies
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = n.Close(ctx)
	header := r.Header.Get(signature.WebhookHeader)
	if c := strings.Count(header, "v1="); c != 2 {
		t.Fatalf("signature header %q has %d v1, want 2", header, c)
	}
	for _, s := range []string{newS, oldS} {
		if _, err := (&Verifier{Secrets: [][]byte{[]byte(s)}}).VerifyBytes(header, body); err != nil {
			t.Errorf("a receiver knowing only %.10s…: %v", s, err)
		}
	}
}

// TestSlowShopHoldsItsShareOnly: while one shop's endpoint hangs with a
// backlog of its events, another shop's event is delivered: the hanging
// shop holds PerShop workers (all but one, by default), not all of them.
func TestSlowShopHoldsItsShareOnly(t *testing.T) {
	release := make(chan struct{})
	var hung atomic.Int32
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hung.Add(1)
		<-release
	}))
	defer slow.Close()
	defer close(release) // before slow.Close, which waits for its handlers
	got := make(chan string, 1)
	fast := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get(HeaderEventID)
	}))
	defer fast.Close()
	env := map[string]string{"A": "whsec-a-0123456789abcdef", "B": "whsec-b-0123456789abcdef"}
	n, err := New(Config{Destination: EnvDestination(func(k string) string { return env[k] }), AllowHTTP: true,
		Workers: 4, AttemptTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_ = n.Close(ctx)
	}()
	a := &sidecar.ShopConfig{ID: "a", WebhookURL: slow.URL, WebhookSecretEnv: "A"}
	b := &sidecar.ShopConfig{ID: "b", WebhookURL: fast.URL, WebhookSecretEnv: "B"}
	for i := range 8 {
		ev := testEvent(i, "RESERVED")
		ev.Shop = "a"
		if err := n.Notify(context.Background(), a, ev); err != nil {
			t.Fatal(err)
		}
	}
	for hung.Load() < 3 { // the slow shop has its share: all workers but one
		time.Sleep(time.Millisecond)
	}
	ev := testEvent(100, "RESERVED")
	ev.Shop = "b"
	if err := n.Notify(context.Background(), b, ev); err != nil {
		t.Fatal(err)
	}
	select {
	case id := <-got:
		if id != EventID(ev.ReservationUUID, "RESERVED") {
			t.Fatalf("shop b got %s", id)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("shop b's event waited behind shop a's hanging endpoint (%d of a's attempts running)", hung.Load())
	}
	if h := hung.Load(); h != 3 {
		t.Fatalf("shop a had %d attempts running at once, want PerShop = 3", h)
	}
}

// TestPutBackForgotten: deliveries a worker put back (their shop at its
// share) that this notifier never meets again (another sidecar on the
// same outbox delivered them) are forgotten after the longest put-back, so
// the shop's backlog count does not grow without end.
func TestPutBackForgotten(t *testing.T) {
	clock := &manualClock{instantClock: instantClock{t: time.Unix(1_700_000_000, 0)}}
	n := &Notifier{cfg: Config{PerShop: 1, Clock: clock, Backoff: Backoff{Max: 30 * time.Minute}},
		load: map[string]*shopLoad{}, deferred: map[string]deferral{}}
	if ok, _ := n.admit(&Delivery{ID: "a1", Shop: "a"}); !ok {
		t.Fatal("the first delivery of a shop is admitted")
	}
	for i := range 5 {
		if ok, later := n.admit(&Delivery{ID: "p" + strconv.Itoa(i), Shop: "a"}); ok || later <= 0 {
			t.Fatalf("put-back %d: ok %v, later %s", i, ok, later)
		}
	}
	if w := n.load["a"].waiting; w != 5 {
		t.Fatalf("waiting %d, want 5", w)
	}
	clock.Advance(32 * time.Minute)
	n.finished(&Delivery{ID: "a1", Shop: "a"}, time.Second)
	if ok, _ := n.admit(&Delivery{ID: "b1", Shop: "b"}); !ok {
		t.Fatal("another shop's delivery is admitted")
	}
	if l := n.load["a"]; l != nil || len(n.deferred) != 0 {
		t.Fatalf("after the longest put-back: shop a %+v, %d remembered", l, len(n.deferred))
	}
}

// TestPutBackFollowsAHangingAttempt: while a shop's attempt has been
// running for longer than its attempts used to take (its endpoint hangs),
// its other deliveries are put back for at least that long, not polled at
// the old average.
func TestPutBackFollowsAHangingAttempt(t *testing.T) {
	clock := &manualClock{instantClock: instantClock{t: time.Unix(1_700_000_000, 0)}}
	n := &Notifier{cfg: Config{PerShop: 1, Clock: clock, Backoff: Backoff{Max: 30 * time.Minute}},
		load: map[string]*shopLoad{}, deferred: map[string]deferral{}}
	if ok, _ := n.admit(&Delivery{ID: "a1", Shop: "a"}); !ok {
		t.Fatal("the first delivery of a shop is admitted")
	}
	clock.Advance(5 * time.Second)
	if ok, later := n.admit(&Delivery{ID: "a2", Shop: "a"}); ok || later < 5*time.Second {
		t.Fatalf("put back for %s while the shop's attempt has hung 5 s", later)
	}
}

// TestPutBackOfABusyHealthyShop: a shop busy without a break, each of its
// attempts quick, has its put-backs spaced by its attempts' time, not by
// how long it has been busy.
func TestPutBackOfABusyHealthyShop(t *testing.T) {
	clock := &manualClock{instantClock: instantClock{t: time.Unix(1_700_000_000, 0)}}
	n := &Notifier{cfg: Config{PerShop: 2, Clock: clock, Backoff: Backoff{Max: 30 * time.Minute}},
		load: map[string]*shopLoad{}, deferred: map[string]deferral{}}
	n.admit(&Delivery{ID: "d0", Shop: "a"})
	for i := 1; i <= 600; i++ { // ten minutes of overlapping 50 ms attempts
		n.admit(&Delivery{ID: "d" + strconv.Itoa(i), Shop: "a"})
		clock.Advance(time.Second)
		n.finished(&Delivery{ID: "d" + strconv.Itoa(i-1), Shop: "a"}, 50*time.Millisecond)
	}
	// d600 runs; one more takes the second slot, a third is put back.
	n.admit(&Delivery{ID: "x", Shop: "a"})
	if ok, later := n.admit(&Delivery{ID: "y", Shop: "a"}); ok || later > 5*time.Second {
		t.Fatalf("put back for %s after ten busy minutes of 50 ms attempts", later)
	}
}
