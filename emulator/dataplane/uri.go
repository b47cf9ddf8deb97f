package dataplane

import (
	"fmt"
	"strings"
)

// uriPartKind tells what one piece of an integration URI is.
type uriPartKind uint8

const (
	partLiteral  uriPartKind = iota
	partStageVar             // ${stageVariables.name}
	partParam                // {name}, filled from integration.request.path.name
)

type uriPart struct {
	kind uriPartKind
	text string // the literal, or the variable or parameter name
}

// URITemplate is an integration URI (or a piece of one, such as the function ARN of a
// Lambda URI) compiled once per deployment: literal text, ${stageVariables.x} references
// and, where the integration type fills them, {x} placeholders.
type URITemplate struct {
	// Source is the text as configured.
	Source string
	parts  []uriPart
	// static is set when the template has no variables: Expand returns Source.
	static bool
}

// parseURITemplate splits s at ${stageVariables.x}; with placeholders, {x} in the rest
// become parameters.
func parseURITemplate(s string, placeholders bool) *URITemplate {
	t := &URITemplate{Source: s}
	rest := s
	for rest != "" {
		i := strings.Index(rest, "${stageVariables.")
		lit := rest
		if i >= 0 {
			lit = rest[:i]
		}
		t.addLiteral(lit, placeholders)
		if i < 0 {
			break
		}
		rest = rest[i+len("${stageVariables."):]
		end := strings.IndexByte(rest, '}')
		if end < 0 {
			// Unterminated: AWS keeps such text as it is.
			t.addLiteral("${stageVariables."+rest, false)
			break
		}
		t.parts = append(t.parts, uriPart{kind: partStageVar, text: rest[:end]})
		rest = rest[end+1:]
	}
	t.static = true
	for _, p := range t.parts {
		if p.kind != partLiteral {
			t.static = false
		}
	}
	return t
}

func (t *URITemplate) addLiteral(s string, placeholders bool) {
	for s != "" {
		i := -1
		if placeholders {
			i = strings.IndexByte(s, '{')
		}
		if i < 0 {
			t.parts = append(t.parts, uriPart{kind: partLiteral, text: s})
			return
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			t.parts = append(t.parts, uriPart{kind: partLiteral, text: s})
			return
		}
		if i > 0 {
			t.parts = append(t.parts, uriPart{kind: partLiteral, text: s[:i]})
		}
		t.parts = append(t.parts, uriPart{kind: partParam, text: s[i+1 : i+end]})
		s = s[i+end+1:]
	}
}

// Params returns the names of the {x} placeholders.
func (t *URITemplate) Params() []string {
	var out []string
	for _, p := range t.parts {
		if p.kind == partParam {
			out = append(out, p.text)
		}
	}
	return out
}

// Expand fills the template: stage variables from vars (a missing one is empty, as AWS
// substitutes it) and placeholders from param, escaped for a URL path. A placeholder
// without a value is an error naming the mapping that would fill it.
func (t *URITemplate) Expand(vars map[string]string, param func(name string) (string, bool)) (string, error) {
	if t.static {
		return t.Source, nil
	}
	var b strings.Builder
	b.Grow(len(t.Source) + 16)
	for _, p := range t.parts {
		switch p.kind {
		case partLiteral:
			b.WriteString(p.text)
		case partStageVar:
			b.WriteString(vars[p.text])
		case partParam:
			v, ok := "", false
			if param != nil {
				v, ok = param(p.text)
			}
			if !ok {
				return "", fmt.Errorf("the integration URI %s has the placeholder {%s} but no integration.request.path.%s is mapped", t.Source, p.text, p.text)
			}
			b.WriteString(escapePathValue(v))
		}
	}
	return b.String(), nil
}

// escapePathValue escapes what may not appear in a URL path and keeps what may, including
// '/' and existing %XX escapes, so a greedy path parameter (still encoded as sent) and a
// decoded {id} value both come out right.
func escapePathValue(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if !pathByteOK(s, i) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		if pathByteOK(s, i) {
			b.WriteByte(s[i])
			continue
		}
		c := s[i]
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func pathByteOK(s string, i int) bool {
	c := s[i]
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	case c == '%':
		return i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2])
	}
	return strings.IndexByte("-._~/!$&'()*+,;=:@", c) >= 0
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// AWSTarget is a parsed AWS integration URI:
// arn:aws:apigateway:{region}:{service}:action/{Action}[?query] or
// arn:aws:apigateway:{region}:{service}:path/{path}.
type AWSTarget struct {
	// Region is the region of the ARN ("" when the ARN leaves it out).
	Region string
	// Service is the service part as written: sqs, states, dynamodb, runtime.sagemaker.
	Service string
	// Action and ActionQuery are set for action/ URIs.
	Action      string
	ActionQuery string
	// Path is set for path/ URIs: the path below the service endpoint, with {x}
	// placeholders.
	Path *URITemplate
	// Function is set for Lambda invocation URIs
	// (lambda:path/2015-03-31/functions/{functionArn}/invocations): the function ARN or
	// name, which may hold stage variables.
	Function *URITemplate
}

// parseAWSTarget parses an AWS or AWS_PROXY integration URI; ok is false when it is not an
// API Gateway service ARN.
func parseAWSTarget(uri string) (*AWSTarget, bool) {
	parts := strings.SplitN(uri, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[2] != "apigateway" {
		return nil, false
	}
	t := &AWSTarget{Region: parts[3], Service: parts[4]}
	kind, rest, ok := strings.Cut(parts[5], "/")
	if !ok || rest == "" {
		return nil, false
	}
	switch kind {
	case "action":
		t.Action, t.ActionQuery, _ = strings.Cut(rest, "?")
	case "path":
		if t.Service == "lambda" {
			const prefix, suffix = "2015-03-31/functions/", "/invocations"
			if fn, ok := strings.CutPrefix(rest, prefix); ok && strings.HasSuffix(fn, suffix) && len(fn) > len(suffix) {
				t.Function = parseURITemplate(strings.TrimSuffix(fn, suffix), false)
				return t, true
			}
		}
		t.Path = parseURITemplate(rest, true)
	default:
		return nil, false
	}
	return t, true
}

// SigningName is the SigV4 service name of the target: the part after the last dot of the
// service (runtime.sagemaker signs as sagemaker).
func (t *AWSTarget) SigningName() string {
	if i := strings.LastIndexByte(t.Service, '.'); i >= 0 {
		return t.Service[i+1:]
	}
	return t.Service
}
