package wasmbuild

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoAssembly: the build vouches for plugin/ as compiled Go only (and
// so lets jumps prune its functions' dispatch) only while no file under it
// is assembly.
func TestNoAssembly(t *testing.T) {
	dir := t.TempDir()
	write := func(rel string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("package x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a/a.go")
	write("a/b/notes.md")
	if pure, err := noAssembly(dir); err != nil || !pure {
		t.Fatalf("Go files only: %v %v", pure, err)
	}
	for _, f := range []string{"a/b/c/x_wasm.s", "y.S"} {
		write(f)
		if pure, err := noAssembly(dir); err != nil || pure {
			t.Errorf("with %s: %v %v, want not pure", f, pure, err)
		}
		os.Remove(filepath.Join(dir, f))
	}
	if pure, err := noAssembly(filepath.Join(dir, "missing")); err == nil || pure {
		t.Errorf("a missing directory: %v %v", pure, err)
	}
	if pure, err := noAssembly(filepath.Join("..", "..", "plugin")); err != nil || !pure {
		t.Errorf("plugin/ has assembly or cannot be read: %v %v", pure, err)
	}
}

// TestPureIsPlugin: what the build vouches for as compiled Go (every
// package of the module, jumps.Options.Pure) is, among what the shim
// links, only under plugin/, which noAssembly checks, and none of it has
// assembly.
func TestPureIsPlugin(t *testing.T) {
	cmd := exec.Command(goCmd(""), "list", "-deps", "-f", "{{.ImportPath}} {{len .SFiles}}", Package)
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "GOFLAGS=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, sfiles, _ := strings.Cut(line, " ")
		if !strings.HasPrefix(path, ModulePath+"/") {
			continue
		}
		n++
		if !strings.HasPrefix(path, ModulePath+"/plugin/") || sfiles != "0" {
			t.Errorf("%s (%s assembly files) is linked into the module", path, sfiles)
		}
	}
	if n < 5 {
		t.Fatalf("only %d of the module's packages in the shim's dependencies:\n%s", n, out)
	}
}
