// Package store holds the resource model of the emulated API Gateway: REST APIs with their
// resources, methods, integrations, deployments and stages, authorizers, models, request
// validators, gateway responses and tags. It is in memory and safe for concurrent use: one
// RWMutex guards the draft state the management API edits, and every operation either
// completes or changes nothing.
//
// The data plane never takes that lock. Each mutation that changes what is served
// republishes an immutable Live table (API → stage → deployment snapshot) through an
// atomic pointer, so a request reads one pointer and a few maps.
//
// Known differences from AWS: ids are random but not globally unique across accounts;
// there are no per-account resource quotas (LimitExceededException is never returned).
package store

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/apigw-local/apigw-local/emulator/awserr"
)

// Clock tells the time. Tests inject a fixed or stepping clock.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// Config configures a Store.
type Config struct {
	Region    string
	AccountID string
	Clock     Clock
	IDs       IDGenerator
	// Compile turns a deployment snapshot into the data plane's compiled form; its result is
	// kept in Snapshot.Compiled. It runs once per deployment, outside any request.
	Compile func(*Snapshot) any
}

// Store is the in-memory state of one emulated account and region.
type Store struct {
	cfg Config

	mu   sync.RWMutex
	apis map[string]*apiState
	tags map[string]map[string]string // by ARN, for resources that keep no tags of their own
	keys accountKeys                  // API keys and usage plans (apikeys.go, usageplans.go)

	live atomic.Pointer[Live]
	// seq numbers every mutation, for health output and for tests that wait for a change.
	seq atomic.Uint64
}

// apiState is one REST API and everything below it.
type apiState struct {
	api              *RestAPI
	resources        map[string]*Resource
	deployments      map[string]*Deployment
	stages           map[string]*Stage
	authorizers      map[string]*Authorizer
	models           map[string]*Model // by name
	validators       map[string]*RequestValidator
	gatewayResponses map[string]*GatewayResponse // customised only
	// servedDefaultEndpointOff is disableExecuteApiEndpoint as the data plane applies it: AWS
	// takes the API's setting when any setting of any stage changes (a deployment to a stage
	// included), not when the API is updated (developer guide, "Disable the default endpoint
	// for REST APIs"). stageChangedLocked copies it.
	servedDefaultEndpointOff bool
}

// stageChangedLocked records that a stage of a changed: the API's disableExecuteApiEndpoint
// reaches the data plane now. Callers hold s.mu and publish afterwards.
func (a *apiState) stageChangedLocked() {
	a.servedDefaultEndpointOff = a.api.DisableExecuteAPIEndpoint
}

// New returns an empty store.
func New(cfg Config) *Store {
	if cfg.Clock == nil {
		cfg.Clock = SystemClock{}
	}
	if cfg.IDs == nil {
		cfg.IDs = RandomIDs{}
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "000000000000"
	}
	s := &Store{cfg: cfg}
	s.resetLocked()
	return s
}

// Region is the region the store emulates.
func (s *Store) Region() string { return s.cfg.Region }

// AccountID is the account the store emulates.
func (s *Store) AccountID() string { return s.cfg.AccountID }

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.cfg.Clock.Now() }

// Reset drops all state.
func (s *Store) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked()
}

func (s *Store) resetLocked() {
	s.apis = map[string]*apiState{}
	s.tags = map[string]map[string]string{}
	s.resetKeysLocked()
	s.live.Store(&Live{APIs: map[string]*LiveAPI{}})
	s.seq.Add(1)
}

// Counts summarises the state for health checks.
type Counts struct {
	RestAPIs    int `json:"restApis"`
	Deployments int `json:"deployments"`
	Stages      int `json:"stages"`
}

// Counts returns how many of each resource exist.
func (s *Store) Counts() Counts {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c := Counts{RestAPIs: len(s.apis)}
	for _, a := range s.apis {
		c.Deployments += len(a.deployments)
		c.Stages += len(a.stages)
	}
	return c
}

// api returns the state of a REST API or AWS's NotFound error. Callers hold s.mu.
func (s *Store) api(id string) (*apiState, error) {
	a, ok := s.apis[id]
	if !ok {
		return nil, awserr.New(awserr.NotFound, "Invalid API identifier specified %s:%s", s.cfg.AccountID, id)
	}
	return a, nil
}

func (s *Store) now() Epoch { return Epoch(s.cfg.Clock.Now().UTC().Truncate(time.Second)) }

// newID returns an id of length n not yet used according to taken.
func (s *Store) newID(n int, taken func(string) bool) string {
	for {
		id := s.cfg.IDs.NewID(n)
		if !taken(id) {
			return id
		}
	}
}
