package store

import (
	"slices"
	"strings"

	"github.com/apigw-local/apigw-local/emulator/awserr"
)

// CustomIDTag is the tag that fixes a new REST API's id, as LocalStack users expect.
const CustomIDTag = "_custom_id_"

// CreateRestAPIInput is the body of CreateRestApi.
type CreateRestAPIInput struct {
	Name                      string                 `json:"name"`
	Description               string                 `json:"description"`
	Version                   string                 `json:"version"`
	CloneFrom                 string                 `json:"cloneFrom"`
	BinaryMediaTypes          []string               `json:"binaryMediaTypes"`
	MinimumCompressionSize    *int                   `json:"minimumCompressionSize"`
	APIKeySource              string                 `json:"apiKeySource"`
	EndpointConfiguration     *EndpointConfiguration `json:"endpointConfiguration"`
	Policy                    string                 `json:"policy"`
	Tags                      map[string]string      `json:"tags"`
	DisableExecuteAPIEndpoint bool                   `json:"disableExecuteApiEndpoint"`
}

const maxCompressionSize = 10485760

// CreateRestAPI creates a REST API with its root resource "/".
func (s *Store) CreateRestAPI(in CreateRestAPIInput) (*RestAPI, error) {
	if strings.TrimSpace(in.Name) == "" {
		return nil, awserr.New(awserr.BadRequest, "Invalid REST API name specified")
	}
	api := &RestAPI{
		Name:                      in.Name,
		Description:               in.Description,
		Version:                   in.Version,
		BinaryMediaTypes:          slices.Clone(in.BinaryMediaTypes),
		APIKeySource:              in.APIKeySource,
		Policy:                    in.Policy,
		DisableExecuteAPIEndpoint: in.DisableExecuteAPIEndpoint,
	}
	if in.MinimumCompressionSize != nil {
		v := *in.MinimumCompressionSize
		api.MinimumCompressionSize = &v
	}
	if len(in.Tags) > 0 {
		api.Tags = make(map[string]string, len(in.Tags))
		for k, v := range in.Tags {
			api.Tags[k] = v
		}
	}
	if in.EndpointConfiguration != nil {
		api.EndpointConfiguration = *in.EndpointConfiguration
		api.EndpointConfiguration.Types = slices.Clone(in.EndpointConfiguration.Types)
	}
	if err := normaliseRestAPI(api, "createRestApiInput"); err != nil {
		return nil, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	var src *apiState
	if in.CloneFrom != "" {
		var err error
		if src, err = s.api(in.CloneFrom); err != nil {
			return nil, err
		}
	}
	if custom := in.Tags[CustomIDTag]; custom != "" {
		if _, taken := s.apis[custom]; taken {
			return nil, awserr.New(awserr.Conflict, "A REST API with the id %s already exists", custom)
		}
		api.ID = custom
	} else {
		api.ID = s.newID(10, func(id string) bool { _, ok := s.apis[id]; return ok })
	}
	api.CreatedDate = s.now()
	st := newAPIState(api)
	if src != nil {
		s.cloneInto(st, src)
	} else {
		root := &Resource{ID: s.cfg.IDs.NewID(10), Path: "/"}
		st.resources[root.ID] = root
		api.RootResourceID = root.ID
		s.addDefaultModels(st)
	}
	s.apis[api.ID] = st
	s.seq.Add(1)
	return api.clone(), nil
}

func newAPIState(api *RestAPI) *apiState {
	return &apiState{
		api:              api,
		resources:        map[string]*Resource{},
		deployments:      map[string]*Deployment{},
		stages:           map[string]*Stage{},
		authorizers:      map[string]*Authorizer{},
		models:           map[string]*Model{},
		validators:       map[string]*RequestValidator{},
		gatewayResponses: map[string]*GatewayResponse{},
	}
}

// cloneInto copies the definition (not deployments or stages) of src into st, as
// CreateRestApi's cloneFrom does.
func (s *Store) cloneInto(st, src *apiState) {
	for id, r := range src.resources {
		st.resources[id] = r.clone()
	}
	st.api.RootResourceID = src.api.RootResourceID
	st.authorizers = cloneMap(src.authorizers, (*Authorizer).clone)
	st.models = cloneMap(src.models, (*Model).clone)
	st.validators = cloneMap(src.validators, (*RequestValidator).clone)
	st.gatewayResponses = cloneMap(src.gatewayResponses, (*GatewayResponse).clone)
}

// normaliseRestAPI validates a REST API's settings and fills AWS's defaults.
func normaliseRestAPI(api *RestAPI, input string) error {
	if api.APIKeySource == "" {
		api.APIKeySource = "HEADER"
	}
	if api.APIKeySource != "HEADER" && api.APIKeySource != "AUTHORIZER" {
		return enumError(api.APIKeySource, input+".apiKeySource", "HEADER, AUTHORIZER")
	}
	if m := api.MinimumCompressionSize; m != nil && (*m < 0 || *m > maxCompressionSize) {
		return awserr.New(awserr.BadRequest, "Invalid minimum compression size, must be between 0 and 10485760")
	}
	ec := &api.EndpointConfiguration
	if len(ec.Types) == 0 {
		ec.Types = []string{"EDGE"}
	}
	if len(ec.Types) != 1 {
		return awserr.New(awserr.BadRequest, "Only one endpoint type is allowed per API")
	}
	switch ec.Types[0] {
	case "EDGE", "REGIONAL", "PRIVATE":
	default:
		return enumError(ec.Types[0], input+".endpointConfiguration.types", "REGIONAL, EDGE, PRIVATE")
	}
	if ec.IPAddressType == "" {
		ec.IPAddressType = "ipv4"
		if ec.Types[0] == "PRIVATE" {
			ec.IPAddressType = "dualstack"
		}
	}
	if ec.IPAddressType != "ipv4" && ec.IPAddressType != "dualstack" {
		return enumError(ec.IPAddressType, input+".endpointConfiguration.ipAddressType", "ipv4, dualstack")
	}
	for _, t := range api.BinaryMediaTypes {
		if !strings.Contains(t, "/") {
			return awserr.New(awserr.BadRequest, "Invalid binary media type specified: %s", t)
		}
	}
	return nil
}

// enumError is the ValidationException AWS's front end sends for a value outside an enum.
func enumError(value, at, set string) error {
	return awserr.New(awserr.Validation,
		"1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]",
		value, at, set)
}

// GetRestAPI returns one REST API.
func (s *Store) GetRestAPI(id string) (*RestAPI, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.api(id)
	if err != nil {
		return nil, err
	}
	return a.api.clone(), nil
}

// ListRestAPIs returns one page of REST APIs ordered by creation date, then id.
func (s *Store) ListRestAPIs(position string, limit int) ([]*RestAPI, string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	all := make([]*RestAPI, 0, len(s.apis))
	for _, a := range s.apis {
		all = append(all, a.api)
	}
	slices.SortFunc(all, func(a, b *RestAPI) int {
		if c := a.CreatedDate.Time().Compare(b.CreatedDate.Time()); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	page, next, err := paginate(all, position, limit, func(a *RestAPI) string { return a.ID })
	if err != nil {
		return nil, "", err
	}
	out := make([]*RestAPI, len(page))
	for i, a := range page {
		out[i] = a.clone()
	}
	return out, next, nil
}

var restAPIRules = []patchRule[RestAPI]{
	strField[RestAPI]("/name", opsReplace, func(a *RestAPI) *string { return &a.Name }),
	strField[RestAPI]("/description", opsReplace, func(a *RestAPI) *string { return &a.Description }),
	strField[RestAPI]("/version", opsReplace, func(a *RestAPI) *string { return &a.Version }),
	strField[RestAPI]("/apiKeySource", opsReplace, func(a *RestAPI) *string { return &a.APIKeySource }),
	strField[RestAPI]("/policy", opsReplace, func(a *RestAPI) *string { return &a.Policy }),
	boolField[RestAPI]("/disableExecuteApiEndpoint", func(a *RestAPI) *bool { return &a.DisableExecuteAPIEndpoint }),
	listMember[RestAPI]("/binaryMediaTypes", func(a *RestAPI) *[]string { return &a.BinaryMediaTypes }),
	strField[RestAPI]("/endpointConfiguration/ipAddressType", opsReplace, func(a *RestAPI) *string {
		return &a.EndpointConfiguration.IPAddressType
	}),
	{path: "/minimumCompressionSize", ops: opsReplace, apply: func(a *RestAPI, op PatchOp, _ string) error {
		if op.value() == "" {
			a.MinimumCompressionSize = nil
			return nil
		}
		n, err := parseInt(op)
		if err != nil {
			return err
		}
		a.MinimumCompressionSize = &n
		return nil
	}},
	// aws apigateway update-rest-api --patch-operations op=replace,path=/endpointConfiguration/types/EDGE,value=REGIONAL
	{path: "/endpointConfiguration/types/*", ops: opsReplace, apply: func(a *RestAPI, op PatchOp, _ string) error {
		a.EndpointConfiguration.Types = []string{op.value()}
		a.EndpointConfiguration.IPAddressType = ""
		return nil
	}},
}

// UpdateRestAPI applies patch operations to a REST API.
func (s *Store) UpdateRestAPI(id string, ops []PatchOp) (*RestAPI, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.api(id)
	if err != nil {
		return nil, err
	}
	c := a.api.clone()
	if err := applyPatch(c, restAPIRules, ops, "updateRestApiInput"); err != nil {
		return nil, err
	}
	if c.Name == "" {
		return nil, awserr.New(awserr.BadRequest, "Invalid REST API name specified")
	}
	if err := normaliseRestAPI(c, "updateRestApiInput"); err != nil {
		return nil, err
	}
	a.api = c
	s.seq.Add(1)
	// Nothing served changes: the definition reaches stages by deployments, and
	// disableExecuteApiEndpoint at the next change of a stage (stageChangedLocked).
	return c.clone(), nil
}

// DeleteRestAPI deletes a REST API and everything in it.
func (s *Store) DeleteRestAPI(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.api(id); err != nil {
		return err
	}
	delete(s.apis, id)
	s.seq.Add(1)
	s.publishLocked(id)
	return nil
}
