package e2e

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/golang-jwt/jwt/v5"
)

// mintToken runs `apigw-local token` and returns the token it prints.
func mintToken(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(binary, append([]string{"token"}, args...)...).Output()
	if err != nil {
		t.Fatalf("apigw-local token %v: %v", args, err)
	}
	return strings.TrimSpace(string(out))
}

func TestCognitoWithLocalIssuerAndJWKSFile(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	jwks, _ := json.Marshal(map[string]any{"keys": []map[string]string{{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": "k1",
		"e": b64(big.NewInt(int64(key.E)).Bytes()), "n": b64(key.N.Bytes())}}})
	file := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(file, jwks, 0o600); err != nil {
		t.Fatal(err)
	}
	const local, own = "us-east-1_LocalPool", "us-east-1_OwnKeys"
	e := start(t, "--jwks", own+"="+file)
	c := e.apigw()
	api := accessAPI(t, c, "cognito", "")
	id := api.createAuthorizer(apigateway.CreateAuthorizerInput{Type: types.AuthorizerTypeCognitoUserPools,
		ProviderARNs:   []string{"arn:aws:cognito-idp:us-east-1:000000000000:userpool/" + local, "arn:aws:cognito-idp:us-east-1:000000000000:userpool/" + own},
		IdentitySource: aws.String("method.request.header.Authorization")})
	api.put(accessMethod{path: "/me", verb: "GET", auth: "COGNITO_USER_POOLS", authorizerID: id})
	api.put(accessMethod{path: "/orders", verb: "GET", auth: "COGNITO_USER_POOLS", authorizerID: id, scopes: []string{"orders/read"}})
	api.deploy("dev", nil)
	base := e.invokeURL(api.ID, "dev")

	idTok := mintToken(t, "--user-pool", local, "--sub", "alice", "--groups", "admin,ops")
	got := echoOf(t, do(t, "GET", base+"/me", nil, "Authorization: "+idTok))
	if got["sub"] != "alice" || got["groups"] != "[admin ops]" || !strings.HasSuffix(got["exp"], " UTC "+time.Now().UTC().Format("2006")) {
		t.Errorf("claims: %v", got)
	}
	accessTok := mintToken(t, "--user-pool", local, "--sub", "alice", "--scope", "orders/read")
	if got := echoOf(t, do(t, "GET", base+"/orders", nil, "Authorization: "+accessTok)); got["sub"] != "alice" {
		t.Errorf("access token: %v", got)
	}
	ownTok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"sub": "bob", "token_use": "id", "aud": "app",
		"iss": "https://cognito-idp.us-east-1.amazonaws.com/" + own, "exp": time.Now().Add(time.Hour).Unix()})
	ownTok.Header["kid"] = "k1"
	signed, _ := ownTok.SignedString(key)
	if got := echoOf(t, do(t, "GET", base+"/me", nil, "Authorization: "+signed)); got["sub"] != "bob" {
		t.Errorf("JWKS file token: %v", got)
	}

	for _, tt := range []struct{ name, path, token string }{
		{"missing token", "/me", ""},
		{"expired", "/me", mintToken(t, "--user-pool", local, "--sub", "alice", "--claim", "exp=1000000000")},
		{"pool not trusted", "/me", mintToken(t, "--user-pool", "us-east-1_Elsewhere", "--sub", "alice")},
		{"local token for a pool with its own keys", "/me", mintToken(t, "--user-pool", own, "--sub", "alice")},
		{"bad signature", "/me", idTok[:len(idTok)-3] + "abc"},
		{"ID token where a scope is required", "/orders", idTok},
		{"other scope", "/orders", mintToken(t, "--user-pool", local, "--sub", "alice", "--scope", "orders/write")},
		{"access token where an ID token is expected", "/me", accessTok},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var hdr []string
			if tt.token != "" {
				hdr = []string{"Authorization: " + tt.token}
			}
			wantDenial(t, do(t, "GET", base+tt.path, nil, hdr...), 401, bodyUnauthorized, "UnauthorizedException")
		})
	}
	r := do(t, "GET", e.URL+"/_apigw-local/jwks.json", nil)
	if r.Status != 200 || !strings.Contains(r.Body, `"kid":"apigw-local-issuer-1"`) {
		t.Errorf("jwks.json: %d %s", r.Status, r.Body)
	}
}

func payloadSHA(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func sigv4Request(t *testing.T, method, url string, body []byte, creds aws.Credentials, region string, at time.Time) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, payloadSHA(body), "execute-api", region, at); err != nil {
		t.Fatal(err)
	}
	return req
}

func doRequest(t *testing.T, req *http.Request) response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b.String()}
}

func TestIAMSignedRequests(t *testing.T) {
	creds := filepath.Join(t.TempDir(), "creds.json")
	if err := os.WriteFile(creds, []byte(`[{"accessKeyId":"AKIAALICE","secretAccessKey":"alice-secret","userArn":"arn:aws:iam::111122223333:user/alice","userId":"AIDAALICE"}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		args    []string
		creds   aws.Credentials
		want    map[string]string
		unknown aws.Credentials
	}{
		{"default: any key with secret test", nil, aws.Credentials{AccessKeyID: "AKIAWHATEVER", SecretAccessKey: "test"},
			map[string]string{"accessKey": "AKIAWHATEVER", "accountId": "000000000000", "caller": "000000000000", "userArn": "arn:aws:iam::000000000000:root"}, aws.Credentials{}},
		{"credentials file", []string{"--iam-credentials", creds}, aws.Credentials{AccessKeyID: "AKIAALICE", SecretAccessKey: "alice-secret"},
			map[string]string{"accessKey": "AKIAALICE", "accountId": "111122223333", "caller": "AIDAALICE", "userArn": "arn:aws:iam::111122223333:user/alice"},
			aws.Credentials{AccessKeyID: "AKIAWHATEVER", SecretAccessKey: "test"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t, tt.args...)
			c := e.apigw()
			api := accessAPI(t, c, "iam", "")
			api.put(accessMethod{path: "/pets", verb: "POST", auth: "AWS_IAM"})
			api.deploy("dev", nil)
			url := e.invokeURL(api.ID, "dev") + "/pets?color=dark%20blue"
			now := time.Now()
			got := echoOf(t, doRequest(t, sigv4Request(t, "POST", url, []byte(`{"name":"rex"}`), tt.creds, "us-east-1", now)))
			for k, w := range tt.want {
				if got[k] != w {
					t.Errorf("$context.identity.%s = %q, want %q", k, got[k], w)
				}
			}
			wantDenial(t, do(t, "POST", url, nil), 403, `{"message":"Missing Authentication Token"}`, "MissingAuthenticationTokenException")
			bad := tt.creds
			bad.SecretAccessKey = "wrong"
			r := doRequest(t, sigv4Request(t, "POST", url, nil, bad, "us-east-1", now))
			if r.Status != 403 || r.Header.Get("X-Amzn-Errortype") != "InvalidSignatureException" ||
				!strings.HasPrefix(r.Body, `{"message":"The request signature we calculated does not match the signature you provided.`) {
				t.Errorf("wrong secret: %d %s", r.Status, r.Body)
			}
			r = doRequest(t, sigv4Request(t, "POST", url, nil, tt.creds, "us-east-1", now.Add(-10*time.Minute)))
			if r.Status != 403 || !strings.HasPrefix(r.Body, `{"message":"Signature expired: `) || r.Header.Get("X-Amzn-Errortype") != "InvalidSignatureException" {
				t.Errorf("expired: %d %s", r.Status, r.Body)
			}
			r = do(t, "POST", url, nil, "Authorization: Bearer abc")
			if r.Status != 403 || r.Header.Get("X-Amzn-Errortype") != "IncompleteSignatureException" || !strings.Contains(r.Body, "(hashed with SHA-256 and encoded with Base64)") {
				t.Errorf("bearer: %d %s %v", r.Status, r.Body, r.Header)
			}
			if tt.unknown.AccessKeyID != "" {
				wantDenial(t, doRequest(t, sigv4Request(t, "POST", url, nil, tt.unknown, "us-east-1", now)), 403,
					`{"message":"The security token included in the request is invalid."}`, "UnrecognizedClientException")
			}
		})
	}
}
