package vtl

import (
	"testing"
	"time"
)

// fuzzLimits keep each fuzzed render small.
var fuzzLimits = Limits{MaxSteps: 200_000, MaxOutput: 1 << 20, MaxMemory: 8 << 20, MaxDepth: 32}

func addSeeds(f *testing.F) {
	for _, src := range goldenTemplates(f) {
		f.Add(src)
	}
	for _, s := range []string{"", "$", "#", "\\", "#set(", "$a.b(", "#if(", "${", "#[[", "#*", "##", "\"", "#foreach($a in $b)", "#end", "#{"} {
		f.Add(s)
	}
}

// FuzzParse checks that parsing never panics and that a parsed tree prints
// source that parses to a tree printing the same.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, src string) {
		tmpl, err := Parse("f", src)
		if err != nil {
			return
		}
		s1 := tmpl.String()
		t2, err := Parse("f", s1)
		if err != nil {
			t.Fatalf("printed tree does not parse: %v\nsource:  %q\nprinted: %q", err, src, s1)
		}
		if s2 := t2.String(); s2 != s1 {
			t.Fatalf("second print differs:\nsource: %q\nfirst:  %q\nsecond: %q", src, s1, s2)
		}
	})
}

// FuzzRender checks that rendering never panics and stays within its limits
// in time and memory.
func FuzzRender(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, src string) {
		tmpl, err := Parse("f", src)
		if err != nil {
			return
		}
		start := time.Now()
		out, err := tmpl.Render(nil, testEnv(), fuzzLimits)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("render took %v", d)
		}
		if err == nil && len(out) > fuzzLimits.MaxOutput {
			t.Fatalf("output of %d bytes passed the limit", len(out))
		}
	})
}

// FuzzJSON checks that the one-pass JSON rewrite agrees with parsing and
// printing whenever it succeeds.
func FuzzJSON(f *testing.F) {
	for _, s := range []string{`{"a": [1, 2.50, "x\/y", {"b": null}], "c": true}`, `[1e2, -0, 0.001, 1234567.5]`,
		`"\u00e9\u2019"`, `{"a": 1, "a": 2}`, `{"k\"": 1}`, `12345678901234567890`, `1.23456789012345678901`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		v, err := ParseJSON(src, nil)
		compact, ok := AppendCompactJSON(nil, src)
		if err != nil {
			if ok {
				t.Fatalf("AppendCompactJSON accepted invalid JSON %q", src)
			}
			return
		}
		want, err := JSONText(v)
		if err != nil {
			return
		}
		if ok && string(compact) != want {
			t.Fatalf("for %q:\ncompact %q\nprinted %q", src, compact, want)
		}
	})
}
