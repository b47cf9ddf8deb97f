package openapi

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/apigw-local/apigw-local/emulator/store"
)

// builder turns a parsed document into a store.Definition, collecting warnings. It does all
// of its checking before the store is touched.
type builder struct {
	doc      *document
	opts     ImportOptions
	warnings []string

	models           []*modelSource
	modelNames       map[string]bool
	schemes          map[string]scheme
	authorizers      []*store.Authorizer
	validators       []*store.RequestValidator
	defaultValidator string
	gatewayResponses []*store.GatewayResponse
	resources        map[string]*store.Resource // by path, after the base path is applied
	settings         apiSettings
}

// apiSettings are the REST API settings a document carries; a nil pointer means the document
// does not say.
type apiSettings struct {
	name, description, version string
	binaryMediaTypes           *[]string
	minimumCompressionSize     *int
	apiKeySource               *string
	policy                     *string
	disableExecuteAPIEndpoint  *bool
	vpcEndpointIDs             *[]string
}

func (b *builder) warn(format string, args ...any) {
	b.warnings = append(b.warnings, fmt.Sprintf(format, args...))
}

// newBuilder parses and checks a document completely.
func newBuilder(data []byte, opts ImportOptions) (*builder, error) {
	doc, err := parseDocument(data)
	if err != nil {
		return nil, err
	}
	b := &builder{
		doc: doc, opts: opts,
		modelNames: map[string]bool{},
		schemes:    map[string]scheme{},
		resources:  map[string]*store.Resource{},
	}
	for _, step := range []func() error{b.collectSettings, b.collectModels, b.collectValidators, b.collectSchemes, b.collectGatewayResponses, b.collectPaths} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// collectSettings reads info and the API-level extensions.
func (b *builder) collectSettings() error {
	info := b.doc.oas.Info
	if info != nil {
		b.settings.name, b.settings.description, b.settings.version = info.Title, info.Description, info.Version
	}
	x := b.doc.oas.Extensions
	if v, ok := x[extBinaryMediaTypes]; ok {
		e := newExt(extBinaryMediaTypes, "", map[string]any{"value": v})
		list := e.strList("value")
		if e.err != nil {
			return invalidInput("%s must be an array of media types, not %s.", extBinaryMediaTypes, describe(v))
		}
		b.settings.binaryMediaTypes = &list
	}
	if v, ok := x[extMinimumCompressionSize]; ok {
		n, err := asInt(v)
		if err != nil {
			return invalidInput("%s %v.", extMinimumCompressionSize, err)
		}
		b.settings.minimumCompressionSize = &n
	}
	if v, ok := x[extAPIKeySource]; ok {
		e := newExt(extAPIKeySource, "", map[string]any{"value": v})
		s := e.enum("value", "HEADER", "AUTHORIZER")
		if e.err != nil {
			return invalidInput("%s is %s; valid values are HEADER, AUTHORIZER.", extAPIKeySource, describe(v))
		}
		b.settings.apiKeySource = &s
	}
	if v, ok := x[extPolicy]; ok {
		p, isStr := v.(string)
		if !isStr {
			p = marshalJSON(v)
		}
		b.settings.policy = &p
	}
	// The endpoint configuration sits at the root in Swagger 2.0 and on a server in OpenAPI 3.
	endpoint, at := x[extEndpointConfiguration], ""
	for i, srv := range b.doc.oas.Servers {
		if srv == nil {
			continue
		}
		if v, ok := srv.Extensions[extEndpointConfiguration]; ok {
			endpoint, at = v, fmt.Sprintf("servers[%d]", i)
		}
	}
	if endpoint != nil {
		e := newExt(extEndpointConfiguration, at, endpoint)
		if _, ok := e.get("disableExecuteApiEndpoint"); ok {
			d := e.boolean("disableExecuteApiEndpoint")
			b.settings.disableExecuteAPIEndpoint = &d
		}
		if _, ok := e.get("vpcEndpointIds"); ok {
			ids := e.strList("vpcEndpointIds")
			b.settings.vpcEndpointIDs = &ids
		}
		if e.err != nil {
			return e.err
		}
		for _, k := range e.unknown() {
			b.warn("Unknown property '%s' of %s at %s. Ignoring.", k, extEndpointConfiguration, orRoot(at))
		}
	}
	if v, ok := x[extDocumentation]; ok && v != nil && !b.opts.IgnoreDocumentation {
		b.warn("%s is not supported by apigw-local: documentation parts were not imported.", extDocumentation)
	}
	claimed := []string{extBinaryMediaTypes, extMinimumCompressionSize, extAPIKeySource, extPolicy, extEndpointConfiguration,
		extDocumentation, extRequestValidators, extRequestValidator, extGatewayResponses}
	for _, k := range unclaimed(x, claimed...) {
		if slices.Contains(httpAPIOnly, k) {
			b.warn("%s applies to HTTP APIs only. Ignoring.", k)
			continue
		}
		b.warn("Unsupported extension %s at the document root. Ignoring.", k)
	}
	return nil
}

// apply writes the settings into api. Overwrite resets what the document leaves out; merge
// keeps it. PutRestApi never renames the API (AWS-recorded PutRestApi overwrite).
func (s apiSettings) apply(api *store.RestAPI, mode string) {
	if mode == "" {
		api.Name = s.name
	}
	if s.description != "" || mode == "" {
		api.Description = s.description
	}
	if s.version != "" || mode != store.ModeMerge {
		api.Version = s.version
	}
	reset := mode != store.ModeMerge
	switch {
	case s.binaryMediaTypes != nil:
		api.BinaryMediaTypes = slices.Clone(*s.binaryMediaTypes)
	case reset:
		api.BinaryMediaTypes = nil
	}
	switch {
	case s.minimumCompressionSize != nil:
		n := *s.minimumCompressionSize
		api.MinimumCompressionSize = &n
	case reset:
		api.MinimumCompressionSize = nil
	}
	switch {
	case s.apiKeySource != nil:
		api.APIKeySource = *s.apiKeySource
	case reset:
		api.APIKeySource = "HEADER"
	}
	switch {
	case s.policy != nil:
		api.Policy = *s.policy
	case reset:
		api.Policy = ""
	}
	switch {
	case s.disableExecuteAPIEndpoint != nil:
		api.DisableExecuteAPIEndpoint = *s.disableExecuteAPIEndpoint
	case reset:
		api.DisableExecuteAPIEndpoint = false
	}
	switch {
	case s.vpcEndpointIDs != nil:
		api.EndpointConfiguration.VpcEndpointIDs = slices.Clone(*s.vpcEndpointIDs)
	case reset:
		api.EndpointConfiguration.VpcEndpointIDs = nil
	}
}

// collectValidators reads x-amazon-apigateway-request-validators and the document's default
// x-amazon-apigateway-request-validator.
func (b *builder) collectValidators() error {
	x := b.doc.oas.Extensions
	if v, ok := x[extRequestValidators]; ok {
		e := newExt(extRequestValidators, "", v)
		if e.err != nil {
			return e.err
		}
		for _, name := range sortedKeys(e.m) {
			ve := newExt(extRequestValidators+" '"+name+"'", "", e.m[name])
			rv := &store.RequestValidator{
				Name:                      name,
				ValidateRequestBody:       ve.boolean("validateRequestBody"),
				ValidateRequestParameters: ve.boolean("validateRequestParameters"),
			}
			if ve.err != nil {
				return ve.err
			}
			for _, k := range ve.unknown() {
				b.warn("Unknown property '%s' of the request validator '%s'. Ignoring.", k, name)
			}
			b.validators = append(b.validators, rv)
		}
	}
	if v, ok := x[extRequestValidator]; ok {
		name, err := asString(v)
		if err != nil {
			return invalidInput("%s at the document root %v.", extRequestValidator, err)
		}
		if !b.hasValidator(name) {
			return invalidInput("%s at the document root names '%s', which %s does not define.", extRequestValidator, name, extRequestValidators)
		}
		b.defaultValidator = name
	}
	return nil
}

func (b *builder) hasValidator(name string) bool {
	return slices.ContainsFunc(b.validators, func(v *store.RequestValidator) bool { return v.Name == name })
}

// collectGatewayResponses reads x-amazon-apigateway-gateway-responses.
func (b *builder) collectGatewayResponses() error {
	v, ok := b.doc.oas.Extensions[extGatewayResponses]
	if !ok {
		return nil
	}
	e := newExt(extGatewayResponses, "", v)
	if e.err != nil {
		return e.err
	}
	for _, typ := range sortedKeys(e.m) {
		if _, known := store.LookupGatewayResponseType(typ); !known {
			names := make([]string, 0, 21)
			for _, g := range store.GatewayResponseTypes() {
				names = append(names, g.Type)
			}
			return invalidInput("%s names the unknown response type '%s'; valid types are %s.", extGatewayResponses, typ, strings.Join(names, ", "))
		}
		ge := newExt(extGatewayResponses+" '"+typ+"'", "", e.m[typ])
		g := &store.GatewayResponse{
			ResponseType:       typ,
			StatusCode:         ge.str("statusCode"),
			ResponseParameters: ge.strMap("responseParameters"),
			ResponseTemplates:  ge.strMap("responseTemplates"),
		}
		if ge.err != nil {
			return ge.err
		}
		for _, k := range ge.unknown() {
			b.warn("Unknown property '%s' of the gateway response '%s'. Ignoring.", k, typ)
		}
		b.gatewayResponses = append(b.gatewayResponses, g)
	}
	return nil
}

// basePathPrefix is what the basepath option puts in front of every path: nothing (ignore,
// the default), the document's base path (prepend), or the base path without its first
// part (split).
func (b *builder) basePathPrefix() string {
	base := ""
	if b.doc.swagger {
		base, _ = b.doc.raw["basePath"].(string)
	} else if len(b.doc.oas.Servers) > 0 && b.doc.oas.Servers[0] != nil {
		srv := b.doc.oas.Servers[0]
		if v := srv.Variables["basePath"]; v != nil {
			base = v.Default
		} else {
			u := srv.URL
			for name, v := range srv.Variables {
				if v != nil {
					u = strings.ReplaceAll(u, "{"+name+"}", v.Default)
				}
			}
			if parsed, err := url.Parse(u); err == nil {
				base = parsed.Path
			}
		}
	}
	base = strings.Trim(base, "/")
	switch b.opts.BasePath {
	case "prepend":
		if base != "" {
			return "/" + base
		}
	case "split":
		if _, rest, ok := strings.Cut(base, "/"); ok && rest != "" {
			return "/" + rest
		}
	}
	return ""
}

var (
	verbs     = []string{"GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD"}
	statusRE  = regexp.MustCompile(`^[1-5][0-9][0-9]$`)
	paramLocs = map[string]string{"path": "path", "query": "querystring", "header": "header"}
)

// collectPaths reads every path item and operation.
func (b *builder) collectPaths() error {
	prefix := b.basePathPrefix()
	rawPaths, _ := b.doc.raw["paths"].(map[string]any)
	for _, p := range sortedKeys(b.doc.oas.Paths.Map()) {
		item := b.doc.oas.Paths.Value(p)
		if item == nil {
			continue
		}
		at := "paths" + member(p)
		if !strings.HasPrefix(p, "/") {
			return invalidInput("The path '%s' must start with '/'.", p)
		}
		rp := strings.TrimSuffix(p, "/")
		if prefix != "" || rp == "" {
			rp = prefix + rp
		}
		if rp == "" {
			rp = "/"
		}
		if strings.Contains(rp, "//") {
			return invalidInput("The path '%s' has an empty path part.", p)
		}
		if rawItem, ok := rawPaths[p].(map[string]any); ok {
			if v, ok := rawItem[extAnyMethod]; ok {
				return invalidInput("%s at %s must be an object, not %s.", extAnyMethod, at, describe(v))
			}
		}
		res := b.resources[rp]
		if res == nil {
			res = &store.Resource{Path: rp, Methods: map[string]*store.Method{}}
			b.resources[rp] = res
		}
		ops := map[string]*openapi3.Operation{}
		for _, verb := range verbs {
			if op := item.GetOperation(verb); op != nil {
				ops[verb] = op
			}
		}
		if op := b.doc.anyMethod[p]; op != nil {
			ops["ANY"] = op
		}
		for verb, op := range item.Operations() {
			if _, ok := ops[verb]; !ok && op != nil {
				b.warn("The %s method at %s is not supported by API Gateway REST APIs. Ignoring.", verb, at)
			}
		}
		for _, k := range unclaimed(item.Extensions) {
			b.warn("Unsupported extension %s at %s. Ignoring.", k, at)
		}
		for _, verb := range sortedKeys(ops) {
			opAt := at + "." + strings.ToLower(verb)
			if verb == "ANY" {
				opAt = at + "." + extAnyMethod
			}
			if _, dup := res.Methods[verb]; dup {
				return invalidInput("%s defines %s %s a second time (paths differing only in a trailing '/' or the base path are the same resource).", opAt, verb, rp)
			}
			m, err := b.method(ops[verb], item.Parameters, opAt)
			if err != nil {
				return err
			}
			res.Methods[verb] = m
		}
	}
	return nil
}

// method builds one method from an operation and the parameters of its path item.
func (b *builder) method(op *openapi3.Operation, common openapi3.Parameters, at string) (*store.Method, error) {
	m := &store.Method{OperationName: op.OperationID}
	for _, pr := range slices.Concat(common, op.Parameters) {
		if pr == nil || pr.Value == nil {
			continue
		}
		p := pr.Value
		loc, ok := paramLocs[p.In]
		if !ok {
			b.warn("The %s parameter '%s' at %s has no API Gateway equivalent. Ignoring.", p.In, p.Name, at)
			continue
		}
		if p.Name == "" {
			b.warn("A %s parameter at %s has no name. Ignoring.", p.In, at)
			continue
		}
		if m.RequestParameters == nil {
			m.RequestParameters = map[string]bool{}
		}
		m.RequestParameters["method.request."+loc+"."+p.Name] = p.Required || loc == "path"
	}
	if rb := op.RequestBody; rb != nil && rb.Value != nil {
		for _, ct := range sortedKeys(rb.Value.Content) {
			mt := rb.Value.Content[ct]
			if mt == nil {
				continue
			}
			if name := b.modelFor(mt.Schema, at+".requestBody"); name != "" {
				if m.RequestModels == nil {
					m.RequestModels = map[string]string{}
				}
				m.RequestModels[ct] = name
			}
		}
	}
	if op.Responses != nil {
		responses := op.Responses.Map()
		for _, code := range sortedKeys(responses) {
			rr := responses[code]
			if rr == nil || rr.Value == nil {
				continue
			}
			if !statusRE.MatchString(code) {
				b.warn("The response '%s' at %s is not an HTTP status code. Ignoring.", code, at)
				continue
			}
			mr := &store.MethodResponse{StatusCode: code}
			for _, h := range sortedKeys(rr.Value.Headers) {
				if mr.ResponseParameters == nil {
					mr.ResponseParameters = map[string]bool{}
				}
				hr := rr.Value.Headers[h]
				mr.ResponseParameters["method.response.header."+h] = hr != nil && hr.Value != nil && hr.Value.Required
			}
			for _, ct := range sortedKeys(rr.Value.Content) {
				mt := rr.Value.Content[ct]
				if mt == nil {
					continue
				}
				if name := b.modelFor(mt.Schema, at+".responses"+member(code)); name != "" {
					if mr.ResponseModels == nil {
						mr.ResponseModels = map[string]string{}
					}
					mr.ResponseModels[ct] = name
				}
			}
			if m.MethodResponses == nil {
				m.MethodResponses = map[string]*store.MethodResponse{}
			}
			m.MethodResponses[code] = mr
		}
	}
	if err := b.security(m, op, at); err != nil {
		return nil, err
	}
	validator := b.defaultValidator
	if v, ok := op.Extensions[extRequestValidator]; ok {
		name, err := asString(v)
		if err != nil {
			return nil, invalidInput("%s at %s %v.", extRequestValidator, at, err)
		}
		if !b.hasValidator(name) {
			return nil, invalidInput("%s at %s names '%s', which %s does not define.", extRequestValidator, at, name, extRequestValidators)
		}
		validator = name
	}
	m.RequestValidatorID = validator
	if v, ok := op.Extensions[extIntegration]; ok {
		it, err := b.integration(v, at, m)
		if err != nil {
			return nil, err
		}
		m.Integration = it
	}
	for _, k := range unclaimed(op.Extensions, extIntegration, extRequestValidator, extAuth) {
		b.warn("Unsupported extension %s at %s. Ignoring.", k, at)
	}
	return m, nil
}

// integration reads an x-amazon-apigateway-integration.
func (b *builder) integration(v any, at string, m *store.Method) (*store.Integration, error) {
	e := newExt(extIntegration, at, v)
	it := &store.Integration{
		Type:                e.enum("type", "aws", "aws_proxy", "http", "http_proxy", "mock"),
		URI:                 e.str("uri"),
		HTTPMethod:          strings.ToUpper(e.str("httpMethod")),
		Credentials:         e.str("credentials"),
		ConnectionType:      e.enum("connectionType", "INTERNET", "VPC_LINK"),
		ConnectionID:        e.str("connectionId"),
		RequestParameters:   e.strMap("requestParameters"),
		RequestTemplates:    e.strMap("requestTemplates"),
		PassthroughBehavior: e.enum("passthroughBehavior", "when_no_match", "when_no_templates", "never"),
		ContentHandling:     e.enum("contentHandling", "CONVERT_TO_TEXT", "CONVERT_TO_BINARY"),
		CacheNamespace:      e.str("cacheNamespace"),
		CacheKeyParameters:  e.strList("cacheKeyParameters"),
	}
	if t := e.integer("timeoutInMillis"); t != nil {
		it.TimeoutInMillis = *t
		if *t == 0 {
			e.fail("'timeoutInMillis' must be between 50 and 29000")
		}
	}
	if tls := e.object("tlsConfig"); tls != nil {
		te := newExt(extIntegration+" tlsConfig", at, tls)
		it.TLSConfig = &store.TLSConfig{InsecureSkipVerification: te.boolean("insecureSkipVerification")}
		if te.err != nil {
			return nil, te.err
		}
	}
	for _, k := range []string{"payloadFormatVersion", "integrationSubtype"} {
		if _, ok := e.get(k); ok {
			b.warn("'%s' of %s at %s applies to HTTP APIs only. Ignoring.", k, extIntegration, at)
		}
	}
	responses := e.object("responses")
	if e.err == nil && it.Type == "" {
		e.fail("'type' is required")
	}
	if e.err != nil {
		return nil, e.err
	}
	for _, k := range e.unknown() {
		b.warn("Unknown property '%s' of %s at %s. Ignoring.", k, extIntegration, at)
	}
	patterns := map[string]string{} // status code → the pattern that claimed it
	for _, pattern := range sortedKeys(responses) {
		re := newExt(extIntegration+" response '"+pattern+"'", at, responses[pattern])
		ir := &store.IntegrationResponse{
			StatusCode:         re.str("statusCode"),
			ResponseParameters: re.strMap("responseParameters"),
			ResponseTemplates:  re.strMap("responseTemplates"),
			ContentHandling:    re.enum("contentHandling", "CONVERT_TO_TEXT", "CONVERT_TO_BINARY"),
		}
		if re.err == nil && ir.StatusCode == "" {
			re.fail("'statusCode' is required")
		}
		if re.err != nil {
			return nil, re.err
		}
		for _, k := range re.unknown() {
			b.warn("Unknown property '%s' of the integration response '%s' at %s. Ignoring.", k, pattern, at)
		}
		if pattern != "default" {
			p := pattern
			ir.SelectionPattern = &p
		}
		if prev, dup := patterns[ir.StatusCode]; dup {
			b.warn("The integration responses '%s' and '%s' at %s both map to status %s; API Gateway keeps one per status. Using '%s'.", prev, pattern, at, ir.StatusCode, prev)
			continue
		}
		patterns[ir.StatusCode] = pattern
		if _, declared := m.MethodResponses[ir.StatusCode]; !declared {
			b.warn("The integration response '%s' at %s maps to status %s, which the operation's responses do not declare. Declaring it.", pattern, at, ir.StatusCode)
			if m.MethodResponses == nil {
				m.MethodResponses = map[string]*store.MethodResponse{}
			}
			m.MethodResponses[ir.StatusCode] = &store.MethodResponse{StatusCode: ir.StatusCode}
		}
		if it.IntegrationResponses == nil {
			it.IntegrationResponses = map[string]*store.IntegrationResponse{}
		}
		it.IntegrationResponses[ir.StatusCode] = ir
	}
	return it, nil
}

// definition assembles what the store installs. mode is "" for a new API, else the
// PutRestApi mode.
func (b *builder) definition(apiID, mode string) *store.Definition {
	def := &store.Definition{
		Settings:         func(api *store.RestAPI) { b.settings.apply(api, mode) },
		Authorizers:      b.authorizers,
		Validators:       b.validators,
		GatewayResponses: b.gatewayResponses,
		Models:           b.storeModels(apiID),
	}
	if len(b.opts.EndpointTypes) > 0 {
		settings := def.Settings
		types := slices.Clone(b.opts.EndpointTypes)
		def.Settings = func(api *store.RestAPI) {
			settings(api)
			if !slices.Equal(api.EndpointConfiguration.Types, types) {
				api.EndpointConfiguration.Types = types
				api.EndpointConfiguration.IPAddressType = ""
			}
		}
	}
	for _, p := range sortedKeys(b.resources) {
		def.Resources = append(def.Resources, b.resources[p])
	}
	return def
}
