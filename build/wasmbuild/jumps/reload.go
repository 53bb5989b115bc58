package jumps

import "slices"

// Stack slots read again, from a local.
//
// Go's register allocator treats a function's arguments as free to read
// again from their stack slots instead of keeping them in registers, so
// its wasm output reads the same slot over and over:
//
//	local.get SP; i64.load offset=136; i32.wrap_i64; i64.load offset=16
//	local.get SP; i64.load offset=136; i32.wrap_i64; i64.load offset=8
//
// (the receiver w, then w.buf's capacity and length). Each read is a load,
// and each wrapped result is a new base for wazero's bounds check, so the
// accesses through it are checked again every time. cacheReloads keeps
// such a value in a new local: where the same read (load instruction,
// offset, and whether it is wrapped) comes twice or more in straight-line
// code, the first becomes `… local.tee C` and the others `local.get C`.
//
// It is the same value because nothing between the reads can change the
// slot or SP: straight-line code here ends at every store, memory.copy,
// memory.fill, memory.init and memory.grow (any of which may write the
// slot), every call (the callee may write anywhere, or unwind the Go
// stack), every write to SP's local, and every place where paths join or
// control leaves (loop, else, end, br, br_table, return, unreachable).
// A br_if does not end it: the code after it runs only after everything
// before it. The reads between two such ends all execute in order, so the
// tee runs before each local.get that replaces a later read.

// cacheReloads returns body (of a function with params parameters, whose
// SP cache is local sp) with repeated stack slot reads taken from new
// locals, and how many reads it replaced; ok is false, and body unchanged,
// when the body holds an instruction the package does not decode.
func cacheReloads(body []byte, params int, sp uint32) (out []byte, n int, ok bool) {
	r := reader{b: body}
	decls, locals, ok := r.readDecls(params)
	if !ok {
		return body, 0, false
	}
	codeStart := r.p
	type key struct {
		op   byte
		off  uint32
		wrap bool
	}
	type read struct {
		at, end int
		k       key
		epoch   int // how many stores through SP had written k's bytes before this read
	}
	type edit struct {
		at, end int
		local   uint32
		tee     bool
	}
	var (
		region []read // reads since the last end of straight-line code
		edits  []edit
		cache  = map[key]uint32{} // the local a key's value is kept in
		epochs = map[key]int{}
		added  []byte // types of the new locals, in order
		stack  []bool // the operand stack since the last end: true for a value that is SP itself
	)
	end := func() {
		for i, rd := range region {
			if rd.at < 0 {
				continue // taken by an earlier read of its key
			}
			var later []int
			for j := i + 1; j < len(region); j++ {
				if region[j].k == rd.k && region[j].epoch == rd.epoch && region[j].at >= 0 {
					later = append(later, j)
				}
			}
			if len(later) == 0 {
				continue
			}
			c, ok := cache[rd.k]
			if !ok {
				c = uint32(locals + len(added))
				cache[rd.k] = c
				added = append(added, readType(rd.k.op, rd.k.wrap))
			}
			edits = append(edits, edit{at: rd.at, end: rd.end, local: c, tee: true})
			for _, j := range later {
				edits = append(edits, edit{at: region[j].at, end: region[j].end, local: c})
				region[j].at = -1
				n++
			}
		}
		region = region[:0]
		clear(epochs)
		stack = stack[:0]
	}
	pop := func(k int) {
		for ; k > 0 && len(stack) > 0; k-- {
			stack = stack[:len(stack)-1]
		}
	}
	for r.p < len(r.b) {
		at := r.p
		op := r.byte()
		switch {
		case op == 0x20: // local.get: perhaps a read of SP
			idx := r.u32()
			if idx != sp || r.err != nil {
				stack = append(stack, false)
				break
			}
			if r.p >= len(r.b) || r.b[r.p] < 0x28 || r.b[r.p] > 0x35 {
				stack = append(stack, true)
				break
			}
			lop := r.b[r.p]
			lr := reader{b: r.b, p: r.p + 1}
			lr.u32() // align
			off := lr.u32()
			if lr.err != nil {
				return body, 0, false
			}
			k := key{op: lop, off: off}
			if readType(lop, false) == 0x7e && lr.p < len(r.b) && r.b[lr.p] == 0xa7 { // i32.wrap_i64
				k.wrap = true
				lr.p++
			}
			region = append(region, read{at: at, end: lr.p, k: k, epoch: epochs[k]})
			stack = append(stack, false)
			r.p = lr.p
		case op == 0x21 || op == 0x22: // local.set, local.tee
			if r.u32() == sp {
				end()
				break
			}
			pop(1)
			if op == 0x22 {
				stack = append(stack, false)
			}
		case op == 0x23 || op == 0x41 || op == 0x42 || op == 0x43 || op == 0x44 || op == 0x3f:
			// global.get, constants, memory.size
			if !r.skipImmediates(op) {
				return body, 0, false
			}
			stack = append(stack, false)
		case op == 0x24 || op == 0x1a: // global.set, drop
			if !r.skipImmediates(op) {
				return body, 0, false
			}
			pop(1)
		case op >= 0x28 && op <= 0x35: // other loads
			r.u32()
			r.u32()
			pop(1)
			stack = append(stack, false)
		case op >= 0x36 && op <= 0x3e: // stores
			r.u32()
			off := r.u32()
			if len(stack) < 2 || !stack[len(stack)-2] {
				end() // through any other address it may write any slot
				break
			}
			// Through SP: only the reads of the bytes it writes start
			// over.
			lo, hi := uint64(off), uint64(off)+uint64(accessSize(op))
			for i := range region {
				k := region[i].k
				if klo := uint64(k.off); klo < hi && lo < klo+uint64(accessSize(k.op)) {
					epochs[k] = region[i].epoch + 1
				}
			}
			pop(2)
		case numericPops(op) > 0: // numeric instructions and select: one result
			pop(numericPops(op))
			stack = append(stack, false)
		case op == 0x02 || op == 0x04: // block, if: the code inside runs after what came before
			r.blockType()
			if op == 0x04 {
				pop(1)
			}
			// The operands a block starts with are not tracked across it.
			stack = stack[:0]
		case op == 0x0d: // br_if: the code after it runs after what came before
			r.u32()
			pop(1)
		default:
			// loop (its start is also reached from its end), else and
			// end (paths join), branches, calls, memory.grow and the
			// bulk memory instructions, and the rest: straight-line code
			// ends here.
			if !r.skipImmediates(op) {
				return body, 0, false
			}
			end()
		}
		if r.err != nil {
			return body, 0, false
		}
	}
	end()
	if n == 0 {
		return body, 0, true
	}
	slices.SortFunc(edits, func(a, b edit) int { return a.at - b.at })
	out = make([]byte, 0, len(body)+len(edits)*2+8)
	out = appendDecls(out, decls, added...)
	p := codeStart
	for _, e := range edits {
		if e.tee {
			out = append(out, body[p:e.end]...)
			out = append(out, 0x22)
		} else {
			out = append(out, body[p:e.at]...)
			out = append(out, 0x20)
		}
		out = appendU32(out, e.local)
		p = e.end
	}
	out = append(out, body[p:]...)
	return out, n, true
}

// accessSize is how many bytes a load or store reads or writes.
func accessSize(op byte) int {
	switch op {
	case 0x29, 0x2b, 0x37, 0x39: // i64, f64
		return 8
	case 0x28, 0x2a, 0x34, 0x35, 0x36, 0x38, 0x3e: // i32, f32, i64 32-bit forms
		return 4
	case 0x2e, 0x2f, 0x32, 0x33, 0x3b, 0x3d: // 16-bit forms
		return 2
	}
	return 1 // 8-bit forms
}

// readType is the value type a load leaves (i32 after a wrap).
func readType(op byte, wrap bool) byte {
	switch {
	case wrap:
		return 0x7f
	case op == 0x28 || (op >= 0x2c && op <= 0x2f):
		return 0x7f // i32
	case op == 0x2a:
		return 0x7d // f32
	case op == 0x2b:
		return 0x7c // f64
	}
	return 0x7e // i64.load and its narrow forms
}
