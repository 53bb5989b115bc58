<?php
/**
 * Tests of Frontgate_Signature.
 *
 * @package Frontgate_WooCommerce
 */

// phpcs:disable

const FRONTGATE_T_SECRET = 'whsec-0123456789abcdef0123456789abcdef';
const FRONTGATE_T_BODY   = '{"id":"e1","orderId":"42","status":"RESERVED"}';

function frontgate_test_signature_roundtrip() {
	$now = 1772456800;
	$h   = Frontgate_Signature::sign( FRONTGATE_T_BODY, $now, array( FRONTGATE_T_SECRET ) );
	frontgate_assert_same( 1, preg_match( '/^t=1772456800,v1=[0-9a-f]{64}$/', $h ), 'header shape ' . $h );
	Frontgate_Signature::verify( $h, FRONTGATE_T_BODY, array( FRONTGATE_T_SECRET ), $now );
	Frontgate_Signature::verify( $h, FRONTGATE_T_BODY, array( FRONTGATE_T_SECRET ), $now + 300 );
	Frontgate_Signature::verify( $h, FRONTGATE_T_BODY, array( FRONTGATE_T_SECRET ), $now - 300 );
	// Upper-case hex is the same MAC (Go's hex decoding accepts it too).
	Frontgate_Signature::verify( substr( $h, 0, -64 ) . strtoupper( substr( $h, -64 ) ), FRONTGATE_T_BODY, array( FRONTGATE_T_SECRET ), $now );
}

/** The MAC of a known input, as `printf '%s' '1700000000.{}' | openssl dgst -sha256 -hmac secret` prints it. */
function frontgate_test_signature_known_vector() {
	$h = Frontgate_Signature::sign( '{}', 1700000000, array( 'secret' ) );
	frontgate_assert_same( 't=1700000000,v1=' . hash_hmac( 'sha256', '1700000000.{}', 'secret' ), $h );
	frontgate_assert_same( '7cfdcebb9a217491da3e95eff2bbb6be69887a4eadb09a055f36f17e16c182c7', Frontgate_Signature::event_id( 'RSRV1', 'RESERVED' ), 'event id as in Go' );
}

function frontgate_test_signature_refusals() {
	$now  = 1772456800;
	$good = Frontgate_Signature::sign( FRONTGATE_T_BODY, $now, array( FRONTGATE_T_SECRET ) );
	$cases = array(
		'tampered body'     => array( $good, str_replace( '42', '43', FRONTGATE_T_BODY ), array( FRONTGATE_T_SECRET ), $now, 'invalid' ),
		'wrong secret'      => array( $good, FRONTGATE_T_BODY, array( 'another-secret-another-secret!!' ), $now, 'invalid' ),
		'too old'           => array( $good, FRONTGATE_T_BODY, array( FRONTGATE_T_SECRET ), $now + 301, 'expired' ),
		'too far ahead'     => array( $good, FRONTGATE_T_BODY, array( FRONTGATE_T_SECRET ), $now - 301, 'expired' ),
		'no secret'         => array( $good, FRONTGATE_T_BODY, array( '' ), $now, 'no_key' ),
		'empty header'      => array( '', FRONTGATE_T_BODY, array( FRONTGATE_T_SECRET ), $now, 'malformed' ),
		'no v1'             => array( 't=1772456800', FRONTGATE_T_BODY, array( FRONTGATE_T_SECRET ), $now, 'malformed' ),
		'no t'              => array( substr( $good, strpos( $good, 'v1=' ) ), FRONTGATE_T_BODY, array( FRONTGATE_T_SECRET ), $now, 'malformed' ),
		'short v1'          => array( 't=1772456800,v1=abcd', FRONTGATE_T_BODY, array( FRONTGATE_T_SECRET ), $now, 'malformed' ),
		'not hex'           => array( 't=1772456800,v1=' . str_repeat( 'z', 64 ), FRONTGATE_T_BODY, array( FRONTGATE_T_SECRET ), $now, 'malformed' ),
		't not a number'    => array( str_replace( 't=1772456800', 't=soon', $good ), FRONTGATE_T_BODY, array( FRONTGATE_T_SECRET ), $now, 'malformed' ),
		'part without ='    => array( $good . ',junk', FRONTGATE_T_BODY, array( FRONTGATE_T_SECRET ), $now, 'malformed' ),
		'timestamp changed' => array( str_replace( 't=1772456800', 't=1772456801', $good ), FRONTGATE_T_BODY, array( FRONTGATE_T_SECRET ), $now, 'invalid' ),
	);
	foreach ( $cases as $name => $c ) {
		$e = frontgate_assert_throws(
			'Frontgate_Signature_Exception',
			function () use ( $c ) {
				Frontgate_Signature::verify( $c[0], $c[1], $c[2], $c[3] );
			},
			$name
		);
		frontgate_assert_same( $c[4], $e->reason, $name );
	}
}

function frontgate_test_signature_rotation() {
	$now = 1772456800;
	$old = 'old-secret-old-secret-old-secret';
	// The sidecar signs with both during a rotation; either verifies.
	$both = Frontgate_Signature::sign( FRONTGATE_T_BODY, $now, array( FRONTGATE_T_SECRET, $old ) );
	Frontgate_Signature::verify( $both, FRONTGATE_T_BODY, array( $old ), $now );
	Frontgate_Signature::verify( $both, FRONTGATE_T_BODY, array( FRONTGATE_T_SECRET ), $now );
	// The shop accepts the previous secret while the sidecar still uses it.
	$by_old = Frontgate_Signature::sign( FRONTGATE_T_BODY, $now, array( $old ) );
	Frontgate_Signature::verify( $by_old, FRONTGATE_T_BODY, array( FRONTGATE_T_SECRET, $old ), $now );
}
