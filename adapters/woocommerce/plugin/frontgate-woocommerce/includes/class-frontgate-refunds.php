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
 * typed as an amount) is spread over the lines in order, never more than
 * what is left on a line after earlier refunds. A refund of an additional
 * charge's fee line is paid back from the charge instead (charge_part()).
 * It also tells process_refund which refund it is paying out.
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
	 * The additional charge a refund pays back, if any. FrontGo refunds a
	 * charge from the charge itself (source "charged"), apart from the
	 * reservation's capture, and only in full: the plugin's reservations
	 * are made without isChargePartiallyRefundable. So a refund touching a
	 * charge's fee line must be that line's whole amount and nothing else;
	 * anything else is refused here, before FrontGo is asked. A line
	 * refunded with 0 is no part of the refund, a charge's fee line
	 * included.
	 *
	 * @param array[] $charges      The order's charges (Frontgate_Charges::records()).
	 * @param array   $refund_items Item id => amount refunded in øre (positive).
	 * @param int     $amount       The refund's total in øre.
	 * @return array|null The charge's record, or null when the refund touches no charge.
	 * @throws InvalidArgumentException When the refund mixes a charge with other lines, takes part of one, or one already refunded.
	 */
	public static function charge_part( array $charges, array $refund_items, $amount ) {
		$by_item = array();
		foreach ( $charges as $c ) {
			if ( ! empty( $c['item_id'] ) ) {
				$by_item[ (int) $c['item_id'] ] = $c;
			}
		}
		$hit   = array();
		$other = 0;
		foreach ( $refund_items as $item_id => $a ) {
			if ( 0 === (int) $a ) {
				continue;
			}
			if ( isset( $by_item[ (int) $item_id ] ) ) {
				$hit[] = $by_item[ (int) $item_id ];
			} elseif ( (int) $a > 0 ) {
				++$other;
			}
		}
		if ( empty( $hit ) ) {
			return null;
		}
		if ( count( $hit ) > 1 ) {
			throw new InvalidArgumentException( __( 'Refund one additional charge at a time: FrontGo refunds each charge on its own.', 'frontgate-woocommerce' ) );
		}
		$c = $hit[0];
		if ( ! empty( $c['refunded'] ) ) {
			/* translators: %s: the charge's text */
			throw new InvalidArgumentException( sprintf( __( 'The additional charge "%s" has already been refunded.', 'frontgate-woocommerce' ), $c['text'] ) );
		}
		$got = (int) $refund_items[ (int) $c['item_id'] ];
		if ( $other > 0 || $amount !== $got ) {
			throw new InvalidArgumentException(
				sprintf(
					/* translators: %s: the charge's text */
					__( 'Refund the additional charge "%s" on its own: FrontGo pays it back from the charge, apart from the order\'s other lines, so one refund cannot hold both. Refund the other lines in a second refund.', 'frontgate-woocommerce' ),
					$c['text']
				)
			);
		}
		if ( $got !== (int) $c['amount'] ) {
			throw new InvalidArgumentException(
				sprintf(
					/* translators: 1: the charge's text, 2: its amount, 3: the amount asked for */
					__( 'FrontGo refunds the additional charge "%1$s" only in full: refund all of its %2$s (with VAT), not %3$s.', 'frontgate-woocommerce' ),
					$c['text'],
					Frontgate_Money::format( (int) $c['amount'] ),
					Frontgate_Money::format( $got )
				)
			);
		}
		return $c;
	}

	/**
	 * Builds the refund lines.
	 *
	 * @param array $line_ids     Item id => list of array( FrontGo line id, amount ), from the order meta.
	 * @param array $refund_items Item id => amount refunded in øre (positive).
	 * @param int   $amount       The refund's total in øre.
	 * @param array $refunded     FrontGo line id => øre earlier refunds took from it (META_REFUNDED_LINES).
	 * @return array[] Lines array( 'id' => …, 'amount' => … ).
	 * @throws InvalidArgumentException When the amount does not fit the lines.
	 */
	public static function lines( array $line_ids, array $refund_items, $amount, array $refunded = array() ) {
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
		foreach ( $refunded as $id => $a ) { // What earlier refunds took is not there any more.
			if ( isset( $room[ $id ] ) ) {
				$room[ $id ] = max( 0, $room[ $id ] - (int) $a );
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
