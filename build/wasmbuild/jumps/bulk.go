package jumps

// Small copies and zeroings inline.
//
// Go's wasm backend lowers a copy of a value larger than 16 bytes (a slice
// header, a struct) to `memory.copy` and the zeroing of one larger than 32
// bytes to `memory.fill`, both with a constant size:
//
//	<dst> <src> i32.const n; memory.copy
//	<dst> i32.const 0; i32.const n; memory.fill
//
// wazero compiles memory.copy to a call into the Go runtime's memmove, and
// memory.fill to a loop of such calls that doubles the filled part each
// time (nine calls to zero 320 bytes). A call out of the compiled code costs
// far more than the few words moved. expandBulk replaces each of these with
// n ≤ maxBulk by straight-line i64 loads and stores through two new locals:
//
//	local.set S; local.set D
//	local.get D; local.get S; i64.load offset=n-8; i64.store offset=n-8
//	…
//	local.get D; local.get S; i64.load offset=0; i64.store offset=0
//
// (with `i64.const 0` instead of the load for a fill; a size that is not a
// multiple of 8 ends with a word that overlaps the one before it).
//
// Why it is the same: the Go compiler emits these only for OpMove and
// OpZero, whose operands are either disjoint or the same memory (a move
// that may partially overlap goes through runtime.memmove instead; see
// moveWhichMayOverlap in cmd/compile/internal/ssagen), so copying word by
// word gives the bytes memory.copy would. The one way around that is a
// partial overlap built with unsafe, which the Go compiler documents it
// does not support (other targets' moves do not handle it either); such a
// copy with its destination below its source comes out differently here.
// The runtime's own assembly uses both instructions with sizes in
// registers, which are left alone. The words are done from the highest offset down: the first access is the one
// furthest into memory, so a range that is out of bounds traps before
// anything is written, as memory.copy and memory.fill do, and wazero checks
// each base's bounds once instead of at every growing offset.

// maxBulk is the largest copy or fill expandBulk inlines.
const maxBulk = 512

// expandBulk rewrites body (a function with params parameters) as above
// and returns how many instructions it replaced; ok is false, and body
// unchanged, when the body holds an instruction the package does not
// decode.
func expandBulk(body []byte, params int) (out []byte, n int, ok bool) {
	r := reader{b: body}
	decls, locals, ok := r.readDecls(params)
	if !ok {
		return body, 0, false
	}
	d, s := uint32(locals), uint32(locals+1)
	var code []byte
	// Output starts of the last two instructions, and their sizes when
	// they were `i32.const c` with a constant that fits maxBulk (else -1).
	prev1, prev2 := -1, -1
	c1, c2 := int32(-1), int32(-1)
	for r.p < len(r.b) {
		at := r.p
		op := r.byte()
		switch op {
		case 0xfc:
			save := r.p
			sub := r.u32()
			switch {
			case sub == 10 && c1 >= 17 && r.p+1 < len(r.b) && r.b[r.p] == 0 && r.b[r.p+1] == 0: // memory.copy
				r.p += 2
				code = code[:prev1]
				code = append(code, 0x21)
				code = appendU32(code, s)
				code = append(code, 0x21)
				code = appendU32(code, d)
				for _, k := range words(c1) {
					code = append(code, 0x20)
					code = appendU32(code, d)
					code = append(code, 0x20)
					code = appendU32(code, s)
					code = append(code, 0x29, 0x00) // i64.load align=1
					code = appendU32(code, k)
					code = append(code, 0x37, 0x00) // i64.store align=1
					code = appendU32(code, k)
				}
				n++
				prev1, prev2, c1, c2 = -1, -1, -1, -1
				continue
			case sub == 11 && c1 >= 8 && c2 == 0 && r.p < len(r.b) && r.b[r.p] == 0: // memory.fill
				r.p++
				code = code[:prev2]
				code = append(code, 0x21)
				code = appendU32(code, d)
				for _, k := range words(c1) {
					code = append(code, 0x20)
					code = appendU32(code, d)
					code = append(code, 0x42, 0x00) // i64.const 0
					code = append(code, 0x37, 0x00)
					code = appendU32(code, k)
				}
				n++
				prev1, prev2, c1, c2 = -1, -1, -1, -1
				continue
			}
			r.p = save
			if !r.skipImmediates(op) {
				return body, 0, false
			}
		default:
			if !r.skipImmediates(op) {
				return body, 0, false
			}
		}
		if r.err != nil {
			return body, 0, false
		}
		prev2, c2 = prev1, c1
		prev1, c1 = len(code), -1
		if op == 0x41 {
			cr := reader{b: body, p: at + 1}
			if v := cr.s32(); cr.err == nil && v >= 0 && v <= maxBulk {
				c1 = v
			}
		}
		code = append(code, body[at:r.p]...)
	}
	if n == 0 {
		return body, 0, true
	}
	out = appendDecls(make([]byte, 0, len(code)+16), decls, 0x7f, 0x7f) // D and S, i32
	return append(out, code...), n, true
}

// words returns the offsets of the 8-byte words that cover n ≥ 8 bytes,
// highest first; when n is not a multiple of 8 the first overlaps the
// second.
func words(n int32) []uint32 {
	var ks []uint32
	if n%8 != 0 {
		ks = append(ks, uint32(n-8))
	}
	for k := (n/8 - 1) * 8; k >= 0; k -= 8 {
		ks = append(ks, uint32(k))
	}
	return ks
}

// paramCounts returns the number of parameters of each function the code
// section defines, from the type and function sections; nil if they
// cannot be read.
func paramCounts(typeSec, funcSec []byte) []int {
	sigs, ok := readSignatures(typeSec)
	if !ok {
		return nil
	}
	types, ok := readFuncTypes(funcSec)
	if !ok {
		return nil
	}
	out := make([]int, len(types))
	for i, t := range types {
		if int(t) >= len(sigs) {
			return nil
		}
		out[i] = len(sigs[t].params)
	}
	return out
}
