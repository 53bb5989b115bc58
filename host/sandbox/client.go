package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Control drives the control plane of a sandbox running elsewhere (another
// process, a container): the same controls *Sandbox offers in-process, over
// HTTP. Its methods are safe for concurrent use.
type Control struct {
	base  string
	token string
	hc    *http.Client
}

// NewControl returns a client for the sandbox at baseURL
// ("http://127.0.0.1:8089") whose control plane accepts token. hc nil means
// a client with a 30-second timeout.
func NewControl(baseURL, token string, hc *http.Client) *Control {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &Control{base: strings.TrimRight(baseURL, "/"), token: token, hc: hc}
}

// ControlError is a refusal of the control plane: its HTTP status and
// message.
type ControlError struct {
	Status  int
	Message string
}

func (e *ControlError) Error() string {
	return "sandbox control: " + strconv.Itoa(e.Status) + ": " + e.Message
}

// Is maps 404 to ErrNotFound and 409 to ErrNotPayable, so callers test
// remote and in-process errors alike.
func (e *ControlError) Is(target error) bool {
	return (target == ErrNotFound && e.Status == 404) || (target == ErrNotPayable && e.Status == 409)
}

func (c *Control) do(ctx context.Context, method, path string, in, out any, want int) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+ControlPrefix+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("sandbox control: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("sandbox control: %w", err)
	}
	if resp.StatusCode != want {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(b, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(b))
		}
		return &ControlError{Status: resp.StatusCode, Message: e.Error}
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("sandbox control: %s %s: %w", method, path, err)
		}
	}
	return nil
}

// Now returns the sandbox's clock.
func (c *Control) Now(ctx context.Context) (time.Time, error) {
	var out clockJSON
	err := c.do(ctx, http.MethodGet, "clock", nil, &out, 200)
	return out.Now, err
}

// AdvanceClock moves the sandbox's clock forward by d.
func (c *Control) AdvanceClock(ctx context.Context, d time.Duration) (time.Time, error) {
	var out clockJSON
	err := c.do(ctx, http.MethodPost, "clock/advance", advanceJSON{By: d.String()}, &out, 200)
	return out.Now, err
}

// Reset forgets all state (see Sandbox.Reset).
func (c *Control) Reset(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "reset", nil, nil, http.StatusNoContent)
}

// Reservations lists every reservation.
func (c *Control) Reservations(ctx context.Context) ([]ReservationSummary, error) {
	var out []ReservationSummary
	err := c.do(ctx, http.MethodGet, "reservations", nil, &out, 200)
	return out, err
}

// Inspect returns a reservation's full state.
func (c *Control) Inspect(ctx context.Context, uuid string) (ReservationState, error) {
	var out ReservationState
	err := c.do(ctx, http.MethodGet, "reservations/"+url.PathEscape(uuid), nil, &out, 200)
	return out, err
}

func (c *Control) pay(ctx context.Context, uuid, action string, in payJSON) (PayResult, error) {
	var out PayResult
	err := c.do(ctx, http.MethodPost, "reservations/"+url.PathEscape(uuid)+"/"+action, in, &out, 200)
	return out, err
}

// Approve pays with cardNumber (CardApprove when empty); see
// Sandbox.Approve.
func (c *Control) Approve(ctx context.Context, uuid, cardNumber string) (PayResult, error) {
	return c.pay(ctx, uuid, "approve", payJSON{Card: cardNumber})
}

// Decline pays with the declining card.
func (c *Control) Decline(ctx context.Context, uuid string) (PayResult, error) {
	return c.pay(ctx, uuid, "decline", payJSON{})
}

// Challenge passes or fails a pending 3-D Secure challenge.
func (c *Control) Challenge(ctx context.Context, uuid string, pass bool) (PayResult, error) {
	return c.pay(ctx, uuid, "challenge", payJSON{Pass: pass})
}

// InjectFault adds an API fault and returns its id.
func (c *Control) InjectFault(ctx context.Context, f Fault) (int, error) {
	var out struct {
		ID int `json:"id"`
	}
	err := c.do(ctx, http.MethodPost, "faults", f, &out, http.StatusCreated)
	return out.ID, err
}

// Faults lists the active API faults.
func (c *Control) Faults(ctx context.Context) ([]Fault, error) {
	var out []Fault
	err := c.do(ctx, http.MethodGet, "faults", nil, &out, 200)
	return out, err
}

// ClearFaults removes every API fault.
func (c *Control) ClearFaults(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "faults", nil, nil, http.StatusNoContent)
}

// InjectCallbackFault adds a callback fault and returns its id.
func (c *Control) InjectCallbackFault(ctx context.Context, f CallbackFault) (int, error) {
	var out struct {
		ID int `json:"id"`
	}
	err := c.do(ctx, http.MethodPost, "callback-faults", f, &out, http.StatusCreated)
	return out.ID, err
}

// ClearCallbackFaults removes every callback fault.
func (c *Control) ClearCallbackFaults(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "callback-faults", nil, nil, http.StatusNoContent)
}

// Callbacks returns the callback records.
func (c *Control) Callbacks(ctx context.Context) ([]CallbackRecord, error) {
	var out []CallbackRecord
	err := c.do(ctx, http.MethodGet, "callbacks", nil, &out, 200)
	return out, err
}

// WaitCallbacks waits (up to timeout, at most a minute) until n callbacks
// are done, and returns every record.
func (c *Control) WaitCallbacks(ctx context.Context, n int, timeout time.Duration) ([]CallbackRecord, error) {
	var out []CallbackRecord
	q := "callbacks?wait=" + strconv.Itoa(n) + "&timeout=" + url.QueryEscape(timeout.String())
	err := c.do(ctx, http.MethodGet, q, nil, &out, 200)
	var ce *ControlError
	if errors.As(err, &ce) && ce.Status == http.StatusGatewayTimeout {
		err = context.DeadlineExceeded
	}
	return out, err
}
