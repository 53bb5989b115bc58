// Package webhook delivers the sidecar's reservation events to shops as
// signed JSON webhooks, and helps shops written in Go verify them.
//
// Notifier implements sidecar.Notifier. Notify puts the event in an outbox
// and returns at once; a pool of workers POSTs it to the shop's webhook URL,
// signed with the shop's secret (host/signature: header
// "Frontgate-Signature: t=<unix>,v1=<hex HMAC-SHA256 of t.body>"), and
// retries with exponential backoff and jitter until the shop answers 2xx,
// for at most MaxAttempts attempts and MaxAge. Each event has a stable id,
// EventID(reservation, status), sent as Frontgate-Event-Id and inside the
// body, so receivers apply it once however often it arrives.
//
// Receivers use Verifier (signature, timestamp tolerance, body size limit)
// and Deduper (event ids already applied), or Handler, which combines them.
// Shops in other languages follow examples/webhook-verify.
package webhook

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/frontgate/frontgate/host/sidecar"
	"github.com/frontgate/frontgate/host/signature"
)

// Headers of every webhook request besides signature.WebhookHeader.
const (
	HeaderEventID   = "Frontgate-Event-Id"
	HeaderEventType = "Frontgate-Event-Type"
	HeaderAttempt   = "Frontgate-Attempt"
)

// ErrNoDestination is what a DestinationFunc returns for a shop that has no
// webhook configured; Notify then skips the event without error.
var ErrNoDestination = errors.New("webhook: the shop has no webhook URL")

// Payload is the JSON body of a webhook: the sidecar's event and its id.
// Money inside Details is in øre.
type Payload struct {
	ID              string          `json:"id"`
	Type            string          `json:"type"`
	Shop            string          `json:"shop"`
	OrderID         string          `json:"orderId"`
	CheckoutID      string          `json:"checkoutId"`
	ReservationUUID string          `json:"reservationUuid"`
	Status          string          `json:"status"`
	PreviousStatus  string          `json:"previousStatus"`
	Via             string          `json:"via"`
	At              time.Time       `json:"at"`
	Details         json.RawMessage `json:"details,omitempty"`
}

// PayloadOf returns the payload of ev.
func PayloadOf(ev sidecar.Event) Payload {
	return Payload{ID: idOf(ev), Type: ev.Type, Shop: ev.Shop, OrderID: ev.OrderID,
		CheckoutID: ev.CheckoutID, ReservationUUID: ev.ReservationUUID, Status: ev.Status,
		PreviousStatus: ev.PreviousStatus, Via: ev.Via, At: ev.At, Details: ev.Details}
}

// idOf is ev's id: the sidecar's (ev.ID), or else EventID of its status.
func idOf(ev sidecar.Event) string {
	if ev.ID != "" {
		return ev.ID
	}
	return EventID(ev.ReservationUUID, ev.Status)
}

// EventID is the stable id of the event "reservation reached status": the
// lower-case hex SHA-256 of "<reservationUuid>:<status>". The sidecar
// applies each (reservation, status) once, and a shop that learns a status
// some other way (the shopper's return) computes the same id, so one id
// means one change however many paths report it. An event of new amounts
// in the same status (a second charge, a refund) has the id of
// "<status>#<captured>/<charged>/<refunded from captured>/<refunded from
// charged>", in øre.
func EventID(reservationUUID, status string) string {
	h := sha256.Sum256([]byte(reservationUUID + ":" + status))
	return hex.EncodeToString(h[:])
}

// Destination is where a shop's webhooks go and the secrets they are
// signed with (several during a rotation: the receiver accepts any).
type Destination struct {
	URL     string
	Secrets [][]byte
}

// DestinationFunc finds a shop's destination. It returns ErrNoDestination
// for a shop without webhooks.
type DestinationFunc func(shop *sidecar.ShopConfig) (Destination, error)

// EnvDestination reads the shop's webhookUrl and the secret in the
// environment variable its webhookSecretEnv names (getenv nil means
// os.Getenv), and while it rotates the old one its
// webhookPreviousSecretEnv names: both sign every delivery.
func EnvDestination(getenv func(string) string) DestinationFunc {
	if getenv == nil {
		getenv = os.Getenv
	}
	return func(shop *sidecar.ShopConfig) (Destination, error) {
		if shop.WebhookURL == "" {
			return Destination{}, ErrNoDestination
		}
		secret := getenv(shop.WebhookSecretEnv)
		if secret == "" {
			return Destination{}, fmt.Errorf("webhook: shop %s: the secret variable %q is empty", shop.ID, shop.WebhookSecretEnv)
		}
		secrets := [][]byte{[]byte(secret)}
		if shop.WebhookPreviousSecretEnv != "" {
			if prev := getenv(shop.WebhookPreviousSecretEnv); prev != "" {
				secrets = append(secrets, []byte(prev))
			}
		}
		return Destination{URL: shop.WebhookURL, Secrets: secrets}, nil
	}
}

// Backoff is the wait before a retry: Initial after the first failure,
// doubling up to Max, with the last Jitter fraction of it random ("equal
// jitter" at 0.5), so shops that fail together are not retried together.
type Backoff struct {
	Initial, Max time.Duration
	Jitter       float64
}

// Delay returns the wait after the failed attempt number attempt (1 for
// the first), with r in [0, 1) as the random draw.
func (b Backoff) Delay(attempt int, r float64) time.Duration {
	d := b.Initial
	for i := 1; i < attempt && d < b.Max; i++ {
		d *= 2
	}
	if d > b.Max {
		d = b.Max
	}
	j := b.Jitter
	if j < 0 {
		j = 0
	} else if j > 1 {
		j = 1
	}
	return d - time.Duration(float64(d)*j*(1-r))
}

// Config configures a Notifier. NewConfig fills the defaults.
type Config struct {
	// Destination finds each shop's URL and secrets.
	Destination DestinationFunc
	// Body encodes an event; nil means DefaultBody. The WooCommerce adapter
	// adds the outcome it expects.
	Body func(id string, ev sidecar.Event) ([]byte, error)
	// Outbox holds deliveries; nil means a new MemoryOutbox on Clock. A
	// durable one (redisoutbox) keeps them across restarts and shares them
	// between sidecars; set Shops with it.
	Outbox Outbox
	// Shops finds a shop's config by id, or nil for a shop no longer
	// configured. A delivery names only its shop; the Notifier signs it with
	// the secrets Destination gives for that shop. Without Shops it knows
	// only the shops it saw in Notify, so a delivery read from a durable
	// outbox after a restart, or put by another sidecar, waits (and is
	// retried) until the next Notify for its shop.
	Shops func(id string) *sidecar.ShopConfig
	// Workers is how many deliveries are in flight at once.
	Workers int
	// PerShop is how many of them one shop may hold (0: all workers but
	// one, at least one): a shop whose endpoint hangs keeps that many
	// workers waiting for AttemptTimeout, and the others deliver to the
	// other shops. A worker that takes a delivery of a shop already at PerShop
	// puts it back for later, spacing that shop's backlog by the time its
	// attempts take.
	PerShop int
	// MaxAttempts and MaxAge bound a delivery: no attempt is made after
	// either is reached, and the delivery is given up and reported.
	MaxAttempts int
	MaxAge      time.Duration
	Backoff     Backoff
	// AttemptTimeout bounds one request, from dialling to the answer.
	AttemptTimeout time.Duration
	// Client sends the requests; nil means a client that does not follow
	// redirects (a 3xx is a failed attempt).
	Client *http.Client
	// AllowHTTP permits plain-http URLs on hosts other than loopback. The
	// body carries the customer's contact details, so it is off by default.
	AllowHTTP bool
	Clock     Clock
	// Rand returns a number in [0, 1) for the jitter; nil means math/rand.
	Rand      func() float64
	Log       *slog.Logger
	UserAgent string
	// OnDelivered and OnGiveUp are called from the workers after a shop
	// acknowledged a delivery, and after one was given up (with the last
	// error): hooks for metrics and alerts.
	OnDelivered func(d Delivery)
	OnGiveUp    func(d Delivery, err error)
}

// Defaults of NewConfig: attempts for 24 hours, then give up (and keep
// the delivery as a dead letter). The backoff reaches its 30-minute cap
// after ten attempts (about half an hour); from then on an attempt comes
// every 15 to 30 minutes, so MaxAge ends the retries well before
// MaxAttempts (at most 105 attempts fit in 24 hours): a shop down
// overnight still gets its events.
const (
	DefaultWorkers        = 4
	DefaultMaxAttempts    = 120
	DefaultMaxAge         = 24 * time.Hour
	DefaultAttemptTimeout = 10 * time.Second
)

// NewConfig returns a Config with every default set and destinations read
// from the shops' config and the environment.
func NewConfig() Config {
	return Config{
		Destination:    EnvDestination(nil),
		Workers:        DefaultWorkers,
		MaxAttempts:    DefaultMaxAttempts,
		MaxAge:         DefaultMaxAge,
		Backoff:        Backoff{Initial: 2 * time.Second, Max: 30 * time.Minute, Jitter: 0.5},
		AttemptTimeout: DefaultAttemptTimeout,
		UserAgent:      "frontgate-webhook/1",
	}
}

// DefaultBody is the JSON of PayloadOf(ev).
func DefaultBody(id string, ev sidecar.Event) ([]byte, error) {
	p := PayloadOf(ev)
	p.ID = id
	return json.Marshal(p)
}

// Stats counts what a Notifier did since it started.
type Stats struct {
	Queued, Duplicates, Skipped int64 // events Notify took, refused as already known, had no destination for
	Attempts, Failures          int64 // requests sent, and those not acknowledged
	Delivered, GivenUp          int64 // deliveries acknowledged, and given up
	Pending                     int   // in the outbox now
	Dead                        int   // dead letters in the outbox now (given up, kept for Redeliver)
}

// Notifier delivers events as signed webhooks. It implements
// sidecar.Notifier and is safe for concurrent use. Start it with New, stop
// it with Close.
type Notifier struct {
	cfg    Config
	box    Outbox
	ctx    context.Context // cancelled by a Close that ran out of time
	cancel context.CancelFunc
	wg     sync.WaitGroup
	closed atomic.Bool

	mu   sync.Mutex
	keys map[string][][]byte // shop id → signing secrets

	lmu      sync.Mutex
	load     map[string]*shopLoad // shops with deliveries in flight or put back
	deferred map[string]deferral  // ids put back because their shop was at PerShop
	pruned   time.Time            // when deferred was last pruned

	queued, dups, skipped, attempts, failures, delivered, givenUp atomic.Int64
}

var _ sidecar.Notifier = (*Notifier)(nil)

// New validates cfg, fills what is unset from NewConfig, and starts the
// workers.
func New(cfg Config) (*Notifier, error) {
	def := NewConfig()
	if cfg.Destination == nil {
		cfg.Destination = def.Destination
	}
	if cfg.Body == nil {
		cfg.Body = DefaultBody
	}
	if cfg.Workers <= 0 {
		cfg.Workers = def.Workers
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = def.MaxAttempts
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = def.MaxAge
	}
	if cfg.Backoff.Initial <= 0 {
		cfg.Backoff.Initial = def.Backoff.Initial
	}
	if cfg.Backoff.Max < cfg.Backoff.Initial {
		cfg.Backoff.Max = max(def.Backoff.Max, cfg.Backoff.Initial)
	}
	if cfg.AttemptTimeout <= 0 {
		cfg.AttemptTimeout = def.AttemptTimeout
	}
	if cfg.Clock == nil {
		cfg.Clock = RealClock{}
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Float64
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = def.UserAgent
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if cfg.Outbox == nil {
		cfg.Outbox = NewMemoryOutbox(cfg.Clock)
	}
	if cfg.PerShop <= 0 {
		cfg.PerShop = max(1, cfg.Workers-1)
	}
	n := &Notifier{cfg: cfg, box: cfg.Outbox, keys: map[string][][]byte{}, load: map[string]*shopLoad{}, deferred: map[string]deferral{}}
	n.ctx, n.cancel = context.WithCancel(context.Background())
	for range cfg.Workers {
		n.wg.Add(1)
		go n.work()
	}
	return n, nil
}

// Notify implements sidecar.Notifier: it queues ev for the shop and returns
// without waiting for the shop. It fails only when the shop's destination
// is misconfigured, the notifier is closed, or the outbox refuses.
func (n *Notifier) Notify(ctx context.Context, shop *sidecar.ShopConfig, ev sidecar.Event) error {
	if n.closed.Load() {
		return ErrClosed
	}
	dest, err := n.destination(shop)
	if errors.Is(err, ErrNoDestination) {
		n.skipped.Add(1)
		return nil
	}
	if err != nil {
		return err
	}
	id := idOf(ev)
	body, err := n.cfg.Body(id, ev)
	if err != nil {
		return fmt.Errorf("webhook: encoding event %s: %w", id, err)
	}
	n.mu.Lock()
	n.keys[shop.ID] = dest.Secrets
	n.mu.Unlock()
	now := n.cfg.Clock.Now()
	d := &Delivery{ID: id, Shop: shop.ID, URL: dest.URL, Type: ev.Type, Order: ev.OrderID, Reservation: ev.ReservationUUID,
		Body: body, Created: now, NextAt: now}
	added, err := n.box.Put(ctx, d)
	if err != nil {
		return fmt.Errorf("webhook: queueing event %s: %w", id, err)
	}
	if !added {
		n.dups.Add(1)
		n.cfg.Log.Debug("webhook already queued or delivered", "event_id", id, "shop", shop.ID, "order", ev.OrderID)
		return nil
	}
	n.queued.Add(1)
	return nil
}

// destination is shop's webhook destination as Destination gives it now,
// with a URL checkURL accepts and at least one signing secret.
// Destination's own errors come as they are (they name the shop).
func (n *Notifier) destination(shop *sidecar.ShopConfig) (Destination, error) {
	dest, err := n.cfg.Destination(shop)
	if err != nil {
		return dest, err
	}
	if err := n.checkURL(dest.URL); err != nil {
		return dest, fmt.Errorf("webhook: shop %s: %w", shop.ID, err)
	}
	if len(dest.Secrets) == 0 {
		return dest, fmt.Errorf("webhook: shop %s: no signing secret", shop.ID)
	}
	return dest, nil
}

// checkURL refuses what is not an absolute http(s) URL, and plain http to
// hosts other than loopback unless AllowHTTP.
func (n *Notifier) checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("webhook URL must be an absolute https URL, not %q", raw)
	}
	if u.Scheme == "http" && !n.cfg.AllowHTTP && !loopback(u.Hostname()) {
		return fmt.Errorf("webhook URL %s must use https (set AllowHTTP to permit http)", u.Redacted())
	}
	return nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// shopLoad is one shop's share of the workers.
type shopLoad struct {
	running map[string]time.Time // attempts running: delivery id → start
	waiting int                  // deliveries put back (see admit)
	took    time.Duration        // how long its attempts take, a moving average
}

// deferral is a delivery admit put back, for its shop's waiting count, and
// when it comes due again.
type deferral struct {
	shop string
	due  time.Time
}

// firstGuess is what a shop's attempt is taken to last before one has.
const firstGuess = 20 * time.Millisecond

// admit lets d's attempt run unless its shop already has PerShop attempts
// running; then it returns how long to put d back for: the shop's attempt
// time, once more for every PerShop deliveries of it already put back, so
// the backlog comes due about as fast as the shop takes it (at most the
// backoff's cap).
func (n *Notifier) admit(d *Delivery) (ok bool, later time.Duration) {
	n.lmu.Lock()
	defer n.lmu.Unlock()
	l := n.load[d.Shop]
	if l == nil {
		l = &shopLoad{took: firstGuess, running: map[string]time.Time{}}
		n.load[d.Shop] = l
	}
	if _, ok := n.deferred[d.ID]; ok {
		delete(n.deferred, d.ID)
		l.waiting = max(0, l.waiting-1)
	}
	now := n.cfg.Clock.Now()
	n.pruneDeferred(now)
	if len(l.running) < n.cfg.PerShop {
		l.running[d.ID] = now
		return true, 0
	}
	// An attempt of a shop that hangs takes at least as long as the one
	// running longest has run, whatever the average says.
	took := l.took
	for _, start := range l.running {
		took = max(took, now.Sub(start))
	}
	later = took + took*time.Duration(l.waiting)/time.Duration(n.cfg.PerShop)
	later = min(max(later, 10*time.Millisecond), n.cfg.Backoff.Max)
	if len(n.deferred) < maxDeferred {
		l.waiting++
		n.deferred[d.ID] = deferral{shop: d.Shop, due: now.Add(later)}
	}
	return false, later
}

// maxDeferred bounds the ids admit remembers (a put-back delivery another
// sidecar took, say, is never seen again here).
const maxDeferred = 100_000

// pruneDeferred forgets, every ten seconds, the put-back deliveries that
// did not come back within a minute of falling due (another sidecar on the
// same outbox delivered them, or they were given up), so their shops'
// waiting counts come down again.
func (n *Notifier) pruneDeferred(now time.Time) {
	if now.Sub(n.pruned) < 10*time.Second {
		return
	}
	n.pruned = now
	cut := now.Add(-time.Minute)
	for id, df := range n.deferred {
		if df.due.Before(cut) {
			delete(n.deferred, id)
			if l := n.load[df.shop]; l != nil {
				l.waiting = max(0, l.waiting-1)
				if len(l.running) == 0 && l.waiting <= 0 {
					delete(n.load, df.shop)
				}
			}
		}
	}
}

// finished ends d's attempt, which took so long.
func (n *Notifier) finished(d *Delivery, took time.Duration) {
	n.lmu.Lock()
	defer n.lmu.Unlock()
	l := n.load[d.Shop]
	if l == nil {
		return
	}
	delete(l.running, d.ID)
	l.took = (l.took + took) / 2
	if len(l.running) == 0 && l.waiting <= 0 {
		delete(n.load, d.Shop)
	}
}

func (n *Notifier) work() {
	defer n.wg.Done()
	for {
		d, err := n.box.Take(n.ctx)
		if err != nil {
			if !errors.Is(err, ErrClosed) && n.ctx.Err() == nil {
				n.cfg.Log.Error("webhook outbox failed", "err", err)
				select { // an outbox that fails is given a moment
				case <-n.ctx.Done():
				case <-n.cfg.Clock.After(time.Second):
					continue
				}
			}
			return
		}
		ok, later := n.admit(d)
		if !ok {
			d.NextAt = n.cfg.Clock.Now().Add(later)
			if err := n.box.Retry(context.Background(), d); err != nil {
				n.cfg.Log.Error("webhook outbox refused to put a delivery back; a durable outbox hands it out again when its lease expires",
					"event_id", d.ID, "err", err)
			}
			continue
		}
		start := n.cfg.Clock.Now()
		n.attempt(d)
		n.finished(d, n.cfg.Clock.Now().Sub(start))
	}
}

// permanentError is an answer that no retry will change.
type permanentError struct{ error }

func (n *Notifier) attempt(d *Delivery) {
	ctx := context.Background() // outbox calls finish even while closing
	d.Attempts++
	n.attempts.Add(1)
	err := n.send(d)
	if err == nil {
		d.LastError = ""
		if aerr := n.box.Ack(ctx, d); aerr != nil {
			n.cfg.Log.Error("webhook acknowledged but the outbox failed", "event_id", d.ID, "err", aerr)
		}
		n.delivered.Add(1)
		n.cfg.Log.Info("webhook delivered", "event_id", d.ID, "type", d.Type, "shop", d.Shop, "order", d.Order,
			"reservation", d.Reservation, "attempts", d.Attempts)
		if n.cfg.OnDelivered != nil {
			n.cfg.OnDelivered(*d)
		}
		return
	}
	n.failures.Add(1)
	d.LastError = err.Error()
	if n.ctx.Err() != nil { // a Close that ran out of time: leave it pending
		d.Attempts--
		_ = n.box.Retry(ctx, d)
		return
	}
	now := n.cfg.Clock.Now()
	delay := n.cfg.Backoff.Delay(d.Attempts, n.cfg.Rand())
	var perm permanentError
	switch {
	case errors.As(err, &perm):
	case d.Attempts >= n.cfg.MaxAttempts:
		err = fmt.Errorf("%d attempts failed, the last: %w", d.Attempts, err)
	case now.Add(delay).Sub(d.Created) > n.cfg.MaxAge:
		err = fmt.Errorf("no acknowledgement within %s (%d attempts), the last: %w", n.cfg.MaxAge, d.Attempts, err)
	default:
		d.NextAt = now.Add(delay)
		n.cfg.Log.Warn("webhook attempt failed; retrying", "event_id", d.ID, "shop", d.Shop, "order", d.Order,
			"attempt", d.Attempts, "retry_in", delay.String(), "err", d.LastError)
		if rerr := n.box.Retry(ctx, d); rerr != nil {
			n.cfg.Log.Error("webhook outbox refused a retry; a durable outbox hands the delivery out again when its lease expires",
				"event_id", d.ID, "err", rerr)
		}
		return
	}
	if derr := n.box.Drop(ctx, d); derr != nil {
		n.cfg.Log.Error("webhook outbox refused to keep a given-up delivery", "event_id", d.ID, "err", derr)
	}
	n.givenUp.Add(1)
	n.cfg.Log.Error("webhook given up; kept as a dead letter (POST /v1/webhooks/redeliver sends it again)",
		"event_id", d.ID, "type", d.Type, "shop", d.Shop, "order", d.Order,
		"reservation", d.Reservation, "attempts", d.Attempts, "err", err.Error())
	if n.cfg.OnGiveUp != nil {
		n.cfg.OnGiveUp(*d, err)
	}
}

// send makes one attempt. A 2xx answer is success; 410 Gone means the shop
// does not want this event (an unknown order) and is not retried; any
// other answer or a transport error is retried.
func (n *Notifier) send(d *Delivery) error {
	keys, err := n.secrets(d.Shop)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(n.ctx, n.cfg.AttemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.target(d), bytes.NewReader(d.Body))
	if err != nil {
		return permanentError{err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", n.cfg.UserAgent)
	req.Header.Set(HeaderEventID, d.ID)
	req.Header.Set(HeaderEventType, d.Type)
	req.Header.Set(HeaderAttempt, strconv.Itoa(d.Attempts))
	req.Header.Set(signature.WebhookHeader, signature.SignWebhook(d.Body, n.cfg.Clock.Now(), keys...))
	resp, err := n.cfg.Client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL may carry a token; the log has the event id
		}
		return fmt.Errorf("POST: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusGone:
		return permanentError{fmt.Errorf("the shop answered %d Gone: it does not take this event", resp.StatusCode)}
	}
	return fmt.Errorf("the shop answered %d", resp.StatusCode)
}

// target is where d goes now: the shop's webhook URL in the current
// configuration (Shops), which a restart may have changed since d was
// queued (a wrong URL is a common reason for dead letters), or else the
// URL d was queued with.
func (n *Notifier) target(d *Delivery) string {
	if n.cfg.Shops != nil {
		if sc := n.cfg.Shops(d.Shop); sc != nil {
			if dest, err := n.destination(sc); err == nil {
				return dest.URL
			}
		}
	}
	return d.URL
}

// secrets returns the keys that sign a shop's deliveries: those Notify
// learnt, or else those Destination gives for the shop Shops finds.
func (n *Notifier) secrets(shop string) ([][]byte, error) {
	n.mu.Lock()
	keys := n.keys[shop]
	n.mu.Unlock()
	if len(keys) > 0 {
		return keys, nil
	}
	if n.cfg.Shops == nil {
		// A durable outbox read after a restart, or filled by another
		// sidecar: the next Notify for the shop brings its keys.
		return nil, errors.New("no signing secret known for the shop yet")
	}
	sc := n.cfg.Shops(shop)
	if sc == nil {
		// Retried, not given up: sidecars sharing a durable outbox run
		// different configs while one that adds a shop rolls out, and
		// another may have it. A shop removed for good is given up at
		// MaxAttempts or MaxAge like any delivery that keeps failing.
		return nil, fmt.Errorf("shop %q is not configured", shop)
	}
	dest, err := n.cfg.Destination(sc)
	if err != nil {
		return nil, permanentError{fmt.Errorf("shop %s: %w", shop, err)}
	}
	if len(dest.Secrets) == 0 {
		return nil, permanentError{fmt.Errorf("shop %s: no signing secret", shop)}
	}
	n.mu.Lock()
	n.keys[shop] = dest.Secrets
	n.mu.Unlock()
	return dest.Secrets, nil
}

// Stats returns the counters so far and what the outbox holds now.
func (n *Notifier) Stats() Stats {
	st := n.Counters()
	st.Pending, st.Dead = n.box.Len(), n.box.DeadLen()
	return st
}

// Counters returns the counters so far, without asking the outbox (Pending
// and Dead are 0): for metrics scraped often from a Redis outbox.
func (n *Notifier) Counters() Stats {
	return Stats{Queued: n.queued.Load(), Duplicates: n.dups.Load(), Skipped: n.skipped.Load(),
		Attempts: n.attempts.Load(), Failures: n.failures.Load(), Delivered: n.delivered.Load(),
		GivenUp: n.givenUp.Load()}
}

var _ sidecar.DeadLetters = (*Notifier)(nil)

// DeadLetters implements sidecar.DeadLetters: the deliveries to shop that
// were given up and are kept in the outbox.
func (n *Notifier) DeadLetters(ctx context.Context, shop *sidecar.ShopConfig, limit int) ([]sidecar.DeadLetter, error) {
	dead, err := n.box.Dead(ctx, shop.ID, limit)
	if err != nil {
		return nil, err
	}
	out := make([]sidecar.DeadLetter, 0, len(dead))
	for _, d := range dead {
		out = append(out, sidecar.DeadLetter{EventID: d.ID, Type: d.Type, OrderID: d.Order,
			ReservationUUID: d.Reservation, Attempts: d.Attempts, LastError: d.LastError,
			Created: d.Created, GaveUpAt: d.GaveUpAt})
	}
	return out, nil
}

// Redeliver implements sidecar.DeadLetters: it queues shop's dead letters
// named by ids (all when ids is empty) again, due now, with MaxAttempts and
// MaxAge afresh, to the shop's webhook URL and signed with its secrets as
// shop (the current configuration) gives them. Each keeps its event id and
// body, so a shop that took one after all (an answer lost on the way back)
// sees a duplicate it ignores.
func (n *Notifier) Redeliver(ctx context.Context, shop *sidecar.ShopConfig, ids []string) (int, error) {
	if n.closed.Load() {
		return 0, ErrClosed
	}
	// The shop's destination now: its URL or secret may be what was wrong.
	dest, err := n.destination(shop)
	if err != nil {
		return 0, err
	}
	n.mu.Lock()
	n.keys[shop.ID] = dest.Secrets
	n.mu.Unlock()
	k, err := n.box.Revive(ctx, shop.ID, ids, n.cfg.Clock.Now(), dest.URL)
	if k > 0 {
		n.cfg.Log.Info("dead letters queued again", "shop", shop.ID, "count", k)
	}
	return k, err
}

// Close stops taking events and waits until the outbox is drained (see
// Outbox.Close: a MemoryOutbox until every delivery is acknowledged or
// given up, a durable outbox until nothing is due, leaving later retries
// stored for the next instance), or until ctx ends; then it cancels the
// attempts in flight, hands them back to the outbox, and returns an error
// naming how many deliveries are left (a MemoryOutbox loses them with the
// process; they are logged).
func (n *Notifier) Close(ctx context.Context) error {
	if n.closed.Swap(true) {
		return ErrClosed
	}
	_ = n.box.Close()
	done := make(chan struct{})
	go func() {
		n.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		n.cancel()
		return nil
	case <-ctx.Done():
	}
	n.cancel()
	<-done
	left := n.box.Len()
	if mb, ok := n.box.(*MemoryOutbox); ok {
		for _, d := range mb.Pending() {
			n.cfg.Log.Error("webhook undelivered at shutdown", "event_id", d.ID, "type", d.Type, "shop", d.Shop,
				"order", d.Order, "reservation", d.Reservation, "attempts", d.Attempts)
		}
	}
	if left == 0 {
		return nil
	}
	return fmt.Errorf("webhook: closed with %d deliveries pending: %w", left, ctx.Err())
}
