package callback

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func fuzzSeeds() []string {
	return []string{
		"",
		"?",
		sign(frontGoPairs(), SchemeOrderedParams),
		sign(merchantPairs(), SchemeLegacyV1),
		upperChecksum(sign(frontGoPairs(), SchemeLegacyV2)),
		"orderUuid=ODR1&status=RESERVED&status=CAPTURED&checksum=00",
		"a=%zz&b=%4&c=%",
		"=x&&&+=%2B",
		"order_identifier|rRbl1|orderUuid|ODR123|status|RESERVED|amount|100",
		manyParams(MaxParams + 1),
	}
}

// FuzzParseQuery checks that ParseQuery never panics, fails only with
// ErrMalformed, decodes as net/url does, and that what it returns encodes
// back to the same Params.
func FuzzParseQuery(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		p, err := ParseQuery(raw)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("ParseQuery error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if len(p.Pairs) > MaxParams {
			t.Fatalf("%d pairs", len(p.Pairs))
		}
		seen := map[string]bool{}
		for _, q := range p.Pairs {
			if q.Key == "" || q.Key == KeyChecksum || seen[q.Key] {
				t.Fatalf("bad or repeated key %q in %+v", q.Key, p.Pairs)
			}
			seen[q.Key] = true
		}
		for key, v := range map[string]string{KeyOrderUUID: p.OrderUUID, KeyStatus: p.Status, KeyCreatedAt: p.CreatedAt,
			KeyPaymentMethod: p.PaymentMethod, KeyAmount: p.Amount, KeyTimestamp: p.Timestamp} {
			if lookup(p.Pairs, key) != v {
				t.Fatalf("field %s = %q, pairs say %q", key, v, lookup(p.Pairs, key))
			}
		}
		for _, seg := range strings.Split(strings.TrimPrefix(raw, "?"), "&") {
			k, v, _ := strings.Cut(seg, "=")
			checkUnescape(t, k)
			checkUnescape(t, v)
		}
		// Round trip: encode the pairs (and checksum) again and reparse.
		var b []byte
		for _, q := range p.Pairs {
			b = appendEscaped(b, q.Key)
			b = append(b, '=')
			b = appendEscaped(b, q.Value)
			b = append(b, '&')
		}
		if p.Checksum != "" {
			b = append(b, "checksum="...)
			b = appendEscaped(b, p.Checksum)
		}
		if len(b) > MaxQueryBytes {
			return
		}
		p2, err := ParseQuery(string(b))
		if err != nil {
			t.Fatalf("reparse of %q: %v", b, err)
		}
		if !reflect.DeepEqual(p, p2) {
			t.Fatalf("round trip changed params:\n%+v\n%+v", p, p2)
		}
	})
}

// FuzzVerify checks that Verify never panics and fails only with a
// sentinel; that a verified query's checksum is the one Checksum computes;
// and that SignedQuery of arbitrary pairs (cut from raw at '|') always
// verifies under the same secret and scheme and gives the pairs back.
func FuzzVerify(f *testing.F) {
	for i, s := range fuzzSeeds() {
		f.Add(s, testSecret, uint8(i%4), testTS+int64(i))
	}
	f.Fuzz(func(t *testing.T, raw string, secret []byte, scheme uint8, nowUnix int64) {
		now := time.Unix(nowUnix, 0)
		for _, cfg := range []VerifyConfig{{Scheme: Scheme(scheme)}, {Scheme: Scheme(scheme % 3), RequireTimestamp: true, Tolerance: time.Hour}} {
			p, err := Verify(raw, secret, cfg, now)
			if err != nil {
				ok := false
				for _, s := range []error{ErrMalformed, ErrMissingChecksum, ErrChecksumMismatch, ErrStale, ErrNoSecret, ErrInvalidConfig} {
					ok = ok || errors.Is(err, s)
				}
				if !ok {
					t.Fatalf("Verify error %v wraps no sentinel", err)
				}
				continue
			}
			if got := Checksum(p.Pairs, secret, cfg.Scheme); got != strings.ToLower(p.Checksum) {
				t.Fatalf("verified checksum %s, Checksum gives %s", p.Checksum, got)
			}
			if p.OrderUUID == "" || p.Status == "" {
				t.Fatalf("verified params lack orderUuid or status: %+v", p)
			}
		}

		// The signing property.
		if len(secret) == 0 {
			secret = []byte("k")
		}
		s := Scheme(scheme % uint8(numSchemes))
		var pairs []Pair
		parts := strings.Split(raw, "|")
		for i := 0; i+1 < len(parts) && len(pairs) < MaxParams-3; i += 2 {
			k, v := parts[i], parts[i+1]
			if k == "" || k == KeyChecksum || k == KeyTimestamp || lookupOK(pairs, k) {
				continue
			}
			pairs = append(pairs, Pair{k, v})
		}
		for _, k := range []string{KeyOrderUUID, KeyStatus} {
			switch {
			case !lookupOK(pairs, k):
				pairs = append(pairs, Pair{k, "x"})
			case lookup(pairs, k) == "":
				pairs = with(pairs, k, "x")
			}
		}
		cfg := VerifyConfig{Scheme: s}
		if nowUnix >= 0 && nowUnix < 1e17 {
			pairs = append(pairs, Pair{KeyTimestamp, strconv.FormatInt(nowUnix, 10)})
			cfg.RequireTimestamp = true
		}
		q := SignedQuery(pairs, secret, s)
		if len(q) > MaxQueryBytes {
			return
		}
		p, err := Verify(q, secret, cfg, now)
		if !utf8Pairs(pairs) {
			// Signed or not, bytes that are not text are refused.
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("SignedQuery(%q, %s) = %q: %v, want malformed (not UTF-8)", pairs, s, q, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("SignedQuery(%q, %s) = %q does not verify: %v", pairs, s, q, err)
		}
		if !reflect.DeepEqual(p.Pairs, pairs) {
			t.Fatalf("Verify pairs = %q, signed %q", p.Pairs, pairs)
		}
	})
}

func utf8Pairs(pairs []Pair) bool {
	for _, q := range pairs {
		if !utf8.ValidString(q.Key) || !utf8.ValidString(q.Value) {
			return false
		}
	}
	return true
}

func lookupOK(pairs []Pair, key string) bool {
	for _, q := range pairs {
		if q.Key == key {
			return true
		}
	}
	return false
}
