package main

import (
	"strconv"

	"github.com/frontgate/frontgate/plugin/abi"
	"github.com/frontgate/frontgate/plugin/internal/jsonx"
)

// pins keeps every buffer the host may still touch reachable for the Go
// garbage collector, keyed by its address in linear memory. Go's collector
// does not move objects, so an address stays valid until frontgate_free
// drops the entry.
type pins struct {
	// few holds the first buffers, searched in order: a call has two or
	// three pinned (the host's input buffer and the result), and a map's
	// hashing and probing cost more than that search in the guest. Any
	// further buffers go to more.
	few  [8]pinEntry
	nFew int
	more map[uint32]pinned
	addr func([]byte) uint32 // address of b[0] in linear memory
	// spare is the storage of the last buffer freed for good, handed to
	// the next operation to write its result into: a call then allocates
	// no result buffer. Nothing else refers to it.
	spare []byte
}

// maxSpare bounds the buffer kept as spare; a rare huge one is left to the
// collector.
const maxSpare = 64 << 10

func newPins(addr func([]byte) uint32) *pins {
	return &pins{addr: addr}
}

type pinEntry struct {
	a uint32
	pinned
}

// find returns the index in few of address a, or -1.
func (p *pins) find(a uint32) int {
	for i := 0; i < p.nFew; i++ {
		if p.few[i].a == a {
			return i
		}
	}
	return -1
}

// get returns the entry of address a.
func (p *pins) get(a uint32) (pinned, bool) {
	if i := p.find(a); i >= 0 {
		return p.few[i].pinned, true
	}
	if p.more == nil { // no call into the runtime's map code in the usual case
		return pinned{}, false
	}
	e, ok := p.more[a]
	return e, ok
}

// pinned counts how often one address was handed out, so a result that
// happens to share an input's address (or a result slice the core reuses)
// stays alive until it has been freed as often as it was returned.
type pinned struct {
	b []byte
	n int
}

// alloc returns a new zeroed buffer of size bytes, or 0 when size is 0 or
// over abi.MaxInput.
func (p *pins) alloc(size uint32) uint32 {
	if size == 0 || size > abi.MaxInput {
		return 0
	}
	return p.pin(make([]byte, size))
}

func (p *pins) pin(b []byte) uint32 {
	a := p.addr(b)
	if i := p.find(a); i >= 0 {
		p.few[i].add(b)
		return a
	}
	if p.more != nil { // no call into the runtime's map code in the usual case
		if e, ok := p.more[a]; ok {
			e.add(b)
			p.more[a] = e
			return a
		}
	}
	if p.nFew < len(p.few) {
		p.few[p.nFew] = pinEntry{a, pinned{b: b, n: 1}}
		p.nFew++
		return a
	}
	if p.more == nil {
		p.more = make(map[uint32]pinned)
	}
	p.more[a] = pinned{b: b, n: 1}
	return a
}

// add counts one more handing out of the entry's address, now for b.
func (e *pinned) add(b []byte) {
	if len(b) > len(e.b) {
		e.b = b
	}
	e.n++
}

// free forgets the buffer at ptr; unknown pointers (0, double frees) are
// ignored.
func (p *pins) free(ptr uint32) {
	var b []byte
	if i := p.find(ptr); i >= 0 {
		if e := &p.few[i]; e.n > 1 {
			e.n--
			return
		}
		b = p.few[i].b
		p.nFew--
		p.few[i] = p.few[p.nFew]
		p.few[p.nFew] = pinEntry{}
	} else {
		e, ok := p.more[ptr] // a nil map answers false
		switch {
		case !ok:
			return
		case e.n > 1:
			e.n--
			p.more[ptr] = e
			return
		}
		b = e.b
		delete(p.more, ptr)
	}
	if c := cap(b); c <= maxSpare && c > cap(p.spare) {
		p.spare = b[:0]
	}
}

// input returns the host's input. ptr must be an address alloc returned and
// size at most the size allocated; anything else is refused rather than read,
// because writes outside memory from frontgate_alloc would already have
// corrupted the guest's heap.
func (p *pins) input(fn string, ptr, size uint32) ([]byte, []byte) {
	if size == 0 {
		return nil, nil
	}
	if size > abi.MaxInput {
		return nil, tooLarge(fn, size)
	}
	e, ok := p.get(ptr)
	if !ok || int(size) > len(e.b) {
		return nil, shimError(abi.CodeBadInput, fn+": input at "+hex(ptr)+" ("+strconv.FormatUint(uint64(size), 10)+
			" bytes) is not memory from "+abi.FuncAlloc)
	}
	return e.b[:size:size], nil
}

// invoke runs one operation: input from (ptr, size), result pinned until the
// host frees it, returned packed. It never panics.
func (p *pins) invoke(fn string, ptr, size uint32, call func([]byte, string, []byte) []byte) (packed uint64) {
	defer func() {
		if r := recover(); r != nil {
			out := shimError(abi.CodeInternal, fn+": internal error in the wasm shim")
			packed = abi.Pack(p.pin(out), uint32(len(out)))
		}
	}()
	in, out := p.input(fn, ptr, size)
	if out == nil {
		spare := p.spare
		p.spare = nil // the result may live in it until the host frees it
		out = call(spare, fn, in)
	}
	return abi.Pack(p.pin(out), uint32(len(out)))
}

// shimError is an error envelope shaped exactly like ops' own.
func shimError(code, message string) []byte {
	w := jsonx.NewWriter(make([]byte, 0, 128))
	w.BeginObject()
	w.KeyLit("ok")
	w.Bool(false)
	w.KeyLit("error")
	w.BeginObject()
	w.KeyLit("code")
	w.String(code)
	w.KeyLit("message")
	w.String(message)
	w.KeyLit("fields")
	w.BeginArray()
	w.EndArray()
	w.EndObject()
	w.EndObject()
	return w.Bytes()
}

// tooLarge is ops.Call's answer to an input over abi.MaxInput, written here
// because the shim cannot hand ops.Call bytes it refuses to read.
// TestTooLargeMatchesOps holds the two to the same bytes.
func tooLarge(fn string, size uint32) []byte {
	return shimError(abi.CodeTooLarge, fn+": input of "+strconv.FormatUint(uint64(size), 10)+
		" bytes exceeds the limit of "+strconv.Itoa(abi.MaxInput))
}

func hex(v uint32) string { return "0x" + strconv.FormatUint(uint64(v), 16) }
