package wasmbuild

import (
	"os"
	"path/filepath"
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
