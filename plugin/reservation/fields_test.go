package reservation

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/frontgate/frontgate/plugin/internal/jsonx"
)

func TestFieldSets(t *testing.T) {
	sets := map[string]*fieldSet{"order": orderSet, "line": lineSet, "discount": discountSet, "newSubmit": newSubmitSet,
		"newCreate": newCreateSet, "customer": customerSet, "address": addressSet, "product": productSet,
		"summary": summarySet, "send": sendSet, "settings": settingsSet, "cbSubmit": cbSubmitSet,
		"cbCreate": cbCreateSet, "submitPayment": submitPaySet, "lineAmount": lineAmountSet, "lines": linesSet,
		"note": noteSet, "resend": resendSet, "refund": refundSet}
	for name, s := range sets {
		for i, n := range s.names {
			// The names are keyed by their index constants: a gap would
			// leave an empty name.
			if n == "" {
				t.Errorf("%s: no name at index %d", name, i)
			}
			if got := s.index([]byte(n), jsonx.KeyHash(n)); got != i {
				t.Errorf("%s: index(%q) = %d; want %d", name, n, got, i)
			}
			// Same length, first, middle and last byte: same fingerprint,
			// another name.
			if len(n) >= 4 {
				b := []byte(n)
				b[1] ^= 0x20
				if string(b) != n && s.index(b, jsonx.KeyHash(string(b))) != -1 {
					t.Errorf("%s: %q is taken for a member", name, b)
				}
			}
			for _, other := range []string{"", n + "x", strings.ToUpper(n), n[:len(n)-1]} {
				if got := s.index([]byte(other), jsonx.KeyHash(other)); got >= 0 && s.names[got] != other {
					t.Errorf("%s: index(%q) = %d (%q)", name, other, got, s.names[got])
				}
			}
		}
	}
	// The create sets extend the submit sets, so one index serves both.
	for _, p := range [][2]*fieldSet{{newSubmitSet, newCreateSet}, {cbSubmitSet, cbCreateSet}} {
		for i, n := range p[0].names {
			if p[1].names[i] != n {
				t.Errorf("%v is not a prefix of %v", p[0].names, p[1].names)
			}
		}
	}
}

func TestFieldSetRefusesTwins(t *testing.T) {
	for _, names := range [][]string{
		{"abcd", "axcd"}, // one fingerprint: the set could not tell them apart
		strings.Fields(strings.Repeat("a ", maxFields+1)),
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("newFieldSet(%q) did not panic", names)
				}
			}()
			newFieldSet(names...)
		}()
	}
}

// TestMembersEscapedKeys: a member whose key is written with escapes is
// the same member, and an unknown escaped key is named unescaped.
func TestMembersEscapedKeys(t *testing.T) {
	d, err := jsonx.Parse([]byte(`{"s\u006ds":true,"em\u0061il":false,"f\u0061x":1}`))
	if err != nil {
		t.Fatal(err)
	}
	var c checker
	var f fields
	if !c.members(d.Root(), at("sendOrderBy"), true, sendSet, &f) {
		t.Fatal("members refused an object")
	}
	if b, _ := f[sendSMS].Bool(); !b || f[sendEmail].Kind() != jsonx.Bool {
		t.Errorf("escaped keys not placed: sms %v, email %v", f[sendSMS].Kind(), f[sendEmail].Kind())
	}
	if len(c.errs) != 1 || c.errs[0].Path != "sendOrderBy.fax" || c.errs[0].Rule != RuleUnknown {
		t.Errorf("errors = %+v; want one unknown sendOrderBy.fax", c.errs)
	}
}

// TestUnknownMembersEverywhere: every request body refuses a member it does
// not know, at the body and at its product lines, by path.
func TestUnknownMembersEverywhere(t *testing.T) {
	const uuid = "RES4161996022"
	line := `{"name":"Sokker","productId":null,"rate":"149.00","tax":"25","amount":"298.00","colour":"red"}`
	for _, tc := range []struct {
		name string
		err  error
		want []string
	}{
		{"charge", ValidateCharge(uuid, []byte(`{"products":[`+line+`],"grandTotal":"298.00","extra":1}`), Options{}),
			[]string{"extra", "products.0.colour"}},
		{"capture", ValidateCapture(uuid, []byte(`{"products":[{"id":1,"amount":"1.00","x":0}],"grandTotal":"1.00","extra":1}`)),
			[]string{"extra", "products.0.x"}},
		{"refund", ValidateRefund(uuid, []byte(`{"type":"reservation","products":[{"id":1,"amount":"1.00","x":0}],`+
			`"grandTotal":"1.00","source":"captured","reference":"CAP1","extra":1}`)), []string{"extra", "products.0.x"}},
		{"cancel", ValidateCancel(uuid, []byte(`{"note":"n","extra":1}`)), []string{"extra"}},
		{"resend", ValidateResend(uuid, []byte(`{"email":"kari@example.no","extra":1}`)), []string{"extra"}},
	} {
		var ve *ValidationError
		if !errors.As(tc.err, &ve) {
			t.Errorf("%s: %v; want a validation error", tc.name, tc.err)
			continue
		}
		var got []string
		for _, f := range ve.Fields {
			if f.Rule == RuleUnknown {
				got = append(got, f.Path)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: unknown members %q (all: %+v); want %q", tc.name, got, ve.Fields, tc.want)
		}
	}
}
