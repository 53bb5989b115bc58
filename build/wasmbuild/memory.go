package wasmbuild

import (
	"errors"
	"fmt"
)

// Memory reads the limits of the one memory mod defines: its initial size
// in pages and, when it declares one, its maximum.
func Memory(mod []byte) (initial, max uint32, hasMax bool, err error) {
	start, end, err := memorySection(mod)
	if err != nil {
		return 0, 0, false, err
	}
	p := start
	if n, ok := uleb(mod, &p); !ok || n != 1 {
		return 0, 0, false, errors.New("wasm: the memory section does not declare exactly one memory")
	}
	if p >= end {
		return 0, 0, false, errors.New("wasm: truncated memory section")
	}
	flags := mod[p]
	p++
	initial, ok := uleb(mod, &p)
	if ok && flags&1 == 1 {
		max, ok = uleb(mod, &p)
		hasMax = true
	}
	if !ok || p > end || flags > 1 {
		return 0, 0, false, fmt.Errorf("wasm: unsupported memory limits (flags %#x)", flags)
	}
	return initial, max, hasMax, nil
}

// WithMemoryMax returns a copy of mod whose memory declares a maximum of
// pages, for tests that need a guest to run out of memory.
func WithMemoryMax(mod []byte, pages uint32) ([]byte, error) {
	initial, _, _, err := Memory(mod)
	if err != nil {
		return nil, err
	}
	if pages < initial {
		return nil, fmt.Errorf("wasm: a maximum of %d pages is below the initial %d", pages, initial)
	}
	start, end, _ := memorySection(mod)
	body := putULEB(putULEB(putULEB(nil, 1), 1), initial) // one memory, flags 1: a maximum follows
	body = putULEB(body, pages)
	head := start - 1 // the section's size precedes its body
	for head > 0 && mod[head-1]&0x80 != 0 {
		head--
	}
	out := append([]byte(nil), mod[:head]...)
	out = append(putULEB(out, uint32(len(body))), body...)
	return append(out, mod[end:]...), nil
}

// memorySection returns the bounds of the memory section's body.
func memorySection(mod []byte) (start, end int, err error) {
	if !IsWasm(mod) {
		return 0, 0, errors.New("wasm: not a WebAssembly 1 module")
	}
	for p := 8; p < len(mod); {
		id := mod[p]
		p++
		size, ok := uleb(mod, &p)
		if !ok || p+int(size) > len(mod) {
			return 0, 0, errors.New("wasm: truncated section")
		}
		if id == 5 {
			return p, p + int(size), nil
		}
		p += int(size)
	}
	return 0, 0, errors.New("wasm: no memory section")
}

// uleb reads an unsigned LEB128 number of at most 32 bits at *p.
func uleb(b []byte, p *int) (uint32, bool) {
	var v uint32
	for shift := 0; shift < 35; shift += 7 {
		if *p >= len(b) {
			return 0, false
		}
		c := b[*p]
		*p++
		v |= uint32(c&0x7f) << shift
		if c < 0x80 {
			return v, true
		}
	}
	return 0, false
}

func putULEB(out []byte, v uint32) []byte {
	for v >= 0x80 {
		out = append(out, byte(v)|0x80)
		v >>= 7
	}
	return append(out, byte(v))
}
