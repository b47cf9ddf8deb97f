package openapi

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/apigw-local/apigw-local/emulator/awserr"
	"github.com/apigw-local/apigw-local/emulator/store"
)

// mockGet is an OpenAPI 3 operation with a MOCK integration, for documents that only test
// something else.
const mockGet = `
      responses: {"200": {description: ok}}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses: {default: {statusCode: "200"}}`

const lambdaURI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations"

// imported is what a feature test inspects.
type imported struct {
	api      *store.RestAPI
	warnings []string
	def      *definition
}

func (im imported) method(t *testing.T, path, verb string) *store.Method {
	t.Helper()
	r := im.def.Resources[path]
	if r == nil || r.Methods[verb] == nil {
		t.Fatalf("no %s %s; resources: %v", verb, path, slices.Sorted(mapKeys(im.def.Resources)))
	}
	return r.Methods[verb]
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func paths(im imported) []string { return slices.Sorted(mapKeys(im.def.Resources)) }

func TestImportFeatures(t *testing.T) {
	tests := []struct {
		name  string
		doc   string
		opts  ImportOptions
		check func(t *testing.T, im imported)
	}{
		{
			name: "swagger basePath ignored by default",
			doc:  "swagger: '2.0'\ninfo: {title: t}\nbasePath: /api/v1\npaths:\n  /pets: {}\n",
			check: func(t *testing.T, im imported) {
				if diff := cmp.Diff([]string{"/", "/pets"}, paths(im)); diff != "" {
					t.Error(diff)
				}
			},
		},
		{
			name: "swagger host with a path",
			doc:  "swagger: '2.0'\ninfo: {title: t}\nhost: https://api.example.com/v1\npaths:\n  /pets: {}\n",
			check: func(t *testing.T, im imported) {
				if diff := cmp.Diff([]string{"/", "/pets"}, paths(im)); diff != "" {
					t.Error(diff)
				}
			},
		},
		{
			name: "swagger basePath prepended",
			doc:  "swagger: '2.0'\ninfo: {title: t}\nbasePath: /api/v1\npaths:\n  /pets: {}\n",
			opts: ImportOptions{BasePath: BasePathPrepend},
			check: func(t *testing.T, im imported) {
				if diff := cmp.Diff([]string{"/", "/api", "/api/v1", "/api/v1/pets"}, paths(im)); diff != "" {
					t.Error(diff)
				}
			},
		},
		{
			name: "swagger basePath split drops its first part",
			doc:  "swagger: '2.0'\ninfo: {title: t}\nbasePath: /api/v1\npaths:\n  /pets: {}\n",
			opts: ImportOptions{BasePath: BasePathSplit},
			check: func(t *testing.T, im imported) {
				if diff := cmp.Diff([]string{"/", "/v1", "/v1/pets"}, paths(im)); diff != "" {
					t.Error(diff)
				}
			},
		},
		{
			name: "openapi server URL path with variables prepended",
			doc: `openapi: 3.0.1
info: {title: t}
servers: [{url: "https://{host}/base-url/{part}/", variables: {host: {default: x.example.com}, part: {default: part}}}]
paths: {/test: {}}`,
			opts: ImportOptions{BasePath: BasePathPrepend},
			check: func(t *testing.T, im imported) {
				if diff := cmp.Diff([]string{"/", "/base-url", "/base-url/part", "/base-url/part/test"}, paths(im)); diff != "" {
					t.Error(diff)
				}
			},
		},
		{
			name: "openapi basePath variable split",
			doc: `openapi: 3.0.1
info: {title: t}
servers: [{url: "https://x.example.com/{basePath}", variables: {basePath: {default: /base-var}}}]
paths: {/test: {}}`,
			opts: ImportOptions{BasePath: BasePathSplit},
			check: func(t *testing.T, im imported) {
				if diff := cmp.Diff([]string{"/", "/test"}, paths(im)); diff != "" {
					t.Error(diff)
				}
			},
		},
		{
			name: "endpoint type parameter",
			doc:  "openapi: 3.0.1\ninfo: {title: t}\npaths: {}\n",
			opts: ImportOptions{EndpointTypes: []string{"regional"}},
			check: func(t *testing.T, im imported) {
				if ec := im.api.EndpointConfiguration; !slices.Equal(ec.Types, []string{"REGIONAL"}) || ec.IPAddressType != "ipv4" {
					t.Errorf("endpoint configuration = %+v", ec)
				}
			},
		},
		{
			name: "integer status codes and regular-expression selection patterns",
			doc: `openapi: 3.0.1
info: {title: t, version: 1.0}
paths:
  /x:
    get:
      responses:
        200: {description: ok}
        404: {description: missing}
      x-amazon-apigateway-integration:
        type: http
        httpMethod: get
        uri: https://example.com/x
        responses:
          default: {statusCode: 200}
          "4\\d{2}": {statusCode: 404}`,
			check: func(t *testing.T, im imported) {
				if im.api.Version != "1.0" {
					t.Errorf("version = %q", im.api.Version)
				}
				it := im.method(t, "/x", "GET").Integration
				if it.HTTPMethod != "GET" || it.IntegrationResponses["200"].SelectionPattern != nil {
					t.Errorf("integration = %+v", it)
				}
				if p := it.IntegrationResponses["404"].SelectionPattern; p == nil || *p != `4\d{2}` {
					t.Errorf("404 pattern = %v", p)
				}
			},
		},
		{
			name: "method parameters",
			doc: `swagger: "2.0"
info: {title: t}
paths:
  /u/{id}:
    parameters: [{name: id, in: path, type: string}]
    get:
      parameters:
        - {name: q, in: query, required: true, type: string}
        - {name: X-H, in: header, type: string}
        - {name: f, in: formData, type: string}
      responses: {"200": {description: ok}}`,
			check: func(t *testing.T, im imported) {
				m := im.method(t, "/u/{id}", "GET")
				want := map[string]bool{"method.request.path.id": true, "method.request.querystring.q": true, "method.request.header.X-H": false}
				if diff := cmp.Diff(want, m.RequestParameters); diff != "" {
					t.Error(diff)
				}
			},
		},
		{
			name: "security: API key, authorizer, Cognito scopes and IAM",
			doc: `openapi: 3.0.1
info: {title: t}
security: [{key: []}]
components:
  securitySchemes:
    key: {type: apiKey, name: X-API-Key, in: header}
    iam: {type: apiKey, name: Authorization, in: header, x-amazon-apigateway-authtype: awsSigv4}
    users:
      type: apiKey
      name: Auth
      in: header
      x-amazon-apigateway-authtype: cognito_user_pools
      x-amazon-apigateway-authorizer: {type: COGNITO_USER_POOLS, providerARNs: [arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_X]}
    oauth: {type: oauth2, flows: {implicit: {authorizationUrl: "https://example.com", scopes: {}}}}
paths:
  /a: {get: {security: [{users: [write, read]}, {key: []}], responses: {}}}
  /b: {get: {security: [{iam: []}], responses: {}}}
  /c: {get: {responses: {}}}
  /d: {get: {security: [{oauth: []}, {nope: []}], responses: {}}}`,
			check: func(t *testing.T, im imported) {
				a := im.method(t, "/a", "GET")
				if a.AuthorizationType != "COGNITO_USER_POOLS" || a.AuthorizerID != "authorizer:users" || !a.APIKeyRequired ||
					!slices.Equal(a.AuthorizationScopes, []string{"read", "write"}) {
					t.Errorf("/a = %+v", a)
				}
				if b := im.method(t, "/b", "GET"); b.AuthorizationType != "AWS_IAM" || b.APIKeyRequired {
					t.Errorf("/b = %+v", b)
				}
				if c := im.method(t, "/c", "GET"); c.AuthorizationType != "NONE" || !c.APIKeyRequired {
					t.Errorf("/c = %+v", c)
				}
				if d := im.method(t, "/d", "GET"); d.AuthorizationType != "NONE" || d.APIKeyRequired {
					t.Errorf("/d = %+v", d)
				}
				if got := im.def.Authorizers["users"]; got == nil || got.IdentitySource != "method.request.header.Auth" || got.AuthType != "cognito_user_pools" {
					t.Errorf("authorizer = %+v", got)
				}
				wantWarnings(t, im.warnings, "Unsupported security definition 'oauth'", "The security requirement 'nope' at paths['/d'].get names no security scheme")
			},
		},
		{
			name: "Lambda TOKEN and REQUEST authorizers",
			doc: `swagger: "2.0"
info: {title: t}
securityDefinitions:
  tok:
    type: apiKey
    name: Authorization
    in: header
    x-amazon-apigateway-authtype: custom
    x-amazon-apigateway-authorizer: {authorizerUri: "` + lambdaURI + `", authorizerResultTtlInSeconds: "60", identityValidationExpression: "^x"}
  req:
    type: apiKey
    name: Unused
    in: header
    x-amazon-apigateway-authorizer: {type: request, authorizerUri: "` + lambdaURI + `", identitySource: "method.request.header.A, context.path"}
paths:
  /t: {get: {security: [{tok: []}], responses: {}}}
  /r: {get: {security: [{req: []}], responses: {}}}`,
			check: func(t *testing.T, im imported) {
				tok := im.def.Authorizers["tok"]
				if tok.Type != "TOKEN" || tok.IdentitySource != "method.request.header.Authorization" || *tok.AuthorizerResultTTLInSeconds != 60 || tok.IdentityValidationExpression != "^x" {
					t.Errorf("tok = %+v", tok)
				}
				if req := im.def.Authorizers["req"]; req.Type != "REQUEST" || req.IdentitySource != "method.request.header.A, context.path" || *req.AuthorizerResultTTLInSeconds != store.DefaultAuthorizerTTL {
					t.Errorf("req = %+v", req)
				}
				if m := im.method(t, "/r", "GET"); m.AuthorizationType != "CUSTOM" || m.AuthorizerID != "authorizer:req" {
					t.Errorf("/r = %+v", m)
				}
			},
		},
		{
			name: "inline schemas become MODEL models",
			doc: `openapi: 3.0.1
info: {title: t}
paths:
  /a:
    post:
      requestBody: {content: {application/json: {schema: {type: object, description: An order, properties: {n: {type: integer}}}}}}
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object, description: An order, properties: {n: {type: integer}}}}}}}`,
			check: func(t *testing.T, im imported) {
				m := im.method(t, "/a", "POST")
				name := m.RequestModels["application/json"]
				if !strings.HasPrefix(name, "MODEL") || len(name) != 11 || m.MethodResponses["200"].ResponseModels["application/json"] != name {
					t.Fatalf("models = %v %v", m.RequestModels, m.MethodResponses["200"].ResponseModels)
				}
				if md := im.def.Models[name]; md == nil || md.Description != "An order" || len(im.def.Models) != 1 {
					t.Errorf("models = %v", im.def.Models)
				}
			},
		},
		{
			name: "models: descriptions, references, names AWS refuses",
			doc: `swagger: "2.0"
info: {title: t}
paths:
  /a: {get: {responses: {"200": {description: ok, schema: {$ref: "#/definitions/bad_name"}}}}}
definitions:
  Pet: {type: object, description: A pet, properties: {owner: {$ref: "#/definitions/Owner"}, other: {$ref: "#/definitions/bad_name"}}}
  Owner: {type: object}
  bad_name: {type: object}`,
			check: func(t *testing.T, im imported) {
				pet := im.def.Models["Pet"]
				want := `{"description":"A pet","properties":{"other":{"$ref":"#/definitions/bad_name"},"owner":{"$ref":"https://apigateway.amazonaws.com/restapis/API/models/Owner"}},"type":"object"}`
				if pet == nil || pet.Description != "A pet" || pet.Schema != want {
					t.Errorf("Pet = %+v", pet)
				}
				if im.def.Models["bad_name"] != nil {
					t.Error("a model with a non-alphanumeric name was created")
				}
				wantWarnings(t, im.warnings, "Model name must be alphanumeric: bad_name", "Reference to model 'bad_name' not found in the model 'Pet'",
					"Reference to model 'bad_name' not found at paths['/a'].get.responses.200")
			},
		},
		{
			name: "templates written as objects are their JSON",
			doc: `openapi: 3.0.1
info: {title: t}
paths:
  /a:
    get:
      responses: {"200": {description: ok}}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: {statusCode: 200}}
        responses: {default: {statusCode: 200, responseTemplates: {application/json: {a: [1, "<b>"]}}}}`,
			check: func(t *testing.T, im imported) {
				it := im.method(t, "/a", "GET").Integration
				if it.RequestTemplates["application/json"] != `{"statusCode":200}` || it.IntegrationResponses["200"].ResponseTemplates["application/json"] != `{"a":[1,"<b>"]}` {
					t.Errorf("templates = %v %v", it.RequestTemplates, it.IntegrationResponses["200"].ResponseTemplates)
				}
			},
		},
		{
			name: "request validators: default and per operation",
			doc: `openapi: 3.0.1
info: {title: t}
x-amazon-apigateway-request-validators: {all: {validateRequestBody: true, validateRequestParameters: "true"}, none: {}}
x-amazon-apigateway-request-validator: all
paths:
  /a: {get: {responses: {}}}
  /b: {get: {x-amazon-apigateway-request-validator: none, responses: {}}}`,
			check: func(t *testing.T, im imported) {
				if v := im.method(t, "/a", "GET").RequestValidatorID; v != "validator:all" {
					t.Errorf("/a validator = %q", v)
				}
				if v := im.method(t, "/b", "GET").RequestValidatorID; v != "validator:none" {
					t.Errorf("/b validator = %q", v)
				}
				if all := im.def.Validators["all"]; !all.ValidateRequestBody || !all.ValidateRequestParameters {
					t.Errorf("all = %+v", all)
				}
			},
		},
		{
			name: "API settings from extensions",
			doc: `openapi: 3.0.1
info: {title: t, description: d}
servers: [{url: /, x-amazon-apigateway-endpoint-configuration: {disableExecuteApiEndpoint: true, vpcEndpointIds: [vpce-1]}}]
x-amazon-apigateway-binary-media-types: [image/png]
x-amazon-apigateway-minimum-compression-size: "0"
x-amazon-apigateway-api-key-source: authorizer
x-amazon-apigateway-policy: '{"Version":"2012-10-17","Statement":[]}'
paths: {}`,
			opts: ImportOptions{EndpointTypes: []string{"PRIVATE"}},
			check: func(t *testing.T, im imported) {
				a := im.api
				if a.Description != "d" || !slices.Equal(a.BinaryMediaTypes, []string{"image/png"}) || a.MinimumCompressionSize == nil || *a.MinimumCompressionSize != 0 ||
					a.APIKeySource != "AUTHORIZER" || a.Policy != `{"Version":"2012-10-17","Statement":[]}` || !a.DisableExecuteAPIEndpoint ||
					!slices.Equal(a.EndpointConfiguration.VpcEndpointIDs, []string{"vpce-1"}) || a.EndpointConfiguration.IPAddressType != "dualstack" {
					t.Errorf("api = %+v", a)
				}
			},
		},
		{
			name: "warnings for what a REST API ignores",
			doc: `openapi: 3.0.1
info: {title: t}
x-amazon-apigateway-cors: {allowOrigins: ["*"]}
x-amazon-apigateway-made-up: 1
x-amazon-apigateway-documentation: {version: "1"}
paths:
  /a:
    trace: {responses: {}}
    get:
      parameters: [{name: c, in: cookie, schema: {type: string}}]
      responses: {default: {description: x}, 2XX: {description: y}}
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: "` + lambdaURI + `"
        payloadFormatVersion: "2.0"
        extra: 1
        responses:
          default: {statusCode: "200"}
          ".*": {statusCode: "200"}`,
			check: func(t *testing.T, im imported) {
				wantWarnings(t, im.warnings,
					"x-amazon-apigateway-documentation is not supported by apigw-local",
					"x-amazon-apigateway-cors applies to HTTP APIs only",
					"Unsupported extension x-amazon-apigateway-made-up at the document root",
					"The TRACE method at paths['/a'] is not supported",
					"The cookie parameter 'c' at paths['/a'].get has no API Gateway equivalent",
					"The response '2XX' at paths['/a'].get is not an HTTP status code",
					"The response 'default' at paths['/a'].get is not an HTTP status code",
					"'payloadFormatVersion' of x-amazon-apigateway-integration at paths['/a'].get applies to HTTP APIs only",
					"Unknown property 'extra' of x-amazon-apigateway-integration at paths['/a'].get",
					"The integration response '.*' at paths['/a'].get maps to status 200, which the operation's responses do not declare",
					"The integration responses '.*' and 'default' at paths['/a'].get both map to status 200",
				)
				if len(im.def.Resources["/a"].Methods) != 1 {
					t.Errorf("methods = %v", im.def.Resources["/a"].Methods)
				}
			},
		},
		{
			name: "ignore=documentation drops documentation quietly",
			doc:  "openapi: 3.0.1\ninfo: {title: t}\nx-amazon-apigateway-documentation: {version: '1'}\npaths: {}\n",
			opts: ImportOptions{IgnoreDocumentation: true},
			check: func(t *testing.T, im imported) {
				wantWarnings(t, im.warnings)
			},
		},
		{
			name: "fixed id",
			doc:  "openapi: 3.0.1\ninfo: {title: t}\npaths: {}\n",
			opts: ImportOptions{ID: "myapi12345", Tags: map[string]string{"team": "a"}},
			check: func(t *testing.T, im imported) {
				if im.api.ID != "myapi12345" || im.api.Tags["team"] != "a" {
					t.Errorf("api = %+v", im.api)
				}
			},
		},
		{
			name: "YAML anchors",
			doc:  "openapi: 3.0.1\ninfo: {title: t}\npaths:\n  /a:\n    get: &op" + mockGet + "\n  /b:\n    get: *op\n",
			check: func(t *testing.T, im imported) {
				if diff := cmp.Diff(im.method(t, "/a", "GET"), im.method(t, "/b", "GET")); diff != "" {
					t.Error(diff)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newTestStore(t)
			api, warnings, err := Import(st, []byte(tt.doc), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, imported{api: api, warnings: warnings, def: readDefinition(t, st, api.ID)})
		})
	}
}

// wantWarnings checks that each warning starts with the matching prefix, in order.
func wantWarnings(t *testing.T, got []string, prefixes ...string) {
	t.Helper()
	if len(got) != len(prefixes) {
		t.Errorf("got %d warnings, want %d:\n%s", len(got), len(prefixes), strings.Join(got, "\n"))
		return
	}
	for i, p := range prefixes {
		if !strings.HasPrefix(got[i], p) {
			t.Errorf("warning %d = %q, want prefix %q", i, got[i], p)
		}
	}
}

func TestImportJSONWithBOM(t *testing.T) {
	st := newTestStore(t)
	doc := "\xef\xbb\xbf" + `{"swagger": "2.0", "info": {"title": "bom", "version": 2}, "paths": {}}`
	api, _, err := Import(st, []byte(doc), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if api.Name != "bom" || api.Version != "2" {
		t.Errorf("api = %+v", api)
	}
}

func TestFailOnWarnings(t *testing.T) {
	st := newTestStore(t)
	doc := "openapi: 3.0.1\ninfo: {title: t}\nx-amazon-apigateway-cors: {}\npaths: {}\n"
	_, warnings, err := Import(st, []byte(doc), ImportOptions{FailOnWarnings: true})
	wantErr(t, err, awserr.BadRequest, "Warnings found during import:\n\tx-amazon-apigateway-cors applies to HTTP APIs only")
	if len(warnings) != 1 {
		t.Errorf("warnings = %q", warnings)
	}
	if n := st.Counts().RestAPIs; n != 0 {
		t.Errorf("%d APIs created", n)
	}
	api, _, err := Import(st, []byte(doc), ImportOptions{})
	if err != nil || len(api.Warnings) != 1 {
		t.Errorf("without failonwarnings: %v %v", api, err)
	}
}

func TestPut(t *testing.T) {
	st := newTestStore(t)
	base := `openapi: 3.0.1
info: {title: original, version: "1", description: first}
x-amazon-apigateway-binary-media-types: [image/png]
components:
  schemas:
    A: {type: object}
paths:
  /keep:
    get:` + mockGet + `
  /both:
    get:` + mockGet
	api, _, err := Import(st, []byte(base), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateDeployment(api.ID, store.CreateDeploymentInput{StageName: "dev"}); err != nil {
		t.Fatal(err)
	}
	update := `openapi: 3.0.1
info: {title: renamed, version: "2"}
components:
  schemas:
    B: {type: string}
paths:
  /both:
    post:` + mockGet + `
  /new:
    get:` + mockGet

	merged, _, err := Put(st, api.ID, []byte(update), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if merged.Name != "original" || merged.Version != "2" || merged.Description != "first" || !slices.Equal(merged.BinaryMediaTypes, []string{"image/png"}) {
		t.Errorf("merged settings = %+v", merged)
	}
	d := readDefinition(t, st, api.ID)
	if diff := cmp.Diff([]string{"/", "/both", "/keep", "/new"}, slices.Sorted(mapKeys(d.Resources))); diff != "" {
		t.Error(diff)
	}
	if len(d.Resources["/both"].Methods) != 2 || len(d.Models) != 2 {
		t.Errorf("merge: /both methods %v, models %v", d.Resources["/both"].Methods, d.Models)
	}

	over, _, err := Put(st, api.ID, []byte(update), ImportOptions{Mode: store.ModeOverwrite})
	if err != nil {
		t.Fatal(err)
	}
	if over.Name != "original" || over.Description != "first" || len(over.BinaryMediaTypes) != 0 {
		t.Errorf("overwritten settings = %+v", over)
	}
	d = readDefinition(t, st, api.ID)
	if diff := cmp.Diff([]string{"/", "/both", "/new"}, slices.Sorted(mapKeys(d.Resources))); diff != "" {
		t.Error(diff)
	}
	if len(d.Resources["/both"].Methods) != 1 || len(d.Models) != 1 || d.Models["B"] == nil {
		t.Errorf("overwrite: /both methods %v, models %v", d.Resources["/both"].Methods, d.Models)
	}

	// The stage still serves what was deployed.
	out, _, err := Export(st, api.ID, "dev", ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"/keep"`) || strings.Contains(string(out), `"/new"`) {
		t.Errorf("export of the stage shows the draft:\n%s", out)
	}
}
