package ops

import (
	"strconv"
	"testing"
)

// benchInputs are the hot operations the ABI's performance targets name:
// validate+build of a 10-line order, and parsing a create and a details
// answer.
func benchInputs() map[string][]byte {
	lines := ""
	for i := 0; i < 10; i++ {
		if i > 0 {
			lines += ","
		}
		lines += `{"name":"Produkt ` + strconv.Itoa(i) + `","sku":"SKU-` + strconv.Itoa(i) + `","unitPrice":12990,"quantity":` + strconv.Itoa(1+i%3) + `,"taxRate":25}`
	}
	order := `{"customer":{"type":"private","name":"Kari Nordmann","email":"kari@example.no","countryCode":"+47","msisdn":"46567468",` +
		`"address":{"street":"Karl Johans gate 1","zip":"0154","city":"Oslo","country":"NO"}},"lines":[` + lines + `],` +
		`"successUrl":"https://shop.example/ok","failureUrl":"https://shop.example/no","callbackUrl":"https://gate.example/cb/t"}`
	return map[string][]byte{
		"build_create": []byte(`{"now":1756871295,"order":` + order + `}`),
		"parse_create": []byte(`{"status":201,"body":"{\"status_code\":201,\"status_message\":\"OK\",\"message\":\"Reservation Submitted Successfully\",\"is_data\":true,\"data\":{\"customerUuid\":\"CSRT3463048878\",\"reservationUuid\":\"RES4161996022\",\"paymentUrl\":\"https://v1.checkout.bambora.com/aa7ec3f47b0d45b286bcc595ab0d9613\"}}"}`),
	}
}

func BenchmarkCall(b *testing.B) {
	for fn, in := range benchInputs() {
		b.Run(fn, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Call(fn, in)
			}
		})
	}
}

func TestBenchInputsSucceed(t *testing.T) {
	for fn, in := range benchInputs() {
		if out := Call(fn, in); string(out[:10]) != `{"ok":true` {
			t.Fatalf("%s: %s", fn, out)
		}
	}
}
