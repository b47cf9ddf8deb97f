package e2e

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// keyInPlan creates an enabled API key with the given value in a new usage plan (plan's
// settings, nil for none) bound to api's stage, and returns the key id.
func keyInPlan(t *testing.T, c *apigateway.Client, api, stage, value string, plan *apigateway.CreateUsagePlanInput) string {
	t.Helper()
	k, err := c.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("key"), Value: &value, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if plan == nil {
		plan = &apigateway.CreateUsagePlanInput{}
	}
	in := *plan
	in.Name = aws.String("plan-" + value[:4])
	in.ApiStages = append([]types.ApiStage{{ApiId: &api, Stage: &stage}}, in.ApiStages...)
	if len(in.ApiStages) > 1 {
		in.ApiStages[0].Throttle = in.ApiStages[1].Throttle
		in.ApiStages = in.ApiStages[:1]
	}
	p, err := c.CreateUsagePlan(ctx, &in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: p.Id, KeyId: k.Id, KeyType: aws.String("API_KEY")}); err != nil {
		t.Fatal(err)
	}
	return *k.Id
}

// statuses sends n requests one after another and returns their statuses.
func statuses(t *testing.T, n int, method, url string, headers ...string) []int {
	t.Helper()
	var out []int
	for range n {
		out = append(out, do(t, method, url, nil, headers...).Status)
	}
	return out
}

func repeat(status, n int) []int { return slices.Repeat([]int{status}, n) }

func TestAPIKeysAgainstBinary(t *testing.T) {
	e := start(t)
	c := e.apigw()
	api := accessAPI(t, c, "keys", "")
	api.put(accessMethod{path: "/pets", verb: "GET", keyRequired: true})
	api.deploy("dev", nil)
	api.deploy("prod", nil)
	good := strings.Repeat("g", 30)
	keyID := keyInPlan(t, c, api.ID, "dev", good, nil)
	disabled, err := c.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("off"), Value: aws.String(strings.Repeat("d", 30))})
	if err != nil || disabled.Enabled {
		t.Fatalf("a key is disabled unless enabled is given: %+v %v", disabled, err)
	}
	loose, _ := c.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("loose"), Enabled: true})
	dev := e.invokeURL(api.ID, "dev") + "/pets"
	for _, tt := range []struct {
		name, url string
		headers   []string
	}{
		{"no key", dev, nil},
		{"unknown key", dev, []string{"x-api-key: " + strings.Repeat("u", 30)}},
		{"disabled key", dev, []string{"x-api-key: " + *disabled.Value}},
		{"key in no plan", dev, []string{"x-api-key: " + *loose.Value}},
		{"plan not bound to prod", e.invokeURL(api.ID, "prod") + "/pets", []string{"x-api-key: " + good}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantDenial(t, do(t, "GET", tt.url, nil, tt.headers...), 403, bodyForbidden, "ForbiddenException")
		})
	}
	got := echoOf(t, do(t, "GET", dev, nil, "X-API-Key: "+good))
	if got["apiKey"] != good || got["apiKeyId"] != keyID {
		t.Errorf("$context.identity: %v", got)
	}
	keys, err := c.GetApiKeys(ctx, &apigateway.GetApiKeysInput{NameQuery: aws.String("lo"), IncludeValues: aws.Bool(true)})
	if err != nil || len(keys.Items) != 1 || aws.ToString(keys.Items[0].Value) != *loose.Value {
		t.Errorf("GetApiKeys: %+v %v", keys, err)
	}
}

// TestThrottleLimitsCrossedExactly sends bursts that cross each limit by one request. The
// rates are tiny, so no token comes back during a burst: exactly burst requests pass.
func TestThrottleLimitsCrossedExactly(t *testing.T) {
	const slow = "0.001"
	e := start(t)
	c := e.apigw()

	t.Run("stage method throttle", func(t *testing.T) {
		api := accessAPI(t, c, "stage", "")
		api.put(accessMethod{path: "/pets", verb: "GET"})
		api.put(accessMethod{path: "/pets", verb: "POST"})
		api.put(accessMethod{path: "/toys", verb: "GET"})
		api.deploy("dev", nil)
		if _, err := c.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: &api.ID, StageName: aws.String("dev"), PatchOperations: []types.PatchOperation{
			{Op: types.OpReplace, Path: aws.String("/*/*/throttling/rateLimit"), Value: aws.String(slow)},
			{Op: types.OpReplace, Path: aws.String("/*/*/throttling/burstLimit"), Value: aws.String("2")},
			{Op: types.OpReplace, Path: aws.String("/~1toys/GET/throttling/burstLimit"), Value: aws.String("4")},
		}}); err != nil {
			t.Fatal(err)
		}
		base := e.invokeURL(api.ID, "dev")
		if got, want := statuses(t, 3, "GET", base+"/pets"), append(repeat(200, 2), 429); !slices.Equal(got, want) {
			t.Errorf("*/* burst 2: %v", got)
		}
		// Each method has its own bucket.
		if got, want := statuses(t, 3, "POST", base+"/pets"), append(repeat(200, 2), 429); !slices.Equal(got, want) {
			t.Errorf("POST /pets: %v", got)
		}
		if got, want := statuses(t, 5, "GET", base+"/toys"), append(repeat(200, 4), 429); !slices.Equal(got, want) {
			t.Errorf("toys/GET burst 4: %v", got)
		}
		wantDenial(t, do(t, "GET", base+"/pets", nil), 429, bodyThrottled, "TooManyRequestsException")
	})

	t.Run("usage plan throttles and quota", func(t *testing.T) {
		api := accessAPI(t, c, "plan", "")
		api.put(accessMethod{path: "/pets", verb: "GET", keyRequired: true})
		api.put(accessMethod{path: "/pets", verb: "POST", keyRequired: true})
		api.deploy("dev", nil)
		plan := &apigateway.CreateUsagePlanInput{
			Throttle:  &types.ThrottleSettings{RateLimit: 0.001, BurstLimit: 3},
			Quota:     &types.QuotaSettings{Limit: 5, Period: types.QuotaPeriodTypeDay},
			ApiStages: []types.ApiStage{{Throttle: map[string]types.ThrottleSettings{"/pets/POST": {RateLimit: 0.001, BurstLimit: 1}}}},
		}
		a, b := strings.Repeat("a", 24), strings.Repeat("b", 24)
		keyA := keyInPlan(t, c, api.ID, "dev", a, plan)
		keyInPlan(t, c, api.ID, "dev", b, plan)
		url := e.invokeURL(api.ID, "dev") + "/pets"
		// Per key: key a's burst of 3 does not touch key b's.
		if got, want := statuses(t, 4, "GET", url, "x-api-key: "+a), append(repeat(200, 3), 429); !slices.Equal(got, want) {
			t.Errorf("key a, plan burst 3: %v", got)
		}
		if got, want := statuses(t, 2, "POST", url, "x-api-key: "+b), []int{200, 429}; !slices.Equal(got, want) {
			t.Errorf("key b, POST throttled by the plan's method throttle (burst 1): %v", got)
		}
		if got, want := statuses(t, 4, "GET", url, "x-api-key: "+b), append(repeat(200, 3), 429); !slices.Equal(got, want) {
			t.Errorf("key b, GET: %v", got)
		}
		wantDenial(t, do(t, "GET", url, nil, "x-api-key: "+a), 429, bodyThrottled, "TooManyRequestsException")
		// Key a's quota (5 a day): 3 used; the method throttle of POST gives one more.
		if got := do(t, "POST", url, nil, "x-api-key: "+a).Status; got != 200 {
			t.Errorf("key a POST: %d", got)
		}
		today := time.Now().UTC().Format("2006-01-02")
		usage, err := c.GetUsage(ctx, &apigateway.GetUsageInput{UsagePlanId: planOf(t, c, keyA), KeyId: &keyA, StartDate: &today, EndDate: &today})
		if err != nil || len(usage.Items[keyA]) != 1 || usage.Items[keyA][0][0] != 4 || usage.Items[keyA][0][1] != 1 {
			t.Errorf("GetUsage: %+v %v", usage, err)
		}
		// Grant one more request, then the quota answers 429 Limit Exceeded.
		if _, err := c.UpdateUsage(ctx, &apigateway.UpdateUsageInput{UsagePlanId: planOf(t, c, keyA), KeyId: &keyA, PatchOperations: []types.PatchOperation{
			{Op: types.OpReplace, Path: aws.String("/remaining"), Value: aws.String("0")},
		}}); err != nil {
			t.Fatal(err)
		}
		// Key a's buckets are empty; a fresh plan method bucket is needed to reach the quota:
		// raise POST's burst so the quota is the only limit left.
		if _, err := c.UpdateUsagePlan(ctx, &apigateway.UpdateUsagePlanInput{UsagePlanId: planOf(t, c, keyA), PatchOperations: []types.PatchOperation{
			{Op: types.OpReplace, Path: aws.String("/apiStages/" + api.ID + ":dev/throttle/~1pets/POST/rateLimit"), Value: aws.String("10000")},
		}}); err != nil {
			t.Fatal(err)
		}
		wantDenial(t, do(t, "POST", url, nil, "x-api-key: "+a), 429, bodyQuota, "LimitExceededException")
	})

	t.Run("account throttle", func(t *testing.T) {
		e := start(t, "--account-throttle", slow+":3")
		c := e.apigw()
		api := accessAPI(t, c, "account", "")
		api.put(accessMethod{path: "/a", verb: "GET"})
		api.put(accessMethod{path: "/b", verb: "GET"})
		api.deploy("dev", nil)
		base := e.invokeURL(api.ID, "dev")
		got := append(statuses(t, 2, "GET", base+"/a"), statuses(t, 2, "GET", base+"/b")...)
		if want := append(repeat(200, 3), 429); !slices.Equal(got, want) {
			t.Errorf("account burst 3 across methods: %v", got)
		}
		wantDenial(t, do(t, "GET", base+"/a", nil), 429, bodyThrottled, "TooManyRequestsException")
	})
}

// planOf is the id of the one usage plan a key belongs to.
func planOf(t *testing.T, c *apigateway.Client, keyID string) *string {
	t.Helper()
	plans, err := c.GetUsagePlans(ctx, &apigateway.GetUsagePlansInput{KeyId: &keyID})
	if err != nil || len(plans.Items) != 1 {
		t.Fatalf("plans of %s: %+v %v", keyID, plans, err)
	}
	return plans.Items[0].Id
}

// TestPlanRateUnderLoad: a plan of 100 rps (burst 100) under 20 connections admits its
// burst plus 100 per second and answers the rest 429.
func TestPlanRateUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	e := start(t)
	c := e.apigw()
	api := accessAPI(t, c, "load", "")
	api.put(accessMethod{path: "/limited", verb: "GET", keyRequired: true})
	api.deploy("dev", nil)
	value := strings.Repeat("l", 24)
	keyInPlan(t, c, api.ID, "dev", value, &apigateway.CreateUsagePlanInput{Throttle: &types.ThrottleSettings{RateLimit: 100, BurstLimit: 100}})
	url := e.invokeURL(api.ID, "dev") + "/limited"

	const conns, duration = 20, 3 * time.Second
	var mu sync.Mutex
	var admitted, throttled, other int
	var last time.Time
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}}
	lctx, cancel := context.WithTimeout(ctx, duration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; lctx.Err() == nil && n < 100000; n++ {
				req, _ := http.NewRequestWithContext(lctx, "GET", url, nil)
				req.Header.Set("x-api-key", value)
				resp, err := client.Do(req)
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mu.Lock()
				switch resp.StatusCode {
				case 200:
					admitted++
					last = time.Now()
				case 429:
					throttled++
				default:
					other++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	// A token bucket never admits more than burst + rate × time: that bound is strict. It
	// admits less only when nobody asks while it is full, which a starved machine can cause
	// (a scheduler stall of over a second), so the lower bound is loose.
	want := 100 + 100*last.Sub(start).Seconds()
	if float64(admitted) > 1.05*want+2 || float64(admitted) < 0.8*want || other > 0 || throttled == 0 {
		t.Errorf("admitted %d (want %.0f, at most +5%%), 429: %d, other: %d", admitted, want, throttled, other)
	}
	t.Logf("admitted %d in %s (expected %.0f), %d answered 429", admitted, last.Sub(start).Round(time.Millisecond), want, throttled)
}
