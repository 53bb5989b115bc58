package reservation_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/frontgate/frontgate/plugin/reservation"
)

// A shop-neutral order becomes a Create Session body with exact totals: the
// discounted line is split one øre apart so every line stays whole units.
func ExampleBuildOrder() {
	now := time.Unix(1756871295, 0)
	order := &reservation.Order{
		Customer: reservation.Customer{Type: "private", Name: "Kari Nordmann", Email: "kari@example.no", CountryCode: "+47", MSISDN: "46567468",
			Address: reservation.Address{Street: "Karl Johans gate 1", Zip: "0154", City: "Oslo", Country: "NO"}},
		Lines: []reservation.OrderLine{
			{Name: "Ullsokker", UnitPrice: 10000, Quantity: 3, TaxRate: 2500, Discount: 1000},
		},
		SuccessURL: "https://shop.example/ok",
	}
	r, err := reservation.FromOrder(order, reservation.Options{Now: now})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range r.Products {
		fmt.Printf("%s: %s × %d = %s (tax %s %%)\n", p.Name, p.Rate, p.Amount/p.Rate, p.Amount, p.Tax)
	}
	fmt.Println("grandTotal", r.Summary.GrandTotal, "totalTax", r.Summary.TotalTax)
	// Output:
	// Ullsokker: 96.66 × 1 = 96.66 (tax 25 %)
	// Ullsokker: 96.67 × 2 = 193.34 (tax 25 %)
	// grandTotal 290.00 totalTax 58.00
}

// Validation reports every broken rule at once, each with its JSON path and
// a stable rule code.
func ExampleValidateResend() {
	err := reservation.ValidateResend("RES1943140879", []byte(`{"countryCode": "+47", "email": "kari@"}`))
	var ve *reservation.ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Fields {
			fmt.Printf("%s [%s] %s\n", f.Path, f.Rule, f.Message)
		}
	}
	// Output:
	// msisdn [required_with] is required when countryCode is given
	// email [email] must be a valid e-mail address
}

// FrontGo's failures decode into one typed error that says whether a retry
// can help.
func ExampleParseCapture() {
	_, err := reservation.ParseCapture(reservation.Response{Status: 400, Body: []byte(
		`{"status_code":400,"status_message":"Conflict of Business Logic","message":"paymentCaptureDeadlineExceed","is_data":false,"data":null}`)})
	fmt.Println(err)
	fmt.Println("retry:", reservation.IsRetryable(err))
	fmt.Println(errors.Is(err, &reservation.APIError{MessageKey: reservation.MsgCaptureDeadlineExceeded}))
	// Output:
	// frontgo: capture: 400 business: paymentCaptureDeadlineExceed
	// retry: false
	// true
}
