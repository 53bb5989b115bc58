<?php
/**
 * Tests of Frontgate_Webhook::process: the endpoint's answers.
 *
 * @package Frontgate_WooCommerce
 */

// phpcs:disable

function frontgate_t_webhook( $shop = 'shop1' ) {
	$log = new Frontgate_Logger();
	return new Frontgate_Webhook( array( FRONTGATE_T_SECRET ), new Frontgate_Outcome_Handler( $log, array(), 0.2 ), $log, $shop );
}

function frontgate_t_event( $status, array $extra = array() ) {
	return json_encode(
		array_merge(
			array(
				'id'              => Frontgate_Signature::event_id( 'RSRV1', $status ),
				'type'            => 'reservation.' . strtolower( str_replace( ' ', '-', $status ) ),
				'shop'            => 'shop1',
				'orderId'         => '101',
				'checkoutId'      => 'chk_1',
				'reservationUuid' => 'RSRV1',
				'status'          => $status,
				'previousStatus'  => 'SENT',
				'via'             => 'callback',
				'at'              => '2026-03-02T13:07:00Z',
				'outcome'         => array( 'status' => 'on-hold', 'transactionId' => 'RSRV1', 'note' => '…' ),
			),
			$extra
		)
	);
}

function frontgate_t_post( $body, $now = 1772456800, $secret = FRONTGATE_T_SECRET, $wh = null ) {
	$wh = $wh ? $wh : frontgate_t_webhook();
	return $wh->process( Frontgate_Signature::sign( $body, $now, array( $secret ) ), $body, $now );
}

function frontgate_test_webhook_applies_once() {
	frontgate_t_order();
	frontgate_assert_same( array( 200, array( 'result' => 'applied' ) ), frontgate_t_post( frontgate_t_event( 'RESERVED' ) ) );
	frontgate_assert_same( array( 200, array( 'result' => 'duplicate' ) ), frontgate_t_post( frontgate_t_event( 'RESERVED' ) ), 'the retry' );
	$o = wc_get_order( 101 );
	frontgate_assert_same( 'on-hold', $o->get_status() );
	frontgate_assert_same( 1, count( $o->notes() ) );
}

function frontgate_test_webhook_refusals() {
	frontgate_t_order();
	WC_Order::create( 102, array( 'payment_method' => 'bacs' ) );
	$ev    = frontgate_t_event( 'RESERVED' );
	$cases = array(
		'bad signature'     => array( frontgate_t_post( $ev, 1772456800, 'not-the-secret' ), 401 ),
		'replayed later'    => array( frontgate_t_webhook()->process( Frontgate_Signature::sign( $ev, 1772456800, array( FRONTGATE_T_SECRET ) ), $ev, 1772456800 + 301 ), 401 ),
		'signed other body' => array( frontgate_t_webhook()->process( Frontgate_Signature::sign( $ev, 1772456800, array( FRONTGATE_T_SECRET ) ), frontgate_t_event( 'CAPTURED' ), 1772456800 ), 401 ),
		'not JSON'          => array( frontgate_t_post( 'status=RESERVED' ), 400 ),
		'id mismatch'       => array( frontgate_t_post( frontgate_t_event( 'CAPTURED', array( 'id' => Frontgate_Signature::event_id( 'RSRV1', 'RESERVED' ) ) ) ), 400 ),
		'unknown order'     => array( frontgate_t_post( frontgate_t_event( 'RESERVED', array( 'orderId' => '999' ) ) ), 410 ),
		'not our order'     => array( frontgate_t_post( frontgate_t_event( 'RESERVED', array( 'orderId' => '102' ) ) ), 410 ),
		'another shop'      => array( frontgate_t_post( frontgate_t_event( 'RESERVED', array( 'shop' => 'shop2' ) ) ), 410 ),
		'too large'         => array( frontgate_t_post( str_repeat( ' ', Frontgate_Webhook::MAX_BODY ) . $ev ), 413 ),
	);
	foreach ( $cases as $name => $c ) {
		frontgate_assert_same( $c[1], $c[0][0], $name );
	}
	frontgate_assert_same( array(), wc_get_order( 101 )->notes(), 'nothing applied' );
	frontgate_assert_same( 'pending', wc_get_order( 101 )->get_status() );
}

function frontgate_test_webhook_busy_is_retried() {
	global $wpdb;
	frontgate_t_order();
	$held = ( time() + 60 ) . '|return';
	$wpdb->hold( 'frontgate_lock_order_101', $held );
	frontgate_assert_same( 503, frontgate_t_post( frontgate_t_event( 'RESERVED' ) )[0] );
	Frontgate_Lock::release( 'order_101', $held );
	frontgate_assert_same( 200, frontgate_t_post( frontgate_t_event( 'RESERVED' ) )[0] );
}

function frontgate_test_webhook_stores_details() {
	frontgate_t_order( 101, array( '_frontgate_reservation_uuid' => 'RSRV1', '_frontgate_items' => array( array( 'item_id' => 7, 'amount' => 5000, 'quantity' => 1 ) ) ) );
	$details = array(
		'products' => array( array( 'id' => 11, 'quantity' => '1', 'amount' => 5000 ) ),
		'history'  => array( 'captured' => array( array( 'reference' => 'CAP9' ) ) ),
	);
	frontgate_t_post( frontgate_t_event( 'CAPTURED', array( 'details' => $details ) ) );
	$o = wc_get_order( 101 );
	frontgate_assert_same( array( '7' => array( array( 11, 5000 ) ) ), $o->get_meta( '_frontgate_line_ids' ) );
	frontgate_assert_same( array( 'CAP9' ), $o->get_meta( '_frontgate_capture_ids' ) );
	frontgate_assert_same( true, $o->is_paid() );
}

function frontgate_test_webhook_amounts_noted_once() {
	frontgate_t_order( 101, array( '_frontgate_reservation_uuid' => 'RSRV1' ) );
	frontgate_assert_same( array( 200, array( 'result' => 'applied' ) ), frontgate_t_post( frontgate_t_event( 'CHARGED' ) ) );
	$status  = wc_get_order( 101 )->get_status();
	$details = array(
		'payment' => array( 'captured' => 38790, 'charged' => 11900, 'refundedFromCaptured' => 5000, 'refundedFromCharged' => 0 ),
		'history' => array( 'captured' => array( array( 'reference' => 'CAP9' ) ) ),
	);
	$id      = Frontgate_Signature::event_id( 'RSRV1', 'CHARGED#38790/11900/5000/0' );
	$ev      = frontgate_t_event( 'CHARGED', array( 'id' => $id, 'previousStatus' => 'CHARGED', 'details' => $details ) );
	frontgate_assert_same( array( 200, array( 'result' => 'applied' ) ), frontgate_t_post( $ev ), 'new amounts' );
	frontgate_assert_same( array( 200, array( 'result' => 'duplicate' ) ), frontgate_t_post( $ev ), 'its retry' );
	$o     = wc_get_order( 101 );
	$notes = $o->notes();
	frontgate_assert_same( 'FrontGo: the payment now stands at 387.90 captured, 119.00 charged and 50.00 refunded (reservation RSRV1).', end( $notes ) );
	frontgate_assert_same( array( 'CAP9' ), $o->get_meta( '_frontgate_capture_ids' ) );
	frontgate_assert_same( $status, $o->get_status(), 'the order status is left as the CHARGED event set it' );
	// Older amounts delivered after these (two deliveries cross) are not
	// noted: the last note keeps the larger amounts.
	$older   = array( 'payment' => array( 'captured' => 38790, 'charged' => 11900, 'refundedFromCaptured' => 0, 'refundedFromCharged' => 0 ) );
	$old_id  = Frontgate_Signature::event_id( 'RSRV1', 'CHARGED#38790/11900/0/0' );
	$old_ev  = frontgate_t_event( 'CHARGED', array( 'id' => $old_id, 'previousStatus' => 'CHARGED', 'details' => $older ) );
	frontgate_assert_same( array( 200, array( 'result' => 'stale' ) ), frontgate_t_post( $old_ev ), 'older amounts' );
	frontgate_assert_same( $notes, wc_get_order( 101 )->notes(), 'no note for older amounts' );
	// A status event already carried larger amounts: an amounts event
	// behind them is older news too.
	$more = array( 'payment' => array( 'captured' => 38790, 'charged' => 20000, 'refundedFromCaptured' => 5000, 'refundedFromCharged' => 100 ) );
	frontgate_assert_same( array( 200, array( 'result' => 'applied' ) ), frontgate_t_post( frontgate_t_event( 'PARTIAL REFUNDED', array( 'details' => $more ) ) ) );
	$between = array( 'payment' => array( 'captured' => 38790, 'charged' => 20000, 'refundedFromCaptured' => 5000, 'refundedFromCharged' => 0 ) );
	$mid_ev  = frontgate_t_event( 'CHARGED', array( 'id' => Frontgate_Signature::event_id( 'RSRV1', 'CHARGED#38790/20000/5000/0' ), 'previousStatus' => 'CHARGED', 'details' => $between ) );
	frontgate_assert_same( array( 200, array( 'result' => 'stale' ) ), frontgate_t_post( $mid_ev ), 'amounts behind a status event' );
	// An id that does not match the amounts in the details is refused.
	$forged = frontgate_t_event( 'CHARGED', array( 'id' => Frontgate_Signature::event_id( 'RSRV1', 'CHARGED#1/2/3/4' ), 'details' => $details ) );
	frontgate_assert_same( 400, frontgate_t_post( $forged )[0], 'amounts id that does not match' );
}
