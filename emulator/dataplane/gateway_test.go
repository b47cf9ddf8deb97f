package dataplane

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/emulator/store"
)

// testExchange is a routed request on stage "dev" of a deployment with the given
// customised gateway responses.
func testExchange(method, target, body string, header http.Header, custom map[string]*store.GatewayResponse) *Exchange {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	for k, v := range header {
		r.Header[k] = v
	}
	d := Compile(&store.Snapshot{DeploymentID: "dep123", GatewayResponses: custom}, nil)
	x := &Exchange{Req: r, RequestID: "11111111-2222-4333-8444-555555555555", ExtendedRequestID: "AbCdEfGhIjKlMnO=",
		APIID: "abcdefghij", AccountID: "000000000000", Stage: &store.LiveStage{Name: "dev"}, Deployment: d,
		StageVariables: map[string]string{"color": "teal"}, ContextPath: "/dev/x", Path: "/x"}
	x.Query = r.URL.Query()
	if body != "" {
		x.Body = []byte(body)
	}
	return x
}

// getFold reads a header the way a client does: names compare case-insensitively (the
// data plane writes AWS's own casing, x-amzn-RequestId).
func getFold(h http.Header, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

func TestWriteGatewayError(t *testing.T) {
	tests := []struct {
		name      string
		ge        *GatewayError
		custom    map[string]*store.GatewayResponse
		header    http.Header
		status    int
		body      string
		errorType string
		extra     map[string]string
	}{
		{"authentication stage is compact", ErrMissingAuthenticationToken(), nil, nil,
			403, `{"message":"Missing Authentication Token"}`, "MissingAuthenticationTokenException", nil},
		{"integration stage has a space", ErrIntegrationTimeout(), nil, nil,
			504, `{"message": "Endpoint request timed out"}`, "InternalServerErrorException", nil},
		{"Lambda rejected is 500", ErrIntegrationFailure(500, errors.New("throttled")), nil, nil,
			500, `{"message": "Internal server error"}`, "InternalServerErrorException", nil},
		{"network error", ErrNetwork(errors.New("refused")), nil, nil,
			504, `{"message": "Network error communicating with endpoint"}`, "InternalServerErrorException", nil},
		{"request too long", ErrRequestTooLong(), nil, nil,
			413, `{"message": "Request Too Long"}`, "BadRequestException", nil},
		{"ACCESS_DENIED default has a capital M", ErrAccessDenied("User is not authorized to access this resource with an explicit deny in an identity-based policy"), nil, nil,
			403, `{"Message":"User is not authorized to access this resource with an explicit deny in an identity-based policy"}`, "AccessDeniedException", nil},
		{"ACCESS_DENIED customised uses the template", ErrAccessDenied("denied"),
			map[string]*store.GatewayResponse{"ACCESS_DENIED": {ResponseParameters: map[string]string{"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}}}, nil,
			403, `{"message":"denied"}`, "AccessDeniedException", map[string]string{"Access-Control-Allow-Origin": "*"}},
		{"null message", &GatewayError{Type: "AUTHORIZER_CONFIGURATION_ERROR", Null: true}, nil, nil,
			500, `{"message":null}`, "AuthorizerConfigurationException", nil},
		{"Lambda's own body", ErrLambdaBadRequest("InvalidRequestContentException", "Could not parse", nil), nil, nil,
			400, `{"Type":"User","message":"Could not parse"}`, "InvalidRequestContentException", nil},
		{"DEFAULT_4XX not used unless customised", ErrUnsupportedMediaType(),
			map[string]*store.GatewayResponse{"DEFAULT_5XX": {StatusCode: "599"}}, nil,
			415, `{"message":"Unsupported Media Type"}`, "BadRequestException", nil},
		{"DEFAULT_5XX fallback with a status and mappings", ErrIntegrationTimeout(),
			map[string]*store.GatewayResponse{"DEFAULT_5XX": {StatusCode: "503",
				ResponseParameters: map[string]string{"gatewayresponse.header.X-Color": "stageVariables.color", "gatewayresponse.header.X-Req": "method.request.header.X-Req",
					"gatewayresponse.header.X-Id": "context.requestId", "gatewayresponse.header.X-Q": "method.request.querystring.q"},
				ResponseTemplates: map[string]string{"application/json": `{"m": $context.error.messageString, "t": "${context.error.responseType}", "c": "$stageVariables.color", "p": "$context.path"}`}}},
			http.Header{"X-Req": {"r1"}},
			503, `{"m": "Endpoint request timed out", "t": "INTEGRATION_TIMEOUT", "c": "teal", "p": "/dev/x"}`, "InternalServerErrorException",
			map[string]string{"X-Color": "teal", "X-Req": "r1", "X-Id": "11111111-2222-4333-8444-555555555555", "X-Q": "7"}},
		{"own type wins over the family", ErrMissingAuthenticationToken(),
			map[string]*store.GatewayResponse{"DEFAULT_4XX": {StatusCode: "400"}, "MISSING_AUTHENTICATION_TOKEN": {StatusCode: "404"}}, nil,
			404, `{"message":"Missing Authentication Token"}`, "MissingAuthenticationTokenException", nil},
		{"template chosen by Accept", ErrMissingAuthenticationToken(),
			map[string]*store.GatewayResponse{"MISSING_AUTHENTICATION_TOKEN": {ResponseTemplates: map[string]string{
				"application/json": `{"json": true}`, "text/html": `<p>$context.error.message</p>`}}},
			http.Header{"Accept": {"text/html, */*"}},
			403, `<p>Missing Authentication Token</p>`, "MissingAuthenticationTokenException", nil},
		{"no template for Accept nor JSON: the first by media type", ErrMissingAuthenticationToken(),
			map[string]*store.GatewayResponse{"MISSING_AUTHENTICATION_TOKEN": {ResponseTemplates: map[string]string{
				"text/plain": `plain`, "application/xml": `<e>${context.error.responseType}</e>`}}},
			http.Header{"Accept": {"image/png"}},
			403, `<e>MISSING_AUTHENTICATION_TOKEN</e>`, "MissingAuthenticationTokenException", nil},
		{"customised null message", &GatewayError{Type: "AUTHORIZER_CONFIGURATION_ERROR", Null: true},
			map[string]*store.GatewayResponse{"DEFAULT_5XX": {ResponseParameters: map[string]string{"gatewayresponse.header.X-A": "'1'"}}}, nil,
			500, `{"message":null}`, "AuthorizerConfigurationException", map[string]string{"X-A": "1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := testExchange("GET", "/dev/x?q=7", "", tt.header, tt.custom)
			w := httptest.NewRecorder()
			(&Handler{}).writeGatewayError(w, x, tt.ge)
			if w.Code != tt.status || w.Body.String() != tt.body {
				t.Errorf("got %d %s, want %d %s", w.Code, w.Body, tt.status, tt.body)
			}
			h := w.Result().Header
			for k, want := range map[string]string{
				"X-Amzn-Errortype": tt.errorType, "X-Amzn-Requestid": x.RequestID, "X-Amz-Apigw-Id": x.ExtendedRequestID,
				"X-Amzn-Trace-Id": "", "Content-Type": "application/json",
			} {
				if k == "Content-Type" && (strings.HasPrefix(tt.body, "<") || tt.body == "plain") {
					continue
				}
				if got := getFold(h, k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			for k, want := range tt.extra {
				if got := getFold(h, k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
		})
	}
}

func TestEvalSource(t *testing.T) {
	x := testExchange("POST", "/dev/pets/7?q=1&q=2&one=x", `{"pet":{"name":"Rex","tags":["a","b"],"age":3,"owner":{"n":"ann"}}}`,
		http.Header{"X-H": {"h1", "h2"}}, nil)
	x.PathParams = []Param{{Name: "id", Value: "7"}}
	res := &IntegrationResult{Status: 200, Header: http.Header{"X-Up": {"u1", "u2"}}, Body: []byte(`{"redirect":{"url":"http://x"},"list":[1,2]}`)}
	for expr, want := range map[string]string{
		"'static'":                                   "static",
		"''":                                         "",
		"method.request.path.id":                     "7",
		"method.request.querystring.q":               "2",
		"method.request.multivaluequerystring.q":     "1,2",
		"method.request.header.X-H":                  "h2",
		"method.request.header.x-h":                  "h2",
		"method.request.multivalueheader.X-H":        "h1,h2",
		"method.request.body.pet.name":               "Rex",
		"method.request.body.pet.tags[1]":            "b",
		"method.request.body.pet.age":                "3",
		"method.request.body.pet.owner":              `{"n":"ann"}`,
		"method.request.body.pet['name']":            "Rex",
		"integration.response.header.X-Up":           "u2",
		"integration.response.multivalueheader.X-Up": "u1,u2",
		"integration.response.body.redirect.url":     "http://x",
		"integration.response.body.list":             "[1,2]",
		"stageVariables.color":                       "teal",
		"context.stage":                              "dev",
		"context.requestId":                          x.RequestID,
	} {
		src := compileSource(expr)
		got, ok := x.evalSource(&src, res, nil)
		if !ok || got != want {
			t.Errorf("%s = %q, %v; want %q", expr, got, ok, want)
		}
	}
	for _, expr := range []string{"method.request.path.nope", "method.request.querystring.nope", "method.request.body.pet.nope",
		"stageVariables.nope", "integration.response.header.Nope", "nonsense", "method.request.body.[["} {
		src := compileSource(expr)
		if got, ok := x.evalSource(&src, res, nil); ok {
			t.Errorf("%s = %q, want no value", expr, got)
		}
	}
	src := compileSource("method.request.body")
	if got, _ := x.evalSource(&src, nil, nil); got != string(x.Body) {
		t.Errorf("method.request.body = %q", got)
	}
}

func TestRequestMappingAndOverrides(t *testing.T) {
	x := testExchange("GET", "/dev/pets/7?q=1&q=2", "", http.Header{"X-H": {"h1"}}, nil)
	x.PathParams = []Param{{Name: "id", Value: "7"}}
	it := compileIntegration(&store.Integration{Type: "HTTP", URI: "http://h/{petId}", RequestParameters: map[string]string{
		"integration.request.path.petId":               "method.request.path.id",
		"integration.request.querystring.all":          "method.request.multivaluequerystring.q",
		"integration.request.querystring.last":         "method.request.querystring.q",
		"integration.request.header.x-lit":             "'v'",
		"integration.request.header.X-Absent":          "method.request.header.Nope",
		"integration.request.multivalueheader.X-Multi": "method.request.multivalueheader.X-H",
	}}, "GET /pets/{id}", nil)
	req := &x.IntegrationRequest
	x.mapRequestParameters(it, req)
	if req.Path["petId"] != "7" || len(req.Query["all"]) != 2 || req.Query["last"][0] != "2" || req.Header.Get("X-Lit") != "v" ||
		req.Header.Get("X-Absent") != "" || req.Header.Get("X-Multi") != "h1" {
		t.Errorf("mapped %+v", req)
	}
	x.Method = &Method{Integration: it}
	if u, err := x.IntegrationURI(); err != nil || u != "http://h/7" {
		t.Errorf("IntegrationURI = %q, %v", u, err)
	}
}

func TestResponseHeaderRemap(t *testing.T) {
	src := http.Header{"Date": {"d"}, "content-type": {"text/plain"}, "Transfer-Encoding": {"chunked"}, "User-Agent": {"u"}, "X-Ok": {"1"}, "bad name": {"x"}}
	for _, tt := range []struct {
		typ  string
		want http.Header
	}{
		{"AWS_PROXY", http.Header{"x-amzn-Remapped-Date": {"d"}, "Content-Type": {"text/plain"}, "User-Agent": {"u"}, "X-Ok": {"1"}}},
		{"HTTP", http.Header{"x-amzn-Remapped-Date": {"d"}, "Content-Type": {"text/plain"}, "x-amzn-Remapped-User-Agent": {"u"}, "X-Ok": {"1"}}},
		{"MOCK", http.Header{"Date": {"d"}, "Content-Type": {"text/plain"}, "Transfer-Encoding": {"chunked"}, "User-Agent": {"u"}, "X-Ok": {"1"}}},
	} {
		dst := http.Header{}
		if !writeMethodResponseHeaders(dst, src, tt.typ) {
			t.Errorf("%s: Content-Type not reported", tt.typ)
		}
		if len(dst) != len(tt.want) {
			t.Errorf("%s: got %v, want %v", tt.typ, dst, tt.want)
		}
		for k, v := range tt.want {
			if got := dst[k]; len(got) != 1 || got[0] != v[0] {
				t.Errorf("%s: %s = %v, want %v (all: %v)", tt.typ, k, got, v, dst)
			}
		}
	}
}

func TestNewTraceID(t *testing.T) {
	now := time.Unix(0x5f000000, 0)
	id := newTraceID(now, "")
	if !regexp.MustCompile(`^Root=1-5f000000-[0-9a-f]{24}$`).MatchString(id) {
		t.Errorf("trace id %q", id)
	}
	if id == newTraceID(now, "") {
		t.Error("trace ids repeat")
	}
	if got := newTraceID(now, "Root=1-abc-def;Parent=1;Sampled=1"); got != "Root=1-abc-def" {
		t.Errorf("client root not continued: %q", got)
	}
}
