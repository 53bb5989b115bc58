package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/frontgate/frontgate/plugin/money"
)

// ControlPrefix is where the control plane lives when Config.Control is
// set. Every request needs "Authorization: Bearer <ControlToken>".
//
//	GET    /_sandbox/                           {"endpoints": [these lines], "readme"}
//	GET    /_sandbox/clock                      {"now": RFC 3339}
//	POST   /_sandbox/clock/advance              {"by": "36h"} → {"now": …}
//	POST   /_sandbox/reset                      204
//	GET    /_sandbox/reservations               [{"uuid", "status"}]
//	GET    /_sandbox/reservations/{uuid}        ReservationState
//	POST   /_sandbox/reservations/{uuid}/approve   {"card": "4111…"} → {"outcome", "status"}
//	POST   /_sandbox/reservations/{uuid}/decline   → {"outcome", "status"}
//	POST   /_sandbox/reservations/{uuid}/challenge {"pass": true} → {"outcome", "status"}
//	GET    /_sandbox/faults                     [Fault]
//	POST   /_sandbox/faults                     Fault → 201 {"id"}
//	DELETE /_sandbox/faults[/{id}]              204
//	GET    /_sandbox/callback-faults            [CallbackFault]
//	POST   /_sandbox/callback-faults            CallbackFault → 201 {"id"}
//	DELETE /_sandbox/callback-faults            204
//	GET    /_sandbox/callbacks[?wait=N&timeout=5s]  [CallbackRecord]
//
// Durations are Go duration strings ("250ms"); amounts are øre.
const ControlPrefix = "/_sandbox/"

// ReservationState is everything the sandbox knows about a reservation,
// for tests and the control plane. Amounts are in øre.
type ReservationState struct {
	UUID          string `json:"uuid"`
	CustomerUUID  string `json:"customerUuid"`
	Kind          string `json:"kind"` // submit or create
	Status        string `json:"status"`
	CustomerName  string `json:"customerName"`
	CustomerEmail string `json:"customerEmail"`
	CustomerType  string `json:"customerType"`

	CreatedAt       time.Time `json:"createdAt"`
	OrderDate       time.Time `json:"orderDate"`
	DueAt           time.Time `json:"dueAt"`
	ReservedAt      time.Time `json:"reservedAt,omitzero"`
	CaptureDeadline time.Time `json:"captureDeadline,omitzero"`
	ChargeDeadline  time.Time `json:"chargeDeadline,omitzero"`

	GrandTotal           money.Amount `json:"grandTotal"`
	Reserved             money.Amount `json:"reserved"`
	CaptureRunway        money.Amount `json:"captureRunway"`
	ChargeRunway         money.Amount `json:"chargeRunway"` // what charges may still add
	Captured             money.Amount `json:"captured"`
	Charged              money.Amount `json:"charged"`
	RefundedFromCaptured money.Amount `json:"refundedFromCaptured"`
	RefundedFromCharged  money.Amount `json:"refundedFromCharged"`

	PaymentMethod  string `json:"paymentMethod,omitempty"` // create's preselection
	CardBrand      string `json:"cardBrand,omitempty"`
	CardLast4      string `json:"cardLast4,omitempty"`
	ChargeValidity string `json:"chargeValidity,omitempty"`
	CallbackURL    string `json:"callbackUrl,omitempty"`
	SuccessURL     string `json:"successUrl,omitempty"`
	FailureURL     string `json:"failureUrl,omitempty"`

	Lines    []LineState        `json:"lines"`
	Captures []TransactionState `json:"captures"`
	Charges  []TransactionState `json:"charges"`
	Refunds  []RefundState      `json:"refunds"`
}

// LineState is a product line; Charge names the CHA… of a charged line.
type LineState struct {
	ID        int64        `json:"id"`
	Name      string       `json:"name"`
	ProductID string       `json:"productId,omitempty"`
	Rate      money.Amount `json:"rate"`
	Tax       string       `json:"tax"`
	Amount    money.Amount `json:"amount"`
	Reserved  money.Amount `json:"reserved"`
	Captured  money.Amount `json:"captured"`
	Charge    string       `json:"charge,omitempty"`
}

// TransactionState is a capture or a charge.
type TransactionState struct {
	UUID           string            `json:"uuid"`
	At             time.Time         `json:"at"`
	Amount         money.Amount      `json:"amount"`
	Refunded       money.Amount      `json:"refunded"`
	AdditionalText string            `json:"additionalText,omitempty"`
	Lines          []TransactionLine `json:"lines"`
}

// TransactionLine is what a transaction moved on one product line.
type TransactionLine struct {
	ID       int64        `json:"id"`
	Amount   money.Amount `json:"amount"`
	Refunded money.Amount `json:"refunded"`
}

// RefundState is an accepted refund.
type RefundState struct {
	At        time.Time    `json:"at"`
	Amount    money.Amount `json:"amount"`
	Reference string       `json:"reference"`
	Source    string       `json:"source"`
	Partial   bool         `json:"partial"`
}

// Inspect returns the full state of a reservation (after applying expiry
// at the sandbox's current time).
func (s *Sandbox) Inspect(uuid string) (ReservationState, bool) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.lookup(uuid, now)
	if r == nil {
		return ReservationState{}, false
	}
	return s.state(r), true
}

func (s *Sandbox) state(r *resv) ReservationState {
	st := ReservationState{
		UUID: r.UUID, CustomerUUID: r.CustomerUUID, Kind: r.Op, Status: r.Status.String(),
		CustomerName: r.Customer.Name, CustomerEmail: r.Customer.Email, CustomerType: r.Customer.Type,
		CreatedAt: r.CreatedAt, OrderDate: r.OrderDate, DueAt: r.Due, ReservedAt: r.ReservedAt,
		GrandTotal: r.GrandTotal, Reserved: r.reservedTotal(), CaptureRunway: r.captureRunway(),
		PaymentMethod: r.PaymentMethod, ChargeValidity: r.ChargeValidity,
		CallbackURL: r.CallbackURL, SuccessURL: r.SuccessURL, FailureURL: r.FailureURL,
		Lines: []LineState{}, Captures: []TransactionState{}, Charges: []TransactionState{}, Refunds: []RefundState{},
	}
	st.Captured, st.RefundedFromCaptured = r.sum(r.Captures)
	st.Charged, st.RefundedFromCharged = r.sum(r.Charges)
	if !r.ReservedAt.IsZero() {
		st.CaptureDeadline, st.ChargeDeadline = s.captureDeadline(r), s.chargeDeadline(r)
		st.ChargeRunway = max(s.chargeRunway(r)-st.Charged, 0)
	}
	if r.Card != nil {
		st.CardBrand, st.CardLast4 = r.Card.Brand, r.Card.Last4
	}
	for _, l := range r.Lines {
		st.Lines = append(st.Lines, LineState{l.ID, l.Name, l.ProductID, l.Rate, l.Tax.String(), l.Amount, l.Reserved, l.Captured, l.Charge})
	}
	txs := func(ts []*txn) []TransactionState {
		out := []TransactionState{}
		for _, t := range ts {
			x := TransactionState{UUID: t.UUID, At: t.At, Amount: t.Amount, Refunded: t.Refunded, AdditionalText: t.AdditionalText, Lines: []TransactionLine{}}
			for _, l := range t.Lines {
				x.Lines = append(x.Lines, TransactionLine(l))
			}
			out = append(out, x)
		}
		return out
	}
	st.Captures, st.Charges = txs(r.Captures), txs(r.Charges)
	for _, rf := range r.Refunds {
		st.Refunds = append(st.Refunds, RefundState{rf.At, rf.Amount, rf.Reference, rf.Source, rf.Partial})
	}
	return st
}

// ReservationSummary is one entry of the reservation listing.
type ReservationSummary struct {
	UUID   string `json:"uuid"`
	Status string `json:"status"`
}

// Reservations lists every reservation, oldest first.
func (s *Sandbox) Reservations() []ReservationSummary {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshAll(now)
	out := make([]ReservationSummary, 0, len(s.store.order))
	for _, r := range s.store.order {
		out = append(out, ReservationSummary{r.UUID, r.Status.String()})
	}
	return out
}

// InjectFault adds an API fault and returns its id.
func (s *Sandbox) InjectFault(f Fault) (int, error) { return s.faults.add(f) }

// ClearFaults removes every API fault.
func (s *Sandbox) ClearFaults() { s.faults.clear() }

// RemoveFault removes one API fault; it reports whether it existed.
func (s *Sandbox) RemoveFault(id int) bool { return s.faults.remove(id) }

// Faults lists the API faults still active, with their hit counts.
func (s *Sandbox) Faults() []Fault { return s.faults.snapshot() }

// faultWire is Fault on the wire: latency as a duration string.
type faultWire struct {
	ID          int       `json:"id"`
	Endpoint    string    `json:"endpoint"`
	Kind        FaultKind `json:"kind"`
	Times       int       `json:"times,omitempty"`
	Probability float64   `json:"probability,omitempty"`
	Latency     string    `json:"latency,omitempty"`
	RetryAfter  int       `json:"retryAfter,omitempty"`
	Body        string    `json:"body,omitempty"`
	Hits        int       `json:"hits"`
}

// MarshalJSON writes Latency as a duration string ("250ms").
func (f Fault) MarshalJSON() ([]byte, error) {
	w := faultWire{f.ID, f.Endpoint, f.Kind, f.Times, f.Probability, "", f.RetryAfter, f.Body, f.Hits}
	if f.Latency != 0 {
		w.Latency = f.Latency.String()
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads Latency as a duration string.
func (f *Fault) UnmarshalJSON(b []byte) error {
	var w faultWire
	if err := strictJSON(b, &w); err != nil {
		return err
	}
	d, err := parseDuration(w.Latency)
	if err != nil {
		return err
	}
	*f = Fault{w.ID, w.Endpoint, w.Kind, w.Times, w.Probability, d, w.RetryAfter, w.Body, w.Hits}
	return nil
}

type callbackFaultWire struct {
	ID          int               `json:"id"`
	Kind        CallbackFaultKind `json:"kind"`
	Status      string            `json:"status,omitempty"`
	Times       int               `json:"times,omitempty"`
	Probability float64           `json:"probability,omitempty"`
	Delay       string            `json:"delay,omitempty"`
	Hits        int               `json:"hits"`
}

// MarshalJSON writes Delay as a duration string.
func (f CallbackFault) MarshalJSON() ([]byte, error) {
	w := callbackFaultWire{f.ID, f.Kind, f.Status, f.Times, f.Probability, "", f.Hits}
	if f.Delay != 0 {
		w.Delay = f.Delay.String()
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads Delay as a duration string.
func (f *CallbackFault) UnmarshalJSON(b []byte) error {
	var w callbackFaultWire
	if err := strictJSON(b, &w); err != nil {
		return err
	}
	d, err := parseDuration(w.Delay)
	if err != nil {
		return err
	}
	*f = CallbackFault{w.ID, w.Kind, w.Status, w.Times, w.Probability, d, w.Hits}
	return nil
}

func parseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	return time.ParseDuration(s)
}

// strictJSON decodes one JSON value, refusing unknown fields and trailing
// data.
func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

type clockJSON struct {
	Now time.Time `json:"now"`
}

type advanceJSON struct {
	By string `json:"by"`
}

type payJSON struct {
	Card string `json:"card,omitempty"`
	Pass bool   `json:"pass,omitempty"`
}

// PayResult is the control plane's answer to approve, decline and
// challenge.
type PayResult struct {
	Outcome Outcome `json:"outcome"`
	Status  string  `json:"status"`
}

// controlEndpoints is the control plane's index, what GET /_sandbox/
// answers (ControlPrefix's doc has the same lines).
var controlEndpoints = []string{
	"GET    /_sandbox/clock",
	"POST   /_sandbox/clock/advance                 {\"by\": \"36h\"}",
	"POST   /_sandbox/reset",
	"GET    /_sandbox/reservations",
	"GET    /_sandbox/reservations/{uuid}",
	"POST   /_sandbox/reservations/{uuid}/approve   {\"card\": \"4111111111111111\"}",
	"POST   /_sandbox/reservations/{uuid}/decline",
	"POST   /_sandbox/reservations/{uuid}/challenge {\"pass\": true}",
	"GET    /_sandbox/faults",
	"POST   /_sandbox/faults                        Fault",
	"DELETE /_sandbox/faults[/{id}]",
	"GET    /_sandbox/callback-faults",
	"POST   /_sandbox/callback-faults               CallbackFault",
	"DELETE /_sandbox/callback-faults",
	"GET    /_sandbox/callbacks[?wait=N&timeout=5s]",
}

func (s *Sandbox) controlHandler() http.Handler {
	mux := http.NewServeMux()
	p := ControlPrefix
	mux.HandleFunc("GET "+p+"{$}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"endpoints": controlEndpoints, "readme": "host/sandbox/README.md"})
	})
	mux.HandleFunc("GET "+p+"clock", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, clockJSON{s.Now()})
	})
	mux.HandleFunc("POST "+p+"clock/advance", func(w http.ResponseWriter, r *http.Request) {
		var a advanceJSON
		if !readJSON(w, r, &a) {
			return
		}
		d, err := time.ParseDuration(a.By)
		if err != nil {
			controlError(w, 400, "by: "+err.Error())
			return
		}
		now, err := s.AdvanceClock(d)
		if err != nil {
			controlError(w, 400, err.Error())
			return
		}
		writeJSON(w, 200, clockJSON{now})
	})
	mux.HandleFunc("POST "+p+"reset", func(w http.ResponseWriter, r *http.Request) {
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET "+p+"reservations", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, s.Reservations())
	})
	mux.HandleFunc("GET "+p+"reservations/{uuid}", func(w http.ResponseWriter, r *http.Request) {
		st, ok := s.Inspect(r.PathValue("uuid"))
		if !ok {
			controlError(w, 404, ErrNotFound.Error())
			return
		}
		writeJSON(w, 200, st)
	})
	mux.HandleFunc("POST "+p+"reservations/{uuid}/{action}", func(w http.ResponseWriter, r *http.Request) {
		var in payJSON
		if r.ContentLength != 0 && !readJSON(w, r, &in) {
			return
		}
		uuid := r.PathValue("uuid")
		var out Outcome
		var err error
		switch r.PathValue("action") {
		case "approve":
			out, err = s.Approve(uuid, in.Card)
		case "decline":
			out, err = s.Decline(uuid)
		case "challenge":
			out, err = s.Challenge(uuid, in.Pass)
		default:
			controlError(w, 404, "unknown action")
			return
		}
		switch {
		case errors.Is(err, ErrNotFound):
			controlError(w, 404, err.Error())
			return
		case err != nil:
			controlError(w, 409, err.Error())
			return
		}
		st, _ := s.Inspect(uuid)
		writeJSON(w, 200, PayResult{out, st.Status})
	})
	mux.HandleFunc("GET "+p+"faults", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, s.Faults())
	})
	mux.HandleFunc("POST "+p+"faults", func(w http.ResponseWriter, r *http.Request) {
		var f Fault
		if !readJSON(w, r, &f) {
			return
		}
		id, err := s.InjectFault(f)
		if err != nil {
			controlError(w, 400, err.Error())
			return
		}
		writeJSON(w, 201, map[string]int{"id": id})
	})
	mux.HandleFunc("DELETE "+p+"faults", func(w http.ResponseWriter, r *http.Request) {
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("DELETE "+p+"faults/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.Atoi(r.PathValue("id"))
		if err != nil || !s.RemoveFault(id) {
			controlError(w, 404, "no such fault")
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET "+p+"callback-faults", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, s.CallbackFaults())
	})
	mux.HandleFunc("POST "+p+"callback-faults", func(w http.ResponseWriter, r *http.Request) {
		var f CallbackFault
		if !readJSON(w, r, &f) {
			return
		}
		id, err := s.InjectCallbackFault(f)
		if err != nil {
			controlError(w, 400, err.Error())
			return
		}
		writeJSON(w, 201, map[string]int{"id": id})
	})
	mux.HandleFunc("DELETE "+p+"callback-faults", func(w http.ResponseWriter, r *http.Request) {
		s.ClearCallbackFaults()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET "+p+"callbacks", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("wait") == "" {
			writeJSON(w, 200, s.Callbacks())
			return
		}
		n, err := strconv.Atoi(q.Get("wait"))
		if err != nil || n < 0 {
			controlError(w, 400, "wait: not a count")
			return
		}
		timeout := 10 * time.Second
		if t := q.Get("timeout"); t != "" {
			if timeout, err = time.ParseDuration(t); err != nil || timeout <= 0 || timeout > time.Minute {
				controlError(w, 400, "timeout: a duration up to 1m")
				return
			}
		}
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		recs, err := s.WaitCallbacks(ctx, n)
		if err != nil {
			writeJSON(w, http.StatusGatewayTimeout, recs)
			return
		}
		writeJSON(w, 200, recs)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(r, s.cfg.ControlToken) {
			controlError(w, 401, "unauthorized")
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func controlError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err == nil {
		err = strictJSON(body, v)
	}
	if err != nil {
		controlError(w, 400, "body: "+err.Error())
		return false
	}
	return true
}
