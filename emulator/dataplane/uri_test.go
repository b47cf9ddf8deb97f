package dataplane

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestURITemplateExpand(t *testing.T) {
	vars := map[string]string{"host": "127.0.0.1:8080", "fn": "orders"}
	params := map[string]string{"id": "a b", "proxy": "x/y%2Bz", "pct": "100%"}
	lookup := func(n string) (string, bool) { v, ok := params[n]; return v, ok }
	tests := []struct {
		name, uri    string
		placeholders bool
		want         string
		wantErr      bool
	}{
		{"static", "http://example.com/pets", true, "http://example.com/pets", false},
		{"stage variable", "http://${stageVariables.host}/pets", true, "http://127.0.0.1:8080/pets", false},
		{"missing stage variable is empty", "http://h/${stageVariables.nope}x", true, "http://h/x", false},
		{"decoded value escaped", "http://h/pets/{id}", true, "http://h/pets/a%20b", false},
		{"greedy value kept as sent", "http://h/{proxy}", true, "http://h/x/y%2Bz", false},
		{"stray percent escaped", "http://h/{pct}", true, "http://h/100%25", false},
		{"placeholder without value", "http://h/{other}", true, "", true},
		{"braces kept without placeholders", "fn-{x}", false, "fn-{x}", false},
		{"unterminated stage variable", "a${stageVariables.b", true, "a${stageVariables.b", false},
		{"both", "http://${stageVariables.host}/{id}/${stageVariables.fn}", true, "http://127.0.0.1:8080/a%20b/orders", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseURITemplate(tt.uri, tt.placeholders).Expand(vars, lookup)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("got %q, %v; want %q (error %v)", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestParseAWSTarget(t *testing.T) {
	fnArn := "arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}"
	tests := []struct {
		name, uri string
		want      *AWSTarget // nil: not an AWS target
		function  string     // Function's source
		path      string     // Path's source
	}{
		{"lambda", "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + fnArn + "/invocations",
			&AWSTarget{Region: "us-east-1", Service: "lambda"}, fnArn, ""},
		{"sqs path", "arn:aws:apigateway:eu-west-1:sqs:path/123/queue", &AWSTarget{Region: "eu-west-1", Service: "sqs"}, "", "123/queue"},
		{"action with query", "arn:aws:apigateway:us-east-1:sns:action/Publish?Version=2010-03-31",
			&AWSTarget{Region: "us-east-1", Service: "sns", Action: "Publish", ActionQuery: "Version=2010-03-31"}, "", ""},
		{"subdomain service", "arn:aws:apigateway:us-east-1:runtime.sagemaker:path/endpoints/x/invocations",
			&AWSTarget{Region: "us-east-1", Service: "runtime.sagemaker"}, "", "endpoints/x/invocations"},
		{"china partition", "arn:aws-cn:apigateway:cn-north-1:states:action/StartExecution",
			&AWSTarget{Region: "cn-north-1", Service: "states", Action: "StartExecution"}, "", ""},
		{"not apigateway", "arn:aws:lambda:us-east-1:1:function:f", nil, "", ""},
		{"no kind", "arn:aws:apigateway:us-east-1:sqs:queue", nil, "", ""},
		{"http", "http://example.com", nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseAWSTarget(tt.uri)
			if tt.want == nil {
				if ok {
					t.Fatalf("got %+v, want no target", got)
				}
				return
			}
			if !ok {
				t.Fatal("not parsed")
			}
			if (got.Function != nil) != (tt.function != "") || got.Function != nil && got.Function.Source != tt.function {
				t.Errorf("Function = %+v, want %q", got.Function, tt.function)
			}
			if (got.Path != nil) != (tt.path != "") || got.Path != nil && got.Path.Source != tt.path {
				t.Errorf("Path = %+v, want %q", got.Path, tt.path)
			}
			got.Function, got.Path = nil, nil
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(AWSTarget{})); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
	if got := (&AWSTarget{Service: "runtime.sagemaker"}).SigningName(); got != "sagemaker" {
		t.Errorf("SigningName = %q", got)
	}
}

func TestMediaMatcher(t *testing.T) {
	m := newMediaMatcher([]string{"image/png", "application/*", "*/pdf", "Text/CSV"})
	for ct, want := range map[string]bool{
		"image/png":                     true,
		"IMAGE/PNG; q=1":                true,
		"image/jpeg":                    false,
		"application/octet-stream":      true,
		"application/json":              true,
		"x/pdf":                         true,
		"text/csv; charset=utf-8":       true,
		"text/plain":                    false,
		"":                              false,
		"multipart/form-data; boundary": false,
	} {
		if got := m.match(ct); got != want {
			t.Errorf("match(%q) = %v, want %v", ct, got, want)
		}
	}
	all := newMediaMatcher([]string{"*/*"})
	if !all.match("") || !all.match("text/plain") {
		t.Error("*/* must match everything")
	}
	none := newMediaMatcher(nil)
	if none.match("image/png") || !none.empty() {
		t.Error("no binary media types must match nothing")
	}
}

func TestDecodeBase64(t *testing.T) {
	for in, want := range map[string]string{
		"dGVzdA==":       "test",
		"dGVzdA":         "test",
		`"dGVzdA=="`:     "test",
		"dGVz\r\ndA==\n": "test",
		"-_8":            "\xfb\xff",
		"":               "",
	} {
		got, err := DecodeBase64([]byte(in))
		if err != nil || string(got) != want {
			t.Errorf("DecodeBase64(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := DecodeBase64([]byte("a")); err == nil {
		t.Error("a lone character must not decode")
	}
}
