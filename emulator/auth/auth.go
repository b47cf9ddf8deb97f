// Package auth emulates the authorization of REST API methods in API Gateway's data plane:
// Lambda authorizers (TOKEN and REQUEST, with identity-source checks before the call,
// the policy they return evaluated against the method ARN, and their results cached per
// stage for authorizerResultTtlInSeconds), Cognito user pool authorizers (package
// cognito), and AWS_IAM (SigV4, package sigv4) with $context.identity filled in. It also
// serves TestInvokeAuthorizer and FlushStageAuthorizersCache.
//
// Failures are API Gateway's gateway responses: 401 {"message":"Unauthorized"} for a
// missing or refused identity, 403 ACCESS_DENIED with AWS's current wording for a policy
// that does not allow the call, 500 AUTHORIZER_CONFIGURATION_ERROR {"message":null} for an
// authorizer that fails or answers nonsense, and the IAM errors of reference/auth.md §3.
//
// A REST API's resource policy is evaluated with each kind of authorization (package
// policy parses it).
//
// Known differences from AWS: IAM callers are not checked for execute-api:Invoke
// permission by their own policies (a valid signature is enough); Cognito results
// are verified on every request rather than cached; an authorizer's "Unauthorized" answer
// is not cached; concurrent misses of the authorizer cache each invoke the function.
package auth

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/apigw-local/apigw-local/emulator/auth/cognito"
	"github.com/apigw-local/apigw-local/emulator/dataplane"
	"github.com/apigw-local/apigw-local/emulator/store"
	"github.com/apigw-local/apigw-local/lambdarunner"
)

// Config configures an Authorizer.
type Config struct {
	Store *store.Store
	// Lambda runs Lambda authorizers.
	Lambda lambdarunner.Runner
	// Clock is the time of cache expiry, token expiry and signature skew.
	Clock  store.Clock
	Logger *slog.Logger
	// Cognito verifies user pool tokens; nil trusts only the local issuer.
	Cognito *cognito.Verifier
	// Credentials are the IAM credentials SigV4 signatures are checked against; nil
	// accepts any access key with the secret key "test".
	Credentials *Credentials
}

// Authorizer is the data plane's authorization step and the state behind it (the
// authorizer result cache, compiled authorizers).
type Authorizer struct {
	store   *store.Store
	lambda  lambdarunner.Runner
	clock   store.Clock
	log     *slog.Logger
	cognito *cognito.Verifier
	creds   *Credentials

	compiled compiledCache
	cache    resultCache
}

// New returns an Authorizer.
func New(cfg Config) (*Authorizer, error) {
	if cfg.Clock == nil {
		cfg.Clock = store.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Cognito == nil {
		v, err := cognito.New(cognito.Config{Now: cfg.Clock.Now})
		if err != nil {
			return nil, err
		}
		cfg.Cognito = v
	}
	if cfg.Credentials == nil {
		cfg.Credentials = DefaultCredentials()
	}
	return &Authorizer{store: cfg.Store, lambda: cfg.Lambda, clock: cfg.Clock, log: cfg.Logger, cognito: cfg.Cognito, creds: cfg.Credentials}, nil
}

// Step authorizes a routed request by its method's authorizationType: NONE passes,
// AWS_IAM checks the SigV4 signature, CUSTOM runs the Lambda authorizer, and
// COGNITO_USER_POOLS verifies the user pool token.
//
// A resource policy on the API is applied with each (resource.go).
// Reset forgets every cached authorizer decision (POST /_apigw-local/reset).
func (a *Authorizer) Reset() { a.cache.reset() }

func (a *Authorizer) Step(x *dataplane.Exchange) error {
	rp, err := a.resourcePolicy(x.Deployment.Snapshot)
	if err != nil {
		return dataplane.ErrInternal(err)
	}
	switch x.Method.AuthorizationType {
	case "AWS_IAM":
		if err := a.iam(x); err != nil || rp == nil {
			return err
		}
		return iamResource(x, rp)
	case "CUSTOM":
		if rp != nil {
			if err := refuseDeny(x, rp); err != nil {
				return err
			}
		}
		return a.custom(x, rp)
	case "COGNITO_USER_POOLS":
		if err := a.userPool(x); err != nil || rp == nil {
			return err
		}
		return requireAllow(x, rp)
	}
	if rp != nil {
		return requireAllow(x, rp)
	}
	return nil
}

// MethodARN is the ARN an authorizer policy is checked against:
// arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{VERB}/{path as requested}, the
// root as ".../GET/" (reference/auth.md §1).
func MethodARN(x *dataplane.Exchange) string {
	return "arn:aws:execute-api:" + x.Region + ":" + x.AccountID + ":" + x.APIID + "/" + x.Stage.Name + "/" + x.Req.Method + x.Path
}

// The gateway errors of authorization, with AWS's messages (reference/auth.md).

// ErrUnauthorized is UNAUTHORIZED: 401 {"message":"Unauthorized"}.
func ErrUnauthorized(cause error) *dataplane.GatewayError {
	return &dataplane.GatewayError{Type: "UNAUTHORIZED", Message: "Unauthorized", Cause: cause}
}

// ErrConfiguration is AUTHORIZER_CONFIGURATION_ERROR: 500 {"message":null}.
func ErrConfiguration(cause error) *dataplane.GatewayError {
	return &dataplane.GatewayError{Type: "AUTHORIZER_CONFIGURATION_ERROR", Null: true, Cause: cause}
}

// The ACCESS_DENIED wordings of 2024 onwards for a Lambda authorizer's policy; accounts
// and older captures show the text up to "resource" (reference/gateway-responses.md).
const (
	msgExplicitDeny = "User is not authorized to access this resource with an explicit deny in an identity-based policy"
	msgImplicitDeny = "User is not authorized to access this resource because no identity-based policy allows the execute-api:Invoke action"
)

// ErrAccessDenied is ACCESS_DENIED: 403 {"Message":"User is not authorized ..."}.
func ErrAccessDenied(explicit bool) *dataplane.GatewayError {
	msg := msgImplicitDeny
	if explicit {
		msg = msgExplicitDeny
	}
	return &dataplane.GatewayError{Type: "ACCESS_DENIED", Message: msg, CapitalMessage: true}
}

// headerValue reads a header the way identity sources do (names are case-insensitive);
// Host is the request's host.
func headerValue(r *http.Request, name string) string {
	if http.CanonicalHeaderKey(name) == "Host" {
		return r.Host
	}
	return r.Header.Get(name)
}

// elapsedMillis is a duration in whole milliseconds.
func elapsedMillis(d time.Duration) int64 { return int64(d / time.Millisecond) }
