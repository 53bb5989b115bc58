//go:build wasip1

package main

import "unsafe"

// addrOf is b's address in linear memory: on wasm a Go pointer is the
// 32-bit offset the host sees.
func addrOf(b []byte) uint32 { return uint32(uintptr(unsafe.Pointer(unsafe.SliceData(b)))) }
