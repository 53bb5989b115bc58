<?php
/**
 * Applies reservation events to orders, once each.
 *
 * @package Frontgate_WooCommerce
 */

defined( 'ABSPATH' ) || exit;

/**
 * Applies a reservation's status to its order idempotently. The same change
 * can arrive twice at once: as the sidecar's signed webhook and as the
 * shopper's return to the thank-you page. Both compute the same event id
 * (sha256 of reservation:status), take the order's lock, re-read the order,
 * and apply only an id not yet recorded in the order's meta, so a race never
 * adds a second note, sends a second e-mail or reduces stock twice.
 */
class Frontgate_Outcome_Handler {

	/** Meta keys. */
	const META_RESERVATION = '_frontgate_reservation_uuid';
	const META_CHECKOUT    = '_frontgate_checkout_id';
	const META_STATUS      = '_frontgate_status';
	const META_EVENTS      = '_frontgate_events';
	const META_ITEMS       = '_frontgate_items';
	const META_LINE_IDS    = '_frontgate_line_ids';
	const META_CAPTURES    = '_frontgate_capture_ids';
	/** The largest amounts heard of, per kind (captured, charged, refunded from either): they only grow. */
	const META_AMOUNTS = '_frontgate_amounts';
	// The mode (test or live) the order's checkout was started in.
	const META_MODE = '_frontgate_mode';
	// FrontGo line id => øre refunded from it through the plugin.
	const META_REFUNDED_LINES = '_frontgate_refunded_lines';

	/** How many applied event ids an order keeps. */
	const MAX_EVENTS = 50;

	/**
	 * True while an outcome is being applied in this request, so that the
	 * merchant-action hooks (capture on status, cancel) do not answer the
	 * status changes the outcome itself makes.
	 *
	 * @var bool
	 */
	public static $applying = false;

	/**
	 * Logger.
	 *
	 * @var Frontgate_Logger
	 */
	private $log;

	/**
	 * Outcome settings (see Frontgate_Outcomes::for_status).
	 *
	 * @var array
	 */
	private $settings;

	/**
	 * Seconds to wait for the order's lock.
	 *
	 * @var float
	 */
	private $lock_wait;

	/**
	 * Constructor.
	 *
	 * @param Frontgate_Logger $log       Logger.
	 * @param array            $settings  Outcome settings.
	 * @param float            $lock_wait Seconds to wait for a busy order.
	 */
	public function __construct( Frontgate_Logger $log, array $settings = array(), $lock_wait = 8.0 ) {
		$this->log       = $log;
		$this->settings  = $settings;
		$this->lock_wait = $lock_wait;
	}

	/**
	 * Notes new amounts of an order's reservation once (an event of new
	 * amounts in an unchanged status: a second charge, a refund, made here
	 * or in FrontGo's portal). The order's status does not change; its
	 * capture ids are kept up to date.
	 *
	 * @param int    $order_id         The order.
	 * @param string $reservation_uuid The reservation.
	 * @param string $event_id         The event's id.
	 * @param array  $details          The reservation details with the new amounts.
	 * @return string applied, duplicate, stale (amounts no larger than heard already), ignored (another reservation), unknown_order or busy.
	 */
	public function apply_amounts( $order_id, $reservation_uuid, $event_id, array $details ) {
		$ctx = array(
			'order'       => $order_id,
			'reservation' => $reservation_uuid,
			'event_id'    => $event_id,
		);
		return $this->once(
			$order_id,
			$reservation_uuid,
			$event_id,
			$ctx,
			function ( $order ) use ( $reservation_uuid, $details, $ctx ) {
				$pay = self::amounts_of( $details );
				// Two deliveries can arrive in either order: amounts no larger
				// than what was heard already are older news, not noted.
				if ( ! $this->remember_details( $order, $details ) ) {
					$order->save();
					$this->log->info( 'amounts no larger than those heard already; nothing noted', $ctx );
					return 'stale';
				}
				$order->add_order_note(
					sprintf(
						/* translators: 1: amount captured, 2: amount charged, 3: amount refunded, 4: reservation id. */
						__( 'FrontGo: the payment now stands at %1$s captured, %2$s charged and %3$s refunded (reservation %4$s).', 'frontgate-woocommerce' ),
						Frontgate_Money::format( $pay['captured'] ),
						Frontgate_Money::format( $pay['charged'] ),
						Frontgate_Money::format( $pay['refundedFromCaptured'] + $pay['refundedFromCharged'] ),
						$reservation_uuid
					)
				);
				$order->save();
				$this->log->info( 'amounts applied', $ctx );
				return 'applied';
			}
		);
	}

	/**
	 * Runs $fn on the order, under its lock, once per event id: it answers
	 * busy, unknown_order, ignored (an event of another reservation than
	 * the order's) or duplicate without calling $fn; otherwise it records
	 * the id (saved with whatever $fn saves) and returns $fn's result.
	 *
	 * @param int      $order_id         The order.
	 * @param string   $reservation_uuid The reservation the event is about.
	 * @param string   $event_id         The event's id.
	 * @param array    $ctx              Log context.
	 * @param callable $fn               function ( WC_Order $order, string $current_reservation ): string.
	 * @return string
	 */
	private function once( $order_id, $reservation_uuid, $event_id, array $ctx, $fn ) {
		$token = Frontgate_Lock::order( $order_id, $this->lock_wait, 60 ); // a webhook's apply is short
		if ( null === $token ) {
			$this->log->warning( 'order busy; the event will be retried', $ctx );
			return 'busy';
		}
		self::$applying = true;
		try {
			$order = wc_get_order( $order_id );
			if ( ! $order ) {
				return 'unknown_order';
			}
			$order->read_meta_data( true ); // What another request saved while we waited.
			$current = (string) $order->get_meta( self::META_RESERVATION );
			if ( '' !== $current && $current !== $reservation_uuid ) {
				$this->log->info( 'event for an earlier reservation of the order ignored', $ctx + array( 'current' => $current ) );
				return 'ignored';
			}
			$done = $order->get_meta( self::META_EVENTS );
			$done = is_array( $done ) ? $done : array();
			if ( in_array( $event_id, $done, true ) ) {
				$this->log->debug( 'event already applied', $ctx );
				return 'duplicate';
			}
			$done[] = $event_id;
			$order->update_meta_data( self::META_EVENTS, array_slice( $done, -self::MAX_EVENTS ) );
			return $fn( $order, $current );
		} finally {
			self::$applying = false;
			Frontgate_Lock::release_order( $order_id, $token );
		}
	}

	/**
	 * Applies a status to an order once.
	 *
	 * @param int        $order_id         The order.
	 * @param string     $reservation_uuid The reservation the status is about.
	 * @param string     $status           FrontGo's status ("CAPTURED").
	 * @param string     $via              webhook or return, for notes and logs.
	 * @param array|null $details          The reservation details, when known (line ids, capture ids).
	 * @param array|null $expected         The sidecar's expected outcome, compared for logs.
	 * @return string applied, duplicate, stale, ignored (another reservation), unknown_order or busy.
	 */
	public function apply( $order_id, $reservation_uuid, $status, $via, $details = null, $expected = null ) {
		$event_id = Frontgate_Signature::event_id( $reservation_uuid, $status );
		$ctx      = array(
			'order'       => $order_id,
			'reservation' => $reservation_uuid,
			'status'      => $status,
			'via'         => $via,
			'event_id'    => $event_id,
		);
		return $this->once(
			$order_id,
			$reservation_uuid,
			$event_id,
			$ctx,
			function ( $order, $current ) use ( $reservation_uuid, $status, $details, $expected, $ctx ) {
				if ( '' === $current ) {
					$order->update_meta_data( self::META_RESERVATION, $reservation_uuid );
				}
				if ( is_array( $details ) ) {
					$this->remember_details( $order, $details );
				}
				$last = (string) $order->get_meta( self::META_STATUS );
				if ( Frontgate_Outcomes::is_stale( $status, $last ) ) {
					$order->save();
					$this->log->info( 'late event after a newer status; nothing changed', $ctx + array( 'last' => $last ) );
					return 'stale';
				}
				$order->update_meta_data( self::META_STATUS, $status );

				$out = Frontgate_Outcomes::for_status( $status, $reservation_uuid, $this->settings );
				if ( is_array( $expected ) && isset( $expected['status'] ) && (string) $expected['status'] !== (string) $out['status'] ) {
					// The two tables, not an order held back for its amounts.
					$this->log->warning( 'the sidecar expects another order status: set the shop\'s statuses in the sidecar\'s configuration to the plugin\'s settings', $ctx + array( 'sidecar' => $expected['status'], 'plugin' => $out['status'] ) );
				}
				$out = self::held_back( $order, $status, $out, $details, $reservation_uuid );
				$this->apply_outcome( $order, $out, $reservation_uuid );
				$this->log->info( 'event applied', $ctx );
				return 'applied';
			}
		);
	}

	/**
	 * Holds back an outcome that would take the order as reserved or paid
	 * when FrontGo holds (RESERVED) or took (CAPTURED, CHARGED) less than
	 * the order's total, or the order is not in kroner: the order was
	 * edited after the payment link went out, say. Instead the order goes
	 * on hold, is not marked paid, and a note says what differs; the
	 * merchant decides. Without details (amounts unknown) the outcome
	 * stands.
	 *
	 * @param WC_Order   $order   The order.
	 * @param string     $status  FrontGo's status.
	 * @param array      $out     The outcome for the status.
	 * @param array|null $details The reservation details (money in øre).
	 * @param string     $r       The reservation.
	 * @return array The outcome to apply.
	 */
	private static function held_back( $order, $status, array $out, $details, $r ) {
		if ( ! is_array( $details ) || ! in_array( $status, array( 'RESERVED', 'CAPTURED', 'CHARGED' ), true ) ) {
			return $out;
		}
		$pay = isset( $details['payment'] ) && is_array( $details['payment'] ) ? $details['payment'] : array();
		if ( 'RESERVED' === $status ) {
			// The reserved amount, or the reservation's total when FrontGo
			// leaves it out (or at 0: the payment details may lag).
			$held = ! empty( $pay['reserved'] ) ? (int) $pay['reserved'] : ( isset( $details['grandTotal'] ) ? (int) $details['grandTotal'] : null );
		} elseif ( isset( $pay['captured'] ) || isset( $pay['charged'] ) ) {
			$held = ( isset( $pay['captured'] ) ? (int) $pay['captured'] : 0 ) + ( isset( $pay['charged'] ) ? (int) $pay['charged'] : 0 );
		} else {
			$held = null; // Amounts not given.
		}
		if ( null === $held ) {
			return $out;
		}
		$currency = strtoupper( (string) $order->get_currency() );
		try {
			$total = Frontgate_Money::to_minor( $order->get_total() );
		} catch ( Exception $e ) {
			$total = PHP_INT_MAX;
		}
		if ( 'NOK' === $currency && $held >= $total ) {
			return $out;
		}
		return array(
			'status'           => 'on-hold',
			'payment_complete' => false,
			'note'             => sprintf(
				/* translators: 1: reservation id, 2: FrontGo status, 3: amount FrontGo holds or took, 4: order total, 5: order currency */
				__( 'FrontGo: reservation %1$s is %2$s for %3$s NOK, but the order totals %4$s %5$s. The order is on hold and not marked paid: check it before shipping.', 'frontgate-woocommerce' ),
				$r,
				$status,
				Frontgate_Money::format( $held ),
				$order->get_total(),
				$currency
			),
			// When the merchant already moved the order on (completed it,
			// which sent the capture), it is not pulled back to on hold.
			'note_kept'        => sprintf(
				/* translators: 1: reservation id, 2: FrontGo status, 3: amount FrontGo holds or took, 4: order total, 5: order currency, 6: the order's status */
				__( 'FrontGo: reservation %1$s is %2$s for %3$s NOK, but the order totals %4$s %5$s. The order stays %6$s as it was set, and the rest is not paid: check it before shipping.', 'frontgate-woocommerce' ),
				$r,
				$status,
				Frontgate_Money::format( $held ),
				$order->get_total(),
				$currency,
				wc_get_order_status_name( $order->get_status() )
			),
		);
	}

	/**
	 * Changes the order as the outcome says, adding its note once.
	 *
	 * @param WC_Order $order            The order.
	 * @param array    $out              The outcome.
	 * @param string   $reservation_uuid Transaction id.
	 */
	private function apply_outcome( $order, array $out, $reservation_uuid ) {
		if ( $out['payment_complete'] ) {
			if ( '' === (string) $order->get_transaction_id() ) {
				$order->set_transaction_id( $reservation_uuid );
			}
			$order->add_order_note( $out['note'] );
			if ( ! $order->is_paid() ) {
				$order->payment_complete( $reservation_uuid ); // Saves, reduces stock, sends e-mails.
			} else {
				$order->save();
			}
			return;
		}
		$to = $out['status'];
		if ( '' !== $to && ! $order->has_status( $to ) && $this->may_move( $order, $to ) ) {
			if ( '' === (string) $order->get_transaction_id() && in_array( $to, array( 'on-hold', 'processing' ), true ) ) {
				$order->set_transaction_id( $reservation_uuid );
			}
			$order->update_status( $to, $out['note'] ); // One note: ours with WooCommerce's status change.
			return;
		}
		$order->add_order_note( isset( $out['note_kept'] ) && ! $order->has_status( $to ) ? $out['note_kept'] : $out['note'] );
		$order->save();
	}

	/**
	 * Whether the outcome may move the order to $to from where it is: a
	 * reservation never pulls an order back from a status the merchant moved
	 * it on to.
	 *
	 * @param WC_Order $order The order.
	 * @param string   $to    Target status.
	 * @return bool
	 */
	private function may_move( $order, $to ) {
		$from = $order->get_status();
		switch ( $to ) {
			case 'pending':
				return in_array( $from, array( 'failed', 'checkout-draft' ), true );
			case 'on-hold':
			case 'processing':
				return in_array( $from, array( 'pending', 'failed', 'checkout-draft', 'cancelled', 'on-hold' ), true );
			case 'cancelled':
			case 'failed':
				return in_array( $from, array( 'pending', 'on-hold', 'processing', 'failed', 'checkout-draft' ), true );
		}
		return true;
	}

	/**
	 * Keeps what later operations need from the reservation details: the
	 * FrontGo line ids of each WooCommerce item (refunds) and the capture
	 * ids (a refund's reference). Charges are kept by Frontgate_Charges.
	 *
	 * @param WC_Order $order   The order.
	 * @param array    $details Details as the sidecar returns them (money in øre).
	 * @return bool Whether any of the payment's amounts is larger than the order had heard of.
	 */
	private function remember_details( $order, array $details ) {
		$grew = false;
		if ( isset( $details['payment'] ) && is_array( $details['payment'] ) ) {
			$heard = $order->get_meta( self::META_AMOUNTS );
			$heard = self::amounts_of( array( 'payment' => is_array( $heard ) ? $heard : array() ) );
			foreach ( self::amounts_of( $details ) as $k => $v ) {
				$grew        = $grew || $v > $heard[ $k ];
				$heard[ $k ] = max( $heard[ $k ], $v );
			}
			$order->update_meta_data( self::META_AMOUNTS, $heard );
		}
		$items = $order->get_meta( self::META_ITEMS );
		if ( is_array( $items ) && ! empty( $details['products'] ) && ! $order->get_meta( self::META_LINE_IDS ) ) {
			$order->update_meta_data( self::META_LINE_IDS, self::line_ids( $items, $details['products'] ) );
		}
		if ( ! empty( $details['history']['captured'] ) && is_array( $details['history']['captured'] ) ) {
			$ids = $order->get_meta( self::META_CAPTURES );
			$ids = is_array( $ids ) ? $ids : array();
			foreach ( $details['history']['captured'] as $ev ) {
				if ( ! empty( $ev['reference'] ) && ! in_array( $ev['reference'], $ids, true ) ) {
					$ids[] = (string) $ev['reference'];
				}
			}
			$order->update_meta_data( self::META_CAPTURES, $ids );
		}
		return $grew;
	}

	/**
	 * The amounts of a details answer, in øre, by kind.
	 *
	 * @param array $details FrontGo's details.
	 * @return array captured, charged, refundedFromCaptured, refundedFromCharged.
	 */
	private static function amounts_of( array $details ) {
		$pay = isset( $details['payment'] ) && is_array( $details['payment'] ) ? $details['payment'] : array();
		$out = array();
		foreach ( Frontgate_Signature::AMOUNTS as $k ) {
			$out[ $k ] = isset( $pay[ $k ] ) ? (int) $pay[ $k ] : 0;
		}
		return $out;
	}

	/**
	 * Matches FrontGo's products to the order lines sent at checkout, in
	 * order: a line the core split into two (rates one øre apart) takes
	 * products until their quantities make up its own.
	 *
	 * @param array $items    Per order line: item_id, amount, quantity.
	 * @param array $products FrontGo products: id, quantity, amount.
	 * @return array Item id => list of array( id, amount ).
	 */
	public static function line_ids( array $items, array $products ) {
		$map      = array();
		$products = array_values( $products );
		$n        = count( $products );
		$pi       = 0;
		foreach ( $items as $item ) {
			$q    = isset( $item['quantity'] ) ? max( 1, (int) $item['quantity'] ) : 1;
			$got  = 0;
			$list = array();
			while ( $pi < $n ) {
				$p      = $products[ $pi++ ];
				$list[] = array( (int) $p['id'], (int) $p['amount'] );
				$pq     = isset( $p['quantity'] ) ? (int) $p['quantity'] : 0;
				$got   += $pq > 0 ? $pq : $q;
				if ( $got >= $q ) {
					break;
				}
			}
			$map[ (string) $item['item_id'] ] = $list;
		}
		return $map;
	}
}
