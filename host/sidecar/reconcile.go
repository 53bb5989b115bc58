package sidecar

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash"
	"strconv"
	"sync"
	"time"

	"github.com/frontgate/frontgate/host/store"
	"github.com/frontgate/frontgate/plugin/abi"
)

// ReconcileReport is what one reconciliation run found and did.
type ReconcileReport struct {
	Start    time.Time `json:"start"`
	Finished time.Time `json:"finished"`
	// Window is the history time frame read, in Unix seconds.
	WindowStart int64 `json:"windowStart"`
	WindowEnd   int64 `json:"windowEnd"`
	// Seen counts this sidecar's reservations in the window; Repaired those
	// whose shop state was behind FrontGo's and was brought up to date.
	Seen     int    `json:"seen"`
	Repaired int    `json:"repaired"`
	Failed   int    `json:"failed"`
	Skipped  bool   `json:"skipped"` // another instance holds the lock
	Error    string `json:"error,omitempty"`
}

const (
	reconcileLock = "lock:reconcile"
	reconcileMark = "reconcile:last"
	// reconcileOverlap re-reads a little of the previous window, so an
	// event written late at FrontGo is not missed between two runs.
	reconcileOverlap = 10 * time.Minute
	// reconcileMaxWindow bounds one run's history window.
	reconcileMaxWindow = 7 * 24 * time.Hour
	// reconcileMinWindow is the shortest window a run narrows its window
	// to when FrontGo's history of it is more than the core reads.
	reconcileMinWindow = time.Minute
)

type reconcileState struct {
	mu   sync.Mutex
	last ReconcileReport
	runs int
}

// Reconcile repairs what lost callbacks left behind: it reads FrontGo's
// history since the last run (a little overlap; 24 hours on the first run),
// and for each reservation of this sidecar's shops confirms the state with
// GET details and applies it through the same once-only path as callbacks.
// One instance runs at a time across sidecars sharing a store: the run takes
// a lock that expires after lockTTL (no release, so runs are at least that
// far apart).
func (s *Service) Reconcile(ctx context.Context, lockTTL time.Duration) (rep ReconcileReport) {
	now := s.now()
	rep = ReconcileReport{Start: now}
	defer func() { // on the report returned too (a named result)
		rep.Finished = s.now()
		s.m.reconcile(rep)
		s.rec.mu.Lock()
		s.rec.last, s.rec.runs = rep, s.rec.runs+1
		s.rec.mu.Unlock()
	}()
	got, err := s.store.SetNX(ctx, reconcileLock, []byte(strconv.FormatInt(now.Unix(), 10)), lockTTL)
	if err != nil {
		rep.Error = "store: " + err.Error()
		return rep
	}
	if !got {
		rep.Skipped = true
		return rep
	}
	since := now.Add(-24 * time.Hour)
	marked := false
	if b, err := s.store.Get(ctx, reconcileMark); err == nil {
		marked = true
		if t, err := strconv.ParseInt(string(b), 10, 64); err == nil {
			since = time.Unix(t, 0).Add(-reconcileOverlap)
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		rep.Error = "store: " + err.Error()
		return rep
	}
	if now.Sub(since) > reconcileMaxWindow {
		since = now.Add(-reconcileMaxWindow)
	}
	// FrontGo's history of a busy account (or of a window kept since an
	// outage, which only grows) may be more than the core reads: the run
	// then reads the window's first half, and so on, and the next run goes
	// on from where this one's window ended.
	end := now
	var events []json.RawMessage
	for {
		rep.WindowStart, rep.WindowEnd = since.Unix(), end.Unix()
		e := s.exchange(ctx, "history", map[string]any{"start": rep.WindowStart, "end": rep.WindowEnd, "now": now.Unix()}, &events)
		if e == nil {
			break
		}
		if e.Code != abi.CodeTooLarge || end.Sub(since) < 2*reconcileMinWindow {
			rep.Error = e.Message
			return rep
		}
		end = since.Add(end.Sub(since) / 2)
	}
	// A run that could not confirm its whole window (FrontGo slow, its
	// rate limit spent, the run's deadline) leaves the mark, so the next
	// run reads the same window; what a run confirmed is remembered with
	// the window's start and the reservation's events in it, and is not
	// asked about again while both are unchanged. Without that, every run
	// began again at the window's start and never reached its end.
	var order []string
	byUUID := map[string]hash.Hash{}
	for _, ev := range events {
		var h struct {
			UUID string `json:"uuid"`
		}
		if json.Unmarshal(ev, &h) != nil || h.UUID == "" {
			continue
		}
		d := byUUID[h.UUID]
		if d == nil {
			d = sha256.New()
			d.Write([]byte(strconv.FormatInt(rep.WindowStart, 10)))
			byUUID[h.UUID] = d
			order = append(order, h.UUID)
		}
		d.Write([]byte{0})
		d.Write(ev)
	}
	for _, uuid := range order {
		digest := hex.EncodeToString(byUUID[uuid].Sum(nil))
		// A reservation the store cannot answer for counts as failed, so
		// the window does not move past it; only a missing key means
		// "not one of ours".
		id, err := s.store.Get(ctx, "res:"+uuid)
		if errors.Is(err, store.ErrNotFound) {
			continue // not one of ours
		} else if err != nil {
			rep.Failed++
			s.log.Warn("reconcile: store failed", "reservation", uuid, "err", err)
			continue
		}
		done := "reconciled:" + uuid
		if b, err := s.store.Get(ctx, done); err == nil && string(b) == digest {
			rep.Seen++
			continue // confirmed by an earlier run over this window
		}
		c, e := s.Checkout(ctx, "", string(id))
		if e != nil && e.Status == 404 {
			continue // its record expired
		} else if e != nil {
			rep.Failed++
			s.log.Warn("reconcile: store failed", "reservation", uuid, "err", e.Message)
			continue
		}
		rep.Seen++
		res, e := s.settle(ctx, c, "reconcile")
		switch {
		case e != nil:
			rep.Failed++
			s.log.Warn("reconcile: could not confirm", "reservation", uuid, "err", e.Message)
			continue
		case res == CallbackApplied:
			rep.Repaired++
			s.log.Info("reconcile: repaired a missed state change", "shop", c.Shop, "order", c.OrderID, "reservation", uuid, "status", c.Status)
		}
		_ = s.store.Set(ctx, done, []byte(digest), reconcileMaxWindow)
	}
	switch {
	case rep.Failed == 0 && end.Before(now):
		// The next run starts where this one's window ended.
		_ = s.store.Set(ctx, reconcileMark, []byte(strconv.FormatInt(end.Add(reconcileOverlap).Unix(), 10)), 0)
	case rep.Failed == 0:
		_ = s.store.Set(ctx, reconcileMark, []byte(strconv.FormatInt(now.Unix(), 10)), 0)
	case !marked:
		// The first run's window starts a day back from its own start;
		// the next run resumes this one's.
		_ = s.store.Set(ctx, reconcileMark, []byte(strconv.FormatInt(since.Add(reconcileOverlap).Unix(), 10)), 0)
	}
	return rep
}

// LastReconcile returns the last run's report and how many runs there were.
func (s *Service) LastReconcile() (ReconcileReport, int) {
	s.rec.mu.Lock()
	defer s.rec.mu.Unlock()
	return s.rec.last, s.rec.runs
}

// RunReconciler reconciles every interval until ctx ends.
func (s *Service) RunReconciler(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			rctx, cancel := context.WithTimeout(ctx, interval)
			rep := s.Reconcile(rctx, interval/2)
			cancel()
			if rep.Error != "" {
				s.log.Warn("reconcile run failed", "err", rep.Error)
			}
		}
	}
}
