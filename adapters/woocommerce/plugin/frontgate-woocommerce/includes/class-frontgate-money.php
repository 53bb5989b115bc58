<?php
/**
 * Exact money: amounts in øre as integers, tax rates in hundredths of a percent.
 *
 * @package Frontgate_WooCommerce
 */

defined( 'ABSPATH' ) || exit;

/**
 * Parses WooCommerce's decimal strings ("149.00") into integer øre without
 * floating point, so totals never drift by an øre. A third non-zero decimal
 * is refused, never rounded: the same rule as the Go core (plugin/money).
 */
class Frontgate_Money {

	/**
	 * Parses an amount ("149", "149.5", "-50.00") into øre.
	 *
	 * @param string|int|float $value The amount; floats are formatted to two decimals first.
	 * @return int
	 * @throws InvalidArgumentException When the value is not a decimal number with at most two decimals.
	 */
	public static function to_minor( $value ) {
		return self::scaled( $value, __( 'more than two decimal places', 'frontgate-woocommerce' ) );
	}

	/**
	 * Parses a tax rate in percent ("25", "25.0000", 11.11) into hundredths (2500).
	 *
	 * @param string|int|float $value The rate.
	 * @return int
	 * @throws InvalidArgumentException When the value is not a percentage with at most two decimals.
	 */
	public static function to_rate( $value ) {
		$r = self::scaled( $value, __( 'more than two decimal places', 'frontgate-woocommerce' ) );
		if ( $r < 0 || $r > 10000 ) {
			throw new InvalidArgumentException( __( 'out of range', 'frontgate-woocommerce' ) );
		}
		return $r;
	}

	/**
	 * Parses a decimal into hundredths.
	 *
	 * @param string|int|float $value   The number.
	 * @param string           $precise Message when it has more than two decimals.
	 * @return int
	 * @throws InvalidArgumentException When it is not a number.
	 */
	private static function scaled( $value, $precise ) {
		if ( is_int( $value ) ) {
			return $value * 100;
		}
		if ( is_float( $value ) ) {
			$value = number_format( $value, 4, '.', '' );
		}
		$s = trim( (string) $value );
		if ( '' === $s ) {
			return 0;
		}
		if ( ! preg_match( '/^([+-]?)(\d*)(?:\.(\d*))?$/', $s, $m ) || ( '' === $m[2] && ( ! isset( $m[3] ) || '' === $m[3] ) ) ) {
			throw new InvalidArgumentException( __( 'not a decimal number', 'frontgate-woocommerce' ) );
		}
		$int  = ltrim( $m[2], '0' );
		$frac = isset( $m[3] ) ? rtrim( $m[3], '0' ) : '';
		if ( strlen( $frac ) > 2 ) {
			throw new InvalidArgumentException( $precise );
		}
		if ( strlen( $int ) > 15 ) {
			throw new InvalidArgumentException( __( 'out of range', 'frontgate-woocommerce' ) );
		}
		$v = (int) ( ( '' === $int ? '0' : $int ) . str_pad( $frac, 2, '0' ) );
		return '-' === $m[1] ? -$v : $v;
	}

	/**
	 * Formats øre as a decimal with two places ("1234.50", "-0.05").
	 *
	 * @param int $minor Amount in øre.
	 * @return string
	 */
	public static function format( $minor ) {
		$sign = $minor < 0 ? '-' : '';
		$v    = abs( $minor );
		return $sign . intdiv( $v, 100 ) . '.' . str_pad( (string) ( $v % 100 ), 2, '0', STR_PAD_LEFT );
	}

	/**
	 * Formats a rate in hundredths as percent without trailing zeros ("25", "11.5").
	 *
	 * @param int $rate Rate in hundredths of a percent.
	 * @return string
	 */
	public static function format_rate( $rate ) {
		$s = intdiv( $rate, 100 ) . '';
		$f = $rate % 100;
		if ( 0 === $f ) {
			return $s;
		}
		return $s . '.' . rtrim( str_pad( (string) $f, 2, '0', STR_PAD_LEFT ), '0' );
	}

	/**
	 * The rate as a JSON number: an int when whole, else a float (25, 11.5).
	 *
	 * @param int $rate Rate in hundredths of a percent.
	 * @return int|float
	 */
	public static function rate_number( $rate ) {
		return 0 === $rate % 100 ? intdiv( $rate, 100 ) : $rate / 100;
	}

	/**
	 * The tax on a net amount at a rate, rounded half away from zero.
	 *
	 * @param int $net  Net amount in øre.
	 * @param int $rate Rate in hundredths of a percent.
	 * @return int
	 */
	public static function tax_on( $net, $rate ) {
		return self::div_round( $net * $rate, 10000 );
	}

	/**
	 * The tax included in a gross amount at a rate, rounded half away from zero.
	 *
	 * @param int $gross Gross amount in øre.
	 * @param int $rate  Rate in hundredths of a percent.
	 * @return int
	 */
	public static function tax_included( $gross, $rate ) {
		if ( $rate <= 0 || 0 === $gross ) {
			return 0;
		}
		return self::div_round( $gross * $rate, 10000 + $rate );
	}

	/**
	 * Integer division rounding half away from zero; $b > 0.
	 *
	 * @param int $a Dividend.
	 * @param int $b Divisor.
	 * @return int
	 */
	private static function div_round( $a, $b ) {
		if ( $a < 0 ) {
			return -intdiv( -$a + intdiv( $b, 2 ), $b );
		}
		return intdiv( $a + intdiv( $b, 2 ), $b );
	}
}
