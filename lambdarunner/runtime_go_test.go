package lambdarunner_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/apigw-local/apigw-local/lambdarunner"
)

func TestGoEchoAndEnvironment(t *testing.T) {
	logs := &syncBuffer{}
	m := newManager(t, lambdarunner.Config{FunctionLogs: logs, Region: "eu-west-1", AccountID: "123456789012"})
	register(t, m, goFunction("echo", func(fc *lambdarunner.FunctionConfig) {
		fc.Environment = map[string]string{"GREETING": "hi"}
		fc.MemorySize = 256
	}))

	resp := invoke(t, m, "echo", `{"hello":"world"}`)
	if string(resp.Payload) != `{"hello":"world"}` {
		t.Errorf("payload = %s, want the event back", resp.Payload)
	}
	if resp.ExecutedVersion != "$LATEST" || resp.StatusCode != 200 {
		t.Errorf("ExecutedVersion %q StatusCode %d", resp.ExecutedVersion, resp.StatusCode)
	}

	state := decode(t, invoke(t, m, "arn:aws:lambda:eu-west-1:123456789012:function:echo:live", `{"action":"state"}`))
	want := map[string]any{
		"AWS_LAMBDA_FUNCTION_NAME":        "echo",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_REGION":                      "eu-west-1",
		"_HANDLER":                        "bootstrap",
		"TZ":                              ":UTC",
		"GREETING":                        "hi",
	}
	if diff := cmp.Diff(want, state["env"]); diff != "" {
		t.Errorf("environment (-want +got):\n%s", diff)
	}
	if state["arn"] != "arn:aws:lambda:eu-west-1:123456789012:function:echo:live" {
		t.Errorf("invoked ARN = %v", state["arn"])
	}
	if rem := state["remaining"].(float64); rem <= 0 || rem > 3000 {
		t.Errorf("remaining time %v ms, want within the 3 s default timeout", rem)
	}
	if state["calls"].(float64) != 2 {
		t.Errorf("calls = %v: the second invocation should reuse the warm environment", state["calls"])
	}

	tail := string(invoke(t, m, "echo", `{"action":"log","text":"some output"}`).LogTail)
	for _, wantLine := range []string{"START RequestId: ", " Version: $LATEST\n", "some output\n", "stderr: some output\n", "END RequestId: ", "REPORT RequestId: ", "\tBilled Duration: ", "\tMemory Size: 256 MB\tMax Memory Used: "} {
		if !strings.Contains(tail, wantLine) {
			t.Errorf("log tail lacks %q:\n%s", wantLine, tail)
		}
	}
	if strings.Index(tail, "some output") > strings.Index(tail, "END RequestId") {
		t.Errorf("function output after END:\n%s", tail)
	}
	if !strings.Contains(logs.String(), "[echo ") || !strings.Contains(logs.String(), "] some output\n") {
		t.Errorf("emulator log lacks prefixed function output:\n%s", logs.String())
	}
}

func TestGoFunctionErrors(t *testing.T) {
	m := newManager(t, lambdarunner.Config{})
	register(t, m, goFunction("errs", func(fc *lambdarunner.FunctionConfig) { fc.Timeout = time.Second }))

	t.Run("returned error", func(t *testing.T) {
		resp := invoke(t, m, "errs", `{"action":"error","text":"bad input"}`)
		if resp.FunctionError != "Unhandled" || resp.Error.ErrorType != "errorString" || resp.Error.ErrorMessage != "bad input" {
			t.Errorf("got %s %+v", resp.FunctionError, resp.Error)
		}
	})
	t.Run("panic", func(t *testing.T) {
		resp := invoke(t, m, "errs", `{"action":"panic","text":"boom"}`)
		if resp.Error == nil || resp.Error.ErrorType != "string" || resp.Error.ErrorMessage != "boom" || len(resp.Error.StackTrace) == 0 {
			t.Fatalf("got %s", resp.Payload)
		}
		// aws-lambda-go exits after a panic; the next invocation gets a fresh environment.
		decode(t, invoke(t, m, "errs", `{"action":"state"}`))
	})
	t.Run("crash", func(t *testing.T) {
		resp := invoke(t, m, "errs", `{"action":"exit"}`)
		if resp.Error == nil || resp.Error.ErrorType != "Runtime.ExitError" {
			t.Fatalf("got %s", resp.Payload)
		}
		if want := "RequestId: " + resp.RequestID + " Error: Runtime exited with error: exit status 3"; resp.Error.ErrorMessage != want {
			t.Errorf("message %q, want %q", resp.Error.ErrorMessage, want)
		}
		if !strings.Contains(string(resp.LogTail), "about to exit") {
			t.Errorf("crash output missing from the log tail:\n%s", resp.LogTail)
		}
		state := decode(t, invoke(t, m, "errs", `{"action":"state"}`))
		if state["calls"].(float64) != 1 {
			t.Errorf("calls = %v, want a replacement environment", state["calls"])
		}
	})
	t.Run("timeout", func(t *testing.T) {
		before := decode(t, invoke(t, m, "errs", `{"action":"state"}`))
		resp := invoke(t, m, "errs", `{"action":"sleep","ms":5000}`)
		if resp.Error == nil || resp.Error.ErrorType != "Sandbox.Timedout" {
			t.Fatalf("got %s", resp.Payload)
		}
		if !strings.HasPrefix(resp.Error.ErrorMessage, "RequestId: "+resp.RequestID+" Error: Task timed out after 1.0") {
			t.Errorf("message %q", resp.Error.ErrorMessage)
		}
		if !strings.Contains(string(resp.LogTail), " Task timed out after 1.0") {
			t.Errorf("log tail lacks the timeout line:\n%s", resp.LogTail)
		}
		after := decode(t, invoke(t, m, "errs", `{"action":"state"}`))
		if after["pid"] == before["pid"] {
			t.Errorf("the timed-out environment was reused (pid %v)", after["pid"])
		}
	})
}

func TestGoConcurrencyScaleOutAndThrottle(t *testing.T) {
	m := newManager(t, lambdarunner.Config{})
	register(t, m, goFunction("scale", nil))
	two := 2
	register(t, m, goFunction("reserved", func(fc *lambdarunner.FunctionConfig) { fc.ReservedConcurrency = &two }))
	zero := 0
	register(t, m, goFunction("disabled", func(fc *lambdarunner.FunctionConfig) { fc.ReservedConcurrency = &zero }))

	const n = 4
	var wg sync.WaitGroup
	pids := make([]any, n)
	for i := range n {
		wg.Go(func() { pids[i] = decode(t, invoke(t, m, "scale", `{"action":"sleep","ms":300}`))["pid"] })
	}
	wg.Wait()
	seen := map[any]bool{}
	for _, p := range pids {
		seen[p] = true
	}
	if len(seen) != n {
		t.Errorf("%d concurrent invocations ran in %d environments, want %d", n, len(seen), n)
	}
	if s := m.PoolStats("scale"); s.Environments != n || s.Idle != n {
		t.Errorf("pool %+v, want %d warm environments", s, n)
	}

	// Two slow invocations hold the reserved concurrency; a third is throttled.
	for range 2 {
		wg.Go(func() { decode(t, invoke(t, m, "reserved", `{"action":"sleep","ms":1500}`)) })
	}
	waitFor(t, "two running invocations", 5*time.Second, func() bool { return m.PoolStats("reserved").Running == 2 })
	_, err := m.Invoke(context.Background(), &lambdarunner.InvokeRequest{FunctionName: "reserved"})
	var ie *lambdarunner.InvokeError
	if !errors.As(err, &ie) || ie.Code != lambdarunner.ErrTooManyRequests || ie.HTTPStatus() != 429 || ie.Reason != "ReservedFunctionConcurrentInvocationLimitExceeded" {
		t.Errorf("third invocation: err = %v, want TooManyRequestsException", err)
	}
	wg.Wait()

	_, err = m.Invoke(context.Background(), &lambdarunner.InvokeRequest{FunctionName: "disabled"})
	if !errors.As(err, &ie) || ie.Code != lambdarunner.ErrTooManyRequests {
		t.Errorf("reserved concurrency 0: err = %v, want TooManyRequestsException", err)
	}
}

func TestMaxEnvironmentsQueues(t *testing.T) {
	m := newManager(t, lambdarunner.Config{MaxEnvironments: 1})
	register(t, m, goFunction("capped", nil))
	var wg sync.WaitGroup
	pids := make([]any, 3)
	for i := range 3 {
		wg.Go(func() { pids[i] = decode(t, invoke(t, m, "capped", `{"action":"sleep","ms":100}`))["pid"] })
	}
	wg.Wait()
	if pids[0] != pids[1] || pids[1] != pids[2] {
		t.Errorf("pids %v: with MaxEnvironments 1 every invocation should share one environment", pids)
	}
}

func TestIdleReapAndEagerStart(t *testing.T) {
	m := newManager(t, lambdarunner.Config{IdleTimeout: 200 * time.Millisecond, Eager: true})
	register(t, m, goFunction("eager", nil))
	waitFor(t, "the eager environment", 10*time.Second, func() bool { return m.PoolStats("eager").Idle == 1 })
	resp := invoke(t, m, "eager", `{"action":"state"}`)
	if strings.Contains(string(resp.LogTail), "Init Duration") {
		t.Errorf("eagerly started environment reported a cold start:\n%s", resp.LogTail)
	}
	waitFor(t, "the idle environment to be reaped", 5*time.Second, func() bool { return m.PoolStats("eager").Environments == 0 })
	resp = invoke(t, m, "eager", `{"action":"state"}`)
	if !strings.Contains(string(resp.LogTail), "Init Duration: ") {
		t.Errorf("invocation after reaping should be a cold start:\n%s", resp.LogTail)
	}
}

func TestProvidedBootstrapFailures(t *testing.T) {
	m := newManager(t, lambdarunner.Config{InitTimeout: 500 * time.Millisecond})
	script := func(name, body string) string {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "bootstrap"), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		register(t, m, lambdarunner.FunctionConfig{Name: name, Runtime: "provided.al2", CodeDir: dir})
		return dir
	}
	script("nonext", "echo starting; exec sleep 60")
	script("exits", "echo init failed >&2; exit 1")

	resp := invoke(t, m, "nonext", `{}`)
	if resp.Error == nil || resp.Error.ErrorType != "Sandbox.Timedout" {
		t.Errorf("a runtime that never calls next: got %s", resp.Payload)
	}
	if !strings.Contains(string(resp.LogTail), "starting") {
		t.Errorf("init output missing from the tail:\n%s", resp.LogTail)
	}
	resp = invoke(t, m, "exits", `{}`)
	if resp.Error == nil || resp.Error.ErrorType != "Runtime.ExitError" || !strings.HasSuffix(resp.Error.ErrorMessage, "Runtime exited with error: exit status 1") {
		t.Errorf("a runtime that exits during init: got %s", resp.Payload)
	}
	if s := m.PoolStats("exits"); s.Environments != 0 || s.Running != 0 {
		t.Errorf("pool after a failed init: %+v", s)
	}

	err := m.Register(lambdarunner.FunctionConfig{Name: "nocode", Runtime: "provided.al2", CodeDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "bootstrap") {
		t.Errorf("Register without bootstrap: %v", err)
	}
}

func TestGoRebuildOnSourceChange(t *testing.T) {
	dir := t.TempDir()
	src := func(answer string) {
		code := "package main\n\nimport \"github.com/aws/aws-lambda-go/lambda\"\n\nfunc main() { lambda.Start(func() (string, error) { return \"" + answer + "\", nil }) }\n"
		if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(code), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The code must sit inside a module that requires aws-lambda-go: reuse this repository's.
	modDir, err := os.MkdirTemp("testdata", "rebuild-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(modDir) })
	dir = modDir
	src("one")
	m := newManager(t, lambdarunner.Config{IdleTimeout: -1})
	register(t, m, lambdarunner.FunctionConfig{Name: "rebuild", Runtime: "go1.x", Handler: "main", CodeDir: dir})
	if got := string(invoke(t, m, "rebuild", `{}`).Payload); got != `"one"` {
		t.Fatalf("payload %s", got)
	}
	src("two")
	// Warm environments keep the code they started with; a new environment picks up the change.
	if err := m.Unregister(context.Background(), "rebuild"); err != nil {
		t.Fatal(err)
	}
	register(t, m, lambdarunner.FunctionConfig{Name: "rebuild", Runtime: "go1.x", Handler: "main", CodeDir: dir})
	if got := string(invoke(t, m, "rebuild", `{}`).Payload); got != `"two"` {
		t.Errorf("after the change: payload %s, want a rebuilt function", got)
	}
}

func TestInvokeRejections(t *testing.T) {
	m := newManager(t, lambdarunner.Config{})
	register(t, m, goFunction("target", nil))
	big := `"` + strings.Repeat("x", 6*1024*1024) + `"`
	tests := []struct {
		name string
		req  lambdarunner.InvokeRequest
		code lambdarunner.ErrorCode
	}{
		{"unknown function", lambdarunner.InvokeRequest{FunctionName: "nope"}, lambdarunner.ErrResourceNotFound},
		{"unknown function by ARN", lambdarunner.InvokeRequest{FunctionName: "arn:aws:lambda:us-east-1:000000000000:function:nope"}, lambdarunner.ErrResourceNotFound},
		{"malformed JSON", lambdarunner.InvokeRequest{FunctionName: "target", Payload: []byte(`{"a":`)}, lambdarunner.ErrInvalidRequestContent},
		{"payload over 6 MB", lambdarunner.InvokeRequest{FunctionName: "target", Payload: []byte(big)}, lambdarunner.ErrRequestTooLarge},
		{"event payload over 256 KB", lambdarunner.InvokeRequest{FunctionName: "target", InvocationType: lambdarunner.Event, Payload: []byte(`"` + strings.Repeat("x", 300*1024) + `"`)}, lambdarunner.ErrRequestTooLarge},
		{"qualifier mismatch", lambdarunner.InvokeRequest{FunctionName: "target:a", Qualifier: "b"}, lambdarunner.ErrInvalidParameterValue},
		{"bad client context", lambdarunner.InvokeRequest{FunctionName: "target", ClientContext: "!!"}, lambdarunner.ErrInvalidRequestContent},
		{"bad invocation type", lambdarunner.InvokeRequest{FunctionName: "target", InvocationType: "Later"}, lambdarunner.ErrInvalidParameterValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := m.Invoke(context.Background(), &tt.req)
			var ie *lambdarunner.InvokeError
			if !errors.As(err, &ie) || ie.Code != tt.code {
				t.Errorf("err = %v, want %s", err, tt.code)
			}
		})
	}
}

func TestClientContextAndEmptyPayload(t *testing.T) {
	m := newManager(t, lambdarunner.Config{})
	register(t, m, goFunction("ctx", nil))
	resp := invoke(t, m, "ctx", "")
	if string(resp.Payload) != "{}" {
		t.Errorf("empty payload reached the function as %s, want {}", resp.Payload)
	}
	var v any
	if err := json.Unmarshal(resp.Payload, &v); err != nil {
		t.Error(err)
	}
}

func TestRuntimeAPIRejectsMisuse(t *testing.T) {
	m := newManager(t, lambdarunner.Config{})
	register(t, m, goFunction("probe", nil))
	got := decode(t, invoke(t, m, "probe", `{"action":"probe"}`))
	want := map[string]any{"wrongId": 400.0, "lateInitError": 403.0, "unknownRoute": 404.0, "wrongMethod": 404.0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Runtime API status codes (-want +got):\n%s", diff)
	}
	decode(t, invoke(t, m, "probe", `{"action":"state"}`)) // the environment still works
}

func TestInterpreterVersionWarning(t *testing.T) {
	requireInterpreter(t, "node", "nodejs")
	logs := &syncBuffer{}
	m := newManager(t, lambdarunner.Config{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	for _, name := range []string{"a", "b"} {
		register(t, m, lambdarunner.FunctionConfig{Name: name, Runtime: "nodejs99.x", Handler: "index.handler", CodeDir: testdata(t, "node", "cjs")})
	}
	if n := strings.Count(logs.String(), "runtime nodejs99.x runs on the local Node.js"); n != 1 {
		t.Errorf("%d version warnings, want exactly one:\n%s", n, logs.String())
	}
}
