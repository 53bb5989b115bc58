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
