package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/google/go-cmp/cmp"

	"github.com/apigw-local/apigw-local/emulator"
	"github.com/apigw-local/apigw-local/emulator/internal/mockapi"
	"github.com/apigw-local/apigw-local/emulator/store"
	"github.com/apigw-local/apigw-local/lambdarunner"
)

var ctx = context.Background()

// clock is the emulator's fake clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var t0 = time.Date(2026, 3, 18, 12, 0, 0, 0, time.UTC)

// env is an emulator served on loopback with a fake clock and in-process functions.
type env struct {
	url   string
	srv   *emulator.Server
	clock *clock
	c     *apigateway.Client
}

// newEnv starts an emulator with the access configuration and Go handlers by name.
func newEnv(t *testing.T, access emulator.AccessConfig, handlers map[string]any) *env {
	t.Helper()
	clk := &clock{t: t0}
	srv, err := emulator.New(emulator.Config{Clock: clk, IDs: store.NewSeededIDs(11), Access: access})
	if err != nil {
		t.Fatal(err)
	}
	for name, h := range handlers {
		if err := srv.Lambda().RegisterHandler(lambdarunner.FunctionConfig{Name: name}, h); err != nil {
			t.Fatal(err)
		}
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); _ = srv.Close() })
	c := apigateway.NewFromConfig(aws.Config{
		Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: aws.String(hs.URL),
	})
	return &env{url: hs.URL, srv: srv, clock: clk, c: c}
}

func (e *env) invokeURL(api, stage string) string {
	return e.url + "/_aws/execute-api/" + api + "/" + stage
}

// lambdaURI is the authorizer URI of a function.
func lambdaURI(fn string) string {
	return "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:" + fn + "/invocations"
}

func (e *env) authorizer(t *testing.T, api string, in apigateway.CreateAuthorizerInput) string {
	t.Helper()
	in.RestApiId = &api
	if in.Name == nil {
		in.Name = aws.String("authz")
	}
	out, err := e.c.CreateAuthorizer(ctx, &in)
	if err != nil {
		t.Fatal(err)
	}
	return *out.Id
}

type response struct {
	Status int
	Header http.Header
	Body   string
}

func send(t *testing.T, method, url string, headers ...string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Add(k, strings.TrimSpace(v))
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, string(b)}
}

// The bodies and headers of the denials (reference/auth.md, gateway-responses.md).
const (
	unauthorized = `{"message":"Unauthorized"}`
	configError  = `{"message":null}`
	explicitDeny = `{"Message":"User is not authorized to access this resource with an explicit deny in an identity-based policy"}`
	implicitDeny = `{"Message":"User is not authorized to access this resource because no identity-based policy allows the execute-api:Invoke action"}`
	forbidden    = `{"message":"Forbidden"}`
	missingToken = `{"message":"Missing Authentication Token"}`
)

// wantDenied checks a gateway error: status, exact body, x-amzn-ErrorType, request ids,
// and that the MOCK integration did not answer (its echo is not the body).
func wantDenied(t *testing.T, r response, status int, body, errorType string) {
	t.Helper()
	if r.Status != status || r.Body != body {
		t.Errorf("got %d %s, want %d %s", r.Status, r.Body, status, body)
	}
	if got := r.Header.Get("X-Amzn-Errortype"); got != errorType {
		t.Errorf("x-amzn-ErrorType = %q, want %q", got, errorType)
	}
	if r.Header.Get("Content-Type") != "application/json" || r.Header.Get("X-Amzn-Requestid") == "" || r.Header.Get("X-Amz-Apigw-Id") == "" {
		t.Errorf("headers %v", r.Header)
	}
	if strings.Contains(r.Body, `"principalId"`) {
		t.Errorf("the integration answered: %s", r.Body)
	}
}

// echo reads the MOCK integration's echo of the caller.
func echo(t *testing.T, r response) map[string]string {
	t.Helper()
	var m map[string]string
	if r.Status != 200 || json.Unmarshal([]byte(r.Body), &m) != nil {
		t.Fatalf("got %d %s, want 200 and the echo", r.Status, r.Body)
	}
	return m
}

// recorder is a Lambda authorizer written in Go: it records its events and answers by
// the token (TOKEN) or the "token" header (REQUEST).
type recorder struct {
	calls  atomic.Int32
	mu     sync.Mutex
	events []map[string]any
}

func (r *recorder) last() map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.events) == 0 {
		return nil
	}
	return r.events[len(r.events)-1]
}

func allow(principal, resource string, extra map[string]any) map[string]any {
	out := map[string]any{
		"principalId": principal,
		"policyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{
			map[string]any{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": resource},
		}},
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

// handle answers an authorizer event:
//
//	allow-<user>   Allow on every GET of the API, context {user, n: 7, ok: true}
//	post-only      Allow on POST only (a GET is implicitly denied)
//	deny           an explicit Deny beside an Allow
//	unauthorized   the function fails with "Unauthorized"
//	boom           the function fails with another message
//	badctx         a context value that is an object
//	noprincipal    no principalId
//	proxy          a Lambda proxy response instead of a policy
//	key-<value>    Allow with usageIdentifierKey <value>
func (r *recorder) handle(_ context.Context, ev map[string]any) (map[string]any, error) {
	r.calls.Add(1)
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
	token, _ := ev["authorizationToken"].(string)
	if token == "" {
		if h, ok := ev["headers"].(map[string]any); ok {
			token, _ = h["Token"].(string)
		}
	}
	arn, _ := ev["methodArn"].(string)
	api := arn[:strings.Index(arn, "/")]
	switch {
	case strings.HasPrefix(token, "allow-"):
		return allow(strings.TrimPrefix(token, "allow-"), api+"/*/GET/*", map[string]any{"context": map[string]any{"user": strings.TrimPrefix(token, "allow-"), "n": 7, "ok": true}}), nil
	case token == "post-only":
		return allow("p", api+"/*/POST/*", nil), nil
	case token == "deny":
		d := allow("d", "*", nil)
		d["policyDocument"].(map[string]any)["Statement"] = append(d["policyDocument"].(map[string]any)["Statement"].([]any),
			map[string]any{"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": arn})
		return d, nil
	case token == "unauthorized":
		return nil, errors.New("Unauthorized")
	case token == "boom":
		return nil, errors.New("Unauthorized: token revoked")
	case token == "badctx":
		return allow("b", "*", map[string]any{"context": map[string]any{"nested": map[string]any{"a": 1}}}), nil
	case token == "noprincipal":
		d := allow("", "*", nil)
		delete(d, "principalId")
		return d, nil
	case token == "proxy":
		return map[string]any{"statusCode": 200, "body": "ok"}, nil
	case strings.HasPrefix(token, "key-"):
		return allow("k", "*", map[string]any{"usageIdentifierKey": strings.TrimPrefix(token, "key-")}), nil
	}
	return nil, errors.New("unexpected token " + token)
}

// newAPI creates an API with an authorizer made by mk (given the API id); the methods
// use it. Deploys to "dev" with stage variables.
func (e *env) newAPI(t *testing.T, keySource, authType string, mk func(api string) string, keyed bool, scopes ...string) (*mockapi.API, string) {
	t.Helper()
	a := mockapi.New(t, e.c, "authz", keySource)
	id := ""
	if mk != nil {
		id = mk(a.ID)
	}
	for _, m := range []mockapi.Method{{Path: "/pets", Verb: "GET"}, {Path: "/pets/{id}", Verb: "GET"}, {Path: "/pets", Verb: "POST"}} {
		m.Auth, m.AuthorizerID, m.APIKeyRequired, m.Scopes = authType, id, keyed, scopes
		a.Put(m)
	}
	a.Put(mockapi.Method{Path: "/open", Verb: "GET"})
	if _, err := e.c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &a.ID, StageName: aws.String("dev"),
		Variables: map[string]string{"tenant": "acme", "fn": "authz"}}); err != nil {
		t.Fatal(err)
	}
	return a, id
}

// keyInPlan creates an enabled API key (with a value) in a plan bound to api's dev stage.
func (e *env) keyInPlan(t *testing.T, api, value string) string {
	t.Helper()
	k, err := e.c.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("k"), Value: &value, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.c.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String("p"), ApiStages: []types.ApiStage{{ApiId: &api, Stage: aws.String("dev")}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: p.Id, KeyId: k.Id, KeyType: aws.String("API_KEY")}); err != nil {
		t.Fatal(err)
	}
	return *k.Id
}

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// golden compares v, as indented JSON with the replacements made and the request id
// blanked, with testdata/name (rewritten with -update).
func golden(t *testing.T, name string, v map[string]any, replace map[string]string) {
	t.Helper()
	if rc, ok := v["requestContext"].(map[string]any); ok {
		rc["requestId"] = "<requestId>"
	}
	var buf strings.Builder
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	for from, to := range replace {
		got = strings.ReplaceAll(got, from, to)
	}
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

// asError is errors.As, for SDK error types.
func asError(err error, target any) bool { return errors.As(err, target) }
