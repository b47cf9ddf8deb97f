package openapi

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// The x-amazon-apigateway-* extensions of REST APIs (API Gateway developer guide, "OpenAPI
// extensions to API Gateway").
const (
	extAnyMethod              = "x-amazon-apigateway-any-method"
	extAPIKeySource           = "x-amazon-apigateway-api-key-source"
	extAuth                   = "x-amazon-apigateway-auth"
	extAuthorizer             = "x-amazon-apigateway-authorizer"
	extAuthType               = "x-amazon-apigateway-authtype"
	extBinaryMediaTypes       = "x-amazon-apigateway-binary-media-types"
	extDocumentation          = "x-amazon-apigateway-documentation"
	extEndpointConfiguration  = "x-amazon-apigateway-endpoint-configuration"
	extGatewayResponses       = "x-amazon-apigateway-gateway-responses"
	extIntegration            = "x-amazon-apigateway-integration"
	extMinimumCompressionSize = "x-amazon-apigateway-minimum-compression-size"
	extPolicy                 = "x-amazon-apigateway-policy"
	extRequestValidator       = "x-amazon-apigateway-request-validator"
	extRequestValidators      = "x-amazon-apigateway-request-validators"
	extPrefix                 = "x-amazon-apigateway-"
)

// httpAPIOnly are extensions API Gateway defines for HTTP APIs only; a REST API import
// ignores them.
var httpAPIOnly = []string{
	"x-amazon-apigateway-cors", "x-amazon-apigateway-importexport-version",
	"x-amazon-apigateway-tag-value", "x-amazon-apigateway-integrations",
}

// ext reads one extension object. The first problem is kept in err; the reader's accessors
// return zero values afterwards, so a caller checks err once at the end.
type ext struct {
	name string         // the extension, e.g. x-amazon-apigateway-integration
	at   string         // where it is, e.g. paths['/pets'].get
	m    map[string]any // its members
	seen map[string]bool
	err  error
}

// newExt wraps an extension value, which must be an object.
func newExt(name, at string, v any) *ext {
	e := &ext{name: name, at: at, seen: map[string]bool{}}
	m, ok := v.(map[string]any)
	if !ok {
		e.fail("must be an object, not %s", describe(v))
		return e
	}
	e.m = m
	return e
}

func (e *ext) fail(format string, args ...any) {
	if e.err == nil {
		e.err = invalidInput("%s at %s: %s.", e.name, orRoot(e.at), fmt.Sprintf(format, args...))
	}
}

func (e *ext) get(key string) (any, bool) {
	if e.err != nil || e.m == nil {
		return nil, false
	}
	e.seen[key] = true
	v, ok := e.m[key]
	return v, ok && v != nil
}

// unknown lists the members no accessor asked for, sorted.
func (e *ext) unknown() []string {
	var out []string
	for _, k := range sortedKeys(e.m) {
		if !e.seen[k] {
			out = append(out, k)
		}
	}
	return out
}

// str reads a string member; numbers and booleans are taken as their text.
func (e *ext) str(key string) string {
	v, ok := e.get(key)
	if !ok {
		return ""
	}
	s, err := asString(v)
	if err != nil {
		e.fail("'%s' %v", key, err)
	}
	return s
}

// integer reads a whole number member, also when written as a string.
func (e *ext) integer(key string) *int {
	v, ok := e.get(key)
	if !ok {
		return nil
	}
	n, err := asInt(v)
	if err != nil {
		e.fail("'%s' %v", key, err)
		return nil
	}
	return &n
}

// boolean reads a boolean member, also when written "true" or "false".
func (e *ext) boolean(key string) bool {
	v, ok := e.get(key)
	if !ok {
		return false
	}
	b, err := asBool(v)
	if err != nil {
		e.fail("'%s' %v", key, err)
	}
	return b
}

// strMap reads an object of strings. Values that are objects or arrays are kept as their
// JSON text: mapping templates written as YAML objects mean that JSON.
func (e *ext) strMap(key string) map[string]string {
	v, ok := e.get(key)
	if !ok {
		return nil
	}
	m, isObj := v.(map[string]any)
	if !isObj {
		e.fail("'%s' must be an object, not %s", key, describe(v))
		return nil
	}
	out := make(map[string]string, len(m))
	for k, x := range m {
		switch x.(type) {
		case map[string]any, []any:
			out[k] = marshalJSON(x)
			continue
		}
		s, err := asString(x)
		if err != nil {
			e.fail("'%s.%s' %v", key, k, err)
			return nil
		}
		out[k] = s
	}
	return out
}

// strList reads an array of strings; a single string is a list of one.
func (e *ext) strList(key string) []string {
	v, ok := e.get(key)
	if !ok {
		return nil
	}
	if s, isStr := v.(string); isStr {
		return []string{s}
	}
	list, isList := v.([]any)
	if !isList {
		e.fail("'%s' must be an array of strings, not %s", key, describe(v))
		return nil
	}
	out := make([]string, 0, len(list))
	for i, x := range list {
		s, err := asString(x)
		if err != nil {
			e.fail("'%s[%d]' %v", key, i, err)
			return nil
		}
		out = append(out, s)
	}
	return out
}

// object reads an object member.
func (e *ext) object(key string) map[string]any {
	v, ok := e.get(key)
	if !ok {
		return nil
	}
	m, isObj := v.(map[string]any)
	if !isObj {
		e.fail("'%s' must be an object, not %s", key, describe(v))
		return nil
	}
	return m
}

// enum reads a string member that must be one of values (compared without case) and
// returns it upper-cased, the form the API uses.
func (e *ext) enum(key string, values ...string) string {
	s := e.str(key)
	if s == "" || e.err != nil {
		return s
	}
	for _, v := range values {
		if strings.EqualFold(s, v) {
			return strings.ToUpper(v)
		}
	}
	e.fail("'%s' is '%s'; valid values are %s", key, s, strings.Join(values, ", "))
	return ""
}

func asString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	case map[string]any:
		for k := range x {
			if strings.HasPrefix(k, "Fn::") || k == "Ref" {
				return "", fmt.Errorf("must be a string, not the CloudFormation function %s: resolve it before importing", k)
			}
		}
	}
	return "", fmt.Errorf("must be a string, not %s", describe(v))
}

func asInt(v any) (int, error) {
	var f float64
	switch x := v.(type) {
	case json.Number:
		var err error
		if f, err = x.Float64(); err != nil {
			return 0, fmt.Errorf("must be a number, not %q", x)
		}
	case float64:
		f = x
	case string:
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(x), 64); err != nil {
			return 0, fmt.Errorf("must be a number, not %q", x)
		}
	default:
		return 0, fmt.Errorf("must be a number, not %s", describe(v))
	}
	if f != math.Trunc(f) || f > math.MaxInt32 || f < math.MinInt32 {
		return 0, fmt.Errorf("must be a whole number, not %v", f)
	}
	return int(f), nil
}

func asBool(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		if b, err := strconv.ParseBool(strings.ToLower(strings.TrimSpace(x))); err == nil {
			return b, nil
		}
	}
	return false, fmt.Errorf("must be true or false, not %s", describe(v))
}

// extensions returns the x-amazon-apigateway-* members of an object that no handler
// claims, for "unsupported extension" warnings.
func unclaimed(m map[string]any, claimed ...string) []string {
	var out []string
	for _, k := range sortedKeys(m) {
		if strings.HasPrefix(k, extPrefix) && !slices.Contains(claimed, k) {
			out = append(out, k)
		}
	}
	return out
}
