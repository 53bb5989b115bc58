package reservation

import (
	"os"
	"strconv"
	"testing"
)

func benchOrder(lines int) *Order {
	o := &Order{Customer: testCustomer(), SuccessURL: "https://shop.example/ok", FailureURL: "https://shop.example/fail",
		CallbackURL: "https://gate.example/cb/tok"}
	for i := 0; i < lines; i++ {
		o.Lines = append(o.Lines, OrderLine{Name: "Produkt " + strconv.Itoa(i), SKU: "SKU-" + strconv.Itoa(i),
			UnitPrice: 12990, Quantity: int64(1 + i%3), TaxRate: 2500, Discount: 0})
	}
	return o
}

// BenchmarkBuildSubmit measures validate+build of a submit from an order:
// FromOrder, encode, and the full validation of the encoded payload.
func BenchmarkBuildSubmit(b *testing.B) {
	for _, n := range []int{1, 10, 25} {
		b.Run(strconv.Itoa(n)+"-lines", func(b *testing.B) {
			o := benchOrder(n)
			o.SuccessURL, o.FailureURL = "", ""
			b.ReportAllocs()
			for b.Loop() {
				if _, err := BuildOrder(OpSubmit, o, Options{Now: testNow}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkValidateCreate(b *testing.B) {
	body, err := BuildOrder(OpCreate, benchOrder(10), Options{Now: testNow})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := ValidateCreate(body, Options{Now: testNow}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseDetailsConcrete(b *testing.B) {
	body, err := os.ReadFile("testdata/responses/details-200-concrete.json")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseDetails(Response{Status: 200, Body: body}); err != nil {
			b.Fatal(err)
		}
	}
}
