package jsonx

import (
	"strconv"
	"strings"
	"sync"
	"testing"
)

func TestParseTempReusesAndForgets(t *testing.T) {
	d, err := ParseTemp([]byte(`{"a":[1,2,3],"b":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	stale := d.Root().Get("b")
	if s, _ := stale.Str(); s != "x" {
		t.Fatalf("b = %q", s)
	}
	d.Release()
	if d.src != nil || len(d.nodes) != 0 {
		t.Fatalf("released Doc keeps src %q and %d nodes", d.src, len(d.nodes))
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("a Value of a released Doc was read without a panic")
			}
		}()
		stale.Kind()
	}()

	// Whatever Doc the pool hands out next parses from scratch.
	e, err := ParseTemp([]byte(`{"b":"y","c":{"d":null}}`))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Release()
	if s, _ := e.Root().Get("b").Str(); s != "y" || !e.Root().Get("c").Get("d").IsNull() || e.Root().Get("a").Exists() {
		t.Fatalf("second document read wrong: b=%q", s)
	}
}

func TestParseTempErrorsLikeParse(t *testing.T) {
	for _, src := range []string{``, `{`, `{"a":1,"a":2}`, `[1,]`, "\"\xff\""} {
		_, want := Parse([]byte(src))
		d, got := ParseTemp([]byte(src))
		if d != nil || got == nil || got.Error() != want.Error() {
			t.Errorf("%q: ParseTemp = %v, %v; Parse's error %v", src, d, got, want)
		}
	}
	var nilDoc *Doc
	nilDoc.Release() // must not panic
}

func TestReleaseDropsHugeNodeArrays(t *testing.T) {
	src := "[" + strings.Repeat("0,", maxPooledNodes) + "0]"
	d, err := ParseTemp([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if d.Root().Len() != maxPooledNodes+1 {
		t.Fatalf("len %d", d.Root().Len())
	}
	d.Release()
	if d.nodes != nil {
		t.Fatalf("a released Doc keeps %d node slots", cap(d.nodes))
	}
}

// Docs move between goroutines through the pool; each must read only its
// own document (run with -race too).
func TestParseTempConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				want := strconv.Itoa(g*1000 + i)
				pad := strings.Repeat(`{"x":[1,2]},`, i%7)
				d, err := ParseTemp([]byte(`{"pad":[` + pad + `0],"n":"` + want + `"}`))
				if err != nil {
					t.Error(err)
					return
				}
				if s, _ := d.Root().Get("n").Str(); s != want {
					t.Errorf("goroutine %d read %q, want %q", g, s, want)
				}
				d.Release()
			}
		}()
	}
	wg.Wait()
}

func TestStrBytesInto(t *testing.T) {
	d, err := Parse([]byte(`{"plain":"abc","esc":"a\"b\u00e6\n","num":1}`))
	if err != nil {
		t.Fatal(err)
	}
	root := d.Root()
	scratch := make([]byte, 0, 64)
	if b, ok := root.Get("plain").StrBytesInto(scratch); !ok || string(b) != "abc" || &b[0] != &d.src[10] {
		t.Errorf("plain string: %q %v, want the document's own bytes", b, ok)
	}
	b, ok := root.Get("esc").StrBytesInto(scratch)
	if !ok || string(b) != "a\"bæ\n" || &b[0] != &scratch[:1][0] {
		t.Errorf("escaped string: %q %v, want it decoded into scratch", b, ok)
	}
	small := make([]byte, 0, 2)
	if b, ok := root.Get("esc").StrBytesInto(small); !ok || string(b) != "a\"bæ\n" || &b[0] == &small[:1][0] {
		t.Errorf("escaped string, small scratch: %q %v, want a new slice", b, ok)
	}
	if b, ok := root.Get("num").StrBytesInto(scratch); ok || b != nil {
		t.Errorf("number: %q %v", b, ok)
	}
}

// Plain and Number answer only for their own kind of value, and Plain only
// for a string without escapes, with the document's own bytes.
func TestPlainAndNumber(t *testing.T) {
	d, err := Parse([]byte(`{"plain":"abc","esc":"a\u0062c","num":-1.5e3,"numstr":"12","t":true,"n":null,"o":{},"a":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	root := d.Root()
	for _, c := range []struct {
		key        string
		plain, num string
		isPlain    bool
		isNumber   bool
	}{
		{"plain", "abc", "", true, false},
		{"esc", "", "", false, false},
		{"num", "", "-1.5e3", false, true},
		{"numstr", "12", "", true, false},
		{"t", "", "", false, false},
		{"n", "", "", false, false},
		{"o", "", "", false, false},
		{"a", "", "", false, false},
		{"missing", "", "", false, false},
	} {
		v := root.Get(c.key)
		if b, ok := v.Plain(); ok != c.isPlain || string(b) != c.plain {
			t.Errorf("%s: Plain() = %q, %v; want %q, %v", c.key, b, ok, c.plain, c.isPlain)
		} else if ok && &b[0] != &v.Raw()[0] {
			t.Errorf("%s: Plain() copied the bytes", c.key)
		}
		if b, ok := v.Number(); ok != c.isNumber || string(b) != c.num {
			t.Errorf("%s: Number() = %q, %v; want %q, %v", c.key, b, ok, c.num, c.isNumber)
		}
	}
	if b, ok := (Value{}).Plain(); ok || b != nil {
		t.Errorf("zero Value: Plain() = %q, %v", b, ok)
	}
	if b, ok := (Value{}).Number(); ok || b != nil {
		t.Errorf("zero Value: Number() = %q, %v", b, ok)
	}
}

// A Doc kept for parsing into again forgets its document, and keeps its
// node array only up to the size asked for.
func TestForget(t *testing.T) {
	var d Doc
	src := []byte(`{"a":[1,2,3],"b":"x"}`)
	if err := d.Reset(src); err != nil {
		t.Fatal(err)
	}
	d.Root().Get("b") // sets the lookup hint
	c := cap(d.nodes)
	d.Forget(c)
	if d.src != nil || len(d.nodes) != 0 || cap(d.nodes) != c || d.hintObj != 0 || d.hintKey != 0 {
		t.Fatalf("after Forget(%d): src %q, %d nodes (cap %d), hint %d/%d", c, d.src, len(d.nodes), cap(d.nodes), d.hintObj, d.hintKey)
	}
	if err := d.Reset(src); err != nil {
		t.Fatal(err)
	}
	if s, _ := d.Root().Get("b").Str(); s != "x" {
		t.Fatalf("parsed again: b = %q", s)
	}
	d.Forget(c - 1)
	if d.nodes != nil || d.src != nil {
		t.Fatalf("Forget below the array's size keeps %d slots", cap(d.nodes))
	}
}

// A Cursor over anything but an object finds nothing; over an object it
// finds members in document order, out of order and after a member that
// is not there.
func TestCursor(t *testing.T) {
	d, err := Parse([]byte(`{"a":1,"b":{"x":2},"c":[3],"d":"4"}`))
	if err != nil {
		t.Fatal(err)
	}
	root := d.Root()
	for _, v := range []Value{{}, root.Get("c"), root.Get("d"), root.Get("a")} {
		c := v.Cursor()
		if c.Get("a").Exists() || c.Get("x").Exists() {
			t.Errorf("a Cursor over a %v found a member", v.Kind())
		}
	}
	c := root.Cursor()
	for _, k := range []string{"a", "b", "zz", "c", "a", "d", "d", "b"} {
		if got, want := c.Get(k), root.Get(k); got != want {
			t.Errorf("Cursor.Get(%q) = %v; Get gives %v", k, got, want)
		}
	}
	nested := c.Get("b").Cursor()
	if got := nested.Get("x"); string(got.Raw()) != "2" {
		t.Errorf("nested Cursor: %q", got.Raw())
	}
	if b, ok := c.Object("b"); !ok || string(b.Get("x").Raw()) != "2" {
		t.Errorf("Object(b): %v, %q", ok, b.Get("x").Raw())
	}
	for _, k := range []string{"a", "c", "d", "zz"} {
		if o, ok := c.Object(k); ok || o.Get("x").Exists() {
			t.Errorf("Object(%q) is an object", k)
		}
	}
}
