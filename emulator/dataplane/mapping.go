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
// templates and the integration response body for response templates. The parameters are
// gathered and sorted once per request, however many templates render.
func (x *Exchange) vtlRequest(body []byte) *apigw.Request {
	if x.vtlReq == nil {
		vars := make([]Param, 0, len(x.StageVariables))
		for _, k := range slices.Sorted(maps.Keys(x.StageVariables)) {
			vars = append(vars, Param{Name: k, Value: x.StageVariables[k]})
		}
		x.vtlReq = &apigw.Request{
			Path:           x.PathParams,
			QueryString:    x.QueryParams(),
			Header:         x.HeaderParams(),
			StageVariables: vars,
			Context:        x.vtlContext(),
		}
	}
	req := *x.vtlReq
	req.Body, req.Overrides = body, x.Overrides
	return &req
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

// mapRequestBody builds the body of a non-proxy integration request: contentHandling of
// the integration, then the request template chosen by Content-Type with the passthrough
// behaviour (reference/vtl.md §5). A binary payload (binaryMediaTypes) that is not
// converted to text passes through untransformed, as templates apply to text only.
func (x *Exchange) mapRequestBody(it *Integration) (body []byte, binary bool, err error) {
	body, binary = x.Body, x.RequestIsBinary()
	if binary && it.ContentHandling == "CONVERT_TO_TEXT" {
		body, binary = encodeBase64(body), false
	}
	if binary {
		return body, true, nil
	}
	if body, err = x.applyRequestTemplate(it, body); err != nil {
		return nil, false, err
	}
	if it.ContentHandling == "CONVERT_TO_BINARY" {
		if body, err = DecodeBase64(body); err != nil {
			return nil, false, ErrInternal(err)
		}
		binary = true
	}
	return body, binary, nil
}

// applyRequestTemplate picks the template by the request Content-Type (application/json
// when absent); without a match the body passes through, or 415.
func (x *Exchange) applyRequestTemplate(it *Integration, body []byte) ([]byte, error) {
	if len(it.RequestTemplates) == 0 {
		if it.PassthroughBehavior == "NEVER" {
			return nil, ErrUnsupportedMediaType()
		}
		return body, nil
	}
	ct := x.Req.Header.Get("Content-Type")
	if ct == "" {
		ct = "application/json"
	}
	t, ok := it.RequestTemplates[normalMediaType(ct)]
	if !ok {
		if it.PassthroughBehavior == "WHEN_NO_MATCH" {
			return body, nil
		}
		return nil, ErrUnsupportedMediaType()
	}
	if t.Source == "" {
		return body, nil
	}
	return x.render(t, body)
}

// IntegrationResult is what a backend answered. For non-proxy types it is mapped to the
// method response; for proxy types it is the method response.
type IntegrationResult struct {
	Status int
	Header http.Header
	Body   []byte
	// ErrorMessage is set when a Lambda function failed: selection patterns are matched
	// against it instead of the status (reference/lambda-proxy.md §5).
	ErrorMessage *string

	doc *jsonDoc // Body parsed for integration.response.body.x mappings
}

// selectResponse picks the integration response whose pattern matches value, else the
// default one.
func selectResponse(it *Integration, value string) *IntegrationResponse {
	for _, r := range it.Responses {
		if r.Pattern.MatchString(value) {
			return r
		}
	}
	return it.Default
}

// isLambda reports whether the integration invokes a Lambda function.
func (it *Integration) isLambda() bool { return it.AWS != nil && it.AWS.Function != nil }

// mapResponse builds the method response of a non-proxy integration: selection, header
// mappings, contentHandling, the response template chosen by Accept, and
// $context.responseOverride.
func (x *Exchange) mapResponse(it *Integration, res *IntegrationResult) (*Response, error) {
	var ir *IntegrationResponse
	switch {
	case res.ErrorMessage != nil:
		ir = selectResponse(it, *res.ErrorMessage)
	case it.Type == "AWS" && it.isLambda():
		// A function that succeeded always takes the default response.
		ir = it.Default
	default:
		ir = selectResponse(it, strconv.Itoa(res.Status))
	}
	if ir == nil {
		return nil, ErrInternal(fmt.Errorf("no integration response matches %d and there is no default", res.Status))
	}
	if _, declared := x.Method.MethodResponses[ir.StatusCode]; !declared {
		return nil, ErrInternal(fmt.Errorf("integration response %s has no method response", ir.StatusCode))
	}
	if res.Header == nil {
		res.Header = http.Header{}
	}
	out := &Response{Status: ir.Status, Header: http.Header{}}
	for i := range ir.Headers {
		m := &ir.Headers[i]
		if v, ok := x.evalSource(&m.Source, res, nil); ok {
			out.Header.Set(m.Target, v)
		}
	}
	body, contentType, err := x.mapResponseBody(it, ir, res)
	if err != nil {
		return nil, err
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

// mapResponseBody applies the integration response's contentHandling and template
// (AWS developer guide, "Content type conversions"): a binary payload reaches a client
// that accepts binary as it is and others as base64 text; CONVERT_TO_TEXT base64-encodes
// binary; CONVERT_TO_BINARY decodes text (after its template). Templates see text only.
func (x *Exchange) mapResponseBody(it *Integration, ir *IntegrationResponse, res *IntegrationResult) ([]byte, string, error) {
	body, contentType := res.Body, res.Header.Get("Content-Type")
	binary := !it.isLambda() && x.Deployment.binary.match(contentType)
	if binary {
		if ir.ContentHandling == "CONVERT_TO_TEXT" || ir.ContentHandling == "" && !x.AcceptsBinary() {
			body, binary = encodeBase64(body), false
		}
	}
	if binary {
		return body, contentType, nil
	}
	if t := pickResponseTemplate(ir, x.Req.Header.Get("Accept")); t != nil && t.Source != "" {
		b, err := x.render(t, body)
		if err != nil {
			return nil, "", err
		}
		body, contentType = b, t.ContentType
	}
	if ir.ContentHandling == "CONVERT_TO_BINARY" {
		b, err := DecodeBase64(body)
		if err != nil {
			return nil, "", ErrInternal(err)
		}
		body = b
	}
	return body, contentType, nil
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

// methodRequestValue evaluates a method.request.* expression (for steps that read request
// parameters by expression, such as authorizer identity sources).
func (x *Exchange) methodRequestValue(expr string) (string, bool) {
	if !strings.HasPrefix(expr, "method.request.") {
		return "", false
	}
	src := compileSource(expr)
	return x.evalSource(&src, nil, nil)
}
