package demoshop

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// orderView is an order as the back office shows it.
type orderView struct {
	order
	Rows        []productRow
	Refundables []refundable
	Nonce       string // for the Idempotency-Key of this render's forms
	Paid        bool
	// CanCapture: only a RESERVED reservation has anything to capture (the
	// first capture releases the rest). CanCharge: charging before the
	// capture would leave the reservation neither capturable nor
	// cancellable (FrontGo's status rules), so the shop charges after it.
	CanCapture, CanCharge bool
}

// productRow is a reservation line: what was reserved, captured, charged.
type productRow struct {
	ID        int64
	Name      string
	Quantity  string
	Rate      int64
	TaxRate   string
	Amount    int64
	Reserved  int64
	Captured  int64
	Remaining int64 // reserved and not yet captured
	Charged   bool  // a line added by a charge
}

// refundable is a capture or charge a refund can name, with its lines.
type refundable struct {
	Kind      string // captured or charged (the refund's source)
	Reference string
	Amount    int64
	Refunded  int64
	Lines     []txnLine
}

func viewOf(o order) orderView {
	v := orderView{order: o, Nonce: randomToken()[:16]}
	v.Paid = rank(o.Status) >= rank("RESERVED")
	v.CanCapture = o.Status == "RESERVED"
	switch o.Status {
	case "CAPTURED", "CHARGED", "PARTIAL REFUNDED", "REFUNDED":
		v.CanCharge = true
	}
	if o.Details == nil {
		return v
	}
	for _, p := range o.Details.Products {
		row := productRow{ID: p.ID, Name: p.Name, Quantity: p.Quantity, Rate: p.Rate,
			TaxRate: strings.Trim(string(p.TaxRate), `"`), Amount: p.Amount, Reserved: p.Reserved, Captured: p.Captured,
			Charged: p.Reserved == 0}
		if v.CanCapture {
			row.Remaining = max(p.Reserved-p.Captured, 0)
		}
		v.Rows = append(v.Rows, row)
	}
	add := func(kind string, evs []paymentEvent) {
		for _, e := range evs {
			r := refundable{Kind: kind, Reference: e.Reference, Amount: e.Amount, Refunded: e.Refunded}
			for _, t := range o.Txns {
				if t.Reference == e.Reference {
					r.Lines = t.Lines
				}
			}
			if r.Lines == nil { // made elsewhere (curl, another tool): offer the lines it can concern
				for _, row := range v.Rows {
					if (kind == "captured" && row.Captured > 0) || (kind == "charged" && row.Charged) {
						r.Lines = append(r.Lines, txnLine{ID: row.ID, Name: row.Name, Amount: max(row.Captured, row.Amount)})
					}
				}
			}
			v.Refundables = append(v.Refundables, r)
		}
	}
	add("captured", o.Details.History.Captured)
	add("charged", o.Details.History.Charged)
	return v
}

func (s *Shop) ordersPage(rq *request) {
	orders := s.orders.list()
	views := make([]orderView, len(orders))
	for i, o := range orders {
		views[i] = viewOf(o)
	}
	s.render(rq, "orders.html", map[string]any{"Title": "Ordrer (back office)", "Orders": views})
}

func (s *Shop) ordersStatus(rq *request) {
	rq.w.Header().Set("Content-Type", "application/json")
	rq.w.Header().Set("Cache-Control", "no-store")
	_, _ = rq.w.Write(marshalStatuses(s.orders.list()))
}

// backOffice runs one operation on an order's reservation through the
// sidecar, records what happened on the order, and reads the reservation's
// details back.
func (s *Shop) backOffice(rq *request, id, op string) {
	o, ok := s.orders.get(id)
	if !ok || o.ReservationUUID == "" {
		s.redirect(rq, "/admin/orders")
		return
	}
	back := "/admin/orders#order-" + url.PathEscape(id)
	ctx, cancel := context.WithTimeout(rq.r.Context(), 25*time.Second)
	defer cancel()
	if op == "refresh" {
		if err := s.refresh(ctx, id); err != nil {
			s.outcome(id, "refresh", nil, err)
		}
		s.redirect(rq, back)
		return
	}
	f := rq.r.PostForm
	nonce := f.Get("nonce")
	if nonce == "" || len(nonce) > 64 {
		nonce = randomToken()
	}
	key := "fjellbu-" + id + "-" + op + "-" + nonce
	before := o.Details
	if before == nil {
		if d, _, err := s.api.details(ctx, o.ReservationUUID); err == nil {
			before = d
		}
	}
	body, txn, err := requestFor(op, f, o, before)
	if err != nil {
		s.outcome(id, op, nil, err)
		s.redirect(rq, back)
		return
	}
	res, err := s.api.operate(ctx, o.ReservationUUID, op, key, body)
	if err != nil {
		s.log.Info("back-office operation refused", "order", id, "op", op, "err", err)
		s.outcome(id, op, nil, err)
		s.redirect(rq, back)
		return
	}
	if err := s.refresh(ctx, id); err != nil {
		s.log.Warn("reading details after an operation failed", "order", id, "op", op, "err", err)
	}
	after, _ := s.orders.get(id)
	replayed := false
	if txn != nil && res.UUID != "" {
		for _, t := range after.Txns {
			if t.Reference == res.UUID { // the same form sent twice: the sidecar replayed the first answer
				prev := t
				txn, replayed = &prev, true
				break
			}
		}
	}
	if txn != nil && res.UUID != "" && !replayed {
		txn.Reference = res.UUID
		if op == "charge" && after.Details != nil && before != nil { // the charged lines are the new ones
			known := map[int64]bool{}
			for _, p := range before.Products {
				known[p.ID] = true
			}
			txn.Lines = nil
			for _, p := range after.Details.Products {
				if !known[p.ID] {
					txn.Lines = append(txn.Lines, txnLine{ID: p.ID, Name: p.Name, Amount: p.Amount})
				}
			}
		}
		s.orders.update(id, func(o *order) { o.Txns = append(o.Txns, *txn) })
	}
	s.outcome(id, op, &successText{op: op, res: res, txn: txn, body: body, replayed: replayed}, nil)
	s.redirect(rq, back)
}

type successText struct {
	op       string
	res      *transaction
	txn      *txnRecord
	body     map[string]any
	replayed bool // the answer to an earlier, identical request
}

func (t *successText) String() string {
	sum := func(ls []txnLine) int64 {
		var n int64
		for _, l := range ls {
			n += l.Amount
		}
		return n
	}
	again := ""
	if t.replayed {
		again = ", once: this form was sent before"
	}
	switch t.op {
	case "capture":
		return fmt.Sprintf("Captured %s (%s%s)", kr(sum(t.txn.Lines)), t.res.UUID, again)
	case "charge":
		return fmt.Sprintf("Charged %s (%s%s)", kr(sum(t.txn.Lines)), t.res.UUID, again)
	case "refund":
		var n int64
		for _, l := range t.body["lines"].([]map[string]int64) {
			n += l["amount"]
		}
		return fmt.Sprintf("Refunded %s from %s", kr(n), t.body["reference"])
	case "cancel":
		return "Reservation cancelled"
	case "complete":
		return "Reservation completed"
	case "resend":
		if e, ok := t.body["email"]; ok {
			return fmt.Sprintf("Payment link sent to %s", e)
		}
		return fmt.Sprintf("Payment link sent by SMS to %s %s", t.body["countryCode"], t.body["msisdn"])
	}
	return t.op + ": done"
}

func (s *Shop) outcome(id, op string, ok *successText, err error) {
	out := &outcome{At: time.Now().UTC(), Action: op}
	if err == nil {
		out.OK, out.Text = true, ok.String()
	} else {
		var ae *apiError
		switch {
		case errors.As(err, &ae) && len(ae.Fields) > 0: // the list shows each field
			out.Text, out.Fields = fmt.Sprintf("Invalid (%d): FrontGo's rules refuse this request:", ae.Status), ae.Fields
		case errors.As(err, &ae):
			out.Text = ae.Plain()
		default:
			out.Text = err.Error()
		}
	}
	s.orders.update(id, func(o *order) { o.Last = out })
}

// formError is a back-office form the shop refuses before calling the
// sidecar (an amount that is not an amount).
type formError string

func (e formError) Error() string { return string(e) }

// requestFor turns a back-office form into the sidecar's request body for
// op, and for captures and charges the transaction to record.
func requestFor(op string, f url.Values, o order, d *reservationDetails) (map[string]any, *txnRecord, error) {
	names := map[int64]string{}
	if d != nil {
		for _, p := range d.Products {
			names[p.ID] = p.Name
		}
	}
	// lineAmounts reads amount_<line id> fields; empty ones are skipped.
	lineAmounts := func() ([]map[string]int64, []txnLine, error) {
		var lines []map[string]int64
		var tl []txnLine
		for k, vs := range f {
			idText, ok := strings.CutPrefix(k, "amount_")
			if !ok || strings.TrimSpace(vs[0]) == "" {
				continue
			}
			lid, err := strconv.ParseInt(idText, 10, 64)
			if err != nil {
				return nil, nil, formError("unknown line " + idText)
			}
			a, err := parseKr(vs[0])
			if err != nil {
				return nil, nil, formError(fmt.Sprintf("line %d (%s): %v", lid, names[lid], err))
			}
			lines = append(lines, map[string]int64{"id": lid, "amount": a})
			tl = append(tl, txnLine{ID: lid, Name: names[lid], Amount: a})
		}
		if len(lines) == 0 {
			return nil, nil, formError("enter an amount on at least one line")
		}
		// Map order is random; keep the request stable for idempotency.
		for i := 1; i < len(lines); i++ {
			for j := i; j > 0 && lines[j]["id"] < lines[j-1]["id"]; j-- {
				lines[j], lines[j-1] = lines[j-1], lines[j]
				tl[j], tl[j-1] = tl[j-1], tl[j]
			}
		}
		return lines, tl, nil
	}
	switch op {
	case "capture":
		if f.Get("mode") == "full" {
			// The sidecar captures everything still reserved; remember
			// which lines that is, for refunds.
			t := &txnRecord{Kind: "capture"}
			if d != nil {
				for _, p := range d.Products {
					if left := p.Reserved - p.Captured; left > 0 {
						t.Lines = append(t.Lines, txnLine{ID: p.ID, Name: p.Name, Amount: left})
					}
				}
			}
			return map[string]any{}, t, nil
		}
		lines, tl, err := lineAmounts()
		if err != nil {
			return nil, nil, err
		}
		return map[string]any{"lines": lines}, &txnRecord{Kind: "capture", Lines: tl}, nil
	case "charge":
		name := strings.TrimSpace(f.Get("name"))
		a, err := parseKr(f.Get("amount"))
		if err != nil {
			return nil, nil, formError("charge amount: " + err.Error())
		}
		rate, err := strconv.ParseFloat(f.Get("taxRate"), 64)
		if err != nil {
			return nil, nil, formError("charge VAT rate: choose one")
		}
		line := map[string]any{"name": name, "sku": "TILLEGG", "unitPrice": a, "quantity": 1, "taxRate": rate}
		return map[string]any{"lines": []any{line}}, &txnRecord{Kind: "charge", Lines: []txnLine{{Name: name, Amount: a}}}, nil
	case "refund":
		lines, _, err := lineAmounts()
		if err != nil {
			return nil, nil, err
		}
		return map[string]any{"lines": lines, "source": f.Get("source"), "reference": f.Get("reference")}, nil, nil
	case "cancel", "complete":
		// FrontGo requires a note on both; the form suggests one.
		return map[string]any{"note": strings.TrimSpace(f.Get("note"))}, nil, nil
	case "resend":
		if f.Get("via") == "sms" {
			return map[string]any{"countryCode": o.Customer.CountryCode, "msisdn": o.Customer.MSISDN}, nil, nil
		}
		email := strings.TrimSpace(f.Get("email"))
		if email == "" {
			email = o.Customer.Email
		}
		return map[string]any{"email": email}, nil, nil
	}
	return nil, nil, formError("unknown action " + op)
}
