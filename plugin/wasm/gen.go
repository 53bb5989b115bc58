//go:build ignore

// gen writes exports_gen.go: one //go:wasmexport function per operation in
// abi.Operations (with generate.go). Run `go generate ./plugin/wasm` after adding an operation;
// TestExportsUpToDate fails until you do.
package main

import (
	"log"
	"os"

	"github.com/frontgate/frontgate/plugin/abi"
)

func main() {
	if err := os.WriteFile("exports_gen.go", generate(abi.Operations), 0o644); err != nil {
		log.Fatal(err)
	}
}
