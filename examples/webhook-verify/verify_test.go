// Package webhookverify_test runs the PHP and Node verification snippets
// against webhooks signed by the sidecar's own code.
package webhookverify_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontgate/frontgate/adapters/webhook"
	"github.com/frontgate/frontgate/host/sidecar"
	"github.com/frontgate/frontgate/host/signature"
)

func need(t *testing.T, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("FRONTGATE_REQUIRE_ALL") == "1" {
			t.Fatalf("%s is not on PATH and FRONTGATE_REQUIRE_ALL=1", tool)
		}
		t.Skipf("%s is not on PATH", tool)
	}
	return p
}

func TestSnippets(t *testing.T) {
	secret, old := "whsec-example-0123456789abcdef01", "whsec-previous-0123456789abcdef0"
	now := time.Unix(1_772_456_800, 0)
	ev := sidecar.Event{Type: "reservation.captured", Shop: "shop1", OrderID: "1042", CheckoutID: "chk_1",
		ReservationUUID: "RSRV4U5PLMTN", Status: "CAPTURED", PreviousStatus: "RESERVED", Via: "callback", At: now.UTC(),
		Details: json.RawMessage(`{"customer":{"name":"Kari Nordmann – Åsgårdstrand"}}`)}
	id := webhook.EventID(ev.ReservationUUID, ev.Status)
	body, err := webhook.DefaultBody(id, ev)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, header, body, secrets string
		now                         time.Time
		want                        string
	}{
		{"valid", signature.SignWebhook(body, now, []byte(secret)), string(body), secret, now, "ok " + id + " CAPTURED"},
		{"rotation: signed with both", signature.SignWebhook(body, now, []byte(secret), []byte(old)), string(body), old, now, "ok " + id + " CAPTURED"},
		{"rotation: receiver knows both", signature.SignWebhook(body, now, []byte(old)), string(body), secret + "," + old, now, "ok " + id + " CAPTURED"},
		{"tampered", signature.SignWebhook(body, now, []byte(secret)), strings.Replace(string(body), "1042", "1043", 1), secret, now, "refused: invalid"},
		{"wrong secret", signature.SignWebhook(body, now, []byte(old)), string(body), secret, now, "refused: invalid"},
		{"expired", signature.SignWebhook(body, now, []byte(secret)), string(body), secret, now.Add(6 * time.Minute), "refused: expired"},
		{"malformed", "t=1772456800,v1=beef", string(body), secret, now, "refused: malformed"},
		{"no secret", signature.SignWebhook(body, now, []byte(secret)), string(body), "", now, "refused: no_key"},
	}
	// The PHP snippet promises no extension beyond hash: it runs as well on
	// a PHP built without ctype (Alpine's packages leave it out).
	for _, tool := range []struct {
		name, bin string
		args      []string
	}{
		{"php", "php", []string{"verify.php"}},
		{"php without ctype", "php", []string{"-d", "disable_functions=ctype_alnum,ctype_alpha,ctype_digit,ctype_xdigit", "verify.php"}},
		{"node", "node", []string{"verify.mjs"}},
	} {
		t.Run(tool.name, func(t *testing.T) {
			bin := need(t, tool.bin)
			for _, c := range cases {
				cmd := exec.Command(bin, append(tool.args, c.header)...)
				cmd.Stdin = bytes.NewReader([]byte(c.body))
				cmd.Env = append(os.Environ(), "FRONTGATE_WEBHOOK_SECRET="+c.secrets, "FRONTGATE_NOW="+strconv.FormatInt(c.now.Unix(), 10))
				out, _ := cmd.CombinedOutput()
				if got := strings.TrimSpace(string(out)); got != c.want {
					t.Errorf("%s: %q, want %q", c.name, got, c.want)
				}
			}
		})
	}
}
