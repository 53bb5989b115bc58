<?php
/**
 * The payment method in the Checkout block.
 *
 * @package Frontgate_WooCommerce
 */

defined( 'ABSPATH' ) || exit;

use Automattic\WooCommerce\Blocks\Payments\Integrations\AbstractPaymentMethodType;

/**
 * Registers Front Payment with the Cart and Checkout blocks. The script
 * (assets/js/blocks.js) needs no build step: it uses the wc and wp globals.
 */
final class Frontgate_Blocks extends AbstractPaymentMethodType {

	/**
	 * The payment method's name, the gateway id.
	 *
	 * @var string
	 */
	protected $name = 'frontgate';

	/**
	 * Loads the gateway's settings.
	 */
	public function initialize() {
		$this->settings = get_option( 'woocommerce_frontgate_settings', array() );
	}

	/**
	 * Whether the method is offered.
	 *
	 * @return bool
	 */
	public function is_active() {
		$gateway = Frontgate_Plugin::gateway();
		return $gateway && $gateway->is_available();
	}

	/**
	 * The script that registers the method in the block.
	 *
	 * @return string[]
	 */
	public function get_payment_method_script_handles() {
		wp_register_script(
			'frontgate-blocks',
			plugins_url( 'assets/js/blocks.js', FRONTGATE_PLUGIN_FILE ),
			array( 'wc-blocks-registry', 'wc-settings', 'wp-element', 'wp-html-entities', 'wp-i18n' ),
			FRONTGATE_VERSION,
			true
		);
		if ( function_exists( 'wp_set_script_translations' ) ) {
			wp_set_script_translations( 'frontgate-blocks', 'frontgate-woocommerce', plugin_dir_path( FRONTGATE_PLUGIN_FILE ) . 'languages' );
		}
		return array( 'frontgate-blocks' );
	}

	/**
	 * What the script reads with getSetting( 'frontgate_data' ).
	 *
	 * @return array
	 */
	public function get_payment_method_data() {
		$gateway = Frontgate_Plugin::gateway();
		return array(
			'title'       => $this->get_setting( 'title', __( 'Card', 'frontgate-woocommerce' ) ),
			'description' => $this->get_setting( 'description', '' ),
			'supports'    => $gateway ? array_values( array_filter( $gateway->supports, array( $gateway, 'supports' ) ) ) : array( 'products' ),
			'testMode'    => 'yes' === $this->get_setting( 'testmode', 'no' ),
		);
	}
}
