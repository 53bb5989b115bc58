package sandbox

import (
	_ "embed"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/frontgate/frontgate/plugin/money"
	"github.com/frontgate/frontgate/plugin/reservation"
	"github.com/frontgate/frontgate/plugin/status"
)

// CheckoutPath is where a reservation's hosted checkout page lives:
// checkoutUrl and paymentUrl are CheckoutPath + the RES… identifier.
const CheckoutPath = "/checkout/"

// Outcome is what paying with a card led to.
type Outcome string

// The outcomes of the test cards.
const (
	OutcomeApproved          Outcome = "approved"
	OutcomeDeclined          Outcome = "declined"
	OutcomeInsufficientFunds Outcome = "insufficient_funds"
	OutcomeExpiredCard       Outcome = "expired_card"
	OutcomeProcessingError   Outcome = "processing_error"
	OutcomeUnsupportedCard   Outcome = "unsupported_card"
	// OutcomeChallenge: the card asks for 3-D Secure; the reservation is
	// RESERVED NOT PAID until the challenge is passed (RESERVED); after a
	// failed one it stays RESERVED NOT PAID and takes another card. See
	// Challenge.
	OutcomeChallenge Outcome = "challenge"
)

// TestCard is a card number the checkout page knows, and what it does.
type TestCard struct {
	Number      string  `json:"number"`
	Brand       string  `json:"brand"`
	Outcome     Outcome `json:"outcome"`
	Description string  `json:"description"`
}

// TestCards lists the cards with a fixed outcome. Any other number that
// passes the Luhn check is approved if it is a Visa (4…) or Mastercard
// (51–55, 2221–2720) and refused as unsupported otherwise: FrontGo takes
// those two brands only.
var TestCards = []TestCard{
	{"4111111111111111", "Visa", OutcomeApproved, "approved"},
	{"5555555555554444", "Mastercard", OutcomeApproved, "approved"},
	{"4000000000003220", "Visa", OutcomeChallenge, "3-D Secure challenge, then approved or declined"},
	{"4000000000000002", "Visa", OutcomeDeclined, "declined by the issuer"},
	{"4000000000009995", "Visa", OutcomeInsufficientFunds, "declined: insufficient funds"},
	{"4000000000000069", "Visa", OutcomeExpiredCard, "declined: expired card"},
	{"4000000000000119", "Visa", OutcomeProcessingError, "declined: processing error"},
	{"378282246310005", "American Express", OutcomeUnsupportedCard, "refused: brand not accepted"},
}

// Card numbers for Approve and Decline.
const (
	CardApprove   = "4111111111111111"
	CardDecline   = "4000000000000002"
	CardChallenge = "4000000000003220"
)

// Errors of Approve, Decline and Challenge (and of the control plane).
var (
	ErrNotFound    = errors.New("sandbox: no such reservation")
	ErrNotPayable  = errors.New("sandbox: reservation is not awaiting payment")
	ErrInvalidCard = errors.New("sandbox: card number fails the Luhn check")
)

// normalizeCard strips spaces and dashes.
func normalizeCard(n string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, n)
}

// luhn reports whether n is 12 to 19 digits with a valid check digit.
func luhn(n string) bool {
	if len(n) < 12 || len(n) > 19 {
		return false
	}
	sum := 0
	for i := 0; i < len(n); i++ {
		c := n[len(n)-1-i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// cardOutcome decides what a card number does, and its brand.
func cardOutcome(n string) (Outcome, string, error) {
	if !luhn(n) {
		return "", "", ErrInvalidCard
	}
	for _, c := range TestCards {
		if c.Number == n {
			return c.Outcome, c.Brand, nil
		}
	}
	switch {
	case n[0] == '4':
		return OutcomeApproved, "Visa", nil
	case n[0] == '5' && n[1] >= '1' && n[1] <= '5':
		return OutcomeApproved, "Mastercard", nil
	case n[0] == '2':
		if p, _ := strconv.Atoi(n[:4]); p >= 2221 && p <= 2720 {
			return OutcomeApproved, "Mastercard", nil
		}
	}
	return OutcomeUnsupportedCard, "", nil
}

// payResult is what the checkout page needs after a payment attempt.
type payResult struct {
	outcome  Outcome
	op       string
	success  string
	failure  string
	declined string // why, for people
}

var declineReasons = map[Outcome]string{
	OutcomeDeclined:          "The card was declined by its issuer.",
	OutcomeInsufficientFunds: "The card was declined: insufficient funds.",
	OutcomeExpiredCard:       "The card was declined: it has expired.",
	OutcomeProcessingError:   "The payment could not be processed. Please try again.",
	OutcomeUnsupportedCard:   "This card brand is not accepted. Use Visa or Mastercard.",
}

// pay runs a card payment on a reservation awaiting payment.
func (s *Sandbox) pay(uuid, number string, expired bool) (payResult, error) {
	number = normalizeCard(number)
	outcome, brand, err := cardOutcome(number)
	if err != nil {
		return payResult{}, err
	}
	if expired && outcome != OutcomeUnsupportedCard {
		outcome = OutcomeExpiredCard
	}
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.lookup(uuid, now)
	if r == nil {
		return payResult{}, ErrNotFound
	}
	if !awaitingCard(r) {
		return payResult{}, errors.Join(ErrNotPayable, errors.New("status is "+r.Status.String()))
	}
	res := payResult{outcome: outcome, op: r.Op, success: r.SuccessURL, failure: r.FailureURL}
	c := &card{Brand: brand, Last4: number[len(number)-4:]}
	switch outcome {
	case OutcomeApproved:
		s.reserve(r, c, now)
	case OutcomeChallenge:
		r.Status = status.ReservedNotPaid
		r.Pending = c
	default:
		res.declined = declineReasons[outcome]
		s.store.addEvent(&event{UUID: r.UUID, Title: TitleDeclined, At: now, PaymentMethod: brand, Note: string(outcome)})
	}
	return res, nil
}

// challenge completes a pending 3-D Secure challenge.
func (s *Sandbox) challenge(uuid string, pass bool) (payResult, error) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.lookup(uuid, now)
	if r == nil {
		return payResult{}, ErrNotFound
	}
	if r.Status != status.ReservedNotPaid || r.Pending == nil {
		return payResult{}, errors.Join(ErrNotPayable, errors.New("no challenge pending; status is "+r.Status.String()))
	}
	res := payResult{outcome: OutcomeApproved, op: r.Op, success: r.SuccessURL, failure: r.FailureURL}
	if pass {
		s.reserve(r, r.Pending, now)
		return res, nil
	}
	res.outcome, res.declined = OutcomeDeclined, "3-D Secure authentication failed."
	s.store.addEvent(&event{UUID: r.UUID, Title: TitleDeclined, At: now, PaymentMethod: r.Pending.Brand, Note: "challenge_failed"})
	// The reservation stays RESERVED NOT PAID, never back to SENT (the
	// status machine has no such step, and every adapter ranks SENT below
	// it): the shopper may pay again with another card.
	r.Pending = nil
	return res, nil
}

// awaitingCard says whether r takes a card: SENT, or RESERVED NOT PAID
// after a failed 3-D Secure challenge (no challenge pending).
func awaitingCard(r *resv) bool {
	return r.Status == status.Sent || (r.Status == status.ReservedNotPaid && r.Pending == nil)
}

// Approve pays a reservation awaiting payment with cardNumber (CardApprove
// when empty), as a shopper on the checkout page would, without the
// browser: an approving card reserves the amount and sends the Reserved
// callback; a declining one leaves the reservation SENT; the challenge card
// leaves it RESERVED NOT PAID until Challenge. A decline is an Outcome, not
// an error; errors are ErrNotFound, ErrNotPayable and ErrInvalidCard.
func (s *Sandbox) Approve(uuid, cardNumber string) (Outcome, error) {
	if cardNumber == "" {
		cardNumber = CardApprove
	}
	res, err := s.pay(uuid, cardNumber, false)
	return res.outcome, err
}

// Decline pays with the generic declining card (CardDecline).
func (s *Sandbox) Decline(uuid string) (Outcome, error) {
	res, err := s.pay(uuid, CardDecline, false)
	return res.outcome, err
}

// Challenge passes or fails the pending 3-D Secure challenge of a
// reservation paid with CardChallenge.
func (s *Sandbox) Challenge(uuid string, pass bool) (Outcome, error) {
	res, err := s.challenge(uuid, pass)
	return res.outcome, err
}

//go:embed checkout.html
var checkoutHTML string

var checkoutTmpl = template.Must(template.New("checkout").Parse(checkoutHTML))

// page is what the checkout template shows.
type page struct {
	Kind     string // pay, challenge, done, failed, gone, notfound, invalid
	UUID     string
	Action   string
	Customer string
	Lines    []pageLine
	Total    string
	Tax      string
	Due      string
	Method   string
	Status   string
	Message  string
	Error    string
	Link     string
	Number   string
	Exp      string
	CVC      string
	Holder   string
	Cards    []TestCard
}

type pageLine struct {
	Name, Quantity, Rate, Amount string
}

func nok(a money.Amount) string { return "NOK " + a.String() }

// pageFor describes reservation uuid for the page.
func (s *Sandbox) pageFor(uuid string) (page, int) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.lookup(uuid, now)
	if r == nil {
		return page{Kind: "notfound", Message: "There is no reservation " + uuid + "."}, http.StatusNotFound
	}
	p := page{
		UUID: r.UUID, Action: CheckoutPath + r.UUID, Customer: r.Customer.Name,
		Total: nok(r.GrandTotal), Tax: nok(r.TotalTax), Due: s.fmtTime(r.Due),
		Method: r.PaymentMethod, Status: r.Status.String(), Cards: TestCards,
		Exp: "12/" + strconv.Itoa(now.Year()%100+3), CVC: "123", Holder: r.Customer.Name,
	}
	if p.Method == "" {
		p.Method = reservation.DefaultPaymentMethod
	}
	for _, l := range r.Lines {
		if l.Charge != "" {
			continue
		}
		p.Lines = append(p.Lines, pageLine{l.Name, string(quantity(l)), nok(l.Rate), nok(l.Amount)})
	}
	switch {
	case awaitingCard(r):
		p.Kind = "pay"
	case r.Status == status.ReservedNotPaid:
		p.Kind = "challenge"
	case r.Status == status.Expired:
		p.Kind, p.Message = "gone", "This payment link expired on "+p.Due+"."
		return p, http.StatusGone
	case r.Status == status.Cancelled:
		p.Kind, p.Message = "gone", "The merchant cancelled this reservation."
		return p, http.StatusGone
	default:
		p.Kind, p.Message = "done", "This reservation is paid."
		if r.Op == reservation.OpCreate && r.SuccessURL != "" {
			p.Link = r.SuccessURL
		}
	}
	return p, http.StatusOK
}

func (s *Sandbox) render(w http.ResponseWriter, p page, code int) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	// No external assets; inline styles only. form-action is left open:
	// browsers apply it to the redirect to the merchant's pages.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(code)
	_ = checkoutTmpl.Execute(w, p)
}

// handleCheckout serves the hosted checkout page: GET shows it, POST pays
// (action=pay) or answers the 3-D Secure challenge (action=challenge-pass
// or challenge-fail).
func (s *Sandbox) handleCheckout(w http.ResponseWriter, r *http.Request) {
	uuid := r.PathValue("uuid")
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		p, code := s.pageFor(uuid)
		s.render(w, p, code)
		return
	case http.MethodPost:
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	var res payResult
	var err error
	switch r.PostForm.Get("action") {
	case "challenge-pass", "challenge-fail":
		res, err = s.challenge(uuid, r.PostForm.Get("action") == "challenge-pass")
	default:
		number := normalizeCard(r.PostForm.Get("number"))
		expired, ferr := checkForm(r.PostForm.Get("exp"), r.PostForm.Get("cvc"), s.Now())
		if ferr == "" && !luhn(number) {
			ferr = "Enter a valid card number (see the test cards below)."
		}
		if ferr != "" {
			p, code := s.pageFor(uuid)
			if p.Kind == "pay" {
				p.Error, code = ferr, http.StatusUnprocessableEntity
				p.Number, p.Exp, p.CVC, p.Holder = r.PostForm.Get("number"), r.PostForm.Get("exp"), r.PostForm.Get("cvc"), r.PostForm.Get("holder")
			}
			s.render(w, p, code)
			return
		}
		res, err = s.pay(uuid, number, expired)
	}
	if err != nil {
		p, code := s.pageFor(uuid)
		if code == http.StatusOK && errors.Is(err, ErrNotPayable) {
			code = http.StatusConflict
		}
		s.render(w, p, code)
		return
	}
	switch res.outcome {
	case OutcomeApproved:
		if res.op == reservation.OpCreate && res.success != "" {
			http.Redirect(w, r, res.success, http.StatusSeeOther)
			return
		}
		p, _ := s.pageFor(uuid)
		p.Kind, p.Message = "done", "Payment approved: the amount is reserved on your card."
		s.render(w, p, http.StatusOK)
	case OutcomeChallenge:
		p, code := s.pageFor(uuid)
		s.render(w, p, code)
	default:
		if res.op == reservation.OpCreate && res.failure != "" {
			http.Redirect(w, r, res.failure, http.StatusSeeOther)
			return
		}
		p, _ := s.pageFor(uuid)
		p.Kind, p.Message, p.Link = "failed", res.declined, CheckoutPath+uuid
		s.render(w, p, http.StatusPaymentRequired)
	}
}

// checkForm checks the expiry (MM/YY) and CVC (3 or 4 digits) fields. It
// returns whether the card has expired by the sandbox clock, or a message.
func checkForm(exp, cvc string, now time.Time) (expired bool, msg string) {
	exp = strings.TrimSpace(exp)
	mm, yy, ok := strings.Cut(exp, "/")
	m, err1 := strconv.Atoi(strings.TrimSpace(mm))
	y, err2 := strconv.Atoi(strings.TrimSpace(yy))
	if !ok || err1 != nil || err2 != nil || m < 1 || m > 12 || y < 0 || y > 99 {
		return false, "Enter the expiry date as MM/YY."
	}
	cvc = strings.TrimSpace(cvc)
	if len(cvc) < 3 || len(cvc) > 4 || strings.Trim(cvc, "0123456789") != "" {
		return false, "Enter the 3 or 4 digit security code."
	}
	year := 2000 + y
	end := time.Date(year, time.Month(m)+1, 1, 0, 0, 0, 0, time.UTC)
	return !now.Before(end), ""
}

// handleIndex is a help page at /.
func (s *Sandbox) handleIndex(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	s.render(w, page{Kind: "index", Cards: TestCards, Message: s.publicBase(r) + "/api/v1"}, http.StatusOK)
}
