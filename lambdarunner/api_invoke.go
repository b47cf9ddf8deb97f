package lambdarunner

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"sync"

	"github.com/apigw-local/apigw-local/lambdarunner/invocation"
)

var requestBodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// serveInvoke is POST /2015-03-31/functions/{name}/invocations.
func (m *Manager) serveInvoke(w http.ResponseWriter, r *http.Request) {
	req := &InvokeRequest{
		FunctionName:    r.PathValue("name"),
		Qualifier:       r.URL.Query().Get("Qualifier"),
		InvocationType:  InvocationType(r.Header.Get("X-Amz-Invocation-Type")),
		ClientContext:   r.Header.Get("X-Amz-Client-Context"),
		TraceID:         r.Header.Get("X-Amzn-Trace-Id"),
		CognitoIdentity: r.Header.Get("X-Amz-Cognito-Identity"),
	}
	switch lt := r.Header.Get("X-Amz-Log-Type"); lt {
	case "", "None":
	case "Tail":
		req.LogTail = true
	default:
		writeError(w, &InvokeError{Code: ErrInvalidParameterValue, Message: "1 validation error detected: Value '" + lt + "' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [Tail, None]"})
		return
	}
	buf := requestBodies.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 { // do not keep huge payloads alive in the pool
			buf.Reset()
			requestBodies.Put(buf)
		}
	}()
	if _, err := buf.ReadFrom(io.LimitReader(r.Body, invocation.MaxPayload+1)); err != nil {
		writeError(w, &InvokeError{Code: ErrInvalidRequestContent, Message: "reading the request body: " + err.Error()})
		return
	}
	req.Payload = buf.Bytes()
	resp, err := m.Invoke(r.Context(), req)
	if err != nil {
		writeError(w, err)
		return
	}
	h := w.Header()
	h["X-Amzn-Requestid"] = []string{resp.RequestID}
	if resp.StatusCode != http.StatusOK {
		w.WriteHeader(resp.StatusCode)
		return
	}
	h["Content-Type"] = []string{"application/json"}
	h["X-Amz-Executed-Version"] = []string{resp.ExecutedVersion}
	if resp.FunctionError != "" {
		h["X-Amz-Function-Error"] = []string{resp.FunctionError}
	}
	if req.LogTail {
		h["X-Amz-Log-Result"] = []string{base64.StdEncoding.EncodeToString(resp.LogTail)}
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(resp.Payload) // the client hung up
}
