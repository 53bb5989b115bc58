<?php
/**
 * Additional charges: charged once at FrontGo, added to the order as a fee
 * line with their VAT, refunded from the order screen in full and on their
 * own. The sidecar is scripted (wp_remote_request in test-gateway.php).
 *
 * @package Frontgate_WooCommerce
 */

// phpcs:disable

/** The gateway, with the plugin's classes loaded. */
function frontgate_t_charges_gateway() {
	frontgate_load();
	return frontgate_t_gateway();
}

/** A captured order of the coupon-fixed fixture (total 2106.00, 25 % and 15 % tax lines). */
function frontgate_t_captured_order( $id = 1204 ) {
	$o         = frontgate_t_wc_order( 'coupon-fixed', $id );
	$o->status = 'completed';
	$o->paid   = true;
	$o->meta   = array(
		'_frontgate_reservation_uuid' => 'RSRV1',
		'_frontgate_status'           => 'CAPTURED',
		'_frontgate_capture_ids'      => array( 'CAP777' ),
		'_frontgate_line_ids'         => array( '41' => array( array( 9001, 142885 ) ), '43' => array( array( 9002, 10008 ), array( 9003, 3337 ) ), '44' => array( array( 9004, 6900 ) ) ),
	);
	$o->save();
	return $o;
}

/** The reservation details once a charge of $amount øre was made (its line 9100, its id $cha). */
function frontgate_t_charge_details( $sku, $name, $amount, $cha ) {
	$products = array(
		array( 'id' => 9001, 'name' => 'Vinterjakke', 'productId' => 'JAKKE-V', 'amount' => 142885, 'reserved' => 142885, 'captured' => 142885 ),
		array( 'id' => 9004, 'name' => 'Frakt', 'productId' => '', 'amount' => 6900, 'reserved' => 6900, 'captured' => 6900 ),
	);
	$charged  = array();
	if ( $amount ) {
		$products[] = array( 'id' => 9100, 'name' => $name, 'productId' => $sku, 'amount' => $amount, 'reserved' => 0, 'captured' => 0 );
		$charged[]  = array( 'reference' => $cha, 'amount' => $amount );
	}
	return array( 'status' => 'CHARGED', 'products' => $products, 'history' => array( 'captured' => array( array( 'reference' => 'CAP777', 'amount' => 210600 ) ), 'charged' => $charged ) );
}

/** Posts the FrontGo box as the order screen does and runs the action. */
function frontgate_t_charge( $g, $id, array $fields ) {
	$_POST = $fields;
	try {
		return ( new Frontgate_Order_Actions( $g ) )->charge( wc_get_order( $id ) );
	} finally {
		$_POST = array();
	}
}

/** The form fields the FrontGo box renders (name => value). */
function frontgate_t_box( $g, $id ) {
	ob_start();
	( new Frontgate_Order_Actions( $g ) )->render_meta_box( wc_get_order( $id ) );
	$html = ob_get_clean();
	preg_match_all( '/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/', $html, $m );
	$out = array_combine( $m[1], array_map( 'html_entity_decode', $m[2] ) );
	if ( preg_match( '/<option value="([^"]+)" selected>/', $html, $s ) ) {
		$out['frontgate_charge_tax_rate'] = $s[1];
	}
	return $out;
}

function frontgate_test_charge_adds_a_fee_line_once() {
	$g = frontgate_t_charges_gateway();
	frontgate_t_captured_order();
	$box = frontgate_t_box( $g, 1204 );
	frontgate_assert_same( '1', $box['frontgate_charge_seq'], 'the form carries charge number 1' );

	$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'uuid' => 'CHA100', 'message' => 'reservationChargedSuccessfully' ) );
	$GLOBALS['frontgate_test_responses'][] = array( 200, frontgate_t_charge_details( 'wc-charge-1204-1', 'Gavepapir', 12550, 'CHA100' ) );
	$form = array( 'frontgate_charge_seq' => '1', 'frontgate_charge_amount' => '125,50', 'frontgate_charge_tax_rate' => '25', 'frontgate_charge_text' => 'Gavepapir' );
	frontgate_assert_same( 'charged', frontgate_t_charge( $g, 1204, $form ) );

	list( $url, $args ) = $GLOBALS['frontgate_test_requests'][0];
	frontgate_assert_same( 'https://pay.example.no/v1/reservations/RSRV1/charge', $url );
	frontgate_assert_same(
		array( 'lines' => array( array( 'name' => 'Gavepapir', 'sku' => 'wc-charge-1204-1', 'unitPrice' => 12550, 'quantity' => 1, 'taxRate' => 25 ) ), 'additionalText' => 'Gavepapir' ),
		json_decode( $args['body'], true )
	);
	frontgate_assert_same( Frontgate_Sidecar_Client::idempotency_key( 'charge', 'wc_order_key1204', 1 ), $args['headers']['Idempotency-Key'] );
	frontgate_assert_same( 'https://pay.example.no/v1/reservations/RSRV1', $GLOBALS['frontgate_test_requests'][1][0], 'the charge line looked up' );

	$o = wc_get_order( 1204 );
	frontgate_assert_same( '2231.50', $o->get_total(), 'the total grows by what was charged, to the øre' );
	frontgate_assert_same( '423.22', $o->get_cart_tax(), 'cart tax 398.12 + 25.10' );
	frontgate_assert_same( '405.81', $o->props['tax_lines'][0]['tax_total'], 'the 25 % tax line 380.71 + 25.10' );
	frontgate_assert_same( '17.41', $o->props['tax_lines'][1]['tax_total'], 'the 15 % tax line unchanged' );
	frontgate_assert_same( 1, count( $o->props['fee_lines'] ) );
	$fee = $o->props['fee_lines'][0];
	frontgate_assert_same(
		array( 'name' => 'Gavepapir', 'tax_status' => 'taxable', 'total' => '100.40', 'total_tax' => '25.10', 'taxes' => array( array( 'id' => 1, 'total' => '25.10', 'subtotal' => '' ) ), '_frontgate_charge' => 1 ),
		array_intersect_key( $fee, array_flip( array( 'name', 'tax_status', 'total', 'total_tax', 'taxes', '_frontgate_charge' ) ) )
	);
	$c = Frontgate_Charges::records( $o )[0];
	frontgate_assert_same(
		array( 'seq' => 1, 'sku' => 'wc-charge-1204-1', 'reference' => 'CHA100', 'line_id' => 9100, 'item_id' => $fee['id'], 'amount' => 12550, 'tax' => 2510, 'rate' => 2500, 'rate_id' => 1, 'text' => 'Gavepapir' ),
		array_diff_key( $c, array( 'at' => 0, 'refunded' => 0, 'refund_id' => 0 ) )
	);
	frontgate_assert_same( '', $o->get_meta( '_frontgate_charge_pending' ) );
	frontgate_assert_same( '', $o->get_meta( '_frontgate_charge_ids' ), 'the charges are kept in _frontgate_charges alone' );
	frontgate_assert_same( 1, count( $o->notes() ) );
	frontgate_assert_true( false !== strpos( $o->notes()[0], 'kr 125,50 charged to the card (Gavepapir, CHA100)' ) && false !== strpos( $o->notes()[0], 'now kr 2 231,50' ), 'note: ' . $o->notes()[0] );

	// The same form again (a double submit, or the browser resending it): nothing more.
	frontgate_assert_same( 'duplicate', frontgate_t_charge( $g, 1204, $form ) );
	frontgate_assert_same( 2, count( $GLOBALS['frontgate_test_requests'] ), 'no request' );
	$o = wc_get_order( 1204 );
	frontgate_assert_same( array( '2231.50', 1, 1 ), array( $o->get_total(), count( $o->props['fee_lines'] ), count( $o->notes() ) ) );
	frontgate_assert_same( '2', frontgate_t_box( $g, 1204 )['frontgate_charge_seq'], 'a fresh form is for charge 2' );

	// A second charge, at 0 % VAT: its own key, a fee line without tax.
	$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'uuid' => 'CHA101' ) );
	$GLOBALS['frontgate_test_responses'][] = array( 404, array( 'error' => array( 'code' => 'not_found', 'message' => 'details: not found' ) ) ); // The details cannot be read now.
	frontgate_assert_same( 'charged', frontgate_t_charge( $g, 1204, array( 'frontgate_charge_seq' => '2', 'frontgate_charge_amount' => '40', 'frontgate_charge_tax_rate' => '0', 'frontgate_charge_text' => '' ) ) );
	frontgate_assert_same( Frontgate_Sidecar_Client::idempotency_key( 'charge', 'wc_order_key1204', 2 ), $GLOBALS['frontgate_test_requests'][2][1]['headers']['Idempotency-Key'] );
	$o = wc_get_order( 1204 );
	frontgate_assert_same( array( '2271.50', '423.22' ), array( $o->get_total(), $o->get_cart_tax() ) );
	frontgate_assert_same( array( 'Additional charge', 'none', '40.00', '0.00', array() ), array( $o->props['fee_lines'][1]['name'], $o->props['fee_lines'][1]['tax_status'], $o->props['fee_lines'][1]['total'], $o->props['fee_lines'][1]['total_tax'], $o->props['fee_lines'][1]['taxes'] ) );
	frontgate_assert_same( array( 'CHA101', 0 ), array( $o->get_meta( '_frontgate_charges' )[1]['reference'], $o->get_meta( '_frontgate_charges' )[1]['line_id'] ), 'the line is looked up when refunding' );
}

function frontgate_test_charge_failure_adds_only_a_note() {
	$g = frontgate_t_charges_gateway();
	frontgate_t_captured_order();
	$GLOBALS['frontgate_test_responses'][] = array( 409, array( 'error' => array( 'code' => 'upstream', 'message' => 'frontgo: charge: 400 business', 'messageKey' => 'paymentChargeRunwayExceed', 'upstreamStatus' => 400 ) ) );
	frontgate_assert_same( 'failed', frontgate_t_charge( $g, 1204, array( 'frontgate_charge_seq' => '1', 'frontgate_charge_amount' => '5000', 'frontgate_charge_tax_rate' => '25', 'frontgate_charge_text' => 'Skade' ) ) );
	frontgate_assert_same( 1, count( $GLOBALS['frontgate_test_requests'] ), 'a refusal is not retried' );
	$o = wc_get_order( 1204 );
	frontgate_assert_same( array( '2106.00', '398.12', array() ), array( $o->get_total(), $o->get_cart_tax(), $o->props['fee_lines'] ) );
	frontgate_assert_same( array( '', '' ), array( $o->get_meta( '_frontgate_charges' ), $o->get_meta( '_frontgate_charge_pending' ) ) );
	frontgate_assert_same( array( 'FrontGo: the additional charge of kr 5 000,00 (Skade) failed, nothing was charged or added to the order: frontgo: charge: 400 business (paymentChargeRunwayExceed)' ), $o->notes() );
	// The sidecar keeps a refusal under its key: the next charge takes a new number.
	frontgate_assert_same( 2, Frontgate_Charges::next_seq( $o ) );

	// Refused before anything is sent: a bad amount, a rate the account does not take, a reservation not yet captured.
	foreach ( array(
		array( array( 'frontgate_charge_amount' => '12,345' ), 'enter an amount above zero, with at most two decimals' ),
		array( array( 'frontgate_charge_amount' => '-5' ), 'enter an amount above zero' ),
		array( array( 'frontgate_charge_tax_rate' => '24' ), 'the VAT rate 24 is not one your FrontGo account accepts' ),
	) as $case ) {
		frontgate_assert_same( 'invalid', frontgate_t_charge( $g, 1204, array_merge( array( 'frontgate_charge_seq' => '2', 'frontgate_charge_amount' => '10', 'frontgate_charge_tax_rate' => '25' ), $case[0] ) ) );
		$notes = wc_get_order( 1204 )->notes();
		frontgate_assert_true( false !== strpos( end( $notes ), $case[1] ), 'note: ' . end( $notes ) );
	}
	$o = wc_get_order( 1204 );
	$o->meta['_frontgate_status'] = 'RESERVED';
	$o->save();
	frontgate_assert_same( array(), ( new Frontgate_Order_Actions( $g ) )->order_actions( array(), $o ), 'no charge offered before the capture' );
	frontgate_assert_same( 'invalid', frontgate_t_charge( $g, 1204, array( 'frontgate_charge_seq' => '2', 'frontgate_charge_amount' => '10' ) ) );
	$notes = wc_get_order( 1204 )->notes();
	frontgate_assert_true( false !== strpos( end( $notes ), 'capture the reservation first' ), 'note: ' . end( $notes ) );
	frontgate_assert_same( 1, count( $GLOBALS['frontgate_test_requests'] ), 'nothing sent' );

	// A VAT rate WooCommerce has no tax rate for: refused, or the order could not carry the VAT.
	$o->meta['_frontgate_status'] = 'CAPTURED';
	$o->props['tax_lines']        = array();
	$o->save();
	frontgate_assert_same( 'invalid', frontgate_t_charge( $g, 1204, array( 'frontgate_charge_seq' => '2', 'frontgate_charge_amount' => '10', 'frontgate_charge_tax_rate' => '15' ) ) );
	$notes = wc_get_order( 1204 )->notes();
	frontgate_assert_true( false !== strpos( end( $notes ), 'WooCommerce has no 15 % tax rate for this order' ), 'note: ' . end( $notes ) );
	frontgate_assert_same( 1, count( $GLOBALS['frontgate_test_requests'] ), 'nothing sent' );
}

function frontgate_test_charge_unknown_outcome_is_asked_before_charging_again() {
	$g = frontgate_t_charges_gateway();
	frontgate_t_captured_order();
	$form = array( 'frontgate_charge_seq' => '1', 'frontgate_charge_amount' => '125.50', 'frontgate_charge_tax_rate' => '25', 'frontgate_charge_text' => 'Gavepapir' );
	$GLOBALS['frontgate_test_responses'][] = array( 504, array( 'error' => array( 'code' => 'upstream_unknown', 'message' => 'charge: FrontGo did not answer' ) ) );
	frontgate_assert_same( 'unknown', frontgate_t_charge( $g, 1204, $form ) );
	$o = wc_get_order( 1204 );
	frontgate_assert_same( array( '2106.00', array() ), array( $o->get_total(), $o->props['fee_lines'] ) );
	frontgate_assert_same( 12550, $o->get_meta( '_frontgate_charge_pending' )['amount'] );
	frontgate_assert_true( false !== strpos( $o->notes()[0], 'is not known: charge: FrontGo did not answer' ), 'note: ' . $o->notes()[0] );
	$box = frontgate_t_box( $g, 1204 );
	frontgate_assert_same( array( '1', '125,50', '25', 'Gavepapir' ), array( $box['frontgate_charge_seq'], $box['frontgate_charge_amount'], $box['frontgate_charge_tax_rate'], $box['frontgate_charge_text'] ), 'the form offers the same charge again' );

	// The same charge again: FrontGo has no line of it, so it is sent again,
	// under the next number: the sidecar keeps the unknown answer under the
	// first key (a retry under it would only be told the same).
	$GLOBALS['frontgate_test_responses'][] = array( 200, frontgate_t_charge_details( '', '', 0, '' ) );
	$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'uuid' => 'CHA300' ) );
	$GLOBALS['frontgate_test_responses'][] = array( 200, frontgate_t_charge_details( 'wc-charge-1204-2', 'Gavepapir', 12550, 'CHA300' ) );
	frontgate_assert_same( 'charged', frontgate_t_charge( $g, 1204, $form ) );
	frontgate_assert_same( 'GET', $GLOBALS['frontgate_test_requests'][1][1]['method'] );
	frontgate_assert_true( $GLOBALS['frontgate_test_requests'][0][1]['headers']['Idempotency-Key'] !== $GLOBALS['frontgate_test_requests'][2][1]['headers']['Idempotency-Key'], 'a new key' );
	frontgate_assert_same( str_replace( 'wc-charge-1204-1', 'wc-charge-1204-2', $GLOBALS['frontgate_test_requests'][0][1]['body'] ), $GLOBALS['frontgate_test_requests'][2][1]['body'], 'the same charge, its next number' );
	$o = wc_get_order( 1204 );
	frontgate_assert_same( array( '2231.50', 1, 'CHA300', 9100 ), array( $o->get_total(), count( $o->props['fee_lines'] ), $o->get_meta( '_frontgate_charges' )[0]['reference'], $o->get_meta( '_frontgate_charges' )[0]['line_id'] ) );
}

// A 2xx the plugin cannot read may be a charge FrontGo made: its outcome is
// unknown, so the charge stays pending and is looked up before anything else.
function frontgate_test_charge_unreadable_success_is_unknown_not_refused() {
	$g = frontgate_t_charges_gateway();
	frontgate_t_captured_order();
	$form = array( 'frontgate_charge_seq' => '1', 'frontgate_charge_amount' => '125,50', 'frontgate_charge_tax_rate' => '25', 'frontgate_charge_text' => 'Gavepapir' );
	$GLOBALS['frontgate_test_responses'][] = array( 200, '<html>proxy page</html>' );
	frontgate_assert_same( 'unknown', frontgate_t_charge( $g, 1204, $form ) );
	$o = wc_get_order( 1204 );
	frontgate_assert_same( array( '2106.00', 12550 ), array( $o->get_total(), $o->get_meta( '_frontgate_charge_pending' )['amount'] ) );
	frontgate_assert_true( false === strpos( implode( ' ', $o->notes() ), 'nothing was charged' ), 'no "nothing was charged" note: ' . implode( ' | ', $o->notes() ) );
}

function frontgate_test_charge_made_despite_a_lost_answer_is_recorded_not_repeated() {
	$g = frontgate_t_charges_gateway();
	frontgate_t_captured_order();
	$form = array( 'frontgate_charge_seq' => '1', 'frontgate_charge_amount' => '125,50', 'frontgate_charge_tax_rate' => '25', 'frontgate_charge_text' => 'Gavepapir' );
	for ( $i = 0; $i < 3; $i++ ) {
		$GLOBALS['frontgate_test_responses'][] = array( 502, array( 'error' => array( 'code' => 'upstream', 'message' => 'charge: FrontGo failed' ) ) );
	}
	frontgate_assert_same( 'unknown', frontgate_t_charge( $g, 1204, $form ) );
	// FrontGo did charge: its details show the line. Recorded, no second charge.
	$GLOBALS['frontgate_test_responses'][] = array( 200, frontgate_t_charge_details( 'wc-charge-1204-1', 'Gavepapir', 12550, 'CHA400' ) );
	frontgate_assert_same( 'charged', frontgate_t_charge( $g, 1204, $form ) );
	frontgate_assert_same( 4, count( $GLOBALS['frontgate_test_requests'] ), 'three tries, then one look' );
	$o = wc_get_order( 1204 );
	frontgate_assert_same( array( '2231.50', 1, 'CHA400', 9100, '' ), array( $o->get_total(), count( $o->props['fee_lines'] ), $o->get_meta( '_frontgate_charges' )[0]['reference'], $o->get_meta( '_frontgate_charges' )[0]['line_id'], $o->get_meta( '_frontgate_charge_pending' ) ) );
	frontgate_assert_same( 'duplicate', frontgate_t_charge( $g, 1204, $form ) );
}

function frontgate_test_charge_unknown_outcome_then_another_charge() {
	$g = frontgate_t_charges_gateway();
	frontgate_t_captured_order();
	$form = array( 'frontgate_charge_seq' => '1', 'frontgate_charge_amount' => '125,50', 'frontgate_charge_tax_rate' => '25', 'frontgate_charge_text' => 'Gavepapir' );
	$GLOBALS['frontgate_test_responses'][] = array( 504, array( 'error' => array( 'code' => 'upstream_unknown', 'message' => 'charge: FrontGo did not answer' ) ) );
	frontgate_assert_same( 'unknown', frontgate_t_charge( $g, 1204, $form ) );

	// The merchant changes the amount: FrontGo has no line of the first
	// charge, so it is dropped and the new one takes number 2.
	$GLOBALS['frontgate_test_responses'][] = array( 200, frontgate_t_charge_details( '', '', 0, '' ) );
	$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'uuid' => 'CHA600' ) );
	$GLOBALS['frontgate_test_responses'][] = array( 200, frontgate_t_charge_details( 'wc-charge-1204-2', 'Gavepapir', 9900, 'CHA600' ) );
	frontgate_assert_same( 'charged', frontgate_t_charge( $g, 1204, array_merge( $form, array( 'frontgate_charge_amount' => '99' ) ) ) );
	$charge = json_decode( $GLOBALS['frontgate_test_requests'][2][1]['body'], true );
	frontgate_assert_same( array( 'wc-charge-1204-2', 9900 ), array( $charge['lines'][0]['sku'], $charge['lines'][0]['unitPrice'] ) );
	frontgate_assert_same( Frontgate_Sidecar_Client::idempotency_key( 'charge', 'wc_order_key1204', 2 ), $GLOBALS['frontgate_test_requests'][2][1]['headers']['Idempotency-Key'] );
	$o = wc_get_order( 1204 );
	frontgate_assert_same( array( '2205.00', 1, 2, '' ), array( $o->get_total(), count( $o->props['fee_lines'] ), $o->get_meta( '_frontgate_charges' )[0]['seq'], $o->get_meta( '_frontgate_charge_pending' ) ) );
	frontgate_assert_true( 1 === count( array_filter( $o->notes(), function ( $n ) { return false !== strpos( $n, 'kr 125,50 (Gavepapir), whose outcome was not known, was not made; it is dropped' ); } ) ), 'dropped note' );

	// Again, but the first charge did go through: it is recorded, the new one not charged.
	frontgate_t_captured_order( 1205 );
	$GLOBALS['frontgate_test_requests'] = array();
	$form['frontgate_charge_seq']       = '1';
	$GLOBALS['frontgate_test_responses'][] = array( 504, array( 'error' => array( 'code' => 'upstream_unknown', 'message' => 'charge: FrontGo did not answer' ) ) );
	frontgate_assert_same( 'unknown', frontgate_t_charge( $g, 1205, $form ) );
	$GLOBALS['frontgate_test_responses'][] = array( 200, frontgate_t_charge_details( 'wc-charge-1205-1', 'Gavepapir', 12550, 'CHA700' ) );
	frontgate_assert_same( 'duplicate', frontgate_t_charge( $g, 1205, array_merge( $form, array( 'frontgate_charge_amount' => '99' ) ) ) );
	frontgate_assert_same( 2, count( $GLOBALS['frontgate_test_requests'] ), 'the charge, then one look' );
	$o     = wc_get_order( 1205 );
	$notes = $o->notes();
	frontgate_assert_same( array( '2231.50', 1, 'CHA700' ), array( $o->get_total(), count( $o->props['fee_lines'] ), $o->get_meta( '_frontgate_charges' )[0]['reference'] ) );
	frontgate_assert_same( 'FrontGo: the earlier additional charge went through and is now on the order, so kr 99,00 (Gavepapir) was not charged. To charge it as well, send it again.', end( $notes ) );
	frontgate_assert_same( '2', frontgate_t_box( $g, 1205 )['frontgate_charge_seq'] );
}

function frontgate_test_charge_refund_from_the_order_screen() {
	$g = frontgate_t_charges_gateway();
	frontgate_t_captured_order();
	$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'uuid' => 'CHA100' ) );
	$GLOBALS['frontgate_test_responses'][] = array( 200, frontgate_t_charge_details( 'wc-charge-1204-1', 'Gavepapir', 12550, 'CHA100' ) );
	frontgate_t_charge( $g, 1204, array( 'frontgate_charge_seq' => '1', 'frontgate_charge_amount' => '125,50', 'frontgate_charge_tax_rate' => '25', 'frontgate_charge_text' => 'Gavepapir' ) );
	$fee = wc_get_order( 1204 )->props['fee_lines'][0]['id'];
	$GLOBALS['frontgate_test_requests'] = array();

	$refund = function ( $id, array $items ) {
		$o            = wc_get_order( 1204 );
		$o->refunds[] = array( 'id' => $id, 'parent' => 1204, 'items' => $items );
		$o->save();
		Frontgate_Refunds::remember( new FrontgateTest_Refund( end( $o->refunds ) ) );
	};
	$fee_item = array( 'total' => '-100.40', 'total_tax' => '-25.10', '_refunded_item_id' => $fee );

	// Mixed with a reservation line, or only part of the charge: refused before anything is sent.
	$refund( 5010, array( $fee_item, array( 'total' => '-58.02', 'total_tax' => '-8.71', '_refunded_item_id' => 43 ) ) );
	$e = $g->process_refund( 1204, '192.23', '' );
	frontgate_assert_true( $e instanceof WP_Error && false !== strpos( $e->get_error_message(), 'Refund the additional charge "Gavepapir" on its own' ), 'mixed: ' . ( $e instanceof WP_Error ? $e->get_error_message() : 'accepted' ) );
	$refund( 5011, array( array( 'total' => '-40.00', 'total_tax' => '-10.00', '_refunded_item_id' => $fee ) ) );
	$e = $g->process_refund( 1204, '50.00', '' );
	frontgate_assert_true( $e instanceof WP_Error && false !== strpos( $e->get_error_message(), 'only in full: refund all of its 125.50 (with VAT), not 50.00' ), 'partial: ' . ( $e instanceof WP_Error ? $e->get_error_message() : 'accepted' ) );
	// An amount-only refund never touches a charge; too large for the reservation's lines, it says how to refund one.
	$refund( 5009, array() );
	$e = $g->process_refund( 1204, '3000.00', '' );
	frontgate_assert_true( $e instanceof WP_Error && false !== strpos( $e->get_error_message(), 'To refund an additional charge, refund its fee line.' ), 'hint: ' . ( $e instanceof WP_Error ? $e->get_error_message() : 'accepted' ) );
	frontgate_assert_same( array(), $GLOBALS['frontgate_test_requests'], 'nothing sent' );

	// The whole line: refunded from the charge.
	$refund( 5012, array( $fee_item ) );
	$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'message' => 'orderRefundedSuccessfully' ) );
	frontgate_assert_same( true, $g->process_refund( 1204, '125.50', 'Ikke ønsket' ) );
	list( $url, $args ) = $GLOBALS['frontgate_test_requests'][0];
	frontgate_assert_same( 'https://pay.example.no/v1/reservations/RSRV1/refund', $url );
	frontgate_assert_same( array( 'lines' => array( array( 'id' => 9100, 'amount' => 12550 ) ), 'source' => 'charged', 'reference' => 'CHA100' ), json_decode( $args['body'], true ) );
	frontgate_assert_same( Frontgate_Sidecar_Client::idempotency_key( 'refund', 'wc_order_key1204', 5012 ), $args['headers']['Idempotency-Key'] );
	$o = wc_get_order( 1204 );
	frontgate_assert_same( array( 12550, 5012 ), array( $o->get_meta( '_frontgate_charges' )[0]['refunded'], $o->get_meta( '_frontgate_charges' )[0]['refund_id'] ) );
	$notes = $o->notes();
	frontgate_assert_same( 'FrontGo: refund of kr 125,50 requested from the additional charge "Gavepapir". Ikke ønsket', end( $notes ) );

	// Not twice.
	$refund( 5013, array( $fee_item ) );
	$e = $g->process_refund( 1204, '125.50', '' );
	frontgate_assert_true( $e instanceof WP_Error && false !== strpos( $e->get_error_message(), 'has already been refunded' ), 'twice' );
	frontgate_assert_same( 1, count( $GLOBALS['frontgate_test_requests'] ) );

	// The reservation's lines still go to the capture.
	$refund( 5014, array( array( 'total' => '-58.02', 'total_tax' => '-8.71', '_refunded_item_id' => 43 ) ) );
	$GLOBALS['frontgate_test_responses'][] = array( 200, array() );
	frontgate_assert_same( true, $g->process_refund( 1204, '66.73', '' ) );
	frontgate_assert_same( array( 'lines' => array( array( 'id' => 9002, 'amount' => 6673 ) ), 'source' => 'captured', 'reference' => 'CAP777' ), json_decode( $GLOBALS['frontgate_test_requests'][1][1]['body'], true ) );
	$refund( 5015, array() );
	$e = $g->process_refund( 1204, '3000.00', '' );
	frontgate_assert_true( $e instanceof WP_Error && false === strpos( $e->get_error_message(), 'additional charge' ), 'no hint once the charge is refunded: ' . ( $e instanceof WP_Error ? $e->get_error_message() : 'accepted' ) );
	Frontgate_Refunds::remember( null );
}

function frontgate_test_charge_refund_looks_up_an_unknown_line() {
	$g = frontgate_t_charges_gateway();
	$o = frontgate_t_captured_order();
	// Charged while FrontGo's details could not be read: no line id, no reference.
	$o->meta['_frontgate_charges'] = array( array( 'seq' => 1, 'sku' => 'wc-charge-1204-1', 'reference' => '', 'line_id' => 0, 'item_id' => 7100, 'amount' => 12550, 'tax' => 2510, 'rate' => 2500, 'rate_id' => 1, 'text' => 'Gavepapir', 'at' => 1, 'refunded' => 0, 'refund_id' => 0 ) );
	$o->refunds = array( array( 'id' => 5020, 'parent' => 1204, 'items' => array( array( 'total' => '-100.40', 'total_tax' => '-25.10', '_refunded_item_id' => 7100 ) ) ) );
	$o->save();
	Frontgate_Refunds::remember( null );
	$GLOBALS['frontgate_test_responses'][] = array( 200, frontgate_t_charge_details( 'wc-charge-1204-1', 'Gavepapir', 12550, 'CHA500' ) );
	$GLOBALS['frontgate_test_responses'][] = array( 200, array() );
	frontgate_assert_same( true, $g->process_refund( 1204, '125.50', '' ) );
	frontgate_assert_same( 'GET', $GLOBALS['frontgate_test_requests'][0][1]['method'] );
	frontgate_assert_same( array( 'lines' => array( array( 'id' => 9100, 'amount' => 12550 ) ), 'source' => 'charged', 'reference' => 'CHA500' ), json_decode( $GLOBALS['frontgate_test_requests'][1][1]['body'], true ) );

	// Not found at FrontGo: refused with the reason, nothing refunded.
	$o = wc_get_order( 1204 );
	$o->meta['_frontgate_charges'][0] = array_merge( $o->meta['_frontgate_charges'][0], array( 'reference' => '', 'line_id' => 0, 'refunded' => 0 ) );
	$o->save();
	$GLOBALS['frontgate_test_responses'][] = array( 200, frontgate_t_charge_details( '', '', 0, '' ) );
	$e = $g->process_refund( 1204, '125.50', '' );
	frontgate_assert_true( $e instanceof WP_Error && false !== strpos( $e->get_error_message(), 'was not found; refund it in the FrontGo portal' ), 'not found' );
	frontgate_assert_same( 3, count( $GLOBALS['frontgate_test_requests'] ) );
}

function frontgate_test_charge_line_and_reference_lookup() {
	frontgate_load();
	$charge  = array( 'sku' => 'wc-charge-9-2', 'text' => 'Gebyr', 'amount' => 5000 );
	$details = array(
		'products' => array(
			array( 'id' => 1, 'name' => 'Gebyr', 'productId' => '', 'amount' => 5000, 'reserved' => 5000 ),
			array( 'id' => 2, 'name' => 'Gebyr', 'productId' => '', 'amount' => 5000, 'reserved' => 0 ),
			array( 'id' => 3, 'name' => 'Gebyr', 'productId' => '', 'amount' => 5000, 'reserved' => 0 ),
		),
	);
	frontgate_assert_same( 0, Frontgate_Charges::find_line( $details, $charge, array() ), 'two alike: not guessed' );
	frontgate_assert_same( 3, Frontgate_Charges::find_line( $details, $charge, array( 2 ) ), 'the one not taken' );
	$details['products'][] = array( 'id' => 4, 'name' => 'Other', 'productId' => 'wc-charge-9-2', 'amount' => 1, 'reserved' => 0 );
	frontgate_assert_same( 4, Frontgate_Charges::find_line( $details, $charge, array() ), 'productId first' );

	$o = WC_Order::create( 9, array( 'meta' => array( '_frontgate_charges' => array( array( 'reference' => 'CHA1' ) ) ) ) );
	$h = array( 'history' => array( 'charged' => array( array( 'reference' => 'CHA1', 'amount' => 5000 ), array( 'reference' => 'CHA2', 'amount' => 5000 ), array( 'reference' => 'CHA3', 'amount' => 700 ) ) ) );
	frontgate_assert_same( 'CHA2', Frontgate_Charges::find_reference( $h, $charge, $o ) );
	$h['history']['charged'][] = array( 'reference' => 'CHA4', 'amount' => 5000 );
	frontgate_assert_same( '', Frontgate_Charges::find_reference( $h, $charge, $o ), 'two alike: not guessed' );
}

function frontgate_test_charge_refund_part_rules() {
	$charges = array(
		array( 'seq' => 1, 'item_id' => 70, 'amount' => 12550, 'text' => 'A', 'refunded' => 0 ),
		array( 'seq' => 2, 'item_id' => 71, 'amount' => 4000, 'text' => 'B', 'refunded' => 4000 ),
		array( 'amount' => 999, 'rate' => 2500, 'text' => 'before 0.2', 'at' => 1 ),
	);
	frontgate_assert_same( null, Frontgate_Refunds::charge_part( $charges, array( 43 => 6673 ), 6673 ) );
	frontgate_assert_same( null, Frontgate_Refunds::charge_part( $charges, array(), 500 ), 'amount only' );
	frontgate_assert_same( 1, Frontgate_Refunds::charge_part( $charges, array( 70 => 12550 ), 12550 )['seq'] );
	foreach ( array(
		array( array( 70 => 12550, 43 => 6673 ), 19223, 'on its own' ),
		array( array( 70 => 12550 ), 13000, 'on its own' ), // More than the line: something else is refunded too.
		array( array( 70 => 100 ), 100, 'only in full' ),
		array( array( 71 => 4000 ), 4000, 'already been refunded' ),
		array( array( 70 => 12550, 71 => 4000 ), 16550, 'one additional charge at a time' ),
	) as $c ) {
		$e = frontgate_assert_throws( 'InvalidArgumentException', function () use ( $charges, $c ) { Frontgate_Refunds::charge_part( $charges, $c[0], $c[1] ); }, $c[2] );
		frontgate_assert_true( false !== strpos( $e->getMessage(), $c[2] ), $e->getMessage() );
	}
}

/**
 * The same form sent twice at the same moment (two requests in two
 * processes): one charges, the other finds the number used and sends nothing.
 */
function frontgate_test_charge_double_submit_racing() {
	$g = frontgate_t_charges_gateway();
	frontgate_t_captured_order();
	$form  = array( 'frontgate_charge_seq' => '1', 'frontgate_charge_amount' => '125,50', 'frontgate_charge_tax_rate' => '25', 'frontgate_charge_text' => 'Gavepapir' );
	$codes = frontgate_t_race(
		2,
		function () use ( $g, $form ) {
			$GLOBALS['frontgate_test_responses'] = array(
				array( 200, array( 'uuid' => 'CHA100' ) ),
				array( 200, frontgate_t_charge_details( 'wc-charge-1204-1', 'Gavepapir', 12550, 'CHA100' ) ),
			);
			$r    = frontgate_t_charge( $g, 1204, $form );
			$sent = count( $GLOBALS['frontgate_test_requests'] );
			return ( 'charged' === $r && 2 === $sent ) ? 10 : ( ( 'duplicate' === $r && 0 === $sent ) ? 11 : 1 );
		}
	);
	sort( $codes );
	frontgate_assert_same( array( 10, 11 ), $codes, 'one charged (two requests), one duplicate (none)' );
	$o = wc_get_order( 1204 );
	frontgate_assert_same( array( '2231.50', 1, 1, 1 ), array( $o->get_total(), count( $o->props['fee_lines'] ), count( $o->get_meta( '_frontgate_charges' ) ), count( $o->notes() ) ) );
}

/** The order's charge form of test runs: 125,50 at 25 % ("Gavepapir"), charge number 1. */
function frontgate_t_charge_form( array $over = array() ) {
	return array_merge( array( 'frontgate_charge_seq' => '1', 'frontgate_charge_amount' => '125,50', 'frontgate_charge_tax_rate' => '25', 'frontgate_charge_text' => 'Gavepapir' ), $over );
}

/** Charges order 1204 the form of frontgate_t_charge_form(), FrontGo accepting it as CHA100; returns the outcome. */
function frontgate_t_gift_wrap( $g ) {
	$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'uuid' => 'CHA100' ) );
	$GLOBALS['frontgate_test_responses'][] = array( 200, frontgate_t_charge_details( 'wc-charge-1204-1', 'Gavepapir', 12550, 'CHA100' ) );
	return frontgate_t_charge( $g, 1204, frontgate_t_charge_form() );
}

/** Fails unless order 1204 carries charge 1 (125,50 at 25 %) once: one fee line, one record, the totals grown once. */
function frontgate_t_assert_charged_once( $what ) {
	$o    = wc_get_order( 1204 );
	$recs = Frontgate_Charges::records( $o );
	frontgate_assert_same( array( '2231.50', '423.22', '405.81', 1, 1, '' ), array( $o->get_total(), $o->get_cart_tax(), $o->props['tax_lines'][0]['tax_total'], count( $o->props['fee_lines'] ), count( $recs ), $o->get_meta( '_frontgate_charge_pending' ) ), $what );
	frontgate_assert_same( array( 1, 12550, 2510, $o->props['fee_lines'][0]['id'], 1 ), array( $recs[0]['seq'], $recs[0]['amount'], $recs[0]['tax'], $recs[0]['item_id'], $o->props['fee_lines'][0]['_frontgate_charge'] ), $what . ': the record' );
}

// A request may die at any save while recording a charge (a timeout, a
// fatal error): the form sent again never adds the charge twice.
function frontgate_test_charge_request_dying_at_any_save_adds_it_once() {
	$g = frontgate_t_charges_gateway();
	for ( $k = 1; $k <= 4; $k++ ) {
		frontgate_t_captured_order();
		$GLOBALS['frontgate_test_requests']    = array();
		$GLOBALS['frontgate_test_responses']   = array(
			array( 200, array( 'uuid' => 'CHA100' ) ),
			array( 200, frontgate_t_charge_details( 'wc-charge-1204-1', 'Gavepapir', 12550, 'CHA100' ) ),
		);
		$GLOBALS['frontgate_test_die_at_save'] = $k;
		$died                                  = false;
		try {
			frontgate_t_charge( $g, 1204, frontgate_t_charge_form() );
		} catch ( FrontgateTest_Died $e ) {
			$died = true;
		}
		unset( $GLOBALS['frontgate_test_die_at_save'] );
		frontgate_assert_same( false, $GLOBALS['wpdb']->held( 'frontgate_lock_order_1204' ), "save $k: lock released" );

		// The merchant sends the form again: FrontGo is asked first when the charge was left pending.
		$o = wc_get_order( 1204 );
		if ( Frontgate_Charges::pending( $o ) ) {
			$GLOBALS['frontgate_test_responses'] = array( array( 200, frontgate_t_charge_details( 'wc-charge-1204-1', 'Gavepapir', 12550, 'CHA100' ) ) );
			$want                                = 'charged';
		} elseif ( 1 === Frontgate_Charges::next_seq( $o ) ) {
			$GLOBALS['frontgate_test_responses'] = array(
				array( 200, array( 'uuid' => 'CHA100' ) ),
				array( 200, frontgate_t_charge_details( 'wc-charge-1204-1', 'Gavepapir', 12550, 'CHA100' ) ),
			);
			$want                                = 'charged';
		} else {
			$GLOBALS['frontgate_test_responses'] = array();
			$want                                = 'duplicate';
		}
		frontgate_assert_same( $want, frontgate_t_charge( $g, 1204, frontgate_t_charge_form() ), "save $k" . ( $died ? ' (died)' : '' ) );
		frontgate_t_assert_charged_once( "died at save $k, then sent again" );
	}
}

// Recording a charge is one database transaction: committed when its save
// went through, rolled back when the request died inside it (real
// WooCommerce writes an order's meta before its items).
function frontgate_test_charge_recorded_in_one_transaction() {
	$g = frontgate_t_charges_gateway();
	frontgate_t_captured_order();
	frontgate_assert_same( 'charged', frontgate_t_gift_wrap( $g ) );
	frontgate_assert_same( array( 'start', 'commit' ), $GLOBALS['frontgate_test_transactions'], 'a charge recorded' );

	$rolled_back = 0;
	for ( $k = 1; $k <= 4; $k++ ) {
		frontgate_t_captured_order();
		$GLOBALS['frontgate_test_transactions'] = array();
		$GLOBALS['frontgate_test_die_at_save']  = $k;
		try {
			frontgate_t_gift_wrap( $g );
		} catch ( FrontgateTest_Died $e ) {
			$t = $GLOBALS['frontgate_test_transactions'];
			frontgate_assert_same( true, array() === $t || array( 'start', 'rollback' ) === $t, "died at save $k: " . implode( ',', $t ) );
			$rolled_back += array() === $t ? 0 : 1;
		}
		unset( $GLOBALS['frontgate_test_die_at_save'] );
	}
	frontgate_assert_same( 1, $rolled_back, 'one of the saves is the record\'s, rolled back' );
}

// A fee line of the charge already on the order (a request of an earlier
// version died after saving it, before recording the charge): recording
// the charge keeps that line and grows nothing again.
function frontgate_test_charge_record_keeps_a_fee_line_already_on_the_order() {
	$g = frontgate_t_charges_gateway();
	frontgate_t_captured_order();
	frontgate_assert_same( 'charged', frontgate_t_gift_wrap( $g ) );
	$o = wc_get_order( 1204 );
	unset( $o->meta['_frontgate_charges'] );
	$o->meta['_frontgate_charge_pending'] = array( 'seq' => 1, 'sku' => 'wc-charge-1204-1', 'amount' => 12550, 'rate' => 2500, 'text' => 'Gavepapir', 'at' => 1 );
	$o->save();

	$GLOBALS['frontgate_test_responses'][] = array( 200, frontgate_t_charge_details( 'wc-charge-1204-1', 'Gavepapir', 12550, 'CHA100' ) );
	frontgate_assert_same( 'charged', frontgate_t_charge( $g, 1204, frontgate_t_charge_form() ) );
	frontgate_t_assert_charged_once( 'recorded again' );
	frontgate_assert_same( array( 'CHA100', 9100 ), array( Frontgate_Charges::records( wc_get_order( 1204 ) )[0]['reference'], Frontgate_Charges::records( wc_get_order( 1204 ) )[0]['line_id'] ) );
}

// WooCommerce may list a line refunded with 0 (the charge's fee line left
// at 0 beside the lines refunded): it is no part of the refund.
function frontgate_test_charge_refund_ignores_lines_refunded_at_zero() {
	$charges = array(
		array( 'seq' => 1, 'item_id' => 70, 'amount' => 12550, 'text' => 'A', 'refunded' => 0 ),
		array( 'seq' => 2, 'item_id' => 71, 'amount' => 4000, 'text' => 'B', 'refunded' => 4000 ),
	);
	frontgate_assert_same( null, Frontgate_Refunds::charge_part( $charges, array( 70 => 0, 43 => 6673 ), 6673 ), 'a charge at 0 beside a product line' );
	frontgate_assert_same( null, Frontgate_Refunds::charge_part( $charges, array( 70 => 0, 71 => 0 ), 500 ), 'charges at 0 with an amount' );
	frontgate_assert_same( 1, Frontgate_Refunds::charge_part( $charges, array( 71 => 0, 70 => 12550 ), 12550 )['seq'], 'a refunded charge at 0 beside a charge' );

	$g = frontgate_t_charges_gateway();
	frontgate_t_captured_order();
	frontgate_t_gift_wrap( $g );
	$o            = wc_get_order( 1204 );
	$o->refunds[] = array( 'id' => 5030, 'parent' => 1204, 'items' => array(
		array( 'total' => '0.00', 'total_tax' => '0.00', '_refunded_item_id' => $o->props['fee_lines'][0]['id'] ),
		array( 'total' => '-58.02', 'total_tax' => '-8.71', '_refunded_item_id' => 43 ),
	) );
	$o->save();
	Frontgate_Refunds::remember( null );
	$GLOBALS['frontgate_test_requests']    = array();
	$GLOBALS['frontgate_test_responses'][] = array( 200, array() );
	$r = $g->process_refund( 1204, '66.73', '' );
	frontgate_assert_same( true, $r, 'refunded: ' . ( $r instanceof WP_Error ? $r->get_error_message() : '' ) );
	frontgate_assert_same( array( 'lines' => array( array( 'id' => 9002, 'amount' => 6673 ) ), 'source' => 'captured', 'reference' => 'CAP777' ), json_decode( $GLOBALS['frontgate_test_requests'][0][1]['body'], true ) );
	frontgate_assert_same( 0, Frontgate_Charges::records( wc_get_order( 1204 ) )[0]['refunded'], 'the charge is not refunded' );
}

/** Order 1204 without its 25 % tax line, and the shop's 25 % rate (id 7) in the standard tax table. */
function frontgate_t_order_without_a_25_tax_line() {
	$o                     = frontgate_t_captured_order();
	$o->props['tax_lines'] = array( $o->props['tax_lines'][1] ); // 15 % only.
	$o->save();
	$GLOBALS['frontgate_test_tax_rates'] = array( '' => array( array( 'tax_rate_id' => 7, 'tax_rate_country' => 'NO', 'tax_rate' => '25.0000', 'tax_rate_compound' => '0' ) ) );
}

// A charge whose outcome was not known, found at FrontGo after the shop
// removed its VAT rate: it is recorded with the rate it was sent with, so
// the order carries the VAT FrontGo charged, to the øre.
function frontgate_test_charge_keeps_its_vat_when_the_rate_is_removed_meanwhile() {
	$g = frontgate_t_charges_gateway();
	frontgate_t_order_without_a_25_tax_line();
	$GLOBALS['frontgate_test_responses'][] = array( 504, array( 'error' => array( 'code' => 'upstream_unknown', 'message' => 'charge: FrontGo did not answer' ) ) );
	frontgate_assert_same( 'unknown', frontgate_t_charge( $g, 1204, frontgate_t_charge_form() ) );
	$GLOBALS['frontgate_test_tax_rates'] = array(); // The merchant deletes the 25 % rate.

	$GLOBALS['frontgate_test_responses'][] = array( 200, frontgate_t_charge_details( 'wc-charge-1204-1', 'Gavepapir', 12550, 'CHA100' ) );
	frontgate_assert_same( 'duplicate', frontgate_t_charge( $g, 1204, frontgate_t_charge_form( array( 'frontgate_charge_amount' => '99', 'frontgate_charge_tax_rate' => '0' ) ) ) );
	$o = wc_get_order( 1204 );
	frontgate_assert_same( array( '2231.50', '423.22' ), array( $o->get_total(), $o->get_cart_tax() ), 'total and cart tax grown by what was charged' );
	$fee = $o->props['fee_lines'][0];
	frontgate_assert_same( array( 'taxable', '100.40', '25.10', array( array( 'id' => 7, 'total' => '25.10', 'subtotal' => '' ) ) ), array( $fee['tax_status'], $fee['total'], $fee['total_tax'], $fee['taxes'] ) );
	frontgate_assert_same( array( 7, '25.10', 25 ), array( $o->props['tax_lines'][1]['rate_id'], $o->props['tax_lines'][1]['tax_total'], $o->props['tax_lines'][1]['rate_percent'] ), 'a tax line of the rate the charge was sent with' );
	$c = Frontgate_Charges::records( $o )[0];
	frontgate_assert_same( array( 12550, 2510, 2500, 7 ), array( $c['amount'], $c['tax'], $c['rate'], $c['rate_id'] ) );
}

// A charge pending from an earlier version (no tax rate kept with it) whose
// VAT rate WooCommerce no longer has: the money is on the order to the øre,
// and a note says which VAT could not be put on a tax rate.
function frontgate_test_charge_whose_vat_rate_is_gone_is_recorded_with_a_note() {
	$g = frontgate_t_charges_gateway();
	$o = frontgate_t_captured_order();
	$o->props['tax_lines']                = array( $o->props['tax_lines'][1] );
	$o->meta['_frontgate_charge_seq']     = 1;
	$o->meta['_frontgate_charge_pending'] = array( 'seq' => 1, 'sku' => 'wc-charge-1204-1', 'amount' => 12550, 'rate' => 2500, 'text' => 'Gavepapir', 'at' => 1 );
	$o->save();
	$GLOBALS['frontgate_test_responses'][] = array( 200, frontgate_t_charge_details( 'wc-charge-1204-1', 'Gavepapir', 12550, 'CHA100' ) );
	frontgate_assert_same( 'duplicate', frontgate_t_charge( $g, 1204, frontgate_t_charge_form( array( 'frontgate_charge_amount' => '99', 'frontgate_charge_tax_rate' => '0' ) ) ) );
	$o = wc_get_order( 1204 );
	frontgate_assert_same( array( '2231.50', '398.12', 1, 'none', '125.50' ), array( $o->get_total(), $o->get_cart_tax(), count( $o->props['fee_lines'] ), $o->props['fee_lines'][0]['tax_status'], $o->props['fee_lines'][0]['total'] ) );
	$c = Frontgate_Charges::records( $o )[0];
	frontgate_assert_same( array( 12550, 0, 2500, 0 ), array( $c['amount'], $c['tax'], $c['rate'], $c['rate_id'] ) );
	$notes = array_values( array_filter( $o->notes(), function ( $n ) { return false !== strpos( $n, 'VAT' ); } ) );
	frontgate_assert_same( array( 'FrontGo: the additional charge of kr 125,50 (Gavepapir) was charged with 25 % VAT (kr 25,10), but WooCommerce has no 25 % tax rate for this order, so its fee line was added without VAT. The order total is what the customer paid; correct the VAT in your accounts.' ), $notes );
}

// The charge's VAT goes to the order's own tax line at its rate, else to a
// rate of the shop's tax tables with that percentage, the order's country
// first, never a compound one; and the order gets a tax line for it.
function frontgate_test_charge_vat_from_the_shop_tax_tables() {
	$g = frontgate_t_charges_gateway();
	frontgate_t_order_without_a_25_tax_line();
	$GLOBALS['frontgate_test_tax_rates'] = array(
		''              => array(
			array( 'tax_rate_id' => 3, 'tax_rate_country' => 'SE', 'tax_rate' => '25.0000', 'tax_rate_compound' => '0' ),
			array( 'tax_rate_id' => 4, 'tax_rate_country' => 'NO', 'tax_rate' => '25.0000', 'tax_rate_compound' => '0' ),
			array( 'tax_rate_id' => 8, 'tax_rate_country' => 'NO', 'tax_rate' => '12.0000', 'tax_rate_compound' => '1' ),
		),
		'redusert-sats' => array(
			array( 'tax_rate_id' => 5, 'tax_rate_country' => '', 'tax_rate' => '11.1100', 'tax_rate_compound' => '0' ),
		),
	);
	$o = wc_get_order( 1204 );
	frontgate_assert_same( array( 'rate_id' => 4, 'tax_class' => '' ), Frontgate_Charges::find_tax_rate( $o, 2500 ), 'the order\'s country first' );
	frontgate_assert_same( array( 'rate_id' => 5, 'tax_class' => 'redusert-sats' ), Frontgate_Charges::find_tax_rate( $o, 1111 ), 'another tax class' );
	frontgate_assert_same( null, Frontgate_Charges::find_tax_rate( $o, 1200 ), 'a compound rate is not one' );
	frontgate_assert_same( array( 'rate_id' => 2, 'tax_class' => '' ), Frontgate_Charges::find_tax_rate( $o, 1500 ), 'the order\'s own line' );
	$o->props['billing']['country'] = 'SE';
	frontgate_assert_same( 3, Frontgate_Charges::find_tax_rate( $o, 2500 )['rate_id'], 'a Swedish order' );

	frontgate_assert_same( 'charged', frontgate_t_gift_wrap( $g ) );
	$o   = wc_get_order( 1204 );
	$fee = $o->props['fee_lines'][0];
	frontgate_assert_same( array( '2231.50', '423.22' ), array( $o->get_total(), $o->get_cart_tax() ) );
	frontgate_assert_same( array( '', 'taxable', '100.40', array( array( 'id' => 4, 'total' => '25.10', 'subtotal' => '' ) ) ), array( $fee['tax_class'], $fee['tax_status'], $fee['total'], $fee['taxes'] ) );
	frontgate_assert_same( array( 2, 4 ), array_column( $o->props['tax_lines'], 'rate_id' ), 'a tax line of the rate' );
	frontgate_assert_same( array( '17.41', '25.10' ), array_column( $o->props['tax_lines'], 'tax_total' ) );
	frontgate_assert_same( array( 4, 2510 ), array( Frontgate_Charges::records( $o )[0]['rate_id'], Frontgate_Charges::records( $o )[0]['tax'] ) );
}

// The refund of a charge rewrites the order's charges under the order's
// lock, from the order as saved then: a charge recorded since the refund's
// page was read is kept, and a charge refunded since is not paid out again.
function frontgate_test_charge_refund_rewrites_the_charges_under_the_order_lock() {
	$g = frontgate_t_charges_gateway();
	frontgate_t_captured_order();
	frontgate_t_gift_wrap( $g );
	$stale  = wc_get_order( 1204 );
	$charge = Frontgate_Charges::records( $stale )[0];

	// Meanwhile another request charges 40,00 more.
	$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'uuid' => 'CHA101' ) );
	$GLOBALS['frontgate_test_responses'][] = array( 404, array( 'error' => array( 'code' => 'not_found', 'message' => 'details: not found' ) ) );
	frontgate_assert_same( 'charged', frontgate_t_charge( $g, 1204, frontgate_t_charge_form( array( 'frontgate_charge_seq' => '2', 'frontgate_charge_amount' => '40', 'frontgate_charge_tax_rate' => '0' ) ) ) );

	$GLOBALS['frontgate_test_requests']    = array();
	$locked                                = null;
	$GLOBALS['frontgate_test_responses'][] = function () use ( &$locked ) {
		$locked = $GLOBALS['wpdb']->held( 'frontgate_lock_order_1204' );
		return array( 200, array() );
	};
	( new Frontgate_Charges( $g ) )->refund( $stale, $charge, 5040 );
	frontgate_assert_same( true, $locked, 'the order is locked while the charge is refunded' );
	frontgate_assert_same( false, $GLOBALS['wpdb']->held( 'frontgate_lock_order_1204' ), 'and unlocked after' );
	$o    = wc_get_order( 1204 );
	$recs = Frontgate_Charges::records( $o );
	frontgate_assert_same( array( 2, 12550, 5040, 0 ), array( count( $recs ), $recs[0]['refunded'], $recs[0]['refund_id'], $recs[1]['refunded'] ), 'both charges kept' );
	frontgate_assert_same( array( '2271.50', 2 ), array( $o->get_total(), count( $o->props['fee_lines'] ) ) );

	// The same stale page again: the charge is refunded by now, nothing is sent.
	$e = frontgate_assert_throws( 'InvalidArgumentException', function () use ( $g, $stale, $charge ) { ( new Frontgate_Charges( $g ) )->refund( $stale, $charge, 5041 ); } );
	frontgate_assert_same( 'The additional charge "Gavepapir" has already been refunded.', $e->getMessage() );
	frontgate_assert_same( 1, count( $GLOBALS['frontgate_test_requests'] ), 'nothing more sent' );
	frontgate_assert_same( 5040, Frontgate_Charges::records( wc_get_order( 1204 ) )[0]['refund_id'] );
}

// The charges are kept in _frontgate_charges alone: no second list of
// their ids that nothing reads.
function frontgate_test_charge_ids_are_not_kept_apart() {
	$g = frontgate_t_charges_gateway();
	frontgate_t_captured_order();
	frontgate_t_gift_wrap( $g );
	frontgate_assert_same( '', wc_get_order( 1204 )->get_meta( '_frontgate_charge_ids' ), 'recording a charge' );

	$h = new Frontgate_Outcome_Handler( new Frontgate_Logger(), array() );
	frontgate_assert_same( 'applied', $h->apply( 1204, 'RSRV1', 'CHARGED', 'webhook', frontgate_t_charge_details( 'wc-charge-1204-1', 'Gavepapir', 12550, 'CHA100' ) ) );
	$o = wc_get_order( 1204 );
	frontgate_assert_same( array( '', array( 'CAP777' ) ), array( $o->get_meta( '_frontgate_charge_ids' ), $o->get_meta( '_frontgate_capture_ids' ) ), 'a webhook with the details' );
}
