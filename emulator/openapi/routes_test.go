package openapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/smithy-go"
	"github.com/gorilla/mux"
	"go.yaml.in/yaml/v3"

	"github.com/apigw-local/apigw-local/emulator/mgmt"
	"github.com/apigw-local/apigw-local/emulator/store"
)

// newServer serves the management API with Routes mounted, and returns an SDK client for it.
func newServer(t *testing.T) (*store.Store, *apigateway.Client, string) {
	t.Helper()
	st := newTestStore(t)
	api := mgmt.New(mgmt.Config{Store: st, Extra: func(r *mux.Router, h mgmt.Helpers) { Routes(r, h, st) }})
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	client := apigateway.New(apigateway.Options{
		BaseEndpoint: aws.String(srv.URL),
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	return st, client, srv.URL
}

// apiError unwraps an SDK error into its code and message.
func apiError(t *testing.T, err error) (string, string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got %T %v, want an API error", err, err)
	}
	return ae.ErrorCode(), ae.ErrorMessage()
}

func TestRoutesThroughTheSDK(t *testing.T) {
	ctx := context.Background()
	st, client, url := newServer(t)
	docs := corpus(t)

	imp, err := client.ImportRestApi(ctx, &apigateway.ImportRestApiInput{
		Body:       docs["petstore-swagger.json"],
		Parameters: map[string]string{"basepath": "prepend", "endpointConfigurationTypes": "REGIONAL"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(imp.Name) != "PetStore" || imp.EndpointConfiguration.Types[0] != types.EndpointTypeRegional || len(imp.Warnings) != 0 {
		t.Errorf("ImportRestApi = %+v", imp)
	}
	res, err := client.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: imp.Id})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, r := range res.Items {
		paths = append(paths, aws.ToString(r.Path))
	}
	if !strings.Contains(strings.Join(paths, " "), "/prod/pets/{petId}") {
		t.Errorf("paths = %v, want the base path prepended", paths)
	}

	t.Run("warnings", func(t *testing.T) {
		out, err := client.ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: docs["sam-swagger.yaml"]})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Warnings) != 2 {
			t.Errorf("warnings = %q", out.Warnings)
		}
		_, err = client.ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: docs["sam-swagger.yaml"], FailOnWarnings: true})
		code, msg := apiError(t, err)
		if code != "BadRequestException" || !strings.HasPrefix(msg, "Warnings found during import:\n\tx-amazon-apigateway-documentation") {
			t.Errorf("failonwarnings: %s %q", code, msg)
		}
	})

	t.Run("invalid document", func(t *testing.T) {
		before := st.Counts()
		_, err := client.ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: []byte(`{"swagger": "2.0", "info": {"title": "x"}, "paths": {"/a": {"get": {"x-amazon-apigateway-integration": {"type": "lambda"}}}}}`)})
		code, msg := apiError(t, err)
		if code != "BadRequestException" || msg != "Invalid OpenAPI input. x-amazon-apigateway-integration at paths['/a'].get: 'type' is 'lambda'; valid values are aws, aws_proxy, http, http_proxy, mock." {
			t.Errorf("got %s %q", code, msg)
		}
		if st.Counts() != before {
			t.Error("a failed import changed the store")
		}
		var bre *types.BadRequestException
		if !errors.As(err, &bre) {
			t.Errorf("the SDK did not map the error to BadRequestException: %T", err)
		}
	})

	t.Run("put", func(t *testing.T) {
		put, err := client.PutRestApi(ctx, &apigateway.PutRestApiInput{RestApiId: imp.Id, Body: docs["lambda-proxy.yaml"], Mode: types.PutModeOverwrite})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(put.Name) != "PetStore" || aws.ToString(put.Id) != aws.ToString(imp.Id) {
			t.Errorf("PutRestApi = %+v", put)
		}
		res, _ := client.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: imp.Id})
		if len(res.Items) != 5 {
			t.Errorf("after overwrite: %d resources", len(res.Items))
		}
		merged, err := client.PutRestApi(ctx, &apigateway.PutRestApiInput{RestApiId: imp.Id, Body: docs["petstore-oas30.yaml"]})
		if err != nil {
			t.Fatal(err)
		}
		res, _ = client.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: merged.Id})
		if len(res.Items) != 7 {
			t.Errorf("after merge: %d resources", len(res.Items))
		}
		_, err = client.PutRestApi(ctx, &apigateway.PutRestApiInput{RestApiId: aws.String("nope"), Body: docs["lambda-proxy.yaml"]})
		if code, msg := apiError(t, err); code != "NotFoundException" || msg != "Invalid API identifier specified 000000000000:nope" {
			t.Errorf("unknown id: %s %q", code, msg)
		}
		_, err = client.PutRestApi(ctx, &apigateway.PutRestApiInput{RestApiId: imp.Id, Body: []byte("openapi: 3.0.1\ninfo: {title: t}\npaths:\n  /a b: {}\n")})
		if code, msg := apiError(t, err); code != "BadRequestException" || !strings.HasPrefix(msg, "Errors found during import:\n\tUnable to create resource at path '/a b'") {
			t.Errorf("bad put: %s %q", code, msg)
		}
	})

	if _, err := client.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: imp.Id, StageName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}

	t.Run("export", func(t *testing.T) {
		out, err := client.GetExport(ctx, &apigateway.GetExportInput{
			RestApiId: imp.Id, StageName: aws.String("dev"), ExportType: aws.String("oas30"),
			Parameters: map[string]string{"extensions": "integrations,authorizers"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if ct := aws.ToString(out.ContentType); ct != ContentTypeJSON {
			t.Errorf("Content-Type = %q", ct)
		}
		want := `attachment; filename="` + aws.ToString(imp.Id) + `_dev_oas30.json"`
		if cd := aws.ToString(out.ContentDisposition); cd != want {
			t.Errorf("Content-Disposition = %q, want %q", cd, want)
		}
		var doc map[string]any
		if err := json.Unmarshal(out.Body, &doc); err != nil || doc["openapi"] != "3.0.1" {
			t.Fatalf("body: %v %s", err, out.Body)
		}
		if !strings.Contains(string(out.Body), extIntegration) {
			t.Error("extensions=integrations added no integrations")
		}

		_, err = client.GetExport(ctx, &apigateway.GetExportInput{RestApiId: imp.Id, StageName: aws.String("prod"), ExportType: aws.String("swagger")})
		if code, msg := apiError(t, err); code != "NotFoundException" || msg != "Invalid stage identifier specified" {
			t.Errorf("unknown stage: %s %q", code, msg)
		}
	})

	t.Run("export as YAML when Accept asks", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, url+"/restapis/"+aws.ToString(imp.Id)+"/stages/dev/exports/swagger?extensions=apigateway", nil)
		req.Header.Set("Accept", "application/yaml")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != ContentTypeYAML {
			t.Fatalf("%d %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		var doc map[string]any
		if err := yaml.Unmarshal(body, &doc); err != nil || doc["swagger"] != "2.0" {
			t.Errorf("YAML body: %v\n%s", err, body)
		}
		if resp.Header.Get("x-amzn-RequestId") == "" {
			t.Error("no request id")
		}
	})

	t.Run("bad query parameters", func(t *testing.T) {
		_, err := client.ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: docs["lambda-proxy.yaml"], Parameters: map[string]string{"basepath": "nope"}})
		if code, msg := apiError(t, err); code != "BadRequestException" || !strings.HasPrefix(msg, "Invalid basepath parameter value 'nope'") {
			t.Errorf("%s %q", code, msg)
		}
		resp, err := http.Post(url+"/restapis?mode=import&failonwarnings=maybe", "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("x-amzn-ErrorType") != "BadRequestException" {
			t.Errorf("failonwarnings=maybe: %d %q", resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"))
		}
	})

	t.Run("CreateRestApi still works", func(t *testing.T) {
		out, err := client.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("plain")})
		if err != nil || aws.ToString(out.Name) != "plain" {
			t.Errorf("CreateRestApi: %v %v", out, err)
		}
	})
}

func TestWantsYAML(t *testing.T) {
	tests := []struct {
		accept string
		want   bool
	}{
		{"", false},
		{"application/json", false},
		{"application/yaml", true},
		{"text/yaml; q=0.9", true},
		{"application/json, application/yaml", false},
		{"application/yaml, application/json", true},
		{"*/*", false},
	}
	for _, tt := range tests {
		if got := wantsYAML(tt.accept); got != tt.want {
			t.Errorf("wantsYAML(%q) = %v, want %v", tt.accept, got, tt.want)
		}
	}
}
