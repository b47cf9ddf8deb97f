package openapi

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/apigw-local/apigw-local/emulator/awserr"
	"github.com/apigw-local/apigw-local/emulator/store"
)

// TestImportErrors feeds broken documents to Import and Put: each must fail with a
// BadRequestException that says what is wrong and where, and leave the store as it was.
func TestImportErrors(t *testing.T) {
	const oas = "openapi: 3.0.1\ninfo: {title: t}\n"
	integration := func(body string) string {
		return oas + "paths:\n  /a:\n    get:\n      responses: {\"200\": {description: ok}}\n      x-amazon-apigateway-integration:\n" + body
	}
	tests := []struct {
		name  string
		doc   string
		opts  ImportOptions
		code  awserr.Code
		parts []string
	}{
		{"empty body", "  \n", ImportOptions{}, awserr.BadRequest, []string{"Invalid OpenAPI input. The document is empty."}},
		{"malformed JSON", "{\n  \"swagger\": \"2.0\",\n  \"info\": {\"title\": \"x\" \"version\": 1}\n}", ImportOptions{}, awserr.BadRequest,
			[]string{"Invalid OpenAPI input. JSON syntax error at line 3, column 25: invalid character '\"' after object key:value pair."}},
		{"JSON with a trailing comma (YAML reads it)", "{\"swagger\": \"2.0\", \"info\": {\"title\": \"x\",}, \"paths\": {\"/a\": 7}}", ImportOptions{}, awserr.BadRequest,
			[]string{"Invalid OpenAPI input.", "PathItem"}},
		{"truncated JSON", `{"swagger": "2.0", "info": {`, ImportOptions{}, awserr.BadRequest, []string{"JSON syntax error", "ends before it is complete"}},
		{"trailing JSON", `{"swagger": "2.0"} {}`, ImportOptions{}, awserr.BadRequest, []string{"line 1, column 20: unexpected data after the top-level value"}},
		{"malformed YAML", "openapi: 3.0.1\ninfo:\n  title: [x\npaths: {}\n", ImportOptions{}, awserr.BadRequest, []string{"Invalid OpenAPI input. YAML syntax error: line 2: did not find expected ',' or ']'."}},
		{"duplicate YAML key", "openapi: 3.0.1\ninfo: {title: t}\npaths: {}\npaths: {}\n", ImportOptions{}, awserr.BadRequest,
			[]string{"YAML", "line 4", "paths"}},
		{"not an object", "[1, 2]", ImportOptions{}, awserr.BadRequest, []string{"must be a JSON or YAML object", "not an array"}},
		{"no version", "info: {title: t}\npaths: {}\n", ImportOptions{}, awserr.BadRequest, []string{"neither a 'swagger: \"2.0\"' nor an 'openapi: 3.0.x' field"}},
		{"swagger 1.2", "swagger: '1.2'\ninfo: {title: t}\n", ImportOptions{}, awserr.BadRequest, []string{`Unsupported swagger version "1.2"`}},
		{"openapi 4", "openapi: 4.0.0\ninfo: {title: t}\n", ImportOptions{}, awserr.BadRequest, []string{`Unsupported openapi version "4.0.0"`}},
		{"no title", "openapi: 3.0.1\ninfo: {version: '1'}\npaths: {}\n", ImportOptions{}, awserr.BadRequest, []string{"'info.title' is required"}},
		{"info not an object", "openapi: 3.0.1\ninfo: [x]\n", ImportOptions{}, awserr.BadRequest, []string{"'info' must be an object, not an array"}},
		{"broken $ref", "swagger: '2.0'\ninfo: {title: t}\npaths:\n  /a:\n    get:\n      responses:\n        '200': {description: ok, schema: {$ref: '#/definitions/Missing'}}\n",
			ImportOptions{}, awserr.BadRequest, []string{"The $ref '#/definitions/Missing' at paths['/a'].get.responses.200.schema cannot be resolved: there is no 'definitions'"}},
		{"broken $ref in an any-method", oas + "paths:\n  /a:\n    x-amazon-apigateway-any-method:\n      responses: {'200': {$ref: '#/components/responses/none'}}\n",
			ImportOptions{}, awserr.BadRequest, []string{"The $ref '#/components/responses/none' at paths['/a'].x-amazon-apigateway-any-method.responses.200 cannot be resolved: there is no 'components'"}},
		{"external $ref", oas + "paths:\n  /a: {$ref: 'other.yaml#/a'}\n", ImportOptions{}, awserr.BadRequest,
			[]string{"The $ref 'other.yaml#/a' at paths['/a'] is not supported"}},
		{"kin-openapi type error", oas + "paths:\n  /a:\n    get:\n      parameters: {name: x}\n", ImportOptions{}, awserr.BadRequest,
			[]string{"Invalid OpenAPI input.", "parameters"}},
		{"unknown integration type", integration("        type: lambda\n"), ImportOptions{}, awserr.BadRequest,
			[]string{"x-amazon-apigateway-integration at paths['/a'].get: 'type' is 'lambda'; valid values are aws, aws_proxy, http, http_proxy, mock."}},
		{"integration without type", integration("        uri: https://example.com\n"), ImportOptions{}, awserr.BadRequest, []string{"paths['/a'].get: 'type' is required"}},
		{"unknown passthrough behaviour", integration("        type: mock\n        passthroughBehavior: sometimes\n"), ImportOptions{}, awserr.BadRequest,
			[]string{"'passthroughBehavior' is 'sometimes'; valid values are when_no_match, when_no_templates, never"}},
		{"timeout not a number", integration("        type: mock\n        timeoutInMillis: soon\n"), ImportOptions{}, awserr.BadRequest,
			[]string{"'timeoutInMillis' must be a number, not \"soon\""}},
		{"unresolved Fn::Sub", integration("        type: aws_proxy\n        httpMethod: POST\n        uri: {Fn::Sub: 'arn:aws:apigateway:${AWS::Region}:lambda:path/x'}\n"),
			ImportOptions{}, awserr.BadRequest, []string{"'uri' must be a string, not the CloudFormation function Fn::Sub: resolve it before importing"}},
		{"response without statusCode", integration("        type: mock\n        responses: {default: {responseTemplates: {}}}\n"), ImportOptions{}, awserr.BadRequest,
			[]string{"x-amazon-apigateway-integration response 'default' at paths['/a'].get: 'statusCode' is required"}},
		{"responses not an object", integration("        type: mock\n        responses: [1]\n"), ImportOptions{}, awserr.BadRequest,
			[]string{"'responses' must be an object, not an array"}},
		{"Lambda URI that is not one", integration("        type: aws_proxy\n        httpMethod: POST\n        uri: arn:aws:lambda:us-east-1:123456789012:function:f\n"),
			ImportOptions{}, awserr.BadRequest, []string{"Errors found during import:\n\tUnable to put integration on 'GET' for resource at path '/a': Integrations of type 'AWS_PROXY' currently only supports Lambda"}},
		{"undeclared response header", integration("        type: mock\n        responses: {default: {statusCode: '200', responseParameters: {method.response.header.X: \"'x'\"}}}\n"),
			ImportOptions{}, awserr.BadRequest, []string{"Errors found during import:\n\tUnable to put integration response on 'GET' for resource at path '/a': Invalid mapping expression specified", "method.response.header.X"}},
		{"unknown authorizer type", oas + "components:\n  securitySchemes:\n    a: {type: apiKey, name: A, in: header, x-amazon-apigateway-authorizer: {type: magic}}\npaths: {}\n",
			ImportOptions{}, awserr.BadRequest, []string{"x-amazon-apigateway-authorizer at components.securitySchemes.a: 'type' is 'magic'; valid values are token, request, cognito_user_pools"}},
		{"authorizer without URI", oas + "components:\n  securitySchemes:\n    a: {type: apiKey, name: A, in: header, x-amazon-apigateway-authorizer: {type: token}}\npaths: {}\n",
			ImportOptions{}, awserr.BadRequest, []string{"Errors found during import:\n\tUnable to create authorizer 'a': Authorizer URI must be specified"}},
		{"unknown gateway response", oas + "x-amazon-apigateway-gateway-responses: {TEAPOT: {statusCode: '418'}}\npaths: {}\n", ImportOptions{}, awserr.BadRequest,
			[]string{"x-amazon-apigateway-gateway-responses names the unknown response type 'TEAPOT'; valid types are DEFAULT_4XX"}},
		{"bad gateway response status", oas + "x-amazon-apigateway-gateway-responses: {THROTTLED: {statusCode: '42'}}\npaths: {}\n", ImportOptions{}, awserr.BadRequest,
			[]string{"Errors found during import:\n\tUnable to put gateway response 'THROTTLED': Invalid status code specified: 42"}},
		{"unknown API key source", oas + "x-amazon-apigateway-api-key-source: COOKIE\npaths: {}\n", ImportOptions{}, awserr.BadRequest,
			[]string{"x-amazon-apigateway-api-key-source is a string; valid values are HEADER, AUTHORIZER."}},
		{"bad binary media type", oas + "x-amazon-apigateway-binary-media-types: [png]\npaths: {}\n", ImportOptions{}, awserr.BadRequest,
			[]string{"Invalid binary media type specified: png"}},
		{"unknown request validator", oas + "paths:\n  /a: {get: {x-amazon-apigateway-request-validator: strict, responses: {}}}\n", ImportOptions{}, awserr.BadRequest,
			[]string{"x-amazon-apigateway-request-validator at paths['/a'].get names 'strict', which x-amazon-apigateway-request-validators does not define."}},
		{"any-method not an object", oas + "paths:\n  /a: {x-amazon-apigateway-any-method: true}\n", ImportOptions{}, awserr.BadRequest,
			[]string{"x-amazon-apigateway-any-method at paths['/a'] must be an object, not a boolean."}},
		{"invalid path part", oas + "paths:\n  /pets/{id:\n    get:" + mockGet + "\n", ImportOptions{}, awserr.BadRequest,
			[]string{"Errors found during import:\n\tUnable to create resource at path '/pets/{id': Resource's path part only allow a-zA-Z0-9._- and curly braces"}},
		{"path part with a space", oas + "paths:\n  /a b: {}\n", ImportOptions{}, awserr.BadRequest, []string{"Unable to create resource at path '/a b'"}},
		{"path without a slash", oas + "paths:\n  pets: {}\n", ImportOptions{}, awserr.BadRequest, []string{"The path 'pets' must start with '/'."}},
		{"empty path part", oas + "paths:\n  /a//b: {}\n", ImportOptions{}, awserr.BadRequest, []string{"The path '/a//b' has an empty path part."}},
		{"two variables side by side", oas + "paths:\n  /a/{x}: {}\n  /a/{y}: {}\n", ImportOptions{}, awserr.BadRequest,
			[]string{"Unable to create resource at path '/a/{y}': A sibling ({x}) of this resource already has a variable path part"}},
		{"child of a greedy variable", oas + "paths:\n  /{proxy+}/x: {}\n", ImportOptions{}, awserr.BadRequest,
			[]string{"Cannot create a child of a resource with a greedy path variable: {proxy+}"}},
		{"same method twice", oas + "paths:\n  /a:\n    get:" + mockGet + "\n  /a/:\n    get:" + mockGet + "\n", ImportOptions{}, awserr.BadRequest,
			[]string{"paths['/a/'].get defines GET /a a second time"}},
		{"bad basepath option", oas + "paths: {}\n", ImportOptions{BasePath: "drop"}, awserr.BadRequest, []string{"Invalid basepath parameter value 'drop'"}},
		{"bad endpoint type", oas + "paths: {}\n", ImportOptions{EndpointTypes: []string{"GLOBAL"}}, awserr.BadRequest,
			[]string{"Invalid endpointConfigurationTypes parameter value 'GLOBAL'"}},
		{"YAML alias bomb", "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n" +
			"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n",
			ImportOptions{}, awserr.BadRequest, []string{"too large once its YAML aliases are expanded"}},
		{"deep nesting", strings.Repeat("[", 600) + strings.Repeat("]", 600), ImportOptions{}, awserr.BadRequest, []string{"more than 500 levels deep"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newTestStore(t)
			existing, _, err := Import(st, corpus(t)["petstore-swagger.json"], ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.CreateDeployment(existing.ID, store.CreateDeploymentInput{StageName: "live"}); err != nil {
				t.Fatal(err)
			}
			before, live, seq := storeState(t, st), st.Live(), st.Seq()
			unchanged := func(op string) {
				t.Helper()
				if diff := cmp.Diff(before, storeState(t, st), equateEpochs); diff != "" {
					t.Errorf("a failed %s changed the store (-before +after):\n%s", op, diff)
				}
				if st.Live() != live || st.Seq() != seq {
					t.Errorf("a failed %s republished the served state or counted a mutation", op)
				}
			}

			_, _, err = Import(st, []byte(tt.doc), tt.opts)
			wantErr(t, err, tt.code, tt.parts...)
			unchanged("Import")

			if tt.name == "no title" {
				return // PutRestApi keeps the API's name; a document without a title is fine
			}
			for _, mode := range []string{store.ModeMerge, store.ModeOverwrite} {
				opts := tt.opts
				opts.Mode = mode
				_, _, err = Put(st, existing.ID, []byte(tt.doc), opts)
				wantErr(t, err, tt.code, tt.parts...)
				unchanged("Put " + mode)
			}
		})
	}
}

func TestPutErrors(t *testing.T) {
	st := newTestStore(t)
	doc := []byte("openapi: 3.0.1\ninfo: {title: t}\npaths: {}\n")
	_, _, err := Put(st, "missing123", doc, ImportOptions{})
	wantErr(t, err, awserr.NotFound, "Invalid API identifier specified 000000000000:missing123")
	api, _, err := Import(st, doc, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = Put(st, api.ID, doc, ImportOptions{Mode: "replace"})
	wantErr(t, err, awserr.BadRequest, "Invalid mode 'replace'. Valid values are merge, overwrite.")
	_, _, err = Import(st, doc, ImportOptions{ID: api.ID})
	wantErr(t, err, awserr.Conflict, "A REST API with the id "+api.ID+" already exists")
}

func TestExportErrors(t *testing.T) {
	st := newTestStore(t)
	api, _, err := Import(st, corpus(t)["lambda-proxy.yaml"], ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateDeployment(api.ID, store.CreateDeploymentInput{StageName: "dev"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, apiID, stage string
		opts               ExportOptions
		code               awserr.Code
		msg                string
	}{
		{"unknown API", "nope", "dev", ExportOptions{}, awserr.NotFound, "Invalid API identifier specified 000000000000:nope"},
		{"unknown stage", api.ID, "prod", ExportOptions{}, awserr.NotFound, "Invalid stage identifier specified"},
		{"unknown type", api.ID, "dev", ExportOptions{Type: "raml"}, awserr.BadRequest, "Invalid export type specified: raml"},
		{"unknown extension", api.ID, "dev", ExportOptions{Extensions: []string{"everything"}}, awserr.BadRequest, "Invalid extensions specified: everything"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Export(st, tt.apiID, tt.stage, tt.opts)
			wantErr(t, err, tt.code, tt.msg)
		})
	}
}
