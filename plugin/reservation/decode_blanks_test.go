package reservation

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
)

// numberKeys are the members the checker reads as numbers (FrontGo's
// "numeric": a JSON number, or a string holding one).
var numberKeys = map[string]bool{"rate": true, "tax": true, "amount": true, "grandTotal": true, "subTotal": true,
	"totalTax": true, "id": true}

// padNumbers returns body with the value of every numberKeys member that
// holds a number, as a JSON number or a string, turned into a string with
// blanks around it (" 15.00 "), which the checker accepts like the number
// itself; and how many it padded.
func padNumbers(t *testing.T, body []byte) ([]byte, int) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	n := 0
	var walk func(any)
	walk = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			for k, e := range x {
				text := ""
				switch e := e.(type) {
				case json.Number:
					text = e.String()
				case string:
					if _, err := strconv.ParseFloat(e, 64); err == nil {
						text = e
					}
				}
				if numberKeys[k] && text != "" {
					x[k] = " " + text + " "
					n++
					continue
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out, n
}

// A number held in a string with blanks around it is read as the number
// by the decoders too, not as zero: validation accepts it, so the request
// built from it must carry the same amounts, rates and ids. (They read such
// values as 0 before, so that a refund or charge validated fine went out
// with zero amounts and rates.)
func TestDecodersReadPaddedNumbers(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "vectors", "*.json"))
	padded := map[string]int{}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var v struct{ Func, Input string }
		if json.Unmarshal(b, &v) != nil {
			continue
		}
		var in struct {
			ReservationUUID string          `json:"reservationUuid"`
			Payload         json.RawMessage `json:"payload"`
		}
		if json.Unmarshal([]byte(v.Input), &in) != nil || in.Payload == nil {
			continue
		}
		body := []byte(in.Payload)
		decode := map[string]func([]byte) (any, error){
			"validate_submit":  func(b []byte) (any, error) { return DecodeNew(OpSubmit, b, fuzzOpts) },
			"validate_create":  func(b []byte) (any, error) { return DecodeNew(OpCreate, b, fuzzOpts) },
			"validate_charge":  func(b []byte) (any, error) { return DecodeCharge(in.ReservationUUID, b, fuzzOpts) },
			"validate_capture": func(b []byte) (any, error) { return DecodeCapture(in.ReservationUUID, b) },
			"validate_refund":  func(b []byte) (any, error) { return DecodeRefund(in.ReservationUUID, b) },
		}[v.Func]
		if decode == nil {
			continue
		}
		want, err := decode(body)
		if err != nil {
			continue // not a valid body
		}
		pb, n := padNumbers(t, body)
		if n == 0 {
			continue
		}
		got, err := decode(pb)
		if err != nil {
			t.Errorf("%s: padded body refused: %v\n%s", filepath.Base(file), err, pb)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: padded body decodes as\n%+v\nnot\n%+v", filepath.Base(file), got, want)
		}
		padded[v.Func] += n
	}
	for _, fn := range []string{"validate_charge", "validate_capture", "validate_refund", "validate_submit"} {
		if padded[fn] == 0 {
			t.Errorf("no %s vector with a number held in a string: the test covers nothing there", fn)
		}
	}
	t.Logf("numbers padded, by vector function: %v", padded)

	// The reviewer's own cases, spelled out.
	r, err := DecodeRefund("RES1", []byte(`{"type":"reservation","grandTotal":" 15","products":[{"id":" 510","amount":"15 "}],"source":"captured","reference":"CAP123234"}`))
	if err != nil || r.GrandTotal.String() != "15.00" || r.Products[0].ID != 510 || r.Products[0].Amount.String() != "15.00" {
		t.Errorf("refund: %+v, %v", r, err)
	}
	ch, err := DecodeCharge("RES1", []byte(`{"products":{"0":{"name":"x","productId":null,"rate":" 150","tax":" 25","amount":"150"}},"grandTotal":150}`), fuzzOpts)
	if err != nil || ch.Products[0].Rate.String() != "150.00" || ch.Products[0].Tax.String() != "25" {
		t.Errorf("charge: %+v, %v", ch, err)
	}
}
