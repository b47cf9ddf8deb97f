package store

import (
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/apigw-local/apigw-local/emulator/awserr"
)

// Integration limits and defaults (AWS developer guide, limits).
const (
	DefaultTimeoutMillis = 29000
	MinTimeoutMillis     = 50
	MaxTimeoutMillis     = 29000
)

// PutIntegrationInput is the body of PutIntegration.
type PutIntegrationInput struct {
	Type                string            `json:"type"`
	HTTPMethod          string            `json:"httpMethod"`
	URI                 string            `json:"uri"`
	ConnectionType      string            `json:"connectionType"`
	ConnectionID        string            `json:"connectionId"`
	Credentials         string            `json:"credentials"`
	RequestParameters   map[string]string `json:"requestParameters"`
	RequestTemplates    map[string]string `json:"requestTemplates"`
	PassthroughBehavior string            `json:"passthroughBehavior"`
	CacheNamespace      string            `json:"cacheNamespace"`
	CacheKeyParameters  []string          `json:"cacheKeyParameters"`
	ContentHandling     string            `json:"contentHandling"`
	TimeoutInMillis     *int              `json:"timeoutInMillis"`
	TLSConfig           *TLSConfig        `json:"tlsConfig"`
}

func errIntegrationNotFound() error {
	return awserr.New(awserr.NotFound, "Invalid Integration identifier specified")
}

var (
	awsIntegrationURIRE = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:apigateway:[^:]*:[^:]+:(path|action)/.+$`)
	lambdaURIRE         = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:apigateway:[^:]*:lambda:path/2015-03-31/functions/.+/invocations$`)
	firehoseURIRE       = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:apigateway:[^:]*:firehose:`)
	integrationTargetRE = regexp.MustCompile(`^integration\.request\.(path|querystring|header|multivaluequerystring|multivalueheader)\.[a-zA-Z0-9._$-]+$`)
)

// validateIntegration checks an integration against AWS's rules and fills its defaults.
// resourceID is the default cache namespace; m is the method it belongs to.
func validateIntegration(in *Integration, resourceID string, m *Method) error {
	switch in.Type {
	case "HTTP", "HTTP_PROXY", "AWS", "AWS_PROXY", "MOCK":
	default:
		return enumError(in.Type, "putIntegrationInput.type", "HTTP, AWS, MOCK, HTTP_PROXY, AWS_PROXY")
	}
	if in.Type != "MOCK" {
		if in.HTTPMethod == "" {
			return awserr.New(awserr.BadRequest, "Enumeration value for HttpMethod must be non-empty")
		}
		if !slices.Contains(httpMethods, in.HTTPMethod) {
			return awserr.New(awserr.BadRequest, "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY")
		}
		if in.ConnectionType == "" {
			in.ConnectionType = "INTERNET"
		}
	}
	switch in.Type {
	case "HTTP", "HTTP_PROXY":
		if !validHTTPURI(in.URI) {
			return awserr.New(awserr.BadRequest, "Invalid HTTP endpoint specified for URI")
		}
	case "AWS":
		if !strings.HasPrefix(in.URI, "arn:") {
			return awserr.New(awserr.BadRequest, "Invalid ARN specified in the request")
		}
		if !awsIntegrationURIRE.MatchString(stripStageVars(in.URI)) {
			return awserr.New(awserr.BadRequest, "AWS ARN for integration must contain path or action")
		}
	case "AWS_PROXY":
		u := stripStageVars(in.URI)
		if !lambdaURIRE.MatchString(u) && !firehoseURIRE.MatchString(u) {
			return awserr.New(awserr.BadRequest, "Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.")
		}
	}
	switch in.ConnectionType {
	case "", "INTERNET":
	case "VPC_LINK":
		if in.ConnectionID == "" {
			return awserr.New(awserr.BadRequest, "ConnectionId must be specified when connectionType is VPC_LINK")
		}
	default:
		return enumError(in.ConnectionType, "putIntegrationInput.connectionType", "INTERNET, VPC_LINK")
	}
	if in.PassthroughBehavior == "" {
		in.PassthroughBehavior = "WHEN_NO_MATCH"
	}
	switch in.PassthroughBehavior {
	case "WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER":
	default:
		return awserr.New(awserr.BadRequest, "Invalid passthrough behavior specified: %s. Valid options are WHEN_NO_MATCH, WHEN_NO_TEMPLATES, NEVER", in.PassthroughBehavior)
	}
	switch in.ContentHandling {
	case "", "CONVERT_TO_BINARY", "CONVERT_TO_TEXT":
	default:
		return enumError(in.ContentHandling, "putIntegrationInput.contentHandling", "CONVERT_TO_BINARY, CONVERT_TO_TEXT")
	}
	if in.TimeoutInMillis == 0 {
		in.TimeoutInMillis = DefaultTimeoutMillis
	}
	if in.TimeoutInMillis < MinTimeoutMillis || in.TimeoutInMillis > MaxTimeoutMillis {
		return awserr.New(awserr.BadRequest, "Timeout should be between 50 ms and 29000 ms")
	}
	if in.CacheNamespace == "" {
		in.CacheNamespace = resourceID
	}
	if in.CacheKeyParameters == nil {
		in.CacheKeyParameters = []string{}
	}
	for target, source := range in.RequestParameters {
		if !integrationTargetRE.MatchString(target) {
			return mappingError(target)
		}
		if err := checkRequestSource(source, m); err != nil {
			return err
		}
	}
	return nil
}

// checkRequestSource validates the source side of an integration request parameter.
func checkRequestSource(source string, m *Method) error {
	switch {
	case strings.HasPrefix(source, "'") && strings.HasSuffix(source, "'") && len(source) >= 2:
		return nil
	case strings.HasPrefix(source, "stageVariables."), strings.HasPrefix(source, "context."):
		return nil
	case source == "method.request.body" || strings.HasPrefix(source, "method.request.body."):
		return nil
	case strings.HasPrefix(source, "method.request."):
		if !validMethodRequestParam(source) {
			return mappingError(source)
		}
		if _, declared := m.RequestParameters[source]; !declared && !strings.HasPrefix(source, "method.request.path.") {
			return mappingError(source)
		}
		return nil
	}
	return mappingError(source)
}

func mappingError(expr string) error {
	return awserr.New(awserr.BadRequest, "Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: %s]", expr)
}

var stageVarRE = regexp.MustCompile(`\$\{stageVariables\.[^}]*\}`)

// stripStageVars replaces ${stageVariables.x} with a placeholder so URIs with stage
// variables can be validated at put time, as AWS does.
func stripStageVars(s string) string { return stageVarRE.ReplaceAllString(s, "x") }

func validHTTPURI(raw string) bool {
	u, err := url.Parse(stripStageVars(raw))
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// PutIntegration sets (or replaces) the integration of a method.
func (s *Store) PutIntegration(apiID, resourceID, verb string, in PutIntegrationInput) (*Integration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, r, m, err := s.method(apiID, resourceID, verb)
	if err != nil {
		return nil, err
	}
	it := &Integration{
		Type:                in.Type,
		HTTPMethod:          in.HTTPMethod,
		URI:                 in.URI,
		ConnectionType:      in.ConnectionType,
		ConnectionID:        in.ConnectionID,
		Credentials:         in.Credentials,
		RequestParameters:   maps.Clone(in.RequestParameters),
		RequestTemplates:    maps.Clone(in.RequestTemplates),
		PassthroughBehavior: in.PassthroughBehavior,
		ContentHandling:     in.ContentHandling,
		CacheNamespace:      in.CacheNamespace,
		CacheKeyParameters:  slices.Clone(in.CacheKeyParameters),
	}
	if in.TimeoutInMillis != nil {
		it.TimeoutInMillis = *in.TimeoutInMillis
		if it.TimeoutInMillis == 0 {
			return nil, awserr.New(awserr.BadRequest, "Timeout should be between 50 ms and 29000 ms")
		}
	}
	if in.TLSConfig != nil {
		t := *in.TLSConfig
		it.TLSConfig = &t
	}
	if err := validateIntegration(it, r.ID, m); err != nil {
		return nil, err
	}
	m.Integration = it
	s.seq.Add(1)
	return it.clone(), nil
}

// GetIntegration returns a method's integration with its responses.
func (s *Store) GetIntegration(apiID, resourceID, verb string) (*Integration, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, _, m, err := s.method(apiID, resourceID, verb)
	if err != nil {
		return nil, err
	}
	if m.Integration == nil {
		return nil, errIntegrationNotFound()
	}
	return m.Integration.clone(), nil
}

var integrationRules = []patchRule[Integration]{
	strField[Integration]("/type", opsReplace, func(i *Integration) *string { return &i.Type }),
	strField[Integration]("/httpMethod", opsReplace, func(i *Integration) *string { return &i.HTTPMethod }),
	strField[Integration]("/uri", opsReplace, func(i *Integration) *string { return &i.URI }),
	strField[Integration]("/connectionType", opsReplace, func(i *Integration) *string { return &i.ConnectionType }),
	strField[Integration]("/connectionId", opsReplace, func(i *Integration) *string { return &i.ConnectionID }),
	strField[Integration]("/credentials", opsReplaceRemove, func(i *Integration) *string { return &i.Credentials }),
	strField[Integration]("/passthroughBehavior", opsReplace, func(i *Integration) *string { return &i.PassthroughBehavior }),
	strField[Integration]("/contentHandling", opsReplaceRemove, func(i *Integration) *string { return &i.ContentHandling }),
	strField[Integration]("/cacheNamespace", opsReplace, func(i *Integration) *string { return &i.CacheNamespace }),
	intField[Integration]("/timeoutInMillis", func(i *Integration) *int { return &i.TimeoutInMillis }),
	listMember[Integration]("/cacheKeyParameters", func(i *Integration) *[]string { return &i.CacheKeyParameters }),
	strMapEntry[Integration]("/requestParameters", func(i *Integration) *map[string]string { return &i.RequestParameters }),
	strMapEntry[Integration]("/requestTemplates", func(i *Integration) *map[string]string { return &i.RequestTemplates }),
	{path: "/tlsConfig/insecureSkipVerification", ops: opsReplace, apply: func(i *Integration, op PatchOp, _ string) error {
		b, err := parseBool(op)
		if err != nil {
			return err
		}
		i.TLSConfig = &TLSConfig{InsecureSkipVerification: b}
		return nil
	}},
}

// UpdateIntegration patches a method's integration.
func (s *Store) UpdateIntegration(apiID, resourceID, verb string, ops []PatchOp) (*Integration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, r, m, err := s.method(apiID, resourceID, verb)
	if err != nil {
		return nil, err
	}
	if m.Integration == nil {
		return nil, errIntegrationNotFound()
	}
	c := m.Integration.clone()
	if err := applyPatch(c, integrationRules, ops, "updateIntegrationInput"); err != nil {
		return nil, err
	}
	if err := validateIntegration(c, r.ID, m); err != nil {
		return nil, err
	}
	m.Integration = c
	s.seq.Add(1)
	return c.clone(), nil
}

// DeleteIntegration removes a method's integration.
func (s *Store) DeleteIntegration(apiID, resourceID, verb string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _, m, err := s.method(apiID, resourceID, verb)
	if err != nil {
		return err
	}
	if m.Integration == nil {
		return errIntegrationNotFound()
	}
	m.Integration = nil
	s.seq.Add(1)
	return nil
}

// PutIntegrationResponseInput is the body of PutIntegrationResponse.
type PutIntegrationResponseInput struct {
	SelectionPattern   *string           `json:"selectionPattern"`
	ResponseParameters map[string]string `json:"responseParameters"`
	ResponseTemplates  map[string]string `json:"responseTemplates"`
	ContentHandling    string            `json:"contentHandling"`
}

// validateIntegrationResponse checks the mapping targets against the method response.
func validateIntegrationResponse(ir *IntegrationResponse, mr *MethodResponse) error {
	for target, source := range ir.ResponseParameters {
		if _, declared := mr.ResponseParameters[target]; !declared {
			return awserr.New(awserr.BadRequest, "Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression parameter specified: %s]", target)
		}
		if !validResponseSource(source) {
			return mappingError(source)
		}
	}
	switch ir.ContentHandling {
	case "", "CONVERT_TO_BINARY", "CONVERT_TO_TEXT":
	default:
		return enumError(ir.ContentHandling, "putIntegrationResponseInput.contentHandling", "CONVERT_TO_BINARY, CONVERT_TO_TEXT")
	}
	return nil
}

func validResponseSource(source string) bool {
	switch {
	case len(source) >= 2 && strings.HasPrefix(source, "'") && strings.HasSuffix(source, "'"):
		return true
	case source == "integration.response.body",
		strings.HasPrefix(source, "integration.response.body."),
		strings.HasPrefix(source, "integration.response.header."),
		strings.HasPrefix(source, "integration.response.multivalueheader."),
		strings.HasPrefix(source, "stageVariables."),
		strings.HasPrefix(source, "context."),
		strings.HasPrefix(source, "method.request."):
		return true
	}
	return false
}

// PutIntegrationResponse sets (or replaces) an integration response. The method response
// with the same status must exist, as on AWS.
func (s *Store) PutIntegrationResponse(apiID, resourceID, verb, status string, in PutIntegrationResponseInput) (*IntegrationResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _, m, err := s.method(apiID, resourceID, verb)
	if err != nil {
		return nil, err
	}
	if m.Integration == nil {
		return nil, errIntegrationNotFound()
	}
	mr, ok := m.MethodResponses[status]
	if !ok {
		return nil, errStatusNotFound()
	}
	ir := &IntegrationResponse{
		StatusCode:         status,
		ResponseParameters: maps.Clone(in.ResponseParameters),
		ResponseTemplates:  maps.Clone(in.ResponseTemplates),
		ContentHandling:    in.ContentHandling,
	}
	if in.SelectionPattern != nil {
		p := *in.SelectionPattern
		ir.SelectionPattern = &p
	}
	if err := validateIntegrationResponse(ir, mr); err != nil {
		return nil, err
	}
	if m.Integration.IntegrationResponses == nil {
		m.Integration.IntegrationResponses = map[string]*IntegrationResponse{}
	}
	m.Integration.IntegrationResponses[status] = ir
	s.seq.Add(1)
	return ir.clone(), nil
}

// integrationResponse finds an integration response; callers hold s.mu.
func (s *Store) integrationResponse(apiID, resourceID, verb, status string) (*Method, *IntegrationResponse, error) {
	_, _, m, err := s.method(apiID, resourceID, verb)
	if err != nil {
		return nil, nil, err
	}
	if m.Integration == nil {
		return nil, nil, errIntegrationNotFound()
	}
	ir, ok := m.Integration.IntegrationResponses[status]
	if !ok {
		return nil, nil, errStatusNotFound()
	}
	return m, ir, nil
}

// GetIntegrationResponse returns an integration response.
func (s *Store) GetIntegrationResponse(apiID, resourceID, verb, status string) (*IntegrationResponse, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, ir, err := s.integrationResponse(apiID, resourceID, verb, status)
	if err != nil {
		return nil, err
	}
	return ir.clone(), nil
}

var integrationResponseRules = []patchRule[IntegrationResponse]{
	{path: "/selectionPattern", ops: opsReplaceRemove, apply: func(ir *IntegrationResponse, op PatchOp, _ string) error {
		if op.Op == "remove" {
			ir.SelectionPattern = nil
			return nil
		}
		v := op.value()
		ir.SelectionPattern = &v
		return nil
	}},
	strField[IntegrationResponse]("/contentHandling", opsReplaceRemove, func(i *IntegrationResponse) *string { return &i.ContentHandling }),
	strMapEntry[IntegrationResponse]("/responseParameters", func(i *IntegrationResponse) *map[string]string { return &i.ResponseParameters }),
	strMapEntry[IntegrationResponse]("/responseTemplates", func(i *IntegrationResponse) *map[string]string { return &i.ResponseTemplates }),
}

// UpdateIntegrationResponse patches an integration response.
func (s *Store) UpdateIntegrationResponse(apiID, resourceID, verb, status string, ops []PatchOp) (*IntegrationResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ir, err := s.integrationResponse(apiID, resourceID, verb, status)
	if err != nil {
		return nil, err
	}
	c := ir.clone()
	if err := applyPatch(c, integrationResponseRules, ops, "updateIntegrationResponseInput"); err != nil {
		return nil, err
	}
	mr := m.MethodResponses[status]
	if mr == nil {
		mr = &MethodResponse{}
	}
	if err := validateIntegrationResponse(c, mr); err != nil {
		return nil, err
	}
	m.Integration.IntegrationResponses[status] = c
	s.seq.Add(1)
	return c.clone(), nil
}

// DeleteIntegrationResponse removes an integration response.
func (s *Store) DeleteIntegrationResponse(apiID, resourceID, verb, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, _, err := s.integrationResponse(apiID, resourceID, verb, status)
	if err != nil {
		return err
	}
	delete(m.Integration.IntegrationResponses, status)
	s.seq.Add(1)
	return nil
}
