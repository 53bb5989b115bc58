package sidecar

import (
	"encoding/json"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// TestOpenAPIMatchesRoutes keeps openapi.json true: every documented path
// answers with something other than "no such endpoint", an undocumented
// path does not, and the documented Checkout and Error fields are the JSON
// fields the code sends.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, native())
	for path, methods := range spec.Paths {
		concrete := strings.NewReplacer("{id}", "chk_x", "{uuid}", "RES1", "{token}", "t", "{page}", "success").Replace(path)
		for method := range methods {
			r := h.do(strings.ToUpper(method), concrete, shopKey, "", "{}")
			if r.status == 404 && strings.Contains(string(r.body), "no such endpoint") {
				t.Errorf("%s %s is documented but not routed", method, path)
			}
		}
	}
	if r := h.do("GET", "/v1/undocumented", shopKey, "", nil); r.status != 404 {
		t.Errorf("an undocumented path answered %d", r.status)
	}
	for name, typ := range map[string]reflect.Type{"Checkout": reflect.TypeOf(Checkout{}), "Error": reflect.TypeOf(Error{})} {
		var code, doc []string
		for i := 0; i < typ.NumField(); i++ {
			tag := strings.Split(typ.Field(i).Tag.Get("json"), ",")[0]
			if tag != "" && tag != "-" {
				code = append(code, tag)
			}
		}
		for p := range spec.Components.Schemas[name].Properties {
			doc = append(doc, p)
		}
		sort.Strings(code)
		sort.Strings(doc)
		if strings.Join(code, ",") != strings.Join(doc, ",") {
			t.Errorf("%s: code sends %v, openapi.json documents %v", name, code, doc)
		}
	}
}
