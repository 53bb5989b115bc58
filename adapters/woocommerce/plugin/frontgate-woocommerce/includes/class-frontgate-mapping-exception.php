<?php
/**
 * Why a WooCommerce order cannot become a reservation.
 *
 * @package Frontgate_WooCommerce
 */

defined( 'ABSPATH' ) || exit;

/**
 * Lists every problem, each at the REST field it comes from, in the same
 * words as the Go adapter's MappingError.
 */
class Frontgate_Mapping_Exception extends Exception {

	/**
	 * The problems: array( array( 'path' => …, 'message' => …, 'kind' => currency|tax_rate|total|amount|customer ) ).
	 *
	 * @var array[]
	 */
	public $problems;

	/**
	 * Constructor.
	 *
	 * @param string  $order    The order number.
	 * @param array[] $problems The problems.
	 */
	public function __construct( $order, array $problems ) {
		$parts = array();
		foreach ( $problems as $p ) {
			$parts[] = $p['path'] . ': ' . $p['message'];
		}
		parent::__construct( 'woocommerce: order ' . $order . ': ' . implode( '; ', $parts ) );
		$this->problems = $problems;
	}

	/**
	 * Whether any problem is of a kind.
	 *
	 * @param string $kind currency, tax_rate, total, amount or customer.
	 * @return bool
	 */
	public function has( $kind ) {
		foreach ( $this->problems as $p ) {
			if ( $p['kind'] === $kind ) {
				return true;
			}
		}
		return false;
	}
}
