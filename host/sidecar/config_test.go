package sidecar

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

func exampleEnv(k string) string {
	return map[string]string{
		"FRONTGATE_FRONTGO_TOKEN": "tok", "FRONTGATE_FRONTGO_SECRET": "sec",
		"FRONTGATE_SHOP_NETTBUTIKK_KEY":            "0123456789abcdef0123",
		"FRONTGATE_SHOP_NETTBUTIKK_WEBHOOK_SECRET": "whsec-0123456789abcdef",
		"SHORT_KEY": "0123456789abcde",
		"TWO_KEY":   "two-key-0123456789ab",
		// The old secret while one rotates.
		"OLD_SECRET": "whsec-old-0123456789ab",
		"OLD_SHORT":  "short",
	}[k]
}

func TestExampleConfigIsValid(t *testing.T) {
	b, err := os.ReadFile("example-config.json")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := DecodeConfig(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(exampleEnv); err != nil {
		t.Fatal(err)
	}
	if cfg.FrontGo.Token() != "tok" || cfg.Shops[0].apiKey != "0123456789abcdef0123" {
		t.Fatal("secrets not read from the environment")
	}
}

// TestConfigErrorsNameTheField: a wrong config stops start-up with a
// message naming the field.
// TestWebhookSecretsRotate: while a shop's webhook secret rotates, a
// second variable holds the old one.
func TestWebhookSecretsRotate(t *testing.T) {
	base, _ := os.ReadFile("example-config.json")
	src := strings.Replace(string(base), `"webhookSecretEnv": "FRONTGATE_SHOP_NETTBUTIKK_WEBHOOK_SECRET"`,
		`"webhookSecretEnv": "FRONTGATE_SHOP_NETTBUTIKK_WEBHOOK_SECRET", "webhookPreviousSecretEnv": "OLD_SECRET"`, 1)
	if src == string(base) {
		t.Fatal("the example has no webhookSecretEnv to extend")
	}
	cfg, err := DecodeConfig([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(exampleEnv); err != nil {
		t.Fatalf("with the old secret: %v", err)
	}
}

func TestConfigErrorsNameTheField(t *testing.T) {
	base, _ := os.ReadFile("example-config.json")
	tests := []struct {
		name, from, to, want string
	}{
		{"unknown key", `"listen"`, `"listne"`, `unknown field "listne"`},
		{"bad duration", `"24h"`, `"soon"`, `config: checkoutTtl: must be a positive duration such as "30s", not "soon"`},
		{"negative nested duration", `"timeout": "10s"`, `"timeout": "-1s"`, `config: frontgo.timeout: must be a positive duration`},
		{"duration as a number", `"checkoutTtl": "24h"`, `"checkoutTtl": "24h", "readTimeout": 10`, `config: readTimeout: must be a duration string such as "30s"`},
		{"number as a string", `"poolSize": 2`, `"poolSize": "2"`, `config: poolSize: must be a JSON number, not string`},
		{"flag as a string", `"callbackTimestampOptional": false`, `"callbackTimestampOptional": "no"`, `config: frontgo.callbackTimestampOptional: must be a JSON boolean, not string`},
		{"public url with path", `"https://pay.shop.example"`, `"https://pay.shop.example/x"`, `publicUrl: must be an absolute http(s) URL without a path`},
		{"public url with a query", `"https://pay.shop.example"`, `"https://pay.shop.example?x=1"`, `publicUrl: must be an absolute http(s) URL without a path`},
		{"public url with an empty query", `"https://pay.shop.example"`, `"https://pay.shop.example/?"`, `publicUrl: must be an absolute http(s) URL without a path`},
		{"public url with a fragment", `"https://pay.shop.example"`, `"https://pay.shop.example#"`, `publicUrl: must be an absolute http(s) URL without a path`},
		{"public url with a user", `"https://pay.shop.example"`, `"https://u:secret@pay.shop.example"`, `path, query, fragment or user, not "https://u:xxxxx@pay.shop.example"`},
		{"base url", `"https://demo-api.frontpayment.no/api/v1"`, `"demo-api"`, `frontgo.baseUrl`},
		{"scheme", `"ordered-params"`, `"md5"`, `frontgo.callbackScheme`},
		{"cancel method", `"cancelMethod": "GET"`, `"cancelMethod": "DELETE"`, `frontgo.cancelMethod`},
		{"core", `"core": "wasm"`, `"core": "jit"`, `core: must be wasm or native`},
		{"allowed host with path", `"www.shop.example"`, `"www.shop.example/x"`, `shops.0.allowedHosts.1`},
		{"missing key env", `"FRONTGATE_SHOP_NETTBUTIKK_KEY"`, `"NOPE"`, `shops.0.apiKey`},
		{"tax rate", `[0, 12, 15, 25]`, `[0, 125]`, `frontgo.taxRates.1`},
		{"shop id", `"nettbutikk"`, `"nett butikk"`, `shops.0.id`},
		{"pool size too large", `"poolSize": 2`, `"poolSize": 65`, `poolSize: must be between 0 (GOMAXPROCS) and 64`},
		{"plain http webhook", `"https://shop.example/?wc-api=frontgate"`, `"http://shop.example/?wc-api=frontgate"`, `shops.0.webhookUrl: must use https`},
		{"checkout ttl past 180 days", `"checkoutTtl": "24h"`, `"checkoutTtl": "4321h"`, `checkoutTtl: must be between 1s and 4320h0m0s (180 days), not 4321h0m0s`},
		{"callback tolerance past a week", `"callbackTolerance": "15m"`, `"callbackTolerance": "200h"`, `frontgo.callbackTolerance: must be between 1s and 168h`},
		{"request timeout zero", `"checkoutTtl": "24h"`, `"checkoutTtl": "24h", "requestTimeout": "0s"`, `requestTimeout: must be a positive duration such as "30s", not 0s`},
		{"read timeout zero", `"checkoutTtl": "24h"`, `"checkoutTtl": "24h", "readTimeout": "0s"`, `readTimeout: must be a positive duration`},
		{"write timeout zero", `"checkoutTtl": "24h"`, `"checkoutTtl": "24h", "writeTimeout": "0s"`, `writeTimeout: must be a positive duration`},
		{"idempotency ttl zero", `"idempotencyTtl": "24h"`, `"idempotencyTtl": "0s"`, `idempotencyTtl: must be a positive duration`},
		{"frontgo timeout zero", `"timeout": "10s"`, `"timeout": "0s"`, `frontgo.timeout: must be a positive duration`},
		{"pool size negative", `"poolSize": 2`, `"poolSize": -1`, `poolSize: must be between 0 (GOMAXPROCS) and 64`},
		{"plain http to FrontGo", `"https://demo-api.frontpayment.no/api/v1"`, `"http://demo-api.frontpayment.no/api/v1"`, `frontgo.baseUrl: must use https`},
		{"ops listen without a port", `"127.0.0.1:9090"`, `"127.0.0.1"`, `opsListen: must be host:port, not "127.0.0.1"`},
		{"ops listen on the public address", `"127.0.0.1:9090"`, `"0.0.0.0:8080"`, `opsListen: must differ from listen (0.0.0.0:8080)`},
		{"api key too short", `"FRONTGATE_SHOP_NETTBUTIKK_KEY"`, `"SHORT_KEY"`, `shops.0.apiKey: set SHORT_KEY or apiKeyFile to a key of at least 16 characters`},
		{"api key shared", `"shops": [`, `"shops": [{"id": "two", "apiKeyEnv": "FRONTGATE_SHOP_NETTBUTIKK_KEY", "allowedHosts": ["two.example"]},`, `shops.1.apiKey: shares its key with shop "two"`},
		{"webhook secret shared", `"shops": [`, `"shops": [{"id": "two", "apiKeyEnv": "TWO_KEY", "allowedHosts": ["two.example"], "webhookUrl": "https://two.example/hook", "webhookSecretEnv": "FRONTGATE_SHOP_NETTBUTIKK_WEBHOOK_SECRET"},`, `shops.1.webhookSecretEnv: shares a secret with shop "two"`},
		{"old webhook secret shared", `"shops": [`, `"shops": [{"id": "two", "apiKeyEnv": "TWO_KEY", "allowedHosts": ["two.example"], "webhookUrl": "https://two.example/hook", "webhookSecretEnv": "OLD_SECRET", "webhookPreviousSecretEnv": "FRONTGATE_SHOP_NETTBUTIKK_WEBHOOK_SECRET"},`, `shops.1.webhookSecretEnv: shares a secret with shop "two"`},
		{"old webhook secret short", `"webhookSecretEnv": "FRONTGATE_SHOP_NETTBUTIKK_WEBHOOK_SECRET"`, `"webhookSecretEnv": "FRONTGATE_SHOP_NETTBUTIKK_WEBHOOK_SECRET", "webhookPreviousSecretEnv": "OLD_SHORT"`, `shops.0.webhookPreviousSecretEnv: set "OLD_SHORT" to the old secret`},
		{"old webhook secret the same", `"webhookSecretEnv": "FRONTGATE_SHOP_NETTBUTIKK_WEBHOOK_SECRET"`, `"webhookSecretEnv": "FRONTGATE_SHOP_NETTBUTIKK_WEBHOOK_SECRET", "webhookPreviousSecretEnv": "FRONTGATE_SHOP_NETTBUTIKK_WEBHOOK_SECRET"`, `shops.0.webhookPreviousSecretEnv: holds the same secret as webhookSecretEnv`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(string(base), tc.from, tc.to, 1)
			if src == string(base) {
				t.Fatalf("%q not found in the example", tc.from)
			}
			cfg, err := DecodeConfig([]byte(src))
			if err == nil {
				err = cfg.Validate(exampleEnv)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

// TestConfigDocumented: CONFIG.md has a row for every key the config
// decodes, so a new key cannot go undocumented.
func TestConfigDocumented(t *testing.T) {
	doc, err := os.ReadFile("CONFIG.md")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	var walk func(reflect.Type)
	walk = func(rt reflect.Type) {
		for i := range rt.NumField() {
			f := rt.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "" || name == "-" {
				continue
			}
			keys = append(keys, name)
			ft := f.Type
			for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct && ft != reflect.TypeOf(Duration(0)) {
				walk(ft)
			}
		}
	}
	walk(reflect.TypeOf(Config{}))
	if len(keys) < 30 {
		t.Fatalf("found only %d keys", len(keys))
	}
	for _, k := range keys {
		if !strings.Contains(string(doc), "`"+k+"`") {
			t.Errorf("CONFIG.md does not mention the key %q", k)
		}
	}
}
