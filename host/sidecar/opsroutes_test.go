package sidecar

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// TestOpsRoutesMethods: /healthz, /readyz and /metrics answer GET and HEAD
// and refuse other methods like every route (405 with Allow), so a
// misdirected POST is not told "ok".
func TestOpsRoutesMethods(t *testing.T) {
	h := newHarness(t, native())
	for _, p := range []string{"/healthz", "/readyz", "/metrics"} {
		if r := h.do("GET", p, "", "", nil); r.status != 200 {
			t.Errorf("GET %s: %d", p, r.status)
		}
		if r := h.do("HEAD", p, "", "", nil); r.status != 200 || len(r.body) != 0 {
			t.Errorf("HEAD %s: %d, %d bytes", p, r.status, len(r.body))
		}
		for _, m := range []string{"POST", "DELETE"} {
			r := h.do(m, p, "", "", nil)
			if r.status != 405 || r.header.Get("Allow") != "GET, HEAD" || !bytes.Contains(r.body, []byte(`"method_not_allowed"`)) {
				t.Errorf("%s %s: %d Allow %q %s", m, p, r.status, r.header.Get("Allow"), r.body)
			}
		}
	}
}

// TestReadyzDuringShutdown: once Shutdown begins, /readyz answers 503
// naming it, so a balancer stops sending requests while those in flight
// finish (the opsListen address still answers until the public one has
// closed).
func TestReadyzDuringShutdown(t *testing.T) {
	h := newHarness(t, native())
	srv := NewServer(h.svc, func(context.Context) map[string]string { return nil })
	readyz := func() (int, string) {
		var fc fasthttp.RequestCtx
		fc.Request.Header.SetMethod("GET")
		fc.Request.SetRequestURI("/readyz")
		srv.OpsHandler()(&fc)
		return fc.Response.StatusCode(), string(fc.Response.Body())
	}
	if code, body := readyz(); code != 200 {
		t.Fatalf("before shutdown: %d %s", code, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if code, body := readyz(); code != 503 || !strings.Contains(body, `"shutdown"`) {
		t.Fatalf("during shutdown: %d %s", code, body)
	}
}
