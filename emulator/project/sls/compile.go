// Package sls reads a Serverless Framework service (serverless.yml) into the CloudFormation
// template the framework would deploy, for apigw-local's project loader: one
// AWS::Lambda::Function per function (named {service}-{stage}-{function}, with the
// framework's defaults of 1024 MB and 6 s), and for http events the ApiGatewayRestApi with
// its resources, methods (AWS_PROXY to the function, or MOCK, HTTP, HTTP_PROXY), CORS
// preflight methods, authorizers, request parameters and schemas, a deployment to the
// stage, API keys and usage plans, with the logical ids the framework uses. The service's
// resources.Resources are merged in as the framework merges them.
//
// Variables are resolved first: ${self:...}, ${opt:stage}, ${opt:region}, ${env:X},
// ${sls:stage}, ${aws:region}, ${aws:accountId}, ${file(./x.yml):key}, ${strToBool(...)},
// nested variables and fallbacks (${opt:stage, self:provider.stage, 'dev'}).
//
// Known differences from the framework:
//   - ${cf:...}, ${ssm:...}, ${s3:...} and ${param:...} cannot be read locally: their
//     fallback is used, else they are reported and left empty;
//   - plugins do not run (code that a plugin such as serverless-esbuild builds must already
//     be built); custom.stageVariables (serverless-plugin-stage-variables) is read;
//   - httpApi events are reported as not emulated yet; integration: lambda uses a smaller
//     default request template than the framework's (body, method, headers, query, path,
//     stage, stageVariables, principalId);
//   - functions run from the service directory (or their package.artifact zip), not from the
//     zip the framework would build.
package sls

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/apigw-local/apigw-local/emulator/project/cfn"
)

// Options configure Compile.
type Options struct {
	// Stage is --stage; Region is the emulator's region (${opt:region}, ${aws:region}).
	Stage, Region, AccountID string
	// LookupEnv reads ${env:X}.
	LookupEnv func(string) (string, bool)
	// Note records what is not emulated: subject, where, what will not work.
	Note func(subject, where, effect string)
}

// Result is a compiled serverless.yml.
type Result struct {
	// Template holds the generated CloudFormation (Resources) and the service's own.
	Template *cfn.Template
	// StackName is {service}-{stage}, the framework's stack name.
	StackName string
	// Files are files read through ${file(...)}.
	Files []string
}

// compiler builds the Resources of one service.
type compiler struct {
	t       *cfn.Template
	opts    Options
	doc     *yaml.Node // resolved serverless.yml
	out     *yaml.Node // Resources
	service string
	stage   string
	// api state
	resources map[string]string // path → logical id of its AWS::ApiGateway::Resource
	methods   map[string][]string
	methodIDs []string
	cors      map[string]*yaml.Node // path → cors settings
	auths     map[string]bool
	validator bool
}

func (c *compiler) note(subject, where, effect string) {
	if c.opts.Note != nil {
		c.opts.Note(subject, where, effect)
	}
}

// Compile reads a serverless.yml into the CloudFormation the framework would deploy.
func Compile(path string, opts Options) (*Result, error) {
	t, err := cfn.ParseFile(path)
	if err != nil {
		return nil, err
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.AccountID == "" {
		opts.AccountID = "000000000000"
	}
	v := &vars{t: t, opts: &opts, root: t.Root, done: map[*yaml.Node]*yaml.Node{}, busy: map[*yaml.Node]bool{}, files: map[string]*yaml.Node{}}
	if err := v.resolveStage(); err != nil {
		return nil, err
	}
	doc, err := v.resolve(t.Root, 0)
	if err != nil {
		return nil, err
	}
	c := &compiler{t: t, opts: opts, doc: doc, out: cfn.NewMap(), stage: v.stage,
		resources: map[string]string{}, methods: map[string][]string{}, cors: map[string]*yaml.Node{}, auths: map[string]bool{}}
	svc := cfn.Lookup(doc, "service")
	if n := cfn.Lookup(svc, "name"); n != nil {
		svc = n
	}
	c.service = cfn.String(svc)
	if c.service == "" {
		return nil, fmt.Errorf("%s: service is missing: name the service (service: my-service)", path)
	}
	if p := cfn.String(cfn.Path(doc, "provider", "name")); p != "" && p != "aws" {
		return nil, t.Errorf(cfn.Path(doc, "provider", "name"), "provider %s: apigw-local emulates the aws provider only", p)
	}
	for _, pl := range cfn.Strings(cfn.Lookup(doc, "plugins")) {
		if pl != "serverless-offline" && pl != "serverless-plugin-stage-variables" {
			c.note("plugin "+pl, "plugins", "plugins do not run locally: what it adds or builds is missing")
		}
	}
	if err := c.functions(); err != nil {
		return nil, err
	}
	if len(c.methodIDs) > 0 {
		if err := c.restAPI(); err != nil {
			return nil, err
		}
	}
	if err := c.userResources(); err != nil {
		return nil, err
	}
	root := cfn.NewMap("AWSTemplateFormatVersion", "2010-09-09", "Resources", c.out)
	if cond := cfn.Path(doc, "resources", "Conditions"); cond != nil {
		cfn.Set(root, "Conditions", cond)
	}
	if p := cfn.Path(doc, "resources", "Parameters"); p != nil {
		cfn.Set(root, "Parameters", p)
	}
	if m := cfn.Path(doc, "resources", "Mappings"); m != nil {
		cfn.Set(root, "Mappings", m)
	}
	t.Root = root
	return &Result{Template: t, StackName: c.service + "-" + c.stage, Files: v.read}, nil
}

// normalize turns a name into the framework's logical id part: capitalised, with - and _
// spelled out.
func normalize(s string) string {
	s = strings.NewReplacer("-", "Dash", "_", "Underscore").Replace(s)
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// functionID is a function's logical id.
func functionID(name string) string { return normalize(name) + "LambdaFunction" }

// provider returns a provider setting.
func (c *compiler) provider(keys ...string) *yaml.Node {
	return cfn.Path(c.doc, append([]string{"provider"}, keys...)...)
}

// functions writes one AWS::Lambda::Function per function and reads its events.
func (c *compiler) functions() error {
	fns := cfn.Lookup(c.doc, "functions")
	for name, fn := range cfn.Pairs(fns) {
		if fn.Kind != yaml.MappingNode {
			return c.t.Errorf(fn, "function %s must be a mapping with a handler", name)
		}
		id := functionID(name)
		props := cfn.NewMap()
		fname := cfn.String(cfn.Lookup(fn, "name"))
		if fname == "" {
			fname = c.service + "-" + c.stage + "-" + name
		}
		cfn.Set(props, "FunctionName", cfn.NewString(fname))
		handler := cfn.String(cfn.Lookup(fn, "handler"))
		runtime := first(cfn.Lookup(fn, "runtime"), c.provider("runtime"))
		if cfn.Lookup(fn, "image") != nil {
			c.note("image functions", name, "container images do not run (no Docker): the function is not registered")
			continue
		}
		if handler == "" {
			return c.t.Errorf(fn, "function %s has no handler", name)
		}
		if runtime == nil {
			return c.t.Errorf(fn, "function %s has no runtime (set provider.runtime or the function's runtime)", name)
		}
		cfn.Set(props, "Handler", cfn.NewString(handler))
		cfn.Set(props, "Runtime", runtime)
		cfn.Set(props, "MemorySize", or(first(cfn.Lookup(fn, "memorySize"), c.provider("memorySize")), cfn.NewInt(1024)))
		cfn.Set(props, "Timeout", or(first(cfn.Lookup(fn, "timeout"), c.provider("timeout")), cfn.NewInt(6)))
		env := cfn.NewMap()
		for k, v := range cfn.Pairs(c.provider("environment")) {
			cfn.Set(env, k, v)
		}
		for k, v := range cfn.Pairs(cfn.Lookup(fn, "environment")) {
			cfn.Set(env, k, v)
		}
		if len(env.Content) > 0 {
			cfn.Set(props, "Environment", cfn.NewMap("Variables", env))
		}
		if rc := cfn.Lookup(fn, "reservedConcurrency"); rc != nil {
			cfn.Set(props, "ReservedConcurrentExecutions", rc)
		}
		if l := first(cfn.Lookup(fn, "layers"), c.provider("layers")); l != nil {
			cfn.Set(props, "Layers", l)
		}
		cfn.Set(props, "Code", c.code(name, fn, runtime, handler))
		cfn.Set(c.out, id, cfn.NewMap("Type", "AWS::Lambda::Function", "Properties", props))
		for _, ev := range seq(cfn.Lookup(fn, "events")) {
			if err := c.event(name, ev); err != nil {
				return err
			}
		}
	}
	return nil
}

// code says where a function's code is: its package.artifact (or the service's), the Go
// package its handler names, else the service directory.
func (c *compiler) code(name string, fn, runtime *yaml.Node, handler string) *yaml.Node {
	if a := first(cfn.Path(fn, "package", "artifact"), cfn.Path(c.doc, "package", "artifact")); a != nil {
		return a
	}
	rt := cfn.String(runtime)
	if rt == "go1.x" || strings.HasPrefix(rt, "provided") {
		p := filepath.Join(c.t.Dir, handler)
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			return cfn.NewString(handler)
		}
		if strings.HasSuffix(handler, ".go") {
			return cfn.NewString(filepath.Dir(handler))
		}
	}
	return cfn.NewString(".")
}

func first(ns ...*yaml.Node) *yaml.Node {
	for _, n := range ns {
		if !cfn.IsNull(n) {
			return n
		}
	}
	return nil
}

func or(n, def *yaml.Node) *yaml.Node {
	if n == nil {
		return def
	}
	return n
}

// event reads one function event: http events build the REST API, others are reported.
func (c *compiler) event(fn string, ev *yaml.Node) error {
	for typ, spec := range cfn.Pairs(ev) {
		switch typ {
		case "http":
			if err := c.httpEvent(fn, spec); err != nil {
				return err
			}
		case "httpApi":
			c.note("httpApi events", fn, "HTTP APIs are not emulated yet: this route is not served")
		case "websocket":
			c.note("websocket events", fn, "WebSocket APIs are not emulated yet")
		default:
			c.note(typ+" events", fn, "the event source is not emulated: the function runs only when a route or lambda invoke calls it")
		}
	}
	return nil
}

// userResources merges resources.Resources over the generated ones: a resource with a
// generated logical id extends it (its Properties merged key by key).
func (c *compiler) userResources() error {
	for id, r := range cfn.Pairs(cfn.Path(c.doc, "resources", "Resources")) {
		existing := cfn.Lookup(c.out, id)
		if existing == nil {
			cfn.Set(c.out, id, r)
			continue
		}
		for k, v := range cfn.Pairs(r) {
			if k != "Properties" {
				cfn.Set(existing, k, v)
				continue
			}
			props := cfn.Lookup(existing, "Properties")
			for pk, pv := range cfn.Pairs(v) {
				cfn.Set(props, pk, pv)
			}
		}
	}
	for _, k := range []string{"extensions"} {
		if cfn.Path(c.doc, "resources", k) != nil {
			c.note("resources."+k, "resources", "not applied")
		}
	}
	return nil
}

// verbs are the methods an http event may name.
var verbs = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "ANY"}

func validVerb(v string) bool { return slices.Contains(verbs, v) }
