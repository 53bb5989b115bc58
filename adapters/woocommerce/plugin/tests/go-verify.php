<?php
/**
 * For the Go test TestPHPAgreesWithGoSignatures: reads
 * {"verify": [{header, body, secrets, now}], "sign": [{body, t, secrets}], "eventIds": [[uuid, status]]}
 * on stdin and prints one line per entry: "ok" or the refusal reason, the
 * signature header, the event id.
 *
 * @package Frontgate_WooCommerce
 */

// phpcs:disable

define( 'ABSPATH', __DIR__ . '/' );
require dirname( __DIR__ ) . '/frontgate-woocommerce/includes/class-frontgate-signature-exception.php';
require dirname( __DIR__ ) . '/frontgate-woocommerce/includes/class-frontgate-signature.php';

$in = json_decode( stream_get_contents( STDIN ), true );
foreach ( $in['verify'] as $c ) {
	try {
		Frontgate_Signature::verify( $c['header'], $c['body'], $c['secrets'], $c['now'] );
		echo "ok\n";
	} catch ( Frontgate_Signature_Exception $e ) {
		echo $e->reason, "\n";
	}
}
foreach ( $in['sign'] as $c ) {
	echo Frontgate_Signature::sign( $c['body'], $c['t'], $c['secrets'] ), "\n";
}
foreach ( $in['eventIds'] as $c ) {
	echo Frontgate_Signature::event_id( $c[0], $c[1] ), "\n";
}
