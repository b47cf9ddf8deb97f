package auth_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/google/go-cmp/cmp"

	"github.com/apigw-local/apigw-local/emulator"
)

func TestTokenAuthorizerOutcomes(t *testing.T) {
	rec := &recorder{}
	e := newEnv(t, emulator.AccessConfig{}, map[string]any{"authz": rec.handle})
	a, _ := e.newAPI(t, "", "CUSTOM", func(api string) string {
		return e.authorizer(t, api, apigateway.CreateAuthorizerInput{
			Type: types.AuthorizerTypeToken, AuthorizerUri: aws.String(lambdaURI("authz")),
			IdentitySource:               aws.String("method.request.header.Authorization"),
			IdentityValidationExpression: aws.String(`^(allow|post|deny|unauth|boom|badctx|noprin|proxy).*`),
			AuthorizerResultTtlInSeconds: aws.Int32(0),
		})
	}, false)
	pets := e.invokeURL(a.ID, "dev") + "/pets"
	tests := []struct {
		name, token string
		status      int
		body, typ   string
		invoked     bool
	}{
		{"missing token", "", 401, unauthorized, "UnauthorizedException", false},
		{"fails the validation expression", "Bearer abc", 401, unauthorized, "UnauthorizedException", false},
		{"function says Unauthorized", "unauthorized", 401, unauthorized, "UnauthorizedException", true},
		{"explicit deny", "deny", 403, explicitDeny, "AccessDeniedException", true},
		{"no allow for this method", "post-only", 403, implicitDeny, "AccessDeniedException", true},
		{"other function error", "boom", 500, configError, "AuthorizerConfigurationException", true},
		{"object in context", "badctx", 500, configError, "AuthorizerConfigurationException", true},
		{"no principalId", "noprincipal", 500, configError, "AuthorizerConfigurationException", true},
		{"proxy response instead of a policy", "proxy", 500, configError, "AuthorizerConfigurationException", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := rec.calls.Load()
			var hdr []string
			if tt.token != "" {
				hdr = []string{"Authorization: " + tt.token}
			}
			wantDenied(t, send(t, "GET", pets, hdr...), tt.status, tt.body, tt.typ)
			if invoked := rec.calls.Load() > before; invoked != tt.invoked {
				t.Errorf("authorizer invoked: %v, want %v", invoked, tt.invoked)
			}
		})
	}

	got := echo(t, send(t, "GET", pets, "Authorization: allow-alice"))
	if got["principalId"] != "alice" || got["user"] != "alice" {
		t.Errorf("$context.authorizer: %v", got)
	}
	ev := rec.last()
	want := map[string]any{"type": "TOKEN", "authorizationToken": "allow-alice", "methodArn": "arn:aws:execute-api:us-east-1:000000000000:" + a.ID + "/dev/GET/pets"}
	if diff := cmp.Diff(want, ev); diff != "" {
		t.Errorf("TOKEN event (-want +got):\n%s", diff)
	}
	// A method without authorization never calls the authorizer.
	before := rec.calls.Load()
	echo(t, send(t, "GET", e.invokeURL(a.ID, "dev")+"/open"))
	if rec.calls.Load() != before {
		t.Error("the open method invoked the authorizer")
	}
}

func TestTokenAuthorizerCache(t *testing.T) {
	rec := &recorder{}
	e := newEnv(t, emulator.AccessConfig{}, map[string]any{"authz": rec.handle})
	a, id := e.newAPI(t, "", "CUSTOM", func(api string) string {
		return e.authorizer(t, api, apigateway.CreateAuthorizerInput{
			Type: types.AuthorizerTypeToken, AuthorizerUri: aws.String(lambdaURI("authz")),
			IdentitySource: aws.String("method.request.header.Authorization"),
		})
	}, false)
	base := e.invokeURL(a.ID, "dev")
	step := func(method, path, token string, status, calls int) {
		t.Helper()
		r := send(t, method, base+path, "Authorization: "+token)
		if r.Status != status {
			t.Errorf("%s %s with %s: %d %s, want %d", method, path, token, r.Status, r.Body, status)
		}
		if got := int(rec.calls.Load()); got != calls {
			t.Errorf("after %s %s with %s: %d calls, want %d", method, path, token, got, calls)
		}
	}
	step("GET", "/pets", "allow-bob", 200, 1)
	step("GET", "/pets/7", "allow-bob", 200, 1) // the cached policy covers GET /pets/*
	step("POST", "/pets", "allow-bob", 403, 1)  // re-evaluated: it does not cover POST
	step("GET", "/pets", "allow-carol", 200, 2) // another token, another entry
	e.clock.Add(299 * time.Second)
	step("GET", "/pets", "allow-bob", 200, 2) // default TTL is 300 s
	e.clock.Add(time.Second)
	step("GET", "/pets", "allow-bob", 200, 3)
	// "Unauthorized" is not cached.
	step("GET", "/pets", "unauthorized", 401, 4)
	step("GET", "/pets", "unauthorized", 401, 5)

	if _, err := e.c.FlushStageAuthorizersCache(ctx, &apigateway.FlushStageAuthorizersCacheInput{RestApiId: &a.ID, StageName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
	step("GET", "/pets", "allow-bob", 200, 6)
	_, err := e.c.FlushStageAuthorizersCache(ctx, &apigateway.FlushStageAuthorizersCacheInput{RestApiId: &a.ID, StageName: aws.String("nope")})
	var nf *types.NotFoundException
	if !asError(err, &nf) {
		t.Errorf("flush of an unknown stage: %v", err)
	}

	// Changing the TTL takes effect with the next deployment; 0 disables caching.
	if _, err := e.c.UpdateAuthorizer(ctx, &apigateway.UpdateAuthorizerInput{RestApiId: &a.ID, AuthorizerId: &id, PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/authorizerResultTtlInSeconds"), Value: aws.String("0")},
	}}); err != nil {
		t.Fatal(err)
	}
	a.Deploy("dev")
	step("GET", "/pets", "allow-bob", 200, 7)
	step("GET", "/pets", "allow-bob", 200, 8)
}

func TestRequestAuthorizer(t *testing.T) {
	rec := &recorder{}
	e := newEnv(t, emulator.AccessConfig{}, map[string]any{"authz": rec.handle})
	a, _ := e.newAPI(t, "", "CUSTOM", func(api string) string {
		return e.authorizer(t, api, apigateway.CreateAuthorizerInput{
			Type: types.AuthorizerTypeRequest, AuthorizerUri: aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:${stageVariables.fn}/invocations"),
			IdentitySource: aws.String("method.request.header.Token, method.request.querystring.tenant, stageVariables.tenant, context.httpMethod"),
		})
	}, false)
	base := e.invokeURL(a.ID, "dev")
	for _, tt := range []struct{ name, url, header string }{
		{"no header", base + "/pets/1?tenant=t1", ""},
		{"no query string", base + "/pets/1", "Token: allow-dan"},
		{"empty query string", base + "/pets/1?tenant=", "Token: allow-dan"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var hdr []string
			if tt.header != "" {
				hdr = append(hdr, tt.header)
			}
			wantDenied(t, send(t, "GET", tt.url, hdr...), 401, unauthorized, "UnauthorizedException")
		})
	}
	if n := rec.calls.Load(); n != 0 {
		t.Fatalf("a missing identity source invoked the authorizer %d times", n)
	}
	got := echo(t, send(t, "GET", base+"/pets/42?tenant=t1&tenant=t2&x=y", "Token: allow-dan", "X-Api-Key: somekey", "X-Multi: a", "X-Multi: b"))
	if got["principalId"] != "dan" {
		t.Errorf("echo %v", got)
	}
	ev := rec.last()
	golden(t, "request-event.golden.json", ev, map[string]string{a.ID: "<apiId>", strings.TrimPrefix(e.url, "http://"): "<host>"})
	b, _ := json.Marshal(ev)
	var event struct {
		Type, MethodArn, Resource, Path, HTTPMethod string
		Headers                                     map[string]string
		MultiValueHeaders                           map[string][]string
		QueryStringParameters                       map[string]string
		MultiValueQueryStringParameters             map[string][]string
		PathParameters, StageVariables              map[string]string
		RequestContext                              struct {
			Path, AccountID, ResourceID, Stage, RequestID, ResourcePath, HTTPMethod, APIID string
			Identity                                                                       struct {
				APIKey, SourceIP string
				ClientCert       any
			}
		}
	}
	if err := json.Unmarshal(b, &event); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"type", event.Type, "REQUEST"},
		{"methodArn", event.MethodArn, "arn:aws:execute-api:us-east-1:000000000000:" + a.ID + "/dev/GET/pets/42"},
		{"resource", event.Resource, "/pets/{id}"},
		{"path", event.Path, "/pets/42"},
		{"httpMethod", event.HTTPMethod, "GET"},
		{"header", event.Headers["Token"], "allow-dan"},
		{"multi-value header", event.MultiValueHeaders["X-Multi"], []string{"a", "b"}},
		{"query", event.QueryStringParameters["tenant"], "t2"},
		{"multi-value query", event.MultiValueQueryStringParameters["tenant"], []string{"t1", "t2"}},
		{"path parameters", event.PathParameters, map[string]string{"id": "42"}},
		{"stage variables", event.StageVariables, map[string]string{"tenant": "acme", "fn": "authz"}},
		{"context path", event.RequestContext.Path, "/dev/pets/42"},
		{"context stage", event.RequestContext.Stage, "dev"},
		{"context resource path", event.RequestContext.ResourcePath, "/pets/{id}"},
		{"context api", event.RequestContext.APIID, a.ID},
		{"context account", event.RequestContext.AccountID, "000000000000"},
		{"identity api key", event.RequestContext.Identity.APIKey, "somekey"},
		{"identity source ip", event.RequestContext.Identity.SourceIP, "127.0.0.1"},
		{"client cert", event.RequestContext.Identity.ClientCert, nil},
	}
	for _, c := range checks {
		if diff := cmp.Diff(c.want, c.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
	}
	// The cache key is all identity values: another tenant is another call.
	n := rec.calls.Load()
	echo(t, send(t, "GET", base+"/pets/1?tenant=t2", "Token: allow-dan"))
	echo(t, send(t, "GET", base+"/pets/1?tenant=t3", "Token: allow-dan"))
	if got := rec.calls.Load() - n; got != 1 {
		t.Errorf("%d calls for one cached and one new identity, want 1", got)
	}
}

func TestAuthorizerUsageIdentifierKey(t *testing.T) {
	rec := &recorder{}
	e := newEnv(t, emulator.AccessConfig{}, map[string]any{"authz": rec.handle})
	a, _ := e.newAPI(t, "AUTHORIZER", "CUSTOM", func(api string) string {
		return e.authorizer(t, api, apigateway.CreateAuthorizerInput{
			Type: types.AuthorizerTypeToken, AuthorizerUri: aws.String(lambdaURI("authz")),
			IdentitySource: aws.String("method.request.header.Authorization"),
		})
	}, true)
	value := strings.Repeat("v", 24)
	keyID := e.keyInPlan(t, a.ID, value)
	pets := e.invokeURL(a.ID, "dev") + "/pets"
	got := echo(t, send(t, "GET", pets, "Authorization: key-"+value))
	if got["apiKey"] != value || got["apiKeyId"] != keyID {
		t.Errorf("$context.identity.apiKey from usageIdentifierKey: %v", got)
	}
	// The header is not the source: a valid x-api-key with an authorizer that names no
	// key is Forbidden, after the authorizer ran.
	before := rec.calls.Load()
	wantDenied(t, send(t, "GET", pets, "Authorization: allow-x", "x-api-key: "+value), 403, forbidden, "ForbiddenException")
	if rec.calls.Load() == before {
		t.Error("the key was checked before the authorizer")
	}
	wantDenied(t, send(t, "GET", pets, "Authorization: key-"+strings.Repeat("u", 24)), 403, forbidden, "ForbiddenException")
	// Authorization comes first: no token is 401 even without a key.
	wantDenied(t, send(t, "GET", pets), 401, unauthorized, "UnauthorizedException")
}

func TestTestInvokeAuthorizer(t *testing.T) {
	rec := &recorder{}
	e := newEnv(t, emulator.AccessConfig{}, map[string]any{"authz": rec.handle})
	a, id := e.newAPI(t, "", "CUSTOM", func(api string) string {
		return e.authorizer(t, api, apigateway.CreateAuthorizerInput{
			Type: types.AuthorizerTypeToken, AuthorizerUri: aws.String(lambdaURI("authz")),
			IdentitySource: aws.String("method.request.header.Authorization"),
		})
	}, false)
	tests := []struct {
		name, token string
		status      int32
		principal   string
	}{
		{"allowed", "allow-erin", 200, "erin"},
		{"denied is still a decision", "deny", 200, "d"},
		{"unauthorized", "unauthorized", 401, ""},
		{"failing", "boom", 500, ""},
		{"no token", "", 401, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &apigateway.TestInvokeAuthorizerInput{RestApiId: &a.ID, AuthorizerId: &id, PathWithQueryString: aws.String("/pets?x=1")}
			if tt.token != "" {
				in.Headers = map[string]string{"Authorization": tt.token}
			}
			out, err := e.c.TestInvokeAuthorizer(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if out.ClientStatus != tt.status || aws.ToString(out.PrincipalId) != tt.principal || out.Log == nil {
				t.Errorf("got %d %q, want %d %q\n%s", out.ClientStatus, aws.ToString(out.PrincipalId), tt.status, tt.principal, aws.ToString(out.Log))
			}
			if tt.status == 200 && !strings.Contains(aws.ToString(out.Policy), `"Statement"`) {
				t.Errorf("policy %q", aws.ToString(out.Policy))
			}
		})
	}
	_, err := e.c.TestInvokeAuthorizer(ctx, &apigateway.TestInvokeAuthorizerInput{RestApiId: &a.ID, AuthorizerId: aws.String("nope")})
	var nf *types.NotFoundException
	if !asError(err, &nf) {
		t.Errorf("unknown authorizer: %v", err)
	}
}
