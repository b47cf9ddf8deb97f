package vtl_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/apigw-local/apigw-local/vtl/apigw"
	"github.com/apigw-local/apigw-local/vtl/jsonpath"
)

// loadPassthrough reads the benchmark template and request from testdata/bench.
func loadPassthrough(tb testing.TB) (*apigw.Template, *apigw.Request) {
	tb.Helper()
	src, err := os.ReadFile("testdata/bench/passthrough.vtl")
	if err != nil {
		tb.Fatal(err)
	}
	tmpl, err := apigw.Compile("passthrough.vtl", string(src))
	if err != nil {
		tb.Fatal(err)
	}
	data, err := os.ReadFile("testdata/bench/passthrough-request.json")
	if err != nil {
		tb.Fatal(err)
	}
	var raw struct {
		Body           string          `json:"body"`
		Path           json.RawMessage `json:"path"`
		QueryString    json.RawMessage `json:"querystring"`
		Header         json.RawMessage `json:"header"`
		StageVariables json.RawMessage `json:"stageVariables"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		tb.Fatal(err)
	}
	params := func(b json.RawMessage) []apigw.Param {
		v, err := jsonpath.ParseJSON(b)
		if err != nil {
			tb.Fatal(err)
		}
		o := v.(*jsonpath.Object)
		ps := make([]apigw.Param, len(o.Keys))
		for i, k := range o.Keys {
			ps[i] = apigw.Param{Name: k, Value: jsonpath.Render(o.Values[i])}
		}
		return ps
	}
	req := &apigw.Request{
		Body: []byte(raw.Body), Path: params(raw.Path), QueryString: params(raw.QueryString),
		Header: params(raw.Header), StageVariables: params(raw.StageVariables),
		Context: &apigw.Context{AccountID: "123456789012", APIID: "abc123defg", HTTPMethod: "POST", Stage: "prod",
			RequestID: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", ResourceID: "x1y2z3", ResourcePath: "/orders/{orderId}",
			Path: "/prod/orders/ord-7f3c2a9e",
			Identity: apigw.Identity{SourceIP: "203.0.113.7", UserAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36",
				AccountID: "123456789012", Caller: "AIDAEXAMPLE", User: "AIDAEXAMPLE", UserArn: "arn:aws:iam::123456789012:user/jane"},
			Authorizer: []apigw.Param{{Name: "principalId", Value: "user-42"}}},
	}
	return tmpl, req
}

// BenchmarkPassthrough renders AWS's "Method Request passthrough" template
// for a request with 10 headers, 5 query parameters and a 2 KB JSON body.
// Besides ns/op it reports cpu-ns/op, the process's CPU time per render,
// which other load on the machine disturbs much less than wall time.
func BenchmarkPassthrough(b *testing.B) {
	tmpl, req := loadPassthrough(b)
	b.ReportAllocs()
	loop(b, func() {
		if _, err := tmpl.Render(req); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkPassthroughNoBody is BenchmarkPassthrough with an empty payload:
// the cost of the template without the JSON rewrite.
func BenchmarkPassthroughNoBody(b *testing.B) {
	tmpl, req := loadPassthrough(b)
	r := *req
	r.Body = nil
	b.ReportAllocs()
	loop(b, func() {
		if _, err := tmpl.Render(&r); err != nil {
			b.Fatal(err)
		}
	})
}

// loop runs f b.N times and reports cpu-ns/op besides the usual figures.
func loop(b *testing.B, f func()) {
	n := 0
	start := cpuTime()
	for b.Loop() {
		f()
		n++
	}
	if cpu := cpuTime() - start; cpu > 0 && n > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(n), "cpu-ns/op")
	}
}
