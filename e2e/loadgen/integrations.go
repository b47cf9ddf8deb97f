package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/apigw-local/apigw-local/emulator"
	"github.com/apigw-local/apigw-local/emulator/throttle"
	"github.com/apigw-local/apigw-local/lambdarunner"
)

// petBody is what every integration scenario answers for /pets/42.
var petBody = []byte(`{"id":"42","name":"pet"}`)

// petHandler is the in-process Go function: a typical aws-lambda-go proxy handler.
func petHandler(_ context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	return events.APIGatewayProxyResponse{StatusCode: 200, Headers: map[string]string{"Content-Type": "application/json"},
		Body: `{"id":"` + ev.PathParameters["id"] + `","name":"pet"}`}, nil
}

// setupPets deploys GET /pets/{id} with the given integration on stage bench and returns
// the URL of /pets/42.
func setupPets(ctx context.Context, base string, in apigateway.PutIntegrationInput) (string, error) {
	c := sdk(base)
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("bench-integration")})
	if err != nil {
		return "", err
	}
	pets, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("pets")})
	if err != nil {
		return "", err
	}
	id, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: pets.Id, PathPart: aws.String("{id}")})
	if err != nil {
		return "", err
	}
	verb := aws.String("GET")
	if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: id.Id, HttpMethod: verb, AuthorizationType: aws.String("NONE"),
		RequestParameters: map[string]bool{"method.request.path.id": true}}); err != nil {
		return "", err
	}
	in.RestApiId, in.ResourceId, in.HttpMethod = api.Id, id.Id, verb
	if _, err := c.PutIntegration(ctx, &in); err != nil {
		return "", err
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("bench")}); err != nil {
		return "", err
	}
	return base + "/_aws/execute-api/" + *api.Id + "/bench/pets/42", nil
}

func lambdaProxy(fn string) apigateway.PutIntegrationInput {
	return apigateway.PutIntegrationInput{Type: types.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"),
		Uri: aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:" + fn + "/invocations")}
}

// rounds is how many interleaved emulator / baseline runs compare makes; it keeps the best
// of each, so a burst of other work on the machine does not decide a ratio.
const rounds = 3

// compare measures url against baseURL at each connection count and prints a row per
// count: the best of rounds interleaved runs of duration/rounds each. warm is the warm-up
// length (Runtime API functions start their environments then).
func compare(ctx context.Context, name, url, baseURL string, warm, duration time.Duration, maxRequests int) (map[int][2]result, error) {
	out := map[int][2]result{}
	for _, conns := range []int{1, 50} {
		c := newClient(conns)
		load(ctx, c, url, conns, warm, maxRequests, 200, petBody)
		load(ctx, c, baseURL, conns, 300*time.Millisecond, 5000, 200, petBody)
		var emu, base result
		for range rounds {
			e := load(ctx, c, url, conns, duration/rounds, maxRequests, 200, petBody)
			b := load(ctx, c, baseURL, conns, duration/rounds, maxRequests, 200, petBody)
			if e.Errors > 0 || b.Errors > 0 {
				status, body, err := get(c, url)
				return nil, fmt.Errorf("%s at %d conns: %d errors (baseline %d); a request now gets %d %s %v", name, conns, e.Errors, b.Errors, status, body, err)
			}
			if e.RPS() > emu.RPS() || emu.Requests == 0 {
				emu = e
			}
			if b.RPS() > base.RPS() || base.Requests == 0 {
				base = b
			}
		}
		fmt.Printf("%-22s %5d | %10.0f %9s %9s | %10.0f %9s %9s | %5.0f%% %9s\n", name, conns,
			emu.RPS(), ms(emu.P50), ms(emu.P99), base.RPS(), ms(base.P50), ms(base.P99), 100*emu.RPS()/base.RPS(), ms(emu.P50-base.P50))
		out[conns] = [2]result{emu, base}
	}
	return out, nil
}

// runIntegrations runs the integration scenarios, each against a bare net/http server
// answering the same bytes in the same run:
//   - Lambda proxy to an in-process Go handler, with the emulator embedded in this process
//     as emulatortest runs it (the account throttle lifted);
//   - HTTP_PROXY through the binary to a loopback backend, against calling that backend
//     directly;
//   - Lambda proxy through the binary to a Runtime API Go function (a real process).
func runIntegrations(ctx context.Context, binary, binaryURL string, duration time.Duration, maxRequests int) error {
	bareURL, stopBare, err := bare(petBody, http.Header{"Content-Type": {"application/json"}})
	if err != nil {
		return err
	}
	defer stopBare()
	fmt.Printf("\n%-22s %5s | %10s %9s %9s | %10s %9s %9s | %6s %9s\n", "integration", "conns", "req/s", "p50", "p99", "bare req/s", "p50", "p99", "ratio", "p50 Δ")

	// Lambda proxy, in-process Go handler.
	runner := lambdarunner.New(lambdarunner.Config{})
	if err := runner.RegisterHandler(lambdarunner.FunctionConfig{Name: "pets"}, petHandler); err != nil {
		return err
	}
	srv, err := emulator.New(emulator.Config{Lambda: runner, Access: emulator.AccessConfig{AccountThrottle: &throttle.Limits{Rate: -1, Burst: -1}}})
	if err != nil {
		return err
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.Handler()}
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()
	url, err := setupPets(ctx, "http://"+ln.Addr().String(), lambdaProxy("pets"))
	if err != nil {
		return fmt.Errorf("in-process Lambda proxy: %w", err)
	}
	inproc, err := compare(ctx, "Lambda proxy, Go in-proc", url, bareURL, 300*time.Millisecond, duration, maxRequests)
	if err != nil {
		return err
	}

	// HTTP_PROXY through the binary to the bare server.
	url, err = setupPets(ctx, binaryURL, apigateway.PutIntegrationInput{Type: types.IntegrationTypeHttpProxy, IntegrationHttpMethod: aws.String("GET"),
		Uri: aws.String(bareURL + "/pets/{id}"), RequestParameters: map[string]string{"integration.request.path.id": "method.request.path.id"}})
	if err != nil {
		return fmt.Errorf("HTTP_PROXY: %w", err)
	}
	proxy, err := compare(ctx, "HTTP_PROXY loopback", url, bareURL, 300*time.Millisecond, duration, maxRequests)
	if err != nil {
		return err
	}

	// Lambda proxy through a binary that runs a Go function over the Runtime API.
	_, file, _, _ := runtime.Caller(0)
	code := filepath.Join(filepath.Dir(file), "testdata", "benchfn")
	b, _, err := startBinary(binary, "--account-throttle", "-1:-1",
		"--function", "name=benchfn,runtime=provided.al2023,handler=bootstrap,code="+code+",timeout=10")
	if err != nil {
		return err
	}
	defer b.stop()
	url, err = setupPets(ctx, b.url, lambdaProxy("benchfn"))
	if err != nil {
		return fmt.Errorf("Runtime API Lambda proxy: %w", err)
	}
	// The first call builds the function with go build.
	slow := &http.Client{Timeout: 2 * time.Minute}
	if status, body, err := get(slow, url); err != nil || status != 200 {
		return fmt.Errorf("Runtime API function answered %d %s: %v", status, body, err)
	}
	rapi, err := compare(ctx, "Lambda proxy, Go RAPI", url, bareURL, 3*time.Second, duration, maxRequests)
	if err != nil {
		return err
	}

	fmt.Printf("targets: Lambda proxy in-process ≥ 40%% of bare at 50 connections (%.0f%%), pipeline overhead p50 ≤ 0.3ms at 1 connection (%s);\n",
		100*inproc[50][0].RPS()/inproc[50][1].RPS(), ms(inproc[1][0].P50-inproc[1][1].P50))
	fmt.Printf("         Runtime API Go function ≥ 3000 req/s at 50 connections (%.0f); HTTP_PROXY ≥ 50%% of the backend called directly at 50 connections (%.0f%%)\n",
		rapi[50][0].RPS(), 100*proxy[50][0].RPS()/proxy[50][1].RPS())
	return nil
}
