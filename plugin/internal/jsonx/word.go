package jsonx

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// Word-at-a-time scanning. Under the Go wasm backend every loop iteration
// is a jump through the function's dispatch table, so a loop that steps a
// byte at a time costs several nanoseconds per byte; these helpers look at
// eight bytes per iteration instead. binary.LittleEndian compiles to one
// 8-byte load on amd64, arm64 and wasm.

const (
	wordLo = 0x0101010101010101
	wordHi = 0x8080808080808080
)

// wordAt reads the eight bytes of b at i as a little-endian word, for a
// caller that has checked i+8 <= len(b): without the two bounds checks of
// binary.LittleEndian.Uint64(b[i:]), which the scanners' loops would pay per
// word. Decoded through an array pointer, it is one load on little-endian
// platforms and wasm, and a byte-reversing load on big-endian ones, where a
// plain *uint64 read would reverse the bytes and every position the
// scanners compute from them. (unsafe.Slice instead of the array pointer
// costs a runtime call per word in the wasm guest.)
func wordAt(b []byte, i int) uint64 {
	return binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), i))[:])
}

// zeroBytes sets the high bit of each byte of w that is zero. The lowest
// set bit is exact; bytes above the first zero byte may be flagged
// falsely (a borrow), which no caller here looks at.
func zeroBytes(w uint64) uint64 { return (w - wordLo) & ^w & wordHi }

// specialBytes flags the bytes of w a JSON string cannot hold as they are:
// control characters, '"', '\\', and non-ASCII bytes (which need a UTF-8
// check). As with zeroBytes, only the lowest flag is exact.
func specialBytes(w uint64) uint64 {
	ctl := (w - 0x20*wordLo) & ^w
	return (ctl | zeroBytes(w^('"'*wordLo)) | zeroBytes(w^('\\'*wordLo)) | w) & wordHi
}

// plainEnd returns the index of the first byte at or after i that is not
// printable ASCII other than '"' and '\\' (see strPlain), or len(b).
func plainEnd(b []byte, i int) int {
	for i+8 <= len(b) {
		if m := specialBytes(wordAt(b, i)); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		i += 8
	}
	for i < len(b) && strPlain[b[i]] {
		i++
	}
	return i
}

// backslashAt returns the index of the first '\\' at or after i, or len(b).
func backslashAt(b []byte, i int) int {
	for i+8 <= len(b) {
		if m := zeroBytes(wordAt(b, i) ^ ('\\' * wordLo)); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		i += 8
	}
	for i < len(b) && b[i] != '\\' {
		i++
	}
	return i
}

// plainString reports whether s is printable ASCII without '"' or '\\',
// so that it is written as it is. Strings of eight bytes or more are read a
// word at a time in place, the last word overlapping the one before; only
// whether any byte is flagged matters, so byte order does not.
func plainString(s string) bool {
	n := len(s)
	if n < 8 {
		for i := 0; i < n; i++ {
			if !strPlain[s[i]] {
				return false
			}
		}
		return true
	}
	p := unsafe.Pointer(unsafe.StringData(s))
	for i := 0; i+8 < n; i += 8 {
		if specialBytes(*(*uint64)(unsafe.Add(p, i))) != 0 {
			return false
		}
	}
	return specialBytes(*(*uint64)(unsafe.Add(p, n-8))) == 0
}

// equalKey reports whether b and k hold the same bytes. Keys and the names
// they are looked up by are short: one or two word compares in line (the
// words read in place, overlapping when shorter) replace a call into the
// runtime's memequal, which costs more than the compare in the wasm guest.
// Strings over 16 bytes take the runtime's compare.
func equalKey(b []byte, k string) bool {
	n := len(k)
	if len(b) != n {
		return false
	}
	p := unsafe.Pointer(unsafe.StringData(k))
	switch {
	case n > 16:
		return string(b) == k
	case n >= 8: // both sides decoded alike, so the compare holds on any byte order
		return binary.LittleEndian.Uint64(b) == binary.LittleEndian.Uint64((*[8]byte)(p)[:]) &&
			binary.LittleEndian.Uint64(b[n-8:]) == binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(p, n-8))[:])
	case n >= 4:
		return binary.LittleEndian.Uint32(b) == binary.LittleEndian.Uint32((*[4]byte)(p)[:]) &&
			binary.LittleEndian.Uint32(b[n-4:]) == binary.LittleEndian.Uint32((*[4]byte)(unsafe.Add(p, n-4))[:])
	}
	for i := 0; i < n; i++ {
		if b[i] != k[i] {
			return false
		}
	}
	return true
}
