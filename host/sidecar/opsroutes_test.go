package sidecar

import (
	"bytes"
	"testing"
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
