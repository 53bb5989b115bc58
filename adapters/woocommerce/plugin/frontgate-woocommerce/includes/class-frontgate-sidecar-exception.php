<?php
/**
 * A failed call to the sidecar.
 *
 * @package Frontgate_WooCommerce
 */

defined( 'ABSPATH' ) || exit;

/**
 * The sidecar's error answer, {"error": {code, message, fields, messageKey,
 * upstreamStatus, upstreamRequestId, retryAfter}}, or a transport failure
 * (http_status 0, code "unavailable").
 */
class Frontgate_Sidecar_Exception extends Exception {

	/**
	 * HTTP status of the answer; 0 when the sidecar was not reached.
	 *
	 * @var int
	 */
	public $http_status;

	/**
	 * The sidecar's error code: validation, refused, upstream_unavailable, …
	 *
	 * @var string
	 */
	public $error_code;

	/**
	 * Field errors: list of array( path, rule, message ).
	 *
	 * @var array[]
	 */
	public $fields;

	/**
	 * FrontGo's message key, when FrontGo or the status machine refused.
	 *
	 * @var string
	 */
	public $message_key;

	/**
	 * FrontGo's request id, for support.
	 *
	 * @var string
	 */
	public $request_id;

	/**
	 * Constructor.
	 *
	 * @param int     $http_status HTTP status (0: not reached).
	 * @param string  $error_code  Error code.
	 * @param string  $message     Message.
	 * @param array[] $fields      Field errors.
	 * @param string  $message_key FrontGo's message key.
	 * @param string  $request_id  FrontGo's request id.
	 */
	public function __construct( $http_status, $error_code, $message, array $fields = array(), $message_key = '', $request_id = '' ) {
		parent::__construct( $message );
		$this->http_status = (int) $http_status;
		$this->error_code  = (string) $error_code;
		$this->fields      = $fields;
		$this->message_key = (string) $message_key;
		$this->request_id  = (string) $request_id;
	}

	/**
	 * Builds the exception from an error answer.
	 *
	 * @param int    $status HTTP status.
	 * @param string $body   Response body.
	 * @return self
	 */
	public static function from_response( $status, $body ) {
		$data = json_decode( (string) $body, true );
		$e    = is_array( $data ) && isset( $data['error'] ) && is_array( $data['error'] ) ? $data['error'] : array();
		return new self(
			$status,
			isset( $e['code'] ) ? $e['code'] : 'http_' . $status,
			/* translators: %d: HTTP status code */
			isset( $e['message'] ) ? $e['message'] : sprintf( __( 'the sidecar answered HTTP %d', 'frontgate-woocommerce' ), $status ),
			isset( $e['fields'] ) && is_array( $e['fields'] ) ? $e['fields'] : array(),
			isset( $e['messageKey'] ) ? $e['messageKey'] : '',
			isset( $e['upstreamRequestId'] ) ? $e['upstreamRequestId'] : ''
		);
	}

	/**
	 * Whether a retry with the same idempotency key may succeed.
	 *
	 * @return bool
	 */
	public function is_retryable() {
		return 0 === $this->http_status || 429 === $this->http_status || in_array( $this->http_status, array( 502, 503 ), true );
	}

	/**
	 * Whether the write may have happened all the same: the sidecar was not
	 * reached or not heard, it or FrontGo failed on their side (a 504: the
	 * write reached FrontGo, no answer came), or the same write is still
	 * being made. A retry must then find out first: the sidecar keeps an
	 * upstream_unknown answer under its Idempotency-Key (a retry under that
	 * key gets it again), and frees the key after the other failures, which
	 * a retry under a new key would not tell apart from this.
	 *
	 * @return bool
	 */
	public function outcome_unknown() {
		if ( 'not_configured' === $this->error_code ) {
			return false; // Nothing was sent.
		}
		// A 2xx the client could not read (malformed) may well be a write made.
		return 0 === $this->http_status || $this->http_status >= 500 || 429 === $this->http_status
			|| ( $this->http_status >= 200 && $this->http_status < 300 )
			|| in_array( $this->error_code, array( 'in_progress', 'idempotency_mismatch', 'malformed' ), true );
	}

	/**
	 * A message for the shopper: the customer fields they can correct, or a
	 * general one. Technical detail stays in the log.
	 *
	 * @return string
	 */
	public function shopper_message() {
		$fixable = array(
			'order.customer.email'       => __( 'Please check your e-mail address.', 'frontgate-woocommerce' ),
			'order.customer.msisdn'      => __( 'Please check your mobile number.', 'frontgate-woocommerce' ),
			'order.customer.countryCode' => __( 'Please check the country code of your mobile number.', 'frontgate-woocommerce' ),
			'order.customer.name'        => __( 'Please fill in your name.', 'frontgate-woocommerce' ),
			'order.customer.address'     => __( 'Please fill in your full billing address.', 'frontgate-woocommerce' ),
		);
		$out     = array();
		foreach ( $this->fields as $f ) {
			$path = isset( $f['path'] ) ? (string) $f['path'] : '';
			foreach ( $fixable as $prefix => $msg ) {
				if ( 0 === strpos( $path, $prefix ) && ! in_array( $msg, $out, true ) ) {
					$out[] = $msg;
				}
			}
		}
		if ( ! empty( $out ) ) {
			return implode( ' ', $out );
		}
		return __( 'The card payment could not be started. Please try again, or choose another payment method.', 'frontgate-woocommerce' );
	}
}
