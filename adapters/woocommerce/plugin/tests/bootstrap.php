<?php
/**
 * Minimal stand-ins for the WordPress and WooCommerce functions the tested
 * classes use, so the tests run with php-cli alone. They live here, never in
 * the plugin.
 *
 * Orders, notes and lock rows are kept in files under a temporary directory,
 * like a database: wc_get_order() returns a fresh object each time, and
 * separate processes (the concurrency test forks) see the same state.
 *
 * @package Frontgate_WooCommerce
 */

// phpcs:disable

define( 'ABSPATH', __DIR__ . '/' );
define( 'FRONTGATE_PLUGIN_SRC', dirname( __DIR__ ) . '/frontgate-woocommerce/includes/' );

final class FrontgateTest_Skip extends Exception {}
final class FrontgateTest_Failure extends Exception {}
/** Thrown by WC_Order::save() where a test has the request die (frontgate_test_die_at_save). */
final class FrontgateTest_Died extends Exception {}

/** The state directory of the current test. */
function frontgate_stub_dir() {
	return $GLOBALS['frontgate_test_dir'];
}

function frontgate_stubs_reset() {
	$dir = sys_get_temp_dir() . '/frontgate-php-tests-' . getmypid() . '-' . bin2hex( random_bytes( 4 ) );
	mkdir( $dir, 0700, true );
	$GLOBALS['frontgate_test_dir']  = $dir;
	$GLOBALS['frontgate_test_logs'] = array();
	$GLOBALS['frontgate_test_hooks'] = array();
	$GLOBALS['wpdb']                = new FrontgateTest_WPDB();
	$GLOBALS['frontgate_test_tax_rates'] = array();
	unset( $GLOBALS['frontgate_test_die_at_save'] );
	$GLOBALS['frontgate_test_transactions'] = array();
	$GLOBALS['frontgate_test_l10n']         = array();
	Frontgate_Outcome_Handler::$applying = false;
}

function frontgate_stubs_cleanup() {
	$dir = $GLOBALS['frontgate_test_dir'];
	foreach ( glob( $dir . '/*' ) as $f ) {
		unlink( $f );
	}
	rmdir( $dir );
}

// ---- WordPress ----

/** Translations a test installs: $GLOBALS['frontgate_test_l10n'][ English ] = translation. */
function __( $text, $domain = 'default' ) { return isset( $GLOBALS['frontgate_test_l10n'][ $text ] ) ? $GLOBALS['frontgate_test_l10n'][ $text ] : $text; }
function _x( $text, $context, $domain = 'default' ) { return $text; }
function esc_html__( $text, $domain = 'default' ) { return htmlspecialchars( $text ); }
function esc_html( $text ) { return htmlspecialchars( (string) $text ); }
function esc_attr( $text ) { return htmlspecialchars( (string) $text ); }
function sanitize_text_field( $s ) { return trim( strip_tags( (string) $s ) ); }
function wp_unslash( $s ) { return $s; }
function absint( $n ) { return abs( (int) $n ); }
function wp_parse_url( $url, $component = -1 ) { return parse_url( $url, $component ); }
function wp_json_encode( $data ) { return json_encode( $data, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE ); }
function is_wp_error( $x ) { return false; }
function add_action( $hook, $fn, $prio = 10, $args = 1 ) { $GLOBALS['frontgate_test_hooks'][ $hook ][] = $fn; }
function add_filter( $hook, $fn, $prio = 10, $args = 1 ) { $GLOBALS['frontgate_test_hooks'][ $hook ][] = $fn; }
/** Test helper: runs the callbacks registered for a hook; returns the last result. */
function frontgate_stub_fire( $hook, ...$args ) {
	$out = isset( $args[0] ) ? $args[0] : null;
	foreach ( isset( $GLOBALS['frontgate_test_hooks'][ $hook ] ) ? $GLOBALS['frontgate_test_hooks'][ $hook ] : array() as $fn ) {
		$out = call_user_func_array( $fn, $args );
	}
	return $out;
}
function apply_filters( $hook, $value ) {
	$fn = isset( $GLOBALS['frontgate_test_filters'][ $hook ] ) ? $GLOBALS['frontgate_test_filters'][ $hook ] : null;
	return $fn ? call_user_func_array( $fn, array_slice( func_get_args(), 1 ) ) : $value;
}

/** $wpdb over files: a lock row is a file created with O_EXCL, as atomic as a unique key. */
final class FrontgateTest_WPDB {
	public $options = 'wp_options';

	public function prepare( $query, ...$args ) {
		return json_encode( array( $query, $args ) );
	}

	private function path( $name ) {
		return frontgate_stub_dir() . '/option-' . preg_replace( '/[^a-z0-9_]/i', '_', $name );
	}

	public function query( $prepared ) {
		list( $q, $args ) = json_decode( $prepared, true );
		if ( 0 === strpos( $q, 'INSERT IGNORE INTO wp_options' ) ) {
			// The row appears with its value or not at all: write a
			// temporary file, then link it to the name (link fails if the
			// name exists), so no reader sees an empty lock.
			$tmp = $this->path( $args[0] ) . '.' . getmypid() . '.' . bin2hex( random_bytes( 4 ) );
			file_put_contents( $tmp, $args[1] );
			$ok = @link( $tmp, $this->path( $args[0] ) );
			unlink( $tmp );
			return $ok ? 1 : 0;
		}
		if ( 0 === strpos( $q, 'DELETE FROM wp_options WHERE option_name = %s AND option_value = %s' ) ) {
			// MySQL deletes a matching row atomically; several test
			// processes compare and delete under one file lock.
			$p     = $this->path( $args[0] );
			$mutex = fopen( frontgate_stub_dir() . '/mutex.lock', 'c' );
			flock( $mutex, LOCK_EX );
			$deleted = is_file( $p ) && file_get_contents( $p ) === $args[1] && unlink( $p );
			flock( $mutex, LOCK_UN );
			fclose( $mutex );
			return $deleted ? 1 : 0;
		}
		throw new FrontgateTest_Failure( 'unexpected query: ' . $q );
	}

	public function get_var( $prepared ) {
		list( $q, $args ) = json_decode( $prepared, true );
		if ( 0 === strpos( $q, 'SELECT option_value FROM wp_options WHERE option_name = %s' ) ) {
			$v = @file_get_contents( $this->path( $args[0] ) ); // Deleted meanwhile: no row.
			return false === $v ? null : $v;
		}
		throw new FrontgateTest_Failure( 'unexpected query: ' . $q );
	}

	/** Test helper: a lock row held by "another request". */
	public function hold( $name, $value ) {
		file_put_contents( $this->path( $name ), $value );
	}

	public function held( $name ) {
		return is_file( $this->path( $name ) );
	}
}

// ---- WooCommerce ----

final class FrontgateTest_Logger {
	public function log( $level, $message, $context = array() ) {
		$GLOBALS['frontgate_test_logs'][] = array( $level, $message, isset( $context['source'] ) ? $context['source'] : '' );
	}
}

function wc_get_logger() { return new FrontgateTest_Logger(); }
/** Records the transaction statements a test's code issued (the stub store saves atomically anyway). */
function wc_transaction_query( $type = 'start', $force = false ) { $GLOBALS['frontgate_test_transactions'][] = $type; }

function wc_get_order( $id ) {
	$p = frontgate_stub_dir() . '/order-' . (int) $id . '.json';
	if ( ! is_file( $p ) ) {
		return false;
	}
	$o = new WC_Order( (int) $id );
	$o->load();
	return $o;
}

/**
 * The part of WC_Order the plugin's tested classes use. Notes are written at
 * once (as WooCommerce inserts comments), everything else on save().
 */
class WC_Order {
	public $id;
	public $status = 'pending';
	public $meta = array();
	public $paid = false;
	public $transaction_id = '';
	public $payment_method = 'frontgate';
	public $payment_complete_calls = 0;
	/** REST-shaped data for the getters the gateway uses: billing, shipping, line_items, shipping_lines, fee_lines, tax_lines, total, … */
	public $props = array();
	public $refunds = array();
	/** Items added with add_item(), written into props (with an id) on save(), as WooCommerce saves new items. */
	public $new_items = array();

	public function __construct( $id = 0 ) { $this->id = $id; }

	public static function create( $id, array $props = array() ) {
		$o = new self( $id );
		foreach ( $props as $k => $v ) {
			$o->$k = $v;
		}
		$o->save();
		return $o;
	}

	private function file() { return frontgate_stub_dir() . '/order-' . $this->id . '.json'; }

	public function load() {
		$fp = fopen( $this->file(), 'r' );
		flock( $fp, LOCK_SH );
		$d = json_decode( stream_get_contents( $fp ), true );
		flock( $fp, LOCK_UN );
		fclose( $fp );
		foreach ( array( 'status', 'meta', 'paid', 'transaction_id', 'payment_method', 'payment_complete_calls', 'props', 'refunds' ) as $k ) {
			$this->$k = $d[ $k ];
		}
	}

	public function save() {
		// A test can have the request die at its n-th save: nothing of that save is written.
		if ( isset( $GLOBALS['frontgate_test_die_at_save'] ) && 0 === --$GLOBALS['frontgate_test_die_at_save'] ) {
			unset( $GLOBALS['frontgate_test_die_at_save'] );
			throw new FrontgateTest_Died( 'the request died at this save' );
		}
		foreach ( $this->new_items as $item ) {
			$next = 7000;
			foreach ( array( 'line_items', 'shipping_lines', 'fee_lines', 'tax_lines' ) as $list ) {
				foreach ( isset( $this->props[ $list ] ) ? $this->props[ $list ] : array() as $row ) {
					$next = max( $next, (int) $row['id'] + 1 );
				}
			}
			$item->id = $next;
			$this->props[ $item instanceof WC_Order_Item_Fee ? 'fee_lines' : 'tax_lines' ][] = $item->row();
		}
		$this->new_items = array();
		$d = array();
		foreach ( array( 'status', 'meta', 'paid', 'transaction_id', 'payment_method', 'payment_complete_calls', 'props', 'refunds' ) as $k ) {
			$d[ $k ] = $this->$k;
		}
		file_put_contents( $this->file(), json_encode( $d ), LOCK_EX );
		return $this->id;
	}

	public function read_meta_data( $force = false ) {
		$this->load();
	}

	public function get_id() { return $this->id; }
	public function get_payment_method() { return $this->payment_method; }
	public function get_order_key() { return 'wc_order_key' . $this->id; }
	public function get_order_number() { return (string) $this->id; }
	public function get_currency() { return 'NOK'; }
	public function get_meta( $key ) { return isset( $this->meta[ $key ] ) ? $this->meta[ $key ] : ''; }
	public function update_meta_data( $key, $value ) { $this->meta[ $key ] = $value; }
	public function delete_meta_data( $key ) { unset( $this->meta[ $key ] ); }
	public function get_status() { return $this->status; }
	public function has_status( $s ) { return is_array( $s ) ? in_array( $this->status, $s, true ) : $this->status === $s; }
	public function is_paid() { return $this->paid; }
	/** As WooCommerce: pending or failed, and not paid. */
	public function needs_payment() { return ! $this->paid && in_array( $this->status, array( 'pending', 'failed' ), true ); }
	public function get_transaction_id() { return $this->transaction_id; }
	public function set_transaction_id( $id ) { $this->transaction_id = $id; }

	public function add_order_note( $note ) {
		file_put_contents( frontgate_stub_dir() . '/notes-' . $this->id, json_encode( $note ) . "\n", FILE_APPEND | LOCK_EX );
		return 1;
	}

	public function update_status( $to, $note = '' ) {
		$from         = $this->status;
		$this->status = $to;
		$this->add_order_note( trim( $note . ' Order status changed from ' . $from . ' to ' . $to . '.' ) );
		$this->save();
		return true;
	}

	public function payment_complete( $transaction_id = '' ) {
		++$this->payment_complete_calls;
		if ( $this->paid ) {
			return false;
		}
		$this->paid           = true;
		$this->transaction_id = $transaction_id;
		$from                 = $this->status;
		$this->status         = 'processing';
		$this->add_order_note( 'Order status changed from ' . $from . ' to processing.' );
		$this->save();
		return true;
	}

	// The getters WC_Payment_Gateway code and the mapper's from_wc_order() call.
	public function __call( $name, $args ) {
		if ( preg_match( '/^get_(billing|shipping)_(\w+)$/', $name, $m ) ) {
			return isset( $this->props[ $m[1] ][ $m[2] ] ) ? $this->props[ $m[1] ][ $m[2] ] : '';
		}
		throw new FrontgateTest_Failure( 'WC_Order stub has no ' . $name );
	}
	public function get_total() { return $this->props['total']; }
	public function set_total( $v ) { $this->props['total'] = (string) $v; }
	public function get_cart_tax() { return isset( $this->props['cart_tax'] ) ? $this->props['cart_tax'] : '0'; }
	public function set_cart_tax( $v ) { $this->props['cart_tax'] = (string) $v; }
	public function add_item( $item ) { $this->new_items[] = $item; }
	public function get_taxes() {
		$out = array();
		foreach ( isset( $this->props['tax_lines'] ) ? array_keys( $this->props['tax_lines'] ) : array() as $i ) {
			$out[] = new FrontgateTest_TaxLine( $this, $i );
		}
		return $out;
	}
	public function get_customer_note() { return isset( $this->props['customer_note'] ) ? $this->props['customer_note'] : ''; }
	public function get_date_created() { return new DateTime( $this->props['date_created_gmt'], new DateTimeZone( 'UTC' ) ); }
	public function get_checkout_payment_url( $on_checkout = false ) { return 'https://butikk.example/kasse/order-pay/' . $this->id . '/?pay_for_order=true&key=' . $this->get_order_key(); }
	public function get_items( $type = 'line_item' ) {
		$lists = array( 'line_item' => 'line_items', 'shipping' => 'shipping_lines', 'fee' => 'fee_lines', 'tax' => 'tax_lines' );
		$out   = array();
		foreach ( isset( $this->props[ $lists[ $type ] ] ) ? $this->props[ $lists[ $type ] ] : array() as $row ) {
			$out[ isset( $row['id'] ) ? $row['id'] : count( $out ) ] = new FrontgateTest_Item( $row );
		}
		return $out;
	}
	public function get_refunds() {
		$out = array();
		foreach ( array_reverse( $this->refunds ) as $r ) {
			$out[] = new FrontgateTest_Refund( $r );
		}
		return $out;
	}

	/** Test helper: the notes so far. */
	public function notes() {
		$p = frontgate_stub_dir() . '/notes-' . $this->id;
		if ( ! is_file( $p ) ) {
			return array();
		}
		return array_map( 'json_decode', array_filter( explode( "\n", file_get_contents( $p ) ) ) );
	}
}

/** An order item built from its REST shape. */
final class FrontgateTest_Item {
	private $r;
	public function __construct( array $r ) { $this->r = $r; }
	private function v( $k, $d = '' ) { return isset( $this->r[ $k ] ) ? $this->r[ $k ] : $d; }
	public function get_id() { return $this->v( 'id', 0 ); }
	public function get_name() { return $this->v( 'name', $this->v( 'method_title' ) ); }
	public function get_product_id() { return $this->v( 'product_id', 0 ); }
	public function get_variation_id() { return $this->v( 'variation_id', 0 ); }
	public function get_quantity() { return $this->v( 'quantity', 1 ); }
	public function get_subtotal() { return $this->v( 'subtotal' ); }
	public function get_subtotal_tax() { return $this->v( 'subtotal_tax' ); }
	public function get_total() { return $this->v( 'total' ); }
	public function get_total_tax() { return $this->v( 'total_tax' ); }
	public function get_method_title() { return $this->v( 'method_title' ); }
	public function get_method_id() { return $this->v( 'method_id' ); }
	public function get_rate_id() { return $this->v( 'rate_id', 0 ); }
	public function get_label() { return $this->v( 'label' ); }
	public function is_compound() { return (bool) $this->v( 'compound', false ); }
	public function get_rate_percent() { return $this->v( 'rate_percent', null ); }
	public function get_meta( $k ) { return $this->v( $k ); }
	public function get_taxes() {
		$t = array( 'total' => array(), 'subtotal' => array() );
		foreach ( $this->v( 'taxes', array() ) as $x ) {
			$t['total'][ $x['id'] ]    = $x['total'];
			$t['subtotal'][ $x['id'] ] = $x['subtotal'];
		}
		return $t;
	}
	public function get_product() {
		$sku = $this->v( 'sku' );
		return new class( $sku ) {
			private $sku;
			public function __construct( $sku ) { $this->sku = $sku; }
			public function get_sku() { return $this->sku; }
		};
	}
}

/** A tax line of an order, changed in place as WC_Order_Item_Tax is. */
final class FrontgateTest_TaxLine {
	private $order;
	private $i;
	public function __construct( WC_Order $order, $i ) { $this->order = $order; $this->i = $i; }
	public function get_rate_id() { return $this->order->props['tax_lines'][ $this->i ]['rate_id']; }
	public function get_tax_total() { return $this->order->props['tax_lines'][ $this->i ]['tax_total']; }
	public function set_tax_total( $v ) { $this->order->props['tax_lines'][ $this->i ]['tax_total'] = (string) $v; }
	public function save() { return $this->order->props['tax_lines'][ $this->i ]['id']; }
}

/** A new fee line; row() is its REST shape once the order saved it. */
class WC_Order_Item_Fee {
	public $id = 0;
	public $d = array( 'name' => '', 'amount' => '', 'total' => '', 'tax_class' => '', 'tax_status' => 'taxable', 'taxes' => array( 'total' => array() ), 'meta' => array() );
	public function set_name( $v ) { $this->d['name'] = $v; }
	public function set_amount( $v ) { $this->d['amount'] = $v; }
	public function set_total( $v ) { $this->d['total'] = $v; }
	public function set_tax_class( $v ) { $this->d['tax_class'] = $v; }
	public function set_tax_status( $v ) { $this->d['tax_status'] = $v; }
	public function set_taxes( $v ) { $this->d['taxes'] = $v; }
	public function add_meta_data( $k, $v, $unique = false ) { $this->d['meta'][ $k ] = $v; }
	public function get_id() { return $this->id; }
	public function row() {
		$taxes = array();
		$sum   = 0;
		foreach ( $this->d['taxes']['total'] as $id => $t ) {
			$taxes[] = array( 'id' => $id, 'total' => $t, 'subtotal' => '' );
			$sum    += Frontgate_Money::to_minor( $t );
		}
		return array_merge(
			array( 'id' => $this->id, 'name' => $this->d['name'], 'tax_class' => $this->d['tax_class'], 'tax_status' => $this->d['tax_status'], 'amount' => $this->d['amount'],
				'total' => $this->d['total'], 'total_tax' => Frontgate_Money::format( $sum ), 'taxes' => $taxes ),
			$this->d['meta']
		);
	}
}

/** A new tax line (a rate the order had no line for). */
class WC_Order_Item_Tax {
	public $id = 0;
	public $d = array();
	public function set_rate( $id ) { $this->d['rate_id'] = $id; $this->d['label'] = 'rate ' . $id; $this->d['compound'] = false; }
	public function set_rate_percent( $v ) { $this->d['rate_percent'] = $v; }
	public function set_tax_total( $v ) { $this->d['tax_total'] = $v; }
	public function set_shipping_tax_total( $v ) { $this->d['shipping_tax_total'] = $v; }
	public function get_id() { return $this->id; }
	public function row() { return array_merge( array( 'id' => $this->id ), $this->d ); }
}

/**
 * The shop's tax tables: $GLOBALS['frontgate_test_tax_rates'] is tax class
 * slug ('' for standard) => rows as WooCommerce keeps them (tax_rate_id,
 * tax_rate_country, tax_rate "25.0000", tax_rate_compound, tax_rate_class).
 */
final class WC_Tax {
	public static function get_tax_class_slugs() {
		return array_values( array_filter( array_map( 'strval', array_keys( $GLOBALS['frontgate_test_tax_rates'] ) ) ) );
	}
	public static function get_rates_for_tax_class( $class ) {
		$out = array();
		foreach ( isset( $GLOBALS['frontgate_test_tax_rates'][ $class ] ) ? $GLOBALS['frontgate_test_tax_rates'][ $class ] : array() as $row ) {
			$out[ $row['tax_rate_id'] ] = (object) array_merge( $row, array( 'tax_rate_class' => $class ) );
		}
		return $out;
	}
	public static function _get_tax_rate( $id, $output = 'ARRAY_A' ) {
		foreach ( $GLOBALS['frontgate_test_tax_rates'] as $class => $rows ) {
			foreach ( $rows as $row ) {
				if ( (int) $row['tax_rate_id'] === (int) $id ) {
					return array_merge( $row, array( 'tax_rate_class' => (string) $class ) );
				}
			}
		}
		return array();
	}
}

/** A WooCommerce refund: id and refunded items (negative totals, _refunded_item_id). */
final class FrontgateTest_Refund {
	private $r;
	public function __construct( array $r ) { $this->r = $r; }
	public function get_id() { return $this->r['id']; }
	public function get_parent_id() { return isset( $this->r['parent'] ) ? $this->r['parent'] : 0; }
	public function get_items( $types ) {
		return array_map( function ( $i ) { return new FrontgateTest_Item( $i ); }, $this->r['items'] );
	}
}

/**
 * Runs $child( $i ) in $n forked processes at the same moment, as that many
 * requests racing, and returns their exit codes in order: what $child
 * returns, or 1 when it throws. Skips the test without pcntl.
 *
 * @param int      $n     How many.
 * @param callable $child function ( int $i ): int.
 * @return int[]
 */
function frontgate_t_race( $n, callable $child ) {
	if ( ! function_exists( 'pcntl_fork' ) ) {
		throw new FrontgateTest_Skip( 'pcntl is not available' );
	}
	$start = microtime( true ) + 0.2;
	$pids  = array();
	for ( $i = 0; $i < $n; $i++ ) {
		$pid = pcntl_fork();
		if ( 0 === $pid ) {
			while ( microtime( true ) < $start ) {
				usleep( 1000 );
			}
			try {
				$code = (int) $child( $i );
			} catch ( Throwable $e ) {
				fwrite( STDERR, 'child: ' . $e->getMessage() . "\n" );
				$code = 1;
			}
			exit( $code );
		}
		$pids[] = $pid;
	}
	$codes = array();
	foreach ( $pids as $pid ) {
		pcntl_waitpid( $pid, $status );
		$codes[] = pcntl_wexitstatus( $status );
	}
	return $codes;
}

/** Notices printed on the page, as (type, message). */
function wc_print_notice( $message, $type = 'success' ) { $GLOBALS['frontgate_test_printed'][] = array( $type, $message ); }
/** WooCommerce's label of a status ("completed" → "Completed"). */
function wc_get_order_status_name( $status ) { return ucfirst( str_replace( '-', ' ', preg_replace( '/^wc-/', '', (string) $status ) ) ); }
function wc_format_decimal( $v, $dp = false ) { return number_format( (float) $v, (int) $dp, '.', '' ); }

// ---- the plugin's classes under test ----

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
	'class-frontgate-sidecar-exception',
	'class-frontgate-webhook',
) as $file ) {
	require_once FRONTGATE_PLUGIN_SRC . $file . '.php';
}

// ---- assertions ----

function frontgate_assert_same( $want, $got, $what = '' ) {
	if ( $want !== $got ) {
		throw new FrontgateTest_Failure( ( '' !== $what ? $what . ': ' : '' ) . 'got ' . var_export( $got, true ) . ', want ' . var_export( $want, true ) );
	}
}

function frontgate_assert_true( $cond, $what ) {
	if ( ! $cond ) {
		throw new FrontgateTest_Failure( $what );
	}
}

/** Runs $fn and returns the exception it throws, or fails. */
function frontgate_assert_throws( $class, callable $fn, $what = '' ) {
	try {
		$fn();
	} catch ( Throwable $e ) {
		if ( $e instanceof $class ) {
			return $e;
		}
		throw new FrontgateTest_Failure( ( '' !== $what ? $what . ': ' : '' ) . 'threw ' . get_class( $e ) . ': ' . $e->getMessage() . ', want ' . $class );
	}
	throw new FrontgateTest_Failure( ( '' !== $what ? $what . ': ' : '' ) . 'did not throw ' . $class );
}
