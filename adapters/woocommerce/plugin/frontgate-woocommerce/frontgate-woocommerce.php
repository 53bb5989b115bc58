<?php
/**
 * Plugin Name:          Front Payment for WooCommerce (frontgate)
 * Plugin URI:           https://github.com/frontgate/frontgate
 * Description:          Card reservations with Front Payment through the frontgate sidecar: reserve at checkout, capture when the order ships, refund per line.
 * Version:              0.1.0
 * Requires at least:    6.3
 * Requires PHP:         7.4
 * Author:               frontgate
 * License:              GPLv2 or later
 * License URI:          https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:          frontgate-woocommerce
 * Domain Path:          /languages
 * Requires Plugins:     woocommerce
 * WC requires at least: 8.0
 * WC tested up to:      10.0
 *
 * @package Frontgate_WooCommerce
 */

defined( 'ABSPATH' ) || exit;

define( 'FRONTGATE_VERSION', '0.1.0' );
define( 'FRONTGATE_PLUGIN_FILE', __FILE__ );
define( 'FRONTGATE_PLUGIN_DIR', plugin_dir_path( __FILE__ ) );

// Compatibility with High-Performance Order Storage and the Cart and Checkout blocks.
add_action(
	'before_woocommerce_init',
	function () {
		if ( class_exists( '\Automattic\WooCommerce\Utilities\FeaturesUtil' ) ) {
			\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'custom_order_tables', __FILE__, true );
			\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'cart_checkout_blocks', __FILE__, true );
		}
	}
);

/**
 * Loads the plugin once WooCommerce is active; otherwise tells the admin why not.
 */
function frontgate_load() {
	if ( ! class_exists( 'WooCommerce' ) || ! class_exists( 'WC_Payment_Gateway' ) ) {
		add_action(
			'admin_notices',
			function () {
				echo '<div class="notice notice-error"><p>' . esc_html__( 'Front Payment for WooCommerce needs WooCommerce to be installed and active.', 'frontgate-woocommerce' ) . '</p></div>';
			}
		);
		return;
	}
	foreach ( array(
		'class-frontgate-money',
		'class-frontgate-phone',
		'class-frontgate-logger',
		'class-frontgate-signature-exception',
		'class-frontgate-signature',
		'class-frontgate-mapping-exception',
		'class-frontgate-order-mapper',
		'class-frontgate-outcomes',
		'class-frontgate-lock',
		'class-frontgate-outcome-handler',
		'class-frontgate-refunds',
		'class-frontgate-charges',
		'class-frontgate-sidecar-exception',
		'class-frontgate-sidecar-client',
		'class-frontgate-webhook',
		'class-frontgate-gateway',
		'class-frontgate-dead-letters',
		'class-frontgate-order-actions',
		'class-frontgate-plugin',
	) as $file ) {
		require_once FRONTGATE_PLUGIN_DIR . 'includes/' . $file . '.php';
	}
	Frontgate_Plugin::init();
}
add_action( 'plugins_loaded', 'frontgate_load', 11 );
