// Package signature holds frontgate's own signatures: the signed, expiring
// tokens the sidecar puts in every URL it hands FrontGo (callback, success,
// failure), and the HMAC signatures on webhooks it sends shops. FrontGo's
// callback checksum is not here: it is the provider's scheme and lives in
// plugin/callback.
//
// Both use HMAC-SHA256, compare in constant time, and refuse expired or
// stale input with sentinel errors, so callers can tell a forgery (answer
// 403, log) from an old link (tell the shopper the link expired).
package signature

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Errors callers match with errors.Is.
var (
	ErrMalformed = errors.New("signature: malformed")
	ErrInvalid   = errors.New("signature: invalid")
	ErrExpired   = errors.New("signature: expired")
	ErrNoKey     = errors.New("signature: no key")
)

// MinKeyLen is the shortest secret accepted: 32 bytes, the HMAC-SHA256
// block's worth of entropy halved.
const MinKeyLen = 32

// Claims is what a return or callback token carries: enough to route the
// request without server-side state.
type Claims struct {
	Purpose  string `json:"p"`           // "callback", "success", "failure", "redirect"
	Shop     string `json:"s"`           // shop id
	Order    string `json:"o"`           // the shop's order id
	Checkout string `json:"c"`           // frontgate's checkout id
	Expires  int64  `json:"e"`           // Unix seconds
	Nonce    string `json:"n,omitempty"` // makes two tokens for the same checkout differ
}

// Signer makes and checks tokens. Several keys may verify (rotation); the
// first signs. A Signer is safe for concurrent use.
type Signer struct {
	keys []key
}

type key struct {
	id     string
	secret []byte
}

// NewSigner returns a Signer signing with the first key of ids/secrets and
// verifying with all. Key ids are short names ("k1") carried in tokens.
func NewSigner(ids []string, secrets [][]byte) (*Signer, error) {
	if len(ids) == 0 || len(ids) != len(secrets) {
		return nil, ErrNoKey
	}
	s := &Signer{}
	// Errors name a key by its position, never by its id: an id that is
	// not one may be part of a secret that was split where it should not
	// have been.
	for i, id := range ids {
		if id == "" || strings.ContainsAny(id, ".~") || len(id) > 16 {
			return nil, fmt.Errorf("signature: key #%d: its id must be 1-16 characters without '.' or '~'", i+1)
		}
		if len(secrets[i]) < MinKeyLen {
			return nil, fmt.Errorf("signature: key #%d: secret must be at least %d bytes", i+1, MinKeyLen)
		}
		// Verify picks a token's key by its id: of two keys under one id,
		// one would refuse every token the other signs.
		for j := range s.keys {
			if s.keys[j].id == id {
				return nil, fmt.Errorf("signature: key #%d: its id is key #%d's; give each key an id of its own", i+1, j+1)
			}
		}
		s.keys = append(s.keys, key{id: id, secret: append([]byte(nil), secrets[i]...)})
	}
	return s, nil
}

const tokenDomain = "frontgate-token-v1\x00"

var b64 = base64.RawURLEncoding

// Sign returns a URL-safe token for c: keyid.payload.mac.
func (s *Signer) Sign(c Claims) (string, error) {
	if s == nil || len(s.keys) == 0 {
		return "", ErrNoKey
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	k := s.keys[0]
	p := b64.EncodeToString(payload)
	return k.id + "." + p + "." + b64.EncodeToString(mac(k.secret, tokenDomain, k.id, p)), nil
}

func mac(secret []byte, parts ...string) []byte {
	h := hmac.New(sha256.New, secret)
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum(nil)
}

// Fingerprints gives each key's id and a fingerprint of its secret (an
// HMAC of a fixed text under a domain of its own, hex): equal for equal
// secrets, and telling nothing of the secret, so that sidecars sharing a
// store can compare the keys they sign with.
func (s *Signer) Fingerprints() map[string]string {
	out := make(map[string]string, len(s.keys))
	for _, k := range s.keys {
		out[k.id] = hex.EncodeToString(mac(k.secret, "frontgate-token-key-fingerprint/v1", k.id))
	}
	return out
}

// MaxTokenLen bounds the tokens Verify reads.
const MaxTokenLen = 2048

// Verify checks a token's MAC and expiry and returns its claims. The
// purpose must match, so a success token cannot be replayed as a callback.
func (s *Signer) Verify(token, purpose string, now time.Time) (Claims, error) {
	var c Claims
	if s == nil || len(s.keys) == 0 {
		return c, ErrNoKey
	}
	if len(token) > MaxTokenLen {
		return c, fmt.Errorf("%w: token too long", ErrMalformed)
	}
	id, rest, ok1 := strings.Cut(token, ".")
	p, sig, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.Contains(sig, ".") {
		return c, fmt.Errorf("%w: token must have three parts", ErrMalformed)
	}
	got, err := b64.DecodeString(sig)
	if err != nil {
		return c, fmt.Errorf("%w: token signature is not base64url", ErrMalformed)
	}
	var k *key
	for i := range s.keys {
		if s.keys[i].id == id {
			k = &s.keys[i]
		}
	}
	if k == nil {
		return c, fmt.Errorf("%w: unknown key", ErrInvalid)
	}
	if !hmac.Equal(got, mac(k.secret, tokenDomain, k.id, p)) {
		return c, ErrInvalid
	}
	payload, err := b64.DecodeString(p)
	if err != nil {
		return c, fmt.Errorf("%w: token payload is not base64url", ErrMalformed)
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return Claims{}, fmt.Errorf("%w: token payload: %v", ErrMalformed, err)
	}
	if c.Purpose != purpose {
		return Claims{}, fmt.Errorf("%w: token is for %q, not %q", ErrInvalid, c.Purpose, purpose)
	}
	if now.Unix() > c.Expires {
		return Claims{}, ErrExpired
	}
	return c, nil
}

// Webhook signatures: the header value is "t=<unix>,v1=<hex hmac>" where the
// MAC covers "<unix>.<body>". Several v1 entries may appear during a key
// rotation; any one matching is enough.

// WebhookHeader is the header carrying a webhook's signature.
const WebhookHeader = "Frontgate-Signature"

// DefaultTolerance is how old a webhook signature may be.
const DefaultTolerance = 5 * time.Minute

// SignWebhook returns the header value for body signed at t with secrets
// (one entry per secret, so receivers mid-rotation accept it).
func SignWebhook(body []byte, t time.Time, secrets ...[]byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	var b strings.Builder
	b.WriteString("t=")
	b.WriteString(ts)
	for _, s := range secrets {
		b.WriteString(",v1=")
		b.WriteString(hex.EncodeToString(webhookMAC(s, ts, body)))
	}
	return b.String()
}

func webhookMAC(secret []byte, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// VerifyWebhook checks a webhook header against body and secret: the MAC in
// constant time, then the timestamp within tolerance (0 means
// DefaultTolerance) of now, in either direction.
func VerifyWebhook(header string, body, secret []byte, tolerance time.Duration, now time.Time) error {
	if len(secret) == 0 {
		return ErrNoKey
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	var ts string
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return fmt.Errorf("%w: header part %q", ErrMalformed, truncate(part))
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			b, err := hex.DecodeString(v)
			if err != nil || len(b) != sha256.Size {
				return fmt.Errorf("%w: v1 is not a hex SHA-256 MAC", ErrMalformed)
			}
			sigs = append(sigs, b)
		}
	}
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || ts == "" || len(sigs) == 0 {
		return fmt.Errorf("%w: header needs t and v1", ErrMalformed)
	}
	want := webhookMAC(secret, ts, body)
	ok := false
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			ok = true
		}
	}
	if !ok {
		return ErrInvalid
	}
	if d := now.Sub(time.Unix(t, 0)); d > tolerance || d < -tolerance {
		return ErrExpired
	}
	return nil
}

func truncate(s string) string {
	if len(s) > 32 {
		return s[:32] + "…"
	}
	return s
}

// Equal compares two secrets (API keys) in constant time.
func Equal(a, b string) bool { return hmac.Equal([]byte(a), []byte(b)) }
