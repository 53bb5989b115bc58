package sidecar

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// deadLetterNotifier is a Notifier keeping dead letters in a list, or
// failing as an outbox on a Redis that is down.
type deadLetterNotifier struct {
	NopNotifier
	dead      []DeadLetter
	err       error
	redeliver [][]string
}

func (d *deadLetterNotifier) DeadLetters(_ context.Context, shop *ShopConfig, limit int) ([]DeadLetter, error) {
	if d.err != nil {
		return nil, d.err
	}
	return d.dead[:min(limit, len(d.dead))], nil
}

func (d *deadLetterNotifier) Redeliver(_ context.Context, shop *ShopConfig, ids []string) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	d.redeliver = append(d.redeliver, ids)
	return len(ids), nil
}

// TestByShopRoutesDeadLetters: a shop's dead letters come from the
// notifier of its kind; a kind whose notifier keeps none answers
// ErrNoDeadLetters.
func TestByShopRoutesDeadLetters(t *testing.T) {
	ctx := context.Background()
	wh := &deadLetterNotifier{dead: []DeadLetter{{EventID: "e1"}}}
	b := ByShop{Kinds: map[string]Notifier{"webhook": wh, "woocommerce": NopNotifier{}}, Default: &EventLog{}}
	if got, err := b.DeadLetters(ctx, &ShopConfig{ID: "a", WebhookURL: "https://shop.example/hook"}, 10); err != nil ||
		len(got) != 1 || got[0].EventID != "e1" {
		t.Fatalf("a webhook shop: %+v, %v", got, err)
	}
	for _, shop := range []*ShopConfig{{ID: "b"}, {ID: "c", Kind: "woocommerce", WebhookURL: "https://shop.example/wc"}} {
		if _, err := b.DeadLetters(ctx, shop, 10); !errors.Is(err, ErrNoDeadLetters) {
			t.Errorf("shop %s: %v, want ErrNoDeadLetters", shop.ID, err)
		}
		if _, err := b.Redeliver(ctx, shop, nil); !errors.Is(err, ErrNoDeadLetters) {
			t.Errorf("shop %s redeliver: %v, want ErrNoDeadLetters", shop.ID, err)
		}
	}
}

// TestDeadLetterEndpoints: the endpoints pass the shop, the limit and the
// ids through, and an outbox that fails is a 503 with Retry-After, never
// an empty list.
func TestDeadLetterEndpoints(t *testing.T) {
	h := newHarness(t, native())
	dl := &deadLetterNotifier{dead: []DeadLetter{{EventID: strings.Repeat("a", 64)}, {EventID: strings.Repeat("b", 64)}}}
	h.svc.notify = dl
	r := h.do("GET", "/v1/webhooks/dead?limit=1", shopKey, "", nil)
	if r.status != 200 || !strings.Contains(string(r.body), `"eventId":"`+strings.Repeat("a", 64)+`"`) ||
		strings.Contains(string(r.body), strings.Repeat("b", 64)) {
		t.Fatalf("GET dead?limit=1: %d %s", r.status, r.body)
	}
	r = h.do("POST", "/v1/webhooks/redeliver", shopKey, "", `{"ids":["`+strings.Repeat("b", 64)+`"]}`)
	if r.status != 200 || string(r.body) != `{"redelivered":1}` || len(dl.redeliver) != 1 || dl.redeliver[0][0] != strings.Repeat("b", 64) {
		t.Fatalf("POST redeliver: %d %s (%v)", r.status, r.body, dl.redeliver)
	}
	// An empty list (a filter that matched nothing) sends nothing again,
	// and says so; it is not "all".
	before := len(dl.redeliver)
	if r = h.do("POST", "/v1/webhooks/redeliver", shopKey, "", `{"ids":[]}`); r.status != 422 ||
		!strings.Contains(string(r.body), `"rule":"min_items"`) || len(dl.redeliver) != before {
		t.Fatalf("ids empty: %d %s (%d redeliveries)", r.status, r.body, len(dl.redeliver)-before)
	}
	if r = h.do("POST", "/v1/webhooks/redeliver", shopKey, "", `{"ids":"all"}`); r.status != 400 {
		t.Fatalf("ids not a list: %d %s", r.status, r.body)
	}
	if r = h.do("POST", "/v1/webhooks/redeliver", shopKey, "", `{"ids":["`+strings.Repeat("A", 64)+`"]}`); r.status != 422 ||
		!strings.Contains(string(r.body), `"path":"ids.0"`) {
		t.Fatalf("an upper-case id: %d %s", r.status, r.body)
	}
	if r = h.do("GET", "/v1/webhooks/dead?limit=1001", shopKey, "", nil); r.status != 400 {
		t.Fatalf("limit=1001: %d %s", r.status, r.body)
	}
	dl.err = errors.New("redis: connection refused")
	for _, m := range []string{"GET", "POST"} {
		path := map[string]string{"GET": "/v1/webhooks/dead", "POST": "/v1/webhooks/redeliver"}[m]
		r = h.do(m, path, shopKey, "", nil)
		if r.status != 503 || !strings.Contains(string(r.body), "outbox_unavailable") || r.header.Get("Retry-After") == "" {
			t.Fatalf("%s %s with the outbox down: %d %s", m, path, r.status, r.body)
		}
	}
}
