package callback

import (
	"crypto/sha256"
	"crypto/subtle"
	"strconv"
	"time"
)

// Freshness defaults. The reference suggests checking timestamp but gives
// no window; 15 minutes absorbs FrontGo's delivery delays and retries, and
// 5 minutes of future skew absorbs clock differences, while a callback
// copied from a log a day later is refused.
const (
	DefaultTolerance  = 15 * time.Minute
	DefaultFutureSkew = 5 * time.Minute
)

// VerifyConfig says how Verify checks a callback. The zero value verifies
// the current scheme with the default window and accepts a callback without
// timestamp; DefaultVerifyConfig also requires the timestamp.
type VerifyConfig struct {
	// Scheme is the checksum scheme of the merchant's account.
	Scheme Scheme
	// Tolerance is the greatest age of the timestamp; 0 means
	// DefaultTolerance.
	Tolerance time.Duration
	// FutureSkew is how far in the future the timestamp may be; 0 means
	// DefaultFutureSkew.
	FutureSkew time.Duration
	// RequireTimestamp refuses, with ErrStale, a callback that carries no
	// timestamp. FrontGo's current callbacks always carry one.
	RequireTimestamp bool
}

// DefaultVerifyConfig returns the configuration for FrontGo's current
// callbacks: the ordered-params scheme, the default window, and a required
// timestamp (the current scheme signs it, so it cannot be stripped; a
// callback without one is not what FrontGo documents).
func DefaultVerifyConfig() VerifyConfig {
	return VerifyConfig{
		Scheme:           SchemeOrderedParams,
		Tolerance:        DefaultTolerance,
		FutureSkew:       DefaultFutureSkew,
		RequireTimestamp: true,
	}
}

// Validate reports, wrapping ErrInvalidConfig, a configuration Verify
// cannot use: an unknown scheme or a negative duration. Call it once at
// start-up; Verify checks again.
func (c VerifyConfig) Validate() error {
	switch {
	case !c.Scheme.Valid():
		return wrap("unknown scheme "+c.Scheme.String(), ErrInvalidConfig)
	case c.Tolerance < 0:
		return wrap("negative tolerance "+c.Tolerance.String(), ErrInvalidConfig)
	case c.FutureSkew < 0:
		return wrap("negative future skew "+c.FutureSkew.String(), ErrInvalidConfig)
	}
	return nil
}

// Verify checks a callback's raw query string against the merchant's secret
// key and returns its parameters. now is the verifier's clock. Steps, each
// with its sentinel:
//
//  1. the secret is not empty (ErrNoSecret) and cfg is usable
//     (ErrInvalidConfig);
//  2. the query parses (ErrMalformed, see ParseQuery);
//  3. a checksum is present (ErrMissingChecksum), is 64 hex digits in
//     either case and equals the expected digest, compared in constant time
//     (ErrChecksumMismatch);
//  4. orderUuid and status are present (ErrMalformed);
//  5. timestamp, if present, is Unix seconds (digits, no leading zero:
//     ErrMalformed) no older than Tolerance and no further ahead than
//     FutureSkew (ErrStale); if absent, ErrStale when RequireTimestamp.
//
// The checksum is checked before the fields and the clock, so a forged
// request is reported as forged, not as stale. On any error the Params are
// zero: nothing unverified leaks into the caller's state.
// https://docs.frontpayment.no/books/fpgo-connect/page/notifications-via-callback-url
func Verify(raw string, secret []byte, cfg VerifyConfig, now time.Time) (Params, error) {
	if len(secret) == 0 {
		return Params{}, wrap("", ErrNoSecret)
	}
	if err := cfg.Validate(); err != nil {
		return Params{}, err
	}
	p, err := ParseQuery(raw)
	if err != nil {
		return Params{}, err
	}
	if p.Checksum == "" {
		return Params{}, wrap("", ErrMissingChecksum)
	}
	var got [sha256.Size]byte
	if !decodeHex(got[:], p.Checksum) {
		return Params{}, wrap("checksum is not "+strconv.Itoa(2*sha256.Size)+" hex digits", ErrChecksumMismatch)
	}
	want, _ := digest(p.Pairs, secret, cfg.Scheme)
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return Params{}, wrap("scheme "+cfg.Scheme.String(), ErrChecksumMismatch)
	}
	if p.OrderUUID == "" {
		return Params{}, wrap("missing "+KeyOrderUUID, ErrMalformed)
	}
	if p.Status == "" {
		return Params{}, wrap("missing "+KeyStatus, ErrMalformed)
	}
	if err := checkFresh(p.Timestamp, cfg, now); err != nil {
		return Params{}, err
	}
	return p, nil
}

// checkFresh applies the freshness window to a timestamp parameter.
func checkFresh(ts string, cfg VerifyConfig, now time.Time) error {
	if ts == "" {
		if cfg.RequireTimestamp {
			return wrap("missing "+KeyTimestamp, ErrStale)
		}
		return nil
	}
	sec, ok := parseUnix(ts)
	if !ok {
		return wrap(KeyTimestamp+" "+quote(ts)+" is not unix seconds", ErrMalformed)
	}
	tol, skew := cfg.Tolerance, cfg.FutureSkew
	if tol == 0 {
		tol = DefaultTolerance
	}
	if skew == 0 {
		skew = DefaultFutureSkew
	}
	// A timestamp more than a time.Duration (±292 years) away from now
	// would saturate now.Sub and print as -2562047h47m16s: say what it is
	// instead. Differences in whole seconds, unsigned: sec has at most 18
	// digits and now is any time, so an int64 difference could overflow.
	nowSec := now.Unix()
	if sec > nowSec {
		ahead := uint64(sec) - uint64(nowSec)
		if ms := sec / 1000; sec >= 1e11 && absDiff(ms, nowSec) <= uint64((tol+skew)/time.Second)+366*24*3600 {
			return wrap(KeyTimestamp+" "+ts+" looks like milliseconds, not unix seconds (as seconds it is "+span(ahead)+" ahead)", ErrStale)
		}
		if ahead >= maxSpan {
			return wrap(KeyTimestamp+" "+ts+" is out of range: more than 292 years ahead; unix seconds are expected", ErrStale)
		}
	} else if uint64(nowSec)-uint64(sec) >= maxSpan {
		return wrap(KeyTimestamp+" "+ts+" is out of range: more than 292 years old, tolerance "+tol.String(), ErrStale)
	}
	age := now.Sub(time.Unix(sec, 0)) // within range: exact
	switch {
	case age > tol:
		return wrap(KeyTimestamp+" "+ts+" is "+age.Truncate(time.Second).String()+" old, tolerance "+tol.String(), ErrStale)
	case age < -skew:
		return wrap(KeyTimestamp+" "+ts+" is "+(-age).Truncate(time.Second).String()+" ahead, future skew "+skew.String(), ErrStale)
	}
	return nil
}

// maxSpan is the most seconds a time.Duration holds.
const maxSpan = uint64(1<<63-1) / uint64(time.Second)

// span spells a number of seconds as a duration ("1h0m5s"), or says it is
// more than a time.Duration holds.
func span(sec uint64) string {
	if sec > maxSpan {
		return "more than 292 years"
	}
	return (time.Duration(sec) * time.Second).String()
}

// absDiff is |a - b| without overflow.
func absDiff(a, b int64) uint64 {
	if a >= b {
		return uint64(a) - uint64(b)
	}
	return uint64(b) - uint64(a)
}

// parseUnix reads decimal Unix seconds: digits only, no sign, no leading
// zero (FrontGo never sends one, and refusing it keeps digits from being
// shifted into a neighbouring value unnoticed), at most 18 digits so that
// the value fits int64.
func parseUnix(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 18 || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	var v int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, true
}

// decodeHex decodes s, hex digits of either case, into dst, which it must
// fill exactly.
func decodeHex(dst []byte, s string) bool {
	if len(s) != 2*len(dst) {
		return false
	}
	for i := range dst {
		hi, lo := unhex(s[2*i]), unhex(s[2*i+1])
		if hi < 0 || lo < 0 {
			return false
		}
		dst[i] = byte(hi<<4 | lo)
	}
	return true
}
