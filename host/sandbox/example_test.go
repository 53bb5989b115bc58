package sandbox_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/frontgate/frontgate/host/sandbox"
	"github.com/frontgate/frontgate/plugin/money"
	"github.com/frontgate/frontgate/plugin/reservation"
)

// Embedding the sandbox in a test: a fixed clock and seed make identifiers
// and deadlines repeatable; Approve stands in for the shopper's browser.
func Example() {
	now := time.Date(2025, 9, 3, 10, 0, 0, 0, time.UTC)
	cfg := sandbox.DefaultConfig()
	cfg.Now = func() time.Time { return now }
	cfg.Rand = sandbox.SeededRand(42)
	sb, err := sandbox.New(cfg)
	if err != nil {
		panic(err)
	}
	if err := sb.Start("127.0.0.1:0"); err != nil {
		panic(err)
	}
	defer sb.Close()

	products := []reservation.Product{{Name: "Kayak, 1 day", Rate: 62500, Tax: money.Percent(25), Amount: 125000}}
	body, err := reservation.BuildSubmit(&reservation.NewReservation{
		Customer: reservation.Customer{
			Type: reservation.CustomerPrivate, CountryCode: "+47", MSISDN: "46567468",
			Email: "kari@example.no", Name: "Kari Nordmann",
			Address: reservation.Address{Street: "Storgata 1", Zip: "0155", City: "Oslo", Country: "NO"},
		},
		OrderDate:             now.Unix(),
		DueDateForPaymentLink: now.Add(24 * time.Hour).Unix(),
		SendOrderBy:           reservation.SendOrderBy{Email: true},
		Products:              products,
		Summary:               reservation.SummaryOf(products),
	}, reservation.Options{Now: now})
	if err != nil {
		panic(err)
	}
	req, _ := http.NewRequest("POST", sb.APIBase()+"/connect/reservations/submit", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+sandbox.DefaultToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	created, err := reservation.ParseSubmit(reservation.Response{Status: resp.StatusCode, Body: b})
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.StatusCode, created.ReservationUUID, created.CustomerUUID)

	outcome, err := sb.Approve(created.ReservationUUID, sandbox.CardApprove)
	fmt.Println(outcome, err)
	st, _ := sb.Inspect(created.ReservationUUID)
	fmt.Println(st.Status, st.Reserved, st.CaptureDeadline.Format(time.DateOnly))
	// Output:
	// 201 RES6797810436 CSRT8229703806
	// approved <nil>
	// RESERVED 1250.00 2025-09-10
}
