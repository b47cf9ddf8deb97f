package auth_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/apigw-local/apigw-local/emulator"
	"github.com/apigw-local/apigw-local/emulator/auth"
	"github.com/apigw-local/apigw-local/emulator/auth/issuer"
	"github.com/apigw-local/apigw-local/emulator/internal/mockapi"
)

// policyDoc is a resource policy of the given statements.
func policyDoc(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

const (
	rpAllowAll    = `{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*"}`
	allowLoopback = `{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*","Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}}`
	allowTenNet   = `{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8"]}}}`
	denyPets      = `{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*/*/pets"}`
)

// policyAPI builds an API with a resource policy and GET /pets, GET /toys behind auth
// (authorizer made by mk when auth is CUSTOM or COGNITO_USER_POOLS), deployed to dev.
func (e *env) policyAPI(t *testing.T, doc, authType string, mk func(api string) string) string {
	t.Helper()
	a := mockapi.New(t, e.c, "rp", "", func(in *apigateway.CreateRestApiInput) { in.Policy = &doc })
	id := ""
	if mk != nil {
		id = mk(a.ID)
	}
	for _, p := range []string{"/pets", "/toys"} {
		a.Put(mockapi.Method{Path: p, Verb: "GET", Auth: authType, AuthorizerID: id})
	}
	a.Deploy("dev")
	return e.invokeURL(a.ID, "dev")
}

func TestResourcePolicyWithoutAuthorization(t *testing.T) {
	e := newEnv(t, emulator.AccessConfig{}, nil)
	for _, tt := range []struct {
		name, doc string
		pets      int
		body      string
	}{
		{"allow everyone", policyDoc(rpAllowAll), 200, ""},
		{"allow loopback", policyDoc(allowLoopback), 200, ""},
		{"allow another network", policyDoc(allowTenNet), 403, "because no resource-based policy allows the execute-api:Invoke action"},
		{"explicit deny", policyDoc(rpAllowAll, denyPets), 403, "with an explicit deny"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			base := e.policyAPI(t, tt.doc, "NONE", nil)
			r := send(t, "GET", base+"/pets")
			if tt.pets == 200 {
				echo(t, r)
				return
			}
			api := strings.TrimPrefix(base, e.url+"/_aws/execute-api/")
			api = api[:strings.IndexByte(api, '/')]
			want := `{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:000000000000:` + api + `/dev/GET/pets ` + tt.body + `"}`
			wantDenied(t, r, 403, want, "AccessDeniedException")
		})
	}
}

func TestResourcePolicyWithAuthorizers(t *testing.T) {
	rec := &recorder{}
	e := newEnv(t, emulator.AccessConfig{}, map[string]any{"authz": rec.handle})
	token := func(api string) string {
		return e.authorizer(t, api, apigateway.CreateAuthorizerInput{Type: types.AuthorizerTypeToken, AuthorizerUri: aws.String(lambdaURI("authz")),
			IdentitySource: aws.String("method.request.header.Authorization"), AuthorizerResultTtlInSeconds: aws.Int32(0)})
	}
	t.Run("lambda: explicit deny before the authorizer", func(t *testing.T) {
		base := e.policyAPI(t, policyDoc(rpAllowAll, denyPets), "CUSTOM", token)
		before := rec.calls.Load()
		r := send(t, "GET", base+"/pets", "Authorization: allow-a")
		if r.Status != 403 || !strings.Contains(r.Body, "User: anonymous is not authorized to perform: execute-api:Invoke on resource: ") || !strings.HasSuffix(r.Body, `/dev/GET/pets with an explicit deny"}`) {
			t.Errorf("got %d %s", r.Status, r.Body)
		}
		if rec.calls.Load() != before {
			t.Error("the authorizer ran")
		}
		echo(t, send(t, "GET", base+"/toys", "Authorization: allow-a"))
	})
	t.Run("lambda: the resource policy allows what the authorizer does not cover", func(t *testing.T) {
		base := e.policyAPI(t, policyDoc(rpAllowAll), "CUSTOM", token)
		echo(t, send(t, "GET", base+"/pets", "Authorization: post-only"))
		wantDenied(t, send(t, "GET", base+"/pets", "Authorization: deny"), 403, explicitDeny, "AccessDeniedException")
	})
	t.Run("lambda: neither allows", func(t *testing.T) {
		base := e.policyAPI(t, policyDoc(allowTenNet), "CUSTOM", token)
		wantDenied(t, send(t, "GET", base+"/pets", "Authorization: post-only"), 403, implicitDeny, "AccessDeniedException")
		echo(t, send(t, "GET", base+"/pets", "Authorization: allow-a"))
	})
	t.Run("cognito: the policy must allow", func(t *testing.T) {
		cog := func(api string) string {
			return e.authorizer(t, api, apigateway.CreateAuthorizerInput{Type: types.AuthorizerTypeCognitoUserPools,
				ProviderARNs: []string{poolARN(pool)}, IdentitySource: aws.String("method.request.header.Authorization")})
		}
		tok, _ := issuer.Mint(issuer.Token{UserPool: pool, Subject: "s", IssuedAt: t0})
		base := e.policyAPI(t, policyDoc(allowTenNet), "COGNITO_USER_POOLS", cog)
		wantDenied(t, send(t, "GET", base+"/pets"), 401, unauthorized, "UnauthorizedException")
		r := send(t, "GET", base+"/pets", "Authorization: "+tok)
		if r.Status != 403 || !strings.Contains(r.Body, "because no resource-based policy allows") {
			t.Errorf("got %d %s", r.Status, r.Body)
		}
		base = e.policyAPI(t, policyDoc(allowLoopback), "COGNITO_USER_POOLS", cog)
		echo(t, send(t, "GET", base+"/pets", "Authorization: "+tok))
	})
}

func TestResourcePolicyWithIAM(t *testing.T) {
	e := newEnv(t, emulator.AccessConfig{IAMCredentials: []auth.Credential{
		{AccessKeyID: "AKIAOWN", SecretAccessKey: "own", UserARN: "arn:aws:iam::000000000000:user/own"},
		{AccessKeyID: "AKIAOTHER", SecretAccessKey: "other", UserARN: "arn:aws:iam::222222222222:user/other"},
	}}, nil)
	own := aws.Credentials{AccessKeyID: "AKIAOWN", SecretAccessKey: "own"}
	other := aws.Credentials{AccessKeyID: "AKIAOTHER", SecretAccessKey: "other"}
	allowOther := `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"execute-api:Invoke","Resource":"execute-api:/*"}`

	base := e.policyAPI(t, policyDoc(allowTenNet), "AWS_IAM", nil)
	// Same account: the caller's own (assumed) permission is enough.
	echo(t, do(t, signedRequest(t, "GET", base+"/pets", nil, own, "us-east-1", t0)))
	// Another account needs the resource policy's allow (Table B).
	r := do(t, signedRequest(t, "GET", base+"/pets", nil, other, "us-east-1", t0))
	if r.Status != 403 || !strings.Contains(r.Body, `{"Message":"User: arn:aws:iam::222222222222:user/other is not authorized to perform: execute-api:Invoke on resource: `) {
		t.Errorf("cross account without an allow: %d %s", r.Status, r.Body)
	}
	base = e.policyAPI(t, policyDoc(allowOther, denyPets), "AWS_IAM", nil)
	echo(t, do(t, signedRequest(t, "GET", base+"/toys", nil, other, "us-east-1", t0)))
	r = do(t, signedRequest(t, "GET", base+"/pets", nil, own, "us-east-1", t0))
	if r.Status != 403 || !strings.HasSuffix(r.Body, `/dev/GET/pets with an explicit deny"}`) || !strings.Contains(r.Body, "User: arn:aws:iam::000000000000:user/own") {
		t.Errorf("explicit deny: %d %s", r.Status, r.Body)
	}
}
