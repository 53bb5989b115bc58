package woocommerce

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/frontgate/frontgate/plugin/status"
)

// The plugin decides which events arrived late by the core's rule
// (status.Newer), for every pair of distinct statuses: it ranked
// PARTIAL REFUNDED above CHARGED and COMPLETED once, and dropped a charge
// made after a partial refund as stale.
func TestPHPStaleAgreesWithGoStatus(t *testing.T) {
	php := need(t, "php")
	all := []string{"SENT", "RESERVED NOT PAID", "RESERVED", "CAPTURED", "CHARGED", "COMPLETED", "CANCELLED", "EXPIRED",
		"REFUNDED", "PARTIAL REFUNDED"}
	var pairs [][2]string
	var want []string
	for _, cur := range all {
		for _, st := range all {
			if st == cur {
				continue
			}
			known, err1 := status.Parse(cur)
			incoming, err2 := status.Parse(st)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			pairs = append(pairs, [2]string{st, cur})
			if status.Newer(known, incoming) {
				want = append(want, "news")
			} else {
				want = append(want, "stale")
			}
		}
	}
	in, _ := json.Marshal(pairs)
	cmd := exec.Command(php, "plugin/tests/go-stale.php")
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("php: %v\n%s", err, out)
	}
	got := strings.Fields(strings.ReplaceAll(string(out), "\n", " "))
	if len(got) != len(want) {
		t.Fatalf("php printed %d answers for %d pairs:\n%s", len(got), len(want), out)
	}
	for i, p := range pairs {
		if got[i] != want[i] {
			t.Errorf("%s after %s: PHP says %s, the core %s", p[0], p[1], got[i], want[i])
		}
	}
}
