//go:build !frontgate_embed

package wasmbuild

// embedded is empty in ordinary builds: the module comes from the checkout.
var embedded []byte
