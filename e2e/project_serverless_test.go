package e2e

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestProjectServerlessSample starts apigw-local in testdata/serverless-app with --stage and
// calls every route.
func TestProjectServerlessSample(t *testing.T) {
	dir, err := filepath.Abs("../testdata/serverless-app")
	if err != nil {
		t.Fatal(err)
	}
	e := startProject(t, dir, "--api-port", freePort(t), "--stage", "test")
	root := e.Root
	for _, want := range []string{"Loaded Serverless project", "todo-service-test-listTodos", "py/handler.get_todo", "todo-test-key", "todo-local-api-key-0123456789"} {
		if !strings.Contains(e.stdout(), want) {
			t.Errorf("the start-up table lacks %q", want)
		}
	}
	key := "x-api-key: todo-local-api-key-0123456789"
	tests := []struct {
		name, method, url, body string
		headers                 []string
		wantStatus              int
		wantBody                map[string]any
	}{
		{name: "lambda-proxy with ${self:} and ${sls:stage} variables", method: "GET", url: root + "/todos?limit=1", wantStatus: 200,
			wantBody: map[string]any{"table": "todos-test", "stage": "test"}},
		{name: "stage prefix", method: "GET", url: root + "/test/todos", wantStatus: 200, wantBody: map[string]any{"stage": "test"}},
		{name: "private route with its key", method: "POST", url: root + "/todos", body: `{"title": "write tests"}`, headers: []string{key, "Content-Type: application/json"},
			wantStatus: 201, wantBody: map[string]any{"title": "write tests"}},
		{name: "private route without a key", method: "POST", url: root + "/todos", body: `{"title": "x"}`, wantStatus: 403,
			wantBody: map[string]any{"message": "Forbidden"}},
		{name: "Python function behind the authorizer", method: "GET", url: root + "/todos/7", headers: []string{"Authorization: Bearer allow"}, wantStatus: 200,
			wantBody: map[string]any{"id": "7", "table": "todos-test"}},
		{name: "authorizer refuses", method: "GET", url: root + "/todos/7", wantStatus: 401,
			wantBody: map[string]any{"message": "Unauthorized"}},
		{name: "mock integration with stage variables", method: "GET", url: root + "/status", wantStatus: 200,
			wantBody: map[string]any{"status": "ok", "stage": "test", "greeting": "hello from test"}},
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
		r := do(t, "OPTIONS", root+"/todos", nil, "Origin: http://localhost:3000")
		if r.Status != 200 || r.Header.Get("Access-Control-Allow-Methods") != "OPTIONS,GET,POST" || r.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("OPTIONS /todos: %d %v", r.Status, r.Header)
		}
	})
}
