package jumps

// Conditional branches given a landing block of their own.
//
// wazero's compiler turns a compare followed by a conditional branch into
// one compare-and-jump, but only when both are in the same group of
// instructions. When a br_if's target is also reached from elsewhere (a
// block end that code falls into, a loop head), the edge is critical and
// wazero splits it by giving the branch a landing block of its own; the
// branch instruction it creates for that carries no group, so the compare
// is no longer fused: it is computed into a register as 0 or 1 (setcc,
// zero extension) and then tested (wazero v1.12.0, ssa.splitCriticalEdge:
// the new branch gets no group ID, and the backend fuses a compare into a
// branch only within one group). Nearly every br_if in Go's output targets
// such a label.
//
// splitEdges gives such a br_if the landing block in the wasm itself:
//
//	<compare>; br_if d
//
// becomes
//
//	<compare>; local.set C
//	block
//	  block
//	    local.get C
//	    br_if 0      ;; taken: to the landing block, reached from here only
//	    br 1         ;; not taken: past the landing block
//	  end
//	  br d+1         ;; the landing block: on to the original target
//	end
//
// so no edge from the branch is critical, wazero has nothing to split, and
// the compare and the branch become one compare-and-jump. It is the same
// control flow: taken, the branch reaches the original target through one
// unconditional branch; not taken, execution goes on after the construct,
// with the operand stack as the br_if left it (blocks without parameters
// or results neither see nor change the values below them, and a branch
// out of them drops the values above the target's height, as the br_if
// did). Only a br_if right after an integer compare, i32.eqz or i64.eqz is
// rewritten (a branch on a plain value is a test and a jump either way),
// and only one to a label without results (a br_if to a label with results
// passes values along).
//
// An if without else on a compare has the same critical edge (its end is
// reached from the compare and from the end of its body) and gets the same
// treatment: `<compare>; if … end` becomes `<compare>; local.set C; block;
// block; local.get C; br_if 0; br 1; end; … end`, the if's body following
// the landing block inside a plain block that ends where the if did, so
// the branch depths inside the body stay what they were. Go's prologue
// (the stack check) and its nil checks are such ifs.
//
// Giving every br_if a landing block measured no
// better and made the module 450 KB larger; putting the landing block on
// the fall-through path, with the compare negated, made the hot operations
// a fifth slower (BENCHMARKS.md, eighth session).

// splitEdges returns body (of a function with params parameters) with each
// br_if on a compare to a label without results, and each if without else
// on a compare, given its own landing block, and how many it rewrote; ok is false, and body unchanged, when the body holds an
// instruction the package does not decode.
func splitEdges(body []byte, params int) (out []byte, n int, ok bool) {
	r := reader{b: body}
	decls, locals, ok := r.readDecls(params)
	if !ok {
		return body, 0, false
	}
	c := uint32(locals) // the new i32 local that holds the condition
	codeStart := r.p
	hasElse, ok := ifsWithElse(body, codeStart)
	if !ok {
		return body, 0, false
	}
	var labels []bool // the control stack: whether each label carries no values
	var code []byte
	p := codeStart
	prevAt, prevOp := -1, byte(0) // the instruction before the current one, if it had no immediates
	for r.p < len(r.b) {
		at := r.p
		op := r.byte()
		switch op {
		case 0x02, 0x03, 0x04: // block, loop, if
			t := r.blockType()
			labels = append(labels, t == 0x40)
			// An if without else on a compare: its end is reached both
			// from the compare and from the end of its body, the same
			// critical edge. The condition gets a landing block the same
			// way, the if's body following it inside a plain block
			// whose end is where the if's was (so the body's branch
			// depths stay as they were).
			if op != 0x04 || t != 0x40 || hasElse[at] || prevAt != at-1 ||
				(opposite[prevOp] == 0 && prevOp != 0x45 && prevOp != 0x50) {
				break
			}
			code = landing(append(code, body[p:at]...), c)
			p = r.p
			n++
		case 0x0b: // end
			if len(labels) > 0 {
				labels = labels[:len(labels)-1]
			}
		case 0x0d: // br_if
			d := r.u32()
			if r.err != nil || int(d) >= len(labels) || !labels[len(labels)-1-int(d)] {
				break
			}
			// Only a branch on a compare loses anything to the split: a
			// branch on a plain value is a test and a jump either way.
			if prevAt != at-1 || (opposite[prevOp] == 0 && prevOp != 0x45 && prevOp != 0x50) {
				break
			}
			code = landing(append(code, body[p:at]...), c)
			code = append(code, 0x0c)
			code = appendU32(code, d+1) // inside the outer new block only
			code = append(code, 0x0b)
			p = r.p
			n++
		default:
			if !r.skipImmediates(op) {
				return body, 0, false
			}
		}
		if r.err != nil {
			return body, 0, false
		}
		if r.p == at+1 {
			prevAt, prevOp = at, op
		} else {
			prevAt, prevOp = -1, 0
		}
	}
	if n == 0 {
		return body, 0, true
	}
	code = append(code, body[p:]...)
	out = appendDecls(make([]byte, 0, len(code)+16), decls, 0x7f)
	return append(out, code...), n, true
}

// landing appends the start of the construct: the condition into local c,
// an outer block, and an inner one whose br_if on c reaches the landing
// block and whose fall-through branches past the outer block.
func landing(code []byte, c uint32) []byte {
	code = append(code, 0x21)
	code = appendU32(code, c)
	code = append(code, 0x02, 0x40, 0x02, 0x40, 0x20)
	code = appendU32(code, c)
	return append(code, 0x0d, 0x00, 0x0c, 0x01, 0x0b)
}

// ifsWithElse returns the offsets of the if instructions in body (code from
// start) that have an else.
func ifsWithElse(body []byte, start int) (map[int]bool, bool) {
	r := reader{b: body, p: start}
	var open []int // offsets of the open blocks' instructions, -1 for block and loop
	with := map[int]bool{}
	for r.p < len(r.b) {
		at := r.p
		op := r.byte()
		if !r.skipImmediates(op) {
			return nil, false
		}
		switch op {
		case 0x02, 0x03, 0x04:
			if op != 0x04 {
				at = -1
			}
			open = append(open, at)
		case 0x05:
			if len(open) > 0 && open[len(open)-1] >= 0 {
				with[open[len(open)-1]] = true
			}
		case 0x0b:
			if len(open) > 0 {
				open = open[:len(open)-1]
			}
		}
	}
	return with, true
}
