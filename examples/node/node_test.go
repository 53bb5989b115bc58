// Package node_test runs the Node.js embedding example and conformance
// harness against a module built from this checkout.
package node_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontgate/frontgate/build/wasmbuild"
)

func setup(t *testing.T) (node, wasm, root string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("FRONTGATE_REQUIRE_ALL") == "1" {
			t.Fatal("node is not on PATH and FRONTGATE_REQUIRE_ALL=1")
		}
		t.Skip("node is not on PATH")
	}
	root, err = wasmbuild.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	_, wasm, err = wasmbuild.FromSource(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	return node, wasm, root
}

func run(t *testing.T, node string, args ...string) string {
	t.Helper()
	cmd := exec.Command(node, append([]string{"--no-warnings"}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func TestConformance(t *testing.T) {
	node, wasm, root := setup(t)
	out := run(t, node, "conformance.mjs", wasm, filepath.Join(root, "plugin", "testdata", "vectors"))
	t.Log(strings.TrimSpace(out))
	if !strings.HasPrefix(out, "ok ") {
		t.Fatal(out)
	}
}

func TestValidateOrderExample(t *testing.T) {
	node, wasm, _ := setup(t)
	got := run(t, node, "validate-order.mjs", wasm)
	want := "kari@example.no: ok, POST /connect/reservations/create, grandTotal 298.00\n" +
		"kari@: validation: order.customer.email (email)\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
