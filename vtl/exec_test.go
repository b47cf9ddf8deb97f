package vtl

import (
	"sync"
	"testing"
)

type mapEnv map[string]Value

func (m mapEnv) Lookup(name string) Value { return m[name] }

// testEnv gives templates a few values to work with.
func testEnv() Env {
	doc, err := ParseJSON(`{"a": 1, "list": [1, 2, {"x": "y"}], "s": "str"}`, nil)
	if err != nil {
		panic(err)
	}
	return mapEnv{"doc": doc, "name": String("world"), "n": Int(3)}
}

func TestLimits(t *testing.T) {
	tests := []struct {
		name string
		src  string
		lim  Limits
		want string // error text
	}{
		{"steps", "#foreach($a in [1..1000])#foreach($b in [1..1000])#end#end", Limits{MaxSteps: 100000},
			"t:1:26: template exceeds 100000 evaluation steps"},
		{"output", "#foreach($a in [1..1000])xxxxxxxxxx#end", Limits{MaxOutput: 5000},
			"t:1:26: output exceeds 5000 bytes"},
		{"string growth", `#set($s = "ab")#foreach($i in [1..40])#set($s = "$s$s")#end`, Limits{},
			"t:1:52: output exceeds 10485760 bytes"},
		{"memory", "#set($l = [])#foreach($i in [1..1000])#set($d = $l.addAll([1..1000]))#end", Limits{MaxMemory: 1 << 20},
			"t:1:59: template uses more than 1048576 bytes of memory"},
		{"list doubling", "#set($l = [1])#foreach($i in [1..100])#set($d = $l.addAll($l))#end", Limits{},
			"t:1:52: template uses more than 67108864 bytes of memory"},
		{"range", "#set($r = [1..2000000000])", Limits{},
			"t:1:11: template uses more than 67108864 bytes of memory"},
		{"define recursion", "#define($b)$b#end$b", Limits{MaxDepth: 10},
			"t:1:12: template nests more than 10 levels while rendering"},
		{"self-referencing list", "#set($a = [])#set($b = [$a])#set($d = $a.add($b))$a", Limits{},
			"t:1:50: value nests too deeply to print"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := Parse("t", tt.src)
			if err != nil {
				t.Fatal(err)
			}
			_, err = tmpl.Render(nil, nil, tt.lim)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestIterationLimit(t *testing.T) {
	tmpl, err := Parse("t", "#foreach($i in [1..50])x#end")
	if err != nil {
		t.Fatal(err)
	}
	out, err := tmpl.Render(nil, nil, Limits{MaxIterations: 7})
	if err != nil || string(out) != "xxxxxxx" {
		t.Errorf("got %q, %v; want 7 iterations", out, err)
	}
}

// TestConcurrentRender renders one template from many goroutines; run with
// -race it shows renders share nothing mutable.
func TestConcurrentRender(t *testing.T) {
	tmpl, err := Parse("t", `#set($l = [])#foreach($i in [1..20])#set($d = $l.add("$name$i"))#end$l.size() $doc.list[2].x $l[19]`)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				out, err := tmpl.Render(nil, testEnv(), Limits{})
				if err != nil || string(out) != "20 y world20" {
					t.Errorf("got %q, %v", out, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestRenderAppends(t *testing.T) {
	tmpl, err := Parse("t", "$name")
	if err != nil {
		t.Fatal(err)
	}
	out, err := tmpl.Render([]byte("hello "), testEnv(), Limits{})
	if err != nil || string(out) != "hello world" {
		t.Errorf("got %q, %v", out, err)
	}
}

func TestValueString(t *testing.T) {
	m := NewMap(2)
	m.Put("a", Int(1))
	m.Put("b", ListValue(NewList(String("x"), null, Float(2))))
	arr := NewJSONArray(String("a/b"), MapValue(m))
	tests := []struct {
		v    Value
		want string
	}{
		{null, "null"},
		{Bool(true), "true"},
		{Int(-42), "-42"},
		{Float(1), "1.0"},
		{Float(1e7), "1.0E7"},
		{Float(123456.789), "123456.789"},
		{Float(0.001), "0.001"},
		{Float(0.0001), "1.0E-4"},
		{Float(-1.5e-10), "-1.5E-10"},
		{String("s"), "s"},
		{MapValue(m), "{a=1, b=[x, null, 2.0]}"},
		{ListValue(arr), `["a\/b",{"a":1,"b":["x",null,2.0]}]`},
		{m.KeySet(), "[a, b]"},
		{m.Values(), "[1, [x, null, 2.0]]"},
		{m.EntrySet(), "[a=1, b=[x, null, 2.0]]"},
	}
	for _, tt := range tests {
		if got := tt.v.String(); got != tt.want {
			t.Errorf("%v: String() = %q, want %q", tt.v.Kind(), got, tt.want)
		}
	}
}

func TestJSON(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{`{"a": 1, "b": [true, false, null], "c": {"d": "e"}}`, `{"a":1,"b":[true,false,null],"c":{"d":"e"}}`},
		{`{"a": 1, "a": 2, "b": 3}`, `{"a":2,"b":3}`},
		{`[1.0, 1e2, -0, 0.5, 12345678901234567890, 1.2345678901234567890]`,
			`[1.0,100.0,0,0.5,12345678901234567890,1.2345678901234567890]`},
		{`"\u00e9\u2019\/\ud83d\ude00\u0007"`, `"é\u2019/😀\u0007"`},
		{` "x" `, `"x"`},
	}
	for _, tt := range tests {
		v, err := ParseJSON(tt.in, nil)
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		got, err := JSONText(v)
		if err != nil || got != tt.want {
			t.Errorf("%s: JSONText = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		compact, ok := AppendCompactJSON(nil, tt.in)
		if ok && string(compact) != tt.want {
			t.Errorf("%s: AppendCompactJSON = %q, want %q", tt.in, compact, tt.want)
		}
	}
	for _, bad := range []string{``, `{`, `[1,]`, `{"a" 1}`, `01`, `"\x"`, `[1] x`, `nul`, "\"a\x01\"", `1.`, `-`} {
		if _, err := ParseJSON(bad, nil); err == nil {
			t.Errorf("ParseJSON(%q) succeeded", bad)
		}
		if _, ok := AppendCompactJSON(nil, bad); ok {
			t.Errorf("AppendCompactJSON(%q) succeeded", bad)
		}
	}
}

func TestTracker(t *testing.T) {
	var tr Tracker
	v, err := ParseJSON(`{"a": [1]}`, &tr)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Changed {
		t.Fatal("changed after parsing")
	}
	m, _ := v.AsMap()
	a, _ := m.Get("a")
	l, _ := a.AsList()
	l.Append(Int(2))
	if !tr.Changed {
		t.Error("Append did not report a change")
	}
}
