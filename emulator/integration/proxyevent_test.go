package integration

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/apigw-local/apigw-local/emulator/dataplane"
	"github.com/apigw-local/apigw-local/emulator/store"
)

func testExchange() *dataplane.Exchange {
	r := httptest.NewRequest("GET", "http://abc.execute-api.localhost/dev/pets", nil)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
	r.Header.Set("X-Forwarded-For", "203.0.113.9")
	d := dataplane.Compile(&store.Snapshot{DeploymentID: "dep123", API: store.RestAPI{BinaryMediaTypes: []string{"image/*"}}}, nil)
	res := &dataplane.Resource{ID: "res123", Path: "/pets"}
	return &dataplane.Exchange{Req: r, Start: time.Date(2020, 3, 4, 19, 15, 17, 0, time.UTC), RequestID: "id-1", ExtendedRequestID: "ext=",
		APIID: "abc", AccountID: "000000000000", Stage: &store.LiveStage{Name: "dev"}, Deployment: d, Resource: res,
		Method: &dataplane.Method{Method: &store.Method{OperationName: "listPets"}, Resource: res},
		Path:   "/pets", ContextPath: "/dev/pets", DomainName: "abc.execute-api.localhost", SourceIP: "192.0.2.1", TraceID: "Root=1-a-b"}
}

func TestProxyEventIdentityAndAuthorizer(t *testing.T) {
	tests := []struct {
		name string
		set  func(x *dataplane.Exchange)
		want map[string]any // requestContext members
	}{
		{"Lambda authorizer with its JSON types and an API key", func(x *dataplane.Exchange) {
			x.Identity.APIKey, x.Identity.APIKeyID = "key", "keyid"
			x.Authorizer = &dataplane.AuthorizerResult{PrincipalID: "user", IntegrationLatency: 12,
				Context: map[string]any{"n": 1.0, "b": true, "s": "x"}}
		}, map[string]any{
			"authorizer":    map[string]any{"principalId": "user", "integrationLatency": 12.0, "n": 1.0, "b": true, "s": "x"},
			"operationName": "listPets",
			"apiKey":        "key", "apiKeyId": "keyid",
		}},
		{"Cognito claims and scopes", func(x *dataplane.Exchange) {
			x.Authorizer = &dataplane.AuthorizerResult{Claims: map[string]any{"sub": "u1"}, Scopes: []string{"read"}}
		}, map[string]any{
			"authorizer":    map[string]any{"claims": map[string]any{"sub": "u1"}, "scopes": []any{"read"}},
			"operationName": "listPets",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := testExchange()
			tt.set(x)
			b := appendProxyEvent(nil, x, nil)
			var ev struct {
				Headers        map[string]string `json:"headers"`
				RequestContext map[string]any    `json:"requestContext"`
			}
			if err := json.Unmarshal(b, &ev); err != nil {
				t.Fatalf("%v\n%s", err, b)
			}
			var typed events.APIGatewayProxyRequest
			if err := json.Unmarshal(b, &typed); err != nil {
				t.Fatal(err)
			}
			got := map[string]any{"authorizer": ev.RequestContext["authorizer"], "operationName": ev.RequestContext["operationName"]}
			id := ev.RequestContext["identity"].(map[string]any)
			for _, k := range []string{"apiKey", "apiKeyId"} {
				if v, ok := id[k]; ok {
					got[k] = v
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
			// A SigV4 Authorization header is not passed on; X-Forwarded-For gets the caller appended.
			if _, ok := ev.Headers["Authorization"]; ok || ev.Headers["X-Forwarded-For"] != "203.0.113.9, 192.0.2.1" ||
				ev.Headers["Host"] != "abc.execute-api.localhost" || typed.RequestContext.RequestTime != "04/Mar/2020:19:15:17 +0000" {
				t.Errorf("headers %v, requestTime %q", ev.Headers, typed.RequestContext.RequestTime)
			}
		})
	}
}
