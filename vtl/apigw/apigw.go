// Package apigw renders API Gateway (REST API) mapping templates: Velocity
// templates with $input, $util, $context and $stageVariables bound as API
// Gateway binds them.
//
// Behaviour follows shared/reference/vtl.md, which records observations of
// AWS. Choices where AWS is unobserved or ambiguous:
//
//   - $input.body of an empty request is "{}", and $input.path/$input.json
//     treat it as {}. A body that is not JSON and does not start with '{',
//     '[' or '"' is read as one JSON string (json-smart's permissive mode reads
//     bare text so); a broken JSON object or array fails the render.
//   - $input.json of a path that matches nothing is "" (LocalStack's
//     observed behaviour); of a JSON null it is "null". Objects are written
//     compactly ({"a":1}, as console captures of the passthrough template
//     show) in document order; strings escape control
//     characters, U+007F–U+009F and U+2000–U+20FF as \uXXXX (json-smart).
//     A list printed by a template (a JSON array from $input.path) is written
//     the same way but also escapes '/' as "\/", as json-smart's
//     JSONArray.toString does.
//   - $input.params(name) looks in path, then querystring, then header
//     parameters, with exact, case-sensitive names, and gives "" when absent.
//     When the data plane passes a name twice the later value wins, in the
//     maps of $input.params() and in $input.params(name) alike.
//   - $util functions given a non-string argument use its toString; given
//     null they return null (rendered as nothing). base64Decode accepts
//     missing padding and ignores whitespace; other bad input fails.
//     urlDecode fails on a malformed %-escape, as Java's URLDecoder does.
//   - $context fields the caller leaves empty are null.
//     $context.authorizer.claims renders as nothing and compares equal to
//     null, but .claims.<prop> works.
//   - Writing the same $context.requestOverride / responseOverride parameter
//     twice in one template fails the render (AWS answers 5XX). A
//     responseOverride.status counts only as an integer 100–599 (a string of
//     digits is accepted too).
//   - Templates over 300 KiB are rejected by Compile.
//
// The "Method Request passthrough" template renders byte for byte as in
// captured console test invocations (testdata/golden/reference), which
// confirms the Velocity 1.7 whitespace rules package vtl implements.
//
// See package vtl for the language itself.
package apigw

import (
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/apigw-local/apigw-local/vtl"
	"github.com/apigw-local/apigw-local/vtl/jsonpath"
)

// MaxTemplateSize is API Gateway's limit on the size of a mapping template.
const MaxTemplateSize = 300 << 10

// MaxIterations is API Gateway's limit on iterations of one #foreach loop.
const MaxIterations = 1000

// Template is a compiled mapping template, safe for concurrent Render.
type Template struct {
	t     *vtl.Template
	paths sync.Map // JSONPath text → *jsonpath.Path or error
	npath atomic.Int32
	hint  atomic.Int64
}

// maxCachedPaths bounds the JSONPaths a template caches; paths built at
// render time beyond it are compiled on each use.
const maxCachedPaths = 256

// Compile parses a mapping template once (size limit applied); safe for
// concurrent Render.
func Compile(name, src string) (*Template, error) {
	if len(src) > MaxTemplateSize {
		return nil, &vtl.Error{Name: name, Line: 1, Col: 1,
			Msg: fmt.Sprintf("mapping template is %d bytes; API Gateway allows at most %d", len(src), MaxTemplateSize)}
	}
	t, err := vtl.Parse(name, src)
	if err != nil {
		return nil, err
	}
	return &Template{t: t}, nil
}

// Source returns the template text.
func (t *Template) Source() string { return t.t.Source() }

// Param is one name and value, kept in the order the data plane gives.
type Param struct{ Name, Value string }

// Request is everything one render sees. Slices keep the order the data
// plane gives (iteration order of $input.params() maps follows it).
type Request struct {
	// Body is the payload: $input.body ("{}" when empty), $input.json,
	// $input.path. Render reads it in place, so it must not change while
	// Render runs; nothing returned refers to it.
	Body           []byte
	Path           []Param // $input.params().path
	QueryString    []Param // $input.params().querystring (single value per name)
	Header         []Param // $input.params().header
	StageVariables []Param // $stageVariables
	Context        *Context
	// Overrides already set earlier in the same request (a MOCK request
	// template's responseOverride is readable in the response template).
	// May be nil.
	Overrides *Overrides
}

// Context holds the $context variables.
type Context struct {
	AccountID, APIID, AWSEndpointRequestID, DeploymentID, DomainName, DomainPrefix, ExtendedRequestID,
	HTTPMethod, Path, Protocol, RequestID, RequestTime, ResourceID, ResourcePath, Stage,
	WAFResponseCode, WebACLArn, OperationName string
	RequestTimeEpoch int64
	Identity         Identity
	// Authorizer holds $context.authorizer.<key>, principalId included,
	// with values already stringified.
	Authorizer []Param
	// AuthorizerClaims holds $context.authorizer.claims.<prop>.
	AuthorizerClaims []Param
	Error            ErrorContext
}

// Identity holds $context.identity.
type Identity struct {
	AccountID, APIKey, APIKeyID, Caller, CognitoAuthenticationProvider, CognitoAuthenticationType,
	CognitoIdentityID, CognitoIdentityPoolID, PrincipalOrgID, SourceIP, User, UserAgent, UserArn,
	AccessKey string
	ClientCert *ClientCert // nil without mutual TLS
}

// ClientCert holds $context.identity.clientCert.
type ClientCert struct {
	ClientCertPem, SubjectDN, IssuerDN, SerialNumber string
	NotBefore, NotAfter                              string // validity.notBefore, validity.notAfter
}

// ErrorContext holds $context.error.
type ErrorContext struct {
	Message               string // $context.error.message
	MessageString         string // $context.error.messageString: the message quoted as JSON (derived from Message when empty)
	ResponseType          string
	ValidationErrorString string
}

// Overrides are what templates wrote to $context.requestOverride.* and
// $context.responseOverride.*.
type Overrides struct {
	RequestHeader      map[string][]string // a list value sets a multi-value header
	RequestPath        map[string]string
	RequestQueryString map[string]string
	ResponseStatus     int // 0 = not set; only integers 100–599 count
	ResponseHeader     map[string]string
	// RequestOther and ResponseOther keep anything else written under
	// requestOverride or responseOverride (reference E12), as strings.
	RequestOther  map[string]string
	ResponseOther map[string]string
}

// Result is the output of a render.
type Result struct {
	Body []byte
	// Overrides is nil if the template set none; otherwise it holds all the
	// overrides of the request so far, those from Request.Overrides included.
	Overrides *Overrides
}

// Render renders the template for one request. It never panics; errors
// carry name:line:col.
func (t *Template) Render(req *Request) (res *Result, err error) {
	defer func() {
		if e := recover(); e != nil {
			res, err = nil, fmt.Errorf("%s: internal error rendering template: %v\n%s", t.t.Name(), e, debug.Stack())
		}
	}()
	if req == nil {
		req = &Request{}
	}
	e := newEnv(t, req)
	defer e.release()
	hint := t.hint.Load()
	out, err := t.t.Render(make([]byte, 0, hint+hint/8+64), e, vtl.Limits{MaxIterations: MaxIterations})
	if err != nil {
		return nil, err
	}
	if int64(len(out)) > hint {
		t.hint.Store(int64(len(out)))
	}
	res = &Result{Body: out}
	if e.ovr.changed {
		res.Overrides = e.ovr.result()
	}
	return res, nil
}

// path returns the compiled JSONPath for text, caching it.
func (t *Template) path(text string) (*jsonpath.Path, error) {
	if v, ok := t.paths.Load(text); ok {
		if p, ok := v.(*jsonpath.Path); ok {
			return p, nil
		}
		return nil, v.(error)
	}
	p, err := jsonpath.Compile(text)
	if t.npath.Add(1) <= maxCachedPaths {
		if err != nil {
			t.paths.Store(text, err)
		} else {
			t.paths.Store(text, p)
		}
	}
	return p, err
}
