package jsonpath

import "testing"

// FuzzPath checks that compiling and evaluating any path never panics.
func FuzzPath(f *testing.F) {
	for _, p := range []string{"$", "$.a.b[0]", "$..c", "$.a[*].b", "$.a[?(@.b > 1 && @.c =~ /x.*/i)]", "$['a','b']",
		"$.a[-1:]", "$.a[1:2]", "$.a.length()", "a.b", "$[?(@ in [1, 'x'])]", "$..*", "$.a[0,1]"} {
		f.Add(p)
	}
	doc, err := ParseJSON([]byte(`{"a": [{"b": 1, "c": "xy"}, {"b": 2}], "b": {"c": [1, 2, 3]}, "d": null}`))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		p, err := Compile(expr)
		if err != nil {
			return
		}
		v, ok := p.Eval(doc)
		if ok {
			_ = Render(v)
		}
	})
}
