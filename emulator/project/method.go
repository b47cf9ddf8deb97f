package project

import (
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/apigw-local/apigw-local/emulator/project/cfn"
	"github.com/apigw-local/apigw-local/emulator/store"
)

// addMethod turns an AWS::ApiGateway::Method into a method of its API's definition.
func (s *stack) addMethod(r *resource, a *API, p *yaml.Node) error {
	str := func(n *yaml.Node, k string) string { return cfn.String(cfn.Lookup(n, k)) }
	path := str(p, "ResourceId")
	if !strings.HasPrefix(path, "/") {
		return s.t.Errorf(cfn.Lookup(r.props, "ResourceId"), "method %s: ResourceId must be !GetAtt Api.RootResourceId or !Ref of an AWS::ApiGateway::Resource, got %q", r.id, path)
	}
	verb := strings.ToUpper(str(p, "HttpMethod"))
	if verb == "" {
		return s.t.Errorf(r.node, "method %s has no HttpMethod", r.id)
	}
	m := &store.Method{
		AuthorizationType:   strings.ToUpper(str(p, "AuthorizationType")),
		AuthorizerID:        str(p, "AuthorizerId"),
		OperationName:       str(p, "OperationName"),
		RequestValidatorID:  str(p, "RequestValidatorId"),
		RequestModels:       cfn.StringMap(cfn.Lookup(p, "RequestModels")),
		AuthorizationScopes: cfn.Strings(cfn.Lookup(p, "AuthorizationScopes")),
	}
	if m.AuthorizationType == "" {
		m.AuthorizationType = "NONE"
	}
	m.APIKeyRequired, _ = cfn.Bool(cfn.Lookup(p, "ApiKeyRequired"))
	m.RequestParameters = boolMap(cfn.Lookup(p, "RequestParameters"))
	if mrs := cfn.Lookup(p, "MethodResponses"); mrs != nil {
		m.MethodResponses = map[string]*store.MethodResponse{}
		for _, x := range mrs.Content {
			code := str(x, "StatusCode")
			m.MethodResponses[code] = &store.MethodResponse{
				StatusCode:         code,
				ResponseParameters: boolMap(cfn.Lookup(x, "ResponseParameters")),
				ResponseModels:     cfn.StringMap(cfn.Lookup(x, "ResponseModels")),
			}
		}
	}
	if in := cfn.Lookup(p, "Integration"); in != nil {
		it := &store.Integration{
			Type:                strings.ToUpper(str(in, "Type")),
			HTTPMethod:          strings.ToUpper(str(in, "IntegrationHttpMethod")),
			URI:                 str(in, "Uri"),
			Credentials:         str(in, "Credentials"),
			ConnectionType:      str(in, "ConnectionType"),
			ConnectionID:        str(in, "ConnectionId"),
			RequestParameters:   cfn.StringMap(cfn.Lookup(in, "RequestParameters")),
			RequestTemplates:    cfn.StringMap(cfn.Lookup(in, "RequestTemplates")),
			PassthroughBehavior: strings.ToUpper(str(in, "PassthroughBehavior")),
			ContentHandling:     str(in, "ContentHandling"),
			CacheNamespace:      str(in, "CacheNamespace"),
			CacheKeyParameters:  cfn.Strings(cfn.Lookup(in, "CacheKeyParameters")),
		}
		if t, ok := cfn.Int(cfn.Lookup(in, "TimeoutInMillis")); ok {
			it.TimeoutInMillis = t
		}
		if irs := cfn.Lookup(in, "IntegrationResponses"); irs != nil {
			it.IntegrationResponses = map[string]*store.IntegrationResponse{}
			for _, x := range irs.Content {
				code := str(x, "StatusCode")
				ir := &store.IntegrationResponse{
					StatusCode:         code,
					ResponseParameters: cfn.StringMap(cfn.Lookup(x, "ResponseParameters")),
					ResponseTemplates:  cfn.StringMap(cfn.Lookup(x, "ResponseTemplates")),
					ContentHandling:    str(x, "ContentHandling"),
				}
				if sp := cfn.Lookup(x, "SelectionPattern"); sp != nil {
					v := cfn.String(sp)
					ir.SelectionPattern = &v
				}
				it.IntegrationResponses[code] = ir
			}
		}
		m.Integration = it
	}
	res := defResource(a.Def, path)
	if res.Methods == nil {
		res.Methods = map[string]*store.Method{}
	}
	if _, dup := res.Methods[verb]; dup {
		return s.t.Errorf(r.node, "method %s: %s %s is defined twice", r.id, verb, path)
	}
	res.Methods[verb] = m
	return nil
}

// boolMap reads {name: true} mappings (method request and response parameters).
func boolMap(n *yaml.Node) map[string]bool {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := map[string]bool{}
	for k, v := range cfn.Pairs(n) {
		b, _ := cfn.Bool(v)
		out[k] = b
	}
	return out
}

// addKeys reads ApiKey, UsagePlan and UsagePlanKey resources.
func (s *stack) addKeys(rs []*resource) error {
	sort.SliceStable(rs, func(i, j int) bool { return keyRank[rs[i].typ] < keyRank[rs[j].typ] })
	for _, r := range rs {
		p, err := s.allProps(r)
		if err != nil {
			return err
		}
		str := func(k string) string { return cfn.String(cfn.Lookup(p, k)) }
		switch r.typ {
		case "AWS::ApiGateway::ApiKey":
			k := &APIKey{LogicalID: r.id, ID: StableID(s.seed, r.id), Name: str("Name"), Value: str("Value"),
				Description: str("Description"), CustomerID: str("CustomerId"), Enabled: true}
			if v := cfn.Lookup(p, "Enabled"); v != nil {
				k.Enabled, _ = cfn.Bool(v)
			}
			if k.Name == "" {
				k.Name = r.id
			}
			if k.Value == "" {
				k.Value = stableKeyValue(s.seed, r.id)
			}
			for _, sk := range seqOf(cfn.Lookup(p, "StageKeys")) {
				k.StageKeys = append(k.StageKeys, str2(sk, "RestApiId")+"/"+str2(sk, "StageName"))
			}
			s.plan.Keys = append(s.plan.Keys, k)
		case "AWS::ApiGateway::UsagePlan":
			u := &UsagePlan{LogicalID: r.id, ID: StableID(s.seed, r.id), Name: str("UsagePlanName"), Description: str("Description")}
			if u.Name == "" {
				u.Name = r.id
			}
			for _, st := range seqOf(cfn.Lookup(p, "ApiStages")) {
				u.Stages = append(u.Stages, str2(st, "ApiId")+"/"+str2(st, "Stage"))
				if cfn.Lookup(st, "Throttle") != nil {
					s.plan.Notes.Add("UsagePlan ApiStages Throttle", r.id, "per-method throttling of a usage plan is not applied; the plan's own Throttle is")
				}
			}
			if th := cfn.Lookup(p, "Throttle"); th != nil {
				u.BurstLimit, _ = cfn.Int(cfn.Lookup(th, "BurstLimit"))
				u.RateLimit, _ = cfn.Float(cfn.Lookup(th, "RateLimit"))
			}
			if q := cfn.Lookup(p, "Quota"); q != nil {
				u.QuotaLimit, _ = cfn.Int(cfn.Lookup(q, "Limit"))
				u.QuotaOffset, _ = cfn.Int(cfn.Lookup(q, "Offset"))
				u.QuotaPeriod = cfn.String(cfn.Lookup(q, "Period"))
			}
			s.plan.UsagePlans = append(s.plan.UsagePlans, u)
		case "AWS::ApiGateway::UsagePlanKey":
			planID, keyID := str("UsagePlanId"), str("KeyId")
			for _, u := range s.plan.UsagePlans {
				if u.ID == planID {
					u.KeyIDs = append(u.KeyIDs, keyID)
				}
			}
		}
	}
	return nil
}

var keyRank = map[string]int{"AWS::ApiGateway::ApiKey": 0, "AWS::ApiGateway::UsagePlan": 1, "AWS::ApiGateway::UsagePlanKey": 2}

func seqOf(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

func str2(n *yaml.Node, k string) string { return cfn.String(cfn.Lookup(n, k)) }
