<?php
/**
 * The PHP mapper against the Go adapter's fixtures and golden files
 * (adapters/woocommerce/testdata): both must map every order alike.
 *
 * @package Frontgate_WooCommerce
 */

// phpcs:disable

function frontgate_t_testdata() {
	return dirname( __DIR__, 2 ) . '/testdata';
}

function frontgate_test_mapper_matches_go_golden_files() {
	$files = glob( frontgate_t_testdata() . '/orders/*.json' );
	frontgate_assert_true( count( $files ) >= 10, 'fixtures found in ' . frontgate_t_testdata() );
	foreach ( $files as $file ) {
		$name   = basename( $file, '.json' );
		$order  = json_decode( file_get_contents( $file ), true );
		$golden = frontgate_t_testdata() . '/golden/' . $name;
		$mapper = new Frontgate_Order_Mapper();
		if ( is_file( $golden . '.error.txt' ) ) {
			$e = frontgate_assert_throws(
				'Frontgate_Mapping_Exception',
				function () use ( $mapper, $order ) {
					$mapper->map( $order );
				},
				$name
			);
			frontgate_assert_same( trim( file_get_contents( $golden . '.error.txt' ) ), $e->getMessage(), $name );
			continue;
		}
		$got  = Frontgate_Order_Mapper::wire( $mapper->map( $order )['order'] );
		$want = json_decode( file_get_contents( $golden . '.order.json' ), true );
		frontgate_assert_same( $want, json_decode( json_encode( $got ), true ), $name );
		frontgate_assert_same( json_encode( $want ), json_encode( $got ), $name . ' as JSON' );
	}
}

function frontgate_test_mapper_items_and_tolerance() {
	$order  = json_decode( file_get_contents( frontgate_t_testdata() . '/orders/err-round-at-subtotal.json' ), true );
	$mapper = new Frontgate_Order_Mapper( array( 'rounding_tolerance' => 1 ) );
	$out    = $mapper->map( $order );
	frontgate_assert_same(
		array(
			array( 'item_id' => 111, 'amount' => 624 ),
			array( 'item_id' => 112, 'amount' => 374 ),
			array( 'item_id' => 113, 'amount' => 1623 ),
		),
		$out['items']
	);
	$sum = 0;
	foreach ( $out['order']['lines'] as $l ) {
		$sum += $l['unitPrice'] * $l['quantity'] - ( isset( $l['discount'] ) ? $l['discount'] : 0 );
	}
	frontgate_assert_same( 2621, $sum, 'lines add up to the total' );
}

function frontgate_test_mapper_config_and_problems() {
	$base = json_decode( file_get_contents( frontgate_t_testdata() . '/orders/corporate.json' ), true );

	$m = new Frontgate_Order_Mapper( array( 'org_meta_key' => '' ) );
	frontgate_assert_same( 'private', $m->map( $base )['order']['customer']['type'], 'no meta key: private' );

	$o                           = $base;
	$o['meta_data'][0]['value'] = '923 609 016 AS';
	$e                           = frontgate_assert_throws(
		'Frontgate_Mapping_Exception',
		function () use ( $o ) {
			( new Frontgate_Order_Mapper() )->map( $o );
		}
	);
	frontgate_assert_same( 'woocommerce: order 1208: meta_data._billing_organization_number: "923 609 016 AS" is not an organisation number', $e->getMessage() );

	$o                             = json_decode( file_get_contents( frontgate_t_testdata() . '/orders/fees.json' ), true );
	$o['line_items'][0]['total']   = '62.405';
	$o['line_items'][1]['quantity'] = 1.5;
	$e                             = frontgate_assert_throws(
		'Frontgate_Mapping_Exception',
		function () use ( $o ) {
			( new Frontgate_Order_Mapper() )->map( $o );
		}
	);
	frontgate_assert_same( 'woocommerce: order 1207: line_items.0.total: "62.405": more than two decimal places; line_items.1.quantity: must be a whole number above 0, not "1.5"', $e->getMessage() );
	frontgate_assert_same( true, $e->has( 'amount' ) );

	$o                              = json_decode( file_get_contents( frontgate_t_testdata() . '/orders/incl-tax-shipping.json' ), true );
	$o['line_items'][1]['total_tax'] = '19.20';
	$e                              = frontgate_assert_throws(
		'Frontgate_Mapping_Exception',
		function () use ( $o ) {
			( new Frontgate_Order_Mapper() )->map( $o );
		}
	);
	frontgate_assert_same( 'woocommerce: order 1201: line_items.1.total_tax: the tax 19.20 is not 25% of 119.20 (29.80)', $e->getMessage() );

	$o = json_decode( file_get_contents( frontgate_t_testdata() . '/orders/err-unknown-rate.json' ), true );
	frontgate_assert_same( 24, ( new Frontgate_Order_Mapper( array( 'tax_rates' => array( 0, 2400, 2500 ) ) ) )->map( $o )['order']['lines'][0]['taxRate'] );
}

// What the merchant reads in the order note when an order is refused is
// translatable: the mapper's own messages and the reasons it passes on
// from amounts and phone numbers.
function frontgate_test_mapper_refusals_are_translated() {
	$GLOBALS['frontgate_test_l10n'] = array(
		'the lines add up to %1$s but the order total is %2$s (a difference of %3$s); WooCommerce may be set to round tax at subtotal level' => 'linjene blir %1$s, men ordretotalen er %2$s (en forskjell på %3$s)',
		'more than two decimal places' => 'mer enn to desimaler',
		'is not a phone number'        => 'er ikke et telefonnummer',
		'is empty'                     => 'er tomt',
	);
	$map = function ( array $o ) {
		return frontgate_assert_throws(
			'Frontgate_Mapping_Exception',
			function () use ( $o ) {
				( new Frontgate_Order_Mapper() )->map( $o );
			}
		)->getMessage();
	};
	$o = json_decode( file_get_contents( frontgate_t_testdata() . '/orders/err-round-at-subtotal.json' ), true );
	frontgate_assert_same( 'woocommerce: order ' . $o['number'] . ': total: linjene blir 26.22, men ordretotalen er 26.21 (en forskjell på -0.01)', $map( $o ) );

	$o = json_decode( file_get_contents( frontgate_t_testdata() . '/orders/fees.json' ), true );
	$o['line_items'][0]['total'] = '62.405';
	$o['billing']['phone']       = 'tel: 412';
	frontgate_assert_same( 'woocommerce: order 1207: billing.phone: "tel: 412" er ikke et telefonnummer; line_items.0.total: "62.405": mer enn to desimaler', $map( $o ) );
	$o['line_items'][0]['total'] = '62.40';
	$o['billing']['phone']       = '';
	$o['shipping']['phone']      = '';
	frontgate_assert_true( false !== strpos( $map( $o ), "billing.phone: is empty; FrontGo needs the customer's mobile number" ), 'an empty phone is still told apart when "is empty" is translated' );
}
