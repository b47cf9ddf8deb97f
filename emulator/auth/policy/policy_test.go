package policy

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

const arn = "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/prod/GET/pets/42"

func doc(statements string) []byte {
	return []byte(`{"Version":"2012-10-17","Statement":` + statements + `}`)
}

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name, statements, arn string
		want                  Decision
	}{
		{"exact allow", `[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"` + arn + `"}]`, arn, Allow},
		{"single statement object", `{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"` + arn + `"}`, arn, Allow},
		{"any stage", `[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/GET/pets/42"}]`, arn, Allow},
		{"stage and everything below", `[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/prod/*"}]`, arn, Allow},
		{"all of execute-api", `[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"arn:aws:execute-api:*:*:*"}]`, arn, Allow},
		{"bare star", `[{"Action":"*","Effect":"Allow","Resource":"*"}]`, arn, Allow},
		{"question mark", `[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/prod/GET/pets/4?"}]`, arn, Allow},
		{"question mark needs a character", `[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/prod/GET/pets/42?"}]`, arn, ImplicitDeny},
		{"other method", `[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/prod/POST/*"}]`, arn, ImplicitDeny},
		{"star does not cross ARN parts", `[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"arn:aws:execute-api:*:ymy8tbxw7b/*"}]`, arn, ImplicitDeny},
		{"root path", `[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/GET/"}]`, "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/prod/GET/", Allow},
		{"explicit deny wins", `[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"},{"Action":"execute-api:Invoke","Effect":"Deny","Resource":"arn:aws:execute-api:*:*:*/prod/GET/pets/*"}]`, arn, ExplicitDeny},
		{"deny elsewhere", `[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"},{"Action":"execute-api:Invoke","Effect":"Deny","Resource":"arn:aws:execute-api:*:*:*/dev/*"}]`, arn, Allow},
		{"resource list", `[{"Action":["execute-api:Invoke"],"Effect":"Allow","Resource":["arn:aws:execute-api:*:*:*/dev/*","arn:aws:execute-api:*:*:*/prod/GET/*"]}]`, arn, Allow},
		{"action wildcard", `[{"Action":"execute-api:*","Effect":"Allow","Resource":"*"}]`, arn, Allow},
		{"action case-insensitive", `[{"Action":"Execute-API:invoke","Effect":"Allow","Resource":"*"}]`, arn, Allow},
		{"other action", `[{"Action":"execute-api:ManageConnections","Effect":"Allow","Resource":"*"}]`, arn, ImplicitDeny},
		{"not action", `[{"NotAction":"execute-api:ManageConnections","Effect":"Allow","Resource":"*"}]`, arn, Allow},
		{"not resource", `[{"Action":"*","Effect":"Allow","NotResource":"arn:aws:execute-api:*:*:*/dev/*"}]`, arn, Allow},
		{"effect case", `[{"Action":"*","Effect":"allow","Resource":"*"}]`, arn, Allow},
		{"no statements", `[]`, arn, ImplicitDeny},
		{"resource with fewer parts", `[{"Action":"*","Effect":"Allow","Resource":"arn:aws:execute-api:*"}]`, arn, ImplicitDeny},
		{"resource part is case-sensitive", `[{"Action":"*","Effect":"Allow","Resource":"arn:aws:execute-api:*:*:*/prod/get/*"}]`, arn, ImplicitDeny},
		{"colon in the path", `[{"Action":"*","Effect":"Allow","Resource":"arn:aws:execute-api:*:*:a/prod/GET/x:y"}]`, "arn:aws:execute-api:r:1:a/prod/GET/x:y", Allow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(doc(tt.statements))
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Evaluate(tt.arn); got != tt.want {
				t.Errorf("Evaluate = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, doc string }{
		{"not json", `{`},
		{"not an object", `"x"`},
		{"no statement", `{"Version":"2012-10-17"}`},
		{"null statement", `{"Statement":null}`},
		{"statement is a string", `{"Statement":"Allow"}`},
		{"bad effect", `{"Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}`},
		{"no action", `{"Statement":[{"Effect":"Allow","Resource":"*"}]}`},
		{"no resource", `{"Statement":[{"Effect":"Allow","Action":"*"}]}`},
		{"resource is a number", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":3}]}`},
		{"action and not action", `{"Statement":[{"Effect":"Allow","Action":"*","NotAction":"*","Resource":"*"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc))
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Parse(%s) = %v, want ErrInvalid", tt.doc, err)
			}
		})
	}
}

// globRE is the reference implementation of pattern.match.
func globRE(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`^`)
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '*':
			b.WriteString(`[\x00-\xff]*`)
		case '?':
			b.WriteString(`[\x00-\xff]`)
		default:
			b.WriteString(regexp.QuoteMeta(string(p[i])))
		}
	}
	b.WriteString(`$`)
	return regexp.MustCompile(b.String())
}

func FuzzPatternMatch(f *testing.F) {
	for _, seed := range [][2]string{
		{"*", ""}, {"a*b", "axxb"}, {"a?c", "abc"}, {"*/prod/*", "api/prod/GET/x"}, {"**a", "bba"},
		{"a*b*c", "abcbc"}, {"?*?", "x"}, {"ymy8tbxw7b/*/GET/", "ymy8tbxw7b/prod/GET/"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, p, s string) {
		if !utf8.ValidString(p) || !utf8.ValidString(s) || len(p) > 64 || len(s) > 256 {
			// Byte-wise globs on ASCII ARNs; keep the regexp reference byte-wise too.
			t.Skip()
		}
		if strings.ContainsAny(p+s, "\x80\xff") {
			t.Skip()
		}
		want := globRE(p).MatchString(s)
		if got := pattern(p).match(s); got != want {
			t.Errorf("pattern(%q).match(%q) = %v, regexp says %v", p, s, got, want)
		}
	})
}

func FuzzParseEvaluate(f *testing.F) {
	f.Add([]byte(doc(`[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"`+arn+`"}]`)), arn)
	f.Add([]byte(`{"Statement":{"Effect":"Deny","NotAction":["*"],"NotResource":"*"}}`), "arn:aws:execute-api:r:1:a/s/GET/")
	f.Add([]byte(`{"Statement":[{"Effect":"Allow","Action":"*","Resource":["*:*","arn:*:*:*:*:*"]}]}`), "::::::")
	f.Fuzz(func(t *testing.T, d []byte, methodARN string) {
		p, err := Parse(d)
		if err != nil {
			return
		}
		_ = p.Evaluate(methodARN)
	})
}

func BenchmarkEvaluate(b *testing.B) {
	p, err := Parse(doc(`[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/GET/*"},
		{"Action":"execute-api:Invoke","Effect":"Deny","Resource":"arn:aws:execute-api:*:*:*/*/DELETE/*"}]`))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if p.Evaluate(arn) != Allow {
			b.Fatal("denied")
		}
	}
}
