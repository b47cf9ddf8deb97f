package store

import (
	"maps"
	"slices"
	"strings"

	"github.com/apigw-local/apigw-local/emulator/awserr"
)

// httpMethods are the verbs a REST API method may have.
var httpMethods = []string{"GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY"}

// IsHTTPMethod reports whether verb is one a REST API method may have (ANY included).
func IsHTTPMethod(verb string) bool { return slices.Contains(httpMethods, verb) }

// PutMethodInput is the body of PutMethod.
type PutMethodInput struct {
	AuthorizationType   string            `json:"authorizationType"`
	AuthorizerID        string            `json:"authorizerId"`
	APIKeyRequired      bool              `json:"apiKeyRequired"`
	OperationName       string            `json:"operationName"`
	RequestParameters   map[string]bool   `json:"requestParameters"`
	RequestModels       map[string]string `json:"requestModels"`
	RequestValidatorID  string            `json:"requestValidatorId"`
	AuthorizationScopes []string          `json:"authorizationScopes"`
}

func errMethodNotFound() error {
	return awserr.New(awserr.NotFound, "Invalid Method identifier specified")
}

// method finds a method; callers hold s.mu.
func (s *Store) method(apiID, resourceID, verb string) (*apiState, *Resource, *Method, error) {
	a, err := s.api(apiID)
	if err != nil {
		return nil, nil, nil, err
	}
	r, err := a.resource(resourceID)
	if err != nil {
		return nil, nil, nil, err
	}
	m, ok := r.Methods[verb]
	if !ok {
		return nil, nil, nil, errMethodNotFound()
	}
	return a, r, m, nil
}

// validateMethod checks a method's references and fields against the API.
func (a *apiState) validateMethod(m *Method) error {
	switch m.AuthorizationType {
	case "NONE", "AWS_IAM":
	case "CUSTOM", "COGNITO_USER_POOLS":
		auth, ok := a.authorizers[m.AuthorizerID]
		if !ok || (m.AuthorizationType == "COGNITO_USER_POOLS") != (auth.Type == "COGNITO_USER_POOLS") {
			return awserr.New(awserr.BadRequest, "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.")
		}
	case "":
		return awserr.New(awserr.BadRequest, "Invalid authorization type specified. Valid options are NONE, AWS_IAM, CUSTOM, COGNITO_USER_POOLS")
	default:
		return awserr.New(awserr.BadRequest, "Invalid authorization type specified. Valid options are NONE, AWS_IAM, CUSTOM, COGNITO_USER_POOLS")
	}
	if m.AuthorizationType == "NONE" || m.AuthorizationType == "AWS_IAM" {
		m.AuthorizerID = ""
	}
	if m.RequestValidatorID != "" {
		if _, ok := a.validators[m.RequestValidatorID]; !ok {
			return awserr.New(awserr.BadRequest, "Invalid Request Validator identifier specified")
		}
	}
	for name := range m.RequestParameters {
		if !validMethodRequestParam(name) {
			return awserr.New(awserr.BadRequest, "Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid method request parameter specified: %s]", name)
		}
	}
	for ct, model := range m.RequestModels {
		if _, ok := a.models[model]; !ok && model != "Empty" && model != "Error" {
			return awserr.New(awserr.BadRequest, "Invalid model identifier specified: %s", model)
		}
		if ct == "" {
			return awserr.New(awserr.BadRequest, "Invalid content type specified: %s", ct)
		}
	}
	return nil
}

func validMethodRequestParam(name string) bool {
	for _, loc := range []string{"path", "querystring", "header", "multivaluequerystring", "multivalueheader"} {
		if rest, ok := strings.CutPrefix(name, "method.request."+loc+"."); ok && rest != "" {
			return true
		}
	}
	return false
}

// PutMethod adds a method to a resource. An existing method is a conflict, as on AWS.
func (s *Store) PutMethod(apiID, resourceID, verb string, in PutMethodInput) (*Method, error) {
	if !slices.Contains(httpMethods, verb) {
		return nil, awserr.New(awserr.BadRequest, "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, err
	}
	r, err := a.resource(resourceID)
	if err != nil {
		return nil, err
	}
	if _, ok := r.Methods[verb]; ok {
		return nil, awserr.New(awserr.Conflict, "Method already exists for this resource")
	}
	m := &Method{
		HTTPMethod:          verb,
		AuthorizationType:   in.AuthorizationType,
		AuthorizerID:        in.AuthorizerID,
		APIKeyRequired:      in.APIKeyRequired,
		RequestValidatorID:  in.RequestValidatorID,
		OperationName:       in.OperationName,
		RequestParameters:   maps.Clone(in.RequestParameters),
		RequestModels:       maps.Clone(in.RequestModels),
		AuthorizationScopes: slices.Clone(in.AuthorizationScopes),
	}
	if err := a.validateMethod(m); err != nil {
		return nil, err
	}
	if r.Methods == nil {
		r.Methods = map[string]*Method{}
	}
	r.Methods[verb] = m
	s.seq.Add(1)
	return m.clone(), nil
}

// GetMethod returns a method with its responses and integration.
func (s *Store) GetMethod(apiID, resourceID, verb string) (*Method, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, _, m, err := s.method(apiID, resourceID, verb)
	if err != nil {
		return nil, err
	}
	return m.clone(), nil
}

var methodRules = []patchRule[Method]{
	strField[Method]("/authorizationType", opsReplace, func(m *Method) *string { return &m.AuthorizationType }),
	strField[Method]("/authorizerId", opsReplace, func(m *Method) *string { return &m.AuthorizerID }),
	boolField[Method]("/apiKeyRequired", func(m *Method) *bool { return &m.APIKeyRequired }),
	strField[Method]("/requestValidatorId", opsReplace, func(m *Method) *string { return &m.RequestValidatorID }),
	strField[Method]("/operationName", opsReplace, func(m *Method) *string { return &m.OperationName }),
	boolMapEntry[Method]("/requestParameters", func(m *Method) *map[string]bool { return &m.RequestParameters }),
	strMapEntry[Method]("/requestModels", func(m *Method) *map[string]string { return &m.RequestModels }),
	listMember[Method]("/authorizationScopes", func(m *Method) *[]string { return &m.AuthorizationScopes }),
}

// UpdateMethod patches a method.
func (s *Store) UpdateMethod(apiID, resourceID, verb string, ops []PatchOp) (*Method, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, r, m, err := s.method(apiID, resourceID, verb)
	if err != nil {
		return nil, err
	}
	c := m.clone()
	if err := applyPatch(c, methodRules, ops, "updateMethodInput"); err != nil {
		return nil, err
	}
	if err := a.validateMethod(c); err != nil {
		return nil, err
	}
	r.Methods[verb] = c
	s.seq.Add(1)
	return c.clone(), nil
}

// DeleteMethod removes a method with its responses and integration.
func (s *Store) DeleteMethod(apiID, resourceID, verb string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, r, _, err := s.method(apiID, resourceID, verb)
	if err != nil {
		return err
	}
	delete(r.Methods, verb)
	s.seq.Add(1)
	return nil
}

// PutMethodResponseInput is the body of PutMethodResponse.
type PutMethodResponseInput struct {
	ResponseParameters map[string]bool   `json:"responseParameters"`
	ResponseModels     map[string]string `json:"responseModels"`
}

func errStatusNotFound() error {
	return awserr.New(awserr.NotFound, "Invalid Response status code specified")
}

func validStatusCode(code string) error {
	if len(code) != 3 || code[0] < '1' || code[0] > '5' || strings.Trim(code, "0123456789") != "" {
		return awserr.New(awserr.BadRequest, "Invalid status code specified: %s. Status codes must be between 100 and 599", code)
	}
	return nil
}

func validateMethodResponse(mr *MethodResponse) error {
	for name := range mr.ResponseParameters {
		if rest, ok := strings.CutPrefix(name, "method.response.header."); !ok || rest == "" {
			return awserr.New(awserr.BadRequest, "Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid method response parameter specified: %s]", name)
		}
	}
	return nil
}

// PutMethodResponse declares (or replaces) a method response.
func (s *Store) PutMethodResponse(apiID, resourceID, verb, status string, in PutMethodResponseInput) (*MethodResponse, error) {
	if err := validStatusCode(status); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _, m, err := s.method(apiID, resourceID, verb)
	if err != nil {
		return nil, err
	}
	mr := &MethodResponse{StatusCode: status, ResponseParameters: maps.Clone(in.ResponseParameters), ResponseModels: maps.Clone(in.ResponseModels)}
	if err := validateMethodResponse(mr); err != nil {
		return nil, err
	}
	if m.MethodResponses == nil {
		m.MethodResponses = map[string]*MethodResponse{}
	}
	m.MethodResponses[status] = mr
	s.seq.Add(1)
	return mr.clone(), nil
}

// GetMethodResponse returns a method response.
func (s *Store) GetMethodResponse(apiID, resourceID, verb, status string) (*MethodResponse, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, _, m, err := s.method(apiID, resourceID, verb)
	if err != nil {
		return nil, err
	}
	mr, ok := m.MethodResponses[status]
	if !ok {
		return nil, errStatusNotFound()
	}
	return mr.clone(), nil
}

var methodResponseRules = []patchRule[MethodResponse]{
	boolMapEntry[MethodResponse]("/responseParameters", func(m *MethodResponse) *map[string]bool { return &m.ResponseParameters }),
	strMapEntry[MethodResponse]("/responseModels", func(m *MethodResponse) *map[string]string { return &m.ResponseModels }),
}

// UpdateMethodResponse patches a method response.
func (s *Store) UpdateMethodResponse(apiID, resourceID, verb, status string, ops []PatchOp) (*MethodResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _, m, err := s.method(apiID, resourceID, verb)
	if err != nil {
		return nil, err
	}
	mr, ok := m.MethodResponses[status]
	if !ok {
		return nil, errStatusNotFound()
	}
	c := mr.clone()
	if err := applyPatch(c, methodResponseRules, ops, "updateMethodResponseInput"); err != nil {
		return nil, err
	}
	if err := validateMethodResponse(c); err != nil {
		return nil, err
	}
	m.MethodResponses[status] = c
	s.seq.Add(1)
	return c.clone(), nil
}

// DeleteMethodResponse removes a method response.
func (s *Store) DeleteMethodResponse(apiID, resourceID, verb, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _, m, err := s.method(apiID, resourceID, verb)
	if err != nil {
		return err
	}
	if _, ok := m.MethodResponses[status]; !ok {
		return errStatusNotFound()
	}
	delete(m.MethodResponses, status)
	s.seq.Add(1)
	return nil
}
