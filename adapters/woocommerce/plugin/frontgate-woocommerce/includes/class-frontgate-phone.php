<?php
/**
 * Phone numbers split into FrontGo's countryCode and msisdn.
 *
 * @package Frontgate_WooCommerce
 */

defined( 'ABSPATH' ) || exit;

/**
 * The same rules as the Go adapter's SplitPhone (adapters/woocommerce/phone.go).
 */
class Frontgate_Phone {

	/**
	 * Dialing codes of the countries whose national numbers are completed.
	 *
	 * @var array<string,string>
	 */
	const DIALING_CODES = array(
		'NO' => '+47',
		'SE' => '+46',
		'DK' => '+45',
		'FI' => '+358',
		'IS' => '+354',
		'DE' => '+49',
		'GB' => '+44',
		'NL' => '+31',
		'PL' => '+48',
		'FR' => '+33',
		'ES' => '+34',
		'IT' => '+39',
		'AT' => '+43',
		'CH' => '+41',
		'BE' => '+32',
		'IE' => '+353',
		'PT' => '+351',
		'EE' => '+372',
		'LV' => '+371',
		'LT' => '+370',
		'US' => '+1',
		'CA' => '+1',
	);

	/**
	 * Countries whose national numbers start with a trunk 0.
	 *
	 * @var string[]
	 */
	const TRUNK0 = array( 'SE', 'FI', 'DE', 'GB', 'NL', 'FR', 'AT', 'CH', 'BE', 'IE' );

	/**
	 * Second digits of the two-digit calling codes, by first digit (E.164).
	 *
	 * @var array<string,string>
	 */
	const TWO_DIGIT = array(
		'2' => '07',
		'3' => '0123469',
		'4' => '013456789',
		'5' => '12345678',
		'6' => '0123456',
		'8' => '1246',
		'9' => '0123458',
	);

	/**
	 * Splits a phone number as shoppers type it.
	 *
	 * @param string $raw          The number ("+47 412 34 567", "412 34 567", "0046 70…").
	 * @param string $country      The billing country (ISO alpha-2).
	 * @param string $default_code Dialing code for Norway or no country, "+47".
	 * @return string[] array( countryCode, msisdn )
	 * @throws InvalidArgumentException With the reason ("is empty", "is not a phone number", …).
	 */
	public static function split( $raw, $country, $default_code ) {
		$s   = str_replace( '(0)', '', (string) $raw );
		$out = '';
		$len = strlen( $s );
		for ( $i = 0; $i < $len; $i++ ) {
			$c = $s[ $i ];
			if ( ctype_digit( $c ) ) {
				$out .= $c;
			} elseif ( '+' === $c && '' === $out ) {
				$out .= $c;
			} elseif ( false !== strpos( " -./()", $c ) ) {
				continue;
			} elseif ( "\xc2" === $c && $i + 1 < $len && "\xa0" === $s[ $i + 1 ] ) {
				++$i; // A no-break space.
			} else {
				throw new InvalidArgumentException( __( 'is not a phone number', 'frontgate-woocommerce' ) );
			}
		}
		if ( '' === $out ) {
			throw new InvalidArgumentException( __( 'is empty', 'frontgate-woocommerce' ) );
		}
		if ( 0 === strpos( $out, '00' ) ) {
			$out = '+' . substr( $out, 2 );
		}
		if ( 0 === strpos( $out, '+' ) ) {
			$d = substr( $out, 1 );
			$n = self::calling_code_len( $d );
			if ( 0 === $n || '0' === substr( $d, 0, 1 ) || strlen( $d ) <= $n ) {
				throw new InvalidArgumentException( __( 'is not a phone number', 'frontgate-woocommerce' ) );
			}
			return array( '+' . substr( $d, 0, $n ), substr( $d, $n ) );
		}
		$country = strtoupper( trim( (string) $country ) );
		$code    = isset( self::DIALING_CODES[ $country ] ) ? self::DIALING_CODES[ $country ] : '';
		if ( '' === $country || 'NO' === $country ) {
			$code = $default_code;
		}
		if ( '' === $code ) {
			/* translators: %s: the billing country's ISO code */
			throw new InvalidArgumentException( sprintf( __( 'has no dialing code and the country %s has none on file: give it as +<code> <number>', 'frontgate-woocommerce' ), $country ) );
		}
		if ( '+47' === $code && 10 === strlen( $out ) && 0 === strpos( $out, '47' ) ) {
			$out = substr( $out, 2 );
		}
		if ( in_array( $country, self::TRUNK0, true ) && 0 === strpos( $out, '0' ) ) {
			$out = substr( $out, 1 );
		}
		return array( $code, $out );
	}

	/**
	 * Length of the E.164 calling code at the start of $d.
	 *
	 * @param string $d Digits.
	 * @return int
	 */
	private static function calling_code_len( $d ) {
		if ( '' === $d ) {
			return 0;
		}
		if ( '1' === $d[0] || '7' === $d[0] ) {
			return 1;
		}
		if ( strlen( $d ) < 2 ) {
			return 0;
		}
		if ( isset( self::TWO_DIGIT[ $d[0] ] ) && false !== strpos( self::TWO_DIGIT[ $d[0] ], $d[1] ) ) {
			return 2;
		}
		return 3;
	}
}
