package apikeys_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/emulator/apikeys"
	"github.com/apigw-local/apigw-local/emulator/dataplane"
	"github.com/apigw-local/apigw-local/emulator/store"
	"github.com/apigw-local/apigw-local/emulator/throttle"
)

// BenchmarkKeyPlanThrottle measures what API keys, usage plans and throttling add to a
// request: the key check, the plan's per-key throttle and quota, the stage's method
// throttle and the account's bucket.
func BenchmarkKeyPlanThrottle(b *testing.B) {
	clk := &clock{t: time.Date(2026, 3, 18, 10, 0, 0, 0, time.UTC)}
	s := store.New(store.Config{Clock: clk, IDs: store.NewSeededIDs(5), Compile: func(snap *store.Snapshot) any { return dataplane.Compile(snap, nil) }})
	api, _ := s.CreateRestAPI(store.CreateRestAPIInput{Name: "bench"})
	if _, err := s.PutMethod(api.ID, api.RootResourceID, "GET", store.PutMethodInput{AuthorizationType: "NONE", APIKeyRequired: true}); err != nil {
		b.Fatal(err)
	}
	if _, err := s.PutIntegration(api.ID, api.RootResourceID, "GET", store.PutIntegrationInput{Type: "MOCK"}); err != nil {
		b.Fatal(err)
	}
	if _, err := s.CreateDeployment(api.ID, store.CreateDeploymentInput{StageName: "prod"}); err != nil {
		b.Fatal(err)
	}
	if _, err := s.UpdateStage(api.ID, "prod", []store.PatchOp{{Op: "replace", Path: "/*/*/throttling/burstLimit", Value: ptr("1000000000")}}); err != nil {
		b.Fatal(err)
	}
	plan, err := s.CreateUsagePlan(store.CreateUsagePlanInput{Name: "p",
		APIStages: []store.APIStage{{APIID: api.ID, Stage: "prod"}},
		Throttle:  &store.ThrottleSettings{BurstLimit: 1 << 30, RateLimit: 1e9},
		Quota:     &store.QuotaSettings{Limit: 1 << 30, Period: "MONTH"},
	})
	if err != nil {
		b.Fatal(err)
	}
	value := strings.Repeat("k", 40)
	k, _ := s.CreateAPIKey(store.CreateAPIKeyInput{Value: value, Enabled: true})
	if _, err := s.CreateUsagePlanKey(plan.ID, k.ID, "API_KEY"); err != nil {
		b.Fatal(err)
	}
	checker := apikeys.NewChecker(s)
	limiter := throttle.New(throttle.Config{Store: s, Clock: clk, Account: &throttle.Limits{Rate: 1e9, Burst: 1 << 30}})
	st := s.Live().APIs[api.ID].Stages["prod"]
	m, _ := s.GetMethod(api.ID, api.RootResourceID, "GET")
	req := httptest.NewRequest("GET", "/prod/", nil)
	req.Header.Set("X-Api-Key", value)
	x := &dataplane.Exchange{Req: req, APIID: api.ID, Stage: st, Deployment: st.Deployment.Compiled.(*dataplane.Deployment),
		Path: "/", Resource: &dataplane.Resource{Path: "/"}, Method: &dataplane.Method{Method: m}}
	b.ReportAllocs()
	for b.Loop() {
		if err := checker.Step(x); err != nil {
			b.Fatal(err)
		}
		if err := limiter.Step(x); err != nil {
			b.Fatal(err)
		}
	}
	if x.Identity.APIKeyID != k.ID {
		b.Fatal("the key was not identified")
	}
}

func ptr(s string) *string { return &s }
