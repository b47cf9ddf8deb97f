package sam

import (
	"go.yaml.in/yaml/v3"

	"github.com/apigw-local/apigw-local/emulator/project/cfn"
)

// GeneratedKey marks, in a resource's Metadata, a resource the transform created on its
// own (a function's role): loaders need not report it.
const GeneratedKey = "apigw-local:generated"

// lambdaProps are the AWS::Serverless::Function properties that AWS::Lambda::Function takes
// as they are.
var lambdaProps = map[string]bool{
	"Handler": true, "Runtime": true, "Timeout": true, "MemorySize": true, "Environment": true,
	"FunctionName": true, "ReservedConcurrentExecutions": true, "Layers": true, "PackageType": true,
	"Architectures": true, "Description": true, "Role": true, "KmsKeyArn": true, "EphemeralStorage": true,
	"LoggingConfig": true, "SnapStart": true, "RuntimeManagementConfig": true, "VpcConfig": true,
	"FileSystemConfigs": true, "CodeSigningConfigArn": true, "ImageConfig": true,
}

// functionNotes are properties with no local effect, and what that means.
var functionNotes = map[string]string{
	"Policies":                     "IAM is not enforced locally: the function may call anything its own credentials allow",
	"Role":                         "IAM is not enforced locally: the function may call anything its own credentials allow",
	"VpcConfig":                    "functions run on the host network",
	"Tracing":                      "X-Ray tracing is not emulated",
	"AutoPublishAlias":             "versions and aliases are not emulated: every invocation runs the current code",
	"DeploymentPreference":         "gradual deployments are not emulated: every invocation runs the current code",
	"ProvisionedConcurrencyConfig": "provisioned concurrency is not emulated: the first invocation starts an environment",
	"FunctionUrlConfig":            "function URLs are not served; call the function through its API routes or lambda invoke",
	"EventInvokeConfig":            "asynchronous destinations and retries are not emulated",
	"DeadLetterQueue":              "dead-letter queues are not emulated",
	"FileSystemConfigs":            "EFS mounts are not emulated",
}

// function turns an AWS::Serverless::Function into an AWS::Lambda::Function (and its role)
// and records its Api events on their APIs.
func (x *transformer) function(id string, node, props *yaml.Node) error {
	lp := cfn.NewMap()
	for k, v := range cfn.Pairs(props) {
		switch {
		case k == "CodeUri":
			if b, key := cfn.Lookup(v, "Bucket"), cfn.Lookup(v, "Key"); b != nil && key != nil {
				cfn.Set(lp, "Code", cfn.NewMap("S3Bucket", b, "S3Key", key))
			} else {
				cfn.Set(lp, "Code", v)
			}
		case k == "InlineCode":
			cfn.Set(lp, "Code", cfn.NewMap("ZipFile", v))
		case k == "ImageUri":
			cfn.Set(lp, "Code", cfn.NewMap("ImageUri", v))
			cfn.Set(lp, "PackageType", cfn.NewString("Image"))
		case k == "Events":
			if err := x.events(id, v); err != nil {
				return err
			}
		case lambdaProps[k]:
			cfn.Set(lp, k, v)
		}
		if effect, ok := functionNotes[k]; ok {
			x.note(k, id, effect)
		}
	}
	if cfn.Lookup(lp, "Code") == nil {
		cfn.Set(lp, "Code", cfn.NewString("."))
	}
	extra := []any{}
	if md := cfn.Lookup(node, "Metadata"); md != nil {
		extra = append(extra, "Metadata", md)
	}
	cfn.Set(x.out, id, resourceNode("AWS::Lambda::Function", lp, extra...))
	if cfn.Lookup(props, "Role") == nil {
		role := resourceNode("AWS::IAM::Role", cfn.NewMap(), "Metadata", cfn.NewMap(GeneratedKey, true))
		cfn.Set(x.out, id+"Role", role)
	}
	return nil
}

// events records a function's Api events and reports the others.
func (x *transformer) events(fn string, events *yaml.Node) error {
	for name, ev := range cfn.Pairs(events) {
		typ := cfn.String(cfn.Lookup(ev, "Type"))
		where := fn + "." + name
		switch typ {
		case "Api":
			if err := x.addEvent(fn, name, ev); err != nil {
				return err
			}
		case "HttpApi":
			x.note("HttpApi event", where, "HTTP APIs are not emulated yet: this route is not served")
		case "":
			return x.t.Errorf(ev, "function %s: event %s has no Type", fn, name)
		default:
			x.note(typ+" event", where, "the event source is not emulated: the function runs only when a route or lambda invoke calls it")
		}
	}
	return nil
}
