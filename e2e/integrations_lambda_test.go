package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/apigw-local/apigw-local/emulator/emulatortest"
	"github.com/apigw-local/apigw-local/lambdarunner"
)

// echoHandler answers a proxy event with the event as the body.
func echoHandler(_ context.Context, raw json.RawMessage) (events.APIGatewayProxyResponse, error) {
	return events.APIGatewayProxyResponse{StatusCode: 200, Body: string(raw)}, nil
}

// rawHandler returns the request body as its own output: tests send the Lambda output they
// want API Gateway to receive.
func rawHandler(_ context.Context, ev events.APIGatewayProxyRequest) (json.RawMessage, error) {
	return json.RawMessage(ev.Body), nil
}

// buildProxyAPI makes the API of the proxy event tests: POST /pets/{id}, GET /pets and
// ANY /files/{proxy+} on AWS_PROXY to fn; stage test has variables, stage bare has none.
func buildProxyAPI(t *testing.T, c *apigateway.Client, fn string) *restAPI {
	t.Helper()
	api := newRestAPI(t, c, "proxy-"+fn)
	api.method("/pets/{id}", "POST", proxyLambda(fn))
	api.method("/pets", "GET", proxyLambda(fn))
	api.method("/files/{proxy+}", "ANY", proxyLambda(fn))
	api.deploy("test", map[string]string{"color": "blue", "size": "L"})
	api.deploy("bare", nil)
	return api
}

// checkProxyEvents sends the golden requests and compares the events the function saw.
func checkProxyEvents(t *testing.T, base func(stage string) string) {
	t.Helper()
	r := do(t, "POST", base("test")+"/pets/42/?b=2&a=1&a=3&sp=a+b%20c&empty=", strings.NewReader(`{"hello": "wörld"}`),
		"Content-Type: application/json", "X-Custom: v1", "X-Custom: v2", "User-Agent: e2e-test/1.0",
		"Authorization: Bearer abc", "Connection: keep-alive", "Accept: application/json")
	if r.Status != 200 {
		t.Fatalf("POST: %d %s", r.Status, r.Body)
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(r.Body), &ev); err != nil {
		t.Fatalf("event is not JSON: %v\n%s", err, r.Body)
	}
	// The event is the JSON form of aws-lambda-go's model.
	var typed events.APIGatewayProxyRequest
	if err := json.Unmarshal([]byte(r.Body), &typed); err != nil || typed.PathParameters["id"] != "42" ||
		typed.MultiValueQueryStringParameters["a"][1] != "3" || typed.RequestContext.Identity.UserAgent != "e2e-test/1.0" {
		t.Errorf("events.APIGatewayProxyRequest: %+v %v", typed, err)
	}
	normalizeEvent(t, ev)
	compareGolden(t, "proxy-event-full.golden.json", ev)

	r = do(t, "GET", base("bare")+"/pets", nil, "User-Agent: e2e-test/1.0")
	ev = nil
	if err := json.Unmarshal([]byte(r.Body), &ev); err != nil {
		t.Fatalf("GET: %d %s", r.Status, r.Body)
	}
	normalizeEvent(t, ev)
	compareGolden(t, "proxy-event-minimal.golden.json", ev)

	// A greedy parameter and the path keep the encoding and inner double slashes.
	r = do(t, "DELETE", base("test")+"/files/a%2Bb//c.txt", nil)
	if err := json.Unmarshal([]byte(r.Body), &typed); err != nil {
		t.Fatalf("DELETE: %d %s", r.Status, r.Body)
	}
	if typed.Path != "/files/a%2Bb//c.txt" || typed.PathParameters["proxy"] != "a%2Bb//c.txt" || typed.Resource != "/files/{proxy+}" ||
		typed.HTTPMethod != "DELETE" || typed.RequestContext.Path != "/test/files/a%2Bb//c.txt" {
		t.Errorf("greedy event: path %q proxy %q resource %q method %q context path %q", typed.Path, typed.PathParameters["proxy"],
			typed.Resource, typed.HTTPMethod, typed.RequestContext.Path)
	}
}

func TestLambdaProxyEventInProcess(t *testing.T) {
	emu := emulatortest.New(t, emulatortest.WithLambda("echo", echoHandler))
	api := buildProxyAPI(t, apigateway.NewFromConfig(emu.AWSConfig()), "echo")
	checkProxyEvents(t, func(stage string) string { return emu.InvokeURL(api.ID, stage) })

	// Header names reach the event as the client wrote them.
	req, _ := http.NewRequest("GET", emu.InvokeURL(api.ID, "test")+"/pets", nil)
	req.Header["content-type"] = []string{"application/json"}
	req.Header["X-Mixed-CASE"] = []string{"1"}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ev events.APIGatewayProxyRequest
	if err := json.NewDecoder(resp.Body).Decode(&ev); err != nil {
		t.Fatal(err)
	}
	if ev.Headers["content-type"] != "application/json" || ev.Headers["X-Mixed-CASE"] != "1" || ev.MultiValueHeaders["content-type"] == nil {
		t.Errorf("headers lost the client's casing: %v", ev.Headers)
	}
}

// runtimes are the Runtime API functions of e2e/testdata/integrations/functions.
var runtimes = []struct{ name, interpreter, spec string }{
	{"go", "go", "name=goecho,runtime=provided.al2023,handler=bootstrap,code=%s/go"},
	{"node", "node", "name=nodeecho,runtime=nodejs20.x,handler=index.handler,code=%s/node"},
	{"python", "python3", "name=pyecho,runtime=python3.11,handler=app.handler,code=%s/python"},
}

// TestLambdaProxyRuntimes runs the proxy event and failure checks against real function
// processes in Go, Node.js and Python, through the binary.
func TestLambdaProxyRuntimes(t *testing.T) {
	dir, _ := filepath.Abs("testdata/integrations/functions")
	for _, rt := range runtimes {
		t.Run(rt.name, func(t *testing.T) {
			needInterpreter(t, rt.interpreter)
			t.Parallel()
			spec := strings.ReplaceAll(rt.spec, "%s", dir)
			fn := spec[len("name="):strings.IndexByte(spec, ',')]
			e := start(t, "--function", spec+",timeout=5")
			c := e.apigw()
			api := buildProxyAPI(t, c, fn)
			checkProxyEvents(t, func(stage string) string { return e.invokeURL(api.ID, stage) })

			slow := newRestAPI(t, c, "slow-"+fn)
			in := proxyLambda(fn)
			in.TimeoutInMillis = aws.Int32(100)
			slow.method("/slow", "GET", in)
			slow.deploy("test", nil)
			base := e.invokeURL(api.ID, "test") + "/pets?mode="
			for _, tt := range []struct {
				name, url string
				status    int
				body      string
			}{
				{"function error", base + "error", 502, `{"message": "Internal server error"}`},
				{"malformed response", base + "malformed", 502, `{"message": "Internal server error"}`},
				{"crash", base + "crash", 502, `{"message": "Internal server error"}`},
				{"integration timeout", e.invokeURL(slow.ID, "test") + "/slow?mode=slow&ms=3000", 504, `{"message": "Endpoint request timed out"}`},
			} {
				t0 := time.Now()
				r := do(t, "GET", tt.url, nil)
				wantGatewayError(t, r, tt.status, tt.body, "InternalServerErrorException")
				// At 100 ms, not when the function ends at 3 s (the margin is for a loaded machine
				// starting a process).
				if tt.status == 504 && time.Since(t0) > 2*time.Second {
					t.Errorf("%s: the 504 took %s", tt.name, time.Since(t0))
				}
			}
			// After a crash the function is started again.
			r := do(t, "GET", base+"binary", nil, "Accept: application/json")
			if r.Status != 200 || r.Body != "iVBORw0KGgo=" || r.Header.Get("Content-Type") != "image/png" {
				t.Errorf("after the crash: %d %q %v", r.Status, r.Body, r.Header)
			}
		})
	}
}

func TestLambdaProxyResponseContract(t *testing.T) {
	emu := emulatortest.New(t, emulatortest.WithLambda("raw", rawHandler))
	api := newRestAPI(t, apigateway.NewFromConfig(emu.AWSConfig()), "contract", "image/png")
	api.method("/out", "POST", proxyLambda("raw"))
	api.deploy("test", nil)
	url := emu.InvokeURL(api.ID, "test") + "/out"
	const internal = `{"message": "Internal server error"}`
	tests := []struct {
		name, output string
		accept       string
		status       int
		body         string
		header       map[string]string // "" value: must be absent
	}{
		{"status only", `{"statusCode": 200}`, "", 200, "", map[string]string{"Content-Type": "application/json"}},
		{"boolean header", `{"statusCode":200,"headers":{"test-header":"value","header-bool":true}}`, "", 200, "",
			map[string]string{"Test-Header": "value", "Header-Bool": "true"}},
		{"null headers", `{"statusCode":200,"headers":null}`, "", 200, "", nil},
		{"numeric string status", `{"statusCode":"201","body":"made"}`, "", 201, "made", nil},
		{"no content drops the body", `{"statusCode":204,"body":"ignored"}`, "", 204, "", nil},
		{"other status", `{"statusCode":418,"body":"teapot"}`, "", 418, "teapot", nil},
		{"no status", `{"headers":{"test-header":"value"}}`, "", 200, "", map[string]string{"Test-Header": "value"}},
		{"multi-value header", `{"statusCode":200,"multiValueHeaders":{"test-multi":["value1","value2"]}}`, "", 200, "",
			map[string]string{"Test-Multi": "value1, value2"}},
		{"multi and single", `{"multiValueHeaders":{"x-dup":["value-multi"]},"headers":{"x-dup":"value-solo"}}`, "", 200, "",
			map[string]string{"X-Dup": "value-multi, value-solo"}},
		{"own content type", `{"headers":{"content-type":"text/html"},"body":"<p>hi</p>"}`, "", 200, "<p>hi</p>",
			map[string]string{"Content-Type": "text/html"}},
		{"reserved headers remapped", `{"headers":{"Date":"yesterday","Server":"lambda","Connection":"close","Content-Length":"3","Transfer-Encoding":"chunked"},"body":"abc"}`,
			"", 200, "abc", map[string]string{"X-Amzn-Remapped-Date": "yesterday", "X-Amzn-Remapped-Server": "lambda",
				"X-Amzn-Remapped-Connection": "close", "X-Amzn-Remapped-Content-Length": "3", "Server": ""}},
		{"base64 without binary accept", `{"statusCode":200,"body":"dGVzdC1kYXRh","isBase64Encoded":true}`, "application/json", 200, "dGVzdC1kYXRh", nil},
		{"base64 with binary accept", `{"statusCode":200,"body":"dGVzdC1kYXRh","isBase64Encoded":true}`, "image/png, */*", 200, "test-data", nil},
		{"base64 invalid", `{"statusCode":200,"body":"!!!","isBase64Encoded":true}`, "image/png", 500, internal, nil},
		{"unknown key", `{"statusCode":200,"wrongValue":"value"}`, "", 502, internal, nil},
		{"not an object", `"justAString"`, "", 502, internal, nil},
		{"non-numeric status", `{"statusCode":"test"}`, "", 502, internal, nil},
		{"multi-value not a list", `{"statusCode":200,"multiValueHeaders":{"x":"value1"}}`, "", 502, internal, nil},
		{"body an object", `{"statusCode":200,"body":{"a":1}}`, "", 502, internal, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			headers := []string{"Content-Type: application/json"}
			if tt.accept != "" {
				headers = append(headers, "Accept: "+tt.accept)
			}
			r := do(t, "POST", url, strings.NewReader(tt.output), headers...)
			if tt.status >= 500 {
				wantGatewayError(t, r, tt.status, tt.body, "InternalServerErrorException")
				if r.Header.Get("X-Amzn-Trace-Id") != "" {
					t.Errorf("error response carries X-Amzn-Trace-Id")
				}
				return
			}
			if r.Status != tt.status || r.Body != tt.body {
				t.Errorf("got %d %q, want %d %q", r.Status, r.Body, tt.status, tt.body)
			}
			for k, want := range tt.header {
				if got := r.Header.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			wantRequestIDs(t, r)
			if !traceRE.MatchString(r.Header.Get("X-Amzn-Trace-Id")) || r.Header.Get("X-Amzn-Errortype") != "" {
				t.Errorf("X-Amzn-Trace-Id %q, x-amzn-ErrorType %q", r.Header.Get("X-Amzn-Trace-Id"), r.Header.Get("X-Amzn-Errortype"))
			}
		})
	}

	t.Run("binary request body", func(t *testing.T) {
		png := []byte{0x89, 'P', 'N', 'G', 0, 0xff}
		echo := emulatortest.New(t, emulatortest.WithLambda("echo", echoHandler))
		api := newRestAPI(t, apigateway.NewFromConfig(echo.AWSConfig()), "bin", "image/*")
		api.method("/up", "POST", proxyLambda("echo"))
		api.deploy("test", nil)
		for _, tt := range []struct {
			ct       string
			body     string
			isBase64 bool
		}{
			{"image/png", base64.StdEncoding.EncodeToString(png), true},
			{"text/plain", "plain text", false},
		} {
			in := []byte(tt.body)
			if tt.isBase64 {
				in = png
			}
			r := do(t, "POST", echo.InvokeURL(api.ID, "test")+"/up", bytes.NewReader(in), "Content-Type: "+tt.ct)
			var ev events.APIGatewayProxyRequest
			if err := json.Unmarshal([]byte(r.Body), &ev); err != nil || ev.Body != tt.body || ev.IsBase64Encoded != tt.isBase64 {
				t.Errorf("%s: body %q base64 %v, want %q %v (%v)", tt.ct, ev.Body, ev.IsBase64Encoded, tt.body, tt.isBase64, err)
			}
		}
	})
}

func TestLambdaProxyFailures(t *testing.T) {
	slow := func(ctx context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		d, _ := time.ParseDuration(ev.QueryStringParameters["d"])
		time.Sleep(d)
		return events.APIGatewayProxyResponse{StatusCode: 200, Body: "late"}, nil
	}
	zero := 0
	emu := emulatortest.New(t,
		emulatortest.WithLambda("fails", func() error { return errors.New("boom") }),
		emulatortest.WithLambda("panics", func() error { panic("oops") }),
		emulatortest.WithLambda("slow", slow),
		emulatortest.WithLambda("echo", echoHandler),
		emulatortest.WithFunction(lambdarunner.FunctionConfig{Name: "shorttimeout", Timeout: 50 * time.Millisecond}, slow),
		emulatortest.WithFunction(lambdarunner.FunctionConfig{Name: "throttled", ReservedConcurrency: &zero}, echoHandler),
	)
	c := apigateway.NewFromConfig(emu.AWSConfig())
	api := newRestAPI(t, c, "failures")
	for _, fn := range []string{"fails", "panics", "shorttimeout", "throttled", "nosuchfunction", "echo"} {
		api.method("/"+fn, "POST", proxyLambda(fn))
	}
	timed := proxyLambda("slow")
	timed.TimeoutInMillis = aws.Int32(50)
	api.method("/timeout", "GET", timed)
	get := proxyLambda("echo")
	get.IntegrationHttpMethod = aws.String("GET")
	api.method("/getmethod", "GET", get)
	api.deploy("test", nil)
	base := emu.InvokeURL(api.ID, "test")
	const internal = `{"message": "Internal server error"}`
	tests := []struct {
		name, method, path string
		body               []byte
		status             int
		want, errorType    string
	}{
		{"function error", "POST", "/fails", nil, 502, internal, "InternalServerErrorException"},
		{"function panic", "POST", "/panics", nil, 502, internal, "InternalServerErrorException"},
		{"function's own timeout", "POST", "/shorttimeout?d=300ms", nil, 502, internal, "InternalServerErrorException"},
		{"throttled", "POST", "/throttled", nil, 500, internal, "InternalServerErrorException"},
		{"function not found", "POST", "/nosuchfunction", nil, 500, internal, "InternalServerErrorException"},
		{"integration timeout", "GET", "/timeout?d=400ms", nil, 504, `{"message": "Endpoint request timed out"}`, "InternalServerErrorException"},
		{"GET integration method", "GET", "/getmethod", nil, 500, internal, "InternalServerErrorException"},
		{"over Lambda's 6 MB", "POST", "/echo", bytes.Repeat([]byte("a"), 6<<20), 413, `{"message": "Request Too Long"}`, "BadRequestException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t0 := time.Now()
			r := do(t, tt.method, base+tt.path, bytes.NewReader(tt.body))
			wantGatewayError(t, r, tt.status, tt.want, tt.errorType)
			if r.Header.Get("X-Amzn-Trace-Id") != "" {
				t.Errorf("error response carries X-Amzn-Trace-Id")
			}
			if tt.status == 504 && time.Since(t0) > 300*time.Millisecond {
				t.Errorf("the 504 came after %s, want it at the 50 ms timeout", time.Since(t0))
			}
		})
	}
}

func TestLambdaStageVariableFunction(t *testing.T) {
	named := func(name string) func() (events.APIGatewayProxyResponse, error) {
		return func() (events.APIGatewayProxyResponse, error) {
			return events.APIGatewayProxyResponse{StatusCode: 200, Body: name}, nil
		}
	}
	emu := emulatortest.New(t, emulatortest.WithLambda("blue", named("blue")), emulatortest.WithLambda("green", named("green")))
	c := apigateway.NewFromConfig(emu.AWSConfig())
	api := newRestAPI(t, c, "vars")
	api.method("/", "GET", apigateway.PutIntegrationInput{Type: types.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"),
		Uri: aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:${stageVariables.fn}/invocations")})
	api.deploy("live", map[string]string{"fn": "blue"})
	url := emu.InvokeURL(api.ID, "live") + "/"
	if r := do(t, "GET", url, nil); r.Body != "blue" {
		t.Fatalf("got %d %s", r.Status, r.Body)
	}
	_, err := c.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: &api.ID, StageName: aws.String("live"),
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/variables/fn"), Value: aws.String("green")}}})
	if err != nil {
		t.Fatal(err)
	}
	if r := do(t, "GET", url, nil); r.Body != "green" || r.Status != http.StatusOK {
		t.Errorf("after the stage variable changed: %d %s", r.Status, r.Body)
	}
}
