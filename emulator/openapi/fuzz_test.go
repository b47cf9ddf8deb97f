package openapi

import (
	"errors"
	"testing"

	"github.com/apigw-local/apigw-local/emulator/awserr"
	"github.com/apigw-local/apigw-local/emulator/store"
)

// FuzzImport feeds arbitrary documents to Import: it must never panic, fail only with AWS
// errors and leave nothing behind when it fails; what it accepts must export and import
// again. Seeds are the corpus and a few broken documents; crashers found are kept under
// testdata/fuzz/FuzzImport.
func FuzzImport(f *testing.F) {
	for _, data := range corpus(f) {
		f.Add(data)
	}
	for _, seed := range []string{
		"",
		"{",
		"openapi: 3.0.1\ninfo: {title: t}\npaths: {/a: {x-amazon-apigateway-any-method: {responses: {}}}}\n",
		"swagger: '2.0'\ninfo: {title: t}\npaths: {/a: {post: {parameters: [{in: formData, name: f, type: file}], responses: {}}}}\n",
		"openapi: 3.0.1\ninfo: {title: t}\npaths: {/a: {$ref: '#/paths/~1a'}}\n",
		"a: &a [*a]\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		st := newTestStore(t)
		api, _, err := Import(st, data, ImportOptions{})
		if err != nil {
			var ae *awserr.Error
			if !errors.As(err, &ae) {
				t.Fatalf("Import failed with a %T, not an AWS error: %v", err, err)
			}
			if n := st.Counts().RestAPIs; n != 0 {
				t.Fatalf("a failed import left %d APIs", n)
			}
			return
		}
		if _, err := st.CreateDeployment(api.ID, store.CreateDeploymentInput{StageName: "s"}); err != nil {
			return // e.g. a method without an integration, as on AWS
		}
		for _, typ := range []string{TypeOAS30, TypeSwagger} {
			out, _, err := Export(st, api.ID, "s", ExportOptions{Type: typ, Extensions: []string{ExtensionAPIGateway}})
			if err != nil {
				t.Fatalf("export %s: %v", typ, err)
			}
			if _, _, err := Import(st, out, ImportOptions{}); err != nil {
				t.Fatalf("re-import of the %s export: %v\n%s", typ, err, out)
			}
		}
	})
}
