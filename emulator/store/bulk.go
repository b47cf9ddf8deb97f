package store

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/apigw-local/apigw-local/emulator/awserr"
)

// Modes of ReplaceDefinition, as PutRestApi names them.
const (
	ModeMerge     = "merge"
	ModeOverwrite = "overwrite"
)

// Definition is a whole REST API definition built outside the store (by the OpenAPI
// importer) and installed in one step by ImportDefinition or ReplaceDefinition, under one
// lock and validated with the rules of the single operations: either all of it is installed
// or nothing changes.
//
// Methods refer to authorizers and request validators by name, not by id:
// Method.AuthorizerID holds the name of an authorizer and Method.RequestValidatorID the name
// of a request validator, of this definition or (when merging) already in the API. The store
// resolves the names to ids. Resources are given by Path; ids, parent ids and path parts are
// the store's. Missing intermediate resources are created.
type Definition struct {
	// Settings edits the API's settings (name, description, binary media types ...). It runs
	// under the store's lock on a copy of the API and must not keep the pointer. The id,
	// creation date, root resource id and tags cannot be changed through it.
	Settings func(api *RestAPI)

	Resources        []*Resource
	Authorizers      []*Authorizer
	Models           []*Model
	Validators       []*RequestValidator
	GatewayResponses []*GatewayResponse
}

// ImportInput describes a REST API created from a definition.
type ImportInput struct {
	// ID fixes the new API's id; empty draws one (or takes the CustomIDTag tag).
	ID   string
	Tags map[string]string
	// Build returns the definition once the id is known (model schemas name it in their
	// references). It runs under the store's lock: it must be quick and must not call the
	// store.
	Build func(apiID string) (*Definition, error)
}

// ImportDefinition creates a REST API from a definition, as ImportRestApi does. Unlike
// CreateRestApi it does not add the Empty and Error models: an imported API has the models
// of its document only (AWS-recorded GetModels after ImportRestApi).
func (s *Store) ImportDefinition(in ImportInput) (*RestAPI, error) {
	if in.Build == nil {
		return nil, fmt.Errorf("store: ImportDefinition without a Build function")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := in.ID
	if id == "" {
		id = in.Tags[CustomIDTag]
	}
	if id != "" {
		if _, taken := s.apis[id]; taken {
			return nil, awserr.New(awserr.Conflict, "A REST API with the id %s already exists", id)
		}
	} else {
		id = s.newID(10, func(id string) bool { _, ok := s.apis[id]; return ok })
	}
	def, err := in.Build(id)
	if err != nil {
		return nil, err
	}
	api := &RestAPI{ID: id, CreatedDate: s.now(), Tags: maps.Clone(in.Tags)}
	st := newAPIState(api)
	root := &Resource{ID: s.cfg.IDs.NewID(10), Path: "/"}
	st.resources[root.ID] = root
	api.RootResourceID = root.ID
	if err := s.install(st, nil, def, "importRestApiInput"); err != nil {
		return nil, err
	}
	if strings.TrimSpace(st.api.Name) == "" {
		return nil, awserr.New(awserr.BadRequest, "Invalid REST API name specified")
	}
	s.apis[id] = st
	s.seq.Add(1)
	s.publishLocked(id)
	return st.api.clone(), nil
}

// ReplaceDefinition installs a definition into an existing REST API, as PutRestApi does.
// ModeOverwrite replaces every resource, method, model, authorizer, request validator and
// gateway response; ModeMerge adds the definition's and replaces those with the same path and
// verb, name or type, keeping the rest. Resources whose path survives keep their id in both
// modes, as AWS does. Deployments and stages are untouched.
func (s *Store) ReplaceDefinition(apiID string, def *Definition, mode string) (*RestAPI, error) {
	if def == nil {
		return nil, fmt.Errorf("store: ReplaceDefinition without a definition")
	}
	if mode != ModeMerge && mode != ModeOverwrite {
		return nil, enumError(mode, "putRestApiInput.mode", "merge, overwrite")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := s.api(apiID)
	if err != nil {
		return nil, err
	}
	st := &apiState{api: old.api.clone(), deployments: old.deployments, stages: old.stages, servedDefaultEndpointOff: old.servedDefaultEndpointOff}
	if mode == ModeMerge {
		st.resources = cloneMap(old.resources, (*Resource).clone)
		st.authorizers = cloneMap(old.authorizers, (*Authorizer).clone)
		st.models = cloneMap(old.models, (*Model).clone)
		st.validators = cloneMap(old.validators, (*RequestValidator).clone)
		st.gatewayResponses = cloneMap(old.gatewayResponses, (*GatewayResponse).clone)
	} else {
		rootID := old.api.RootResourceID
		st.resources = map[string]*Resource{rootID: {ID: rootID, Path: "/"}}
		st.authorizers = map[string]*Authorizer{}
		st.models = map[string]*Model{}
		st.validators = map[string]*RequestValidator{}
		st.gatewayResponses = map[string]*GatewayResponse{}
	}
	if err := s.install(st, old, def, "putRestApiInput"); err != nil {
		return nil, err
	}
	*old = *st
	s.seq.Add(1)
	s.publishLocked(apiID)
	return old.api.clone(), nil
}

// StageSnapshot returns a stage and the definition its deployment froze, for exports. The
// snapshot is shared and must not be modified.
func (s *Store) StageSnapshot(apiID, stage string) (*Stage, *Snapshot, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, nil, err
	}
	st, ok := a.stages[stage]
	if !ok {
		return nil, nil, errStageNotFound()
	}
	d, ok := a.deployments[st.DeploymentID]
	if !ok {
		return nil, nil, errDeploymentNotFound()
	}
	return st.clone(), d.Snapshot, nil
}

// importError is the BadRequestException of a failed import: AWS's "Errors found during
// import" followed by what was being done and the reason.
func importError(what string, err error) error {
	msg := err.Error()
	if ae, ok := err.(*awserr.Error); ok {
		msg = ae.Message
	}
	return awserr.New(awserr.BadRequest, "Errors found during import:\n\t%s: %s", what, msg)
}

// install validates def and writes it into st, a private copy nobody else sees yet. old is
// the API being replaced (nil for a new one): its ids are reused for what keeps its path
// or name. Callers hold s.mu.
func (s *Store) install(st, old *apiState, def *Definition, input string) error {
	if def.Settings != nil {
		keep := *st.api
		def.Settings(st.api)
		st.api.ID, st.api.CreatedDate, st.api.RootResourceID, st.api.Tags = keep.ID, keep.CreatedDate, keep.RootResourceID, keep.Tags
		st.api.Warnings = nil
		if err := normaliseRestAPI(st.api, input); err != nil {
			return err
		}
	}
	if err := s.installModels(st, old, def.Models); err != nil {
		return err
	}
	if err := s.installValidators(st, old, def.Validators); err != nil {
		return err
	}
	if err := s.installAuthorizers(st, old, def.Authorizers); err != nil {
		return err
	}
	for _, g := range def.GatewayResponses {
		if _, err := checkResponseType(g.ResponseType); err != nil {
			return importError(fmt.Sprintf("Unable to put gateway response '%s'", g.ResponseType), err)
		}
		c := g.clone()
		c.DefaultResponse = false
		if err := validateGatewayResponse(c); err != nil {
			return importError(fmt.Sprintf("Unable to put gateway response '%s'", g.ResponseType), err)
		}
		st.gatewayResponses[c.ResponseType] = c
	}
	return s.installResources(st, old, def.Resources)
}

func (s *Store) installModels(st, old *apiState, models []*Model) error {
	seen := map[string]bool{}
	for _, m := range models {
		c := m.clone()
		if err := validateModel(c); err != nil {
			return importError(fmt.Sprintf("Unable to create model '%s'", m.Name), err)
		}
		if seen[c.Name] {
			return importError(fmt.Sprintf("Unable to create model '%s'", m.Name), awserr.New(awserr.Conflict, "Model name already exists for this REST API"))
		}
		seen[c.Name] = true
		switch {
		case st.models[c.Name] != nil:
			c.ID = st.models[c.Name].ID
		case old != nil && old.models[c.Name] != nil:
			c.ID = old.models[c.Name].ID
		default:
			c.ID = s.newID(6, func(id string) bool {
				for _, o := range st.models {
					if o.ID == id {
						return true
					}
				}
				return false
			})
		}
		st.models[c.Name] = c
	}
	return nil
}

func (s *Store) installValidators(st, old *apiState, validators []*RequestValidator) error {
	seen := map[string]bool{}
	for _, v := range validators {
		c := v.clone()
		if seen[c.Name] {
			return importError(fmt.Sprintf("Unable to create request validator '%s'", c.Name), awserr.New(awserr.Conflict, "Validator with name %s already exists", c.Name))
		}
		seen[c.Name] = true
		c.ID = ""
		for id, e := range st.validators {
			if e.Name == c.Name {
				c.ID = id
			}
		}
		if c.ID == "" && old != nil {
			for id, e := range old.validators {
				if e.Name == c.Name && st.validators[id] == nil {
					c.ID = id
				}
			}
		}
		if c.ID == "" {
			c.ID = s.newID(6, func(id string) bool { return st.validators[id] != nil || (old != nil && old.validators[id] != nil) })
		}
		st.validators[c.ID] = c
	}
	return nil
}

func (s *Store) installAuthorizers(st, old *apiState, authorizers []*Authorizer) error {
	seen := map[string]bool{}
	for _, a := range authorizers {
		c := a.clone()
		what := fmt.Sprintf("Unable to create authorizer '%s'", c.Name)
		if err := validateAuthorizer(c); err != nil {
			return importError(what, err)
		}
		if seen[c.Name] {
			return importError(what, awserr.New(awserr.Conflict, "Authorizer with name %s already exists", c.Name))
		}
		seen[c.Name] = true
		c.ID = ""
		for id, e := range st.authorizers {
			if e.Name == c.Name {
				c.ID = id
			}
		}
		if c.ID == "" && old != nil {
			for id, e := range old.authorizers {
				if e.Name == c.Name && st.authorizers[id] == nil {
					c.ID = id
				}
			}
		}
		if c.ID == "" {
			c.ID = s.newID(6, func(id string) bool { return st.authorizers[id] != nil || (old != nil && old.authorizers[id] != nil) })
		}
		st.authorizers[c.ID] = c
	}
	return nil
}

// installResources creates the definition's resources (and their missing parents) and puts
// their methods.
func (s *Store) installResources(st, old *apiState, resources []*Resource) error {
	byPath := make(map[string]*Resource, len(st.resources))
	for _, r := range st.resources {
		byPath[r.Path] = r
	}
	oldByPath := map[string]*Resource{}
	if old != nil {
		for _, r := range old.resources {
			oldByPath[r.Path] = r
		}
	}
	// New ids avoid those of the old API too, so no id comes back to mean another resource.
	taken := func(id string) bool { return st.resources[id] != nil || (old != nil && old.resources[id] != nil) }
	sorted := slices.Clone(resources)
	slices.SortStableFunc(sorted, func(x, y *Resource) int { return strings.Compare(x.Path, y.Path) })
	put := map[string]bool{} // resource id + verb put by this definition
	for _, in := range sorted {
		r, err := s.ensurePath(st, byPath, oldByPath, taken, in.Path)
		if err != nil {
			return err
		}
		verbs := slices.Sorted(maps.Keys(in.Methods))
		for _, verb := range verbs {
			key := r.ID + " " + verb
			if put[key] {
				return importError(fmt.Sprintf("Unable to put method '%s' on resource at path '%s'", verb, r.Path), awserr.New(awserr.Conflict, "Method already exists for this resource"))
			}
			put[key] = true
			m, err := st.buildMethod(r, verb, in.Methods[verb])
			if err != nil {
				return err
			}
			if r.Methods == nil {
				r.Methods = map[string]*Method{}
			}
			r.Methods[verb] = m
		}
	}
	return nil
}

// ensurePath returns the resource at path, creating it and its missing parents.
func (s *Store) ensurePath(st *apiState, byPath, oldByPath map[string]*Resource, taken func(string) bool, path string) (*Resource, error) {
	if path == "/" {
		return byPath["/"], nil
	}
	if !strings.HasPrefix(path, "/") || strings.HasSuffix(path, "/") {
		return nil, importError(fmt.Sprintf("Unable to create resource at path '%s'", path), awserr.New(awserr.BadRequest, "Invalid resource path: it must start with / and not end with /"))
	}
	parent := byPath["/"]
	for _, part := range strings.Split(path[1:], "/") {
		p := joinPath(parent.Path, part)
		if r := byPath[p]; r != nil {
			parent = r
			continue
		}
		if err := st.checkChild(parent, part, ""); err != nil {
			return nil, importError(fmt.Sprintf("Unable to create resource at path '%s'", p), err)
		}
		r := &Resource{ParentID: parent.ID, PathPart: part, Path: p}
		if o := oldByPath[p]; o != nil && st.resources[o.ID] == nil {
			r.ID = o.ID
		} else {
			r.ID = s.newID(6, taken)
		}
		st.resources[r.ID] = r
		byPath[p] = r
		parent = r
	}
	return parent, nil
}

// buildMethod validates one method of a definition with the rules of PutMethod,
// PutMethodResponse, PutIntegration and PutIntegrationResponse, resolving authorizer and
// validator names to ids.
func (a *apiState) buildMethod(r *Resource, verb string, in *Method) (*Method, error) {
	where := fmt.Sprintf("'%s' for resource at path '%s'", verb, r.Path)
	if !IsHTTPMethod(verb) {
		return nil, importError(fmt.Sprintf("Unable to put method '%s' on resource at path '%s'", verb, r.Path),
			awserr.New(awserr.BadRequest, "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY"))
	}
	m := in.clone()
	m.HTTPMethod = verb
	if m.AuthorizationType == "" {
		m.AuthorizationType = "NONE"
	}
	if m.AuthorizerID != "" {
		for id, au := range a.authorizers {
			if au.Name == m.AuthorizerID {
				m.AuthorizerID = id
				break
			}
		}
	}
	if m.RequestValidatorID != "" {
		for id, v := range a.validators {
			if v.Name == m.RequestValidatorID {
				m.RequestValidatorID = id
				break
			}
		}
	}
	if err := a.validateMethod(m); err != nil {
		return nil, importError(fmt.Sprintf("Unable to put method '%s' on resource at path '%s'", verb, r.Path), err)
	}
	for status, mr := range m.MethodResponses {
		if err := validStatusCode(status); err != nil {
			return nil, importError("Unable to put method response on "+where, err)
		}
		mr.StatusCode = status
		if err := validateMethodResponse(mr); err != nil {
			return nil, importError("Unable to put method response on "+where, err)
		}
	}
	if m.Integration == nil {
		return m, nil
	}
	it := m.Integration
	if it.TimeoutInMillis == 0 {
		it.TimeoutInMillis = DefaultTimeoutMillis
	}
	if err := validateIntegration(it, r.ID, m); err != nil {
		return nil, importError("Unable to put integration on "+where, err)
	}
	for status, ir := range it.IntegrationResponses {
		mr, ok := m.MethodResponses[status]
		if !ok {
			return nil, importError("Unable to put integration response on "+where, errStatusNotFound())
		}
		ir.StatusCode = status
		if err := validateIntegrationResponse(ir, mr); err != nil {
			return nil, importError("Unable to put integration response on "+where, err)
		}
	}
	return m, nil
}
