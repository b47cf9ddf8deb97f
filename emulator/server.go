// Package emulator is apigw-local's server: an emulation of Amazon API Gateway (the
// apigateway management API and the execute-api data plane) with a Lambda runner behind
// it, all behind one http.Handler. The apigw-local binary serves it; Go tests embed it
// through emulator/emulatortest.
//
//	srv, err := emulator.New(emulator.Config{})
//	http.ListenAndServe("127.0.0.1:4566", srv.Handler())
package emulator

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/apigw-local/apigw-local/emulator/dataplane"
	"github.com/apigw-local/apigw-local/emulator/mgmt"
	"github.com/apigw-local/apigw-local/emulator/openapi"
	"github.com/apigw-local/apigw-local/emulator/requestid"
	"github.com/apigw-local/apigw-local/emulator/store"
	"github.com/apigw-local/apigw-local/lambdarunner"
)

// Config configures a Server. The zero value is a working emulator for us-east-1 and
// account 000000000000.
type Config struct {
	Region    string
	AccountID string
	Version   string
	Logger    *slog.Logger
	// Clock, IDs and RequestIDs make tests deterministic; nil uses the wall clock and random
	// ids.
	Clock      store.Clock
	IDs        store.IDGenerator
	RequestIDs requestid.Source
	// Lambda runs the functions integrations call; nil creates an empty runner.
	Lambda *lambdarunner.Manager
	// Integrations configures the integration backends (AWS service endpoints, ...).
	Integrations IntegrationConfig
	// Access configures access control: authorizers, JWKS, IAM credentials, throttling.
	Access AccessConfig
}

// Server is a running emulator's state and handlers.
type Server struct {
	cfg       Config
	log       *slog.Logger
	store     *store.Store
	data      *dataplane.Handler
	mgmt      *mgmt.API
	internal  http.Handler
	lambda    *lambdarunner.Manager
	lambdaAPI http.Handler
	ids       requestid.Source
	started   time.Time
	// accessState is the running access control, built once by (*Server).access.
	accessState *accessState
}

// New builds an emulator. It does not listen: serve Handler() on a listener of your choice.
func New(cfg Config) (*Server, error) {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "000000000000"
	}
	if len(cfg.AccountID) != 12 {
		return nil, fmt.Errorf("account id %q must be 12 digits", cfg.AccountID)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = store.SystemClock{}
	}
	if cfg.RequestIDs == nil {
		cfg.RequestIDs = requestid.Random{}
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	s := &Server{cfg: cfg, log: cfg.Logger, ids: cfg.RequestIDs, started: cfg.Clock.Now()}
	s.lambda = cfg.Lambda
	if s.lambda == nil {
		s.lambda = lambdarunner.New(lambdarunner.Config{Region: cfg.Region, AccountID: cfg.AccountID, Logger: cfg.Logger})
	}
	s.store = store.New(store.Config{
		Region:    cfg.Region,
		AccountID: cfg.AccountID,
		Clock:     cfg.Clock,
		IDs:       cfg.IDs,
		Compile:   func(snap *store.Snapshot) any { return dataplane.Compile(snap, cfg.Logger) },
	})
	backends, err := s.backends()
	if err != nil {
		return nil, err
	}
	steps, err := s.accessSteps()
	if err != nil {
		return nil, err
	}
	s.data = dataplane.New(dataplane.Config{
		Store:      s.store,
		Logger:     cfg.Logger,
		RequestIDs: cfg.RequestIDs,
		Clock:      cfg.Clock,
		Backends:   backends,
		Steps:      steps,
	})
	s.mgmt = mgmt.New(mgmt.Config{Store: s.store, Logger: cfg.Logger, RequestIDs: cfg.RequestIDs,
		Extra: func(r *mux.Router, h mgmt.Helpers) {
			openapi.Routes(r, h, s.store)
			s.accessRoutes(r, h)
		}})
	s.lambdaAPI = s.lambda.Handler()
	s.internal = s.internalRoutes()
	return s, nil
}

// Handler is the emulator's whole HTTP surface.
func (s *Server) Handler() http.Handler { return s }

// Store is the emulator's state, for loaders that create APIs in-process.
func (s *Server) Store() *store.Store { return s.store }

// Lambda is the emulator's function runner.
func (s *Server) Lambda() *lambdarunner.Manager { return s.lambda }

// Reset drops every API, deployment, stage, API key and usage plan, with throttle and quota
// counts and cached authorizer decisions, as POST /_apigw-local/reset does. Registered
// functions stay.
func (s *Server) Reset() {
	s.store.Reset()
	s.resetAccess()
	s.log.Info("state reset")
}

// Close stops every function environment. The caller shuts its HTTP server down first.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.lambda.Close(ctx)
}
