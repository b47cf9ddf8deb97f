// Package policy evaluates the IAM policy a Lambda authorizer returns against the ARN of
// the method being called, as API Gateway does: a statement applies when its Action covers
// execute-api:Invoke and its Resource matches the method ARN, where "*" matches any run of
// characters and "?" any one within an ARN part (the six parts split at the first five
// colons; the last part, api/stage/VERB/path, may contain slashes that "*" runs over); an
// explicit Deny wins over any Allow; without an Allow the call is denied.
//
// Known differences from AWS: Condition blocks are not evaluated (a statement with one
// applies as if the condition held); Effect is matched without regard to case; principal
// and resource-policy evaluation are out of scope here.
package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Decision is the outcome of evaluating a policy.
type Decision int

// The decisions.
const (
	// ImplicitDeny: no statement allows the call.
	ImplicitDeny Decision = iota
	// Allow: an Allow statement matches and no Deny does.
	Allow
	// ExplicitDeny: a Deny statement matches.
	ExplicitDeny
)

// String names the decision.
func (d Decision) String() string {
	switch d {
	case Allow:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	}
	return "ImplicitDeny"
}

// Action is the action API Gateway checks.
const Action = "execute-api:Invoke"

// Policy is a parsed policy document. It is immutable and safe for concurrent use.
type Policy struct {
	statements []statement
}

type statement struct {
	deny bool
	// notAction / notResource invert the match (IAM's NotAction, NotResource).
	notAction, notResource bool
	actions                []pattern
	resources              []arnPattern
}

// stringOrList is a JSON string or array of strings, as IAM policies allow for Action and
// Resource (and a statement or list of statements for Statement).
type stringOrList []string

// UnmarshalJSON reads a string or a list of strings.
func (s *stringOrList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var l []string
		if err := json.Unmarshal(b, &l); err != nil {
			return err
		}
		*s = l
		return nil
	}
	var one string
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	*s = []string{one}
	return nil
}

type rawStatement struct {
	Effect      string       `json:"Effect"`
	Action      stringOrList `json:"Action"`
	NotAction   stringOrList `json:"NotAction"`
	Resource    stringOrList `json:"Resource"`
	NotResource stringOrList `json:"NotResource"`
}

type rawPolicy struct {
	Version   string          `json:"Version"`
	Statement json.RawMessage `json:"Statement"`
}

// ErrInvalid marks a document that is not a usable policy; the authorizer's output is
// then a configuration error.
var ErrInvalid = errors.New("invalid policy document")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// statements reads a policy document's Statement, an object or a list of them.
func statements[S any](doc []byte) ([]S, error) {
	var raw rawPolicy
	if err := json.Unmarshal(doc, &raw); err != nil {
		return nil, invalid("%v", err)
	}
	st := bytes.TrimSpace(raw.Statement)
	if len(st) == 0 || bytes.Equal(st, []byte("null")) {
		return nil, invalid("no Statement")
	}
	if st[0] == '[' {
		var list []S
		if err := json.Unmarshal(st, &list); err != nil {
			return nil, invalid("Statement: %v", err)
		}
		return list, nil
	}
	var one S
	if err := json.Unmarshal(st, &one); err != nil {
		return nil, invalid("Statement: %v", err)
	}
	return []S{one}, nil
}

// Parse reads a policy document (Version, Statement as an object or a list) and
// compiles its patterns.
func Parse(doc []byte) (*Policy, error) {
	list, err := statements[rawStatement](doc)
	if err != nil {
		return nil, err
	}
	p := &Policy{statements: make([]statement, 0, len(list))}
	for i, rs := range list {
		s, err := compile(rs)
		if err != nil {
			return nil, invalid("statement %d: %v", i, err)
		}
		p.statements = append(p.statements, s)
	}
	return p, nil
}

func compile(rs rawStatement) (statement, error) {
	var s statement
	switch {
	case strings.EqualFold(rs.Effect, "Allow"):
	case strings.EqualFold(rs.Effect, "Deny"):
		s.deny = true
	default:
		return s, fmt.Errorf("Effect %q is neither Allow nor Deny", rs.Effect)
	}
	actions := rs.Action
	if len(rs.NotAction) > 0 {
		if len(actions) > 0 {
			return s, errors.New("both Action and NotAction")
		}
		actions, s.notAction = rs.NotAction, true
	}
	if len(actions) == 0 {
		return s, errors.New("no Action")
	}
	for _, a := range actions {
		// IAM action names are case-insensitive.
		s.actions = append(s.actions, pattern(strings.ToLower(a)))
	}
	resources := rs.Resource
	if len(rs.NotResource) > 0 {
		if len(resources) > 0 {
			return s, errors.New("both Resource and NotResource")
		}
		resources, s.notResource = rs.NotResource, true
	}
	if len(resources) == 0 {
		return s, errors.New("no Resource")
	}
	for _, r := range resources {
		s.resources = append(s.resources, compileARN(r))
	}
	return s, nil
}

// Evaluate decides whether the policy lets the caller invoke the method ARN.
func (p *Policy) Evaluate(methodARN string) Decision {
	arn := splitARN(methodARN)
	allowed := false
	for i := range p.statements {
		s := &p.statements[i]
		if !s.matches(arn) {
			continue
		}
		if s.deny {
			return ExplicitDeny
		}
		allowed = true
	}
	if allowed {
		return Allow
	}
	return ImplicitDeny
}

var invokeAction = strings.ToLower(Action)

func (s *statement) matches(arn [6]string) bool {
	action := false
	for _, a := range s.actions {
		if a.match(invokeAction) {
			action = true
			break
		}
	}
	if action == s.notAction {
		return false
	}
	resource := false
	for _, r := range s.resources {
		if r.match(arn) {
			resource = true
			break
		}
	}
	return resource != s.notResource
}

// arnPattern is a Resource split into ARN parts; all is set for a bare "*".
type arnPattern struct {
	all   bool
	parts [6]pattern
	valid bool
}

func compileARN(s string) arnPattern {
	if s == "*" {
		return arnPattern{all: true}
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 {
		return arnPattern{} // matches nothing
	}
	var p arnPattern
	for i, part := range parts {
		p.parts[i] = pattern(part)
	}
	p.valid = true
	return p
}

func (p arnPattern) match(arn [6]string) bool {
	if p.all {
		return true
	}
	if !p.valid {
		return false
	}
	for i := range p.parts {
		if !p.parts[i].match(arn[i]) {
			return false
		}
	}
	return true
}

// splitARN splits a method ARN into its six parts (missing parts are empty).
func splitARN(arn string) [6]string {
	var out [6]string
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(arn, ':')
		if j < 0 {
			out[i] = arn
			return out
		}
		out[i], arn = arn[:j], arn[j+1:]
	}
	out[5] = arn
	return out
}

// pattern is a glob: "*" matches any run of characters (slashes included), "?" any one
// character; everything else matches itself.
type pattern string

// match reports whether the whole of s matches the pattern. It runs in O(len(p)·len(s))
// at worst, with the usual backtrack-to-the-last-star algorithm.
func (p pattern) match(s string) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]) && p[pi] != '*':
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
