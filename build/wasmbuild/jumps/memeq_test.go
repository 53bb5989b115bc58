package jumps

import (
	"context"
	"testing"

	"github.com/tetratelabs/wazero"
)

// memeqModule is a module with one page of memory and one function of
// memeqbody's type, exported as "eq", with the given body.
func memeqModule(body []byte) []byte {
	b := []byte("\x00asm\x01\x00\x00\x00")
	sec := func(id byte, payload []byte) {
		b = append(b, id)
		b = appendU32(b, uint32(len(payload)))
		b = append(b, payload...)
	}
	sec(1, []byte{1, 0x60, 3, 0x7e, 0x7e, 0x7e, 1, 0x7e})
	sec(3, []byte{1, 0})
	sec(5, []byte{1, 0x00, 1})
	sec(7, []byte{2, 2, 'e', 'q', 0, 0, 3, 'm', 'e', 'm', 2, 0})
	code := appendU32([]byte{1}, uint32(len(body)))
	sec(10, append(code, body...))
	return b
}

// TestFastMemeq runs Go's memeqbody and its replacement on the same
// memory: ranges equal or differing at each position, of every length up
// to 40 and at every alignment, overlapping or the same.
func TestFastMemeq(t *testing.T) {
	if got, ok := fastMemeq(memeqbodyGo); !ok || &got[0] != &memeqbodyWords[0] || memeqbodyWords[len(memeqbodyWords)-3] != 0x0b {
		t.Fatal("Go's memeqbody not recognised")
	}
	if _, ok := fastMemeq(memeqbodyGo[:len(memeqbodyGo)-1]); ok {
		t.Fatal("another body replaced")
	}
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	// The replacement as shipped: the rest of Rewrite runs over it too.
	shipped, st, err := Rewrite(memeqModule(memeqbodyGo))
	if err != nil || st.Memeq != 1 {
		t.Fatalf("Rewrite: %+v %v", st, err)
	}
	var mods [2]func(a, b, n uint64) uint64
	var mems [2]func(off uint32, b []byte)
	for i, bin := range [][]byte{memeqModule(memeqbodyGo), shipped} {
		m, err := rt.InstantiateWithConfig(ctx, bin, wazero.NewModuleConfig().WithName(string(rune('a'+i))))
		if err != nil {
			t.Fatal(err)
		}
		mem := make([]byte, 512)
		for j := range mem {
			mem[j] = byte(j % 61) // repeats every 61 bytes: equal ranges at distance 61
		}
		m.Memory().Write(0, mem)
		mems[i] = func(off uint32, b []byte) { m.Memory().Write(off, b) }
		f := m.ExportedFunction("eq")
		mods[i] = func(a, b, n uint64) uint64 {
			r, err := f.Call(ctx, a, b, n)
			if err != nil {
				t.Fatalf("eq(%d, %d, %d): %v", a, b, n, err)
			}
			return r[0]
		}
	}
	equal, differ := 0, 0
	for n := uint64(0); n <= 40; n++ {
		for a := uint64(0); a < 16; a++ {
			for _, b := range []uint64{a, a + 61, a + 122, a + 1, a + 60, a + 62, 300 + a} {
				got, want := mods[1](a, b, n), mods[0](a, b, n)
				if got != want {
					t.Fatalf("eq(%d, %d, %d) = %d, want %d", a, b, n, got, want)
				}
				if want == 1 {
					equal++
				} else {
					differ++
				}
			}
		}
	}
	// One byte different at each position k of a 40-byte range.
	base := make([]byte, 40)
	for j := range base {
		base[j] = byte(j * 7)
	}
	for k := range 40 {
		other := append([]byte(nil), base...)
		other[k] ^= 0x10
		for i := range mods {
			mems[i](420, base)
			mems[i](470, other)
		}
		for n := uint64(0); n <= 40; n++ {
			got, want := mods[1](420, 470, n), mods[0](420, 470, n)
			if got != want || want != map[bool]uint64{true: 1, false: 0}[n <= uint64(k)] {
				t.Fatalf("a difference at %d, length %d: got %d, want %d", k, n, got, want)
			}
		}
	}
	if equal < 1000 || differ < 1000 {
		t.Fatalf("%d equal and %d differing cases: the pattern does not exercise both", equal, differ)
	}
}
