package lambdarunner

import (
	"encoding/json"
	"errors"
	"net/http"
)

// Handler serves the Lambda API subset the emulator offers, under /2015-03-31/functions:
// Invoke, GetFunction, GetFunctionConfiguration and ListFunctions. Mount it for every path that
// starts with /2015-03-31/functions.
func (m *Manager) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2015-03-31/functions/{name}/invocations", m.serveInvoke)
	mux.HandleFunc("GET /2015-03-31/functions/{name}/configuration", m.serveGetFunctionConfiguration)
	mux.HandleFunc("GET /2015-03-31/functions/{name}", m.serveGetFunction)
	mux.HandleFunc("GET /2015-03-31/functions/{$}", m.serveListFunctions)
	mux.HandleFunc("GET /2015-03-31/functions", m.serveListFunctions)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &InvokeError{Code: ErrUnknownOperation, Message: "apigw-local serves Invoke, GetFunction, GetFunctionConfiguration and ListFunctions of the Lambda API; " + r.Method + " " + r.URL.Path + " is not one of them"})
	})
	return mux
}

// errorBody is Lambda's error body: {"Type":"User","message":"..."} (plus Reason when throttled).
// The SDKs read the code from X-Amzn-ErrorType and accept message in either case.
type errorBody struct {
	Type    string `json:"Type"`
	Message string `json:"message"`
	Reason  string `json:"Reason,omitempty"`
}

// writeError renders every error of the Lambda API handlers; errors that are not an InvokeError
// become ServiceException.
func writeError(w http.ResponseWriter, err error) {
	var ie *InvokeError
	if !errors.As(err, &ie) {
		ie = &InvokeError{Code: ErrService, Message: err.Error()}
	}
	body := errorBody{Type: "User", Message: ie.Message, Reason: ie.Reason}
	if ie.Code == ErrService {
		body.Type = "Service"
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-ErrorType", string(ie.Code))
	if h.Get("X-Amzn-RequestId") == "" {
		h.Set("X-Amzn-RequestId", newUUID())
	}
	w.WriteHeader(ie.HTTPStatus())
	_ = json.NewEncoder(w).Encode(body) // the client hung up
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-RequestId", newUUID())
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
