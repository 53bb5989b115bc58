<?php
/**
 * Writes the plugin's translation template (POT) from its PHP sources.
 *
 *   php adapters/woocommerce/plugin/tools/make-pot.php [plugin-dir] [out.pot]
 *
 * It reads every .php and .js file under the plugin folder with PHP's
 * tokenizer and collects the literal strings passed to WordPress's
 * translation functions for the plugin's text domain, with their contexts,
 * plural forms, translator comments and file:line references. Calls whose
 * arguments are not literals, or whose domain is another, are skipped. The
 * output is sorted by first reference, so it changes only when the strings
 * do; plugin_test.go fails when the committed template is stale.
 *
 * The block script (plain ES5, wp.i18n.__ and friends) is read by the same
 * tokenizer: JavaScript's quoted strings, comments, names and parentheses
 * are PHP's too. Template literals, and regular expressions holding a quote,
 * would not be; the script has none. Its references (assets/js/…) are what
 * `wp i18n make-json` needs to make the script's JSON translations.
 *
 * @package Frontgate_WooCommerce
 */

const FRONTGATE_POT_DOMAIN = 'frontgate-woocommerce';

// Argument positions per function: msgid, plural, context, domain.
const FRONTGATE_POT_FUNCTIONS = array(
	'__'         => array( 0, null, null, 1 ),
	'_e'         => array( 0, null, null, 1 ),
	'esc_html__' => array( 0, null, null, 1 ),
	'esc_html_e' => array( 0, null, null, 1 ),
	'esc_attr__' => array( 0, null, null, 1 ),
	'esc_attr_e' => array( 0, null, null, 1 ),
	'_x'         => array( 0, null, 1, 2 ),
	'_ex'        => array( 0, null, 1, 2 ),
	'esc_html_x' => array( 0, null, 1, 2 ),
	'esc_attr_x' => array( 0, null, 1, 2 ),
	'_n'         => array( 0, 1, null, 3 ),
	'_nx'        => array( 0, 1, 3, 4 ),
);

/**
 * The value of a PHP string literal token.
 *
 * @param string $tok The literal as written.
 * @return string
 */
function frontgate_pot_literal( $tok ) {
	$q    = $tok[0];
	$body = substr( $tok, 1, -1 );
	if ( "'" === $q ) {
		return strtr( $body, array( "\\'" => "'", '\\\\' => '\\' ) );
	}
	return stripcslashes( str_replace( '\\$', '$', $body ) );
}

/**
 * A string as a PO file quotes it.
 *
 * @param string $s The string.
 * @return string
 */
function frontgate_pot_quote( $s ) {
	return '"' . strtr( $s, array( '\\' => '\\\\', '"' => '\\"', "\n" => '\\n', "\t" => '\\t' ) ) . '"';
}

/**
 * The translation calls in one file.
 *
 * @param string $path Absolute path.
 * @param string $rel  Path for references.
 * @return array[] Entries: msgid, plural, context, ref, comment.
 */
function frontgate_pot_scan( $path, $rel ) {
	$src = (string) file_get_contents( $path );
	if ( '.js' === substr( $path, -3 ) ) {
		$src = '<?php ' . $src; // On the first line: line numbers stay the script's.
	}
	$tokens  = token_get_all( $src );
	$out     = array();
	$comment = null; // the last translators: comment and the line it ends on.
	$n       = count( $tokens );
	for ( $i = 0; $i < $n; $i++ ) {
		$t = $tokens[ $i ];
		if ( ! is_array( $t ) ) {
			continue;
		}
		if ( T_COMMENT === $t[0] && false !== stripos( $t[1], 'translators:' ) ) {
			$text    = trim( preg_replace( '#^/\*+|\*+/$|^//#', '', trim( $t[1] ) ) );
			$comment = array( $text, $t[2] + substr_count( $t[1], "\n" ) );
			continue;
		}
		if ( T_STRING !== $t[0] || ! isset( FRONTGATE_POT_FUNCTIONS[ $t[1] ] ) ) {
			continue;
		}
		// Not a method or a function declaration.
		$prev = $i - 1;
		while ( $prev >= 0 && is_array( $tokens[ $prev ] ) && T_WHITESPACE === $tokens[ $prev ][0] ) {
			$prev--;
		}
		if ( $prev >= 0 && is_array( $tokens[ $prev ] ) && in_array( $tokens[ $prev ][0], array( T_OBJECT_OPERATOR, T_DOUBLE_COLON, T_FUNCTION ), true ) ) {
			continue;
		}
		$j = $i + 1;
		while ( $j < $n && is_array( $tokens[ $j ] ) && T_WHITESPACE === $tokens[ $j ][0] ) {
			$j++;
		}
		if ( $j >= $n || '(' !== $tokens[ $j ] ) {
			continue;
		}
		// Arguments at depth 1: a literal each, or null for anything else.
		$args  = array();
		$cur   = array();
		$depth = 0;
		for ( $j++; $j < $n; $j++ ) {
			$a = $tokens[ $j ];
			if ( '(' === $a || '[' === $a ) {
				$depth++;
			} elseif ( ( ')' === $a || ']' === $a ) && $depth > 0 ) {
				$depth--;
			} elseif ( ')' === $a || ( ',' === $a && 0 === $depth ) ) {
				$args[] = $cur;
				$cur    = array();
				if ( ')' === $a ) {
					break;
				}
				continue;
			}
			if ( ! is_array( $a ) || ! in_array( $a[0], array( T_WHITESPACE, T_COMMENT ), true ) ) {
				$cur[] = $a;
			}
		}
		$lit = function ( $k ) use ( $args ) {
			if ( null === $k || ! isset( $args[ $k ] ) || 1 !== count( $args[ $k ] ) ) {
				return null;
			}
			$a = $args[ $k ][0];
			return is_array( $a ) && T_CONSTANT_ENCAPSED_STRING === $a[0] ? frontgate_pot_literal( $a[1] ) : null;
		};
		list( $m, $p, $c, $d ) = FRONTGATE_POT_FUNCTIONS[ $t[1] ];
		$msgid                  = $lit( $m );
		if ( null === $msgid || FRONTGATE_POT_DOMAIN !== $lit( $d ) || ( null !== $p && null === $lit( $p ) ) || ( null !== $c && null === $lit( $c ) ) ) {
			continue;
		}
		$out[] = array(
			'msgid'   => $msgid,
			'plural'  => $lit( $p ),
			'context' => $lit( $c ),
			'ref'     => $rel . ':' . $t[2],
			'comment' => ( $comment && $t[2] - $comment[1] <= 2 ) ? $comment[0] : null,
		);
		$comment = null;
	}
	return $out;
}

$dir = $argv[1] ?? dirname( __DIR__ ) . '/frontgate-woocommerce';
$out = $argv[2] ?? $dir . '/languages/frontgate-woocommerce.pot';
$dir = rtrim( realpath( $dir ), '/' );

$files = array();
$it    = new RecursiveIteratorIterator( new RecursiveDirectoryIterator( $dir, FilesystemIterator::SKIP_DOTS ) );
foreach ( $it as $f ) {
	if ( in_array( $f->getExtension(), array( 'php', 'js' ), true ) ) {
		$files[] = substr( $f->getPathname(), strlen( $dir ) + 1 );
	}
}
sort( $files, SORT_STRING );

$entries = array(); // keyed by context \x04 msgid, in order of first reference.
foreach ( $files as $rel ) {
	foreach ( frontgate_pot_scan( $dir . '/' . $rel, $rel ) as $e ) {
		$key = ( $e['context'] ?? '' ) . "\x04" . $e['msgid'];
		if ( ! isset( $entries[ $key ] ) ) {
			$entries[ $key ] = array(
				'msgid'    => $e['msgid'],
				'plural'   => $e['plural'],
				'context'  => $e['context'],
				'refs'     => array(),
				'comments' => array(),
			);
		}
		$entries[ $key ]['refs'][] = $e['ref'];
		if ( null !== $e['comment'] && ! in_array( $e['comment'], $entries[ $key ]['comments'], true ) ) {
			$entries[ $key ]['comments'][] = $e['comment'];
		}
	}
}

$version = '';
if ( preg_match( '/^\s*\*\s*Version:\s*(\S+)/m', (string) file_get_contents( $dir . '/frontgate-woocommerce.php' ), $mv ) ) {
	$version = $mv[1];
}
$pot  = "# Translation template for Front Payment for WooCommerce (frontgate).\n";
$pot .= "# This file is distributed under the same license as the plugin (GPLv2 or later).\n";
$pot .= "# Made by adapters/woocommerce/plugin/tools/make-pot.php; do not edit.\n";
$pot .= "msgid \"\"\nmsgstr \"\"\n";
$pot .= "\"Project-Id-Version: frontgate-woocommerce $version\\n\"\n";
$pot .= '"POT-Creation-Date: ' . gmdate( 'Y-m-d H:i' ) . "+0000\\n\"\n";
$pot .= "\"MIME-Version: 1.0\\n\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n\"Content-Transfer-Encoding: 8bit\\n\"\n";
$pot .= "\"X-Domain: frontgate-woocommerce\\n\"\n";
foreach ( $entries as $e ) {
	$pot .= "\n";
	foreach ( $e['comments'] as $c ) {
		$pot .= "#. $c\n";
	}
	$pot .= '#: ' . implode( ' ', $e['refs'] ) . "\n";
	if ( preg_match( '/%(\d+\$)?[sdf]/', $e['msgid'] ) ) {
		$pot .= "#, php-format\n";
	}
	if ( null !== $e['context'] ) {
		$pot .= 'msgctxt ' . frontgate_pot_quote( $e['context'] ) . "\n";
	}
	$pot .= 'msgid ' . frontgate_pot_quote( $e['msgid'] ) . "\n";
	if ( null !== $e['plural'] ) {
		$pot .= 'msgid_plural ' . frontgate_pot_quote( $e['plural'] ) . "\nmsgstr[0] \"\"\nmsgstr[1] \"\"\n";
	} else {
		$pot .= "msgstr \"\"\n";
	}
}
if ( ! is_dir( dirname( $out ) ) ) {
	mkdir( dirname( $out ), 0755, true );
}
file_put_contents( $out, $pot );
fwrite( STDERR, count( $entries ) . " strings from " . count( $files ) . " files -> $out\n" );
