// Command frontgate runs the sidecar. With no configuration it starts the
// built-in FrontGo sandbox on loopback, points the sidecar at it, serves the
// demo shop (examples/demo-shop) next to it, and prints what to open; with
// -config (or FRONTGATE_CONFIG) it serves real shops against FrontGo's demo
// or production API.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	demoshop "github.com/frontgate/frontgate/examples/demo-shop"
	"github.com/frontgate/frontgate/host/frontgo"
	"github.com/frontgate/frontgate/host/internal/wasmrt"
	"github.com/frontgate/frontgate/host/sandbox"
	"github.com/frontgate/frontgate/host/sidecar"
	"github.com/frontgate/frontgate/host/signature"
	"github.com/frontgate/frontgate/host/store"
	"github.com/frontgate/frontgate/host/store/redisstore"
	"github.com/redis/go-redis/v9"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) { // -h: the usage was asked for and printed
			return
		}
		fmt.Fprintln(os.Stderr, "frontgate:", err)
		os.Exit(1)
	}
}

// run is main without the process: tests call it with their own args,
// environment and output.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("frontgate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", getenv("FRONTGATE_CONFIG"), "JSON config file (default: built-in sandbox)")
	listen := fs.String("listen", "", "listen address (overrides the config)")
	opsListen := fs.String("ops-listen", "", "address serving only /healthz, /readyz and /metrics, off the public port (overrides the config)")
	publicURL := fs.String("public-url", "", "URL FrontGo and shoppers reach this sidecar at (overrides the config)")
	core := fs.String("core", "", "wasm or native (overrides the config)")
	pool := fs.Int("pool", 0, "wasm instances (overrides the config; 0: GOMAXPROCS)")
	logFormat := fs.String("log", "", "json or text (overrides the config)")
	shopListen := fs.String("shop", defaultShopListen, `demo shop listen address, with the built-in sandbox only ("off": none)`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Once a signal asks for shutdown, every step of it (the servers, the
	// settles, the webhooks) shares one deadline, stopBy.
	var stopBy time.Time
	within := func(d time.Duration) (context.Context, context.CancelFunc) {
		if !stopBy.IsZero() {
			return context.WithDeadline(context.Background(), stopBy)
		}
		return context.WithTimeout(context.Background(), d)
	}

	var cfg sidecar.Config
	var sb *sandbox.Sandbox
	var shopLn net.Listener
	env := getenv
	if *configPath == "" {
		var err error
		cfg, sb, env, err = sandboxConfig(*listen, getenv)
		if err != nil {
			return err
		}
		defer sb.Close()
		if *shopListen != "off" {
			if shopLn, err = listenShop(*shopListen); err != nil {
				return err
			}
			defer shopLn.Close()
			// The sidecar sends shoppers back only to the shop's own
			// hosts: the address it really got, by IP and by name.
			cfg.Shops[0].AllowedHosts = shopHosts(shopLn.Addr().String())
		}
	} else {
		data, err := os.ReadFile(*configPath)
		if err != nil {
			return fmt.Errorf("config: %w", err)
		}
		if cfg, err = sidecar.DecodeConfig(data); err != nil {
			return err
		}
	}
	if *listen != "" {
		cfg.Listen = *listen
	}
	if *opsListen != "" {
		cfg.OpsListen = *opsListen
	}
	if *core != "" {
		cfg.Core = *core
	}
	if *pool != 0 {
		cfg.PoolSize = *pool // Validate refuses a negative one
	}
	if *logFormat != "" {
		cfg.LogFormat = *logFormat
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil && *configPath == "" && *listen == "" && errors.Is(err, syscall.EADDRINUSE) {
		// The demo with its default address taken (another frontgate,
		// say): any free loopback port will do, and the help prints it.
		fmt.Fprintf(stderr, "frontgate: %s is in use; the sidecar takes a free port instead (-listen sets one)\n", cfg.Listen)
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		return fmt.Errorf("listen: %w (-listen 127.0.0.1:0 takes any free port)", err)
	}
	defer ln.Close()
	if *publicURL != "" {
		cfg.PublicURL = *publicURL
	} else if cfg.PublicURL == "" {
		cfg.PublicURL = "http://" + ln.Addr().String()
	}
	if err := cfg.Validate(env); err != nil {
		return err
	}
	var opsLn net.Listener
	if cfg.OpsListen != "" {
		if opsLn, err = net.Listen("tcp", cfg.OpsListen); err != nil {
			return fmt.Errorf("opsListen: %w", err)
		}
		defer opsLn.Close()
	}

	var h slog.Handler = slog.NewJSONHandler(stderr, nil)
	if cfg.LogFormat == "text" {
		h = slog.NewTextHandler(stderr, nil)
	}
	log := slog.New(h)
	// go-redis reports pool and reconnect trouble through a logger of its
	// own, which wrote plain text into this JSON stream.
	redis.SetLogger(redisLog{log.With("component", "redis")})

	started := time.Now()
	var c wasmrt.Core
	if cfg.Core == "native" {
		c = wasmrt.NewNative()
	} else {
		wc := wasmrt.NewWasmConfig()
		wc.Logger = log
		// The default pool follows the process's own GOMAXPROCS, not one
		// another run() in this process has raised.
		wc.PoolSize = baseProcs()
		if cfg.PoolSize > 0 {
			wc.PoolSize = cfg.PoolSize
		}
		w, err := wasmrt.LoadWasm(ctx, wc)
		if err != nil {
			return fmt.Errorf("loading the wasm core: %w", err)
		}
		c = w
		procs, restore := raiseProcs(getenv("GOMAXPROCS"), w.Stats().PoolSize)
		defer restore()
		if procs > 0 {
			log.Info("GOMAXPROCS raised for the wasm pool", "gomaxprocs", procs, "pool", w.Stats().PoolSize)
		}
	}
	defer c.Close()

	// The demo shop learns of every confirmed reservation change as the
	// sidecar's Notifier (in-process events), and reads the sidecar's API
	// where it must be sure (see examples/demo-shop/README.md).
	var notifier sidecar.Notifier
	var shopSrv *http.Server
	if shopLn != nil {
		shop, err := demoshop.New(demoshop.Config{
			SidecarURL:   loopbackURL(ln.Addr().String()),
			APIKey:       env("FRONTGATE_DEMO_SHOP_KEY"),
			PublicURL:    "http://" + shopLn.Addr().String(),
			AllowedHosts: cfg.Shops[0].AllowedHosts,
			Log:          log.With("component", "demo-shop"),
		})
		if err != nil {
			return err
		}
		notifier = shop
		shopSrv = &http.Server{Handler: shop, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
			WriteTimeout: 3 * time.Minute, IdleTimeout: 60 * time.Second,
			ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	}

	tokenKey := env(cfg.TokenKeyEnv)
	if tokenKey == "" && *configPath != "" {
		// A key made at start-up would end every return and callback link
		// given out before a restart, and on other instances sharing the
		// store: FrontGo's later callbacks would be refused as forged.
		return fmt.Errorf("%s (tokenKeyEnv) is not set: a sidecar run from a config needs a stable token key "+
			"(32 or more random characters, the same on every instance)", cfg.TokenKeyEnv)
	}
	signer, err := tokenSigner(tokenKey, log)
	if err != nil {
		return err
	}
	if sb == nil && !strings.HasSuffix(strings.TrimRight(cfg.FrontGo.BaseURL, "/"), "/api/v1") {
		// FrontGo answers every request 404 under a wrong base path, and a
		// 404 is also what the readiness probe's unknown reservation gets.
		log.Warn("frontgo.baseUrl does not end in /api/v1, as FrontGo's demo and production URLs do; every request may get 404",
			"frontgo", cfg.FrontGo.BaseURL)
	}
	fg, err := frontgo.New(frontgo.Config{BaseURL: cfg.FrontGo.BaseURL, Token: cfg.FrontGo.Token(),
		Timeout: time.Duration(cfg.FrontGo.Timeout), CancelMethod: cfg.FrontGo.CancelMethod})
	if err != nil {
		return err
	}
	var st store.Store = store.NewMemory()
	if cfg.Store == "redis" {
		if st, err = redisstore.New(ctx, redisstore.Options{URL: cfg.RedisURL()}); err != nil {
			return err
		}
	}
	defer st.Close()
	if cfg.Store == "redis" {
		// Every instance on the store must sign with the same keys.
		fps := signer.Fingerprints()
		if err := agreeTokenKeys(ctx, st, fps, tokenKeyTTL); err != nil {
			return err
		}
		kctx, stopKeys := context.WithCancel(ctx)
		defer stopKeys()
		go keepTokenKeys(kctx, st, fps, log)
	}
	// Shops with a webhookUrl hear every confirmed change as a signed
	// webhook (WooCommerce shops in the plugin's shape), retried until
	// acknowledged; the demo shop hears it in-process.
	// With the Redis store, deliveries wait on Redis: they survive a
	// restart, and any sidecar delivers them.
	hooks, err := newWebhookNotifiers(&cfg, env, log)
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := within(10 * time.Second)
		defer cancel()
		if err := hooks.Close(cctx); err != nil {
			log.Error("webhooks left at shutdown", "err", err)
		}
	}()
	route := sidecar.ByShop{Kinds: map[string]sidecar.Notifier{}, Default: notifier}
	for kind, n := range hooks.kinds {
		route.Kinds[kind] = n
	}
	svc := sidecar.NewService(cfg, sidecar.Deps{Core: c, FrontGo: fg, Store: st, Signer: signer, Log: log, Notifier: route})
	hooks.gauges(svc)
	if w, ok := c.(*wasmrt.Wasm); ok {
		svc.Gauge("frontgate_wasm_pool_size", func() float64 { return float64(w.Stats().PoolSize) })
		svc.Gauge("frontgate_wasm_pool_idle", func() float64 { return float64(w.Stats().Idle) })
		svc.Gauge("frontgate_wasm_instances_replaced", func() float64 { return float64(w.Stats().Replaced) })
		svc.Gauge("frontgate_wasm_calls_abandoned", func() float64 { return float64(w.Stats().Abandoned) })
	}
	// /readyz is public (FrontGo and shoppers reach the same port), so a
	// probe asks FrontGo at most once per readyEvery, whatever the number
	// of probes: each ask spends the FrontGo account's rate limit, which
	// every shop's payments share. Its answer says which part is not ready;
	// the detail goes to the log, not to whoever asked.
	frontgoReady := &cachedCheck{every: readyEvery, check: fg.Ping}
	srv := sidecar.NewServer(svc, func(ctx context.Context) map[string]string {
		p := map[string]string{}
		for part, err := range map[string]error{"core": coreReady(ctx, c), "frontgo": frontgoReady.Err(ctx), "store": st.Ping(ctx)} {
			if err != nil {
				log.Warn("not ready", "part", part, "err", err)
				p[part] = "not ready: see the sidecar's log"
			}
		}
		return p
	})
	// Work the Service does outside requests (the reconciler, the settles
	// operations start) ends before the notifiers, the store and the core
	// close: this deferred function runs before theirs.
	bgCtx, stopBg := context.WithCancel(ctx)
	var reconciler sync.WaitGroup
	defer func() {
		stopBg()
		reconciler.Wait()
		dctx, cancel := within(15 * time.Second)
		defer cancel()
		if err := svc.Drain(dctx); err != nil {
			log.Error("settles left running at shutdown; a retry or the reconciler tells their states", "err", err)
		}
	}()
	if cfg.ReconcileInterval > 0 {
		reconciler.Go(func() { svc.RunReconciler(bgCtx, time.Duration(cfg.ReconcileInterval)) })
	}
	errc := make(chan error, 3)
	go func() { errc <- srv.Serve(ln) }()
	opsAddr := ""
	if opsLn != nil {
		opsAddr = opsLn.Addr().String()
		go func() {
			if err := srv.ServeOps(opsLn); err != nil {
				errc <- fmt.Errorf("opsListen: %w", err)
			}
		}()
	}
	shopURL := ""
	if shopSrv != nil {
		shopURL = "http://" + shopLn.Addr().String()
		go func() {
			if err := shopSrv.Serve(shopLn); !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("demo shop: %w", err)
			}
		}()
	}
	log.Info("frontgate ready", "listen", ln.Addr().String(), "ops_listen", opsAddr, "public_url", cfg.PublicURL, "core", cfg.Core,
		"frontgo", cfg.FrontGo.BaseURL, "startup_ms", time.Since(started).Milliseconds())
	if sb != nil {
		printSandboxHelp(stdout, cfg, sb, env, shopURL)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// A second signal ends the process at once (the default action again).
	stop()
	stopBy = time.Now().Add(shutdownBudget)
	log.Info("shutting down", "within", shutdownBudget.String())
	sctx, cancel := within(shutdownBudget)
	defer cancel()
	if shopSrv != nil {
		if err := shopSrv.Shutdown(sctx); err != nil {
			return err
		}
	}
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	return nil
}

// shutdownBudget is how long a shutdown may take in all: requests in
// flight finish, settles end, webhooks are handed over. It stays under
// Kubernetes' default grace period of 30 s.
const shutdownBudget = 25 * time.Second

// defaultShopListen is where the demo shop listens unless -shop says
// otherwise; when it is taken, the shop takes a free port instead.
const defaultShopListen = "127.0.0.1:8081"

func listenShop(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil && addr == defaultShopListen {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		return nil, fmt.Errorf("demo shop: listen: %w", err)
	}
	return ln, nil
}

// shopHosts are the hosts the demo shop is reached at: its address, and
// localhost on the same port for a loopback address; shop.example stays for
// the curl example in the help text.
func shopHosts(addr string) []string {
	hosts := []string{addr}
	if host, port, err := net.SplitHostPort(addr); err == nil {
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			hosts = append(hosts, net.JoinHostPort("localhost", port))
		}
	}
	return append(hosts, "shop.example")
}

// loopbackURL is the URL to reach a local listener at, loopback when it
// listens on every interface.
func loopbackURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// sandboxConfig starts the built-in FrontGo sandbox on loopback and returns
// a sidecar configuration for it with fresh random credentials, and an
// environment that carries them (the config names secrets by variable).
func sandboxConfig(listen string, getenv func(string) string) (sidecar.Config, *sandbox.Sandbox, func(string) string, error) {
	vars := map[string]string{
		"FRONTGATE_FRONTGO_TOKEN":   randomHex(16),
		"FRONTGATE_FRONTGO_SECRET":  randomHex(16),
		"FRONTGATE_DEMO_SHOP_KEY":   "demo_" + randomHex(12),
		"FRONTGATE_SANDBOX_CONTROL": "ctl_" + randomHex(12),
	}
	scfg := sandbox.DefaultConfig()
	scfg.Token, scfg.Secret = vars["FRONTGATE_FRONTGO_TOKEN"], vars["FRONTGATE_FRONTGO_SECRET"]
	// The control plane (pay without a browser, delay callbacks…) gets its
	// own token, printed in the help, so scripts can drive the sandbox
	// without knowing the sidecar's FrontGo credentials.
	scfg.Control, scfg.ControlToken = true, vars["FRONTGATE_SANDBOX_CONTROL"]
	sb, err := sandbox.New(scfg)
	if err != nil {
		return sidecar.Config{}, nil, nil, err
	}
	if err := sb.Start("127.0.0.1:0"); err != nil {
		return sidecar.Config{}, nil, nil, err
	}
	cfg := sidecar.DefaultConfig()
	if listen != "" {
		cfg.Listen = listen
	}
	cfg.LogFormat = "text"
	cfg.FrontGo.BaseURL = sb.APIBase()
	cfg.Shops = []sidecar.ShopConfig{{ID: "demo", APIKeyEnv: "FRONTGATE_DEMO_SHOP_KEY",
		AllowedHosts: []string{"127.0.0.1:8081", "localhost:8081", "shop.example"}}}
	env := func(k string) string {
		if v, ok := vars[k]; ok {
			return v
		}
		return getenv(k)
	}
	return cfg, sb, env, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// readyEvery is how often readiness probes ask FrontGo at most.
const readyEvery = 30 * time.Second

func coreReady(ctx context.Context, c wasmrt.Core) error {
	_, err := c.Call(ctx, "manifest", nil)
	return err
}

// cachedCheck runs check at most once per every and answers with its last
// result in between; callers meanwhile wait for the one run in flight.
type cachedCheck struct {
	every time.Duration
	check func(context.Context) error

	mu  sync.Mutex
	at  time.Time
	err error
}

func (c *cachedCheck) Err(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && time.Since(c.at) < c.every {
		return c.err
	}
	c.err, c.at = c.check(ctx), time.Now()
	return c.err
}

// tokenSigner reads FRONTGATE_TOKEN_KEY ("secret" or "id:secret,id:secret";
// the first signs). Without it (the built-in sandbox only: a config requires
// one), a random key is made: links signed before a restart then stop
// working, which is fine for the sandbox and logged.
//
// A part with a ':' is an id and a secret, and the id must look like one (1-16
// letters, digits, '-' or '_'); a secret that holds ':' itself is given with
// an id in front ("k1:pass:phrase…"). Errors never repeat what was given: it
// may be a secret.
func tokenSigner(spec string, log *slog.Logger) (*signature.Signer, error) {
	if spec == "" {
		log.Warn("no token key configured: using a random one; return and callback links will not survive a restart")
		return signature.NewSigner([]string{"k0"}, [][]byte{[]byte(randomHex(32))})
	}
	var ids []string
	var keys [][]byte
	for i, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		id, secret, ok := strings.Cut(part, ":")
		switch {
		case !ok:
			id, secret = fmt.Sprintf("k%d", i), part
		case !keyID(id):
			return nil, fmt.Errorf("config: token key #%d: what comes before its ':' is not a key id (1-16 letters, digits, '-' or '_'); "+
				"give a secret that holds ':' with an id in front, such as k1:<secret>", i+1)
		}
		ids, keys = append(ids, id), append(keys, []byte(secret))
	}
	s, err := signature.NewSigner(ids, keys)
	if err != nil {
		return nil, errors.New("config: token key: " + err.Error())
	}
	return s, nil
}

// keyID reports whether s can be a token key's id.
func keyID(s string) bool {
	if s == "" || len(s) > 16 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func printSandboxHelp(w io.Writer, cfg sidecar.Config, sb *sandbox.Sandbox, env func(string) string, shopURL string) {
	key := env("FRONTGATE_DEMO_SHOP_KEY")
	fmt.Fprint(w, "\nfrontgate is running against the built-in FrontGo sandbox.\n\n")
	if shopURL != "" {
		fmt.Fprintf(w, "  demo shop        %[1]s   <- open this in a browser; back office %[1]s/admin/orders\n", shopURL)
	}
	fmt.Fprintf(w, `  sidecar API      %[1]s   (shop "demo", API key %[2]s)
  FrontGo sandbox  %[3]s
  sandbox control  %[3]s/_sandbox/   (bearer %[4]s; see host/sandbox/README.md)
  health           %[1]s/healthz   %[1]s/readyz   %[1]s/metrics

Or create a checkout yourself and open its redirectUrl in a browser (test card 4111 1111 1111 1111 approves;
after paying, the browser is sent to the example return URL on shop.example, which does not exist: the
reservation is made all the same, and GET %[1]s/v1/checkouts/{checkoutId} shows it):

  curl -s %[1]s/v1/checkouts -H 'Authorization: Bearer %[2]s' -H 'Idempotency-Key: order-1001' -d '{
    "mode": "session", "orderId": "1001",
    "returnUrls": {"success": "http://shop.example/ok", "failure": "http://shop.example/failed"},
    "order": {"customer": {"type": "private", "name": "Kari Nordmann", "email": "kari@example.no",
      "countryCode": "+47", "msisdn": "46567468",
      "address": {"street": "Karl Johans gate 1", "zip": "0154", "city": "Oslo", "country": "NO"}},
      "lines": [{"name": "Ullsokker", "unitPrice": 14900, "quantity": 2, "taxRate": 25}]}}'

examples/curl/lifecycle.sh walks a reservation through its whole life this way.

Press Ctrl-C to stop.
`, cfg.PublicURL, key, sb.URL(), env("FRONTGATE_SANDBOX_CONTROL"))
}

func kindOf(s sidecar.ShopConfig) string {
	if s.Kind == "" {
		return "webhook"
	}
	return s.Kind
}

// procsForGuests returns the GOMAXPROCS the sidecar runs with beside a wasm
// pool of pool instances, and whether to set it. Go cannot preempt a
// goroutine while it runs guest code, so each running guest call holds a P
// until it returns (0.3 ms for a 10-line create); with as many Ps as cores
// and every instance busy, the network poller and every other request wait.
// pool extra Ps leave base Ps for that work and let the OS share the cores
// (BENCHMARKS.md, "GOMAXPROCS beside the wasm pool": a lower p99 at 1,000
// checkouts/s, a lower peak throughput). An explicit GOMAXPROCS in the
// environment is left alone.
func procsForGuests(env string, base, pool int) (int, bool) {
	if env != "" || pool <= 0 {
		return base, false
	}
	return base + pool, true
}

// procs is what run() calls in this process have done to GOMAXPROCS. run()
// is main without the process, so tests and embeddings call it several
// times, one after another or at once: each raise is computed from the
// value the process had before the first of them (saved), never from one
// another run raised, and the last run to return puts saved back.
var procs struct {
	sync.Mutex
	users int // runs holding a raise
	saved int // GOMAXPROCS before the first of them
}

// baseProcs is GOMAXPROCS as the process had it before any running run()
// raised it.
func baseProcs() int {
	procs.Lock()
	defer procs.Unlock()
	if procs.users > 0 {
		return procs.saved
	}
	return runtime.GOMAXPROCS(0)
}

// raiseProcs raises GOMAXPROCS for a wasm pool of pool instances as
// procsForGuests says (env is the GOMAXPROCS environment variable), and
// returns GOMAXPROCS now (0 when it left it alone) and a function that
// gives the raise back. Overlapping runs hold the largest of their raises
// until the last returns.
func raiseProcs(env string, pool int) (int, func()) {
	procs.Lock()
	defer procs.Unlock()
	base := runtime.GOMAXPROCS(0)
	if procs.users > 0 {
		base = procs.saved
	}
	want, set := procsForGuests(env, base, pool)
	if !set {
		return 0, func() {}
	}
	if procs.users == 0 {
		procs.saved = base
	}
	procs.users++
	if want > runtime.GOMAXPROCS(0) {
		runtime.GOMAXPROCS(want)
	}
	var once sync.Once
	return runtime.GOMAXPROCS(0), func() {
		once.Do(func() {
			procs.Lock()
			defer procs.Unlock()
			if procs.users--; procs.users == 0 {
				runtime.GOMAXPROCS(procs.saved)
			}
		})
	}
}
