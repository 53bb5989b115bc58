<?php
/**
 * Smoke tests of the WordPress-facing classes: the main file loads and
 * registers its hooks, process_payment sends the Go adapter's order to the
 * sidecar, process_refund and the capture hook call it as documented. The
 * sidecar is scripted through a wp_remote_request stub.
 *
 * @package Frontgate_WooCommerce
 */

// phpcs:disable

class WooCommerce {}

class WP_Error {
	public $code;
	public $message;
	public function __construct( $code = '', $message = '' ) { $this->code = $code; $this->message = $message; }
	public function get_error_message() { return $this->message; }
}

/** The part of WC_Payment_Gateway the gateway uses. */
class WC_Payment_Gateway {
	public $id;
	public $method_title;
	public $method_description;
	public $has_fields;
	public $supports = array();
	public $form_fields = array();
	public $settings = array();
	public $title;
	public $description;
	public $enabled;
	public function init_settings() {
		$this->settings = isset( $GLOBALS['frontgate_test_settings'] ) ? $GLOBALS['frontgate_test_settings'] : array();
		foreach ( $this->form_fields as $k => $f ) {
			if ( ! isset( $this->settings[ $k ] ) ) {
				$this->settings[ $k ] = isset( $f['default'] ) ? $f['default'] : '';
			}
		}
	}
	public function get_option( $key, $empty = null ) { return isset( $this->settings[ $key ] ) ? $this->settings[ $key ] : $empty; }
	public function is_available() { return 'yes' === $this->enabled; }
	public function supports( $f ) { return in_array( $f, $this->supports, true ); }
	public function get_return_url( $order ) { return 'https://butikk.example/kasse/order-received/' . $order->get_id() . '/?key=' . $order->get_order_key(); }
	public function process_admin_options() {}
	public function admin_options() { echo '<table class="form-table"></table>'; }
}

function plugin_dir_path( $file ) { return dirname( $file ) . '/'; }
function plugin_basename( $file ) { return basename( dirname( $file ) ) . '/' . basename( $file ); }
function load_plugin_textdomain() {}
function get_locale() { return 'nb_NO'; }
function wc_get_order_statuses() {
	return array( 'wc-pending' => 'Pending payment', 'wc-processing' => 'Processing', 'wc-on-hold' => 'On hold', 'wc-completed' => 'Completed', 'wc-cancelled' => 'Cancelled', 'wc-refunded' => 'Refunded', 'wc-failed' => 'Failed' );
}
function wc_add_notice( $message, $type = 'success' ) { $GLOBALS['frontgate_test_notices'][] = array( $type, $message ); }
function wc_price( $amount, $args = array() ) { return 'kr ' . number_format( (float) $amount, 2, ',', ' ' ); }
function get_current_user_id() { return isset( $GLOBALS['frontgate_test_user'] ) ? $GLOBALS['frontgate_test_user'] : 0; }
function get_woocommerce_currency() { return isset( $GLOBALS['frontgate_test_currency'] ) ? $GLOBALS['frontgate_test_currency'] : 'NOK'; }
function WC() {
	return new class() {
		public $cart = null;
		public function api_request_url( $name ) { return 'https://butikk.example/?wc-api=' . $name; }
		public function payment_gateways() {
			return new class() {
				public function payment_gateways() { return array( 'frontgate' => $GLOBALS['frontgate_test_gateway'] ); }
			};
		}
	};
}

/**
 * The sidecar, scripted: each call takes the next answer (status, body), or
 * calls the next closure with the request (to look at the shop meanwhile)
 * and takes the answer it returns.
 */
function wp_remote_request( $url, $args ) {
	$GLOBALS['frontgate_test_requests'][] = array( $url, $args );
	if ( empty( $GLOBALS['frontgate_test_responses'] ) ) {
		throw new FrontgateTest_Failure( 'unexpected request ' . $args['method'] . ' ' . $url );
	}
	$next = array_shift( $GLOBALS['frontgate_test_responses'] );
	list( $code, $body ) = $next instanceof Closure ? $next( $url, $args ) : $next;
	return array( 'response' => array( 'code' => $code ), 'body' => is_string( $body ) ? $body : json_encode( $body ) );
}
function wp_remote_retrieve_response_code( $r ) { return $r['response']['code']; }
function wp_remote_retrieve_body( $r ) { return $r['body']; }

require_once dirname( __DIR__ ) . '/frontgate-woocommerce/frontgate-woocommerce.php';

function frontgate_t_gateway( array $settings = array() ) {
	$GLOBALS['frontgate_test_settings']  = array_merge(
		array( 'enabled' => 'yes', 'sidecar_url' => 'https://pay.example.no/', 'api_key' => 'shop-key-0123456789abcdef', 'webhook_secret' => FRONTGATE_T_SECRET, 'shop_id' => 'shop1' ),
		$settings
	);
	$GLOBALS['frontgate_test_requests']  = array();
	$GLOBALS['frontgate_test_responses'] = array();
	$GLOBALS['frontgate_test_notices']   = array();
	$GLOBALS['frontgate_test_gateway']   = new Frontgate_Gateway();
	return $GLOBALS['frontgate_test_gateway'];
}

/** A WooCommerce order made from one of the Go adapter's REST fixtures. */
function frontgate_t_wc_order( $fixture, $id = 1204 ) {
	$props = json_decode( file_get_contents( frontgate_t_testdata() . '/orders/' . $fixture . '.json' ), true );
	return WC_Order::create( $id, array( 'props' => $props ) );
}

function frontgate_test_gateway_plugin_loads_and_registers_hooks() {
	frontgate_load();
	foreach ( array( 'woocommerce_payment_gateways', 'woocommerce_api_frontgate', 'woocommerce_thankyou_frontgate', 'woocommerce_order_status_changed',
		'woocommerce_order_actions', 'woocommerce_order_action_frontgate_resend_link', 'woocommerce_order_action_frontgate_charge',
		'woocommerce_cancel_unpaid_order', 'woocommerce_blocks_payment_method_type_registration', 'add_meta_boxes', 'woocommerce_create_refund',
		'woocommerce_update_options_payment_gateways_frontgate', 'admin_post_frontgate_redeliver' ) as $hook ) {
		frontgate_assert_true( isset( $GLOBALS['frontgate_test_hooks'][ $hook ] ), 'hook ' . $hook );
	}
	frontgate_assert_same( array( 'bacs', 'Frontgate_Gateway' ), frontgate_stub_fire( 'woocommerce_payment_gateways', array( 'bacs' ) ) );
	$g = frontgate_t_gateway();
	frontgate_assert_same( true, $g->is_available() );
	frontgate_assert_same( 'completed', $g->get_option( 'capture_status' ) );
	frontgate_assert_same( array( 'processing', 'completed' ), array_keys( $g->form_fields['capture_status']['options'] ) );
	frontgate_assert_same( false, frontgate_t_gateway( array( 'testmode' => 'yes' ) )->is_available(), 'test mode without a test key' );
}

function frontgate_test_gateway_process_payment() {
	$g = frontgate_t_gateway();
	frontgate_t_wc_order( 'coupon-fixed' );
	$GLOBALS['frontgate_test_responses'][] = array( 201, array( 'checkoutId' => 'chk_1', 'reservationUuid' => 'RSRV1', 'redirectUrl' => 'https://pay.example.no/v1/checkouts/chk_1/go', 'expiresAt' => gmdate( 'Y-m-d\\TH:i:s\\Z', time() + 86400 ), 'status' => 'SENT' ) );
	$res = $g->process_payment( 1204 );
	frontgate_assert_same( array( 'result' => 'success', 'redirect' => 'https://pay.example.no/v1/checkouts/chk_1/go' ), $res );

	list( $url, $args ) = $GLOBALS['frontgate_test_requests'][0];
	frontgate_assert_same( 'https://pay.example.no/v1/checkouts', $url );
	frontgate_assert_same( 'POST', $args['method'] );
	frontgate_assert_same( 'Bearer shop-key-0123456789abcdef', $args['headers']['Authorization'] );
	frontgate_assert_same( Frontgate_Sidecar_Client::idempotency_key( 'checkout', 'wc_order_key1204', 1 ), $args['headers']['Idempotency-Key'] );
	$body = json_decode( $args['body'], true );
	$want = json_decode( file_get_contents( frontgate_t_testdata() . '/golden/coupon-fixed.order.json' ), true );
	// preferredLanguage comes from the site's locale, nb_NO.
	$want['customer'] = array_merge( array_slice( $want['customer'], 0, 5 ), array( 'preferredLanguage' => 'no' ), array_slice( $want['customer'], 5 ) );
	frontgate_assert_same( $want, $body['order'], 'the order is the Go adapter\'s' );
	frontgate_assert_same( array( 'mode' => 'session', 'orderId' => '1204' ), array( 'mode' => $body['mode'], 'orderId' => $body['orderId'] ) );
	frontgate_assert_same( 'https://butikk.example/kasse/order-received/1204/?key=wc_order_key1204', $body['returnUrls']['success'] );

	$o = wc_get_order( 1204 );
	frontgate_assert_same( 'RSRV1', $o->get_meta( '_frontgate_reservation_uuid' ) );
	frontgate_assert_same( 'chk_1', $o->get_meta( '_frontgate_checkout_id' ) );
	frontgate_assert_same( array( 41, 42, 43, 44 ), array_column( $o->get_meta( '_frontgate_items' ), 'item_id' ) );
	frontgate_assert_same( array( 1, 2, 4, 1 ), array_column( $o->get_meta( '_frontgate_items' ), 'quantity' ) );
	frontgate_assert_true( abs( time() + 86400 - $o->get_meta( '_frontgate_expires_at' ) ) < 5, 'expiry kept' );
	frontgate_assert_same( 'SENT', $o->get_meta( '_frontgate_status' ), 'awaiting payment' );
	frontgate_assert_same( 1, count( $o->notes() ) );

	// Placing the order again (a double click, or back on the pay page
	// after a declined card) sends the same key and resumes the same
	// checkout: no second note, nothing the webhook recorded is lost.
	$o->meta['_frontgate_status'] = 'RESERVED NOT PAID';
	$o->save();
	$GLOBALS['frontgate_test_responses'][] = array( 201, array( 'checkoutId' => 'chk_1', 'reservationUuid' => 'RSRV1', 'redirectUrl' => 'https://pay.example.no/v1/checkouts/chk_1/go', 'expiresAt' => gmdate( 'Y-m-d\\TH:i:s\\Z', time() + 86400 ) ) );
	frontgate_assert_same( array( 'result' => 'success', 'redirect' => 'https://pay.example.no/v1/checkouts/chk_1/go' ), $g->process_payment( 1204 ) );
	frontgate_assert_same( $args['headers']['Idempotency-Key'], $GLOBALS['frontgate_test_requests'][1][1]['headers']['Idempotency-Key'] );
	$o = wc_get_order( 1204 );
	frontgate_assert_same( 1, count( $o->notes() ), 'one checkout note' );
	frontgate_assert_same( 'RESERVED NOT PAID', $o->get_meta( '_frontgate_status' ) );
}

function frontgate_test_gateway_awaiting_payment_actions() {
	frontgate_load();
	$g = frontgate_t_gateway();
	$actions = new Frontgate_Order_Actions( $g );
	$o       = frontgate_t_wc_order( 'coupon-fixed', 1220 );
	$o->meta = array( '_frontgate_reservation_uuid' => 'RSRV9', '_frontgate_status' => 'SENT', '_frontgate_expires_at' => time() + 3600 );
	$o->save();
	frontgate_assert_same( array( 'frontgate_resend_link' ), array_keys( $actions->order_actions( array(), $o ) ), 'resend while the card page is open' );
	$o->meta['_frontgate_status'] = ''; // A checkout recorded before SENT was.
	frontgate_assert_same( array( 'frontgate_resend_link' ), array_keys( $actions->order_actions( array(), $o ) ), 'resend without a status' );
	$o->meta['_frontgate_status'] = 'RESERVED';
	frontgate_assert_same( array(), array_keys( $actions->order_actions( array(), $o ) ), 'no charge before the capture: it would end the reservation' );
	$o->meta['_frontgate_status'] = 'CAPTURED';
	frontgate_assert_same( array( 'frontgate_charge' ), array_keys( $actions->order_actions( array(), $o ) ) );

	// Cancelling an unpaid order closes its card page or link at FrontGo.
	$o->meta['_frontgate_status'] = 'SENT';
	$o->save();
	$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'status' => 'CANCELLED' ) );
	frontgate_stub_fire( 'woocommerce_order_status_changed', 1220, 'pending', 'cancelled', wc_get_order( 1220 ) );
	frontgate_assert_same( 1, count( $GLOBALS['frontgate_test_requests'] ) );
	frontgate_assert_same( 'https://pay.example.no/v1/reservations/RSRV9/cancel', $GLOBALS['frontgate_test_requests'][0][0] );

	// Not once it has expired (WooCommerce's unpaid-order timer): FrontGo expired it.
	$o->meta['_frontgate_expires_at'] = time() - 1;
	$o->save();
	frontgate_stub_fire( 'woocommerce_order_status_changed', 1220, 'pending', 'cancelled', wc_get_order( 1220 ) );
	frontgate_assert_same( 1, count( $GLOBALS['frontgate_test_requests'] ), 'no call for an expired link' );
}

function frontgate_test_gateway_refund_pays_out_the_new_refund() {
	$g = frontgate_t_gateway();
	$o = frontgate_t_captured_order();
	// Two refunds made within one second: WooCommerce orders refunds by
	// date only, so the earlier may come first.
	$first  = array( 'id' => 5001, 'parent' => 1204, 'items' => array( array( 'total' => '-55.20', 'total_tax' => '-13.80', '_refunded_item_id' => 44 ) ) );
	$second = array( 'id' => 5002, 'parent' => 1204, 'items' => array( array( 'total' => '-58.02', 'total_tax' => '-8.71', '_refunded_item_id' => 43 ) ) );
	$o->refunds = array( $second, $first ); // get_refunds(): 5001, then 5002.
	$o->save();

	Frontgate_Refunds::remember( new FrontgateTest_Refund( $second ) ); // woocommerce_create_refund
	$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'grandTotal' => 6673 ) );
	frontgate_assert_same( true, $g->process_refund( 1204, '66.73', '' ) );
	list( , $args ) = $GLOBALS['frontgate_test_requests'][0];
	frontgate_assert_same( array( array( 'id' => 9002, 'amount' => 6673 ) ), json_decode( $args['body'], true )['lines'] );
	frontgate_assert_same( Frontgate_Sidecar_Client::idempotency_key( 'refund', 'wc_order_key1204', 5002 ), $args['headers']['Idempotency-Key'] );

	// Without the hook (another plugin creating refunds its own way): the newest.
	Frontgate_Refunds::remember( null );
	$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'grandTotal' => 6673 ) );
	frontgate_assert_same( true, $g->process_refund( 1204, '66.73', '' ) );
	frontgate_assert_same( Frontgate_Sidecar_Client::idempotency_key( 'refund', 'wc_order_key1204', 5002 ), $GLOBALS['frontgate_test_requests'][1][1]['headers']['Idempotency-Key'] );

	// A refund remembered for another order is not this one's.
	Frontgate_Refunds::remember( new FrontgateTest_Refund( array( 'id' => 7001, 'parent' => 999, 'items' => array() ) ) );
	frontgate_assert_same( 5002, Frontgate_Refunds::being_paid( wc_get_order( 1204 ) )->get_id() );
	Frontgate_Refunds::remember( null );
}

/**
 * The same order refunded twice quickly (two requests in two processes,
 * each a refund typed as an amount): each fills the lines from what the
 * other left, and both count in what the order records as refunded, so a
 * third refund is sent for what is really left.
 */
function frontgate_test_gateway_refunds_racing_record_both() {
	$g = frontgate_t_gateway();
	frontgate_t_captured_order();
	$codes = frontgate_t_race(
		2,
		function ( $i ) use ( $g ) {
			Frontgate_Refunds::remember( new FrontgateTest_Refund( array( 'id' => 5001 + $i, 'parent' => 1204, 'items' => array() ) ) );
			$GLOBALS['frontgate_test_responses'] = array(
				function () {
					usleep( 300000 ); // FrontGo takes its time: the other request runs meanwhile.
					return array( 200, array( 'grandTotal' => 4000 ) );
				},
			);
			return true === $g->process_refund( 1204, '40.00', '' ) ? 10 : 1;
		}
	);
	frontgate_assert_same( array( 10, 10 ), $codes, 'both refunds made' );
	frontgate_assert_same( array( 9001 => 8000 ), wc_get_order( 1204 )->get_meta( '_frontgate_refunded_lines' ), 'both refunds recorded' );
}

function frontgate_test_gateway_process_payment_failures() {
	$g = frontgate_t_gateway();
	frontgate_t_wc_order( 'fees', 1207 );
	// The shopper's phone number is refused; the idempotency key was used before with another body.
	$GLOBALS['frontgate_test_responses'][] = array( 409, array( 'error' => array( 'code' => 'idempotency_mismatch', 'message' => 'this Idempotency-Key was used with a different request body' ) ) );
	$GLOBALS['frontgate_test_responses'][] = array( 422, array( 'error' => array( 'code' => 'validation', 'message' => 'checkout: invalid order', 'fields' => array( array( 'path' => 'order.customer.msisdn', 'rule' => 'length' ) ) ) ) );
	frontgate_assert_same( array( 'result' => 'failure' ), $g->process_payment( 1207 ) );
	frontgate_assert_same( array( array( 'error', 'Please check your mobile number.' ) ), $GLOBALS['frontgate_test_notices'] );
	frontgate_assert_same( Frontgate_Sidecar_Client::idempotency_key( 'checkout', 'wc_order_key1207', 2 ), $GLOBALS['frontgate_test_requests'][1][1]['headers']['Idempotency-Key'], 'a new attempt after a mismatch' );
	frontgate_assert_same( 1, count( wc_get_order( 1207 )->notes() ) );

	// An order that does not add up never reaches the sidecar.
	frontgate_t_wc_order( 'err-round-at-subtotal', 1211 );
	$GLOBALS['frontgate_test_notices'] = array();
	frontgate_assert_same( array( 'result' => 'failure' ), $g->process_payment( 1211 ) );
	frontgate_assert_same( 2, count( $GLOBALS['frontgate_test_requests'] ), 'no request' );
	frontgate_assert_true( false !== strpos( wc_get_order( 1211 )->notes()[0], 'the lines add up to 26.22 but the order total is 26.21' ), 'note names the numbers' );

	// The sidecar is down: three tries with the same key, then a message.
	frontgate_t_wc_order( 'fees', 1208 );
	for ( $i = 0; $i < 3; $i++ ) {
		$GLOBALS['frontgate_test_responses'][] = array( 503, array( 'error' => array( 'code' => 'upstream_unavailable', 'message' => 'create: FrontGo is unavailable' ) ) );
	}
	frontgate_assert_same( array( 'result' => 'failure' ), $g->process_payment( 1208 ) );
	frontgate_assert_same( 5, count( $GLOBALS['frontgate_test_requests'] ) );
}

function frontgate_test_gateway_refund_and_capture() {
	$g = frontgate_t_gateway();
	frontgate_load();
	$o = frontgate_t_wc_order( 'coupon-fixed' );
	$o->status = 'on-hold';
	$o->meta   = array(
		'_frontgate_reservation_uuid' => 'RSRV1',
		'_frontgate_status'           => 'RESERVED',
		'_frontgate_line_ids'         => array( '41' => array( array( 9001, 142885 ) ), '43' => array( array( 9002, 10008 ), array( 9003, 3337 ) ), '44' => array( array( 9004, 6900 ) ) ),
	);
	$o->save();

	// The merchant completes the order: capture everything reserved.
	$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'grandTotal' => 210600 ) );
	frontgate_stub_fire( 'woocommerce_order_status_changed', 1204, 'on-hold', 'completed', wc_get_order( 1204 ) );
	list( $url, $args ) = $GLOBALS['frontgate_test_requests'][0];
	frontgate_assert_same( 'https://pay.example.no/v1/reservations/RSRV1/capture', $url );
	frontgate_assert_same( '{}', $args['body'] );

	// A capture the sidecar refuses puts the order back.
	$GLOBALS['frontgate_test_responses'][] = array( 409, array( 'error' => array( 'code' => 'refused', 'message' => 'capture: not allowed while the reservation is EXPIRED' ) ) );
	$o = wc_get_order( 1204 );
	$o->status = 'completed';
	$o->save();
	frontgate_stub_fire( 'woocommerce_order_status_changed', 1204, 'on-hold', 'completed', $o );
	frontgate_assert_same( 'on-hold', wc_get_order( 1204 )->get_status() );

	// Status changes made while applying an outcome are not the merchant's.
	Frontgate_Outcome_Handler::$applying = true;
	frontgate_stub_fire( 'woocommerce_order_status_changed', 1204, 'on-hold', 'completed', wc_get_order( 1204 ) );
	Frontgate_Outcome_Handler::$applying = false;
	frontgate_assert_same( 2, count( $GLOBALS['frontgate_test_requests'] ) );

	// Refund two of the four bars and the shipping.
	$o = wc_get_order( 1204 );
	$o->meta['_frontgate_capture_ids'] = array( 'CAP777' );
	$o->refunds = array( array( 'id' => 5001, 'items' => array(
		array( 'total' => '-58.02', 'total_tax' => '-8.71', '_refunded_item_id' => 43 ),
		array( 'total' => '-55.20', 'total_tax' => '-13.80', '_refunded_item_id' => 44 ),
	) ) );
	$o->save();
	$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'grandTotal' => 13573 ) );
	frontgate_assert_same( true, $g->process_refund( 1204, '135.73', 'Skadet' ) );
	list( $url, $args ) = $GLOBALS['frontgate_test_requests'][2];
	frontgate_assert_same( 'https://pay.example.no/v1/reservations/RSRV1/refund', $url );
	frontgate_assert_same( array( 'lines' => array( array( 'id' => 9002, 'amount' => 6673 ), array( 'id' => 9004, 'amount' => 6900 ) ), 'source' => 'captured', 'reference' => 'CAP777' ), json_decode( $args['body'], true ) );
	frontgate_assert_same( Frontgate_Sidecar_Client::idempotency_key( 'refund', 'wc_order_key1204', 5001 ), $args['headers']['Idempotency-Key'] );

	// Before anything is captured, a refund is refused without a call.
	$o = wc_get_order( 1204 );
	unset( $o->meta['_frontgate_capture_ids'] );
	$o->save();
	frontgate_assert_true( $g->process_refund( 1204, '10.00' ) instanceof WP_Error, 'refund before capture' );
}

function frontgate_test_gateway_unpaid_order_timer() {
	$o = WC_Order::create( 301, array( 'meta' => array( '_frontgate_reservation_uuid' => 'R', '_frontgate_status' => 'RESERVED' ) ) );
	frontgate_assert_same( false, Frontgate_Order_Actions::keep_reserved_orders( true, $o ), 'reserved' );
	$o->meta = array( '_frontgate_reservation_uuid' => 'R', '_frontgate_status' => 'SENT', '_frontgate_expires_at' => time() + 3600 );
	frontgate_assert_same( false, Frontgate_Order_Actions::keep_reserved_orders( true, $o ), 'open link' );
	$o->meta['_frontgate_expires_at'] = time() - 1;
	frontgate_assert_same( true, Frontgate_Order_Actions::keep_reserved_orders( true, $o ), 'expired link' );
	$o->meta = array( '_frontgate_reservation_uuid' => 'R', '_frontgate_status' => 'CANCELLED' );
	frontgate_assert_same( true, Frontgate_Order_Actions::keep_reserved_orders( true, $o ), 'cancelled' );
	$o->payment_method = 'bacs';
	$o->meta['_frontgate_status'] = 'RESERVED';
	frontgate_assert_same( true, Frontgate_Order_Actions::keep_reserved_orders( true, $o ), 'another gateway' );
}

// A new checkout and one resumed log the same line: the order, checkout,
// reservation and checkout mode.
function frontgate_test_gateway_checkout_log_lines() {
	frontgate_load();
	$g = frontgate_t_gateway( array( 'checkout_mode' => 'link' ) );
	frontgate_t_wc_order( 'coupon-fixed' );
	$answer = array( 'checkoutId' => 'chk_1', 'reservationUuid' => 'RSRV1', 'expiresAt' => gmdate( 'Y-m-d\\TH:i:s\\Z', time() + 86400 ), 'status' => 'SENT' );
	$GLOBALS['frontgate_test_responses'][] = array( 201, $answer );
	$GLOBALS['frontgate_test_responses'][] = array( 201, $answer );
	$g->process_payment( 1204 );
	$g->process_payment( 1204 );
	$lines = array_values( array_filter( $GLOBALS['frontgate_test_logs'], function ( $l ) { return 0 === strpos( $l[1], 'checkout ' ); } ) );
	frontgate_assert_same(
		array(
			array( 'info', 'checkout created {"order":1204,"checkout":"chk_1","reservation":"RSRV1","mode":"link"}', 'frontgate' ),
			array( 'info', 'checkout resumed {"order":1204,"checkout":"chk_1","reservation":"RSRV1","mode":"link"}', 'frontgate' ),
		),
		$lines
	);
}

// A refund whose outcome is not known (the sidecar's 504: the write reached
// FrontGo, no answer came) is dropped by WooCommerce; the merchant refunds
// again. That must not pay the customer twice: FrontGo is asked first.
function frontgate_test_gateway_refund_with_unknown_outcome_is_never_paid_twice() {
	$g       = frontgate_t_gateway();
	$timeout = array( 504, array( 'error' => array( 'code' => 'upstream_timeout', 'message' => 'refund: FrontGo did not answer in time' ) ) );
	$refund  = function ( $id ) {
		$r = array( 'id' => $id, 'parent' => 1204, 'items' => array( array( 'total' => '-55.20', 'total_tax' => '-13.80', '_refunded_item_id' => 44 ) ) );
		$o = wc_get_order( 1204 );
		$o->refunds = array( $r ); // WooCommerce deleted the one before.
		$o->save();
		Frontgate_Refunds::remember( new FrontgateTest_Refund( $r ) );
	};
	$posts = function () {
		return count( array_filter( $GLOBALS['frontgate_test_requests'], function ( $r ) { return 'POST' === $r[1]['method']; } ) );
	};
	foreach ( array(
		'it went through'     => array( 6900, true, 1 ),
		'it did not'          => array( 0, true, 2 ),
		'cannot be told'      => array( 1000, false, 1 ),
	) as $name => list( $at_frontgo, $ok, $want_posts ) ) {
		frontgate_t_gateway();
		frontgate_t_captured_order();
		$refund( 5001 );
		$GLOBALS['frontgate_test_responses'][] = $timeout;
		$first = $g->process_refund( 1204, '69.00', '' );
		frontgate_assert_true( $first instanceof WP_Error && false !== strpos( $first->get_error_message(), 'The outcome of the refund of 69.00 is not known' ), $name . ': the first refund reports an unknown outcome, not a refusal: ' . ( $first instanceof WP_Error ? $first->get_error_message() : var_export( $first, true ) ) );
		frontgate_assert_same( 6900, wc_get_order( 1204 )->get_meta( '_frontgate_refund_pending' )['amount'], $name . ': remembered' );

		$refund( 5002 );
		$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'status' => 'PARTIAL REFUNDED', 'payment' => array( 'captured' => 210600, 'refundedFromCaptured' => $at_frontgo ) ) );
		$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'grandTotal' => 6900 ) );
		$again = $g->process_refund( 1204, '69.00', '' );
		frontgate_assert_same( $ok, true === $again, $name . ': the second refund' );
		frontgate_assert_true( $ok || ( $again instanceof WP_Error && false !== strpos( $again->get_error_message(), 'FrontGo shows 10.00 refunded from the capture, but the refunds made here add up to 0.00' ) ), $name . ': the merchant is told what to check' );
		frontgate_assert_same( 'GET', $GLOBALS['frontgate_test_requests'][1][1]['method'], $name . ': FrontGo asked first' );
		frontgate_assert_same( $want_posts, $posts(), $name . ': refunds sent in all' );
		$o = wc_get_order( 1204 );
		frontgate_assert_same( $ok ? array( '9004' => 6900 ) : '', $o->get_meta( '_frontgate_refunded_lines' ), $name . ': the line refunded once' );
		if ( $ok ) {
			frontgate_assert_same( '', $o->get_meta( '_frontgate_refund_pending' ), $name . ': settled' );
			continue;
		}
		// Undecided: the mark stays, so a third try sends nothing either.
		frontgate_assert_same( 6900, $o->get_meta( '_frontgate_refund_pending' )['amount'], $name . ': still pending' );
		$refund( 5003 );
		$GLOBALS['frontgate_test_responses']   = array();
		$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'status' => 'PARTIAL REFUNDED', 'payment' => array( 'captured' => 210600, 'refundedFromCaptured' => $at_frontgo ) ) );
		$third = $g->process_refund( 1204, '69.00', '' );
		frontgate_assert_true( $third instanceof WP_Error, $name . ': the third refund waits too' );
		frontgate_assert_same( $want_posts, $posts(), $name . ': still no second refund sent' );
		// The merchant checks the portal and says so: refunds go on.
		$actions = ( new Frontgate_Order_Actions( $g ) )->order_actions( array(), wc_get_order( 1204 ) );
		frontgate_assert_true( isset( $actions['frontgate_refund_checked'] ), $name . ': the action is offered' );
		frontgate_load(); // the plugin's hooks
		frontgate_stub_fire( 'woocommerce_order_action_frontgate_refund_checked', wc_get_order( 1204 ) );
		frontgate_assert_same( '', wc_get_order( 1204 )->get_meta( '_frontgate_refund_pending' ), $name . ': cleared by the merchant' );
		$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'grandTotal' => 6900 ) );
		frontgate_assert_same( true, $g->process_refund( 1204, '69.00', '' ), $name . ': then a refund is sent' );
		frontgate_assert_same( $want_posts + 1, $posts(), $name . ': one more refund sent' );
	}
	Frontgate_Refunds::remember( null );
}

// A shop with a currency switcher: the card option is not offered to a
// shopper paying in a currency FrontGo does not take (the order would be
// refused only after it was placed).
function frontgate_test_gateway_not_offered_in_other_currencies() {
	$g = frontgate_t_gateway();
	frontgate_assert_same( true, $g->is_available(), 'NOK' );
	foreach ( array( 'EUR', 'SEK' ) as $c ) {
		$GLOBALS['frontgate_test_currency'] = $c;
		frontgate_assert_same( false, $g->is_available(), $c );
	}
	$GLOBALS['frontgate_test_currency'] = 'nok';
	frontgate_assert_same( true, $g->is_available(), 'nok' );
	unset( $GLOBALS['frontgate_test_currency'] );
}

// The thank-you page asks the sidecar once, briefly: a slow or failing
// sidecar must not hold the shopper there (the webhook confirms anyway).
function frontgate_test_gateway_return_does_not_wait_on_a_slow_sidecar() {
	frontgate_load();
	frontgate_t_gateway();
	$o = frontgate_t_wc_order( 'coupon-fixed' );
	$o->meta = array( '_frontgate_reservation_uuid' => 'RSRV1', '_frontgate_checkout_id' => 'chk_1', '_frontgate_status' => 'SENT' );
	$o->save();
	for ( $i = 0; $i < 3; $i++ ) {
		$GLOBALS['frontgate_test_responses'][] = array( 503, array( 'error' => array( 'code' => 'unavailable', 'message' => 'overloaded' ) ) );
	}
	Frontgate_Plugin::confirm_return( 1204 );
	frontgate_assert_same( 1, count( $GLOBALS['frontgate_test_requests'] ), 'asked once, not retried' );
	frontgate_assert_true( $GLOBALS['frontgate_test_requests'][0][1]['timeout'] <= 5, 'a short timeout, not ' . $GLOBALS['frontgate_test_requests'][0][1]['timeout'] );
	frontgate_assert_same( 'SENT', wc_get_order( 1204 )->get_meta( '_frontgate_status' ), 'nothing changed' );
	frontgate_assert_true( in_array( 'warning', array_column( $GLOBALS['frontgate_test_logs'], 0 ), true ), 'logged' );
}

// The failure return lands on the order's pay page: the notice invites
// another try only while the order still needs paying (not once it was
// paid in another tab, or cancelled).
function frontgate_test_gateway_failed_return_notice_only_while_unpaid() {
	frontgate_load();
	$o = frontgate_t_wc_order( 'coupon-fixed' );
	$GLOBALS['wp'] = (object) array( 'query_vars' => array( 'order-pay' => '1204' ) );
	$_GET['frontgate_status'] = 'SENT';
	foreach ( array( array( 'pending', false, 1 ), array( 'failed', false, 1 ), array( 'processing', true, 0 ), array( 'cancelled', false, 0 ) ) as $case ) {
		list( $o->status, $o->paid, $want ) = $case;
		$o->save();
		$GLOBALS['frontgate_test_printed'] = array();
		Frontgate_Plugin::failed_return_notice();
		frontgate_assert_same( $want, count( $GLOBALS['frontgate_test_printed'] ), 'notices for a ' . $o->status . ' order' );
	}
	unset( $_GET['frontgate_status'], $GLOBALS['wp'] );
}

// Cancelling an order whose reservation stays (the sidecar is down) or
// whose payment was captured: the merchant is told on the next page, not
// only in a note, since the customer's money is still held or taken.
function frontgate_test_gateway_cancel_tells_the_merchant_what_stays() {
	frontgate_load();
	frontgate_t_gateway();
	$GLOBALS['frontgate_test_user'] = 7;
	try {
		$o = frontgate_t_wc_order( 'coupon-fixed' );
		$o->meta = array( '_frontgate_reservation_uuid' => 'RSRV1', '_frontgate_status' => 'RESERVED' );
		$o->save();
		for ( $i = 0; $i < 3; $i++ ) {
			$GLOBALS['frontgate_test_responses'][] = array( 503, array( 'error' => array( 'code' => 'unavailable', 'message' => 'the sidecar is restarting' ) ) );
		}
		frontgate_stub_fire( 'woocommerce_order_status_changed', 1204, 'on-hold', 'cancelled', wc_get_order( 1204 ) );
		frontgate_assert_same( 3, count( $GLOBALS['frontgate_test_requests'] ), 'tried' );
		frontgate_assert_same( "The FrontGo reservation could not be cancelled, so the amount stays reserved on the customer's card; see the order notes. #1204", get_transient( 'frontgate_notice_7' ) );
		$notes = wc_get_order( 1204 )->notes();
		frontgate_assert_true( false !== strpos( end( $notes ), 'could not be cancelled: the sidecar is restarting' ), 'the note names the reason' );

		delete_transient( 'frontgate_notice_7' );
		$o = wc_get_order( 1204 );
		$o->meta['_frontgate_status'] = 'CAPTURED';
		$o->save();
		frontgate_stub_fire( 'woocommerce_order_status_changed', 1204, 'completed', 'cancelled', wc_get_order( 1204 ) );
		frontgate_assert_same( 3, count( $GLOBALS['frontgate_test_requests'] ), 'nothing to cancel at FrontGo' );
		frontgate_assert_same( "The order's FrontGo payment was captured: cancelling the order did not refund it. Refund it from the order screen. #1204", get_transient( 'frontgate_notice_7' ) );
		$notes = wc_get_order( 1204 )->notes();
		frontgate_assert_same( 'FrontGo: the order is cancelled, but its payment was already captured, and cancelling refunds nothing. Refund it from the order screen.', end( $notes ) );
	} finally {
		unset( $GLOBALS['frontgate_test_user'] );
	}
}

/** Order 1204 in WooCommerce status $status, its reservation RSRV1 at FrontGo status $frontgo. */
function frontgate_t_order_at( $status, $frontgo ) {
	$o         = frontgate_t_wc_order( 'coupon-fixed' );
	$o->status = $status;
	$o->meta   = array(
		'_frontgate_reservation_uuid' => 'RSRV1',
		'_frontgate_status'           => $frontgo,
	);
	$o->save();
	return $o;
}

// A capture whose outcome was not known: the sidecar keeps that answer
// under its Idempotency-Key, so the merchant's next try goes under a new
// key (a refusal does not change the key). Sending it again is safe: once
// captured, FrontGo refuses a second capture.
function frontgate_test_gateway_capture_after_an_unknown_outcome_uses_a_new_key() {
	frontgate_t_gateway();
	frontgate_load();
	frontgate_t_order_at( 'on-hold', 'RESERVED' );
	$key_of = function ( $i ) {
		return $GLOBALS['frontgate_test_requests'][ $i ][1]['headers']['Idempotency-Key'];
	};
	$complete = function () {
		$o         = wc_get_order( 1204 );
		$o->status = 'completed';
		$o->save();
		frontgate_stub_fire( 'woocommerce_order_status_changed', 1204, 'on-hold', 'completed', $o );
	};
	$GLOBALS['frontgate_test_responses'][] = array( 409, array( 'error' => array( 'code' => 'refused', 'message' => 'capture: not allowed' ) ) );
	$complete();
	$GLOBALS['frontgate_test_responses'][] = array( 409, array( 'error' => array( 'code' => 'refused', 'message' => 'capture: not allowed' ) ) );
	$complete();
	frontgate_assert_same( $key_of( 0 ), $key_of( 1 ), 'a refusal keeps the key' );
	for ( $i = 0; $i < 3; $i++ ) {
		$GLOBALS['frontgate_test_responses'][] = array( 504, array( 'error' => array( 'code' => 'upstream_unknown', 'message' => 'capture: FrontGo did not answer' ) ) );
	}
	$complete();
	$last = count( $GLOBALS['frontgate_test_requests'] ) - 1;
	frontgate_assert_same( $key_of( 1 ), $key_of( $last ), 'the unknown attempt used the same key' );
	frontgate_assert_same( 'on-hold', wc_get_order( 1204 )->get_status() );
	$GLOBALS['frontgate_test_responses']   = array(); // tries the client did not make
	$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'grandTotal' => 210600 ) );
	$complete();
	$next = count( $GLOBALS['frontgate_test_requests'] ) - 1;
	frontgate_assert_true( $key_of( $last ) !== $key_of( $next ), 'after an unknown outcome, a new key' );
	frontgate_assert_same( 'completed', wc_get_order( 1204 )->get_status() );
}

// Completing an order the customer has not paid captures nothing (nothing
// is reserved) and says so, rather than staying silent.
function frontgate_test_gateway_completing_an_unpaid_order_says_nothing_was_captured() {
	frontgate_load();
	frontgate_t_gateway();
	$GLOBALS['frontgate_test_user'] = 7;
	try {
		frontgate_t_order_at( 'pending', 'SENT' );
		frontgate_stub_fire( 'woocommerce_order_status_changed', 1204, 'pending', 'completed', wc_get_order( 1204 ) );
		frontgate_assert_same( 0, count( $GLOBALS['frontgate_test_requests'] ), 'nothing sent' );
		$notes = wc_get_order( 1204 )->notes();
		frontgate_assert_true( false !== strpos( (string) end( $notes ), 'nothing was captured: the customer has not paid yet' ), 'note: ' . end( $notes ) );
		frontgate_assert_same( 'The order has no FrontGo payment to capture yet: the customer has not paid. See the order notes. #1204', get_transient( 'frontgate_notice_7' ) );
	} finally {
		unset( $GLOBALS['frontgate_test_user'] );
	}
}

// The sidecar URLs as saved: every request carries the API key, so plain
// http is refused except to this machine or a private network; the
// message names the field.
function frontgate_test_gateway_sidecar_url_must_not_send_the_key_in_clear() {
	$g = frontgate_t_gateway();
	foreach ( array( '', 'https://pay.example.no', ' https://pay.example.no/ ', 'http://127.0.0.1:8080', 'http://localhost:8080', 'http://frontgate:8080', 'http://10.0.0.5:8080', 'http://192.168.1.20', 'http://[::1]:8080' ) as $ok ) {
		frontgate_assert_same( trim( $ok ), $g->validate_sidecar_url_field( 'sidecar_url', $ok ), 'accepted: ' . $ok );
	}
	foreach ( array(
		'http://pay.example.no'  => 'Sidecar URL: use https',
		'http://93.184.216.34'   => 'Sidecar URL: use https',
		'ftp://pay.example.no'   => 'Sidecar URL: enter an http(s) URL',
		'pay.example.no'         => 'Sidecar URL: enter an http(s) URL',
	) as $bad => $want ) {
		try {
			$g->validate_sidecar_url_field( 'sidecar_url', $bad );
			throw new FrontgateTest_Failure( 'accepted: ' . $bad );
		} catch ( FrontgateTest_Failure $f ) {
			throw $f;
		} catch ( Exception $e ) {
			frontgate_assert_true( 0 === strpos( $e->getMessage(), $want ), $bad . ': ' . $e->getMessage() );
		}
	}
	try {
		$g->validate_test_sidecar_url_field( 'test_sidecar_url', 'http://sandbox.example.no' );
		throw new FrontgateTest_Failure( 'the test sidecar URL accepted plain http' );
	} catch ( FrontgateTest_Failure $f ) {
		throw $f;
	} catch ( Exception $e ) {
		frontgate_assert_true( 0 === strpos( $e->getMessage(), 'Test sidecar URL: use https' ), $e->getMessage() );
	}
}

/**
 * The sidecar as it keeps an Idempotency-Key, shared by the racing
 * processes: the first request under a key runs (300 ms), one that comes
 * while it runs is answered 409 in_progress, one after it gets its answer
 * again. Each call takes a file under the test directory.
 */
function frontgate_t_keyed_sidecar() {
	return function ( $url, $args ) {
		$k = frontgate_stub_dir() . '/key-' . md5( $args['headers']['Idempotency-Key'] );
		$fp = @fopen( $k, 'x' );
		if ( $fp ) {
			fclose( $fp );
			file_put_contents( frontgate_stub_dir() . '/sent', basename( $url ) . "\n", FILE_APPEND | LOCK_EX );
			usleep( 300000 );
			touch( $k . '.done' );
		} elseif ( ! is_file( $k . '.done' ) ) {
			return array( 409, array( 'error' => array( 'code' => 'in_progress', 'message' => 'a request with this Idempotency-Key is still being processed', 'retryAfter' => 1 ) ) );
		}
		return array( 200, array( 'grandTotal' => 210600 ) );
	};
}

/**
 * Two merchants (or a REST update and the order screen) move the same
 * reserved order to $to at once, the second while the first's request to
 * the sidecar runs; returns the order afterwards, having checked that one
 * request of $op was sent.
 */
function frontgate_t_two_merchants( $to, $op ) {
	frontgate_t_gateway();
	frontgate_load();
	frontgate_t_order_at( 'on-hold', 'RESERVED' );
	$codes = frontgate_t_race(
		2,
		function ( $i ) use ( $to ) {
			$GLOBALS['frontgate_test_responses'] = array( frontgate_t_keyed_sidecar() );
			usleep( 100000 * $i );
			$o         = wc_get_order( 1204 );
			$o->status = $to;
			$o->save();
			frontgate_stub_fire( 'woocommerce_order_status_changed', 1204, 'on-hold', $to, $o );
			return 10;
		}
	);
	frontgate_assert_same( array( 10, 10 ), $codes );
	frontgate_assert_same( $op . "\n", (string) @file_get_contents( frontgate_stub_dir() . '/sent' ), $op . ' sent once' );
	$o = wc_get_order( 1204 );
	frontgate_assert_same( $to, $o->get_status() );
	return $o;
}

// Completed twice at once: captured once; neither merchant is told the
// capture failed, nor is the order put back to where it was.
function frontgate_test_gateway_completing_twice_at_once_captures_once() {
	$o = frontgate_t_two_merchants( 'completed', 'capture' );
	foreach ( $o->notes() as $n ) {
		frontgate_assert_true( false === strpos( $n, 'failed' ), 'no failure noted: ' . $n );
	}
	frontgate_assert_same( '', $o->get_meta( '_frontgate_attempts_capture' ), 'the key is kept' );
}

// Cancelled twice at once: cancelled once; neither is told it could not be.
function frontgate_test_gateway_cancelling_twice_at_once_cancels_once() {
	$o = frontgate_t_two_merchants( 'cancelled', 'cancel' );
	foreach ( $o->notes() as $n ) {
		frontgate_assert_true( false === strpos( $n, 'could not' ), 'no failure noted: ' . $n );
	}
}

// The order cancelled while its capture was in flight: FrontGo refuses the
// cancel (the reservation is captured now). The merchant is told the money
// may be taken and to refund it, not that the amount stays reserved and to
// cancel it in the portal.
function frontgate_test_gateway_cancel_refused_after_a_capture_says_refund() {
	frontgate_load();
	frontgate_t_gateway();
	$GLOBALS['frontgate_test_user'] = 7;
	try {
		frontgate_t_order_at( 'completed', 'RESERVED' );
		$GLOBALS['frontgate_test_responses'][] = array( 409, array( 'error' => array( 'code' => 'refused', 'message' => 'cancel: not allowed while the reservation is CAPTURED', 'messageKey' => 'prerequisiteFailedToCancelReservation' ) ) );
		frontgate_stub_fire( 'woocommerce_order_status_changed', 1204, 'completed', 'cancelled', wc_get_order( 1204 ) );
		$notes = wc_get_order( 1204 )->notes();
		frontgate_assert_true( false !== strpos( end( $notes ), 'refund it from the order screen' ), 'note: ' . end( $notes ) );
		frontgate_assert_true( false === strpos( end( $notes ), 'Cancel it in the FrontGo portal' ), 'note: ' . end( $notes ) );
		frontgate_assert_true( false === strpos( (string) get_transient( 'frontgate_notice_7' ), 'stays reserved' ), 'notice: ' . get_transient( 'frontgate_notice_7' ) );
	} finally {
		unset( $GLOBALS['frontgate_test_user'] );
	}
}
