// Package issuer is apigw-local's stand-in for Amazon Cognito user pools as token issuers:
// it signs ID and access tokens shaped like Cognito's (claims, token_use, issuer
// https://cognito-idp.{region}.amazonaws.com/{poolId}, RS256 with a kid) so that Cognito
// authorizers can be tested without Cognito. The emulator serves the key set at
// /_apigw-local/jwks.json and accepts these tokens for every user pool that has no JWKS
// of its own configured.
//
// The signing key is fixed and public (it ships in the source): tokens from the
// `apigw-local token` command verify against any emulator, and mean nothing anywhere
// else. Known differences from Cognito: no token endpoint, no refresh tokens, no
// revocation; event_id, jti and origin_jti are random.
package issuer

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// KeyID is the kid of the issuer's signing key.
const KeyID = "apigw-local-issuer-1"

//go:embed local-issuer-key.pem
var keyPEM []byte

var (
	signingKey = mustKey()
	jwks       = mustJWKS()
)

func mustKey() *rsa.PrivateKey {
	block, _ := pem.Decode(keyPEM)
	if block == nil {
		panic("issuer: the embedded key is not PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		panic("issuer: the embedded key does not parse: " + err.Error())
	}
	return k.(*rsa.PrivateKey)
}

func mustJWKS() []byte {
	pub := signingKey.PublicKey
	b64 := base64.RawURLEncoding.EncodeToString
	set := map[string]any{"keys": []map[string]string{{
		"alg": "RS256", "e": b64(big.NewInt(int64(pub.E)).Bytes()), "kid": KeyID, "kty": "RSA",
		"n": b64(pub.N.Bytes()), "use": "sig",
	}}}
	b, err := json.Marshal(set)
	if err != nil {
		panic(err)
	}
	return b
}

// JWKS is the issuer's public key set, as Cognito serves
// /{poolId}/.well-known/jwks.json.
func JWKS() []byte { return append([]byte(nil), jwks...) }

// PublicKey is the key tokens are verified with.
func PublicKey() *rsa.PublicKey { return &signingKey.PublicKey }

// poolIDRE is a user pool id: {region}_{id}.
var poolIDRE = regexp.MustCompile(`^([a-z]{2}(?:-[a-z]+)+-\d+)_[0-9a-zA-Z]+$`)

// RegionOf returns the region a user pool id starts with.
func RegionOf(poolID string) (string, bool) {
	m := poolIDRE.FindStringSubmatch(poolID)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// URL is the issuer (iss) of a user pool's tokens.
func URL(region, poolID string) string {
	return "https://cognito-idp." + region + ".amazonaws.com/" + poolID
}

// Token describes a token to mint.
type Token struct {
	// UserPool is the pool id (us-east-1_AbCdEf012); Region defaults to its prefix.
	UserPool, Region string
	// Subject is sub; Username is cognito:username (ID token) or username (access
	// token), Subject when empty.
	Subject, Username string
	Groups            []string
	// Scopes go to the access token's scope claim.
	Scopes []string
	// ClientID is the app client: aud of an ID token, client_id of an access token.
	ClientID string
	// Use is "id" or "access"; empty picks access when Scopes are given, else id.
	Use   string
	Email string
	// Claims are added last and win over the ones above.
	Claims map[string]any
	// IssuedAt defaults to now; Expires (the lifetime) to one hour.
	IssuedAt time.Time
	Expires  time.Duration
}

// DefaultClientID is the app client id of tokens that name none.
const DefaultClientID = "apigwlocalclient0000000000"

func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// Mint signs a token.
func Mint(t Token) (string, error) {
	if t.UserPool == "" {
		return "", errors.New("a user pool id is required")
	}
	if t.Region == "" {
		r, ok := RegionOf(t.UserPool)
		if !ok {
			return "", fmt.Errorf("user pool id %q does not start with a region (us-east-1_AbCdEf012): give the region", t.UserPool)
		}
		t.Region = r
	}
	if t.Subject == "" {
		return "", errors.New("a subject (sub) is required")
	}
	if t.Username == "" {
		t.Username = t.Subject
	}
	if t.ClientID == "" {
		t.ClientID = DefaultClientID
	}
	if t.Use == "" {
		t.Use = "id"
		if len(t.Scopes) > 0 {
			t.Use = "access"
		}
	}
	if t.IssuedAt.IsZero() {
		t.IssuedAt = time.Now()
	}
	if t.Expires == 0 {
		t.Expires = time.Hour
	}
	iat := t.IssuedAt.Unix()
	c := jwt.MapClaims{
		"sub": t.Subject, "iss": URL(t.Region, t.UserPool), "token_use": t.Use,
		"auth_time": iat, "iat": iat, "exp": t.IssuedAt.Add(t.Expires).Unix(),
		"jti": randomID(), "origin_jti": randomID(), "event_id": randomID(),
	}
	if len(t.Groups) > 0 {
		c["cognito:groups"] = t.Groups
	}
	switch t.Use {
	case "id":
		c["aud"], c["cognito:username"] = t.ClientID, t.Username
		if t.Email != "" {
			c["email"], c["email_verified"] = t.Email, true
		}
	case "access":
		c["client_id"], c["username"], c["version"] = t.ClientID, t.Username, 2
		c["scope"] = strings.Join(t.Scopes, " ")
	default:
		return "", fmt.Errorf("token use %q: use id or access", t.Use)
	}
	for k, v := range t.Claims {
		c[k] = v
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	tok.Header["kid"] = KeyID
	return tok.SignedString(signingKey)
}
