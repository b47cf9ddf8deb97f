package apikeys_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/google/go-cmp/cmp"

	"github.com/apigw-local/apigw-local/emulator/emulatortest"
	"github.com/apigw-local/apigw-local/emulator/internal/mockapi"
)

var ctx = context.Background()

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type response struct {
	Status int
	Header http.Header
	Body   string
}

func get(t *testing.T, url string, headers ...string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(k, strings.TrimSpace(v))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, string(b)}
}

func wantForbidden(t *testing.T, r response) {
	t.Helper()
	if r.Status != 403 || r.Body != `{"message":"Forbidden"}` || r.Header.Get("X-Amzn-Errortype") != "ForbiddenException" {
		t.Errorf("got %d %s %v, want 403 Forbidden", r.Status, r.Body, r.Header)
	}
}

// keyed is an emulator with an API whose GET /pets requires a key and GET /open does not,
// deployed to "dev" and "prod", and a plan bound to dev.
type keyed struct {
	emu  *emulatortest.Emulator
	c    *apigateway.Client
	api  *mockapi.API
	plan string
	clk  *clock
}

func newKeyed(t *testing.T, source string, plan *apigateway.CreateUsagePlanInput) *keyed {
	t.Helper()
	clk := &clock{t: time.Date(2026, 3, 18, 10, 0, 0, 0, time.UTC)}
	emu := emulatortest.New(t, emulatortest.WithClock(clk), emulatortest.WithSeed(3))
	c := apigateway.NewFromConfig(emu.AWSConfig())
	api := mockapi.New(t, c, "keyed", source)
	api.Put(mockapi.Method{Path: "/pets", Verb: "GET", APIKeyRequired: true})
	api.Put(mockapi.Method{Path: "/open", Verb: "GET"})
	api.Deploy("dev")
	api.Deploy("prod")
	if plan == nil {
		plan = &apigateway.CreateUsagePlanInput{}
	}
	plan.Name = aws.String("plan")
	plan.ApiStages = []types.ApiStage{{ApiId: &api.ID, Stage: aws.String("dev")}}
	p, err := c.CreateUsagePlan(ctx, plan)
	if err != nil {
		t.Fatal(err)
	}
	return &keyed{emu: emu, c: c, api: api, plan: *p.Id, clk: clk}
}

func (k *keyed) key(t *testing.T, name string, enabled, inPlan bool) *apigateway.CreateApiKeyOutput {
	t.Helper()
	out, err := k.c.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: &name, Enabled: enabled})
	if err != nil {
		t.Fatal(err)
	}
	if inPlan {
		if _, err := k.c.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: &k.plan, KeyId: out.Id, KeyType: aws.String("API_KEY")}); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func echo(t *testing.T, r response) map[string]string {
	t.Helper()
	var m map[string]string
	if r.Status != 200 || json.Unmarshal([]byte(r.Body), &m) != nil {
		t.Fatalf("got %d %s, want 200 and the echo", r.Status, r.Body)
	}
	return m
}

func TestAPIKeyEnforcement(t *testing.T) {
	k := newKeyed(t, "", nil)
	good := k.key(t, "good", true, true)
	disabled := k.key(t, "disabled", false, true)
	loose := k.key(t, "loose", true, false)
	dev := k.emu.InvokeURL(k.api.ID, "dev")
	prod := k.emu.InvokeURL(k.api.ID, "prod")

	tests := []struct {
		name, url string
		headers   []string
	}{
		{"missing", dev + "/pets", nil},
		{"empty", dev + "/pets", []string{"x-api-key:"}},
		{"unknown", dev + "/pets", []string{"x-api-key: " + strings.Repeat("u", 30)}},
		{"disabled", dev + "/pets", []string{"x-api-key: " + *disabled.Value}},
		{"not in a plan", dev + "/pets", []string{"x-api-key: " + *loose.Value}},
		{"plan not bound to the stage", prod + "/pets", []string{"x-api-key: " + *good.Value}},
		{"key id is not a key", dev + "/pets", []string{"x-api-key: " + *good.Id}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantForbidden(t, get(t, tt.url, tt.headers...))
		})
	}

	got := echo(t, get(t, dev+"/pets", "X-API-KEY: "+*good.Value))
	if got["apiKey"] != *good.Value || got["apiKeyId"] != *good.Id {
		t.Errorf("$context.identity.apiKey/apiKeyId: %v", got)
	}
	// A method that requires no key ignores the header and leaves the identity empty.
	got = echo(t, get(t, dev+"/open", "x-api-key: "+*good.Value))
	if got["apiKey"] != "" || got["apiKeyId"] != "" {
		t.Errorf("open method: %v", got)
	}

	// Enabling the key, or adding it to the plan, takes effect at once (no redeploy).
	if _, err := k.c.UpdateApiKey(ctx, &apigateway.UpdateApiKeyInput{ApiKey: disabled.Id, PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/enabled"), Value: aws.String("true")}}}); err != nil {
		t.Fatal(err)
	}
	echo(t, get(t, dev+"/pets", "x-api-key: "+*disabled.Value))
}

func TestAPIKeyManagement(t *testing.T) {
	k := newKeyed(t, "", nil)
	out, err := k.c.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("alpha"), Description: aws.String("d"), Tags: map[string]string{"t": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(aws.ToString(out.Value)) != 40 || out.Enabled || len(out.StageKeys) != 0 || out.CreatedDate == nil || out.Tags["t"] != "1" {
		t.Errorf("create: %+v", out)
	}
	got, err := k.c.GetApiKey(ctx, &apigateway.GetApiKeyInput{ApiKey: out.Id})
	if err != nil || got.Value != nil || *got.Name != "alpha" {
		t.Errorf("get without includeValue: %+v %v", got, err)
	}
	got, err = k.c.GetApiKey(ctx, &apigateway.GetApiKeyInput{ApiKey: out.Id, IncludeValue: aws.Bool(true)})
	if err != nil || aws.ToString(got.Value) != *out.Value {
		t.Errorf("get with includeValue: %+v %v", got, err)
	}
	for _, n := range []string{"alpha2", "beta", "alpha3"} {
		if _, err := k.c.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	var withValues int
	p := apigateway.NewGetApiKeysPaginator(k.c, &apigateway.GetApiKeysInput{NameQuery: aws.String("alpha"), IncludeValues: aws.Bool(true), Limit: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, it := range page.Items {
			names = append(names, *it.Name)
			if it.Value != nil {
				withValues++
			}
		}
	}
	if diff := cmp.Diff([]string{"alpha", "alpha2", "alpha3"}, names); diff != "" || pages != 2 || withValues != 3 {
		t.Errorf("paged list (%d pages, %d values): %s", pages, withValues, diff)
	}
	list, err := k.c.GetApiKeys(ctx, &apigateway.GetApiKeysInput{})
	if err != nil || len(list.Items) != 4 || list.Items[0].Value != nil {
		t.Errorf("list without values: %+v %v", list, err)
	}

	imp, err := k.c.ImportApiKeys(ctx, &apigateway.ImportApiKeysInput{
		Format: types.ApiKeysFormatCsv,
		Body:   []byte("name,key,enabled,usageplanIds\nimported," + strings.Repeat("i", 24) + ",true," + k.plan + "\n"),
	})
	if err != nil || len(imp.Ids) != 1 {
		t.Fatalf("import: %+v %v", imp, err)
	}
	r := get(t, k.emu.InvokeURL(k.api.ID, "dev")+"/pets", "x-api-key: "+strings.Repeat("i", 24))
	if r.Status != 200 {
		t.Errorf("imported key: %d %s", r.Status, r.Body)
	}

	if _, err := k.c.DeleteApiKey(ctx, &apigateway.DeleteApiKeyInput{ApiKey: out.Id}); err != nil {
		t.Fatal(err)
	}
	_, err = k.c.GetApiKey(ctx, &apigateway.GetApiKeyInput{ApiKey: out.Id})
	var nf *types.NotFoundException
	if !errors.As(err, &nf) || aws.ToString(nf.Message) != "Invalid API Key identifier specified" {
		t.Errorf("get deleted key: %v", err)
	}
	_, err = k.c.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Value: aws.String("short")})
	var br *types.BadRequestException
	if !errors.As(err, &br) || aws.ToString(br.Message) != "API Key value should be at least 20 characters" {
		t.Errorf("short value: %v", err)
	}
}

func TestUsagePlanManagement(t *testing.T) {
	k := newKeyed(t, "", &apigateway.CreateUsagePlanInput{
		Throttle: &types.ThrottleSettings{BurstLimit: 5, RateLimit: 2.5},
		Quota:    &types.QuotaSettings{Limit: 100, Period: types.QuotaPeriodTypeWeek},
	})
	plan, err := k.c.GetUsagePlan(ctx, &apigateway.GetUsagePlanInput{UsagePlanId: &k.plan})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Throttle.BurstLimit != 5 || plan.Throttle.RateLimit != 2.5 || plan.Quota.Limit != 100 || plan.Quota.Period != types.QuotaPeriodTypeWeek || len(plan.ApiStages) != 1 {
		t.Errorf("plan: %+v", plan)
	}
	upd, err := k.c.UpdateUsagePlan(ctx, &apigateway.UpdateUsagePlanInput{UsagePlanId: &k.plan, PatchOperations: []types.PatchOperation{
		{Op: types.OpAdd, Path: aws.String("/apiStages"), Value: aws.String(k.api.ID + ":prod")},
		{Op: types.OpReplace, Path: aws.String("/apiStages/" + k.api.ID + ":dev/throttle/~1pets/GET/rateLimit"), Value: aws.String("1")},
		{Op: types.OpReplace, Path: aws.String("/quota/offset"), Value: aws.String("10")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(upd.ApiStages) != 2 || upd.Quota.Offset != 10 {
		t.Errorf("updated: %+v", upd)
	}
	_, err = k.c.UpdateUsagePlan(ctx, &apigateway.UpdateUsagePlanInput{UsagePlanId: &k.plan, PatchOperations: []types.PatchOperation{
		{Op: types.OpAdd, Path: aws.String("/apiStages"), Value: aws.String(k.api.ID + ":qa")},
	}})
	var nf *types.NotFoundException
	if !errors.As(err, &nf) || aws.ToString(nf.Message) != "Invalid API Stage {api: "+k.api.ID+", stage: qa} specified for usageplan "+k.plan {
		t.Errorf("unknown stage: %v", err)
	}

	key := k.key(t, "member", true, true)
	pk, err := k.c.GetUsagePlanKey(ctx, &apigateway.GetUsagePlanKeyInput{UsagePlanId: &k.plan, KeyId: key.Id})
	if err != nil || *pk.Type != "API_KEY" || *pk.Value != *key.Value || *pk.Name != "member" {
		t.Errorf("plan key: %+v %v", pk, err)
	}
	keys, err := k.c.GetUsagePlanKeys(ctx, &apigateway.GetUsagePlanKeysInput{UsagePlanId: &k.plan})
	if err != nil || len(keys.Items) != 1 {
		t.Errorf("plan keys: %+v %v", keys, err)
	}
	plans, err := k.c.GetUsagePlans(ctx, &apigateway.GetUsagePlansInput{KeyId: key.Id})
	if err != nil || len(plans.Items) != 1 || *plans.Items[0].Id != k.plan {
		t.Errorf("plans of key: %+v %v", plans, err)
	}
	if _, err := k.c.DeleteUsagePlanKey(ctx, &apigateway.DeleteUsagePlanKeyInput{UsagePlanId: &k.plan, KeyId: key.Id}); err != nil {
		t.Fatal(err)
	}
	wantForbidden(t, get(t, k.emu.InvokeURL(k.api.ID, "dev")+"/pets", "x-api-key: "+*key.Value))
	if _, err := k.c.DeleteUsagePlan(ctx, &apigateway.DeleteUsagePlanInput{UsagePlanId: &k.plan}); err != nil {
		t.Fatal(err)
	}
	_, err = k.c.GetUsagePlan(ctx, &apigateway.GetUsagePlanInput{UsagePlanId: &k.plan})
	if !errors.As(err, &nf) || aws.ToString(nf.Message) != "Invalid Usage Plan ID specified" {
		t.Errorf("deleted plan: %v", err)
	}
}

func TestThrottleQuotaAndUsage(t *testing.T) {
	k := newKeyed(t, "", &apigateway.CreateUsagePlanInput{
		Throttle: &types.ThrottleSettings{BurstLimit: 3, RateLimit: 1},
		Quota:    &types.QuotaSettings{Limit: 5, Period: types.QuotaPeriodTypeDay},
	})
	key := k.key(t, "member", true, true)
	url := k.emu.InvokeURL(k.api.ID, "dev") + "/pets"
	hdr := "x-api-key: " + *key.Value
	statuses := func(n int) []int {
		var out []int
		for range n {
			out = append(out, get(t, url, hdr).Status)
		}
		return out
	}
	// Burst of 3, then 429 Too Many Requests.
	if got := statuses(4); cmp.Diff([]int{200, 200, 200, 429}, got) != "" {
		t.Errorf("burst: %v", got)
	}
	r := get(t, url, hdr)
	if r.Body != `{"message":"Too Many Requests"}` || r.Header.Get("X-Amzn-Errortype") != "TooManyRequestsException" || r.Header.Get("Retry-After") != "" {
		t.Errorf("throttled: %d %s %v", r.Status, r.Body, r.Header)
	}
	// Two seconds give two tokens: the quota (5) is used up by the second.
	k.clk.Add(2 * time.Second)
	if got := statuses(2); cmp.Diff([]int{200, 200}, got) != "" {
		t.Errorf("after refill: %v", got)
	}
	k.clk.Add(time.Second)
	r = get(t, url, hdr)
	if r.Status != 429 || r.Body != `{"message":"Limit Exceeded"}` || r.Header.Get("X-Amzn-Errortype") != "LimitExceededException" {
		t.Errorf("quota: %d %s %v", r.Status, r.Body, r.Header)
	}

	usage, err := k.c.GetUsage(ctx, &apigateway.GetUsageInput{UsagePlanId: &k.plan, StartDate: aws.String("2026-03-17"), EndDate: aws.String("2026-03-18")})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string][][]int64{*key.Id: {{0, 5}, {5, 0}}}, usage.Items); diff != "" || *usage.StartDate != "2026-03-17" {
		t.Errorf("usage (-want +got):\n%s", diff)
	}
	upd, err := k.c.UpdateUsage(ctx, &apigateway.UpdateUsageInput{UsagePlanId: &k.plan, KeyId: key.Id, PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/remaining"), Value: aws.String("1")},
	}})
	if err != nil || cmp.Diff(map[string][][]int64{*key.Id: {{5, 1}}}, upd.Items) != "" {
		t.Errorf("update usage: %+v %v", upd, err)
	}
	k.clk.Add(time.Second)
	if got := statuses(2); cmp.Diff([]int{200, 429}, got) != "" {
		t.Errorf("after granting 1: %v", got)
	}
	// The next UTC day starts a new period.
	k.clk.Add(14 * time.Hour)
	if got := statuses(1); got[0] != 200 {
		t.Errorf("next day: %v", got)
	}
	_, err = k.c.GetUsage(ctx, &apigateway.GetUsageInput{UsagePlanId: &k.plan, StartDate: aws.String("2026-03-18"), EndDate: aws.String("2026-03-17")})
	var br *types.BadRequestException
	if !errors.As(err, &br) {
		t.Errorf("end before start: %v", err)
	}
}

// TestAuthorizerKeySourceWithoutAuthorizer: with apiKeySource AUTHORIZER the header is
// not read, so a method without an authorizer can never pass the key check.
func TestAuthorizerKeySourceWithoutAuthorizer(t *testing.T) {
	k := newKeyed(t, "AUTHORIZER", nil)
	key := k.key(t, "member", true, true)
	wantForbidden(t, get(t, k.emu.InvokeURL(k.api.ID, "dev")+"/pets", "x-api-key: "+*key.Value))
}
