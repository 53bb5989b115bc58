package sandbox

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/frontgate/frontgate/plugin/callback"
	"github.com/frontgate/frontgate/plugin/money"
)

// The three status changes FrontGo calls back for.
const (
	callbackReserved = "RESERVED"
	callbackCaptured = "CAPTURED"
	callbackCharged  = "CHARGED"
)

// CallbackRecord is one callback the sandbox sent or meant to send, for
// tests to inspect (Callbacks, WaitCallbacks, OnCallback).
type CallbackRecord struct {
	// Seq numbers records in the order the events happened, from 1.
	Seq             int    `json:"seq"`
	ReservationUUID string `json:"reservationUuid"`
	// Status is the status change: RESERVED, CAPTURED or CHARGED (also
	// when Config.CallbackStatusSuccess sends "success" on the wire).
	Status string `json:"status"`
	// Amount is the amount the callback carries, in øre.
	Amount money.Amount `json:"amount"`
	// URL is the full URL requested: the merchant's callbackUrl with
	// FrontGo's parameters and the checksum appended.
	URL string `json:"url"`
	// Fault names the callback fault applied, if any: drop, duplicate
	// (on both copies), delay, reorder, bad_checksum.
	Fault CallbackFaultKind `json:"fault,omitempty"`
	// Attempts is how many requests were made; HTTPStatus the last
	// answer's status (0 when there was none); Error the last failure.
	Attempts   int    `json:"attempts"`
	HTTPStatus int    `json:"httpStatus"`
	Error      string `json:"error,omitempty"`
	// Delivered: a 2xx answer. Done: delivered, given up or dropped.
	Delivered bool `json:"delivered"`
	Done      bool `json:"done"`
	// Queued and Sent are wall-clock times of the event and of the last
	// attempt.
	Queued time.Time `json:"queued"`
	Sent   time.Time `json:"sent,omitzero"`
}

// CallbackFaultKind is what a callback fault does.
type CallbackFaultKind string

// The callback fault kinds.
const (
	// CallbackDrop never sends the callback.
	CallbackDrop CallbackFaultKind = "drop"
	// CallbackDuplicate sends it twice, byte for byte the same.
	CallbackDuplicate CallbackFaultKind = "duplicate"
	// CallbackDelay sends it Delay later (its timestamp stays the
	// event's, so a long delay makes it stale).
	CallbackDelay CallbackFaultKind = "delay"
	// CallbackReorder holds it until the next callback has been sent (or
	// for Delay, default Config.HoldMax, if none comes).
	CallbackReorder CallbackFaultKind = "reorder"
	// CallbackBadChecksum sends it with a checksum that does not verify.
	CallbackBadChecksum CallbackFaultKind = "bad_checksum"
)

var callbackFaultKinds = []CallbackFaultKind{CallbackDrop, CallbackDuplicate, CallbackDelay, CallbackReorder, CallbackBadChecksum}

// CallbackFault is an injected misbehaviour of callback delivery. The first
// fault that matches an event applies.
type CallbackFault struct {
	ID   int               `json:"id"`
	Kind CallbackFaultKind `json:"kind"`
	// Status limits the fault to one status change (RESERVED, CAPTURED,
	// CHARGED); empty matches all.
	Status string `json:"status,omitempty"`
	// Times and Probability work as for Fault.
	Times       int     `json:"times,omitempty"`
	Probability float64 `json:"probability,omitempty"`
	// Delay is the delay of CallbackDelay and the longest hold of
	// CallbackReorder.
	Delay time.Duration `json:"-"`
	Hits  int           `json:"hits"`
}

func (f *CallbackFault) validate() error {
	if !slices.Contains(callbackFaultKinds, f.Kind) {
		return errors.Join(ErrBadFault, errors.New("unknown callback fault kind "+quoteName(string(f.Kind))))
	}
	switch f.Status {
	case "", callbackReserved, callbackCaptured, callbackCharged:
	default:
		return errors.Join(ErrBadFault, errors.New("unknown callback status "+quoteName(f.Status)))
	}
	if f.Times < 0 || f.Probability < 0 || f.Probability > 1 || f.Delay < 0 {
		return errors.Join(ErrBadFault, errors.New("negative times or delay, or probability outside 0..1"))
	}
	return nil
}

// job is one pending delivery.
type job struct {
	rec      *CallbackRecord
	due      time.Time // wall clock
	held     bool      // reorder: waits for a later callback to be sent
	attempts int
}

// dispatcher sends callbacks from one goroutine, in the order they are due
// (event order unless a fault says otherwise), one at a time, so a slow
// merchant delays later callbacks as it would with a queue worker.
type dispatcher struct {
	s      *Sandbox
	client *http.Client
	ctx    context.Context
	stop   context.CancelFunc
	done   chan struct{}

	mu      sync.Mutex
	queue   []*job
	records []*CallbackRecord
	faults  []*CallbackFault
	faultID int
	seq     int
	wake    chan struct{}
	changed chan struct{} // closed and replaced whenever a record changes
}

func newDispatcher(s *Sandbox) *dispatcher {
	ctx, stop := context.WithCancel(context.Background())
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil // deliver to the URL given, never through a proxy
	d := &dispatcher{
		s: s,
		client: &http.Client{
			Transport: tr,
			Timeout:   s.cfg.CallbackTimeout,
			// Only the URL given: a redirect is an answer, not a hop.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		ctx: ctx, stop: stop, done: make(chan struct{}),
		wake:    make(chan struct{}, 1),
		changed: make(chan struct{}),
	}
	go d.run()
	return d
}

func (d *dispatcher) close() {
	d.stop()
	<-d.done
	d.client.CloseIdleConnections()
}

func (d *dispatcher) reset() {
	d.mu.Lock()
	d.queue, d.records, d.faults = nil, nil, nil
	d.notifyLocked()
	d.mu.Unlock()
}

func (d *dispatcher) notifyLocked() {
	close(d.changed)
	d.changed = make(chan struct{})
}

func (d *dispatcher) kick() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// signedURL is the merchant's callback URL with FrontGo's parameters and
// the checksum appended after whatever query it already has; the checksum
// covers the merchant's parameters too under the ordered-params scheme.
func (d *dispatcher) signedURL(base, uuid, st string, amount money.Amount, createdAt, ts time.Time, brand string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	p, err := callback.ParseQuery(u.RawQuery)
	if err != nil {
		return "", err
	}
	wire := st
	if d.s.cfg.CallbackStatusSuccess {
		wire = "success"
	}
	pairs := append(p.Pairs,
		callback.Pair{Key: callback.KeyOrderUUID, Value: uuid},
		callback.Pair{Key: callback.KeyStatus, Value: wire},
		callback.Pair{Key: callback.KeyCreatedAt, Value: strconv.FormatInt(createdAt.Unix(), 10)},
		callback.Pair{Key: callback.KeyPaymentMethod, Value: brand},
		callback.Pair{Key: callback.KeyAmount, Value: amount.String()},
		callback.Pair{Key: callback.KeyTimestamp, Value: strconv.FormatInt(ts.Unix(), 10)},
	)
	u.RawQuery = callback.SignedQuery(pairs, []byte(d.s.cfg.Secret), d.s.cfg.Scheme)
	u.Fragment, u.RawFragment = "", ""
	return u.String(), nil
}

// enqueue schedules the callback of a status change of r. Called with s.mu
// held, so callbacks are queued in the order their events happened.
func (d *dispatcher) enqueue(r *resv, st string, amount money.Amount, now time.Time) {
	if r.CallbackURL == "" {
		return
	}
	brand := ""
	if r.Card != nil {
		brand = r.Card.Brand
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.seq++
	rec := &CallbackRecord{Seq: d.seq, ReservationUUID: r.UUID, Status: st, Amount: amount, Queued: time.Now()}
	d.records = append(d.records, rec)
	u, err := d.signedURL(r.CallbackURL, r.UUID, st, amount, now, now, brand)
	if err != nil {
		rec.Error, rec.Done = "callback URL: "+err.Error(), true
		d.finishLocked(rec)
		return
	}
	rec.URL = u
	j := &job{rec: rec, due: time.Now()}
	if f := d.pickLocked(st); f != nil {
		rec.Fault = f.Kind
		switch f.Kind {
		case CallbackDrop:
			rec.Done = true
			d.finishLocked(rec)
			return
		case CallbackDuplicate:
			d.seq++
			dup := *rec
			dup.Seq = d.seq
			d.records = append(d.records, &dup)
			d.queue = append(d.queue, j, &job{rec: &dup, due: j.due})
			d.kick()
			return
		case CallbackDelay:
			j.due = j.due.Add(f.Delay)
		case CallbackReorder:
			hold := f.Delay
			if hold <= 0 || hold > d.s.cfg.HoldMax {
				hold = d.s.cfg.HoldMax
			}
			j.held, j.due = true, j.due.Add(hold)
		case CallbackBadChecksum:
			rec.URL = corruptChecksum(rec.URL)
		}
	}
	d.queue = append(d.queue, j)
	d.kick()
}

// corruptChecksum changes the checksum's last hex digit.
func corruptChecksum(u string) string {
	if u == "" {
		return u
	}
	last := u[len(u)-1]
	repl := byte('0')
	if last == '0' {
		repl = '1'
	}
	return u[:len(u)-1] + string(repl)
}

func (d *dispatcher) pickLocked(st string) *CallbackFault {
	var hit *CallbackFault
	for _, f := range d.faults {
		if f.Status != "" && f.Status != st {
			continue
		}
		if f.Probability > 0 && f.Probability < 1 && d.s.float64() >= f.Probability {
			continue
		}
		f.Hits++
		hit = f
		break
	}
	d.faults = slices.DeleteFunc(d.faults, func(f *CallbackFault) bool { return f.Times > 0 && f.Hits >= f.Times })
	return hit
}

func (d *dispatcher) addFault(f CallbackFault) (int, error) {
	if err := f.validate(); err != nil {
		return 0, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.faultID++
	f.ID, f.Hits = d.faultID, 0
	d.faults = append(d.faults, &f)
	return f.ID, nil
}

func (d *dispatcher) clearFaults() {
	d.mu.Lock()
	d.faults = nil
	d.mu.Unlock()
}

func (d *dispatcher) faultList() []CallbackFault {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]CallbackFault, len(d.faults))
	for i, f := range d.faults {
		out[i] = *f
	}
	return out
}

// finishLocked marks a record changed, and done ones reported.
func (d *dispatcher) finishLocked(rec *CallbackRecord) {
	d.notifyLocked()
	if rec.Done && d.s.cfg.OnCallback != nil {
		c := *rec
		go d.s.cfg.OnCallback(c)
	}
}

// run is the delivery loop.
func (d *dispatcher) run() {
	defer close(d.done)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		d.mu.Lock()
		var next *job
		for _, j := range d.queue {
			if next == nil || j.due.Before(next.due) {
				next = j
			}
		}
		var wait time.Duration = time.Hour
		if next != nil {
			wait = time.Until(next.due)
		}
		if next != nil && wait <= 0 {
			d.queue = slices.DeleteFunc(d.queue, func(j *job) bool { return j == next })
			d.mu.Unlock()
			d.attempt(next)
			continue
		}
		d.mu.Unlock()
		timer.Reset(wait)
		select {
		case <-d.ctx.Done():
			return
		case <-d.wake:
		case <-timer.C:
		}
	}
}

// attempt makes one delivery attempt of j and reschedules it on failure
// while attempts remain.
func (d *dispatcher) attempt(j *job) {
	d.mu.Lock()
	rec := j.rec
	u := rec.URL
	d.mu.Unlock()

	code, err := d.send(u)
	j.attempts++

	d.mu.Lock()
	defer d.mu.Unlock()
	if !slices.Contains(d.records, rec) { // reset meanwhile
		return
	}
	rec.Attempts, rec.HTTPStatus, rec.Sent = j.attempts, code, time.Now()
	rec.Error = ""
	switch {
	case err != nil:
		rec.Error = err.Error()
	case code < 200 || code > 299:
		rec.Error = "answered " + strconv.Itoa(code)
	default:
		rec.Delivered, rec.Done = true, true
	}
	if !rec.Done {
		if j.attempts < d.s.cfg.CallbackAttempts && d.ctx.Err() == nil {
			j.due = time.Now().Add(d.s.cfg.CallbackBackoff << (j.attempts - 1))
			d.queue = append(d.queue, j)
		} else {
			rec.Done = true
		}
	}
	if !j.held {
		// A held (reordered) callback goes out right after the next one.
		for _, q := range d.queue {
			if q.held && q.rec.Seq < rec.Seq {
				q.held, q.due = false, time.Now()
			}
		}
	}
	d.s.cfg.Logger.Info("callback", "reservation", rec.ReservationUUID, "status", rec.Status,
		"attempt", j.attempts, "http_status", code, "delivered", rec.Delivered, "error", rec.Error)
	d.finishLocked(rec)
}

func (d *dispatcher) send(u string) (int, error) {
	ctx, cancel := context.WithTimeout(d.ctx, d.s.cfg.CallbackTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("User-Agent", "frontgo-sandbox")
	resp, err := d.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL carries the checksum: keep it out of messages
		}
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}

// records returns copies of every record, in Seq order.
func (d *dispatcher) snapshot() []CallbackRecord {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]CallbackRecord, len(d.records))
	for i, r := range d.records {
		out[i] = *r
	}
	return out
}

// wait blocks until at least n records are done, and returns them all.
func (d *dispatcher) wait(ctx context.Context, n int) ([]CallbackRecord, error) {
	for {
		d.mu.Lock()
		done := 0
		for _, r := range d.records {
			if r.Done {
				done++
			}
		}
		ch := d.changed
		d.mu.Unlock()
		if done >= n {
			return d.snapshot(), nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return d.snapshot(), ctx.Err()
		}
	}
}

// Callbacks returns every callback record so far, in event order.
func (s *Sandbox) Callbacks() []CallbackRecord { return s.cb.snapshot() }

// WaitCallbacks blocks until at least n callbacks are done (delivered,
// given up or dropped) or ctx ends, and returns every record.
func (s *Sandbox) WaitCallbacks(ctx context.Context, n int) ([]CallbackRecord, error) {
	return s.cb.wait(ctx, n)
}

// InjectCallbackFault adds a callback fault and returns its id.
func (s *Sandbox) InjectCallbackFault(f CallbackFault) (int, error) { return s.cb.addFault(f) }

// ClearCallbackFaults removes every callback fault.
func (s *Sandbox) ClearCallbackFaults() { s.cb.clearFaults() }

// CallbackFaults lists the callback faults still active.
func (s *Sandbox) CallbackFaults() []CallbackFault { return s.cb.faultList() }
