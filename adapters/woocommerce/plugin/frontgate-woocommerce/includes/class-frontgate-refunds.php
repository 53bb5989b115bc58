<?php
/**
 * WooCommerce refunds as FrontGo refund lines.
 *
 * @package Frontgate_WooCommerce
 */

defined( 'ABSPATH' ) || exit;

/**
 * Turns a WooCommerce refund into the lines of a FrontGo refund: each
 * refunded item's amount goes to that item's FrontGo lines (remembered from
 * the reservation details), and any amount not tied to an item (a refund
 * typed as an amount) is spread over the lines in order, never more than a
 * line's own amount. It also tells process_refund which refund it is paying
 * out.
 */
class Frontgate_Refunds {

	/**
	 * The refund WooCommerce is creating in this request, from the
	 * woocommerce_create_refund hook, until process_refund takes it.
	 *
	 * @var WC_Order_Refund|null
	 */
	private static $creating = null;

	/**
	 * Hooked to woocommerce_create_refund: remembers the refund about to be
	 * saved, which WooCommerce then asks the gateway to pay out.
	 *
	 * @param WC_Order_Refund $refund The refund.
	 */
	public static function remember( $refund ) {
		self::$creating = $refund;
	}

	/**
	 * The refund of an order that the gateway is asked to pay out: the one
	 * WooCommerce is creating, else the order's newest. Not the first of
	 * get_refunds(): that list is ordered by date only, so two refunds made
	 * within one second come back in either order.
	 *
	 * @param WC_Order $order The order.
	 * @return WC_Order_Refund|null
	 */
	public static function being_paid( $order ) {
		$r = self::$creating;
		if ( $r && (int) $r->get_parent_id() === (int) $order->get_id() && $r->get_id() ) {
			return $r;
		}
		$newest = null;
		foreach ( $order->get_refunds() as $refund ) {
			if ( ! $newest || $refund->get_id() > $newest->get_id() ) {
				$newest = $refund;
			}
		}
		return $newest;
	}

	/**
	 * Builds the refund lines.
	 *
	 * @param array $line_ids     Item id => list of array( FrontGo line id, amount ), from the order meta.
	 * @param array $refund_items Item id => amount refunded in øre (positive).
	 * @param int   $amount       The refund's total in øre.
	 * @return array[] Lines array( 'id' => …, 'amount' => … ).
	 * @throws InvalidArgumentException When the amount does not fit the lines.
	 */
	public static function lines( array $line_ids, array $refund_items, $amount ) {
		if ( $amount <= 0 ) {
			throw new InvalidArgumentException( __( 'The refund amount must be above zero.', 'frontgate-woocommerce' ) );
		}
		if ( empty( $line_ids ) ) {
			throw new InvalidArgumentException( __( 'The FrontGo lines of this order are not known yet; refund from the FrontGo portal.', 'frontgate-woocommerce' ) );
		}
		$room = array(); // FrontGo line id => amount still refundable by this refund.
		foreach ( $line_ids as $list ) {
			foreach ( $list as $l ) {
				$room[ $l[0] ] = ( isset( $room[ $l[0] ] ) ? $room[ $l[0] ] : 0 ) + $l[1];
			}
		}
		$take = array();
		$left = $amount;
		$give = function ( $id, $want ) use ( &$room, &$take, &$left ) {
			$n = min( $want, $room[ $id ], $left );
			if ( $n > 0 ) {
				$take[ $id ]  = ( isset( $take[ $id ] ) ? $take[ $id ] : 0 ) + $n;
				$room[ $id ] -= $n;
				$left        -= $n;
			}
			return $n;
		};
		foreach ( $refund_items as $item_id => $a ) {
			$want = (int) $a;
			if ( ! isset( $line_ids[ (string) $item_id ] ) ) {
				continue;
			}
			foreach ( $line_ids[ (string) $item_id ] as $l ) {
				$want -= $give( $l[0], $want );
			}
		}
		foreach ( array_keys( $room ) as $id ) {
			if ( $left <= 0 ) {
				break;
			}
			$give( $id, $left );
		}
		if ( $left > 0 ) {
			throw new InvalidArgumentException(
				sprintf(
					/* translators: 1: refund amount, 2: the part left over */
					__( 'The refund of %1$s is more than the order lines hold (%2$s left over).', 'frontgate-woocommerce' ),
					Frontgate_Money::format( $amount ),
					Frontgate_Money::format( $left )
				)
			);
		}
		$out = array();
		foreach ( $take as $id => $a ) {
			$out[] = array(
				'id'     => (int) $id,
				'amount' => $a,
			);
		}
		return $out;
	}
}
