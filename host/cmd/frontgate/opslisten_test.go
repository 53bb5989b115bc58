package main

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestOpsListen: with -ops-listen (opsListen in a config), /healthz,
// /readyz and /metrics leave the public port for their own address, which
// serves nothing else; the metrics count the public port's requests.
func TestOpsListen(t *testing.T) {
	in := startFrontgateWith(t, "-listen", "127.0.0.1:0", "-ops-listen", "127.0.0.1:0", "-shop", "127.0.0.1:0", "-log", "text")
	m := regexp.MustCompile(`ops_listen=(127\.0\.0\.1:\d+)`).FindStringSubmatch(in.logs.String())
	if m == nil {
		t.Fatalf("the ready line names no ops address:\n%.3000s", in.logs.String())
	}
	ops := "http://" + m[1]
	get := func(url string) (int, string) {
		t.Helper()
		c := &http.Client{Timeout: 10 * time.Second}
		resp, err := c.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, p := range []string{"/healthz", "/readyz", "/metrics"} {
		if code, body := get(in.API + p); code != 404 || !strings.Contains(body, `"not_found"`) {
			t.Errorf("public %s: %d %s, want 404 not_found", p, code, body)
		}
	}
	if code, body := get(ops + "/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("ops /healthz: %d %q", code, body)
	}
	if code, body := get(ops + "/readyz"); code != 200 || !strings.Contains(body, `"ready":true`) {
		t.Errorf("ops /readyz: %d %s", code, body)
	}
	if code, body := get(ops + "/v1/checkouts"); code != 404 || !strings.Contains(body, "this address serves /healthz, /readyz and /metrics") {
		t.Errorf("ops /v1/checkouts: %d %s, want 404", code, body)
	}
	code, body := get(ops + "/metrics")
	if code != 200 {
		t.Fatalf("ops /metrics: %d", code)
	}
	// The public port's refusals above, and the ops address's own answers.
	for _, want := range []string{`frontgate_http_requests_total{route="unknown",status="404"} 4`, `frontgate_http_requests_total{route="healthz",status="200"} 1`} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
