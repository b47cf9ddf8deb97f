package runtimeapi

import (
	"net/http"
)

// handleInitError serves POST /runtime/init/error: the runtime could not initialize (handler
// missing, import failure, exception at module load). The invocation that started this environment
// gets the posted error as its function error, and the environment is discarded: the next
// invocation initializes a fresh one, as Lambda does.
func (e *env) handleInitError(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	ready := e.isReady
	e.mu.Unlock()
	if ready {
		writeAPIError(w, http.StatusForbidden, "InvalidStateTransition", "init already completed: the runtime called /invocation/next")
		return
	}
	body, _, err := readBody(r)
	if err != nil {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequest", "reading the init error body: "+err.Error())
		return
	}
	payload := errorBody(body, r.Header.Get("Lambda-Runtime-Function-Error-Type"))
	e.mu.Lock()
	e.initErr = payload
	c := e.cur
	e.mu.Unlock()
	writeAccepted(w)
	if c != nil {
		if won, gone := c.claim(); won {
			c.end = e.fn.cfg.Now()
			c.payload, c.funcErr = payload, true
			e.kill()
			e.finish(c, gone)
			return
		}
	}
	e.fn.logf("function %s: init failed: %s", e.fn.cfg.FunctionName, payload)
	e.kill()
}
