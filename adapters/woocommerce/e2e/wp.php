<?php
/**
 * Drives the end-to-end WordPress site from the shell, in place of wp-cli:
 *
 *     FRONTGATE_E2E_SITE=/tmp/…/site php wp.php <command> [arguments]
 *
 * install <title>            create the tables and the admin (WP_INSTALLING)
 * activate <plugin>          activate_plugin(), as Plugins → Activate does
 * setup                      WooCommerce's install, a Norwegian shop, products,
 *                            shipping, the gateway's settings (from the
 *                            environment), an application password (written
 *                            to FRONTGATE_E2E_APP_PASSWORD_FILE)
 * product <sku>              the product's id and stock as JSON
 * order <id>                 the order as JSON: status, payment, FrontGo meta,
 *                            notes (oldest first), refunds, e-mails sent
 * mapped <id>                the order as the plugin sends it to the sidecar
 * box <id>                   the FrontGo box's form fields as the order screen
 *                            renders them (name => value), as JSON
 * action <id> <action> [k=v] an order action as WooCommerce's order screen
 *                            runs it: the FrontGo box's fields as rendered,
 *                            those given as k=v typed over them
 *
 * The site's URL is FRONTGATE_E2E_URL; setup also reads
 * FRONTGATE_E2E_SIDECAR_URL, FRONTGATE_E2E_SHOP_KEY,
 * FRONTGATE_E2E_WEBHOOK_SECRET and FRONTGATE_E2E_HPOS (no: orders in posts).
 *
 * Every command prints JSON (or nothing) on stdout and exits 1 with a
 * message on stderr when it fails. Nothing here is part of the plugin.
 *
 * @package Frontgate_WooCommerce
 */

// phpcs:disable WordPress.WP.AlternativeFunctions, WordPress.Security.EscapeOutput -- a command-line tool.

if ( 'cli' !== PHP_SAPI ) {
	exit( 1 );
}

/**
 * Stops with a message.
 *
 * @param string $msg What went wrong.
 */
function frontgate_e2e_die( $msg ) {
	fwrite( STDERR, 'wp.php: ' . $msg . "\n" );
	exit( 1 );
}

/**
 * Prints a value as JSON.
 *
 * @param mixed $v The value.
 */
function frontgate_e2e_print( $v ) {
	echo json_encode( $v, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRETTY_PRINT ), "\n";
}

$frontgate_e2e_site = (string) getenv( 'FRONTGATE_E2E_SITE' );
if ( '' === $frontgate_e2e_site || ! is_file( $frontgate_e2e_site . '/wp-config.php' ) ) {
	frontgate_e2e_die( 'FRONTGATE_E2E_SITE must name a WordPress directory with a wp-config.php' );
}
$frontgate_e2e_args = array_slice( $argv, 1 );
$frontgate_e2e_cmd  = (string) array_shift( $frontgate_e2e_args );

// WordPress reads these even on the command line (wp-config.php sets the
// site's URL itself).
$frontgate_e2e_url         = parse_url( (string) getenv( 'FRONTGATE_E2E_URL' ) );
$_SERVER['HTTP_HOST']      = ( $frontgate_e2e_url['host'] ?? '127.0.0.1' ) . ( isset( $frontgate_e2e_url['port'] ) ? ':' . $frontgate_e2e_url['port'] : '' );
$_SERVER['SERVER_NAME']    = '127.0.0.1';
$_SERVER['REQUEST_URI']    = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';

if ( 'install' === $frontgate_e2e_cmd ) {
	define( 'WP_INSTALLING', true );
}
require $frontgate_e2e_site . '/wp-load.php';

switch ( $frontgate_e2e_cmd ) {
	case 'install':
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		if ( is_blog_installed() ) {
			frontgate_e2e_die( 'WordPress is already installed in this database' );
		}
		$frontgate_e2e_r = wp_install( $frontgate_e2e_args[0] ?? 'frontgate e2e', 'admin', 'admin@example.no', false, '', wp_generate_password( 24 ) );
		if ( empty( $frontgate_e2e_r['user_id'] ) ) {
			frontgate_e2e_die( 'wp_install made no user' );
		}
		update_option( 'permalink_structure', '/%postname%/' );
		frontgate_e2e_print( array( 'user_id' => $frontgate_e2e_r['user_id'] ) );
		break;

	case 'activate':
		require_once ABSPATH . 'wp-admin/includes/plugin.php';
		wp_set_current_user( 1 );
		$frontgate_e2e_r = activate_plugin( $frontgate_e2e_args[0] ?? '' );
		if ( is_wp_error( $frontgate_e2e_r ) ) {
			frontgate_e2e_die( 'activate ' . ( $frontgate_e2e_args[0] ?? '' ) . ': ' . $frontgate_e2e_r->get_error_message() );
		}
		break;

	case 'setup':
		frontgate_e2e_setup();
		break;

	case 'product':
		$frontgate_e2e_id = wc_get_product_id_by_sku( $frontgate_e2e_args[0] ?? '' );
		$frontgate_e2e_p  = $frontgate_e2e_id ? wc_get_product( $frontgate_e2e_id ) : null;
		if ( ! $frontgate_e2e_p ) {
			frontgate_e2e_die( 'no product with SKU ' . ( $frontgate_e2e_args[0] ?? '' ) );
		}
		frontgate_e2e_print(
			array(
				'id'    => $frontgate_e2e_p->get_id(),
				'stock' => $frontgate_e2e_p->get_stock_quantity(),
				'price' => $frontgate_e2e_p->get_price(),
			)
		);
		break;

	case 'order':
		frontgate_e2e_print( frontgate_e2e_order( (int) ( $frontgate_e2e_args[0] ?? 0 ) ) );
		break;

	case 'mapped':
		$frontgate_e2e_o = wc_get_order( (int) ( $frontgate_e2e_args[0] ?? 0 ) );
		$frontgate_e2e_g = Frontgate_Plugin::gateway();
		if ( ! $frontgate_e2e_o || ! $frontgate_e2e_g ) {
			frontgate_e2e_die( 'no such order, or the gateway is not loaded' );
		}
		$frontgate_e2e_m = new Frontgate_Order_Mapper( $frontgate_e2e_g->mapper_config() );
		try {
			$frontgate_e2e_mapped = $frontgate_e2e_m->map( Frontgate_Order_Mapper::from_wc_order( $frontgate_e2e_o, (string) $frontgate_e2e_g->get_option( 'org_meta_key', '' ) ) );
		} catch ( Frontgate_Mapping_Exception $e ) {
			frontgate_e2e_die( 'mapping: ' . $e->getMessage() );
		}
		echo json_encode( Frontgate_Order_Mapper::wire( $frontgate_e2e_mapped['order'] ) ), "\n"; // As the plugin's HTTP client encodes it.
		break;

	case 'box':
		$frontgate_e2e_o = wc_get_order( (int) ( $frontgate_e2e_args[0] ?? 0 ) );
		if ( ! $frontgate_e2e_o ) {
			frontgate_e2e_die( 'no order ' . ( $frontgate_e2e_args[0] ?? '' ) );
		}
		frontgate_e2e_print( (object) frontgate_e2e_box( $frontgate_e2e_o ) );
		break;

	case 'action':
		frontgate_e2e_action( (int) ( $frontgate_e2e_args[0] ?? 0 ), (string) ( $frontgate_e2e_args[1] ?? '' ), array_slice( $frontgate_e2e_args, 2 ) );
		break;

	case 'deadletters': // The settings page's "Undelivered events" section, as HTML.
		wp_set_current_user( 1 );
		echo ( new Frontgate_Dead_Letters( Frontgate_Plugin::gateway() ) )->html(), "\n";
		break;

	case 'redeliver': // Its "Send them again" link, followed by the admin: prints the notice it leaves.
		wp_set_current_user( 1 );
		$_REQUEST['_wpnonce'] = wp_create_nonce( Frontgate_Dead_Letters::ACTION );
		( new Frontgate_Dead_Letters( Frontgate_Plugin::gateway() ) )->handle();
		frontgate_e2e_print( get_transient( 'frontgate_notice_1' ) );
		break;

	default:
		frontgate_e2e_die( 'unknown command "' . $frontgate_e2e_cmd . '" (install, activate, setup, product, order, mapped, box, action, deadletters, redeliver)' );
}

/**
 * Installs WooCommerce's tables and pages as its activation does, and
 * makes the shop a Norwegian one: NOK, prices with VAT, 25 % and 15 % VAT,
 * flat-rate shipping, two products in stock, the frontgate gateway on.
 */
function frontgate_e2e_setup() {
	if ( ! class_exists( 'WooCommerce' ) || ! class_exists( 'Frontgate_Gateway' ) ) {
		frontgate_e2e_die( 'WooCommerce and frontgate-woocommerce must be active' );
	}
	WC_Install::install();
	WC_Install::newly_installed(); // What the first admin page load does: HPOS on for new shops, "coming soon".
	$hpos = 'no' !== getenv( 'FRONTGATE_E2E_HPOS' );
	wc_get_container()->get( \Automattic\WooCommerce\Internal\Features\FeaturesController::class )->change_feature_enable( 'custom_order_tables', $hpos );
	update_option( 'woocommerce_custom_orders_table_enabled', $hpos ? 'yes' : 'no' );
	update_option( 'woocommerce_custom_orders_table_data_sync_enabled', 'no' );

	foreach ( array(
		'woocommerce_coming_soon'                   => 'no',
		'woocommerce_store_pages_only'              => 'no',
		'woocommerce_currency'                      => 'NOK',
		'woocommerce_price_thousand_sep'            => ' ',
		'woocommerce_price_decimal_sep'             => ',',
		'woocommerce_default_country'               => 'NO',
		'woocommerce_allowed_countries'             => 'specific',
		'woocommerce_specific_allowed_countries'    => array( 'NO' ),
		'woocommerce_ship_to_countries'             => '',
		'woocommerce_calc_taxes'                    => 'yes',
		'woocommerce_prices_include_tax'            => 'yes',
		'woocommerce_tax_based_on'                  => 'billing',
		'woocommerce_tax_display_shop'              => 'incl',
		'woocommerce_tax_display_cart'              => 'incl',
		'woocommerce_tax_round_at_subtotal'         => 'no',
		'woocommerce_enable_guest_checkout'         => 'yes',
		'woocommerce_enable_checkout_login_reminder' => 'no',
		'woocommerce_allow_tracking'                => 'no',
		'woocommerce_show_marketplace_suggestions'  => 'no',
		'woocommerce_analytics_enabled'             => 'no',
		'woocommerce_manage_stock'                  => 'yes',
		'woocommerce_hold_stock_minutes'            => '60',
		'woocommerce_checkout_phone_field'          => 'required',
	) as $k => $v ) {
		update_option( $k, $v );
	}

	WC_Tax::create_tax_class( 'Reduced rate' );
	foreach ( array(
		array( '25.0000', 'MVA', '' ),
		array( '15.0000', 'MVA mat', 'reduced-rate' ),
	) as $r ) {
		WC_Tax::_insert_tax_rate(
			array(
				'tax_rate_country'  => 'NO',
				'tax_rate'          => $r[0],
				'tax_rate_name'     => $r[1],
				'tax_rate_priority' => 1,
				'tax_rate_shipping' => '' === $r[2] ? 1 : 0,
				'tax_rate_compound' => 0,
				'tax_rate_order'    => 0,
				'tax_rate_class'    => $r[2],
			)
		);
	}

	$zone = new WC_Shipping_Zone();
	$zone->set_zone_name( 'Norge' );
	$zone->add_location( 'NO', 'country' );
	$zone->save();
	$instance = $zone->add_shipping_method( 'flat_rate' );
	// Shipping costs are entered without VAT: 44.16 + 25 % = 55.20.
	update_option(
		'woocommerce_flat_rate_' . $instance . '_settings',
		array(
			'title'      => 'Posten',
			'tax_status' => 'taxable',
			'cost'       => '44.16',
		)
	);

	foreach ( array(
		array( 'ULL-1', 'Ullskjorte', '499.00', '' ),
		array( 'OST-1', 'Brunost 500 g', '89.90', 'reduced-rate' ),
	) as $p ) {
		$product = new WC_Product_Simple();
		$product->set_name( $p[1] );
		$product->set_sku( $p[0] );
		$product->set_regular_price( $p[2] );
		$product->set_tax_class( $p[3] );
		$product->set_manage_stock( true );
		$product->set_stock_quantity( 10 );
		$product->set_status( 'publish' );
		$product->save();
	}

	// WooCommerce puts the Checkout block on its checkout page; a second
	// page holds the classic checkout form (the [woocommerce_checkout]
	// shortcode), which posts to ?wc-ajax=checkout as themes without
	// blocks do.
	$classic = wp_insert_post(
		array(
			'post_type'    => 'page',
			'post_status'  => 'publish',
			'post_name'    => 'klassisk-kasse',
			'post_title'   => 'Kasse (klassisk)',
			'post_content' => '<!-- wp:shortcode -->[woocommerce_checkout]<!-- /wp:shortcode -->',
		),
		true
	);
	if ( is_wp_error( $classic ) ) {
		frontgate_e2e_die( 'classic checkout page: ' . $classic->get_error_message() );
	}

	update_option(
		'woocommerce_frontgate_settings',
		array(
			'enabled'            => 'yes',
			'title'              => 'Kort',
			'description'        => 'Visa og Mastercard',
			'sidecar_url'        => (string) getenv( 'FRONTGATE_E2E_SIDECAR_URL' ),
			'shop_id'            => 'e2e',
			'api_key'            => (string) getenv( 'FRONTGATE_E2E_SHOP_KEY' ),
			'webhook_secret'     => (string) getenv( 'FRONTGATE_E2E_WEBHOOK_SECRET' ),
			'webhook_secret_old' => '',
			'checkout_mode'      => 'session',
			'reserved_status'    => 'on-hold',
			'capture_status'     => 'completed',
			'testmode'           => 'no',
			'org_meta_key'       => '_billing_organization_number',
			'tax_rates'          => '0, 12, 15, 25',
			'rounding_tolerance' => '0',
			'debug'              => 'yes',
		)
	);

	// The merchant's REST access: an application password (WordPress
	// accepts them over plain http when the environment type is "local").
	$pw = WP_Application_Passwords::create_new_application_password( 1, array( 'name' => 'frontgate e2e' ) );
	if ( is_wp_error( $pw ) ) {
		frontgate_e2e_die( 'application password: ' . $pw->get_error_message() );
	}
	$file = (string) getenv( 'FRONTGATE_E2E_APP_PASSWORD_FILE' );
	if ( '' === $file || false === file_put_contents( $file, $pw[0] ) ) {
		frontgate_e2e_die( 'FRONTGATE_E2E_APP_PASSWORD_FILE must name a writable file' );
	}
	chmod( $file, 0600 );
	flush_rewrite_rules( false );

	frontgate_e2e_print(
		array(
			'wordpress'   => get_bloginfo( 'version' ),
			'woocommerce' => WC()->version,
			'hpos'        => \Automattic\WooCommerce\Utilities\OrderUtil::custom_orders_table_usage_is_enabled(),
			'checkout'    => get_permalink( wc_get_page_id( 'checkout' ) ),
			'classic'     => get_permalink( $classic ),
			'theme'       => get_stylesheet(),
		)
	);
}

/**
 * The order as the assertions need it.
 *
 * @param int $id Order id.
 * @return array
 */
function frontgate_e2e_order( $id ) {
	$order = wc_get_order( $id );
	if ( ! $order ) {
		frontgate_e2e_die( 'no order ' . $id );
	}
	$meta = array();
	foreach ( $order->get_meta_data() as $m ) {
		$d = $m->get_data();
		if ( 0 === strpos( $d['key'], '_frontgate_' ) ) {
			$meta[ $d['key'] ] = $d['value'];
		}
	}
	$notes = array();
	foreach ( array_reverse( wc_get_order_notes( array( 'order_id' => $id ) ) ) as $n ) {
		$notes[] = wp_strip_all_tags( $n->content );
	}
	$refunds = array();
	foreach ( $order->get_refunds() as $r ) {
		$refunds[] = array(
			'id'     => $r->get_id(),
			'amount' => $r->get_amount(),
			'reason' => $r->get_reason(),
		);
	}
	$items = array();
	foreach ( $order->get_items( array( 'line_item', 'shipping', 'fee' ) ) as $item_id => $item ) {
		$items[] = array(
			'id'    => $item_id,
			'type'  => $item->get_type(),
			'name'  => $item->get_name(),
			'qty'   => $item->get_quantity(),
			'total' => $item->get_total(),
			'tax'   => $item->get_total_tax(),
			'taxes' => $item->get_taxes(),
		);
	}
	$mails = array();
	foreach ( (array) get_option( 'frontgate_e2e_mails', array() ) as $m ) {
		if ( (int) $m['order'] === $id ) {
			$mails[] = $m['email'];
		}
	}
	$paid = $order->get_date_paid();
	return array(
		'id'             => $id,
		'status'         => $order->get_status(),
		'created_via'    => $order->get_created_via(),
		'payment_method' => $order->get_payment_method(),
		'total'          => $order->get_total(),
		'is_paid'        => $order->is_paid(),
		'date_paid'      => $paid ? $paid->getTimestamp() : null,
		'transaction_id' => $order->get_transaction_id(),
		'order_key'      => $order->get_order_key(),
		'meta'           => $meta,
		'items'          => $items,
		'notes'          => $notes,
		'refunds'        => $refunds,
		'remaining'      => wc_format_decimal( $order->get_remaining_refund_amount(), 2 ),
		'mails'          => $mails,
	);
}

/**
 * The FrontGo box's form fields with the values a browser would post:
 * inputs' values, a select's selected (else first) option.
 *
 * @param WC_Order $order The order.
 * @return array Name => value.
 */
function frontgate_e2e_box( $order ) {
	$gateway = Frontgate_Plugin::gateway();
	if ( ! $gateway ) {
		frontgate_e2e_die( 'the gateway is not loaded' );
	}
	ob_start();
	( new Frontgate_Order_Actions( $gateway ) )->render_meta_box( $order );
	$html = (string) ob_get_clean();
	$doc  = new DOMDocument();
	libxml_use_internal_errors( true );
	$doc->loadHTML( '<?xml encoding="UTF-8"><div>' . $html . '</div>' );
	libxml_clear_errors();
	$fields = array();
	foreach ( $doc->getElementsByTagName( 'input' ) as $in ) {
		if ( '' !== $in->getAttribute( 'name' ) ) {
			$fields[ $in->getAttribute( 'name' ) ] = $in->getAttribute( 'value' );
		}
	}
	foreach ( $doc->getElementsByTagName( 'select' ) as $sel ) {
		$value = null;
		foreach ( $sel->getElementsByTagName( 'option' ) as $opt ) {
			if ( null === $value || $opt->hasAttribute( 'selected' ) ) {
				$value = $opt->getAttribute( 'value' );
			}
		}
		$fields[ $sel->getAttribute( 'name' ) ] = (string) $value;
	}
	return $fields;
}

/**
 * Runs an order action the way WooCommerce's order screen does when the
 * merchant picks it under "Order actions" and presses Update: the FrontGo
 * box's fields (as rendered, with the given ones typed over them) are in
 * $_POST and WooCommerce's meta box saves the action.
 *
 * @param int      $id     Order id.
 * @param string   $action frontgate_resend_link or frontgate_charge.
 * @param string[] $fields k=v pairs posted with it.
 */
function frontgate_e2e_action( $id, $action, array $fields ) {
	$order = wc_get_order( $id );
	if ( ! $order ) {
		frontgate_e2e_die( 'no order ' . $id );
	}
	wp_set_current_user( 1 );
	$offered = apply_filters( 'woocommerce_order_actions', array(), $order );
	if ( ! isset( $offered[ $action ] ) ) {
		frontgate_e2e_die( 'the order screen does not offer ' . $action . ' for order ' . $id . ' (offered: ' . implode( ', ', array_keys( $offered ) ) . ')' );
	}
	require_once WC()->plugin_path() . '/includes/admin/meta-boxes/class-wc-meta-box-order-actions.php';
	$_POST['wc_order_action'] = $action;
	$posted                   = frontgate_e2e_box( $order );
	foreach ( $fields as $f ) {
		list( $k, $v ) = array_pad( explode( '=', $f, 2 ), 2, '' );
		$posted[ $k ]  = $v;
	}
	foreach ( $posted as $k => $v ) {
		$_POST[ $k ]    = wp_slash( $v );
		$_REQUEST[ $k ] = $_POST[ $k ];
	}
	WC_Meta_Box_Order_Actions::save( $id, $order );
}
