package cfn

import (
	"encoding/json"
	"fmt"
	"iter"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Tags of the plain YAML kinds.
const (
	tagStr   = "!!str"
	tagInt   = "!!int"
	tagFloat = "!!float"
	tagBool  = "!!bool"
	tagNull  = "!!null"
	tagMap   = "!!map"
	tagSeq   = "!!seq"
)

// Lookup returns the value of key in mapping m, or nil.
func Lookup(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// Path follows keys through nested mappings; nil when one is missing.
func Path(m *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		m = Lookup(m, k)
	}
	return m
}

// Pairs iterates over the keys and values of mapping m in document order.
func Pairs(m *yaml.Node) iter.Seq2[string, *yaml.Node] {
	return func(yield func(string, *yaml.Node) bool) {
		if m == nil || m.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			if !yield(m.Content[i].Value, m.Content[i+1]) {
				return
			}
		}
	}
}

// Keys returns the keys of mapping m in document order.
func Keys(m *yaml.Node) []string {
	var out []string
	for k := range Pairs(m) {
		out = append(out, k)
	}
	return out
}

// Set puts key = v in mapping m, replacing an existing value.
func Set(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, NewString(key), v)
}

// Delete removes key from mapping m.
func Delete(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = slices.Delete(m.Content, i, i+2)
			return
		}
	}
}

// NewString returns a string scalar.
func NewString(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tagStr, Value: s}
}

// NewBool returns a boolean scalar.
func NewBool(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tagBool, Value: strconv.FormatBool(b)}
}

// NewInt returns an integer scalar.
func NewInt(n int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tagInt, Value: strconv.Itoa(n)}
}

// NewMap returns a mapping of alternating keys (strings) and values (nodes, strings, bools,
// ints, or nil to skip the pair).
func NewMap(kv ...any) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: tagMap}
	for i := 0; i+1 < len(kv); i += 2 {
		v := toNode(kv[i+1])
		if v == nil {
			continue
		}
		m.Content = append(m.Content, NewString(kv[i].(string)), v)
	}
	return m
}

// NewSeq returns a sequence of nodes, strings, bools or ints.
func NewSeq(items ...any) *yaml.Node {
	s := &yaml.Node{Kind: yaml.SequenceNode, Tag: tagSeq}
	for _, it := range items {
		if n := toNode(it); n != nil {
			s.Content = append(s.Content, n)
		}
	}
	return s
}

func toNode(v any) *yaml.Node {
	switch v := v.(type) {
	case nil:
		return nil
	case *yaml.Node:
		return v
	case string:
		return NewString(v)
	case bool:
		return NewBool(v)
	case int:
		return NewInt(v)
	case []string:
		s := NewSeq()
		for _, x := range v {
			s.Content = append(s.Content, NewString(x))
		}
		return s
	}
	return FromValue(v)
}

// Clone deep-copies a node tree.
func Clone(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	c := *n
	if n.Content != nil {
		c.Content = make([]*yaml.Node, len(n.Content))
		for i, x := range n.Content {
			c.Content[i] = Clone(x)
		}
	}
	return &c
}

// Scalar returns the text of a scalar node.
func Scalar(n *yaml.Node) (string, bool) {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == tagNull {
		return "", false
	}
	return n.Value, true
}

// String returns the text of a scalar node, "" otherwise.
func String(n *yaml.Node) string {
	s, _ := Scalar(n)
	return s
}

// IsNull reports whether n is missing or an explicit null.
func IsNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && n.Tag == tagNull
}

// Bool reads a boolean scalar the way CloudFormation does: true/false in any case, and the
// strings "true"/"false".
func Bool(n *yaml.Node) (bool, bool) {
	s, ok := Scalar(n)
	if !ok {
		return false, false
	}
	switch strings.ToLower(s) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// Int reads an integer scalar, also from a string ("30") as CloudFormation accepts.
func Int(n *yaml.Node) (int, bool) {
	s, ok := Scalar(n)
	if !ok {
		return 0, false
	}
	if i, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
		return i, true
	}
	if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return int(f), true
	}
	return 0, false
}

// Float reads a number scalar, also from a string.
func Float(n *yaml.Node) (float64, bool) {
	s, ok := Scalar(n)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f, err == nil
}

// Strings reads a sequence of scalars, or one scalar as a list of one.
func Strings(n *yaml.Node) []string {
	if n == nil {
		return nil
	}
	if s, ok := Scalar(n); ok {
		return []string{s}
	}
	var out []string
	if n.Kind == yaml.SequenceNode {
		for _, x := range n.Content {
			if s, ok := Scalar(x); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// StringMap reads a mapping of scalars.
func StringMap(n *yaml.Node) map[string]string {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := map[string]string{}
	for k, v := range Pairs(n) {
		if s, ok := Scalar(v); ok {
			out[k] = s
		} else if IsNull(v) {
			out[k] = ""
		}
	}
	return out
}

// ToValue converts a node tree to plain Go values: map[string]any, []any, string, bool,
// json.Number and nil.
func ToValue(n *yaml.Node) any {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return ToValue(n.Content[0])
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for k, v := range Pairs(n) {
			m[k] = ToValue(v)
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, x := range n.Content {
			s = append(s, ToValue(x))
		}
		return s
	case yaml.AliasNode:
		return ToValue(n.Alias)
	}
	switch n.Tag {
	case tagNull:
		return nil
	case tagBool:
		if b, ok := Bool(n); ok {
			return b
		}
	case tagInt, tagFloat:
		if isJSONNumber(n.Value) {
			return json.Number(n.Value)
		}
		if i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err == nil {
			return json.Number(strconv.FormatInt(i, 10))
		}
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
		}
	}
	return n.Value
}

func isJSONNumber(s string) bool {
	var v json.Number
	return json.Unmarshal([]byte(s), &v) == nil && s != "" && s[0] != '"'
}

// ToJSON encodes a node tree as JSON with sorted keys.
func ToJSON(n *yaml.Node) ([]byte, error) {
	return json.Marshal(ToValue(n))
}

// FromValue builds a node tree from plain Go values (what encoding/json decodes into).
func FromValue(v any) *yaml.Node {
	switch v := v.(type) {
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tagNull, Value: "null"}
	case *yaml.Node:
		return v
	case string:
		return NewString(v)
	case bool:
		return NewBool(v)
	case int:
		return NewInt(v)
	case json.Number:
		tag := tagInt
		if strings.ContainsAny(string(v), ".eE") {
			tag = tagFloat
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: string(v)}
	case float64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tagFloat, Value: strconv.FormatFloat(v, 'g', -1, 64)}
	case []any:
		s := NewSeq()
		for _, x := range v {
			s.Content = append(s.Content, FromValue(x))
		}
		return s
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		m := NewMap()
		for _, k := range keys {
			m.Content = append(m.Content, NewString(k), FromValue(v[k]))
		}
		return m
	}
	return NewString(fmt.Sprint(v))
}

// Describe names a node's kind for error messages.
func Describe(n *yaml.Node) string {
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.MappingNode:
		if name, _, ok := Intrinsic(n); ok {
			return "an unresolved " + name
		}
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	if n.Tag == tagNull {
		return "null"
	}
	return fmt.Sprintf("%q", n.Value)
}
