package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontgate/frontgate/build/wasmbuild"
)

// copyTree copies the files a module's SourceKey covers into dst.
func copyTree(t *testing.T, root, dst string) {
	t.Helper()
	for _, f := range []string{"go.mod", "go.sum"} {
		if b, err := os.ReadFile(filepath.Join(root, f)); err == nil {
			os.WriteFile(filepath.Join(dst, f), b, 0o644)
		}
	}
	copyDir := func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	}
	for _, dir := range []string{"plugin", filepath.Join("build", "wasmbuild", "jumps")} {
		if err := filepath.WalkDir(filepath.Join(root, dir), copyDir); err != nil {
			t.Fatal(err)
		}
	}
}

// TestReproducible builds with `go run ./build`'s code path, then again
// from a copy of the sources at another path, and wants the same bytes.
func TestReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the module twice")
	}
	root, err := wasmbuild.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	var log bytes.Buffer
	if err := run(context.Background(), []string{"-out", out}, &log); err != nil {
		t.Fatalf("%v\n%s", err, log.Bytes())
	}
	wasm, err := os.ReadFile(filepath.Join(out, "frontgate.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(wasm)
	hexSum := hex.EncodeToString(sum[:])
	side, _ := os.ReadFile(filepath.Join(out, "frontgate.wasm.sha256"))
	if string(side) != hexSum+"  frontgate.wasm\n" {
		t.Errorf("frontgate.wasm.sha256 = %q", side)
	}
	var meta map[string]any
	b, _ := os.ReadFile(filepath.Join(out, "frontgate.wasm.json"))
	if err := json.Unmarshal(b, &meta); err != nil || meta["sha256"] != hexSum || !strings.HasPrefix(meta["go"].(string), "go1.") {
		t.Errorf("frontgate.wasm.json = %s (%v)", b, err)
	}
	// The jump rewriter recognised Go's functions and made most jumps
	// direct: were Go's output to change shape, it would skip them all.
	if j, _ := meta["jumps"].(map[string]any); j == nil || j["direct"].(float64) < 1000 || j["skipped"].(float64) > j["functions"].(float64)/2 {
		t.Errorf("jump rewriter: %v", meta["jumps"])
	}
	// The later rewrites found their shapes too, memeqbody included (it is
	// recognised byte for byte, so a new toolchain would show here).
	if j, _ := meta["jumps"].(map[string]any); j == nil || j["memeq"] != 1.0 || j["reloads"].(float64) < 500 || j["edges"].(float64) < 5000 || j["probes"].(float64) < 5000 {
		t.Errorf("later rewrites: %v", meta["jumps"])
	}
	// The module's own packages have no assembly, so their dispatch is
	// pruned (jumps/prune.go); were the name or element section to change
	// shape, nothing would be.
	if j, _ := meta["jumps"].(map[string]any); j == nil || j["pruned"].(float64) < 5000 {
		t.Errorf("dispatch pruning: %v", meta["jumps"])
	}

	other := t.TempDir()
	copyTree(t, root, other)
	info, err := wasmbuild.Build(context.Background(), wasmbuild.Options{Root: other, Out: filepath.Join(t.TempDir(), "again.wasm")})
	if err != nil {
		t.Fatal(err)
	}
	if info.SHA256 != hexSum {
		t.Fatalf("not reproducible: %s from %s, %s from %s", hexSum, root, info.SHA256, other)
	}
	if len(wasm) > 4<<20 {
		t.Errorf("module is %d bytes, over the 4 MiB target", len(wasm))
	}
	t.Logf("%d bytes, sha256 %s", len(wasm), hexSum)
}

func TestSourceKey(t *testing.T) {
	root, err := wasmbuild.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	copyTree(t, root, dir)
	key := func() string {
		k, err := wasmbuild.SourceKey(dir, "go1.26.8 linux/amd64")
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	k0 := key()
	if k, _ := wasmbuild.SourceKey(dir, "go1.27 linux/amd64"); k == k0 {
		t.Error("the Go version does not change the key")
	}
	write := func(rel, s string) {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, rel)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, rel), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("plugin/abi/x_test.go", "package abi")
	write("plugin/testdata/vectors/new.json", "{}")
	write("plugin/NOTES.md", "notes")
	if key() != k0 {
		t.Error("tests, testdata or Markdown change the key")
	}
	write("plugin/abi/x.go", "package abi")
	k1 := key()
	if k1 == k0 {
		t.Error("a new source file does not change the key")
	}
	write("build/wasmbuild/jumps/x.go", "package jumps")
	if key() == k1 {
		t.Error("a change to the jump rewriter does not change the key")
	}
}

func TestFindRoot(t *testing.T) {
	root, err := wasmbuild.FindRoot(filepath.Join("..", "plugin", "abi"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "plugin", "abi", "abi.go")); err != nil {
		t.Fatalf("root %s: %v", root, err)
	}
	if _, err := wasmbuild.FindRoot(t.TempDir()); err == nil {
		t.Fatal("found a checkout in an empty directory")
	}
}
