package webhook

import (
	"container/heap"
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// ErrClosed is returned by Notify after Close, by Outbox.Put after
// Outbox.Close, and by Outbox.Take once a closed outbox has nothing left.
var ErrClosed = errors.New("webhook: closed")

// Delivery is one event on its way to one shop: what the outbox stores.
// It holds no secret (the signature is made at each attempt with the keys
// the Notifier holds), so a durable outbox may keep it as it is.
type Delivery struct {
	// ID is the event id (EventID), also the outbox's dedupe key.
	ID   string `json:"id"`
	Shop string `json:"shop"`
	URL  string `json:"url"`
	// Type, Order and Reservation are for logs.
	Type        string `json:"type"`
	Order       string `json:"order"`
	Reservation string `json:"reservation"`
	// Body is the JSON body, the same at every attempt.
	Body      []byte    `json:"body"`
	Attempts  int       `json:"attempts"`
	Created   time.Time `json:"created"`
	NextAt    time.Time `json:"nextAt"`
	LastError string    `json:"lastError,omitempty"`
	// GaveUpAt is when the Notifier gave the delivery up (set by the
	// outbox's Drop); zero while it is pending.
	GaveUpAt time.Time `json:"gaveUpAt,omitzero"`
}

// Outbox holds deliveries until they are acknowledged. The Notifier puts
// events in from Notify and its workers take them out, so Notify never
// waits for a shop. MemoryOutbox keeps them in the process;
// adapters/webhook/redisoutbox keeps them on Redis, where they survive a
// restart and several sidecars share them. Every implementation passes
// adapters/webhook/outboxtest.
//
// A delivery is pending from Put until Ack or Drop; Take leases it to one
// worker at a time, and Retry hands it back to be taken at its NextAt. A
// dropped (given up) delivery is not lost: it stays as a dead letter, which
// Dead lists and Revive queues again once the shop is fixed.
type Outbox interface {
	// Put adds d, due at d.NextAt. It reports false, without error, when a
	// delivery with the same ID is pending or was acknowledged recently:
	// an event is never delivered twice. A dead letter with d's ID is
	// replaced by d.
	Put(ctx context.Context, d *Delivery) (added bool, err error)
	// Take waits until a delivery is due and leases it to the caller; among
	// deliveries due at the same time, the one put first comes first. After
	// Close it returns ErrClosed once nothing is due and no delivery it
	// handed out is still leased; it returns ctx.Err() when ctx ends.
	Take(ctx context.Context) (*Delivery, error)
	// Retry returns a leased delivery, to be taken again at d.NextAt.
	Retry(ctx context.Context, d *Delivery) error
	// Ack ends a leased delivery that the shop acknowledged, and remembers
	// its ID so that a later Put of the same event is refused.
	Ack(ctx context.Context, d *Delivery) error
	// Drop ends a leased delivery that was given up. The outbox keeps it,
	// GaveUpAt set to its clock's time, as a dead letter until Revive
	// queues it again, a Put with its ID replaces it, or it is older than
	// the outbox's dead-letter TTL (DefaultDeadTTL unless configured); a
	// shop's oldest go first when it has more than the outbox's cap
	// (DefaultDeadMax).
	Drop(ctx context.Context, d *Delivery) error
	// Dead returns copies of the dead letters of shop (of every shop when
	// shop is ""), the most recently given up first, at most limit of them
	// (all when limit <= 0).
	Dead(ctx context.Context, shop string, limit int) ([]Delivery, error)
	// Revive queues again, due at now, the dead letters of shop named by
	// ids, or all of shop's when ids is empty. Each starts afresh
	// (Delivery.Revived): Created and NextAt now, no attempts, no last
	// error, so the Notifier gives it its whole MaxAttempts and MaxAge
	// again, and url as its URL unless url is "" (the shop's webhook URL
	// may have been what was wrong). Ids that are not dead letters of shop
	// are skipped; it returns how many it queued.
	Revive(ctx context.Context, shop string, ids []string, now time.Time, url string) (int, error)
	// DeadLen returns the number of dead letters of every shop.
	DeadLen() int
	// Close refuses further Puts; Take keeps handing out what is due. An
	// outbox in memory also waits for deliveries due later (they would be
	// lost with the process); a durable one leaves them stored for the
	// next instance to take.
	Close() error
	// Len returns the number of pending deliveries, leased ones included.
	Len() int
}

// Clock is the time the Notifier and MemoryOutbox read and wait on;
// tests replace it to switch backoff sleeping off.
type Clock interface {
	Now() time.Time
	// After is time.After under this clock.
	After(d time.Duration) <-chan time.Time
}

// RealClock is the wall clock.
type RealClock struct{}

// Now implements Clock.
func (RealClock) Now() time.Time { return time.Now() }

// After implements Clock.
func (RealClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// MemoryOutbox is an Outbox in process memory: unbounded, so that no event
// is dropped while the process lives, ordered by due time, deduplicated
// by event id, and remembering acknowledged ids for DefaultDoneTTL. It
// keeps dead letters for DefaultDeadTTL, at most DefaultDeadMax a shop
// (beyond that the shop's oldest go first). What it holds is lost when the
// process ends; after Close, Take waits for deliveries due later too. It
// is safe for concurrent use.
type MemoryOutbox struct {
	clock   Clock
	doneTTL time.Duration
	doneMax int

	mu      sync.Mutex
	queue   dueHeap
	seq     uint64
	pending map[string]bool // queued or leased
	leased  int
	done    map[string]time.Time
	doneQ   []doneEntry // FIFO of done, for pruning
	dead    *deadStore
	closed  bool
	wake    chan struct{} // closed and replaced on every change
}

type doneEntry struct {
	id string
	at time.Time
}

// Defaults of NewMemoryOutbox (redisoutbox takes the TTLs too).
const (
	DefaultDoneTTL = 72 * time.Hour
	DefaultDoneMax = 100_000
	// DefaultDeadTTL outlasts FrontGo's capture window: a reservation whose
	// RESERVED event died can still be revived and captured.
	DefaultDeadTTL = 30 * 24 * time.Hour
	// DefaultDeadMax is how many dead letters are kept per shop, so that
	// one shop's failures never push out another's.
	DefaultDeadMax = 10_000
)

// NewMemoryOutbox returns an empty outbox on clock (nil means RealClock)
// that remembers acknowledged ids for DefaultDoneTTL, at most
// DefaultDoneMax of them.
func NewMemoryOutbox(clock Clock) *MemoryOutbox {
	if clock == nil {
		clock = RealClock{}
	}
	return &MemoryOutbox{clock: clock, doneTTL: DefaultDoneTTL, doneMax: DefaultDoneMax,
		pending: map[string]bool{}, done: map[string]time.Time{}, dead: newDeadStore(DefaultDeadTTL, DefaultDeadMax),
		wake: make(chan struct{})}
}

func (m *MemoryOutbox) broadcast() {
	close(m.wake)
	m.wake = make(chan struct{})
}

// Put implements Outbox.
func (m *MemoryOutbox) Put(_ context.Context, d *Delivery) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false, ErrClosed
	}
	m.prune()
	if m.pending[d.ID] {
		return false, nil
	}
	if _, ok := m.done[d.ID]; ok {
		return false, nil
	}
	m.dead.remove(d.ID)
	m.pending[d.ID] = true
	m.push(d)
	return true, nil
}

func (m *MemoryOutbox) push(d *Delivery) {
	m.seq++
	heap.Push(&m.queue, dueItem{d: d, seq: m.seq})
	m.broadcast()
}

// Take implements Outbox.
func (m *MemoryOutbox) Take(ctx context.Context) (*Delivery, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		m.mu.Lock()
		wait := time.Duration(-1)
		if len(m.queue) > 0 {
			top := m.queue[0].d
			now := m.clock.Now()
			if !top.NextAt.After(now) {
				heap.Pop(&m.queue)
				m.leased++
				m.mu.Unlock()
				return top, nil
			}
			wait = top.NextAt.Sub(now)
		} else if m.closed && m.leased == 0 {
			m.mu.Unlock()
			return nil, ErrClosed
		}
		wake := m.wake
		m.mu.Unlock()
		var timer <-chan time.Time
		if wait >= 0 {
			timer = m.clock.After(wait)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-wake:
		case <-timer:
		}
	}
}

// Retry implements Outbox.
func (m *MemoryOutbox) Retry(_ context.Context, d *Delivery) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.leased--
	m.push(d)
	return nil
}

// Ack implements Outbox.
func (m *MemoryOutbox) Ack(_ context.Context, d *Delivery) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.leased--
	delete(m.pending, d.ID)
	now := m.clock.Now()
	m.done[d.ID] = now
	m.doneQ = append(m.doneQ, doneEntry{d.ID, now})
	m.prune()
	m.broadcast()
	return nil
}

// Drop implements Outbox.
func (m *MemoryOutbox) Drop(_ context.Context, d *Delivery) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.leased--
	delete(m.pending, d.ID)
	now := m.clock.Now()
	d.GaveUpAt = now
	m.dead.prune(now)
	m.dead.add(*d)
	m.broadcast()
	return nil
}

// Dead implements Outbox.
func (m *MemoryOutbox) Dead(_ context.Context, shop string, limit int) ([]Delivery, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dead.prune(m.clock.Now())
	return m.dead.list(shop, limit), nil
}

// Revive implements Outbox.
func (m *MemoryOutbox) Revive(_ context.Context, shop string, ids []string, now time.Time, url string) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return 0, ErrClosed
	}
	m.dead.prune(m.clock.Now())
	if len(ids) == 0 {
		for _, d := range m.dead.list(shop, 0) {
			ids = append(ids, d.ID)
		}
		slices.Reverse(ids) // oldest first, as they were queued
	}
	n := 0
	for _, id := range ids {
		if d, ok := m.dead.byID[id]; !ok || d.Shop != shop {
			continue
		}
		d, _ := m.dead.remove(id)
		fresh := d.Revived(now, url)
		m.pending[id] = true
		m.push(&fresh)
		n++
	}
	return n, nil
}

// Revived is the dead letter d as Revive queues it at now: no attempts, no
// last error, created and due at now, and sent to url unless url is "".
func (d Delivery) Revived(now time.Time, url string) Delivery {
	d.Attempts, d.LastError = 0, ""
	d.Created, d.NextAt, d.GaveUpAt = now, now, time.Time{}
	if url != "" {
		d.URL = url
	}
	return d
}

// DeadLen implements Outbox.
func (m *MemoryOutbox) DeadLen() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dead.prune(m.clock.Now())
	return len(m.dead.byID)
}

// prune forgets acknowledged ids past their TTL or beyond the cap, oldest
// first.
func (m *MemoryOutbox) prune() {
	cut := m.clock.Now().Add(-m.doneTTL)
	n := 0
	for n < len(m.doneQ) && (len(m.doneQ)-n > m.doneMax || m.doneQ[n].at.Before(cut)) {
		e := m.doneQ[n]
		if at, ok := m.done[e.id]; ok && at.Equal(e.at) {
			delete(m.done, e.id)
		}
		n++
	}
	if n > 0 {
		m.doneQ = append(m.doneQ[:0], m.doneQ[n:]...)
	}
}

// Close implements Outbox.
func (m *MemoryOutbox) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	m.broadcast()
	return nil
}

// Len implements Outbox.
func (m *MemoryOutbox) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.pending)
}

// Pending returns copies of the deliveries waiting in the queue (not the
// leased ones), soonest first, for logs at shutdown.
func (m *MemoryOutbox) Pending() []Delivery {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Delivery, 0, len(m.queue))
	for _, it := range m.queue {
		out = append(out, *it.d)
	}
	return out
}

type dueItem struct {
	d   *Delivery
	seq uint64
}

type dueHeap []dueItem

func (h dueHeap) Len() int { return len(h) }
func (h dueHeap) Less(i, j int) bool {
	if !h[i].d.NextAt.Equal(h[j].d.NextAt) {
		return h[i].d.NextAt.Before(h[j].d.NextAt)
	}
	return h[i].seq < h[j].seq
}
func (h dueHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)   { *h = append(*h, x.(dueItem)) }
func (h *dueHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	old[len(old)-1] = dueItem{}
	*h = old[:len(old)-1]
	return it
}
