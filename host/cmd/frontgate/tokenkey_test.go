package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/frontgate/frontgate/host/signature"
	"github.com/frontgate/frontgate/host/store"
	"github.com/frontgate/frontgate/host/store/redisstore/redistest"
)

// FRONTGATE_TOKEN_KEY: one secret, or id:secret pairs whose first signs. A
// part whose text before ':' cannot be an id is refused without repeating
// any of it: it was a secret holding ':', which used to be split there,
// printed in part and used as a shorter key.
func TestTokenSignerKeys(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	now := time.Unix(1_800_000_000, 0)
	claims := signature.Claims{Purpose: "success", Shop: "s", Order: "o", Checkout: "c", Expires: now.Add(time.Hour).Unix()}
	signs := func(spec string) *signature.Signer {
		t.Helper()
		s, err := tokenSigner(spec, log)
		if err != nil {
			t.Fatalf("%q: %v", spec, err)
		}
		return s
	}
	const secretA, secretB = "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"

	one := signs(secretA)
	tok, err := one.Sign(claims)
	if err != nil {
		t.Fatal(err)
	}
	// A rotation: the new key signs, the old one still verifies.
	rot := signs("k2:" + secretB + ", k0:" + secretA)
	if _, err := rot.Verify(tok, "success", now); err != nil {
		t.Fatalf("a token of the old key after rotation: %v", err)
	}
	if tok2, _ := rot.Sign(claims); !strings.HasPrefix(tok2, "k2.") {
		t.Fatalf("the first key does not sign: %s", tok2)
	}
	// A secret holding ':' given with an id in front.
	withColon := signs("k1:pass:phrase-0123456789-0123456789-abc")
	if tok3, err := withColon.Sign(claims); err != nil || !strings.HasPrefix(tok3, "k1.") {
		t.Fatalf("secret with a colon: %s, %v", tok3, err)
	}

	for _, spec := range []string{"Correct-Horse-Battery:staple-0123456789-0123456789", "pass phrase:0123456789abcdef0123456789abcdef"} {
		_, err := tokenSigner(spec, log)
		if err == nil {
			t.Fatalf("%q accepted", spec)
		}
		before, after, _ := strings.Cut(spec, ":")
		if strings.Contains(err.Error(), before) || strings.Contains(err.Error(), after) || !strings.Contains(err.Error(), "token key #1") {
			t.Fatalf("%q: the error %q repeats the key or does not say which", spec, err)
		}
	}
	if _, err := tokenSigner("k1:short", log); err == nil || strings.Contains(err.Error(), "short") {
		t.Fatalf("a short secret: %v", err)
	}
	// The old key left without its id in a rotation takes its place's id,
	// k1, the new key's: the sidecar refused every link it signed.
	if _, err := tokenSigner("k1:"+secretB+","+secretA, log); err == nil || strings.Contains(err.Error(), secretA) {
		t.Fatalf("two keys under k1: %v", err)
	}
}

// TestConfigNeedsATokenKey: run from a config, the sidecar will not start
// on a random token key (every link it gave out would die at a restart,
// and on the other instances sharing its store); the built-in sandbox may.
func TestConfigNeedsATokenKey(t *testing.T) {
	cfgFile := filepath.Join(t.TempDir(), "frontgate.json")
	os.WriteFile(cfgFile, []byte(`{"listen": "127.0.0.1:0", "publicUrl": "https://pay.example", "core": "native",
		"frontgo": {"baseUrl": "https://demo-api.frontpayment.no/api/v1"},
		"shops": [{"id": "s1", "apiKeyEnv": "SHOP_KEY", "allowedHosts": ["shop.example"]}]}`), 0o600)
	env := map[string]string{"FRONTGATE_FRONTGO_TOKEN": "tok", "FRONTGATE_FRONTGO_SECRET": "sec", "SHOP_KEY": "shop-key-0123456789abc"}
	err := run(context.Background(), []string{"-config", cfgFile}, func(k string) string { return env[k] }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "FRONTGATE_TOKEN_KEY (tokenKeyEnv) is not set") {
		t.Fatalf("run without a token key: %v", err)
	}
}

// Sidecars on one store agree on their token keys: the same key, or a
// rotation that keeps the old key under its id, starts; another secret
// under an id a live instance uses is refused, naming the id and not the
// secret; once no instance renews the old fingerprint, the new key starts.
func TestTokenKeysAgreeAcrossSidecars(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	st := store.NewMemory()
	const secretA, secretB = "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"
	fps := func(spec string) map[string]string {
		t.Helper()
		s, err := tokenSigner(spec, log)
		if err != nil {
			t.Fatal(err)
		}
		return s.Fingerprints()
	}
	const ttl = 150 * time.Millisecond
	if err := agreeTokenKeys(ctx, st, fps(secretA), ttl); err != nil {
		t.Fatalf("the first instance: %v", err)
	}
	if err := agreeTokenKeys(ctx, st, fps(secretA), ttl); err != nil {
		t.Fatalf("a second instance with the same key: %v", err)
	}
	if err := agreeTokenKeys(ctx, st, fps("k1:"+secretB+",k0:"+secretA), ttl); err != nil {
		t.Fatalf("a rotation keeping the old key under its id: %v", err)
	}
	err := agreeTokenKeys(ctx, st, fps(secretB), ttl)
	if err == nil || !strings.Contains(err.Error(), "token key k0") || strings.Contains(err.Error(), secretB) {
		t.Fatalf("another secret under k0: %v", err)
	}
	// The instances with the old key keep it while they run …
	for range 3 {
		time.Sleep(ttl / 2)
		if same, err := holdTokenKey(ctx, st, "k0", fps(secretA)["k0"], ttl); err != nil || !same {
			t.Fatalf("renewing: %v, %v", same, err)
		}
	}
	if err := agreeTokenKeys(ctx, st, fps(secretB), ttl); err == nil {
		t.Fatal("another secret under k0 while the old one is renewed")
	}
	// … and once they stopped, the new key starts.
	time.Sleep(2 * ttl)
	if err := agreeTokenKeys(ctx, st, fps(secretB), ttl); err != nil {
		t.Fatalf("the new key after the old one's instances stopped: %v", err)
	}
}

// TestRunRefusesAnotherTokenKey: a sidecar started on a Redis store that a
// running sidecar shares with another token key under the same id does
// not start, and says which key.
func TestRunRefusesAnotherTokenKey(t *testing.T) {
	url := redistest.URL(t)
	cfgFile := filepath.Join(t.TempDir(), "frontgate.json")
	os.WriteFile(cfgFile, []byte(`{"listen": "127.0.0.1:0", "publicUrl": "https://pay.example", "core": "native", "store": "redis",
		"frontgo": {"baseUrl": "https://demo-api.frontpayment.no/api/v1"},
		"shops": [{"id": "s1", "apiKeyEnv": "SHOP_KEY", "allowedHosts": ["shop.example"]}]}`), 0o600)
	start := func(ctx context.Context, key string) error {
		env := map[string]string{"FRONTGATE_FRONTGO_TOKEN": "tok", "FRONTGATE_FRONTGO_SECRET": "sec", "SHOP_KEY": "shop-key-0123456789abc",
			"FRONTGATE_TOKEN_KEY": key, "FRONTGATE_REDIS_URL": url}
		return run(ctx, []string{"-config", cfgFile}, func(k string) string { return env[k] }, io.Discard, io.Discard)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- start(ctx, "0123456789abcdef0123456789abcdef") }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("the first sidecar: %v", err)
		}
	}()
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	for deadline := time.Now().Add(30 * time.Second); rdb.Exists(context.Background(), "frontgate:tokenkey:k0").Val() == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the first sidecar registered no token key")
		}
	}
	err = start(context.Background(), "fedcba9876543210fedcba9876543210")
	if err == nil || !strings.Contains(err.Error(), "token key k0 (tokenKeyEnv) differs") {
		t.Fatalf("a second sidecar with another key: %v", err)
	}
}

// TestTokenKeyRotationDocumented: the README's key replacement, from one
// key (k0) to another (k1) through the FRONTGATE_TOKEN_KEY values it names
// in order, rolls out one instance at a time: at every step, instances of
// the step before and of this one (both run while it rolls out) take each
// other's links, and the store lets each start beside the other.
func TestTokenKeyRotationDocumented(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "## Running several sidecars")
	section, _, _ = strings.Cut(section, "\n## ")
	section, _, _ = strings.Cut(strings.Join(strings.Fields(section), " "), "Webhooks to shops")
	const secretOld, secretNew = "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"
	steps := []string{secretOld}
	for _, m := range regexp.MustCompile("`(k[0-9]+:<(?:old|new)>(?:,k[0-9]+:<(?:old|new)>)*)`").FindAllStringSubmatch(section, -1) {
		steps = append(steps, strings.NewReplacer("<old>", secretOld, "<new>", secretNew).Replace(m[1]))
	}
	steps = append(steps, "k1:"+secretNew)
	if len(steps) < 3 {
		t.Fatalf("the README names no key replacement: %q", section)
	}
	now := time.Unix(1_800_000_000, 0)
	claims := signature.Claims{Purpose: "callback", Shop: "s", Order: "o", Checkout: "c", Expires: now.Add(time.Hour).Unix()}
	st := store.NewMemory()
	for i := 1; i < len(steps); i++ {
		a, err := tokenSigner(steps[i-1], log)
		if err != nil {
			t.Fatal(err)
		}
		b, err := tokenSigner(steps[i], log)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range [][2]*signature.Signer{{a, b}, {b, a}} {
			tok, _ := p[0].Sign(claims)
			if _, err := p[1].Verify(tok, "callback", now); err != nil {
				t.Errorf("step %d of %d: a link signed by one instance is refused by another: %v", i, len(steps)-1, err)
			}
		}
		if err := agreeTokenKeys(context.Background(), st, a.Fingerprints(), time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := agreeTokenKeys(context.Background(), st, b.Fingerprints(), time.Minute); err != nil {
			t.Errorf("step %d of %d: %v", i, len(steps)-1, err)
		}
	}
	// The refusal's advice is the same order.
	other, _ := tokenSigner(secretNew, log)
	err = agreeTokenKeys(context.Background(), st, other.Fingerprints(), time.Minute)
	if err == nil || !strings.Contains(err.Error(), "(k0:<old secret>,new:<secret>)") {
		t.Fatalf("the refusal's advice: %v", err)
	}
}
