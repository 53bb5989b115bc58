package sidecar

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontgate/frontgate/host/sandbox"
	"github.com/frontgate/frontgate/host/store"
	"github.com/frontgate/frontgate/plugin/callback"
)

// failingStore fails the next n Gets or Sets of keys with a prefix, as a
// store does for a moment when Redis restarts or a network blips.
type failingStore struct {
	store.Store
	mu    sync.Mutex
	rules map[string]int // "get chk:" → failures left
}

func failStore(h *harness) *failingStore {
	f := &failingStore{Store: h.svc.store, rules: map[string]int{}}
	h.svc.store = f
	return f
}

func (f *failingStore) arm(op, prefix string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules[op+" "+prefix] = n
}

func (f *failingStore) fails(op, key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for rule, n := range f.rules {
		o, prefix, _ := strings.Cut(rule, " ")
		if o == op && n > 0 && strings.HasPrefix(key, prefix) {
			f.rules[rule] = n - 1
			return true
		}
	}
	return false
}

var errBlip = errors.New("redisstore: i/o timeout")

func (f *failingStore) Get(ctx context.Context, key string) ([]byte, error) {
	if f.fails("get", key) {
		return nil, errBlip
	}
	return f.Store.Get(ctx, key)
}

func (f *failingStore) Set(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	if f.fails("set", key) {
		return errBlip
	}
	return f.Store.Set(ctx, key, v, ttl)
}

func (f *failingStore) Delete(ctx context.Context, key string) error {
	if f.fails("delete", key) {
		return errBlip
	}
	return f.Store.Delete(ctx, key)
}

// A store failure is never read as "no such checkout": FrontGo's callback
// hears a 503 and calls again, and the state then reaches the shop.
func TestCallbackDuringStoreFailureIsRetried(t *testing.T) {
	h := newHarness(t, native())
	fs := failStore(h)
	if _, err := h.sb.InjectCallbackFault(sandbox.CallbackFault{Kind: sandbox.CallbackDrop}); err != nil {
		t.Fatal(err)
	}
	c := h.checkout("sf-1")
	back := h.approve(c, "4111111111111111")
	recs, err := h.sb.WaitCallbacks(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	fs.arm("get", "chk:", 1)
	r := h.get(recs[0].URL)
	// The store's own words stay in the log (they name servers).
	if r.status != 503 || r.header.Get("Retry-After") == "" || !strings.Contains(string(r.body), "store_unavailable") ||
		strings.Contains(string(r.body), errBlip.Error()) {
		t.Fatalf("callback during a store failure: %d %s (Retry-After %q), want a retryable 503", r.status, r.body, r.header.Get("Retry-After"))
	}
	if got := h.eventsFor(c.ReservationUUID); len(got) != 0 {
		t.Fatalf("events before the retry: %v", got)
	}
	if r := h.get(recs[0].URL); r.status != 200 {
		t.Fatalf("the callback again: %d %s", r.status, r.body)
	}
	h.waitStatus(c.CheckoutID, "RESERVED")

	// The same for the shop's own reads and the shopper's return page.
	fs.arm("get", "chk:", 1)
	if r := h.do("GET", "/v1/checkouts/"+c.CheckoutID, shopKey, "", nil); r.status != 503 {
		t.Errorf("GET checkout during a store failure: %d %s", r.status, r.body)
	}
	fs.arm("get", "res:", 1)
	if r := h.do("GET", "/v1/reservations/"+c.ReservationUUID, shopKey, "", nil); r.status != 503 {
		t.Errorf("GET reservation during a store failure: %d %s", r.status, r.body)
	}
	// The shopper's page asks for a reload in a moment, and says when.
	fs.arm("get", "chk:", 1)
	if r := h.get(back); r.status != 503 || r.header.Get("Retry-After") != "1" || r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("return during a store failure: %d, Retry-After %q, Cache-Control %q", r.status, r.header.Get("Retry-After"), r.header.Get("Cache-Control"))
	}
}

// The reconciler counts a reservation the store could not answer for as
// failed, so its window does not move past it, and the next run tells it.
func TestReconcileStoreFailureKeepsWindow(t *testing.T) {
	h := newHarness(t, native())
	fs := failStore(h)
	c := h.paidCallbackLost("sf-2")
	fs.arm("get", "res:", 1)
	h.offset.Store(int64(30 * time.Minute))
	rep := h.svc.Reconcile(context.Background(), time.Millisecond)
	if rep.Failed != 1 || rep.Repaired != 0 {
		t.Fatalf("run during a store failure: %+v, want one failed", rep)
	}
	// An hour later, well past the overlap the next run re-reads (and
	// past the first run's lock, held for a millisecond).
	time.Sleep(10 * time.Millisecond)
	h.offset.Store(int64(90 * time.Minute))
	rep = h.svc.Reconcile(context.Background(), time.Millisecond)
	if rep.Failed != 0 || rep.Repaired != 1 || rep.Finished.Before(rep.Start) {
		t.Fatalf("the next run: %+v, want the missed state repaired (and the run's end in its report)", rep)
	}
	if got := h.eventsFor(c.ReservationUUID); len(got) != 1 || got[0] != "RESERVED" {
		t.Fatalf("events: %v", got)
	}
}

// A checkout whose record cannot be stored is not handed out: its
// reservation is cancelled, the shop hears a 503, and a retry with the same
// Idempotency-Key makes a working checkout.
func TestCheckoutRecordNotStoredIsCancelled(t *testing.T) {
	h := newHarness(t, native())
	fs := failStore(h)
	fs.arm("set", "chk:", keepTries)
	r := h.do("POST", "/v1/checkouts", shopKey, "idem-sf-3", checkoutReq("sf-3"))
	if r.status != 503 || !strings.Contains(string(r.body), "cancelled") || strings.Contains(string(r.body), errBlip.Error()) {
		t.Fatalf("checkout with its record lost: %d %s, want 503", r.status, r.body)
	}
	var cancelled int
	for _, res := range h.sb.Reservations() {
		st, ok := h.sb.Inspect(res.UUID)
		if !ok || st.Status != "CANCELLED" {
			t.Errorf("reservation %s: %s, want CANCELLED", res.UUID, st.Status)
			continue
		}
		cancelled++
	}
	if cancelled != 1 {
		t.Fatalf("%d reservations cancelled, want 1", cancelled)
	}
	r = h.do("POST", "/v1/checkouts", shopKey, "idem-sf-3", checkoutReq("sf-3"))
	if r.status != 201 || r.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("retry: %d %s (replayed %q)", r.status, r.body, r.header.Get("Idempotent-Replayed"))
	}
	var c Checkout
	r.json(t, &c)
	h.approve(c, "4111111111111111")
	h.waitStatus(c.CheckoutID, "RESERVED")

	// One failed write is tried again, and the checkout is whole.
	fs.arm("set", "res:", 1)
	c = h.checkout("sf-4")
	h.approve(c, "4111111111111111")
	h.waitStatus(c.CheckoutID, "RESERVED")
}

// A checkout answered "retry with the same Idempotency-Key" while the store
// was down (Redis restarting: the record not saved, the key not freed) gets
// that retry once the store is back, not in_progress until the key's lease
// (requestTimeout and a minute) runs out.
func TestKeyNotFreedIsFreedLater(t *testing.T) {
	h := newHarness(t, native())
	fs := failStore(h)
	fs.arm("set", "chk:", keepTries)
	fs.arm("delete", "idem:", 1)
	r := h.do("POST", "/v1/checkouts", shopKey, "idem-sf-5", checkoutReq("sf-5"))
	if r.status != 503 || !strings.Contains(string(r.body), "same Idempotency-Key") {
		t.Fatalf("checkout with its record lost: %d %s, want 503", r.status, r.body)
	}
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		r = h.do("POST", "/v1/checkouts", shopKey, "idem-sf-5", checkoutReq("sf-5"))
		if r.status == 201 {
			break
		}
		if r.status != 409 || time.Now().After(deadline) {
			t.Fatalf("retry under the same key: %d %s, want 201 within seconds", r.status, r.body)
		}
	}

	// A delete that failed may have gone through, and a retry taken the
	// key since: what the retry wrote is left alone.
	fs.arm("set", "chk:", keepTries)
	fs.arm("delete", "idem:", 1)
	if r := h.do("POST", "/v1/checkouts", shopKey, "idem-sf-6", checkoutReq("sf-6")); r.status != 503 {
		t.Fatalf("checkout with its record lost: %d %s, want 503", r.status, r.body)
	}
	ctx := context.Background()
	skey := "idem:one:/v1/checkouts:idem-sf-6"
	if _, err := h.svc.store.Get(ctx, skey); err != nil {
		t.Fatalf("the key left pending: %v", err)
	}
	other := []byte(`{"state":"pending","hash":"another request's"}`)
	if err := h.svc.store.Set(ctx, skey, other, time.Hour); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // several of freeLater's tries
	if b, err := h.svc.store.Get(ctx, skey); err != nil || string(b) != string(other) {
		t.Fatalf("another request's record under the key: %q, %v", b, err)
	}
}

// A return link replayed many times asks FrontGo for the reservation's state
// at most once per returnConfirmEvery: each ask counts against the FrontGo
// account's rate limit, which all its shops share. The replays still land on
// the shop's page with the state the record holds.
func TestReturnReplaysSpareTheRateLimit(t *testing.T) {
	h := newHarness(t, native())
	c := h.checkout("sf-5")
	back := h.approve(c, "4111111111111111")
	remaining := func() int {
		t.Helper()
		req, _ := http.NewRequest("GET", h.sb.APIBase()+"/connect/reservations/details/"+c.ReservationUUID, nil)
		req.Header.Set("Authorization", "Bearer "+fgToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		n, err := strconv.Atoi(resp.Header.Get("X-Ratelimit-Remaining"))
		if err != nil {
			t.Fatalf("X-Ratelimit-Remaining %q", resp.Header.Get("X-Ratelimit-Remaining"))
		}
		return n
	}
	before := remaining()
	const replays = 60
	for i := 0; i < replays; i++ {
		r := h.get(back)
		loc, _ := url.Parse(r.header.Get("Location"))
		if r.status != 302 || loc.Query().Get("frontgate_status") != "RESERVED" {
			t.Fatalf("replay %d: %d %s", i, r.status, loc)
		}
	}
	// The probe's own two calls, the first return's confirmation, and
	// whatever the callback cost meanwhile; not one per replay.
	if used := before - remaining(); used > 4 {
		t.Fatalf("%d replays of one return link used %d of FrontGo's rate limit", replays, used)
	}
}

// A callback without a timestamp (an account on the legacy-v1 checksum,
// which covers none) is refused as stale by default, and taken, as a hint
// confirmed with FrontGo, with frontgo.callbackTimestampOptional.
func TestCallbackWithoutTimestamp(t *testing.T) {
	for _, optional := range []bool{false, true} {
		h := newHarness(t, native(), func(c *Config, _ *sandbox.Config) { c.FrontGo.CallbackTimestampOptional = optional })
		if _, err := h.sb.InjectCallbackFault(sandbox.CallbackFault{Kind: sandbox.CallbackDrop}); err != nil {
			t.Fatal(err)
		}
		c := h.checkout("sf-6")
		h.approve(c, "4111111111111111")
		recs, err := h.sb.WaitCallbacks(context.Background(), 1)
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(recs[0].URL)
		now := strconv.FormatInt(time.Now().Unix(), 10)
		q := callback.SignedQuery([]callback.Pair{{Key: "orderUuid", Value: c.ReservationUUID}, {Key: "status", Value: "RESERVED"},
			{Key: "createdAt", Value: now}, {Key: "paymentMethod", Value: "Visa"}}, []byte(fgSecret), callback.SchemeOrderedParams)
		r := h.get(h.base + u.Path + "?" + q)
		switch {
		case !optional && r.status != 403:
			t.Fatalf("without a timestamp, by default: %d %s", r.status, r.body)
		case optional && r.status != 200:
			t.Fatalf("without a timestamp, optional: %d %s", r.status, r.body)
		case optional:
			h.waitStatus(c.CheckoutID, "RESERVED")
		}
	}
}

// A callback or return whose link this sidecar signed but whose checkout
// the store no longer has (a memory store restarted, Redis came back empty)
// cannot be told; the log says so, naming the checkout, for the operator
// to tell the shop.
func TestLostRecordIsLogged(t *testing.T) {
	logs := &lockedBuffer{}
	h := newHarness(t, native())
	h.svc.log = slog.New(slog.NewJSONHandler(logs, nil))
	if _, err := h.sb.InjectCallbackFault(sandbox.CallbackFault{Kind: sandbox.CallbackDrop}); err != nil {
		t.Fatal(err)
	}
	c := h.checkout("lost-1")
	ctx := context.Background()
	_ = h.svc.store.Delete(ctx, "chk:"+c.CheckoutID) // the store lost it
	_ = h.svc.store.Delete(ctx, "res:"+c.ReservationUUID)
	if _, err := h.sb.Approve(c.ReservationUUID, "4111111111111111"); err != nil {
		t.Fatal(err)
	}
	st, _ := h.sb.Inspect(c.ReservationUUID)
	back := st.SuccessURL
	recs, err := h.sb.WaitCallbacks(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if r := h.get(recs[0].URL); r.status != 404 {
		t.Fatalf("callback for a lost checkout: %d %s, want 404", r.status, r.body)
	}
	if r := h.get(back); r.status != 404 {
		t.Fatalf("return for a lost checkout: %d", r.status)
	}
	var lines int
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, `"level":"ERROR"`) && strings.Contains(l, "the store has lost") &&
			strings.Contains(l, c.CheckoutID) && strings.Contains(l, `"order":"lost-1"`) {
			lines++
		}
	}
	if lines != 2 {
		t.Fatalf("%d error lines naming the lost checkout, want 2 (callback, return); logs:\n%s", lines, logs.String())
	}
}

// An orphan (a checkout whose create's answer was lost, kept under its
// key because FrontGo sends the link itself) that the customer pays: the
// callback is logged as what it is, a reservation the shop does not know,
// not as a checkout the store lost.
func TestOrphanCallbackIsNoLostRecord(t *testing.T) {
	logs := &lockedBuffer{}
	h := newHarness(t, native())
	h.svc.log = slog.New(slog.NewJSONHandler(logs, nil))
	req := checkoutReq("orphan-1")
	req["mode"] = "link"
	delete(req, "returnUrls")
	req["order"].(map[string]any)["reference"] = "SHOP-orphan-1"
	req["order"].(map[string]any)["sendOrderBy"] = map[string]any{"sms": true, "email": false}
	h.sb.InjectFault(sandbox.Fault{Endpoint: "submit", Kind: sandbox.FaultDropAfter, Times: 1})
	if r := h.do("POST", "/v1/checkouts", shopKey, "orphan-1", req); r.status != 504 {
		t.Fatalf("lost create: %d %s", r.status, r.body)
	}
	all := h.sb.Reservations()
	if _, err := h.sb.Approve(all[len(all)-1].UUID, "4111111111111111"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	recs, err := h.sb.WaitCallbacks(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if r := h.get(recs[0].URL); r.status != 404 {
		t.Fatalf("the orphan's callback: %d %s", r.status, r.body)
	}
	out := logs.String()
	if strings.Contains(out, "the store has lost") || !strings.Contains(out, "whose create did not complete") {
		t.Fatalf("the orphan's callback logged as a lost record, or not at all:\n%s", out)
	}
}
