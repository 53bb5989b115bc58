<?php
/**
 * Events the sidecar gave up delivering to this shop, on the gateway's
 * settings page, with a link that sends them again.
 *
 * The sidecar retries a webhook for 24 hours, then keeps it
 * as a dead letter for 30 days. A shop whose endpoint failed that long (a
 * wrong webhook secret, a site down for a weekend) lists them here and,
 * once fixed, sends them again: each keeps its event id, so an event the
 * shop took after all is not applied twice.
 *
 * @package Frontgate_WooCommerce
 */

defined( 'ABSPATH' ) || exit;

/**
 * The dead letters' section and its action.
 */
class Frontgate_Dead_Letters {

	/** The admin-post action that sends them again. */
	const ACTION = 'frontgate_redeliver';

	/** How many the settings page lists. */
	const SHOWN = 20;

	/**
	 * The gateway.
	 *
	 * @var Frontgate_Gateway
	 */
	private $gateway;

	/**
	 * Constructor.
	 *
	 * @param Frontgate_Gateway $gateway The gateway.
	 */
	public function __construct( Frontgate_Gateway $gateway ) {
		$this->gateway = $gateway;
	}

	/**
	 * The settings page's URL, where the action returns.
	 *
	 * @return string
	 */
	public static function settings_url() {
		return admin_url( 'admin.php?page=wc-settings&tab=checkout&section=' . Frontgate_Gateway::ID );
	}

	/** Seconds the settings page waits for the sidecar, once: the page must open even when the sidecar is down. */
	const TIMEOUT = 3;

	/**
	 * The section's HTML: nothing before the sidecar is configured (for the
	 * current mode, live or test); the sidecar's error when it cannot be
	 * asked; otherwise the dead letters and a link that sends them again.
	 * The settings page is one form, so the action is a link with a nonce,
	 * not a form of its own.
	 *
	 * @return string
	 */
	public function html() {
		if ( ! $this->gateway->is_configured() ) {
			return '';
		}
		$out = '<h3>' . esc_html__( 'Undelivered events', 'frontgate-woocommerce' ) . '</h3>';
		try {
			$dead = $this->gateway->client( self::TIMEOUT, 1 )->dead_letters( self::SHOWN );
		} catch ( Frontgate_Sidecar_Exception $e ) {
			if ( 'no_webhook' === $e->error_code ) {
				return $out . '<p>' . esc_html__( 'The sidecar has no webhook URL for this shop, so it tells the shop nothing: set the shop\'s webhookUrl in its configuration.', 'frontgate-woocommerce' ) . '</p>';
			}
			/* translators: %s: the sidecar's error */
			return $out . '<p>' . esc_html( sprintf( __( 'Could not ask the sidecar: %s', 'frontgate-woocommerce' ), $e->getMessage() ) ) . '</p>';
		}
		if ( empty( $dead ) ) {
			return $out . '<p>' . esc_html__( 'None: every event reached this shop.', 'frontgate-woocommerce' ) . '</p>';
		}
		$out .= '<p>' . esc_html__( 'The sidecar gave up delivering these events to this shop after its retries. Fix what the last error names (often the webhook secret or URL), then send them again. An event the shop refused because it has no such order (410) is refused again unless the order exists now.', 'frontgate-woocommerce' ) . '</p>';
		$out .= '<table class="widefat striped"><thead><tr><th>' . esc_html__( 'Order', 'frontgate-woocommerce' ) . '</th><th>' .
			esc_html__( 'Event', 'frontgate-woocommerce' ) . '</th><th>' . esc_html__( 'Attempts', 'frontgate-woocommerce' ) . '</th><th>' .
			esc_html__( 'Last error', 'frontgate-woocommerce' ) . '</th><th>' . esc_html__( 'Given up', 'frontgate-woocommerce' ) . '</th></tr></thead><tbody>';
		foreach ( $dead as $d ) {
			$get  = function ( $k ) use ( $d ) {
				return isset( $d[ $k ] ) && is_scalar( $d[ $k ] ) ? (string) $d[ $k ] : '';
			};
			$out .= '<tr><td>' . esc_html( $get( 'orderId' ) ) . '</td><td>' . esc_html( $get( 'type' ) ) . '</td><td>' . esc_html( $get( 'attempts' ) ) .
				'</td><td>' . esc_html( $get( 'lastError' ) ) . '</td><td>' . esc_html( $get( 'gaveUpAt' ) ) . '</td></tr>';
		}
		$out .= '</tbody></table>';
		if ( count( $dead ) >= self::SHOWN ) {
			/* translators: %d: how many are listed */
			$out .= '<p>' . esc_html( sprintf( __( 'The %d most recent are listed; sending them again sends all.', 'frontgate-woocommerce' ), self::SHOWN ) ) . '</p>';
		}
		$url  = wp_nonce_url( admin_url( 'admin-post.php?action=' . self::ACTION ), self::ACTION );
		$out .= '<p><a class="button" href="' . esc_url( $url ) . '">' . esc_html__( 'Send them again', 'frontgate-woocommerce' ) . '</a></p>';
		return $out;
	}

	/**
	 * The action: for a shop manager with a valid nonce, asks the sidecar
	 * to send every dead letter again, and redirects to the settings page
	 * with a notice of how many it queued, or why it could not. The hook
	 * that calls it exits after it.
	 */
	public function handle() {
		if ( ! current_user_can( 'manage_woocommerce' ) ) {
			wp_die( esc_html__( 'You are not allowed to do this.', 'frontgate-woocommerce' ), 403 );
		}
		check_admin_referer( self::ACTION );
		try {
			$n = $this->gateway->client()->redeliver();
			/* translators: %d: how many events */
			$notice = array( 'success', sprintf( _n( '%d undelivered event is being sent again.', '%d undelivered events are being sent again.', $n, 'frontgate-woocommerce' ), $n ) );
			$this->gateway->logger()->info( 'dead letters sent again', array( 'count' => $n ) );
		} catch ( Frontgate_Sidecar_Exception $e ) {
			/* translators: %s: the sidecar's error */
			$notice = array( 'error', sprintf( __( 'The events could not be sent again: %s', 'frontgate-woocommerce' ), $e->getMessage() ) );
		}
		set_transient( 'frontgate_notice_' . get_current_user_id(), $notice, 60 );
		wp_safe_redirect( self::settings_url() );
	}
}
