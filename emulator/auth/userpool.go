package auth

import (
	"errors"

	"github.com/apigw-local/apigw-local/emulator/auth/cognito"
	"github.com/apigw-local/apigw-local/emulator/dataplane"
)

// userPool verifies a Cognito user pool token (authorizationType COGNITO_USER_POOLS):
// any failure is 401 Unauthorized. The claims reach $context.authorizer.claims.* and the
// proxy event's requestContext.authorizer.claims.
func (a *Authorizer) userPool(x *dataplane.Exchange) error {
	ca, err := a.authorizerOf(x.Deployment.Snapshot, x.Method.AuthorizerID)
	if err != nil {
		return ErrConfiguration(err)
	}
	token := headerValue(x.Req, ca.sources[0].name)
	if token == "" {
		return ErrUnauthorized(errors.New("no token in " + ca.sources[0].raw))
	}
	res, err := a.cognito.Verify(x.Req.Context(), cognito.Request{
		Token: token, Pools: ca.pools, Scopes: x.Method.AuthorizationScopes, Audience: ca.validation,
	})
	if err != nil {
		return ErrUnauthorized(err)
	}
	x.Authorizer = &dataplane.AuthorizerResult{Claims: res.Claims, Scopes: res.Scopes}
	return nil
}
