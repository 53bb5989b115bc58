package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestBinaryNoConfig builds the real binary, starts it with no
// configuration (built-in sandbox, wasm core), and completes a checkout over
// HTTP: create, pay on the sandbox's page, return to the shop, capture.
func TestBinaryNoConfig(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "frontgate")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-listen", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "FRONTGATE_CONFIG=")
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Error("the binary did not stop on SIGINT")
		}
	}()
	api, key := "", ""
	sc := bufio.NewScanner(stdout)
	re := regexp.MustCompile(`sidecar API\s+(\S+)\s+\(shop "demo", API key (\S+)\)`)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			api, key = m[1], m[2]
			break
		}
	}
	if api == "" {
		t.Fatal("the binary did not print its API address")
	}
	go io.Copy(io.Discard, stdout)

	client := &http.Client{Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(path, body string) (*http.Response, []byte) {
		req, _ := http.NewRequest("POST", api+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	resp, body := post("/v1/checkouts", `{"mode":"session","orderId":"bin-1",
		"returnUrls":{"success":"http://shop.example/ok","failure":"http://shop.example/failed"},
		"order":{"customer":{"type":"private","name":"Kari Nordmann","email":"kari@example.no","countryCode":"+47","msisdn":"46567468",
		"address":{"street":"Karl Johans gate 1","zip":"0154","city":"Oslo","country":"NO"}},
		"lines":[{"name":"Ullsokker","unitPrice":14900,"quantity":2,"taxRate":25}]}}`)
	if resp.StatusCode != 201 {
		t.Fatalf("checkout: %d %s", resp.StatusCode, body)
	}
	var c struct{ ReservationUUID, PaymentURL, RedirectURL string }
	json.Unmarshal(body, &c)
	r, err := client.Get(c.RedirectURL)
	if err != nil || r.StatusCode != 302 {
		t.Fatalf("redirect link: %v %v", r, err)
	}
	r, err = client.PostForm(c.PaymentURL, url.Values{"action": {"pay"}, "via": {"visa"}, "number": {"4111 1111 1111 1111"}, "exp": {"12/30"}, "cvc": {"123"}})
	if err != nil || r.StatusCode != 303 {
		t.Fatalf("pay: %v %v", r, err)
	}
	r, err = client.Get(r.Header.Get("Location"))
	if err != nil || r.StatusCode != 302 || !strings.HasPrefix(r.Header.Get("Location"), "http://shop.example/ok?") ||
		!strings.Contains(r.Header.Get("Location"), "frontgate_status=RESERVED") {
		t.Fatalf("return: %v %v", r.Header.Get("Location"), err)
	}
	resp, body = post("/v1/reservations/"+c.ReservationUUID+"/capture", `{}`)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"uuid":"CAP`) {
		t.Fatalf("capture: %d %s", resp.StatusCode, body)
	}
	m, err := client.Get(api + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	mb, _ := io.ReadAll(m.Body)
	m.Body.Close()
	if !strings.Contains(string(mb), "frontgate_wasm_pool_size ") || strings.Contains(string(mb), "frontgate_wasm_pool_size 0\n") {
		t.Error("metrics: the wasm pool size is missing or zero")
	}
	for _, want := range []string{"frontgate_checkouts_created_total 1", `frontgate_returns_total{page="success",result="ok"} 1`} {
		if !strings.Contains(string(mb), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestBaseURLWithoutAPIPathWarns: a FrontGo base URL without /api/v1 (every
// request would get 404, which readiness cannot tell from its own probe's
// 404) is warned about at start.
func TestBaseURLWithoutAPIPathWarns(t *testing.T) {
	for _, tc := range []struct {
		base string
		warn bool
	}{{"https://demo-api.frontpayment.no", true}, {"https://demo-api.frontpayment.no/api/v1", false}} {
		cfgFile := filepath.Join(t.TempDir(), "frontgate.json")
		os.WriteFile(cfgFile, []byte(`{"listen": "127.0.0.1:0", "publicUrl": "https://pay.example", "core": "native", "reconcileInterval": "0s",
			"frontgo": {"baseUrl": "`+tc.base+`"}, "shops": [{"id": "s1", "apiKeyEnv": "SHOP_KEY", "allowedHosts": ["shop.example"]}]}`), 0o600)
		env := map[string]string{"FRONTGATE_FRONTGO_TOKEN": "tok", "FRONTGATE_FRONTGO_SECRET": "sec", "SHOP_KEY": "shop-key-0123456789abc",
			"FRONTGATE_TOKEN_KEY": "0123456789abcdef0123456789abcdef"}
		var logs syncBuffer
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, []string{"-config", cfgFile}, func(k string) string { return env[k] }, io.Discard, &logs)
		}()
		for deadline := time.Now().Add(30 * time.Second); !strings.Contains(logs.String(), "frontgate ready"); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("not started: %s", logs.String())
			}
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(logs.String(), "does not end in /api/v1"); got != tc.warn {
			t.Errorf("%s: warned %v, want %v", tc.base, got, tc.warn)
		}
	}
}
