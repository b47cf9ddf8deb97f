package store

import "maps"

// Live is what the data plane serves: for each REST API, its stages and the deployment
// snapshot each stage points at. A Live value is never modified after it is published.
type Live struct {
	APIs map[string]*LiveAPI
}

// LiveAPI is one REST API as the data plane sees it.
type LiveAPI struct {
	ID string
	// DisableExecuteAPIEndpoint makes the default execute-api endpoint answer 403. It is the
	// API's setting as of the last change to any of its stages, as on AWS.
	DisableExecuteAPIEndpoint bool
	Stages                    map[string]*LiveStage
}

// LiveStage is a stage's deployment with its current settings. Stage settings take effect
// without a new deployment, as on AWS; the API definition changes only by deploying.
type LiveStage struct {
	APIID          string
	Name           string
	Deployment     *Snapshot
	Variables      map[string]string
	MethodSettings map[string]MethodSetting
	TracingEnabled bool
	CacheEnabled   bool
	CacheSize      string
	Canary         *LiveCanary
	// Generation changes whenever the stage is republished (for caches keyed by stage).
	Generation uint64
}

// LiveCanary is the canary release of a stage.
type LiveCanary struct {
	Deployment     *Snapshot
	PercentTraffic float64
	// Variables are the stage variables with the canary's overrides applied.
	Variables     map[string]string
	UseStageCache bool
}

// Live returns the current published table. It takes no lock.
func (s *Store) Live() *Live { return s.live.Load() }

// Seq is a counter that grows with every mutation.
func (s *Store) Seq() uint64 { return s.seq.Load() }

// publishLocked rebuilds the live entry of one REST API. Callers hold s.mu for writing, so
// publications happen in mutation order.
func (s *Store) publishLocked(apiID string) {
	old := s.live.Load()
	next := &Live{APIs: maps.Clone(old.APIs)}
	a, ok := s.apis[apiID]
	if !ok {
		delete(next.APIs, apiID)
		s.live.Store(next)
		return
	}
	gen := s.seq.Load()
	la := &LiveAPI{ID: apiID, DisableExecuteAPIEndpoint: a.servedDefaultEndpointOff, Stages: make(map[string]*LiveStage, len(a.stages))}
	for name, st := range a.stages {
		d := a.deployments[st.DeploymentID]
		if d == nil {
			continue
		}
		ls := &LiveStage{
			APIID:          apiID,
			Name:           name,
			Deployment:     d.Snapshot,
			Variables:      maps.Clone(st.Variables),
			MethodSettings: maps.Clone(st.MethodSettings),
			TracingEnabled: st.TracingEnabled,
			CacheEnabled:   st.CacheClusterEnabled,
			CacheSize:      st.CacheClusterSize,
			Generation:     gen,
		}
		if cs := st.CanarySettings; cs != nil && cs.DeploymentID != "" {
			if cd := a.deployments[cs.DeploymentID]; cd != nil {
				vars := maps.Clone(st.Variables)
				if vars == nil && len(cs.StageVariableOverrides) > 0 {
					vars = map[string]string{}
				}
				maps.Copy(vars, cs.StageVariableOverrides)
				ls.Canary = &LiveCanary{Deployment: cd.Snapshot, PercentTraffic: cs.PercentTraffic, Variables: vars, UseStageCache: cs.UseStageCache}
			}
		}
		la.Stages[name] = ls
	}
	next.APIs[apiID] = la
	s.live.Store(next)
}
