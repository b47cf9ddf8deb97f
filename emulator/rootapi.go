package emulator

import (
	"github.com/apigw-local/apigw-local/emulator/rawheader"
	"net/http"
	"strings"
	"sync/atomic"
)

// RootAPI serves one REST API at the root of a listener, the way sam local start-api serves
// a template's API: /{path} reaches the API's default stage and /{stage}/{path} any stage
// by name. Everything else about the request is the data plane's, exactly as on the
// emulator's own port. The API it serves can change while it runs (a project reload).
type RootAPI struct {
	s      *Server
	target atomic.Pointer[rootTarget]
}

type rootTarget struct{ apiID, stage string }

// NewRootAPI returns a handler that serves no API until Set names one.
func (s *Server) NewRootAPI() *RootAPI { return &RootAPI{s: s} }

// Set makes h serve apiID, with stage as the default for paths without a stage; an empty
// apiID serves nothing.
func (h *RootAPI) Set(apiID, stage string) {
	if apiID == "" {
		h.target.Store(nil)
		return
	}
	h.target.Store(&rootTarget{apiID: apiID, stage: stage})
}

// ServeHTTP sends the request to the data plane: to the stage the first path segment names
// when the API has such a stage, else to the default stage with the whole path.
func (h *RootAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	names := rawheader.Names(r) // taken for every request: one header block each
	t := h.target.Load()
	if t == nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"message":"No REST API is served at this port: it serves one when the loaded project has exactly one."}` + "\n"))
		return
	}
	p := rawPath(r)
	first, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	if api := h.s.store.Live().APIs[t.apiID]; api != nil && first != "" && api.Stages[first] != nil {
		h.s.data.Serve(w, r, t.apiID, p, names)
		return
	}
	h.s.data.Serve(w, r, t.apiID, "/"+t.stage+p, names)
}
