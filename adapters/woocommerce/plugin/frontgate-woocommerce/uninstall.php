<?php
/**
 * Removes the plugin's settings and leftover locks, on every site of a
 * multisite network. Orders keep their FrontGo meta (reservation ids,
 * captures): they are part of the shop's accounting records.
 *
 * @package Frontgate_WooCommerce
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

$frontgate_uninstall_site = static function () {
	global $wpdb;
	delete_option( 'woocommerce_frontgate_settings' );
	// phpcs:ignore WordPress.DB.DirectDatabaseQuery -- one-off clean-up of the lock rows.
	$wpdb->query( $wpdb->prepare( "DELETE FROM {$wpdb->options} WHERE option_name LIKE %s", $wpdb->esc_like( 'frontgate_lock_' ) . '%' ) );
};

if ( is_multisite() ) {
	// Each site has its own options table: the settings and locks of every
	// site the plugin ran on, not just the one uninstalling.
	foreach ( get_sites(
		array(
			'fields' => 'ids',
			'number' => 0,
		)
	) as $frontgate_site ) {
		switch_to_blog( (int) $frontgate_site );
		$frontgate_uninstall_site();
		restore_current_blog();
	}
} else {
	$frontgate_uninstall_site();
}
