package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

var signTime = time.Date(2026, 3, 18, 12, 5, 19, 0, time.UTC)

const (
	region  = "us-east-1"
	service = "execute-api"
	akid    = "AKIDEXAMPLE"
	secret  = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
)

// received is what the server saw of a request.
type received struct {
	r    *http.Request
	body []byte
}

// capture sends req to a loopback server and returns the server-side request.
func capture(t testing.TB, send func(base string) *http.Request) received {
	t.Helper()
	got := make(chan received, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- received{r, b}
	}))
	defer srv.Close()
	req := send(srv.URL)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return <-got
}

func payloadHash(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// signed builds a request signed by the SDK's signer.
func signed(t testing.TB, method, path, rawQuery string, body []byte, hdr http.Header, creds aws.Credentials, presign bool) func(string) *http.Request {
	return func(base string) *http.Request {
		req, err := http.NewRequest(method, base+path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.URL.RawQuery = rawQuery
		for k, v := range hdr {
			req.Header[k] = v
		}
		s := v4.NewSigner()
		if presign {
			u, h, err := s.PresignHTTP(context.Background(), creds, req, payloadHash(body), service, region, signTime)
			if err != nil {
				t.Fatal(err)
			}
			req2, _ := http.NewRequest(method, u, bytes.NewReader(body))
			for k, v := range h {
				if k != "Host" {
					req2.Header[k] = v
				}
			}
			return req2
		}
		if err := s.SignHTTP(context.Background(), creds, req, payloadHash(body), service, region, signTime); err != nil {
			t.Fatal(err)
		}
		return req
	}
}

var creds = aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret}

func verify(rc received, now time.Time, key string) error {
	s, err := Parse(rc.r)
	if err != nil {
		return err
	}
	if err := s.CheckScope(region, service); err != nil {
		return err
	}
	if err := s.CheckTime(now); err != nil {
		return err
	}
	return s.Verify(rc.r, rc.body, key)
}

func TestVerifySignedBySDK(t *testing.T) {
	tests := []struct {
		name, method, path, query string
		body                      []byte
		hdr                       http.Header
		creds                     aws.Credentials
		presign                   bool
	}{
		{name: "GET", method: "GET", path: "/_aws/execute-api/abc/prod/pets"},
		{name: "root", method: "GET", path: "/"},
		{name: "query", method: "GET", path: "/prod/pets", query: "b=2&a=1&a=0&sp=a%20b&plus=a+b&enc=%2F%3D&u=%C3%A9"},
		{name: "encoded path", method: "GET", path: "/prod/pets/a%20b/%C3%A9/x:y"},
		{name: "POST body", method: "POST", path: "/prod/pets", body: []byte(`{"name":"rex"}`), hdr: http.Header{"Content-Type": {"application/json"}}},
		{name: "extra headers", method: "PUT", path: "/prod/pets/1", body: []byte("x"), hdr: http.Header{"X-Custom": {"  a   b  "}, "X-Multi": {"1", "2"}}},
		{name: "session token", method: "GET", path: "/prod", creds: aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret, SessionToken: "tok/en="}},
		{name: "presigned", method: "GET", path: "/prod/pets", query: "q=1", presign: true},
		{name: "presigned with expiry", method: "GET", path: "/prod/pets", query: "X-Amz-Expires=900", presign: true},
		{name: "presigned with token", method: "DELETE", path: "/prod/pets/1", presign: true, creds: aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret, SessionToken: "t"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.creds
			if c.AccessKeyID == "" {
				c = creds
			}
			rc := capture(t, signed(t, tt.method, tt.path, tt.query, tt.body, tt.hdr, c, tt.presign))
			if err := verify(rc, signTime.Add(time.Minute), secret); err != nil {
				t.Fatalf("verify: %v", err)
			}
			s, _ := Parse(rc.r)
			if s.AccessKeyID != akid || s.Presigned != tt.presign || s.SessionToken != c.SessionToken {
				t.Errorf("parsed %+v", s)
			}
			if err := s.Verify(rc.r, rc.body, "other-secret"); err == nil || err.(*Error).Kind != Mismatch {
				t.Errorf("wrong secret: %v", err)
			}
		})
	}
}

func TestMismatchEchoesCanonicalRequest(t *testing.T) {
	rc := capture(t, signed(t, "GET", "/prod/pets", "a=1", nil, nil, creds, false))
	err := verify(rc, signTime, "wrong")
	e, ok := err.(*Error)
	if !ok || e.Kind != Mismatch {
		t.Fatalf("got %v", err)
	}
	host := rc.r.Host
	want := msgMismatch + "\n\nThe Canonical String for this request should have been\n'GET\n/prod/pets\na=1\nhost:" + host +
		"\nx-amz-date:20260318T120519Z\n\nhost;x-amz-date\n" + payloadHash(nil) + "'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20260318T120519Z\n20260318/us-east-1/execute-api/aws4_request\n"
	if !strings.HasPrefix(e.Message, want) || !strings.HasSuffix(e.Message, "'\n") {
		t.Errorf("message:\n%q\nwant prefix\n%q", e.Message, want)
	}
}

func request(t *testing.T, target string, hdr ...string) *http.Request {
	t.Helper()
	r := httptest.NewRequest("GET", target, nil)
	for _, h := range hdr {
		k, v, _ := strings.Cut(h, ": ")
		r.Header.Set(k, v)
	}
	return r
}

func TestParseErrors(t *testing.T) {
	bearer := "Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln"
	tests := []struct {
		name string
		r    *http.Request
		kind Kind
		msg  string
	}{
		{"nothing", request(t, "/prod/pets"), Missing, "Missing Authentication Token"},
		{"bearer token", request(t, "/prod/pets", "Authorization: "+bearer), Incomplete,
			"Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): '" + hashed(bearer) + "'."},
		{"bare word", request(t, "/prod/pets", "Authorization: Bearer"), Incomplete,
			"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. (Hashed with SHA-256 and encoded with Base64) Authorization=" + hashed("Bearer")},
		{"missing signature", request(t, "/p", "Authorization: AWS4-HMAC-SHA256 Credential=A/20260318/us-east-1/execute-api/aws4_request, SignedHeaders=host", "X-Amz-Date: 20260318T120519Z"), Incomplete,
			"Authorization header requires 'Signature' parameter. (Hashed with SHA-256 and encoded with Base64) Authorization=" + hashed("AWS4-HMAC-SHA256 Credential=A/20260318/us-east-1/execute-api/aws4_request, SignedHeaders=host")},
		{"other algorithm", request(t, "/p", "Authorization: AWS4-HMAC-SHA512 Credential=A/20260318/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=00", "X-Amz-Date: 20260318T120519Z"), Incomplete,
			"Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'"},
		{"bad date", request(t, "/p", "Authorization: AWS4-HMAC-SHA256 Credential=A/20260318/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=00", "X-Amz-Date: yesterday"), Incomplete,
			"Date must be in ISO-8601 'basic format'. Got 'yesterday'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{"presigned without signature", request(t, "/p?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=A"), Incomplete, msgQuery},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.r)
			e, ok := err.(*Error)
			if !ok || e.Kind != tt.kind || e.Message != tt.msg {
				t.Errorf("got %#v\nwant kind %d %q", err, tt.kind, tt.msg)
			}
		})
	}
}

func TestScopeAndTime(t *testing.T) {
	header := func(cred, date string) *http.Request {
		return request(t, "/p", "Authorization: AWS4-HMAC-SHA256 Credential="+cred+", SignedHeaders=host;x-amz-date, Signature=00", "X-Amz-Date: "+date)
	}
	scope := []struct {
		name, cred, msg string
	}{
		{"wrong region", "A/20260318/eu-west-1/execute-api/aws4_request", "Credential should be scoped to a valid region. "},
		{"wrong region and service", "A/20260318/eu-west-1/s3/aws4_request", "Credential should be scoped to a valid region. Credential should be scoped to correct service: 'execute-api'. "},
		{"wrong terminator", "A/20260318/us-east-1/execute-api/aws5", "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5'. "},
		{"short credential", "A", "Credential should be scoped to a valid region. Credential should be scoped to correct service: 'execute-api'. Credential should be scoped with a valid terminator: 'aws4_request', not ''. Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '' != '20260318', from 'X-Amz-Date'."},
		{"other day", "A/20260317/us-east-1/execute-api/aws4_request", "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260317' != '20260318', from 'X-Amz-Date'."},
	}
	for _, tt := range scope {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(header(tt.cred, "20260318T120519Z"))
			if err != nil {
				t.Fatal(err)
			}
			err = s.CheckScope(region, service)
			if e, ok := err.(*Error); !ok || e.Kind != BadScope || e.Message != tt.msg {
				t.Errorf("got %v\nwant %q", err, tt.msg)
			}
		})
	}
	now := time.Date(2024, 5, 22, 12, 10, 19, 0, time.UTC)
	times := []struct {
		name, date string
		kind       Kind
		msg        string
	}{
		{"in time", "20240522T121519Z", -1, ""},
		{"five minutes early", "20240522T120519Z", -1, ""},
		// The shape of AWS's message (reference/auth.md §3).
		{"expired", "20240522T115159Z", Expired, "Signature expired: 20240522T115159Z is now earlier than 20240522T120519Z (20240522T121019Z - 5 min.)"},
		{"in the future", "20240522T123000Z", NotYetCurrent, "Signature not yet current: 20240522T123000Z is still later than 20240522T121519Z (20240522T121019Z + 5 min.)"},
	}
	for _, tt := range times {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(header("A/20240522/us-east-1/execute-api/aws4_request", tt.date))
			if err != nil {
				t.Fatal(err)
			}
			err = s.CheckTime(now)
			if tt.kind < 0 {
				if err != nil {
					t.Errorf("got %v", err)
				}
				return
			}
			if e, ok := err.(*Error); !ok || e.Kind != tt.kind || e.Message != tt.msg {
				t.Errorf("got %v\nwant %q", err, tt.msg)
			}
		})
	}
	// A presigned request lives for its X-Amz-Expires.
	q := url.Values{"X-Amz-Algorithm": {Algorithm}, "X-Amz-Credential": {"A/20240522/us-east-1/execute-api/aws4_request"},
		"X-Amz-Date": {"20240522T120000Z"}, "X-Amz-SignedHeaders": {"host"}, "X-Amz-Signature": {"00"}, "X-Amz-Expires": {"900"}}
	s, err := Parse(request(t, "/p?"+q.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CheckTime(time.Date(2024, 5, 22, 12, 14, 0, 0, time.UTC)); err != nil {
		t.Errorf("within 900 s: %v", err)
	}
	err = s.CheckTime(time.Date(2024, 5, 22, 12, 16, 0, 0, time.UTC))
	if e, ok := err.(*Error); !ok || e.Message != "Signature expired: 20240522T120000Z is now earlier than 20240522T120100Z (20240522T121600Z - 900 sec.)" {
		t.Errorf("past 900 s: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20260318/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcd", "20260318T120519Z", "a=1")
	f.Add("Bearer x", "", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=%2F%2F%2F")
	f.Add("", "", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=A&X-Amz-Signature=0&X-Amz-Date=20260318T120519Z&X-Amz-SignedHeaders=host&X-Amz-Expires=9")
	f.Add("AWS4-HMAC-SHA256 ,,=,Credential==,Signature", "x", "%zz&&==")
	f.Fuzz(func(t *testing.T, auth, date, query string) {
		r := httptest.NewRequest("POST", "/p", strings.NewReader("body"))
		r.URL.RawQuery = query
		if auth != "" {
			r.Header["Authorization"] = []string{auth}
		}
		if date != "" {
			r.Header["X-Amz-Date"] = []string{date}
		}
		s, err := Parse(r)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		_ = s.CheckScope(region, service)
		_ = s.CheckTime(signTime)
		_ = s.Verify(r, []byte("body"), secret)
	})
}

// FuzzRoundTrip signs arbitrary paths, queries and header values with the SDK and checks
// that they verify.
func FuzzRoundTrip(f *testing.F) {
	f.Add("pets/a b", "k", "v w", "x  y", []byte("{}"))
	f.Add("é/%2F", "a+b", "=&", "", []byte(nil))
	f.Add("", "", "", "\t", []byte("x"))
	srvReq := make(chan received, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		srvReq <- received{r, b}
	}))
	f.Cleanup(srv.Close)
	f.Fuzz(func(t *testing.T, seg, key, value, hval string, body []byte) {
		u, err := url.Parse(srv.URL + "/prod/" + url.PathEscape(seg))
		if err != nil {
			t.Skip()
		}
		q := url.Values{}
		if key != "" {
			q.Set(key, value)
		}
		u.RawQuery = q.Encode()
		req, err := http.NewRequest("POST", u.String(), bytes.NewReader(body))
		if err != nil {
			t.Skip()
		}
		if hval != "" {
			if strings.ContainsAny(hval, "\r\n\x00") || strings.TrimSpace(hval) == "" {
				t.Skip()
			}
			req.Header.Set("X-Fuzz", hval)
		}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, payloadHash(body), service, region, signTime); err != nil {
			t.Skip()
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Skip()
		}
		resp.Body.Close()
		rc := <-srvReq
		if err := verify(rc, signTime, secret); err != nil {
			t.Errorf("request %s %q (header %q) signed by the SDK does not verify: %v", rc.r.Method, rc.r.RequestURI, hval, err)
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	rc := capture(b, signed(b, "GET", "/prod/pets/1", "a=1&b=2", nil, nil, creds, false))
	b.ReportAllocs()
	for b.Loop() {
		if err := verify(rc, signTime, secret); err != nil {
			b.Fatal(err)
		}
	}
}
