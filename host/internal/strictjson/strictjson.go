// Package strictjson decodes the sidecar's request bodies as strictly as the
// reservation core reads orders: one JSON value, valid UTF-8, no key twice
// in an object, nesting at most MaxDepth, and (for structs) no unknown
// fields. encoding/json alone takes the last of two equal keys, replaces
// invalid UTF-8 with U+FFFD and, through a Decoder, ignores what follows
// the value; a body that two parsers could read differently is refused.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxDepth is the deepest nesting of objects and arrays a body may have,
// the core's limit.
const MaxDepth = 64

// Error says what is wrong with a body and where: Path is the member's
// JSON path ("order.lines.2", "" for the whole body), Rule a short name
// (json, utf8, duplicate, depth, trailing, unknown, type).
type Error struct {
	Path, Rule, Message string
}

func (e *Error) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}

// Check reports whether b is one strict JSON value.
func Check(b []byte) error { return check(b, nil) }

func check(b []byte, schema reflect.Type) error {
	if !utf8.Valid(b) {
		return &Error{Rule: "utf8", Message: fmt.Sprintf("the body is not valid UTF-8 (at byte %d)", invalidAt(b))}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := value(dec, nil, 0, schema); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return &Error{Rule: "trailing", Message: "the body has more after its JSON value"}
	}
	return nil
}

// Decode checks b with Check and decodes it into v. Every member of an
// object decoded into a struct must be one of its fields, named exactly as
// its json tag (encoding/json alone would take "OrderId" for "orderId");
// below a map, an interface or a json.RawMessage anything goes, as that is
// read elsewhere. Numbers decoded into interfaces stay json.Number, their
// digits as sent.
func Decode(b []byte, v any) error {
	if err := check(b, reflect.TypeOf(v)); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return &Error{Path: te.Field, Rule: "type", Message: "must be a JSON " + jsonKind(te.Type.Kind().String()) + ", not " + te.Value}
		}
		return &Error{Rule: "json", Message: err.Error()}
	}
	return nil
}

// fields returns the member names a struct type takes, each with its
// field's type: the json tag's name, or the field's own name without one,
// embedded structs' fields promoted, "-" and unexported fields left out.
func fields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-":
			continue
		case f.Anonymous && name == "" && deref(f.Type).Kind() == reflect.Struct:
			for k, ft := range fields(deref(f.Type)) {
				out[k] = ft
			}
			continue
		case !f.IsExported():
			continue
		case name == "":
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

func deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

var rawMessage = reflect.TypeOf(json.RawMessage(nil))

// below is the schema of what lies under a value of type t: t itself for
// a struct or a slice or array of them, nil where members are not checked.
func below(t reflect.Type) reflect.Type {
	t = deref(t)
	if t == nil || t == rawMessage {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Slice, reflect.Array:
		return t
	}
	return nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "map", "struct":
		return "object"
	case "slice", "array":
		return "array"
	}
	return "number"
}

// value reads one value from dec; path is where it sits, and schema (nil:
// anything) the Go type it will be decoded into.
func value(dec *json.Decoder, path []string, depth int, schema reflect.Type) error {
	schema = below(schema)
	tok, err := dec.Token()
	if err != nil {
		return syntax(err, path)
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	if depth+1 > MaxDepth {
		return &Error{Path: join(path), Rule: "depth", Message: fmt.Sprintf("nests deeper than %d objects and arrays", MaxDepth)}
	}
	switch d {
	case '{':
		var known map[string]reflect.Type
		if schema != nil && schema.Kind() == reflect.Struct {
			known = fields(schema)
		}
		seen := map[string]bool{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return syntax(err, path)
			}
			key, _ := k.(string)
			if seen[key] {
				return &Error{Path: join(append(path, key)), Rule: "duplicate", Message: "appears twice in its object"}
			}
			seen[key] = true
			var sub reflect.Type
			if known != nil {
				ft, ok := known[key]
				if !ok {
					return &Error{Path: join(append(path, key)), Rule: "unknown", Message: "is not a field of this request"}
				}
				sub = ft
			}
			if err := value(dec, append(path, key), depth+1, sub); err != nil {
				return err
			}
		}
	case '[':
		var elem reflect.Type
		if schema != nil && (schema.Kind() == reflect.Slice || schema.Kind() == reflect.Array) {
			elem = schema.Elem()
		}
		for i := 0; dec.More(); i++ {
			if err := value(dec, append(path, strconv.Itoa(i)), depth+1, elem); err != nil {
				return err
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing delimiter
		return syntax(err, path)
	}
	return nil
}

func syntax(err error, path []string) error {
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return &Error{Path: join(path), Rule: "json", Message: "the body ends before its JSON value does"}
	}
	return &Error{Path: join(path), Rule: "json", Message: "not valid JSON: " + strings.TrimPrefix(err.Error(), "json: ")}
}

func join(path []string) string { return strings.Join(path, ".") }

func invalidAt(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}
