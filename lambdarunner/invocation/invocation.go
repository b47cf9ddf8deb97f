// Package invocation holds what the Lambda runners share: one invocation as a backend sees it
// ([Request], [Result]), the [Backend] contract, the Lambda-shaped error payloads the service itself
// produces (timeouts, crashed runtimes) and the START / END / REPORT log lines Lambda prints.
//
// It emulates the parts of AWS Lambda that sit between the Invoke API and a runtime. Known
// differences from AWS: "Max Memory Used" is the resident-set peak of the whole process (or of the
// emulator for in-process handlers), and "Billed Duration" is the invoke duration plus any init
// duration rounded up to the millisecond, as Lambda bills since 2025, without per-runtime rules.
package invocation

import (
	"context"
	"errors"
	"time"
)

// MaxPayload is Lambda's limit for a synchronous request or response payload (6 MB).
// Source: Lambda quotas page, "Invocation payload (request and response)": 6 MB each.
const MaxPayload = 6 * 1024 * 1024

// Request is one invocation as a backend sees it. The Manager fills it; a backend must not keep it
// after Invoke returns.
type Request struct {
	// RequestID is the invocation id (Lambda-Runtime-Aws-Request-Id).
	RequestID string
	// FunctionARN is the ARN the caller invoked, qualifier included when given.
	FunctionARN string
	// Payload is the event, valid JSON.
	Payload []byte
	// TraceID is the X-Ray trace header value passed to the runtime, if any.
	TraceID string
	// ClientContext is the decoded client context JSON, if any.
	ClientContext string
	// CognitoIdentity is the Cognito identity JSON, if any.
	CognitoIdentity string
	// Log receives every log line of this invocation (START, the function's own output, END,
	// REPORT). Never nil when the Manager calls a backend.
	Log *Log
}

// Result is the outcome of an invocation that ran (or tried to): either the function's response, or
// a Lambda-shaped error payload with FunctionError set.
type Result struct {
	// Payload is the response, or the error JSON when FunctionError is true.
	Payload []byte
	// FunctionError is true for every error Lambda reports with X-Amz-Function-Error: Unhandled:
	// handler errors, init errors, crashes, timeouts.
	FunctionError bool
	// Duration is the invoke phase as REPORT prints it.
	Duration time.Duration
	// InitDuration is non-zero when this invocation started a new environment.
	InitDuration time.Duration
}

// Backend runs invocations of one function.
type Backend interface {
	// Invoke runs one invocation and fills out. It returns an error only when the invocation could
	// not be attempted: [ErrThrottled], [ErrClosed], or ctx ending before an outcome (the function
	// keeps its own timeout regardless, and its environment is reclaimed when it finishes).
	Invoke(ctx context.Context, req *Request, out *Result) error
	// Start prepares one environment ahead of the first invocation (eager start). Backends without
	// environments return nil.
	Start(ctx context.Context) error
	// Close stops every environment of the function.
	Close(ctx context.Context) error
}

// ErrThrottled reports that the function is at its concurrency limit.
var ErrThrottled = errors.New("function is at its concurrency limit")

// ErrClosed reports that the runner was closed.
var ErrClosed = errors.New("lambda runner closed")
