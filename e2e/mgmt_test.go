package e2e

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/google/go-cmp/cmp"
)

func TestRestAPIRoundTrip(t *testing.T) {
	e := start(t)
	c := e.apigw()
	in := &apigateway.CreateRestApiInput{
		Name:                      aws.String("everything"),
		Description:               aws.String("all fields"),
		Version:                   aws.String("v1"),
		BinaryMediaTypes:          []string{"image/png", "*/*"},
		MinimumCompressionSize:    aws.Int32(1024),
		ApiKeySource:              types.ApiKeySourceTypeAuthorizer,
		EndpointConfiguration:     &types.EndpointConfiguration{Types: []types.EndpointType{types.EndpointTypeRegional}},
		Policy:                    aws.String(`{"Version":"2012-10-17","Statement":[]}`),
		Tags:                      map[string]string{"team": "pets"},
		DisableExecuteApiEndpoint: false,
	}
	out, err := c.CreateRestApi(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: out.Id})
	if err != nil {
		t.Fatal(err)
	}
	if *got.Name != "everything" || *got.Description != "all fields" || *got.Version != "v1" ||
		*got.MinimumCompressionSize != 1024 || got.ApiKeySource != types.ApiKeySourceTypeAuthorizer ||
		got.EndpointConfiguration.Types[0] != types.EndpointTypeRegional || got.EndpointConfiguration.IpAddressType != types.IpAddressTypeIpv4 ||
		*got.Policy != *in.Policy || got.Tags["team"] != "pets" || got.CreatedDate == nil || *got.RootResourceId == "" {
		t.Errorf("GetRestApi lost fields: %+v", got)
	}
	if diff := cmp.Diff(in.BinaryMediaTypes, got.BinaryMediaTypes); diff != "" {
		t.Errorf("binaryMediaTypes (-want +got):\n%s", diff)
	}

	upd, err := c.UpdateRestApi(ctx, &apigateway.UpdateRestApiInput{RestApiId: out.Id, PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/description"), Value: aws.String("changed")},
		{Op: types.OpRemove, Path: aws.String("/binaryMediaTypes/image~1png")},
	}})
	if err != nil || *upd.Description != "changed" || len(upd.BinaryMediaTypes) != 1 {
		t.Errorf("UpdateRestApi: %+v %v", upd, err)
	}

	list, err := c.GetRestApis(ctx, &apigateway.GetRestApisInput{})
	if err != nil || len(list.Items) != 1 || *list.Items[0].Id != *out.Id {
		t.Errorf("GetRestApis: %+v %v", list, err)
	}
	if _, err := c.DeleteRestApi(ctx, &apigateway.DeleteRestApiInput{RestApiId: out.Id}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: out.Id})
	code, msg := apiError(t, err)
	if code != "NotFoundException" || msg != "Invalid API identifier specified 000000000000:"+*out.Id {
		t.Errorf("after delete: %s %s", code, msg)
	}
}

func TestMethodIntegrationRoundTrip(t *testing.T) {
	e := start(t)
	c := e.apigw()
	api, _ := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("rt")})
	v, err := c.CreateRequestValidator(ctx, &apigateway.CreateRequestValidatorInput{RestApiId: api.Id, Name: aws.String("all"), ValidateRequestBody: true, ValidateRequestParameters: true})
	if err != nil {
		t.Fatal(err)
	}
	res := mustResource(t, c, *api.Id, *api.RootResourceId, "{id}")
	_, err = c.PutMethod(ctx, &apigateway.PutMethodInput{
		RestApiId: api.Id, ResourceId: &res, HttpMethod: aws.String("POST"),
		AuthorizationType: aws.String("AWS_IAM"), ApiKeyRequired: true, OperationName: aws.String("CreatePet"),
		RequestParameters:  map[string]bool{"method.request.header.X-Trace": true, "method.request.querystring.q": false},
		RequestModels:      map[string]string{"application/json": "Empty"},
		RequestValidatorId: v.Id,
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PutIntegration(ctx, &apigateway.PutIntegrationInput{
		RestApiId: api.Id, ResourceId: &res, HttpMethod: aws.String("POST"), Type: types.IntegrationTypeHttp,
		IntegrationHttpMethod: aws.String("PUT"), Uri: aws.String("https://example.com/pets/{id}"),
		RequestParameters:   map[string]string{"integration.request.path.id": "method.request.path.id", "integration.request.header.X-Trace": "method.request.header.X-Trace"},
		RequestTemplates:    map[string]string{"application/json": `{"q": "$input.params('q')"}`},
		PassthroughBehavior: aws.String("NEVER"), ContentHandling: types.ContentHandlingStrategyConvertToText,
		TimeoutInMillis: aws.Int32(5000), CacheNamespace: aws.String("ns"), CacheKeyParameters: []string{"method.request.path.id"},
		TlsConfig: &types.TlsConfig{InsecureSkipVerification: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: api.Id, ResourceId: &res, HttpMethod: aws.String("POST"), StatusCode: aws.String("201"),
		ResponseParameters: map[string]bool{"method.response.header.Location": true}, ResponseModels: map[string]string{"application/json": "Empty"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: &res, HttpMethod: aws.String("POST"), StatusCode: aws.String("201"),
		SelectionPattern: aws.String(`2\d\d`), ResponseParameters: map[string]string{"method.response.header.Location": "integration.response.header.Location"},
		ResponseTemplates: map[string]string{"application/json": "$input.body"}, ContentHandling: types.ContentHandlingStrategyConvertToText})
	if err != nil {
		t.Fatal(err)
	}

	m, err := c.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: api.Id, ResourceId: &res, HttpMethod: aws.String("POST")})
	if err != nil {
		t.Fatal(err)
	}
	if *m.AuthorizationType != "AWS_IAM" || !*m.ApiKeyRequired || *m.OperationName != "CreatePet" || *m.RequestValidatorId != *v.Id ||
		!m.RequestParameters["method.request.header.X-Trace"] || m.RequestModels["application/json"] != "Empty" {
		t.Errorf("method: %+v", m)
	}
	it := m.MethodIntegration
	if it == nil || it.Type != types.IntegrationTypeHttp || *it.HttpMethod != "PUT" || *it.Uri != "https://example.com/pets/{id}" ||
		*it.PassthroughBehavior != "NEVER" || it.ContentHandling != types.ContentHandlingStrategyConvertToText || it.TimeoutInMillis != 5000 ||
		*it.CacheNamespace != "ns" || it.CacheKeyParameters[0] != "method.request.path.id" || !it.TlsConfig.InsecureSkipVerification ||
		it.ConnectionType != types.ConnectionTypeInternet || it.RequestParameters["integration.request.path.id"] != "method.request.path.id" {
		t.Errorf("integration: %+v", it)
	}
	ir := it.IntegrationResponses["201"]
	if *ir.SelectionPattern != `2\d\d` || ir.ResponseParameters["method.response.header.Location"] != "integration.response.header.Location" || ir.ResponseTemplates["application/json"] != "$input.body" {
		t.Errorf("integration response: %+v", ir)
	}
	if !m.MethodResponses["201"].ResponseParameters["method.response.header.Location"] {
		t.Errorf("method response: %+v", m.MethodResponses)
	}

	resources, err := c.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: api.Id, Embed: []string{"methods"}})
	if err != nil || len(resources.Items) != 2 {
		t.Fatalf("GetResources: %v %v", resources, err)
	}
	embedded := resources.Items[1].ResourceMethods["POST"]
	if embedded.MethodIntegration == nil || *embedded.MethodIntegration.Uri != "https://example.com/pets/{id}" {
		t.Errorf("embed=methods: %+v", embedded)
	}
	shallow, _ := c.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: api.Id})
	if m := shallow.Items[1].ResourceMethods["POST"]; m.MethodIntegration != nil || m.HttpMethod != nil {
		t.Errorf("without embed methods are empty objects on AWS: %+v", m)
	}

	// Update and delete each level.
	_, err = c.UpdateMethod(ctx, &apigateway.UpdateMethodInput{RestApiId: api.Id, ResourceId: &res, HttpMethod: aws.String("POST"),
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/apiKeyRequired"), Value: aws.String("false")}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteIntegrationResponse(ctx, &apigateway.DeleteIntegrationResponseInput{RestApiId: api.Id, ResourceId: &res, HttpMethod: aws.String("POST"), StatusCode: aws.String("201")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteIntegration(ctx, &apigateway.DeleteIntegrationInput{RestApiId: api.Id, ResourceId: &res, HttpMethod: aws.String("POST")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetIntegration(ctx, &apigateway.GetIntegrationInput{RestApiId: api.Id, ResourceId: &res, HttpMethod: aws.String("POST")})
	if code, msg := apiError(t, err); code != "NotFoundException" || msg != "Invalid Integration identifier specified" {
		t.Errorf("after delete: %s %s", code, msg)
	}
	if _, err := c.DeleteMethod(ctx, &apigateway.DeleteMethodInput{RestApiId: api.Id, ResourceId: &res, HttpMethod: aws.String("POST")}); err != nil {
		t.Fatal(err)
	}
}

func TestStagesAndDeploymentsRoundTrip(t *testing.T) {
	e := start(t)
	c := e.apigw()
	m := buildMockAPI(t, c)
	d, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &m.ID, StageName: aws.String("dev"),
		StageDescription: aws.String("dev stage"), Description: aws.String("first"), Variables: map[string]string{"a": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.GetStage(ctx, &apigateway.GetStageInput{RestApiId: &m.ID, StageName: aws.String("dev")})
	if err != nil {
		t.Fatal(err)
	}
	if *st.DeploymentId != *d.Id || *st.Description != "dev stage" || st.Variables["a"] != "1" || st.CacheClusterStatus != types.CacheClusterStatusNotAvailable || st.CreatedDate == nil {
		t.Errorf("stage: %+v", st)
	}
	st2, err := c.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: &m.ID, StageName: aws.String("prod"), DeploymentId: d.Id,
		Tags: map[string]string{"env": "prod"}, TracingEnabled: true})
	if err != nil || !st2.TracingEnabled || st2.Tags["env"] != "prod" {
		t.Fatalf("CreateStage: %+v %v", st2, err)
	}
	upd, err := c.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: &m.ID, StageName: aws.String("prod"), PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/*/*/throttling/rateLimit"), Value: aws.String("10")},
		{Op: types.OpReplace, Path: aws.String("/~1pets/GET/caching/enabled"), Value: aws.String("true")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if upd.MethodSettings["*/*"].ThrottlingRateLimit != 10 || !upd.MethodSettings["pets/GET"].CachingEnabled {
		t.Errorf("method settings: %+v", upd.MethodSettings)
	}
	stages, err := c.GetStages(ctx, &apigateway.GetStagesInput{RestApiId: &m.ID})
	if err != nil || len(stages.Item) != 2 {
		t.Errorf("GetStages: %+v %v", stages, err)
	}
	dep, err := c.GetDeployment(ctx, &apigateway.GetDeploymentInput{RestApiId: &m.ID, DeploymentId: d.Id, Embed: []string{"apisummary"}})
	if err != nil || dep.ApiSummary["/pets"]["GET"].AuthorizationType == nil {
		t.Errorf("GetDeployment embed=apisummary: %+v %v", dep, err)
	}
	arn := "arn:aws:apigateway:us-east-1::/restapis/" + m.ID + "/stages/prod"
	if _, err := c.TagResource(ctx, &apigateway.TagResourceInput{ResourceArn: &arn, Tags: map[string]string{"owner": "me"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &apigateway.UntagResourceInput{ResourceArn: &arn, TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.GetTags(ctx, &apigateway.GetTagsInput{ResourceArn: &arn})
	if err != nil || !cmp.Equal(tags.Tags, map[string]string{"owner": "me"}) {
		t.Errorf("tags: %v %v", tags, err)
	}
	if _, err := c.DeleteStage(ctx, &apigateway.DeleteStageInput{RestApiId: &m.ID, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
}

func TestGatewayResponsesList(t *testing.T) {
	e := start(t)
	c := e.apigw()
	api, _ := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("gr")})
	list, err := c.GetGatewayResponses(ctx, &apigateway.GetGatewayResponsesInput{RestApiId: api.Id})
	if err != nil || len(list.Items) != 21 {
		t.Fatalf("GetGatewayResponses: %d items, %v", len(list.Items), err)
	}
	for _, g := range list.Items {
		if !g.DefaultResponse || g.ResponseTemplates["application/json"] != `{"message":$context.error.messageString}` {
			t.Errorf("default %s: %+v", g.ResponseType, g)
		}
	}
	_, err = c.GetGatewayResponse(ctx, &apigateway.GetGatewayResponseInput{RestApiId: api.Id, ResponseType: "NOPE"})
	if code, msg := apiError(t, err); code != "ValidationException" || !strings.HasPrefix(msg, "1 validation error detected: Value 'NOPE' at 'responseType'") {
		t.Errorf("unknown type: %s %s", code, msg)
	}
}

func TestManagementErrors(t *testing.T) {
	e := start(t)
	c := e.apigw()
	api, _ := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("errs")})
	id := *api.Id
	tests := []struct {
		name, method, path, body string
		status                   int
		code, msg                string
	}{
		{"malformed json", "POST", "/restapis", `{"name": `, 400, "BadRequestException", "Invalid JSON in request body"},
		{"wrong type", "PUT", "/restapis/" + id + "/resources/" + *api.RootResourceId + "/methods/GET", `{"authorizationType":"NONE","apiKeyRequired":"yes"}`, 400, "BadRequestException", "Invalid value for member 'apiKeyRequired': expected boolean, got string"},
		{"unknown api", "GET", "/restapis/nope", "", 404, "NotFoundException", "Invalid API identifier specified 000000000000:nope"},
		{"unknown resource", "GET", "/restapis/" + id + "/resources/nope", "", 404, "NotFoundException", "Invalid Resource identifier specified"},
		{"unknown method", "GET", "/restapis/" + id + "/resources/" + *api.RootResourceId + "/methods/GET", "", 404, "NotFoundException", "Invalid Method identifier specified"},
		{"unknown stage", "GET", "/restapis/" + id + "/stages/nope", "", 404, "NotFoundException", "Invalid stage identifier specified"},
		{"unknown deployment", "GET", "/restapis/" + id + "/deployments/nope", "", 404, "NotFoundException", "Invalid Deployment identifier specified"},
		{"bad patch op", "PATCH", "/restapis/" + id, `{"patchOperations":[{"op":"frob","path":"/name"}]}`, 400, "ValidationException", "1 validation error detected: Value 'frob' at 'updateRestApiInput.patchOperations.1.member.op'"},
		{"bad patch path", "PATCH", "/restapis/" + id, `{"patchOperations":[{"op":"replace","path":"/nope","value":"x"}]}`, 400, "BadRequestException", "Invalid patch path /nope"},
		{"not implemented", "POST", "/clientcertificates", `{"description":"c"}`, 501, "NotImplementedException", "The operation GenerateClientCertificate is not implemented by apigw-local yet"},
		{"v2 not implemented", "GET", "/v2/apis", "", 501, "NotImplementedException", "The apigatewayv2 API"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body *strings.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			} else {
				body = strings.NewReader("")
			}
			r := do(t, tt.method, e.URL+tt.path, body, "Content-Type: application/json")
			var got struct {
				Message string `json:"message"`
			}
			if err := json.Unmarshal([]byte(r.Body), &got); err != nil {
				t.Fatalf("body %q: %v", r.Body, err)
			}
			if r.Status != tt.status || r.Header.Get("X-Amzn-Errortype") != tt.code || !strings.HasPrefix(got.Message, tt.msg) {
				t.Errorf("got %d %s %q, want %d %s %q", r.Status, r.Header.Get("X-Amzn-Errortype"), got.Message, tt.status, tt.code, tt.msg)
			}
			if !uuidRE.MatchString(r.Header.Get("X-Amzn-Requestid")) || r.Header.Get("Content-Type") != "application/json" {
				t.Errorf("headers: %v", r.Header)
			}
		})
	}
	// None of the failures changed the API.
	got, err := c.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: &id})
	if err != nil || *got.Name != "errs" {
		t.Errorf("API changed by failed calls: %+v %v", got, err)
	}
	if _, err := c.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: &id, ResourceId: api.RootResourceId, HttpMethod: aws.String("GET")}); err == nil {
		t.Error("a method was created by a malformed PutMethod")
	}
}

func TestConcurrentManagementAndDataPlane(t *testing.T) {
	e := start(t)
	c := e.apigw()
	m := buildMockAPI(t, c)
	deploy(t, c, m.ID, "dev")
	url := e.invokeURL(m.ID, "dev") + "/pets/1"
	var wg sync.WaitGroup
	errs := make(chan string, 400)
	for w := range 4 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range 25 {
				r := do(t, "GET", url, nil)
				if r.Status != 200 {
					errs <- r.Body
				}
			}
		}()
		go func() {
			defer wg.Done()
			for i := range 10 {
				if (w+i)%2 == 0 {
					if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &m.ID, StageName: aws.String("dev")}); err != nil {
						errs <- err.Error()
					}
				} else if _, err := c.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: &m.ID}); err != nil {
					errs <- err.Error()
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestHealthAndReset(t *testing.T) {
	e := start(t)
	c := e.apigw()
	buildMockAPI(t, c)
	r := do(t, "GET", e.URL+"/_apigw-local/health", nil)
	var h struct {
		Status, Version string
		Counts          struct{ RestAPIs int }
	}
	if err := json.Unmarshal([]byte(r.Body), &h); err != nil || r.Status != 200 || h.Status != "running" || h.Version != "e2e" || h.Counts.RestAPIs != 1 {
		t.Errorf("health: %d %s", r.Status, r.Body)
	}
	if r := do(t, "POST", e.URL+"/_apigw-local/reset", nil); r.Status != 200 {
		t.Errorf("reset: %d %s", r.Status, r.Body)
	}
	list, err := c.GetRestApis(ctx, &apigateway.GetRestApisInput{})
	if err != nil || len(list.Items) != 0 {
		t.Errorf("after reset: %+v %v", list, err)
	}
}
