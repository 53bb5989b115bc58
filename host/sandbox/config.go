package sandbox

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"time"

	"github.com/frontgate/frontgate/plugin/callback"
	"github.com/frontgate/frontgate/plugin/money"
)

// Defaults. Each names the reference's figure where it gives one, and
// README.md explains the choice where it does not.
const (
	// DefaultToken and DefaultSecret are the sandbox's well-known
	// development credentials. They protect nothing; they exist so that
	// `frontgo-sandbox` and `frontgate` agree without configuration.
	DefaultToken  = "sandbox-token"
	DefaultSecret = "sandbox-secret"

	// DefaultCaptureDeadline is how long a reservation stays capturable
	// after the card was authorised. The reference says the period "varies
	// … but generally lasts between 7 and 31 days"; the sandbox takes the
	// shortest, so code that passes here is not relying on a long window.
	DefaultCaptureDeadline = 7 * 24 * time.Hour

	// DefaultChargeValidityDays is how long after the reservation a charge
	// is possible when the request gives no chargeValidity: the
	// reference's "up to 90 days after the reservation has been confirmed".
	DefaultChargeValidityDays = 90

	// DefaultChargeRunwayPercent bounds the sum of all charges on a
	// reservation to this percentage of its reserved amount. The
	// reference says a charge "can exceed (or be separate from) the
	// reserved amount" and documents paymentChargeRunwayExceed, but not
	// the limit: twice the reserved amount, so that charges above it work
	// here as they do at FrontGo, and the refusal can still be met.
	DefaultChargeRunwayPercent = 200

	// DefaultMaxBodyBytes is the largest request body read; larger bodies
	// are answered 413.
	DefaultMaxBodyBytes = 1 << 20

	// DefaultRateLimit is the x-ratelimit-limit recorded demo responses
	// carry. The sandbox reports it but only refuses when a rate_limit
	// fault is injected.
	DefaultRateLimit = 240

	// Callback delivery: per-attempt timeout, attempts in all, and the
	// first pause between attempts (doubled each time).
	DefaultCallbackTimeout  = 5 * time.Second
	DefaultCallbackAttempts = 3
	DefaultCallbackBackoff  = 500 * time.Millisecond

	// DefaultHoldMax bounds how long a timeout fault holds a request and
	// a reorder fault holds a callback.
	DefaultHoldMax = 30 * time.Second
)

// Config configures a Sandbox. Zero fields take the defaults above
// (DefaultConfig spells them out); New validates the result once and
// never reads the Config again.
type Config struct {
	// Token is the bearer token every API request must carry.
	Token string
	// Secret is the merchant's secret key: the last part of every
	// callback checksum.
	Secret string
	// Scheme is the callback checksum scheme; the zero value is the
	// current one, ordered-params.
	Scheme callback.Scheme
	// CallbackStatusSuccess sends status=success in callbacks, as the
	// reference's example does, instead of the status name (RESERVED,
	// CAPTURED, CHARGED). Either way the callback is a hint to confirm
	// with the details endpoint.
	CallbackStatusSuccess bool

	// Control enables the control plane under /_sandbox/.
	Control bool
	// ControlToken is the bearer token of the control plane; empty means
	// Token.
	ControlToken string

	// PublicURL is the base of the checkout URLs handed out
	// ("http://127.0.0.1:8089"); empty means "http://" plus the Host the
	// API request was sent to.
	PublicURL string

	// Now is the sandbox's clock before AdvanceClock moves it; nil means
	// time.Now. Every deadline, timestamp and history entry reads it.
	Now func() time.Time
	// Rand supplies the digits of identifiers (RES…, CSRT…, CAP…, CHA…)
	// and the dice of probabilistic faults; nil means a ChaCha8 source
	// seeded from crypto/rand. Tests pass a fixed seed for repeatable
	// identifiers.
	Rand rand.Source
	// Location is the time zone of history and details datetimes
	// ("21.01.2024 04:00"); nil means UTC. FrontGo answers in Norwegian
	// local time; pass Europe/Oslo to match.
	Location *time.Location

	// TaxRates are the tax rates the merchant account accepts; nil means
	// reservation.DefaultTaxRates (0, 12, 15, 25 %).
	TaxRates []money.Rate
	// CaptureDeadline is how long after authorisation a capture is
	// accepted (paymentCaptureDeadlineExceed afterwards).
	CaptureDeadline time.Duration
	// ChargeValidityDays is the charge window in days when a reservation
	// carries no chargeValidity (paymentChargeDeadlineExceed afterwards).
	// A reservation's own chargeValidity counts minutes.
	ChargeValidityDays int
	// ChargeRunwayPercent caps the sum of a reservation's charges at this
	// percentage of its reserved amount (paymentChargeRunwayExceed).
	ChargeRunwayPercent int
	// ChargeRunwayMax, when positive, also caps that sum absolutely.
	ChargeRunwayMax money.Amount
	// RefundRequestLimit, when positive, is the largest amount one refund
	// request may move (refundRejectionForRequestAmountThresholdExceed).
	RefundRequestLimit money.Amount
	// RefundWeeklyLimit, when positive, is the most the merchant may
	// refund over any 7 days, all reservations together
	// (refundRejectionForWeeklyThresholdExceed).
	RefundWeeklyLimit money.Amount

	// MaxBodyBytes is the largest request body read (413 beyond).
	MaxBodyBytes int64
	// RateLimit is the x-ratelimit-limit reported per minute.
	RateLimit int

	// CallbackTimeout bounds one delivery attempt; CallbackAttempts is
	// the number of attempts in all; CallbackBackoff the first pause
	// between attempts, doubled after each.
	CallbackTimeout  time.Duration
	CallbackAttempts int
	CallbackBackoff  time.Duration
	// HoldMax bounds timeout faults and held (reordered) callbacks.
	HoldMax time.Duration

	// Logger receives one line per request and per callback attempt;
	// nil discards. Tokens, secrets, checksums and card numbers are never
	// logged.
	Logger *slog.Logger
	// OnCallback, if set, is called on a goroutine of its own each time a
	// callback is finished: delivered, given up, or dropped by a fault.
	OnCallback func(CallbackRecord)
}

// DefaultConfig returns a Config with every default filled in, the
// well-known sandbox credentials, and the control plane off.
func DefaultConfig() Config {
	return Config{
		Token:               DefaultToken,
		Secret:              DefaultSecret,
		Scheme:              callback.SchemeOrderedParams,
		Location:            time.UTC,
		CaptureDeadline:     DefaultCaptureDeadline,
		ChargeValidityDays:  DefaultChargeValidityDays,
		ChargeRunwayPercent: DefaultChargeRunwayPercent,
		MaxBodyBytes:        DefaultMaxBodyBytes,
		RateLimit:           DefaultRateLimit,
		CallbackTimeout:     DefaultCallbackTimeout,
		CallbackAttempts:    DefaultCallbackAttempts,
		CallbackBackoff:     DefaultCallbackBackoff,
		HoldMax:             DefaultHoldMax,
	}
}

// ErrConfig is wrapped by every error New returns for a bad Config.
var ErrConfig = errors.New("sandbox: invalid config")

func configError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...)
}

// withDefaults fills zero fields and refuses values no default can mend.
func (c Config) withDefaults() (Config, error) {
	d := DefaultConfig()
	if c.Token == "" {
		return c, configError("token is empty")
	}
	if c.Secret == "" {
		return c, configError("secret is empty")
	}
	if !c.Scheme.Valid() {
		return c, configError("unknown callback scheme %s", c.Scheme)
	}
	if c.ControlToken == "" {
		c.ControlToken = c.Token
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return c, configError("public URL %q is not an absolute http(s) URL without query", c.PublicURL)
		}
		c.PublicURL = u.Scheme + "://" + u.Host + trimSlash(u.Path)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Location == nil {
		c.Location = time.UTC
	}
	type dur struct {
		name string
		v    *time.Duration
		def  time.Duration
	}
	for _, f := range []dur{
		{"capture deadline", &c.CaptureDeadline, d.CaptureDeadline},
		{"callback timeout", &c.CallbackTimeout, d.CallbackTimeout},
		{"callback backoff", &c.CallbackBackoff, d.CallbackBackoff},
		{"hold max", &c.HoldMax, d.HoldMax},
	} {
		if *f.v < 0 {
			return c, configError("negative %s %s", f.name, *f.v)
		}
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	type num struct {
		name string
		v    *int
		def  int
	}
	for _, f := range []num{
		{"charge validity days", &c.ChargeValidityDays, d.ChargeValidityDays},
		{"charge runway percent", &c.ChargeRunwayPercent, d.ChargeRunwayPercent},
		{"rate limit", &c.RateLimit, d.RateLimit},
		{"callback attempts", &c.CallbackAttempts, d.CallbackAttempts},
	} {
		if *f.v < 0 {
			return c, configError("negative %s %d", f.name, *f.v)
		}
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	if c.ChargeRunwayPercent > 10000 {
		return c, configError("charge runway percent %d exceeds 10000", c.ChargeRunwayPercent)
	}
	if c.CallbackAttempts > 20 {
		return c, configError("callback attempts %d exceed 20", c.CallbackAttempts)
	}
	if c.MaxBodyBytes < 0 {
		return c, configError("negative max body bytes %d", c.MaxBodyBytes)
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = d.MaxBodyBytes
	}
	for _, a := range []struct {
		name string
		v    money.Amount
	}{{"charge runway max", c.ChargeRunwayMax}, {"refund request limit", c.RefundRequestLimit}, {"refund weekly limit", c.RefundWeeklyLimit}} {
		if a.v < 0 || a.v > money.MaxAmount {
			return c, configError("%s %s is out of range", a.name, a.v)
		}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

func trimSlash(p string) string {
	for len(p) > 0 && p[len(p)-1] == '/' {
		p = p[:len(p)-1]
	}
	return p
}
