// Package iso3166 knows the officially assigned ISO 3166-1 alpha-2 country
// codes. FrontGo checks customerDetails.address.country with its
// "IsoAlpha2Country" rule; a shape check such as [A-Z]{2} would let through
// codes like "XX" or "UK" that FrontGo refuses, so the list is kept as data.
package iso3166

import (
	_ "embed"
	"strings"
)

//go:embed countries.txt
var countriesTxt string

var (
	valid [26 * 26]bool
	names = make(map[string]string, 249)
	codes []string
)

func init() {
	for _, line := range strings.Split(countriesTxt, "\n") {
		if len(line) < 4 || line[0] == '#' {
			continue
		}
		code := line[:2]
		valid[index(code)] = true
		names[code] = line[3:]
		codes = append(codes, code)
	}
}

func index(code string) int { return int(code[0]-'A')*26 + int(code[1]-'A') }

// Valid reports whether code is an officially assigned alpha-2 code, written
// in upper case as FrontGo expects ("NO", not "no").
func Valid(code string) bool {
	if len(code) != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' {
		return false
	}
	return valid[index(code)]
}

// Name returns the English short name of a valid code, or "".
func Name(code string) string { return names[code] }

// Codes returns all assigned codes in alphabetical order.
func Codes() []string { return append([]string(nil), codes...) }
