package money_test

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/frontgate/frontgate/plugin/internal/jsonx"
	"github.com/frontgate/frontgate/plugin/money"
)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want money.Amount
		err  error
	}{
		{"zero", "0", 0, nil},
		{"zero with places", "0.00", 0, nil},
		{"negative zero", "-0", 0, nil},
		{"negative zero with places", "-0.00", 0, nil},
		{"whole", "1", 100, nil},
		{"one place", "1.5", 150, nil},
		{"two places", "1.50", 150, nil},
		{"third place zero", "1.500", 150, nil},
		{"many trailing zeros", "1.5000000000", 150, nil},
		{"third place non-zero", "1.505", 0, money.ErrPrecision},
		{"half an øre", "0.005", 0, money.ErrPrecision},
		{"negative", "-0.05", -5, nil},
		{"negative whole", "-12.5", -1250, nil},
		{"explicit plus", "+5", 500, nil},
		{"exponent", "1e2", 10000, nil},
		{"exponent upper case", "1E2", 10000, nil},
		{"exponent plus", "1e+2", 10000, nil},
		{"fraction and exponent", "1.23e1", 1230, nil},
		{"negative exponent", "1e-2", 1, nil},
		{"negative exponent too small", "1e-3", 0, money.ErrPrecision},
		{"fraction and negative exponent", "12.3e-1", 123, nil},
		{"trailing zero shifted", "0.10e1", 100, nil},
		{"exponent absorbs places", "0.001e3", 100, nil},
		{"exponent zero", "7e0", 700, nil},
		{"exponent leading zeros", "7e002", 70000, nil},
		{"zeros shifted out", "100e-2", 100, nil},
		{"zero with huge exponent", "0e9999999", 0, nil},
		{"zero with huge negative exponent", "0.0e-9999999", 0, nil},
		{"huge exponent", "1e9999999", 0, money.ErrRange},
		{"huge negative exponent", "1e-9999999", 0, money.ErrPrecision},
		{"exponent beyond int", "1e-99999999999999999999999", 0, money.ErrPrecision},
		{"trailing zeros beyond 48 digits", "1." + strings.Repeat("0", 60), 100, nil},
		{"trailing zeros then exponent", "5" + strings.Repeat("0", 60) + "e-60", 500, nil},
		{"tiny after 60 places", "0." + strings.Repeat("0", 60) + "1", 0, money.ErrPrecision},
		{"60 significant digits with fraction", "1." + strings.Repeat("0", 58) + "1", 0, money.ErrPrecision},
		{"60 significant digits scaled down", "1" + strings.Repeat("2", 59) + "e-50", 0, money.ErrPrecision},
		{"leading zeros", "007.5", 750, nil},
		{"lenient leading point", ".5", 50, nil},
		{"lenient trailing point", "1.", 100, nil},
		{"max amount", "1000000000000", money.MaxAmount, nil},
		{"max amount with places", "1000000000000.00", money.MaxAmount, nil},
		{"max amount exponent", "1e12", money.MaxAmount, nil},
		{"min amount", "-1000000000000", -money.MaxAmount, nil},
		{"just below max", "999999999999.99", money.MaxAmount - 1, nil},
		{"max plus one øre", "1000000000000.01", 0, money.ErrRange},
		{"min minus one øre", "-1000000000000.01", 0, money.ErrRange},
		{"beyond max by exponent", "1e13", 0, money.ErrRange},
		{"int64 max", "9223372036854775807", 0, money.ErrRange},
		{"53 digits", strings.Repeat("9", 53), 0, money.ErrRange},
		{"imprecise and huge", "100000000000000000000.001", 0, money.ErrPrecision},
		{"empty", "", 0, money.ErrSyntax},
		{"point", ".", 0, money.ErrSyntax},
		{"sign only", "-", 0, money.ErrSyntax},
		{"plus only", "+", 0, money.ErrSyntax},
		{"sign and point", "-.", 0, money.ErrSyntax},
		{"word", "abc", 0, money.ErrSyntax},
		{"NaN", "NaN", 0, money.ErrSyntax},
		{"infinity", "Inf", 0, money.ErrSyntax},
		{"double sign", "--1", 0, money.ErrSyntax},
		{"two points", "1.2.3", 0, money.ErrSyntax},
		{"exponent without digits", "1e", 0, money.ErrSyntax},
		{"exponent sign only", "1e+", 0, money.ErrSyntax},
		{"exponent without mantissa", "e2", 0, money.ErrSyntax},
		{"fractional exponent", "1e2.5", 0, money.ErrSyntax},
		{"double exponent", "1e2e2", 0, money.ErrSyntax},
		{"leading space", " 1", 0, money.ErrSyntax},
		{"trailing space", "1 ", 0, money.ErrSyntax},
		{"hexadecimal", "0x10", 0, money.ErrSyntax},
		{"underscore", "1_000", 0, money.ErrSyntax},
		{"comma decimal", "1,5", 0, money.ErrSyntax},
		{"quoted", `"1"`, 0, money.ErrSyntax},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := money.ParseAmount([]byte(tc.in))
			if got != tc.want || err != tc.err {
				t.Errorf("ParseAmount(%q) = %d, %v; want %d, %v", tc.in, got, err, tc.want, tc.err)
			}
		})
	}
}

func TestParseRate(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want money.Rate
		err  error
	}{
		{"zero", "0", 0, nil},
		{"negative zero", "-0", 0, nil},
		{"whole", "25", 2500, nil},
		{"two places", "11.11", 1111, nil},
		{"one place", "12.5", 1250, nil},
		{"places with zeros", "15.000", 1500, nil},
		{"exponent", "2.5e1", 2500, nil},
		{"hundred", "100", money.MaxRate, nil},
		{"hundred with places", "100.00", money.MaxRate, nil},
		{"hundred exponent", "1e2", money.MaxRate, nil},
		{"above hundred", "100.01", 0, money.ErrRange},
		{"thousand", "1e3", 0, money.ErrRange},
		{"negative", "-1", 0, money.ErrRange},
		{"negative fraction", "-0.01", 0, money.ErrRange},
		{"third place", "2.505", 0, money.ErrPrecision},
		{"negative third place", "-2.505", 0, money.ErrPrecision},
		{"empty", "", 0, money.ErrSyntax},
		{"percent sign", "25%", 0, money.ErrSyntax},
		{"word", "abc", 0, money.ErrSyntax},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := money.ParseRate([]byte(tc.in))
			if got != tc.want || err != tc.err {
				t.Errorf("ParseRate(%q) = %d, %v; want %d, %v", tc.in, got, err, tc.want, tc.err)
			}
		})
	}
}

func TestAmountString(t *testing.T) {
	tests := []struct {
		name string
		in   money.Amount
		want string
	}{
		{"zero", 0, "0.00"},
		{"one øre", 1, "0.01"},
		{"five øre", 5, "0.05"},
		{"ten øre", 10, "0.10"},
		{"negative five øre", -5, "-0.05"},
		{"negative", -1250, "-12.50"},
		{"whole", 100, "1.00"},
		{"thousands", 123456, "1234.56"},
		{"max", money.MaxAmount, "1000000000000.00"},
		{"min", -money.MaxAmount, "-1000000000000.00"},
		{"int64 max", math.MaxInt64, "92233720368547758.07"},
		{"int64 min", math.MinInt64, "-92233720368547758.08"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.in.String(); got != tc.want {
				t.Errorf("Amount(%d).String() = %q; want %q", int64(tc.in), got, tc.want)
			}
			if got := string(tc.in.Append([]byte("x="))); got != "x="+tc.want {
				t.Errorf("Amount(%d).Append(x=) = %q; want %q", int64(tc.in), got, "x="+tc.want)
			}
		})
	}
}

func TestRateString(t *testing.T) {
	tests := []struct {
		name string
		in   money.Rate
		want string
	}{
		{"zero", 0, "0"},
		{"whole", 2500, "25"},
		{"one place", 1250, "12.5"},
		{"two places", 1111, "11.11"},
		{"zero tenth", 1505, "15.05"},
		{"one hundredth", 1, "0.01"},
		{"half", 50, "0.5"},
		{"hundred", money.MaxRate, "100"},
		{"percent helper", money.Percent(15), "15"},
		{"negative", -1250, "-12.5"},
		{"negative small", -5, "-0.05"},
		{"int32 min", math.MinInt32, "-21474836.48"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.in.String(); got != tc.want {
				t.Errorf("Rate(%d).String() = %q; want %q", int32(tc.in), got, tc.want)
			}
			if got := string(tc.in.Append([]byte("r="))); got != "r="+tc.want {
				t.Errorf("Rate(%d).Append(r=) = %q; want %q", int32(tc.in), got, "r="+tc.want)
			}
		})
	}
}

func TestMul(t *testing.T) {
	tests := []struct {
		name string
		a    money.Amount
		q    int64
		want money.Amount
		err  error
	}{
		{"simple", 100, 3, 300, nil},
		{"zero quantity", 12345, 0, 0, nil},
		{"zero amount", 0, 7, 0, nil},
		{"negative amount", -150, 2, -300, nil},
		{"max times one", money.MaxAmount, 1, money.MaxAmount, nil},
		{"one øre times max", 1, int64(money.MaxAmount), money.MaxAmount, nil},
		{"half max times two", money.MaxAmount / 2, 2, money.MaxAmount, nil},
		{"min times one", -money.MaxAmount, 1, -money.MaxAmount, nil},
		{"max times two", money.MaxAmount, 2, 0, money.ErrRange},
		{"just over half max times two", money.MaxAmount/2 + 1, 2, 0, money.ErrRange},
		{"min times two", -money.MaxAmount, 2, 0, money.ErrRange},
		{"quantity beyond max", 1, int64(money.MaxAmount) + 1, 0, money.ErrRange},
		{"zero times quantity beyond max", 0, int64(money.MaxAmount) + 1, 0, money.ErrRange},
		{"negative quantity", 100, -1, 0, money.ErrRange},
		{"int64 quantity", 3, math.MaxInt64, 0, money.ErrRange},
		{"amount beyond max", money.MaxAmount + 1, 1, 0, money.ErrRange},
		{"int64 min amount", math.MinInt64, 1, 0, money.ErrRange},
		{"int64 min amount times zero", math.MinInt64, 0, 0, money.ErrRange},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.a.Mul(tc.q)
			if got != tc.want || err != tc.err {
				t.Errorf("Amount(%d).Mul(%d) = %d, %v; want %d, %v", int64(tc.a), tc.q, got, err, tc.want, tc.err)
			}
		})
	}
}

func TestAdd(t *testing.T) {
	tests := []struct {
		name string
		a, b money.Amount
		want money.Amount
		err  error
	}{
		{"simple", 100, 250, 350, nil},
		{"negative", 100, -250, -150, nil},
		{"max plus zero", money.MaxAmount, 0, money.MaxAmount, nil},
		{"max plus min", money.MaxAmount, -money.MaxAmount, 0, nil},
		{"min plus zero", -money.MaxAmount, 0, -money.MaxAmount, nil},
		{"max plus one", money.MaxAmount, 1, 0, money.ErrRange},
		{"min minus one", -money.MaxAmount, -1, 0, money.ErrRange},
		{"max plus max", money.MaxAmount, money.MaxAmount, 0, money.ErrRange},
		{"operand beyond max", money.MaxAmount + 1, -1, 0, money.ErrRange},
		{"int64 overflow", math.MaxInt64, 1, 0, money.ErrRange},
		{"int64 overflow to small", math.MaxInt64, math.MaxInt64, 0, money.ErrRange},
		{"int64 min", math.MinInt64, 0, 0, money.ErrRange},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.a.Add(tc.b)
			if got != tc.want || err != tc.err {
				t.Errorf("Amount(%d).Add(%d) = %d, %v; want %d, %v", int64(tc.a), int64(tc.b), got, err, tc.want, tc.err)
			}
		})
	}
}

func TestTaxIncluded(t *testing.T) {
	tests := []struct {
		name  string
		gross money.Amount
		rate  money.Rate
		want  money.Amount
	}{
		{"125 at 25%", 12500, 2500, 2500},
		{"100 at 25%", 10000, 2500, 2000},
		{"0.01 at 25% rounds down", 1, 2500, 0},
		{"0.02 at 25% rounds down", 2, 2500, 0}, // 0.004
		{"0.03 at 25% rounds up", 3, 2500, 1},   // 0.006
		{"-0.03 at 25% rounds away from zero", -3, 2500, -1},
		{"-125 at 25%", -12500, 2500, -2500},
		{"-100 at 25%", -10000, 2500, -2000},
		{"112 at 12%", 11200, 1200, 1200},
		{"100 at 12%", 10000, 1200, 1071},    // 10.714…
		{"-100 at 12%", -10000, 1200, -1071}, // symmetric
		{"115 at 15%", 11500, 1500, 1500},
		{"100 at 15%", 10000, 1500, 1304},  // 13.043…
		{"99.99 at 15%", 9999, 1500, 1304}, // 13.042…
		{"111.11 at 11.11%", 11111, 1111, 1111},
		{"half øre at 100% rounds up", 1, money.MaxRate, 1},
		{"negative half øre at 100% rounds down", -1, money.MaxRate, -1},
		{"0.03 at 100%", 3, money.MaxRate, 2}, // 1.5 → 2
		{"zero rate", 12500, 0, 0},
		{"zero amount", 0, 2500, 0},
		{"max at 25%", money.MaxAmount, 2500, money.MaxAmount / 5},
		{"max at 100%", money.MaxAmount, money.MaxRate, money.MaxAmount / 2},
		{"min at 100%", -money.MaxAmount, money.MaxRate, -money.MaxAmount / 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := money.TaxIncluded(tc.gross, tc.rate); got != tc.want {
				t.Errorf("TaxIncluded(%v, %v) = %v; want %v", tc.gross, tc.rate, got, tc.want)
			}
		})
	}
}

func TestTaxOn(t *testing.T) {
	tests := []struct {
		name string
		net  money.Amount
		rate money.Rate
		want money.Amount
	}{
		{"100 at 25%", 10000, 2500, 2500},
		{"100 at 12%", 10000, 1200, 1200},
		{"100 at 15%", 10000, 1500, 1500},
		{"3.33 at 15%", 333, 1500, 50},      // 49.95
		{"0.01 at 25%", 1, 2500, 0},         // 0.25
		{"0.02 at 25% half", 2, 2500, 1},    // 0.5 → 1
		{"-0.02 at 25% half", -2, 2500, -1}, // -0.5 → -1
		{"1.98 at 25% half", 198, 2500, 50}, // 49.5
		{"-1.98 at 25% half", -198, 2500, -50},
		{"1.99 at 25%", 199, 2500, 50}, // 49.75
		{"1.97 at 25%", 197, 2500, 49}, // 49.25
		{"0.03 at 12.5%", 3, 1250, 0},  // 0.375
		{"0.04 at 12.5%", 4, 1250, 1},  // 0.5
		{"11.11%", 10000, 1111, 1111},
		{"zero rate", 10000, 0, 0},
		{"zero amount", 0, 2500, 0},
		{"max at 100%", money.MaxAmount, money.MaxRate, money.MaxAmount},
		{"min at 100%", -money.MaxAmount, money.MaxRate, -money.MaxAmount},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := money.TaxOn(tc.net, tc.rate); got != tc.want {
				t.Errorf("TaxOn(%v, %v) = %v; want %v", tc.net, tc.rate, got, tc.want)
			}
		})
	}
}

// TestTaxRounding checks both tax functions against exact rational
// arithmetic over a spread of amounts and every rate in use.
func TestTaxRounding(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	rates := []money.Rate{1, 600, 1111, 1200, 1250, 1500, 2500, 9999, money.MaxRate}
	for _, r := range rates {
		t.Run(r.String(), func(t *testing.T) {
			for range 2000 {
				a := money.Amount(rng.Int64N(2*int64(money.MaxAmount)+1) - int64(money.MaxAmount))
				if rng.IntN(2) == 0 {
					a = money.Amount(rng.Int64N(20001) - 10000)
				}
				x := big.NewRat(int64(a)*int64(r), int64(money.MaxRate)+int64(r))
				if got, want := money.TaxIncluded(a, r), roundHalfAway(x); got != want {
					t.Fatalf("TaxIncluded(%v, %v) = %v; want %v", a, r, got, want)
				}
				x = big.NewRat(int64(a)*int64(r), int64(money.MaxRate))
				if got, want := money.TaxOn(a, r), roundHalfAway(x); got != want {
					t.Fatalf("TaxOn(%v, %v) = %v; want %v", a, r, got, want)
				}
			}
		})
	}
}

// roundHalfAway rounds x to the nearest integer, halves away from zero.
func roundHalfAway(x *big.Rat) money.Amount {
	t := new(big.Rat).Abs(x)
	t.Add(t, big.NewRat(1, 2))
	q := new(big.Int).Quo(t.Num(), t.Denom())
	if x.Sign() < 0 {
		q.Neg(q)
	}
	return money.Amount(q.Int64())
}

// TestAmountRoundTrip: every amount in range reads back from its own text.
func TestAmountRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	amounts := []money.Amount{0, 1, -1, 99, 100, -100, 101, money.MaxAmount, -money.MaxAmount, money.MaxAmount - 1}
	for range 100_000 {
		amounts = append(amounts, money.Amount(rng.Int64N(2*int64(money.MaxAmount)+1)-int64(money.MaxAmount)))
	}
	for range 10_000 {
		amounts = append(amounts, money.Amount(rng.Int64N(2_000_001)-1_000_000))
	}
	for _, a := range amounts {
		got, err := money.ParseAmount([]byte(a.String()))
		if got != a || err != nil {
			t.Fatalf("ParseAmount(%q) = %d, %v; want %d, <nil>", a.String(), got, err, a)
		}
	}
}

// TestAmountAppendReference compares Append with big-number formatting over
// the whole int64 domain.
func TestAmountAppendReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	vals := []int64{0, 1, -1, math.MaxInt64, math.MinInt64, math.MinInt64 + 1}
	for range 10_000 {
		vals = append(vals, int64(rng.Uint64()))
	}
	for _, v := range vals {
		want := new(big.Rat).SetFrac64(v, 100).FloatString(2)
		if got := money.Amount(v).String(); got != want {
			t.Fatalf("Amount(%d).String() = %q; want %q", v, got, want)
		}
	}
}

// TestRateRoundTrip: every rate ParseRate accepts reads back from String.
func TestRateRoundTrip(t *testing.T) {
	for r := money.Rate(0); r <= money.MaxRate; r++ {
		got, err := money.ParseRate([]byte(r.String()))
		if got != r || err != nil {
			t.Fatalf("ParseRate(%q) = %d, %v; want %d, <nil>", r.String(), got, err, r)
		}
	}
}

// jsonNumber reports whether s follows RFC 8259's number grammar, and returns
// its exponent digits ("" when there are none).
func jsonNumber(s string) (ok bool, exp string) {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return false, ""
	}
	if i < len(s) && s[i] == '.' {
		i++
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == j {
			return false, ""
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == j {
			return false, ""
		}
		exp = s[j:i]
	}
	return i == len(s), exp
}

// expectScaled is the reference for the parsers: the exact value of s times
// 100 when it is an integer within ±limit, else the error the parsers must
// return. Imprecision wins over range. ok is false when s is outside the JSON
// number grammar.
func expectScaled(s string, limit int64) (v int64, err error, ok bool) {
	ok, exp := jsonNumber(s)
	if !ok {
		return 0, nil, false
	}
	if e := strings.TrimLeft(exp, "0"); len(e) > 3 {
		// big.Rat would build 10^e; the answer is plain without it.
		mant, _, _ := strings.Cut(strings.ToLower(s), "e")
		switch {
		case strings.Trim(mant, "-0.") == "":
			return 0, nil, true
		case strings.Contains(s, "e-") || strings.Contains(s, "E-"):
			return 0, money.ErrPrecision, true
		default:
			return 0, money.ErrRange, true
		}
	}
	x, good := new(big.Rat).SetString(s)
	if !good {
		panic("big.Rat refused a JSON number: " + s)
	}
	x.Mul(x, big.NewRat(100, 1))
	if !x.IsInt() {
		return 0, money.ErrPrecision, true
	}
	n := x.Num()
	if n.CmpAbs(big.NewInt(limit)) > 0 {
		return 0, money.ErrRange, true
	}
	return n.Int64(), nil, true
}

// seeds are the table inputs plus a few shapes the fuzzer should grow from.
var seeds = []string{
	"0", "1", "1.5", "1.50", "1.505", "-0.05", "1e2", "1.23e1", "1e-2", "1e-3", "12.3e-1", "0.10e1",
	"+5", "", ".", "1.", "abc", "1000000000000", "1000000000000.01", "-1000000000000", "1e12", "1e13",
	"0e99999", "1e-99999", "9223372036854775807", "25", "11.11", "100.01",
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := money.ParseAmount([]byte(s))
		switch err {
		case nil:
			if got < -money.MaxAmount || got > money.MaxAmount {
				t.Fatalf("ParseAmount(%q) = %d: beyond MaxAmount", s, got)
			}
			back, err := money.ParseAmount([]byte(got.String()))
			if back != got || err != nil {
				t.Fatalf("ParseAmount(%q) = %d; its String %q reads back as %d, %v", s, got, got.String(), back, err)
			}
		case money.ErrSyntax, money.ErrPrecision, money.ErrRange:
			if got != 0 {
				t.Fatalf("ParseAmount(%q) = %d, %v; want 0 with an error", s, got, err)
			}
		default:
			t.Fatalf("ParseAmount(%q): unexpected error %v", s, err)
		}
		want, wantErr, ok := expectScaled(s, int64(money.MaxAmount))
		if ok && (int64(got) != want || err != wantErr) {
			t.Fatalf("ParseAmount(%q) = %d, %v; exact value says %d, %v", s, got, err, want, wantErr)
		}
	})
}

func FuzzParseRate(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := money.ParseRate([]byte(s))
		if err == nil {
			if got < 0 || got > money.MaxRate {
				t.Fatalf("ParseRate(%q) = %d: outside 0…MaxRate", s, got)
			}
			back, err := money.ParseRate([]byte(got.String()))
			if back != got || err != nil {
				t.Fatalf("ParseRate(%q) = %d; its String %q reads back as %d, %v", s, got, got.String(), back, err)
			}
		} else if got != 0 || !errors.Is(err, money.ErrSyntax) && !errors.Is(err, money.ErrPrecision) && !errors.Is(err, money.ErrRange) {
			t.Fatalf("ParseRate(%q) = %d, %v; want 0 with a sentinel error", s, got, err)
		}
		want, wantErr, ok := expectScaled(s, int64(money.MaxRate))
		if wantErr == nil && want < 0 {
			want, wantErr = 0, money.ErrRange
		}
		if ok && (int64(got) != want || err != wantErr) {
			t.Fatalf("ParseRate(%q) = %d, %v; exact value says %d, %v", s, got, err, want, wantErr)
		}
	})
}

func BenchmarkParseAmount(b *testing.B) {
	inputs := [][]byte{[]byte("1249.00"), []byte("-12.5"), []byte("1000000000000"), []byte("1.23e1")}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := money.ParseAmount(inputs[i%len(inputs)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAmountAppend(b *testing.B) {
	buf := make([]byte, 0, 32)
	b.ReportAllocs()
	for b.Loop() {
		buf = money.Amount(124900).Append(buf[:0])
	}
}

func ExampleParseAmount() {
	for _, s := range []string{"1249", "12.5", "1.23e1", "0.005", "1e13", "12,50"} {
		a, err := money.ParseAmount([]byte(s))
		if err != nil {
			fmt.Printf("%q: %v\n", s, err)
			continue
		}
		fmt.Printf("%q → %v\n", s, a)
	}
	// Output:
	// "1249" → 1249.00
	// "12.5" → 12.50
	// "1.23e1" → 12.30
	// "0.005": more than two decimal places
	// "1e13": out of range
	// "12,50": not a decimal number
}

// TestFixed2MatchesAppend: the payload writer formats amounts with
// jsonx's Fixed2, which must write what Amount.Append writes.
func TestFixed2MatchesAppend(t *testing.T) {
	vals := []int64{0, 1, -1, 5, 9, 10, 99, 100, -100, 101, 12990, -12990, 1<<31 - 1, math.MaxInt64, math.MinInt64, math.MinInt64 + 1}
	for i := int64(1); i < 1e15; i = i*7 + 3 {
		vals = append(vals, i, -i)
	}
	for _, v := range vals {
		w := jsonx.NewWriter(nil)
		w.Fixed2(v)
		if got, want := string(w.Bytes()), string(money.Amount(v).Append(nil)); got != want {
			t.Errorf("Fixed2(%d) = %s, Append = %s", v, got, want)
		}
	}
}
