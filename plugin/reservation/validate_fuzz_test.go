package reservation

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/frontgate/frontgate/plugin/internal/jsonx"
)

// seedPayloads adds the payloads of every conformance vector for fn.
func seedPayloads(f *testing.F, fn string) {
	f.Helper()
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "vectors", "*.json"))
	n := 0
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var v struct{ Func, Input string }
		if err := json.Unmarshal(b, &v); err != nil || v.Func != fn {
			continue
		}
		var in struct {
			ReservationUUID string          `json:"reservationUuid"`
			Payload         json.RawMessage `json:"payload"`
		}
		if json.Unmarshal([]byte(v.Input), &in) == nil && in.Payload != nil {
			f.Add(in.ReservationUUID, []byte(in.Payload))
			n++
		}
	}
	if n == 0 {
		f.Fatalf("no seeds for %s", fn)
	}
}

// checkValidation is the property every validator keeps: no panic, and an
// error is a *ValidationError whose fields each name a rule and carry a
// message in valid UTF-8.
func checkValidation(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error is %T, not *ValidationError: %v", err, err)
	}
	if len(ve.Fields) == 0 {
		t.Fatal("validation error without fields")
	}
	for _, f := range ve.Fields {
		if f.Rule == "" || f.Message == "" || !utf8.ValidString(f.Message) || !utf8.ValidString(f.Path) {
			t.Fatalf("bad field error %+v", f)
		}
	}
}

var fuzzOpts = Options{Now: time.Unix(1756871295, 0)}

// sameInPlace holds ValidateNewValue, given body as a member of a larger
// document, to the answer of ValidateSubmit/ValidateCreate on body alone.
func sameInPlace(t *testing.T, op string, body []byte, want error) {
	t.Helper()
	if _, err := jsonx.Parse(body); err != nil {
		return // not one JSON value: the ABI refuses the whole input before validation
	}
	d, err := jsonx.Parse([]byte(`{"now":1,"payload":` + string(body) + `,"z":[]}`))
	if err != nil {
		t.Fatalf("embedding a valid body: %v", err)
	}
	got := ValidateNewValue(op, d.Root().Get("payload"), fuzzOpts)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("in place: %v\nalone: %v", got, want)
	}
}

func FuzzValidateSubmit(f *testing.F) {
	seedPayloads(f, "validate_submit")
	f.Fuzz(func(t *testing.T, _ string, body []byte) {
		err := ValidateSubmit(body, fuzzOpts)
		checkValidation(t, err)
		sameInPlace(t, OpSubmit, body, err)
		if err == nil {
			// A valid body decodes and rebuilds into a valid body.
			r, err := DecodeNew(OpSubmit, body, fuzzOpts)
			if err != nil {
				t.Fatalf("valid body does not decode: %v", err)
			}
			if _, err := BuildSubmit(r, fuzzOpts); err != nil {
				t.Fatalf("decoded body does not rebuild: %v", err)
			}
		}
	})
}

func FuzzValidateCreate(f *testing.F) {
	seedPayloads(f, "validate_create")
	f.Fuzz(func(t *testing.T, _ string, body []byte) {
		err := ValidateCreate(body, fuzzOpts)
		checkValidation(t, err)
		sameInPlace(t, OpCreate, body, err)
		if err == nil {
			r, err := DecodeNew(OpCreate, body, fuzzOpts)
			if err != nil {
				t.Fatalf("valid body does not decode: %v", err)
			}
			if _, err := BuildCreate(r, fuzzOpts); err != nil {
				t.Fatalf("decoded body does not rebuild: %v", err)
			}
		}
	})
}

func FuzzValidateLines(f *testing.F) {
	seedPayloads(f, "validate_capture")
	seedPayloads(f, "validate_charge")
	seedPayloads(f, "validate_refund")
	f.Fuzz(func(t *testing.T, uuid string, body []byte) {
		checkValidation(t, ValidateCapture(uuid, body))
		checkValidation(t, ValidateCharge(uuid, body, fuzzOpts))
		checkValidation(t, ValidateRefund(uuid, body))
		if ValidateCapture(uuid, body) == nil {
			c, err := DecodeCapture(uuid, body)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := BuildCapture(uuid, c); err != nil {
				t.Fatalf("decoded capture does not rebuild: %v", err)
			}
		}
		if ValidateRefund(uuid, body) == nil {
			r, err := DecodeRefund(uuid, body)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := BuildRefund(uuid, r); err != nil {
				t.Fatalf("decoded refund does not rebuild: %v", err)
			}
		}
	})
}

func FuzzValidateSmall(f *testing.F) {
	seedPayloads(f, "validate_cancel")
	seedPayloads(f, "validate_complete")
	seedPayloads(f, "validate_resend")
	f.Fuzz(func(t *testing.T, uuid string, body []byte) {
		checkValidation(t, ValidateCancel(uuid, body))
		checkValidation(t, ValidateComplete(uuid, body))
		checkValidation(t, ValidateResend(uuid, body))
		checkValidation(t, ValidateDetails(uuid))
		s, e, _ := strings.Cut(string(body), "/")
		checkValidation(t, ValidateHistory(s, e))
		if ValidateDetails(uuid) == nil {
			p, err := Path(OpCapture, uuid)
			if err != nil || strings.ContainsAny(p[len("/connect/reservations/capture/"):], "/?#%.") {
				t.Fatalf("uuid %q makes path %q (%v)", uuid, p, err)
			}
		}
	})
}

// fuzzOrder is the CheckedOrder FuzzDecodeOrder decodes every input into.
var fuzzOrder CheckedOrder

func FuzzDecodeOrder(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "vectors", "build-*.json"))
	for _, file := range files {
		b, _ := os.ReadFile(file)
		var v struct{ Input string }
		json.Unmarshal(b, &v)
		var in struct {
			Order json.RawMessage `json:"order"`
		}
		if json.Unmarshal([]byte(v.Input), &in) == nil && in.Order != nil {
			f.Add([]byte(in.Order))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ord, err := DecodeOrder(body)
		checkValidation(t, err)
		if err != nil {
			return
		}
		// The checked path writes without re-validating: hold every payload
		// it writes to the full validation.
		d, _ := jsonx.Parse(body)
		co, err := DecodeChecked(d.Root(), fuzzOpts)
		checkValidation(t, err)
		// Decoding into the CheckedOrder of all earlier inputs, which
		// reuses their storage, gives the same order and payloads.
		rerr := DecodeCheckedInto(d.Root(), fuzzOpts, &fuzzOrder)
		if (rerr == nil) != (err == nil) || (err != nil && rerr.Error() != err.Error()) ||
			(err == nil && !reflect.DeepEqual(fuzzOrder.Order(), co.Order())) {
			t.Fatalf("DecodeCheckedInto a reused CheckedOrder differs:\n%+v %v\n%+v %v", fuzzOrder.Order(), rerr, co, err)
		}
		for _, op := range []string{OpSubmit, OpCreate} {
			if co != nil {
				b, err := co.Build(op, fuzzOpts, "", "", "")
				checkValidation(t, err)
				if rb, rerr := fuzzOrder.Build(op, fuzzOpts, "", "", ""); string(rb) != string(b) || (rerr == nil) != (err == nil) {
					t.Fatalf("%s from a reused CheckedOrder differs:\n%s %v\n%s %v", op, rb, rerr, b, err)
				}
				if err == nil {
					validate := ValidateCreate
					if op == OpSubmit {
						validate = ValidateSubmit
					}
					if err := validate(b, fuzzOpts); err != nil {
						t.Fatalf("checked %s payload invalid: %v\n%s", op, err, b)
					}
				}
			}
			b, err := BuildOrder(op, ord, fuzzOpts)
			checkValidation(t, err)
			if co != nil {
				// The same payload, whether decoded with copies or with
				// strings borrowed from the document.
				cb, cerr := co.Build(op, fuzzOpts, "", "", "")
				if (cerr == nil) != (err == nil) || !bytes.Equal(cb, b) {
					t.Fatalf("%s: checked build differs:\n%s %v\n%s %v", op, cb, cerr, b, err)
				}
				// Written into a larger document: the same bytes after
				// what was there.
				w := jsonx.NewWriter([]byte(`[1`))
				w.BeginArray() // a writer in the middle of a value
				terr := co.BuildTo(w, op, fuzzOpts, "", "", "")
				if (terr == nil) != (cerr == nil) || (terr == nil && !bytes.Equal(w.Bytes(), append([]byte(`[1[`), cb...))) {
					t.Fatalf("%s: BuildTo differs from Build:\n%s %v\n%s %v", op, w.Bytes(), terr, cb, cerr)
				}
			}
			if err == nil {
				if op == OpSubmit {
					err = ValidateSubmit(b, fuzzOpts)
				} else {
					err = ValidateCreate(b, fuzzOpts)
				}
				if err != nil {
					t.Fatalf("built %s payload invalid: %v", op, err)
				}
			}
		}
	})
}
