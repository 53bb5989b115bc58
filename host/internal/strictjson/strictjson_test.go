package strictjson

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	deep := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	for _, c := range []struct {
		in         string
		path, rule string
	}{
		{`{"a":1,"b":[1,{"c":2}]}`, "", ""},
		{`  {"a":"æøå"}  `, "", ""},
		{deep, "", ""},
		{"[" + deep + "]", "0" + strings.Repeat(".0", MaxDepth-1), "depth"},
		{`{"a":1,"a":2}`, "a", "duplicate"},
		{`{"o":{"lines":[{"x":1,"x":1}]}}`, "o.lines.0.x", "duplicate"},
		{`{"a":1} x`, "", "trailing"},
		{`{"a":1}{"a":1}`, "", "trailing"},
		{"{\"a\":\"U\xffX\"}", "", "utf8"},
		{`{"a":`, "a", "json"},
		{`{"a":tru}`, "a", "json"},
		{``, "", "json"},
	} {
		err := Check([]byte(c.in))
		if c.rule == "" {
			if err != nil {
				t.Errorf("%.40q: %v", c.in, err)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.Rule != c.rule || e.Path != c.path {
			t.Errorf("%.40q: %#v, want path %q rule %q", c.in, err, c.path, c.rule)
		}
	}
}

func TestDecode(t *testing.T) {
	type req struct {
		OrderID string `json:"orderId"`
		N       int    `json:"n"`
		Urls    struct {
			Success string `json:"success"`
		} `json:"returnUrls"`
		Lines []struct {
			ID int `json:"id"`
		} `json:"lines"`
		Order json.RawMessage `json:"order"`
		Extra map[string]any  `json:"extra"`
	}
	var r req
	if err := Decode([]byte(`{"orderId":"A","n":2,"order":{"Any":{"x":1}},"extra":{"Y":1},"lines":[{"id":3}]}`), &r); err != nil || r.OrderID != "A" || r.N != 2 || len(r.Lines) != 1 {
		t.Fatalf("%v %+v", err, r)
	}
	for in, want := range map[string]Error{
		`{"orderId":"A","extras":1}`:    {Path: "extras", Rule: "unknown"},
		`{"orderId":5}`:                 {Path: "orderId", Rule: "type"},
		`{"orderId":"A","orderId":"B"}`: {Path: "orderId", Rule: "duplicate"},
		`{"orderId":"A"} trailing`:      {Rule: "trailing"},
		"{\"orderId\":\"\xff\"}":        {Rule: "utf8"},
		`{"OrderId":"A"}`:               {Path: "OrderId", Rule: "unknown"},
		`{"orderId":"A","OrderId":"B"}`: {Path: "OrderId", Rule: "unknown"},
		`{"returnUrls":{"cancel":"x"}}`: {Path: "returnUrls.cancel", Rule: "unknown"},
		`{"lines":[{"id":1},{"ID":2}]}`: {Path: "lines.1.ID", Rule: "unknown"},
	} {
		var e *Error
		if err := Decode([]byte(in), &req{}); !errors.As(err, &e) || e.Path != want.Path || e.Rule != want.Rule {
			t.Errorf("%q: %#v, want %+v", in, err, want)
		}
	}
}

// TestRawMessageSkipped: a json.RawMessage member is stepped over whole,
// braces and quotes inside its strings included, and decoded as sent.
func TestRawMessageSkipped(t *testing.T) {
	type req struct {
		A     string          `json:"a"`
		Order json.RawMessage `json:"order"`
		Z     int             `json:"z"`
	}
	for _, order := range []string{`{"s":"}{\"]","n":[1,{"x":"]"}],"k":{"k":1}}`, `"a\"}"`, `12.5e3`, `[]`, `null`, `true`} {
		var r req
		body := `{"a":"x","order":` + order + `,"z":3}`
		if err := Decode([]byte(body), &r); err != nil || string(r.Order) != order || r.Z != 3 {
			t.Errorf("%s: %v %+v", body, err, r)
		}
	}
	var r req
	if err := Decode([]byte(`{"order":{"a":1},"zz":1}`), &r); err == nil || !strings.Contains(err.Error(), "zz") {
		t.Errorf("unknown member after a raw one: %v", err)
	}
}

// FuzzCheck: what Check accepts, encoding/json reads as valid JSON too.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":null}]}`, `"x"`, `-0.5e-3`, `{"a\"b":1}`, `[true,false]`, `{"a":1,"a":2}`, `01`, `1.`, `{"a":}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if Check(b) == nil && !json.Valid(b) {
			t.Fatalf("Check accepted what encoding/json does not: %q", b)
		}
	})
}
