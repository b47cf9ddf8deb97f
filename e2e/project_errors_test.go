package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProjectBadInput checks that a project that cannot load stops apigw-local with a message
// that says where and what.
func TestProjectBadInput(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		args  []string
		want  []string
	}{
		{name: "YAML syntax", files: map[string]string{"template.yaml": "Resources:\n  Fn: [\n"},
			want: []string{"template.yaml: line 2: did not find expected node content"}},
		{name: "unknown tag", files: map[string]string{"template.yaml": "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {Runtime: !Reff x}\n"},
			want: []string{"template.yaml:4:27: unknown tag !Reff"}},
		{name: "unresolved Sub", files: map[string]string{"template.yaml": "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs20.x\n      Handler: index.handler\n      Environment: {Variables: {A: !Sub '${Nope}'}}\n"},
			want: []string{"template.yaml:8:", "${Nope} names no parameter, resource or variable"}},
		{name: "parameter without default", files: map[string]string{"template.yaml": "Parameters:\n  Table: {Type: String}\nResources:\n  R: {Type: AWS::SNS::Topic}\n"},
			want: []string{"parameter Table has no Default", "--parameter-overrides Table=value"}},
		{name: "parameter not allowed", files: map[string]string{"template.yaml": "Parameters:\n  S: {Type: String, Default: a, AllowedValues: [a, b]}\nResources:\n  R: {Type: AWS::SNS::Topic}\n"},
			args: []string{"--parameter-overrides", "S=c"}, want: []string{`"c" is not one of its AllowedValues [a, b]`}},
		{name: "broken OpenAPI body", files: map[string]string{
			"template.yaml": "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: dev\n      DefinitionBody: {'Fn::Transform': {Name: AWS::Include, Parameters: {Location: api.yaml}}}\n",
			"api.yaml":      "swagger: '2.0'\ninfo: {title: t}\npaths:\n  /a:\n    get:\n      x-amazon-apigateway-integration: {type: lambda}\n"},
			want: []string{"API Api", "'type' is 'lambda'"}},
		{name: "missing include", files: map[string]string{"template.yaml": "Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n      Body: {'Fn::Transform': {Name: AWS::Include, Parameters: {Location: nope.yaml}}}\n"},
			want: []string{"AWS::Include", "nope.yaml: no such file"}},
		{name: "serverless variable without a value", files: map[string]string{"serverless.yml": "service: s\nprovider: {name: aws, runtime: nodejs20.x}\ncustom: {a: '${self:custom.missing}'}\nfunctions: {f: {handler: index.h, environment: {A: '${self:custom.a}'}}}\n"},
			want: []string{"serverless.yml:3:", "${self:custom.missing}: no value found"}},
		{name: "template named but missing", files: map[string]string{}, args: []string{"--template", "other.yaml"},
			want: []string{"template other.yaml", "no such file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			out, err := runExpectingFailure(t, dir, tt.args...)
			if err == nil {
				t.Fatalf("apigw-local started with a broken project:\n%s", out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// TestProjectStableIDs checks that an API keeps its id across restarts.
func TestProjectStableIDs(t *testing.T) {
	dir, err := filepath.Abs("../testdata/serverless-app")
	if err != nil {
		t.Fatal(err)
	}
	first := startProject(t, dir, "--api-port", "0").apiID(t)
	second := startProject(t, dir, "--api-port", "0").apiID(t)
	if first != second {
		t.Errorf("API id %s after the first start, %s after the second", first, second)
	}
}
