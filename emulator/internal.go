package emulator

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/apigw-local/apigw-local/emulator/awserr"
)

// health is GET /_apigw-local/health.
type health struct {
	Status    string `json:"status"`
	Version   string `json:"version"`
	Region    string `json:"region"`
	AccountID string `json:"accountId"`
	Uptime    string `json:"uptime"`
	Counts    struct {
		RestAPIs    int `json:"restApis"`
		Deployments int `json:"deployments"`
		Stages      int `json:"stages"`
		Functions   int `json:"functions"`
	} `json:"counts"`
}

// internalRoutes serves the emulator's own API under /_apigw-local/.
func (s *Server) internalRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_apigw-local/health", func(w http.ResponseWriter, _ *http.Request) {
		h := health{Status: "running", Version: s.cfg.Version, Region: s.cfg.Region, AccountID: s.cfg.AccountID}
		h.Uptime = s.cfg.Clock.Now().Sub(s.started).Round(time.Second).String()
		c := s.store.Counts()
		h.Counts.RestAPIs, h.Counts.Deployments, h.Counts.Stages = c.RestAPIs, c.Deployments, c.Stages
		h.Counts.Functions = len(s.lambda.Functions())
		writeJSON(w, http.StatusOK, h)
	})
	// Reset drops every API, deployment, stage, API key and usage plan, throttle and quota
	// counts and cached authorizer decisions. Registered functions are configuration, not
	// API state, and stay.
	mux.HandleFunc("POST /_apigw-local/reset", func(w http.ResponseWriter, _ *http.Request) {
		s.Reset()
		writeJSON(w, http.StatusOK, map[string]string{"status": "reset"})
	})
	s.accessInternalRoutes(mux)
	mux.HandleFunc("/_apigw-local/", func(w http.ResponseWriter, r *http.Request) {
		id, _ := s.ids.New()
		awserr.Write(w, id, awserr.New(awserr.NotFound, "No emulator endpoint %s %s: try GET /_apigw-local/health or POST /_apigw-local/reset", r.Method, r.URL.Path))
	})
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
