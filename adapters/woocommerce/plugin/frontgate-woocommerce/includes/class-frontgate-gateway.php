<?php
/**
 * The payment gateway.
 *
 * @package Frontgate_WooCommerce
 */

defined( 'ABSPATH' ) || exit;

/**
 * Front Payment card reservations through the frontgate sidecar: settings,
 * checkout (process_payment) and refunds (process_refund). Hooks are
 * registered by Frontgate_Plugin, not here.
 */
class Frontgate_Gateway extends WC_Payment_Gateway {

	/** The gateway id, also the order's payment method. */
	const ID = 'frontgate';

	/** Order meta: the checkout attempt (a new one after a reservation fails). */
	const META_ATTEMPT = '_frontgate_attempt';

	/** Order meta: when the checkout's link or session expires (Unix). */
	const META_EXPIRES = '_frontgate_expires_at';

	/** Order meta: a refund sent whose outcome is not known (see settle_unknown_refund()). */
	const META_REFUND_PENDING = '_frontgate_refund_pending';

	/** Order meta: the mode (test or live) the order's checkout was started in. */
	const META_MODE = Frontgate_Outcome_Handler::META_MODE;

	/**
	 * Constructor.
	 */
	public function __construct() {
		$this->id                 = self::ID;
		$this->method_title       = __( 'Front Payment (card reservation)', 'frontgate-woocommerce' );
		$this->method_description = __( 'Reserves the amount on the customer\'s card at checkout and captures it when the order ships, through the frontgate sidecar.', 'frontgate-woocommerce' );
		$this->has_fields         = false;
		$this->supports           = array( 'products', 'refunds' );
		$this->init_form_fields();
		$this->init_settings();
		$this->title       = $this->get_option( 'title' );
		$this->description = $this->get_option( 'description' );
		$this->enabled     = $this->get_option( 'enabled' );
	}

	/**
	 * The settings form.
	 */
	public function init_form_fields() {
		$statuses = function_exists( 'wc_get_order_statuses' ) ? wc_get_order_statuses() : array();
		$capture  = array();
		foreach ( $statuses as $slug => $label ) {
			$slug = 0 === strpos( $slug, 'wc-' ) ? substr( $slug, 3 ) : $slug;
			if ( ! in_array( $slug, array( 'pending', 'cancelled', 'refunded', 'failed', 'checkout-draft', 'on-hold' ), true ) ) {
				$capture[ $slug ] = $label;
			}
		}
		$webhook_url = function_exists( 'WC' ) ? WC()->api_request_url( 'frontgate' ) : '';

		$this->form_fields = array(
			'enabled'            => array(
				'title'   => __( 'Enable', 'frontgate-woocommerce' ),
				'type'    => 'checkbox',
				'label'   => __( 'Offer card payment with Front Payment', 'frontgate-woocommerce' ),
				'default' => 'no',
			),
			'title'              => array(
				'title'   => __( 'Title', 'frontgate-woocommerce' ),
				'type'    => 'text',
				'default' => __( 'Card', 'frontgate-woocommerce' ),
			),
			'description'        => array(
				'title'   => __( 'Description', 'frontgate-woocommerce' ),
				'type'    => 'textarea',
				'default' => __( 'Pay with Visa or Mastercard. The amount is reserved now and charged when your order ships.', 'frontgate-woocommerce' ),
			),
			'sidecar_url'        => array(
				'title'       => __( 'Sidecar URL', 'frontgate-woocommerce' ),
				'type'        => 'url',
				'description' => __( 'Where your frontgate sidecar answers, e.g. https://pay.example.no. Plain http only to this machine or a private network: every request carries the API key.', 'frontgate-woocommerce' ),
				'default'     => '',
			),
			'shop_id'            => array(
				'title'       => __( 'Shop id', 'frontgate-woocommerce' ),
				'type'        => 'text',
				'description' => __( 'This shop\'s id in the sidecar\'s configuration. Webhooks for other shops are refused.', 'frontgate-woocommerce' ),
				'default'     => '',
			),
			'api_key'            => array(
				'title'   => __( 'API key', 'frontgate-woocommerce' ),
				'type'    => 'password',
				'default' => '',
			),
			'webhook_secret'     => array(
				'title'       => __( 'Webhook secret', 'frontgate-woocommerce' ),
				'type'        => 'password',
				/* translators: %s: this shop's webhook URL */
				'description' => sprintf( __( 'The secret the sidecar signs webhooks with. Set the shop\'s webhookUrl in the sidecar to %s.', 'frontgate-woocommerce' ), '<code>' . esc_html( $webhook_url ) . '</code>' ),
				'default'     => '',
			),
			'webhook_secret_old' => array(
				'title'       => __( 'Previous webhook secret', 'frontgate-woocommerce' ),
				'type'        => 'password',
				'description' => __( 'While rotating secrets: webhooks signed with this one are still accepted. Clear it when the rotation is done.', 'frontgate-woocommerce' ),
				'default'     => '',
			),
			'checkout_mode'      => array(
				'title'       => __( 'Checkout', 'frontgate-woocommerce' ),
				'type'        => 'select',
				'options'     => array(
					'session' => __( 'Pay now: send the customer to the card page', 'frontgate-woocommerce' ),
					'link'    => __( 'Payment link: FrontGo sends a link by SMS and e-mail', 'frontgate-woocommerce' ),
				),
				'default'     => 'session',
			),
			'reserved_status'    => array(
				'title'       => __( 'Order status when reserved', 'frontgate-woocommerce' ),
				'type'        => 'select',
				'options'     => array(
					'on-hold'    => _x( 'On hold', 'Order status', 'frontgate-woocommerce' ),
					'processing' => _x( 'Processing', 'Order status', 'frontgate-woocommerce' ),
				),
				'description' => __( 'Set the same in the sidecar\'s configuration for this shop (statuses.reserved), or the plugin logs that they differ.', 'frontgate-woocommerce' ),
				'default'     => 'on-hold',
			),
			'cancelled_status'   => array(
				'title'       => __( 'Order status when cancelled or expired', 'frontgate-woocommerce' ),
				'type'        => 'select',
				'options'     => array(
					'cancelled' => _x( 'Cancelled', 'Order status', 'frontgate-woocommerce' ),
					'failed'    => _x( 'Failed', 'Order status', 'frontgate-woocommerce' ),
				),
				'description' => __( 'When the reservation is cancelled or runs out. Set the same in the sidecar\'s configuration for this shop (statuses.cancelled and statuses.expired).', 'frontgate-woocommerce' ),
				'default'     => 'cancelled',
			),
			'refunded_status'    => array(
				'title'       => __( 'Order status when refunded in full', 'frontgate-woocommerce' ),
				'type'        => 'select',
				'options'     => array(
					''         => __( 'Unchanged (a note only)', 'frontgate-woocommerce' ),
					'refunded' => _x( 'Refunded', 'Order status', 'frontgate-woocommerce' ),
				),
				'description' => __( 'When FrontGo reports everything refunded (say, from its portal). Set the same in the sidecar\'s configuration for this shop (statuses.refunded).', 'frontgate-woocommerce' ),
				'default'     => '',
			),
			'capture_status'     => array(
				'title'       => __( 'Capture when the order becomes', 'frontgate-woocommerce' ),
				'type'        => 'select',
				'options'     => $capture,
				'description' => __( 'Norwegian law lets you charge the customer only when the goods are sent: capture on "Completed" unless you ship before completing orders.', 'frontgate-woocommerce' ),
				'default'     => 'completed',
			),
			'testmode'           => array(
				'title'       => __( 'Test mode', 'frontgate-woocommerce' ),
				'type'        => 'checkbox',
				'label'       => __( 'Use the test sidecar (running against the FrontGo sandbox)', 'frontgate-woocommerce' ),
				'default'     => 'no',
			),
			'test_sidecar_url'   => array(
				'title'   => __( 'Test sidecar URL', 'frontgate-woocommerce' ),
				'type'    => 'url',
				'default' => 'http://127.0.0.1:8080',
			),
			'test_api_key'       => array(
				'title'   => __( 'Test API key', 'frontgate-woocommerce' ),
				'type'    => 'password',
				'default' => '',
			),
			'test_webhook_secret' => array(
				'title'   => __( 'Test webhook secret', 'frontgate-woocommerce' ),
				'type'    => 'password',
				'default' => '',
			),
			'org_meta_key'       => array(
				'title'       => __( 'Organisation number meta key', 'frontgate-woocommerce' ),
				'type'        => 'text',
				'description' => __( 'The order meta a checkout field plugin stores the buyer\'s organisation number in. A company with one pays as a corporate customer.', 'frontgate-woocommerce' ),
				'default'     => '_billing_organization_number',
			),
			'tax_rates'          => array(
				'title'       => __( 'Tax rates', 'frontgate-woocommerce' ),
				'type'        => 'text',
				'description' => __( 'The VAT rates (percent) your FrontGo account accepts, comma separated.', 'frontgate-woocommerce' ),
				'default'     => '0, 12, 15, 25',
			),
			'rounding_tolerance' => array(
				'title'       => __( 'Rounding tolerance (øre)', 'frontgate-woocommerce' ),
				'type'        => 'number',
				'description' => __( 'If WooCommerce rounds tax at subtotal level, the lines may differ from the order total by an øre or two; up to this many are absorbed into the largest line. 0 refuses any difference.', 'frontgate-woocommerce' ),
				'default'     => '0',
			),
			'debug'              => array(
				'title'   => __( 'Debug log', 'frontgate-woocommerce' ),
				'type'    => 'checkbox',
				'label'   => __( 'Write debug lines to WooCommerce → Status → Logs (source "frontgate")', 'frontgate-woocommerce' ),
				'default' => 'no',
			),
		);
	}

	/**
	 * The settings page: WooCommerce's fields, then the events the sidecar
	 * could not deliver to this shop (Frontgate_Dead_Letters).
	 */
	public function admin_options() {
		parent::admin_options();
		echo ( new Frontgate_Dead_Letters( $this ) )->html(); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- html() escapes every value.
	}

	/**
	 * Whether test mode is on.
	 *
	 * @return bool
	 */
	public function is_test_mode() {
		return 'yes' === $this->get_option( 'testmode' );
	}

	/**
	 * Checks the live sidecar URL as the settings are saved (WooCommerce
	 * calls validate_{key}_field and shows an exception's message).
	 *
	 * @param string $key   The field.
	 * @param string $value What was entered.
	 * @return string
	 * @throws Exception When the URL would send the API key in clear.
	 */
	public function validate_sidecar_url_field( $key, $value ) {
		return self::checked_sidecar_url( $value, __( 'Sidecar URL', 'frontgate-woocommerce' ) );
	}

	/**
	 * Checks the test sidecar URL as the settings are saved.
	 *
	 * @param string $key   The field.
	 * @param string $value What was entered.
	 * @return string
	 * @throws Exception When the URL would send the API key in clear.
	 */
	public function validate_test_sidecar_url_field( $key, $value ) {
		return self::checked_sidecar_url( $value, __( 'Test sidecar URL', 'frontgate-woocommerce' ) );
	}

	/**
	 * A sidecar URL as saved: empty, https, or plain http only to this
	 * machine or a private network (an address in 10/8, 172.16/12,
	 * 192.168/16, or a name without a dot, as containers name each other):
	 * every request carries the shop's API key.
	 *
	 * @param string $value What was entered.
	 * @param string $label The field's name, for the message.
	 * @return string
	 * @throws Exception When it is not such a URL.
	 */
	public static function checked_sidecar_url( $value, $label ) {
		$url = trim( (string) $value );
		if ( '' === $url ) {
			return '';
		}
		$parts  = wp_parse_url( $url );
		$scheme = isset( $parts['scheme'] ) ? strtolower( $parts['scheme'] ) : '';
		$host   = isset( $parts['host'] ) ? strtolower( trim( $parts['host'], '[]' ) ) : '';
		if ( '' === $host || ! in_array( $scheme, array( 'http', 'https' ), true ) ) {
			/* translators: %s: the field's name */
			throw new Exception( sprintf( __( '%s: enter an http(s) URL, such as https://pay.example.no.', 'frontgate-woocommerce' ), $label ) );
		}
		$internal = 'localhost' === $host || false === strpos( $host, '.' )
			|| ( filter_var( $host, FILTER_VALIDATE_IP ) && ! filter_var( $host, FILTER_VALIDATE_IP, FILTER_FLAG_NO_PRIV_RANGE | FILTER_FLAG_NO_RES_RANGE ) );
		if ( 'http' === $scheme && ! $internal ) {
			/* translators: %s: the field's name */
			throw new Exception( sprintf( __( '%s: use https. Plain http would send the shop\'s API key in clear; it is allowed only to this machine or a private network address.', 'frontgate-woocommerce' ), $label ) );
		}
		return $url;
	}

	/**
	 * The mode the settings are in now: 'test' or 'live'.
	 *
	 * @return string
	 */
	public function mode() {
		return $this->is_test_mode() ? 'test' : 'live';
	}

	/**
	 * The mode an order was paid in: the one its checkout was started in
	 * (META_MODE), else (an order from before the mode was recorded) the
	 * current one. Its reservation lives at that mode's sidecar only, so
	 * every operation on it goes there, also after the merchant has
	 * switched test mode on or off.
	 *
	 * @param WC_Order $order The order.
	 * @return string 'test' or 'live'.
	 */
	public function order_mode( $order ) {
		$m = $order ? (string) $order->get_meta( self::META_MODE ) : '';
		return in_array( $m, array( 'test', 'live' ), true ) ? $m : $this->mode();
	}

	/**
	 * The sidecar client of a mode.
	 *
	 * @param int         $timeout  Seconds per request.
	 * @param int         $attempts Tries of a request that may pass on a second try.
	 * @param string|null $mode     'test' or 'live'; null for the current mode.
	 * @return Frontgate_Sidecar_Client
	 */
	public function client( $timeout = 20, $attempts = 3, $mode = null ) {
		$test = null === $mode ? $this->is_test_mode() : 'test' === $mode;
		return new Frontgate_Sidecar_Client(
			$this->get_option( $test ? 'test_sidecar_url' : 'sidecar_url' ),
			$this->get_option( $test ? 'test_api_key' : 'api_key' ),
			$this->logger(),
			$timeout,
			$attempts
		);
	}

	/**
	 * The sidecar client of the mode an order was paid in (order_mode()).
	 *
	 * @param WC_Order $order    The order.
	 * @param int      $timeout  Seconds per request.
	 * @param int      $attempts Tries of a request that may pass on a second try.
	 * @return Frontgate_Sidecar_Client
	 */
	public function client_for( $order, $timeout = 20, $attempts = 3 ) {
		return $this->client( $timeout, $attempts, $this->order_mode( $order ) );
	}

	/**
	 * Whether the sidecar's URL and API key are set for the current mode.
	 *
	 * @return bool
	 */
	public function is_configured() {
		$test = $this->is_test_mode();
		return '' !== (string) $this->get_option( $test ? 'test_sidecar_url' : 'sidecar_url' ) && '' !== (string) $this->get_option( $test ? 'test_api_key' : 'api_key' );
	}

	/**
	 * The webhook secrets accepted in the current mode.
	 *
	 * @return string[]
	 */
	public function webhook_secrets() {
		$all = $this->webhook_secrets_by_mode();
		return $all[ $this->mode() ];
	}

	/**
	 * The webhook secrets of each mode: the live sidecar's (current and
	 * previous) and the test sidecar's.
	 *
	 * @return array 'live' => string[], 'test' => string[].
	 */
	public function webhook_secrets_by_mode() {
		return array(
			'live' => array_values( array_filter( array( (string) $this->get_option( 'webhook_secret' ), (string) $this->get_option( 'webhook_secret_old' ) ), 'strlen' ) ),
			'test' => array_values( array_filter( array( (string) $this->get_option( 'test_webhook_secret' ) ), 'strlen' ) ),
		);
	}

	/**
	 * The webhook endpoint: it takes events signed by either mode's
	 * sidecar, each only for orders paid in that mode.
	 *
	 * @return Frontgate_Webhook
	 */
	public function webhook() {
		$log = $this->logger();
		return new Frontgate_Webhook( $this->webhook_secrets_by_mode(), new Frontgate_Outcome_Handler( $log, $this->outcome_settings() ), $log, (string) $this->get_option( 'shop_id', '' ), $this->mode() );
	}

	/**
	 * The logger.
	 *
	 * @return Frontgate_Logger
	 */
	public function logger() {
		return new Frontgate_Logger( 'yes' === $this->get_option( 'debug' ) || $this->is_test_mode() );
	}

	/**
	 * Settings of outcomes.
	 *
	 * @return array
	 */
	public function outcome_settings() {
		return array(
			'reserved_status'  => $this->get_option( 'reserved_status', 'on-hold' ),
			'cancelled_status' => 'failed' === $this->get_option( 'cancelled_status', 'cancelled' ) ? 'failed' : 'cancelled',
			'refunded_status'  => 'refunded' === $this->get_option( 'refunded_status', '' ) ? 'refunded' : '',
		);
	}

	/**
	 * The mapper's configuration.
	 *
	 * @return array
	 */
	public function mapper_config() {
		$rates = array();
		foreach ( explode( ',', (string) $this->get_option( 'tax_rates', '0, 12, 15, 25' ) ) as $r ) {
			try {
				$rates[] = Frontgate_Money::to_rate( trim( $r ) );
			} catch ( InvalidArgumentException $e ) {
				$this->logger()->warning( 'ignoring a tax rate setting that is not a percentage', array( 'value' => $r ) );
			}
		}
		$lang = substr( (string) get_locale(), 0, 2 );
		return array(
			'tax_rates'          => $rates,
			'org_meta_key'       => (string) $this->get_option( 'org_meta_key', '' ),
			'rounding_tolerance' => max( 0, (int) $this->get_option( 'rounding_tolerance', '0' ) ),
			'preferred_language' => in_array( $lang, array( 'nb', 'nn' ), true ) ? 'no' : ( in_array( $lang, array( 'en', 'sv', 'da', 'de' ), true ) ? $lang : '' ),
		);
	}

	/**
	 * Available only when the sidecar is configured and the shop's
	 * currency is one FrontGo takes (the order mapper's): a shopper paying
	 * in another currency (a currency switcher) would otherwise choose card
	 * payment and have the order refused after placing it.
	 *
	 * @return bool
	 */
	public function is_available() {
		if ( function_exists( 'get_woocommerce_currency' ) ) {
			$accepted = array_map( 'strtoupper', Frontgate_Order_Mapper::DEFAULTS['currencies'] );
			if ( ! in_array( strtoupper( (string) get_woocommerce_currency() ), $accepted, true ) ) {
				return false;
			}
		}
		return $this->is_configured() && parent::is_available();
	}

	/**
	 * Starts the checkout at the sidecar and sends the shopper to FrontGo's
	 * card page (or, for payment links, to the thank-you page).
	 *
	 * @param int $order_id The order.
	 * @return array
	 */
	public function process_payment( $order_id ) {
		$order = wc_get_order( $order_id );
		$log   = $this->logger();
		try {
			$mapper = new Frontgate_Order_Mapper( $this->mapper_config() );
			$mapped = $mapper->map( Frontgate_Order_Mapper::from_wc_order( $order, (string) $this->get_option( 'org_meta_key', '' ) ) );
		} catch ( Frontgate_Mapping_Exception $e ) {
			$log->error( 'order not mapped', array( 'order' => $order_id, 'problems' => $e->getMessage() ) );
			/* translators: %s: the reasons */
			$order->add_order_note( sprintf( __( 'FrontGo: the order could not be sent for payment: %s', 'frontgate-woocommerce' ), $e->getMessage() ) );
			if ( $e->has( 'customer' ) ) {
				wc_add_notice( __( 'Please enter your mobile number: the card payment needs it.', 'frontgate-woocommerce' ), 'error' );
			} else {
				wc_add_notice( __( 'This order cannot be paid by card right now. Please choose another payment method, or contact us.', 'frontgate-woocommerce' ), 'error' );
			}
			return array( 'result' => 'failure' );
		}

		$mode  = 'link' === $this->get_option( 'checkout_mode' ) ? 'link' : 'session';
		$wired = Frontgate_Order_Mapper::wire( $mapped['order'] );
		if ( 'link' === $mode ) {
			$wired['sendOrderBy'] = array(
				'sms'   => true,
				'email' => true,
			);
		}
		$body = array(
			'mode'    => $mode,
			'orderId' => (string) $order->get_id(),
			'order'   => $wired,
		);
		if ( 'session' === $mode ) {
			$body['returnUrls'] = array(
				'success' => $this->get_return_url( $order ),
				'failure' => $order->get_checkout_payment_url( false ),
			);
		}
		$attempt = max( 1, (int) $order->get_meta( self::META_ATTEMPT ) );
		$last    = (string) $order->get_meta( Frontgate_Outcome_Handler::META_STATUS );
		$expires = (int) $order->get_meta( self::META_EXPIRES );
		if ( in_array( $last, array( 'CANCELLED', 'EXPIRED' ), true ) || ( $expires > 0 && $expires < time() ) ) {
			++$attempt; // The earlier reservation is over: start a new one.
		}
		$client = $this->client();
		try {
			try {
				$checkout = $client->create_checkout( $body, Frontgate_Sidecar_Client::idempotency_key( 'checkout', $order->get_order_key(), $attempt ) );
			} catch ( Frontgate_Sidecar_Exception $e ) {
				if ( 409 !== $e->http_status || 'idempotency_mismatch' !== $e->error_code ) {
					throw $e;
				}
				// The order changed since the last attempt (new details): a new attempt.
				++$attempt;
				$checkout = $client->create_checkout( $body, Frontgate_Sidecar_Client::idempotency_key( 'checkout', $order->get_order_key(), $attempt ) );
			}
		} catch ( Frontgate_Sidecar_Exception $e ) {
			$log->error(
				'checkout failed',
				array(
					'order'      => $order_id,
					'status'     => $e->http_status,
					'code'       => $e->error_code,
					'error'      => $e->getMessage(),
					'fields'     => $e->fields,
					'request_id' => $e->request_id,
				)
			);
			/* translators: %s: the sidecar's message */
			$order->add_order_note( sprintf( __( 'FrontGo: the payment could not be started: %s', 'frontgate-woocommerce' ), $e->getMessage() ) );
			wc_add_notice( $e->shopper_message(), 'error' );
			return array( 'result' => 'failure' );
		}

		// The same checkout again (the shopper is back on the pay page after
		// a declined card, or clicked twice): the sidecar answered with the
		// checkout already recorded, so nothing changes.
		$resumed = (string) $checkout['checkoutId'] === (string) $order->get_meta( Frontgate_Outcome_Handler::META_CHECKOUT );
		if ( ! $resumed ) {
			$this->close_superseded( $order, (string) $checkout['reservationUuid'], $last );
			$this->record_checkout( $order, $checkout, $mapped, $attempt );
		}
		$log->info(
			$resumed ? 'checkout resumed' : 'checkout created',
			array(
				'order'       => $order_id,
				'checkout'    => $checkout['checkoutId'],
				'reservation' => $checkout['reservationUuid'],
				'mode'        => $mode,
			)
		);
		if ( 'link' === $mode ) {
			WC()->cart && WC()->cart->empty_cart();
			return array(
				'result'   => 'success',
				'redirect' => $this->get_return_url( $order ),
			);
		}
		return array(
			'result'   => 'success',
			'redirect' => (string) $checkout['redirectUrl'],
		);
	}

	/**
	 * Closes the order's earlier reservation when a new checkout replaces
	 * it (the order changed) while the earlier one could still be paid: its
	 * payment link or card page stays open at FrontGo otherwise, and a late
	 * payment of it would be ignored here, its amount held on the card until
	 * it expires. Best effort: a failure leaves a note to cancel it by hand.
	 *
	 * @param WC_Order $order The order.
	 * @param string   $new   The new reservation.
	 * @param string   $last  The order's last FrontGo status.
	 */
	private function close_superseded( $order, $new, $last ) {
		$old = (string) $order->get_meta( Frontgate_Outcome_Handler::META_RESERVATION );
		if ( '' === $old || $old === $new || ! in_array( $last, array( '', 'SENT', 'RESERVED NOT PAID' ), true ) ) {
			return;
		}
		try {
			// At the sidecar of the mode the earlier checkout was made in.
			$this->client_for( $order )->operate( $old, 'cancel', array( 'note' => 'WooCommerce order ' . $order->get_order_number() . ' changed; a new payment replaces this one' ), Frontgate_Sidecar_Client::idempotency_key( 'cancel', $order->get_order_key(), $old ) );
			/* translators: 1: the earlier reservation, 2: the new one */
			$order->add_order_note( sprintf( __( 'FrontGo: the earlier payment (reservation %1$s) was closed; the changed order is paid through reservation %2$s.', 'frontgate-woocommerce' ), $old, $new ) );
		} catch ( Frontgate_Sidecar_Exception $e ) {
			$this->logger()->error( 'closing a superseded reservation failed', array( 'order' => $order->get_id(), 'reservation' => $old, 'code' => $e->error_code, 'error' => $e->getMessage() ) );
			/* translators: 1: the earlier reservation, 2: the reason */
			$order->add_order_note( sprintf( __( 'FrontGo: the earlier payment (reservation %1$s) could not be closed: %2$s. Cancel it in the FrontGo portal.', 'frontgate-woocommerce' ), $old, $e->getMessage() ) );
		}
	}

	/**
	 * Records a new checkout on the order: its reservation, the lines sent
	 * (refunds find their FrontGo lines through them), when it expires, and
	 * its status, SENT until the shopper pays, so that the order actions
	 * and the unpaid-order timer know a payment is awaited.
	 *
	 * @param WC_Order $order    The order.
	 * @param array    $checkout The sidecar's checkout.
	 * @param array    $mapped   The mapper's result: order and items.
	 * @param int      $attempt  The checkout attempt.
	 */
	private function record_checkout( $order, array $checkout, array $mapped, $attempt ) {
		$items = array();
		foreach ( $mapped['items'] as $i => $item ) {
			$items[] = array(
				'item_id'  => $item['item_id'],
				'amount'   => $item['amount'],
				'quantity' => $mapped['order']['lines'][ $i ]['quantity'],
			);
		}
		$order->update_meta_data( self::META_ATTEMPT, $attempt );
		$order->update_meta_data( self::META_MODE, $this->mode() );
		$order->update_meta_data( Frontgate_Outcome_Handler::META_CHECKOUT, (string) $checkout['checkoutId'] );
		$order->update_meta_data( Frontgate_Outcome_Handler::META_RESERVATION, (string) $checkout['reservationUuid'] );
		$order->update_meta_data( Frontgate_Outcome_Handler::META_ITEMS, $items );
		$order->delete_meta_data( Frontgate_Outcome_Handler::META_LINE_IDS );
		$order->update_meta_data( Frontgate_Outcome_Handler::META_STATUS, ! empty( $checkout['status'] ) ? (string) $checkout['status'] : 'SENT' );
		$order->update_meta_data( self::META_EXPIRES, isset( $checkout['expiresAt'] ) ? (int) strtotime( $checkout['expiresAt'] ) : 0 );
		/* translators: %s: reservation id */
		$order->add_order_note( sprintf( __( 'FrontGo: checkout started (reservation %s).', 'frontgate-woocommerce' ), $checkout['reservationUuid'] ) );
		$order->save();
	}

	/**
	 * Refunds from the order screen: the refunded lines go to their FrontGo
	 * lines, the reference is the capture being refunded. A refund of an
	 * additional charge's fee line is paid back from that charge instead
	 * (source "charged", its CHA… id), in full and on its own. A line
	 * refunded with 0 is no part of the refund.
	 *
	 * @param int        $order_id The order.
	 * @param float|null $amount   The refund amount.
	 * @param string     $reason   The reason.
	 * @return bool|WP_Error
	 */
	public function process_refund( $order_id, $amount = null, $reason = '' ) {
		$order = wc_get_order( $order_id );
		$uuid  = $order ? (string) $order->get_meta( Frontgate_Outcome_Handler::META_RESERVATION ) : '';
		if ( '' === $uuid ) {
			return new WP_Error( 'frontgate_refund', __( 'This order has no FrontGo reservation.', 'frontgate-woocommerce' ) );
		}
		$refund = Frontgate_Refunds::being_paid( $order ); // WooCommerce saved it just before calling us.
		$items  = array();
		if ( $refund ) {
			foreach ( $refund->get_items( array( 'line_item', 'shipping', 'fee' ) ) as $item ) {
				$orig = (int) $item->get_meta( '_refunded_item_id' );
				$got  = -Frontgate_Money::to_minor( wc_format_decimal( (float) $item->get_total() + (float) $item->get_total_tax(), 2 ) );
				if ( $orig && 0 !== $got ) {
					$items[ $orig ] = $got;
				}
			}
		}
		$charges = Frontgate_Charges::records( $order );
		$token   = null;
		try {
			$minor  = Frontgate_Money::to_minor( wc_format_decimal( $amount, 2 ) );
			$charge = Frontgate_Refunds::charge_part( $charges, $items, $minor );
			if ( $charge ) {
				( new Frontgate_Charges( $this ) )->refund( $order, $charge, $refund ? $refund->get_id() : 0 );
				$order->add_order_note(
					sprintf(
						/* translators: 1: amount, 2: the charge's text, 3: reason */
						__( 'FrontGo: refund of %1$s requested from the additional charge "%2$s". %3$s', 'frontgate-woocommerce' ),
						wc_price( $amount, array( 'currency' => $order->get_currency() ) ),
						$charge['text'],
						$reason
					)
				);
				return true;
			}
			// Under the order's lock, as charges are: two refunds at once
			// (the same order refunded twice quickly) would each fill the
			// lines from what was left before either, and the second save
			// of the refunded lines would drop the first's.
			$token = Frontgate_Lock::order( $order->get_id() );
			if ( null === $token ) {
				throw new InvalidArgumentException( __( 'The order is busy (a FrontGo update or an additional charge is being applied), so nothing was refunded. Try again in a moment.', 'frontgate-woocommerce' ) );
			}
			$order->read_meta_data( true ); // What another request saved while we waited.
			$captures = $order->get_meta( Frontgate_Outcome_Handler::META_CAPTURES );
			if ( empty( $captures ) ) {
				return new WP_Error( 'frontgate_refund', __( 'Nothing has been captured yet. Cancel the order to release the reservation instead.', 'frontgate-woocommerce' ) );
			}
			$open = false; // A charge on the order not refunded yet.
			foreach ( $charges as $c ) {
				$open = $open || ( ! empty( $c['item_id'] ) && empty( $c['refunded'] ) );
			}
			$done    = $order->get_meta( Frontgate_Outcome_Handler::META_REFUNDED_LINES );
			$done    = is_array( $done ) ? $done : array();
			$pending = $order->get_meta( self::META_REFUND_PENDING );
			if ( is_array( $pending ) && ! empty( $pending['key'] ) ) {
				// An earlier refund's outcome is not known: FrontGo is asked first.
				$made = $this->settle_unknown_refund( $order, $uuid, $pending, $done );
				if ( $made && (int) $pending['amount'] === $minor && $pending['items'] == $items ) { // phpcs:ignore Universal.Operators.StrictComparisonOperator -- item id => øre, keys as ints or strings.
					// This is that refund, sent again: it went through, nothing more is sent.
					$order->add_order_note(
						sprintf(
							/* translators: 1: amount, 2: reason */
							__( 'FrontGo: refund of %1$s made (FrontGo confirmed the earlier attempt whose outcome was not known; nothing was refunded twice). %2$s', 'frontgate-woocommerce' ),
							wc_price( $amount, array( 'currency' => $order->get_currency() ) ),
							$reason
						)
					);
					return true;
				}
			}
			try {
				$lines = Frontgate_Refunds::lines( (array) $order->get_meta( Frontgate_Outcome_Handler::META_LINE_IDS ), $items, $minor, $done );
			} catch ( InvalidArgumentException $e ) {
				if ( empty( $items ) && $open ) {
					throw new InvalidArgumentException( $e->getMessage() . ' ' . __( 'To refund an additional charge, refund its fee line.', 'frontgate-woocommerce' ) );
				}
				throw $e;
			}
			$key = Frontgate_Sidecar_Client::idempotency_key( 'refund', $order->get_order_key(), $refund ? $refund->get_id() : $minor );
			try {
				$this->client_for( $order )->operate(
					$uuid,
					'refund',
					array(
						'lines'     => $lines,
						'source'    => 'captured',
						'reference' => (string) end( $captures ),
					),
					$key
				);
			} catch ( Frontgate_Sidecar_Exception $e ) {
				if ( ! $e->outcome_unknown() ) {
					throw $e;
				}
				// FrontGo may have refunded it; WooCommerce drops the refund
				// on the error. Remembered, so that the next refund asks
				// FrontGo first and never pays this one twice.
				$order->update_meta_data(
					self::META_REFUND_PENDING,
					array(
						'key'    => $key,
						'lines'  => $lines,
						'amount' => $minor,
						'items'  => $items,
						'at'     => time(),
					)
				);
				$order->save();
				$this->logger()->error( 'refund outcome unknown; the next refund asks FrontGo first', array( 'order' => $order_id, 'status' => $e->http_status, 'code' => $e->error_code, 'error' => $e->getMessage() ) );
				$msg = sprintf(
					/* translators: 1: amount, 2: the reason */
					__( 'The outcome of the refund of %1$s is not known (%2$s): FrontGo may have made it. WooCommerce has not recorded it. Refund again in a moment: FrontGo is asked first whether it went through, and it is never paid twice.', 'frontgate-woocommerce' ),
					Frontgate_Money::format( $minor ),
					$e->getMessage()
				);
				$order->add_order_note( 'FrontGo: ' . $msg );
				return new WP_Error( 'frontgate_refund', $msg );
			}
			foreach ( $lines as $l ) { // So that the next refund fills the lines from what is left.
				$done[ $l['id'] ] = ( isset( $done[ $l['id'] ] ) ? (int) $done[ $l['id'] ] : 0 ) + (int) $l['amount'];
			}
			$order->update_meta_data( Frontgate_Outcome_Handler::META_REFUNDED_LINES, $done );
			$order->save();
		} catch ( InvalidArgumentException $e ) {
			return new WP_Error( 'frontgate_refund', $e->getMessage() );
		} catch ( Frontgate_Sidecar_Exception $e ) {
			$this->logger()->error( 'refund failed', array( 'order' => $order_id, 'code' => $e->error_code, 'error' => $e->getMessage() ) );
			/* translators: %s: the reason */
			return new WP_Error( 'frontgate_refund', sprintf( __( 'FrontGo refused the refund: %s', 'frontgate-woocommerce' ), $e->getMessage() ) );
		} finally {
			if ( null !== $token ) {
				Frontgate_Lock::release_order( $order->get_id(), $token );
			}
		}
		$order->add_order_note(
			sprintf(
				/* translators: 1: amount, 2: reason */
				__( 'FrontGo: refund of %1$s requested. %2$s', 'frontgate-woocommerce' ),
				wc_price( $amount, array( 'currency' => $order->get_currency() ) ),
				$reason
			)
		);
		return true;
	}

	/**
	 * Finds out whether a refund whose outcome was not known went through:
	 * FrontGo's total refunded from the capture, against what the refunds
	 * recorded here add up to. Exactly that refund more: it was made, and
	 * its lines are recorded as refunded. Nothing more: it was not. Anything
	 * else (a refund made in the FrontGo portal meanwhile) cannot be told
	 * apart, so nothing is refunded, the merchant is told what to check, and
	 * the pending mark stays until the merchant clears it
	 * (Frontgate_Order_Actions::refund_checked()); the first two cases
	 * clear it.
	 *
	 * @param WC_Order $order   The order.
	 * @param string   $uuid    The reservation.
	 * @param array    $pending key, lines, amount (øre), items, at.
	 * @param array    $done    FrontGo line id => øre refunded through the plugin; updated when it was made.
	 * @return bool Whether it was made.
	 * @throws InvalidArgumentException When FrontGo cannot be asked, or its answer cannot tell.
	 */
	private function settle_unknown_refund( $order, $uuid, array $pending, array &$done ) {
		$amount = Frontgate_Money::format( (int) $pending['amount'] );
		try {
			$details = $this->client_for( $order )->get_reservation( $uuid );
		} catch ( Frontgate_Sidecar_Exception $e ) {
			throw new InvalidArgumentException(
				sprintf(
					/* translators: 1: amount, 2: the reason */
					__( 'The earlier refund of %1$s has no known outcome, and FrontGo could not be asked about it (%2$s). Nothing was refunded; try again in a moment.', 'frontgate-woocommerce' ),
					$amount,
					$e->getMessage()
				)
			);
		}
		$frontgo = isset( $details['payment']['refundedFromCaptured'] ) && is_numeric( $details['payment']['refundedFromCaptured'] ) ? (int) $details['payment']['refundedFromCaptured'] : null;
		$ours    = 0;
		foreach ( $done as $a ) {
			$ours += (int) $a;
		}
		if ( null !== $frontgo && $frontgo === $ours ) {
			$order->delete_meta_data( self::META_REFUND_PENDING );
			$order->save();
			/* translators: %s: amount */
			$order->add_order_note( sprintf( __( 'FrontGo: the earlier refund of %s, whose outcome was not known, was not made.', 'frontgate-woocommerce' ), $amount ) );
			return false;
		}
		if ( null !== $frontgo && $frontgo === $ours + (int) $pending['amount'] ) {
			$order->delete_meta_data( self::META_REFUND_PENDING );
			foreach ( (array) $pending['lines'] as $l ) {
				$done[ $l['id'] ] = ( isset( $done[ $l['id'] ] ) ? (int) $done[ $l['id'] ] : 0 ) + (int) $l['amount'];
			}
			$order->update_meta_data( Frontgate_Outcome_Handler::META_REFUNDED_LINES, $done );
			$order->save();
			/* translators: %s: amount */
			$order->add_order_note( sprintf( __( 'FrontGo: the earlier refund of %s, whose outcome was not known, went through at FrontGo. Unless this refund is that one again, record it in WooCommerce with "Refund manually".', 'frontgate-woocommerce' ), $amount ) );
			return true;
		}
		// Undecided: the mark stays, and every refund through FrontGo waits
		// for the merchant (the order action "FrontGo: earlier refund
		// checked" clears it), or one could pay the earlier refund twice.
		$msg = sprintf(
			/* translators: 1: amount refunded at FrontGo, 2: amount the shop's refunds add up to, 3: the earlier refund's amount */
			__( 'FrontGo shows %1$s refunded from the capture, but the refunds made here add up to %2$s, so whether the earlier refund of %3$s (whose outcome was not known) went through cannot be told. Nothing was refunded, and refunds through FrontGo wait for you: check the reservation in the FrontGo portal, record there what was refunded with "Refund manually", then choose the order action "FrontGo: earlier refund checked".', 'frontgate-woocommerce' ),
			null === $frontgo ? '?' : Frontgate_Money::format( $frontgo ),
			Frontgate_Money::format( $ours ),
			$amount
		);
		$order->add_order_note( 'FrontGo: ' . $msg );
		throw new InvalidArgumentException( $msg );
	}
}
