package emulator

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/apigw-local/apigw-local/emulator/apikeys"
	"github.com/apigw-local/apigw-local/emulator/auth"
	"github.com/apigw-local/apigw-local/emulator/auth/cognito"
	"github.com/apigw-local/apigw-local/emulator/auth/issuer"
	"github.com/apigw-local/apigw-local/emulator/dataplane"
	"github.com/apigw-local/apigw-local/emulator/mgmt"
	"github.com/apigw-local/apigw-local/emulator/throttle"
)

// AccessConfig configures access control in the data plane.
type AccessConfig struct {
	// JWKS maps a Cognito user pool id to the JWKS its tokens are checked with: a file
	// path or an http(s) URL. Pools without one trust the emulator's own issuer (tokens of
	// `apigw-local token`, keys at /_apigw-local/jwks.json).
	JWKS map[string]string
	// IAMCredentialsFile lists the IAM credentials SigV4 signatures are checked against
	// (JSON or ~/.aws/credentials INI); IAMCredentials does the same in code. With neither,
	// any access key is accepted with the secret key "test".
	IAMCredentialsFile string
	IAMCredentials     []auth.Credential
	// AccountThrottle is the account-level limit of the data plane; nil is AWS's default,
	// 10,000 requests per second with a burst of 5,000.
	AccountThrottle *throttle.Limits
}

// accessState is the access control of one Server.
type accessState struct {
	auth    *auth.Authorizer
	keys    *apikeys.Checker
	limiter *throttle.Limiter
}

// access returns the server's access control, building it on first use.
func (s *Server) access() (*accessState, error) {
	if s.accessState != nil {
		return s.accessState, nil
	}
	cfg := s.cfg.Access
	verifier, err := cognito.New(cognito.Config{JWKS: cfg.JWKS, Now: s.cfg.Clock.Now})
	if err != nil {
		return nil, err
	}
	creds := auth.DefaultCredentials()
	switch {
	case cfg.IAMCredentialsFile != "":
		if creds, err = auth.LoadCredentials(cfg.IAMCredentialsFile, s.cfg.AccountID); err != nil {
			return nil, err
		}
	case cfg.IAMCredentials != nil:
		if creds, err = auth.NewCredentials(s.cfg.AccountID, cfg.IAMCredentials); err != nil {
			return nil, err
		}
	}
	authz, err := auth.New(auth.Config{
		Store: s.store, Lambda: s.lambda, Clock: s.cfg.Clock, Logger: s.log, Cognito: verifier, Credentials: creds,
	})
	if err != nil {
		return nil, err
	}
	st := &accessState{
		auth:    authz,
		keys:    apikeys.NewChecker(s.store),
		limiter: throttle.New(throttle.Config{Store: s.store, Clock: s.cfg.Clock, Account: cfg.AccountThrottle}),
	}
	s.accessState = st
	return st, nil
}

// accessSteps returns the data plane's access-control steps. The pipeline runs them as
// authorize → API key → throttle (dataplane.Handler.run).
func (s *Server) accessSteps() (dataplane.Steps, error) {
	st, err := s.access()
	if err != nil {
		return dataplane.Steps{}, err
	}
	return dataplane.Steps{Authorize: st.auth.Step, APIKey: st.keys.Step, Throttle: st.limiter.Step}, nil
}

// accessRoutes registers the management operations of access control: API keys, usage
// plans and usage, TestInvokeAuthorizer, FlushStageAuthorizersCache.
func (s *Server) accessRoutes(r *mux.Router, h mgmt.Helpers) {
	st, err := s.access()
	if err != nil {
		return // accessSteps reported it: New has failed already
	}
	apikeys.Routes(r, h, s.store, st.limiter.Quotas(), s.cfg.Clock)
	st.auth.Routes(r, h)
}

// resetAccess forgets throttle buckets, quota counts and cached authorizer decisions.
func (s *Server) resetAccess() {
	if st := s.accessState; st != nil {
		st.limiter.Reset()
		st.auth.Reset()
	}
}

// accessInternalRoutes registers access-control endpoints under /_apigw-local/: the local
// token issuer's key set.
func (s *Server) accessInternalRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /_apigw-local/jwks.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(issuer.JWKS())
	})
}
