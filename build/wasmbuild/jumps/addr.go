package jumps

import "slices"

// Stack addresses folded into memory offsets.
//
// Go's wasm backend computes the address of a stack slot (an outgoing
// argument, a local whose address is taken) as a 64-bit value and wraps it
// back to 32 bits for the access:
//
//	local.get SP; i64.extend_i32_u; i64.const K; i64.add; i32.wrap_i64
//	… (the value, for a store) …
//	i64.store offset=0
//
// wazero's compiler checks a memory access against the memory's length
// once per base value and block: later accesses through the same base
// within the bound already checked skip the check. Every such sum is a new
// base, so each access pays a full check, on top of the extend, add and
// wrap. foldAddr rewrites the sequence to
//
//	local.get SP
//	… (unchanged) …
//	i64.store offset=K
//
// which accesses the same byte as long as SP+K does not pass 2^32: SP is
// Go's stack pointer, an address inside the module's memory, and K a
// frame offset (foldAddr folds only K below maxFoldK), so for any memory
// smaller than 4 GiB − maxFoldK (the host caps it at 64 MiB by default)
// the two agree. The access the address feeds is found by following the
// operand stack from the sequence to the instruction that pops it; if
// anything else pops it, or a branch, call or block comes first, the
// sequence stays as it is.

// maxFoldK bounds the frame offsets foldAddr folds.
const maxFoldK = 1 << 20

// foldAddr returns body with each foldable stack address folded into the
// offset of the load or store that uses it, and how many it folded. sp is
// the local that caches Go's stack pointer. ok is false when the body
// holds an instruction the package does not decode; it is then unchanged.
func foldAddr(body []byte, sp uint32) (out []byte, folded int, ok bool) {
	r := reader{b: body}
	if !r.skipLocals() {
		return body, 0, false
	}
	type fold struct {
		at, end int    // the sequence's bytes; local.get SP is kept
		k       uint32 // the constant
		mem     int    // start of the memory instruction, 0 while pending
	}
	var folds []fold
	var stack []int // simulated operand stack since the last barrier: -1 or an index in folds
	pop := func(n int) {
		for ; n > 0; n-- {
			if len(stack) == 0 {
				return
			}
			stack = stack[:len(stack)-1]
		}
	}
	barrier := func() { stack = stack[:0] }
	for r.p < len(r.b) {
		at := r.p
		op := r.byte()
		switch {
		case op == 0x20: // local.get: perhaps the start of a stack address
			idx := r.u32()
			if idx == sp {
				if k, end, isAddr := spAddr(r.b, r.p); isAddr {
					folds = append(folds, fold{at: at, end: end, k: k})
					stack = append(stack, len(folds)-1)
					r.p = end
					continue
				}
			}
			stack = append(stack, -1)
		case op == 0x23 || op == 0x41 || op == 0x42 || op == 0x43 || op == 0x44 || op == 0x3f:
			// global.get, constants, memory.size
			if !r.skipImmediates(op) {
				return body, 0, false
			}
			stack = append(stack, -1)
		case op == 0x21 || op == 0x24 || op == 0x1a: // local.set, global.set, drop
			if !r.skipImmediates(op) {
				return body, 0, false
			}
			pop(1)
		case op == 0x22 || op == 0x40: // local.tee, memory.grow
			if !r.skipImmediates(op) {
				return body, 0, false
			}
			pop(1)
			stack = append(stack, -1)
		case op >= 0x28 && op <= 0x3e: // loads and stores
			r.u32() // align
			off := r.u32()
			if r.err != nil {
				return body, 0, false
			}
			store := op >= 0x36
			addrAt := len(stack) - 1
			if store {
				addrAt--
			}
			if addrAt >= 0 && stack[addrAt] >= 0 {
				f := &folds[stack[addrAt]]
				if uint64(f.k)+uint64(off) <= 0xffffffff {
					f.mem = at
				}
			}
			if store {
				pop(2)
			} else {
				pop(1)
				stack = append(stack, -1)
			}
		case numericPops(op) > 0: // numeric instructions and select: one result
			pop(numericPops(op))
			stack = append(stack, -1)
		default:
			// Control flow, calls and the rest: the simulation ends
			// here, and a sequence still on the stack stays unfolded.
			if !r.skipImmediates(op) {
				return body, 0, false
			}
			barrier()
		}
		if r.err != nil {
			return body, 0, false
		}
	}
	// Emit: each folded sequence keeps its local.get and loses the rest;
	// its memory instruction gets the constant added to its offset.
	// Sequences can nest (a load through one inside the value a store
	// through another writes), so the edits are applied in byte order.
	type edit struct {
		from, to int    // bytes replaced
		mem      bool   // a memory instruction (else a deletion)
		k        uint32 // added to the offset
	}
	var edits []edit
	for _, f := range folds {
		if f.mem == 0 {
			continue
		}
		r := reader{b: body, p: f.at + 1}
		r.u32()
		edits = append(edits, edit{from: r.p, to: f.end})
		r.p = f.mem + 1
		r.u32()
		r.u32()
		edits = append(edits, edit{from: f.mem, to: r.p, mem: true, k: f.k})
		folded++
	}
	if folded == 0 {
		return body, 0, true
	}
	slices.SortFunc(edits, func(a, b edit) int { return a.from - b.from })
	out = make([]byte, 0, len(body))
	p := 0
	for _, e := range edits {
		out = append(out, body[p:e.from]...)
		if e.mem {
			r := reader{b: body, p: e.from + 1}
			align, off := r.u32(), r.u32()
			out = append(out, body[e.from])
			out = appendU32(out, align)
			out = appendU32(out, off+e.k)
		}
		p = e.to
	}
	out = append(out, body[p:]...)
	return out, folded, true
}

// spAddr reports whether the bytes at p (just after `local.get SP`) are
// `i64.extend_i32_u; i64.const K; i64.add; i32.wrap_i64` with 0 ≤ K <
// maxFoldK, and where they end.
func spAddr(b []byte, p int) (k uint32, end int, ok bool) {
	if p+1 >= len(b) || b[p] != 0xad || b[p+1] != 0x42 {
		return 0, 0, false
	}
	r := reader{b: b, p: p + 2}
	v := r.s64()
	if r.err != nil || v < 0 || v >= maxFoldK || r.p+1 >= len(b) || b[r.p] != 0x7c || b[r.p+1] != 0xa7 {
		return 0, 0, false
	}
	return uint32(v), r.p + 2, true
}

// spLocal returns the local a Go function caches its stack pointer in:
// its code starts `global.get 0; local.set L` (global 0 is SP in every
// module Go builds).
func spLocal(body []byte) (uint32, bool) {
	r := reader{b: body}
	if !r.skipLocals() || r.byte() != 0x23 || r.u32() != 0 || r.byte() != 0x21 {
		return 0, false
	}
	l := r.u32()
	return l, r.err == nil
}
