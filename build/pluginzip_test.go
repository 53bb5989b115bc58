package main

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontgate/frontgate/build/wasmbuild"
)

// TestZipPlugin: the zip holds every plugin file under
// frontgate-woocommerce/ with the main file first-level (the block script
// and the translation template included), and two builds give the same
// bytes.
func TestZipPlugin(t *testing.T) {
	wd, _ := os.Getwd()
	root, err := wasmbuild.FindRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	a, err := zipPlugin(root, filepath.Join(dir, "a.zip"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := zipPlugin(root, filepath.Join(dir, "b.zip"))
	if err != nil || a != b {
		t.Fatalf("two zips differ: %s %s %v", a, b, err)
	}
	zr, err := zip.OpenReader(filepath.Join(dir, "a.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	names := map[string]bool{}
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "frontgate-woocommerce/") {
			t.Errorf("%s is outside frontgate-woocommerce/", f.Name)
		}
		names[f.Name] = true
	}
	for _, want := range []string{"frontgate-woocommerce/frontgate-woocommerce.php", "frontgate-woocommerce/readme.txt",
		"frontgate-woocommerce/uninstall.php", "frontgate-woocommerce/includes/class-frontgate-gateway.php",
		"frontgate-woocommerce/includes/class-frontgate-charges.php", "frontgate-woocommerce/assets/js/blocks.js",
		"frontgate-woocommerce/languages/frontgate-woocommerce.pot"} {
		if !names[want] {
			t.Errorf("the zip lacks %s", want)
		}
	}
}
