package jsonx

// StrBytes returns a string value's bytes: the source bytes when the string
// holds no escapes (shared with the document; do not modify), else a fresh
// unescaped copy.
func (v Value) StrBytes() ([]byte, bool) { return v.StrBytesInto(nil) }

// StrBytesInto is StrBytes that decodes a string holding escapes into
// scratch's storage when it is large enough (else into a new slice). The
// result shares memory with the document or with scratch.
func (v Value) StrBytesInto(scratch []byte) ([]byte, bool) {
	if v.Kind() != String {
		return nil, false
	}
	n := &v.d.nodes[v.i]
	b := v.d.src[n.start:n.end]
	if !n.escaped {
		return b, true
	}
	if cap(scratch) < len(b) {
		return unescapeBytes(b), true
	}
	return unescapeInto(scratch[:cap(scratch)], b), true
}

// IsNumber reports whether b is exactly one JSON number.
func IsNumber(b []byte) bool {
	end, msg := numberEnd(b, 0)
	return msg == "" && end == len(b)
}

// IndexKey writes the key "i" of an object keyed "0", "1", … (FrontGo's
// products) without formatting a string.
func (w *Writer) IndexKey(i int) {
	w.sep()
	w.buf = append(w.buf, '"')
	w.buf = appendInt(w.buf, i)
	w.buf = append(w.buf, '"', ':')
	w.comma = false
}

// QuotedFunc writes a string value whose characters f appends; f must
// append nothing that needs escaping (digits, a decimal point).
func (w *Writer) QuotedFunc(f func([]byte) []byte) {
	w.sep()
	w.buf = append(w.buf, '"')
	w.buf = f(w.buf)
	w.buf = append(w.buf, '"')
}

func appendInt(b []byte, i int) []byte {
	if i < 10 {
		return append(b, byte('0'+i))
	}
	var tmp [20]byte
	n := len(tmp)
	for i > 0 {
		n--
		tmp[n] = byte('0' + i%10)
		i /= 10
	}
	return append(b, tmp[n:]...)
}

// Iter walks an object's members or an array's elements without closures:
// the Go wasm backend makes every call costly, and range-over-func costs a
// call per element. Use it as
//
//	for it := v.Iter(); it.Next(); {
//		key, val := it.Key(), it.Value() // Key is empty for arrays
//	}
type Iter struct {
	d        *Doc
	cur, end uint32
	key, val uint32
	object   bool
	n        int
}

// Iter returns an iterator over v's members (object) or elements (array);
// for other kinds it yields nothing.
func (v Value) Iter() Iter {
	k := v.Kind()
	if k != Object && k != Array {
		return Iter{}
	}
	return Iter{d: v.d, cur: v.i + 1, end: v.d.nodes[v.i].next, object: k == Object, n: -1}
}

// Next advances to the next member or element.
func (it *Iter) Next() bool {
	if it.d == nil || it.cur >= it.end {
		return false
	}
	it.n++
	if it.object {
		it.key, it.val = it.cur, it.cur+1
	} else {
		it.val = it.cur
	}
	it.cur = it.d.nodes[it.val].next
	return true
}

// Index is the position of the current member or element, from 0.
func (it *Iter) Index() int { return it.n }

// Value is the current member's value or the current element.
func (it *Iter) Value() Value { return Value{d: it.d, i: it.val} }

// KeyBytes is the current member's key as raw bytes (unescaped only if it
// holds escapes), or nil for an array.
func (it *Iter) KeyBytes() []byte {
	b, _ := it.KeyBytesHash()
	return b
}

// KeyHash is the fingerprint of a member name that Iter.KeyBytesHash
// reports, for callers that match keys against a fixed set of names.
func KeyHash(name string) uint32 { return keyHash(name) }

// KeyBytesHash is KeyBytes together with the key's fingerprint (KeyHash of
// the unescaped key), which the parser has already computed for keys
// without escapes.
func (it *Iter) KeyBytesHash() ([]byte, uint32) {
	if !it.object {
		return nil, 0
	}
	kn := &it.d.nodes[it.key]
	b := it.d.src[kn.start:kn.end]
	if kn.escaped {
		b = unescapeBytes(b)
		return b, keyHash(b)
	}
	return b, kn.n
}

// Plain returns the bytes of a string value that holds no escapes (the
// document's own bytes, not to be modified), and false for any other value.
// Readers take their common case with it in one call and leave everything
// else, errors included, to their general path.
func (v Value) Plain() ([]byte, bool) {
	if v.d == nil {
		return nil, false
	}
	n := &v.d.nodes[v.i]
	if n.kind != String || n.escaped {
		return nil, false
	}
	return v.d.src[n.start:n.end], true
}

// Number returns the source bytes of a number value, and false for any
// other value.
func (v Value) Number() ([]byte, bool) {
	if v.d == nil {
		return nil, false
	}
	n := &v.d.nodes[v.i]
	if n.kind != Number {
		return nil, false
	}
	return v.d.src[n.start:n.end], true
}

// Cursor reads an object's members by name when they are read in document
// order, as a parser of a known answer reads them: each Get first tries the
// member after the one it found last, with the position in the Cursor (on
// the caller's stack) instead of the Doc's hint. Any other order, and
// missing members, take Value.Get and give the same results.
type Cursor struct {
	obj  Value
	next uint32 // key node of the member after the last one found
	end  uint32 // past the object's last member
}

// Cursor returns a Cursor over v's members; over anything but an object,
// every Get answers the zero Value.
func (v Value) Cursor() Cursor {
	if v.Kind() != Object {
		return Cursor{}
	}
	return Cursor{obj: v, next: v.i + 1, end: v.d.nodes[v.i].next}
}

// Get is v.Get(key) for the Cursor's object v.
func (c *Cursor) Get(key string) Value {
	d := c.obj.d
	if d == nil {
		return Value{}
	}
	if j := c.next; j < c.end {
		if kn := &d.nodes[j]; kn.n == keyHash(key) && !kn.escaped && equalKey(d.src[kn.start:kn.end], key) {
			c.next = d.nodes[j+1].next
			return Value{d: d, i: j + 1}
		}
	}
	v := c.obj.Get(key)
	if v.d != nil {
		c.next = d.nodes[v.i].next
	}
	return v
}

// Object is a Cursor over the member key when it is an object, and false
// otherwise (the member missing, null or of another kind).
func (c *Cursor) Object(key string) (Cursor, bool) {
	v := c.Get(key)
	if v.Kind() != Object {
		return Cursor{}, false
	}
	return v.Cursor(), true
}
