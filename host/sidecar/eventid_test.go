package sidecar_test

import (
	"testing"

	"github.com/frontgate/frontgate/adapters/webhook"
	"github.com/frontgate/frontgate/host/sidecar"
)

// TestEventIDMatchesWebhook: the id the sidecar gives an event is the one
// the webhook adapter sends and the WooCommerce plugin deduplicates by.
func TestEventIDMatchesWebhook(t *testing.T) {
	for _, tc := range [][2]string{{"RSRV1", "RESERVED"}, {"RES1", "PARTIAL REFUNDED"}, {"", ""}} {
		if got, want := sidecar.EventID(tc[0], tc[1]), webhook.EventID(tc[0], tc[1]); got != want {
			t.Errorf("EventID(%q, %q) = %s, webhook.EventID = %s", tc[0], tc[1], got, want)
		}
	}
	if got := sidecar.EventID("RSRV1", "RESERVED"); got != "7cfdcebb9a217491da3e95eff2bbb6be69887a4eadb09a055f36f17e16c182c7" {
		t.Errorf("EventID changed: %s", got)
	}
}
