package jumps

import (
	"bytes"
	"slices"
	"testing"
)

// TestProbeStack: in the first stretch (up to the call's SP reload) the
// accesses through SP end at 8, 40 and 24: one probe at 39 in front of the
// first. After `local.set SP` a new stretch starts, whose first access is
// its furthest: no probe. Inside the `if` the stretch goes on; after its
// `end` (paths join) another starts, again with a probe. An access through
// another local is no access through SP.
func TestProbeStack(t *testing.T) {
	const sp = 1
	body := []byte{
		0x01, 0x02, 0x7f, // locals: 2 × i32 (SP is 1, 2 another)
		0x20, sp, 0x29, 0x03, 0x00, 0x1a, // local.get SP; i64.load offset=0; drop   (end 8)
		0x20, 0x02, 0x29, 0x03, 0x60, 0x1a, // local.get 2; i64.load offset=96; drop (not SP)
		0x20, 0x00, 0x04, 0x40, //            if
		0x20, sp, 0x42, 0x01, 0x37, 0x03, 0x20, //   local.get SP; i64.const 1; i64.store offset=32 (end 40)
		0x0b,                             //                              end
		0x20, sp, 0x28, 0x02, 0x10, 0x1a, // local.get SP; i32.load offset=16; drop (end 20)
		0x20, sp, 0x29, 0x03, 0x08, 0x1a, // local.get SP; i64.load offset=8; drop (end 16)
		0x20, sp, 0x29, 0x03, 0x30, 0x1a, // local.get SP; i64.load offset=48; drop (end 56)
		0x20, sp, 0x42, 0x02, 0x37, 0x03, 0x18, // local.get SP; i64.const 2; i64.store offset=24 (end 32)
		0x23, 0x00, 0x21, sp, // global.get 0; local.set SP: a new stretch
		0x20, sp, 0x29, 0x03, 0x10, 0x1a, // local.get SP; i64.load offset=16 (end 24, the furthest)
		0x20, sp, 0x2d, 0x00, 0x05, 0x1a, // local.get SP; i32.load8_u offset=5 (end 6)
		0x42, 0x00, 0x0b,
	}
	probe := func(off byte) []byte { return []byte{0x20, sp, 0x2d, 0x00, off, 0x1a} }
	want := slices.Concat(
		body[:3],
		probe(39), body[3:27], // the first stretch runs into the if
		probe(55), body[27:54], // after the if's end
		body[54:],
	)
	out, n, ok := probeStack(body, sp)
	if !ok || n != 2 || !bytes.Equal(out, want) {
		t.Fatalf("probeStack: %d probes, ok %v:\n% x\nwant:\n% x", n, ok, out, want)
	}
	// An SP pushed before SP's local is written is no address of the
	// stretch after the write, and a call ends a stretch: in neither body
	// does an access reach further than the first of its stretch.
	for name, b := range map[string][]byte{
		"stale SP": {
			0x01, 0x02, 0x7f,
			0x20, sp, // the old SP, stored through below
			0x20, sp, 0x41, 0xe8, 0x07, 0x6b, 0x21, sp, // SP -= 1000
			0x42, 0x05, 0x37, 0x03, 0x00, // i64.store offset=0 through the old SP
			0x20, sp, 0x29, 0x03, 0xe8, 0x07, 0x1a, // local.get SP; i64.load offset=1000; drop
			0x42, 0x00, 0x0b,
		},
		"call": {
			0x01, 0x02, 0x7f,
			0x20, sp, 0x29, 0x03, 0x00, 0x1a, // local.get SP; i64.load offset=0 (end 8)
			0x41, 0x00, 0x10, 0x00, 0x1a, // i32.const 0; call 0; drop
			0x20, sp, 0x29, 0x03, 0x40, 0x1a, // local.get SP; i64.load offset=64 (end 72)
			0x42, 0x00, 0x0b,
		},
	} {
		if out, n, ok := probeStack(b, sp); !ok || n != 0 || !bytes.Equal(out, b) {
			t.Errorf("%s: %d probes, ok %v:\n% x", name, n, ok, out)
		}
	}

	// Undecodable: left alone.
	bad := []byte{0x00, 0xff, 0x0b}
	if out, n, ok := probeStack(bad, sp); ok || n != 0 || !bytes.Equal(out, bad) {
		t.Errorf("undecodable body: %v %d % x", ok, n, out)
	}
}
