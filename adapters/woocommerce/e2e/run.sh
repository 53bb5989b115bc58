#!/usr/bin/env bash
# End-to-end run of the frontgate-woocommerce plugin in a real WordPress +
# WooCommerce, against the sidecar and the FrontGo sandbox, all on
# 127.0.0.1. Two shoppers and a merchant, over HTTP:
#
#   A  Store API checkout (what the Checkout block sends) → the sandbox's
#      card page: a declined card, back to the pay page, paid → the return
#      and the signed webhook put the order on hold, once → Go and PHP map
#      the live order alike → the merchant completes it over the REST API →
#      captured, paid → two refunds of lines over the REST API, one after
#      the other → additional charges from the order actions: one FrontGo
#      refuses (a note, nothing added), one sent twice (charged once, a fee
#      line, the total grown by it) → a refund mixing it with a shirt,
#      refused → the charge's line refunded from the charge.
#   B  classic checkout (the [woocommerce_checkout] form, ?wc-ajax=checkout)
#      → the merchant resends the payment link → the sandbox approves it
#      (control plane, no return: the webhook alone) → on hold → the
#      merchant cancels the order → the reservation is cancelled.
#   C  a reservation made straight at the sidecar for an order the shop
#      does not know → the plugin answers 410 → the sidecar keeps the event
#      as a dead letter → the settings page lists it → "Send them again"
#      → delivered again (and, still unknown, a dead letter again).
#
# Every order must end with no note written twice; the first order's e-mails
# must be exactly one per event (one per refund). It prints PASS: … or
# FAIL: … (exit 1).
#
# WordPress and WooCommerce are never committed: fetch them locally (see
# README.md) and point FRONTGATE_WP_DIR / FRONTGATE_WC_DIR at them. Without
# them, or without the tools below, this script says what is missing and
# exits 0 (a skip), so CI can always call it.
#
# Needs: php-cli with mysqli, dom and mbstring (php-mysql, php-xml,
# php-mbstring), a MySQL/MariaDB database it may reset
# (FRONTGATE_E2E_DB_{HOST,NAME,USER,PASSWORD}), curl, jq, go. No wp-cli:
# wp.php drives WordPress.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cache="$here/.cache"

WP_DIR="${FRONTGATE_WP_DIR:-$cache/wordpress}"       # johnpbloch/wordpress-core
WC_DIR="${FRONTGATE_WC_DIR:-$cache/woocommerce}"     # WP-a2z/woocommerce (woocommerce.php at its root)
DB_HOST="${FRONTGATE_E2E_DB_HOST:-127.0.0.1}"
DB_NAME="${FRONTGATE_E2E_DB_NAME:-frontgate_e2e}"
DB_USER="${FRONTGATE_E2E_DB_USER:-frontgate_e2e}"
DB_PASSWORD="${FRONTGATE_E2E_DB_PASSWORD-frontgate_e2e}"
LIMIT="${FRONTGATE_E2E_TIMEOUT:-300}"                # seconds for the whole run
export FRONTGATE_E2E_HPOS="${FRONTGATE_E2E_HPOS:-yes}"

skip() { echo "skip: $*"; exit 0; }

[ -f "$WP_DIR/wp-includes/version.php" ] || skip "no WordPress at $WP_DIR (set FRONTGATE_WP_DIR; see adapters/woocommerce/e2e/README.md)"
[ -f "$WC_DIR/woocommerce.php" ] || skip "no WooCommerce at $WC_DIR (set FRONTGATE_WC_DIR; see adapters/woocommerce/e2e/README.md)"
for tool in php curl jq go; do
  command -v "$tool" >/dev/null || skip "$tool is not installed"
done
for ext in mysqli dom mbstring; do
  php -r "exit(extension_loaded('$ext') ? 0 : 1);" || skip "php has no $ext (apt-get install -y php-mysql php-xml php-mbstring)"
done
H="$DB_HOST" U="$DB_USER" P="$DB_PASSWORD" php -r 'exit(@mysqli_connect(getenv("H"), getenv("U"), getenv("P")) ? 0 : 1);' \
  || skip "no MySQL at $DB_HOST for $DB_USER (set FRONTGATE_E2E_DB_*; see adapters/woocommerce/e2e/README.md)"

# WooCommerce must be a built release (its Composer autoloader and the
# blocks' compiled scripts), with every class its class map names.
[ -f "$WC_DIR/vendor/autoload_packages.php" ] && [ -d "$WC_DIR/assets/client/blocks" ] \
  || { echo "FAIL: $WC_DIR is not a built WooCommerce (no vendor/autoload_packages.php or assets/client/blocks): use a release, see e2e/README.md"; exit 1; }
missing=$(cd "$WC_DIR" && php -r '$n = array(); foreach (require "vendor/composer/autoload_classmap.php" as $f) { if (strpos($f, "/src/") !== false && !is_file($f)) $n[] = substr($f, strpos($f, "/src/") + 1); } echo implode(" ", $n);')
[ -z "$missing" ] || { echo "FAIL: WooCommerce at $WC_DIR lacks $missing (a case-only rename lost by the mirror? see e2e/README.md)"; exit 1; }

started=$SECONDS
work="$(mktemp -d)"
pids=()
keep=0
cleanup() {
  for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$p" 2>/dev/null || true
  done
  if [ "$keep" = 1 ] || [ "${FRONTGATE_E2E_KEEP:-}" = 1 ]; then
    echo "logs kept in $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'fail "interrupted, or over the time limit of ${LIMIT}s"' INT TERM
# start <name> <command…>: a process in its own group (job control makes
# the job a group led by $!), so cleanup ends it and everything it started
# (php -S forks its workers).
start() {
  local name=$1; shift
  set -m
  "$@" >"$work/$name.log" 2>&1 </dev/null &
  pids+=($!)
  set +m
}
fail() {
  echo "FAIL: $*"
  keep=1
  for f in sidecar sandbox wp; do
    [ -s "$work/$f.log" ] && { echo "--- $f.log (last lines)"; tail -n 15 "$work/$f.log"; }
  done
  [ -s "$work/debug.log" ] && { echo "--- WordPress debug.log"; tail -n 30 "$work/debug.log"; }
  ls "$work"/site/wp-content/uploads/wc-logs/frontgate-*.log >/dev/null 2>&1 \
    && { echo "--- WooCommerce log, source frontgate"; tail -n 30 "$work"/site/wp-content/uploads/wc-logs/frontgate-*.log; }
  exit 1
}
# The whole run is bounded: a watchdog stops it after $LIMIT seconds. It
# keeps no output open, so a caller reading ours is not held up by it.
( trap 'kill $s 2>/dev/null; exit 0' TERM; sleep "$LIMIT" & s=$!; wait $s && kill -TERM $$ ) >/dev/null 2>&1 </dev/null &
watchdog=$!
trap 'kill $watchdog 2>/dev/null || true; cleanup' EXIT

free_port() { php -r '$s=stream_socket_server("tcp://127.0.0.1:0");$n=stream_socket_get_name($s,false);echo substr($n,strrpos($n,":")+1);'; }
wait_http() { for _ in $(seq 1 150); do curl -fsS --max-time 2 -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done; fail "not up: $1"; }
# until <seconds> <what> <command…>: retries the command until it succeeds.
until_ok() {
  local limit=$1 what=$2; shift 2
  local end=$((SECONDS + limit))
  until "$@"; do
    [ $SECONDS -lt $end ] || fail "$what (waited ${limit}s)"
    sleep 0.2
  done
}

WP_PORT=$(free_port); SB_PORT=$(free_port); SC_PORT=$(free_port)
WP_URL="http://127.0.0.1:$WP_PORT"; SB_URL="http://127.0.0.1:$SB_PORT"; SC_URL="http://127.0.0.1:$SC_PORT"
site="$work/site"
export FRONTGATE_E2E_SITE="$site" FRONTGATE_E2E_URL="$WP_URL" FRONTGATE_E2E_SIDECAR_URL="$SC_URL"
export FRONTGATE_E2E_APP_PASSWORD_FILE="$work/app-password"
rnd() { head -c 24 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9'; }
export FRONTGO_SANDBOX_TOKEN="e2e-token-$(rnd)" FRONTGO_SANDBOX_SECRET="e2e-secret-$(rnd)"
export FRONTGATE_FRONTGO_TOKEN="$FRONTGO_SANDBOX_TOKEN" FRONTGATE_FRONTGO_SECRET="$FRONTGO_SANDBOX_SECRET"
export FRONTGATE_TOKEN_KEY="k1:$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
export FRONTGATE_E2E_SHOP_KEY="e2e-shop-key-$(rnd)"
export FRONTGATE_E2E_WEBHOOK_SECRET="e2e-webhook-$(rnd)"
wpx() { php "$here/wp.php" "$@"; }
form() { php "$here/form.php" "$@"; }

echo "== WordPress $(sed -n "s/^\$wp_version = '\(.*\)';/\1/p" "$WP_DIR/wp-includes/version.php"), WooCommerce $(sed -n 's/^ \* Version: *//p' "$WC_DIR/woocommerce.php" | head -n 1) at $WP_URL"
# A copy of WordPress per run; WooCommerce and the plugin are linked in.
cp -r "$WP_DIR" "$site"
rm -f "$site/wp-config.php"
ln -s "$WC_DIR" "$site/wp-content/plugins/woocommerce"
ln -s "$here/../plugin/frontgate-woocommerce" "$site/wp-content/plugins/frontgate-woocommerce"
mkdir -p "$site/wp-content/mu-plugins"
cp "$here/mu-plugin.php" "$site/wp-content/mu-plugins/frontgate-e2e.php"
salt() { head -c 48 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9'; }
cat >"$site/wp-config.php" <<PHP
<?php
// Written by adapters/woocommerce/e2e/run.sh for one run.
$(H="$DB_HOST" U="$DB_USER" P="$DB_PASSWORD" D="$DB_NAME" php -r 'foreach (array("DB_HOST" => "H", "DB_NAME" => "D", "DB_USER" => "U", "DB_PASSWORD" => "P") as $k => $e) echo "define( \"$k\", ", var_export((string) getenv($e), true), " );\n";')
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
\$table_prefix = 'wp_';
foreach ( array( 'AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT' ) as \$k ) {
	define( \$k, '$(salt)' . \$k );
}
define( 'WP_HOME', '$WP_URL' );
define( 'WP_SITEURL', '$WP_URL' );
define( 'WP_ENVIRONMENT_TYPE', 'local' ); // Application passwords over http.
define( 'DISABLE_WP_CRON', true );
define( 'WP_HTTP_BLOCK_EXTERNAL', true ); // Nothing leaves 127.0.0.1.
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_DEBUG', true );
define( 'WP_DEBUG_LOG', '$work/debug.log' );
define( 'WP_DEBUG_DISPLAY', false );
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
PHP

echo "== install (database $DB_NAME reset)"
H="$DB_HOST" U="$DB_USER" P="$DB_PASSWORD" D="$DB_NAME" php -r '
  $m = mysqli_connect(getenv("H"), getenv("U"), getenv("P"));
  $d = str_replace("`", "", getenv("D"));
  if (!mysqli_query($m, "DROP DATABASE IF EXISTS `$d`") || !mysqli_query($m, "CREATE DATABASE `$d` CHARACTER SET utf8mb4")) {
    fwrite(STDERR, mysqli_error($m) . "\n"); exit(1);
  }' || fail "could not reset database $DB_NAME"
wpx install "frontgate e2e" >/dev/null || fail "wp_install"
wpx activate woocommerce/woocommerce.php || fail "activating WooCommerce"
wpx activate frontgate-woocommerce/frontgate-woocommerce.php || fail "activating frontgate-woocommerce"
wpx setup >"$work/setup.json" || fail "setting up the shop"
jq -c . "$work/setup.json"
CLASSIC_URL=$(jq -r .classic "$work/setup.json")
APP_PASSWORD=$(cat "$FRONTGATE_E2E_APP_PASSWORD_FILE")
ULL=$(wpx product ULL-1 | jq .id); OST=$(wpx product OST-1 | jq .id)

echo "== servers: WordPress (php -S, 4 workers), FrontGo sandbox, sidecar"
PHP_CLI_SERVER_WORKERS=4 start wp php -S "127.0.0.1:$WP_PORT" -t "$site" "$here/router.php"
(cd "$root" && go build -o "$work/frontgo-sandbox" ./host/cmd/frontgo-sandbox && go build -o "$work/frontgate" ./host/cmd/frontgate) \
  || fail "go build"
start sandbox "$work/frontgo-sandbox" -addr "127.0.0.1:$SB_PORT" -control -log json
cat >"$work/frontgate.json" <<JSON
{
  "listen": "127.0.0.1:$SC_PORT",
  "publicUrl": "$SC_URL",
  "frontgo": {"baseUrl": "$SB_URL/api/v1"},
  "shops": [{"id": "e2e", "apiKeyEnv": "FRONTGATE_E2E_SHOP_KEY", "allowedHosts": ["127.0.0.1:$WP_PORT"], "kind": "woocommerce",
             "webhookUrl": "$WP_URL/?wc-api=frontgate", "webhookSecretEnv": "FRONTGATE_E2E_WEBHOOK_SECRET"}],
  "logFormat": "json"
}
JSON
# From the checkout, so the sidecar builds frontgate.wasm from its sources.
cd "$root"
start sidecar "$work/frontgate" -config "$work/frontgate.json"
wait_http "$SB_URL/"
wait_http "$SC_URL/healthz"
wait_http "$WP_URL/"

# ---- helpers for the checks ----
order_json() { wpx order "$1" >"$work/order-$1.json" || fail "reading order $1"; }
order_is() { # order_is <id> <jq filter that must be true>
  order_json "$1" && [ "$(jq -r "$2" "$work/order-$1.json")" = true ]
}
sandbox() { # sandbox <path> [curl args]: the sandbox's control plane
  local path=$1; shift
  curl -fsS --max-time 30 -H "Authorization: Bearer $FRONTGO_SANDBOX_TOKEN" "$@" "$SB_URL/_sandbox/$path"
}
sandbox_is() { # sandbox_is <uuid> <jq filter that must be true>
  [ "$(sandbox "reservations/$1" | jq -r "$2")" = true ]
}
rest() { # rest <method> <path> [json]: the merchant's REST API (application password)
  local code
  code=$(curl -sS --max-time 60 -u "admin:$APP_PASSWORD" -X "$1" -H 'Content-Type: application/json' \
    ${3:+--data "$3"} -o "$work/rest.json" -w '%{http_code}' "$WP_URL/wp-json/wc/v3$2") || fail "REST $1 $2: no answer"
  [[ $code == 2* ]] || fail "REST $1 $2: HTTP $code: $(head -c 400 "$work/rest.json")"
}
webhook_seen() { # webhook_seen <order> <status>: the plugin took the sidecar's webhook for it
  grep -h '"via":"webhook"' "$site"/wp-content/uploads/wc-logs/frontgate-*.log 2>/dev/null \
    | grep -F "\"order\":$1," | grep -qF "\"status\":\"$2\""
}
no_duplicate_notes() { # every note of the order written once
  local dup
  dup=$(jq -r '.notes[]' "$work/order-$1.json" | sort | uniq -d)
  [ -z "$dup" ] || fail "order $1 has notes written twice: $dup"
}
count_notes() { jq --arg s "$2" '[.notes[] | select(contains($s))] | length' "$work/order-$1.json"; }

# ---- A: the Checkout block's Store API ----
echo "== A: Store API checkout (the Checkout block's requests)"
jar="$work/shopper-a.cookies"
nonce=""
store() { # store <method> <path> [json]: the answer in $work/store.json; keeps the Nonce
  local code n
  code=$(curl -sS --max-time 60 -b "$jar" -c "$jar" -D "$work/store.h" -o "$work/store.json" -w '%{http_code}' \
    -X "$1" -H 'Content-Type: application/json' -H "Nonce: $nonce" ${3:+--data "$3"} "$WP_URL/wp-json/wc/store/v1$2") \
    || fail "Store API $1 $2: no answer"
  n=$(tr -d '\r' <"$work/store.h" | awk -F': ' 'tolower($1)=="nonce"{print $2}')
  [ -z "$n" ] || nonce=$n
  [[ $code == 2* ]] || fail "Store API $1 $2: HTTP $code: $(head -c 400 "$work/store.json")"
}
store GET /cart
store POST /cart/add-item "{\"id\":$ULL,\"quantity\":2}"
store POST /cart/add-item "{\"id\":$OST,\"quantity\":1}"
[ "$(jq -r '.totals.total_price' "$work/store.json")" = 114310 ] || fail "cart total $(jq -c .totals "$work/store.json"), want 1143.10"
address='"first_name":"Kari","last_name":"Nordmann","address_1":"Storgata 1","city":"Oslo","postcode":"0155","country":"NO","phone":"412 34 567"'
store POST /checkout "{\"billing_address\":{$address,\"email\":\"kari@example.no\"},\"shipping_address\":{$address},\"payment_method\":\"frontgate\",\"payment_data\":[]}"
A=$(jq -r .order_id "$work/store.json")
pay_url=$(jq -r .payment_result.redirect_url "$work/store.json")
[ "$(jq -r .payment_result.payment_status "$work/store.json")" = success ] || fail "checkout: $(jq -c .payment_result "$work/store.json")"
order_json "$A"
UUID_A=$(jq -r '.meta._frontgate_reservation_uuid' "$work/order-$A.json")
echo "order $A, reservation $UUID_A, total $(jq -r .total "$work/order-$A.json"), shopper sent to $pay_url"
[[ $pay_url == "$SC_URL/v1/checkouts/"* ]] || fail "the shopper is not sent to the sidecar: $pay_url"
[ "$(jq -r '.meta._frontgate_mode' "$work/order-$A.json")" = live ] || fail "order $A does not record the live mode its checkout was made in"

echo "== A: the shopper on the card page: declined, back to the shop, paid"
shopper() { # shopper <url> [curl args]: a browser following redirects; lands in $work/page.html
  curl -sS --max-time 60 -L -b "$jar" -c "$jar" -o "$work/page.html" -w '%{http_code} %{url_effective}' "$@"
}
landed=$(shopper "$pay_url") || fail "following $pay_url"
[[ $landed == "200 $SB_URL/checkout/$UUID_A" ]] || fail "the redirect ends at $landed, want the sandbox's card page"
grep -q 'NOK 1143.10' "$work/page.html" || fail "the card page does not show NOK 1143.10"
pay() { # pay <card>: the card form as the shopper fills it in
  form "$work/page.html" .card "number=$1" exp=12/39 cvc=123 'holder=Kari Nordmann' >"$work/form.txt" || fail "no card form"
  shopper --data-binary "$(tail -n +2 "$work/form.txt" | paste -sd'&')" "$SB_URL$(head -n 1 "$work/form.txt")"
}
landed=$(pay '4000 0000 0000 0002') || fail "posting the card form"
[[ $landed == "200 $WP_URL/checkout/order-pay/$A/"* ]] || fail "a declined card lands at $landed, want the order's pay page"
grep -q 'The card payment was not completed' "$work/page.html" || fail "the pay page does not say the payment failed"
order_is "$A" '.status == "pending"' || fail "order $A is $(jq -r .status "$work/order-$A.json") after a declined card, want pending"
# Pay again from the shop's pay page: the same checkout (same idempotency key), the same card page.
here_url=${landed#200 }
form "$work/page.html" '#order_review' payment_method=frontgate >"$work/form.txt" || fail "no pay form on the pay page"
action=$(head -n 1 "$work/form.txt")
case $action in "") action=$here_url ;; /*) action=$WP_URL$action ;; esac
landed=$(shopper --data-binary "$(tail -n +2 "$work/form.txt" | paste -sd'&')" "$action") || fail "posting the pay form"
[[ $landed == "200 $SB_URL/checkout/$UUID_A" ]] || fail "paying again lands at $landed, want the same card page"
landed=$(pay '4111 1111 1111 1111') || fail "posting the card form"
[[ $landed == "200 $WP_URL/checkout/order-received/$A/"* ]] || fail "an approved card lands at $landed, want the thank-you page"
grep -q "Order received\|Thank you" "$work/page.html" || fail "the thank-you page does not thank"

echo "== A: reserved: the return and the webhook, applied once"
until_ok 20 "order $A on-hold with the reservation as transaction id" order_is "$A" \
  ".status == \"on-hold\" and .transaction_id == \"$UUID_A\" and .meta._frontgate_status == \"RESERVED\""
until_ok 20 "the sidecar's webhook RESERVED for order $A" webhook_seen "$A" RESERVED
grep -h '"via":"return"' "$site"/wp-content/uploads/wc-logs/frontgate-*.log | grep -qF "\"order\":$A," \
  || fail "the thank-you page did not confirm the reservation (no \"via\":\"return\" in the log)"
order_json "$A"
[ "$(count_notes "$A" "payment reserved")" = 1 ] || fail "order $A: $(count_notes "$A" "payment reserved") reserved notes, want 1"
[ "$(count_notes "$A" "checkout started")" = 1 ] || fail "order $A: $(count_notes "$A" "checkout started") checkout notes, want 1"
[ "$(wpx product ULL-1 | jq .stock)" = 8 ] || fail "stock of ULL-1 is $(wpx product ULL-1 | jq .stock), want 8"
sandbox_is "$UUID_A" '.status == "RESERVED" and .reserved == 114310' || fail "sandbox: $(sandbox "reservations/$UUID_A" | jq -c '{status,reserved}')"

echo "== A: the Go adapter reads the live order over REST and maps it as the plugin did"
wpx mapped "$A" >"$work/mapped-$A.json" || fail "the plugin's mapping of order $A"
(cd "$root" && FRONTGATE_E2E_SHOP_URL="$WP_URL" FRONTGATE_E2E_ORDER="$A" FRONTGATE_E2E_SHOP_USER=admin \
  FRONTGATE_E2E_SHOP_PASSWORD_FILE="$FRONTGATE_E2E_APP_PASSWORD_FILE" FRONTGATE_E2E_MAPPED="$work/mapped-$A.json" \
  FRONTGATE_E2E_STATUS=RESERVED go test ./adapters/woocommerce -run '^TestLiveShop$' -count=1 >"$work/go-live.log" 2>&1) \
  || { cat "$work/go-live.log"; fail "the Go adapter disagrees with the live shop"; }

echo "== A: the merchant completes the order (REST API) → capture"
rest PUT "/orders/$A" '{"status":"completed"}'
until_ok 20 "order $A captured" order_is "$A" '.meta._frontgate_status == "CAPTURED" and (.meta._frontgate_capture_ids | length) == 1'
until_ok 20 "the sidecar's webhook CAPTURED for order $A" webhook_seen "$A" CAPTURED
order_json "$A"
jq -e ".status == \"completed\" and .is_paid and .date_paid != null and .transaction_id == \"$UUID_A\"" "$work/order-$A.json" >/dev/null \
  || fail "order $A after capture: $(jq -c '{status,is_paid,date_paid,transaction_id}' "$work/order-$A.json")"
[ "$(count_notes "$A" "payment captured")" = 1 ] || fail "order $A: $(count_notes "$A" "payment captured") captured notes, want 1"
sandbox_is "$UUID_A" '.status == "CAPTURED" and .captured == 114310' || fail "sandbox: $(sandbox "reservations/$UUID_A" | jq -c '{status,captured}')"

echo "== A: two refunds from the order screen's API, back to back: one shirt, then the shipping"
items=$(jq -c '.items' "$work/order-$A.json")
shirt=$(jq '.[] | select(.name == "Ullskjorte") | .id' <<<"$items")
ship=$(jq '.[] | select(.type == "shipping") | .id' <<<"$items")
rest POST "/orders/$A/refunds" "{\"amount\":\"499.00\",\"reason\":\"e2e: one shirt back\",\"api_refund\":true,\"line_items\":[{\"id\":$shirt,\"quantity\":1,\"refund_total\":399.20,\"refund_tax\":[{\"id\":1,\"refund_total\":99.80}]}]}"
rest POST "/orders/$A/refunds" "{\"amount\":\"55.20\",\"reason\":\"e2e: shipping\",\"api_refund\":true,\"line_items\":[{\"id\":$ship,\"refund_total\":44.16,\"refund_tax\":[{\"id\":1,\"refund_total\":11.04}]}]}"
sandbox "reservations/$UUID_A" >"$work/sandbox-$UUID_A.json"
jq -e '(.refunds | length) == 2 and .refundedFromCaptured == 55420
  and ([.captures[0].lines[] | {(.id|tostring): .refunded}] | add) == {"101": 49900, "102": 0, "103": 5520}' "$work/sandbox-$UUID_A.json" >/dev/null \
  || fail "sandbox refunds: $(jq -c '{refunds, lines: [.captures[0].lines[]]}' "$work/sandbox-$UUID_A.json")"
order_json "$A"
[ "$(count_notes "$A" "refund of")" = 2 ] || fail "order $A: $(count_notes "$A" "refund of") refund notes, want 2"

echo "== A: additional charges (order action): one FrontGo refuses, then one sent twice, charged once"
wpx action "$A" frontgate_charge frontgate_charge_amount=5000,00 frontgate_charge_tax_rate=25 frontgate_charge_text=Skade \
  || fail "the charge action"
order_json "$A"
jq -e '.total == "1143.10" and ([.items[] | select(.type == "fee")] | length) == 0 and .meta._frontgate_charge_pending == null' "$work/order-$A.json" >/dev/null \
  || fail "a refused charge changed order $A: $(jq -c '{total, items: [.items[] | select(.type == "fee")], meta}' "$work/order-$A.json")"
[ "$(count_notes "$A" "failed, nothing was charged or added to the order: frontgo: charge: 400 business: paymentChargeRunwayExceed")" = 1 ] \
  || fail "order $A: no note naming FrontGo's reason: $(jq -c '.notes[-1]' "$work/order-$A.json")"
# One form (its charge number), submitted twice: the second changes nothing.
seq=$(wpx box "$A" | jq -r .frontgate_charge_seq)
[ "$seq" = 2 ] || fail "the FrontGo box offers charge number $seq, want 2 (the refused one used 1)"
for _ in 1 2; do
  wpx action "$A" frontgate_charge "frontgate_charge_seq=$seq" frontgate_charge_amount=125,50 frontgate_charge_tax_rate=25 frontgate_charge_text=Gavepapir \
    || fail "the charge action"
done
until_ok 20 "order $A charged" order_is "$A" '.meta._frontgate_status == "CHARGED"'
sandbox "reservations/$UUID_A" >"$work/sandbox-$UUID_A.json"
jq -e '.charged == 12550 and (.charges | length) == 1' "$work/sandbox-$UUID_A.json" >/dev/null \
  || fail "sandbox: $(jq -c '{charged,charges}' "$work/sandbox-$UUID_A.json")"
order_json "$A"
# The order holds the charge: a fee line with its VAT, the total what the customer paid in all.
jq -e --slurpfile sb "$work/sandbox-$UUID_A.json" '.total == "1268.60"
  and ([.items[] | ((.total | tonumber) + (.tax | tonumber)) * 100 | round] | add) == 126860
  and [.items[] | select(.type == "fee") | {name, total: (.total | tonumber), tax: (.tax | tonumber), taxes}]
      == [{"name": "Gavepapir", "total": 100.4, "tax": 25.1, "taxes": {"total": {"1": "25.10"}}}]
  and (.meta._frontgate_charges | length) == 1
  and .meta._frontgate_charges[0].reference == $sb[0].charges[0].uuid
  and .meta._frontgate_charges[0].line_id == $sb[0].charges[0].lines[0].id' "$work/order-$A.json" >/dev/null \
  || fail "order $A after the charge: $(jq -c '{total, items, charges: .meta._frontgate_charges}' "$work/order-$A.json")"
[ "$(count_notes "$A" "charged to the card (Gavepapir")" = 1 ] || fail "order $A: $(count_notes "$A" "charged to the card (Gavepapir") charge notes, want 1"
[ "$(count_notes "$A" "card charged")" = 1 ] || fail "order $A: $(count_notes "$A" "card charged") charged notes, want 1"

echo "== A: refunds of the charge: with a shirt, refused before FrontGo hears of it; alone, from the charge"
fee=$(jq '.items[] | select(.type == "fee") | .id' "$work/order-$A.json")
code=$(curl -sS --max-time 60 -u "admin:$APP_PASSWORD" -X POST -H 'Content-Type: application/json' -o "$work/rest.json" -w '%{http_code}' \
  --data "{\"amount\":\"624.50\",\"api_refund\":true,\"line_items\":[{\"id\":$shirt,\"quantity\":1,\"refund_total\":399.20,\"refund_tax\":[{\"id\":1,\"refund_total\":99.80}]},{\"id\":$fee,\"refund_total\":100.40,\"refund_tax\":[{\"id\":1,\"refund_total\":25.10}]}]}" \
  "$WP_URL/wp-json/wc/v3/orders/$A/refunds") || fail "REST refund: no answer"
[[ $code != 2* ]] && grep -q 'Refund the additional charge \\"Gavepapir\\" on its own' "$work/rest.json" \
  || fail "a refund of the charge with a shirt: HTTP $code: $(head -c 400 "$work/rest.json")"
rest POST "/orders/$A/refunds" "{\"amount\":\"125.50\",\"reason\":\"e2e: the charge back\",\"api_refund\":true,\"line_items\":[{\"id\":$fee,\"refund_total\":100.40,\"refund_tax\":[{\"id\":1,\"refund_total\":25.10}]}]}"
sandbox "reservations/$UUID_A" >"$work/sandbox-$UUID_A.json"
jq -e '(.refunds | length) == 3 and .refundedFromCaptured == 55420 and .refundedFromCharged == 12550
  and .refunds[2].source == "charged" and .refunds[2].reference == .charges[0].uuid and .charges[0].lines[0].refunded == 12550' "$work/sandbox-$UUID_A.json" >/dev/null \
  || fail "sandbox refunds: $(jq -c '{refunds, charges}' "$work/sandbox-$UUID_A.json")"
order_json "$A"
jq -e '(.refunds | length) == 3 and .remaining == "588.90" and .meta._frontgate_charges[0].refunded == 12550' "$work/order-$A.json" >/dev/null \
  || fail "order $A after refunding the charge: $(jq -c '{refunds, remaining, charges: .meta._frontgate_charges}' "$work/order-$A.json")"
[ "$(count_notes "$A" "refund of")" = 3 ] || fail "order $A: $(count_notes "$A" "refund of") refund notes, want 3"
no_duplicate_notes "$A"
[ "$(jq -c '.mails | sort' "$work/order-$A.json")" = '["customer_completed_order","customer_on_hold_order","customer_partially_refunded_order","customer_partially_refunded_order","customer_partially_refunded_order","new_order"]' ] \
  || fail "order $A e-mails: $(jq -c .mails "$work/order-$A.json")"

# ---- B: the classic checkout form ----
echo "== B: classic checkout (the [woocommerce_checkout] form, ?wc-ajax=checkout)"
jar="$work/shopper-b.cookies"
shopper "$WP_URL/?add-to-cart=$OST&quantity=2" >/dev/null || fail "adding to the cart"
shopper "$CLASSIC_URL" >/dev/null || fail "opening the classic checkout"
form "$work/page.html" .checkout billing_first_name=Ola billing_last_name=Nordmann 'billing_address_1=Kirkegata 2' \
  billing_postcode=7010 billing_city=Trondheim 'billing_phone=+47 987 65 432' billing_email=ola@example.no payment_method=frontgate \
  >"$work/form.txt" || fail "no checkout form on $CLASSIC_URL"
curl -sS --max-time 60 -b "$jar" -c "$jar" -H 'X-Requested-With: XMLHttpRequest' -o "$work/classic.json" \
  --data-binary "$(tail -n +2 "$work/form.txt" | paste -sd'&')" "$WP_URL/?wc-ajax=checkout" || fail "posting the checkout form"
[ "$(jq -r .result "$work/classic.json")" = success ] || fail "classic checkout: $(head -c 600 "$work/classic.json")"
B=$(jq -r .order_id "$work/classic.json")
order_json "$B"
UUID_B=$(jq -r '.meta._frontgate_reservation_uuid' "$work/order-$B.json")
echo "order $B, reservation $UUID_B, total $(jq -r .total "$work/order-$B.json")"
landed=$(shopper "$(jq -r .redirect "$work/classic.json")") || fail "following the redirect"
[[ $landed == "200 $SB_URL/checkout/$UUID_B" ]] || fail "the redirect ends at $landed, want the sandbox's card page"

echo "== B: the merchant resends the payment link; the sandbox approves (no return: the webhook alone)"
wpx action "$B" frontgate_resend_link || fail "the resend action"
curl -fsS --max-time 30 -H "Authorization: Bearer $FRONTGATE_E2E_SHOP_KEY" "$SC_URL/v1/history" >"$work/history.json" || fail "history"
jq -e --arg u "$UUID_B" '[.. | objects | select(.uuid? == $u and .title? == "resent")] | length == 1' "$work/history.json" >/dev/null \
  || fail "FrontGo's history has no resent link for $UUID_B"
sandbox "reservations/$UUID_B/approve" -X POST -d '{"card":"5555555555554444"}' >/dev/null || fail "the sandbox's approve"
until_ok 20 "order $B on-hold" order_is "$B" ".status == \"on-hold\" and .meta._frontgate_status == \"RESERVED\""
webhook_seen "$B" RESERVED || fail "order $B was not put on hold by the webhook"

echo "== B: the merchant cancels the order (REST API) → the reservation is cancelled"
rest PUT "/orders/$B" '{"status":"cancelled"}'
until_ok 20 "reservation $UUID_B cancelled" sandbox_is "$UUID_B" '.status == "CANCELLED"'
until_ok 20 "the sidecar's webhook CANCELLED for order $B" webhook_seen "$B" CANCELLED
order_json "$B"
[ "$(jq -r .status "$work/order-$B.json")" = cancelled ] || fail "order $B is $(jq -r .status "$work/order-$B.json"), want cancelled"
[ "$(count_notes "$B" "payment link sent again")" = 1 ] || fail "order $B: no note of the resent link"
[ "$(count_notes "$B" "cancellation requested")" = 1 ] || fail "order $B: $(count_notes "$B" "cancellation requested") cancellation notes, want 1"
[ "$(wpx product OST-1 | jq .stock)" = 9 ] || fail "stock of OST-1 is $(wpx product OST-1 | jq .stock), want 9 (two back from the cancelled order)"
no_duplicate_notes "$B"

# ---- C: an event the shop refuses for good becomes a dead letter, listed and sent again ----
echo "== C: a reservation for an order the shop does not know: 410, a dead letter on the settings page, sent again"
code=$(curl -sS --max-time 60 -H "Authorization: Bearer $FRONTGATE_E2E_SHOP_KEY" -H 'Content-Type: application/json' -o "$work/c.json" -w '%{http_code}' \
  --data "{\"mode\":\"session\",\"orderId\":\"e2e-unknown-1\",\"returnUrls\":{\"success\":\"$WP_URL/ok\",\"failure\":\"$WP_URL/no\"},
    \"order\":{\"customer\":{\"type\":\"private\",\"name\":\"Kari Nordmann\",\"email\":\"kari@example.no\",\"countryCode\":\"+47\",\"msisdn\":\"46567468\",
    \"address\":{\"street\":\"Gate 1\",\"zip\":\"0150\",\"city\":\"Oslo\",\"country\":\"NO\"}},\"lines\":[{\"name\":\"A\",\"unitPrice\":10000,\"quantity\":1,\"taxRate\":25}]}}" \
  "$SC_URL/v1/checkouts") || fail "checkout for an unknown order: no answer"
[ "$code" = 201 ] || fail "checkout for an unknown order: HTTP $code: $(head -c 400 "$work/c.json")"
UUID_C=$(jq -r .reservationUuid "$work/c.json")
sandbox "reservations/$UUID_C/approve" -X POST -d '{"card":"4111111111111111"}' >/dev/null || fail "the sandbox's approve"
dead_listed() { # dead_listed <attempts>: the sidecar keeps C's RESERVED as a dead letter after that many attempts
  curl -fsS --max-time 30 -H "Authorization: Bearer $FRONTGATE_E2E_SHOP_KEY" "$SC_URL/v1/webhooks/dead" >"$work/dead.json" &&
    jq -e --arg u "$UUID_C" --argjson n "$1" '[.deadLetters[] | select(.reservationUuid == $u and .orderId == "e2e-unknown-1"
      and .type == "reservation.reserved" and .attempts == $n and (.lastError | contains("410")))] | length == 1' "$work/dead.json" >/dev/null
}
until_ok 20 "a dead letter for $UUID_C" dead_listed 1
wpx deadletters >"$work/dead.html" || fail "the settings page's section"
grep -q '<td>e2e-unknown-1</td><td>reservation.reserved</td><td>1</td>' "$work/dead.html" && grep -q 'action=frontgate_redeliver' "$work/dead.html" \
  || fail "the settings page does not list the dead letter: $(head -c 800 "$work/dead.html")"
notice=$(wpx redeliver) || fail "the redeliver action"
[ "$(jq -c . <<<"$notice")" = '["success","1 undelivered event is being sent again."]' ] || fail "the redeliver action's notice: $notice"
# Sent again with its attempts afresh; the shop still does not know the order, so it is dead again after one.
until_ok 20 "the redelivered event given up again" sh -c "grep -c 'webhook given up' '$work/sidecar.log' | grep -qx 2"
dead_listed 1 || fail "after the redelivery: $(jq -c . "$work/dead.json")"

# ---- the whole run ----
if [ -s "$work/debug.log" ] && grep -q 'frontgate-woocommerce/' "$work/debug.log"; then
  fail "PHP notices from the plugin: $(grep 'frontgate-woocommerce/' "$work/debug.log" | head -n 5)"
fi
# C's dead letters are the only errors the sidecar may log.
errors=$(grep '"level":"ERROR"' "$work/sidecar.log" | grep -v '"msg":"webhook given up; kept as a dead letter' || true)
[ -z "$errors" ] || fail "the sidecar logged errors: $(head -n 3 <<<"$errors")"
echo "PASS: A $A block checkout → declined → paid → on-hold (return + webhook, once) → completed → captured → 2 line refunds → charge refused, charged once (form sent twice) → mixed refund refused → charge refunded;" \
  "B $B classic checkout → link resent → approved → on-hold (webhook) → cancelled;" \
  "C an unknown order's event refused (410) → a dead letter on the settings page → sent again;" \
  "WordPress $(jq -r .wordpress "$work/setup.json"), WooCommerce $(jq -r .woocommerce "$work/setup.json"), HPOS $(jq -r .hpos "$work/setup.json"), $((SECONDS - started))s"
