package sidecar

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/frontgate/frontgate/host/frontgo"
	"github.com/frontgate/frontgate/host/internal/wasmrt"
	"github.com/frontgate/frontgate/host/signature"
	"github.com/frontgate/frontgate/host/store"
)

// stubUpstream answers every create instantly with a fixed success, so a
// benchmark measures the sidecar, not FrontGo.
func stubUpstream(b *testing.B) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	srv := &fasthttp.Server{Handler: func(c *fasthttp.RequestCtx) {
		id := n.Add(1)
		c.SetStatusCode(201)
		c.SetContentType("application/json")
		fmt.Fprintf(c, `{"status_code":201,"status_message":"OK","message":"Reservation Submitted Successfully","is_data":true,`+
			`"data":{"customerUuid":"CSRT1","reservationUuid":"RES%d","paymentUrl":"https://pay.example/%d"}}`, id, id)
	}}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Shutdown() })
	return "http://" + ln.Addr().String() + "/api/v1"
}

func benchServer(b *testing.B, core wasmrt.Core, upstream string) string {
	b.Helper()
	return benchServerTimed(b, core, upstream, nil)
}

// benchServerTimed is benchServer whose handler reports how long each
// request spent inside the sidecar (read to response ready; the stub
// upstream's share is one loopback round trip) to observe, when not nil.
func benchServerTimed(b *testing.B, core wasmrt.Core, upstream string, observe func(time.Duration)) string {
	b.Helper()
	cfg := DefaultConfig()
	cfg.Shops = []ShopConfig{{ID: "one", APIKeyEnv: "K1", AllowedHosts: []string{"shop.example"}}}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	cfg.PublicURL = "http://" + ln.Addr().String()
	cfg.FrontGo.BaseURL = upstream
	env := map[string]string{"FRONTGATE_FRONTGO_TOKEN": fgToken, "FRONTGATE_FRONTGO_SECRET": fgSecret, "K1": shopKey}
	if err := cfg.Validate(func(k string) string { return env[k] }); err != nil {
		b.Fatal(err)
	}
	fg, _ := frontgo.New(frontgo.Config{BaseURL: upstream, Token: fgToken})
	signer, _ := signature.NewSigner([]string{"t1"}, [][]byte{[]byte("0123456789abcdef0123456789abcdef")})
	svc := NewService(cfg, Deps{Core: core, FrontGo: fg, Store: store.NewMemory(), Signer: signer, Log: slog.New(slog.DiscardHandler)})
	srv := NewServer(svc, nil)
	if observe != nil {
		h := srv.srv.Handler
		srv.srv.Handler = func(ctx *fasthttp.RequestCtx) {
			t0 := time.Now()
			h(ctx)
			observe(time.Since(t0))
		}
	}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Shutdown(context.Background()) })
	return cfg.PublicURL
}

var benchBody = func() []byte {
	b, _ := json.Marshal(map[string]any{"mode": "session", "orderId": "x", "order": benchOrder(10),
		"returnUrls": map[string]any{"success": "https://shop.example/ok", "failure": "https://shop.example/no"}})
	return b
}()

func benchOrder(lines int) map[string]any {
	o := order()
	var ls []any
	for i := 0; i < lines; i++ {
		ls = append(ls, map[string]any{"name": "Produkt " + strconv.Itoa(i), "sku": "SKU-" + strconv.Itoa(i), "unitPrice": 12990, "quantity": 1 + i%3, "taxRate": 25})
	}
	o["lines"] = ls
	return o
}

// BenchmarkCheckout measures POST /v1/checkouts end to end over loopback
// (10-line order, unique Idempotency-Key per request, instant stub upstream)
// with the wasm core and the native core side by side, reporting p50/p99
// latency and requests per second.
func BenchmarkCheckout(b *testing.B) {
	upstream := stubUpstream(b)
	cores := []struct {
		name string
		make func() wasmrt.Core
	}{
		{"native", func() wasmrt.Core { return wasmrt.NewNative() }},
		{"wasm", func() wasmrt.Core {
			wc := wasmrt.NewWasmConfig()
			wc.PoolSize = poolSizeForBench()
			w, err := wasmrt.LoadWasm(context.Background(), wc)
			if err != nil {
				b.Fatal(err)
			}
			return w
		}},
	}
	for _, c := range cores {
		b.Run(c.name, func(b *testing.B) {
			core := c.make()
			defer core.Close()
			base := benchServer(b, core, upstream)
			client := &fasthttp.Client{MaxConnsPerHost: 64}
			var seq atomic.Int64
			var mu sync.Mutex
			lat := make([]time.Duration, 0, 1<<16)
			// About 8 clients whatever GOMAXPROCS is (-cpu), so runs compare.
			b.SetParallelism(benchParallelism(runtime.GOMAXPROCS(0), benchClients))
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
				defer fasthttp.ReleaseRequest(req)
				defer fasthttp.ReleaseResponse(resp)
				local := make([]time.Duration, 0, 1024)
				for pb.Next() {
					req.Reset()
					req.SetRequestURI(base + "/v1/checkouts")
					req.Header.SetMethod("POST")
					req.Header.Set("Authorization", "Bearer "+shopKey)
					req.Header.Set("Idempotency-Key", "k"+strconv.FormatInt(seq.Add(1), 10))
					req.SetBody(benchBody)
					t0 := time.Now()
					if err := client.Do(req, resp); err != nil || resp.StatusCode() != 201 {
						b.Fatalf("checkout: %v %d %s", err, resp.StatusCode(), resp.Body())
					}
					local = append(local, time.Since(t0))
				}
				mu.Lock()
				lat = append(lat, local...)
				mu.Unlock()
			})
			elapsed := time.Since(start)
			b.StopTimer()
			slices.Sort(lat)
			if len(lat) > 0 {
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
				b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
			}
		})
	}
}

// benchClients is how many concurrent clients BenchmarkCheckout runs.
const benchClients = 8

// benchParallelism is the SetParallelism that gives RunParallel, which
// starts parallelism × GOMAXPROCS goroutines, at least clients of them:
// exactly clients when procs divides it, else the next multiple of procs
// (3 → 9, 5 → 10), never fewer (8/3 rounded down once gave 6).
func benchParallelism(procs, clients int) int {
	return max(1, (clients+procs-1)/procs)
}

func TestBenchParallelism(t *testing.T) {
	for procs := 1; procs <= 16; procs++ {
		got := benchParallelism(procs, benchClients) * procs
		if got < benchClients || got >= benchClients+procs {
			t.Errorf("GOMAXPROCS %d: %d clients, want %d up to the next multiple of %d", procs, got, benchClients, procs)
		}
	}
}

// TestBenchFixtures keeps the benchmark honest: its order builds into a
// valid create body, so the benchmark measures the success path.
func TestBenchFixtures(t *testing.T) {
	var req CheckoutRequest
	if err := json.Unmarshal(benchBody, &req); err != nil || req.Order == nil {
		t.Fatalf("bench body: %v", err)
	}
	out, err := wasmrt.Do[json.RawMessage](context.Background(), wasmrt.NewNative(), "build_create",
		map[string]any{"now": time.Now().Unix(), "order": req.Order})
	if err != nil || len(out) == 0 {
		t.Fatalf("the bench order does not build: %v", err)
	}
}

// BenchmarkCheckoutAt1000 offers checkouts at a fixed 1,000 per second for
// 3 seconds (open loop: requests are sent on schedule whether or not
// earlier ones have finished) against the instant stub upstream, and
// reports the latency the sidecar adds at that rate. b.N is ignored: one
// run is 3,000 requests.
func BenchmarkCheckoutAt1000(b *testing.B) {
	upstream := stubUpstream(b)
	for _, name := range []string{"native", "wasm"} {
		b.Run(name, func(b *testing.B) {
			var core wasmrt.Core = wasmrt.NewNative()
			if name == "wasm" {
				wc := wasmrt.NewWasmConfig()
				wc.PoolSize = poolSizeForBench()
				w, err := wasmrt.LoadWasm(context.Background(), wc)
				if err != nil {
					b.Fatal(err)
				}
				core = w
			}
			defer core.Close()
			const rate, seconds = 1000, 3
			inside := make([]time.Duration, rate*seconds)
			var nInside atomic.Int64
			base := benchServerTimed(b, core, upstream, func(d time.Duration) {
				if i := nInside.Add(1) - 1; i < int64(len(inside)) {
					inside[i] = d
				}
			})
			client := &fasthttp.Client{MaxConnsPerHost: 512}
			lat := make([]time.Duration, rate*seconds)
			var wg sync.WaitGroup
			var seq atomic.Int64
			tick := time.NewTicker(time.Second / rate)
			defer tick.Stop()
			b.ResetTimer()
			for i := range lat {
				<-tick.C
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
					defer fasthttp.ReleaseRequest(req)
					defer fasthttp.ReleaseResponse(resp)
					req.SetRequestURI(base + "/v1/checkouts")
					req.Header.SetMethod("POST")
					req.Header.Set("Authorization", "Bearer "+shopKey)
					req.Header.Set("Idempotency-Key", "r"+strconv.FormatInt(seq.Add(1), 10))
					req.SetBody(benchBody)
					t0 := time.Now()
					if err := client.Do(req, resp); err != nil || resp.StatusCode() != 201 {
						b.Errorf("checkout: %v %d", err, resp.StatusCode())
					}
					lat[i] = time.Since(t0)
				}(i)
			}
			wg.Wait()
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
			// The sidecar's own share, without the client's queueing.
			inside = inside[:min(int(nInside.Load()), len(inside))]
			slices.Sort(inside)
			b.ReportMetric(float64(inside[len(inside)/2].Microseconds()), "inside-p50-µs")
			b.ReportMetric(float64(inside[len(inside)*99/100].Microseconds()), "inside-p99-µs")
		})
	}
}

func poolSizeForBench() int {
	if n, err := strconv.Atoi(os.Getenv("FRONTGATE_BENCH_POOL")); err == nil && n > 0 {
		return n
	}
	return 2
}
