package demoshop

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontgate/frontgate/build/wasmbuild"
	"github.com/frontgate/frontgate/plugin/abi"
	"github.com/frontgate/frontgate/plugin/ops"
)

// TestBrowserLoaderRecovers runs static/frontgate-browser.js (and its
// vendored WASI shim) under Node, fetching the module over HTTP as a page
// does: a call that traps (the guest out of memory, its maximum set low
// here) throws an Error, calls work again once ready() resolves, and an
// unknown operation is answered as the module answers it.
func TestBrowserLoaderRecovers(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("FRONTGATE_REQUIRE_ALL") == "1" {
			t.Fatal("node is not on PATH and FRONTGATE_REQUIRE_ALL=1")
		}
		t.Skip("node is not on PATH")
	}
	root, err := wasmbuild.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	mod, _, err := wasmbuild.FromSource(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	capped, err := wasmbuild.WithMemoryMax(mod, 120)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/wasm")
		if r.URL.Path == "/capped.wasm" {
			w.Write(capped)
			return
		}
		w.Write(mod)
	}))
	defer srv.Close()
	loader, err := filepath.Abs(filepath.Join("static", "frontgate-browser.js"))
	if err != nil {
		t.Fatal(err)
	}
	name := strings.Repeat("€", 30)
	script := `
const { loadFrontgate } = await import(process.argv[1]);
const base = process.argv[2], name = process.argv[3];
const big = new TextEncoder().encode('[' + Array(500000).fill('1').join(',') + ']');
const f = await loadFrontgate(base + '/capped.wasm');
for (let i = 0; i < 2; i++) {
  try { f.call('validate_submit', big); console.log('no trap'); } catch (e) { console.log('threw', e instanceof Error); }
  try { f.callJSON('manifest', {}); console.log('answered while replacing'); } catch (e) { console.log('replacing'); }
  console.log(f.callJSON(name, {}).error.code); // known without an instance
  await f.ready();
  console.log(f.callJSON('manifest', {}).data.abi);
}
console.log(new TextDecoder().decode(f.call(name, new TextEncoder().encode('{}'))));
// A replacement that fails: ready() rejects, and a later one succeeds.
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = async () => { throw new Error('no memory for another instance'); };
try { f.call('validate_submit', big); } catch (e) { /* the trap */ }
await f.ready().then(() => console.log('ready resolved'), (e) => console.log('ready rejected:', e.message));
WebAssembly.instantiate = instantiate;
await f.ready();
console.log(f.callJSON('manifest', {}).data.abi);
// An instance that grew past 16 MiB serves on, and is replaced.
const g = await loadFrontgate(base + '/frontgate.wasm');
console.log(g.callJSON('validate_submit', JSON.parse(new TextDecoder().decode(big))).ok, g.memoryBytes() > (16 << 20));
console.log(g.callJSON('manifest', {}).ok);
await g.ready();
console.log(g.memoryBytes() <= (16 << 20));
`
	cmd := exec.Command(node, "--no-warnings", "--input-type=module", "-e", script, "file://"+loader, srv.URL, name)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	v := abi.Version + "\n"
	want := "threw true\nreplacing\nunknown_op\n" + v + "threw true\nreplacing\nunknown_op\n" + v +
		string(ops.Call(name, []byte(`{}`))) + "\n" +
		"ready rejected: no memory for another instance\n" + v +
		"false true\ntrue\ntrue\n"
	if string(out) != want {
		t.Fatalf("got:\n%s\nwant:\n%s\nstderr:\n%.1000s", out, want, stderr.String())
	}
}
