package wasmrt

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/frontgate/frontgate/plugin/abi"
)

// ErrClosed is returned by calls on a closed Wasm.
var ErrClosed = errors.New("wasmrt: runtime closed")

// ErrTrap matches (errors.Is) every TrapError.
var ErrTrap = errors.New("trap")

// TrapError reports a call that aborted inside the module: a WebAssembly
// trap, a guest exit, or a result the host could not read. The instance
// that failed has been discarded and is being replaced. ID is short and
// random; it is logged with the details, so an HTTP 500 can carry it
// without exposing them.
type TrapError struct {
	ID   string
	Func string
	Err  error
}

func (e *TrapError) Error() string {
	return "wasmrt: " + e.Func + ": trap " + e.ID + ": " + e.Err.Error()
}

// Unwrap returns the runtime's error.
func (e *TrapError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrTrap) true.
func (e *TrapError) Is(target error) bool { return target == ErrTrap }

// VersionError is returned when a module speaks an ABI major version other
// than the host's.
type VersionError struct {
	Module     string // the module's full version, e.g. "2.0.0"
	HostMajor  int
	HostMinor  int
	NoVersions bool // the module has no frontgate_abi_version export
}

func (e *VersionError) Error() string {
	if e.NoVersions {
		return "wasmrt: not a frontgate module: no " + abi.FuncVersion + " export"
	}
	return fmt.Sprintf("wasmrt: wasm module speaks ABI %s, this host speaks %d.x (up to %d.%d)",
		e.Module, e.HostMajor, e.HostMajor, e.HostMinor)
}

func versionString(packed uint32) string {
	ma, mi, pa := abi.UnpackVersion(packed)
	return strconv.Itoa(ma) + "." + strconv.Itoa(mi) + "." + strconv.Itoa(pa)
}
