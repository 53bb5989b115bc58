package sidecar

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
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
	"github.com/frontgate/frontgate/host/store/redisstore"
	"github.com/frontgate/frontgate/host/store/redisstore/redistest"
)

// cluster is n sidecars behind a round-robin load balancer, sharing one
// Redis and one token key, in front of one sandbox: what a scaled-out
// deployment looks like.
type cluster struct {
	*harness
	events []*EventLog
}

func newCluster(t *testing.T, n int) *cluster {
	t.Helper()
	ctx := context.Background()
	rs, err := redisstore.New(ctx, redisstore.Options{URL: redistest.URL(t), Prefix: "cluster:" + t.Name() + ":"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rs.Close() })

	sb := startSandbox(t, nil)

	lbLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	public := "http://" + lbLn.Addr().String()
	signer, _ := signature.NewSigner([]string{"t1"}, [][]byte{[]byte("0123456789abcdef0123456789abcdef")})
	var targets []*url.URL
	c := &cluster{}
	var first *Service
	for i := 0; i < n; i++ {
		cfg := testConfig(t, sb, public, nil, shopOne)
		fg, _ := frontgo.New(frontgo.Config{BaseURL: sb.APIBase(), Token: fgToken, Sleep: func(context.Context, time.Duration) error { return nil }})
		ev := &EventLog{}
		svc := NewService(cfg, Deps{Core: wasmrt.NewNative(), FrontGo: fg, Store: store.Store(rs), Signer: signer,
			Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Notifier: ev})
		t.Cleanup(func() { _ = svc.Drain(context.Background()) }) // background work ends with the test
		if first == nil {
			first = svc
		}
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		srv := observe(NewServer(svc, nil))
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Shutdown(context.Background()) })
		u, _ := url.Parse("http://" + ln.Addr().String())
		targets = append(targets, u)
		c.events = append(c.events, ev)
	}
	var next atomic.Uint64
	lb := &http.Server{Handler: &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(targets[next.Add(1)%uint64(len(targets))])
			r.Out.Host = r.In.Host
		},
	}}
	go lb.Serve(lbLn)
	t.Cleanup(func() { lb.Close() })
	c.harness = &harness{t: t, sb: sb, svc: first, base: public, events: &EventLog{}, offset: &atomic.Int64{},
		client: &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	return c
}

// allEvents counts events for uuid across every instance.
func (c *cluster) allEvents(uuid string) []string {
	var out []string
	for _, l := range c.events {
		for _, e := range l.Events() {
			if e.ReservationUUID == uuid {
				out = append(out, e.Status)
			}
		}
	}
	return out
}

func TestClusterActsAsOne(t *testing.T) {
	c := newCluster(t, 3)
	// A double click through the load balancer lands on different
	// instances: still one reservation.
	var wg sync.WaitGroup
	uuids := make(chan string, 12)
	for i := 0; i < 12; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := c.do("POST", "/v1/checkouts", shopKey, "", checkoutReq("c-1"))
			if r.status == 201 {
				var ck Checkout
				r.json(t, &ck)
				uuids <- ck.ReservationUUID
			} else if r.status != 409 {
				t.Errorf("double click: %d %s", r.status, r.body)
			}
		}()
	}
	wg.Wait()
	close(uuids)
	var uuid string
	for u := range uuids {
		if uuid != "" && u != uuid {
			t.Fatalf("two reservations: %s and %s", uuid, u)
		}
		uuid = u
	}
	if uuid == "" || len(c.sb.Reservations()) != 1 {
		t.Fatalf("reservations at FrontGo: %d", len(c.sb.Reservations()))
	}
	// Every callback delivered twice; the callback and the return land on
	// different instances. The shop hears RESERVED exactly once.
	c.sb.InjectCallbackFault(sandbox.CallbackFault{Kind: sandbox.CallbackDuplicate})
	var ck Checkout
	c.do("POST", "/v1/checkouts", shopKey, "", checkoutReq("c-1")).json(t, &ck)
	back := c.approve(ck, "4111111111111111")
	for i := 0; i < 3; i++ {
		if r := c.get(back); r.status != 302 || !strings.Contains(r.header.Get("Location"), "frontgate_status=RESERVED") {
			t.Fatalf("return %d: %d %s", i, r.status, r.header.Get("Location"))
		}
	}
	c.sb.WaitCallbacks(context.Background(), 2)
	time.Sleep(100 * time.Millisecond)
	if got := c.allEvents(uuid); strings.Join(got, ",") != "RESERVED" {
		t.Fatalf("events across instances = %v", got)
	}
	// Capture on one instance; its settle and the duplicated callback on
	// others race: CAPTURED is still told once.
	if r := c.do("POST", "/v1/reservations/"+uuid+"/capture", shopKey, "cap", map[string]any{}); r.status != 200 {
		t.Fatalf("capture: %d %s", r.status, r.body)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(strings.Join(c.allEvents(uuid), ","), "CAPTURED") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	// Across instances the order of delivery is not fixed (each instance
	// tells its own in order); each state is told exactly once.
	got := c.allEvents(uuid)
	slices.Sort(got)
	if strings.Join(got, ",") != "CAPTURED,RESERVED" {
		t.Fatalf("events across instances = %v", got)
	}
	// The capture's Idempotency-Key replays on any instance.
	for i := 0; i < 3; i++ {
		r := c.do("POST", "/v1/reservations/"+uuid+"/capture", shopKey, "cap", map[string]any{})
		if r.status != 200 || r.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replayed capture %d: %d %s", i, r.status, r.body)
		}
	}
}

// An instance whose config does not name a shop (a rolling deploy that
// adds it: the other instances already run the new config) shares the
// store, so FrontGo's callbacks and the shoppers' returns of that shop's
// checkouts reach it. It must not mark a state told that it could tell
// no one: an instance that knows the shop tells it.
func TestInstanceWithoutTheShopTellsNothingAway(t *testing.T) {
	h := newHarness(t, native()) // shops one and two
	fg, _ := frontgo.New(frontgo.Config{BaseURL: h.sb.APIBase(), Token: fgToken, Sleep: func(context.Context, time.Duration) error { return nil }})
	oldEvents := &EventLog{}
	old := NewService(testConfig(t, h.sb, h.base, nil, shopOne), Deps{Core: native(), FrontGo: fg, Store: h.svc.store,
		Signer: h.svc.signer, Notifier: oldEvents})
	t.Cleanup(func() { _ = old.Drain(context.Background()) })

	if _, err := h.sb.InjectCallbackFault(sandbox.CallbackFault{Kind: sandbox.CallbackDrop}); err != nil {
		t.Fatal(err)
	}
	req := checkoutReq("two-1")
	req["returnUrls"] = map[string]any{"success": "https://two.example/ok", "failure": "https://two.example/failed"}
	r := h.do("POST", "/v1/checkouts", shop2Key, "two-1", req)
	if r.status != 201 {
		t.Fatalf("checkout: %d %s", r.status, r.body)
	}
	var c Checkout
	r.json(t, &c)
	back := h.approve(c, "4111111111111111")
	recs, err := h.sb.WaitCallbacks(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	cb, _ := url.Parse(recs[0].URL)
	ret, _ := url.Parse(back)
	// The callback and the return land on the instance without the shop:
	// retryable answers, nothing told.
	if res, e := old.HandleCallback(context.Background(), strings.TrimPrefix(cb.Path, "/v1/frontgo/callback/"), cb.RawQuery); e == nil || e.Status != 503 {
		t.Fatalf("callback on the instance without the shop: %q, %v; want a retryable 503", res, e)
	}
	if u, e := old.Return(context.Background(), "success", strings.TrimPrefix(ret.Path, "/v1/return/success/")); e == nil || e.Status != 503 {
		t.Fatalf("return on the instance without the shop: %q, %v; want a retryable 503", u, e)
	}
	if got := old.Reconcile(context.Background(), time.Millisecond); got.Repaired != 0 || got.Failed != 1 {
		t.Fatalf("reconcile on the instance without the shop: %+v, want the reservation failed (its window kept)", got)
	}
	// FrontGo's retry reaches an instance with the shop: it tells it.
	if r := h.get(recs[0].URL); r.status != 200 || !strings.Contains(string(r.body), "applied") {
		t.Fatalf("callback on an instance with the shop: %d %s", r.status, r.body)
	}
	if got := h.eventsFor(c.ReservationUUID); strings.Join(got, ",") != "RESERVED" {
		t.Fatalf("events = %v, want RESERVED told once", got)
	}
	if n := len(oldEvents.Events()); n != 0 {
		t.Fatalf("the instance without the shop told %d events", n)
	}
}
