#!/usr/bin/env bash
# End-to-end run of the frontgate-woocommerce plugin in a real WordPress +
# WooCommerce, against the sidecar and the FrontGo sandbox:
#
#   checkout → sandbox approves the card → order on-hold → merchant completes
#   it → captured (paid) → refund of one line.
#
# WordPress and WooCommerce are never committed: fetch them locally (see
# README.md) and point FRONTGATE_WP_DIR / FRONTGATE_WC_DIR at them. Without
# them, or without the tools below, this script says what is missing and
# exits 0 (a skip), so CI can always call it.
#
# Needs: php-cli with mysqli (php-mysql), a MySQL/MariaDB server reachable
# with FRONTGATE_E2E_DB_{HOST,NAME,USER,PASSWORD}, wp-cli (`wp` on PATH or
# FRONTGATE_WP_CLI), curl, go.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cache="$here/.cache"

WP_DIR="${FRONTGATE_WP_DIR:-$cache/wordpress}"       # johnpbloch/wordpress-core
WC_DIR="${FRONTGATE_WC_DIR:-$cache/woocommerce}"     # WP-a2z/woocommerce (woocommerce.php at its root)
WP_CLI="${FRONTGATE_WP_CLI:-wp}"
DB_HOST="${FRONTGATE_E2E_DB_HOST:-127.0.0.1}"
DB_NAME="${FRONTGATE_E2E_DB_NAME:-frontgate_e2e}"
DB_USER="${FRONTGATE_E2E_DB_USER:-root}"
DB_PASSWORD="${FRONTGATE_E2E_DB_PASSWORD:-}"

skip() { echo "skip: $*"; exit 0; }

[ -f "$WP_DIR/wp-includes/version.php" ] || skip "no WordPress at $WP_DIR (set FRONTGATE_WP_DIR; see adapters/woocommerce/e2e/README.md)"
[ -f "$WC_DIR/woocommerce.php" ] || skip "no WooCommerce at $WC_DIR (set FRONTGATE_WC_DIR; see adapters/woocommerce/e2e/README.md)"
command -v php >/dev/null || skip "php is not installed"
php -m | grep -qi '^mysqli$' || skip "php has no mysqli (apt-get install php-mysql)"
command -v "$WP_CLI" >/dev/null || skip "wp-cli is not installed (set FRONTGATE_WP_CLI to wp-cli.phar)"
command -v curl >/dev/null || skip "curl is not installed"
command -v go >/dev/null || skip "go is not installed"
H="$DB_HOST" U="$DB_USER" P="$DB_PASSWORD" php -r 'exit(@mysqli_connect(getenv("H"), getenv("U"), getenv("P")) ? 0 : 1);' \
  || skip "no MySQL at $DB_HOST for $DB_USER (set FRONTGATE_E2E_DB_*)"

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { php -r '$s=stream_socket_server("tcp://127.0.0.1:0");$n=stream_socket_get_name($s,false);echo substr($n,strrpos($n,":")+1);'; }
wait_http() { for _ in $(seq 1 100); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done; echo "not up: $1"; exit 1; }
fail() { echo "FAIL: $*"; exit 1; }

WP_PORT=$(free_port); SB_PORT=$(free_port); SC_PORT=$(free_port)
site="$work/site"
wp() { "$WP_CLI" --path="$site" --allow-root --quiet "$@"; }

echo "== WordPress $(sed -n "s/^\$wp_version = '\(.*\)';/\1/p" "$WP_DIR/wp-includes/version.php") at http://127.0.0.1:$WP_PORT"
cp -r "$WP_DIR" "$site"
ln -s "$WC_DIR" "$site/wp-content/plugins/woocommerce"
ln -s "$here/../plugin/frontgate-woocommerce" "$site/wp-content/plugins/frontgate-woocommerce"
wp config create --dbhost="$DB_HOST" --dbname="$DB_NAME" --dbuser="$DB_USER" --dbpass="$DB_PASSWORD" --skip-check
wp db reset --yes 2>/dev/null || wp db create
wp core install --url="http://127.0.0.1:$WP_PORT" --title="frontgate e2e" --admin_user=admin --admin_password=admin \
  --admin_email=admin@example.no --skip-email
wp plugin activate woocommerce frontgate-woocommerce
wp option update woocommerce_currency NOK
wp option update woocommerce_default_country NO
wp option update woocommerce_calc_taxes yes
wp option update woocommerce_prices_include_tax yes
wp eval 'WC_Tax::_insert_tax_rate(array("tax_rate_country"=>"NO","tax_rate"=>"25.0000","tax_rate_name"=>"MVA","tax_rate_priority"=>1,"tax_rate_shipping"=>1,"tax_rate_order"=>0,"tax_rate_class"=>""));'

php -S "127.0.0.1:$WP_PORT" -t "$site" >"$work/wp.log" 2>&1 & pids+=($!)
wait_http "http://127.0.0.1:$WP_PORT/"

echo "== FrontGo sandbox and sidecar"
export FRONTGO_SANDBOX_TOKEN=e2e-token FRONTGO_SANDBOX_SECRET=e2e-secret
export FRONTGATE_FRONTGO_TOKEN=e2e-token FRONTGATE_FRONTGO_SECRET=e2e-secret
export FRONTGATE_TOKEN_KEY="k1:$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
export FRONTGATE_E2E_SHOP_KEY="e2e-shop-key-$(head -c 12 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9')"
export FRONTGATE_E2E_WEBHOOK_SECRET="e2e-webhook-$(head -c 24 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9')"
(cd "$root" && go build -o "$work/frontgo-sandbox" ./host/cmd/frontgo-sandbox && go build -o "$work/frontgate" ./host/cmd/frontgate)
"$work/frontgo-sandbox" -addr "127.0.0.1:$SB_PORT" -control -log json >"$work/sandbox.log" 2>&1 & pids+=($!)
cat >"$work/frontgate.json" <<JSON
{
  "listen": "127.0.0.1:$SC_PORT",
  "publicUrl": "http://127.0.0.1:$SC_PORT",
  "frontgo": {"baseUrl": "http://127.0.0.1:$SB_PORT/api/v1"},
  "shops": [{"id": "e2e", "apiKeyEnv": "FRONTGATE_E2E_SHOP_KEY", "allowedHosts": ["127.0.0.1:$WP_PORT"],
             "webhookUrl": "http://127.0.0.1:$WP_PORT/?wc-api=frontgate", "webhookSecretEnv": "FRONTGATE_E2E_WEBHOOK_SECRET"}],
  "logFormat": "json"
}
JSON
"$work/frontgate" -config "$work/frontgate.json" >"$work/sidecar.log" 2>&1 & pids+=($!)
wait_http "http://127.0.0.1:$SC_PORT/healthz"

wp option update woocommerce_frontgate_settings --format=json "$(cat <<JSON
{"enabled":"yes","title":"Kort","sidecar_url":"http://127.0.0.1:$SC_PORT","shop_id":"e2e","api_key":"$FRONTGATE_E2E_SHOP_KEY",
 "webhook_secret":"$FRONTGATE_E2E_WEBHOOK_SECRET","checkout_mode":"session","reserved_status":"on-hold","capture_status":"completed",
 "testmode":"no","debug":"yes"}
JSON
)"

echo "== checkout"
order=$(wp eval '
  $p = new WC_Product_Simple(); $p->set_name("Ullskjorte"); $p->set_sku("ULL-1"); $p->set_regular_price("499.00"); $p->save();
  $o = wc_create_order();
  $o->add_product($p, 2);
  $o->set_address(array("first_name"=>"Kari","last_name"=>"Nordmann","address_1"=>"Storgata 1","postcode"=>"0155",
    "city"=>"Oslo","country"=>"NO","email"=>"kari@example.no","phone"=>"+47 412 34 567"), "billing");
  $s = new WC_Order_Item_Shipping(); $s->set_method_title("Posten"); $s->set_method_id("flat_rate"); $s->set_total("55.20");
  $o->add_item($s);
  $o->set_payment_method("frontgate"); $o->calculate_totals(); $o->save(); echo $o->get_id();')
redirect=$(wp eval '$g = WC()->payment_gateways()->payment_gateways()["frontgate"]; $r = $g->process_payment('"$order"');
  if ($r["result"] !== "success") { fwrite(STDERR, print_r(wc_get_notices(), true)); exit(1); } echo $r["redirect"];') \
  || fail "process_payment failed (see $work/wp.log)"
uuid=$(wp eval 'echo wc_get_order('"$order"')->get_meta("_frontgate_reservation_uuid");')
echo "order $order, reservation $uuid, redirect $redirect"
curl -fsS -o /dev/null -w '%{http_code} %{redirect_url}\n' "$redirect"

echo "== the shopper pays (sandbox approves)"
curl -fsS -X POST -H "Authorization: Bearer e2e-token" -d '{"card":"4111111111111111"}' \
  "http://127.0.0.1:$SB_PORT/_sandbox/reservations/$uuid/approve" >/dev/null
status_is() { # order status, waiting for the webhook (or the return) to apply it
  for _ in $(seq 1 50); do
    [ "$(wp eval 'echo wc_get_order('"$order"')->get_status();')" = "$1" ] && return 0
    wp eval 'Frontgate_Plugin::confirm_return('"$order"');' >/dev/null 2>&1 || true
    sleep 0.2
  done
  fail "order $order is $(wp eval 'echo wc_get_order('"$order"')->get_status();'), want $1"
}
status_is on-hold
echo "order $order is on-hold (reserved)"

echo "== the merchant ships: completed → capture"
wp eval '$o = wc_get_order('"$order"'); $o->update_status("completed");'
for _ in $(seq 1 50); do
  [ "$(wp eval 'echo wc_get_order('"$order"')->get_meta("_frontgate_status");')" = "CAPTURED" ] && break
  sleep 0.2
done
[ "$(wp eval 'echo wc_get_order('"$order"')->is_paid() ? "paid" : "unpaid";')" = "paid" ] || fail "order $order is not paid after the capture"
echo "order $order captured and paid"

echo "== refund one shirt"
wp eval '$o = wc_get_order('"$order"'); $items = $o->get_items(); $id = array_key_first($items);
  $r = wc_create_refund(array("order_id"=>$o->get_id(), "amount"=>"499.00", "reason"=>"e2e", "refund_payment"=>true,
    "line_items"=>array($id=>array("qty"=>1, "refund_total"=>"399.20", "refund_tax"=>array(1=>"99.80")))));
  if (is_wp_error($r)) { fwrite(STDERR, $r->get_error_message()."\n"); exit(1); }' || fail "refund failed"
notes=$(wp eval 'foreach (wc_get_order_notes(array("order_id"=>'"$order"')) as $n) echo $n->content, "\n";')
echo "$notes" | grep -q "refund of" || fail "no refund note"
echo "$notes" | grep -c "payment reserved" | grep -qx 1 || fail "the reserved note is not there exactly once"
echo "PASS: checkout → reserved → completed → captured → refunded (order $order)"
