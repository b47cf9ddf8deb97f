package jsonpath

import (
	"encoding/json"
	"testing"
)

const storeJSON = `{"store": {"book": [
  {"category": "reference", "author": "Nigel Rees", "title": "Sayings", "price": 8.95},
  {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword", "price": 12.99},
  {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick", "isbn": "0-553", "price": 8.99}],
  "bicycle": {"color": "red", "price": 19.95}}, "expensive": 10, "a b": 1, "n": null}`

func TestEval(t *testing.T) {
	doc, err := ParseJSON([]byte(storeJSON))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want string // Render of the result; "-" when nothing matches
	}{
		{"$", `{"store":{"book":[{"category":"reference","author":"Nigel Rees","title":"Sayings","price":8.95},{"category":"fiction","author":"Evelyn Waugh","title":"Sword","price":12.99},{"category":"fiction","author":"Herman Melville","title":"Moby Dick","isbn":"0-553","price":8.99}],"bicycle":{"color":"red","price":19.95}},"expensive":10,"a b":1,"n":null}`},
		{"$.store.bicycle.color", "red"},
		{"store.bicycle.color", "red"},
		{"[\"a b\"]", "1"},
		{"$['a b']", "1"},
		{"$.n", "null"},
		{"$.missing", "-"},
		{"$.store.book[0].missing", "-"},
		{"$.store.book.title", "-"},
		{"$.store.book[1].author", "Evelyn Waugh"},
		{"$.store.book[-1].title", "Moby Dick"},
		{"$.store.book[3]", "-"},
		{"$.store.book[0,1].price", "[8.95,12.99]"},
		{"$.store.book[1:].price", "[12.99,8.99]"},
		{"$.store.book[:-1].price", "[8.95,12.99]"},
		{"$.store.book[-5:1].price", "[8.95]"},
		{"$.store.book[*].author", `["Nigel Rees","Evelyn Waugh","Herman Melville"]`},
		{"$.store.*.color", `["red"]`},
		{"$..author", `["Nigel Rees","Evelyn Waugh","Herman Melville"]`},
		{"$..book[2].isbn", `["0-553"]`},
		{"$..*.color", `["red"]`},
		{"$.store.book[?(@.price < 10)].title", `["Sayings","Moby Dick"]`},
		{"$.store.book[?(@.price <= 8.95)].title", `["Sayings"]`},
		{"$.store.book[?(@.price >= 12.99 || @.isbn)].title", `["Sword","Moby Dick"]`},
		{"$.store.book[?(@.category == 'fiction' && @.price > 10)].title", `["Sword"]`},
		{"$.store.book[?(!(@.category == 'fiction'))].title", `["Sayings"]`},
		{"$.store.book[?(@.price > $.expensive)].title", `["Sword"]`},
		{"$.store.book[?(@.title =~ /moby.*/i)].price", `[8.99]`},
		{"$.store.book[?(@.title =~ /moby.*/)].price", `[]`},
		{"$.store.book[?(@.category in ['x', 'reference'])].price", `[8.95]`},
		{"$.store.book[?(@.category nin ['fiction'])].price", `[8.95]`},
		{"$.store.book[?(@.title size 5)].title", `["Sword"]`},
		{"$.store.book[?(@.isbn empty false)].title", `["Moby Dick"]`},
		{"$.store.book[?(@.price == '8.95')].title", `["Sayings"]`},
		{"$.store.book[?(@.missing != 'x')].title", `["Sayings","Sword","Moby Dick"]`},
		{"$.store.bicycle[?(@.color == 'red')].price", `[19.95]`},
		{"$.store.book.length()", "3"},
		{"$.store.bicycle.size()", "2"},
		{"$.store.book[*].price.min()", "8.95"},
		{"$.store.book[*].price.max()", "12.99"},
		{"$.store.book[*].price.avg()", "10.31"},
		{"$.store.book[*].price.sum()", "30.93"},
		{"$.store.bicycle.keys()", `["color","price"]`},
		{"$.store.book[*].title.first()", "Sayings"},
		{"$.store.book[*].title.last()", "Moby Dick"},
		{"$.store.bicycle['color','price']", `{"color":"red","price":19.95}`},
		{"$.store.bicycle['color','nope']", `{"color":"red"}`},
	}
	for _, tt := range tests {
		p, err := Compile(tt.path)
		if err != nil {
			t.Errorf("%s: %v", tt.path, err)
			continue
		}
		v, ok := p.Eval(doc)
		got := "-"
		if ok {
			got = Render(v)
		}
		if got != tt.want {
			t.Errorf("%s = %s, want %s", tt.path, got, tt.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for _, p := range []string{"", "$.", "$..", "$[", "$['a'", "$[1", "$[?(@.a ==)]", "$.a.nosuch()", "$.a.length(1)",
		"$[?(@.a =~ /(/)]", "$[x]", "$.a b", "$['a',]", "$[?(@.a)", "$.a.first().b"} {
		if _, err := Compile(p); err == nil {
			t.Errorf("Compile(%q) succeeded", p)
		}
	}
}

func TestDefinite(t *testing.T) {
	for p, want := range map[string]bool{"$.a.b": true, "$.a[0]": true, "$['a']": true, "$['a','b']": true,
		"$.a[*]": false, "$..a": false, "$.a[0,1]": false, "$.a[1:]": false, "$.a[?(@.b)]": false, "$['a','b'].c": false} {
		c, err := Compile(p)
		if err != nil {
			t.Fatal(err)
		}
		if c.Definite() != want {
			t.Errorf("%s: Definite() = %v", p, !want)
		}
	}
}

func TestGoValues(t *testing.T) {
	doc := map[string]any{"b": []any{1, int64(2), 2.5, json.Number("7")}, "a": "x"}
	p, _ := Compile("$.b[*]")
	v, _ := p.Eval(doc)
	if got := Render(v); got != "[1,2,2.5,7]" {
		t.Errorf("got %s", got)
	}
	p, _ = Compile("$")
	v, _ = p.Eval(doc)
	if got := Render(v); got != `{"a":"x","b":[1,2,2.5,7]}` {
		t.Errorf("got %s", got)
	}
}

func TestRender(t *testing.T) {
	for _, tt := range []struct {
		v    any
		want string
	}{
		{"raw string", "raw string"},
		{json.Number("1.50"), "1.5"},
		{json.Number("1e2"), "100.0"},
		{json.Number("-0"), "0"},
		{json.Number("12345678901234567890"), "12345678901234567890"},
		{nil, "null"},
		{true, "true"},
		{[]any{"a/b", "é"}, `["a/b","é"]`},
		{&Object{Keys: []string{"z", "a"}, Values: []any{1, 2}}, `{"z":1,"a":2}`},
	} {
		if got := Render(tt.v); got != tt.want {
			t.Errorf("Render(%#v) = %s, want %s", tt.v, got, tt.want)
		}
	}
}
