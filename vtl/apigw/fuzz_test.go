package apigw

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzRender checks that Render never panics or runs away, whatever the
// template and payload.
func FuzzRender(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(goldenDir, "*", "*.txtar"))
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		a := parseTxtar(data)
		src, _ := a.get("template.vtl")
		body := `{"a": [1, {"b": "c"}], "s": "x/y"}`
		if in, ok := a.get("input.json"); ok {
			req := &Request{}
			if decodeInput(in, req) == nil && len(req.Body) > 0 {
				body = string(req.Body)
			}
		}
		f.Add(strings.TrimSuffix(string(src), "\n"), body)
	}
	f.Fuzz(func(t *testing.T, src, body string) {
		tmpl, err := Compile("f", src)
		if err != nil {
			return
		}
		req := &Request{
			Body:           []byte(body),
			Path:           []Param{{"id", "1"}},
			QueryString:    []Param{{"q", "a b"}},
			Header:         []Param{{"h", "v/w"}},
			StageVariables: []Param{{"s", "t"}},
			Context:        &Context{RequestID: "r", Authorizer: []Param{{"principalId", "p"}}},
			Overrides:      &Overrides{ResponseStatus: 201, RequestHeader: map[string][]string{"x": {"1", "2"}}},
		}
		start := time.Now()
		_, _ = tmpl.Render(req)
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("render took %v", d)
		}
	})
}
