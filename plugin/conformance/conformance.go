// Package conformance replays the ABI's conformance vectors against any
// implementation of the operations: the core linked natively, the .wasm
// under wazero, or (through examples/node) the .wasm under Node's WASI.
//
// A vector is one JSON file in plugin/testdata/vectors:
//
//	{
//	  "name":   "submit: personal number of 10 digits",
//	  "func":   "validate_submit",
//	  "input":  "{…the exact input bytes…}",
//	  "output": "{…the exact envelope the operation must return…}"
//	}
//
// Input and output are JSON strings holding the exact bytes, so that every
// runtime compares byte for byte without its JSON library reformatting
// numbers such as 1000.00.
package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"testing"
)

// Vector is one conformance case.
type Vector struct {
	Name   string `json:"name"`
	Func   string `json:"func"`
	Input  string `json:"input"`
	Output string `json:"output"`
	File   string `json:"-"`
}

// Dir returns the vectors directory of this checkout.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "vectors")
}

// Load reads every *.json vector in dir, sorted by file name.
func Load(dir string) ([]Vector, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	out := make([]Vector, 0, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var v Vector
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("conformance: %s: %w", filepath.Base(f), err)
		}
		if v.Name == "" || v.Func == "" || v.Output == "" {
			return nil, fmt.Errorf("conformance: %s: name, func and output are required", filepath.Base(f))
		}
		v.File = filepath.Base(f)
		out = append(out, v)
	}
	return out, nil
}

// Caller runs one operation and returns its envelope.
type Caller func(fn string, input []byte) ([]byte, error)

// Run replays vectors through call as subtests and fails each whose output
// differs by a single byte.
func Run(t *testing.T, vectors []Vector, call Caller) {
	t.Helper()
	if len(vectors) == 0 {
		t.Fatal("conformance: no vectors to run")
	}
	for _, v := range vectors {
		t.Run(v.File, func(t *testing.T) {
			got, err := call(v.Func, []byte(v.Input))
			if err != nil {
				t.Fatalf("%s: %s: %v", v.Name, v.Func, err)
			}
			if string(got) != v.Output {
				t.Errorf("%s: %s\n got: %s\nwant: %s", v.Name, v.Func, got, v.Output)
			}
		})
	}
}
