//go:build frontgate_embed

package wasmbuild

import _ "embed"

// embedded is the module `go run ./build -embed` placed next to this file.
//
//go:embed frontgate.wasm
var embedded []byte
