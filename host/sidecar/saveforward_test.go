package sidecar

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/frontgate/frontgate/host/internal/wasmrt"
	"github.com/frontgate/frontgate/host/store"
)

// TestSaveForwardConcurrent: settles holding older and newer states save
// the same record at once; the record must end at the newest state. With
// a plain read-then-write an older settle could overwrite a newer one.
func TestSaveForwardConcurrent(t *testing.T) {
	st := slowReads{store.NewMemory()}
	svc := NewService(DefaultConfig(), Deps{Core: wasmrt.NewNative(), Store: st, Log: slog.New(slog.DiscardHandler)})
	ctx := context.Background()
	states := []string{"RESERVED", "CAPTURED", "COMPLETED"}
	for round := 0; round < 50; round++ {
		c := Checkout{CheckoutID: "chk_race", Status: "SENT"}
		if err := svc.saveCheckout(ctx, &c); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for i := 0; i < 12; i++ {
			wg.Add(1)
			go func(st string) {
				defer wg.Done()
				mine := c
				mine.Status = st
				if e := svc.saveForward(ctx, &mine); e != nil {
					t.Error(e.Message)
				}
			}(states[i%len(states)])
		}
		wg.Wait()
		b, err := st.Get(ctx, "chk:chk_race")
		if err != nil {
			t.Fatal(err)
		}
		var got Checkout
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if got.Status != "COMPLETED" {
			t.Fatalf("round %d: record ended %s, want COMPLETED", round, got.Status)
		}
	}
}

// slowReads widens the window between a read and the write that follows
// it, as a round trip to Redis does.
type slowReads struct{ store.Store }

func (s slowReads) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := s.Store.Get(ctx, key)
	time.Sleep(200 * time.Microsecond)
	return b, err
}
