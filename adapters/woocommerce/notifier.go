package woocommerce

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/frontgate/frontgate/adapters/webhook"
	"github.com/frontgate/frontgate/host/sidecar"
)

// Payload is what the plugin's WC-API endpoint receives: the webhook
// payload plus the outcome the sidecar expects, so the plugin can log a
// difference between its settings and the sidecar's. The plugin applies
// its own table (the same by default) and its own translated notes.
type Payload struct {
	webhook.Payload
	Outcome Outcome `json:"outcome"`
}

// NotifierConfig configures NewNotifier.
type NotifierConfig struct {
	// Webhook is the delivery: retries, outbox, workers, logs. Its
	// Destination defaults to webhook.EnvDestination, so each WooCommerce
	// shop's webhookUrl in the sidecar config is the plugin's endpoint
	// (see WCAPIURL) and webhookSecretEnv holds the secret also entered in
	// the plugin's settings.
	Webhook webhook.Config
	// Statuses maps reservation statuses to outcomes; the zero value means
	// DefaultStatusMap.
	Statuses StatusMap
	// ShopStatuses, when set, gives a shop's own map (its plugin's
	// settings), used instead of Statuses for that shop's events; ok false
	// means Statuses. Its maps are validated by the caller (see
	// StatusMapOf).
	ShopStatuses func(shop string) (m StatusMap, ok bool)
}

// StatusMapOf is DefaultStatusMap with the statuses a shop's config sets
// (sidecar.ShopConfig.Statuses), validated.
func StatusMapOf(s *sidecar.OrderStatuses) (StatusMap, error) {
	m := DefaultStatusMap()
	if s == nil {
		return m, nil
	}
	for _, f := range []struct {
		from string
		to   *string
	}{{s.Reserved, &m.Reserved}, {s.Cancelled, &m.Cancelled}, {s.Expired, &m.Expired}, {s.Refunded, &m.Refunded}} {
		if f.from != "" {
			*f.to = f.from
		}
	}
	return m, m.Validate()
}

// NewNotifier returns a sidecar.Notifier that delivers every reservation
// event to a WooCommerce shop's frontgate-woocommerce plugin, signed like
// any webhook and retried until the plugin acknowledges it (it answers 200
// once the outcome is applied or was already, and 410 for an order it does
// not know).
func NewNotifier(cfg NotifierConfig) (*webhook.Notifier, error) {
	m := cfg.Statuses
	if m == (StatusMap{}) {
		m = DefaultStatusMap()
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	wc := cfg.Webhook
	wc.Body = func(id string, ev sidecar.Event) ([]byte, error) {
		sm := m
		if cfg.ShopStatuses != nil {
			if own, ok := cfg.ShopStatuses(ev.Shop); ok {
				sm = own
			}
		}
		p := Payload{Payload: webhook.PayloadOf(ev), Outcome: sm.Outcome(ev.Status, ev.ReservationUUID)}
		p.ID = id
		return json.Marshal(p)
	}
	if wc.UserAgent == "" {
		wc.UserAgent = "frontgate-woocommerce/1"
	}
	return webhook.New(wc)
}

// WCAPIURL returns the plugin's endpoint on a WordPress site:
// "<site>/?wc-api=frontgate", which works with any permalink setting
// ("<site>/wc-api/frontgate/" needs pretty permalinks).
func WCAPIURL(site string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(site))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("woocommerce: site URL must be absolute, such as https://shop.example, not %q", site)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	q := u.Query()
	q.Set("wc-api", "frontgate")
	u.RawQuery = q.Encode()
	u.Fragment = ""
	return u.String(), nil
}
