package sidecar

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontgate/frontgate/host/sandbox"
)

// TestLateCreateIsCancelledLater: FrontGo takes longer than the sidecar
// waits but completes the create anyway. The first search for its orphan
// finds nothing, the key is freed and the shop's retry makes a second
// reservation; the recheck a little later finds the first and cancels it,
// so one payment link stays open.
func TestLateCreateIsCancelledLater(t *testing.T) {
	var target atomic.Value
	var slowOnce atomic.Bool
	target.Store("")
	release := make(chan struct{})
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		slow := strings.Contains(r.URL.Path, "/submit") && r.Method == "POST" && slowOnce.CompareAndSwap(false, true)
		if slow {
			<-r.Context().Done() // the sidecar gives up on it…
			<-release            // …and FrontGo makes it anyway, later
		}
		req, _ := http.NewRequest(r.Method, target.Load().(string)+r.URL.RequestURI(), bytes.NewReader(body))
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(b)
	}))
	defer proxy.Close()
	h := newHarness(t, native(), func(c *Config, _ *sandbox.Config) {
		if c.PublicURL != "" { // the sidecar's config, not the sandbox's
			c.FrontGo.BaseURL = proxy.URL + "/api/v1"
			c.orphanRecheck = 2 * time.Second
		}
	})
	target.Store(strings.TrimSuffix(h.sb.APIBase(), "/api/v1"))
	req := checkoutReq("8801")
	req["mode"] = "link"
	delete(req, "returnUrls")
	if r := h.do("POST", "/v1/checkouts", shopKey, "slow-1", req); r.status != 504 || !bytes.Contains(r.body, []byte("retry with the same Idempotency-Key")) {
		t.Fatalf("first: %d %s", r.status, r.body)
	}
	if r := h.do("POST", "/v1/checkouts", shopKey, "slow-1", req); r.status != 201 {
		t.Fatalf("retry: %d %s", r.status, r.body)
	}
	close(release) // the late create lands now, after the first search
	deadline := time.Now().Add(15 * time.Second)
	for {
		live, all := 0, h.sb.Reservations()
		for _, s := range all {
			if s.Status == "SENT" {
				live++
			}
		}
		if len(all) == 2 && live == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d reservations, %d live; want the late one cancelled by the recheck", len(all), live)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
