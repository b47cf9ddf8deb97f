package issuer

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
)

func TestMintVerifiesWithJWKS(t *testing.T) {
	kf, err := keyfunc.NewJWKSetJSON(JWKS())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 18, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		in    Token
		check map[string]any
	}{
		{"id token", Token{UserPool: "us-east-1_AbC123", Subject: "alice", Groups: []string{"admin", "ops"}, Email: "a@example.com"},
			map[string]any{"token_use": "id", "aud": DefaultClientID, "cognito:username": "alice", "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123", "email_verified": true}},
		{"access token from scopes", Token{UserPool: "eu-west-2_X", Subject: "bob", Scopes: []string{"orders/read", "orders/write"}, ClientID: "app"},
			map[string]any{"token_use": "access", "client_id": "app", "scope": "orders/read orders/write", "username": "bob", "iss": "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_X"}},
		{"explicit region and extra claims", Token{UserPool: "pool", Region: "ap-south-1", Subject: "c", Claims: map[string]any{"custom:tier": "gold"}},
			map[string]any{"custom:tier": "gold", "iss": "https://cognito-idp.ap-south-1.amazonaws.com/pool"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.IssuedAt = now
			s, err := Mint(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := jwt.Parse(s, kf.Keyfunc, jwt.WithTimeFunc(func() time.Time { return now.Add(time.Minute) }), jwt.WithValidMethods([]string{"RS256"}))
			if err != nil {
				t.Fatal(err)
			}
			if tok.Header["kid"] != KeyID {
				t.Errorf("kid %v", tok.Header["kid"])
			}
			c := tok.Claims.(jwt.MapClaims)
			for k, want := range tt.check {
				if got := c[k]; got != want {
					t.Errorf("%s = %v, want %v", k, got, want)
				}
			}
			if exp, _ := c.GetExpirationTime(); !exp.Time.Equal(now.Add(time.Hour)) {
				t.Errorf("exp %v", exp)
			}
		})
	}
}

func TestMintErrors(t *testing.T) {
	for name, in := range map[string]Token{
		"no pool":            {Subject: "a"},
		"no subject":         {UserPool: "us-east-1_A"},
		"pool has no region": {UserPool: "mypool", Subject: "a"},
		"bad use":            {UserPool: "us-east-1_A", Subject: "a", Use: "refresh"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Mint(in); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestJWKSShape(t *testing.T) {
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(JWKS(), &set); err != nil || len(set.Keys) != 1 {
		t.Fatalf("%s %v", JWKS(), err)
	}
	k := set.Keys[0]
	if k["kid"] != KeyID || k["alg"] != "RS256" || k["kty"] != "RSA" || k["use"] != "sig" || k["e"] != "AQAB" || len(k["n"]) < 300 {
		t.Errorf("key %v", k)
	}
}
