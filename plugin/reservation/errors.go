package reservation

import (
	"strconv"
	"strings"
)

// Rule codes name the rule a field broke. They are stable: shops, the
// sidecar's 422 answers and the conformance vectors match on them, so a code
// is never renamed, only added.
const (
	RuleRequired      = "required"         // the field is missing, null or empty
	RuleType          = "type"             // wrong JSON type (a number where a string is due, …)
	RuleUnknown       = "unknown"          // a field FrontGo does not define for this operation
	RuleEnum          = "enum"             // not one of the allowed values
	RuleEmail         = "email"            // not an e-mail address
	RuleDigits        = "digits"           // must contain digits only
	RuleLength        = "length"           // wrong number of characters
	RuleMaxLength     = "max_length"       // too long
	RuleDialingCode   = "dialing_code"     // not "+" followed by 1–4 digits
	RuleCountry       = "country"          // not an assigned ISO 3166-1 alpha-2 code
	RuleTimestamp     = "timestamp"        // not a Unix timestamp in seconds, as a string
	RuleNotPast       = "not_past"         // a due date before now
	RuleURL           = "url"              // not an absolute http(s) URL
	RuleNumber        = "number"           // not a number
	RulePrecision     = "precision"        // more than two decimal places
	RuleRange         = "range"            // outside the allowed range
	RuleMin           = "min"              // below the minimum (zero or negative amounts, …)
	RuleTaxRate       = "tax_rate"         // not one of the configured tax rates
	RuleLineTotal     = "line_total"       // amount is not rate × a whole quantity
	RuleSum           = "sum"              // a total that does not equal the sum of its parts
	RuleTaxTotal      = "tax_total"        // totalTax does not match the lines' tax
	RuleDistinct      = "distinct"         // the same product id twice
	RuleRequiredIf    = "required_if"      // required because of another field's value
	RuleRequiredWith  = "required_with"    // required together with another field
	RuleRequiredOneOf = "required_one_of"  // none of a set of alternatives given (order or payload, say)
	RuleKeys          = "keys"             // products object not keyed "0", "1", …
	RuleMaxItems      = "max_items"        // too many entries
	RuleReference     = "reference_source" // reference does not fit the refund source
	RuleUUID          = "reservation_uuid" // not a reservation identifier
	RuleInteger       = "integer"          // must be a whole number
	RuleOrder         = "order"            // start after end
	RuleJSON          = "json"             // the body is not acceptable JSON
	RuleFrontGo       = "frontgo"          // an error FrontGo reported, in its words
	RuleLastMember    = "last_member"      // a response body given as JSON must end the input
)

// FieldError is one broken rule: where (a JSON path such as
// "customerDetails.address.country" or "products.1.tax"), which rule, and a
// plain message for people.
type FieldError struct {
	Path    string
	Rule    string
	Message string
}

func (e FieldError) String() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}

// ValidationError lists every rule a request broke, in document order. The
// core always reports all of them at once, so a shop fixes its data in one
// round trip.
type ValidationError struct {
	Op     string
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	b.WriteString(": ")
	if len(e.Fields) == 1 {
		b.WriteString("invalid request: ")
	} else {
		b.WriteString(strconv.Itoa(len(e.Fields)))
		b.WriteString(" invalid fields: ")
	}
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.String())
	}
	return b.String()
}

// Has reports whether a field at path broke rule; tests and callers use it
// to react to one specific problem.
func (e *ValidationError) Has(path, rule string) bool {
	for _, f := range e.Fields {
		if f.Path == path && f.Rule == rule {
			return true
		}
	}
	return false
}
