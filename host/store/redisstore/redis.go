// Package redisstore is the store.Store several sidecars share: the same
// contract as the in-memory store, on a Redis server, so idempotency
// records, dedupe marks and checkout records are seen by every instance.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontgate/frontgate/host/store"
)

// Store is a store.Store on Redis. Keys are prefixed so one Redis can serve
// several deployments.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
}

// Options configure New.
type Options struct {
	// URL is a redis:// or rediss:// URL (password and database included).
	URL string
	// Prefix is put in front of every key; default "frontgate:".
	Prefix string
}

// New connects to Redis and checks that it answers.
func New(ctx context.Context, o Options) (*Store, error) {
	opt, err := redis.ParseURL(o.URL)
	if err != nil {
		// The parser's message repeats the URL, password and all.
		return nil, errors.New("redisstore: the Redis URL is not a valid redis:// or rediss:// URL (not repeated here: it may hold a password)")
	}
	if o.Prefix == "" {
		o.Prefix = "frontgate:"
	}
	s := &Store{rdb: redis.NewClient(opt), prefix: o.Prefix}
	if err := s.Ping(ctx); err != nil {
		s.rdb.Close()
		return nil, err
	}
	return s, nil
}

// NewFromClient wraps an existing client (tests, sentinel or cluster
// setups).
func NewFromClient(rdb redis.UniversalClient, prefix string) *Store {
	return &Store{rdb: rdb, prefix: prefix}
}

func (s *Store) key(k string) string { return s.prefix + k }

// Get implements store.Store.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := s.rdb.Get(ctx, s.key(key)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("redisstore: get: %w", err)
	}
	return b, nil
}

// Set implements store.Store.
func (s *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := s.rdb.Set(ctx, s.key(key), value, ttl).Err(); err != nil {
		return fmt.Errorf("redisstore: set: %w", err)
	}
	return nil
}

// SetNX implements store.Store with SET key value NX PX ttl: atomic across
// every client of the server.
func (s *Store) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	args := redis.SetArgs{Mode: "NX"}
	if ttl > 0 {
		args.TTL = ttl
	}
	_, err := s.rdb.SetArgs(ctx, s.key(key), value, args).Result()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("redisstore: setnx: %w", err)
	}
	return true, nil
}

// casScript sets KEYS[1] to ARGV[2] (with a PX of ARGV[3] when positive)
// only if it holds exactly ARGV[1]: one round trip, atomic on the server.
var casScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) ~= ARGV[1] then return 0 end
local ttl = tonumber(ARGV[3])
if ttl > 0 then
  redis.call("SET", KEYS[1], ARGV[2], "PX", ttl)
else
  redis.call("SET", KEYS[1], ARGV[2])
end
return 1`)

// CompareAndSwap implements store.Store with a Lua script.
func (s *Store) CompareAndSwap(ctx context.Context, key string, old, value []byte, ttl time.Duration) (bool, error) {
	n, err := casScript.Run(ctx, s.rdb, []string{s.key(key)}, old, value, pxOf(ttl)).Int()
	if err != nil {
		return false, fmt.Errorf("redisstore: compare and swap: %w", err)
	}
	return n == 1, nil
}

// pxOf is ttl in whole milliseconds for PX, rounded up: a positive TTL
// under a millisecond must not become 0, which the script (like SET) reads
// as "never expires". go-redis's Set rounds such a TTL up to 1 ms too.
func pxOf(ttl time.Duration) int64 {
	if ttl <= 0 {
		return 0
	}
	return int64((ttl + time.Millisecond - 1) / time.Millisecond)
}

// Delete implements store.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.rdb.Del(ctx, s.key(key)).Err(); err != nil {
		return fmt.Errorf("redisstore: delete: %w", err)
	}
	return nil
}

// Ping implements store.Store.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redisstore: ping: %w", err)
	}
	return nil
}

// Close implements store.Store.
func (s *Store) Close() error { return s.rdb.Close() }
