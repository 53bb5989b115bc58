package jumps

import (
	"errors"
	"slices"
)

var errTruncated = errors.New("jumps: truncated")

// reader decodes the parts of the binary format the rewriter needs. The
// first error sticks; later reads return zero.
type reader struct {
	b   []byte
	p   int
	err error
}

func (r *reader) byte() byte {
	if r.err != nil || r.p >= len(r.b) {
		r.err = errTruncated
		return 0
	}
	c := r.b[r.p]
	r.p++
	return c
}

// u32 reads an unsigned LEB128 of at most 5 bytes.
func (r *reader) u32() uint32 {
	var v uint32
	for shift := 0; shift < 35; shift += 7 {
		c := r.byte()
		if r.err != nil {
			return 0
		}
		v |= uint32(c&0x7f) << shift
		if c&0x80 == 0 {
			return v
		}
	}
	r.err = errors.New("jumps: LEB128 too long")
	return 0
}

// s32 reads a signed LEB128 of at most 5 bytes whose value fits 32 bits
// (an i32.const).
func (r *reader) s32() int32 {
	start := r.p
	v := r.s64()
	if r.err == nil && (r.p-start > 5 || v != int64(int32(v))) {
		r.err = errors.New("jumps: i32 LEB128 out of range")
	}
	if r.err != nil {
		return 0
	}
	return int32(v)
}

// skipLocals steps over a function body's local declarations; false if
// they are truncated.
func (r *reader) skipLocals() bool {
	for n := r.u32(); n > 0 && r.err == nil; n-- {
		r.u32()
		r.byte()
	}
	return r.err == nil
}

// s64 reads a signed LEB128 of at most 10 bytes (an i64.const).
func (r *reader) s64() int64 {
	var v int64
	for shift := 0; shift < 70; shift += 7 {
		c := r.byte()
		if r.err != nil {
			return 0
		}
		v |= int64(c&0x7f) << shift
		if c&0x80 == 0 {
			if shift+7 < 64 && c&0x40 != 0 {
				v |= -1 << (shift + 7)
			}
			return v
		}
	}
	r.err = errors.New("jumps: LEB128 too long")
	return 0
}

// skipLEB steps over a LEB128 of up to 10 bytes (i64.const, s33 types).
func (r *reader) skipLEB() {
	for i := 0; i < 10; i++ {
		if r.byte()&0x80 == 0 || r.err != nil {
			return
		}
	}
	r.err = errors.New("jumps: LEB128 too long")
}

// blockType reads a block type and returns its first byte: 0x40 for no
// results, a value type, or the start of a type index.
func (r *reader) blockType() byte {
	if r.p >= len(r.b) {
		r.err = errTruncated
		return 0
	}
	c := r.b[r.p]
	switch c {
	case 0x40, 0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f:
		r.p++
	default:
		r.skipLEB() // s33 type index
	}
	return c
}

// skipImmediates steps over the immediates of op (already read), a block
// type included. It reports false for an opcode it does not know, and the
// body is then left alone.
func (r *reader) skipImmediates(op byte) bool {
	switch {
	case op == 0x00 || op == 0x01 || op == 0x05 || op == 0x0b || op == 0x0f || op == 0x1a || op == 0x1b:
		// unreachable, nop, else, end, return, drop, select
	case op == 0x02 || op == 0x03 || op == 0x04: // block, loop, if: a block type
		r.blockType()
	case op == 0x0c || op == 0x0d: // br, br_if
		r.u32()
	case op == 0x0e: // br_table
		for n := r.u32(); n > 0 && r.err == nil; n-- {
			r.u32()
		}
		r.u32()
	case op == 0x10: // call
		r.u32()
	case op == 0x11: // call_indirect
		r.u32()
		r.u32()
	case op == 0x1c: // select t*
		for n := r.u32(); n > 0 && r.err == nil; n-- {
			r.byte()
		}
	case op >= 0x20 && op <= 0x26: // locals, globals, table.get/set
		r.u32()
	case op >= 0x28 && op <= 0x3e: // loads and stores: align, offset
		r.u32()
		r.u32()
	case op == 0x3f || op == 0x40: // memory.size, memory.grow
		r.byte()
	case op == 0x41: // i32.const
		r.s32()
	case op == 0x42: // i64.const
		r.skipLEB()
	case op == 0x43:
		r.p += 4
	case op == 0x44:
		r.p += 8
	case op >= 0x45 && op <= 0xc4: // numeric, sign extension
	case op == 0xd0: // ref.null t
		r.byte()
	case op == 0xd1: // ref.is_null
	case op == 0xd2: // ref.func
		r.u32()
	case op == 0xfc:
		switch sub := r.u32(); sub {
		case 0, 1, 2, 3, 4, 5, 6, 7: // saturating truncation
		case 8: // memory.init
			r.u32()
			r.byte()
		case 9, 13, 15, 16, 17: // data.drop, elem.drop, table.grow/size/fill
			r.u32()
		case 10: // memory.copy
			r.byte()
			r.byte()
		case 11: // memory.fill
			r.byte()
		case 12, 14: // table.init, table.copy
			r.u32()
			r.u32()
		default:
			return false
		}
	default:
		return false
	}
	if r.p > len(r.b) {
		r.err = errTruncated
	}
	return r.err == nil
}

// appendU32 appends v as an unsigned LEB128.
func appendU32(b []byte, v uint32) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// appendS32 appends v as a signed LEB128.
func appendS32(b []byte, v int32) []byte {
	x := int64(v)
	for {
		c := byte(x & 0x7f)
		x >>= 7
		if (x == 0 && c&0x40 == 0) || (x == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// decl is one entry of a function body's local declarations: n locals of
// type t.
type decl struct {
	n uint32
	t byte
}

// readDecls reads a body's local declarations and returns them with the
// index the next new local gets (params plus the locals declared); ok is
// false when they are truncated or declare more than 2^16 locals.
func (r *reader) readDecls(params int) (decls []decl, next int, ok bool) {
	next = params
	for c := r.u32(); c > 0 && r.err == nil; c-- {
		k, t := r.u32(), r.byte()
		decls = append(decls, decl{k, t})
		next += int(k)
		if next > 1<<16 {
			return nil, 0, false
		}
	}
	return decls, next, r.err == nil
}

// appendDecls appends a body's local declarations: decls, then the new
// locals of the types in added, in order (a run of one type in one entry).
func appendDecls(out []byte, decls []decl, added ...byte) []byte {
	all := slices.Clone(decls)
	for _, t := range added {
		if k := len(all) - 1; k >= len(decls) && all[k].t == t {
			all[k].n++
		} else {
			all = append(all, decl{1, t})
		}
	}
	out = appendU32(out, uint32(len(all)))
	for _, dc := range all {
		out = appendU32(out, dc.n)
		out = append(out, dc.t)
	}
	return out
}

// numericPops is how many operands a numeric instruction (or select)
// takes before it leaves its one result; 0 for every other instruction.
func numericPops(op byte) int {
	switch {
	case op == 0x45 || op == 0x50 || (op >= 0x67 && op <= 0x69) || (op >= 0x79 && op <= 0x7b) ||
		(op >= 0x8b && op <= 0x91) || (op >= 0x99 && op <= 0x9f) || (op >= 0xa7 && op <= 0xc4):
		return 1
	case (op >= 0x46 && op <= 0x4f) || (op >= 0x51 && op <= 0x66) || (op >= 0x6a && op <= 0x78) ||
		(op >= 0x7c && op <= 0x8a) || (op >= 0x92 && op <= 0x98) || (op >= 0xa0 && op <= 0xa6):
		return 2
	case op == 0x1b: // select
		return 3
	}
	return 0
}

// signature is a function type: its parameter and result types.
type signature struct{ params, results []byte }

// readSignatures reads a type section; false unless it holds function
// types only and nothing after them.
func readSignatures(sec []byte) ([]signature, bool) {
	r := reader{b: sec}
	var sigs []signature
	for n := r.u32(); n > 0 && r.err == nil; n-- {
		if r.byte() != 0x60 {
			return nil, false
		}
		var sig signature
		for _, list := range []*[]byte{&sig.params, &sig.results} {
			k := int(r.u32())
			if r.err != nil || r.p+k > len(r.b) {
				return nil, false
			}
			*list = r.b[r.p : r.p+k]
			r.p += k
		}
		sigs = append(sigs, sig)
	}
	return sigs, r.err == nil && r.p == len(r.b)
}

// readFuncTypes reads a function section: the type index of each function
// the code section defines.
func readFuncTypes(sec []byte) ([]uint32, bool) {
	r := reader{b: sec}
	var types []uint32
	for n := r.u32(); n > 0 && r.err == nil; n-- {
		types = append(types, r.u32())
	}
	return types, r.err == nil && r.p == len(r.b)
}
