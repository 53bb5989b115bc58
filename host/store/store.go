// Package store is the one interface behind every piece of state the
// sidecar keeps: idempotency records, callback dedupe marks, checkout
// records and short-lived caches. State is small, keyed and expiring, so the
// interface is a key-value store with TTLs and an atomic set-if-absent;
// Memory (go-cache) serves one sidecar, and a Redis implementation of the
// same interface lets several sidecars act as one.
package store

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"time"

	gocache "github.com/patrickmn/go-cache"
)

// ErrNotFound is returned by Get for a missing or expired key.
var ErrNotFound = errors.New("store: not found")

// Store is implemented by Memory and by shared backends. All methods are
// safe for concurrent use. A ttl of zero means the entry never expires.
type Store interface {
	// Get returns the value at key or ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	// Set writes value at key.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// SetNX writes value at key only if the key is absent, and reports
	// whether it did: the primitive behind idempotency and dedupe.
	SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error)
	// CompareAndSwap writes value at key only if key holds exactly old,
	// and reports whether it did: records that several writers bring
	// forward (read, decide, write) use it so no writer undoes another.
	CompareAndSwap(ctx context.Context, key string, old, value []byte, ttl time.Duration) (bool, error)
	// Delete removes key; a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// Ping reports whether the backend answers.
	Ping(ctx context.Context) error
	Close() error
}

// Memory is a Store in this process's memory, built on go-cache. State is
// lost on restart; use a shared backend when that matters.
type Memory struct {
	c  *gocache.Cache
	mu sync.Mutex // CompareAndSwap against other CompareAndSwaps and Sets
}

// NewMemory returns an empty Memory store that sweeps expired entries every
// minute.
func NewMemory() *Memory {
	return &Memory{c: gocache.New(gocache.NoExpiration, time.Minute)}
}

func ttlOf(ttl time.Duration) time.Duration {
	if ttl <= 0 {
		return gocache.NoExpiration
	}
	return ttl
}

// Get implements Store.
func (m *Memory) Get(_ context.Context, key string) ([]byte, error) {
	v, ok := m.c.Get(key)
	if !ok {
		return nil, ErrNotFound
	}
	return append([]byte(nil), v.([]byte)...), nil
}

// Set implements Store.
func (m *Memory) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.c.Set(key, append([]byte(nil), value...), ttlOf(ttl))
	return nil
}

// CompareAndSwap implements Store.
func (m *Memory) CompareAndSwap(_ context.Context, key string, old, value []byte, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.c.Get(key)
	if !ok || !bytes.Equal(v.([]byte), old) {
		return false, nil
	}
	m.c.Set(key, append([]byte(nil), value...), ttlOf(ttl))
	return true, nil
}

// SetNX implements Store. go-cache's Add is atomic and treats an expired
// entry as absent.
func (m *Memory) SetNX(_ context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	err := m.c.Add(key, append([]byte(nil), value...), ttlOf(ttl))
	return err == nil, nil
}

// Delete implements Store.
func (m *Memory) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.c.Delete(key)
	return nil
}

// Ping implements Store.
func (m *Memory) Ping(context.Context) error { return nil }

// Close implements Store.
func (m *Memory) Close() error { m.c.Flush(); return nil }

// Len returns the number of entries, for metrics.
func (m *Memory) Len() int { return m.c.ItemCount() }
