//go:build race

package wasmrt

// raceBuild reports a build with the race detector, whose instrumentation
// and sync.Pool (which drops items at random under it) allocate.
const raceBuild = true
