package project

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad loads arbitrary templates (SAM, CloudFormation) and serverless.yml files and
// installs what loads into a store: no input may panic or hang.
func FuzzLoad(f *testing.F) {
	for _, p := range []string{"../../testdata/sam-app/template.yaml", "testdata/load/sam-auth.txtar", "testdata/load/cfn-plain.txtar"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b, false)
		}
	}
	if b, err := os.ReadFile("../../testdata/serverless-app/serverless.yml"); err == nil {
		f.Add(b, true)
	}
	f.Fuzz(func(t *testing.T, data []byte, serverless bool) {
		dir := t.TempDir()
		name := "template.yaml"
		if serverless {
			name = "serverless.yml"
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := Load(Options{Dir: dir, IDSeed: "fuzz", CacheDir: filepath.Join(dir, ".cache")})
		if err != nil {
			return
		}
		_ = dumpLoad(t, Options{Dir: dir, IDSeed: "fuzz", CacheDir: filepath.Join(dir, ".cache")}, dir)
		_ = p
	})
}
