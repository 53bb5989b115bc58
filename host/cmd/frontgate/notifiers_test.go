package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/frontgate/frontgate/adapters/webhook"
	"github.com/frontgate/frontgate/adapters/webhook/redisoutbox"
	"github.com/frontgate/frontgate/host/sidecar"
	"github.com/frontgate/frontgate/host/signature"
	"github.com/frontgate/frontgate/host/store/redisstore/redistest"
)

// notifierConfig is a validated sidecar config on store (memory or redis)
// with a "webhook" shop and a "woocommerce" shop, both posting to hookURL.
func notifierConfig(t *testing.T, store, redisURL, hookURL string) (*sidecar.Config, func(string) string) {
	t.Helper()
	cfg, err := sidecar.DecodeConfig([]byte(`{"listen": "127.0.0.1:0", "publicUrl": "http://127.0.0.1:9", "core": "native",
		"frontgo": {"baseUrl": "http://127.0.0.1:9"}, "store": "` + store + `",
		"shops": [{"id": "s1", "apiKeyEnv": "SHOP_KEY", "allowedHosts": ["shop.example"],
			"webhookUrl": "` + hookURL + `", "webhookSecretEnv": "SHOP_WEBHOOK_SECRET"},
			{"id": "wc", "kind": "woocommerce", "apiKeyEnv": "WC_KEY", "allowedHosts": ["shop.example"],
			"webhookUrl": "` + hookURL + `", "webhookSecretEnv": "WC_WEBHOOK_SECRET"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"FRONTGATE_FRONTGO_TOKEN": "tok", "FRONTGATE_FRONTGO_SECRET": "secret",
		"SHOP_KEY": "shop-key-0123456789abc", "WC_KEY": "wc-key-0123456789abcdef", "SHOP_WEBHOOK_SECRET": "webhook-secret-0123456789",
		"WC_WEBHOOK_SECRET": "wc-webhook-secret-0123456789", "FRONTGATE_REDIS_URL": redisURL}
	getenv := func(k string) string { return env[k] }
	if err := cfg.Validate(getenv); err != nil {
		t.Fatal(err)
	}
	return &cfg, getenv
}

func TestWebhookOutboxFollowsTheStore(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	for _, tc := range []struct{ store, want string }{{"memory", "*webhook.MemoryOutbox"}, {"redis", "*redisoutbox.Outbox"}} {
		t.Run(tc.store, func(t *testing.T) {
			url := ""
			if tc.store == "redis" {
				url = redistest.URL(t)
			}
			cfg, env := notifierConfig(t, tc.store, url, "http://127.0.0.1:9/hook")
			w, err := newWebhookNotifiers(cfg, env, log)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close(context.Background())
			if len(w.kinds) != 2 {
				t.Fatalf("notifiers for %d kinds, want 2 (webhook, woocommerce)", len(w.kinds))
			}
			for kind, box := range w.boxes {
				if got := typeName(box); got != tc.want {
					t.Errorf("%s outbox is %s, want %s", kind, got, tc.want)
				}
			}
		})
	}
}

func typeName(box webhook.Outbox) string {
	switch box.(type) {
	case *webhook.MemoryOutbox:
		return "*webhook.MemoryOutbox"
	case *redisoutbox.Outbox:
		return "*redisoutbox.Outbox"
	}
	return "unknown"
}

// TestWebhookSurvivesRestart: with the Redis store, an event whose shop is
// down is still delivered after the sidecar's notifiers are closed and new
// ones start on the same Redis (a restart), with no Notify for the shop in
// the new run: signed with the shop's secret, its attempt count kept, and
// once. Each kind keeps its own deliveries.
func TestWebhookSurvivesRestart(t *testing.T) {
	redisURL := redistest.URL(t)
	log := slog.New(slog.DiscardHandler)
	// The shop's address, down for now.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg, env := notifierConfig(t, "redis", redisURL, "http://"+addr+"/hook")
	ctx := context.Background()

	first, err := newWebhookNotifiers(cfg, env, log)
	if err != nil {
		t.Fatal(err)
	}
	ev := sidecar.Event{Type: "reservation.reserved", Shop: "s1", OrderID: "1001", CheckoutID: "chk_1",
		ReservationUUID: "RSRV-restart", Status: "RESERVED", PreviousStatus: "SENT", Via: "callback", At: time.Now().UTC()}
	wcEv := ev
	wcEv.Shop, wcEv.OrderID, wcEv.ReservationUUID = "wc", "2002", "RSRV-restart-wc"
	if err := first.kinds["webhook"].Notify(ctx, &cfg.Shops[0], ev); err != nil {
		t.Fatal(err)
	}
	if err := first.kinds["woocommerce"].Notify(ctx, &cfg.Shops[1], wcEv); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); first.kinds["webhook"].Stats().Failures == 0 ||
		first.kinds["woocommerce"].Stats().Failures == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no failed attempt against the shop that is down within 10s")
		}
	}
	if s := first.kinds["webhook"].Stats(); s.Delivered != 0 || s.Pending != 1 {
		t.Fatalf("first run's stats %+v, want 1 pending and nothing delivered", s)
	}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	err = first.Close(cctx)
	cancel()
	if err != nil {
		t.Fatalf("closing the first run: %v", err)
	}

	// The shop comes up on the same address.
	type hit struct{ id, kind, attempt string }
	var mu sync.Mutex
	var hits []hit
	var bad []string
	shop := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		var p struct {
			ID      string          `json:"id"`
			Outcome json.RawMessage `json:"outcome"`
		}
		_ = json.Unmarshal(body, &p)
		kind, secret := "webhook", env("SHOP_WEBHOOK_SECRET")
		if len(p.Outcome) > 0 {
			kind, secret = "woocommerce", env("WC_WEBHOOK_SECRET") // each shop signs with its own
		}
		if err := signature.VerifyWebhook(r.Header.Get(signature.WebhookHeader), body, []byte(secret), 0, time.Now()); err != nil {
			bad = append(bad, err.Error())
			w.WriteHeader(401)
			return
		}
		hits = append(hits, hit{p.ID, kind, r.Header.Get(webhook.HeaderAttempt)})
	}))
	shop.Listener.Close()
	if shop.Listener, err = net.Listen("tcp", addr); err != nil {
		t.Fatalf("the shop's address was taken meanwhile: %v", err)
	}
	shop.Start()
	defer shop.Close()

	second, err := newWebhookNotifiers(cfg, env, log)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close(ctx)
	// The retry is due 1–2 s after the failed attempt (the default backoff).
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		n := len(hits)
		mu.Unlock()
		if n >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 2 deliveries after the restart within 20s (bad signatures: %v)", n, bad)
		}
	}
	time.Sleep(100 * time.Millisecond) // room for a duplicate to show
	mu.Lock()
	defer mu.Unlock()
	want := map[string]string{webhook.EventID(ev.ReservationUUID, ev.Status): "webhook",
		webhook.EventID(wcEv.ReservationUUID, wcEv.Status): "woocommerce"}
	if len(hits) != 2 || len(bad) != 0 {
		t.Fatalf("shop got %+v (bad %v), want one delivery of each event", hits, bad)
	}
	for _, h := range hits {
		if want[h.id] != h.kind || h.attempt == "1" || h.attempt == "" {
			t.Errorf("delivery %+v: want kind %q, attempt 2 or later", h, want[h.id])
		}
	}
	for kind, n := range second.kinds {
		if s := n.Stats(); s.Delivered != 1 || s.Queued != 0 || s.Pending != 0 {
			t.Errorf("%s notifier after the restart: %+v, want 1 delivered, nothing queued or pending", kind, s)
		}
	}
}

// TestShopStatusesChecked: a WooCommerce shop's statuses are checked when
// its notifier is made, and a wrong one is named by its config path; a
// webhook shop may not have them at all.
func TestShopStatusesChecked(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	cfg, env := notifierConfig(t, "memory", "", "http://127.0.0.1:9/hook")
	cfg.Shops[1].Statuses = &sidecar.OrderStatuses{Reserved: "processing"}
	w, err := newWebhookNotifiers(cfg, env, log)
	if err != nil {
		t.Fatalf("processing: %v", err)
	}
	w.Close(context.Background())
	cfg.Shops[1].Statuses = &sidecar.OrderStatuses{Reserved: "completed"}
	if _, err := newWebhookNotifiers(cfg, env, log); err == nil || err.Error() != `config: shops.1.statuses.reserved: must be one of on-hold, processing, not "completed"` {
		t.Fatalf("reserved completed: %v", err)
	}
	cfg.Shops[0].Statuses = &sidecar.OrderStatuses{Reserved: "processing"}
	if err := cfg.Validate(env); err == nil || err.Error() != "config: shops.0.statuses: applies to kind woocommerce only" {
		t.Fatalf("statuses on a webhook shop: %v", err)
	}
}
