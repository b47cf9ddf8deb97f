package auth_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/golang-jwt/jwt/v5"

	"github.com/apigw-local/apigw-local/emulator"
	"github.com/apigw-local/apigw-local/emulator/auth/issuer"
)

const pool = "us-east-1_Local"

func poolARN(id string) string { return "arn:aws:cognito-idp:us-east-1:000000000000:userpool/" + id }

func (e *env) userPoolAPI(t *testing.T, pools []string, scopes ...string) string {
	t.Helper()
	var arns []string
	for _, p := range pools {
		arns = append(arns, poolARN(p))
	}
	a, _ := e.newAPI(t, "", "COGNITO_USER_POOLS", func(api string) string {
		return e.authorizer(t, api, apigateway.CreateAuthorizerInput{
			Type: types.AuthorizerTypeCognitoUserPools, ProviderARNs: arns,
			IdentitySource: aws.String("method.request.header.Authorization"),
		})
	}, false, scopes...)
	return e.invokeURL(a.ID, "dev") + "/pets"
}

func token(t *testing.T, tok issuer.Token) string {
	t.Helper()
	if tok.UserPool == "" {
		tok.UserPool = pool
	}
	if tok.Subject == "" {
		tok.Subject = "alice"
	}
	tok.IssuedAt = t0
	s, err := issuer.Mint(tok)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCognitoAuthorizer(t *testing.T) {
	e := newEnv(t, emulator.AccessConfig{}, nil)
	idOnly := e.userPoolAPI(t, []string{"us-east-1_Other", pool})
	scoped := e.userPoolAPI(t, []string{pool}, "orders/read", "orders/write")

	idTok := token(t, issuer.Token{Groups: []string{"admin"}})
	got := echo(t, send(t, "GET", idOnly, "Authorization: "+idTok))
	if got["sub"] != "alice" || got["groups"] != "[admin]" {
		t.Errorf("claims: %v", got)
	}
	echo(t, send(t, "GET", idOnly, "Authorization: Bearer "+idTok))
	accessTok := token(t, issuer.Token{Scopes: []string{"orders/read"}})
	if got := echo(t, send(t, "GET", scoped, "Authorization: "+accessTok)); got["sub"] != "alice" {
		t.Errorf("access token claims: %v", got)
	}

	tests := []struct {
		name, url, token string
	}{
		{"missing", idOnly, ""},
		{"not a JWT", idOnly, "abc"},
		{"pool not in providerARNs", idOnly, token(t, issuer.Token{UserPool: "us-east-1_Third"})},
		{"tampered", idOnly, idTok[:len(idTok)-2] + "xx"},
		{"access token where an ID token is expected", idOnly, accessTok},
		{"ID token where scopes are required", scoped, idTok},
		{"no required scope", scoped, token(t, issuer.Token{Scopes: []string{"orders/delete"}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hdr []string
			if tt.token != "" {
				hdr = []string{"Authorization: " + tt.token}
			}
			wantDenied(t, send(t, "GET", tt.url, hdr...), 401, unauthorized, "UnauthorizedException")
		})
	}
	t.Run("expired", func(t *testing.T) {
		e.clock.Add(time.Hour + time.Second)
		defer e.clock.Add(-time.Hour - time.Second)
		wantDenied(t, send(t, "GET", idOnly, "Authorization: "+idTok), 401, unauthorized, "UnauthorizedException")
	})
}

func TestCognitoJWKSFile(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	jwks, _ := json.Marshal(map[string]any{"keys": []map[string]string{{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": "mine",
		"e": b64(big.NewInt(int64(key.E)).Bytes()), "n": b64(key.N.Bytes())}}})
	file := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(file, jwks, 0o600); err != nil {
		t.Fatal(err)
	}
	const own = "us-east-1_Own"
	e := newEnv(t, emulator.AccessConfig{JWKS: map[string]string{own: file}}, nil)
	url := e.userPoolAPI(t, []string{own})

	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"sub": "bob", "iss": issuer.URL("us-east-1", own), "token_use": "id", "aud": "client", "exp": t0.Add(time.Hour).Unix(),
	})
	tok.Header["kid"] = "mine"
	signed, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	if got := echo(t, send(t, "GET", url, "Authorization: "+signed)); got["sub"] != "bob" {
		t.Errorf("claims %v", got)
	}
	// The local issuer's tokens are not trusted for a pool with its own keys.
	wantDenied(t, send(t, "GET", url, "Authorization: "+token(t, issuer.Token{UserPool: own})), 401, unauthorized, "UnauthorizedException")
}

func TestLocalJWKSEndpoint(t *testing.T) {
	e := newEnv(t, emulator.AccessConfig{}, nil)
	r := send(t, "GET", e.url+"/_apigw-local/jwks.json")
	if r.Status != 200 || r.Body != string(issuer.JWKS()) || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("got %d %s", r.Status, r.Body)
	}
}
