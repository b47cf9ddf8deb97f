package apigw

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/apigw-local/apigw-local/vtl"
	"github.com/google/go-cmp/cmp"
)

func TestCompileSizeLimit(t *testing.T) {
	if _, err := Compile("ok", strings.Repeat("x", MaxTemplateSize)); err != nil {
		t.Errorf("template of exactly the limit: %v", err)
	}
	_, err := Compile("big.vtl", strings.Repeat("x", MaxTemplateSize+1))
	var ve *vtl.Error
	if !errors.As(err, &ve) || ve.Line != 1 || !strings.HasPrefix(err.Error(), "big.vtl:1:1: mapping template is 307201 bytes") {
		t.Errorf("err = %v", err)
	}
}

func TestCompileError(t *testing.T) {
	_, err := Compile("req.vtl", "line one\n  #if($x)")
	if err == nil || err.Error() != "req.vtl:2:10: unexpected end of template in #if; want #end" {
		t.Errorf("err = %v", err)
	}
}

func TestRenderNilRequest(t *testing.T) {
	tmpl, err := Compile("t", `$input.body|$input.json('$')|$context.requestId|$stageVariables.x|$input.params('a')`)
	if err != nil {
		t.Fatal(err)
	}
	res, err := tmpl.Render(nil)
	if err != nil || string(res.Body) != "{}|{}|||" || res.Overrides != nil {
		t.Errorf("got %+v, %v", res, err)
	}
	if tmpl.Source() != `$input.body|$input.json('$')|$context.requestId|$stageVariables.x|$input.params('a')` {
		t.Error("Source() differs")
	}
}

func TestRenderError(t *testing.T) {
	tmpl, err := Compile("resp.vtl", "ok\n#set($l = [])$l.get(2)")
	if err != nil {
		t.Fatal(err)
	}
	res, err := tmpl.Render(&Request{})
	if res != nil || err == nil || err.Error() != "resp.vtl:2:17: java.lang.IndexOutOfBoundsException: Index: 2, Size: 0" {
		t.Errorf("got %v, %v", res, err)
	}
}

func TestOverrides(t *testing.T) {
	tmpl, err := Compile("t", `#set($context.requestOverride.header.h = ['a', 'b'])
#set($context.requestOverride.header.one = 1)
#set($context.requestOverride.path.p = 'v')
#set($context.requestOverride.querystring.q = 'w')
#set($context.requestOverride.extra = 'e')
#set($context.responseOverride.status = 404)
#set($context.responseOverride.header.Content-Type = 'text/plain')
#set($context.responseOverride.custom = true)`)
	if err != nil {
		t.Fatal(err)
	}
	res, err := tmpl.Render(&Request{Overrides: &Overrides{ResponseHeader: map[string]string{"early": "1"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := &Overrides{
		RequestHeader:      map[string][]string{"h": {"a", "b"}, "one": {"1"}},
		RequestPath:        map[string]string{"p": "v"},
		RequestQueryString: map[string]string{"q": "w"},
		RequestOther:       map[string]string{"extra": "e"},
		ResponseStatus:     404,
		ResponseHeader:     map[string]string{"early": "1", "Content-Type": "text/plain"},
		ResponseOther:      map[string]string{"custom": "true"},
	}
	if diff := cmp.Diff(want, res.Overrides); diff != "" {
		t.Errorf("overrides (-want +got):\n%s", diff)
	}
}

func TestNoOverridesWhenOnlyRead(t *testing.T) {
	tmpl, err := Compile("t", `$context.responseOverride.status`)
	if err != nil {
		t.Fatal(err)
	}
	res, err := tmpl.Render(&Request{Overrides: &Overrides{ResponseStatus: 202}})
	if err != nil || string(res.Body) != "202" || res.Overrides != nil {
		t.Errorf("got %q %+v, %v", res.Body, res.Overrides, err)
	}
}

// TestConcurrentRender renders one template from many goroutines.
func TestConcurrentRender(t *testing.T) {
	tmpl, err := Compile("t", `#set($o = $input.path('$'))#set($d = $o.put('n', $input.params('n')))$o $input.json('$.a') $util.escapeJavaScript($o.toString())`)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 30 {
				n := string(rune('a' + (g+i)%26))
				res, err := tmpl.Render(&Request{Body: []byte(`{"a": [1, "x/y"]}`), QueryString: []Param{{"n", n}}})
				want := `{a=[1,"x\/y"], n=` + n + `} [1,"x/y"] {a=[1,\"x\\\/y\"], n=` + n + `}`
				if err != nil || string(res.Body) != want {
					t.Errorf("got %q, %v; want %q", res.Body, err, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestRenderBudget(t *testing.T) {
	body := `{"a": [` + strings.Repeat(`{"b": 1},`, 2000) + `{"b": 2}]}`
	tmpl, err := Compile("t", `#foreach($i in [1..3])#foreach($j in [1..1000])#set($x = $input.path("$..b"))#end#end`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tmpl.Render(&Request{Body: []byte(body)})
	if err == nil || !strings.Contains(err.Error(), "evaluation steps") {
		t.Errorf("err = %v, want the step budget to run out", err)
	}
}

func TestEscapeJavaScript(t *testing.T) {
	for in, want := range map[string]string{
		"":           "",
		"plain":      "plain",
		`a"b'c\d/e`:  `a\"b\'c\\d\/e`,
		"\b\f\n\r\t": `\b\f\n\r\t`,
		"\x00\x1f":   `\u0000\u001F`,
		"\x7f":       "\x7f",
		"é€😀":        `\u00E9\u20AC\uD83D\uDE00`,
		"\u0100":     `\u0100`,
		"\u1000":     `\u1000`,
	} {
		if got := EscapeJavaScript(in); got != want {
			t.Errorf("EscapeJavaScript(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestURLCoding(t *testing.T) {
	for in, want := range map[string]string{
		"":                  "",
		"azAZ09.-*_":        "azAZ09.-*_",
		" ":                 "+",
		"~!'()":             "%7E%21%27%28%29",
		"é":                 "%C3%A9",
		`{"some": "value"}`: "%7B%22some%22%3A+%22value%22%7D",
	} {
		got := URLEncode(in)
		if got != want {
			t.Errorf("URLEncode(%q) = %q, want %q", in, got, want)
		}
		back, err := URLDecode(got)
		if err != nil || back != in {
			t.Errorf("URLDecode(%q) = %q, %v", got, back, err)
		}
	}
	for _, bad := range []string{"%", "%4", "%zz", "a%g1"} {
		if _, err := URLDecode(bad); err == nil {
			t.Errorf("URLDecode(%q) succeeded", bad)
		}
	}
	if got, _ := URLDecode("%ff"); got != "\uFFFD" {
		t.Errorf("URLDecode(%%ff) = %q", got)
	}
}

func TestBase64Decode(t *testing.T) {
	for in, want := range map[string]string{"aGk=": "hi", "aGk": "hi", "aG\nk=": "hi", "": ""} {
		if got, err := Base64Decode(in); err != nil || got != want {
			t.Errorf("Base64Decode(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := Base64Decode("a$b"); err == nil {
		t.Error("Base64Decode accepted $")
	}
}

// TestResultsDoNotShareMemory checks that what Render returns stays intact
// when the request buffer and the pooled render state are reused.
func TestResultsDoNotShareMemory(t *testing.T) {
	tmpl, err := Compile("t", `#set($context.responseOverride.header.j = $input.json('$'))#set($context.responseOverride.header.b = $input.path('$.b'))$input.json('$')`)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"b": "first"}`)
	first, err := tmpl.Render(&Request{Body: body})
	if err != nil {
		t.Fatal(err)
	}
	copy(body, `{"b": "xxxxx"}`)
	for range 3 {
		if _, err := tmpl.Render(&Request{Body: []byte(`{"b": "other value that is longer"}`)}); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]string{"j": `{"b":"first"}`, "b": "first"}
	if diff := cmp.Diff(want, first.Overrides.ResponseHeader); diff != "" || string(first.Body) != `{"b":"first"}` {
		t.Errorf("first result changed: body %q, headers (-want +got):\n%s", first.Body, diff)
	}
}
