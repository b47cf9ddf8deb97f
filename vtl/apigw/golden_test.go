package apigw

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/apigw-local/apigw-local/vtl/jsonpath"
)

var update = flag.Bool("update", false, "rewrite the want sections of golden files")

// goldenDir holds the golden cases of the whole vtl tree.
const goldenDir = "../testdata/golden"

// TestGolden renders every txtar case under testdata/golden. A case has
// template.vtl and optionally input.json, context.json; it expects want
// (the output), want.err (the error) and want.overrides (JSON). One final
// newline is trimmed from template.vtl and want, so a template that must
// end in a newline ends in a blank line.
func TestGolden(t *testing.T) {
	var files []string
	err := filepath.WalkDir(goldenDir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".txtar") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, path := range files {
		name, _ := filepath.Rel(goldenDir, path)
		t.Run(strings.TrimSuffix(name, ".txtar"), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			a := parseTxtar(data)
			got := runCase(t, a)
			if *update {
				for _, sec := range []string{"want", "want.err", "want.overrides"} {
					a.set(sec, got[sec])
				}
				if err := os.WriteFile(path, a.format(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, sec := range []string{"want", "want.err", "want.overrides"} {
				want, ok := a.get(sec)
				want = trimNL(want)
				if !ok && got[sec] == nil {
					continue
				}
				if g := string(got[sec]); g != string(want) || (got[sec] == nil) != !ok {
					t.Errorf("%s:\n got: %q\nwant: %q", sec, g, want)
				}
			}
		})
	}
}

func trimNL(b []byte) []byte { return bytes.TrimSuffix(b, []byte("\n")) }

// runCase renders a case and returns its sections; a nil section is absent.
func runCase(t *testing.T, a *archive) map[string][]byte {
	t.Helper()
	src, ok := a.get("template.vtl")
	if !ok {
		t.Fatal("no template.vtl section")
	}
	req := &Request{}
	if in, ok := a.get("input.json"); ok {
		if err := decodeInput(in, req); err != nil {
			t.Fatalf("input.json: %v", err)
		}
	}
	if c, ok := a.get("context.json"); ok {
		ctx, err := decodeContext(c)
		if err != nil {
			t.Fatalf("context.json: %v", err)
		}
		req.Context = ctx
	}
	out := map[string][]byte{}
	tmpl, err := Compile("template.vtl", string(trimNL(src)))
	if err != nil {
		out["want.err"] = []byte(err.Error())
		return out
	}
	res, err := tmpl.Render(req)
	if err != nil {
		out["want.err"] = []byte(err.Error())
		return out
	}
	out["want"] = res.Body
	if res.Overrides != nil {
		b, err := json.MarshalIndent(overridesJSON(res.Overrides), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		out["want.overrides"] = b
	}
	return out
}

// decodeInput reads input.json: body (a string is the raw payload, any other
// JSON value is the payload as written), path, querystring, header and
// stageVariables (objects, in order), overrides (as in want.overrides).
func decodeInput(data []byte, req *Request) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	if b, ok := raw["body"]; ok {
		var s string
		if json.Unmarshal(b, &s) == nil {
			req.Body = []byte(s)
		} else {
			req.Body = b
		}
	}
	for key, dst := range map[string]*[]Param{"path": &req.Path, "querystring": &req.QueryString,
		"header": &req.Header, "stageVariables": &req.StageVariables} {
		if b, ok := raw[key]; ok {
			ps, err := decodeParams(b)
			if err != nil {
				return fmt.Errorf("%s: %v", key, err)
			}
			*dst = ps
		}
	}
	if b, ok := raw["overrides"]; ok {
		var o overridesDoc
		if err := json.Unmarshal(b, &o); err != nil {
			return err
		}
		req.Overrides = o.overrides()
	}
	return nil
}

// decodeParams reads a JSON object into parameters in order, repeated
// names included; values that are not strings keep their JSON text.
func decodeParams(b []byte) ([]Param, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("want an object")
	}
	var ps []Param
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		v, err := jsonpath.ParseJSON(raw)
		if err != nil {
			return nil, err
		}
		ps = append(ps, Param{k.(string), jsonpath.Render(v)})
	}
	return ps, nil
}

// decodeContext reads context.json, which uses $context's own names.
func decodeContext(data []byte) (*Context, error) {
	var c struct {
		AccountID            string `json:"accountId"`
		APIID                string `json:"apiId"`
		AWSEndpointRequestID string `json:"awsEndpointRequestId"`
		DeploymentID         string `json:"deploymentId"`
		DomainName           string `json:"domainName"`
		DomainPrefix         string `json:"domainPrefix"`
		ExtendedRequestID    string `json:"extendedRequestId"`
		HTTPMethod           string `json:"httpMethod"`
		Path                 string `json:"path"`
		Protocol             string `json:"protocol"`
		RequestID            string `json:"requestId"`
		RequestTime          string `json:"requestTime"`
		RequestTimeEpoch     int64  `json:"requestTimeEpoch"`
		ResourceID           string `json:"resourceId"`
		ResourcePath         string `json:"resourcePath"`
		Stage                string `json:"stage"`
		WAFResponseCode      string `json:"wafResponseCode"`
		WebACLArn            string `json:"webaclArn"`
		OperationName        string `json:"operationName"`
		Identity             struct {
			AccountID                     string `json:"accountId"`
			APIKey                        string `json:"apiKey"`
			APIKeyID                      string `json:"apiKeyId"`
			Caller                        string `json:"caller"`
			CognitoAuthenticationProvider string `json:"cognitoAuthenticationProvider"`
			CognitoAuthenticationType     string `json:"cognitoAuthenticationType"`
			CognitoIdentityID             string `json:"cognitoIdentityId"`
			CognitoIdentityPoolID         string `json:"cognitoIdentityPoolId"`
			PrincipalOrgID                string `json:"principalOrgId"`
			SourceIP                      string `json:"sourceIp"`
			User                          string `json:"user"`
			UserAgent                     string `json:"userAgent"`
			UserArn                       string `json:"userArn"`
			AccessKey                     string `json:"accessKey"`
			ClientCert                    *struct {
				ClientCertPem string `json:"clientCertPem"`
				SubjectDN     string `json:"subjectDN"`
				IssuerDN      string `json:"issuerDN"`
				SerialNumber  string `json:"serialNumber"`
				Validity      struct {
					NotBefore string `json:"notBefore"`
					NotAfter  string `json:"notAfter"`
				} `json:"validity"`
			} `json:"clientCert"`
		} `json:"identity"`
		Authorizer json.RawMessage `json:"authorizer"`
		Error      struct {
			Message               string `json:"message"`
			MessageString         string `json:"messageString"`
			ResponseType          string `json:"responseType"`
			ValidationErrorString string `json:"validationErrorString"`
		} `json:"error"`
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, err
	}
	ctx := &Context{AccountID: c.AccountID, APIID: c.APIID, AWSEndpointRequestID: c.AWSEndpointRequestID,
		DeploymentID: c.DeploymentID, DomainName: c.DomainName, DomainPrefix: c.DomainPrefix,
		ExtendedRequestID: c.ExtendedRequestID, HTTPMethod: c.HTTPMethod, Path: c.Path, Protocol: c.Protocol,
		RequestID: c.RequestID, RequestTime: c.RequestTime, RequestTimeEpoch: c.RequestTimeEpoch,
		ResourceID: c.ResourceID, ResourcePath: c.ResourcePath, Stage: c.Stage, WAFResponseCode: c.WAFResponseCode,
		WebACLArn: c.WebACLArn, OperationName: c.OperationName,
		Error: ErrorContext(c.Error)}
	id := c.Identity
	ctx.Identity = Identity{AccountID: id.AccountID, APIKey: id.APIKey, APIKeyID: id.APIKeyID, Caller: id.Caller,
		CognitoAuthenticationProvider: id.CognitoAuthenticationProvider, CognitoAuthenticationType: id.CognitoAuthenticationType,
		CognitoIdentityID: id.CognitoIdentityID, CognitoIdentityPoolID: id.CognitoIdentityPoolID,
		PrincipalOrgID: id.PrincipalOrgID, SourceIP: id.SourceIP, User: id.User, UserAgent: id.UserAgent,
		UserArn: id.UserArn, AccessKey: id.AccessKey}
	if cc := id.ClientCert; cc != nil {
		ctx.Identity.ClientCert = &ClientCert{ClientCertPem: cc.ClientCertPem, SubjectDN: cc.SubjectDN,
			IssuerDN: cc.IssuerDN, SerialNumber: cc.SerialNumber, NotBefore: cc.Validity.NotBefore, NotAfter: cc.Validity.NotAfter}
	}
	if len(c.Authorizer) > 0 {
		v, err := jsonpath.ParseJSON(c.Authorizer)
		if err != nil {
			return nil, err
		}
		o, _ := v.(*jsonpath.Object)
		for i, k := range o.Keys {
			if k == "claims" {
				if co, ok := o.Values[i].(*jsonpath.Object); ok {
					for j, ck := range co.Keys {
						ctx.AuthorizerClaims = append(ctx.AuthorizerClaims, Param{ck, jsonpath.Render(co.Values[j])})
					}
				}
				continue
			}
			ctx.Authorizer = append(ctx.Authorizer, Param{k, jsonpath.Render(o.Values[i])})
		}
	}
	return ctx, nil
}

// overridesDoc is Overrides in JSON, for input.json and want.overrides.
type overridesDoc struct {
	RequestHeader      map[string][]string `json:"requestHeader,omitempty"`
	RequestPath        map[string]string   `json:"requestPath,omitempty"`
	RequestQueryString map[string]string   `json:"requestQueryString,omitempty"`
	ResponseStatus     int                 `json:"responseStatus,omitempty"`
	ResponseHeader     map[string]string   `json:"responseHeader,omitempty"`
	RequestOther       map[string]string   `json:"requestOther,omitempty"`
	ResponseOther      map[string]string   `json:"responseOther,omitempty"`
}

func overridesJSON(o *Overrides) overridesDoc { return overridesDoc(*o) }

func (d overridesDoc) overrides() *Overrides { o := Overrides(d); return &o }

// archive is a txtar archive: a comment, then files introduced by
// "-- name --" lines.
type archive struct {
	comment []byte
	files   []txtarFile
}

type txtarFile struct {
	name string
	data []byte
}

func parseTxtar(data []byte) *archive {
	a := &archive{}
	var cur *txtarFile
	for len(data) > 0 {
		line := data
		rest := []byte(nil)
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, rest = data[:i+1], data[i+1:]
		}
		data = rest
		trimmed := bytes.TrimRight(line, "\r\n")
		if name, ok := marker(trimmed); ok {
			a.files = append(a.files, txtarFile{name: name})
			cur = &a.files[len(a.files)-1]
			continue
		}
		if cur == nil {
			a.comment = append(a.comment, line...)
		} else {
			cur.data = append(cur.data, line...)
		}
	}
	return a
}

func marker(line []byte) (string, bool) {
	if !bytes.HasPrefix(line, []byte("-- ")) || !bytes.HasSuffix(line, []byte(" --")) || len(line) < 7 {
		return "", false
	}
	return strings.TrimSpace(string(line[3 : len(line)-3])), true
}

func (a *archive) get(name string) ([]byte, bool) {
	for _, f := range a.files {
		if f.name == name {
			return f.data, true
		}
	}
	return nil, false
}

// set replaces (or with nil data removes) a section; new ones go last.
func (a *archive) set(name string, data []byte) {
	for i, f := range a.files {
		if f.name == name {
			if data == nil {
				a.files = append(a.files[:i], a.files[i+1:]...)
			} else {
				a.files[i].data = withNL(data)
			}
			return
		}
	}
	if data != nil {
		a.files = append(a.files, txtarFile{name, withNL(data)})
	}
}

// withNL adds the newline the reader trims from want.
func withNL(b []byte) []byte { return append(append([]byte(nil), b...), '\n') }

func (a *archive) format() []byte {
	var b bytes.Buffer
	b.Write(a.comment)
	order := map[string]int{"template.vtl": 0, "input.json": 1, "context.json": 2, "want": 3, "want.err": 4, "want.overrides": 5}
	sort.SliceStable(a.files, func(i, j int) bool { return rank(order, a.files[i].name) < rank(order, a.files[j].name) })
	for _, f := range a.files {
		fmt.Fprintf(&b, "-- %s --\n", f.name)
		b.Write(f.data)
		if len(f.data) > 0 && f.data[len(f.data)-1] != '\n' {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

func rank(order map[string]int, name string) int {
	if r, ok := order[name]; ok {
		return r
	}
	return len(order)
}
