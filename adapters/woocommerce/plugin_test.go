package woocommerce

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/frontgate/frontgate/adapters/webhook"
	"github.com/frontgate/frontgate/host/signature"
)

const pluginDir = "plugin/frontgate-woocommerce"

// need returns the path of a tool the test needs, skipping without it
// unless FRONTGATE_REQUIRE_ALL=1.
func need(t *testing.T, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("FRONTGATE_REQUIRE_ALL") == "1" {
			t.Fatalf("%s is not on PATH and FRONTGATE_REQUIRE_ALL=1 (apt-get install -y php-cli nodejs)", tool)
		}
		t.Skipf("%s is not on PATH", tool)
	}
	return p
}

func phpFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir("plugin", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".php") {
			files = append(files, p)
		}
		return err
	})
	if err != nil || len(files) < 20 {
		t.Fatalf("found %d PHP files: %v", len(files), err)
	}
	return files
}

func TestPHPLint(t *testing.T) {
	php := need(t, "php")
	e2e, err := filepath.Glob("e2e/*.php") // the end-to-end run's helpers (not .cache/)
	if err != nil || len(e2e) == 0 {
		t.Fatalf("no e2e/*.php: %v", err)
	}
	for _, f := range append(phpFiles(t), e2e...) {
		out, err := exec.Command(php, "-l", f).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "No syntax errors detected") {
			t.Errorf("php -l %s: %v\n%s", f, err, out)
		}
	}
}

func TestPHPSuite(t *testing.T) {
	php := need(t, "php")
	cmd := exec.Command(php, "tests/run.php")
	cmd.Dir = "plugin"
	out, err := cmd.CombinedOutput()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	last := lines[len(lines)-1]
	t.Log(last)
	if err != nil || !regexp.MustCompile(`^\d+ passed, 0 failed`).MatchString(last) {
		t.Fatalf("php tests/run.php: %v\n%s", err, out)
	}
}

// Go signs as the sidecar does; the plugin verifies (and refuses what it
// must), signs byte for byte the same, and computes the same event ids.
func TestPHPAgreesWithGoSignatures(t *testing.T) {
	php := need(t, "php")
	secret := []byte("whsec-cross-language-0123456789abcdef")
	old := []byte("whsec-previous-0123456789abcdefghij")
	now := time.Unix(1_772_456_800, 0)
	body, _ := json.Marshal(Payload{Payload: webhook.Payload{ID: webhook.EventID("RSRV1", "RESERVED"), OrderID: "1201",
		ReservationUUID: "RSRV1", Status: "RESERVED", Details: json.RawMessage(`{"name":"Ullskjorte – M \u00e6\u00f8\u00e5","note":"a\"b\\c"}`)},
		Outcome: DefaultStatusMap().Outcome("RESERVED", "RSRV1")})
	type verify struct {
		Header  string   `json:"header"`
		Body    string   `json:"body"`
		Secrets []string `json:"secrets"`
		Now     int64    `json:"now"`
	}
	good := signature.SignWebhook(body, now, secret)
	cases := []struct {
		name string
		v    verify
		want string
	}{
		{"valid", verify{good, string(body), []string{string(secret)}, now.Unix()}, "ok"},
		{"tampered", verify{good, strings.Replace(string(body), "1201", "1202", 1), []string{string(secret)}, now.Unix()}, "invalid"},
		{"wrong secret", verify{good, string(body), []string{string(old)}, now.Unix()}, "invalid"},
		{"expired", verify{good, string(body), []string{string(secret)}, now.Add(signature.DefaultTolerance + time.Second).Unix()}, "expired"},
		{"rotation", verify{signature.SignWebhook(body, now, secret, old), string(body), []string{string(old)}, now.Unix()}, "ok"},
		{"signed with the previous", verify{signature.SignWebhook(body, now, old), string(body), []string{string(secret), string(old)}, now.Unix()}, "ok"},
		{"truncated", verify{good[:len(good)-2], string(body), []string{string(secret)}, now.Unix()}, "malformed"},
	}
	in := map[string]any{"verify": []verify{}, "sign": []map[string]any{{"body": string(body), "t": now.Unix(), "secrets": []string{string(secret), string(old)}}},
		"eventIds": [][2]string{{"RSRV1", "RESERVED"}, {"4f0c9a1e-77aa-4b7e-9a77-0c1d2e3f4a5b", "PARTIAL REFUNDED"}}}
	for _, c := range cases {
		in["verify"] = append(in["verify"].([]verify), c.v)
		// Go agrees with the expectation too.
		err := signature.VerifyWebhook(c.v.Header, []byte(c.v.Body), []byte(c.v.Secrets[len(c.v.Secrets)-1]), 0, time.Unix(c.v.Now, 0))
		if len(c.v.Secrets) > 1 { // any secret may match
			err = nil
		}
		if (err == nil) != (c.want == "ok") {
			t.Fatalf("%s: Go says %v", c.name, err)
		}
	}
	stdin, _ := json.Marshal(in)
	cmd := exec.Command(php, "plugin/tests/go-verify.php")
	cmd.Stdin = bytes.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("php: %v\n%s", err, out)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	var got []string
	for sc.Scan() {
		got = append(got, sc.Text())
	}
	if len(got) != len(cases)+3 {
		t.Fatalf("php printed %d lines:\n%s", len(got), out)
	}
	for i, c := range cases {
		if got[i] != c.want {
			t.Errorf("%s: PHP says %q, want %q", c.name, got[i], c.want)
		}
	}
	if want := signature.SignWebhook(body, now, secret, old); got[len(cases)] != want {
		t.Errorf("PHP signs\n%s\nGo signs\n%s", got[len(cases)], want)
	}
	if got[len(cases)+1] != webhook.EventID("RSRV1", "RESERVED") ||
		got[len(cases)+2] != webhook.EventID("4f0c9a1e-77aa-4b7e-9a77-0c1d2e3f4a5b", "PARTIAL REFUNDED") {
		t.Errorf("event ids differ: PHP %q", got[len(cases)+1:])
	}
}

// The main file's header and readme.txt agree, as wordpress.org requires.
func TestPluginHeaderMatchesReadme(t *testing.T) {
	main, err := os.ReadFile(filepath.Join(pluginDir, "frontgate-woocommerce.php"))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(pluginDir, "readme.txt"))
	if err != nil {
		t.Fatal(err)
	}
	header := func(src []byte, key string) string {
		m := regexp.MustCompile(`(?m)^[ \t/*#@]*` + regexp.QuoteMeta(key) + `:\s*(.+?)\s*$`).FindSubmatch(src)
		if m == nil {
			t.Fatalf("no %q", key)
		}
		return string(m[1])
	}
	name := regexp.MustCompile(`(?m)^=== (.+) ===$`).FindSubmatch(readme)
	if name == nil || string(name[1]) != header(main, "Plugin Name") {
		t.Errorf("readme name %q, plugin name %q", name, header(main, "Plugin Name"))
	}
	for _, pair := range [][2]string{{"Version", "Stable tag"}, {"Requires at least", "Requires at least"},
		{"Requires PHP", "Requires PHP"}, {"License", "License"}, {"License URI", "License URI"}} {
		if a, b := header(main, pair[0]), header(readme, pair[1]); a != b {
			t.Errorf("plugin %s %q, readme %s %q", pair[0], a, pair[1], b)
		}
	}
	if v := header(main, "Version"); !strings.Contains(string(main), "define( 'FRONTGATE_VERSION', '"+v+"' )") {
		t.Errorf("FRONTGATE_VERSION is not %s", v)
	}
	for _, want := range []string{"Text Domain:          frontgate-woocommerce", "defined( 'ABSPATH' ) || exit;",
		"declare_compatibility( 'custom_order_tables'", "declare_compatibility( 'cart_checkout_blocks'", "class_exists( 'WooCommerce' )"} {
		if !bytes.Contains(main, []byte(want)) {
			t.Errorf("the main file lacks %q", want)
		}
	}
}

// Every class file is named after its class, every global name carries
// the prefix, every file outside the main one is guarded, and every
// translated string uses the text domain.
func TestPluginConventions(t *testing.T) {
	classRe := regexp.MustCompile(`(?m)^(?:final |abstract )?class (\w+)`)
	funcRe := regexp.MustCompile(`(?m)^function (\w+)`)
	// A translation call's text domain: the argument after the text (and
	// _x's context), or _n's after its two texts and the number.
	const phpStr = `(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')`
	i18nRe := regexp.MustCompile(`\b(?:(?:__|_x|esc_html__|esc_attr__|_e)\(\s*` + phpStr + `\s*,\s*(?:'[^']*'\s*,\s*)?|_n\(\s*` +
		phpStr + `\s*,\s*` + phpStr + `\s*,\s*[^,()]+,\s*)'([^']*)'`)
	err := filepath.WalkDir(pluginDir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".php") {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		base := filepath.Base(p)
		if !bytes.Contains(src, []byte("defined( 'ABSPATH' ) || exit;")) && !bytes.Contains(src, []byte("defined( 'WP_UNINSTALL_PLUGIN' ) || exit;")) {
			t.Errorf("%s: no ABSPATH guard", p)
		}
		for _, m := range classRe.FindAllSubmatch(src, -1) {
			name := string(m[1])
			if !strings.HasPrefix(name, "Frontgate_") {
				t.Errorf("%s: class %s lacks the Frontgate_ prefix", p, name)
			}
			if want := "class-" + strings.ReplaceAll(strings.ToLower(name), "_", "-") + ".php"; base != want {
				t.Errorf("%s: class %s belongs in %s", p, name, want)
			}
		}
		for _, m := range funcRe.FindAllSubmatch(src, -1) {
			if !strings.HasPrefix(string(m[1]), "frontgate_") {
				t.Errorf("%s: function %s lacks the frontgate_ prefix", p, m[1])
			}
		}
		for _, m := range i18nRe.FindAllSubmatch(src, -1) {
			if string(m[1]) != "frontgate-woocommerce" {
				t.Errorf("%s: text domain %q in %s", p, m[1], m[0])
			}
		}
		calls := regexp.MustCompile(`\b(?:__|_x|esc_html__|esc_attr__|_e|_n)\(`).FindAll(src, -1)
		if found := i18nRe.FindAll(src, -1); len(found) != len(calls) {
			t.Errorf("%s: %d translation calls, %d with a recognisable text domain", p, len(calls), len(found))
		}
		if bytes.Contains(src, []byte("error_log(")) || bytes.Contains(src, []byte("var_dump(")) {
			t.Errorf("%s: logs outside wc_get_logger", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The block script's strings, too, go through wp.i18n with the text domain.
	js, err := os.ReadFile(filepath.Join(pluginDir, "assets/js/blocks.js"))
	if err != nil {
		t.Fatal(err)
	}
	jsCalls := regexp.MustCompile(`\b(?:__|_x|_n)\(`).FindAll(js, -1)
	jsDomain := regexp.MustCompile(`\b__\(\s*'(?:[^'\\]|\\.)*'\s*,\s*'frontgate-woocommerce'\s*\)`).FindAll(js, -1)
	if len(jsCalls) == 0 || len(jsCalls) != len(jsDomain) {
		t.Errorf("blocks.js: %d translation calls, %d with the text domain", len(jsCalls), len(jsDomain))
	}
	for _, f := range []string{"uninstall.php", "readme.txt", "assets/js/blocks.js", "languages/frontgate-woocommerce.pot", "includes/class-frontgate-gateway.php",
		"includes/class-frontgate-sidecar-client.php", "includes/class-frontgate-sidecar-exception.php",
		"includes/class-frontgate-webhook.php", "includes/class-frontgate-order-mapper.php", "includes/class-frontgate-blocks.php"} {
		if _, err := os.Stat(filepath.Join(pluginDir, f)); err != nil {
			t.Error(err)
		}
	}
}

// blocks.js registers the method with the blocks registry, with no build
// step: run it under Node with the globals WordPress provides. Without a
// title from the server it falls back to its own string, translated with
// wp.i18n in the plugin's text domain.
func TestBlocksScript(t *testing.T) {
	node := need(t, "node")
	js := `
const fs = require('fs');
const [file, data, i18n] = process.argv.slice(1);
let registered = null;
const window = {
  wc: {
    wcBlocksRegistry: { registerPaymentMethod: (m) => { registered = m; } },
    wcSettings: { getSetting: (k, d) => k === 'frontgate_data' ? JSON.parse(data) : d },
  },
  wp: { element: { createElement: (type, props, ...children) => ({ type, props, children }) }, htmlEntities: { decodeEntities: (s) => s.replace('&amp;', '&') } },
};
if (i18n === 'yes') {
  window.wp.i18n = { __: (s, domain) => domain === 'frontgate-woocommerce' && s === 'Card' ? 'Kort' : s + ' [' + domain + ']' };
}
new Function('window', fs.readFileSync(file, 'utf8'))(window);
const content = registered.content;
console.log(JSON.stringify({ name: registered.name, aria: registered.ariaLabel, can: registered.canMakePayment(),
  features: registered.supports.features, content: content.type().children }));
`
	for _, tc := range []struct{ name, data, i18n, want string }{
		{"settings", `{"title": "Kort &amp; Vipps", "description": "Betal", "supports": ["products", "refunds"]}`, "no",
			`{"name":"frontgate","aria":"Kort & Vipps","can":true,"features":["products","refunds"],"content":["Betal"]}`},
		{"no title, translated", `{}`, "yes",
			`{"name":"frontgate","aria":"Kort","can":true,"features":["products"],"content":[""]}`},
		{"no title, no wp.i18n", `{}`, "no",
			`{"name":"frontgate","aria":"Card","can":true,"features":["products"],"content":[""]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := exec.Command(node, "-e", js, filepath.Join(pluginDir, "assets/js/blocks.js"), tc.data, tc.i18n).CombinedOutput()
			if err != nil {
				t.Fatalf("node: %v\n%s", err, out)
			}
			if strings.TrimSpace(string(out)) != tc.want {
				t.Fatalf("got  %s\nwant %s", out, tc.want)
			}
		})
	}
}

// The end-to-end script skips cleanly without WordPress; with
// FRONTGATE_E2E=1 (and the sources and tools its README names) it runs.
func TestE2EScript(t *testing.T) {
	bash := need(t, "bash")
	cmd := exec.Command(bash, "e2e/run.sh")
	if os.Getenv("FRONTGATE_E2E") != "1" {
		cmd.Env = append(os.Environ(), "FRONTGATE_WP_DIR="+t.TempDir())
	}
	out, err := cmd.CombinedOutput()
	t.Log(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("run.sh: %v", err)
	}
	last := strings.TrimSpace(string(out))
	if i := strings.LastIndexByte(last, '\n'); i >= 0 {
		last = last[i+1:]
	}
	if os.Getenv("FRONTGATE_E2E") == "1" && !strings.HasPrefix(last, "PASS:") {
		t.Fatalf("FRONTGATE_E2E=1 but the script did not pass: %s", last)
	}
	if !strings.HasPrefix(last, "skip:") && !strings.HasPrefix(last, "PASS:") {
		t.Fatalf("unexpected end: %s", last)
	}
}

// TestPOTCurrent regenerates the translation template with
// plugin/tools/make-pot.php and fails when the committed one differs (the
// creation date aside): run the tool after changing a translatable string.
func TestPOTCurrent(t *testing.T) {
	php := need(t, "php")
	committed := filepath.Join(pluginDir, "languages", "frontgate-woocommerce.pot")
	fresh := filepath.Join(t.TempDir(), "fresh.pot")
	out, err := exec.Command(php, "plugin/tools/make-pot.php", pluginDir, fresh).CombinedOutput()
	if err != nil {
		t.Fatalf("make-pot.php: %v\n%s", err, out)
	}
	strip := func(path string) string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return regexp.MustCompile(`(?m)^"POT-Creation-Date: .*\n`).ReplaceAllString(string(b), "")
	}
	want, got := strip(fresh), strip(committed)
	if got != want {
		t.Fatalf("%s is stale: run php adapters/woocommerce/plugin/tools/make-pot.php", committed)
	}
	// The template holds every translatable string, with comments and
	// contexts: spot-check a few the tool must not lose.
	for _, s := range []string{
		"#: assets/js/blocks.js:", // the block script's strings, for its JSON translations
		"msgid \"Card\"",
		"#. translators: %s: the sidecar's message",
		"msgctxt \"Order status\"\nmsgid \"On hold\"",
		"#. translators: 1: amount, 2: the charge's text, 3: FrontGo's reason",
	} {
		if !strings.Contains(want, s) {
			t.Errorf("the template lacks %q", s)
		}
	}
	if n := strings.Count(want, "\nmsgid "); n < 100 {
		t.Errorf("only %d strings in the template", n)
	}
	// Translators must be able to reorder the values of a message.
	ph := regexp.MustCompile(`%(\d+\$)?[sdf]`)
	for _, m := range regexp.MustCompile(`(?m)^msgid "((?:[^"\\]|\\.)*)"$`).FindAllStringSubmatch(want, -1) {
		all := ph.FindAllStringSubmatch(strings.ReplaceAll(m[1], "%%", ""), -1)
		for _, p := range all {
			if len(all) > 1 && p[1] == "" {
				t.Errorf("%q has several placeholders, not numbered (%%1$s, %%2$s)", m[1])
				break
			}
		}
	}
}
