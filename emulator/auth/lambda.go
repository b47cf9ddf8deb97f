package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/apigw-local/apigw-local/emulator/auth/policy"
	"github.com/apigw-local/apigw-local/emulator/dataplane"
	"github.com/apigw-local/apigw-local/lambdarunner"
)

// invokeTimeout bounds an authorizer call (API Gateway's integration limit).
const invokeTimeout = 29 * time.Second

// decision is what a Lambda authorizer answered, parsed: it is what the cache keeps, and
// its policy is evaluated afresh against each method ARN.
type decision struct {
	principalID string
	policy      *policy.Policy
	policyDoc   json.RawMessage
	// context is read-only once built: requests share it.
	context  map[string]any
	usageKey string
	latency  int64
}

// custom runs a method's Lambda authorizer (authorizationType CUSTOM). With a resource
// policy (rp), a call the authorizer's policy does not cover passes when rp allows it.
func (a *Authorizer) custom(x *dataplane.Exchange, rp *policy.ResourcePolicy) error {
	ca, err := a.authorizerOf(x.Deployment.Snapshot, x.Method.AuthorizerID)
	if err != nil {
		return ErrConfiguration(err)
	}
	values, ok := identityValues(x, ca.sources)
	if !ok {
		return ErrUnauthorized(errors.New("an identity source is missing or empty"))
	}
	if ca.typ == "TOKEN" && ca.validation != nil && !ca.validation.MatchString(values[0]) {
		return ErrUnauthorized(errors.New("the token does not match the identity validation expression"))
	}
	methodARN := MethodARN(x)
	var d *decision
	var key cacheKey
	cacheable := ca.ttl > 0 && len(values) > 0
	if cacheable {
		key = cacheKey{api: x.APIID, stage: x.Stage.Name, deployment: x.Deployment.Snapshot.DeploymentID, authorizer: ca.id}
		d = a.cache.get(key, strings.Join(values, "\x00"), a.clock.Now())
	}
	if d == nil {
		payload, err := a.event(x, ca, values, methodARN)
		if err != nil {
			return ErrConfiguration(err)
		}
		if d, err = a.call(x.Req.Context(), a.functionName(x, ca), payload); err != nil {
			return err
		}
		if cacheable {
			a.cache.put(key, strings.Join(values, "\x00"), d, a.clock.Now().Add(ca.ttl))
		}
	}
	switch d.policy.Evaluate(methodARN) {
	case policy.ExplicitDeny:
		return ErrAccessDenied(true)
	case policy.ImplicitDeny:
		if rp == nil || rp.Evaluate(methodARN, caller(x)) != policy.Allow {
			return ErrAccessDenied(false)
		}
	}
	x.Authorizer = &dataplane.AuthorizerResult{PrincipalID: d.principalID, Context: d.context, IntegrationLatency: d.latency}
	if x.Deployment.Snapshot.API.APIKeySource == "AUTHORIZER" {
		x.Identity.APIKey = d.usageKey
	}
	return nil
}

// identityValues reads the identity sources; ok is false when one is missing or empty
// (401 without invoking, reference/auth.md §1).
func identityValues(x *dataplane.Exchange, sources []identitySource) ([]string, bool) {
	values := make([]string, len(sources))
	for i, s := range sources {
		var v string
		switch s.kind {
		case fromHeader:
			v = headerValue(x.Req, s.name)
		case fromQuery:
			if q := x.Query[s.name]; len(q) > 0 {
				v = q[len(q)-1]
			}
		case fromStageVariable:
			v = x.StageVariables[s.name]
		case fromContext:
			v, _ = x.ContextValue(s.name, nil)
		}
		if v == "" {
			return nil, false
		}
		values[i] = v
	}
	return values, true
}

// functionName resolves the authorizer's function, stage variables substituted.
func (a *Authorizer) functionName(x *dataplane.Exchange, ca *compiledAuthorizer) string {
	if !ca.functionVars {
		return ca.function
	}
	fn := ca.function
	for name, v := range x.StageVariables {
		fn = strings.ReplaceAll(fn, "${stageVariables."+name+"}", v)
	}
	return fn
}

// tokenEvent is a TOKEN authorizer's input.
type tokenEvent struct {
	Type               string `json:"type"`
	AuthorizationToken string `json:"authorizationToken"`
	MethodArn          string `json:"methodArn"`
}

// requestEvent is a REQUEST authorizer's input (reference/auth.md §1; aws-lambda-go's
// APIGatewayCustomAuthorizerRequestTypeRequest).
type requestEvent struct {
	Type                            string              `json:"type"`
	MethodArn                       string              `json:"methodArn"`
	Resource                        string              `json:"resource"`
	Path                            string              `json:"path"`
	HTTPMethod                      string              `json:"httpMethod"`
	Headers                         map[string]string   `json:"headers"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`
	PathParameters                  map[string]string   `json:"pathParameters"`
	StageVariables                  map[string]string   `json:"stageVariables"`
	RequestContext                  requestContext      `json:"requestContext"`
}

type requestContext struct {
	Path         string          `json:"path"`
	AccountID    string          `json:"accountId"`
	ResourceID   string          `json:"resourceId"`
	Stage        string          `json:"stage"`
	RequestID    string          `json:"requestId"`
	Identity     requestIdentity `json:"identity"`
	ResourcePath string          `json:"resourcePath"`
	HTTPMethod   string          `json:"httpMethod"`
	APIID        string          `json:"apiId"`
}

type requestIdentity struct {
	APIKey     string `json:"apiKey,omitempty"`
	SourceIP   string `json:"sourceIp"`
	ClientCert any    `json:"clientCert"`
}

// event builds the authorizer's input.
func (a *Authorizer) event(x *dataplane.Exchange, ca *compiledAuthorizer, values []string, methodARN string) ([]byte, error) {
	if ca.typ == "TOKEN" {
		return json.Marshal(tokenEvent{Type: "TOKEN", AuthorizationToken: values[0], MethodArn: methodARN})
	}
	ev := requestEvent{
		Type: "REQUEST", MethodArn: methodARN, Resource: x.ResourcePath(), Path: x.Path, HTTPMethod: x.Req.Method,
		Headers: map[string]string{}, MultiValueHeaders: map[string][]string{},
		QueryStringParameters: map[string]string{}, MultiValueQueryStringParameters: map[string][]string{},
		PathParameters: map[string]string{}, StageVariables: maps.Clone(x.StageVariables),
		RequestContext: requestContext{
			Path: x.ContextPath, AccountID: x.AccountID, ResourceID: x.ResourceID(), Stage: x.Stage.Name,
			RequestID: x.RequestID, ResourcePath: x.ResourcePath(), HTTPMethod: x.Req.Method, APIID: x.APIID,
			Identity: requestIdentity{SourceIP: x.SourceIP, APIKey: x.Req.Header.Get("X-Api-Key")},
		},
	}
	if ev.StageVariables == nil {
		ev.StageVariables = map[string]string{}
	}
	if x.Req.Host != "" {
		ev.Headers["Host"], ev.MultiValueHeaders["Host"] = x.Req.Host, []string{x.Req.Host}
	}
	for k, v := range x.Req.Header {
		if len(v) > 0 {
			name := x.HeaderName(k) // the client's casing, as AWS passes it
			ev.Headers[name], ev.MultiValueHeaders[name] = v[len(v)-1], v
		}
	}
	for k, v := range x.Query {
		if len(v) > 0 {
			ev.QueryStringParameters[k], ev.MultiValueQueryStringParameters[k] = v[len(v)-1], v
		}
	}
	for _, p := range x.PathParams {
		ev.PathParameters[p.Name] = p.Value
	}
	return json.Marshal(ev)
}

// call invokes the authorizer function and reads its answer: a function error whose
// message is exactly "Unauthorized" is 401; any other failure or malformed output is 500
// AUTHORIZER_CONFIGURATION_ERROR (reference/auth.md §1, "Outcomes").
func (a *Authorizer) call(ctx context.Context, fn string, payload []byte) (*decision, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), invokeTimeout)
	defer cancel()
	start := a.clock.Now()
	resp, err := a.lambda.Invoke(ctx, &lambdarunner.InvokeRequest{FunctionName: fn, Payload: payload})
	latency := elapsedMillis(a.clock.Now().Sub(start))
	if err != nil {
		return nil, ErrConfiguration(fmt.Errorf("invoke authorizer %s: %w", fn, err))
	}
	if resp.FunctionError != "" {
		if resp.Error != nil && resp.Error.ErrorMessage == "Unauthorized" {
			return nil, ErrUnauthorized(errors.New("the authorizer answered Unauthorized"))
		}
		return nil, ErrConfiguration(fmt.Errorf("authorizer %s failed: %s", fn, resp.Payload))
	}
	d, err := parseOutput(resp.Payload)
	if err != nil {
		return nil, ErrConfiguration(fmt.Errorf("authorizer %s: %w: %s", fn, err, resp.Payload))
	}
	d.latency = latency
	return d, nil
}

// output is a Lambda authorizer's answer.
type output struct {
	PrincipalID        json.RawMessage            `json:"principalId"`
	PolicyDocument     json.RawMessage            `json:"policyDocument"`
	Context            map[string]json.RawMessage `json:"context"`
	UsageIdentifierKey *string                    `json:"usageIdentifierKey"`
}

// parseOutput checks an authorizer's answer: principalId and policyDocument are required,
// context values must be strings, numbers or booleans.
func parseOutput(payload []byte) (*decision, error) {
	var out output
	dec := json.NewDecoder(bytes.NewReader(payload))
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("the answer is not a JSON object: %v", err)
	}
	d := &decision{}
	switch p := bytes.TrimSpace(out.PrincipalID); {
	case len(p) == 0 || string(p) == "null":
		return nil, errors.New("the answer has no principalId")
	case p[0] == '"':
		_ = json.Unmarshal(p, &d.principalID)
	case p[0] == '-' || (p[0] >= '0' && p[0] <= '9'):
		d.principalID = string(p)
	default:
		return nil, errors.New("principalId is not a string")
	}
	if len(out.PolicyDocument) == 0 || string(out.PolicyDocument) == "null" {
		return nil, errors.New("the answer has no policyDocument")
	}
	pol, err := policy.Parse(out.PolicyDocument)
	if err != nil {
		return nil, err
	}
	d.policy, d.policyDoc = pol, out.PolicyDocument
	if len(out.Context) > 0 {
		d.context = make(map[string]any, len(out.Context))
		for k, raw := range out.Context {
			var v any
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.UseNumber()
			if err := dec.Decode(&v); err != nil {
				return nil, fmt.Errorf("context.%s: %v", k, err)
			}
			switch v.(type) {
			case string, json.Number, bool, nil:
			default:
				return nil, fmt.Errorf("context.%s is an object or array: only strings, numbers and booleans are allowed", k)
			}
			d.context[k] = v
		}
	}
	if out.UsageIdentifierKey != nil {
		d.usageKey = *out.UsageIdentifierKey
	}
	return d, nil
}
