package callback_test

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/frontgate/frontgate/plugin/callback"
)

// A callback under the current scheme: the merchant's own callback URL
// parameters come first and are covered by the checksum too.
func ExampleVerify() {
	secret := []byte("merchant-secret")
	now := time.Unix(1755764191, 0) // the verifier's clock, a minute after FrontGo signed
	query := callback.SignedQuery([]callback.Pair{
		{Key: "order_identifier", Value: "rRbl1FWZG59o"},
		{Key: "orderUuid", Value: "ODR123"},
		{Key: "status", Value: "RESERVED"},
		{Key: "paymentMethod", Value: "Visa"},
		{Key: "amount", Value: "100"},
		{Key: "createdAt", Value: "1755764131"},
		{Key: "timestamp", Value: "1755764131"},
	}, secret, callback.SchemeOrderedParams)
	fmt.Println(query)

	p, err := callback.Verify(query, secret, callback.DefaultVerifyConfig(), now)
	fmt.Println(p.OrderUUID, p.Status, p.Amount, err)

	forged := strings.Replace(query, "amount=100", "amount=1", 1)
	_, err = callback.Verify(forged, secret, callback.DefaultVerifyConfig(), now)
	fmt.Println(errors.Is(err, callback.ErrChecksumMismatch), err)

	_, err = callback.Verify(query, secret, callback.DefaultVerifyConfig(), now.Add(time.Hour))
	fmt.Println(errors.Is(err, callback.ErrStale), err)
	// Output:
	// order_identifier=rRbl1FWZG59o&orderUuid=ODR123&status=RESERVED&paymentMethod=Visa&amount=100&createdAt=1755764131&timestamp=1755764131&checksum=0ab836b45fc45e19c4df2e1f74861509fd6ff0bd3ba06ff54c52346e7533075c
	// ODR123 RESERVED 100 <nil>
	// true callback: scheme ordered-params: checksum mismatch
	// true callback: timestamp 1755764131 is 1h1m0s old, tolerance 15m0s: stale callback
}
