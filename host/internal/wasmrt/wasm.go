package wasmrt

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/frontgate/frontgate/build/wasmbuild"
	"github.com/frontgate/frontgate/plugin/abi"
)

// WasmConfig configures a Wasm. Start from NewWasmConfig.
type WasmConfig struct {
	// PoolSize is how many initialised instances run calls in parallel.
	// An instance runs one call at a time. Default: runtime.GOMAXPROCS(0).
	PoolSize int
	// MemoryLimitPages caps each instance's linear memory, in 64 KiB pages.
	// A call that needs more traps, and the instance is replaced.
	MemoryLimitPages uint32
	// RecyclePages: an instance whose memory grew past this many pages
	// during a call is replaced after it (in the background). WebAssembly
	// memory never shrinks, so without this one pathological input would
	// pin tens of MiB per instance for the life of the process.
	RecyclePages uint32
	// CacheDir holds wazero's compiled code across processes, so only the
	// first start after a change compiles the module (seconds; later starts
	// take tens of milliseconds). Empty disables the on-disk cache.
	// NewWasm prunes it (wasmbuild.PruneTree): files of wazero's
	// subdirectories beyond the newest few and older than two weeks go.
	// Give it a directory of its own.
	CacheDir string
	// Logger receives the module's stdout and stderr (one record per line)
	// and every trap with its id. Default: discard.
	Logger *slog.Logger
	// RequiredOps are the operations the host will call; NewWasm refuses
	// a module whose manifest lacks one. Default: every abi.Operations name.
	RequiredOps []string
}

// Memory defaults. An instance starts at about 4 MiB (64 pages) and stays
// there for ordinary inputs; the worst input of abi.MaxInput bytes (an
// array of half a million one-digit numbers) peaks at 856 pages (53.5 MiB),
// so the limit leaves room for it and recycling gives the memory back.
const (
	DefaultMemoryLimitPages = 1024 // 64 MiB
	DefaultRecyclePages     = 256  // 16 MiB
)

// NewWasmConfig returns the defaults: a pool of GOMAXPROCS instances, the
// memory defaults above, the compilation cache under
// os.UserCacheDir()/frontgate/wazero.
func NewWasmConfig() WasmConfig {
	c := WasmConfig{
		PoolSize:         runtime.GOMAXPROCS(0),
		MemoryLimitPages: DefaultMemoryLimitPages,
		RecyclePages:     DefaultRecyclePages,
	}
	if d, err := os.UserCacheDir(); err == nil {
		c.CacheDir = filepath.Join(d, "frontgate", "wazero")
	}
	for _, op := range abi.Operations {
		c.RequiredOps = append(c.RequiredOps, op.Name)
	}
	return c
}

// Wasm is the core running as frontgate.wasm under wazero: a pool of
// instances of one compiled module. See plugin/ABI.md.
type Wasm struct {
	cfg      WasmConfig
	log      *slog.Logger
	rt       wazero.Runtime
	cache    wazero.CompilationCache
	compiled wazero.CompiledModule
	version  uint32 // the module's packed ABI version
	ops      map[string]bool

	pool    chan *instance // idle instances; nil entries are slots to refill
	closing chan struct{}
	once    sync.Once
	wg      sync.WaitGroup // replacements in flight
	nextID  atomic.Uint64

	replaced  atomic.Uint64
	recycled  atomic.Uint64
	abandoned atomic.Uint64
}

const pageSize = 65536

// LoadWasm finds the module with wasmbuild.Load (FRONTGATE_WASM, the
// embedded copy, or a build from the checkout) and starts it.
func LoadWasm(ctx context.Context, cfg WasmConfig) (*Wasm, error) {
	module, from, err := wasmbuild.Load(ctx)
	if err != nil {
		return nil, err
	}
	w, err := NewWasm(ctx, module, cfg)
	if err != nil {
		return nil, err
	}
	w.log.Info("wasm core loaded", "from", from, "abi", versionString(w.version), "pool", w.cfg.PoolSize)
	return w, nil
}

// NewWasm compiles module (or takes it from the cache), checks its ABI
// version and manifest, and fills the pool with initialised, warmed
// instances.
func NewWasm(ctx context.Context, module []byte, cfg WasmConfig) (_ *Wasm, err error) {
	if cfg.PoolSize <= 0 {
		cfg.PoolSize = runtime.GOMAXPROCS(0)
	}
	if cfg.MemoryLimitPages == 0 {
		cfg.MemoryLimitPages = DefaultMemoryLimitPages
	}
	if cfg.RecyclePages == 0 {
		cfg.RecyclePages = DefaultRecyclePages
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.RequiredOps == nil {
		cfg.RequiredOps = NewWasmConfig().RequiredOps
	}
	w := &Wasm{
		cfg:     cfg,
		log:     cfg.Logger,
		pool:    make(chan *instance, cfg.PoolSize),
		closing: make(chan struct{}),
	}
	rc := wazero.NewRuntimeConfigCompiler().
		WithMemoryLimitPages(cfg.MemoryLimitPages).
		WithCloseOnContextDone(false) // deadlines: see run
	if cfg.CacheDir != "" {
		// Compiled code of modules long unused goes (a checkout makes a
		// module per change of the core); the newest stay.
		wasmbuild.PruneTree(cfg.CacheDir, time.Now())
		if w.cache, err = wazero.NewCompilationCacheWithDir(cfg.CacheDir); err != nil {
			return nil, fmt.Errorf("wasmrt: compilation cache: %w", err)
		}
		rc = rc.WithCompilationCache(w.cache)
	}
	w.rt = wazero.NewRuntimeWithConfig(ctx, rc)
	defer func() {
		if err != nil {
			w.closeRuntime()
		}
	}()
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, w.rt); err != nil {
		return nil, fmt.Errorf("wasmrt: wasi: %w", err)
	}
	if w.compiled, err = w.rt.CompileModule(ctx, module); err != nil {
		return nil, fmt.Errorf("wasmrt: compiling module: %w", err)
	}
	if err := w.checkExports(); err != nil {
		return nil, err
	}
	first, err := w.newInstance(ctx)
	if err != nil {
		return nil, err
	}
	w.pool <- first
	if err := w.checkManifest(ctx, first); err != nil {
		return nil, err
	}
	for i := 1; i < cfg.PoolSize; i++ {
		in, err := w.newInstance(ctx)
		if err != nil {
			return nil, err
		}
		w.pool <- in
	}
	return w, nil
}

// checkExports refuses modules that are not frontgate modules or whose
// operation exports have the wrong signature.
func (w *Wasm) checkExports() error {
	exports := w.compiled.ExportedFunctions()
	v, ok := exports[abi.FuncVersion]
	if !ok || len(v.ParamTypes()) != 0 || !slices.Equal(v.ResultTypes(), []api.ValueType{api.ValueTypeI32}) {
		return &VersionError{NoVersions: true}
	}
	for _, name := range []string{abi.FuncInitialize, abi.FuncAlloc, abi.FuncFree} {
		if _, ok := exports[name]; !ok {
			return fmt.Errorf("wasmrt: module lacks the %s export", name)
		}
	}
	return nil
}

// checkManifest checks the version (before anything else, so a module of
// another major is refused with a clear message) and that the manifest lists
// every required operation with an export of the operation signature.
func (w *Wasm) checkManifest(ctx context.Context, in *instance) error {
	res, err := in.mod.ExportedFunction(abi.FuncVersion).Call(ctx)
	if err != nil {
		return fmt.Errorf("wasmrt: %s: %w", abi.FuncVersion, err)
	}
	w.version = uint32(res[0])
	if major, _, _ := abi.UnpackVersion(w.version); major != abi.Major {
		return &VersionError{Module: versionString(w.version), HostMajor: abi.Major, HostMinor: abi.Minor}
	}
	out, err := in.call(ctx, abi.FuncManifest, nil)
	if err != nil {
		return fmt.Errorf("wasmrt: manifest: %w", err)
	}
	var m struct {
		OK   bool `json:"ok"`
		Data struct {
			ABI        string `json:"abi"`
			Operations []struct {
				Name string `json:"name"`
			} `json:"operations"`
		} `json:"data"`
	}
	if err := json.Unmarshal(out, &m); err != nil || !m.OK {
		return fmt.Errorf("wasmrt: manifest: unreadable result %.200q", out)
	}
	exports := w.compiled.ExportedFunctions()
	w.ops = make(map[string]bool, len(m.Data.Operations))
	for _, op := range m.Data.Operations {
		if def, ok := exports[op.Name]; ok && isOpSignature(def) {
			w.ops[op.Name] = true
		}
	}
	var missing []string
	for _, name := range w.cfg.RequiredOps {
		if !w.ops[name] {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("wasmrt: wasm module (ABI %s) lacks operations this host needs: %v", m.Data.ABI, missing)
	}
	return nil
}

func isOpSignature(def api.FunctionDefinition) bool {
	return slices.Equal(def.ParamTypes(), []api.ValueType{api.ValueTypeI32, api.ValueTypeI32}) &&
		slices.Equal(def.ResultTypes(), []api.ValueType{api.ValueTypeI64})
}

// newInstance instantiates, initialises and warms one instance.
func (w *Wasm) newInstance(ctx context.Context) (*instance, error) {
	id := w.nextID.Add(1)
	log := w.log.With("wasm_instance", id)
	cfg := wazero.NewModuleConfig().
		WithName(""). // anonymous: any number of instances
		WithStartFunctions().
		WithSysWalltime().
		WithSysNanotime().
		WithSysNanosleep().
		WithRandSource(rand.Reader).
		WithStdout(newLineLogger(log, "wasm stdout")).
		WithStderr(newLineLogger(log, "wasm stderr"))
	mod, err := w.rt.InstantiateModule(ctx, w.compiled, cfg)
	if err != nil {
		return nil, fmt.Errorf("wasmrt: instantiating: %w", err)
	}
	if _, err := mod.ExportedFunction(abi.FuncInitialize).Call(ctx); err != nil {
		mod.Close(ctx)
		return nil, fmt.Errorf("wasmrt: %s: %w", abi.FuncInitialize, err)
	}
	in := newInstance(id, mod)
	if w.ops != nil { // warm: the first call into Go code grows the heap and fills caches
		if _, err := in.call(ctx, abi.FuncManifest, nil); err != nil {
			mod.Close(ctx)
			return nil, fmt.Errorf("wasmrt: warming: %w", err)
		}
	}
	return in, nil
}

// inlineMargin is how far away a deadline must be for a call to run on the
// caller's goroutine (see run): 15 times the slowest call found, a 1 MiB
// array for validate_submit at 0.26-0.33 s on a 2-core machine
// (TestFootprint logs it). It assumes the call gets a CPU: a host starved
// for minutes could finish an inline call after its deadline, and the
// caller then has a late but correct result instead of ctx's error.
const inlineMargin = 5 * time.Second

// Call runs fn on input in a pooled instance. It waits for a free instance
// until ctx is done. After a trap, an exit, a deadline or an internal error
// inside the module, the instance is discarded and a fresh one takes its
// place in the background.
func (w *Wasm) Call(ctx context.Context, fn string, input []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("wasmrt: %s: %w", fn, err)
	}
	if !w.ops[fn] {
		return unknownOp(fn, w.version), nil
	}
	in, err := w.borrow(ctx, fn)
	if err != nil {
		return nil, err
	}
	out, err, abandoned := w.run(ctx, in, fn, input)
	if abandoned {
		return nil, fmt.Errorf("wasmrt: %s: %w", fn, ctx.Err())
	}
	if err != nil {
		w.discard(in)
		te := &TrapError{ID: trapID(), Func: fn, Err: err}
		w.log.Error("wasm trap", "trap_id", te.ID, "fn", fn, "input_bytes", len(input), "wasm_instance", in.id, "err", err)
		if ctxErr := ctx.Err(); ctxErr != nil {
			// The caller stopped waiting meanwhile: it hears why, the
			// log keeps the trap.
			return nil, fmt.Errorf("wasmrt: %s: %w", fn, ctxErr)
		}
		return nil, te
	}
	if isInternal(out) {
		// The guest recovered from a panic: its state may be inconsistent.
		w.log.Error("wasm internal error", "fn", fn, "wasm_instance", in.id, "envelope", string(out))
		w.discard(in)
		return out, nil
	}
	if in.mem.Size() > w.cfg.RecyclePages*pageSize {
		w.recycled.Add(1)
		w.discard(in)
		return out, nil
	}
	w.pool <- in
	return out, nil
}

// run calls fn in instance in and honours ctx without instrumenting the
// guest: wazero's CloseOnContextDone makes compiled code check for
// termination at every function entry, which tripled the cost of the Go
// guest's call-heavy code. Instead the call runs on its own goroutine; when
// ctx ends first, the caller gets ctx's error at once, the instance is
// abandoned (closed when its call returns, never reused) and a fresh one
// takes its slot. Operations are linear in their input, which MaxInput
// bounds, so an abandoned call ends on its own.
//
// A call whose deadline is further away than inlineMargin cannot reach it
// and runs on the caller's goroutine instead (as does one whose ctx can
// never end): the extra goroutine and the wake-up cost 6 µs a call, more
// than parse_create itself. A cancellation before such a deadline then
// waits for the call, which is microseconds for real inputs and at worst
// the slowest input's time.
func (w *Wasm) run(ctx context.Context, in *instance, fn string, input []byte) (out []byte, err error, abandoned bool) {
	if dl, ok := ctx.Deadline(); ctx.Done() == nil || (ok && time.Until(dl) > inlineMargin) {
		out, err = in.call(ctx, fn, input)
		return out, err, false
	}
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		o, e := in.call(context.Background(), fn, input)
		done <- result{o, e}
	}()
	select {
	case r := <-done:
		return r.out, r.err, false
	case <-ctx.Done():
	}
	w.abandoned.Add(1)
	w.log.Warn("wasm call abandoned at its deadline", "fn", fn, "wasm_instance", in.id, "input_bytes", len(input))
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		<-done
		in.mod.Close(context.Background())
	}()
	w.refill()
	return nil, ctx.Err(), true
}

func (w *Wasm) borrow(ctx context.Context, fn string) (*instance, error) {
	select {
	case <-w.closing:
		return nil, ErrClosed
	default:
	}
	var in *instance
	select {
	case in = <-w.pool: // a free instance: no need to wait (the usual case)
	default:
		select {
		case in = <-w.pool:
		case <-ctx.Done():
			return nil, fmt.Errorf("wasmrt: %s: waiting for an instance: %w", fn, ctx.Err())
		case <-w.closing:
			return nil, ErrClosed
		}
	}
	if in == nil { // a replacement failed earlier: try again now
		var err error
		if in, err = w.newInstance(ctx); err != nil {
			w.pool <- nil
			return nil, err
		}
	}
	return in, nil
}

// discard closes in and starts a replacement.
func (w *Wasm) discard(in *instance) {
	in.mod.Close(context.Background())
	w.refill()
}

// refill puts a fresh instance into the pool in the background, taking the
// slot of one that was discarded or abandoned.
func (w *Wasm) refill() {
	w.replaced.Add(1)
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		select {
		case <-w.closing:
			w.pool <- nil
			return
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		ni, err := w.newInstance(ctx)
		if err != nil {
			w.log.Error("wasm instance replacement failed", "err", err)
			ni = nil
		}
		w.pool <- ni
	}()
}

// Stats are counters for metrics and tests.
type Stats struct {
	PoolSize int
	Idle     int    // instances waiting for a call
	Replaced uint64 // instances discarded after a failure, or recycled
	Recycled uint64 // of Replaced, those that had only grown too large
	// Abandoned counts calls given up at their deadline (their instances
	// are among Replaced).
	Abandoned uint64
}

// Stats returns the current counters.
func (w *Wasm) Stats() Stats {
	return Stats{PoolSize: w.cfg.PoolSize, Idle: len(w.pool), Replaced: w.replaced.Load(), Recycled: w.recycled.Load(), Abandoned: w.abandoned.Load()}
}

// Version returns the module's ABI version, e.g. "1.1.1".
func (w *Wasm) Version() string { return versionString(w.version) }

// ABIVersion returns the module's ABI version packed like abi.PackedVersion.
func (w *Wasm) ABIVersion() uint32 { return w.version }

// Close waits for calls in flight to return their instances, then closes
// every instance, the runtime and the compilation cache.
func (w *Wasm) Close() error {
	var err error
	w.once.Do(func() {
		close(w.closing)
		// Every slot comes back: from calls in flight, and from
		// replacements, which put nil once closing is closed.
		for range w.cfg.PoolSize {
			if in := <-w.pool; in != nil {
				in.mod.Close(context.Background())
			}
		}
		w.wg.Wait()
		err = w.closeRuntime()
	})
	return err
}

func (w *Wasm) closeRuntime() error {
	err := w.rt.Close(context.Background())
	if w.cache != nil {
		err = errors.Join(err, w.cache.Close(context.Background()))
	}
	return err
}

// Compiled exposes the compiled module's import and export lists (for the
// ABI spec's "required imports", and diagnostics).
func (w *Wasm) Compiled() wazero.CompiledModule { return w.compiled }

var _ io.Writer = (*lineLogger)(nil)
