package wasmbuild

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestPrune: the newest KeepModules files stay, and any file written within
// KeepFor; older ones beyond those go; other suffixes and directories are
// not touched.
func TestPrune(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	write := func(name string, age time.Duration) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		at := now.Add(-age)
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
	}
	// 12 old modules, 30 to 41 days old, and 2 recent ones.
	for i := range 12 {
		write("old"+strconv.Itoa(i)+".wasm", time.Duration(30+i)*24*time.Hour)
	}
	write("new1.wasm", time.Hour)
	write("new2.wasm", 10*24*time.Hour)
	write("build.lock", 90*24*time.Hour)
	if err := os.Mkdir(filepath.Join(dir, "sub.wasm"), 0o755); err != nil {
		t.Fatal(err)
	}
	if n := Prune(dir, ".wasm", now); n != 6 {
		t.Fatalf("removed %d, want 6 (14 modules, the 8 newest kept)", n)
	}
	for _, keep := range []string{"new1.wasm", "new2.wasm", "old0.wasm", "old5.wasm", "build.lock", "sub.wasm"} {
		if _, err := os.Stat(filepath.Join(dir, keep)); err != nil {
			t.Errorf("%s was removed", keep)
		}
	}
	for _, gone := range []string{"old6.wasm", "old11.wasm"} {
		if _, err := os.Stat(filepath.Join(dir, gone)); err == nil {
			t.Errorf("%s was kept", gone)
		}
	}
	// Recent files stay whatever their number.
	for i := range 20 {
		write("recent"+strconv.Itoa(i)+".wasm", time.Duration(i)*time.Hour)
	}
	Prune(dir, ".wasm", now)
	for i := range 20 {
		if _, err := os.Stat(filepath.Join(dir, "recent"+strconv.Itoa(i)+".wasm")); err != nil {
			t.Errorf("recent%d.wasm, written %d hours ago, was removed", i, i)
		}
	}
	// PruneTree reaches one level of subdirectories.
	sub := filepath.Join(dir, "wazero-v1-amd64-linux")
	os.Mkdir(sub, 0o755)
	for i := range 10 {
		p := filepath.Join(sub, strconv.Itoa(i))
		os.WriteFile(p, []byte("x"), 0o644)
		at := now.Add(-time.Duration(20+i) * 24 * time.Hour)
		os.Chtimes(p, at, at)
	}
	if n := PruneTree(dir, now); n != 2 {
		t.Fatalf("PruneTree removed %d, want 2", n)
	}
}
