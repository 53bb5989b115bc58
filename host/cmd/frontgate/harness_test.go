package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontgate/frontgate/host/sandbox"
)

// instance is the binary's wiring running in-process: run() with no
// configuration, so the built-in sandbox, the sidecar on the wasm core and
// the demo shop, each on a free loopback port.
type instance struct {
	Shop       string // demo shop base URL
	API        string // sidecar base URL
	Key        string // the demo shop's API key
	Sandbox    string // sandbox base URL
	Control    *sandbox.Control
	controlTok string
	logs       *syncBuffer // its stderr
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var (
	reShop    = regexp.MustCompile(`demo shop\s+(http://\S+)`)
	reAPI     = regexp.MustCompile(`sidecar API\s+(\S+)\s+\(shop "demo", API key (\S+)\)`)
	reSandbox = regexp.MustCompile(`FrontGo sandbox\s+(\S+)`)
	reControl = regexp.MustCompile(`sandbox control\s+\S+\s+\(bearer (\S+);`)
)

// startFrontgate runs the binary's run() until the test ends. The first
// start may build and compile the wasm core (cached afterwards), hence the
// generous start timeout.
func startFrontgate(t *testing.T) *instance {
	t.Helper()
	return startFrontgateWith(t, "-listen", "127.0.0.1:0", "-shop", "127.0.0.1:0", "-log", "text")
}

// startFrontgateWith is startFrontgate with other arguments.
func startFrontgateWith(t *testing.T, args ...string) *instance {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	env := func(string) string { return "" } // no config file, no secrets: the sandbox
	go func() {
		done <- run(ctx, args, env, stdout, stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("run: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("frontgate did not stop within 20s")
		}
		if t.Failed() {
			logs := stderr.String()
			if len(logs) > 12000 {
				logs = "…" + logs[len(logs)-12000:]
			}
			t.Logf("frontgate log (tail):\n%s", logs)
		}
	})
	deadline := time.Now().Add(3 * time.Minute)
	for !strings.Contains(stdout.String(), "Press Ctrl-C") {
		select {
		case err := <-done:
			t.Fatalf("frontgate exited: %v\n%s", err, stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("frontgate did not start within 3 minutes:\n%s", stderr.String())
		}
	}
	out := stdout.String()
	in := &instance{logs: stderr}
	if m := reShop.FindStringSubmatch(out); m != nil {
		in.Shop = m[1]
	}
	if m := reAPI.FindStringSubmatch(out); m != nil {
		in.API, in.Key = m[1], m[2]
	}
	if m := reSandbox.FindStringSubmatch(out); m != nil {
		in.Sandbox = m[1]
	}
	if m := reControl.FindStringSubmatch(out); m != nil {
		in.controlTok = m[1]
	}
	if in.Shop == "" || in.API == "" || in.Sandbox == "" || in.controlTok == "" {
		t.Fatalf("could not read the URLs from the help text:\n%s", out)
	}
	in.Control = sandbox.NewControl(in.Sandbox, in.controlTok, &http.Client{Timeout: 15 * time.Second})
	return in
}

// TestDefaultPortTaken: the demo (no configuration, no -listen) whose
// default address 127.0.0.1:8080 is taken says so and serves the sidecar on
// a free port, which its help prints, instead of exiting.
func TestDefaultPortTaken(t *testing.T) {
	if ln, err := net.Listen("tcp", "127.0.0.1:8080"); err == nil {
		defer ln.Close()
	} // else something holds it already: the same situation
	in := startFrontgateWith(t, "-shop", "127.0.0.1:0", "-log", "text")
	if strings.HasSuffix(in.API, ":8080") {
		t.Fatalf("the help names the taken address %s", in.API)
	}
	if !strings.Contains(in.logs.String(), "127.0.0.1:8080 is in use; the sidecar takes a free port instead") {
		t.Errorf("no word of the taken port:\n%.2000s", in.logs.String())
	}
	resp, err := http.Get(in.API + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("healthz on the free port: %d", resp.StatusCode)
	}
}

// waitCallback waits until the sandbox has finished delivering the
// callback of status for reservation uuid, and returns its record.
func (in *instance) waitCallback(t *testing.T, uuid, status string, within time.Duration) sandbox.CallbackRecord {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	for {
		recs, err := in.Control.Callbacks(ctx)
		if err == nil {
			for _, r := range recs {
				if r.ReservationUUID == uuid && r.Status == status && r.Done {
					return r
				}
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no %s callback for %s finished within %s (last error %v)", status, uuid, within, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// orderStatus reads an order's status from the shop's back office feed.
func (in *instance) orderStatus(t *testing.T, id string) string {
	t.Helper()
	resp, err := http.Get(in.Shop + "/admin/orders/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`"id":"` + regexp.QuoteMeta(id) + `","status":"([^"]*)"`).FindSubmatch(b)
	if m == nil {
		return ""
	}
	return string(m[1])
}

// waitOrderStatus polls the shop until order id has status want.
func (in *instance) waitOrderStatus(t *testing.T, id, want string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	got := ""
	for time.Now().Before(deadline) {
		if got = in.orderStatus(t, id); got == want {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("order %s: status %q after %s, want %q", id, got, within, want)
}
