package lambdarunner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/lambdarunner"
)

// cacheDir is the build cache shared by every test of this run, so the Go fixture is built once.
var cacheDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lambdarunner-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cacheDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// syncBuffer is a goroutine-safe log sink tests can read.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newManager(t testing.TB, cfg lambdarunner.Config) *lambdarunner.Manager {
	t.Helper()
	if cfg.BuildCacheDir == "" {
		cfg.BuildCacheDir = cacheDir
	}
	m := lambdarunner.New(cfg)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := m.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return m
}

func testdata(t testing.TB, elem ...string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join(append([]string{"testdata"}, elem...)...))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// goFunction is the Go fixture, built from source by the Manager into the shared cache.
func goFunction(name string, mod func(*lambdarunner.FunctionConfig)) lambdarunner.FunctionConfig {
	fc := lambdarunner.FunctionConfig{Name: name, Runtime: "provided.al2023", Handler: "bootstrap", CodeDir: "testdata/goecho"}
	if mod != nil {
		mod(&fc)
	}
	return fc
}

func register(t testing.TB, m *lambdarunner.Manager, fc lambdarunner.FunctionConfig) {
	t.Helper()
	if err := m.Register(fc); err != nil {
		t.Fatalf("Register(%s): %v", fc.Name, err)
	}
}

func invoke(t testing.TB, m *lambdarunner.Manager, name, payload string) *lambdarunner.InvokeResponse {
	t.Helper()
	resp, err := m.Invoke(context.Background(), &lambdarunner.InvokeRequest{FunctionName: name, Payload: []byte(payload), LogTail: true})
	if err != nil {
		t.Fatalf("Invoke(%s, %s): %v", name, payload, err)
	}
	return resp
}

// decode unmarshals a successful response into a map, failing on function errors.
func decode(t testing.TB, resp *lambdarunner.InvokeResponse) map[string]any {
	t.Helper()
	if resp.FunctionError != "" {
		t.Fatalf("function error %s: %s\nlog:\n%s", resp.FunctionError, resp.Payload, resp.LogTail)
	}
	var out map[string]any
	if err := json.Unmarshal(resp.Payload, &out); err != nil {
		t.Fatalf("payload %s: %v", resp.Payload, err)
	}
	return out
}

func requireInterpreter(t testing.TB, name, pkg string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s is not installed (Debian package %s): skipping the tests that run it", name, pkg)
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond) // polling interval, not a wait for the condition itself
	}
}
