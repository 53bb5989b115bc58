package sandbox

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/frontgate/frontgate/plugin/reservation"
)

// FuzzSubmitBody throws bodies at the submit endpoint through the whole
// handler: it never panics, answers only 201, 413 or 417, and every answer
// parses with the core's ParseSubmit into a reservation or a validation
// error.
func FuzzSubmitBody(f *testing.F) {
	f.Add([]byte(build(f, reservation.OpSubmit, order(f, defaultLines, ""))))
	f.Add([]byte(build(f, reservation.OpCreate, order(f, defaultLines, "http://127.0.0.1:9/cb?a=1"))))
	f.Add(readResponse(f, "submit-201-success.json"))
	for _, s := range []string{"", "{", "[]", "null", `{"products":{"1":{}}}`, `{"customerDetails":{"type":"corporate"}}`,
		`{"orderSummary":{"subTotal":1e999,"totalTax":-0,"grandTotal":"1.005"}}`, "\xff\xfe\x00"} {
		f.Add([]byte(s))
	}
	cfg := DefaultConfig()
	cfg.Token, cfg.Secret = testToken, testSecret
	cfg.Now = func() time.Time { return t0 }
	cfg.Rand = SeededRand(2)
	cfg.MaxBodyBytes = 64 << 10
	sb, err := New(cfg)
	if err != nil {
		f.Fatal(err)
	}
	defer sb.Close()
	h := sb.Handler()
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1"+APIPrefix+"submit", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+testToken)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		resp := reservation.Response{Status: rec.Code, Body: rec.Body.Bytes()}
		c, err := reservation.ParseSubmit(resp)
		switch rec.Code {
		case 201:
			if err != nil || !reRES.MatchString(c.ReservationUUID) {
				t.Fatalf("201 that does not parse: %v\n%s", err, rec.Body)
			}
		case 413, 417:
			var e *reservation.APIError
			if !errors.As(err, &e) || e.HTTPStatus != rec.Code || len(e.Errors) == 0 {
				t.Fatalf("%d that does not parse: %v\n%s", rec.Code, err, rec.Body)
			}
		default:
			t.Fatalf("status %d for %q", rec.Code, body)
		}
	})
}
