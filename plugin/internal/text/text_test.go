package text

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCut(t *testing.T) {
	for _, c := range []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "abc…"},
		{strings.Repeat("€", 30), 64, strings.Repeat("€", 21) + "…"}, // 3-byte characters: 63 bytes kept
		{"ø", 1, "…"},
		{"", 0, ""},
	} {
		got := Cut(c.s, c.n)
		if got != c.want || !utf8.ValidString(got) {
			t.Errorf("Cut(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
		}
	}
}
