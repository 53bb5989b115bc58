<?php
/**
 * Verifying frontgate webhooks in PHP (7.4+, no extensions beyond hash).
 *
 * Copy frontgate_verify_webhook() into your shop. The sidecar sends
 *   Frontgate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">
 * (several v1 entries while a secret is being rotated) and
 *   Frontgate-Event-Id: <sha256 hex of "<reservationUuid>:<status>">, or of
 *                       "<reservationUuid>:<status>#<amounts>" for new amounts in the same status
 * Verify the raw body before parsing it, answer 2xx only once the event is
 * applied, and apply each event id once: deliveries are retried.
 */

/**
 * Checks a webhook. Returns null when it is genuine, else the reason:
 * "malformed", "invalid" (wrong MAC), "expired" (older or newer than the tolerance) or "no_key".
 *
 * @param string   $header    The Frontgate-Signature header.
 * @param string   $body      The raw request body, exactly as received.
 * @param string[] $secrets   Your webhook secret(s).
 * @param int      $tolerance Seconds the timestamp may be off (300 as in the sidecar).
 * @param int|null $now       Unix time; null means time().
 * @return string|null
 */
function frontgate_verify_webhook( $header, $body, array $secrets, $tolerance = 300, $now = null ) {
	$secrets = array_filter( $secrets, 'strlen' );
	if ( ! $secrets ) {
		return 'no_key';
	}
	$t    = null;
	$macs = array();
	foreach ( explode( ',', $header ) as $part ) {
		$kv = explode( '=', trim( $part ), 2 );
		if ( count( $kv ) !== 2 ) {
			return 'malformed';
		}
		if ( $kv[0] === 't' ) {
			$t = $kv[1];
		} elseif ( $kv[0] === 'v1' ) {
			if ( ! preg_match( '/^[0-9a-fA-F]{64}$/D', $kv[1] ) ) { // pcre, not ctype: PHP may be built without it
				return 'malformed';
			}
			$macs[] = strtolower( $kv[1] );
		}
	}
	if ( $t === null || ! preg_match( '/^-?\d{1,18}$/', $t ) || ! $macs ) {
		return 'malformed';
	}
	$ok = false;
	foreach ( $secrets as $secret ) {
		$want = hash_hmac( 'sha256', $t . '.' . $body, $secret );
		foreach ( $macs as $mac ) {
			$ok = hash_equals( $want, $mac ) || $ok; // constant time, every pair
		}
	}
	if ( ! $ok ) {
		return 'invalid';
	}
	if ( abs( ( $now === null ? time() : $now ) - (int) $t ) > $tolerance ) {
		return 'expired';
	}
	return null;
}

// An endpoint, for a web server:
//
//   $body   = file_get_contents( 'php://input' );
//   $reason = frontgate_verify_webhook( $_SERVER['HTTP_FRONTGATE_SIGNATURE'] ?? '', $body, array( getenv( 'FRONTGATE_WEBHOOK_SECRET' ) ) );
//   if ( $reason !== null ) { http_response_code( 401 ); exit; }
//   $event = json_decode( $body, true );
//   if ( already_applied( $event['id'] ) ) { http_response_code( 200 ); exit; }
//   apply_to_order( $event['orderId'], $event['status'] );   // then remember $event['id']
//   http_response_code( 200 );

// From the command line, as the Go test runs it:
//   FRONTGATE_WEBHOOK_SECRET=… php verify.php '<signature header>' < body.json
if ( PHP_SAPI === 'cli' && isset( $argv[0] ) && realpath( $argv[0] ) === __FILE__ ) {
	$body   = stream_get_contents( STDIN );
	$now    = getenv( 'FRONTGATE_NOW' ) !== false ? (int) getenv( 'FRONTGATE_NOW' ) : null;
	$reason = frontgate_verify_webhook( isset( $argv[1] ) ? $argv[1] : '', $body, explode( ',', (string) getenv( 'FRONTGATE_WEBHOOK_SECRET' ) ), 300, $now );
	if ( $reason !== null ) {
		echo "refused: $reason\n";
		exit( 1 );
	}
	$event = json_decode( $body, true );
	echo 'ok ', $event['id'], ' ', $event['status'], "\n";
}
