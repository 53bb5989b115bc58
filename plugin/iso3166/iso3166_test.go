package iso3166

import "testing"

func TestValid(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"NO", true}, {"SE", true}, {"DK", true}, {"AX", true}, {"ZW", true}, {"AD", true},
		{"SS", true}, {"XK", false}, // Kosovo: user-assigned, not official
		{"UK", false}, {"EU", false}, {"XX", false}, {"ZZ", false},
		{"no", false}, {"No", false}, {"N", false}, {"NOR", false}, {"", false}, {"N0", false},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			if got := Valid(tc.code); got != tc.want {
				t.Fatalf("Valid(%q) = %v, want %v", tc.code, got, tc.want)
			}
		})
	}
}

func TestCodes(t *testing.T) {
	c := Codes()
	if len(c) != 249 {
		t.Fatalf("len(Codes()) = %d, want 249", len(c))
	}
	for i := 1; i < len(c); i++ {
		if c[i-1] >= c[i] {
			t.Fatalf("codes not strictly sorted at %d: %s >= %s", i, c[i-1], c[i])
		}
	}
	if Name("NO") != "Norway" {
		t.Fatalf("Name(NO) = %q", Name("NO"))
	}
}
