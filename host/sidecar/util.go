package sidecar

import (
	"bytes"
	"errors"
	"fmt"
	"html"

	"github.com/frontgate/frontgate/host/internal/strictjson"
	"github.com/frontgate/frontgate/host/internal/wasmrt"
	"github.com/frontgate/frontgate/plugin/abi"
)

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func htmlEscape(s string) string { return html.EscapeString(s) }

// decodeObject decodes a request body that must be one JSON object, read
// strictly (strictjson: valid UTF-8, no key twice, nothing after it, no
// member v has no field for); numbers in maps keep their digits.
func decodeObject(what string, body []byte, v any) *Error {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || b[0] != '{' {
		return errorf(400, abi.CodeBadInput, "%s: the body must be a JSON object", what)
	}
	if err := strictjson.Decode(b, v); err != nil {
		e := errorf(400, abi.CodeBadInput, "%s: %v", what, err)
		var se *strictjson.Error
		if errors.As(err, &se) && se.Path != "" {
			e.Fields = []wasmrt.Field{{Path: se.Path, Rule: se.Rule, Message: se.Message}}
		}
		return e
	}
	return nil
}
