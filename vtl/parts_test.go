package vtl_test

import "testing"

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
