package dataplane

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/apigw-local/apigw-local/emulator/store"
)

// modelURLPrefix is how API Gateway names models in schema references:
// https://apigateway.amazonaws.com/restapis/{apiId}/models/{name}.
const modelURLPrefix = "https://apigateway.amazonaws.com/restapis/"

// Validation is a method's compiled request validator: the required parameters and the
// model schemas its body is checked against.
type Validation struct {
	// Required are the parameters marked required (method.request.{header|path|querystring|
	// multivalueheader|multivaluequerystring}.x: true), headers first, then path, then query
	// string, each in name order — the order AWS lists them in its message.
	Required []RequiredParam
	// Schemas are the request models by lower-cased media type ("$default" included); nil
	// when the validator does not check bodies.
	Schemas map[string]*jsonschema.Schema
}

// RequiredParam is one required request parameter.
type RequiredParam struct {
	Location string // header, path or querystring
	Name     string
}

var paramLocationRank = map[string]int{"header": 0, "multivalueheader": 0, "path": 1, "querystring": 2, "multivaluequerystring": 2}

// compileValidation compiles the request validator of m, or returns nil when the method has
// none. Schemas that do not compile are logged and not checked.
func compileValidation(snap *store.Snapshot, m *store.Method, schemas *schemaSet, where string, log *slog.Logger) *Validation {
	v := snap.Validators[m.RequestValidatorID]
	if m.RequestValidatorID == "" || v == nil || !v.ValidateRequestParameters && !v.ValidateRequestBody {
		return nil
	}
	val := &Validation{}
	if v.ValidateRequestParameters {
		for name, required := range m.RequestParameters {
			rest, ok := strings.CutPrefix(name, "method.request.")
			loc, pname, _ := strings.Cut(rest, ".")
			if _, known := paramLocationRank[loc]; ok && known && required && pname != "" {
				val.Required = append(val.Required, RequiredParam{Location: loc, Name: pname})
			}
		}
		slices.SortFunc(val.Required, func(a, b RequiredParam) int {
			if d := paramLocationRank[a.Location] - paramLocationRank[b.Location]; d != 0 {
				return d
			}
			return strings.Compare(a.Name, b.Name)
		})
	}
	if v.ValidateRequestBody && len(m.RequestModels) > 0 {
		val.Schemas = map[string]*jsonschema.Schema{}
		for _, ct := range slices.Sorted(maps.Keys(m.RequestModels)) {
			sch, err := schemas.compile(m.RequestModels[ct])
			if err != nil {
				log.Warn("request model does not compile as a JSON schema (draft 4); bodies of this content type are not validated",
					"method", where, "contentType", ct, "model", m.RequestModels[ct], "err", err)
				continue
			}
			key := ct
			if ct != "$default" {
				key = normalMediaType(ct)
			}
			val.Schemas[key] = sch
		}
	}
	return val
}

// schemaSet compiles an API's models as JSON schemas (draft 4, as API Gateway uses). Models
// refer to each other by their model URLs; no other reference is resolved (a schema can
// reach no file or network address).
type schemaSet struct {
	models   map[string]*store.Model
	compiler *jsonschema.Compiler
	compiled map[string]*jsonschema.Schema
}

func newSchemaSet(models map[string]*store.Model) *schemaSet {
	s := &schemaSet{models: models, compiled: map[string]*jsonschema.Schema{}}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	c.UseLoader(s)
	s.compiler = c
	return s
}

// Load resolves a model URL (of any API id: imports and clones keep their references).
func (s *schemaSet) Load(url string) (any, error) {
	rest, ok := strings.CutPrefix(url, modelURLPrefix)
	if !ok {
		return nil, fmt.Errorf("schema reference %s is not a model of this API: only %s{apiId}/models/{name} references are resolved", url, modelURLPrefix)
	}
	_, name, ok := strings.Cut(rest, "/models/")
	m := s.models[name]
	if !ok || m == nil {
		return nil, fmt.Errorf("schema reference %s names no model of this API", url)
	}
	return jsonschema.UnmarshalJSON(strings.NewReader(m.Schema))
}

func (s *schemaSet) compile(model string) (*jsonschema.Schema, error) {
	if sch, ok := s.compiled[model]; ok {
		return sch, nil
	}
	if s.models[model] == nil {
		return nil, fmt.Errorf("no model named %s", model)
	}
	sch, err := s.compiler.Compile(modelURLPrefix + "local/models/" + model)
	if err != nil {
		return nil, err
	}
	s.compiled[model] = sch
	return sch, nil
}

// validateRequest is the built-in request validation step: required parameters
// (BAD_REQUEST_PARAMETERS) then the body against the model of its content type
// (BAD_REQUEST_BODY), for methods whose request validator asks for them.
func (h *Handler) validateRequest(x *Exchange) error {
	v := x.Method.Validation
	if v == nil {
		return nil
	}
	var missing []string
	for _, p := range v.Required {
		if !x.hasParam(p) {
			missing = append(missing, p.Name)
		}
	}
	if len(missing) > 0 {
		msg := "Missing required request parameters: [" + strings.Join(missing, ", ") + "]"
		return &GatewayError{Type: "BAD_REQUEST_PARAMETERS", Message: msg, Spaced: true, ValidationError: msg}
	}
	if v.Schemas == nil {
		return nil
	}
	ct := x.Req.Header.Get("Content-Type")
	if ct == "" {
		ct = "application/json"
	}
	sch, ok := v.Schemas[normalMediaType(ct)]
	if !ok {
		if sch, ok = v.Schemas["$default"]; !ok {
			return nil
		}
	}
	body := x.Body
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}") // an empty body is validated as an empty object
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err == nil {
		err = sch.Validate(doc)
	}
	if err != nil {
		return &GatewayError{Type: "BAD_REQUEST_BODY", Message: "Invalid request body", Spaced: true, ValidationError: validationString(err)}
	}
	return nil
}

// hasParam reports whether the request carries a required parameter.
func (x *Exchange) hasParam(p RequiredParam) bool {
	switch p.Location {
	case "header", "multivalueheader":
		return len(x.Req.Header.Values(p.Name)) > 0
	case "path":
		v, ok := x.PathParam(p.Name)
		return ok && v != ""
	default:
		return len(x.Query[p.Name]) > 0
	}
}

// validationString is $context.error.validationErrorString: the schema errors as a
// bracketed list, the form API Gateway prints them in.
func validationString(err error) string {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return "[" + err.Error() + "]"
	}
	var msgs []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			msgs = append(msgs, e.Error()) // "at '/name': missing property ..."
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return "[" + strings.Join(msgs, ", ") + "]"
}
