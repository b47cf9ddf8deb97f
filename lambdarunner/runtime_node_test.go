package lambdarunner_test

import (
	"strings"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/lambdarunner"
)

func TestNodeRuntime(t *testing.T) {
	requireInterpreter(t, "node", "nodejs")
	logs := &syncBuffer{}
	m := newManager(t, lambdarunner.Config{FunctionLogs: logs})
	node := func(name, dir, handler string) {
		register(t, m, lambdarunner.FunctionConfig{
			Name: name, Runtime: "nodejs24.x", Handler: handler, CodeDir: testdata(t, "node", dir),
			Timeout: time.Second, Environment: map[string]string{"GREETING": "hello"},
		})
	}
	node("cjs", "cjs", "index.handler")
	node("callback", "cjs", "index.callback")
	node("nested", "cjs", "index.nested.deep.fn")
	node("esm", "esm", "app.handler")
	node("mjs", "esm", "plain.handler")
	node("initerr", "initerr", "index.handler")
	node("missing", "badhandler", "index.handler")
	node("nomodule", "badhandler", "nothere.handler")

	t.Run("async CommonJS handler, context, module state", func(t *testing.T) {
		first := decode(t, invoke(t, m, "cjs", `{"x":1}`))
		second := decode(t, invoke(t, m, "cjs", `{"x":2}`))
		if first["calls"] != 1.0 || second["calls"] != 2.0 || first["pid"] != second["pid"] {
			t.Errorf("module state did not survive: %v then %v", first, second)
		}
		if second["functionName"] != "cjs" || second["greeting"] != "hello" || second["requestId"] == "" {
			t.Errorf("context/env: %v", second)
		}
		if rem := second["remaining"].(float64); rem <= 0 || rem > 1000 {
			t.Errorf("getRemainingTimeInMillis() = %v", rem)
		}
	})
	t.Run("callback handler", func(t *testing.T) {
		got := decode(t, invoke(t, m, "callback", `{}`))
		if got["style"] != "callback" {
			t.Errorf("got %v", got)
		}
		resp := invoke(t, m, "callback", `{"fail":true}`)
		if resp.Error == nil || resp.Error.ErrorType != "Error" || resp.Error.ErrorMessage != "callback failure" {
			t.Errorf("callback(err): %s", resp.Payload)
		}
	})
	t.Run("nested handler path", func(t *testing.T) {
		if got := string(invoke(t, m, "nested", `{}`).Payload); got != `"nested"` {
			t.Errorf("got %s", got)
		}
	})
	t.Run("ES modules", func(t *testing.T) {
		if got := decode(t, invoke(t, m, "esm", `{}`)); got["style"] != "esm" || got["functionName"] != "esm" {
			t.Errorf("type=module .js: %v", got)
		}
		if got := decode(t, invoke(t, m, "mjs", `{}`)); got["style"] != "mjs" {
			t.Errorf(".mjs: %v", got)
		}
	})
	t.Run("thrown error", func(t *testing.T) {
		resp := invoke(t, m, "cjs", `{"action":"error","text":"bad"}`)
		if resp.FunctionError != "Unhandled" || resp.Error.ErrorType != "TypeError" || resp.Error.ErrorMessage != "bad" || len(resp.Error.StackTrace) == 0 {
			t.Errorf("got %s", resp.Payload)
		}
		if !strings.Contains(string(resp.Payload), `"trace":[`) {
			t.Errorf("Node.js errors carry trace, as Lambda's: %s", resp.Payload)
		}
	})
	t.Run("console output", func(t *testing.T) {
		resp := invoke(t, m, "cjs", `{"action":"log","text":"abc"}`)
		line := "\t" + resp.RequestID + "\tINFO\thello from node abc\n"
		if !strings.Contains(string(resp.LogTail), line) {
			t.Errorf("log tail lacks %q:\n%s", line, resp.LogTail)
		}
	})
	t.Run("init errors", func(t *testing.T) {
		resp := invoke(t, m, "initerr", `{}`)
		if resp.Error == nil || resp.Error.ErrorType != "Error" || resp.Error.ErrorMessage != "cannot start: missing configuration" {
			t.Errorf("exception at load: %s", resp.Payload)
		}
		resp = invoke(t, m, "missing", `{}`)
		if resp.Error == nil || resp.Error.ErrorType != "Runtime.HandlerNotFound" {
			t.Errorf("missing export: %s", resp.Payload)
		}
		resp = invoke(t, m, "nomodule", `{}`)
		if resp.Error == nil || resp.Error.ErrorType != "Runtime.ImportModuleError" {
			t.Errorf("missing module: %s", resp.Payload)
		}
	})
	t.Run("crash and timeout", func(t *testing.T) {
		resp := invoke(t, m, "cjs", `{"action":"exit"}`)
		if resp.Error == nil || resp.Error.ErrorType != "Runtime.ExitError" || !strings.HasSuffix(resp.Error.ErrorMessage, "exit status 2") {
			t.Errorf("process.exit(2): %s", resp.Payload)
		}
		resp = invoke(t, m, "cjs", `{"action":"sleep","ms":3000}`)
		if resp.Error == nil || resp.Error.ErrorType != "Sandbox.Timedout" {
			t.Errorf("timeout: %s", resp.Payload)
		}
		if got := decode(t, invoke(t, m, "cjs", `{}`)); got["calls"] != 1.0 {
			t.Errorf("after a timeout the environment should be new: %v", got)
		}
	})
}

func TestUnsupportedAndMissingInterpreter(t *testing.T) {
	m := newManager(t, lambdarunner.Config{Interpreters: map[string]string{"nodejs": "/nonexistent/node"}})
	err := m.Register(lambdarunner.FunctionConfig{Name: "n", Runtime: "nodejs20.x", Handler: "index.handler", CodeDir: testdata(t, "node", "cjs")})
	if err == nil || !strings.Contains(err.Error(), "needs Node.js") || !strings.Contains(err.Error(), "apt-get install nodejs") {
		t.Errorf("missing interpreter: %v", err)
	}
	err = m.Register(lambdarunner.FunctionConfig{Name: "j", Runtime: "java21", Handler: "x", CodeDir: testdata(t, "node", "cjs")})
	if err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Errorf("java21: %v", err)
	}
}
