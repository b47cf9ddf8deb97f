// Package mockapi builds REST APIs with MOCK integrations through the apigateway SDK
// client, for the access-control tests: each method answers 200 with a response template
// that echoes what reached the integration ($context.authorizer.*, $context.identity.*).
package mockapi

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// Echo is the default response template: the caller as the integration saw it.
const Echo = `{"principalId":"$context.authorizer.principalId","user":"$context.authorizer.user",` +
	`"sub":"$context.authorizer.claims.sub","groups":"$context.authorizer.claims['cognito:groups']",` +
	`"apiKey":"$context.identity.apiKey","apiKeyId":"$context.identity.apiKeyId",` +
	`"accessKey":"$context.identity.accessKey","caller":"$context.identity.caller","userArn":"$context.identity.userArn",` +
	`"accountId":"$context.identity.accountId","user_":"$context.identity.user"}`

// Method is one method to create.
type Method struct {
	Path, Verb     string // "/pets/{id}", "GET"
	Auth           string // NONE (default), CUSTOM, COGNITO_USER_POOLS, AWS_IAM
	AuthorizerID   string
	APIKeyRequired bool
	Scopes         []string
	// Template is the 200 response template; empty uses Echo.
	Template string
}

// API is a REST API under construction.
type API struct {
	ID        string
	Root      string
	t         testing.TB
	c         *apigateway.Client
	resources map[string]string // path → resource id
}

// New creates a REST API; apiKeySource is HEADER or AUTHORIZER ("" for the default);
// opts may set more of the input (a resource policy ...).
func New(t testing.TB, c *apigateway.Client, name, apiKeySource string, opts ...func(*apigateway.CreateRestApiInput)) *API {
	t.Helper()
	in := &apigateway.CreateRestApiInput{Name: aws.String(name)}
	if apiKeySource != "" {
		in.ApiKeySource = types.ApiKeySourceType(apiKeySource)
	}
	for _, o := range opts {
		o(in)
	}
	out, err := c.CreateRestApi(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return &API{ID: *out.Id, Root: *out.RootResourceId, t: t, c: c, resources: map[string]string{"/": *out.RootResourceId}}
}

// Resource returns the id of path, creating the resources on the way.
func (a *API) Resource(path string) string {
	a.t.Helper()
	if id, ok := a.resources[path]; ok {
		return id
	}
	i := strings.LastIndexByte(path, '/')
	parent := "/"
	if i > 0 {
		parent = path[:i]
	}
	pid := a.Resource(parent)
	out, err := a.c.CreateResource(context.Background(), &apigateway.CreateResourceInput{RestApiId: &a.ID, ParentId: &pid, PathPart: aws.String(path[i+1:])})
	if err != nil {
		a.t.Fatalf("create resource %s: %v", path, err)
	}
	a.resources[path] = *out.Id
	return *out.Id
}

// Put creates a method with a MOCK integration answering 200.
func (a *API) Put(m Method) {
	a.t.Helper()
	ctx := context.Background()
	res := a.Resource(m.Path)
	auth := m.Auth
	if auth == "" {
		auth = "NONE"
	}
	in := &apigateway.PutMethodInput{
		RestApiId: &a.ID, ResourceId: &res, HttpMethod: &m.Verb, AuthorizationType: &auth,
		ApiKeyRequired: m.APIKeyRequired, AuthorizationScopes: m.Scopes,
	}
	if m.AuthorizerID != "" {
		in.AuthorizerId = &m.AuthorizerID
	}
	if _, err := a.c.PutMethod(ctx, in); err != nil {
		a.t.Fatalf("put method %s %s: %v", m.Verb, m.Path, err)
	}
	if _, err := a.c.PutIntegration(ctx, &apigateway.PutIntegrationInput{
		RestApiId: &a.ID, ResourceId: &res, HttpMethod: &m.Verb, Type: types.IntegrationTypeMock,
		RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`},
	}); err != nil {
		a.t.Fatalf("put integration: %v", err)
	}
	if _, err := a.c.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{
		RestApiId: &a.ID, ResourceId: &res, HttpMethod: &m.Verb, StatusCode: aws.String("200"),
	}); err != nil {
		a.t.Fatalf("put method response: %v", err)
	}
	tmpl := m.Template
	if tmpl == "" {
		tmpl = Echo
	}
	if _, err := a.c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{
		RestApiId: &a.ID, ResourceId: &res, HttpMethod: &m.Verb, StatusCode: aws.String("200"),
		ResponseTemplates: map[string]string{"application/json": tmpl},
	}); err != nil {
		a.t.Fatalf("put integration response: %v", err)
	}
}

// Deploy deploys the API to stage.
func (a *API) Deploy(stage string) {
	a.t.Helper()
	if _, err := a.c.CreateDeployment(context.Background(), &apigateway.CreateDeploymentInput{RestApiId: &a.ID, StageName: &stage}); err != nil {
		a.t.Fatalf("deploy: %v", err)
	}
}
