package runtimeapi

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apigw-local/apigw-local/lambdarunner/invocation"
)

// Config describes one function and how its environments run.
type Config struct {
	// FunctionName is the function's name (AWS_LAMBDA_FUNCTION_NAME).
	FunctionName string
	// Runtime is the Lambda runtime identifier, e.g. "nodejs20.x" (AWS_EXECUTION_ENV).
	Runtime string
	// Handler is the handler setting (_HANDLER).
	Handler string
	// CodeDir is the absolute code directory (LAMBDA_TASK_ROOT, the process's working directory).
	CodeDir string
	// Launcher says which process to start; see [Resolver.Resolve].
	Launcher Launcher
	// Environment holds the function's own variables.
	Environment map[string]string
	// Region is AWS_REGION and AWS_DEFAULT_REGION.
	Region string
	// Timeout is the function timeout; it must be positive.
	Timeout time.Duration
	// InitTimeout bounds the init phase (Lambda: 10 s); 0 means 10 s.
	InitTimeout time.Duration
	// IdleTimeout is how long an idle environment stays warm; 0 or less keeps it until Close.
	IdleTimeout time.Duration
	// MemorySize is the configured memory in MB (AWS_LAMBDA_FUNCTION_MEMORY_SIZE, REPORT lines).
	MemorySize int
	// ConcurrencyLimit is how many invocations may run at once; more are throttled. 0 throttles
	// everything (reserved concurrency 0).
	ConcurrencyLimit int
	// MaxEnvironments caps the environments of this function; invocations beyond it wait for one
	// to free up instead of starting another. 0 means no cap (Lambda's behaviour).
	MaxEnvironments int
	// Sink receives output printed outside any invocation; may be nil.
	Sink *invocation.Sink
	// Logger receives the runner's own warnings; may be nil.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Function is a pool of execution environments for one function. It is safe for concurrent use.
type Function struct {
	cfg        Config
	discardLog *log.Logger

	mu      sync.Mutex
	idle    []*env // most recently used last
	all     map[*env]struct{}
	waiters []chan handoff // invocations waiting for an environment under MaxEnvironments
	running int            // invocations holding a concurrency slot
	nextID  int
	closed  bool
}

var _ invocation.Backend = (*Function)(nil)

// NewFunction returns a Function; no process starts until the first invocation or [Function.Start].
func NewFunction(cfg Config) (*Function, error) {
	if cfg.Timeout <= 0 {
		return nil, errors.New("runtimeapi: timeout must be positive")
	}
	if cfg.Launcher == nil {
		return nil, errors.New("runtimeapi: no launcher")
	}
	if cfg.InitTimeout <= 0 {
		cfg.InitTimeout = 10 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Function{cfg: cfg, discardLog: log.New(discard{}, "", 0), all: map[*env]struct{}{}}, nil
}

type discard struct{}

// Write discards p.
func (discard) Write(p []byte) (int, error) { return len(p), nil }

func (f *Function) logf(format string, args ...any) {
	if f.cfg.Logger != nil {
		f.cfg.Logger.Warn(fmt.Sprintf(format, args...))
	}
}

// maxRetries bounds how often one invocation moves on after environments die before taking it.
const maxRetries = 3

// Invoke runs one invocation in a warm environment, or a new one.
func (f *Function) Invoke(ctx context.Context, req *invocation.Request, out *invocation.Result) error {
	for attempt := 0; ; attempt++ {
		c, e, err := f.try(ctx, req, out)
		if err != nil || c == nil {
			return err
		}
		if !c.retry || attempt == maxRetries {
			if c.retry {
				c.retry = false
				c.payload, c.funcErr = invocation.ExitError(req.RequestID, "exited before taking the event"), true
			}
			f.complete(e, c)
			out.Payload, out.FunctionError = c.payload, c.funcErr
			out.Duration, out.InitDuration = c.duration(), c.initDur
			return nil
		}
		e.detach()
		f.release(e)
	}
}

// try hands the invocation to one environment and waits for its outcome. It returns a nil call
// when the outcome is already in out (the process could not start).
func (f *Function) try(ctx context.Context, req *invocation.Request, out *invocation.Result) (*call, *env, error) {
	e, cold, err := f.acquire(ctx)
	if err != nil {
		return nil, nil, err
	}
	c := &call{req: req, done: make(chan struct{})}
	if cold {
		if err := e.start(); err != nil {
			e.kill()
			f.release(e)
			return nil, nil, f.startFailed(req, out, err)
		}
	}
	e.attach(c)
	select {
	case e.calls <- c:
	case <-c.done:
	case <-ctx.Done():
		if won, _ := c.claim(); won { // the runtime never saw the event: the environment stays good
			e.detach()
			f.release(e)
			return nil, nil, fmt.Errorf("runtimeapi: %s: waiting for an environment: %w", f.cfg.FunctionName, ctx.Err())
		}
	}
	select {
	case <-c.done:
	case <-ctx.Done():
		if c.state.CompareAndSwap(callWaiting, callAbandoned) {
			return nil, nil, fmt.Errorf("runtimeapi: %s: waiting for request %s: %w", f.cfg.FunctionName, req.RequestID, ctx.Err())
		}
		<-c.done
	}
	return c, e, nil
}

func (c *call) duration() time.Duration {
	if c.delivered.IsZero() || c.initPhase {
		return c.end.Sub(c.attached)
	}
	return c.end.Sub(c.delivered)
}

// startFailed reports a process that could not start as Lambda reports a bad entrypoint.
func (f *Function) startFailed(req *invocation.Request, out *invocation.Result, err error) error {
	req.Log.Start(version)
	msg := "RequestId: " + req.RequestID + " Error: " + err.Error()
	out.Payload = invocation.ErrorPayload{ErrorType: "Runtime.InvalidEntrypoint", ErrorMessage: msg}.Marshal()
	out.FunctionError = true
	req.Log.Line([]byte(msg))
	req.Log.Line([]byte("Runtime.InvalidEntrypoint"))
	req.Log.End()
	req.Log.Report(out, f.cfg.MemorySize, 0)
	return nil
}

// complete prints the call's closing lines and gives its environment back.
func (f *Function) complete(e *env, c *call) {
	// Output written before the runtime answered belongs to this invocation; anything later does
	// not, so the target is cleared in the same step.
	e.out.drainAndDetach()
	log := c.req.Log
	if c.startLogged.CompareAndSwap(false, true) {
		log.Start(version)
	}
	if c.timedOut > 0 {
		log.TimedOut(c.end, c.timedOut)
	} else if c.funcErr && e.dead.Load() && !c.initPhase {
		// Lambda logs the reason a runtime died under the request, e.g.
		// "RequestId: ... Error: Runtime exited with error: exit status 1" then "Runtime.ExitError".
		for _, l := range strings.Split(errorMessage(c.payload), "\n") {
			log.Line([]byte(l))
		}
	}
	log.End()
	res := invocation.Result{Duration: c.duration(), InitDuration: c.initDur}
	log.Report(&res, f.cfg.MemorySize, e.peak())
	e.detach()
	f.release(e)
}

// acquire takes a concurrency slot and an environment: the most recently used idle one, else a new
// one (cold), else, under MaxEnvironments, the next one released.
func (f *Function) acquire(ctx context.Context) (e *env, cold bool, err error) {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil, false, invocation.ErrClosed
	}
	if f.running >= f.cfg.ConcurrencyLimit {
		f.mu.Unlock()
		return nil, false, invocation.ErrThrottled
	}
	f.running++
	for len(f.idle) > 0 {
		e = f.idle[len(f.idle)-1]
		f.idle = f.idle[:len(f.idle)-1]
		if !e.dead.Load() {
			e.idle.Stop()
			f.mu.Unlock()
			return e, false, nil
		}
	}
	if f.cfg.MaxEnvironments <= 0 || len(f.all) < f.cfg.MaxEnvironments {
		e = f.newEnvLocked()
		f.mu.Unlock()
		return e, true, nil
	}
	ch := make(chan handoff, 1)
	f.waiters = append(f.waiters, ch)
	f.mu.Unlock()
	var h handoff
	select {
	case h = <-ch:
	case <-ctx.Done():
		f.mu.Lock()
		if i := slices.Index(f.waiters, ch); i >= 0 {
			f.waiters = slices.Delete(f.waiters, i, i+1)
			f.running--
			f.mu.Unlock()
			return nil, false, fmt.Errorf("runtimeapi: %s: waiting for a free environment: %w", f.cfg.FunctionName, ctx.Err())
		}
		f.mu.Unlock()
		h = <-ch // handed over concurrently: take it; the caller's ctx ends the call soon after
	}
	if h.closed {
		return nil, false, invocation.ErrClosed
	}
	return h.env, h.cold, nil
}

// handoff is what a waiting invocation receives: an idle environment, a new one to start (its
// slot under MaxEnvironments already taken), or closed. The waiter's concurrency slot stays
// counted throughout.
type handoff struct {
	env    *env
	cold   bool
	closed bool
}

func (f *Function) newEnvLocked() *env {
	f.nextID++
	e := newEnv(f, f.nextID)
	f.all[e] = struct{}{}
	return e
}

// release returns a slot and its environment after an invocation.
func (f *Function) release(e *env) {
	f.mu.Lock()
	f.running--
	if e.dead.Load() || f.closed {
		f.mu.Unlock()
		f.drop(e)
		return
	}
	if len(f.waiters) > 0 {
		ch := f.waiters[0]
		f.waiters = f.waiters[1:]
		f.mu.Unlock()
		ch <- handoff{env: e}
		return
	}
	f.idle = append(f.idle, e)
	if f.cfg.IdleTimeout > 0 {
		e.idle.Reset(f.cfg.IdleTimeout)
	}
	f.mu.Unlock()
}

// drop kills e and forgets it.
func (f *Function) drop(e *env) {
	e.kill()
	if !e.started() { // no wait goroutine will remove it
		f.remove(e)
	}
}

// remove forgets a dead environment; a waiter, if any, may start a replacement.
func (f *Function) remove(e *env) {
	if !e.removed.CompareAndSwap(false, true) {
		return
	}
	f.mu.Lock()
	delete(f.all, e)
	if i := slices.Index(f.idle, e); i >= 0 {
		f.idle = slices.Delete(f.idle, i, i+1)
	}
	if len(f.waiters) > 0 && !f.closed {
		ch := f.waiters[0]
		f.waiters = f.waiters[1:]
		ne := f.newEnvLocked()
		f.mu.Unlock()
		ch <- handoff{env: ne, cold: true}
		return
	}
	f.mu.Unlock()
}

// reap kills e if it is still idle when its idle timer fires.
func (f *Function) reap(e *env) {
	e.mu.Lock()
	lastUsed := e.lastUsed
	e.mu.Unlock()
	f.mu.Lock()
	i := slices.Index(f.idle, e)
	if i < 0 || f.cfg.Now().Sub(lastUsed) < f.cfg.IdleTimeout {
		f.mu.Unlock()
		return
	}
	f.idle = slices.Delete(f.idle, i, i+1)
	f.mu.Unlock()
	e.kill()
}

// Start starts one environment and waits for its init to finish, so the first invocation is warm.
func (f *Function) Start(ctx context.Context) error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return invocation.ErrClosed
	}
	e := f.newEnvLocked()
	f.running++ // released below like an invocation
	f.mu.Unlock()
	err := e.start()
	if err == nil {
		err = e.waitReady(ctx)
	}
	if err != nil {
		e.kill()
		f.release(e)
		return fmt.Errorf("runtimeapi: starting %s: %w", f.cfg.FunctionName, err)
	}
	e.mu.Lock()
	e.lastUsed = f.cfg.Now()
	e.mu.Unlock()
	f.release(e)
	return nil
}

// Close kills every environment and waits for their processes to exit, or for ctx.
func (f *Function) Close(ctx context.Context) error {
	f.mu.Lock()
	f.closed = true
	envs := make([]*env, 0, len(f.all))
	for e := range f.all {
		envs = append(envs, e)
	}
	waiters := f.waiters
	f.waiters = nil
	f.idle = nil
	f.mu.Unlock()
	for _, ch := range waiters {
		ch <- handoff{closed: true}
	}
	for _, e := range envs {
		e.kill()
	}
	for _, e := range envs {
		if !e.started() {
			continue
		}
		select {
		case <-e.exited:
		case <-ctx.Done():
			return fmt.Errorf("runtimeapi: closing %s: %w", f.cfg.FunctionName, ctx.Err())
		}
	}
	return nil
}

// Stats is a snapshot of a function's pool.
type Stats struct {
	// Environments is how many environments exist (starting, idle or busy).
	Environments int
	// Idle is how many of them wait for an invocation.
	Idle int
	// Running is how many invocations hold a concurrency slot.
	Running int
}

// Stats returns a snapshot of the pool.
func (f *Function) Stats() Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return Stats{Environments: len(f.all), Idle: len(f.idle), Running: f.running}
}

// PIDs returns the process ids of the function's running environments (for resource reports).
func (f *Function) PIDs() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	var pids []int
	for e := range f.all {
		e.mu.Lock()
		if e.pid > 0 && !e.dead.Load() {
			pids = append(pids, e.pid)
		}
		e.mu.Unlock()
	}
	return pids
}

// environ builds the process environment Lambda gives a runtime: defaults the function may
// override, then the function's variables, then the variables the runtime depends on.
func (f *Function) environ(runtimeAPI string, extra []string) []string {
	c := &f.cfg
	env := make([]string, 0, 24+len(c.Environment)+len(extra))
	env = append(env,
		"PATH="+hostPath(),
		"LANG=en_US.UTF-8",
		"TZ=:UTC",
		// Lambda gives a function one vCPU per 1,769 MB, and Go (1.25+) sizes GOMAXPROCS from
		// that cgroup limit; the host has no such limit, so say it.
		"GOMAXPROCS="+strconv.Itoa(max(1, (c.MemorySize+1768)/1769)),
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_SESSION_TOKEN=test",
	)
	env = append(env, extra...)
	for k, v := range c.Environment {
		env = append(env, k+"="+v)
	}
	now := c.Now().UTC()
	env = append(env,
		"AWS_LAMBDA_RUNTIME_API="+runtimeAPI,
		"AWS_LAMBDA_FUNCTION_NAME="+c.FunctionName,
		"AWS_LAMBDA_FUNCTION_VERSION="+version,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE="+strconv.Itoa(c.MemorySize),
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/"+c.FunctionName,
		"AWS_LAMBDA_LOG_STREAM_NAME="+now.Format("2006/01/02")+"/["+version+"]"+randomHex(16),
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_EXECUTION_ENV=AWS_Lambda_"+c.Runtime,
		"AWS_REGION="+c.Region,
		"AWS_DEFAULT_REGION="+c.Region,
		"_HANDLER="+c.Handler,
		"LAMBDA_TASK_ROOT="+c.CodeDir,
	)
	return env
}
