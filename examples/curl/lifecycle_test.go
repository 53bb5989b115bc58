package curl_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestLifecycleScript runs lifecycle.sh as a reader would: it builds and
// starts its own frontgate and walks one reservation through checkout,
// approval, callback, capture, charge, refund, a refusal and completion.
// Skipped without bash, curl or jq, unless FRONTGATE_REQUIRE_ALL=1 (CI).
func TestLifecycleScript(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts frontgate")
	}
	for _, tool := range []string{"bash", "curl", "jq", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("FRONTGATE_REQUIRE_ALL") == "1" {
				t.Fatalf("%s is not installed and FRONTGATE_REQUIRE_ALL=1", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "lifecycle.sh")
	cmd.Env = []string{}
	for _, kv := range os.Environ() { // start its own frontgate, whatever the caller's shell has
		if !strings.HasPrefix(kv, "FRONTGATE_URL=") && !strings.HasPrefix(kv, "FRONTGATE_CONFIG=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	t.Logf("lifecycle.sh:\n%s", out.String())
	if err != nil {
		t.Fatalf("lifecycle.sh: %v", err)
	}
	for _, want := range []string{"replayed", "approved → RESERVED", "delivered=true", "cancel: ", "COMPLETED: captured 14900, charged 4900, refunded 5000 øre", "\nok\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the output lacks %q", want)
		}
	}
}
