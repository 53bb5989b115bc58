<?php
/**
 * The WC-API endpoint the sidecar delivers reservation events to.
 *
 * @package Frontgate_WooCommerce
 */

defined( 'ABSPATH' ) || exit;

/**
 * Receives the sidecar's signed webhooks at /?wc-api=frontgate. It checks
 * the Frontgate-Signature over the raw body (HMAC-SHA256, constant-time,
 * five-minute tolerance), then applies the event through the outcome
 * handler. Its answers steer the sidecar's retries: 200 applied or already
 * applied; 401 bad signature and 503 busy (retried); 410 an order this shop
 * does not know (not retried); 400 malformed.
 */
class Frontgate_Webhook {

	/** The largest body read. */
	const MAX_BODY = 1048576;

	/**
	 * Webhook secrets (the current and, during a rotation, the previous).
	 *
	 * @var string[]
	 */
	private $secrets;

	/**
	 * The outcome handler.
	 *
	 * @var Frontgate_Outcome_Handler
	 */
	private $handler;

	/**
	 * Logger.
	 *
	 * @var Frontgate_Logger
	 */
	private $log;

	/**
	 * This shop's id in the sidecar ('' accepts any).
	 *
	 * @var string
	 */
	private $shop_id;

	/**
	 * Constructor.
	 *
	 * @param string[]                  $secrets Secrets.
	 * @param Frontgate_Outcome_Handler $handler Outcome handler.
	 * @param Frontgate_Logger          $log     Logger.
	 * @param string                    $shop_id This shop's id in the sidecar ('' accepts any).
	 */
	public function __construct( array $secrets, Frontgate_Outcome_Handler $handler, Frontgate_Logger $log, $shop_id = '' ) {
		$this->secrets = $secrets;
		$this->handler = $handler;
		$this->log     = $log;
		$this->shop_id = (string) $shop_id;
	}

	/**
	 * Serves the request (hooked to woocommerce_api_frontgate) and exits.
	 */
	public function serve() {
		$method = isset( $_SERVER['REQUEST_METHOD'] ) ? sanitize_text_field( wp_unslash( $_SERVER['REQUEST_METHOD'] ) ) : '';
		if ( 'POST' !== $method ) {
			wp_send_json( array( 'error' => 'method not allowed' ), 405 );
		}
		$header = isset( $_SERVER['HTTP_FRONTGATE_SIGNATURE'] ) ? sanitize_text_field( wp_unslash( $_SERVER['HTTP_FRONTGATE_SIGNATURE'] ) ) : '';
		$in     = fopen( 'php://input', 'rb' );
		$body   = false === $in ? '' : (string) stream_get_contents( $in, self::MAX_BODY + 1 );
		list( $status, $answer ) = $this->process( $header, $body, time() );
		wp_send_json( $answer, $status );
	}

	/**
	 * Verifies and applies one webhook.
	 *
	 * @param string $header The Frontgate-Signature header.
	 * @param string $body   The raw body.
	 * @param int    $now    Unix time.
	 * @return array array( HTTP status, answer ).
	 */
	public function process( $header, $body, $now ) {
		if ( strlen( $body ) > self::MAX_BODY ) {
			return array( 413, array( 'error' => 'body too large' ) );
		}
		try {
			Frontgate_Signature::verify( $header, $body, $this->secrets, $now );
		} catch ( Frontgate_Signature_Exception $e ) {
			$this->log->warning( 'webhook refused', array( 'reason' => $e->reason ) );
			return array( 401, array( 'error' => 'invalid signature' ) );
		}
		$p = json_decode( $body, true );
		if ( ! is_array( $p ) || empty( $p['id'] ) || empty( $p['orderId'] ) || empty( $p['reservationUuid'] ) || empty( $p['status'] ) ) {
			return array( 400, array( 'error' => 'malformed event' ) );
		}
		if ( Frontgate_Signature::event_id( $p['reservationUuid'], $p['status'] ) !== $p['id'] ) {
			return array( 400, array( 'error' => 'event id does not match the reservation and status' ) );
		}
		if ( '' !== $this->shop_id && isset( $p['shop'] ) && $p['shop'] !== $this->shop_id ) {
			$this->log->warning( 'webhook for another shop', array( 'shop' => $p['shop'], 'event_id' => $p['id'] ) );
			return array( 410, array( 'error' => 'unknown shop' ) );
		}
		$order_id = absint( $p['orderId'] );
		$order    = $order_id ? wc_get_order( $order_id ) : false;
		if ( ! $order || 'frontgate' !== $order->get_payment_method() ) {
			$this->log->warning( 'webhook for an order this shop does not know', array( 'order' => $p['orderId'], 'event_id' => $p['id'] ) );
			return array( 410, array( 'error' => 'unknown order' ) );
		}
		$result = $this->handler->apply(
			$order_id,
			(string) $p['reservationUuid'],
			(string) $p['status'],
			'webhook',
			isset( $p['details'] ) && is_array( $p['details'] ) ? $p['details'] : null,
			isset( $p['outcome'] ) && is_array( $p['outcome'] ) ? $p['outcome'] : null
		);
		switch ( $result ) {
			case 'busy':
				return array( 503, array( 'error' => 'order busy, retry' ) );
			case 'unknown_order':
				return array( 410, array( 'error' => 'unknown order' ) );
		}
		return array( 200, array( 'result' => $result ) );
	}
}
