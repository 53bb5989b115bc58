// Package ops is the core behind the ABI: one function per operation
// export, JSON in, JSON envelope out. The wasm shim (plugin/wasm) is a thin
// layer over Call, and the host's native core calls Call directly, so both
// produce the same bytes for the same input.
package ops

import (
	"strconv"
	"sync"
	"unsafe"

	"github.com/frontgate/frontgate/plugin/abi"
	"github.com/frontgate/frontgate/plugin/internal/jsonx"
	"github.com/frontgate/frontgate/plugin/internal/text"
)

type handler func(in jsonx.Value, w *jsonx.Writer) *opError

var handlers = map[string]handler{}

// slots is a faster way to handlers: a table indexed by a multiply-shift
// of each name's fingerprint (opHash), with a multiplier that gives every
// operation its own slot, built again at each register (three, during
// package initialisation; tests add their own). In the wasm guest the map's
// hashing of the whole name cost a tenth of a small operation, and a
// sync.Once in front of the table two runtime calls per lookup.
var slots struct {
	mul uint32
	tab [128]slotEntry
}

type slotEntry struct {
	name string
	h    handler
}

func slotOf(name string) int { return int((opHash(name) * slots.mul) >> 25) }

// opHash fingerprints a name by its first and last eight bytes (operation
// names share prefixes and suffixes, so length and a few bytes are not
// enough: build_charge and build_create would agree).
func opHash(s string) uint32 {
	n := len(s)
	if n < 8 {
		h := uint32(n)
		for i := 0; i < n; i++ {
			h = h*31 + uint32(s[i])
		}
		return h
	}
	p := unsafe.Pointer(unsafe.StringData(s))
	w := *(*uint64)(p) ^ *(*uint64)(unsafe.Add(p, n-8))*0x9E3779B97F4A7C15 ^ uint64(n)
	return uint32(w ^ w>>32)
}

func buildSlots() {
	slots.tab = [len(slots.tab)]slotEntry{}
	for try, mul := 0, uint32(0x9E3779B1); try < 1<<16; try, mul = try+1, mul+0x3C6EF372 {
		slots.mul = mul
		var used [len(slots.tab)]bool
		ok := true
		for name := range handlers {
			i := slotOf(name)
			if used[i] {
				ok = false
				break
			}
			used[i] = true
		}
		if ok {
			for name, h := range handlers {
				e := &slots.tab[slotOf(name)]
				e.name, e.h = name, h
			}
			return
		}
	}
	// No multiplier found: the table stays empty and the map answers.
}

// named is a handler with its operation's name, for register.
type named struct {
	name string
	h    handler
}

// register adds handlers and rebuilds the slot table once for them all.
func register(hs ...named) {
	for _, e := range hs {
		handlers[e.name] = e.h
	}
	buildSlots()
}

// unregister undoes register (for tests).
func unregister(name string) {
	delete(handlers, name)
	if e := &slots.tab[slotOf(name)]; e.name == name {
		e.name, e.h = "", nil
	}
}

// lookup returns the handler of operation fn.
func lookup(fn string) (handler, bool) {
	if e := &slots.tab[slotOf(fn)]; e.h != nil && e.name == fn {
		return e.h, true
	}
	h, ok := handlers[fn]
	return h, ok
}

// Call runs operation fn on input and returns the envelope:
// {"ok":true,"data":…} or {"ok":false,"error":{"code":…,"message":…,…}}.
// It never panics: a panic inside an operation becomes an "internal" error.
func Call(fn string, input []byte) []byte { return CallInto(nil, fn, input) }

// CallInto is Call writing the envelope into buf's storage (from its
// start) when it is large enough, so a caller that owns a spent buffer
// saves an allocation. The result may share buf's storage; buf must not be
// used elsewhere.
func CallInto(buf []byte, fn string, input []byte) []byte {
	c, _ := callers.Get().(*Caller)
	if c == nil {
		c = new(Caller)
	}
	out := c.Call(buf, fn, input)
	callers.Put(c)
	return out
}

// callers holds the Callers of Call and CallInto.
var callers sync.Pool // of *Caller

// Caller runs operations one at a time, keeping the writer and the input's
// document between calls instead of allocating them for each: the wasm shim
// holds one, and Call and CallInto take one from a pool. Its zero value is
// ready to use; it is not safe for concurrent use.
type Caller struct {
	w   jsonx.Writer
	doc jsonx.Doc
}

// okHead opens a success envelope; the data and a '}' follow.
const okHead = `{"ok":true,"data":`

// maxKeptNodes bounds the node array a Caller keeps between calls (24
// bytes a node): after a rare huge input it is left to the collector.
const maxKeptNodes = 1 << 14

// Call is CallInto on c: it writes the envelope into buf's storage when it
// is large enough and returns it. Nothing of input or of the result stays
// referenced by c after it returns.
func (c *Caller) Call(buf []byte, fn string, input []byte) (out []byte) {
	if cap(buf) < 256+len(input) {
		buf = make([]byte, 0, 256+len(input))
	}
	w := &c.w
	w.Start(buf[:0])
	defer func() {
		if r := recover(); r != nil {
			w.Reset()
			writeError(w, &opError{code: abi.CodeInternal, message: fn + ": internal error: " + panicText(r)})
			out = w.Bytes()
		}
		w.Start(nil)
		c.doc.Forget(maxKeptNodes)
	}()
	h, ok := lookup(fn)
	if !ok {
		writeError(w, &opError{code: abi.CodeUnknownOp, message: "unknown operation " + strconv.Quote(text.Cut(fn, 64))})
		return w.Bytes()
	}
	if len(input) > abi.MaxInput {
		writeError(w, &opError{code: abi.CodeTooLarge, message: fn + ": input of " + strconv.Itoa(len(input)) +
			" bytes exceeds the limit of " + strconv.Itoa(abi.MaxInput)})
		return w.Bytes()
	}
	var root jsonx.Value
	if len(input) > 0 {
		if err := c.doc.Reset(input); err != nil {
			writeError(w, &opError{code: abi.CodeBadInput, message: fn + ": " + err.Error()})
			return w.Bytes()
		}
		// Handlers copy what they keep into w: nothing of the input's
		// Doc outlives the call.
		root = c.doc.Root()
		if root.Kind() != jsonx.Object {
			writeError(w, &opError{code: abi.CodeBadInput, message: fn + ": input must be a JSON object"})
			return w.Bytes()
		}
	}
	w.Prefix(okHead)
	if e := h(root, w); e != nil {
		w.Reset()
		writeError(w, e)
		return w.Bytes()
	}
	w.EndObject()
	if w.Err() != nil {
		w.Reset()
		writeError(w, &opError{code: abi.CodeInternal, message: fn + ": " + "result is not valid UTF-8"})
	}
	return w.Bytes()
}

func panicText(r any) string {
	switch v := r.(type) {
	case error:
		return text.Cut(v.Error(), 200)
	case string:
		return text.Cut(v, 200)
	}
	return "panic"
}

func init() {
	register(named{abi.FuncManifest, manifest})
}

func manifest(v jsonx.Value, w *jsonx.Writer) *opError {
	in := &input{v: v, fn: abi.FuncManifest}
	in.only(membersNone, "")
	if e := in.failed(); e != nil {
		return e
	}
	w.BeginObject()
	w.KeyLit("module")
	w.String("frontgate")
	w.KeyLit("abi")
	w.String(abi.Version)
	w.KeyLit("maxInput")
	w.Int(abi.MaxInput)
	w.KeyLit("operations")
	w.BeginArray()
	for _, op := range abi.Operations {
		w.BeginObject()
		w.KeyLit("name")
		w.String(op.Name)
		w.KeyLit("since")
		w.String(op.Since)
		w.EndObject()
	}
	w.EndArray()
	w.EndObject()
	return nil
}
