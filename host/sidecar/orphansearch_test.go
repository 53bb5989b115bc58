package sidecar

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
)

// countCore counts the core's calls of one function.
type countCore struct {
	panicCore
	count string
	n     atomic.Int64
}

func (c *countCore) Call(ctx context.Context, fn string, in []byte) ([]byte, error) {
	if fn == c.count {
		c.n.Add(1)
	}
	return c.panicCore.Call(ctx, fn, in)
}

// A sidecar that stopped with many checkouts in flight leaves as many
// orphans. Each retry looks for its own among the reservations no checkout
// holds; a reservation's reference never changes, so each is asked about
// once, not once for every lost checkout (FrontGo's rate limit, which all
// of the account's requests share, would be spent on the search).
func TestLostCheckoutsSearchEachOrphanOnce(t *testing.T) {
	cc := &countCore{panicCore: panicCore{Core: native(), fn: "parse_submit"}, count: "build_details"}
	h := newHarness(t, cc)
	const n = 8
	reqs := make([]map[string]any, n)
	cc.armed.Store(true)
	for i := range reqs {
		reqs[i] = checkoutReq(fmt.Sprintf("os-%d", i))
		reqs[i]["mode"] = "link"
		delete(reqs[i], "returnUrls")
		if r := h.do("POST", "/v1/checkouts", shopKey, "", reqs[i]); r.status != 500 {
			t.Fatalf("panic: %d %s", r.status, r.body)
		}
	}
	cc.armed.Store(false)
	for _, req := range reqs {
		if r := h.do("POST", "/v1/checkouts", shopKey, "", req); r.status != 201 {
			t.Fatalf("retry: %d %s", r.status, r.body)
		}
	}
	live := 0
	for _, res := range h.sb.Reservations() {
		if res.Status != "CANCELLED" {
			live++
		}
	}
	// Each orphan read once for its reference, and once more by its own
	// checkout's search; not n×n.
	if got := cc.n.Load(); live != n || got > 2*n {
		t.Fatalf("%d live reservations (want %d); %d details calls, want at most %d", live, n, got, 2*n)
	}
}
