package dataplane

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apigw-local/apigw-local/emulator/store"
	"github.com/apigw-local/apigw-local/vtl/apigw"
)

// Exchange is one execute-api request as it moves through the pipeline: what was asked,
// where it was routed, who is calling, and, at the end, the method response.
type Exchange struct {
	Req   *http.Request
	Start time.Time
	// HeaderNames are the request's header names as the client wrote them, nil when
	// unknown; HeaderName maps a canonical name to them.
	HeaderNames []string

	RequestID         string
	ExtendedRequestID string

	APIID      string
	AccountID  string
	Region     string
	Stage      *store.LiveStage
	Deployment *Deployment
	// StageVariables are the stage's variables, or the canary's when the request was
	// routed to the canary.
	StageVariables map[string]string
	Canary         bool

	// Path is the request path below the stage, as sent (percent-encoding kept, a leading
	// "//" collapsed); ContextPath is $context.path, the path as called with the stage.
	Path        string
	ContextPath string
	DomainName  string
	SourceIP    string

	Resource   *Resource
	Method     *Method
	PathParams []Param
	// Query holds the decoded query string; Body the request body (at most 10 MB).
	Query map[string][]string
	Body  []byte

	// Identity and Authorizer are filled by the access-control steps.
	Identity   Identity
	Authorizer *AuthorizerResult

	// Overrides collects $context.requestOverride / responseOverride writes.
	Overrides *apigw.Overrides

	// IntegrationRequest is what the integration receives, built by request mapping.
	IntegrationRequest IntegrationRequest
	// TraceID is the X-Amzn-Trace-Id passed to the integration ("" for MOCK); Lambda and
	// AWS integrations also return it to the client.
	TraceID string

	// Response is the method response, written when the pipeline ends.
	Response *Response

	vtlCtx *apigw.Context
	vtlReq *apigw.Request // the parameters templates see, built once per request
	doc    *jsonDoc       // the request body parsed for method.request.body.x
}

// IntegrationRequest is the request an integration receives after request mapping: the
// integration.request.* parameters of Integration.requestParameters with
// $context.requestOverride.* applied on top, and the body after templates and content
// handling. Proxy integrations get the method request's body as it is.
type IntegrationRequest struct {
	// Method is the integration's HTTP method, ANY resolved to the method request's verb.
	Method string
	// Path fills the {x} placeholders of the integration URI.
	Path map[string]string
	// Query and Header are the mapped query string parameters and headers (canonical
	// names).
	Query  map[string][]string
	Header http.Header
	Body   []byte
	// Binary reports that Body is binary: the request matched binaryMediaTypes and was not
	// converted to text.
	Binary bool
}

// PathParam returns an integration.request.path value.
func (r *IntegrationRequest) PathParam(name string) (string, bool) {
	v, ok := r.Path[name]
	return v, ok
}

// IntegrationURI is the HTTP integration's endpoint URL with stage variables substituted
// and {x} placeholders filled from integration.request.path.*.
func (x *Exchange) IntegrationURI() (string, error) {
	return x.Method.Integration.Endpoint.Expand(x.StageVariables, x.IntegrationRequest.PathParam)
}

// Expand fills a template of the integration (a Lambda function ARN, an AWS service path)
// with stage variables and integration.request.path.* values.
func (x *Exchange) Expand(t *URITemplate) (string, error) {
	return t.Expand(x.StageVariables, x.IntegrationRequest.PathParam)
}

// Identity is $context.identity beyond sourceIp and userAgent.
type Identity struct {
	APIKey, APIKeyID                                         string
	AccessKey, AccountID, Caller, User, UserARN              string
	CognitoIdentityID, CognitoIdentityPoolID                 string
	CognitoAuthenticationType, CognitoAuthenticationProvider string
	PrincipalOrgID                                           string
}

// AuthorizerResult is what an authorizer allowed: $context.authorizer.*.
type AuthorizerResult struct {
	PrincipalID string
	// Context is the authorizer's context map with its JSON types (the proxy event keeps
	// them; templates see them as strings).
	Context map[string]any
	// Claims are a Cognito token's claims; Scopes its scopes.
	Claims map[string]any
	Scopes []string
	// IntegrationLatency is the authorizer call's duration in milliseconds.
	IntegrationLatency int64
}

// Response is a method response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// RequestTime is $context.requestTime: CLF format in UTC (04/Mar/2020:19:15:17 +0000).
func (x *Exchange) RequestTime() string {
	return x.Start.UTC().Format("02/Jan/2006:15:04:05 +0000")
}

// RequestTimeEpoch is $context.requestTimeEpoch in milliseconds.
func (x *Exchange) RequestTimeEpoch() int64 { return x.Start.UnixMilli() }

// StageName is the stage being called.
func (x *Exchange) StageName() string { return x.Stage.Name }

// ResourcePath is the matched resource's template path ("" before routing).
func (x *Exchange) ResourcePath() string {
	if x.Resource == nil {
		return ""
	}
	return x.Resource.Path
}

// ResourceID is the matched resource's id ("" before routing).
func (x *Exchange) ResourceID() string {
	if x.Resource == nil {
		return ""
	}
	return x.Resource.ID
}

// DomainPrefix is the first label of the domain name.
func (x *Exchange) DomainPrefix() string {
	p, _, _ := strings.Cut(x.DomainName, ".")
	return p
}

// HeaderName returns the name of the request header k (in Go's canonical form) as the
// client wrote it — the casing of its last occurrence —, or k when that is unknown.
// Authorization and User-Agent keep title case: AWS's edge normalises those two
// (reference/gateway-responses.md §3).
func (x *Exchange) HeaderName(k string) string {
	if k == "Authorization" || k == "User-Agent" {
		return k
	}
	for i := len(x.HeaderNames) - 1; i >= 0; i-- {
		if n := x.HeaderNames[i]; len(n) == len(k) && strings.EqualFold(n, k) {
			return n
		}
	}
	return k
}

// HeaderParams returns the request headers as name → last value, names as the client
// wrote them, in name order (ignoring case).
func (x *Exchange) HeaderParams() []Param {
	out := make([]Param, 0, len(x.Req.Header))
	for k, v := range x.Req.Header {
		if len(v) > 0 {
			out = append(out, Param{Name: x.HeaderName(k), Value: v[len(v)-1]})
		}
	}
	slices.SortFunc(out, func(a, b Param) int { return CompareFold(a.Name, b.Name) })
	return out
}

// CompareFold orders names ignoring ASCII case, then by their bytes.
func CompareFold(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := lowerASCII(a[i]), lowerASCII(b[i])
		if ca != cb {
			return int(ca) - int(cb)
		}
	}
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// QueryParams returns the query string as name → last value, in name order.
func (x *Exchange) QueryParams() []Param {
	out := make([]Param, 0, len(x.Query))
	for k, v := range x.Query {
		if len(v) > 0 {
			out = append(out, Param{Name: k, Value: v[len(v)-1]})
		}
	}
	slices.SortFunc(out, func(a, b Param) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// PathParam returns a path parameter's value.
func (x *Exchange) PathParam(name string) (string, bool) {
	for _, p := range x.PathParams {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

// ContextValue resolves a $context variable by its dotted name (requestId,
// identity.sourceIp, authorizer.principalId, error.message ...), as parameter mappings
// (context.*) and gateway responses use them.
func (x *Exchange) ContextValue(name string, ge *GatewayError) (string, bool) {
	switch name {
	case "accountId":
		return x.AccountID, true
	case "apiId":
		return x.APIID, true
	case "deploymentId":
		if x.Deployment == nil {
			return "", false
		}
		return x.Deployment.Snapshot.DeploymentID, true
	case "domainName":
		return x.DomainName, true
	case "domainPrefix":
		return x.DomainPrefix(), true
	case "extendedRequestId":
		return x.ExtendedRequestID, true
	case "httpMethod":
		return x.Req.Method, true
	case "path":
		return x.ContextPath, true
	case "protocol":
		return "HTTP/1.1", true
	case "requestId", "awsEndpointRequestId":
		return x.RequestID, true
	case "requestTime":
		return x.RequestTime(), true
	case "requestTimeEpoch":
		return strconv.FormatInt(x.RequestTimeEpoch(), 10), true
	case "resourceId":
		return x.ResourceID(), true
	case "resourcePath":
		return x.ResourcePath(), true
	case "stage":
		if x.Stage == nil {
			return "", false
		}
		return x.Stage.Name, true
	case "identity.sourceIp":
		return x.SourceIP, true
	case "identity.userAgent":
		return x.Req.Header.Get("User-Agent"), true
	case "identity.apiKey":
		return x.Identity.APIKey, true
	case "identity.apiKeyId":
		return x.Identity.APIKeyID, true
	case "identity.accessKey":
		return x.Identity.AccessKey, true
	case "identity.accountId":
		return x.Identity.AccountID, true
	case "identity.caller":
		return x.Identity.Caller, true
	case "identity.user":
		return x.Identity.User, true
	case "identity.userArn":
		return x.Identity.UserARN, true
	case "identity.cognitoIdentityId":
		return x.Identity.CognitoIdentityID, true
	case "identity.cognitoIdentityPoolId":
		return x.Identity.CognitoIdentityPoolID, true
	case "identity.cognitoAuthenticationType":
		return x.Identity.CognitoAuthenticationType, true
	case "identity.cognitoAuthenticationProvider":
		return x.Identity.CognitoAuthenticationProvider, true
	case "identity.principalOrgId":
		return x.Identity.PrincipalOrgID, true
	}
	if ge != nil {
		switch name {
		case "error.message":
			return ge.Message, true
		case "error.messageString":
			return ge.messageString(), true
		case "error.responseType":
			return ge.Type, true
		case "error.validationErrorString":
			return ge.ValidationError, true
		}
	}
	if key, ok := strings.CutPrefix(name, "authorizer."); ok && x.Authorizer != nil {
		if key == "principalId" {
			return x.Authorizer.PrincipalID, true
		}
		if claim, ok := strings.CutPrefix(key, "claims."); ok {
			if v, ok := x.Authorizer.Claims[claim]; ok {
				return stringify(v), true
			}
			return "", false
		}
		if v, ok := x.Authorizer.Context[key]; ok {
			return stringify(v), true
		}
	}
	return "", false
}
