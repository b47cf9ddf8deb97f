package store

import (
	"strconv"
	"time"
)

// Epoch is a time that marshals as epoch seconds, the way the apigateway (v1) API sends dates
// (the Go SDK rejects strings there).
type Epoch time.Time

// MarshalJSON writes whole seconds since the epoch.
func (e Epoch) MarshalJSON() ([]byte, error) {
	return strconv.AppendInt(nil, time.Time(e).Unix(), 10), nil
}

// UnmarshalJSON reads epoch seconds, fractional or not.
func (e *Epoch) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	sec := int64(f)
	*e = Epoch(time.Unix(sec, int64((f-float64(sec))*1e9)).UTC())
	return nil
}

// Time returns the value as a time.Time.
func (e Epoch) Time() time.Time { return time.Time(e) }

// EndpointConfiguration says how a REST API is exposed (EDGE, REGIONAL or PRIVATE).
type EndpointConfiguration struct {
	Types          []string `json:"types,omitempty"`
	IPAddressType  string   `json:"ipAddressType,omitempty"`
	VpcEndpointIDs []string `json:"vpcEndpointIds,omitempty"`
}

// RestAPI is an apigateway (v1) REST API.
type RestAPI struct {
	ID                        string                `json:"id"`
	Name                      string                `json:"name"`
	Description               string                `json:"description,omitempty"`
	Version                   string                `json:"version,omitempty"`
	CreatedDate               Epoch                 `json:"createdDate"`
	BinaryMediaTypes          []string              `json:"binaryMediaTypes,omitempty"`
	MinimumCompressionSize    *int                  `json:"minimumCompressionSize,omitempty"`
	APIKeySource              string                `json:"apiKeySource"`
	EndpointConfiguration     EndpointConfiguration `json:"endpointConfiguration"`
	Policy                    string                `json:"policy,omitempty"`
	Tags                      map[string]string     `json:"tags,omitempty"`
	DisableExecuteAPIEndpoint bool                  `json:"disableExecuteApiEndpoint"`
	RootResourceID            string                `json:"rootResourceId"`
	Warnings                  []string              `json:"warnings,omitempty"`
}

// Resource is one path part of a REST API's tree. Path is derived from the parents.
type Resource struct {
	ID       string `json:"id"`
	ParentID string `json:"parentId,omitempty"`
	PathPart string `json:"pathPart,omitempty"`
	Path     string `json:"path"`
	// Methods are keyed by HTTP verb (GET, ..., ANY).
	Methods map[string]*Method `json:"resourceMethods,omitempty"`
}

// Method is a verb on a resource: how a client request is accepted.
type Method struct {
	HTTPMethod          string                     `json:"httpMethod"`
	AuthorizationType   string                     `json:"authorizationType"`
	AuthorizerID        string                     `json:"authorizerId,omitempty"`
	APIKeyRequired      bool                       `json:"apiKeyRequired"`
	RequestValidatorID  string                     `json:"requestValidatorId,omitempty"`
	OperationName       string                     `json:"operationName,omitempty"`
	RequestParameters   map[string]bool            `json:"requestParameters,omitempty"`
	RequestModels       map[string]string          `json:"requestModels,omitempty"`
	AuthorizationScopes []string                   `json:"authorizationScopes,omitempty"`
	MethodResponses     map[string]*MethodResponse `json:"methodResponses,omitempty"`
	Integration         *Integration               `json:"methodIntegration,omitempty"`
}

// MethodResponse declares a status a method may return, with its headers and models.
type MethodResponse struct {
	StatusCode         string            `json:"statusCode"`
	ResponseParameters map[string]bool   `json:"responseParameters,omitempty"`
	ResponseModels     map[string]string `json:"responseModels,omitempty"`
}

// TLSConfig holds the TLS options of an HTTP integration.
type TLSConfig struct {
	InsecureSkipVerification bool `json:"insecureSkipVerification"`
}

// Integration is the backend of a method.
type Integration struct {
	Type                 string                          `json:"type"`
	HTTPMethod           string                          `json:"httpMethod,omitempty"`
	URI                  string                          `json:"uri,omitempty"`
	ConnectionType       string                          `json:"connectionType,omitempty"`
	ConnectionID         string                          `json:"connectionId,omitempty"`
	Credentials          string                          `json:"credentials,omitempty"`
	RequestParameters    map[string]string               `json:"requestParameters,omitempty"`
	RequestTemplates     map[string]string               `json:"requestTemplates,omitempty"`
	PassthroughBehavior  string                          `json:"passthroughBehavior,omitempty"`
	ContentHandling      string                          `json:"contentHandling,omitempty"`
	TimeoutInMillis      int                             `json:"timeoutInMillis"`
	CacheNamespace       string                          `json:"cacheNamespace,omitempty"`
	CacheKeyParameters   []string                        `json:"cacheKeyParameters"`
	IntegrationResponses map[string]*IntegrationResponse `json:"integrationResponses,omitempty"`
	TLSConfig            *TLSConfig                      `json:"tlsConfig,omitempty"`
}

// IntegrationResponse maps a backend response to a method response.
type IntegrationResponse struct {
	StatusCode         string            `json:"statusCode"`
	SelectionPattern   *string           `json:"selectionPattern,omitempty"`
	ResponseParameters map[string]string `json:"responseParameters,omitempty"`
	ResponseTemplates  map[string]string `json:"responseTemplates,omitempty"`
	ContentHandling    string            `json:"contentHandling,omitempty"`
}

// Deployment is an immutable snapshot of a REST API that stages serve.
type Deployment struct {
	ID          string `json:"id"`
	Description string `json:"description,omitempty"`
	CreatedDate Epoch  `json:"createdDate"`
	// APISummary is filled only for GetDeployment with embed=apisummary.
	APISummary map[string]map[string]MethodSummary `json:"apiSummary,omitempty"`

	// Snapshot is what the deployment froze; it is never modified after creation.
	Snapshot *Snapshot `json:"-"`
}

// MethodSummary is one entry of a deployment's apiSummary.
type MethodSummary struct {
	AuthorizationType string `json:"authorizationType"`
	APIKeyRequired    bool   `json:"apiKeyRequired"`
}

// MethodSetting holds the per-method settings of a stage ("*/*" or "path/VERB").
type MethodSetting struct {
	MetricsEnabled                         bool    `json:"metricsEnabled"`
	LoggingLevel                           string  `json:"loggingLevel"`
	DataTraceEnabled                       bool    `json:"dataTraceEnabled"`
	ThrottlingBurstLimit                   int     `json:"throttlingBurstLimit"`
	ThrottlingRateLimit                    float64 `json:"throttlingRateLimit"`
	CachingEnabled                         bool    `json:"cachingEnabled"`
	CacheTTLInSeconds                      int     `json:"cacheTtlInSeconds"`
	CacheDataEncrypted                     bool    `json:"cacheDataEncrypted"`
	RequireAuthorizationForCacheControl    bool    `json:"requireAuthorizationForCacheControl"`
	UnauthorizedCacheControlHeaderStrategy string  `json:"unauthorizedCacheControlHeaderStrategy"`
}

// DefaultMethodSetting is what AWS fills in when a method setting is first created
// through a patch of one of its fields.
func DefaultMethodSetting() MethodSetting {
	return MethodSetting{
		LoggingLevel:                           "OFF",
		ThrottlingBurstLimit:                   5000,
		ThrottlingRateLimit:                    10000,
		CacheTTLInSeconds:                      300,
		RequireAuthorizationForCacheControl:    true,
		UnauthorizedCacheControlHeaderStrategy: "SUCCEED_WITH_RESPONSE_HEADER",
	}
}

// CanarySettings describe a canary release on a stage.
type CanarySettings struct {
	DeploymentID           string            `json:"deploymentId,omitempty"`
	PercentTraffic         float64           `json:"percentTraffic"`
	StageVariableOverrides map[string]string `json:"stageVariableOverrides,omitempty"`
	UseStageCache          bool              `json:"useStageCache"`
}

// AccessLogSettings say where and how a stage writes access logs.
type AccessLogSettings struct {
	Format         string `json:"format,omitempty"`
	DestinationARN string `json:"destinationArn,omitempty"`
}

// Stage is a named, callable reference to a deployment.
type Stage struct {
	StageName            string                   `json:"stageName"`
	DeploymentID         string                   `json:"deploymentId"`
	Description          string                   `json:"description,omitempty"`
	ClientCertificateID  string                   `json:"clientCertificateId,omitempty"`
	CacheClusterEnabled  bool                     `json:"cacheClusterEnabled"`
	CacheClusterSize     string                   `json:"cacheClusterSize,omitempty"`
	CacheClusterStatus   string                   `json:"cacheClusterStatus"`
	MethodSettings       map[string]MethodSetting `json:"methodSettings"`
	Variables            map[string]string        `json:"variables,omitempty"`
	DocumentationVersion string                   `json:"documentationVersion,omitempty"`
	AccessLogSettings    *AccessLogSettings       `json:"accessLogSettings,omitempty"`
	CanarySettings       *CanarySettings          `json:"canarySettings,omitempty"`
	TracingEnabled       bool                     `json:"tracingEnabled"`
	WebACLArn            string                   `json:"webAclArn,omitempty"`
	Tags                 map[string]string        `json:"tags,omitempty"`
	CreatedDate          Epoch                    `json:"createdDate"`
	LastUpdatedDate      Epoch                    `json:"lastUpdatedDate"`
}

// Authorizer is a REST API authorizer (TOKEN, REQUEST or COGNITO_USER_POOLS).
type Authorizer struct {
	ID                           string   `json:"id"`
	Name                         string   `json:"name"`
	Type                         string   `json:"type"`
	ProviderARNs                 []string `json:"providerARNs,omitempty"`
	AuthType                     string   `json:"authType,omitempty"`
	AuthorizerURI                string   `json:"authorizerUri,omitempty"`
	AuthorizerCredentials        string   `json:"authorizerCredentials,omitempty"`
	IdentitySource               string   `json:"identitySource,omitempty"`
	IdentityValidationExpression string   `json:"identityValidationExpression,omitempty"`
	AuthorizerResultTTLInSeconds *int     `json:"authorizerResultTtlInSeconds,omitempty"`
}

// Model is a JSON schema (draft 4) attached to a REST API.
type Model struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Schema      string `json:"schema,omitempty"`
	ContentType string `json:"contentType"`
}

// RequestValidator says which parts of a request a method validates.
type RequestValidator struct {
	ID                        string `json:"id"`
	Name                      string `json:"name,omitempty"`
	ValidateRequestBody       bool   `json:"validateRequestBody"`
	ValidateRequestParameters bool   `json:"validateRequestParameters"`
}

// GatewayResponse customises one gateway response type of a REST API.
type GatewayResponse struct {
	ResponseType       string            `json:"responseType"`
	StatusCode         string            `json:"statusCode,omitempty"`
	ResponseParameters map[string]string `json:"responseParameters"`
	ResponseTemplates  map[string]string `json:"responseTemplates"`
	DefaultResponse    bool              `json:"defaultResponse"`
}

// Snapshot is the frozen content of a REST API at deployment time. The data plane compiles
// it once; nothing modifies it afterwards.
type Snapshot struct {
	API              RestAPI
	DeploymentID     string
	Resources        []*Resource // sorted by path
	Authorizers      map[string]*Authorizer
	Models           map[string]*Model // by name
	Validators       map[string]*RequestValidator
	GatewayResponses map[string]*GatewayResponse // customised ones only, by type

	// Compiled is the data plane's compiled form, set once by Config.Compile.
	Compiled any
}
