package runtimeapi

import (
	"encoding/json"
	"net/http"
)

// apiPrefix is the Runtime API version path every runtime client uses.
const apiPrefix = "/2018-06-01/runtime"

// router lists every route of one environment's Runtime API endpoint. Each endpoint lives in its
// own file (next.go, response.go, error.go, initerror.go).
//
// Ordering invariants shared by the handlers:
//   - an invocation is handed to the runtime only from GET /next, and only one is in flight per
//     environment, so a POST naming any other request id is rejected;
//   - the outcome of an invocation is published to the waiting caller before the 202 goes back to
//     the runtime, so the caller never waits on the runtime's next GET /next;
//   - the first GET /next ends the init phase; /init/error is accepted only before it.
func (e *env) router() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+apiPrefix+"/invocation/next", e.handleNext)
	mux.HandleFunc("POST "+apiPrefix+"/invocation/{id}/response", e.handleResponse)
	mux.HandleFunc("POST "+apiPrefix+"/invocation/{id}/error", e.handleError)
	mux.HandleFunc("POST "+apiPrefix+"/init/error", e.handleInitError)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeAPIError(w, http.StatusNotFound, "InvalidRequest", "unknown Runtime API route "+r.Method+" "+r.URL.Path)
	})
	return mux
}

// acceptedBody is what the Runtime API answers to accepted POSTs.
var acceptedBody = []byte(`{"status":"OK"}`)

func writeAccepted(w http.ResponseWriter) {
	w.Header()["Content-Type"] = []string{"application/json"}
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write(acceptedBody) // the runtime hung up; its process watcher deals with it
}

// writeAPIError renders a Runtime API error: {"errorMessage": ..., "errorType": ...}.
func writeAPIError(w http.ResponseWriter, status int, errorType, message string) {
	b, err := json.Marshal(struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}{message, errorType})
	if err != nil {
		b = []byte(`{"errorType":"` + errorType + `"}`)
	}
	w.Header()["Content-Type"] = []string{"application/json"}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
