package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestProjectWatch edits a copy of the SAM sample while apigw-local --watch serves it: each
// function's handler (Node.js, Python, Go), then the template, then a broken template that
// must leave the last good state serving. It logs how long each change took to answer.
func TestProjectWatch(t *testing.T) {
	// Inside the module, so the Go function builds against the repository's go.mod.
	dir, err := os.MkdirTemp("testdata", "watch-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if dir, err = filepath.Abs(dir); err != nil {
		t.Fatal(err)
	}
	copyDir(t, "../testdata/sam-app", dir)
	e := startProject(t, dir, "--watch", "--api-port", freePort(t))
	e.waitOutput(t, "Watching the template", 5*time.Second)

	edit := func(t *testing.T, file, old, new string) {
		t.Helper()
		p := filepath.Join(dir, file)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), old) {
			t.Fatalf("%s does not contain %q", file, old)
		}
		if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	answers := func(method, path, want string) func() bool {
		return func() bool {
			r := do(t, method, e.Root+path, strings.NewReader("{}"))
			return r.Status == 200 && strings.Contains(r.Body, want)
		}
	}
	// A new text every run, so the Go build cache cannot already hold the edited program.
	stamp := strconv.FormatInt(time.Now().UnixNano(), 36)
	handlers := []struct {
		name, file, old, new, method, path string
		target                             time.Duration
	}{
		{name: "Node.js", file: "hello-node/src/handlers/app.js", old: "from Node.js", new: "from edited Node.js " + stamp, method: "GET", path: "/hello/node", target: 200 * time.Millisecond},
		{name: "Python", file: "hello-python/app.py", old: "from Python", new: "from edited Python " + stamp, method: "POST", path: "/hello/python", target: 200 * time.Millisecond},
		{name: "Go", file: "hello-go/main.go", old: `" from Go"`, new: `" from edited Go ` + stamp + `"`, method: "GET", path: "/hello/go", target: time.Second},
	}
	for _, h := range handlers {
		t.Run(h.name, func(t *testing.T) {
			poll(t, 30*time.Second, "the old code answers", answers(h.method, h.path, strings.TrimPrefix(strings.Trim(h.old, `"`), " ")))
			edit(t, h.file, h.old, h.new)
			took := poll(t, 30*time.Second, h.name+" runs the edited handler", answers(h.method, h.path, strings.TrimPrefix(strings.Trim(h.new, `"`), " ")))
			t.Logf("%s: the edited handler answered %s after the write (target %s)", h.name, took.Round(time.Millisecond), h.target)
		})
	}
	t.Run("template", func(t *testing.T) {
		edit(t, "template.yaml", "Default: Hello", "Default: Howdy")
		took := poll(t, 30*time.Second, "the new parameter default is served", answers("GET", "/hello/node", "Howdy from edited Node.js"))
		t.Logf("template: reloaded and answering %s after the write", took.Round(time.Millisecond))
	})
	t.Run("broken template keeps the last good state", func(t *testing.T) {
		edit(t, "template.yaml", "Runtime: nodejs20.x", "Runtime: !Reff nodejs20.x")
		e.waitOutput(t, "Reload failed", 10*time.Second)
		if !strings.Contains(e.stdout(), "unknown tag !Reff") {
			t.Errorf("the reload error does not say what is wrong:\n%s", e.stdout())
		}
		if r := do(t, "GET", e.Root+"/hello/node", nil); r.Status != 200 || !strings.Contains(r.Body, "Howdy") {
			t.Errorf("after a failed reload: %d %s, want the last good state", r.Status, r.Body)
		}
		edit(t, "template.yaml", "!Reff ", "")
		poll(t, 30*time.Second, "a fixed template reloads", func() bool { return strings.Count(e.stdout(), "Reloaded ") >= 2 })
	})
}
