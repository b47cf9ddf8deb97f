package project

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/emulator/store"
	"github.com/apigw-local/apigw-local/lambdarunner"
)

// TestWatcher edits a template under a running Watcher: a good edit is applied, a broken one
// is reported and leaves the last good state, and a fix is applied again.
func TestWatcher(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "template.yaml")
	write := func(version string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(strings.ReplaceAll(reloadTemplate, "VERSION", version)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("one")
	load := func() (*Plan, error) { return Load(Options{Dir: dir, IDSeed: "watch"}) }
	p, err := load()
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(store.Config{})
	runner := lambdarunner.New(lambdarunner.Config{})
	t.Cleanup(func() { _ = runner.Close(context.Background()) })
	a := NewApplier(Target{Store: st, Lambda: runner})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := a.Apply(ctx, p); err != nil {
		t.Fatal(err)
	}
	events := make(chan Event, 10)
	w, err := NewWatcher(a, load, func(ev Event) { events <- ev })
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	next := func() Event {
		t.Helper()
		select {
		case ev := <-events:
			return ev
		case <-time.After(10 * time.Second):
			t.Fatal("no reload within 10 s")
		}
		return Event{}
	}
	id := StableID("watch", "Api")
	variable := func() string {
		s, err := st.GetStage(id, "dev")
		if err != nil {
			t.Fatal(err)
		}
		return s.Variables["v"]
	}

	write("two")
	if ev := next(); ev.Err != nil || ev.Reloaded == nil {
		t.Fatalf("after a good edit: %+v", ev)
	}
	if v := variable(); v != "two" {
		t.Errorf("stage variable = %q after the reload, want two", v)
	}
	if err := os.WriteFile(path, []byte("Resources: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if ev := next(); ev.Err == nil || !strings.Contains(ev.Err.Error(), "template.yaml") {
		t.Fatalf("after a broken edit: %+v, want an error naming the file", ev)
	}
	if v := variable(); v != "two" {
		t.Errorf("stage variable = %q after a failed reload, want the last good two", v)
	}
	write("three")
	if ev := next(); ev.Err != nil || ev.Reloaded == nil {
		t.Fatalf("after the fix: %+v", ev)
	}
	if v := variable(); v != "three" {
		t.Errorf("stage variable = %q after the fix, want three", v)
	}
}

func TestIgnoredAndSkipped(t *testing.T) {
	for path, want := range map[string]bool{"/p/app.js": false, "/p/.app.js.swp": true, "/p/app.js~": true, "/p/4913": true,
		"/p/__pycache__/app.cpython-311.pyc": true, "/p/.#app.js": true} {
		if got := ignored(path); got != want {
			t.Errorf("ignored(%s) = %v, want %v", path, got, want)
		}
	}
	for dir, want := range map[string]bool{"src": false, "node_modules": true, ".git": true, ".aws-sam": true, "__pycache__": true} {
		if got := skipDir(dir); got != want {
			t.Errorf("skipDir(%s) = %v, want %v", dir, got, want)
		}
	}
}

// TestWriteSummary prints the start-up table of a loaded project.
func TestWriteSummary(t *testing.T) {
	a, _ := readArchive(t, "testdata/load/sam-auth.txtar")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(a["template.yaml"]), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Load(Options{Dir: dir, IDSeed: "table"})
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(store.Config{})
	for _, api := range p.APIs {
		if _, err := installAPI(st, api, true); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := WriteSummary(&b, p, st, URLs{Base: "http://127.0.0.1:4566"}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	apiID := StableID("table", "Api")
	for _, want := range []string{
		"Loaded SAM project " + filepath.Join(dir, "template.yaml") + ": 2 REST API(s), 2 function(s)",
		"Api    v1     DELETE  /admin   IAM      http://127.0.0.1:4566/_aws/execute-api/" + apiID + "/v1/admin",
		"Api    v1     GET     /orders  Cognito  http://127.0.0.1:4566/_aws/execute-api/" + apiID + "/v1/orders",
		"Api    v1     POST    /orders  Request",
		"Other  prod   GET     /ping    API key",
		"OrdersFunction  python3.12  app.handler   ./",
		"ServerlessApiKey",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the table lacks %q:\n%s", want, out)
		}
	}
}
