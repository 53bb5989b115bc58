package strictjson

import (
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
	}
	var r req
	if err := Decode([]byte(`{"orderId":"A","n":2}`), &r); err != nil || r.OrderID != "A" || r.N != 2 {
		t.Fatalf("%v %+v", err, r)
	}
	for in, want := range map[string]Error{
		`{"orderId":"A","extra":1}`:     {Path: "extra", Rule: "unknown"},
		`{"orderId":5}`:                 {Path: "orderId", Rule: "type"},
		`{"orderId":"A","orderId":"B"}`: {Path: "orderId", Rule: "duplicate"},
		`{"orderId":"A"} trailing`:      {Rule: "trailing"},
		"{\"orderId\":\"\xff\"}":        {Rule: "utf8"},
	} {
		var e *Error
		if err := Decode([]byte(in), &req{}); !errors.As(err, &e) || e.Path != want.Path || e.Rule != want.Rule {
			t.Errorf("%q: %#v, want %+v", in, err, want)
		}
	}
}
