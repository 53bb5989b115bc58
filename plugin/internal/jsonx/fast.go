package jsonx

import "iter"

// MembersRaw iterates over an object's members with each key as raw bytes,
// unescaped only when the key holds escapes. It does not allocate for plain
// keys, which is what validation of a large request needs.
func (v Value) MembersRaw() iter.Seq2[[]byte, Value] {
	return func(yield func([]byte, Value) bool) {
		if v.Kind() != Object {
			return
		}
		d := v.d
		end := d.nodes[v.i].next
		for j := v.i + 1; j < end; {
			kn := d.nodes[j]
			key := d.src[kn.start:kn.end]
			if kn.escaped {
				key = []byte(unescape(key, true))
			}
			if !yield(key, Value{d: d, i: j + 1}) {
				return
			}
			j = d.nodes[j+1].next
		}
	}
}

// StrBytes returns a string value's bytes: the source bytes when the string
// holds no escapes (shared with the document; do not modify), else a fresh
// unescaped copy.
func (v Value) StrBytes() ([]byte, bool) {
	if v.Kind() != String {
		return nil, false
	}
	n := v.d.nodes[v.i]
	b := v.d.src[n.start:n.end]
	if n.escaped {
		b = []byte(unescape(b, true))
	}
	return b, true
}

// IsNumber reports whether b is exactly one JSON number.
func IsNumber(b []byte) bool {
	i, n := 0, len(b)
	if i < n && b[i] == '-' {
		i++
	}
	switch {
	case i < n && b[i] == '0':
		i++
	case i < n && isDigit(b[i]):
		for i < n && isDigit(b[i]) {
			i++
		}
	default:
		return false
	}
	if i < n && b[i] == '.' {
		i++
		if i >= n || !isDigit(b[i]) {
			return false
		}
		for i < n && isDigit(b[i]) {
			i++
		}
	}
	if i < n && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < n && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= n || !isDigit(b[i]) {
			return false
		}
		for i < n && isDigit(b[i]) {
			i++
		}
	}
	return i == n
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
