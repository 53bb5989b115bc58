package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/frontgate/frontgate/plugin/reservation"
)

func (f *fixture) fault(flt Fault) int {
	f.t.Helper()
	id, err := f.sb.InjectFault(flt)
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

// requestFor returns a well-formed request for each endpoint against
// reservation uuid (whose first product is id).
func (f *fixture) requestFor(op, uuid string, id int64) (method, path, body string) {
	switch op {
	case reservation.OpSubmit, reservation.OpCreate:
		return "POST", op, build(f.t, op, order(f.t, defaultLines, ""))
	case reservation.OpDetails:
		return "GET", "details/" + uuid, ""
	case reservation.OpCapture:
		return "POST", "capture/" + uuid, f.captureBody(uuid, la(id, 100))
	case reservation.OpCharge:
		return "POST", "charge/" + uuid, f.chargeBody(uuid, 100)
	case reservation.OpCancel, reservation.OpComplete:
		return "POST", op + "/" + uuid, noteBody("x")
	case reservation.OpResend:
		return "POST", "resend/" + uuid, `{"email":"kari@example.no"}`
	case reservation.OpRefund:
		return "POST", "refund/" + uuid, f.refundBody(uuid, "captured", "CAP1000000000", la(id, 100))
	}
	return "GET", "history", ""
}

func TestDocumentedErrorBodies(t *testing.T) {
	// The bodies are the reference's, byte for byte.
	files := map[string]string{
		"submit/500": "submit-500-internalErrorOccurredPleaseTryAgainLater.json",
		"create/500": "create-500-internalErrorOccurredPleaseTryAgainLater.json",
		"submit/510": "submit-510-payment-gateway-error-not-json.json",
		"create/510": "create-510-payment-gateway-error.json",
		"refund/510": "refund-510-somethingWentWrong.json",
	}
	for _, op := range []string{"details", "capture", "charge", "cancel", "complete", "resend"} {
		files[op+"/510"] = op + "-510-something-went-wrong.json"
	}
	for k, file := range files {
		op, code, _ := strings.Cut(k, "/")
		n := 500
		if code == "510" {
			n = 510
		}
		if got, want := DocumentedErrorBody(op, n), string(readResponse(t, file)); got != want {
			t.Errorf("%s: body differs from %s:\n%s", k, file, got)
		}
	}
}

func TestErrorFaultsEveryEndpoint(t *testing.T) {
	f := newFixture(t)
	uuid, d := f.reserved(defaultLines, "")
	id := d.Products[0].ID
	for _, op := range Endpoints {
		for _, kind := range []FaultKind{FaultServerError, FaultGatewayError} {
			f.fault(Fault{Endpoint: op, Kind: kind, Times: 1})
			method, path, body := f.requestFor(op, uuid, id)
			resp := f.call(method, path, body)
			_, err := reservation.ParseAck(op, resp)
			var e *reservation.APIError
			if !errors.As(err, &e) {
				t.Fatalf("%s %s: %v", op, kind, err)
			}
			switch kind {
			case FaultServerError:
				if e.HTTPStatus != 500 || e.Kind != reservation.KindServer || e.MessageKey != reservation.MsgInternalError {
					t.Errorf("%s 500: %+v", op, e)
				}
			case FaultGatewayError:
				if e.HTTPStatus != 510 || e.Kind != reservation.KindDependency || e.MessageKey == "" || string(resp.Body) != DocumentedErrorBody(op, 510) {
					t.Errorf("%s 510: %+v", op, e)
				}
				// A write's 5xx leaves its outcome unknown: not to be
				// retried blindly. A read's may be.
				if write := reservation.IsWrite(op); reservation.IsRetryable(err) == write || reservation.IsOutcomeUnknown(err) != write {
					t.Errorf("%s 510: retryable %v, outcome unknown %v", op, reservation.IsRetryable(err), reservation.IsOutcomeUnknown(err))
				}
			}
		}
	}
	// Faults with Times: 1 are used up; the state is untouched.
	if len(f.sb.Faults()) != 0 {
		t.Errorf("faults left %+v", f.sb.Faults())
	}
	if d := f.details(uuid); d.Status != "RESERVED" {
		t.Errorf("status %s", d.Status)
	}
	// Submit's documented 510 is not JSON; the core still recovers the key.
	f.fault(Fault{Endpoint: "submit", Kind: FaultGatewayError, Times: 1})
	_, err := reservation.ParseSubmit(f.call("POST", "submit", build(t, "submit", order(t, defaultLines, ""))))
	wantAPIError(t, err, 510, reservation.KindDependency, "Payment Gateway Error(Submit Payment): Failed to Create Payment Link")
}

func TestRateLimitFault(t *testing.T) {
	f := newFixture(t)
	f.fault(Fault{Endpoint: "history", Kind: FaultRateLimit, Times: 2, RetryAfter: 7})
	for i := range 3 {
		resp, body := f.raw("GET", APIPrefix+"history", "", "Bearer "+testToken)
		if i == 2 {
			if resp.StatusCode != 200 {
				t.Errorf("third request: %d", resp.StatusCode)
			}
			break
		}
		h := resp.Header
		if resp.StatusCode != 429 || h.Get("Retry-After") != "7" || h.Get("X-Ratelimit-Limit") != "240" || h.Get("X-Ratelimit-Remaining") != "0" {
			t.Errorf("429: %d %v", resp.StatusCode, h)
		}
		_, err := reservation.ParseHistory(reservation.Response{Status: resp.StatusCode, Body: body})
		wantAPIError(t, err, 429, reservation.KindRateLimited, "tooManyAttempts")
	}
	// Other endpoints are unaffected.
	if resp := f.call("POST", "submit", "{}"); resp.Status != 417 {
		t.Errorf("submit: %d", resp.Status)
	}
}

func TestLatencyFault(t *testing.T) {
	f := newFixture(t)
	f.fault(Fault{Endpoint: "*", Kind: FaultLatency, Latency: 150 * time.Millisecond, Times: 1})
	f.fault(Fault{Endpoint: "history", Kind: FaultLatency, Latency: 100 * time.Millisecond, Times: 1})
	start := time.Now()
	if resp := f.call("GET", "history", ""); resp.Status != 200 {
		t.Fatalf("status %d", resp.Status)
	}
	if el := time.Since(start); el < 250*time.Millisecond {
		t.Errorf("latencies add up: took %v", el)
	}
	start = time.Now()
	f.call("GET", "history", "")
	if el := time.Since(start); el > 100*time.Millisecond {
		t.Errorf("latency after the faults expired: %v", el)
	}
}

func TestTimeoutAndDropFaults(t *testing.T) {
	f := newFixture(t)
	client := &http.Client{Timeout: 300 * time.Millisecond}
	get := func() error {
		req, _ := http.NewRequest("GET", f.base+APIPrefix+"history", nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	f.fault(Fault{Endpoint: "history", Kind: FaultTimeout, Latency: 5 * time.Second, Times: 1})
	start := time.Now()
	if err := get(); err == nil || !strings.Contains(err.Error(), "Timeout") {
		t.Errorf("timeout fault: %v", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("the client gave up after %v", el)
	}
	f.fault(Fault{Endpoint: "history", Kind: FaultDrop, Times: 1})
	if err := get(); err == nil {
		t.Error("drop fault answered")
	}
	if err := get(); err != nil {
		t.Errorf("after the faults: %v", err)
	}
}

func TestDropBeforeAndAfter(t *testing.T) {
	f := newFixture(t)
	body := build(t, "submit", order(t, defaultLines, ""))
	post := func() error {
		req, _ := http.NewRequest("POST", f.base+APIPrefix+"submit", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := f.hc.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	f.fault(Fault{Endpoint: "submit", Kind: FaultDrop, Times: 1})
	if err := post(); err == nil {
		t.Fatal("drop answered")
	}
	if n := len(f.sb.Reservations()); n != 0 {
		t.Errorf("a dropped request had an effect: %d reservations", n)
	}
	f.fault(Fault{Endpoint: "submit", Kind: FaultDropAfter, Times: 1})
	if err := post(); err == nil {
		t.Fatal("drop_after answered")
	}
	if n := len(f.sb.Reservations()); n != 1 {
		t.Errorf("drop_after: %d reservations, want the lost response's 1", n)
	}
}

func TestFaultProbability(t *testing.T) {
	f := newFixture(t)
	f.fault(Fault{Endpoint: "details", Kind: FaultServerError, Probability: 0.5})
	fails := 0
	for range 40 {
		if f.call("GET", "details/RES1000000001", "").Status == 500 {
			fails++
		}
	}
	if fails < 8 || fails > 32 {
		t.Errorf("%d of 40 failed at p=0.5", fails)
	}
	if fl := f.sb.Faults(); len(fl) != 1 || fl[0].Hits != fails {
		t.Errorf("hits %+v, fails %d", fl, fails)
	}
	f.sb.ClearFaults()
	if f.call("GET", "details/RES1000000001", "").Status != 404 {
		t.Error("cleared fault still applies")
	}
}

func TestFaultValidation(t *testing.T) {
	f := newFixture(t)
	for _, fl := range []Fault{{Endpoint: "nope", Kind: FaultDrop}, {Endpoint: "*", Kind: "explode"}, {Endpoint: "*", Kind: FaultDrop, Times: -1}, {Endpoint: "*", Kind: FaultDrop, Probability: 1.5}} {
		if _, err := f.sb.InjectFault(fl); !errors.Is(err, ErrBadFault) {
			t.Errorf("%+v: %v", fl, err)
		}
	}
	id := f.fault(Fault{Endpoint: "*", Kind: FaultDrop})
	if !f.sb.RemoveFault(id) || f.sb.RemoveFault(id) {
		t.Error("remove")
	}
}

func TestClockAndReset(t *testing.T) {
	f := newFixture(t)
	if !f.sb.Now().Equal(t0) {
		t.Fatalf("now %v", f.sb.Now())
	}
	if now, err := f.sb.AdvanceClock(36 * time.Hour); err != nil || !now.Equal(t0.Add(36*time.Hour)) {
		t.Errorf("advance: %v %v", now, err)
	}
	if _, err := f.sb.AdvanceClock(-time.Second); !errors.Is(err, ErrNegativeAdvance) {
		t.Errorf("backwards: %v", err)
	}
	f.sb.Reset()
	if !f.sb.Now().Equal(t0) {
		t.Errorf("reset clock %v", f.sb.Now())
	}
	rc := newReceiver(t)
	uuid, _ := f.reserved(defaultLines, rc.url())
	waitCallbacks(t, f.sb, 1)
	f.fault(Fault{Endpoint: "*", Kind: FaultDrop})
	f.cbFault(CallbackFault{Kind: CallbackDrop})
	f.sb.Reset()
	if len(f.sb.Reservations()) != 0 || len(f.sb.Faults()) != 0 || len(f.sb.CallbackFaults()) != 0 || len(f.sb.Callbacks()) != 0 {
		t.Error("reset left state")
	}
	if _, ok := f.sb.Inspect(uuid); ok {
		t.Error("reservation survived reset")
	}
	if d := f.call("GET", "details/"+uuid, ""); d.Status != 404 {
		t.Errorf("details after reset: %d", d.Status)
	}
	// Identifiers are not reissued after a reset.
	if again := f.create("submit", order(t, defaultLines, "")); again.ReservationUUID == uuid {
		t.Error("identifier reissued")
	}
}

func TestControlPlane(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.ControlToken = "control-token" })
	ctx := context.Background()
	ctl := NewControl(f.base, "control-token", nil)

	if _, err := NewControl(f.base, testToken, nil).Now(ctx); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("API token on the control plane: %v", err)
	}
	now, err := ctl.Now(ctx)
	if err != nil || !now.Equal(t0) {
		t.Fatalf("now %v %v", now, err)
	}
	rc := newReceiver(t)
	c := f.session(rc, defaultLines)
	if res, err := ctl.Approve(ctx, c.ReservationUUID, ""); err != nil || res.Outcome != OutcomeApproved || res.Status != "RESERVED" {
		t.Fatalf("approve %+v %v", res, err)
	}
	if _, err := ctl.Approve(ctx, c.ReservationUUID, ""); !errors.Is(err, ErrNotPayable) {
		t.Errorf("approve twice: %v", err)
	}
	if _, err := ctl.Approve(ctx, "RES1234567890", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("approve unknown: %v", err)
	}
	c2 := f.session(nil, defaultLines)
	if res, err := ctl.Decline(ctx, c2.ReservationUUID); err != nil || res.Outcome != OutcomeDeclined || res.Status != "SENT" {
		t.Errorf("decline %+v %v", res, err)
	}
	if res, err := ctl.Approve(ctx, c2.ReservationUUID, CardChallenge); err != nil || res.Status != "RESERVED NOT PAID" {
		t.Errorf("challenge %+v %v", res, err)
	}
	if res, err := ctl.Challenge(ctx, c2.ReservationUUID, false); err != nil || res.Outcome != OutcomeDeclined || res.Status != "RESERVED NOT PAID" {
		t.Errorf("failed challenge %+v %v", res, err)
	}

	st, err := ctl.Inspect(ctx, c.ReservationUUID)
	if err != nil || st.Status != "RESERVED" || st.Reserved != amt(t, "2449.85") || st.CaptureRunway != st.Reserved ||
		!st.CaptureDeadline.Equal(t0.Add(7*day)) || !st.ChargeDeadline.Equal(t0.Add(90*day)) || len(st.Lines) != 2 {
		t.Errorf("inspect %+v %v", st, err)
	}
	if _, err := ctl.Inspect(ctx, "RES1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("inspect unknown: %v", err)
	}
	list, err := ctl.Reservations(ctx)
	if err != nil || len(list) != 2 {
		t.Errorf("list %+v %v", list, err)
	}
	recs, err := ctl.WaitCallbacks(ctx, 1, 5*time.Second)
	if err != nil || len(recs) != 1 || !recs[0].Delivered {
		t.Errorf("callbacks %+v %v", recs, err)
	}
	if _, err := ctl.WaitCallbacks(ctx, 5, 50*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting for too many: %v", err)
	}

	id, err := ctl.InjectFault(ctx, Fault{Endpoint: "details", Kind: FaultLatency, Latency: 20 * time.Millisecond, Times: 2})
	if err != nil || id == 0 {
		t.Fatal(id, err)
	}
	if fl, err := ctl.Faults(ctx); err != nil || len(fl) != 1 || fl[0].Latency != 20*time.Millisecond || fl[0].Times != 2 {
		t.Errorf("faults %+v %v", fl, err)
	}
	if _, err := ctl.InjectFault(ctx, Fault{Endpoint: "details", Kind: "explode"}); err == nil || !strings.Contains(err.Error(), "400") {
		t.Errorf("bad fault: %v", err)
	}
	if err := ctl.ClearFaults(ctx); err != nil || len(f.sb.Faults()) != 0 {
		t.Errorf("clear: %v", err)
	}
	if _, err := ctl.InjectCallbackFault(ctx, CallbackFault{Kind: CallbackDelay, Delay: time.Second}); err != nil {
		t.Error(err)
	}
	if cf := f.sb.CallbackFaults(); len(cf) != 1 || cf[0].Delay != time.Second {
		t.Errorf("callback faults %+v", cf)
	}
	if err := ctl.ClearCallbackFaults(ctx); err != nil || len(f.sb.CallbackFaults()) != 0 {
		t.Errorf("clear callback faults: %v", err)
	}

	now, err = ctl.AdvanceClock(ctx, 8*day)
	if err != nil || !now.Equal(t0.Add(8*day)) {
		t.Errorf("advance %v %v", now, err)
	}
	_, err = f.capture(c.ReservationUUID, la(st.Lines[0].ID, 100))
	wantAPIError(t, err, 400, reservation.KindBusiness, reservation.MsgCaptureDeadlineExceeded)

	if err := ctl.Reset(ctx); err != nil || len(f.sb.Reservations()) != 0 || !f.sb.Now().Equal(t0) {
		t.Errorf("reset %v", err)
	}
	for _, p := range []string{"clock", "reservations", "faults", "callbacks?wait=x"} {
		resp, _ := f.raw("GET", ControlPrefix+p, "", "Bearer nope")
		if resp.StatusCode != 401 {
			t.Errorf("%s without the token: %d", p, resp.StatusCode)
		}
	}
	resp, _ := f.raw("POST", ControlPrefix+"faults", `{"endpoint":"*","kind":"drop","bogus":1}`, "Bearer control-token")
	if resp.StatusCode != 400 {
		t.Errorf("unknown field: %d", resp.StatusCode)
	}
}

func TestControlPlaneOffByDefault(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.Control = false })
	resp, _ := f.raw("GET", ControlPrefix+"clock", "", "Bearer "+testToken)
	if resp.StatusCode != 404 {
		t.Errorf("control plane answered %d while disabled", resp.StatusCode)
	}
}

// TestControlIndex: GET /_sandbox/ lists the control plane's endpoints,
// the same ones ControlPrefix's documentation lists.
func TestControlIndex(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.ControlToken = "control-token" })
	req, _ := http.NewRequest("GET", f.base+ControlPrefix, nil)
	req.Header.Set("Authorization", "Bearer control-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var idx struct{ Endpoints []string }
	if err := json.NewDecoder(resp.Body).Decode(&idx); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", ControlPrefix, resp.StatusCode, err)
	}
	src, err := os.ReadFile("control.go")
	if err != nil {
		t.Fatal(err)
	}
	key := func(line string) string { // "METHOD path"
		f := strings.Fields(line)
		return f[0] + " " + f[1]
	}
	var documented []string
	for _, m := range regexp.MustCompile(`(?m)^//\t((?:GET|POST|DELETE) +/_sandbox/\S+)`).FindAllStringSubmatch(string(src), -1) {
		documented = append(documented, key(m[1]))
	}
	var served []string
	for _, e := range idx.Endpoints {
		served = append(served, key(e))
	}
	if fmt.Sprint(documented) != fmt.Sprint(served) {
		t.Errorf("the index lists\n%v\nthe documentation\n%v", served, documented)
	}
}
