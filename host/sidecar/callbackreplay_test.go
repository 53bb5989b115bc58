package sidecar

import (
	"context"
	"regexp"
	"strings"
	"testing"
)

// TestCallbackReplayVariantsSpareTheRateLimit: a settled callback replayed
// in another spelling of the same query (an empty segment added, an escape
// where a plain byte was, the checksum in upper case) is the same callback,
// answered from its mark without a GET details.
func TestCallbackReplayVariantsSpareTheRateLimit(t *testing.T) {
	h := newHarness(t, native())
	c := h.checkout("7101")
	h.approve(c, "4111111111111111")
	recs, err := h.sb.WaitCallbacks(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	cbURL := recs[0].URL
	h.waitStatus(c.CheckoutID, "RESERVED")
	details := func() string {
		m := regexp.MustCompile(`frontgate_upstream_requests_total\{op="details",status="200"\} (\d+)`).FindStringSubmatch(string(h.get(h.base + "/metrics").body))
		if m == nil {
			return "0"
		}
		return m[1]
	}
	// The first delivery may still be settling: a replay of it waits.
	if r := h.get(cbURL); r.status != 200 {
		t.Fatalf("replay: %d %s", r.status, r.body)
	}
	before := details()
	path, query, _ := strings.Cut(cbURL, "?")
	sum := regexp.MustCompile(`checksum=([0-9a-fA-F]{64})`).FindStringSubmatch(query)[1]
	variants := []string{
		query + "&",
		"&" + query,
		strings.Replace(query, "&", "&&", 1),
		strings.Replace(query, "orderUuid=RES", "orderUuid=%52ES", 1),
		strings.Replace(query, "status=", "%73tatus=", 1),
		strings.Replace(query, sum, strings.ToUpper(sum), 1),
	}
	for i := range 20 {
		variants = append(variants, query+strings.Repeat("&", i+2))
	}
	for _, v := range variants {
		r := h.get(path + "?" + v)
		if r.status != 200 || !strings.Contains(string(r.body), `"duplicate"`) {
			t.Errorf("variant %q: %d %s", v, r.status, r.body)
		}
	}
	if after := details(); after != before {
		t.Fatalf("%d replays in other spellings asked FrontGo for details: %s → %s", len(variants), before, after)
	}
}

func TestCallbackSumIgnoresSpelling(t *testing.T) {
	const sum = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	for _, q := range []string{
		"orderUuid=RES1&status=RESERVED&checksum=" + sum,
		"?orderUuid=RES1&&status=RESERVED&checksum=" + strings.ToUpper(sum) + "&",
		"orderUuid=%52ES1&status=RESERVED&%63hecksum=" + sum + "&extra=1", // legacy schemes sign no extra
	} {
		if got := callbackSum(q); got != sum {
			t.Errorf("callbackSum(%q) = %q, want %q", q, got, sum)
		}
	}
}
