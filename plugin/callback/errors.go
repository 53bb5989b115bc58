package callback

import (
	"errors"
	"strconv"
	"unicode/utf8"
)

// Sentinel errors. Every error from this package wraps exactly one of them,
// so a caller can answer with errors.Is and log the message, which names the
// offending parameter but never the secret or the checksum value.
var (
	// ErrMalformed means the query string cannot be read unambiguously:
	// a bad percent escape, a repeated or empty parameter name, too many
	// parameters, a missing orderUuid or status, a timestamp that is not
	// Unix seconds.
	ErrMalformed = errors.New("malformed callback query")
	// ErrMissingChecksum means the query has no checksum parameter, or an
	// empty one.
	ErrMissingChecksum = errors.New("missing checksum")
	// ErrChecksumMismatch means the checksum is not the one the secret
	// key gives: the request is forged, tampered with, or verified under
	// the wrong secret or scheme.
	ErrChecksumMismatch = errors.New("checksum mismatch")
	// ErrStale means the signed timestamp is outside the freshness window
	// (too old or too far in the future), or missing when required.
	ErrStale = errors.New("stale callback")
	// ErrNoSecret means Verify was called with an empty secret key: the
	// merchant has not configured one, and every checksum would be
	// guessable.
	ErrNoSecret = errors.New("no secret key configured")
	// ErrInvalidConfig means a VerifyConfig or a scheme name is not
	// usable: an unknown scheme or a negative duration.
	ErrInvalidConfig = errors.New("invalid callback verification config")
)

// wrapError adds context to a sentinel. It is what fmt.Errorf("callback:
// %s: %w") would build, without pulling fmt into the wasm module.
type wrapError struct {
	msg string
	err error
}

func (e *wrapError) Error() string { return e.msg + ": " + e.err.Error() }
func (e *wrapError) Unwrap() error { return e.err }

// wrap returns "callback: <ctx>: <sentinel>", or "callback: <sentinel>"
// when ctx is empty.
func wrap(ctx string, err error) error {
	if ctx == "" {
		return &wrapError{msg: "callback", err: err}
	}
	return &wrapError{msg: "callback: " + ctx, err: err}
}

// maxQuoted bounds how much of a caller-supplied name or value an error
// message repeats.
const maxQuoted = 64

// quote returns s as a Go string literal, cut to maxQuoted bytes on a rune
// boundary, with "..." after it when cut.
func quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	n := maxQuoted
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strconv.Quote(s[:n]) + "..."
}
