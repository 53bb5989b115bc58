<?php
/**
 * The plugin's test runner: php tests/run.php [filter]
 *
 * Runs every function named frontgate_test_* in tests/test-*.php (or those
 * whose name contains the filter), each with fresh stubs, and prints
 * "N passed, N failed" (and skipped ones). Exits 1 when any failed.
 *
 * @package Frontgate_WooCommerce
 */

// phpcs:disable

error_reporting( E_ALL );
set_error_handler(
	function ( $severity, $message, $file, $line ) {
		if ( ! ( error_reporting() & $severity ) ) {
			return false; // Silenced with @.
		}
		throw new ErrorException( $message, 0, $severity, $file, $line );
	}
);

require __DIR__ . '/bootstrap.php';
foreach ( glob( __DIR__ . '/test-*.php' ) as $file ) {
	require $file;
}

$filter = isset( $argv[1] ) ? $argv[1] : '';
$passed = 0;
$failed = 0;
$skipped = 0;
$funcs  = get_defined_functions()['user'];
sort( $funcs );
foreach ( $funcs as $fn ) {
	if ( 0 !== strpos( $fn, 'frontgate_test_' ) || ( '' !== $filter && false === strpos( $fn, $filter ) ) ) {
		continue;
	}
	frontgate_stubs_reset();
	try {
		$fn();
		++$passed;
		echo "ok    $fn\n";
	} catch ( FrontgateTest_Skip $e ) {
		++$skipped;
		echo "skip  $fn: {$e->getMessage()}\n";
	} catch ( Throwable $e ) {
		++$failed;
		echo "FAIL  $fn: {$e->getMessage()}\n      at " . basename( $e->getFile() ) . ':' . $e->getLine() . "\n";
	}
	frontgate_stubs_cleanup();
}
echo "$passed passed, $failed failed" . ( $skipped ? ", $skipped skipped" : '' ) . "\n";
exit( $failed > 0 || 0 === $passed ? 1 : 0 );
