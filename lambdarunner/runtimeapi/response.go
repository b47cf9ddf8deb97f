package runtimeapi

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"strconv"
	"sync"

	"github.com/apigw-local/apigw-local/lambdarunner/invocation"
)

// Trailers aws-lambda-go sends when its response reader fails midway (lambda/runtime_api_client.go).
const (
	trailerErrorType = "Lambda-Runtime-Function-Error-Type"
	trailerErrorBody = "Lambda-Runtime-Function-Error-Body"
)

// outcome starts serving a POST of an invocation's outcome (what: "response" or "error"):
// it finds the in-flight call, reads the body and claims the call's outcome, answering the
// runtime itself and returning a nil call when any of that fails. A claimed call's end time
// is set.
func (e *env) outcome(w http.ResponseWriter, r *http.Request, what string) (c *call, body []byte, tooLarge, gone bool) {
	c = e.inFlight(w, r.PathValue("id"))
	if c == nil {
		return nil, nil, false, false
	}
	body, tooLarge, err := readBody(r)
	if err != nil {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequest", "reading the "+what+" body: "+err.Error())
		return nil, nil, false, false
	}
	won, gone := c.claim()
	if !won {
		writeAPIError(w, http.StatusForbidden, "InvalidStateTransition", "invocation "+c.req.RequestID+" already has an outcome")
		return nil, nil, false, false
	}
	c.end = e.fn.cfg.Now()
	return c, body, tooLarge, gone
}

// handleResponse serves POST /runtime/invocation/{id}/response: the function's result.
func (e *env) handleResponse(w http.ResponseWriter, r *http.Request) {
	c, body, tooLarge, gone := e.outcome(w, r, "response")
	if c == nil {
		return
	}
	switch {
	case tooLarge:
		c.payload, c.funcErr = invocation.ResponseTooLargeError(), true
	case r.Trailer.Get(trailerErrorType) != "":
		c.payload, c.funcErr = trailerError(r.Trailer), true
	default:
		c.payload = body
	}
	e.finish(c, gone)
	if tooLarge {
		writeAPIError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			"response must be smaller than "+strconv.Itoa(invocation.MaxPayload)+" bytes")
		return
	}
	writeAccepted(w)
}

// inFlight returns the delivered, unanswered invocation named id, or writes the Runtime API's
// error and returns nil.
func (e *env) inFlight(w http.ResponseWriter, id string) *call {
	e.mu.Lock()
	c := e.cur
	if c == nil || c.req.RequestID != id || c.delivered.IsZero() {
		e.mu.Unlock()
		writeAPIError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return nil
	}
	e.mu.Unlock()
	return c
}

var bodyPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// readBody reads at most MaxPayload bytes into a fresh slice sized to fit, reading through a
// pooled buffer because runtimes usually send chunked bodies of unknown length.
func readBody(r *http.Request) (body []byte, tooLarge bool, err error) {
	buf := bodyPool.Get().(*bytes.Buffer)
	defer func() { buf.Reset(); bodyPool.Put(buf) }()
	n, err := buf.ReadFrom(io.LimitReader(r.Body, invocation.MaxPayload+1))
	if err != nil {
		return nil, false, err
	}
	if n > invocation.MaxPayload {
		_, _ = io.Copy(io.Discard, r.Body) // let the runtime finish sending; the size is what matters
		return nil, true, nil
	}
	return bytes.Clone(buf.Bytes()), false, nil
}

// trailerError turns the error trailers into the error payload the runtime meant to send.
func trailerError(t http.Header) []byte {
	if b, err := base64.StdEncoding.DecodeString(t.Get(trailerErrorBody)); err == nil && len(b) > 0 {
		return b
	}
	return invocation.ErrorPayload{ErrorType: t.Get(trailerErrorType), ErrorMessage: "the runtime failed while sending its response"}.Marshal()
}
