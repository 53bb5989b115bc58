package ops

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/frontgate/frontgate/plugin/abi"
	"github.com/frontgate/frontgate/plugin/internal/jsonx"
)

func envelope(t *testing.T, out []byte) (ok bool, code, msg string) {
	t.Helper()
	var e struct {
		OK    bool
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(out, &e); err != nil {
		t.Fatalf("not JSON: %v: %s", err, out)
	}
	return e.OK, e.Error.Code, e.Error.Message
}

func TestCallEdges(t *testing.T) {
	tests := []struct {
		name, fn string
		in       []byte
		code     string
		msg      string
	}{
		{"unknown op", "void", []byte(`{}`), abi.CodeUnknownOp, `unknown operation "void"`},
		{"too large", abi.FuncValidateDetails, bytes.Repeat([]byte(" "), abi.MaxInput+1), abi.CodeTooLarge, "validate_details: input of 1048577 bytes exceeds the limit of 1048576"},
		{"invalid utf-8", abi.FuncValidateDetails, []byte("{\"reservationUuid\":\"RES\xff\"}"), abi.CodeBadInput, "validate_details: invalid json at offset 23: invalid UTF-8 in string"},
		{"not an object", abi.FuncValidateDetails, []byte(`[1]`), abi.CodeBadInput, "validate_details: input must be a JSON object"},
		{"truncated", abi.FuncBuildCreate, []byte(`{"order":{`), abi.CodeBadInput, "build_create: invalid json at offset 10: object key expected"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, code, msg := envelope(t, Call(tc.fn, tc.in))
			if ok || code != tc.code || msg != tc.msg {
				t.Fatalf("got ok=%v code=%q msg=%q, want %q %q", ok, code, msg, tc.code, tc.msg)
			}
		})
	}
}

func TestEmptyInputIsAnEmptyObject(t *testing.T) {
	ok, _, _ := envelope(t, Call(abi.FuncManifest, nil))
	if !ok {
		t.Fatal("manifest with no input failed")
	}
	ok, code, _ := envelope(t, Call(abi.FuncValidateDetails, nil))
	if ok || code != abi.CodeValidation {
		t.Fatalf("validate_details with no input: ok=%v code=%q", ok, code)
	}
}

// TestPanicBecomesEnvelope proves the recovery path with a handler that
// panics: the caller gets an internal error, never a crash.
func TestPanicBecomesEnvelope(t *testing.T) {
	register(named{"test_panic", func(jsonx.Value, *jsonx.Writer) *opError { panic("boom") }})
	defer unregister("test_panic")
	ok, code, msg := envelope(t, Call("test_panic", []byte(`{}`)))
	if ok || code != abi.CodeInternal || msg != "test_panic: internal error: boom" {
		t.Fatalf("got ok=%v code=%q msg=%q", ok, code, msg)
	}
}

// TestEveryOperationRegistered keeps plugin/abi and this package in step.
func TestEveryOperationRegistered(t *testing.T) {
	for _, op := range abi.Operations {
		if _, ok := handlers[op.Name]; !ok {
			t.Errorf("%s is in abi.Operations but has no handler", op.Name)
		}
	}
	if len(handlers) != len(abi.Operations) {
		t.Errorf("%d handlers for %d operations", len(handlers), len(abi.Operations))
	}
}

// TestLookup: the slot table gives every operation the handler the map
// holds, has a slot for each of them, and answers no for other names.
func TestLookup(t *testing.T) {
	inSlots := 0
	for name, want := range handlers {
		h, ok := lookup(name)
		if !ok || reflect.ValueOf(h).Pointer() != reflect.ValueOf(want).Pointer() {
			t.Errorf("lookup(%q) = %v, %v", name, h, ok)
		}
		if e := slots.tab[slotOf(name)]; e.name == name {
			inSlots++
		}
	}
	if inSlots != len(handlers) {
		t.Errorf("%d of %d operations have a slot", inSlots, len(handlers))
	}
	for _, name := range []string{"", "nope", "build_creat", "build_createx", "Build_create", "build_crXate", "parse_resend "} {
		if _, ok := lookup(name); ok {
			t.Errorf("lookup(%q) found a handler", name)
		}
	}
	register(named{"test_lookup", manifest})
	if _, ok := lookup("test_lookup"); !ok {
		t.Error("a name registered after the table was built is not found")
	}
	unregister("test_lookup")
	if _, ok := lookup("test_lookup"); ok {
		t.Error("an unregistered name is still found")
	}
}

func FuzzCall(f *testing.F) {
	for _, op := range abi.Operations {
		f.Add(op.Name, []byte(`{}`))
	}
	f.Add(abi.FuncBuildCreate, []byte(`{"order":{"lines":[{"name":"a","unitPrice":1,"quantity":1,"taxRate":0}]}}`))
	f.Fuzz(func(t *testing.T, fn string, in []byte) {
		out := Call(fn, in)
		var e struct {
			OK    *bool
			Error *struct{ Code string }
		}
		if err := json.Unmarshal(out, &e); err != nil || e.OK == nil {
			t.Fatalf("not an envelope: %s", out)
		}
		if e.Error != nil && e.Error.Code == abi.CodeInternal {
			t.Fatalf("internal error for %s %q: %s", fn, in, out)
		}
		if !*e.OK && e.Error == nil || strings.Contains(string(out), "\n") {
			t.Fatalf("bad envelope: %s", out)
		}
	})
}

// TestCallerReuse runs every kind of call through one Caller, in turn, the
// way the wasm shim does: each answer is Call's, whatever came before it
// (a bigger input, a refused one, a panic), and between calls the Caller
// holds nothing of the last input or result.
func TestCallerReuse(t *testing.T) {
	register(named{"test_panic", func(jsonx.Value, *jsonx.Writer) *opError { panic("boom") }})
	defer unregister("test_panic")
	type call struct {
		fn string
		in []byte
	}
	var calls []call
	for fn, in := range benchInputs() {
		calls = append(calls, call{fn, in})
	}
	calls = append(calls,
		call{"test_panic", []byte(`{}`)},
		call{abi.FuncBuildDetails, []byte(`{"reservationUuid":`)}, // not JSON
		call{abi.FuncBuildDetails, []byte(`[]`)},                  // not an object
		call{"no_such_op", []byte(`{}`)},
		call{abi.FuncManifest, nil},
		call{abi.FuncBuildDetails, []byte(`{"reservationUuid":"RES1943140879"}`)},
	)
	var c Caller
	for round := range 2 {
		for _, k := range calls {
			want := Call(k.fn, k.in)
			var got []byte
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("Caller.Call(%s) panicked: %v", k.fn, r)
					}
				}()
				got = c.Call(make([]byte, 0, 64<<10), k.fn, k.in)
			}()
			if !bytes.Equal(got, want) {
				t.Fatalf("round %d, %s: Caller %s\nCall %s", round, k.fn, got, want)
			}
			if c.w.Bytes() != nil {
				t.Fatalf("%s: the Caller keeps the result buffer", k.fn)
			}
		}
	}
}

// CallInto writes exactly Call's bytes, into the given storage when it is
// large enough and whatever it held before.
func TestCallIntoMatchesCall(t *testing.T) {
	for fn, in := range benchInputs() {
		want := Call(fn, in)
		buf := bytes.Repeat([]byte{'x'}, 64<<10)
		got := CallInto(buf, fn, in)
		if !bytes.Equal(got, want) {
			t.Fatalf("%s: CallInto %s\nCall %s", fn, got, want)
		}
		if &got[0] != &buf[0] {
			t.Errorf("%s: result not written into the given buffer", fn)
		}
		if small := CallInto(make([]byte, 0, 8), fn, in); !bytes.Equal(small, want) {
			t.Fatalf("%s: CallInto with a small buffer: %s", fn, small)
		}
	}
}

// FuzzParsedBody pastes a body into a parse input as a JSON value (ABI
// 1.1), unchecked, the way a host may, and compares the answer with the
// body as text: it must be the same bytes, or bad_input because the pasted
// input is not JSON to the core's parser, or because something followed the
// body's value (last_member). No body may make the two forms disagree.
func FuzzParsedBody(f *testing.F) {
	files, _ := filepath.Glob("../reservation/testdata/responses/*.json")
	for _, name := range files {
		body, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(1), 201, body)
		f.Add(uint8(2), 200, body)
	}
	created := `{"status_code":201,"is_data":true,"data":{"customerUuid":"C1","reservationUuid":"RES1","paymentUrl":"https://p.example/x"}}`
	f.Add(uint8(0), 201, []byte(created+`, "requestId": "forged"`))
	f.Add(uint8(0), 201, []byte(created+`}`))
	f.Add(uint8(0), 201, []byte(`{"status_code":500}, "body": `+created))
	f.Add(uint8(4), 500, []byte(` ["Server Error"] `))
	f.Add(uint8(3), 202, []byte(`{"a":1,"a":2}`))
	ops := []string{abi.FuncParseCreate, abi.FuncParseSubmit, abi.FuncParseDetails, abi.FuncParseCapture, abi.FuncParseCancel, abi.FuncParseHistory}
	f.Fuzz(func(t *testing.T, op uint8, status int, body []byte) {
		fn := ops[int(op)%len(ops)]
		// A host tells the form by the first byte after JSON whitespace
		// and pastes the body as it came (wasmrt.ParseInput).
		first := bytes.TrimLeft(body, " \t\r\n")
		if len(first) == 0 || (first[0] != '{' && first[0] != '[') {
			return // goes as text; nothing to compare
		}
		head := `{"status":` + strconv.Itoa(status) + `,"requestId":"req-1",`
		text, _ := json.Marshal(string(body))
		want := Call(fn, []byte(head+`"body":`+string(text)+`}`))
		pasted := []byte(head + `"body":` + string(body) + `}`)
		got := Call(fn, pasted)
		if bytes.Equal(got, want) {
			return
		}
		var e struct {
			Error *struct {
				Code   string
				Fields []struct{ Path, Rule string }
			}
		}
		if json.Unmarshal(got, &e) != nil || e.Error == nil || e.Error.Code != abi.CodeBadInput {
			t.Fatalf("the forms disagree for %q:\npasted: %s\ntext:   %s", body, got, want)
		}
		lastMember := len(e.Error.Fields) > 0 && e.Error.Fields[0].Path == "body" && e.Error.Fields[0].Rule == "last_member"
		if _, err := jsonx.Parse(pasted); err == nil && !lastMember {
			t.Fatalf("bad_input for a pasted body that parses, %q: %s", body, got)
		}
		// Not last only when the body's bytes were not one JSON value
		// (an independent check: the parser on the body alone).
		if _, err := jsonx.Parse(body); lastMember && err == nil {
			t.Fatalf("last_member for a body that is one JSON value, %q: %s", body, got)
		}
	})
}
