package woocommerce

import (
	"fmt"
	"strings"

	"github.com/frontgate/frontgate/plugin/status"
)

// StatusMap says what each reservation status does to a WooCommerce order.
// The plugin applies the same table (its setting "Order status when
// reserved" is Reserved here); keep the two in step, since the sidecar
// uses this one to check orders when it reconciles.
type StatusMap struct {
	// Reserved is the order status once the card is authorised: "on-hold"
	// (default: nothing is paid yet) or "processing" (to start picking
	// at once; capture still waits for CaptureOn).
	Reserved string
	// Cancelled and Expired are the order status when the reservation is
	// voided or runs out: "cancelled" (default) or "failed".
	Cancelled, Expired string
	// Refunded is the order status when everything was refunded at
	// FrontGo: "" (default: a note only, because refunds made from the
	// order screen already create WooCommerce refunds) or "refunded".
	Refunded string
}

// DefaultStatusMap returns reserved → on-hold, cancelled/expired →
// cancelled, refunded → note only.
func DefaultStatusMap() StatusMap {
	return StatusMap{Reserved: "on-hold", Cancelled: "cancelled", Expired: "cancelled"}
}

// Validate checks each status is one the map may set.
func (m StatusMap) Validate() error {
	check := func(field, v string, allowed ...string) error {
		for _, a := range allowed {
			if v == a {
				return nil
			}
		}
		return fmt.Errorf("woocommerce: statuses.%s: must be one of %s, not %q", field, strings.Join(allowed, ", "), v)
	}
	if err := check("reserved", m.Reserved, "on-hold", "processing"); err != nil {
		return err
	}
	if err := check("cancelled", m.Cancelled, "cancelled", "failed"); err != nil {
		return err
	}
	if err := check("expired", m.Expired, "cancelled", "failed"); err != nil {
		return err
	}
	return check("refunded", m.Refunded, "", "refunded")
}

// Outcome is what one reservation status does to the order. Every outcome
// adds its Note.
type Outcome struct {
	// Status is the order status to set; empty leaves it.
	Status string `json:"status,omitempty"`
	// PaymentComplete asks for WC_Order::payment_complete: the order is
	// paid (date paid, stock reduced, "processing"/"completed", the
	// customer's e-mail), once, with TransactionID.
	PaymentComplete bool   `json:"paymentComplete,omitempty"`
	TransactionID   string `json:"transactionId,omitempty"`
	Note            string `json:"note"`
}

// Outcome returns the outcome of a reservation reaching status (FrontGo's
// wire value, "RESERVED NOT PAID"). Unknown statuses add a note only.
func (m StatusMap) Outcome(status, reservationUUID string) Outcome {
	r := reservationUUID
	switch strings.ToUpper(status) {
	case "SENT":
		return Outcome{Status: "pending", Note: "FrontGo: payment link sent (reservation " + r + ")."}
	case "RESERVED NOT PAID":
		return Outcome{Note: "FrontGo: the customer has started paying (reservation " + r + ")."}
	case "RESERVED":
		return Outcome{Status: m.Reserved, TransactionID: r,
			Note: "FrontGo: payment reserved on the customer's card (reservation " + r + "); it is captured when the order ships."}
	case "CAPTURED":
		return Outcome{PaymentComplete: true, TransactionID: r, Note: "FrontGo: payment captured (reservation " + r + ")."}
	case "CHARGED":
		return Outcome{PaymentComplete: true, TransactionID: r, Note: "FrontGo: card charged (reservation " + r + ")."}
	case "COMPLETED":
		return Outcome{Note: "FrontGo: reservation " + r + " completed; nothing more can be captured."}
	case "CANCELLED":
		return Outcome{Status: m.Cancelled, Note: "FrontGo: reservation " + r + " cancelled; the amount is released."}
	case "EXPIRED":
		return Outcome{Status: m.Expired, Note: "FrontGo: reservation " + r + " expired."}
	case "REFUNDED":
		return Outcome{Status: m.Refunded, Note: "FrontGo: payment refunded in full (reservation " + r + ")."}
	case "PARTIAL REFUNDED":
		return Outcome{Note: "FrontGo: payment partly refunded (reservation " + r + ")."}
	}
	return Outcome{Note: "FrontGo: reservation " + r + " is now " + status + "."}
}

// Reflects reports whether a WooCommerce order, as the REST API returns
// it, shows the outcome of status: paid when payment completes, and the
// outcome's status or one the merchant moved on to since. The reconciler
// re-sends the event for orders that do not.
//
// The plugin records FrontGo's last applied status in the order's meta
// (_frontgate_status); where it is there, it decides: the order reflects
// status once it holds that status or a later one (status.Newer). Without
// it the order's own fields are read: a payment by date_paid (a processing
// order may be only reserved), and a cancellation also by a status the
// plugin never moves an order away from (completed, refunded), where the
// event changes nothing more.
func (m StatusMap) Reflects(o *Order, st string) bool {
	if rec, ok := o.Meta("_frontgate_status"); ok && rec != "" {
		known, err1 := status.Parse(rec)
		incoming, err2 := status.Parse(st)
		if err1 == nil && err2 == nil {
			return known == incoming || !status.Newer(known, incoming)
		}
	}
	out := m.Outcome(st, "")
	if out.PaymentComplete {
		return o.DatePaidGMT != ""
	}
	switch out.Status {
	case "":
		return true
	case "pending":
		return o.Status != "" // any status: a link being sent decides nothing
	case m.Reserved:
		// Reserved: no longer waiting for payment; the merchant may have
		// moved it along already.
		return o.Status != "pending" && o.Status != "failed" && o.Status != "checkout-draft"
	case "cancelled", "failed":
		switch o.Status {
		case "pending", "on-hold", "processing", "failed", "checkout-draft":
			return o.Status == out.Status
		}
		return true // the plugin moves no order from here (its may_move)
	}
	return o.Status == out.Status
}
