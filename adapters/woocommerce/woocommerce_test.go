package woocommerce

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontgate/frontgate/adapters/webhook"
	"github.com/frontgate/frontgate/host/sidecar"
)

func TestOutcomes(t *testing.T) {
	def := DefaultStatusMap()
	proc := def
	proc.Reserved, proc.Refunded = "processing", "refunded"
	tests := []struct {
		m      StatusMap
		status string
		want   Outcome
	}{
		{def, "SENT", Outcome{Status: "pending", Note: "FrontGo: payment link sent (reservation R1)."}},
		{def, "RESERVED NOT PAID", Outcome{Note: "FrontGo: the customer has started paying (reservation R1)."}},
		{def, "RESERVED", Outcome{Status: "on-hold", TransactionID: "R1", Note: "FrontGo: payment reserved on the customer's card (reservation R1); it is captured when the order ships."}},
		{proc, "RESERVED", Outcome{Status: "processing", TransactionID: "R1", Note: "FrontGo: payment reserved on the customer's card (reservation R1); it is captured when the order ships."}},
		{def, "CAPTURED", Outcome{PaymentComplete: true, TransactionID: "R1", Note: "FrontGo: payment captured (reservation R1)."}},
		{def, "CHARGED", Outcome{PaymentComplete: true, TransactionID: "R1", Note: "FrontGo: card charged (reservation R1)."}},
		{def, "COMPLETED", Outcome{Note: "FrontGo: reservation R1 completed; nothing more can be captured."}},
		{def, "CANCELLED", Outcome{Status: "cancelled", Note: "FrontGo: reservation R1 cancelled; the amount is released."}},
		{def, "EXPIRED", Outcome{Status: "cancelled", Note: "FrontGo: reservation R1 expired."}},
		{def, "REFUNDED", Outcome{Note: "FrontGo: payment refunded in full (reservation R1)."}},
		{proc, "REFUNDED", Outcome{Status: "refunded", Note: "FrontGo: payment refunded in full (reservation R1)."}},
		{def, "PARTIAL REFUNDED", Outcome{Note: "FrontGo: payment partly refunded (reservation R1)."}},
		{def, "PAID", Outcome{Note: "FrontGo: reservation R1 is now PAID."}},
	}
	for _, tc := range tests {
		if got := tc.m.Outcome(tc.status, "R1"); got != tc.want {
			t.Errorf("%s/%s: %+v, want %+v", tc.m.Reserved, tc.status, got, tc.want)
		}
	}
}

func TestStatusMapValidate(t *testing.T) {
	if err := DefaultStatusMap().Validate(); err != nil {
		t.Fatal(err)
	}
	m := DefaultStatusMap()
	m.Reserved = "completed"
	if err := m.Validate(); err == nil || err.Error() != `woocommerce: statuses.reserved: must be one of on-hold, processing, not "completed"` {
		t.Fatalf("Validate = %v", err)
	}
	if _, err := NewNotifier(NotifierConfig{Statuses: m}); err == nil {
		t.Fatal("NewNotifier accepted a bad status map")
	}
}

func withStatus(orderStatus, frontgo string) Order {
	v, _ := json.Marshal(frontgo)
	return Order{Status: orderStatus, MetaData: []Meta{{Key: "_frontgate_status", Value: v}}}
}

func TestReflects(t *testing.T) {
	m := DefaultStatusMap()
	tests := []struct {
		order  Order
		status string
		want   bool
	}{
		{Order{Status: "pending"}, "RESERVED", false},
		{Order{Status: "on-hold"}, "RESERVED", true},
		{Order{Status: "completed"}, "RESERVED", true}, // the merchant moved on
		{Order{Status: "on-hold"}, "CAPTURED", false},
		{Order{Status: "completed", DatePaidGMT: "2026-03-03T10:00:00"}, "CAPTURED", true},
		{Order{Status: "on-hold"}, "CANCELLED", false},
		{Order{Status: "cancelled"}, "EXPIRED", true},
		{Order{Status: "completed"}, "PARTIAL REFUNDED", true},
		// A processing order is not paid because of it: it may be only
		// reserved (reserved status "processing").
		{Order{Status: "processing"}, "CAPTURED", false},
		// The plugin never cancels a completed order: nothing to re-send.
		{Order{Status: "completed"}, "EXPIRED", true},
		// The plugin's own record decides where it is.
		{withStatus("processing", "RESERVED"), "CAPTURED", false},
		{withStatus("processing", "CAPTURED"), "CAPTURED", true},
		{withStatus("completed", "COMPLETED"), "CAPTURED", true},
		{withStatus("on-hold", "PARTIAL REFUNDED"), "CHARGED", false}, // a charge after a refund is news
	}
	for _, tc := range tests {
		if got := m.Reflects(&tc.order, tc.status); got != tc.want {
			t.Errorf("Reflects(%s, %s) = %v", tc.order.Status, tc.status, got)
		}
	}
}

func TestWCAPIURL(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"https://butikk.example", "https://butikk.example/?wc-api=frontgate", ""},
		{"https://butikk.example/", "https://butikk.example/?wc-api=frontgate", ""},
		{"https://example.com/shop", "https://example.com/shop/?wc-api=frontgate", ""},
		{"https://example.com/?lang=nb", "https://example.com/?lang=nb&wc-api=frontgate", ""},
		{"butikk.example", "", `woocommerce: site URL must be absolute, such as https://shop.example, not "butikk.example"`},
	}
	for _, tc := range tests {
		got, err := WCAPIURL(tc.in)
		if got != tc.want || (err == nil) != (tc.err == "") || (err != nil && err.Error() != tc.err) {
			t.Errorf("WCAPIURL(%q) = %q, %v", tc.in, got, err)
		}
	}
}

// A stand-in for the plugin's endpoint: the sidecar's WooCommerce notifier
// delivers each event once, signed, with the outcome, retrying a 503.
func TestNotifierDeliversOutcomes(t *testing.T) {
	secret := []byte("plugin-webhook-secret-0123456789")
	var mu sync.Mutex
	var got []Payload
	requests := 0
	plugin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("wc-api") != "frontgate" {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		requests++
		if requests == 1 { // WordPress busy: the notifier retries
			w.WriteHeader(503)
			return
		}
		_, body, err := (&webhook.Verifier{Secrets: [][]byte{secret}}).Verify(r)
		if err != nil {
			t.Errorf("verify: %v", err)
			w.WriteHeader(401)
			return
		}
		var p Payload
		if err := json.Unmarshal(body, &p); err != nil {
			t.Error(err)
		}
		got = append(got, p)
	}))
	defer plugin.Close()
	hookURL, _ := WCAPIURL(plugin.URL)

	env := map[string]string{"SHOP1_WEBHOOK_SECRET": string(secret)}
	n, err := NewNotifier(NotifierConfig{Webhook: webhook.Config{
		Destination: webhook.EnvDestination(func(k string) string { return env[k] }),
		Backoff:     webhook.Backoff{Initial: time.Millisecond, Max: time.Millisecond},
	}})
	if err != nil {
		t.Fatal(err)
	}
	shop := &sidecar.ShopConfig{ID: "shop1", WebhookURL: hookURL, WebhookSecretEnv: "SHOP1_WEBHOOK_SECRET"}
	for _, st := range []string{"RESERVED", "CAPTURED", "CAPTURED"} {
		ev := sidecar.Event{Type: "reservation." + strings.ToLower(st), Shop: "shop1", OrderID: "1201", CheckoutID: "chk_1",
			ReservationUUID: "RSRV1", Status: st, At: time.Unix(1_772_456_800, 0).UTC()}
		if err := n.Notify(context.Background(), shop, ev); err != nil {
			t.Fatal(err)
		}
	}
	closeWithin(t, n, 5*time.Second)
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 {
		t.Fatalf("plugin got %d events, want 2: %+v", len(got), got)
	}
	byStatus := map[string]Payload{got[0].Status: got[0], got[1].Status: got[1]}
	if p := byStatus["RESERVED"]; p.Outcome.Status != "on-hold" || p.ID != webhook.EventID("RSRV1", "RESERVED") || p.OrderID != "1201" {
		t.Fatalf("RESERVED: %+v", p)
	}
	if p := byStatus["CAPTURED"]; !p.Outcome.PaymentComplete || p.Outcome.TransactionID != "RSRV1" {
		t.Fatalf("CAPTURED: %+v", p)
	}
	if s := n.Stats(); s.Delivered != 2 || s.Duplicates != 1 || s.Failures != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestClientOrder(t *testing.T) {
	fixture, err := os.ReadFile(filepath.Join("testdata", "orders", "coupon-fixed.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != "ck_test" || pass != "cs_test" {
			w.WriteHeader(401)
			_, _ = w.Write([]byte(`{"code":"woocommerce_rest_cannot_view","message":"Sorry, you cannot view this resource.","data":{"status":401}}`))
			return
		}
		switch r.URL.Path {
		case "/wp-json/wc/v3/orders/1204":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(fixture)
		default:
			w.WriteHeader(404)
			_, _ = w.Write([]byte(`{"code":"woocommerce_rest_shop_order_invalid_id","message":"Invalid ID.","data":{"status":404}}`))
		}
	}))
	defer srv.Close()
	c := &Client{BaseURL: srv.URL + "/", ConsumerKey: "ck_test", ConsumerSecret: "cs_test", HTTP: srv.Client()}
	ctx := context.Background()

	o, err := c.Order(ctx, 1204)
	if err != nil {
		t.Fatal(err)
	}
	if o.ID != 1204 || o.Total != "2106.00" || len(o.LineItems) != 3 {
		t.Fatalf("order %d total %s lines %d", o.ID, o.Total, len(o.LineItems))
	}
	ok, _, err := c.Reconcile(ctx, DefaultStatusMap(), 1204, "RESERVED")
	if err != nil || ok {
		t.Fatalf("Reconcile of a pending order for RESERVED = %v, %v; want false", ok, err)
	}

	_, err = c.Order(ctx, 99)
	var ae *APIError
	if !errors.As(err, &ae) || !errors.Is(err, ErrNotFound) ||
		err.Error() != "woocommerce: REST API answered 404 woocommerce_rest_shop_order_invalid_id: Invalid ID." {
		t.Fatalf("Order(99) = %v", err)
	}
	bad := &Client{BaseURL: srv.URL, ConsumerKey: "ck_test", ConsumerSecret: "wrong", HTTP: srv.Client()}
	if _, err := bad.Order(ctx, 1204); !errors.As(err, &ae) || ae.Status != 401 || errors.Is(err, ErrNotFound) {
		t.Fatalf("wrong secret: %v", err)
	}
	plain := &Client{BaseURL: "http://butikk.example", ConsumerKey: "ck", ConsumerSecret: "cs"}
	if _, err := plain.Order(ctx, 1); err == nil || err.Error() != "woocommerce: the REST API key goes only over https, not to http://butikk.example" {
		t.Fatalf("plain http: %v", err)
	}
}

// TestNotifierShopStatuses: a shop whose config sets its plugin's statuses
// (sidecar.ShopConfig.Statuses) gets events whose outcome follows them;
// other shops keep the defaults. StatusMapOf names a value it refuses.
func TestNotifierShopStatuses(t *testing.T) {
	var mu sync.Mutex
	got := map[string]Payload{}
	plugin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p Payload
		if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
			t.Error(err)
		}
		mu.Lock()
		got[p.Shop] = p
		mu.Unlock()
	}))
	defer plugin.Close()
	hookURL, _ := WCAPIURL(plugin.URL)
	own, err := StatusMapOf(&sidecar.OrderStatuses{Reserved: "processing", Refunded: "refunded"})
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"S": "plugin-webhook-secret-0123456789"}
	n, err := NewNotifier(NotifierConfig{
		Webhook: webhook.Config{Destination: webhook.EnvDestination(func(k string) string { return env[k] })},
		ShopStatuses: func(shop string) (StatusMap, bool) {
			if shop == "processing-shop" {
				return own, true
			}
			return StatusMap{}, false
		}})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"processing-shop", "default-shop"} {
		shop := &sidecar.ShopConfig{ID: id, WebhookURL: hookURL, WebhookSecretEnv: "S"}
		ev := sidecar.Event{Type: "reservation.reserved", Shop: id, OrderID: "1", CheckoutID: "chk_" + id, ReservationUUID: "RES1" + id,
			Status: "RESERVED", At: time.Unix(1_772_456_800, 0).UTC()}
		if err := n.Notify(context.Background(), shop, ev); err != nil {
			t.Fatal(err)
		}
	}
	closeWithin(t, n, 5*time.Second)
	mu.Lock()
	defer mu.Unlock()
	if s := got["processing-shop"].Outcome.Status; s != "processing" {
		t.Errorf("the shop with its own statuses: reserved → %q, want processing", s)
	}
	if s := got["default-shop"].Outcome.Status; s != "on-hold" {
		t.Errorf("the shop without: reserved → %q, want on-hold", s)
	}
	if _, err := StatusMapOf(&sidecar.OrderStatuses{Expired: "refunded"}); err == nil || !strings.Contains(err.Error(), "statuses.expired: must be one of cancelled, failed") {
		t.Errorf("StatusMapOf(expired refunded) = %v", err)
	}
}

// closeWithin closes n, failing the test when its deliveries do not end
// within d.
func closeWithin(t *testing.T, n *webhook.Notifier, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if err := n.Close(ctx); err != nil {
		t.Fatal(err)
	}
}
