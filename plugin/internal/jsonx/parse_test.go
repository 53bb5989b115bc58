package jsonx_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/frontgate/frontgate/plugin/internal/jsonx"
)

// dump renders v through every accessor, so that a whole tree compares as
// one string: kinds, Str (with Raw when it differs), Bool, Int (or the raw
// number), Len, Members in order, Elems with their indexes. On the way it
// checks that Get finds each member, that Len matches the iteration, and that
// accessors of other kinds report nothing.
func dump(t *testing.T, v jsonx.Value) string {
	t.Helper()
	var b strings.Builder
	dumpTo(t, &b, v)
	return b.String()
}

func dumpTo(t *testing.T, b *strings.Builder, v jsonx.Value) {
	t.Helper()
	k := v.Kind()
	if k != jsonx.String {
		if s, ok := v.Str(); s != "" || ok {
			t.Errorf("%v: Str() = %q, %t; want \"\", false", k, s, ok)
		}
	}
	if k != jsonx.Bool {
		if x, ok := v.Bool(); x || ok {
			t.Errorf("%v: Bool() = %t, %t; want false, false", k, x, ok)
		}
	}
	if k != jsonx.Number {
		if n, ok := v.Int(); n != 0 || ok {
			t.Errorf("%v: Int() = %d, %t; want 0, false", k, n, ok)
		}
	}
	if k != jsonx.Object {
		if g := v.Get(""); g.Exists() {
			t.Errorf("%v: Get(\"\") exists", k)
		}
		for key := range v.Members() {
			t.Errorf("%v: Members yields %q", k, key)
		}
	}
	if k != jsonx.Array {
		for i := range v.Elems() {
			t.Errorf("%v: Elems yields %d", k, i)
		}
	}
	if k != jsonx.Array && k != jsonx.Object && v.Len() != 0 {
		t.Errorf("%v: Len() = %d; want 0", k, v.Len())
	}
	if v.Exists() != (k != jsonx.Invalid) || v.IsNull() != (k == jsonx.Null) ||
		v.Absent() != (k == jsonx.Invalid || k == jsonx.Null) {
		t.Errorf("%v: Exists, IsNull, Absent = %t, %t, %t", k, v.Exists(), v.IsNull(), v.Absent())
	}

	switch k {
	case jsonx.Invalid:
		if v.Raw() != nil {
			t.Errorf("missing value: Raw() = %q; want nil", v.Raw())
		}
		b.WriteString("missing")
	case jsonx.Null:
		b.WriteString("null(" + string(v.Raw()) + ")")
	case jsonx.Bool:
		x, ok := v.Bool()
		if !ok {
			t.Errorf("Bool() not ok on %s", v.Raw())
		}
		fmt.Fprintf(b, "bool %t(%s)", x, v.Raw())
	case jsonx.Number:
		if n, ok := v.Int(); ok {
			fmt.Fprintf(b, "int %d(%s)", n, v.Raw())
		} else {
			fmt.Fprintf(b, "number %s", v.Raw())
		}
	case jsonx.String:
		s, ok := v.Str()
		if !ok {
			t.Errorf("Str() not ok on %s", v.Raw())
		}
		fmt.Fprintf(b, "string %+q", s)
		if raw := string(v.Raw()); raw != s {
			fmt.Fprintf(b, " raw %+q", raw)
		}
	case jsonx.Array:
		fmt.Fprintf(b, "array %d[", v.Len())
		n := 0
		for i, e := range v.Elems() {
			if i != n {
				t.Errorf("Elems index %d; want %d", i, n)
			}
			if n > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(b, "%d: ", i)
			dumpTo(t, b, e)
			n++
		}
		if n != v.Len() {
			t.Errorf("array Len() = %d; Elems yields %d", v.Len(), n)
		}
		b.WriteString("]")
	case jsonx.Object:
		fmt.Fprintf(b, "object %d{", v.Len())
		n := 0
		for key, m := range v.Members() {
			if g := v.Get(key); g != m {
				t.Errorf("Get(%q) = %+v; Members yields %+v", key, g, m)
			}
			if n > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(b, "%+q: ", key)
			dumpTo(t, b, m)
			n++
		}
		if n != v.Len() {
			t.Errorf("object Len() = %d; Members yields %d", v.Len(), n)
		}
		b.WriteString("}")
	default:
		t.Errorf("unknown kind %v", k)
	}
}

type validDoc struct {
	name, src, want string
}

// validDocs are accepted documents and their dumps. FuzzParse starts from
// them too.
var validDocs = []validDoc{
	{"null", `null`, `null(null)`},
	{"true", `true`, `bool true(true)`},
	{"false", `false`, `bool false(false)`},
	{"zero", `0`, `int 0(0)`},
	{"negative zero", `-0`, `int 0(-0)`},
	{"integer", `123`, `int 123(123)`},
	{"negative integer", `-123`, `int -123(-123)`},
	{"int64 max", `9223372036854775807`, `int 9223372036854775807(9223372036854775807)`},
	{"int64 min", `-9223372036854775808`, `int -9223372036854775808(-9223372036854775808)`},
	{"beyond int64", `9223372036854775808`, `number 9223372036854775808`},
	{"fraction", `1.5`, `number 1.5`},
	{"zero fraction", `1.0`, `number 1.0`},
	{"exponent", `1e10`, `number 1e10`},
	{"signed exponent", `-1.25E-3`, `number -1.25E-3`},
	{"exponent plus", `0e+0`, `number 0e+0`},
	{"huge exponent", `1e99999`, `number 1e99999`},
	{"empty string", `""`, `string ""`},
	{"string", `"abc"`, `string "abc"`},
	{"short escapes", `"\"\\\/\b\f\n\r\t"`, `string "\"\\/\b\f\n\r\t" raw "\\\"\\\\\\/\\b\\f\\n\\r\\t"`},
	{"unicode escape", `"caf\u00e9"`, `string "caf\u00e9" raw "caf\\u00e9"`},
	{"upper-case hex", `"\u00E9\u00c9"`, `string "\u00e9\u00c9" raw "\\u00E9\\u00c9"`},
	{"escaped NUL", `"a\u0000b"`, `string "a\x00b" raw "a\\u0000b"`},
	{"raw non-ASCII", "\"caf\u00e9 \u65e5\u672c \U0001F600\"", `string "caf\u00e9 \u65e5\u672c \U0001f600"`},
	{"raw DEL", "\"\x7f\"", `string "\x7f"`},
	{"raw U+2028", "\"\u2028\"", `string "\u2028"`},
	{"raw U+FFFD", "\"\ufffd\"", `string "\ufffd"`},
	{"max rune", "\"\U0010FFFF\"", `string "\U0010ffff"`},
	{"surrogate pair", `"\ud83d\ude00"`, `string "\U0001f600" raw "\\ud83d\\ude00"`},
	{"surrogate pair upper case", `"\uD83D\uDE00!"`, `string "\U0001f600!" raw "\\uD83D\\uDE00!"`},
	{"lone high surrogate", `"\ud800"`, `string "\ufffd" raw "\\ud800"`},
	{"lone low surrogate", `"\udc00"`, `string "\ufffd" raw "\\udc00"`},
	{"high surrogate then text", `"\ud800x"`, `string "\ufffdx" raw "\\ud800x"`},
	{"high surrogate then BMP escape", `"\ud800\u0041"`, `string "\ufffdA" raw "\\ud800\\u0041"`},
	{"high surrogate then other escape", `"\ud800\n"`, `string "\ufffd\n" raw "\\ud800\\n"`},
	{"two high surrogates then low", `"\ud83d\ud83d\ude00"`, `string "\ufffd\U0001f600" raw "\\ud83d\\ud83d\\ude00"`},
	{"low then high surrogate", `"\ude00\ud83d"`, `string "\ufffd\ufffd" raw "\\ude00\\ud83d"`},
	{"escaped U+FFFD is not a surrogate", `"\ud800\ufffd"`, `string "\ufffd\ufffd" raw "\\ud800\\ufffd"`},
	{"empty array", `[]`, `array 0[]`},
	{"empty object", `{}`, `object 0{}`},
	{"array of scalars", `[1,"x",true,null,-2.5]`,
		`array 5[0: int 1(1), 1: string "x", 2: bool true(true), 3: null(null), 4: number -2.5]`},
	{"nested arrays", `[1,[2,[3,[]]],4]`,
		`array 3[0: int 1(1), 1: array 2[0: int 2(2), 1: array 2[0: int 3(3), 1: array 0[]]], 2: int 4(4)]`},
	{"nested objects", `{"a":{"b":{"c":{}}},"d":1}`,
		`object 2{"a": object 1{"b": object 1{"c": object 0{}}}, "d": int 1(1)}`},
	{"members keep document order", `{"z":1,"a":2,"m":3}`,
		`object 3{"z": int 1(1), "a": int 2(2), "m": int 3(3)}`},
	{"containers as member values", `{"a":[],"b":{},"c":[{}],"d":[1,{"e":[2]}]}`,
		`object 4{"a": array 0[], "b": object 0{}, "c": array 1[0: object 0{}], "d": array 2[0: int 1(1), 1: object 1{"e": array 1[0: int 2(2)]}]}`},
	{"same key in sibling objects", `[{"a":1},{"a":2}]`,
		`array 2[0: object 1{"a": int 1(1)}, 1: object 1{"a": int 2(2)}]`},
	{"same key nested", `{"a":{"a":{"a":1}}}`, `object 1{"a": object 1{"a": object 1{"a": int 1(1)}}}`},
	{"empty key", `{"":0}`, `object 1{"": int 0(0)}`},
	{"escaped key", `{"\u0061b":1,"c\"d":2}`, `object 2{"ab": int 1(1), "c\"d": int 2(2)}`},
	{"keys differing only in case", `{"a":1,"A":2}`, `object 2{"a": int 1(1), "A": int 2(2)}`},
	{"key and value alike", `{"a":"a"}`, `object 1{"a": string "a"}`},
	{"whitespace everywhere", " \t\r\n[ 1 ,\n\t{ \"a\" : true , \"b\":[ ] } ]\r\n ",
		`array 2[0: int 1(1), 1: object 2{"a": bool true(true), "b": array 0[]}]`},
	{"whitespace around scalar", "\n 42 \t", `int 42(42)`},
}

func TestParseValid(t *testing.T) {
	for _, tc := range validDocs {
		t.Run(tc.name, func(t *testing.T) {
			d, err := jsonx.Parse([]byte(tc.src))
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tc.src, err)
			}
			if got := dump(t, d.Root()); got != tc.want {
				t.Errorf("Parse(%q):\n got %s\nwant %s", tc.src, got, tc.want)
			}
		})
	}
}

// TestRaw checks each value's source span: strings without their quotes,
// containers from bracket to bracket, and no surrounding whitespace.
func TestRaw(t *testing.T) {
	d, err := jsonx.Parse([]byte(` { "s" : "a\"b" , "n" : -1.5e3 , "a" : [ 1 , [ ] ] , "o" : { "k" : null } , "t" : true } `))
	if err != nil {
		t.Fatal(err)
	}
	root := d.Root()
	tests := []struct {
		name string
		v    jsonx.Value
		want string
	}{
		{"root", root, `{ "s" : "a\"b" , "n" : -1.5e3 , "a" : [ 1 , [ ] ] , "o" : { "k" : null } , "t" : true }`},
		{"string", root.Get("s"), `a\"b`},
		{"number", root.Get("n"), `-1.5e3`},
		{"array", root.Get("a"), `[ 1 , [ ] ]`},
		{"nested empty array", elem(t, root.Get("a"), 1), `[ ]`},
		{"object", root.Get("o"), `{ "k" : null }`},
		{"null", root.Get("o").Get("k"), `null`},
		{"bool", root.Get("t"), `true`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(tc.v.Raw()); got != tc.want {
				t.Errorf("Raw() = %q; want %q", got, tc.want)
			}
		})
	}
}

// elem returns element i of array v, or the zero Value.
func elem(t *testing.T, v jsonx.Value, i int) jsonx.Value {
	t.Helper()
	for j, e := range v.Elems() {
		if j == i {
			return e
		}
	}
	return jsonx.Value{}
}

func TestValueAccess(t *testing.T) {
	src, err := os.ReadFile("testdata/order.json")
	if err != nil {
		t.Fatal(err)
	}
	d, err := jsonx.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	root := d.Root()
	tests := []struct {
		name string
		v    jsonx.Value
		want string
	}{
		{"nested member", root.Get("customer").Get("address").Get("city"), `string "Oslo"`},
		{"null member", root.Get("customer").Get("companyName"), `null(null)`},
		{"missing member", root.Get("nope"), `missing`},
		{"member of a missing value", root.Get("nope").Get("deeper"), `missing`},
		{"member of an array", root.Get("lines").Get("0"), `missing`},
		{"member of a string", root.Get("currency").Get("x"), `missing`},
		{"keys are case-sensitive", root.Get("Currency"), `missing`},
		{"key prefix does not match", root.Get("customerRef"), `missing`},
		{"member after a big value", root.Get("discounts"), `array 1[0: object 2{"name": string "Medlemsrabatt 10 %", "amount": int 12490(12490)}]`},
		{"array element", elem(t, root.Get("lines"), 4).Get("unitPrice"), `int 3900(3900)`},
		{"element past the end", elem(t, root.Get("lines"), 5), `missing`},
		{"escaped value", root.Get("customerReference"), `string "Innkj\u00f8p \"h\u00f8st\" 2025" raw "Innkj\u00f8p \\\"h\u00f8st\\\" 2025"`},
		{"bool member", root.Get("settings").Get("partialCapture"), `bool false(false)`},
		{"small array", root.Get("settings").Get("reminders"), `array 2[0: int 3(3), 1: int 7(7)]`},
		{"last member", root.Get("paymentMethod"), `string "invoice"`},
		{"zero Value", jsonx.Value{}, `missing`},
		{"root of nil Doc", (*jsonx.Doc)(nil).Root(), `missing`},
		{"root of zero Doc", new(jsonx.Doc).Root(), `missing`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := dump(t, tc.v); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
	if got, want := root.Len(), 15; got != want {
		t.Errorf("root Len() = %d; want %d", got, want)
	}
	if got, want := root.Get("lines").Len(), 5; got != want {
		t.Errorf("lines Len() = %d; want %d", got, want)
	}
}

func TestInt(t *testing.T) {
	tests := []struct {
		src  string
		want int64
		ok   bool
	}{
		{`0`, 0, true},
		{`-0`, 0, true},
		{`42`, 42, true},
		{`-42`, -42, true},
		{`123456789012345678`, 123456789012345678, true},
		{`-123456789012345678`, -123456789012345678, true},
		{`999999999999999999`, 999999999999999999, true},
		{`1234567890123456789`, 1234567890123456789, true},
		{`-1234567890123456789`, -1234567890123456789, true},
		{`9223372036854775807`, 9223372036854775807, true},
		{`-9223372036854775808`, -9223372036854775808, true},
		{`9223372036854775808`, 0, false},
		{`-9223372036854775809`, 0, false},
		{`1.0`, 0, false},
		{`1e2`, 0, false},
		{`-1.5`, 0, false},
		{`12E+1`, 0, false},
		{`123456789012345678.0`, 0, false},
		{`1234567890123456789.0`, 0, false},
		{`"1"`, 0, false},
		{`true`, 0, false},
		{`null`, 0, false},
		{`[1]`, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			d, err := jsonx.Parse([]byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			n, ok := d.Root().Int()
			if n != tc.want || ok != tc.ok {
				t.Errorf("Int() = %d, %t; want %d, %t", n, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestIteratorsStopEarly(t *testing.T) {
	d, err := jsonx.Parse([]byte(`{"a":[1,2,3],"b":2,"c":3}`))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range d.Root().Members() {
		keys = append(keys, k)
		if k == "b" {
			break
		}
	}
	if got, want := strings.Join(keys, ","), "a,b"; got != want {
		t.Errorf("Members until b: %s; want %s", got, want)
	}
	var idx []int
	for i := range d.Root().Get("a").Elems() {
		idx = append(idx, i)
		if i == 1 {
			break
		}
	}
	if got, want := fmt.Sprint(idx), "[0 1]"; got != want {
		t.Errorf("Elems until 1: %s; want %s", got, want)
	}
}

func TestKindString(t *testing.T) {
	tests := []struct {
		k    jsonx.Kind
		want string
	}{
		{jsonx.Invalid, "missing"},
		{jsonx.Null, "null"},
		{jsonx.Bool, "boolean"},
		{jsonx.Number, "number"},
		{jsonx.String, "string"},
		{jsonx.Array, "array"},
		{jsonx.Object, "object"},
		{jsonx.Kind(7), "kind(7)"},
		{jsonx.Kind(255), "kind(255)"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			if got := tc.k.String(); got != tc.want {
				t.Errorf("Kind(%d).String() = %q; want %q", uint8(tc.k), got, tc.want)
			}
		})
	}
}

type invalidDoc struct {
	name   string
	src    string
	offset int
	msg    string
}

// nest returns n copies of open, then inner, then n copies of close.
func nest(n int, open, inner, close string) string {
	return strings.Repeat(open, n) + inner + strings.Repeat(close, n)
}

// invalidDocs are refused documents with the exact error each must give.
// FuzzParse starts from them too.
var invalidDocs = []invalidDoc{
	{"empty", ``, 0, "unexpected end of input"},
	{"only whitespace", " \n\t", 3, "unexpected end of input"},
	{"open array", `[`, 1, "unexpected end of input"},
	{"array without close", `[1`, 2, "unexpected end of input in array"},
	{"array after comma", `[1,`, 3, "unexpected end of input"},
	{"open object", `{`, 1, "object key expected"},
	{"object after key", `{"a"`, 4, "':' expected after object key"},
	{"object after colon", `{"a":`, 5, "unexpected end of input"},
	{"object without close", `{"a":1`, 6, "unexpected end of input in object"},
	{"unterminated string", `"abc`, 4, "unterminated string"},
	{"unterminated after backslash", `"abc\`, 4, "unterminated string"},
	{"unterminated after escaped quote", `"abc\"`, 6, "unterminated string"},
	{"truncated literal", `tru`, 0, "invalid literal"},
	{"truncated null in array", `[nul`, 1, "invalid literal"},
	{"trailing comma in array", `[1,]`, 3, "unexpected character ']'"},
	{"trailing comma in object", `{"a":1,}`, 7, "object key expected"},
	{"leading comma", `[,1]`, 1, "unexpected character ','"},
	{"double comma", `[1,,2]`, 3, "unexpected character ','"},
	{"missing comma in array", `[1 2]`, 3, "',' or ']' expected in array"},
	{"missing comma in object", `{"a":1 "b":2}`, 7, "',' or '}' expected in object"},
	{"missing colon", `{"a" 1}`, 5, "':' expected after object key"},
	{"equals for colon", `{"a"=1}`, 4, "':' expected after object key"},
	{"number key", `{1:2}`, 1, "object key expected"},
	{"bare key", `{a:1}`, 1, "object key expected"},
	{"single-quoted key", `{'a':1}`, 1, "object key expected"},
	{"single-quoted string", `'a'`, 0, `unexpected character '\''`},
	{"mismatched brackets", `[1}`, 2, "',' or ']' expected in array"},
	{"mismatched braces", `{"a":1]`, 6, "',' or '}' expected in object"},
	{"leading zero", `01`, 1, "unexpected data after the top-level value"},
	{"leading zero in array", `[01]`, 2, "',' or ']' expected in array"},
	{"negative leading zero", `-01`, 2, "unexpected data after the top-level value"},
	{"point without digits", `1.`, 2, "invalid number: digit expected after '.'"},
	{"point then exponent", `1.e5`, 2, "invalid number: digit expected after '.'"},
	{"leading point", `.5`, 0, "unexpected character '.'"},
	{"minus only", `-`, 1, "invalid number"},
	{"minus letter", `-a`, 1, "invalid number"},
	{"minus infinity", `-Infinity`, 1, "invalid number"},
	{"plus sign", `+1`, 0, "unexpected character '+'"},
	{"exponent without digits", `1e`, 2, "invalid number: digit expected in exponent"},
	{"exponent sign only", `1e+`, 3, "invalid number: digit expected in exponent"},
	{"exponent letter", `1Ex`, 2, "invalid number: digit expected in exponent"},
	{"hexadecimal", `0x10`, 1, "unexpected data after the top-level value"},
	{"NaN", `NaN`, 0, "unexpected character 'N'"},
	{"Infinity", `Infinity`, 0, "unexpected character 'I'"},
	{"capitalised literal", `True`, 0, "unexpected character 'T'"},
	{"misspelled literal", `nulL`, 0, "invalid literal"},
	{"literal with suffix", `nulll`, 4, "unexpected data after the top-level value"},
	{"literal with suffix in array", `[truex]`, 5, "',' or ']' expected in array"},
	{"undefined", `undefined`, 0, "unexpected character 'u'"},
	{"two values", `1 2`, 2, "unexpected data after the top-level value"},
	{"two objects", `{}{}`, 2, "unexpected data after the top-level value"},
	{"extra bracket", `[]]`, 2, "unexpected data after the top-level value"},
	{"trailing NUL", "[1]\x00", 3, "unexpected data after the top-level value"},
	{"comment", `[1]//`, 3, "unexpected data after the top-level value"},
	{"form feed as whitespace", "[\f1]", 1, `unexpected character '\f'`},
	{"U+2028 as whitespace", "[1,\u2028 2]", 3, `unexpected character '\u2028'`},
	{"non-breaking space", "\u00a01", 0, `unexpected character '\u00a0'`},
	{"byte order mark", "\ufeff{}", 0, `unexpected character '\ufeff'`},
	{"non-ASCII outside strings", `é`, 0, `unexpected character 'é'`},
	{"invalid UTF-8 outside strings", "\xff", 0, `unexpected character '�'`},
	{"newline in string", "\"a\nb\"", 2, "control character in string"},
	{"tab in string", "\"\t\"", 1, "control character in string"},
	{"NUL in string", "\"\x00\"", 1, "control character in string"},
	{"unit separator in string", "[\"ok\",\"\x1f\"]", 7, "control character in string"},
	{"control character in key", "{\"a\x01\":1}", 3, "control character in string"},
	{"unknown escape", `"\x41"`, 1, "invalid escape"},
	{"upper-case U escape", `"\U0041"`, 1, "invalid escape"},
	{"escaped single quote", `"\'"`, 1, "invalid escape"},
	{"escaped newline", "\"\\\n\"", 1, "invalid escape"},
	{"short u escape", `"\u12"`, 1, `invalid \u escape`},
	{"non-hex u escape", `"\u12G4"`, 1, `invalid \u escape`},
	{"truncated u escape", `"\u`, 1, `invalid \u escape`},
	{"u escape with sign", `"\u+123"`, 1, `invalid \u escape`},
	{"invalid escape after valid", `"a\nb\qc"`, 5, "invalid escape"},
	{"invalid UTF-8 byte", "\"\xff\"", 1, "invalid UTF-8 in string"},
	{"continuation byte", "\"a\x80\"", 2, "invalid UTF-8 in string"},
	{"truncated sequence", "\"a\xc3\"", 2, "invalid UTF-8 in string"},
	{"truncated at end", "\"\xe6\x97", 1, "invalid UTF-8 in string"},
	{"overlong encoding", "\"\xc0\xaf\"", 1, "invalid UTF-8 in string"},
	{"UTF-8 surrogate", "\"\xed\xa0\x80\"", 1, "invalid UTF-8 in string"},
	{"beyond U+10FFFF", "\"\xf4\x90\x80\x80\"", 1, "invalid UTF-8 in string"},
	{"invalid UTF-8 in key", "{\"\xfe\":1}", 2, "invalid UTF-8 in string"},
	{"invalid UTF-8 after valid", "\"\u00e9\xff\"", 3, "invalid UTF-8 in string"},
	{"duplicate key", `{"a":1,"a":2}`, 8, `duplicate object key "a"`},
	{"duplicate key later", `{"a":1,"b":2,"a":3}`, 14, `duplicate object key "a"`},
	{"duplicate after container value", `{"a":{"x":[1,{"y":2}]},"a":null}`, 24, `duplicate object key "a"`},
	{"duplicate key escaped second", `{"a":1,"\u0061":2}`, 8, `duplicate object key "a"`},
	{"duplicate key escaped first", `{"\u0061":1,"a":2}`, 13, `duplicate object key "a"`},
	{"duplicate key both escaped", `{"\u0061":1,"\u0061":2}`, 13, `duplicate object key "a"`},
	{"duplicate key escaped slash", `{"/":1,"\/":2}`, 8, `duplicate object key "/"`},
	{"duplicate key surrogate pair", "{\"\U0001F600\":1,\"\\ud83d\\ude00\":2}", 11, `duplicate object key "😀"`},
	{"duplicate lone surrogates", `{"\ud800":1,"\udfff":2}`, 13, `duplicate object key "�"`},
	{"duplicate lone surrogate and U+FFFD", "{\"\ufffd\":1,\"\\ud800\":2}", 10, `duplicate object key "�"`},
	{"duplicate empty key", `{"":1,"":2}`, 7, `duplicate object key ""`},
	{"duplicate in nested object", `[{"k":{"a":1,"b":2,"a":3}}]`, 20, `duplicate object key "a"`},
	{"duplicate key control escape", `{"\n":1,"\u000a":2}`, 9, `duplicate object key "\n"`},
	{"arrays nested 65 deep", nest(65, "[", "", "]"), 64, "nesting too deep"},
	{"objects nested 65 deep", nest(65, `{"a":`, "1", "}"), 320, "nesting too deep"},
	{"mixed nesting 65 deep", nest(32, `[{"a":`, "[]", "}]"), 192, "nesting too deep"},
	{"deep nesting", nest(100000, "[", "", "]"), 64, "nesting too deep"},
}

func TestParseInvalid(t *testing.T) {
	for _, tc := range invalidDocs {
		t.Run(tc.name, func(t *testing.T) {
			d, err := jsonx.Parse([]byte(tc.src))
			want := &jsonx.SyntaxError{Offset: tc.offset, Msg: tc.msg}
			var se *jsonx.SyntaxError
			if !errors.As(err, &se) || *se != *want {
				t.Fatalf("Parse(%.80q) = %#v; want %#v", tc.src, err, want)
			}
			if d != nil {
				t.Errorf("Parse(%.80q) returned a Doc with its error", tc.src)
			}
		})
	}
}

func TestSyntaxErrorString(t *testing.T) {
	_, err := jsonx.Parse([]byte(`{"a":1,"a":2}`))
	if got, want := fmt.Sprint(err), `invalid json at offset 8: duplicate object key "a"`; got != want {
		t.Errorf("error = %q; want %q", got, want)
	}
}

func TestDepthLimit(t *testing.T) {
	tests := []struct {
		name  string
		depth int
		open  string
		inner string
		close string
		err   error
	}{
		{"arrays at the limit", jsonx.MaxDepth, "[", "", "]", nil},
		{"arrays with a value at the limit", jsonx.MaxDepth, "[", `"x"`, "]", nil},
		{"arrays past the limit", jsonx.MaxDepth + 1, "[", "", "]", &jsonx.SyntaxError{Offset: 64, Msg: "nesting too deep"}},
		{"objects past the limit", jsonx.MaxDepth, `{"k":`, "{}", "}", &jsonx.SyntaxError{Offset: 320, Msg: "nesting too deep"}},
		{"objects just within", jsonx.MaxDepth - 1, `{"k":`, "{}", "}", nil},
		{"objects with scalar at the limit", jsonx.MaxDepth, `{"k":`, "0", "}", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := nest(tc.depth, tc.open, tc.inner, tc.close)
			_, err := jsonx.Parse([]byte(src))
			if !sameError(err, tc.err) {
				t.Errorf("Parse(depth %d) = %v; want %v", tc.depth, err, tc.err)
			}
		})
	}
}

// sameError reports whether got and want are both nil or equal SyntaxErrors.
func sameError(got, want error) bool {
	if got == nil || want == nil {
		return got == want
	}
	var g, w *jsonx.SyntaxError
	return errors.As(got, &g) && errors.As(want, &w) && *g == *w
}

// wideObject returns an object with n members "k0"…, then extra members.
func wideObject(n int, extra string) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"k` + strconv.Itoa(i) + `":` + strconv.Itoa(i))
	}
	b.WriteString(extra + "}")
	return b.String()
}

// TestDuplicateKeysInWideObjects covers both ways the parser finds
// duplicates: scanning the earlier keys of a small object and a set once an
// object has many members.
func TestDuplicateKeysInWideObjects(t *testing.T) {
	tests := []struct {
		name    string
		members int
		extra   string
		err     error
	}{
		{"31 members then a duplicate", 31, `,"k0":0`, &jsonx.SyntaxError{Offset: len(wideObject(31, "")) + 1, Msg: `duplicate object key "k0"`}},
		{"32 members then a duplicate", 32, `,"k0":0`, &jsonx.SyntaxError{Offset: len(wideObject(32, "")) + 1, Msg: `duplicate object key "k0"`}},
		{"33 members then a duplicate", 33, `,"k32":0`, &jsonx.SyntaxError{Offset: len(wideObject(33, "")) + 1, Msg: `duplicate object key "k32"`}},
		{"many members then an escaped duplicate", 100, `,"\u006b7":0`, &jsonx.SyntaxError{Offset: len(wideObject(100, "")) + 1, Msg: `duplicate object key "k7"`}},
		{"many members then a duplicate of an escaped key", 40, `,"\u0078":1,"y":2,"x":3`, &jsonx.SyntaxError{Offset: len(wideObject(40, `,"\u0078":1,"y":2,"`)) - 1, Msg: `duplicate object key "x"`}},
		{"duplicate of a key added after the switch", 50, `,"new":1,"z":2,"new":3`, &jsonx.SyntaxError{Offset: len(wideObject(50, `,"new":1,"z":2,"`)) - 1, Msg: `duplicate object key "new"`}},
		{"many distinct members", 20000, "", nil},
		{"many distinct members with escapes", 40, `,"\u006b":0,"\u006b40\n":0`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := wideObject(tc.members, tc.extra)
			d, err := jsonx.Parse([]byte(src))
			if !sameError(err, tc.err) {
				t.Fatalf("Parse = %v; want %v", err, tc.err)
			}
			if err == nil && d.Root().Len() != tc.members+strings.Count(tc.extra, ":") {
				t.Errorf("Len() = %d; want %d", d.Root().Len(), tc.members+strings.Count(tc.extra, ":"))
			}
		})
	}
}

func TestReset(t *testing.T) {
	var d jsonx.Doc
	steps := []struct {
		src  string
		err  error
		want string
	}{
		{`{"a":[1,2]}`, nil, `object 1{"a": array 2[0: int 1(1), 1: int 2(2)]}`},
		{`[true]`, nil, `array 1[0: bool true(true)]`},
		{`[true`, &jsonx.SyntaxError{Offset: 5, Msg: "unexpected end of input in array"}, `missing`},
		{`"again"`, nil, `string "again"`},
		{`{"a":1,"a":2}`, &jsonx.SyntaxError{Offset: 8, Msg: `duplicate object key "a"`}, `missing`},
		{` {"b" : null} `, nil, `object 1{"b": null(null)}`},
	}
	for i, s := range steps {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			err := d.Reset([]byte(s.src))
			if !sameError(err, s.err) {
				t.Fatalf("Reset(%q) = %v; want %v", s.src, err, s.err)
			}
			if got := dump(t, d.Root()); got != s.want {
				t.Errorf("after Reset(%q): %s; want %s", s.src, got, s.want)
			}
		})
	}
}

// TestResetAllocs holds Reset to its promise: a warm Doc parses a document
// of the same shape without allocating.
func TestResetAllocs(t *testing.T) {
	src, err := os.ReadFile("testdata/order.json")
	if err != nil {
		t.Fatal(err)
	}
	var d jsonx.Doc
	if err := d.Reset(src); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { _ = d.Reset(src) }); n != 0 {
		t.Errorf("Reset allocates %v times per run; want 0", n)
	}
}

func ExampleParse() {
	d, err := jsonx.Parse([]byte(`{"reference":"WC-1","lines":[{"name":"Genser","quantity":2}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	ref, _ := d.Root().Get("reference").Str()
	fmt.Println("reference:", ref)
	for i, l := range d.Root().Get("lines").Elems() {
		name, _ := l.Get("name").Str()
		q, _ := l.Get("quantity").Int()
		fmt.Println(i, name, q)
	}
	fmt.Println("notes:", d.Root().Get("notes").Kind())

	_, err = jsonx.Parse([]byte(`{"a":1,"\u0061":2}`))
	fmt.Println(err)
	// Output:
	// reference: WC-1
	// 0 Genser 2
	// notes: missing
	// invalid json at offset 8: duplicate object key "a"
}

func TestNodeLimit(t *testing.T) {
	tests := []struct {
		name  string
		elems int
		err   error
	}{
		{"at the limit", jsonx.MaxNodes - 1, nil}, // the array itself is a node too
		{"past the limit", jsonx.MaxNodes, &jsonx.SyntaxError{Offset: 1 + 2*(jsonx.MaxNodes-1), Msg: "too many values"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := "[" + strings.Repeat("0,", tc.elems-1) + "0]"
			d, err := jsonx.Parse([]byte(src))
			if !sameError(err, tc.err) {
				t.Fatalf("Parse(%d elements) = %v; want %v", tc.elems, err, tc.err)
			}
			if err == nil && d.Root().Len() != tc.elems {
				t.Errorf("Len() = %d; want %d", d.Root().Len(), tc.elems)
			}
		})
	}
}

// TestGetKeyFilter: the key filter never hides a member, escaped names
// included, and names that share the filter's bit with a member are still
// told apart.
func TestGetKeyFilter(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"esc\u0061ped":1`)
	names := []string{"escaped"}
	for i := 0; i < 200; i++ {
		k := "k" + strconv.Itoa(i*7919)
		names = append(names, k)
		b.WriteString(`,"` + k + `":` + strconv.Itoa(i))
	}
	b.WriteString("}")
	d, err := jsonx.Parse([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range names {
		if !d.Root().Get(k).Exists() {
			t.Fatalf("member %q not found", k)
		}
	}
	plain, _ := jsonx.Parse([]byte(`{"name":1,"sku":2,"quantity":3}`))
	for i := 0; i < 2000; i++ {
		k := "absent" + strconv.Itoa(i)
		if plain.Root().Get(k).Exists() {
			t.Fatalf("absent member %q found", k)
		}
	}
	if plain.Root().Get("sku").Exists() != true || plain.Root().Get("Sku").Exists() {
		t.Fatal("lookups are exact")
	}
}

// FuzzInt holds Int to strconv.ParseInt for every number the parser takes.
func FuzzInt(f *testing.F) {
	for _, s := range []string{"0", "-0", "42", "-7", "1.5", "1e3", "-9223372036854775808", "9223372036854775808",
		"123456789012345678", "1234567890123456789", "0.000", "-12E-2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := jsonx.Parse([]byte(s))
		if err != nil || d.Root().Kind() != jsonx.Number {
			return
		}
		raw := d.Root().Raw()
		want, err := strconv.ParseInt(string(raw), 10, 64)
		got, ok := d.Root().Int()
		if ok != (err == nil) || (ok && got != want) {
			t.Fatalf("Int(%s) = %d, %t; ParseInt: %d, %v", raw, got, ok, want, err)
		}
	})
}

// TestGetInterleaved reads members of several objects (nested, siblings,
// and indexes that share a hint slot) in shuffled orders and holds every
// Get to a lookup through Members.
func TestGetInterleaved(t *testing.T) {
	src := `{"a":1,"o1":{"x":1,"y":2,"z":3,"w":{"p":1,"q":2}},"b":2,"o2":{"x":4,"y":5,"z":6},"c":3,` +
		`"arr":[{"x":7,"y":8},{"x":9,"y":10,"z":11}],"d":4,"e":{"\u0078":12,"y":13},"f":5}`
	d, err := jsonx.Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var objs []jsonx.Value
	var walk func(v jsonx.Value)
	walk = func(v jsonx.Value) {
		switch v.Kind() {
		case jsonx.Object:
			objs = append(objs, v)
			for _, m := range v.Members() {
				walk(m)
			}
		case jsonx.Array:
			for _, e := range v.Elems() {
				walk(e)
			}
		}
	}
	walk(d.Root())
	keys := []string{"a", "b", "c", "d", "e", "f", "x", "y", "z", "w", "o1", "o2", "arr", "p", "q", "missing"}
	want := func(o jsonx.Value, k string) string {
		for name, m := range o.Members() {
			if name == k {
				return string(m.Raw())
			}
		}
		return "<missing>"
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		o, k := objs[rng.IntN(len(objs))], keys[rng.IntN(len(keys))]
		got := "<missing>"
		if v := o.Get(k); v.Exists() {
			got = string(v.Raw())
		}
		if w := want(o, k); got != w {
			t.Fatalf("Get(%q) on %s = %s; want %s", k, o.Raw(), got, w)
		}
	}
}

func TestIsLast(t *testing.T) {
	d, err := jsonx.Parse([]byte(`{"a":1,"b":{"c":[1,{"d":2}]},"e":[3,4]}`))
	if err != nil {
		t.Fatal(err)
	}
	root, b, e := d.Root(), d.Root().Get("b"), d.Root().Get("e")
	c := b.Get("c")
	for _, tc := range []struct {
		name  string
		of, m jsonx.Value
		want  bool
	}{
		{"first member", root, root.Get("a"), false},
		{"middle member, an object", root, b, false},
		{"last member, an array", root, e, true},
		{"only member", b, c, true},
		{"the value itself", root, root, false},
		{"a missing value", root, jsonx.Value{}, false},
		{"of a scalar", root.Get("a"), root.Get("a"), false},
		{"of a missing value", jsonx.Value{}, e, false},
	} {
		if got := tc.of.IsLast(tc.m); got != tc.want {
			t.Errorf("%s: IsLast = %v, want %v", tc.name, got, tc.want)
		}
	}
	var last, all jsonx.Value
	for _, el := range c.Elems() {
		last = el
	}
	if !c.IsLast(last) {
		t.Error("an array's last element: IsLast = false")
	}
	for _, el := range e.Elems() {
		all = el
		break
	}
	if e.IsLast(all) {
		t.Error("an array's first of two elements: IsLast = true")
	}
	other, _ := jsonx.Parse([]byte(`{"a":1,"b":{"c":[1,{"d":2}]},"e":[3,4]}`))
	if root.IsLast(other.Root().Get("e")) {
		t.Error("a value of another document counted as last")
	}
}
