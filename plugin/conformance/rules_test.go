package conformance

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestABIListsEveryRule: ABI.md's table of rules names every Rule…
// constant of plugin/reservation and every rule a vector's answer carries,
// and nothing else, so a plugin author can handle each.
func TestABIListsEveryRule(t *testing.T) {
	root := filepath.Join(Dir(), "..", "..")
	abiMD, err := os.ReadFile(filepath.Join(root, "ABI.md"))
	if err != nil {
		t.Fatal(err)
	}
	sec := string(abiMD)
	start := strings.Index(sec, "\n### Rules\n")
	if start < 0 {
		t.Fatal("ABI.md has no ### Rules section")
	}
	sec = sec[start+1:]
	if end := strings.Index(sec[4:], "\n#"); end >= 0 {
		sec = sec[:end+4]
	}
	listed := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\|").FindAllStringSubmatch(sec, -1) {
		listed[m[1]] = true
	}

	src, err := os.ReadFile(filepath.Join(root, "reservation", "errors.go"))
	if err != nil {
		t.Fatal(err)
	}
	constants := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s*Rule\w+\s*=\s*"([a-z_]+)"`).FindAllStringSubmatch(string(src), -1) {
		constants[m[1]] = true
	}
	if len(constants) < 30 {
		t.Fatalf("read only %d Rule constants from errors.go", len(constants))
	}
	for r := range constants {
		if !listed[r] {
			t.Errorf("rule %q (a Rule constant) is not in ABI.md's table", r)
		}
	}
	for r := range listed {
		if !constants[r] {
			t.Errorf("ABI.md lists rule %q, which is no Rule constant", r)
		}
	}

	vs, err := Load(Dir())
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, v := range vs {
		var env struct {
			Error struct {
				Fields []struct {
					Rule string `json:"rule"`
				} `json:"fields"`
			} `json:"error"`
		}
		if json.Unmarshal([]byte(v.Output), &env) != nil {
			continue
		}
		for _, f := range env.Error.Fields {
			seen++
			if !listed[f.Rule] {
				t.Errorf("%s: rule %q is not in ABI.md's table", v.Name, f.Rule)
			}
		}
	}
	if seen < 100 {
		t.Fatalf("only %d field errors in the vectors", seen)
	}
}
