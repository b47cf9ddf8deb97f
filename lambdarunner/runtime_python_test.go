package lambdarunner_test

import (
	"strings"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/lambdarunner"
)

func TestPythonRuntime(t *testing.T) {
	requireInterpreter(t, "python3", "python3")
	m := newManager(t, lambdarunner.Config{})
	py := func(name, dir, handler string) {
		register(t, m, lambdarunner.FunctionConfig{
			Name: name, Runtime: "python3.14", Handler: handler, CodeDir: testdata(t, "python", dir),
			Timeout: time.Second, Environment: map[string]string{"GREETING": "hallo"},
		})
	}
	py("app", "app", "app.handler")
	py("initerr", "initerr", "app.handler")
	py("nohandler", "app", "app.missing")

	first := decode(t, invoke(t, m, "app", `{"x":1}`))
	second := decode(t, invoke(t, m, "app", `{"x":2}`))
	if first["calls"] != 1.0 || second["calls"] != 2.0 || first["pid"] != second["pid"] {
		t.Errorf("module state did not survive: %v then %v", first, second)
	}
	if second["functionName"] != "app" || second["greeting"] != "hallo" {
		t.Errorf("context/env: %v", second)
	}
	if rem := second["remaining"].(float64); rem <= 0 || rem > 1000 {
		t.Errorf("get_remaining_time_in_millis() = %v", rem)
	}

	resp := invoke(t, m, "app", `{"action":"error","text":"nope"}`)
	if resp.Error == nil || resp.Error.ErrorType != "ValueError" || resp.Error.ErrorMessage != "nope" || len(resp.Error.StackTrace) == 0 {
		t.Errorf("raised exception: %s", resp.Payload)
	}

	resp = invoke(t, m, "app", `{"action":"log","text":"xyz"}`)
	for _, want := range []string{"hello from python xyz\n", "[INFO]\t", "\t" + resp.RequestID + "\tlogged xyz\n"} {
		if !strings.Contains(string(resp.LogTail), want) {
			t.Errorf("log tail lacks %q:\n%s", want, resp.LogTail)
		}
	}

	resp = invoke(t, m, "initerr", `{}`)
	if resp.Error == nil || resp.Error.ErrorType != "Runtime.ImportModuleError" || !strings.Contains(resp.Error.ErrorMessage, "Unable to import module 'app'") {
		t.Errorf("import error: %s", resp.Payload)
	}
	resp = invoke(t, m, "nohandler", `{}`)
	if resp.Error == nil || resp.Error.ErrorType != "Runtime.HandlerNotFound" {
		t.Errorf("missing handler: %s", resp.Payload)
	}

	resp = invoke(t, m, "app", `{"action":"exit"}`)
	if resp.Error == nil || resp.Error.ErrorType != "Runtime.ExitError" || !strings.HasSuffix(resp.Error.ErrorMessage, "exit status 4") {
		t.Errorf("os._exit(4): %s", resp.Payload)
	}
	resp = invoke(t, m, "app", `{"action":"sleep","ms":3000}`)
	if resp.Error == nil || resp.Error.ErrorType != "Sandbox.Timedout" {
		t.Errorf("timeout: %s", resp.Payload)
	}
}
