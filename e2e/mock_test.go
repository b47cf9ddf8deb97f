package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/smithy-go"
)

var ctx = context.Background()

// mockAPI builds, through the SDK, an API with:
//
//	GET  /pets           MOCK 200, response template echoing params, header X-Source: 'mock'
//	GET  /pets/{id}      MOCK choosing 200/404 from the id
//	OPTIONS /pets        CORS preflight (MOCK, {statusCode: 200} as the Serverless Framework writes it)
//	GET  /nodefault      MOCK 500 with only a 200 response defined for "2\d\d"
type mockAPI struct {
	ID, Root, Pets, PetID string
}

func buildMockAPI(t *testing.T, c *apigateway.Client) mockAPI {
	t.Helper()
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("pets")})
	if err != nil {
		t.Fatal(err)
	}
	m := mockAPI{ID: *api.Id, Root: *api.RootResourceId}
	pets := mustResource(t, c, m.ID, m.Root, "pets")
	m.Pets = pets
	m.PetID = mustResource(t, c, m.ID, pets, "{id}")

	putMock(t, c, m.ID, pets, "GET", `{"statusCode": 200}`, map[string]string{
		"200": `{"id": "$input.params('id')", "q": "$input.params('q')", "stage": "$context.stage", "path": "$context.resourcePath"}`,
	}, map[string]string{"method.response.header.X-Source": "'mock'"})

	putMock(t, c, m.ID, m.PetID, "GET",
		`#if($input.params('id') == "missing"){"statusCode": 404}#else{"statusCode": 200}#end`,
		map[string]string{"200": `{"id": "$input.params('id')"}`, "404": `{"message": "no pet $input.params('id')"}`}, nil)

	putMock(t, c, m.ID, pets, "OPTIONS", `{statusCode: 200}`, map[string]string{"200": ""}, map[string]string{
		"method.response.header.Access-Control-Allow-Origin":  "'*'",
		"method.response.header.Access-Control-Allow-Methods": "'GET,OPTIONS'",
		"method.response.header.Access-Control-Allow-Headers": "'Content-Type,X-Api-Key'",
	})

	nd := mustResource(t, c, m.ID, m.Root, "nodefault")
	putMethod(t, c, m.ID, nd, "GET")
	putIntegration(t, c, m.ID, nd, "GET", `{"statusCode": 500}`)
	putMethodResponse(t, c, m.ID, nd, "GET", "200", nil)
	_, err = c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{
		RestApiId: &m.ID, ResourceId: &nd, HttpMethod: aws.String("GET"), StatusCode: aws.String("200"),
		SelectionPattern: aws.String(`2\d\d`),
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mustResource(t *testing.T, c *apigateway.Client, api, parent, part string) string {
	t.Helper()
	r, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: &api, ParentId: &parent, PathPart: &part})
	if err != nil {
		t.Fatalf("create resource %s: %v", part, err)
	}
	return *r.Id
}

func putMethod(t *testing.T, c *apigateway.Client, api, res, verb string) {
	t.Helper()
	if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &api, ResourceId: &res, HttpMethod: &verb, AuthorizationType: aws.String("NONE")}); err != nil {
		t.Fatalf("put method %s: %v", verb, err)
	}
}

func putIntegration(t *testing.T, c *apigateway.Client, api, res, verb, requestTemplate string) {
	t.Helper()
	_, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{
		RestApiId: &api, ResourceId: &res, HttpMethod: &verb, Type: types.IntegrationTypeMock,
		RequestTemplates: map[string]string{"application/json": requestTemplate},
	})
	if err != nil {
		t.Fatalf("put integration: %v", err)
	}
}

func putMethodResponse(t *testing.T, c *apigateway.Client, api, res, verb, status string, headers map[string]string) {
	t.Helper()
	params := map[string]bool{}
	for k := range headers {
		params[k] = false
	}
	_, err := c.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{
		RestApiId: &api, ResourceId: &res, HttpMethod: &verb, StatusCode: &status, ResponseParameters: params,
	})
	if err != nil {
		t.Fatalf("put method response: %v", err)
	}
}

// putMock makes a MOCK method whose integration responses (status → template) are
// selected by status; the first status in lexical order is the default.
func putMock(t *testing.T, c *apigateway.Client, api, res, verb, requestTemplate string, responses, headers map[string]string) {
	t.Helper()
	putMethod(t, c, api, res, verb)
	putIntegration(t, c, api, res, verb, requestTemplate)
	for status, tmpl := range responses {
		putMethodResponse(t, c, api, res, verb, status, headers)
		in := &apigateway.PutIntegrationResponseInput{
			RestApiId: &api, ResourceId: &res, HttpMethod: &verb, StatusCode: aws.String(status),
			ResponseTemplates:  map[string]string{"application/json": tmpl},
			ResponseParameters: headers,
		}
		if status != "200" {
			in.SelectionPattern = aws.String(status)
		}
		if _, err := c.PutIntegrationResponse(ctx, in); err != nil {
			t.Fatalf("put integration response %s: %v", status, err)
		}
	}
}

func deploy(t *testing.T, c *apigateway.Client, api, stage string) string {
	t.Helper()
	d, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &api, StageName: &stage})
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	return *d.Id
}

func TestMockCreateDeployInvoke(t *testing.T) {
	e := start(t)
	c := e.apigw()
	m := buildMockAPI(t, c)
	deploy(t, c, m.ID, "test")
	base := e.invokeURL(m.ID, "test")

	r := do(t, "GET", base+"/pets?q=cats", nil)
	if r.Status != 200 || r.Body != `{"id": "", "q": "cats", "stage": "test", "path": "/pets"}` {
		t.Errorf("GET /pets: %d %s", r.Status, r.Body)
	}
	if r.Header.Get("X-Source") != "mock" || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("GET /pets headers: %v", r.Header)
	}
	wantRequestIDs(t, r)
	if r.Header.Get("X-Amzn-Errortype") != "" || r.Header.Get("X-Amzn-Trace-Id") != "" {
		t.Errorf("success carries error or trace headers: %v", r.Header)
	}

	r = do(t, "GET", base+"/pets/42", nil)
	if r.Status != 200 || r.Body != `{"id": "42"}` {
		t.Errorf("GET /pets/42: %d %s", r.Status, r.Body)
	}
	r = do(t, "GET", base+"/pets/missing", nil)
	if r.Status != 404 || r.Body != `{"message": "no pet missing"}` {
		t.Errorf("GET /pets/missing: %d %s", r.Status, r.Body)
	}
	// A trailing slash routes to the same resource.
	if r = do(t, "GET", base+"/pets/42/", nil); r.Status != 200 || r.Body != `{"id": "42"}` {
		t.Errorf("GET /pets/42/: %d %s", r.Status, r.Body)
	}
	// Path parameters are decoded.
	if r = do(t, "GET", base+"/pets/a%20b", nil); r.Status != 200 || r.Body != `{"id": "a b"}` {
		t.Errorf("GET /pets/a%%20b: %d %s", r.Status, r.Body)
	}
}

func TestURLForms(t *testing.T) {
	e := start(t)
	c := e.apigw()
	m := buildMockAPI(t, c)
	deploy(t, c, m.ID, "dev")
	host := strings.TrimPrefix(e.URL, "http://")
	for _, tt := range []struct {
		name, url string
		headers   []string
	}{
		{"_aws path", e.URL + "/_aws/execute-api/" + m.ID + "/dev/pets/7", nil},
		{"_user_request_", e.URL + "/restapis/" + m.ID + "/dev/_user_request_/pets/7", nil},
		{"execute-api host", e.URL + "/dev/pets/7", []string{"Host: " + m.ID + ".execute-api.localhost:" + host[strings.LastIndex(host, ":")+1:]}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, "GET", tt.url, nil, tt.headers...)
			if r.Status != 200 || r.Body != `{"id": "7"}` {
				t.Errorf("%d %s", r.Status, r.Body)
			}
		})
	}
}

func TestCORSPreflight(t *testing.T) {
	e := start(t)
	c := e.apigw()
	m := buildMockAPI(t, c)
	deploy(t, c, m.ID, "dev")
	r := do(t, "OPTIONS", e.invokeURL(m.ID, "dev")+"/pets", nil, "Origin: http://localhost:3000", "Access-Control-Request-Method: GET")
	if r.Status != 200 || r.Body != "" {
		t.Errorf("preflight: %d %q", r.Status, r.Body)
	}
	for k, want := range map[string]string{
		"Access-Control-Allow-Origin":  "*",
		"Access-Control-Allow-Methods": "GET,OPTIONS",
		"Access-Control-Allow-Headers": "Content-Type,X-Api-Key",
	} {
		if got := r.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

func TestDataPlaneErrors(t *testing.T) {
	e := start(t)
	c := e.apigw()
	m := buildMockAPI(t, c)
	deploy(t, c, m.ID, "dev")
	base := e.invokeURL(m.ID, "dev")
	const (
		mat       = `{"message":"Missing Authentication Token"}`
		forbidden = `{"message":"Forbidden"}`
		internal  = `{"message": "Internal server error"}`
	)
	tests := []struct {
		name, method, url string
		status            int
		body, errorType   string
	}{
		{"unknown path", "GET", base + "/nope", 403, mat, "MissingAuthenticationTokenException"},
		{"undefined method", "DELETE", base + "/pets", 403, mat, "MissingAuthenticationTokenException"},
		{"HEAD on GET-only", "HEAD", base + "/pets", 403, "", "MissingAuthenticationTokenException"},
		{"root has no method", "GET", base + "/", 403, mat, "MissingAuthenticationTokenException"},
		{"unknown stage", "GET", e.invokeURL(m.ID, "prod") + "/pets", 403, forbidden, "ForbiddenException"},
		{"no stage", "GET", e.URL + "/_aws/execute-api/" + m.ID + "/", 403, forbidden, "ForbiddenException"},
		{"unknown api", "GET", e.invokeURL("abcdefghij", "dev") + "/pets", 403, forbidden, "ForbiddenException"},
		{"no matching integration response", "GET", base + "/nodefault", 500, internal, "InternalServerErrorException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, tt.method, tt.url, nil)
			wantGatewayError(t, r, tt.status, tt.body, tt.errorType)
		})
	}

	t.Run("unknown path with a non-SigV4 Authorization header", func(t *testing.T) {
		sum := sha256.Sum256([]byte("Bearer abc.def"))
		want := `{"message":"Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): '` +
			base64.StdEncoding.EncodeToString(sum[:]) + `'."}`
		for _, url := range []string{base + "/nope", base + "/pets/1/x"} {
			r := do(t, "GET", url, nil, "Authorization: Bearer abc.def")
			wantGatewayError(t, r, 403, want, "IncompleteSignatureException")
		}
		// On a defined route the header is the integration's business.
		if r := do(t, "GET", base+"/pets", nil, "Authorization: Bearer abc.def"); r.Status != 200 {
			t.Errorf("defined route: %d %s", r.Status, r.Body)
		}
	})
	t.Run("body over 10 MB", func(t *testing.T) {
		r := do(t, "POST", base+"/pets", bytes.NewReader(make([]byte, 10<<20+1)))
		// AWS's front door refuses it in plain text, without API Gateway's headers.
		if r.Status != 413 || r.Body != "HTTP content length exceeded 10485760 bytes." || r.Header.Get("Content-Type") != "text; charset=utf-8" {
			t.Errorf("got %d %q %v", r.Status, r.Body, r.Header)
		}
	})
	t.Run("body of exactly 10 MB is accepted", func(t *testing.T) {
		r := do(t, "GET", base+"/pets", bytes.NewReader(make([]byte, 10<<20)))
		if r.Status != 200 {
			t.Errorf("got %d %s", r.Status, r.Body)
		}
	})
}

func TestRedeployPicksUpChanges(t *testing.T) {
	e := start(t)
	c := e.apigw()
	m := buildMockAPI(t, c)
	deploy(t, c, m.ID, "dev")
	url := e.invokeURL(m.ID, "dev") + "/pets/1"

	// An undeployed change does not reach the stage.
	_, err := c.UpdateIntegrationResponse(ctx, &apigateway.UpdateIntegrationResponseInput{
		RestApiId: &m.ID, ResourceId: &m.PetID, HttpMethod: aws.String("GET"), StatusCode: aws.String("200"),
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/responseTemplates/application~1json"), Value: aws.String(`{"v": 2}`)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := do(t, "GET", url, nil); r.Body != `{"id": "1"}` {
		t.Errorf("before redeploy: %s", r.Body)
	}
	first := deploy(t, c, m.ID, "dev")
	if r := do(t, "GET", url, nil); r.Body != `{"v": 2}` {
		t.Errorf("after redeploy: %s", r.Body)
	}
	// Pointing the stage back at an older deployment serves the old definition.
	deps, err := c.GetDeployments(ctx, &apigateway.GetDeploymentsInput{RestApiId: &m.ID})
	if err != nil || len(deps.Items) != 2 {
		t.Fatalf("deployments: %v %v", deps, err)
	}
	var older string
	for _, d := range deps.Items {
		if *d.Id != first {
			older = *d.Id
		}
	}
	_, err = c.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: &m.ID, StageName: aws.String("dev"),
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/deploymentId"), Value: &older}}})
	if err != nil {
		t.Fatal(err)
	}
	if r := do(t, "GET", url, nil); r.Body != `{"id": "1"}` {
		t.Errorf("after rollback: %s", r.Body)
	}
	// A deployment a stage uses cannot be deleted.
	_, err = c.DeleteDeployment(ctx, &apigateway.DeleteDeploymentInput{RestApiId: &m.ID, DeploymentId: &older})
	var bre *types.BadRequestException
	if !errors.As(err, &bre) || *bre.Message != "Active stages pointing to this deployment must be moved or deleted" {
		t.Errorf("delete in-use deployment: %v", err)
	}
}

// apiError unwraps an SDK error into its code and message.
func apiError(t *testing.T, err error) (code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v, want an API error", err)
	}
	return ae.ErrorCode(), ae.ErrorMessage()
}

func TestStageVariablesWithoutRedeploy(t *testing.T) {
	e := start(t)
	c := e.apigw()
	api, _ := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("vars")})
	putMock(t, c, *api.Id, *api.RootResourceId, "GET", `{"statusCode": 200}`, map[string]string{"200": `$stageVariables.color`}, nil)
	_, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("dev"), Variables: map[string]string{"color": "red"}})
	if err != nil {
		t.Fatal(err)
	}
	url := e.invokeURL(*api.Id, "dev") + "/"
	if r := do(t, "GET", url, nil); r.Body != "red" {
		t.Errorf("got %q", r.Body)
	}
	_, err = c.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: api.Id, StageName: aws.String("dev"),
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/variables/color"), Value: aws.String("blue")}}})
	if err != nil {
		t.Fatal(err)
	}
	if r := do(t, "GET", url, nil); r.Body != "blue" || r.Status != http.StatusOK {
		t.Errorf("after variable update: %d %q", r.Status, r.Body)
	}
}

func TestHeaderNamesKeepClientCasing(t *testing.T) {
	e := start(t)
	c := e.apigw()
	api, _ := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("casing")})
	putMock(t, c, *api.Id, *api.RootResourceId, "GET", `{"statusCode": 200}`, map[string]string{
		"200": `#foreach($h in $input.params().header.keySet())$h=$input.params().header.get($h);#end`,
	}, nil)
	deploy(t, c, *api.Id, "dev")
	req, err := http.NewRequestWithContext(ctx, "GET", e.invokeURL(*api.Id, "dev")+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	// Set directly so Go's client writes the names as given.
	req.Header["content-type"] = []string{"application/json"}
	req.Header["X-Mixed-CASE"] = []string{"1"}
	req.Header["user-agent"] = []string{"probe"}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	// Authorization and User-Agent arrive title-cased, as through AWS's edge.
	want := "Accept-Encoding=gzip;content-type=application/json;User-Agent=probe;X-Mixed-CASE=1;"
	if resp.StatusCode != 200 || string(body) != want {
		t.Errorf("got %d %q, want %q", resp.StatusCode, body, want)
	}
}

func TestRequestValidators(t *testing.T) {
	e := start(t)
	c := e.apigw()
	api, _ := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("validated")})
	if _, err := c.CreateModel(ctx, &apigateway.CreateModelInput{RestApiId: api.Id, Name: aws.String("Pet"), ContentType: aws.String("application/json"),
		Schema: aws.String(`{"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}`)}); err != nil {
		t.Fatal(err)
	}
	v, err := c.CreateRequestValidator(ctx, &apigateway.CreateRequestValidatorInput{RestApiId: api.Id, Name: aws.String("all"),
		ValidateRequestBody: true, ValidateRequestParameters: true})
	if err != nil {
		t.Fatal(err)
	}
	verb := aws.String("POST")
	if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: verb,
		AuthorizationType: aws.String("NONE"), RequestValidatorId: v.Id,
		RequestParameters: map[string]bool{"method.request.header.X-Tenant": true, "method.request.querystring.page": true},
		RequestModels:     map[string]string{"application/json": "Pet"}}); err != nil {
		t.Fatal(err)
	}
	putIntegration(t, c, *api.Id, *api.RootResourceId, "POST", `{"statusCode": 200}`)
	putMethodResponse(t, c, *api.Id, *api.RootResourceId, "POST", "200", nil)
	if _, err := c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: api.RootResourceId,
		HttpMethod: verb, StatusCode: aws.String("200"), ResponseTemplates: map[string]string{"application/json": "created"}}); err != nil {
		t.Fatal(err)
	}
	deploy(t, c, *api.Id, "dev")
	base := e.invokeURL(*api.Id, "dev") + "/"
	wantGatewayError(t, do(t, "POST", base, strings.NewReader(`{"name": "rex"}`), "Content-Type: application/json"),
		400, `{"message": "Missing required request parameters: [X-Tenant, page]"}`, "BadRequestException")
	wantGatewayError(t, do(t, "POST", base+"?page=1", strings.NewReader(`{"age": 1}`), "Content-Type: application/json", "X-Tenant: a"),
		400, `{"message": "Invalid request body"}`, "BadRequestException")
	if r := do(t, "POST", base+"?page=1", strings.NewReader(`{"name": "rex"}`), "Content-Type: application/json", "X-Tenant: a"); r.Status != 200 || r.Body != "created" {
		t.Errorf("valid request: %d %s", r.Status, r.Body)
	}
}
