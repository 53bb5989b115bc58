package sidecar

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontgate/frontgate/host/sandbox"
)

// heldDetails is a proxy in front of the sandbox that, when armed, holds
// the next details answer (read from the sandbox) until released.
type heldDetails struct {
	mu      sync.Mutex
	armed   bool
	held    chan struct{}
	release chan struct{}
}

func (p *heldDetails) opt(t *testing.T) harnessOpt {
	return func(c *Config, _ *sandbox.Config) {
		if c.FrontGo.BaseURL == "" {
			return
		}
		target, _ := url.Parse(c.FrontGo.BaseURL)
		rp := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.URL.Path = r.In.URL.Path
		}}
		rp.ModifyResponse = func(resp *http.Response) error {
			if !strings.Contains(resp.Request.URL.Path, "/details/") {
				return nil
			}
			p.mu.Lock()
			armed := p.armed
			p.armed = false
			p.mu.Unlock()
			if armed {
				close(p.held)
				<-p.release
			}
			return nil
		}
		srv := httptest.NewServer(rp)
		t.Cleanup(srv.Close)
		c.FrontGo.BaseURL = srv.URL + target.Path
	}
}

func (p *heldDetails) arm() {
	p.mu.Lock()
	p.armed, p.held, p.release = true, make(chan struct{}), make(chan struct{})
	p.mu.Unlock()
}

// TestReturnAfterNewerSettle: the shopper's return reads the reservation
// RESERVED, and before it settles, the shop captures and that capture is
// told. The return's details are then older than what the shop was told
// (stale): the shopper must not be sent back with the record's status from
// before the return (SENT, "not paid").
func TestReturnAfterNewerSettle(t *testing.T) {
	p := &heldDetails{}
	h := newHarness(t, native(), p.opt(t))
	if _, err := h.sb.InjectCallbackFault(sandbox.CallbackFault{Kind: sandbox.CallbackDrop}); err != nil {
		t.Fatal(err)
	}
	c := h.checkout("9901")
	back := h.approve(c, "4111111111111111")
	p.arm()
	var loc string
	done := make(chan struct{})
	go func() {
		defer close(done)
		loc = h.get(back).header.Get("Location")
	}()
	<-p.held // the return has FrontGo's answer: RESERVED
	if r := h.do("POST", "/v1/reservations/"+c.ReservationUUID+"/capture", shopKey, "cap", map[string]any{}); r.status != 200 {
		t.Fatalf("capture: %d %s", r.status, r.body)
	}
	h.waitStatus(c.CheckoutID, "CAPTURED")
	for deadline := time.Now().Add(3 * time.Second); strings.Join(h.eventsFor(c.ReservationUUID), ",") != "RESERVED,CAPTURED"; {
		if time.Now().After(deadline) {
			t.Fatalf("events %v", h.eventsFor(c.ReservationUUID))
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(p.release)
	<-done
	u, _ := url.Parse(loc)
	if got := u.Query().Get("frontgate_status"); got != "CAPTURED" {
		t.Fatalf("the shopper was sent to %s: frontgate_status %q, the reservation is CAPTURED", loc, got)
	}
}
