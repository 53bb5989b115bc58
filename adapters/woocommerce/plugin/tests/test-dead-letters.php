<?php
/**
 * The settings page's undelivered events: the section lists what the
 * sidecar gave up delivering and links to the action that sends it again;
 * the action checks the user and the nonce, asks the sidecar, and leaves a
 * notice. The sidecar is scripted through the wp_remote_request stub of
 * test-gateway.php.
 *
 * @package Frontgate_WooCommerce
 */

// phpcs:disable

function admin_url( $path = '' ) { return 'https://butikk.example/wp-admin/' . $path; }
function wp_nonce_url( $url, $action ) { return $url . '&_wpnonce=nonce-' . $action; }
function esc_url( $url ) { return htmlspecialchars( (string) $url ); }
function _n( $single, $plural, $n, $domain = 'default' ) { return 1 === $n ? $single : $plural; }
function current_user_can( $cap ) { return ! empty( $GLOBALS['frontgate_test_caps'][ $cap ] ); }
function check_admin_referer( $action ) {
	if ( ( isset( $GLOBALS['frontgate_test_nonce'] ) ? $GLOBALS['frontgate_test_nonce'] : '' ) !== 'nonce-' . $action ) {
		throw new FrontgateTest_Died( 'the link has expired' );
	}
	return 1;
}
function wp_die( $message = '', $code = 500 ) { throw new FrontgateTest_Died( $code . ' ' . $message ); }
function set_transient( $key, $value, $ttl = 0 ) { $GLOBALS['frontgate_test_transients'][ $key ] = $value; }
function get_transient( $key ) { return isset( $GLOBALS['frontgate_test_transients'][ $key ] ) ? $GLOBALS['frontgate_test_transients'][ $key ] : false; }
function delete_transient( $key ) { unset( $GLOBALS['frontgate_test_transients'][ $key ] ); }
function wp_safe_redirect( $url ) { $GLOBALS['frontgate_test_redirect'] = $url; }

function frontgate_t_dead_letter( $order, $error ) {
	return array( 'eventId' => str_repeat( 'a', 64 ), 'type' => 'reservation.reserved', 'orderId' => $order, 'reservationUuid' => 'RES1',
		'attempts' => 20, 'lastError' => $error, 'created' => '2026-12-05T10:00:00Z', 'gaveUpAt' => '2026-12-06T10:00:00Z' );
}

function frontgate_test_dead_letters_listed_with_a_link() {
	frontgate_load();
	$g = frontgate_t_gateway();
	$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'deadLetters' => array( frontgate_t_dead_letter( '1204', 'the shop answered <401>' ) ) ) );
	ob_start();
	$g->admin_options();
	$html = ob_get_clean();
	list( $url, $args ) = $GLOBALS['frontgate_test_requests'][0];
	frontgate_assert_same( 'https://pay.example.no/v1/webhooks/dead?limit=20', $url );
	frontgate_assert_same( 'GET', $args['method'] );
	frontgate_assert_same( 'Bearer shop-key-0123456789abcdef', $args['headers']['Authorization'] );
	frontgate_assert_true( false !== strpos( $html, 'Undelivered events' ), 'the section' );
	frontgate_assert_true( false !== strpos( $html, '<td>1204</td>' ), 'the order' );
	frontgate_assert_true( false !== strpos( $html, 'the shop answered &lt;401&gt;' ), 'the last error, escaped' );
	frontgate_assert_true( false !== strpos( $html, 'admin-post.php?action=frontgate_redeliver&amp;_wpnonce=nonce-frontgate_redeliver' ), 'the link with its nonce' );
}

function frontgate_test_dead_letters_none_or_sidecar_down() {
	frontgate_load();
	$g = frontgate_t_gateway();
	$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'deadLetters' => array() ) );
	$html = ( new Frontgate_Dead_Letters( $g ) )->html();
	frontgate_assert_true( false !== strpos( $html, 'None: every event reached this shop.' ), 'none: ' . $html );
	frontgate_assert_true( false === strpos( $html, 'admin-post.php' ), 'no link when nothing is dead' );

	$GLOBALS['frontgate_test_responses'][] = array( 404, array( 'error' => array( 'code' => 'no_webhook', 'message' => 'no webhook' ) ) );
	$html = ( new Frontgate_Dead_Letters( $g ) )->html();
	frontgate_assert_true( false !== strpos( $html, 'has no webhook URL for this shop' ), 'no webhook: ' . $html );

	// Down: asked once, briefly (no retries), so that the settings page opens.
	$GLOBALS['frontgate_test_requests']    = array();
	$GLOBALS['frontgate_test_responses'][] = array( 503, array( 'error' => array( 'code' => 'outbox_unavailable', 'message' => 'webhook outbox: redis down' ) ) );
	$html = ( new Frontgate_Dead_Letters( $g ) )->html();
	frontgate_assert_true( false !== strpos( $html, 'Could not ask the sidecar: ' ), 'sidecar down: ' . $html );
	frontgate_assert_true( false === strpos( $html, 'admin-post.php' ), 'no link when the sidecar cannot be asked' );
	frontgate_assert_same( 1, count( $GLOBALS['frontgate_test_requests'] ), 'one request' );
	frontgate_assert_same( Frontgate_Dead_Letters::TIMEOUT, $GLOBALS['frontgate_test_requests'][0][1]['timeout'] );

	$g = frontgate_t_gateway( array( 'sidecar_url' => '' ) );
	frontgate_assert_same( '', ( new Frontgate_Dead_Letters( $g ) )->html(), 'not configured: no section, no request' );
	frontgate_assert_same( 0, count( $GLOBALS['frontgate_test_requests'] ) );
}

function frontgate_test_dead_letters_sent_again() {
	frontgate_load();
	$g                                    = frontgate_t_gateway();
	$GLOBALS['frontgate_test_transients'] = array();
	$GLOBALS['frontgate_test_caps']       = array( 'manage_woocommerce' => true );
	$GLOBALS['frontgate_test_nonce']      = 'nonce-frontgate_redeliver';
	$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'redelivered' => 3 ) );
	( new Frontgate_Dead_Letters( $g ) )->handle();
	list( $url, $args ) = $GLOBALS['frontgate_test_requests'][0];
	frontgate_assert_same( 'https://pay.example.no/v1/webhooks/redeliver', $url );
	frontgate_assert_same( 'POST', $args['method'] );
	frontgate_assert_same( '{}', $args['body'] );
	frontgate_assert_same( array( 'success', '3 undelivered events are being sent again.' ), get_transient( 'frontgate_notice_0' ) );
	frontgate_assert_same( 'https://butikk.example/wp-admin/admin.php?page=wc-settings&tab=checkout&section=frontgate', $GLOBALS['frontgate_test_redirect'] );
	ob_start();
	Frontgate_Plugin::admin_notice();
	frontgate_assert_same( '<div class="notice notice-success"><p>3 undelivered events are being sent again.</p></div>', ob_get_clean() );

	$GLOBALS['frontgate_test_responses'][] = array( 404, array( 'error' => array( 'code' => 'no_webhook', 'message' => 'shop shop1: no webhook' ) ) );
	( new Frontgate_Dead_Letters( $g ) )->handle();
	$notice = get_transient( 'frontgate_notice_0' );
	frontgate_assert_same( 'error', $notice[0] );
	frontgate_assert_true( 0 === strpos( $notice[1], 'The events could not be sent again: ' ), $notice[1] );
}

function frontgate_test_dead_letters_action_refused() {
	frontgate_load();
	$g                                    = frontgate_t_gateway();
	foreach ( array(
		'no capability' => array( array(), 'nonce-frontgate_redeliver', '403' ),
		'bad nonce'     => array( array( 'manage_woocommerce' => true ), 'nonce-other', 'expired' ),
	) as $case => list( $caps, $nonce, $want ) ) {
		$GLOBALS['frontgate_test_caps']  = $caps;
		$GLOBALS['frontgate_test_nonce'] = $nonce;
		try {
			( new Frontgate_Dead_Letters( $g ) )->handle();
			throw new FrontgateTest_Failure( $case . ': the action ran' );
		} catch ( FrontgateTest_Died $e ) {
			frontgate_assert_true( false !== strpos( $e->getMessage(), $want ), $case . ': ' . $e->getMessage() );
		}
		frontgate_assert_same( 0, count( $GLOBALS['frontgate_test_requests'] ), $case . ': no request to the sidecar' );
	}
}

function frontgate_test_dead_letters_follow_the_mode() {
	frontgate_load();
	// Test mode: the test sidecar, even with no live one set.
	$g = frontgate_t_gateway( array( 'testmode' => 'yes', 'sidecar_url' => '', 'api_key' => '', 'test_sidecar_url' => 'https://test.pay.example.no', 'test_api_key' => 'test-key-0123456789abcdef' ) );
	$GLOBALS['frontgate_test_responses'][] = array( 200, array( 'deadLetters' => array() ) );
	$html = ( new Frontgate_Dead_Letters( $g ) )->html();
	frontgate_assert_true( false !== strpos( $html, 'None: every event reached this shop.' ), 'test mode: ' . $html );
	list( $url, $args ) = $GLOBALS['frontgate_test_requests'][0];
	frontgate_assert_same( 'https://test.pay.example.no/v1/webhooks/dead?limit=20', $url );
	frontgate_assert_same( 'Bearer test-key-0123456789abcdef', $args['headers']['Authorization'] );
	// Test mode without a test sidecar: no section, even with a live one set.
	$g = frontgate_t_gateway( array( 'testmode' => 'yes' ) );
	frontgate_assert_same( '', ( new Frontgate_Dead_Letters( $g ) )->html() );
	frontgate_assert_same( 0, count( $GLOBALS['frontgate_test_requests'] ) );
}
