package e2e

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// TestNodeTokenAuthorizer runs a TOKEN authorizer written in Node.js as a real Runtime API
// process, in front of MOCK and Lambda proxy integrations.
func TestNodeTokenAuthorizer(t *testing.T) {
	needInterpreter(t, "node")
	e := start(t,
		"--function", "name=tokenauth,runtime=nodejs20.x,handler=index.handler,code="+accessFixture(t, "authorizer-node"),
		"--function", "name=echoproxy,runtime=nodejs20.x,handler=index.handler,code="+accessFixture(t, "echo-node"))
	c := e.apigw()
	api := accessAPI(t, c, "token-authz", "")
	id := api.createAuthorizer(apigateway.CreateAuthorizerInput{Type: types.AuthorizerTypeToken, AuthorizerUri: authorizerURI("tokenauth"),
		IdentitySource: aws.String("method.request.header.Authorization"), IdentityValidationExpression: aws.String(`^[a-z]+(-[a-z0-9]+)?$`)})
	for _, m := range []accessMethod{{path: "/pets", verb: "GET"}, {path: "/pets", verb: "POST"}, {path: "/pets/{id}", verb: "GET"}, {path: "/proxy", verb: "GET", proxyFn: "echoproxy"}} {
		m.auth, m.authorizerID = "CUSTOM", id
		api.put(m)
	}
	api.deploy("dev", nil)
	base := e.invokeURL(api.ID, "dev")

	// calls returns the authorizer's invocation count, read through an allowed request with
	// a fresh token (so never from the cache).
	fresh := 0
	calls := func() int {
		t.Helper()
		fresh++
		got := echoOf(t, do(t, "GET", base+"/pets", nil, "Authorization: allow-probe"+strconv.Itoa(fresh)))
		n, _ := strconv.Atoi(got["calls"])
		return n
	}
	tests := []struct {
		name, token string
		status      int
		body, typ   string
		invoked     bool
	}{
		{"missing token", "", 401, bodyUnauthorized, "UnauthorizedException", false},
		{"token fails the validation expression", "Bearer xyz", 401, bodyUnauthorized, "UnauthorizedException", false},
		{"function throws Unauthorized", "unauthorized", 401, bodyUnauthorized, "UnauthorizedException", true},
		{"explicit deny", "deny", 403, bodyExplicitDeny, "AccessDeniedException", true},
		{"no allow for GET", "post-only", 403, bodyImplicitDeny, "AccessDeniedException", true},
		{"other error", "boom", 500, bodyConfigError, "AuthorizerConfigurationException", true},
		{"object in the context", "nested", 500, bodyConfigError, "AuthorizerConfigurationException", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := calls()
			var hdr []string
			if tt.token != "" {
				hdr = []string{"Authorization: " + tt.token}
			}
			wantDenial(t, do(t, "GET", base+"/pets", nil, hdr...), tt.status, tt.body, tt.typ)
			want := before + 1
			if tt.invoked {
				want++
			}
			if got := calls(); got != want {
				t.Errorf("authorizer calls went from %d to %d, want %d (invoked: %v)", before, got, want, tt.invoked)
			}
		})
	}

	// Allowed: principalId and context reach the MOCK template ...
	got := echoOf(t, do(t, "GET", base+"/pets", nil, "Authorization: allow-ann"))
	if got["principalId"] != "ann" || got["user"] != "ann" {
		t.Errorf("$context.authorizer: %v", got)
	}
	// ... and, with their JSON types, the Lambda proxy event.
	r := do(t, "GET", base+"/proxy", nil, "Authorization: allow-ann")
	var ev struct {
		Authorizer map[string]any `json:"authorizer"`
	}
	if r.Status != 200 || json.Unmarshal([]byte(r.Body), &ev) != nil {
		t.Fatalf("proxy: %d %s", r.Status, r.Body)
	}
	if ev.Authorizer["principalId"] != "ann" || ev.Authorizer["user"] != "ann" || ev.Authorizer["premium"] != true {
		t.Errorf("requestContext.authorizer: %v", ev.Authorizer)
	}
	if _, ok := ev.Authorizer["calls"].(float64); !ok {
		t.Errorf("a number in the context arrives as %T", ev.Authorizer["calls"])
	}
	// The decision is cached (TTL 300 s) and its policy re-evaluated for each method.
	n := calls()
	echoOf(t, do(t, "GET", base+"/pets/1", nil, "Authorization: allow-ann"))
	wantDenial(t, do(t, "POST", base+"/pets", nil, "Authorization: allow-ann"), 403, bodyImplicitDeny, "AccessDeniedException")
	if got := calls(); got != n+1 {
		t.Errorf("cached token invoked the authorizer: calls %d → %d", n, got)
	}
	if _, err := c.FlushStageAuthorizersCache(ctx, &apigateway.FlushStageAuthorizersCacheInput{RestApiId: &api.ID, StageName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
	n = calls()
	echoOf(t, do(t, "GET", base+"/pets/1", nil, "Authorization: allow-ann"))
	if got := calls(); got != n+2 {
		t.Errorf("after a flush: calls %d → %d, want one more call", n, got)
	}

	out, err := c.TestInvokeAuthorizer(ctx, &apigateway.TestInvokeAuthorizerInput{RestApiId: &api.ID, AuthorizerId: &id,
		Headers: map[string]string{"Authorization": "allow-tess"}, PathWithQueryString: aws.String("/pets")})
	if err != nil || out.ClientStatus != 200 || aws.ToString(out.PrincipalId) != "tess" || !strings.Contains(aws.ToString(out.Policy), "Allow") {
		t.Errorf("TestInvokeAuthorizer: %+v %v", out, err)
	}
}

// TestPythonRequestAuthorizer runs a REQUEST authorizer written in Python with header,
// query-string and stage-variable identity sources.
func TestPythonRequestAuthorizer(t *testing.T) {
	needInterpreter(t, "python3")
	e := start(t, "--function", "name=reqauth,runtime=python3.11,handler=app.handler,code="+accessFixture(t, "authorizer-py"))
	c := e.apigw()
	api := accessAPI(t, c, "request-authz", "")
	id := api.createAuthorizer(apigateway.CreateAuthorizerInput{Type: types.AuthorizerTypeRequest, AuthorizerUri: authorizerURI("reqauth"),
		IdentitySource: aws.String("method.request.header.Token, method.request.querystring.tenant, stageVariables.tenant")})
	api.put(accessMethod{path: "/orders/{id}", verb: "GET", auth: "CUSTOM", authorizerID: id})
	api.deploy("dev", map[string]string{"tenant": "acme"})
	url := e.invokeURL(api.ID, "dev") + "/orders/7"

	for _, tt := range []struct {
		name, query string
		headers     []string
		status      int
		body, typ   string
	}{
		{"no token header", "?tenant=t1", nil, 401, bodyUnauthorized, "UnauthorizedException"},
		{"no tenant", "", []string{"Token: letmein"}, 401, bodyUnauthorized, "UnauthorizedException"},
		{"function raises Unauthorized", "?tenant=t1", []string{"Token: wrong"}, 401, bodyUnauthorized, "UnauthorizedException"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantDenial(t, do(t, "GET", url+tt.query, nil, tt.headers...), tt.status, tt.body, tt.typ)
		})
	}
	got := echoOf(t, do(t, "GET", url+"?tenant=t1", nil, "Token: letmein"))
	// Two calls so far: the wrong token and this one (missing sources never call it).
	want := map[string]string{"principalId": "py-user", "calls": "2", "tenant": "t1", "stageTenant": "acme",
		"methodArn": "arn:aws:execute-api:us-east-1:000000000000:" + api.ID + "/dev/GET/orders/7"}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
	// Cached by all identity values: the same token and tenant do not call again.
	if got := echoOf(t, do(t, "GET", e.invokeURL(api.ID, "dev")+"/orders/8?tenant=t1", nil, "Token: letmein")); got["calls"] != "2" {
		t.Errorf("cached: calls %s", got["calls"])
	}
}

// TestAuthorizerSuppliesAPIKey: with apiKeySource AUTHORIZER the key is the authorizer's
// usageIdentifierKey, checked after authorization.
func TestAuthorizerSuppliesAPIKey(t *testing.T) {
	needInterpreter(t, "node")
	e := start(t, "--function", "name=tokenauth,runtime=nodejs20.x,handler=index.handler,code="+accessFixture(t, "authorizer-node"))
	c := e.apigw()
	api := accessAPI(t, c, "keyed-authz", "AUTHORIZER")
	id := api.createAuthorizer(apigateway.CreateAuthorizerInput{Type: types.AuthorizerTypeToken, AuthorizerUri: authorizerURI("tokenauth"),
		IdentitySource: aws.String("method.request.header.Authorization"), AuthorizerResultTtlInSeconds: aws.Int32(0)})
	api.put(accessMethod{path: "/pets", verb: "GET", auth: "CUSTOM", authorizerID: id, keyRequired: true})
	api.deploy("dev", nil)
	value := strings.Repeat("a1", 15)
	keyID := keyInPlan(t, c, api.ID, "dev", value, nil)
	url := e.invokeURL(api.ID, "dev") + "/pets"

	got := echoOf(t, do(t, "GET", url, nil, "Authorization: key-"+value))
	if got["apiKey"] != value || got["apiKeyId"] != keyID {
		t.Errorf("$context.identity: %v", got)
	}
	wantDenial(t, do(t, "GET", url, nil, "Authorization: key-"+strings.Repeat("z", 30)), 403, bodyForbidden, "ForbiddenException")
	wantDenial(t, do(t, "GET", url, nil, "Authorization: allow-x", "x-api-key: "+value), 403, bodyForbidden, "ForbiddenException")
	wantDenial(t, do(t, "GET", url, nil, "x-api-key: "+value), 401, bodyUnauthorized, "UnauthorizedException")
}
