package openapi

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/apigw-local/apigw-local/emulator/awserr"
)

func TestDecodeTree(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want any
	}{
		{"JSON numbers stay exact", `{"a": 1.10, "b": [true, null, "x"]}`, map[string]any{"a": json.Number("1.10"), "b": []any{true, nil, "x"}}},
		{"YAML scalars", "i: 0x1F\nu: 1_000\nf: 1.5\ninf: .inf\nb: True\nn: ~\ns: '007'\nd: 2024-01-02\n", map[string]any{
			"i": json.Number("31"), "u": json.Number("1000"), "f": json.Number("1.5"), "inf": ".inf", "b": true, "n": nil, "s": "007", "d": "2024-01-02"}},
		{"YAML integer keys are strings", "200: ok\n", map[string]any{"200": "ok"}},
		{"YAML merge keys", "x: &b {a: 1, c: 0}\ny: {<<: *b, c: 2}\n", map[string]any{
			"x": map[string]any{"a": json.Number("1"), "c": json.Number("0")},
			"y": map[string]any{"a": json.Number("1"), "c": json.Number("2")}}},
		{"JSON-looking YAML", "{a: 1,}", map[string]any{"a": json.Number("1")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeTree([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Error(diff)
			}
		})
	}
	_, err := decodeTree([]byte("? [a]\n: b\n"))
	wantErr(t, err, awserr.BadRequest, "YAML error at line 1: mapping keys must be scalars")
}

func TestLocations(t *testing.T) {
	tests := []struct{ key, want string }{
		{"paths", ".paths"},
		{"/pets/{id}", "['/pets/{id}']"},
		{"200", ".200"},
		{"x-amazon-apigateway-integration", ".x-amazon-apigateway-integration"},
		{"", "['']"},
	}
	for _, tt := range tests {
		if got := member(tt.key); got != tt.want {
			t.Errorf("member(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}
