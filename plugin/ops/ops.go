// Package ops is the core behind the ABI: one function per operation
// export, JSON in, JSON envelope out. The wasm shim (plugin/wasm) is a thin
// layer over Call, and the host's native core calls Call directly, so both
// produce the same bytes for the same input.
package ops

import (
	"strconv"

	"github.com/frontgate/frontgate/plugin/abi"
	"github.com/frontgate/frontgate/plugin/internal/jsonx"
)

type handler func(in jsonx.Value, w *jsonx.Writer) *opError

var handlers = map[string]handler{}

func register(name string, h handler) { handlers[name] = h }

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
	h, ok := handlers[fn]
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
