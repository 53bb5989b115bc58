package demoshop

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

func homeData() map[string]any { return map[string]any{"Title": "Fjellbu", "Products": catalog} }

func (s *Shop) home(rq *request) {
	data := homeData()
	if p, ok := productBySKU(rq.r.URL.Query().Get("added")); ok {
		data["Added"] = p.Name
	}
	s.render(rq, "home.html", data)
}

func cartData(sess *session) map[string]any {
	lines := sess.cartLines()
	return map[string]any{"Title": "Handlekurv", "Lines": lines,
		"Total": total(lines), "VAT": vatBreakdown(lines), "FreeFrom": int64(freeShippingFrom)}
}

func (s *Shop) cartPage(rq *request) { s.render(rq, "cart.html", cartData(rq.sess)) }

// maxQuantity is the most of one product a cart holds.
const maxQuantity = 99

// quantityProblem is the message for a quantity outside 1–maxQuantity.
var quantityProblem = "Antall (qty) må være et helt tall fra 1 til " + strconv.Itoa(maxQuantity) + "."

func (s *Shop) cartAdd(rq *request) {
	p, ok := productBySKU(rq.r.PostForm.Get("sku"))
	if !ok {
		s.cartProblem(rq, "home.html", "Ukjent vare (sku): "+strconv.Quote(rq.r.PostForm.Get("sku"))+".")
		return
	}
	q := int64(1) // a form without a quantity adds one
	if raw, sent := rq.r.PostForm["qty"]; sent {
		var err error
		if q, err = strconv.ParseInt(strings.TrimSpace(raw[0]), 10, 64); err != nil || q < 1 || q > maxQuantity {
			s.cartProblem(rq, "home.html", quantityProblem)
			return
		}
	}
	rq.sess.mu.Lock()
	have := rq.sess.cart[p.SKU]
	if have+q > maxQuantity {
		rq.sess.mu.Unlock()
		s.cartProblem(rq, "home.html", "Handlekurven har plass til "+strconv.Itoa(maxQuantity)+" av hver vare; du har "+
			strconv.FormatInt(have, 10)+" "+p.Name+" der alt.")
		return
	}
	rq.sess.cart[p.SKU] = have + q
	rq.sess.mu.Unlock()
	s.redirect(rq, "/?added="+url.QueryEscape(p.SKU))
}

func (s *Shop) cartUpdate(rq *request) {
	sku := rq.r.PostForm.Get("sku")
	if rq.r.PostForm.Get("op") == "remove" {
		rq.sess.mu.Lock()
		delete(rq.sess.cart, sku)
		rq.sess.mu.Unlock()
		s.redirect(rq, "/cart")
		return
	}
	if _, ok := productBySKU(sku); !ok {
		s.cartProblem(rq, "cart.html", "Ukjent vare (sku): "+strconv.Quote(sku)+".")
		return
	}
	// 0 removes the line, as the cart's number field allows.
	q, err := strconv.ParseInt(strings.TrimSpace(rq.r.PostForm.Get("qty")), 10, 64)
	if err != nil || q < 0 || q > maxQuantity {
		s.cartProblem(rq, "cart.html", "Antall (qty) må være et helt tall fra 0 (fjern) til "+strconv.Itoa(maxQuantity)+".")
		return
	}
	rq.sess.mu.Lock()
	if q == 0 {
		delete(rq.sess.cart, sku)
	} else {
		rq.sess.cart[sku] = q
	}
	rq.sess.mu.Unlock()
	s.redirect(rq, "/cart")
}

// cartProblem answers a cart form it refuses: 400, the page the form was on
// with the reason, and the cart as it was.
func (s *Shop) cartProblem(rq *request, page, problem string) {
	data := homeData()
	if page == "cart.html" {
		data = cartData(rq.sess)
	}
	data["Problem"] = problem
	s.renderStatus(rq, http.StatusBadRequest, page, data)
}

// formFields maps the checkout form's inputs to the JSON paths of the
// order the sidecar (and, in the browser, frontgate.wasm) validates, so an
// error's path finds its input. checkout.js has the same table in
// data-path attributes.
var formFields = []struct{ Name, Path string }{
	{"type", "order.customer.type"},
	{"name", "order.customer.name"},
	{"organizationId", "order.customer.organizationId"},
	{"email", "order.customer.email"},
	{"countryCode", "order.customer.countryCode"},
	{"msisdn", "order.customer.msisdn"},
	{"street", "order.customer.address.street"},
	{"zip", "order.customer.address.zip"},
	{"city", "order.customer.address.city"},
	{"country", "order.customer.address.country"},
}

func customerFromForm(f url.Values) customerInfo {
	get := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	nospace := func(k string) string { return strings.Join(strings.Fields(f.Get(k)), "") }
	c := customerInfo{Type: get("type"), Name: get("name"), Email: get("email"), CountryCode: nospace("countryCode"),
		MSISDN: nospace("msisdn"), Street: get("street"), Zip: nospace("zip"), City: get("city"), Country: strings.ToUpper(get("country"))}
	if c.Type != "corporate" {
		c.Type = "private"
	} else {
		c.OrganizationID = nospace("organizationId")
	}
	return c
}

// orderJSON is the shop-neutral order frontgate takes (the sidecar's
// order schema). checkout.js builds the same object in the browser.
func orderJSON(c customerInfo, lines []orderLine, reference string) map[string]any {
	cu := map[string]any{"type": c.Type, "name": c.Name, "email": c.Email, "countryCode": c.CountryCode, "msisdn": c.MSISDN,
		"address": map[string]any{"street": c.Street, "zip": c.Zip, "city": c.City, "country": c.Country}}
	if c.Type == "corporate" {
		cu["organizationId"] = c.OrganizationID
	}
	o := map[string]any{"customer": cu, "lines": lines}
	if reference != "" {
		o["reference"] = reference
	}
	return o
}

func (s *Shop) checkoutPage(rq *request) {
	lines := rq.sess.cartLines()
	if len(lines) == 0 {
		s.redirect(rq, "/cart")
		return
	}
	s.renderCheckout(rq, lines, customerInfo{Type: "private", CountryCode: "+47", Country: "NO"}, nil, "")
}

func (s *Shop) renderCheckout(rq *request, lines []orderLine, c customerInfo, fields []fieldError, problem string) {
	errs := map[string]string{}
	var other []string
	for _, f := range fields {
		matched := false
		for _, ff := range formFields {
			if f.Path == ff.Path {
				if errs[ff.Name] == "" {
					errs[ff.Name] = f.Message
				}
				matched = true
			}
		}
		switch {
		case matched:
		case f.Path == "": // about the request as a whole
			other = append(other, f.Message)
		default:
			other = append(other, f.Path+": "+f.Message)
		}
	}
	linesJSON, _ := json.Marshal(lines)
	s.render(rq, "checkout.html", map[string]any{"Title": "Kasse", "Lines": lines, "Total": total(lines),
		"VAT": vatBreakdown(lines), "C": c, "Errors": errs, "Other": other, "Problem": problem,
		"LinesJSON": string(linesJSON)})
}

func (s *Shop) checkoutSubmit(rq *request) {
	lines := rq.sess.cartLines()
	if len(lines) == 0 {
		s.redirect(rq, "/cart")
		return
	}
	c := customerFromForm(rq.r.PostForm)
	base := s.baseURL(rq.r)
	sum := sha256.New()
	_ = json.NewEncoder(sum).Encode([]any{c, lines, base})
	hash := hex.EncodeToString(sum.Sum(nil))[:16]

	// One order per submission: the same submission again reuses the
	// order and its Idempotency-Key, so a double click makes one
	// reservation. A changed one gets a new order unless the last attempt
	// never reached FrontGo (it was refused as invalid).
	rq.sess.mu.Lock()
	id := rq.sess.pendingOrder
	if id != "" && rq.sess.pendingHash != hash {
		if o, ok := s.orders.get(id); ok && o.CheckoutID != "" {
			id = ""
		}
	}
	if id == "" {
		id = s.orders.nextID()
	}
	rq.sess.pendingOrder, rq.sess.pendingHash = id, hash
	rq.sess.mu.Unlock()

	req := map[string]any{
		"mode":    "session",
		"orderId": id,
		"order":   orderJSON(c, lines, id),
		"returnUrls": map[string]string{
			"success": base + "/checkout/success?order=" + url.QueryEscape(id),
			"failure": base + "/checkout/failure?order=" + url.QueryEscape(id),
		},
	}
	ctx, cancel := context.WithTimeout(rq.r.Context(), 25*time.Second)
	defer cancel()
	chk, err := s.api.createCheckout(ctx, "fjellbu-"+id+"-"+hash, req)
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.Status == 422 {
			s.renderCheckout(rq, lines, c, ae.Fields, "")
			return
		}
		s.log.Error("creating checkout failed", "order", id, "err", err)
		problem := "The payment service is not available right now. Please try again in a moment."
		if errors.As(err, &ae) {
			problem = ae.Plain()
		}
		s.renderCheckout(rq, lines, c, nil, problem)
		return
	}
	o := &order{ID: id, session: rq.sess.id, Created: time.Now().UTC(), Customer: c, Lines: lines, Total: total(lines),
		CheckoutID: chk.CheckoutID, ReservationUUID: chk.ReservationUUID, RedirectURL: chk.RedirectURL}
	o.setStatus(chk.Status, "checkout", o.Created, nil)
	s.orders.put(o)
	s.orders.linkCheckout(id, chk.CheckoutID)
	s.log.Info("checkout created", "order", id, "checkout", chk.CheckoutID, "reservation", chk.ReservationUUID)
	s.redirect(rq, chk.RedirectURL)
}

// returnPage is where the sidecar sends the shopper back. The status in
// the query is only a hint: the page asks the sidecar for the checkout's
// confirmed status, and the order's status may also have been set by an
// event already.
func (s *Shop) returnPage(rq *request, success bool) {
	q := rq.r.URL.Query()
	id := q.Get("order")
	o, ok := s.orders.get(id)
	if !ok || o.CheckoutID == "" || o.CheckoutID != q.Get("frontgate_checkout") {
		s.render(rq, "message.html", map[string]any{"Title": "Order not found",
			"Text": "We could not find this order. If you paid, you will hear from us by e-mail."})
		return
	}
	ctx, cancel := context.WithTimeout(rq.r.Context(), 10*time.Second)
	defer cancel()
	s.confirm(ctx, id)
	if !success {
		s.orders.update(id, func(o *order) {
			if rank(o.Status) < rank("RESERVED") {
				o.Declined = true
			}
		})
	}
	o, _ = s.orders.get(id)
	mine := o.session == rq.sess.id
	closed := o.Status == "CANCELLED" || o.Status == "EXPIRED" // final: nothing left to wait for
	paid := rank(o.Status) >= rank("RESERVED") && !closed
	if mine && paid {
		rq.sess.mu.Lock()
		clear(rq.sess.cart)
		rq.sess.pendingOrder, rq.sess.pendingHash = "", ""
		rq.sess.mu.Unlock()
	}
	page := "failure.html"
	title := "Betalingen ble ikke fullført"
	if paid {
		page, title = "success.html", "Takk for handelen!"
	}
	s.render(rq, page, map[string]any{"Title": title, "O": o, "Mine": mine, "VAT": vatBreakdown(o.Lines),
		"Hint": q.Get("frontgate_status"), "Waiting": !paid && !closed && success})
}

// orderStatus lets the shopper's success page wait for a confirmation.
func (s *Shop) orderStatus(rq *request, id string) {
	o, ok := s.orders.get(id)
	if !ok || o.session != rq.sess.id {
		rq.w.WriteHeader(404)
		return
	}
	rq.w.Header().Set("Content-Type", "application/json")
	rq.w.Header().Set("Cache-Control", "no-store")
	b, _ := json.Marshal(statusJSON{o.ID, o.Status, o.Version})
	_, _ = rq.w.Write(b)
}
