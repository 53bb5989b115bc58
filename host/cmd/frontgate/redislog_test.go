package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestRedisClientLogsAsJSON: go-redis's own messages reach the sidecar's
// JSON log as records, not as plain text lines in the stream.
func TestRedisClientLogsAsJSON(t *testing.T) {
	var buf bytes.Buffer
	redis.SetLogger(redisLog{slog.New(slog.NewJSONHandler(&buf, nil)).With("component", "redis")})
	// A client that cannot dial makes go-redis report it.
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 50 * time.Millisecond, MaxRetries: -1})
	defer rdb.Close()
	for range 3 {
		_ = rdb.Ping(context.Background()).Err()
	}
	if buf.Len() == 0 {
		t.Fatal("go-redis logged nothing for a refused dial")
	}
	for _, line := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err != nil || rec["component"] != "redis" || rec["detail"] == "" {
			t.Fatalf("not a redis log record: %s (%v)", line, err)
		}
	}
}
