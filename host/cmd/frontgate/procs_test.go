package main

import "testing"

func TestProcsForGuests(t *testing.T) {
	for _, tc := range []struct {
		env        string
		base, pool int
		want       int
		set        bool
	}{
		{"", 2, 2, 4, true},
		{"", 8, 3, 11, true},
		{"3", 3, 2, 3, false}, // the operator's GOMAXPROCS wins
		{"", 2, 0, 2, false},
	} {
		got, set := procsForGuests(tc.env, tc.base, tc.pool)
		if got != tc.want || set != tc.set {
			t.Errorf("procsForGuests(%q, %d, %d) = %d, %v; want %d, %v", tc.env, tc.base, tc.pool, got, set, tc.want, tc.set)
		}
	}
}
