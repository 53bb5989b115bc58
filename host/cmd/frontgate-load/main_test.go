package main

import (
	"strings"
	"testing"
	"time"
)

// TestFlagsRefused: a flag the run cannot honour stops it, naming the
// flag, instead of measuring something else under its name.
func TestFlagsRefused(t *testing.T) {
	ok := func() (time.Duration, time.Duration, int, float64, string, int) {
		return time.Minute, 5 * time.Second, 8, 0.05, "wasm", 2
	}
	if err := checkFlags(ok()); err != nil {
		t.Fatalf("the defaults: %v", err)
	}
	tests := []struct {
		name string
		edit func(d, w *time.Duration, workers *int, rate *float64, core *string, pool *int)
		want string
	}{
		{"core misspelt", func(_, _ *time.Duration, _ *int, _ *float64, core *string, _ *int) { *core = "Wasm" }, "-core"},
		{"duration negative", func(d, _ *time.Duration, _ *int, _ *float64, _ *string, _ *int) { *d = -time.Second }, "-duration"},
		{"duration zero", func(d, _ *time.Duration, _ *int, _ *float64, _ *string, _ *int) { *d = 0 }, "-duration"},
		{"warmup negative", func(_, w *time.Duration, _ *int, _ *float64, _ *string, _ *int) { *w = -time.Second }, "-warmup"},
		{"error rate above 1", func(_, _ *time.Duration, _ *int, r *float64, _ *string, _ *int) { *r = 3 }, "-error-rate"},
		{"pool zero", func(_, _ *time.Duration, _ *int, _ *float64, _ *string, p *int) { *p = 0 }, "-pool"},
		{"workers zero", func(_, _ *time.Duration, n *int, _ *float64, _ *string, _ *int) { *n = 0 }, "-workers"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, w, n, r, c, p := ok()
			tc.edit(&d, &w, &n, &r, &c, &p)
			if err := checkFlags(d, w, n, r, c, p); err == nil || !strings.HasPrefix(err.Error(), tc.want+":") {
				t.Fatalf("err = %v, want one naming %s", err, tc.want)
			}
		})
	}
}
