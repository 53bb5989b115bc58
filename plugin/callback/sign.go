package callback

import "crypto/sha256"

// Checksum returns the lower-case hex checksum FrontGo would send for pairs
// under scheme, so that tests and the sandbox can sign callbacks exactly as
// Verify checks them. Pairs named checksum are left out. The legacy schemes
// take the first value of each field they name ("" when absent). An unknown
// scheme gives "", which never verifies.
func Checksum(pairs []Pair, secret []byte, scheme Scheme) string {
	sum, ok := digest(pairs, secret, scheme)
	if !ok {
		return ""
	}
	const hexLower = "0123456789abcdef"
	var b [2 * sha256.Size]byte
	for i, c := range sum {
		b[2*i], b[2*i+1] = hexLower[c>>4], hexLower[c&15]
	}
	return string(b[:])
}

// SignedQuery encodes pairs in order, as url.QueryEscape would encode each
// name and value, and appends "&checksum=" and their Checksum: the query
// string FrontGo would put on the callback URL. Pairs named checksum are
// left out.
func SignedQuery(pairs []Pair, secret []byte, scheme Scheme) string {
	n := 0
	for _, q := range pairs {
		n += len(q.Key) + len(q.Value) + 2
	}
	b := make([]byte, 0, n+n/2+len(KeyChecksum)+2*sha256.Size+1)
	for _, q := range pairs {
		if q.Key == KeyChecksum {
			continue
		}
		b = appendEscaped(b, q.Key)
		b = append(b, '=')
		b = appendEscaped(b, q.Value)
		b = append(b, '&')
	}
	b = append(b, KeyChecksum+"="...)
	b = append(b, Checksum(pairs, secret, scheme)...)
	return string(b)
}

// digest hashes the concatenation scheme prescribes, then the secret. It
// builds the input in one buffer (on the stack for ordinary callbacks) and
// clears it afterwards, since it holds the secret.
func digest(pairs []Pair, secret []byte, scheme Scheme) (sum [sha256.Size]byte, ok bool) {
	buf := make([]byte, 0, 512)
	switch scheme {
	case SchemeOrderedParams:
		for _, q := range pairs {
			if q.Key != KeyChecksum {
				buf = append(buf, q.Value...)
			}
		}
	case SchemeLegacyV1:
		buf = append(buf, lookup(pairs, KeyOrderUUID)...)
		buf = append(buf, lookup(pairs, KeyStatus)...)
		buf = append(buf, lookup(pairs, KeyCreatedAt)...)
	case SchemeLegacyV2:
		buf = append(buf, lookup(pairs, KeyOrderUUID)...)
		buf = append(buf, lookup(pairs, KeyStatus)...)
		buf = append(buf, lookup(pairs, KeyCreatedAt)...)
		buf = append(buf, lookup(pairs, KeyAmount)...)
		buf = append(buf, lookup(pairs, KeyTimestamp)...)
	default:
		return sum, false
	}
	buf = append(buf, secret...)
	sum = sha256.Sum256(buf)
	clear(buf)
	return sum, true
}

// lookup returns the first value named key, or "".
func lookup(pairs []Pair, key string) string {
	for _, q := range pairs {
		if q.Key == key {
			return q.Value
		}
	}
	return ""
}
