// Package wasmbuild produces frontgate.wasm from the plugin/ sources and
// finds a module for the host to run: the copy embedded in a release build,
// a file named by FRONTGATE_WASM, or one built from the checkout into the
// user cache, keyed by a hash of the sources and the Go toolchain.
//
// Why build from source instead of committing the binary: the module is
// 3-4 MB and changes with every core change; committed, it would bloat the
// history and go stale against the sources it claims to be built from. A
// checkout has the sources and, for `go test` and `go run`, a Go toolchain,
// so building on first use (about 10 s, then a cache hit) costs little.
// Release binaries have no checkout, so they embed the module instead (build
// tag frontgate_embed, file placed by `go run ./build -embed`).
package wasmbuild

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/frontgate/frontgate/build/wasmbuild/jumps"
)

// ModulePath is the Go module whose checkout holds the sources.
const ModulePath = "github.com/frontgate/frontgate"

// Package is the shim package compiled to the module.
const Package = "./plugin/wasm"

// PinnedGo is the toolchain release builds are made with. Other toolchains
// produce a working module with a different hash; `go run ./build` warns.
const PinnedGo = "go1.26.8"

// recipe changes whenever Flags, Env or what Build asks of the jump
// rewriter (its Options) change, so cached modules built with an older
// recipe are not reused. (The jump rewriter's sources are part of
// SourceKey, so changing it needs no new recipe.)
const recipe = "frontgate-wasmbuild/4"

// Flags are the `go build` flags of every build: a reactor (c-shared)
// module, no file system paths, no VCS stamp, an empty build id. -s is left
// out on purpose: on wasm it strips the name section, which would save 70
// KB (2%) but turn the Go function names in trap stack traces into numbers.
// -w changes nothing (Go emits no DWARF for wasm).
var Flags = []string{
	"-buildmode=c-shared", "-trimpath", "-buildvcs=false",
	"-ldflags=-buildid=",
}

// Env overrides the caller's environment for every build: the target, no
// cgo, and no ambient GOFLAGS, GOWASM, GOEXPERIMENT or toolchain switching
// that could change the output.
var Env = []string{
	"GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0",
	"GOFLAGS=", "GOWASM=", "GOEXPERIMENT=", "GOTOOLCHAIN=local",
}

// Info describes a built module.
type Info struct {
	Path      string `json:"-"`
	SHA256    string `json:"sha256"`
	Size      int64  `json:"size"`
	GoVersion string `json:"go"`
	Command   string `json:"command"`
	// Jumps is what the jump rewriter (package jumps) did to the
	// compiler's output; zero for a Raw build.
	Jumps jumps.Stats `json:"jumps"`
}

// Options configure Build.
type Options struct {
	// Root is the module root (the directory of go.mod).
	Root string
	// Out is the file to write; it is replaced atomically.
	Out string
	// Go is the go command; empty means "go" from PATH.
	Go string
	// Stderr receives the compiler's output; nil keeps it for the error.
	Stderr io.Writer
	// ExtraEnv is appended after Env (tests use it for GOCACHE).
	ExtraEnv []string
	// Raw keeps the compiler's output as it is, without the jump
	// rewriter: for comparing the two (BENCHMARKS.md).
	Raw bool
}

func goCmd(name string) string {
	if name != "" {
		return name
	}
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// GoVersion returns the `go version` of the toolchain builds use, e.g.
// "go1.26.8 linux/amd64".
func GoVersion(ctx context.Context, goBin string) (string, error) {
	cmd := exec.CommandContext(ctx, goCmd(goBin), "version")
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOFLAGS=")
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("wasmbuild: go version: %w", err)
	}
	v := strings.TrimSpace(string(out))
	return strings.TrimPrefix(v, "go version "), nil
}

// Build compiles the module with Flags and Env into o.Out.
func Build(ctx context.Context, o Options) (Info, error) {
	goVer, err := GoVersion(ctx, o.Go)
	if err != nil {
		return Info{}, err
	}
	if err := os.MkdirAll(filepath.Dir(o.Out), 0o755); err != nil {
		return Info{}, fmt.Errorf("wasmbuild: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(o.Out), ".frontgate-*.wasm")
	if err != nil {
		return Info{}, fmt.Errorf("wasmbuild: %w", err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	defer os.Remove(tmpName)

	args := append([]string{"build"}, Flags...)
	args = append(args, "-o", tmpName, Package)
	cmd := exec.CommandContext(ctx, goCmd(o.Go), args...)
	cmd.Dir = o.Root
	cmd.Env = append(append(os.Environ(), Env...), o.ExtraEnv...)
	var stderr bytes.Buffer
	cmd.Stdout = &stderr
	cmd.Stderr = &stderr
	if o.Stderr != nil {
		cmd.Stdout, cmd.Stderr = o.Stderr, o.Stderr
	}
	if err := cmd.Run(); err != nil {
		return Info{}, fmt.Errorf("wasmbuild: go %s: %w\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	b, err := os.ReadFile(tmpName)
	if err != nil {
		return Info{}, fmt.Errorf("wasmbuild: %w", err)
	}
	var st jumps.Stats
	post := ""
	if !o.Raw {
		// Forward jumps straight to their blocks (see package jumps).
		var opt jumps.Options
		if opt.Pure, err = purePackages(ctx, o); err != nil {
			return Info{}, err
		}
		if b, st, err = jumps.RewriteWith(b, opt); err != nil {
			return Info{}, fmt.Errorf("wasmbuild: %w", err)
		}
		if err := os.WriteFile(tmpName, b, 0o644); err != nil {
			return Info{}, fmt.Errorf("wasmbuild: %w", err)
		}
		post = ", then build/wasmbuild/jumps"
	}
	if err := os.Rename(tmpName, o.Out); err != nil {
		return Info{}, fmt.Errorf("wasmbuild: %w", err)
	}
	sum := sha256.Sum256(b)
	return Info{
		Path:      o.Out,
		SHA256:    hex.EncodeToString(sum[:]),
		Size:      int64(len(b)),
		GoVersion: goVer,
		Command:   strings.Join(Env, " ") + " go " + strings.Join(quoteArgs(args[:len(args)-3]), " ") + " -o frontgate.wasm " + Package + post,
		Jumps:     st,
	}, nil
}

func quoteArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " \t") {
			k, v, _ := strings.Cut(a, "=")
			a = k + "='" + v + "'"
		}
		out[i] = a
	}
	return out
}

// FindRoot walks up from dir to the directory whose go.mod declares
// ModulePath.
func FindRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && declares(b, ModulePath) {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("wasmbuild: no checkout of %s at or above %s", ModulePath, dir)
		}
		d = parent
	}
}

func declares(gomod []byte, path string) bool {
	for _, line := range strings.Split(string(gomod), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == "module" && strings.Trim(f[1], `"`) == path {
			return true
		}
	}
	return false
}

// SourceKey hashes what the module is built from: go.mod and go.sum, every
// file under plugin/ except tests, testdata and Markdown, the jump
// rewriter's sources, the build recipe and goVersion. Equal keys mean an
// equal module.
func SourceKey(root, goVersion string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", recipe, goVersion)
	add := func(rel string) error {
		b, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.ToSlash(rel), len(b))
		h.Write(b)
		return nil
	}
	for _, f := range []string{"go.mod", "go.sum"} {
		if err := add(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("wasmbuild: %w", err)
		}
	}
	var files []string
	walk := func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if name == "testdata" || (strings.HasPrefix(name, ".") && p != filepath.Join(root, "plugin")) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, "_test.go") || strings.HasSuffix(name, ".md") || strings.HasPrefix(name, ".") {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		files = append(files, rel)
		return nil
	}
	err := filepath.WalkDir(filepath.Join(root, "plugin"), walk)
	if err == nil {
		err = filepath.WalkDir(filepath.Join(root, "build", "wasmbuild", "jumps"), walk)
	}
	if err != nil {
		return "", fmt.Errorf("wasmbuild: hashing sources: %w", err)
	}
	sort.Strings(files)
	for _, f := range files {
		if err := add(f); err != nil {
			return "", fmt.Errorf("wasmbuild: hashing sources: %w", err)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:32], nil
}

// CacheDir is where FromSource keeps modules: <user cache>/frontgate/wasm.
func CacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("wasmbuild: %w", err)
	}
	return filepath.Join(d, "frontgate", "wasm"), nil
}

var fromSourceMu sync.Mutex

// FromSource returns the module built from the checkout at root, building it
// into CacheDir when no module with the same SourceKey is there. Parallel
// processes (go test runs packages at once) coordinate through a lock file:
// one builds, the others wait for its atomic rename.
func FromSource(ctx context.Context, root string) ([]byte, string, error) {
	fromSourceMu.Lock()
	defer fromSourceMu.Unlock()
	goVer, err := GoVersion(ctx, "")
	if err != nil {
		return nil, "", err
	}
	key, err := SourceKey(root, goVer)
	if err != nil {
		return nil, "", err
	}
	dir, err := CacheDir()
	if err != nil {
		return nil, "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, "", fmt.Errorf("wasmbuild: %w", err)
	}
	path := filepath.Join(dir, key+".wasm")
	lock := path + ".lock"
	for {
		if b, err := os.ReadFile(path); err == nil {
			if IsWasm(b) {
				now := time.Now()
				os.Chtimes(path, now, now) // used: Prune keeps the recently used
				return b, path, nil
			}
			os.Remove(path) // not ours or damaged: rebuild
		}
		f, err := os.OpenFile(lock, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintf(f, "%d\n", os.Getpid())
			f.Close()
			b, err := buildLocked(ctx, root, path, lock)
			os.Remove(lock)
			if err == nil {
				Prune(dir, ".wasm", time.Now()) // the modules of earlier sources
			}
			return b, path, err
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, "", fmt.Errorf("wasmbuild: %w", err)
		}
		// Someone else is building. A lock nobody has touched for a while
		// belongs to a process that died.
		if st, err := os.Stat(lock); err == nil && time.Since(st.ModTime()) > staleLock {
			os.Remove(lock)
			continue
		}
		select {
		case <-ctx.Done():
			return nil, "", fmt.Errorf("wasmbuild: waiting for another build of %s: %w", path, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// staleLock is how long a lock file may go untouched; builders touch theirs
// every staleLock/4.
const staleLock = 2 * time.Minute

func buildLocked(ctx context.Context, root, path, lock string) ([]byte, error) {
	done := make(chan struct{})
	defer close(done)
	go func() {
		t := time.NewTicker(staleLock / 4)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				os.Chtimes(lock, now, now)
			}
		}
	}()
	if _, err := Build(ctx, Options{Root: root, Out: path}); err != nil {
		return nil, err
	}
	return os.ReadFile(path)
}

// IsWasm reports whether b starts like a WebAssembly binary.
func IsWasm(b []byte) bool { return bytes.HasPrefix(b, []byte("\x00asm\x01\x00\x00\x00")) }

// EnvModule names a module file that Load uses instead of the embedded or
// source-built one (a plugin author's build, a CI artifact).
const EnvModule = "FRONTGATE_WASM"

// Load returns the module the host should run: the file named by
// FRONTGATE_WASM if set, else the embedded module of a release build, else
// one built from the checkout at or above the working directory. The string
// says where it came from, for the log.
func Load(ctx context.Context) ([]byte, string, error) {
	if p := os.Getenv(EnvModule); p != "" {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, "", fmt.Errorf("wasmbuild: %s: %w", EnvModule, err)
		}
		if !IsWasm(b) {
			return nil, "", fmt.Errorf("wasmbuild: %s=%s is not a WebAssembly module", EnvModule, p)
		}
		return b, p, nil
	}
	if len(embedded) > 0 {
		return embedded, "embedded", nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, "", fmt.Errorf("wasmbuild: %w", err)
	}
	root, err := FindRoot(wd)
	if err != nil {
		return nil, "", fmt.Errorf("wasmbuild: no frontgate.wasm: this binary has none embedded (build with -tags frontgate_embed after `go run ./build -embed`), %s is unset, and %w", EnvModule, err)
	}
	b, path, err := FromSource(ctx, root)
	if err != nil {
		return nil, "", err
	}
	return b, path, nil
}

// Embedded reports whether this binary carries the module.
func Embedded() bool { return len(embedded) > 0 }

// purePackages returns the packages of this module that the shim links
// and that jumps may prune (jumps.Options.Pure): those without assembly
// files for wasip1/wasm, whose name-section spelling no other linked
// package's could be taken for, as go list reports them.
func purePackages(ctx context.Context, o Options) ([]string, error) {
	cmd := exec.CommandContext(ctx, goCmd(o.Go), "list", "-deps", "-f", "{{.ImportPath}} {{len .SFiles}}", Package)
	cmd.Dir = o.Root
	cmd.Env = append(append(os.Environ(), Env...), o.ExtraEnv...)
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		return nil, fmt.Errorf("wasmbuild: go list -deps %s: %w\n%s", Package, err, stderr)
	}
	var all, mine []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, sfiles, ok := strings.Cut(line, " ")
		if !ok {
			return nil, fmt.Errorf("wasmbuild: go list: unexpected line %q", line)
		}
		all = append(all, path)
		if strings.HasPrefix(path, ModulePath+"/") && sfiles == "0" {
			mine = append(mine, path)
		}
	}
	return pureOf(mine, all), nil
}

// pureOf returns the packages of mine whose functions' names cannot be
// mistaken for those of another package in all: no other package's
// LinkerName, with the dot after it, starts with theirs with its dot.
func pureOf(mine, all []string) []string {
	var pure []string
	for _, p := range mine {
		prefix := jumps.LinkerName(p) + "."
		ok := true
		for _, q := range all {
			if q != p && strings.HasPrefix(jumps.LinkerName(q)+".", prefix) {
				ok = false
				break
			}
		}
		if ok {
			pure = append(pure, p)
		}
	}
	return pure
}
