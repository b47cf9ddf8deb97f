package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/apigw-local/apigw-local/emulator"
	"github.com/apigw-local/apigw-local/emulator/project"
	"github.com/apigw-local/apigw-local/emulator/project/cfn"
	"github.com/apigw-local/apigw-local/emulator/rawheader"
	"github.com/apigw-local/apigw-local/lambdarunner"
)

// projectOptions are start's flags for loading a SAM or Serverless Framework project.
type projectOptions struct {
	template  string
	overrides []string
	envVars   string
	stage     string
	watch     bool
	apiPort   int
}

func (o *projectOptions) addFlags(f *pflag.FlagSet) {
	f.StringVarP(&o.template, "template", "t", "", "SAM/CloudFormation template or serverless.yml to load (default: template.yaml, template.yml, template.json or serverless.yml in the working directory, if there is one)")
	f.StringArrayVar(&o.overrides, "parameter-overrides", nil, "template parameters: 'Key=Value Key2=Value2' or ParameterKey=Key,ParameterValue=Value (repeatable)")
	f.StringVar(&o.envVars, "env-vars", "", `JSON file of function variables, as sam local takes it: {"FunctionLogicalId": {"KEY": "value"}, "Parameters": {"KEY": "value"}}; it overrides the variables the template declares`)
	f.StringVar(&o.stage, "stage", "", "the Serverless Framework stage (${opt:stage}); default: provider.stage, else dev")
	f.BoolVar(&o.watch, "watch", false, "reload the project when the template changes and recycle a function when its code changes")
	f.IntVar(&o.apiPort, "api-port", 3000, "when the project has exactly one REST API, also serve it at the root of this port, as sam local start-api does (0 disables)")
}

// projectRun is a loaded project: what serves it and what reloads it.
type projectRun struct {
	o       *projectOptions
	srv     *emulator.Server
	applier *project.Applier
	load    func() (*project.Plan, error)
	root    *emulator.RootAPI
	log     *slog.Logger

	mu   sync.Mutex // serialises output
	urls project.URLs
}

// loadProject loads the project of the working directory (or --template) into the
// emulator. It returns nil when there is no project and none was asked for.
func (o *projectOptions) loadProject(ctx context.Context, srv *emulator.Server, log *slog.Logger, region, accountID string) (*projectRun, error) {
	overrides, err := cfn.ParseOverrides(o.overrides)
	if err != nil {
		return nil, fmt.Errorf("--parameter-overrides: %w", err)
	}
	var env lambdarunner.EnvFile
	if o.envVars != "" {
		if env, err = lambdarunner.LoadEnvFile(o.envVars); err != nil {
			return nil, fmt.Errorf("--env-vars: %w", err)
		}
	}
	opts := project.Options{
		Template: o.template, Overrides: overrides, EnvVars: env, Stage: o.stage,
		Region: region, AccountID: accountID, LookupEnv: os.LookupEnv,
	}
	load := func() (*project.Plan, error) { return project.Load(opts) }
	plan, err := load()
	if errors.Is(err, project.ErrNoProject) && o.template == "" {
		if o.watch {
			return nil, errors.New("--watch: there is no project to watch here: run in the folder of a template.yaml or serverless.yml, or name it with --template")
		}
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("loading the project: %w", err)
	}
	applier := project.NewApplier(project.Target{Store: srv.Store(), Lambda: srv.Lambda(), Logger: log})
	if err := applier.Apply(ctx, plan); err != nil {
		return nil, fmt.Errorf("loading %s: %w", plan.Template, err)
	}
	return &projectRun{o: o, srv: srv, applier: applier, load: load, root: srv.NewRootAPI(), log: log}, nil
}

// serve prints the start-up table, starts the --api-port listener and the watcher. The
// returned function stops them.
func (p *projectRun) serve(ctx context.Context, host, base string, stdout io.Writer) (func(), error) {
	if p == nil {
		return func() {}, nil
	}
	p.urls = project.URLs{Base: base}
	var hs *http.Server
	plan := p.applier.Current()
	if p.o.apiPort != 0 && len(plan.APIs) == 1 {
		addr := net.JoinHostPort(host, strconv.Itoa(p.o.apiPort))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			if errors.Is(err, syscall.EADDRINUSE) {
				return nil, fmt.Errorf("--api-port %d on %s is already in use (sam local start-api?): stop the other process, choose another port, or --api-port 0 to serve the API on %s only", p.o.apiPort, host, base)
			}
			return nil, fmt.Errorf("--api-port: listen on %s: %w", addr, err)
		}
		p.urls.Root = "http://" + ln.Addr().String()
		hs = &http.Server{Handler: p.root, ReadHeaderTimeout: 30 * time.Second, ConnContext: rawheader.ConnContext}
		go func() { _ = hs.Serve(rawheader.Listen(ln)) }()
		fmt.Fprintf(stdout, "apigw-local serving the project's API on %s\n", p.urls.Root)
	}
	if p.o.apiPort != 0 && len(plan.APIs) != 1 {
		fmt.Fprintf(stdout, "apigw-local: --api-port %d serves a project with exactly one REST API, and this one has %d: use the URLs below\n", p.o.apiPort, len(plan.APIs))
	}
	p.point(plan)
	p.print(stdout, plan)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	if p.o.watch {
		w, err := project.NewWatcher(p.applier, p.load, func(ev project.Event) { p.reported(stdout, ev) })
		if err != nil {
			cancel()
			return nil, fmt.Errorf("--watch: %w", err)
		}
		go func() { defer close(done); w.Run(ctx) }()
		fmt.Fprintln(stdout, "Watching the template and the functions' code for changes (--watch)")
	} else {
		close(done)
	}
	fmt.Fprintln(stdout, "Ready. Press Ctrl+C to stop.")
	return func() {
		cancel()
		<-done
		if hs != nil {
			sctx, c := context.WithTimeout(context.Background(), shutdownGrace)
			defer c()
			_ = hs.Shutdown(sctx)
		}
	}, nil
}

// point makes the root listener serve the plan's API, when it has exactly one.
func (p *projectRun) point(plan *project.Plan) {
	if p.urls.Root == "" {
		return
	}
	if len(plan.APIs) != 1 {
		p.root.Set("", "")
		p.urls.RootAPI = ""
		return
	}
	a := plan.APIs[0]
	p.root.Set(a.ID, a.PrimaryStage())
	p.urls.RootAPI = a.ID
}

func (p *projectRun) print(w io.Writer, plan *project.Plan) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := project.WriteSummary(w, plan, p.srv.Store(), p.urls); err != nil {
		p.log.Warn("writing the start-up table", "error", err)
	}
}

// reported prints what the watcher did.
func (p *projectRun) reported(w io.Writer, ev project.Event) {
	switch {
	case ev.Err != nil:
		p.mu.Lock()
		fmt.Fprintf(w, "Reload failed after %s; the last good state keeps serving:\n  %v\n", ev.Took.Round(time.Millisecond), ev.Err)
		p.mu.Unlock()
	case ev.Reloaded != nil:
		p.point(ev.Reloaded)
		p.mu.Lock()
		fmt.Fprintf(w, "Reloaded %s in %s\n", ev.Reloaded.Template, ev.Took.Round(time.Millisecond))
		p.mu.Unlock()
		p.print(w, ev.Reloaded)
	}
	if len(ev.Recycled) > 0 && ev.Err == nil {
		p.mu.Lock()
		fmt.Fprintf(w, "Code changed: %v now run the new code (%s)\n", ev.Recycled, ev.Took.Round(time.Millisecond))
		p.mu.Unlock()
	}
}
