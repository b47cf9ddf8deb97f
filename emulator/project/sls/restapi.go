package sls

import (
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/apigw-local/apigw-local/emulator/project/cfn"
)

// restAPI writes the REST API, the CORS preflight methods, the deployment to the stage and
// the API keys and usage plans.
func (c *compiler) restAPI() error {
	gw := c.provider("apiGateway")
	if cfn.Lookup(gw, "restApiId") != nil {
		c.note("provider.apiGateway.restApiId", "provider", "a shared REST API outside the service is not emulated: the service's routes go on an API of its own")
	}
	name := cfn.String(c.provider("apiName"))
	if name == "" {
		name = c.stage + "-" + c.service
		if b, _ := cfn.Bool(cfn.Lookup(gw, "shouldStartNameWithService")); b {
			name = c.service + "-" + c.stage
		}
	}
	endpoint := strings.ToUpper(cfn.String(c.provider("endpointType")))
	if endpoint == "" {
		endpoint = "EDGE"
	}
	props := cfn.NewMap("Name", name, "EndpointConfiguration", cfn.NewMap("Types", cfn.NewSeq(endpoint)))
	if v := cfn.Lookup(gw, "binaryMediaTypes"); v != nil {
		cfn.Set(props, "BinaryMediaTypes", v)
	}
	if v := cfn.Lookup(gw, "minimumCompressionSize"); v != nil {
		cfn.Set(props, "MinimumCompressionSize", v)
	}
	if v := cfn.Lookup(gw, "apiKeySourceType"); v != nil {
		cfn.Set(props, "ApiKeySourceType", cfn.NewString(strings.ToUpper(cfn.String(v))))
	}
	if v := cfn.Lookup(gw, "description"); v != nil {
		cfn.Set(props, "Description", v)
	}
	if v, _ := cfn.Bool(cfn.Lookup(gw, "disableDefaultEndpoint")); v {
		cfn.Set(props, "DisableExecuteApiEndpoint", cfn.NewBool(true))
	}
	if gw != nil && cfn.Lookup(gw, "resourcePolicy") != nil {
		c.note("provider.apiGateway.resourcePolicy", "provider", "resource policies are not enforced locally")
	}
	cfn.Set(c.out, restAPIID, cfn.NewMap("Type", "AWS::ApiGateway::RestApi", "Properties", props))
	c.corsMethods()
	dp := cfn.NewMap("RestApiId", cfn.NewMap("Ref", restAPIID), "StageName", c.stage)
	if vars := cfn.Path(c.doc, "custom", "stageVariables"); vars != nil {
		cfn.Set(dp, "StageDescription", cfn.NewMap("Variables", vars))
	}
	deps := cfn.NewSeq()
	for _, m := range c.methodIDs {
		deps.Content = append(deps.Content, cfn.NewString(m))
	}
	cfn.Set(c.out, "ApiGatewayDeployment", cfn.NewMap("Type", "AWS::ApiGateway::Deployment", "Properties", dp, "DependsOn", deps))
	if cfn.Path(c.doc, "provider", "logs", "restApi") != nil {
		c.note("provider.logs.restApi", "provider", "access and execution logs are not written to CloudWatch")
	}
	return c.keys(gw)
}

// corsMethods adds an OPTIONS method with a MOCK integration to every path an event asked
// CORS for.
func (c *compiler) corsMethods() {
	paths := make([]string, 0, len(c.cors))
	for p := range c.cors {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, path := range paths {
		if slices.Contains(c.methods[path], "OPTIONS") {
			continue
		}
		spec := c.cors[path]
		origin, headers := "*", defaultCORSHeaders
		credentials := false
		if spec.Kind == yaml.MappingNode {
			if o := cfn.String(cfn.Lookup(spec, "origin")); o != "" {
				origin = o
			} else if os := cfn.Strings(cfn.Lookup(spec, "origins")); len(os) > 0 {
				origin = os[0]
			}
			if h := cfn.Strings(cfn.Lookup(spec, "headers")); len(h) > 0 {
				headers = h
			}
			credentials, _ = cfn.Bool(cfn.Lookup(spec, "allowCredentials"))
		}
		methods := append([]string{"OPTIONS"}, c.methods[path]...)
		if slices.Contains(methods, "ANY") {
			methods = []string{"OPTIONS", "DELETE", "GET", "HEAD", "PATCH", "POST", "PUT"}
		}
		params := cfn.NewMap(
			"method.response.header.Access-Control-Allow-Origin", "'"+origin+"'",
			"method.response.header.Access-Control-Allow-Headers", "'"+strings.Join(headers, ",")+"'",
			"method.response.header.Access-Control-Allow-Methods", "'"+strings.Join(methods, ",")+"'",
		)
		mparams := cfn.NewMap(
			"method.response.header.Access-Control-Allow-Origin", true,
			"method.response.header.Access-Control-Allow-Headers", true,
			"method.response.header.Access-Control-Allow-Methods", true,
		)
		if credentials {
			cfn.Set(params, "method.response.header.Access-Control-Allow-Credentials", cfn.NewString("'true'"))
			cfn.Set(mparams, "method.response.header.Access-Control-Allow-Credentials", cfn.NewBool(true))
		}
		if spec.Kind == yaml.MappingNode && cfn.Lookup(spec, "maxAge") != nil {
			cfn.Set(params, "method.response.header.Access-Control-Max-Age", cfn.NewString("'"+cfn.String(cfn.Lookup(spec, "maxAge"))+"'"))
			cfn.Set(mparams, "method.response.header.Access-Control-Max-Age", cfn.NewBool(true))
		}
		resID, idPart := c.resourceOf(path)
		id := "ApiGatewayMethod" + idPart + "Options"
		cfn.Set(c.out, id, cfn.NewMap("Type", "AWS::ApiGateway::Method", "Properties", cfn.NewMap(
			"AuthorizationType", "NONE", "HttpMethod", "OPTIONS", "ResourceId", resID, "RestApiId", cfn.NewMap("Ref", restAPIID),
			"MethodResponses", cfn.NewSeq(cfn.NewMap("StatusCode", "200", "ResponseParameters", mparams, "ResponseModels", cfn.NewMap())),
			"RequestParameters", cfn.NewMap(),
			"Integration", cfn.NewMap("Type", "MOCK", "RequestTemplates", cfn.NewMap("application/json", "{statusCode:200}"),
				"ContentHandling", "CONVERT_TO_TEXT",
				"IntegrationResponses", cfn.NewSeq(cfn.NewMap("StatusCode", "200", "ResponseParameters", params,
					"ResponseTemplates", cfn.NewMap("application/json", "")))),
		)))
		c.methodIDs = append(c.methodIDs, id)
	}
}

// keys writes provider.apiGateway.apiKeys and usagePlan: a usage plan (one per named plan)
// holding the keys, as the framework does whenever there are keys.
func (c *compiler) keys(gw *yaml.Node) error {
	keys := cfn.Lookup(gw, "apiKeys")
	plan := cfn.Lookup(gw, "usagePlan")
	if keys == nil && plan == nil {
		return nil
	}
	stage := cfn.NewSeq(cfn.NewMap("ApiId", cfn.NewMap("Ref", restAPIID), "Stage", c.stage))
	planProps := func(spec *yaml.Node, name string) *yaml.Node {
		p := cfn.NewMap("ApiStages", stage, "UsagePlanName", name,
			"Description", "Usage plan for "+c.service+" "+c.stage+" stage")
		if q := cfn.Lookup(spec, "quota"); q != nil {
			cfn.Set(p, "Quota", cfn.NewMap("Limit", cfn.Lookup(q, "limit"), "Offset", cfn.Lookup(q, "offset"), "Period", cfn.Lookup(q, "period")))
		}
		if t := cfn.Lookup(spec, "throttle"); t != nil {
			cfn.Set(p, "Throttle", cfn.NewMap("BurstLimit", cfn.Lookup(t, "burstLimit"), "RateLimit", cfn.Lookup(t, "rateLimit")))
		}
		return p
	}
	// Named plans: usagePlan: [{free: {...}}, {paid: {...}}] with apiKeys: [{free: [...]}, ...].
	planIDs := map[string]string{}
	if plan != nil && plan.Kind == yaml.SequenceNode {
		for _, item := range plan.Content {
			for pname, spec := range cfn.Pairs(item) {
				id := "ApiGatewayUsagePlan" + pathPart(pname)
				planIDs[pname] = id
				cfn.Set(c.out, id, cfn.NewMap("Type", "AWS::ApiGateway::UsagePlan", "Properties", planProps(spec, c.service+"-"+pname)))
			}
		}
	} else {
		planIDs[""] = "ApiGatewayUsagePlan"
		cfn.Set(c.out, "ApiGatewayUsagePlan", cfn.NewMap("Type", "AWS::ApiGateway::UsagePlan", "Properties", planProps(plan, c.service+"-"+c.stage)))
	}
	n := 0
	addKey := func(spec *yaml.Node, planName string) error {
		n++
		id := "ApiGatewayApiKey" + strconv.Itoa(n)
		p := cfn.NewMap("Enabled", true, "StageKeys", cfn.NewSeq(cfn.NewMap("RestApiId", cfn.NewMap("Ref", restAPIID), "StageName", c.stage)))
		if s, ok := cfn.Scalar(spec); ok {
			cfn.Set(p, "Name", cfn.NewString(s))
		} else {
			for k, prop := range map[string]string{"name": "Name", "value": "Value", "description": "Description", "customerId": "CustomerId", "enabled": "Enabled"} {
				if v := cfn.Lookup(spec, k); v != nil {
					cfn.Set(p, prop, v)
				}
			}
		}
		cfn.Set(c.out, id, cfn.NewMap("Type", "AWS::ApiGateway::ApiKey", "Properties", p))
		planID := planIDs[planName]
		if planID == "" {
			return c.t.Errorf(spec, "apiKeys: usage plan %s is not in provider.apiGateway.usagePlan", planName)
		}
		cfn.Set(c.out, "ApiGatewayUsagePlanKey"+strconv.Itoa(n), cfn.NewMap("Type", "AWS::ApiGateway::UsagePlanKey", "Properties", cfn.NewMap(
			"KeyId", cfn.NewMap("Ref", id), "KeyType", "API_KEY", "UsagePlanId", cfn.NewMap("Ref", planID))))
		return nil
	}
	for _, k := range seq(keys) {
		// A mapping of one plan name to a list of keys groups keys by plan.
		if k.Kind == yaml.MappingNode && len(k.Content) == 2 && k.Content[1].Kind == yaml.SequenceNode {
			for _, kk := range k.Content[1].Content {
				if err := addKey(kk, k.Content[0].Value); err != nil {
					return err
				}
			}
			continue
		}
		if err := addKey(k, ""); err != nil {
			return err
		}
	}
	return nil
}
