package sidecar

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"
)

// Event is one confirmed change of a reservation, as shops receive it.
type Event struct {
	// ID is the event's stable id, EventID(ReservationUUID, Status): the
	// same however often and by whichever path (callback, return,
	// operation, reconciler) the change is reported, so a shop applies it
	// once. An event of new amounts in an unchanged status (a second
	// charge, a refund; PreviousStatus equals Status) has
	// EventID(ReservationUUID, Status+"#"+amounts), amounts being
	// "<captured>/<charged>/<refunded from captured>/<refunded from
	// charged>" in øre.
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

// shopKind is the kind of notifier that tells shop: its Kind, or "webhook"
// for a shop with only a webhookUrl.
func shopKind(shop *ShopConfig) string {
	if shop.Kind == "" && shop.WebhookURL != "" {
		return "webhook"
	}
	return shop.Kind
}

// Notify implements Notifier.
func (b ByShop) Notify(ctx context.Context, shop *ShopConfig, ev Event) error {
	if n := b.Kinds[shopKind(shop)]; n != nil {
		return n.Notify(ctx, shop, ev)
	}
	if b.Default != nil {
		return b.Default.Notify(ctx, shop, ev)
	}
	return nil
}

// DeadLetter is a shop notification given up after its retries (the
// webhook notifiers' MaxAttempts or MaxAge, or an answer no retry changes,
// such as 410 Gone). It is kept, not lost: Redeliver sends it again.
type DeadLetter struct {
	EventID         string    `json:"eventId"`
	Type            string    `json:"type"`
	OrderID         string    `json:"orderId"`
	ReservationUUID string    `json:"reservationUuid"`
	Attempts        int       `json:"attempts"`
	LastError       string    `json:"lastError"`
	Created         time.Time `json:"created"`
	GaveUpAt        time.Time `json:"gaveUpAt"`
}

// DeadLetters is a Notifier that keeps what it gave up (the webhook
// notifiers do): the sidecar's /v1/webhooks endpoints list a shop's dead
// letters and queue them again, once the shop's endpoint is fixed.
type DeadLetters interface {
	// DeadLetters returns shop's dead letters, the most recently given up
	// first, at most limit.
	DeadLetters(ctx context.Context, shop *ShopConfig, limit int) ([]DeadLetter, error)
	// Redeliver queues again the shop's dead letters named by ids (all of
	// them when ids is empty), each with its retries afresh, and returns
	// how many it queued; ids that are not the shop's dead letters are
	// skipped.
	Redeliver(ctx context.Context, shop *ShopConfig, ids []string) (int, error)
}

// ErrNoDeadLetters is what a ByShop answers for a shop whose notifier
// keeps no dead letters (a shop without a webhookUrl).
var ErrNoDeadLetters = errors.New("the shop's notifications are not delivered by webhook, so none are kept as dead letters")

func (b ByShop) deadLetters(shop *ShopConfig) (DeadLetters, error) {
	var n Notifier = b.Default
	if k := b.Kinds[shopKind(shop)]; k != nil {
		n = k
	}
	if d, ok := n.(DeadLetters); ok {
		return d, nil
	}
	return nil, ErrNoDeadLetters
}

// DeadLetters implements DeadLetters by the shop's kind.
func (b ByShop) DeadLetters(ctx context.Context, shop *ShopConfig, limit int) ([]DeadLetter, error) {
	d, err := b.deadLetters(shop)
	if err != nil {
		return nil, err
	}
	return d.DeadLetters(ctx, shop, limit)
}

// Redeliver implements DeadLetters by the shop's kind.
func (b ByShop) Redeliver(ctx context.Context, shop *ShopConfig, ids []string) (int, error) {
	d, err := b.deadLetters(shop)
	if err != nil {
		return 0, err
	}
	return d.Redeliver(ctx, shop, ids)
}
