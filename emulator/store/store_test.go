package store

import (
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/apigw-local/apigw-local/emulator/awserr"
)

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

var testTime = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func newTestStore(t *testing.T) *Store {
	t.Helper()
	return New(Config{Clock: fixedClock{testTime}, IDs: NewSeededIDs(1)})
}

func str(s string) *string { return &s }

// wantErr checks an error's AWS code and message prefix.
func wantErr(t *testing.T, err error, code awserr.Code, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s %q", code, msg)
	}
	ae, ok := err.(*awserr.Error)
	if !ok {
		t.Fatalf("got %T %v, want *awserr.Error", err, err)
	}
	if ae.Code != code || !strings.HasPrefix(ae.Message, msg) {
		t.Fatalf("got %s %q, want %s %q", ae.Code, ae.Message, code, msg)
	}
}

func mustAPI(t *testing.T, s *Store) *RestAPI {
	t.Helper()
	api, err := s.CreateRestAPI(CreateRestAPIInput{Name: "pets"})
	if err != nil {
		t.Fatal(err)
	}
	return api
}

func TestIDFormats(t *testing.T) {
	s := newTestStore(t)
	api := mustAPI(t, s)
	child, err := s.CreateResource(api.ID, api.RootResourceID, "pets")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, id string
		n        int
	}{
		{"rest api", api.ID, 10},
		{"root resource", api.RootResourceID, 10},
		{"child resource", child.ID, 6},
	}
	re := regexp.MustCompile(`^[a-z0-9]+$`)
	for _, tt := range tests {
		if len(tt.id) != tt.n || !re.MatchString(tt.id) {
			t.Errorf("%s id %q: want %d lowercase alphanumerics", tt.name, tt.id, tt.n)
		}
	}
	if got := (RandomIDs{}).NewID(10); len(got) != 10 || !re.MatchString(got) {
		t.Errorf("RandomIDs.NewID(10) = %q", got)
	}
}

func TestCreateRestAPIDefaults(t *testing.T) {
	s := newTestStore(t)
	api := mustAPI(t, s)
	if api.APIKeySource != "HEADER" || api.DisableExecuteAPIEndpoint {
		t.Errorf("defaults: apiKeySource %q disable %v", api.APIKeySource, api.DisableExecuteAPIEndpoint)
	}
	if diff := cmp.Diff(EndpointConfiguration{Types: []string{"EDGE"}, IPAddressType: "ipv4"}, api.EndpointConfiguration); diff != "" {
		t.Errorf("endpoint configuration (-want +got):\n%s", diff)
	}
	if api.CreatedDate.Time() != testTime {
		t.Errorf("createdDate %v", api.CreatedDate.Time())
	}
	models, _, err := s.ListModels(api.ID, "", 0)
	if err != nil || len(models) != 2 || models[0].Name != "Empty" || models[1].Name != "Error" {
		t.Errorf("default models = %v, %v", models, err)
	}
	res, _, _ := s.ListResources(api.ID, "", 0)
	if len(res) != 1 || res[0].Path != "/" || res[0].ID != api.RootResourceID {
		t.Errorf("root resource: %+v", res)
	}
}

func TestCreateRestAPIValidation(t *testing.T) {
	s := newTestStore(t)
	size := maxCompressionSize + 1
	tests := []struct {
		name string
		in   CreateRestAPIInput
		code awserr.Code
		msg  string
	}{
		{"no name", CreateRestAPIInput{}, awserr.BadRequest, "Invalid REST API name specified"},
		{"bad key source", CreateRestAPIInput{Name: "a", APIKeySource: "QUERY"}, awserr.Validation, "1 validation error detected: Value 'QUERY' at 'createRestApiInput.apiKeySource'"},
		{"compression", CreateRestAPIInput{Name: "a", MinimumCompressionSize: &size}, awserr.BadRequest, "Invalid minimum compression size, must be between 0 and 10485760"},
		{"endpoint type", CreateRestAPIInput{Name: "a", EndpointConfiguration: &EndpointConfiguration{Types: []string{"GLOBAL"}}}, awserr.Validation, "1 validation error detected: Value 'GLOBAL'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.CreateRestAPI(tt.in)
			wantErr(t, err, tt.code, tt.msg)
		})
	}
	if c := s.Counts(); c.RestAPIs != 0 {
		t.Errorf("failed creates left %d APIs", c.RestAPIs)
	}
}

func TestCustomIDTag(t *testing.T) {
	s := newTestStore(t)
	api, err := s.CreateRestAPI(CreateRestAPIInput{Name: "a", Tags: map[string]string{CustomIDTag: "myid"}})
	if err != nil || api.ID != "myid" {
		t.Fatalf("got %v, %v", api, err)
	}
	_, err = s.CreateRestAPI(CreateRestAPIInput{Name: "b", Tags: map[string]string{CustomIDTag: "myid"}})
	wantErr(t, err, awserr.Conflict, "A REST API with the id myid already exists")
	_, err = s.GetRestAPI("MYID")
	wantErr(t, err, awserr.NotFound, "Invalid API identifier specified 000000000000:MYID")
}

func TestResourceRules(t *testing.T) {
	s := newTestStore(t)
	api := mustAPI(t, s)
	root := api.RootResourceID
	pets, err := s.CreateResource(api.ID, root, "pets")
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.CreateResource(api.ID, pets.ID, "{id}")
	if err != nil {
		t.Fatal(err)
	}
	proxy, err := s.CreateResource(api.ID, root, "{proxy+}")
	if err != nil {
		t.Fatal(err)
	}
	if id.Path != "/pets/{id}" || proxy.Path != "/{proxy+}" {
		t.Fatalf("paths %q %q", id.Path, proxy.Path)
	}
	tests := []struct {
		name, parent, part string
		code               awserr.Code
		msg                string
	}{
		{"duplicate", root, "pets", awserr.Conflict, "Another resource with the same parent already has this name: pets"},
		{"second variable", pets.ID, "{name}", awserr.BadRequest, "A sibling ({id}) of this resource already has a variable path part -- only one is allowed"},
		{"greedy sibling", pets.ID, "{any+}", awserr.BadRequest, "A sibling ({id}) of this resource already has a variable path part"},
		{"child of greedy", proxy.ID, "x", awserr.BadRequest, "Cannot create a child of a resource with a greedy path variable: {proxy+}"},
		{"slash", root, "a/b", awserr.BadRequest, "Resource's path part only allow a-zA-Z0-9._- and curly braces"},
		{"plus in literal", root, "us+er", awserr.BadRequest, "Resource's path part only allow"},
		{"unbalanced brace", root, "{id", awserr.BadRequest, "Resource's path part only allow"},
		{"empty", root, "", awserr.BadRequest, "Resource's path part only allow"},
		{"unknown parent", "nope", "x", awserr.NotFound, "Invalid Resource identifier specified"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.CreateResource(api.ID, tt.parent, tt.part)
			wantErr(t, err, tt.code, tt.msg)
		})
	}
}

func TestResourceMoveRenameDelete(t *testing.T) {
	s := newTestStore(t)
	api := mustAPI(t, s)
	a, _ := s.CreateResource(api.ID, api.RootResourceID, "a")
	b, _ := s.CreateResource(api.ID, a.ID, "b")
	c, _ := s.CreateResource(api.ID, b.ID, "c")
	other, _ := s.CreateResource(api.ID, api.RootResourceID, "other")

	if _, err := s.UpdateResource(api.ID, a.ID, []PatchOp{{Op: "replace", Path: "/pathPart", Value: str("z")}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetResource(api.ID, c.ID); got.Path != "/z/b/c" {
		t.Errorf("after rename: %q", got.Path)
	}
	if _, err := s.UpdateResource(api.ID, b.ID, []PatchOp{{Op: "replace", Path: "/parentId", Value: str(other.ID)}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetResource(api.ID, c.ID); got.Path != "/other/b/c" {
		t.Errorf("after move: %q", got.Path)
	}
	_, err := s.UpdateResource(api.ID, other.ID, []PatchOp{{Op: "replace", Path: "/parentId", Value: str(c.ID)}})
	wantErr(t, err, awserr.BadRequest, "Cannot move a resource below itself")
	_, err = s.UpdateResource(api.ID, api.RootResourceID, []PatchOp{{Op: "replace", Path: "/pathPart", Value: str("x")}})
	wantErr(t, err, awserr.BadRequest, "Root resource cannot update its pathPart.")

	if err := s.DeleteResource(api.ID, other.ID); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{other.ID, b.ID, c.ID} {
		if _, err := s.GetResource(api.ID, id); err == nil {
			t.Errorf("resource %s survived its parent's deletion", id)
		}
	}
	if _, err := s.GetResource(api.ID, a.ID); err != nil {
		t.Errorf("unrelated resource deleted: %v", err)
	}
}

func TestPatchRestAPI(t *testing.T) {
	s := newTestStore(t)
	api := mustAPI(t, s)
	got, err := s.UpdateRestAPI(api.ID, []PatchOp{
		{Op: "replace", Path: "/name", Value: str("renamed")},
		{Op: "add", Path: "/binaryMediaTypes/image~1png", Value: str("")},
		{Op: "add", Path: "/binaryMediaTypes/*~1*"},
		{Op: "replace", Path: "/minimumCompressionSize", Value: str("1024")},
		{Op: "replace", Path: "/endpointConfiguration/types/EDGE", Value: str("REGIONAL")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "renamed" || *got.MinimumCompressionSize != 1024 || got.EndpointConfiguration.Types[0] != "REGIONAL" {
		t.Errorf("patched: %+v", got)
	}
	if diff := cmp.Diff([]string{"image/png", "*/*"}, got.BinaryMediaTypes); diff != "" {
		t.Errorf("binaryMediaTypes (-want +got):\n%s", diff)
	}
	got, _ = s.UpdateRestAPI(api.ID, []PatchOp{{Op: "remove", Path: "/binaryMediaTypes/image~1png"}})
	if diff := cmp.Diff([]string{"*/*"}, got.BinaryMediaTypes); diff != "" {
		t.Errorf("after remove (-want +got):\n%s", diff)
	}
}

func TestPatchErrorsChangeNothing(t *testing.T) {
	s := newTestStore(t)
	api := mustAPI(t, s)
	tests := []struct {
		name string
		ops  []PatchOp
		code awserr.Code
		msg  string
	}{
		{"bad op", []PatchOp{{Op: "replace", Path: "/name", Value: str("x")}, {Op: "frob", Path: "/name"}}, awserr.Validation,
			"1 validation error detected: Value 'frob' at 'updateRestApiInput.patchOperations.2.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]"},
		{"bad path", []PatchOp{{Op: "replace", Path: "/name", Value: str("x")}, {Op: "replace", Path: "/nope", Value: str("y")}}, awserr.BadRequest, "Invalid patch path /nope"},
		{"op not allowed", []PatchOp{{Op: "replace", Path: "/name", Value: str("x")}, {Op: "add", Path: "/name", Value: str("y")}}, awserr.BadRequest,
			"Invalid patch path  '/name' specified for op 'add'. Please choose supported operations"},
		{"bad bool", []PatchOp{{Op: "replace", Path: "/name", Value: str("x")}, {Op: "replace", Path: "/disableExecuteApiEndpoint", Value: str("maybe")}}, awserr.BadRequest, "Invalid boolean value"},
		{"relative path", []PatchOp{{Op: "replace", Path: "name", Value: str("x")}}, awserr.BadRequest, "Invalid patch path name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.UpdateRestAPI(api.ID, tt.ops)
			wantErr(t, err, tt.code, tt.msg)
			got, _ := s.GetRestAPI(api.ID)
			if got.Name != "pets" {
				t.Errorf("failed update changed the name to %q", got.Name)
			}
		})
	}
}

// deployable makes an API with GET / on a MOCK integration.
func deployable(t *testing.T, s *Store) *RestAPI {
	t.Helper()
	api := mustAPI(t, s)
	if _, err := s.PutMethod(api.ID, api.RootResourceID, "GET", PutMethodInput{AuthorizationType: "NONE"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutIntegration(api.ID, api.RootResourceID, "GET", PutIntegrationInput{Type: "MOCK", RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}); err != nil {
		t.Fatal(err)
	}
	return api
}

func TestMethodAndIntegration(t *testing.T) {
	s := newTestStore(t)
	api := deployable(t, s)
	_, err := s.PutMethod(api.ID, api.RootResourceID, "GET", PutMethodInput{AuthorizationType: "NONE"})
	wantErr(t, err, awserr.Conflict, "Method already exists for this resource")
	_, err = s.PutMethod(api.ID, api.RootResourceID, "FETCH", PutMethodInput{AuthorizationType: "NONE"})
	wantErr(t, err, awserr.BadRequest, "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY")
	_, err = s.PutMethod(api.ID, api.RootResourceID, "POST", PutMethodInput{AuthorizationType: "CUSTOM", AuthorizerID: "nope"})
	wantErr(t, err, awserr.BadRequest, "Invalid authorizer ID specified.")

	it, err := s.GetIntegration(api.ID, api.RootResourceID, "GET")
	if err != nil {
		t.Fatal(err)
	}
	if it.PassthroughBehavior != "WHEN_NO_MATCH" || it.TimeoutInMillis != 29000 || it.CacheNamespace != api.RootResourceID || it.CacheKeyParameters == nil {
		t.Errorf("integration defaults: %+v", it)
	}

	for _, tt := range []struct {
		name string
		in   PutIntegrationInput
		msg  string
	}{
		{"http without method", PutIntegrationInput{Type: "HTTP", URI: "http://example.com"}, "Enumeration value for HttpMethod must be non-empty"},
		{"http bad uri", PutIntegrationInput{Type: "HTTP", HTTPMethod: "GET", URI: "example.com"}, "Invalid HTTP endpoint specified for URI"},
		{"aws proxy not lambda", PutIntegrationInput{Type: "AWS_PROXY", HTTPMethod: "POST", URI: "arn:aws:apigateway:us-east-1:sqs:path/q"}, "Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations."},
		{"timeout", PutIntegrationInput{Type: "MOCK", TimeoutInMillis: new(int)}, "Timeout should be between 50 ms and 29000 ms"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.PutIntegration(api.ID, api.RootResourceID, "GET", tt.in)
			wantErr(t, err, awserr.BadRequest, tt.msg)
		})
	}
	// Stage variables in the URI are accepted at put time.
	if _, err := s.PutIntegration(api.ID, api.RootResourceID, "GET", PutIntegrationInput{Type: "AWS_PROXY", HTTPMethod: "POST",
		URI: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:${stageVariables.fn}/invocations"}); err != nil {
		t.Errorf("lambda uri with stage variable: %v", err)
	}

	_, err = s.PutIntegrationResponse(api.ID, api.RootResourceID, "GET", "200", PutIntegrationResponseInput{})
	wantErr(t, err, awserr.NotFound, "Invalid Response status code specified")
	if _, err := s.PutMethodResponse(api.ID, api.RootResourceID, "GET", "200", PutMethodResponseInput{ResponseParameters: map[string]bool{"method.response.header.X-A": false}}); err != nil {
		t.Fatal(err)
	}
	_, err = s.PutIntegrationResponse(api.ID, api.RootResourceID, "GET", "200", PutIntegrationResponseInput{ResponseParameters: map[string]string{"method.response.header.X-B": "'b'"}})
	wantErr(t, err, awserr.BadRequest, "Invalid mapping expression specified")
	if _, err := s.PutIntegrationResponse(api.ID, api.RootResourceID, "GET", "200", PutIntegrationResponseInput{ResponseParameters: map[string]string{"method.response.header.X-A": "'a'"}}); err != nil {
		t.Fatal(err)
	}
}

func TestDeploymentsAndStages(t *testing.T) {
	s := newTestStore(t)
	empty := mustAPI(t, s)
	_, err := s.CreateDeployment(empty.ID, CreateDeploymentInput{StageName: "dev"})
	wantErr(t, err, awserr.BadRequest, "The REST API doesn't contain any methods")
	if _, err := s.PutMethod(empty.ID, empty.RootResourceID, "GET", PutMethodInput{AuthorizationType: "NONE"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateDeployment(empty.ID, CreateDeploymentInput{StageName: "dev"})
	wantErr(t, err, awserr.BadRequest, "No integration defined for method")

	api := deployable(t, s)
	_, err = s.CreateDeployment(api.ID, CreateDeploymentInput{StageName: "bad stage"})
	wantErr(t, err, awserr.BadRequest, "Stage name only allows a-zA-Z0-9_-")
	d1, err := s.CreateDeployment(api.ID, CreateDeploymentInput{StageName: "dev", Variables: map[string]string{"a": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	live := s.Live().APIs[api.ID].Stages["dev"]
	if live == nil || live.Deployment.DeploymentID != d1.ID || live.Variables["a"] != "1" {
		t.Fatalf("live stage after deploy: %+v", live)
	}
	// A draft change does not reach the deployed snapshot.
	if _, err := s.UpdateIntegration(api.ID, api.RootResourceID, "GET", []PatchOp{{Op: "replace", Path: "/requestTemplates/application~1json", Value: str(`{"statusCode": 500}`)}}); err != nil {
		t.Fatal(err)
	}
	if got := live.Deployment.Resources[0].Methods["GET"].Integration.RequestTemplates["application/json"]; got != `{"statusCode": 200}` {
		t.Errorf("snapshot changed by a draft edit: %q", got)
	}
	// A stage variable change takes effect without a new deployment.
	if _, err := s.UpdateStage(api.ID, "dev", []PatchOp{{Op: "replace", Path: "/variables/a", Value: str("2")}}); err != nil {
		t.Fatal(err)
	}
	if got := s.Live().APIs[api.ID].Stages["dev"].Variables["a"]; got != "2" {
		t.Errorf("live variable = %q, want 2", got)
	}
	err = s.DeleteDeployment(api.ID, d1.ID)
	wantErr(t, err, awserr.BadRequest, "Active stages pointing to this deployment must be moved or deleted")

	d2, err := s.CreateDeployment(api.ID, CreateDeploymentInput{StageName: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := s.GetStage(api.ID, "dev"); st.DeploymentID != d2.ID || st.Variables["a"] != "2" {
		t.Errorf("redeploy to existing stage: %+v", st)
	}
	if err := s.DeleteDeployment(api.ID, d1.ID); err != nil {
		t.Errorf("deleting an unused deployment: %v", err)
	}
	_, err = s.CreateStage(api.ID, CreateStageInput{StageName: "dev", DeploymentID: d2.ID})
	wantErr(t, err, awserr.Conflict, "Stage already exists")
	_, err = s.CreateStage(api.ID, CreateStageInput{StageName: "prod", DeploymentID: "nope"})
	wantErr(t, err, awserr.NotFound, "Invalid Deployment identifier specified")

	if err := s.DeleteStage(api.ID, "dev"); err != nil {
		t.Fatal(err)
	}
	if s.Live().APIs[api.ID].Stages["dev"] != nil {
		t.Error("deleted stage still live")
	}
}

func TestStageMethodSettings(t *testing.T) {
	s := newTestStore(t)
	api := deployable(t, s)
	if _, err := s.CreateDeployment(api.ID, CreateDeploymentInput{StageName: "dev"}); err != nil {
		t.Fatal(err)
	}
	st, err := s.UpdateStage(api.ID, "dev", []PatchOp{
		{Op: "replace", Path: "/*/*/throttling/rateLimit", Value: str("100")},
		{Op: "replace", Path: "/*/*/throttling/burstLimit", Value: str("50")},
		{Op: "replace", Path: "/~1pets/GET/caching/enabled", Value: str("true")},
		{Op: "replace", Path: "/~1pets~1{id}/POST/metrics/enabled", Value: str("true")},
	})
	if err != nil {
		t.Fatal(err)
	}
	all := st.MethodSettings["*/*"]
	if all.ThrottlingRateLimit != 100 || all.ThrottlingBurstLimit != 50 || all.LoggingLevel != "OFF" {
		t.Errorf("*/* = %+v", all)
	}
	if !st.MethodSettings["pets/GET"].CachingEnabled || !st.MethodSettings["pets/{id}/POST"].MetricsEnabled {
		t.Errorf("method settings keys: %v", st.MethodSettings)
	}
	_, err = s.UpdateStage(api.ID, "dev", []PatchOp{{Op: "remove", Path: "/~1nope/GET"}})
	wantErr(t, err, awserr.BadRequest, "Cannot remove method setting nope/GET because there is no method setting for this method ")
	st, err = s.UpdateStage(api.ID, "dev", []PatchOp{{Op: "remove", Path: "/*/*"}})
	if err != nil || len(st.MethodSettings) != 2 {
		t.Errorf("remove */*: %v %v", st.MethodSettings, err)
	}
	_, err = s.UpdateStage(api.ID, "dev", []PatchOp{{Op: "replace", Path: "/bogus", Value: str("x")}})
	wantErr(t, err, awserr.BadRequest, "Invalid method setting path: /bogus. Must be one of: [")
}

func TestCanaryPromotion(t *testing.T) {
	s := newTestStore(t)
	api := deployable(t, s)
	d1, _ := s.CreateDeployment(api.ID, CreateDeploymentInput{StageName: "prod", Variables: map[string]string{"v": "old"}})
	d2, err := s.CreateDeployment(api.ID, CreateDeploymentInput{StageName: "prod", CanarySettings: &CanarySettingsInput{PercentTraffic: 10, StageVariableOverrides: map[string]string{"v": "new"}}})
	if err != nil {
		t.Fatal(err)
	}
	ls := s.Live().APIs[api.ID].Stages["prod"]
	if ls.Deployment.DeploymentID != d1.ID || ls.Canary == nil || ls.Canary.Deployment.DeploymentID != d2.ID || ls.Canary.Variables["v"] != "new" || ls.Canary.PercentTraffic != 10 {
		t.Fatalf("canary: %+v %+v", ls, ls.Canary)
	}
	st, err := s.UpdateStage(api.ID, "prod", []PatchOp{
		{Op: "copy", From: "/canarySettings/deploymentId", Path: "/deploymentId"},
		{Op: "copy", From: "/canarySettings/stageVariableOverrides", Path: "/variables"},
		{Op: "remove", Path: "/canarySettings"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.DeploymentID != d2.ID || st.Variables["v"] != "new" || st.CanarySettings != nil {
		t.Errorf("after promotion: %+v", st)
	}
	_, err = s.UpdateStage(api.ID, "prod", []PatchOp{{Op: "copy", From: "/canarySettings/deploymentId", Path: "/deploymentId"}})
	wantErr(t, err, awserr.BadRequest, "Promotion not available. Canary does not exist.")
}

func TestPagination(t *testing.T) {
	s := newTestStore(t)
	for range 7 {
		mustAPI(t, s)
	}
	var seen []string
	pos := ""
	for page := 0; ; page++ {
		items, next, err := s.ListRestAPIs(pos, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range items {
			seen = append(seen, a.ID)
		}
		if next == "" {
			break
		}
		if page > 5 {
			t.Fatal("pagination does not end")
		}
		pos = next
	}
	if len(seen) != 7 {
		t.Errorf("paged through %d APIs, want 7", len(seen))
	}
	_, _, err := s.ListRestAPIs("", 501)
	wantErr(t, err, awserr.BadRequest, "Invalid limit 501")
}

func TestTags(t *testing.T) {
	s := newTestStore(t)
	api := mustAPI(t, s)
	arn := s.RestAPIARN(api.ID)
	if err := s.TagResource(arn, map[string]string{"a": "1", "b": "2"}); err != nil {
		t.Fatal(err)
	}
	if err := s.UntagResource(arn, []string{"a"}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.GetTags(arn)
	if diff := cmp.Diff(map[string]string{"b": "2"}, got); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	if a, _ := s.GetRestAPI(api.ID); a.Tags["b"] != "2" {
		t.Errorf("tags not on the API: %v", a.Tags)
	}
	err := s.TagResource(s.RestAPIARN("nope"), map[string]string{"a": "1"})
	wantErr(t, err, awserr.NotFound, "Invalid API identifier specified")
	err = s.TagResource("not-an-arn", nil)
	wantErr(t, err, awserr.BadRequest, "Invalid ARN specified in the request")
}

func TestConcurrentUse(t *testing.T) {
	s := newTestStore(t)
	api := deployable(t, s)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				switch (i + j) % 4 {
				case 0:
					_, _ = s.CreateDeployment(api.ID, CreateDeploymentInput{StageName: "dev"})
				case 1:
					_, _ = s.GetRestAPI(api.ID)
				case 2:
					_ = s.Live().APIs[api.ID]
				case 3:
					_, _ = s.UpdateStage(api.ID, "dev", []PatchOp{{Op: "replace", Path: "/variables/x", Value: str("y")}})
				}
			}
		}()
	}
	wg.Wait()
}

func TestDisableExecuteAPIEndpointTakesEffectAtAStageChange(t *testing.T) {
	s := newTestStore(t)
	api := deployable(t, s)
	if _, err := s.CreateDeployment(api.ID, CreateDeploymentInput{StageName: "dev"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateRestAPI(api.ID, []PatchOp{{Op: "replace", Path: "/disableExecuteApiEndpoint", Value: str("true")}}); err != nil {
		t.Fatal(err)
	}
	if s.Live().APIs[api.ID].DisableExecuteAPIEndpoint {
		t.Fatal("the setting reached the data plane without a stage change")
	}
	if _, err := s.UpdateStage(api.ID, "dev", []PatchOp{{Op: "replace", Path: "/description", Value: str("x")}}); err != nil {
		t.Fatal(err)
	}
	if !s.Live().APIs[api.ID].DisableExecuteAPIEndpoint {
		t.Error("a stage update did not apply the API's setting")
	}
	if _, err := s.UpdateRestAPI(api.ID, []PatchOp{{Op: "replace", Path: "/disableExecuteApiEndpoint", Value: str("false")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateDeployment(api.ID, CreateDeploymentInput{StageName: "dev"}); err != nil {
		t.Fatal(err)
	}
	if s.Live().APIs[api.ID].DisableExecuteAPIEndpoint {
		t.Error("a redeployment did not apply the API's setting")
	}
}
