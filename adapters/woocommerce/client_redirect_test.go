package woocommerce

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// A redirect from the shop's https API to plain http on the same host is
// not followed: Go would keep the Authorization header and send the REST
// key in the clear.
func TestClientDoesNotFollowRedirects(t *testing.T) {
	var leaked atomic.Value
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Store(r.Header.Get("Authorization"))
		w.Write([]byte(`{"id":1}`))
	}))
	defer plain.Close()
	tls := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusFound)
	}))
	defer tls.Close()
	c := &Client{BaseURL: tls.URL, ConsumerKey: "ck_live", ConsumerSecret: "cs_secret", HTTP: tls.Client()}
	_, err := c.Order(context.Background(), 1)
	if a, _ := leaked.Load().(string); a != "" {
		t.Fatalf("the redirect target received Authorization %q", a)
	}
	if err == nil || !strings.Contains(err.Error(), "302") {
		t.Fatalf("err = %v, want the 302 reported", err)
	}
}
