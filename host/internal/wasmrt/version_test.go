package wasmrt

import (
	"context"
	"errors"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/frontgate/frontgate/build/wasmbuild"
	"github.com/frontgate/frontgate/plugin/abi"
)

// tinyModule assembles a WebAssembly module that exports what a frontgate
// module exports, except operations, and reports ABI version packed.
func tinyModule(packed uint32, withVersion bool) []byte {
	uleb := func(v uint32) []byte {
		var b []byte
		for {
			c := byte(v & 0x7f)
			v >>= 7
			if v != 0 {
				b = append(b, c|0x80)
				continue
			}
			return append(b, c)
		}
	}
	sleb := func(v int32) []byte {
		var b []byte
		for {
			c := byte(v & 0x7f)
			v >>= 7
			if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
				return append(b, c)
			}
			b = append(b, c|0x80)
		}
	}
	name := func(s string) []byte { return append(uleb(uint32(len(s))), s...) }
	section := func(id byte, items ...[]byte) []byte {
		body := uleb(uint32(len(items)))
		for _, it := range items {
			body = append(body, it...)
		}
		return append(append([]byte{id}, uleb(uint32(len(body)))...), body...)
	}
	const i32 = 0x7f
	types := section(1,
		[]byte{0x60, 0, 0},           // () -> ()
		[]byte{0x60, 0, 1, i32},      // () -> i32
		[]byte{0x60, 1, i32, 1, i32}, // (i32) -> i32
		[]byte{0x60, 1, i32, 0},      // (i32) -> ()
	)
	funcs := section(3, []byte{0}, []byte{1}, []byte{2}, []byte{3})
	memory := section(5, []byte{0, 1})
	exp := func(n string, kind byte, idx uint32) []byte { return append(append(name(n), kind), uleb(idx)...) }
	exports := [][]byte{exp("memory", 2, 0), exp(abi.FuncInitialize, 0, 0), exp(abi.FuncAlloc, 0, 2), exp(abi.FuncFree, 0, 3)}
	if withVersion {
		exports = append(exports, exp(abi.FuncVersion, 0, 1))
	}
	body := func(code ...byte) []byte { b := append([]byte{0}, code...); return append(uleb(uint32(len(b))), b...) }
	codes := section(10,
		body(0x0b),
		body(append(append([]byte{0x41}, sleb(int32(packed))...), 0x0b)...),
		body(0x41, 0, 0x0b),
		body(0x0b),
	)
	m := []byte("\x00asm\x01\x00\x00\x00")
	for _, s := range [][]byte{types, funcs, memory, section(7, exports...), codes} {
		m = append(m, s...)
	}
	return m
}

func TestVersionRefused(t *testing.T) {
	cfg := testConfig(t, 1)
	cfg.CacheDir = ""
	_, err := NewWasm(context.Background(), tinyModule(2<<16|1<<8|3, true), cfg)
	var ve *VersionError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want a VersionError", err)
	}
	if want := "wasmrt: wasm module speaks ABI 2.1.3, this host speaks 1.x (up to 1.2)"; err.Error() != want {
		t.Errorf("err = %q\nwant  %q", err, want)
	}

	_, err = NewWasm(context.Background(), tinyModule(0, false), cfg)
	if err == nil || err.Error() != "wasmrt: not a frontgate module: no frontgate_abi_version export" {
		t.Errorf("without a version export: %v", err)
	}
}

func TestMissingOperations(t *testing.T) {
	cfg := testConfig(t, 1)
	cfg.RequiredOps = append(cfg.RequiredOps, "refund_everything")
	_, err := NewWasm(context.Background(), testModule(t), cfg)
	if err == nil || !strings.Contains(err.Error(), "lacks operations this host needs: [refund_everything]") {
		t.Fatalf("err = %v", err)
	}
}

// TestABIDocStatesInitialMemory keeps plugin/ABI.md's limits table true to
// the module built from this checkout: the initial memory it declares, and
// that it declares no maximum.
func TestABIDocStatesInitialMemory(t *testing.T) {
	pages, max, hasMax, err := wasmbuild.Memory(testModule(t))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../../../plugin/ABI.md")
	if err != nil {
		t.Fatal(err)
	}
	want := "| initial memory | " + strconv.Itoa(int(pages)) + " pages ("
	if pages == 0 || !strings.Contains(string(doc), want) {
		t.Errorf("the module declares %d pages of initial memory; plugin/ABI.md's limits table must say %q", pages, want)
	}
	if hasMax || !strings.Contains(string(doc), "the module declares no maximum") {
		t.Errorf("the module declares a maximum (%v, %d pages); plugin/ABI.md must say whether it does", hasMax, max)
	}
}

// TestRequiredImports keeps plugin/ABI.md's "Required WASI imports" true
// to the module built from this checkout: every function it imports, and
// no other, is in the list, and they all come from wasi_snapshot_preview1.
func TestRequiredImports(t *testing.T) {
	w := shared(t)
	got := map[string]bool{}
	for _, f := range w.Compiled().ImportedFunctions() {
		mod, name, _ := f.Import()
		if mod != "wasi_snapshot_preview1" {
			t.Errorf("the module imports %s from %q", name, mod)
		}
		got[name] = true
	}
	doc, err := os.ReadFile("../../../plugin/ABI.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(doc), "## Required WASI imports")
	if ok {
		sec, _, _ = strings.Cut(sec, "What the module uses them for")
	}
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile("`([a-z_]+)`").FindAllStringSubmatch(sec, -1) {
		documented[m[1]] = true
	}
	if !ok || len(documented) == 0 {
		t.Fatal("plugin/ABI.md has no list of required WASI imports")
	}
	for name := range got {
		if !documented[name] {
			t.Errorf("the module imports %s, which plugin/ABI.md's list lacks", name)
		}
	}
	for name := range documented {
		if !got[name] {
			t.Errorf("plugin/ABI.md lists %s, which the module does not import", name)
		}
	}
}
