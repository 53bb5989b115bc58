package reservation

import (
	"bytes"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/frontgate/frontgate/plugin/internal/jsonx"
	"github.com/frontgate/frontgate/plugin/iso3166"
	"github.com/frontgate/frontgate/plugin/money"
)

// Options carries what validation needs from outside the core: the clock
// and the merchant's configuration. The core reads no clock of its own.
type Options struct {
	// Now is the current time, for "not in the past" rules and the default
	// history window. The zero time disables the due-date check; every
	// frontgate caller passes the real time.
	Now time.Time
	// TaxRates is the set of tax rates the merchant's FrontGo account
	// accepts; nil means DefaultTaxRates.
	TaxRates []money.Rate
}

// DefaultTaxRates are the Norwegian VAT rates the reference lists: 0, 12,
// 15 and 25 %. Accounts with another configuration pass their own.
var DefaultTaxRates = []money.Rate{0, money.Percent(12), money.Percent(15), money.Percent(25)}

func (o *Options) taxRateAllowed(r money.Rate) bool {
	rates := o.TaxRates
	if rates == nil {
		rates = DefaultTaxRates
	}
	for _, x := range rates {
		if x == r {
			return true
		}
	}
	return false
}

func (o *Options) taxRatesText() string {
	rates := o.TaxRates
	if rates == nil {
		rates = DefaultTaxRates
	}
	var b []byte
	for i, r := range rates {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = r.Append(b)
	}
	return string(b)
}

// Limits the core applies beyond the reference, so that no request grows
// without bound. They are far above what any shop sends.
const (
	MaxLines      = 500
	maxShortText  = 255
	maxLongText   = 10000
	maxURL        = 2048
	maxMSISDN     = 15
	minMSISDN     = 4
	personalNrLen = 11
)

// checker collects violations while walking a parsed request.
type checker struct {
	errs []FieldError
	// borrow makes str and keep return strings that share memory with the
	// document instead of copies (see DecodeChecked): one allocation and
	// copy fewer per field, for a result that is used and dropped before
	// the document is.
	borrow bool
}

// keep returns b as a string: a copy, or b's own bytes when c.borrow.
func (c *checker) keep(b []byte) string {
	if c.borrow {
		return unsafe.String(unsafe.SliceData(b), len(b))
	}
	return string(b)
}

func join(prefix, field string) string {
	if prefix == "" {
		return field
	}
	return prefix + "." + field
}

// add records a violation. Out of line: it is on every error path, and
// inlined at its hundred-odd call sites it made the checks larger.
//
//go:noinline
func (c *checker) add(p fpath, rule, msg string) {
	c.errs = append(c.errs, FieldError{Path: p.String(), Rule: rule, Message: msg})
}

func (c *checker) result(op string) error {
	if len(c.errs) == 0 {
		return nil
	}
	return &ValidationError{Op: op, Fields: c.errs}
}

// object reports whether v is an object, and records why not when it is
// present (or required). Responses read objects with it and ignore members
// they do not know; requests use members, which also refuses unknown ones.
func (c *checker) object(v jsonx.Value, path fpath, required bool) bool {
	switch v.Kind() {
	case jsonx.Invalid, jsonx.Null:
		if required {
			c.add(path, RuleRequired, "is required")
		}
		return false
	case jsonx.Object:
		return true
	default:
		c.add(path, RuleType, "must be an object, not "+article(v.Kind()))
		return false
	}
}

func article(k jsonx.Kind) string {
	switch k {
	case jsonx.Array, jsonx.Object:
		return "an " + k.String()
	case jsonx.Null:
		return "null"
	}
	return "a " + k.String()
}

// str reads a string field. Required strings must be non-empty after
// trimming. Optional strings may be missing, null or "" (FrontGo's Laravel
// stack turns "" into null). ok is false when the field is absent or broke a
// rule.
func (c *checker) str(v jsonx.Value, path fpath, required bool, max int) (string, bool) {
	b, ok := c.strb(v, path, required, max)
	if !ok {
		return "", false
	}
	return c.keep(b), true
}

// strb is str without the allocation: the bytes are the document's own
// (or a fresh unescaped copy) and must not be kept past the document.
// Validation, which only looks, uses it. A plain string that starts with a
// visible ASCII byte and fits max is returned at once; everything else
// (escapes, blanks, wrong kinds, rule failures) goes through strbSlow, so
// that the common case is a small function (with number's split the same
// way: validate_submit 5 % faster in the wasm guest).
func (c *checker) strb(v jsonx.Value, path fpath, required bool, max int) ([]byte, bool) {
	if b, ok := v.Plain(); ok && len(b) > 0 && (max <= 0 || len(b) <= max) && b[0] > ' ' && b[0] < 0x80 {
		return b, true
	}
	return c.strbSlow(v, path, required, max)
}

func (c *checker) strbSlow(v jsonx.Value, path fpath, required bool, max int) ([]byte, bool) {
	switch v.Kind() {
	case jsonx.Invalid, jsonx.Null:
		if required {
			c.add(path, RuleRequired, "is required")
		}
		return nil, false
	case jsonx.String:
	default:
		c.add(path, RuleType, "must be a string, not "+article(v.Kind()))
		return nil, false
	}
	b, _ := v.StrBytes()
	if blank(b) {
		if required {
			c.add(path, RuleRequired, "must not be empty")
		}
		return nil, false
	}
	if max > 0 && len(b) > max {
		c.add(path, RuleMaxLength, "must be at most "+strconv.Itoa(max)+" bytes long")
		return nil, false
	}
	return b, true
}

// text checks a string already read (a line's name or sku from an ABI
// input) by str's rules: a required one must not be empty or blank, none
// may be longer than max bytes.
func (c *checker) text(s string, path fpath, required bool, max int) {
	switch {
	case blank([]byte(s)):
		if required {
			c.add(path, RuleRequired, "must not be empty")
		}
	case len(s) > max:
		c.add(path, RuleMaxLength, "must be at most "+strconv.Itoa(max)+" bytes long")
	}
}

// blank reports whether b is empty or only white space.
func blank(b []byte) bool {
	for _, ch := range b {
		if ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r' && ch != '\v' && ch != '\f' {
			if ch >= 0x80 {
				return len(bytes.TrimSpace(b)) == 0
			}
			return false
		}
	}
	return true
}

func (c *checker) boolean(v jsonx.Value, path fpath, required bool) {
	switch v.Kind() {
	case jsonx.Bool:
	case jsonx.Invalid, jsonx.Null:
		if required {
			c.add(path, RuleRequired, "is required")
		}
	default:
		c.add(path, RuleType, "must be true or false, not "+article(v.Kind()))
	}
}

// enum returns the matching entry of allowed (not a copy of the input).
func (c *checker) enum(v jsonx.Value, path fpath, required bool, allowed ...string) (string, bool) {
	b, ok := c.strb(v, path, required, maxShortText)
	if !ok {
		return "", false
	}
	for _, a := range allowed {
		if a == string(b) {
			return a, true
		}
	}
	c.add(path, RuleEnum, "must be one of "+strings.Join(allowed, ", ")+", not "+quote(string(b)))
	return "", false
}

// quote shows a user value in a message, cut short so that a hostile value
// cannot flood logs.
func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return strconv.Quote(s)
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// number reads a numeric field: a JSON number, or a string holding one
// (Laravel's "numeric" accepts both). It returns the text to parse.
func (c *checker) number(v jsonx.Value, path fpath, required bool) ([]byte, bool) {
	if b, ok := v.Number(); ok {
		return b, true
	}
	return c.numberSlow(v, path, required)
}

func (c *checker) numberSlow(v jsonx.Value, path fpath, required bool) ([]byte, bool) {
	switch v.Kind() {
	case jsonx.Number:
		return v.Raw(), true
	case jsonx.String:
		b, _ := v.StrBytes()
		b = bytes.TrimSpace(b)
		if len(b) == 0 {
			if required {
				c.add(path, RuleRequired, "must not be empty")
			}
			return nil, false
		}
		if !jsonx.IsNumber(b) {
			c.add(path, RuleNumber, "must be a number, not "+quote(string(b)))
			return nil, false
		}
		return b, true
	case jsonx.Invalid, jsonx.Null:
		if required {
			c.add(path, RuleRequired, "is required")
		}
		return nil, false
	default:
		c.add(path, RuleType, "must be a number, not "+article(v.Kind()))
		return nil, false
	}
}

// amount reads a money field into øre.
func (c *checker) amount(v jsonx.Value, path fpath, required bool) (money.Amount, bool) {
	raw, ok := c.number(v, path, required)
	if !ok {
		return 0, false
	}
	a, err := money.ParseAmount(raw)
	switch err {
	case nil:
		return a, true
	case money.ErrPrecision:
		c.add(path, RulePrecision, "must have at most two decimal places")
	case money.ErrRange:
		c.add(path, RuleRange, "is out of range (at most "+money.MaxAmount.String()+" in size)")
	default:
		c.add(path, RuleNumber, "must be a number")
	}
	return 0, false
}

func (c *checker) positive(v jsonx.Value, path fpath) (money.Amount, bool) {
	a, ok := c.amount(v, path, true)
	if ok && a <= 0 {
		c.add(path, RuleMin, "must be greater than 0")
		return 0, false
	}
	return a, ok
}

func (c *checker) nonNegative(v jsonx.Value, path fpath) (money.Amount, bool) {
	a, ok := c.amount(v, path, true)
	if ok && a < 0 {
		c.add(path, RuleMin, "must not be negative")
		return 0, false
	}
	return a, ok
}

// id reads a reservation product id: a positive whole number.
func (c *checker) id(v jsonx.Value, path fpath) (int64, bool) {
	if n, ok := v.Int(); ok && n > 0 { // the usual case: a JSON integer
		return n, true
	}
	return c.idSlow(v, path)
}

func (c *checker) idSlow(v jsonx.Value, path fpath) (int64, bool) {
	raw, ok := c.number(v, path, true)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		if v.IsWhole() { // whole, but past int64
			c.add(path, RuleRange, "is out of range (too large for a 64-bit integer)")
		} else {
			c.add(path, RuleInteger, "must be a whole number")
		}
		return 0, false
	}
	if n <= 0 {
		c.add(path, RuleMin, "must be greater than 0")
		return 0, false
	}
	return n, true
}

func (c *checker) taxRate(v jsonx.Value, path fpath, o *Options) (money.Rate, bool) {
	raw, ok := c.number(v, path, true)
	if !ok {
		return 0, false
	}
	r, err := money.ParseRate(raw)
	if err != nil || !o.taxRateAllowed(r) {
		c.add(path, RuleTaxRate, "must be one of the tax rates "+o.taxRatesText())
		return 0, false
	}
	return r, true
}

// timestamp reads a Unix timestamp in seconds, given as a string of digits.
func (c *checker) timestamp(v jsonx.Value, path fpath, required bool) (int64, bool) {
	if v.Kind() == jsonx.Number {
		c.add(path, RuleType, "must be a string holding a Unix timestamp, not a number")
		return 0, false
	}
	b, ok := c.strb(v, path, required, 32)
	if !ok {
		return 0, false
	}
	if !digitsB(b) || len(b) > 11 {
		c.add(path, RuleTimestamp, "must be a Unix timestamp in seconds, such as \"1756871295\"")
		return 0, false
	}
	var n int64
	for _, ch := range b {
		n = n*10 + int64(ch-'0')
	}
	if n <= 0 {
		c.add(path, RuleTimestamp, "must be a Unix timestamp after 1970")
		return 0, false
	}
	return n, true
}

func digitsB(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, ch := range b {
		if ch < '0' || ch > '9' {
			return false
		}
	}
	return true
}

// digitsValue is the value of b, which digitsB has accepted and which holds
// at most 18 digits (it cannot overflow).
func digitsValue(b []byte) int64 {
	var n int64
	for _, ch := range b {
		n = n*10 + int64(ch-'0')
	}
	return n
}

func (c *checker) email(v jsonx.Value, path fpath, required bool) bool {
	b, ok := c.strb(v, path, required, maxShortText)
	if !ok {
		return false
	}
	if !validEmail(b) {
		c.add(path, RuleEmail, "must be a valid e-mail address")
		return false
	}
	return true
}

// validEmail accepts local@domain with a dotted domain of letters, digits
// and hyphens: what the e-mail validators of web frameworks accept in
// practice, minus quoted local parts and IP-literal domains, which no
// shopper uses and card processors refuse.
func validEmail(s []byte) bool {
	at := bytes.LastIndexByte(s, '@')
	if at < 1 || at > 64 || at == len(s)-1 {
		return false
	}
	local, domain := s[:at], s[at+1:]
	if local[0] == '.' || local[len(local)-1] == '.' || bytes.Contains(local, []byte("..")) {
		return false
	}
	for _, ch := range local {
		if ch <= ' ' || ch >= 0x7f || strings.IndexByte(`"(),:;<>@[\]`, ch) >= 0 {
			return false
		}
	}
	labels, last := 0, []byte(nil)
	for len(domain) > 0 || labels == 0 {
		l := domain
		if i := bytes.IndexByte(domain, '.'); i >= 0 {
			l, domain = domain[:i], domain[i+1:]
			if len(domain) == 0 {
				return false // trailing dot
			}
		} else {
			domain = nil
		}
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, ch := range l {
			if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-') {
				return false
			}
		}
		labels++
		last = l
	}
	return labels >= 2 && !digitsB(last)
}

func (c *checker) dialingCode(v jsonx.Value, path fpath, required bool) bool {
	if v.Kind() == jsonx.Number {
		c.add(path, RuleType, "must be a string such as \"+47\", not a number")
		return false
	}
	s, ok := c.strb(v, path, required, 8)
	if !ok {
		return false
	}
	if len(s) < 2 || len(s) > 5 || s[0] != '+' || s[1] == '0' || !digitsB(s[1:]) {
		c.add(path, RuleDialingCode, "must be \"+\" followed by 1 to 4 digits, such as \"+47\"")
		return false
	}
	return true
}

func (c *checker) msisdn(v jsonx.Value, path fpath, required bool) bool {
	if v.Kind() == jsonx.Number {
		c.add(path, RuleType, "must be a string of digits, not a number")
		return false
	}
	s, ok := c.strb(v, path, required, 32)
	if !ok {
		return false
	}
	if !digitsB(s) {
		c.add(path, RuleDigits, "must contain digits only, without spaces or a country code")
		return false
	}
	if len(s) < minMSISDN || len(s) > maxMSISDN {
		c.add(path, RuleLength, "must be "+strconv.Itoa(minMSISDN)+" to "+strconv.Itoa(maxMSISDN)+" digits long")
		return false
	}
	return true
}

// url checks an absolute http(s) URL; the bytes are the document's.
func (c *checker) url(v jsonx.Value, path fpath, required bool) ([]byte, bool) {
	s, ok := c.strb(v, path, required, maxURL)
	if !ok {
		return nil, false
	}
	if !validURL(unsafe.String(unsafe.SliceData(s), len(s))) { // not kept: no copy
		c.add(path, RuleURL, "must be an absolute http or https URL")
		return nil, false
	}
	return s, true
}

// validURL accepts absolute http(s) URLs with a host and no spaces, control
// characters or credentials; FrontGo must be able to call or redirect to it.
func validURL(s string) bool {
	var rest string
	switch {
	case strings.HasPrefix(s, "https://"):
		rest = s[len("https://"):]
	case strings.HasPrefix(s, "http://"):
		rest = s[len("http://"):]
	default:
		return false
	}
	if !urlBytesOK(s) {
		return false
	}
	host := rest
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; c == '/' || c == '?' || c == '#' {
			host = rest[:i]
			break
		}
	}
	if host == "" || strings.ContainsRune(host, '@') {
		return false
	}
	if strings.HasPrefix(host, "[") { // an IPv6 literal, then maybe a port
		end := strings.IndexByte(host, ']')
		if end < 2 {
			return false
		}
		for i := 1; i < end; i++ {
			if ch := host[i]; !(ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'f' || ch >= 'A' && ch <= 'F' || ch == ':' || ch == '.') {
				return false
			}
		}
		rest := host[end+1:]
		return rest == "" || rest[0] == ':' && validPort(rest[1:])
	}
	if h, port, ok := strings.Cut(host, ":"); ok {
		if !validPort(port) {
			return false
		}
		host = h
	}
	return validHostname(host)
}

// validPort accepts a TCP port, 1 to 65535, in decimal digits.
func validPort(s string) bool {
	if s == "" || len(s) > 5 || !allDigits(s) {
		return false
	}
	n, _ := strconv.Atoi(s)
	return n >= 1 && n <= 65535
}

// validHostname accepts a host name or IPv4 address: dot-separated labels
// of letters, digits, '-' and non-ASCII bytes (international names), none
// empty (so no leading, trailing or doubled dot) and none starting or
// ending with '-'. One pass, no calls: it runs on every URL a create
// answer carries.
func validHostname(host string) bool {
	prev := byte('.') // as if a label had just ended
	for i := 0; i < len(host); i++ {
		ch := host[i]
		switch {
		case ch == '.':
			if prev == '.' || prev == '-' { // an empty label, or one ending in '-'
				return false
			}
		case ch == '-':
			if prev == '.' { // a label starting with '-'
				return false
			}
		case ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch >= 0x80:
		default:
			return false
		}
		prev = ch
	}
	return prev != '.' && prev != '-' // also refuses ""
}

// badURLByte is what a URL may not hold as it is: controls, the space, DEL
// and the backslash (which browsers read as '/').
func badURLByte(c byte) bool { return c <= ' ' || c == 0x7f || c == '\\' }

// urlBytesOK reports whether s holds no badURLByte. URLs here carry signed
// tokens of a few hundred bytes, so it reads eight bytes at a time (the
// last word overlapping the one before), the way jsonx's scanners do: a
// byte at a time costs several nanoseconds per byte in the wasm guest.
func urlBytesOK(s string) bool {
	n := len(s)
	if n < 8 {
		for i := 0; i < n; i++ {
			if badURLByte(s[i]) {
				return false
			}
		}
		return true
	}
	p := unsafe.Pointer(unsafe.StringData(s))
	for i := 0; i+8 < n; i += 8 {
		if badURLWord(*(*uint64)(unsafe.Add(p, i))) {
			return false
		}
	}
	return !badURLWord(*(*uint64)(unsafe.Add(p, n-8)))
}

// badURLWord reports whether any byte of w is a badURLByte. Each test
// flags its lowest match exactly and can flag a byte above it falsely only
// through a borrow from that match, so "any flag" is exact.
func badURLWord(w uint64) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	zero := func(x uint64) uint64 { return (x - lo) &^ x }
	low := (w - 0x21*lo) &^ w // bytes below 0x21; bytes from 0x80 up never
	return (low|zero(w^0x7f*lo)|zero(w^'\\'*lo))&hi != 0
}

// reservationUUID checks a reservation identifier before it goes into a URL
// path: FrontGo's look like RES1943140879; anything with other characters
// could walk the path.
func validReservationUUID(s string) bool {
	if len(s) < 4 || len(s) > 64 || !strings.HasPrefix(s, "RES") {
		return false
	}
	for i := 3; i < len(s); i++ {
		ch := s[i]
		if !(ch >= '0' && ch <= '9' || ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z') {
			return false
		}
	}
	return true
}

func (c *checker) reservationUUID(s string) {
	if s == "" {
		c.add(at("reservationUuid"), RuleRequired, "is required")
	} else if !validReservationUUID(s) {
		c.add(at("reservationUuid"), RuleUUID, "must be a reservation identifier such as \"RES1943140879\"")
	}
}

func (c *checker) country(v jsonx.Value, path fpath) {
	b, ok := c.strb(v, path, true, 8)
	if !ok {
		return
	}
	s := unsafe.String(unsafe.SliceData(b), len(b)) // looked at, not kept: no copy
	if !iso3166.Valid(s) {
		msg := "must be an ISO 3166-1 alpha-2 country code such as \"NO\""
		if iso3166.Valid(strings.ToUpper(s)) {
			msg = "must be an upper-case ISO 3166-1 alpha-2 country code: " + strconv.Quote(strings.ToUpper(s))
		}
		c.add(path, RuleCountry, msg)
	}
}

// lines iterates the entries of a products collection. FrontGo's
// submit, create, capture and charge take an object keyed "0", "1", …;
// wantArray selects the refund's plain array. It reports shape problems and
// returns the entries with their paths, in buf's storage when they fit.
func (c *checker) lines(v jsonx.Value, path fpath, wantArray bool, buf []lineRef) []lineRef {
	switch k := v.Kind(); {
	case k == jsonx.Invalid || k == jsonx.Null:
		c.add(path, RuleRequired, "is required")
		return nil
	case wantArray && k != jsonx.Array:
		c.add(path, RuleType, "must be an array, not "+article(k))
		return nil
	case !wantArray && k != jsonx.Object && k != jsonx.Array:
		c.add(path, RuleType, "must be an object keyed \"0\", \"1\", …, not "+article(k))
		return nil
	}
	if v.Len() == 0 {
		c.add(path, RuleRequired, "must contain at least one product")
		return nil
	}
	if v.Len() > MaxLines {
		c.add(path, RuleMaxItems, "must contain at most "+strconv.Itoa(MaxLines)+" products")
		return nil
	}
	refs := buf[:0]
	if cap(refs) < v.Len() {
		refs = make([]lineRef, 0, v.Len())
	}
	if v.Kind() == jsonx.Array {
		for it := v.Iter(); it.Next(); {
			i, e := it.Index(), it.Value()
			refs = append(refs, lineRef{i: i, v: e})
		}
		return refs
	}
	i := 0
	for it := v.Iter(); it.Next(); {
		k, e := it.KeyBytes(), it.Value()
		if !isIndexKey(k, i) {
			c.add(path.at(string(k)), RuleKeys, "products must be keyed \"0\", \"1\", … in order; expected key "+strconv.Quote(strconv.Itoa(i)))
			return nil
		}
		refs = append(refs, lineRef{i: i, v: e})
		i++
	}
	return refs
}

// isIndexKey reports whether key is the decimal form of i, without
// formatting i.
func isIndexKey(key []byte, i int) bool {
	if len(key) == 0 || (len(key) > 1 && key[0] == '0') {
		return false
	}
	n := 0
	for _, ch := range key {
		if ch < '0' || ch > '9' || n > 1<<20 {
			return false
		}
		n = n*10 + int(ch-'0')
	}
	return n == i
}

// lineRefsOnStack is how many products a check reads without allocating
// their list.
const lineRefsOnStack = 16

// lineRef is one entry of a products collection: its position (the index
// of its path) and its value.
type lineRef struct {
	i int
	v jsonx.Value
}

// parseBody parses a request body, reporting a syntax error as a field error of
// the whole body.
//
// The Doc comes from jsonx.ParseTemp: a caller that knows when it is done
// with it may Release it; one that keeps it lets the collector have it.
func parseBody(op string, body []byte) (*jsonx.Doc, error) {
	d, err := jsonx.ParseTemp(body)
	if err != nil {
		return nil, &ValidationError{Op: op, Fields: []FieldError{{Rule: RuleJSON, Message: err.Error()}}}
	}
	if k := d.Root().Kind(); k != jsonx.Object {
		d.Release()
		return nil, &ValidationError{Op: op, Fields: []FieldError{{Rule: RuleType, Message: "the body must be a JSON object, not " + article(k)}}}
	}
	return d, nil
}

// fpath is a JSON path built without allocating: a member's name or an
// element's index under the path of its parent, which it points to on the
// caller's stack. It becomes a string only when a rule fails, which keeps
// checking a valid request or answer allocation-free; and making one is
// three stores, where the field-by-field copy of a path that held its
// names was a visible share of a check in the wasm guest (Go there passes
// every argument through memory). A path must not outlive the variables
// it points to: it goes down into calls, and String is its only way out.
type fpath struct {
	up   *fpath
	name string // under up; "" for an element of up itself
	idx  int    // -1, or the index of an element of name (or of up)
}

// at returns the path of a top-level field (or of a dotted constant prefix).
func at(name string) fpath { return fpath{name: name, idx: -1} }

// elem returns the path of element i of the top-level field name.
func elem(name string, i int) fpath { return fpath{name: name, idx: i} }

// index returns the path of element i under p.
func (p *fpath) index(i int) fpath { return fpath{up: p, idx: i} }

// at returns the path of member name under p.
func (p *fpath) at(name string) fpath { return fpath{up: p, name: name, idx: -1} }

// String spells the path ("lines.3.name"). It copies every name into a new
// string, so that a path's pointers never reach the result: the compiler
// can then keep every path on the stack.
func (p *fpath) String() string { return string(p.appendTo(make([]byte, 0, 64))) }

func (p *fpath) appendTo(b []byte) []byte {
	if p.up != nil {
		b = p.up.appendTo(b)
	}
	if p.name != "" {
		if len(b) > 0 {
			b = append(b, '.')
		}
		b = append(b, p.name...)
	}
	if p.idx >= 0 {
		b = append(b, '.')
		b = strconv.AppendInt(b, int64(p.idx), 10)
	}
	return b
}
