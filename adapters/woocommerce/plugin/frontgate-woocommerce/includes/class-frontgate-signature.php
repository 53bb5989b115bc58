<?php
/**
 * The sidecar's webhook signature: Frontgate-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">.
 *
 * @package Frontgate_WooCommerce
 */

defined( 'ABSPATH' ) || exit;

/**
 * Verifies (and, for tests and tools, makes) webhook signatures exactly as
 * host/signature does in Go: the MAC in constant time against each secret,
 * then the timestamp within a tolerance either way.
 */
class Frontgate_Signature {

	/** The payment's amounts an event of new amounts names, in the order its id gives them (øre). */
	const AMOUNTS = array( 'captured', 'charged', 'refundedFromCaptured', 'refundedFromCharged' );

	/** The header carrying the signature. */
	const HEADER = 'Frontgate-Signature';

	/** How old (or how far ahead) a signature may be, in seconds. */
	const DEFAULT_TOLERANCE = 300;

	/**
	 * Checks a signature header against the raw body.
	 *
	 * @param string   $header    The Frontgate-Signature header.
	 * @param string   $body      The raw request body, as received.
	 * @param string[] $secrets   Accepted secrets (several during a rotation).
	 * @param int      $now       The current Unix time.
	 * @param int      $tolerance Seconds; 0 means DEFAULT_TOLERANCE.
	 * @throws Frontgate_Signature_Exception When the header is malformed, no MAC matches, or it is too old.
	 */
	public static function verify( $header, $body, array $secrets, $now, $tolerance = 0 ) {
		$secrets = array_values( array_filter( array_map( 'strval', $secrets ), 'strlen' ) );
		if ( empty( $secrets ) ) {
			throw new Frontgate_Signature_Exception( Frontgate_Signature_Exception::REASON_NO_KEY );
		}
		if ( $tolerance <= 0 ) {
			$tolerance = self::DEFAULT_TOLERANCE;
		}
		$ts   = '';
		$macs = array();
		foreach ( explode( ',', (string) $header ) as $part ) {
			$kv = explode( '=', trim( $part ), 2 );
			if ( 2 !== count( $kv ) ) {
				throw new Frontgate_Signature_Exception( Frontgate_Signature_Exception::REASON_MALFORMED, 'header part without "="' );
			}
			if ( 't' === $kv[0] ) {
				$ts = $kv[1];
			} elseif ( 'v1' === $kv[0] ) {
				if ( 64 !== strlen( $kv[1] ) || ! ctype_xdigit( $kv[1] ) ) {
					throw new Frontgate_Signature_Exception( Frontgate_Signature_Exception::REASON_MALFORMED, 'v1 is not a hex SHA-256 MAC' );
				}
				$macs[] = strtolower( $kv[1] );
			}
		}
		if ( '' === $ts || ! preg_match( '/^-?\d{1,18}$/', $ts ) || empty( $macs ) ) {
			throw new Frontgate_Signature_Exception( Frontgate_Signature_Exception::REASON_MALFORMED, 'header needs t and v1' );
		}
		$ok = false;
		foreach ( $secrets as $secret ) {
			$want = hash_hmac( 'sha256', $ts . '.' . $body, $secret );
			foreach ( $macs as $mac ) {
				if ( hash_equals( $want, $mac ) ) {
					$ok = true;
				}
			}
		}
		if ( ! $ok ) {
			throw new Frontgate_Signature_Exception( Frontgate_Signature_Exception::REASON_INVALID );
		}
		if ( abs( (int) $now - (int) $ts ) > $tolerance ) {
			throw new Frontgate_Signature_Exception( Frontgate_Signature_Exception::REASON_EXPIRED );
		}
	}

	/**
	 * Makes a signature header, as the sidecar does.
	 *
	 * @param string   $body    The body.
	 * @param int      $t       Unix time of signing.
	 * @param string[] $secrets One v1 entry per secret.
	 * @return string
	 */
	public static function sign( $body, $t, array $secrets ) {
		$out = 't=' . (int) $t;
		foreach ( $secrets as $secret ) {
			$out .= ',v1=' . hash_hmac( 'sha256', (int) $t . '.' . $body, (string) $secret );
		}
		return $out;
	}

	/**
	 * The stable id of "reservation reached status": sha256 of "<uuid>:<status>",
	 * the same as webhook.EventID in Go, so a webhook and the shopper's return
	 * reporting the same change are applied once.
	 *
	 * @param string $reservation_uuid The reservation.
	 * @param string $status           FrontGo's status ("RESERVED").
	 * @return string
	 */
	public static function event_id( $reservation_uuid, $status ) {
		return hash( 'sha256', $reservation_uuid . ':' . $status );
	}

	/**
	 * The amounts part of the id of an event of new amounts (a second
	 * charge, a refund) in an unchanged status, from its details:
	 * "<captured>/<charged>/<refunded from captured>/<refunded from
	 * charged>" in øre, as the sidecar writes it. Null when the details
	 * carry no payment.
	 *
	 * @param array $details The event's details.
	 * @return string|null
	 */
	public static function amounts_key( array $details ) {
		if ( ! isset( $details['payment'] ) || ! is_array( $details['payment'] ) ) {
			return null;
		}
		$parts = array();
		foreach ( self::AMOUNTS as $k ) {
			$v = isset( $details['payment'][ $k ] ) ? $details['payment'][ $k ] : 0;
			if ( ! is_int( $v ) ) {
				return null;
			}
			$parts[] = (string) $v;
		}
		return implode( '/', $parts );
	}
}
