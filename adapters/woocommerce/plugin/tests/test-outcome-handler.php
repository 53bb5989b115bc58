<?php
/**
 * Tests of Frontgate_Outcome_Handler, Frontgate_Lock and Frontgate_Outcomes.
 *
 * @package Frontgate_WooCommerce
 */

// phpcs:disable

function frontgate_t_handler( array $settings = array(), $wait = 0.3 ) {
	return new Frontgate_Outcome_Handler( new Frontgate_Logger( true ), $settings, $wait );
}

function frontgate_t_order( $id = 101, array $meta = array( '_frontgate_reservation_uuid' => 'RSRV1' ) ) {
	return WC_Order::create( $id, array( 'meta' => $meta ) );
}

function frontgate_test_outcome_reserved_then_captured() {
	frontgate_t_order();
	$h = frontgate_t_handler();
	frontgate_assert_same( 'applied', $h->apply( 101, 'RSRV1', 'RESERVED', 'webhook' ) );
	$o = wc_get_order( 101 );
	frontgate_assert_same( 'on-hold', $o->get_status() );
	frontgate_assert_same( 'RSRV1', $o->get_transaction_id() );
	frontgate_assert_same( 'RESERVED', $o->get_meta( '_frontgate_status' ) );
	frontgate_assert_same(
		array( "FrontGo: payment reserved on the customer's card (reservation RSRV1); it is captured when the order ships. Order status changed from pending to on-hold." ),
		$o->notes()
	);

	frontgate_assert_same( 'applied', $h->apply( 101, 'RSRV1', 'CAPTURED', 'webhook' ) );
	frontgate_assert_same( 'duplicate', $h->apply( 101, 'RSRV1', 'CAPTURED', 'return' ) );
	frontgate_assert_same( 'duplicate', $h->apply( 101, 'RSRV1', 'RESERVED', 'return' ) );
	$o = wc_get_order( 101 );
	frontgate_assert_same( 1, $o->payment_complete_calls, 'payment_complete calls' );
	frontgate_assert_same( true, $o->is_paid() );
	frontgate_assert_same( 3, count( $o->notes() ), 'notes: reserved, captured, and WooCommerce\'s status change' );
	frontgate_assert_same( 'FrontGo: payment captured (reservation RSRV1).', $o->notes()[1] );
	frontgate_assert_same( array( Frontgate_Signature::event_id( 'RSRV1', 'RESERVED' ), Frontgate_Signature::event_id( 'RSRV1', 'CAPTURED' ) ), $o->get_meta( '_frontgate_events' ) );
}

function frontgate_test_outcome_reserved_as_processing() {
	frontgate_t_order();
	frontgate_t_handler( array( 'reserved_status' => 'processing' ) )->apply( 101, 'RSRV1', 'RESERVED', 'webhook' );
	frontgate_assert_same( 'processing', wc_get_order( 101 )->get_status() );
	frontgate_assert_same( false, wc_get_order( 101 )->is_paid(), 'reserved is not paid' );
}

function frontgate_test_outcome_late_event_is_stale() {
	frontgate_t_order();
	$h = frontgate_t_handler();
	$h->apply( 101, 'RSRV1', 'CAPTURED', 'webhook' );
	$notes = count( wc_get_order( 101 )->notes() );
	// The RESERVED webhook failed earlier and its retry arrives after CAPTURED.
	frontgate_assert_same( 'stale', $h->apply( 101, 'RSRV1', 'RESERVED', 'webhook' ) );
	$o = wc_get_order( 101 );
	frontgate_assert_same( 'processing', $o->get_status(), 'not pulled back to on-hold' );
	frontgate_assert_same( $notes, count( $o->notes() ), 'no note for a late event' );
	frontgate_assert_same( 'CAPTURED', $o->get_meta( '_frontgate_status' ) );
	frontgate_assert_same( 'duplicate', $h->apply( 101, 'RSRV1', 'RESERVED', 'webhook' ), 'recorded' );
}

function frontgate_test_outcome_other_reservation_ignored() {
	frontgate_t_order( 101, array( '_frontgate_reservation_uuid' => 'RSRV2' ) );
	frontgate_assert_same( 'ignored', frontgate_t_handler()->apply( 101, 'RSRV1', 'EXPIRED', 'webhook' ) );
	frontgate_assert_same( 'pending', wc_get_order( 101 )->get_status() );
	frontgate_assert_same( array(), wc_get_order( 101 )->notes() );
	frontgate_assert_same( 'unknown_order', frontgate_t_handler()->apply( 999, 'RSRV1', 'RESERVED', 'webhook' ) );
}

function frontgate_test_outcome_cancel_and_expire() {
	frontgate_t_order();
	$h = frontgate_t_handler();
	$h->apply( 101, 'RSRV1', 'RESERVED', 'webhook' );
	$h->apply( 101, 'RSRV1', 'CANCELLED', 'webhook' );
	frontgate_assert_same( 'cancelled', wc_get_order( 101 )->get_status() );

	// A merchant who already completed the order keeps it completed.
	WC_Order::create( 102, array( 'status' => 'completed', 'meta' => array( '_frontgate_reservation_uuid' => 'RSRV3' ) ) );
	$h->apply( 102, 'RSRV3', 'EXPIRED', 'webhook' );
	$o = wc_get_order( 102 );
	frontgate_assert_same( 'completed', $o->get_status() );
	frontgate_assert_same( array( 'FrontGo: reservation RSRV3 expired.' ), $o->notes() );
}

function frontgate_test_outcome_remembers_details() {
	frontgate_t_order(
		101,
		array(
			'_frontgate_reservation_uuid' => 'RSRV1',
			'_frontgate_items'            => array(
				array( 'item_id' => 41, 'amount' => 142885, 'quantity' => 1 ),
				array( 'item_id' => 43, 'amount' => 13345, 'quantity' => 4 ),
				array( 'item_id' => 44, 'amount' => 6900, 'quantity' => 1 ),
			),
		)
	);
	$details = array(
		'status'   => 'CAPTURED',
		'products' => array(
			array( 'id' => 9001, 'quantity' => '1', 'amount' => 142885 ),
			array( 'id' => 9002, 'quantity' => '3', 'amount' => 10008 ),
			array( 'id' => 9003, 'quantity' => '1', 'amount' => 3337 ),
			array( 'id' => 9004, 'quantity' => '1', 'amount' => 6900 ),
		),
		'history'  => array(
			'captured' => array( array( 'reference' => 'CAP123', 'amount' => 163130 ) ),
			'charged'  => array(),
		),
	);
	frontgate_t_handler()->apply( 101, 'RSRV1', 'CAPTURED', 'webhook', $details );
	$o = wc_get_order( 101 );
	frontgate_assert_same(
		array(
			'41' => array( array( 9001, 142885 ) ),
			'43' => array( array( 9002, 10008 ), array( 9003, 3337 ) ),
			'44' => array( array( 9004, 6900 ) ),
		),
		$o->get_meta( '_frontgate_line_ids' )
	);
	frontgate_assert_same( array( 'CAP123' ), $o->get_meta( '_frontgate_capture_ids' ) );
}

function frontgate_test_outcome_busy_lock() {
	global $wpdb;
	frontgate_t_order();
	// Another request holds the order's lock.
	$held = ( time() + 60 ) . '|other';
	$wpdb->hold( 'frontgate_lock_order_101', $held );
	$start = microtime( true );
	frontgate_assert_same( 'busy', frontgate_t_handler( array(), 0.3 )->apply( 101, 'RSRV1', 'RESERVED', 'webhook' ) );
	frontgate_assert_true( microtime( true ) - $start >= 0.29, 'waited for the lock' );
	frontgate_assert_same( array(), wc_get_order( 101 )->notes(), 'nothing applied while busy' );
	Frontgate_Lock::release( 'order_101', $held );
	frontgate_assert_same( 'applied', frontgate_t_handler()->apply( 101, 'RSRV1', 'RESERVED', 'webhook' ) );
	frontgate_assert_same( false, $wpdb->held( 'frontgate_lock_order_101' ), 'released' );
}

function frontgate_test_outcome_abandoned_lock_is_broken() {
	global $wpdb;
	frontgate_t_order();
	$wpdb->hold( 'frontgate_lock_order_101', ( time() - 1 ) . '|crashed' );
	frontgate_assert_same( 'applied', frontgate_t_handler( array(), 0 )->apply( 101, 'RSRV1', 'RESERVED', 'webhook' ) );
}

function frontgate_test_outcome_flag_while_applying() {
	frontgate_t_order();
	$seen = array();
	$GLOBALS['frontgate_test_filters']['frontgate_outcome'] = function ( $out ) use ( &$seen ) {
		$seen[] = Frontgate_Outcome_Handler::$applying;
		$out['note'] .= ' (filtered)';
		return $out;
	};
	frontgate_t_handler()->apply( 101, 'RSRV1', 'COMPLETED', 'webhook' );
	unset( $GLOBALS['frontgate_test_filters']['frontgate_outcome'] );
	frontgate_assert_same( array( true ), $seen, 'applying flag set during the outcome' );
	frontgate_assert_same( false, Frontgate_Outcome_Handler::$applying, 'flag cleared' );
	frontgate_assert_same( array( 'FrontGo: reservation RSRV1 completed; nothing more can be captured. (filtered)' ), wc_get_order( 101 )->notes() );
}

/**
 * A return and webhooks racing for real: four processes apply RESERVED and
 * CAPTURED to one order at the same moment. One note each, one payment_complete.
 */
function frontgate_test_outcome_concurrent_processes() {
	if ( ! function_exists( 'pcntl_fork' ) ) {
		throw new FrontgateTest_Skip( 'pcntl is not available' );
	}
	frontgate_t_order();
	$start = microtime( true ) + 0.2;
	$pids  = array();
	foreach ( array( 'webhook', 'return', 'webhook', 'return' ) as $via ) {
		$pid = pcntl_fork();
		if ( 0 === $pid ) {
			try {
				while ( microtime( true ) < $start ) {
					usleep( 1000 );
				}
				$h  = frontgate_t_handler( array(), 10 );
				$ok = in_array( $h->apply( 101, 'RSRV1', 'RESERVED', $via ), array( 'applied', 'duplicate', 'stale' ), true )
					&& in_array( $h->apply( 101, 'RSRV1', 'CAPTURED', $via ), array( 'applied', 'duplicate' ), true );
			} catch ( Throwable $e ) {
				fwrite( STDERR, 'child: ' . $e->getMessage() . "\n" );
				$ok = false;
			}
			exit( $ok ? 0 : 1 );
		}
		$pids[] = $pid;
	}
	foreach ( $pids as $pid ) {
		pcntl_waitpid( $pid, $status );
		frontgate_assert_same( 0, pcntl_wexitstatus( $status ), 'child exit' );
	}
	$o     = wc_get_order( 101 );
	$count = function ( $needle ) use ( $o ) {
		return count( array_filter( $o->notes(), function ( $n ) use ( $needle ) { return false !== strpos( $n, $needle ); } ) );
	};
	frontgate_assert_same( 1, $count( 'payment reserved' ), 'reserved notes' );
	frontgate_assert_same( 1, $count( 'payment captured' ), 'captured notes' );
	frontgate_assert_same( 1, $o->payment_complete_calls, 'payment_complete calls' );
	frontgate_assert_same( 'processing', $o->get_status() );
}

function frontgate_test_outcomes_table() {
	$want = array(
		'SENT'              => array( 'pending', false ),
		'RESERVED NOT PAID' => array( '', false ),
		'RESERVED'          => array( 'on-hold', false ),
		'CAPTURED'          => array( '', true ),
		'CHARGED'           => array( '', true ),
		'COMPLETED'         => array( '', false ),
		'CANCELLED'         => array( 'cancelled', false ),
		'EXPIRED'           => array( 'cancelled', false ),
		'REFUNDED'          => array( '', false ),
		'PARTIAL REFUNDED'  => array( '', false ),
		'PAID'              => array( '', false ),
	);
	foreach ( $want as $status => $w ) {
		$o = Frontgate_Outcomes::for_status( $status, 'R1' );
		frontgate_assert_same( $w, array( $o['status'], $o['payment_complete'] ), $status );
		frontgate_assert_true( false !== strpos( $o['note'], 'R1' ), $status . ' note names the reservation' );
	}
	frontgate_assert_same( true, Frontgate_Outcomes::is_stale( 'RESERVED', 'CAPTURED' ) );
	frontgate_assert_same( false, Frontgate_Outcomes::is_stale( 'CHARGED', 'CAPTURED' ) );
	frontgate_assert_same( false, Frontgate_Outcomes::is_stale( 'RESERVED', '' ) );
}

// A charge after a partial refund, then completion, are news (the core's
// rule), not late events: the order records both.
function frontgate_test_outcome_charge_after_partial_refund() {
	frontgate_t_order( 202, array( '_frontgate_reservation_uuid' => 'RSRV1' ) );
	$h   = frontgate_t_handler();
	$got = array();
	foreach ( array( 'RESERVED', 'CAPTURED', 'PARTIAL REFUNDED', 'CHARGED', 'COMPLETED', 'CAPTURED' ) as $s ) {
		$got[] = $s . '=' . $h->apply( 202, 'RSRV1', $s, 'webhook' );
	}
	frontgate_assert_same( 'RESERVED=applied CAPTURED=applied PARTIAL REFUNDED=applied CHARGED=applied COMPLETED=applied CAPTURED=duplicate', implode( ' ', $got ) );
	frontgate_assert_same( 'COMPLETED', wc_get_order( 202 )->get_meta( '_frontgate_status' ) );
}
