package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontgate/frontgate/host/sandbox"
	"github.com/frontgate/frontgate/host/signature"
)

// TestConfiguredShopGetsSignedWebhooks runs the binary's run() with a
// config file (not the built-in demo): a shop with a webhookUrl receives the
// reservation's confirmed states as webhooks it can verify, once each, and
// a webhook endpoint that fails at first is retried until it acknowledges.
func TestConfiguredShopGetsSignedWebhooks(t *testing.T) {
	const whSecret = "webhook-secret-0123456789"
	var mu sync.Mutex
	var got []string
	failures := 2
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := signature.VerifyWebhook(r.Header.Get(signature.WebhookHeader), body, []byte(whSecret), 0, time.Now()); err != nil {
			t.Errorf("webhook signature: %v", err)
			w.WriteHeader(401)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if failures > 0 { // the shop is down for a while
			failures--
			w.WriteHeader(503)
			return
		}
		var ev struct{ Status string }
		json.Unmarshal(body, &ev)
		got = append(got, ev.Status)
	}))
	defer hook.Close()
	cs := startConfigured(t, hook.URL+"/hook", whSecret, "")
	cs.reserve(t, "w1")
	for deadline := time.Now().Add(40 * time.Second); ; {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no webhook acknowledged")
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(got, ",") != "RESERVED" {
		t.Fatalf("webhooks = %v, want one RESERVED", got)
	}
}

// configured is the binary's run() started on a config file: shop s1 with
// a webhookUrl, the sandbox behind it.
type configured struct {
	base string
	sb   *sandbox.Sandbox
}

const shopKey = "shop-key-0123456789abc"

// startConfigured runs run() with a config whose shop s1 sends webhooks to
// hookURL signed with whSecret; extraShops is appended to the shops list
// (",{…}" or ""), each extra shop's key in SHOP2_KEY.
func startConfigured(t *testing.T, hookURL, whSecret, extraShops string) *configured {
	t.Helper()
	scfg := sandbox.DefaultConfig()
	scfg.Token, scfg.Secret = "tok-for-test", "secret-for-test"
	sb, err := sandbox.New(scfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	cfgFile := filepath.Join(t.TempDir(), "frontgate.json")
	os.WriteFile(cfgFile, []byte(`{"listen": "`+addr+`", "publicUrl": "http://`+addr+`", "core": "native", "logFormat": "text",
		"frontgo": {"baseUrl": "`+sb.APIBase()+`"},
		"shops": [{"id": "s1", "apiKeyEnv": "SHOP_KEY", "allowedHosts": ["shop.example"],
			"webhookUrl": "`+hookURL+`", "webhookSecretEnv": "SHOP_WEBHOOK_SECRET"}`+extraShops+`]}`), 0o600)
	env := map[string]string{"FRONTGATE_FRONTGO_TOKEN": scfg.Token, "FRONTGATE_FRONTGO_SECRET": scfg.Secret,
		"SHOP_KEY": shopKey, "SHOP2_KEY": "shop2-key-0123456789abc", "SHOP_WEBHOOK_SECRET": whSecret,
		"FRONTGATE_TOKEN_KEY": "k1:0123456789abcdef0123456789abcdef"}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-config", cfgFile}, func(k string) string { return env[k] }, io.Discard, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return &configured{base: "http://" + addr, sb: sb}
}

// do sends an authenticated request (key "" for none) and decodes the
// JSON answer into out (nil: ignored); it retries while the sidecar is
// still starting.
func (c *configured) do(t *testing.T, method, path, key, body string, out any) int {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; {
		req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			if time.Now().After(deadline) {
				t.Fatal(err)
			}
			time.Sleep(50 * time.Millisecond)
			continue
		}
		defer resp.Body.Close()
		if out != nil {
			json.NewDecoder(resp.Body).Decode(out)
		}
		return resp.StatusCode
	}
}

// reserve creates a checkout for order id at shop s1 and pays it in the
// sandbox; it returns the reservation's uuid.
func (c *configured) reserve(t *testing.T, order string) string {
	t.Helper()
	var out struct{ ReservationUUID string }
	if code := c.do(t, "POST", "/v1/checkouts", shopKey, `{"mode":"session","orderId":"`+order+`",
			"returnUrls":{"success":"https://shop.example/ok","failure":"https://shop.example/no"},
			"order":{"customer":{"type":"private","name":"Kari","email":"kari@example.no","countryCode":"+47","msisdn":"46567468",
			"address":{"street":"Gate 1","zip":"0150","city":"Oslo","country":"NO"}},"lines":[{"name":"A","unitPrice":10000,"quantity":1,"taxRate":25}]}}`,
		&out); code != 201 {
		t.Fatalf("checkout: %d", code)
	}
	if _, err := c.sb.Approve(out.ReservationUUID, "4111111111111111"); err != nil {
		t.Fatal(err)
	}
	return out.ReservationUUID
}

// TestDeadLettersListedAndRedelivered: a webhook the shop refused for good
// (410 Gone) is kept as a dead letter. The shop lists it with its own API
// key, and once its endpoint takes events again, POST
// /v1/webhooks/redeliver sends it and the shop acknowledges it. The
// metrics show the dead letter while it is dead.
func TestDeadLettersListedAndRedelivered(t *testing.T) {
	const whSecret = "webhook-secret-0123456789"
	var mu sync.Mutex
	gone := true
	var took []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := signature.VerifyWebhook(r.Header.Get(signature.WebhookHeader), body, []byte(whSecret), 0, time.Now()); err != nil {
			w.WriteHeader(401)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if gone {
			w.WriteHeader(410)
			return
		}
		var ev struct{ ID, Status string }
		json.Unmarshal(body, &ev)
		took = append(took, ev.Status)
	}))
	defer hook.Close()
	cs := startConfigured(t, hook.URL+"/hook", whSecret,
		`,{"id": "s2", "apiKeyEnv": "SHOP2_KEY", "allowedHosts": ["shop2.example"]}`)
	if code := cs.do(t, "GET", "/v1/webhooks/dead", "", "", nil); code != 401 {
		t.Fatalf("dead letters without a key: %d, want 401", code)
	}
	uuid := cs.reserve(t, "d1")

	type deadList struct {
		DeadLetters []struct {
			EventID, Type, OrderID, ReservationUUID, LastError string
			Attempts                                           int
		}
	}
	var dead deadList
	for deadline := time.Now().Add(40 * time.Second); len(dead.DeadLetters) == 0; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no dead letter listed")
		}
		if code := cs.do(t, "GET", "/v1/webhooks/dead", shopKey, "", &dead); code != 200 {
			t.Fatalf("dead letters: %d", code)
		}
	}
	d := dead.DeadLetters[0]
	if len(dead.DeadLetters) != 1 || d.ReservationUUID != uuid || d.OrderID != "d1" || d.Type != "reservation.reserved" ||
		d.Attempts != 1 || !strings.Contains(d.LastError, "410") || len(d.EventID) != 64 {
		t.Fatalf("dead letters %+v", dead.DeadLetters)
	}
	var metrics string
	{
		resp, err := http.Get(cs.base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		metrics = string(b)
	}
	if !strings.Contains(metrics, `frontgate_webhook_dead_letters{kind="webhook"} 1`) {
		t.Fatalf("metrics lack the dead letter:\n%s", metrics)
	}

	var other deadList
	var e struct{ Error struct{ Code string } }
	if code := cs.do(t, "GET", "/v1/webhooks/dead", "shop2-key-0123456789abc", "", &e); code != 404 || e.Error.Code != "no_webhook" {
		t.Fatalf("a shop without a webhook: %d %+v, want 404 no_webhook", code, e)
	}
	if code := cs.do(t, "GET", "/v1/webhooks/dead?limit=0", shopKey, "", &other); code != 400 {
		t.Fatalf("limit=0: %d, want 400", code)
	}
	var bad struct {
		Error struct {
			Code   string
			Fields []struct{ Path, Rule string }
		}
	}
	if code := cs.do(t, "POST", "/v1/webhooks/redeliver", shopKey, `{"ids":["`+d.EventID+`","x"]}`, &bad); code != 422 ||
		len(bad.Error.Fields) != 1 || bad.Error.Fields[0].Path != "ids.1" || bad.Error.Fields[0].Rule != "event_id" {
		t.Fatalf("a bad id: %d %+v, want 422 at ids.1", code, bad)
	}

	mu.Lock()
	gone = false
	mu.Unlock()
	var re struct{ Redelivered int }
	if code := cs.do(t, "POST", "/v1/webhooks/redeliver", shopKey, `{"ids":["`+d.EventID+`"]}`, &re); code != 200 || re.Redelivered != 1 {
		t.Fatalf("redeliver: %d %+v, want 200 and 1", code, re)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		mu.Lock()
		n := len(took)
		mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the redelivered webhook did not arrive")
		}
	}
	mu.Lock()
	if strings.Join(took, ",") != "RESERVED" {
		t.Fatalf("the shop took %v, want RESERVED", took)
	}
	mu.Unlock()
	dead = deadList{}
	if code := cs.do(t, "GET", "/v1/webhooks/dead", shopKey, "", &dead); code != 200 || len(dead.DeadLetters) != 0 {
		t.Fatalf("after the redelivery: %d %+v, want none", code, dead.DeadLetters)
	}
	if code := cs.do(t, "POST", "/v1/webhooks/redeliver", shopKey, ``, &re); code != 200 || re.Redelivered != 0 {
		t.Fatalf("a second redeliver: %d %+v, want 200 and 0", code, re)
	}
}
