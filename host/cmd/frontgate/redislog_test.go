package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestRedisClientLogsAsJSON: go-redis's own messages (here: a Redis that
// cannot be dialled at start) reach run's JSON log as records of component
// redis, not as plain text lines in the stream.
func TestRedisClientLogsAsJSON(t *testing.T) {
	cfgFile := filepath.Join(t.TempDir(), "frontgate.json")
	os.WriteFile(cfgFile, []byte(`{"listen": "127.0.0.1:0", "publicUrl": "https://pay.example", "core": "native", "store": "redis",
		"frontgo": {"baseUrl": "https://demo-api.frontpayment.no/api/v1"},
		"shops": [{"id": "s1", "apiKeyEnv": "SHOP_KEY", "allowedHosts": ["shop.example"]}]}`), 0o600)
	env := map[string]string{"FRONTGATE_FRONTGO_TOKEN": "tok", "FRONTGATE_FRONTGO_SECRET": "sec", "SHOP_KEY": "shop-key-0123456789abc",
		"FRONTGATE_TOKEN_KEY": "0123456789abcdef0123456789abcdef", "FRONTGATE_REDIS_URL": "redis://127.0.0.1:1/0?dial_timeout=50ms"}
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"-config", cfgFile}, func(k string) string { return env[k] }, io.Discard, &stderr); err == nil {
		t.Fatal("started on a Redis that cannot be dialled")
	}
	var redisRecords int
	for _, line := range bytes.Split(bytes.TrimSpace(stderr.Bytes()), []byte("\n")) {
		var rec map[string]any
		if len(line) == 0 {
			continue
		}
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatalf("not a JSON log record: %s", line)
		}
		if rec["component"] == "redis" {
			if d, ok := rec["detail"].(string); !ok || d == "" {
				t.Fatalf("a redis record without its detail: %s", line)
			}
			redisRecords++
		}
	}
	if redisRecords == 0 {
		t.Fatalf("go-redis's messages not in the log:\n%s", stderr.String())
	}
}
