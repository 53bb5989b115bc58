package wasmrt

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/frontgate/frontgate/build/wasmbuild/jumps"
)

// BenchmarkGuestFloor measures, under the same wazero configuration as the
// pool, what a standard-Go guest pays for the building blocks of any
// operation, independent of frontgate's code (testdata/floor):
//
//	go test -run '^$' -bench GuestFloor ./host/internal/wasmrt
//
// The same Go functions run natively in BenchmarkGuestFloorNative, in the
// floor package built for the host (testdata/floor has no build tags).
func BenchmarkGuestFloor(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	wasm := filepath.Join(dir, "floor.wasm")
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-buildmode=c-shared", "-trimpath", "-o", wasm, ".")
	cmd.Dir = filepath.Join("testdata", "floor")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("building the floor guest: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(wasm)
	if err != nil {
		b.Fatal(err)
	}
	// As go build makes it, and as build/wasmbuild ships it.
	rewritten, _, err := jumps.Rewrite(raw)
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range []struct {
		name string
		bin  []byte
	}{{"raw", raw}, {"jumps", rewritten}} {
		b.Run(m.name, func(b *testing.B) { floorCases(ctx, b, m.bin) })
	}
}

func floorCases(ctx context.Context, b *testing.B, bin []byte) {
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler().WithCloseOnContextDone(false))
	defer rt.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	mod, err := rt.InstantiateWithConfig(ctx, bin, wazero.NewModuleConfig().WithStartFunctions("_initialize"))
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name, fn string
		arg      uint64
		want     uint64
	}{
		{"call", "nop", 0, 0},
		{"100-allocs", "allocs", 100, 100},
		{"1000-iterations", "loop", 1000, uint64(loop(1000))},
		{"1000-calls", "calls", 1000, uint64(loop(1000))},
		{"scan-1600-bytes", "scan", 1600, 160},
	} {
		f := mod.ExportedFunction(c.fn)
		b.Run(c.name, func(b *testing.B) {
			var args []uint64
			if c.fn != "nop" {
				args = []uint64{c.arg}
			}
			for b.Loop() {
				r, err := f.Call(ctx, args...)
				if err != nil || r[0] != c.want {
					b.Fatalf("%s(%d) = %v, %v; want %d", c.fn, c.arg, r, err, c.want)
				}
			}
		})
	}
}

// loop is testdata/floor's Loop, for the expected result and the native
// figure.
func loop(n uint32) uint32 {
	var s uint32
	for i := uint32(0); i < n; i++ {
		s = s*31 + i
	}
	return s
}

var floorSink [][]byte

func BenchmarkGuestFloorNative(b *testing.B) {
	b.Run("100-allocs", func(b *testing.B) {
		for b.Loop() {
			floorSink = floorSink[:0]
			for range 100 {
				floorSink = append(floorSink, make([]byte, 64))
			}
		}
	})
	b.Run("scan-1600-bytes", func(b *testing.B) {
		text := make([]byte, 1600)
		for i := range text {
			text[i] = "abc\"defgh,"[i%10]
		}
		for b.Loop() {
			q := 0
			for _, c := range text {
				if c == '"' {
					q++
				}
			}
			if q != 160 {
				b.Fatal(q)
			}
		}
	})
	b.Run("1000-iterations", func(b *testing.B) {
		var s uint32
		for b.Loop() {
			s += loop(1000)
		}
		if s == 1 {
			b.Log(s)
		}
	})
	b.Run("1000-calls", func(b *testing.B) {
		var s uint32
		for b.Loop() {
			for i := uint32(0); i < 1000; i++ {
				s = floorStep(s, i)
			}
		}
		if s == 1 {
			b.Log(s)
		}
	})
}

// floorStep is testdata/floor's step.
//
//go:noinline
func floorStep(s, i uint32) uint32 { return s*31 + i }
