package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frontgate/frontgate/host/sandbox"
	"github.com/frontgate/frontgate/plugin/callback"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestParseDefaults(t *testing.T) {
	o, err := parse(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	c := o.cfg
	if o.addr != "127.0.0.1:8089" || c.Token != sandbox.DefaultToken || c.Secret != sandbox.DefaultSecret || c.Control ||
		c.Scheme != callback.SchemeOrderedParams || c.Location != time.UTC || c.CaptureDeadline != sandbox.DefaultCaptureDeadline {
		t.Errorf("defaults %+v", o)
	}
}

func TestParseCredentials(t *testing.T) {
	dir := t.TempDir()
	tok := filepath.Join(dir, "token")
	if err := os.WriteFile(tok, []byte("file-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	o, err := parse([]string{"-token-file", tok, "-control"}, env(map[string]string{
		"FRONTGO_SANDBOX_TOKEN": "env-token", "FRONTGO_SANDBOX_SECRET": "env-secret",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.cfg.Token != "file-token" || o.cfg.Secret != "env-secret" || !o.cfg.Control {
		t.Errorf("credentials %q %q", o.cfg.Token, o.cfg.Secret)
	}
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o600)
	if _, err := parse([]string{"-secret-file", empty}, env(nil), io.Discard); err == nil {
		t.Error("empty secret file accepted")
	}
	// Secrets are never flags.
	if _, err := parse([]string{"-secret", "x"}, env(nil), io.Discard); err == nil {
		t.Error("-secret accepted")
	}
}

func TestParseOptions(t *testing.T) {
	o, err := parse([]string{"-addr", "127.0.0.1:0", "-scheme", "legacy-v2", "-tz", "UTC", "-capture-deadline", "744h",
		"-charge-runway-max", "5000.00", "-refund-weekly-limit", "100", "-log", "json", "-callback-status-success"}, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	c := o.cfg
	if c.Scheme != callback.SchemeLegacyV2 || c.CaptureDeadline != 31*24*time.Hour || c.ChargeRunwayMax != 500000 ||
		c.RefundWeeklyLimit != 10000 || !c.CallbackStatusSuccess {
		t.Errorf("options %+v", c)
	}
	for _, args := range [][]string{{"-scheme", "md5"}, {"-tz", "Mars/Olympus"}, {"-refund-request-limit", "1.001"}, {"-log", "xml"}, {"extra"}} {
		if _, err := parse(args, env(nil), io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

func TestRunRefusesBadConfig(t *testing.T) {
	var out strings.Builder
	if err := run([]string{"-capture-deadline", "-1h"}, env(nil), &out, io.Discard); err == nil {
		t.Error("negative capture deadline accepted")
	}
	if err := run([]string{"-addr", "256.0.0.1:1"}, env(nil), &out, io.Discard); err == nil {
		t.Error("bad address accepted")
	}
}
