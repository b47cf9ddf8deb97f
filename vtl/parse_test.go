package vtl

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseString(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"text", "plain text", "plain text"},
		{"reference", "$a $!b ${c} $!{d}", "$a $!b ${c} $!{d}"},
		{"chain", "$a.b( 'x' , 1 ).c[0][ $i ]", "$a.b('x', 1).c[0][$i]"},
		{"formal chain", "${a.b.c()}", "${a.b.c()}"},
		{"nested call", "$a.b($c.d(), [1 .. 3], { 'k' : $v })", "$a.b($c.d(), [1..3], {'k': $v})"},
		{"escaped", `\$a \\$b \#if`, `\$a \\$b \#if`},
		{"set", "#set( $a = 1 )", "#set($a = 1)"},
		{"set keeps eaten blanks", "x\n#set($a=1)  \n  #set( $b = 2 )\n", "x\n#set($a = 1)  \n  #set($b = 2)\n"},
		{"set braces", "#{set}($a = 1)", "#{set}($a = 1)"},
		{"set target chain", "#set($a.b[0] = $c)", "#set($a.b[0] = $c)"},
		{"if", "#if( $a==1 )x#elseif ( $b )y#else z#end", "#if($a == 1)x#elseif($b)y#else z#end"},
		{"if eaten newlines", "#if($a)  \nx\n#else\ny\n#end\n", "#if($a)  \nx\n#else\ny\n#end\n"},
		{"braced if", "#{if}(true)x#{else}y#{end}", "#{if}(true)x#{else}y#{end}"},
		{"operators", "#if(!$a && not $b || $c eq 1 and $d ne 2 or $e lt 3)#end",
			"#if(!$a && not $b || $c eq 1 and $d ne 2 or $e lt 3)#end"},
		{"arithmetic", "#set($x = ($a+1)*2/3%4- 5)", "#set($x = ($a + 1) * 2 / 3 % 4 - 5)"},
		{"literals", "#set($x = [1, -2, 1.5, 'a', \"b$c\", true, false, [], {}, [1..$n]])",
			"#set($x = [1, -2, 1.5, 'a', \"b$c\", true, false, [], {}, [1..$n]])"},
		{"map", "#set($m = { 'a' : 1 , $k : [2] })", "#set($m = {'a': 1, $k: [2]})"},
		{"foreach", "#foreach( $i in $list )\n$i\n#end\n", "#foreach($i in $list)\n$i\n#end\n"},
		{"foreach range", "#foreach($i in [1..3])$i#end", "#foreach($i in [1..3])$i#end"},
		{"define", "#define( $b )x#end", "#define($b)x#end"},
		{"break", "#break #break( $foreach )", "#break #break($foreach)"},
		{"stop", "a#stop b", "a#stop b"},
		{"unknown directive", "#foo( bar , 'x' )\n#baz #{qux}", "#foo( bar , 'x' )\n#baz #{qux}"},
		{"comments", "## line\n#* block *##** doc *#x", "## line\n#* block *##** doc *#x"},
		{"text block", "#[[ $a #if ]]#", "#[[ $a #if ]]#"},
		{"not references", "$ $1 ${ } $! #", "$ $1 ${ } $! #"},
		{"unterminated comment", "a #* b", "a #* b"},
		{"string with quotes", `#set($a = "x""y" + 'it''s')`, `#set($a = "x""y" + 'it''s')`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := Parse("t", tt.src)
			if err != nil {
				t.Fatal(err)
			}
			if got := tmpl.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"stray end", "a\n  #end", `t:2:3: unexpected "#end" with no open block`},
		{"stray else", "#else", `t:1:1: unexpected "#else" with no open block`},
		{"unclosed if", "#if($a)x", "t:1:9: unexpected end of template in #if; want #end"},
		{"unclosed paren", "#if($a", "t:1:7: unexpected end of template in #if; want )"},
		{"if without paren", "#if you like", `t:1:5: unexpected "you" after #if; want (`},
		{"else twice", "#if($a)#else#else#end", `t:1:13: unexpected "#else" in #else; want #end`},
		{"set without value", "#set($a)", `t:1:8: unexpected ")" in #set; want =`},
		{"set empty value", "#set($a = )", `t:1:11: unexpected ")" in expression`},
		{"set not reference", "#set(1 = 2)", `t:1:6: unexpected "1" in #set; want a reference`},
		{"formal unclosed", "${a b}", `t:1:4: unexpected " b}" in ${...} reference; want }`},
		{"method unclosed", "$a.b(1", "t:1:7: unexpected end of template in method arguments"},
		{"method expression argument", "$a.b($c + 1)", `t:1:9: unexpected "+"`},
		{"method space only", "$a.b( )", `t:1:7: unexpected ")"; want a value`},
		{"list space only", "#set($a = [ ])", `t:1:13: unexpected "]"; want a value`},
		{"bad index", "$a[1.5]", `t:1:4: unexpected "1.5" in index`},
		{"unterminated string", "#set($a = 'x)", "t:1:11: unterminated string literal"},
		{"unterminated text block", "#[[ x", "t:1:1: unterminated #[[ text block"},
		{"bad unicode escape", `#set($a = "\uZZZZ")`, `t:1:12: bad \u escape in string literal`},
		{"bad interpolated string", `#set($a = "#end")`, `t:1:12: unexpected "#end" with no open block`},
		{"true as reference", "$true", "t:1:2: unexpected true after $"},
		{"true as property", "$a.false", "t:1:4: unexpected false after ."},
		{"minus literal", "#set($b = $a -1)", `t:1:14: unexpected "-1" in #set; want )`},
		{"foreach without in", "#foreach($a)#end", "t:1:1: #foreach wants ($item in $list)"},
		{"foreach word", "#foreach($a in $b c)#end", `t:1:19: invalid argument "c" to #foreach`},
		{"foreach not closed", "#foreach($a in $b)x", `t:1:20: unexpected end of template in #foreach block; want #end`},
		{"define without reference", "#define('x')#end", "t:1:1: #define wants a reference"},
		{"macro", "#macro(m)x#end", "t:1:1: #macro is not supported: API Gateway does not allow Velocity macros"},
		{"block macro", "#@m()x#end", "t:1:1: #@m is not supported: API Gateway does not allow Velocity macros"},
		{"include", "#include('x')", "t:1:1: #include is not supported in API Gateway mapping templates"},
		{"hash in expression", "#if(#x)#end", `t:1:5: unexpected "#"`},
		{"dollar in expression", "#if($ == 1)#end", `t:1:5: unexpected "$"`},
		{"unknown directive bad arg", "#foo(1 + 2)", `t:1:8: unexpected "+" in #foo arguments`},
		{"deep nesting", strings.Repeat("#if(true)", 200), "t:1:1346: template nests too deeply"},
		{"deep expression", "#set($a = " + strings.Repeat("(", 300) + ")", "t:1:160: template nests too deeply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t", tt.src)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("error %q, want %q", err, tt.want)
			}
		})
	}
}

// goldenTemplates returns the template of every golden case.
func goldenTemplates(tb testing.TB) map[string]string {
	tb.Helper()
	out := map[string]string{}
	err := filepath.WalkDir("testdata/golden", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".txtar") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		_, rest, ok := bytes.Cut(data, []byte("-- template.vtl --\n"))
		if !ok {
			return nil
		}
		if i := bytes.Index(rest, []byte("\n-- ")); i >= 0 {
			rest = rest[:i+1]
		}
		out[path] = strings.TrimSuffix(string(rest), "\n")
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if len(out) < 200 {
		tb.Fatalf("found %d golden templates", len(out))
	}
	return out
}

// TestRoundTrip checks that printing the tree of every golden template gives
// source that parses to a tree printing the same, and renders the same.
func TestRoundTrip(t *testing.T) {
	for path, src := range goldenTemplates(t) {
		t.Run(path, func(t *testing.T) {
			t1, err := Parse("t", src)
			if err != nil {
				return // parse failures are golden cases of their own
			}
			s1 := t1.String()
			t2, err := Parse("t", s1)
			if err != nil {
				t.Fatalf("printed tree does not parse: %v\n%s", err, s1)
			}
			if s2 := t2.String(); s2 != s1 {
				t.Fatalf("second print differs:\n%q\n%q", s1, s2)
			}
			out1, err1 := t1.Render(nil, testEnv(), Limits{})
			out2, err2 := t2.Render(nil, testEnv(), Limits{})
			if string(out1) != string(out2) || (err1 == nil) != (err2 == nil) {
				t.Fatalf("renders differ:\n%q %v\n%q %v", out1, err1, out2, err2)
			}
		})
	}
}
