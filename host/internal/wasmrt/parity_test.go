package wasmrt

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/frontgate/frontgate/plugin/abi"
	"github.com/frontgate/frontgate/plugin/conformance"
)

func vectors(t testing.TB) []conformance.Vector {
	t.Helper()
	vs, err := conformance.Load(conformance.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) == 0 {
		t.Fatal("no conformance vectors")
	}
	return vs
}

func caller(c Core) conformance.Caller {
	return func(fn string, input []byte) ([]byte, error) { return c.Call(context.Background(), fn, input) }
}

// TestConformance replays every vector through the native core and the
// module under wazero.
func TestConformance(t *testing.T) {
	vs := vectors(t)
	t.Run("native", func(t *testing.T) { conformance.Run(t, vs, caller(NewNative())) })
	t.Run("wasm", func(t *testing.T) { conformance.Run(t, vs, caller(shared(t))) })
}

// edgeInputs are inputs every operation must answer identically natively
// and in the module: the ABI's corner cases rather than the domain's.
func edgeInputs() map[string][]byte {
	deep := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
	exact := append([]byte("{}"), bytes.Repeat([]byte(" "), abi.MaxInput-2)...)
	return map[string][]byte{
		"nil":               nil,
		"empty object":      []byte(`{}`),
		"array":             []byte(`[]`),
		"null":              []byte(`null`),
		"string":            []byte(`"x"`),
		"truncated":         []byte(`{"now":`),
		"invalid utf-8":     []byte("{\"payload\":\"\xff\xfe\"}"),
		"duplicate keys":    []byte(`{"now":1,"now":2}`),
		"huge number":       []byte(`{"now":1e999999}`),
		"deep nesting":      []byte(`{"a":` + deep + `}`),
		"nul byte":          []byte("{\"a\":\"\x00\"}"),
		"exactly max input": exact,
		"one over max":      append(exact, ' '),
	}
}

// TestParity runs every vector's input and the edge inputs through every
// operation, natively and in the module, and wants identical bytes.
func TestParity(t *testing.T) {
	w := shared(t)
	before := w.Stats().failed()
	ctx := context.Background()
	inputs := edgeInputs()
	for _, v := range vectors(t) {
		inputs["vector "+v.File] = []byte(v.Input)
	}
	fns := []string{"", "no_such_op", `quote"and\slash`, "ünïcödé", strings.Repeat("x", 300)}
	for _, op := range abi.Operations {
		fns = append(fns, op.Name)
	}
	n := 0
	for name, in := range inputs {
		for _, fn := range fns {
			want, _ := NewNative().Call(ctx, fn, in)
			got, err := w.Call(ctx, fn, in)
			if err != nil {
				t.Fatalf("%s(%s): %v", fn, name, err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s(%s):\n wasm: %.400s\nnative: %.400s", fn, name, got, want)
			}
			n++
		}
	}
	t.Logf("%d calls identical", n)
	if s := w.Stats(); s.failed() != before {
		t.Errorf("instances failed: %+v", s)
	}
}

// TestConcurrentParity has 16 goroutines share a pool of 2 and checks every
// answer against the native core. Run it with -race.
func TestConcurrentParity(t *testing.T) {
	w := newWasm(t, testConfig(t, 2))
	vs := vectors(t)
	ctx := context.Background()
	want := make([][]byte, len(vs))
	for i, v := range vs {
		want[i], _ = NewNative().Call(ctx, v.Func, []byte(v.Input))
	}
	rounds := 3
	if testing.Short() {
		rounds = 1
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				for k := range vs {
					i := (k + g*17 + r*5) % len(vs)
					got, err := w.Call(ctx, vs[i].Func, []byte(vs[i].Input))
					if err == nil && !bytes.Equal(got, want[i]) {
						err = fmt.Errorf("%s: wasm %.200s, native %.200s", vs[i].File, got, want[i])
					}
					if err != nil {
						errs <- fmt.Errorf("goroutine %d: %w", g, err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if s := w.Stats(); s.Replaced != 0 || s.Idle != 2 {
		t.Errorf("stats after the run: %+v", s)
	}
}
