package main

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// pluginDir is the WooCommerce plugin's folder in the module, and the
// folder name WordPress expects inside the zip.
const pluginDir = "adapters/woocommerce/plugin/frontgate-woocommerce"

// zipPlugin writes the WooCommerce plugin as an installable zip (Plugins →
// Add New → Upload) with every file under frontgate-woocommerce/, in name
// order with a fixed timestamp, so the same sources give the same bytes.
// It returns the zip's SHA-256.
func zipPlugin(root, out string) (string, error) {
	src := filepath.Join(root, pluginDir)
	var files []string
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	sort.Strings(files)
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return "", err
	}
	f, err := os.Create(out)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	zw := zip.NewWriter(io.MultiWriter(f, h))
	stamp := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	base := filepath.Base(src)
	for _, p := range files {
		rel, _ := filepath.Rel(src, p)
		w, err := zw.CreateHeader(&zip.FileHeader{Name: base + "/" + filepath.ToSlash(rel), Method: zip.Deflate, Modified: stamp})
		if err != nil {
			return "", err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return "", err
		}
		if _, err := w.Write(b); err != nil {
			return "", err
		}
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	return sum, os.WriteFile(out+".sha256", []byte(sum+"  "+filepath.Base(out)+"\n"), 0o644)
}
