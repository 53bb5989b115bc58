package jumps

import (
	"regexp"
	"strings"
)

// Dispatch entries nothing enters at, sent to a trap.
//
// Go's assembler gives every function one br_table indexed by pc (PC_B),
// with an entry for each pc of the function. After the forward jumps are
// made direct, most entries are dead: the block they lead to is reached by
// falling into it or by a direct branch, never through the dispatch. But
// the br_table still names it, so for wazero every such block has one more
// predecessor, the dispatch, with which it shares nothing. What wazero
// knows at the end of the block before (the memory's base and length in
// registers, which addresses it has already checked against the memory's
// bounds) is forgotten at the start of every block, and each local becomes
// a block parameter that values have to be moved into. pruneTable points
// the dead entries at a new block that ends in `unreachable`, so those
// blocks keep only the predecessors their code gives them:
//
//	local.get PC_B; br_table e0 e1 …
//
// becomes
//
//	block; local.get PC_B; br_table e0+1 0 e2+1 …, 0; end; unreachable
//
// where an entry that stays live goes one label further out (the new
// block) to the same place, and a dead one to the new block's end; so
// does the default (the pcs past the entries) unless a live pc is among
// them (Go's assembler makes the last pc of a function the default).
//
// Which pcs are live. A compiled Go function is entered at a pc other
// than 0 only when the runtime resumes it: after a call that unwound the
// wasm stack (a goroutine switch, a stack growth; the runtime resumes at
// the return address the call stored on the Go stack, the i64.const
// PC_F<<16 | pc in front of every call, cmd/internal/obj/wasm), at a
// function's deferreturn call when a deferred function recovered a panic
// (the pc the runtime takes from the function's metadata, not from its
// code), and at the targets of the jumps still sent through the dispatch
// (loop back-edges, `i32.const pc; local.set PC_B; br <loop>`). Hand-written
// assembly is different: the runtime enters some of it at pcs computed in
// other functions (a new goroutine returns to goexit's entry + 1). So
// pruning applies only when all of these hold, and the body is otherwise
// left as it is:
//
//   - the function belongs to a package the caller vouches for as compiled
//     Go only (Options.Pure; the build passes the module's own packages it
//     links, after go list has shown they have no assembly and that no
//     other package's name in the name section could be taken for theirs),
//   - it does not call runtime.deferreturn,
//   - every branch to the dispatch loop is one of the jumps above,
//   - every call of a Go function (type (i32)→i32) stores a return address
//     with this function's PC_F (its slot in the table, from the element
//     section), which shows the PC_F is the right one,
//
// and the live entries are pc 0, every pc of such a return address in the
// body, and every target of a jump left through the dispatch. Were any of
// this wrong, a resume would trap, not run the wrong code.

// Options are the optional rewrites of RewriteWith.
type Options struct {
	// Pure lists the import paths of packages that are compiled Go
	// without assembly. The dispatch of their functions is pruned
	// (prune.go). A function is taken to be of package p when its name
	// starts with LinkerName(p) and a dot, so no other package linked into
	// the module may have a LinkerName that, with its dot, starts so too
	// (the caller checks: several paths spell the same).
	Pure []string

	// noProbes leaves probe.go out: tests that compare what a module
	// leaves in memory when it traps with SP out of memory.
	noProbes bool
}

// pruner holds what pruning needs from the sections around the code.
type pruner struct {
	imported    uint32            // functions imported: the index of the first body
	goFunc      []bool            // by function index: of type (i32)→i32
	goType      []bool            // by type index: (i32)→i32
	slot        map[uint32]uint32 // function index → its table slot, Go's PC_F
	names       map[uint32]string // function index → name (name section)
	deferreturn uint32
	pure        []string // Options.Pure as the name section spells them, each with its dot
}

// nameChars is what Go's linker replaces by "_" in the name section
// (cmd/link/internal/wasm).
var nameChars = regexp.MustCompile(`[^\w.]`)

// LinkerName is how the name section spells the import path of a package
// before a function's name: the path as a symbol prefix (cmd/internal/
// objabi.PathToPrefix: spaces, control bytes, %, " and bytes from 0x7f,
// and dots after the last slash, as %xx), with every byte but letters,
// digits, _ and . then written as _ (cmd/link/internal/wasm).
func LinkerName(path string) string {
	slash := strings.LastIndex(path, "/")
	const hex = "0123456789abcdef"
	var b []byte
	for i := 0; i < len(path); i++ {
		if c := path[i]; c <= ' ' || (c == '.' && i > slash) || c == '%' || c == '"' || c >= 0x7f {
			b = append(b, '%', hex[c>>4], hex[c&0xf])
		} else {
			b = append(b, c)
		}
	}
	return nameChars.ReplaceAllString(string(b), "_")
}

// newPruner reads mod's type, import, function, element and name
// sections; nil when pure is empty or any of them is missing or not what
// Go's linker writes.
func newPruner(mod []byte, pure []string) *pruner {
	if len(pure) == 0 {
		return nil
	}
	var typ, imp, fn, elem, name []byte
	r := reader{b: mod, p: 8}
	for r.p < len(r.b) {
		id := r.byte()
		size := int(r.u32())
		if r.err != nil || r.p+size > len(r.b) {
			return nil
		}
		body := r.b[r.p : r.p+size]
		r.p += size
		switch id {
		case 1:
			typ = body
		case 2:
			imp = body
		case 3:
			fn = body
		case 9:
			elem = body
		case 0:
			c := reader{b: body}
			if l := int(c.u32()); c.err == nil && c.p+l <= len(body) && string(body[c.p:c.p+l]) == "name" {
				name = body[c.p+l:]
			}
		}
	}
	p := &pruner{slot: map[uint32]uint32{}, names: map[uint32]string{}}
	for _, s := range pure {
		p.pure = append(p.pure, LinkerName(s)+".")
	}
	if !p.readTypes(typ, imp, fn) || !p.readElems(elem) || !p.readNames(name) {
		return nil
	}
	return p
}

func (p *pruner) readTypes(typ, imp, fn []byte) bool {
	sigs, ok := readSignatures(typ)
	if !ok {
		return false
	}
	for _, sig := range sigs {
		p.goType = append(p.goType, string(sig.params) == "\x7f" && string(sig.results) == "\x7f")
	}
	r := reader{b: imp}
	for n := r.u32(); n > 0 && r.err == nil; n-- {
		r.p += int(r.u32()) // module
		r.p += int(r.u32()) // field
		switch r.byte() {
		case 0: // function
			p.goFunc = append(p.goFunc, p.isGoType(r.u32()))
			p.imported++
		case 1: // table: type, limits
			r.byte()
			if r.byte()&1 != 0 {
				r.u32()
			}
			r.u32()
		case 2: // memory: limits
			if r.byte()&1 != 0 {
				r.u32()
			}
			r.u32()
		case 3: // global: type, mutability
			r.byte()
			r.byte()
		default:
			return false
		}
	}
	if r.err != nil || r.p != len(r.b) {
		return false
	}
	types, ok := readFuncTypes(fn)
	for _, t := range types {
		p.goFunc = append(p.goFunc, p.isGoType(t))
	}
	return ok
}

func (p *pruner) isGoType(t uint32) bool { return int(t) < len(p.goType) && p.goType[t] }

// readElems maps each function in an active element segment of table 0
// with a constant offset (what Go's linker writes) to its slot.
func (p *pruner) readElems(elem []byte) bool {
	r := reader{b: elem}
	for n := r.u32(); n > 0 && r.err == nil; n-- {
		if r.u32() != 0 || r.byte() != 0x41 {
			return false
		}
		off := r.s32()
		if r.byte() != 0x0b || off < 0 {
			return false
		}
		for k, c := uint32(0), r.u32(); k < c && r.err == nil; k++ {
			p.slot[r.u32()] = uint32(off) + k
		}
	}
	return r.err == nil && r.p == len(r.b) && len(p.slot) > 0
}

// readNames reads the function names subsection of the name section and
// finds runtime.deferreturn.
func (p *pruner) readNames(sec []byte) bool {
	r := reader{b: sec}
	found := false
	for r.p < len(r.b) && r.err == nil {
		id := r.byte()
		end := int(r.u32()) + r.p
		if end > len(r.b) {
			return false
		}
		if id == 1 {
			for c := r.u32(); c > 0 && r.err == nil; c-- {
				idx, l := r.u32(), int(r.u32())
				if r.p+l > end {
					return false
				}
				n := string(r.b[r.p : r.p+l])
				r.p += l
				p.names[idx] = n
				if n == "runtime.deferreturn" {
					p.deferreturn, found = idx, true
				}
			}
		}
		r.p = end
	}
	return r.err == nil && found
}

// isPure reports whether the function named name is in a package of
// Options.Pure: its name is the package's LinkerName, a dot, the rest.
func (p *pruner) isPure(name string) bool {
	for _, s := range p.pure {
		if strings.HasPrefix(name, s) {
			return true
		}
	}
	return false
}

// resumePoints returns the pcs of the return addresses in body (function
// index fi) with pc 0, or false when the function is not one to prune
// (see above).
func (p *pruner) resumePoints(fi uint32, body []byte) (map[int32]bool, bool) {
	if p == nil || !p.isPure(p.names[fi]) {
		return nil, false
	}
	f, ok := p.slot[fi]
	if !ok {
		return nil, false
	}
	r := reader{b: body}
	if !r.skipLocals() {
		return nil, false
	}
	pcs := map[int32]bool{0: true}
	ret := false // a return address since the last call
	for r.p < len(r.b) {
		op := r.byte()
		switch op {
		case 0x42: // i64.const
			if v := r.s64(); v>>16 == int64(f) {
				if !dropReturns {
					pcs[int32(v&0xffff)] = true
				}
				ret = true
			}
		case 0x10: // call
			g := r.u32()
			if (g == p.deferreturn && !ignoreDeferreturn) || (int(g) < len(p.goFunc) && p.goFunc[g] && !ret) {
				return nil, false
			}
			ret = false
		case 0x11: // call_indirect
			t := r.u32()
			r.u32()
			if p.isGoType(t) && !ret {
				return nil, false
			}
			ret = false
		default:
			if !r.skipImmediates(op) {
				return nil, false
			}
		}
	}
	return pcs, r.err == nil
}

// dropReturns leaves the return addresses out of the resume points, and
// ignoreDeferreturn prunes functions with a deferreturn call too: broken
// prunings for TestPruneResumes to show that each would trap.
var dropReturns, ignoreDeferreturn = false, false

// pruneTable rewrites the dispatch br_table at out[d.at:] as above:
// entries for pcs not in live go to a new block ending in unreachable. It
// returns how many entries it pointed there.
func pruneTable(out []byte, d *dispatch, live map[int32]bool) ([]byte, int) {
	r := reader{b: out, p: d.at}
	if r.byte() != 0x20 || r.u32() != d.pcb || r.byte() != 0x0e {
		return out, 0
	}
	n := r.u32()
	ents := make([]uint32, n)
	for i := range ents {
		ents[i] = r.u32()
	}
	def := r.u32() // pcs from n on
	if r.err != nil {
		return out, 0
	}
	pruned := 0
	ins := []byte{0x02, 0x40, 0x20}
	ins = appendU32(ins, d.pcb)
	ins = append(ins, 0x0e)
	ins = appendU32(ins, n)
	for i, e := range ents {
		if live[int32(i)] {
			ins = appendU32(ins, e+1)
		} else {
			ins = appendU32(ins, 0)
			pruned++
		}
	}
	defLive := false
	for pc := range live {
		defLive = defLive || pc < 0 || uint32(pc) >= n
	}
	if defLive {
		ins = appendU32(ins, def+1)
	} else {
		ins = append(ins, 0x00)
	}
	ins = append(ins, 0x0b, 0x00) // end; unreachable
	if pruned == 0 {
		return out, 0
	}
	res := make([]byte, 0, len(out)+len(ins))
	res = append(res, out[:d.at]...)
	res = append(res, ins...)
	return append(res, out[r.p:]...), pruned
}
