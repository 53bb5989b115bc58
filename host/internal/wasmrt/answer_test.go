package wasmrt

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/frontgate/frontgate/plugin/abi"
)

// countingCore counts calls and reports the ABI version it is given.
type countingCore struct {
	Core
	version uint32 // 0: no ABIVersion method is reachable (see oldCore)
	calls   int
}

func (c *countingCore) Call(ctx context.Context, fn string, in []byte) ([]byte, error) {
	c.calls++
	return c.Core.Call(ctx, fn, in)
}

func (c *countingCore) ABIVersion() uint32 { return c.version }

// oldCore is a Core that does not say which ABI it speaks.
type oldCore struct{ Core }

func TestParseInputForms(t *testing.T) {
	obj := []byte(" \n{\"status_code\":201}\n")
	cases := []struct {
		name string
		core Core
		body []byte
		want string
	}{
		{"object, native", NewNative(), obj, "{\"status\":201,\"requestId\":\"r\\\"1\",\"body\": \n{\"status_code\":201}\n}"},
		{"a form feed is not JSON whitespace", NewNative(), []byte("\f{}"), `{"status":201,"requestId":"r\"1","body":"\f{}"}`},
		{"array", NewNative(), []byte(`["x"]`), `{"status":201,"requestId":"r\"1","body":["x"]}`},
		{"a JSON string stays text", NewNative(), []byte(`"x"`), `{"status":201,"requestId":"r\"1","body":"\"x\""}`},
		{"html stays text", NewNative(), []byte(`<p>&</p>`), `{"status":201,"requestId":"r\"1","body":"<p>&</p>"}`},
		{"empty stays text", NewNative(), nil, `{"status":201,"requestId":"r\"1","body":""}`},
		{"a core of ABI 1.0", &countingCore{Core: NewNative(), version: 1 << 16}, obj, `{"status":201,"requestId":"r\"1","body":" \n{\"status_code\":201}\n"}`},
		{"a core that does not say", oldCore{NewNative()}, obj, `{"status":201,"requestId":"r\"1","body":" \n{\"status_code\":201}\n"}`},
	}
	for _, c := range cases {
		got, asJSON := ParseInput(c.core, Answer{Status: 201, Body: c.body, RequestID: `r"1`})
		if string(got) != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
		if want := !strings.Contains(c.want, `"body":"`); asJSON != want {
			t.Errorf("%s: asJSON = %v", c.name, asJSON)
		}
		if !json.Valid(got) {
			t.Errorf("%s: not JSON: %s", c.name, got)
		}
	}
	if got, _ := ParseInput(NewNative(), Answer{Status: 200, Body: []byte(`{}`)}); string(got) != `{"status":200,"body":{}}` {
		t.Errorf("without a request id: %s", got)
	}
}

// TestCallParseAnswersAsText replays every parse vector whose body is text
// through CallParse, natively and in the module: whichever form CallParse
// picks, the answer must be the vector's, byte for byte. Bodies that look
// like JSON but are not must have gone in twice (JSON, then text).
func TestCallParseAnswersAsText(t *testing.T) {
	ctx := context.Background()
	for _, impl := range []struct {
		name string
		core Core
	}{{"native", NewNative()}, {"wasm", shared(t)}} {
		t.Run(impl.name, func(t *testing.T) {
			var asJSON, retried int
			for _, v := range vectors(t) {
				if !strings.HasPrefix(v.Func, "parse_") {
					continue
				}
				var in struct {
					Status    int     `json:"status"`
					Body      *string `json:"body"`
					RequestID string  `json:"requestId"`
				}
				if err := json.Unmarshal([]byte(v.Input), &in); err != nil || in.Body == nil || in.Status < 100 || in.Status > 599 {
					continue // not an answer in the text form
				}
				a := Answer{Status: in.Status, Body: []byte(*in.Body), RequestID: in.RequestID}
				cc := &countingCore{Core: impl.core, version: abiVersion(impl.core)}
				out, err := CallParse(ctx, cc, v.Func, a)
				if err != nil {
					t.Fatalf("%s: %v", v.Name, err)
				}
				if string(out) != v.Output {
					t.Errorf("%s:\n got %s\nwant %s", v.Name, out, v.Output)
				}
				if _, j := ParseInput(cc, a); j {
					asJSON++
				}
				if cc.calls == 2 {
					retried++
					if json.Valid(a.Body) {
						t.Errorf("%s: a valid JSON body was sent again as text", v.Name)
					}
				}
			}
			if asJSON < 20 || retried == 0 {
				t.Fatalf("%d answers went in as JSON, %d again as text; the vectors should exercise both", asJSON, retried)
			}
			t.Logf("%d answers went in as JSON, %d of them again as text", asJSON, retried)
		})
	}
}

// TestDoParse decodes a parse's data, and returns an answer's failure as an
// *EnvelopeError with FrontGo's details.
func TestDoParse(t *testing.T) {
	ctx := context.Background()
	created := []byte(`{"status_code":201,"message":"ok","is_data":true,"data":{"customerUuid":"CSRT1","reservationUuid":"RES1943140879","paymentUrl":"https://pay.example/x"}}`)
	got, err := DoParse[struct {
		PaymentURL string `json:"paymentUrl"`
	}](ctx, NewNative(), abi.FuncParseCreate, Answer{Status: 201, Body: created})
	if err != nil || got.PaymentURL != "https://pay.example/x" {
		t.Fatalf("got %+v, %v", got, err)
	}
	_, err = DoParse[json.RawMessage](ctx, NewNative(), abi.FuncParseCreate, Answer{Status: 503, Body: []byte(`{"status_code":503,"message":"down"`), RequestID: "req-9"})
	ee, ok := err.(*EnvelopeError)
	// A 5xx to a write (create) may have happened: not retryable, its
	// outcome unknown (ABI 1.2).
	if !ok || ee.Code != abi.CodeUpstream || ee.HTTPStatus != 503 || ee.RequestID != "req-9" || ee.Retryable || !ee.OutcomeUnknown {
		t.Fatalf("err = %#v", err)
	}
	// A 5xx to a read is retryable and unknown is not a question.
	_, err = DoParse[json.RawMessage](ctx, NewNative(), abi.FuncParseDetails, Answer{Status: 503, Body: []byte(`{"status_code":503,"message":"down"}`)})
	if ee, ok := err.(*EnvelopeError); !ok || !ee.Retryable || ee.OutcomeUnknown {
		t.Fatalf("details 503: %#v", err)
	}
}

// TestParsedBodySizeLimit pins the one documented difference between the
// forms: the input limit counts the body as sent, so a body that fits as a
// value can be too large escaped into a string (plugin/ABI.md, parse_*).
func TestParsedBodySizeLimit(t *testing.T) {
	ctx := context.Background()
	body := []byte(`{"status_code":201,"message":"ok","is_data":true,"data":{"customerUuid":"C1",` +
		`"reservationUuid":"RES1943140879","paymentUrl":"https://p.example/x"},"pad":"` +
		strings.Repeat(`\"`, abi.MaxInput/3) + `"}`)
	for _, c := range []Core{NewNative(), shared(t)} {
		out, err := CallParse(ctx, c, abi.FuncParseCreate, Answer{Status: 201, Body: body})
		if err != nil || !strings.HasPrefix(string(out), `{"ok":true`) {
			t.Fatalf("as a value: %v %.200s", err, out)
		}
		text, err := c.Call(ctx, abi.FuncParseCreate, textInput(Answer{Status: 201, Body: body}))
		if err != nil || !strings.Contains(string(text), `"code":"`+abi.CodeTooLarge+`"`) {
			t.Fatalf("as text: %v %.200s", err, text)
		}
	}
}
