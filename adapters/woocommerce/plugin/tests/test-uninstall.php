<?php
/**
 * Uninstalling removes the settings and locks of every site.
 *
 * @package Frontgate_WooCommerce
 */

// phpcs:disable

function is_multisite() { return ! empty( $GLOBALS['frontgate_test_sites'] ); }
function get_sites( $args = array() ) { return $GLOBALS['frontgate_test_sites']; }
function switch_to_blog( $id ) { $GLOBALS['frontgate_test_blog'] = $id; }
function restore_current_blog() { $GLOBALS['frontgate_test_blog'] = 1; }
function delete_option( $name ) { $GLOBALS['frontgate_test_uninstalled'][] = $GLOBALS['frontgate_test_blog'] . ':delete_option:' . $name; }

/** A $wpdb that records what uninstall.php asks of each site's options table. */
final class FrontgateTest_UninstallDB {
	public $options = 'wp_options';
	public function esc_like( $s ) { return addcslashes( $s, '_%\\' ); }
	public function prepare( $q, ...$args ) { return vsprintf( str_replace( '%s', "'%s'", $q ), $args ); }
	public function query( $q ) { $GLOBALS['frontgate_test_uninstalled'][] = $GLOBALS['frontgate_test_blog'] . ':' . $q; return 1; }
}

function frontgate_t_uninstall( array $sites ) {
	if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
		define( 'WP_UNINSTALL_PLUGIN', 'frontgate-woocommerce/frontgate-woocommerce.php' );
	}
	$GLOBALS['frontgate_test_sites']       = $sites;
	$GLOBALS['frontgate_test_blog']        = 1;
	$GLOBALS['frontgate_test_uninstalled'] = array();
	$saved                                 = $GLOBALS['wpdb'];
	$GLOBALS['wpdb']                       = new FrontgateTest_UninstallDB();
	try {
		include __DIR__ . '/../frontgate-woocommerce/uninstall.php';
	} finally {
		$GLOBALS['wpdb'] = $saved;
	}
	return $GLOBALS['frontgate_test_uninstalled'];
}

function frontgate_test_uninstall_single_site() {
	frontgate_assert_same(
		array( '1:delete_option:woocommerce_frontgate_settings', "1:DELETE FROM wp_options WHERE option_name LIKE 'frontgate\\_lock\\_%'" ),
		frontgate_t_uninstall( array() )
	);
}

function frontgate_test_uninstall_every_site_of_a_network() {
	$done = frontgate_t_uninstall( array( 1, 2, 5 ) );
	$want = array();
	foreach ( array( 1, 2, 5 ) as $site ) {
		$want[] = $site . ':delete_option:woocommerce_frontgate_settings';
		$want[] = $site . ":DELETE FROM wp_options WHERE option_name LIKE 'frontgate\\_lock\\_%'";
	}
	frontgate_assert_same( $want, $done );
	frontgate_assert_same( 1, $GLOBALS['frontgate_test_blog'], 'back on the first site' );
}
