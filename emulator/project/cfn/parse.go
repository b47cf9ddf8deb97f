package cfn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Limits that keep a hostile template from exhausting the process: YAML aliases can expand
// exponentially, deep nesting costs stack in every walker, includes can include themselves.
const (
	maxNodes        = 1 << 19
	maxDepth        = 200
	maxIncludeDepth = 8
	maxFileBytes    = 64 << 20
)

// Template is a parsed template: the top-level mapping with short forms turned into long
// forms, aliases and merge keys expanded, and local AWS::Include transforms replaced by the
// files they name.
type Template struct {
	// Path is the template file as the user named it, for messages.
	Path string
	// Dir is the template's absolute directory; relative paths in the template start there.
	Dir string
	// Root is the top-level mapping.
	Root *yaml.Node
	// Includes are the absolute paths of the files read through AWS::Include.
	Includes []string

	origin map[*yaml.Node]string // nodes of included files → their file
}

// Section returns a top-level section (Resources, Parameters, ...) or nil.
func (t *Template) Section(name string) *yaml.Node { return Lookup(t.Root, name) }

// Where returns "file:line:col" for a node, naming the included file it came from.
func (t *Template) Where(n *yaml.Node) string {
	file := t.Path
	if f, ok := t.origin[n]; ok {
		file = f
	}
	if n == nil || n.Line == 0 {
		return file
	}
	return fmt.Sprintf("%s:%d:%d", file, n.Line, n.Column)
}

// Errorf returns an error prefixed with the node's position.
func (t *Template) Errorf(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%s: %s", t.Where(n), fmt.Sprintf(format, args...))
}

// ParseFile reads and parses a template file.
func ParseFile(path string) (*Template, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(b) > maxFileBytes {
		return nil, fmt.Errorf("%s is larger than %d MB", path, maxFileBytes>>20)
	}
	return b, nil
}

// Parse parses a template's bytes. path names it in messages and anchors relative paths.
func Parse(path string, data []byte) (*Template, error) {
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	t := &Template{Path: path, Dir: dir, origin: map[*yaml.Node]string{}}
	p := &parser{t: t}
	root, err := p.parseDoc(path, data, 0)
	if err != nil {
		return nil, err
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: a template is a mapping with a Resources section, not %s", path, Describe(root))
	}
	t.Root = root
	return t, nil
}

// parser carries the node budget across a template and its includes.
type parser struct {
	t     *Template
	nodes int
}

// parseDoc reads one YAML or JSON document into a normalised node tree.
func (p *parser) parseDoc(file string, data []byte, includeDepth int) (*yaml.Node, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%s is empty", file)
	}
	var doc yaml.Node
	if yerr := yaml.Unmarshal(data, &doc); yerr != nil {
		// JSON that YAML rejects (tabs for indentation, say) is still JSON.
		trimmed := bytes.TrimSpace(data)
		if trimmed[0] == '{' || trimmed[0] == '[' {
			var v any
			dec := json.NewDecoder(bytes.NewReader(trimmed))
			dec.UseNumber()
			if jerr := dec.Decode(&v); jerr == nil {
				return p.normalise(file, FromValue(v), 0, includeDepth)
			}
		}
		return nil, fmt.Errorf("%s: %s", file, strings.TrimPrefix(yerr.Error(), "yaml: "))
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s is empty", file)
	}
	return p.normalise(file, doc.Content[0], 0, includeDepth)
}

// shortForms maps the YAML short-form tags to the long-form keys.
var shortForms = map[string]string{
	"!Ref": "Ref", "!Condition": "Condition",
	"!Sub": "Fn::Sub", "!GetAtt": "Fn::GetAtt", "!Join": "Fn::Join", "!If": "Fn::If",
	"!Equals": "Fn::Equals", "!And": "Fn::And", "!Or": "Fn::Or", "!Not": "Fn::Not",
	"!Select": "Fn::Select", "!Split": "Fn::Split", "!FindInMap": "Fn::FindInMap",
	"!Base64": "Fn::Base64", "!GetAZs": "Fn::GetAZs", "!ImportValue": "Fn::ImportValue",
	"!Cidr": "Fn::Cidr", "!Transform": "Fn::Transform", "!ToJsonString": "Fn::ToJsonString",
	"!Length": "Fn::Length", "!ForEach": "Fn::ForEach",
}

// normalise copies a node tree, expanding aliases and merge keys, turning short forms into
// long forms and replacing local AWS::Include transforms.
func (p *parser) normalise(file string, n *yaml.Node, depth, includeDepth int) (*yaml.Node, error) {
	p.nodes++
	if p.nodes > maxNodes {
		return nil, fmt.Errorf("%s: the template expands to more than %d nodes (YAML aliases?)", file, maxNodes)
	}
	if depth > maxDepth {
		return nil, fmt.Errorf("%s:%d: the template nests deeper than %d levels", file, n.Line, maxDepth)
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return nil, fmt.Errorf("%s:%d: unknown alias", file, n.Line)
		}
		return p.normalise(file, n.Alias, depth+1, includeDepth)
	}
	c := &yaml.Node{Kind: n.Kind, Tag: n.Tag, Value: n.Value, Style: n.Style &^ (yaml.TaggedStyle), Line: n.Line, Column: n.Column}
	if includeDepth > 0 {
		p.t.origin[c] = file
	}
	if n.Kind == yaml.MappingNode {
		// idx finds a key's position in c.Content, so big mappings stay linear.
		idx := map[string]int{}
		put := func(k, v *yaml.Node, override bool) {
			if i, ok := idx[k.Value]; ok {
				if override {
					c.Content[i], c.Content[i+1] = k, v
				}
				return
			}
			idx[k.Value] = len(c.Content)
			c.Content = append(c.Content, k, v)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Tag == "!!merge" {
				srcs, err := p.mergeSources(file, v, depth, includeDepth)
				if err != nil {
					return nil, err
				}
				for _, src := range srcs {
					for j := 0; j+1 < len(src.Content); j += 2 {
						put(src.Content[j], src.Content[j+1], false)
					}
				}
				continue
			}
			y, err := p.normalise(file, v, depth+1, includeDepth)
			if err != nil {
				return nil, err
			}
			key := &yaml.Node{Kind: yaml.ScalarNode, Tag: tagStr, Value: k.Value, Line: k.Line, Column: k.Column}
			// An explicit key wins over one a merge key brought in, wherever it stands.
			put(key, y, true)
		}
	} else {
		for _, x := range n.Content {
			y, err := p.normalise(file, x, depth+1, includeDepth)
			if err != nil {
				return nil, err
			}
			c.Content = append(c.Content, y)
		}
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		key, ok := shortForms[n.Tag]
		if !ok {
			return nil, fmt.Errorf("%s:%d:%d: unknown tag %s: CloudFormation's short forms are !Ref, !Sub, !GetAtt, !Join, !If, !Select, !Split, !FindInMap, ...", file, n.Line, n.Column, n.Tag)
		}
		switch c.Kind {
		case yaml.ScalarNode:
			c.Tag = tagStr
		case yaml.SequenceNode:
			c.Tag = tagSeq
		case yaml.MappingNode:
			c.Tag = tagMap
		}
		if key == "Fn::GetAtt" && c.Kind == yaml.ScalarNode {
			res, attr, _ := strings.Cut(c.Value, ".")
			a, b := NewString(res), NewString(attr)
			a.Line, a.Column, b.Line, b.Column = c.Line, c.Column, c.Line, c.Column
			c = &yaml.Node{Kind: yaml.SequenceNode, Tag: tagSeq, Content: []*yaml.Node{a, b}, Line: c.Line, Column: c.Column}
		}
		k := NewString(key)
		k.Line, k.Column = n.Line, n.Column
		wrapped := &yaml.Node{Kind: yaml.MappingNode, Tag: tagMap, Content: []*yaml.Node{k, c}, Line: n.Line, Column: n.Column}
		if includeDepth > 0 {
			p.t.origin[wrapped] = file
		}
		c = wrapped
	}
	if c.Kind == yaml.MappingNode {
		return p.include(file, c, includeDepth)
	}
	return c, nil
}

// mergeSources reads the value of a YAML merge key (<<): a mapping or a list of mappings,
// whose pairs the mapping being built takes when it does not have them yet.
func (p *parser) mergeSources(file string, src *yaml.Node, depth, includeDepth int) ([]*yaml.Node, error) {
	m, err := p.normalise(file, src, depth+1, includeDepth)
	if err != nil {
		return nil, err
	}
	switch m.Kind {
	case yaml.MappingNode:
		return []*yaml.Node{m}, nil
	case yaml.SequenceNode:
		for _, s := range m.Content {
			if s.Kind != yaml.MappingNode {
				return nil, fmt.Errorf("%s:%d: a merge key (<<) takes a mapping or a list of mappings", file, src.Line)
			}
		}
		return m.Content, nil
	}
	return nil, fmt.Errorf("%s:%d: a merge key (<<) takes a mapping or a list of mappings", file, src.Line)
}

// include replaces {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location":
// local}}} by the file's content, or merges it into a mapping that has other keys.
func (p *parser) include(file string, m *yaml.Node, includeDepth int) (*yaml.Node, error) {
	tr := Lookup(m, "Fn::Transform")
	if tr == nil || String(Lookup(tr, "Name")) != "AWS::Include" {
		return m, nil
	}
	locNode := Path(tr, "Parameters", "Location")
	loc, ok := Scalar(locNode)
	if !ok {
		return nil, fmt.Errorf("%s:%d:%d: AWS::Include needs Parameters.Location, a file path", file, tr.Line, tr.Column)
	}
	if strings.HasPrefix(loc, "s3://") || strings.HasPrefix(loc, "https://") {
		return nil, fmt.Errorf("%s:%d:%d: AWS::Include of %s: apigw-local reads local files only; point Location at a copy on disk", file, locNode.Line, locNode.Column, loc)
	}
	if includeDepth >= maxIncludeDepth {
		return nil, fmt.Errorf("%s:%d: AWS::Include nests deeper than %d files", file, locNode.Line, maxIncludeDepth)
	}
	base := p.t.Dir
	if includeDepth > 0 {
		base = filepath.Dir(file)
	}
	path := loc
	if !filepath.IsAbs(path) {
		path = filepath.Join(base, path)
	}
	data, err := readFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s:%d:%d: AWS::Include: %w", file, locNode.Line, locNode.Column, err)
	}
	p.t.Includes = append(p.t.Includes, path)
	content, err := p.parseDoc(path, data, includeDepth+1)
	if err != nil {
		return nil, fmt.Errorf("%s:%d:%d: AWS::Include: %w", file, locNode.Line, locNode.Column, err)
	}
	if len(m.Content) == 2 {
		return content, nil
	}
	if content.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: AWS::Include beside other keys must include a mapping, and %s holds %s", file, tr.Line, path, Describe(content))
	}
	Delete(m, "Fn::Transform")
	for k, v := range Pairs(content) {
		if Lookup(m, k) == nil {
			m.Content = append(m.Content, NewString(k), v)
		}
	}
	return m, nil
}

// Intrinsic reports whether n is an intrinsic function call: a mapping of one key that is
// Ref, Condition or Fn::*.
func Intrinsic(n *yaml.Node) (name string, arg *yaml.Node, ok bool) {
	if n == nil || n.Kind != yaml.MappingNode || len(n.Content) != 2 {
		return "", nil, false
	}
	k := n.Content[0].Value
	if k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::") {
		return k, n.Content[1], true
	}
	return "", nil, false
}

// Included reports whether a node came from a file read through AWS::Include.
func (t *Template) Included(n *yaml.Node) bool {
	_, ok := t.origin[n]
	return ok
}
