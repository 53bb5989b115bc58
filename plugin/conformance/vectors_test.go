package conformance

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/frontgate/frontgate/plugin/ops"
)

var update = flag.Bool("update", false, "rewrite plugin/testdata/vectors from the current core")

// TestNativeVectors replays every vector through the core linked natively.
func TestNativeVectors(t *testing.T) {
	vs, err := Load(Dir())
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) < 150 {
		t.Fatalf("only %d vectors; the suite promises at least 150", len(vs))
	}
	Run(t, vs, func(fn string, in []byte) ([]byte, error) { return ops.Call(fn, in), nil })
}

// TestVectorCases checks each case's expectation (ok, or the exact set of
// path:rule pairs, or an error code) independently of the golden bytes, so
// regenerating the vectors cannot bless a wrong answer silently. With
// -update it rewrites the vector files.
func TestVectorCases(t *testing.T) {
	cases := allCases(t)
	seen := map[string]bool{}
	outs := map[string][]byte{}
	var files []string
	for _, c := range cases {
		file := slug(c.name) + ".json"
		if seen[file] {
			t.Fatalf("two cases named %q", c.name)
		}
		seen[file] = true
		files = append(files, file)
		out := ops.Call(c.fn, c.input)
		outs[c.name] = out
		t.Run(c.name, func(t *testing.T) {
			c.check(t, out)
			if c.same == "" {
				return
			}
			if want, ok := outs[c.same]; !ok {
				t.Fatalf("no earlier case %q to compare with", c.same)
			} else if !bytes.Equal(out, want) {
				t.Fatalf("answers differently from %q:\n%s\n%s", c.same, out, want)
			}
		})
		if *update {
			writeVector(t, file, Vector{Name: c.name, Func: c.fn, Input: string(c.input), Output: string(out)})
		}
	}
	if *update {
		// Drop vectors whose case is gone.
		old, _ := filepath.Glob(filepath.Join(Dir(), "*.json"))
		for _, f := range old {
			if !seen[filepath.Base(f)] {
				os.Remove(f)
			}
		}
	}
	sort.Strings(files)
}

type vcase struct {
	name  string
	fn    string
	input []byte
	ok    bool     // expect {"ok":true}
	rules []string // expected "path:rule" pairs, in any order
	code  string   // expected error code when not ok and rules is empty
	data  string   // a substring the data must contain (optional)
	same  string   // an earlier case whose output this one must equal byte for byte (optional)
}

func (c *vcase) check(t *testing.T, out []byte) {
	t.Helper()
	var env struct {
		OK    bool            `json:"ok"`
		Data  json.RawMessage `json:"data"`
		Error *struct {
			Code   string `json:"code"`
			Fields []struct {
				Path, Rule string
			} `json:"fields"`
		} `json:"error"`
	}
	if err := json.Unmarshal(out, &env); err != nil {
		t.Fatalf("envelope is not JSON: %v: %s", err, out)
	}
	if c.ok {
		if !env.OK {
			t.Fatalf("want ok, got %s", out)
		}
		if c.data != "" && !strings.Contains(string(env.Data), c.data) {
			t.Fatalf("data lacks %q: %s", c.data, env.Data)
		}
		return
	}
	if env.OK || env.Error == nil {
		t.Fatalf("want an error, got %s", out)
	}
	if c.code != "" && env.Error.Code != c.code {
		t.Fatalf("code = %q, want %q: %s", env.Error.Code, c.code, out)
	}
	if c.rules != nil {
		var got []string
		for _, f := range env.Error.Fields {
			got = append(got, f.Path+":"+f.Rule)
		}
		want := append([]string(nil), c.rules...)
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("fields\n got: %v\nwant: %v\n%s", got, want, out)
		}
	}
	if c.data != "" && !strings.Contains(string(out), c.data) {
		t.Fatalf("error lacks %q: %s", c.data, out)
	}
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

func slug(s string) string {
	return strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
}

func writeVector(t *testing.T, file string, v Vector) {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("{\n")
	for i, kv := range [][2]string{{"name", v.Name}, {"func", v.Func}, {"input", v.Input}, {"output", v.Output}} {
		enc, _ := json.Marshal(kv[1])
		fmt.Fprintf(&b, "  %q: %s", kv[0], enc)
		if i < 3 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	if err := os.MkdirAll(Dir(), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(Dir(), file), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
