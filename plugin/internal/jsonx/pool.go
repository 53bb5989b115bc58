package jsonx

import "sync"

// docPool holds Docs whose node arrays can be parsed into again.
var docPool sync.Pool

// maxPooledNodes bounds the node array a released Doc may keep (24 bytes a
// node): a rare huge document is left to the collector instead.
const maxPooledNodes = 1 << 14

// ParseTemp is Parse into a recycled Doc, for a caller that knows when it
// is done with the document: it must call Release once no Value of the Doc
// is used any more, and must not keep Values past that. Hot paths parse
// many short-lived documents; allocating and zeroing a fresh node array for
// each cost a sixth to a third of a small operation's time in the wasm
// guest (BENCHMARKS.md, fourth session).
func ParseTemp(src []byte) (*Doc, error) {
	d, _ := docPool.Get().(*Doc)
	if d == nil {
		d = &Doc{}
	}
	if err := d.Reset(src); err != nil {
		d.Release()
		return nil, err
	}
	return d, nil
}

// Release returns a Doc from ParseTemp to the pool. It forgets the source
// and empties the nodes, so a Value used after Release fails loudly (an
// index out of range) until the Doc is parsed into again. Release of nil
// does nothing.
func (d *Doc) Release() {
	if d == nil {
		return
	}
	d.Forget(maxPooledNodes)
	if d.nodes != nil {
		docPool.Put(d)
	}
}

// Forget drops d's source and, if its node array has grown past maxNodes,
// the array too, for a caller that keeps d to parse into again (Reset):
// nothing the last document referenced stays reachable through d.
func (d *Doc) Forget(maxNodes int) {
	d.src, d.hintObj, d.hintKey = nil, 0, 0
	if cap(d.nodes) > maxNodes {
		d.nodes = nil
		return
	}
	d.nodes = d.nodes[:0]
}
