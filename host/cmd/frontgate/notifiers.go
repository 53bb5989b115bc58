package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/frontgate/frontgate/adapters/webhook"
	"github.com/frontgate/frontgate/adapters/webhook/redisoutbox"
	"github.com/frontgate/frontgate/adapters/woocommerce"
	"github.com/frontgate/frontgate/host/sidecar"
)

// webhookNotifiers are the sidecar's webhook notifiers, one per kind of
// shop that has a webhookUrl ("webhook", "woocommerce"). With the Redis
// store their outboxes are on the same Redis, one key prefix per kind, so
// deliveries survive a restart and any sidecar delivers them; otherwise
// they are in memory.
type webhookNotifiers struct {
	kinds  map[string]*webhook.Notifier
	boxes  map[string]webhook.Outbox
	rdb    *redis.Client // the outboxes' client, closed after the notifiers
	closed bool
}

// outboxPrefix is where the outbox of the notifiers of kind keeps its keys;
// the hash tag keeps them in one slot of a Redis Cluster.
func outboxPrefix(kind string) string { return "frontgate:outbox:{" + kind + "}:" }

func newWebhookNotifiers(cfg *sidecar.Config, env func(string) string, log *slog.Logger) (*webhookNotifiers, error) {
	w := &webhookNotifiers{kinds: map[string]*webhook.Notifier{}, boxes: map[string]webhook.Outbox{}}
	shops := map[string]*sidecar.ShopConfig{}
	for i := range cfg.Shops {
		shops[cfg.Shops[i].ID] = &cfg.Shops[i]
	}
	for _, sh := range cfg.Shops {
		kind := kindOf(sh)
		if sh.WebhookURL == "" || w.kinds[kind] != nil {
			continue
		}
		wcfg := webhook.NewConfig()
		wcfg.Log = log.With("component", "webhook", "kind", kind)
		wcfg.Destination = webhook.EnvDestination(env)
		// Deliveries stored by an earlier run or another sidecar name only
		// their shop: its secret is found in this config.
		wcfg.Shops = func(id string) *sidecar.ShopConfig { return shops[id] }
		if cfg.Store == "redis" {
			if w.rdb == nil {
				opt, err := redis.ParseURL(cfg.RedisURL())
				if err != nil { // its message repeats the URL, password and all
					return nil, fmt.Errorf("webhook outbox: %s is not a valid redis:// or rediss:// URL (not repeated here: it may hold a password)", cfg.RedisURLEnv)
				}
				w.rdb = redis.NewClient(opt)
			}
			wcfg.Outbox = redisoutbox.New(w.rdb, redisoutbox.Options{Prefix: outboxPrefix(kind)})
		} else {
			wcfg.Outbox = webhook.NewMemoryOutbox(nil)
		}
		var n *webhook.Notifier
		var err error
		if kind == "woocommerce" {
			own := map[string]woocommerce.StatusMap{}
			for i, s := range cfg.Shops {
				if s.Statuses == nil {
					continue
				}
				m, err := woocommerce.StatusMapOf(s.Statuses)
				if err != nil {
					w.Close(context.Background())
					return nil, fmt.Errorf("config: shops.%d.%s", i, strings.TrimPrefix(err.Error(), "woocommerce: "))
				}
				own[s.ID] = m
			}
			n, err = woocommerce.NewNotifier(woocommerce.NotifierConfig{Webhook: wcfg,
				ShopStatuses: func(shop string) (woocommerce.StatusMap, bool) { m, ok := own[shop]; return m, ok }})
		} else {
			n, err = webhook.New(wcfg)
		}
		if err != nil {
			w.Close(context.Background())
			return nil, err
		}
		w.kinds[kind], w.boxes[kind] = n, wcfg.Outbox
	}
	return w, nil
}

// gauges exports each notifier's deliveries in svc's metrics, labelled by
// kind: what its outbox holds (pending, dead letters) and its counters.
func (w *webhookNotifiers) gauges(svc *sidecar.Service) {
	for kind, n := range w.kinds {
		box, label := w.boxes[kind], `{kind="`+kind+`"}`
		svc.Gauge("frontgate_webhook_pending"+label, func() float64 { return float64(box.Len()) })
		svc.Gauge("frontgate_webhook_dead_letters"+label, func() float64 { return float64(box.DeadLen()) })
		// Counters since start, read when scraped.
		svc.Gauge("frontgate_webhook_delivered_total"+label, func() float64 { return float64(n.Counters().Delivered) })
		svc.Gauge("frontgate_webhook_given_up_total"+label, func() float64 { return float64(n.Counters().GivenUp) })
		svc.Gauge("frontgate_webhook_failed_attempts_total"+label, func() float64 { return float64(n.Counters().Failures) })
	}
}

// Close closes the notifiers together, each draining until ctx ends (see
// webhook.Notifier.Close), then the Redis client. It returns the
// notifiers' errors joined.
func (w *webhookNotifiers) Close(ctx context.Context) error {
	if w.closed {
		return nil
	}
	w.closed = true
	var wg sync.WaitGroup
	errs := make(chan error, len(w.kinds))
	for kind, n := range w.kinds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := n.Close(ctx); err != nil {
				errs <- fmt.Errorf("%s notifier: %w", kind, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	if w.rdb != nil {
		_ = w.rdb.Close()
	}
	return errors.Join(all...)
}
