package project

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/apigw-local/apigw-local/emulator/project/cfn"
	"github.com/apigw-local/apigw-local/emulator/store"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/load")

// archive is a txtar file: named sections "-- name --".
type archive map[string]string

func readArchive(t *testing.T, path string) (archive, []string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	a := archive{}
	var order []string
	var name string
	var buf strings.Builder
	flush := func() {
		if name != "" {
			a[name] = buf.String()
			order = append(order, name)
		}
		buf.Reset()
	}
	for _, line := range strings.SplitAfter(string(b), "\n") {
		trimmed := strings.TrimRight(line, "\n")
		if strings.HasPrefix(trimmed, "-- ") && strings.HasSuffix(trimmed, " --") {
			flush()
			name = strings.TrimSuffix(strings.TrimPrefix(trimmed, "-- "), " --")
			continue
		}
		buf.WriteString(line)
	}
	flush()
	return a, order
}

func writeArchive(t *testing.T, path string, a archive, order []string) {
	t.Helper()
	var b strings.Builder
	for _, n := range order {
		fmt.Fprintf(&b, "-- %s --\n%s", n, a[n])
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLoadGolden loads each project of testdata/load/*.txtar (its files, then "-- want --":
// the loaded model as the store holds it after the APIs are installed) and compares.
func TestLoadGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/load/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			a, order := readArchive(t, path)
			dir := t.TempDir()
			var opts Options
			for _, name := range order {
				switch name {
				case "want":
				case "args":
					for _, line := range strings.Split(strings.TrimSpace(a[name]), "\n") {
						k, v, _ := strings.Cut(line, "=")
						switch k {
						case "stage":
							opts.Stage = v
						case "override":
							o, err := cfn.ParseOverrides([]string{v})
							if err != nil {
								t.Fatal(err)
							}
							opts.Overrides = o
						}
					}
				default:
					p := filepath.Join(dir, name)
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, []byte(a[name]), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			opts.Dir, opts.IDSeed, opts.CacheDir = dir, "golden", filepath.Join(dir, ".cache")
			opts.LookupEnv = func(k string) (string, bool) {
				v, ok := map[string]string{"LOG_LEVEL": "debug", "SHELL_VAR": "from-shell"}[k]
				return v, ok
			}
			got := dumpLoad(t, opts, dir)
			if *update {
				if !slices.Contains(order, "want") {
					order = append(order, "want")
				}
				a["want"] = got
				writeArchive(t, path, a, order)
				return
			}
			if got != a["want"] {
				t.Errorf("loaded model differs from %s (run go test -run TestLoadGolden -update to accept):\n%s", path, lineDiff(a["want"], got))
			}
		})
	}
}

// dumpLoad loads a project, installs its APIs in a fresh store and prints the result.
func dumpLoad(t *testing.T, opts Options, dir string) string {
	t.Helper()
	p, err := Load(opts)
	if err != nil {
		return "error: " + strings.ReplaceAll(err.Error(), dir, "$DIR") + "\n"
	}
	st := store.New(store.Config{IDs: store.NewSeededIDs(1)})
	var b bytes.Buffer
	fmt.Fprintf(&b, "kind: %s\nstack: %s\n", p.Kind, p.StackName)
	for _, f := range p.Functions {
		c := f.Config
		fmt.Fprintf(&b, "function %s: name=%s runtime=%s handler=%s code=%s timeout=%s memory=%d\n",
			f.LogicalID, c.Name, c.Runtime, c.Handler, strings.ReplaceAll(c.CodeDir, dir, "$DIR"), c.Timeout, c.MemorySize)
		keys := make([]string, 0, len(c.Environment))
		for k := range c.Environment {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "  env %s=%s\n", k, c.Environment[k])
		}
	}
	for _, api := range p.APIs {
		if _, err := installAPI(st, api, true); err != nil {
			fmt.Fprintf(&b, "api %s: install error: %v\n", api.LogicalID, err)
			continue
		}
		dumpAPI(t, &b, st, api)
	}
	for _, k := range p.Keys {
		fmt.Fprintf(&b, "key %s: name=%s value=%s enabled=%v stages=%v\n", k.LogicalID, k.Name, k.Value, k.Enabled, k.StageKeys)
	}
	for _, u := range p.UsagePlans {
		fmt.Fprintf(&b, "usage plan %s: name=%s stages=%v throttle=%d/%g quota=%d/%s keys=%v\n", u.LogicalID, u.Name, u.Stages, u.BurstLimit, u.RateLimit, u.QuotaLimit, u.QuotaPeriod, u.KeyIDs)
	}
	for _, l := range p.Notes.Lines() {
		fmt.Fprintf(&b, "note: %s\n", strings.ReplaceAll(l, dir, "$DIR"))
	}
	var files []string
	for _, f := range p.Files {
		files = append(files, strings.ReplaceAll(f, dir, "$DIR"))
	}
	fmt.Fprintf(&b, "files: %v\n", files)
	return b.String()
}

// dumpAPI prints an API as its stages serve it: settings, resources and methods (ids
// replaced by names), authorizers, models, validators, gateway responses, stages.
func dumpAPI(t *testing.T, b *bytes.Buffer, st *store.Store, api *API) {
	t.Helper()
	rest, err := st.GetRestAPI(api.ID)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(b, "api %s: id=%s name=%q binaryMediaTypes=%v endpoint=%v apiKeySource=%s\n", api.LogicalID, api.ID, rest.Name, rest.BinaryMediaTypes, rest.EndpointConfiguration.Types, rest.APIKeySource)
	stages, _ := st.ListStages(api.ID, "")
	for _, s := range stages {
		ms, _ := json.Marshal(s.MethodSettings)
		fmt.Fprintf(b, "  stage %s: variables=%v methodSettings=%s\n", s.StageName, s.Variables, ms)
	}
	if len(stages) == 0 {
		return
	}
	_, snap, err := st.StageSnapshot(api.ID, stages[0].StageName)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for id, a := range snap.Authorizers {
		names[id] = a.Name
	}
	for id, v := range snap.Validators {
		names[id] = v.Name
	}
	for _, id := range sortedKeys(snap.Authorizers) {
		a := *snap.Authorizers[id]
		a.ID = ""
		j, _ := json.Marshal(a)
		fmt.Fprintf(b, "  authorizer %s\n", j)
	}
	for _, id := range sortedKeys(snap.Validators) {
		v := *snap.Validators[id]
		v.ID = ""
		j, _ := json.Marshal(v)
		fmt.Fprintf(b, "  validator %s\n", j)
	}
	for _, n := range sortedKeys(snap.Models) {
		fmt.Fprintf(b, "  model %s %s %s\n", n, snap.Models[n].ContentType, oneLine(snap.Models[n].Schema))
	}
	for _, n := range sortedKeys(snap.GatewayResponses) {
		g := snap.GatewayResponses[n]
		j, _ := json.Marshal(g)
		fmt.Fprintf(b, "  gateway response %s\n", j)
	}
	for _, r := range snap.Resources {
		fmt.Fprintf(b, "  %s\n", r.Path)
		for _, v := range sortedKeys(r.Methods) {
			m := *r.Methods[v]
			if m.AuthorizerID != "" {
				m.AuthorizerID = "name:" + names[m.AuthorizerID]
			}
			if m.RequestValidatorID != "" {
				m.RequestValidatorID = "name:" + names[m.RequestValidatorID]
			}
			j, _ := json.Marshal(m)
			fmt.Fprintf(b, "    %s %s\n", v, j)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func oneLine(s string) string {
	var v any
	if json.Unmarshal([]byte(s), &v) == nil {
		b, _ := json.Marshal(v)
		return string(b)
	}
	return s
}

// lineDiff shows the lines that differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want %s\n  got  %s\n", i+1, wl, gl)
		}
	}
	return b.String()
}
