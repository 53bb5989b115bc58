<?php
/**
 * Reads an HTML form the way a browser submits it, for the shopper and the
 * merchant of run.sh:
 *
 *     php form.php <page.html> <form selector> [name=value …]
 *
 * The selector is "#id", ".class" or "name". It prints the form's action
 * as written (entities decoded) on the first line, then one urlencoded
 * name=value per line: hidden and text inputs, checked
 * radios and checkboxes, selects (the selected option, else the first) and
 * textareas, with the name=value arguments typed over them (added when the
 * form has no such field). Exits 1 when the page has no such form.
 *
 * @package Frontgate_WooCommerce
 */

// phpcs:disable WordPress.WP.AlternativeFunctions, WordPress.Security.EscapeOutput -- a command-line tool.

if ( 'cli' !== PHP_SAPI || $argc < 3 ) {
	fwrite( STDERR, "usage: php form.php <page.html> <#id|.class|name> [name=value …]\n" );
	exit( 1 );
}

$frontgate_e2e_html = (string) file_get_contents( $argv[1] );
$frontgate_e2e_doc  = new DOMDocument();
libxml_use_internal_errors( true );
$frontgate_e2e_doc->loadHTML( '<?xml encoding="UTF-8">' . $frontgate_e2e_html );
$frontgate_e2e_xp  = new DOMXPath( $frontgate_e2e_doc );
$frontgate_e2e_sel = $argv[2];
if ( '#' === $frontgate_e2e_sel[0] ) {
	$frontgate_e2e_q = '//form[@id="' . substr( $frontgate_e2e_sel, 1 ) . '"]';
} elseif ( '.' === $frontgate_e2e_sel[0] ) {
	$frontgate_e2e_q = '//form[contains(concat(" ", normalize-space(@class), " "), " ' . substr( $frontgate_e2e_sel, 1 ) . ' ")]';
} else {
	$frontgate_e2e_q = '//form[@name="' . $frontgate_e2e_sel . '"]';
}
$frontgate_e2e_form = $frontgate_e2e_xp->query( $frontgate_e2e_q )->item( 0 );
if ( ! $frontgate_e2e_form instanceof DOMElement ) {
	fwrite( STDERR, 'form.php: no form ' . $frontgate_e2e_sel . ' in ' . $argv[1] . "\n" );
	exit( 1 );
}

$frontgate_e2e_fields = array();
foreach ( $frontgate_e2e_xp->query( './/input | .//select | .//textarea | .//button[@name]', $frontgate_e2e_form ) as $frontgate_e2e_el ) {
	$frontgate_e2e_name = $frontgate_e2e_el->getAttribute( 'name' );
	if ( '' === $frontgate_e2e_name || $frontgate_e2e_el->hasAttribute( 'disabled' ) ) {
		continue;
	}
	switch ( $frontgate_e2e_el->nodeName ) {
		case 'select':
			$frontgate_e2e_opt = $frontgate_e2e_xp->query( './/option[@selected]', $frontgate_e2e_el )->item( 0 );
			$frontgate_e2e_opt = $frontgate_e2e_opt ? $frontgate_e2e_opt : $frontgate_e2e_xp->query( './/option', $frontgate_e2e_el )->item( 0 );
			if ( $frontgate_e2e_opt ) {
				$frontgate_e2e_fields[] = array( $frontgate_e2e_name, $frontgate_e2e_opt->hasAttribute( 'value' ) ? $frontgate_e2e_opt->getAttribute( 'value' ) : trim( $frontgate_e2e_opt->textContent ) );
			}
			break;
		case 'textarea':
			$frontgate_e2e_fields[] = array( $frontgate_e2e_name, $frontgate_e2e_el->textContent );
			break;
		case 'button':
			break; // Only the button pressed is sent: type it as name=value.
		default:
			$frontgate_e2e_type = strtolower( $frontgate_e2e_el->getAttribute( 'type' ) );
			if ( in_array( $frontgate_e2e_type, array( 'submit', 'button', 'image', 'reset', 'file' ), true ) ) {
				break;
			}
			if ( in_array( $frontgate_e2e_type, array( 'radio', 'checkbox' ), true ) && ! $frontgate_e2e_el->hasAttribute( 'checked' ) ) {
				break;
			}
			$frontgate_e2e_fields[] = array( $frontgate_e2e_name, $frontgate_e2e_el->hasAttribute( 'value' ) ? $frontgate_e2e_el->getAttribute( 'value' ) : ( 'checkbox' === $frontgate_e2e_type ? 'on' : '' ) );
	}
}
foreach ( array_slice( $argv, 3 ) as $frontgate_e2e_kv ) {
	list( $frontgate_e2e_k, $frontgate_e2e_v ) = array_pad( explode( '=', $frontgate_e2e_kv, 2 ), 2, '' );
	$frontgate_e2e_found                      = false;
	foreach ( $frontgate_e2e_fields as $frontgate_e2e_i => $frontgate_e2e_f ) {
		if ( $frontgate_e2e_f[0] === $frontgate_e2e_k ) {
			$frontgate_e2e_fields[ $frontgate_e2e_i ][1] = $frontgate_e2e_v;
			$frontgate_e2e_found                        = true;
		}
	}
	if ( ! $frontgate_e2e_found ) {
		$frontgate_e2e_fields[] = array( $frontgate_e2e_k, $frontgate_e2e_v );
	}
}

echo $frontgate_e2e_form->getAttribute( 'action' ), "\n";
foreach ( $frontgate_e2e_fields as $frontgate_e2e_f ) {
	echo rawurlencode( $frontgate_e2e_f[0] ), '=', rawurlencode( $frontgate_e2e_f[1] ), "\n";
}
