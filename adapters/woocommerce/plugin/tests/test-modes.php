<?php
/**
 * Test mode and live mode: an order belongs to the sidecar its checkout was
 * started at. Its operations go there, and only that sidecar's signed events
 * apply to it, whichever mode the settings are in now.
 *
 * @package Frontgate_WooCommerce
 */

// phpcs:disable

const FRONTGATE_T_TEST_SECRET = 'test-webhook-secret-0123456789abcdef';

/** The gateway with both sidecars set; test mode on or off. */
function frontgate_t_mode_gateway( $test ) {
	return frontgate_t_gateway(
		array(
			'testmode'            => $test ? 'yes' : 'no',
			'test_sidecar_url'    => 'http://127.0.0.1:8080',
			'test_api_key'        => 'test-key-0123456789abcdef',
			'test_webhook_secret' => FRONTGATE_T_TEST_SECRET,
		)
	);
}

/** A signed event of order 1204 as the sidecar with $secret sends it; the answer. */
function frontgate_t_mode_event( $g, $status, $secret, $order = '1204', $uuid = 'RSRV1' ) {
	$body = json_encode( array( 'id' => Frontgate_Signature::event_id( $uuid, $status ), 'shop' => 'shop1', 'orderId' => $order, 'reservationUuid' => $uuid, 'status' => $status ) );
	$now  = time();
	return $g->webhook()->process( Frontgate_Signature::sign( $body, $now, array( $secret ) ), $body, $now );
}

function frontgate_test_modes_test_order_stays_with_the_test_sidecar() {
	frontgate_load();
	// Paid in test mode: the test sidecar makes the checkout.
	$g = frontgate_t_mode_gateway( true );
	frontgate_t_wc_order( 'coupon-fixed' );
	$GLOBALS['frontgate_test_responses'][] = array( 201, array( 'checkoutId' => 'chk_1', 'reservationUuid' => 'RSRV1', 'redirectUrl' => 'http://127.0.0.1:8080/v1/checkouts/chk_1/go', 'status' => 'SENT' ) );
	frontgate_assert_same( 'success', $g->process_payment( 1204 )['result'] );
	frontgate_assert_same( 'http://127.0.0.1:8080/v1/checkouts', $GLOBALS['frontgate_test_requests'][0][0] );
	frontgate_assert_same( 'test', wc_get_order( 1204 )->get_meta( '_frontgate_mode' ) );

	// The merchant switches test mode off. The test sidecar's events still
	// reach the order; the live sidecar's are not its own.
	$g = frontgate_t_mode_gateway( false );
	frontgate_assert_same( array( 410, array( 'error' => 'the order was paid in test mode' ) ), frontgate_t_mode_event( $g, 'RESERVED', FRONTGATE_T_SECRET ), 'signed by the live sidecar' );
	frontgate_assert_same( 'pending', wc_get_order( 1204 )->get_status(), 'not applied' );
	frontgate_assert_same( array( 200, array( 'result' => 'applied' ) ), frontgate_t_mode_event( $g, 'RESERVED', FRONTGATE_T_TEST_SECRET ), 'signed by the test sidecar' );
	frontgate_assert_same( 'on-hold', wc_get_order( 1204 )->get_status() );

	// Completing it captures at the test sidecar, where the reservation is.
	// (frontgate_t_mode_gateway() started a new list of requests.)
	$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'status' => 'CAPTURED' ) );
	frontgate_stub_fire( 'woocommerce_order_status_changed', 1204, 'on-hold', 'completed', wc_get_order( 1204 ) );
	frontgate_assert_same( 'http://127.0.0.1:8080/v1/reservations/RSRV1/capture', $GLOBALS['frontgate_test_requests'][0][0] );
	frontgate_assert_same( 'Bearer test-key-0123456789abcdef', $GLOBALS['frontgate_test_requests'][0][1]['headers']['Authorization'] );

	// And a refund is paid out there too.
	$o = wc_get_order( 1204 );
	$o->meta['_frontgate_status']      = 'CAPTURED';
	$o->meta['_frontgate_capture_ids'] = array( 'CAP1' );
	$o->meta['_frontgate_line_ids']    = array( '44' => array( array( 9004, 6900 ) ) );
	$o->refunds                        = array( array( 'id' => 5001, 'parent' => 1204, 'items' => array( array( 'total' => '-55.20', 'total_tax' => '-13.80', '_refunded_item_id' => 44 ) ) ) );
	$o->save();
	$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'grandTotal' => 6900 ) );
	frontgate_assert_same( true, $g->process_refund( 1204, '69.00', '' ) );
	frontgate_assert_same( 'http://127.0.0.1:8080/v1/reservations/RSRV1/refund', $GLOBALS['frontgate_test_requests'][1][0] );
}

function frontgate_test_modes_live_order_ignores_the_test_sidecar() {
	frontgate_load();
	// A live order while the merchant tries something in test mode.
	$g = frontgate_t_mode_gateway( true );
	$o = frontgate_t_wc_order( 'coupon-fixed' );
	$o->meta = array( '_frontgate_reservation_uuid' => 'RSRV1', '_frontgate_status' => 'SENT', '_frontgate_mode' => 'live' );
	$o->save();
	frontgate_assert_same( 410, frontgate_t_mode_event( $g, 'RESERVED', FRONTGATE_T_TEST_SECRET )[0], 'the test sidecar cannot move a live order' );
	frontgate_assert_same( array(), wc_get_order( 1204 )->notes() );
	frontgate_assert_same( array( 200, array( 'result' => 'applied' ) ), frontgate_t_mode_event( $g, 'RESERVED', FRONTGATE_T_SECRET ), 'the live sidecar is heard in test mode' );
	$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'status' => 'CANCELLED' ) );
	frontgate_stub_fire( 'woocommerce_order_status_changed', 1204, 'on-hold', 'cancelled', wc_get_order( 1204 ) );
	frontgate_assert_same( 'https://pay.example.no/v1/reservations/RSRV1/cancel', $GLOBALS['frontgate_test_requests'][0][0] );

	// An order from before the mode was recorded belongs to the current
	// mode, as it did: the other sidecar's event is refused and retried.
	$o = frontgate_t_wc_order( 'coupon-fixed', 1205 );
	$o->meta = array( '_frontgate_reservation_uuid' => 'RSRV5', '_frontgate_status' => 'SENT' );
	$o->save();
	frontgate_assert_same( 401, frontgate_t_mode_event( $g, 'RESERVED', FRONTGATE_T_SECRET, '1205', 'RSRV5' )[0], 'live event, test mode, no recorded mode' );
	frontgate_assert_same( 200, frontgate_t_mode_event( $g, 'RESERVED', FRONTGATE_T_TEST_SECRET, '1205', 'RSRV5' )[0], 'test event, test mode, no recorded mode' );
	// A signature no secret of either mode made is refused as before.
	frontgate_assert_same( 401, frontgate_t_mode_event( $g, 'CAPTURED', 'not-a-secret' )[0] );
}

// A merchant who gave both modes one webhook secret: an event it signs is
// applied to an order of either mode (before, the live mode was tried
// first, and a test order's events were refused with 410, never retried).
function frontgate_test_modes_one_secret_for_both_modes() {
	frontgate_load();
	$g = frontgate_t_gateway(
		array(
			'testmode'            => 'no',
			'test_sidecar_url'    => 'http://127.0.0.1:8080',
			'test_api_key'        => 'test-key-0123456789abcdef',
			'test_webhook_secret' => FRONTGATE_T_SECRET,
		)
	);
	$o = frontgate_t_wc_order( 'coupon-fixed' );
	$o->meta = array( '_frontgate_reservation_uuid' => 'RSRV1', '_frontgate_status' => 'SENT', '_frontgate_mode' => 'test' );
	$o->save();
	frontgate_assert_same( array( 200, array( 'result' => 'applied' ) ), frontgate_t_mode_event( $g, 'RESERVED', FRONTGATE_T_SECRET ), 'a test order' );
	$o = frontgate_t_wc_order( 'coupon-fixed', 1205 );
	$o->meta = array( '_frontgate_reservation_uuid' => 'RSRV5', '_frontgate_status' => 'SENT', '_frontgate_mode' => 'live' );
	$o->save();
	frontgate_assert_same( array( 200, array( 'result' => 'applied' ) ), frontgate_t_mode_event( $g, 'RESERVED', FRONTGATE_T_SECRET, '1205', 'RSRV5' ), 'a live order' );
}
