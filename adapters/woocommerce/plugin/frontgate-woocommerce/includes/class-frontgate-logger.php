<?php
/**
 * Logs through the WooCommerce logger, source "frontgate".
 *
 * @package Frontgate_WooCommerce
 */

defined( 'ABSPATH' ) || exit;

/**
 * A thin wrapper of wc_get_logger() that fixes the source, drops debug lines
 * unless debug logging is on, and never logs secrets: context keys named
 * like keys, secrets, tokens or signatures are masked.
 */
class Frontgate_Logger {

	/** The log source shown in WooCommerce → Status → Logs. */
	const SOURCE = 'frontgate';

	/**
	 * Whether debug lines are written.
	 *
	 * @var bool
	 */
	private $debug;

	/**
	 * Constructor.
	 *
	 * @param bool $debug Whether to write debug lines.
	 */
	public function __construct( $debug = false ) {
		$this->debug = (bool) $debug;
	}

	/**
	 * Writes a line.
	 *
	 * @param string $level   emergency … debug.
	 * @param string $message Message.
	 * @param array  $context Context (order, reservation, …).
	 */
	public function log( $level, $message, array $context = array() ) {
		if ( 'debug' === $level && ! $this->debug ) {
			return;
		}
		if ( ! function_exists( 'wc_get_logger' ) ) {
			return;
		}
		foreach ( $context as $k => $v ) {
			if ( preg_match( '/key|secret|token|signature|password|authorization/i', (string) $k ) ) {
				$context[ $k ] = '***';
			}
		}
		$line = $message;
		if ( ! empty( $context ) ) {
			$line .= ' ' . wp_json_encode( $context );
		}
		wc_get_logger()->log( $level, $line, array( 'source' => self::SOURCE ) );
	}

	/**
	 * Logs at info.
	 *
	 * @param string $message Message.
	 * @param array  $context Context.
	 */
	public function info( $message, array $context = array() ) {
		$this->log( 'info', $message, $context );
	}

	/**
	 * Logs at warning.
	 *
	 * @param string $message Message.
	 * @param array  $context Context.
	 */
	public function warning( $message, array $context = array() ) {
		$this->log( 'warning', $message, $context );
	}

	/**
	 * Logs at error.
	 *
	 * @param string $message Message.
	 * @param array  $context Context.
	 */
	public function error( $message, array $context = array() ) {
		$this->log( 'error', $message, $context );
	}

	/**
	 * Logs at debug (only with debug logging on).
	 *
	 * @param string $message Message.
	 * @param array  $context Context.
	 */
	public function debug( $message, array $context = array() ) {
		$this->log( 'debug', $message, $context );
	}
}
