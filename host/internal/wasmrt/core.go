// Package wasmrt runs the reservation core for the rest of the host. Core is
// the only way host code reaches the core: Wasm runs frontgate.wasm under
// wazero (the production path, the same module plugin authors embed), and
// Native links plugin/ops directly (parity tests, benchmarks, and a fallback
// for debugging). Both return the same bytes for the same input; the parity
// tests hold them to it.
//
// Nothing outside this package handles guest pointers: callers pass JSON in
// and get the ABI's JSON envelope back, or decode it with Invoke and Do.
package wasmrt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/frontgate/frontgate/plugin/abi"
	"github.com/frontgate/frontgate/plugin/ops"
)

// Core runs core operations by their ABI export name (abi.FuncValidateSubmit
// etc.). Call returns the envelope bytes exactly as the core wrote them; an
// error means the call did not complete (context done, trap, closed), never
// that the operation failed: operation failures are {"ok":false} envelopes.
// Implementations are safe for concurrent use. A Core may also have an
// ABIVersion() uint32 method (Native and *Wasm do): CallParse uses it to
// send answers in the form the core understands, and treats a Core without
// it, such as a wrapper that embeds a Core, as ABI 1.0 (the slower form);
// a wrapper should forward it.
type Core interface {
	Call(ctx context.Context, fn string, input []byte) ([]byte, error)
	Close() error
}

// Native is the core linked into the host: ops.Call in-process.
type Native struct{}

// NewNative returns the in-process core.
func NewNative() Native { return Native{} }

// Call runs fn natively. It honours an already-done context, like Wasm.
func (Native) Call(ctx context.Context, fn string, input []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("wasmrt: %s: %w", fn, err)
	}
	return ops.Call(fn, input), nil
}

// Close does nothing.
func (Native) Close() error { return nil }

// ABIVersion is this build's ABI version, packed like abi.PackedVersion.
func (Native) ABIVersion() uint32 { return abi.PackedVersion }

// Envelope is the decoded result of an operation (plugin/ABI.md,
// "Envelope").
type Envelope struct {
	OK    bool            `json:"ok"`
	Data  json.RawMessage `json:"data,omitempty"`
	Error *EnvelopeError  `json:"error,omitempty"`
}

// EnvelopeError is the error object of an {"ok":false} envelope. Code is one
// of the abi.Code… constants; the optional members are set by the codes
// that describe them (upstream: Kind, HTTPStatus, MessageKey, Retryable…;
// callback: Reason).
type EnvelopeError struct {
	Code          string  `json:"code"`
	Message       string  `json:"message"`
	Fields        []Field `json:"fields"`
	Kind          string  `json:"kind,omitempty"`
	HTTPStatus    int     `json:"httpStatus,omitempty"`
	StatusMessage string  `json:"statusMessage,omitempty"`
	MessageKey    string  `json:"messageKey,omitempty"`
	Retryable     bool    `json:"retryable,omitempty"`
	// OutcomeUnknown (ABI 1.2) says a write may have been carried out at
	// FrontGo although its answer is an error: read the reservation
	// before sending it again.
	OutcomeUnknown bool     `json:"outcomeUnknown,omitempty"`
	Errors         []string `json:"errors,omitempty"`
	RequestID      string   `json:"requestId,omitempty"`
	Reason         string   `json:"reason,omitempty"`
}

// Field is one rule a request broke, at a JSON path of the input.
type Field struct {
	Path    string `json:"path"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// Error returns the core's message, which already names the operation.
func (e *EnvelopeError) Error() string { return e.Message }

var okPrefix = []byte(`{"ok":true,"data":`)

// DecodeEnvelope decodes an operation's result.
func DecodeEnvelope(b []byte) (*Envelope, error) {
	// The core writes a success as exactly {"ok":true,"data":…} (ops.Call,
	// pinned by the conformance vectors): take the data without decoding
	// it twice. The caller's decoding of Data still checks it.
	if len(b) > len(okPrefix) && bytes.HasPrefix(b, okPrefix) && b[len(b)-1] == '}' {
		return &Envelope{OK: true, Data: b[len(okPrefix) : len(b)-1]}, nil
	}
	var env Envelope
	if err := json.Unmarshal(b, &env); err != nil {
		return nil, fmt.Errorf("wasmrt: decoding envelope: %w", err)
	}
	if !env.OK && env.Error == nil {
		return nil, fmt.Errorf("wasmrt: envelope with ok=false and no error: %.200s", b)
	}
	return &env, nil
}

// Invoke calls fn and decodes the envelope. err is non-nil only when the
// call failed; an operation's own failure is env.Error.
func Invoke(ctx context.Context, c Core, fn string, input []byte) (*Envelope, error) {
	out, err := c.Call(ctx, fn, input)
	if err != nil {
		return nil, err
	}
	return DecodeEnvelope(out)
}

// Do calls fn with in encoded as JSON (a []byte or json.RawMessage is passed
// as is) and decodes the envelope's data into Out. An {"ok":false} result
// is returned as *EnvelopeError, so callers can errors.As it.
func Do[Out any](ctx context.Context, c Core, fn string, in any) (Out, error) {
	var zero Out
	var input []byte
	switch v := in.(type) {
	case nil:
	case []byte:
		input = v
	case json.RawMessage:
		input = v
	default:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(in); err != nil {
			return zero, fmt.Errorf("wasmrt: %s: encoding input: %w", fn, err)
		}
		input = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	}
	out, err := c.Call(ctx, fn, input)
	return decodeData[Out](fn, out, err)
}

// decodeData decodes the envelope a call returned: its data into Out, or
// its error as *EnvelopeError.
func decodeData[Out any](fn string, raw []byte, err error) (Out, error) {
	var zero Out
	if err != nil {
		return zero, err
	}
	env, err := DecodeEnvelope(raw)
	if err != nil {
		return zero, err
	}
	if !env.OK {
		return zero, env.Error
	}
	var out Out
	if err := json.Unmarshal(env.Data, &out); err != nil {
		return zero, fmt.Errorf("wasmrt: %s: decoding data: %w", fn, err)
	}
	return out, nil
}
