// Package node_test runs the Node.js embedding example and conformance
// harness against a module built from this checkout.
package node_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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

// TestBenchScript runs bench.mjs briefly on a conformance vector's input:
// it must time the operation and refuse an input that fails.
func TestBenchScript(t *testing.T) {
	node, wasm, root := setup(t)
	raw, err := os.ReadFile(filepath.Join(root, "plugin", "testdata", "vectors", "parse-create-201-success.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ Input json.RawMessage }
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	var input string
	if err := json.Unmarshal(v.Input, &input); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, name := range []string{"parse_create.json", "parse_create~text.json"} { // a variant runs its operation
		if err := os.WriteFile(filepath.Join(dir, name), []byte(input), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := run(t, node, "bench.mjs", wasm, dir, "20")
	if !regexp.MustCompile(`^parse_create +[0-9.]+ µs/op  \([0-9]+ bytes in, 20 calls\)\nparse_create~text +[0-9.]+ µs/op  \([0-9]+ bytes in, 20 calls\)\n$`).MatchString(out) {
		t.Fatalf("unexpected output %q", out)
	}
	if err := os.WriteFile(filepath.Join(dir, "parse_create.json"), []byte(`{}`), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "--no-warnings", "bench.mjs", wasm, dir, "20")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "not a success case") {
		t.Fatalf("a failing input was timed: %v %s", err, out)
	}
}
