<?php
/**
 * Tests of the small classes: money, phone numbers, refund lines, line ids, sidecar errors.
 *
 * @package Frontgate_WooCommerce
 */

// phpcs:disable

function frontgate_test_money() {
	foreach ( array( '149.00' => 14900, '149' => 14900, '0.5' => 50, '-50.00' => -5000, '1000.10' => 100010, '' => 0, ' 7.25 ' => 725, '12.3400' => 1234, 3 => 300 ) as $in => $want ) {
		frontgate_assert_same( $want, Frontgate_Money::to_minor( is_int( $in ) ? $in : (string) $in ), (string) $in );
	}
	frontgate_assert_same( 250, Frontgate_Money::to_minor( 2.5 ), 'float' );
	foreach ( array( '1.005', 'abc', '1,50', '.', '1e3' ) as $bad ) {
		frontgate_assert_throws( 'InvalidArgumentException', function () use ( $bad ) { Frontgate_Money::to_minor( $bad ); }, $bad );
	}
	frontgate_assert_same( '1234.05', Frontgate_Money::format( 123405 ) );
	frontgate_assert_same( '-0.01', Frontgate_Money::format( -1 ) );
	frontgate_assert_same( 2500, Frontgate_Money::to_rate( '25.0000' ) );
	frontgate_assert_same( 1111, Frontgate_Money::to_rate( 11.11 ) );
	frontgate_assert_same( '11.5', Frontgate_Money::format_rate( 1150 ) );
	frontgate_assert_same( 25, Frontgate_Money::rate_number( 2500 ) );
	frontgate_assert_same( 11.5, Frontgate_Money::rate_number( 1150 ) );
	frontgate_assert_same( 2500, Frontgate_Money::tax_on( 9999, 2500 ), '24.9975 rounds to 25.00' );
	frontgate_assert_same( 3909, Frontgate_Money::tax_included( 29970, 1500 ) );
}

/** The same table as the Go adapter's TestSplitPhone. */
function frontgate_test_phone() {
	$cases = array(
		array( '412 34 567', 'NO', '+47', '41234567', '' ),
		array( '41234567', '', '+47', '41234567', '' ),
		array( '+47 412 34 567', 'NO', '+47', '41234567', '' ),
		array( '0047 41234567', 'NO', '+47', '41234567', '' ),
		array( '4741234567', 'NO', '+47', '41234567', '' ),
		array( '+46 70-123 45 67', 'SE', '+46', '701234567', '' ),
		array( '070-123 45 67', 'SE', '+46', '701234567', '' ),
		array( '+358 40 123 4567', 'FI', '+358', '401234567', '' ),
		array( '+44 (0)20 7946 0958', 'GB', '+44', '2079460958', '' ),
		array( '+1 (212) 555-0123', 'US', '+1', '2125550123', '' ),
		array( '+354 611 2345', 'IS', '+354', '6112345', '' ),
		array( '+420 601 123 456', 'CZ', '+420', '601123456', '' ),
		array( '+7 912 345 67 89', '', '+7', '9123456789', '' ),
		array( '+27 82 123 4567', '', '+27', '821234567', '' ),
		array( '612345678', 'CZ', '', '', 'has no dialing code and the country CZ has none on file: give it as +<code> <number>' ),
		array( '', 'NO', '', '', 'is empty' ),
		array( 'tel: 412', 'NO', '', '', 'is not a phone number' ),
		array( '+0 123', '', '', '', 'is not a phone number' ),
		array( '41+234567', 'NO', '', '', 'is not a phone number' ),
	);
	foreach ( $cases as $c ) {
		try {
			$got = Frontgate_Phone::split( $c[0], $c[1], '+47' );
			frontgate_assert_same( array( $c[2], $c[3] ), $got, $c[0] );
			frontgate_assert_same( '', $c[4], $c[0] . ' should fail' );
		} catch ( InvalidArgumentException $e ) {
			frontgate_assert_same( $c[4], $e->getMessage(), $c[0] );
		}
	}
}

function frontgate_test_refund_lines() {
	$ids = array(
		'41' => array( array( 9001, 142885 ) ),
		'43' => array( array( 9002, 10008 ), array( 9003, 3337 ) ),
		'44' => array( array( 9004, 6900 ) ),
	);
	// Two of the four bars (66.73 of 133.45) and the shipping.
	frontgate_assert_same(
		array( array( 'id' => 9002, 'amount' => 6673 ), array( 'id' => 9004, 'amount' => 6900 ) ),
		Frontgate_Refunds::lines( $ids, array( 43 => 6673, 44 => 6900 ), 13573 )
	);
	// All four bars: the split line's two FrontGo lines.
	frontgate_assert_same(
		array( array( 'id' => 9002, 'amount' => 10008 ), array( 'id' => 9003, 'amount' => 3337 ) ),
		Frontgate_Refunds::lines( $ids, array( 43 => 13345 ), 13345 )
	);
	// An amount without lines is spread in order.
	frontgate_assert_same(
		array( array( 'id' => 9001, 'amount' => 10000 ) ),
		Frontgate_Refunds::lines( $ids, array(), 10000 )
	);
	frontgate_assert_same(
		array( array( 'id' => 9004, 'amount' => 6900 ), array( 'id' => 9001, 'amount' => 100 ) ),
		Frontgate_Refunds::lines( $ids, array( 44 => 6900 ), 7000 ),
		'an item plus an amount'
	);
	$e = frontgate_assert_throws( 'InvalidArgumentException', function () use ( $ids ) { Frontgate_Refunds::lines( $ids, array(), 200000 ); } );
	frontgate_assert_same( 'The refund of 2000.00 is more than the order lines hold (368.70 left over).', $e->getMessage() );
	frontgate_assert_throws( 'InvalidArgumentException', function () { Frontgate_Refunds::lines( array(), array(), 100 ); }, 'no line ids' );
}

function frontgate_test_line_ids_without_quantities() {
	frontgate_assert_same(
		array( '1' => array( array( 5, 100 ) ), '2' => array( array( 6, 300 ) ) ),
		Frontgate_Outcome_Handler::line_ids(
			array( array( 'item_id' => 1, 'quantity' => 1 ), array( 'item_id' => 2, 'quantity' => 3 ) ),
			array( array( 'id' => 5, 'amount' => 100 ), array( 'id' => 6, 'amount' => 300 ) )
		)
	);
}

function frontgate_test_sidecar_exception() {
	$e = Frontgate_Sidecar_Exception::from_response(
		422,
		'{"error":{"code":"validation","message":"checkout: invalid order","fields":[{"path":"order.customer.msisdn","rule":"length","message":"must be 4 to 15 digits long"},{"path":"order.customer.email","rule":"email"}]}}'
	);
	frontgate_assert_same( array( 422, 'validation', 'checkout: invalid order', false ), array( $e->http_status, $e->error_code, $e->getMessage(), $e->is_retryable() ) );
	frontgate_assert_same( 'Please check your mobile number. Please check your e-mail address.', $e->shopper_message() );
	$e = Frontgate_Sidecar_Exception::from_response( 503, '<html>busy</html>' );
	frontgate_assert_same( array( 'http_503', true ), array( $e->error_code, $e->is_retryable() ) );
	frontgate_assert_same( 'The card payment could not be started. Please try again, or choose another payment method.', $e->shopper_message() );
	$e = Frontgate_Sidecar_Exception::from_response( 409, '{"error":{"code":"refused","message":"capture: not allowed while the reservation is CANCELLED","messageKey":"reservation_cancelled"}}' );
	frontgate_assert_same( 'reservation_cancelled', $e->message_key );
}

function frontgate_test_logger_masks_secrets() {
	( new Frontgate_Logger() )->info( 'x', array( 'api_key' => 'sk', 'order' => 5 ) );
	( new Frontgate_Logger() )->debug( 'hidden' );
	frontgate_assert_same( array( array( 'info', 'x {"api_key":"***","order":5}', 'frontgate' ) ), $GLOBALS['frontgate_test_logs'] );
}
