package callback

import "strconv"

// Scheme selects how the checksum's input is concatenated. FrontGo's
// documentation has described three forms over time; a merchant account may
// still be on an older one, so the scheme is configuration rather than a
// guess. The zero value is the current scheme.
// https://docs.frontpayment.no/books/fpgo-connect/page/notifications-via-callback-url
type Scheme uint8

// The checksum schemes, newest first.
const (
	// SchemeOrderedParams is the current scheme and the default: the
	// values of every query parameter except checksum, in the order
	// received (including the merchant's own callback URL parameters),
	// then the secret key.
	SchemeOrderedParams Scheme = iota
	// SchemeLegacyV1 is the first documented form:
	// orderUuid . status . createdAt . secret. It signs no timestamp, so
	// its freshness check cannot stop a replay.
	SchemeLegacyV1
	// SchemeLegacyV2 is the second documented form:
	// orderUuid . status . createdAt . amount . timestamp . secret.
	SchemeLegacyV2

	numSchemes
)

var schemeNames = [numSchemes]string{
	SchemeOrderedParams: "ordered-params",
	SchemeLegacyV1:      "legacy-v1",
	SchemeLegacyV2:      "legacy-v2",
}

// String returns the scheme's configuration name: "ordered-params",
// "legacy-v1" or "legacy-v2"; "scheme(N)" for a value outside the set.
func (s Scheme) String() string {
	if s < numSchemes {
		return schemeNames[s]
	}
	return "scheme(" + strconv.Itoa(int(s)) + ")"
}

// Valid reports whether s is one of the defined schemes.
func (s Scheme) Valid() bool { return s < numSchemes }

// ParseScheme reads a scheme's configuration name as String writes it. The
// match is exact: configuration is decoded strictly, so a misspelt scheme
// fails at start-up instead of rejecting every callback later.
func ParseScheme(name string) (Scheme, error) {
	for i, n := range schemeNames {
		if n == name {
			return Scheme(i), nil
		}
	}
	return 0, wrap("unknown scheme "+quote(name), ErrInvalidConfig)
}
