package project

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/apigw-local/apigw-local/emulator/project/cfn"
	"github.com/apigw-local/apigw-local/emulator/store"
)

// apiPartTypes are the resources that belong to one REST API.
var apiPartTypes = map[string]bool{
	"AWS::ApiGateway::Resource": true, "AWS::ApiGateway::Method": true, "AWS::ApiGateway::Authorizer": true,
	"AWS::ApiGateway::Model": true, "AWS::ApiGateway::RequestValidator": true, "AWS::ApiGateway::GatewayResponse": true,
	"AWS::ApiGateway::Deployment": true, "AWS::ApiGateway::Stage": true,
}

// partRank orders API parts so that what a method names exists before it.
var partRank = map[string]int{
	"AWS::ApiGateway::Authorizer": 0, "AWS::ApiGateway::Model": 0, "AWS::ApiGateway::RequestValidator": 0,
	"AWS::ApiGateway::GatewayResponse": 0, "AWS::ApiGateway::Resource": 1, "AWS::ApiGateway::Method": 2,
	"AWS::ApiGateway::Deployment": 3, "AWS::ApiGateway::Stage": 4,
}

// addRestAPI turns an AWS::ApiGateway::RestApi into an API of the plan.
func (s *stack) addRestAPI(r *resource) error {
	a := &API{LogicalID: r.id, ID: StableID(s.seed, r.id), Def: &store.Definition{}}
	name, err := s.str(r, "Name")
	if err != nil {
		return err
	}
	a.Name = name
	body, err := s.prop(r, "Body")
	if err != nil {
		return err
	}
	switch {
	case body != nil && body.Kind == yaml.MappingNode:
		if a.Body, err = cfn.ToJSON(body); err != nil {
			return s.t.Errorf(body, "%s: Body: %v", r.id, err)
		}
	case body != nil:
		str, ok := cfn.Scalar(body)
		if !ok {
			return s.t.Errorf(body, "%s: Body must be an OpenAPI document, got %s", r.id, cfn.Describe(body))
		}
		a.Body = []byte(str)
	}
	loc, err := s.prop(r, "BodyS3Location")
	if err != nil {
		return err
	}
	if loc != nil && a.Body == nil {
		if path, ok := cfn.Scalar(loc); ok && !strings.HasPrefix(path, "s3://") {
			// A local path, as aws cloudformation package and sam take before uploading it.
			if !filepath.IsAbs(path) {
				path = filepath.Join(s.t.Dir, path)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return s.t.Errorf(loc, "%s: BodyS3Location: %v", r.id, err)
			}
			a.Body, a.BodyFile = b, path
			s.plan.Files = append(s.plan.Files, path)
		} else {
			s.plan.Notes.Add("BodyS3Location in S3", r.id, "apigw-local reads local files only: point BodyS3Location at the OpenAPI file on disk; the API has no routes")
		}
	}
	if a.Body == nil && a.Name == "" {
		return s.t.Errorf(r.node, "RestApi %s needs a Name (or a Body to take it from)", r.id)
	}
	if a.Body == nil {
		a.Def.Models = append(a.Def.Models, store.DefaultModels()...)
	}
	params, err := s.prop(r, "Parameters")
	if err != nil {
		return err
	}
	a.Import.BasePath = cfn.String(cfn.Lookup(params, "basepath"))
	if t := cfn.String(cfn.Lookup(params, "endpointConfigurationTypes")); t != "" {
		a.Import.EndpointTypes = []string{t}
	}
	if v, _ := s.prop(r, "FailOnWarnings"); v != nil {
		a.Import.FailOnWarnings, _ = cfn.Bool(v)
	}
	if err := s.apiSettings(r, a); err != nil {
		return err
	}
	if v, _ := s.prop(r, "CloneFrom"); v != nil {
		s.plan.Notes.Add("RestApi CloneFrom", r.id, "cloning a deployed API is not emulated; the API has only its own definition")
	}
	s.plan.APIs = append(s.plan.APIs, a)
	return nil
}

// apiSettings reads the RestApi properties that are API settings.
func (s *stack) apiSettings(r *resource, a *API) error {
	all, err := s.allProps(r)
	if err != nil {
		return err
	}
	var edits []func(*store.RestAPI)
	if a.Name != "" {
		name := a.Name
		edits = append(edits, func(api *store.RestAPI) { api.Name = name })
	}
	if v := cfn.Lookup(all, "Description"); v != nil {
		d := cfn.String(v)
		edits = append(edits, func(api *store.RestAPI) { api.Description = d })
	}
	if v := cfn.Lookup(all, "BinaryMediaTypes"); v != nil {
		types := cfn.Strings(v)
		for i, t := range types {
			types[i] = strings.ReplaceAll(t, "~1", "/")
		}
		edits = append(edits, func(api *store.RestAPI) { api.BinaryMediaTypes = slices.Clone(types) })
	}
	if v := cfn.Lookup(all, "ApiKeySourceType"); v != nil {
		src := cfn.String(v)
		edits = append(edits, func(api *store.RestAPI) { api.APIKeySource = src })
	}
	if v := cfn.Lookup(all, "MinimumCompressionSize"); v != nil {
		n, ok := cfn.Int(v)
		if !ok {
			return s.t.Errorf(v, "%s: MinimumCompressionSize must be a number", r.id)
		}
		edits = append(edits, func(api *store.RestAPI) { api.MinimumCompressionSize = &n })
	}
	if v := cfn.Lookup(all, "DisableExecuteApiEndpoint"); v != nil {
		b, _ := cfn.Bool(v)
		edits = append(edits, func(api *store.RestAPI) { api.DisableExecuteAPIEndpoint = b })
	}
	if v := cfn.Path(all, "EndpointConfiguration", "Types"); v != nil {
		types := cfn.Strings(v)
		edits = append(edits, func(api *store.RestAPI) { api.EndpointConfiguration.Types = slices.Clone(types) })
	}
	if v := cfn.Lookup(all, "Policy"); v != nil {
		policy := cfn.String(v)
		if v.Kind == yaml.MappingNode {
			b, _ := cfn.ToJSON(v)
			policy = string(b)
		}
		edits = append(edits, func(api *store.RestAPI) { api.Policy = policy })
	}
	if len(edits) > 0 {
		a.Def.Settings = func(api *store.RestAPI) {
			for _, e := range edits {
				e(api)
			}
		}
	}
	return nil
}

// apiOf finds the plan's API a part belongs to (RestApiId).
func (s *stack) apiOf(r *resource) (*API, error) {
	id, err := s.str(r, "RestApiId")
	if err != nil {
		return nil, err
	}
	for _, a := range s.plan.APIs {
		if a.ID == id {
			return a, nil
		}
	}
	if id == "" {
		return nil, s.t.Errorf(r.node, "%s (%s) has no RestApiId", r.id, r.typ)
	}
	return nil, nil
}

// resourcePath computes an AWS::ApiGateway::Resource's path from its parent chain.
func (s *stack) resourcePath(r *resource) (string, error) {
	parent, err := s.str(r, "ParentId")
	if err != nil {
		return "", err
	}
	part, err := s.str(r, "PathPart")
	if err != nil {
		return "", err
	}
	if part == "" {
		return "", s.t.Errorf(r.node, "resource %s has no PathPart", r.id)
	}
	if !strings.HasPrefix(parent, "/") {
		return "", s.t.Errorf(cfn.Lookup(r.props, "ParentId"), "resource %s: ParentId must be !GetAtt Api.RootResourceId or !Ref of another AWS::ApiGateway::Resource, got %q", r.id, parent)
	}
	if parent == "/" {
		return "/" + part, nil
	}
	return parent + "/" + part, nil
}

// defResource returns the definition's resource at path, adding it.
func defResource(d *store.Definition, path string) *store.Resource {
	for _, r := range d.Resources {
		if r.Path == path {
			return r
		}
	}
	r := &store.Resource{Path: path}
	d.Resources = append(d.Resources, r)
	return r
}

// addAPIPart puts a Resource, Method, Authorizer, Model, RequestValidator, GatewayResponse,
// Deployment or Stage on its API.
func (s *stack) addAPIPart(r *resource) error {
	a, err := s.apiOf(r)
	if err != nil {
		return err
	}
	if a == nil {
		s.plan.Notes.Add(r.typ+" of an API outside the template", r.id, "its RestApiId names no RestApi of this template: ignored")
		return nil
	}
	p, err := s.allProps(r)
	if err != nil {
		return err
	}
	str := func(k string) string { return cfn.String(cfn.Lookup(p, k)) }
	switch r.typ {
	case "AWS::ApiGateway::Resource":
		path, err := s.resourcePath(r)
		if err != nil {
			return err
		}
		defResource(a.Def, path)
	case "AWS::ApiGateway::Method":
		return s.addMethod(r, a, p)
	case "AWS::ApiGateway::Authorizer":
		au := &store.Authorizer{
			Name: str("Name"), Type: strings.ToUpper(str("Type")), AuthType: str("AuthType"),
			AuthorizerURI: str("AuthorizerUri"), AuthorizerCredentials: str("AuthorizerCredentials"),
			IdentitySource: str("IdentitySource"), IdentityValidationExpression: str("IdentityValidationExpression"),
			ProviderARNs: cfn.Strings(cfn.Lookup(p, "ProviderARNs")),
		}
		if au.Name == "" {
			au.Name = r.id
		}
		if v := cfn.Lookup(p, "AuthorizerResultTtlInSeconds"); v != nil {
			n, ok := cfn.Int(v)
			if !ok {
				return s.t.Errorf(v, "%s: AuthorizerResultTtlInSeconds must be a number", r.id)
			}
			au.AuthorizerResultTTLInSeconds = &n
		}
		a.Def.Authorizers = append(a.Def.Authorizers, au)
	case "AWS::ApiGateway::Model":
		m := &store.Model{Name: str("Name"), Description: str("Description"), ContentType: str("ContentType")}
		if m.Name == "" {
			m.Name = r.id
		}
		if m.ContentType == "" {
			m.ContentType = "application/json"
		}
		if v := cfn.Lookup(p, "Schema"); v != nil {
			if v.Kind == yaml.MappingNode {
				b, err := cfn.ToJSON(v)
				if err != nil {
					return err
				}
				m.Schema = string(b)
			} else {
				m.Schema = cfn.String(v)
			}
		}
		a.Def.Models = slices.DeleteFunc(a.Def.Models, func(x *store.Model) bool { return x.Name == m.Name })
		a.Def.Models = append(a.Def.Models, m)
	case "AWS::ApiGateway::RequestValidator":
		v := &store.RequestValidator{Name: str("Name")}
		if v.Name == "" {
			v.Name = r.id
		}
		v.ValidateRequestBody, _ = cfn.Bool(cfn.Lookup(p, "ValidateRequestBody"))
		v.ValidateRequestParameters, _ = cfn.Bool(cfn.Lookup(p, "ValidateRequestParameters"))
		a.Def.Validators = append(a.Def.Validators, v)
	case "AWS::ApiGateway::GatewayResponse":
		a.Def.GatewayResponses = append(a.Def.GatewayResponses, &store.GatewayResponse{
			ResponseType: str("ResponseType"), StatusCode: str("StatusCode"),
			ResponseParameters: cfn.StringMap(cfn.Lookup(p, "ResponseParameters")),
			ResponseTemplates:  cfn.StringMap(cfn.Lookup(p, "ResponseTemplates")),
		})
	case "AWS::ApiGateway::Deployment":
		name := str("StageName")
		if name == "" {
			return nil
		}
		st := stageOf(a, name)
		sd := cfn.Lookup(p, "StageDescription")
		return s.stageSettings(r, st, sd, "")
	case "AWS::ApiGateway::Stage":
		name := str("StageName")
		if name == "" {
			return s.t.Errorf(r.node, "stage %s has no StageName", r.id)
		}
		return s.stageSettings(r, stageOf(a, name), p, "")
	}
	return nil
}

// stageOf returns the API's stage of that name, adding it.
func stageOf(a *API, name string) *Stage {
	for _, st := range a.Stages {
		if st.Name == name {
			return st
		}
	}
	st := &Stage{Name: name}
	a.Stages = append(a.Stages, st)
	return st
}

// stageSettings reads a Stage's (or a Deployment's StageDescription's) settings.
func (s *stack) stageSettings(r *resource, st *Stage, p *yaml.Node, description string) error {
	if d := cfn.String(cfn.Lookup(p, "Description")); d != "" {
		st.Description = d
	} else if description != "" && st.Description == "" {
		st.Description = description
	}
	if v := cfn.Lookup(p, "Variables"); v != nil {
		if st.Variables == nil {
			st.Variables = map[string]string{}
		}
		for k, val := range cfn.StringMap(v) {
			st.Variables[k] = val
		}
	}
	st.TracingEnabled, _ = cfn.Bool(cfn.Lookup(p, "TracingEnabled"))
	st.CacheClusterEnabled, _ = cfn.Bool(cfn.Lookup(p, "CacheClusterEnabled"))
	st.CacheClusterSize = cfn.String(cfn.Lookup(p, "CacheClusterSize"))
	var settings []*yaml.Node
	if ms := cfn.Lookup(p, "MethodSettings"); ms != nil && ms.Kind == yaml.SequenceNode {
		settings = ms.Content
	}
	// A Deployment's StageDescription holds the settings of every method directly.
	if cfn.Lookup(p, "ThrottlingBurstLimit") != nil || cfn.Lookup(p, "ThrottlingRateLimit") != nil ||
		cfn.Lookup(p, "MetricsEnabled") != nil || cfn.Lookup(p, "LoggingLevel") != nil ||
		cfn.Lookup(p, "CachingEnabled") != nil || cfn.Lookup(p, "DataTraceEnabled") != nil {
		settings = append([]*yaml.Node{p}, settings...)
	}
	for _, m := range settings {
		ops, err := methodSettingOps(m)
		if err != nil {
			return s.t.Errorf(m, "%s: MethodSettings: %v", r.id, err)
		}
		st.MethodSettings = append(st.MethodSettings, ops...)
	}
	if cfn.Lookup(p, "AccessLogSetting") != nil {
		s.plan.Notes.Add("AccessLogSetting", r.id, "access logs are not written to CloudWatch")
	}
	if cfn.Lookup(p, "CanarySetting") != nil || cfn.Lookup(p, "DeploymentCanarySettings") != nil {
		s.plan.Notes.Add("CanarySetting", r.id, "canary deployments from a template are not emulated: the stage serves the current definition")
	}
	return nil
}

// methodSettingFields maps MethodSetting properties to UpdateStage setting paths.
var methodSettingFields = []struct{ prop, path string }{
	{"MetricsEnabled", "metrics/enabled"}, {"DataTraceEnabled", "logging/dataTrace"},
	{"LoggingLevel", "logging/loglevel"}, {"ThrottlingBurstLimit", "throttling/burstLimit"},
	{"ThrottlingRateLimit", "throttling/rateLimit"}, {"CachingEnabled", "caching/enabled"},
	{"CacheTtlInSeconds", "caching/ttlInSeconds"}, {"CacheDataEncrypted", "caching/dataEncrypted"},
}

// methodSettingOps turns one MethodSetting into UpdateStage operations.
func methodSettingOps(m *yaml.Node) ([]store.PatchOp, error) {
	res := cfn.String(cfn.Lookup(m, "ResourcePath"))
	verb := strings.ToUpper(cfn.String(cfn.Lookup(m, "HttpMethod")))
	if res == "" {
		res = "/*"
	}
	if verb == "" {
		verb = "*"
	}
	var prefix string
	if res == "/*" || res == "*" {
		prefix = "/*/" + verb
	} else {
		if !strings.HasPrefix(res, "/") {
			return nil, fmt.Errorf("ResourcePath %q must start with /", res)
		}
		prefix = "/" + strings.ReplaceAll(res, "/", "~1") + "/" + verb
	}
	var ops []store.PatchOp
	for _, f := range methodSettingFields {
		v := cfn.Lookup(m, f.prop)
		if v == nil {
			continue
		}
		val := cfn.String(v)
		if b, ok := cfn.Bool(v); ok {
			val = strconv.FormatBool(b)
		}
		ops = append(ops, store.PatchOp{Op: "replace", Path: prefix + "/" + f.path, Value: &val})
	}
	return ops, nil
}
