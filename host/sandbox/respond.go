package sandbox

import (
	"encoding/json"

	"github.com/frontgate/frontgate/plugin/money"
	"github.com/frontgate/frontgate/plugin/reservation"
)

// reply is an API answer: status and body. FrontGo's HTTP status always
// equals the body's status_code.
type reply struct {
	code int
	body []byte
}

// dataEnvelope is FrontGo's success shape, and the shape of the errors the
// reference prints with is_data/data.
type dataEnvelope struct {
	StatusCode    int    `json:"status_code"`
	StatusMessage string `json:"status_message"`
	Message       string `json:"message"`
	IsData        bool   `json:"is_data"`
	Data          any    `json:"data"`
}

// errorEnvelope is the shape of the errors the reference prints with
// is_error/errors.
type errorEnvelope struct {
	StatusCode    int    `json:"status_code"`
	StatusMessage string `json:"status_message"`
	Message       string `json:"message"`
	IsError       bool   `json:"is_error"`
	Errors        any    `json:"errors"`
}

func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Every value encoded here is built by this package from plain
		// types; failing is a bug, not input.
		panic("sandbox: encoding an answer: " + err.Error())
	}
	return b
}

func dataReply(code int, statusMsg, msg string, isData bool, data any) reply {
	return reply{code, encode(dataEnvelope{code, statusMsg, msg, isData, data})}
}

func errorReply(code int, statusMsg, msg string, isError bool, errs any) reply {
	return reply{code, encode(errorEnvelope{code, statusMsg, msg, isError, errs})}
}

// Status messages FrontGo writes beside the codes.
const (
	smOK           = "OK"
	smNotFound     = "Not Found"
	smClientError  = "Client Error"
	smConflict     = "Conflict of Business Logic"
	smUnauthorized = "Unauthorized"
)

// validationReply is the 417 payloadValidationErrors answer. errors is an
// array of "path: message" strings, as the real demo API sends them.
func validationReply(ve *reservation.ValidationError) reply {
	errs := make([]string, 0, len(ve.Fields))
	for _, f := range ve.Fields {
		errs = append(errs, f.String())
	}
	return errorReply(417, smClientError, reservation.MsgPayloadValidationErrors, true, errs)
}

// notFoundReply is the 404 of op: reservationNotFound with is_data for
// details, capture, charge and complete; orderNotFound with is_error for
// cancel, resend and refund, as the reference prints each.
func notFoundReply(op string) reply {
	switch op {
	case reservation.OpCancel, reservation.OpResend, reservation.OpRefund:
		return errorReply(404, smNotFound, reservation.MsgOrderNotFound, false, nil)
	}
	return dataReply(404, smNotFound, reservation.MsgReservationNotFound, false, nil)
}

// refusalReply writes a business refusal in the shape the reference prints
// for that operation and key.
func refusalReply(op string, rf *refusal) reply {
	sm := smConflict
	if rf.code == 404 {
		sm = smNotFound
	}
	switch op {
	case reservation.OpCancel, reservation.OpResend:
		return errorReply(rf.code, sm, rf.key, false, nil)
	case reservation.OpRefund:
		switch rf.key {
		case reservation.MsgRefundProductNotAvailable:
			return dataReply(rf.code, sm, rf.key, false, nil)
		case reservation.MsgRefundGreaterThanOrderAmount:
			return errorReply(rf.code, sm, rf.key, false, nil)
		case reservation.MsgRefundProductAmountExceeded:
			return errorReply(rf.code, sm, rf.key, true, []string{"the refund of a product exceeds what is left of it on the referenced transaction"})
		}
		return errorReply(rf.code, sm, rf.key, true, nil)
	}
	return dataReply(rf.code, sm, rf.key, false, nil)
}

// unauthorizedReply answers a missing or wrong bearer token. The reference
// documents the 401 but not its body; this is the envelope every other
// error uses.
func unauthorizedReply() reply {
	return errorReply(401, smUnauthorized, "unauthenticated", true, nil)
}

// amountJSON writes an amount as a JSON number with two decimals
// (1000.00), the form FrontGo's numeric fields take.
type amountJSON money.Amount

func (a amountJSON) MarshalJSON() ([]byte, error) { return money.Amount(a).Append(nil), nil }

// amountText writes an amount as a JSON string ("100.00"), as history's
// amount is.
type amountText money.Amount

func (a amountText) MarshalJSON() ([]byte, error) {
	b := append([]byte{'"'}, money.Amount(a).Append(nil)...)
	return append(b, '"'), nil
}

// rateJSON writes a tax rate as a JSON number in percent (25, 12.5).
type rateJSON money.Rate

func (r rateJSON) MarshalJSON() ([]byte, error) { return money.Rate(r).Append(nil), nil }

// nullStr is a string that is null when empty, as FrontGo's optional
// fields are.
func nullStr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
