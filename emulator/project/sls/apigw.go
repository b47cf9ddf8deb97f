package sls

import (
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/apigw-local/apigw-local/emulator/project/cfn"
)

// restAPIID is the framework's logical id of the service's REST API.
const restAPIID = "ApiGatewayRestApi"

// defaultCORSHeaders are the headers cors: true allows (framework v3).
var defaultCORSHeaders = []string{"Content-Type", "X-Amz-Date", "Authorization", "X-Api-Key", "X-Amz-Security-Token", "X-Amz-User-Agent", "X-Amzn-Trace-Id"}

func seq(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

// pathPart is one path segment in the framework's logical id form: users → Users, {id} →
// IdVar, {proxy+} → ProxyVar.
func pathPart(p string) string {
	if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
		return normalize(strings.TrimSuffix(strings.Trim(p, "{}"), "+")) + "Var"
	}
	var b strings.Builder
	for _, c := range normalize(p) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// resourceOf returns the ResourceId value for a path ("" is the root), creating the
// AWS::ApiGateway::Resource chain.
func (c *compiler) resourceOf(path string) (*yaml.Node, string) {
	if path == "" {
		return cfn.NewMap("Fn::GetAtt", cfn.NewSeq(restAPIID, "RootResourceId")), ""
	}
	parts := strings.Split(path, "/")
	idPart := ""
	parent := cfn.NewMap("Fn::GetAtt", cfn.NewSeq(restAPIID, "RootResourceId"))
	for i, p := range parts {
		idPart += pathPart(p)
		sub := strings.Join(parts[:i+1], "/")
		id, ok := c.resources[sub]
		if !ok {
			id = "ApiGatewayResource" + idPart
			c.resources[sub] = id
			cfn.Set(c.out, id, cfn.NewMap("Type", "AWS::ApiGateway::Resource", "Properties", cfn.NewMap(
				"ParentId", parent, "PathPart", p, "RestApiId", cfn.NewMap("Ref", restAPIID))))
		}
		parent = cfn.NewMap("Ref", id)
	}
	return parent, idPart
}

// lambdaURI is the framework's Fn::Join of a function's invocation URI.
func lambdaURI(fnID string) *yaml.Node {
	return cfn.NewMap("Fn::Join", cfn.NewSeq("", cfn.NewSeq(
		"arn:", cfn.NewMap("Ref", "AWS::Partition"), ":apigateway:", cfn.NewMap("Ref", "AWS::Region"),
		":lambda:path/2015-03-31/functions/", cfn.NewMap("Fn::GetAtt", cfn.NewSeq(fnID, "Arn")), "/invocations")))
}

// httpEvent adds the method of one http event.
func (c *compiler) httpEvent(fn string, spec *yaml.Node) error {
	var method, path string
	if s, ok := cfn.Scalar(spec); ok {
		m, p, _ := strings.Cut(strings.TrimSpace(s), " ")
		method, path = m, strings.TrimSpace(p)
		spec = cfn.NewMap()
	} else {
		method, path = cfn.String(cfn.Lookup(spec, "method")), cfn.String(cfn.Lookup(spec, "path"))
	}
	method = strings.ToUpper(method)
	if !validVerb(method) {
		return c.t.Errorf(spec, "function %s: http event method %q must be one of %s", fn, method, strings.Join(verbs, ", "))
	}
	path = strings.Trim(path, "/")
	resID, idPart := c.resourceOf(path)
	verb := strings.ToUpper(method[:1]) + strings.ToLower(method[1:])
	id := "ApiGatewayMethod" + idPart + verb
	if cfn.Lookup(c.out, id) != nil {
		return c.t.Errorf(spec, "function %s: %s /%s is defined twice", fn, method, path)
	}
	props := cfn.NewMap("HttpMethod", method, "ResourceId", resID, "RestApiId", cfn.NewMap("Ref", restAPIID),
		"AuthorizationType", "NONE", "MethodResponses", cfn.NewSeq())
	if p, _ := cfn.Bool(cfn.Lookup(spec, "private")); p {
		cfn.Set(props, "ApiKeyRequired", cfn.NewBool(true))
	}
	if op := cfn.Lookup(spec, "operationId"); op != nil {
		cfn.Set(props, "OperationName", op)
	}
	if err := c.authorizer(fn, spec, props); err != nil {
		return err
	}
	if err := c.request(id, idPart+verb, spec, props); err != nil {
		return err
	}
	if err := c.integration(fn, spec, props, method); err != nil {
		return err
	}
	cfn.Set(c.out, id, cfn.NewMap("Type", "AWS::ApiGateway::Method", "Properties", props))
	c.methodIDs = append(c.methodIDs, id)
	c.methods[path] = append(c.methods[path], method)
	if cors := cfn.Lookup(spec, "cors"); cors != nil {
		if b, ok := cfn.Bool(cors); !ok || b {
			if c.cors[path] == nil {
				c.cors[path] = cors
			}
		}
	}
	return nil
}

// integration writes the method's integration: lambda-proxy (the default), lambda, mock,
// http or http-proxy.
func (c *compiler) integration(fn string, spec, props *yaml.Node, method string) error {
	kind := strings.ToLower(cfn.String(cfn.Lookup(spec, "integration")))
	req, resp := cfn.Lookup(spec, "request"), cfn.Lookup(spec, "response")
	switch kind {
	case "", "lambda-proxy", "aws_proxy", "aws-proxy":
		cfn.Set(props, "Integration", cfn.NewMap("IntegrationHttpMethod", "POST", "Type", "AWS_PROXY", "Uri", lambdaURI(functionID(fn))))
	case "mock":
		tmpl := or(cfn.Lookup(req, "template"), cfn.NewMap("application/json", `{"statusCode": 200}`))
		it := cfn.NewMap("Type", "MOCK", "RequestTemplates", tmpl, "PassthroughBehavior", or(cfn.Lookup(req, "passThrough"), cfn.NewString("NEVER")))
		c.responses(it, props, resp)
		cfn.Set(props, "Integration", it)
	case "lambda", "aws":
		tmpl := or(cfn.Lookup(req, "template"), cfn.NewMap("application/json", defaultLambdaTemplate, "application/x-www-form-urlencoded", defaultLambdaTemplate))
		it := cfn.NewMap("IntegrationHttpMethod", "POST", "Type", "AWS", "Uri", lambdaURI(functionID(fn)), "RequestTemplates", tmpl,
			"PassthroughBehavior", or(cfn.Lookup(req, "passThrough"), cfn.NewString("NEVER")))
		c.responses(it, props, resp)
		cfn.Set(props, "Integration", it)
	case "http", "http-proxy", "http_proxy":
		uri := cfn.Lookup(req, "uri")
		if uri == nil {
			return c.t.Errorf(spec, "function %s: an %s integration needs request.uri", fn, kind)
		}
		typ := "HTTP"
		if kind != "http" {
			typ = "HTTP_PROXY"
		}
		it := cfn.NewMap("IntegrationHttpMethod", or(cfn.Lookup(req, "method"), cfn.NewString(method)), "Type", typ, "Uri", uri)
		if typ == "HTTP" {
			c.responses(it, props, resp)
		}
		cfn.Set(props, "Integration", it)
	default:
		return c.t.Errorf(spec, "function %s: integration %q: use lambda-proxy, lambda, mock, http or http-proxy", fn, kind)
	}
	return nil
}

// defaultLambdaTemplate maps a request to the event of a lambda (non-proxy) integration.
const defaultLambdaTemplate = `#set($inputRoot = $input.path('$'))
{
  "body": $input.json('$'),
  "method": "$context.httpMethod",
  "principalId": "$context.authorizer.principalId",
  "stage": "$context.stage",
  "headers": {#foreach($h in $input.params().header.keySet())"$h": "$util.escapeJavaScript($input.params().header.get($h))"#if($foreach.hasNext),#end#end},
  "query": {#foreach($q in $input.params().querystring.keySet())"$q": "$util.escapeJavaScript($input.params().querystring.get($q))"#if($foreach.hasNext),#end#end},
  "path": {#foreach($p in $input.params().path.keySet())"$p": "$util.escapeJavaScript($input.params().path.get($p))"#if($foreach.hasNext),#end#end},
  "stageVariables": {#foreach($k in $stageVariables.keySet())"$k": "$util.escapeJavaScript($stageVariables.get($k))"#if($foreach.hasNext),#end#end},
  "requestPath": "$context.resourcePath"
}`

// lambdaErrors are the framework's default status codes of a lambda integration, selected
// by "[400]" and the like in the error message.
var lambdaErrors = []string{"400", "401", "403", "404", "422", "500", "502", "504"}

// responses writes the integration and method responses of a non-proxy integration.
func (c *compiler) responses(it, props, resp *yaml.Node) {
	irs, mrs := cfn.NewSeq(), cfn.Lookup(props, "MethodResponses")
	tmpl := or(cfn.Lookup(resp, "template"), cfn.NewString(""))
	headers := cfn.NewMap()
	mheaders := cfn.NewMap()
	for k, v := range cfn.Pairs(cfn.Lookup(resp, "headers")) {
		cfn.Set(headers, "method.response.header."+k, v)
		cfn.Set(mheaders, "method.response.header."+k, cfn.NewBool(true))
	}
	codes := cfn.Lookup(resp, "statusCodes")
	if codes == nil {
		codes = cfn.NewMap("200", cfn.NewMap("pattern", ""))
		if cfn.String(cfn.Lookup(it, "Type")) == "AWS" {
			for _, code := range lambdaErrors {
				cfn.Set(codes, code, cfn.NewMap("pattern", fmt.Sprintf(`[\s\S]*\[%s\][\s\S]*`, code)))
			}
		}
	}
	for code, spec := range cfn.Pairs(codes) {
		ir := cfn.NewMap("StatusCode", code, "SelectionPattern", or(cfn.Lookup(spec, "pattern"), cfn.NewString("")),
			"ResponseParameters", headers, "ResponseTemplates", cfn.NewMap("application/json", or(cfn.Lookup(spec, "template"), tmpl)))
		irs.Content = append(irs.Content, ir)
		mrs.Content = append(mrs.Content, cfn.NewMap("StatusCode", code, "ResponseParameters", mheaders))
	}
	cfn.Set(it, "IntegrationResponses", irs)
}

// authorizer sets a method's authorization from the event's authorizer.
func (c *compiler) authorizer(fn string, spec, props *yaml.Node) error {
	a := cfn.Lookup(spec, "authorizer")
	if a == nil {
		return nil
	}
	var name, arn, typ string
	if s, ok := cfn.Scalar(a); ok {
		if strings.HasPrefix(s, "arn:") {
			arn = s
		} else {
			name = s
		}
	} else {
		name, arn, typ = cfn.String(cfn.Lookup(a, "name")), cfn.String(cfn.Lookup(a, "arn")), strings.ToUpper(cfn.String(cfn.Lookup(a, "type")))
		if id := cfn.Lookup(a, "authorizerId"); id != nil {
			c.note("authorizer.authorizerId", fn, "an authorizer outside the service cannot run locally: the method is not protected")
			return nil
		}
	}
	if strings.EqualFold(name, "aws_iam") || typ == "AWS_IAM" {
		cfn.Set(props, "AuthorizationType", cfn.NewString("AWS_IAM"))
		return nil
	}
	if arn != "" && strings.Contains(arn, ":cognito-idp:") {
		typ = "COGNITO_USER_POOLS"
	}
	if name == "" && arn != "" {
		name = arn[strings.LastIndexAny(arn, ":/")+1:]
	}
	if typ == "" {
		typ = "TOKEN"
	}
	authID := normalize(name) + "ApiGatewayAuthorizer"
	if !c.auths[authID] {
		c.auths[authID] = true
		ap := cfn.NewMap("Name", name, "RestApiId", cfn.NewMap("Ref", restAPIID),
			"IdentitySource", or(cfn.Lookup(a, "identitySource"), cfn.NewString("method.request.header.Authorization")),
			"AuthorizerResultTtlInSeconds", or(cfn.Lookup(a, "resultTtlInSeconds"), cfn.NewInt(300)))
		if v := cfn.Lookup(a, "identityValidationExpression"); v != nil {
			cfn.Set(ap, "IdentityValidationExpression", v)
		}
		switch typ {
		case "COGNITO_USER_POOLS":
			cfn.Set(ap, "Type", cfn.NewString(typ))
			cfn.Set(ap, "ProviderARNs", cfn.NewSeq(arn))
		case "TOKEN", "REQUEST":
			cfn.Set(ap, "Type", cfn.NewString(typ))
			if arn != "" {
				c.note("authorizer "+arn, fn, "a Lambda authorizer outside the service does not run locally: requests to the method fail authorization")
				cfn.Set(ap, "AuthorizerUri", cfn.NewString("arn:aws:apigateway:"+c.opts.Region+":lambda:path/2015-03-31/functions/"+arn+"/invocations"))
			} else {
				if cfn.Path(c.doc, "functions", name) == nil {
					return c.t.Errorf(a, "function %s: authorizer %s is not a function of this service", fn, name)
				}
				cfn.Set(ap, "AuthorizerUri", lambdaURI(functionID(name)))
			}
		default:
			return c.t.Errorf(a, "function %s: authorizer type %q: use token, request, cognito_user_pools or aws_iam", fn, typ)
		}
		cfn.Set(c.out, authID, cfn.NewMap("Type", "AWS::ApiGateway::Authorizer", "Properties", ap))
	}
	authType := "CUSTOM"
	if typ == "COGNITO_USER_POOLS" {
		authType = typ
		if sc := cfn.Lookup(a, "scopes"); sc != nil {
			cfn.Set(props, "AuthorizationScopes", sc)
		}
	}
	cfn.Set(props, "AuthorizationType", cfn.NewString(authType))
	cfn.Set(props, "AuthorizerId", cfn.NewMap("Ref", authID))
	return nil
}

// request writes request.parameters and request.schemas.
func (c *compiler) request(methodID, idPart string, spec, props *yaml.Node) error {
	req := cfn.Lookup(spec, "request")
	params := cfn.NewMap()
	for group, loc := range map[string]string{"querystrings": "querystring", "headers": "header", "paths": "path"} {
		for name, v := range cfn.Pairs(cfn.Path(req, "parameters", group)) {
			required, ok := cfn.Bool(v)
			if !ok {
				required, _ = cfn.Bool(cfn.Lookup(v, "required"))
			}
			cfn.Set(params, "method.request."+loc+"."+name, cfn.NewBool(required))
		}
	}
	if len(params.Content) > 0 {
		sortPairs(params)
		cfn.Set(props, "RequestParameters", params)
	}
	schemas := cfn.Lookup(req, "schemas")
	if schemas == nil {
		return nil
	}
	models := cfn.NewMap()
	for ct, schema := range cfn.Pairs(schemas) {
		ctPart := pathPart(strings.ReplaceAll(ct, "/", "-"))
		ctPart = strings.ReplaceAll(ctPart, "Dash", "")
		var modelID string
		if name, ok := cfn.Scalar(schema); ok {
			def := cfn.Path(c.doc, "provider", "apiGateway", "request", "schemas", name)
			if def == nil {
				return c.t.Errorf(schema, "request.schemas: %s is not in provider.apiGateway.request.schemas", name)
			}
			modelID = "ApiGateway" + pathPart(name) + "Model"
			if cfn.Lookup(c.out, modelID) == nil {
				mname := or(cfn.Lookup(def, "name"), cfn.NewString(pathPart(name)))
				c.model(modelID, mname, ct, cfn.Lookup(def, "schema"), cfn.Lookup(def, "description"))
			}
		} else {
			modelID = methodID + ctPart + "Model"
			c.model(modelID, cfn.NewString(idPart+ctPart+"Model"), ct, schema, nil)
		}
		cfn.Set(models, ct, cfn.NewMap("Ref", modelID))
	}
	cfn.Set(props, "RequestModels", models)
	if !c.validator {
		c.validator = true
		cfn.Set(c.out, "ApiGatewayRestApiRequestValidator", cfn.NewMap("Type", "AWS::ApiGateway::RequestValidator", "Properties", cfn.NewMap(
			"RestApiId", cfn.NewMap("Ref", restAPIID), "Name", c.service+"-"+c.stage+" | Validate request body and querystring parameters",
			"ValidateRequestBody", true, "ValidateRequestParameters", true)))
	}
	cfn.Set(props, "RequestValidatorId", cfn.NewMap("Ref", "ApiGatewayRestApiRequestValidator"))
	return nil
}

func (c *compiler) model(id string, name *yaml.Node, ct string, schema, description *yaml.Node) {
	p := cfn.NewMap("RestApiId", cfn.NewMap("Ref", restAPIID), "ContentType", ct, "Name", name, "Schema", schema)
	if description != nil {
		cfn.Set(p, "Description", description)
	}
	cfn.Set(c.out, id, cfn.NewMap("Type", "AWS::ApiGateway::Model", "Properties", p))
}

func sortPairs(m *yaml.Node) {
	type kv struct{ k, v *yaml.Node }
	var ps []kv
	for i := 0; i+1 < len(m.Content); i += 2 {
		ps = append(ps, kv{m.Content[i], m.Content[i+1]})
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].k.Value < ps[j].k.Value })
	m.Content = m.Content[:0]
	for _, p := range ps {
		m.Content = append(m.Content, p.k, p.v)
	}
}
