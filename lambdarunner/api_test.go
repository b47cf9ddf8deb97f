package lambdarunner_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/apigw-local/apigw-local/lambdarunner"
)

// newAPI serves m's Handler on loopback and returns an SDK client pointed at it.
func newAPI(t *testing.T, m *lambdarunner.Manager) (*lambda.Client, string) {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	t.Cleanup(srv.Close)
	client := lambda.New(lambda.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	return client, srv.URL
}

func TestInvokeAPIWithSDK(t *testing.T) {
	m := newManager(t, lambdarunner.Config{})
	register(t, m, goFunction("echo", func(fc *lambdarunner.FunctionConfig) { fc.Environment = map[string]string{"A": "1"} }))
	zero := 0
	register(t, m, goFunction("off", func(fc *lambdarunner.FunctionConfig) { fc.ReservedConcurrency = &zero }))
	client, _ := newAPI(t, m)
	ctx := context.Background()

	out, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`{"a":1}`), LogType: types.LogTypeTail})
	if err != nil {
		t.Fatal(err)
	}
	if string(out.Payload) != `{"a":1}` || out.StatusCode != 200 || out.FunctionError != nil || aws.ToString(out.ExecutedVersion) != "$LATEST" {
		t.Errorf("Invoke: %+v payload %s", out, out.Payload)
	}
	tail, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if err != nil || !bytes.Contains(tail, []byte("REPORT RequestId: ")) {
		t.Errorf("LogResult %q (%v)", tail, err)
	}

	out, err = client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:000000000000:function:echo"), Payload: []byte(`{"action":"error","text":"x"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.FunctionError) != "Unhandled" || !bytes.Contains(out.Payload, []byte(`"errorType":"errorString"`)) {
		t.Errorf("function error: %v %s", aws.ToString(out.FunctionError), out.Payload)
	}

	out, err = client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), InvocationType: types.InvocationTypeDryRun})
	if err != nil || out.StatusCode != 204 {
		t.Errorf("DryRun: %v %v", out, err)
	}

	_, err = client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("ghost")})
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) || !strings.Contains(rnf.ErrorMessage(), "function:ghost") {
		t.Errorf("unknown function: %v", err)
	}
	_, err = client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`{nope`)})
	var irc *types.InvalidRequestContentException
	if !errors.As(err, &irc) {
		t.Errorf("malformed JSON: %v", err)
	}
	_, err = client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`"` + strings.Repeat("x", 6*1024*1024+1) + `"`)})
	var rtl *types.RequestTooLargeException
	if !errors.As(err, &rtl) {
		t.Errorf("large payload: %v", err)
	}
	_, err = client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("off")}, func(o *lambda.Options) { o.RetryMaxAttempts = 1 })
	var tmr *types.TooManyRequestsException
	if !errors.As(err, &tmr) || tmr.Reason != types.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded {
		t.Errorf("throttled: %v", err)
	}

	gf, err := client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("echo")})
	if err != nil {
		t.Fatal(err)
	}
	if c := gf.Configuration; aws.ToString(c.FunctionName) != "echo" || aws.ToInt32(c.Timeout) != 3 || aws.ToInt32(c.MemorySize) != 128 || c.Environment.Variables["A"] != "1" || c.Runtime != types.RuntimeProvidedal2023 {
		t.Errorf("GetFunction: %+v", c)
	}
	list, err := client.ListFunctions(ctx, &lambda.ListFunctionsInput{MaxItems: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Functions) != 1 || aws.ToString(list.Functions[0].FunctionName) != "echo" || list.NextMarker == nil {
		t.Errorf("ListFunctions page 1: %+v", list)
	}
	list, err = client.ListFunctions(ctx, &lambda.ListFunctionsInput{Marker: list.NextMarker})
	if err != nil || len(list.Functions) != 1 || aws.ToString(list.Functions[0].FunctionName) != "off" || list.NextMarker != nil {
		t.Errorf("ListFunctions page 2: %+v %v", list, err)
	}
}

func TestEventInvocation(t *testing.T) {
	m := newManager(t, lambdarunner.Config{})
	register(t, m, goFunction("async", nil))
	client, _ := newAPI(t, m)
	marker := filepath.Join(t.TempDir(), "ran")
	out, err := client.Invoke(context.Background(), &lambda.InvokeInput{
		FunctionName:   aws.String("async"),
		InvocationType: types.InvocationTypeEvent,
		Payload:        []byte(`{"action":"touch","path":"` + marker + `"}`),
	})
	if err != nil || out.StatusCode != 202 || len(out.Payload) != 0 {
		t.Fatalf("Event: %+v %v", out, err)
	}
	waitFor(t, "the Event invocation to run", 10*time.Second, func() bool {
		_, err := os.Stat(marker)
		return err == nil
	})
}

func TestInvokeAPIHTTPSurface(t *testing.T) {
	m := newManager(t, lambdarunner.Config{})
	register(t, m, goFunction("echo", nil))
	_, url := newAPI(t, m)
	tests := []struct {
		name, method, path string
		header             map[string]string
		status             int
		errType            string
	}{
		{"unknown operation", "DELETE", "/2015-03-31/functions/echo", nil, 404, "UnknownOperationException"},
		{"bad log type", "POST", "/2015-03-31/functions/echo/invocations", map[string]string{"X-Amz-Log-Type": "All"}, 400, "InvalidParameterValueException"},
		{"escaped ARN", "POST", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Aecho/invocations", nil, 200, ""},
		{"qualifier parameter", "POST", "/2015-03-31/functions/echo/invocations?Qualifier=prod", nil, 200, ""},
		{"get configuration", "GET", "/2015-03-31/functions/echo/configuration", nil, 200, ""},
		{"bad marker", "GET", "/2015-03-31/functions/?Marker=x", nil, 400, "InvalidParameterValueException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, url+tt.path, strings.NewReader(`{}`))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != tt.status || resp.Header.Get("X-Amzn-ErrorType") != tt.errType {
				t.Errorf("status %d type %q, want %d %q", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), tt.status, tt.errType)
			}
		})
	}
}

func TestInvokeRemote(t *testing.T) {
	m := newManager(t, lambdarunner.Config{})
	register(t, m, goFunction("echo", nil))
	_, url := newAPI(t, m)
	var stdout, stderr bytes.Buffer
	fnErr, err := lambdarunner.InvokeRemote(context.Background(), url, "echo", []byte(`{"k":"v"}`), &stdout, &stderr)
	if err != nil || fnErr || stdout.String() != "{\"k\":\"v\"}\n" || !strings.Contains(stderr.String(), "REPORT RequestId") {
		t.Errorf("echo: fnErr %v err %v stdout %q stderr %q", fnErr, err, stdout.String(), stderr.String())
	}
	fnErr, err = lambdarunner.InvokeRemote(context.Background(), url, "echo", []byte(`{"action":"error","text":"t"}`), &stdout, nil)
	if err != nil || !fnErr {
		t.Errorf("function error: fnErr %v err %v", fnErr, err)
	}
	_, err = lambdarunner.InvokeRemote(context.Background(), url, "ghost", nil, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException") || !strings.Contains(err.Error(), "Function not found") {
		t.Errorf("unknown function: %v", err)
	}
}
