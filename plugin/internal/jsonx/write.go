package jsonx

import (
	"errors"
	"math/bits"
	"strconv"
	"unicode/utf8"
	"unsafe"
)

// ErrInvalidUTF8 is recorded by a Writer asked to write a string that is not
// valid UTF-8. The writer never repairs text silently: the caller must check
// Err before using the bytes.
var ErrInvalidUTF8 = errors.New("string is not valid UTF-8")

// Writer appends JSON to a byte slice. It inserts commas itself, so callers
// write values, keys and brackets in order and nothing else.
type Writer struct {
	buf   []byte
	comma bool // a value was written at this level: the next one needs ','
	err   error
}

// NewWriter returns a Writer appending to buf (which may be nil).
func NewWriter(buf []byte) *Writer { return &Writer{buf: buf} }

// Bytes returns the JSON written so far.
func (w *Writer) Bytes() []byte { return w.buf }

// Err returns the first error met while writing, if any.
func (w *Writer) Err() error { return w.err }

// Start makes w a new writer appending to buf, as NewWriter does, for a
// caller that keeps one Writer across uses.
func (w *Writer) Start(buf []byte) { *w = Writer{buf: buf} }

// Prefix appends s as it is: JSON text, written by the caller, that ends
// where a value is due (`{"ok":true,"data":` opens an envelope). One
// append instead of a call per brace, key and literal.
func (w *Writer) Prefix(s string) { w.buf = append(w.buf, s...); w.comma = false }

// Reset empties the writer for reuse, keeping its buffer.
func (w *Writer) Reset() { w.buf, w.comma, w.err = w.buf[:0], false, nil }

func (w *Writer) sep() {
	if w.comma {
		w.buf = append(w.buf, ',')
	}
	w.comma = true
}

// The writers of structure and small values below (BeginObject to
// EndArray, Null, Bool, Int) stay out of line on purpose: inlined at their
// hundreds of call sites they made the functions that write payloads
// larger, and inside the sidecar, where the guest's code has to be fetched
// again after the host's own work, code size costs more than the call
// saves (BENCHMARKS.md, seventh session).

// BeginObject writes '{'.
//
//go:noinline
func (w *Writer) BeginObject() { w.sep(); w.buf = append(w.buf, '{'); w.comma = false }

// EndObject writes '}'.
//
//go:noinline
func (w *Writer) EndObject() { w.buf = append(w.buf, '}'); w.comma = true }

// BeginArray writes '['.
//
//go:noinline
func (w *Writer) BeginArray() { w.sep(); w.buf = append(w.buf, '['); w.comma = false }

// EndArray writes ']'.
//
//go:noinline
func (w *Writer) EndArray() { w.buf = append(w.buf, ']'); w.comma = true }

// Key writes an object key and its colon; the member's value follows.
func (w *Writer) Key(k string) {
	w.sep()
	var valid bool
	w.buf, valid = appendString(w.buf, k)
	w.buf = append(w.buf, ':')
	w.comma = false
	if !valid && w.err == nil {
		w.err = ErrInvalidUTF8
	}
}

// Lit is an object key written as it is, without escaping: printable
// ASCII without '"' or '\\'. Only an untyped string constant converts to it
// implicitly, and TestLitOnlyFromConstants keeps explicit conversions out
// of the core, so every Lit is a constant the code shows.
type Lit string

// key appends the constant key k and its colon, after a comma when one is
// due. Small enough to be inlined into the writers of members below.
func (w *Writer) key(k Lit) {
	if w.comma {
		w.buf = append(w.buf, ',', '"')
	} else {
		w.buf = append(w.buf, '"')
	}
	w.buf = append(w.buf, k...)
	w.buf = append(w.buf, '"', ':')
}

// KeyLit is Key for a constant key. It copies the key without looking at
// it: in the wasm guest, appendString's scan and calls cost 5 % of
// build_create. It stays out of line on purpose:
// inlined at each of the hundred-odd call sites, it made the module larger
// and build_create slower.
//
//go:noinline
func (w *Writer) KeyLit(k Lit) {
	w.key(k)
	w.comma = false
}

// String writes a string value.
//
// A string that needs no escaping (most values: names, codes, URLs) is
// copied after a word-at-a-time check, without appendString's scan and
// calls; with Fixed2 that took build_create from 53–56 to 50 µs in the
// wasm guest. Out of line for the same reason as KeyLit.
//
//go:noinline
func (w *Writer) String(s string) {
	if plainString(s) {
		if w.comma {
			w.buf = append(w.buf, ',', '"')
		} else {
			w.buf = append(w.buf, '"')
		}
		w.comma = true
		w.buf = append(w.buf, s...)
		w.buf = append(w.buf, '"')
		return
	}
	w.sep()
	var valid bool
	w.buf, valid = appendString(w.buf, s)
	if !valid && w.err == nil {
		w.err = ErrInvalidUTF8
	}
}

// KeyString writes a member: the constant key k and the string s, what
// KeyLit and String write, in one call instead of two. Objects of a payload
// or an answer are mostly such members; with KeyInt and KeyBool it took
// 3 % off parse_details in the wasm guest.
//
//go:noinline
func (w *Writer) KeyString(k Lit, s string) {
	if !plainString(s) {
		w.KeyLit(k)
		w.String(s)
		return
	}
	if w.comma {
		w.buf = append(w.buf, ',', '"')
	} else {
		w.buf = append(w.buf, '"')
	}
	w.buf = append(w.buf, k...)
	w.buf = append(w.buf, '"', ':', '"')
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '"')
	w.comma = true
}

// KeyInt writes a member with an integer value: KeyLit and Int in one call.
//
//go:noinline
func (w *Writer) KeyInt(k Lit, n int64) {
	w.key(k)
	w.buf = strconv.AppendInt(w.buf, n, 10)
	w.comma = true
}

// KeyBool writes a member with a boolean value: KeyLit and Bool in one call.
//
//go:noinline
func (w *Writer) KeyBool(k Lit, b bool) {
	w.key(k)
	w.buf = strconv.AppendBool(w.buf, b)
	w.comma = true
}

// KeyStringOrNull writes a member whose value is s, or null when s is
// empty: KeyLit and StringOrNull in one call.
func (w *Writer) KeyStringOrNull(k Lit, s string) {
	if s == "" {
		w.KeyLit(k)
		w.Null()
		return
	}
	w.KeyString(k, s)
}

// KeyFixed2 writes a member with an amount in minor units as its value:
// KeyLit and Fixed2 in one call.
//
//go:noinline
func (w *Writer) KeyFixed2(k Lit, v int64) {
	w.key(k)
	w.buf = appendFixed2(w.buf, v)
	w.comma = true
}

// StringOrNull writes s, or null when s is empty: FrontGo's optional text
// fields are null when unset.
func (w *Writer) StringOrNull(s string) {
	if s == "" {
		w.Null()
		return
	}
	w.String(s)
}

// Null writes null.
//
//go:noinline
func (w *Writer) Null() { w.sep(); w.buf = append(w.buf, "null"...) }

// Bool writes true or false.
//
//go:noinline
func (w *Writer) Bool(b bool) { w.sep(); w.buf = strconv.AppendBool(w.buf, b) }

// Int writes an integer.
//
//go:noinline
func (w *Writer) Int(n int64) { w.sep(); w.buf = strconv.AppendInt(w.buf, n, 10) }

// QuotedInt writes an integer as a string value ("1756871295"): FrontGo's
// timestamps take that form. Nothing to escape, no string to allocate.
func (w *Writer) QuotedInt(n int64) {
	w.sep()
	w.buf = append(w.buf, '"')
	w.buf = strconv.AppendInt(w.buf, n, 10)
	w.buf = append(w.buf, '"')
}

// Raw writes pre-encoded JSON (a number's text, or a document built
// elsewhere). The caller guarantees it is valid.
func (w *Writer) Raw(b []byte) { w.sep(); w.buf = append(w.buf, b...) }

// Fixed2 writes v/100 as a number with exactly two decimals ("129.90",
// "-0.05"): an amount in minor units, as money.Amount.Append writes it,
// without a call through a method value or strconv.
//
//go:noinline
func (w *Writer) Fixed2(v int64) {
	w.sep()
	w.buf = appendFixed2(w.buf, v)
}

// appendFixed2 appends v/100 with exactly two decimals.
func appendFixed2(buf []byte, v int64) []byte {
	u := uint64(v) // unsigned, so that -MinInt64 does not overflow
	if v < 0 {
		buf = append(buf, '-')
		u = -u
	}
	var tmp [24]byte
	n := len(tmp) - 3
	f := u % 100
	tmp[n], tmp[n+1], tmp[n+2] = '.', byte('0'+f/10), byte('0'+f%10)
	for u /= 100; ; u /= 10 {
		n--
		tmp[n] = byte('0' + u%10)
		if u < 10 {
			break
		}
	}
	return append(buf, tmp[n:]...)
}

// RawFunc lets a caller append a pre-formatted value in place, such as a
// money amount, without an intermediate slice.
func (w *Writer) RawFunc(f func([]byte) []byte) { w.sep(); w.buf = f(w.buf) }

const hexDigits = "0123456789abcdef"

// AppendString appends s as a quoted JSON string. It escapes quotes,
// backslashes and control characters and leaves other UTF-8 as is, so the
// bytes match what FrontGo's examples show. Invalid UTF-8 bytes are written
// as U+FFFD; Writer reports them as an error.
func AppendString(buf []byte, s string) []byte {
	buf, _ = appendString(buf, s)
	return buf
}

// appendString is AppendString that also reports whether s was valid
// UTF-8, so that writers need not scan s twice.
func appendString(buf []byte, s string) ([]byte, bool) {
	valid := true
	buf = append(buf, '"')
	start := 0
	bs := unsafe.Slice(unsafe.StringData(s), len(s)) // read only
	for i := 0; i < len(s); {
		// Step over plain bytes eight at a time (see word.go).
		if i+8 <= len(s) {
			m := specialBytes(wordAt(bs, i))
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) >> 3
		} else if strPlain[s[i]] {
			i++
			continue
		}
		c := s[i]
		if c >= 0x80 {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				valid = false
				buf = append(buf, s[start:i]...)
				buf = append(buf, `\ufffd`...)
				i++
				start = i
				continue
			}
			// U+2028 and U+2029 are valid JSON but break JavaScript
			// string literals; escape them as encoding/json does.
			if r == '\u2028' || r == '\u2029' {
				buf = append(buf, s[start:i]...)
				buf = append(buf, `\u202`...)
				buf = append(buf, hexDigits[r&0xF])
				i += size
				start = i
				continue
			}
			i += size
			continue
		}
		buf = append(buf, s[start:i]...)
		switch c {
		case '"':
			buf = append(buf, '\\', '"')
		case '\\':
			buf = append(buf, '\\', '\\')
		case '\n':
			buf = append(buf, '\\', 'n')
		case '\r':
			buf = append(buf, '\\', 'r')
		case '\t':
			buf = append(buf, '\\', 't')
		default:
			buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		i++
		start = i
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"'), valid
}
