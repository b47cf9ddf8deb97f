package auth

import (
	"fmt"
	"log/slog"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"
	"weak"

	"github.com/apigw-local/apigw-local/emulator/auth/cognito"
	"github.com/apigw-local/apigw-local/emulator/auth/policy"
	"github.com/apigw-local/apigw-local/emulator/store"
)

// compiledAuthorizer is an authorizer of a deployment prepared for serving: identity
// sources parsed, the validation expression compiled, the function name extracted from
// the authorizer URI, the user pools parsed. err is a configuration problem, reported as
// 500 AUTHORIZER_CONFIGURATION_ERROR when a request reaches the authorizer (AWS reports
// such problems at run time too).
type compiledAuthorizer struct {
	id, typ string
	err     error

	function     string // a function ARN, possibly with ${stageVariables.x}
	functionVars bool
	sources      []identitySource
	validation   *regexp.Regexp
	ttl          time.Duration

	pools []cognito.Pool
}

// identitySource is one entry of identitySource.
type identitySource struct {
	raw  string
	kind sourceKind
	name string
}

type sourceKind int

const (
	fromHeader sourceKind = iota
	fromQuery
	fromStageVariable
	fromContext
)

// parseIdentitySources reads "method.request.header.Authorization, method.request.querystring.q,
// stageVariables.v, context.c".
func parseIdentitySources(s string) ([]identitySource, error) {
	var out []identitySource
	for _, raw := range strings.Split(s, ",") {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		src := identitySource{raw: raw}
		switch {
		case strings.HasPrefix(raw, "method.request.header."):
			src.kind, src.name = fromHeader, strings.TrimPrefix(raw, "method.request.header.")
		case strings.HasPrefix(raw, "method.request.querystring."):
			src.kind, src.name = fromQuery, strings.TrimPrefix(raw, "method.request.querystring.")
		case strings.HasPrefix(raw, "stageVariables."):
			src.kind, src.name = fromStageVariable, strings.TrimPrefix(raw, "stageVariables.")
		case strings.HasPrefix(raw, "context."):
			src.kind, src.name = fromContext, strings.TrimPrefix(raw, "context.")
		default:
			return nil, fmt.Errorf("identity source %q is not method.request.header.X, method.request.querystring.X, stageVariables.X or context.X", raw)
		}
		if src.name == "" {
			return nil, fmt.Errorf("identity source %q names nothing", raw)
		}
		out = append(out, src)
	}
	return out, nil
}

// functionFromURI extracts the function ARN of a Lambda invocation URI
// (arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function}/invocations).
func functionFromURI(uri string) (string, error) {
	_, rest, ok := strings.Cut(uri, ":lambda:path/2015-03-31/functions/")
	if !ok {
		return "", fmt.Errorf("authorizer URI %q is not a Lambda invocation URI", uri)
	}
	fn, _, ok := strings.Cut(rest, "/invocations")
	if !ok || fn == "" {
		return "", fmt.Errorf("authorizer URI %q is not a Lambda invocation URI", uri)
	}
	return fn, nil
}

func compileAuthorizer(au *store.Authorizer) *compiledAuthorizer {
	c := &compiledAuthorizer{id: au.ID, typ: au.Type}
	if au.AuthorizerResultTTLInSeconds != nil {
		c.ttl = time.Duration(*au.AuthorizerResultTTLInSeconds) * time.Second
	} else {
		c.ttl = store.DefaultAuthorizerTTL * time.Second
	}
	var err error
	if c.sources, err = parseIdentitySources(au.IdentitySource); err != nil {
		c.err = err
		return c
	}
	switch au.Type {
	case "TOKEN", "REQUEST":
		if c.function, err = functionFromURI(au.AuthorizerURI); err != nil {
			c.err = err
			return c
		}
		c.functionVars = strings.Contains(c.function, "${stageVariables.")
		if au.Type == "TOKEN" {
			if len(c.sources) != 1 || c.sources[0].kind != fromHeader {
				c.err = fmt.Errorf("a TOKEN authorizer needs one method.request.header identity source, not %q", au.IdentitySource)
				return c
			}
		}
	case "COGNITO_USER_POOLS":
		for _, arn := range au.ProviderARNs {
			p, err := cognito.ParseProviderARN(arn)
			if err != nil {
				c.err = err
				return c
			}
			c.pools = append(c.pools, p)
		}
		if len(c.sources) != 1 || c.sources[0].kind != fromHeader {
			c.err = fmt.Errorf("a Cognito authorizer needs one method.request.header identity source, not %q", au.IdentitySource)
			return c
		}
	default:
		c.err = fmt.Errorf("authorizer type %q", au.Type)
		return c
	}
	if v := au.IdentityValidationExpression; v != "" && au.Type != "REQUEST" {
		// Java's Pattern.matches: the whole value must match.
		if c.validation, err = regexp.Compile(`^(?:` + v + `)$`); err != nil {
			c.err = fmt.Errorf("identity validation expression %q is not supported by the emulator's regular expressions: %w", v, err)
		}
	}
	return c
}

// compiledDeployment holds the compiled authorizers of one deployment.
type compiledDeployment struct {
	authorizers map[string]*compiledAuthorizer
	// policy is the API's resource policy (nil: none), policyErr why it cannot be used.
	policy    *policy.ResourcePolicy
	policyErr error
}

// compiledCache compiles each deployment's authorizers once, on first use, and forgets
// them when the deployment snapshot is garbage collected.
type compiledCache struct {
	m sync.Map // weak.Pointer[store.Snapshot] → *compiledDeployment
}

func (c *compiledCache) get(snap *store.Snapshot, log *slog.Logger, region, account string) *compiledDeployment {
	key := weak.Make(snap)
	if v, ok := c.m.Load(key); ok {
		return v.(*compiledDeployment)
	}
	cd := &compiledDeployment{authorizers: make(map[string]*compiledAuthorizer, len(snap.Authorizers))}
	for id, au := range snap.Authorizers {
		ca := compileAuthorizer(au)
		if ca.err != nil {
			log.Warn("authorizer cannot be used; requests that reach it fail with 500", "api", snap.API.ID, "deployment", snap.DeploymentID, "authorizer", id, "err", ca.err)
		}
		cd.authorizers[id] = ca
	}
	if doc := snap.API.Policy; doc != "" {
		cd.policy, cd.policyErr = parseResourcePolicy(doc, policy.Target{Region: region, Account: account, APIID: snap.API.ID})
		if cd.policyErr != nil {
			log.Warn("resource policy cannot be used; requests fail with 500", "api", snap.API.ID, "deployment", snap.DeploymentID, "err", cd.policyErr)
		} else if u := cd.policy.Unsupported(); len(u) > 0 {
			log.Warn("resource policy statements with these condition operators never apply in the emulator", "api", snap.API.ID, "operators", u)
		}
	}
	if v, loaded := c.m.LoadOrStore(key, cd); loaded {
		return v.(*compiledDeployment)
	}
	runtime.AddCleanup(snap, func(k weak.Pointer[store.Snapshot]) { c.m.Delete(k) }, key)
	return cd
}

// authorizerOf returns the compiled authorizer of a method, or a configuration error.
func (a *Authorizer) authorizerOf(snap *store.Snapshot, id string) (*compiledAuthorizer, error) {
	ca := a.compiled.get(snap, a.log, a.store.Region(), a.store.AccountID()).authorizers[id]
	if ca == nil {
		return nil, fmt.Errorf("authorizer %q is not in deployment %s", id, snap.DeploymentID)
	}
	if ca.err != nil {
		return nil, ca.err
	}
	return ca, nil
}
