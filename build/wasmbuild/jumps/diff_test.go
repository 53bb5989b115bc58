package jumps

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
)

// A differential test of the rewrites on generated functions (see
// TestRewritesDiffer). The generated functions' locals: 0 the i32
// parameter; 1 SP's cache (i32); 2..5 values (i64); 6 the accumulated
// result (i64); 7..10 loop counters (i32); 11 a scratch i32.
const (
	lSP  = 1
	lAcc = 6
	lTmp = 11
)

type bodyGen struct {
	r      *rand.Rand
	b      []byte
	labels []byte // 'b' block, 'i' if, 'l' loop, 'r' result block
	loops  int
	budget int
	fnSP   bool // Go-shaped addresses
}

func (g *bodyGen) emit(b ...byte) { g.b = append(g.b, b...) }
func (g *bodyGen) n(k int) int    { return g.r.Intn(k) }

func (g *bodyGen) off() uint32 {
	switch g.n(6) {
	case 0:
		return uint32(g.n(40))
	case 1:
		return uint32(8 * g.n(5))
	}
	return uint32(8 * g.n(2))
}

func (g *bodyGen) memarg(op byte, off uint32) {
	g.emit(op, 0)
	g.b = appendU32(g.b, off)
}

var i64Loads = []byte{0x29, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35}
var i32Loads = []byte{0x28, 0x2c, 0x2d, 0x2e, 0x2f}
var i64Stores = []byte{0x37, 0x3c, 0x3d, 0x3e}
var i32Stores = []byte{0x36, 0x3a, 0x3b}

func (g *bodyGen) i64(depth int) {
	g.budget--
	k := g.n(16)
	if depth > 3 || g.budget < 0 {
		k = g.n(4)
	}
	switch k {
	case 0:
		g.emit(0x42)
		g.b = appendS32(g.b, int32(g.n(1000))-500) // an i64.const of this size has the same encoding
	case 1:
		g.emit(0x20, byte(2+g.n(5)))
	case 2, 3, 4: // SP read, i64
		g.emit(0x20, lSP)
		if g.n(2) == 0 {
			g.memarg(0x29, g.off())
		} else {
			g.memarg(i64Loads[g.n(len(i64Loads))], g.off())
		}
	case 5: // SP read i32, extended
		g.emit(0x20, lSP)
		g.memarg(i32Loads[g.n(len(i32Loads))], g.off())
		g.emit(0xad)
	case 6: // SP read, wrapped, extended
		g.emit(0x20, lSP)
		g.memarg(i64Loads[g.n(len(i64Loads))], g.off())
		g.emit(0xa7, 0xac)
	case 7: // Go-shaped read
		g.emit(0x20, lSP, 0xad, 0x42, byte(8*g.n(5)), 0x7c, 0xa7)
		g.memarg(0x29, uint32(g.n(3)*8))
	case 8:
		g.i64(depth + 1)
		g.i64(depth + 1)
		g.emit([]byte{0x7c, 0x7d, 0x7e, 0x85, 0x89, 0x88}[g.n(6)])
	case 9:
		g.i64(depth + 1)
		g.i64(depth + 1)
		g.cond(depth + 1)
		g.emit(0x1b)
	case 10:
		g.i64(depth + 1)
		g.emit(0x22, byte(2+g.n(4)))
	case 11:
		g.emit(0x02, 0x7e)
		g.labels = append(g.labels, 'r')
		g.stmts(depth+1, g.n(3))
		g.i64(depth + 1)
		if g.n(2) == 0 {
			g.cond(depth + 1)
			g.emit(0x0d, 0x00, 0x1a)
			g.i64(depth + 1)
		}
		g.labels = g.labels[:len(g.labels)-1]
		g.emit(0x0b)
	case 12:
		g.cond(depth + 1)
		g.emit(0xad)
	case 13: // f64 / f32 SP read
		g.emit(0x20, lSP)
		if g.n(2) == 0 {
			g.memarg(0x2b, g.off())
			g.emit(0xbd)
		} else {
			g.memarg(0x2a, g.off())
			g.emit(0xbc, 0xad)
		}
	case 14: // a read through another address equal to SP+k
		g.emit(0x23, 0x00)
		g.memarg(0x29, g.off())
	case 15:
		g.cond(depth + 1)
		g.emit(0x04, 0x7e)
		g.labels = append(g.labels, 'r')
		g.i64(depth + 1)
		g.emit(0x05)
		g.i64(depth + 1)
		g.labels = g.labels[:len(g.labels)-1]
		g.emit(0x0b)
	}
}

func (g *bodyGen) i32(depth int) {
	switch g.n(3) {
	case 0:
		g.i64(depth + 1)
		g.emit(0xa7)
	case 1:
		g.emit(0x20, lSP)
		g.memarg(i32Loads[g.n(len(i32Loads))], g.off())
	case 2:
		g.emit(0x20, lTmp)
	}
}

func (g *bodyGen) cond(depth int) {
	switch g.n(6) {
	case 0, 1:
		g.i64(depth + 1)
		g.i64(depth + 1)
		g.emit(byte(0x51 + g.n(10)))
	case 2:
		g.i32(depth + 1)
		g.i32(depth + 1)
		g.emit(byte(0x46 + g.n(10)))
	case 3:
		g.i64(depth + 1)
		g.emit(0x50)
	case 4:
		g.i32(depth + 1)
		g.emit(0x45)
	case 5:
		g.i32(depth + 1)
	}
}

func (g *bodyGen) target() (int, bool) {
	var ok []int
	for d := 0; d < len(g.labels); d++ {
		if k := g.labels[len(g.labels)-1-d]; k == 'b' || k == 'i' {
			ok = append(ok, d)
		}
	}
	if len(ok) == 0 {
		return 0, false
	}
	return ok[g.n(len(ok))], true
}

func (g *bodyGen) store(depth int) {
	i64 := g.n(2) == 0
	var op byte
	if i64 {
		op = i64Stores[g.n(len(i64Stores))]
	} else {
		op = i32Stores[g.n(len(i32Stores))]
	}
	val := func() {
		if i64 {
			g.i64(depth + 1)
		} else {
			g.i32(depth + 1)
		}
	}
	switch g.n(6) {
	case 0, 1, 2: // through SP
		g.emit(0x20, lSP)
		val()
		g.memarg(op, g.off())
	case 3: // Go-shaped
		g.emit(0x20, lSP, 0xad, 0x42, byte(8*g.n(5)), 0x7c, 0xa7)
		val()
		g.memarg(op, uint32(g.n(3)*8))
	case 4: // through global SP (aliases)
		g.emit(0x23, 0x00)
		val()
		g.memarg(op, g.off())
	case 5: // SP + k computed
		g.emit(0x20, lSP, 0x41, byte(g.n(40)), 0x6a)
		val()
		g.memarg(op, g.off())
	}
}

func (g *bodyGen) stmts(depth, n int) {
	for i := 0; i < n; i++ {
		g.stmt(depth)
	}
}

func (g *bodyGen) stmt(depth int) {
	g.budget--
	k := g.n(22)
	if depth > 4 || g.budget < 0 {
		k = g.n(5)
	}
	switch k {
	case 0:
		g.i64(depth + 1)
		g.emit(0x21, byte(2+g.n(4)))
	case 1, 2:
		g.emit(0x20, lAcc, 0x42, 31, 0x7e)
		g.i64(depth + 1)
		g.emit(0x7c, 0x21, lAcc)
	case 3, 4:
		g.store(depth)
	case 5:
		g.emit(0x02, 0x40)
		g.labels = append(g.labels, 'b')
		g.stmts(depth+1, 1+g.n(4))
		g.labels = g.labels[:len(g.labels)-1]
		g.emit(0x0b)
	case 6, 7:
		g.cond(depth + 1)
		g.emit(0x04, 0x40)
		g.labels = append(g.labels, 'i')
		g.stmts(depth+1, 1+g.n(3))
		if g.n(3) == 0 {
			g.emit(0x05)
			g.stmts(depth+1, 1+g.n(3))
		}
		g.labels = g.labels[:len(g.labels)-1]
		g.emit(0x0b)
	case 8:
		if g.loops >= 4 {
			return
		}
		c := byte(7 + g.loops)
		g.emit(0x41, byte(1+g.n(3)), 0x21, c, 0x03, 0x40)
		g.loops++
		g.labels = append(g.labels, 'l')
		g.stmts(depth+1, 1+g.n(4))
		g.emit(0x20, c, 0x41, 1, 0x6b, 0x22, c)
		if g.n(2) == 0 {
			g.emit(0x41, 0, 0x4a) // i32.gt_s
		}
		g.emit(0x0d, 0)
		g.labels = g.labels[:len(g.labels)-1]
		g.loops--
		g.emit(0x0b)
	case 9, 10:
		if d, ok := g.target(); ok {
			keep := g.n(3) == 0
			if keep {
				g.i64(depth + 1)
			}
			g.cond(depth + 1)
			g.emit(0x0d, byte(d))
			if keep {
				g.emit(0x21, byte(2+g.n(4)))
			}
		}
	case 11:
		if d, ok := g.target(); ok && g.n(3) == 0 {
			g.emit(0x0c, byte(d))
		}
	case 12:
		g.emit(0x10, 1)
	case 13:
		if g.n(2) == 0 {
			g.emit(0x23, 0, 0x41, 8, 0x6a, 0x21, lSP)
		} else {
			g.emit(0x23, 0, 0x21, lSP)
		}
	case 14:
		g.i64(depth + 1)
		g.emit(0x1a)
	case 15:
		g.i32(depth + 1)
		g.emit(0x22, lTmp, 0x1a)
	case 16: // value kept below an if on a compare
		g.i64(depth + 1)
		g.cond(depth + 1)
		g.emit(0x04, 0x40)
		g.labels = append(g.labels, 'i')
		g.stmts(depth+1, 1+g.n(3))
		g.labels = g.labels[:len(g.labels)-1]
		g.emit(0x0b, 0x21, byte(2+g.n(4)))
	case 17: // memory.fill of constant size at SP
		g.emit(0x20, lSP, 0x41, byte(g.n(3)*8), 0x6a, 0x41, byte(g.n(256)&0x3f), 0x41, byte(8*(1+g.n(2))), 0xfc, 0x0b, 0x00)
	case 18:
		g.emit(0x01)
	case 19: // tee of SP into tmp, store through tmp
		g.emit(0x20, lSP, 0x22, lTmp)
		g.i64(depth + 1)
		g.memarg(0x37, g.off())
	case 20: // memory.copy between SP slots
		g.emit(0x20, lSP, 0x41, byte(g.n(3)*8), 0x6a, 0x20, lSP, 0x41, byte(g.n(4)*8), 0x6a, 0x41, 8, 0xfc, 0x0a, 0, 0)
	case 21: // set SP to a value read via SP (a different SP)
		g.emit(0x20, lSP, 0x41, 16, 0x6a, 0x21, lSP)
	}
}

// diffModule is a module with one page of memory, the generated function
// (type (i32) -> i64, exported as "run") and a helper of type () -> () that
// writes two slots at SP (global 0, 256), as a callee writing its caller's
// stack would.
func diffModule(body []byte) []byte {
	b := []byte("\x00asm\x01\x00\x00\x00")
	sec := func(id byte, payload []byte) {
		b = append(b, id)
		b = appendU32(b, uint32(len(payload)))
		b = append(b, payload...)
	}
	sec(1, []byte{2, 0x60, 1, 0x7f, 1, 0x7e, 0x60, 0, 0})
	sec(3, []byte{2, 0, 1})
	sec(5, []byte{1, 0x00, 1})
	sec(6, []byte{1, 0x7f, 1, 0x41, 0x80, 0x02, 0x0b}) // SP = 256
	sec(7, []byte{2, 3, 'r', 'u', 'n', 0, 0, 3, 'm', 'e', 'm', 2, 0})
	helper := []byte{0x00,
		0x23, 0x00, 0x23, 0x00, 0x29, 0x03, 0x08, 0x42, 0x07, 0x7e, 0x42, 0x01, 0x7c, 0x37, 0x03, 0x10,
		0x23, 0x00, 0x42, 0x2a, 0x37, 0x03, 0x00,
		0x0b}
	code := []byte{2}
	code = appendU32(code, uint32(len(body)))
	code = append(code, body...)
	code = appendU32(code, uint32(len(helper)))
	code = append(code, helper...)
	sec(10, code)
	return b
}

func genBody(seed int64) []byte {
	g := &bodyGen{r: rand.New(rand.NewSource(seed)), budget: 60 + int(seed%80)}
	g.emit(3, 1, 0x7f, 5, 0x7e, 5, 0x7f) // locals
	g.emit(0x23, 0x00, 0x21, lSP)
	g.stmts(0, 3+g.n(10))
	g.emit(0x20, lAcc)
	g.emit(0x0b)
	return g.b
}

type diffResult struct {
	res  uint64
	err  string
	mem  []byte
	glob uint64
}

func diffRun(rt wazero.Runtime, mod []byte, name string, mem []byte) (diffResult, error) {
	ctx := context.Background()
	m, err := rt.InstantiateWithConfig(ctx, mod, wazero.NewModuleConfig().WithName(name))
	if err != nil {
		return diffResult{}, err
	}
	defer m.Close(ctx)
	m.Memory().Write(0, mem)
	out, err := m.ExportedFunction("run").Call(ctx, 0)
	var r diffResult
	if err != nil {
		r.err = err.Error()
	} else {
		r.res = out[0]
	}
	b, _ := m.Memory().Read(0, 8192)
	r.mem = bytes.Clone(b)
	return r, nil
}

func diffMem(seed int64) []byte {
	r := rand.New(rand.NewSource(seed ^ 0x5555))
	mem := make([]byte, 1024)
	for i := range mem {
		mem[i] = byte(r.Intn(4)) // small values: many equalities
	}
	for i := 0; i < len(mem); i += 8 {
		binary.LittleEndian.PutUint64(mem[i:], uint64(r.Intn(5)))
	}
	return mem
}

type diffVariant struct {
	name string
	f    func(body []byte) []byte
}

// TestRewritesDiffer generates random valid functions in the shapes the
// rewrites look for (an SP cache, reads and stores through it, Go-shaped
// stack addresses, compares before br_if and if, nested blocks, loops,
// ifs with and without else, blocks with results, calls that write the
// stack, bulk memory) and runs each before and after the rewrites, alone
// and chained, and after the whole of Rewrite, under wazero's interpreter
// and compiler: results, traps and memory must agree. FRONTGATE_DIFF_SEEDS
// runs more than the default.
func TestRewritesDiffer(t *testing.T) {
	n := 2000
	if s, err := strconv.Atoi(os.Getenv("FRONTGATE_DIFF_SEEDS")); err == nil && s > 0 {
		n = s
	}
	ctx := context.Background()
	rts := []wazero.Runtime{
		wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter()),
		wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler()),
	}
	for _, rt := range rts {
		defer rt.Close(ctx)
	}
	variants := []diffVariant{
		{"reload", func(b []byte) []byte { o, _, _ := cacheReloads(b, 1, lSP); return o }},
		{"edges", func(b []byte) []byte { o, _, _ := splitEdges(b, 1); return o }},
		{"probe", func(b []byte) []byte { o, _, _ := probeStack(b, lSP); return o }},
		{"addr+conds+reload+probe+edges", func(b []byte) []byte {
			o, _, _ := foldAddr(b, lSP)
			o, _, _ = foldConds(o)
			o, _, _ = cacheReloads(o, 1, lSP)
			o, _, _ = probeStack(o, lSP)
			o, _, _ = splitEdges(o, 1)
			return o
		}},
	}
	changed := map[string]int{}
	compared := 0
	// probes: the variant has stack probes, which may trap before the
	// stores that came before the access that traps (probe.go), so what a
	// trap leaves in memory is not compared.
	check := func(seed int64, name string, mod []byte, mem []byte, want [2]diffResult, probes bool) {
		t.Helper()
		for i, rt := range rts {
			got, err := diffRun(rt, mod, fmt.Sprint(name, seed), mem)
			if err != nil {
				t.Fatalf("seed %d %s: invalid output: %v", seed, name, err)
			}
			memOK := bytes.Equal(got.mem, want[i].mem) || (probes && want[i].err != "")
			if got.err != want[i].err || got.res != want[i].res || !memOK {
				t.Fatalf("seed %d %s, runtime %d: result %d/%d, trap %q/%q, memory alike %v", seed, name, i,
					want[i].res, got.res, want[i].err, got.err, bytes.Equal(got.mem, want[i].mem))
			}
		}
	}
	for seed := int64(0); seed < int64(n); seed++ {
		body := genBody(seed)
		orig := diffModule(body)
		mem := diffMem(seed)
		var want [2]diffResult
		for i, rt := range rts {
			r, err := diffRun(rt, orig, fmt.Sprint("o", seed), mem)
			if err != nil {
				t.Fatalf("seed %d: the generated function is not valid: %v", seed, err)
			}
			want[i] = r
		}
		if want[0].err != want[1].err || want[0].res != want[1].res || !bytes.Equal(want[0].mem, want[1].mem) {
			continue // the two engines disagree on the original (e.g. a trap's message): nothing to hold it to
		}
		compared++
		for _, v := range variants {
			nb := v.f(body)
			if bytes.Equal(nb, body) {
				continue
			}
			changed[v.name]++
			check(seed, v.name, diffModule(nb), mem, want, strings.Contains(v.name, "probe"))
		}
		whole, _, err := Rewrite(orig)
		if err != nil {
			t.Fatalf("seed %d: Rewrite: %v", seed, err)
		}
		check(seed, "Rewrite", whole, mem, want, true)
	}
	// The generator must keep producing what the rewrites change.
	if compared < n*9/10 || changed["reload"] < n/20 || changed["edges"] < n/2 {
		t.Fatalf("%d of %d functions compared; changed: %v", compared, n, changed)
	}
	t.Logf("%d functions compared; changed: %v", compared, changed)
}
