package throttle

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/apigw-local/apigw-local/emulator/dataplane"
	"github.com/apigw-local/apigw-local/emulator/store"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func str(s string) *string { return &s }

// env is a store with one API deployed to "dev", two keys in a plan, and a limiter.
type env struct {
	t     *testing.T
	s     *store.Store
	clock *fakeClock
	api   string
	plan  string
	keys  [2]*store.APIKey
}

func newEnv(t *testing.T, plan store.CreateUsagePlanInput) *env {
	t.Helper()
	clock := &fakeClock{t: date(2026, 3, 18, 10)}
	s := store.New(store.Config{Clock: clock, IDs: store.NewSeededIDs(7)})
	api, err := s.CreateRestAPI(store.CreateRestAPIInput{Name: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutMethod(api.ID, api.RootResourceID, "GET", store.PutMethodInput{AuthorizationType: "NONE"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutIntegration(api.ID, api.RootResourceID, "GET", store.PutIntegrationInput{Type: "MOCK"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateDeployment(api.ID, store.CreateDeploymentInput{StageName: "dev"}); err != nil {
		t.Fatal(err)
	}
	plan.Name = "plan"
	plan.APIStages = []store.APIStage{{APIID: api.ID, Stage: "dev", Throttle: plan.APIStages[0].Throttle}}
	p, err := s.CreateUsagePlan(plan)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, s: s, clock: clock, api: api.ID, plan: p.ID}
	for i := range e.keys {
		k, err := s.CreateAPIKey(store.CreateAPIKeyInput{Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateUsagePlanKey(p.ID, k.ID, "API_KEY"); err != nil {
			t.Fatal(err)
		}
		e.keys[i] = k
	}
	return e
}

func (e *env) setStage(ops ...store.PatchOp) {
	e.t.Helper()
	if _, err := e.s.UpdateStage(e.api, "dev", ops); err != nil {
		e.t.Fatal(err)
	}
}

// exchange is a request routed to path/verb with key (-1: none, a method without a key).
func (e *env) exchange(path, verb string, key int) *dataplane.Exchange {
	x := &dataplane.Exchange{
		APIID:    e.api,
		Stage:    e.s.Live().APIs[e.api].Stages["dev"],
		Resource: &dataplane.Resource{Path: path},
		Method:   &dataplane.Method{Method: &store.Method{HTTPMethod: verb, APIKeyRequired: key >= 0}},
	}
	if key >= 0 {
		x.Identity.APIKey, x.Identity.APIKeyID = e.keys[key].Value, e.keys[key].ID
	}
	return x
}

// outcome is "ok", "THROTTLED" or "QUOTA_EXCEEDED".
func outcome(err error) string {
	var ge *dataplane.GatewayError
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &ge):
		return ge.Type
	}
	return err.Error()
}

type call struct {
	path, verb string
	key        int
	want       string
}

func TestLimiterStep(t *testing.T) {
	const T, Q = "THROTTLED", "QUOTA_EXCEEDED"
	tests := []struct {
		name    string
		plan    store.CreateUsagePlanInput
		stage   []store.PatchOp
		account *Limits
		calls   []call
	}{
		{
			name:    "account bucket",
			account: &Limits{Rate: 1, Burst: 2},
			calls:   []call{{"/", "GET", -1, "ok"}, {"/pets", "GET", 0, "ok"}, {"/", "GET", -1, T}},
		},
		{
			name:  "stage default applies to each method separately",
			stage: []store.PatchOp{{Op: "replace", Path: "/*/*/throttling/burstLimit", Value: str("1")}},
			calls: []call{{"/", "GET", -1, "ok"}, {"/", "GET", -1, T}, {"/pets", "GET", -1, "ok"}, {"/pets", "POST", -1, "ok"}, {"/pets", "GET", -1, T}},
		},
		{
			name: "method setting overrides */*",
			stage: []store.PatchOp{
				{Op: "replace", Path: "/*/*/throttling/burstLimit", Value: str("1")},
				{Op: "replace", Path: "/~1pets/GET/throttling/burstLimit", Value: str("3")},
				{Op: "replace", Path: "/~1/GET/throttling/burstLimit", Value: str("2")},
			},
			calls: []call{{"/pets", "GET", -1, "ok"}, {"/pets", "GET", -1, "ok"}, {"/pets", "GET", -1, "ok"}, {"/pets", "GET", -1, T}, {"/", "GET", -1, "ok"}, {"/", "GET", -1, "ok"}, {"/", "GET", -1, T}},
		},
		{
			name:  "plan throttle is per key",
			plan:  store.CreateUsagePlanInput{Throttle: &store.ThrottleSettings{BurstLimit: 1, RateLimit: 1}},
			calls: []call{{"/", "GET", 0, "ok"}, {"/", "GET", 0, T}, {"/", "GET", 1, "ok"}, {"/", "GET", -1, "ok"}},
		},
		{
			name: "plan method throttle replaces the plan's for that method",
			plan: store.CreateUsagePlanInput{
				Throttle:  &store.ThrottleSettings{BurstLimit: 1, RateLimit: 1},
				APIStages: []store.APIStage{{Throttle: map[string]store.ThrottleSettings{"/pets/GET": {BurstLimit: 3, RateLimit: 1}}}},
			},
			calls: []call{{"/pets", "GET", 0, "ok"}, {"/pets", "GET", 0, "ok"}, {"/pets", "GET", 0, "ok"}, {"/pets", "GET", 0, T}, {"/", "GET", 0, "ok"}, {"/", "GET", 0, T}},
		},
		{
			name:  "plan refusal takes no stage token",
			plan:  store.CreateUsagePlanInput{Throttle: &store.ThrottleSettings{BurstLimit: 1, RateLimit: 1}},
			stage: []store.PatchOp{{Op: "replace", Path: "/*/*/throttling/burstLimit", Value: str("2")}},
			calls: []call{{"/", "GET", 0, "ok"}, {"/", "GET", 0, T}, {"/", "GET", 0, T}, {"/", "GET", 1, "ok"}, {"/", "GET", 1, T}},
		},
		{
			name:  "quota after throttles; refusals use no quota",
			plan:  store.CreateUsagePlanInput{Throttle: &store.ThrottleSettings{BurstLimit: 2, RateLimit: 1}, Quota: &store.QuotaSettings{Limit: 3, Period: "DAY"}},
			calls: []call{{"/", "GET", 0, "ok"}, {"/", "GET", 0, "ok"}, {"/", "GET", 0, T}, {"/", "GET", 1, "ok"}},
		},
		{
			name:  "quota exceeded",
			plan:  store.CreateUsagePlanInput{Quota: &store.QuotaSettings{Limit: 2, Period: "MONTH"}},
			calls: []call{{"/", "GET", 0, "ok"}, {"/pets", "POST", 0, "ok"}, {"/", "GET", 0, Q}, {"/", "GET", 1, "ok"}, {"/", "GET", -1, "ok"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.plan.APIStages) == 0 {
				tt.plan.APIStages = []store.APIStage{{}}
			}
			e := newEnv(t, tt.plan)
			if len(tt.stage) > 0 {
				e.setStage(tt.stage...)
			}
			l := New(Config{Store: e.s, Clock: e.clock, Account: tt.account})
			for i, c := range tt.calls {
				if got := outcome(l.Step(e.exchange(c.path, c.verb, c.key))); got != c.want {
					t.Errorf("call %d %s %s key %d: %s, want %s", i, c.verb, c.path, c.key, got, c.want)
				}
			}
		})
	}
}

func TestLimiterRefillsWithTheClock(t *testing.T) {
	e := newEnv(t, store.CreateUsagePlanInput{Throttle: &store.ThrottleSettings{BurstLimit: 10, RateLimit: 100}, APIStages: []store.APIStage{{}}})
	l := New(Config{Store: e.s, Clock: e.clock})
	ok := 0
	// From 0 to 1 s inclusive in 1 ms steps, a 100 rps plan admits its burst plus 100.
	for range 1001 {
		for range 3 {
			if l.Step(e.exchange("/", "GET", 0)) == nil {
				ok++
			}
		}
		e.clock.Add(time.Millisecond)
	}
	if ok != 110 {
		t.Errorf("admitted %d in one second, want 110", ok)
	}
}

func TestLimiterErrors(t *testing.T) {
	for _, tt := range []struct {
		err      *dataplane.GatewayError
		typ, msg string
	}{
		{ErrThrottled(), "THROTTLED", "Too Many Requests"},
		{ErrQuotaExceeded(), "QUOTA_EXCEEDED", "Limit Exceeded"},
	} {
		if tt.err.Type != tt.typ || tt.err.Message != tt.msg || tt.err.Spaced || tt.err.Null {
			t.Errorf("%+v", tt.err)
		}
	}
}

// BenchmarkLimiterStep measures a request through a plan throttle, a plan quota, a stage
// method throttle and the account bucket.
func BenchmarkLimiterStep(b *testing.B) {
	t := &testing.T{}
	e := newEnv(t, store.CreateUsagePlanInput{
		Throttle:  &store.ThrottleSettings{BurstLimit: 1 << 30, RateLimit: 1e9},
		Quota:     &store.QuotaSettings{Limit: 1 << 30, Period: "MONTH"},
		APIStages: []store.APIStage{{}},
	})
	e.setStage(store.PatchOp{Op: "replace", Path: "/*/*/throttling/burstLimit", Value: str("1000000000")})
	l := New(Config{Store: e.s, Clock: e.clock, Account: &Limits{Rate: 1e9, Burst: 1 << 30}})
	x := e.exchange("/", "GET", 0)
	b.ReportAllocs()
	for b.Loop() {
		if err := l.Step(x); err != nil {
			b.Fatal(err)
		}
	}
}

func TestLimiterReset(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var b Buckets[string]
	lim := Limits{Rate: 0, Burst: 1}
	if !b.Take("k", lim, now) || b.Take("k", lim, now) {
		t.Fatal("a burst of 1 admits exactly one request")
	}
	b.Reset()
	if !b.Take("k", lim, now) {
		t.Error("after Reset the bucket is full again")
	}
	var q Quotas
	key := QuotaKey{}
	quota := Quota{Limit: 1, Period: "DAY"}
	if !q.Take(key, quota, now) || q.Take(key, quota, now) {
		t.Fatal("a quota of 1 admits exactly one request")
	}
	q.Reset()
	if !q.Take(key, quota, now) {
		t.Error("after Reset the quota is unused")
	}
}
