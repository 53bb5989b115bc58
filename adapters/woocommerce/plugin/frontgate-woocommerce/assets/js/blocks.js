/**
 * Registers Front Payment with the Cart and Checkout blocks. Plain ES5 over
 * the globals WordPress and WooCommerce provide, so there is no build step.
 * Its strings go through wp.i18n with the plugin's text domain (the
 * translations of the "frontgate-blocks" script, wp_set_script_translations)
 * and are in languages/frontgate-woocommerce.pot.
 */
( function ( wc, wp ) {
	'use strict';
	if ( ! wc || ! wc.wcBlocksRegistry || ! wc.wcSettings || ! wp || ! wp.element ) {
		return;
	}
	var el = wp.element.createElement;
	var decode = wp.htmlEntities && wp.htmlEntities.decodeEntities ? wp.htmlEntities.decodeEntities : function ( s ) { return s; };
	var __ = wp.i18n && wp.i18n.__ ? wp.i18n.__ : function ( s ) { return s; };
	var settings = wc.wcSettings.getSetting( 'frontgate_data', {} );
	// The gateway's title setting; this only when the server sent none.
	var title = decode( settings.title || __( 'Card', 'frontgate-woocommerce' ) );

	function Content() {
		return el( 'div', null, decode( settings.description || '' ) );
	}

	function Label( props ) {
		var PaymentMethodLabel = props && props.components && props.components.PaymentMethodLabel;
		return PaymentMethodLabel ? el( PaymentMethodLabel, { text: title } ) : el( 'span', null, title );
	}

	wc.wcBlocksRegistry.registerPaymentMethod( {
		name: 'frontgate',
		label: el( Label, null ),
		content: el( Content, null ),
		edit: el( Content, null ),
		canMakePayment: function () {
			return true;
		},
		ariaLabel: title,
		supports: {
			features: settings.supports || [ 'products' ],
		},
	} );
}( window.wc, window.wp ) );
