package jumps

import (
	"bytes"
	"slices"
)

// A faster memeqbody.
//
// Go's wasm runtime compares memory (runtime.memequal: string and slice
// comparisons, map keys) in memeqbody, a loop over single bytes written in
// the toolchain's assembly. Under wazero each byte is a load, a bounds
// check and a compare of its own; the keys the core compares (member
// names, field names) made it the single hottest function of the hot
// operations. fastMemeq replaces exactly that body, recognised byte for
// byte (another toolchain's differs and is left alone), with one that
// compares eight bytes at a time while eight or more are left, then the
// rest byte by byte, as before:
//
//	(func (param $a i64) (param $b i64) (param $n i64) (result i64)
//	  (if (i64.eq a b) (then (return (i64.const 1))))
//	  (block $tail
//	    (loop $words
//	      (br_if $tail (i64.lt_u n (i64.const 8)))
//	      (if (i64.ne (i64.load a) (i64.load b)) (then (return (i64.const 0))))
//	      a += 8; b += 8; n -= 8
//	      (br $words)))
//	  … the original byte loop …)
//
// The answer is the same for every input whose two ranges lie in memory.
// The bytes read are the same ones, [a, a+n) and [b, b+n), except that
// after a difference the word loop may already have read up to seven more
// bytes of the word holding it. So a range that runs past the end of
// memory can trap where the byte loop had already answered 0 (never the
// other way round); Go calls memequal only on two values of n bytes each,
// which are in memory, so nothing traps that did not.

// memeqbodyGo is memeqbody's body as Go's wasm assembler writes it.
var memeqbodyGo = []byte{
	0x00,
	0x20, 0x00, 0x20, 0x01, 0x51, 0x04, 0x40, 0x42, 0x01, 0x0f, 0x0b,
	0x03, 0x40,
	0x20, 0x02, 0x50, 0x04, 0x40, 0x42, 0x01, 0x0f, 0x0b,
	0x20, 0x00, 0xa7, 0x31, 0x00, 0x00, 0x20, 0x01, 0xa7, 0x31, 0x00, 0x00, 0x52, 0x04, 0x40, 0x42, 0x00, 0x0f, 0x0b,
	0x20, 0x00, 0x42, 0x01, 0x7c, 0x21, 0x00,
	0x20, 0x01, 0x42, 0x01, 0x7c, 0x21, 0x01,
	0x20, 0x02, 0x42, 0x01, 0x7d, 0x21, 0x02,
	0x0c, 0x00,
	0x0b,
	0x00, 0x00,
	0x0b,
}

// memeqbodyWords is the replacement: memeqbody's first test, the word
// loop, then memeqbody's own byte loop, ending unreachable.
var memeqbodyWords = slices.Concat(
	memeqbodyGo[:12], // no locals; a == b: equal
	[]byte{
		0x02, 0x40, // block $tail
		0x03, 0x40, // loop $words
		0x20, 0x02, 0x42, 0x08, 0x54, 0x0d, 0x01, // n < 8: on to the byte loop
		0x20, 0x00, 0xa7, 0x29, 0x00, 0x00, 0x20, 0x01, 0xa7, 0x29, 0x00, 0x00, 0x52, 0x04, 0x40, 0x42, 0x00, 0x0f, 0x0b,
		0x20, 0x00, 0x42, 0x08, 0x7c, 0x21, 0x00, // a += 8
		0x20, 0x01, 0x42, 0x08, 0x7c, 0x21, 0x01, // b += 8
		0x20, 0x02, 0x42, 0x08, 0x7d, 0x21, 0x02, // n -= 8
		0x0c, 0x00,
		0x0b, // end loop
		0x0b, // end block
	},
	memeqbodyGo[12:len(memeqbodyGo)-3], // the byte loop, through its end
	[]byte{0x00, 0x0b},                 // unreachable; end
)

// fastMemeq returns the replacement when body is Go's memeqbody.
func fastMemeq(body []byte) ([]byte, bool) {
	if bytes.Equal(body, memeqbodyGo) {
		return memeqbodyWords, true
	}
	return body, false
}
