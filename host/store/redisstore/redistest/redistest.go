// Package redistest gives tests a Redis: FRONTGATE_REDIS_URL, or a
// redis-server started on a free loopback port for the test and stopped
// after it. Without either the test skips, except under
// FRONTGATE_REQUIRE_ALL=1 (CI), where it fails.
package redistest

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// URL returns a redis:// URL for t.
func URL(t testing.TB) string {
	t.Helper()
	if u := os.Getenv("FRONTGATE_REDIS_URL"); u != "" {
		return u
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("FRONTGATE_REQUIRE_ALL") == "1" {
			t.Fatal("redis-server is not installed and FRONTGATE_REQUIRE_ALL=1")
		}
		t.Skip("redis-server not installed")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	dir := t.TempDir()
	cmd := exec.Command(bin, "--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--save", "", "--appendonly", "no",
		"--dir", dir, "--logfile", filepath.Join(dir, "redis.log"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for deadline := time.Now().Add(10 * time.Second); ; {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("redis-server did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return "redis://" + addr + "/0"
}
