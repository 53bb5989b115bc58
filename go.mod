module github.com/frontgate/frontgate

go 1.26

require (
	github.com/patrickmn/go-cache v2.1.0+incompatible
	github.com/tetratelabs/wazero v1.12.0
	github.com/valyala/fasthttp v1.74.0
)

require (
	github.com/klauspost/compress v1.20.0 // indirect
	github.com/molecule-man/go-brrr v1.0.1 // indirect
	github.com/valyala/bytebufferpool v1.0.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
)
