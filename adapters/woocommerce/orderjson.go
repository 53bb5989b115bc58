package woocommerce

import (
	"encoding/json"

	"github.com/frontgate/frontgate/plugin/reservation"
)

// The shop-neutral order as JSON, with the field names
// reservation.DecodeOrder reads (the sidecar's POST /v1/checkouts "order").
type (
	orderJSON struct {
		Customer           customerJSON   `json:"customer"`
		Currency           string         `json:"currency,omitempty"`
		OrderDate          int64          `json:"orderDate,omitempty"`
		PaymentLinkDueDate int64          `json:"paymentLinkDueDate,omitempty"`
		Reference          string         `json:"reference,omitempty"`
		CustomerReference  string         `json:"customerReference,omitempty"`
		Lines              []lineJSON     `json:"lines"`
		Discounts          []discountJSON `json:"discounts,omitempty"`
		SendOrderBy        *sendJSON      `json:"sendOrderBy,omitempty"`
		ChargeValidityDays int            `json:"chargeValidityDays,omitempty"`
		CustomerNotes      string         `json:"customerNotes,omitempty"`
		Terms              string         `json:"terms,omitempty"`
		Settings           *settingsJSON  `json:"settings,omitempty"`
		CallbackURL        string         `json:"callbackUrl,omitempty"`
		SuccessURL         string         `json:"successUrl,omitempty"`
		FailureURL         string         `json:"failureUrl,omitempty"`
		PaymentMethod      string         `json:"paymentMethod,omitempty"`
	}
	customerJSON struct {
		UUID              string       `json:"uuid,omitempty"`
		Type              string       `json:"type,omitempty"`
		CountryCode       string       `json:"countryCode,omitempty"`
		MSISDN            string       `json:"msisdn,omitempty"`
		Email             string       `json:"email,omitempty"`
		Name              string       `json:"name,omitempty"`
		PreferredLanguage string       `json:"preferredLanguage,omitempty"`
		PersonalNumber    string       `json:"personalNumber,omitempty"`
		OrganizationID    string       `json:"organizationId,omitempty"`
		Address           *addressJSON `json:"address,omitempty"`
	}
	addressJSON struct {
		Street  string `json:"street,omitempty"`
		Zip     string `json:"zip,omitempty"`
		City    string `json:"city,omitempty"`
		Country string `json:"country,omitempty"`
	}
	lineJSON struct {
		Kind      string      `json:"kind,omitempty"`
		Name      string      `json:"name"`
		SKU       string      `json:"sku,omitempty"`
		UnitPrice int64       `json:"unitPrice"`
		Quantity  int64       `json:"quantity"`
		TaxRate   json.Number `json:"taxRate"`
		Discount  int64       `json:"discount,omitempty"`
	}
	discountJSON struct {
		Name   string `json:"name,omitempty"`
		Amount int64  `json:"amount"`
	}
	sendJSON struct {
		SMS   bool `json:"sms"`
		Email bool `json:"email"`
	}
	settingsJSON struct {
		SecureDetails               bool `json:"secureDetails"`
		IsChargePartiallyRefundable bool `json:"isChargePartiallyRefundable"`
	}
)

// MarshalOrder writes o as the shop-neutral order JSON the sidecar takes in
// POST /v1/checkouts ("order"): money in øre as integers, tax rates in
// percent, empty fields left out. reservation.DecodeOrder reads it back to
// the same Order.
func MarshalOrder(o *reservation.Order) ([]byte, error) {
	c := o.Customer
	j := orderJSON{
		Customer: customerJSON{UUID: c.UUID, Type: c.Type, CountryCode: c.CountryCode, MSISDN: c.MSISDN, Email: c.Email,
			Name: c.Name, PreferredLanguage: c.PreferredLanguage, PersonalNumber: c.PersonalNumber, OrganizationID: c.OrganizationID},
		Currency: o.Currency, OrderDate: o.OrderDate, PaymentLinkDueDate: o.DueDateForPaymentLink, Reference: o.Reference,
		CustomerReference: o.CustomerReference, ChargeValidityDays: o.ChargeValidity, CustomerNotes: o.CustomerNotes,
		Terms: o.TnC, CallbackURL: o.CallbackURL, SuccessURL: o.SuccessURL, FailureURL: o.FailureURL,
		PaymentMethod: o.PaymentMethod, Lines: make([]lineJSON, 0, len(o.Lines)),
	}
	if a := c.Address; a != (reservation.Address{}) {
		j.Customer.Address = &addressJSON{Street: a.Street, Zip: a.Zip, City: a.City, Country: a.Country}
	}
	for _, l := range o.Lines {
		j.Lines = append(j.Lines, lineJSON{Kind: l.Kind, Name: l.Name, SKU: l.SKU, UnitPrice: int64(l.UnitPrice),
			Quantity: l.Quantity, TaxRate: json.Number(l.TaxRate.String()), Discount: int64(l.Discount)})
	}
	for _, d := range o.Discounts {
		j.Discounts = append(j.Discounts, discountJSON{Name: d.Name, Amount: int64(d.Amount)})
	}
	if o.SendOrderBy != (reservation.SendOrderBy{}) {
		j.SendOrderBy = &sendJSON{SMS: o.SendOrderBy.SMS, Email: o.SendOrderBy.Email}
	}
	if o.Settings != (reservation.Settings{}) {
		j.Settings = &settingsJSON{SecureDetails: o.Settings.SecureDetails, IsChargePartiallyRefundable: o.Settings.IsChargePartiallyRefundable}
	}
	return json.Marshal(j)
}
