// Package strictjson decodes the sidecar's request bodies as strictly as the
// reservation core reads orders: one JSON value, valid UTF-8, no key twice
// in an object, nesting at most MaxDepth, and (for structs) no member that
// is not one of its fields, named exactly. encoding/json alone takes the
// last of two equal keys, matches field names in any case, replaces invalid
// UTF-8 with U+FFFD and, through a Decoder, ignores what follows the value;
// a body that two parsers could read differently is refused.
//
// The structure is checked by a small scanner of its own, a byte at a time
// (encoding/json's token reader allocates per token: a third of a
// checkout's time); encoding/json then decodes, checking the syntax once
// more as it does.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
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

// Decode checks b and decodes it into v. Every member of an object decoded
// into a struct must be one of its fields, named exactly as its json tag
// (encoding/json alone would take "OrderId" for "orderId"); below a map or
// an interface any names go. A json.RawMessage is not looked into here
// (encoding/json checks its syntax): its reader checks keys and depth
// itself, as the core does an order's. Numbers decoded into interfaces
// stay json.Number, their digits as sent.
func Decode(b []byte, v any) error {
	if err := check(b, reflect.TypeOf(v)); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return &Error{Path: te.Field, Rule: "type", Message: "must be a JSON " + jsonKind(te.Type.Kind().String()) + ", not " + te.Value}
		}
		return &Error{Rule: "json", Message: "not valid JSON: " + strings.TrimPrefix(err.Error(), "json: ")}
	}
	return nil
}

func check(b []byte, schema reflect.Type) error {
	if !utf8.Valid(b) {
		return &Error{Rule: "utf8", Message: fmt.Sprintf("the body is not valid UTF-8 (at byte %d)", invalidAt(b))}
	}
	s := &scanner{b: b}
	if err := s.value(nil, 0, schema); err != nil {
		return err
	}
	s.ws()
	if s.i < len(s.b) {
		return &Error{Rule: "trailing", Message: "the body has more after its JSON value"}
	}
	return nil
}

type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) fail(path []string, what string) error {
	if s.i >= len(s.b) {
		return &Error{Path: join(path), Rule: "json", Message: "the body ends before its JSON value does"}
	}
	return &Error{Path: join(path), Rule: "json", Message: fmt.Sprintf("not valid JSON: %s at byte %d", what, s.i)}
}

// value reads one value; path is where it sits, and schema (nil: anything)
// the Go type it will be decoded into.
func (s *scanner) value(path []string, depth int, schema reflect.Type) error {
	s.ws()
	if s.i >= len(s.b) {
		return s.fail(path, "")
	}
	if schema != nil && deref(schema) == rawMessage {
		return s.skip(path)
	}
	schema = below(schema)
	switch c := s.b[s.i]; c {
	case '{', '[':
		if depth+1 > MaxDepth {
			return &Error{Path: join(path), Rule: "depth", Message: fmt.Sprintf("nests deeper than %d objects and arrays", MaxDepth)}
		}
		s.i++
		if c == '{' {
			return s.object(path, depth+1, schema)
		}
		return s.array(path, depth+1, schema)
	case '"':
		_, _, err := s.str(path)
		return err
	default:
		return s.scalar(path)
	}
}

func (s *scanner) object(path []string, depth int, schema reflect.Type) error {
	var known map[string]reflect.Type
	if schema != nil && schema.Kind() == reflect.Struct {
		known = fields(schema)
	}
	var seen []string
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return nil
	}
	for {
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			return s.fail(path, "expected a member name")
		}
		raw, escaped, err := s.str(path)
		if err != nil {
			return err
		}
		key := string(raw)
		if escaped {
			if err := json.Unmarshal(s.b[s.i-len(raw)-2:s.i], &key); err != nil {
				return s.fail(path, "a member name that does not decode")
			}
		}
		for _, k := range seen {
			if k == key {
				return &Error{Path: join(append(path, key)), Rule: "duplicate", Message: "appears twice in its object"}
			}
		}
		seen = append(seen, key)
		var sub reflect.Type
		if known != nil {
			ft, ok := known[key]
			if !ok {
				return &Error{Path: join(append(path, key)), Rule: "unknown", Message: "is not a field of this request"}
			}
			sub = ft
		}
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return s.fail(path, "expected ':'")
		}
		s.i++
		if err := s.value(append(path, key), depth, sub); err != nil {
			return err
		}
		if end, err := s.after(path, '}'); end || err != nil {
			return err
		}
	}
}

// after reads what follows a member or element: ',' (false: another comes)
// or the closing bracket (true).
func (s *scanner) after(path []string, closing byte) (end bool, err error) {
	s.ws()
	switch {
	case s.i >= len(s.b):
		return false, s.fail(path, "")
	case s.b[s.i] == ',':
		s.i++
		return false, nil
	case s.b[s.i] == closing:
		s.i++
		return true, nil
	}
	return false, s.fail(path, "expected ',' or '"+string(closing)+"'")
}

func (s *scanner) array(path []string, depth int, schema reflect.Type) error {
	var elem reflect.Type
	if schema != nil && (schema.Kind() == reflect.Slice || schema.Kind() == reflect.Array) {
		elem = schema.Elem()
	}
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return nil
	}
	for n := 0; ; n++ {
		if err := s.value(append(path, strconv.Itoa(n)), depth, elem); err != nil {
			return err
		}
		if end, err := s.after(path, ']'); end || err != nil {
			return err
		}
	}
}

// str reads a string at s.i ('"'), returning its raw contents and whether
// they hold an escape.
func (s *scanner) str(path []string) (raw []byte, escaped bool, err error) {
	start := s.i + 1
	for i := start; i < len(s.b); i++ {
		switch c := s.b[i]; {
		case c == '\\':
			escaped = true
			i++
			if i >= len(s.b) {
				break
			}
			switch s.b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(s.b) || !hex4(s.b[i+1:i+5]) {
					s.i = i
					return nil, false, s.fail(path, "a \\u escape without four hex digits")
				}
				i += 4
			default:
				s.i = i
				return nil, false, s.fail(path, "an unknown escape in a string")
			}
		case c == '"':
			s.i = i + 1
			return s.b[start:i], escaped, nil
		case c < 0x20:
			s.i = i
			return nil, false, s.fail(path, "a control character in a string")
		}
	}
	s.i = len(s.b)
	return nil, false, s.fail(path, "")
}

// scalar reads a number (JSON's grammar) or true, false or null.
func (s *scanner) scalar(path []string) error {
	for _, lit := range [...]string{"true", "false", "null"} {
		if bytes.HasPrefix(s.b[s.i:], []byte(lit)) {
			s.i += len(lit)
			return nil
		}
	}
	start := s.i
	digits := func() int {
		n := 0
		for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case digits() == 0:
		s.i = start
		return s.fail(path, "an unexpected character")
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if digits() == 0 {
			return s.fail(path, "a number without digits after its '.'")
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if digits() == 0 {
			return s.fail(path, "a number without digits in its exponent")
		}
	}
	return nil
}

// skip steps over one value without looking into it (a json.RawMessage).
func (s *scanner) skip(path []string) error {
	depth := 0
	for s.i < len(s.b) {
		switch c := s.b[s.i]; c {
		case '"':
			if _, _, err := s.str(path); err != nil {
				return err
			}
		case '{', '[':
			depth++
			s.i++
		case '}', ']':
			if depth == 0 {
				return nil // the end of the enclosing value
			}
			depth--
			s.i++
		case ',':
			if depth == 0 {
				return nil
			}
			s.i++
		default:
			s.i++
		}
		if depth == 0 {
			if c := s.b[s.i-1]; c == '"' || c == '}' || c == ']' {
				return nil
			}
		}
	}
	if depth > 0 {
		return s.fail(path, "")
	}
	return nil
}

func hex4(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
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

var fieldCache sync.Map // reflect.Type → map[string]reflect.Type

// fields returns the member names a struct type takes, each with its
// field's type: the json tag's name, or the field's own name without one,
// embedded structs' fields promoted, "-" and unexported fields left out.
func fields(t reflect.Type) map[string]reflect.Type {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
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
	fieldCache.Store(t, out)
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
// a struct or a slice or array, nil where members are not checked.
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
