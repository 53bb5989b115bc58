package woocommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLiveShop holds the Go adapter to a real WooCommerce order: e2e/run.sh
// runs it against the shop it installed, once the order is reserved. The
// REST client reads the order, MapOrder must produce the very order the
// PHP plugin sent to the sidecar for it (the plugin's own mapping of the
// same WC_Order, FRONTGATE_E2E_MAPPED), and Reconcile must find the order
// showing the reservation's status. Without FRONTGATE_E2E_SHOP_URL it skips.
//
// WooCommerce takes consumer keys as Basic auth only over https; on the
// loopback http shop of the run the user and an application password go in
// ConsumerKey and ConsumerSecret (WordPress accepts those over http when
// its environment type is "local").
func TestLiveShop(t *testing.T) {
	base := os.Getenv("FRONTGATE_E2E_SHOP_URL")
	if base == "" {
		t.Skip("no live shop: e2e/run.sh sets FRONTGATE_E2E_SHOP_URL")
	}
	id, err := strconv.ParseInt(os.Getenv("FRONTGATE_E2E_ORDER"), 10, 64)
	if err != nil {
		t.Fatalf("FRONTGATE_E2E_ORDER: %v", err)
	}
	secret, err := os.ReadFile(os.Getenv("FRONTGATE_E2E_SHOP_PASSWORD_FILE"))
	if err != nil {
		t.Fatalf("FRONTGATE_E2E_SHOP_PASSWORD_FILE: %v", err)
	}
	want, err := os.ReadFile(os.Getenv("FRONTGATE_E2E_MAPPED"))
	if err != nil {
		t.Fatalf("FRONTGATE_E2E_MAPPED: %v", err)
	}
	c := &Client{BaseURL: base, ConsumerKey: os.Getenv("FRONTGATE_E2E_SHOP_USER"), ConsumerSecret: strings.TrimSpace(string(secret))}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	o, err := c.Order(ctx, id)
	if err != nil {
		t.Fatalf("reading order %d: %v", id, err)
	}
	var plugin struct {
		Customer struct {
			PreferredLanguage string `json:"preferredLanguage"`
		} `json:"customer"`
	}
	if err := json.Unmarshal(want, &plugin); err != nil {
		t.Fatalf("the plugin's order: %v", err)
	}
	cfg := DefaultMapConfig()
	cfg.PreferredLanguage = plugin.Customer.PreferredLanguage // the plugin takes it from the site's locale
	ord, err := MapOrder(o, cfg)
	if err != nil {
		t.Fatalf("MapOrder of the live order %d: %v", id, err)
	}
	got, err := MarshalOrder(ord)
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("Go and PHP map order %d differently\n go: %s\nphp: %s", id, got, bytes.TrimSpace(want))
	}
	t.Logf("order %d: %d lines, total %s, Go and PHP agree", id, len(ord.Lines), o.Total)

	status := os.Getenv("FRONTGATE_E2E_STATUS")
	ok, _, err := c.Reconcile(ctx, DefaultStatusMap(), id, status)
	if err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
	if !ok {
		t.Errorf("Reconcile: order %d (status %s) does not show %s", id, o.Status, status)
	}
}
