// Command build produces frontgate.wasm reproducibly:
//
//	go run ./build            # build/out/frontgate.wasm, .sha256 and .json
//	go run ./build -out DIR   # somewhere else
//	go run ./build -embed     # also place it for `go build -tags frontgate_embed`
//	go run ./build -raw       # without the jump rewriter (for comparisons)
//
// The flags and environment are fixed in build/wasmbuild (Flags, Env):
// -trimpath, -buildvcs=false, empty build id, GOFLAGS cleared,
// GOTOOLCHAIN=local. The compiler's output then goes through
// build/wasmbuild/jumps, which makes forward jumps direct (RATIONALE.md,
// "Why is the module rewritten after go build?"). The toolchain is
// recorded in frontgate.wasm.json; release builds use wasmbuild.PinnedGo
// and this command warns otherwise.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/frontgate/frontgate/build/wasmbuild"
	"github.com/frontgate/frontgate/plugin/abi"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) { // -h: the usage was asked for, and printed
			return
		}
		fmt.Fprintln(os.Stderr, "build:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, log io.Writer) error {
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	fs.SetOutput(log)
	out := fs.String("out", "", "output directory (default build/out in the module root)")
	embed := fs.Bool("embed", false, "also copy the module to build/wasmbuild/frontgate.wasm for -tags frontgate_embed")
	plugin := fs.Bool("plugin", true, "also zip the WooCommerce plugin to <out>/frontgate-woocommerce.zip")
	raw := fs.Bool("raw", false, "keep the compiler's output without the jump rewriter (for comparisons)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	root, err := wasmbuild.FindRoot(wd)
	if err != nil {
		return err
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join(root, "build", "out")
	}
	info, err := wasmbuild.Build(ctx, wasmbuild.Options{Root: root, Out: filepath.Join(dir, "frontgate.wasm"), Stderr: log, Raw: *raw})
	if err != nil {
		return err
	}
	if !strings.HasPrefix(info.GoVersion, wasmbuild.PinnedGo+" ") {
		fmt.Fprintf(log, "build: warning: %s is not the pinned %s; the module works but its hash differs from a release build\n",
			info.GoVersion, wasmbuild.PinnedGo)
	}
	if err := writeSidecars(info); err != nil {
		return err
	}
	if *embed {
		b, err := os.ReadFile(info.Path)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(root, "build", "wasmbuild", "frontgate.wasm"), b, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(log, "%s  %d bytes  sha256 %s  (%s, ABI %s)\n", info.Path, info.Size, info.SHA256, info.GoVersion, abi.Version)
	if *plugin {
		zipPath := filepath.Join(dir, "frontgate-woocommerce.zip")
		sum, err := zipPlugin(root, zipPath)
		if err != nil {
			return fmt.Errorf("zipping the WooCommerce plugin: %w", err)
		}
		fmt.Fprintf(log, "%s  sha256 %s\n", zipPath, sum)
	}
	return nil
}

// writeSidecars writes frontgate.wasm.sha256 (sha256sum -c format) and
// frontgate.wasm.json (hash, size, toolchain, ABI version, command).
func writeSidecars(info wasmbuild.Info) error {
	name := filepath.Base(info.Path)
	if err := os.WriteFile(info.Path+".sha256", []byte(info.SHA256+"  "+name+"\n"), 0o644); err != nil {
		return err
	}
	meta := struct {
		wasmbuild.Info
		ABI string `json:"abi"`
	}{info, abi.Version}
	b, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(info.Path+".json", append(b, '\n'), 0o644)
}
