package status_test

import (
	"errors"
	"fmt"

	"github.com/frontgate/frontgate/plugin/status"
)

// Checking an operation before calling FrontGo, and applying callbacks that
// arrive out of order.
func Example() {
	s, err := status.Parse("Reserved_Not_Paid")
	fmt.Println(s, err)

	s, _ = status.Parse("RESEVRED") // the callback page's spelling
	fmt.Println(s, status.Allowed(s))

	err = status.Check(status.Cancelled, status.OpCapture)
	var refused *status.RefusedError
	if errors.As(err, &refused) {
		fmt.Println(refused.HTTPStatus, refused.MessageKey)
	}
	fmt.Println(err)

	// Callbacks CAPTURED, then a late RESERVED.
	known := status.Reserved
	for _, incoming := range []status.Status{status.Captured, status.Reserved} {
		if !status.Newer(known, incoming) {
			fmt.Println("ignore late", incoming)
			continue
		}
		if err := status.Transition(known, incoming); err != nil {
			fmt.Println(err)
			continue
		}
		known = incoming
	}
	fmt.Println(known)
	fmt.Println(status.Transition(status.Cancelled, status.Captured))

	_, err = status.Parse("PAID")
	fmt.Println(err, errors.Is(err, status.ErrOrderStatus))
	// Output:
	// RESERVED NOT PAID <nil>
	// RESERVED [details capture charge cancel resend history]
	// 400 reservationStatusAlreadyCancelled
	// capture: not allowed while reservation is CANCELLED (reservationStatusAlreadyCancelled)
	// ignore late RESERVED
	// CAPTURED
	// status: cannot move from CANCELLED to CAPTURED
	// status: unknown status "PAID": order status, not a reservation status true
}
