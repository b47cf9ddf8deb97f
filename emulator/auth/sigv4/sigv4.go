// Package sigv4 verifies AWS Signature Version 4 on incoming requests, as API Gateway does
// for methods with AWS_IAM authorization: the Authorization header form and the presigned
// query-string form, the credential scope, the ±5 minute clock skew, and the signature
// itself, recomputed from the canonical request the way the AWS SDKs build it (the path
// escaped once more, the query sorted and RFC 3986-encoded, the signed headers trimmed
// and joined). Failures carry AWS's own messages (reference/auth.md §3).
//
// Known differences from AWS: "Signature not yet current" and the presigned-URL expiry
// message follow other AWS front ends (not captured on execute-api); a presigned request's
// payload hash may be the body's SHA-256 or UNSIGNED-PAYLOAD; the path is not normalised
// (no removal of "." and ".." segments) before signing, as the Go SDK does not either.
package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Algorithm is the only signing algorithm accepted.
const Algorithm = "AWS4-HMAC-SHA256"

// TimeFormat is X-Amz-Date's ISO 8601 basic format.
const TimeFormat = "20060102T150405Z"

// MaxSkew is how far a request's date may be from the server's clock.
const MaxSkew = 5 * time.Minute

// UnsignedPayload is the payload hash of a request signed without its body.
const UnsignedPayload = "UNSIGNED-PAYLOAD"

// Kind classifies a verification failure.
type Kind int

// The kinds of failure, in the order a request is checked.
const (
	// Missing: no Authorization header and no presigned query.
	Missing Kind = iota
	// Incomplete: an Authorization header (or presigned query) that is not a complete
	// SigV4 signature (IncompleteSignatureException).
	Incomplete
	// BadScope: the credential scope names another region, service, terminator or date.
	BadScope
	// Expired: the request's date is more than MaxSkew before the server's clock, or a
	// presigned request's X-Amz-Expires has passed.
	Expired
	// NotYetCurrent: the request's date is more than MaxSkew after the server's clock.
	NotYetCurrent
	// UnknownKey: the access key (or its session token) is not known.
	UnknownKey
	// Mismatch: the signature does not match the request.
	Mismatch
)

// Error is a verification failure with AWS's message.
type Error struct {
	Kind    Kind
	Message string
}

// Error returns AWS's message.
func (e *Error) Error() string { return e.Message }

func fail(k Kind, msg string) *Error { return &Error{Kind: k, Message: msg} }

// The messages AWS sends (reference/auth.md §3).
const (
	msgMissing    = "Missing Authentication Token"
	msgUnknownKey = "The security token included in the request is invalid."
	msgMismatch   = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgQuery      = "AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders'. Re-examine the query-string parameters."
)

// ErrUnknownKey is the failure for an access key (or session token) the caller does not
// know.
func ErrUnknownKey() *Error { return fail(UnknownKey, msgUnknownKey) }

// Signature is a parsed SigV4 signature.
type Signature struct {
	AccessKeyID string
	// Date, Region, Service and Terminator are the credential scope.
	Date, Region, Service, Terminator string
	SignedHeaders                     []string
	Signature                         string
	// AmzDate is the request's date as X-Amz-Date writes it; Time is the same, parsed.
	AmzDate string
	Time    time.Time
	// DateSource names where the date came from ("X-Amz-Date" or "Date").
	DateSource   string
	SessionToken string
	// Presigned is set for the query-string form; Expires is its X-Amz-Expires (0: none).
	Presigned bool
	Expires   time.Duration
}

// hashed is how AWS echoes an unparsable Authorization header: SHA-256, base64.
func hashed(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// Parse finds and parses a request's signature: the Authorization header, else the
// presigned query string.
func Parse(r *http.Request) (*Signature, error) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		return parseHeader(r, auth)
	}
	q, _ := url.ParseQuery(rawQuery(r))
	if q.Get("X-Amz-Signature") == "" && q.Get("X-Amz-Algorithm") == "" && q.Get("X-Amz-Credential") == "" {
		return nil, fail(Missing, msgMissing)
	}
	return parseQuery(q)
}

func parseHeader(r *http.Request, auth string) (*Signature, error) {
	alg, rest, _ := strings.Cut(strings.TrimSpace(auth), " ")
	if strings.Contains(alg, "=") {
		return nil, fail(Incomplete, "Authorization header must begin with the algorithm name, which cannot include an equal-sign (hashed with SHA-256 and encoded with Base64): '"+hashed(auth)+"'.")
	}
	params := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			// Observed 2025–26 wording: the header is echoed hashed, not as sent.
			return nil, fail(Incomplete, "Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): '"+hashed(auth)+"'.")
		}
		params[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	var msg strings.Builder
	for _, p := range []string{"Credential", "Signature", "SignedHeaders"} {
		if params[p] == "" {
			msg.WriteString("Authorization header requires '" + p + "' parameter. ")
		}
	}
	amzDate, source := r.Header.Get("X-Amz-Date"), "X-Amz-Date"
	if amzDate == "" {
		if d := r.Header.Get("Date"); d != "" {
			source = "Date"
			if t, err := http.ParseTime(d); err == nil {
				amzDate = t.UTC().Format(TimeFormat)
			} else {
				amzDate = d
			}
		}
	}
	if amzDate == "" {
		msg.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	if msg.Len() > 0 {
		return nil, fail(Incomplete, msg.String()+"(Hashed with SHA-256 and encoded with Base64) Authorization="+hashed(auth))
	}
	if alg != Algorithm {
		return nil, fail(Incomplete, "Unsupported AWS 'algorithm': '"+alg+"'")
	}
	s := &Signature{Signature: params["Signature"], SessionToken: r.Header.Get("X-Amz-Security-Token")}
	if err := s.setCommon(params["Credential"], params["SignedHeaders"], amzDate, source); err != nil {
		return nil, err
	}
	return s, nil
}

func parseQuery(q url.Values) (*Signature, error) {
	for _, p := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders"} {
		if q.Get(p) == "" {
			return nil, fail(Incomplete, msgQuery)
		}
	}
	if alg := q.Get("X-Amz-Algorithm"); alg != Algorithm {
		return nil, fail(Incomplete, "Unsupported AWS 'algorithm': '"+alg+"'")
	}
	s := &Signature{Signature: q.Get("X-Amz-Signature"), SessionToken: q.Get("X-Amz-Security-Token"), Presigned: true}
	if e := q.Get("X-Amz-Expires"); e != "" {
		n, err := strconv.Atoi(e)
		if err != nil || n < 1 || n > 604800 {
			return nil, fail(Incomplete, "X-Amz-Expires must be non-negative and at most 604800 seconds: '"+e+"'")
		}
		s.Expires = time.Duration(n) * time.Second
	}
	if err := s.setCommon(q.Get("X-Amz-Credential"), q.Get("X-Amz-SignedHeaders"), q.Get("X-Amz-Date"), "X-Amz-Date"); err != nil {
		return nil, err
	}
	return s, nil
}

// setCommon fills the credential, signed headers and date.
func (s *Signature) setCommon(credential, signedHeaders, amzDate, source string) error {
	parts := strings.SplitN(credential, "/", 5)
	for len(parts) < 5 {
		parts = append(parts, "")
	}
	s.AccessKeyID, s.Date, s.Region, s.Service, s.Terminator = parts[0], parts[1], parts[2], parts[3], parts[4]
	s.SignedHeaders = strings.Split(signedHeaders, ";")
	s.AmzDate, s.DateSource = amzDate, source
	t, err := time.Parse(TimeFormat, amzDate)
	if err != nil {
		return fail(Incomplete, "Date must be in ISO-8601 'basic format'. Got '"+amzDate+"'. See http://en.wikipedia.org/wiki/ISO_8601")
	}
	s.Time = t
	return nil
}

// CheckScope checks the credential scope against the region and service the server
// answers for; each failed check adds one sentence, each ending in ". " (the trailing
// space is AWS's).
func (s *Signature) CheckScope(region, service string) error {
	var msg strings.Builder
	if s.Region != region {
		msg.WriteString("Credential should be scoped to a valid region. ")
	}
	if s.Service != service {
		msg.WriteString("Credential should be scoped to correct service: '" + service + "'. ")
	}
	if s.Terminator != "aws4_request" {
		msg.WriteString("Credential should be scoped with a valid terminator: 'aws4_request', not '" + s.Terminator + "'. ")
	}
	if day := s.AmzDate[:min(8, len(s.AmzDate))]; s.Date != day {
		msg.WriteString("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" + s.Date + "' != '" + day + "', from '" + s.DateSource + "'.")
	}
	if msg.Len() > 0 {
		return fail(BadScope, msg.String())
	}
	return nil
}

// CheckTime checks the request's date against the server's clock: within MaxSkew, or,
// for a presigned request with X-Amz-Expires, not past its expiry.
func (s *Signature) CheckTime(now time.Time) error {
	now = now.UTC().Truncate(time.Second)
	f := func(t time.Time) string { return t.Format(TimeFormat) }
	if s.Time.After(now.Add(MaxSkew)) {
		return fail(NotYetCurrent, "Signature not yet current: "+s.AmzDate+" is still later than "+f(now.Add(MaxSkew))+" ("+f(now)+" + 5 min.)")
	}
	if s.Presigned && s.Expires > 0 {
		if s.Time.Add(s.Expires).Before(now) {
			return fail(Expired, "Signature expired: "+s.AmzDate+" is now earlier than "+f(now.Add(-s.Expires))+" ("+f(now)+" - "+strconv.Itoa(int(s.Expires/time.Second))+" sec.)")
		}
		return nil
	}
	if s.Time.Before(now.Add(-MaxSkew)) {
		return fail(Expired, "Signature expired: "+s.AmzDate+" is now earlier than "+f(now.Add(-MaxSkew))+" ("+f(now)+" - 5 min.)")
	}
	return nil
}

// Verify recomputes the signature of r (whose body was body) with the secret key and
// compares it. A mismatch's message echoes the canonical request and string to sign, as
// execute-api does.
func (s *Signature) Verify(r *http.Request, body []byte, secret string) error {
	key := SigningKey(secret, s.Date, s.Region, s.Service)
	var first, firstSTS string
	for _, payload := range s.payloadHashes(r, body) {
		canonical := CanonicalRequest(r, s, payload)
		sts := StringToSign(s, canonical)
		if hmac.Equal([]byte(hex.EncodeToString(hmacSHA256(key, sts))), []byte(s.Signature)) {
			return nil
		}
		if first == "" {
			first, firstSTS = canonical, sts
		}
	}
	return fail(Mismatch, msgMismatch+"\n\nThe Canonical String for this request should have been\n'"+first+"'\n\nThe String-to-Sign should have been\n'"+firstSTS+"'\n")
}

// payloadHashes are the payload hashes to try: X-Amz-Content-Sha256 when the client sent
// it, else the body's; a presigned request may also have been signed UNSIGNED-PAYLOAD.
func (s *Signature) payloadHashes(r *http.Request, body []byte) []string {
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" {
		return []string{h}
	}
	sum := sha256.Sum256(body)
	hashes := []string{hex.EncodeToString(sum[:])}
	if s.Presigned {
		hashes = append(hashes, UnsignedPayload)
	}
	return hashes
}

// CanonicalRequest builds the canonical request of r for the signature s.
func CanonicalRequest(r *http.Request, s *Signature, payloadHash string) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(escapePath(rawPath(r)))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(rawQuery(r), s.Presigned))
	b.WriteByte('\n')
	for _, h := range s.SignedHeaders {
		b.WriteString(h)
		b.WriteByte(':')
		b.WriteString(headerValue(r, h))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(s.SignedHeaders, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// StringToSign is the string the signature signs.
func StringToSign(s *Signature, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	return Algorithm + "\n" + s.AmzDate + "\n" + s.Date + "/" + s.Region + "/" + s.Service + "/" + s.Terminator + "\n" + hex.EncodeToString(sum[:])
}

// SigningKey derives the signing key of a secret for a day, region and service.
func SigningKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// headerValue is a signed header's canonical value: host from the request line, the
// others' values trimmed, inner runs of spaces collapsed, joined with commas.
func headerValue(r *http.Request, name string) string {
	var vals []string
	switch name {
	case "host":
		vals = []string{r.Host}
	case "content-length":
		vals = r.Header.Values("Content-Length")
		if len(vals) == 0 && r.ContentLength >= 0 {
			vals = []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	default:
		vals = r.Header.Values(name)
	}
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = collapseSpaces(v)
	}
	return strings.Join(out, ",")
}

func collapseSpaces(v string) string {
	v = strings.TrimSpace(v)
	if !strings.Contains(v, "  ") {
		return v
	}
	var b strings.Builder
	space := false
	for i := 0; i < len(v); i++ {
		if v[i] == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// canonicalQuery sorts the query by name, then value, and encodes both per RFC 3986
// (the SDKs read "+" as a space). X-Amz-Signature of a presigned request is left out.
func canonicalQuery(raw string, presigned bool) string {
	q, _ := url.ParseQuery(raw)
	type pair struct{ k, v string }
	var pairs []pair
	for k, vs := range q {
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		ek := encodeComponent(k)
		for _, v := range vs {
			pairs = append(pairs, pair{ek, encodeComponent(v)})
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

func encodeComponent(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }

// escapePath escapes a raw (already percent-encoded) path once more, keeping "/" and
// RFC 3986's unreserved characters: the canonical URI of every service but S3.
func escapePath(p string) string {
	if p == "" {
		return "/"
	}
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '/' || c == '-' || c == '_' || c == '.' || c == '~' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// rawPath is the path as the client sent it, percent-encoding kept.
func rawPath(r *http.Request) string {
	u := r.RequestURI
	if i := strings.Index(u, "://"); i >= 0 && !strings.HasPrefix(u, "/") {
		// Absolute form (proxies): drop scheme and authority.
		u = u[i+3:]
		if j := strings.IndexByte(u, '/'); j >= 0 {
			u = u[j:]
		} else {
			u = "/"
		}
	}
	if u == "" {
		return r.URL.EscapedPath()
	}
	if i := strings.IndexByte(u, '?'); i >= 0 {
		u = u[:i]
	}
	return u
}

func rawQuery(r *http.Request) string {
	if r.URL != nil {
		return r.URL.RawQuery
	}
	return ""
}
