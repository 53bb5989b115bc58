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
func Check(b []byte) error {
	if !utf8.Valid(b) {
		return &Error{Rule: "utf8", Message: fmt.Sprintf("the body is not valid UTF-8 (at byte %d)", invalidAt(b))}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := value(dec, nil, 0); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return &Error{Rule: "trailing", Message: "the body has more after its JSON value"}
	}
	return nil
}

// Decode checks b with Check and decodes it into v, refusing members v has
// no field for. Numbers decoded into interfaces stay json.Number, their
// digits as sent.
func Decode(b []byte, v any) error {
	if err := Check(b); err != nil {
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
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			name, _ := strconv.Unquote(f)
			return &Error{Path: name, Rule: "unknown", Message: "is not a field of this request"}
		}
		return &Error{Rule: "json", Message: err.Error()}
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

// value reads one value from dec; path is where it sits.
func value(dec *json.Decoder, path []string, depth int) error {
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
			if err := value(dec, append(path, key), depth+1); err != nil {
				return err
			}
		}
	case '[':
		for i := 0; dec.More(); i++ {
			if err := value(dec, append(path, strconv.Itoa(i)), depth+1); err != nil {
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
