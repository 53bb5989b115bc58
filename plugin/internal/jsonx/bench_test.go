package jsonx_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/frontgate/frontgate/plugin/internal/jsonx"
)

func BenchmarkParse(b *testing.B) {
	src, err := os.ReadFile("testdata/order.json")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Parse", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := jsonx.Parse(src); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Reset", func(b *testing.B) {
		var d jsonx.Doc
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			if err := d.Reset(src); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) { // reference only
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			var v any
			if err := json.Unmarshal(src, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkParseWideObject guards against duplicate-key checks going
// quadratic again: 10,000 members.
func BenchmarkParseWideObject(b *testing.B) {
	src := []byte(wideObject(10000, ""))
	var d jsonx.Doc
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if err := d.Reset(src); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriter(b *testing.B) {
	w := jsonx.NewWriter(nil)
	writeOrder(w)
	b.SetBytes(int64(len(w.Bytes())))
	b.ReportAllocs()
	for b.Loop() {
		w.Reset()
		writeOrder(w)
	}
}
