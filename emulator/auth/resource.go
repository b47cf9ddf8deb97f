package auth

import (
	"encoding/json"
	"net/netip"
	"strings"

	"github.com/apigw-local/apigw-local/emulator/auth/policy"
	"github.com/apigw-local/apigw-local/emulator/dataplane"
	"github.com/apigw-local/apigw-local/emulator/store"
)

// A REST API's resource policy combines with the method's authorization as the developer
// guide's "How API Gateway resource policies affect authorization workflow" sets out:
//
//   - no authorization: the policy must allow explicitly;
//   - Lambda authorizer: an explicit deny refuses before the authorizer runs; then the
//     authorizer's and the policy's decisions combine by Table A (either allows, neither
//     denies);
//   - Cognito: once the token is valid, the policy must allow explicitly;
//   - IAM: an explicit deny refuses; a caller of another account also needs an explicit
//     allow (Table B). The caller's own IAM policies are taken to allow.

// parseResourcePolicy reads RestApi.policy, which AWS hands back JSON-escaped
// ({\"Version\": ...}) and tools send either way.
func parseResourcePolicy(doc string, t policy.Target) (*policy.ResourcePolicy, error) {
	p, err := policy.ParseResource([]byte(doc), t)
	if err != nil && strings.Contains(doc, `\"`) {
		var unescaped string
		if json.Unmarshal([]byte(`"`+doc+`"`), &unescaped) == nil {
			return policy.ParseResource([]byte(unescaped), t)
		}
	}
	return p, err
}

// resourcePolicy returns the deployment's compiled resource policy, nil when it has none.
func (a *Authorizer) resourcePolicy(snap *store.Snapshot) (*policy.ResourcePolicy, error) {
	if snap.API.Policy == "" {
		return nil, nil
	}
	cd := a.compiled.get(snap, a.log, a.store.Region(), a.store.AccountID())
	return cd.policy, cd.policyErr
}

// caller is the resource policy's view of the request's caller: anonymous unless IAM
// identified it.
func caller(x *dataplane.Exchange) policy.Caller {
	c := policy.Caller{ARN: x.Identity.UserARN, Account: x.Identity.AccountID}
	c.SourceIP, _ = netip.ParseAddr(x.SourceIP)
	return c
}

// ErrResourceDenied is ACCESS_DENIED for a resource policy: "User: anonymous is not
// authorized to perform: execute-api:Invoke on resource: <arn> with an explicit deny" or
// "... because no resource-based policy allows the execute-api:Invoke action"
// (reference/gateway-responses.md, ACCESS_DENIED).
func ErrResourceDenied(x *dataplane.Exchange, explicit bool) *dataplane.GatewayError {
	user := x.Identity.UserARN
	if user == "" {
		user = "anonymous"
	}
	msg := "User: " + user + " is not authorized to perform: execute-api:Invoke on resource: " + MethodARN(x)
	if explicit {
		msg += " with an explicit deny"
	} else {
		msg += " because no resource-based policy allows the execute-api:Invoke action"
	}
	return &dataplane.GatewayError{Type: "ACCESS_DENIED", Message: msg, CapitalMessage: true}
}

// requireAllow refuses unless the policy explicitly allows the call.
func requireAllow(x *dataplane.Exchange, rp *policy.ResourcePolicy) error {
	switch rp.Evaluate(MethodARN(x), caller(x)) {
	case policy.ExplicitDeny:
		return ErrResourceDenied(x, true)
	case policy.ImplicitDeny:
		return ErrResourceDenied(x, false)
	}
	return nil
}

// refuseDeny refuses only an explicit deny.
func refuseDeny(x *dataplane.Exchange, rp *policy.ResourcePolicy) error {
	if rp.Evaluate(MethodARN(x), caller(x)) == policy.ExplicitDeny {
		return ErrResourceDenied(x, true)
	}
	return nil
}

// iamResource applies the resource policy to an authenticated IAM caller.
func iamResource(x *dataplane.Exchange, rp *policy.ResourcePolicy) error {
	if x.Identity.AccountID == x.AccountID {
		return refuseDeny(x, rp)
	}
	return requireAllow(x, rp)
}
