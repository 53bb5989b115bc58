package redisstore

import (
	"context"
	"strings"
	"testing"
)

// TestBadURLKeepsItsPassword: a malformed Redis URL is refused without
// repeating it (the parser's own message would print the password).
func TestBadURLKeepsItsPassword(t *testing.T) {
	_, err := New(context.Background(), Options{URL: "redis://:S3cretPassw0rd@redis.internal:6379 /0"})
	if err == nil || strings.Contains(err.Error(), "S3cretPassw0rd") || !strings.Contains(err.Error(), "not a valid redis://") {
		t.Fatalf("err = %v", err)
	}
}
