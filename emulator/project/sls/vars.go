package sls

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/apigw-local/apigw-local/emulator/project/cfn"
)

// vars resolves the Serverless Framework's ${source:address, fallback} variables of one
// serverless.yml.
type vars struct {
	t     *cfn.Template
	opts  *Options
	root  *yaml.Node // unresolved
	done  map[*yaml.Node]*yaml.Node
	busy  map[*yaml.Node]bool
	files map[string]*yaml.Node
	read  []string // files read by file()
	stage string
}

// sources are the variable sources this loader knows; others are left as written.
var sources = []string{"self:", "opt:", "env:", "sls:", "aws:", "file(", "cf:", "cf(", "ssm:", "ssm(", "s3:", "param:", "strToBool(", "git:"}

func isVariable(inner string) bool {
	inner = strings.TrimSpace(inner)
	if strings.HasPrefix(inner, "AWS::") {
		return false
	}
	for _, s := range sources {
		if strings.HasPrefix(inner, s) {
			return true
		}
	}
	return false
}

// resolve returns a copy of n with every variable replaced.
func (v *vars) resolve(n *yaml.Node, depth int) (*yaml.Node, error) {
	if depth > 100 {
		return nil, v.t.Errorf(n, "variables nest deeper than 100 levels")
	}
	if r, ok := v.done[n]; ok {
		return r, nil
	}
	if v.busy[n] {
		return nil, v.t.Errorf(n, "a variable refers to itself")
	}
	v.busy[n] = true
	defer delete(v.busy, n)
	var out *yaml.Node
	switch n.Kind {
	case yaml.MappingNode, yaml.SequenceNode:
		c := *n
		c.Content = make([]*yaml.Node, len(n.Content))
		for i, x := range n.Content {
			if n.Kind == yaml.MappingNode && i%2 == 0 {
				c.Content[i] = x
				continue
			}
			r, err := v.resolve(x, depth+1)
			if err != nil {
				return nil, err
			}
			c.Content[i] = r
		}
		out = &c
	case yaml.ScalarNode:
		if !strings.Contains(n.Value, "${") {
			return n, nil
		}
		r, err := v.interpolate(n, n.Value, depth)
		if err != nil {
			return nil, err
		}
		out = r
	default:
		out = n
	}
	v.done[n] = out
	return out, nil
}

// interpolate replaces the variables of one string, innermost first. A string that is one
// variable takes the variable's value as it is (a mapping, a number); otherwise values are
// written into the string.
func (v *vars) interpolate(at *yaml.Node, s string, depth int) (*yaml.Node, error) {
	for rounds := 0; rounds < 50; rounds++ {
		start, end := innermost(s)
		if start < 0 {
			break
		}
		inner := s[start+2 : end]
		if !isVariable(inner) {
			// ${AWS::Region}, ${stageVariables.x}, ${MyResource.Arn}: Fn::Sub's, not ours. Hide it
			// from the next rounds and put it back after.
			s = s[:start] + "\x00{" + inner + "\x01" + s[end+1:]
			continue
		}
		val, err := v.value(at, inner, depth)
		if err != nil {
			return nil, err
		}
		if start == 0 && end == len(s)-1 {
			return restore(val), nil
		}
		str, ok := cfn.Scalar(val)
		if !ok && !cfn.IsNull(val) {
			return nil, v.t.Errorf(at, "${%s} is %s, which cannot be part of a string", inner, cfn.Describe(val))
		}
		s = s[:start] + str + s[end+1:]
	}
	out := cfn.NewString(strings.NewReplacer("\x00{", "${", "\x01", "}").Replace(s))
	out.Line, out.Column = at.Line, at.Column
	return out, nil
}

func restore(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.ScalarNode && strings.ContainsAny(n.Value, "\x00\x01") {
		c := *n
		c.Value = strings.NewReplacer("\x00{", "${", "\x01", "}").Replace(n.Value)
		return &c
	}
	return n
}

// innermost finds the first ${...} that holds no other ${.
func innermost(s string) (int, int) {
	start := -1
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '$' && s[i+1] == '{' {
			start = i
			i++
			continue
		}
		if s[i] == '}' && start >= 0 {
			return start, i
		}
	}
	if start >= 0 && strings.HasSuffix(s, "}") {
		return start, len(s) - 1
	}
	return -1, -1
}

// value evaluates "source:address, fallback, ...".
func (v *vars) value(at *yaml.Node, inner string, depth int) (*yaml.Node, error) {
	alts := splitTop(inner)
	for i, alt := range alts {
		alt = strings.TrimSpace(alt)
		if lit, ok := literal(alt); ok {
			return lit, nil
		}
		val, found, err := v.lookup(at, alt, depth, i == len(alts)-1)
		if err != nil {
			return nil, err
		}
		if found {
			return val, nil
		}
	}
	return nil, v.t.Errorf(at, "${%s}: no value found; give one, or a fallback: ${%s, 'default'}", inner, strings.TrimSpace(alts[0]))
}

// literal reads a fallback written as a quoted string, a number or a boolean.
func literal(s string) (*yaml.Node, bool) {
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
		return cfn.NewString(s[1 : len(s)-1]), true
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: s}, true
	}
	if s == "true" || s == "false" {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: s}, true
	}
	if s == "null" {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, true
	}
	return nil, false
}

// splitTop splits on commas outside quotes and parentheses.
func splitTop(s string) []string {
	var out []string
	depth, quote, last := 0, byte(0), 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			out = append(out, s[last:i])
			last = i + 1
		}
	}
	return append(out, s[last:])
}

// lookup evaluates one source. found is false when the source has no such value.
func (v *vars) lookup(at *yaml.Node, ref string, depth int, last bool) (*yaml.Node, bool, error) {
	switch {
	case strings.HasPrefix(ref, "self:"):
		n := v.path(v.root, strings.TrimPrefix(ref, "self:"))
		if n == nil {
			return nil, false, nil
		}
		r, err := v.resolve(n, depth+1)
		return r, err == nil, err
	case strings.HasPrefix(ref, "opt:"):
		switch strings.TrimPrefix(ref, "opt:") {
		case "stage":
			return cfn.NewString(v.opts.Stage), v.opts.Stage != "", nil
		case "region":
			return cfn.NewString(v.opts.Region), v.opts.Region != "", nil
		}
		return nil, false, nil
	case strings.HasPrefix(ref, "env:"):
		if v.opts.LookupEnv == nil {
			return nil, false, nil
		}
		val, ok := v.opts.LookupEnv(strings.TrimPrefix(ref, "env:"))
		return cfn.NewString(val), ok, nil
	case ref == "sls:stage":
		return cfn.NewString(v.stage), true, nil
	case ref == "sls:instanceId":
		return cfn.NewString("apigwlocal"), true, nil
	case ref == "aws:region":
		return cfn.NewString(v.opts.Region), true, nil
	case ref == "aws:accountId":
		return cfn.NewString(v.opts.AccountID), true, nil
	case strings.HasPrefix(ref, "strToBool("):
		arg := strings.TrimSuffix(strings.TrimPrefix(ref, "strToBool("), ")")
		return cfn.NewBool(strings.TrimSpace(arg) == "true" || strings.TrimSpace(arg) == "1"), true, nil
	case strings.HasPrefix(ref, "file("):
		return v.file(at, ref, depth)
	}
	if last {
		v.note(at, ref)
	}
	return nil, false, nil
}

func (v *vars) note(at *yaml.Node, ref string) {
	if v.opts.Note != nil {
		src, _, _ := strings.Cut(ref, ":")
		v.opts.Note("${"+src+":...} variables", v.t.Where(at), "apigw-local cannot read "+src+" locally: give a fallback (${"+ref+", 'value'})")
	}
}

// file reads ${file(./path.yml):a.b}.
func (v *vars) file(at *yaml.Node, ref string, depth int) (*yaml.Node, bool, error) {
	closeIdx := strings.Index(ref, ")")
	if closeIdx < 0 {
		return nil, false, v.t.Errorf(at, "${%s}: write file(./path.yml) or file(./path.yml):key", ref)
	}
	name := strings.Trim(strings.TrimSpace(ref[len("file("):closeIdx]), "'\"")
	path := filepath.Join(v.t.Dir, name)
	doc, ok := v.files[path]
	if !ok {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, false, nil
		}
		ft, err := cfn.Parse(path, data)
		if err != nil {
			return nil, false, v.t.Errorf(at, "${%s}: %v", ref, err)
		}
		doc = ft.Root
		v.files[path] = doc
		v.read = append(v.read, path)
	}
	key := strings.TrimPrefix(ref[closeIdx+1:], ":")
	n := doc
	if key != "" {
		n = v.path(doc, key)
	}
	if n == nil {
		return nil, false, nil
	}
	r, err := v.resolve(n, depth+1)
	return r, err == nil, err
}

// path follows a dotted address (list items by index).
func (v *vars) path(n *yaml.Node, addr string) *yaml.Node {
	addr = strings.TrimSpace(addr)
	if addr == "" {
		return n
	}
	for _, part := range strings.Split(addr, ".") {
		switch {
		case n == nil:
			return nil
		case n.Kind == yaml.MappingNode:
			n = cfn.Lookup(n, part)
		case n.Kind == yaml.SequenceNode:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(n.Content) {
				return nil
			}
			n = n.Content[i]
		default:
			return nil
		}
	}
	return n
}

// resolveStage finds the stage before anything else: --stage, else provider.stage, else dev.
func (v *vars) resolveStage() error {
	v.stage = v.opts.Stage
	if v.stage != "" {
		return nil
	}
	v.stage = "dev"
	n := cfn.Path(v.root, "provider", "stage")
	if n == nil {
		return nil
	}
	r, err := v.resolve(n, 0)
	if err != nil {
		return fmt.Errorf("provider.stage: %w", err)
	}
	if s := cfn.String(r); s != "" {
		v.stage = s
	}
	return nil
}
