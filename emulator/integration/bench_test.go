package integration_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/apigw-local/apigw-local/emulator"
	"github.com/apigw-local/apigw-local/emulator/store"
	"github.com/apigw-local/apigw-local/emulator/throttle"
	"github.com/apigw-local/apigw-local/lambdarunner"
)

// benchAPI deploys GET /pets/{id} on the integration in to stage bench and returns the
// server and the request path.
func benchAPI(b *testing.B, srv *emulator.Server, in store.PutIntegrationInput) string {
	b.Helper()
	st := srv.Store()
	api, err := st.CreateRestAPI(store.CreateRestAPIInput{Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	pets, err := st.CreateResource(api.ID, api.RootResourceID, "pets")
	if err != nil {
		b.Fatal(err)
	}
	id, err := st.CreateResource(api.ID, pets.ID, "{id}")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := st.PutMethod(api.ID, id.ID, "GET", store.PutMethodInput{AuthorizationType: "NONE"}); err != nil {
		b.Fatal(err)
	}
	if _, err := st.PutIntegration(api.ID, id.ID, "GET", in); err != nil {
		b.Fatal(err)
	}
	if _, err := st.CreateDeployment(api.ID, store.CreateDeploymentInput{StageName: "bench"}); err != nil {
		b.Fatal(err)
	}
	return "/_aws/execute-api/" + api.ID + "/bench/pets/42"
}

func petHandler(_ context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	return events.APIGatewayProxyResponse{StatusCode: 200, Body: `{"id":"` + ev.PathParameters["id"] + `","name":"pet"}`}, nil
}

// BenchmarkLambdaProxyInProcess is the whole execute-api pipeline, without the network:
// route, proxy event, in-process Go handler (aws-lambda-go decoding and encoding
// included), response contract, write.
func BenchmarkLambdaProxyInProcess(b *testing.B) {
	runner := lambdarunner.New(lambdarunner.Config{})
	if err := runner.RegisterHandler(lambdarunner.FunctionConfig{Name: "pets"}, petHandler); err != nil {
		b.Fatal(err)
	}
	srv, err := emulator.New(emulator.Config{Lambda: runner, Access: unthrottled()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	path := benchAPI(b, srv, store.PutIntegrationInput{Type: "AWS_PROXY", HTTPMethod: "POST",
		URI: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:pets/invocations"})
	h := srv.Handler()
	serve(b, h, path, `{"id":"42","name":"pet"}`)
}

// BenchmarkHTTPProxy is the pipeline of an HTTP_PROXY integration to a loopback backend.
func BenchmarkHTTPProxy(b *testing.B) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"42"}`))
	}))
	b.Cleanup(backend.Close)
	srv, err := emulator.New(emulator.Config{Access: unthrottled()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	path := benchAPI(b, srv, store.PutIntegrationInput{Type: "HTTP_PROXY", HTTPMethod: "GET", URI: backend.URL + "/pets/{id}",
		RequestParameters: map[string]string{"integration.request.path.id": "method.request.path.id"}})
	serve(b, srv.Handler(), path, `{"id":"42"}`)
}

// unthrottled lifts the account's 10,000 requests per second, which a benchmark passes.
func unthrottled() emulator.AccessConfig {
	return emulator.AccessConfig{AccountThrottle: &throttle.Limits{Rate: -1, Burst: -1}}
}

func serve(b *testing.B, h http.Handler, path, want string) {
	b.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("User-Agent", "bench")
	req.Header.Set("Accept", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != 200 || w.Body.String() != want {
		b.Fatalf("got %d %s", w.Code, w.Body)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w := httptest.NewRecorder()
			r := req.Clone(context.Background())
			h.ServeHTTP(w, r)
			if w.Code != 200 || !strings.HasPrefix(w.Body.String(), `{"id":"42"`) {
				b.Errorf("got %d %s", w.Code, w.Body)
				return
			}
		}
	})
}
