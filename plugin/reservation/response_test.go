package reservation

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/frontgate/frontgate/plugin/internal/jsonx"
	"github.com/frontgate/frontgate/plugin/money"
)

// responsesDir holds every response example of the FrontGo reference,
// byte for byte; testdata/responses/README.md says where each comes from.
const responsesDir = "testdata/responses"

func readResponse(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(responsesDir, name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// responseFiles lists the example files (README.md excluded), sorted.
func responseFiles(tb testing.TB) []string {
	tb.Helper()
	names, err := filepath.Glob(filepath.Join(responsesDir, "*.json"))
	if err != nil {
		tb.Fatal(err)
	}
	for i, n := range names {
		names[i] = filepath.Base(n)
	}
	slices.Sort(names)
	return names
}

// fixtureOp and fixtureStatus read "<op>-<status>-<key>.json".
func fixtureOp(name string) string { return strings.SplitN(name, "-", 3)[0] }

func fixtureStatus(tb testing.TB, name string) int {
	tb.Helper()
	n, err := strconv.Atoi(strings.SplitN(name, "-", 3)[1])
	if err != nil {
		tb.Fatalf("%s: no status in the file name", name)
	}
	return n
}

// parseOp runs the parser of operation op. The result is a typed pointer
// or slice (possibly a typed nil).
func parseOp(op string, r Response) (any, error) {
	switch op {
	case OpSubmit:
		return ParseSubmit(r)
	case OpCreate:
		return ParseCreate(r)
	case OpDetails:
		return ParseDetails(r)
	case OpCapture:
		return ParseCapture(r)
	case OpCharge:
		return ParseCharge(r)
	case OpCancel, OpComplete, OpResend, OpRefund:
		return ParseAck(op, r)
	case OpHistory:
		return ParseHistory(r)
	}
	panic("unknown operation " + op)
}

// apiErr builds the expected error of a documented failure.
func apiErr(op string, status int, kind ErrorKind, statusMsg, key string, errs ...string) *APIError {
	return &APIError{Op: op, Kind: kind, HTTPStatus: status, StatusMessage: statusMsg, MessageKey: key, Errors: errs}
}

// placeholder417 is every documented 417: `"errors": "Array"`.
func placeholder417(op string) *APIError {
	e := apiErr(op, 417, KindValidation, "Client Error", MsgPayloadValidationErrors, "Array")
	e.Fields = []FieldError{{Rule: "frontgo", Message: "Array"}}
	return e
}

func business(op, key string, errs ...string) *APIError {
	return apiErr(op, 400, KindBusiness, "Conflict of Business Logic", key, errs...)
}

func wentWrong(op string) *APIError {
	return apiErr(op, 510, KindDependency, "Execution Exception Occurred", "Something Went Wrong", "Array")
}

// checkAPIError compares err with want field by field. err must be an
// *APIError itself, not wrapped. A want field error with an empty Message
// matches any non-empty message (used for syntax errors, whose text is the
// JSON layer's).
func checkAPIError(t *testing.T, err error, want *APIError) {
	t.Helper()
	got, ok := err.(*APIError)
	if !ok || got == nil {
		t.Fatalf("error = %#v (%v), want an *APIError", err, err)
	}
	if got.Op != want.Op || got.Kind != want.Kind || got.HTTPStatus != want.HTTPStatus ||
		got.StatusMessage != want.StatusMessage || got.MessageKey != want.MessageKey || got.RequestID != want.RequestID {
		t.Errorf("error = {Op:%q Kind:%q HTTPStatus:%d StatusMessage:%q MessageKey:%q RequestID:%q}\n"+
			"    want {Op:%q Kind:%q HTTPStatus:%d StatusMessage:%q MessageKey:%q RequestID:%q}",
			got.Op, got.Kind, got.HTTPStatus, got.StatusMessage, got.MessageKey, got.RequestID,
			want.Op, want.Kind, want.HTTPStatus, want.StatusMessage, want.MessageKey, want.RequestID)
	}
	if !slices.Equal(got.Errors, want.Errors) || (got.Errors == nil) != (want.Errors == nil) {
		t.Errorf("Errors = %#v, want %#v", got.Errors, want.Errors)
	}
	checkFields(t, got.Fields, want.Fields)
}

func checkFields(t *testing.T, got, want []FieldError) {
	t.Helper()
	same := len(got) == len(want)
	for i := 0; same && i < len(got); i++ {
		same = got[i].Path == want[i].Path && got[i].Rule == want[i].Rule &&
			got[i].Message != "" && (want[i].Message == "" || got[i].Message == want[i].Message)
	}
	if !same {
		t.Errorf("Fields:\n%s\nwant:\n%s", fieldList(got), fieldList(want))
	}
}

func fieldList(fs []FieldError) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "\t%s [%s] %s\n", f.Path, f.Rule, f.Message)
	}
	return b.String()
}

// schemaFields is what ParseDetails must report for the reference's 200
// example, whose values are type names. Worked out by hand from the schema:
// "String" placeholders are acceptable text except as a reservation uuid;
// "Float" and "Integer" are not numbers; "Boolean" is not a boolean;
// "Timestamp" and "Nullable|String" are acceptable text. Listed in document
// order.
var schemaFields = []FieldError{
	{Path: "data.reservationUuid", Rule: RuleUUID},
	{Path: "data.isPaid", Rule: RuleType},
	{Path: "data.productList.0.id", Rule: RuleNumber},
	{Path: "data.productList.0.quantity", Rule: RuleNumber},
	{Path: "data.productList.0.rate", Rule: RuleNumber},
	{Path: "data.productList.0.discount", Rule: RuleNumber},
	{Path: "data.productList.0.tax", Rule: RuleNumber},
	{Path: "data.productList.0.amount", Rule: RuleNumber},
	{Path: "data.productList.0.reserved", Rule: RuleNumber},
	{Path: "data.productList.0.captured", Rule: RuleNumber},
	{Path: "data.grandTotal", Rule: RuleNumber},
	{Path: "data.sendOrderBy.sms", Rule: RuleType},
	{Path: "data.sendOrderBy.email", Rule: RuleType},
	{Path: "data.paymentDetails.reservedAmount", Rule: RuleNumber},
	{Path: "data.paymentDetails.capturedAmount", Rule: RuleNumber},
	{Path: "data.paymentDetails.chargedAmount", Rule: RuleNumber},
	{Path: "data.paymentDetails.amountRefunded.fromCaptured", Rule: RuleNumber},
	{Path: "data.paymentDetails.amountRefunded.fromCharge", Rule: RuleNumber},
	{Path: "data.paymentHistory.reserved.0.amount", Rule: RuleNumber},
	{Path: "data.paymentHistory.captured.0.amount", Rule: RuleNumber},
	{Path: "data.paymentHistory.captured.0.isRefunded", Rule: RuleType},
	{Path: "data.paymentHistory.captured.0.refunded", Rule: RuleNumber},
	{Path: "data.paymentHistory.charged.0.amount", Rule: RuleNumber},
	{Path: "data.paymentHistory.charged.0.isRefunded", Rule: RuleType},
	{Path: "data.paymentHistory.charged.0.refunded", Rule: RuleNumber},
	{Path: "data.paymentHistory.refunded.0.amount", Rule: RuleNumber},
	{Path: "data.paymentHistory.refunded.0.isRefunded", Rule: RuleType},
	{Path: "data.paymentHistory.refunded.0.isPartial", Rule: RuleType},
}

// concreteDetails is details-200-concrete.json, parsed by hand.
var concreteDetails = &Details{
	ReservationUUID: "RES1943140879",
	Status:          "CAPTURED",
	IsPaid:          true,
	Products: []DetailsProduct{
		{ID: 298, Name: "Double room, 2 nights", ProductID: "ROOM-DBL", Quantity: "2", Rate: 125050,
			Tax: money.Percent(12), Amount: 250100, Reserved: 250100, Captured: 250100},
		{ID: 299, Name: "Breakfast", Quantity: "3", Rate: 14995,
			Tax: money.Percent(15), Amount: 44985, Reserved: 44985},
	},
	GrandTotal:      295085,
	ReservationDate: "03.09.2025 10:15",
	PaymentLinkDue:  "10.09.2025 23:59",
	SendOrderBy:     SendOrderBy{Email: true},
	Customer: DetailsCustomer{CountryCode: "+47", MSISDN: "46567468", Email: "kari.nordmann@example.no", Name: "Kari Nordmann",
		Address: Address{Street: "Storgata 1", Zip: "0155", City: "Oslo", Country: "NO"}},
	ReferenceNumber: "ORD-10042",
	ChargeValidity:  "55",
	CustomerNotes:   "Late check-in, around 22:00.",
	Payment: PaymentDetails{ReservedAt: "03.09.2025 10:17", Reserved: 295085, Captured: 250100,
		RefundedFromCaptured: 25010},
	Organization: &Organization{Name: "Fjordhotell AS", BillingAddress: DetailsCustomer{
		CountryCode: "+47", MSISDN: "22334455", Email: "faktura@fjordhotell.no",
		Address: Address{Street: "Bryggen 7", Zip: "5003", City: "Bergen", Country: "NO"}}},
	TranslationKey: "reservationCaptured",
	History: PaymentHistory{
		Reserved: []PaymentEvent{{At: "03.09.2025 10:17", Amount: 295085}},
		Captured: []PaymentEvent{{At: "05.09.2025 11:02", Amount: 250100, Reference: "CAP2086719043",
			IsRefunded: true, Refunded: 25010, AdditionalText: "Room captured at check-out"}},
		Charged:  []PaymentEvent{},
		Refunded: []PaymentEvent{{At: "06.09.2025 09:30", Amount: 25010, Reference: "CAP2086719043", IsRefunded: true, IsPartial: true}},
	},
}

// responseCases gives, per example file, the exact result or error its
// operation's parser returns when the HTTP status equals the example's
// status_code. RequestID is filled in by the test.
var responseCases = map[string]struct {
	want    any
	wantErr *APIError
}{
	"submit-201-success.json": {want: &Created{CustomerUUID: "CSRT1358046874", ReservationUUID: "RES1943140879",
		URL: "https://stg.frontpayment.no/reservations/details/RES1943140879", Message: "Reservation Submitted Successfully"}},
	"submit-500-internalErrorOccurredPleaseTryAgainLater.json": {wantErr: apiErr(OpSubmit, 500, KindServer,
		"Internal Dependency Error", MsgInternalError, "happenedAt: String", "internalErrorDetails: Array")},
	// Not JSON: only the message survives, by scanning.
	"submit-510-payment-gateway-error-not-json.json": {wantErr: apiErr(OpSubmit, 510, KindDependency,
		"", "Payment Gateway Error(Submit Payment): Failed to Create Payment Link")},

	"create-201-success.json": {want: &Created{CustomerUUID: "CSRT3463048878", ReservationUUID: "RES4161996022",
		URL: "https://v1.checkout.bambora.com/aa7ec3f47b0d45b286bcc595ab0d9613", Message: "Reservation Submitted Successfully"}},
	"create-500-internalErrorOccurredPleaseTryAgainLater.json": {wantErr: apiErr(OpCreate, 500, KindServer,
		"Internal Dependency Error", MsgInternalError, "happenedAt: String", "internalErrorDetails: Array")},
	"create-510-payment-gateway-error.json": {wantErr: apiErr(OpCreate, 510, KindDependency,
		"Internal Dependency Error", "Payment Gateway Error: Failed to Create Checkout Session",
		"Payment Gateway Error(Submit Payment): Failed to Create Checkout Session At: PAR156")},

	"details-200-schema.json": {wantErr: &APIError{Op: OpDetails, Kind: KindMalformed, HTTPStatus: 200,
		MessageKey: "reservationRetrievedSuccessfully", Fields: schemaFields}},
	"details-200-concrete.json":             {want: concreteDetails},
	"details-404-reservationNotFound.json":  {wantErr: apiErr(OpDetails, 404, KindNotFound, "Not Found", MsgReservationNotFound)},
	"details-510-something-went-wrong.json": {wantErr: wentWrong(OpDetails)},

	"capture-202-reservationCapturedSuccessfully.json":                    {want: &Transaction{UUID: "String", Message: "reservationCapturedSuccessfully"}},
	"capture-404-reservationNotFound.json":                                {wantErr: apiErr(OpCapture, 404, KindNotFound, "Not Found", MsgReservationNotFound)},
	"capture-417-payloadValidationErrors.json":                            {wantErr: placeholder417(OpCapture)},
	"capture-510-something-went-wrong.json":                               {wantErr: wentWrong(OpCapture)},
	"capture-400-requestedCaptureAmountExceedAvailableCaptureRunway.json": {wantErr: business(OpCapture, MsgCaptureExceedsRunway)},
	"capture-400-reservationStatusAlreadyCancelled.json":                  {wantErr: business(OpCapture, MsgReservationAlreadyCancelled)},
	"capture-400-paymentCaptureDeadlineExceed.json":                       {wantErr: business(OpCapture, MsgCaptureDeadlineExceeded)},

	"charge-202-reservationChargedSuccessfully.json": {want: &Transaction{UUID: "String", Message: "reservationChargedSuccessfully"}},
	"charge-404-reservationNotFound.json":            {wantErr: apiErr(OpCharge, 404, KindNotFound, "Not Found", MsgReservationNotFound)},
	"charge-417-payloadValidationErrors.json":        {wantErr: placeholder417(OpCharge)},
	"charge-510-something-went-wrong.json":           {wantErr: wentWrong(OpCharge)},
	"charge-404-paymentCardNotFound.json":            {wantErr: apiErr(OpCharge, 404, KindNotFound, "Not Found", MsgPaymentCardNotFound)},
	"charge-400-paymentChargeRunwayExceed.json":      {wantErr: business(OpCharge, MsgChargeRunwayExceeded)},
	"charge-400-paymentChargeDeadlineExceed.json":    {wantErr: business(OpCharge, MsgChargeDeadlineExceeded)},

	"cancel-202-cancelledOrderSuccessfully.json":            {want: &Ack{Message: "cancelledOrderSuccessfully"}},
	"cancel-404-orderNotFound.json":                         {wantErr: apiErr(OpCancel, 404, KindNotFound, "Not Found", MsgOrderNotFound)},
	"cancel-417-payloadValidationErrors.json":               {wantErr: placeholder417(OpCancel)},
	"cancel-400-reservationStatusAlreadyCompleted.json":     {wantErr: business(OpCancel, MsgReservationAlreadyCompleted)},
	"cancel-400-prerequisiteFailedToCancelReservation.json": {wantErr: business(OpCancel, MsgPrerequisiteFailedToCancel)},
	"cancel-510-something-went-wrong.json":                  {wantErr: wentWrong(OpCancel)},

	"complete-202-reservationCompletedSuccessfully.json":        {want: &Ack{Message: "reservationCompletedSuccessfully"}},
	"complete-404-reservationNotFound.json":                     {wantErr: apiErr(OpComplete, 404, KindNotFound, "Not Found", MsgReservationNotFound)},
	"complete-417-payloadValidationErrors.json":                 {wantErr: placeholder417(OpComplete)},
	"complete-400-prerequisiteFailedToCompleteReservation.json": {wantErr: business(OpComplete, MsgPrerequisiteFailedToComplete)},
	"complete-510-something-went-wrong.json":                    {wantErr: wentWrong(OpComplete)},

	"resend-202-resentOrderSuccessfully.json":                               {want: &Ack{Message: "resentOrderSuccessfully"}},
	"resend-404-orderNotFound.json":                                         {wantErr: apiErr(OpResend, 404, KindNotFound, "Not Found", MsgOrderNotFound)},
	"resend-417-payloadValidationErrors.json":                               {wantErr: placeholder417(OpResend)},
	"resend-400-orderStatusAlreadyCompleted.json":                           {wantErr: business(OpResend, MsgOrderAlreadyCompleted)},
	"resend-400-orderStatusAlreadyCancelled.json":                           {wantErr: business(OpResend, MsgOrderAlreadyCancelled)},
	"resend-510-something-went-wrong.json":                                  {wantErr: wentWrong(OpResend)},
	"refund-202-orderRefundedSuccessfully.json":                             {want: &Ack{Message: "orderRefundedSuccessfully"}},
	"refund-404-orderNotFound.json":                                         {wantErr: apiErr(OpRefund, 404, KindNotFound, "Not Found", MsgOrderNotFound)},
	"refund-417-payloadValidationErrors.json":                               {wantErr: placeholder417(OpRefund)},
	"refund-510-somethingWentWrong.json":                                    {wantErr: apiErr(OpRefund, 510, KindDependency, "Execution Exception Occurred", MsgSomethingWentWrong, "Array")},
	"refund-400-requestProductIdNotAvailable.json":                          {wantErr: business(OpRefund, MsgRefundProductNotAvailable)},
	"refund-400-refundRejectionForRefundRequestGreaterThanOrderAmount.json": {wantErr: business(OpRefund, MsgRefundGreaterThanOrderAmount)},
	"refund-400-refundRejectionForProductAmountExceed.json":                 {wantErr: business(OpRefund, MsgRefundProductAmountExceeded, "Array")},
	"refund-400-refundRejectionForWeeklyThresholdExceed.json":               {wantErr: business(OpRefund, MsgRefundWeeklyThresholdExceeded)},
	"refund-400-refundRejectionForRequestAmountThresholdExceed.json":        {wantErr: business(OpRefund, MsgRefundRequestAmountThresholdExceeds)},

	"history-200-reservationRetrievedSuccessfully.json": {want: []HistoryEvent{
		{UUID: "RES3410395156", Title: "refund-sent-from-captured", DateTime: "21.01.2024 04:00", Amount: 10000},
		{UUID: "RES3410395156", Title: "refund-sent-from-charged", DateTime: "21.01.2024 04:03", Amount: 20000},
	}},
}

var statusCodeRE = regexp.MustCompile(`"status_code":\s*(\d+)`)

// TestParseResponseExamples replays every example of the reference through
// its operation's parser.
func TestParseResponseExamples(t *testing.T) {
	files := responseFiles(t)
	for name := range responseCases {
		if !slices.Contains(files, name) {
			t.Errorf("%s: case without a file", name)
		}
	}
	for _, name := range files {
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			tc, ok := responseCases[name]
			if !ok {
				t.Fatalf("no expectation for %s: add one to responseCases", name)
			}
			body := readResponse(t, name)
			status := fixtureStatus(t, name)
			m := statusCodeRE.FindSubmatch(body)
			if m == nil || string(m[1]) != strconv.Itoa(status) {
				t.Fatalf("file name says status %d, body says %q", status, m)
			}
			r := Response{Status: status, Body: body, RequestID: "req-" + name}
			got, err := parseOp(fixtureOp(name), r)
			if tc.wantErr != nil {
				want := *tc.wantErr
				want.RequestID = r.RequestID
				checkAPIError(t, err, &want)
				if rv := reflect.ValueOf(got); !rv.IsNil() {
					t.Errorf("result = %#v alongside an error, want nil", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("error = %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("result =\n%#v\nwant\n%#v", got, tc.want)
			}
		})
	}
}

// TestParseResponseErrorString pins how a decoded failure reads in logs.
func TestParseResponseErrorString(t *testing.T) {
	tests := []struct {
		file, want string
	}{
		{"details-404-reservationNotFound.json", "frontgo: details: 404 not_found: reservationNotFound"},
		{"capture-417-payloadValidationErrors.json", "frontgo: capture: 417 validation: payloadValidationErrors: Array"},
		{"details-200-schema.json", "frontgo: details: 200 malformed: reservationRetrievedSuccessfully: " +
			"data.reservationUuid: is not a reservation identifier (and 27 more)"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			_, err := parseOp(fixtureOp(tc.file), Response{Status: fixtureStatus(t, tc.file), Body: readResponse(t, tc.file)})
			if err == nil || err.Error() != tc.want {
				t.Errorf("Error() = %v, want %q", err, tc.want)
			}
		})
	}
}

const (
	okSubmit = `{"status_code":201,"status_message":"OK","message":"Reservation Submitted Successfully","is_data":true,"data":%s}`
	html429  = "<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n<body>\r\n<center><h1>429 Too Many Requests</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
	laravel  = `{"status_code":417,"status_message":"Client Error","message":"payloadValidationErrors","is_error":true,` +
		`"errors":{"customerDetails.email":["The email must be a valid email address."],"products.0.tax":["The products.0.tax must be a number.","The selected products.0.tax is invalid."]}}`
)

func refund400(errorsJSON string) []byte {
	return []byte(`{"status_code":400,"status_message":"Conflict of Business Logic","message":"refundRejectionForProductAmountExceed","is_error":true,"errors":` + errorsJSON + `}`)
}

func submitData(data string) []byte { return []byte(fmt.Sprintf(okSubmit, data)) }

// TestParseResponseEdgeCases covers what the reference does not show but
// real traffic does: bodies that contradict the status, proxies' pages,
// truncated or reshaped successes, and every form of `errors`.
func TestParseResponseEdgeCases(t *testing.T) {
	const rid = "req-7f3a"
	laravelFields := []FieldError{
		{Path: "customerDetails.email", Rule: "frontgo", Message: "The email must be a valid email address."},
		{Path: "products.0.tax", Rule: "frontgo", Message: "The products.0.tax must be a number."},
		{Path: "products.0.tax", Rule: "frontgo", Message: "The selected products.0.tax is invalid."},
	}
	laravelErrors := []string{
		"customerDetails.email: The email must be a valid email address.",
		"products.0.tax: The products.0.tax must be a number.",
		"products.0.tax: The selected products.0.tax is invalid.",
	}
	malformed := func(op string, status int, key string, fields ...FieldError) *APIError {
		return &APIError{Op: op, Kind: KindMalformed, HTTPStatus: status, MessageKey: key, Fields: fields, RequestID: rid}
	}
	withID := func(e *APIError) *APIError { e.RequestID = rid; return e }
	withFields := func(e *APIError, fs ...FieldError) *APIError { e.Fields = fs; return withID(e) }
	const submitted = "Reservation Submitted Successfully"

	tests := []struct {
		name   string
		op     string
		status int
		body   []byte
		want   *APIError
	}{
		// The worse of HTTP status and status_code wins.
		{"http 200 with status_code 417", OpResend, 200, []byte(laravel),
			withFields(apiErr(OpResend, 417, KindValidation, "Client Error", MsgPayloadValidationErrors, laravelErrors...), laravelFields...)},
		{"http 201 with status_code 500", OpSubmit, 201, readResponse(t, "submit-500-internalErrorOccurredPleaseTryAgainLater.json"),
			withID(apiErr(OpSubmit, 500, KindServer, "Internal Dependency Error", MsgInternalError, "happenedAt: String", "internalErrorDetails: Array"))},
		{"http 202 with status_code 404", OpCapture, 202, readResponse(t, "capture-404-reservationNotFound.json"),
			withID(apiErr(OpCapture, 404, KindNotFound, "Not Found", MsgReservationNotFound))},
		{"http 417 with status_code 202", OpCancel, 417, readResponse(t, "cancel-202-cancelledOrderSuccessfully.json"),
			withID(apiErr(OpCancel, 417, KindValidation, "OK", "cancelledOrderSuccessfully"))},
		{"http 404 with status_code 510 keeps 404", OpDetails, 404, readResponse(t, "details-510-something-went-wrong.json"),
			withID(apiErr(OpDetails, 404, KindNotFound, "Execution Exception Occurred", "Something Went Wrong", "Array"))},

		// Bodies that are not FrontGo's.
		{"429 html", OpSubmit, 429, []byte(html429), withID(apiErr(OpSubmit, 429, KindRateLimited, "", ""))},
		{"429 laravel throttle", OpCapture, 429, []byte(`{"message": "Too Many Attempts."}`),
			withID(apiErr(OpCapture, 429, KindRateLimited, "", "Too Many Attempts."))},
		{"502 empty body", OpDetails, 502, nil, withID(apiErr(OpDetails, 502, KindServer, "", ""))},
		{"503 empty body", OpCharge, 503, []byte{}, withID(apiErr(OpCharge, 503, KindServer, "", ""))},
		{"401 laravel", OpHistory, 401, []byte(`{"message":"Unauthenticated."}`),
			withID(apiErr(OpHistory, 401, KindUnauthorized, "", "Unauthenticated."))},
		{"302 redirect", OpSubmit, 302, []byte("Redirecting to https://demo-api.frontpayment.no/login"),
			withID(apiErr(OpSubmit, 302, KindUnexpected, "", ""))},

		// Successes that are not what the reference documents.
		{"201 not json", OpSubmit, 201, []byte("<html><body>OK</body></html>"),
			malformed(OpSubmit, 201, "", FieldError{Rule: RuleJSON})},
		{"202 empty body", OpRefund, 202, nil, malformed(OpRefund, 202, "", FieldError{Rule: RuleJSON})},
		{"201 json array", OpCreate, 201, []byte(`[]`), malformed(OpCreate, 201, "", FieldError{Rule: RuleType})},
		{"200 json string", OpHistory, 200, []byte(`"ok"`), malformed(OpHistory, 200, "", FieldError{Rule: RuleType})},
		{"submit without reservationUuid", OpSubmit, 201,
			submitData(`{"customerUuid":"CSRT1358046874","checkoutUrl":"https://stg.frontpayment.no/reservations/details/RES1"}`),
			malformed(OpSubmit, 201, submitted, FieldError{Path: "data.reservationUuid", Rule: RuleRequired})},
		{"submit reservationUuid that walks the path", OpSubmit, 201,
			submitData(`{"customerUuid":"CSRT1","reservationUuid":"RES1/../../admin","checkoutUrl":"https://stg.frontpayment.no/x"}`),
			malformed(OpSubmit, 201, submitted, FieldError{Path: "data.reservationUuid", Rule: RuleUUID})},
		{"submit reservationUuid as number", OpSubmit, 201,
			submitData(`{"reservationUuid":1943140879,"checkoutUrl":"https://stg.frontpayment.no/x"}`),
			malformed(OpSubmit, 201, submitted, FieldError{Path: "data.reservationUuid", Rule: RuleType})},
		{"submit javascript checkoutUrl", OpSubmit, 201,
			submitData(`{"customerUuid":"CSRT1","reservationUuid":"RES1943140879","checkoutUrl":"javascript:alert(1)"}`),
			malformed(OpSubmit, 201, submitted, FieldError{Path: "data.checkoutUrl", Rule: RuleURL})},
		{"submit checkoutUrl with credentials", OpSubmit, 201,
			submitData(`{"reservationUuid":"RES1943140879","checkoutUrl":"https://user:pw@evil.example/"}`),
			malformed(OpSubmit, 201, submitted, FieldError{Path: "data.checkoutUrl", Rule: RuleURL})},
		{"create relative paymentUrl", OpCreate, 201,
			submitData(`{"customerUuid":"CSRT1","reservationUuid":"RES4161996022","paymentUrl":"/checkout/aa7ec3f4"}`),
			malformed(OpCreate, 201, submitted, FieldError{Path: "data.paymentUrl", Rule: RuleURL})},
		{"create answering with checkoutUrl", OpCreate, 201,
			submitData(`{"customerUuid":"CSRT1","reservationUuid":"RES4161996022","checkoutUrl":"https://stg.frontpayment.no/x"}`),
			malformed(OpCreate, 201, submitted, FieldError{Path: "data.paymentUrl", Rule: RuleRequired})},
		{"submit data null", OpSubmit, 201, submitData(`null`), malformed(OpSubmit, 201, submitted, FieldError{Path: "data", Rule: RuleRequired})},
		{"submit data missing and no url", OpSubmit, 201, submitData(`{}`), malformed(OpSubmit, 201, submitted,
			FieldError{Path: "data.reservationUuid", Rule: RuleRequired}, FieldError{Path: "data.checkoutUrl", Rule: RuleRequired})},
		{"capture without uuid", OpCapture, 202, []byte(`{"status_code":202,"message":"reservationCapturedSuccessfully","data":{}}`),
			malformed(OpCapture, 202, "reservationCapturedSuccessfully", FieldError{Path: "data.uuid", Rule: RuleRequired})},
		{"charge data array", OpCharge, 202, []byte(`{"status_code":202,"message":"reservationChargedSuccessfully","data":[]}`),
			malformed(OpCharge, 202, "reservationChargedSuccessfully", FieldError{Path: "data", Rule: RuleType})},
		{"history data object", OpHistory, 200, []byte(`{"status_code":200,"message":"m","data":{}}`),
			malformed(OpHistory, 200, "m", FieldError{Path: "data", Rule: RuleType})},
		{"history data object with a key that is not an index", OpHistory, 200, []byte(`{"status_code":200,"message":"m","data":{"0":{},"a":{}}}`),
			malformed(OpHistory, 200, "m", FieldError{Path: "data", Rule: RuleType})},
		{"history data object with a leading zero", OpHistory, 200, []byte(`{"status_code":200,"message":"m","data":{"01":{}}}`),
			malformed(OpHistory, 200, "m", FieldError{Path: "data", Rule: RuleType})},
		{"history data object list, element errors at its keys", OpHistory, 200,
			[]byte(`{"status_code":200,"message":"m","data":{"3":{"uuid":"RES1","title":"t","datetime":"2024-01-21 04:00"}}}`),
			malformed(OpHistory, 200, "m", FieldError{Path: "data.3.datetime", Rule: RuleTimestamp})},
		{"history bad datetime and amount", OpHistory, 200,
			[]byte(`{"status_code":200,"message":"m","data":[{"uuid":"RES1","title":"t","datetime":"2024-01-21 04:00","amount":"1.005"}]}`),
			malformed(OpHistory, 200, "m", FieldError{Path: "data.0.datetime", Rule: RuleTimestamp}, FieldError{Path: "data.0.amount", Rule: RulePrecision})},
		{"details duplicate key", OpDetails, 200, []byte(`{"status_code":200,"data":{"reservationUuid":"RES1","reservationUuid":"RES2"}}`),
			malformed(OpDetails, 200, "", FieldError{Rule: RuleJSON})},
		{"details without uuid and status", OpDetails, 200, []byte(`{"status_code":200,"message":"m","data":{}}`),
			malformed(OpDetails, 200, "m", FieldError{Path: "data.reservationUuid", Rule: RuleRequired}, FieldError{Path: "data.status", Rule: RuleRequired})},
		{"details amount with three decimals", OpDetails, 200,
			[]byte(`{"status_code":200,"data":{"reservationUuid":"RES1","status":"RESERVED","grandTotal":10.001,"productList":[{"id":0,"tax":"101"}]}}`),
			malformed(OpDetails, 200, "", FieldError{Path: "data.productList.0.id", Rule: RuleMin},
				FieldError{Path: "data.productList.0.tax", Rule: RuleTaxRate}, FieldError{Path: "data.grandTotal", Rule: RulePrecision})},

		// The forms of `errors`.
		{"errors array of strings", OpRefund, 400, refund400(`["Refund amount exceeds product amount","Product 510 is already refunded"]`),
			withID(business(OpRefund, MsgRefundProductAmountExceeded, "Refund amount exceeds product amount", "Product 510 is already refunded"))},
		{"errors object of arrays", OpRefund, 400, refund400(`{"products.0.amount":["exceeds 15.00","must be positive"],"grandTotal":["mismatch"]}`),
			withID(business(OpRefund, MsgRefundProductAmountExceeded, "products.0.amount: exceeds 15.00", "products.0.amount: must be positive", "grandTotal: mismatch"))},
		{"errors nested object", OpRefund, 400, refund400(`{"happenedAt":"2025-09-03 10:15:00","internalErrorDetails":{"code":"PAR156","lines":["a"]}}`),
			withID(business(OpRefund, MsgRefundProductAmountExceeded, "happenedAt: 2025-09-03 10:15:00", "internalErrorDetails.code: PAR156", "internalErrorDetails.lines: a"))},
		{"errors plain string", OpRefund, 400, refund400(`"Refund is not possible"`),
			withID(business(OpRefund, MsgRefundProductAmountExceeded, "Refund is not possible"))},
		{"errors placeholder Array", OpRefund, 400, refund400(`"Array"`),
			withID(business(OpRefund, MsgRefundProductAmountExceeded, "Array"))},
		{"errors null", OpRefund, 400, refund400(`null`), withID(business(OpRefund, MsgRefundProductAmountExceeded))},
		{"errors empty array", OpRefund, 400, refund400(`[]`), withID(business(OpRefund, MsgRefundProductAmountExceeded))},
		{"errors object member number", OpRefund, 400, refund400(`{"code":156,"retry":false}`),
			withID(business(OpRefund, MsgRefundProductAmountExceeded, "code: 156", "retry: false"))},

		// 417: field errors keep Laravel's path.
		{"417 laravel", OpSubmit, 417, []byte(laravel),
			withFields(apiErr(OpSubmit, 417, KindValidation, "Client Error", MsgPayloadValidationErrors, laravelErrors...), laravelFields...)},
		{"417 array of strings", OpCapture, 417,
			[]byte(`{"status_code":417,"status_message":"Client Error","message":"payloadValidationErrors","is_error":true,"errors":["The grand total field is required."]}`),
			withFields(apiErr(OpCapture, 417, KindValidation, "Client Error", MsgPayloadValidationErrors, "The grand total field is required."),
				FieldError{Rule: "frontgo", Message: "The grand total field is required."})},
		{"422 laravel", OpCreate, 422, []byte(`{"message":"The given data was invalid.","errors":{"submitPayment.via":["The selected submit payment.via is invalid."]}}`),
			withFields(apiErr(OpCreate, 422, KindValidation, "", "The given data was invalid.", "submitPayment.via: The selected submit payment.via is invalid."),
				FieldError{Path: "submitPayment.via", Rule: "frontgo", Message: "The selected submit payment.via is invalid."})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseOp(tc.op, Response{Status: tc.status, Body: tc.body, RequestID: rid})
			checkAPIError(t, err, tc.want)
			if rv := reflect.ValueOf(got); !rv.IsNil() {
				t.Errorf("result = %#v alongside an error, want nil", got)
			}
		})
	}
}

// TestParseResponseLenient pins what the parsers accept beyond the
// reference's examples.
func TestParseResponseLenient(t *testing.T) {
	t.Run("history amount as number and ids as numbers", func(t *testing.T) {
		body := `{"status_code":200,"message":"m","data":[{"uuid":"RES1","title":"captured","datetime":"31.12.2025 23:59",` +
			`"sentTo":"+4746567468","actionBy":42,"note":"n","paymentMethod":"Visa","isRefundable":1,"amount":1250.5}]}`
		got, err := ParseHistory(Response{Status: 200, Body: []byte(body)})
		want := []HistoryEvent{{UUID: "RES1", Title: "captured", DateTime: "31.12.2025 23:59", SentTo: "+4746567468",
			ActionBy: "42", Note: "n", PaymentMethod: "Visa", IsRefundable: true, Amount: 125050}}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseHistory = %#v, %v\nwant %#v", got, err, want)
		}
	})
	t.Run("history data null", func(t *testing.T) {
		got, err := ParseHistory(Response{Status: 200, Body: []byte(`{"status_code":200,"data":null}`)})
		if err != nil || got != nil {
			t.Errorf("ParseHistory = %#v, %v; want nil, nil", got, err)
		}
	})
	t.Run("details numbers as strings", func(t *testing.T) {
		body := `{"status_code":200,"message":"m","data":{"reservationUuid":"RES1","status":"RESERVED","isPaid":0,` +
			`"productList":[{"id":"298","quantity":"1.5","rate":"100","tax":"25","amount":"150.00"}],"grandTotal":"150"}}`
		got, err := ParseDetails(Response{Status: 200, Body: []byte(body)})
		want := &Details{ReservationUUID: "RES1", Status: "RESERVED",
			Products:   []DetailsProduct{{ID: 298, Quantity: "1.5", Rate: 10000, Tax: money.Percent(25), Amount: 15000}},
			GrandTotal: 15000}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseDetails = %#v, %v\nwant %#v", got, err, want)
		}
	})
	t.Run("submit 200 with status_code 201", func(t *testing.T) {
		got, err := ParseSubmit(Response{Status: 200, Body: readResponse(t, "submit-201-success.json")})
		if err != nil || got.ReservationUUID != "RES1943140879" {
			t.Errorf("ParseSubmit = %#v, %v", got, err)
		}
	})
}

// TestParseResponseTruncated cuts every example at every length: a cut
// success must come back as a KindMalformed *APIError, a cut failure as the
// error its HTTP status implies, and nothing may panic.
func TestParseResponseTruncated(t *testing.T) {
	for _, name := range responseFiles(t) {
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			full := bytes.TrimRight(readResponse(t, name), " \t\r\n")
			op, status := fixtureOp(name), fixtureStatus(t, name)
			wantKind := kindOf(status)
			if status < 300 {
				wantKind = KindMalformed
			}
			for n := range len(full) {
				r := Response{Status: status, Body: bytes.Clone(full[:n]), RequestID: "req-cut"}
				got, err := parseOp(op, r)
				e, ok := err.(*APIError)
				if !ok || e == nil {
					t.Fatalf("cut at %d: error = %v, want an *APIError", n, err)
				}
				if rv := reflect.ValueOf(got); !rv.IsNil() {
					t.Fatalf("cut at %d: result %#v alongside an error", n, got)
				}
				if e.Kind != wantKind || e.HTTPStatus != status || e.RequestID != "req-cut" || e.Op != op {
					t.Fatalf("cut at %d: error = %+v, want kind %s, status %d", n, e, wantKind, status)
				}
				if wantKind == KindMalformed && (len(e.Fields) != 1 || e.Fields[0].Rule != RuleJSON) {
					t.Fatalf("cut at %d: Fields = %+v, want one %s error", n, e.Fields, RuleJSON)
				}
			}
		})
	}
}

func TestParseResponseIsRetryable(t *testing.T) {
	body := func(status int) []byte {
		return []byte(`{"status_code":` + strconv.Itoa(status) + `,"status_message":"s","message":"m","is_error":true,"errors":null}`)
	}
	// read: details (a 5xx may be retried); write: cancel (a 5xx leaves
	// the outcome unknown, and is never retryable).
	tests := []struct {
		status                 int
		read, write, uncertain bool
	}{
		{429, true, true, false},
		{500, true, false, true}, {502, true, false, true}, {503, true, false, true}, {504, true, false, true}, {510, true, false, true},
		{400, false, false, false}, {401, false, false, false}, {403, false, false, false}, {404, false, false, false},
		{409, false, false, false}, {417, false, false, false}, {422, false, false, false}, {302, false, false, false},
	}
	for _, tc := range tests {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			_, err := ParseAck(OpCancel, Response{Status: tc.status, Body: body(tc.status)})
			if err == nil {
				t.Fatal("no error")
			}
			if got := IsRetryable(err); got != tc.write {
				t.Errorf("cancel: IsRetryable(%v) = %v, want %v", err, got, tc.write)
			}
			if got := IsRetryable(fmt.Errorf("cancel RES1: %w", err)); got != tc.write {
				t.Errorf("cancel: IsRetryable(wrapped) = %v, want %v", got, tc.write)
			}
			if got := IsOutcomeUnknown(err); got != tc.uncertain {
				t.Errorf("cancel: IsOutcomeUnknown(%v) = %v, want %v", err, got, tc.uncertain)
			}
			if got := strings.Contains(err.Error(), "outcome unknown: the cancel may have happened at FrontGo"); got != tc.uncertain {
				t.Errorf("cancel: message %q says outcome unknown: %v, want %v", err, got, tc.uncertain)
			}
			_, err = ParseDetails(Response{Status: tc.status, Body: body(tc.status)})
			if err == nil {
				t.Fatal("details: no error")
			}
			if got := IsRetryable(err); got != tc.read {
				t.Errorf("details: IsRetryable(%v) = %v, want %v", err, got, tc.read)
			}
			if IsOutcomeUnknown(err) {
				t.Errorf("details: IsOutcomeUnknown(%v): a read never is", err)
			}
		})
	}
	for _, op := range []string{OpSubmit, OpCreate, OpCapture, OpCharge, OpCancel, OpComplete, OpResend, OpRefund} {
		e := &APIError{Op: op, Kind: KindDependency, HTTPStatus: 510}
		if IsRetryable(e) || !e.OutcomeUnknown() {
			t.Errorf("%s 510: retryable %v, outcome unknown %v; want false, true", op, IsRetryable(e), e.OutcomeUnknown())
		}
		if e := (&APIError{Op: op, Kind: KindUnexpected}); !e.OutcomeUnknown() {
			t.Errorf("%s without an answer: outcome known", op)
		}
	}
	t.Run("malformed success", func(t *testing.T) {
		// The write may have happened: never retry blindly.
		_, err := ParseCapture(Response{Status: 202, Body: []byte("<html>")})
		if err == nil || IsRetryable(err) {
			t.Errorf("IsRetryable(%v) = true or no error", err)
		}
		if !IsOutcomeUnknown(err) || !strings.Contains(err.Error(), "outcome unknown: the capture may have happened") {
			t.Errorf("a 202 that does not read: %v, want outcome unknown", err)
		}
		// A 204 with no body (not the documented 202 with an envelope).
		_, err = ParseAck(OpCancel, Response{Status: 204})
		var e *APIError
		if !errors.As(err, &e) || e.Kind != KindMalformed || !e.OutcomeUnknown() {
			t.Errorf("a 204 without a body: %v, want malformed with outcome unknown", err)
		}
		// A read's answer that does not read is not a write's.
		_, err = ParseDetails(Response{Status: 200, Body: []byte("<html>")})
		if IsOutcomeUnknown(err) {
			t.Errorf("details: %v, want outcome known", err)
		}
	})
	t.Run("other errors", func(t *testing.T) {
		if IsRetryable(nil) || IsRetryable(errors.New("dial tcp: timeout")) {
			t.Error("IsRetryable is true for a non-FrontGo error")
		}
	})
}

func TestParseResponseErrorsIs(t *testing.T) {
	_, err := ParseDetails(Response{Status: 404, Body: readResponse(t, "details-404-reservationNotFound.json"), RequestID: "r1"})
	wrapped := fmt.Errorf("details RES1943140879: %w", err)
	tests := []struct {
		name   string
		target *APIError
		want   bool
	}{
		{"message key", &APIError{MessageKey: MsgReservationNotFound}, true},
		{"kind", &APIError{Kind: KindNotFound}, true},
		{"kind and key", &APIError{Kind: KindNotFound, MessageKey: MsgReservationNotFound}, true},
		{"other key", &APIError{MessageKey: MsgOrderNotFound}, false},
		{"other kind", &APIError{Kind: KindServer, MessageKey: MsgReservationNotFound}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := errors.Is(err, tc.target); got != tc.want {
				t.Errorf("errors.Is(err, %+v) = %v, want %v", tc.target, got, tc.want)
			}
			if got := errors.Is(wrapped, tc.target); got != tc.want {
				t.Errorf("errors.Is(wrapped, %+v) = %v, want %v", tc.target, got, tc.want)
			}
		})
	}
	var e *APIError
	if !errors.As(wrapped, &e) || e.RequestID != "r1" {
		t.Errorf("errors.As lost the request id: %+v", e)
	}
}

// regression fails t when a parser bug found by these tests (and fixed)
// comes back.
func regression(t *testing.T, buggy bool, format string, args ...any) {
	t.Helper()
	if buggy {
		t.Errorf("parser regression: "+format, args...)
	}
}

// TestParseResponseValidUTF8: decoded errors end up in logs and in the
// sidecar's JSON envelope, whose writer refuses invalid UTF-8.
//
// Bug: truncate cuts at a byte count, inside a multi-byte rune, and
// scanMessage copies raw bytes of a non-JSON body. Patch (apierror.go):
//
//	func truncate(s string, n int) string {
//		if len(s) <= n {
//			return s
//		}
//		for n > 0 && !utf8.RuneStart(s[n]) {
//			n--
//		}
//		return s[:n] + "…"
//	}
//
// and in scanMessage: return truncate(strings.ToValidUTF8(string(rest[1:1+end]), "\uFFFD"), 200).
func TestParseResponseValidUTF8(t *testing.T) {
	long := "a" + strings.Repeat("ø", 400) // 801 bytes: the 500-byte cut falls inside an ø
	tests := []struct {
		name   string
		status int
		body   string
	}{
		{"long error string", 400, `{"status_code":400,"message":"m","errors":["` + long + `"]}`},
		{"long message key", 400, `{"status_code":400,"message":"` + long + `"}`},
		{"non-json latin-1 body", 510, "{\"message\": \"Betaling avvist for \xf8re\", \"errors\": {\"x\"}}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseAck(OpRefund, Response{Status: tc.status, Body: []byte(tc.body)})
			e := err.(*APIError)
			errsOK := true
			for _, s := range e.Errors {
				errsOK = errsOK && utf8.ValidString(s)
			}
			regression(t, !errsOK || !utf8.ValidString(e.MessageKey) || !utf8.ValidString(e.Error()),
				"valid UTF-8: Errors %v, MessageKey %v, Error() %v", errsOK, utf8.ValidString(e.MessageKey), utf8.ValidString(e.Error()))
		})
	}
}

// TestParseResponseBareErrorValue: a number or boolean with no key reads
// as itself.
//
// Bug: flattenErrors writes prefix+": "+raw, giving ": 42". Patch
// (response.go, case jsonx.Number, jsonx.Bool):
//
//	s := string(v.Raw())
//	if prefix != "" {
//		s = prefix + ": " + s
//	}
//	out = append(out, s)
func TestParseResponseBareErrorValue(t *testing.T) {
	_, err := ParseAck(OpRefund, Response{Status: 400, Body: refund400(`[42, true]`)})
	got := err.(*APIError).Errors
	regression(t, !slices.Equal(got, []string{"42", "true"}), `errors [42, true] flatten to %q, want ["42" "true"]`, got)
}

// TestParseResponseEscapedMessage: the message recovered from a non-JSON
// body keeps its escaped quote.
//
// Bug: scanMessage ends the value at the first '"', even an escaped one.
// Patch: scan for the first '"' not preceded by an odd run of backslashes, then
// unescape the common escapes (or keep the text raw up to that quote).
func TestParseResponseEscapedMessage(t *testing.T) {
	body := `{"message": "Payment Gateway Error: \"PAR156\" declined", "errors": {"x"}}`
	_, err := ParseSubmit(Response{Status: 510, Body: []byte(body)})
	got := err.(*APIError).MessageKey
	regression(t, got != `Payment Gateway Error: "PAR156" declined` && got != `Payment Gateway Error: \"PAR156\" declined`,
		"message recovered as %q", got)
}

func BenchmarkParseDetails(b *testing.B) {
	body := readResponse(b, "details-200-concrete.json")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseDetails(Response{Status: 200, Body: body}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseCreate(b *testing.B) {
	body := readResponse(b, "create-201-success.json")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseCreate(Response{Status: 201, Body: body}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestParseDetailsNestedPaths: problems four and five levels down are named
// by their full paths (the checker spells some as one dotted constant).
func TestParseDetailsNestedPaths(t *testing.T) {
	body := `{"status_code":200,"status_message":"OK","message":"Reservation Retrieved Successfully","is_data":true,"data":{` +
		`"reservationUuid":"RES4161996022","status":"RESERVED",` +
		`"customerDetails":{"name":"Kari","address":{"street":true,"zip":"0155"}},` +
		`"paymentDetails":{"amountRefunded":{"fromCaptured":"x"}},` +
		`"organizationDetails":{"name":"Fjordhotell AS","billingAddress":{"email":false,"zip":{}}},` +
		`"paymentHistory":{"reserved":[{"at":"2024-08-22","amount":true},{"reference":[]}]}}}`
	_, err := ParseDetails(Response{Status: 200, Body: []byte(body)})
	var ae *APIError
	if !errors.As(err, &ae) || ae.Kind != KindMalformed {
		t.Fatalf("ParseDetails = %v; want a malformed answer", err)
	}
	var got []string
	for _, f := range ae.Fields {
		got = append(got, f.Path)
	}
	want := []string{"data.customerDetails.address.street", "data.paymentDetails.amountRefunded.fromCaptured",
		"data.organizationDetails.billingAddress.email", "data.organizationDetails.billingAddress.zip",
		"data.paymentHistory.reserved.0.amount", "data.paymentHistory.reserved.1.reference"}
	if !slices.Equal(got, want) {
		t.Errorf("paths = %q\nwant    %q", got, want)
	}
}

// The parsers read bodies into recycled documents (jsonx.ParseTemp): what
// they return must hold nothing of the document. Every parser reads every
// fixture, keeps the results, reads them all again (reusing the documents)
// and compares.
func TestParsedResultsOutliveTheirDocuments(t *testing.T) {
	parsers := map[string]func(Response) (any, error){
		"details":  func(r Response) (any, error) { return ParseDetails(r) },
		"create":   func(r Response) (any, error) { return ParseCreate(r) },
		"submit":   func(r Response) (any, error) { return ParseSubmit(r) },
		"capture":  func(r Response) (any, error) { return ParseCapture(r) },
		"charge":   func(r Response) (any, error) { return ParseCharge(r) },
		"refund":   func(r Response) (any, error) { return ParseAck(OpRefund, r) },
		"history":  func(r Response) (any, error) { return ParseHistory(r) },
		"validate": func(r Response) (any, error) { return nil, ValidateSubmit(r.Body, Options{}) },
	}
	type result struct {
		v   any
		err error
	}
	run := func() map[string]result {
		out := map[string]result{}
		for _, name := range responseFiles(t) {
			r := Response{Status: fixtureStatus(t, name), Body: readResponse(t, name)}
			for p, parse := range parsers {
				v, err := parse(r)
				out[name+" "+p] = result{v, err}
			}
		}
		return out
	}
	first := run()
	second := run()
	if len(first) == 0 {
		t.Fatal("no fixtures")
	}
	for k, a := range first {
		if b := second[k]; !reflect.DeepEqual(a, b) {
			t.Errorf("%s: first read changed after more parsing:\n%+v\n%+v", k, a, b)
		}
	}
}

// TestParsersBorrow: ParseDetails and ParseCreate copy their texts, so a
// caller may reuse the body; the Borrowed variants' share the body's bytes
// (escaped ones are decoded into fresh memory) and equal the copies until
// the body changes.
func TestParsersBorrow(t *testing.T) {
	for _, c := range []struct {
		fixture string
		status  int
		// parse returns the result and its texts that hold no escapes
		// in the fixture.
		parse func(r Response, borrow bool) (any, func() []string, error)
	}{
		{"details-200-concrete.json", 200, func(r Response, borrow bool) (any, func() []string, error) {
			d, err := map[bool]func(Response) (*Details, error){false: ParseDetails, true: ParseDetailsBorrowed}[borrow](r)
			return d, func() []string { return []string{d.ReservationUUID, d.Customer.Name, d.Products[0].Name} }, err
		}},
		{"create-201-success.json", 201, func(r Response, borrow bool) (any, func() []string, error) {
			c, err := map[bool]func(Response) (*Created, error){false: ParseCreate, true: ParseCreateBorrowed}[borrow](r)
			return c, func() []string { return []string{c.ReservationUUID, c.URL, c.Message} }, err
		}},
	} {
		t.Run(c.fixture, func(t *testing.T) {
			body := readResponse(t, c.fixture)
			copied, copiedTexts, err := c.parse(Response{Status: c.status, Body: body}, false)
			if err != nil {
				t.Fatal(err)
			}
			mine := bytes.Clone(body)
			borrowed, borrowedTexts, err := c.parse(Response{Status: c.status, Body: mine}, true)
			if err != nil || !reflect.DeepEqual(borrowed, copied) {
				t.Fatalf("borrowed %+v %v\ncopied %+v", borrowed, err, copied)
			}
			before := copiedTexts()
			for i := range mine {
				mine[i] = 'x'
			}
			if !slices.Equal(copiedTexts(), before) {
				t.Errorf("the copies changed with another body: %q", copiedTexts())
			}
			for _, s := range borrowedTexts() {
				if strings.Trim(s, "x") != "" {
					t.Errorf("borrowed text %q is a copy", s)
				}
			}
		})
	}
}

// TestBorrowedErrorsCopy: the borrowing parsers' errors outlive the body
// (the core writes them after it has handed the body's buffer back), so
// the message key in them is a copy, both for FrontGo's own errors and for
// a success whose data is malformed.
func TestBorrowedErrorsCopy(t *testing.T) {
	for _, c := range []struct {
		fixture string
		status  int
		body    []byte
	}{
		{fixture: "create-500-internalErrorOccurredPleaseTryAgainLater.json", status: 500},
		{fixture: "details-404-reservationNotFound.json", status: 404},
		{status: 201, body: []byte(`{"status_code":201,"message":"sessionCreated","is_data":true,"data":{"reservationUuid":"nope"}}`)},
		{status: 200, body: []byte(`{"status_code":200,"message":"reservationRetrieved","is_data":true,"data":{"status":5}}`)},
	} {
		body := c.body
		if c.fixture != "" {
			body = readResponse(t, c.fixture)
		}
		for name, parse := range map[string]func(Response) error{
			"create":  func(r Response) error { _, err := ParseCreateBorrowed(r); return err },
			"details": func(r Response) error { _, err := ParseDetailsBorrowed(r); return err },
		} {
			mine := bytes.Clone(body)
			err := parse(Response{Status: c.status, Body: mine})
			var ae *APIError
			if !errors.As(err, &ae) || ae.MessageKey == "" {
				t.Fatalf("%s of %s: %v, want an APIError with a message key", name, body, err)
			}
			before := ae.Error() + ae.MessageKey
			for i := range mine {
				mine[i] = 'x'
			}
			if after := ae.Error() + ae.MessageKey; after != before {
				t.Errorf("%s of %s: the error changed with the body: %q, was %q", name, body, after, before)
			}
		}
	}
}

// TestWithParsedBody: every documented answer parses to the same result,
// or the same error, whether the parser reads its text or the value the
// core's JSON parser already made of it.
func TestWithParsedBody(t *testing.T) {
	files, _ := filepath.Glob("testdata/responses/*.json")
	parsers := map[string]func(Response) (any, error){
		OpSubmit:   func(r Response) (any, error) { return ParseSubmit(r) },
		OpCreate:   func(r Response) (any, error) { return ParseCreate(r) },
		OpDetails:  func(r Response) (any, error) { return ParseDetails(r) },
		OpCapture:  func(r Response) (any, error) { return ParseCapture(r) },
		OpCharge:   func(r Response) (any, error) { return ParseCharge(r) },
		OpHistory:  func(r Response) (any, error) { return ParseHistory(r) },
		OpCancel:   func(r Response) (any, error) { return ParseAck(OpCancel, r) },
		OpComplete: func(r Response) (any, error) { return ParseAck(OpComplete, r) },
		OpResend:   func(r Response) (any, error) { return ParseAck(OpResend, r) },
		OpRefund:   func(r Response) (any, error) { return ParseAck(OpRefund, r) },
	}
	// The borrowing parsers the core's operations use.
	borrowing := map[string]func(Response) (any, error){
		OpSubmit:  func(r Response) (any, error) { return ParseSubmitBorrowed(r) },
		OpCreate:  func(r Response) (any, error) { return ParseCreateBorrowed(r) },
		OpDetails: func(r Response) (any, error) { return ParseDetailsBorrowed(r) },
	}
	n := 0
	for _, f := range files {
		parts := strings.SplitN(strings.TrimSuffix(filepath.Base(f), ".json"), "-", 3)
		parse := parsers[parts[0]]
		status, err := strconv.Atoi(parts[1])
		if parse == nil || err != nil {
			continue
		}
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// The body as a member of a larger document, as the core's
		// input carries it.
		d, err := jsonx.Parse([]byte(`{"status":` + parts[1] + `,"body":` + string(body) + `}`))
		if err != nil {
			continue // not JSON: only the text form can carry it
		}
		r := Response{Status: status, Body: body, RequestID: "req-1"}
		parsed := r.WithParsedBody(d.Root().Get("body"))
		for _, p := range []func(Response) (any, error){parse, borrowing[parts[0]]} {
			if p == nil {
				continue
			}
			want, wantErr := p(r)
			got, gotErr := p(parsed)
			if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotErr, wantErr) {
				t.Errorf("%s:\n parsed: %+v %v\n text:   %+v %v", f, got, gotErr, want, wantErr)
			}
			n++
		}
	}
	if n < 50 {
		t.Fatalf("only %d parses of documented answers compared", n)
	}
}
