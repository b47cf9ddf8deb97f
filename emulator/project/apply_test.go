package project

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apigw-local/apigw-local/emulator/store"
	"github.com/apigw-local/apigw-local/lambdarunner"
)

const reloadTemplate = `Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Body:
        swagger: "2.0"
        info: {title: reload, version: "1"}
        paths:
          /a:
            get:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: {application/json: '{"statusCode": 200}'}
                responses: {default: {statusCode: "200", responseTemplates: {application/json: 'VERSION'}}}
  Deployment:
    Type: AWS::ApiGateway::Deployment
    Properties: {RestApiId: !Ref Api, StageName: dev, StageDescription: {Variables: {v: VERSION}}}
`

// TestApplyReload applies a template, then a changed one, then a broken one, and checks that
// the API keeps its id, its stage moves to a new deployment, old deployments go, and a
// failed apply changes nothing.
func TestApplyReload(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "template.yaml")
	load := func(version, extra string) *Plan {
		t.Helper()
		if err := os.WriteFile(path, []byte(strings.ReplaceAll(reloadTemplate, "VERSION", version)+extra), 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := Load(Options{Dir: dir, IDSeed: "reload"})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	st := store.New(store.Config{})
	runner := lambdarunner.New(lambdarunner.Config{})
	t.Cleanup(func() { _ = runner.Close(context.Background()) })
	a := NewApplier(Target{Store: st, Lambda: runner})
	ctx := context.Background()

	if err := a.Apply(ctx, load("one", "")); err != nil {
		t.Fatal(err)
	}
	id := StableID("reload", "Api")
	first, err := st.GetStage(id, "dev")
	if err != nil {
		t.Fatal(err)
	}
	if first.Variables["v"] != "one" {
		t.Fatalf("variables = %v", first.Variables)
	}

	// A second API and a changed definition: same id, new deployment, variable replaced.
	second := `  Other:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: other}
  OtherRoot:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Other
      ResourceId: !GetAtt Other.RootResourceId
      HttpMethod: GET
      Integration: {Type: MOCK, RequestTemplates: {application/json: '{"statusCode": 200}'}}
  OtherDeployment:
    Type: AWS::ApiGateway::Deployment
    Properties: {RestApiId: !Ref Other, StageName: x}
`
	if err := a.Apply(ctx, load("two", second)); err != nil {
		t.Fatal(err)
	}
	now, err := st.GetStage(id, "dev")
	if err != nil {
		t.Fatal(err)
	}
	if now.DeploymentID == first.DeploymentID || now.Variables["v"] != "two" {
		t.Errorf("after reload: deployment %s (was %s), variables %v", now.DeploymentID, first.DeploymentID, now.Variables)
	}
	deps, _, _ := st.ListDeployments(id, "", 100)
	if len(deps) != 1 {
		t.Errorf("%d deployments after reload, want the one the stage uses", len(deps))
	}
	_, snap, _ := st.StageSnapshot(id, "dev")
	if got := snap.Resources[1].Methods["GET"].Integration.IntegrationResponses["200"].ResponseTemplates["application/json"]; got != "two" {
		t.Errorf("served template = %q, want two", got)
	}
	otherID := StableID("reload", "Other")
	if _, err := st.GetRestAPI(otherID); err != nil {
		t.Errorf("the added API is missing: %v", err)
	}

	// A document the store rejects: nothing changes.
	seq := st.Seq()
	bad := load("three", "")
	bad.APIs[0].Body = []byte(`{"swagger": "2.0", "info": {"title": "t"}, "paths": {"/a": {"get": {"x-amazon-apigateway-integration": {"type": "lambda"}}}}}`)
	err = a.Apply(ctx, bad)
	if err == nil || !strings.Contains(err.Error(), "API Api") || !strings.Contains(err.Error(), "'type' is 'lambda'") {
		t.Fatalf("error = %v, want the API and the problem named", err)
	}
	if st.Seq() != seq {
		t.Errorf("a failed apply changed the store (seq %d → %d)", seq, st.Seq())
	}

	// The API the template no longer has is deleted.
	if err := a.Apply(ctx, load("four", "")); err != nil {
		t.Fatal(err)
	}
	if _, err := st.GetRestAPI(otherID); err == nil {
		t.Error("the API removed from the template is still there")
	}
}

func TestStableID(t *testing.T) {
	a, b := StableID("/home/me/app", "Api"), StableID("/home/me/app", "Api")
	if a != b || len(a) != 10 || strings.ToLower(a) != a {
		t.Errorf("StableID = %q, %q: want the same 10 lowercase characters", a, b)
	}
	if StableID("/home/me/other", "Api") == a || StableID("/home/me/app", "Api2") == a {
		t.Error("different projects or logical ids share an id")
	}
}

// TestApplyFunctions reloads a template whose functions changed: a failed reload (one
// function's new code does not build) changes no running function; a good one replaces
// what changed and removes what is gone.
func TestApplyFunctions(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("needs node")
	}
	dir := t.TempDir()
	for name, content := range map[string]string{
		"js/index.js": "exports.handler = async () => ({statusCode: 200});\n",
		"go/main.go":  "package main\n\nfunc main() {\n", // does not compile
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const tmpl = `Transform: AWS::Serverless-2016-10-31
Resources:
  One:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: js/, Runtime: nodejs20.x, Handler: index.handler, Environment: {Variables: {V: "VALUE"}}}
  Two:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: CODE, Runtime: RUNTIME, Handler: index.handler}
`
	load := func(value, code, runtime string) *Plan {
		t.Helper()
		src := strings.NewReplacer("VALUE", value, "CODE", code, "RUNTIME", runtime).Replace(tmpl)
		if err := os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := Load(Options{Dir: dir, IDSeed: "functions"})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	runner := lambdarunner.New(lambdarunner.Config{})
	t.Cleanup(func() { _ = runner.Close(context.Background()) })
	a := NewApplier(Target{Store: store.New(store.Config{}), Lambda: runner})
	ctx := context.Background()
	env := func() map[string]string {
		out := map[string]string{}
		for _, fc := range runner.Functions() {
			out[fc.Name] = fc.Environment["V"] + "/" + fc.Runtime
		}
		return out
	}
	if err := a.Apply(ctx, load("1", "js/", "nodejs20.x")); err != nil {
		t.Fatal(err)
	}
	if got := env(); got["One"] != "1/nodejs20.x" || got["Two"] != "/nodejs20.x" {
		t.Fatalf("after the first apply: %v", got)
	}
	if err := a.Apply(ctx, load("2", "go/", "provided.al2023")); err == nil || !strings.Contains(err.Error(), "function Two") {
		t.Fatalf("error = %v, want function Two's build failure", err)
	}
	if got := env(); got["One"] != "1/nodejs20.x" || got["Two"] != "/nodejs20.x" {
		t.Errorf("a failed reload changed the functions: %v", got)
	}
	p := load("3", "js/", "nodejs20.x")
	p.Functions = p.Functions[:1]
	if err := a.Apply(ctx, p); err != nil {
		t.Fatal(err)
	}
	if got := env(); got["One"] != "3/nodejs20.x" || len(got) != 1 {
		t.Errorf("after the good reload: %v, want One replaced and Two gone", got)
	}
}
