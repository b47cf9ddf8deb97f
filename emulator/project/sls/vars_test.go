package sls

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/apigw-local/apigw-local/emulator/project/cfn"
)

func TestVariables(t *testing.T) {
	const doc = `service: svc
provider:
  stage: ${opt:stage, 'dev'}
custom:
  obj: {a: 1}
  name: ${self:service}-${sls:stage}
  byStage:
    dev: development
    prod: production
`
	tests := []struct {
		name, expr, stage string
		env               map[string]string
		want              string // JSON of the resolved value
		wantErr           string
	}{
		{name: "self", expr: "${self:custom.name}", want: `"svc-dev"`},
		{name: "opt stage wins", expr: "${self:custom.name}", stage: "qa", want: `"svc-qa"`},
		{name: "whole value keeps its type", expr: "${self:custom.obj}", want: `{"a":1}`},
		{name: "nested", expr: "${self:custom.byStage.${sls:stage}}", stage: "prod", want: `"production"`},
		{name: "fallback chain", expr: `${env:NOPE, self:custom.nope, "last"}`, want: `"last"`},
		{name: "env", expr: "${env:HOME_DIR}", env: map[string]string{"HOME_DIR": "/h"}, want: `"/h"`},
		{name: "number fallback", expr: "${opt:memory, 512}", want: `512`},
		{name: "interpolated", expr: "arn:${aws:region}:${self:service}", want: `"arn:us-east-1:svc"`},
		{name: "CloudFormation's own left alone", expr: "${AWS::Region}-${MyBucket.Arn}-${stageVariables.x}-${sls:stage}", want: `"${AWS::Region}-${MyBucket.Arn}-${stageVariables.x}-dev"`},
		{name: "file", expr: "${file(./extra.yml):db.port}", want: `5432`},
		{name: "missing", expr: "${self:custom.nope}", wantErr: "${self:custom.nope}: no value found"},
		{name: "a mapping inside a string", expr: "x-${self:custom.obj}", wantErr: "cannot be part of a string"},
		{name: "cycle", expr: "${self:custom.loop}", wantErr: "refers to itself"},
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "extra.yml"), []byte("db: {port: 5432}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := doc + "  loop: ${self:custom.loop}\nvalue: '" + tt.expr + "'\n"
			tmpl, err := cfn.Parse(filepath.Join(dir, "serverless.yml"), []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			opts := &Options{Stage: tt.stage, Region: "us-east-1", AccountID: "000000000000",
				LookupEnv: func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }}
			v := &vars{t: tmpl, opts: opts, root: tmpl.Root, done: map[*yaml.Node]*yaml.Node{}, busy: map[*yaml.Node]bool{}, files: map[string]*yaml.Node{}}
			if err := v.resolveStage(); err != nil {
				t.Fatal(err)
			}
			got, err := v.resolve(cfn.Lookup(tmpl.Root, "value"), 0)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if j, _ := cfn.ToJSON(got); string(j) != tt.want {
				t.Errorf("got %s, want %s", j, tt.want)
			}
		})
	}
}
