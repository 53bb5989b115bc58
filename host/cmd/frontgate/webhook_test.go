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
	scfg := sandbox.DefaultConfig()
	scfg.Token, scfg.Secret = "tok-for-test", "secret-for-test"
	sb, err := sandbox.New(scfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer sb.Close()

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

	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	cfgFile := filepath.Join(t.TempDir(), "frontgate.json")
	os.WriteFile(cfgFile, []byte(`{"listen": "`+addr+`", "publicUrl": "http://`+addr+`", "core": "native", "logFormat": "text",
		"frontgo": {"baseUrl": "`+sb.APIBase()+`"},
		"shops": [{"id": "s1", "apiKeyEnv": "SHOP_KEY", "allowedHosts": ["shop.example"],
			"webhookUrl": "`+hook.URL+`/hook", "webhookSecretEnv": "SHOP_WEBHOOK_SECRET"}]}`), 0o600)
	env := map[string]string{"FRONTGATE_FRONTGO_TOKEN": scfg.Token, "FRONTGATE_FRONTGO_SECRET": scfg.Secret,
		"SHOP_KEY": "shop-key-0123456789abc", "SHOP_WEBHOOK_SECRET": whSecret, "FRONTGATE_TOKEN_KEY": "k1:0123456789abcdef0123456789abcdef"}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-config", cfgFile}, func(k string) string { return env[k] }, io.Discard, io.Discard)
	}()
	defer func() {
		cancel()
		<-done
	}()
	base := "http://" + addr
	var resp *http.Response
	for deadline := time.Now().Add(30 * time.Second); ; {
		req, _ := http.NewRequest("POST", base+"/v1/checkouts", strings.NewReader(`{"mode":"session","orderId":"w1",
			"returnUrls":{"success":"https://shop.example/ok","failure":"https://shop.example/no"},
			"order":{"customer":{"type":"private","name":"Kari","email":"kari@example.no","countryCode":"+47","msisdn":"46567468",
			"address":{"street":"Gate 1","zip":"0150","city":"Oslo","country":"NO"}},"lines":[{"name":"A","unitPrice":10000,"quantity":1,"taxRate":25}]}}`))
		req.Header.Set("Authorization", "Bearer shop-key-0123456789abc")
		resp, err = http.DefaultClient.Do(req)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	var c struct{ ReservationUUID string }
	json.NewDecoder(resp.Body).Decode(&c)
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("checkout: %d", resp.StatusCode)
	}
	if _, err := sb.Approve(c.ReservationUUID, "4111111111111111"); err != nil {
		t.Fatal(err)
	}
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
