package store

import (
	"maps"
	"slices"
	"strings"

	"github.com/apigw-local/apigw-local/emulator/awserr"
)

// CreateStageInput is the body of CreateStage.
type CreateStageInput struct {
	StageName            string               `json:"stageName"`
	DeploymentID         string               `json:"deploymentId"`
	Description          string               `json:"description"`
	CacheClusterEnabled  bool                 `json:"cacheClusterEnabled"`
	CacheClusterSize     string               `json:"cacheClusterSize"`
	Variables            map[string]string    `json:"variables"`
	DocumentationVersion string               `json:"documentationVersion"`
	CanarySettings       *CanarySettingsInput `json:"canarySettings"`
	TracingEnabled       bool                 `json:"tracingEnabled"`
	Tags                 map[string]string    `json:"tags"`
}

// StageARN is the ARN AWS gives a REST API stage.
func (s *Store) StageARN(apiID, stage string) string {
	return "arn:aws:apigateway:" + s.cfg.Region + "::/restapis/" + apiID + "/stages/" + stage
}

func errStageNotFound() error {
	return awserr.New(awserr.NotFound, "Invalid stage identifier specified")
}

var cacheSizes = []string{"0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"}

func normaliseCache(st *Stage) {
	st.CacheClusterStatus = "NOT_AVAILABLE"
	if st.CacheClusterEnabled {
		st.CacheClusterStatus = "AVAILABLE"
		if st.CacheClusterSize == "" {
			st.CacheClusterSize = "0.5"
		}
	}
}

// CreateStage creates a stage pointing at a deployment.
func (s *Store) CreateStage(apiID string, in CreateStageInput) (*Stage, error) {
	if err := checkStageName(in.StageName); err != nil {
		return nil, err
	}
	if err := checkVariables(in.Variables); err != nil {
		return nil, err
	}
	if in.CacheClusterSize != "" && !slices.Contains(cacheSizes, in.CacheClusterSize) {
		return nil, enumError(in.CacheClusterSize, "createStageInput.cacheClusterSize", strings.Join(cacheSizes, ", "))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, err
	}
	if _, ok := a.deployments[in.DeploymentID]; !ok {
		return nil, errDeploymentNotFound()
	}
	if _, ok := a.stages[in.StageName]; ok {
		return nil, awserr.New(awserr.Conflict, "Stage already exists")
	}
	now := s.now()
	st := &Stage{
		StageName:            in.StageName,
		DeploymentID:         in.DeploymentID,
		Description:          in.Description,
		CacheClusterEnabled:  in.CacheClusterEnabled,
		CacheClusterSize:     in.CacheClusterSize,
		Variables:            maps.Clone(in.Variables),
		DocumentationVersion: in.DocumentationVersion,
		TracingEnabled:       in.TracingEnabled,
		Tags:                 maps.Clone(in.Tags),
		MethodSettings:       map[string]MethodSetting{},
		CreatedDate:          now,
		LastUpdatedDate:      now,
	}
	if cs := in.CanarySettings; cs != nil {
		st.CanarySettings = &CanarySettings{DeploymentID: in.DeploymentID, PercentTraffic: cs.PercentTraffic, StageVariableOverrides: maps.Clone(cs.StageVariableOverrides), UseStageCache: cs.UseStageCache}
	}
	normaliseCache(st)
	a.stages[in.StageName] = st
	a.stageChangedLocked()
	s.seq.Add(1)
	s.publishLocked(apiID)
	return st.clone(), nil
}

// GetStage returns one stage.
func (s *Store) GetStage(apiID, name string) (*Stage, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, err
	}
	st, ok := a.stages[name]
	if !ok {
		return nil, errStageNotFound()
	}
	return st.clone(), nil
}

// ListStages returns every stage (AWS does not paginate GetStages), optionally only those
// on one deployment.
func (s *Store) ListStages(apiID, deploymentID string) ([]*Stage, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, err
	}
	out := []*Stage{}
	for _, st := range a.stages {
		if deploymentID == "" || st.DeploymentID == deploymentID {
			out = append(out, st.clone())
		}
	}
	slices.SortFunc(out, func(x, y *Stage) int { return strings.Compare(x.StageName, y.StageName) })
	return out, nil
}

// stagePatch is the state an UpdateStage call edits: the stage and the deployments it may
// point at.
type stagePatch struct {
	st          *Stage
	deployments map[string]*Deployment
}

var stageRules = []patchRule[stagePatch]{
	strField[stagePatch]("/description", opsReplace, func(p *stagePatch) *string { return &p.st.Description }),
	strField[stagePatch]("/clientCertificateId", opsReplaceRemove, func(p *stagePatch) *string { return &p.st.ClientCertificateID }),
	strField[stagePatch]("/documentationVersion", opsReplaceRemove, func(p *stagePatch) *string { return &p.st.DocumentationVersion }),
	strField[stagePatch]("/webAclArn", opsReplaceRemove, func(p *stagePatch) *string { return &p.st.WebACLArn }),
	strField[stagePatch]("/cacheClusterSize", opsReplace, func(p *stagePatch) *string { return &p.st.CacheClusterSize }),
	boolField[stagePatch]("/cacheClusterEnabled", func(p *stagePatch) *bool { return &p.st.CacheClusterEnabled }),
	boolField[stagePatch]("/tracingEnabled", func(p *stagePatch) *bool { return &p.st.TracingEnabled }),
	strMapEntry[stagePatch]("/variables", func(p *stagePatch) *map[string]string { return &p.st.Variables }),
	{path: "/deploymentId", ops: []string{"replace", "copy"}, apply: func(p *stagePatch, op PatchOp, _ string) error {
		id := op.value()
		if op.Op == "copy" {
			if op.From != "/canarySettings/deploymentId" {
				return awserr.New(awserr.BadRequest, "Invalid copy operation from %s to %s", op.From, op.Path)
			}
			if p.st.CanarySettings == nil {
				return awserr.New(awserr.BadRequest, "Promotion not available. Canary does not exist.")
			}
			id = p.st.CanarySettings.DeploymentID
		}
		if _, ok := p.deployments[id]; !ok {
			return errDeploymentNotFound()
		}
		p.st.DeploymentID = id
		return nil
	}},
	{path: "/variables", ops: []string{"copy"}, apply: func(p *stagePatch, op PatchOp, _ string) error {
		if op.From != "/canarySettings/stageVariableOverrides" {
			return awserr.New(awserr.BadRequest, "Invalid copy operation from %s to %s", op.From, op.Path)
		}
		if p.st.CanarySettings == nil {
			return awserr.New(awserr.BadRequest, "Promotion not available. Canary does not exist.")
		}
		if p.st.Variables == nil {
			p.st.Variables = map[string]string{}
		}
		maps.Copy(p.st.Variables, p.st.CanarySettings.StageVariableOverrides)
		return nil
	}},
	{path: "/accessLogSettings", ops: []string{"remove"}, apply: func(p *stagePatch, _ PatchOp, _ string) error {
		p.st.AccessLogSettings = nil
		return nil
	}},
	{path: "/accessLogSettings/*", ops: opsReplaceRemove, apply: func(p *stagePatch, op PatchOp, field string) error {
		if p.st.AccessLogSettings == nil {
			p.st.AccessLogSettings = &AccessLogSettings{}
		}
		switch field {
		case "format":
			p.st.AccessLogSettings.Format = op.value()
		case "destinationArn":
			p.st.AccessLogSettings.DestinationARN = op.value()
		default:
			return awserr.New(awserr.BadRequest, "Invalid patch path %s", op.Path)
		}
		return nil
	}},
	{path: "/canarySettings", ops: []string{"remove"}, apply: func(p *stagePatch, _ PatchOp, _ string) error {
		p.st.CanarySettings = nil
		return nil
	}},
	{path: "/canarySettings/*", ops: opsAll, apply: patchCanary},
}

func patchCanary(p *stagePatch, op PatchOp, field string) error {
	if p.st.CanarySettings == nil {
		p.st.CanarySettings = &CanarySettings{DeploymentID: p.st.DeploymentID}
	}
	cs := p.st.CanarySettings
	switch {
	case field == "percentTraffic":
		f, err := parseFloat(op)
		if err != nil {
			return err
		}
		if f < 0 || f > 100 {
			return awserr.New(awserr.BadRequest, "Canary traffic percentage must be between 0.0 and 100.0")
		}
		cs.PercentTraffic = f
	case field == "deploymentId":
		if _, ok := p.deployments[op.value()]; !ok {
			return errDeploymentNotFound()
		}
		cs.DeploymentID = op.value()
	case field == "useStageCache":
		b, err := parseBool(op)
		if err != nil {
			return err
		}
		cs.UseStageCache = b
	case strings.HasPrefix(field, "stageVariableOverrides/"):
		name := strings.TrimPrefix(field, "stageVariableOverrides/")
		if op.Op == "remove" {
			delete(cs.StageVariableOverrides, name)
			return nil
		}
		if cs.StageVariableOverrides == nil {
			cs.StageVariableOverrides = map[string]string{}
		}
		cs.StageVariableOverrides[name] = op.value()
	default:
		return awserr.New(awserr.BadRequest, "Invalid patch path %s", op.Path)
	}
	return nil
}

// UpdateStage patches a stage: its settings, variables, deployment, canary and method
// settings (/{resourcePath}/{httpMethod}/{group}/{setting}, "*" for all).
func (s *Store) UpdateStage(apiID, name string, ops []PatchOp) (*Stage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, err
	}
	st, ok := a.stages[name]
	if !ok {
		return nil, errStageNotFound()
	}
	if err := checkOps(ops, "updateStageInput"); err != nil {
		return nil, err
	}
	p := &stagePatch{st: st.clone(), deployments: a.deployments}
	for _, op := range ops {
		if key, setting, ok := methodSettingPath(op.Path); ok {
			if err := patchMethodSetting(p.st, op, key, setting); err != nil {
				return nil, err
			}
			continue
		}
		if err := applyOne(p, stageRules, op); err != nil {
			if awserr.Is(err, awserr.BadRequest) && strings.HasPrefix(err.(*awserr.Error).Message, "Invalid patch path ") {
				return nil, invalidStagePath(op.Path)
			}
			return nil, err
		}
	}
	if err := checkVariables(p.st.Variables); err != nil {
		return nil, err
	}
	if p.st.CacheClusterSize != "" && !slices.Contains(cacheSizes, p.st.CacheClusterSize) {
		return nil, enumError(p.st.CacheClusterSize, "updateStageInput.cacheClusterSize", strings.Join(cacheSizes, ", "))
	}
	normaliseCache(p.st)
	p.st.LastUpdatedDate = s.now()
	a.stages[name] = p.st
	a.stageChangedLocked()
	s.seq.Add(1)
	s.publishLocked(apiID)
	return p.st.clone(), nil
}

func invalidStagePath(path string) error {
	return awserr.New(awserr.BadRequest, "Invalid method setting path: %s. Must be one of: [/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, /accessLogSettings, /accessLogSettings/destinationArn, /accessLogSettings/format, /{resourcePath}/{httpMethod}/metrics/enabled, /{resourcePath}/{httpMethod}/logging/dataTrace, /{resourcePath}/{httpMethod}/logging/loglevel, /{resourcePath}/{httpMethod}/throttling/burstLimit/{resourcePath}/{httpMethod}/throttling/rateLimit/{resourcePath}/{httpMethod}/caching/ttlInSeconds, /{resourcePath}/{httpMethod}/caching/enabled, /{resourcePath}/{httpMethod}/caching/dataEncrypted, /{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, /{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, /*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit /*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, /*/*/caching/requireAuthorizationForCacheControl, /*/*/caching/unauthorizedCacheControlHeaderStrategy, /variables/{variable_name}, /tracingEnabled]", path)
}

var methodSettingNames = map[string]bool{
	"metrics/enabled": true, "logging/dataTrace": true, "logging/loglevel": true,
	"throttling/burstLimit": true, "throttling/rateLimit": true,
	"caching/ttlInSeconds": true, "caching/enabled": true, "caching/dataEncrypted": true,
	"caching/requireAuthorizationForCacheControl": true, "caching/unauthorizedCacheControlHeaderStrategy": true,
}

// methodSettingPath splits /{resourcePath}/{httpMethod}/{group}/{name} (or, for remove,
// /{resourcePath}/{httpMethod}) into the methodSettings key and the setting. The resource
// path arrives ~1-encoded (/~1pets~1{id}/GET/...) or, from some tools, with raw slashes.
func methodSettingPath(path string) (key, setting string, ok bool) {
	for _, reserved := range []string{"/variables", "/canarySettings", "/accessLogSettings"} {
		if path == reserved || strings.HasPrefix(path, reserved+"/") {
			return "", "", false
		}
	}
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(parts) < 2 {
		return "", "", false
	}
	var res, verb string
	if n := len(parts); n >= 4 && methodSettingNames[parts[n-2]+"/"+parts[n-1]] {
		verb, setting = parts[n-3], parts[n-2]+"/"+parts[n-1]
		res = strings.Join(parts[:n-3], "/")
	} else if len(parts) >= 2 && (parts[len(parts)-1] == "*" || slices.Contains(httpMethods, parts[len(parts)-1])) {
		verb = parts[len(parts)-1]
		res = strings.Join(parts[:len(parts)-1], "/")
	} else {
		return "", "", false
	}
	if verb != "*" && !slices.Contains(httpMethods, verb) {
		return "", "", false
	}
	if res == "*" {
		if verb != "*" {
			return "", "", false
		}
		return "*/*", setting, true
	}
	if res == "" {
		return "", "", false
	}
	res = strings.TrimPrefix(decodePointer(res), "/")
	return res + "/" + verb, setting, true
}

func patchMethodSetting(st *Stage, op PatchOp, key, setting string) error {
	if setting == "" {
		if op.Op != "remove" {
			return awserr.New(awserr.BadRequest, "Invalid patch path  '%s' specified for op '%s'. Please choose supported operations", op.Path, op.Op)
		}
		if _, ok := st.MethodSettings[key]; !ok {
			return awserr.New(awserr.BadRequest, "Cannot remove method setting %s because there is no method setting for this method ", key)
		}
		delete(st.MethodSettings, key)
		return nil
	}
	if op.Op != "replace" {
		return awserr.New(awserr.BadRequest, "Invalid patch operation specified. Must be one of: [replace]")
	}
	ms, ok := st.MethodSettings[key]
	if !ok {
		ms = DefaultMethodSetting()
		if base, ok := st.MethodSettings["*/*"]; ok && key != "*/*" {
			ms = base
		}
	}
	var err error
	switch setting {
	case "metrics/enabled":
		ms.MetricsEnabled, err = parseBool(op)
	case "logging/dataTrace":
		ms.DataTraceEnabled, err = parseBool(op)
	case "logging/loglevel":
		switch v := op.value(); v {
		case "OFF", "ERROR", "INFO":
			ms.LoggingLevel = v
		default:
			err = awserr.New(awserr.BadRequest, "Invalid logging level %s. Valid options are OFF, ERROR, INFO", v)
		}
	case "throttling/burstLimit":
		ms.ThrottlingBurstLimit, err = parseInt(op)
	case "throttling/rateLimit":
		ms.ThrottlingRateLimit, err = parseFloat(op)
	case "caching/ttlInSeconds":
		ms.CacheTTLInSeconds, err = parseInt(op)
		if err == nil && (ms.CacheTTLInSeconds < 0 || ms.CacheTTLInSeconds > 3600) {
			err = awserr.New(awserr.BadRequest, "Cache ttl must be between 0 and 3600 seconds")
		}
	case "caching/enabled":
		ms.CachingEnabled, err = parseBool(op)
	case "caching/dataEncrypted":
		ms.CacheDataEncrypted, err = parseBool(op)
	case "caching/requireAuthorizationForCacheControl":
		ms.RequireAuthorizationForCacheControl, err = parseBool(op)
	case "caching/unauthorizedCacheControlHeaderStrategy":
		switch v := op.value(); v {
		case "FAIL_WITH_403", "SUCCEED_WITH_RESPONSE_HEADER", "SUCCEED_WITHOUT_RESPONSE_HEADER":
			ms.UnauthorizedCacheControlHeaderStrategy = v
		default:
			err = enumError(v, "updateStageInput.unauthorizedCacheControlHeaderStrategy", "FAIL_WITH_403, SUCCEED_WITH_RESPONSE_HEADER, SUCCEED_WITHOUT_RESPONSE_HEADER")
		}
	}
	if err != nil {
		return err
	}
	if st.MethodSettings == nil {
		st.MethodSettings = map[string]MethodSetting{}
	}
	st.MethodSettings[key] = ms
	return nil
}

// DeleteStage deletes a stage.
func (s *Store) DeleteStage(apiID, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.api(apiID)
	if err != nil {
		return err
	}
	if _, ok := a.stages[name]; !ok {
		return errStageNotFound()
	}
	delete(a.stages, name)
	a.stageChangedLocked()
	s.seq.Add(1)
	s.publishLocked(apiID)
	return nil
}
