package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
)

// ResourcePolicy is a REST API's resource policy (RestApi.policy), compiled. Besides what
// authorizer policies have, its statements name a Principal and may carry Condition
// blocks; the operators IpAddress and NotIpAddress (aws:SourceIp) and
// String{Equals,NotEquals,Like,NotLike} (aws:SourceVpc, aws:SourceVpce,
// aws:PrincipalAccount, aws:PrincipalArn), each also with IfExists, are evaluated. A
// statement with another operator never applies. Resources may use API Gateway's
// shorthand "execute-api:/{stage}/{VERB}/{path}".
type ResourcePolicy struct {
	statements []resourceStatement
}

type resourceStatement struct {
	statement
	// anyone is set for Principal "*" or {"AWS": "*"}; else principals lists IAM ARNs
	// and account ids.
	anyone     bool
	principals []string
	conditions []condition
	// unsupported names a condition operator the emulator does not evaluate.
	unsupported string
}

// Caller is who is calling, as far as a resource policy cares.
type Caller struct {
	// ARN and Account are an IAM caller's; both empty for anonymous callers (no
	// authorization, Lambda or Cognito authorizers).
	ARN, Account string
	SourceIP     netip.Addr
}

// Target is where a resource policy applies: the API it belongs to, for the
// "execute-api:/..." shorthand.
type Target struct {
	Region, Account, APIID string
}

type rawResourceStatement struct {
	rawStatement
	Principal json.RawMessage                    `json:"Principal"`
	Condition map[string]map[string]stringOrList `json:"Condition"`
}

// ParseResource reads a resource policy document.
func ParseResource(doc []byte, t Target) (*ResourcePolicy, error) {
	list, err := statements[rawResourceStatement](doc)
	if err != nil {
		return nil, err
	}
	p := &ResourcePolicy{}
	prefix := "arn:aws:execute-api:" + t.Region + ":" + t.Account + ":" + t.APIID
	for i, rs := range list {
		for j, r := range rs.Resource {
			if rest, ok := strings.CutPrefix(r, "execute-api:"); ok {
				rs.Resource[j] = prefix + rest
			}
		}
		for j, r := range rs.NotResource {
			if rest, ok := strings.CutPrefix(r, "execute-api:"); ok {
				rs.NotResource[j] = prefix + rest
			}
		}
		s, err := compile(rs.rawStatement)
		if err != nil {
			return nil, invalid("statement %d: %v", i, err)
		}
		out := resourceStatement{statement: s}
		if err := out.parsePrincipal(rs.Principal); err != nil {
			return nil, invalid("statement %d: %v", i, err)
		}
		for op, keys := range rs.Condition {
			for key, values := range keys {
				c, ok := newCondition(op, key, values)
				if !ok {
					out.unsupported = op
				}
				out.conditions = append(out.conditions, c)
			}
		}
		p.statements = append(p.statements, out)
	}
	return p, nil
}

func (s *resourceStatement) parsePrincipal(raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return fmt.Errorf("no Principal")
	}
	var star string
	if json.Unmarshal(raw, &star) == nil {
		if star != "*" {
			return fmt.Errorf("principal %q: use \"*\" or {\"AWS\": ...}", star)
		}
		s.anyone = true
		return nil
	}
	var m map[string]stringOrList
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("principal: %v", err)
	}
	for _, p := range m["AWS"] {
		if p == "*" {
			s.anyone = true
		}
		s.principals = append(s.principals, p)
	}
	return nil
}

// Evaluate decides what the policy says about the caller invoking the method ARN.
func (p *ResourcePolicy) Evaluate(methodARN string, c Caller) Decision {
	arn := splitARN(methodARN)
	allowed := false
	for i := range p.statements {
		s := &p.statements[i]
		if s.unsupported != "" || !s.matches(arn) || !s.principal(c) || !s.conditionsHold(c) {
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

// Unsupported returns the condition operators of the policy the emulator does not
// evaluate (their statements never apply).
func (p *ResourcePolicy) Unsupported() []string {
	var out []string
	for _, s := range p.statements {
		if s.unsupported != "" {
			out = append(out, s.unsupported)
		}
	}
	return out
}

func (s *resourceStatement) principal(c Caller) bool {
	if s.anyone {
		return true
	}
	if c.ARN == "" {
		return false
	}
	for _, p := range s.principals {
		if p == c.ARN || p == c.Account || p == "arn:aws:iam::"+c.Account+":root" {
			return true
		}
	}
	return false
}

func (s *resourceStatement) conditionsHold(c Caller) bool {
	for _, cond := range s.conditions {
		if !cond.holds(c) {
			return false
		}
	}
	return true
}

// condition is one operator on one key.
type condition struct {
	ip, like, negated, ifExists bool
	key                         string
	values                      []string
	prefixes                    []netip.Prefix
}

func newCondition(op, key string, values []string) (condition, bool) {
	c := condition{key: strings.ToLower(key), values: values}
	base, ifExists := strings.CutSuffix(op, "IfExists")
	c.ifExists = ifExists
	switch base {
	case "IpAddress", "NotIpAddress":
		c.ip, c.negated = true, base == "NotIpAddress"
		for _, v := range values {
			if pr, err := netip.ParsePrefix(v); err == nil {
				c.prefixes = append(c.prefixes, pr.Masked())
			} else if a, err := netip.ParseAddr(v); err == nil {
				c.prefixes = append(c.prefixes, netip.PrefixFrom(a, a.BitLen()))
			}
		}
	case "StringEquals":
	case "StringNotEquals":
		c.negated = true
	case "StringLike":
		c.like = true
	case "StringNotLike":
		c.like, c.negated = true, true
	default:
		return c, false
	}
	return c, true
}

// value is a condition key's value for the caller; ok is false when the key is absent
// (no VPC locally, no principal for anonymous callers).
func (c condition) value(caller Caller) (string, bool) {
	switch c.key {
	case "aws:sourceip":
		return caller.SourceIP.String(), caller.SourceIP.IsValid()
	case "aws:principalaccount":
		return caller.Account, caller.Account != ""
	case "aws:principalarn":
		return caller.ARN, caller.ARN != ""
	}
	return "", false
}

// holds evaluates the condition with IAM's rules: a missing key fails a positive operator
// and satisfies a negated one; IfExists makes a missing key satisfy either.
func (c condition) holds(caller Caller) bool {
	v, ok := c.value(caller)
	if !ok {
		return c.ifExists || c.negated
	}
	match := false
	switch {
	case c.ip:
		if a, err := netip.ParseAddr(v); err == nil {
			a = a.Unmap()
			for _, p := range c.prefixes {
				match = match || p.Contains(a)
			}
		}
	case c.like:
		for _, want := range c.values {
			match = match || pattern(want).match(v)
		}
	default:
		for _, want := range c.values {
			match = match || want == v
		}
	}
	return match != c.negated
}
