package webhook

import "time"

// deadStore is MemoryOutbox's dead letters: by id, and in the order they
// were given up, for the whole outbox and per shop, so that forgetting
// the expired ones and a shop's oldest beyond its cap costs what it
// forgets, not a walk over all of them. The queues are lazy: an entry
// whose letter was revived or replaced meanwhile is skipped (and dropped
// when it reaches a queue's front, or when a queue is mostly such
// entries). Not safe for concurrent use: MemoryOutbox's lock guards it.
type deadStore struct {
	ttl    time.Duration
	perMax int // dead letters kept per shop

	byID   map[string]Delivery
	all    []deadEntry            // every dead letter, oldest first
	shops  map[string][]deadEntry // per shop, oldest first
	counts map[string]int         // live dead letters per shop
}

type deadEntry struct {
	id string
	at time.Time // its GaveUpAt: tells a live entry from a stale one
}

func newDeadStore(ttl time.Duration, perMax int) *deadStore {
	return &deadStore{ttl: ttl, perMax: perMax, byID: map[string]Delivery{},
		shops: map[string][]deadEntry{}, counts: map[string]int{}}
}

// live reports whether e still names a dead letter.
func (s *deadStore) live(e deadEntry) bool {
	d, ok := s.byID[e.id]
	return ok && d.GaveUpAt.Equal(e.at)
}

// add keeps d (GaveUpAt set) and forgets the shop's oldest beyond its cap.
func (s *deadStore) add(d Delivery) {
	s.remove(d.ID)
	s.byID[d.ID] = d
	e := deadEntry{d.ID, d.GaveUpAt}
	s.all = append(s.all, e)
	s.shops[d.Shop] = append(s.shops[d.Shop], e)
	s.counts[d.Shop]++
	for s.counts[d.Shop] > s.perMax {
		q := s.shops[d.Shop]
		oldest := q[0]
		s.shops[d.Shop] = q[1:]
		if s.live(oldest) {
			s.remove(oldest.id)
		}
	}
	s.all = compact(s.all, len(s.byID), s.live)
}

// remove forgets the dead letter id, if there is one.
func (s *deadStore) remove(id string) (Delivery, bool) {
	d, ok := s.byID[id]
	if !ok {
		return Delivery{}, false
	}
	delete(s.byID, id)
	if s.counts[d.Shop]--; s.counts[d.Shop] == 0 {
		delete(s.counts, d.Shop)
		delete(s.shops, d.Shop)
	} else {
		s.shops[d.Shop] = compact(s.shops[d.Shop], s.counts[d.Shop], s.live)
	}
	return d, true
}

// prune forgets the dead letters given up before now − ttl.
func (s *deadStore) prune(now time.Time) {
	cut := now.Add(-s.ttl)
	for len(s.all) > 0 && (!s.live(s.all[0]) || s.all[0].at.Before(cut)) {
		if s.live(s.all[0]) {
			s.remove(s.all[0].id)
		}
		s.all = s.all[1:]
	}
}

// list returns shop's dead letters (every shop's for ""), the most
// recently given up first, at most limit (all when limit <= 0).
func (s *deadStore) list(shop string, limit int) []Delivery {
	q := s.all
	if shop != "" {
		q = s.shops[shop]
	}
	var out []Delivery
	for i := len(q) - 1; i >= 0 && (limit <= 0 || len(out) < limit); i-- {
		if s.live(q[i]) {
			out = append(out, s.byID[q[i].id])
		}
	}
	return out
}

// compact drops q's stale entries once they outnumber the live ones
// (live of them) by more than a few, keeping the queue's order.
func compact(q []deadEntry, live int, isLive func(deadEntry) bool) []deadEntry {
	if len(q) <= 2*live+64 {
		return q
	}
	out := make([]deadEntry, 0, live)
	for _, e := range q {
		if isLive(e) {
			out = append(out, e)
		}
	}
	return out
}
