package wasmrt

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/frontgate/frontgate/build/wasmbuild"
)

// The module is built once per checkout state (wasmbuild caches it in the
// user cache dir) and compiled once per test process; most tests share one
// pool of two instances.
var (
	moduleOnce sync.Once
	moduleB    []byte
	moduleErr  error

	sharedOnce sync.Once
	sharedW    *Wasm
	sharedErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedW != nil {
		sharedW.Close()
	}
	os.Exit(code)
}

// testModule returns frontgate.wasm built from this checkout.
func testModule(t testing.TB) []byte {
	t.Helper()
	moduleOnce.Do(func() {
		root, err := wasmbuild.FindRoot(".")
		if err != nil {
			moduleErr = err
			return
		}
		moduleB, _, moduleErr = wasmbuild.FromSource(context.Background(), root)
	})
	if moduleErr != nil {
		t.Fatal(moduleErr)
	}
	return moduleB
}

// testConfig is the default config with a pool of n and test logging.
func testConfig(t testing.TB, n int) WasmConfig {
	cfg := NewWasmConfig()
	cfg.PoolSize = n
	return cfg
}

// shared returns the process-wide pool of 2, closed by TestMain.
func shared(t testing.TB) *Wasm {
	t.Helper()
	mod := testModule(t)
	sharedOnce.Do(func() {
		sharedW, sharedErr = NewWasm(context.Background(), mod, testConfig(t, 2))
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return sharedW
}

// newWasm starts a private runtime for tests that break instances on
// purpose; it is closed with the test.
func newWasm(t testing.TB, cfg WasmConfig) *Wasm {
	t.Helper()
	w, err := NewWasm(context.Background(), testModule(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := w.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return w
}

// failed counts instances replaced for a reason other than recycling.
func (s Stats) failed() uint64 { return s.Replaced - s.Recycled }
