package e2e

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// The access-control tests build APIs whose methods sit behind authorizers, API keys and
// throttles, over MOCK integrations that echo what reached them (or a Lambda proxy
// function that does the same), and check every denial for status, body and headers.

// accessEcho is the MOCK response template: the caller as the integration saw it.
const accessEcho = `{"principalId":"$context.authorizer.principalId","user":"$context.authorizer.user",` +
	`"calls":"$context.authorizer.calls","tenant":"$context.authorizer.tenant","stageTenant":"$context.authorizer.stageTenant",` +
	`"methodArn":"$context.authorizer.methodArn","sub":"$context.authorizer.claims.sub",` +
	`"groups":"$context.authorizer.claims['cognito:groups']","exp":"$context.authorizer.claims.exp",` +
	`"apiKey":"$context.identity.apiKey","apiKeyId":"$context.identity.apiKeyId","accessKey":"$context.identity.accessKey",` +
	`"caller":"$context.identity.caller","userArn":"$context.identity.userArn","accountId":"$context.identity.accountId"}`

// accessMethod describes one method of an access-control test API.
type accessMethod struct {
	path, verb   string
	auth         string // NONE (default), CUSTOM, COGNITO_USER_POOLS, AWS_IAM
	authorizerID string
	keyRequired  bool
	scopes       []string
	proxyFn      string // a Lambda proxy function instead of the MOCK echo
}

// accessAPI creates a REST API (apiKeySource "" is HEADER) and returns it.
func accessAPI(t *testing.T, c *apigateway.Client, name, keySource string) *restAPI {
	t.Helper()
	in := &apigateway.CreateRestApiInput{Name: aws.String(name)}
	if keySource != "" {
		in.ApiKeySource = types.ApiKeySourceType(keySource)
	}
	api, err := c.CreateRestApi(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	return &restAPI{t: t, c: c, ID: *api.Id, Root: *api.RootResourceId, resources: map[string]string{"/": *api.RootResourceId}}
}

// put creates a method with its integration.
func (a *restAPI) put(m accessMethod) {
	a.t.Helper()
	res := a.resource(m.path)
	auth := m.auth
	if auth == "" {
		auth = "NONE"
	}
	in := &apigateway.PutMethodInput{RestApiId: &a.ID, ResourceId: &res, HttpMethod: &m.verb, AuthorizationType: &auth,
		ApiKeyRequired: m.keyRequired, AuthorizationScopes: m.scopes}
	if m.authorizerID != "" {
		in.AuthorizerId = &m.authorizerID
	}
	if _, err := a.c.PutMethod(ctx, in); err != nil {
		a.t.Fatalf("put method %s %s: %v", m.verb, m.path, err)
	}
	if m.proxyFn != "" {
		pi := proxyLambda(m.proxyFn)
		pi.RestApiId, pi.ResourceId, pi.HttpMethod = &a.ID, &res, &m.verb
		if _, err := a.c.PutIntegration(ctx, &pi); err != nil {
			a.t.Fatalf("put integration: %v", err)
		}
		return
	}
	if _, err := a.c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: &a.ID, ResourceId: &res, HttpMethod: &m.verb,
		Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}); err != nil {
		a.t.Fatalf("put integration: %v", err)
	}
	if _, err := a.c.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: &a.ID, ResourceId: &res, HttpMethod: &m.verb, StatusCode: aws.String("200")}); err != nil {
		a.t.Fatalf("put method response: %v", err)
	}
	if _, err := a.c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: &a.ID, ResourceId: &res, HttpMethod: &m.verb,
		StatusCode: aws.String("200"), ResponseTemplates: map[string]string{"application/json": accessEcho}}); err != nil {
		a.t.Fatalf("put integration response: %v", err)
	}
}

// authorizerURI is the Lambda invocation URI of a function.
func authorizerURI(fn string) *string {
	return aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:" + fn + "/invocations")
}

// createAuthorizer creates an authorizer on the API.
func (a *restAPI) createAuthorizer(in apigateway.CreateAuthorizerInput) string {
	a.t.Helper()
	in.RestApiId = &a.ID
	if in.Name == nil {
		in.Name = aws.String("authz")
	}
	out, err := a.c.CreateAuthorizer(ctx, &in)
	if err != nil {
		a.t.Fatalf("create authorizer: %v", err)
	}
	return *out.Id
}

// accessFixture is the absolute path of a fixture under testdata/access.
func accessFixture(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", "access", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The denial bodies (reference/auth.md, gateway-responses.md).
const (
	bodyUnauthorized = `{"message":"Unauthorized"}`
	bodyConfigError  = `{"message":null}`
	bodyExplicitDeny = `{"Message":"User is not authorized to access this resource with an explicit deny in an identity-based policy"}`
	bodyImplicitDeny = `{"Message":"User is not authorized to access this resource because no identity-based policy allows the execute-api:Invoke action"}`
	bodyForbidden    = `{"message":"Forbidden"}`
	bodyThrottled    = `{"message":"Too Many Requests"}`
	bodyQuota        = `{"message":"Limit Exceeded"}`
)

// wantDenial checks a denial (wantGatewayError's checks) and that no integration answered.
func wantDenial(t *testing.T, r response, status int, body, errorType string) {
	t.Helper()
	wantGatewayError(t, r, status, body, errorType)
	if strings.Contains(r.Body, `"principalId"`) || strings.Contains(r.Body, `"authorizer"`) {
		t.Errorf("the integration answered: %s", r.Body)
	}
	if r.Header.Get("Retry-After") != "" {
		t.Errorf("Retry-After %q: AWS sends none", r.Header.Get("Retry-After"))
	}
}

// echoOf reads the MOCK echo of a 200.
func echoOf(t *testing.T, r response) map[string]string {
	t.Helper()
	var m map[string]string
	if r.Status != 200 || json.Unmarshal([]byte(r.Body), &m) != nil {
		t.Fatalf("got %d %s, want 200 and the echo", r.Status, r.Body)
	}
	return m
}
