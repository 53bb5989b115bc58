package wasmrt

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"

	"github.com/frontgate/frontgate/plugin/abi"
)

// Answer is FrontGo's answer to a request, as the parse operations take it.
type Answer struct {
	Status    int
	Body      []byte
	RequestID string
}

// abiVersion reports the packed ABI version a core speaks (abi.PackedVersion
// layout): what its ABIVersion method says, or 1.0.0 for a Core without one.
func abiVersion(c Core) uint32 {
	if v, ok := c.(interface{ ABIVersion() uint32 }); ok {
		return v.ABIVersion()
	}
	return 1 << 16
}

// ParseInput returns the input of a parse operation for a. When c speaks
// ABI 1.1 or later and the body looks like a JSON object or array, the body
// goes in as that JSON value, as the input's last member, so the core reads
// it once instead of unescaping a string and then parsing it (parse_details
// about a fifth faster in the guest; BENCHMARKS.md). asJSON reports which
// form it chose. The body is not checked here: the core parses the whole
// input, and refuses it as bad_input if the body was not one JSON value.
func ParseInput(c Core, a Answer) (input []byte, asJSON bool) {
	// JSON's whitespace only: bytes.TrimSpace would also step over a form
	// feed, which makes a body that looks like an object not JSON.
	first := bytes.TrimLeft(a.Body, " \t\r\n")
	if abiVersion(c) < abi.ParsedBodySince || len(first) == 0 || (first[0] != '{' && first[0] != '[') {
		return textInput(a), false
	}
	return answerInput(a, a.Body), true
}

// textInput is the ABI 1.0 form: the body as a JSON string.
func textInput(a Answer) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(string(a.Body)) // a string always encodes
	return answerInput(a, bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// answerInput writes {"status":…,"requestId":…,"body":<body>}, the body
// last and as given.
func answerInput(a Answer, body []byte) []byte {
	b := make([]byte, 0, len(body)+len(a.RequestID)+48)
	b = append(b, `{"status":`...)
	b = strconv.AppendInt(b, int64(a.Status), 10)
	b = append(b, ',')
	if a.RequestID != "" {
		id, _ := json.Marshal(a.RequestID)
		b = append(b, `"requestId":`...)
		b = append(b, id...)
		b = append(b, ',')
	}
	b = append(b, `"body":`...)
	b = append(b, body...)
	return append(b, '}')
}

// CallParse runs fn, a parse_* operation, on a and returns the envelope.
// If the body went in as JSON and the core refused the input as bad_input
// (the body was not valid JSON after all, had a duplicate key, or nested
// deeper than the core's limit inside the input), it asks again with the
// body as text and returns that answer, the one the text form has always
// given (for a 2xx body that is not JSON, an "upstream" error of kind
// "malformed" naming the JSON problem). The one difference from sending the
// text every time is size: a body that fits the core's input limit as a
// value can be too large once escaped into a string (plugin/ABI.md).
func CallParse(ctx context.Context, c Core, fn string, a Answer) ([]byte, error) {
	in, asJSON := ParseInput(c, a)
	out, err := c.Call(ctx, fn, in)
	if err != nil || !asJSON || !bytes.HasPrefix(out, badInputPrefix) {
		return out, err
	}
	return c.Call(ctx, fn, textInput(a))
}

var badInputPrefix = []byte(`{"ok":false,"error":{"code":"` + abi.CodeBadInput + `"`)

// DoParse is Do for a parse operation: CallParse, then the envelope's data
// decoded into Out, or its error as *EnvelopeError.
func DoParse[Out any](ctx context.Context, c Core, fn string, a Answer) (Out, error) {
	raw, err := CallParse(ctx, c, fn, a)
	return decodeData[Out](fn, raw, err)
}
