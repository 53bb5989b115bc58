package sidecar

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestOperationBodiesAreStrict: an operation's body is one JSON object with
// only its own members. A capture in FrontGo's own shape, or with a typo,
// used to capture everything still reserved (the meaning of a body without
// lines); null panicked.
func TestOperationBodiesAreStrict(t *testing.T) {
	h := newHarness(t, native())
	uuid, line := h.reserved("7501")
	path := "/v1/reservations/" + uuid + "/capture"
	lines := `[{"id":` + itoa(line) + `,"amount":100}]`
	for body, want := range map[string]string{
		`{"products":{"0":{"id":` + itoa(line) + `,"amount":100}},"grandTotal":1}`: `"path":"grandTotal","rule":"unknown"`,
		`{"Lines":` + lines + `}`:            `"path":"Lines","rule":"unknown"`,
		`{"lines":` + lines + `,"now":1}`:    `"path":"now","rule":"unknown"`,
		`{"lines":` + lines + `,"lines":[]}`: `"path":"lines","rule":"duplicate"`,
		`{"lines":` + lines + `} {}`:         `has more after its JSON value`,
		`null`:                               `the body must be a JSON object`,
		`[]`:                                 `the body must be a JSON object`,
		"{\"lines\":" + lines + ",\"additionalText\":\"\xff\"}": `not valid UTF-8`,
	} {
		r := h.do("POST", path, shopKey, "", body)
		if r.status != 400 || !bytes.Contains(r.body, []byte(`"code":"bad_input"`)) || !bytes.Contains(r.body, []byte(want)) {
			t.Errorf("%.60s: %d %s, want 400 with %s", body, r.status, r.body, want)
		}
	}
	if st, _ := h.sb.Inspect(uuid); st.Status != "RESERVED" || len(st.Captures) != 0 {
		t.Fatalf("a refused body captured: %s %+v", st.Status, st.Captures)
	}
	// A body without lines still captures everything still reserved, as
	// documented.
	if r := h.do("POST", path, shopKey, "", `{}`); r.status != 200 {
		t.Fatalf("capture all: %d %s", r.status, r.body)
	}
}

// TestCheckoutBodyIsStrict: the checkout's own members are read as
// strictly as the order inside it: a key twice, bytes after the object or
// invalid UTF-8 could be read differently by another parser.
func TestCheckoutBodyIsStrict(t *testing.T) {
	h := newHarness(t, native())
	good, _ := json.Marshal(checkoutReq("7601"))
	rest := strings.TrimPrefix(string(good), "{")
	for body, want := range map[string]string{
		`{"orderId":"7602",` + rest:                        `"path":"orderId","rule":"duplicate"`,
		string(good) + ` garbage`:                          `has more after its JSON value`,
		strings.Replace(string(good), "7601", "U\xffX", 1): `not valid UTF-8`,
		`null`:             `the body must be a JSON object`,
		`{"orderId":7601}`: `"path":"orderId","rule":"type"`,
		// Inside the order, the core's own parser refuses it.
		strings.Replace(string(good), `"lines":`, `"customerNotes":"a","customerNotes":"b","lines":`, 1): `duplicate object key`,
	} {
		r := h.do("POST", "/v1/checkouts", shopKey, "", body)
		if r.status != 400 || !bytes.Contains(r.body, []byte(want)) {
			t.Errorf("%.60q: %d %s, want 400 with %s", body, r.status, r.body, want)
		}
	}
	if r := h.do("POST", "/v1/checkouts", shopKey, "", string(good)); r.status != 201 {
		t.Fatalf("the body itself: %d %s", r.status, r.body)
	}
}

// TestReturnURLsRequired: a session checkout without its return pages is
// told they are required, not that their host is not allowed.
func TestReturnURLsRequired(t *testing.T) {
	h := newHarness(t, native())
	req := checkoutReq("7701")
	req["returnUrls"] = map[string]any{"success": "https://shop.example/ok"}
	r := h.do("POST", "/v1/checkouts", shopKey, "", req)
	if r.status != 422 || !bytes.Contains(r.body, []byte(`"path":"returnUrls.failure","rule":"required"`)) || bytes.Contains(r.body, []byte("returnUrls.success")) {
		t.Fatalf("missing failure URL: %d %s", r.status, r.body)
	}
	req["returnUrls"] = map[string]any{"success": "https://elsewhere.example/ok", "failure": "https://shop.example/no"}
	if r := h.do("POST", "/v1/checkouts", shopKey, "", req); r.status != 422 || !bytes.Contains(r.body, []byte(`"path":"returnUrls.success","rule":"allowed_host"`)) {
		t.Fatalf("foreign success URL: %d %s", r.status, r.body)
	}
}

// TestCheckoutErrorsNameTheirRule: each broken rule of the checkout's own
// members is told once, as itself: a long orderId is max_length, not
// "required"; a mode that is neither session nor link is enum, and brings
// no word about payment links' return pages.
func TestCheckoutErrorsNameTheirRule(t *testing.T) {
	h := newHarness(t, native())
	req := checkoutReq(strings.Repeat("7", 65))
	r := h.do("POST", "/v1/checkouts", shopKey, "", req)
	if r.status != 422 || !bytes.Contains(r.body, []byte(`"path":"orderId","rule":"max_length"`)) {
		t.Fatalf("65-character orderId: %d %s", r.status, r.body)
	}
	req = checkoutReq("7702")
	req["mode"] = "bogus"
	r = h.do("POST", "/v1/checkouts", shopKey, "", req)
	if r.status != 422 || !bytes.Contains(r.body, []byte(`"path":"mode","rule":"enum"`)) || bytes.Contains(r.body, []byte("returnUrls")) {
		t.Fatalf("mode bogus: %d %s", r.status, r.body)
	}
}

// TestOrderJSONErrorsInShopTerms: JSON the core refuses inside an order
// (which the sidecar's own scan steps over) is told without the core's
// operation name or byte offsets into an input the shop never saw.
func TestOrderJSONErrorsInShopTerms(t *testing.T) {
	h := newHarness(t, native())
	req := `{"mode":"session","orderId":"o1","returnUrls":{"success":"https://shop.example/ok","failure":"https://shop.example/no"},` +
		`"order":{"lines":[{"name":"A","unitPrice":100,"quantity":1,"taxRate":25,"name":"B"}]}}`
	r := h.do("POST", "/v1/checkouts", shopKey, "", req)
	if r.status != 400 || !bytes.Contains(r.body, []byte(`"message":"the request's JSON is not acceptable: duplicate object key \"name\""`)) {
		t.Fatalf("duplicate key in the order: %d %s", r.status, r.body)
	}
	for in, want := range map[string]string{
		"build_create: invalid json at offset 787: nesting too deep": "the request's JSON is not acceptable: nesting too deep",
		"build_capture: the input is not this operation's shape":     "the request does not have the expected shape; fields name each member",
		"lines: must hold at most 500 lines":                         "lines: must hold at most 500 lines",
		"order: invalid request: order.customer: is required":        "order: invalid request: order.customer: is required",
		"build_history: invalid json at offset 3":                    "the request's JSON is not acceptable",
	} {
		if got := shopMessage(in); got != want {
			t.Errorf("shopMessage(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMemberNamesAreExact: a member's name must match exactly; "OrderId"
// is not orderId (encoding/json alone would take it, or the later of the
// two), and a nested unknown member is named by its whole path.
func TestMemberNamesAreExact(t *testing.T) {
	h := newHarness(t, native())
	good, _ := json.Marshal(checkoutReq("7801"))
	rest := strings.TrimPrefix(string(good), "{")
	for body, want := range map[string]string{
		`{"OrderId":"7802",` + rest: `"path":"OrderId","rule":"unknown"`,
		strings.Replace(string(good), `"returnUrls":{`, `"returnUrls":{"cancel":"https://shop.example/x",`, 1): `"path":"returnUrls.cancel","rule":"unknown"`,
	} {
		r := h.do("POST", "/v1/checkouts", shopKey, "", body)
		if r.status != 400 || !bytes.Contains(r.body, []byte(want)) {
			t.Errorf("%.50q: %d %s, want 400 with %s", body, r.status, r.body, want)
		}
	}
}
