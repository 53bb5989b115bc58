<?php
/**
 * Additional charges: charged once at FrontGo, kept on the order as fee lines.
 *
 * @package Frontgate_WooCommerce
 */

defined( 'ABSPATH' ) || exit;

/**
 * "Charge additional amount": charges the card on file through the sidecar
 * and, when FrontGo accepts, adds the charge to the WooCommerce order as a
 * fee line with the VAT it carried, so that the order total is what the
 * customer paid in all, to the øre, and the line can be refunded from the
 * order screen (source "charged", reference CHA…, FrontGo's product line of
 * the charge).
 *
 * A charge is made at most once. Each one has a number, handed out by the
 * order screen's form (a hidden field) and kept in the order's meta; the
 * sidecar's Idempotency-Key is derived from the order key and that number,
 * and the charge line carries it as its productId ("wc-charge-<order>-<n>").
 * Under the order's lock:
 *
 * - a form whose number was already used (a double submit, a stale tab)
 *   changes nothing;
 * - before calling the sidecar the attempt is recorded as pending; FrontGo
 *   accepting records the charge (fee line, note) and clears it; FrontGo
 *   refusing clears it with a note naming FrontGo's reason, adding nothing;
 * - an unknown outcome (no answer, a 5xx, a 504) leaves it pending: the
 *   form then offers the same charge again, and the next submission first
 *   looks for the charge's line in the reservation details. Found, it went
 *   through: it is recorded (and nothing else charged). Not found, the same
 *   charge is asked again under the same key, or a different one replaces
 *   it under the next number.
 */
class Frontgate_Charges {

	/** Order meta: the charges recorded on the order (see record()). */
	const META = '_frontgate_charges';

	/** Order meta: the last charge number handed out. */
	const META_SEQ = '_frontgate_charge_seq';

	/** Order meta: a charge asked for whose outcome is not known yet. */
	const META_PENDING = '_frontgate_charge_pending';

	/** Fee item meta: the number of the charge the line is. */
	const ITEM_META = '_frontgate_charge';

	/** Reservation statuses in which the order screen offers a charge. */
	const CHARGEABLE = array( 'CAPTURED', 'CHARGED', 'PARTIAL REFUNDED' );

	/**
	 * The gateway (settings and sidecar client).
	 *
	 * @var Frontgate_Gateway
	 */
	private $gateway;

	/**
	 * Constructor.
	 *
	 * @param Frontgate_Gateway $gateway The gateway.
	 */
	public function __construct( $gateway ) {
		$this->gateway = $gateway;
	}

	/**
	 * The charges recorded on an order. A charge is recorded in the same
	 * save as its fee line, before the line has an id: its item_id is then
	 * the id of the fee line carrying its number (ITEM_META). Those of
	 * earlier versions of the plugin, kept in meta only (amount, rate, text,
	 * at), have no seq and no item_id: they are not on the order and not
	 * refunded from it.
	 *
	 * @param WC_Order $order The order.
	 * @return array[] Each: seq, sku, reference, line_id, item_id, amount, tax, rate, rate_id, text, at, refunded, refund_id.
	 */
	public static function records( $order ) {
		$c = $order->get_meta( self::META );
		$c = is_array( $c ) ? array_values( $c ) : array();
		foreach ( $c as $i => $r ) {
			if ( isset( $r['seq'] ) && empty( $r['item_id'] ) ) {
				$fee                = self::fee_line( $order, (int) $r['seq'] );
				$c[ $i ]['item_id'] = $fee ? (int) $fee->get_id() : 0;
			}
		}
		return $c;
	}

	/**
	 * The order's fee line of a charge, or null.
	 *
	 * @param WC_Order $order The order.
	 * @param int      $seq   The charge number.
	 * @return WC_Order_Item_Fee|null
	 */
	private static function fee_line( $order, $seq ) {
		foreach ( $order->get_items( 'fee' ) as $item ) {
			if ( (int) $item->get_meta( self::ITEM_META ) === (int) $seq ) {
				return $item;
			}
		}
		return null;
	}

	/**
	 * The charge waiting for its outcome, or null.
	 *
	 * @param WC_Order $order The order.
	 * @return array|null seq, sku, amount, rate, rate_id, tax_class, text, at (rate_id and tax_class: see charge_tax_rate()).
	 */
	public static function pending( $order ) {
		$p = $order->get_meta( self::META_PENDING );
		return is_array( $p ) && ! empty( $p['seq'] ) ? $p : null;
	}

	/**
	 * The number the order screen's form carries: the pending charge's, or
	 * the next one.
	 *
	 * @param WC_Order $order The order.
	 * @return int
	 */
	public static function next_seq( $order ) {
		$p = self::pending( $order );
		if ( $p ) {
			return (int) $p['seq'];
		}
		return max( (int) $order->get_meta( self::META_SEQ ), count( self::records( $order ) ) ) + 1;
	}

	/**
	 * The charge line's productId at FrontGo.
	 *
	 * @param WC_Order $order The order.
	 * @param int      $seq   The charge number.
	 * @return string
	 */
	public static function sku( $order, $seq ) {
		return 'wc-charge-' . $order->get_id() . '-' . (int) $seq;
	}

	/**
	 * The Idempotency-Key of a charge.
	 *
	 * @param WC_Order $order The order.
	 * @param int      $seq   The charge number.
	 * @return string
	 */
	public static function key( $order, $seq ) {
		return Frontgate_Sidecar_Client::idempotency_key( 'charge', $order->get_order_key(), (int) $seq );
	}

	/**
	 * Charges the card on file and records the charge on the order.
	 *
	 * @param WC_Order $order  The order.
	 * @param string   $amount The amount with VAT as typed ("125,50").
	 * @param string   $rate   The VAT rate in percent ("25").
	 * @param string   $text   The text on the receipt ('' for the default).
	 * @param string   $seq    The charge number the form carried ('' for the next one).
	 * @return string charged, failed, unknown (outcome not known; submit again), duplicate (a number already used), invalid or busy.
	 */
	public function charge( $order, $amount, $rate, $text, $seq = '' ) {
		$log    = $this->gateway->logger();
		$status = (string) $order->get_meta( Frontgate_Outcome_Handler::META_STATUS );
		try {
			$minor = Frontgate_Money::to_minor( str_replace( array( ',', ' ' ), array( '.', '' ), trim( (string) $amount ) ) );
		} catch ( InvalidArgumentException $e ) {
			$minor = -1;
		}
		try {
			$r = Frontgate_Money::to_rate( trim( (string) $rate ) );
		} catch ( InvalidArgumentException $e ) {
			$r = -1;
		}
		$cfg = $this->gateway->mapper_config();
		if ( $minor <= 0 ) {
			$why = __( 'enter an amount above zero, with at most two decimals (125,50)', 'frontgate-woocommerce' );
		} elseif ( $r < 0 || ( ! empty( $cfg['tax_rates'] ) && ! in_array( $r, $cfg['tax_rates'], true ) ) ) {
			/* translators: %s: the VAT rate as given */
			$why = sprintf( __( 'the VAT rate %s is not one your FrontGo account accepts (see the gateway\'s tax rates)', 'frontgate-woocommerce' ), (string) $rate );
		} elseif ( 'RESERVED' === $status ) {
			$why = __( 'capture the reservation first (complete the order): once the card is charged, FrontGo no longer lets the reservation be captured', 'frontgate-woocommerce' );
		} elseif ( ! in_array( $status, self::CHARGEABLE, true ) ) {
			/* translators: %s: FrontGo's status of the reservation, or a dash */
			$why = sprintf( __( 'the reservation is %s; FrontGo charges the card only once the reservation is captured', 'frontgate-woocommerce' ), '' !== $status ? $status : '—' );
		} else {
			$why = '';
		}
		$tax_rate = null;
		if ( '' === $why ) {
			$tax_rate = self::find_tax_rate( $order, $r );
			if ( null === $tax_rate ) {
				/* translators: %s: VAT rate in percent */
				$why = sprintf( __( 'WooCommerce has no %s %% tax rate for this order, so the charge could not be added to it with its VAT; add the rate under WooCommerce → Settings → Tax', 'frontgate-woocommerce' ), Frontgate_Money::format_rate( $r ) );
			}
		}
		if ( '' !== $why ) {
			/* translators: %s: the reason */
			$order->add_order_note( sprintf( __( 'FrontGo: no additional charge made: %s.', 'frontgate-woocommerce' ), $why ) );
			return 'invalid';
		}

		// Held for longer than one charge can take (three sidecar calls of
		// up to three 20 s attempts each): a second submit must not take the
		// lock as abandoned while an earlier charge may still be in flight,
		// or it could drop that charge as never made while it lands.
		$token = Frontgate_Lock::order( $order->get_id() );
		if ( null === $token ) {
			$order->add_order_note( __( 'FrontGo: no additional charge made: the order is busy (a FrontGo update is being applied). Try again in a moment.', 'frontgate-woocommerce' ) );
			return 'busy';
		}
		try {
			$order->read_meta_data( true ); // What another request saved while we waited.
			$next = self::next_seq( $order );
			$n    = '' === (string) $seq ? $next : (int) $seq;
			if ( $n !== $next ) {
				// A form sent twice, or one opened before the last charge: that charge was handled.
				$log->info( 'charge form already used; nothing charged', array( 'order' => $order->get_id(), 'seq' => $n, 'next' => $next ) );
				return 'duplicate';
			}
			$want    = array(
				'seq'       => $n,
				'sku'       => self::sku( $order, $n ),
				'amount'    => $minor,
				'rate'      => $r,
				'rate_id'   => (int) $tax_rate['rate_id'],
				'tax_class' => (string) $tax_rate['tax_class'],
				'text'      => '' !== trim( (string) $text ) ? trim( (string) $text ) : __( 'Additional charge', 'frontgate-woocommerce' ),
				'at'        => time(),
			);
			$uuid    = (string) $order->get_meta( Frontgate_Outcome_Handler::META_RESERVATION );
			$client  = $this->gateway->client_for( $order );
			$pending = self::pending( $order );
			if ( $pending ) {
				// The last attempt's outcome is not known: FrontGo is asked first.
				try {
					$details = $client->get_reservation( $uuid );
				} catch ( Frontgate_Sidecar_Exception $e ) {
					/* translators: %s: the reason */
					$order->add_order_note( sprintf( __( 'FrontGo: no additional charge made: the earlier additional charge could not be checked with FrontGo: %s. Try again in a moment.', 'frontgate-woocommerce' ), $e->getMessage() ) );
					return 'unknown';
				}
				$same = (int) $pending['amount'] === $minor && (int) $pending['rate'] === $r && (string) $pending['text'] === $want['text'];
				$line = self::find_line( $details, $pending, self::taken_lines( $order ) );
				if ( $line ) {
					$log->info( 'pending charge found at FrontGo', array( 'order' => $order->get_id(), 'seq' => $n, 'line' => $line ) );
					$this->record( $order, $pending, self::find_reference( $details, $pending, $order ), $line );
					if ( $same ) {
						return 'charged';
					}
					$order->add_order_note(
						sprintf(
							/* translators: 1: amount, 2: the charge's text */
							__( 'FrontGo: the earlier additional charge went through and is now on the order, so %1$s (%2$s) was not charged. To charge it as well, send it again.', 'frontgate-woocommerce' ),
							self::price( $order, $minor ),
							$want['text']
						)
					);
					return 'duplicate';
				}
				// FrontGo has no such charge: the earlier attempt never reached it.
				// It is sent under the next number (a new Idempotency-Key): the
				// sidecar keeps the unknown outcome under the old key, so the old
				// key would only answer it again.
				if ( ! $same ) {
					$order->add_order_note(
						sprintf(
							/* translators: 1: amount, 2: the charge's text */
							__( 'FrontGo: the earlier additional charge of %1$s (%2$s), whose outcome was not known, was not made; it is dropped.', 'frontgate-woocommerce' ),
							self::price( $order, (int) $pending['amount'] ),
							$pending['text']
						)
					);
				}
				$n           = (int) $pending['seq'] + 1;
				$want['seq'] = $n;
				$want['sku'] = self::sku( $order, $n );
				$pending     = null;
			}
			if ( ! $pending ) {
				$order->update_meta_data( self::META_PENDING, $want );
				$order->update_meta_data( self::META_SEQ, $n );
				$order->save();
			}

			try {
				$answer = $client->operate(
					$uuid,
					'charge',
					array(
						'lines'          => array(
							array(
								'name'      => $want['text'],
								'sku'       => $want['sku'],
								'unitPrice' => $minor,
								'quantity'  => 1,
								'taxRate'   => Frontgate_Money::rate_number( $r ),
							),
						),
						'additionalText' => $want['text'],
					),
					self::key( $order, $n )
				);
			} catch ( Frontgate_Sidecar_Exception $e ) {
				$ctx = array( 'order' => $order->get_id(), 'seq' => $n, 'status' => $e->http_status, 'code' => $e->error_code, 'error' => $e->getMessage() );
				if ( self::outcome_unknown( $e ) ) {
					$log->error( 'charge outcome unknown; the next attempt asks FrontGo first', $ctx );
					$order->add_order_note(
						sprintf(
							/* translators: 1: amount, 2: the charge's text, 3: the reason */
							__( 'FrontGo: the outcome of the additional charge of %1$s (%2$s) is not known: %3$s. Submit the same charge again: FrontGo is asked first whether it went through, and it is never made twice.', 'frontgate-woocommerce' ),
							self::price( $order, $minor ),
							$want['text'],
							$e->getMessage()
						)
					);
					return 'unknown';
				}
				$log->warning( 'charge refused', $ctx );
				$order->delete_meta_data( self::META_PENDING );
				$order->save();
				$order->add_order_note(
					sprintf(
						/* translators: 1: amount, 2: the charge's text, 3: FrontGo's reason */
						__( 'FrontGo: the additional charge of %1$s (%2$s) failed, nothing was charged or added to the order: %3$s', 'frontgate-woocommerce' ),
						self::price( $order, $minor ),
						$want['text'],
						self::reason( $e )
					)
				);
				return 'failed';
			}

			// The charge's product line at FrontGo, for refunds; looked up
			// again when refunding if FrontGo cannot be asked now.
			$reference = isset( $answer['uuid'] ) ? (string) $answer['uuid'] : '';
			$line      = 0;
			try {
				$details = $client->get_reservation( $uuid );
				$line    = self::find_line( $details, $want, self::taken_lines( $order ) );
				if ( '' === $reference ) {
					$reference = self::find_reference( $details, $want, $order );
				}
			} catch ( Frontgate_Sidecar_Exception $e ) {
				$log->warning( 'charge line not looked up; a refund will', array( 'order' => $order->get_id(), 'error' => $e->getMessage() ) );
			}
			$this->record( $order, $want, $reference, $line );
			return 'charged';
		} finally {
			Frontgate_Lock::release_order( $order->get_id(), $token );
		}
	}

	/**
	 * Adds a charge FrontGo made to the order: a fee line named for it with
	 * the VAT it was charged with, the order's tax line and total grown by
	 * exactly what was charged, the charge in meta, all in one save; then
	 * one note. Idempotent: a charge already recorded only loses its
	 * pending mark, and a fee line of the charge already on the order (a
	 * request that died after saving it) is kept, nothing grown again.
	 *
	 * @param WC_Order $order     The order.
	 * @param array    $charge    seq, sku, amount (øre with VAT), rate, rate_id, tax_class, text, at.
	 * @param string   $reference The charge's id at FrontGo (CHA…), '' if not known yet.
	 * @param int      $line      FrontGo's product line id of the charge, 0 if not known yet.
	 */
	private function record( $order, array $charge, $reference, $line ) {
		$seq     = (int) $charge['seq'];
		$gross   = (int) $charge['amount'];
		$records = self::records( $order );
		foreach ( $records as $c ) {
			if ( isset( $c['seq'] ) && (int) $c['seq'] === $seq ) {
				$this->gateway->logger()->info( 'charge already recorded', array( 'order' => $order->get_id(), 'seq' => $seq ) );
				$order->delete_meta_data( self::META_PENDING );
				$order->save();
				return;
			}
		}

		$fee       = self::fee_line( $order, $seq );
		$unmatched = false;
		if ( $fee ) {
			// Saved by a request that died before recording the charge:
			// the line, tax and total already hold it.
			$this->gateway->logger()->warning( 'charge fee line already on the order; recorded without adding it again', array( 'order' => $order->get_id(), 'seq' => $seq ) );
			$taxes   = $fee->get_taxes();
			$rate_id = empty( $taxes['total'] ) ? 0 : (int) key( $taxes['total'] );
			$tax     = Frontgate_Money::to_minor( wc_format_decimal( $fee->get_total_tax(), 2 ) );
		} else {
			$tax_rate  = self::charge_tax_rate( $order, $charge );
			$unmatched = null === $tax_rate && (int) $charge['rate'] > 0;
			$rate_id   = $tax_rate ? (int) $tax_rate['rate_id'] : 0;
			$tax       = $rate_id ? Frontgate_Money::tax_included( $gross, (int) $charge['rate'] ) : 0;
			$net       = $gross - $tax;

			$fee = new WC_Order_Item_Fee();
			$fee->set_name( $charge['text'] );
			$fee->set_amount( Frontgate_Money::format( $net ) );
			$fee->set_total( Frontgate_Money::format( $net ) );
			$fee->set_tax_class( $tax_rate ? $tax_rate['tax_class'] : '' );
			$fee->set_tax_status( $rate_id ? 'taxable' : 'none' );
			$fee->set_taxes( array( 'total' => $rate_id ? array( $rate_id => Frontgate_Money::format( $tax ) ) : array() ) );
			$fee->add_meta_data( self::ITEM_META, $seq, true );
			$order->add_item( $fee );

			// The totals grow by what was charged, exactly; WooCommerce's
			// calculate_totals() would recompute every line and could move the
			// total the customer paid at checkout by an øre.
			if ( $tax > 0 ) {
				$found = false;
				foreach ( $order->get_taxes() as $tax_item ) {
					if ( (int) $tax_item->get_rate_id() === $rate_id ) {
						$tax_item->set_tax_total( self::plus( $tax_item->get_tax_total(), $tax ) );
						$found = true;
						break;
					}
				}
				if ( ! $found ) {
					$tax_item = new WC_Order_Item_Tax();
					$tax_item->set_rate( $rate_id );
					$tax_item->set_rate_percent( (int) $charge['rate'] / 100 ); // The rate charged, also if the shop has removed it since.
					$tax_item->set_tax_total( Frontgate_Money::format( $tax ) );
					$tax_item->set_shipping_tax_total( '0' );
					$order->add_item( $tax_item );
				}
				$order->set_cart_tax( self::plus( $order->get_cart_tax(), $tax ) );
			}
			$order->set_total( self::plus( $order->get_total(), $gross ) );
		}

		$records[] = array(
			'seq'       => $seq,
			'sku'       => (string) $charge['sku'],
			'reference' => (string) $reference,
			'line_id'   => (int) $line,
			'item_id'   => (int) $fee->get_id(), // 0 for a new line: records() finds it by its number.
			'amount'    => $gross,
			'tax'       => $tax,
			'rate'      => (int) $charge['rate'],
			'rate_id'   => $rate_id,
			'text'      => (string) $charge['text'],
			'at'        => (int) $charge['at'],
			'refunded'  => 0,
			'refund_id' => 0,
		);
		$order->update_meta_data( self::META, $records );
		$order->update_meta_data( self::META_SEQ, max( (int) $order->get_meta( self::META_SEQ ), $seq ) );
		$order->delete_meta_data( self::META_PENDING );
		// The fee line, tax, total and the record at once, in one database
		// transaction: WooCommerce writes an order's meta before its items,
		// so a request dying inside save() would otherwise keep the record
		// and the grown total without the fee line. MySQL rolls an open
		// transaction back when the connection drops.
		wc_transaction_query( 'start' );
		try {
			$order->save();
		} catch ( Throwable $e ) {
			wc_transaction_query( 'rollback' );
			throw $e;
		}
		wc_transaction_query( 'commit' );

		if ( $unmatched ) {
			$this->gateway->logger()->warning( 'charge recorded without VAT: no tax rate of its VAT', array( 'order' => $order->get_id(), 'seq' => $seq, 'rate' => (int) $charge['rate'] ) );
			$order->add_order_note(
				sprintf(
					/* translators: 1: amount, 2: the charge's text, 3: VAT rate in percent, 4: the VAT in the amount */
					__( 'FrontGo: the additional charge of %1$s (%2$s) was charged with %3$s %% VAT (%4$s), but WooCommerce has no %3$s %% tax rate for this order, so its fee line was added without VAT. The order total is what the customer paid; correct the VAT in your accounts.', 'frontgate-woocommerce' ),
					self::price( $order, $gross ),
					$charge['text'],
					Frontgate_Money::format_rate( (int) $charge['rate'] ),
					self::price( $order, Frontgate_Money::tax_included( $gross, (int) $charge['rate'] ) )
				)
			);
		}
		$order->add_order_note(
			sprintf(
				/* translators: 1: amount, 2: the charge's text, 3: FrontGo's id of the charge, 4: the order's new total */
				__( 'FrontGo: %1$s charged to the card (%2$s, %3$s) and added to the order as a fee line; the order total is now %4$s.', 'frontgate-woocommerce' ),
				self::price( $order, $gross ),
				$charge['text'],
				'' !== (string) $reference ? $reference : '—',
				self::price( $order, Frontgate_Money::to_minor( wc_format_decimal( $order->get_total(), 2 ) ) )
			)
		);
	}

	/**
	 * Refunds a charge at FrontGo: its product line, from the charge
	 * (source "charged", reference CHA…), in full. Under the order's lock,
	 * as charges are made: the charge is read again from the order as
	 * saved, refused if refunded meanwhile, and its record rewritten
	 * without losing what another request recorded.
	 *
	 * @param WC_Order $order     The order.
	 * @param array    $charge    The charge's record (records()).
	 * @param int      $refund_id The WooCommerce refund being paid out.
	 * @throws InvalidArgumentException When the order is busy, the charge was refunded already, or its FrontGo line or id is not known.
	 * @throws Frontgate_Sidecar_Exception When the sidecar or FrontGo refuses.
	 */
	public function refund( $order, array $charge, $refund_id ) {
		$lock  = 'order_' . (int) $order->get_id();
		$token = Frontgate_Lock::acquire( $lock, 10.0, Frontgate_Lock::ORDER_TTL );
		if ( null === $token ) {
			throw new InvalidArgumentException( __( 'The order is busy (a FrontGo update or an additional charge is being applied), so nothing was refunded. Try again in a moment.', 'frontgate-woocommerce' ) );
		}
		try {
			$order->read_meta_data( true ); // What another request saved while we waited.
			$seq     = isset( $charge['seq'] ) ? (int) $charge['seq'] : 0;
			$records = self::records( $order );
			$at      = null;
			foreach ( $records as $i => $c ) {
				if ( $seq && isset( $c['seq'] ) && (int) $c['seq'] === $seq ) {
					$at = $i;
				}
			}
			if ( null === $at ) {
				/* translators: %s: the charge's text */
				throw new InvalidArgumentException( sprintf( __( 'The additional charge "%s" is not on this order.', 'frontgate-woocommerce' ), $charge['text'] ) );
			}
			$charge = $records[ $at ];
			if ( ! empty( $charge['refunded'] ) ) {
				/* translators: %s: the charge's text */
				throw new InvalidArgumentException( sprintf( __( 'The additional charge "%s" has already been refunded.', 'frontgate-woocommerce' ), $charge['text'] ) );
			}
			$uuid   = (string) $order->get_meta( Frontgate_Outcome_Handler::META_RESERVATION );
			$client = $this->gateway->client_for( $order );
			$line   = (int) $charge['line_id'];
			$ref    = (string) $charge['reference'];
			if ( ! $line || '' === $ref ) {
				$details = $client->get_reservation( $uuid );
				$line    = $line ? $line : self::find_line( $details, $charge, self::taken_lines( $order, $seq ) );
				$ref     = '' !== $ref ? $ref : self::find_reference( $details, $charge, $order );
			}
			if ( ! $line || '' === $ref ) {
				throw new InvalidArgumentException(
					sprintf(
						/* translators: %s: the charge's text */
						__( 'FrontGo\'s record of the additional charge "%s" was not found; refund it in the FrontGo portal.', 'frontgate-woocommerce' ),
						$charge['text']
					)
				);
			}
			$client->operate(
				$uuid,
				'refund',
				array(
					'lines'     => array(
						array(
							'id'     => $line,
							'amount' => (int) $charge['amount'],
						),
					),
					'source'    => 'charged',
					'reference' => $ref,
				),
				Frontgate_Sidecar_Client::idempotency_key( 'refund', $order->get_order_key(), $refund_id ? $refund_id : 'charge-' . $seq )
			);
			$records[ $at ]['refunded']  = (int) $charge['amount'];
			$records[ $at ]['refund_id'] = (int) $refund_id;
			$records[ $at ]['line_id']   = $line;
			$records[ $at ]['reference'] = $ref;
			$order->update_meta_data( self::META, $records );
			$order->save();
		} finally {
			Frontgate_Lock::release( $lock, $token );
		}
	}

	/**
	 * The charge's product line in the reservation details: the product
	 * whose productId is the charge's, else the one product nothing was
	 * reserved on with the charge's name and amount that no other line of
	 * the order has taken.
	 *
	 * @param array $details The sidecar's details (products: id, name, productId, amount, reserved).
	 * @param array $charge  sku, text, amount.
	 * @param int[] $taken   FrontGo line ids the order's other lines and charges have.
	 * @return int The line id, 0 when not found.
	 */
	public static function find_line( array $details, array $charge, array $taken ) {
		$products = isset( $details['products'] ) && is_array( $details['products'] ) ? $details['products'] : array();
		foreach ( $products as $p ) {
			if ( isset( $p['productId'], $p['id'] ) && '' !== (string) $charge['sku'] && (string) $p['productId'] === (string) $charge['sku'] ) {
				return (int) $p['id'];
			}
		}
		$match = array();
		foreach ( $products as $p ) {
			if ( isset( $p['id'], $p['name'], $p['amount'] ) && empty( $p['reserved'] ) && ! in_array( (int) $p['id'], $taken, true )
				&& (string) $p['name'] === (string) $charge['text'] && (int) $p['amount'] === (int) $charge['amount'] ) {
				$match[] = (int) $p['id'];
			}
		}
		return 1 === count( $match ) ? $match[0] : 0;
	}

	/**
	 * The charge's id (CHA…) from the details' history: the one charge of
	 * its amount the order does not know yet.
	 *
	 * @param array    $details The sidecar's details.
	 * @param array    $charge  amount.
	 * @param WC_Order $order   The order.
	 * @return string '' when not found.
	 */
	public static function find_reference( array $details, array $charge, $order ) {
		$known = array();
		foreach ( self::records( $order ) as $c ) {
			if ( ! empty( $c['reference'] ) ) {
				$known[] = (string) $c['reference'];
			}
		}
		$match = array();
		$list  = isset( $details['history']['charged'] ) && is_array( $details['history']['charged'] ) ? $details['history']['charged'] : array();
		foreach ( $list as $ev ) {
			if ( ! empty( $ev['reference'] ) && ! in_array( (string) $ev['reference'], $known, true ) && isset( $ev['amount'] ) && (int) $ev['amount'] === (int) $charge['amount'] ) {
				$match[] = (string) $ev['reference'];
			}
		}
		return 1 === count( $match ) ? $match[0] : '';
	}

	/**
	 * FrontGo line ids the order's reserved lines and its other charges have.
	 *
	 * @param WC_Order $order  The order.
	 * @param int      $except A charge number to leave out.
	 * @return int[]
	 */
	private static function taken_lines( $order, $except = 0 ) {
		$taken = array();
		foreach ( (array) $order->get_meta( Frontgate_Outcome_Handler::META_LINE_IDS ) as $list ) {
			foreach ( (array) $list as $l ) {
				$taken[] = (int) $l[0];
			}
		}
		foreach ( self::records( $order ) as $c ) {
			if ( ! empty( $c['line_id'] ) && ( ! isset( $c['seq'] ) || (int) $c['seq'] !== (int) $except ) ) {
				$taken[] = (int) $c['line_id'];
			}
		}
		return $taken;
	}

	/**
	 * The WooCommerce tax rate a charge's VAT goes to: the order's own tax
	 * line at that rate, else a rate of the shop's tax tables with that
	 * percentage (the order's country first).
	 *
	 * @param WC_Order $order The order.
	 * @param int      $rate  VAT in hundredths of a percent.
	 * @return array|null rate_id (0 for no VAT) and tax_class; null when WooCommerce has no such rate.
	 */
	public static function find_tax_rate( $order, $rate ) {
		if ( 0 === (int) $rate ) {
			return array(
				'rate_id'   => 0,
				'tax_class' => '',
			);
		}
		foreach ( $order->get_items( 'tax' ) as $t ) {
			$pct = $t->get_rate_percent();
			if ( null !== $pct && '' !== (string) $pct && ! $t->is_compound() && self::same_rate( $pct, $rate ) ) {
				return array(
					'rate_id'   => (int) $t->get_rate_id(),
					'tax_class' => self::rate_class( (int) $t->get_rate_id() ),
				);
			}
		}
		if ( ! class_exists( 'WC_Tax' ) ) {
			return null;
		}
		$country = (string) $order->get_billing_country();
		$best    = null;
		foreach ( array_merge( array( '' ), (array) WC_Tax::get_tax_class_slugs() ) as $class ) {
			foreach ( (array) WC_Tax::get_rates_for_tax_class( $class ) as $row ) {
				$row = (array) $row;
				if ( empty( $row['tax_rate_compound'] ) && self::same_rate( $row['tax_rate'], $rate ) ) {
					$here = '' !== $country && isset( $row['tax_rate_country'] ) && strtoupper( (string) $row['tax_rate_country'] ) === strtoupper( $country );
					if ( ! $best || ( $here && ! $best[2] ) ) {
						$best = array( (int) $row['tax_rate_id'], (string) $class, $here );
					}
				}
			}
		}
		return $best ? array(
			'rate_id'   => $best[0],
			'tax_class' => $best[1],
		) : null;
	}

	/**
	 * The WooCommerce tax rate a charge's VAT is recorded at: the one it was
	 * matched to when it was sent to FrontGo, kept with it, so that a rate
	 * removed from the shop since does not drop the VAT FrontGo charged;
	 * for a charge pending from an earlier version, find_tax_rate().
	 *
	 * @param WC_Order $order  The order.
	 * @param array    $charge rate, and rate_id and tax_class when kept.
	 * @return array|null rate_id (0 for no VAT) and tax_class; null when WooCommerce has no such rate.
	 */
	private static function charge_tax_rate( $order, array $charge ) {
		if ( ! empty( $charge['rate_id'] ) ) {
			return array(
				'rate_id'   => (int) $charge['rate_id'],
				'tax_class' => isset( $charge['tax_class'] ) ? (string) $charge['tax_class'] : '',
			);
		}
		return self::find_tax_rate( $order, (int) $charge['rate'] );
	}

	/**
	 * Whether a WooCommerce rate ("25.0000") is the rate in hundredths.
	 *
	 * @param string|float $pct  The percentage.
	 * @param int          $rate Hundredths of a percent.
	 * @return bool
	 */
	private static function same_rate( $pct, $rate ) {
		try {
			return Frontgate_Money::to_rate( is_float( $pct ) ? $pct : (string) $pct ) === (int) $rate;
		} catch ( InvalidArgumentException $e ) {
			return false;
		}
	}

	/**
	 * The tax class of a WooCommerce tax rate ('' for standard).
	 *
	 * @param int $rate_id Tax rate id.
	 * @return string
	 */
	private static function rate_class( $rate_id ) {
		if ( ! class_exists( 'WC_Tax' ) ) {
			return '';
		}
		$row = (array) WC_Tax::_get_tax_rate( $rate_id );
		return isset( $row['tax_rate_class'] ) ? (string) $row['tax_rate_class'] : '';
	}

	/**
	 * Whether a failed call may have charged all the same: the sidecar was
	 * not reached or not heard, or it or FrontGo failed on their side, or
	 * the same charge is still being made.
	 *
	 * @param Frontgate_Sidecar_Exception $e The failure.
	 * @return bool
	 */
	private static function outcome_unknown( Frontgate_Sidecar_Exception $e ) {
		return $e->outcome_unknown();
	}

	/**
	 * FrontGo's reason as the order note names it: the sidecar's message,
	 * with FrontGo's message key when the message lacks it.
	 *
	 * @param Frontgate_Sidecar_Exception $e The failure.
	 * @return string
	 */
	private static function reason( Frontgate_Sidecar_Exception $e ) {
		$m = $e->getMessage();
		if ( '' !== $e->message_key && false === strpos( $m, $e->message_key ) ) {
			$m .= ' (' . $e->message_key . ')';
		}
		return $m;
	}

	/**
	 * A decimal amount plus øre, exactly when it has at most two decimals.
	 *
	 * @param string|float $decimal WooCommerce's amount ("1143.10").
	 * @param int          $minor   Øre to add.
	 * @return string
	 */
	private static function plus( $decimal, $minor ) {
		try {
			return Frontgate_Money::format( Frontgate_Money::to_minor( '' === (string) $decimal ? '0' : (string) $decimal ) + $minor );
		} catch ( InvalidArgumentException $e ) {
			return wc_format_decimal( (float) $decimal + $minor / 100 ); // Tax kept unrounded (rounding at subtotal).
		}
	}

	/**
	 * An amount in the order's currency, for notes.
	 *
	 * @param WC_Order $order The order.
	 * @param int      $minor Øre.
	 * @return string
	 */
	private static function price( $order, $minor ) {
		return wc_price( $minor / 100, array( 'currency' => $order->get_currency() ) );
	}
}
