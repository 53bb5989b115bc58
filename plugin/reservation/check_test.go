package reservation

import (
	"strings"
	"testing"
)

func urlBytesOKRef(s string) bool {
	for i := 0; i < len(s); i++ {
		if badURLByte(s[i]) {
			return false
		}
	}
	return true
}

// TestURLBytesOK puts each byte at the edge of a class (and a second one
// after it, which a borrow could hide) at every offset of strings of every
// length across one, two and three words.
func TestURLBytesOK(t *testing.T) {
	edges := []byte{0x00, 0x01, 0x1f, ' ', '!', '/', '[', '\\', ']', '~', 0x7f, 0x80, 0x81, 0xa0, 0xc3, 0xff}
	for n := 0; n <= 27; n++ {
		for p := -1; p < n; p++ {
			for _, c := range edges {
				for _, c2 := range []byte{'a', 0x00, ' ', '\\', 0x7f, 0xff} {
					b := []byte(strings.Repeat("a", n))
					if p >= 0 {
						b[p] = c
						if p+1 < n {
							b[p+1] = c2
						}
					}
					if got, want := urlBytesOK(string(b)), urlBytesOKRef(string(b)); got != want {
						t.Fatalf("urlBytesOK(%q) = %v; want %v", b, got, want)
					}
				}
			}
		}
	}
}

func TestValidURL(t *testing.T) {
	long := "https://gate.example/v1/return/success/t1." + strings.Repeat("eyJwIjoic3VjY2VzcyJ9", 10)
	for _, c := range []struct {
		url  string
		want bool
	}{
		{"https://shop.example/ok", true},
		{"http://127.0.0.1:38273/v1/frontgo/callback/t1.x", true},
		{"https://[::1]:8080/x", true},
		{"https://bücher.example/", true},
		{long, true},
		{long + " ", false},
		{long[:50] + "\\" + long[50:], false},
		{long[:61] + "\x7f" + long[61:], false},
		{"https://shop.example/a b", false},
		{"https://shop.example\t/", false},
		{"ftp://shop.example/", false},
		{"https://", false},
		{"https:///path", false},
		{"https://user@shop.example/", false},
		{"https://shop.example:80a/", false},
		{"https://shop.example:123456/", false},
		{"https://:80/", false},
		{"https://shop_example/", false},
		{"https://shop.example?q=1", true},
		{"https://shop.example#top", true},
		{"https://shop.example?q=a@b", true},
		// Ports 1–65535, no empty label, no label starting or ending with '-'.
		{"https://x.no:99999/", false},
		{"https://x.no:65536/", false},
		{"https://x.no:65535/", true},
		{"https://x.no:0/", false},
		{"https://x.no:1/", true},
		{"https://x.no:/", false},
		{"https://x..no/", false},
		{"https://.x.no/", false},
		{"https://x.no./", false},
		{"https://-x.no/", false},
		{"https://x-.no/", false},
		{"https://x.-no/", false},
		{"https://a-b.c--d.no/", true},
		{"https://[::1]:99999/", false},
		{"https://[::1]:443/", true},
		{"https://[::1]x/", false},
		{"https://[]/", false},
		{"https://[::g]/", false},
	} {
		if got := validURL(c.url); got != c.want {
			t.Errorf("validURL(%q) = %v; want %v", c.url, got, c.want)
		}
	}
}
