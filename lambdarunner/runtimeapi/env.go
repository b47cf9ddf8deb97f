package runtimeapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apigw-local/apigw-local/lambdarunner/invocation"
)

// version is the function version every invocation runs: only $LATEST exists here.
const version = "$LATEST"

// Call states. Exactly one producer (a runtime POST, the process exit, the timer) claims a call;
// the invoker may leave first, in which case the claimer also finishes the call.
const (
	callWaiting          int32 = iota // the invoker waits for an outcome
	callAbandoned                     // the invoker left (its ctx ended) before any outcome
	callClaimed                       // an outcome is being recorded; the invoker will finish
	callClaimedAbandoned              // an outcome is being recorded; the claimer finishes
)

// call is one invocation in an environment.
type call struct {
	req         *invocation.Request
	state       atomic.Int32
	startLogged atomic.Bool
	done        chan struct{} // closed by the claimer when the invoker waits

	attached time.Time
	// guarded by env.mu
	delivered time.Time
	deadline  time.Time

	// written by the claimer before done is closed
	payload   []byte
	funcErr   bool
	end       time.Time
	timedOut  time.Duration // non-zero when the call hit its timeout
	initDur   time.Duration // non-zero when this call waited for the environment's init
	initPhase bool          // the outcome came before the runtime took the event
	retry     bool          // the environment died before taking the event: run it elsewhere
}

// claim records that the caller produces this call's outcome. It reports whether the caller won
// and, if so, whether the invoker has gone (then the caller must finish the call itself).
func (c *call) claim() (won, invokerGone bool) {
	for {
		switch s := c.state.Load(); s {
		case callWaiting:
			if c.state.CompareAndSwap(s, callClaimed) {
				return true, false
			}
		case callAbandoned:
			if c.state.CompareAndSwap(s, callClaimedAbandoned) {
				return true, true
			}
		default:
			return false, false
		}
	}
}

// env is one execution environment: a runtime process and its Runtime API endpoint.
type env struct {
	fn    *Function
	id    int
	calls chan *call    // unbuffered: GET /next receives the next invocation here
	timer *time.Timer   // fires at the current call's deadline
	idle  *time.Timer   // fires when the environment has been idle for IdleTimeout
	out   *outputReader // the process's stdout and stderr

	stopping chan struct{} // closed by kill
	ready    chan struct{} // closed by the first GET /next
	exited   chan struct{} // closed when the process is gone and cleaned up
	killOnce sync.Once
	dead     atomic.Bool
	removed  atomic.Bool

	cmd *exec.Cmd // set by start before the wait goroutine runs; read by others under mu
	srv *http.Server

	mu        sync.Mutex
	pid       int
	startedAt time.Time
	cur       *call
	isReady   bool
	initDur   time.Duration
	initErr   []byte
	lastUsed  time.Time
	peakMB    int       // last known peak RSS (read before a kill, or from rusage after exit)
	peakAt    time.Time // when peakMB was read from /proc
}

func newEnv(f *Function, id int) *env {
	e := &env{
		fn:       f,
		id:       id,
		calls:    make(chan *call),
		stopping: make(chan struct{}),
		ready:    make(chan struct{}),
		exited:   make(chan struct{}),
	}
	e.timer = time.AfterFunc(time.Hour, e.onTimer)
	e.timer.Stop()
	e.idle = time.AfterFunc(time.Hour, func() { f.reap(e) })
	e.idle.Stop()
	return e
}

// start launches the process and its endpoint. On error nothing is left running.
func (e *env) start() error {
	l, err := e.fn.cfg.Launcher.Launch()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listening for the Runtime API on 127.0.0.1: %w", err)
	}
	e.srv = &http.Server{Handler: e.router(), ErrorLog: e.fn.discardLog}
	go func() { _ = e.srv.Serve(ln) }() // returns http.ErrServerClosed on kill

	r, w, err := os.Pipe()
	if err != nil {
		_ = e.srv.Close()
		return fmt.Errorf("creating the output pipe: %w", err)
	}
	cmd := exec.Command(l.Path, l.Args...)
	cmd.Dir = e.fn.cfg.CodeDir
	cmd.Env = e.fn.environ(ln.Addr().String(), l.Env)
	cmd.Stdout, cmd.Stderr = w, w
	setProcAttr(cmd)
	// The reader exists before the process does: the runtime may call /next (markReady)
	// before start returns.
	e.out = newOutputReader(r, e.fn.cfg.Sink, e.fn.cfg.FunctionName)
	e.mu.Lock() // the endpoint already serves: handlers read these under mu
	e.startedAt = e.fn.cfg.Now()
	err = cmd.Start()
	if err == nil {
		e.cmd, e.pid = cmd, cmd.Process.Pid
	}
	e.mu.Unlock()
	_ = w.Close() // the child holds its own copy
	if err != nil {
		_ = r.Close()
		_ = e.srv.Close()
		return err
	}
	go e.out.run()
	go e.wait()
	return nil
}

// markReady ends the init phase on the first GET /next.
func (e *env) markReady() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.isReady {
		return
	}
	e.isReady = true
	e.out.endInit()
	e.initDur = e.fn.cfg.Now().Sub(e.startedAt)
	if c := e.cur; c != nil && c.delivered.IsZero() {
		c.initDur = e.initDur
	}
	close(e.ready)
}

// attach makes c the environment's current call and arms the timer: the init deadline while the
// runtime initializes, else the function timeout (re-armed when the runtime takes the event).
func (e *env) attach(c *call) {
	now := e.fn.cfg.Now()
	c.attached = now
	e.mu.Lock()
	e.cur = c
	d := e.fn.cfg.Timeout
	if !e.isReady {
		d = e.fn.cfg.InitTimeout - now.Sub(e.startedAt)
	}
	c.deadline = now.Add(d)
	e.timer.Reset(d)
	e.mu.Unlock()
	e.out.setTarget(c.req.Log)
}

// detach clears the current call once it is finished.
func (e *env) detach() {
	e.mu.Lock()
	e.cur = nil
	e.timer.Stop()
	e.lastUsed = e.fn.cfg.Now()
	e.mu.Unlock()
	e.out.setTarget(nil)
}

// onTimer fails the current call once its deadline has passed and kills the environment: Lambda
// does not reuse an environment whose invocation timed out.
func (e *env) onTimer() {
	now := e.fn.cfg.Now()
	e.mu.Lock()
	c := e.cur
	if c == nil || now.Before(c.deadline) { // a stale firing from an earlier arm
		e.mu.Unlock()
		return
	}
	from := c.delivered
	initPhase := from.IsZero()
	if initPhase {
		from = e.startedAt
	}
	e.mu.Unlock()
	won, gone := c.claim()
	if !won {
		return
	}
	c.end = now
	c.initPhase = initPhase
	c.timedOut = max(now.Sub(from), time.Millisecond)
	c.payload, c.funcErr = invocation.TimeoutError(c.req.RequestID, c.timedOut), true
	e.mu.Lock()
	e.peakMB = invocation.PeakRSSMB(e.pid)
	e.mu.Unlock()
	e.kill()
	e.finish(c, gone)
}

// finish hands a claimed call to its invoker, or completes it when the invoker has gone.
func (e *env) finish(c *call, invokerGone bool) {
	if invokerGone && c.retry { // nobody waits for the event any more: drop it
		e.detach()
		e.fn.release(e)
		return
	}
	if invokerGone {
		e.fn.complete(e, c)
		return
	}
	close(c.done)
}

// wait reaps the process: the in-flight call, if any, fails with Runtime.ExitError (or the init
// error the runtime posted), and the environment leaves the pool.
func (e *env) wait() {
	err := e.cmd.Wait()
	reason := ""
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		reason = ee.ProcessState.String() // "exit status 1", "signal: killed"
	} else if err != nil {
		reason = err.Error()
	}
	e.dead.Store(true)
	e.mu.Lock()
	if mb := maxRSSMB(e.cmd.ProcessState); mb > e.peakMB {
		e.peakMB = mb
	}
	c, initErr, wasReady := e.cur, e.initErr, e.isReady
	e.mu.Unlock()
	e.out.drain()
	e.kill()       // stops the endpoint and any process the runtime left behind
	e.fn.remove(e) // before the invoker hears of it, so the pool is accurate when Invoke returns
	if c != nil {
		if won, gone := c.claim(); won {
			c.end = e.fn.cfg.Now()
			e.mu.Lock()
			c.initPhase = c.delivered.IsZero()
			e.mu.Unlock()
			switch {
			case initErr != nil:
				c.payload, c.funcErr = initErr, true
			case c.initPhase && wasReady:
				// The runtime finished an earlier invocation and exited before taking this one
				// (aws-lambda-go exits after reporting a panic). On Lambda the invocation is
				// routed to another environment; so here.
				c.retry = true
			default:
				c.payload, c.funcErr = invocation.ExitError(c.req.RequestID, reason), true
			}
			e.finish(c, gone)
		}
	}
	_ = e.srv.Close()
	close(e.exited)
}

// kill stops the environment for good: the process group is killed and the endpoint closed. The
// wait goroutine observes the exit.
func (e *env) kill() {
	e.killOnce.Do(func() {
		e.dead.Store(true)
		close(e.stopping)
		e.timer.Stop()
		e.idle.Stop()
		e.mu.Lock()
		cmd := e.cmd
		e.mu.Unlock()
		if cmd != nil {
			killProcess(cmd.Process)
		}
	})
}

// peakRefresh is how stale a REPORT line's "Max Memory Used" may be: reading /proc costs tens of
// microseconds, a tenth of a warm invocation.
const peakRefresh = 250 * time.Millisecond

// peak returns the process's peak RSS in MB for the REPORT line, re-read at most every
// peakRefresh (the first invocation always reads it; an exited process reports its rusage).
func (e *env) peak() int {
	now := time.Now()
	e.mu.Lock()
	mb, pid, fresh := e.peakMB, e.pid, now.Sub(e.peakAt) < peakRefresh
	e.mu.Unlock()
	if fresh || e.dead.Load() || pid == 0 {
		return mb
	}
	if v := invocation.PeakRSSMB(pid); v > 0 {
		e.mu.Lock()
		e.peakMB, e.peakAt = max(e.peakMB, v), now
		mb = e.peakMB
		e.mu.Unlock()
	}
	return mb
}

// waitReady waits for the end of init (used by eager starts).
func (e *env) waitReady(ctx context.Context) error {
	t := time.NewTimer(e.fn.cfg.InitTimeout)
	defer t.Stop()
	select {
	case <-e.ready:
		return nil
	case <-e.exited:
		e.mu.Lock()
		initErr := e.initErr
		e.mu.Unlock()
		if initErr != nil {
			return fmt.Errorf("init failed: %s", initErr)
		}
		return fmt.Errorf("the runtime exited during init: %s", e.cmd.ProcessState)
	case <-t.C:
		e.kill()
		return fmt.Errorf("init did not finish within %s", e.fn.cfg.InitTimeout)
	case <-ctx.Done():
		e.kill()
		return ctx.Err()
	}
}

// started reports whether the process was started (then the wait goroutine owns its cleanup).
func (e *env) started() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cmd != nil
}
