// Package jumps rewrites a module built by Go's wasm backend so that forward
// jumps inside a function branch straight to their target instead of going
// through the function's dispatch loop.
//
// Why: Go compiles every function into one loop around a br_table. A jump
// to another basic block is emitted as
//
//	i32.const <pc>; local.set <PC_B>; br <entry loop>
//
// and the loop's head then reads PC_B and takes the br_table to the block
// that starts at <pc>. Every taken branch and every loop iteration is an
// indirect jump from the same br_table, which is what makes a standard-Go
// guest run so much slower under wazero than natively (see BENCHMARKS.md).
// The blocks the br_table selects between are nested around the function's
// code, block r ending where the code of resume point r begins. A jump to a
// resume point later in the function is therefore a jump out of a block
// that encloses the jump: plain `br` to that block reaches the same
// instruction without the loop. Jumps backwards (loop back-edges) cannot
// become a br, since no label encloses them at their target; for the first
// few of them the dispatch gets a fast path instead, a compare of PC_B and a
// br_if in front of its br_table, which replaces the indirect jump by a
// conditional one. So does PC_B 0, with which every call enters a function.
//
// Why it is safe: PC_B is read only by the dispatch br_table (the Go
// toolchain's assembler, cmd/internal/obj/wasm, uses it otherwise only as a
// scratch slot that is written before it is read, and return addresses are
// constants stored on the Go stack, not PC_B). The skipped `local.set` only
// fed the dispatch that no longer happens; every later dispatch is preceded
// by its own `local.set`. The rewriter checks this instead of assuming it:
// a function that reads PC_B anywhere else, whose body does not have
// exactly the shape described, or that holds an instruction this package
// does not decode, is copied unchanged. The whole test suite (conformance
// vectors in wazero and Node, parity with the native core) runs on the
// rewritten module.
//
// Six smaller rewrites follow, each in its own file with its own safety
// argument. wazero translates wasm instruction by instruction and has no
// pass that would fold what Go's backend leaves behind, so each one saves
// machine code on a hot path: stack addresses folded into the offset of
// the access (addr.go), conditions without the boolean round trips
// (cond.go), small constant-size copies and zeroings done inline instead
// of by calls into the Go runtime (bulk.go), stack slots read again taken
// from a local (reload.go), the stack's bounds checked once per stretch
// of code, at its furthest offset (probe.go), and a landing block of its
// own for each branch on a compare, so that wazero fuses the two
// (edges.go). Before them, the runtime's byte-by-byte memory comparison is
// replaced by one comparing words (memeq.go). They assume, as the rest of
// the package does, a module built by Go's wasm backend.
//
// One more is optional (RewriteWith, Options.Pure): for the functions of
// packages the caller vouches for as compiled Go without assembly, the
// dispatch entries of pcs the runtime never resumes at are sent to a trap,
// so that the blocks they led to keep only their real predecessors
// (prune.go).
package jumps

import (
	"errors"
	"fmt"
	"maps"
	"slices"
)

// Stats counts what Rewrite did.
type Stats struct {
	Functions int `json:"functions"` // function bodies in the module
	Rewritten int `json:"rewritten"` // bodies with at least one jump made direct
	Direct    int `json:"direct"`    // jumps made direct
	Kept      int `json:"kept"`      // jumps to the dispatch loop left as they were (backwards)
	FastPaths int `json:"fastPaths"` // compares put in front of br_tables (PC_B 0 and back-edge targets)
	Skipped   int `json:"skipped"`   // bodies whose jumps stay as they were: no dispatch, not Go's shape, or not decodable
	Folded    int `json:"folded"`    // stack addresses folded into a load's or store's offset (addr.go)
	Conds     int `json:"conds"`     // conditions shortened (cond.go)
	Bulk      int `json:"bulk"`      // constant-size memory.copy and memory.fill inlined (bulk.go)
	Reloads   int `json:"reloads"`   // stack slot reads taken from a local instead (reload.go)
	Edges     int `json:"edges"`     // br_ifs given a landing block of their own (edges.go)
	Memeq     int `json:"memeq"`     // memeqbody replaced by one comparing words (memeq.go)
	Pruned    int `json:"pruned"`    // dispatch entries sent to a trap (prune.go, with Options.Pure)
	Probes    int `json:"probes"`    // stack bounds checked once, at the furthest offset (probe.go)
}

// Rewrite returns mod with forward jumps made direct, fast paths in front
// of each dispatch, and the rewrites of memeq.go, addr.go, cond.go,
// bulk.go, reload.go, probe.go and edges.go. It touches only the code
// section; every other section is copied byte for byte.
func Rewrite(mod []byte) ([]byte, Stats, error) { return rewrite(mod, true, Options{}) }

// RewriteWith is Rewrite with the optional rewrites of opt.
func RewriteWith(mod []byte, opt Options) ([]byte, Stats, error) { return rewrite(mod, true, opt) }

// rewrite is RewriteWith with the landing blocks of edges.go optional, so
// that tests of the other rewrites can compare exact output.
func rewrite(mod []byte, edges bool, opt Options) ([]byte, Stats, error) {
	var st Stats
	if len(mod) < 8 || string(mod[:4]) != "\x00asm" || mod[4] != 1 || mod[5] != 0 || mod[6] != 0 || mod[7] != 0 {
		return nil, st, errors.New("jumps: not a WebAssembly 1.0 binary")
	}
	out := make([]byte, 0, len(mod))
	out = append(out, mod[:8]...)
	r := reader{b: mod, p: 8}
	var typeSec, funcSec []byte
	pr := newPruner(mod, opt.Pure)
	for r.p < len(r.b) {
		start := r.p
		id := r.byte()
		size := r.u32()
		if r.err != nil || r.p+int(size) > len(r.b) {
			return nil, st, fmt.Errorf("jumps: section at %d: truncated", start)
		}
		body := r.b[r.p : r.p+int(size)]
		r.p += int(size)
		if id != 10 {
			switch id {
			case 1:
				typeSec = body
			case 3:
				funcSec = body
			}
			out = append(out, r.b[start:r.p]...)
			continue
		}
		code, err := rewriteCode(body, paramCounts(typeSec, funcSec), edges, !opt.noProbes, pr, &st)
		if err != nil {
			return nil, st, err
		}
		out = append(out, 10)
		out = appendU32(out, uint32(len(code)))
		out = append(out, code...)
	}
	return out, st, nil
}

func rewriteCode(sec []byte, params []int, edges, probes bool, pr *pruner, st *Stats) ([]byte, error) {
	r := reader{b: sec}
	n := r.u32()
	out := make([]byte, 0, len(sec))
	out = appendU32(out, n)
	for i := uint32(0); i < n; i++ {
		size := r.u32()
		if r.err != nil || r.p+int(size) > len(r.b) {
			return nil, fmt.Errorf("jumps: function body %d: truncated", i)
		}
		body := r.b[r.p : r.p+int(size)]
		r.p += int(size)
		st.Functions++
		if mb, ok := fastMemeq(body); ok {
			body = mb
			st.Memeq++
		}
		var live map[int32]bool
		if pr != nil {
			live, _ = pr.resumePoints(pr.imported+i, body)
		}
		nb, direct, kept, fast, pruned, ok := rewriteBody(body, live)
		st.Pruned += pruned
		switch {
		case !ok:
			st.Skipped++
			nb = body
		case direct > 0:
			st.Rewritten++
		}
		if int(i) < len(params) {
			if bb, n, ok := expandBulk(nb, params[i]); ok {
				nb = bb
				st.Bulk += n
			}
		}
		if sp, ok := spLocal(nb); ok {
			if fb, n, ok := foldAddr(nb, sp); ok {
				nb = fb
				st.Folded += n
			}
		}
		if cb, n, ok := foldConds(nb); ok {
			nb = cb
			st.Conds += n
		}
		if sp, ok := spLocal(nb); ok && int(i) < len(params) {
			if rb, n, ok := cacheReloads(nb, params[i], sp); ok {
				nb = rb
				st.Reloads += n
			}
		}
		if sp, ok := spLocal(nb); ok && probes {
			if pb, n, ok := probeStack(nb, sp); ok {
				nb = pb
				st.Probes += n
			}
		}
		if edges && int(i) < len(params) {
			if eb, n, ok := splitEdges(nb, params[i]); ok {
				nb = eb
				st.Edges += n
			}
		}
		st.Direct += direct
		st.Kept += kept
		st.FastPaths += fast
		out = appendU32(out, uint32(len(nb)))
		out = append(out, nb...)
	}
	if r.err != nil || r.p != len(r.b) {
		return nil, errors.New("jumps: code section: trailing or truncated bytes")
	}
	return out, nil
}

// label is one entry of the control stack while a body is decoded.
type label struct {
	id    int
	entry bool // Go's dispatch loop
}

// rewriteBody decodes one body twice: first to find the dispatch loop and
// its br_table (which maps a pc to a label), then to copy it with each
// `i32.const pc; local.set PC_B; br <loop>` whose target label is open
// replaced by a direct branch, then gives the dispatch fast paths for the
// jumps left (fastPaths). With live, the resume points of a function
// that may be pruned (prune.go), the dispatch entries for the pcs neither
// in live nor targets of the jumps left go to a trap. ok is false when the
// body is left alone.
func rewriteBody(body []byte, live map[int32]bool) (out []byte, direct, kept, fast, pruned int, ok bool) {
	r := reader{b: body}
	if !r.skipLocals() {
		return nil, 0, 0, 0, 0, false
	}
	codeStart := r.p
	d, ok := findDispatch(body, codeStart)
	if !ok {
		return nil, 0, 0, 0, 0, false
	}
	out = make([]byte, 0, len(body))
	out = append(out, body[:codeStart]...)
	r.p = codeStart
	var stack []label
	var back []int32 // targets of the jumps left in place, in order
	bare := false    // a branch to the dispatch loop that is not a jump
	next := 0
	inIf := false             // the instruction before this one opened an `if` without results
	p2, p1, cur := -1, -1, -1 // starts of the instructions before this one
	for r.p < len(r.b) {
		at := r.p
		p2, p1, cur = p1, cur, at
		op := r.byte()
		justIf := inIf
		inIf = false
		switch op {
		case 0x20, 0x22: // local.get, local.tee
			// The safety argument (package comment) is that only the
			// dispatch reads PC_B, and the assembler's indirect calls use
			// it as scratch: local.set PC_B; i32.const 0; local.get PC_B.
			// Any other read, which a future Go could emit, leaves the
			// function as it is.
			if r.u32() == d.pcb && at != d.at && (op == 0x22 || !scratchRead(r.b, p2, p1, d.pcb)) {
				return nil, 0, 0, 0, 0, false
			}
		case 0x02, 0x03, 0x04: // block, loop, if
			bt := r.blockType()
			stack = append(stack, label{id: next, entry: op == 0x03 && next == d.loopID})
			next++
			if op == 0x04 && bt == 0x40 && r.err == nil {
				out = append(out, r.b[at:r.p]...)
				inIf = true
				continue
			}
		case 0x0b: // end
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case 0x41: // i32.const: the start of a jump?
			pc := r.s32()
			if target, depth, ok := d.jump(&r, pc, stack); ok {
				if target < 0 {
					kept++
					back = append(back, pc)
					// Copied as they are, the local.set and the br
					// with the i32.const (d.jump checked them).
					r.byte()
					r.u32()
					r.byte()
					r.u32()
				} else {
					// A conditional jump is `if; <jump>; end`: make it br_if.
					if justIf && r.p < len(r.b) && r.b[r.p] == 0x0b {
						out = out[:len(out)-2]
						out = append(out, 0x0d)
						out = appendU32(out, uint32(depth-1))
						r.p++ // the if's end
						stack = stack[:len(stack)-1]
					} else {
						out = append(out, 0x0c)
						out = appendU32(out, uint32(depth))
					}
					direct++
					continue
				}
			}
		case 0x0c, 0x0d: // br, br_if
			bare = bare || toEntry(stack, r.u32())
		case 0x0e: // br_table
			for n := r.u32() + 1; n > 0 && r.err == nil; n-- {
				bare = bare || toEntry(stack, r.u32())
			}
		default:
			if !r.skipImmediates(op) {
				return nil, 0, 0, 0, 0, false
			}
		}
		if r.err != nil {
			return nil, 0, 0, 0, 0, false
		}
		out = append(out, r.b[at:r.p]...)
	}
	if r.err != nil || len(stack) != 0 {
		return nil, 0, 0, 0, 0, false
	}
	if live != nil && !bare {
		all := maps.Clone(live)
		for _, pc := range back {
			all[pc] = true
		}
		out, pruned = pruneTable(out, &d, all)
	}
	out, fast = d.fastPaths(out, back)
	return out, direct, kept, fast, pruned, true
}

// toEntry reports whether a branch of the given depth leaves for the
// dispatch loop.
func toEntry(stack []label, depth uint32) bool {
	i := len(stack) - 1 - int(depth)
	return i >= 0 && stack[i].entry
}

// maxFastPaths is how many backward targets a function's dispatch tests
// before its br_table. Two to twelve measured alike (BENCHMARKS.md).
const maxFastPaths = 4

// fastPaths puts in front of the dispatch's br_table a test for PC_B 0
// (every call enters a function with it) and, for each of the first
// maxFastPaths distinct pcs in back,
//
//	local.get PC_B; i32.const pc; i32.eq; br_if <pc's block>
//
// so a call's entry and a loop's back edge reach their block by a compare
// and a conditional branch instead of the br_table's indirect jump. Each
// sends PC_B to the block the br_table would, so nothing else changes.
func (d *dispatch) fastPaths(out []byte, back []int32) ([]byte, int) {
	ins := []byte{0x20}
	ins = appendU32(ins, d.pcb)
	ins = append(ins, 0x45, 0x0d) // i32.eqz, br_if
	ins = appendU32(ins, uint32(d.depth[d.target(0)]))
	seen := []int32{0}
	for _, pc := range back {
		if len(seen) == 1+maxFastPaths || slices.Contains(seen, pc) {
			continue
		}
		seen = append(seen, pc)
		ins = append(ins, 0x20)
		ins = appendU32(ins, d.pcb)
		ins = append(ins, 0x41)
		ins = appendS32(ins, pc)
		ins = append(ins, 0x46, 0x0d) // i32.eq, br_if
		ins = appendU32(ins, uint32(d.depth[d.target(pc)]))
	}
	return slices.Insert(out, d.at, ins...), len(seen)
}

// scratchRead reports whether the instructions at p2 and p1 are
// `local.set pcb; i32.const 0`: the local.get of PC_B after them reads back
// what the first wrote (cmd/internal/obj/wasm's indirect calls).
func scratchRead(b []byte, p2, p1 int, pcb uint32) bool {
	if p2 < 0 || p1 < 0 || b[p2] != 0x21 || b[p1] != 0x41 || p1+1 >= len(b) || b[p1+1] != 0x00 {
		return false
	}
	r := reader{b: b, p: p2 + 1}
	return r.u32() == pcb && r.err == nil && r.p == p1
}

// dispatch describes a body's entry loop: its label id, the PC_B local,
// and for each pc the id of the block whose end starts that pc's code.
type dispatch struct {
	loopID int
	pcb    uint32
	table  []int // pc → label id
	deflt  int
	at     int         // offset of `local.get PC_B` before the br_table
	depth  map[int]int // label id → its branch depth at the br_table
}

// target is the label id the br_table sends pc to.
func (d *dispatch) target(pc int32) int {
	if pc >= 0 && int(pc) < len(d.table) {
		return d.table[pc]
	}
	return d.deflt
}

// findDispatch recognises the head of a Go function body:
//
//	[global.get SP; local.set SPcache] [block] [loop] block… local.get PC_B br_table
//
// It returns the loop's label id (its index in order of opening) and the
// br_table resolved to label ids.
func findDispatch(body []byte, codeStart int) (dispatch, bool) {
	r := reader{b: body, p: codeStart}
	var stack []int
	next := 0
	loop := -1
	// The prologue, if there is one: global.get SP; local.set SPcache.
	if r.p+1 < len(r.b) && r.b[r.p] == 0x23 {
		r.p++
		r.u32()
		if r.byte() != 0x21 {
			return dispatch{}, false
		}
		r.u32()
	}
	for r.p < len(r.b) && r.err == nil {
		op := r.byte()
		switch op {
		case 0x02:
			if r.byte() != 0x40 {
				return dispatch{}, false
			}
			stack = append(stack, next)
			next++
		case 0x03:
			if r.byte() != 0x40 || loop >= 0 {
				return dispatch{}, false
			}
			loop = next
			stack = append(stack, next)
			next++
		case 0x20: // local.get PC_B, then br_table
			// (A function without jumps has no loop: it still
			// dispatches to resume points after its calls.)
			at := r.p - 1
			pcb := r.u32()
			if r.byte() != 0x0e {
				return dispatch{}, false
			}
			n := r.u32()
			if r.err != nil || n > 1<<16 {
				return dispatch{}, false
			}
			d := dispatch{loopID: loop, pcb: pcb, table: make([]int, n), at: at, depth: map[int]int{}}
			for i, id := range stack {
				d.depth[id] = len(stack) - 1 - i
			}
			resolve := func(depth uint32) (int, bool) {
				i := len(stack) - 1 - int(depth)
				// Only the blocks opened inside the loop are resume points.
				if i < 0 || stack[i] <= loop {
					return 0, false
				}
				return stack[i], true
			}
			for i := range d.table {
				id, ok := resolve(r.u32())
				if !ok {
					return dispatch{}, false
				}
				d.table[i] = id
			}
			id, ok := resolve(r.u32())
			if !ok || r.err != nil {
				return dispatch{}, false
			}
			d.deflt = id
			return d, true
		default:
			return dispatch{}, false
		}
	}
	return dispatch{}, false
}

// jump looks at what follows an i32.const pc (r is positioned after it):
// `local.set PC_B; br <entry loop>`. If that is a jump, it consumes it and
// returns ok; target is the label id to branch to directly, or -1 when the
// target's block is not open here (a backward jump, left as it is), with
// depth the branch depth of that label.
func (d *dispatch) jump(r *reader, pc int32, stack []label) (target, depth int, ok bool) {
	save := r.p
	if r.p >= len(r.b) || r.b[r.p] != 0x21 {
		return 0, 0, false
	}
	r.p++
	if r.u32() != d.pcb || r.err != nil || r.p >= len(r.b) || r.b[r.p] != 0x0c {
		r.p, r.err = save, nil
		return 0, 0, false
	}
	r.p++
	br := r.u32()
	i := len(stack) - 1 - int(br)
	if r.err != nil || i < 0 || !stack[i].entry {
		r.p, r.err = save, nil
		return 0, 0, false
	}
	want := d.target(pc)
	for j := len(stack) - 1; j > i; j-- {
		if stack[j].id == want {
			return want, len(stack) - 1 - j, true
		}
	}
	// Not open: leave the three instructions in place.
	r.p = save
	return -1, 0, true
}
