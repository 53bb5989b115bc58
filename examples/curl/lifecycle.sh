#!/usr/bin/env bash
# lifecycle.sh: one card reservation through its whole life, with curl, against
# frontgate's sidecar and the built-in FrontGo sandbox:
#
#   checkout → the shopper's link → approve (sandbox control plane) → callback
#   → details → partial capture → charge → refund → a refused cancel → complete
#
# Every call's HTTP status is checked; the script stops at the first surprise
# and prints a summary at the end.
#
# Against a running `go run ./host/cmd/frontgate` (copy the values from its help
# text):
#   FRONTGATE_URL=http://127.0.0.1:8080 FRONTGATE_KEY=demo_… \
#   FRONTGATE_SANDBOX=http://127.0.0.1:41234 FRONTGATE_SANDBOX_CONTROL=ctl_… \
#     examples/curl/lifecycle.sh
# Without FRONTGATE_URL it builds and starts its own frontgate on free ports and
# stops it afterwards. Needs bash, curl and jq (and go to start its own).
set -euo pipefail

for tool in curl jq; do
  command -v "$tool" >/dev/null || { echo "lifecycle.sh: needs $tool" >&2; exit 2; }
done

work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill -INT "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${FRONTGATE_URL:-}" ]; then
  root=$(cd "$(dirname "$0")/../.." && pwd)
  echo "== starting frontgate (built-in sandbox, no demo shop)"
  (cd "$root" && go build -o "$work/frontgate" ./host/cmd/frontgate)
  "$work/frontgate" -listen 127.0.0.1:0 -shop off >"$work/out" 2>"$work/log" &
  pid=$!
  for _ in $(seq 1 600); do
    grep -q "Press Ctrl-C" "$work/out" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/log" >&2; echo "frontgate exited" >&2; exit 1; }
    sleep 0.1
  done
  grep -q "Press Ctrl-C" "$work/out" || { echo "frontgate did not start within 60 s" >&2; exit 1; }
  FRONTGATE_URL=$(sed -n 's/^ *sidecar API *\([^ ]*\) .*/\1/p' "$work/out")
  FRONTGATE_KEY=$(sed -n 's/.*API key \([^)]*\)).*/\1/p' "$work/out")
  FRONTGATE_SANDBOX=$(sed -n 's/^ *FrontGo sandbox *\([^ ]*\).*/\1/p' "$work/out")
  FRONTGATE_SANDBOX_CONTROL=$(sed -n 's/.*(bearer \([^;]*\);.*/\1/p' "$work/out")
fi
: "${FRONTGATE_KEY:?set FRONTGATE_KEY (the API key of shop demo)}"
: "${FRONTGATE_SANDBOX:?set FRONTGATE_SANDBOX (the sandbox URL)}"
: "${FRONTGATE_SANDBOX_CONTROL:?set FRONTGATE_SANDBOX_CONTROL (the control plane token)}"
API=$FRONTGATE_URL

summary=()
body=""
status=""

# call METHOD URL WANT_STATUS [JSON] [IDEMPOTENCY_KEY] [TOKEN]: one request;
# the answer lands in $body and $status. A status other than WANT_STATUS
# stops the script.
call() {
  local method=$1 url=$2 want=$3 data=${4:-} key=${5:-} token=${6:-$FRONTGATE_KEY}
  local args=(-sS -o "$work/body" -D "$work/headers" -w '%{http_code}' -X "$method" --max-time 30
    -H "Authorization: Bearer $token")
  [ -n "$data" ] && args+=(-H 'Content-Type: application/json' --data "$data")
  [ -n "$key" ] && args+=(-H "Idempotency-Key: $key")
  status=$(curl "${args[@]}" "$url")
  body=$(cat "$work/body")
  local path=${url#"$API"}
  path=${path#"$FRONTGATE_SANDBOX"}
  printf '%-6s %-58s %s\n' "$method" "$path" "$status"
  if [ "$status" != "$want" ]; then
    echo "  expected $want; the answer was:" >&2
    echo "$body" | jq . >&2 2>/dev/null || echo "$body" >&2
    exit 1
  fi
}

note() { summary+=("$(printf '%-10s %s' "$1" "$2")"); }

order="curl-$(date +%s)-$RANDOM"
echo "== order $order"

# 1. Checkout: a shop-neutral order (øre, VAT included). The sidecar checks it
#    with the core, creates the reservation at FrontGo and hands back a link.
checkout=$(jq -nc --arg id "$order" '{
  mode: "session", orderId: $id,
  returnUrls: {success: "http://shop.example/ok", failure: "http://shop.example/failed"},
  order: {
    customer: {type: "private", name: "Kari Nordmann", email: "kari@example.no", countryCode: "+47", msisdn: "46567468",
      address: {street: "Karl Johans gate 1", zip: "0154", city: "Oslo", country: "NO"}},
    lines: [
      {name: "Ullsokker", sku: "ULL-SOKK", unitPrice: 14900, quantity: 2, taxRate: 25},
      {name: "Brunost, 1 kg", sku: "BRUNOST", unitPrice: 12990, quantity: 1, taxRate: 15}
    ]}}')
call POST "$API/v1/checkouts" 201 "$checkout" "checkout-$order"
uuid=$(jq -r .reservationUuid <<<"$body")
chk=$(jq -r .checkoutId <<<"$body")
link=$(jq -r .redirectUrl <<<"$body")
first=$(jq -r .status <<<"$body")
note checkout "$chk → reservation $uuid, $first"

# The same request again with the same key is answered from the record.
call POST "$API/v1/checkouts" 201 "$checkout" "checkout-$order"
grep -qi '^Idempotent-Replayed: true' "$work/headers" || { echo "the retry was not replayed" >&2; exit 1; }
[ "$(jq -r .reservationUuid <<<"$body")" = "$uuid" ] || { echo "the retry made another reservation" >&2; exit 1; }
note retry "same Idempotency-Key: replayed, still $uuid"

# 2. The shopper's link: the sidecar redirects to FrontGo's payment page.
code=$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' --max-time 10 "$link")
printf '%-6s %-58s %s\n' GET "${link#"$API"}" "${code%% *}"
[ "${code%% *}" = 302 ] || { echo "expected 302 from the payment link" >&2; exit 1; }
note link "302 → ${code#* }"

# 3. The shopper pays. Here the sandbox's control plane plays the shopper:
#    POST /_sandbox/reservations/{uuid}/approve with a test card.
call POST "$FRONTGATE_SANDBOX/_sandbox/reservations/$uuid/approve" 200 '{"card":"4111111111111111"}' "" "$FRONTGATE_SANDBOX_CONTROL"
note approve "sandbox: $(jq -r '.outcome + " → " + .status' <<<"$body")"

# 4. FrontGo calls the sidecar back; the sidecar verifies the checksum,
#    confirms with GET details and records the new status.
for _ in $(seq 1 50); do
  call GET "$API/v1/checkouts/$chk" 200 >/dev/null
  [ "$(jq -r .status <<<"$body")" = RESERVED ] && break
  sleep 0.1
done
[ "$(jq -r .status <<<"$body")" = RESERVED ] || { echo "the callback never arrived: status $(jq -r .status <<<"$body")" >&2; exit 1; }
call GET "$FRONTGATE_SANDBOX/_sandbox/callbacks" 200 "" "" "$FRONTGATE_SANDBOX_CONTROL"
note callback "$(jq -r --arg u "$uuid" '[.[] | select(.reservationUuid == $u)][0] | "\(.status) delivered=\(.delivered) http=\(.httpStatus)"' <<<"$body")"

# 5. Details: the lines and their ids, amounts in øre.
call GET "$API/v1/reservations/$uuid" 200
socks=$(jq '.products[] | select(.productId == "ULL-SOKK") | .id' <<<"$body")
note details "$(jq -r '"\(.status), \(.products | length) lines, reserved \(.payment.reserved) øre"' <<<"$body")"

# 6. Ship one pair of socks: capture 149.00 of the socks line. The first
#    capture releases the rest of the reservation.
call POST "$API/v1/reservations/$uuid/capture" 200 "{\"lines\":[{\"id\":$socks,\"amount\":14900}]}" "capture-$order"
cap=$(jq -r .uuid <<<"$body")
note capture "$cap: 14900 øre of line $socks"

# 7. Charge the card again for something extra.
call POST "$API/v1/reservations/$uuid/charge" 200 \
  '{"lines":[{"name":"Ekstra frakt","sku":"FRAKT","unitPrice":4900,"quantity":1,"taxRate":25}]}' "charge-$order"
cha=$(jq -r .uuid <<<"$body")
note charge "$cha: 4900 øre"

# 8. The customer returns part of it: refund 50.00 from the capture.
call POST "$API/v1/reservations/$uuid/refund" 200 \
  "{\"lines\":[{\"id\":$socks,\"amount\":5000}],\"source\":\"captured\",\"reference\":\"$cap\"}" "refund-$order"
note refund "5000 øre from $cap"

# 9. What FrontGo would refuse is refused before it is called: 409 with
#    FrontGo's message key.
call POST "$API/v1/reservations/$uuid/cancel" 409 '{"note":"too late"}' "cancel-$order"
note refused "cancel: $(jq -r '.error.messageKey // .error.code' <<<"$body")"

# 10. Done with the order.
call POST "$API/v1/reservations/$uuid/complete" 200 '{"note":"All goods delivered"}' "complete-$order"
call GET "$API/v1/reservations/$uuid" 200
final=$(jq -r .status <<<"$body")
[ "$final" = COMPLETED ] || { echo "final status $final, want COMPLETED" >&2; exit 1; }
note complete "$(jq -r '"\(.status): captured \(.payment.captured), charged \(.payment.charged), refunded \(.payment.refundedFromCaptured) øre"' <<<"$body")"

echo
echo "== summary: reservation $uuid"
printf '  %s\n' "${summary[@]}"
echo "ok"
