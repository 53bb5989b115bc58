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
		w.Write(capped)
	}))
	defer srv.Close()
	loader, err := filepath.Abs(filepath.Join("static", "frontgate-browser.js"))
	if err != nil {
		t.Fatal(err)
	}
	name := strings.Repeat("€", 30)
	script := `
const { loadFrontgate } = await import(process.argv[1]);
const f = await loadFrontgate(process.argv[2]);
const big = new TextEncoder().encode('[' + Array(500000).fill('1').join(',') + ']');
for (let i = 0; i < 2; i++) {
  try { f.call('validate_submit', big); console.log('no trap'); } catch (e) { console.log('threw', e instanceof Error); }
  try { f.callJSON('manifest', {}); console.log('answered while replacing'); } catch (e) { console.log('replacing'); }
  await f.ready();
  console.log(f.callJSON('manifest', {}).data.abi);
}
console.log(new TextDecoder().decode(f.call(process.argv[3], new TextEncoder().encode('{}'))));
`
	cmd := exec.Command(node, "--no-warnings", "--input-type=module", "-e", script, "file://"+loader, srv.URL+"/frontgate.wasm", name)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	want := "threw true\nreplacing\n" + abi.Version + "\nthrew true\nreplacing\n" + abi.Version + "\n" +
		string(ops.Call(name, []byte(`{}`))) + "\n"
	if string(out) != want {
		t.Fatalf("got:\n%s\nwant:\n%s\nstderr:\n%.1000s", out, want, stderr.String())
	}
}
