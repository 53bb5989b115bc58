//go:build !wasip1

package main

// On a native build (tests only) addresses are handed out by a counter,
// since real 64-bit addresses do not fit the ABI's 32 bits; the same
// backing array always gets the same address, as on wasm.
var (
	nextAddr uint32 = 0x10000
	addrs           = map[*byte]uint32{}
)

func addrOf(b []byte) uint32 {
	b = b[:1]
	if a, ok := addrs[&b[0]]; ok {
		return a
	}
	a := nextAddr
	nextAddr += uint32(cap(b)+15) &^ 7
	addrs[&b[0]] = a
	return a
}
