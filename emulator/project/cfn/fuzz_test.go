package cfn

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseResolve parses arbitrary templates and resolves everything in them: no input may
// panic, hang or blow the stack.
func FuzzParseResolve(f *testing.F) {
	for _, p := range []string{"../../../testdata/sam-app/template.yaml", "../../../testdata/sam-app/openapi.yaml", "../../../testdata/serverless-app/serverless.yml"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(header + "Value: !Sub ['${A}-${Stage}-${!x}', {A: !Select [0, !Split [',', !Join [',', [a, b]]]]}]\n"))
	f.Add([]byte("Conditions:\n  A: !Condition B\n  B: !Condition A\nValue: !If [A, 1, 2]\n"))
	f.Add([]byte("{\"Resources\": {\"R\": {\"Type\": \"T\", \"Properties\": {\"P\": {\"Fn::GetAtt\": [\"R\", \"Arn\"]}}}}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tmpl, err := Parse(filepath.Join(os.TempDir(), "apigw-local-fuzz", "t.yaml"), data)
		if err != nil {
			return
		}
		r, err := NewResolver(tmpl, Options{Refs: fakeRefs{"Fn": "hello", "R": "r"}})
		if err != nil {
			return
		}
		_, _ = r.Resolve(tmpl.Root)
		for name := range Pairs(tmpl.Section("Conditions")) {
			_, _ = r.Condition(name)
		}
	})
}
