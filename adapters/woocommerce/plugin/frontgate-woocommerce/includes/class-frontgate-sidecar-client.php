<?php
/**
 * The sidecar's HTTP API.
 *
 * @package Frontgate_WooCommerce
 */

defined( 'ABSPATH' ) || exit;

/**
 * Calls the frontgate sidecar with the shop's API key. Every write carries
 * an Idempotency-Key, so a retry (ours, or a shopper's double click) returns
 * the first answer instead of reserving twice. Transport failures, 429, 502
 * and 503 are retried twice with the same key.
 */
class Frontgate_Sidecar_Client {

	/**
	 * Sidecar base URL, without a trailing slash.
	 *
	 * @var string
	 */
	private $base;

	/**
	 * The shop's API key.
	 *
	 * @var string
	 */
	private $api_key;

	/**
	 * Logger.
	 *
	 * @var Frontgate_Logger
	 */
	private $log;

	/**
	 * Request timeout in seconds.
	 *
	 * @var int
	 */
	private $timeout;

	/**
	 * How many times a request that may pass on a second try is sent.
	 *
	 * @var int
	 */
	private $attempts;

	/**
	 * Constructor.
	 *
	 * @param string           $base_url Sidecar URL ("https://frontgate.example").
	 * @param string           $api_key  The shop's API key.
	 * @param Frontgate_Logger $log      Logger.
	 * @param int              $timeout  Seconds per request.
	 * @param int              $attempts Tries of a request that may pass on a second try (1 to 3).
	 */
	public function __construct( $base_url, $api_key, Frontgate_Logger $log, $timeout = 20, $attempts = 3 ) {
		$this->base     = rtrim( (string) $base_url, '/' );
		$this->api_key  = (string) $api_key;
		$this->log      = $log;
		$this->timeout  = (int) $timeout;
		$this->attempts = max( 1, min( 3, (int) $attempts ) );
	}

	/**
	 * A deterministic idempotency key: the same inputs, the same key.
	 *
	 * @param string ...$parts What makes the operation unique (order key, attempt, refund id).
	 * @return string
	 */
	public static function idempotency_key( ...$parts ) {
		return 'wc-' . substr( hash( 'sha256', implode( "\x00", array_map( 'strval', $parts ) ) ), 0, 40 );
	}

	/**
	 * POST /v1/checkouts.
	 *
	 * @param array  $body            mode, orderId, order, returnUrls.
	 * @param string $idempotency_key Key.
	 * @return array The checkout: checkoutId, reservationUuid, redirectUrl, expiresAt, …
	 * @throws Frontgate_Sidecar_Exception On failure.
	 */
	public function create_checkout( array $body, $idempotency_key ) {
		return $this->request( 'POST', '/v1/checkouts', $body, $idempotency_key );
	}

	/**
	 * GET /v1/checkouts/{id}: the checkout and its last confirmed status.
	 *
	 * @param string $id Checkout id.
	 * @return array
	 * @throws Frontgate_Sidecar_Exception On failure.
	 */
	public function get_checkout( $id ) {
		return $this->request( 'GET', '/v1/checkouts/' . rawurlencode( $id ), null, '' );
	}

	/**
	 * GET /v1/reservations/{uuid}: the reservation's details (money in øre).
	 *
	 * @param string $uuid Reservation.
	 * @return array
	 * @throws Frontgate_Sidecar_Exception On failure.
	 */
	public function get_reservation( $uuid ) {
		return $this->request( 'GET', '/v1/reservations/' . rawurlencode( $uuid ), null, '' );
	}

	/**
	 * POST /v1/reservations/{uuid}/{op}: capture, charge, cancel, complete, resend or refund.
	 *
	 * @param string $uuid            Reservation.
	 * @param string $op              Operation.
	 * @param array  $body            Body (capture: {} captures all that is reserved).
	 * @param string $idempotency_key Key.
	 * @return array
	 * @throws Frontgate_Sidecar_Exception On failure.
	 */
	public function operate( $uuid, $op, array $body, $idempotency_key ) {
		return $this->request( 'POST', '/v1/reservations/' . rawurlencode( $uuid ) . '/' . rawurlencode( $op ), $body, $idempotency_key );
	}

	/**
	 * GET /v1/webhooks/dead: the events the sidecar gave up delivering to
	 * this shop (after its retries, or a 410 Gone), the most recent first.
	 *
	 * @param int $limit At most this many (1 to 1000).
	 * @return array[] Each: eventId, type, orderId, reservationUuid, attempts, lastError, created, gaveUpAt.
	 * @throws Frontgate_Sidecar_Exception On failure.
	 */
	public function dead_letters( $limit = 50 ) {
		$out = $this->request( 'GET', '/v1/webhooks/dead?limit=' . max( 1, min( 1000, (int) $limit ) ), null, '' );
		return isset( $out['deadLetters'] ) && is_array( $out['deadLetters'] ) ? $out['deadLetters'] : array();
	}

	/**
	 * POST /v1/webhooks/redeliver: sends the given-up events again (all of
	 * this shop's when $ids is empty), each with its retries afresh.
	 *
	 * @param string[] $ids Event ids.
	 * @return int How many were queued.
	 * @throws Frontgate_Sidecar_Exception On failure.
	 */
	public function redeliver( array $ids = array() ) {
		$out = $this->request( 'POST', '/v1/webhooks/redeliver', empty( $ids ) ? array() : array( 'ids' => array_values( $ids ) ), '' );
		return isset( $out['redelivered'] ) ? (int) $out['redelivered'] : 0;
	}

	/**
	 * Sends a request, retrying what may succeed on a second try.
	 *
	 * @param string     $method GET or POST.
	 * @param string     $path   Path.
	 * @param array|null $body   JSON body.
	 * @param string     $key    Idempotency key ('' for GET).
	 * @return array The decoded answer.
	 * @throws Frontgate_Sidecar_Exception On failure.
	 */
	private function request( $method, $path, $body, $key ) {
		if ( '' === $this->base || '' === $this->api_key ) {
			throw new Frontgate_Sidecar_Exception( 0, 'not_configured', __( 'the sidecar URL or API key is not set', 'frontgate-woocommerce' ) );
		}
		$args = array(
			'method'      => $method,
			'timeout'     => $this->timeout,
			'redirection' => 0,
			'headers'     => array(
				'Authorization' => 'Bearer ' . $this->api_key,
				'Accept'        => 'application/json',
				'User-Agent'    => 'frontgate-woocommerce/' . ( defined( 'FRONTGATE_VERSION' ) ? FRONTGATE_VERSION : 'dev' ),
			),
		);
		if ( null !== $body ) {
			$args['headers']['Content-Type'] = 'application/json';
			$args['body']                    = wp_json_encode( empty( $body ) ? new stdClass() : $body );
		}
		if ( '' !== $key ) {
			$args['headers']['Idempotency-Key'] = $key;
		}
		$delays = array_slice( array( 0, 300000, 1000000 ), 0, $this->attempts );
		$last   = null;
		foreach ( $delays as $attempt => $delay ) {
			if ( $delay > 0 ) {
				usleep( $delay );
			}
			$resp = wp_remote_request( $this->base . $path, $args );
			if ( is_wp_error( $resp ) ) {
				/* translators: %s: the transport error */
				$last = new Frontgate_Sidecar_Exception( 0, 'unavailable', sprintf( __( 'the sidecar did not answer: %s', 'frontgate-woocommerce' ), $resp->get_error_message() ) );
			} else {
				$status = (int) wp_remote_retrieve_response_code( $resp );
				$raw    = (string) wp_remote_retrieve_body( $resp );
				if ( $status >= 200 && $status < 300 ) {
					$data = json_decode( $raw, true );
					if ( ! is_array( $data ) ) {
						throw new Frontgate_Sidecar_Exception( $status, 'malformed', __( 'the sidecar answered with something other than a JSON object', 'frontgate-woocommerce' ) );
					}
					return $data;
				}
				$last = Frontgate_Sidecar_Exception::from_response( $status, $raw );
			}
			$this->log->warning(
				'sidecar call failed',
				array(
					'method'  => $method,
					'path'    => $path,
					'attempt' => $attempt + 1,
					'status'  => $last->http_status,
					'code'    => $last->error_code,
					'error'   => $last->getMessage(),
				)
			);
			if ( ! $last->is_retryable() || ( 'POST' === $method && '' === $key ) ) {
				break;
			}
		}
		throw $last;
	}
}
