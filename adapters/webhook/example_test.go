package webhook_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/frontgate/frontgate/adapters/webhook"
	"github.com/frontgate/frontgate/host/sidecar"
)

// A shop's endpoint verifies and applies each event once; the sidecar's
// Notifier delivers to it.
func Example() {
	secret := []byte("a-long-random-secret-from-the-shop-config")
	applied := make(chan string, 1)
	shop := httptest.NewServer(webhook.Handler(&webhook.Verifier{Secrets: [][]byte{secret}}, webhook.NewDeduper(0, 0),
		func(_ context.Context, p *webhook.Payload) error {
			applied <- fmt.Sprintf("order %s is %s (%s)", p.OrderID, p.Status, p.Type)
			return nil
		}))
	defer shop.Close()

	n, _ := webhook.New(webhook.Config{Destination: func(*sidecar.ShopConfig) (webhook.Destination, error) {
		return webhook.Destination{URL: shop.URL, Secrets: [][]byte{secret}}, nil
	}})
	_ = n.Notify(context.Background(), &sidecar.ShopConfig{ID: "demo"}, sidecar.Event{
		Type: "reservation.reserved", Shop: "demo", OrderID: "1042", ReservationUUID: "RSRV4U5PLMTN", Status: "RESERVED",
		At: time.Now()})
	fmt.Println(<-applied)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = n.Close(ctx)
	fmt.Printf("%+v\n", n.Stats())
	// Output:
	// order 1042 is RESERVED (reservation.reserved)
	// {Queued:1 Duplicates:0 Skipped:0 Attempts:1 Failures:0 Delivered:1 GivenUp:0 Pending:0 Dead:0}
}

var _ http.Handler = webhook.Handler(nil, nil, nil)
