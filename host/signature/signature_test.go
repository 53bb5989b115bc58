package signature

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

var (
	k1 = []byte("0123456789abcdef0123456789abcdef")
	k2 = []byte("fedcba9876543210fedcba9876543210")
	t0 = time.Unix(1756871295, 0)
)

func signer(t *testing.T, ids []string, keys ...[]byte) *Signer {
	t.Helper()
	s, err := NewSigner(ids, keys)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTokenRoundTrip(t *testing.T) {
	s := signer(t, []string{"k1"}, k1)
	c := Claims{Purpose: "success", Shop: "shop-1", Order: "1001", Checkout: "chk_1", Expires: t0.Add(time.Hour).Unix()}
	tok, err := s.Sign(c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Verify(tok, "success", t0)
	if err != nil || got != c {
		t.Fatalf("Verify = %+v, %v", got, err)
	}
}

func TestTokenRejects(t *testing.T) {
	s := signer(t, []string{"k1"}, k1)
	other := signer(t, []string{"k1"}, k2)
	c := Claims{Purpose: "success", Shop: "shop-1", Order: "1001", Checkout: "chk_1", Expires: t0.Add(time.Hour).Unix()}
	tok, _ := s.Sign(c)
	forged, _ := other.Sign(c)
	parts := strings.Split(tok, ".")
	otherClaims, _ := s.Sign(Claims{Purpose: "success", Shop: "shop-2", Order: "1001", Checkout: "chk_1", Expires: c.Expires})
	swapped := parts[0] + "." + strings.Split(otherClaims, ".")[1] + "." + parts[2]
	tests := []struct {
		name, tok, purpose string
		now                time.Time
		want               error
	}{
		{"other key", forged, "success", t0, ErrInvalid},
		{"payload swapped", swapped, "success", t0, ErrInvalid},
		{"wrong purpose", tok, "callback", t0, ErrInvalid},
		{"expired", tok, "success", t0.Add(time.Hour + time.Second), ErrExpired},
		{"two parts", parts[0] + "." + parts[1], "success", t0, ErrMalformed},
		{"four parts", tok + ".x", "success", t0, ErrMalformed},
		{"unknown key id", "k9." + parts[1] + "." + parts[2], "success", t0, ErrInvalid},
		{"bad base64", parts[0] + "." + parts[1] + ".!!", "success", t0, ErrMalformed},
		{"too long", strings.Repeat("a", MaxTokenLen+1), "success", t0, ErrMalformed},
		{"empty", "", "success", t0, ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Verify(tc.tok, tc.purpose, tc.now)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	// Valid exactly at expiry.
	if _, err := s.Verify(tok, "success", time.Unix(c.Expires, 0)); err != nil {
		t.Fatalf("at expiry: %v", err)
	}
}

func TestTokenRotation(t *testing.T) {
	old := signer(t, []string{"k1"}, k1)
	rotated := signer(t, []string{"k2", "k1"}, k2, k1)
	c := Claims{Purpose: "callback", Shop: "s", Checkout: "c", Expires: t0.Add(time.Hour).Unix()}
	tok, _ := old.Sign(c)
	if _, err := rotated.Verify(tok, "callback", t0); err != nil {
		t.Fatalf("old token after rotation: %v", err)
	}
	tok2, _ := rotated.Sign(c)
	if !strings.HasPrefix(tok2, "k2.") {
		t.Fatalf("rotated signer signs with %q", tok2[:3])
	}
	if _, err := old.Verify(tok2, "callback", t0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("old signer accepted a new-key token: %v", err)
	}
}

func TestNewSignerRefusesWeakKeys(t *testing.T) {
	if _, err := NewSigner([]string{"k1"}, [][]byte{[]byte("short")}); err == nil || !strings.Contains(err.Error(), "at least 32 bytes") {
		t.Fatalf("err = %v", err)
	}
	if _, err := NewSigner(nil, nil); !errors.Is(err, ErrNoKey) {
		t.Fatalf("err = %v", err)
	}
	if _, err := NewSigner([]string{"a.b"}, [][]byte{k1}); err == nil {
		t.Fatal("key id with a dot accepted")
	}
	// Two keys under one id: a signer refused its own tokens (it signs with
	// the first and verified with the last of that id).
	if _, err := NewSigner([]string{"k1", "k1"}, [][]byte{k2, k1}); err == nil || !strings.Contains(err.Error(), "key #2: its id is key #1's") {
		t.Fatalf("two keys under one id: %v", err)
	}
}

func TestWebhook(t *testing.T) {
	body := []byte(`{"event":"reservation.captured"}`)
	h := SignWebhook(body, t0, k1)
	tests := []struct {
		name   string
		header string
		body   []byte
		secret []byte
		now    time.Time
		want   error
	}{
		{"valid", h, body, k1, t0, nil},
		{"valid at tolerance", h, body, k1, t0.Add(DefaultTolerance), nil},
		{"stale", h, body, k1, t0.Add(DefaultTolerance + time.Second), ErrExpired},
		{"future", h, body, k1, t0.Add(-DefaultTolerance - time.Second), ErrExpired},
		{"body changed", h, []byte(`{"event":"reservation.refunded"}`), k1, t0, ErrInvalid},
		{"wrong secret", h, body, k2, t0, ErrInvalid},
		{"rotation: second v1 matches", SignWebhook(body, t0, k2, k1), body, k1, t0, nil},
		{"no t", "v1=" + strings.Split(h, "v1=")[1], body, k1, t0, ErrMalformed},
		{"no v1", "t=1", body, k1, t0, ErrMalformed},
		{"short v1", "t=1,v1=abcd", body, k1, t0, ErrMalformed},
		{"garbage", "hello", body, k1, t0, ErrMalformed},
		{"timestamp moved", strings.Replace(h, "t=1756871295", "t=1756871296", 1), body, k1, t0, ErrInvalid},
		{"no secret", h, body, nil, t0, ErrNoKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifyWebhook(tc.header, tc.body, tc.secret, 0, tc.now)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func FuzzVerify(f *testing.F) {
	s, _ := NewSigner([]string{"k1"}, [][]byte{k1})
	tok, _ := s.Sign(Claims{Purpose: "success", Shop: "s", Expires: t0.Unix() + 60})
	f.Add(tok, "t=1,v1=00")
	f.Fuzz(func(t *testing.T, tok, header string) {
		if c, err := s.Verify(tok, "success", t0); err == nil && c.Purpose != "success" {
			t.Fatal("accepted a token for another purpose")
		}
		_ = VerifyWebhook(header, []byte(tok), k1, 0, t0)
	})
}

func ExampleSigner() {
	s, _ := NewSigner([]string{"k1"}, [][]byte{[]byte("0123456789abcdef0123456789abcdef")})
	now := time.Unix(1756871295, 0)
	tok, _ := s.Sign(Claims{Purpose: "success", Shop: "shop-1", Order: "1001", Checkout: "chk_1", Expires: now.Add(time.Hour).Unix()})
	c, err := s.Verify(tok, "success", now)
	fmt.Println(c.Shop, c.Order, err)
	_, err = s.Verify(tok, "callback", now)
	fmt.Println(errors.Is(err, ErrInvalid))
	// Output:
	// shop-1 1001 <nil>
	// true
}
