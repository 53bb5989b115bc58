package sidecar

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"reflect"
	"strings"
	"time"
)

// Config is the sidecar's whole configuration: decoded strictly (unknown
// keys are errors), validated once by Validate, read-only afterwards.
// Secrets are never read from command-line flags: they come from the
// environment or from files, named by the *Env and *File fields.
type Config struct {
	// Listen is the address the sidecar serves on.
	Listen string `json:"listen"`
	// OpsListen, when set, is a second address that serves only /healthz,
	// /readyz and /metrics, for probes and Prometheus on an address the
	// public cannot reach (say 127.0.0.1:9090, or a cluster-internal
	// interface); the public port then answers 404 for those paths. Empty
	// (the default): they share the public port.
	OpsListen string `json:"opsListen"`
	// PublicURL is how FrontGo and shoppers reach the sidecar; it prefixes
	// every callback and return URL handed to FrontGo.
	PublicURL string `json:"publicUrl"`

	FrontGo FrontGoConfig `json:"frontgo"`
	Shops   []ShopConfig  `json:"shops"`

	// TokenKeyEnv names the environment variable holding the key (32+
	// bytes) that signs return and callback tokens; several keys,
	// comma-separated "id:secret" pairs, allow rotation (first signs). An
	// id is 1-16 letters, digits, '-' or '_'; a secret holding ':' or ','
	// is given with an id in front ("k1:…") and without a ','.
	TokenKeyEnv string `json:"tokenKeyEnv"`

	// Store is "memory" (default: one sidecar) or "redis" (several
	// sidecars share state; the URL is read from RedisURLEnv).
	Store       string `json:"store"`
	RedisURLEnv string `json:"redisUrlEnv"`

	// PoolSize is the number of wasm instances, at most MaxPoolSize; 0
	// means GOMAXPROCS.
	PoolSize int `json:"poolSize"`
	// Core is "wasm" (default) or "native" (the core linked in; for
	// debugging and benchmarks).
	Core string `json:"core"`

	// CheckoutTTL is how long a payment link or session stays open.
	CheckoutTTL Duration `json:"checkoutTtl"`
	// IdempotencyTTL is how long a request's result is replayed.
	IdempotencyTTL Duration `json:"idempotencyTtl"`

	// ReconcileInterval is how often the reconciler repairs states lost
	// callbacks left behind; "0s" turns it off.
	ReconcileInterval Duration `json:"reconcileInterval"`

	MaxBodyBytes   int      `json:"maxBodyBytes"`
	ReadTimeout    Duration `json:"readTimeout"`
	WriteTimeout   Duration `json:"writeTimeout"`
	RequestTimeout Duration `json:"requestTimeout"`
	// LogFormat is "json" (default) or "text".
	LogFormat string `json:"logFormat"`

	redisURL string
	// orphanRecheck is how long after a create of unknown outcome its
	// orphan is looked for once more (0: orphanRecheckAfter); tests set it.
	orphanRecheck time.Duration
}

// RedisURL returns the Redis URL Validate read.
func (c *Config) RedisURL() string { return c.redisURL }

// FrontGoConfig says which FrontGo to talk to and how.
type FrontGoConfig struct {
	// BaseURL is the API base ending in /api/v1. Empty with Sandbox set
	// means the built-in sandbox.
	BaseURL   string `json:"baseUrl"`
	TokenEnv  string `json:"tokenEnv"`
	TokenFile string `json:"tokenFile"`
	// SecretEnv/SecretFile hold the merchant secret callback checksums are
	// made with.
	SecretEnv  string `json:"secretEnv"`
	SecretFile string `json:"secretFile"`
	// CallbackScheme is the checksum scheme: ordered-params (current),
	// legacy-v1 or legacy-v2.
	CallbackScheme string `json:"callbackScheme"`
	// CallbackTolerance is how old a callback's timestamp may be: 1s to a
	// week (168h); 15m by default.
	CallbackTolerance Duration `json:"callbackTolerance"`
	// CallbackTimestampOptional accepts callbacks that carry no timestamp
	// (false by default: a callback without one is refused as stale). The
	// legacy-v1 checksum covers no timestamp, and whether such accounts'
	// callbacks still carry one is undocumented: set it for them if their
	// callbacks are refused as "missing timestamp". Replays are then
	// stopped only by the once-only marks, and every callback is a hint
	// confirmed with GET details in any case.
	CallbackTimestampOptional bool `json:"callbackTimestampOptional"`
	// CancelMethod is GET (the reference) or POST (an older revision).
	CancelMethod string   `json:"cancelMethod"`
	Timeout      Duration `json:"timeout"`
	// TaxRates the merchant's account accepts, in percent; empty means
	// 0, 12, 15, 25.
	TaxRates []float64 `json:"taxRates"`

	token, secret string
}

// ShopConfig is one shop the sidecar serves.
type ShopConfig struct {
	ID string `json:"id"`
	// APIKeyEnv/APIKeyFile hold the shop's bearer key for the sidecar's
	// API.
	APIKeyEnv  string `json:"apiKeyEnv"`
	APIKeyFile string `json:"apiKeyFile"`
	// AllowedHosts are the only hosts the sidecar redirects this shop's
	// shoppers to ("shop.example", "shop.example:8443").
	AllowedHosts []string `json:"allowedHosts"`
	// Kind says how outcomes reach the shop: "webhook" (signed JSON
	// events; the default when webhookUrl is set) or "woocommerce" (the
	// same, shaped for the frontgate WooCommerce plugin's endpoint).
	Kind string `json:"kind"`
	// WebhookURL receives signed outcome notifications; WebhookSecretEnv
	// names the variable holding the signing secret.
	WebhookURL       string `json:"webhookUrl"`
	WebhookSecretEnv string `json:"webhookSecretEnv"`
	// WebhookPreviousSecretEnv, while the secret rotates, names the
	// variable holding the old one: every delivery is signed with both,
	// so the shop's receiver can switch whenever it likes.
	WebhookPreviousSecretEnv string `json:"webhookPreviousSecretEnv"`
	// Statuses, for a "woocommerce" shop only, are the order statuses the
	// plugin's settings choose, so each event carries the outcome the
	// plugin will apply (the plugin applies its own settings, and logs a
	// difference): reserved (on-hold or processing), cancelled and expired
	// (cancelled or failed), refunded ("" for a note only, or refunded).
	// A status left out keeps its default (on-hold, cancelled, cancelled,
	// ""). The values are checked where the WooCommerce notifier is made.
	Statuses *OrderStatuses `json:"statuses,omitempty"`

	apiKey, webhookSecret string
}

// OrderStatuses is ShopConfig.Statuses.
type OrderStatuses struct {
	Reserved  string `json:"reserved"`
	Cancelled string `json:"cancelled"`
	Expired   string `json:"expired"`
	Refunded  string `json:"refunded"`
}

// MaxPoolSize bounds Config.PoolSize. An instance runs one call at a time
// and holds a P while it does, so instances beyond the cores add no
// throughput; each costs its own linear memory (4 MiB and up) and start-up
// time, and the binary adds a P per instance. 64 is above any core count
// the sidecar is sized for; a typo such as 2000 fails at start instead of
// exhausting memory. The default (0, GOMAXPROCS) is not bounded: it follows
// the machine.
const MaxPoolSize = 64

// Duration is a time.Duration read from JSON as "30s", "24h".
type Duration time.Duration

// UnmarshalJSON reads a Go duration string. Its errors are
// *json.UnmarshalTypeError, which the decoder fills with the key's path for
// DecodeConfig to name; Value holds the rule.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &json.UnmarshalTypeError{Value: `must be a duration string such as "30s"`, Type: reflect.TypeFor[Duration]()}
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return &json.UnmarshalTypeError{Value: fmt.Sprintf("must be a positive duration such as \"30s\", not %q", s), Type: reflect.TypeFor[Duration]()}
	}
	*d = Duration(v)
	return nil
}

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// DefaultConfig returns the defaults every field not set falls back to.
func DefaultConfig() Config {
	return Config{
		Listen:            "127.0.0.1:8080",
		TokenKeyEnv:       "FRONTGATE_TOKEN_KEY",
		Store:             "memory",
		RedisURLEnv:       "FRONTGATE_REDIS_URL",
		Core:              "wasm",
		CheckoutTTL:       Duration(24 * time.Hour),
		IdempotencyTTL:    Duration(24 * time.Hour),
		ReconcileInterval: Duration(5 * time.Minute),
		MaxBodyBytes:      256 << 10,
		ReadTimeout:       Duration(10 * time.Second),
		WriteTimeout:      Duration(10 * time.Second),
		RequestTimeout:    Duration(15 * time.Second),
		LogFormat:         "json",
		FrontGo: FrontGoConfig{
			TokenEnv:          "FRONTGATE_FRONTGO_TOKEN",
			SecretEnv:         "FRONTGATE_FRONTGO_SECRET",
			CallbackScheme:    "ordered-params",
			CallbackTolerance: Duration(15 * time.Minute),
			CancelMethod:      "GET",
			Timeout:           Duration(10 * time.Second),
		},
	}
}

// DecodeConfig reads a JSON config file over the defaults, refusing
// unknown keys, and returns it unvalidated.
func DecodeConfig(data []byte) (Config, error) {
	cfg := DefaultConfig()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		// A value of the wrong type, named by its key's path (a shop's
		// keys as shops.<key>: the decoder does not give the index).
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			if te.Type == reflect.TypeFor[Duration]() {
				return cfg, fmt.Errorf("config: %s: %s", te.Field, te.Value)
			}
			return cfg, fmt.Errorf("config: %s: must be a JSON %s, not %s", te.Field, jsonKind(te.Type), te.Value)
		}
		return cfg, fmt.Errorf("config: %w", err)
	}
	if dec.More() {
		return cfg, errors.New("config: unexpected data after the JSON object")
	}
	return cfg, nil
}

// jsonKind names the JSON a Go type is read from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int64, reflect.Float64:
		return "number"
	case reflect.String:
		return "string"
	case reflect.Slice:
		return "array"
	default:
		return "object"
	}
}

// secretFrom reads a secret from a file (trimmed) or an environment
// variable, file first.
func secretFrom(env, file string, getenv func(string) string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		return strings.TrimSpace(string(b)), nil
	}
	if env != "" {
		return getenv(env), nil
	}
	return "", nil
}

// Validate checks the configuration, reads the secrets it names, and
// returns the first problem naming the field.
func (c *Config) Validate(getenv func(string) string) error {
	if c.Listen == "" {
		return errors.New("config: listen: is required")
	}
	if c.OpsListen != "" {
		if _, _, err := net.SplitHostPort(c.OpsListen); err != nil {
			return fmt.Errorf("config: opsListen: must be host:port, not %q", c.OpsListen)
		}
		if _, port, _ := net.SplitHostPort(c.OpsListen); c.OpsListen == c.Listen && port != "0" {
			return fmt.Errorf("config: opsListen: must differ from listen (%s)", c.Listen)
		}
	}
	if c.CheckoutTTL <= 0 || time.Duration(c.CheckoutTTL) > callbackTTL {
		// A checkout's callback and return links are signed for it.
		return fmt.Errorf("config: checkoutTtl: must be between 1s and %s (180 days), not %s", callbackTTL, time.Duration(c.CheckoutTTL))
	}
	for _, d := range []struct {
		key string
		v   Duration
	}{{"idempotencyTtl", c.IdempotencyTTL}, {"readTimeout", c.ReadTimeout}, {"writeTimeout", c.WriteTimeout},
		{"requestTimeout", c.RequestTimeout}, {"frontgo.timeout", c.FrontGo.Timeout}} {
		// Zero is no setting of its own: no limit for the HTTP timeouts,
		// records kept for ever, every request out of time at once, the
		// client's own default.
		if d.v <= 0 {
			return fmt.Errorf("config: %s: must be a positive duration such as \"30s\", not %s", d.key, time.Duration(d.v))
		}
	}
	if c.PublicURL == "" {
		return errors.New("config: publicUrl: is required (how FrontGo reaches this sidecar)")
	}
	// Every link is this prefix and a path: a query, a fragment or a user
	// in it (even an empty "?" or "#") would leave FrontGo's callbacks and
	// the shoppers' links on the root page.
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		!strings.EqualFold(strings.TrimSuffix(c.PublicURL, "/"), u.Scheme+"://"+u.Host) {
		shown := c.PublicURL
		if err == nil && u.User != nil {
			shown = u.Redacted() // a password stays out of the message
		}
		return fmt.Errorf("config: publicUrl: must be an absolute http(s) URL without a path, query, fragment or user, not %q", shown)
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	switch c.Core {
	case "wasm", "native":
	default:
		return fmt.Errorf("config: core: must be wasm or native, not %q", c.Core)
	}
	switch c.Store {
	case "memory":
	case "redis":
		if c.redisURL = getenv(c.RedisURLEnv); c.redisURL == "" {
			return fmt.Errorf("config: store: redis needs a URL in %s", c.RedisURLEnv)
		}
	default:
		return fmt.Errorf("config: store: must be memory or redis, not %q", c.Store)
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		return fmt.Errorf("config: logFormat: must be json or text, not %q", c.LogFormat)
	}
	if c.PoolSize < 0 || c.PoolSize > MaxPoolSize {
		return fmt.Errorf("config: poolSize: must be between 0 (GOMAXPROCS) and %d, not %d", MaxPoolSize, c.PoolSize)
	}
	if c.MaxBodyBytes <= 0 || c.MaxBodyBytes > 8<<20 {
		return fmt.Errorf("config: maxBodyBytes: must be between 1 and %d", 8<<20)
	}
	f := &c.FrontGo
	if u, err := url.Parse(f.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("config: frontgo.baseUrl: must be an absolute http(s) URL, not %q", f.BaseURL)
	} else if u.Scheme == "http" && !loopbackHost(u.Hostname()) {
		// The bearer token and every shopper's details would cross the
		// network in clear, and a payment URL could be rewritten on the way.
		return fmt.Errorf("config: frontgo.baseUrl: must use https (plain http only to this machine: localhost, 127.0.0.1 or ::1, as for a sandbox)")
	}
	var err error
	if f.token, err = secretFrom(f.TokenEnv, f.TokenFile, getenv); err != nil || f.token == "" {
		return fmt.Errorf("config: frontgo.token: set %s or frontgo.tokenFile (%v)", f.TokenEnv, errOr(err, "empty"))
	}
	if f.secret, err = secretFrom(f.SecretEnv, f.SecretFile, getenv); err != nil || f.secret == "" {
		return fmt.Errorf("config: frontgo.secret: set %s or frontgo.secretFile (%v)", f.SecretEnv, errOr(err, "empty"))
	}
	switch f.CallbackScheme {
	case "ordered-params", "legacy-v1", "legacy-v2":
	default:
		return fmt.Errorf("config: frontgo.callbackScheme: must be ordered-params, legacy-v1 or legacy-v2, not %q", f.CallbackScheme)
	}
	if t := time.Duration(f.CallbackTolerance); t < time.Second || t > 7*24*time.Hour {
		// The core's verify_callback takes at most a week.
		return fmt.Errorf("config: frontgo.callbackTolerance: must be between 1s and 168h (a week), not %s", t)
	}
	if f.CancelMethod != "GET" && f.CancelMethod != "POST" {
		return fmt.Errorf("config: frontgo.cancelMethod: must be GET or POST, not %q", f.CancelMethod)
	}
	for i, r := range f.TaxRates {
		if r < 0 || r > 100 {
			return fmt.Errorf("config: frontgo.taxRates.%d: must be between 0 and 100", i)
		}
	}
	if len(c.Shops) == 0 {
		return errors.New("config: shops: at least one shop is required")
	}
	seen := map[string]bool{}
	keys, secrets := map[string]string{}, map[string]string{}
	for i := range c.Shops {
		s := &c.Shops[i]
		p := fmt.Sprintf("config: shops.%d", i)
		if s.ID == "" || len(s.ID) > 64 || strings.ContainsAny(s.ID, " /:?#") {
			return fmt.Errorf("%s.id: must be 1-64 characters without spaces, '/', ':', '?' or '#'", p)
		}
		if seen[s.ID] {
			return fmt.Errorf("%s.id: %q appears twice", p, s.ID)
		}
		seen[s.ID] = true
		if s.apiKey, err = secretFrom(s.APIKeyEnv, s.APIKeyFile, getenv); err != nil || len(s.apiKey) < 16 {
			return fmt.Errorf("%s.apiKey: set %s or apiKeyFile to a key of at least 16 characters (%v)", p, s.APIKeyEnv, errOr(err, "missing or short"))
		}
		if other, dup := keys[s.apiKey]; dup {
			return fmt.Errorf("%s.apiKey: shares its key with shop %q", p, other)
		}
		keys[s.apiKey] = s.ID
		if len(s.AllowedHosts) == 0 {
			return fmt.Errorf("%s.allowedHosts: at least one host is required (shoppers are only redirected there)", p)
		}
		for j, h := range s.AllowedHosts {
			if h == "" || strings.ContainsAny(h, "/?#@ ") {
				return fmt.Errorf("%s.allowedHosts.%d: must be a host or host:port, not %q", p, j, h)
			}
			s.AllowedHosts[j] = strings.ToLower(h)
		}
		switch s.Kind {
		case "", "webhook", "woocommerce":
		default:
			return fmt.Errorf("%s.kind: must be webhook or woocommerce, not %q", p, s.Kind)
		}
		if s.WebhookPreviousSecretEnv != "" && s.WebhookURL == "" {
			return fmt.Errorf("%s.webhookPreviousSecretEnv: applies to a shop with a webhookUrl", p)
		}
		if s.Statuses != nil && s.Kind != "woocommerce" {
			return fmt.Errorf("%s.statuses: applies to kind woocommerce only", p)
		}
		if s.Kind != "" && s.WebhookURL == "" {
			return fmt.Errorf("%s.webhookUrl: is required for kind %q", p, s.Kind)
		}
		if s.WebhookURL != "" {
			u, err := url.Parse(s.WebhookURL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return fmt.Errorf("%s.webhookUrl: must be an absolute http(s) URL", p)
			}
			if u.Scheme == "http" && !loopbackHost(u.Hostname()) {
				// The notifiers refuse it at every delivery: say so now,
				// not in a log line per callback.
				return fmt.Errorf("%s.webhookUrl: must use https (plain http only to this machine: localhost, 127.0.0.1 or ::1)", p)
			}
			if s.webhookSecret = getenv(s.WebhookSecretEnv); len(s.webhookSecret) < 16 {
				return fmt.Errorf("%s.webhookSecretEnv: set %q to a secret of at least 16 characters", p, s.WebhookSecretEnv)
			}
			list := []string{s.webhookSecret}
			if s.WebhookPreviousSecretEnv != "" {
				prev := getenv(s.WebhookPreviousSecretEnv)
				if len(prev) < 16 {
					return fmt.Errorf("%s.webhookPreviousSecretEnv: set %q to the old secret (16 or more characters), or leave the key out once the rotation is done",
						p, s.WebhookPreviousSecretEnv)
				}
				if prev == s.webhookSecret {
					return fmt.Errorf("%s.webhookPreviousSecretEnv: holds the same secret as webhookSecretEnv", p)
				}
				list = append(list, prev)
			}
			for _, sec := range list {
				// The signature covers the event, not the shop it is for:
				// with one secret, one shop's events would verify at
				// another's.
				if other, dup := secrets[sec]; dup {
					return fmt.Errorf("%s.webhookSecretEnv: shares a secret with shop %q; each shop needs its own", p, other)
				}
				secrets[sec] = s.ID
			}
		}
	}
	return nil
}

// loopbackHost is the notifiers' test for a host plain http may reach.
func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func errOr(err error, s string) string {
	if err != nil {
		return err.Error()
	}
	return s
}

// allowed reports whether u is an absolute http(s) URL on one of the
// shop's hosts.
func (s *ShopConfig) allowed(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil {
		return false
	}
	host := strings.ToLower(u.Host)
	for _, h := range s.AllowedHosts {
		if host == h {
			return true
		}
	}
	return false
}

// Token returns the FrontGo bearer token Validate read.
func (f *FrontGoConfig) Token() string { return f.token }
