package jumps

import (
	"bytes"
	"context"
	"testing"

	"github.com/tetratelabs/wazero"
)

// module wraps function bodies (each already holding its locals) into a
// module with one type (i32)→i32, two mutable i32 globals exported as "n"
// and "out", and the first function exported as "run".
func module(bodies ...[]byte) []byte {
	b := []byte("\x00asm\x01\x00\x00\x00")
	sec := func(id byte, payload []byte) {
		b = append(b, id)
		b = appendU32(b, uint32(len(payload)))
		b = append(b, payload...)
	}
	sec(1, []byte{1, 0x60, 1, 0x7f, 1, 0x7f})
	fn := appendU32(nil, uint32(len(bodies)))
	for range bodies {
		fn = append(fn, 0)
	}
	sec(3, fn)
	sec(6, []byte{2, 0x7f, 1, 0x41, 0, 0x0b, 0x7f, 1, 0x41, 0, 0x0b})
	sec(7, []byte{3, 3, 'r', 'u', 'n', 0, 0, 1, 'n', 3, 0, 3, 'o', 'u', 't', 3, 1})
	code := appendU32(nil, uint32(len(bodies)))
	for _, body := range bodies {
		code = appendU32(code, uint32(len(body)))
		code = append(code, body...)
	}
	sec(10, code)
	return b
}

// sumBody is a function in the shape Go's wasm backend gives every
// function (see the package comment), summing 1..n:
//
//	pc 0: acc = 0; i = n; jump pc 1 (forward, unconditional)
//	pc 1: if i == 0 jump pc 3 (forward, conditional)
//	pc 2: acc += i; i--; jump pc 1 (backward)
//	pc 3: out = acc; return 0
var sumBody = []byte{
	0x01, 0x02, 0x7f, // locals: 2 × i32 (i, acc)
	0x02, 0x40, // block (unwind exit)
	0x03, 0x40, // loop (entry)
	0x02, 0x40, 0x02, 0x40, 0x02, 0x40, 0x02, 0x40, // four resume-point blocks
	0x20, 0x00, 0x0e, 0x04, 0x00, 0x01, 0x02, 0x03, 0x03, // local.get PC_B; br_table 0 1 2 3 (3)
	0x0b,                   // pc 0
	0x41, 0x00, 0x21, 0x02, // acc = 0
	0x23, 0x00, 0x21, 0x01, // i = n
	0x41, 0x01, 0x21, 0x00, 0x0c, 0x03, // jump pc 1
	0x0b,                         // pc 1
	0x20, 0x01, 0x45, 0x04, 0x40, // if i == 0
	0x41, 0x03, 0x21, 0x00, 0x0c, 0x03, // jump pc 3
	0x0b,
	0x0b,                                     // pc 2
	0x20, 0x02, 0x20, 0x01, 0x6a, 0x21, 0x02, // acc += i
	0x20, 0x01, 0x41, 0x01, 0x6b, 0x21, 0x01, // i--
	0x41, 0x01, 0x21, 0x00, 0x0c, 0x01, // jump pc 1
	0x0b,                   // pc 3
	0x20, 0x02, 0x24, 0x01, // out = acc
	0x41, 0x00, 0x0f, // return 0
	0x0b,       // end loop
	0x00,       // unreachable
	0x0b,       // end unwind exit
	0x41, 0x01, // return 1 (unwinding)
	0x0b,
}

// sumRewritten is what Rewrite must make of sumBody: the jump in pc 0 a
// br to pc 1's block, the conditional jump in pc 1 a br_if to pc 3's
// block, the loop's back edge left alone, with fast paths for pc 0 (a
// call's entry) and pc 1 (the back edge's target) in front of the
// br_table.
var sumRewritten = []byte{
	0x01, 0x02, 0x7f,
	0x02, 0x40,
	0x03, 0x40,
	0x02, 0x40, 0x02, 0x40, 0x02, 0x40, 0x02, 0x40,
	0x20, 0x00, 0x45, 0x0d, 0x00, // PC_B == 0: br_if to pc 0's block
	0x20, 0x00, 0x41, 0x01, 0x46, 0x0d, 0x01, // PC_B == 1: br_if to pc 1's block
	0x20, 0x00, 0x0e, 0x04, 0x00, 0x01, 0x02, 0x03, 0x03,
	0x0b,
	0x41, 0x00, 0x21, 0x02,
	0x23, 0x00, 0x21, 0x01,
	0x0c, 0x00, // br to pc 1's block (innermost)
	0x0b,
	0x20, 0x01, 0x45,
	0x0d, 0x01, // br_if to pc 3's block (past pc 2's)
	0x0b,
	0x20, 0x02, 0x20, 0x01, 0x6a, 0x21, 0x02,
	0x20, 0x01, 0x41, 0x01, 0x6b, 0x21, 0x01,
	0x41, 0x01, 0x21, 0x00, 0x0c, 0x01,
	0x0b,
	0x20, 0x02, 0x24, 0x01,
	0x41, 0x00, 0x0f,
	0x0b,
	0x00,
	0x0b,
	0x41, 0x01,
	0x0b,
}

func TestRewriteGoShape(t *testing.T) {
	out, st, err := rewrite(module(sumBody), false, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := module(sumRewritten); !bytes.Equal(out, want) {
		t.Fatalf("rewritten:\n% x\nwant:\n% x", out, want)
	}
	if want := (Stats{Functions: 1, Rewritten: 1, Direct: 2, Kept: 1, FastPaths: 2}); st != want {
		t.Errorf("stats %+v, want %+v", st, want)
	}
	// A rewritten function is no longer in Go's shape: a second pass
	// leaves it alone.
	again, st2, err := rewrite(out, false, Options{})
	if err != nil || !bytes.Equal(again, out) || st2 != (Stats{Functions: 1, Skipped: 1}) {
		t.Errorf("second pass changed the module: %+v %v", st2, err)
	}
}

// TestRewriteKeepsBehaviour runs the function before and after in wazero.
func TestRewriteKeepsBehaviour(t *testing.T) {
	out, _, err := Rewrite(module(sumBody))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, bin := range [][]byte{module(sumBody), out} {
		rt := wazero.NewRuntime(ctx)
		mod, err := rt.Instantiate(ctx, bin)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []uint64{0, 1, 5, 1000} {
			mod.ExportedGlobal("n").(interface{ Set(uint64) }).Set(n)
			res, err := mod.ExportedFunction("run").Call(ctx, 0)
			if err != nil || res[0] != 0 {
				t.Fatalf("run(%d): %v %v", n, res, err)
			}
			if got, want := mod.ExportedGlobal("out").Get(), n*(n+1)/2; got != want {
				t.Errorf("sum 1..%d = %d, want %d", n, got, want)
			}
		}
		// Entered at a resume point (PC_B ≠ 0), with fresh locals: pc 1
		// sees i == 0 and goes to pc 3, which stores acc (0).
		for _, pcb := range []uint64{1, 3} {
			mod.ExportedGlobal("out").(interface{ Set(uint64) }).Set(99)
			res, err := mod.ExportedFunction("run").Call(ctx, pcb)
			if err != nil || res[0] != 0 || mod.ExportedGlobal("out").Get() != 0 {
				t.Errorf("run at pc %d: %v %v, out %d", pcb, res, err, mod.ExportedGlobal("out").Get())
			}
		}
		rt.Close(ctx)
	}
}

// TestRewriteWithoutLoop: a function with calls but no jumps has resume
// points and a br_table but no loop; it gets the entry fast path only.
func TestRewriteWithoutLoop(t *testing.T) {
	body := []byte{
		0x00,       // no locals
		0x02, 0x40, // block (unwind exit)
		0x02, 0x40, 0x02, 0x40, // two resume-point blocks
		0x20, 0x00, 0x0e, 0x01, 0x00, 0x01, // br_table 0 (1)
		0x0b,                   // pc 0
		0x41, 0x07, 0x24, 0x01, // out = 7
		0x0b,             // pc 1
		0x41, 0x00, 0x0f, // return 0
		0x0b,       // end unwind exit
		0x41, 0x01, // return 1
		0x0b,
	}
	want := append(append(append([]byte{}, body[:7]...), 0x20, 0x00, 0x45, 0x0d, 0x00), body[7:]...)
	out, st, err := rewrite(module(body), false, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, module(want)) || st != (Stats{Functions: 1, FastPaths: 1}) {
		t.Errorf("got %+v\n% x\nwant\n% x", st, out, module(want))
	}
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	mod, err := rt.Instantiate(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	for pcb, want := range map[uint64]uint64{0: 7, 1: 99} {
		mod.ExportedGlobal("out").(interface{ Set(uint64) }).Set(99)
		if _, err := mod.ExportedFunction("run").Call(ctx, pcb); err != nil || mod.ExportedGlobal("out").Get() != want {
			t.Errorf("run at pc %d: out %d, want %d (%v)", pcb, mod.ExportedGlobal("out").Get(), want, err)
		}
	}
}

// TestRewriteReadsOfPCB: a function that reads PC_B other than in its
// dispatch, or as the assembler's indirect-call scratch, is left alone.
func TestRewriteReadsOfPCB(t *testing.T) {
	at := bytes.Index(sumBody, []byte{0x0b, 0x20, 0x02, 0x24, 0x01}) + 1 // pc 3: out = acc
	with := func(code ...byte) []byte {
		return append(append(append([]byte{}, sumBody[:at]...), code...), sumBody[at:]...)
	}
	for name, c := range map[string]struct {
		body []byte
		want Stats
	}{
		"a read":          {with(0x20, 0x00, 0x1a), Stats{Functions: 1, Skipped: 1}},             // local.get PC_B; drop
		"a tee":           {with(0x41, 0x05, 0x22, 0x00, 0x1a), Stats{Functions: 1, Skipped: 1}}, // i32.const 5; local.tee PC_B; drop
		"scratch":         {with(0x41, 0x07, 0x21, 0x00, 0x41, 0x00, 0x20, 0x00, 0x1a, 0x1a), Stats{Functions: 1, Rewritten: 1, Direct: 2, Kept: 1, FastPaths: 2}},
		"scratch, not 0":  {with(0x41, 0x07, 0x21, 0x00, 0x41, 0x01, 0x20, 0x00, 0x1a, 0x1a), Stats{Functions: 1, Skipped: 1}},
		"other local":     {with(0x20, 0x01, 0x1a), Stats{Functions: 1, Rewritten: 1, Direct: 2, Kept: 1, FastPaths: 2}},
		"with a prologue": {append(append([]byte{0x01, 0x02, 0x7f, 0x23, 0x00, 0x21, 0x01}, sumBody[3:at]...), sumBody[at:]...), Stats{Functions: 1, Rewritten: 1, Direct: 2, Kept: 1, FastPaths: 2}},
	} {
		t.Run(name, func(t *testing.T) {
			in := module(c.body)
			out, st, err := rewrite(in, false, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if st != c.want || (c.want.Skipped == 1) != bytes.Equal(out, in) {
				t.Errorf("stats %+v, want %+v (module changed: %v)", st, c.want, !bytes.Equal(out, in))
			}
		})
	}
}

func TestRewriteLeavesOthersAlone(t *testing.T) {
	plain := []byte{0x00, 0x41, 0x07, 0x0b}                              // i32.const 7
	simd := []byte{0x00, 0x03, 0x40, 0xfd, 0x0c, 0x0b, 0x41, 0x00, 0x0b} // an opcode it does not decode
	for name, body := range map[string][]byte{"not Go's shape": plain, "undecodable": simd} {
		t.Run(name, func(t *testing.T) {
			in := module(body)
			out, st, err := Rewrite(in)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, in) || st != (Stats{Functions: 1, Skipped: 1}) {
				t.Errorf("changed or miscounted: %+v", st)
			}
		})
	}
}

func TestRewriteRefusesBrokenModules(t *testing.T) {
	good := module(sumBody)
	for name, in := range map[string][]byte{
		"not wasm":          []byte("hello world"),
		"version 2":         append([]byte("\x00asm\x02\x00\x00\x00"), good[8:]...),
		"section truncated": good[:len(good)-3],
		"body past section": append([]byte("\x00asm\x01\x00\x00\x00"), 10, 4, 1, 9, 0x00, 0x0b),
	} {
		t.Run(name, func(t *testing.T) {
			if out, _, err := Rewrite(in); err == nil {
				t.Errorf("no error; got %d bytes", len(out))
			}
		})
	}
}

func TestS64(t *testing.T) {
	for enc, want := range map[string]int64{
		"\x00": 0, "\x7f": -1, "\x90\x80\x80\x80\x10": 1<<32 + 16, "\x80\x80\xc0\x00": 1 << 20,
		"\x81\x82\x84\x88\x90\xa0\xc0\x80\x01":     0x0101010101010101,
		"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x7f": -1 << 63,
	} {
		r := reader{b: []byte(enc)}
		if got := r.s64(); got != want || r.err != nil || r.p != len(enc) {
			t.Errorf("s64(% x) = %d (%v), want %d", enc, got, r.err, want)
		}
	}
	r := reader{b: []byte("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00")}
	if r.s64(); r.err == nil {
		t.Error("an 11-byte LEB128 was read")
	}
}

func TestS32Range(t *testing.T) {
	for _, enc := range []string{"\x80\x80\x80\x80\x10", "\x80\x80\x80\x80\x80\x00", "\xff\xff\xff\xff\x77"} { // 2^32; six bytes; below -2^31
		r := reader{b: []byte(enc)}
		if v := r.s32(); r.err == nil {
			t.Errorf("s32(% x) = %d, want an error", enc, v)
		}
	}
}

func TestLEB128(t *testing.T) {
	for _, v := range []int32{0, 1, 63, 64, -1, -64, -65, 127, 128, 8191, 8192, -8193, 1 << 30, -1 << 31, 1<<31 - 1} {
		r := reader{b: appendS32(nil, v)}
		if got := r.s32(); got != v || r.err != nil || r.p != len(r.b) {
			t.Errorf("s32 %d: got %d (%v, %d of %d bytes)", v, got, r.err, r.p, len(r.b))
		}
		u := uint32(v)
		r = reader{b: appendU32(nil, u)}
		if got := r.u32(); got != u || r.err != nil || r.p != len(r.b) {
			t.Errorf("u32 %d: got %d (%v)", u, got, r.err)
		}
	}
}

func FuzzRewrite(f *testing.F) {
	f.Add(module(sumBody))
	f.Add(module(sumRewritten))
	f.Add(module([]byte{0x00, 0x0b}))
	// The other rewrites' shapes: a prologue and stack addresses, a chain
	// of conditions, constant-size copies and fills.
	f.Add(memModule(cat([]byte{0x01, 0x01, 0x7f, 0x23, 0x00, 0x21, 0x01}, spAddrSeq(8), spAddrSeq(16),
		[]byte{0x29, 0x03, 0x00, 0x37, 0x03, 0x00, 0x41, 0x00, 0x0b})))
	f.Add(module([]byte{0x00, 0x02, 0x40, 0x20, 0x00, 0x45, 0x45, 0x45, 0x45, 0x0d, 0x00, 0x41, 0x07, 0x0f, 0x0b, 0x41, 0x09, 0x0b}))
	f.Add(memModule([]byte{0x00, 0x23, 0x00, 0x23, 0x00, 0x41, 0x15, 0xfc, 0x0a, 0x00, 0x00,
		0x23, 0x00, 0x41, 0x00, 0x41, 0x24, 0xfc, 0x0b, 0x00, 0x41, 0x00, 0x0b}))
	f.Fuzz(func(t *testing.T, in []byte) {
		out, _, err := Rewrite(in)
		if err != nil {
			return
		}
		// What it wrote it can read again, and a second pass is stable.
		again, st, err := Rewrite(out)
		if err != nil {
			t.Fatalf("output unreadable: %v", err)
		}
		if st.Direct != 0 || st.Folded != 0 || st.Conds != 0 || st.Bulk != 0 || !bytes.Equal(again, out) {
			t.Fatalf("second pass changed the module: %+v", st)
		}
	})
}
