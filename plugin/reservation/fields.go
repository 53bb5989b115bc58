package reservation

import (
	"strconv"

	"github.com/frontgate/frontgate/plugin/internal/jsonx"
)

// maxFields bounds the members of one request object the checker knows.
const maxFields = 20

// fields holds a request object's members by their index in a fieldSet;
// an absent member is the zero Value.
type fields [maxFields]jsonx.Value

// fieldSet is the members a request object may hold. The checker reads an
// object once, placing each member by its index, instead of looking each
// field up by name: under the Go wasm backend a lookup per field and a
// scan of the known names per member cost more than the checks themselves.
type fieldSet struct {
	names []string
	hash  []uint32 // jsonx.KeyHash of each name
	mul   uint32   // slot of a fingerprint h: (h*mul)>>26
	slot  [64]uint8
}

func newFieldSet(names ...string) *fieldSet {
	if len(names) > maxFields {
		panic("reservation: field set of " + strconv.Itoa(len(names)) + " names; at most " + strconv.Itoa(maxFields))
	}
	s := &fieldSet{names: names, hash: make([]uint32, len(names))}
	for i, n := range names {
		s.hash[i] = jsonx.KeyHash(n)
		for j := range i {
			if s.hash[j] == s.hash[i] {
				panic("reservation: field names " + names[j] + " and " + n + " share a fingerprint")
			}
		}
	}
	// Find a multiplier that gives each name its own slot.
	for try, mul := 0, uint32(0x9E3779B1); try < 1<<16; try, mul = try+1, mul+0x3C6EF372 {
		var slot [64]uint8
		ok := true
		for i, h := range s.hash {
			j := (h * mul) >> 26
			if slot[j] != 0 {
				ok = false
				break
			}
			slot[j] = uint8(i + 1)
		}
		if ok {
			s.mul, s.slot = mul, slot
			return s
		}
	}
	panic("reservation: no slot assignment for the field set")
}

// index returns the index of the member name with fingerprint h, or -1.
func (s *fieldSet) index(key []byte, h uint32) int {
	i := int(s.slot[(h*s.mul)>>26]) - 1
	if i < 0 || s.hash[i] != h || string(key) != s.names[i] {
		return -1
	}
	return i
}

// members is object for request objects: it checks that v is an object
// holding only members of set and fills f with them by index.
func (c *checker) members(v jsonx.Value, path fpath, required bool, set *fieldSet, f *fields) bool {
	if !c.object(v, path, required) {
		return false
	}
	for it := v.Iter(); it.Next(); {
		k, h := it.KeyBytesHash()
		if i := set.index(k, h); i >= 0 {
			f[i] = it.Value()
		} else {
			c.add(path.at(string(k)), RuleUnknown, "is not a field of this request")
		}
	}
	return true
}

// fill places v's members that are in set into f, without checks.
func fill(v jsonx.Value, set *fieldSet, f *fields) {
	for it := v.Iter(); it.Next(); {
		if i := set.index(it.KeyBytesHash()); i >= 0 {
			f[i] = it.Value()
		}
	}
}
