package sandbox

import (
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/frontgate/frontgate/plugin/reservation"
)

// FaultKind is what an injected fault does to a matching API request.
type FaultKind string

// The fault kinds.
const (
	// FaultLatency delays the request by Latency, then lets it through (or
	// on to the next matching fault).
	FaultLatency FaultKind = "latency"
	// FaultRateLimit answers 429 with x-ratelimit-limit,
	// x-ratelimit-remaining: 0 and Retry-After (RetryAfter seconds,
	// default 1).
	FaultRateLimit FaultKind = "rate_limit"
	// FaultServerError answers the documented 500
	// internalErrorOccurredPleaseTryAgainLater body.
	FaultServerError FaultKind = "server_error"
	// FaultGatewayError answers the endpoint's documented 510 body.
	FaultGatewayError FaultKind = "gateway_error"
	// FaultTimeout holds the request without answering for Latency
	// (default and at most Config.HoldMax), or until the client gives up,
	// then drops the connection.
	FaultTimeout FaultKind = "timeout"
	// FaultDrop closes the connection without answering, before the
	// request has any effect.
	FaultDrop FaultKind = "drop"
	// FaultDropAfter handles the request (its effect is committed) and
	// then closes the connection without answering: the lost response
	// that idempotency keys exist for.
	FaultDropAfter FaultKind = "drop_after"
)

var faultKinds = []FaultKind{FaultLatency, FaultRateLimit, FaultServerError, FaultGatewayError, FaultTimeout, FaultDrop, FaultDropAfter}

// Fault is an injected failure of API requests. Faults are matched in the
// order injected; latency faults add up, and the first other fault that
// matches decides the answer.
type Fault struct {
	// ID is assigned by InjectFault.
	ID int `json:"id"`
	// Endpoint is an operation name (submit, create, details, capture,
	// charge, cancel, complete, resend, refund, history) or "*" for all.
	Endpoint string `json:"endpoint"`
	// Kind is what the fault does.
	Kind FaultKind `json:"kind"`
	// Times is how many requests the fault hits before it expires; 0
	// means every matching request until cleared.
	Times int `json:"times,omitempty"`
	// Probability, between 0 and 1, is the chance that a matching request
	// is hit; 0 means 1 (always). Misses do not use up Times.
	Probability float64 `json:"probability,omitempty"`
	// Latency is the delay of FaultLatency and the hold of FaultTimeout.
	Latency time.Duration `json:"-"`
	// RetryAfter is the Retry-After of FaultRateLimit, in seconds.
	RetryAfter int `json:"retryAfter,omitempty"`
	// Body, if set, replaces the documented body of FaultServerError,
	// FaultGatewayError and FaultRateLimit.
	Body string `json:"body,omitempty"`
	// Hits counts the requests the fault has hit so far.
	Hits int `json:"hits"`
}

// ErrBadFault is returned for a fault that names an unknown endpoint or
// kind, or has an out-of-range number.
var ErrBadFault = errors.New("sandbox: invalid fault")

func (f *Fault) validate() error {
	if f.Endpoint != "*" && !slices.Contains(Endpoints, f.Endpoint) {
		return errors.Join(ErrBadFault, errors.New("unknown endpoint "+quoteName(f.Endpoint)))
	}
	if !slices.Contains(faultKinds, f.Kind) {
		return errors.Join(ErrBadFault, errors.New("unknown kind "+quoteName(string(f.Kind))))
	}
	if f.Times < 0 || f.Probability < 0 || f.Probability > 1 || f.Latency < 0 || f.RetryAfter < 0 {
		return errors.Join(ErrBadFault, errors.New("negative times, latency or retryAfter, or probability outside 0..1"))
	}
	return nil
}

func quoteName(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return `"` + s + `"`
}

// faultSet is the injected faults.
type faultSet struct {
	mu     sync.Mutex
	nextID int
	list   []*Fault
}

func (fs *faultSet) add(f Fault) (int, error) {
	if err := f.validate(); err != nil {
		return 0, err
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.nextID++
	f.ID, f.Hits = fs.nextID, 0
	fs.list = append(fs.list, &f)
	return f.ID, nil
}

func (fs *faultSet) clear() {
	fs.mu.Lock()
	fs.list = nil
	fs.mu.Unlock()
}

func (fs *faultSet) remove(id int) bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	n := len(fs.list)
	fs.list = slices.DeleteFunc(fs.list, func(f *Fault) bool { return f.ID == id })
	return len(fs.list) != n
}

func (fs *faultSet) snapshot() []Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make([]Fault, len(fs.list))
	for i, f := range fs.list {
		out[i] = *f
	}
	return out
}

// pick rolls the faults for one request to op: the total latency to add,
// and the fault that decides the answer (nil: none). Exhausted faults are
// removed.
func (fs *faultSet) pick(op string, roll func() float64) (time.Duration, *Fault) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var latency time.Duration
	var decisive *Fault
	for _, f := range fs.list {
		if f.Endpoint != "*" && f.Endpoint != op {
			continue
		}
		if f.Kind != FaultLatency && decisive != nil {
			continue
		}
		if f.Probability > 0 && f.Probability < 1 && roll() >= f.Probability {
			continue
		}
		f.Hits++
		if f.Kind == FaultLatency {
			latency += f.Latency
		} else {
			c := *f
			decisive = &c
		}
	}
	fs.list = slices.DeleteFunc(fs.list, func(f *Fault) bool { return f.Times > 0 && f.Hits >= f.Times })
	return latency, decisive
}

// The documented 500 and 510 bodies, byte for byte as the reference prints
// them (plugin/reservation/testdata/responses holds the same text; a test
// keeps the two equal). Submit's 510 is not valid JSON in the reference,
// and is sent that way: clients must survive it.
const (
	body500 = `{
    "status_code": 500,
    "status_message": "Internal Dependency Error",
    "message": "internalErrorOccurredPleaseTryAgainLater",
    "is_error": true,
    "errors": {
        "happenedAt": "String",
        "internalErrorDetails": "Array"
    }
}
`
	body510Submit = `{
  "status_code": 510,
  "status_message": "Internal Dependency Error",
  "message": "Payment Gateway Error(Submit Payment): Failed to Create Payment Link",
  "is_error": true,
  "errors": {
    "Payment Gateway Error(Submit Payment): Failed to Create Payment Link"
  }
}
`
	body510Create = `{
    "status_code": 510,
    "status_message": "Internal Dependency Error",
    "message": "Payment Gateway Error: Failed to Create Checkout Session",
    "is_error": true,
    "errors": [
        "Payment Gateway Error(Submit Payment): Failed to Create Checkout Session At: PAR156"
    ]
}
`
	body510 = `{
    "status_code": 510,
    "status_message": "Execution Exception Occurred",
    "message": "Something Went Wrong",
    "is_error": true,
    "errors": "Array"
}
`
	body510Refund = `{
    "status_code": 510,
    "status_message": "Execution Exception Occurred",
    "message": "somethingWentWrong",
    "is_error": true,
    "errors": "Array"
}
`
)

// DocumentedErrorBody returns the body the sandbox sends for a 500 or 510
// fault on op: the reference's own example for that operation (history,
// which documents none, gets details'). Other codes give "".
func DocumentedErrorBody(op string, code int) string {
	switch code {
	case 500:
		return body500
	case 510:
		switch op {
		case reservation.OpSubmit:
			return body510Submit
		case reservation.OpCreate:
			return body510Create
		case reservation.OpRefund:
			return body510Refund
		}
		return body510
	}
	return ""
}

func faultReply(op string, f *Fault) reply {
	code := 500
	if f.Kind == FaultGatewayError {
		code = 510
	}
	if f.Body != "" {
		return reply{code, []byte(f.Body)}
	}
	return reply{code, []byte(DocumentedErrorBody(op, code))}
}

// rateLimitReply is the 429 answer. The reference documents the headers
// (in recorded traffic) but no body; this is the common envelope.
func rateLimitReply(f *Fault) reply {
	if f.Body != "" {
		return reply{429, []byte(f.Body)}
	}
	return errorReply(429, "Too Many Requests", "tooManyAttempts", true, nil)
}
