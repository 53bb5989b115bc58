// Package money holds amounts as integer minor units (øre) and tax rates as
// integer hundredths of a percent, so that every total the core computes is
// exact: FrontGo's wire format uses decimal numbers, and adding binary floats
// drifts by an øre now and then.
package money

import (
	"errors"
	"strconv"
)

// Amount is a sum of money in minor units: 12345 is 123.45 NOK.
type Amount int64

// Rate is a tax rate in hundredths of a percent: 2500 is 25 %.
type Rate int32

// Limits. MaxAmount (one trillion kroner) keeps every product of an amount
// and a quantity or rate inside int64.
const (
	MaxAmount Amount = 100_000_000_000_000
	MaxRate   Rate   = 100_00
)

// Errors returned by the parsers, unwrapped, so callers may compare them
// with ==.
var (
	ErrSyntax    = errors.New("not a decimal number")
	ErrPrecision = errors.New("more than two decimal places")
	ErrRange     = errors.New("out of range")
)

// ParseAmount reads a decimal number ("150", "1000.00", "-2.5", "1e3") into
// minor units. It refuses rather than rounds a value with a third non-zero
// decimal: silently rounding a merchant's amount is how an øre goes missing.
func ParseAmount(s []byte) (Amount, error) {
	v, err := parseScaled(s, 2, int64(MaxAmount))
	return Amount(v), err
}

// ParseRate reads a tax rate in percent ("25", "11.11") into hundredths.
func ParseRate(s []byte) (Rate, error) {
	v, err := parseScaled(s, 2, int64(MaxRate))
	if err == nil && v < 0 {
		return 0, ErrRange
	}
	return Rate(v), err
}

// parseScaled parses a JSON-style decimal number (optionally signed, with a
// fraction and an exponent) and returns it multiplied by 10^scale, exactly,
// or an error. The value is m × 10^-k where m is the digit string without
// its decimal point and k the number of places after it, less the exponent.
func parseScaled(s []byte, scale int, limit int64) (int64, error) {
	if scale == 2 {
		if v, ok := parseCents(s, limit); ok {
			return v, nil
		}
	}
	return parseDecimal(s, scale, limit)
}

// parseDecimal is parseScaled for every input: digits kept in a buffer,
// then the exponent applied, then the places checked and the value formed.
func parseDecimal(s []byte, scale int, limit int64) (int64, error) {
	i, n := 0, len(s)
	neg := false
	if i < n && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	var dbuf [48]byte
	digits := dbuf[:0] // grows beyond 48 only for long (zero-padded) input
	nd := 0            // significant digits kept (leading zeros dropped)
	k := 0             // digits after the decimal point
	sawDigit, sawPoint := false, false
	for ; i < n; i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			sawDigit = true
			if sawPoint {
				k++
			}
			if nd == 0 && c == '0' {
				continue
			}
			digits = append(digits, c-'0')
			nd++
			continue
		}
		if c == '.' && !sawPoint {
			sawPoint = true
			continue
		}
		if c == 'e' || c == 'E' {
			break
		}
		return 0, ErrSyntax
	}
	if !sawDigit {
		return 0, ErrSyntax
	}
	if i < n { // exponent
		i++
		eneg := false
		if i < n && (s[i] == '-' || s[i] == '+') {
			eneg = s[i] == '-'
			i++
		}
		if i >= n {
			return 0, ErrSyntax
		}
		e := 0
		for ; i < n; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, ErrSyntax
			}
			// Beyond n+scale+20 the exponent's size no longer changes the
			// outcome (zero, ErrPrecision or ErrRange), so stop growing it.
			if e <= n+scale+20 {
				e = e*10 + int(c-'0')
			}
		}
		if eneg {
			k += e
		} else {
			k -= e
		}
	}
	if nd == 0 {
		return 0, nil
	}
	// Trailing zeros beyond the allowed places carry no precision.
	for k > scale && digits[nd-1] == 0 {
		nd--
		k--
	}
	if k > scale {
		return 0, ErrPrecision
	}
	var v int64
	for j := 0; j < nd; j++ {
		if v > (limit-int64(digits[j]))/10 {
			return 0, ErrRange
		}
		v = v*10 + int64(digits[j])
	}
	for ; k < scale; k++ {
		if v > limit/10 {
			return 0, ErrRange
		}
		v *= 10
	}
	if neg {
		v = -v
	}
	return v, nil
}

// parseCents is parseScaled's fast path for scale 2 and the numbers the
// wire carries ("25", "-2.5", "1250.50"): an optional '-', one to fifteen
// digits, and optionally '.' with one or two digits. Anything else, and a
// value over limit, reports false and is left to the general parser, which
// gives the same value for every input this one takes (FuzzParseCents).
// The general one's digit buffer and passes were several per cent of a
// submit's validation in the wasm guest.
func parseCents(s []byte, limit int64) (int64, bool) {
	i, n := 0, len(s)
	neg := n > 0 && s[0] == '-'
	if neg {
		i = 1
	}
	start := i
	var v int64
	for i < n && s[i] >= '0' && s[i] <= '9' {
		v = v*10 + int64(s[i]-'0')
		i++
	}
	if i == start || i-start > 15 {
		return 0, false
	}
	places := 0
	if i < n && s[i] == '.' {
		i++
		for i < n && places < 2 && s[i] >= '0' && s[i] <= '9' {
			v = v*10 + int64(s[i]-'0')
			places++
			i++
		}
		if places == 0 {
			return 0, false
		}
	}
	if i != n {
		return 0, false
	}
	for ; places < 2; places++ {
		v *= 10
	}
	if v > limit {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// Append appends the amount as a decimal with exactly two places
// ("1000.00", "-0.05"): the form FrontGo's numeric fields take on the wire.
func (a Amount) Append(buf []byte) []byte {
	v := uint64(a) // unsigned, so that -MinInt64 does not overflow
	if a < 0 {
		buf = append(buf, '-')
		v = -v
	}
	buf = strconv.AppendUint(buf, v/100, 10)
	f := v % 100
	return append(buf, '.', byte('0'+f/10), byte('0'+f%10))
}

// String returns the amount as Append writes it.
func (a Amount) String() string { return string(a.Append(make([]byte, 0, 24))) }

// Append appends the rate in percent without trailing zeros ("25", "11.11",
// "12.5"): the form of the reference's `tax` examples.
func (r Rate) Append(buf []byte) []byte {
	v := int64(r)
	if v < 0 {
		buf = append(buf, '-')
		v = -v
	}
	buf = strconv.AppendInt(buf, v/100, 10)
	f := v % 100
	if f == 0 {
		return buf
	}
	buf = append(buf, '.', byte('0'+f/10))
	if f%10 != 0 {
		buf = append(buf, byte('0'+f%10))
	}
	return buf
}

// String returns the rate as Append writes it.
func (r Rate) String() string { return string(r.Append(nil)) }

// Percent returns a Rate of p whole percent.
func Percent(p int) Rate { return Rate(p * 100) }

// Mul returns a × q, or ErrRange when the product leaves the allowed range.
func (a Amount) Mul(q int64) (Amount, error) {
	if q < 0 || q > int64(MaxAmount) || !a.inRange() {
		return 0, ErrRange
	}
	if q != 0 && abs(int64(a)) > int64(MaxAmount)/q {
		return 0, ErrRange
	}
	return Amount(int64(a) * q), nil
}

// Add returns a + b, or ErrRange when the sum leaves the allowed range.
func (a Amount) Add(b Amount) (Amount, error) {
	// Operands out of range could overflow int64 and wrap back into range.
	if !a.inRange() || !b.inRange() {
		return 0, ErrRange
	}
	s := a + b
	if !s.inRange() {
		return 0, ErrRange
	}
	return s, nil
}

func (a Amount) inRange() bool { return -MaxAmount <= a && a <= MaxAmount }

// TaxIncluded returns the tax contained in a gross amount at rate r:
// gross × r / (100 % + r), rounded half away from zero to the øre.
func TaxIncluded(gross Amount, r Rate) Amount {
	if r <= 0 || gross == 0 { // no parser yields r < 0; never divide by zero
		return 0
	}
	return Amount(divRound(int64(gross)*int64(r), int64(MaxRate)+int64(r)))
}

// TaxOn returns the tax on a net amount at rate r: net × r / 100 %, rounded
// half away from zero.
func TaxOn(net Amount, r Rate) Amount {
	return Amount(divRound(int64(net)*int64(r), int64(MaxRate)))
}

// divRound divides rounding half away from zero. b > 0.
func divRound(a, b int64) int64 {
	if a < 0 {
		return -((-a + b/2) / b)
	}
	return (a + b/2) / b
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
