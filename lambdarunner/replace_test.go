package lambdarunner_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/lambdarunner"
)

// writeNodeVersion writes a handler that answers version after waiting event.wait ms.
func writeNodeVersion(t *testing.T, dir, version string) {
	t.Helper()
	src := `exports.handler = async (e) => { await new Promise(r => setTimeout(r, e.wait || 0)); return "` + version + `"; };`
	if err := os.WriteFile(filepath.Join(dir, "index.js"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReplaceKeepsInFlightInvocations(t *testing.T) {
	requireInterpreter(t, "node", "nodejs")
	m := newManager(t, lambdarunner.Config{})
	v1, v2 := t.TempDir(), t.TempDir()
	writeNodeVersion(t, v1, "v1")
	writeNodeVersion(t, v2, "v2")
	fc := lambdarunner.FunctionConfig{Name: "svc", Runtime: "nodejs20.x", Handler: "index.handler", CodeDir: v1, Timeout: 5 * time.Second}
	register(t, m, fc)
	if got := string(invoke(t, m, "svc", `{}`).Payload); got != `"v1"` {
		t.Fatalf("before replace: %s", got)
	}

	inflight := make(chan string, 1)
	go func() {
		resp, err := m.Invoke(context.Background(), &lambdarunner.InvokeRequest{FunctionName: "svc", Payload: []byte(`{"wait":300}`)})
		if err != nil {
			inflight <- err.Error()
			return
		}
		inflight <- string(resp.Payload)
	}()
	// Wait until the slow invocation runs in the old environment.
	deadline := time.Now().Add(5 * time.Second)
	for m.PoolStats("svc").Running == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}

	bad := fc
	bad.Runtime = "cobol9.x"
	if err := m.Replace(context.Background(), bad); err == nil {
		t.Fatal("Replace with an unsupported runtime succeeded")
	}
	fc.CodeDir = v2
	if err := m.Replace(context.Background(), fc); err != nil {
		t.Fatal(err)
	}
	if got := string(invoke(t, m, "svc", `{}`).Payload); got != `"v2"` {
		t.Errorf("after replace: %s", got)
	}
	select {
	case got := <-inflight:
		if got != `"v1"` {
			t.Errorf("the in-flight invocation got %s, want the old code's answer", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the in-flight invocation never finished")
	}
}
