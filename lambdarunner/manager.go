package lambdarunner

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apigw-local/apigw-local/lambdarunner/inprocess"
	"github.com/apigw-local/apigw-local/lambdarunner/invocation"
	"github.com/apigw-local/apigw-local/lambdarunner/runtimeapi"
)

// Runner invokes Lambda functions. [*Manager] implements it; the data plane depends on this
// interface so tests can substitute a fake.
type Runner interface {
	Invoke(ctx context.Context, req *InvokeRequest) (*InvokeResponse, error)
}

var _ Runner = (*Manager)(nil)

// InvocationType is the X-Amz-Invocation-Type of an invocation.
type InvocationType string

// The invocation types of the Invoke API.
const (
	RequestResponse InvocationType = "RequestResponse"
	Event           InvocationType = "Event"
	DryRun          InvocationType = "DryRun"
)

// MaxEventPayload is Lambda's limit for an asynchronous (Event) payload.
const MaxEventPayload = 256 * 1024

// InvokeRequest is one call of the Invoke API.
type InvokeRequest struct {
	// FunctionName is a name, a partial or full ARN, each optionally with ":qualifier".
	FunctionName string
	// Qualifier is a version or alias; it must match one given in FunctionName.
	Qualifier string
	// InvocationType is RequestResponse (the default when empty), Event or DryRun.
	InvocationType InvocationType
	// Payload is the event as JSON; empty means {}. Not retained after Invoke returns.
	Payload []byte
	// PayloadIsJSON promises that Payload is valid JSON, skipping the check Lambda makes (for
	// events the emulator builds itself, such as the API Gateway proxy event).
	PayloadIsJSON bool
	// ClientContext is base64 JSON, as the X-Amz-Client-Context header carries it.
	ClientContext string
	// TraceID is the X-Amzn-Trace-Id to pass to the function.
	TraceID string
	// CognitoIdentity is the Cognito identity JSON to pass to the function.
	CognitoIdentity string
	// LogTail asks for the last 4 KB of the invocation's log (X-Amz-Log-Type: Tail).
	LogTail bool
}

// InvokeResponse is the result of an invocation that was accepted.
type InvokeResponse struct {
	// StatusCode is 200 (RequestResponse), 202 (Event) or 204 (DryRun).
	StatusCode int
	// Payload is the function's response, or its error JSON when FunctionError is set.
	Payload []byte
	// FunctionError is "Unhandled" when the function failed (X-Amz-Function-Error), else empty.
	FunctionError string
	// Error is Payload parsed, when FunctionError is set.
	Error *FunctionError
	// LogTail is the end of the invocation's log when LogTail was asked for (not base64).
	LogTail []byte
	// ExecutedVersion is the version that ran: always $LATEST.
	ExecutedVersion string
	// RequestID is the invocation id.
	RequestID string
	// Duration is the invoke duration REPORT prints (init excluded).
	Duration time.Duration
}

// function is a registered function.
type function struct {
	cfg      FunctionConfig
	backend  invocation.Backend
	pool     *runtimeapi.Function // nil for in-process handlers
	reserved bool
	created  time.Time
}

// Manager is the function registry and the [Runner]. It is safe for concurrent use.
type Manager struct {
	cfg      Config
	sink     *invocation.Sink
	resolver *runtimeapi.Resolver

	mu        sync.Mutex                           // serializes registry changes
	functions atomic.Pointer[map[string]*function] // copy on write: Invoke takes no lock
	closed    atomic.Bool
	done      chan struct{} // closed by Close: stops Event retries
	events    sync.WaitGroup
	starting  sync.WaitGroup

	calls sync.Pool // *callState
}

type callState struct {
	log invocation.Log
	req invocation.Request
	res invocation.Result
}

// New returns a Manager with no functions.
func New(cfg Config) *Manager {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "000000000000"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.NewRequestID == nil {
		cfg.NewRequestID = newUUID
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 10 * time.Minute
	}
	if cfg.InitTimeout <= 0 {
		cfg.InitTimeout = 10 * time.Second
	}
	if cfg.ConcurrencyLimit <= 0 {
		cfg.ConcurrencyLimit = 1000
	}
	if cfg.EventRetryWindow <= 0 {
		cfg.EventRetryWindow = time.Minute
	}
	if cfg.BuildCacheDir == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			dir = os.TempDir()
		}
		cfg.BuildCacheDir = filepath.Join(dir, "apigw-local")
	}
	m := &Manager{
		cfg:  cfg,
		sink: invocation.NewSink(cfg.FunctionLogs, cfg.Logger),
		resolver: &runtimeapi.Resolver{
			CacheDir:     cfg.BuildCacheDir,
			Interpreters: cfg.Interpreters,
			GoCommand:    cfg.GoCommand,
			Logger:       cfg.Logger,
		},
		done: make(chan struct{}),
	}
	m.functions.Store(&map[string]*function{})
	m.calls.New = func() any { return new(callState) }
	return m
}

// Register adds a function that runs as Runtime API processes. It checks the configuration, finds
// the interpreter (or builds the Go code) now, so a missing node or python, an unsupported runtime
// or a compile error is an error here rather than at the first invocation.
func (m *Manager) Register(fc FunctionConfig) error {
	f, err := m.build(fc)
	if err != nil {
		return err
	}
	if err := m.add(f); err != nil {
		return err
	}
	m.startEager(f)
	return nil
}

// Replace swaps a function's configuration and code for new ones, or registers it if it is
// not registered yet (for reloading a project). The new configuration is checked and built
// first: on error the running function is untouched. Invocations already running on the old
// code finish (up to its timeout) before its environments stop; new ones run the new code.
func (m *Manager) Replace(ctx context.Context, fc FunctionConfig) error {
	f, err := m.build(fc)
	if err != nil {
		return err
	}
	m.mu.Lock()
	if m.closed.Load() {
		m.mu.Unlock()
		_ = f.backend.Close(ctx)
		return errors.New("lambdarunner: the manager is closed")
	}
	cur := *m.functions.Load()
	old := cur[f.cfg.Name]
	next := maps.Clone(cur)
	next[f.cfg.Name] = f
	m.functions.Store(&next)
	m.mu.Unlock()
	m.startEager(f)
	if old != nil {
		m.retire(old)
	}
	return nil
}

// retire closes a replaced function once its running invocations are done, or after its
// timeout (they cannot run longer).
func (m *Manager) retire(old *function) {
	if old.pool == nil {
		_ = old.backend.Close(context.Background())
		return
	}
	m.starting.Add(1)
	go func() {
		defer m.starting.Done()
		deadline := time.NewTimer(old.cfg.Timeout + time.Second)
		defer deadline.Stop()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for old.pool.Stats().Running > 0 {
			select {
			case <-deadline.C:
				_ = old.backend.Close(context.Background())
				return
			case <-m.done:
				_ = old.backend.Close(context.Background())
				return
			case <-tick.C:
			}
		}
		_ = old.backend.Close(context.Background())
	}()
}

// build checks a Runtime API function's configuration and prepares its pool.
func (m *Manager) build(fc FunctionConfig) (*function, error) {
	fc, err := m.normalize(fc)
	if err != nil {
		return nil, err
	}
	if fc.CodeDir == "" {
		return nil, fmt.Errorf("lambdarunner: function %s: no code directory: set code=DIR", fc.Name)
	}
	abs, err := filepath.Abs(fc.CodeDir)
	if err != nil {
		return nil, fmt.Errorf("lambdarunner: function %s: code directory %s: %w", fc.Name, fc.CodeDir, err)
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("lambdarunner: function %s: code directory %s does not exist or is not a directory", fc.Name, abs)
	}
	fc.CodeDir = abs
	if fc.Handler == "" && !isNative(fc.Runtime) {
		return nil, fmt.Errorf("lambdarunner: function %s: runtime %s needs a handler, e.g. handler=index.handler", fc.Name, fc.Runtime)
	}
	launcher, err := m.resolver.Resolve(runtimeapi.Spec{
		FunctionName: fc.Name, Runtime: fc.Runtime, Handler: fc.Handler, CodeDir: fc.CodeDir, Interpreter: fc.Interpreter,
	})
	if err != nil {
		return nil, fmt.Errorf("lambdarunner: %w", err)
	}
	limit, reserved := m.limit(fc)
	pool, err := runtimeapi.NewFunction(runtimeapi.Config{
		FunctionName:     fc.Name,
		Runtime:          fc.Runtime,
		Handler:          fc.Handler,
		CodeDir:          fc.CodeDir,
		Launcher:         launcher,
		Environment:      fc.Environment,
		Region:           m.cfg.Region,
		Timeout:          fc.Timeout,
		InitTimeout:      m.cfg.InitTimeout,
		IdleTimeout:      m.cfg.IdleTimeout,
		MemorySize:       fc.MemorySize,
		ConcurrencyLimit: limit,
		MaxEnvironments:  m.cfg.MaxEnvironments,
		Sink:             m.sink,
		Logger:           m.cfg.Logger,
		Now:              m.cfg.Now,
	})
	if err != nil {
		return nil, fmt.Errorf("lambdarunner: function %s: %w", fc.Name, err)
	}
	return &function{cfg: fc, backend: pool, pool: pool, reserved: reserved, created: m.cfg.Now()}, nil
}

// startEager starts one environment of f in the background when Config.Eager asks for it.
func (m *Manager) startEager(f *function) {
	if !m.cfg.Eager || f.pool == nil {
		return
	}
	if limit, _ := m.limit(f.cfg); limit <= 0 {
		return
	}
	m.starting.Add(1)
	go func() {
		defer m.starting.Done()
		if err := f.pool.Start(context.Background()); err != nil && !errors.Is(err, invocation.ErrClosed) {
			m.cfg.Logger.Warn("eager start failed", "function", f.cfg.Name, "error", err)
		}
	}()
}

// RegisterHandler adds a Go handler run in-process. handler is anything lambda.Start accepts: a
// func with up to two arguments (context.Context first) and up to two results (error last), or a
// lambda.Handler.
func (m *Manager) RegisterHandler(fc FunctionConfig, handler any) error {
	if fc.Runtime == "" {
		fc.Runtime = "provided.al2023"
	}
	fc, err := m.normalize(fc)
	if err != nil {
		return err
	}
	f, err := inprocess.New(handler, inprocess.Options{Timeout: fc.Timeout, MemorySize: fc.MemorySize, Now: m.cfg.Now})
	if err != nil {
		return fmt.Errorf("lambdarunner: function %s: %w", fc.Name, err)
	}
	_, reserved := m.limit(fc)
	backend := invocation.Backend(f)
	if fc.ReservedConcurrency != nil {
		backend = &limited{Backend: f, limit: int64(*fc.ReservedConcurrency)}
	}
	return m.add(&function{cfg: fc, backend: backend, reserved: reserved, created: m.cfg.Now()})
}

// limited applies reserved concurrency to an in-process handler.
type limited struct {
	invocation.Backend
	limit   int64
	running atomic.Int64
}

// Invoke throttles beyond the limit, else runs the handler.
func (l *limited) Invoke(ctx context.Context, req *invocation.Request, out *invocation.Result) error {
	if l.running.Add(1) > l.limit {
		l.running.Add(-1)
		return invocation.ErrThrottled
	}
	defer l.running.Add(-1)
	return l.Backend.Invoke(ctx, req, out)
}

func isNative(runtime string) bool {
	return runtime == "go1.x" || runtime == "provided" || len(runtime) > 9 && runtime[:9] == "provided."
}

func (m *Manager) normalize(fc FunctionConfig) (FunctionConfig, error) {
	if !validName(fc.Name) {
		return fc, fmt.Errorf("lambdarunner: function name %q is invalid: use 1 to 64 letters, digits, hyphens or underscores", fc.Name)
	}
	if fc.Runtime == "" {
		return fc, fmt.Errorf("lambdarunner: function %s: no runtime: set runtime=nodejs20.x, python3.12, provided.al2023, ...", fc.Name)
	}
	if fc.Timeout < 0 {
		return fc, fmt.Errorf("lambdarunner: function %s: timeout %s is negative", fc.Name, fc.Timeout)
	}
	if fc.Timeout == 0 {
		fc.Timeout = DefaultTimeout
	}
	if fc.MemorySize < 0 {
		return fc, fmt.Errorf("lambdarunner: function %s: memory size %d is negative", fc.Name, fc.MemorySize)
	}
	if fc.MemorySize == 0 {
		fc.MemorySize = DefaultMemorySize
	}
	if fc.ReservedConcurrency != nil {
		if *fc.ReservedConcurrency < 0 {
			return fc, fmt.Errorf("lambdarunner: function %s: reserved concurrency %d is negative", fc.Name, *fc.ReservedConcurrency)
		}
		rc := *fc.ReservedConcurrency
		fc.ReservedConcurrency = &rc
	}
	fc.Environment = maps.Clone(fc.Environment)
	return fc, nil
}

func (m *Manager) limit(fc FunctionConfig) (limit int, reserved bool) {
	if fc.ReservedConcurrency != nil {
		return *fc.ReservedConcurrency, true
	}
	return m.cfg.ConcurrencyLimit, false
}

func (m *Manager) add(f *function) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed.Load() {
		_ = f.backend.Close(context.Background())
		return errors.New("lambdarunner: the manager is closed")
	}
	old := *m.functions.Load()
	if _, ok := old[f.cfg.Name]; ok {
		_ = f.backend.Close(context.Background())
		return fmt.Errorf("lambdarunner: function %s is already registered", f.cfg.Name)
	}
	next := maps.Clone(old)
	next[f.cfg.Name] = f
	m.functions.Store(&next)
	return nil
}

// Unregister removes a function and stops its environments (for reloading a project).
func (m *Manager) Unregister(ctx context.Context, name string) error {
	m.mu.Lock()
	old := *m.functions.Load()
	f, ok := old[name]
	if ok {
		next := maps.Clone(old)
		delete(next, name)
		m.functions.Store(&next)
	}
	m.mu.Unlock()
	if !ok {
		return fmt.Errorf("lambdarunner: function %s is not registered", name)
	}
	return f.backend.Close(ctx)
}

// Functions returns the registered configurations, sorted by name, with defaults applied.
func (m *Manager) Functions() []FunctionConfig {
	fs := *m.functions.Load()
	out := make([]FunctionConfig, 0, len(fs))
	for _, f := range fs {
		out = append(out, f.cfg)
	}
	slices.SortFunc(out, func(a, b FunctionConfig) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	return out
}

// lookup resolves a FunctionName parameter and an optional Qualifier.
func (m *Manager) lookup(name, qualifier string) (*function, string, error) {
	ref, ok := parseFunctionRef(name)
	if !ok {
		// Lambda validates the pattern; an unparsable name cannot be registered, so it is not found.
		return nil, "", &InvokeError{Code: ErrResourceNotFound, Message: "Function not found: " + name}
	}
	if qualifier != "" {
		if ref.qualifier != "" && ref.qualifier != qualifier {
			return nil, "", &InvokeError{Code: ErrInvalidParameterValue, Message: "The derived qualifier from the function name does not match the specified qualifier."}
		}
		ref.qualifier = qualifier
	}
	arn := m.functionARN(ref.name, ref.qualifier)
	f, ok := (*m.functions.Load())[ref.name]
	if !ok {
		return nil, arn, notFound(arn)
	}
	return f, arn, nil
}

// Invoke runs a function. See [InvokeResponse] for outcomes and [InvokeError] for rejections.
// The function's own timeout applies whatever ctx says; ctx ending only stops the wait (the
// invocation finishes in the background).
func (m *Manager) Invoke(ctx context.Context, req *InvokeRequest) (*InvokeResponse, error) {
	if m.closed.Load() {
		return nil, &InvokeError{Code: ErrService, Message: "the emulator is shutting down"}
	}
	f, arn, err := m.lookup(req.FunctionName, req.Qualifier)
	if err != nil {
		return nil, err
	}
	typ := req.InvocationType
	if typ == "" {
		typ = RequestResponse
	}
	limit := invocation.MaxPayload
	switch typ {
	case RequestResponse, DryRun:
	case Event:
		limit = MaxEventPayload
	default:
		return nil, &InvokeError{Code: ErrInvalidParameterValue, Message: fmt.Sprintf("1 validation error detected: Value '%s' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]", typ)}
	}
	if len(req.Payload) > limit {
		return nil, &InvokeError{Code: ErrRequestTooLarge, Message: fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", limit)}
	}
	payload := req.Payload
	if len(payload) == 0 {
		payload = emptyEvent
	} else if !req.PayloadIsJSON && !json.Valid(payload) {
		return nil, &InvokeError{Code: ErrInvalidRequestContent, Message: "Could not parse request body into json: Could not parse payload into json: " + jsonError(payload)}
	}
	clientContext := ""
	if req.ClientContext != "" {
		b, err := base64.StdEncoding.DecodeString(req.ClientContext)
		if err != nil || !json.Valid(b) {
			return nil, &InvokeError{Code: ErrInvalidRequestContent, Message: "Client context must be a valid Base64-encoded JSON object."}
		}
		clientContext = string(b)
	}
	id := m.cfg.NewRequestID()
	switch typ {
	case DryRun:
		return &InvokeResponse{StatusCode: 204, RequestID: id, ExecutedVersion: "$LATEST"}, nil
	case Event:
		ev := invocation.Request{
			RequestID: id, FunctionARN: arn, Payload: slices.Clone(payload), TraceID: req.TraceID,
			ClientContext: clientContext, CognitoIdentity: req.CognitoIdentity,
		}
		m.events.Add(1)
		go m.runEvent(f, ev)
		return &InvokeResponse{StatusCode: 202, RequestID: id}, nil
	}

	// The call state is pooled, but only handed back after a finished invocation: an abandoned
	// one (ctx ended) is still referenced by its environment until the function finishes.
	cs := m.calls.Get().(*callState)
	cs.log.Reset(m.sink, f.cfg.Name, id, req.LogTail)
	cs.req = invocation.Request{
		RequestID: id, FunctionARN: arn, Payload: payload, TraceID: req.TraceID,
		ClientContext: clientContext, CognitoIdentity: req.CognitoIdentity, Log: &cs.log,
	}
	cs.res = invocation.Result{}
	if err := f.backend.Invoke(ctx, &cs.req, &cs.res); err != nil {
		return nil, m.backendError(f, err)
	}
	resp := &InvokeResponse{
		StatusCode:      200,
		Payload:         cs.res.Payload,
		ExecutedVersion: "$LATEST",
		RequestID:       id,
		Duration:        cs.res.Duration,
		LogTail:         cs.log.Tail(),
	}
	if cs.res.FunctionError {
		resp.FunctionError = "Unhandled"
		resp.Error = parseFunctionError(resp.Payload)
	}
	cs.req = invocation.Request{}
	cs.res = invocation.Result{}
	m.calls.Put(cs)
	return resp, nil
}

var emptyEvent = []byte("{}")

func jsonError(b []byte) string {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err.Error()
	}
	return "invalid JSON"
}

func (m *Manager) backendError(f *function, err error) error {
	switch {
	case errors.Is(err, invocation.ErrThrottled):
		reason := throttleReasonUnreserved
		if f.reserved {
			reason = throttleReasonReserved
		}
		// Source: Lambda's 429 body {"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded","Type":"User","message":"Rate Exceeded."}.
		return &InvokeError{Code: ErrTooManyRequests, Message: "Rate Exceeded.", Reason: reason}
	case errors.Is(err, invocation.ErrClosed):
		return &InvokeError{Code: ErrService, Message: "the emulator is shutting down"}
	}
	return fmt.Errorf("lambdarunner: invoking %s: %w", f.cfg.Name, err)
}

// runEvent runs an Event invocation in the background, retrying while throttled.
func (m *Manager) runEvent(f *function, req invocation.Request) {
	defer m.events.Done()
	var log invocation.Log
	log.Reset(m.sink, f.cfg.Name, req.RequestID, false)
	req.Log = &log
	giveUp := m.cfg.Now().Add(m.cfg.EventRetryWindow)
	backoff := 50 * time.Millisecond
	for {
		var res invocation.Result
		err := f.backend.Invoke(context.Background(), &req, &res)
		switch {
		case err == nil:
			if res.FunctionError {
				m.cfg.Logger.Warn("asynchronous invocation failed", "function", f.cfg.Name, "requestId", req.RequestID, "error", string(res.Payload))
			}
			return
		case errors.Is(err, invocation.ErrThrottled) && m.cfg.Now().Before(giveUp):
			t := time.NewTimer(backoff)
			select {
			case <-t.C:
			case <-m.done:
				t.Stop()
				return
			}
			backoff = min(backoff*2, 5*time.Second)
		default:
			m.cfg.Logger.Warn("asynchronous invocation dropped", "function", f.cfg.Name, "requestId", req.RequestID, "error", err)
			return
		}
	}
}

// Close stops accepting invocations, kills every environment and waits for them and for running
// Event invocations, or for ctx.
func (m *Manager) Close(ctx context.Context) error {
	if !m.closed.CompareAndSwap(false, true) {
		return nil
	}
	close(m.done)
	m.mu.Lock()
	fs := *m.functions.Load()
	m.mu.Unlock()
	var errs []error
	for _, f := range fs {
		if err := f.backend.Close(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	waited := make(chan struct{})
	go func() {
		m.events.Wait()
		m.starting.Wait()
		close(waited)
	}()
	select {
	case <-waited:
	case <-ctx.Done():
		errs = append(errs, fmt.Errorf("lambdarunner: waiting for background invocations: %w", ctx.Err()))
	}
	return errors.Join(errs...)
}

// newUUID returns a random RFC 4122 version 4 UUID, the form of Lambda request ids.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}
