package integration

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The rows follow reference/lambda-proxy.md §2 (LocalStack's AWS-recorded
// test_aws_proxy_response_payload_format_validation) plus the coercions of AWS's Java
// deserializer.
func TestParseProxyResponse(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    *proxyResponse // nil: malformed
	}{
		{"status only", `{"statusCode": 200}`, &proxyResponse{status: 200}},
		{"boolean header value", `{"statusCode":200,"headers":{"test-header":"value","header-bool":true}}`,
			&proxyResponse{status: 200, header: http.Header{"test-header": {"value"}, "header-bool": {"true"}}}},
		{"number header value", `{"headers":{"x-n":1.50}}`, &proxyResponse{status: 200, header: http.Header{"x-n": {"1.50"}}}},
		{"null headers", `{"statusCode":200,"headers":null}`, &proxyResponse{status: 200}},
		{"null header value", `{"headers":{"a":null,"b":"x"}}`, &proxyResponse{status: 200, header: http.Header{"b": {"x"}}}},
		{"unknown key", `{"statusCode":200,"wrongValue":"value"}`, nil},
		{"key in another case", `{"StatusCode":200}`, nil},
		{"a string", `"justAString"`, nil},
		{"a list", `[]`, nil},
		{"not JSON", `Internal error`, nil},
		{"empty", ``, nil},
		{"non-numeric status", `{"statusCode":"test"}`, nil},
		{"numeric string status", `{"statusCode":"201"}`, &proxyResponse{status: 201}},
		{"fractional status", `{"statusCode":200.5}`, nil},
		{"integral float status", `{"statusCode":2.01e2}`, &proxyResponse{status: 201}},
		{"status out of range", `{"statusCode":600}`, nil},
		{"status null", `{"statusCode":null,"body":"x"}`, &proxyResponse{status: 200, body: []byte("x")}},
		{"no status", `{"headers":{"test-header":"value"}}`, &proxyResponse{status: 200, header: http.Header{"test-header": {"value"}}}},
		{"multi-value header", `{"statusCode":200,"multiValueHeaders":{"test-multi":["value1","value2"]}}`,
			&proxyResponse{status: 200, header: http.Header{"test-multi": {"value1, value2"}}}},
		{"multi and single merged", `{"multiValueHeaders":{"X-Dup":["value-multi"]},"headers":{"x-dup":"value-solo"}}`,
			&proxyResponse{status: 200, header: http.Header{"X-Dup": {"value-multi, value-solo"}}}},
		{"identical pair kept once", `{"multiValueHeaders":{"x":["a","b"]},"headers":{"x":"b"}}`,
			&proxyResponse{status: 200, header: http.Header{"x": {"a, b"}}}},
		{"set-cookie stays apart", `{"multiValueHeaders":{"Set-Cookie":["a=1","b=2"]}}`,
			&proxyResponse{status: 200, header: http.Header{"Set-Cookie": {"a=1", "b=2"}}}},
		{"multi-value not a list", `{"statusCode":200,"multiValueHeaders":{"x":"value1"}}`, nil},
		{"multi-value holding an object", `{"multiValueHeaders":{"x":[{}]}}`, nil},
		{"header holding an object", `{"headers":{"x":{"a":1}}}`, nil},
		{"headers not an object", `{"headers":"x"}`, nil},
		{"base64 body", `{"statusCode":200,"body":"dGVzdC1kYXRh","isBase64Encoded":true}`,
			&proxyResponse{status: 200, body: []byte("dGVzdC1kYXRh"), base64: true}},
		{"isBase64Encoded as a string", `{"body":"x","isBase64Encoded":"true"}`, &proxyResponse{status: 200, body: []byte("x"), base64: true}},
		{"isBase64Encoded not a boolean", `{"isBase64Encoded":1}`, nil},
		{"body with escapes", `{"body":"{\"a\":\"\u00e9\n\ud83d\ude00\"}"}`, &proxyResponse{status: 200, body: []byte("{\"a\":\"é\n😀\"}")}},
		{"body an object", `{"statusCode":200,"body":{"a":1}}`, nil},
		{"body a number", `{"body":42}`, &proxyResponse{status: 200, body: []byte("42")}},
		{"body null", `{"body":null}`, &proxyResponse{status: 200}},
		{"empty object", `{}`, &proxyResponse{status: 200}},
		{"trailing data", `{"statusCode":200} x`, nil},
		{"trailing comma", `{"statusCode":200,}`, nil},
		{"whitespace", " \n{ \"statusCode\" : 204 }\n", &proxyResponse{status: 204}},
		{"a Lambda error payload", `{"errorMessage":"boom","errorType":"Error","stackTrace":[]}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseProxyResponse([]byte(tt.payload))
			if tt.want == nil {
				if err == nil || !errors.Is(err, errMalformed) {
					t.Fatalf("got %+v, %v; want a malformed-response error", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(proxyResponse{}), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

// FuzzParseProxyResponse checks that the parser never panics and that everything it
// accepts is valid JSON.
func FuzzParseProxyResponse(f *testing.F) {
	for _, s := range []string{`{"statusCode":200}`, `{"headers":{"a":"b"},"multiValueHeaders":{"c":["d"]},"body":"\u00e9","isBase64Encoded":false}`, `"x"`, `{"body":"\ud800"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := parseProxyResponse(b); err == nil && !json.Valid(b) {
			t.Errorf("accepted invalid JSON %q", b)
		}
	})
}

func TestAppendString(t *testing.T) {
	for _, s := range []string{"", "plain", `q"uote\back`, "ctl\x00\x01\x1f\t\n\r\b\f", "<&>", "é😀", "bad\xffutf8", "\u2028"} {
		got := appendString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q → %s: %v", s, got, err)
		}
		want := string([]rune(s)) // invalid UTF-8 becomes U+FFFD
		if back != want {
			t.Errorf("%q → %s → %q", s, got, back)
		}
	}
	if got := string(appendString(nil, "<a&b>é")); got != `"<a&b>é"` {
		t.Errorf("got %s, want Jackson's unescaped form", got)
	}
}
