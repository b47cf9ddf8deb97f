// Package cognito verifies Amazon Cognito user pool tokens the way a REST API's
// COGNITO_USER_POOLS authorizer does: an RS256 signature by a key of the pool's JWKS, an
// unexpired token, an issuer (https://cognito-idp.{region}.amazonaws.com/{poolId}) that is
// one of the authorizer's providerARNs, and the token's use: an ID token when the method
// has no authorization scopes (identityValidationExpression, when set, must match its
// aud), else an access token whose scope claim holds one of the method's scopes
// (reference/auth.md §2). The claims are handed on as strings, as API Gateway does.
//
// Each pool's keys come from the JWKS file or URL configured for it (apigw-local start
// --jwks POOL_ID=FILE|URL), else from the emulator's own issuer (package issuer).
//
// Known differences from AWS: a "Bearer " prefix is accepted (AWS's behaviour on REST
// APIs is unverified); the pool's JWKS is not discovered from Cognito; a URL's JWKS is
// fetched with a 5 s timeout, cached for an hour and refetched at most once a minute for
// an unknown kid; claims that are JSON objects are passed on as JSON text.
package cognito

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"

	"github.com/apigw-local/apigw-local/emulator/auth/issuer"
)

// ErrUnauthorized is every verification failure: the client gets 401 Unauthorized. The
// wrapped text says why, for the emulator's log.
var ErrUnauthorized = errors.New("unauthorized")

func unauthorized(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnauthorized, fmt.Sprintf(format, args...))
}

// Pool is a user pool an authorizer trusts.
type Pool struct {
	Region, ID string
	// Issuer is the iss of the pool's tokens.
	Issuer string
}

// ParseProviderARN reads arn:aws:cognito-idp:{region}:{account}:userpool/{poolId}.
func ParseProviderARN(arn string) (Pool, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[2] != "cognito-idp" || !strings.HasPrefix(parts[5], "userpool/") {
		return Pool{}, fmt.Errorf("provider ARN %q is not a Cognito user pool ARN (arn:aws:cognito-idp:{region}:{account}:userpool/{poolId})", arn)
	}
	p := Pool{Region: parts[3], ID: strings.TrimPrefix(parts[5], "userpool/")}
	p.Issuer = issuer.URL(p.Region, p.ID)
	return p, nil
}

// Config configures a Verifier.
type Config struct {
	// JWKS maps a user pool id to a JWKS file path or http(s) URL.
	JWKS map[string]string
	// Now is the clock expiry is checked against.
	Now func() time.Time
	// Client fetches JWKS URLs; nil uses a client with a 5 s timeout.
	Client *http.Client
}

// Verifier verifies tokens. It is safe for concurrent use.
type Verifier struct {
	now   func() time.Time
	pools map[string]keySource // by pool id
	local keySource
}

// keySource yields the keyfunc of a pool's keys.
type keySource interface {
	keyfunc(ctx context.Context) jwt.Keyfunc
}

// staticKeys is a key set read once.
type staticKeys struct{ kf keyfunc.Keyfunc }

func (s staticKeys) keyfunc(context.Context) jwt.Keyfunc { return s.kf.Keyfunc }

// maxJWKS bounds a key set (the limit API Gateway documents for JWT authorizers).
const maxJWKS = 150000

// New builds a verifier; JWKS files are read now, URLs on first use.
func New(cfg Config) (*Verifier, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 5 * time.Second}
	}
	local, err := keyfunc.NewJWKSetJSON(issuer.JWKS())
	if err != nil {
		return nil, err
	}
	v := &Verifier{now: cfg.Now, pools: map[string]keySource{}, local: staticKeys{local}}
	for pool, src := range cfg.JWKS {
		if strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") {
			v.pools[pool] = &remoteKeys{url: src, client: cfg.Client, now: cfg.Now}
			continue
		}
		b, err := os.ReadFile(src)
		if err != nil {
			return nil, fmt.Errorf("JWKS of user pool %s: %w", pool, err)
		}
		kf, err := keyfunc.NewJWKSetJSON(b)
		if err != nil {
			return nil, fmt.Errorf("JWKS of user pool %s (%s): %w", pool, src, err)
		}
		v.pools[pool] = staticKeys{kf}
	}
	return v, nil
}

// Request is what one verification needs.
type Request struct {
	// Token is the identity source's value (the Authorization header).
	Token string
	// Pools are the authorizer's providerARNs, parsed.
	Pools []Pool
	// Scopes are the method's authorizationScopes.
	Scopes []string
	// Audience, when set, must match an ID token's aud (identityValidationExpression).
	Audience *regexp.Regexp
}

// Result is a verified token.
type Result struct {
	// Claims are the token's claims as API Gateway passes them on: all strings.
	Claims map[string]any
	// Scopes are an access token's scopes.
	Scopes []string
}

// Verify checks a token. Every failure wraps ErrUnauthorized.
func (v *Verifier) Verify(ctx context.Context, req Request) (*Result, error) {
	tok := strings.TrimSpace(req.Token)
	if len(tok) > 7 && strings.EqualFold(tok[:7], "bearer ") {
		tok = strings.TrimSpace(tok[7:])
	}
	if tok == "" {
		return nil, unauthorized("no token")
	}
	unverified, _, err := jwt.NewParser().ParseUnverified(tok, jwt.MapClaims{})
	if err != nil {
		return nil, unauthorized("token does not parse: %v", err)
	}
	iss, _ := unverified.Claims.(jwt.MapClaims)["iss"].(string)
	var pool *Pool
	for i := range req.Pools {
		if req.Pools[i].Issuer == iss {
			pool = &req.Pools[i]
		}
	}
	if pool == nil {
		return nil, unauthorized("issuer %q is not one of the authorizer's user pools", iss)
	}
	keys := v.local
	if ks, ok := v.pools[pool.ID]; ok {
		keys = ks
	}
	claims := jwt.MapClaims{}
	_, err = jwt.NewParser(
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithTimeFunc(v.now),
		jwt.WithExpirationRequired(),
		jwt.WithIssuer(iss),
		jwt.WithJSONNumber(),
	).ParseWithClaims(tok, claims, keys.keyfunc(ctx))
	if err != nil {
		return nil, unauthorized("%v", err)
	}
	use, _ := claims["token_use"].(string)
	res := &Result{}
	if len(req.Scopes) == 0 {
		if use != "id" {
			return nil, unauthorized("token_use is %q: a method without authorization scopes takes ID tokens", use)
		}
		if req.Audience != nil {
			aud, _ := claims["aud"].(string)
			if !req.Audience.MatchString(aud) {
				return nil, unauthorized("aud %q does not match the identity validation expression", aud)
			}
		}
	} else {
		if use != "access" {
			return nil, unauthorized("token_use is %q: a method with authorization scopes takes access tokens", use)
		}
		scope, _ := claims["scope"].(string)
		res.Scopes = strings.Fields(scope)
		if !slices.ContainsFunc(req.Scopes, func(s string) bool { return slices.Contains(res.Scopes, s) }) {
			return nil, unauthorized("the token's scopes %q hold none of the method's %q", scope, req.Scopes)
		}
	}
	res.Claims = make(map[string]any, len(claims))
	for k, c := range claims {
		res.Claims[k] = claimString(k, c)
	}
	return res, nil
}

// javaDate is how REST APIs render exp and iat: Java's Date.toString in UTC, e.g.
// "Sun Dec 17 07:28:12 UTC 2017" (observed in REST proxy events; auth_time stays a number).
const javaDate = "Mon Jan 02 15:04:05 UTC 2006"

// claimString renders a claim as API Gateway passes it on: text, numbers as decimal text,
// lists as "[a b]" (reference/auth.md §5).
func claimString(name string, v any) string {
	switch c := v.(type) {
	case string:
		return c
	case json.Number:
		if name == "exp" || name == "iat" {
			if n, err := c.Int64(); err == nil {
				return time.Unix(n, 0).UTC().Format(javaDate)
			}
		}
		return c.String()
	case bool:
		if c {
			return "true"
		}
		return "false"
	case []any:
		parts := make([]string, len(c))
		for i, e := range c {
			parts[i] = claimString("", e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// remoteKeys is a JWKS URL, fetched on first use and cached.
type remoteKeys struct {
	url    string
	client *http.Client
	now    func() time.Time

	mu      sync.Mutex
	kf      keyfunc.Keyfunc
	fetched time.Time
	tried   time.Time
}

const (
	jwksTTL     = time.Hour
	jwksRefetch = time.Minute
)

func (r *remoteKeys) keyfunc(ctx context.Context) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		kf, _, err := r.current(ctx, false)
		if err != nil {
			return nil, err
		}
		key, err := kf.Keyfunc(t)
		if err == nil {
			return key, nil
		}
		// An unknown kid may be a rotated key: refetch, at most once a minute.
		if kf2, fetched, err2 := r.current(ctx, true); err2 == nil && fetched {
			return kf2.Keyfunc(t)
		}
		return nil, err
	}
}

// current returns the key set, fetching it when there is none, it is older than an hour,
// or refresh asks (a fetch at most once a minute); fetched reports a new fetch.
func (r *remoteKeys) current(ctx context.Context, refresh bool) (kf keyfunc.Keyfunc, fetched bool, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	stale := r.kf == nil || now.Sub(r.fetched) > jwksTTL || refresh
	if !stale || (!r.tried.IsZero() && now.Sub(r.tried) < jwksRefetch) {
		if r.kf == nil {
			return nil, false, fmt.Errorf("JWKS %s could not be fetched", r.url)
		}
		return r.kf, false, nil
	}
	r.tried = now
	kf, err = r.fetch(ctx)
	if err != nil {
		if r.kf != nil {
			return r.kf, false, nil
		}
		return nil, false, err
	}
	r.kf, r.fetched = kf, now
	return kf, true, nil
}

func (r *remoteKeys) fetch(ctx context.Context) (keyfunc.Keyfunc, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch JWKS %s: %w", r.url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch JWKS %s: status %d", r.url, resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKS+1))
	if err != nil {
		return nil, fmt.Errorf("fetch JWKS %s: %w", r.url, err)
	}
	if len(b) > maxJWKS {
		return nil, fmt.Errorf("JWKS %s is over %d bytes", r.url, maxJWKS)
	}
	return keyfunc.NewJWKSetJSON(b)
}
