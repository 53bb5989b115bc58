package jsonx

// The recursive parser the iterative one in parse.go replaced, kept as a
// reference: TestParserMatchesReference and FuzzParserMatchesReference hold
// the two to the same nodes and the same errors, offsets included.

import (
	"strconv"
	"unicode/utf8"
)

func refParse(src []byte, own bool) ([]node, error) {
	if len(src) >= 1<<31 {
		return nil, &SyntaxError{Offset: 0, Msg: "document too large"}
	}
	p := refParser{src: src, nodes: make([]node, 0, 16+len(src)/8), ownKeys: own}
	p.skipWS()
	if err := p.value(0); err != nil {
		return nil, err
	}
	p.skipWS()
	if p.pos != len(src) {
		return nil, p.errf("unexpected data after the top-level value")
	}
	return p.nodes, nil
}

type refParser struct {
	src     []byte
	pos     int
	nodes   []node
	ownKeys bool // the document was written by this process: skip duplicate-key checks
}

func (p *refParser) errf(msg string) error { return &SyntaxError{Offset: p.pos, Msg: msg} }

func (p *refParser) skipWS() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *refParser) push(k Kind) (int, error) {
	if len(p.nodes) >= MaxNodes {
		return 0, p.errf("too many values")
	}
	p.nodes = append(p.nodes, node{kind: k, start: uint32(p.pos)})
	return len(p.nodes) - 1, nil
}

func (p *refParser) value(depth int) error {
	if p.pos >= len(p.src) {
		return p.errf("unexpected end of input")
	}
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		i, err := p.push(String)
		if err != nil {
			return err
		}
		return p.str(i)
	case c == 't':
		return p.literal("true", Bool)
	case c == 'f':
		return p.literal("false", Bool)
	case c == 'n':
		return p.literal("null", Null)
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	default:
		r, _ := utf8.DecodeRune(p.src[p.pos:]) // name "é", not its first byte
		return p.errf("unexpected character " + strconv.QuoteRune(r))
	}
}

func (p *refParser) literal(word string, k Kind) error {
	if len(p.src)-p.pos < len(word) || string(p.src[p.pos:p.pos+len(word)]) != word {
		return p.errf("invalid literal")
	}
	i, err := p.push(k)
	if err != nil {
		return err
	}
	p.pos += len(word)
	p.nodes[i].end = uint32(p.pos)
	p.nodes[i].next = uint32(i + 1)
	return nil
}

func (p *refParser) number() error {
	i, err := p.push(Number)
	if err != nil {
		return err
	}
	s, n := p.src, len(p.src)
	if p.pos < n && s[p.pos] == '-' {
		p.pos++
	}
	switch {
	case p.pos < n && s[p.pos] == '0':
		p.pos++
	case p.pos < n && isDigit(s[p.pos]):
		for p.pos < n && isDigit(s[p.pos]) {
			p.pos++
		}
	default:
		return p.errf("invalid number")
	}
	if p.pos < n && s[p.pos] == '.' {
		p.pos++
		if p.pos >= n || !isDigit(s[p.pos]) {
			return p.errf("invalid number: digit expected after '.'")
		}
		for p.pos < n && isDigit(s[p.pos]) {
			p.pos++
		}
	}
	if p.pos < n && (s[p.pos] == 'e' || s[p.pos] == 'E') {
		p.pos++
		if p.pos < n && (s[p.pos] == '+' || s[p.pos] == '-') {
			p.pos++
		}
		if p.pos >= n || !isDigit(s[p.pos]) {
			return p.errf("invalid number: digit expected in exponent")
		}
		for p.pos < n && isDigit(s[p.pos]) {
			p.pos++
		}
	}
	p.nodes[i].end = uint32(p.pos)
	p.nodes[i].next = uint32(i + 1)
	return nil
}

// str scans a string starting at the opening quote into node i.
func (p *refParser) str(i int) error {
	p.pos++ // opening quote
	start := p.pos
	escaped := false
	s, n := p.src, len(p.src)
	for {
		// Fast path over plain ASCII.
		for p.pos < n {
			c := s[p.pos]
			if c == '"' || c == '\\' || c < 0x20 || c >= 0x80 {
				break
			}
			p.pos++
		}
		if p.pos >= n {
			return p.errf("unterminated string")
		}
		c := s[p.pos]
		switch {
		case c == '"':
			p.nodes[i].start = uint32(start)
			p.nodes[i].end = uint32(p.pos)
			p.nodes[i].escaped = escaped
			p.nodes[i].next = uint32(i + 1)
			p.pos++
			return nil
		case c == '\\':
			escaped = true
			if p.pos+1 >= n {
				return p.errf("unterminated string")
			}
			switch s[p.pos+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.pos += 2
			case 'u':
				if p.pos+6 > n || !isHex4(s[p.pos+2:p.pos+6]) {
					return p.errf("invalid \\u escape")
				}
				p.pos += 6
			default:
				return p.errf("invalid escape")
			}
		case c < 0x20:
			return p.errf("control character in string")
		default:
			r, size := utf8.DecodeRune(s[p.pos:])
			if r == utf8.RuneError && size <= 1 {
				return p.errf("invalid UTF-8 in string")
			}
			p.pos += size
		}
	}
}

func (p *refParser) object(depth int) error {
	if depth >= MaxDepth {
		return p.errf("nesting too deep")
	}
	i, err := p.push(Object)
	if err != nil {
		return err
	}
	p.pos++
	p.skipWS()
	var count uint32
	var seen map[string]struct{} // keys so far, once count reaches dupScanMembers
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		p.nodes[i].end = uint32(p.pos)
		p.nodes[i].next = uint32(len(p.nodes))
		return nil
	}
	for {
		if p.pos >= len(p.src) || p.src[p.pos] != '"' {
			return p.errf("object key expected")
		}
		k, err := p.push(String)
		if err != nil {
			return err
		}
		p.nodes[k].isKey = true
		if err := p.str(k); err != nil {
			return err
		}
		dup := false
		if p.ownKeys {
			// written by Writer from distinct field names
		} else if count < dupScanMembers {
			dup = p.dupKey(i, k)
		} else {
			// A linear scan per key would make a hostile object with
			// many members quadratic; big objects switch to a set.
			if seen == nil {
				seen = p.keySet(i, k)
			}
			key := unescape(p.src[p.nodes[k].start:p.nodes[k].end], p.nodes[k].escaped)
			_, dup = seen[key]
			seen[key] = struct{}{}
		}
		if dup {
			p.pos = int(p.nodes[k].start)
			return p.errf("duplicate object key " + strconv.Quote(unescape(p.src[p.nodes[k].start:p.nodes[k].end], p.nodes[k].escaped)))
		}
		p.skipWS()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return p.errf("':' expected after object key")
		}
		p.pos++
		p.skipWS()
		if err := p.value(depth + 1); err != nil {
			return err
		}
		count++
		p.skipWS()
		if p.pos >= len(p.src) {
			return p.errf("unexpected end of input in object")
		}
		if p.src[p.pos] == ',' {
			p.pos++
			p.skipWS()
			continue
		}
		if p.src[p.pos] == '}' {
			p.pos++
			p.nodes[i].end = uint32(p.pos)
			p.nodes[i].next = uint32(len(p.nodes))
			p.nodes[i].n = count
			return nil
		}
		return p.errf("',' or '}' expected in object")
	}
}

// keySet returns the unescaped keys of object obj's members before key node k.
func (p *refParser) keySet(obj, k int) map[string]struct{} {
	set := make(map[string]struct{}, 2*dupScanMembers)
	for j := obj + 1; j < k; j = int(p.nodes[j+1].next) {
		jn := p.nodes[j]
		set[unescape(p.src[jn.start:jn.end], jn.escaped)] = struct{}{}
	}
	return set
}

// dupKey reports whether key node k repeats a key already in object obj.
func (p *refParser) dupKey(obj, k int) bool {
	kn := p.nodes[k]
	key := p.src[kn.start:kn.end]
	for j := obj + 1; j < k; {
		jn := p.nodes[j]
		if jn.escaped || kn.escaped {
			if unescape(p.src[jn.start:jn.end], jn.escaped) == unescape(key, kn.escaped) {
				return true
			}
		} else if string(p.src[jn.start:jn.end]) == string(key) {
			return true
		}
		j = int(p.nodes[j+1].next) // skip the member's value
	}
	return false
}

func (p *refParser) array(depth int) error {
	if depth >= MaxDepth {
		return p.errf("nesting too deep")
	}
	i, err := p.push(Array)
	if err != nil {
		return err
	}
	p.pos++
	p.skipWS()
	var count uint32
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		p.nodes[i].end = uint32(p.pos)
		p.nodes[i].next = uint32(len(p.nodes))
		return nil
	}
	for {
		if err := p.value(depth + 1); err != nil {
			return err
		}
		count++
		p.skipWS()
		if p.pos >= len(p.src) {
			return p.errf("unexpected end of input in array")
		}
		if p.src[p.pos] == ',' {
			p.pos++
			p.skipWS()
			continue
		}
		if p.src[p.pos] == ']' {
			p.pos++
			p.nodes[i].end = uint32(p.pos)
			p.nodes[i].next = uint32(len(p.nodes))
			p.nodes[i].n = count
			return nil
		}
		return p.errf("',' or ']' expected in array")
	}
}
