package dataplane

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/apigw-local/apigw-local/vtl/apigw"
)

// vtlContext builds $context for mapping templates, once per request.
func (x *Exchange) vtlContext() *apigw.Context {
	if x.vtlCtx != nil {
		return x.vtlCtx
	}
	c := &apigw.Context{
		AccountID:            x.AccountID,
		APIID:                x.APIID,
		AWSEndpointRequestID: x.RequestID,
		DeploymentID:         x.Deployment.Snapshot.DeploymentID,
		DomainName:           x.DomainName,
		DomainPrefix:         x.DomainPrefix(),
		ExtendedRequestID:    x.ExtendedRequestID,
		HTTPMethod:           x.Req.Method,
		Path:                 x.ContextPath,
		Protocol:             "HTTP/1.1",
		RequestID:            x.RequestID,
		RequestTime:          x.RequestTime(),
		RequestTimeEpoch:     x.RequestTimeEpoch(),
		ResourceID:           x.ResourceID(),
		ResourcePath:         x.ResourcePath(),
		Stage:                x.Stage.Name,
	}
	if x.Method != nil {
		c.OperationName = x.Method.OperationName
	}
	id := &c.Identity
	id.SourceIP = x.SourceIP
	id.UserAgent = x.Req.Header.Get("User-Agent")
	id.APIKey, id.APIKeyID = x.Identity.APIKey, x.Identity.APIKeyID
	id.AccessKey, id.AccountID, id.Caller = x.Identity.AccessKey, x.Identity.AccountID, x.Identity.Caller
	id.User, id.UserArn = x.Identity.User, x.Identity.UserARN
	id.CognitoIdentityID, id.CognitoIdentityPoolID = x.Identity.CognitoIdentityID, x.Identity.CognitoIdentityPoolID
	id.CognitoAuthenticationType = x.Identity.CognitoAuthenticationType
	id.CognitoAuthenticationProvider = x.Identity.CognitoAuthenticationProvider
	id.PrincipalOrgID = x.Identity.PrincipalOrgID
	if a := x.Authorizer; a != nil {
		c.Authorizer = append(c.Authorizer, Param{Name: "principalId", Value: a.PrincipalID})
		for _, k := range slices.Sorted(maps.Keys(a.Context)) {
			c.Authorizer = append(c.Authorizer, Param{Name: k, Value: stringify(a.Context[k])})
		}
		for _, k := range slices.Sorted(maps.Keys(a.Claims)) {
			c.AuthorizerClaims = append(c.AuthorizerClaims, Param{Name: k, Value: stringify(a.Claims[k])})
		}
	}
	x.vtlCtx = c
	return c
}

// vtlRequest is what a mapping template sees; body is the request body for request
// templates and the integration response body for response templates.
func (x *Exchange) vtlRequest(body []byte) *apigw.Request {
	vars := make([]Param, 0, len(x.StageVariables))
	for _, k := range slices.Sorted(maps.Keys(x.StageVariables)) {
		vars = append(vars, Param{Name: k, Value: x.StageVariables[k]})
	}
	return &apigw.Request{
		Body:           body,
		Path:           x.PathParams,
		QueryString:    x.QueryParams(),
		Header:         x.HeaderParams(),
		StageVariables: vars,
		Context:        x.vtlContext(),
		Overrides:      x.Overrides,
	}
}

// render runs a template and keeps the overrides it wrote.
func (x *Exchange) render(t *Template, body []byte) ([]byte, error) {
	if t.Err != nil {
		return nil, ErrInternal(fmt.Errorf("mapping template %s: %w", t.ContentType, t.Err))
	}
	res, err := t.T.Render(x.vtlRequest(body))
	if err != nil {
		return nil, ErrInternal(fmt.Errorf("mapping template %s: %w", t.ContentType, err))
	}
	if res.Overrides != nil {
		x.Overrides = res.Overrides
	}
	return res.Body, nil
}

// mapRequestBody applies the integration's request templates with its passthrough
// behaviour (reference/vtl.md §5): the request Content-Type (application/json when absent)
// picks the template; without a match the body passes through, or 415.
func (x *Exchange) mapRequestBody(it *Integration) ([]byte, error) {
	ct := x.Req.Header.Get("Content-Type")
	if ct == "" {
		ct = "application/json"
	}
	if len(it.RequestTemplates) == 0 {
		if it.PassthroughBehavior == "NEVER" {
			return nil, ErrUnsupportedMediaType()
		}
		return x.Body, nil
	}
	t, ok := it.RequestTemplates[normalMediaType(ct)]
	if !ok {
		if it.PassthroughBehavior == "WHEN_NO_MATCH" {
			return x.Body, nil
		}
		return nil, ErrUnsupportedMediaType()
	}
	if t.Source == "" {
		return x.Body, nil
	}
	return x.render(t, x.Body)
}

// IntegrationResult is what a non-proxy backend answered, before response mapping.
type IntegrationResult struct {
	Status int
	Header http.Header
	Body   []byte
	// ErrorMessage is set when a Lambda function failed: selection patterns are matched
	// against it instead of the status (reference/lambda-proxy.md §5).
	ErrorMessage *string
}

// selectResponse picks the integration response whose pattern matches value, else the
// default one.
func selectResponse(it *Integration, value string, useDefault bool) *IntegrationResponse {
	if !useDefault {
		for _, r := range it.Responses {
			if r.Pattern.MatchString(value) {
				return r
			}
		}
	}
	return it.Default
}

// mapResponse builds the method response of a non-proxy integration: selection, header
// mappings, response template chosen by Accept, and $context.responseOverride.
func (x *Exchange) mapResponse(it *Integration, res *IntegrationResult) (*Response, error) {
	var ir *IntegrationResponse
	if res.ErrorMessage != nil {
		ir = selectResponse(it, *res.ErrorMessage, false)
	} else if it.Type == "AWS" && isLambdaURI(it.URI) {
		ir = it.Default
	} else {
		ir = selectResponse(it, strconv.Itoa(res.Status), false)
	}
	if ir == nil {
		return nil, ErrInternal(fmt.Errorf("no integration response matches %d and there is no default", res.Status))
	}
	if _, declared := x.Method.MethodResponses[ir.StatusCode]; !declared {
		return nil, ErrInternal(fmt.Errorf("integration response %s has no method response", ir.StatusCode))
	}
	out := &Response{Status: ir.Status, Header: http.Header{}}
	for _, m := range ir.Headers {
		if v, ok := x.responseSource(m.Source, res); ok {
			out.Header.Set(m.Target, v)
		}
	}
	body := res.Body
	contentType := res.Header.Get("Content-Type")
	if t := pickResponseTemplate(ir, x.Req.Header.Get("Accept")); t != nil && t.Source != "" {
		b, err := x.render(t, res.Body)
		if err != nil {
			return nil, err
		}
		body, contentType = b, t.ContentType
	}
	if out.Header.Get("Content-Type") == "" {
		if contentType == "" {
			contentType = "application/json"
		}
		out.Header.Set("Content-Type", contentType)
	}
	out.Body = body
	x.applyResponseOverrides(out)
	return out, nil
}

// applyResponseOverrides applies $context.responseOverride.status and .header.*.
func (x *Exchange) applyResponseOverrides(out *Response) {
	o := x.Overrides
	if o == nil {
		return
	}
	if o.ResponseStatus >= 100 && o.ResponseStatus <= 599 {
		out.Status = o.ResponseStatus
	}
	for k, v := range o.ResponseHeader {
		out.Header.Set(k, v)
	}
}

// pickResponseTemplate chooses by the first media type of Accept, then application/json,
// then the first template (reference/vtl.md §5).
func pickResponseTemplate(ir *IntegrationResponse, accept string) *Template {
	if len(ir.Templates) == 0 {
		return nil
	}
	if accept != "" {
		first, _, _ := strings.Cut(accept, ",")
		if t, ok := ir.Templates[normalMediaType(first)]; ok {
			return t
		}
	}
	if t, ok := ir.Templates["application/json"]; ok {
		return t
	}
	return ir.Templates[normalMediaType(ir.TemplateOrder[0])]
}

// responseSource evaluates an integration response parameter source.
func (x *Exchange) responseSource(src string, res *IntegrationResult) (string, bool) {
	if lit, ok := literal(src); ok {
		return lit, true
	}
	switch {
	case strings.HasPrefix(src, "integration.response.header."):
		v := res.Header.Values(strings.TrimPrefix(src, "integration.response.header."))
		if len(v) == 0 {
			return "", false
		}
		return v[len(v)-1], true
	case strings.HasPrefix(src, "integration.response.multivalueheader."):
		v := res.Header.Values(strings.TrimPrefix(src, "integration.response.multivalueheader."))
		return strings.Join(v, ","), len(v) > 0
	case src == "integration.response.body":
		return string(res.Body), true
	case strings.HasPrefix(src, "integration.response.body."):
		return bodyPath(res.Body, strings.TrimPrefix(src, "integration.response.body."))
	case strings.HasPrefix(src, "stageVariables."):
		v, ok := x.StageVariables[strings.TrimPrefix(src, "stageVariables.")]
		return v, ok
	case strings.HasPrefix(src, "context."):
		return x.ContextValue(strings.TrimPrefix(src, "context."), nil)
	}
	return x.methodRequestValue(src)
}

// methodRequestValue evaluates method.request.* sources.
func (x *Exchange) methodRequestValue(src string) (string, bool) {
	rest, ok := strings.CutPrefix(src, "method.request.")
	if !ok {
		return "", false
	}
	loc, name, _ := strings.Cut(rest, ".")
	switch loc {
	case "path":
		return x.PathParam(name)
	case "querystring":
		v := x.Query[name]
		if len(v) == 0 {
			return "", false
		}
		return v[len(v)-1], true
	case "multivaluequerystring":
		v := x.Query[name]
		return strings.Join(v, ","), len(v) > 0
	case "header":
		v := x.Req.Header.Values(name)
		if len(v) == 0 {
			return "", false
		}
		return v[len(v)-1], true
	case "multivalueheader":
		v := x.Req.Header.Values(name)
		return strings.Join(v, ","), len(v) > 0
	case "body":
		if name == "" {
			return string(x.Body), true
		}
		return bodyPath(x.Body, name)
	}
	return "", false
}

func isLambdaURI(uri string) bool {
	return strings.Contains(uri, ":lambda:path/2015-03-31/functions/")
}
