package store

import (
	"maps"
	"slices"
)

// The store hands out deep copies so no caller can change state behind its lock, and
// deployments freeze deep copies so later edits never reach a deployed snapshot.

func (a *RestAPI) clone() *RestAPI {
	c := *a
	c.BinaryMediaTypes = slices.Clone(a.BinaryMediaTypes)
	if a.MinimumCompressionSize != nil {
		v := *a.MinimumCompressionSize
		c.MinimumCompressionSize = &v
	}
	c.EndpointConfiguration.Types = slices.Clone(a.EndpointConfiguration.Types)
	c.EndpointConfiguration.VpcEndpointIDs = slices.Clone(a.EndpointConfiguration.VpcEndpointIDs)
	c.Tags = maps.Clone(a.Tags)
	c.Warnings = slices.Clone(a.Warnings)
	return &c
}

func (r *Resource) clone() *Resource {
	c := *r
	if r.Methods != nil {
		c.Methods = make(map[string]*Method, len(r.Methods))
		for k, m := range r.Methods {
			c.Methods[k] = m.clone()
		}
	}
	return &c
}

func (m *Method) clone() *Method {
	c := *m
	c.RequestParameters = maps.Clone(m.RequestParameters)
	c.RequestModels = maps.Clone(m.RequestModels)
	c.AuthorizationScopes = slices.Clone(m.AuthorizationScopes)
	if m.MethodResponses != nil {
		c.MethodResponses = make(map[string]*MethodResponse, len(m.MethodResponses))
		for k, mr := range m.MethodResponses {
			c.MethodResponses[k] = mr.clone()
		}
	}
	if m.Integration != nil {
		c.Integration = m.Integration.clone()
	}
	return &c
}

func (mr *MethodResponse) clone() *MethodResponse {
	c := *mr
	c.ResponseParameters = maps.Clone(mr.ResponseParameters)
	c.ResponseModels = maps.Clone(mr.ResponseModels)
	return &c
}

func (in *Integration) clone() *Integration {
	c := *in
	c.RequestParameters = maps.Clone(in.RequestParameters)
	c.RequestTemplates = maps.Clone(in.RequestTemplates)
	c.CacheKeyParameters = slices.Clone(in.CacheKeyParameters)
	if c.CacheKeyParameters == nil {
		c.CacheKeyParameters = []string{}
	}
	if in.TLSConfig != nil {
		t := *in.TLSConfig
		c.TLSConfig = &t
	}
	if in.IntegrationResponses != nil {
		c.IntegrationResponses = make(map[string]*IntegrationResponse, len(in.IntegrationResponses))
		for k, ir := range in.IntegrationResponses {
			c.IntegrationResponses[k] = ir.clone()
		}
	}
	return &c
}

func (ir *IntegrationResponse) clone() *IntegrationResponse {
	c := *ir
	if ir.SelectionPattern != nil {
		p := *ir.SelectionPattern
		c.SelectionPattern = &p
	}
	c.ResponseParameters = maps.Clone(ir.ResponseParameters)
	c.ResponseTemplates = maps.Clone(ir.ResponseTemplates)
	return &c
}

func (d *Deployment) clone() *Deployment {
	c := *d
	c.APISummary = nil
	return &c
}

func (s *Stage) clone() *Stage {
	c := *s
	c.MethodSettings = maps.Clone(s.MethodSettings)
	if c.MethodSettings == nil {
		c.MethodSettings = map[string]MethodSetting{}
	}
	c.Variables = maps.Clone(s.Variables)
	c.Tags = maps.Clone(s.Tags)
	if s.AccessLogSettings != nil {
		a := *s.AccessLogSettings
		c.AccessLogSettings = &a
	}
	if s.CanarySettings != nil {
		cs := *s.CanarySettings
		cs.StageVariableOverrides = maps.Clone(s.CanarySettings.StageVariableOverrides)
		c.CanarySettings = &cs
	}
	return &c
}

func (a *Authorizer) clone() *Authorizer {
	c := *a
	c.ProviderARNs = slices.Clone(a.ProviderARNs)
	if a.AuthorizerResultTTLInSeconds != nil {
		v := *a.AuthorizerResultTTLInSeconds
		c.AuthorizerResultTTLInSeconds = &v
	}
	return &c
}

func (m *Model) clone() *Model { c := *m; return &c }

func (v *RequestValidator) clone() *RequestValidator { c := *v; return &c }

func (g *GatewayResponse) clone() *GatewayResponse {
	c := *g
	c.ResponseParameters = maps.Clone(g.ResponseParameters)
	c.ResponseTemplates = maps.Clone(g.ResponseTemplates)
	if c.ResponseParameters == nil {
		c.ResponseParameters = map[string]string{}
	}
	if c.ResponseTemplates == nil {
		c.ResponseTemplates = map[string]string{}
	}
	return &c
}

func cloneMap[V any](m map[string]*V, f func(*V) *V) map[string]*V {
	if m == nil {
		return nil
	}
	c := make(map[string]*V, len(m))
	for k, v := range m {
		c[k] = f(v)
	}
	return c
}
