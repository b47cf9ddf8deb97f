package runtimeapi

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/apigw-local/apigw-local/lambdarunner/invocation"
)

// handleError serves POST /runtime/invocation/{id}/error: the handler failed. A JSON object body
// ({"errorMessage","errorType","stackTrace"} or the Node runtime's "trace") becomes the Invoke
// payload verbatim, as on Lambda.
func (e *env) handleError(w http.ResponseWriter, r *http.Request) {
	c, body, tooLarge, gone := e.outcome(w, r, "error")
	if c == nil {
		return
	}
	if tooLarge {
		body = nil
	}
	c.payload, c.funcErr = errorBody(body, r.Header.Get("Lambda-Runtime-Function-Error-Type")), true
	e.finish(c, gone)
	writeAccepted(w)
}

// errorBody keeps a runtime's JSON object error as is; anything else is wrapped in Lambda's shape
// with the error type header (or Runtime.Unknown).
func errorBody(body []byte, errorType string) []byte {
	trimmed := strings.TrimSpace(string(body))
	if strings.HasPrefix(trimmed, "{") && json.Valid(body) {
		return body
	}
	if errorType == "" {
		errorType = "Runtime.Unknown"
	}
	msg := trimmed
	if msg == "" {
		msg = "the runtime reported an error without a body"
	}
	return invocation.ErrorPayload{ErrorType: errorType, ErrorMessage: msg}.Marshal()
}
