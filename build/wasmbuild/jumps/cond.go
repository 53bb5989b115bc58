package jumps

// Conditions without round trips.
//
// Go's wasm backend keeps booleans in i64 registers and tests them with
// i64.eqz, so a branch on a comparison often reads
//
//	i64.lt_u; i64.extend_i32_u; i64.eqz; br_if
//
// or `…; i32.eqz; i32.eqz; br_if`. wazero translates each instruction as
// it comes (it has no pass that folds them afterwards), so every step
// costs machine instructions: a compare turned into 0 or 1, extended,
// compared again. foldConds rewrites adjacent instructions to the shorter
// form that computes the same value:
//
//	i64.extend_i32_u; i64.eqz   → i32.eqz          (x extended is 0 iff x is)
//	<integer compare>; i32.eqz  → the opposite compare (lt_u → ge_u, eq → ne…)
//	i64.eqz; i32.eqz            → i64.const 0; i64.ne
//	i32.eqz; i32.eqz; br_if/if  → br_if/if         (both branch iff x ≠ 0)
//
// The rules apply again to what they produce, so the first example becomes
// `i64.ge_u; br_if`, which wazero compiles to one compare and one jump.
// Floating-point compares are left alone (with NaN, not lt is not ge).
// Only instructions adjacent in the code are combined: the second consumes
// exactly the first one's result.

// opposite maps each integer comparison to its negation.
var opposite = map[byte]byte{
	0x46: 0x47, 0x47: 0x46, // i32.eq, i32.ne
	0x48: 0x4e, 0x4e: 0x48, // i32.lt_s, i32.ge_s
	0x49: 0x4f, 0x4f: 0x49, // i32.lt_u, i32.ge_u
	0x4a: 0x4c, 0x4c: 0x4a, // i32.gt_s, i32.le_s
	0x4b: 0x4d, 0x4d: 0x4b, // i32.gt_u, i32.le_u
	0x51: 0x52, 0x52: 0x51, // i64.eq, i64.ne
	0x53: 0x59, 0x59: 0x53, // i64.lt_s, i64.ge_s
	0x54: 0x5a, 0x5a: 0x54, // i64.lt_u, i64.ge_u
	0x55: 0x57, 0x57: 0x55, // i64.gt_s, i64.le_s
	0x56: 0x58, 0x58: 0x56, // i64.gt_u, i64.le_u
}

// foldConds returns body with the rewrites above and how many it made; ok
// is false, and body unchanged, when the body holds an instruction the
// package does not decode.
func foldConds(body []byte) (out []byte, n int, ok bool) {
	r := reader{b: body}
	if !r.skipLocals() {
		return body, 0, false
	}
	out = make([]byte, 0, len(body))
	out = append(out, body[:r.p]...)
	// ops are the opcodes of the instructions last written to out that
	// have no immediates (those are all the rules look at), most recent
	// last; any other instruction empties it.
	var ops []byte
	last := func(i int) byte {
		if i <= len(ops) {
			return ops[len(ops)-i]
		}
		return 0
	}
	drop := func(k int) {
		out = out[:len(out)-k]
		ops = ops[:len(ops)-k]
	}
	var emit func(op byte)
	emit = func(op byte) {
		switch {
		case op == 0x50 && last(1) == 0xad: // i64.extend_i32_u; i64.eqz
			drop(1)
			n++
			emit(0x45)
			return
		case op == 0x45 && opposite[last(1)] != 0: // compare; i32.eqz
			c := last(1)
			drop(1)
			n++
			emit(opposite[c])
			return
		case op == 0x45 && last(1) == 0x50: // i64.eqz; i32.eqz
			drop(1)
			n++
			out = append(out, 0x42, 0x00) // i64.const 0 (an immediate: not in ops)
			ops = ops[:0]
			emit(0x52)
			return
		}
		out = append(out, op)
		ops = append(ops, op)
	}
	for r.p < len(r.b) {
		at := r.p
		op := r.byte()
		switch {
		case op == 0x45 || op == 0x50 || op == 0xad || opposite[op] != 0:
			emit(op)
			continue
		case op == 0x0d || op == 0x04:
			// Every pair, so that a second pass finds none left.
			for last(1) == 0x45 && last(2) == 0x45 {
				drop(2)
				n++
			}
		}
		if !r.skipImmediates(op) {
			return body, 0, false
		}
		if r.err != nil {
			return body, 0, false
		}
		out = append(out, r.b[at:r.p]...)
		ops = ops[:0]
	}
	return out, n, true
}
