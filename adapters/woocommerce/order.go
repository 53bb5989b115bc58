package woocommerce

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Order is the part of a WooCommerce REST API v3 order
// (GET /wp-json/wc/v3/orders/{id}) that frontgate reads. Money is a
// decimal string ("149.00") as WooCommerce sends it, parsed exactly;
// line totals exclude tax whatever prices_include_tax says (WooCommerce
// stores them so), and total_tax is the tax on them.
//
// Reference: https://woocommerce.github.io/woocommerce-rest-api-docs/#order-properties
type Order struct {
	ID               int64          `json:"id"`
	Number           string         `json:"number"`
	OrderKey         string         `json:"order_key"`
	Status           string         `json:"status"`
	Currency         string         `json:"currency"`
	PricesIncludeTax bool           `json:"prices_include_tax"`
	DateCreatedGMT   string         `json:"date_created_gmt"`
	DatePaidGMT      string         `json:"date_paid_gmt"`
	DiscountTotal    string         `json:"discount_total"`
	DiscountTax      string         `json:"discount_tax"`
	ShippingTotal    string         `json:"shipping_total"`
	ShippingTax      string         `json:"shipping_tax"`
	CartTax          string         `json:"cart_tax"`
	Total            string         `json:"total"`
	TotalTax         string         `json:"total_tax"`
	CustomerNote     string         `json:"customer_note"`
	Billing          Address        `json:"billing"`
	Shipping         Address        `json:"shipping"`
	PaymentMethod    string         `json:"payment_method"`
	TransactionID    string         `json:"transaction_id"`
	MetaData         []Meta         `json:"meta_data"`
	LineItems        []LineItem     `json:"line_items"`
	TaxLines         []TaxLine      `json:"tax_lines"`
	ShippingLines    []ShippingLine `json:"shipping_lines"`
	FeeLines         []FeeLine      `json:"fee_lines"`
	CouponLines      []CouponLine   `json:"coupon_lines"`
}

// Address is an order's billing or shipping address.
type Address struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Company   string `json:"company"`
	Address1  string `json:"address_1"`
	Address2  string `json:"address_2"`
	City      string `json:"city"`
	State     string `json:"state"`
	Postcode  string `json:"postcode"`
	Country   string `json:"country"`
	Email     string `json:"email"`
	Phone     string `json:"phone"`
}

// Meta is one meta_data entry. Value is kept raw: plugins store strings,
// numbers and objects there.
type Meta struct {
	ID    int64           `json:"id"`
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value"`
}

// LineItem is a product line. Subtotal is before coupons, Total after;
// both exclude tax.
type LineItem struct {
	ID          int64       `json:"id"`
	Name        string      `json:"name"`
	ProductID   int64       `json:"product_id"`
	VariationID int64       `json:"variation_id"`
	Quantity    json.Number `json:"quantity"`
	TaxClass    string      `json:"tax_class"`
	Subtotal    string      `json:"subtotal"`
	SubtotalTax string      `json:"subtotal_tax"`
	Total       string      `json:"total"`
	TotalTax    string      `json:"total_tax"`
	Taxes       []ItemTax   `json:"taxes"`
	SKU         string      `json:"sku"`
}

// ItemTax is one tax rate's share of a line. WooCommerce keeps these
// unrounded ("24.9975"); frontgate only reads which rate applies.
type ItemTax struct {
	ID       int64  `json:"id"` // the tax rate id, as in TaxLine.RateID
	Total    string `json:"total"`
	Subtotal string `json:"subtotal"`
}

// TaxLine is one tax rate used by the order. RatePercent (WooCommerce 3.7+)
// is a JSON number such as 25 or 11.11.
type TaxLine struct {
	ID               int64       `json:"id"`
	RateCode         string      `json:"rate_code"`
	RateID           int64       `json:"rate_id"`
	Label            string      `json:"label"`
	Compound         bool        `json:"compound"`
	TaxTotal         string      `json:"tax_total"`
	ShippingTaxTotal string      `json:"shipping_tax_total"`
	RatePercent      json.Number `json:"rate_percent"`
}

// ShippingLine is one shipping method's charge.
type ShippingLine struct {
	ID          int64     `json:"id"`
	MethodTitle string    `json:"method_title"`
	MethodID    string    `json:"method_id"`
	InstanceID  string    `json:"instance_id"`
	Total       string    `json:"total"`
	TotalTax    string    `json:"total_tax"`
	Taxes       []ItemTax `json:"taxes"`
}

// FeeLine is a fee; a negative fee is a discount.
type FeeLine struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	TaxClass  string    `json:"tax_class"`
	TaxStatus string    `json:"tax_status"`
	Total     string    `json:"total"`
	TotalTax  string    `json:"total_tax"`
	Taxes     []ItemTax `json:"taxes"`
}

// CouponLine is a coupon already applied to the line items' totals.
type CouponLine struct {
	ID          int64  `json:"id"`
	Code        string `json:"code"`
	Discount    string `json:"discount"`
	DiscountTax string `json:"discount_tax"`
}

// ParseOrder decodes a REST API order. Unknown fields are ignored: the
// REST answer has dozens frontgate does not need.
func ParseOrder(b []byte) (*Order, error) {
	var o Order
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&o); err != nil {
		return nil, fmt.Errorf("woocommerce: decoding the order: %w", err)
	}
	return &o, nil
}

// Meta returns the value of the first meta entry named key as a string
// (a JSON string's content, or a number's text), and whether it was there.
func (o *Order) Meta(key string) (string, bool) {
	for _, m := range o.MetaData {
		if m.Key != key {
			continue
		}
		var s string
		if json.Unmarshal(m.Value, &s) == nil {
			return s, true
		}
		var n json.Number
		if json.Unmarshal(m.Value, &n) == nil {
			return n.String(), true
		}
		return "", true
	}
	return "", false
}
