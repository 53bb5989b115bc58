package jumps

import (
	"bytes"
	"context"
	"encoding/binary"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// memModule is module with one page of memory, exported as "mem".
func memModule(bodies ...[]byte) []byte {
	m := module(bodies...)
	// Sections in order: type (1), function (3), global (6)…: the memory
	// section goes in front of the globals, and the export gets a fourth
	// entry.
	at := bytes.Index(m, []byte{6, 11, 2, 0x7f})
	out := append(append(append([]byte{}, m[:at]...), 5, 3, 1, 0x00, 1), m[at:]...)
	exp := []byte{7, 17, 3, 3, 'r', 'u', 'n', 0, 0, 1, 'n', 3, 0, 3, 'o', 'u', 't', 3, 1}
	i := bytes.Index(out, exp)
	return append(append(append([]byte{}, out[:i]...),
		7, 23, 4, 3, 'r', 'u', 'n', 0, 0, 1, 'n', 3, 0, 3, 'o', 'u', 't', 3, 1, 3, 'm', 'e', 'm', 2, 0), out[i+len(exp):]...)
}

// runBoth instantiates the module before and after Rewrite, gives each the
// same memory and n, runs "run" and reports whether out, the result and the
// memory agree; it returns the rewritten module.
func runBoth(t *testing.T, in []byte, ns []uint64, prime func(api.Memory)) []byte {
	t.Helper()
	out, _, err := Rewrite(in)
	if err != nil {
		t.Fatal(err)
	}
	strict, _, err := rewrite(in, true, Options{noProbes: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	type result struct {
		out  uint64
		err  bool
		mem  []byte
		rets []uint64
	}
	run := func(bin []byte, n uint64) result {
		rt := wazero.NewRuntime(ctx)
		defer rt.Close(ctx)
		mod, err := rt.Instantiate(ctx, bin)
		if err != nil {
			t.Fatal(err)
		}
		if m := mod.ExportedMemory("mem"); m != nil && prime != nil {
			prime(m)
		}
		mod.ExportedGlobal("n").(api.MutableGlobal).Set(n)
		rets, err := mod.ExportedFunction("run").Call(ctx, 0)
		r := result{out: mod.ExportedGlobal("out").Get(), err: err != nil, rets: rets}
		if m := mod.ExportedMemory("mem"); m != nil {
			b, _ := m.Read(0, m.Size())
			r.mem = bytes.Clone(b)
		}
		return r
	}
	for _, n := range ns {
		a, b := run(in, n), run(strict, n)
		if a.out != b.out || a.err != b.err || !bytes.Equal(a.mem, b.mem) || len(a.rets) != len(b.rets) {
			t.Errorf("n=%d: before out %d trap %v, after out %d trap %v, memory equal %v",
				n, a.out, a.err, b.out, b.err, bytes.Equal(a.mem, b.mem))
		}
		// With the stack probes, a trap may come before the stores
		// that came before it (probe.go): what is left in memory is
		// compared only when nothing trapped.
		c := run(out, n)
		if a.out != c.out || a.err != c.err || (!a.err && !bytes.Equal(a.mem, c.mem)) || len(a.rets) != len(c.rets) {
			t.Errorf("n=%d, with probes: before out %d trap %v, after out %d trap %v, memory equal %v",
				n, a.out, a.err, c.out, c.err, bytes.Equal(a.mem, c.mem))
		}
	}
	return out
}

// spAddrSeq is Go's stack address computation: local.get 1 (the SP cache);
// i64.extend_i32_u; i64.const k; i64.add; i32.wrap_i64.
func spAddrSeq(k byte) []byte { return []byte{0x20, 0x01, 0xad, 0x42, k, 0x7c, 0xa7} }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func TestFoldAddr(t *testing.T) {
	x := []byte{0x42, 0xf8, 0x00} // i64.const 120
	body := cat(
		[]byte{0x02, 0x01, 0x7f, 0x01, 0x7e}, // locals: i32 (SP cache), i64
		[]byte{0x23, 0x00, 0x21, 0x01},       // prologue: global.get 0; local.set 1
		// A store through a stack address: folded, 16 + 8.
		spAddrSeq(16), x, []byte{0x37, 0x03, 0x08},
		// A load through one inside the value of a store through
		// another: both folded.
		spAddrSeq(32), spAddrSeq(16), []byte{0x29, 0x03, 0x08}, []byte{0x37, 0x03, 0x00},
		// Read back for out: folded, 32 + 0.
		spAddrSeq(32), []byte{0x29, 0x03, 0x00, 0xa7, 0x24, 0x01},
		// The address used as a value: left alone.
		spAddrSeq(4), []byte{0x1a},
		// Something the simulation does not follow before the store:
		// left alone.
		spAddrSeq(40), []byte{0x01}, x, []byte{0x37, 0x03, 0x00},
		[]byte{0x41, 0x00, 0x0b},
	)
	want := cat(
		body[:9],
		[]byte{0x20, 0x01}, x, []byte{0x37, 0x03, 0x18},
		[]byte{0x20, 0x01, 0x20, 0x01, 0x29, 0x03, 0x18, 0x37, 0x03, 0x20},
		[]byte{0x20, 0x01, 0x29, 0x03, 0x20, 0xa7, 0x24, 0x01},
		spAddrSeq(4), []byte{0x1a},
		spAddrSeq(40), []byte{0x01}, x, []byte{0x37, 0x03, 0x00},
		[]byte{0x41, 0x00, 0x0b},
	)
	got, n, ok := foldAddr(body, 1)
	if !ok || n != 4 || !bytes.Equal(got, want) {
		t.Fatalf("folded %d (%v):\n% x\nwant\n% x", n, ok, got, want)
	}
	if _, n, _ := foldAddr(body, 2); n != 0 {
		t.Errorf("folded %d through a local that is not the SP cache", n)
	}
	// A constant past maxFoldK, or past 32 bits, stays.
	for _, k := range [][]byte{{0x80, 0x80, 0xc0, 0x00}, {0x90, 0x80, 0x80, 0x80, 0x10}} { // 1 MiB; 2^32+16
		big := cat([]byte{0x02, 0x01, 0x7f, 0x01, 0x7e, 0x23, 0x00, 0x21, 0x01, 0x20, 0x01, 0xad, 0x42}, k,
			[]byte{0x7c, 0xa7, 0x29, 0x03, 0x00, 0x1a, 0x41, 0x00, 0x0b})
		if got, n, ok := foldAddr(big, 1); !ok || n != 0 || !bytes.Equal(got, big) {
			t.Errorf("constant % x: folded %d", k, n)
		}
	}
	out := runBoth(t, memModule(body), []uint64{1000, 65536 - 48, 65536 - 20}, nil)
	if bytes.Contains(out, spAddrSeq(16)) || !bytes.Contains(out, spAddrSeq(40)) {
		t.Error("Rewrite did not fold the module's stack addresses as foldAddr does")
	}
}

// f64Lt3 drops the 5 and branches unless float64(n) < 3: with NaN
// possible, not-less-than is not greater-or-equal, so it stays.
var f64Lt3 = []byte{0x1a, 0xba, 0x44, 0, 0, 0, 0, 0, 0, 0x08, 0x40, 0x63, 0x45}

func TestFoldConds(t *testing.T) {
	// out = 9 if n < 5 (unsigned) else 7, branching on
	// i64.lt_u; i64.extend_i32_u; i64.eqz; i32.eqz.
	branch := func(cond ...byte) []byte {
		return cat(
			[]byte{0x00, 0x02, 0x40},
			[]byte{0x23, 0x00, 0xad, 0x42, 0x05}, cond, []byte{0x0d, 0x00},
			[]byte{0x41, 0x07, 0x24, 0x01, 0x41, 0x00, 0x0f},
			[]byte{0x0b, 0x41, 0x09, 0x24, 0x01, 0x41, 0x00, 0x0b},
		)
	}
	for name, c := range map[string]struct{ in, want []byte }{
		"compare, extend, eqz, eqz": {branch(0x54, 0xad, 0x50, 0x45), branch(0x54)},
		"compare, eqz, eqz":         {branch(0x54, 0x45, 0x45), branch(0x54)},
		"compare, eqz":              {branch(0x5a, 0x45), branch(0x54)},
		"float compare kept":        {branch(f64Lt3...), branch(f64Lt3...)},
		"three eqz":                 {branch(0x54, 0xad, 0x50, 0x45, 0x45, 0x45), branch(0x54)},
		"eqz, eqz before br_if":     {branch(0x7d, 0xa7, 0x45, 0x45), branch(0x7d, 0xa7)},
		"four eqz before br_if":     {branch(0x7d, 0xa7, 0x45, 0x45, 0x45, 0x45), branch(0x7d, 0xa7)},
		"extend, eqz among them":    {branch(0x7d, 0xa7, 0x45, 0xad, 0x50, 0x45, 0x45), branch(0x7d, 0xa7)},
		"i64.eqz, eqz":              {branch(0x7d, 0x50, 0x45), branch(0x7d, 0x42, 0x00, 0x52)},
	} {
		t.Run(name, func(t *testing.T) {
			got, _, ok := foldConds(c.in)
			if !ok || !bytes.Equal(got, c.want) {
				t.Fatalf("got\n% x\nwant\n% x", got, c.want)
			}
			if again, n, _ := foldConds(got); n != 0 || !bytes.Equal(again, got) {
				t.Errorf("a second pass changed it again: % x", again)
			}
			runBoth(t, module(c.in), []uint64{0, 4, 5, 6, 1 << 31, 1<<32 - 1}, nil)
		})
	}
	// A value, not a branch: two eqz normalise it to 0 or 1 and stay.
	value := []byte{0x00, 0x23, 0x00, 0x45, 0x45, 0x24, 0x01, 0x41, 0x00, 0x0b}
	if got, n, _ := foldConds(value); n != 0 || !bytes.Equal(got, value) {
		t.Errorf("changed a value: % x", got)
	}
	runBoth(t, module(value), []uint64{0, 1, 7}, nil)
}

func TestExpandBulk(t *testing.T) {
	// Copy 21 bytes from n to n + 100, then zero 36 bytes at n + 40
	// (sizes Go lowers to memory.copy and memory.fill).
	body := cat(
		[]byte{0x00},
		[]byte{0x23, 0x00, 0x41, 0xe4, 0x00, 0x6a, 0x23, 0x00, 0x41, 0x15, 0xfc, 0x0a, 0x00, 0x00},
		[]byte{0x23, 0x00, 0x41, 0x28, 0x6a, 0x41, 0x00, 0x41, 0x24, 0xfc, 0x0b, 0x00},
		// A copy whose size is not a constant: left to memory.copy.
		[]byte{0x23, 0x00, 0x23, 0x00, 0x23, 0x01, 0xfc, 0x0a, 0x00, 0x00},
		[]byte{0x41, 0x00, 0x0b},
	)
	want := cat(
		[]byte{0x01, 0x02, 0x7f}, // the two new i32 locals, 1 and 2 (after the parameter)
		[]byte{0x23, 0x00, 0x41, 0xe4, 0x00, 0x6a, 0x23, 0x00},
		[]byte{0x21, 0x02, 0x21, 0x01},
		[]byte{0x20, 0x01, 0x20, 0x02, 0x29, 0x00, 0x0d, 0x37, 0x00, 0x0d}, // 13: the overlapping last word
		[]byte{0x20, 0x01, 0x20, 0x02, 0x29, 0x00, 0x08, 0x37, 0x00, 0x08},
		[]byte{0x20, 0x01, 0x20, 0x02, 0x29, 0x00, 0x00, 0x37, 0x00, 0x00},
		[]byte{0x23, 0x00, 0x41, 0x28, 0x6a},
		[]byte{0x21, 0x01},
		[]byte{0x20, 0x01, 0x42, 0x00, 0x37, 0x00, 0x1c},
		[]byte{0x20, 0x01, 0x42, 0x00, 0x37, 0x00, 0x18},
		[]byte{0x20, 0x01, 0x42, 0x00, 0x37, 0x00, 0x10},
		[]byte{0x20, 0x01, 0x42, 0x00, 0x37, 0x00, 0x08},
		[]byte{0x20, 0x01, 0x42, 0x00, 0x37, 0x00, 0x00},
		[]byte{0x23, 0x00, 0x23, 0x00, 0x23, 0x01, 0xfc, 0x0a, 0x00, 0x00},
		[]byte{0x41, 0x00, 0x0b},
	)
	got, n, ok := expandBulk(body, 1)
	if !ok || n != 2 || !bytes.Equal(got, want) {
		t.Fatalf("expanded %d (%v):\n% x\nwant\n% x", n, ok, got, want)
	}
	pattern := func(m api.Memory) {
		b := make([]byte, m.Size())
		for i := range b {
			b[i] = byte(i*7 + i>>8)
		}
		m.Write(0, b)
	}
	// In bounds; the copy's destination past the end (its source
	// inside); the copy inside and the fill past the end; both past; a
	// source that wraps. The two versions must trap alike, before writing
	// anything.
	runBoth(t, memModule(body), []uint64{0, 1000, 65536 - 121, 65536 - 116, 65536 - 110, 65536 - 20, 1<<32 - 8}, pattern)
}

func TestWords(t *testing.T) {
	for n, want := range map[int32][]uint32{
		8:  {0},
		17: {9, 8, 0},
		24: {16, 8, 0},
		36: {28, 24, 16, 8, 0},
	} {
		if got := words(n); !bytes.Equal(u32s(got), u32s(want)) {
			t.Errorf("words(%d) = %v, want %v", n, got, want)
		}
	}
}

func u32s(v []uint32) []byte {
	var b []byte
	for _, x := range v {
		b = appendU32(b, x)
	}
	return b
}

func TestCacheReloads(t *testing.T) {
	// Reads of the slot at SP+8, wrapped and used as an address, and of
	// SP+24, summed into local 2 and finally into out. SP (local 1) is n.
	readA := []byte{0x20, 0x01, 0x29, 0x03, 0x08, 0xa7, 0x29, 0x03, 0x00} // local.get 1; i64.load 8; i32.wrap_i64; i64.load 0
	sum := []byte{0x20, 0x02, 0x7c, 0x21, 0x02}                           // local.get 2; i64.add; local.set 2
	body := cat(
		[]byte{0x02, 0x01, 0x7f, 0x01, 0x7e},   // locals: i32 (SP cache), i64
		[]byte{0x23, 0x00, 0x21, 0x01},         // SP = n
		readA, readA, []byte{0x7c, 0x21, 0x02}, // 1 tee, 2 taken
		[]byte{0x20, 0x01, 0x20, 0x02, 0x37, 0x03, 0x10}, // a store through SP at 16: slot 8 untouched
		readA, sum, // 3 taken
		[]byte{0x20, 0x01, 0x20, 0x02, 0x37, 0x03, 0x04}, // a store through SP at 4: overlaps slot 8
		readA, sum, // 4 read again, tee
		readA, sum, // 5 taken
		[]byte{0x20, 0x01, 0x41, 0x08, 0x6a, 0x20, 0x02, 0x37, 0x03, 0x00}, // a store through SP+8 computed: any slot
		readA, sum, // 6 read again, tee
		[]byte{0x02, 0x40, 0x23, 0x00, 0x45, 0x0d, 0x00}, // block; br_if out when n == 0
		readA, sum, // 7 taken: the block and the br_if do not end straight-line code
		[]byte{0x0b}, // end: paths join
		readA, sum,   // 8 alone until the call
		[]byte{0x41, 0x00, 0x10, 0x01, 0x1a}, // call 1, which writes the slot
		readA, sum,                           // 9 tee
		readA, sum, // 10 taken
		[]byte{0x20, 0x01, 0x29, 0x03, 0x18, 0x20, 0x01, 0x29, 0x03, 0x18, 0x7c}, sum, // SP+24 twice, not wrapped: 11 taken
		[]byte{0x20, 0x02, 0xa7, 0x24, 0x01}, // out = local 2
		[]byte{0x41, 0x00, 0x0b},
	)
	callee := []byte{0x00, 0x23, 0x00, 0x42, 0xe3, 0x00, 0x37, 0x03, 0x08, 0x41, 0x00, 0x0b} // *(n+8) = 99
	got, n, ok := cacheReloads(body, 1, 1)
	if !ok || n != 6 {
		t.Fatalf("replaced %d reads (%v); want 6:\n% x", n, ok, got)
	}
	// The new locals: an i32 for the wrapped slot 8 and an i64 for slot
	// 24, declared after the existing two (indexes 3 and 4).
	if !bytes.HasPrefix(got, []byte{0x04, 0x01, 0x7f, 0x01, 0x7e, 0x01, 0x7f, 0x01, 0x7e}) {
		t.Fatalf("locals: % x", got[:9])
	}
	if again, n2, _ := cacheReloads(got, 1, 1); n2 != 0 || !bytes.Equal(again, got) {
		t.Errorf("a second pass changed it again (%d)", n2)
	}
	if _, n, _ := cacheReloads(body, 1, 2); n != 0 {
		t.Errorf("replaced %d reads through a local that is not the SP cache", n)
	}
	pattern := func(m api.Memory) {
		b := make([]byte, m.Size())
		for i := 0; i+8 <= len(b); i += 8 {
			binary.LittleEndian.PutUint64(b[i:], uint64(i*3%60000))
		}
		m.Write(0, b)
	}
	runBoth(t, memModule(body, callee), []uint64{1000, 2048, 65536 - 40, 65536 - 28}, pattern)
}

func TestSplitEdges(t *testing.T) {
	// out = the number of steps i takes from n down to 0 with i -= 3 while
	// i > 2 (a loop whose back-edge is a br_if on a compare), plus 100 if
	// n is odd (a br_if on a plain value), plus 7 taken through a block
	// with a result (left alone), and a value kept on the operand stack
	// across a rewritten br_if.
	body := []byte{
		0x01, 0x01, 0x7f, // one i32 local: i (local 1)
		0x23, 0x00, 0x21, 0x01, // i = n
		0x41, 0x00, 0x24, 0x01, // out = 0
		0x03, 0x40, // loop
		0x02, 0x40, // block
		0x20, 0x01, 0x41, 0x02, 0x4d, 0x0d, 0x00, // br_if 0 when i <= 2 (compare: rewritten)
		0x20, 0x01, 0x41, 0x03, 0x6b, 0x21, 0x01, // i -= 3
		0x23, 0x01, 0x41, 0x01, 0x6a, 0x24, 0x01, // out++
		0x20, 0x01, 0x41, 0x02, 0x4b, 0x0d, 0x01, // br_if 1 (the loop) when i > 2 (compare: rewritten)
		0x0b,       // end
		0x0b,       // end loop
		0x23, 0x01, // a value below the next conditions: out
		0x02, 0x40,
		0x23, 0x00, 0x41, 0x01, 0x71, 0x45, 0x0d, 0x00, // br_if 0 when n is even (i32.eqz: rewritten)
		0x41, 0xe4, 0x00, 0x23, 0x01, 0x6a, 0x24, 0x01, // out += 100
		0x0b,
		0x02, 0x7f, 0x41, 0x07, 0x23, 0x00, 0x0d, 0x00, 0x1a, 0x41, 0x00, 0x0b, // block (result i32) 7 br_if 0 on n: left alone
		0x6a, 0x23, 0x01, 0x6a, 0x24, 0x01, // out += saved out + 7 (or 0)
		0x41, 0x00, 0x23, 0x00, 0x0d, 0x00, 0x1a, // br_if to the function's own label (a result): left alone
		0x41, 0x00, 0x0b,
	}
	got, n, ok := splitEdges(body, 1)
	if !ok || n != 3 {
		t.Fatalf("rewrote %d (%v):\n% x", n, ok, got)
	}
	// The first: the compare stays, its result goes to the new local 2,
	// and the landing block branches to the old target, one level out.
	first := []byte{0x20, 0x01, 0x41, 0x02, 0x4d, 0x21, 0x02, 0x02, 0x40, 0x02, 0x40, 0x20, 0x02, 0x0d, 0x00, 0x0c, 0x01, 0x0b, 0x0c, 0x01, 0x0b}
	if !bytes.Contains(got, first) || !bytes.HasPrefix(got, []byte{0x02, 0x01, 0x7f, 0x01, 0x7f}) {
		t.Fatalf("got\n% x", got)
	}
	if again, n2, _ := splitEdges(got, 1); n2 != 0 || !bytes.Equal(again, got) {
		t.Errorf("a second pass changed it again (%d)", n2)
	}
	runBoth(t, module(body), []uint64{0, 1, 2, 3, 7, 8, 100, 101, 1 << 20}, nil)
}

func TestSplitEdgesOfIfs(t *testing.T) {
	// out = 1 if n < 10, + 2 if n is odd (if on a plain value: left
	// alone), + 4 or 8 by n < 100 (if with else: left alone), + 16 if n is
	// 0 (i32.eqz, with a branch out of the if's body to its end).
	body := []byte{
		0x00,
		0x41, 0x00, 0x24, 0x01,
		0x23, 0x00, 0x41, 0x0a, 0x49, 0x04, 0x40, 0x23, 0x01, 0x41, 0x01, 0x6a, 0x24, 0x01, 0x0b, // if n < 10: rewritten
		0x23, 0x00, 0x41, 0x01, 0x71, 0x04, 0x40, 0x23, 0x01, 0x41, 0x02, 0x6a, 0x24, 0x01, 0x0b, // if n&1
		0x23, 0x00, 0x41, 0xe4, 0x00, 0x49, 0x04, 0x40, 0x23, 0x01, 0x41, 0x04, 0x6a, 0x24, 0x01,
		0x05, 0x23, 0x01, 0x41, 0x08, 0x6a, 0x24, 0x01, 0x0b, // if n < 100 … else …
		0x23, 0x00, 0x45, 0x04, 0x40, // if n == 0: rewritten
		0x23, 0x01, 0x41, 0x10, 0x6a, 0x24, 0x01,
		0x41, 0x01, 0x0d, 0x00, // br_if 0: to the if's end (a plain value: left alone)
		0x23, 0x01, 0x41, 0xe8, 0x07, 0x6a, 0x24, 0x01, // never reached
		0x0b,
		0x41, 0x00, 0x0b,
	}
	got, n, ok := splitEdges(body, 1)
	if !ok || n != 2 {
		t.Fatalf("rewrote %d (%v):\n% x", n, ok, got)
	}
	first := []byte{0x23, 0x00, 0x41, 0x0a, 0x49, 0x21, 0x01, 0x02, 0x40, 0x02, 0x40, 0x20, 0x01, 0x0d, 0x00, 0x0c, 0x01, 0x0b,
		0x23, 0x01, 0x41, 0x01, 0x6a, 0x24, 0x01, 0x0b}
	if !bytes.Contains(got, first) {
		t.Fatalf("got\n% x", got)
	}
	runBoth(t, module(body), []uint64{0, 1, 9, 10, 11, 99, 100, 101}, nil)
}
