package demoshop

import (
	"strconv"
	"strings"
)

// product is one article of the catalogue. Prices are in øre with VAT
// included, as Norwegian consumer prices are quoted.
type product struct {
	SKU         string
	Name        string
	Description string
	Category    string
	Price       int64   // øre, VAT included
	TaxRate     float64 // percent
	Physical    bool    // shipped, so the order pays freight
}

// The four Norwegian VAT rates: general (goods), food, the low rate
// (passenger transport, cinema), and zero (books, newspapers).
var catalog = []product{
	{"ULL-SOKK", "Ullsokker", "Varme ullsokker fra Setesdal, str. 40–44", "Klær", 14900, 25, true},
	{"REGNJAKKE", "Regnjakke", "Vanntett regnjakke for vestlandsvær", "Klær", 129900, 25, true},
	{"TERMOKOPP", "Termokopp", "Holder kaffen varm hele turen, 0,4 l", "Tur", 24900, 25, true},
	{"BRUNOST", "Brunost, 1 kg", "Gudbrandsdalsost, skjæres tynt", "Mat", 12990, 15, true},
	{"KAFFE", "Kaffe, kokmalt 500 g", "Lysbrent kaffe til bålkjelen", "Mat", 8990, 15, true},
	{"FLATBROD", "Flatbrød", "Tynt og sprøtt, fra Valdres", "Mat", 3950, 15, true},
	{"BUSS-OSL-BGO", "Bussbillett Oslo–Bergen", "Enkeltbillett, gyldig i 30 dager", "Reise", 54900, 12, false},
	{"KINO", "Kinobillett", "Valgfri forestilling på Fjellbu kino", "Opplevelser", 14500, 12, false},
	{"BOK-TOPPER", "Bok: Norske fjelltopper", "Innbundet, 240 sider", "Bøker", 39900, 0, true},
}

// Freight: charged when the order has goods to ship, free from
// freeShippingFrom. Freight follows the rate of the goods (25 %).
const (
	shippingSKU      = "FRAKT"
	shippingName     = "Frakt"
	shippingPrice    = 7900
	shippingTax      = 25
	freeShippingFrom = 100000
)

func productBySKU(sku string) (product, bool) {
	for _, p := range catalog {
		if p.SKU == sku {
			return p, true
		}
	}
	return product{}, false
}

// orderLine is one line of a cart or an order.
type orderLine struct {
	Kind      string  `json:"kind"` // product or shipping
	SKU       string  `json:"sku"`
	Name      string  `json:"name"`
	UnitPrice int64   `json:"unitPrice"` // øre, VAT included
	Quantity  int64   `json:"quantity"`
	TaxRate   float64 `json:"taxRate"`
}

// Total is the line's amount, VAT included.
func (l orderLine) Total() int64 { return l.UnitPrice * l.Quantity }

// vatLine is the VAT an order includes at one rate.
type vatLine struct {
	Rate   float64
	Amount int64
}

// taxIncluded is the VAT inside a gross amount at rate percent, rounded
// half away from zero: the same rule frontgate's core applies per line.
func taxIncluded(gross int64, rate float64) int64 {
	r := int64(rate*100 + 0.5) // hundredths of a percent
	num := gross * r
	den := 10000 + r
	if num < 0 {
		return -((-num + den/2) / den)
	}
	return (num + den/2) / den
}

// vatBreakdown sums the VAT of lines per rate, highest rate first.
func vatBreakdown(lines []orderLine) []vatLine {
	var out []vatLine
	for _, rate := range []float64{25, 15, 12, 0} {
		var sum int64
		found := false
		for _, l := range lines {
			if l.TaxRate == rate {
				sum += taxIncluded(l.Total(), rate)
				found = true
			}
		}
		if found {
			out = append(out, vatLine{rate, sum})
		}
	}
	return out
}

func total(lines []orderLine) int64 {
	var t int64
	for _, l := range lines {
		t += l.Total()
	}
	return t
}

// kr formats øre the Norwegian way: "kr 1 299,00".
func kr(ore int64) string {
	neg := ore < 0
	if neg {
		ore = -ore
	}
	whole := strconv.FormatInt(ore/100, 10)
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	s := "kr " + b.String() + "," + twoDigits(ore%100)
	if neg {
		s = "−" + s
	}
	return s
}

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// parseKr reads an amount typed by a merchant ("149", "149,50",
// "1 299.00", "kr 10") into øre. More than two decimals is an error, never
// rounded.
func parseKr(s string) (int64, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "kr")
	s = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "").Replace(s)
	s = strings.ReplaceAll(s, ",", ".")
	if s == "" {
		return 0, errEmptyAmount
	}
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 || whole == "" && frac == "" {
		return 0, errBadAmount
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || w < 0 || w > 1e13 || strings.ContainsAny(whole+frac, "+-") {
		return 0, errBadAmount
	}
	return w, nil
}

type amountError string

func (e amountError) Error() string { return string(e) }

const (
	errEmptyAmount = amountError("amount is empty")
	errBadAmount   = amountError("amount must be kroner with at most two decimals, such as 149,50")
)

func pct(rate float64) string {
	return strconv.FormatFloat(rate, 'f', -1, 64) + " %"
}
