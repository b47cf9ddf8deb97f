package vtl_test

import (
	"testing"

	"github.com/apigw-local/apigw-local/vtl"
)

// BenchmarkCompactJSON rewrites the benchmark's 2 KB payload as
// $input.json('$') does.
func BenchmarkCompactJSON(b *testing.B) {
	_, req := loadPassthrough(b)
	body := string(req.Body)
	buf := make([]byte, 0, 4096)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	loop(b, func() { buf, _ = vtl.AppendCompactJSON(buf[:0], body) })
}

// BenchmarkParseJSON parses the benchmark's 2 KB payload as $input.path does.
func BenchmarkParseJSON(b *testing.B) {
	_, req := loadPassthrough(b)
	body := string(req.Body)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	loop(b, func() {
		if _, err := vtl.ParseJSON(body, nil); err != nil {
			b.Fatal(err)
		}
	})
}
