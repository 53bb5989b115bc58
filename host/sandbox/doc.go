// Package sandbox is a stateful emulator of FrontGo Connect's reservation
// API, with a hosted checkout page, real signed callbacks, injectable faults
// and a controllable clock. It is the default upstream of
// `go run ./host/cmd/frontgate`, the fixture of integration tests, and a tool
// merchants run on their laptops (host/cmd/frontgo-sandbox).
//
// The source of truth is FrontGo's "Reservation Management" reference
// (docs.frontpayment.no/books/fpgo-connect) and FrontGo's notes on
// callbacks and environments. Where the reference is silent the sandbox picks a
// rule, makes it configurable where that is useful, and says so in
// README.md: the capture deadline, the charge runway, the 401 body, the
// status refusals not documented per operation. (chargeValidity counts
// minutes, as the reference's create table says.)
//
// # What it does
//
//   - The ten endpoints under /api/v1/connect/reservations/… with the
//     documented methods, bodies, status codes and message keys, behind a
//     bearer token. Requests are validated by the reservation core
//     (plugin/reservation), the same rules frontgate applies before a
//     request leaves the shop, and refused with the documented 417 shape.
//   - State: SENT → (RESERVED NOT PAID) → RESERVED → CAPTURED / CHARGED →
//     COMPLETED, or CANCELLED, or EXPIRED when the payment link's due date
//     passes unpaid. Captures, charges and refunds move money per product
//     line and are checked against what is left, to the øre.
//   - /checkout/{RES…} is a real HTML page (no external assets) where test
//     card numbers decide the outcome; approving reserves the amount, sends
//     the Reserved callback and redirects the shopper.
//   - Callbacks are HTTP GETs to the merchant's callbackUrl, signed with
//     plugin/callback under the configured scheme, sent asynchronously with
//     a timeout and bounded retries, never following redirects, and recorded
//     so tests can wait for them.
//   - The control plane (/_sandbox/…, off unless Config.Control) injects
//     faults per endpoint and on callbacks, moves the clock, resets state,
//     shows a reservation's full state and approves or declines without a
//     browser. The same controls are methods of *Sandbox for in-process use,
//     and of *Control for a sandbox in another process.
//
// # Why net/http
//
// The sidecar runs on fasthttp; the sandbox deliberately does not. It is a
// test fixture and a laptop tool, not a hot path: net/http gives it
// connection hijacking for the "drop" faults, http.ResponseController,
// html/template and httptest compatibility out of the box, and keeps it
// embeddable in any Go test or server with no dependency beyond the
// standard library. Being a different HTTP stack from the sidecar's is a
// feature: it catches assumptions one stack would hide.
//
// All state lives in memory behind one mutex per store, so the sandbox is
// consistent under parallel requests; nothing is persisted.
package sandbox
