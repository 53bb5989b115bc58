package wasmbuild

import (
	"bytes"
	"testing"
)

func TestMemoryLimits(t *testing.T) {
	// A module with one memory of 43 pages and no maximum, then a custom
	// section that must survive the rewrite.
	mod := []byte("\x00asm\x01\x00\x00\x00")
	mod = append(mod, 5, 3, 1, 0, 43)
	custom := []byte{0, 4, 1, 'x', 'y', 'z'}
	mod = append(mod, custom...)
	if n, max, has, err := Memory(mod); err != nil || n != 43 || has || max != 0 {
		t.Fatalf("Memory = %d, %d, %v, %v", n, max, has, err)
	}
	capped, err := WithMemoryMax(mod, 300)
	if err != nil {
		t.Fatal(err)
	}
	if n, max, has, err := Memory(capped); err != nil || n != 43 || !has || max != 300 {
		t.Fatalf("Memory of the capped module = %d, %d, %v, %v", n, max, has, err)
	}
	if !bytes.HasSuffix(capped, custom) {
		t.Fatalf("the sections after memory were not kept: %x", capped)
	}
	if _, err := WithMemoryMax(mod, 10); err == nil {
		t.Fatal("a maximum below the initial size was accepted")
	}
	if _, _, _, err := Memory(mod[:10]); err == nil {
		t.Fatal("a truncated module was read")
	}
}
