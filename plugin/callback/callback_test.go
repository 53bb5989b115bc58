package callback

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	testSecret = []byte("s3cr3t-key")
	testTS     = int64(1755764131)
	testNow    = time.Unix(testTS+60, 0)
)

// frontGoPairs are the parameters of the reference's example callback, in
// its order.
func frontGoPairs() []Pair {
	return []Pair{
		{KeyOrderUUID, "ODR123"},
		{KeyStatus, "RESERVED"},
		{KeyPaymentMethod, "Visa"},
		{KeyAmount, "100"},
		{KeyCreatedAt, "1755764131"},
		{KeyTimestamp, strconv.FormatInt(testTS, 10)},
	}
}

// merchantPairs has the merchant's own callback URL parameters first, as
// FrontGo appends its parameters to the URL it was given.
func merchantPairs() []Pair {
	return append([]Pair{{"order_identifier", "rRbl1FWZG59o"}, {"order_status", "success"}}, frontGoPairs()...)
}

func with(pairs []Pair, key, value string) []Pair {
	out := make([]Pair, 0, len(pairs))
	for _, p := range pairs {
		if p.Key == key {
			if value == "\x00drop" {
				continue
			}
			p.Value = value
		}
		out = append(out, p)
	}
	return out
}

func sign(pairs []Pair, s Scheme) string { return SignedQuery(pairs, testSecret, s) }

func cfgFor(s Scheme) VerifyConfig {
	c := DefaultVerifyConfig()
	c.Scheme = s
	return c
}

func TestVerify(t *testing.T) {
	ordered, v1, v2 := SchemeOrderedParams, SchemeLegacyV1, SchemeLegacyV2
	valid := sign(frontGoPairs(), ordered)
	type tc struct {
		name    string
		query   string
		secret  []byte
		cfg     VerifyConfig
		now     time.Time
		wantErr error  // nil: must verify
		wantMsg string // exact message, when set
	}
	cases := []tc{
		{name: "ordered/valid", query: valid, cfg: cfgFor(ordered)},
		{name: "legacy-v1/valid", query: sign(frontGoPairs(), v1), cfg: cfgFor(v1)},
		{name: "legacy-v2/valid", query: sign(frontGoPairs(), v2), cfg: cfgFor(v2)},
		{name: "ordered/leading question mark", query: "?" + valid, cfg: cfgFor(ordered)},
		{name: "ordered/empty segments skipped", query: "&&" + strings.Replace(valid, "&", "&&", 2) + "&", cfg: cfgFor(ordered)},
		{name: "ordered/merchant params included", query: sign(merchantPairs(), ordered), cfg: cfgFor(ordered)},
		{
			name:    "ordered/merchant param tampered",
			query:   strings.Replace(sign(merchantPairs(), ordered), "order_status=success", "order_status=failed", 1),
			cfg:     cfgFor(ordered),
			wantErr: ErrChecksumMismatch,
			wantMsg: "callback: scheme ordered-params: checksum mismatch",
		},
		{
			name:    "ordered/merchant param dropped",
			query:   strings.Replace(sign(merchantPairs(), ordered), "order_status=success&", "", 1),
			cfg:     cfgFor(ordered),
			wantErr: ErrChecksumMismatch,
		},
		{
			name:  "legacy-v1/merchant params not covered",
			query: strings.Replace(sign(merchantPairs(), v1), "order_status=success", "order_status=failed", 1),
			cfg:   cfgFor(v1),
		},
		{name: "ordered/amount tampered", query: strings.Replace(valid, "amount=100", "amount=1000", 1), cfg: cfgFor(ordered), wantErr: ErrChecksumMismatch},
		{name: "legacy-v2/amount tampered", query: strings.Replace(sign(frontGoPairs(), v2), "amount=100", "amount=1000", 1), cfg: cfgFor(v2), wantErr: ErrChecksumMismatch},
		{
			// legacy-v1 does not sign the amount: documented, and why the
			// callback must be confirmed with the details endpoint.
			name:  "legacy-v1/amount not covered",
			query: strings.Replace(sign(frontGoPairs(), v1), "amount=100", "amount=1000", 1),
			cfg:   cfgFor(v1),
		},
		{name: "legacy-v1/status tampered", query: strings.Replace(sign(frontGoPairs(), v1), "RESERVED", "CAPTURED", 1), cfg: cfgFor(v1), wantErr: ErrChecksumMismatch},
		{name: "legacy-v2/timestamp tampered", query: strings.Replace(sign(frontGoPairs(), v2), "timestamp=1755764131", "timestamp=1755764191", 1), cfg: cfgFor(v2), wantErr: ErrChecksumMismatch},
		{
			name:    "ordered/reordered params",
			query:   "status=RESERVED&orderUuid=ODR123&" + strings.TrimPrefix(valid, "orderUuid=ODR123&status=RESERVED&"),
			cfg:     cfgFor(ordered),
			wantErr: ErrChecksumMismatch,
		},
		{
			name:  "legacy-v2/reordered params",
			query: "status=RESERVED&orderUuid=ODR123&" + strings.TrimPrefix(sign(frontGoPairs(), v2), "orderUuid=ODR123&status=RESERVED&"),
			cfg:   cfgFor(v2),
		},
		{name: "ordered/upper-case hex", query: upperChecksum(valid), cfg: cfgFor(ordered)},
		{name: "legacy-v1/upper-case hex", query: upperChecksum(sign(frontGoPairs(), v1)), cfg: cfgFor(v1)},
		{name: "ordered/wrong secret", query: valid, secret: []byte("other"), cfg: cfgFor(ordered), wantErr: ErrChecksumMismatch},
		{name: "legacy-v2/wrong secret", query: sign(frontGoPairs(), v2), secret: []byte("other"), cfg: cfgFor(v2), wantErr: ErrChecksumMismatch},
		{name: "ordered/wrong scheme", query: valid, cfg: cfgFor(v2), wantErr: ErrChecksumMismatch, wantMsg: "callback: scheme legacy-v2: checksum mismatch"},
		{
			name:    "ordered/missing checksum",
			query:   valid[:strings.LastIndex(valid, "&checksum=")],
			cfg:     cfgFor(ordered),
			wantErr: ErrMissingChecksum,
			wantMsg: "callback: missing checksum",
		},
		{name: "legacy-v1/empty checksum", query: valid[:strings.LastIndex(valid, "=")+1], cfg: cfgFor(v1), wantErr: ErrMissingChecksum},
		{
			name:    "ordered/duplicate checksum",
			query:   valid + "&checksum=" + valid[strings.LastIndex(valid, "=")+1:],
			cfg:     cfgFor(ordered),
			wantErr: ErrMalformed,
			wantMsg: `callback: parameter "checksum" repeated: malformed callback query`,
		},
		{name: "legacy-v2/duplicate orderUuid", query: "orderUuid=ODR999&" + sign(frontGoPairs(), v2), cfg: cfgFor(v2), wantErr: ErrMalformed},
		{name: "ordered/duplicate merchant param", query: "x=1&x=1&" + valid, cfg: cfgFor(ordered), wantErr: ErrMalformed},
		{name: "ordered/checksum too short", query: valid[:len(valid)-2], cfg: cfgFor(ordered), wantErr: ErrChecksumMismatch, wantMsg: "callback: checksum is not 64 hex digits: checksum mismatch"},
		{name: "ordered/checksum not hex", query: valid[:len(valid)-1] + "g", cfg: cfgFor(ordered), wantErr: ErrChecksumMismatch},
		{
			name:    "ordered/bad escape in value",
			query:   strings.Replace(valid, "Visa", "Vi%zza", 1),
			cfg:     cfgFor(ordered),
			wantErr: ErrMalformed,
			wantMsg: `callback: parameter "paymentMethod": bad percent escape in value: malformed callback query`,
		},
		{name: "ordered/truncated escape", query: "a=%4&" + valid, cfg: cfgFor(ordered), wantErr: ErrMalformed},
		{name: "ordered/trailing percent", query: valid + "&z=%", cfg: cfgFor(ordered), wantErr: ErrMalformed},
		{name: "legacy-v1/bad escape in name", query: "a%g1=1&" + sign(frontGoPairs(), v1), cfg: cfgFor(v1), wantErr: ErrMalformed, wantMsg: `callback: parameter "a%g1": bad percent escape in name: malformed callback query`},
		{name: "ordered/empty name", query: "=x&" + valid, cfg: cfgFor(ordered), wantErr: ErrMalformed, wantMsg: "callback: parameter 1: empty name: malformed callback query"},
		{
			name:    "ordered/stale",
			query:   sign(with(frontGoPairs(), KeyTimestamp, strconv.FormatInt(testTS-20*60, 10)), ordered),
			now:     time.Unix(testTS, 0),
			cfg:     cfgFor(ordered),
			wantErr: ErrStale,
			wantMsg: "callback: timestamp 1755762931 is 20m0s old, tolerance 15m0s: stale callback",
		},
		{name: "legacy-v2/stale", query: sign(frontGoPairs(), v2), now: time.Unix(testTS+16*60, 0), cfg: cfgFor(v2), wantErr: ErrStale},
		{name: "legacy-v1/stale unsigned timestamp", query: sign(frontGoPairs(), v1), now: time.Unix(testTS+16*60, 0), cfg: cfgFor(v1), wantErr: ErrStale},
		{name: "ordered/exactly tolerance old", query: valid, now: time.Unix(testTS, 0).Add(DefaultTolerance), cfg: cfgFor(ordered)},
		{
			name:    "ordered/custom tolerance",
			query:   valid,
			now:     time.Unix(testTS+61, 0),
			cfg:     VerifyConfig{Tolerance: time.Minute},
			wantErr: ErrStale,
		},
		{
			name:    "ordered/future",
			query:   valid,
			now:     time.Unix(testTS-10*60, 0),
			cfg:     cfgFor(ordered),
			wantErr: ErrStale,
			wantMsg: "callback: timestamp 1755764131 is 10m0s ahead, future skew 5m0s: stale callback",
		},
		{name: "ordered/within future skew", query: valid, now: time.Unix(testTS-4*60, 0), cfg: cfgFor(ordered)},
		// A timestamp past what a time.Duration holds once printed as
		// "-2562047h47m16s ahead"; still stale, now saying what is wrong.
		{
			name:    "ordered/timestamp in milliseconds",
			query:   sign(with(frontGoPairs(), KeyTimestamp, strconv.FormatInt(testTS*1000, 10)), ordered),
			now:     time.Unix(testTS, 0),
			cfg:     cfgFor(ordered),
			wantErr: ErrStale,
			wantMsg: "callback: timestamp 1755764131000 looks like milliseconds, not unix seconds (as seconds it is more than 292 years ahead): stale callback",
		},
		{
			name:    "ordered/timestamp centuries ahead",
			query:   sign(with(frontGoPairs(), KeyTimestamp, "999999999999999999"), ordered),
			now:     time.Unix(testTS, 0),
			cfg:     cfgFor(ordered),
			wantErr: ErrStale,
			wantMsg: "callback: timestamp 999999999999999999 is out of range: more than 292 years ahead; unix seconds are expected: stale callback",
		},
		{
			name:    "ordered/timestamp a century ahead",
			query:   sign(with(frontGoPairs(), KeyTimestamp, strconv.FormatInt(testTS+100*365*24*3600, 10)), ordered),
			now:     time.Unix(testTS, 0),
			cfg:     cfgFor(ordered),
			wantErr: ErrStale,
			wantMsg: "callback: timestamp 4909364131 is 876000h0m0s ahead, future skew 5m0s: stale callback",
		},
		{
			name:    "ordered/clock centuries past the timestamp",
			query:   valid,
			now:     time.Unix(testTS+400*366*24*3600, 0),
			cfg:     cfgFor(ordered),
			wantErr: ErrStale,
			wantMsg: "callback: timestamp 1755764131 is out of range: more than 292 years old, tolerance 15m0s: stale callback",
		},
		{
			name:    "ordered/missing timestamp required",
			query:   sign(with(frontGoPairs(), KeyTimestamp, "\x00drop"), ordered),
			cfg:     cfgFor(ordered),
			wantErr: ErrStale,
			wantMsg: "callback: missing timestamp: stale callback",
		},
		{name: "ordered/missing timestamp optional", query: sign(with(frontGoPairs(), KeyTimestamp, "\x00drop"), ordered), cfg: VerifyConfig{}},
		{name: "legacy-v1/missing timestamp optional", query: sign(with(frontGoPairs(), KeyTimestamp, "\x00drop"), v1), cfg: VerifyConfig{Scheme: v1}},
		{name: "legacy-v1/missing timestamp required", query: sign(with(frontGoPairs(), KeyTimestamp, "\x00drop"), v1), cfg: cfgFor(v1), wantErr: ErrStale},
		{name: "legacy-v2/empty timestamp required", query: sign(with(frontGoPairs(), KeyTimestamp, ""), v2), cfg: cfgFor(v2), wantErr: ErrStale},
		{
			name:    "ordered/non-digit timestamp",
			query:   sign(with(frontGoPairs(), KeyTimestamp, "1755764131.5"), ordered),
			cfg:     cfgFor(ordered),
			wantErr: ErrMalformed,
			wantMsg: `callback: timestamp "1755764131.5" is not unix seconds: malformed callback query`,
		},
		{name: "legacy-v2/negative timestamp", query: sign(with(frontGoPairs(), KeyTimestamp, "-1"), v2), cfg: cfgFor(v2), wantErr: ErrMalformed},
		{name: "ordered/leading zero timestamp", query: sign(with(frontGoPairs(), KeyTimestamp, "01755764131"), ordered), cfg: cfgFor(ordered), wantErr: ErrMalformed},
		{name: "ordered/huge timestamp", query: sign(with(frontGoPairs(), KeyTimestamp, "99999999999999999999"), ordered), cfg: cfgFor(ordered), wantErr: ErrMalformed},
		{
			name:    "ordered/forged and stale reports forged",
			query:   strings.Replace(sign(frontGoPairs(), ordered), "amount=100", "amount=1", 1),
			now:     time.Unix(testTS+24*3600, 0),
			cfg:     cfgFor(ordered),
			wantErr: ErrChecksumMismatch,
		},
		{name: "ordered/missing orderUuid", query: sign(with(frontGoPairs(), KeyOrderUUID, "\x00drop"), ordered), cfg: cfgFor(ordered), wantErr: ErrMalformed, wantMsg: "callback: missing orderUuid: malformed callback query"},
		{name: "legacy-v1/missing status", query: sign(with(frontGoPairs(), KeyStatus, ""), v1), cfg: cfgFor(v1), wantErr: ErrMalformed},
		{name: "ordered/plus and %20 decode alike", query: strings.Replace(sign(with(frontGoPairs(), KeyPaymentMethod, "Visa Debit"), ordered), "Visa+Debit", "Visa%20Debit", 1), cfg: cfgFor(ordered)},
		{name: "ordered/no secret", query: valid, secret: []byte{}, cfg: cfgFor(ordered), wantErr: ErrNoSecret, wantMsg: "callback: no secret key configured"},
		{name: "ordered/unknown scheme", query: valid, cfg: VerifyConfig{Scheme: 9}, wantErr: ErrInvalidConfig, wantMsg: "callback: unknown scheme scheme(9): invalid callback verification config"},
		{name: "ordered/negative tolerance", query: valid, cfg: VerifyConfig{Tolerance: -time.Second}, wantErr: ErrInvalidConfig},
		{name: "ordered/too many params", query: strings.Repeat("&", 3) + manyParams(MaxParams) + valid, cfg: cfgFor(ordered), wantErr: ErrMalformed, wantMsg: "callback: more than 64 parameters: malformed callback query"},
		{name: "ordered/too long", query: "pad=" + strings.Repeat("x", MaxQueryBytes) + "&" + valid, cfg: cfgFor(ordered), wantErr: ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			secret := c.secret
			if secret == nil {
				secret = testSecret
			}
			now := c.now
			if now.IsZero() {
				now = testNow
			}
			p, err := Verify(c.query, secret, c.cfg, now)
			if c.wantErr == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if p.OrderUUID != "ODR123" || p.Status == "" {
					t.Fatalf("Verify params = %+v", p)
				}
				return
			}
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("Verify error = %v, want %v", err, c.wantErr)
			}
			if c.wantMsg != "" && err.Error() != c.wantMsg {
				t.Fatalf("Verify error = %q, want %q", err.Error(), c.wantMsg)
			}
			if !reflect.DeepEqual(p, Params{}) {
				t.Fatalf("Verify returned params with error: %+v", p)
			}
			if sum := c.query[strings.LastIndex(c.query, "=")+1:]; len(sum) >= 16 && strings.Contains(err.Error(), sum) {
				t.Fatalf("error %q repeats the checksum", err)
			}
			if strings.Contains(err.Error(), string(testSecret)) {
				t.Fatalf("error %q repeats the secret", err)
			}
		})
	}
}

func upperChecksum(q string) string {
	i := strings.LastIndex(q, "=") + 1
	return q[:i] + strings.ToUpper(q[i:])
}

func manyParams(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("p" + strconv.Itoa(i) + "=v&")
	}
	return b.String()
}

func TestVerifyReturnsPairs(t *testing.T) {
	q := sign(merchantPairs(), SchemeOrderedParams)
	p, err := Verify(q, testSecret, DefaultVerifyConfig(), testNow)
	if err != nil {
		t.Fatal(err)
	}
	want := Params{
		OrderUUID: "ODR123", Status: "RESERVED", PaymentMethod: "Visa", Amount: "100",
		CreatedAt: "1755764131", Timestamp: "1755764131",
		Checksum: Checksum(merchantPairs(), testSecret, SchemeOrderedParams),
		Pairs:    merchantPairs(),
	}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("Verify = %+v\nwant %+v", p, want)
	}
}

// TestChecksumVector pins each scheme's concatenation, hashed independently
// with encoding/hex.
func TestChecksumVector(t *testing.T) {
	for _, s := range []struct {
		scheme Scheme
		input  string
	}{
		{SchemeOrderedParams, "ODR123RESERVEDVisa10017557641311755764131"},
		{SchemeLegacyV1, "ODR123RESERVED1755764131"},
		{SchemeLegacyV2, "ODR123RESERVED17557641311001755764131"},
	} {
		t.Run(s.scheme.String(), func(t *testing.T) {
			got := Checksum(frontGoPairs(), testSecret, s.scheme)
			want := sha256Hex(s.input + string(testSecret))
			if got != want {
				t.Fatalf("Checksum = %s, want %s", got, want)
			}
		})
	}
	if got := Checksum(frontGoPairs(), testSecret, 7); got != "" {
		t.Fatalf("Checksum with unknown scheme = %q, want empty", got)
	}
}

func TestParseQuery(t *testing.T) {
	cases := []struct {
		name    string
		raw     string
		want    Params
		wantErr string
	}{
		{name: "empty", raw: "", want: Params{Pairs: []Pair{}}},
		{name: "only separators", raw: "?&&&", want: Params{Pairs: []Pair{}}},
		{
			name: "fields and merchant params",
			raw:  "a=1&orderUuid=ODR1&status=RESERVED&checksum=AB&b&c=",
			want: Params{OrderUUID: "ODR1", Status: "RESERVED", Checksum: "AB",
				Pairs: []Pair{{"a", "1"}, {"orderUuid", "ODR1"}, {"status", "RESERVED"}, {"b", ""}, {"c", ""}}},
		},
		{
			name: "php decoding",
			raw:  "na+me=a+b%2Bc%26d%3d&k%C3%A6y=%e2%82%ac&semi=a;b&eq=a=b",
			want: Params{Pairs: []Pair{{"na me", "a b+c&d="}, {"kæy", "€"}, {"semi", "a;b"}, {"eq", "a=b"}}},
		},
		{name: "names are case-sensitive", raw: "orderuuid=x&OrderUuid=y", want: Params{Pairs: []Pair{{"orderuuid", "x"}, {"OrderUuid", "y"}}}},
		{name: "control bytes kept", raw: "a=%00\x01", want: Params{Pairs: []Pair{{"a", "\x00\x01"}}}},
		// Text only: bytes that are not UTF-8 once decoded are refused,
		// naming the parameter, signed or not (FrontGo sends text).
		{name: "escaped value not UTF-8", raw: "orderUuid=RES1&paymentMethod=Visa%F8", wantErr: `callback: parameter "paymentMethod": value is not valid UTF-8 once percent-decoded: malformed callback query`},
		{name: "raw value not UTF-8", raw: "a=\xff", wantErr: `callback: parameter "a": value is not valid UTF-8 once percent-decoded: malformed callback query`},
		{name: "escaped name not UTF-8", raw: "k%C3=1", wantErr: `callback: parameter "k%C3": name is not valid UTF-8 once percent-decoded: malformed callback query`},
		{name: "escaped UTF-8 kept", raw: "m=Visa%C3%A6", want: Params{Pairs: []Pair{{"m", "Visaæ"}}}},
		{name: "repeated status", raw: "status=A&status=A", wantErr: `callback: parameter "status" repeated: malformed callback query`},
		{name: "repeated merchant param", raw: "x=1&y=2&x=3", wantErr: `callback: parameter "x" repeated: malformed callback query`},
		{name: "repeated after decoding", raw: "x=1&%78=2", wantErr: `callback: parameter "x" repeated: malformed callback query`},
		{name: "bad escape", raw: "a=%2", wantErr: `callback: parameter "a": bad percent escape in value: malformed callback query`},
		{name: "long name quoted and cut", raw: strings.Repeat("n", 100) + "=%", wantErr: `callback: parameter "` + strings.Repeat("n", 64) + `"...: bad percent escape in value: malformed callback query`},
		{name: "empty name", raw: "a=1&=2", wantErr: "callback: parameter 2: empty name: malformed callback query"},
		{name: "exactly max params", raw: manyParams(MaxParams), want: Params{Pairs: manyPairs(MaxParams)}},
		{name: "too many params", raw: manyParams(MaxParams + 1), wantErr: "callback: more than 64 parameters: malformed callback query"},
		{name: "exactly max bytes", raw: "a=" + strings.Repeat("b", MaxQueryBytes-2), want: Params{Pairs: []Pair{{"a", strings.Repeat("b", MaxQueryBytes-2)}}}},
		{name: "too long", raw: "a=" + strings.Repeat("b", MaxQueryBytes-1), wantErr: "callback: query of 8193 bytes exceeds 8192: malformed callback query"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseQuery(c.raw)
			if c.wantErr != "" {
				if err == nil || err.Error() != c.wantErr || !errors.Is(err, ErrMalformed) {
					t.Fatalf("ParseQuery error = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseQuery: %v", err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("ParseQuery = %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func manyPairs(n int) []Pair {
	ps := make([]Pair, n)
	for i := range ps {
		ps[i] = Pair{"p" + strconv.Itoa(i), "v"}
	}
	return ps
}

func TestScheme(t *testing.T) {
	for s, name := range map[Scheme]string{
		SchemeOrderedParams: "ordered-params", SchemeLegacyV1: "legacy-v1", SchemeLegacyV2: "legacy-v2", 3: "scheme(3)",
	} {
		if got := s.String(); got != name {
			t.Errorf("Scheme(%d).String() = %q, want %q", s, got, name)
		}
		got, err := ParseScheme(name)
		if s.Valid() && (err != nil || got != s) {
			t.Errorf("ParseScheme(%q) = %v, %v", name, got, err)
		}
		if !s.Valid() && !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("ParseScheme(%q) error = %v, want ErrInvalidConfig", name, err)
		}
	}
	_, err := ParseScheme("Legacy-V1")
	if want := `callback: unknown scheme "Legacy-V1": invalid callback verification config`; err == nil || err.Error() != want {
		t.Errorf("ParseScheme error = %v, want %q", err, want)
	}
	if (VerifyConfig{}).Scheme != SchemeOrderedParams {
		t.Error("zero VerifyConfig is not the ordered-params scheme")
	}
}

// TestEscapingMatchesNetURL checks that SignedQuery encodes as
// url.QueryEscape and ParseQuery decodes as url.QueryUnescape.
func TestEscapingMatchesNetURL(t *testing.T) {
	var all []byte
	for c := range 256 {
		all = append(all, byte(c))
	}
	for _, s := range []string{"", "plain", "a b+c&d=e", "æøå €", string(all), "%", "%zz", "%4", "%41%", "+%2B+"} {
		if got, want := string(appendEscaped(nil, s)), url.QueryEscape(s); got != want {
			t.Errorf("escape(%q) = %q, want %q", s, got, want)
		}
		checkUnescape(t, s)
	}
}

func checkUnescape(t *testing.T, s string) {
	t.Helper()
	got, ok := unescape(s)
	want, err := url.QueryUnescape(s)
	if ok != (err == nil) || got != want && ok {
		t.Errorf("unescape(%q) = %q, %v; url.QueryUnescape = %q, %v", s, got, ok, want, err)
	}
}

func TestVerifyAllocations(t *testing.T) {
	q := sign(merchantPairs(), SchemeOrderedParams)
	cfg := DefaultVerifyConfig()
	n := testing.AllocsPerRun(100, func() {
		if _, err := Verify(q, testSecret, cfg, testNow); err != nil {
			t.Fatal(err)
		}
	})
	if n > 1 {
		t.Errorf("Verify allocates %v times, want at most 1 (the Pairs slice)", n)
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, bc := range []struct {
		name   string
		pairs  []Pair
		scheme Scheme
	}{
		{"ordered-params", merchantPairs(), SchemeOrderedParams},
		{"legacy-v2", frontGoPairs(), SchemeLegacyV2},
		{"ordered-params-escaped", with(merchantPairs(), KeyPaymentMethod, "Visa Debit / Kortbetaling æøå"), SchemeOrderedParams},
	} {
		q := SignedQuery(bc.pairs, testSecret, bc.scheme)
		cfg := DefaultVerifyConfig()
		cfg.Scheme = bc.scheme
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(q)))
			for b.Loop() {
				if _, err := Verify(q, testSecret, cfg, testNow); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
