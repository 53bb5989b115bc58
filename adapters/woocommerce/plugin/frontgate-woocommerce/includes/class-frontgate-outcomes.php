<?php
/**
 * What each reservation status does to a WooCommerce order.
 *
 * @package Frontgate_WooCommerce
 */

defined( 'ABSPATH' ) || exit;

/**
 * The table of outcomes, the same as the Go adapter's StatusMap
 * (adapters/woocommerce/outcome.go), with translated notes.
 */
class Frontgate_Outcomes {

	/**
	 * Order of statuses along a reservation's life, the core's
	 * (plugin/status, Rank): the three ends share the last rank.
	 *
	 * @var array<string,int>
	 */
	const RANK = array(
		'SENT'              => 1,
		'RESERVED NOT PAID' => 2,
		'RESERVED'          => 3,
		'CAPTURED'          => 4,
		'CHARGED'           => 5,
		'PARTIAL REFUNDED'  => 6,
		'REFUNDED'          => 7,
		'COMPLETED'         => 8,
		'CANCELLED'         => 8,
		'EXPIRED'           => 8,
	);

	/**
	 * The statuses each may move to in one step, the core's (plugin/status):
	 * some rank lower (a charge after a refund, a refund after completion).
	 *
	 * @var array<string,string[]>
	 */
	const NEXT = array(
		'SENT'              => array( 'RESERVED NOT PAID', 'RESERVED', 'EXPIRED', 'CANCELLED' ),
		'RESERVED NOT PAID' => array( 'RESERVED', 'EXPIRED', 'CANCELLED' ),
		'RESERVED'          => array( 'CAPTURED', 'CHARGED', 'CANCELLED', 'EXPIRED' ),
		'CAPTURED'          => array( 'CHARGED', 'COMPLETED', 'PARTIAL REFUNDED', 'REFUNDED' ),
		'CHARGED'           => array( 'COMPLETED', 'PARTIAL REFUNDED', 'REFUNDED' ),
		'PARTIAL REFUNDED'  => array( 'CHARGED', 'COMPLETED', 'REFUNDED' ),
		'REFUNDED'          => array( 'CHARGED', 'COMPLETED' ),
		'COMPLETED'         => array( 'PARTIAL REFUNDED', 'REFUNDED' ),
	);

	/**
	 * The outcome of a reservation reaching a status.
	 *
	 * @param string $status           FrontGo's status ("RESERVED NOT PAID").
	 * @param string $reservation_uuid The reservation.
	 * @param array  $settings         'reserved_status' (on-hold|processing), 'cancelled_status', 'refunded_status'.
	 * @return array array( 'status' => order status or '', 'payment_complete' => bool, 'note' => string ).
	 */
	public static function for_status( $status, $reservation_uuid, array $settings = array() ) {
		$settings = array_merge(
			array(
				'reserved_status'  => 'on-hold',
				'cancelled_status' => 'cancelled',
				'refunded_status'  => '',
			),
			$settings
		);
		$r        = $reservation_uuid;
		$out      = array(
			'status'           => '',
			'payment_complete' => false,
			'note'             => '',
		);
		switch ( strtoupper( (string) $status ) ) {
			case 'SENT':
				$out['status'] = 'pending';
				/* translators: %s: reservation id */
				$out['note'] = sprintf( __( 'FrontGo: payment link sent (reservation %s).', 'frontgate-woocommerce' ), $r );
				break;
			case 'RESERVED NOT PAID':
				/* translators: %s: reservation id */
				$out['note'] = sprintf( __( 'FrontGo: the customer has started paying (reservation %s).', 'frontgate-woocommerce' ), $r );
				break;
			case 'RESERVED':
				$out['status'] = 'processing' === $settings['reserved_status'] ? 'processing' : 'on-hold';
				/* translators: %s: reservation id */
				$out['note'] = sprintf( __( "FrontGo: payment reserved on the customer's card (reservation %s); it is captured when the order ships.", 'frontgate-woocommerce' ), $r );
				break;
			case 'CAPTURED':
				$out['payment_complete'] = true;
				/* translators: %s: reservation id */
				$out['note'] = sprintf( __( 'FrontGo: payment captured (reservation %s).', 'frontgate-woocommerce' ), $r );
				break;
			case 'CHARGED':
				$out['payment_complete'] = true;
				/* translators: %s: reservation id */
				$out['note'] = sprintf( __( 'FrontGo: card charged (reservation %s).', 'frontgate-woocommerce' ), $r );
				break;
			case 'COMPLETED':
				/* translators: %s: reservation id */
				$out['note'] = sprintf( __( 'FrontGo: reservation %s completed; nothing more can be captured.', 'frontgate-woocommerce' ), $r );
				break;
			case 'CANCELLED':
				$out['status'] = $settings['cancelled_status'];
				/* translators: %s: reservation id */
				$out['note'] = sprintf( __( 'FrontGo: reservation %s cancelled; the amount is released.', 'frontgate-woocommerce' ), $r );
				break;
			case 'EXPIRED':
				$out['status'] = $settings['cancelled_status'];
				/* translators: %s: reservation id */
				$out['note'] = sprintf( __( 'FrontGo: reservation %s expired.', 'frontgate-woocommerce' ), $r );
				break;
			case 'REFUNDED':
				$out['status'] = $settings['refunded_status'];
				/* translators: %s: reservation id */
				$out['note'] = sprintf( __( 'FrontGo: payment refunded in full (reservation %s).', 'frontgate-woocommerce' ), $r );
				break;
			case 'PARTIAL REFUNDED':
				/* translators: %s: reservation id */
				$out['note'] = sprintf( __( 'FrontGo: payment partly refunded (reservation %s).', 'frontgate-woocommerce' ), $r );
				break;
			default:
				/* translators: 1: reservation id, 2: status */
				$out['note'] = sprintf( __( 'FrontGo: reservation %1$s is now %2$s.', 'frontgate-woocommerce' ), $r, $status );
		}
		/**
		 * Filters the outcome of a reservation status before it is applied.
		 *
		 * @param array  $out    status, payment_complete, note.
		 * @param string $status FrontGo's status.
		 * @param string $r      Reservation id.
		 */
		return apply_filters( 'frontgate_outcome', $out, $status, $r );
	}

	/**
	 * Whether $status arrived late, after $current: the core's rule
	 * (plugin/status, Newer), so that the plugin and the sidecar agree. A
	 * status is news when it ranks higher or is a legal next step (a charge
	 * after a partial refund); otherwise it changes nothing. The same status
	 * again is not stale here: its event id makes it a duplicate.
	 *
	 * @param string $status  The event's status.
	 * @param string $current The order's last applied status ('' for none).
	 * @return bool
	 */
	public static function is_stale( $status, $current ) {
		if ( '' === $current || $status === $current || ! isset( self::RANK[ $status ], self::RANK[ $current ] ) ) {
			return false;
		}
		$next = isset( self::NEXT[ $current ] ) ? self::NEXT[ $current ] : array();
		return self::RANK[ $status ] <= self::RANK[ $current ] && ! in_array( $status, $next, true );
	}
}
