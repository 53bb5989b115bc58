<?php
/**
 * For the Go test TestPHPStaleAgreesWithGoStatus: reads [[status, current], …]
 * on stdin and prints one line per pair: "stale" or "news", as
 * Frontgate_Outcomes::is_stale says.
 *
 * @package Frontgate_WooCommerce
 */

// phpcs:disable

define( 'ABSPATH', __DIR__ . '/' );
require dirname( __DIR__ ) . '/frontgate-woocommerce/includes/class-frontgate-outcomes.php';

foreach ( json_decode( stream_get_contents( STDIN ), true ) as $c ) {
	echo Frontgate_Outcomes::is_stale( $c[0], $c[1] ) ? 'stale' : 'news', "\n";
}
