package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/apigw-local/apigw-local/emulator/awserr"
	"github.com/apigw-local/apigw-local/emulator/store"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// corpusDir holds the OpenAPI documents every round trip runs over.
const corpusDir = "../../testdata/openapi"

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

var testTime = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

func newTestStore(t testing.TB) *store.Store {
	t.Helper()
	return store.New(store.Config{Clock: fixedClock{testTime}, IDs: store.NewSeededIDs(7)})
}

// wantErr checks an error's AWS code and that its message contains each of parts.
func wantErr(t *testing.T, err error, code awserr.Code, parts ...string) {
	t.Helper()
	var ae *awserr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("got %T %v, want *awserr.Error %s", err, err, code)
	}
	if ae.Code != code {
		t.Fatalf("got %s %q, want %s", ae.Code, ae.Message, code)
	}
	for _, p := range parts {
		if !strings.Contains(ae.Message, p) {
			t.Errorf("message %q does not contain %q", ae.Message, p)
		}
	}
}

// corpus returns the corpus documents by file name.
func corpus(t testing.TB) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(corpusDir, "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus in %s: %v", corpusDir, err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	return out
}

// archive is a txtar-style golden file: sections introduced by "-- name --" lines.
type archive []section

type section struct{ name, data string }

func (a archive) format() []byte {
	var buf bytes.Buffer
	for _, s := range a {
		buf.WriteString("-- " + s.name + " --\n")
		buf.WriteString(s.data)
		if !strings.HasSuffix(s.data, "\n") {
			buf.WriteString("\n")
		}
	}
	return buf.Bytes()
}

func parseArchive(b []byte) archive {
	var a archive
	for _, line := range strings.SplitAfter(string(b), "\n") {
		trimmed := strings.TrimSuffix(line, "\n")
		if strings.HasPrefix(trimmed, "-- ") && strings.HasSuffix(trimmed, " --") && len(trimmed) > 6 {
			a = append(a, section{name: trimmed[3 : len(trimmed)-3]})
			continue
		}
		if len(a) > 0 {
			a[len(a)-1].data += line
		}
	}
	return a
}

// golden compares got with the archive at path, or rewrites it with -update.
func golden(t *testing.T, path string, got archive) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got.format(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(b), string(got.format())); diff != "" {
		t.Errorf("%s differs (-want +got), rerun with -update if intended:\n%s", path, diff)
	}
}

// equateEpochs compares store dates by instant (Epoch wraps time.Time's unexported fields).
var equateEpochs = cmp.Comparer(func(a, b store.Epoch) bool { return a.Time().Equal(b.Time()) })

// definition is an API's whole draft definition with ids, dates and the API's own id taken
// out, so two APIs built from the same document compare equal.
type definition struct {
	API              store.RestAPI
	Resources        map[string]*store.Resource
	Authorizers      map[string]*store.Authorizer
	Models           map[string]*store.Model
	Validators       map[string]*store.RequestValidator
	GatewayResponses map[string]*store.GatewayResponse
}

// readDefinition reads an API's draft through the store's public reads.
func readDefinition(t *testing.T, st *store.Store, apiID string) *definition {
	t.Helper()
	api, err := st.GetRestAPI(apiID)
	if err != nil {
		t.Fatal(err)
	}
	d := &definition{
		API: *api, Resources: map[string]*store.Resource{}, Authorizers: map[string]*store.Authorizer{},
		Models: map[string]*store.Model{}, Validators: map[string]*store.RequestValidator{},
		GatewayResponses: map[string]*store.GatewayResponse{},
	}
	d.API.ID, d.API.RootResourceID, d.API.CreatedDate, d.API.Warnings = "", "", store.Epoch{}, nil
	auths, _, _ := st.ListAuthorizers(apiID, "", store.MaxLimit)
	authName := map[string]string{}
	for _, a := range auths {
		authName[a.ID] = a.Name
		a.ID = ""
		d.Authorizers[a.Name] = a
	}
	vals, _, _ := st.ListRequestValidators(apiID, "", store.MaxLimit)
	valName := map[string]string{}
	for _, v := range vals {
		valName[v.ID] = v.Name
		v.ID = ""
		d.Validators[v.Name] = v
	}
	models, _, _ := st.ListModels(apiID, "", store.MaxLimit)
	for _, m := range models {
		m.ID = ""
		m.Schema = canonicalSchema(t, strings.ReplaceAll(m.Schema, ModelURLPrefix+apiID+"/", ModelURLPrefix+"API/"))
		d.Models[m.Name] = m
	}
	grs, _, _ := st.ListGatewayResponses(apiID, "", store.MaxLimit)
	for _, g := range grs {
		if !g.DefaultResponse {
			d.GatewayResponses[g.ResponseType] = g
		}
	}
	res, _, _ := st.ListResources(apiID, "", store.MaxLimit)
	for _, r := range res {
		for _, m := range r.Methods {
			if m.AuthorizerID != "" {
				m.AuthorizerID = "authorizer:" + authName[m.AuthorizerID]
			}
			if m.RequestValidatorID != "" {
				m.RequestValidatorID = "validator:" + valName[m.RequestValidatorID]
			}
			if m.Integration != nil && m.Integration.CacheNamespace == r.ID {
				m.Integration.CacheNamespace = "(resource id)"
			}
		}
		r.ID, r.ParentID = "", ""
		d.Resources[r.Path] = r
	}
	return d
}

// canonicalSchema re-encodes a model schema with sorted keys.
func canonicalSchema(t *testing.T, s string) string {
	t.Helper()
	if s == "" {
		return ""
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("model schema %q is not JSON: %v", s, err)
	}
	return marshalJSON(v)
}

func (d *definition) json(t *testing.T) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// storeState is everything GetRestApis and the per-API reads show, for "nothing changed"
// checks.
func storeState(t *testing.T, st *store.Store) map[string]*definition {
	t.Helper()
	apis, _, err := st.ListRestAPIs("", store.MaxLimit)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*definition{}
	for _, a := range apis {
		d := readDefinition(t, st, a.ID)
		d.API.CreatedDate = a.CreatedDate
		out[a.ID] = d
	}
	return out
}
