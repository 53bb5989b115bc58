package sidecar

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontgate/frontgate/host/sandbox"
)

// busyAccount puts a proxy in front of the sandbox whose history also
// holds n events of other reservations on the account (another shop, the
// merchant's portal), one every span/n over the span before now, each
// answered only inside the window asked for, as FrontGo does.
func busyAccount(t *testing.T, n int, span time.Duration) harnessOpt {
	return func(c *Config, _ *sandbox.Config) {
		if c.FrontGo.BaseURL == "" {
			return // the sandbox's own pass
		}
		target := c.FrontGo.BaseURL
		base := time.Now()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			req, _ := http.NewRequestWithContext(r.Context(), r.Method, target+strings.TrimPrefix(r.URL.Path, "/api/v1"), r.Body)
			req.URL.RawQuery = r.URL.RawQuery
			req.Header = r.Header.Clone()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				http.Error(w, err.Error(), 502)
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			parts := strings.Split(r.URL.Path, "/")
			if i := len(parts) - 3; resp.StatusCode == 200 && i > 0 && parts[i] == "history" {
				start, _ := strconv.ParseInt(parts[i+1], 10, 64)
				end, _ := strconv.ParseInt(parts[i+2], 10, 64)
				var page map[string]json.RawMessage
				var events []json.RawMessage
				if json.Unmarshal(body, &page) == nil && json.Unmarshal(page["data"], &events) == nil {
					for k := range n {
						at := base.Add(-span + span*time.Duration(k)/time.Duration(n)).UTC()
						if at.Unix() < start || at.Unix() > end {
							continue
						}
						events = append(events, json.RawMessage(fmt.Sprintf(`{"uuid":"RES9%09d","title":"reservation-created",`+
							`"datetime":%q,"sentTo":"","actionBy":null,"note":null,"paymentMethod":null,"isRefundable":false,"amount":"387.90"}`,
							k, at.Format("02.01.2006 15:04"))))
					}
					page["data"], _ = json.Marshal(events)
					body, _ = json.Marshal(page)
				}
			}
			for k, v := range resp.Header {
				if k != "Content-Length" {
					w.Header()[k] = v
				}
			}
			w.WriteHeader(resp.StatusCode)
			_, _ = io.Copy(w, bytes.NewReader(body))
		}))
		t.Cleanup(srv.Close)
		c.FrontGo.BaseURL = srv.URL + "/api/v1"
	}
}

// An account whose history over the reconciler's window is more than the
// core reads (abi.MaxInput, 1 MiB: some 5 800 events, a day of 1 500
// orders) is still reconciled: a run reads as much of the window as fits,
// and the next goes on from there. Before, every run failed on the whole
// window (the first run's day, or a window kept since an outage, which only
// grows), so no lost callback was ever repaired again.
func TestReconcileReadsABusyAccountsHistoryInParts(t *testing.T) {
	for _, n := range []int{
		9000,  // 1.6 MB: more than the core reads
		30000, // 5.5 MB: more than the FrontGo client reads (4 MiB)
	} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			h := newHarness(t, native(), busyAccount(t, n, 23*time.Hour))
			c := h.paidCallbackLost("busy-1")
			for run := 0; run < 16 && len(h.eventsFor(c.ReservationUUID)) == 0; run++ {
				rep := h.svc.Reconcile(context.Background(), time.Millisecond)
				t.Logf("run %d: window %s, seen %d, repaired %d, error %q", run,
					time.Duration(rep.WindowEnd-rep.WindowStart)*time.Second, rep.Seen, rep.Repaired, rep.Error)
				time.Sleep(5 * time.Millisecond) // past the run's lock
			}
			if got := h.eventsFor(c.ReservationUUID); len(got) != 1 || got[0] != "RESERVED" {
				t.Errorf("events %v, want RESERVED once: the lost callback was never repaired", got)
			}
			// A shop asking for the whole day is told FrontGo's answer is too
			// large (not that its own request was bad).
			if r := h.do("GET", "/v1/history", shopKey, "", nil); r.status != 502 || !strings.Contains(string(r.body), `"too_large"`) ||
				!strings.Contains(string(r.body), "FrontGo's answer is larger") {
				t.Errorf("GET /v1/history of the busy day: %d %s", r.status, r.body)
			}
		})
	}
}
