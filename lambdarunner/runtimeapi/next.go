package runtimeapi

import (
	"net/http"
	"strconv"
)

// handleNext serves GET /runtime/invocation/next: it blocks until an invocation is handed to this
// environment, then returns its event with the Lambda-Runtime-* headers. The first call ends the
// init phase.
func (e *env) handleNext(w http.ResponseWriter, r *http.Request) {
	e.markReady()
	select {
	case c := <-e.calls:
		now := e.fn.cfg.Now()
		deadline := now.Add(e.fn.cfg.Timeout)
		e.mu.Lock()
		c.delivered, c.deadline = now, deadline
		e.timer.Reset(e.fn.cfg.Timeout)
		e.mu.Unlock()
		if c.startLogged.CompareAndSwap(false, true) {
			c.req.Log.Start(version)
		}
		req := c.req
		h := w.Header()
		h["Lambda-Runtime-Aws-Request-Id"] = []string{req.RequestID}
		h["Lambda-Runtime-Deadline-Ms"] = []string{strconv.FormatInt(deadline.UnixMilli(), 10)}
		h["Lambda-Runtime-Invoked-Function-Arn"] = []string{req.FunctionARN}
		if req.TraceID != "" {
			h["Lambda-Runtime-Trace-Id"] = []string{req.TraceID}
		}
		if req.ClientContext != "" {
			h["Lambda-Runtime-Client-Context"] = []string{req.ClientContext}
		}
		if req.CognitoIdentity != "" {
			h["Lambda-Runtime-Cognito-Identity"] = []string{req.CognitoIdentity}
		}
		h["Content-Type"] = []string{"application/json"}
		h["Content-Length"] = []string{strconv.Itoa(len(req.Payload))}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(req.Payload) // a runtime that hung up is caught by the timeout or its exit
	case <-r.Context().Done():
	case <-e.stopping:
	}
}
