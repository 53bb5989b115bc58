<?php
/**
 * A per-order mutex in the options table.
 *
 * @package Frontgate_WooCommerce
 */

defined( 'ABSPATH' ) || exit;

/**
 * A named lock that holds across PHP processes and web servers sharing one
 * database: a row inserted with INSERT IGNORE into the options table, whose
 * unique option_name makes exactly one inserter win. (add_option() is not
 * enough: it writes with ON DUPLICATE KEY UPDATE, so two racing callers can
 * both "succeed".) A lock left by a crashed request expires after its TTL.
 */
class Frontgate_Lock {

	/** Option name prefix; uninstall.php removes what is left. */
	const PREFIX = 'frontgate_lock_';

	/**
	 * Acquires a lock, waiting up to $wait seconds.
	 *
	 * @param string $name Lock name (an order id); the option is PREFIX . $name.
	 * @param float  $wait Seconds to wait for a lock held by another request.
	 * @param int    $ttl  Seconds after which a held lock counts as abandoned.
	 * @return string|null A token for release(), or null when the lock stayed busy.
	 */
	public static function acquire( $name, $wait = 10.0, $ttl = 60 ) {
		global $wpdb;
		$option   = self::PREFIX . $name;
		$deadline = microtime( true ) + $wait;
		$token    = ( time() + $ttl ) . '|' . bin2hex( random_bytes( 8 ) );
		do {
			// phpcs:ignore WordPress.DB.DirectDatabaseQuery -- a lock must bypass the options cache.
			$inserted = $wpdb->query( $wpdb->prepare( "INSERT IGNORE INTO {$wpdb->options} (option_name, option_value, autoload) VALUES (%s, %s, 'no')", $option, $token ) );
			if ( 1 === (int) $inserted ) {
				return $token;
			}
			// phpcs:ignore WordPress.DB.DirectDatabaseQuery
			$held = $wpdb->get_var( $wpdb->prepare( "SELECT option_value FROM {$wpdb->options} WHERE option_name = %s", $option ) );
			if ( is_string( $held ) && (int) strtok( $held, '|' ) < time() ) {
				// Abandoned: delete exactly that holder's row, then try again at once.
				// phpcs:ignore WordPress.DB.DirectDatabaseQuery
				$wpdb->query( $wpdb->prepare( "DELETE FROM {$wpdb->options} WHERE option_name = %s AND option_value = %s", $option, $held ) );
				continue;
			}
			if ( microtime( true ) >= $deadline ) {
				return null;
			}
			usleep( 100000 );
		} while ( true );
	}

	/**
	 * Releases a lock acquired with $token (a no-op if it was taken over).
	 *
	 * @param string $name  Lock name.
	 * @param string $token The token acquire() returned.
	 */
	public static function release( $name, $token ) {
		global $wpdb;
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery
		$wpdb->query( $wpdb->prepare( "DELETE FROM {$wpdb->options} WHERE option_name = %s AND option_value = %s", self::PREFIX . $name, $token ) );
	}

	/** Seconds a merchant's action (a capture's tries, a charge, a refund) may hold an order's lock at most. */
	const ORDER_TTL = 300;

	/**
	 * Acquires the lock of order $order_id, which everything that reads and
	 * then changes the order's FrontGo state takes (see acquire()).
	 *
	 * @param int   $order_id The order.
	 * @param float $wait     Seconds to wait for it.
	 * @param int   $ttl      Seconds after which it counts as abandoned.
	 * @return string|null
	 */
	public static function order( $order_id, $wait = 10.0, $ttl = self::ORDER_TTL ) {
		return self::acquire( 'order_' . (int) $order_id, $wait, $ttl );
	}

	/**
	 * Releases the lock of order $order_id acquired with $token.
	 *
	 * @param int    $order_id The order.
	 * @param string $token    The token order() returned.
	 */
	public static function release_order( $order_id, $token ) {
		self::release( 'order_' . (int) $order_id, $token );
	}
}
