package e2e

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/google/go-cmp/cmp"
)

// updateGolden reports -update, which rewrites golden files. The flag is shared with other
// golden tests of the package: whichever file initialises first defines it.
var updateGolden = func() func() bool {
	f := flag.Lookup("update")
	if f == nil {
		flag.Bool("update", false, "rewrite golden files under testdata")
		f = flag.Lookup("update")
	}
	return func() bool { return f.Value.String() == "true" }
}()

// restAPI builds a REST API through the SDK for the integration tests.
type restAPI struct {
	t         *testing.T
	c         *apigateway.Client
	ID, Root  string
	resources map[string]string // path → id
}

func newRestAPI(t *testing.T, c *apigateway.Client, name string, binaryMediaTypes ...string) *restAPI {
	t.Helper()
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String(name), BinaryMediaTypes: binaryMediaTypes})
	if err != nil {
		t.Fatal(err)
	}
	return &restAPI{t: t, c: c, ID: *api.Id, Root: *api.RootResourceId, resources: map[string]string{"/": *api.RootResourceId}}
}

// resource returns the id of path, creating it and its parents.
func (a *restAPI) resource(path string) string {
	a.t.Helper()
	if id, ok := a.resources[path]; ok {
		return id
	}
	i := strings.LastIndexByte(path, '/')
	parent := path[:i]
	if parent == "" {
		parent = "/"
	}
	pid := a.resource(parent)
	r, err := a.c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: &a.ID, ParentId: &pid, PathPart: aws.String(path[i+1:])})
	if err != nil {
		a.t.Fatalf("create resource %s: %v", path, err)
	}
	a.resources[path] = *r.Id
	return *r.Id
}

// method puts a method (no authorization) with the given integration; request parameters
// of the method are declared from the integration's method.request.* sources.
func (a *restAPI) method(path, verb string, in apigateway.PutIntegrationInput, methodParams ...string) {
	a.t.Helper()
	res := a.resource(path)
	params := map[string]bool{}
	for _, p := range methodParams {
		params[p] = false
	}
	if _, err := a.c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &a.ID, ResourceId: &res, HttpMethod: &verb,
		AuthorizationType: aws.String("NONE"), RequestParameters: params}); err != nil {
		a.t.Fatalf("put method %s %s: %v", verb, path, err)
	}
	in.RestApiId, in.ResourceId, in.HttpMethod = &a.ID, &res, &verb
	if _, err := a.c.PutIntegration(ctx, &in); err != nil {
		a.t.Fatalf("put integration %s %s: %v", verb, path, err)
	}
}

// response puts a method response and its integration response. headers are the
// method.response.header.* mappings.
func (a *restAPI) response(path, verb, status string, pattern *string, templates, headers map[string]string, contentHandling types.ContentHandlingStrategy) {
	a.t.Helper()
	res := a.resource(path)
	params := map[string]bool{}
	for k := range headers {
		params[k] = false
	}
	if _, err := a.c.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: &a.ID, ResourceId: &res, HttpMethod: &verb,
		StatusCode: &status, ResponseParameters: params}); err != nil {
		a.t.Fatalf("put method response: %v", err)
	}
	if _, err := a.c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: &a.ID, ResourceId: &res, HttpMethod: &verb,
		StatusCode: &status, SelectionPattern: pattern, ResponseTemplates: templates, ResponseParameters: headers,
		ContentHandling: contentHandling}); err != nil {
		a.t.Fatalf("put integration response: %v", err)
	}
}

// deploy creates a deployment on stage with variables.
func (a *restAPI) deploy(stage string, vars map[string]string) {
	a.t.Helper()
	if _, err := a.c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &a.ID, StageName: &stage, Variables: vars}); err != nil {
		a.t.Fatalf("deploy: %v", err)
	}
}

// lambdaURI is the integration URI of a function.
func lambdaURI(fn string) *string {
	return aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:" + fn + "/invocations")
}

// proxyLambda is an AWS_PROXY integration to fn.
func proxyLambda(fn string) apigateway.PutIntegrationInput {
	return apigateway.PutIntegrationInput{Type: types.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"), Uri: lambdaURI(fn)}
}

var (
	clfRE   = regexp.MustCompile(`^\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000$`)
	traceRE = regexp.MustCompile(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$`)
)

// normalizeEvent replaces the values of a proxy event that change from run to run (ids,
// times, ports) with placeholders, after checking their format.
func normalizeEvent(t *testing.T, ev map[string]any) {
	t.Helper()
	rc, _ := ev["requestContext"].(map[string]any)
	check := func(m map[string]any, key string, ok func(any) bool, placeholder string) {
		t.Helper()
		v, present := m[key]
		if !present || !ok(v) {
			t.Errorf("%s = %#v: unexpected format", key, v)
		}
		m[key] = placeholder
	}
	str := func(re *regexp.Regexp) func(any) bool {
		return func(v any) bool { s, ok := v.(string); return ok && re.MatchString(s) }
	}
	check(rc, "requestId", str(uuidRE), "<request-id>")
	check(rc, "extendedRequestId", str(apigwRE), "<extended-request-id>")
	check(rc, "requestTime", str(clfRE), "<request-time>")
	check(rc, "requestTimeEpoch", func(v any) bool {
		f, ok := v.(float64)
		return ok && f > float64(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli())
	}, "<request-time-epoch>")
	check(rc, "apiId", str(regexp.MustCompile(`^[a-z0-9]{10}$`)), "<api-id>")
	check(rc, "resourceId", str(regexp.MustCompile(`^[a-z0-9]{6}$`)), "<resource-id>")
	check(rc, "deploymentId", str(regexp.MustCompile(`^[a-z0-9]{6}$`)), "<deployment-id>")
	for _, key := range []string{"headers", "multiValueHeaders"} {
		hs, _ := ev[key].(map[string]any)
		wrap := func(s string) any {
			if key == "headers" {
				return s
			}
			return []any{s}
		}
		one := func(v any) string {
			if l, ok := v.([]any); ok && len(l) == 1 {
				v = l[0]
			}
			s, _ := v.(string)
			return s
		}
		if !traceRE.MatchString(one(hs["X-Amzn-Trace-Id"])) {
			t.Errorf("%s X-Amzn-Trace-Id = %v", key, hs["X-Amzn-Trace-Id"])
		}
		hs["X-Amzn-Trace-Id"] = wrap("<trace-id>")
		if !regexp.MustCompile(`^\d+$`).MatchString(one(hs["X-Forwarded-Port"])) {
			t.Errorf("%s X-Forwarded-Port = %v", key, hs["X-Forwarded-Port"])
		}
		hs["X-Forwarded-Port"] = wrap("<port>")
		if !strings.HasPrefix(one(hs["Host"]), "127.0.0.1:") {
			t.Errorf("%s Host = %v", key, hs["Host"])
		}
		hs["Host"] = wrap("<host>")
	}
}

// compareGolden compares got (a JSON document) field by field with testdata/name, or
// rewrites the file with -update.
func compareGolden(t *testing.T, name string, got map[string]any) {
	t.Helper()
	path := filepath.Join("testdata", "integrations", name)
	if updateGolden() {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(got); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	var want map[string]any
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}
