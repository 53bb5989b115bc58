package webhook_test

import (
	"testing"

	"github.com/frontgate/frontgate/adapters/webhook"
	"github.com/frontgate/frontgate/adapters/webhook/outboxtest"
)

func TestMemoryOutboxContract(t *testing.T) {
	outboxtest.Run(t, func(_ *testing.T, clock webhook.Clock) webhook.Outbox {
		return webhook.NewMemoryOutbox(clock)
	})
}
