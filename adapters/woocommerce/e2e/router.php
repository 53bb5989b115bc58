<?php
/**
 * Router for PHP's built-in server (php -S … -t site router.php): files and
 * directories that exist are served as they are, every other path goes to
 * WordPress's index.php, as a web server's rewrite rule would send it, so
 * pretty permalinks and /wp-json/ work.
 *
 * @package Frontgate_WooCommerce
 */

$frontgate_e2e_root = rtrim( (string) $_SERVER['DOCUMENT_ROOT'], '/' );
$frontgate_e2e_path = (string) parse_url( (string) $_SERVER['REQUEST_URI'], PHP_URL_PATH );
if ( '/' !== $frontgate_e2e_path && file_exists( $frontgate_e2e_root . $frontgate_e2e_path ) ) {
	return false;
}
$_SERVER['SCRIPT_NAME']     = '/index.php';
$_SERVER['PHP_SELF']        = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $frontgate_e2e_root . '/index.php';
chdir( $frontgate_e2e_root );
require $frontgate_e2e_root . '/index.php';
