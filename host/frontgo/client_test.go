package frontgo

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// script answers each request with the next status; the server counts calls.
func script(t *testing.T, statuses ...int) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if r.Header.Get("Authorization") != "Bearer tok" {
			w.WriteHeader(401)
			return
		}
		st := statuses[len(statuses)-1]
		if i < len(statuses) {
			st = statuses[i]
		}
		if st == 0 { // hang past the client's timeout
			time.Sleep(300 * time.Millisecond)
			st = 200
		}
		if st == 429 {
			w.Header().Set("Retry-After", "1")
		}
		w.Header().Set("X-Request-Id", "req-"+r.Method)
		w.WriteHeader(st)
		w.Write([]byte(`{"status_code":` + http.StatusText(st) + `}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func client(t *testing.T, base string, slept *[]time.Duration) *Client {
	t.Helper()
	c, err := New(Config{BaseURL: base + "/api/v1", Token: "tok", Timeout: 150 * time.Millisecond, MaxAttempts: 3,
		Sleep: func(_ context.Context, d time.Duration) error { *slept = append(*slept, d); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name      string
		statuses  []int
		write     bool
		wantCalls int32
		wantState int // final status, or -1 for a transport error
		wantSent  bool
	}{
		{"read succeeds", []int{200}, false, 1, 200, false},
		{"read retried on 500", []int{500, 510, 200}, false, 3, 200, false},
		{"read gives up after attempts", []int{503}, false, 3, 503, false},
		{"write not retried on 500", []int{500, 201}, true, 1, 500, false},
		{"write not retried on 510", []int{510, 201}, true, 1, 510, false},
		{"write retried on 429", []int{429, 201}, true, 2, 201, false},
		{"business error not retried", []int{400, 200}, false, 1, 400, false},
		{"validation error not retried", []int{417, 200}, true, 1, 417, false},
		{"write timeout is not repeated", []int{0, 201}, true, 1, -1, true},
		{"read timeout is retried", []int{0, 200}, false, 2, 200, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, n := script(t, tc.statuses...)
			var slept []time.Duration
			c := client(t, srv.URL, &slept)
			resp, err := c.Do(context.Background(), Request{Op: "x", Method: "POST", Path: "/connect/reservations/create", Body: []byte(`{}`), Write: tc.write})
			if got := n.Load(); got != tc.wantCalls {
				t.Fatalf("calls = %d, want %d", got, tc.wantCalls)
			}
			if tc.wantState == -1 {
				var te *TransportError
				if !errors.As(err, &te) || te.Sent != tc.wantSent || !errors.Is(err, ErrUnavailable) {
					t.Fatalf("err = %v, want a TransportError with Sent=%v", err, tc.wantSent)
				}
				return
			}
			if err != nil || resp.Status != tc.wantState {
				t.Fatalf("resp = %+v, err = %v; want status %d", resp, err, tc.wantState)
			}
			if resp.Attempts != int(tc.wantCalls) {
				t.Fatalf("attempts = %d, want %d", resp.Attempts, tc.wantCalls)
			}
			if resp.RequestID != "req-POST" {
				t.Fatalf("request id = %q", resp.RequestID)
			}
		})
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	srv, _ := script(t, 429, 200)
	var slept []time.Duration
	c := client(t, srv.URL, &slept)
	if _, err := c.Do(context.Background(), Request{Op: "details", Method: "GET", Path: "/x"}); err != nil {
		t.Fatal(err)
	}
	var longest time.Duration
	for _, d := range slept {
		longest = max(longest, d)
	}
	if longest < time.Second {
		t.Fatalf("slept %v, want at least Retry-After's 1s", slept)
	}
}

// TestWriteRetriedWhenNeverSent: a refused connection proves FrontGo never
// saw the request, so even a create may be retried.
func TestWriteRetriedWhenNeverSent(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: dials are refused
	var slept []time.Duration
	c := client(t, "http://"+addr, &slept)
	_, err = c.Do(context.Background(), Request{Op: "create", Method: "POST", Path: "/c", Body: []byte(`{}`), Write: true})
	var te *TransportError
	if !errors.As(err, &te) || te.Sent || te.Attempts != 3 {
		t.Fatalf("err = %#v, want 3 unsent attempts", err)
	}
	if len(slept) != 2 {
		t.Fatalf("backoffs = %v, want 2", slept)
	}
}

func TestDeadlineStopsRetries(t *testing.T) {
	srv, n := script(t, 500)
	c, _ := New(Config{BaseURL: srv.URL, Token: "tok", MaxAttempts: 5, BaseBackoff: time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	resp, err := c.Do(ctx, Request{Op: "details", Method: "GET", Path: "/x"})
	if err != nil || resp.Status != 500 {
		t.Fatalf("resp %+v err %v", resp, err)
	}
	if n.Load() >= 5 || time.Since(start) > 2*time.Second {
		t.Fatalf("kept retrying past the deadline: %d calls in %v", n.Load(), time.Since(start))
	}
}

func TestCancelMethod(t *testing.T) {
	var method atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { method.Store(r.Method) }))
	defer srv.Close()
	for _, m := range []string{"GET", "POST"} {
		c, _ := New(Config{BaseURL: srv.URL, Token: "tok", CancelMethod: m})
		if _, err := c.Do(context.Background(), Request{Op: "cancel", Method: "GET", Path: "/c", Body: []byte(`{"note":"x"}`), Write: true}); err != nil {
			t.Fatal(err)
		}
		if method.Load() != m {
			t.Fatalf("cancel sent as %v, want %s", method.Load(), m)
		}
	}
	if _, err := New(Config{BaseURL: srv.URL, Token: "tok", CancelMethod: "DELETE"}); err == nil {
		t.Fatal("DELETE accepted as cancel method")
	}
}

func TestConfigErrors(t *testing.T) {
	if _, err := New(Config{BaseURL: "ftp://x", Token: "t"}); err == nil {
		t.Fatal("ftp base accepted")
	}
	if _, err := New(Config{BaseURL: "http://x"}); err == nil {
		t.Fatal("missing token accepted")
	}
}

// TestPingRefusedToken: readiness reports FrontGo not ready when FrontGo
// refuses the token (every request would fail), and ready on any other
// answer, such as the 404 of the reservation it asks for.
func TestPingRefusedToken(t *testing.T) {
	srv, _ := script(t, 404)
	var slept []time.Duration
	if err := client(t, srv.URL, &slept).Ping(context.Background()); err != nil {
		t.Fatalf("a 404 with the right token: %v", err)
	}
	c, err := New(Config{BaseURL: srv.URL + "/api/v1", Token: "wrong", Timeout: 150 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Ping(context.Background()); err == nil {
		t.Fatal("a 401 counted as ready")
	}
}
