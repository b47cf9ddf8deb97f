package project

import (
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/apigw-local/apigw-local/emulator/project/cfn"
	"github.com/apigw-local/apigw-local/emulator/project/sam"
)

// stack instantiates the plain CloudFormation resources of a template (what SAM's transform
// or the Serverless Framework's compilation produce) into a Plan, resolving intrinsics
// lazily: a property is evaluated when a loader reads it, so references to resources that
// are not emulated only matter where they are used.
type stack struct {
	t    *cfn.Template
	r    *cfn.Resolver
	opts *Options
	plan *Plan
	seed string // what stable ids derive from

	res   map[string]*resource
	order []string
	busy  map[string]bool // resource/property being resolved, for cycles
}

// resource is one entry of the Resources section.
type resource struct {
	id, typ string
	node    *yaml.Node // the resource's mapping
	props   *yaml.Node // its Properties (unresolved)
}

// noLocalEffect are resource types that change nothing a local API or function does.
var noLocalEffect = map[string]string{
	"AWS::IAM::Role":                        "IAM is not enforced locally",
	"AWS::IAM::Policy":                      "IAM is not enforced locally",
	"AWS::IAM::ManagedPolicy":               "IAM is not enforced locally",
	"AWS::Lambda::Permission":               "every integration may invoke every function locally",
	"AWS::Logs::LogGroup":                   "function output goes to the emulator's log",
	"AWS::ApiGateway::Account":              "CloudWatch logging settings have no local effect",
	"AWS::Lambda::Version":                  "every version and alias runs the current code",
	"AWS::Lambda::Alias":                    "every version and alias runs the current code",
	"AWS::CloudWatch::Alarm":                "metrics are not emulated",
	"AWS::ApiGateway::DocumentationPart":    "documentation is not emulated",
	"AWS::ApiGateway::DocumentationVersion": "documentation is not emulated",
}

func newStack(t *cfn.Template, r *cfn.Resolver, opts *Options, plan *Plan) (*stack, error) {
	s := &stack{t: t, r: r, opts: opts, plan: plan, seed: plan.Dir, res: map[string]*resource{}, busy: map[string]bool{}}
	if opts.IDSeed != "" {
		s.seed = opts.IDSeed
	}
	sec := t.Section("Resources")
	if sec == nil || sec.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: the template has no Resources section", t.Path)
	}
	for id, node := range cfn.Pairs(sec) {
		if node.Kind != yaml.MappingNode {
			return nil, t.Errorf(node, "resource %s must be a mapping with a Type", id)
		}
		typ := cfn.String(cfn.Lookup(node, "Type"))
		if typ == "" {
			return nil, t.Errorf(node, "resource %s has no Type", id)
		}
		if c := cfn.String(cfn.Lookup(node, "Condition")); c != "" {
			ok, err := r.Condition(c)
			if err != nil {
				return nil, fmt.Errorf("resource %s: %w", id, err)
			}
			if !ok {
				continue
			}
		}
		props := cfn.Lookup(node, "Properties")
		if props == nil {
			props = cfn.NewMap()
		}
		s.res[id] = &resource{id: id, typ: typ, node: node, props: props}
		s.order = append(s.order, id)
	}
	r.SetRefs(s)
	return s, nil
}

// prop resolves one property of a resource; nil when it is absent (or AWS::NoValue).
func (s *stack) prop(r *resource, name string) (*yaml.Node, error) {
	n := cfn.Lookup(r.props, name)
	if n == nil {
		return nil, nil
	}
	key := r.id + "." + name
	if s.busy[key] {
		return nil, s.t.Errorf(n, "%s.%s refers to itself", r.id, name)
	}
	s.busy[key] = true
	defer delete(s.busy, key)
	v, err := s.r.Resolve(n)
	if err != nil {
		return nil, fmt.Errorf("%s (%s %s): %w", r.id, r.typ, name, err)
	}
	return v, nil
}

// str resolves a string property; "" when absent.
func (s *stack) str(r *resource, name string) (string, error) {
	v, err := s.prop(r, name)
	if err != nil || v == nil {
		return "", err
	}
	str, ok := cfn.Scalar(v)
	if !ok {
		return "", s.t.Errorf(v, "%s: %s must be a string, got %s", r.id, name, cfn.Describe(v))
	}
	return str, nil
}

// props resolves every property of a resource.
func (s *stack) allProps(r *resource) (*yaml.Node, error) {
	out := cfn.NewMap()
	for _, k := range cfn.Keys(r.props) {
		v, err := s.prop(r, k)
		if err != nil {
			return nil, err
		}
		if v != nil {
			out.Content = append(out.Content, cfn.NewString(k), v)
		}
	}
	return out, nil
}

// Ref answers Ref of a resource as AWS does for the emulated types. Where AWS returns an id
// the store only assigns when the API is created (a resource id, a deployment id), the
// value is a token the loader maps back: a Resource's path, a Deployment's logical id.
func (s *stack) Ref(id string) (string, bool, error) {
	r := s.res[id]
	if r == nil {
		return "", false, nil
	}
	switch r.typ {
	case "AWS::Lambda::Function":
		name, err := s.functionName(r)
		return name, true, err
	case "AWS::ApiGateway::RestApi", "AWS::ApiGateway::ApiKey", "AWS::ApiGateway::UsagePlan":
		return StableID(s.seed, id), true, nil
	case "AWS::ApiGateway::Resource":
		p, err := s.resourcePath(r)
		return p, true, err
	case "AWS::ApiGateway::Stage":
		name, err := s.str(r, "StageName")
		return name, true, err
	case "AWS::ApiGateway::Authorizer", "AWS::ApiGateway::Model", "AWS::ApiGateway::RequestValidator":
		name, err := s.str(r, "Name")
		if name == "" {
			name = id
		}
		return name, true, err
	}
	return id, true, nil
}

// GetAtt answers Fn::GetAtt for the emulated types, and a placeholder for the others.
func (s *stack) GetAtt(id, attr string) (string, error) {
	r := s.res[id]
	if r == nil {
		return "", fmt.Errorf("the template has no resource %s", id)
	}
	region, _ := s.r.Pseudo("AWS::Region")
	account, _ := s.r.Pseudo("AWS::AccountId")
	switch r.typ {
	case "AWS::Lambda::Function":
		name, err := s.functionName(r)
		if err != nil {
			return "", err
		}
		switch attr {
		case "Arn":
			return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", region, account, name), nil
		case "SnapStartResponse.ApplyOn", "SnapStartResponse.OptimizationStatus":
			return "None", nil
		}
	case "AWS::ApiGateway::RestApi":
		switch attr {
		case "RootResourceId":
			return "/", nil
		case "RestApiId":
			return StableID(s.seed, id), nil
		}
	case "AWS::ApiGateway::Authorizer":
		if attr == "AuthorizerId" {
			v, _, err := s.Ref(id)
			return v, err
		}
	case "AWS::ApiGateway::Resource":
		if attr == "ResourceId" {
			return s.resourcePath(r)
		}
	case "AWS::ApiGateway::ApiKey":
		if attr == "APIKeyId" {
			return StableID(s.seed, id), nil
		}
	case "AWS::ApiGateway::UsagePlan":
		if attr == "Id" {
			return StableID(s.seed, id), nil
		}
	case "AWS::IAM::Role":
		switch attr {
		case "Arn":
			return fmt.Sprintf("arn:aws:iam::%s:role/%s", account, id), nil
		case "RoleId":
			return "AROA" + strings.ToUpper(StableID(s.seed, id)), nil
		}
	default:
		// Not emulated: a recognisable placeholder (the type is listed as not emulated).
		if strings.HasSuffix(attr, "Arn") {
			return fmt.Sprintf("arn:aws:%s:%s:%s:%s", serviceOf(r.typ), region, account, id), nil
		}
		return id + "." + attr, nil
	}
	return "", fmt.Errorf("%s (%s) has no attribute %s that apigw-local knows", id, r.typ, attr)
}

// serviceOf is the ARN service of a resource type: AWS::DynamoDB::Table → dynamodb.
func serviceOf(typ string) string {
	parts := strings.Split(typ, "::")
	if len(parts) >= 2 {
		return strings.ToLower(parts[1])
	}
	return "unknown"
}

// build instantiates every resource into the plan.
func (s *stack) build() error {
	var apiParts []*resource
	var keys []*resource
	for _, id := range s.order {
		r := s.res[id]
		switch {
		case r.typ == "AWS::Lambda::Function":
			if err := s.addFunction(r); err != nil {
				return err
			}
		case r.typ == "AWS::ApiGateway::RestApi":
			if err := s.addRestAPI(r); err != nil {
				return err
			}
		case r.typ == "AWS::ApiGateway::ApiKey" || r.typ == "AWS::ApiGateway::UsagePlan" || r.typ == "AWS::ApiGateway::UsagePlanKey":
			keys = append(keys, r)
		case apiPartTypes[r.typ]:
			apiParts = append(apiParts, r)
		case noLocalEffect[r.typ] != "":
			if generated, _ := cfn.Bool(cfn.Path(r.node, "Metadata", sam.GeneratedKey)); !generated {
				s.plan.Notes.Add(r.typ, id, noLocalEffect[r.typ])
			}
		case strings.HasPrefix(r.typ, "AWS::ApiGatewayV2::") || r.typ == "AWS::Serverless::HttpApi":
			s.plan.Notes.Add(r.typ, id, "HTTP and WebSocket APIs are not emulated yet: their routes are not served")
		default:
			s.plan.Notes.Add(r.typ, id, "not emulated; Ref and Fn::GetAtt of it evaluate to placeholders")
		}
	}
	// Parts go on their API in a fixed order: authorizers, models and validators before the
	// methods that name them.
	sort.SliceStable(apiParts, func(i, j int) bool { return partRank[apiParts[i].typ] < partRank[apiParts[j].typ] })
	for _, r := range apiParts {
		if err := s.addAPIPart(r); err != nil {
			return err
		}
	}
	if err := s.addKeys(keys); err != nil {
		return err
	}
	for _, a := range s.plan.APIs {
		if len(a.Stages) == 0 {
			s.plan.Notes.Add("RestApi without a stage", a.LogicalID, "it has no Deployment with a StageName nor a Stage, so no URL serves it")
		}
	}
	return nil
}
