// Command frontgo-sandbox runs the FrontGo reservation API sandbox on its
// own: a stateful emulator with a hosted checkout page, signed callbacks
// and (with -control) a control plane for faults and time. See
// host/sandbox/README.md.
//
//	go run ./host/cmd/frontgo-sandbox -control
//
// The bearer token and the callback secret come from the environment
// (FRONTGO_SANDBOX_TOKEN, FRONTGO_SANDBOX_SECRET) or from files
// (-token-file, -secret-file), never from flags, so they stay out of shell
// history and process listings. Without either, the documented development
// values sandbox-token and sandbox-secret apply.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/frontgate/frontgate/host/sandbox"
	"github.com/frontgate/frontgate/plugin/callback"
	"github.com/frontgate/frontgate/plugin/money"
)

func main() {
	if err := run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "frontgo-sandbox:", err)
		os.Exit(1)
	}
}

// options are the command line, parsed.
type options struct {
	cfg  sandbox.Config
	addr string
}

func parse(args []string, getenv func(string) string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("frontgo-sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8089", "listen address")
	tokenFile := fs.String("token-file", "", "file holding the API bearer token (else $FRONTGO_SANDBOX_TOKEN, else "+sandbox.DefaultToken+")")
	secretFile := fs.String("secret-file", "", "file holding the callback secret key (else $FRONTGO_SANDBOX_SECRET, else "+sandbox.DefaultSecret+")")
	controlTokenFile := fs.String("control-token-file", "", "file holding the control plane token (else $FRONTGO_SANDBOX_CONTROL_TOKEN, else the API token)")
	scheme := fs.String("scheme", "ordered-params", "callback checksum scheme: ordered-params, legacy-v1 or legacy-v2")
	statusSuccess := fs.Bool("callback-status-success", false, "send status=success in callbacks (the reference's example) instead of RESERVED/CAPTURED/CHARGED")
	control := fs.Bool("control", false, "enable the control plane under /_sandbox/")
	publicURL := fs.String("public-url", "", "base of checkout URLs handed out (default: the Host each request was sent to)")
	tz := fs.String("tz", "UTC", "time zone of history and details datetimes, e.g. Europe/Oslo")
	captureDeadline := fs.Duration("capture-deadline", sandbox.DefaultCaptureDeadline, "how long after authorisation captures are accepted (reference: 7 to 31 days)")
	chargeDays := fs.Int("charge-days", sandbox.DefaultChargeValidityDays, "charge window in days when a reservation has no chargeValidity")
	runwayPct := fs.Int("charge-runway-percent", sandbox.DefaultChargeRunwayPercent, "charges may add up to this percentage of the reserved amount")
	runwayMax := fs.String("charge-runway-max", "", "absolute cap on a reservation's charges, e.g. 5000.00 (default none)")
	refundReq := fs.String("refund-request-limit", "", "largest single refund, e.g. 10000.00 (default none)")
	refundWeek := fs.String("refund-weekly-limit", "", "most refunded over any 7 days, e.g. 50000.00 (default none)")
	attempts := fs.Int("callback-attempts", sandbox.DefaultCallbackAttempts, "callback delivery attempts in all")
	logFormat := fs.String("log", "text", "log format: text or json")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}

	cfg := sandbox.DefaultConfig()
	var err error
	if cfg.Token, err = secret(*tokenFile, getenv("FRONTGO_SANDBOX_TOKEN"), sandbox.DefaultToken); err != nil {
		return nil, fmt.Errorf("token: %w", err)
	}
	if cfg.Secret, err = secret(*secretFile, getenv("FRONTGO_SANDBOX_SECRET"), sandbox.DefaultSecret); err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	if cfg.ControlToken, err = secret(*controlTokenFile, getenv("FRONTGO_SANDBOX_CONTROL_TOKEN"), ""); err != nil {
		return nil, fmt.Errorf("control token: %w", err)
	}
	if cfg.Scheme, err = callback.ParseScheme(*scheme); err != nil {
		return nil, err
	}
	if cfg.Location, err = time.LoadLocation(*tz); err != nil {
		return nil, fmt.Errorf("tz: %w", err)
	}
	cfg.CallbackStatusSuccess = *statusSuccess
	cfg.Control = *control
	cfg.PublicURL = *publicURL
	cfg.CaptureDeadline = *captureDeadline
	cfg.ChargeValidityDays = *chargeDays
	cfg.ChargeRunwayPercent = *runwayPct
	cfg.CallbackAttempts = *attempts
	for _, a := range []struct {
		name string
		text string
		dst  *money.Amount
	}{{"charge-runway-max", *runwayMax, &cfg.ChargeRunwayMax}, {"refund-request-limit", *refundReq, &cfg.RefundRequestLimit}, {"refund-weekly-limit", *refundWeek, &cfg.RefundWeeklyLimit}} {
		if a.text == "" {
			continue
		}
		if *a.dst, err = money.ParseAmount([]byte(a.text)); err != nil {
			return nil, fmt.Errorf("%s: %q: %w", a.name, a.text, err)
		}
	}
	var h slog.Handler
	switch *logFormat {
	case "text":
		h = slog.NewTextHandler(stderr, nil)
	case "json":
		h = slog.NewJSONHandler(stderr, nil)
	default:
		return nil, fmt.Errorf("log: unknown format %q", *logFormat)
	}
	cfg.Logger = slog.New(h)
	return &options{cfg: cfg, addr: *addr}, nil
}

// secret reads a credential from a file (trimmed), else takes the
// environment's value, else def.
func secret(file, env, def string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		s := strings.TrimSpace(string(b))
		if s == "" {
			return "", errors.New(file + " is empty")
		}
		return s, nil
	}
	if env != "" {
		return env, nil
	}
	return def, nil
}

func run(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	o, err := parse(args, getenv, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	sb, err := sandbox.New(o.cfg)
	if err != nil {
		return err
	}
	if err := sb.Start(o.addr); err != nil {
		sb.Close()
		return err
	}
	log := o.cfg.Logger
	usingDefault := o.cfg.Token == sandbox.DefaultToken
	log.Info("frontgo sandbox listening", "url", sb.URL(), "api_base", sb.APIBase(),
		"control", o.cfg.Control, "scheme", o.cfg.Scheme.String(), "default_credentials", usingDefault)
	fmt.Fprintf(stdout, "FrontGo sandbox on %s\n  API base URL: %s\n", sb.URL(), sb.APIBase())
	if o.cfg.Control {
		fmt.Fprintf(stdout, "  control plane: %s%s\n", sb.URL(), sandbox.ControlPrefix)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	log.Info("shutting down")
	return sb.Close()
}
