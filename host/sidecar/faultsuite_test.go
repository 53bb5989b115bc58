package sidecar

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frontgate/frontgate/host/frontgo"
	"github.com/frontgate/frontgate/host/internal/wasmrt"
	"github.com/frontgate/frontgate/host/sandbox"
	"github.com/frontgate/frontgate/host/signature"
	"github.com/frontgate/frontgate/host/store/redisstore"
	"github.com/frontgate/frontgate/host/store/redisstore/redistest"
)

// faultRow is one line of the fault suite's summary.
type faultRow struct {
	scenario              string
	orders, lost, doubled int
	note                  string
}

// TestFaultSuite drives orders through checkout, payment and capture under
// one injected fault per scenario, lets the reconciler run once, and then
// holds every order to two numbers: lost (the shop's state is behind
// FrontGo's, or a state FrontGo reached was never told) and doubled (the
// shop was told the same state twice). Both must be 0 everywhere. The
// sidecar runs on Redis, so a restart keeps its state.
func TestFaultSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("fault suite")
	}
	url := redistest.URL(t)
	var rows []faultRow
	for _, sc := range faultScenarios {
		t.Run(sc.name, func(t *testing.T) {
			f := newFaultRig(t, url, sc.name)
			if sc.before != nil {
				sc.before(f)
			}
			var orders []Checkout
			for i := 0; i < 4; i++ {
				orders = append(orders, f.order(t, fmt.Sprintf("%s-%d", sc.name, i)))
			}
			for _, c := range orders {
				f.pay(t, c)
				if sc.mid != nil {
					sc.mid(f, c)
				}
			}
			for _, c := range orders {
				f.capture(t, c)
			}
			if sc.after != nil {
				sc.after(f)
			}
			f.sb.ClearCallbackFaults()
			f.sb.ClearFaults()
			time.Sleep(300 * time.Millisecond) // delayed callbacks land
			if rep := f.svc.Reconcile(context.Background(), time.Second); rep.Error != "" || rep.Failed > 0 {
				t.Logf("reconcile: %+v", rep)
			}
			row := faultRow{scenario: sc.name, orders: len(orders), note: sc.note}
			live := 0
			for _, r := range f.sb.Reservations() {
				if r.Status != "CANCELLED" {
					live++
				}
			}
			if live != len(orders) {
				row.doubled += live - len(orders)
				t.Logf("%d live reservations for %d orders", live, len(orders))
			}
			for _, c := range orders {
				lost, doubled := f.audit(t, c)
				row.lost += lost
				row.doubled += doubled
			}
			rows = append(rows, row)
			if row.lost != 0 || row.doubled != 0 {
				t.Errorf("%s: %d lost, %d doubled", sc.name, row.lost, row.doubled)
			}
		})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-28s %6s %5s %7s  %s\n", "scenario", "orders", "lost", "doubled", "")
	for _, r := range rows {
		fmt.Fprintf(&b, "%-28s %6d %5d %7d  %s\n", r.scenario, r.orders, r.lost, r.doubled, r.note)
	}
	t.Log(b.String())
	if dir := os.Getenv("FRONTGATE_ARTIFACTS"); dir != "" {
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, "fault-suite.txt"), []byte(b.String()), 0o644)
	}
}

type faultScenario struct {
	name, note string
	before     func(*faultRig)
	mid        func(*faultRig, Checkout)
	after      func(*faultRig)
}

var faultScenarios = []faultScenario{
	{name: "baseline"},
	{name: "callbacks-dropped", note: "every callback lost; reconciler repairs",
		before: func(f *faultRig) { f.sb.InjectCallbackFault(sandbox.CallbackFault{Kind: sandbox.CallbackDrop}) }},
	{name: "callbacks-duplicated", note: "every callback twice",
		before: func(f *faultRig) { f.sb.InjectCallbackFault(sandbox.CallbackFault{Kind: sandbox.CallbackDuplicate}) }},
	{name: "callbacks-reordered", note: "pairs swapped",
		before: func(f *faultRig) { f.sb.InjectCallbackFault(sandbox.CallbackFault{Kind: sandbox.CallbackReorder}) }},
	{name: "callbacks-delayed", note: "200 ms late",
		before: func(f *faultRig) {
			f.sb.InjectCallbackFault(sandbox.CallbackFault{Kind: sandbox.CallbackDelay, Delay: 200 * time.Millisecond})
		}},
	{name: "callbacks-forged", note: "bad checksums refused; reconciler repairs",
		before: func(f *faultRig) { f.sb.InjectCallbackFault(sandbox.CallbackFault{Kind: sandbox.CallbackBadChecksum}) }},
	{name: "upstream-429", note: "every endpoint, half the requests",
		before: func(f *faultRig) {
			f.sb.InjectFault(sandbox.Fault{Endpoint: "*", Kind: sandbox.FaultRateLimit, Probability: 0.5})
		}},
	{name: "upstream-500", note: "every endpoint, a third of the requests",
		before: func(f *faultRig) {
			f.sb.InjectFault(sandbox.Fault{Endpoint: "*", Kind: sandbox.FaultServerError, Probability: 0.33})
		}},
	{name: "upstream-510", note: "create and capture, a third",
		before: func(f *faultRig) {
			f.sb.InjectFault(sandbox.Fault{Endpoint: "create", Kind: sandbox.FaultGatewayError, Probability: 0.33})
			f.sb.InjectFault(sandbox.Fault{Endpoint: "capture", Kind: sandbox.FaultGatewayError, Probability: 0.33})
		}},
	{name: "upstream-lost-answers", note: "create and capture answers lost after FrontGo acted",
		before: func(f *faultRig) {
			f.sb.InjectFault(sandbox.Fault{Endpoint: "create", Kind: sandbox.FaultDropAfter, Probability: 0.5})
			f.sb.InjectFault(sandbox.Fault{Endpoint: "capture", Kind: sandbox.FaultDropAfter, Probability: 0.5})
		}},
	{name: "upstream-timeouts", note: "details and capture held past the client's 1 s timeout, a quarter",
		before: func(f *faultRig) {
			f.sb.InjectFault(sandbox.Fault{Endpoint: "details", Kind: sandbox.FaultTimeout, Latency: 1500 * time.Millisecond, Probability: 0.25})
			f.sb.InjectFault(sandbox.Fault{Endpoint: "capture", Kind: sandbox.FaultTimeout, Latency: 1500 * time.Millisecond, Probability: 0.25})
		}},
	{name: "sidecar-restart", note: "restarted after each payment (Redis keeps state)",
		mid: func(f *faultRig, _ Checkout) { f.restart() }},
	{name: "capture-deadline-passed", note: "clock moved 8 days: capture refused, state kept",
		before: func(f *faultRig) { f.lateCapture = true }},
	{name: "charge-deadline-passed", note: "clock moved 91 days after capture: charge refused, state kept",
		after: func(f *faultRig) {
			f.sb.AdvanceClock(91 * 24 * time.Hour)
			for _, r := range f.sb.Reservations() {
				resp := f.do("POST", "/v1/reservations/"+r.UUID+"/charge", shopKey, "", map[string]any{
					"lines": []any{map[string]any{"name": "Ekstra", "unitPrice": 1000, "quantity": 1, "taxRate": 25}}})
				if resp.status != 409 || !strings.Contains(string(resp.body), "paymentChargeDeadlineExceed") {
					f.t.Errorf("late charge of %s: %d %s", r.UUID, resp.status, resp.body)
				}
			}
		}},
}

// faultRig is one sidecar on Redis in front of a sandbox, restartable on
// the same address.
type faultRig struct {
	*harness
	url, prefix string
	addr        string
	srv         *Server
	ln          net.Listener
	lateCapture bool
	advanced    bool
	log         *EventLog
}

func newFaultRig(t *testing.T, redisURL, name string) *faultRig {
	t.Helper()
	sb := startSandbox(t, func(c *sandbox.Config) { c.CallbackBackoff, c.CallbackTimeout = 10*time.Millisecond, time.Second })
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	f := &faultRig{url: redisURL, prefix: "faults:" + name + ":" + fmt.Sprint(time.Now().UnixNano()) + ":", addr: ln.Addr().String(), log: &EventLog{}}
	f.harness = &harness{t: t, sb: sb, base: "http://" + f.addr, events: f.log,
		client: newHarnessClient()}
	f.start(ln)
	t.Cleanup(func() { f.srv.Shutdown(context.Background()) })
	return f
}

func (f *faultRig) start(ln net.Listener) {
	t := f.t
	cfg := testConfig(t, f.sb, f.base, nil, shopOne)
	rs, err := redisstore.New(context.Background(), redisstore.Options{URL: f.url, Prefix: f.prefix})
	if err != nil {
		t.Fatal(err)
	}
	fg, _ := frontgo.New(frontgo.Config{BaseURL: f.sb.APIBase(), Token: fgToken, Timeout: time.Second, MaxAttempts: 4,
		Sleep: func(context.Context, time.Duration) error { return nil }})
	signer, _ := signature.NewSigner([]string{"t1"}, [][]byte{[]byte("0123456789abcdef0123456789abcdef")})
	svc := NewService(cfg, Deps{Core: wasmrt.NewNative(), FrontGo: fg, Store: rs, Signer: signer,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Notifier: f.log, Now: f.sb.Now})
	t.Cleanup(func() { _ = svc.Drain(context.Background()) }) // background work ends with the test
	f.svc = svc
	f.srv, f.ln = observe(NewServer(svc, nil)), ln
	go f.srv.Serve(ln)
}

// restart stops the sidecar and starts a new one on the same address and
// store, as a process restart would.
func (f *faultRig) restart() {
	f.srv.Shutdown(context.Background())
	f.ln.Close() // Serve may not have registered it yet
	var ln net.Listener
	var err error
	for i := 0; i < 250; i++ {
		if ln, err = net.Listen("tcp", f.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		f.t.Fatal(err)
	}
	f.start(ln)
}

// order creates a checkout, retrying under the same Idempotency-Key as a
// shop would until it gets an answer that is not a temporary failure.
func (f *faultRig) order(t *testing.T, id string) Checkout {
	t.Helper()
	key := "key-" + id
	for i := 0; i < 20; i++ {
		r := f.do("POST", "/v1/checkouts", shopKey, key, checkoutReq(id))
		if r.status == 201 {
			var c Checkout
			r.json(t, &c)
			return c
		}
		if r.status < 500 && r.status != 409 {
			t.Fatalf("checkout %s: %d %s", id, r.status, r.body)
		}
		if r.header.Get("Idempotent-Replayed") == "true" && bytes.Contains(r.body, []byte(`"upstream_unknown"`)) {
			// The key keeps an unknown outcome (FrontGo failed, and so did
			// the search for what it may have made, which the sidecar
			// cancels on a later look): the shop checks and goes on under
			// a new key, as the docs say. The checkout's reservation is
			// not one this order's shopper ever saw.
			key = fmt.Sprintf("key-%s-%d", id, i)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("checkout %s never succeeded", id)
	return Checkout{}
}

func (f *faultRig) pay(t *testing.T, c Checkout) {
	t.Helper()
	if _, err := f.sb.Approve(c.ReservationUUID, "4111111111111111"); err != nil {
		t.Fatal(err)
	}
}

// capture captures everything, retrying as a shop would; an unknown
// outcome (lost answer) is resolved by reading the reservation first.
func (f *faultRig) capture(t *testing.T, c Checkout) {
	t.Helper()
	if f.lateCapture {
		if !f.advanced {
			time.Sleep(300 * time.Millisecond) // the payments' callbacks land first
			f.sb.AdvanceClock(8 * 24 * time.Hour)
			f.advanced = true
		}
		r := f.do("POST", "/v1/reservations/"+c.ReservationUUID+"/capture", shopKey, "", map[string]any{})
		if r.status != 409 || !strings.Contains(string(r.body), "paymentCaptureDeadlineExceed") {
			t.Fatalf("late capture: %d %s", r.status, r.body)
		}
		return
	}
	for i := 0; i < 20; i++ {
		if st, _ := f.sb.Inspect(c.ReservationUUID); st.Status == "CAPTURED" {
			return
		}
		r := f.do("POST", "/v1/reservations/"+c.ReservationUUID+"/capture", shopKey, "", map[string]any{})
		if r.status == 200 {
			return
		}
		if r.status < 500 && r.status != 409 {
			t.Fatalf("capture: %d %s", r.status, r.body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("capture of %s never succeeded", c.ReservationUUID)
}

// audit compares what the shop was told with FrontGo's truth.
func (f *faultRig) audit(t *testing.T, c Checkout) (lost, doubled int) {
	t.Helper()
	st, ok := f.sb.Inspect(c.ReservationUUID)
	if !ok {
		t.Fatalf("sandbox lost %s", c.ReservationUUID)
	}
	// Wait briefly for in-flight settles.
	var rec Checkout
	for deadline := time.Now().Add(3 * time.Second); ; {
		f.do("GET", "/v1/checkouts/"+c.CheckoutID, shopKey, "", nil).json(t, &rec)
		if rec.Status == st.Status || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	seen := map[string]int{}
	for _, e := range f.log.Events() {
		if e.ReservationUUID == c.ReservationUUID {
			seen[e.Status]++
		}
	}
	if rec.Status != st.Status {
		lost++
		t.Logf("%s: shop says %s, FrontGo says %s", c.ReservationUUID, rec.Status, st.Status)
	}
	want := []string{"RESERVED"}
	if st.Status == "CAPTURED" {
		want = append(want, "CAPTURED")
	}
	for _, s := range want {
		if seen[s] == 0 {
			lost++
			t.Logf("%s: the shop never heard %s", c.ReservationUUID, s)
		}
	}
	for s, n := range seen {
		if n > 1 {
			doubled += n - 1
			t.Logf("%s: the shop heard %s %d times", c.ReservationUUID, s, n)
		}
	}
	return lost, doubled
}

func newHarnessClient() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
