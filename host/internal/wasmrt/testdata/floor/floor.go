package main

var sink [][]byte

// Allocs makes n 64-byte slices that escape to the heap.
func Allocs(n uint32) uint32 {
	sink = sink[:0]
	for i := uint32(0); i < n; i++ {
		sink = append(sink, make([]byte, 64))
	}
	return uint32(len(sink))
}

// Loop runs n iterations of integer arithmetic.
func Loop(n uint32) uint32 {
	var s uint32
	for i := uint32(0); i < n; i++ {
		s = s*31 + i
	}
	return s
}

var text = func() []byte {
	b := make([]byte, 1600)
	for i := range b {
		b[i] = "abc\"defgh,"[i%10]
	}
	return b
}()

// Scan counts the quotes in the first n bytes of a 1,600-byte text.
func Scan(n uint32) uint32 {
	var q uint32
	for _, c := range text[:min(int(n), len(text))] {
		if c == '"' {
			q++
		}
	}
	return q
}

// Calls makes n calls of a small function the compiler does not inline.
func Calls(n uint32) uint32 {
	var s uint32
	for i := uint32(0); i < n; i++ {
		s = step(s, i)
	}
	return s
}

//go:noinline
func step(s, i uint32) uint32 { return s*31 + i }
