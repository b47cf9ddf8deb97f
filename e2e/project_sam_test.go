package e2e

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var keyRE = regexp.MustCompile(`SampleApiApiKey\s+(\S+)`)

// TestProjectSAMSample starts apigw-local in testdata/sam-app and calls every route of its
// API, at the root of --api-port (with and without the stage) and on the emulator's port.
func TestProjectSAMSample(t *testing.T) {
	dir, err := filepath.Abs("../testdata/sam-app")
	if err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	e := startProject(t, dir, "--api-port", port, "--env-vars", "env.json")
	root, id := e.Root, e.apiID(t)
	m := keyRE.FindStringSubmatch(e.stdout())
	if m == nil {
		t.Fatalf("the start-up table shows no API key:\n%s", e.stdout())
	}
	key := m[1]
	for _, want := range []string{"HelloGoFunction", "provided.al2023", "hello-go/ (Go, built from source)", "src/handlers/app.lambdaHandler", "TokenAuthorizer + API key", "GET,OPTIONS"} {
		if !strings.Contains(e.stdout(), want) {
			t.Errorf("the start-up table lacks %q", want)
		}
	}
	auth := "Authorization: Bearer allow"
	tests := []struct {
		name       string
		method     string
		url        string
		body       string
		headers    []string
		wantStatus int
		wantBody   map[string]any // fields the JSON body must have
	}{
		{name: "MOCK route", method: "GET", url: root + "/health", wantStatus: 200,
			wantBody: map[string]any{"status": "ok", "stage": "dev", "greeting": "Hello"}},
		{name: "MOCK route with the stage", method: "GET", url: root + "/dev/health", wantStatus: 200,
			wantBody: map[string]any{"stage": "dev"}},
		{name: "MOCK route on the emulator's port", method: "GET", url: e.invokeURL(id, "dev") + "/health", wantStatus: 200,
			wantBody: map[string]any{"status": "ok"}},
		{name: "SAM's Stage stage", method: "GET", url: e.invokeURL(id, "Stage") + "/health", wantStatus: 200,
			wantBody: map[string]any{"stage": "Stage"}},
		{name: "Go function", method: "GET", url: root + "/hello/go", wantStatus: 200,
			wantBody: map[string]any{"message": "Hi from Go", "path": "/hello/go", "stage": "dev"}},
		{name: "Node function with a handler in a subdirectory", method: "GET", url: root + "/hello/node", wantStatus: 200,
			wantBody: map[string]any{"message": "Hi from Node.js", "service": "hello-node"}},
		{name: "ANY on a greedy path", method: "DELETE", url: root + "/items/a/b", wantStatus: 200,
			wantBody: map[string]any{"method": "DELETE", "proxy": "a/b"}},
		{name: "Python function", method: "POST", url: root + "/hello/python", body: `{"n": 1}`, wantStatus: 200,
			wantBody: map[string]any{"message": "Hi from Python", "echo": map[string]any{"n": float64(1)}}},
		{name: "proxy route behind the authorizer and the key", method: "GET", url: root + "/pets", headers: []string{auth, "x-api-key: " + key}, wantStatus: 200,
			wantBody: map[string]any{"table": "pets-from-env-vars"}},
		{name: "key missing", method: "GET", url: root + "/pets", headers: []string{auth}, wantStatus: 403,
			wantBody: map[string]any{"message": "Forbidden"}},
		{name: "VTL non-proxy route", method: "GET", url: root + "/pets/1", headers: []string{auth}, wantStatus: 200,
			wantBody: map[string]any{"name": "Rex"}},
		{name: "VTL selection pattern", method: "GET", url: root + "/pets/9", headers: []string{auth}, wantStatus: 404,
			wantBody: map[string]any{"message": "no pet 9"}},
		{name: "unknown route", method: "GET", url: root + "/nope", wantStatus: 403,
			wantBody: map[string]any{"message": "Missing Authentication Token"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, tt.method, tt.url, strings.NewReader(tt.body), tt.headers...)
			if r.Status != tt.wantStatus {
				t.Fatalf("%s %s: %d %s, want %d", tt.method, tt.url, r.Status, r.Body, tt.wantStatus)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(r.Body), &got); err != nil {
				t.Fatalf("body %q is not JSON: %v", r.Body, err)
			}
			for k, want := range tt.wantBody {
				if g, _ := json.Marshal(got[k]); string(g) != mustJSON(want) {
					t.Errorf("%s = %s, want %s (body %s)", k, g, mustJSON(want), r.Body)
				}
			}
		})
	}
	t.Run("CORS preflight", func(t *testing.T) {
		r := do(t, "OPTIONS", root+"/hello/go", nil, "Origin: http://localhost:8080", "Access-Control-Request-Method: GET")
		if r.Status != 200 {
			t.Fatalf("OPTIONS: %d %s", r.Status, r.Body)
		}
		for h, want := range map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET,OPTIONS",
			"Access-Control-Allow-Headers": "Content-Type,Authorization,x-api-key"} {
			if got := r.Header.Get(h); got != want {
				t.Errorf("%s = %q, want %q", h, got, want)
			}
		}
	})
	t.Run("authorizer", func(t *testing.T) {
		for _, h := range [][]string{nil, {"Authorization: Bearer nope"}} {
			r := do(t, "GET", root+"/pets/1", nil, h...)
			want := `{"message": "Unauthorized", "hint": "send Authorization: Bearer allow"}`
			if r.Status != 401 || r.Body != want {
				t.Errorf("GET /pets/1 with %v: %d %s, want 401 %s (the template's UNAUTHORIZED response)", h, r.Status, r.Body, want)
			}
			if got := r.Header.Get("Access-Control-Allow-Origin"); got != "*" {
				t.Errorf("UNAUTHORIZED response: Access-Control-Allow-Origin = %q, want *", got)
			}
		}
		r := do(t, "GET", root+"/pets/1", nil, auth)
		var got struct {
			Pet struct{ User string } `json:"pet"`
		}
		if err := json.Unmarshal([]byte(r.Body), &got); err != nil || got.Pet.User != "sample-user" {
			t.Errorf("GET /pets/1 with a token: %d %s, want the authorizer's principalId in the mapped event", r.Status, r.Body)
		}
	})
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestProjectSAMFirstRequest measures the time from start to the first answer of the Go
// route, with a warm Go build cache (the previous test, or an earlier run, built it).
func TestProjectSAMFirstRequest(t *testing.T) {
	dir, err := filepath.Abs("../testdata/sam-app")
	if err != nil {
		t.Fatal(err)
	}
	warm := startProject(t, dir, "--api-port", "0") // builds the Go function once
	_ = warm
	start := time.Now()
	e := startProject(t, dir, "--api-port", "0")
	url := e.invokeURL(e.apiID(t), "dev") + "/hello/go"
	r := do(t, "GET", url, nil)
	took := time.Since(start)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, r.Status, r.Body)
	}
	t.Logf("first request answered %s after start (warm Go build cache)", took.Round(time.Millisecond))
	if took > 3*time.Second {
		t.Errorf("first request took %s after start; the target is under 1 s", took)
	}
}
