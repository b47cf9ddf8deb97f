package auth_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/apigw-local/apigw-local/emulator/auth"
	"github.com/apigw-local/apigw-local/emulator/dataplane"
	"github.com/apigw-local/apigw-local/emulator/store"
	"github.com/apigw-local/apigw-local/lambdarunner"
)

// allowAll is a Lambda runner whose only function allows everything.
type allowAll struct{ calls int }

func (r *allowAll) Invoke(context.Context, *lambdarunner.InvokeRequest) (*lambdarunner.InvokeResponse, error) {
	r.calls++
	b, _ := json.Marshal(allow("user", "*", map[string]any{"context": map[string]any{"tier": "gold", "n": 1}}))
	return &lambdarunner.InvokeResponse{StatusCode: 200, Payload: b}, nil
}

// BenchmarkCachedDecision measures the authorization step of a request whose TOKEN
// authorizer decision is cached: cache lookup, policy evaluation against the method ARN,
// $context.authorizer.
func BenchmarkCachedDecision(b *testing.B) {
	clk := &clock{t: t0}
	s := store.New(store.Config{Clock: clk, IDs: store.NewSeededIDs(5), Compile: func(snap *store.Snapshot) any { return dataplane.Compile(snap, nil) }})
	api, _ := s.CreateRestAPI(store.CreateRestAPIInput{Name: "bench"})
	au, err := s.CreateAuthorizer(api.ID, store.CreateAuthorizerInput{Name: "a", Type: "TOKEN", AuthorizerURI: lambdaURI("authz"), IdentitySource: "method.request.header.Authorization"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.PutMethod(api.ID, api.RootResourceID, "GET", store.PutMethodInput{AuthorizationType: "CUSTOM", AuthorizerID: au.ID}); err != nil {
		b.Fatal(err)
	}
	if _, err := s.PutIntegration(api.ID, api.RootResourceID, "GET", store.PutIntegrationInput{Type: "MOCK"}); err != nil {
		b.Fatal(err)
	}
	if _, err := s.CreateDeployment(api.ID, store.CreateDeploymentInput{StageName: "prod"}); err != nil {
		b.Fatal(err)
	}
	runner := &allowAll{}
	a, err := auth.New(auth.Config{Store: s, Lambda: runner, Clock: clk})
	if err != nil {
		b.Fatal(err)
	}
	st := s.Live().APIs[api.ID].Stages["prod"]
	m, _ := s.GetMethod(api.ID, api.RootResourceID, "GET")
	req := httptest.NewRequest("GET", "/prod/", nil)
	req.Header.Set("Authorization", "allow-user")
	x := &dataplane.Exchange{Req: req, APIID: api.ID, AccountID: "000000000000", Region: "us-east-1", Stage: st,
		Deployment: st.Deployment.Compiled.(*dataplane.Deployment), Path: "/", Resource: &dataplane.Resource{Path: "/"}, Method: &dataplane.Method{Method: m}}
	if err := a.Step(x); err != nil || runner.calls != 1 {
		b.Fatalf("first call: %v (%d invocations)", err, runner.calls)
	}
	b.ReportAllocs()
	for b.Loop() {
		x.Authorizer = nil
		if err := a.Step(x); err != nil {
			b.Fatal(err)
		}
	}
	if runner.calls != 1 {
		b.Fatalf("%d invocations: the decision was not cached", runner.calls)
	}
}
