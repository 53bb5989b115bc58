package wasmrt

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontgate/frontgate/plugin/abi"
	"github.com/tetratelabs/wazero/api"
)

// raw borrows an instance and runs f on the module directly, with the pool's
// rules: an error discards the instance.
func raw(t *testing.T, w *Wasm, f func(ctx context.Context, in *instance) error) error {
	t.Helper()
	ctx := context.Background()
	in, err := w.borrow(ctx, "raw")
	if err != nil {
		t.Fatal(err)
	}
	if err := f(ctx, in); err != nil {
		w.discard(in)
		return err
	}
	w.pool <- in
	return nil
}

// rawOp calls an operation export with any pointer and length.
func rawOp(ctx context.Context, in *instance, fn string, ptr, size uint32) ([]byte, error) {
	res, err := in.mod.ExportedFunction(fn).Call(ctx, api.EncodeU32(ptr), api.EncodeU32(size))
	if err != nil {
		return nil, err
	}
	rptr, rlen := abi.Unpack(res[0])
	b, ok := in.mem.Read(rptr, rlen)
	if !ok {
		return nil, errors.New("result outside memory")
	}
	out := bytes.Clone(b)
	_, err = in.free.Call(ctx, api.EncodeU32(rptr))
	return out, err
}

func code(t *testing.T, out []byte) string {
	t.Helper()
	env, err := DecodeEnvelope(out)
	if err != nil {
		t.Fatal(err)
	}
	if env.OK {
		return "ok"
	}
	return env.Error.Code
}

// TestBadPointers feeds the exports pointers and lengths no correct host
// would: the shim refuses them with envelopes, and the instance stays.
func TestBadPointers(t *testing.T) {
	w := newWasm(t, testConfig(t, 1))
	err := raw(t, w, func(ctx context.Context, in *instance) error {
		res, err := in.alloc.Call(ctx, 16)
		if err != nil {
			return err
		}
		buf := uint32(res[0])
		in.mem.Write(buf, []byte(`{     }`)) // 7 bytes; manifest takes no members (ABI 1.2)
		cases := []struct {
			name      string
			ptr, size uint32
			want      string
		}{
			{"beyond memory", 0xffff_ff00, 100, abi.CodeBadInput},
			{"null pointer", 0, 10, abi.CodeBadInput},
			{"longer than allocated", buf, 17, abi.CodeBadInput},
			{"inside an allocation", buf + 1, 4, abi.CodeBadInput},
			{"huge length", 0xffff_ff00, 0xffff_ffff, abi.CodeTooLarge},
			{"null, huge length", 0, abi.MaxInput + 1, abi.CodeTooLarge},
			{"allocated", buf, 7, "ok"},
		}
		for _, tc := range cases {
			out, err := rawOp(ctx, in, abi.FuncManifest, tc.ptr, tc.size)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if got := code(t, out); got != tc.want {
				t.Errorf("%s: %s, want %s: %s", tc.name, got, tc.want, out)
			}
		}
		for _, p := range []uint32{0, 0xdead_beef, buf, buf} { // unknown, then a double free
			if _, err := in.free.Call(ctx, api.EncodeU32(p)); err != nil {
				t.Fatalf("free(%#x): %v", p, err)
			}
		}
		for _, n := range []uint32{0, abi.MaxInput + 1, 0xffff_ffff} {
			res, err := in.alloc.Call(ctx, api.EncodeU32(n))
			if err != nil || res[0] != 0 {
				t.Errorf("alloc(%d) = %v, %v; want 0", n, res, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Call(context.Background(), abi.FuncManifest, nil); err != nil || w.Stats().Replaced != 0 {
		t.Fatalf("after bad pointers: %v, %+v", err, w.Stats())
	}
}

// logBuffer collects log records for assertions.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitReplaced waits for the background replacement of n instances.
func waitHealthy(t *testing.T, w *Wasm, replaced uint64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := w.Stats()
		if s.Replaced >= replaced && s.Idle == s.PoolSize {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("pool not healthy: %+v", s)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestGuestTrap drives the guest into a real trap: a host that never frees
// makes the Go runtime in the module run out of memory and exit. The
// instance is replaced, the module's stderr reaches the log, and the next
// call works.
func TestGuestTrap(t *testing.T) {
	var logs logBuffer
	cfg := testConfig(t, 1)
	cfg.MemoryLimitPages = 128
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	w := newWasm(t, cfg)
	err := raw(t, w, func(ctx context.Context, in *instance) error {
		for range 1000 {
			if _, err := in.alloc.Call(ctx, abi.MaxInput); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		t.Fatal("allocating 1000 MiB did not trap")
	}
	t.Logf("trap: %v", err)
	waitHealthy(t, w, 1)
	if out, err := w.Call(context.Background(), abi.FuncManifest, nil); err != nil || code(t, out) != "ok" {
		t.Fatalf("after the trap: %s, %v", out, err)
	}
	if !strings.Contains(logs.String(), "out of memory") {
		t.Errorf("the guest's stderr is not in the log:\n%s", logs.String())
	}
}

// bigArray is a valid object of n bytes that costs the parser the most
// memory per byte: a long array of one-digit numbers.
func bigArray(n int) []byte {
	b := make([]byte, 0, n)
	b = append(b, `{"a":[0`...)
	for len(b) < n-4 {
		b = append(b, ",0"...)
	}
	return append(b, "]}"...)
}

// TestCallTrap makes an operation exceed a small memory limit through the
// ordinary Call: the caller gets a TrapError with an id that is logged, and
// the pool recovers.
func TestCallTrap(t *testing.T) {
	var logs logBuffer
	cfg := testConfig(t, 1)
	cfg.MemoryLimitPages = 80
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	w := newWasm(t, cfg)
	_, err := w.Call(context.Background(), abi.FuncValidateSubmit, bigArray(abi.MaxInput))
	var te *TrapError
	if !errors.As(err, &te) || !errors.Is(err, ErrTrap) {
		t.Fatalf("err = %v, want a TrapError", err)
	}
	if !strings.Contains(logs.String(), "trap_id="+te.ID) {
		t.Errorf("trap id %s not logged:\n%s", te.ID, logs.String())
	}
	waitHealthy(t, w, 1)
	if _, err := w.Call(context.Background(), abi.FuncManifest, nil); err != nil {
		t.Fatal(err)
	}
}

// TestLargestInput: with the default memory limit the worst-case input of
// abi.MaxInput bytes is answered, not trapped, and the instance that grew
// for it is recycled.
func TestLargestInput(t *testing.T) {
	w := newWasm(t, testConfig(t, 1))
	for _, in := range [][]byte{bigArray(abi.MaxInput), []byte(`{"a":"` + strings.Repeat("é", (abi.MaxInput-10)/2) + `"}`)} {
		got, err := w.Call(context.Background(), abi.FuncValidateSubmit, in)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := NewNative().Call(context.Background(), abi.FuncValidateSubmit, in)
		if !bytes.Equal(got, want) {
			t.Errorf("wasm %.300s\nnative %.300s", got, want)
		}
	}
	waitHealthy(t, w, 1)
	if s := w.Stats(); s.Recycled != 1 || s.Replaced != 1 {
		t.Errorf("stats: %+v, want one instance recycled (the array), none replaced otherwise", s)
	}
}

func TestDeadline(t *testing.T) {
	t.Run("already expired", func(t *testing.T) {
		w := shared(t)
		before := w.Stats()
		ctx, cancel := context.WithTimeout(context.Background(), -time.Second)
		defer cancel()
		_, err := w.Call(ctx, abi.FuncManifest, nil)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v", err)
		}
		if after := w.Stats(); after != before {
			t.Errorf("stats changed: %+v -> %+v", before, after)
		}
	})
	t.Run("waiting for an instance", func(t *testing.T) {
		w := newWasm(t, testConfig(t, 1))
		held, _ := w.borrow(context.Background(), "hold")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		_, err := w.Call(ctx, abi.FuncManifest, nil)
		w.pool <- held
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "waiting for an instance") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("during a call", func(t *testing.T) {
		w := newWasm(t, testConfig(t, 1))
		in := bigArray(abi.MaxInput)
		for i := 0; ; i++ {
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Microsecond)
			_, err := w.Call(ctx, abi.FuncValidateSubmit, in)
			cancel()
			if err != nil {
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("err = %v", err)
				}
				break
			}
			if i == 20 {
				t.Skip("calls finish before 500µs on this machine")
			}
		}
		if s := w.Stats(); s.Abandoned != 1 {
			t.Errorf("stats: %+v, want one abandoned call", s)
		}
		waitHealthy(t, w, 1)
		if _, err := w.Call(context.Background(), abi.FuncManifest, nil); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("far away", func(t *testing.T) {
		// Runs on the caller's goroutine (see run); a cancellation
		// during the call does not abandon it, and the result stands.
		w := newWasm(t, testConfig(t, 1))
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		in := bigArray(abi.MaxInput)
		want, _ := NewNative().Call(context.Background(), abi.FuncValidateSubmit, in)
		go cancel()
		got, err := w.Call(ctx, abi.FuncValidateSubmit, in)
		if err == nil && !bytes.Equal(got, want) {
			t.Errorf("wasm %.200s\nnative %.200s", got, want)
		}
		if err != nil && !errors.Is(err, context.Canceled) { // cancelled before the call began
			t.Fatalf("err = %v", err)
		}
		if s := w.Stats(); s.Abandoned != 0 {
			t.Errorf("stats: %+v, want no abandoned call", s)
		}
	})
}

func TestInternalEnvelopeReplaces(t *testing.T) {
	if !isInternal([]byte(`{"ok":false,"error":{"code":"internal","message":"x: internal error: boom","fields":[]}}`)) ||
		isInternal([]byte(`{"ok":false,"error":{"code":"bad_input","message":"internal","fields":[]}}`)) {
		t.Fatal("isInternal misclassifies")
	}
}

func TestClose(t *testing.T) {
	w, err := NewWasm(context.Background(), testModule(t), testConfig(t, 2))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Call(context.Background(), abi.FuncManifest, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("call after close: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
}

// FuzzCall sends random operation names and bytes: the host never fails,
// the module answers exactly as the native core, and the pool stays whole.
func FuzzCall(f *testing.F) {
	for _, v := range vectors(f) {
		f.Add(v.Func, []byte(v.Input))
	}
	f.Add("", []byte(nil))
	f.Add("validate_submit", []byte("{\"\xff\":1}"))
	f.Fuzz(func(t *testing.T, fn string, input []byte) {
		w := shared(t)
		before := w.Stats().failed()
		ctx := context.Background()
		got, err := w.Call(ctx, fn, input)
		if err != nil {
			t.Fatalf("%q: %v", fn, err)
		}
		want, _ := NewNative().Call(ctx, fn, input)
		if !bytes.Equal(got, want) {
			t.Fatalf("%q(%q):\n wasm: %s\nnative: %s", fn, input, got, want)
		}
		if s := w.Stats(); s.failed() != before {
			t.Fatalf("instance replaced: %+v", s)
		}
	})
}

// FuzzRawABI calls operation exports with arbitrary pointers and lengths
// and frees arbitrary pointers: the shim must never trap.
func FuzzRawABI(f *testing.F) {
	f.Add(uint8(0), uint32(0), uint32(0), uint32(0))
	f.Add(uint8(1), uint32(0xffff_ff00), uint32(100), uint32(12))
	f.Add(uint8(2), uint32(65536), uint32(1<<20+1), uint32(65536))
	f.Fuzz(func(t *testing.T, op uint8, ptr, size, freePtr uint32) {
		w := shared(t)
		fn := abi.Operations[int(op)%len(abi.Operations)].Name
		err := raw(t, w, func(ctx context.Context, in *instance) error {
			if _, err := in.free.Call(ctx, api.EncodeU32(freePtr)); err != nil {
				return err
			}
			_, err := rawOp(ctx, in, fn, ptr, size)
			return err
		})
		if err != nil {
			t.Fatalf("%s(%#x, %d), free(%#x): %v", fn, ptr, size, freePtr, err)
		}
	})
}
