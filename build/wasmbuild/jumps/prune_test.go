package jumps

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"
)

// TestPruneTable: the entry for pc 2 of sumBody (reached only by falling
// into it) and the default go to the trap; pcs 0, 1 and 3 (the targets of
// its jumps) still reach their blocks, one label further out.
func TestPruneTable(t *testing.T) {
	d, ok := findDispatch(sumBody, 3)
	if !ok {
		t.Fatal("no dispatch in sumBody")
	}
	out, n := pruneTable(sumBody, &d, map[int32]bool{0: true, 1: true, 3: true})
	if n != 1 {
		t.Fatalf("pruned %d entries, want 1", n)
	}
	want := slices.Concat(sumBody[:d.at], []byte{
		0x02, 0x40, // block (the trap)
		0x20, 0x00, 0x0e, 0x04, 0x01, 0x02, 0x00, 0x04, 0x00, // local.get PC_B; br_table 1 2 0 4 (0)
		0x0b, 0x00, // end; unreachable
	}, sumBody[d.at+9:])
	if !bytes.Equal(out, want) {
		t.Fatalf("pruned:\n% x\nwant:\n% x", out, want)
	}
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	mod, err := rt.Instantiate(ctx, module(out))
	if err != nil {
		t.Fatal(err)
	}
	mod.ExportedGlobal("n").(interface{ Set(uint64) }).Set(10)
	if res, err := mod.ExportedFunction("run").Call(ctx, 0); err != nil || res[0] != 0 || mod.ExportedGlobal("out").Get() != 55 {
		t.Errorf("run: %v %v, out %d, want 55", res, err, mod.ExportedGlobal("out").Get())
	}
	for _, pcb := range []uint64{1, 3} { // fresh locals: i == 0, out = acc = 0
		if res, err := mod.ExportedFunction("run").Call(ctx, pcb); err != nil || res[0] != 0 || mod.ExportedGlobal("out").Get() != 0 {
			t.Errorf("run at pc %d: %v %v, out %d", pcb, res, err, mod.ExportedGlobal("out").Get())
		}
	}
	for _, pcb := range []uint64{2, 4, 1 << 20} {
		if _, err := mod.ExportedFunction("run").Call(ctx, pcb); err == nil || !strings.Contains(err.Error(), "unreachable") {
			t.Errorf("run at pruned pc %d: %v, want the trap", pcb, err)
		}
	}
	// A live pc past the entries keeps the default.
	out, _ = pruneTable(sumBody, &d, map[int32]bool{0: true, 7: true})
	if i := bytes.Index(out, []byte{0x0e, 0x04}); i < 0 || !bytes.Equal(out[i+2:i+7], []byte{0x01, 0x00, 0x00, 0x00, 0x04}) {
		t.Errorf("default not kept for a live pc past the entries:\n% x", out)
	}
}

// TestIsPure: Options.Pure names packages by import path; the name section
// spells them as the linker does (LinkerName), each followed by a dot and
// the function's name.
func TestIsPure(t *testing.T) {
	p := &pruner{}
	for _, s := range []string{"main", "example.com/a/b", "x/y.v2", "x/z"} {
		p.pure = append(p.pure, LinkerName(s)+".")
	}
	for name, want := range map[string]bool{
		"main.main":                   true,
		"main.__T_.M":                 true,
		"mainly.f":                    false,
		"example.com_a_b.F":           true,
		"example.com_a_b.__T_.Method": true,
		"example.com_a_b_c.F":         false, // a package under it is not it
		"example.com_a_bc.F":          false,
		"x_y_2ev2.F":                  true, // the last element's dot as %2e
		"x_y.v2.F":                    false,
		"x_z.F":                       true,
		"x_z_w.F":                     false,
		"runtime.goexit":              false,
		"type_.eq.main.rect":          false,
	} {
		if got := p.isPure(name); got != want {
			t.Errorf("isPure(%q) = %v, want %v", name, got, want)
		}
	}
	for path, want := range map[string]string{
		"github.com/frontgate/frontgate/plugin/ops": "github.com_frontgate_frontgate_plugin_ops",
		"example.com/m/x.y":                         "example.com_m_x_2ey",
		"example.com/m.v2/x-z":                      "example.com_m.v2_x_z",
		"a/b c":                                     "a_b_20c",
	} {
		if got := LinkerName(path); got != want {
			t.Errorf("LinkerName(%q) = %q, want %q", path, got, want)
		}
	}
}

var (
	unwindOnce sync.Once
	unwindMod  []byte
	unwindErr  error
)

// unwindModule builds testdata/unwind for wasip1.
func unwindModule(t *testing.T) []byte {
	t.Helper()
	unwindOnce.Do(func() {
		goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
		if p, err := exec.LookPath("go"); err == nil {
			goBin = p
		}
		out := filepath.Join(os.TempDir(), "frontgate-jumps-unwind-"+strings.ReplaceAll(runtime.Version(), " ", "_")+".wasm")
		cmd := exec.Command(goBin, "build", "-trimpath", "-o", out, ".")
		cmd.Dir = filepath.Join("testdata", "unwind")
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0", "GOFLAGS=", "GOTOOLCHAIN=local")
		if b, err := cmd.CombinedOutput(); err != nil {
			unwindErr = errors.New(err.Error() + ": " + string(b))
			return
		}
		unwindMod, unwindErr = os.ReadFile(out)
		os.Remove(out)
	})
	if unwindErr != nil {
		t.Fatal(unwindErr)
	}
	return unwindMod
}

// runUnwind runs a build of testdata/unwind in wazero's compiler and
// returns what it printed.
func runUnwind(mod []byte) (string, error) {
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler())
	defer rt.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	var stdout, stderr bytes.Buffer
	_, err := rt.InstantiateWithConfig(ctx, mod, wazero.NewModuleConfig().WithStdout(&stdout).WithStderr(&stderr))
	var exit *sys.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 0 {
		err = nil
	}
	if err != nil {
		return "", errors.New(err.Error() + "\n" + stderr.String())
	}
	return stdout.String(), nil
}

// TestPruneResumes runs a program whose functions the runtime resumes in
// every way it resumes compiled Go (after a goroutine switch, a stack
// growth, a recovered panic; testdata/unwind), before and after pruning
// its package's dispatch, and wants the same output. Pruning also the
// return addresses' entries, or the functions that call deferreturn, must
// trap, which shows the program does resume at them.
func TestPruneResumes(t *testing.T) {
	raw := unwindModule(t)
	want, err := runUnwind(raw)
	if err != nil || want == "" {
		t.Fatalf("unrewritten: %q %v", want, err)
	}
	pruned, st, err := RewriteWith(raw, Options{Pure: []string{"main"}})
	if err != nil {
		t.Fatal(err)
	}
	if st.Pruned < 20 {
		t.Fatalf("pruned %d dispatch entries of package main, want at least 20 (%+v)", st.Pruned, st)
	}
	if got, err := runUnwind(pruned); err != nil || got != want {
		t.Fatalf("pruned module printed %q (%v), want %q", got, err, want)
	}
	plain, st2, err := Rewrite(raw)
	if err != nil || st2.Pruned != 0 {
		t.Fatalf("Rewrite without options pruned %d: %v", st2.Pruned, err)
	}
	if got, err := runUnwind(plain); err != nil || got != want {
		t.Fatalf("rewritten module printed %q (%v), want %q", got, err, want)
	}

	for name, knob := range map[string]*bool{
		"the return addresses' entries pruned too": &dropReturns,
		"functions with a deferreturn call pruned": &ignoreDeferreturn,
	} {
		*knob = true
		broken, _, err := RewriteWith(raw, Options{Pure: []string{"main"}})
		*knob = false
		if err != nil {
			t.Fatal(err)
		}
		if got, err := runUnwind(broken); err == nil || !strings.Contains(err.Error(), "unreachable") {
			t.Errorf("with %s the program printed %q (%v), want a trap", name, got, err)
		}
	}
}

// TestResumePoints checks the rules on the real program: a function with
// a defer (resumed at its deferreturn call) and functions of other
// packages are left alone; others keep pc 0 and their return addresses.
func TestResumePoints(t *testing.T) {
	raw := unwindModule(t)
	p := newPruner(raw, []string{"main"})
	if p == nil {
		t.Fatal("no pruner for a module built by Go")
	}
	bodies := codeBodies(t, raw)
	find := func(name string) (uint32, []byte) {
		for i, n := range p.names {
			if n == name {
				return i, bodies[i-p.imported]
			}
		}
		t.Fatalf("no function %s", name)
		return 0, nil
	}
	for _, name := range []string{"main.quotient", "runtime.goexit", "fmt.Fprintln"} {
		fi, b := find(name)
		if pcs, ok := p.resumePoints(fi, b); ok {
			t.Errorf("%s: resume points %v, want it left alone", name, pcs)
		}
	}
	fi, b := find("main.deep")
	pcs, ok := p.resumePoints(fi, b)
	if !ok || !pcs[0] || len(pcs) < 3 {
		t.Fatalf("main.deep: %v %v, want pc 0 and its calls' return addresses", pcs, ok)
	}
	if newPruner(raw, nil) != nil {
		t.Error("a pruner without Options.Pure")
	}
	if newPruner(module(sumBody), []string{"main"}) != nil {
		t.Error("a pruner for a module without names and elements")
	}
}

// codeBodies returns the function bodies of mod's code section.
func codeBodies(t *testing.T, mod []byte) [][]byte {
	r := reader{b: mod, p: 8}
	for r.p < len(r.b) {
		id := r.byte()
		size := int(r.u32())
		sec := r.b[r.p : r.p+size]
		r.p += size
		if id != 10 {
			continue
		}
		c := reader{b: sec}
		var out [][]byte
		for n := c.u32(); n > 0; n-- {
			l := int(c.u32())
			out = append(out, sec[c.p:c.p+l])
			c.p += l
		}
		return out
	}
	t.Fatal("no code section")
	return nil
}
