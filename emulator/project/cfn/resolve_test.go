package cfn

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeRefs answers Ref and GetAtt for resources named in a map.
type fakeRefs map[string]string

func (f fakeRefs) Ref(id string) (string, bool, error) {
	v, ok := f[id]
	return v, ok, nil
}

func (f fakeRefs) GetAtt(id, attr string) (string, error) {
	if _, ok := f[id]; !ok {
		return "", fmt.Errorf("the template has no resource %s", id)
	}
	if attr != "Arn" {
		return "", errors.New("no attribute " + attr)
	}
	return "arn:aws:lambda:us-east-1:000000000000:function:" + f[id], nil
}

const header = `
Parameters:
  Stage:
    Type: String
    Default: dev
    AllowedValues: [dev, prod]
  Names:
    Type: CommaDelimitedList
    Default: "a, b,c"
  Size:
    Type: Number
    Default: 3
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsDev: !Not [!Condition IsProd]
  Both: !And [!Condition IsDev, !Equals [!Ref Size, "3"]]
  Either: {"Fn::Or": [{"Condition": "IsProd"}, {"Fn::Equals": ["x", "x"]}]}
Mappings:
  Sizes:
    dev: {Memory: 128}
    prod: {Memory: 1024}
Resources:
  Fn: {Type: AWS::Serverless::Function}
`

func TestResolve(t *testing.T) {
	tests := []struct {
		name      string
		expr      string
		overrides map[string]string
		want      string // JSON of the result
		wantErr   string
	}{
		{name: "ref parameter", expr: `!Ref Stage`, want: `"dev"`},
		{name: "ref override", expr: `!Ref Stage`, overrides: map[string]string{"Stage": "prod"}, want: `"prod"`},
		{name: "ref list parameter", expr: `!Ref Names`, want: `["a","b","c"]`},
		{name: "ref pseudo", expr: `{Ref: "AWS::Region"}`, want: `"us-east-1"`},
		{name: "ref resource", expr: `!Ref Fn`, want: `"hello"`},
		{name: "ref unknown", expr: `!Ref Nope`, wantErr: "t.yaml:2:3: Ref Nope: the template has no parameter or resource of that name"},
		{name: "sub pseudo and resource", expr: `!Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"`,
			want: `"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:hello/invocations"`},
		{name: "sub two arguments", expr: "!Sub\n    - '{\"t\": \"${Table}\", \"id\": \"$input.params(''id'')\", \"s\": \"${Stage}\"}'\n    - Table: !Ref Fn", want: `"{\"t\": \"hello\", \"id\": \"$input.params('id')\", \"s\": \"dev\"}"`},
		{name: "sub literal", expr: `!Sub "${!stageVariables.x}-${Stage}"`, want: `"${stageVariables.x}-dev"`},
		{name: "sub unknown", expr: `!Sub "${Nope}"`, wantErr: "${Nope} names no parameter, resource or variable"},
		{name: "sub list parameter", expr: `!Sub "${Names}"`, wantErr: "parameter Names is a list"},
		{name: "getatt short", expr: `!GetAtt Fn.Arn`, want: `"arn:aws:lambda:us-east-1:000000000000:function:hello"`},
		{name: "getatt long", expr: `{"Fn::GetAtt": ["Fn", "Arn"]}`, want: `"arn:aws:lambda:us-east-1:000000000000:function:hello"`},
		{name: "getatt bad attribute", expr: `!GetAtt Fn.Name`, wantErr: "Fn::GetAtt Fn.Name: no attribute Name"},
		{name: "join", expr: `!Join ["-", [a, !Ref Stage, !Select [1, !Ref Names]]]`, want: `"a-dev-b"`},
		{name: "join of split", expr: `!Join ["+", !Split [",", "x,y,z"]]`, want: `"x+y+z"`},
		{name: "select out of range", expr: `!Select [5, [a]]`, wantErr: "index 5 is out of range for a list of 1"},
		{name: "if true", expr: `!If [IsDev, yes, no]`, want: `"yes"`},
		{name: "if false with override", expr: `!If [IsDev, yes, no]`, overrides: map[string]string{"Stage": "prod"}, want: `"no"`},
		{name: "if and", expr: `!If [Both, 1, 2]`, want: `1`},
		{name: "if or long form", expr: `{"Fn::If": ["Either", "y", "n"]}`, want: `"y"`},
		{name: "if unknown condition", expr: `!If [Nope, 1, 2]`, wantErr: "no condition named Nope"},
		{name: "novalue drops key", expr: "{a: 1, b: !If [IsProd, 2, !Ref AWS::NoValue]}", want: `{"a":1}`},
		{name: "novalue drops list item", expr: "[1, !Ref AWS::NoValue, 3]", want: `[1,3]`},
		{name: "find in map", expr: `!FindInMap [Sizes, !Ref Stage, Memory]`, want: `128`},
		{name: "find in map missing", expr: `!FindInMap [Sizes, test, Memory]`, wantErr: "Mappings has no Sizes.test.Memory"},
		{name: "base64", expr: `!Base64 hi`, want: `"aGk="`},
		{name: "to json string", expr: `{"Fn::ToJsonString": {a: [1, !Ref Stage]}}`, want: `"{\"a\":[1,\"dev\"]}"`},
		{name: "length", expr: `{"Fn::Length": !Ref Names}`, want: `3`},
		{name: "import value placeholder", expr: `!ImportValue shared-table`, want: `"ImportValue-shared-table"`},
		{name: "unknown function", expr: `{"Fn::Nope": 1}`, wantErr: "unknown intrinsic function Fn::Nope"},
		{name: "join wrong shape", expr: `!Join [","]`, wantErr: "Fn::Join takes a list of 2 items"},
		{name: "plain values pass", expr: `{statusCode: 200, body: "{x: 1}"}`, want: `{"body":"{x: 1}","statusCode":200}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "Value:\n  " + strings.ReplaceAll(tt.expr, "\n", "\n") + "\n" + header
			tmpl, err := Parse("t.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			r, err := NewResolver(tmpl, Options{Overrides: tt.overrides, Refs: fakeRefs{"Fn": "hello"}})
			if err != nil {
				t.Fatal(err)
			}
			v, err := r.Resolve(tmpl.Section("Value"))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := ToJSON(v)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestParameters(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		overrides map[string]string
		wantErr   string
	}{
		{name: "missing default", src: "Parameters:\n  Key: {Type: String}\n", wantErr: "parameter Key has no Default: give a value with --parameter-overrides Key=value"},
		{name: "not allowed", src: header, overrides: map[string]string{"Stage": "qa"}, wantErr: `parameter Stage: "qa" is not one of its AllowedValues [dev, prod]`},
		{name: "not a number", src: header, overrides: map[string]string{"Size": "big"}, wantErr: `parameter Size is a Number, and "big" is not a number`},
		{name: "pattern", src: "Parameters:\n  P: {Type: String, Default: abc, AllowedPattern: '[0-9]+'}\n", wantErr: `does not match its AllowedPattern`},
		{name: "no type", src: "Parameters:\n  P: {Default: abc}\n", wantErr: `parameter P has no Type`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := Parse("t.yaml", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			_, err = NewResolver(tmpl, Options{Overrides: tt.overrides})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestParseOverrides(t *testing.T) {
	got, err := ParseOverrides([]string{"Stage=prod Table='my table'", "ParameterKey=Size,ParameterValue=5"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Stage": "prod", "Table": "my table", "Size": "5"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if _, err := ParseOverrides([]string{"novalue"}); err == nil || !strings.Contains(err.Error(), "write Name=value") {
		t.Errorf("error = %v", err)
	}
}

func TestParse(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("api.yaml", "swagger: '2.0'\ninfo: {title: !Sub '${AWS::StackName}-api'}\n")
	write("bad.yaml", "a: [\n")
	tests := []struct {
		name    string
		src     string
		want    string // JSON of the root
		wantErr string
	}{
		{name: "short forms", src: "A: !GetAtt X.Arn\nB: !Sub x\n", want: `{"A":{"Fn::GetAtt":["X","Arn"]},"B":{"Fn::Sub":"x"}}`},
		{name: "nested short forms", src: "A: !If [C, !Ref X, !Join ['', [a, b]]]\n", want: `{"A":{"Fn::If":["C",{"Ref":"X"},{"Fn::Join":["",["a","b"]]}]}}`},
		{name: "aliases and merge keys", src: "d: &d {x: 1, y: 2}\ne: {<<: *d, y: 3}\n", want: `{"d":{"x":1,"y":2},"e":{"x":1,"y":3}}`},
		{name: "include", src: "Body:\n  Fn::Transform:\n    Name: AWS::Include\n    Parameters: {Location: ./api.yaml}\n", want: `{"Body":{"info":{"title":{"Fn::Sub":"${AWS::StackName}-api"}},"swagger":"2.0"}}`},
		{name: "include missing", src: "Body: {'Fn::Transform': {Name: AWS::Include, Parameters: {Location: nope.yaml}}}\n", wantErr: "t.yaml:1:69: AWS::Include: open"},
		{name: "include broken", src: "Body: {'Fn::Transform': {Name: AWS::Include, Parameters: {Location: bad.yaml}}}\n", wantErr: "bad.yaml: line 1: did not find expected node content"},
		{name: "include from s3", src: "Body: {'Fn::Transform': {Name: AWS::Include, Parameters: {Location: 's3://b/k'}}}\n", wantErr: "reads local files only"},
		{name: "json with tabs", src: "{\n\t\"A\": {\"Ref\": \"X\"}\n}", want: `{"A":{"Ref":"X"}}`},
		{name: "unknown tag", src: "A: !Nope x\n", wantErr: "t.yaml:1:4: unknown tag !Nope"},
		{name: "not a mapping", src: "- a\n", wantErr: "a template is a mapping"},
		{name: "empty", src: "  \n", wantErr: "t.yaml is empty"},
		{name: "syntax error", src: "A: [\n", wantErr: "t.yaml: line 1: did not find expected node content"},
		{name: "alias bomb", src: "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n", wantErr: "expands to more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := Parse(filepath.Join(dir, "t.yaml"), []byte(tt.src))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, _ := ToJSON(tmpl.Root)
			if string(got) != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
