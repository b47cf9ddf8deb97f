package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"

	"github.com/apigw-local/apigw-local/emulator/awserr"
)

// Limits that keep a hostile document from exhausting the process (YAML aliases can expand
// exponentially; deep nesting costs stack in every walker).
const (
	maxNodes = 1 << 20
	maxDepth = 500
)

// invalidInput is the BadRequestException of a document that cannot be read; AWS's words
// come first, then what is wrong and where.
func invalidInput(format string, args ...any) error {
	return awserr.New(awserr.BadRequest, "Invalid OpenAPI input. "+format, args...)
}

// document is a parsed import: the generic tree of the file (for model schemas, which are
// kept as written) and the kin-openapi model of it (Swagger 2.0 converted to OpenAPI 3).
type document struct {
	raw     map[string]any
	swagger bool
	oas     *openapi3.T
	// anyMethod holds the x-amazon-apigateway-any-method operation of each path.
	anyMethod map[string]*openapi3.Operation
}

// decodeTree reads a JSON or YAML document into maps, slices and scalars (numbers as
// json.Number).
func decodeTree(data []byte) (any, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, invalidInput("The document is empty.")
	}
	if trimmed[0] == '{' || trimmed[0] == '[' {
		v, syntax, jerr := decodeJSON(trimmed)
		if jerr == nil || !syntax {
			return v, jerr
		}
		// Not valid JSON; YAML's flow style accepts some of what JSON does not (trailing
		// commas, comments), and so does AWS.
		if v, yerr := decodeYAML(data); yerr == nil {
			return v, nil
		}
		return nil, jerr
	}
	return decodeYAML(data)
}

// decodeJSON decodes a JSON document; syntax reports whether a failure is a syntax error
// (which YAML may still read).
func decodeJSON(data []byte) (v any, syntax bool, err error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := position(data, se.Offset)
			return nil, true, invalidInput("JSON syntax error at line %d, column %d: %s.", line, col, strings.TrimPrefix(se.Error(), "json: "))
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, false, invalidInput("JSON syntax error: the document ends before it is complete.")
		}
		return nil, false, invalidInput("JSON syntax error: %v.", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		line, col := position(data, dec.InputOffset())
		return nil, false, invalidInput("JSON syntax error at line %d, column %d: unexpected data after the top-level value.", line, col)
	}
	if err := checkDepth(v, 0); err != nil {
		return nil, false, err
	}
	return v, false, nil
}

// position converts the offset encoding/json reports (just past the offending byte) into
// the 1-based line and column of that byte.
func position(data []byte, offset int64) (line, col int) {
	i := min(max(int(offset)-1, 0), len(data))
	before := data[:i]
	line = bytes.Count(before, []byte("\n")) + 1
	col = i - bytes.LastIndexByte(before, '\n')
	return line, col
}

func checkDepth(v any, depth int) error {
	if depth > maxDepth {
		return invalidInput("The document nests objects and arrays more than %d levels deep.", maxDepth)
	}
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			if err := checkDepth(e, depth+1); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range x {
			if err := checkDepth(e, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func decodeYAML(data []byte) (any, error) {
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		return nil, invalidInput("YAML syntax error: %s.", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	c := &yamlConverter{}
	return c.convert(&n, 0)
}

// yamlConverter turns a YAML node tree into generic values, counting nodes so aliases
// cannot expand without bound.
type yamlConverter struct{ nodes int }

func (c *yamlConverter) convert(n *yaml.Node, depth int) (any, error) {
	c.nodes++
	if c.nodes > maxNodes {
		return nil, invalidInput("The document is too large once its YAML aliases are expanded.")
	}
	if depth > maxDepth {
		return nil, invalidInput("The document nests objects and arrays more than %d levels deep.", maxDepth)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.convert(n.Content[0], depth)
	case yaml.AliasNode:
		return c.convert(n.Alias, depth+1)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, e := range n.Content {
			v, err := c.convert(e, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		var merges []*yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			for k.Kind == yaml.AliasNode && k.Alias != nil {
				k = k.Alias
			}
			if k.Kind != yaml.ScalarNode {
				return nil, invalidInput("YAML error at line %d: mapping keys must be scalars.", k.Line)
			}
			if k.ShortTag() == "!!merge" {
				merges = append(merges, v)
				continue
			}
			if _, dup := out[k.Value]; dup {
				return nil, invalidInput("YAML error at line %d: the key %q is defined twice.", k.Line, k.Value)
			}
			val, err := c.convert(v, depth+1)
			if err != nil {
				return nil, err
			}
			out[k.Value] = val
		}
		for _, m := range merges {
			v, err := c.convert(m, depth+1)
			if err != nil {
				return nil, err
			}
			var srcs []any
			switch x := v.(type) {
			case map[string]any:
				srcs = []any{x}
			case []any:
				srcs = x
			}
			for _, s := range srcs {
				if sm, ok := s.(map[string]any); ok {
					for k, e := range sm {
						if _, set := out[k]; !set {
							out[k] = e
						}
					}
				}
			}
		}
		return out, nil
	case yaml.ScalarNode:
		return scalar(n), nil
	}
	return nil, nil
}

// scalar resolves a YAML scalar by its tag; numbers become json.Number.
func scalar(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		b, err := strconv.ParseBool(strings.ToLower(n.Value))
		if err != nil {
			return n.Value
		}
		return b
	case "!!int":
		s := strings.ReplaceAll(n.Value, "_", "")
		if i, err := strconv.ParseInt(s, 0, 64); err == nil {
			return json.Number(strconv.FormatInt(i, 10))
		}
		return n.Value
	case "!!float":
		f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return n.Value
		}
		return json.Number(n.Value)
	}
	return n.Value
}

// parseDocument reads an import document. Only syntax, the version field and references
// are checked strictly; everything kin-openapi's validation would add is left out.
func parseDocument(data []byte) (doc *document, err error) {
	tree, err := decodeTree(data)
	if err != nil {
		return nil, err
	}
	raw, ok := tree.(map[string]any)
	if !ok {
		return nil, invalidInput("The document must be a JSON or YAML object with a 'swagger' or 'openapi' field, not %s.", describe(tree))
	}
	doc = &document{raw: raw, anyMethod: map[string]*openapi3.Operation{}}
	switch {
	case raw["swagger"] != nil:
		if v := fmt.Sprint(raw["swagger"]); v != "2.0" && v != "2" {
			return nil, invalidInput("Unsupported swagger version %q: only 2.0 is supported.", v)
		}
		raw["swagger"] = "2.0"
		doc.swagger = true
	case raw["openapi"] != nil:
		v := fmt.Sprint(raw["openapi"])
		if !strings.HasPrefix(v, "3.") && v != "3" {
			return nil, invalidInput("Unsupported openapi version %q: only 3.0.x (and 2.0 as 'swagger') are supported.", v)
		}
		raw["openapi"] = v
	default:
		return nil, invalidInput("The document has neither a 'swagger: \"2.0\"' nor an 'openapi: 3.0.x' field.")
	}
	if err := normalise(raw); err != nil {
		return nil, err
	}
	if err := checkRefs(raw, raw, "", 0); err != nil {
		return nil, err
	}
	synthetic := liftAnyMethods(raw)
	body, err := json.Marshal(raw)
	if err != nil {
		return nil, invalidInput("%v", err)
	}
	defer func() {
		// kin-openapi panics on a few malformed inputs (form parameters it cannot pair up);
		// such a document is as unreadable as one it rejects.
		if r := recover(); r != nil {
			doc, err = nil, awserr.New(awserr.BadRequest, "Unable to build importer with provided input. The document could not be read: %v", r)
		}
	}()
	if doc.oas, err = load(body, doc.swagger); err != nil {
		return nil, err
	}
	if doc.oas.Paths == nil {
		doc.oas.Paths = openapi3.NewPaths()
	}
	for key, path := range synthetic {
		if item := doc.oas.Paths.Value(key); item != nil && item.Get != nil {
			doc.anyMethod[path] = item.Get
		}
		doc.oas.Paths.Delete(key)
	}
	return doc, nil
}

func load(body []byte, swagger bool) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	if !swagger {
		t, err := loader.LoadFromData(body)
		if err != nil {
			return nil, invalidInput("%s.", kinError(err))
		}
		return t, nil
	}
	var d2 openapi2.T
	if err := json.Unmarshal(body, &d2); err != nil {
		return nil, invalidInput("%s.", kinError(err))
	}
	// Swagger 2.0 without consumes means JSON bodies (AWS imports them as application/json).
	if len(d2.Consumes) == 0 {
		d2.Consumes = []string{"application/json"}
	}
	t, err := openapi2conv.ToV3WithLoader(&d2, loader, nil)
	if err != nil {
		return nil, invalidInput("%s.", kinError(err))
	}
	return t, nil
}

// kinError trims kin-openapi's double report (JSON and YAML attempts) to the JSON one: the
// loader is always given JSON.
func kinError(err error) string {
	msg := err.Error()
	if _, after, ok := strings.Cut(msg, "json error: "); ok {
		msg, _, _ = strings.Cut(after, ", yaml error:")
	}
	msg = strings.TrimPrefix(msg, "json: ")
	msg = strings.ReplaceAll(msg, "Go struct field ", "")
	return strings.TrimSuffix(msg, ".")
}

// normalise makes the tree acceptable to kin-openapi's typed model where AWS is lenient:
// numbers where strings are expected (info.version: 1.0) and a missing info object.
func normalise(raw map[string]any) error {
	info, ok := raw["info"].(map[string]any)
	if raw["info"] != nil && !ok {
		return invalidInput("'info' must be an object, not %s.", describe(raw["info"]))
	}
	if info == nil {
		info = map[string]any{}
		raw["info"] = info
	}
	for _, k := range []string{"title", "version", "description"} {
		switch v := info[k].(type) {
		case nil, string:
		case json.Number, bool:
			info[k] = fmt.Sprint(v)
		default:
			return invalidInput("'info.%s' must be a string, not %s.", k, describe(v))
		}
	}
	// Swagger's host must be a bare host; documents written as "api.example.com/v1" still
	// import on AWS, and the host plays no part in the import.
	if host, ok := raw["host"].(string); ok {
		raw["host"], _, _ = strings.Cut(strings.TrimPrefix(strings.TrimPrefix(host, "https://"), "http://"), "/")
	} else if raw["host"] != nil {
		delete(raw, "host")
	}
	if raw["paths"] != nil {
		if _, ok := raw["paths"].(map[string]any); !ok {
			return invalidInput("'paths' must be an object, not %s.", describe(raw["paths"]))
		}
	}
	return nil
}

// checkRefs verifies that every $ref is local and resolves, so a broken reference is
// reported with where it is rather than as kin-openapi's resolution failure.
func checkRefs(root map[string]any, v any, at string, depth int) error {
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["$ref"]; ok {
			s, isStr := ref.(string)
			if !isStr {
				return invalidInput("The $ref at %s must be a string, not %s.", orRoot(at), describe(ref))
			}
			if !strings.HasPrefix(s, "#") {
				return invalidInput("The $ref '%s' at %s is not supported: only references inside the document ('#/...') are.", s, orRoot(at))
			}
			if _, err := resolvePointer(root, s); err != nil {
				return invalidInput("The $ref '%s' at %s cannot be resolved: %v.", s, orRoot(at), err)
			}
		}
		for _, k := range sortedKeys(x) {
			// Examples and extensions hold free-form data where "$ref" is not a reference;
			// the any-method extension is an operation like the others.
			if k == "example" || (strings.HasPrefix(k, "x-") && k != extAnyMethod) {
				continue
			}
			if err := checkRefs(root, x[k], at+member(k), depth+1); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range x {
			if err := checkRefs(root, e, fmt.Sprintf("%s[%d]", at, i), depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// resolvePointer follows a local JSON pointer ("#/definitions/Pet").
func resolvePointer(root map[string]any, ref string) (any, error) {
	p := strings.TrimPrefix(ref, "#")
	if p == "" {
		return root, nil
	}
	if !strings.HasPrefix(p, "/") {
		return nil, errors.New("a local reference must start with '#/'")
	}
	var cur any = root
	for _, tok := range strings.Split(p[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch x := cur.(type) {
		case map[string]any:
			next, ok := x[tok]
			if !ok {
				return nil, fmt.Errorf("there is no '%s'", tok)
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil, fmt.Errorf("there is no element '%s'", tok)
			}
			cur = x[i]
		default:
			return nil, fmt.Errorf("'%s' is not inside an object", tok)
		}
	}
	return cur, nil
}

// anyMethodKey marks the synthetic path that carries an x-amazon-apigateway-any-method
// operation through kin-openapi as a GET, so its references and (for Swagger 2.0) its body
// parameters are converted like any other operation's.
const anyMethodKey = "/\x00apigw-local-any-method/"

// liftAnyMethods moves each path's x-amazon-apigateway-any-method into a synthetic path and
// returns synthetic key → original path.
func liftAnyMethods(raw map[string]any) map[string]string {
	paths, _ := raw["paths"].(map[string]any)
	out := map[string]string{}
	for i, p := range sortedKeys(paths) {
		item, ok := paths[p].(map[string]any)
		if !ok {
			continue
		}
		op, ok := item[extAnyMethod]
		if !ok {
			continue
		}
		if _, isObj := op.(map[string]any); !isObj {
			continue // left in place for the builder to report
		}
		delete(item, extAnyMethod)
		key := anyMethodKey + strconv.Itoa(i)
		synth := map[string]any{"get": op}
		if params, ok := item["parameters"]; ok {
			synth["parameters"] = params
		}
		paths[key] = synth
		out[key] = p
	}
	return out
}

// describe names the JSON type of a value for error messages.
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64, int, int64:
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}

// member appends a key to a location in the readable form paths['/pets'].get.
func member(k string) string {
	if k != "" && strings.IndexFunc(k, func(r rune) bool {
		return !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) < 0 {
		return "." + k
	}
	return "['" + k + "']"
}

func orRoot(at string) string {
	if at == "" {
		return "the document root"
	}
	return strings.TrimPrefix(at, ".")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
