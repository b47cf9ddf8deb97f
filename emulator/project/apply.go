package project

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/apigw-local/apigw-local/emulator/openapi"
	"github.com/apigw-local/apigw-local/emulator/store"
	"github.com/apigw-local/apigw-local/lambdarunner"
)

// Target is the emulator a project is applied to.
type Target struct {
	Store  *store.Store
	Lambda *lambdarunner.Manager
	// NewScratchRunner returns a runner that checks (and for Go, builds) a function before it
	// replaces a running one; nil uses a default runner with the same build cache.
	NewScratchRunner func() *lambdarunner.Manager
	Logger           *slog.Logger
}

// Applier installs plans into an emulator and, on reload, swaps the old plan's state for
// the new one's. It is safe for concurrent use; applies run one at a time.
type Applier struct {
	t Target

	mu      sync.Mutex
	current *Plan
	keyIDs  map[string]string // plan key id → store key id
	planIDs map[string]string // plan usage plan id → store plan id
}

// NewApplier returns an Applier with nothing applied yet.
func NewApplier(t Target) *Applier {
	if t.Logger == nil {
		t.Logger = slog.New(slog.DiscardHandler)
	}
	return &Applier{t: t, keyIDs: map[string]string{}, planIDs: map[string]string{}}
}

// Current returns the plan applied last.
func (a *Applier) Current() *Plan {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.current
}

// replacer is what a runner offers when it can swap a function's code without cutting the
// invocations in flight.
type replacer interface {
	Replace(ctx context.Context, fc lambdarunner.FunctionConfig) error
}

// Apply installs a plan. The APIs are first built in a scratch store, so a definition the
// store rejects changes nothing; then functions are registered or replaced, each API is
// redefined in place under its stable id and its stages moved to a new deployment in one
// step each (requests in flight finish on the deployment they started on), and what the
// new plan no longer has is removed.
func (a *Applier) Apply(ctx context.Context, p *Plan) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	scratch := store.New(store.Config{Region: a.t.Store.Region(), AccountID: a.t.Store.AccountID()})
	for _, api := range p.APIs {
		warnings, err := installAPI(scratch, api, false)
		if err != nil {
			return err
		}
		for _, w := range warnings {
			p.Notes.Add("OpenAPI import of "+api.LogicalID, "", w)
		}
	}
	old := a.current
	if err := a.applyFunctions(ctx, old, p); err != nil {
		return err
	}
	for _, api := range p.APIs {
		if _, err := installAPI(a.t.Store, api, true); err != nil {
			return fmt.Errorf("%w (the emulator may now serve part of the new template)", err)
		}
	}
	if old != nil {
		for _, api := range old.APIs {
			if !slices.ContainsFunc(p.APIs, func(n *API) bool { return n.ID == api.ID }) {
				_ = a.t.Store.DeleteRestAPI(api.ID)
			}
		}
		for _, f := range old.Functions {
			if p.functionByName(f.Config.Name) == nil {
				_ = a.t.Lambda.Unregister(ctx, f.Config.Name)
			}
		}
	}
	if err := a.applyKeys(p); err != nil {
		a.t.Logger.Warn("API keys and usage plans", "error", err)
		p.Notes.Add("API keys and usage plans", "", err.Error())
	}
	a.current = p
	return nil
}

// applyFunctions registers the plan's new functions and replaces those whose configuration
// changed. The changed ones are checked (and Go code built) by a scratch runner first, so a
// failure changes no running function; registrations run concurrently (resolving
// interpreters and building Go code is slow one by one). On an error the functions it
// registered are removed again.
func (a *Applier) applyFunctions(ctx context.Context, old, p *Plan) error {
	var added, changed []*Function
	for _, f := range p.Functions {
		var prev *Function
		if old != nil {
			prev = old.functionByName(f.Config.Name)
		}
		switch {
		case prev == nil:
			added = append(added, f)
		case !equalConfig(prev.Config, f.Config):
			changed = append(changed, f)
		}
	}
	if len(changed) > 0 {
		scratch := a.scratchRunner()
		err := each(changed, func(f *Function) error { return scratch.Register(f.Config) })
		_ = scratch.Close(ctx)
		if err != nil {
			return err
		}
	}
	ok := make([]bool, len(added))
	err := each(added, func(f *Function) error {
		err := a.t.Lambda.Register(f.Config)
		if err != nil && strings.Contains(err.Error(), "already registered") {
			return fmt.Errorf("a function named %s is already registered (by --function?): rename one of them", f.Config.Name)
		}
		if err == nil {
			ok[slices.Index(added, f)] = true
		}
		return err
	})
	if err != nil {
		for i, f := range added {
			if ok[i] {
				_ = a.t.Lambda.Unregister(ctx, f.Config.Name)
			}
		}
		return err
	}
	return each(changed, func(f *Function) error { return a.replace(ctx, f.Config, true) })
}

// each runs do for every function concurrently and joins the errors, naming the functions.
func each(fs []*Function, do func(*Function) error) error {
	var wg sync.WaitGroup
	errs := make([]error, len(fs))
	for i, f := range fs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := do(f); err != nil {
				errs[i] = fmt.Errorf("function %s: %w", f.LogicalID, err)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// scratchRunner returns a runner for checking functions before they replace running ones.
func (a *Applier) scratchRunner() *lambdarunner.Manager {
	if a.t.NewScratchRunner != nil {
		return a.t.NewScratchRunner()
	}
	return lambdarunner.New(lambdarunner.Config{})
}

// Recycle replaces functions (their code changed) with the same configuration.
func (a *Applier) Recycle(ctx context.Context, names []string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.current == nil {
		return nil
	}
	var errs []error
	for _, n := range names {
		if f := a.current.functionByName(n); f != nil {
			if err := a.replace(ctx, f.Config, false); err != nil {
				errs = append(errs, fmt.Errorf("function %s: %w", f.LogicalID, err))
			}
		}
	}
	return errors.Join(errs...)
}

// replace swaps a registered function for a new configuration or new code. With a runner
// that cannot replace in place, Go code is built by a scratch runner first (unless checked
// says the caller did), so a compile error keeps the old function; then the old one is
// unregistered (its invocations in flight are cut) and the new one registered.
func (a *Applier) replace(ctx context.Context, fc lambdarunner.FunctionConfig, checked bool) error {
	if r, ok := any(a.t.Lambda).(replacer); ok {
		return r.Replace(ctx, fc)
	}
	if !checked && isNativeRuntime(fc.Runtime) {
		// Build into the shared, content-keyed cache: the Register below finds the binary.
		scratch := a.scratchRunner()
		err := scratch.Register(fc)
		_ = scratch.Close(ctx)
		if err != nil {
			return err
		}
	}
	var old *lambdarunner.FunctionConfig
	for _, c := range a.t.Lambda.Functions() {
		if c.Name == fc.Name {
			c := c
			old = &c
		}
	}
	_ = a.t.Lambda.Unregister(ctx, fc.Name)
	if err := a.t.Lambda.Register(fc); err != nil {
		if old != nil {
			_ = a.t.Lambda.Register(*old)
		}
		return err
	}
	return nil
}

// installAPI creates or redefines one API in st under its stable id and points its stages at
// a new deployment, and returns the OpenAPI import's warnings. live says st serves requests:
// then stages that the plan no longer has are deleted and deployments no stage uses any more
// are dropped.
func installAPI(st *store.Store, api *API, live bool) ([]string, error) {
	_, getErr := st.GetRestAPI(api.ID)
	exists := getErr == nil
	var warnings []string
	var err error
	what := "API " + api.LogicalID
	if api.BodyFile != "" {
		what += " (" + api.BodyFile + ")"
	}
	switch {
	case api.Body != nil && !exists:
		_, warnings, err = openapi.Import(st, api.Body, openapi.ImportOptions{
			ID: api.ID, BasePath: api.Import.BasePath, EndpointTypes: api.Import.EndpointTypes, FailOnWarnings: api.Import.FailOnWarnings,
		})
	case api.Body != nil:
		_, warnings, err = openapi.Put(st, api.ID, api.Body, openapi.ImportOptions{
			Mode: store.ModeOverwrite, BasePath: api.Import.BasePath, EndpointTypes: api.Import.EndpointTypes, FailOnWarnings: api.Import.FailOnWarnings,
		})
	case !exists:
		def := api.Def
		_, err = st.ImportDefinition(store.ImportInput{ID: api.ID, Build: func(string) (*store.Definition, error) { return def, nil }})
	default:
		_, err = st.ReplaceDefinition(api.ID, api.Def, store.ModeOverwrite)
	}
	if err != nil {
		return warnings, fmt.Errorf("%s: %v", what, err)
	}
	if api.Body != nil && (api.Def.Settings != nil || len(api.Def.Resources) > 0 || len(api.Def.Authorizers) > 0 ||
		len(api.Def.Models) > 0 || len(api.Def.Validators) > 0 || len(api.Def.GatewayResponses) > 0) {
		if _, err := st.ReplaceDefinition(api.ID, api.Def, store.ModeMerge); err != nil {
			return warnings, fmt.Errorf("%s: %v", what, err)
		}
	}
	if len(api.Stages) == 0 {
		return warnings, nil
	}
	d, err := st.CreateDeployment(api.ID, store.CreateDeploymentInput{Description: "apigw-local: " + api.LogicalID})
	if err != nil {
		return warnings, fmt.Errorf("%s: deploying: %v", what, err)
	}
	for _, sp := range api.Stages {
		if err := installStage(st, api, sp, d.ID); err != nil {
			return warnings, fmt.Errorf("%s: stage %s: %v", what, sp.Name, err)
		}
	}
	if !live {
		return warnings, nil
	}
	stages, _ := st.ListStages(api.ID, "")
	used := map[string]bool{d.ID: true}
	for _, s := range stages {
		if !slices.ContainsFunc(api.Stages, func(p *Stage) bool { return p.Name == s.StageName }) {
			_ = st.DeleteStage(api.ID, s.StageName)
			continue
		}
		used[s.DeploymentID] = true
	}
	deps, _, _ := st.ListDeployments(api.ID, "", 500)
	for _, dep := range deps {
		if !used[dep.ID] {
			_ = st.DeleteDeployment(api.ID, dep.ID)
		}
	}
	return warnings, nil
}

// installStage creates a stage or moves an existing one to the deployment with its new
// settings, in one UpdateStage.
func installStage(st *store.Store, api *API, sp *Stage, deploymentID string) error {
	cur, err := st.GetStage(api.ID, sp.Name)
	if err != nil {
		if _, err := st.CreateStage(api.ID, store.CreateStageInput{
			StageName: sp.Name, DeploymentID: deploymentID, Description: sp.Description, Variables: sp.Variables,
			TracingEnabled: sp.TracingEnabled, CacheClusterEnabled: sp.CacheClusterEnabled, CacheClusterSize: sp.CacheClusterSize,
		}); err != nil {
			return err
		}
		if len(sp.MethodSettings) > 0 {
			_, err := st.UpdateStage(api.ID, sp.Name, sp.MethodSettings)
			return err
		}
		return nil
	}
	ops := []store.PatchOp{replaceOp("/deploymentId", deploymentID), replaceOp("/description", sp.Description),
		replaceOp("/tracingEnabled", strconv.FormatBool(sp.TracingEnabled)),
		replaceOp("/cacheClusterEnabled", strconv.FormatBool(sp.CacheClusterEnabled))}
	if sp.CacheClusterSize != "" {
		ops = append(ops, replaceOp("/cacheClusterSize", sp.CacheClusterSize))
	}
	for _, k := range slices.Sorted(maps.Keys(cur.Variables)) {
		if _, ok := sp.Variables[k]; !ok {
			ops = append(ops, store.PatchOp{Op: "remove", Path: "/variables/" + k})
		}
	}
	for _, k := range slices.Sorted(maps.Keys(sp.Variables)) {
		ops = append(ops, replaceOp("/variables/"+k, sp.Variables[k]))
	}
	for _, k := range slices.Sorted(maps.Keys(cur.MethodSettings)) {
		i := strings.LastIndex(k, "/")
		res, verb := k[:max(i, 0)], k[i+1:]
		if k == "*/*" {
			ops = append(ops, store.PatchOp{Op: "remove", Path: "/*/*"})
			continue
		}
		ops = append(ops, store.PatchOp{Op: "remove", Path: "/~1" + strings.ReplaceAll(res, "/", "~1") + "/" + verb})
	}
	ops = append(ops, sp.MethodSettings...)
	_, err = st.UpdateStage(api.ID, sp.Name, ops)
	return err
}

func replaceOp(path, value string) store.PatchOp {
	return store.PatchOp{Op: "replace", Path: path, Value: &value}
}

// applyKeys creates the plan's API keys and usage plans, replacing those of the last apply
// when they changed. Key values are stable, so clients keep working across reloads.
func (a *Applier) applyKeys(p *Plan) error {
	if a.current != nil && reflect.DeepEqual(a.current.Keys, p.Keys) && reflect.DeepEqual(a.current.UsagePlans, p.UsagePlans) {
		return nil
	}
	st := a.t.Store
	for _, id := range a.planIDs {
		_ = st.DeleteUsagePlan(id)
	}
	for _, id := range a.keyIDs {
		_ = st.DeleteAPIKey(id)
	}
	a.planIDs, a.keyIDs = map[string]string{}, map[string]string{}
	var errs []error
	for _, k := range p.Keys {
		in := store.CreateAPIKeyInput{Name: k.Name, Description: k.Description, Enabled: k.Enabled, Value: k.Value, CustomerID: k.CustomerID}
		for _, sk := range k.StageKeys {
			api, stage, _ := strings.Cut(sk, "/")
			in.StageKeys = append(in.StageKeys, store.StageKeyInput{RestAPIID: api, StageName: stage})
		}
		created, err := st.CreateAPIKey(in)
		if err != nil {
			errs = append(errs, fmt.Errorf("API key %s: %v", k.LogicalID, err))
			continue
		}
		a.keyIDs[k.ID] = created.ID
	}
	for _, u := range p.UsagePlans {
		in := store.CreateUsagePlanInput{Name: u.Name, Description: u.Description}
		for _, s := range u.Stages {
			api, stage, _ := strings.Cut(s, "/")
			in.APIStages = append(in.APIStages, store.APIStage{APIID: api, Stage: stage})
		}
		if u.BurstLimit != 0 || u.RateLimit != 0 {
			in.Throttle = &store.ThrottleSettings{BurstLimit: u.BurstLimit, RateLimit: u.RateLimit}
		}
		if u.QuotaLimit != 0 {
			in.Quota = &store.QuotaSettings{Limit: u.QuotaLimit, Offset: u.QuotaOffset, Period: u.QuotaPeriod}
		}
		created, err := st.CreateUsagePlan(in)
		if err != nil {
			errs = append(errs, fmt.Errorf("usage plan %s: %v", u.LogicalID, err))
			continue
		}
		a.planIDs[u.ID] = created.ID
		for _, kid := range u.KeyIDs {
			if sid, ok := a.keyIDs[kid]; ok {
				if _, err := st.CreateUsagePlanKey(created.ID, sid, "API_KEY"); err != nil {
					errs = append(errs, fmt.Errorf("usage plan %s: key %s: %v", u.LogicalID, kid, err))
				}
			}
		}
	}
	return errors.Join(errs...)
}
