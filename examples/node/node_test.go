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
	"strconv"
	"strings"
	"testing"

	"github.com/frontgate/frontgate/build/wasmbuild"
	"github.com/frontgate/frontgate/plugin/abi"
	"github.com/frontgate/frontgate/plugin/ops"
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

// TestParseAnswer runs parse() through parse-answer.mjs: on a documented
// answer (it goes in as JSON), a body that looks like JSON but is not (in
// as JSON, refused, then as text), and one that is not JSON at all (as
// text), each answered as the native core answers the body as text; and on
// a body that only fits the module's input limit as JSON, which shows the
// JSON form was used (as text it is too large).
func TestParseAnswer(t *testing.T) {
	node, wasm, root := setup(t)
	dir := t.TempDir()
	created, err := os.ReadFile(filepath.Join(root, "plugin", "reservation", "testdata", "responses", "create-201-success.json"))
	if err != nil {
		t.Fatal(err)
	}
	asText := func(status int, body string) string {
		in, _ := json.Marshal(map[string]any{"status": status, "requestId": "req-1", "body": body})
		var env struct {
			OK    bool            `json:"ok"`
			Data  json.RawMessage `json:"data"`
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal(ops.Call(abi.FuncParseCreate, in), &env); err != nil {
			t.Fatal(err)
		}
		if env.OK {
			return string(env.Data)
		}
		return env.Error.Code + ": " + env.Error.Message
	}
	big := strings.TrimSuffix(strings.TrimSpace(string(created)), "}") + `,"pad":"` + strings.Repeat(`\"`, abi.MaxInput/3) + `"}`
	for _, c := range []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"created", 201, " \n" + string(created), ""},
		{"truncated", 201, `{"status_code":201,"data":{`, ""},
		{"html", 502, "<html>Bad Gateway</html>", ""},
		{"too large as text", 201, big, `{"customerUuid":"CSRT3463048878","reservationUuid":"RES4161996022",`},
	} {
		want := c.want
		if want == "" {
			want = asText(c.status, c.body)
		}
		f := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-"))
		if err := os.WriteFile(f, []byte(c.body), 0o644); err != nil {
			t.Fatal(err)
		}
		out := strings.TrimSuffix(run(t, node, "parse-answer.mjs", wasm, strconv.Itoa(c.status), f), "\n")
		if !strings.HasPrefix(out, want) || (c.want == "" && out != want) {
			t.Errorf("%s:\n got %.300s\nwant %.300s", c.name, out, want)
		}
	}
	if got := asText(201, big); !strings.HasPrefix(got, abi.CodeTooLarge+":") {
		t.Errorf("the big body as text: %.200s", got)
	}
}

// TestTrapGivesAFreshInstance: a call that traps (the guest out of memory,
// its maximum set low here) throws an Error, not node:wasi's exit value, and
// the next call runs on a fresh instance as if nothing happened. A host
// asking for operations the module lacks is refused at load.
func TestTrapGivesAFreshInstance(t *testing.T) {
	node, wasm, _ := setup(t)
	mod, err := os.ReadFile(wasm)
	if err != nil {
		t.Fatal(err)
	}
	small := filepath.Join(t.TempDir(), "small.wasm")
	capped, err := wasmbuild.WithMemoryMax(mod, 120)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(small, capped, 0o644); err != nil {
		t.Fatal(err)
	}
	script := `
import { loadFrontgate } from './frontgate.mjs';
const f = await loadFrontgate(process.argv[1], { requiredOps: ['validate_submit', 'manifest'] });
const big = new TextEncoder().encode('[' + Array(500000).fill('1').join(',') + ']');
for (let i = 0; i < 2; i++) {
  try { f.call('validate_submit', big); console.log('no trap'); } catch (e) { console.log('threw', e instanceof Error); }
  console.log(f.callJSON('manifest', {}).data.abi);
}
try { await loadFrontgate(process.argv[1], { requiredOps: ['validate_order'] }); } catch (e) { console.log(e.message); }
`
	cmd := exec.Command(node, "--no-warnings", "--input-type=module", "-e", script, small)
	var stderr strings.Builder
	cmd.Stderr = &stderr // the Go runtime's crash report, on the guest's stderr
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "out of memory") {
		t.Errorf("the guest's stderr has no out-of-memory report:\n%.500s", stderr.String())
	}
	out := string(raw)
	want := "threw true\n" + abi.Version + "\nthrew true\n" + abi.Version + "\n" +
		"wasm module (ABI " + abi.Version + ") lacks operations this host needs: validate_order\n"
	if out != want {
		t.Fatalf("got:\n%s\nwant:\n%s", out, want)
	}
}
