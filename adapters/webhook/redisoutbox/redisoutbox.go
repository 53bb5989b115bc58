// Package redisoutbox is a webhook.Outbox on Redis: deliveries survive a
// sidecar's restart, and the sidecars that share one Redis share them, each
// delivery leased to one taker at a time.
//
// Keys, all under Options.Prefix (P):
//
//	P d:<id>     hash: "json" the delivery as JSON; "m" its member of P q while
//	             queued; "tok" the lease token while leased; "dead" (the
//	             time it was given up, µs) and "shop" while a dead letter
//	P q          sorted set of queued deliveries: score NextAt in Unix
//	             microseconds, member "<20-digit sequence>:<id>", so that
//	             deliveries due at the same time come out in the order they
//	             were put (or retried)
//	P l          sorted set of leased ids: score the lease's expiry (µs)
//	P seq        the sequence counter
//	P done:<id>  an acknowledged id, for dedupe; expires after DoneTTL
//	P dead       sorted set of dead letters' ids: score the time given up (µs)
//	P dead:<shop> the same for one shop
//
// Every operation is one Lua script, so it is atomic across all clients of
// the server. Take first returns deliveries whose lease expired to the
// queue (a sidecar that died holding a lease does not strand them), then
// moves the first due delivery from the queue to the leases under a fresh
// random token. Retry and Drop apply only while the caller's token still
// holds the lease; Ack always ends the delivery, since it was delivered.
//
// The default prefix carries a hash tag, so that every key lands in one
// slot of a Redis Cluster.
package redisoutbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontgate/frontgate/adapters/webhook"
)

// ErrNotLeased is returned by Retry, Ack and Drop for a delivery this
// outbox did not hand out with Take, or already ended.
var ErrNotLeased = errors.New("redisoutbox: delivery not leased from this outbox")

// Defaults of Options.
const (
	DefaultPrefix = "frontgate:outbox:{webhook}:"
	// DefaultLeaseTimeout is how long a taken delivery stays leased. It is
	// well above webhook.DefaultAttemptTimeout: a lease must outlast one
	// attempt, or a slow shop could get the same event from two sidecars.
	DefaultLeaseTimeout = 2 * time.Minute
	// DefaultPollInterval bounds how long a waiting Take goes without
	// looking at Redis: how soon it sees deliveries put by other sidecars
	// and leases that expired.
	DefaultPollInterval = time.Second
)

// Options configure New. The zero value takes every default.
type Options struct {
	// Prefix is put in front of every key; default DefaultPrefix. Two
	// notifiers that sign for different shops need different prefixes.
	Prefix string
	// Clock gives due times and lease expiries; nil means the wall clock.
	// Sidecars sharing a Redis should keep their clocks in sync (NTP).
	Clock webhook.Clock
	// LeaseTimeout is how long a taken delivery is held before another
	// taker may have it; default DefaultLeaseTimeout. Keep it above the
	// Notifier's AttemptTimeout.
	LeaseTimeout time.Duration
	// DoneTTL is how long acknowledged ids are remembered; default
	// webhook.DefaultDoneTTL.
	DoneTTL time.Duration
	// DeadTTL is how long dead letters are kept, and DeadMax how many at
	// most per shop (the shop's oldest go first); defaults
	// webhook.DefaultDeadTTL and webhook.DefaultDeadMax.
	DeadTTL time.Duration
	DeadMax int
	// PollInterval is the longest a waiting Take goes without asking
	// Redis; default DefaultPollInterval.
	PollInterval time.Duration
}

// Outbox is a webhook.Outbox on Redis. It is safe for concurrent use, and
// any number of Outboxes, in one process or many, may share a prefix.
type Outbox struct {
	rdb   redis.UniversalClient
	o     Options
	queue string
	lease string
	seq   string
	dead  string

	mu     sync.Mutex
	held   map[*webhook.Delivery]string // delivery handed out → its lease token
	ending int                          // Retry, Ack or Drop calls under way
	closed bool
	wake   chan struct{} // closed and replaced on every local change
}

var _ webhook.Outbox = (*Outbox)(nil)

// New returns an outbox on rdb, which the caller keeps and closes after the
// Notifier using the outbox is closed (Close does not close it: a closed
// outbox still drains).
func New(rdb redis.UniversalClient, o Options) *Outbox {
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	if o.Clock == nil {
		o.Clock = webhook.RealClock{}
	}
	if o.LeaseTimeout <= 0 {
		o.LeaseTimeout = DefaultLeaseTimeout
	}
	if o.DoneTTL <= 0 {
		o.DoneTTL = webhook.DefaultDoneTTL
	}
	if o.DeadTTL <= 0 {
		o.DeadTTL = webhook.DefaultDeadTTL
	}
	if o.DeadMax <= 0 {
		o.DeadMax = webhook.DefaultDeadMax
	}
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	return &Outbox{rdb: rdb, o: o, queue: o.Prefix + "q", lease: o.Prefix + "l", seq: o.Prefix + "seq",
		dead: o.Prefix + "dead", held: map[*webhook.Delivery]string{}, wake: make(chan struct{})}
}

func (b *Outbox) item(id string) string     { return b.o.Prefix + "d:" + id }
func (b *Outbox) done(id string) string     { return b.o.Prefix + "done:" + id }
func (b *Outbox) deadOf(shop string) string { return b.o.Prefix + "dead:" + shop }

// micros is t as a sorted-set score: Unix microseconds, exact in a double
// for the next two centuries; times before 1970 are 0.
func micros(t time.Time) string {
	us := t.UnixMicro()
	if us < 0 {
		us = 0
	}
	return strconv.FormatInt(us, 10)
}

func (b *Outbox) broadcast() {
	close(b.wake)
	b.wake = make(chan struct{})
}

// The sequence number prefixes the member so that equal scores sort in the
// order of Put and Retry; "%020d" of a Lua number is exact up to 2^53.
const luaEnqueue = `
local function enqueue(item, id, score)
  local m = string.format('%020d', redis.call('INCR', KEYS_SEQ)) .. ':' .. id
  redis.call('HSET', item, 'm', m)
  redis.call('ZADD', KEYS_Q, score, m)
end
`

// luaBury forgets the dead letter id (item its hash): its hash and its
// members of the dead sets. KEYS_DEAD is P dead, PREFIX is P. A hash that
// is not a dead letter (any more) is left alone.
const luaBury = `
local function bury(item, id)
  local shop = redis.call('HGET', item, 'shop')
  if shop then redis.call('ZREM', PREFIX .. 'dead:' .. shop, id) end
  redis.call('ZREM', KEYS_DEAD, id)
  if redis.call('HEXISTS', item, 'dead') == 1 then redis.call('DEL', item) end
end
`

// luaPrune forgets the dead letters of every shop given up before cut
// (µs), then, when shopset is given (P dead:<shop>), that set's members
// past the cut (a letter whose hash Redis expired leaves no shop to find
// them by) and that shop's oldest beyond max: one shop's failures never
// push out another's.
const luaPrune = luaBury + `
local function prune(cut, shopset, max)
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS_DEAD, '-inf', '(' .. cut)) do bury(PREFIX .. 'd:' .. id, id) end
  if not shopset then return end
  redis.call('ZREMRANGEBYSCORE', shopset, '-inf', '(' .. cut)
  local over = redis.call('ZCARD', shopset) - tonumber(max)
  if over > 0 then
    for _, id in ipairs(redis.call('ZRANGE', shopset, 0, over - 1)) do
      redis.call('ZREM', shopset, id)
      bury(PREFIX .. 'd:' .. id, id)
    end
  end
end
`

// putScript: KEYS q, seq, item, done, dead; ARGV id, json, score, prefix.
// A dead letter with the same id gives way to the new delivery.
var putScript = redis.NewScript(`local KEYS_Q, KEYS_SEQ, KEYS_DEAD, PREFIX = KEYS[1], KEYS[2], KEYS[5], ARGV[4]` +
	luaEnqueue + luaBury + `
if redis.call('EXISTS', KEYS[4]) == 1 then return 0 end
if redis.call('EXISTS', KEYS[3]) == 1 then
  if redis.call('HEXISTS', KEYS[3], 'dead') == 0 then return 0 end
  bury(KEYS[3], ARGV[1])
end
redis.call('HSET', KEYS[3], 'json', ARGV[2])
enqueue(KEYS[3], ARGV[1], ARGV[3])
return 1
`)

// takeScript: KEYS q, seq, l; ARGV now, lease expiry, token, item prefix.
// It returns {1, json, id} for a delivery now leased, or {0, score} with
// the score of the next queued delivery ("" for none).
var takeScript = redis.NewScript(`local KEYS_Q, KEYS_SEQ = KEYS[1], KEYS[2]` + luaEnqueue + `
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, 100)
for i = 1, #expired, 2 do
  local id = expired[i]
  redis.call('ZREM', KEYS[3], id)
  local item = ARGV[4] .. id
  if redis.call('EXISTS', item) == 1 then
    redis.call('HDEL', item, 'tok')
    enqueue(item, id, expired[i + 1])
  end
end
local top = redis.call('ZRANGEBYSCORE', KEYS_Q, '-inf', ARGV[1], 'LIMIT', 0, 1)
if #top == 0 then
  local nxt = redis.call('ZRANGE', KEYS_Q, 0, 0, 'WITHSCORES')
  if #nxt == 0 then return {0, ''} end
  return {0, nxt[2]}
end
local m = top[1]
local id = string.sub(m, 22)
local item = ARGV[4] .. id
redis.call('ZREM', KEYS_Q, m)
redis.call('HDEL', item, 'm')
redis.call('HSET', item, 'tok', ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[2], id)
return {1, redis.call('HGET', item, 'json') or '', id}
`)

// retryScript: KEYS q, seq, l, item; ARGV id, json, score, token.
var retryScript = redis.NewScript(`local KEYS_Q, KEYS_SEQ = KEYS[1], KEYS[2]` + luaEnqueue + `
if redis.call('HGET', KEYS[4], 'tok') ~= ARGV[4] then return 0 end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], 'tok')
redis.call('HSET', KEYS[4], 'json', ARGV[2])
enqueue(KEYS[4], ARGV[1], ARGV[3])
return 1
`)

// ackScript: KEYS q, l, item, done, dead; ARGV id, done TTL in ms, token,
// prefix. Whoever holds the lease now, the event was delivered: it ends and
// is remembered, also when another taker has given it up meanwhile (a slow
// attempt that succeeded after its lease expired).
var ackScript = redis.NewScript(`local KEYS_DEAD, PREFIX = KEYS[5], ARGV[4]` + luaBury + `
local held = redis.call('HGET', KEYS[3], 'tok') == ARGV[3]
local m = redis.call('HGET', KEYS[3], 'm')
if m then redis.call('ZREM', KEYS[1], m) end
redis.call('ZREM', KEYS[2], ARGV[1])
bury(KEYS[3], ARGV[1])
redis.call('DEL', KEYS[3])
redis.call('SET', KEYS[4], '1', 'PX', ARGV[2])
if held then return 1 end
return 0
`)

// dropScript: KEYS l, item; ARGV id, token. It removes a leased item
// (one that is not a delivery, see Take).
var dropScript = redis.NewScript(`
if redis.call('HGET', KEYS[2], 'tok') ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
return 1
`)

// killScript: KEYS l, item, dead, dead of the shop; ARGV id, token, json,
// score (the time given up), shop, prefix, prune cut, max per shop, TTL
// in ms. It makes a leased delivery a dead letter. Its hash (the shopper's
// contact details) also expires a day after the TTL, whether or not a
// prune comes (one normally comes first and finds its shop); the sets'
// members of such a letter go with the next prune or listing.
var killScript = redis.NewScript(`local KEYS_DEAD, PREFIX = KEYS[3], ARGV[6]` + luaPrune + `
if redis.call('HGET', KEYS[2], 'tok') ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], 'json', ARGV[3], 'dead', ARGV[4], 'shop', ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[9])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
prune(ARGV[7], KEYS[4], ARGV[8])
return 1
`)

// deadScript: KEYS dead, the set to list (dead, or the dead of a shop);
// ARGV prefix, prune cut, limit (0: all). It returns the dead letters'
// JSON, the most recently given up first, dropping from the set any
// member whose hash is no dead letter.
var deadScript = redis.NewScript(`local KEYS_DEAD, PREFIX = KEYS[1], ARGV[1]` + luaPrune + `
prune(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[2])
local out, limit = {}, tonumber(ARGV[3])
for _, id in ipairs(redis.call('ZREVRANGE', KEYS[2], 0, -1)) do
  local item = PREFIX .. 'd:' .. id
  if redis.call('HEXISTS', item, 'dead') == 1 then
    table.insert(out, redis.call('HGET', item, 'json'))
    if #out == limit then break end
  else
    redis.call('ZREM', KEYS[2], id)
  end
end
return out
`)

// getDeadScript: KEYS the items; ARGV shop. It returns the JSON of each
// item that is a dead letter of shop, "" for the others.
var getDeadScript = redis.NewScript(`
local out = {}
for i, item in ipairs(KEYS) do
  local js = ''
  if redis.call('HEXISTS', item, 'dead') == 1 and redis.call('HGET', item, 'shop') == ARGV[1] then
    js = redis.call('HGET', item, 'json')
  end
  out[i] = js
end
return out
`)

// reviveScript: KEYS q, seq, item, dead, dead of the shop; ARGV id, json,
// score, shop, the time it was given up (the "dead" field read with the
// JSON), the TTL cut. It queues the dead letter again as json, unless it
// is no longer the one read (given up anew meanwhile), is another shop's,
// or is past its TTL.
var reviveScript = redis.NewScript(`local KEYS_Q, KEYS_SEQ = KEYS[1], KEYS[2]` + luaEnqueue + `
local dead = redis.call('HGET', KEYS[3], 'dead')
if not dead or dead ~= ARGV[5] or redis.call('HGET', KEYS[3], 'shop') ~= ARGV[4] then return 0 end
if tonumber(dead) < tonumber(ARGV[6]) then return 0 end
redis.call('PERSIST', KEYS[3])
redis.call('HDEL', KEYS[3], 'dead', 'shop')
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('HSET', KEYS[3], 'json', ARGV[2])
enqueue(KEYS[3], ARGV[1], ARGV[3])
return 1
`)

// pruneScript: KEYS dead; ARGV prefix, cut. It returns how many dead
// letters are left.
var pruneScript = redis.NewScript(`local KEYS_DEAD, PREFIX = KEYS[1], ARGV[1]` + luaPrune + `
prune(ARGV[2])
return redis.call('ZCARD', KEYS_DEAD)
`)

// Put implements webhook.Outbox.
func (b *Outbox) Put(ctx context.Context, d *webhook.Delivery) (bool, error) {
	b.mu.Lock()
	closed := b.closed
	b.mu.Unlock()
	if closed {
		return false, webhook.ErrClosed
	}
	js, err := json.Marshal(d)
	if err != nil {
		return false, fmt.Errorf("redisoutbox: put %s: %w", d.ID, err)
	}
	n, err := putScript.Run(ctx, b.rdb, []string{b.queue, b.seq, b.item(d.ID), b.done(d.ID), b.dead},
		d.ID, js, micros(d.NextAt), b.o.Prefix).Int()
	if err != nil {
		return false, fmt.Errorf("redisoutbox: put %s: %w", d.ID, err)
	}
	if n == 1 {
		b.changed()
	}
	return n == 1, nil
}

func (b *Outbox) changed() {
	b.mu.Lock()
	b.broadcast()
	b.mu.Unlock()
}

// Take implements webhook.Outbox. It asks Redis when called, when this
// outbox changes, when the next queued delivery falls due, and at least
// every PollInterval.
func (b *Outbox) Take(ctx context.Context) (*webhook.Delivery, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b.mu.Lock()
		wake := b.wake // taken before asking, so a change meanwhile is not missed
		b.mu.Unlock()
		now := b.o.Clock.Now()
		tok, err := token()
		if err != nil {
			return nil, err
		}
		res, err := takeScript.Run(ctx, b.rdb, []string{b.queue, b.seq, b.lease},
			micros(now), micros(now.Add(b.o.LeaseTimeout)), tok, b.o.Prefix+"d:").Slice()
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return nil, cerr
			}
			return nil, fmt.Errorf("redisoutbox: take: %w", err)
		}
		if len(res) == 3 && res[0] == int64(1) {
			js, _ := res[1].(string)
			id, _ := res[2].(string)
			d := new(webhook.Delivery)
			if err := json.Unmarshal([]byte(js), d); err != nil || d.ID != id {
				// Not a delivery this package wrote: out of the way, or it
				// would come back at every lease expiry.
				_ = dropScript.Run(context.WithoutCancel(ctx), b.rdb, []string{b.lease, b.item(id)}, id, tok).Err()
				return nil, fmt.Errorf("redisoutbox: take: delivery %q is not valid, dropped: %v", id, err)
			}
			b.mu.Lock()
			b.held[d] = tok
			b.mu.Unlock()
			return d, nil
		}
		b.mu.Lock()
		closed, held := b.closed, len(b.held)+b.ending
		b.mu.Unlock()
		if closed && held == 0 {
			return nil, webhook.ErrClosed
		}
		var due <-chan time.Time
		if len(res) == 2 {
			if s, _ := res[1].(string); s != "" {
				if f, err := strconv.ParseFloat(s, 64); err == nil {
					due = b.o.Clock.After(time.UnixMicro(int64(f)).Sub(now))
				}
			}
		}
		poll := time.NewTimer(b.o.PollInterval)
		select {
		case <-ctx.Done():
		case <-wake:
		case <-due:
		case <-poll.C:
		}
		poll.Stop()
	}
}

// release forgets d's lease in this process and returns its token; the
// caller calls ended once Redis has its answer. Until then a closed
// outbox's Take keeps waiting: the delivery may come back.
func (b *Outbox) release(d *webhook.Delivery) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	tok, ok := b.held[d]
	if !ok {
		return "", fmt.Errorf("%w: %s", ErrNotLeased, d.ID)
	}
	delete(b.held, d)
	b.ending++
	return tok, nil
}

func (b *Outbox) ended() {
	b.mu.Lock()
	b.ending--
	b.broadcast()
	b.mu.Unlock()
}

// Retry implements webhook.Outbox. When the lease expired and another taker
// has the delivery, Retry leaves it to that taker and returns nil.
func (b *Outbox) Retry(ctx context.Context, d *webhook.Delivery) error {
	tok, err := b.release(d)
	if err != nil {
		return err
	}
	defer b.ended()
	js, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("redisoutbox: retry %s: %w", d.ID, err)
	}
	if err := retryScript.Run(ctx, b.rdb, []string{b.queue, b.seq, b.lease, b.item(d.ID)},
		d.ID, js, micros(d.NextAt), tok).Err(); err != nil {
		return fmt.Errorf("redisoutbox: retry %s: %w", d.ID, err)
	}
	return nil
}

// Ack implements webhook.Outbox.
func (b *Outbox) Ack(ctx context.Context, d *webhook.Delivery) error {
	tok, err := b.release(d)
	if err != nil {
		return err
	}
	defer b.ended()
	ttl := max(b.o.DoneTTL.Milliseconds(), 1)
	if err := ackScript.Run(ctx, b.rdb, []string{b.queue, b.lease, b.item(d.ID), b.done(d.ID), b.dead},
		d.ID, ttl, tok, b.o.Prefix).Err(); err != nil {
		return fmt.Errorf("redisoutbox: ack %s: %w", d.ID, err)
	}
	return nil
}

// Drop implements webhook.Outbox. When the lease expired and another taker
// has the delivery, Drop leaves it to that taker and returns nil.
func (b *Outbox) Drop(ctx context.Context, d *webhook.Delivery) error {
	tok, err := b.release(d)
	if err != nil {
		return err
	}
	defer b.ended()
	now := b.o.Clock.Now()
	d.GaveUpAt = now
	js, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("redisoutbox: drop %s: %w", d.ID, err)
	}
	if err := killScript.Run(ctx, b.rdb, []string{b.lease, b.item(d.ID), b.dead, b.deadOf(d.Shop)},
		d.ID, tok, js, micros(now), d.Shop, b.o.Prefix, b.cut(now), b.o.DeadMax, (b.o.DeadTTL + hashGrace).Milliseconds()).Err(); err != nil {
		return fmt.Errorf("redisoutbox: drop %s: %w", d.ID, err)
	}
	return nil
}

// hashGrace is how much longer than DeadTTL a dead letter's hash lives on
// Redis, so that the prune at DeadTTL still finds its shop.
const hashGrace = 24 * time.Hour

// cut is the score before which dead letters are past DeadTTL.
func (b *Outbox) cut(now time.Time) string { return micros(now.Add(-b.o.DeadTTL)) }

// Dead implements webhook.Outbox.
func (b *Outbox) Dead(ctx context.Context, shop string, limit int) ([]webhook.Delivery, error) {
	set := b.dead
	if shop != "" {
		set = b.deadOf(shop)
	}
	res, err := deadScript.Run(ctx, b.rdb, []string{b.dead, set},
		b.o.Prefix, b.cut(b.o.Clock.Now()), max(limit, 0)).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("redisoutbox: dead letters: %w", err)
	}
	out := make([]webhook.Delivery, 0, len(res))
	for _, js := range res {
		var d webhook.Delivery
		if json.Unmarshal([]byte(js), &d) == nil {
			out = append(out, d)
		}
	}
	return out, nil
}

// Revive implements webhook.Outbox.
func (b *Outbox) Revive(ctx context.Context, shop string, ids []string, now time.Time, url string) (int, error) {
	b.mu.Lock()
	closed := b.closed
	b.mu.Unlock()
	if closed {
		return 0, webhook.ErrClosed
	}
	dead, err := b.deadLetters(ctx, shop, ids)
	if err != nil {
		return 0, err
	}
	return b.revive(ctx, shop, dead, now, url)
}

// revive queues the dead letters read as dead, each only if it is still the
// letter read (not given up anew since) and within its TTL.
func (b *Outbox) revive(ctx context.Context, shop string, dead []webhook.Delivery, now time.Time, url string) (int, error) {
	n := 0
	cut := b.cut(b.o.Clock.Now())
	for _, d := range dead {
		gaveUp := micros(d.GaveUpAt) // the letter as read: the script revives only that one
		d = d.Revived(now, url)
		js, err := json.Marshal(&d)
		if err != nil {
			return n, fmt.Errorf("redisoutbox: revive %s: %w", d.ID, err)
		}
		ok, err := reviveScript.Run(ctx, b.rdb, []string{b.queue, b.seq, b.item(d.ID), b.dead, b.deadOf(shop)},
			d.ID, js, micros(now), shop, gaveUp, cut).Int()
		if err != nil {
			return n, fmt.Errorf("redisoutbox: revive %s: %w", d.ID, err)
		}
		n += ok
	}
	if n > 0 {
		b.changed()
	}
	return n, nil
}

// deadLetters returns shop's dead letters named by ids, read by id, or
// all of them, oldest first, when ids is empty.
func (b *Outbox) deadLetters(ctx context.Context, shop string, ids []string) ([]webhook.Delivery, error) {
	if len(ids) == 0 {
		all, err := b.Dead(ctx, shop, 0)
		slices.Reverse(all)
		return all, err
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = b.item(id)
	}
	res, err := getDeadScript.Run(ctx, b.rdb, keys, shop).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("redisoutbox: dead letters: %w", err)
	}
	var out []webhook.Delivery
	for i, js := range res {
		var d webhook.Delivery
		if js != "" && json.Unmarshal([]byte(js), &d) == nil && d.ID == ids[i] {
			out = append(out, d)
		}
	}
	return out, nil
}

// DeadLen implements webhook.Outbox: every dead letter under the prefix; 0
// when Redis does not answer within a few seconds.
func (b *Outbox) DeadLen() int {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	n, err := pruneScript.Run(ctx, b.rdb, []string{b.dead}, b.o.Prefix, b.cut(b.o.Clock.Now())).Int()
	if err != nil {
		return 0
	}
	return n
}

// Close implements webhook.Outbox: Put is refused from now on; Take hands
// out what is due and waits for the deliveries this outbox leased, then
// returns webhook.ErrClosed. Deliveries due later stay on Redis. The Redis
// client stays open.
func (b *Outbox) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed {
		b.closed = true
		b.broadcast()
	}
	return nil
}

// Len implements webhook.Outbox: every pending delivery under the prefix,
// whichever sidecar put or leased it; 0 when Redis does not answer within
// a few seconds.
func (b *Outbox) Len() int {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var q, l *redis.IntCmd
	if _, err := b.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		q, l = p.ZCard(ctx, b.queue), p.ZCard(ctx, b.lease)
		return nil
	}); err != nil {
		return 0
	}
	return int(q.Val() + l.Val())
}

func token() (string, error) {
	var t [12]byte
	if _, err := rand.Read(t[:]); err != nil {
		return "", fmt.Errorf("redisoutbox: lease token: %w", err)
	}
	return hex.EncodeToString(t[:]), nil
}
