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
)

type handler func(in jsonx.Value, w *jsonx.Writer) *opError

var handlers = map[string]handler{}

// slots is a faster way to handlers: a table indexed by a multiply-shift
// of each name's fingerprint (opHash), with a multiplier that gives every
// operation its own slot, built at the first lookup. In the wasm guest the
// map's hashing of the whole name cost a tenth of a small operation. Names
// registered later (tests) are found in the map.
var slots struct {
	once sync.Once
	mul  uint32
	tab  [128]struct {
		name string
		h    handler
	}
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

func register(name string, h handler) { handlers[name] = h }

// unregister undoes register (for tests).
func unregister(name string) {
	delete(handlers, name)
	if e := &slots.tab[slotOf(name)]; e.name == name {
		e.name, e.h = "", nil
	}
}

// lookup returns the handler of operation fn.
func lookup(fn string) (handler, bool) {
	slots.once.Do(buildSlots)
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
// (the wasm shim, with a result the host has freed) saves an allocation.
// The result may share buf's storage; buf must not be used elsewhere.
func CallInto(buf []byte, fn string, input []byte) (out []byte) {
	if cap(buf) < 256+len(input) {
		buf = make([]byte, 0, 256+len(input))
	}
	w := jsonx.NewWriter(buf[:0])
	defer func() {
		if r := recover(); r != nil {
			w.Reset()
			writeError(w, &opError{code: abi.CodeInternal, message: fn + ": internal error: " + panicText(r)})
			out = w.Bytes()
		}
	}()
	h, ok := lookup(fn)
	if !ok {
		writeError(w, &opError{code: abi.CodeUnknownOp, message: "unknown operation " + strconv.Quote(truncate(fn, 64))})
		return w.Bytes()
	}
	if len(input) > abi.MaxInput {
		writeError(w, &opError{code: abi.CodeTooLarge, message: fn + ": input of " + strconv.Itoa(len(input)) +
			" bytes exceeds the limit of " + strconv.Itoa(abi.MaxInput)})
		return w.Bytes()
	}
	var root jsonx.Value
	if len(input) > 0 {
		d, err := jsonx.ParseTemp(input)
		if err != nil {
			writeError(w, &opError{code: abi.CodeBadInput, message: fn + ": " + err.Error()})
			return w.Bytes()
		}
		// Handlers copy what they keep into w: nothing of the input's
		// Doc outlives the call.
		defer d.Release()
		root = d.Root()
		if root.Kind() != jsonx.Object {
			writeError(w, &opError{code: abi.CodeBadInput, message: fn + ": input must be a JSON object"})
			return w.Bytes()
		}
	}
	w.BeginObject()
	w.KeyLit("ok")
	w.Bool(true)
	w.KeyLit("data")
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
		return truncate(v.Error(), 200)
	case string:
		return truncate(v, 200)
	}
	return "panic"
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func init() {
	register(abi.FuncManifest, manifest)
}

func manifest(_ jsonx.Value, w *jsonx.Writer) *opError {
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
