package wasmrt

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/frontgate/frontgate/plugin/abi"
)

// tenLineOrder returns the input of build_submit/build_create for a
// shop-neutral order of 10 lines (8 products, a fee, shipping).
func tenLineOrder(t testing.TB) map[string]any {
	t.Helper()
	var in map[string]any
	if err := json.Unmarshal([]byte(vectorInput(t, "build-create-from-an-order.json")), &in); err != nil {
		t.Fatal(err)
	}
	order := in["order"].(map[string]any)
	var lines []any
	for i := range 8 {
		lines = append(lines, map[string]any{"name": "Product " + strconv.Itoa(i+1), "sku": "SKU-" + strconv.Itoa(i+1),
			"quantity": 1 + i%3, "taxRate": []int{25, 15, 12}[i%3], "unitPrice": 4990 + 1000*i})
	}
	lines = append(lines,
		map[string]any{"kind": "fee", "name": "Gift wrap", "quantity": 1, "taxRate": 25, "unitPrice": 2900},
		map[string]any{"kind": "shipping", "name": "Frakt", "quantity": 1, "taxRate": 25, "unitPrice": 4900})
	order["lines"] = lines
	return in
}

func vectorInput(t testing.TB, file string) string {
	t.Helper()
	for _, v := range vectors(t) {
		if v.File == file {
			return v.Input
		}
	}
	t.Fatalf("no vector %s", file)
	return ""
}

func mustJSON(t testing.TB, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// hot is one input of the hot operations.
type hot struct {
	name  string // fn, or fn~variant
	fn    string
	in    []byte
	since uint32 // the packed ABI version the input needs
}

// hotInputs are the hot operations: validate a 10-line submit
// payload, build a create payload from a 10-line order, parse a create and
// a details response. The parse operations get their body as the JSON value
// itself, as the host sends it (ParseInput, ABI 1.1); the "~text" variants
// are the same answers with the body as a JSON string, the ABI 1.0 form.
func hotInputs(t testing.TB) []hot {
	order := tenLineOrder(t)
	// The submit payload to validate is what build_submit makes of the order.
	sub := order
	delete(sub["order"].(map[string]any), "successUrl")
	delete(sub["order"].(map[string]any), "failureUrl")
	env, err := DecodeEnvelope(mustCall(t, abi.FuncBuildSubmit, mustJSON(t, sub)))
	if err != nil || !env.OK {
		t.Fatalf("build_submit of the 10-line order: %v %+v", err, env.Error)
	}
	var built struct{ Body json.RawMessage }
	json.Unmarshal(env.Data, &built)
	validate := []byte(`{"now":1724294524,"payload":` + string(built.Body) + `}`)
	order = tenLineOrder(t)
	const v10, v11 = 1 << 16, abi.ParsedBodySince
	hs := []hot{
		{abi.FuncValidateSubmit, abi.FuncValidateSubmit, validate, v10},
		{abi.FuncBuildCreate, abi.FuncBuildCreate, mustJSON(t, order), v10},
	}
	for _, p := range []struct{ fn, vector string }{
		{abi.FuncParseCreate, "parse-create-201-success.json"},
		{abi.FuncParseDetails, "parse-details-200-concrete.json"},
	} {
		text := []byte(vectorInput(t, p.vector))
		var a struct {
			Status int
			Body   string
		}
		if err := json.Unmarshal(text, &a); err != nil {
			t.Fatal(err)
		}
		asJSON, ok := ParseInput(NewNative(), Answer{Status: a.Status, Body: []byte(a.Body)})
		if !ok {
			t.Fatalf("%s: the body did not go in as JSON", p.vector)
		}
		hs = append(hs, hot{p.fn, p.fn, asJSON, v11}, hot{p.fn + "~text", p.fn, text, v10})
	}
	return hs
}

func mustCall(t testing.TB, fn string, in []byte) []byte {
	out, _ := NewNative().Call(context.Background(), fn, in)
	return out
}

// BenchmarkOps compares the module under wazero with the native core on the
// hot operations, side by side:
//
//	go test -run '^$' -bench Ops -benchmem ./host/internal/wasmrt
func BenchmarkOps(b *testing.B) {
	ctx := context.Background()
	w := shared(b)
	for _, h := range hotInputs(b) {
		if env, err := DecodeEnvelope(mustCall(b, h.fn, h.in)); err != nil || !env.OK {
			b.Fatalf("%s input is not a success case: %s", h.fn, mustCall(b, h.fn, h.in))
		}
		for _, impl := range []struct {
			name string
			core Core
		}{{"wasm", w}, {"native", NewNative()}} {
			b.Run(h.name+"/"+impl.name, func(b *testing.B) {
				b.SetBytes(int64(len(h.in)))
				for b.Loop() {
					if _, err := impl.core.Call(ctx, h.fn, h.in); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkParallel drives the pool of 2 from GOMAXPROCS goroutines.
func BenchmarkParallel(b *testing.B) {
	w := shared(b)
	h := hotInputs(b)[1]
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := w.Call(context.Background(), h.fn, h.in); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestFootprint measures what BENCHMARKS.md reports besides call costs:
// module size, compile time cold and from the on-disk cache, instance
// start-up, memory per instance and process RSS with a pool of 2.
//
//	FRONTGATE_MEASURE=1 go test -run Footprint -v ./host/internal/wasmrt
func TestFootprint(t *testing.T) {
	if os.Getenv("FRONTGATE_MEASURE") != "1" {
		t.Skip("set FRONTGATE_MEASURE=1")
	}
	ctx := context.Background()
	mod := testModule(t)
	t.Logf("module size: %d bytes (%.2f MiB)", len(mod), float64(len(mod))/(1<<20))
	t.Logf("RSS before any runtime: %s", rss())

	// First, in a process that has compiled nothing yet: a pool of 2 from
	// the on-disk cache, as the sidecar starts.
	runtime.GC()
	start := time.Now()
	w := newWasm(t, testConfig(t, 2))
	t.Logf("NewWasm, pool of 2, from the on-disk cache (compile + 2 instances + checks): %v", time.Since(start))
	for _, h := range hotInputs(t) {
		w.Call(ctx, h.fn, h.in)
	}
	runtime.GC()
	t.Logf("process RSS with the pool of 2 (test binary included): %s", rss())

	cache := t.TempDir()
	compile := func() time.Duration {
		c, err := wazero.NewCompilationCacheWithDir(cache)
		if err != nil {
			t.Fatal(err)
		}
		rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler().WithCompilationCache(c))
		start := time.Now()
		if _, err := rt.CompileModule(ctx, mod); err != nil {
			t.Fatal(err)
		}
		d := time.Since(start)
		rt.Close(ctx)
		c.Close(ctx)
		return d
	}
	t.Logf("compile, cold (empty cache): %v", compile())
	var warm []string
	for range 5 {
		warm = append(warm, compile().Round(time.Millisecond).String())
	}
	t.Logf("compile, warm on-disk cache (new runtime each): %s", strings.Join(warm, " "))

	var inits []string
	for range 5 {
		s := time.Now()
		in, err := w.newInstance(ctx)
		if err != nil {
			t.Fatal(err)
		}
		inits = append(inits, time.Since(s).Round(10*time.Microsecond).String())
		in.mod.Close(ctx)
	}
	t.Logf("instance: instantiate + _initialize + warm-up call: %s", strings.Join(inits, " "))

	for _, h := range hotInputs(t) { // touch every hot path once
		w.Call(ctx, h.fn, h.in)
		w.Call(ctx, h.fn, h.in)
	}
	in := <-w.pool
	pages := in.mem.Size() / pageSize
	w.pool <- in
	t.Logf("linear memory per instance after the hot operations: %d pages (%.1f MiB)", pages, float64(pages)/16)

	// The slowest inputs found, which bound a call's time (inlineMargin).
	for _, c := range slowInputs() {
		s := time.Now()
		if _, err := w.Call(ctx, c.fn, c.in); err != nil {
			t.Fatal(err)
		}
		t.Logf("slow input: %s of %s (%d bytes): %v", c.fn, c.what, len(c.in), time.Since(s).Round(time.Millisecond))
	}
}

// slowInputs are the slowest inputs found for any operation: the largest
// input each guest phase can be made to work through.
func slowInputs() []struct {
	fn, what string
	in       []byte
} {
	var lines []string
	for n := 0; n < abi.MaxInput-4000; {
		l := `{"name":"P` + strconv.Itoa(len(lines)) + `","sku":"S","quantity":1,"taxRate":25,"unitPrice":100}`
		lines = append(lines, l)
		n += len(l) + 1
	}
	order := `{"now":1724294524,"order":{"customer":{"type":"private","name":"Kari","email":"k@e.no",` +
		`"countryCode":"+47","msisdn":"46567468"},"lines":[` + strings.Join(lines, ",") + `]}}`
	return []struct {
		fn, what string
		in       []byte
	}{
		{abi.FuncValidateSubmit, "a 1 MiB array of numbers", bigArray(abi.MaxInput)},
		{abi.FuncValidateSubmit, "a 1 MiB string of 2-byte characters", []byte(`{"a":"` + strings.Repeat("é", (abi.MaxInput-10)/2) + `"}`)},
		{abi.FuncBuildCreate, "a 1 MiB order", []byte(order)},
	}
}

func rss() string {
	b, err := os.ReadFile(filepath.Join("/proc", "self", "status"))
	if err != nil {
		return "n/a"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			return strings.TrimSpace(strings.TrimPrefix(line, "VmRSS:"))
		}
	}
	return "n/a"
}

// TestWriteHotInputs writes BenchmarkOps's inputs, one <operation>.json
// each, into $FRONTGATE_HOT_INPUTS, so examples/node/bench.mjs times the
// same calls under Node's V8.
func TestWriteHotInputs(t *testing.T) {
	dir := os.Getenv("FRONTGATE_HOT_INPUTS")
	if dir == "" {
		t.Skip("set FRONTGATE_HOT_INPUTS to a directory")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, h := range hotInputs(t) {
		if err := os.WriteFile(filepath.Join(dir, h.name+".json"), h.in, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCompareModules times the hot operations in two or more builds of the
// module, loaded side by side in one runtime and called in alternating
// rounds, which is steadier than separate benchmark runs on a shared
// machine:
//
//	FRONTGATE_AB=/tmp/old.wasm,build/out/frontgate.wasm go test -run CompareModules -v ./host/internal/wasmrt
//
// Each module's line gives the median round, the mean over all its calls
// and the best round. Rounds are long (about 50 ms each), so that each
// module's own garbage collection is inside them: the guest's collector
// marks only while the guest allocates (no other goroutine runs between
// export calls), so a cycle can stay in its marking phase, write barriers
// on, for thousands of calls, and a short round tells more about where a
// module's cycle happened to be than about the module (a build that
// allocates less was 25 % slower on parse_create in every one of 60 short
// rounds and 13 % faster over long ones; BENCHMARKS.md, tenth session).
//
// FRONTGATE_AB_ROUNDS=n sets the number of rounds (default 12);
// FRONTGATE_AB_OPS, a regular expression, picks the inputs by name
// (parse_details, parse_details~text, …).
func TestCompareModules(t *testing.T) {
	paths, ins := modulesFrom(t, "FRONTGATE_AB")
	ctx := context.Background()
	oldest := abi.PackedVersion
	for i, in := range ins {
		res, err := in.mod.ExportedFunction(abi.FuncVersion).Call(ctx)
		if err != nil {
			t.Fatalf("%s: %v", paths[i], err)
		}
		oldest = min(oldest, uint32(res[0]))
	}
	rounds := 12
	if n, err := strconv.Atoi(os.Getenv("FRONTGATE_AB_ROUNDS")); err == nil && n > 1 {
		rounds = n
	}
	only, err := regexp.Compile(os.Getenv("FRONTGATE_AB_OPS"))
	if err != nil {
		t.Fatalf("FRONTGATE_AB_OPS: %v", err)
	}
	for _, h := range hotInputs(t) {
		if !only.MatchString(h.name) {
			continue
		}
		if h.since > oldest {
			t.Logf("%s: skipped, a module speaks ABI %s", h.name, versionString(oldest))
			continue
		}
		// Builds that differ in speed must not differ in what they answer.
		var first []byte
		for i, in := range ins {
			out, err := in.call(ctx, h.fn, h.in)
			if err != nil || !strings.HasPrefix(string(out), `{"ok":true`) {
				t.Fatalf("%s in %s: %v %.200s", h.fn, paths[i], err, out)
			}
			if i == 0 {
				first = bytes.Clone(out)
			} else if !bytes.Equal(out, first) {
				t.Fatalf("%s: %s answers\n%s\n%s answers\n%s", h.fn, paths[0], first, paths[i], out)
			}
		}
		// About 50 ms a round, from the time of a few warm calls.
		t0 := time.Now()
		for range 20 {
			ins[0].call(ctx, h.fn, h.in)
		}
		calls := max(50, int(50*time.Millisecond/max(time.Since(t0)/20, time.Microsecond)))
		per := make([][]time.Duration, len(ins))
		total := make([]time.Duration, len(ins))
		for range rounds {
			for i, in := range ins {
				t0 := time.Now()
				for range calls {
					if _, err := in.call(ctx, h.fn, h.in); err != nil {
						t.Fatalf("%s in %s: %v", h.fn, paths[i], err)
					}
				}
				d := time.Since(t0)
				total[i] += d
				per[i] = append(per[i], d/time.Duration(calls))
			}
		}
		line := h.name
		for i := range ins {
			slices.Sort(per[i])
			r := func(d time.Duration) string { return d.Round(10 * time.Nanosecond).String() }
			line += "  " + filepath.Base(paths[i]) + " median " + r(per[i][len(per[i])/2]) +
				" mean " + r(total[i]/time.Duration(rounds*calls)) + " best " + r(per[i][0])
		}
		t.Log(line)
	}
}

// TestCollectorCatchesUp shows, for each module given, how parse_create
// runs right after calls that allocate enough to start a collection:
// chunks of 500 calls, one line per trial (each trial allocates more
// first, so that a cycle is caught at a different point). parse_create
// allocates nothing, so without the shim's periodic yield nothing but
// allocating calls would advance a cycle, and the calls after one ran with
// write barriers on until the next allocating call (BENCHMARKS.md,
// eleventh session).
//
//	FRONTGATE_GC=/tmp/old.wasm,build/out/frontgate.wasm go test -run CollectorCatchesUp -v ./host/internal/wasmrt
func TestCollectorCatchesUp(t *testing.T) {
	paths, ins := modulesFrom(t, "FRONTGATE_GC")
	ctx := context.Background()
	var parseCreate []byte
	for _, h := range hotInputs(t) {
		if h.name == "parse_create" {
			parseCreate = h.in
		}
	}
	// A body with many field errors: each call allocates their messages.
	allocating := []byte(`{"payload":{"customerDetails":{"type":"x"},"products":{"0":{"name":1},"1":{"name":2}}}}`)
	for i, in := range ins {
		p := paths[i]
		for trial := range 6 {
			for range 3000 + 1777*trial {
				if out, err := in.call(ctx, "validate_submit", allocating); err != nil || isInternal(out) {
					t.Fatalf("%s: %v %s", p, err, out)
				}
			}
			line := filepath.Base(p) + " trial " + strconv.Itoa(trial) + ", µs per call:"
			for range 12 {
				t0 := time.Now()
				for range 500 {
					if _, err := in.call(ctx, "parse_create", parseCreate); err != nil {
						t.Fatalf("%s: %v", p, err)
					}
				}
				line += " " + strconv.FormatFloat(float64(time.Since(t0).Nanoseconds())/500/1000, 'f', 2, 64)
			}
			t.Log(line)
		}
	}
}

// modulesFrom instantiates the module files the environment variable env
// lists (comma-separated) in one runtime of the pool's configuration,
// closed when the test ends; the test is skipped when env is unset.
func modulesFrom(t *testing.T, env string) ([]string, []*instance) {
	t.Helper()
	spec := os.Getenv(env)
	if spec == "" {
		t.Skip("set " + env + " to a comma-separated list of .wasm files")
	}
	paths := strings.Split(spec, ",")
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler().WithCloseOnContextDone(false))
	t.Cleanup(func() { rt.Close(ctx) })
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	var ins []*instance
	for i, p := range paths {
		bin, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		mod, err := rt.InstantiateWithConfig(ctx, bin, wazero.NewModuleConfig().
			WithName("m"+strconv.Itoa(i)).WithStartFunctions("_initialize"))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		ins = append(ins, newInstance(uint64(i), mod))
	}
	return paths, ins
}
