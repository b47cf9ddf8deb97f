package sam

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/apigw-local/apigw-local/emulator/project/cfn"
)

// ImplicitAPI is the logical id of the API SAM creates for Api events without a RestApiId.
const ImplicitAPI = "ServerlessRestApi"

// api is an AWS::Serverless::Api being built.
type api struct {
	id       string
	node     *yaml.Node // the resource (nil for the implicit API)
	props    *yaml.Node // with Globals merged
	implicit bool
	events   []*event
	// auth holds each method's event Auth, keyed path + "\x00" + operation key.
	auth map[string]*yaml.Node
	// cors are the paths whose OPTIONS method Cors added.
	cors map[string]bool
}

// event is one Api event of a function.
type event struct {
	fn, name    string
	node, props *yaml.Node
}

func (x *transformer) addAPI(id string, node, props *yaml.Node, implicit bool) *api {
	a := &api{id: id, node: node, props: props, implicit: implicit, auth: map[string]*yaml.Node{}, cors: map[string]bool{}}
	x.apis[id] = a
	x.order = append(x.order, id)
	return a
}

// addEvent records an Api event on the API it names (the implicit API when it names none).
func (x *transformer) addEvent(fn, name string, ev *yaml.Node) error {
	props := cfn.Lookup(ev, "Properties")
	path, method := cfn.String(cfn.Lookup(props, "Path")), cfn.String(cfn.Lookup(props, "Method"))
	if !strings.HasPrefix(path, "/") || method == "" {
		return x.t.Errorf(ev, "function %s: Api event %s needs Properties.Path (starting with /) and Properties.Method", fn, name)
	}
	target := ImplicitAPI
	if rid := cfn.Lookup(props, "RestApiId"); rid != nil {
		ref, arg, ok := cfn.Intrinsic(rid)
		target = cfn.String(rid)
		if ok && ref == "Ref" {
			target = cfn.String(arg)
		}
		if x.apis[target] == nil || x.apis[target].implicit {
			return x.t.Errorf(rid, "function %s: Api event %s: RestApiId must be !Ref of an AWS::Serverless::Api of this template (for a plain AWS::ApiGateway::RestApi, define its methods yourself)", fn, name)
		}
	}
	a := x.apis[target]
	if a == nil {
		props := merged(cfn.Lookup(x.t.Section("Globals"), "Api"), nil)
		cfn.Set(props, "StageName", cfn.NewString("Prod"))
		a = x.addAPI(ImplicitAPI, nil, props, true)
	}
	a.events = append(a.events, &event{fn: fn, name: name, node: ev, props: props})
	return nil
}

// opKey is the OpenAPI key of a method: get, post, ..., x-amazon-apigateway-any-method.
func opKey(method string) string {
	m := strings.ToLower(method)
	if m == "any" || m == "x-amazon-apigateway-any-method" {
		return "x-amazon-apigateway-any-method"
	}
	return m
}

var verbs = []string{"get", "put", "post", "delete", "patch", "options", "head", "x-amazon-apigateway-any-method"}

// child returns m[key], adding an empty mapping there when missing.
func child(m *yaml.Node, key string) *yaml.Node {
	c := cfn.Lookup(m, key)
	if c == nil || c.Kind != yaml.MappingNode {
		c = cfn.NewMap()
		cfn.Set(m, key, c)
	}
	return c
}

// emitAPI writes the RestApi, Deployment, Stage and usage plan resources of an API.
func (x *transformer) emitAPI(a *api) error {
	where := a.node
	if where == nil && len(a.events) > 0 {
		where = a.events[0].node
	}
	stageNode := cfn.Lookup(a.props, "StageName")
	if stageNode == nil {
		return x.t.Errorf(where, "AWS::Serverless::Api %s has no StageName", a.id)
	}
	stage, err := x.opts.Resolver.ResolveString(stageNode)
	if err != nil {
		return fmt.Errorf("AWS::Serverless::Api %s: StageName: %w", a.id, err)
	}
	rp := cfn.NewMap()
	var body *yaml.Node
	editable, included := true, false
	if db := cfn.Lookup(a.props, "DefinitionBody"); db != nil {
		body = cfn.Clone(db)
		included = x.t.Included(db)
		_, _, intrinsic := cfn.Intrinsic(db)
		editable = db.Kind == yaml.MappingNode && !intrinsic
	} else if du := cfn.Lookup(a.props, "DefinitionUri"); du != nil {
		editable = false
		if b, k := cfn.Lookup(du, "Bucket"), cfn.Lookup(du, "Key"); b != nil && k != nil {
			cfn.Set(rp, "BodyS3Location", cfn.NewMap("Bucket", b, "Key", k))
		} else {
			cfn.Set(rp, "BodyS3Location", du)
		}
	} else {
		title := cfn.Lookup(a.props, "Name")
		if title == nil {
			title = cfn.NewMap("Ref", "AWS::StackName")
		}
		body = cfn.NewMap("swagger", "2.0", "info", cfn.NewMap("version", "1.0", "title", title), "paths", cfn.NewMap())
	}
	if editable {
		if err := x.editBody(a, body, included); err != nil {
			return err
		}
	} else {
		for _, k := range []string{"Auth", "Cors", "GatewayResponses", "Models"} {
			if cfn.Lookup(a.props, k) != nil {
				x.note(k+" without an inline DefinitionBody", a.id, "SAM adds it to inline OpenAPI documents only: not applied")
			}
		}
		if len(a.events) > 0 && cfn.Lookup(a.props, "DefinitionUri") != nil {
			x.note("Api events on an API with DefinitionUri", a.id, "SAM does not add them to the document: only the document's paths are served")
		}
	}
	if body != nil {
		cfn.Set(rp, "Body", body)
	}
	for _, k := range []string{"Name", "Description", "MinimumCompressionSize", "DisableExecuteApiEndpoint", "FailOnWarnings", "Mode", "ApiKeySourceType"} {
		if v := cfn.Lookup(a.props, k); v != nil {
			cfn.Set(rp, k, v)
		}
	}
	if v := cfn.Lookup(a.props, "BinaryMediaTypes"); v != nil {
		cfn.Set(rp, "BinaryMediaTypes", v)
	}
	if ec := cfn.Lookup(a.props, "EndpointConfiguration"); ec != nil {
		t := ec
		if ec.Kind == yaml.MappingNode {
			if _, _, in := cfn.Intrinsic(ec); !in {
				t = cfn.Lookup(ec, "Type")
			}
		}
		if t != nil {
			cfn.Set(rp, "EndpointConfiguration", cfn.NewMap("Types", cfn.NewSeq(t)))
			cfn.Set(rp, "Parameters", cfn.NewMap("endpointConfigurationTypes", t))
		}
	}
	if cfn.Path(a.props, "Auth", "ResourcePolicy") != nil {
		x.note("Auth.ResourcePolicy", a.id, "resource policies are not enforced locally")
	}
	if cfn.Lookup(a.props, "Domain") != nil {
		x.note("Domain", a.id, "custom domain names are not emulated: use the local URLs")
	}
	cfn.Set(x.out, a.id, resourceNode("AWS::ApiGateway::RestApi", rp))

	sum := sha256.Sum256([]byte(stage + a.id))
	hash := hex.EncodeToString(sum[:])[:10]
	depID := a.id + "Deployment" + hash
	dp := cfn.NewMap("RestApiId", cfn.NewMap("Ref", a.id), "Description", "RestApi deployment id: "+hash)
	if cfn.Lookup(a.props, "OpenApiVersion") == nil {
		// SAM's long-standing quirk: without OpenApiVersion the deployment also creates a stage
		// named "Stage".
		cfn.Set(dp, "StageName", cfn.NewString("Stage"))
	}
	cfn.Set(x.out, depID, resourceNode("AWS::ApiGateway::Deployment", dp))
	sp := cfn.NewMap("RestApiId", cfn.NewMap("Ref", a.id), "StageName", stageNode, "DeploymentId", cfn.NewMap("Ref", depID))
	for _, k := range []string{"Variables", "MethodSettings", "TracingEnabled", "CacheClusterEnabled", "CacheClusterSize", "AccessLogSetting", "CanarySetting", "Description"} {
		if v := cfn.Lookup(a.props, k); v != nil {
			cfn.Set(sp, k, v)
		}
	}
	stageID := a.id + sanitize(stage) + "Stage"
	cfn.Set(x.out, stageID, resourceNode("AWS::ApiGateway::Stage", sp))
	return x.usagePlan(a, stageID)
}

// editBody adds the events, Cors, Auth, GatewayResponses and Models to an API's document,
// in the translator's order.
func (x *transformer) editBody(a *api, body *yaml.Node, included bool) error {
	paths := child(body, "paths")
	for _, ev := range a.events {
		if err := x.addEventPath(a, body, ev, included); err != nil {
			return err
		}
	}
	if err := x.addCors(a, paths); err != nil {
		return err
	}
	if err := x.addAuth(a, body, paths); err != nil {
		return err
	}
	if gr := cfn.Lookup(a.props, "GatewayResponses"); gr != nil {
		out := child(body, "x-amazon-apigateway-gateway-responses")
		for typ, def := range cfn.Pairs(gr) {
			g := cfn.NewMap()
			if sc := cfn.Lookup(def, "StatusCode"); sc != nil {
				cfn.Set(g, "statusCode", sc)
			}
			params := cfn.NewMap()
			for group, prefix := range map[string]string{"Headers": "header", "Paths": "path", "QueryStrings": "querystring"} {
				for k, v := range cfn.Pairs(cfn.Path(def, "ResponseParameters", group)) {
					cfn.Set(params, "gatewayresponse."+prefix+"."+k, v)
				}
			}
			sortMap(params)
			if len(params.Content) > 0 {
				cfn.Set(g, "responseParameters", params)
			}
			if rt := cfn.Lookup(def, "ResponseTemplates"); rt != nil {
				cfn.Set(g, "responseTemplates", rt)
			}
			cfn.Set(out, typ, g)
		}
	}
	if models := cfn.Lookup(a.props, "Models"); models != nil {
		defs := child(body, "definitions")
		for name, schema := range cfn.Pairs(models) {
			if cfn.Lookup(schema, "type") == nil {
				return x.t.Errorf(schema, "AWS::Serverless::Api %s: model %s needs a type", a.id, name)
			}
			cfn.Set(defs, strings.ToLower(name), schema)
		}
	}
	return nil
}

// addEventPath adds one event's method with its aws_proxy integration to the document.
func (x *transformer) addEventPath(a *api, body *yaml.Node, ev *event, included bool) error {
	paths := child(body, "paths")
	path := cfn.String(cfn.Lookup(ev.props, "Path"))
	key := opKey(cfn.String(cfn.Lookup(ev.props, "Method")))
	item := child(paths, path)
	op := cfn.Lookup(item, key)
	if op != nil && cfn.Lookup(op, "x-amazon-apigateway-integration") != nil {
		if included {
			return nil
		}
		return x.t.Errorf(ev.node, "function %s: event %s: API method %q defined multiple times for path %q", ev.fn, ev.name, strings.TrimPrefix(key, "x-amazon-apigateway-"), path)
	}
	if op == nil {
		op = cfn.NewMap()
		cfn.Set(item, key, op)
	}
	integration := cfn.NewMap("type", "aws_proxy", "httpMethod", "POST",
		"uri", cfn.NewMap("Fn::Sub", "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${"+ev.fn+".Arn}/invocations"))
	if t := cfn.Lookup(ev.props, "TimeoutInMillis"); t != nil {
		cfn.Set(integration, "timeoutInMillis", t)
	}
	cfn.Set(op, "x-amazon-apigateway-integration", integration)
	if cfn.Lookup(op, "responses") == nil {
		cfn.Set(op, "responses", cfn.NewMap())
	}
	if auth := cfn.Lookup(ev.props, "Auth"); auth != nil {
		a.auth[path+"\x00"+key] = auth
	}
	if rp := cfn.Lookup(ev.props, "RequestParameters"); rp != nil {
		if err := x.requestParameters(op, integration, rp); err != nil {
			return err
		}
	}
	if rm := cfn.Lookup(ev.props, "RequestModel"); rm != nil {
		model := cfn.String(cfn.Lookup(rm, "Model"))
		if cfn.Lookup(cfn.Lookup(a.props, "Models"), model) == nil {
			return x.t.Errorf(rm, "function %s: event %s: RequestModel %s is not in the Models of API %s", ev.fn, ev.name, model, a.id)
		}
		required, _ := cfn.Bool(cfn.Lookup(rm, "Required"))
		params := child(op, "parameters")
		if params.Kind != yaml.SequenceNode {
			params = cfn.NewSeq()
			cfn.Set(op, "parameters", params)
		}
		params.Content = append(params.Content, cfn.NewMap("in", "body", "name", strings.ToLower(model), "required", required,
			"schema", cfn.NewMap("$ref", "#/definitions/"+strings.ToLower(model))))
		vb, hasBody := cfn.Bool(cfn.Lookup(rm, "ValidateBody"))
		vp, hasParams := cfn.Bool(cfn.Lookup(rm, "ValidateParameters"))
		if hasBody || hasParams {
			name := validatorName(vb, vp)
			cfn.Set(child(body, "x-amazon-apigateway-request-validators"), name,
				cfn.NewMap("validateRequestBody", vb, "validateRequestParameters", vp))
			cfn.Set(op, "x-amazon-apigateway-request-validator", cfn.NewString(name))
		}
	}
	return nil
}

// validatorName is the translator's name for a validator.
func validatorName(body, params bool) string {
	switch {
	case body && params:
		return "body-and-params"
	case body:
		return "body-only"
	case params:
		return "params-only"
	}
	return "no-validation"
}

// requestParameters adds RequestParameters ("method.request.querystring.x", or a mapping of
// such names to {Required, Caching}) to an operation.
func (x *transformer) requestParameters(op, integration, rp *yaml.Node) error {
	params := cfn.Lookup(op, "parameters")
	if params == nil || params.Kind != yaml.SequenceNode {
		params = cfn.NewSeq()
		cfn.Set(op, "parameters", params)
	}
	add := func(full string, required, caching bool, at *yaml.Node) error {
		parts := strings.SplitN(full, ".", 4)
		if len(parts) != 4 || parts[0] != "method" || parts[1] != "request" {
			return x.t.Errorf(at, "RequestParameters: %q must look like method.request.querystring.name, method.request.header.name or method.request.path.name", full)
		}
		in := map[string]string{"querystring": "query", "header": "header", "path": "path"}[parts[2]]
		if in == "" {
			return x.t.Errorf(at, "RequestParameters: %q: the location must be querystring, header or path", full)
		}
		params.Content = append(params.Content, cfn.NewMap("in", in, "name", parts[3], "required", required, "type", "string"))
		if caching {
			ck := cfn.Lookup(integration, "cacheKeyParameters")
			if ck == nil {
				ck = cfn.NewSeq()
				cfn.Set(integration, "cacheKeyParameters", ck)
			}
			ck.Content = append(ck.Content, cfn.NewString(full))
		}
		return nil
	}
	for _, item := range rp.Content {
		if s, ok := cfn.Scalar(item); ok {
			if err := add(s, false, false, item); err != nil {
				return err
			}
			continue
		}
		for name, opts := range cfn.Pairs(item) {
			req, _ := cfn.Bool(cfn.Lookup(opts, "Required"))
			cache, _ := cfn.Bool(cfn.Lookup(opts, "Caching"))
			if err := add(name, req, cache, item); err != nil {
				return err
			}
		}
	}
	return nil
}

// addCors adds an OPTIONS method with a MOCK integration answering the preflight to every
// path of the document that has none.
func (x *transformer) addCors(a *api, paths *yaml.Node) error {
	cors := cfn.Lookup(a.props, "Cors")
	if cors == nil {
		return nil
	}
	var origin, headers, methods, maxAge *yaml.Node
	credentials := false
	if _, ok := cfn.Scalar(cors); ok {
		origin = cors
	} else if _, _, intrinsic := cfn.Intrinsic(cors); intrinsic {
		origin = cors
	} else {
		origin = cfn.Lookup(cors, "AllowOrigin")
		headers, methods, maxAge = cfn.Lookup(cors, "AllowHeaders"), cfn.Lookup(cors, "AllowMethods"), cfn.Lookup(cors, "MaxAge")
		credentials, _ = cfn.Bool(cfn.Lookup(cors, "AllowCredentials"))
		if origin == nil {
			return x.t.Errorf(cors, "AWS::Serverless::Api %s: Cors needs AllowOrigin (a quoted value such as \"'*'\")", a.id)
		}
	}
	for _, path := range cfn.Keys(paths) {
		item := cfn.Lookup(paths, path)
		if cfn.Lookup(item, "options") != nil {
			continue
		}
		allowMethods := methods
		if allowMethods == nil {
			allowMethods = cfn.NewString("'" + allowedMethods(item) + "'")
		}
		params := cfn.NewMap("method.response.header.Access-Control-Allow-Origin", origin)
		hdrs := cfn.NewMap("Access-Control-Allow-Origin", cfn.NewMap("type", "string"))
		if headers != nil {
			cfn.Set(params, "method.response.header.Access-Control-Allow-Headers", headers)
			cfn.Set(hdrs, "Access-Control-Allow-Headers", cfn.NewMap("type", "string"))
		}
		cfn.Set(params, "method.response.header.Access-Control-Allow-Methods", allowMethods)
		cfn.Set(hdrs, "Access-Control-Allow-Methods", cfn.NewMap("type", "string"))
		if maxAge != nil {
			cfn.Set(params, "method.response.header.Access-Control-Max-Age", cfn.NewString("'"+cfn.String(maxAge)+"'"))
			cfn.Set(hdrs, "Access-Control-Max-Age", cfn.NewMap("type", "integer"))
		}
		if credentials {
			cfn.Set(params, "method.response.header.Access-Control-Allow-Credentials", cfn.NewString("'true'"))
			cfn.Set(hdrs, "Access-Control-Allow-Credentials", cfn.NewMap("type", "string"))
		}
		op := cfn.NewMap(
			"summary", "CORS support",
			"consumes", []string{"application/json"},
			"produces", []string{"application/json"},
			"x-amazon-apigateway-integration", cfn.NewMap(
				"type", "mock",
				"requestTemplates", cfn.NewMap("application/json", "{\n  \"statusCode\" : 200\n}\n"),
				"responses", cfn.NewMap("default", cfn.NewMap(
					"statusCode", "200",
					"responseParameters", params,
					"responseTemplates", cfn.NewMap("application/json", "{}\n"),
				)),
			),
			"responses", cfn.NewMap("200", cfn.NewMap("description", "Default response for CORS method", "headers", hdrs)),
		)
		cfn.Set(item, "options", op)
		a.cors[path] = true
	}
	return nil
}

// allowedMethods lists a path's methods for Access-Control-Allow-Methods as the translator
// does: sorted, upper case, OPTIONS added, every method for ANY.
func allowedMethods(item *yaml.Node) string {
	set := map[string]bool{"OPTIONS": true}
	for _, k := range cfn.Keys(item) {
		switch {
		case k == "x-amazon-apigateway-any-method":
			for _, m := range []string{"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"} {
				set[m] = true
			}
		case slices.Contains(verbs, k):
			set[strings.ToUpper(k)] = true
		}
	}
	out := make([]string, 0, len(set))
	for m := range set {
		out = append(out, m)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// sortMap orders a mapping's keys, for stable documents.
func sortMap(m *yaml.Node) {
	type pair struct{ k, v *yaml.Node }
	ps := make([]pair, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		ps = append(ps, pair{m.Content[i], m.Content[i+1]})
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].k.Value < ps[j].k.Value })
	m.Content = m.Content[:0]
	for _, p := range ps {
		m.Content = append(m.Content, p.k, p.v)
	}
}
