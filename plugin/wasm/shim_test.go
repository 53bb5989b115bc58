//go:build !wasip1

package main

import (
	"bytes"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/frontgate/frontgate/plugin/abi"
	"github.com/frontgate/frontgate/plugin/ops"
)

func TestExportsUpToDate(t *testing.T) {
	got, err := os.ReadFile("exports_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if want := generate(abi.Operations); !bytes.Equal(got, want) {
		t.Fatal("exports_gen.go is stale: run go generate ./plugin/wasm")
	}
}

// The shim writes two envelopes itself; both must be byte-identical to what
// ops.Call writes for the same situation.
func TestShimEnvelopesMatchOps(t *testing.T) {
	for _, fn := range []string{abi.FuncManifest, abi.FuncValidateSubmit, abi.FuncParseDetails} {
		n := abi.MaxInput + 1
		if got, want := tooLarge(fn, uint32(n)), ops.Call(fn, make([]byte, n)); !bytes.Equal(got, want) {
			t.Errorf("too large:\n shim: %s\n  ops: %s", got, want)
		}
	}
	got := shimError(abi.CodeUnknownOp, "unknown operation "+strconv.Quote("nope"))
	if want := ops.Call("nope", nil); !bytes.Equal(got, want) {
		t.Errorf("error shape:\n shim: %s\n  ops: %s", got, want)
	}
}

func TestPins(t *testing.T) {
	p := newPins(addrOf)
	echo := func(_ []byte, fn string, in []byte) []byte { return append([]byte(fn+":"), in...) }
	result := func(packed uint64) string {
		ptr, n := abi.Unpack(packed)
		b := p.entry(ptr).b
		if len(b) != int(n) {
			t.Fatalf("result at %#x: %d pinned bytes, packed length %d", ptr, len(b), n)
		}
		p.free(ptr)
		return string(b)
	}
	if p.alloc(0) != 0 || p.alloc(abi.MaxInput+1) != 0 {
		t.Fatal("alloc of 0 or over MaxInput must return 0")
	}
	in := p.alloc(8)
	copy(p.entry(in).b, "abcdefgh")
	tests := []struct {
		name      string
		ptr, size uint32
		want      string
	}{
		{"whole", in, 8, "f:abcdefgh"},
		{"prefix", in, 3, "f:abc"},
		{"empty", 0, 0, "f:"},
		{"empty at a pointer", in, 0, "f:"},
		{"too long", in, 9, string(shimError(abi.CodeBadInput, "f: input at "+hex(in)+" (9 bytes) is not memory from frontgate_alloc"))},
		{"not allocated", in + 1, 2, string(shimError(abi.CodeBadInput, "f: input at "+hex(in+1)+" (2 bytes) is not memory from frontgate_alloc"))},
		{"too large", 0, 1 << 31, string(tooLarge("f", 1<<31))},
	}
	for _, tc := range tests {
		if got := result(p.invoke("f", tc.ptr, tc.size, echo)); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	boom := func([]byte, string, []byte) []byte { panic("boom") }
	if got, want := result(p.invoke("f", in, 8, boom)), string(shimError(abi.CodeInternal, "f: internal error in the wasm shim")); got != want {
		t.Errorf("panic: %s, want %s", got, want)
	}
	// A result at the input's address is pinned twice and survives one free.
	same := func(_ []byte, _ string, b []byte) []byte { return b }
	r := p.invoke("f", in, 8, same)
	if ptr, _ := abi.Unpack(r); ptr != in || p.entry(in).n != 2 {
		t.Fatalf("aliasing result: ptr %#x count %d", ptr, p.entry(in).n)
	}
	p.free(in)
	if p.entry(in).n != 1 {
		t.Fatal("first free of an aliased buffer dropped it")
	}
	p.free(in)
	p.free(in) // double free: ignored
	if p.count() != 0 {
		t.Fatalf("leaked pins: %d", p.count())
	}
}

// A result the host has freed carries the next result; a result still
// pinned is never written over.
func TestSpareResultBuffer(t *testing.T) {
	p := newPins(addrOf)
	in := p.alloc(4)
	copy(p.entry(in).b, "data")
	write := func(buf []byte, fn string, in []byte) []byte { // as ops.CallInto: from buf's start
		return append(append(buf[:0], fn+":"...), in...)
	}
	read := func(packed uint64) (uint32, string) {
		ptr, n := abi.Unpack(packed)
		return ptr, string(p.entry(ptr).b[:n])
	}
	p1, r1 := read(p.invoke("aa", in, 4, write))
	p2, r2 := read(p.invoke("bb", in, 4, write))
	if p1 == p2 || r1 != "aa:data" || r2 != "bb:data" || string(p.entry(p1).b) != "aa:data" {
		t.Fatalf("two pinned results: %#x %q, %#x %q", p1, r1, p2, r2)
	}
	p.free(p1)
	p3, r3 := read(p.invoke("cc", in, 4, write))
	if p3 != p1 || r3 != "cc:data" {
		t.Fatalf("after freeing %#x the next result is at %#x (%q), not in the freed storage", p1, p3, r3)
	}
	if string(p.entry(p2).b) != "bb:data" {
		t.Fatalf("a pinned result was overwritten: %q", p.entry(p2).b)
	}
	p.free(p2)
	p.free(p3)
	p.free(in)
	if p.count() != 0 {
		t.Fatalf("leaked pins: %d", p.count())
	}
	p.spare = nil
	big := p.alloc(maxSpare + 1)
	p.free(big)
	if p.spare != nil {
		t.Fatalf("a %d-byte buffer was kept as spare", maxSpare+1)
	}
}

// entry is get for tests: the zero entry when a is not pinned.
func (p *pins) entry(a uint32) pinned { e, _ := p.get(a); return e }

// count is how many addresses are pinned.
func (p *pins) count() int { return p.nFew + len(p.more) }

// TestPinsBeyondTheArray pins more buffers than the array holds, frees them
// in a shuffled order and pins again: every buffer stays findable by its
// address, whether it lives in the array or the map, and nothing leaks.
func TestPinsBeyondTheArray(t *testing.T) {
	p := newPins(addrOf)
	rng := rand.New(rand.NewPCG(7, 8))
	live := map[uint32]byte{}
	for round := 0; round < 5; round++ {
		for i := 0; i < 20; i++ {
			a := p.alloc(16)
			e := p.entry(a)
			e.b[0] = byte(round*20 + i)
			live[a] = e.b[0]
		}
		for a, v := range live {
			if e, ok := p.get(a); !ok || e.n != 1 || e.b[0] != v {
				t.Fatalf("round %d: buffer at %#x: %v %d %v", round, a, ok, e.n, e.b)
			}
		}
		if p.count() != len(live) {
			t.Fatalf("round %d: %d pinned, want %d", round, p.count(), len(live))
		}
		addrs := make([]uint32, 0, len(live))
		for a := range live {
			addrs = append(addrs, a)
		}
		rng.Shuffle(len(addrs), func(i, j int) { addrs[i], addrs[j] = addrs[j], addrs[i] })
		for _, a := range addrs[:len(addrs)/2+round] {
			p.free(a)
			p.free(a) // a double free is ignored
			delete(live, a)
			if _, ok := p.get(a); ok {
				t.Fatalf("freed %#x is still pinned", a)
			}
		}
	}
	for a := range live {
		p.free(a)
	}
	if p.count() != 0 || p.nFew != 0 {
		t.Fatalf("leaked pins: %d", p.count())
	}
	for i := range p.few {
		if p.few[i].b != nil {
			t.Fatalf("array slot %d still holds a buffer", i)
		}
	}
}
