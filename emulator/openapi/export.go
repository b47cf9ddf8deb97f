package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/apigw-local/apigw-local/emulator/awserr"
	"github.com/apigw-local/apigw-local/emulator/store"
)

// Export types and extensions of GetExport.
const (
	TypeOAS30   = "oas30"
	TypeSwagger = "swagger"

	ExtensionIntegrations = "integrations"
	ExtensionAuthorizers  = "authorizers"
	ExtensionAPIGateway   = "apigateway"
	ExtensionPostman      = "postman"
)

// Content types of an export.
const (
	ContentTypeJSON = "application/json"
	ContentTypeYAML = "application/yaml"
)

// ExportOptions are the parameters of GetExport.
type ExportOptions struct {
	// Type is TypeOAS30 (the default) or TypeSwagger.
	Type string
	// Extensions adds x-amazon-apigateway-* extensions: ExtensionIntegrations the
	// integrations, ExtensionAuthorizers the authorizer schemes, ExtensionAPIGateway both and
	// the API-level ones (request validators, gateway responses, binary media types, ...).
	// ExtensionPostman is accepted and adds nothing.
	Extensions []string
	// YAML writes YAML instead of JSON.
	YAML bool
}

// exporter builds one export document from a deployment snapshot.
type exporter struct {
	snap                    *store.Snapshot
	swagger                 bool
	integrations, authzExt  bool
	apigateway              bool
	apiKeyScheme, iamScheme string
	schemeOf                map[string]string // authorizer id → scheme name
	validatorName           map[string]string // validator id → name
	usesAPIKey, usesIAM     bool
}

// Export writes the definition a stage serves (its deployment's snapshot, never the draft)
// as OpenAPI 3.0 or Swagger 2.0, returning the document and its content type.
func Export(st *store.Store, apiID, stage string, opts ExportOptions) ([]byte, string, error) {
	typ := strings.ToLower(opts.Type)
	if typ == "" {
		typ = TypeOAS30
	}
	if typ != TypeOAS30 && typ != TypeSwagger {
		return nil, "", awserr.New(awserr.BadRequest, "Invalid export type specified: %s. Valid options are oas30, swagger", opts.Type)
	}
	x := &exporter{swagger: typ == TypeSwagger}
	for _, e := range opts.Extensions {
		switch strings.ToLower(strings.TrimSpace(e)) {
		case ExtensionIntegrations:
			x.integrations = true
		case ExtensionAuthorizers:
			x.authzExt = true
		case ExtensionAPIGateway:
			x.integrations, x.authzExt, x.apigateway = true, true, true
		case ExtensionPostman, "":
		default:
			return nil, "", awserr.New(awserr.BadRequest, "Invalid extensions specified: %s. Valid options are integrations, authorizers, apigateway, postman", e)
		}
	}
	_, snap, err := st.StageSnapshot(apiID, stage)
	if err != nil {
		return nil, "", err
	}
	x.snap = snap
	doc := x.document(st.Region(), stage)
	if opts.YAML {
		var buf bytes.Buffer
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(doc); err != nil {
			return nil, "", fmt.Errorf("encode export as YAML: %w", err)
		}
		return buf.Bytes(), ContentTypeYAML, nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, "", fmt.Errorf("encode export as JSON: %w", err)
	}
	return buf.Bytes(), ContentTypeJSON, nil
}

// obj is a JSON object of the export; encoding/json and yaml write its keys sorted, which
// makes exports stable.
type obj = map[string]any

func (x *exporter) document(region, stage string) obj {
	api := x.snap.API
	x.names()
	info := obj{"title": api.Name, "version": api.Version}
	if api.Version == "" {
		// AWS writes the creation time when the API has no version.
		info["version"] = api.CreatedDate.Time().UTC().Format(time.RFC3339)
	}
	if api.Description != "" {
		info["description"] = api.Description
	}
	host := api.ID + ".execute-api." + region + ".amazonaws.com"
	doc := obj{"info": info, "paths": x.paths()}
	schemas := x.models()
	schemes := x.schemes()
	if x.swagger {
		doc["swagger"] = "2.0"
		doc["host"] = host
		doc["basePath"] = "/" + stage
		doc["schemes"] = []any{"https"}
		if len(schemas) > 0 {
			doc["definitions"] = schemas
		}
		if len(schemes) > 0 {
			doc["securityDefinitions"] = schemes
		}
	} else {
		doc["openapi"] = "3.0.1"
		server := obj{
			"url":       "https://" + host + "/{basePath}",
			"variables": obj{"basePath": obj{"default": stage}},
		}
		doc["servers"] = []any{server}
		components := obj{}
		if len(schemas) > 0 {
			components["schemas"] = schemas
		}
		if len(schemes) > 0 {
			components["securitySchemes"] = schemes
		}
		doc["components"] = components
	}
	if x.apigateway {
		x.apiExtensions(doc)
	}
	return doc
}

// names picks the security scheme names: authorizers by their names, "api_key" and "sigv4"
// for API keys and IAM unless an authorizer already has the name.
func (x *exporter) names() {
	x.schemeOf = map[string]string{}
	x.validatorName = map[string]string{}
	used := map[string]bool{}
	for _, id := range sortedKeys(x.snap.Authorizers) {
		a := x.snap.Authorizers[id]
		x.schemeOf[id] = a.Name
		used[a.Name] = true
	}
	unique := func(name string) string {
		for n, i := name, 1; ; i++ {
			if !used[n] {
				used[n] = true
				return n
			}
			n = fmt.Sprintf("%s%d", name, i)
		}
	}
	x.apiKeyScheme, x.iamScheme = unique("api_key"), unique("sigv4")
	for id, v := range x.snap.Validators {
		x.validatorName[id] = v.Name
	}
}

func (x *exporter) paths() obj {
	paths := obj{}
	hasChild := map[string]bool{}
	for _, r := range x.snap.Resources {
		hasChild[r.ParentID] = true
	}
	for _, r := range x.snap.Resources {
		if len(r.Methods) == 0 {
			// A leaf without methods is kept (as an empty path item) so it survives a
			// round trip; intermediate resources come back from their children's paths.
			if r.Path != "/" && !hasChild[r.ID] {
				paths[r.Path] = obj{}
			}
			continue
		}
		item := obj{}
		for _, verb := range sortedKeys(r.Methods) {
			key := strings.ToLower(verb)
			if verb == "ANY" {
				key = extAnyMethod
			}
			item[key] = x.operation(r, r.Methods[verb])
		}
		paths[r.Path] = item
	}
	return paths
}

// ref is a reference to a model in this export.
func (x *exporter) ref(model string) obj {
	if x.swagger {
		return obj{"$ref": "#/definitions/" + model}
	}
	return obj{"$ref": "#/components/schemas/" + model}
}

func (x *exporter) operation(r *store.Resource, m *store.Method) obj {
	op := obj{}
	if m.OperationName != "" {
		op["operationId"] = m.OperationName
	}
	var params []any
	seen := map[string]bool{}
	for _, key := range sortedKeys(m.RequestParameters) {
		loc, name, ok := strings.Cut(strings.TrimPrefix(key, "method.request."), ".")
		if !ok {
			continue
		}
		in := map[string]string{"path": "path", "querystring": "query", "multivaluequerystring": "query", "header": "header", "multivalueheader": "header"}[loc]
		if in == "" || seen[in+" "+name] {
			continue
		}
		seen[in+" "+name] = true
		p := obj{"name": name, "in": in}
		if required := m.RequestParameters[key] || in == "path"; required {
			p["required"] = true
		}
		if x.swagger {
			p["type"] = "string"
		} else {
			p["schema"] = obj{"type": "string"}
		}
		params = append(params, p)
	}
	if len(m.RequestModels) > 0 {
		cts := sortedKeys(m.RequestModels)
		if x.swagger {
			op["consumes"] = toAny(cts)
			model := m.RequestModels[cts[0]]
			params = append(params, obj{"in": "body", "name": model, "required": true, "schema": x.ref(model)})
		} else {
			content := obj{}
			for _, ct := range cts {
				content[ct] = obj{"schema": x.ref(m.RequestModels[ct])}
			}
			op["requestBody"] = obj{"content": content, "required": true}
		}
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	responses := obj{}
	var produces []string
	for _, code := range sortedKeys(m.MethodResponses) {
		mr := m.MethodResponses[code]
		resp := obj{"description": code + " response"}
		headers := obj{}
		for _, key := range sortedKeys(mr.ResponseParameters) {
			name, ok := strings.CutPrefix(key, "method.response.header.")
			if !ok {
				continue
			}
			h := obj{"type": "string"}
			if !x.swagger {
				h = obj{"schema": obj{"type": "string"}}
				if mr.ResponseParameters[key] {
					h["required"] = true
				}
			}
			headers[name] = h
		}
		if len(headers) > 0 {
			resp["headers"] = headers
		}
		if cts := sortedKeys(mr.ResponseModels); len(cts) > 0 {
			if x.swagger {
				resp["schema"] = x.ref(mr.ResponseModels[cts[0]])
				produces = append(produces, cts...)
			} else {
				content := obj{}
				for _, ct := range cts {
					content[ct] = obj{"schema": x.ref(mr.ResponseModels[ct])}
				}
				resp["content"] = content
			}
		}
		responses[code] = resp
	}
	op["responses"] = responses
	if len(produces) > 0 {
		slices.Sort(produces)
		op["produces"] = toAny(slices.Compact(produces))
	}
	if sec := x.security(m); sec != nil {
		op["security"] = []any{sec}
	}
	if x.apigateway && m.RequestValidatorID != "" {
		if name, ok := x.validatorName[m.RequestValidatorID]; ok {
			op[extRequestValidator] = name
		}
	}
	if x.integrations && m.Integration != nil {
		op[extIntegration] = x.integration(r, m.Integration)
	}
	return op
}

// security is the operation's requirement object: every scheme it needs, together.
func (x *exporter) security(m *store.Method) obj {
	sec := obj{}
	if m.APIKeyRequired {
		sec[x.apiKeyScheme] = []any{}
		x.usesAPIKey = true
	}
	switch m.AuthorizationType {
	case "AWS_IAM":
		sec[x.iamScheme] = []any{}
		x.usesIAM = true
	case "CUSTOM", "COGNITO_USER_POOLS":
		if name, ok := x.schemeOf[m.AuthorizerID]; ok {
			sec[name] = toAny(m.AuthorizationScopes)
		}
	}
	if len(sec) == 0 {
		return nil
	}
	return sec
}

func (x *exporter) integration(r *store.Resource, it *store.Integration) obj {
	out := obj{"type": strings.ToLower(it.Type)}
	set := func(k, v string) {
		if v != "" {
			out[k] = v
		}
	}
	set("uri", it.URI)
	set("httpMethod", it.HTTPMethod)
	set("credentials", it.Credentials)
	if it.ConnectionType == "VPC_LINK" {
		out["connectionType"] = it.ConnectionType
	}
	set("connectionId", it.ConnectionID)
	set("passthroughBehavior", strings.ToLower(it.PassthroughBehavior))
	set("contentHandling", it.ContentHandling)
	if it.CacheNamespace != r.ID {
		set("cacheNamespace", it.CacheNamespace)
	}
	if len(it.CacheKeyParameters) > 0 {
		out["cacheKeyParameters"] = toAny(it.CacheKeyParameters)
	}
	if it.TimeoutInMillis != 0 && it.TimeoutInMillis != store.DefaultTimeoutMillis {
		out["timeoutInMillis"] = it.TimeoutInMillis
	}
	if len(it.RequestParameters) > 0 {
		out["requestParameters"] = strMap(it.RequestParameters)
	}
	if len(it.RequestTemplates) > 0 {
		out["requestTemplates"] = strMap(it.RequestTemplates)
	}
	if it.TLSConfig != nil {
		out["tlsConfig"] = obj{"insecureSkipVerification": it.TLSConfig.InsecureSkipVerification}
	}
	if len(it.IntegrationResponses) > 0 {
		responses := obj{}
		for _, code := range sortedKeys(it.IntegrationResponses) {
			ir := it.IntegrationResponses[code]
			resp := obj{"statusCode": code}
			if len(ir.ResponseParameters) > 0 {
				resp["responseParameters"] = strMap(ir.ResponseParameters)
			}
			if len(ir.ResponseTemplates) > 0 {
				resp["responseTemplates"] = strMap(ir.ResponseTemplates)
			}
			if ir.ContentHandling != "" {
				resp["contentHandling"] = ir.ContentHandling
			}
			key := "default"
			if ir.SelectionPattern != nil {
				key = *ir.SelectionPattern
			}
			if _, taken := responses[key]; !taken {
				responses[key] = resp
			}
		}
		out["responses"] = responses
	}
	return out
}

// models writes every model of the snapshot with its references in document form.
func (x *exporter) models() obj {
	out := obj{}
	for _, name := range sortedKeys(x.snap.Models) {
		m := x.snap.Models[name]
		var schema any = obj{}
		if m.Schema != "" {
			dec := json.NewDecoder(strings.NewReader(m.Schema))
			dec.UseNumber()
			var v any
			if err := dec.Decode(&v); err == nil {
				schema = x.localRefs(v)
			}
		}
		if s, ok := schema.(map[string]any); ok && m.Description != "" && s["description"] == nil {
			s["description"] = m.Description
		}
		out[name] = schema
	}
	return out
}

// localRefs turns references to models of the API back into document references, and JSON
// numbers into Go numbers (so YAML writes them as numbers).
func (x *exporter) localRefs(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if s, ok := e.(string); ok && k == "$ref" && strings.HasPrefix(s, ModelURLPrefix) {
				if _, name, ok := strings.Cut(strings.TrimPrefix(s, ModelURLPrefix), "/models/"); ok {
					t[k] = x.ref(name)["$ref"]
					continue
				}
			}
			t[k] = x.localRefs(e)
		}
		return t
	case []any:
		for i, e := range t {
			t[i] = x.localRefs(e)
		}
		return t
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		if f, err := t.Float64(); err == nil {
			return f
		}
		return t.String()
	}
	return v
}

// schemes writes the security schemes: API key and IAM when methods use them, and every
// authorizer (with its x-amazon-apigateway-authorizer when asked).
func (x *exporter) schemes() obj {
	out := obj{}
	if x.usesAPIKey {
		out[x.apiKeyScheme] = obj{"type": "apiKey", "name": "x-api-key", "in": "header"}
	}
	if x.usesIAM {
		out[x.iamScheme] = obj{"type": "apiKey", "name": "Authorization", "in": "header", extAuthType: "awsSigv4"}
	}
	for id, name := range x.schemeOf {
		a := x.snap.Authorizers[id]
		header := "Unused"
		if h, ok := strings.CutPrefix(a.IdentitySource, "method.request.header."); ok && !strings.Contains(h, ",") {
			header = h
		}
		s := obj{"type": "apiKey", "name": header, "in": "header"}
		if x.authzExt {
			authType := a.AuthType
			if authType == "" {
				authType = "custom"
				if a.Type == "COGNITO_USER_POOLS" {
					authType = "cognito_user_pools"
				}
			}
			s[extAuthType] = authType
			ext := obj{"type": strings.ToLower(a.Type)}
			set := func(k, v string) {
				if v != "" {
					ext[k] = v
				}
			}
			set("authorizerUri", a.AuthorizerURI)
			set("authorizerCredentials", a.AuthorizerCredentials)
			set("identitySource", a.IdentitySource)
			set("identityValidationExpression", a.IdentityValidationExpression)
			if a.AuthorizerResultTTLInSeconds != nil {
				ext["authorizerResultTtlInSeconds"] = *a.AuthorizerResultTTLInSeconds
			}
			if len(a.ProviderARNs) > 0 {
				ext["providerARNs"] = toAny(a.ProviderARNs)
			}
			s[extAuthorizer] = ext
		}
		out[name] = s
	}
	return out
}

// apiExtensions adds the API-level extensions of extensions=apigateway.
func (x *exporter) apiExtensions(doc obj) {
	api := x.snap.API
	if api.APIKeySource != "" && api.APIKeySource != "HEADER" {
		doc[extAPIKeySource] = api.APIKeySource
	}
	if len(api.BinaryMediaTypes) > 0 {
		doc[extBinaryMediaTypes] = toAny(api.BinaryMediaTypes)
	}
	if api.MinimumCompressionSize != nil {
		doc[extMinimumCompressionSize] = *api.MinimumCompressionSize
	}
	if api.Policy != "" {
		var policy any
		if err := json.Unmarshal([]byte(api.Policy), &policy); err == nil {
			doc[extPolicy] = policy
		} else {
			doc[extPolicy] = api.Policy
		}
	}
	if api.DisableExecuteAPIEndpoint || len(api.EndpointConfiguration.VpcEndpointIDs) > 0 {
		ec := obj{"disableExecuteApiEndpoint": api.DisableExecuteAPIEndpoint}
		if len(api.EndpointConfiguration.VpcEndpointIDs) > 0 {
			ec["vpcEndpointIds"] = toAny(api.EndpointConfiguration.VpcEndpointIDs)
		}
		if x.swagger {
			doc[extEndpointConfiguration] = ec
		} else {
			doc["servers"].([]any)[0].(obj)[extEndpointConfiguration] = ec
		}
	}
	if len(x.snap.Validators) > 0 {
		vs := obj{}
		for _, v := range x.snap.Validators {
			vs[v.Name] = obj{"validateRequestBody": v.ValidateRequestBody, "validateRequestParameters": v.ValidateRequestParameters}
		}
		doc[extRequestValidators] = vs
	}
	if len(x.snap.GatewayResponses) > 0 {
		gs := obj{}
		for typ, g := range x.snap.GatewayResponses {
			e := obj{}
			if g.StatusCode != "" {
				e["statusCode"] = g.StatusCode
			}
			if len(g.ResponseParameters) > 0 {
				e["responseParameters"] = strMap(g.ResponseParameters)
			}
			if len(g.ResponseTemplates) > 0 {
				e["responseTemplates"] = strMap(g.ResponseTemplates)
			}
			gs[typ] = e
		}
		doc[extGatewayResponses] = gs
	}
}

func toAny(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}

func strMap(m map[string]string) obj {
	out := make(obj, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
