package jsonx_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/frontgate/frontgate/plugin/internal/jsonx"
)

func TestWriter(t *testing.T) {
	tests := []struct {
		name  string
		build func(w *jsonx.Writer)
		want  string
	}{
		{"null", func(w *jsonx.Writer) { w.Null() }, `null`},
		{"true", func(w *jsonx.Writer) { w.Bool(true) }, `true`},
		{"false", func(w *jsonx.Writer) { w.Bool(false) }, `false`},
		{"zero", func(w *jsonx.Writer) { w.Int(0) }, `0`},
		{"negative", func(w *jsonx.Writer) { w.Int(-42) }, `-42`},
		{"int64 max", func(w *jsonx.Writer) { w.Int(math.MaxInt64) }, `9223372036854775807`},
		{"int64 min", func(w *jsonx.Writer) { w.Int(math.MinInt64) }, `-9223372036854775808`},
		{"quoted int", func(w *jsonx.Writer) { w.QuotedInt(1756871295) }, `"1756871295"`},
		{"quoted int, negative", func(w *jsonx.Writer) { w.QuotedInt(-7) }, `"-7"`},
		{"quoted ints in an array", func(w *jsonx.Writer) { w.BeginArray(); w.QuotedInt(0); w.QuotedInt(1); w.EndArray() }, `["0","1"]`},
		{"string", func(w *jsonx.Writer) { w.String("hei") }, `"hei"`},
		{"empty string", func(w *jsonx.Writer) { w.String("") }, `""`},
		{"string or null, empty", func(w *jsonx.Writer) { w.StringOrNull("") }, `null`},
		{"string or null, set", func(w *jsonx.Writer) { w.StringOrNull("x") }, `"x"`},
		{"raw", func(w *jsonx.Writer) { w.Raw([]byte("1249.00")) }, `1249.00`},
		{"raw func", func(w *jsonx.Writer) { w.RawFunc(func(b []byte) []byte { return append(b, "12.50"...) }) }, `12.50`},
		{"empty object", func(w *jsonx.Writer) { w.BeginObject(); w.EndObject() }, `{}`},
		{"empty array", func(w *jsonx.Writer) { w.BeginArray(); w.EndArray() }, `[]`},
		{"object", func(w *jsonx.Writer) {
			w.BeginObject()
			w.Key("a")
			w.Int(1)
			w.Key("b")
			w.String("x")
			w.Key("c")
			w.Null()
			w.EndObject()
		}, `{"a":1,"b":"x","c":null}`},
		{"array", func(w *jsonx.Writer) {
			w.BeginArray()
			w.Int(1)
			w.String("x")
			w.Bool(true)
			w.Null()
			w.Raw([]byte("2.5"))
			w.StringOrNull("")
			w.EndArray()
		}, `[1,"x",true,null,2.5,null]`},
		{"arrays in an array", func(w *jsonx.Writer) {
			w.BeginArray()
			w.BeginArray()
			w.EndArray()
			w.BeginArray()
			w.Int(1)
			w.EndArray()
			w.BeginArray()
			w.BeginArray()
			w.Int(2)
			w.EndArray()
			w.EndArray()
			w.EndArray()
		}, `[[],[1],[[2]]]`},
		{"objects in an array", func(w *jsonx.Writer) {
			w.BeginArray()
			w.BeginObject()
			w.EndObject()
			w.BeginObject()
			w.Key("a")
			w.Int(1)
			w.EndObject()
			w.Int(2)
			w.BeginObject()
			w.EndObject()
			w.EndArray()
		}, `[{},{"a":1},2,{}]`},
		{"containers as member values", func(w *jsonx.Writer) {
			w.BeginObject()
			w.Key("a")
			w.BeginObject()
			w.EndObject()
			w.Key("b")
			w.BeginArray()
			w.EndArray()
			w.Key("c")
			w.BeginObject()
			w.Key("d")
			w.BeginArray()
			w.Int(1)
			w.BeginObject()
			w.Key("e")
			w.Bool(false)
			w.EndObject()
			w.EndArray()
			w.Key("f")
			w.RawFunc(func(b []byte) []byte { return append(b, "0.05"...) })
			w.EndObject()
			w.Key("g")
			w.String("end")
			w.EndObject()
		}, `{"a":{},"b":[],"c":{"d":[1,{"e":false}],"f":0.05},"g":"end"}`},
		{"escaped key", func(w *jsonx.Writer) {
			w.BeginObject()
			w.Key("a\"b\n")
			w.Int(1)
			w.Key("")
			w.Int(2)
			w.EndObject()
		}, `{"a\"b\n":1,"":2}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := jsonx.NewWriter(nil)
			tc.build(w)
			if got := string(w.Bytes()); got != tc.want {
				t.Errorf("Bytes() = %s; want %s", got, tc.want)
			}
			if err := w.Err(); err != nil {
				t.Errorf("Err() = %v; want nil", err)
			}
			if !json.Valid(w.Bytes()) {
				t.Errorf("encoding/json rejects %s", w.Bytes())
			}
			if _, err := jsonx.Parse(w.Bytes()); err != nil {
				t.Errorf("Parse(%s): %v", w.Bytes(), err)
			}
		})
	}
}

func TestNewWriterAppends(t *testing.T) {
	w := jsonx.NewWriter([]byte("data="))
	w.BeginArray()
	w.Int(1)
	w.EndArray()
	if got, want := string(w.Bytes()), "data=[1]"; got != want {
		t.Errorf("Bytes() = %q; want %q", got, want)
	}
}

func TestWriterInvalidUTF8(t *testing.T) {
	tests := []struct {
		name  string
		build func(w *jsonx.Writer)
		want  string
		err   error
	}{
		{"string", func(w *jsonx.Writer) { w.String("a\xffb") }, `"a\ufffdb"`, jsonx.ErrInvalidUTF8},
		{"key", func(w *jsonx.Writer) { w.BeginObject(); w.Key("\xc3"); w.Int(1); w.EndObject() }, `{"\ufffd":1}`, jsonx.ErrInvalidUTF8},
		{"string or null", func(w *jsonx.Writer) { w.StringOrNull("\x80") }, `"\ufffd"`, jsonx.ErrInvalidUTF8},
		{"error stays after valid writes", func(w *jsonx.Writer) {
			w.BeginArray()
			w.String("\xed\xa0\x80")
			w.String("ok")
			w.EndArray()
		}, `["\ufffd\ufffd\ufffd","ok"]`, jsonx.ErrInvalidUTF8},
		{"valid text", func(w *jsonx.Writer) { w.String("\u00e6\u00f8\u00e5 \U0001F600") }, "\"\u00e6\u00f8\u00e5 \U0001F600\"", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := jsonx.NewWriter(nil)
			tc.build(w)
			if got := string(w.Bytes()); got != tc.want {
				t.Errorf("Bytes() = %s; want %s", got, tc.want)
			}
			if err := w.Err(); err != tc.err {
				t.Errorf("Err() = %v; want %v", err, tc.err)
			}
		})
	}
}

func TestWriterReset(t *testing.T) {
	w := jsonx.NewWriter(make([]byte, 0, 64))
	w.BeginArray()
	w.String("\xff")
	w.EndArray()
	if w.Err() != jsonx.ErrInvalidUTF8 {
		t.Fatalf("Err() = %v; want %v", w.Err(), jsonx.ErrInvalidUTF8)
	}
	before := cap(w.Bytes())
	w.Reset()
	if got := string(w.Bytes()); got != "" {
		t.Errorf("after Reset, Bytes() = %q; want empty", got)
	}
	if w.Err() != nil {
		t.Errorf("after Reset, Err() = %v; want nil", w.Err())
	}
	w.Int(2) // no comma: Reset forgets the earlier value
	if got, want := string(w.Bytes()), "2"; got != want {
		t.Errorf("after Reset, Bytes() = %q; want %q", got, want)
	}
	if cap(w.Bytes()) != before {
		t.Errorf("Reset dropped the buffer: cap %d, was %d", cap(w.Bytes()), before)
	}
	allocs := testing.AllocsPerRun(100, func() {
		w.Reset()
		writeOrder(w)
	})
	if allocs != 0 {
		t.Errorf("writing into a warm Writer allocates %v times; want 0", allocs)
	}
}

// Start makes a used Writer new on another buffer, and Prefix leaves a
// value due, with no comma before it.
func TestStartAndPrefix(t *testing.T) {
	w := jsonx.NewWriter(nil)
	w.BeginArray()
	w.String("\xff")
	buf := make([]byte, 0, 64)
	w.Start(buf)
	if w.Err() != nil || len(w.Bytes()) != 0 {
		t.Fatalf("after Start: %q, %v", w.Bytes(), w.Err())
	}
	w.Prefix(`{"ok":true,"data":`)
	w.BeginObject()
	w.KeyLit("a")
	w.Int(1)
	w.EndObject()
	w.EndObject()
	if got, want := string(w.Bytes()), `{"ok":true,"data":{"a":1}}`; got != want {
		t.Fatalf("got %s; want %s", got, want)
	}
	if &w.Bytes()[0] != &buf[:1][0] {
		t.Error("Start did not write into the given buffer")
	}
}

func TestAppendString(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty", "", `""`},
		{"plain", "hello world", `"hello world"`},
		{"quote", `say "hi"`, `"say \"hi\""`},
		{"backslash", `C:\dir`, `"C:\\dir"`},
		{"slash kept", "a/b</script>", `"a/b</script>"`},
		{"HTML characters kept", "<&>", `"<&>"`},
		{"newline, return, tab", "a\nb\rc\td", `"a\nb\rc\td"`},
		{"backspace and form feed", "\b\f", `"\u0008\u000c"`},
		{"NUL", "a\x00b", `"a\u0000b"`},
		{"all other controls", "\x01\x1f\x0b", `"\u0001\u001f\u000b"`},
		{"DEL kept", "\x7f", "\"\x7f\""},
		{"space", " ", `" "`},
		{"non-ASCII kept", "bl\u00e5b\u00e6r \u65e5\u672c", "\"bl\u00e5b\u00e6r \u65e5\u672c\""},
		{"astral kept", "\U0001F600\U0010FFFF", "\"\U0001F600\U0010FFFF\""},
		{"U+FFFD kept", "\ufffd", "\"\ufffd\""},
		{"line separator", "a\u2028b", `"a\u2028b"`},
		{"paragraph separator", "\u2029", `"\u2029"`},
		{"neighbours of the separators kept", "\u2027\u202a", "\"\u2027\u202a\""},
		{"invalid byte", "a\xffb", `"a\ufffdb"`},
		{"lone continuation", "\x80", `"\ufffd"`},
		{"truncated sequence", "\xe6\x97", `"\ufffd\ufffd"`},
		{"truncated before ASCII", "\xc3(", `"\ufffd("`},
		{"UTF-8 surrogate", "\xed\xa0\x80", `"\ufffd\ufffd\ufffd"`},
		{"overlong", "\xc0\xaf", `"\ufffd\ufffd"`},
		{"mixed", "\"\xff\n\u2028\u00e9", `"\"\ufffd\n\u2028` + "\u00e9\""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := string(jsonx.AppendString([]byte("x:"), tc.in))
			if got != "x:"+tc.want {
				t.Errorf("AppendString(%+q) = %s; want x:%s", tc.in, got, tc.want)
			}
			d, err := jsonx.Parse([]byte(tc.want))
			if err != nil {
				t.Fatalf("Parse(%s): %v", tc.want, err)
			}
			if s, _ := d.Root().Str(); s != replaceInvalid(tc.in) {
				t.Errorf("Parse(%s) reads %+q; want %+q", tc.want, s, replaceInvalid(tc.in))
			}
		})
	}
}

// replaceInvalid is what AppendString's output reads back as: s with each
// byte that is not part of valid UTF-8 replaced by U+FFFD.
func replaceInvalid(s string) string {
	return string([]rune(s))
}

// writeOrder writes a typical order document, the shape the benchmarks and
// allocation tests use.
func writeOrder(w *jsonx.Writer) {
	w.BeginObject()
	w.Key("reference")
	w.String("WC-100234")
	w.Key("currency")
	w.String("NOK")
	w.Key("orderDate")
	w.Int(1756871295)
	w.Key("customer")
	w.BeginObject()
	w.Key("name")
	w.String("Kari Nordmann")
	w.Key("email")
	w.String("kari.nordmann@example.no")
	w.Key("companyName")
	w.StringOrNull("")
	w.EndObject()
	w.Key("lines")
	w.BeginArray()
	for i := range 6 {
		w.BeginObject()
		w.Key("name")
		w.String("Ullgenser \"Fjell\", str. M – blå")
		w.Key("sku")
		w.String("UG-M-042")
		w.Key("unitPrice")
		w.RawFunc(func(b []byte) []byte { return append(b, "1249.00"...) })
		w.Key("quantity")
		w.Int(int64(i + 1))
		w.Key("taxRate")
		w.Int(25)
		w.Key("gift")
		w.Bool(i%2 == 0)
		w.EndObject()
	}
	w.EndArray()
	w.Key("notes")
	w.String("Leveres på døra.\nRing på: 2. etg.")
	w.EndObject()
}

func ExampleWriter() {
	w := jsonx.NewWriter(nil)
	w.BeginObject()
	w.Key("reference")
	w.String(`WC-1 "test"`)
	w.Key("lines")
	w.BeginArray()
	w.Int(1)
	w.Raw([]byte("12.50"))
	w.StringOrNull("")
	w.EndArray()
	w.EndObject()
	if err := w.Err(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(w.Bytes()))
	// Output:
	// {"reference":"WC-1 \"test\"","lines":[1,12.50,null]}
}

// TestAppendStringWords puts each character that needs care at every
// offset of strings long enough for the writer's eight-byte steps: the
// output is what the same character gets alone, with the plain text
// around it copied as it is.
func TestAppendStringWords(t *testing.T) {
	for _, c := range []string{`"`, `\`, "\n", "\x00", "\x1f", "\x7f", " ", "é", "\u2028", "\xff", "\U0001F600"} {
		alone := string(jsonx.AppendString(nil, c))
		alone = alone[1 : len(alone)-1]
		for pre := 0; pre <= 19; pre++ {
			for post := 0; post <= 11; post++ {
				s := strings.Repeat("p", pre) + c + strings.Repeat("q", post)
				want := `"` + strings.Repeat("p", pre) + alone + strings.Repeat("q", post) + `"`
				if got := string(jsonx.AppendString(nil, s)); got != want {
					t.Fatalf("AppendString(%+q) = %s; want %s", s, got, want)
				}
			}
		}
	}
}

func TestKeyLitWritesWhatKeyWrites(t *testing.T) {
	for _, keys := range [][]string{{"a"}, {"customerDetails", "x"}, {"", "productId", "tax"}} {
		a, b := jsonx.NewWriter(nil), jsonx.NewWriter(nil)
		a.BeginObject()
		b.BeginObject()
		for i, k := range keys {
			a.Key(k)
			b.KeyLit(jsonx.Lit(k))
			a.Int(int64(i))
			b.Int(int64(i))
		}
		a.EndObject()
		b.EndObject()
		if string(a.Bytes()) != string(b.Bytes()) {
			t.Errorf("%q: Key wrote %s, KeyLit %s", keys, a.Bytes(), b.Bytes())
		}
	}
}

// TestStringFastPath: a string String copies as it is must be written
// exactly as appendString writes it, and any byte that needs escaping,
// at any position and length, must send it the slow way.
func TestStringFastPath(t *testing.T) {
	for n := 0; n <= 24; n++ {
		base := strings.Repeat("abcdefgh", 3)[:n]
		cases := []string{base}
		for i := 0; i < n; i++ {
			for _, c := range []string{`"`, `\`, "\n", "\x1f", "\x7f", "é", "\xff", "\u2028"} {
				cases = append(cases, base[:i]+c+base[i+1:])
			}
		}
		for _, s := range cases {
			w := jsonx.NewWriter(nil)
			w.BeginArray()
			w.String("x")
			w.String(s)
			w.EndArray()
			want := `["x",` + string(jsonx.AppendString(nil, s)) + `]`
			if string(w.Bytes()) != want {
				t.Fatalf("%q: wrote %s, want %s", s, w.Bytes(), want)
			}
			if (w.Err() != nil) != strings.Contains(s, "\xff") {
				t.Errorf("%q: err %v", s, w.Err())
			}
		}
	}
}

// The member writers (KeyString, KeyInt, KeyBool, KeyStringOrNull,
// KeyFixed2) write exactly what KeyLit and the value's own writer write,
// first in an object and after another member, and record the same error.
func TestKeyMembersWriteWhatPairsWrite(t *testing.T) {
	strs := []string{"", "a", "plain text 123", "with \"quote\"", "back\\slash", "tab\there", "ø and æ",
		"\u2028", "bad \xff utf8", strings.Repeat("x", 40), "\x00\x1f"}
	ints := []int64{0, 1, -1, 129900, math.MaxInt64, math.MinInt64}
	type pair struct {
		name       string
		fused, two func(w *jsonx.Writer)
	}
	var pairs []pair
	for _, s := range strs {
		pairs = append(pairs,
			pair{fmt.Sprintf("KeyString(%q)", s), func(w *jsonx.Writer) { w.KeyString("k", s) },
				func(w *jsonx.Writer) { w.KeyLit("k"); w.String(s) }},
			pair{fmt.Sprintf("KeyStringOrNull(%q)", s), func(w *jsonx.Writer) { w.KeyStringOrNull("k", s) },
				func(w *jsonx.Writer) { w.KeyLit("k"); w.StringOrNull(s) }})
	}
	for _, n := range ints {
		pairs = append(pairs,
			pair{fmt.Sprintf("KeyInt(%d)", n), func(w *jsonx.Writer) { w.KeyInt("k", n) },
				func(w *jsonx.Writer) { w.KeyLit("k"); w.Int(n) }},
			pair{fmt.Sprintf("KeyFixed2(%d)", n), func(w *jsonx.Writer) { w.KeyFixed2("k", n) },
				func(w *jsonx.Writer) { w.KeyLit("k"); w.Fixed2(n) }})
	}
	for _, b := range []bool{false, true} {
		pairs = append(pairs, pair{fmt.Sprintf("KeyBool(%v)", b), func(w *jsonx.Writer) { w.KeyBool("k", b) },
			func(w *jsonx.Writer) { w.KeyLit("k"); w.Bool(b) }})
	}
	for _, p := range pairs {
		for _, after := range []bool{false, true} {
			write := func(member func(w *jsonx.Writer)) ([]byte, error) {
				w := jsonx.NewWriter(nil)
				w.BeginObject()
				if after {
					w.KeyLit("first")
					w.Int(1)
				}
				member(w)
				w.KeyLit("last")
				w.Null()
				w.EndObject()
				return w.Bytes(), w.Err()
			}
			got, gerr := write(p.fused)
			want, werr := write(p.two)
			if string(got) != string(want) || gerr != werr {
				t.Errorf("%s (after a member: %v): %s, %v; want %s, %v", p.name, after, got, gerr, want, werr)
			}
			if werr == nil && !json.Valid(got) {
				t.Errorf("%s: invalid JSON %s", p.name, got)
			}
		}
	}
}
