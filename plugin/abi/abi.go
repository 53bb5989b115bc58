// Package abi is the contract between frontgate.wasm and every host that
// loads it: export names, the ABI version, envelope error codes and limits.
// The guest shim and the Go host both import it, so the two cannot drift;
// plugin/ABI.md is its prose form.
package abi

// Version of the ABI. Semver: a new operation, or a new optional form of
// an operation's input or output, raises Minor; changing an export's
// signature, the envelope, or an operation's input or output in an
// incompatible way raises Major. A host refuses a module whose Major differs
// from its own.
//
// 1.1.0: the parse operations also take the response body as the JSON
// object or array itself (ParsedBodySince).
// 1.1.1: fixes: lists FrontGo writes as PHP objects are read; an empty
// status or operation name in the status operations is bad_input.
// 1.2.0: upstream errors carry outcomeUnknown (a new member, hence the
// minor), and a 5xx answer to a write is no longer retryable; fixes:
// charge lines read discount (and kind) as order lines do, every input
// refuses members it does not know, build errors name the input's own
// paths, and the rest listed in plugin/ABI.md.
// 1.2.1: fixes: totalTax only as rounding makes it, blank or negative
// amounts in details refused, whole numbers past 64 bits refused in every
// operation.
const (
	Major = 1
	Minor = 2
	Patch = 1
	// Version is Major.Minor.Patch as text.
	Version = "1.2.1"
)

// ParsedBodySince is the first ABI version whose parse operations take the
// body as a JSON value, the input's last member, besides the body's text as
// a JSON string. A host sends a module of an older minor the text.
const ParsedBodySince uint32 = 1<<16 | 1<<8

// PackedVersion is what FuncVersion returns: Major<<16 | Minor<<8 | Patch.
const PackedVersion uint32 = Major<<16 | Minor<<8 | Patch

// UnpackVersion splits a FuncVersion result.
func UnpackVersion(v uint32) (major, minor, patch int) {
	return int(v >> 16), int(v >> 8 & 0xff), int(v & 0xff)
}

// Exports that are not operations.
const (
	// FuncInitialize is the reactor initialiser of a c-shared wasip1
	// module. Hosts call it once per instance, before anything else.
	FuncInitialize = "_initialize"
	// FuncVersion () -> i32: the PackedVersion of the module.
	FuncVersion = "frontgate_abi_version"
	// FuncAlloc (size i32) -> i32: guest memory for an input; 0 when size
	// is 0 or over MaxInput.
	FuncAlloc = "frontgate_alloc"
	// FuncFree (ptr i32): releases memory from FuncAlloc or a result.
	FuncFree = "frontgate_free"
	// FuncMarker () -> i32 returns Major. Its name carries the major
	// version, so a host can tell a frontgate module, and its ABI
	// generation, from the export list alone.
	FuncMarker = "frontgate_abi_v1"
)

// Operation exports, each (ptr i32, len i32) -> i64: the input JSON at
// ptr/len in guest memory, the result a packed pointer to the envelope.
const (
	FuncManifest = "manifest"

	FuncValidateSubmit   = "validate_submit"
	FuncValidateCreate   = "validate_create"
	FuncValidateDetails  = "validate_details"
	FuncValidateCapture  = "validate_capture"
	FuncValidateCharge   = "validate_charge"
	FuncValidateCancel   = "validate_cancel"
	FuncValidateComplete = "validate_complete"
	FuncValidateResend   = "validate_resend"
	FuncValidateRefund   = "validate_refund"
	FuncValidateHistory  = "validate_history"

	FuncBuildSubmit   = "build_submit"
	FuncBuildCreate   = "build_create"
	FuncBuildDetails  = "build_details"
	FuncBuildCapture  = "build_capture"
	FuncBuildCharge   = "build_charge"
	FuncBuildCancel   = "build_cancel"
	FuncBuildComplete = "build_complete"
	FuncBuildResend   = "build_resend"
	FuncBuildRefund   = "build_refund"
	FuncBuildHistory  = "build_history"

	FuncParseSubmit   = "parse_submit"
	FuncParseCreate   = "parse_create"
	FuncParseDetails  = "parse_details"
	FuncParseCapture  = "parse_capture"
	FuncParseCharge   = "parse_charge"
	FuncParseCancel   = "parse_cancel"
	FuncParseComplete = "parse_complete"
	FuncParseResend   = "parse_resend"
	FuncParseRefund   = "parse_refund"
	FuncParseHistory  = "parse_history"

	FuncVerifyCallback   = "verify_callback"
	FuncStatusCheck      = "status_check"
	FuncStatusAllowed    = "status_allowed"
	FuncStatusTransition = "status_transition"
)

// Operation describes one operation export.
type Operation struct {
	Name  string
	Since string // ABI version that added it
}

// Operations lists every operation export in manifest order. A host can
// check a module's manifest against it.
var Operations = []Operation{
	{FuncManifest, "1.0.0"},
	{FuncValidateSubmit, "1.0.0"}, {FuncValidateCreate, "1.0.0"}, {FuncValidateDetails, "1.0.0"},
	{FuncValidateCapture, "1.0.0"}, {FuncValidateCharge, "1.0.0"}, {FuncValidateCancel, "1.0.0"},
	{FuncValidateComplete, "1.0.0"}, {FuncValidateResend, "1.0.0"}, {FuncValidateRefund, "1.0.0"},
	{FuncValidateHistory, "1.0.0"},
	{FuncBuildSubmit, "1.0.0"}, {FuncBuildCreate, "1.0.0"}, {FuncBuildDetails, "1.0.0"},
	{FuncBuildCapture, "1.0.0"}, {FuncBuildCharge, "1.0.0"}, {FuncBuildCancel, "1.0.0"},
	{FuncBuildComplete, "1.0.0"}, {FuncBuildResend, "1.0.0"}, {FuncBuildRefund, "1.0.0"},
	{FuncBuildHistory, "1.0.0"},
	{FuncParseSubmit, "1.0.0"}, {FuncParseCreate, "1.0.0"}, {FuncParseDetails, "1.0.0"},
	{FuncParseCapture, "1.0.0"}, {FuncParseCharge, "1.0.0"}, {FuncParseCancel, "1.0.0"},
	{FuncParseComplete, "1.0.0"}, {FuncParseResend, "1.0.0"}, {FuncParseRefund, "1.0.0"},
	{FuncParseHistory, "1.0.0"},
	{FuncVerifyCallback, "1.0.0"}, {FuncStatusCheck, "1.0.0"}, {FuncStatusAllowed, "1.0.0"},
	{FuncStatusTransition, "1.0.0"},
}

// Envelope error codes: error.code of a {"ok":false} result.
const (
	CodeBadInput   = "bad_input"  // the input is not the operation's JSON shape
	CodeValidation = "validation" // the request broke FrontGo's rules; error.fields lists them
	CodeUpstream   = "upstream"   // a parsed FrontGo answer was a failure; error.kind etc. describe it
	CodeCallback   = "callback"   // a callback failed verification; error.reason says why
	CodeRefused    = "refused"    // the status machine forbids the operation
	CodeTooLarge   = "too_large"  // the input exceeds MaxInput
	CodeUnknownOp  = "unknown_op" // no such operation
	CodeInternal   = "internal"   // a bug: the guest recovered from a panic
)

// Limits.
const (
	// MaxInput is the largest input an operation accepts, in bytes.
	MaxInput = 1 << 20
)

// Pack packs a result pointer and length into the u64 an operation export
// returns: ptr<<32 | len.
func Pack(ptr, size uint32) uint64 { return uint64(ptr)<<32 | uint64(size) }

// Unpack splits a packed result.
func Unpack(v uint64) (ptr, size uint32) { return uint32(v >> 32), uint32(v) }
