package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/apigw-local/apigw-local/emulator"
	"github.com/apigw-local/apigw-local/emulator/auth/issuer"
	"github.com/apigw-local/apigw-local/emulator/throttle"
)

// accessOptions are start's access-control flags.
type accessOptions struct {
	jwks            []string
	iamCredentials  string
	accountThrottle string
}

func (o *accessOptions) addFlags(f *pflag.FlagSet) {
	f.StringArrayVar(&o.jwks, "jwks", nil,
		"the keys of a Cognito user pool: 'POOL_ID=FILE' or 'POOL_ID=https://.../jwks.json' (repeatable); pools without one trust 'apigw-local token'")
	f.StringVar(&o.iamCredentials, "iam-credentials", "",
		"IAM credentials for AWS_IAM methods: a JSON list or ~/.aws/credentials file (default: any access key, secret key 'test')")
	f.StringVar(&o.accountThrottle, "account-throttle", "10000:5000", "the account's throttle, RATE:BURST (requests per second, bucket size; -1:-1 for none)")
}

// config turns the flags into the emulator's access configuration.
func (o *accessOptions) config() (emulator.AccessConfig, error) {
	cfg := emulator.AccessConfig{IAMCredentialsFile: o.iamCredentials}
	for _, spec := range o.jwks {
		pool, src, ok := strings.Cut(spec, "=")
		if !ok || pool == "" || src == "" {
			return cfg, fmt.Errorf("--jwks %q: use POOL_ID=FILE or POOL_ID=URL", spec)
		}
		if cfg.JWKS == nil {
			cfg.JWKS = map[string]string{}
		}
		cfg.JWKS[pool] = src
	}
	lim, err := parseThrottle(o.accountThrottle)
	if err != nil {
		return cfg, fmt.Errorf("--account-throttle %q: %w", o.accountThrottle, err)
	}
	cfg.AccountThrottle = &lim
	return cfg, nil
}

// parseThrottle reads RATE:BURST.
func parseThrottle(s string) (throttle.Limits, error) {
	r, b, ok := strings.Cut(s, ":")
	if !ok {
		return throttle.Limits{}, fmt.Errorf("use RATE:BURST, for example 10000:5000")
	}
	rate, err := strconv.ParseFloat(strings.TrimSpace(r), 64)
	if err != nil {
		return throttle.Limits{}, fmt.Errorf("rate %q is not a number", r)
	}
	burst, err := strconv.Atoi(strings.TrimSpace(b))
	if err != nil {
		return throttle.Limits{}, fmt.Errorf("burst %q is not a whole number", b)
	}
	return throttle.Limits{Rate: rate, Burst: burst}, nil
}

func tokenCommand(stdout io.Writer) *cobra.Command {
	var (
		tok     issuer.Token
		expires time.Duration
		claims  []string
	)
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Print a Cognito-style token from the emulator's own issuer",
		Long: `Print an ID or access token shaped like Amazon Cognito's, signed by the emulator's own
issuer. COGNITO_USER_POOLS authorizers accept it for every user pool that has no --jwks of
its own; the keys are served at /_apigw-local/jwks.json. The token is an access token when
--scope is given, else an ID token. The signing key is public: these tokens mean nothing
outside apigw-local.

  apigw-local token --user-pool us-east-1_AbCdEf012 --sub alice --groups admin --scope orders/read --expires 1h`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			tok.Expires = expires
			for _, c := range claims {
				k, v, ok := strings.Cut(c, "=")
				if !ok || k == "" {
					return fmt.Errorf("--claim %q: use NAME=VALUE", c)
				}
				if tok.Claims == nil {
					tok.Claims = map[string]any{}
				}
				var j any
				if json.Unmarshal([]byte(v), &j) == nil {
					tok.Claims[k] = j
				} else {
					tok.Claims[k] = v
				}
			}
			s, err := issuer.Mint(tok)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(stdout, s)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&tok.UserPool, "user-pool", "", "the user pool id, e.g. us-east-1_AbCdEf012 (required)")
	f.StringVar(&tok.Region, "region", "", "the pool's region (default: the prefix of the pool id)")
	f.StringVar(&tok.Subject, "sub", "", "the subject (required)")
	f.StringVar(&tok.Username, "username", "", "the user name (default: the subject)")
	f.StringSliceVar(&tok.Groups, "groups", nil, "cognito:groups (comma separated or repeated)")
	f.StringSliceVar(&tok.Scopes, "scope", nil, "OAuth scopes of an access token (comma separated or repeated)")
	f.StringVar(&tok.ClientID, "client-id", "", "the app client id (aud of an ID token, client_id of an access token)")
	f.StringVar(&tok.Use, "token-use", "", "id or access (default: access with --scope, else id)")
	f.StringVar(&tok.Email, "email", "", "the email claim of an ID token")
	f.StringArrayVar(&claims, "claim", nil, "an extra claim NAME=VALUE; VALUE is JSON when it parses (repeatable)")
	f.DurationVar(&expires, "expires", time.Hour, "the token's lifetime")
	_ = cmd.MarkFlagRequired("user-pool")
	_ = cmd.MarkFlagRequired("sub")
	return cmd
}
