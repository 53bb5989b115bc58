package money

import "testing"

// FuzzParseCents: whatever the fast path takes, the general parser reads
// as the same value (the exact reference in FuzzParseAmount then covers
// both).
func FuzzParseCents(f *testing.F) {
	for _, s := range []string{"0", "-0", "25", "-2.5", "1250.50", "149.95", "0.00", "1.", ".5", "1.234", "1e2",
		"999999999999999", "9999999999999999", "999999999999999.99", "-", "+1", "00012.30", "12.3x"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, rate bool) {
		limit := int64(MaxAmount)
		if rate {
			limit = int64(MaxRate)
		}
		got, ok := parseCents([]byte(s), limit)
		want, err := parseDecimal([]byte(s), 2, limit)
		if ok && (err != nil || got != want) {
			t.Fatalf("parseCents(%q) = %d; parseDecimal: %d, %v", s, got, want, err)
		}
	})
}

func TestParseCentsTakesTheWireForms(t *testing.T) {
	for s, want := range map[string]int64{"25": 2500, "-2.5": -250, "1250.50": 125050, "0.05": 5, "-0": 0, "0": 0,
		"999999999999999.99": 99999999999999999} {
		if got, ok := parseCents([]byte(s), 1<<62); !ok || got != want {
			t.Errorf("parseCents(%q) = %d, %t; want %d, true", s, got, ok, want)
		}
	}
	// Over the limit (a rate of 100.01 %) is left to the general parser too,
	// which names the error.
	for _, s := range []string{"", "-", "1.", ".5", "1.234", "1e2", "+1", "1234567890123456", "12.3x", "100.01"} {
		if _, ok := parseCents([]byte(s), int64(MaxRate)); ok {
			t.Errorf("parseCents(%q) took a form it leaves to the general parser", s)
		}
	}
}
