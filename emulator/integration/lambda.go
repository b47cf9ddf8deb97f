package integration

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/apigw-local/apigw-local/emulator/dataplane"
	"github.com/apigw-local/apigw-local/lambdarunner"
)

// Lambda invokes functions through the Lambda runner: AWS_PROXY integrations (the proxy
// event and response contract) and AWS integrations whose URI is a Lambda invocation ARN
// (custom integrations: the mapped body is the payload).
type Lambda struct {
	runner lambdarunner.Runner
	log    *slog.Logger
	bufs   sync.Pool // *eventBuf
}

// eventBuf is a reusable proxy event buffer with room for its header list.
type eventBuf struct {
	b  []byte
	hs []header
}

// NewLambda returns the Lambda backends over runner.
func NewLambda(runner lambdarunner.Runner, log *slog.Logger) *Lambda {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l := &Lambda{runner: runner, log: log}
	l.bufs.New = func() any { return &eventBuf{b: make([]byte, 0, 2048), hs: make([]header, 0, 24)} }
	return l
}

// Proxy is the AWS_PROXY backend.
func (l *Lambda) Proxy() dataplane.Backend { return dataplane.BackendFunc(l.invokeProxy) }

// maxPooledEvent bounds the event buffers kept for reuse.
const maxPooledEvent = 64 << 10

// function resolves the function of a Lambda integration, stage variables substituted.
// Lambda integrations must call Lambda with POST: with another method every call fails
// with 500 (reference/lambda-proxy.md §1).
func function(x *dataplane.Exchange) (string, error) {
	it := x.Method.Integration
	if it.AWS == nil || it.AWS.Function == nil {
		return "", dataplane.ErrInternal(fmt.Errorf("integration URI %s is not a Lambda function invocation ARN (apigw-local runs Lambda functions only)", it.URI))
	}
	if it.HTTPMethod != http.MethodPost {
		return "", dataplane.ErrInternal(fmt.Errorf("Lambda integrations must use httpMethod POST, not %s", it.HTTPMethod))
	}
	fn, err := x.Expand(it.AWS.Function)
	if err != nil {
		return "", dataplane.ErrInternal(err)
	}
	return fn, nil
}

// lambdaTraceID is the trace header passed to the function.
func lambdaTraceID(x *dataplane.Exchange) string {
	if x.TraceID == "" {
		return ""
	}
	return x.TraceID + ";Sampled=0"
}

func (l *Lambda) invokeProxy(ctx context.Context, x *dataplane.Exchange, _ *dataplane.IntegrationRequest) (*dataplane.IntegrationResult, error) {
	fn, err := function(x)
	if err != nil {
		return nil, err
	}
	buf := l.bufs.Get().(*eventBuf)
	buf.b = appendProxyEvent(buf.b[:0], x, buf.hs)
	resp, err := l.runner.Invoke(ctx, &lambdarunner.InvokeRequest{FunctionName: fn, Payload: buf.b, PayloadIsJSON: true, TraceID: lambdaTraceID(x)})
	// Only a finished, successful invocation is done with its payload: one abandoned at the
	// integration timeout, or past the function's own timeout, may still be reading it.
	if err == nil && resp.FunctionError == "" && ctx.Err() == nil && cap(buf.b) <= maxPooledEvent {
		l.bufs.Put(buf)
	}
	if err != nil {
		return nil, invokeError(ctx, fn, err)
	}
	if resp.FunctionError != "" {
		return nil, functionFailed(fn, resp)
	}
	pr, err := parseProxyResponse(resp.Payload)
	if err != nil {
		return nil, dataplane.ErrIntegrationFailure(http.StatusBadGateway, fmt.Errorf("function %s: %w", fn, err))
	}
	res := &dataplane.IntegrationResult{Status: pr.status, Header: pr.header}
	switch {
	case pr.base64 && x.AcceptsBinary():
		b := make([]byte, base64.StdEncoding.DecodedLen(len(pr.body)))
		n, err := base64.StdEncoding.Decode(b, pr.body)
		if err != nil {
			return nil, dataplane.ErrInternal(fmt.Errorf("function %s: isBase64Encoded is true but the body is not base64: %w", fn, err))
		}
		res.Body = b[:n]
	default:
		// Without a binary Accept the base64 text goes out as it is (S).
		res.Body = pr.body
	}
	return res, nil
}

// functionFailed is 502: the function ran and failed (an exception, a crash, its own
// timeout, a response over 6 MB).
func functionFailed(fn string, resp *lambdarunner.InvokeResponse) error {
	msg := string(resp.Payload)
	if e := resp.Error; e != nil {
		msg = e.ErrorType + ": " + e.ErrorMessage
	}
	return dataplane.ErrIntegrationFailure(http.StatusBadGateway, fmt.Errorf("function %s failed: %s", fn, msg))
}

// invokeError maps a failed invoke: Lambda API rejections are 500, a payload over 6 MB is
// 413 Request Too Long (reference/lambda-proxy.md §2); the end of ctx is returned as it is
// for the pipeline to answer 504.
func invokeError(ctx context.Context, fn string, err error) error {
	var ie *lambdarunner.InvokeError
	if errors.As(err, &ie) {
		if ie.Code == lambdarunner.ErrRequestTooLarge {
			ge := dataplane.ErrRequestTooLong()
			ge.Cause = fmt.Errorf("function %s: %w", fn, err)
			return ge
		}
		return dataplane.ErrIntegrationFailure(http.StatusInternalServerError, fmt.Errorf("invoking %s: Lambda rejected the invocation: %w", fn, err))
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return dataplane.ErrIntegrationFailure(http.StatusInternalServerError, fmt.Errorf("invoking %s: %w", fn, err))
}

// invokeCustom is an AWS integration to Lambda: the mapped body is the payload; mapped
// headers X-Amz-Invocation-Type and X-Amz-Client-Context set the invocation. A function
// error is a response whose errorMessage selects the integration response.
func (l *Lambda) invokeCustom(ctx context.Context, x *dataplane.Exchange, req *dataplane.IntegrationRequest) (*dataplane.IntegrationResult, error) {
	fn, err := function(x)
	if err != nil {
		return nil, err
	}
	in := &lambdarunner.InvokeRequest{FunctionName: fn, Payload: req.Body, TraceID: lambdaTraceID(x)}
	if v := req.Header.Get("X-Amz-Invocation-Type"); v != "" {
		in.InvocationType = lambdarunner.InvocationType(strings.TrimSpace(v))
	}
	in.ClientContext = req.Header.Get("X-Amz-Client-Context")
	resp, err := l.runner.Invoke(ctx, in)
	if err != nil {
		var ie *lambdarunner.InvokeError
		if errors.As(err, &ie) && (ie.Code == lambdarunner.ErrInvalidRequestContent || ie.Code == lambdarunner.ErrInvalidParameterValue) {
			return nil, dataplane.ErrLambdaBadRequest(string(ie.Code), ie.Message, fmt.Errorf("invoking %s: %w", fn, err))
		}
		return nil, invokeError(ctx, fn, err)
	}
	res := &dataplane.IntegrationResult{
		Status: resp.StatusCode,
		Header: http.Header{
			"Content-Type":           {"application/json"},
			"X-Amzn-Requestid":       {resp.RequestID},
			"X-Amz-Executed-Version": {"$LATEST"},
		},
		Body: resp.Payload,
	}
	if resp.FunctionError != "" {
		res.Header["X-Amz-Function-Error"] = []string{resp.FunctionError}
		msg := ""
		if resp.Error != nil {
			msg = resp.Error.ErrorMessage
		}
		res.ErrorMessage = &msg
		l.log.Debug("Lambda function returned an error; selecting the integration response by its errorMessage",
			"function", fn, "errorMessage", msg)
	}
	return res, nil
}
