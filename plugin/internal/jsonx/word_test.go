package jsonx

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// byte-at-a-time references for the word scanners.
func plainEndRef(b []byte, i int) int {
	for i < len(b) && strPlain[b[i]] {
		i++
	}
	return i
}

func backslashAtRef(b []byte, i int) int {
	for i < len(b) && b[i] != '\\' {
		i++
	}
	return i
}

func skipWSRef(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

func checkScanners(t *testing.T, b []byte, i int) {
	t.Helper()
	if got, want := skipWS(b, i), skipWSRef(b, i); got != want {
		t.Fatalf("skipWS(%q, %d) = %d; want %d", b, i, got, want)
	}
	if got, want := plainEnd(b, i), plainEndRef(b, i); got != want {
		t.Fatalf("plainEnd(%q, %d) = %d; want %d", b, i, got, want)
	}
	if got, want := backslashAt(b, i), backslashAtRef(b, i); got != want {
		t.Fatalf("backslashAt(%q, %d) = %d; want %d", b, i, got, want)
	}
}

// TestWordScanners puts each byte that borders a class (and a second one
// after it, which a borrow could hide) at every offset of words read from
// every start.
func TestWordScanners(t *testing.T) {
	edges := []byte{0x00, 0x01, 0x1f, 0x20, 0x21, '"', '#', '[', '\\', ']', 0x7e, 0x7f, 0x80, 0x81, 0xc3, 0xff}
	for n := 0; n <= 27; n++ {
		for p := -1; p < n; p++ {
			for _, c := range edges {
				for _, c2 := range []byte{'a', 0x00, '"', '\\', 0xff} {
					b := bytes.Repeat([]byte{'a'}, n)
					if p >= 0 {
						b[p] = c
						if p+1 < n {
							b[p+1] = c2
						}
					}
					for i := 0; i <= n; i++ {
						checkScanners(t, b, i)
					}
				}
			}
		}
	}
}

// TestSkipWS puts one other byte (whitespace or not, and bytes next to a
// space in value) at every offset of a run of spaces, read from every
// start, so the eight-space step meets it in every position of a word.
func TestSkipWS(t *testing.T) {
	others := []byte{' ', '\t', '\n', '\r', '\f', 0x00, 0x1f, 0x21, 'a', '{', 0xa0, 0xff}
	for n := 0; n <= 27; n++ {
		for p := -1; p < n; p++ {
			for _, c := range others {
				b := bytes.Repeat([]byte{' '}, n)
				if p >= 0 {
					b[p] = c
				}
				for i := 0; i <= n; i++ {
					checkScanners(t, b, i)
				}
			}
		}
	}
	if got := skipWS([]byte("\n        \t        x"), 0); got != 18 {
		t.Fatalf("skipWS over two indented runs = %d; want 18", got)
	}
}

func FuzzWordScanners(f *testing.F) {
	f.Add([]byte("\n                \"a\": 1"), uint8(0))
	f.Add([]byte(`{"name":"Kari \"K\" Nordmann\\x","zip":"0154"}`), uint8(3))
	f.Add([]byte("abcdefgh\x00ijklmnop\x80"), uint8(0))
	f.Fuzz(func(t *testing.T, b []byte, i uint8) {
		if int(i) > len(b) {
			i = uint8(len(b))
		}
		checkScanners(t, b, int(i))
	})
}

// TestUnescapeBytesWords puts each escape at every offset of a run long
// enough for the word loop, with text on both sides.
func TestUnescapeBytesWords(t *testing.T) {
	escapes := map[string]string{`\"`: `"`, `\\`: `\`, `\/`: `/`, `\b`: "\b", `\f`: "\f", `\n`: "\n", `\r`: "\r",
		`\t`: "\t", `\u00e5`: "å", `\u0000`: "\x00", `\ud83d\ude00`: "\U0001F600", `\ud800x`: "\ufffdx", `\udc00\u0041`: "\ufffdA"}
	for esc, want := range escapes {
		for pre := 0; pre <= 19; pre++ {
			for post := 0; post <= 11; post++ {
				in := bytes.Repeat([]byte{'p'}, pre)
				in = append(in, esc...)
				in = append(in, bytes.Repeat([]byte{'q'}, post)...)
				exp := string(bytes.Repeat([]byte{'p'}, pre)) + want + string(bytes.Repeat([]byte{'q'}, post))
				if got := string(unescapeBytes(in)); got != exp {
					t.Fatalf("unescapeBytes(%q) = %q; want %q", in, got, exp)
				}
			}
		}
	}
}

// TestSkipSpaceMatchesByteLoop holds skipSpace's word steps to a byte loop
// over JSON's whitespace, at every offset of 100,000 strings of up to 40
// bytes, mostly spaces, with the other whitespace, a form feed (not JSON
// whitespace) and a letter mixed in.
func TestSkipSpaceMatchesByteLoop(t *testing.T) {
	alphabet := []byte("        \t\n\r\fx")
	ref := func(b []byte, pos int) int {
		for pos < len(b) && (b[pos] == ' ' || b[pos] == '\t' || b[pos] == '\n' || b[pos] == '\r') {
			pos++
		}
		return pos
	}
	rng := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, 0, 40)
	for range 100000 {
		b = b[:0]
		for range rng.IntN(41) {
			b = append(b, alphabet[rng.IntN(len(alphabet))])
		}
		for pos := 0; pos <= len(b); pos++ {
			if got, want := skipWS(b, pos), ref(b, pos); got != want {
				t.Fatalf("skipWS(%q, %d) = %d, want %d", b, pos, got, want)
			}
		}
	}
}

// TestEqualKey compares strings of every length up to three words that
// differ at one position, or not at all, as == does.
func TestEqualKey(t *testing.T) {
	for n := 0; n <= 24; n++ {
		k := make([]byte, n)
		for i := range k {
			k[i] = byte('a' + i)
		}
		if !equalKey(append([]byte(nil), k...), string(k)) {
			t.Fatalf("equalKey(%q, %q) = false", k, k)
		}
		for p := 0; p < n; p++ {
			b := append([]byte(nil), k...)
			b[p] ^= 0x20
			if equalKey(b, string(k)) {
				t.Fatalf("equalKey(%q, %q) = true", b, k)
			}
		}
		if n > 0 && (equalKey(k[:n-1], string(k)) || equalKey(k, string(k[:n-1]))) {
			t.Fatalf("equalKey of lengths %d and %d = true", n, n-1)
		}
	}
}
