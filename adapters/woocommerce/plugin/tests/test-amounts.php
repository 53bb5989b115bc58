<?php
/**
 * Amounts: an order is not taken as reserved or paid for less than its
 * total, and not captured for more.
 *
 * @package Frontgate_WooCommerce
 */

// phpcs:disable

function frontgate_t_amount_order( $id, $total, $status, array $meta ) {
	return WC_Order::create(
		$id,
		array(
			'status' => $status,
			'props'  => array( 'total' => $total ),
			'meta'   => array_merge( array( '_frontgate_reservation_uuid' => 'RSRV9' ), $meta ),
		)
	);
}

function frontgate_t_amount_event( $id, $status, array $payment ) {
	return frontgate_t_event(
		$status,
		array(
			'orderId'         => (string) $id,
			'reservationUuid' => 'RSRV9',
			'id'              => Frontgate_Signature::event_id( 'RSRV9', $status ),
			'details'         => array( 'status' => $status, 'grandTotal' => isset( $payment['reserved'] ) ? $payment['reserved'] : 0, 'payment' => $payment, 'products' => array() ),
		)
	);
}

// The merchant edited the on-hold order up after the reservation; the
// capture took what was reserved. The order is not marked paid.
function frontgate_test_amounts_short_capture_is_not_paid() {
	frontgate_t_amount_order( 201, '1500.00', 'on-hold', array( '_frontgate_status' => 'RESERVED' ) );
	frontgate_assert_same( array( 200, array( 'result' => 'applied' ) ), frontgate_t_post( frontgate_t_amount_event( 201, 'CAPTURED', array( 'reserved' => 100000, 'captured' => 100000, 'charged' => 0 ) ) ) );
	$o = wc_get_order( 201 );
	frontgate_assert_same( false, $o->is_paid(), 'paid' );
	frontgate_assert_same( 'on-hold', $o->get_status() );
	frontgate_assert_same( 'CAPTURED', $o->get_meta( '_frontgate_status' ), 'FrontGo\'s status is still recorded' );
	frontgate_assert_same(
		array( 'FrontGo: reservation RSRV9 is CAPTURED for 1000.00 NOK, but the order totals 1500.00 NOK. The order is on hold and not marked paid: check it before shipping.' ),
		$o->notes()
	);
}

// The usual way there: the merchant edited the order up and completed it,
// which sent the capture. The order stays completed (a reservation never
// pulls it back), and the note says so instead of "on hold".
function frontgate_test_amounts_short_capture_of_a_completed_order() {
	frontgate_t_amount_order( 205, '1500.00', 'completed', array( '_frontgate_status' => 'RESERVED' ) );
	frontgate_assert_same( array( 200, array( 'result' => 'applied' ) ), frontgate_t_post( frontgate_t_amount_event( 205, 'CAPTURED', array( 'reserved' => 100000, 'captured' => 100000, 'charged' => 0 ) ) ) );
	$o = wc_get_order( 205 );
	frontgate_assert_same( 'completed', $o->get_status() );
	frontgate_assert_same(
		array( 'FrontGo: reservation RSRV9 is CAPTURED for 1000.00 NOK, but the order totals 1500.00 NOK. The order stays Completed as it was set, and the rest is not paid: check it before shipping.' ),
		$o->notes()
	);
}

// The same amounts as the order: paid, as always.
function frontgate_test_amounts_full_capture_is_paid() {
	frontgate_t_amount_order( 202, '1500.00', 'on-hold', array( '_frontgate_status' => 'RESERVED' ) );
	frontgate_t_post( frontgate_t_amount_event( 202, 'CAPTURED', array( 'reserved' => 150000, 'captured' => 150000, 'charged' => 0 ) ) );
	$o = wc_get_order( 202 );
	frontgate_assert_same( true, $o->is_paid(), 'paid' );
	frontgate_assert_same( 'processing', $o->get_status() );
}

// A reservation for less than a pending order (edited after the link went
// out) does not take it to processing, whatever the reserved status.
function frontgate_test_amounts_short_reservation_stays_on_hold() {
	frontgate_t_amount_order( 203, '1500.00', 'pending', array() );
	$h = new Frontgate_Outcome_Handler( new Frontgate_Logger( true ), array( 'reserved_status' => 'processing' ), 0.3 );
	$details = array( 'grandTotal' => 140000, 'payment' => array( 'reserved' => 140000 ) );
	frontgate_assert_same( 'applied', $h->apply( 203, 'RSRV9', 'RESERVED', 'webhook', $details ) );
	$o = wc_get_order( 203 );
	frontgate_assert_same( 'on-hold', $o->get_status() );
	frontgate_assert_true( false !== strpos( implode( ' ', $o->notes() ), 'is RESERVED for 1400.00 NOK, but the order totals 1500.00 NOK' ), 'the note says what differs' );
}

// The merchant edited the order down after the reservation: a capture
// would take all that is reserved, more than the order. Not sent.
function frontgate_test_amounts_capture_refused_above_the_order() {
	frontgate_load();
	frontgate_t_gateway();
	frontgate_t_amount_order(
		204,
		'1000.00',
		'completed',
		array(
			'_frontgate_status'   => 'RESERVED',
			'_frontgate_line_ids' => array( '1' => array( array( 9001, 100000 ) ), '2' => array( array( 9002, 50000 ) ) ),
		)
	);
	frontgate_stub_fire( 'woocommerce_order_status_changed', 204, 'on-hold', 'completed', wc_get_order( 204 ) );
	frontgate_assert_same( 0, count( $GLOBALS['frontgate_test_requests'] ), 'requests to the sidecar' );
	$o = wc_get_order( 204 );
	frontgate_assert_same( 'on-hold', $o->get_status(), 'back where it was' );
	frontgate_assert_true( false !== strpos( implode( ' ', $o->notes() ), 'not captured. The order totals 1000.00 NOK but 1500.00 NOK is reserved' ), 'the note says why' );
}

// Two refunds typed as amounts: the second fills the lines from what the
// first left (line 9001 holds 1428.85; after 1000.00, 428.85 is left).
function frontgate_test_amounts_second_refund_uses_what_is_left() {
	frontgate_load();
	$g = frontgate_t_gateway();
	$o = frontgate_t_captured_order();
	$o->refunds = array( array( 'id' => 6001, 'parent' => 1204, 'items' => array() ) );
	$o->save();
	$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'grandTotal' => 100000 ) );
	frontgate_assert_same( true, $g->process_refund( 1204, '1000.00', 'first' ) );
	$o = wc_get_order( 1204 );
	$o->refunds[] = array( 'id' => 6002, 'parent' => 1204, 'items' => array() );
	$o->save();
	$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'grandTotal' => 50000 ) );
	frontgate_assert_same( true, $g->process_refund( 1204, '500.00', 'second' ) );
	$bodies = array();
	foreach ( $GLOBALS['frontgate_test_requests'] as $r ) {
		$b        = json_decode( $r[1]['body'], true );
		$bodies[] = $b['lines'];
	}
	frontgate_assert_same( array( array( 'id' => 9001, 'amount' => 100000 ) ), $bodies[0], 'the first refund' );
	frontgate_assert_same( array( array( 'id' => 9001, 'amount' => 42885 ), array( 'id' => 9002, 'amount' => 7115 ) ), $bodies[1], 'the second refund' );
	frontgate_assert_same( array( 9001 => 142885, 9002 => 7115 ), wc_get_order( 1204 )->get_meta( '_frontgate_refunded_lines' ) );
}

// Reserved status and capture status both "processing": the reservation
// moves the order to processing itself, so the capture comes when the
// merchant completes it (it never came before).
function frontgate_test_amounts_capture_on_completion_when_reserved_is_processing() {
	frontgate_load();
	$g = frontgate_t_gateway( array( 'reserved_status' => 'processing', 'capture_status' => 'processing' ) );
	$o = frontgate_t_wc_order( 'coupon-fixed' );
	$o->meta = array( '_frontgate_reservation_uuid' => 'RSRV1', '_frontgate_status' => 'SENT' );
	$o->save();
	$h = new Frontgate_Outcome_Handler( new Frontgate_Logger( true ), $g->outcome_settings(), 0.3 );
	frontgate_assert_same( 'applied', $h->apply( 1204, 'RSRV1', 'RESERVED', 'webhook' ) );
	frontgate_assert_same( 'processing', wc_get_order( 1204 )->get_status() );
	frontgate_assert_same( 0, count( $GLOBALS['frontgate_test_requests'] ), 'no capture while the reservation moves the order' );
	$o = wc_get_order( 1204 );
	$o->status = 'completed';
	$o->save();
	$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'grandTotal' => 210600 ) );
	frontgate_stub_fire( 'woocommerce_order_status_changed', 1204, 'processing', 'completed', wc_get_order( 1204 ) );
	frontgate_assert_same( 1, count( $GLOBALS['frontgate_test_requests'] ), 'the capture on completion' );
	frontgate_assert_same( 'https://pay.example.no/v1/reservations/RSRV1/capture', $GLOBALS['frontgate_test_requests'][0][0] );
}

// Reloads of the thank-you page of a confirmed (reserved, on-hold) order
// ask the sidecar nothing; the first visit, before any confirmation, does.
function frontgate_test_amounts_thankyou_reload_asks_nothing_once_confirmed() {
	frontgate_load();
	frontgate_t_gateway();
	$o = frontgate_t_wc_order( 'coupon-fixed' );
	$o->status = 'pending';
	$o->payment_method = 'frontgate';
	$o->meta   = array( '_frontgate_reservation_uuid' => 'RSRV1', '_frontgate_checkout_id' => 'chk_1', '_frontgate_status' => 'SENT' );
	$o->save();
	$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'checkoutId' => 'chk_1', 'status' => 'RESERVED' ) );
	$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'status' => 'RESERVED', 'products' => array() ) );
	Frontgate_Plugin::confirm_return( 1204 );
	frontgate_assert_same( 2, count( $GLOBALS['frontgate_test_requests'] ), 'the first visit' );
	frontgate_assert_same( 'RESERVED', wc_get_order( 1204 )->get_meta( '_frontgate_status' ) );
	for ( $i = 0; $i < 5; $i++ ) {
		Frontgate_Plugin::confirm_return( 1204 );
	}
	frontgate_assert_same( 2, count( $GLOBALS['frontgate_test_requests'] ), 'after five reloads' );
}

// The cancelled and refunded statuses the README documents are settings
// of the gateway, and reach the outcomes.
function frontgate_test_amounts_cancelled_and_refunded_settings() {
	frontgate_load();
	$g = frontgate_t_gateway( array( 'cancelled_status' => 'failed', 'refunded_status' => 'refunded' ) );
	frontgate_assert_same( array( 'reserved_status' => 'on-hold', 'cancelled_status' => 'failed', 'refunded_status' => 'refunded' ), $g->outcome_settings() );
	frontgate_assert_true( isset( $g->form_fields['cancelled_status'], $g->form_fields['refunded_status'] ), 'the settings are offered' );
	frontgate_t_order( 301 );
	$h = new Frontgate_Outcome_Handler( new Frontgate_Logger( true ), $g->outcome_settings(), 0.3 );
	$h->apply( 301, 'RSRV1', 'RESERVED', 'webhook' );
	$h->apply( 301, 'RSRV1', 'EXPIRED', 'webhook' );
	frontgate_assert_same( 'failed', wc_get_order( 301 )->get_status() );
	$defaults = frontgate_t_gateway();
	frontgate_assert_same( array( 'reserved_status' => 'on-hold', 'cancelled_status' => 'cancelled', 'refunded_status' => '' ), $defaults->outcome_settings() );
}

// The order changed after its payment link went out: the new checkout
// replaces the old reservation, which is closed at FrontGo, so a late
// payment of the old link cannot hold the card's money for an ignored
// reservation. A paid earlier reservation is never closed this way.
function frontgate_test_amounts_superseded_reservation_is_closed() {
	frontgate_load();
	$g = frontgate_t_gateway();
	$o = frontgate_t_wc_order( 'fees', 1209 );
	$o->meta = array( '_frontgate_reservation_uuid' => 'RSRVOLD', '_frontgate_checkout_id' => 'chk_old', '_frontgate_status' => 'SENT' );
	$o->save();
	$GLOBALS['frontgate_test_responses'][] = array( 409, array( 'error' => array( 'code' => 'idempotency_mismatch', 'message' => 'this Idempotency-Key was used with a different request body' ) ) );
	$GLOBALS['frontgate_test_responses'][] = array( 201, array( 'checkoutId' => 'chk_new', 'reservationUuid' => 'RSRVNEW', 'redirectUrl' => 'https://pay.example.no/v1/checkouts/chk_new/go', 'expiresAt' => gmdate( 'Y-m-d\\TH:i:s\\Z', time() + 86400 ), 'status' => 'SENT' ) );
	$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'message' => 'cancelled' ) );
	frontgate_assert_same( 'success', $g->process_payment( 1209 )['result'] );
	frontgate_assert_same( 3, count( $GLOBALS['frontgate_test_requests'] ) );
	frontgate_assert_same( 'https://pay.example.no/v1/reservations/RSRVOLD/cancel', $GLOBALS['frontgate_test_requests'][2][0] );
	$o = wc_get_order( 1209 );
	frontgate_assert_same( 'RSRVNEW', $o->get_meta( '_frontgate_reservation_uuid' ) );
	frontgate_assert_true( false !== strpos( implode( ' ', $o->notes() ), 'the earlier payment (reservation RSRVOLD) was closed' ), 'a note says so' );
}
