package openapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/apigw-local/apigw-local/emulator/store"
)

// ModelURLPrefix is how API Gateway writes a reference to another model of the same API in a
// model schema: ModelURLPrefix + apiID + "/models/" + name (AWS-recorded GetModels after
// ImportRestApi).
const ModelURLPrefix = "https://apigateway.amazonaws.com/restapis/"

// ModelURL is the reference to model name of REST API apiID in a model schema.
func ModelURL(apiID, name string) string { return ModelURLPrefix + apiID + "/models/" + name }

var modelNameRE = regexp.MustCompile(`^[a-zA-Z0-9]+$`)

// modelSource is a model to create: its name, description and schema as written.
type modelSource struct {
	name        string
	description string
	schema      any
}

// localModelName returns the model a local reference names ("#/definitions/Pet",
// "#/components/schemas/Pet"), or "" for any other reference.
func localModelName(ref string) string {
	for _, prefix := range []string{"#/definitions/", "#/components/schemas/"} {
		if name, ok := strings.CutPrefix(ref, prefix); ok && !strings.Contains(name, "/") {
			return strings.ReplaceAll(strings.ReplaceAll(name, "~1", "/"), "~0", "~")
		}
	}
	return ""
}

// collectModels reads definitions (Swagger 2.0) or components.schemas (OpenAPI 3).
func (b *builder) collectModels() error {
	var schemas any
	at := "definitions"
	if b.doc.swagger {
		schemas = b.doc.raw["definitions"]
	} else {
		at = "components.schemas"
		if c, ok := b.doc.raw["components"].(map[string]any); ok {
			schemas = c["schemas"]
		}
	}
	if schemas == nil {
		return nil
	}
	m, ok := schemas.(map[string]any)
	if !ok {
		return invalidInput("'%s' must be an object, not %s.", at, describe(schemas))
	}
	for _, name := range sortedKeys(m) {
		schema, ok := m[name].(map[string]any)
		if !ok {
			if _, isBool := m[name].(bool); !isBool {
				return invalidInput("The schema %s%s must be an object, not %s.", at, member(name), describe(m[name]))
			}
		}
		if !modelNameRE.MatchString(name) {
			b.warn("Model name must be alphanumeric: %s. Ignoring the model %s%s.", name, at, member(name))
			continue
		}
		src := &modelSource{name: name, schema: m[name]}
		if d, ok := schema["description"].(string); ok {
			src.description = d
		}
		b.models = append(b.models, src)
		b.modelNames[name] = true
	}
	for _, src := range b.models {
		b.checkModelRefs(src.schema, "the model '"+src.name+"'")
	}
	return nil
}

// checkModelRefs warns about references to models that will not exist.
func (b *builder) checkModelRefs(v any, where string) {
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["$ref"].(string); ok {
			if name := localModelName(ref); name != "" && !b.modelNames[name] {
				b.warn("Reference to model '%s' not found in %s. Ignoring.", name, where)
			}
		}
		for _, k := range sortedKeys(x) {
			if k != "example" && !strings.HasPrefix(k, "x-") {
				b.checkModelRefs(x[k], where)
			}
		}
	case []any:
		for _, e := range x {
			b.checkModelRefs(e, where)
		}
	}
}

// modelFor returns the model a request or response schema uses: the referenced model, or
// for an inline schema a MODEL<hash> model created for it, as AWS does. "" means none.
func (b *builder) modelFor(s *openapi3.SchemaRef, where string) string {
	if s == nil {
		return ""
	}
	if s.Ref != "" {
		if name := localModelName(s.Ref); name != "" {
			if b.modelNames[name] {
				return name
			}
			b.warn("Reference to model '%s' not found at %s. Ignoring.", name, where)
			return ""
		}
	}
	if s.Value == nil {
		return ""
	}
	body, err := json.Marshal(s.Value)
	if err != nil {
		b.warn("The schema at %s cannot be stored as a model (%v). Ignoring.", where, err)
		return ""
	}
	var tree any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&tree); err != nil {
		return ""
	}
	canonical, _ := json.Marshal(tree) // a decoded tree always marshals, with sorted keys
	sum := sha256.Sum256(canonical)
	name := "MODEL" + hex.EncodeToString(sum[:])[:6]
	if !b.modelNames[name] {
		src := &modelSource{name: name, schema: tree}
		if m, ok := tree.(map[string]any); ok {
			if d, ok := m["description"].(string); ok {
				src.description = d
			}
		}
		b.models = append(b.models, src)
		b.modelNames[name] = true
		b.checkModelRefs(tree, where)
	}
	return name
}

// rewriteRefs copies a schema with its references to models in the form AWS stores.
// References to models that are not created (warned about) are left as written.
func rewriteRefs(v any, apiID string, models map[string]bool) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if ref, ok := e.(string); ok && k == "$ref" {
				if name := localModelName(ref); models[name] {
					out[k] = ModelURL(apiID, name)
					continue
				}
			}
			out[k] = rewriteRefs(e, apiID, models)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = rewriteRefs(e, apiID, models)
		}
		return out
	}
	return v
}

// storeModels renders the models of the definition for REST API apiID.
func (b *builder) storeModels(apiID string) []*store.Model {
	out := make([]*store.Model, 0, len(b.models))
	for _, src := range b.models {
		out = append(out, &store.Model{
			Name:        src.name,
			Description: src.description,
			ContentType: "application/json",
			Schema:      marshalJSON(rewriteRefs(src.schema, apiID, b.modelNames)),
		})
	}
	return out
}

// marshalJSON encodes a generic value without escaping <, > and &, which schemas and
// templates use literally.
func marshalJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // generic values from a decoded document always encode
	return strings.TrimSuffix(buf.String(), "\n")
}
