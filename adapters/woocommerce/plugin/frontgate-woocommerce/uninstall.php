<?php
/**
 * Removes the plugin's settings and leftover locks. Orders keep their
 * FrontGo meta (reservation ids, captures): they are part of the shop's
 * accounting records.
 *
 * @package Frontgate_WooCommerce
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

delete_option( 'woocommerce_frontgate_settings' );

global $wpdb;
// phpcs:ignore WordPress.DB.DirectDatabaseQuery -- one-off clean-up of the lock rows.
$wpdb->query( $wpdb->prepare( "DELETE FROM {$wpdb->options} WHERE option_name LIKE %s", $wpdb->esc_like( 'frontgate_lock_' ) . '%' ) );
