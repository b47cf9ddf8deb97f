package sam

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/apigw-local/apigw-local/emulator/project/cfn"
)

// addAuth writes the API's authorizers as securityDefinitions and each method's security:
// the event's Auth.Authorizer, else the DefaultAuthorizer ("NONE" turns it off), and the API
// key when Auth.ApiKeyRequired (API or event) asks for one.
func (x *transformer) addAuth(a *api, body, paths *yaml.Node) error {
	auth := cfn.Lookup(a.props, "Auth")
	authorizers := cfn.Lookup(auth, "Authorizers")
	defaultAuth := cfn.String(cfn.Lookup(auth, "DefaultAuthorizer"))
	apiKey, _ := cfn.Bool(cfn.Lookup(auth, "ApiKeyRequired"))
	defaultOnPreflight, keyOnPreflight := true, true
	if v, ok := cfn.Bool(cfn.Lookup(auth, "AddDefaultAuthorizerToCorsPreflight")); ok {
		defaultOnPreflight = v
	}
	if v, ok := cfn.Bool(cfn.Lookup(auth, "AddApiKeyRequiredToCorsPreflight")); ok {
		keyOnPreflight = v
	}
	if defaultAuth != "" && defaultAuth != "AWS_IAM" && cfn.Lookup(authorizers, defaultAuth) == nil {
		return x.t.Errorf(auth, "AWS::Serverless::Api %s: DefaultAuthorizer %s is not one of its Auth.Authorizers", a.id, defaultAuth)
	}
	if authorizers == nil && defaultAuth == "" && !apiKey && len(a.auth) == 0 {
		return nil
	}
	defs := cfn.NewMap()
	for name, def := range cfn.Pairs(authorizers) {
		d, err := x.authorizer(a, name, def)
		if err != nil {
			return err
		}
		cfn.Set(defs, name, d)
	}
	needIAM, needKey := defaultAuth == "AWS_IAM", false
	for _, path := range cfn.Keys(paths) {
		item := cfn.Lookup(paths, path)
		for _, key := range verbs {
			op := cfn.Lookup(item, key)
			if op == nil {
				continue
			}
			ev := a.auth[path+"\x00"+key]
			preflight := key == "options" && a.cors[path]
			name := defaultAuth
			if preflight && !defaultOnPreflight {
				name = ""
			}
			explicit := false
			if v := cfn.Lookup(ev, "Authorizer"); v != nil {
				name, explicit = cfn.String(v), true
			}
			if !explicit && cfn.Lookup(op, "security") != nil && ev == nil {
				continue // the document's own security stands
			}
			key2 := apiKey && (!preflight || keyOnPreflight)
			if v, ok := cfn.Bool(cfn.Lookup(ev, "ApiKeyRequired")); ok {
				key2 = v
			}
			sec := cfn.NewSeq()
			switch name {
			case "", "NONE":
			case "AWS_IAM":
				needIAM = true
				sec.Content = append(sec.Content, cfn.NewMap("AWS_IAM", cfn.NewSeq()))
			default:
				def := cfn.Lookup(authorizers, name)
				if def == nil {
					return x.t.Errorf(ev, "AWS::Serverless::Api %s: unable to set Authorizer %s on %s %s: the API's Auth.Authorizers has no %s", a.id, name, strings.ToUpper(key), path, name)
				}
				scopes := cfn.Lookup(ev, "AuthorizationScopes")
				if scopes == nil {
					scopes = cfn.Lookup(def, "AuthorizationScopes")
				}
				if scopes == nil {
					scopes = cfn.NewSeq()
				}
				sec.Content = append(sec.Content, cfn.NewMap(name, scopes))
			}
			if key2 {
				needKey = true
				sec.Content = append(sec.Content, cfn.NewMap("api_key", cfn.NewSeq()))
			}
			if len(sec.Content) > 0 || explicit {
				cfn.Set(op, "security", sec)
			}
		}
	}
	if needIAM {
		cfn.Set(defs, "AWS_IAM", cfn.NewMap("type", "apiKey", "name", "Authorization", "in", "header", "x-amazon-apigateway-authtype", "awsSigv4"))
	}
	if needKey {
		cfn.Set(defs, "api_key", cfn.NewMap("type", "apiKey", "name", "x-api-key", "in", "header"))
	}
	if len(defs.Content) > 0 {
		sd := child(body, "securityDefinitions")
		for k, v := range cfn.Pairs(defs) {
			cfn.Set(sd, k, v)
		}
	}
	return nil
}

// authorizer builds one securityDefinitions entry: a Lambda TOKEN or REQUEST authorizer
// (FunctionArn) or a Cognito user pool authorizer (UserPoolArn).
func (x *transformer) authorizer(a *api, name string, def *yaml.Node) (*yaml.Node, error) {
	identity := cfn.Lookup(def, "Identity")
	header := cfn.String(cfn.Lookup(identity, "Header"))
	if header == "" {
		header = "Authorization"
	}
	ttl := cfn.Lookup(identity, "ReauthorizeEvery")
	validation := cfn.Lookup(identity, "ValidationExpression")
	if pool := cfn.Lookup(def, "UserPoolArn"); pool != nil {
		arns := pool
		if pool.Kind != yaml.SequenceNode {
			arns = cfn.NewSeq(pool)
		}
		au := cfn.NewMap("type", "cognito_user_pools", "providerARNs", arns)
		if validation != nil {
			cfn.Set(au, "identityValidationExpression", validation)
		}
		return cfn.NewMap("type", "apiKey", "name", header, "in", "header",
			"x-amazon-apigateway-authtype", "cognito_user_pools", "x-amazon-apigateway-authorizer", au), nil
	}
	fnArn := cfn.Lookup(def, "FunctionArn")
	if fnArn == nil {
		return nil, x.t.Errorf(def, "AWS::Serverless::Api %s: authorizer %s needs FunctionArn (a Lambda authorizer) or UserPoolArn (Cognito)", a.id, name)
	}
	payload := strings.ToUpper(cfn.String(cfn.Lookup(def, "FunctionPayloadType")))
	if payload == "" {
		payload = "TOKEN"
	}
	if payload != "TOKEN" && payload != "REQUEST" {
		return nil, x.t.Errorf(def, "AWS::Serverless::Api %s: authorizer %s: FunctionPayloadType must be TOKEN or REQUEST", a.id, name)
	}
	uri := cfn.NewMap("Fn::Sub", cfn.NewSeq(
		"arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${__FunctionArn__}/invocations",
		cfn.NewMap("__FunctionArn__", fnArn)))
	au := cfn.NewMap("type", strings.ToLower(payload), "authorizerUri", uri)
	if role := cfn.Lookup(def, "FunctionInvokeRole"); role != nil {
		cfn.Set(au, "authorizerCredentials", role)
	}
	swaggerName := header
	if payload == "REQUEST" {
		swaggerName = "Unused"
		var sources []string
		for _, h := range cfn.Strings(cfn.Lookup(identity, "Headers")) {
			sources = append(sources, "method.request.header."+h)
		}
		for _, q := range cfn.Strings(cfn.Lookup(identity, "QueryStrings")) {
			sources = append(sources, "method.request.querystring."+q)
		}
		for _, s := range cfn.Strings(cfn.Lookup(identity, "StageVariables")) {
			sources = append(sources, "stageVariables."+s)
		}
		for _, c := range cfn.Strings(cfn.Lookup(identity, "Context")) {
			sources = append(sources, "context."+c)
		}
		if len(sources) > 0 {
			cfn.Set(au, "identitySource", cfn.NewString(strings.Join(sources, ", ")))
		}
	} else if validation != nil {
		cfn.Set(au, "identityValidationExpression", validation)
	}
	if ttl != nil {
		cfn.Set(au, "authorizerResultTtlInSeconds", ttl)
	}
	return cfn.NewMap("type", "apiKey", "name", swaggerName, "in", "header",
		"x-amazon-apigateway-authtype", "custom", "x-amazon-apigateway-authorizer", au), nil
}

// usagePlan writes Auth.UsagePlan: a plan, a key and the link between them, per API or
// shared by every API that asks for SHARED.
func (x *transformer) usagePlan(a *api, stageID string) error {
	up := cfn.Path(a.props, "Auth", "UsagePlan")
	if up == nil {
		return nil
	}
	mode := strings.ToUpper(cfn.String(cfn.Lookup(up, "CreateUsagePlan")))
	apiStage := cfn.NewMap("ApiId", cfn.NewMap("Ref", a.id), "Stage", cfn.NewMap("Ref", stageID))
	stageKey := cfn.NewMap("RestApiId", cfn.NewMap("Ref", a.id), "StageName", cfn.NewMap("Ref", stageID))
	planProps := func() *yaml.Node {
		p := cfn.NewMap("ApiStages", cfn.NewSeq(apiStage))
		for _, k := range []string{"Description", "Quota", "Throttle", "UsagePlanName"} {
			if v := cfn.Lookup(up, k); v != nil {
				cfn.Set(p, k, v)
			}
		}
		return p
	}
	switch mode {
	case "NONE":
		return nil
	case "PER_API":
		cfn.Set(x.out, a.id+"UsagePlan", resourceNode("AWS::ApiGateway::UsagePlan", planProps()))
		cfn.Set(x.out, a.id+"ApiKey", resourceNode("AWS::ApiGateway::ApiKey", cfn.NewMap("Enabled", true, "StageKeys", cfn.NewSeq(stageKey))))
		cfn.Set(x.out, a.id+"UsagePlanKey", resourceNode("AWS::ApiGateway::UsagePlanKey", cfn.NewMap(
			"KeyId", cfn.NewMap("Ref", a.id+"ApiKey"), "KeyType", "API_KEY", "UsagePlanId", cfn.NewMap("Ref", a.id+"UsagePlan"))))
	case "SHARED":
		if x.shared == nil {
			x.shared = planProps()
			cfn.Set(x.out, "ServerlessUsagePlan", resourceNode("AWS::ApiGateway::UsagePlan", x.shared))
			cfn.Set(x.out, "ServerlessApiKey", resourceNode("AWS::ApiGateway::ApiKey", cfn.NewMap("Enabled", true, "StageKeys", cfn.NewSeq(stageKey))))
			cfn.Set(x.out, "ServerlessUsagePlanKey", resourceNode("AWS::ApiGateway::UsagePlanKey", cfn.NewMap(
				"KeyId", cfn.NewMap("Ref", "ServerlessApiKey"), "KeyType", "API_KEY", "UsagePlanId", cfn.NewMap("Ref", "ServerlessUsagePlan"))))
			return nil
		}
		stages := cfn.Lookup(x.shared, "ApiStages")
		stages.Content = append(stages.Content, apiStage)
		keys := cfn.Path(x.out, "ServerlessApiKey", "Properties", "StageKeys")
		keys.Content = append(keys.Content, stageKey)
	default:
		return x.t.Errorf(up, "AWS::Serverless::Api %s: Auth.UsagePlan.CreateUsagePlan must be PER_API, SHARED or NONE", a.id)
	}
	return nil
}
