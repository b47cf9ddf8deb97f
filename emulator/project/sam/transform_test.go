package sam

import (
	"strings"
	"testing"

	"github.com/apigw-local/apigw-local/emulator/project/cfn"
)

// TestGlobals checks SAM's merge rules: resource values win for scalars and intrinsics,
// mappings merge key by key, lists concatenate globals first.
func TestGlobals(t *testing.T) {
	tests := []struct {
		name, global, local, want string
	}{
		{name: "scalar", global: "{Timeout: 3}", local: "{Timeout: 10}", want: `{"Timeout":10}`},
		{name: "maps merge", global: "{Environment: {Variables: {A: g, B: g}}}", local: "{Environment: {Variables: {B: l}}}", want: `{"Environment":{"Variables":{"A":"g","B":"l"}}}`},
		{name: "lists concatenate", global: "{Layers: [g]}", local: "{Layers: [l]}", want: `{"Layers":["g","l"]}`},
		{name: "intrinsic replaces", global: "{Environment: {Variables: {A: g}}}", local: "{Environment: !If [C, {Variables: {B: l}}, !Ref AWS::NoValue]}", want: `{"Environment":{"Fn::If":["C",{"Variables":{"B":"l"}},{"Ref":"AWS::NoValue"}]}}`},
		{name: "global only", global: "{Runtime: python3.12}", local: "{}", want: `{"Runtime":"python3.12"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := cfn.Parse("t.yaml", []byte("G: "+tt.global+"\nL: "+tt.local+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			got, _ := cfn.ToJSON(merged(tmpl.Section("G"), tmpl.Section("L")))
			if string(got) != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

// TestTransformErrors checks the translator's errors for templates SAM rejects.
func TestTransformErrors(t *testing.T) {
	const fn = "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs20.x\n      Handler: i.h\n      Events:\n"
	tests := []struct{ name, src, want string }{
		{name: "duplicate method", src: fn + "        A: {Type: Api, Properties: {Path: /a, Method: get}}\n        B: {Type: Api, Properties: {Path: /a, Method: GET}}\n",
			want: `API method "get" defined multiple times for path "/a"`},
		{name: "RestApiId not a SAM API", src: fn + "        A: {Type: Api, Properties: {Path: /a, Method: get, RestApiId: !Ref Plain}}\n  Plain: {Type: AWS::ApiGateway::RestApi}\n",
			want: "RestApiId must be !Ref of an AWS::Serverless::Api"},
		{name: "no path", src: fn + "        A: {Type: Api, Properties: {Method: get}}\n", want: "needs Properties.Path"},
		{name: "unknown authorizer", src: fn + "        A: {Type: Api, Properties: {Path: /a, Method: get, RestApiId: !Ref Api, Auth: {Authorizer: Nope}}}\n  Api: {Type: AWS::Serverless::Api, Properties: {StageName: dev}}\n",
			want: "unable to set Authorizer Nope on GET /a"},
		{name: "model not defined", src: fn + "        A: {Type: Api, Properties: {Path: /a, Method: post, RestApiId: !Ref Api, RequestModel: {Model: M}}}\n  Api: {Type: AWS::Serverless::Api, Properties: {StageName: dev}}\n",
			want: "RequestModel M is not in the Models of API Api"},
		{name: "no stage", src: "  Api: {Type: AWS::Serverless::Api, Properties: {}}\n", want: "AWS::Serverless::Api Api has no StageName"},
		{name: "bad globals", src: "  X: {Type: AWS::SNS::Topic}\nGlobals:\n  Nope: {}\n", want: "Globals: Nope is not a section SAM knows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := cfn.Parse("t.yaml", []byte("Transform: AWS::Serverless-2016-10-31\nResources:\n"+tt.src))
			if err != nil {
				t.Fatal(err)
			}
			r, err := cfn.NewResolver(tmpl, cfn.Options{})
			if err != nil {
				t.Fatal(err)
			}
			err = Transform(tmpl, Options{Resolver: r})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}
