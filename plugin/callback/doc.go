// Package callback verifies the notifications FrontGo Connect sends to a
// merchant's callbackUrl, so that a forged, replayed or mangled request is
// refused before anything acts on it.
//
// FrontGo calls the callback URL with HTTP GET and puts the data in the
// query string: orderUuid, status, createdAt, paymentMethod, amount,
// timestamp and checksum, after any parameters the merchant put in the URL
// itself. The checksum is the lower-case hex SHA-256 (a plain hash, not an
// HMAC) of a concatenation that ends in the merchant's secret key. The
// formula has changed over time; all three documented forms are supported
// (see [Scheme]). Reference:
// https://docs.frontpayment.no/books/fpgo-connect/page/notifications-via-callback-url
//
// Because the current scheme concatenates values in the order received, the
// raw query string is walked in order by [ParseQuery]; a decoded map (as
// net/url gives) would lose that order.
//
// A verified callback is still only a hint. The concatenation has no
// separators and leaves the parameter names out, so digits can be moved from
// one value into its neighbour (amount=100&createdAt=1755764131 and
// amount=1001&createdAt=755764131 hash alike) without breaking the checksum.
// Confirm status and amounts with GET /reservations/details/{uuid} before
// acting, as Front Payment itself recommends, and treat callbacks as
// possibly lost, duplicated, delayed or reordered.
//
// The package does no I/O and reads no clock: [Verify] takes the current
// time as an argument. It avoids fmt and reflection so that it stays small
// and fast when compiled to wasip1.
package callback
