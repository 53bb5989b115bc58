package sidecar

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/frontgate/frontgate/host/sandbox"
)

// TestAnonymousBodyIsNotWaitedFor: a request without a shop's API key that
// declares a large body and sends none of it is answered at once, so it
// cannot hold a buffer of maxBodyBytes (allocated before the body is read)
// for readTimeout; a shop's request may still send its body slowly.
func TestAnonymousBodyIsNotWaitedFor(t *testing.T) {
	h := newHarness(t, native(), func(c *Config, _ *sandbox.Config) { c.ReadTimeout = Duration(2 * time.Second) })
	addr := strings.TrimPrefix(h.base, "http://")
	send := func(head string) (*http.Response, time.Duration) {
		t.Helper()
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		start := time.Now()
		conn.Write([]byte(head))
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("%q: %v", head, err)
		}
		return resp, time.Since(start)
	}
	for _, head := range []string{
		"POST /v1/checkouts HTTP/1.1\r\nHost: x\r\nContent-Length: 262144\r\n\r\n",
		"POST /v1/checkouts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer not-a-shops-key-at-all\r\nContent-Length: 262144\r\n\r\n",
		"POST /v1/frontgo/callback/x HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n",
	} {
		// 413, not the 408 of a body waited for until readTimeout.
		if resp, took := send(head); resp.StatusCode != 413 {
			t.Errorf("%q: %d after %v, want 413 at once", head, resp.StatusCode, took)
		}
	}
	// A shop's key: the body is waited for (and, never sent, times out).
	resp, took := send("POST /v1/checkouts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + shopKey + "\r\nContent-Length: 262144\r\n\r\n")
	if resp.StatusCode != 408 {
		t.Errorf("a shop's request: %d after %v, want 408 after readTimeout", resp.StatusCode, took)
	}
	// Small anonymous bodies are read and refused as before.
	if r := h.do("POST", "/v1/checkouts", "", "", map[string]any{"orderId": "1"}); r.status != 401 {
		t.Errorf("anonymous checkout: %d %s", r.status, r.body)
	}
}
