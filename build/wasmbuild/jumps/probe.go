package jumps

import "slices"

// Stack bounds checked once, at the furthest offset.
//
// wazero checks a memory access against the memory's length unless it has
// already checked the same base value, in the same stretch of code, up to
// at least the end of this access (wazero v1.12.0, frontend.memOpSetup:
// the bound it remembers is the largest end checked so far). Go addresses
// its frame through SP in whatever order its code needs the slots:
//
//	local.get SP; i64.load offset=8
//	local.get SP; i64.load offset=40    ;; checked again: it ends further
//	local.get SP; i64.load offset=16
//	local.get SP; i64.store offset=56   ;; and again
//
// so every access that reaches further than all before it pays a check.
// probeStack puts one read of a byte in front of the first access through
// SP of each stretch, at the end of the furthest access of the stretch:
//
//	local.get SP; i32.load8_u offset=63; drop
//
// wazero checks that one, and none of the accesses after it (nor keeps
// the read: its value is unused). A stretch is code where SP's local
// keeps its value and wazero keeps what it knows: it ends wherever SP's
// local is written and wherever paths may join or control leaves (loop,
// else, end, br, br_table, return, unreachable, and the instructions this
// package does not track), and at every call (a callee may grow the
// memory, so that an access after it no longer traps, or not return; Go
// reads SP from its global after every call in any case). A br_if does not
// end it (the code after it has one predecessor), nor does the start of a
// block or an if (the code in it runs after what came before).
//
// Why it is the same: the read changes nothing, and it is in bounds
// whenever SP is Go's stack pointer, whether or not the accesses it stands
// for all run (some may lie past a br_if or inside an if). Every address Go forms from SP plus a
// constant is a slot of the function's frame, of the arguments and results
// it passes or receives, or of its caller's outgoing area, all on the
// goroutine's stack, which lies inside the module's memory. So the read
// traps only where an access of the stretch would trap anyway, and only
// then can the two differ (earlier, before the stretch's stores: a module
// whose stack pointer is out of memory has already failed, and the host
// discards an instance after any trap).

// probeStack returns body with a probe in front of each stretch whose
// accesses through SP (local sp) reach further after its first one, and
// how many it put in; ok is false, and body unchanged, when the body holds
// an instruction the package does not decode.
func probeStack(body []byte, sp uint32) (out []byte, n int, ok bool) {
	r := reader{b: body}
	if !r.skipLocals() {
		return body, 0, false
	}
	type stretch struct {
		first int    // where the first access's `local.get SP` starts
		end0  uint64 // the end (offset + size) of that access
		end   uint64 // the furthest end of an access in the stretch
	}
	var (
		stretches []stretch
		cur       = -1  // index of the current stretch, -1 before its first access
		stack     []int // the operand stack: where a `local.get SP` that pushed SP starts, else -1
	)
	pop := func(k int) {
		for ; k > 0 && len(stack) > 0; k-- {
			stack = stack[:len(stack)-1]
		}
	}
	// access records an access through SP pushed at at, ending at end.
	access := func(at int, end uint64) {
		if at < 0 {
			return
		}
		if cur < 0 {
			stretches = append(stretches, stretch{first: at, end0: end, end: end})
			cur = len(stretches) - 1
		} else {
			stretches[cur].end = max(stretches[cur].end, end)
		}
	}
	for r.p < len(r.b) {
		at := r.p
		op := r.byte()
		switch {
		case op == 0x20: // local.get
			if r.u32() == sp {
				stack = append(stack, at)
			} else {
				stack = append(stack, -1)
			}
		case op == 0x21 || op == 0x22: // local.set, local.tee
			if r.u32() == sp {
				cur = -1 // a new SP: a new stretch
				// The old SP still on the operand stack is no
				// address of the new stretch.
				for i := range stack {
					stack[i] = -1
				}
			}
			pop(1)
			if op == 0x22 {
				stack = append(stack, -1)
			}
		case op == 0x23 || op == 0x41 || op == 0x42 || op == 0x43 || op == 0x44 || op == 0x3f:
			// global.get, constants, memory.size
			if !r.skipImmediates(op) {
				return body, 0, false
			}
			stack = append(stack, -1)
		case op == 0x24 || op == 0x1a: // global.set, drop
			if !r.skipImmediates(op) {
				return body, 0, false
			}
			pop(1)
		case op >= 0x28 && op <= 0x3e: // loads and stores
			r.u32()
			end := uint64(r.u32()) + uint64(accessSize(op))
			k := 1 // operands: the address, and a store's value above it
			if op >= 0x36 {
				k = 2
			}
			if len(stack) >= k {
				access(stack[len(stack)-k], end)
			}
			pop(k)
			if k == 1 {
				stack = append(stack, -1) // the loaded value
			}
		case numericPops(op) > 0: // numeric instructions and select: one result
			pop(numericPops(op))
			stack = append(stack, -1)
		case op == 0x02 || op == 0x04 || op == 0x0d:
			// block, if, br_if: the stretch goes on. Operands are not
			// tracked across them (a value on the stack before is not
			// taken for an address after).
			if !r.skipImmediates(op) {
				return body, 0, false
			}
			stack = stack[:0]
		default:
			// loop, else and end (paths may join), br, br_table,
			// return, unreachable, calls (a callee may grow the memory
			// or not return, and Go reads SP again after every call
			// anyway) and the rest: the stretch ends.
			if !r.skipImmediates(op) {
				return body, 0, false
			}
			cur = -1
			stack = stack[:0]
		}
		if r.err != nil {
			return body, 0, false
		}
	}
	stretches = slices.DeleteFunc(stretches, func(s stretch) bool { return s.end == s.end0 || s.end > 1<<32 })
	if len(stretches) == 0 {
		return body, 0, true
	}
	out = make([]byte, 0, len(body)+len(stretches)*8)
	p := 0
	for _, s := range stretches {
		if s.first < p {
			return body, 0, false // not in order: cannot happen, see the SP write above
		}
		out = append(out, body[p:s.first]...)
		out = append(out, 0x20)
		out = appendU32(out, sp)
		out = append(out, 0x2d, 0x00) // i32.load8_u, align 1
		out = appendU32(out, uint32(s.end-1))
		out = append(out, 0x1a) // drop
		p = s.first
	}
	return append(out, body[p:]...), len(stretches), true
}
