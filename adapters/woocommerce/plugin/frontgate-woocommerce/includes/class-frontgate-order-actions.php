<?php
/**
 * What the merchant does to an order: capture, cancel, resend, charge.
 *
 * @package Frontgate_WooCommerce
 */

defined( 'ABSPATH' ) || exit;

/**
 * Merchant actions on FrontGo orders: capture when the order reaches the
 * configured status, cancel the reservation when the order is cancelled,
 * "Resend payment link" and "Charge additional amount" order actions, the
 * order screen's FrontGo box, and keeping reserved orders away from
 * WooCommerce's unpaid-order timer. Additional charges themselves are
 * Frontgate_Charges'.
 */
class Frontgate_Order_Actions {

	/** Order meta prefix: attempts of a capture or cancel whose outcome was not known (key()). */
	const META_ATTEMPTS = '_frontgate_attempts_';

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
	 * Whether an order is paid with this gateway.
	 *
	 * @param WC_Order|false $order Order.
	 * @return bool
	 */
	private static function ours( $order ) {
		return $order && Frontgate_Gateway::ID === $order->get_payment_method();
	}

	/**
	 * Whether the order's reservation waits for the shopper to pay: a link
	 * or card page is open. Orders whose checkout predates the SENT status
	 * being recorded have a reservation and no status.
	 *
	 * @param WC_Order $order  Order.
	 * @param string   $status Its last FrontGo status.
	 * @return bool
	 */
	private static function awaiting_payment( $order, $status ) {
		return in_array( $status, array( 'SENT', 'RESERVED NOT PAID' ), true )
			|| ( '' === $status && '' !== (string) $order->get_meta( Frontgate_Outcome_Handler::META_RESERVATION ) );
	}

	/**
	 * Whether the order's payment link or card page has run out (FrontGo
	 * expires the reservation by itself then).
	 *
	 * @param WC_Order $order Order.
	 * @return bool
	 */
	private static function link_expired( $order ) {
		$expires = (int) $order->get_meta( Frontgate_Gateway::META_EXPIRES );
		return $expires > 0 && $expires <= time();
	}

	/**
	 * Hooked to woocommerce_order_status_changed: capture on the configured
	 * status, cancel the reservation on "cancelled". Status changes made by
	 * an outcome being applied are not the merchant's and are skipped.
	 *
	 * @param int      $order_id Order id.
	 * @param string   $from     Old status.
	 * @param string   $to       New status.
	 * @param WC_Order $order    Order.
	 */
	public function on_status_changed( $order_id, $from, $to, $order = null ) {
		if ( Frontgate_Outcome_Handler::$applying ) {
			return;
		}
		$order = $order ? $order : wc_get_order( $order_id );
		if ( ! self::ours( $order ) ) {
			return;
		}
		$uuid = (string) $order->get_meta( Frontgate_Outcome_Handler::META_RESERVATION );
		if ( '' === $uuid ) {
			return;
		}
		// Completed always means shipped: an order still only reserved is
		// captured then too, also when the capture status is "processing"
		// and the reservation itself moved the order there (with the
		// reserved status set to "processing" as well), which no merchant
		// change then answered.
		$capture_on = (string) $this->gateway->get_option( 'capture_status', 'completed' );
		$capturing  = $to === $capture_on || 'completed' === $to;
		if ( ! $capturing && 'cancelled' !== $to ) {
			return;
		}
		// Under the order's lock, as charges and refunds are: two merchants
		// (or the REST API and the order screen) completing or cancelling
		// the order at once, or cancelling it while its capture is in
		// flight, act one after the other, each on the status the other
		// left. Unlocked, the second was refused by the sidecar (the same
		// Idempotency-Key still in progress) and told the merchant the
		// capture had failed, putting the captured order back.
		$token = Frontgate_Lock::order( $order->get_id() );
		if ( null === $token ) {
			$this->busy( $order, $capturing, $from );
			return;
		}
		try {
			$order->read_meta_data( true ); // What another request saved while we waited.
			$this->act( $order, $uuid, $from, $to, $capturing );
		} finally {
			Frontgate_Lock::release_order( $order->get_id(), $token );
		}
	}

	/**
	 * Puts the order back to $from with $note, as no merchant's change (no
	 * capture or cancel follows from it).
	 *
	 * @param WC_Order $order Order.
	 * @param string   $from  The status to go back to.
	 * @param string   $note  The note to add.
	 */
	private static function revert( $order, $from, $note ) {
		Frontgate_Outcome_Handler::$applying = true;
		try {
			$order->update_status( $from, $note );
		} finally {
			Frontgate_Outcome_Handler::$applying = false;
		}
	}

	/**
	 * The order's lock stayed busy: nothing was sent, and the merchant is
	 * told so (a capture puts the order back, as a failed one does).
	 *
	 * @param WC_Order $order     Order.
	 * @param bool     $capturing Whether the change was a capture's.
	 * @param string   $from      The status before.
	 */
	private function busy( $order, $capturing, $from ) {
		$this->gateway->logger()->warning( 'order busy; nothing sent to FrontGo', array( 'order' => $order->get_id() ) );
		if ( ! $capturing ) {
			$order->add_order_note( __( 'FrontGo: the reservation was not cancelled: the order is busy (a FrontGo update or another change is being applied). Cancel it in the FrontGo portal, or set the order to another status and cancel it again in a moment.', 'frontgate-woocommerce' ) );
			self::notice( $order, __( 'The FrontGo reservation was not cancelled, because the order was busy; see the order notes.', 'frontgate-woocommerce' ) );
			return;
		}
		self::revert( $order, $from, __( 'FrontGo: nothing was captured: the order is busy (a FrontGo update or another change is being applied), and it is back to its earlier status. Change its status again in a moment.', 'frontgate-woocommerce' ) );
		self::notice( $order, __( 'Nothing was captured, because the order was busy; see the order notes.', 'frontgate-woocommerce' ) );
	}

	/**
	 * Captures or cancels as the order's FrontGo status, read under the
	 * order's lock, asks (see on_status_changed()).
	 *
	 * @param WC_Order $order     Order.
	 * @param string   $uuid      Reservation.
	 * @param string   $from      Old status.
	 * @param string   $to        New status.
	 * @param bool     $capturing Whether $to is a status that captures.
	 */
	private function act( $order, $uuid, $from, $to, $capturing ) {
		$status = (string) $order->get_meta( Frontgate_Outcome_Handler::META_STATUS );
		if ( $capturing && 'RESERVED' === $status ) {
			$this->capture( $order, $uuid, $from );
		} elseif ( $capturing && self::awaiting_payment( $order, $status ) ) {
			// Nothing is reserved yet, so nothing can be captured: say so, or
			// the merchant ships an order the customer has not paid.
			$order->add_order_note( __( 'FrontGo: nothing was captured: the customer has not paid yet (the payment link or card page is still open, or was never used).', 'frontgate-woocommerce' ) );
			self::notice( $order, __( 'The order has no FrontGo payment to capture yet: the customer has not paid. See the order notes.', 'frontgate-woocommerce' ) );
		} elseif ( 'cancelled' === $to && ( 'RESERVED' === $status || ( self::awaiting_payment( $order, $status ) && ! self::link_expired( $order ) ) ) ) {
			// An open link is closed too, or the shopper could still pay a cancelled order.
			$this->cancel( $order, $uuid );
		} elseif ( 'cancelled' === $to && in_array( $status, array( 'CAPTURED', 'CHARGED', 'PARTIAL REFUNDED' ), true ) ) {
			// FrontGo cancels nothing once money is taken: say so, or the
			// merchant takes the customer's money as returned.
			$order->add_order_note( __( 'FrontGo: the order is cancelled, but its payment was already captured, and cancelling refunds nothing. Refund it from the order screen.', 'frontgate-woocommerce' ) );
			self::notice( $order, __( 'The order\'s FrontGo payment was captured: cancelling the order did not refund it. Refund it from the order screen.', 'frontgate-woocommerce' ) );
		}
	}

	/**
	 * Captures all that is reserved; on failure the order goes back to where it was.
	 *
	 * @param WC_Order $order Order.
	 * @param string   $uuid  Reservation.
	 * @param string   $from  The status before.
	 */
	private function capture( $order, $uuid, $from ) {
		$reserved = self::reserved_total( $order );
		try {
			$total = Frontgate_Money::to_minor( $order->get_total() );
		} catch ( Exception $e ) {
			$total = null;
		}
		if ( null !== $reserved && null !== $total && $total < $reserved ) {
			// A capture takes all that is reserved: more than the order
			// now asks, after an edit. Not done; the merchant decides.
			self::revert(
				$order,
				$from,
				sprintf(
					/* translators: 1: order total, 2: reserved amount */
					__( 'FrontGo: not captured. The order totals %1$s NOK but %2$s NOK is reserved, and a capture takes all of it. Capture the right amount in FrontGo, or cancel and let the customer pay again.', 'frontgate-woocommerce' ),
					Frontgate_Money::format( $total ),
					Frontgate_Money::format( $reserved )
				)
			);
			self::notice( $order, __( 'The order total is less than FrontGo holds; nothing was captured. See the order notes.', 'frontgate-woocommerce' ) );
			return;
		}
		try {
			$this->gateway->client_for( $order )->operate( $uuid, 'capture', array(), self::key( $order, 'capture', $uuid ) );
			$order->add_order_note( __( 'FrontGo: capture requested; the order is marked paid when FrontGo confirms it.', 'frontgate-woocommerce' ) );
		} catch ( Frontgate_Sidecar_Exception $e ) {
			self::next_attempt( $order, 'capture', $e );
			$this->gateway->logger()->error( 'capture failed', array( 'order' => $order->get_id(), 'code' => $e->error_code, 'error' => $e->getMessage() ) );
			/* translators: %s: the reason */
			self::revert( $order, $from, sprintf( __( 'FrontGo: capture failed, the order is back to its earlier status: %s', 'frontgate-woocommerce' ), $e->getMessage() ) );
			self::notice( $order, __( 'The FrontGo capture failed; see the order notes.', 'frontgate-woocommerce' ) );
		}
	}

	/**
	 * The Idempotency-Key of a capture or cancel of the order's reservation:
	 * the same for every try of one attempt, a new one after an attempt
	 * whose outcome was not known (next_attempt()).
	 *
	 * @param WC_Order $order Order.
	 * @param string   $op    capture or cancel.
	 * @param string   $uuid  Reservation.
	 * @return string
	 */
	private static function key( $order, $op, $uuid ) {
		$n = (int) $order->get_meta( self::META_ATTEMPTS . $op );
		return 0 === $n
			? Frontgate_Sidecar_Client::idempotency_key( $op, $order->get_order_key(), $uuid )
			: Frontgate_Sidecar_Client::idempotency_key( $op, $order->get_order_key(), $uuid, $n );
	}

	/**
	 * After a capture or cancel whose outcome is not known, the next try
	 * goes under a new key: the sidecar keeps such an answer under its key
	 * and would only give it again. Sending either again is safe: once one
	 * went through, FrontGo's status refuses the second (a reservation is
	 * captured or cancelled once).
	 *
	 * @param WC_Order                    $order Order.
	 * @param string                      $op    capture or cancel.
	 * @param Frontgate_Sidecar_Exception $e     What the sidecar answered.
	 */
	private static function next_attempt( $order, $op, $e ) {
		if ( $e->outcome_unknown() ) {
			$order->update_meta_data( self::META_ATTEMPTS . $op, (int) $order->get_meta( self::META_ATTEMPTS . $op ) + 1 );
			$order->save();
		}
	}

	/**
	 * What FrontGo holds for the order, in øre: the sum of its reservation
	 * lines as the details gave them (see Frontgate_Outcome_Handler), or
	 * null when they are not known.
	 *
	 * @param WC_Order $order Order.
	 * @return int|null
	 */
	private static function reserved_total( $order ) {
		$ids = $order->get_meta( Frontgate_Outcome_Handler::META_LINE_IDS );
		if ( ! is_array( $ids ) || empty( $ids ) ) {
			return null;
		}
		$sum = 0;
		foreach ( $ids as $lines ) {
			foreach ( (array) $lines as $l ) {
				$sum += isset( $l[1] ) ? (int) $l[1] : 0;
			}
		}
		return $sum;
	}

	/**
	 * Cancels the reservation of a cancelled order.
	 *
	 * @param WC_Order $order Order.
	 * @param string   $uuid  Reservation.
	 */
	private function cancel( $order, $uuid ) {
		try {
			$this->gateway->client_for( $order )->operate( $uuid, 'cancel', array( 'note' => 'WooCommerce order ' . $order->get_order_number() . ' cancelled' ), self::key( $order, 'cancel', $uuid ) );
			$order->add_order_note( __( 'FrontGo: cancellation requested; the reserved amount is released.', 'frontgate-woocommerce' ) );
		} catch ( Frontgate_Sidecar_Exception $e ) {
			self::next_attempt( $order, 'cancel', $e );
			$this->gateway->logger()->error( 'cancel failed', array( 'order' => $order->get_id(), 'code' => $e->error_code, 'error' => $e->getMessage() ) );
			if ( 'prerequisiteFailedToCancelReservation' === $e->message_key ) {
				// No longer only reserved: captured (a capture in flight when
				// the order was cancelled, say), charged or closed meanwhile.
				// Nothing stays reserved, and cancelling in the portal cannot
				// help: money taken is returned by a refund.
				/* translators: %s: the reason */
				$order->add_order_note( sprintf( __( 'FrontGo: the reservation was not cancelled: it is no longer only reserved (captured or charged meanwhile, or already closed): %s. If its payment was captured, cancelling refunds nothing: refund it from the order screen.', 'frontgate-woocommerce' ), $e->getMessage() ) );
				self::notice( $order, __( 'The FrontGo reservation was not cancelled, because it is no longer only reserved (its payment may have been captured meanwhile); see the order notes.', 'frontgate-woocommerce' ) );
				return;
			}
			/* translators: %s: the reason */
			$order->add_order_note( sprintf( __( 'FrontGo: the reservation could not be cancelled: %s. Cancel it in the FrontGo portal.', 'frontgate-woocommerce' ), $e->getMessage() ) );
			self::notice( $order, __( 'The FrontGo reservation could not be cancelled, so the amount stays reserved on the customer\'s card; see the order notes.', 'frontgate-woocommerce' ) );
		}
	}

	/**
	 * Hooked to woocommerce_order_actions: adds the FrontGo actions.
	 *
	 * @param array    $actions Actions.
	 * @param WC_Order $order   Order (WooCommerce 8.3+; else the global order).
	 * @return array
	 */
	public function order_actions( $actions, $order = null ) {
		if ( null === $order ) {
			global $theorder;
			$order = $theorder;
		}
		if ( ! self::ours( $order ) ) {
			return $actions;
		}
		$status = (string) $order->get_meta( Frontgate_Outcome_Handler::META_STATUS );
		if ( self::awaiting_payment( $order, $status ) ) {
			$actions['frontgate_resend_link'] = __( 'Resend FrontGo payment link', 'frontgate-woocommerce' );
		}
		if ( in_array( $status, Frontgate_Charges::CHARGEABLE, true ) ) {
			// Not while only reserved: a charge would end the reservation's capture.
			$actions['frontgate_charge'] = __( 'Charge additional amount (FrontGo)', 'frontgate-woocommerce' );
		}
		if ( is_array( $order->get_meta( Frontgate_Gateway::META_REFUND_PENDING ) ) ) {
			$actions['frontgate_refund_checked'] = __( 'FrontGo: earlier refund checked', 'frontgate-woocommerce' );
		}
		return $actions;
	}

	/**
	 * The merchant has checked, in the FrontGo portal, a refund whose
	 * outcome could not be told, and recorded what was refunded: refunds
	 * through FrontGo go on, without comparing totals again.
	 *
	 * @param WC_Order $order Order.
	 */
	public function refund_checked( $order ) {
		$pending = $order->get_meta( Frontgate_Gateway::META_REFUND_PENDING );
		if ( ! is_array( $pending ) ) {
			return;
		}
		$order->delete_meta_data( Frontgate_Gateway::META_REFUND_PENDING );
		$order->add_order_note(
			sprintf(
				/* translators: %s: amount */
				__( 'FrontGo: the earlier refund of %s, whose outcome could not be told, was checked in the FrontGo portal; refunds through FrontGo go on.', 'frontgate-woocommerce' ),
				Frontgate_Money::format( (int) $pending['amount'] )
			)
		);
		$order->save();
	}

	/**
	 * The "Resend payment link" action: to the billing e-mail and phone.
	 *
	 * @param WC_Order $order Order.
	 */
	public function resend_link( $order ) {
		if ( ! self::ours( $order ) ) {
			return;
		}
		$body = array( 'email' => $order->get_billing_email() );
		try {
			list( $code, $msisdn ) = Frontgate_Phone::split( $order->get_billing_phone(), $order->get_billing_country(), '+47' );
			$body['countryCode']   = $code;
			$body['msisdn']        = $msisdn;
		} catch ( InvalidArgumentException $e ) {
			unset( $e ); // No usable phone: by e-mail only.
		}
		try {
			$this->gateway->client_for( $order )->operate( (string) $order->get_meta( Frontgate_Outcome_Handler::META_RESERVATION ), 'resend', $body, Frontgate_Sidecar_Client::idempotency_key( 'resend', $order->get_order_key(), time() ) );
			$order->add_order_note( __( 'FrontGo: payment link sent again.', 'frontgate-woocommerce' ) );
		} catch ( Frontgate_Sidecar_Exception $e ) {
			/* translators: %s: the reason */
			$order->add_order_note( sprintf( __( 'FrontGo: the payment link could not be resent: %s', 'frontgate-woocommerce' ), $e->getMessage() ) );
		}
	}

	/**
	 * The "Charge additional amount" action, with the amount, VAT rate, text
	 * and charge number from the FrontGo box (WooCommerce checked the order
	 * form's nonce). Frontgate_Charges charges once and adds the charge to
	 * the order as a fee line.
	 *
	 * @param WC_Order $order Order.
	 * @return string What happened (Frontgate_Charges::charge()), '' for another gateway's order.
	 */
	public function charge( $order ) {
		if ( ! self::ours( $order ) ) {
			return '';
		}
		// phpcs:disable WordPress.Security.NonceVerification.Missing -- verified by WooCommerce's order save.
		$amount = isset( $_POST['frontgate_charge_amount'] ) ? sanitize_text_field( wp_unslash( $_POST['frontgate_charge_amount'] ) ) : '';
		$rate   = isset( $_POST['frontgate_charge_tax_rate'] ) ? sanitize_text_field( wp_unslash( $_POST['frontgate_charge_tax_rate'] ) ) : '25';
		$text   = isset( $_POST['frontgate_charge_text'] ) ? sanitize_text_field( wp_unslash( $_POST['frontgate_charge_text'] ) ) : '';
		$seq    = isset( $_POST['frontgate_charge_seq'] ) ? sanitize_text_field( wp_unslash( $_POST['frontgate_charge_seq'] ) ) : '';
		// phpcs:enable
		$result = ( new Frontgate_Charges( $this->gateway ) )->charge( $order, $amount, $rate, $text, $seq );
		if ( 'duplicate' === $result ) {
			self::notice( $order, __( 'This additional charge was already handled (the form was sent twice, or was out of date); nothing more was charged. See the order notes.', 'frontgate-woocommerce' ) );
		} elseif ( 'unknown' === $result ) {
			self::notice( $order, __( 'The outcome of the additional charge is not known yet; see the order notes, then submit the same charge again.', 'frontgate-woocommerce' ) );
		} elseif ( in_array( $result, array( 'failed', 'invalid', 'busy' ), true ) ) {
			self::notice( $order, __( 'No additional amount was charged; see the order notes.', 'frontgate-woocommerce' ) );
		}
		return $result;
	}

	/**
	 * Hooked to add_meta_boxes: the FrontGo box on the order screen (HPOS or posts).
	 */
	public function add_meta_box() {
		$screen = 'shop_order';
		if ( function_exists( 'wc_get_container' ) && class_exists( '\Automattic\WooCommerce\Internal\DataStores\Orders\CustomOrdersTableController' )
			&& wc_get_container()->get( \Automattic\WooCommerce\Internal\DataStores\Orders\CustomOrdersTableController::class )->custom_orders_table_usage_is_enabled() ) {
			$screen = wc_get_page_screen_id( 'shop-order' );
		}
		add_meta_box( 'frontgate-order', __( 'Front Payment', 'frontgate-woocommerce' ), array( $this, 'render_meta_box' ), $screen, 'side', 'default' );
	}

	/**
	 * Renders the FrontGo box: the reservation, its status, the additional
	 * charges made, and the fields of a new one. The hidden charge number
	 * makes the form good for one charge: sent twice, it charges once.
	 *
	 * @param WP_Post|WC_Order $post_or_order The order (HPOS) or its post.
	 */
	public function render_meta_box( $post_or_order ) {
		$order = $post_or_order instanceof WC_Order ? $post_or_order : wc_get_order( $post_or_order->ID );
		if ( ! self::ours( $order ) ) {
			echo '<p>' . esc_html__( 'Not paid with Front Payment.', 'frontgate-woocommerce' ) . '</p>';
			return;
		}
		$status = (string) $order->get_meta( Frontgate_Outcome_Handler::META_STATUS );
		echo '<p><strong>' . esc_html__( 'Reservation', 'frontgate-woocommerce' ) . ':</strong> <code>' . esc_html( (string) $order->get_meta( Frontgate_Outcome_Handler::META_RESERVATION ) ) . '</code><br>';
		echo '<strong>' . esc_html__( 'Status', 'frontgate-woocommerce' ) . ':</strong> ' . esc_html( '' !== $status ? $status : '—' ) . '</p>';
		$charges = Frontgate_Charges::records( $order );
		if ( ! empty( $charges ) ) {
			echo '<p><strong>' . esc_html__( 'Additional charges', 'frontgate-woocommerce' ) . ':</strong></p><ul>';
			foreach ( $charges as $c ) {
				$line = Frontgate_Money::format( (int) $c['amount'] ) . ' ' . $c['text'] . ( ! empty( $c['reference'] ) ? ' (' . $c['reference'] . ')' : '' );
				if ( ! empty( $c['refunded'] ) ) {
					$line .= ' — ' . __( 'refunded', 'frontgate-woocommerce' );
				}
				echo '<li>' . esc_html( $line ) . '</li>';
			}
			echo '</ul>';
		}
		if ( ! in_array( $status, Frontgate_Charges::CHARGEABLE, true ) ) {
			if ( 'RESERVED' === $status ) {
				echo '<p class="description">' . esc_html__( 'An additional amount can be charged to the card once the reservation is captured.', 'frontgate-woocommerce' ) . '</p>';
			}
			return;
		}
		$pending = Frontgate_Charges::pending( $order );
		$amount  = $pending ? str_replace( '.', ',', Frontgate_Money::format( (int) $pending['amount'] ) ) : '';
		$rate    = $pending ? Frontgate_Money::format_rate( (int) $pending['rate'] ) : '25';
		$text    = $pending ? (string) $pending['text'] : '';
		if ( $pending ) {
			echo '<p class="notice notice-warning inline">' . esc_html__( 'The last additional charge has no known outcome. Submit it again unchanged: FrontGo is asked first whether it went through, and it is never made twice.', 'frontgate-woocommerce' ) . '</p>';
		}
		$rates = array();
		foreach ( $this->gateway->mapper_config()['tax_rates'] as $r ) {
			$rates[] = Frontgate_Money::format_rate( $r );
		}
		$rates = empty( $rates ) ? array( '25', '15', '12', '0' ) : $rates;
		usort(
			$rates,
			function ( $a, $b ) {
				return Frontgate_Money::to_rate( $b ) - Frontgate_Money::to_rate( $a );
			}
		);
		echo '<input type="hidden" name="frontgate_charge_seq" value="' . esc_attr( (string) Frontgate_Charges::next_seq( $order ) ) . '">';
		echo '<p><label for="frontgate_charge_amount">' . esc_html__( 'Additional amount (incl. VAT)', 'frontgate-woocommerce' ) . '</label><br>';
		echo '<input type="text" inputmode="decimal" id="frontgate_charge_amount" name="frontgate_charge_amount" placeholder="0,00" value="' . esc_attr( $amount ) . '" style="width:100%"></p>';
		echo '<p><label for="frontgate_charge_tax_rate">' . esc_html__( 'VAT rate', 'frontgate-woocommerce' ) . '</label><br><select id="frontgate_charge_tax_rate" name="frontgate_charge_tax_rate">';
		foreach ( $rates as $r ) {
			echo '<option value="' . esc_attr( $r ) . '"' . ( $r === $rate ? ' selected' : '' ) . '>' . esc_html( $r ) . ' %</option>';
		}
		echo '</select></p>';
		echo '<p><label for="frontgate_charge_text">' . esc_html__( 'Text on the receipt', 'frontgate-woocommerce' ) . '</label><br>';
		echo '<input type="text" id="frontgate_charge_text" name="frontgate_charge_text" value="' . esc_attr( $text ) . '" style="width:100%"></p>';
		echo '<p class="description">' . esc_html__( 'Choose "Charge additional amount (FrontGo)" under Order actions and update the order. The amount is charged to the card on file and added to the order as a fee line, which can be refunded in full from the order screen.', 'frontgate-woocommerce' ) . '</p>';
	}

	/**
	 * Hooked to woocommerce_cancel_unpaid_order: WooCommerce's hold-stock
	 * timer must not cancel an order whose link is open or whose amount is
	 * reserved.
	 *
	 * @param bool     $cancel Whether WooCommerce would cancel it.
	 * @param WC_Order $order  The order.
	 * @return bool
	 */
	public static function keep_reserved_orders( $cancel, $order ) {
		if ( ! $cancel || ! self::ours( $order ) ) {
			return $cancel;
		}
		$status = (string) $order->get_meta( Frontgate_Outcome_Handler::META_STATUS );
		if ( 'RESERVED' === $status ) {
			return false;
		}
		if ( self::awaiting_payment( $order, $status ) ) {
			return self::link_expired( $order );
		}
		return $cancel;
	}

	/**
	 * Shows an admin notice on the next page load.
	 *
	 * @param WC_Order $order   Order.
	 * @param string   $message Message.
	 */
	private static function notice( $order, $message ) {
		if ( function_exists( 'get_current_user_id' ) && get_current_user_id() ) {
			set_transient( 'frontgate_notice_' . get_current_user_id(), $message . ' #' . $order->get_order_number(), 60 );
		}
	}
}
