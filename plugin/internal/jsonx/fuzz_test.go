package jsonx_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"unicode/utf8"

	"github.com/frontgate/frontgate/plugin/internal/jsonx"
)

// stdFacts reads a document encoding/json accepts and reports what jsonx
// refuses beyond encoding/json: nesting deeper than MaxDepth and an object
// with two members of the same (unescaped) name.
func stdFacts(t *testing.T, src []byte) (depth int, dup bool) {
	t.Helper()
	type frame struct {
		obj     bool
		wantKey bool
		keys    map[string]bool
	}
	var stack []*frame
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return depth, dup
		}
		if err != nil {
			t.Fatalf("encoding/json: Valid(%q) but Token: %v", src, err)
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.obj && top.wantKey && tok != json.Delim('}') {
			k := tok.(string)
			dup = dup || top.keys[k]
			top.keys[k] = true
			top.wantKey = false
			continue
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			stack = append(stack, &frame{obj: tok == json.Delim('{'), wantKey: true, keys: map[string]bool{}})
			depth = max(depth, len(stack))
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1].obj {
			stack[len(stack)-1].wantKey = true // a member's value ended
		}
	}
}

// toAny converts v into what encoding/json decodes with UseNumber.
func toAny(t *testing.T, v jsonx.Value) any {
	t.Helper()
	switch v.Kind() {
	case jsonx.Null:
		return nil
	case jsonx.Bool:
		b, _ := v.Bool()
		return b
	case jsonx.Number:
		return json.Number(v.Raw())
	case jsonx.String:
		s, _ := v.Str()
		if !utf8.ValidString(s) {
			t.Fatalf("Str() = %+q: not valid UTF-8", s)
		}
		return s
	case jsonx.Array:
		a := []any{}
		for _, e := range v.Elems() {
			a = append(a, toAny(t, e))
		}
		return a
	case jsonx.Object:
		m := map[string]any{}
		var keys []string
		var vals []jsonx.Value
		for k, e := range v.Members() {
			if !utf8.ValidString(k) {
				t.Fatalf("key %+q: not valid UTF-8", k)
			}
			m[k] = toAny(t, e)
			keys, vals = append(keys, k), append(vals, e)
		}
		// A Cursor finds every member, in document order, backwards, and
		// after misses, as Get does.
		for _, order := range [][]int{ascending(len(keys)), descending(len(keys))} {
			cur := v.Cursor()
			for _, i := range order {
				miss := keys[i] + "\x00"
				if got, j := cur.Get(miss), slices.Index(keys, miss); (j < 0 && got.Exists()) || (j >= 0 && got != vals[j]) {
					t.Fatalf("Cursor.Get(%q): not the member Members gives, or one that is not there", miss)
				}
				if got := cur.Get(keys[i]); got != vals[i] {
					t.Fatalf("Cursor.Get(%q): not the member Members gives", keys[i])
				}
			}
		}
		// Get finds every member, read in document order (its usual
		// pattern), backwards, and after a miss.
		for i, k := range keys {
			if got := v.Get(k); got != vals[i] {
				t.Fatalf("Get(%q) in order: not the member Members gives", k)
			}
		}
		for i := len(keys) - 1; i >= 0; i-- {
			miss := keys[i] + "\x00"
			if got, j := v.Get(miss), slices.Index(keys, miss); (j < 0 && got.Exists()) || (j >= 0 && got != vals[j]) {
				t.Fatalf("Get(%q): not the member Members gives, or one that is not there", miss)
			}
			if got := v.Get(keys[i]); got != vals[i] {
				t.Fatalf("Get(%q) backwards: not the member Members gives", keys[i])
			}
		}
		return m
	}
	t.Fatalf("toAny: kind %v", v.Kind())
	return nil
}

// stdDecode decodes src with encoding/json, numbers as json.Number.
func stdDecode(t *testing.T, src []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("encoding/json Decode(%q): %v", src, err)
	}
	return v
}

// isSpace is JSON's whitespace.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// checkParse is FuzzParse's oracle, shared with the table tests.
func checkParse(t *testing.T, src []byte) {
	t.Helper()
	d, err := jsonx.Parse(src)
	stdValid := json.Valid(src)
	if err != nil {
		var se *jsonx.SyntaxError
		if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(src) || se.Msg == "" {
			t.Fatalf("Parse(%q): error %#v is not a SyntaxError within the input", src, err)
		}
		if d != nil {
			t.Fatalf("Parse(%q): Doc returned with error %v", src, err)
		}
		if stdValid && utf8.Valid(src) {
			if depth, dup := stdFacts(t, src); !dup && depth <= jsonx.MaxDepth {
				t.Fatalf("Parse(%q) = %v; encoding/json accepts it (valid UTF-8, no duplicate keys, depth %d)", src, err, depth)
			}
		}
		return
	}
	if !stdValid {
		t.Fatalf("Parse(%q) accepts what encoding/json rejects", src)
	}
	if !utf8.Valid(src) {
		t.Fatalf("Parse(%q) accepts invalid UTF-8", src)
	}
	if depth, dup := stdFacts(t, src); dup || depth > jsonx.MaxDepth {
		t.Fatalf("Parse(%q) accepts a document with duplicate keys (%t) or depth %d", src, dup, depth)
	}
	got := toAny(t, d.Root())
	if want := stdDecode(t, src); !reflect.DeepEqual(got, want) {
		t.Fatalf("Parse(%q) reads %#v; encoding/json reads %#v", src, got, want)
	}
	// The root's span is the input without its surrounding whitespace
	// (and, for a string, without its quotes).
	trimmed := bytes.TrimFunc(src, func(r rune) bool { return r < utf8.RuneSelf && isSpace(byte(r)) })
	if d.Root().Kind() == jsonx.String {
		trimmed = trimmed[1 : len(trimmed)-1]
	}
	if raw := d.Root().Raw(); !bytes.Equal(raw, trimmed) {
		t.Fatalf("Parse(%q): root Raw() = %q; want %q", src, raw, trimmed)
	}
	// A reused Doc reads the same.
	var reuse jsonx.Doc
	if err := reuse.Reset([]byte(`{"warm":[1,2,{"up":true}]}`)); err != nil {
		t.Fatal(err)
	}
	if err := reuse.Reset(src); err != nil {
		t.Fatalf("Reset(%q) = %v; Parse accepted it", src, err)
	}
	if again := toAny(t, reuse.Root()); !reflect.DeepEqual(again, got) {
		t.Fatalf("Reset(%q) reads %#v; Parse read %#v", src, again, got)
	}
}

// TestDifferential runs the fuzz oracle over the table vectors.
func TestDifferential(t *testing.T) {
	for _, tc := range validDocs {
		t.Run("valid/"+tc.name, func(t *testing.T) { checkParse(t, []byte(tc.src)) })
	}
	for _, tc := range invalidDocs {
		t.Run("invalid/"+tc.name, func(t *testing.T) { checkParse(t, []byte(tc.src)) })
	}
}

func FuzzParse(f *testing.F) {
	for _, tc := range validDocs {
		f.Add([]byte(tc.src))
	}
	for _, tc := range invalidDocs {
		if len(tc.src) < 1000 {
			f.Add([]byte(tc.src))
		}
	}
	order, err := os.ReadFile("testdata/order.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(order)
	f.Fuzz(func(t *testing.T, src []byte) {
		checkParse(t, src)
	})
}

// tree is a document as the round-trip tests build it. Strings hold what
// the parser must read back (invalid UTF-8 already replaced).
type tree struct {
	kind  jsonx.Kind
	b     bool
	n     int64
	num   string // a raw non-integer number, written with Raw
	s     string
	raw   string // the string as handed to the Writer
	elems []tree
	keys  []string // as read back
	rawK  []string // as handed to the Writer
	vals  []tree
}

func (tr tree) write(w *jsonx.Writer) {
	switch tr.kind {
	case jsonx.Null:
		w.Null()
	case jsonx.Bool:
		w.Bool(tr.b)
	case jsonx.Number:
		if tr.num != "" {
			w.RawFunc(func(b []byte) []byte { return append(b, tr.num...) })
		} else {
			w.Int(tr.n)
		}
	case jsonx.String:
		if tr.raw == "" {
			w.StringOrNull("") // an empty string reads back as null
		} else {
			w.String(tr.raw)
		}
	case jsonx.Array:
		w.BeginArray()
		for _, e := range tr.elems {
			e.write(w)
		}
		w.EndArray()
	case jsonx.Object:
		w.BeginObject()
		for i, k := range tr.rawK {
			w.Key(k)
			tr.vals[i].write(w)
		}
		w.EndObject()
	}
}

// read converts a parsed value back into a tree (raw fields left empty).
func read(t *testing.T, v jsonx.Value) tree {
	t.Helper()
	tr := tree{kind: v.Kind()}
	switch tr.kind {
	case jsonx.Bool:
		tr.b, _ = v.Bool()
	case jsonx.Number:
		var ok bool
		if tr.n, ok = v.Int(); !ok {
			tr.num = string(v.Raw())
		}
	case jsonx.String:
		tr.s, _ = v.Str()
	case jsonx.Array:
		tr.elems = []tree{}
		for _, e := range v.Elems() {
			tr.elems = append(tr.elems, read(t, e))
		}
	case jsonx.Object:
		tr.keys, tr.vals = []string{}, []tree{}
		for k, e := range v.Members() {
			tr.keys = append(tr.keys, k)
			tr.vals = append(tr.vals, read(t, e))
		}
	}
	return tr
}

// expected drops the raw fields: the tree the parser must read back.
func (tr tree) expected() tree {
	tr.raw, tr.rawK = "", nil
	if tr.kind == jsonx.String && tr.s == "" {
		tr.kind = jsonx.Null
	}
	if tr.elems != nil {
		es := make([]tree, len(tr.elems))
		for i, e := range tr.elems {
			es[i] = e.expected()
		}
		tr.elems = es
	}
	if tr.vals != nil {
		vs := make([]tree, len(tr.vals))
		for i, v := range tr.vals {
			vs[i] = v.expected()
		}
		tr.vals = vs
	}
	return tr
}

// source supplies the generator's choices.
type source interface {
	intn(n int) int
	int64() int64
	str() string
}

type randSource struct{ r *rand.Rand }

func (s randSource) intn(n int) int { return s.r.IntN(n) }
func (s randSource) int64() int64 {
	if s.r.IntN(2) == 0 {
		return s.r.Int64N(2000) - 1000
	}
	return int64(s.r.Uint64())
}

// interesting runes for strings: everything AppendString treats specially.
var interesting = []rune{'"', '\\', '/', '\n', '\r', '\t', '\b', '\f', 0, 0x1f, 0x7f, 'é', 'ø', '日',
	0x2028, 0x2029, 0x2027, 0xfffd, 0xfeff, 0x1f600, utf8.MaxRune, 'a', ' ', '<'}

func (s randSource) str() string {
	n := s.r.IntN(12)
	b := make([]byte, 0, n*2)
	for range n {
		switch s.r.IntN(4) {
		case 0:
			b = utf8.AppendRune(b, interesting[s.r.IntN(len(interesting))])
		case 1:
			r := rune(s.r.IntN(utf8.MaxRune + 1))
			if utf8.ValidRune(r) {
				b = utf8.AppendRune(b, r)
			}
		case 2:
			if s.r.IntN(8) == 0 {
				b = append(b, byte(0x80+s.r.IntN(0x80))) // invalid UTF-8
			}
		default:
			b = append(b, byte(0x20+s.r.IntN(0x5f)))
		}
	}
	return string(b)
}

// byteSource draws choices from fuzz input; it yields zeros once drained.
type byteSource struct{ b []byte }

func (s *byteSource) next() byte {
	if len(s.b) == 0 {
		return 0
	}
	c := s.b[0]
	s.b = s.b[1:]
	return c
}
func (s *byteSource) intn(n int) int { return int(s.next()) % n }
func (s *byteSource) int64() int64 {
	var buf [8]byte
	k := copy(buf[:], s.b)
	s.b = s.b[k:]
	return int64(binary.LittleEndian.Uint64(buf[:]))
}
func (s *byteSource) str() string {
	n := min(int(s.next())%24, len(s.b))
	out := string(s.b[:n])
	s.b = s.b[n:]
	return out
}

// gen builds a random tree. Containers stop at MaxDepth so the parser must
// accept every document; *nodes bounds the size.
func gen(src source, depth int, nodes *int) tree {
	*nodes--
	choice := src.intn(9)
	if choice >= 7 && (depth >= jsonx.MaxDepth || *nodes <= 0) {
		choice = 0
	}
	switch choice {
	case 0:
		return tree{kind: jsonx.Null}
	case 1:
		return tree{kind: jsonx.Bool, b: src.intn(2) == 1}
	case 2:
		return tree{kind: jsonx.Number, n: src.int64()}
	case 3:
		v := src.int64()
		if v < 0 {
			v = -(v + 1)
		}
		return tree{kind: jsonx.Number, num: strconv.FormatInt(v/100, 10) + "." + strconv.FormatInt(v%100+100, 10)[1:] + []string{"", "e3", "E-2"}[src.intn(3)]}
	case 4, 5, 6:
		raw := src.str()
		return tree{kind: jsonx.String, raw: raw, s: replaceInvalid(raw)}
	case 7:
		tr := tree{kind: jsonx.Array, elems: []tree{}}
		for n := src.intn(6); n > 0 && *nodes > 0; n-- {
			tr.elems = append(tr.elems, gen(src, depth+1, nodes))
		}
		return tr
	default:
		tr := tree{kind: jsonx.Object, keys: []string{}, rawK: []string{}, vals: []tree{}}
		seen := map[string]bool{}
		for n := src.intn(6); n > 0 && *nodes > 0; n-- {
			raw := src.str()
			k := replaceInvalid(raw)
			if seen[k] {
				raw += strconv.Itoa(len(seen))
				k = replaceInvalid(raw)
				if seen[k] {
					continue
				}
			}
			seen[k] = true
			tr.keys = append(tr.keys, k)
			tr.rawK = append(tr.rawK, raw)
			tr.vals = append(tr.vals, gen(src, depth+1, nodes))
		}
		return tr
	}
}

// hasInvalid reports whether the Writer is handed invalid UTF-8 anywhere.
func (tr tree) hasInvalid() bool {
	if tr.kind == jsonx.String && !utf8.ValidString(tr.raw) {
		return true
	}
	for _, k := range tr.rawK {
		if !utf8.ValidString(k) {
			return true
		}
	}
	for _, e := range tr.elems {
		if e.hasInvalid() {
			return true
		}
	}
	for _, e := range tr.vals {
		if e.hasInvalid() {
			return true
		}
	}
	return false
}

// checkRoundTrip writes tr, parses it, and compares what comes back.
func checkRoundTrip(t *testing.T, tr tree) {
	t.Helper()
	w := jsonx.NewWriter(nil)
	tr.write(w)
	out := w.Bytes()
	var wantErr error
	if tr.hasInvalid() {
		wantErr = jsonx.ErrInvalidUTF8
	}
	if w.Err() != wantErr {
		t.Fatalf("Writer.Err() = %v; want %v (output %q)", w.Err(), wantErr, out)
	}
	if !json.Valid(out) {
		t.Fatalf("encoding/json rejects the Writer's %q", out)
	}
	d, err := jsonx.Parse(out)
	if err != nil {
		t.Fatalf("Parse(%q): %v", out, err)
	}
	if got, want := read(t, d.Root()), tr.expected(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Parse(%q) reads\n%#v\nwant\n%#v", out, got, want)
	}
	if got, want := stdDecode(t, out), toAny(t, d.Root()); !reflect.DeepEqual(got, want) {
		t.Fatalf("encoding/json reads %q as %#v; jsonx as %#v", out, got, want)
	}
}

// TestRoundTrip: whatever the Writer produces, Parse accepts and reads back
// the values written.
func TestRoundTrip(t *testing.T) {
	src := randSource{rand.New(rand.NewPCG(7, 8))}
	for i := range 3000 {
		nodes := 1 + i%200
		tr := gen(src, 0, &nodes)
		checkRoundTrip(t, tr)
	}
}

// TestRoundTripDeep writes arrays and objects nested exactly MaxDepth deep.
func TestRoundTripDeep(t *testing.T) {
	for _, kind := range []jsonx.Kind{jsonx.Array, jsonx.Object} {
		t.Run(kind.String(), func(t *testing.T) {
			tr := tree{kind: jsonx.String, raw: "bottom", s: "bottom"}
			for range jsonx.MaxDepth {
				if kind == jsonx.Array {
					tr = tree{kind: jsonx.Array, elems: []tree{tr}}
				} else {
					tr = tree{kind: jsonx.Object, keys: []string{"k"}, rawK: []string{"k"}, vals: []tree{tr}}
				}
			}
			checkRoundTrip(t, tr)
		})
	}
}

func FuzzWriterRoundTrip(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{8, 3, 4, 2, 'a', 'b', 7, 2, 4, 1, 0xff, 1, 1})
	f.Add([]byte("\x07\x05\x04\x03\"\\\n\x02\x01\x02\x00\x04\x05\xe2\x80\xa8x\x08\x01\x03key\x03\x09\x00\x00\x00\x00\x00\x00\x80"))
	f.Add(bytes.Repeat([]byte{7, 1}, 80))
	f.Add(bytes.Repeat([]byte{8, 1, 1, 'k'}, 80))
	f.Fuzz(func(t *testing.T, data []byte) {
		nodes := 500
		checkRoundTrip(t, gen(&byteSource{data}, 0, &nodes))
	})
}

// FuzzIsNumber holds IsNumber to the parser: a byte string is one JSON
// number exactly when Parse reads it as a lone number.
func FuzzIsNumber(f *testing.F) {
	for _, s := range []string{"0", "-1.5e+3", "01", "1.", ".5", "1e", "--1", " 1", "1 "} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := jsonx.Parse(b)
		want := err == nil && d.Root().Kind() == jsonx.Number && len(b) > 0 && b[0] != ' ' && b[len(b)-1] != ' ' &&
			b[0] != '\t' && b[0] != '\n' && b[0] != '\r' && b[len(b)-1] != '\t' && b[len(b)-1] != '\n' && b[len(b)-1] != '\r'
		if got := jsonx.IsNumber(b); got != want {
			t.Fatalf("IsNumber(%q) = %v, want %v", b, got, want)
		}
	})
}

func ascending(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func descending(n int) []int {
	s := ascending(n)
	slices.Reverse(s)
	return s
}
