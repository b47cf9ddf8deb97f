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

// handleResponse serves POST /runtime/invocation/{id}/response: the function's result.
func (e *env) handleResponse(w http.ResponseWriter, r *http.Request) {
	c := e.inFlight(w, r.PathValue("id"))
	if c == nil {
		return
	}
	body, tooLarge, err := readBody(r)
	if err != nil {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequest", "reading the response body: "+err.Error())
		return
	}
	won, gone := c.claim()
	if !won {
		writeAPIError(w, http.StatusForbidden, "InvalidStateTransition", "invocation "+c.req.RequestID+" already has an outcome")
		return
	}
	c.end = e.fn.cfg.Now()
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
