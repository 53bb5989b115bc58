package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/frontgate/frontgate/host/signature"
)

// ErrTooLarge is returned for a body over the Verifier's limit.
var ErrTooLarge = errors.New("webhook: body too large")

// DefaultMaxBodyBytes bounds the body a Verifier reads: 1 MiB, far above
// any event (the reservation details are a few kilobytes).
const DefaultMaxBodyBytes = 1 << 20

// Verifier checks webhooks on the receiving side: the body's size, then the
// Frontgate-Signature HMAC in constant time against each secret (several
// during a rotation), then the timestamp within Tolerance either way. The
// zero Tolerance means signature.DefaultTolerance (5 minutes).
type Verifier struct {
	Secrets      [][]byte
	Tolerance    time.Duration
	MaxBodyBytes int64            // 0 means DefaultMaxBodyBytes
	Now          func() time.Time // nil means time.Now
}

// Verify reads r's body and checks it. Errors wrap signature.ErrMalformed,
// ErrInvalid, ErrExpired or ErrNoKey, or are ErrTooLarge.
func (v *Verifier) Verify(r *http.Request) (*Payload, []byte, error) {
	limit := v.MaxBodyBytes
	if limit <= 0 {
		limit = DefaultMaxBodyBytes
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, nil, fmt.Errorf("webhook: reading the body: %w", err)
	}
	if int64(len(body)) > limit {
		return nil, nil, ErrTooLarge
	}
	p, err := v.VerifyBytes(r.Header.Get(signature.WebhookHeader), body)
	if err != nil {
		return nil, body, err
	}
	if h := r.Header.Get(HeaderEventID); h != "" && h != p.ID {
		return nil, body, fmt.Errorf("%w: %s does not match the body's id", signature.ErrMalformed, HeaderEventID)
	}
	return p, body, nil
}

// VerifyBytes checks a signature header against body and decodes the
// payload.
func (v *Verifier) VerifyBytes(header string, body []byte) (*Payload, error) {
	if len(v.Secrets) == 0 {
		return nil, signature.ErrNoKey
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	// An empty secret (a "next" one not set yet, say) is skipped, not
	// taken for an error: the others still verify.
	err := signature.ErrNoKey
	for _, s := range v.Secrets {
		if len(s) == 0 {
			continue
		}
		if err = signature.VerifyWebhook(header, body, s, v.Tolerance, now()); !errors.Is(err, signature.ErrInvalid) {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	var p Payload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("%w: body: %v", signature.ErrMalformed, err)
	}
	if p.ID == "" {
		return nil, fmt.Errorf("%w: body has no id", signature.ErrMalformed)
	}
	return &p, nil
}

// Deduper remembers event ids a receiver has applied, for TTL and at most
// Max of them (oldest forgotten first), so a retried delivery is
// acknowledged without being applied again. A receiver running on several
// machines keeps the ids in its database instead (the WooCommerce plugin
// keeps them in order meta). It is safe for concurrent use.
type Deduper struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu    sync.Mutex
	seen  map[string]time.Time
	done  map[string]bool // seen ids whose event is applied (Done), not just claimed
	order []doneEntry
}

// NewDeduper returns a Deduper keeping ids for ttl (0 means 72 hours) and
// at most max of them (0 means 100 000).
func NewDeduper(ttl time.Duration, max int) *Deduper {
	if ttl <= 0 {
		ttl = DefaultDoneTTL
	}
	if max <= 0 {
		max = DefaultDoneMax
	}
	return &Deduper{ttl: ttl, max: max, now: time.Now, seen: map[string]time.Time{}, done: map[string]bool{}}
}

// Claim reports whether id is new, and if so marks it seen (claimed). A
// receiver that then applies the event calls Done; one that fails calls
// Release, so a retry applies it. Between Claim and Done, Applied says
// false: a retry that arrives meanwhile must not be acknowledged, since
// the first attempt may still fail.
func (d *Deduper) Claim(id string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	d.prune(now.Add(-d.ttl), d.max)
	if _, ok := d.seen[id]; ok {
		return false
	}
	d.prune(time.Time{}, d.max-1) // room for id
	d.seen[id] = now
	d.order = append(d.order, doneEntry{id, now})
	return true
}

// Done records that the event id was applied: later Claims of it are
// duplicates to acknowledge.
func (d *Deduper) Done(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.seen[id]; ok {
		d.done[id] = true
	}
}

// Applied says whether id was claimed and Done (not merely claimed).
func (d *Deduper) Applied(id string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.done[id]
}

// prune forgets ids older than cut, and the oldest beyond keep.
func (d *Deduper) prune(cut time.Time, keep int) {
	k := 0
	for k < len(d.order) && (len(d.order)-k > keep || d.order[k].at.Before(cut)) {
		if at, ok := d.seen[d.order[k].id]; ok && at.Equal(d.order[k].at) {
			delete(d.seen, d.order[k].id)
			delete(d.done, d.order[k].id)
		}
		k++
	}
	if k > 0 {
		d.order = append(d.order[:0], d.order[k:]...)
	}
}

// Release forgets id, so that the next Claim of it succeeds.
func (d *Deduper) Release(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.seen, id)
	delete(d.done, id)
}

// Handler returns an http.Handler that verifies each webhook with v, skips
// ids dedupe has applied (nil: no dedupe), and calls apply once per event.
// It answers 200 when the event is applied or was already, 409 (with
// Retry-After) while an earlier delivery of the same event is still being
// applied (the sender retries: that one may yet fail), 400 for a
// malformed request, 401 for a bad or expired signature, 413 for a body
// too large, 405 for a method other than POST, and 500 when apply fails or
// panics (the sender retries).
func Handler(v *Verifier, dedupe *Deduper, apply func(ctx context.Context, p *Payload) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		p, _, err := v.Verify(r)
		switch {
		case err == nil:
		case errors.Is(err, ErrTooLarge):
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		case errors.Is(err, signature.ErrInvalid), errors.Is(err, signature.ErrExpired), errors.Is(err, signature.ErrNoKey):
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		default:
			http.Error(w, "malformed webhook", http.StatusBadRequest)
			return
		}
		if dedupe != nil && !dedupe.Claim(p.ID) {
			if !dedupe.Applied(p.ID) {
				w.Header().Set("Retry-After", "5")
				http.Error(w, "this event is still being applied", http.StatusConflict)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"result":"duplicate"}`)
			return
		}
		if err := applySafely(r.Context(), p, apply); err != nil {
			if dedupe != nil {
				dedupe.Release(p.ID)
			}
			http.Error(w, "could not apply the event", http.StatusInternalServerError)
			return
		}
		if dedupe != nil {
			dedupe.Done(p.ID)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"result":"applied"}`)
	})
}

// applySafely calls apply, turning a panic into an error, so the event's
// claim is given back and a retry applies it.
func applySafely(ctx context.Context, p *Payload, apply func(context.Context, *Payload) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("webhook: apply panicked: %v", r)
		}
	}()
	return apply(ctx, p)
}
