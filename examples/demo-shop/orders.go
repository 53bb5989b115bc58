package demoshop

import (
	"context"
	"encoding/json"
	"reflect"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/frontgate/frontgate/host/sidecar"
)

// customerInfo is what the checkout form asks for.
type customerInfo struct {
	Type           string // private or corporate
	Name           string
	OrganizationID string // corporate customers: the organisation number
	Email          string
	CountryCode    string // "+47"
	MSISDN         string
	Street         string
	Zip            string
	City           string
	Country        string // ISO 3166-1 alpha-2
}

// order is one order of the shop and what the shop knows of its
// reservation. The reservation's status comes from the sidecar: its events
// (Notify) and, on demand, GET /v1/checkouts/{id} and GET
// /v1/reservations/{uuid}.
type order struct {
	ID       string
	session  string
	Created  time.Time
	Customer customerInfo
	Lines    []orderLine
	Total    int64

	CheckoutID      string
	ReservationUUID string
	RedirectURL     string
	// Status is FrontGo's reservation status (SENT, RESERVED, CAPTURED…);
	// empty until the checkout is created.
	Status string
	// Declined is set when the shopper came back from a declined card; the
	// reservation stays SENT and can still be paid.
	Declined bool
	Details  *reservationDetails
	Events   []orderEvent
	// Txns are the captures and charges the back office made, with the
	// lines each moved: what a refund may name.
	Txns []txnRecord
	// Last is the outcome of the last back-office action.
	Last *outcome
	// Version changes whenever anything above does; the orders page
	// reloads when it sees a new one.
	Version int
}

// orderEvent is one status change the shop learned of, and how.
type orderEvent struct {
	At     time.Time
	Status string
	Via    string // callback, return:success, operation:capture, poll…
}

// txnRecord is a capture or charge with its lines.
type txnRecord struct {
	Kind      string // capture or charge
	Reference string // CAP… or CHA…
	Lines     []txnLine
}

// txnLine is the amount a transaction moved on one reservation line.
type txnLine struct {
	ID     int64
	Name   string
	Amount int64
}

// outcome is what a back-office action led to.
type outcome struct {
	At     time.Time
	Action string
	OK     bool
	Text   string
	Fields []fieldError
}

// rank orders statuses so that a slow answer never takes an order back: a
// status replaces the current one only when its rank is not lower.
func rank(status string) int {
	switch status {
	case "":
		return 0
	case "SENT":
		return 1
	case "RESERVED NOT PAID":
		return 2
	case "RESERVED":
		return 3
	case "CAPTURED", "CHARGED":
		return 4
	case "COMPLETED", "CANCELLED", "EXPIRED":
		return 5
	}
	return 1
}

// store keeps orders in memory: this is a demo.
type store struct {
	mu     sync.Mutex
	seq    int
	orders map[string]*order
	byChk  map[string]string // checkout id → order id
}

func newStore() *store {
	return &store{seq: 1000, orders: map[string]*order{}, byChk: map[string]string{}}
}

// nextID hands out the next order number.
func (s *store) nextID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return "FB-" + strconv.Itoa(s.seq)
}

func (s *store) put(o *order) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orders[o.ID] = o
}

// get returns a copy of an order, safe to read without the lock.
func (s *store) get(id string) (order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return order{}, false
	}
	return o.copy(), true
}

func (o *order) copy() order {
	c := *o
	c.Lines = append([]orderLine(nil), o.Lines...)
	c.Events = append([]orderEvent(nil), o.Events...)
	c.Txns = append([]txnRecord(nil), o.Txns...)
	return c
}

// update runs f on the order under the lock and bumps its version.
func (s *store) update(id string, f func(o *order)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return false
	}
	before := *o
	f(o)
	// Only a change moves the version: a return page waiting for
	// confirmation reloads when it moves, and two such pages open would
	// otherwise reload each other for as long as nothing happens.
	if !reflect.DeepEqual(before, *o) {
		o.Version++
	}
	return true
}

// list returns copies of all orders, newest first.
func (s *store) list() []order {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]order, 0, len(s.orders))
	for _, o := range s.orders {
		out = append(out, o.copy())
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Created.After(out[j].Created) || (out[i].Created.Equal(out[j].Created) && out[i].ID > out[j].ID)
	})
	return out
}

func (s *store) linkCheckout(orderID, checkoutID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byChk[checkoutID] = orderID
}

func (s *store) byCheckout(checkoutID string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.byChk[checkoutID]
	return id, ok
}

// setStatus applies a status learned from anywhere, keeping the order's
// status from going back (see rank). It records an event when the status
// changes. Details, when given and not older, replace the stored ones.
func (o *order) setStatus(status, via string, at time.Time, d *reservationDetails) {
	if status == "" || rank(status) < rank(o.Status) {
		return
	}
	if d != nil {
		o.Details = d
	}
	if status != o.Status {
		o.Status = status
		o.Events = append(o.Events, orderEvent{At: at, Status: status, Via: via})
		if rank(status) >= rank("RESERVED") {
			o.Declined = false
		}
	}
}

// Notify implements sidecar.Notifier: the sidecar calls it for every
// confirmed change of a reservation (from FrontGo's callback, the
// shopper's return, or a back-office operation), after it has checked the
// state with FrontGo; again with the same Event.ID only when it cannot know
// that an earlier call took, so recording a status twice must change
// nothing. The shop only records it: Notify runs inside the sidecar's
// request and must be quick.
func (s *Shop) Notify(_ context.Context, _ *sidecar.ShopConfig, ev sidecar.Event) error {
	id, ok := s.orders.byCheckout(ev.CheckoutID)
	if !ok {
		id = ev.OrderID // created by someone else with our key (curl): not ours to show
		if _, ok := s.orders.get(id); !ok {
			return nil
		}
	}
	var d *reservationDetails
	if len(ev.Details) > 0 {
		d, _ = decodeDetails(ev.Details)
	}
	s.orders.update(id, func(o *order) {
		if o.CheckoutID != ev.CheckoutID {
			return
		}
		o.setStatus(ev.Status, ev.Via, ev.At, d)
	})
	s.log.Info("reservation event", "order", id, "status", ev.Status, "via", ev.Via)
	return nil
}

// refresh reads the reservation's details from the sidecar and applies
// them: after back-office operations (a refund changes no status; the
// sidecar's event of its new amounts comes once its settle ran) and on the
// orders page's "refresh" button.
func (s *Shop) refresh(ctx context.Context, id string) error {
	o, ok := s.orders.get(id)
	if !ok || o.ReservationUUID == "" {
		return nil
	}
	d, _, err := s.api.details(ctx, o.ReservationUUID)
	if err != nil {
		return err
	}
	s.orders.update(id, func(o *order) {
		if rank(d.Status) >= rank(o.Status) {
			o.Details = d
		}
		o.setStatus(d.Status, "details", time.Now().UTC(), d)
	})
	return nil
}

// confirm reads the checkout's last confirmed status from the sidecar: the
// return pages use it rather than trusting the status in their query.
func (s *Shop) confirm(ctx context.Context, id string) {
	o, ok := s.orders.get(id)
	if !ok || o.CheckoutID == "" {
		return
	}
	c, err := s.api.checkout(ctx, o.CheckoutID)
	if err != nil {
		s.log.Warn("confirming checkout failed", "order", id, "err", err)
		return
	}
	s.orders.update(id, func(o *order) { o.setStatus(c.Status, "checkout", time.Now().UTC(), nil) })
}

// statusJSON is what the orders page's refresh loop reads.
type statusJSON struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Version int    `json:"version"`
}

func marshalStatuses(orders []order) []byte {
	out := make([]statusJSON, len(orders))
	for i, o := range orders {
		out[i] = statusJSON{o.ID, o.Status, o.Version}
	}
	b, _ := json.Marshal(map[string]any{"orders": out})
	return b
}
