package store

import (
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/apigw-local/apigw-local/emulator/awserr"
)

// CanarySettingsInput is the canary part of CreateDeployment.
type CanarySettingsInput struct {
	PercentTraffic         float64           `json:"percentTraffic"`
	StageVariableOverrides map[string]string `json:"stageVariableOverrides"`
	UseStageCache          bool              `json:"useStageCache"`
}

// CreateDeploymentInput is the body of CreateDeployment.
type CreateDeploymentInput struct {
	StageName           string               `json:"stageName"`
	StageDescription    string               `json:"stageDescription"`
	Description         string               `json:"description"`
	CacheClusterEnabled *bool                `json:"cacheClusterEnabled"`
	CacheClusterSize    string               `json:"cacheClusterSize"`
	Variables           map[string]string    `json:"variables"`
	CanarySettings      *CanarySettingsInput `json:"canarySettings"`
	TracingEnabled      *bool                `json:"tracingEnabled"`
}

var (
	stageNameRE   = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,128}$`)
	stageVarKeyRE = regexp.MustCompile(`^[a-zA-Z0-9_]{1,64}$`)
)

func errDeploymentNotFound() error {
	return awserr.New(awserr.NotFound, "Invalid Deployment identifier specified")
}

func checkStageName(name string) error {
	if !stageNameRE.MatchString(name) {
		return awserr.New(awserr.BadRequest, "Stage name only allows a-zA-Z0-9_-")
	}
	return nil
}

func checkVariables(vars map[string]string) error {
	for k := range vars {
		if !stageVarKeyRE.MatchString(k) {
			return awserr.New(awserr.BadRequest, "Stage variable name %s is invalid: names may only contain a-zA-Z0-9_ and be at most 64 characters", k)
		}
	}
	return nil
}

// snapshot freezes the current definition of a REST API; callers hold s.mu.
func (a *apiState) snapshot(deploymentID string) (*Snapshot, error) {
	methods := 0
	for _, r := range a.resources {
		for _, m := range r.Methods {
			methods++
			if m.Integration == nil {
				return nil, awserr.New(awserr.BadRequest, "No integration defined for method")
			}
		}
	}
	if methods == 0 {
		return nil, awserr.New(awserr.BadRequest, "The REST API doesn't contain any methods")
	}
	sorted := a.sortedResources()
	res := make([]*Resource, len(sorted))
	for i, r := range sorted {
		res[i] = r.clone()
	}
	return &Snapshot{
		API:              *a.api.clone(),
		DeploymentID:     deploymentID,
		Resources:        res,
		Authorizers:      cloneMap(a.authorizers, (*Authorizer).clone),
		Models:           cloneMap(a.models, (*Model).clone),
		Validators:       cloneMap(a.validators, (*RequestValidator).clone),
		GatewayResponses: cloneMap(a.gatewayResponses, (*GatewayResponse).clone),
	}, nil
}

// CreateDeployment freezes the API and, with a stage name, creates or updates that stage
// (or, with canary settings, makes the deployment the stage's canary).
func (s *Store) CreateDeployment(apiID string, in CreateDeploymentInput) (*Deployment, error) {
	if in.StageName != "" {
		if err := checkStageName(in.StageName); err != nil {
			return nil, err
		}
	}
	if err := checkVariables(in.Variables); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, err
	}
	existing := a.stages[in.StageName]
	if in.CanarySettings != nil {
		if existing == nil {
			return nil, awserr.New(awserr.BadRequest, "Invalid stage identifier specified")
		}
		if p := in.CanarySettings.PercentTraffic; p < 0 || p > 100 {
			return nil, awserr.New(awserr.BadRequest, "Canary traffic percentage must be between 0.0 and 100.0")
		}
	}
	id := s.newID(6, func(id string) bool { _, ok := a.deployments[id]; return ok })
	snap, err := a.snapshot(id)
	if err != nil {
		return nil, err
	}
	if s.cfg.Compile != nil {
		snap.Compiled = s.cfg.Compile(snap)
	}
	d := &Deployment{ID: id, Description: in.Description, CreatedDate: s.now(), Snapshot: snap}
	a.deployments[id] = d
	if in.StageName != "" {
		now := s.now()
		switch {
		case in.CanarySettings != nil:
			existing.CanarySettings = &CanarySettings{
				DeploymentID:           id,
				PercentTraffic:         in.CanarySettings.PercentTraffic,
				StageVariableOverrides: maps.Clone(in.CanarySettings.StageVariableOverrides),
				UseStageCache:          in.CanarySettings.UseStageCache,
			}
			existing.LastUpdatedDate = now
		case existing != nil:
			existing.DeploymentID = id
			if in.StageDescription != "" {
				existing.Description = in.StageDescription
			}
			if len(in.Variables) > 0 {
				if existing.Variables == nil {
					existing.Variables = map[string]string{}
				}
				maps.Copy(existing.Variables, in.Variables)
			}
			if in.CacheClusterEnabled != nil {
				existing.CacheClusterEnabled = *in.CacheClusterEnabled
			}
			if in.TracingEnabled != nil {
				existing.TracingEnabled = *in.TracingEnabled
			}
			existing.LastUpdatedDate = now
		default:
			st := &Stage{
				StageName:       in.StageName,
				DeploymentID:    id,
				Description:     in.StageDescription,
				Variables:       maps.Clone(in.Variables),
				MethodSettings:  map[string]MethodSetting{},
				CreatedDate:     now,
				LastUpdatedDate: now,
			}
			if in.CacheClusterEnabled != nil {
				st.CacheClusterEnabled = *in.CacheClusterEnabled
			}
			if in.TracingEnabled != nil {
				st.TracingEnabled = *in.TracingEnabled
			}
			st.CacheClusterSize = in.CacheClusterSize
			normaliseCache(st)
			a.stages[in.StageName] = st
		}
		a.stageChangedLocked()
	}
	s.seq.Add(1)
	s.publishLocked(apiID)
	return d.clone(), nil
}

// GetDeployment returns a deployment, with its apiSummary when asked.
func (s *Store) GetDeployment(apiID, id string, summary bool) (*Deployment, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, err
	}
	d, ok := a.deployments[id]
	if !ok {
		return nil, errDeploymentNotFound()
	}
	c := d.clone()
	if summary {
		c.APISummary = map[string]map[string]MethodSummary{}
		for _, r := range d.Snapshot.Resources {
			for verb, m := range r.Methods {
				if c.APISummary[r.Path] == nil {
					c.APISummary[r.Path] = map[string]MethodSummary{}
				}
				c.APISummary[r.Path][verb] = MethodSummary{AuthorizationType: m.AuthorizationType, APIKeyRequired: m.APIKeyRequired}
			}
		}
	}
	return c, nil
}

// ListDeployments returns one page of deployments, oldest first.
func (s *Store) ListDeployments(apiID, position string, limit int) ([]*Deployment, string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, "", err
	}
	all := make([]*Deployment, 0, len(a.deployments))
	for _, d := range a.deployments {
		all = append(all, d)
	}
	slices.SortFunc(all, func(x, y *Deployment) int {
		if c := x.CreatedDate.Time().Compare(y.CreatedDate.Time()); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	page, next, err := paginate(all, position, limit, func(d *Deployment) string { return d.ID })
	if err != nil {
		return nil, "", err
	}
	out := make([]*Deployment, len(page))
	for i, d := range page {
		out[i] = d.clone()
	}
	return out, next, nil
}

var deploymentRules = []patchRule[Deployment]{
	strField[Deployment]("/description", opsReplace, func(d *Deployment) *string { return &d.Description }),
}

// UpdateDeployment patches a deployment's description.
func (s *Store) UpdateDeployment(apiID, id string, ops []PatchOp) (*Deployment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, err
	}
	d, ok := a.deployments[id]
	if !ok {
		return nil, errDeploymentNotFound()
	}
	c := *d
	if err := applyPatch(&c, deploymentRules, ops, "updateDeploymentInput"); err != nil {
		return nil, err
	}
	a.deployments[id] = &c
	s.seq.Add(1)
	return c.clone(), nil
}

// DeleteDeployment deletes a deployment no stage uses.
func (s *Store) DeleteDeployment(apiID, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.api(apiID)
	if err != nil {
		return err
	}
	if _, ok := a.deployments[id]; !ok {
		return errDeploymentNotFound()
	}
	for _, st := range a.stages {
		if st.DeploymentID == id || (st.CanarySettings != nil && st.CanarySettings.DeploymentID == id) {
			return awserr.New(awserr.BadRequest, "Active stages pointing to this deployment must be moved or deleted")
		}
	}
	delete(a.deployments, id)
	s.seq.Add(1)
	return nil
}
