// Package text holds the core's small string helpers.
package text

import "unicode/utf8"

// Cut shortens s to at most n bytes, never inside a character, and marks
// the cut with "…"; a string of at most n bytes is returned as it is. A
// long provider message with "ø" in it stays valid UTF-8.
func Cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
