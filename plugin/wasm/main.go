// Command wasm is the //go:wasmexport shim that turns the reservation core
// into frontgate.wasm. It is deliberately thin: it moves bytes between
// linear memory and ops.Call and keeps results alive until the host frees
// them. Everything else (names, version, error codes, limits) comes from
// plugin/abi; plugin/ABI.md is the specification.
//
// Build it with `go run ./build` (reproducible flags), or by hand:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath -o frontgate.wasm ./plugin/wasm
package main

import (
	"runtime"

	"github.com/frontgate/frontgate/plugin/abi"
	"github.com/frontgate/frontgate/plugin/ops"
)

//go:generate go run gen.go generate.go

// main is empty: a c-shared (reactor) module runs only _initialize, which
// sets up the Go runtime and package variables; the host then calls exports.
func main() {}

// live holds the shim's state: every buffer handed to the host, by address.
var live = newPins(addrOf)

//go:wasmexport frontgate_abi_version
func abiVersion() uint32 { return abi.PackedVersion }

//go:wasmexport frontgate_abi_v1
func abiMarker() uint32 { return abi.Major }

//go:wasmexport frontgate_alloc
func alloc(size uint32) (ptr uint32) {
	defer func() {
		if recover() != nil {
			ptr = 0
		}
	}()
	return live.alloc(size)
}

//go:wasmexport frontgate_free
func free(ptr uint32) {
	defer func() { _ = recover() }()
	live.free(ptr)
}

// caller runs the operations, one at a time, reusing its writer and
// input document from call to call.
var caller ops.Caller

func callCore(buf []byte, fn string, input []byte) []byte { return caller.Call(buf, fn, input) }

// invoke is the body of every operation export. Every yieldEvery calls it
// lets the Go scheduler run (see yieldEvery).
func invoke(fn string, ptr, size uint32) uint64 {
	r := live.invoke(fn, ptr, size, callCore)
	if calls++; calls%yieldEvery == 0 {
		runtime.Gosched()
	}
	return r
}

// calls counts the operations invoked.
var calls uint32

// yieldEvery is how often invoke yields. The collector's background
// workers are goroutines, and nothing else runs them in a module whose
// exports never block: a collection cycle then advances only through the
// assists of calls that allocate, and the hot operations allocate nothing.
// A cycle begun by other calls stayed in its marking phase, write barriers
// on, for as long as only such calls came: parse_create ran at 5.1 instead
// of 3.7 us and parse_details at 45 instead of 27 (BENCHMARKS.md, eleventh
// session). A yield every 16th call lets the workers finish the cycle; it
// costs nothing measurable (every call: +0.6 us on parse_create).
const yieldEvery = 16
