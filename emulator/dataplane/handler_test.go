package dataplane

import (
	"net/http/httptest"
	"testing"

	"github.com/apigw-local/apigw-local/emulator/store"
)

// canaryAPI deploys GET / (MOCK) answering $stageVariables.v to stage prod, then a second
// deployment answering "canary-"$stageVariables.v as its canary, with override v=new.
func canaryAPI(t *testing.T, st *store.Store) string {
	t.Helper()
	api, err := st.CreateRestAPI(store.CreateRestAPIInput{Name: "canary"})
	if err != nil {
		t.Fatal(err)
	}
	root := api.RootResourceID
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err = st.PutMethod(api.ID, root, "GET", store.PutMethodInput{AuthorizationType: "NONE"})
	must(err)
	_, err = st.PutIntegration(api.ID, root, "GET", store.PutIntegrationInput{Type: "MOCK", RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}})
	must(err)
	_, err = st.PutMethodResponse(api.ID, root, "GET", "200", store.PutMethodResponseInput{})
	must(err)
	respond := func(tmpl string) {
		_, err := st.PutIntegrationResponse(api.ID, root, "GET", "200", store.PutIntegrationResponseInput{ResponseTemplates: map[string]string{"application/json": tmpl}})
		must(err)
	}
	respond(`$stageVariables.v`)
	_, err = st.CreateDeployment(api.ID, store.CreateDeploymentInput{StageName: "prod", Variables: map[string]string{"v": "old"}})
	must(err)
	respond(`canary-$stageVariables.v`)
	_, err = st.CreateDeployment(api.ID, store.CreateDeploymentInput{StageName: "prod",
		CanarySettings: &store.CanarySettingsInput{PercentTraffic: 25, StageVariableOverrides: map[string]string{"v": "new"}}})
	must(err)
	return api.ID
}

func TestCanaryRouting(t *testing.T) {
	st := store.New(store.Config{Compile: func(s *store.Snapshot) any { return Compile(s, nil) }})
	id := canaryAPI(t, st)
	for _, tt := range []struct {
		name string
		draw float64
		want string
	}{
		{"below the percentage goes to the canary", 24.9, "canary-new"},
		{"at or above it stays on the stage", 25, "old"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := New(Config{Store: st, Canary: func() float64 { return tt.draw }})
			w := httptest.NewRecorder()
			h.Serve(w, httptest.NewRequest("GET", "/prod/", nil), id, "/prod/", nil)
			if w.Code != 200 || w.Body.String() != tt.want {
				t.Errorf("got %d %q, want %q", w.Code, w.Body, tt.want)
			}
		})
	}
}

func TestDisabledDefaultEndpoint(t *testing.T) {
	st := store.New(store.Config{Compile: func(s *store.Snapshot) any { return Compile(s, nil) }})
	id := canaryAPI(t, st)
	if _, err := st.UpdateRestAPI(id, []store.PatchOp{{Op: "replace", Path: "/disableExecuteApiEndpoint", Value: new("true")}}); err != nil {
		t.Fatal(err)
	}
	h := New(Config{Store: st, Canary: func() float64 { return 99 }})
	serve := func() *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.Serve(w, httptest.NewRequest("GET", "/prod/", nil), id, "/prod/", nil)
		return w
	}
	if w := serve(); w.Code != 200 {
		t.Fatalf("before a stage change: %d %s (AWS applies the setting at the next stage change)", w.Code, w.Body)
	}
	if _, err := st.UpdateStage(id, "prod", []store.PatchOp{{Op: "replace", Path: "/description", Value: new("now")}}); err != nil {
		t.Fatal(err)
	}
	w := serve()
	if w.Code != 403 || w.Body.String() != `{"message":"Forbidden"}` || getFold(w.Header(), "x-amzn-ErrorType") != "ForbiddenException" ||
		getFold(w.Header(), "x-amzn-RequestId") == "" || getFold(w.Header(), "x-amz-apigw-id") == "" || w.Header().Get("Content-Type") != "application/json" {
		t.Errorf("disabled endpoint: %d %s %v", w.Code, w.Body, w.Header())
	}
}
