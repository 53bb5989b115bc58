package wasmrt_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/frontgate/frontgate/host/internal/wasmrt"
	"github.com/frontgate/frontgate/plugin/abi"
)

// The host starts the module once (from the checkout, the embedded copy or
// FRONTGATE_WASM) and calls operations by name; an operation's failure
// comes back as *EnvelopeError.
func ExampleLoadWasm() {
	ctx := context.Background()
	cfg := wasmrt.NewWasmConfig()
	cfg.PoolSize = 1
	core, err := wasmrt.LoadWasm(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer core.Close()

	type manifest struct {
		ABI        string `json:"abi"`
		Operations []struct{ Name string }
	}
	m, err := wasmrt.Do[manifest](ctx, core, abi.FuncManifest, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("ABI", m.ABI, "with", len(m.Operations), "operations")

	_, err = wasmrt.Do[struct{}](ctx, core, "refund_everything", nil)
	var e *wasmrt.EnvelopeError
	if errors.As(err, &e) {
		fmt.Println(e.Code+":", e.Message)
	}
	// Output:
	// ABI 1.2.1 with 35 operations
	// unknown_op: unknown operation "refund_everything"
}
