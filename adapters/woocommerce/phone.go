package woocommerce

import (
	"errors"
	"strings"
)

// dialingCodes are the countries whose national numbers SplitPhone
// completes with a dialing code; trunk0 are those whose national numbers
// start with a trunk 0 that the international form drops.
var (
	dialingCodes = map[string]string{
		"NO": "+47", "SE": "+46", "DK": "+45", "FI": "+358", "IS": "+354", "DE": "+49", "GB": "+44", "NL": "+31",
		"PL": "+48", "FR": "+33", "ES": "+34", "IT": "+39", "AT": "+43", "CH": "+41", "BE": "+32", "IE": "+353",
		"PT": "+351", "EE": "+372", "LV": "+371", "LT": "+370", "US": "+1", "CA": "+1",
	}
	trunk0 = map[string]bool{"SE": true, "FI": true, "DE": true, "GB": true, "NL": true, "FR": true, "AT": true,
		"CH": true, "BE": true, "IE": true}
)

// twoDigitCodes lists, by first digit, the second digits of the two-digit
// calling codes (20 Egypt, 27 South Africa, 30 Greece, …, 98 Iran); every
// other code in zones 2-9 has three digits.
var twoDigitCodes = map[byte]string{
	'2': "07", '3': "0123469", '4': "013456789", '5': "12345678", '6': "0123456", '8': "1246", '9': "0123458",
}

// callingCodeLen returns the length of the E.164 country calling code at
// the start of digits. Calling codes form a prefix code: the first one or
// two digits say how long the code is (ITU-T E.164 Annex, zones 1-9).
func callingCodeLen(d string) int {
	if d == "" {
		return 0
	}
	if d[0] == '1' || d[0] == '7' {
		return 1
	}
	if len(d) < 2 {
		return 0
	}
	if strings.IndexByte(twoDigitCodes[d[0]], d[1]) >= 0 {
		return 2
	}
	return 3
}

// Errors SplitPhone returns.
var (
	ErrPhoneEmpty   = errors.New("is empty")
	ErrPhoneInvalid = errors.New("is not a phone number")
)

// SplitPhone splits a phone number as shoppers type it into FrontGo's
// countryCode ("+47") and msisdn (the digits after it).
//
//   - Spaces, dashes, dots, slashes and brackets are ignored; "(0)" after a
//     dialing code is dropped ("+44 (0)20 7946 0958").
//   - "+" or "00" starts an international number; the dialing code is read
//     by E.164's structure, so any country works.
//   - A national number takes the dialing code of the billing country, or
//     defaultCode (normally "+47") when the country is empty or NO. A trunk
//     0 is dropped where the country uses one (SE, FI, DE, GB, …); a
//     Norwegian number written "47xxxxxxxx" (ten digits) is read as
//     +47 xxxxxxxx. National numbers from other countries must be given in
//     international form.
func SplitPhone(raw, country, defaultCode string) (code, msisdn string, err error) {
	s := strings.ReplaceAll(raw, "(0)", "")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && b.Len() == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '/' || r == '(' || r == ')' || r == '\u00a0':
		default:
			return "", "", ErrPhoneInvalid
		}
	}
	s = b.String()
	if s == "" {
		return "", "", ErrPhoneEmpty
	}
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:]
	}
	if strings.HasPrefix(s, "+") {
		d := s[1:]
		n := callingCodeLen(d)
		if n == 0 || d[0] == '0' || len(d) <= n {
			return "", "", ErrPhoneInvalid
		}
		return "+" + d[:n], d[n:], nil
	}
	country = strings.ToUpper(strings.TrimSpace(country))
	code = dialingCodes[country]
	if country == "" || country == "NO" {
		code = defaultCode
	}
	if code == "" {
		return "", "", errors.New("has no dialing code and the country " + country + " has none on file: give it as +<code> <number>")
	}
	if code == "+47" && len(s) == 10 && strings.HasPrefix(s, "47") {
		s = s[2:]
	}
	if trunk0[country] && strings.HasPrefix(s, "0") {
		s = s[1:]
	}
	return code, s, nil
}
