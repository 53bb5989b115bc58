package wasmrt

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/frontgate/frontgate/plugin/ops"
)

func TestDecodeEnvelope(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Envelope
	}{
		{"ok", `{"ok":true,"data":{"a":1}}`, Envelope{OK: true, Data: []byte(`{"a":1}`)}},
		{"upstream", `{"ok":false,"error":{"code":"upstream","message":"frontgo: create: 510 dependency: x","kind":"dependency","httpStatus":510,"messageKey":"x","statusMessage":"Internal Dependency Error","retryable":true,"errors":["y"],"fields":[]}}`,
			Envelope{Error: &EnvelopeError{Code: "upstream", Message: "frontgo: create: 510 dependency: x", Kind: "dependency", HTTPStatus: 510,
				MessageKey: "x", StatusMessage: "Internal Dependency Error", Retryable: true, Errors: []string{"y"}, Fields: []Field{}}}},
		{"fields", `{"ok":false,"error":{"code":"validation","message":"m","fields":[{"path":"a.b","rule":"required","message":"is required"}]}}`,
			Envelope{Error: &EnvelopeError{Code: "validation", Message: "m", Fields: []Field{{"a.b", "required", "is required"}}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeEnvelope([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("got %+v (%+v)\nwant %+v (%+v)", got, got.Error, tc.want, tc.want.Error)
			}
		})
	}
	for _, bad := range []string{`{"ok":false}`, `nope`} {
		if _, err := DecodeEnvelope([]byte(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func TestNativeHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := NewNative().Call(ctx, "manifest", nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

// TestHotOperationsAllocateNothing holds the core to what the guest's speed
// rests on (RATIONALE.md, "Why do the hot paths recycle parsed documents
// and buffers?"): a Caller that keeps its result buffer runs each hot
// operation, with either form of body, without one allocation. A path that
// escaped to the heap or a result that stopped being reused shows here.
func TestHotOperationsAllocateNothing(t *testing.T) {
	if raceBuild {
		t.Skip("the race detector allocates")
	}
	for _, h := range hotInputs(t) {
		var c ops.Caller
		buf := make([]byte, 0, 64<<10)
		for range 3 { // fill the pools
			buf = c.Call(buf[:0], h.fn, h.in)
		}
		if !bytes.HasPrefix(buf, []byte(`{"ok":true`)) {
			t.Fatalf("%s: %.200s", h.name, buf)
		}
		if n := testing.AllocsPerRun(200, func() { buf = c.Call(buf[:0], h.fn, h.in) }); n != 0 {
			t.Errorf("%s: %.1f allocations per call; want none", h.name, n)
		}
	}
}
