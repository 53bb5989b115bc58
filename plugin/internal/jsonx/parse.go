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
	"bytes"
	"iter"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
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
	n       uint32 // members (object) or elements (array)
}

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

type parser struct {
	src     []byte
	pos     int
	nodes   []node
	ownKeys bool // the document was written by this process: skip duplicate-key checks
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
	p := parser{src: src, nodes: d.nodes[:0], ownKeys: own}
	if cap(p.nodes) == 0 {
		p.nodes = make([]node, 0, 16+len(src)/8)
	}
	p.skipWS()
	if err := p.value(0); err != nil {
		d.src, d.nodes = nil, p.nodes[:0]
		return err
	}
	p.skipWS()
	if p.pos != len(src) {
		d.src, d.nodes = nil, p.nodes[:0]
		return p.errf("unexpected data after the top-level value")
	}
	d.src, d.nodes = src, p.nodes
	return nil
}

func (p *parser) errf(msg string) error { return &SyntaxError{Offset: p.pos, Msg: msg} }

func (p *parser) skipWS() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) push(k Kind) (int, error) {
	if len(p.nodes) >= MaxNodes {
		return 0, p.errf("too many values")
	}
	p.nodes = append(p.nodes, node{kind: k, start: uint32(p.pos)})
	return len(p.nodes) - 1, nil
}

func (p *parser) value(depth int) error {
	if p.pos >= len(p.src) {
		return p.errf("unexpected end of input")
	}
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		i, err := p.push(String)
		if err != nil {
			return err
		}
		return p.str(i)
	case c == 't':
		return p.literal("true", Bool)
	case c == 'f':
		return p.literal("false", Bool)
	case c == 'n':
		return p.literal("null", Null)
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	default:
		r, _ := utf8.DecodeRune(p.src[p.pos:]) // name "é", not its first byte
		return p.errf("unexpected character " + strconv.QuoteRune(r))
	}
}

func (p *parser) literal(word string, k Kind) error {
	if len(p.src)-p.pos < len(word) || string(p.src[p.pos:p.pos+len(word)]) != word {
		return p.errf("invalid literal")
	}
	i, err := p.push(k)
	if err != nil {
		return err
	}
	p.pos += len(word)
	p.nodes[i].end = uint32(p.pos)
	p.nodes[i].next = uint32(i + 1)
	return nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (p *parser) number() error {
	i, err := p.push(Number)
	if err != nil {
		return err
	}
	s, n := p.src, len(p.src)
	if p.pos < n && s[p.pos] == '-' {
		p.pos++
	}
	switch {
	case p.pos < n && s[p.pos] == '0':
		p.pos++
	case p.pos < n && isDigit(s[p.pos]):
		for p.pos < n && isDigit(s[p.pos]) {
			p.pos++
		}
	default:
		return p.errf("invalid number")
	}
	if p.pos < n && s[p.pos] == '.' {
		p.pos++
		if p.pos >= n || !isDigit(s[p.pos]) {
			return p.errf("invalid number: digit expected after '.'")
		}
		for p.pos < n && isDigit(s[p.pos]) {
			p.pos++
		}
	}
	if p.pos < n && (s[p.pos] == 'e' || s[p.pos] == 'E') {
		p.pos++
		if p.pos < n && (s[p.pos] == '+' || s[p.pos] == '-') {
			p.pos++
		}
		if p.pos >= n || !isDigit(s[p.pos]) {
			return p.errf("invalid number: digit expected in exponent")
		}
		for p.pos < n && isDigit(s[p.pos]) {
			p.pos++
		}
	}
	p.nodes[i].end = uint32(p.pos)
	p.nodes[i].next = uint32(i + 1)
	return nil
}

// str scans a string starting at the opening quote into node i.
func (p *parser) str(i int) error {
	p.pos++ // opening quote
	start := p.pos
	escaped := false
	s, n := p.src, len(p.src)
	for {
		// Fast path over plain ASCII.
		for p.pos < n {
			c := s[p.pos]
			if c == '"' || c == '\\' || c < 0x20 || c >= 0x80 {
				break
			}
			p.pos++
		}
		if p.pos >= n {
			return p.errf("unterminated string")
		}
		c := s[p.pos]
		switch {
		case c == '"':
			p.nodes[i].start = uint32(start)
			p.nodes[i].end = uint32(p.pos)
			p.nodes[i].escaped = escaped
			p.nodes[i].next = uint32(i + 1)
			p.pos++
			return nil
		case c == '\\':
			escaped = true
			if p.pos+1 >= n {
				return p.errf("unterminated string")
			}
			switch s[p.pos+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.pos += 2
			case 'u':
				if p.pos+6 > n || !isHex4(s[p.pos+2:p.pos+6]) {
					return p.errf("invalid \\u escape")
				}
				p.pos += 6
			default:
				return p.errf("invalid escape")
			}
		case c < 0x20:
			return p.errf("control character in string")
		default:
			r, size := utf8.DecodeRune(s[p.pos:])
			if r == utf8.RuneError && size <= 1 {
				return p.errf("invalid UTF-8 in string")
			}
			p.pos += size
		}
	}
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !(isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) {
			return false
		}
	}
	return true
}

func (p *parser) object(depth int) error {
	if depth >= MaxDepth {
		return p.errf("nesting too deep")
	}
	i, err := p.push(Object)
	if err != nil {
		return err
	}
	p.pos++
	p.skipWS()
	var count uint32
	var seen map[string]struct{} // keys so far, once count reaches dupScanMembers
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		p.nodes[i].end = uint32(p.pos)
		p.nodes[i].next = uint32(len(p.nodes))
		return nil
	}
	for {
		if p.pos >= len(p.src) || p.src[p.pos] != '"' {
			return p.errf("object key expected")
		}
		k, err := p.push(String)
		if err != nil {
			return err
		}
		p.nodes[k].isKey = true
		if err := p.str(k); err != nil {
			return err
		}
		dup := false
		if p.ownKeys {
			// written by Writer from distinct field names
		} else if count < dupScanMembers {
			dup = p.dupKey(i, k)
		} else {
			// A linear scan per key would make a hostile object with
			// many members quadratic; big objects switch to a set.
			if seen == nil {
				seen = p.keySet(i, k)
			}
			key := unescape(p.src[p.nodes[k].start:p.nodes[k].end], p.nodes[k].escaped)
			_, dup = seen[key]
			seen[key] = struct{}{}
		}
		if dup {
			p.pos = int(p.nodes[k].start)
			return p.errf("duplicate object key " + strconv.Quote(unescape(p.src[p.nodes[k].start:p.nodes[k].end], p.nodes[k].escaped)))
		}
		p.skipWS()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return p.errf("':' expected after object key")
		}
		p.pos++
		p.skipWS()
		if err := p.value(depth + 1); err != nil {
			return err
		}
		count++
		p.skipWS()
		if p.pos >= len(p.src) {
			return p.errf("unexpected end of input in object")
		}
		if p.src[p.pos] == ',' {
			p.pos++
			p.skipWS()
			continue
		}
		if p.src[p.pos] == '}' {
			p.pos++
			p.nodes[i].end = uint32(p.pos)
			p.nodes[i].next = uint32(len(p.nodes))
			p.nodes[i].n = count
			return nil
		}
		return p.errf("',' or '}' expected in object")
	}
}

// dupScanMembers is how many members an object may have before duplicate
// keys are found through a set instead of a scan of the earlier keys.
const dupScanMembers = 32

// keySet returns the unescaped keys of object obj's members before key node k.
func (p *parser) keySet(obj, k int) map[string]struct{} {
	set := make(map[string]struct{}, 2*dupScanMembers)
	for j := obj + 1; j < k; j = int(p.nodes[j+1].next) {
		jn := p.nodes[j]
		set[unescape(p.src[jn.start:jn.end], jn.escaped)] = struct{}{}
	}
	return set
}

// dupKey reports whether key node k repeats a key already in object obj.
func (p *parser) dupKey(obj, k int) bool {
	kn := p.nodes[k]
	key := p.src[kn.start:kn.end]
	for j := obj + 1; j < k; {
		jn := p.nodes[j]
		if jn.escaped || kn.escaped {
			if unescape(p.src[jn.start:jn.end], jn.escaped) == unescape(key, kn.escaped) {
				return true
			}
		} else if string(p.src[jn.start:jn.end]) == string(key) {
			return true
		}
		j = int(p.nodes[j+1].next) // skip the member's value
	}
	return false
}

func (p *parser) array(depth int) error {
	if depth >= MaxDepth {
		return p.errf("nesting too deep")
	}
	i, err := p.push(Array)
	if err != nil {
		return err
	}
	p.pos++
	p.skipWS()
	var count uint32
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		p.nodes[i].end = uint32(p.pos)
		p.nodes[i].next = uint32(len(p.nodes))
		return nil
	}
	for {
		if err := p.value(depth + 1); err != nil {
			return err
		}
		count++
		p.skipWS()
		if p.pos >= len(p.src) {
			return p.errf("unexpected end of input in array")
		}
		if p.src[p.pos] == ',' {
			p.pos++
			p.skipWS()
			continue
		}
		if p.src[p.pos] == ']' {
			p.pos++
			p.nodes[i].end = uint32(p.pos)
			p.nodes[i].next = uint32(len(p.nodes))
			p.nodes[i].n = count
			return nil
		}
		return p.errf("',' or ']' expected in array")
	}
}

// unescape decodes a string body already checked by the scanner.
func unescape(b []byte, escaped bool) string {
	if !escaped {
		return string(b)
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		if b[i] != '\\' {
			// Copy the run up to the next escape in one go: per-byte
			// appends are slow under the Go wasm backend.
			j := bytes.IndexByte(b[i:], '\\')
			if j < 0 {
				out = append(out, b[i:]...)
				break
			}
			out = append(out, b[i:i+j]...)
			i += j
			continue
		}
		switch b[i+1] {
		case '"', '\\', '/':
			out = append(out, b[i+1])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := rune(hex4(b[i+2 : i+6]))
			i += 6
			if utf16.IsSurrogate(r) {
				if i+6 <= len(b) && b[i] == '\\' && b[i+1] == 'u' {
					r2 := rune(hex4(b[i+2 : i+6]))
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						out = utf8.AppendRune(out, dec)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
			continue
		}
		i += 2
	}
	return string(out)
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
	n := v.d.nodes[v.i]
	return v.d.src[n.start:n.end]
}

// Str returns a string value, unescaped.
func (v Value) Str() (string, bool) {
	if v.Kind() != String {
		return "", false
	}
	n := v.d.nodes[v.i]
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

// Get returns the member named key of an object, or the zero Value.
func (v Value) Get(key string) Value {
	if v.Kind() != Object {
		return Value{}
	}
	d := v.d
	end := d.nodes[v.i].next
	first := v.i + 1
	start := first
	if d.hintObj == v.i && d.hintKey > first && d.hintKey < end {
		start = d.hintKey // continue where the last lookup in this object ended
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
			kn := d.nodes[j]
			next := d.nodes[j+1].next
			if (!kn.escaped && string(d.src[kn.start:kn.end]) == key) ||
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
			kn := d.nodes[j]
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

// Int returns an integer number value that fits int64 (no fraction or
// exponent). Like the other accessors it returns 0, false otherwise.
func (v Value) Int() (int64, bool) {
	if v.Kind() != Number {
		return 0, false
	}
	n, err := strconv.ParseInt(string(v.Raw()), 10, 64)
	if err != nil {
		return 0, false // not ParseInt's clamped value
	}
	return n, true
}
