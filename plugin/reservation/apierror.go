package reservation

import (
	"errors"
	"github.com/frontgate/frontgate/plugin/internal/text"
	"strconv"
)

// ErrorKind classifies a FrontGo failure by what the caller should do about
// it.
type ErrorKind string

// The error kinds.
const (
	KindUnauthorized ErrorKind = "unauthorized" // 401: the bearer token is missing or wrong
	KindNotFound     ErrorKind = "not_found"    // 404: reservationNotFound, orderNotFound, paymentCardNotFound
	KindValidation   ErrorKind = "validation"   // 417: payloadValidationErrors
	KindBusiness     ErrorKind = "business"     // 400: "Conflict of Business Logic"
	KindRateLimited  ErrorKind = "rate_limited" // 429
	KindServer       ErrorKind = "server"       // 500 and other 5xx
	KindDependency   ErrorKind = "dependency"   // 510: the payment gateway behind FrontGo failed
	KindUnexpected   ErrorKind = "unexpected"   // any other status
	KindMalformed    ErrorKind = "malformed"    // a 2xx answer whose body is not what the reference documents
)

// FrontGo message keys, the stable `message` values of its answers. The
// reference documents each under the operation that returns it.
const (
	MsgReservationNotFound                 = "reservationNotFound"
	MsgOrderNotFound                       = "orderNotFound"
	MsgPaymentCardNotFound                 = "paymentCardNotFound"
	MsgPayloadValidationErrors             = "payloadValidationErrors"
	MsgCaptureExceedsRunway                = "requestedCaptureAmountExceedAvailableCaptureRunway"
	MsgReservationAlreadyCancelled         = "reservationStatusAlreadyCancelled"
	MsgReservationAlreadyCompleted         = "reservationStatusAlreadyCompleted"
	MsgCaptureDeadlineExceeded             = "paymentCaptureDeadlineExceed"
	MsgChargeRunwayExceeded                = "paymentChargeRunwayExceed"
	MsgChargeDeadlineExceeded              = "paymentChargeDeadlineExceed"
	MsgPrerequisiteFailedToCancel          = "prerequisiteFailedToCancelReservation"
	MsgPrerequisiteFailedToComplete        = "prerequisiteFailedToCompleteReservation"
	MsgOrderAlreadyCompleted               = "orderStatusAlreadyCompleted"
	MsgOrderAlreadyCancelled               = "orderStatusAlreadyCancelled"
	MsgRefundProductNotAvailable           = "requestProductIdNotAvailable"
	MsgRefundGreaterThanOrderAmount        = "refundRejectionForRefundRequestGreaterThanOrderAmount"
	MsgRefundProductAmountExceeded         = "refundRejectionForProductAmountExceed"
	MsgRefundWeeklyThresholdExceeded       = "refundRejectionForWeeklyThresholdExceed"
	MsgRefundRequestAmountThresholdExceeds = "refundRejectionForRequestAmountThresholdExceed"
	MsgInternalError                       = "internalErrorOccurredPleaseTryAgainLater"
	MsgSomethingWentWrong                  = "somethingWentWrong"
)

// APIError is every FrontGo failure, decoded: what kind, the HTTP status,
// the provider's message key and status message, its error strings, and the
// request id the caller saw in the response headers (if any).
type APIError struct {
	Op            string
	Kind          ErrorKind
	HTTPStatus    int
	StatusMessage string
	MessageKey    string
	// Errors holds the provider's `errors` flattened to strings: an array
	// of strings as the demo API sends, an object's "key: value" pairs, or
	// a lone string.
	Errors []string
	// Fields holds response-shape problems for KindMalformed.
	Fields    []FieldError
	RequestID string
}

func (e *APIError) Error() string {
	s := "frontgo: " + e.Op + ": "
	if e.HTTPStatus != 0 {
		s += strconv.Itoa(e.HTTPStatus) + " "
	}
	s += string(e.Kind)
	if e.MessageKey != "" {
		s += ": " + text.Cut(e.MessageKey, 200)
	}
	if len(e.Fields) > 0 {
		s += ": " + e.Fields[0].String()
		if len(e.Fields) > 1 {
			s += " (and " + strconv.Itoa(len(e.Fields)-1) + " more)"
		}
	}
	if e.OutcomeUnknown() {
		s += "; outcome unknown: the " + e.Op + " may have happened at FrontGo: read the reservation before trying again"
	}
	return s
}

// IsWrite reports whether op changes state at FrontGo: submit, create,
// capture, charge, cancel, complete, resend and refund. Details and history
// only read.
func IsWrite(op string) bool {
	switch op {
	case OpSubmit, OpCreate, OpCapture, OpCharge, OpCancel, OpComplete, OpResend, OpRefund:
		return true
	}
	return false
}

// OutcomeUnknown reports whether e answers a write that FrontGo may have
// carried out all the same: no answer came (HTTP status 0), the answer was
// a 5xx (FrontGo or its payment gateway failed, perhaps after acting), or
// it was a 2xx whose body is not the documented success. Such a failure is
// not a refusal: the caller reads the reservation's state before doing
// anything else, since sending the write again could capture, charge or
// refund twice. Refusals (4xx) and failures of reads are never unknown.
func (e *APIError) OutcomeUnknown() bool {
	if !IsWrite(e.Op) {
		return false
	}
	switch {
	case e.HTTPStatus == 0, e.HTTPStatus >= 500:
		return true
	case e.HTTPStatus >= 200 && e.HTTPStatus < 300:
		return e.Kind == KindMalformed
	}
	return false
}

// retryable decides, for every caller alike, whether sending the same
// request again may succeed and is safe. A 429 is: FrontGo refused before
// acting. FrontGo's own or its gateway's failures (5xx) are for reads, but
// not for writes, whose outcome they leave unknown (OutcomeUnknown).
// Declines, validation and business conflicts never are.
func (e *APIError) retryable() bool {
	switch e.Kind {
	case KindRateLimited:
		return true
	case KindServer, KindDependency:
		return !IsWrite(e.Op)
	}
	return false
}

// IsRetryable reports whether err is a FrontGo failure worth sending again
// as it is: a 429 for any operation, a 5xx only for a read (details,
// history). A write that failed with a 5xx may have happened: see
// OutcomeUnknown.
func IsRetryable(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.retryable()
}

// IsOutcomeUnknown reports whether err is a failed write that FrontGo may
// have carried out (APIError.OutcomeUnknown).
func IsOutcomeUnknown(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.OutcomeUnknown()
}

// Is lets errors.Is match on the message key: errors.Is(err,
// &APIError{MessageKey: MsgReservationNotFound}).
func (e *APIError) Is(target error) bool {
	t, ok := target.(*APIError)
	if !ok {
		return false
	}
	return (t.MessageKey == "" || t.MessageKey == e.MessageKey) && (t.Kind == "" || t.Kind == e.Kind)
}

func kindOf(status int) ErrorKind {
	switch {
	case status == 401 || status == 403:
		return KindUnauthorized
	case status == 404:
		return KindNotFound
	case status == 417 || status == 422:
		return KindValidation
	case status == 400 || status == 409:
		return KindBusiness
	case status == 429:
		return KindRateLimited
	case status == 510:
		return KindDependency
	case status >= 500:
		return KindServer
	}
	return KindUnexpected
}
