package demoshop

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// client calls the sidecar's HTTP API (host/sidecar/openapi.json) with the
// shop's API key: the only way the shop talks to payments.
type client struct {
	base string
	key  string
	hc   *http.Client
}

// apiError is a failed sidecar call: its HTTP status and the error body
// the sidecar documents ({"error": {...}}).
type apiError struct {
	Status     int          `json:"-"`
	Code       string       `json:"code"`
	Message    string       `json:"message"`
	Fields     []fieldError `json:"fields"`
	MessageKey string       `json:"messageKey"`
	Upstream   int          `json:"upstreamStatus"`
	RequestID  string       `json:"upstreamRequestId"`
}

// fieldError is one broken rule with the JSON path of the field
// ("order.customer.email").
type fieldError struct {
	Path    string `json:"path"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

func (e *apiError) Error() string {
	return fmt.Sprintf("sidecar: %d %s: %s", e.Status, e.Code, e.Message)
}

// Plain says what went wrong in one sentence a merchant can act on:
// FrontGo's refusals with their message key, validation errors with every
// field.
func (e *apiError) Plain() string {
	switch {
	case e.Status == 409 && e.MessageKey != "":
		return fmt.Sprintf("Refused (409, %s): %s", e.MessageKey, e.Message)
	case e.Status == 422 && len(e.Fields) > 0:
		parts := make([]string, len(e.Fields))
		for i, f := range e.Fields {
			parts[i] = f.Path + ": " + f.Message
		}
		return fmt.Sprintf("Invalid (422): %s", strings.Join(parts, "; "))
	case e.Upstream != 0:
		return fmt.Sprintf("FrontGo answered %d (%s): %s", e.Upstream, e.Code, e.Message)
	}
	return fmt.Sprintf("Error %d (%s): %s", e.Status, e.Code, e.Message)
}

// do sends one request; out receives a 2xx body. A non-2xx answer is an
// *APIError; a transport failure is returned as is.
func (c *client) do(ctx context.Context, method, path, idemKey string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("sidecar: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("sidecar: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		var eb struct {
			Error *apiError `json:"error"`
		}
		if json.Unmarshal(b, &eb) != nil || eb.Error == nil {
			return &apiError{Status: resp.StatusCode, Code: "unexpected", Message: strings.TrimSpace(string(truncate(b, 200)))}
		}
		eb.Error.Status = resp.StatusCode
		return eb.Error
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("sidecar: decoding %s %s: %w", method, path, err)
		}
	}
	return nil
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// checkout is the part of the sidecar's Checkout record the shop uses.
type checkout struct {
	CheckoutID      string `json:"checkoutId"`
	OrderID         string `json:"orderId"`
	ReservationUUID string `json:"reservationUuid"`
	RedirectURL     string `json:"redirectUrl"`
	Status          string `json:"status"`
}

func (c *client) createCheckout(ctx context.Context, idemKey string, req any) (*checkout, error) {
	var out checkout
	if err := c.do(ctx, "POST", "/v1/checkouts", idemKey, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (c *client) checkout(ctx context.Context, id string) (*checkout, error) {
	var out checkout
	if err := c.do(ctx, "GET", "/v1/checkouts/"+url.PathEscape(id), "", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (c *client) details(ctx context.Context, uuid string) (*reservationDetails, json.RawMessage, error) {
	var raw json.RawMessage
	if err := c.do(ctx, "GET", "/v1/reservations/"+url.PathEscape(uuid), "", nil, &raw); err != nil {
		return nil, nil, err
	}
	d, err := decodeDetails(raw)
	return d, raw, err
}

// transaction is what capture, charge and refund answer.
type transaction struct {
	UUID    string `json:"uuid"`
	Message string `json:"message"`
}

func (c *client) operate(ctx context.Context, uuid, op, idemKey string, body any) (*transaction, error) {
	var raw json.RawMessage
	if err := c.do(ctx, "POST", "/v1/reservations/"+url.PathEscape(uuid)+"/"+op, idemKey, body, &raw); err != nil {
		return nil, err
	}
	var t transaction
	_ = json.Unmarshal(raw, &t) // cancel, complete and resend answer other shapes
	return &t, nil
}

// reservationDetails is the sidecar's parse of FrontGo's reservation details (amounts
// in øre): what the back office shows and builds captures and refunds from.
type reservationDetails struct {
	Status   string `json:"status"`
	Products []struct {
		ID       int64           `json:"id"`
		Name     string          `json:"name"`
		SKU      string          `json:"productId"`
		Quantity string          `json:"quantity"`
		Rate     int64           `json:"rate"`
		TaxRate  json.RawMessage `json:"taxRate"`
		Amount   int64           `json:"amount"`
		Reserved int64           `json:"reserved"`
		Captured int64           `json:"captured"`
	} `json:"products"`
	GrandTotal int64 `json:"grandTotal"`
	Payment    struct {
		Reserved             int64 `json:"reserved"`
		Captured             int64 `json:"captured"`
		Charged              int64 `json:"charged"`
		RefundedFromCaptured int64 `json:"refundedFromCaptured"`
		RefundedFromCharged  int64 `json:"refundedFromCharged"`
	} `json:"payment"`
	History struct {
		Captured []paymentEvent `json:"captured"`
		Charged  []paymentEvent `json:"charged"`
		Refunded []paymentEvent `json:"refunded"`
	} `json:"history"`
}

// paymentEvent is one capture, charge or refund of the payment history.
type paymentEvent struct {
	At        string `json:"at"`
	Amount    int64  `json:"amount"`
	Reference string `json:"reference"`
	Refunded  int64  `json:"refunded"`
}

func decodeDetails(raw []byte) (*reservationDetails, error) {
	var d reservationDetails
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("sidecar: details: %w", err)
	}
	return &d, nil
}
