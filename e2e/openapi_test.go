package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
)

func TestOpenAPIAtStart(t *testing.T) {
	file, _ := filepath.Abs("testdata/openapi/mock.yaml")
	e := start(t, "--openapi", file, "--stage", "v1")
	apis, err := e.apigw().GetRestApis(ctx, &apigateway.GetRestApisInput{})
	if err != nil || len(apis.Items) != 1 || *apis.Items[0].Name != "mock-from-openapi" {
		t.Fatalf("GetRestApis: %+v %v", apis, err)
	}
	id := *apis.Items[0].Id
	r := do(t, "GET", e.invokeURL(id, "v1")+"/greetings/ada", nil)
	if r.Status != 200 || r.Body != `{"hello": "ada"}` {
		t.Errorf("GET /greetings/ada: %d %s", r.Status, r.Body)
	}
	// The id is derived from the file, so a restart serves the same URL.
	e2 := start(t, "--openapi", file, "--stage", "v1")
	if r := do(t, "GET", e2.invokeURL(id, "v1")+"/greetings/bob", nil); r.Status != 200 {
		t.Errorf("same id after restart: %d %s", r.Status, r.Body)
	}
}

func TestOpenAPIImportExportCommands(t *testing.T) {
	e := start(t)
	out, err := exec.Command(binary, "import", "testdata/openapi/mock.yaml", "--endpoint", e.URL, "--stage", "dev").Output()
	if err != nil {
		t.Fatalf("import: %v %s", err, out)
	}
	id := regexp.MustCompile(`\b[a-z0-9]{10}\b`).FindString(string(out))
	if id == "" {
		t.Fatalf("import printed no id: %q", out)
	}
	if r := do(t, "GET", e.invokeURL(id, "dev")+"/greetings/x", nil); r.Status != 200 || r.Body != `{"hello": "x"}` {
		t.Errorf("imported route: %d %s", r.Status, r.Body)
	}
	exported, err := exec.Command(binary, "export", id, "dev", "--endpoint", e.URL).Output()
	if err != nil || !strings.Contains(string(exported), `"/greetings/{name}"`) || !strings.Contains(string(exported), "x-amazon-apigateway-integration") {
		t.Fatalf("export: %v %s", err, exported)
	}
	// Importing the export again gives an API that answers the same.
	f := filepath.Join(t.TempDir(), "export.json")
	if err := os.WriteFile(f, exported, 0o600); err != nil {
		t.Fatal(err)
	}
	api, err := e.apigw().ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: exported})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.apigw().CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
	if r := do(t, "GET", e.invokeURL(*api.Id, "dev")+"/greetings/y", nil); r.Status != 200 || r.Body != `{"hello": "y"}` {
		t.Errorf("re-imported route: %d %s", r.Status, r.Body)
	}
	exp, err := e.apigw().GetExport(ctx, &apigateway.GetExportInput{RestApiId: api.Id, StageName: aws.String("dev"), ExportType: aws.String("swagger"),
		Parameters: map[string]string{"extensions": "integrations"}})
	if err != nil || !strings.Contains(string(exp.Body), `"swagger"`) {
		t.Errorf("GetExport swagger: %v %s", err, exp.Body)
	}
}

func TestOpenAPIImportErrors(t *testing.T) {
	e := start(t)
	c := e.apigw()
	_, err := c.ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: []byte(`{"openapi": "3.0.1", "paths": {`)})
	if code, msg := apiError(t, err); code != "BadRequestException" || !strings.HasPrefix(msg, "Invalid OpenAPI input.") {
		t.Errorf("malformed document: %s %s", code, msg)
	}
	apis, _ := c.GetRestApis(ctx, &apigateway.GetRestApisInput{})
	if len(apis.Items) != 0 {
		t.Errorf("a failed import left %d APIs", len(apis.Items))
	}
	out, err := exec.Command(binary, "start", "--port", "0", "--openapi", "testdata/openapi/nope.yaml").CombinedOutput()
	if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 1 || !strings.Contains(string(out), "nope.yaml") {
		t.Errorf("missing --openapi file: %v %q", err, out)
	}
}
