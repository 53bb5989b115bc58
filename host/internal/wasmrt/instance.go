package wasmrt

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math"
	"sync"

	"github.com/tetratelabs/wazero/api"

	"github.com/frontgate/frontgate/plugin/abi"
	"github.com/frontgate/frontgate/plugin/ops"
)

// instance is one initialised module instance. It is not safe for
// concurrent use; the pool hands it to one call at a time.
type instance struct {
	id    uint64
	mod   api.Module
	mem   api.Memory
	alloc api.Function
	free  api.Function
	ops   map[string]api.Function
	stack [2]uint64

	// scratch is an input buffer kept across calls (the ABI lets the host
	// hold memory from frontgate_alloc as long as it likes), so a call costs
	// two crossings (the operation and freeing its result), not four.
	scratch    uint32
	scratchCap uint32
}

func newInstance(id uint64, mod api.Module) *instance {
	return &instance{
		id:    id,
		mod:   mod,
		mem:   mod.Memory(),
		alloc: mod.ExportedFunction(abi.FuncAlloc),
		free:  mod.ExportedFunction(abi.FuncFree),
		ops:   make(map[string]api.Function),
	}
}

// minScratch is the smallest input buffer: typical inputs are 1-4 KiB.
const minScratch = 16 << 10

// call runs fn: input into the scratch buffer, the operation, the result
// copied out and freed. Any error leaves the instance unusable.
func (in *instance) call(ctx context.Context, fn string, input []byte) ([]byte, error) {
	f := in.ops[fn]
	if f == nil {
		if f = in.mod.ExportedFunction(fn); f == nil {
			return nil, fmt.Errorf("no export %q", fn)
		}
		in.ops[fn] = f
	}
	var ptr uint32
	size := uint32(min(len(input), math.MaxUint32))
	switch {
	case size > abi.MaxInput:
		// The guest answers too_large from the length alone.
	case size > 0:
		if err := in.reserve(ctx, size); err != nil {
			return nil, err
		}
		if !in.mem.Write(in.scratch, input) {
			return nil, fmt.Errorf("input buffer at %#x (%d bytes) is outside memory", in.scratch, size)
		}
		ptr = in.scratch
	}
	in.stack[0], in.stack[1] = uint64(ptr), uint64(size)
	if err := f.CallWithStack(ctx, in.stack[:]); err != nil {
		return nil, err
	}
	rptr, rlen := abi.Unpack(in.stack[0])
	view, ok := in.mem.Read(rptr, rlen)
	if !ok || rlen == 0 {
		return nil, fmt.Errorf("result at %#x (%d bytes) is outside memory", rptr, rlen)
	}
	out := bytes.Clone(view)
	in.stack[0] = uint64(rptr)
	if err := in.free.CallWithStack(ctx, in.stack[:]); err != nil {
		return nil, err
	}
	return out, nil
}

// reserve makes the scratch buffer at least size bytes.
func (in *instance) reserve(ctx context.Context, size uint32) error {
	if size <= in.scratchCap {
		return nil
	}
	c := max(uint32(minScratch), in.scratchCap)
	for c < size {
		c *= 2
	}
	c = min(c, abi.MaxInput)
	if in.scratch != 0 {
		in.stack[0] = uint64(in.scratch)
		if err := in.free.CallWithStack(ctx, in.stack[:]); err != nil {
			return err
		}
		in.scratch, in.scratchCap = 0, 0
	}
	in.stack[0] = uint64(c)
	if err := in.alloc.CallWithStack(ctx, in.stack[:]); err != nil {
		return err
	}
	p := uint32(in.stack[0])
	if p == 0 {
		return fmt.Errorf("%s(%d) returned 0", abi.FuncAlloc, c)
	}
	in.scratch, in.scratchCap = p, c
	return nil
}

// unknownOp is the envelope for an operation the module does not export.
// For names the core does not know either, ops.Call gives exactly the bytes
// the native core would, keeping the two implementations identical; names
// the host knows but this (older) module lacks get their own message.
func unknownOp(fn string, version uint32) []byte {
	for _, op := range abi.Operations {
		if op.Name == fn {
			return []byte(`{"ok":false,"error":{"code":"` + abi.CodeUnknownOp + `","message":"operation ` + fn +
				` is not in this wasm module (ABI ` + versionString(version) + `)","fields":[]}}`)
		}
	}
	return ops.Call(fn, nil)
}

var internalPrefix = []byte(`{"ok":false,"error":{"code":"` + abi.CodeInternal + `"`)

// isInternal reports whether an envelope is the guest's recovered panic.
func isInternal(out []byte) bool { return bytes.HasPrefix(out, internalPrefix) }

func trapID() string {
	var b [4]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// lineLogger turns a module's stdout or stderr into log records, one per
// line (lines over 4 KiB are split).
type lineLogger struct {
	mu   sync.Mutex
	log  *slog.Logger
	msg  string
	line []byte
}

func newLineLogger(log *slog.Logger, msg string) *lineLogger { return &lineLogger{log: log, msg: msg} }

const maxLogLine = 4 << 10

func (l *lineLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			l.line = append(l.line, p...)
			if len(l.line) >= maxLogLine {
				l.flush()
			}
			break
		}
		l.line = append(l.line, p[:i]...)
		l.flush()
		p = p[i+1:]
	}
	return n, nil
}

func (l *lineLogger) flush() {
	l.log.Warn(l.msg, "line", string(l.line))
	l.line = l.line[:0]
}
