package project

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/apigw-local/apigw-local/emulator/store"
)

// URLs tell the start-up table where the emulator serves.
type URLs struct {
	// Base is the emulator's URL, e.g. http://127.0.0.1:4566.
	Base string
	// Root is the URL of the listener that serves one API at its root ("" when none does),
	// RootAPI that API's id.
	Root, RootAPI string
}

// PrimaryStage is the stage the table shows an API's routes for: the last one the template
// defines (SAM's "Stage" stage comes from the deployment, before the API's own stage).
func (a *API) PrimaryStage() string {
	if len(a.Stages) == 0 {
		return ""
	}
	return a.Stages[len(a.Stages)-1].Name
}

// WriteSummary prints the start-up table: every API, stage and route with its local URL,
// every function with its runtime and code, the API keys, and what is not emulated.
func WriteSummary(w io.Writer, p *Plan, st *store.Store, u URLs) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "\nLoaded %s project %s: %d REST API(s), %d function(s)\n", p.Kind, p.Template, len(p.APIs), len(p.Functions))
	if len(p.APIs) > 0 {
		fmt.Fprintln(tw, "\n  API\tSTAGE\tMETHOD\tPATH\tAUTH\tURL")
		for _, a := range p.APIs {
			writeRoutes(tw, a, st, u)
		}
		if u.Root != "" {
			for _, a := range p.APIs {
				if a.ID == u.RootAPI {
					fmt.Fprintf(tw, "\n  %s (id %s) answers at %s/{path} and %s/{stage}/{path} (--api-port), and at\n  %s/_aws/execute-api/%s/{stage}/{path} or http://%s.execute-api.localhost:%s/{stage}/{path}\n",
						a.LogicalID, a.ID, u.Root, u.Root, u.Base, a.ID, a.ID, port(u.Base))
				}
			}
		}
	}
	if len(p.Functions) > 0 {
		fmt.Fprintln(tw, "\n  FUNCTION\tRUNTIME\tHANDLER\tCODE")
		for _, f := range p.Functions {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", f.Config.Name, f.Config.Runtime, f.Config.Handler, codeLabel(p, f))
		}
	}
	if len(p.Keys) > 0 {
		fmt.Fprintln(tw, "\n  API KEY\tVALUE (send it as x-api-key)\tSTAGES")
		for _, k := range p.Keys {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", k.Name, k.Value, strings.Join(k.StageKeys, " "))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if lines := p.Notes.Lines(); len(lines) > 0 {
		fmt.Fprintln(w, "\n  Not emulated (each listed once; the rest of the project is):")
		for _, l := range lines {
			fmt.Fprintf(w, "  - %s\n", l)
		}
	}
	_, err := fmt.Fprintln(w)
	return err
}

// writeRoutes prints one API's routes as its primary stage's deployment serves them.
func writeRoutes(w io.Writer, a *API, st *store.Store, u URLs) {
	stage := a.PrimaryStage()
	if stage == "" {
		fmt.Fprintf(w, "  %s\t-\t-\t-\t-\tno stage: nothing serves it\n", a.LogicalID)
		return
	}
	_, snap, err := st.StageSnapshot(a.ID, stage)
	if err != nil {
		fmt.Fprintf(w, "  %s\t%s\t-\t-\t-\t%v\n", a.LogicalID, stage, err)
		return
	}
	base := fmt.Sprintf("%s/_aws/execute-api/%s/%s", u.Base, a.ID, stage)
	if u.Root != "" && u.RootAPI == a.ID {
		base = u.Root
	}
	auth := map[string]string{}
	for id, au := range snap.Authorizers {
		auth[id] = au.Name
	}
	rows := 0
	for _, r := range snap.Resources {
		verbs := make([]string, 0, len(r.Methods))
		for v := range r.Methods {
			verbs = append(verbs, v)
		}
		slices.Sort(verbs)
		// Methods of one path with the same protection share a row: GET,OPTIONS /items.
		var labels []string
		byLabel := map[string][]string{}
		for _, v := range verbs {
			l := authLabel(r.Methods[v], auth)
			if byLabel[l] == nil {
				labels = append(labels, l)
			}
			byLabel[l] = append(byLabel[l], v)
		}
		for _, l := range labels {
			fmt.Fprintf(w, "  %s\t%s\t%s\t%s\t%s\t%s%s\n", a.LogicalID, stage, strings.Join(byLabel[l], ","), r.Path, l, base, strings.TrimSuffix(r.Path, "/"))
			rows++
		}
	}
	if rows == 0 {
		fmt.Fprintf(w, "  %s\t%s\t-\t-\t-\tno methods\n", a.LogicalID, stage)
	}
	var others []string
	for _, s := range a.Stages {
		if s.Name != stage {
			others = append(others, s.Name)
		}
	}
	if len(others) > 0 {
		fmt.Fprintf(w, "  %s\t%s\t(same routes)\t\t\t%s/_aws/execute-api/%s/{stage}/...\n", a.LogicalID, strings.Join(others, ","), u.Base, a.ID)
	}
}

// authLabel says how a method is protected.
func authLabel(m *store.Method, names map[string]string) string {
	var parts []string
	switch m.AuthorizationType {
	case "CUSTOM", "COGNITO_USER_POOLS":
		parts = append(parts, names[m.AuthorizerID])
	case "AWS_IAM":
		parts = append(parts, "IAM")
	}
	if m.APIKeyRequired {
		parts = append(parts, "API key")
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " + ")
}

// codeLabel shows where a function's code is, and how it runs.
func codeLabel(p *Plan, f *Function) string {
	label := rel(p.Dir, f.Source)
	if fi, err := os.Stat(f.Source); err == nil && fi.IsDir() && !strings.HasSuffix(label, "/") {
		label += "/"
	}
	switch {
	case strings.HasSuffix(strings.ToLower(f.Source), ".zip"):
		label += " (extracted)"
	case strings.Contains(f.Config.CodeDir, filepath.Join(".aws-sam", "build")):
		label += " (sam build output)"
	case isNativeRuntime(f.Config.Runtime):
		if _, err := os.Stat(filepath.Join(f.Config.CodeDir, "bootstrap")); err != nil {
			label += " (Go, built from source)"
		}
	}
	return label
}

// port is the port of a URL.
func port(u string) string {
	if i := strings.LastIndexByte(u, ':'); i >= 0 {
		return u[i+1:]
	}
	return "80"
}
