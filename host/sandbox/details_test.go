package sandbox

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/frontgate/frontgate/plugin/reservation"
)

// responsesDir holds the reference's response examples, byte for byte.
var responsesDir = filepath.Join("..", "..", "plugin", "reservation", "testdata", "responses")

func readResponse(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(responsesDir, name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// keysLike reports where got's object keys differ from want's, recursively
// (arrays: their first elements). Values are not compared.
func keysLike(path string, want, got any) []string {
	var diffs []string
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			if got == nil {
				return nil // nullable object (organizationDetails)
			}
			return []string{path + ": not an object"}
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				diffs = append(diffs, path+"."+k+": missing")
				continue
			}
			diffs = append(diffs, keysLike(path+"."+k, wv, gv)...)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				diffs = append(diffs, path+"."+k+": not in the reference")
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok {
			return []string{path + ": not an array"}
		}
		if len(w) > 0 && len(g) > 0 {
			diffs = append(diffs, keysLike(path+".0", w[0], g[0])...)
		}
	}
	return diffs
}

func TestDetailsShapeMatchesReference(t *testing.T) {
	f := newFixture(t)
	uuid, d := f.reserved(defaultLines, "")
	cp := f.mustCapture(uuid, la(d.Products[0].ID, amt(t, "500.00")))
	f.mustCharge(uuid, amt(t, "10.00"))
	f.mustRefund(uuid, "captured", cp.UUID, la(d.Products[0].ID, amt(t, "100.00")))

	var schema, got map[string]any
	if err := json.Unmarshal(readResponse(t, "details-200-schema.json"), &schema); err != nil {
		t.Fatal(err)
	}
	nr := order(t, defaultLines, "")
	nr.Customer.Type, nr.Customer.OrganizationID = reservation.CustomerCorporate, "987654321"
	corp := f.create(reservation.OpSubmit, nr)
	for _, id := range []string{uuid, corp.ReservationUUID} {
		resp := f.call("GET", "details/"+id, "")
		if err := json.Unmarshal(resp.Body, &got); err != nil {
			t.Fatal(err)
		}
		if diffs := keysLike("", schema, got); len(diffs) > 0 {
			t.Errorf("%s differs from the reference's schema:\n%q\n%s", id, diffs, resp.Body)
		}
	}
}

func TestDetailsContent(t *testing.T) {
	oslo := time.FixedZone("CEST", 2*3600)
	f := newFixture(t, func(c *Config) { c.Location = oslo })
	nr := order(t, defaultLines, "")
	nr.Customer.Type, nr.Customer.OrganizationID = reservation.CustomerCorporate, "987654321"
	nr.ReferenceNo, nr.ChargeValidity, nr.CustomerNotes = "ORD-42", "30", "Late check-in"
	c := f.create(reservation.OpSubmit, nr)
	d := f.details(c.ReservationUUID)
	if d.Organization == nil || d.Organization.Name != "Kari Nordmann" || d.Organization.BillingAddress.Address.City != "Oslo" {
		t.Errorf("organization %+v", d.Organization)
	}
	if d.ReservationDate != "03.09.2025 12:00" || d.PaymentLinkDue != "10.09.2025 12:00" {
		t.Errorf("dates %q %q", d.ReservationDate, d.PaymentLinkDue)
	}
	if d.ReferenceNumber != "ORD-42" || d.ChargeValidity != "30" || d.CustomerNotes != "Late check-in" || d.CustomerReference != "" {
		t.Errorf("texts %+v", d)
	}
	if d.Payment.ReservedAt != "" || d.Payment.Reserved != 0 || d.Products[0].Reserved != 0 {
		t.Errorf("not yet reserved: %+v %+v", d.Payment, d.Products[0])
	}
	if d.Products[1].Tax != 1500 || d.Products[1].Rate != amt(t, "149.95") || d.Products[1].Quantity != "3" || d.Products[1].Amount != amt(t, "449.85") {
		t.Errorf("line %+v", d.Products[1])
	}
	if d.Products[0].ID+1 != d.Products[1].ID || d.Customer.Email != "kari@example.no" || d.Customer.Address.Zip != "0155" {
		t.Errorf("ids and customer %+v", d)
	}
	if d.TranslationKey != "reservationSent" {
		t.Errorf("translation key %q", d.TranslationKey)
	}
	f.approve(c.ReservationUUID, "5555555555554444")
	d = f.details(c.ReservationUUID)
	if d.Payment.ReservedAt != "03.09.2025 12:00" || len(d.History.Reserved) != 1 || d.History.Reserved[0].Amount != amt(t, "2449.85") {
		t.Errorf("reserved %+v %+v", d.Payment, d.History)
	}
	if st, _ := f.sb.Inspect(c.ReservationUUID); st.CardBrand != "Mastercard" || st.CardLast4 != "4444" {
		t.Errorf("card %+v", st)
	}
	// Private customers have no organization.
	p := f.create(reservation.OpSubmit, order(t, defaultLines, ""))
	if d := f.details(p.ReservationUUID); d.Organization != nil {
		t.Errorf("private customer with organization %+v", d.Organization)
	}
}

var reDateTime = regexp.MustCompile(`^\d\d\.\d\d\.\d{4} \d\d:\d\d$`)

func TestHistory(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.Location = time.FixedZone("CET", 3600) })
	// One reservation through everything, one cancelled, one declined,
	// one expired.
	c := f.create(reservation.OpSubmit, order(t, defaultLines, ""))
	uuid := c.ReservationUUID
	f.approve(uuid, "")
	d := f.details(uuid)
	cp := f.mustCapture(uuid, la(d.Products[0].ID, amt(t, "2000.00")))
	ch := f.mustCharge(uuid, amt(t, "50.00"))
	f.mustRefund(uuid, "captured", cp.UUID, la(d.Products[0].ID, amt(t, "100.00")))
	f.mustRefund(uuid, "charged", ch.UUID, la(f.details(uuid).Products[2].ID, amt(t, "50.00")))
	f.mustAck("resend", "POST", uuid, `{"email":"other@example.no"}`)
	f.mustAck("complete", "POST", uuid, noteBody("all done"))
	cancelled := f.create(reservation.OpCreate, order(t, defaultLines, "")).ReservationUUID
	f.mustAck("cancel", "GET", cancelled, noteBody("changed plans"))
	declined := f.create(reservation.OpCreate, order(t, defaultLines, "")).ReservationUUID
	if out, err := f.sb.Approve(declined, "4000000000009995"); err != nil || out != OutcomeInsufficientFunds {
		t.Fatal(out, err)
	}
	nr := order(t, defaultLines, "")
	nr.DueDateForPaymentLink = t0.Add(time.Hour).Unix()
	expired := f.create(reservation.OpSubmit, nr).ReservationUUID
	f.sb.AdvanceClock(2 * time.Hour)

	evs, err := reservation.ParseHistory(f.call("GET", "history", ""))
	if err != nil {
		t.Fatal(err)
	}
	type ev struct{ uuid, title string }
	var got []ev
	for _, e := range evs {
		got = append(got, ev{e.UUID, e.Title})
		if !reDateTime.MatchString(e.DateTime) {
			t.Errorf("datetime %q", e.DateTime)
		}
	}
	want := []ev{
		{uuid, TitleSent}, {uuid, TitleReserved}, {uuid, TitleCaptured}, {uuid, TitleCharged},
		{uuid, TitleRefundCaptured}, {uuid, TitleRefundCharged}, {uuid, TitleResent}, {uuid, TitleCompleted},
		{cancelled, TitleCreated}, {cancelled, TitleCancelled}, {declined, TitleCreated}, {declined, TitleDeclined},
		{expired, TitleSent}, {expired, TitleExpired},
	}
	if !slices.Equal(got, want) {
		t.Errorf("events\n got %v\nwant %v", got, want)
	}
	byTitle := map[string]reservation.HistoryEvent{}
	for _, e := range evs {
		if e.UUID == uuid {
			byTitle[e.Title] = e
		}
	}
	if e := byTitle[TitleSent]; e.SentTo != "kari@example.no" || e.DateTime != "03.09.2025 11:00" || e.Amount != amt(t, "2449.85") {
		t.Errorf("sent %+v", e)
	}
	if e := byTitle[TitleCaptured]; !e.IsRefundable || e.PaymentMethod != "Visa" || e.Amount != amt(t, "2000.00") {
		t.Errorf("captured %+v", e)
	}
	if e := byTitle[TitleCharged]; e.IsRefundable {
		t.Errorf("fully refunded charge still refundable: %+v", e)
	}
	if e := byTitle[TitleResent]; e.SentTo != "other@example.no" {
		t.Errorf("resent %+v", e)
	}
	if e := byTitle[TitleCompleted]; e.Note != "all done" {
		t.Errorf("completed %+v", e)
	}
	if e := byTitle[TitleRefundCharged]; e.Amount != amt(t, "50.00") {
		t.Errorf("refund %+v", e)
	}
	if evs[len(evs)-1].DateTime != "03.09.2025 12:00" {
		t.Errorf("expiry at the due date: %+v", evs[len(evs)-1])
	}

	// The default window is the last 24 hours, both ends included.
	f.sb.AdvanceClock(22 * time.Hour) // t0 + 24 h
	if evs, _ := reservation.ParseHistory(f.call("GET", "history", "")); len(evs) != len(want) {
		t.Errorf("24 h later: %d events", len(evs))
	}
	f.sb.AdvanceClock(time.Second)
	if evs, _ := reservation.ParseHistory(f.call("GET", "history", "")); len(evs) != 1 || evs[0].Title != TitleExpired {
		t.Errorf("24 h and a second later: %+v", evs)
	}
	f.sb.AdvanceClock(time.Hour)
	if evs, err := reservation.ParseHistory(f.call("GET", "history", "")); err != nil || len(evs) != 0 {
		t.Errorf("25 h later: %d events, %v", len(evs), err)
	}
	// An explicit window, both ends included.
	start, end := strconv.FormatInt(t0.Unix(), 10), strconv.FormatInt(t0.Add(time.Hour).Unix(), 10)
	evs, err = reservation.ParseHistory(f.call("GET", "history/"+start+"/"+end, ""))
	if err != nil || len(evs) != len(want) { // the expiry, at t0+1h, included
		t.Errorf("window: %d events, %v", len(evs), err)
	}
	evs, _ = reservation.ParseHistory(f.call("GET", "history/"+start+"/"+start, ""))
	if len(evs) != len(want)-1 {
		t.Errorf("window of one second: %d events", len(evs))
	}
}
