package wasmbuild

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Cache bounds. A checkout builds a module for every change of the core's
// sources, and wazero compiles each into its own file (about 3.5 and 9 MB):
// without pruning, a developer's cache grows by gigabytes.
const (
	// KeepModules is how many of the newest cached modules (or compiled
	// modules) a prune always leaves.
	KeepModules = 8
	// KeepFor is how long a cached file is left after it was last written
	// or used, however many there are: another checkout, or a sidecar
	// started from an older build, may still want it.
	KeepFor = 14 * 24 * time.Hour
)

// Prune removes from dir the regular files whose names end in suffix
// ("" for all), except the KeepModules most recently modified and those
// modified within KeepFor. It reports how many it removed; files it cannot
// read or remove are left, since a cache is no reason to fail.
func Prune(dir, suffix string, now time.Time) int {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	type file struct {
		path string
		mod  time.Time
	}
	var files []file
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), suffix) {
			continue
		}
		if info, err := e.Info(); err == nil {
			files = append(files, file{filepath.Join(dir, e.Name()), info.ModTime()})
		}
	}
	slices.SortFunc(files, func(a, b file) int { return b.mod.Compare(a.mod) }) // newest first
	removed := 0
	for i, f := range files {
		if i < KeepModules || now.Sub(f.mod) < KeepFor {
			continue
		}
		if os.Remove(f.path) == nil {
			removed++
		}
	}
	return removed
}

// PruneTree applies Prune to every directory directly under dir (wazero
// keeps one per runtime version and platform).
func PruneTree(dir string, now time.Time) int {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		if e.IsDir() {
			n += Prune(filepath.Join(dir, e.Name()), "", now)
		}
	}
	return n
}
