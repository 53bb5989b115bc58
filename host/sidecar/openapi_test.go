package sidecar

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/valyala/fasthttp"
)

// TestOpenAPIMatchesRoutes keeps openapi.json true: every documented path
// answers with something other than "no such endpoint", an undocumented
// path does not, and the documented Checkout and Error fields are the JSON
// fields the code sends.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, native())
	for path, methods := range spec.Paths {
		concrete := strings.NewReplacer("{id}", "chk_x", "{uuid}", "RES1", "{token}", "t", "{page}", "success").Replace(path)
		for method := range methods {
			r := h.do(strings.ToUpper(method), concrete, shopKey, "", "{}")
			if r.status == 404 && strings.Contains(string(r.body), "no such endpoint") {
				t.Errorf("%s %s is documented but not routed", method, path)
			}
		}
	}
	if r := h.do("GET", "/v1/undocumented", shopKey, "", nil); r.status != 404 {
		t.Errorf("an undocumented path answered %d", r.status)
	}

	// Every status a route answers must be documented: the answers of
	// every test so far, this one's included, are held to the spec here,
	// and those of the tests after it in TestMain. This test makes sure the
	// callback's own failures are among them: a shop whose notifier fails
	// makes the callback answer 503 (FrontGo then retries), to GET and to
	// POST alike.
	c := h.checkout("openapi-1")
	h.hook.set(func(Event) error { return errors.New("outbox unavailable") })
	if _, err := h.sb.Approve(c.ReservationUUID, "4111111111111111"); err != nil {
		t.Fatal(err)
	}
	recs, err := h.sb.WaitCallbacks(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if recs[0].HTTPStatus != 503 {
		t.Errorf("callback while the shop's notifier fails: %d, want 503", recs[0].HTTPStatus)
	}
	cb, _ := url.Parse(recs[0].URL)
	if r := h.do("POST", cb.RequestURI(), "", "", nil); r.status != 503 {
		t.Errorf("POSTed callback while the shop's notifier fails: %d %s", r.status, r.body)
	}
	h.hook.set(nil)
	if r := h.do("POST", cb.RequestURI(), "", "", nil); r.status != 200 {
		t.Errorf("POSTed callback: %d %s", r.status, r.body)
	}
	sp, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range sp.undocumented(seenAnswers()) {
		t.Error(bad)
	}
	for name, typ := range map[string]reflect.Type{"Checkout": reflect.TypeOf(Checkout{}), "Error": reflect.TypeOf(Error{})} {
		var code, doc []string
		for i := 0; i < typ.NumField(); i++ {
			tag := strings.Split(typ.Field(i).Tag.Get("json"), ",")[0]
			if tag != "" && tag != "-" {
				code = append(code, tag)
			}
		}
		for p := range spec.Components.Schemas[name].Properties {
			doc = append(doc, p)
		}
		sort.Strings(code)
		sort.Strings(doc)
		if strings.Join(code, ",") != strings.Join(doc, ",") {
			t.Errorf("%s: code sends %v, openapi.json documents %v", name, code, doc)
		}
	}
}

// ---- every answer the tests saw, against openapi.json ----

// answer is one response a test server gave.
type answer struct {
	method, path string
	status       int
}

// answers collects the responses of every server the package's tests run
// (see observed); TestMain holds them to openapi.json at the end.
var answers struct {
	sync.Mutex
	seen map[answer]bool
}

// observed wraps h so that every response it gives is collected.
func observed(h fasthttp.RequestHandler) fasthttp.RequestHandler {
	return func(fc *fasthttp.RequestCtx) {
		h(fc)
		a := answer{string(fc.Method()), string(fc.Path()), fc.Response.StatusCode()}
		answers.Lock()
		defer answers.Unlock()
		if answers.seen == nil {
			answers.seen = map[answer]bool{}
		}
		answers.seen[a] = true
	}
}

// observe makes s collect its responses; call it before Serve.
func observe(s *Server) *Server {
	s.srv.Handler = observed(s.srv.Handler)
	return s
}

// spec is openapi.json's paths: the documented statuses by method by path
// template.
type spec map[string]map[string]map[string]bool

func loadSpec() (spec, error) {
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		return nil, err
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	out := spec{}
	for path, methods := range doc.Paths {
		out[path] = map[string]map[string]bool{}
		for method, raw := range methods {
			var op struct {
				Responses map[string]json.RawMessage `json:"responses"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				continue // parameters and other path-level members
			}
			codes := map[string]bool{}
			for code := range op.Responses {
				codes[code] = true
			}
			out[path][strings.ToUpper(method)] = codes
		}
	}
	return out, nil
}

// template is the documented path concrete matches ("{x}" matches one
// segment), or "".
func (sp spec) template(concrete string) string {
	segs := strings.Split(strings.Trim(concrete, "/"), "/")
	for tmpl := range sp {
		t := strings.Split(strings.Trim(tmpl, "/"), "/")
		if len(t) != len(segs) {
			continue
		}
		ok := true
		for i := range t {
			if !(strings.HasPrefix(t[i], "{") && strings.HasSuffix(t[i], "}") && segs[i] != "") && t[i] != segs[i] {
				ok = false
				break
			}
		}
		if ok {
			return tmpl
		}
	}
	return ""
}

// byDefault are the statuses an operation's default response
// (components/responses/Unexpected) documents: those that can come from
// any route or from the HTTP layer before it. Every other status a route
// gives must be listed on its operation; a default does not excuse it.
var byDefault = map[int]bool{408: true, 413: true, 431: true, 500: true}

// undocumented lists the answers openapi.json does not document: a status
// a documented route gave that its operation does not list, or a method a
// documented path answered with anything but 405. Paths the spec does not
// have are the router's 404s, which TestOpenAPIMatchesRoutes covers.
func (sp spec) undocumented(seen []answer) []string {
	var bad []string
	for _, a := range seen {
		tmpl := sp.template(a.path)
		if tmpl == "" {
			continue
		}
		codes, ok := sp[tmpl][a.method]
		switch {
		case !ok && a.status == 405:
		case !ok:
			bad = append(bad, fmt.Sprintf("%s %s answered %d, but openapi.json does not document %s on it", a.method, tmpl, a.status, a.method))
		case !codes[strconv.Itoa(a.status)] && !(codes["default"] && byDefault[a.status]):
			bad = append(bad, fmt.Sprintf("%s %s answered %d, which openapi.json does not document", a.method, tmpl, a.status))
		}
	}
	sort.Strings(bad)
	return slices.Compact(bad)
}

func seenAnswers() []answer {
	answers.Lock()
	defer answers.Unlock()
	out := make([]answer, 0, len(answers.seen))
	for a := range answers.seen {
		out = append(out, a)
	}
	return out
}

// TestMain runs the tests, then holds every answer their servers gave to
// openapi.json: a status a route returns in any test must be documented.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		sp, err := loadSpec()
		if err != nil {
			fmt.Fprintln(os.Stderr, "openapi.json:", err)
			os.Exit(1)
		}
		if bad := sp.undocumented(seenAnswers()); len(bad) > 0 {
			fmt.Fprintln(os.Stderr, "FAIL: answers the tests saw that openapi.json does not document:")
			for _, b := range bad {
				fmt.Fprintln(os.Stderr, "\t"+b)
			}
			code = 1
		}
	}
	os.Exit(code)
}

// TestUndocumentedCatches: the check above fails for a status a route
// does not list, even though every operation has a default response.
func TestUndocumentedCatches(t *testing.T) {
	sp, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		a   answer
		bad bool
	}{
		{answer{"GET", "/v1/checkouts/chk_1", 200}, false},
		{answer{"GET", "/v1/checkouts/chk_1", 500}, false}, // the default's
		{answer{"GET", "/v1/checkouts/chk_1", 418}, true},
		{answer{"GET", "/v1/checkouts/chk_1", 409}, true},    // a route's own status must be listed
		{answer{"DELETE", "/v1/checkouts/chk_1", 200}, true}, // a method it does not document
		{answer{"DELETE", "/v1/checkouts/chk_1", 405}, false},
	} {
		if got := len(sp.undocumented([]answer{c.a})) > 0; got != c.bad {
			t.Errorf("%+v: flagged %v, want %v", c.a, got, c.bad)
		}
	}
}

// TestOpenAPIWebhookEvent: the documented webhook body has exactly the
// fields of the Event the sidecar sends (adapters/webhook's Payload mirrors
// it), each of those without omitempty required.
func TestOpenAPIWebhookEvent(t *testing.T) {
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Required   []string                   `json:"required"`
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	ev, ok := doc.Components.Schemas["WebhookEvent"]
	if !ok {
		t.Fatal("no WebhookEvent schema")
	}
	var fields, required []string
	et := reflect.TypeFor[Event]()
	for i := range et.NumField() {
		name, opts, _ := strings.Cut(et.Field(i).Tag.Get("json"), ",")
		fields = append(fields, name)
		if opts != "omitempty" {
			required = append(required, name)
		}
	}
	var documented []string
	for k := range ev.Properties {
		documented = append(documented, k)
	}
	slices.Sort(fields)
	slices.Sort(documented)
	slices.Sort(required)
	got := slices.Clone(ev.Required)
	slices.Sort(got)
	if !slices.Equal(fields, documented) || !slices.Equal(required, got) {
		t.Fatalf("WebhookEvent documents %v (required %v); Event sends %v (required %v)", documented, got, fields, required)
	}
}
