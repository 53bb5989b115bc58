// Package jsonx is the reservation core's JSON layer: a strict parser into a
// flat node array and an append-based writer, both without reflection.
//
// Why not encoding/json: the core runs inside a wasip1 guest where
// reflection-heavy decoding costs 10–14× native (see the design's spike
// figures), and validation must report every wrongly typed field by its JSON
// path instead of stopping at the first type mismatch. Walking a parsed tree
// gives both.
//
// The parser accepts RFC 8259 JSON only. It also refuses what PHP's
// json_decode (FrontGo's side) would read differently from us: invalid UTF-8,
// and duplicate object keys (PHP keeps the last one silently).
package jsonx

import (
	"encoding/binary"
	"iter"
	"math/bits"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// Kind is the JSON type of a value.
type Kind uint8

// The JSON kinds. Invalid is the zero Value's kind (a missing member).
const (
	Invalid Kind = iota
	Null
	Bool
	Number
	String
	Array
	Object
)

var kindNames = [...]string{"missing", "null", "boolean", "number", "string", "array", "object"}

// String names the kind the way validation messages do ("a string").
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Limits guard the parser against hostile documents.
const (
	MaxDepth = 64
	MaxNodes = 1 << 20
)

// node is one value, or one object key, in document order. Children follow
// their parent; next is the index just past the value's subtree, so skipping a
// value is O(1). For an object, children come in pairs: key node, value node.
type node struct {
	kind    Kind
	escaped bool // string holds escapes: unescape on read
	isKey   bool
	start   uint32 // raw span; strings exclude the quotes
	end     uint32
	next    uint32 // index after this node's subtree
	n       uint32 // members (object) or elements (array); a key's fingerprint
	// keys is an object's key filter: bit keyBit(fingerprint) is set for
	// each member, so Get answers "absent" for most missing names without
	// a scan. All bits are set when a key holds escapes.
	keys uint32
}

// keyBit is the bit of a fingerprint in an object's key filter.
func keyBit(h uint32) uint32 { return 1 << ((h * 0x9E3779B1) >> 27) }

// Doc is a parsed document. It keeps a reference to the source bytes; the
// caller must not modify them while the Doc is in use.
type Doc struct {
	src   []byte
	nodes []node
	// hintObj/hintKey remember where the last Get found a member, so the
	// usual pattern (reading an object's fields in document order) costs
	// one comparison per field. Reads therefore write: a Doc is not safe
	// for concurrent use.
	hintObj, hintKey uint32
}

// SyntaxError reports where and why a document is not acceptable JSON.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return "invalid json at offset " + strconv.Itoa(e.Offset) + ": " + e.Msg
}

// Parse parses src into a Doc. The whole input must be one JSON value,
// optionally surrounded by whitespace.
func Parse(src []byte) (*Doc, error) {
	d := &Doc{}
	if err := d.Reset(src); err != nil {
		return nil, err
	}
	return d, nil
}

// Reset parses src into d, reusing d's node storage. It lets a hot path
// parse many documents without allocating a new tree each time.
func (d *Doc) Reset(src []byte) error { return d.reset(src, false) }

// ParseOwn parses a document this process wrote itself with Writer, which
// cannot hold duplicate keys: the duplicate-key scan is skipped. Every
// other check stays. Never use it on input from outside.
func ParseOwn(src []byte) (*Doc, error) {
	d := &Doc{}
	if err := d.reset(src, true); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *Doc) reset(src []byte, own bool) error {
	d.hintObj, d.hintKey = 0, 0
	if len(src) >= 1<<31 {
		return &SyntaxError{Offset: 0, Msg: "document too large"}
	}
	nodes := d.nodes[:0]
	if cap(nodes) == 0 {
		nodes = make([]node, 0, 16+len(src)/8)
	}
	nodes, err := parse(src, nodes, own)
	if err != nil {
		d.src, d.nodes = nil, nodes[:0]
		return err
	}
	d.src, d.nodes = src, nodes
	return nil
}

// errAt is a SyntaxError at pos. Out of line, so the parser's error
// exits stay small.
//
//go:noinline
func errAt(pos int, msg string) error { return &SyntaxError{Offset: pos, Msg: msg} }

// strPlain marks the bytes a string's fast path steps over: printable ASCII
// other than the quote and the backslash.
var strPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// skipWS returns the index of the first byte at or after pos that is not
// JSON whitespace, or len(src). The usual case, no whitespace at all (a
// compact document), is decided inline; a run of whitespace is a call.
func skipWS(src []byte, pos int) int {
	if pos < len(src) && src[pos] > ' ' {
		return pos
	}
	return skipSpace(src, pos)
}

// spaces8 is eight spaces read as one little-endian word.
const spaces8 = ' ' * wordLo

// skipSpace is skipWS's loop. After each whitespace byte it steps over the
// spaces that follow in one step, up to eight: a pretty-printed answer
// (FrontGo's examples are indented) is about half indentation, which a byte
// at a time costs several nanoseconds per byte in the wasm guest (see
// word.go).
func skipSpace(src []byte, pos int) int {
	for pos < len(src) {
		switch src[pos] {
		case ' ', '\t', '\n', '\r':
			pos++
		default:
			return pos
		}
		if pos+8 <= len(src) {
			// The spaces before the first other byte of the next eight.
			pos += bits.TrailingZeros64(wordAt(src, pos)^spaces8) >> 3
		}
	}
	return pos
}

// parse is the whole parser in one loop with an explicit stack of open
// containers: the Go wasm backend makes every function call, and every
// field of a parser struct kept in memory, costly, so the hot state lives
// in locals. Only the scan of a string's body is a call (scanString).
// Errors and their offsets are those of the recursive descent this
// replaced (TestParserMatchesReference holds it to that).
func parse(src []byte, nodes []node, own bool) ([]node, error) {
	var stack [MaxDepth]uint32             // open containers, innermost last
	var sets [MaxDepth]map[string]struct{} // keys of big open objects
	depth := 0
	wantKey := false
	n := len(src)
	pos := skipWS(src, 0)
	for {
		// A value (or, in an object, a key) starts at pos.
		if pos >= n {
			if wantKey {
				return nodes, errAt(pos, "object key expected")
			}
			return nodes, errAt(pos, "unexpected end of input")
		}
		c := src[pos]
		if wantKey && c != '"' {
			return nodes, errAt(pos, "object key expected")
		}
		switch {
		case c == '"':
			if len(nodes) >= MaxNodes {
				return nodes, errAt(pos, "too many values")
			}
			k := len(nodes)
			pos++ // opening quote
			start := pos
			end, escaped, msg := scanString(src, pos)
			if msg != "" {
				return nodes, errAt(end, msg)
			}
			pos = end
			nodes = append(nodes, node{kind: String, escaped: escaped, isKey: wantKey,
				start: uint32(start), end: uint32(pos), next: uint32(k + 1)})
			pos++ // closing quote
			if !wantKey {
				break
			}
			// A member's key: refuse a repeat, then read ':' and the value.
			wantKey = false
			key := src[start : pos-1]
			h := keyHash(key)
			nodes[k].n = h
			// A key whose filter bit is still clear cannot repeat an
			// earlier one (equal keys have equal fingerprints), so
			// most keys skip the duplicate scan.
			filter := nodes[stack[depth-1]].keys
			if escaped {
				nodes[stack[depth-1]].keys = ^uint32(0)
			} else {
				nodes[stack[depth-1]].keys = filter | keyBit(h)
			}
			if !own && depth > 0 && (filter&keyBit(h) != 0 || escaped || nodes[stack[depth-1]].n >= dupScanMembers) {
				obj := int(stack[depth-1])
				var dup bool
				if nodes[obj].n < dupScanMembers {
					dup = dupKey(src, nodes, obj, k, h)
				} else {
					// A linear scan per key would make a hostile object
					// with many members quadratic; big objects use a set.
					seen := sets[depth-1]
					if seen == nil {
						seen = keySet(src, nodes, obj, k)
						sets[depth-1] = seen
					}
					s := unescape(key, escaped)
					_, dup = seen[s]
					seen[s] = struct{}{}
				}
				if dup {
					return nodes, errAt(start, "duplicate object key "+strconv.Quote(unescape(key, escaped)))
				}
			}
			pos = skipWS(src, pos)
			if pos >= n || src[pos] != ':' {
				return nodes, errAt(pos, "':' expected after object key")
			}
			pos = skipWS(src, pos+1)
			continue
		case c == '{' || c == '[':
			if depth >= MaxDepth {
				return nodes, errAt(pos, "nesting too deep")
			}
			if len(nodes) >= MaxNodes {
				return nodes, errAt(pos, "too many values")
			}
			kind, closer := Object, byte('}')
			if c == '[' {
				kind, closer = Array, ']'
			}
			i := len(nodes)
			nodes = append(nodes, node{kind: kind, start: uint32(pos)})
			pos = skipWS(src, pos+1)
			if pos < n && src[pos] == closer {
				pos++
				nodes[i].end = uint32(pos)
				nodes[i].next = uint32(len(nodes))
				break
			}
			stack[depth] = uint32(i)
			sets[depth] = nil
			depth++
			wantKey = kind == Object
			continue
		case c == 't' || c == 'f' || c == 'n':
			word, kind := "null", Null
			if c == 't' {
				word, kind = "true", Bool
			} else if c == 'f' {
				word, kind = "false", Bool
			}
			if n-pos < len(word) || string(src[pos:pos+len(word)]) != word {
				return nodes, errAt(pos, "invalid literal")
			}
			if len(nodes) >= MaxNodes {
				return nodes, errAt(pos, "too many values")
			}
			nodes = append(nodes, node{kind: kind, start: uint32(pos), end: uint32(pos + len(word)),
				next: uint32(len(nodes) + 1)})
			pos += len(word)
		case c == '-' || (c >= '0' && c <= '9'):
			if len(nodes) >= MaxNodes {
				return nodes, errAt(pos, "too many values")
			}
			start := pos
			var msg string
			if pos, msg = numberEnd(src, pos); msg != "" {
				return nodes, errAt(pos, msg)
			}
			nodes = append(nodes, node{kind: Number, start: uint32(start), end: uint32(pos),
				next: uint32(len(nodes) + 1)})
		default:
			r, _ := utf8.DecodeRune(src[pos:]) // name "é", not its first byte
			return nodes, errAt(pos, "unexpected character "+strconv.QuoteRune(r))
		}

		// A value is complete: close the containers it completes.
		for {
			if depth == 0 {
				pos = skipWS(src, pos)
				if pos != n {
					return nodes, errAt(pos, "unexpected data after the top-level value")
				}
				return nodes, nil
			}
			top := stack[depth-1]
			obj := nodes[top].kind == Object
			nodes[top].n++
			pos = skipWS(src, pos)
			if pos >= n {
				if obj {
					return nodes, errAt(pos, "unexpected end of input in object")
				}
				return nodes, errAt(pos, "unexpected end of input in array")
			}
			if src[pos] == ',' {
				pos = skipWS(src, pos+1)
				wantKey = obj
				break
			}
			if (obj && src[pos] == '}') || (!obj && src[pos] == ']') {
				pos++
				nodes[top].end = uint32(pos)
				nodes[top].next = uint32(len(nodes))
				depth--
				continue
			}
			if obj {
				return nodes, errAt(pos, "',' or '}' expected in object")
			}
			return nodes, errAt(pos, "',' or ']' expected in array")
		}
	}
}

// scanString finds the closing quote of the string whose body starts at pos
// and reports whether the body holds escapes; on a fault it returns where
// and why. It is the one loop kept out of parse: under wazero a tight loop
// runs about twice as fast in a small function as inside parse's large one
// (BENCHMARKS.md, fourth session), which more than pays for the call.
func scanString(src []byte, pos int) (int, bool, string) {
	n := len(src)
	escaped := false
	for {
		// Step over plain bytes eight at a time (see word.go).
		if pos+8 <= n {
			m := specialBytes(wordAt(src, pos))
			if m == 0 {
				pos += 8
				continue
			}
			pos += bits.TrailingZeros64(m) >> 3
		} else {
			for pos < n && strPlain[src[pos]] {
				pos++
			}
		}
		if pos >= n {
			return pos, escaped, "unterminated string"
		}
		c := src[pos]
		if c == '"' {
			return pos, escaped, ""
		}
		switch {
		case c == '\\':
			escaped = true
			if pos+1 >= n {
				return pos, escaped, "unterminated string"
			}
			switch src[pos+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				pos += 2
			case 'u':
				if pos+6 > n || !isHex4(src[pos+2:pos+6]) {
					return pos, escaped, "invalid \\u escape"
				}
				pos += 6
			default:
				return pos, escaped, "invalid escape"
			}
		case c < 0x20:
			return pos, escaped, "control character in string"
		default:
			r, size := utf8.DecodeRune(src[pos:])
			if r == utf8.RuneError && size <= 1 {
				return pos, escaped, "invalid UTF-8 in string"
			}
			pos += size
		}
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// numberEnd scans the JSON number starting at b[pos] and returns the index
// after it, or where it goes wrong and why.
func numberEnd(b []byte, pos int) (int, string) {
	n := len(b)
	if pos < n && b[pos] == '-' {
		pos++
	}
	switch {
	case pos < n && b[pos] == '0':
		pos++
	case pos < n && isDigit(b[pos]):
		for pos < n && isDigit(b[pos]) {
			pos++
		}
	default:
		return pos, "invalid number"
	}
	if pos < n && b[pos] == '.' {
		pos++
		if pos >= n || !isDigit(b[pos]) {
			return pos, "invalid number: digit expected after '.'"
		}
		for pos < n && isDigit(b[pos]) {
			pos++
		}
	}
	if pos < n && (b[pos] == 'e' || b[pos] == 'E') {
		pos++
		if pos < n && (b[pos] == '+' || b[pos] == '-') {
			pos++
		}
		if pos >= n || !isDigit(b[pos]) {
			return pos, "invalid number: digit expected in exponent"
		}
		for pos < n && isDigit(b[pos]) {
			pos++
		}
	}
	return pos, ""
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !(isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) {
			return false
		}
	}
	return true
}

// keyHash is a cheap fingerprint of a key's raw bytes (length and three
// bytes) stored in the key node's n: the duplicate-key scan compares bytes
// only when fingerprints agree.
func keyHash[S []byte | string](k S) uint32 {
	l := len(k)
	if l == 0 {
		return 0
	}
	return uint32(l)<<24 ^ uint32(k[0])<<16 ^ uint32(k[l/2])<<8 ^ uint32(k[l-1])
}

// dupScanMembers is how many members an object may have before duplicate
// keys are found through a set instead of a scan of the earlier keys.
const dupScanMembers = 32

// keySet returns the unescaped keys of object obj's members before key node k.
func keySet(src []byte, nodes []node, obj, k int) map[string]struct{} {
	set := make(map[string]struct{}, 2*dupScanMembers)
	for j := obj + 1; j < k; j = int(nodes[j+1].next) {
		jn := &nodes[j]
		set[unescape(src[jn.start:jn.end], jn.escaped)] = struct{}{}
	}
	return set
}

// dupKey reports whether key node k (fingerprint h) repeats a key already
// in object obj.
func dupKey(src []byte, nodes []node, obj, k int, h uint32) bool {
	kn := &nodes[k]
	key := src[kn.start:kn.end]
	for j := obj + 1; j < k; j = int(nodes[j+1].next) {
		jn := &nodes[j]
		if jn.escaped || kn.escaped {
			if unescape(src[jn.start:jn.end], jn.escaped) == unescape(key, kn.escaped) {
				return true
			}
		} else if jn.n == h && string(src[jn.start:jn.end]) == string(key) {
			return true
		}
	}
	return false
}

// unescape decodes a string body already checked by the scanner.
func unescape(b []byte, escaped bool) string {
	if !escaped {
		return string(b)
	}
	out := unescapeBytes(b)
	// out is fresh and never written again: share it instead of copying.
	return unsafe.String(unsafe.SliceData(out), len(out))
}

// unescapeBytes decodes a string body that holds escapes into a new slice.
func unescapeBytes(b []byte) []byte { return unescapeInto(make([]byte, len(b)), b) }

// unescapeInto decodes b into out, which must be at least len(b) long, and
// returns the decoded prefix of out.
func unescapeInto(out, b []byte) []byte {
	// The result is never longer than b (an escape is at least as long as
	// what it stands for), so it is written into a buffer of len(b) by
	// index, eight bytes at a time between escapes (see word.go).
	out = out[:len(b)]
	o := 0
	for i := 0; i < len(b); {
		if b[i] != '\\' {
			if i+8 <= len(b) {
				w := wordAt(b, i)
				binary.LittleEndian.PutUint64(out[o:], w) // o <= i: fits
				m := zeroBytes(w ^ ('\\' * wordLo))
				if m == 0 {
					i, o = i+8, o+8
					continue
				}
				k := bits.TrailingZeros64(m) >> 3
				i, o = i+k, o+k
				continue
			}
			out[o] = b[i]
			i, o = i+1, o+1
			continue
		}
		c := b[i+1]
		switch c {
		case '"', '\\', '/':
		case 'b':
			c = '\b'
		case 'f':
			c = '\f'
		case 'n':
			c = '\n'
		case 'r':
			c = '\r'
		case 't':
			c = '\t'
		case 'u':
			r := rune(hex4(b[i+2 : i+6]))
			i += 6
			if utf16.IsSurrogate(r) {
				if i+6 <= len(b) && b[i] == '\\' && b[i+1] == 'u' {
					r2 := rune(hex4(b[i+2 : i+6]))
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						o += utf8.EncodeRune(out[o:], dec)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			o += utf8.EncodeRune(out[o:], r)
			continue
		}
		out[o] = c
		i, o = i+2, o+1
	}
	return out[:o]
}

func hex4(b []byte) uint32 {
	var v uint32
	for _, c := range b {
		v <<= 4
		switch {
		case c >= '0' && c <= '9':
			v |= uint32(c - '0')
		case c >= 'a' && c <= 'f':
			v |= uint32(c-'a') + 10
		default:
			v |= uint32(c-'A') + 10
		}
	}
	return v
}

// Value is a handle on one value of a Doc. The zero Value is "missing": its
// Kind is Invalid, and every accessor reports absence.
type Value struct {
	d *Doc
	i uint32
}

// Root returns the top-level value.
func (d *Doc) Root() Value {
	if d == nil || len(d.nodes) == 0 {
		return Value{}
	}
	return Value{d: d, i: 0}
}

// Kind returns the value's JSON type, or Invalid for a missing value.
func (v Value) Kind() Kind {
	if v.d == nil {
		return Invalid
	}
	return v.d.nodes[v.i].kind
}

// Exists reports whether the value is present (it may still be null).
func (v Value) Exists() bool { return v.d != nil }

// IsNull reports whether the value is JSON null.
func (v Value) IsNull() bool { return v.Kind() == Null }

// Absent reports whether the value is missing or null: the reference's
// "optional" fields may be either.
func (v Value) Absent() bool { k := v.Kind(); return k == Invalid || k == Null }

// Raw returns the value's source bytes (for strings: without the quotes and
// still escaped). It shares memory with the document.
func (v Value) Raw() []byte {
	if v.d == nil {
		return nil
	}
	n := &v.d.nodes[v.i]
	return v.d.src[n.start:n.end]
}

// Str returns a string value, unescaped.
func (v Value) Str() (string, bool) {
	if v.Kind() != String {
		return "", false
	}
	n := &v.d.nodes[v.i]
	return unescape(v.d.src[n.start:n.end], n.escaped), true
}

// Bool returns a boolean value.
func (v Value) Bool() (b, ok bool) {
	if v.Kind() != Bool {
		return false, false
	}
	return v.d.src[v.d.nodes[v.i].start] == 't', true
}

// Len returns the number of members or elements of an object or array.
func (v Value) Len() int {
	if k := v.Kind(); k != Array && k != Object {
		return 0
	}
	return int(v.d.nodes[v.i].n)
}

// IsLast reports whether m, a member value of the object (or an element of
// the array) v, comes last in it: nothing but whitespace stands between m
// and v's closing bracket. An input that embeds text it did not check
// (a response body) as its last member uses this to prove the text was one
// JSON value: anything the text added after that value would be a member
// of its own.
func (v Value) IsLast(m Value) bool {
	if k := v.Kind(); (k != Object && k != Array) || m.d != v.d || m.i <= v.i {
		return false
	}
	return m.d.nodes[m.i].next == v.d.nodes[v.i].next
}

// Get returns the member named key of an object, or the zero Value.
//
// Callers mostly read an object's members in document order, so Get first
// tries the member after the one it last found in the same object (one
// fingerprint and one in-line compare); otherwise it scans the members
// from there, round to where it started. In the wasm guest the hint-first
// path with the in-line compare (equalKey) took a third off a lookup.
func (v Value) Get(key string) Value {
	d := v.d
	if d == nil {
		return Value{}
	}
	on := &d.nodes[v.i]
	if on.kind != Object {
		return Value{}
	}
	h := keyHash(key)
	end := on.next
	first := v.i + 1
	start := first
	if d.hintObj == v.i && d.hintKey > first && d.hintKey < end {
		start = d.hintKey // continue where the last lookup in this object ended
		if kn := &d.nodes[start]; kn.n == h && !kn.escaped && equalKey(d.src[kn.start:kn.end], key) {
			d.hintKey = d.nodes[start+1].next
			return Value{d: d, i: start + 1}
		}
	}
	if on.keys&keyBit(h) == 0 {
		return Value{}
	}
	for pass := 0; pass < 2; pass++ {
		stop := end
		if pass == 1 {
			if start == first {
				break
			}
			start, stop = first, start
		}
		for j := start; j < stop; {
			kn := &d.nodes[j]
			next := d.nodes[j+1].next
			if (!kn.escaped && kn.n == h && equalKey(d.src[kn.start:kn.end], key)) ||
				(kn.escaped && unescape(d.src[kn.start:kn.end], true) == key) {
				d.hintObj, d.hintKey = v.i, next
				return Value{d: d, i: j + 1}
			}
			j = next
		}
	}
	return Value{}
}

// Members iterates over an object's members in document order.
func (v Value) Members() iter.Seq2[string, Value] {
	return func(yield func(string, Value) bool) {
		if v.Kind() != Object {
			return
		}
		d := v.d
		end := d.nodes[v.i].next
		for j := v.i + 1; j < end; {
			kn := &d.nodes[j]
			if !yield(unescape(d.src[kn.start:kn.end], kn.escaped), Value{d: d, i: j + 1}) {
				return
			}
			j = d.nodes[j+1].next
		}
	}
}

// Elems iterates over an array's elements with their indexes.
func (v Value) Elems() iter.Seq2[int, Value] {
	return func(yield func(int, Value) bool) {
		if v.Kind() != Array {
			return
		}
		d := v.d
		end := d.nodes[v.i].next
		k := 0
		for j := v.i + 1; j < end; j = d.nodes[j].next {
			if !yield(k, Value{d: d, i: j}) {
				return
			}
			k++
		}
	}
}

// IsWhole reports whether v is a number written as a whole number: digits
// with an optional minus, no fraction or exponent, whatever its size. It
// tells an integer too large for Int from one that is not whole, for an
// error that names the right rule.
func (v Value) IsWhole() bool {
	if v.Kind() != Number {
		return false
	}
	raw := v.Raw()
	if len(raw) > 0 && raw[0] == '-' {
		raw = raw[1:]
	}
	for _, c := range raw {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(raw) > 0
}

// Int returns an integer number value that fits int64 (no fraction or
// exponent). Like the other accessors it returns 0, false otherwise.
func (v Value) Int() (int64, bool) {
	if v.Kind() != Number {
		return 0, false
	}
	raw := v.Raw()
	// The parser has checked the number's syntax, so up to 18 digits (which
	// cannot overflow) are summed directly: strconv.ParseInt's generality
	// was a few per cent of an order's validation in the wasm guest. A
	// fraction or an exponent stops the loop; longer numbers take ParseInt.
	if digits := raw; len(digits) > 0 {
		neg := digits[0] == '-'
		if neg {
			digits = digits[1:]
		}
		if len(digits) <= 18 {
			var n int64
			for _, c := range digits {
				if c < '0' || c > '9' {
					return 0, false
				}
				n = n*10 + int64(c-'0')
			}
			if neg {
				n = -n
			}
			return n, true
		}
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, false // not ParseInt's clamped value
	}
	return n, true
}
