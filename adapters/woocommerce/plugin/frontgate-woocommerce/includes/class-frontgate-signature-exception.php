<?php
/**
 * Why a webhook signature was refused.
 *
 * @package Frontgate_WooCommerce
 */

defined( 'ABSPATH' ) || exit;

/**
 * Thrown by Frontgate_Signature::verify. The reason is one of the REASON_*
 * constants, the same as host/signature's sentinel errors.
 */
class Frontgate_Signature_Exception extends Exception {

	const REASON_MALFORMED = 'malformed';
	const REASON_INVALID   = 'invalid';
	const REASON_EXPIRED   = 'expired';
	const REASON_NO_KEY    = 'no_key';

	/**
	 * One of the REASON_* constants.
	 *
	 * @var string
	 */
	public $reason;

	/**
	 * Constructor.
	 *
	 * @param string $reason  One of the REASON_* constants.
	 * @param string $message Detail for logs (never the secret or the MAC).
	 */
	public function __construct( $reason, $message = '' ) {
		parent::__construct( '' === $message ? 'signature: ' . $reason : 'signature: ' . $reason . ': ' . $message );
		$this->reason = $reason;
	}
}
