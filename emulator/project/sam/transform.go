// Package sam emulates the AWS::Serverless-2016-10-31 transform for apigw-local: it rewrites
// a SAM template's AWS::Serverless::Function and AWS::Serverless::Api resources (with the
// Globals section merged in) into the plain CloudFormation resources SAM's translator
// creates — AWS::Lambda::Function, AWS::ApiGateway::RestApi with an OpenAPI Body,
// Deployment, Stage, ApiKey, UsagePlan and UsagePlanKey — so the same CloudFormation loader
// instantiates both kinds of template.
//
// The generated OpenAPI documents follow the translator: Api events become paths with an
// aws_proxy integration to the function (Method: any becomes
// x-amazon-apigateway-any-method), the implicit ServerlessRestApi gets stage Prod, Cors adds
// OPTIONS methods with a MOCK integration and the Access-Control-* headers, Auth adds
// securityDefinitions for Lambda TOKEN and REQUEST authorizers, Cognito user pools, AWS_IAM
// and API keys, and the methods' security, GatewayResponses, Models, RequestModel and
// RequestParameters are written as the translator writes them. Without OpenApiVersion,
// SAM's deployment also creates the stage named "Stage", and so does this transform.
//
// Known differences from SAM:
//   - the generated document is always Swagger 2.0 (OpenApiVersion only decides the "Stage"
//     stage);
//   - an event whose path and method a DefinitionBody included through AWS::Include already
//     defines is skipped (SAM cannot see included documents and adds nothing to them);
//   - conditions on functions are evaluated here: a function whose Condition is false and its
//     events are dropped instead of being wrapped in Fn::If;
//   - AutoPublishAlias, DeploymentPreference, ProvisionedConcurrencyConfig and event sources
//     other than Api are reported and not emulated; HttpApi resources and events are reported
//     as not emulated yet.
package sam

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/apigw-local/apigw-local/emulator/project/cfn"
)

// Transform is the transform this package emulates.
const Transform20161031 = "AWS::Serverless-2016-10-31"

// Options configure Transform.
type Options struct {
	// Resolver evaluates parameters and conditions the transform needs (stage names,
	// resource conditions).
	Resolver *cfn.Resolver
	// Note records what is not emulated: subject, where, what will not work.
	Note func(subject, where, effect string)
}

// IsSAM reports whether a template declares the SAM transform.
func IsSAM(t *cfn.Template) bool {
	tr := t.Section("Transform")
	return slices.Contains(cfn.Strings(tr), Transform20161031)
}

// transformer holds the state of one Transform.
type transformer struct {
	t     *cfn.Template
	opts  Options
	out   *yaml.Node // the new Resources mapping
	in    *yaml.Node // the original Resources
	apis  map[string]*api
	order []string // API logical ids in creation order
	// shared usage plan (CreateUsagePlan: SHARED)
	shared *yaml.Node
}

func (x *transformer) note(subject, where, effect string) {
	if x.opts.Note != nil {
		x.opts.Note(subject, where, effect)
	}
}

// Transform rewrites t's serverless resources in place. Plain resources pass through.
func Transform(t *cfn.Template, opts Options) error {
	in := t.Section("Resources")
	if in == nil || in.Kind != yaml.MappingNode {
		return fmt.Errorf("%s: the template has no Resources section", t.Path)
	}
	x := &transformer{t: t, opts: opts, out: cfn.NewMap(), in: in, apis: map[string]*api{}}
	globals := t.Section("Globals")
	for k := range cfn.Pairs(globals) {
		switch k {
		case "Function", "Api":
		case "HttpApi", "SimpleTable", "LayerVersion", "StateMachine", "CapacityProvider":
		default:
			return t.Errorf(globals, "Globals: %s is not a section SAM knows (Function, Api, HttpApi, SimpleTable, LayerVersion, StateMachine)", k)
		}
	}
	// Explicit APIs first, so events can find them.
	for id, node := range cfn.Pairs(in) {
		if cfn.String(cfn.Lookup(node, "Type")) == "AWS::Serverless::Api" {
			if skip, err := x.skipped(id, node); err != nil || skip {
				if err != nil {
					return err
				}
				continue
			}
			props := merged(cfn.Lookup(globals, "Api"), cfn.Lookup(node, "Properties"))
			x.addAPI(id, node, props, false)
		}
	}
	for id, node := range cfn.Pairs(in) {
		typ := cfn.String(cfn.Lookup(node, "Type"))
		switch typ {
		case "AWS::Serverless::Api":
			continue
		case "AWS::Serverless::Function":
			if skip, err := x.skipped(id, node); err != nil || skip {
				if err != nil {
					return err
				}
				continue
			}
			props := merged(cfn.Lookup(globals, "Function"), cfn.Lookup(node, "Properties"))
			if err := x.function(id, node, props); err != nil {
				return err
			}
		case "AWS::Serverless::SimpleTable":
			x.note(typ, id, "DynamoDB is not emulated; Ref of it evaluates to its logical id")
			cfn.Set(x.out, id, node)
		case "AWS::Serverless::LayerVersion":
			x.note(typ, id, "layers are not mounted into functions")
		default:
			cfn.Set(x.out, id, node)
		}
	}
	for _, id := range x.order {
		if err := x.emitAPI(x.apis[id]); err != nil {
			return err
		}
	}
	cfn.Set(t.Root, "Resources", x.out)
	cfn.Delete(t.Root, "Globals")
	return nil
}

// skipped evaluates a resource's Condition: false drops it.
func (x *transformer) skipped(id string, node *yaml.Node) (bool, error) {
	c := cfn.String(cfn.Lookup(node, "Condition"))
	if c == "" || x.opts.Resolver == nil {
		return false, nil
	}
	ok, err := x.opts.Resolver.Condition(c)
	if err != nil {
		return false, fmt.Errorf("resource %s: %w", id, err)
	}
	return !ok, nil
}

// merged applies SAM's Globals rules: the resource's value wins for scalars and intrinsic
// functions, mappings merge key by key (recursively), lists concatenate globals first.
func merged(global, local *yaml.Node) *yaml.Node {
	if global == nil {
		if local == nil {
			return cfn.NewMap()
		}
		return cfn.Clone(local)
	}
	if local == nil {
		return cfn.Clone(global)
	}
	_, _, gi := cfn.Intrinsic(global)
	_, _, li := cfn.Intrinsic(local)
	switch {
	case gi || li:
		return cfn.Clone(local)
	case global.Kind == yaml.MappingNode && local.Kind == yaml.MappingNode:
		out := cfn.Clone(global)
		out.Line, out.Column = local.Line, local.Column
		for k, v := range cfn.Pairs(local) {
			cfn.Set(out, k, merged(cfn.Lookup(global, k), v))
		}
		return out
	case global.Kind == yaml.SequenceNode && local.Kind == yaml.SequenceNode:
		out := cfn.Clone(global)
		out.Content = append(out.Content, cfn.Clone(local).Content...)
		return out
	}
	return cfn.Clone(local)
}

// resourceNode builds a resource mapping.
func resourceNode(typ string, props *yaml.Node, extra ...any) *yaml.Node {
	kv := append([]any{"Type", typ}, extra...)
	kv = append(kv, "Properties", props)
	return cfn.NewMap(kv...)
}

// sanitize keeps the letters and digits of a stage name, for logical ids.
func sanitize(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}
