package jsonx

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sameParse fails t when the iterative parser and the reference disagree
// on src: the same nodes (a key's fingerprint aside) or the same error.
func sameParse(t *testing.T, src []byte, own bool) {
	t.Helper()
	want, wantErr := refParse(src, own)
	got, gotErr := parse(src, make([]node, 0, 16+len(src)/8), own)
	var we, ge *SyntaxError
	if (wantErr == nil) != (gotErr == nil) {
		t.Fatalf("%q: reference error %v, got %v", src, wantErr, gotErr)
	}
	if wantErr != nil {
		if !errors.As(wantErr, &we) || !errors.As(gotErr, &ge) || *we != *ge {
			t.Fatalf("%q: reference error %v, got %v", src, wantErr, gotErr)
		}
		return
	}
	if len(want) != len(got) {
		t.Fatalf("%q: %d nodes, reference %d", src, len(got), len(want))
	}
	for i := range want {
		g := got[i]
		if g.kind == Object {
			var keys uint32
			for j := i + 1; j < int(g.next); j = int(got[j+1].next) {
				if got[j].escaped {
					keys = ^uint32(0)
					break
				}
				keys |= keyBit(keyHash(src[got[j].start:got[j].end]))
			}
			if g.keys != keys {
				t.Fatalf("%q: object %d key filter %x, want %x", src, i, g.keys, keys)
			}
			g.keys = 0
		}
		if g.isKey {
			if g.n != keyHash(src[g.start:g.end]) {
				t.Fatalf("%q: node %d fingerprint %x", src, i, g.n)
			}
			g.n = 0
		}
		if g != want[i] {
			t.Fatalf("%q: node %d is %+v, reference %+v", src, i, g, want[i])
		}
	}
}

// parserCorpus is every JSON document in the repository's test data plus
// hand-made edge cases for each error.
func parserCorpus(t *testing.T) [][]byte {
	docs := [][]byte{}
	for _, s := range []string{
		``, ` `, `{`, `[`, `{}`, `[]`, `{ }`, `[ ]`, `{"a":1}`, `{"a":1,"a":2}`, `{"a":1,"\u0061":2}`, `{"ab":1,"ba":2}`,
		`{"a" 1}`, `{"a":}`, `{"a":1,}`, `{"a":1 "b":2}`, `[1,]`, `[1 2]`, `[1,2`, `{"a":1`, `{1:2}`, `{"a":[}`,
		`"abc`, `"a\`, `"a\x"`, `"\u12"`, `"\u12G4"`, "\"a\x01\"", "\"\xff\"", `"é"`, `tru`, `nul`, `falsy`, `true false`,
		`-`, `-a`, `01`, `1.`, `1.e5`, `1e`, `1e+`, `1E-7`, `-0.5e10`, `@`, `é`, `{"a":{"b":{"c":[1,2,{"d":null}]}}}`,
		`{"":1,"":2}`, `{"x":"\"","y":"\\"}`, ` {"a" : [ true , false , null ] } `, `[[[[[]]]]]`, `{"a":1}x`,
		strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth),
		strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1),
		strings.Repeat(`{"a":`, MaxDepth) + "1" + strings.Repeat("}", MaxDepth),
		strings.Repeat(`{"a":`, MaxDepth+1) + "1" + strings.Repeat("}", MaxDepth+1),
	} {
		docs = append(docs, []byte(s))
	}
	// Objects around the point where duplicate detection switches to a set.
	for _, n := range []int{dupScanMembers - 1, dupScanMembers, dupScanMembers + 1, 3 * dupScanMembers} {
		for _, dupAt := range []int{-1, 0, n / 2, n - 1} {
			var b strings.Builder
			b.WriteString("{")
			for i := 0; i < n; i++ {
				if i > 0 {
					b.WriteString(",")
				}
				k := "k" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + string(rune('a'+i/26))
				if i == n-1 && dupAt >= 0 {
					k = "k" + strings.Repeat("x", dupAt%7) + string(rune('a'+dupAt%26)) + string(rune('a'+dupAt/26))
				}
				b.WriteString(`"` + k + `":` + `[` + `{"z":1}` + `]`)
			}
			b.WriteString("}")
			docs = append(docs, []byte(b.String()))
		}
	}
	root := filepath.Join("..", "..", "..")
	for _, dir := range []string{"plugin", "host", "adapters"} {
		filepath.WalkDir(filepath.Join(root, dir), func(p string, e os.DirEntry, err error) error {
			if err == nil && !e.IsDir() && (strings.HasSuffix(p, ".json") || strings.Contains(p, "testdata/fuzz/FuzzParse")) {
				if b, err := os.ReadFile(p); err == nil {
					docs = append(docs, b)
				}
			}
			return nil
		})
	}
	if len(docs) < 300 {
		t.Fatalf("only %d documents in the corpus", len(docs))
	}
	return docs
}

func TestParserMatchesReference(t *testing.T) {
	for _, src := range parserCorpus(t) {
		sameParse(t, src, false)
		sameParse(t, src, true)
		// Every prefix of small documents exercises each error path.
		if len(src) < 400 {
			for i := range src {
				sameParse(t, src[:i], false)
			}
		}
	}
}

func FuzzParserMatchesReference(f *testing.F) {
	for _, s := range []string{`{"a":[1,"x",{"b":null}]}`, `{"a":1,"a":2}`, `"\u00e9\n"`, `[1e5,-0.5,true]`} {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, src []byte, own bool) { sameParse(t, src, own) })
}
