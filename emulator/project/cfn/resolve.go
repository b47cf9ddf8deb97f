package cfn

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Refs answers Ref and Fn::GetAtt for the template's resources.
type Refs interface {
	// Ref returns what Ref of a resource evaluates to; ok is false when the template has no
	// resource of that logical id.
	Ref(logicalID string) (value string, ok bool, err error)
	// GetAtt returns an attribute of a resource, or an error saying what is wrong (no such
	// resource, or an attribute the resource does not have).
	GetAtt(logicalID, attribute string) (string, error)
}

// Options configure a Resolver.
type Options struct {
	// Region, AccountID and StackName are what AWS::Region, AWS::AccountId and
	// AWS::StackName evaluate to.
	Region, AccountID, StackName string
	// Overrides are parameter values given on the command line; they win over Defaults.
	Overrides map[string]string
	// Refs answers Ref and Fn::GetAtt of resources; nil knows no resources.
	Refs Refs
	// Note receives what cannot be evaluated locally (where, what), once per place.
	Note func(where, msg string)
}

// Resolver evaluates the intrinsic functions of one template. It is not safe for
// concurrent use.
type Resolver struct {
	t      *Template
	opts   Options
	params map[string]*yaml.Node
	conds  map[string]*condState
	steps  int
}

type condState struct {
	busy, done bool
	value      bool
}

// NoValue is returned (as a nil node) by Resolve for AWS::NoValue: the caller drops the key
// or list item that held it.
var errNoValue = errors.New("AWS::NoValue")

// NewResolver reads the template's Parameters with opts.Overrides and checks them.
func NewResolver(t *Template, opts Options) (*Resolver, error) {
	r := &Resolver{t: t, opts: opts, params: map[string]*yaml.Node{}, conds: map[string]*condState{}}
	if r.opts.Region == "" {
		r.opts.Region = "us-east-1"
	}
	if r.opts.AccountID == "" {
		r.opts.AccountID = "000000000000"
	}
	if r.opts.StackName == "" {
		r.opts.StackName = "apigw-local"
	}
	if err := r.readParameters(); err != nil {
		return nil, err
	}
	return r, nil
}

// Template returns the template being resolved.
func (r *Resolver) Template() *Template { return r.t }

// SetRefs sets what answers Ref and Fn::GetAtt of resources.
func (r *Resolver) SetRefs(refs Refs) { r.opts.Refs = refs }

// Parameter returns a parameter's value (a string, or a list for list types).
func (r *Resolver) Parameter(name string) (*yaml.Node, bool) {
	v, ok := r.params[name]
	return v, ok
}

// Pseudo returns the value of a pseudo parameter (AWS::Region, ...).
func (r *Resolver) Pseudo(name string) (string, bool) {
	switch name {
	case "AWS::Region":
		return r.opts.Region, true
	case "AWS::AccountId":
		return r.opts.AccountID, true
	case "AWS::StackName":
		return r.opts.StackName, true
	case "AWS::StackId":
		return fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/00000000-0000-0000-0000-000000000000", r.opts.Region, r.opts.AccountID, r.opts.StackName), true
	case "AWS::Partition":
		return "aws", true
	case "AWS::URLSuffix":
		return "amazonaws.com", true
	}
	return "", false
}

func (r *Resolver) note(n *yaml.Node, format string, args ...any) {
	if r.opts.Note != nil {
		r.opts.Note(r.t.Where(n), fmt.Sprintf(format, args...))
	}
}

// Resolve returns a copy of n with every intrinsic function evaluated; nil when n is
// AWS::NoValue. Keys and list items that evaluate to AWS::NoValue are dropped.
func (r *Resolver) Resolve(n *yaml.Node) (*yaml.Node, error) {
	v, err := r.resolve(n, 0)
	if errors.Is(err, errNoValue) {
		return nil, nil
	}
	return v, err
}

// ResolveString resolves n and requires a string (or number, or boolean) result.
func (r *Resolver) ResolveString(n *yaml.Node) (string, error) {
	v, err := r.Resolve(n)
	if err != nil {
		return "", err
	}
	s, ok := Scalar(v)
	if !ok {
		return "", r.t.Errorf(n, "want a string, got %s", Describe(v))
	}
	return s, nil
}

func (r *Resolver) resolve(n *yaml.Node, depth int) (*yaml.Node, error) {
	if n == nil {
		return nil, nil
	}
	r.steps++
	if r.steps > 4*maxNodes {
		return nil, r.t.Errorf(n, "resolving the template takes more than %d steps", 4*maxNodes)
	}
	if depth > maxDepth {
		return nil, r.t.Errorf(n, "intrinsic functions nest deeper than %d levels", maxDepth)
	}
	switch n.Kind {
	case yaml.MappingNode:
		if name, arg, ok := Intrinsic(n); ok && name != "Condition" {
			return r.call(n, name, arg, depth)
		}
		c := &yaml.Node{Kind: n.Kind, Tag: n.Tag, Style: n.Style, Line: n.Line, Column: n.Column}
		r.inherit(c, n)
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := r.resolve(n.Content[i+1], depth+1)
			if errors.Is(err, errNoValue) {
				continue
			}
			if err != nil {
				return nil, err
			}
			c.Content = append(c.Content, n.Content[i], v)
		}
		return c, nil
	case yaml.SequenceNode:
		c := &yaml.Node{Kind: n.Kind, Tag: n.Tag, Style: n.Style, Line: n.Line, Column: n.Column}
		r.inherit(c, n)
		for _, x := range n.Content {
			v, err := r.resolve(x, depth+1)
			if errors.Is(err, errNoValue) {
				continue
			}
			if err != nil {
				return nil, err
			}
			c.Content = append(c.Content, v)
		}
		return c, nil
	}
	return n, nil
}

// inherit keeps a copy's origin file for messages.
func (r *Resolver) inherit(c, n *yaml.Node) {
	if f, ok := r.t.origin[n]; ok {
		r.t.origin[c] = f
	}
}

// scalarAt makes a string result that points at the call for messages.
func (r *Resolver) scalarAt(at *yaml.Node, s string) *yaml.Node {
	v := NewString(s)
	v.Line, v.Column = at.Line, at.Column
	r.inherit(v, at)
	return v
}

func (r *Resolver) args(at *yaml.Node, name string, arg *yaml.Node, depth, min, max int) ([]*yaml.Node, error) {
	v, err := r.resolve(arg, depth+1)
	if err != nil {
		return nil, err
	}
	if v == nil || v.Kind != yaml.SequenceNode || len(v.Content) < min || len(v.Content) > max {
		if min == max {
			return nil, r.t.Errorf(at, "%s takes a list of %d items, got %s", name, min, Describe(v))
		}
		return nil, r.t.Errorf(at, "%s takes a list of %d to %d items, got %s", name, min, max, Describe(v))
	}
	return v.Content, nil
}

func (r *Resolver) str(at *yaml.Node, name, what string, v *yaml.Node) (string, error) {
	s, ok := Scalar(v)
	if !ok {
		return "", r.t.Errorf(at, "%s: %s must be a string, got %s", name, what, Describe(v))
	}
	return s, nil
}

// call evaluates one intrinsic function.
func (r *Resolver) call(at *yaml.Node, name string, arg *yaml.Node, depth int) (*yaml.Node, error) {
	switch name {
	case "Ref":
		target, err := r.resolve(arg, depth+1)
		if err != nil {
			return nil, err
		}
		s, err := r.str(at, "Ref", "its argument", target)
		if err != nil {
			return nil, err
		}
		return r.ref(at, s)
	case "Fn::GetAtt":
		return r.getAtt(at, arg, depth)
	case "Fn::Sub":
		return r.sub(at, arg, depth)
	case "Fn::Join":
		a, err := r.args(at, name, arg, depth, 2, 2)
		if err != nil {
			return nil, err
		}
		sep, err := r.str(at, name, "the delimiter", a[0])
		if err != nil {
			return nil, err
		}
		if a[1].Kind != yaml.SequenceNode {
			return nil, r.t.Errorf(at, "Fn::Join: the second item must be a list, got %s", Describe(a[1]))
		}
		parts := make([]string, 0, len(a[1].Content))
		for _, x := range a[1].Content {
			s, err := r.str(at, name, "each joined value", x)
			if err != nil {
				return nil, err
			}
			parts = append(parts, s)
		}
		return r.scalarAt(at, strings.Join(parts, sep)), nil
	case "Fn::Select":
		a, err := r.args(at, name, arg, depth, 2, 2)
		if err != nil {
			return nil, err
		}
		i, ok := Int(a[0])
		if !ok {
			return nil, r.t.Errorf(at, "Fn::Select: the index must be a number, got %s", Describe(a[0]))
		}
		if a[1].Kind != yaml.SequenceNode {
			return nil, r.t.Errorf(at, "Fn::Select: the second item must be a list, got %s", Describe(a[1]))
		}
		if i < 0 || i >= len(a[1].Content) {
			return nil, r.t.Errorf(at, "Fn::Select: index %d is out of range for a list of %d", i, len(a[1].Content))
		}
		return a[1].Content[i], nil
	case "Fn::Split":
		a, err := r.args(at, name, arg, depth, 2, 2)
		if err != nil {
			return nil, err
		}
		sep, err := r.str(at, name, "the delimiter", a[0])
		if err != nil {
			return nil, err
		}
		s, err := r.str(at, name, "the source string", a[1])
		if err != nil {
			return nil, err
		}
		if sep == "" {
			return nil, r.t.Errorf(at, "Fn::Split: the delimiter is empty")
		}
		out := NewSeq()
		for _, p := range strings.Split(s, sep) {
			out.Content = append(out.Content, r.scalarAt(at, p))
		}
		return out, nil
	case "Fn::If":
		if arg.Kind != yaml.SequenceNode || len(arg.Content) != 3 {
			return nil, r.t.Errorf(at, "Fn::If takes [condition name, value if true, value if false]")
		}
		cname, ok := Scalar(arg.Content[0])
		if !ok {
			return nil, r.t.Errorf(at, "Fn::If: the condition must be a condition's name, got %s", Describe(arg.Content[0]))
		}
		b, err := r.Condition(cname)
		if err != nil {
			return nil, err
		}
		if b {
			return r.resolve(arg.Content[1], depth+1)
		}
		return r.resolve(arg.Content[2], depth+1)
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not":
		b, err := r.evalCond(at, depth)
		if err != nil {
			return nil, err
		}
		return NewBool(b), nil
	case "Fn::FindInMap":
		return r.findInMap(at, arg, depth)
	case "Fn::Base64":
		v, err := r.resolve(arg, depth+1)
		if err != nil {
			return nil, err
		}
		s, err := r.str(at, name, "its argument", v)
		if err != nil {
			return nil, err
		}
		return r.scalarAt(at, base64.StdEncoding.EncodeToString([]byte(s))), nil
	case "Fn::GetAZs":
		region := r.opts.Region
		if v, err := r.resolve(arg, depth+1); err != nil {
			return nil, err
		} else if s := String(v); s != "" {
			region = s
		}
		return NewSeq(region+"a", region+"b", region+"c"), nil
	case "Fn::ToJsonString":
		v, err := r.resolve(arg, depth+1)
		if err != nil {
			return nil, err
		}
		b, err := ToJSON(v)
		if err != nil {
			return nil, r.t.Errorf(at, "Fn::ToJsonString: %v", err)
		}
		return r.scalarAt(at, string(b)), nil
	case "Fn::Length":
		v, err := r.resolve(arg, depth+1)
		if err != nil {
			return nil, err
		}
		if v == nil || v.Kind != yaml.SequenceNode {
			return nil, r.t.Errorf(at, "Fn::Length takes a list, got %s", Describe(v))
		}
		return NewInt(len(v.Content)), nil
	case "Fn::ImportValue":
		v, _ := r.resolve(arg, depth+1)
		r.note(at, "Fn::ImportValue %s reads another stack's export, which apigw-local does not have: it evaluates to the placeholder %q", String(v), "ImportValue-"+String(v))
		return r.scalarAt(at, "ImportValue-"+String(v)), nil
	case "Fn::Cidr", "Fn::ForEach", "Fn::GetStackOutput":
		r.note(at, "%s cannot be evaluated locally: it evaluates to the placeholder %q", name, "unresolved-"+strings.TrimPrefix(name, "Fn::"))
		return r.scalarAt(at, "unresolved-"+strings.TrimPrefix(name, "Fn::")), nil
	case "Fn::Transform":
		return nil, r.t.Errorf(at, "Fn::Transform %s: only AWS::Include with a local file Location is supported", String(Lookup(arg, "Name")))
	}
	return nil, r.t.Errorf(at, "unknown intrinsic function %s", name)
}

func (r *Resolver) ref(at *yaml.Node, name string) (*yaml.Node, error) {
	if name == "AWS::NoValue" {
		return nil, errNoValue
	}
	if name == "AWS::NotificationARNs" {
		return NewSeq(), nil
	}
	if v, ok := r.Pseudo(name); ok {
		return r.scalarAt(at, v), nil
	}
	if v, ok := r.params[name]; ok {
		return Clone(v), nil
	}
	if r.opts.Refs != nil {
		v, ok, err := r.opts.Refs.Ref(name)
		if err != nil {
			return nil, err
		}
		if ok {
			return r.scalarAt(at, v), nil
		}
	}
	return nil, r.t.Errorf(at, "Ref %s: the template has no parameter or resource of that name", name)
}

func (r *Resolver) getAtt(at, arg *yaml.Node, depth int) (*yaml.Node, error) {
	var res, attr string
	if s, ok := Scalar(arg); ok {
		res, attr, _ = strings.Cut(s, ".")
	} else {
		a, err := r.args(at, "Fn::GetAtt", arg, depth, 2, 2)
		if err != nil {
			return nil, err
		}
		if res, err = r.str(at, "Fn::GetAtt", "the logical id", a[0]); err != nil {
			return nil, err
		}
		if attr, err = r.str(at, "Fn::GetAtt", "the attribute", a[1]); err != nil {
			return nil, err
		}
	}
	if res == "" || attr == "" {
		return nil, r.t.Errorf(at, "Fn::GetAtt takes [LogicalId, Attribute] or LogicalId.Attribute")
	}
	if r.opts.Refs == nil {
		return nil, r.t.Errorf(at, "Fn::GetAtt %s.%s: the template has no resource %s", res, attr, res)
	}
	v, err := r.opts.Refs.GetAtt(res, attr)
	if err != nil {
		return nil, r.t.Errorf(at, "Fn::GetAtt %s.%s: %v", res, attr, err)
	}
	return r.scalarAt(at, v), nil
}

func (r *Resolver) findInMap(at, arg *yaml.Node, depth int) (*yaml.Node, error) {
	a, err := r.args(at, "Fn::FindInMap", arg, depth, 3, 4)
	if err != nil {
		return nil, err
	}
	var keys [3]string
	for i := range keys {
		if keys[i], err = r.str(at, "Fn::FindInMap", "each key", a[i]); err != nil {
			return nil, err
		}
	}
	v := Path(r.t.Section("Mappings"), keys[0], keys[1], keys[2])
	if v == nil {
		if len(a) == 4 {
			if d := Lookup(a[3], "DefaultValue"); d != nil {
				return d, nil
			}
		}
		return nil, r.t.Errorf(at, "Fn::FindInMap: Mappings has no %s.%s.%s", keys[0], keys[1], keys[2])
	}
	return r.resolve(v, depth+1)
}

// sub evaluates Fn::Sub: "${Name}" is a parameter, a pseudo parameter, a resource's Ref,
// "${Resource.Attribute}" its GetAtt, and in the two-argument form a variable of the map
// first; "${!Text}" is the literal "${Text}".
func (r *Resolver) sub(at, arg *yaml.Node, depth int) (*yaml.Node, error) {
	tmplNode := arg
	var vars *yaml.Node
	if arg.Kind == yaml.SequenceNode {
		if len(arg.Content) != 2 {
			return nil, r.t.Errorf(at, "Fn::Sub takes a string, or [string, {variables}]")
		}
		tmplNode = arg.Content[0]
		v, err := r.resolve(arg.Content[1], depth+1)
		if err != nil {
			return nil, err
		}
		if v == nil || v.Kind != yaml.MappingNode {
			return nil, r.t.Errorf(at, "Fn::Sub: the variables must be a mapping, got %s", Describe(v))
		}
		vars = v
	}
	tn, err := r.resolve(tmplNode, depth+1)
	if err != nil {
		return nil, err
	}
	tmpl, ok := Scalar(tn)
	if !ok {
		return nil, r.t.Errorf(at, "Fn::Sub: the template must be a string, got %s", Describe(tn))
	}
	var b strings.Builder
	for {
		i := strings.Index(tmpl, "${")
		if i < 0 {
			b.WriteString(tmpl)
			break
		}
		b.WriteString(tmpl[:i])
		rest := tmpl[i+2:]
		j := strings.IndexByte(rest, '}')
		if j < 0 {
			b.WriteString(tmpl[i:])
			break
		}
		name := rest[:j]
		tmpl = rest[j+1:]
		if strings.HasPrefix(name, "!") {
			b.WriteString("${" + name[1:] + "}")
			continue
		}
		v, err := r.subVar(at, strings.TrimSpace(name), vars)
		if err != nil {
			return nil, err
		}
		b.WriteString(v)
	}
	return r.scalarAt(at, b.String()), nil
}

func (r *Resolver) subVar(at *yaml.Node, name string, vars *yaml.Node) (string, error) {
	if v := Lookup(vars, name); v != nil {
		s, ok := Scalar(v)
		if !ok {
			return "", r.t.Errorf(at, "Fn::Sub: variable %s must be a string, got %s", name, Describe(v))
		}
		return s, nil
	}
	if v, ok := r.Pseudo(name); ok {
		return v, nil
	}
	if v, ok := r.params[name]; ok {
		s, ok := Scalar(v)
		if !ok {
			return "", r.t.Errorf(at, "Fn::Sub: parameter %s is a list; join it with Fn::Join first", name)
		}
		return s, nil
	}
	if r.opts.Refs != nil {
		v, ok, err := r.opts.Refs.Ref(name)
		if err != nil {
			return "", err
		}
		if ok {
			return v, nil
		}
		if res, attr, dot := strings.Cut(name, "."); dot {
			v, err := r.opts.Refs.GetAtt(res, attr)
			if err != nil {
				return "", r.t.Errorf(at, "Fn::Sub: ${%s}: %v", name, err)
			}
			return v, nil
		}
	}
	return "", r.t.Errorf(at, "Fn::Sub: ${%s} names no parameter, resource or variable (write ${!%s} for a literal ${%s})", name, name, name)
}

// Condition evaluates a condition of the Conditions section.
func (r *Resolver) Condition(name string) (bool, error) {
	if st := r.conds[name]; st != nil {
		if st.busy {
			return false, fmt.Errorf("%s: condition %s refers to itself", r.t.Path, name)
		}
		return st.value, nil
	}
	def := Lookup(r.t.Section("Conditions"), name)
	if def == nil {
		return false, fmt.Errorf("%s: no condition named %s in the Conditions section", r.t.Path, name)
	}
	st := &condState{busy: true}
	r.conds[name] = st
	v, err := r.evalCond(def, 0)
	st.busy = false
	if err != nil {
		delete(r.conds, name)
		return false, err
	}
	st.value, st.done = v, true
	return v, nil
}

// evalCond evaluates a condition function: Fn::Equals, Fn::And, Fn::Or, Fn::Not, Condition,
// or anything that resolves to a boolean.
func (r *Resolver) evalCond(n *yaml.Node, depth int) (bool, error) {
	if depth > maxDepth {
		return false, r.t.Errorf(n, "conditions nest deeper than %d levels", maxDepth)
	}
	name, arg, ok := Intrinsic(n)
	if !ok {
		v, err := r.resolve(n, depth+1)
		if err != nil {
			return false, err
		}
		if b, ok := Bool(v); ok {
			return b, nil
		}
		return false, r.t.Errorf(n, "a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition, got %s", Describe(v))
	}
	switch name {
	case "Condition":
		s, ok := Scalar(arg)
		if !ok {
			return false, r.t.Errorf(n, "Condition takes a condition's name")
		}
		return r.Condition(s)
	case "Fn::Equals":
		a, err := r.args(n, name, arg, depth, 2, 2)
		if err != nil {
			return false, err
		}
		return equalValues(a[0], a[1]), nil
	case "Fn::Not":
		if arg.Kind != yaml.SequenceNode || len(arg.Content) != 1 {
			return false, r.t.Errorf(n, "Fn::Not takes a list of one condition")
		}
		b, err := r.evalCond(arg.Content[0], depth+1)
		return !b, err
	case "Fn::And", "Fn::Or":
		if arg.Kind != yaml.SequenceNode || len(arg.Content) < 2 || len(arg.Content) > 10 {
			return false, r.t.Errorf(n, "%s takes a list of 2 to 10 conditions", name)
		}
		for _, c := range arg.Content {
			b, err := r.evalCond(c, depth+1)
			if err != nil {
				return false, err
			}
			if name == "Fn::And" && !b {
				return false, nil
			}
			if name == "Fn::Or" && b {
				return true, nil
			}
		}
		return name == "Fn::And", nil
	}
	v, err := r.call(n, name, arg, depth)
	if err != nil {
		return false, err
	}
	if b, ok := Bool(v); ok {
		return b, nil
	}
	return false, r.t.Errorf(n, "a condition must evaluate to true or false, got %s", Describe(v))
}

// equalValues compares two resolved values as CloudFormation does: scalars by their text,
// lists item by item.
func equalValues(a, b *yaml.Node) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Kind == yaml.ScalarNode && b.Kind == yaml.ScalarNode {
		if a.Value == b.Value {
			return true
		}
		fa, ea := strconv.ParseFloat(a.Value, 64)
		fb, eb := strconv.ParseFloat(b.Value, 64)
		return ea == nil && eb == nil && fa == fb && (a.Tag != tagStr || b.Tag != tagStr)
	}
	if a.Kind != b.Kind || len(a.Content) != len(b.Content) {
		return false
	}
	for i := range a.Content {
		if !equalValues(a.Content[i], b.Content[i]) {
			return false
		}
	}
	return true
}
