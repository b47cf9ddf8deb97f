// Package inprocess runs Go Lambda handlers inside the emulator's own process: any function
// signature github.com/aws/aws-lambda-go/lambda accepts, or a lambda.Handler. It is the fast path for
// Go tests (no process, no HTTP hop) and behaves like the Go runtime on Lambda where it can:
// the handler's context carries lambdacontext.LambdaContext, the trace id under
// "x-amzn-trace-id" and the function's deadline; returned errors and panics become the error
// payloads aws-lambda-go posts ({"errorMessage","errorType","stackTrace"}).
//
// Knowing differences from AWS: there is no process boundary. A handler that ignores its context
// past the timeout gets a "Task timed out" result but its goroutine keeps running until it returns
// (Lambda would freeze and discard the environment); a panic does not restart anything (Lambda's
// Go runtime exits after a panic); lambdacontext.FunctionName and friends, which aws-lambda-go reads
// from the process environment, are not set per function; the handler's stdout is the emulator's,
// so only START, END and REPORT lines reach the function log.
package inprocess

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/apigw-local/apigw-local/lambdarunner/invocation"
)

// Options configures a Function.
type Options struct {
	// Timeout is the function timeout; it must be positive.
	Timeout time.Duration
	// MemorySize is the configured memory in MB, printed in REPORT lines.
	MemorySize int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Function is one in-process Go handler. It is safe for concurrent use: every invocation runs on
// its own goroutine, as concurrent Lambda environments would.
type Function struct {
	handler lambda.Handler
	opts    Options
	jobs    chan job      // idle workers wait here
	closed  chan struct{} // closed by Close: idle workers exit
	memMB   atomic.Int64  // cached peak RSS of this process, refreshed by invocations
	memAt   atomic.Int64  // unix nanos of the last refresh
}

var _ invocation.Backend = (*Function)(nil)

// New wraps handler, which must be a lambda.Handler or a function with a signature aws-lambda-go
// accepts: up to two arguments (context.Context first when there are two) and up to two results
// (error last). The check happens here, so a bad handler fails at registration, not per call.
func New(handler any, opts Options) (*Function, error) {
	if opts.Timeout <= 0 {
		return nil, errors.New("inprocess: timeout must be positive")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if h, ok := handler.(lambda.Handler); ok {
		return newFunction(h, opts), nil
	}
	if err := validate(handler); err != nil {
		return nil, fmt.Errorf("inprocess: handler %T: %w; use a signature lambda.Start accepts, e.g. func(context.Context, Event) (Response, error)", handler, err)
	}
	return newFunction(lambda.NewHandler(handler), opts), nil
}

func newFunction(h lambda.Handler, opts Options) *Function {
	return &Function{handler: h, opts: opts, jobs: make(chan job), closed: make(chan struct{})}
}

// job is one handler call for a worker.
type job struct {
	ctx     context.Context
	payload []byte
	done    chan<- outcome
}

// dispatch hands j to an idle worker, or starts one. Workers outlive calls so their stacks, grown
// by JSON and reflection, are reused: a fresh goroutine per call spends more time growing its
// stack than the runner spends on everything else.
func (f *Function) dispatch(j job) {
	select {
	case f.jobs <- j:
	default:
		go f.worker(j)
	}
}

func (f *Function) worker(j job) {
	for {
		f.call(j.ctx, j.payload, j.done)
		select {
		case j = <-f.jobs:
		case <-f.closed:
			return
		}
	}
}

var (
	contextType = reflect.TypeFor[context.Context]()
	errorType   = reflect.TypeFor[error]()
)

// validate applies aws-lambda-go's rules (lambda/handler.go handlerTakesContext, validateReturns).
func validate(handler any) error {
	if handler == nil {
		return errors.New("handler is nil")
	}
	t := reflect.TypeOf(handler)
	if t.Kind() != reflect.Func {
		return fmt.Errorf("handler kind %s is not func", t.Kind())
	}
	switch t.NumIn() {
	case 0, 1:
	case 2:
		if !t.In(0).Implements(contextType) {
			return fmt.Errorf("handler takes two arguments, but the first is not Context. got %s", t.In(0))
		}
	default:
		return fmt.Errorf("handlers may not take more than two arguments, but handler takes %d", t.NumIn())
	}
	switch t.NumOut() {
	case 0:
	case 1:
		if !t.Out(0).Implements(errorType) {
			return errors.New("handler returns a single value, but it does not implement error")
		}
	case 2:
		if !t.Out(1).Implements(errorType) {
			return errors.New("handler returns two values, but the second does not implement error")
		}
	default:
		return errors.New("handler may not return more than two values")
	}
	return nil
}

type outcome struct {
	payload []byte
	err     *messages.InvokeResponse_Error
	at      time.Time // when the handler returned
}

// Invoke calls the handler on a new goroutine and waits for it, the function's timeout, or ctx.
// The timeout is enforced whatever ctx says; ctx ending only stops the wait.
func (f *Function) Invoke(ctx context.Context, req *invocation.Request, out *invocation.Result) error {
	start := f.opts.Now()
	req.Log.Start("$LATEST")
	deadline := start.Add(f.opts.Timeout)

	hctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	defer cancel()
	lc := &lambdacontext.LambdaContext{AwsRequestID: req.RequestID, InvokedFunctionArn: req.FunctionARN}
	if err := decodeContextJSON(req.ClientContext, &lc.ClientContext); err != nil {
		return f.finish(req, out, start, outcome{err: errorResponse(err)})
	}
	if err := decodeContextJSON(req.CognitoIdentity, &lc.Identity); err != nil {
		return f.finish(req, out, start, outcome{err: errorResponse(err)})
	}
	hctx = lambdacontext.NewContext(hctx, lc)
	// aws-lambda-go stores the trace header under this string key (lambda/invoke_loop.go) and the
	// X-Ray SDK reads it from there, so handlers expect it.
	hctx = context.WithValue(hctx, "x-amzn-trace-id", req.TraceID) //nolint:staticcheck // matches aws-lambda-go

	done := make(chan outcome, 1)
	f.dispatch(job{ctx: hctx, payload: req.Payload, done: done})

	select {
	case o := <-done:
		if o.at.Before(deadline) {
			return f.finish(req, out, start, o)
		}
	case <-hctx.Done():
		select { // a result that came before the deadline still wins
		case o := <-done:
			if o.at.Before(deadline) {
				return f.finish(req, out, start, o)
			}
		default:
		}
	case <-ctx.Done():
		return fmt.Errorf("inprocess: waiting for %s: %w", req.RequestID, ctx.Err())
	}
	// The deadline passed, or the handler returned at or after it (typically with ctx.Err()).
	elapsed := max(f.opts.Now().Sub(start), f.opts.Timeout)
	req.Log.TimedOut(f.opts.Now(), elapsed)
	out.Payload, out.FunctionError, out.Duration = invocation.TimeoutError(req.RequestID, elapsed), true, elapsed
	f.report(req, out)
	return nil
}

func (f *Function) call(ctx context.Context, payload []byte, done chan<- outcome) {
	defer func() {
		if v := recover(); v != nil {
			done <- outcome{err: panicResponse(v), at: f.opts.Now()}
		}
	}()
	b, err := f.handler.Invoke(ctx, payload)
	if err != nil {
		done <- outcome{err: errorResponse(err), at: f.opts.Now()}
		return
	}
	done <- outcome{payload: b, at: f.opts.Now()}
}

func (f *Function) finish(req *invocation.Request, out *invocation.Result, start time.Time, o outcome) error {
	out.Duration = f.opts.Now().Sub(start)
	if o.err != nil {
		b, err := json.Marshal(o.err)
		if err != nil {
			b = invocation.ErrorPayload{ErrorType: "Runtime.SerializationError", ErrorMessage: err.Error()}.Marshal()
		}
		out.Payload, out.FunctionError = b, true
	} else if len(o.payload) > invocation.MaxPayload {
		out.Payload, out.FunctionError = invocation.ResponseTooLargeError(), true
	} else {
		out.Payload = o.payload
	}
	f.report(req, out)
	return nil
}

func (f *Function) report(req *invocation.Request, out *invocation.Result) {
	req.Log.End()
	req.Log.Report(out, f.opts.MemorySize, f.peakMemoryMB())
}

// peakMemoryMB reads this process's peak RSS at most once a second: reading /proc costs more than
// the whole in-process invocation.
func (f *Function) peakMemoryMB() int {
	now := time.Now().UnixNano()
	if now-f.memAt.Load() > int64(time.Second) {
		f.memAt.Store(now)
		f.memMB.Store(int64(invocation.PeakRSSMB(os.Getpid())))
	}
	return int(f.memMB.Load())
}

// Start does nothing: an in-process function has no environment to prepare.
func (f *Function) Start(context.Context) error { return nil }

// Close stops idle workers; running handlers finish on their own.
func (f *Function) Close(context.Context) error {
	select {
	case <-f.closed:
	default:
		close(f.closed)
	}
	return nil
}

func decodeContextJSON(s string, v any) error {
	if s == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("failed to unmarshal context json: %w", err)
	}
	return nil
}

// errorResponse mirrors aws-lambda-go's lambdaErrorResponse: the error type is the name of the
// error's dynamic type, pointer stripped ("errorString" for errors.New).
func errorResponse(err error) *messages.InvokeResponse_Error {
	var ive messages.InvokeResponse_Error
	if errors.As(err, &ive) {
		return &ive
	}
	return &messages.InvokeResponse_Error{Message: err.Error(), Type: typeName(err)}
}

// panicResponse mirrors aws-lambda-go's lambdaPanicResponse: type of the panic value, its %v text
// and the stack of the panicking goroutine.
func panicResponse(v any) *messages.InvokeResponse_Error {
	if ive, ok := v.(messages.InvokeResponse_Error); ok {
		return &ive
	}
	return &messages.InvokeResponse_Error{Message: fmt.Sprintf("%v", v), Type: typeName(v), StackTrace: stack()}
}

func typeName(v any) string {
	t := reflect.TypeOf(v)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

func stack() []*messages.InvokeResponse_Error_StackFrame {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(4, pcs) // runtime.Callers, stack, panicResponse, the deferred func
	frames := runtime.CallersFrames(pcs[:n])
	var out []*messages.InvokeResponse_Error_StackFrame
	for {
		fr, more := frames.Next()
		if !strings.HasPrefix(fr.Function, "runtime.") {
			label := fr.Function
			if i := strings.LastIndexByte(label, '/'); i >= 0 {
				label = label[i+1:]
			}
			out = append(out, &messages.InvokeResponse_Error_StackFrame{Path: fr.File, Line: int32(fr.Line), Label: label})
		}
		if !more {
			return out
		}
	}
}
