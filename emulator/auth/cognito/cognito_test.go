package cognito

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/apigw-local/apigw-local/emulator/auth/issuer"
)

var now = time.Date(2026, 3, 18, 12, 0, 0, 0, time.UTC)

const poolARN = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Local"

func pools(t *testing.T, arns ...string) []Pool {
	t.Helper()
	var out []Pool
	for _, a := range arns {
		p, err := ParseProviderARN(a)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func mint(t *testing.T, tok issuer.Token) string {
	t.Helper()
	if tok.UserPool == "" {
		tok.UserPool = "us-east-1_Local"
	}
	if tok.Subject == "" {
		tok.Subject = "alice"
	}
	if tok.IssuedAt.IsZero() {
		tok.IssuedAt = now.Add(-time.Minute)
	}
	s, err := issuer.Mint(tok)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newVerifier(t *testing.T, jwks map[string]string) *Verifier {
	t.Helper()
	v, err := New(Config{JWKS: jwks, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestVerifyLocalIssuer(t *testing.T) {
	v := newVerifier(t, nil)
	idTok := mint(t, issuer.Token{Groups: []string{"admin", "ops"}, Email: "a@example.com"})
	accessTok := mint(t, issuer.Token{Scopes: []string{"orders/read"}})
	tampered := idTok[:len(idTok)-4] + "AAAA"
	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": issuer.URL("us-east-1", "us-east-1_Local"), "token_use": "id", "exp": now.Add(time.Hour).Unix()})
	hsTok, _ := hs.SignedString([]byte("secret"))
	tests := []struct {
		name   string
		req    Request
		errMsg string // "" for success
	}{
		{"id token", Request{Token: idTok}, ""},
		{"bearer prefix", Request{Token: "Bearer " + idTok}, ""},
		{"access token with a scope", Request{Token: accessTok, Scopes: []string{"orders/write", "orders/read"}}, ""},
		{"missing", Request{Token: ""}, "no token"},
		{"garbage", Request{Token: "abc.def"}, "token does not parse"},
		{"expired", Request{Token: mint(t, issuer.Token{IssuedAt: now.Add(-2 * time.Hour)})}, "token is expired"},
		{"other pool", Request{Token: mint(t, issuer.Token{UserPool: "us-east-1_Other"})}, `issuer "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other" is not one`},
		{"bad signature", Request{Token: tampered}, "signature is invalid"},
		{"HS256", Request{Token: hsTok}, "signing method HS256 is invalid"},
		{"access token without scopes", Request{Token: accessTok}, `token_use is "access"`},
		{"id token with scopes", Request{Token: idTok, Scopes: []string{"orders/read"}}, `token_use is "id"`},
		{"scope not held", Request{Token: accessTok, Scopes: []string{"orders/write"}}, "hold none of the method's"},
		{"audience matches", Request{Token: idTok, Audience: regexp.MustCompile("^apigwlocal")}, ""},
		{"audience does not match", Request{Token: idTok, Audience: regexp.MustCompile("^other$")}, "does not match the identity validation expression"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.Pools = pools(t, poolARN)
			res, err := v.Verify(context.Background(), tt.req)
			if tt.errMsg == "" {
				if err != nil {
					t.Fatal(err)
				}
				if res.Claims["sub"] != "alice" {
					t.Errorf("claims %v", res.Claims)
				}
				return
			}
			if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), tt.errMsg) {
				t.Errorf("got %v, want ErrUnauthorized containing %q", err, tt.errMsg)
			}
		})
	}
}

func TestClaimsAreStrings(t *testing.T) {
	v := newVerifier(t, nil)
	tok := mint(t, issuer.Token{Groups: []string{"admin", "ops"}, Email: "a@example.com", IssuedAt: time.Date(2026, 3, 18, 11, 30, 5, 0, time.UTC),
		Claims: map[string]any{"custom:n": 7, "custom:obj": map[string]any{"a": 1}}})
	res, err := v.Verify(context.Background(), Request{Token: tok, Pools: pools(t, poolARN)})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"cognito:groups": "[admin ops]",
		"email_verified": "true",
		"exp":            "Wed Mar 18 12:30:05 UTC 2026",
		"iat":            "Wed Mar 18 11:30:05 UTC 2026",
		"auth_time":      "1773833405",
		"custom:n":       "7",
		"custom:obj":     `{"a":1}`,
		"token_use":      "id",
	}
	for k, w := range want {
		if got := res.Claims[k]; got != w {
			t.Errorf("%s = %#v, want %q", k, got, w)
		}
	}
}

// jwksOf writes a JWKS document for an RSA key.
func jwksOf(kid string, k *rsa.PublicKey) []byte {
	b64 := base64.RawURLEncoding.EncodeToString
	b, _ := json.Marshal(map[string]any{"keys": []map[string]string{{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid, "e": b64(big.NewInt(int64(k.E)).Bytes()), "n": b64(k.N.Bytes())}}})
	return b
}

func signWith(t *testing.T, k *rsa.PrivateKey, kid, pool string, use string) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"sub": "bob", "iss": issuer.URL("eu-west-1", pool), "token_use": use, "aud": "client", "exp": now.Add(time.Hour).Unix(),
	})
	tok.Header["kid"] = kid
	s, err := tok.SignedString(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConfiguredJWKS(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(file, jwksOf("k1", &key.PublicKey), 0o600); err != nil {
		t.Fatal(err)
	}
	var fetches atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fetches.Add(1)
		_, _ = w.Write(jwksOf("k1", &key.PublicKey))
	}))
	defer srv.Close()
	v := newVerifier(t, map[string]string{"eu-west-1_File": file, "eu-west-1_URL": srv.URL})

	filePools := pools(t, "arn:aws:cognito-idp:eu-west-1:1:userpool/eu-west-1_File")
	urlPools := pools(t, "arn:aws:cognito-idp:eu-west-1:1:userpool/eu-west-1_URL")
	if _, err := v.Verify(context.Background(), Request{Token: signWith(t, key, "k1", "eu-west-1_File", "id"), Pools: filePools}); err != nil {
		t.Errorf("file JWKS: %v", err)
	}
	for range 3 {
		if _, err := v.Verify(context.Background(), Request{Token: signWith(t, key, "k1", "eu-west-1_URL", "id"), Pools: urlPools}); err != nil {
			t.Errorf("URL JWKS: %v", err)
		}
	}
	if n := fetches.Load(); n != 1 {
		t.Errorf("JWKS fetched %d times, want once", n)
	}
	// A pool with its own JWKS does not take the local issuer's tokens.
	local := mint(t, issuer.Token{UserPool: "eu-west-1_File"})
	if _, err := v.Verify(context.Background(), Request{Token: local, Pools: filePools}); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("local token on a pool with its own JWKS: %v", err)
	}
	// An unknown kid refetches (once a minute at most) and still fails.
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	if _, err := v.Verify(context.Background(), Request{Token: signWith(t, other, "k2", "eu-west-1_URL", "id"), Pools: urlPools}); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("unknown kid: %v", err)
	}
	if _, err := New(Config{JWKS: map[string]string{"p": filepath.Join(t.TempDir(), "missing.json")}}); err == nil {
		t.Error("a missing JWKS file is not an error")
	}
}

func TestParseProviderARN(t *testing.T) {
	p, err := ParseProviderARN(poolARN)
	if err != nil || p.Region != "us-east-1" || p.ID != "us-east-1_Local" || p.Issuer != "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Local" {
		t.Errorf("%+v %v", p, err)
	}
	for _, bad := range []string{"", "arn:aws:iam::1:user/x", "arn:aws:cognito-idp:us-east-1:1:identitypool/x"} {
		if _, err := ParseProviderARN(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	v, _ := New(Config{Now: func() time.Time { return now }})
	tok, _ := issuer.Mint(issuer.Token{UserPool: "us-east-1_Local", Subject: "a", IssuedAt: now})
	p, _ := ParseProviderARN(poolARN)
	req := Request{Token: tok, Pools: []Pool{p}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}
