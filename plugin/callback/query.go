package callback

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits on a callback query. FrontGo's own parameters take a few hundred
// bytes; the limits leave room for the merchant's callback URL parameters
// while bounding the work an unauthenticated request can cause.
const (
	// MaxQueryBytes is the longest raw query string accepted.
	MaxQueryBytes = 8 << 10
	// MaxParams is the most parameters accepted, checksum included.
	MaxParams = 64
)

// Names of the query parameters FrontGo sends.
const (
	KeyOrderUUID     = "orderUuid"
	KeyStatus        = "status"
	KeyCreatedAt     = "createdAt"
	KeyPaymentMethod = "paymentMethod"
	KeyAmount        = "amount"
	KeyTimestamp     = "timestamp"
	KeyChecksum      = "checksum"
)

// Pair is one decoded query parameter. Pairs keep the order they had in the
// query string, which the current checksum scheme depends on.
type Pair struct {
	Key, Value string
}

// Params is a parsed callback query. The named fields are FrontGo's
// parameters (empty when absent); Pairs holds every parameter except
// checksum, decoded, in the order received, merchant parameters included.
// Unverified Params are untrusted input: only Verify's result is signed.
type Params struct {
	OrderUUID     string
	Status        string
	CreatedAt     string
	PaymentMethod string
	Amount        string
	Timestamp     string
	Checksum      string
	Pairs         []Pair
}

// Bits of the known parameters, to find repeats without a map.
const (
	bitOrderUUID = 1 << iota
	bitStatus
	bitCreatedAt
	bitPaymentMethod
	bitAmount
	bitTimestamp
	bitChecksum
)

// ParseQuery splits a raw query string (what follows '?'; a leading '?' is
// ignored) into Params, walking it in order as the current checksum scheme
// requires. Names and values are decoded the way PHP fills $_GET ('+' is a
// space, %XX a byte), except that a malformed escape is an error where PHP
// would keep it literally. Empty segments ("a=1&&b=2") are skipped, and a
// segment without '=' is a parameter with an empty value.
//
// It refuses, with ErrMalformed, what different stacks would read
// differently: a repeated parameter name (PHP keeps the last value, Go the
// first, and the checksum covers both), an empty name (PHP drops it), and
// queries over MaxQueryBytes or MaxParams. It also refuses, naming the
// parameter, a name or value that is not valid UTF-8 once decoded
// ("paymentMethod=Visa%F8"): FrontGo's parameters are text, and bytes that
// are not could not be handed on as text (the ABI's JSON, logs) unchanged.
func ParseQuery(raw string) (Params, error) {
	raw = strings.TrimPrefix(raw, "?")
	if len(raw) > MaxQueryBytes {
		return Params{}, wrap("query of "+strconv.Itoa(len(raw))+" bytes exceeds "+strconv.Itoa(MaxQueryBytes), ErrMalformed)
	}
	var p Params
	p.Pairs = make([]Pair, 0, min(strings.Count(raw, "&")+1, MaxParams))
	var seen uint
	count := 0
	for raw != "" {
		var seg string
		seg, raw, _ = strings.Cut(raw, "&")
		if seg == "" {
			continue
		}
		count++
		if count > MaxParams {
			return Params{}, wrap("more than "+strconv.Itoa(MaxParams)+" parameters", ErrMalformed)
		}
		rk, rv, _ := strings.Cut(seg, "=")
		key, ok := unescape(rk)
		if !ok {
			return Params{}, wrap("parameter "+quote(rk)+": bad percent escape in name", ErrMalformed)
		}
		if key == "" {
			return Params{}, wrap("parameter "+strconv.Itoa(count)+": empty name", ErrMalformed)
		}
		if !utf8.ValidString(key) {
			return Params{}, wrap("parameter "+quote(rk)+": name is not valid UTF-8 once percent-decoded", ErrMalformed)
		}
		val, ok := unescape(rv)
		if !ok {
			return Params{}, wrap("parameter "+quote(key)+": bad percent escape in value", ErrMalformed)
		}
		if !utf8.ValidString(val) {
			return Params{}, wrap("parameter "+quote(key)+": value is not valid UTF-8 once percent-decoded", ErrMalformed)
		}
		var bit uint
		var field *string
		switch key {
		case KeyOrderUUID:
			bit, field = bitOrderUUID, &p.OrderUUID
		case KeyStatus:
			bit, field = bitStatus, &p.Status
		case KeyCreatedAt:
			bit, field = bitCreatedAt, &p.CreatedAt
		case KeyPaymentMethod:
			bit, field = bitPaymentMethod, &p.PaymentMethod
		case KeyAmount:
			bit, field = bitAmount, &p.Amount
		case KeyTimestamp:
			bit, field = bitTimestamp, &p.Timestamp
		case KeyChecksum:
			bit, field = bitChecksum, &p.Checksum
		}
		if bit != 0 {
			if seen&bit != 0 {
				return Params{}, wrap("parameter "+quote(key)+" repeated", ErrMalformed)
			}
			seen |= bit
			*field = val
			if bit == bitChecksum {
				continue
			}
		} else {
			for _, q := range p.Pairs {
				if q.Key == key {
					return Params{}, wrap("parameter "+quote(key)+" repeated", ErrMalformed)
				}
			}
		}
		p.Pairs = append(p.Pairs, Pair{Key: key, Value: val})
	}
	return p, nil
}

// unescape decodes one query component as PHP's urldecode does ('+' is a
// space, %XX the byte XX) and reports false for a '%' that is not followed
// by two hex digits. It allocates only when there is something to decode.
func unescape(s string) (string, bool) {
	escapes, plus := 0, false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%':
			if i+2 >= len(s) || unhex(s[i+1]) < 0 || unhex(s[i+2]) < 0 {
				return "", false
			}
			escapes++
			i += 2
		case '+':
			plus = true
		}
	}
	if escapes == 0 && !plus {
		return s, true
	}
	b := make([]byte, 0, len(s)-2*escapes)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '%':
			b = append(b, byte(unhex(s[i+1])<<4|unhex(s[i+2])))
			i += 2
		case '+':
			b = append(b, ' ')
		default:
			b = append(b, c)
		}
	}
	return string(b), true
}

// unhex returns the value of hex digit c, or -1.
func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// appendEscaped appends s encoded as url.QueryEscape would: unreserved
// characters as they are, space as '+', every other byte as %XX.
func appendEscaped(b []byte, s string) []byte {
	const hexUpper = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '~':
			b = append(b, c)
		case c == ' ':
			b = append(b, '+')
		default:
			b = append(b, '%', hexUpper[c>>4], hexUpper[c&15])
		}
	}
	return b
}
