package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/apigw-local/apigw-local/emulator/emulatortest"
)

// calc is the custom-integration test function: {"a","b","op"} → {"result"}, with errors
// whose messages the integration responses select on.
func calc(_ context.Context, in struct {
	A, B float64
	Op   string
}) (map[string]float64, error) {
	switch in.Op {
	case "add":
		return map[string]float64{"result": in.A + in.B}, nil
	case "div":
		if in.B == 0 {
			return nil, errors.New("Bad input: division by zero")
		}
		return map[string]float64{"result": in.A / in.B}, nil
	case "conflict":
		return nil, errors.New(`{"code":409,"reason":"already there"}`)
	case "sleep":
		time.Sleep(300 * time.Millisecond)
		return nil, nil
	}
	return nil, fmt.Errorf("unknown op %q", in.Op)
}

func customLambda(fn string, templates map[string]string, params map[string]string) apigateway.PutIntegrationInput {
	return apigateway.PutIntegrationInput{Type: types.IntegrationTypeAws, IntegrationHttpMethod: aws.String("POST"), Uri: lambdaURI(fn),
		RequestTemplates: templates, RequestParameters: params}
}

func TestLambdaCustomIntegration(t *testing.T) {
	events := make(chan json.RawMessage, 1)
	emu := emulatortest.New(t,
		emulatortest.WithLambda("calc", calc),
		emulatortest.WithLambda("echo", func(raw json.RawMessage) (json.RawMessage, error) { return raw, nil }),
		emulatortest.WithLambda("async", func(raw json.RawMessage) error { events <- raw; return nil }),
		emulatortest.WithLambda("image", func() (string, error) { return "iVBORw0KGgo=", nil }),
	)
	c := apigateway.NewFromConfig(emu.AWSConfig())
	api := newRestAPI(t, c, "custom", "image/png")
	calcTemplate := map[string]string{"application/json": `{"a": $input.params('a'), "b": $input.params('b'), "op": "$input.params('op')"}`}
	api.method("/calc", "GET", customLambda("calc", calcTemplate, nil), "method.request.querystring.a")
	api.response("/calc", "GET", "200", nil, map[string]string{"application/json": `{"result": $input.json('$.result')}`}, nil, "")
	api.response("/calc", "GET", "400", aws.String("Bad input:.*"), map[string]string{"application/json": `{"error": "$util.escapeJavaScript($input.path('$.errorMessage'))"}`}, nil, "")
	api.response("/calc", "GET", "409", aws.String(`.*"code":409.*`), map[string]string{"application/json": `#set($e = $util.parseJson($input.path('$.errorMessage')))$e.reason`},
		map[string]string{"method.response.header.X-Error-Type": "integration.response.body.errorType"}, "")

	api.method("/echo", "POST", customLambda("echo", nil, nil))
	api.response("/echo", "POST", "200", nil, nil, map[string]string{"method.response.header.X-Fn-Error": "integration.response.header.X-Amz-Function-Error"}, "")

	api.method("/bad", "POST", customLambda("echo", map[string]string{"application/json": `{not json`}, nil))
	api.response("/bad", "POST", "200", nil, nil, nil, "")

	api.method("/async", "POST", customLambda("async", nil, map[string]string{"integration.request.header.X-Amz-Invocation-Type": "'Event'"}))
	api.response("/async", "POST", "200", nil, map[string]string{"application/json": `{"accepted": true}`}, nil, "")

	slow := customLambda("calc", map[string]string{"application/json": `{"op": "sleep"}`}, nil)
	slow.TimeoutInMillis = aws.Int32(50)
	api.method("/slow", "GET", slow)
	api.response("/slow", "GET", "200", nil, nil, nil, "")

	api.method("/missing", "GET", customLambda("nosuchfunction", nil, nil))
	api.response("/missing", "GET", "200", nil, nil, nil, "")

	api.method("/image", "GET", customLambda("image", nil, nil))
	api.response("/image", "GET", "200", nil, nil, map[string]string{"method.response.header.Content-Type": "'image/png'"}, types.ContentHandlingStrategyConvertToBinary)

	upload := customLambda("echo", map[string]string{"image/png": `{"size": "$input.body.length()", "data": "$input.body"}`}, nil)
	upload.ContentHandling = types.ContentHandlingStrategyConvertToText
	api.method("/upload", "POST", upload)
	api.response("/upload", "POST", "200", nil, nil, nil, "")
	api.deploy("test", nil)
	base := emu.InvokeURL(api.ID, "test")

	for _, tt := range []struct {
		name, path string
		status     int
		body       string
		header     map[string]string
	}{
		{"success takes the default response", "/calc?a=2&b=3&op=add", 200, `{"result": 5}`, nil},
		{"error selected by errorMessage", "/calc?a=1&b=0&op=div", 400, `{"error": "Bad input: division by zero"}`, nil},
		{"JSON error message parsed", "/calc?a=1&b=1&op=conflict", 409, `already there`, map[string]string{"X-Error-Type": "errorString"}},
		{"unmatched error goes to the default with the error JSON", "/calc?a=1&b=1&op=pow", 200, `{"result": }`, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, "GET", base+tt.path, nil)
			if r.Status != tt.status || r.Body != tt.body {
				t.Errorf("got %d %s, want %d %s", r.Status, r.Body, tt.status, tt.body)
			}
			for k, want := range tt.header {
				if got := r.Header.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			if !traceRE.MatchString(r.Header.Get("X-Amzn-Trace-Id")) {
				t.Errorf("X-Amzn-Trace-Id = %q", r.Header.Get("X-Amzn-Trace-Id"))
			}
		})
	}
	t.Run("passthrough payload", func(t *testing.T) {
		// (aws-lambda-go writes the echoed json.RawMessage compactly.)
		r := do(t, "POST", base+"/echo", strings.NewReader(`{"x": [1, 2]}`), "Content-Type: application/json")
		if r.Status != 200 || r.Body != `{"x":[1,2]}` || r.Header.Get("X-Fn-Error") != "" {
			t.Errorf("%d %s %v", r.Status, r.Body, r.Header)
		}
	})
	t.Run("asynchronous invocation", func(t *testing.T) {
		r := do(t, "POST", base+"/async", strings.NewReader(`{"job": 1}`), "Content-Type: application/json")
		if r.Status != 200 || r.Body != `{"accepted": true}` {
			t.Errorf("%d %s", r.Status, r.Body)
		}
		select {
		case ev := <-events:
			if string(ev) != `{"job": 1}` {
				t.Errorf("the function got %s", ev)
			}
		case <-time.After(5 * time.Second):
			t.Error("the Event invocation did not run")
		}
	})
	t.Run("binary response converted", func(t *testing.T) {
		r := do(t, "GET", base+"/image", nil, "Accept: image/png")
		if r.Status != 200 || r.Body != "\x89PNG\r\n\x1a\n" || r.Header.Get("Content-Type") != "image/png" {
			t.Errorf("%d %q %v", r.Status, r.Body, r.Header)
		}
	})
	t.Run("binary request converted to text", func(t *testing.T) {
		r := do(t, "POST", base+"/upload", bytes.NewReader(pngBytes), "Content-Type: image/png")
		if r.Status != 200 || r.Body != `{"size":"16","data":"iVBORw0KGgoA//4="}` {
			t.Errorf("%d %s", r.Status, r.Body)
		}
	})
	const internal = `{"message": "Internal server error"}`
	for _, tt := range []struct {
		name, method, path string
		status             int
		body, errorType    string
	}{
		{"template output not JSON", "POST", "/bad", 400, `{"Type":"User","message":"Could not parse request body into json: Could not parse payload into json: invalid character 'n' looking for beginning of object key string"}`, "InvalidRequestContentException"},
		{"integration timeout", "GET", "/slow", 504, `{"message": "Endpoint request timed out"}`, "InternalServerErrorException"},
		{"function not found", "GET", "/missing", 500, internal, "InternalServerErrorException"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantGatewayError(t, do(t, tt.method, base+tt.path, strings.NewReader(`{}`), "Content-Type: application/json"), tt.status, tt.body, tt.errorType)
		})
	}
}

// fakeAWS is a loopback stand-in for AWS services: it checks each request's SigV4
// signature and records it.
type fakeAWS struct {
	*httptest.Server
	mu   sync.Mutex
	seen []awsCall
}

// awsCall is one request the fake received.
type awsCall struct {
	Method, Path, Query, Target, ContentType, Body, Service, Region string
	SignatureOK                                                     bool
}

var credentialRE = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=test/(\d{8})/([^/]+)/([^/]+)/aws4_request, SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$`)

func newFakeAWS(t *testing.T, status int, answer string) *fakeAWS {
	t.Helper()
	f := &fakeAWS{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		call := awsCall{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, Target: r.Header.Get("X-Amz-Target"),
			ContentType: r.Header.Get("Content-Type"), Body: string(body)}
		if m := credentialRE.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
			call.Region, call.Service = m[2], m[3]
			call.SignatureOK = verifySigV4(r, body, m[3], m[2], strings.Split(m[4], ";"))
		}
		f.mu.Lock()
		f.seen = append(f.seen, call)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Header().Set("X-Amzn-Requestid", "fake-request-id")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(f.Close)
	return f
}

// last returns the last call.
func (f *fakeAWS) last(t *testing.T) awsCall {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.seen) == 0 {
		t.Fatal("the fake AWS service got no request")
	}
	return f.seen[len(f.seen)-1]
}

// verifySigV4 signs a copy of r holding exactly the signed headers with the same time and
// compares the result.
func verifySigV4(r *http.Request, body []byte, service, region string, signed []string) bool {
	when, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return false
	}
	cp, _ := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	for _, h := range signed {
		if h != "host" && h != "content-length" && h != "x-amz-date" {
			cp.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	sum := sha256.Sum256(body)
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, cp,
		hex.EncodeToString(sum[:]), service, region, when)
	return err == nil && cp.Header.Get("Authorization") == r.Header.Get("Authorization")
}

func TestAWSServiceIntegrations(t *testing.T) {
	sqs := newFakeAWS(t, 200, `<SendMessageResponse><MessageId>m-1</MessageId></SendMessageResponse>`)
	other := newFakeAWS(t, 200, `{"executionArn":"arn:aws:states:us-east-1:000000000000:execution:sm:1","startDate":1.7E9}`)
	e := start(t, "--service-endpoint", "sqs="+sqs.URL, "--aws-endpoint", other.URL)
	c := e.apigw()
	api := newRestAPI(t, c, "services")
	service := func(uri string, templates, params map[string]string) apigateway.PutIntegrationInput {
		return apigateway.PutIntegrationInput{Type: types.IntegrationTypeAws, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(uri),
			RequestTemplates: templates, RequestParameters: params, PassthroughBehavior: aws.String("NEVER")}
	}
	const sm = "arn:aws:states:us-east-1:000000000000:stateMachine:orders"
	type row struct {
		name, path  string
		integration apigateway.PutIntegrationInput
		fake        *fakeAWS
		want        awsCall
	}
	rows := []row{
		{"SQS SendMessage (path form)", "/sqs-path", service("arn:aws:apigateway:us-east-1:sqs:path/000000000000/orders",
			map[string]string{"application/json": `Action=SendMessage&MessageBody=$util.urlEncode($input.body)`},
			map[string]string{"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"}), sqs,
			awsCall{Method: "POST", Path: "/000000000000/orders", ContentType: "application/x-www-form-urlencoded",
				Body: "Action=SendMessage&MessageBody=%7B%22id%22%3A+1%7D", Service: "sqs", Region: "us-east-1"}},
		{"SQS SendMessage (action form)", "/sqs-action", service("arn:aws:apigateway:eu-west-1:sqs:action/SendMessage",
			map[string]string{"application/json": ""},
			map[string]string{"integration.request.querystring.QueueUrl": "'http://sqs/000000000000/orders'", "integration.request.querystring.MessageBody": "method.request.body"}), sqs,
			awsCall{Method: "POST", Path: "/", Query: "Action=SendMessage&MessageBody=%7B%22id%22%3A%201%7D&QueueUrl=http%3A%2F%2Fsqs%2F000000000000%2Forders",
				ContentType: "application/json", Body: `{"id": 1}`, Service: "sqs", Region: "eu-west-1"}},
		{"SNS Publish", "/sns", service("arn:aws:apigateway:us-east-1:sns:action/Publish", map[string]string{"application/json": ""},
			map[string]string{"integration.request.querystring.TopicArn": "'arn:aws:sns:us-east-1:000000000000:t'", "integration.request.querystring.Message": "method.request.body.id"}), other,
			awsCall{Method: "POST", Path: "/", Query: "Action=Publish&Message=1&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3At",
				ContentType: "application/json", Body: `{"id": 1}`, Service: "sns", Region: "us-east-1"}},
		{"Step Functions StartExecution", "/sfn", service("arn:aws:apigateway:us-east-1:states:action/StartExecution",
			map[string]string{"application/json": `{"input": "$util.escapeJavaScript($input.json('$'))", "stateMachineArn": "` + sm + `"}`}, nil), other,
			awsCall{Method: "POST", Path: "/", Target: "AWSStepFunctions.StartExecution", ContentType: "application/x-amz-json-1.0",
				Body: `{"input": "{\"id\":1}", "stateMachineArn": "` + sm + `"}`, Service: "states", Region: "us-east-1"}},
		{"Step Functions StartSyncExecution", "/sfn-sync", service("arn:aws:apigateway:us-east-1:states:action/StartSyncExecution",
			map[string]string{"application/json": `{"input": "$util.escapeJavaScript($input.body)", "stateMachineArn": "` + sm + `"}`}, nil), other,
			awsCall{Method: "POST", Path: "/", Target: "AWSStepFunctions.StartSyncExecution", ContentType: "application/x-amz-json-1.0",
				Body: `{"input": "{\"id\": 1}", "stateMachineArn": "` + sm + `"}`, Service: "states", Region: "us-east-1"}},
		{"DynamoDB PutItem", "/ddb-put", service("arn:aws:apigateway:us-east-1:dynamodb:action/PutItem",
			map[string]string{"application/json": `{"TableName": "orders", "Item": {"id": {"N": "$input.path('$.id')"}}}`}, nil), other,
			awsCall{Method: "POST", Path: "/", Target: "DynamoDB_20120810.PutItem", ContentType: "application/x-amz-json-1.0",
				Body: `{"TableName": "orders", "Item": {"id": {"N": "1"}}}`, Service: "dynamodb", Region: "us-east-1"}},
		{"DynamoDB GetItem", "/ddb-get", service("arn:aws:apigateway:us-east-1:dynamodb:action/GetItem",
			map[string]string{"application/json": `{"TableName": "orders", "Key": {"id": {"N": "$input.path('$.id')"}}}`}, nil), other,
			awsCall{Method: "POST", Path: "/", Target: "DynamoDB_20120810.GetItem", ContentType: "application/x-amz-json-1.0",
				Body: `{"TableName": "orders", "Key": {"id": {"N": "1"}}}`, Service: "dynamodb", Region: "us-east-1"}},
		{"DynamoDB Query", "/ddb-query", service("arn:aws:apigateway:us-east-1:dynamodb:action/Query",
			map[string]string{"application/json": `{"TableName": "orders", "KeyConditionExpression": "id = :v", "ExpressionAttributeValues": {":v": {"N": "$input.path('$.id')"}}}`}, nil), other,
			awsCall{Method: "POST", Path: "/", Target: "DynamoDB_20120810.Query", ContentType: "application/x-amz-json-1.0",
				Body: `{"TableName": "orders", "KeyConditionExpression": "id = :v", "ExpressionAttributeValues": {":v": {"N": "1"}}}`, Service: "dynamodb", Region: "us-east-1"}},
		{"EventBridge PutEvents", "/events", service("arn:aws:apigateway:us-east-1:events:action/PutEvents",
			map[string]string{"application/json": `{"Entries": [{"Source": "shop", "DetailType": "order", "Detail": "$util.escapeJavaScript($input.body)", "EventBusName": "default"}]}`},
			map[string]string{"integration.request.header.X-Amz-Target": "'AWSEvents.PutEvents'", "integration.request.header.Content-Type": "'application/x-amz-json-1.1'"}), other,
			awsCall{Method: "POST", Path: "/", Target: "AWSEvents.PutEvents", ContentType: "application/x-amz-json-1.1",
				Body: `{"Entries": [{"Source": "shop", "DetailType": "order", "Detail": "{\"id\": 1}", "EventBusName": "default"}]}`, Service: "events", Region: "us-east-1"}},
		{"Kinesis PutRecord", "/kinesis", service("arn:aws:apigateway:us-east-1:kinesis:action/PutRecord",
			map[string]string{"application/json": `{"StreamName": "orders", "Data": "$util.base64Encode($input.body)", "PartitionKey": "$input.path('$.id')"}`}, nil), other,
			awsCall{Method: "POST", Path: "/", Target: "Kinesis_20131202.PutRecord", ContentType: "application/x-amz-json-1.1",
				Body: `{"StreamName": "orders", "Data": "eyJpZCI6IDF9", "PartitionKey": "1"}`, Service: "kinesis", Region: "us-east-1"}},
	}
	for _, r := range rows {
		api.method(r.path, "POST", r.integration)
		api.response(r.path, "POST", "200", nil, nil, map[string]string{"method.response.header.X-Service-Id": "integration.response.header.X-Amzn-Requestid"}, "")
		api.response(r.path, "POST", "400", aws.String(`4\d{2}`), map[string]string{"application/json": `{"failed": $input.json('$')}`}, nil, "")
	}
	api.deploy("test", nil)
	base := e.invokeURL(api.ID, "test")
	for _, tt := range rows {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, "POST", base+tt.path, strings.NewReader(`{"id": 1}`), "Content-Type: application/json")
			if r.Status != 200 || r.Header.Get("X-Service-Id") != "fake-request-id" || !traceRE.MatchString(r.Header.Get("X-Amzn-Trace-Id")) {
				t.Errorf("got %d %s %v", r.Status, r.Body, r.Header)
			}
			got := tt.fake.last(t)
			if !got.SignatureOK {
				t.Errorf("the signature does not verify")
			}
			got.SignatureOK = false
			if got != tt.want {
				t.Errorf("the service got\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}

	t.Run("service error selected by status", func(t *testing.T) {
		failing := newFakeAWS(t, 400, `{"__type":"ValidationException","message":"bad"}`)
		e := start(t, "--aws-endpoint", failing.URL)
		api := newRestAPI(t, e.apigw(), "failing")
		api.method("/ddb", "POST", service("arn:aws:apigateway:us-east-1:dynamodb:action/PutItem", map[string]string{"application/json": `{}`}, nil))
		api.response("/ddb", "POST", "200", nil, nil, nil, "")
		api.response("/ddb", "POST", "400", aws.String(`4\d{2}`), map[string]string{"application/json": `{"failed": $input.json('$.message')}`}, nil, "")
		api.deploy("test", nil)
		r := do(t, "POST", e.invokeURL(api.ID, "test")+"/ddb", strings.NewReader(`{}`), "Content-Type: application/json")
		if r.Status != 400 || r.Body != `{"failed": "bad"}` {
			t.Errorf("got %d %s", r.Status, r.Body)
		}
	})
}

func TestAWSServiceWithoutEndpoint(t *testing.T) {
	e := start(t)
	api := newRestAPI(t, e.apigw(), "noendpoint")
	api.method("/q", "POST", apigateway.PutIntegrationInput{Type: types.IntegrationTypeAws, IntegrationHttpMethod: aws.String("POST"),
		Uri: aws.String("arn:aws:apigateway:us-east-1:sqs:path/000000000000/orders")})
	api.response("/q", "POST", "200", nil, nil, nil, "")
	api.deploy("test", nil)
	r := do(t, "POST", e.invokeURL(api.ID, "test")+"/q", strings.NewReader(`{}`))
	wantGatewayError(t, r, 504, `{"message": "Network error communicating with endpoint"}`, "InternalServerErrorException")
	// The log line reaches the emulator's stderr pipe asynchronously: poll with a deadline.
	deadline := time.Now().Add(5 * time.Second)
	for log := e.log(); !strings.Contains(log, "--service-endpoint sqs=URL or --aws-endpoint URL"); log = e.log() {
		if time.Now().After(deadline) {
			t.Fatalf("the log does not name the missing flag:\n%s", log)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestEndpointFlagErrors(t *testing.T) {
	for _, tt := range []struct{ args []string }{
		{[]string{"--aws-endpoint", "localhost:4566"}},
		{[]string{"--service-endpoint", "sqs"}},
		{[]string{"--service-endpoint", "sqs=ftp://x"}},
	} {
		out, err := exec.Command(binary, append([]string{"start", "--port", "0"}, tt.args...)...).CombinedOutput()
		if err == nil || !strings.Contains(string(out), tt.args[0]) {
			t.Errorf("%v: %q %v", tt.args, out, err)
		}
	}
}
