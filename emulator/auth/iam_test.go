package auth_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/apigw-local/apigw-local/emulator"
	"github.com/apigw-local/apigw-local/emulator/auth"
)

func hashOf(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// signedRequest is a request signed with the SDK's signer at time at.
func signedRequest(t *testing.T, method, url string, body []byte, creds aws.Credentials, region string, at time.Time) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hashOf(body), "execute-api", region, at); err != nil {
		t.Fatal(err)
	}
	return req
}

func (e *env) iamAPI(t *testing.T) string {
	t.Helper()
	a, _ := e.newAPI(t, "", "AWS_IAM", nil, false)
	return e.invokeURL(a.ID, "dev")
}

func TestIAMDefaultCredentials(t *testing.T) {
	e := newEnv(t, emulator.AccessConfig{}, nil)
	base := e.iamAPI(t)
	anyKey := aws.Credentials{AccessKeyID: "AKIAANYTHING", SecretAccessKey: "test"}

	got := echo(t, do(t, signedRequest(t, "GET", base+"/pets?q=a%20b", nil, anyKey, "us-east-1", t0)))
	want := map[string]string{"accessKey": "AKIAANYTHING", "accountId": "000000000000", "caller": "000000000000", "user_": "000000000000", "userArn": "arn:aws:iam::000000000000:root"}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("$context.identity.%s = %q, want %q", strings.TrimSuffix(k, "_"), got[k], w)
		}
	}
	echo(t, do(t, signedRequest(t, "POST", base+"/pets", []byte(`{"a":1}`), anyKey, "us-east-1", t0.Add(-4*time.Minute))))

	// Presigned URL.
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/pets/9", nil)
	u, _, err := v4.NewSigner().PresignHTTP(ctx, anyKey, req, hashOf(nil), "execute-api", "us-east-1", t0)
	if err != nil {
		t.Fatal(err)
	}
	echo(t, send(t, "GET", u))

	bearer := "Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln"
	sum := sha256.Sum256([]byte(bearer))
	hashed := base64.StdEncoding.EncodeToString(sum[:])
	wrongSecret := signedRequest(t, "GET", base+"/pets", nil, aws.Credentials{AccessKeyID: "AKIAANYTHING", SecretAccessKey: "nope"}, "us-east-1", t0)
	tests := []struct {
		name      string
		req       *http.Request
		status    int
		body, typ string
		prefix    bool
	}{
		{"unsigned", mustRequest(t, "GET", base+"/pets"), 403, missingToken, "MissingAuthenticationTokenException", false},
		{"bearer token", mustRequest(t, "GET", base+"/pets", "Authorization: "+bearer), 403,
			`{"message":"Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): '` + hashed + `'."}`, "IncompleteSignatureException", false},
		{"wrong secret", wrongSecret, 403, `{"message":"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'GET\n`, "InvalidSignatureException", true},
		{"wrong region", signedRequest(t, "GET", base+"/pets", nil, anyKey, "eu-west-1", t0), 403, `{"message":"Credential should be scoped to a valid region. "}`, "InvalidSignatureException", false},
		{"too old", signedRequest(t, "GET", base+"/pets", nil, anyKey, "us-east-1", t0.Add(-6*time.Minute)), 403,
			`{"message":"Signature expired: 20260318T115400Z is now earlier than 20260318T115500Z (20260318T120000Z - 5 min.)"}`, "InvalidSignatureException", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, tt.req)
			if tt.prefix {
				if r.Status != tt.status || !strings.HasPrefix(r.Body, tt.body) || r.Header.Get("X-Amzn-Errortype") != tt.typ {
					t.Errorf("got %d %s %v", r.Status, r.Body, r.Header)
				}
				return
			}
			wantDenied(t, r, tt.status, tt.body, tt.typ)
		})
	}
	// A method without IAM ignores the signature.
	echo(t, do(t, signedRequest(t, "GET", base+"/open", nil, anyKey, "us-east-1", t0.Add(-time.Hour))))
}

func mustRequest(t *testing.T, method, url string, headers ...string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	return req
}

func TestIAMCredentialsFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "credentials")
	ini := "[default]\naws_access_key_id = AKIAALICE\naws_secret_access_key = alice-secret\n\n[ci]\naws_access_key_id=AKIACI\naws_secret_access_key=ci-secret\naws_session_token=tok\n[sso]\nsso_start_url = https://example\n"
	if err := os.WriteFile(file, []byte(ini), 0o600); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, emulator.AccessConfig{IAMCredentialsFile: file}, nil)
	base := e.iamAPI(t)
	got := echo(t, do(t, signedRequest(t, "GET", base+"/pets", nil, aws.Credentials{AccessKeyID: "AKIAALICE", SecretAccessKey: "alice-secret"}, "us-east-1", t0)))
	if got["userArn"] != "arn:aws:iam::000000000000:user/default" || !strings.HasPrefix(got["caller"], "AIDA") || got["accessKey"] != "AKIAALICE" {
		t.Errorf("identity %v", got)
	}
	echo(t, do(t, signedRequest(t, "GET", base+"/pets", nil, aws.Credentials{AccessKeyID: "AKIACI", SecretAccessKey: "ci-secret", SessionToken: "tok"}, "us-east-1", t0)))
	invalidToken := `{"message":"The security token included in the request is invalid."}`
	for name, c := range map[string]aws.Credentials{
		"unknown access key":  {AccessKeyID: "AKIAOTHER", SecretAccessKey: "test"},
		"wrong session token": {AccessKeyID: "AKIACI", SecretAccessKey: "ci-secret", SessionToken: "other"},
		"missing token":       {AccessKeyID: "AKIACI", SecretAccessKey: "ci-secret"},
	} {
		t.Run(name, func(t *testing.T) {
			wantDenied(t, do(t, signedRequest(t, "GET", base+"/pets", nil, c, "us-east-1", t0)), 403, invalidToken, "UnrecognizedClientException")
		})
	}
}

func TestIAMCredentialsInCode(t *testing.T) {
	e := newEnv(t, emulator.AccessConfig{IAMCredentials: []auth.Credential{
		{AccessKeyID: "AKIABOB", SecretAccessKey: "bob-secret", UserARN: "arn:aws:iam::111122223333:user/bob", UserID: "AIDABOB"},
	}}, nil)
	base := e.iamAPI(t)
	got := echo(t, do(t, signedRequest(t, "GET", base+"/pets", nil, aws.Credentials{AccessKeyID: "AKIABOB", SecretAccessKey: "bob-secret"}, "us-east-1", t0)))
	if got["accountId"] != "111122223333" || got["caller"] != "AIDABOB" || got["userArn"] != "arn:aws:iam::111122223333:user/bob" {
		t.Errorf("identity %v", got)
	}
}

func TestLoadCredentialsFormats(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content string
		ok            bool
	}{
		{"json list", `[{"accessKeyId":"A","secretAccessKey":"s"}]`, true},
		{"json object", `{"credentials":[{"accessKeyId":"A","secretAccessKey":"s","userArn":"arn:aws:iam::1:user/x"}]}`, true},
		{"ini", "[p]\naws_access_key_id=A\naws_secret_access_key=s\n", true},
		{"empty", "", false},
		{"no secret", `[{"accessKeyId":"A"}]`, false},
		{"bad ini", "key=value\n", false},
		{"bad json", `[{`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_"))
			if err := os.WriteFile(f, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := auth.LoadCredentials(f, "000000000000")
			if (err == nil) != tt.ok {
				t.Errorf("LoadCredentials: %v, want ok=%v", err, tt.ok)
			}
		})
	}
	if _, err := auth.LoadCredentials(filepath.Join(dir, "missing"), "1"); err == nil {
		t.Error("a missing file loaded")
	}
}
