package sandbox

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Sandbox is one emulated FrontGo merchant account: its reservations,
// customers, history, callbacks, faults and clock. It is safe for
// concurrent use. Serve it with Handler in your own server, or with Start.
type Sandbox struct {
	cfg     Config
	handler http.Handler

	// offset is what AdvanceClock added to cfg.Now, in nanoseconds.
	offset atomic.Int64

	randMu sync.Mutex
	rng    *rand.Rand

	mu    sync.Mutex // guards store
	store *store

	faults faultSet
	cb     *dispatcher
	rate   rateCounter
	reqSeq atomic.Int64

	closing   chan struct{} // closed by Close: releases held requests
	closeOnce sync.Once

	srvMu  sync.Mutex
	srv    *http.Server
	ln     net.Listener
	served chan struct{}
}

// New returns a Sandbox for cfg (see Config for the defaults of zero
// fields). It starts the callback delivery goroutine; Close stops it.
func New(cfg Config) (*Sandbox, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	src := c.Rand
	if src == nil {
		var seed [32]byte
		if _, err := crand.Read(seed[:]); err != nil {
			return nil, err
		}
		src = rand.NewChaCha8(seed)
	}
	s := &Sandbox{
		cfg:     c,
		rng:     rand.New(src),
		store:   newStore(),
		closing: make(chan struct{}),
	}
	s.cb = newDispatcher(s)
	s.handler = s.routes()
	return s, nil
}

// Handler returns the sandbox's HTTP handler: the API under /api/v1, the
// hosted checkout under /checkout/, the control plane under /_sandbox/
// when enabled, and a help page at /.
func (s *Sandbox) Handler() http.Handler { return s.handler }

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves the
// sandbox until Close. URL then returns the address it listens on.
func (s *Sandbox) Start(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// Serve serves the sandbox on ln in the background until Close. It fails if
// the sandbox is already serving or closed.
func (s *Sandbox) Serve(ln net.Listener) error {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	select {
	case <-s.closing:
		ln.Close()
		return ErrClosed
	default:
	}
	if s.srv != nil {
		ln.Close()
		return errors.New("sandbox: already serving on " + s.ln.Addr().String())
	}
	s.srv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
	}
	s.ln = ln
	s.served = make(chan struct{})
	srv, done := s.srv, s.served
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	return nil
}

// URL returns the base URL the sandbox serves on after Start or Serve
// ("http://127.0.0.1:41234"), or Config.PublicURL if one was set, or "".
func (s *Sandbox) URL() string {
	if s.cfg.PublicURL != "" {
		return s.cfg.PublicURL
	}
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	if s.ln == nil {
		return ""
	}
	return "http://" + s.ln.Addr().String()
}

// APIBase returns URL() + "/api/v1", the base URL a FrontGo client takes.
func (s *Sandbox) APIBase() string { return s.URL() + "/api/v1" }

// ErrClosed is returned by operations on a closed Sandbox.
var ErrClosed = errors.New("sandbox: closed")

// Close stops serving (dropping open connections), releases held requests
// and stops callback delivery. It is safe to call more than once.
func (s *Sandbox) Close() error {
	s.closeOnce.Do(func() { close(s.closing) })
	s.cb.close()
	s.srvMu.Lock()
	srv, done := s.srv, s.served
	s.srvMu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Close()
	<-done
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Now returns the sandbox's current time: Config.Now plus every
// AdvanceClock.
func (s *Sandbox) Now() time.Time {
	return s.cfg.Now().Add(time.Duration(s.offset.Load()))
}

// AdvanceClock moves the sandbox's clock forward by d (a negative d is
// refused with ErrNegativeAdvance) and returns the new time. Deadlines and
// payment link expiry are evaluated against it on the next request.
func (s *Sandbox) AdvanceClock(d time.Duration) (time.Time, error) {
	if d < 0 {
		return s.Now(), ErrNegativeAdvance
	}
	s.offset.Add(int64(d))
	return s.Now(), nil
}

// ErrNegativeAdvance: the sandbox's clock only moves forward, as a real
// one does; deadlines already passed stay passed.
var ErrNegativeAdvance = errors.New("sandbox: the clock cannot move backwards")

// Reset forgets every reservation, customer, history event, injected fault,
// callback record and pending callback, and sets the clock back to
// Config.Now. Identifier sequences continue, so identifiers never repeat
// within a process.
func (s *Sandbox) Reset() {
	s.mu.Lock()
	s.store.reset()
	s.mu.Unlock()
	s.faults.clear()
	s.cb.reset()
	s.offset.Store(0)
}

// float64 returns a number in [0, 1) from the sandbox's source.
func (s *Sandbox) float64() float64 {
	s.randMu.Lock()
	defer s.randMu.Unlock()
	return s.rng.Float64()
}

// digits returns n random decimal digits, the first not zero.
func (s *Sandbox) digits(n int) string {
	s.randMu.Lock()
	defer s.randMu.Unlock()
	b := make([]byte, n)
	b[0] = byte('1' + s.rng.IntN(9))
	for i := 1; i < n; i++ {
		b[i] = byte('0' + s.rng.IntN(10))
	}
	return string(b)
}

// newID returns prefix plus 10 random digits, unused so far: the shape of
// FrontGo's identifiers (RES1943140879, CSRT1358046874, CAP2086719043).
// Callers hold s.mu.
func (s *Sandbox) newID(prefix string) string {
	for {
		id := prefix + s.digits(10)
		if !s.store.ids[id] {
			s.store.ids[id] = true
			return id
		}
	}
}

// sleep waits d, or until ctx is done or the sandbox closes; it reports
// whether the full time passed.
func (s *Sandbox) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-s.closing:
	}
	return false
}

// rateCounter counts API requests per minute of the sandbox clock, for the
// x-ratelimit-remaining header.
type rateCounter struct {
	mu     sync.Mutex
	minute int64
	n      int
}

func (r *rateCounter) hit(now time.Time, limit int) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := now.Unix() / 60
	if m != r.minute {
		r.minute, r.n = m, 0
	}
	r.n++
	return strconv.Itoa(max(limit-r.n, 0))
}

// SeededRand returns a deterministic source for Config.Rand: the same seed
// gives the same identifiers, in the same order, on every run.
func SeededRand(seed uint64) rand.Source {
	var b [32]byte
	binary.LittleEndian.PutUint64(b[:], seed)
	return rand.NewChaCha8(b)
}
