<?php
/**
 * WooCommerce orders to the sidecar's shop-neutral order.
 *
 * @package Frontgate_WooCommerce
 */

defined( 'ABSPATH' ) || exit;

/**
 * Maps an order by the rules of the Go adapter (adapters/woocommerce/mapper.go),
 * checked against the same fixtures: each line's gross is WooCommerce's own
 * total + total_tax in øre, coupons stay in the lines as each line's discount,
 * shipping and fees are lines, a negative fee is an order discount, and the
 * lines must add up to the order total to the øre.
 *
 * map() works on the REST API v3 shape (an array); from_wc_order() builds that
 * shape from a WC_Order, so both paths share one implementation.
 */
class Frontgate_Order_Mapper {

	/**
	 * Defaults of the configuration map() takes.
	 *
	 * @var array
	 */
	const DEFAULTS = array(
		'currencies'          => array( 'NOK' ),
		'tax_rates'           => array( 0, 1200, 1500, 2500 ),
		'default_code'        => '+47',
		'org_meta_key'        => '_billing_organization_number',
		'rounding_tolerance'  => 0,
		'preferred_language'  => '',
	);

	/**
	 * Configuration.
	 *
	 * @var array
	 */
	private $cfg;

	/**
	 * The order being mapped (REST shape).
	 *
	 * @var array
	 */
	private $o;

	/**
	 * Tax lines by rate id.
	 *
	 * @var array
	 */
	private $rates = array();

	/**
	 * Problems found.
	 *
	 * @var array[]
	 */
	private $problems = array();

	/**
	 * Constructor.
	 *
	 * @param array $cfg Overrides of DEFAULTS.
	 */
	public function __construct( array $cfg = array() ) {
		$this->cfg = array_merge( self::DEFAULTS, $cfg );
	}

	/**
	 * Maps an order in the REST API v3 shape.
	 *
	 * @param array $o The order.
	 * @return array array( 'order' => shop-neutral order, 'items' => WooCommerce item id and gross (øre) per order line ).
	 * @throws Frontgate_Mapping_Exception With every problem.
	 */
	public function map( array $o ) {
		$this->o        = $o;
		$this->problems = array();
		$this->rates    = array();
		foreach ( self::arr( $o, 'tax_lines' ) as $tl ) {
			$this->rates[ (int) self::get( $tl, 'rate_id', 0 ) ] = $tl;
		}
		$reference = (string) self::get( $o, 'number', '' );
		if ( '' === $reference ) {
			$reference = (string) self::get( $o, 'id', '' );
		}
		$currency = strtoupper( (string) self::get( $o, 'currency', '' ) );
		if ( ! $this->currency_ok( $currency ) ) {
			$this->bad( 'currency', 'currency', sprintf( /* translators: 1: the order's currency, 2: the accepted currencies */ __( '"%1$s" is not accepted (accepted: %2$s)', 'frontgate-woocommerce' ), self::get( $o, 'currency', '' ), implode( ', ', $this->cfg['currencies'] ) ) );
		}
		$order_date = 0;
		$created    = (string) self::get( $o, 'date_created_gmt', '' );
		if ( preg_match( '/^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)$/', $created, $m ) ) {
			$order_date = gmmktime( (int) $m[4], (int) $m[5], (int) $m[6], (int) $m[2], (int) $m[3], (int) $m[1] );
		}
		$customer = $this->customer();

		$lines     = array();
		$items     = array();
		$discounts = array();
		$sum       = 0;
		$largest   = -1;
		foreach ( self::arr( $o, 'line_items' ) as $i => $li ) {
			$p   = 'line_items.' . $i;
			$qty = self::get( $li, 'quantity', 0 );
			$q   = is_int( $qty ) || ( is_string( $qty ) && ctype_digit( $qty ) ) ? (int) $qty : 0;
			if ( $q <= 0 ) {
				$this->bad( $p . '.quantity', 'amount', sprintf( /* translators: the values named in the message */ __( 'must be a whole number above 0, not "%s"', 'frontgate-woocommerce' ), self::text( $qty ) ) );
				continue;
			}
			$before  = count( $this->problems );
			$total   = $this->amount( $p . '.total', self::get( $li, 'total', '' ) );
			$tax     = $this->amount( $p . '.total_tax', self::get( $li, 'total_tax', '' ) );
			$sub     = $total;
			$sub_tax = $tax;
			if ( '' !== (string) self::get( $li, 'subtotal', '' ) ) {
				$sub     = $this->amount( $p . '.subtotal', self::get( $li, 'subtotal', '' ) );
				$sub_tax = $this->amount( $p . '.subtotal_tax', self::get( $li, 'subtotal_tax', '' ) );
			}
			if ( count( $this->problems ) > $before ) {
				continue;
			}
			$rate = $this->rate( $p, self::arr( $li, 'taxes' ), $total, $tax, $q );
			$sku  = (string) self::get( $li, 'sku', '' );
			if ( '' === $sku ) {
				$sku = (string) (int) self::get( $li, 'product_id', 0 );
				if ( 0 !== (int) self::get( $li, 'variation_id', 0 ) ) {
					$sku = (string) (int) self::get( $li, 'variation_id', 0 );
				}
			}
			$line = $this->line( $p, 'product', (string) self::get( $li, 'name', '' ), $sku, $q, $sub + $sub_tax, $total + $tax, $rate );
			if ( null === $line ) {
				continue;
			}
			$lines[] = $line;
			$items[] = array(
				'item_id' => (int) self::get( $li, 'id', 0 ),
				'amount'  => $total + $tax,
			);
			$sum    += $total + $tax;
			if ( $largest < 0 || self::line_total( $line ) > self::line_total( $lines[ $largest ] ) ) {
				$largest = count( $lines ) - 1;
			}
		}
		foreach ( self::arr( $o, 'shipping_lines' ) as $i => $sl ) {
			$p      = 'shipping_lines.' . $i;
			$before = count( $this->problems );
			$total  = $this->amount( $p . '.total', self::get( $sl, 'total', '' ) );
			$tax    = $this->amount( $p . '.total_tax', self::get( $sl, 'total_tax', '' ) );
			if ( count( $this->problems ) > $before ) {
				continue;
			}
			$rate = $this->rate( $p, self::arr( $sl, 'taxes' ), $total, $tax, 1 );
			$line = $this->line( $p, 'shipping', (string) self::get( $sl, 'method_title', '' ), (string) self::get( $sl, 'method_id', '' ), 1, $total + $tax, $total + $tax, $rate );
			if ( null !== $line ) {
				$lines[] = $line;
				$items[] = array(
					'item_id' => (int) self::get( $sl, 'id', 0 ),
					'amount'  => $total + $tax,
				);
				$sum    += $total + $tax;
			}
		}
		foreach ( self::arr( $o, 'fee_lines' ) as $i => $fl ) {
			$p      = 'fee_lines.' . $i;
			$before = count( $this->problems );
			$total  = $this->amount( $p . '.total', self::get( $fl, 'total', '' ) );
			$tax    = $this->amount( $p . '.total_tax', self::get( $fl, 'total_tax', '' ) );
			if ( count( $this->problems ) > $before ) {
				continue;
			}
			if ( $total + $tax < 0 ) {
				$d = array();
				$n = self::clip( (string) self::get( $fl, 'name', '' ) );
				if ( '' !== $n ) {
					$d['name'] = $n;
				}
				$d['amount'] = -( $total + $tax );
				$discounts[] = $d;
				$sum        += $total + $tax;
				continue;
			}
			$rate = $this->rate( $p, self::arr( $fl, 'taxes' ), $total, $tax, 1 );
			$line = $this->line( $p, 'fee', (string) self::get( $fl, 'name', '' ), '', 1, $total + $tax, $total + $tax, $rate );
			if ( null !== $line ) {
				$lines[] = $line;
				$items[] = array(
					'item_id' => (int) self::get( $fl, 'id', 0 ),
					'amount'  => $total + $tax,
				);
				$sum    += $total + $tax;
			}
		}
		if ( 0 === count( self::arr( $o, 'line_items' ) ) + count( self::arr( $o, 'shipping_lines' ) ) + count( self::arr( $o, 'fee_lines' ) ) ) {
			$this->bad( 'line_items', 'amount', __( 'the order has no lines', 'frontgate-woocommerce' ) );
		}
		$want = $this->amount( 'total', self::get( $o, 'total', '' ) );
		if ( empty( $this->problems ) && $sum !== $want ) {
			$diff = $want - $sum;
			if ( abs( $diff ) <= (int) $this->cfg['rounding_tolerance'] && $largest >= 0 ) {
				$l    = $lines[ $largest ];
				$g    = self::line_total( $l ) + $diff;
				$unit = max( $l['unitPrice'], self::ceil_div( $g, $l['quantity'] ) );
				$lines[ $largest ] = self::with_price( $l, $unit, $unit * $l['quantity'] - $g );
				$items[ $largest ]['amount'] = $g;
			} else {
				$this->bad(
					'total',
					'total',
					sprintf(
						/* translators: 1: what the order's lines add up to, 2: the order total, 3: the difference */
						__( 'the lines add up to %1$s but the order total is %2$s (a difference of %3$s); WooCommerce may be set to round tax at subtotal level', 'frontgate-woocommerce' ),
						Frontgate_Money::format( $sum ),
						Frontgate_Money::format( $want ),
						Frontgate_Money::format( $diff )
					)
				);
			}
		}
		if ( ! empty( $this->problems ) ) {
			throw new Frontgate_Mapping_Exception( $reference, $this->problems );
		}

		$order = array( 'customer' => $customer );
		if ( '' !== $currency ) {
			$order['currency'] = $currency;
		}
		if ( 0 !== $order_date ) {
			$order['orderDate'] = $order_date;
		}
		$order['reference'] = $reference;
		$order['lines']     = $lines;
		if ( ! empty( $discounts ) ) {
			$order['discounts'] = $discounts;
		}
		if ( '' !== (string) self::get( $o, 'customer_note', '' ) ) {
			$order['customerNotes'] = (string) self::get( $o, 'customer_note', '' );
		}
		return array(
			'order' => $order,
			'items' => $items,
		);
	}

	/**
	 * Builds the REST API v3 shape from a WC_Order, formatting money to two
	 * decimals as the REST API does (wc_format_decimal with the store's decimals).
	 *
	 * @param WC_Order $order        The order.
	 * @param string   $org_meta_key Meta key of the organisation number ('' for none).
	 * @return array
	 */
	public static function from_wc_order( $order, $org_meta_key = '' ) {
		$dec     = function ( $v ) {
			return wc_format_decimal( $v, 2 );
		};
		$taxes   = function ( $item ) {
			$out = array();
			$t   = $item->get_taxes();
			if ( ! empty( $t['total'] ) ) {
				foreach ( $t['total'] as $rate_id => $amount ) {
					$out[] = array(
						'id'       => (int) $rate_id,
						'total'    => (string) $amount,
						'subtotal' => isset( $t['subtotal'][ $rate_id ] ) ? (string) $t['subtotal'][ $rate_id ] : '',
					);
				}
			}
			return $out;
		};
		$address = function ( $type ) use ( $order ) {
			$a = array();
			foreach ( array( 'first_name', 'last_name', 'company', 'address_1', 'address_2', 'city', 'state', 'postcode', 'country', 'email', 'phone' ) as $f ) {
				$getter  = 'get_' . $type . '_' . $f;
				$a[ $f ] = is_callable( array( $order, $getter ) ) ? (string) $order->$getter() : '';
			}
			return $a;
		};
		$created = $order->get_date_created();
		$data    = array(
			'id'               => $order->get_id(),
			'number'           => (string) $order->get_order_number(),
			'currency'         => $order->get_currency(),
			'date_created_gmt' => $created ? gmdate( 'Y-m-d\TH:i:s', $created->getTimestamp() ) : '',
			'total'            => $dec( $order->get_total() ),
			'customer_note'    => (string) $order->get_customer_note(),
			'billing'          => $address( 'billing' ),
			'shipping'         => $address( 'shipping' ),
			'meta_data'        => array(),
			'line_items'       => array(),
			'shipping_lines'   => array(),
			'fee_lines'        => array(),
			'tax_lines'        => array(),
		);
		if ( '' !== $org_meta_key ) {
			$data['meta_data'][] = array(
				'key'   => $org_meta_key,
				'value' => (string) $order->get_meta( $org_meta_key ),
			);
		}
		foreach ( $order->get_items( 'line_item' ) as $id => $item ) {
			$product              = $item->get_product();
			$data['line_items'][] = array(
				'id'           => (int) $id,
				'name'         => $item->get_name(),
				'product_id'   => (int) $item->get_product_id(),
				'variation_id' => (int) $item->get_variation_id(),
				'quantity'     => (int) $item->get_quantity(),
				'subtotal'     => $dec( $item->get_subtotal() ),
				'subtotal_tax' => $dec( $item->get_subtotal_tax() ),
				'total'        => $dec( $item->get_total() ),
				'total_tax'    => $dec( $item->get_total_tax() ),
				'taxes'        => $taxes( $item ),
				'sku'          => $product ? (string) $product->get_sku() : '',
			);
		}
		foreach ( $order->get_items( 'shipping' ) as $id => $item ) {
			$data['shipping_lines'][] = array(
				'id'           => (int) $id,
				'method_title' => $item->get_method_title(),
				'method_id'    => $item->get_method_id(),
				'total'        => $dec( $item->get_total() ),
				'total_tax'    => $dec( $item->get_total_tax() ),
				'taxes'        => $taxes( $item ),
			);
		}
		foreach ( $order->get_items( 'fee' ) as $id => $item ) {
			$data['fee_lines'][] = array(
				'id'        => (int) $id,
				'name'      => $item->get_name(),
				'total'     => $dec( $item->get_total() ),
				'total_tax' => $dec( $item->get_total_tax() ),
				'taxes'     => $taxes( $item ),
			);
		}
		foreach ( $order->get_items( 'tax' ) as $item ) {
			$percent = is_callable( array( $item, 'get_rate_percent' ) ) ? $item->get_rate_percent() : null;
			if ( null === $percent && class_exists( 'WC_Tax' ) ) {
				$percent = WC_Tax::get_rate_percent_value( $item->get_rate_id() );
			}
			$data['tax_lines'][] = array(
				'rate_id'      => (int) $item->get_rate_id(),
				'label'        => $item->get_label(),
				'compound'     => (bool) $item->is_compound(),
				'rate_percent' => $percent,
			);
		}
		return $data;
	}

	/**
	 * A line, with the unit price rounded up from max(base, gross) / quantity
	 * and the rest as its discount.
	 *
	 * @param string $path  Path for problems.
	 * @param string $kind  product, shipping or fee.
	 * @param string $name  Name.
	 * @param string $sku   SKU.
	 * @param int    $q     Quantity.
	 * @param int    $base  Gross before coupons.
	 * @param int    $g     Gross total.
	 * @param int    $rate  Tax rate in hundredths.
	 * @return array|null
	 */
	private function line( $path, $kind, $name, $sku, $q, $base, $g, $rate ) {
		if ( $g < 0 ) {
			$this->bad( $path, 'amount', sprintf( /* translators: the values named in the message */ __( 'the total with tax, %s, is negative', 'frontgate-woocommerce' ), Frontgate_Money::format( $g ) ) );
			return null;
		}
		$unit = self::ceil_div( max( $base, $g ), $q );
		if ( '' === trim( $name ) ) {
			$name = $kind;
		}
		$line = array(
			'kind' => $kind,
			'name' => self::clip( $name ),
		);
		$sku  = self::clip( $sku );
		if ( '' !== $sku ) {
			$line['sku'] = $sku;
		}
		$line['unitPrice'] = $unit;
		$line['quantity']  = $q;
		$line['taxRate']   = Frontgate_Money::rate_number( $rate );
		$line['rate']      = $rate;
		return self::with_price( $line, $unit, $unit * $q - $g );
	}

	/**
	 * Sets a line's unit price and discount, keeping the JSON field order.
	 *
	 * @param array $l        The line.
	 * @param int   $unit     Unit price.
	 * @param int   $discount Discount.
	 * @return array
	 */
	private static function with_price( array $l, $unit, $discount ) {
		$rate = $l['rate'];
		unset( $l['discount'], $l['rate'] );
		$l['unitPrice'] = $unit;
		$out            = array();
		foreach ( array( 'kind', 'name', 'sku', 'unitPrice', 'quantity', 'taxRate' ) as $k ) {
			if ( isset( $l[ $k ] ) ) {
				$out[ $k ] = $l[ $k ];
			}
		}
		if ( 0 !== $discount ) {
			$out['discount'] = $discount;
		}
		$out['rate'] = $rate;
		return $out;
	}

	/**
	 * Strips the internal 'rate' key from the order's lines, for the sidecar.
	 *
	 * @param array $order A mapped order.
	 * @return array
	 */
	public static function wire( array $order ) {
		foreach ( $order['lines'] as $i => $l ) {
			unset( $order['lines'][ $i ]['rate'] );
		}
		return $order;
	}

	/**
	 * A line's total: unit price × quantity − discount.
	 *
	 * @param array $l The line.
	 * @return int
	 */
	private static function line_total( array $l ) {
		return $l['unitPrice'] * $l['quantity'] - ( isset( $l['discount'] ) ? $l['discount'] : 0 );
	}

	/**
	 * Ceiling of $a / $q for $q > 0; 0 for $a <= 0.
	 *
	 * @param int $a Amount.
	 * @param int $q Quantity.
	 * @return int
	 */
	private static function ceil_div( $a, $q ) {
		if ( $a <= 0 ) {
			return 0;
		}
		return intdiv( $a + $q - 1, $q );
	}

	/**
	 * The tax rate of a line (see the Go adapter's mapper.rate).
	 *
	 * @param string $path  Path for problems.
	 * @param array  $taxes The line's taxes.
	 * @param int    $net   Net total.
	 * @param int    $tax   Tax total.
	 * @param int    $q     Quantity.
	 * @return int
	 */
	private function rate( $path, array $taxes, $net, $tax, $q ) {
		$ids = array();
		foreach ( $taxes as $t ) {
			if ( preg_match( '/[1-9]/', (string) self::get( $t, 'total', '' ) ) ) {
				$ids[] = (int) self::get( $t, 'id', 0 );
			}
		}
		if ( empty( $ids ) && 1 === count( $taxes ) ) {
			$ids[] = (int) self::get( reset( $taxes ), 'id', 0 );
		}
		if ( count( $ids ) > 1 ) {
			$this->bad( $path . '.taxes', 'tax_rate', sprintf( /* translators: 1: how many tax rates, 2: their ids */ __( '%1$d tax rates apply (rate ids %2$s); FrontGo takes one rate per line', 'frontgate-woocommerce' ), count( $ids ), implode( ', ', $ids ) ) );
			return 0;
		}
		$tl = ( 1 === count( $ids ) && isset( $this->rates[ $ids[0] ] ) ) ? $this->rates[ $ids[0] ] : null;
		if ( empty( $ids ) && 0 === $tax ) {
			$r = 0;
		} elseif ( null !== $tl && null !== self::get( $tl, 'rate_percent', null ) && '' !== (string) self::get( $tl, 'rate_percent', '' ) ) {
			try {
				$r = Frontgate_Money::to_rate( $tl['rate_percent'] );
			} catch ( InvalidArgumentException $e ) {
				$this->bad( $path . '.taxes', 'tax_rate', sprintf( /* translators: 1: the rate as WooCommerce gives it, 2: the rate's label */ __( 'tax rate "%1$s" (%2$s) is not a percentage with at most two decimals', 'frontgate-woocommerce' ), self::text( $tl['rate_percent'] ), self::get( $tl, 'label', '' ) ) );
				return 0;
			}
			if ( self::get( $tl, 'compound', false ) ) {
				$this->bad( $path . '.taxes', 'tax_rate', sprintf( /* translators: 1: rate in percent, 2: the rate's label */ __( 'tax rate %1$s (%2$s) is compound; FrontGo takes one simple rate per line', 'frontgate-woocommerce' ), Frontgate_Money::format_rate( $r ), self::get( $tl, 'label', '' ) ) );
				return 0;
			}
		} else {
			$r = $this->infer_rate( $net, $tax, $q );
			if ( null === $r ) {
				$this->bad( $path . '.total_tax', 'tax_rate', sprintf( /* translators: 1: tax amount, 2: amount without tax, 3: the accepted rates */ __( 'the tax %1$s on %2$s matches none of the accepted rates %3$s', 'frontgate-woocommerce' ), Frontgate_Money::format( $tax ), Frontgate_Money::format( $net ), $this->rates_text() ) );
				return 0;
			}
		}
		if ( ! in_array( $r, $this->cfg['tax_rates'], true ) ) {
			$this->bad( $path . '.taxes', 'tax_rate', sprintf( /* translators: 1: rate in percent, 2: the accepted rates */ __( 'tax rate %1$s%% is not one of the accepted rates %2$s', 'frontgate-woocommerce' ), Frontgate_Money::format_rate( $r ), $this->rates_text() ) );
			return 0;
		}
		$expected = Frontgate_Money::tax_on( $net, $r );
		if ( abs( $expected - $tax ) > $q + 1 ) {
			$this->bad( $path . '.total_tax', 'tax_rate', sprintf( /* translators: 1: tax amount, 2: rate in percent, 3: amount without tax, 4: the tax that rate gives */ __( 'the tax %1$s is not %2$s%% of %3$s (%4$s)', 'frontgate-woocommerce' ), Frontgate_Money::format( $tax ), Frontgate_Money::format_rate( $r ), Frontgate_Money::format( $net ), Frontgate_Money::format( $expected ) ) );
			return 0;
		}
		return $r;
	}

	/**
	 * The accepted rate whose tax on $net is nearest $tax, within an øre a unit.
	 *
	 * @param int $net Net.
	 * @param int $tax Tax.
	 * @param int $q   Quantity.
	 * @return int|null
	 */
	private function infer_rate( $net, $tax, $q ) {
		$best   = null;
		$best_d = -1;
		foreach ( $this->cfg['tax_rates'] as $r ) {
			$d = abs( Frontgate_Money::tax_on( $net, $r ) - $tax );
			if ( $d <= $q + 1 && ( $best_d < 0 || $d < $best_d ) ) {
				$best   = $r;
				$best_d = $d;
			}
		}
		return $best;
	}

	/**
	 * "0%, 12%, 15%, 25%".
	 *
	 * @return string
	 */
	private function rates_text() {
		$parts = array();
		foreach ( $this->cfg['tax_rates'] as $r ) {
			$parts[] = Frontgate_Money::format_rate( $r ) . '%';
		}
		return implode( ', ', $parts );
	}

	/**
	 * The customer from the billing details (see the Go adapter's mapper.customer).
	 *
	 * @return array
	 */
	private function customer() {
		$b        = self::arr( $this->o, 'billing' );
		$s        = self::arr( $this->o, 'shipping' );
		$name     = trim( trim( (string) self::get( $b, 'first_name', '' ) ) . ' ' . trim( (string) self::get( $b, 'last_name', '' ) ) );
		$addr     = ( '' === trim( (string) self::get( $b, 'address_1', '' ) ) && '' !== trim( (string) self::get( $s, 'address_1', '' ) ) ) ? $s : $b;
		$street   = trim( (string) self::get( $addr, 'address_1', '' ) );
		$a2       = trim( (string) self::get( $addr, 'address_2', '' ) );
		$street  .= '' !== $a2 ? ', ' . $a2 : '';
		$country  = strtoupper( trim( (string) self::get( $addr, 'country', '' ) ) );
		$bcountry = strtoupper( trim( (string) self::get( $b, 'country', '' ) ) );
		if ( '' === $country ) {
			$country = $bcountry;
		}

		$phone      = (string) self::get( $b, 'phone', '' );
		$phone_path = 'billing.phone';
		if ( '' === trim( $phone ) && '' !== trim( (string) self::get( $s, 'phone', '' ) ) ) {
			$phone      = (string) self::get( $s, 'phone', '' );
			$phone_path = 'shipping.phone';
		}
		$code   = '';
		$msisdn = '';
		try {
			list( $code, $msisdn ) = Frontgate_Phone::split( $phone, '' !== $bcountry ? $bcountry : $country, $this->cfg['default_code'] );
		} catch ( InvalidArgumentException $e ) {
			if ( __( 'is empty', 'frontgate-woocommerce' ) === $e->getMessage() ) {
				$this->bad( $phone_path, 'customer', __( "is empty; FrontGo needs the customer's mobile number", 'frontgate-woocommerce' ) );
			} else {
				$this->bad( $phone_path, 'customer', '"' . $phone . '" ' . $e->getMessage() );
			}
		}

		$type    = 'private';
		$org     = '';
		$company = trim( (string) self::get( $b, 'company', '' ) );
		if ( '' !== $company && '' !== $this->cfg['org_meta_key'] ) {
			$raw = $this->meta( $this->cfg['org_meta_key'] );
			if ( null !== $raw && '' !== trim( $raw ) ) {
				$org = self::org_number( $raw );
				if ( null === $org ) {
					/* translators: %s: the organisation number as entered */
					$this->bad( 'meta_data.' . $this->cfg['org_meta_key'], 'customer', sprintf( __( '"%s" is not an organisation number', 'frontgate-woocommerce' ), $raw ) );
					$org = '';
				}
				$type = 'corporate';
				$name = '' === $name ? $company : $company . ' (' . $name . ')';
			}
		}
		if ( '' === $name ) {
			$name = $company;
		}

		$c = array( 'type' => $type );
		foreach (
			array(
				'countryCode'       => $code,
				'msisdn'            => $msisdn,
				'email'             => trim( (string) self::get( $b, 'email', '' ) ),
				'name'              => self::clip( $name ),
				'preferredLanguage' => (string) $this->cfg['preferred_language'],
				'organizationId'    => $org,
			) as $k => $v
		) {
			if ( '' !== $v ) {
				$c[ $k ] = $v;
			}
		}
		$address = array();
		foreach (
			array(
				'street'  => self::clip( $street ),
				'zip'     => trim( (string) self::get( $addr, 'postcode', '' ) ),
				'city'    => trim( (string) self::get( $addr, 'city', '' ) ),
				'country' => $country,
			) as $k => $v
		) {
			if ( '' !== $v ) {
				$address[ $k ] = $v;
			}
		}
		if ( ! empty( $address ) ) {
			$c['address'] = $address;
		}
		return $c;
	}

	/**
	 * An order meta value as a string, or null when absent.
	 *
	 * @param string $key Meta key.
	 * @return string|null
	 */
	private function meta( $key ) {
		foreach ( self::arr( $this->o, 'meta_data' ) as $m ) {
			if ( self::get( $m, 'key', '' ) === $key ) {
				$v = self::get( $m, 'value', '' );
				return is_scalar( $v ) ? (string) $v : '';
			}
		}
		return null;
	}

	/**
	 * An organisation number as people write it ("NO 923 609 016 MVA"), or null.
	 *
	 * @param string $s The text.
	 * @return string|null
	 */
	private static function org_number( $s ) {
		$s = strtoupper( trim( $s ) );
		if ( 0 === strpos( $s, 'NO' ) ) {
			$s = substr( $s, 2 );
		}
		if ( 'MVA' === substr( $s, -3 ) ) {
			$s = substr( $s, 0, -3 );
		}
		$s = str_replace( array( ' ', '.', '-', "\xc2\xa0" ), '', $s );
		return ( '' !== $s && ctype_digit( $s ) ) ? $s : null;
	}

	/**
	 * Parses an amount, recording a problem when it cannot be read.
	 *
	 * @param string $path  Path.
	 * @param mixed  $value Value.
	 * @return int
	 */
	private function amount( $path, $value ) {
		try {
			return Frontgate_Money::to_minor( is_string( $value ) ? trim( $value ) : $value );
		} catch ( InvalidArgumentException $e ) {
			$this->bad( $path, 'amount', sprintf( /* translators: 1: the amount as given, 2: what is wrong with it */ __( '"%1$s": %2$s', 'frontgate-woocommerce' ), self::text( $value ), $e->getMessage() ) );
			return 0;
		}
	}

	/**
	 * Whether a currency is accepted.
	 *
	 * @param string $c Currency.
	 * @return bool
	 */
	private function currency_ok( $c ) {
		foreach ( $this->cfg['currencies'] as $x ) {
			if ( strtoupper( $x ) === $c ) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Records a problem.
	 *
	 * @param string $path    REST path.
	 * @param string $kind    Kind.
	 * @param string $message Message.
	 */
	private function bad( $path, $kind, $message ) {
		$this->problems[] = array(
			'path'    => $path,
			'message' => $message,
			'kind'    => $kind,
		);
	}

	/**
	 * Cuts a text to 255 bytes on a UTF-8 character boundary.
	 *
	 * @param string $s Text.
	 * @return string
	 */
	private static function clip( $s ) {
		$s = trim( $s );
		if ( strlen( $s ) <= 255 ) {
			return $s;
		}
		$n = 255;
		while ( $n > 0 && 0x80 === ( ord( $s[ $n ] ) & 0xC0 ) ) {
			--$n;
		}
		return substr( $s, 0, $n );
	}

	/**
	 * A value as text for messages.
	 *
	 * @param mixed $v Value.
	 * @return string
	 */
	private static function text( $v ) {
		if ( is_float( $v ) ) {
			return rtrim( rtrim( sprintf( /* translators: the values named in the message */ __( '%.6F', 'frontgate-woocommerce' ), $v ), '0' ), '.' );
		}
		return is_scalar( $v ) ? (string) $v : '';
	}

	/**
	 * $a[$k] or a default.
	 *
	 * @param mixed  $a   Array.
	 * @param string $k   Key.
	 * @param mixed  $def Default.
	 * @return mixed
	 */
	private static function get( $a, $k, $def ) {
		return ( is_array( $a ) && array_key_exists( $k, $a ) && null !== $a[ $k ] ) ? $a[ $k ] : $def;
	}

	/**
	 * $a[$k] as an array.
	 *
	 * @param mixed  $a Array.
	 * @param string $k Key.
	 * @return array
	 */
	private static function arr( $a, $k ) {
		return ( is_array( $a ) && isset( $a[ $k ] ) && is_array( $a[ $k ] ) ) ? $a[ $k ] : array();
	}
}
