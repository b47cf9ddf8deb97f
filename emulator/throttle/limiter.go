package throttle

import (
	"github.com/apigw-local/apigw-local/emulator/dataplane"
	"github.com/apigw-local/apigw-local/emulator/store"
)

// DefaultAccount is an account's default limit per region: 10,000 requests per second
// with a burst of 5,000 (AWS developer guide, "Account-level throttling per Region").
func DefaultAccount() Limits { return Limits{Rate: 10000, Burst: 5000} }

// Config configures a Limiter.
type Config struct {
	// Store holds the usage plans (read through its published KeyIndex).
	Store *store.Store
	// Clock is the time every decision uses.
	Clock store.Clock
	// Account is the account-level limit; nil uses DefaultAccount.
	Account *Limits
}

// Limiter applies throttles and quotas to execute-api requests.
type Limiter struct {
	store   *store.Store
	clock   store.Clock
	account Limits

	accountBucket *bucket
	stage         Buckets[stageKey]
	plan          Buckets[planKey]
	quotas        Quotas
}

// stageKey is one method's bucket in one stage.
type stageKey struct{ api, stage, path, verb string }

// planKey is one API key's bucket in one plan; path and verb are set for a method the
// plan throttles on its own.
type planKey struct {
	plan            uint64
	key, path, verb string
}

// New returns a Limiter whose buckets start full at the clock's current time.
func New(cfg Config) *Limiter {
	if cfg.Clock == nil {
		cfg.Clock = store.SystemClock{}
	}
	l := &Limiter{store: cfg.Store, clock: cfg.Clock, account: DefaultAccount()}
	if cfg.Account != nil {
		l.account = *cfg.Account
	}
	l.accountBucket = newBucket(l.account, cfg.Clock.Now())
	return l
}

// Reset refills every bucket and forgets every quota count, as if the emulator had just
// started (POST /_apigw-local/reset).
func (l *Limiter) Reset() {
	l.accountBucket.fill(l.clock.Now())
	l.stage.Reset()
	l.plan.Reset()
	l.quotas.Reset()
}

// Quotas are the limiter's quota counters, for GetUsage and UpdateUsage.
func (l *Limiter) Quotas() *Quotas { return &l.quotas }

// QuotaOf converts a plan's quota settings.
func QuotaOf(p *store.IndexedPlan) *Quota {
	if p == nil || p.Quota == nil {
		return nil
	}
	return &Quota{Limit: p.Quota.Limit, Offset: p.Quota.Offset, Period: p.Quota.Period, Start: p.Created}
}

func limitsOf(t store.ThrottleSettings) Limits { return Limits{Rate: t.RateLimit, Burst: t.BurstLimit} }

// Step is the data plane's throttle step. It runs after the API key step, which sets
// $context.identity.apiKeyId for a method that requires a key, and checks, in AWS's order
// (developer guide, "How throttling limit settings are applied"): the key's usage-plan
// throttle (the plan's per-method throttle when it has one for this method, else the
// plan's), the stage's method throttle ("path/VERB" in methodSettings, else "*/*"), the
// account's; then the key's quota. Over a throttle is 429 Too Many Requests, over the
// quota 429 Limit Exceeded.
func (l *Limiter) Step(x *dataplane.Exchange) error {
	now := l.clock.Now()
	ref := store.StageRef{APIID: x.APIID, Stage: x.Stage.Name}
	m := store.MethodRef{Path: x.Resource.Path, Verb: x.Method.HTTPMethod}
	var plan *store.IndexedPlan
	if id := x.Identity.APIKeyID; id != "" {
		if k := l.store.KeyIndex().Key(x.Identity.APIKey); k != nil && k.ID == id {
			plan = k.Plan(ref)
		}
	}
	if plan != nil {
		if t, ok := plan.MethodThrottle(ref, m); ok {
			if !l.plan.Take(planKey{plan.Serial, x.Identity.APIKeyID, m.Path, m.Verb}, limitsOf(t), now) {
				return ErrThrottled()
			}
		} else if plan.Throttle != nil {
			if !l.plan.Take(planKey{plan: plan.Serial, key: x.Identity.APIKeyID}, limitsOf(*plan.Throttle), now) {
				return ErrThrottled()
			}
		}
	}
	if lim, ok := stageLimits(x.Stage.MethodSettings, m); ok {
		if !l.stage.Take(stageKey{x.APIID, x.Stage.Name, m.Path, m.Verb}, lim, now) {
			return ErrThrottled()
		}
	}
	if !l.account.Unlimited() && !l.accountBucket.take(l.account, now) {
		return ErrThrottled()
	}
	if q := QuotaOf(plan); q != nil {
		if !l.quotas.Take(QuotaKey{Plan: plan.Serial, Key: x.Identity.APIKeyID}, *q, now) {
			return ErrQuotaExceeded()
		}
	}
	return nil
}

// stageLimits finds a method's throttle in a stage's method settings: its own entry
// ("pets/{id}/GET", the root "/GET"), else "*/*". Per-stage limits apply to each method
// separately (developer guide: "applied at the API method level for a stage").
func stageLimits(settings map[string]store.MethodSetting, m store.MethodRef) (Limits, bool) {
	if len(settings) == 0 {
		return Limits{}, false
	}
	var buf [256]byte
	key := append(buf[:0], m.Path[1:]...)
	key = append(key, '/')
	key = append(key, m.Verb...)
	ms, ok := settings[string(key)]
	if !ok {
		if ms, ok = settings["*/*"]; !ok {
			return Limits{}, false
		}
	}
	return Limits{Rate: ms.ThrottlingRateLimit, Burst: ms.ThrottlingBurstLimit}, true
}

// ErrThrottled is THROTTLED: 429 {"message":"Too Many Requests"}, no Retry-After.
func ErrThrottled() *dataplane.GatewayError {
	return &dataplane.GatewayError{Type: "THROTTLED", Message: "Too Many Requests"}
}

// ErrQuotaExceeded is QUOTA_EXCEEDED: 429 {"message":"Limit Exceeded"}.
func ErrQuotaExceeded() *dataplane.GatewayError {
	return &dataplane.GatewayError{Type: "QUOTA_EXCEEDED", Message: "Limit Exceeded"}
}
