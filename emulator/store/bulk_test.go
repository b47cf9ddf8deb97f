package store

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/apigw-local/apigw-local/emulator/awserr"
)

// petsDefinition is a small definition: a Lambda authorizer, a validator, a model and a
// MOCK GET /pets/{id} using them.
func petsDefinition() *Definition {
	return &Definition{
		Settings: func(api *RestAPI) { api.Name = "pets"; api.Version = "1" },
		Authorizers: []*Authorizer{{Name: "auth", Type: "TOKEN", IdentitySource: "method.request.header.Authorization",
			AuthorizerURI: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:auth/invocations"}},
		Validators: []*RequestValidator{{Name: "all", ValidateRequestBody: true, ValidateRequestParameters: true}},
		Models:     []*Model{{Name: "Pet", ContentType: "application/json", Schema: `{"type":"object"}`}},
		GatewayResponses: []*GatewayResponse{{ResponseType: "DEFAULT_4XX", StatusCode: "400",
			ResponseTemplates: map[string]string{"application/json": `{"m":"x"}`}}},
		Resources: []*Resource{{Path: "/pets/{id}", Methods: map[string]*Method{"GET": {
			AuthorizationType:  "CUSTOM",
			AuthorizerID:       "auth",
			RequestValidatorID: "all",
			RequestParameters:  map[string]bool{"method.request.path.id": true},
			RequestModels:      map[string]string{"application/json": "Pet"},
			MethodResponses:    map[string]*MethodResponse{"200": {ResponseParameters: map[string]bool{"method.response.header.X": false}}},
			Integration: &Integration{Type: "MOCK", RequestTemplates: map[string]string{"application/json": `{"statusCode":200}`},
				IntegrationResponses: map[string]*IntegrationResponse{"200": {ResponseParameters: map[string]string{"method.response.header.X": "'x'"}}}},
		}}}},
	}
}

func importPets(t *testing.T, s *Store) *RestAPI {
	t.Helper()
	api, err := s.ImportDefinition(ImportInput{Build: func(string) (*Definition, error) { return petsDefinition(), nil }})
	if err != nil {
		t.Fatal(err)
	}
	return api
}

func TestImportDefinition(t *testing.T) {
	s := newTestStore(t)
	api := importPets(t, s)
	if api.Name != "pets" || api.Version != "1" || api.APIKeySource != "HEADER" {
		t.Errorf("api = %+v", api)
	}
	res, _, err := s.ListResources(api.ID, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, r := range res {
		paths = append(paths, r.Path)
	}
	if diff := cmp.Diff([]string{"/", "/pets", "/pets/{id}"}, paths); diff != "" {
		t.Errorf("paths (-want +got):\n%s", diff)
	}
	m := res[2].Methods["GET"]
	auths, _, _ := s.ListAuthorizers(api.ID, "", 0)
	vals, _, _ := s.ListRequestValidators(api.ID, "", 0)
	if m.AuthorizerID != auths[0].ID || m.RequestValidatorID != vals[0].ID {
		t.Errorf("method refs = %q %q, want %q %q", m.AuthorizerID, m.RequestValidatorID, auths[0].ID, vals[0].ID)
	}
	if m.Integration.TimeoutInMillis != DefaultTimeoutMillis || m.Integration.PassthroughBehavior != "WHEN_NO_MATCH" || m.Integration.CacheNamespace != res[2].ID {
		t.Errorf("integration defaults not filled: %+v", m.Integration)
	}
	models, _, _ := s.ListModels(api.ID, "", 0)
	if len(models) != 1 || models[0].Name != "Pet" {
		t.Errorf("models = %v, want only Pet (no Empty/Error on import)", models)
	}
}

func TestImportDefinitionErrorsChangeNothing(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(d *Definition)
		code   awserr.Code
		prefix string
	}{
		{"unknown authorizer", func(d *Definition) { d.Resources[0].Methods["GET"].AuthorizerID = "nope" }, awserr.BadRequest,
			"Errors found during import:\n\tUnable to put method 'GET' on resource at path '/pets/{id}': Invalid authorizer ID"},
		{"bad path part", func(d *Definition) { d.Resources[0].Path = "/pets/a b" }, awserr.BadRequest,
			"Errors found during import:\n\tUnable to create resource at path '/pets/a b': Resource's path part"},
		{"two variables", func(d *Definition) {
			d.Resources = append(d.Resources, &Resource{Path: "/pets/{name}"})
		}, awserr.BadRequest, "Errors found during import:\n\tUnable to create resource at path '/pets/{name}': A sibling ({id})"},
		{"undeclared response header", func(d *Definition) {
			d.Resources[0].Methods["GET"].MethodResponses["200"].ResponseParameters = nil
		}, awserr.BadRequest, "Errors found during import:\n\tUnable to put integration response on 'GET' for resource at path '/pets/{id}': Invalid mapping expression"},
		{"integration response without method response", func(d *Definition) {
			d.Resources[0].Methods["GET"].Integration.IntegrationResponses["500"] = &IntegrationResponse{}
		}, awserr.BadRequest, "Errors found during import:\n\tUnable to put integration response on 'GET' for resource at path '/pets/{id}': Invalid Response status code specified"},
		{"bad integration type", func(d *Definition) { d.Resources[0].Methods["GET"].Integration.Type = "LAMBDA" }, awserr.BadRequest,
			"Errors found during import:\n\tUnable to put integration on 'GET' for resource at path '/pets/{id}': 1 validation error"},
		{"bad model", func(d *Definition) { d.Models[0].Schema = "{" }, awserr.BadRequest,
			"Errors found during import:\n\tUnable to create model 'Pet': Invalid model specified"},
		{"bad authorizer", func(d *Definition) { d.Authorizers[0].AuthorizerURI = "x" }, awserr.BadRequest,
			"Errors found during import:\n\tUnable to create authorizer 'auth': Invalid Authorizer URI"},
		{"bad gateway response", func(d *Definition) { d.GatewayResponses[0].ResponseType = "NOPE" }, awserr.BadRequest,
			"Errors found during import:\n\tUnable to put gateway response 'NOPE': 1 validation error"},
		{"bad verb", func(d *Definition) {
			d.Resources[0].Methods["TRACE"] = &Method{AuthorizationType: "NONE"}
		}, awserr.BadRequest, "Errors found during import:\n\tUnable to put method 'TRACE'"},
		{"bad api setting", func(d *Definition) { d.Settings = func(a *RestAPI) { a.Name = "x"; a.APIKeySource = "NOPE" } }, awserr.Validation, "1 validation error"},
		{"no name", func(d *Definition) { d.Settings = nil }, awserr.BadRequest, "Invalid REST API name specified"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestStore(t)
			before := s.Counts()
			_, err := s.ImportDefinition(ImportInput{Build: func(string) (*Definition, error) {
				d := petsDefinition()
				tt.edit(d)
				return d, nil
			}})
			wantErr(t, err, tt.code, tt.prefix)
			if got := s.Counts(); got != before {
				t.Errorf("counts changed: %+v → %+v", before, got)
			}
			if apis, _, _ := s.ListRestAPIs("", 0); len(apis) != 0 {
				t.Errorf("an API was created: %v", apis)
			}
		})
	}
}

func TestImportDefinitionFixedID(t *testing.T) {
	s := newTestStore(t)
	build := func(string) (*Definition, error) { return petsDefinition(), nil }
	var got string
	api, err := s.ImportDefinition(ImportInput{ID: "fixed12345", Build: func(id string) (*Definition, error) { got = id; return build(id) }})
	if err != nil {
		t.Fatal(err)
	}
	if api.ID != "fixed12345" || got != "fixed12345" {
		t.Errorf("id = %q, Build saw %q", api.ID, got)
	}
	_, err = s.ImportDefinition(ImportInput{Tags: map[string]string{CustomIDTag: "fixed12345"}, Build: build})
	wantErr(t, err, awserr.Conflict, "A REST API with the id fixed12345 already exists")
}

func TestReplaceDefinition(t *testing.T) {
	s := newTestStore(t)
	api := importPets(t, s)
	if _, err := s.CreateDeployment(api.ID, CreateDeploymentInput{StageName: "dev"}); err != nil {
		t.Fatal(err)
	}
	_, snapBefore, err := s.StageSnapshot(api.ID, "dev")
	if err != nil {
		t.Fatal(err)
	}
	resBefore, _, _ := s.ListResources(api.ID, "", 0)
	frozen := len(snapBefore.Resources)

	other := &Definition{
		Settings: func(a *RestAPI) { a.Version = "2" },
		Resources: []*Resource{{Path: "/pets/{id}", Methods: map[string]*Method{"POST": {
			Integration: &Integration{Type: "MOCK"}}}}, {Path: "/toys"}},
		Models: []*Model{{Name: "Pet", ContentType: "application/json", Schema: `{"type":"string"}`}},
	}

	t.Run("merge keeps the rest", func(t *testing.T) {
		got, err := s.ReplaceDefinition(api.ID, other, ModeMerge)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "pets" || got.Version != "2" {
			t.Errorf("settings: %+v", got)
		}
		res, _, _ := s.ListResources(api.ID, "", 0)
		if len(res) != 4 || res[2].ID != resBefore[2].ID {
			t.Fatalf("resources = %v", res)
		}
		if len(res[2].Methods) != 2 {
			t.Errorf("methods of /pets/{id} = %v, want GET and POST", res[2].Methods)
		}
		pet, _ := s.GetModel(api.ID, "Pet")
		if pet.Schema != `{"type":"string"}` {
			t.Errorf("model not replaced: %v", pet)
		}
		if auths, _, _ := s.ListAuthorizers(api.ID, "", 0); len(auths) != 1 {
			t.Errorf("authorizers = %v", auths)
		}
	})

	t.Run("overwrite replaces all and keeps ids by path", func(t *testing.T) {
		if _, err := s.ReplaceDefinition(api.ID, other, ModeOverwrite); err != nil {
			t.Fatal(err)
		}
		res, _, _ := s.ListResources(api.ID, "", 0)
		if len(res) != 4 || res[0].ID != api.RootResourceID || res[2].ID != resBefore[2].ID || len(res[2].Methods) != 1 {
			t.Fatalf("resources = %+v", res)
		}
		if auths, _, _ := s.ListAuthorizers(api.ID, "", 0); len(auths) != 0 {
			t.Errorf("authorizers = %v", auths)
		}
		if g, _ := s.GetGatewayResponse(api.ID, "DEFAULT_4XX"); !g.DefaultResponse {
			t.Errorf("gateway response still customised: %+v", g)
		}
	})

	t.Run("failure changes nothing", func(t *testing.T) {
		before, _, _ := s.ListResources(api.ID, "", 0)
		bad := &Definition{Resources: []*Resource{{Path: "/x", Methods: map[string]*Method{"GET": {AuthorizationType: "CUSTOM", AuthorizerID: "missing"}}}}}
		_, err := s.ReplaceDefinition(api.ID, bad, ModeOverwrite)
		wantErr(t, err, awserr.BadRequest, "Errors found during import")
		after, _, _ := s.ListResources(api.ID, "", 0)
		if diff := cmp.Diff(before, after); diff != "" {
			t.Errorf("resources changed (-before +after):\n%s", diff)
		}
	})

	t.Run("errors", func(t *testing.T) {
		_, err := s.ReplaceDefinition("nope", other, ModeMerge)
		wantErr(t, err, awserr.NotFound, "Invalid API identifier specified 000000000000:nope")
		_, err = s.ReplaceDefinition(api.ID, other, "replace")
		wantErr(t, err, awserr.Validation, "1 validation error")
	})

	_, snapAfter, err := s.StageSnapshot(api.ID, "dev")
	if err != nil {
		t.Fatal(err)
	}
	if snapAfter != snapBefore || len(snapAfter.Resources) != frozen || len(snapAfter.Resources[2].Methods) != 1 {
		t.Errorf("deployed snapshot changed")
	}
	if _, _, err := s.StageSnapshot(api.ID, "prod"); !awserr.Is(err, awserr.NotFound) {
		t.Errorf("StageSnapshot of a missing stage: %v", err)
	}
}
