package auth

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/apigw-local/apigw-local/emulator/auth/sigv4"
	"github.com/apigw-local/apigw-local/emulator/dataplane"
)

// DefaultSecret is the secret key of every access key when no credentials are configured:
// the "test" that local AWS tooling uses, so SDK clients configured for LocalStack sign
// requests the emulator accepts.
const DefaultSecret = "test"

// Credential is an IAM identity the emulator knows.
type Credential struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	// SessionToken, when set, must come with the request (X-Amz-Security-Token).
	SessionToken string `json:"sessionToken,omitempty"`
	// UserARN is $context.identity.userArn; AccountID defaults to its account and UserID
	// ($context.identity.caller and .user) to an id derived from it.
	UserARN   string `json:"userArn,omitempty"`
	AccountID string `json:"accountId,omitempty"`
	UserID    string `json:"userId,omitempty"`
}

// Credentials are the IAM identities SigV4 signatures are checked against.
type Credentials struct {
	byKey map[string]Credential
	// any accepts every access key with DefaultSecret.
	any bool
}

// DefaultCredentials accept any access key with the secret key "test"; the caller is
// the account's root user.
func DefaultCredentials() *Credentials { return &Credentials{any: true} }

// NewCredentials returns the given identities, filling defaults: the account of the
// user ARN (else account), a user id derived from the ARN.
func NewCredentials(account string, list []Credential) (*Credentials, error) {
	c := &Credentials{byKey: map[string]Credential{}}
	for _, cr := range list {
		if cr.AccessKeyID == "" || cr.SecretAccessKey == "" {
			return nil, fmt.Errorf("credential %q: accessKeyId and secretAccessKey are required", cr.AccessKeyID)
		}
		if cr.UserARN == "" {
			cr.UserARN = "arn:aws:iam::" + account + ":user/" + cr.AccessKeyID
		}
		if cr.AccountID == "" {
			cr.AccountID = account
			if parts := strings.SplitN(cr.UserARN, ":", 6); len(parts) == 6 && parts[4] != "" {
				cr.AccountID = parts[4]
			}
		}
		if cr.UserID == "" {
			cr.UserID = userID(cr.UserARN)
		}
		c.byKey[cr.AccessKeyID] = cr
	}
	return c, nil
}

// userID makes an IAM-style unique id (AIDA + 17 characters) from an ARN, so the same
// ARN always gets the same id.
func userID(arn string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	sum := sha256.Sum256([]byte(arn))
	b := []byte("AIDA")
	for _, c := range sum[:17] {
		b = append(b, alphabet[c%32])
	}
	return string(b)
}

// lookup finds the identity of an access key.
func (c *Credentials) lookup(akid, account string) (Credential, bool) {
	if c.any {
		// Root credentials: caller and user are the account id (AWS's $context.identity
		// for an account's root user).
		return Credential{AccessKeyID: akid, SecretAccessKey: DefaultSecret, AccountID: account,
			UserARN: "arn:aws:iam::" + account + ":root", UserID: account}, true
	}
	cr, ok := c.byKey[akid]
	return cr, ok
}

// LoadCredentials reads a credentials file: JSON (a list of Credential, or an object
// with a "credentials" list) or the AWS CLI's INI format (~/.aws/credentials: one
// profile per section with aws_access_key_id, aws_secret_access_key and optionally
// aws_session_token; the profile name becomes the IAM user name).
func LoadCredentials(path, account string) (*Credentials, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var list []Credential
	trimmed := bytes.TrimSpace(b)
	switch {
	case len(trimmed) > 1 && trimmed[0] == '[' && bytes.ContainsAny(trimmed[1:2], "{] \t\r\n"):
		err = json.Unmarshal(trimmed, &list)
	case len(trimmed) > 0 && trimmed[0] == '{':
		var doc struct {
			Credentials []Credential `json:"credentials"`
		}
		err = json.Unmarshal(trimmed, &doc)
		list = doc.Credentials
	default:
		list, err = parseINI(b, account)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("%s: no credentials", path)
	}
	c, err := NewCredentials(account, list)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

func parseINI(b []byte, account string) ([]Credential, error) {
	var list []Credential
	var cur *Credential
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			profile := strings.TrimSpace(strings.TrimPrefix(line[1:len(line)-1], "profile "))
			list = append(list, Credential{UserARN: "arn:aws:iam::" + account + ":user/" + profile})
			cur = &list[len(list)-1]
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || cur == nil {
			return nil, fmt.Errorf("line %d: want [profile] or key = value", n)
		}
		switch strings.TrimSpace(k) {
		case "aws_access_key_id":
			cur.AccessKeyID = strings.TrimSpace(v)
		case "aws_secret_access_key":
			cur.SecretAccessKey = strings.TrimSpace(v)
		case "aws_session_token":
			cur.SessionToken = strings.TrimSpace(v)
		}
	}
	// Profiles without keys (role or SSO profiles) sign nothing.
	out := list[:0]
	for _, c := range list {
		if c.AccessKeyID != "" {
			out = append(out, c)
		}
	}
	return out, sc.Err()
}

// iam verifies a SigV4-signed request (authorizationType AWS_IAM) and fills
// $context.identity.
func (a *Authorizer) iam(x *dataplane.Exchange) error {
	sig, err := sigv4.Parse(x.Req)
	if err == nil {
		err = sig.CheckScope(x.Region, "execute-api")
	}
	if err == nil {
		err = sig.CheckTime(a.clock.Now())
	}
	var cred Credential
	if err == nil {
		var ok bool
		cred, ok = a.creds.lookup(sig.AccessKeyID, x.AccountID)
		if !ok || (cred.SessionToken != "" && sig.SessionToken != cred.SessionToken) {
			err = sigv4.ErrUnknownKey()
		}
	}
	if err == nil {
		err = sig.Verify(x.Req, x.Body, cred.SecretAccessKey)
	}
	if err != nil {
		return iamError(err)
	}
	id := &x.Identity
	id.AccessKey, id.AccountID, id.UserARN = cred.AccessKeyID, cred.AccountID, cred.UserARN
	id.Caller, id.User = cred.UserID, cred.UserID
	return nil
}

// iamError maps a SigV4 failure to API Gateway's response (reference/auth.md §3).
func iamError(err error) *dataplane.GatewayError {
	var e *sigv4.Error
	if !errors.As(err, &e) {
		return dataplane.ErrInternal(err)
	}
	ge := &dataplane.GatewayError{Type: "INVALID_SIGNATURE", Message: e.Message, ErrorType: "InvalidSignatureException"}
	switch e.Kind {
	case sigv4.Missing:
		return dataplane.ErrMissingAuthenticationToken()
	case sigv4.Incomplete:
		ge.ErrorType = "IncompleteSignatureException"
	case sigv4.UnknownKey:
		ge.ErrorType = "UnrecognizedClientException"
	}
	return ge
}
