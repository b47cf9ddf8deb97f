package dataplane

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apigw-local/apigw-local/emulator/store"
)

// validatedAPI deploys POST /pets/{id} (MOCK, 200 "ok") to stage dev with a request
// validator of the given kind, required header X-Tenant and query string q, and the Pet
// model (which refers to the Tag model by its model URL) for application/json.
func validatedAPI(t *testing.T, st *store.Store, body, params bool, extraModels map[string]string, customBody bool) string {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	api, err := st.CreateRestAPI(store.CreateRestAPIInput{Name: "validated"})
	must(err)
	_, err = st.CreateModel(api.ID, store.CreateModelInput{Name: "Tag", ContentType: "application/json",
		Schema: `{"type": "object", "required": ["label"], "properties": {"label": {"type": "string"}}}`})
	must(err)
	_, err = st.CreateModel(api.ID, store.CreateModelInput{Name: "Pet", ContentType: "application/json",
		Schema: `{"$schema": "http://json-schema.org/draft-04/schema#", "type": "object", "required": ["name"],
		  "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0},
		  "tag": {"$ref": "https://apigateway.amazonaws.com/restapis/` + api.ID + `/models/Tag"}}}`})
	must(err)
	models := map[string]string{"application/json": "Pet"}
	for ct, schema := range extraModels {
		name := "Extra" + string(rune('A'+len(models)))
		_, err = st.CreateModel(api.ID, store.CreateModelInput{Name: name, ContentType: ct, Schema: schema})
		must(err)
		models[ct] = name
	}
	v, err := st.CreateRequestValidator(api.ID, store.CreateRequestValidatorInput{Name: "v", ValidateRequestBody: body, ValidateRequestParameters: params})
	must(err)
	pets, err := st.CreateResource(api.ID, api.RootResourceID, "pets")
	must(err)
	id, err := st.CreateResource(api.ID, pets.ID, "{id}")
	must(err)
	_, err = st.PutMethod(api.ID, id.ID, "POST", store.PutMethodInput{AuthorizationType: "NONE", RequestValidatorID: v.ID,
		RequestParameters: map[string]bool{"method.request.header.X-Tenant": true, "method.request.querystring.q": true,
			"method.request.querystring.optional": false, "method.request.path.id": true},
		RequestModels: models})
	must(err)
	mock := `{"statusCode": 200}`
	_, err = st.PutIntegration(api.ID, id.ID, "POST", store.PutIntegrationInput{Type: "MOCK", RequestTemplates: map[string]string{
		"application/json": mock, "text/plain": mock, "application/xml": mock, "application/x-file": mock}})
	must(err)
	_, err = st.PutMethodResponse(api.ID, id.ID, "POST", "200", store.PutMethodResponseInput{})
	must(err)
	_, err = st.PutIntegrationResponse(api.ID, id.ID, "POST", "200", store.PutIntegrationResponseInput{ResponseTemplates: map[string]string{"application/json": "ok"}})
	must(err)
	if customBody {
		_, err = st.PutGatewayResponse(api.ID, "BAD_REQUEST_BODY", store.PutGatewayResponseInput{ResponseTemplates: map[string]string{
			"text/plain": `$context.error.message $context.error.validationErrorString`}})
		must(err)
	}
	_, err = st.CreateDeployment(api.ID, store.CreateDeploymentInput{StageName: "dev"})
	must(err)
	return api.ID
}

func TestRequestValidation(t *testing.T) {
	st := store.New(store.Config{Compile: func(s *store.Snapshot) any { return Compile(s, nil) }})
	both := validatedAPI(t, st, true, true, map[string]string{"text/plain": `{"type": "string"}`}, false)
	paramsOnly := validatedAPI(t, st, false, true, nil, false)
	bodyOnly := validatedAPI(t, st, true, false, nil, false)
	const (
		okHeaders = "X-Tenant: t1"
		okQuery   = "?q=1"
	)
	tests := []struct {
		name, api, query, body string
		headers                []string
		status                 int
		want, errorType        string
	}{
		{"valid", both, okQuery, `{"name": "rex", "age": 3, "tag": {"label": "good"}}`, []string{okHeaders}, 200, "ok", ""},
		{"missing header and query string", both, "", `{"name": "rex"}`, nil, 400,
			`{"message": "Missing required request parameters: [X-Tenant, q]"}`, "BadRequestException"},
		{"parameters are checked before the body", both, "", `not json`, nil, 400,
			`{"message": "Missing required request parameters: [X-Tenant, q]"}`, "BadRequestException"},
		{"missing property", both, okQuery, `{"age": 3}`, []string{okHeaders}, 400, `{"message": "Invalid request body"}`, "BadRequestException"},
		{"wrong type", both, okQuery, `{"name": "rex", "age": -1}`, []string{okHeaders}, 400, `{"message": "Invalid request body"}`, "BadRequestException"},
		{"referenced model", both, okQuery, `{"name": "rex", "tag": {}}`, []string{okHeaders}, 400, `{"message": "Invalid request body"}`, "BadRequestException"},
		{"not JSON", both, okQuery, `{"name": `, []string{okHeaders}, 400, `{"message": "Invalid request body"}`, "BadRequestException"},
		{"empty body is an empty object", both, okQuery, ``, []string{okHeaders}, 400, `{"message": "Invalid request body"}`, "BadRequestException"},
		{"the model of the request's content type", both, okQuery, `"a JSON string"`, []string{okHeaders, "Content-Type: text/plain"}, 200, "ok", ""},
		{"no model for the content type", both, okQuery, `<pet/>`, []string{okHeaders, "Content-Type: application/xml"}, 200, "ok", ""},
		{"parameters only: the body is not checked", paramsOnly, okQuery, `{}`, []string{okHeaders}, 200, "ok", ""},
		{"body only: parameters are not checked", bodyOnly, "", `{"name": "rex"}`, nil, 200, "ok", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := New(Config{Store: st})
			r := httptest.NewRequest("POST", "/dev/pets/7"+tt.query, strings.NewReader(tt.body))
			r.Header.Set("Content-Type", "application/json")
			for _, hd := range tt.headers {
				k, v, _ := strings.Cut(hd, ": ")
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			h.Serve(w, r, tt.api, "/dev/pets/7", nil)
			if w.Code != tt.status || w.Body.String() != tt.want {
				t.Errorf("got %d %s, want %d %s", w.Code, w.Body, tt.status, tt.want)
			}
			if got := getFold(w.Header(), "x-amzn-ErrorType"); got != tt.errorType {
				t.Errorf("x-amzn-ErrorType = %q, want %q", got, tt.errorType)
			}
			if getFold(w.Header(), "x-amzn-RequestId") == "" || getFold(w.Header(), "x-amz-apigw-id") == "" {
				t.Errorf("headers: %v", w.Header())
			}
		})
	}
}

func TestValidationErrorString(t *testing.T) {
	st := store.New(store.Config{Compile: func(s *store.Snapshot) any { return Compile(s, nil) }})
	id := validatedAPI(t, st, true, false, nil, true)
	r := httptest.NewRequest("POST", "/dev/pets/7", strings.NewReader(`{"age": "old"}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept", "text/plain")
	w := httptest.NewRecorder()
	New(Config{Store: st}).Serve(w, r, id, "/dev/pets/7", nil)
	// The customised BAD_REQUEST_BODY response shows $context.error.validationErrorString.
	got := w.Body.String()
	if w.Code != 400 || !strings.HasPrefix(got, "Invalid request body [") || !strings.Contains(got, "name") || !strings.Contains(got, "/age") {
		t.Errorf("got %d %q", w.Code, got)
	}
}

func TestSchemaReferencesStayInsideTheAPI(t *testing.T) {
	st := store.New(store.Config{Compile: func(s *store.Snapshot) any { return Compile(s, nil) }})
	// A model that refers to a file: it does not compile (nothing is read) and bodies of its
	// content type are not validated; the API keeps serving.
	id := validatedAPI(t, st, true, false, map[string]string{"application/x-file": `{"$ref": "file:///etc/passwd"}`}, false)
	r := httptest.NewRequest("POST", "/dev/pets/7", strings.NewReader(`anything`))
	r.Header.Set("Content-Type", "application/x-file")
	w := httptest.NewRecorder()
	New(Config{Store: st}).Serve(w, r, id, "/dev/pets/7", nil)
	if w.Code != 200 || w.Body.String() != "ok" {
		t.Errorf("got %d %s", w.Code, w.Body)
	}
}
