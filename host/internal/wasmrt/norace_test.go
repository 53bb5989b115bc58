//go:build !race

package wasmrt

const raceBuild = false
