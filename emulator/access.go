package emulator

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/apigw-local/apigw-local/emulator/apikeys"
	"github.com/apigw-local/apigw-local/emulator/dataplane"
	"github.com/apigw-local/apigw-local/emulator/mgmt"
	"github.com/apigw-local/apigw-local/emulator/throttle"
)

// AccessConfig configures access control in the data plane.
type AccessConfig struct {
	// AccountThrottle is the account-level limit of the data plane; nil is AWS's default,
	// 10,000 requests per second with a burst of 5,000.
	AccountThrottle *throttle.Limits

	// state is the running access control, built once by (*Server).access.
	state *accessState
}

// accessState is the access control of one Server.
type accessState struct {
	keys    *apikeys.Checker
	limiter *throttle.Limiter
}

// access returns the server's access control, building it on first use.
func (s *Server) access() (*accessState, error) {
	if st := s.cfg.Access.state; st != nil {
		return st, nil
	}
	st := &accessState{
		keys:    apikeys.NewChecker(s.store),
		limiter: throttle.New(throttle.Config{Store: s.store, Clock: s.cfg.Clock, Account: s.cfg.Access.AccountThrottle}),
	}
	s.cfg.Access.state = st
	return st, nil
}

// accessSteps returns the data plane's access-control steps.
func (s *Server) accessSteps() (dataplane.Steps, error) {
	st, err := s.access()
	if err != nil {
		return dataplane.Steps{}, err
	}
	return dataplane.Steps{APIKey: st.keys.Step, Throttle: st.limiter.Step}, nil
}

// accessRoutes registers the management operations of access control.
func (s *Server) accessRoutes(r *mux.Router, h mgmt.Helpers) {
	st, err := s.access()
	if err != nil {
		return // accessSteps reported it; New has failed already
	}
	apikeys.Routes(r, h, s.store, st.limiter.Quotas(), s.cfg.Clock)
}

// accessInternalRoutes registers access-control endpoints under /_apigw-local/.
func (s *Server) accessInternalRoutes(mux *http.ServeMux) {}
