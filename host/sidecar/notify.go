package sidecar

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"sync"
	"time"
)

// Event is one confirmed change of a reservation, as shops receive it.
type Event struct {
	// ID is the event's stable id, EventID(ReservationUUID, Status): the
	// same however often and by whichever path (callback, return,
	// operation, reconciler) the change is reported, so a shop applies it
	// once.
	ID string `json:"id"`
	// Type is "reservation.<status>" in lower case with dashes
	// ("reservation.reserved", "reservation.captured").
	Type            string          `json:"type"`
	Shop            string          `json:"shop"`
	OrderID         string          `json:"orderId"`
	CheckoutID      string          `json:"checkoutId"`
	ReservationUUID string          `json:"reservationUuid"`
	Status          string          `json:"status"`
	PreviousStatus  string          `json:"previousStatus"`
	Via             string          `json:"via"` // callback, return:success, operation:capture…
	At              time.Time       `json:"at"`
	Details         json.RawMessage `json:"details,omitempty"`
}

// EventID is the stable id of the event "reservation reached status": the
// lower-case hex SHA-256 of "<reservationUuid>:<status>". It is the id
// adapters/webhook sends (webhook.EventID computes the same) and the
// WooCommerce plugin deduplicates by.
func EventID(reservationUUID, status string) string {
	h := sha256.Sum256([]byte(reservationUUID + ":" + status))
	return hex.EncodeToString(h[:])
}

func eventType(status string) string {
	return "reservation." + strings.ReplaceAll(strings.ToLower(status), " ", "-")
}

// Notifier tells a shop about an event. Implementations deliver reliably
// (the webhook and WooCommerce adapters queue the event in an outbox and
// retry until acknowledged) and return an error only when they could not
// take the event; the sidecar then leaves the state untold and a retry of
// the callback, the shopper's return or the reconciler calls Notify again.
// The sidecar calls Notify once per event, and a second time only when it
// cannot know that the first call took (a crash between the call and
// recording it, a settle that outlived its claim): implementations must
// treat a repeated Event.ID as already taken, as the webhook outbox does.
type Notifier interface {
	Notify(ctx context.Context, shop *ShopConfig, ev Event) error
}

// NopNotifier drops events; shops then read state with GET /v1/checkouts.
type NopNotifier struct{}

// Notify implements Notifier.
func (NopNotifier) Notify(context.Context, *ShopConfig, Event) error { return nil }

// EventLog keeps the events in memory, for tests and the demo.
type EventLog struct {
	mu     sync.Mutex
	events []Event
}

// Notify implements Notifier.
func (l *EventLog) Notify(_ context.Context, _ *ShopConfig, ev Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, ev)
	return nil
}

// Events returns a copy of the events so far.
func (l *EventLog) Events() []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Event(nil), l.events...)
}

// ByShop routes each shop's events to the notifier of its kind; shops
// without a notifier fall back to Default (nil: dropped).
type ByShop struct {
	Kinds   map[string]Notifier // by ShopConfig.Kind ("webhook", "woocommerce")
	Default Notifier
}

// Notify implements Notifier.
func (b ByShop) Notify(ctx context.Context, shop *ShopConfig, ev Event) error {
	kind := shop.Kind
	if kind == "" && shop.WebhookURL != "" {
		kind = "webhook"
	}
	if n := b.Kinds[kind]; n != nil {
		return n.Notify(ctx, shop, ev)
	}
	if b.Default != nil {
		return b.Default.Notify(ctx, shop, ev)
	}
	return nil
}
