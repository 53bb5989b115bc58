<?php
/**
 * Hook registration.
 *
 * @package Frontgate_WooCommerce
 */

defined( 'ABSPATH' ) || exit;

/**
 * Registers every hook of the plugin, outside the gateway class, once
 * WooCommerce has loaded.
 */
final class Frontgate_Plugin {

	/**
	 * Seconds the thank-you page waits for the sidecar, once: the shopper
	 * must not wait on a slow sidecar for a confirmation the webhook brings
	 * anyway.
	 */
	const RETURN_TIMEOUT = 5;

	/**
	 * The gateway instance WooCommerce holds, or null before it loaded gateways.
	 *
	 * @return Frontgate_Gateway|null
	 */
	public static function gateway() {
		if ( ! function_exists( 'WC' ) || ! WC()->payment_gateways() ) {
			return null;
		}
		$all = WC()->payment_gateways()->payment_gateways();
		return isset( $all[ Frontgate_Gateway::ID ] ) && $all[ Frontgate_Gateway::ID ] instanceof Frontgate_Gateway ? $all[ Frontgate_Gateway::ID ] : null;
	}

	/**
	 * Registers the hooks.
	 */
	public static function init() {
		load_plugin_textdomain( 'frontgate-woocommerce', false, dirname( plugin_basename( FRONTGATE_PLUGIN_FILE ) ) . '/languages' );

		add_filter(
			'woocommerce_payment_gateways',
			function ( $gateways ) {
				$gateways[] = 'Frontgate_Gateway';
				return $gateways;
			}
		);
		add_action(
			'woocommerce_update_options_payment_gateways_' . Frontgate_Gateway::ID,
			function () {
				$gateway = self::gateway();
				if ( $gateway ) {
					$gateway->process_admin_options();
				}
			}
		);

		// The sidecar's webhooks: /?wc-api=frontgate.
		add_action(
			'woocommerce_api_frontgate',
			function () {
				$gateway = self::gateway();
				if ( ! $gateway ) {
					wp_send_json( array( 'error' => 'gateway not loaded' ), 503 );
				}
				$gateway->webhook()->serve();
			}
		);

		// The shopper's return: confirm the status with the sidecar and apply it.
		add_action( 'woocommerce_thankyou_' . Frontgate_Gateway::ID, array( __CLASS__, 'confirm_return' ) );
		add_action( 'before_woocommerce_pay', array( __CLASS__, 'failed_return_notice' ) );

		// Merchant actions.
		add_action(
			'woocommerce_order_status_changed',
			function ( $order_id, $from, $to, $order = null ) {
				$gateway = self::gateway();
				if ( $gateway ) {
					( new Frontgate_Order_Actions( $gateway ) )->on_status_changed( $order_id, $from, $to, $order );
				}
			},
			10,
			4
		);
		add_filter(
			'woocommerce_order_actions',
			function ( $actions, $order = null ) {
				$gateway = self::gateway();
				return $gateway ? ( new Frontgate_Order_Actions( $gateway ) )->order_actions( $actions, $order ) : $actions;
			},
			10,
			2
		);
		foreach ( array(
			'frontgate_resend_link'    => 'resend_link',
			'frontgate_charge'         => 'charge',
			'frontgate_refund_checked' => 'refund_checked',
		) as $action => $method ) {
			add_action(
				'woocommerce_order_action_' . $action,
				function ( $order ) use ( $method ) {
					$gateway = self::gateway();
					if ( $gateway ) {
						( new Frontgate_Order_Actions( $gateway ) )->$method( $order );
					}
				}
			);
		}
		add_action(
			'add_meta_boxes',
			function () {
				$gateway = self::gateway();
				if ( $gateway ) {
					( new Frontgate_Order_Actions( $gateway ) )->add_meta_box();
				}
			}
		);
		add_filter( 'woocommerce_cancel_unpaid_order', array( 'Frontgate_Order_Actions', 'keep_reserved_orders' ), 10, 2 );
		add_action( 'woocommerce_create_refund', array( 'Frontgate_Refunds', 'remember' ) );
		add_action( 'admin_notices', array( __CLASS__, 'admin_notice' ) );
		add_action(
			'admin_post_' . Frontgate_Dead_Letters::ACTION,
			function () {
				$gateway = self::gateway();
				if ( $gateway ) {
					( new Frontgate_Dead_Letters( $gateway ) )->handle();
				}
				exit;
			}
		);

		// The Checkout block.
		add_action(
			'woocommerce_blocks_payment_method_type_registration',
			function ( $registry ) {
				if ( class_exists( '\Automattic\WooCommerce\Blocks\Payments\Integrations\AbstractPaymentMethodType' ) ) {
					require_once FRONTGATE_PLUGIN_DIR . 'includes/class-frontgate-blocks.php';
					$registry->register( new Frontgate_Blocks() );
				}
			}
		);
	}

	/**
	 * On the thank-you page: ask the sidecar for the checkout's confirmed
	 * status and apply it, in case the shopper is faster than the webhook.
	 * The webhook carries the same event id, so whichever comes second
	 * changes nothing.
	 *
	 * @param int $order_id The order.
	 */
	public static function confirm_return( $order_id ) {
		$gateway = self::gateway();
		$order   = wc_get_order( $order_id );
		if ( ! $gateway || ! $order || Frontgate_Gateway::ID !== $order->get_payment_method() ) {
			return;
		}
		$checkout_id = (string) $order->get_meta( Frontgate_Outcome_Handler::META_CHECKOUT );
		$uuid        = (string) $order->get_meta( Frontgate_Outcome_Handler::META_RESERVATION );
		$known       = (string) $order->get_meta( Frontgate_Outcome_Handler::META_STATUS );
		if ( '' === $checkout_id || '' === $uuid || $order->is_paid() ) {
			return;
		}
		$log = $gateway->logger();
		if ( isset( Frontgate_Outcomes::RANK[ $known ] ) && Frontgate_Outcomes::RANK[ $known ] >= Frontgate_Outcomes::RANK['RESERVED'] ) {
			// Confirmed already (the webhook came first, or this is a
			// reload): the return only races the webhook to the first
			// confirmation, so it asks nothing (each ask would reach
			// FrontGo, whose rate limit the account shares).
			$log->debug( 'return after the confirmation; nothing asked', array( 'order' => $order_id, 'reservation' => $uuid, 'status' => $known, 'via' => 'return' ) );
			return;
		}
		try {
			$client   = $gateway->client_for( $order, self::RETURN_TIMEOUT, 1 );
			$checkout = $client->get_checkout( $checkout_id );
			$status   = isset( $checkout['status'] ) ? (string) $checkout['status'] : '';
			if ( '' === $status || 'SENT' === $status || $status === $known ) {
				return;
			}
			$details = null;
			if ( in_array( $status, array( 'RESERVED', 'CAPTURED', 'CHARGED' ), true ) ) {
				$details = $client->get_reservation( $uuid );
			}
			( new Frontgate_Outcome_Handler( $log, $gateway->outcome_settings(), 3.0 ) )->apply( $order_id, $uuid, $status, 'return', $details );
		} catch ( Frontgate_Sidecar_Exception $e ) {
			$log->warning( 'could not confirm the status on return; the webhook will', array( 'order' => $order_id, 'error' => $e->getMessage() ) );
		}
	}

	/**
	 * On the pay-for-order page after a failed card payment: say so.
	 */
	public static function failed_return_notice() {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- display only.
		if ( ! isset( $_GET['frontgate_status'] ) || ! function_exists( 'wc_print_notice' ) ) {
			return;
		}
		// An order that no longer needs paying (paid in another tab, or
		// cancelled) gets WooCommerce's own word on why it cannot be paid,
		// not an invitation to pay again.
		global $wp;
		$id    = isset( $wp->query_vars['order-pay'] ) ? absint( $wp->query_vars['order-pay'] ) : 0;
		$order = $id ? wc_get_order( $id ) : false;
		if ( $order && ! $order->needs_payment() ) {
			return;
		}
		wc_print_notice( __( 'The card payment was not completed. You can try again.', 'frontgate-woocommerce' ), 'notice' );
	}

	/**
	 * Shows a notice left by a merchant action: a string is an error, an
	 * array is (type, message).
	 */
	public static function admin_notice() {
		$key = 'frontgate_notice_' . get_current_user_id();
		$msg = get_transient( $key );
		if ( $msg ) {
			delete_transient( $key );
			$type = 'error';
			if ( is_array( $msg ) ) { // array( type, message ).
				list( $type, $msg ) = $msg;
			}
			echo '<div class="notice notice-' . ( 'success' === $type ? 'success' : 'error' ) . '"><p>' . esc_html( $msg ) . '</p></div>';
		}
	}
}
