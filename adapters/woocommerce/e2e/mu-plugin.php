<?php
/**
 * Plugin Name: frontgate e2e
 * Description: The end-to-end site's own must-use plugin (run.sh copies it to wp-content/mu-plugins): e-mails are recorded instead of sent, so the run can count them per order.
 *
 * @package Frontgate_WooCommerce
 */

defined( 'ABSPATH' ) || exit;

// No mail leaves the machine: wp_mail() succeeds without sending.
add_filter(
	'pre_wp_mail',
	function () {
		return true;
	}
);

// Which WooCommerce e-mail went for which order, in order.
add_action(
	'woocommerce_email_sent',
	function ( $sent, $id, $email ) {
		$order = isset( $email->object ) && $email->object instanceof WC_Order ? $email->object->get_id() : 0;
		$mails = get_option( 'frontgate_e2e_mails', array() );
		$mails = is_array( $mails ) ? $mails : array();
		$mails[] = array(
			'order' => $order,
			'email' => (string) $id,
			'sent'  => (bool) $sent,
		);
		update_option( 'frontgate_e2e_mails', $mails, false );
	},
	10,
	3
);
