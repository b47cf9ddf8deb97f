package store

import (
	"maps"
	"strconv"
	"strings"

	"github.com/apigw-local/apigw-local/emulator/awserr"
)

// GatewayResponseInfo describes one gateway response type as AWS ships it.
type GatewayResponseInfo struct {
	Type string
	// Status is the default status code; 0 for DEFAULT_4XX and DEFAULT_5XX, which have none.
	Status int
	// ErrorType is the x-amzn-ErrorType header AWS sends with the default response.
	ErrorType string
}

// Family is the fallback type, DEFAULT_4XX or DEFAULT_5XX, or "" for the two defaults.
func (g GatewayResponseInfo) Family() string {
	switch {
	case g.Status >= 500:
		return "DEFAULT_5XX"
	case g.Status >= 400:
		return "DEFAULT_4XX"
	}
	return ""
}

// gatewayResponseTypes is the botocore enum, in its order, with the default status of each
// type (AWS-recorded GetGatewayResponses snapshot) and the error header seen in production
// (reference/gateway-responses.md). UNSUPPORTED_MEDIA_TYPE's header is unverified; LocalStack's
// BadRequestException is used.
var gatewayResponseTypes = []GatewayResponseInfo{
	{"DEFAULT_4XX", 0, ""},
	{"DEFAULT_5XX", 0, ""},
	{"RESOURCE_NOT_FOUND", 404, "ResourceNotFoundException"},
	{"UNAUTHORIZED", 401, "UnauthorizedException"},
	{"INVALID_API_KEY", 403, "ForbiddenException"},
	{"ACCESS_DENIED", 403, "AccessDeniedException"},
	{"AUTHORIZER_FAILURE", 500, "AuthorizerFailureException"},
	{"AUTHORIZER_CONFIGURATION_ERROR", 500, "AuthorizerConfigurationException"},
	{"INVALID_SIGNATURE", 403, "InvalidSignatureException"},
	{"EXPIRED_TOKEN", 403, "ExpiredTokenException"},
	{"MISSING_AUTHENTICATION_TOKEN", 403, "MissingAuthenticationTokenException"},
	{"INTEGRATION_FAILURE", 504, "InternalServerErrorException"},
	{"INTEGRATION_TIMEOUT", 504, "InternalServerErrorException"},
	{"API_CONFIGURATION_ERROR", 500, "InternalServerErrorException"},
	{"UNSUPPORTED_MEDIA_TYPE", 415, "BadRequestException"},
	{"BAD_REQUEST_PARAMETERS", 400, "BadRequestException"},
	{"BAD_REQUEST_BODY", 400, "BadRequestException"},
	{"REQUEST_TOO_LARGE", 413, "BadRequestException"},
	{"THROTTLED", 429, "TooManyRequestsException"},
	{"QUOTA_EXCEEDED", 429, "LimitExceededException"},
	{"WAF_FILTERED", 403, "ForbiddenException"},
}

// GatewayResponseTypes returns the 21 gateway response types in AWS's order.
func GatewayResponseTypes() []GatewayResponseInfo {
	return append([]GatewayResponseInfo(nil), gatewayResponseTypes...)
}

// LookupGatewayResponseType returns the description of a type.
func LookupGatewayResponseType(t string) (GatewayResponseInfo, bool) {
	for _, g := range gatewayResponseTypes {
		if g.Type == t {
			return g, true
		}
	}
	return GatewayResponseInfo{}, false
}

// DefaultGatewayResponseTemplate is the body template of every uncustomised type.
const DefaultGatewayResponseTemplate = `{"message":$context.error.messageString}`

func checkResponseType(t string) (GatewayResponseInfo, error) {
	info, ok := LookupGatewayResponseType(t)
	if !ok {
		names := make([]string, len(gatewayResponseTypes))
		for i, g := range gatewayResponseTypes {
			names[i] = g.Type
		}
		return info, enumError(t, "responseType", strings.Join(names, ", "))
	}
	return info, nil
}

// DefaultGatewayResponse is what GetGatewayResponse shows for an uncustomised type.
func DefaultGatewayResponse(info GatewayResponseInfo) *GatewayResponse {
	g := &GatewayResponse{
		ResponseType:       info.Type,
		ResponseParameters: map[string]string{},
		ResponseTemplates:  map[string]string{"application/json": DefaultGatewayResponseTemplate},
		DefaultResponse:    true,
	}
	if info.Status != 0 {
		g.StatusCode = strconv.Itoa(info.Status)
	}
	return g
}

// PutGatewayResponseInput is the body of PutGatewayResponse.
type PutGatewayResponseInput struct {
	StatusCode         string            `json:"statusCode"`
	ResponseParameters map[string]string `json:"responseParameters"`
	ResponseTemplates  map[string]string `json:"responseTemplates"`
}

func validateGatewayResponse(g *GatewayResponse) error {
	if g.StatusCode != "" {
		if err := validStatusCode(g.StatusCode); err != nil {
			return err
		}
	}
	for k, v := range g.ResponseParameters {
		if !strings.HasPrefix(k, "gatewayresponse.header.") && !strings.HasPrefix(k, "gatewayresponse.querystring.") && !strings.HasPrefix(k, "gatewayresponse.path.") {
			return mappingError(k)
		}
		if !(len(v) >= 2 && strings.HasPrefix(v, "'") && strings.HasSuffix(v, "'")) &&
			!strings.HasPrefix(v, "method.request.") && !strings.HasPrefix(v, "stageVariables.") && !strings.HasPrefix(v, "context.") {
			return mappingError(v)
		}
	}
	return nil
}

// PutGatewayResponse customises a gateway response type.
func (s *Store) PutGatewayResponse(apiID, responseType string, in PutGatewayResponseInput) (*GatewayResponse, error) {
	if _, err := checkResponseType(responseType); err != nil {
		return nil, err
	}
	g := &GatewayResponse{
		ResponseType:       responseType,
		StatusCode:         in.StatusCode,
		ResponseParameters: maps.Clone(in.ResponseParameters),
		ResponseTemplates:  maps.Clone(in.ResponseTemplates),
	}
	if err := validateGatewayResponse(g); err != nil {
		return nil, err
	}
	g = g.clone() // fills empty maps
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, err
	}
	a.gatewayResponses[responseType] = g
	s.seq.Add(1)
	return g.clone(), nil
}

// GetGatewayResponse returns the customised or default response of a type.
func (s *Store) GetGatewayResponse(apiID, responseType string) (*GatewayResponse, error) {
	info, err := checkResponseType(responseType)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, err
	}
	if g, ok := a.gatewayResponses[responseType]; ok {
		return g.clone(), nil
	}
	return DefaultGatewayResponse(info), nil
}

// ListGatewayResponses returns all 21 types, customised or default, in AWS's order.
func (s *Store) ListGatewayResponses(apiID, position string, limit int) ([]*GatewayResponse, string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, "", err
	}
	all := make([]*GatewayResponse, 0, len(gatewayResponseTypes))
	for _, info := range gatewayResponseTypes {
		if g, ok := a.gatewayResponses[info.Type]; ok {
			all = append(all, g.clone())
		} else {
			all = append(all, DefaultGatewayResponse(info))
		}
	}
	if limit == 0 {
		limit = MaxLimit
	}
	return paginate(all, position, limit, func(g *GatewayResponse) string { return g.ResponseType })
}

var gatewayResponseRules = []patchRule[GatewayResponse]{
	strField[GatewayResponse]("/statusCode", opsReplace, func(g *GatewayResponse) *string { return &g.StatusCode }),
	strMapEntry[GatewayResponse]("/responseParameters", func(g *GatewayResponse) *map[string]string { return &g.ResponseParameters }),
	strMapEntry[GatewayResponse]("/responseTemplates", func(g *GatewayResponse) *map[string]string { return &g.ResponseTemplates }),
}

// UpdateGatewayResponse patches a gateway response, customising it if it was a default.
func (s *Store) UpdateGatewayResponse(apiID, responseType string, ops []PatchOp) (*GatewayResponse, error) {
	info, err := checkResponseType(responseType)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.api(apiID)
	if err != nil {
		return nil, err
	}
	g, ok := a.gatewayResponses[responseType]
	if !ok {
		g = DefaultGatewayResponse(info)
	}
	c := g.clone()
	c.DefaultResponse = false
	if err := applyPatch(c, gatewayResponseRules, ops, "updateGatewayResponseInput"); err != nil {
		return nil, err
	}
	if err := validateGatewayResponse(c); err != nil {
		return nil, err
	}
	a.gatewayResponses[responseType] = c
	s.seq.Add(1)
	return c.clone(), nil
}

// DeleteGatewayResponse reverts a type to its default.
func (s *Store) DeleteGatewayResponse(apiID, responseType string) error {
	if _, err := checkResponseType(responseType); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.api(apiID)
	if err != nil {
		return err
	}
	if _, ok := a.gatewayResponses[responseType]; !ok {
		return awserr.New(awserr.NotFound, "Invalid Gateway Response identifier specified")
	}
	delete(a.gatewayResponses, responseType)
	s.seq.Add(1)
	return nil
}
