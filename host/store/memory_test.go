package store_test

import (
	"testing"

	"github.com/frontgate/frontgate/host/store"
	"github.com/frontgate/frontgate/host/store/storetest"
)

func TestMemory(t *testing.T) {
	m := store.NewMemory()
	defer m.Close()
	storetest.Run(t, m, "t:")
}
