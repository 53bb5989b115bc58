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
 * does not know, or one paid in the other mode (not retried); 400 malformed.
 *
 * The live and the test sidecar sign with their own secrets. An event is
 * applied only to an order paid in the mode whose secret signed it, so the
 * test sidecar can never move a live order, and an order keeps hearing its
 * own sidecar after the merchant switched test mode on or off.
 */
class Frontgate_Webhook {

	/** The largest body read. */
	const MAX_BODY = 1048576;

	/**
	 * Webhook secrets by mode ('live', 'test'; '' when the mode is not
	 * known): the current and, during a rotation, the previous.
	 *
	 * @var array<string,string[]>
	 */
	private $secrets;

	/**
	 * The mode the settings are in ('' when not known): the mode of orders
	 * that have none recorded.
	 *
	 * @var string
	 */
	private $mode;

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
	 * @param array                     $secrets Secrets by mode ('live' => string[], 'test' => string[]), or a list of secrets of any mode.
	 * @param Frontgate_Outcome_Handler $handler Outcome handler.
	 * @param Frontgate_Logger          $log     Logger.
	 * @param string                    $shop_id This shop's id in the sidecar ('' accepts any).
	 * @param string                    $mode    The current mode, 'live' or 'test' ('' when not known).
	 */
	public function __construct( array $secrets, Frontgate_Outcome_Handler $handler, Frontgate_Logger $log, $shop_id = '', $mode = '' ) {
		$this->mode    = in_array( $mode, array( 'live', 'test' ), true ) ? $mode : '';
		$by_mode       = array_key_exists( 'live', $secrets ) || array_key_exists( 'test', $secrets );
		$this->secrets = $by_mode ? $secrets : array( $this->mode => $secrets );
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
		$signed_by = $this->signed_by( $header, $body, $now );
		if ( ! is_array( $signed_by ) ) {
			$this->log->warning( 'webhook refused', array( 'reason' => $signed_by->reason ) );
			return array( 401, array( 'error' => 'invalid signature' ) );
		}
		$p = json_decode( $body, true );
		if ( ! is_array( $p ) || empty( $p['id'] ) || empty( $p['orderId'] ) || empty( $p['reservationUuid'] ) || empty( $p['status'] ) ) {
			return array( 400, array( 'error' => 'malformed event' ) );
		}
		$amounts = null; // an event of new amounts in an unchanged status
		if ( Frontgate_Signature::event_id( $p['reservationUuid'], $p['status'] ) !== $p['id'] ) {
			$amounts = isset( $p['details'] ) && is_array( $p['details'] ) ? Frontgate_Signature::amounts_key( $p['details'] ) : null;
			if ( null === $amounts || Frontgate_Signature::event_id( $p['reservationUuid'], $p['status'] . '#' . $amounts ) !== $p['id'] ) {
				return array( 400, array( 'error' => 'event id does not match the reservation and status' ) );
			}
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
		$modes = array_values( array_intersect( $signed_by, array( 'live', 'test' ) ) );
		if ( ! empty( $modes ) ) {
			$recorded = (string) $order->get_meta( Frontgate_Outcome_Handler::META_MODE );
			$ctx      = array( 'order' => $order_id, 'event_id' => $p['id'], 'signed_by' => implode( ',', $modes ) );
			if ( in_array( $recorded, array( 'live', 'test' ), true ) && ! in_array( $recorded, $modes, true ) ) {
				$this->log->warning( 'webhook from the other mode\'s sidecar; not applied', $ctx + array( 'order_mode' => $recorded ) );
				return array( 410, array( 'error' => 'the order was paid in ' . $recorded . ' mode' ) );
			}
			if ( ! in_array( $recorded, array( 'live', 'test' ), true ) && '' !== $this->mode && ! in_array( $this->mode, $modes, true ) ) {
				// An order from before the mode was recorded: the current
				// mode's, as it always was. Retried, as before.
				$this->log->warning( 'webhook from the other mode\'s sidecar for an order without a recorded mode; refused', $ctx + array( 'mode' => $this->mode ) );
				return array( 401, array( 'error' => 'invalid signature' ) );
			}
		}
		if ( null !== $amounts ) {
			$result = $this->handler->apply_amounts( $order_id, (string) $p['reservationUuid'], (string) $p['id'], $p['details'] );
		} else {
			$result = $this->handler->apply(
				$order_id,
			(string) $p['reservationUuid'],
			(string) $p['status'],
			'webhook',
			isset( $p['details'] ) && is_array( $p['details'] ) ? $p['details'] : null,
				isset( $p['outcome'] ) && is_array( $p['outcome'] ) ? $p['outcome'] : null
			);
		}
		switch ( $result ) {
			case 'busy':
				return array( 503, array( 'error' => 'order busy, retry' ) );
			case 'unknown_order':
				return array( 410, array( 'error' => 'unknown order' ) );
		}
		return array( 200, array( 'result' => $result ) );
	}

	/**
	 * The modes whose secrets signed the body (both, when a merchant gave
	 * both modes one secret; '' for secrets of no known mode), or why no
	 * secret did. Each mode's secrets are checked in constant time; a MAC
	 * that matched but is out of date is reported as expired rather than as
	 * unknown.
	 *
	 * @param string $header The Frontgate-Signature header.
	 * @param string $body   The raw body.
	 * @param int    $now    Unix time.
	 * @return string[]|Frontgate_Signature_Exception
	 */
	private function signed_by( $header, $body, $now ) {
		$refusal = null;
		$modes   = array();
		foreach ( $this->secrets as $mode => $list ) {
			$list = array_values( array_filter( array_map( 'strval', (array) $list ), 'strlen' ) );
			if ( empty( $list ) ) {
				continue;
			}
			try {
				Frontgate_Signature::verify( $header, $body, $list, $now );
				$modes[] = (string) $mode;
			} catch ( Frontgate_Signature_Exception $e ) {
				if ( ! $refusal || Frontgate_Signature_Exception::REASON_EXPIRED === $e->reason ) {
					$refusal = $e;
				}
			}
		}
		if ( ! empty( $modes ) ) {
			return $modes;
		}
		return $refusal ? $refusal : new Frontgate_Signature_Exception( Frontgate_Signature_Exception::REASON_NO_KEY );
	}
}
