// Command floor is a tiny standard-Go wasip1 guest for BenchmarkGuestFloor:
// what the Go wasm backend under wazero costs for the building blocks of
// any operation (a call, an allocation, a loop iteration, a byte scanned),
// independent of frontgate's code. Its functions are plain Go so the same
// code runs natively for the side-by-side figures.
package main

func main() {}

//go:wasmexport nop
func nop() uint32 { return 0 }

//go:wasmexport allocs
func allocsExport(n uint32) uint32 { return Allocs(n) }

//go:wasmexport loop
func loopExport(n uint32) uint32 { return Loop(n) }

//go:wasmexport scan
func scanExport(n uint32) uint32 { return Scan(n) }

//go:wasmexport calls
func callsExport(n uint32) uint32 { return Calls(n) }
