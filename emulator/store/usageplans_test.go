package store

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/apigw-local/apigw-local/emulator/awserr"
)

// planFixture is an API deployed to "dev" and "prod" and two enabled keys.
type planFixture struct {
	s          *Store
	api        *RestAPI
	key1, key2 *APIKey
}

func newPlanFixture(t *testing.T) planFixture {
	t.Helper()
	s := newTestStore(t)
	api := deployable(t, s)
	for _, st := range []string{"dev", "prod"} {
		if _, err := s.CreateDeployment(api.ID, CreateDeploymentInput{StageName: st}); err != nil {
			t.Fatal(err)
		}
	}
	k1, err := s.CreateAPIKey(CreateAPIKeyInput{Name: "k1", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	k2, err := s.CreateAPIKey(CreateAPIKeyInput{Name: "k2", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	return planFixture{s: s, api: api, key1: k1, key2: k2}
}

func TestCreateUsagePlanValidation(t *testing.T) {
	f := newPlanFixture(t)
	ok := CreateUsagePlanInput{
		Name:      "gold",
		APIStages: []APIStage{{APIID: f.api.ID, Stage: "dev", Throttle: map[string]ThrottleSettings{"//GET": {BurstLimit: 2, RateLimit: 1}}}},
		Throttle:  &ThrottleSettings{BurstLimit: 20, RateLimit: 10},
		Quota:     &QuotaSettings{Limit: 100, Offset: 10, Period: "DAY"},
	}
	p, err := f.s.CreateUsagePlan(ok)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.ID) != 6 || p.Throttle.BurstLimit != 20 || p.Quota.Period != "DAY" || p.APIStages[0].Throttle["//GET"].RateLimit != 1 {
		t.Errorf("created: %+v", p)
	}
	ip := f.s.KeyIndex().Plan(p.ID)
	ref := StageRef{f.api.ID, "dev"}
	if ip == nil || !ip.HasStage(ref) || ip.HasStage(StageRef{f.api.ID, "prod"}) || ip.Quota.Limit != 100 || ip.Created != testTime {
		t.Errorf("index plan: %+v", ip)
	}
	if mt, ok := ip.MethodThrottle(ref, MethodRef{"/", "GET"}); !ok || mt.BurstLimit != 2 {
		t.Errorf("method throttle: %+v %v", mt, ok)
	}

	tests := []struct {
		name string
		in   CreateUsagePlanInput
		code awserr.Code
		msg  string
	}{
		{"no name", CreateUsagePlanInput{}, awserr.BadRequest, "Invalid usage plan name specified"},
		{"empty stage", CreateUsagePlanInput{Name: "x", APIStages: []APIStage{{APIID: f.api.ID}}}, awserr.BadRequest, "Invalid API Stage specified"},
		{"unknown stage", CreateUsagePlanInput{Name: "x", APIStages: []APIStage{{APIID: f.api.ID, Stage: "qa"}}}, awserr.NotFound, "Invalid API Stage {api: " + f.api.ID + ", stage: qa} specified for usageplan "},
		{"bad period", CreateUsagePlanInput{Name: "x", Quota: &QuotaSettings{Limit: 1, Period: "YEAR"}}, awserr.Validation, "1 validation error detected: Value 'YEAR' at 'quota.period'"},
		{"offset over limit", CreateUsagePlanInput{Name: "x", Quota: &QuotaSettings{Limit: 5, Offset: 5, Period: "DAY"}}, awserr.BadRequest, "Quota offset must be less than the quota limit"},
		{"negative rate", CreateUsagePlanInput{Name: "x", Throttle: &ThrottleSettings{RateLimit: -1}}, awserr.BadRequest, "Throttle rate and burst limits must not be negative"},
		{"bad method key", CreateUsagePlanInput{Name: "x", APIStages: []APIStage{{APIID: f.api.ID, Stage: "dev", Throttle: map[string]ThrottleSettings{"pets": {}}}}}, awserr.BadRequest, "Invalid method throttle key pets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.s.CreateUsagePlan(tt.in)
			wantErr(t, err, tt.code, tt.msg)
		})
	}
}

func TestUpdateUsagePlan(t *testing.T) {
	f := newPlanFixture(t)
	p, err := f.s.CreateUsagePlan(CreateUsagePlanInput{Name: "silver"})
	if err != nil {
		t.Fatal(err)
	}
	ref := f.api.ID + ":dev"
	got, err := f.s.UpdateUsagePlan(p.ID, []PatchOp{
		{Op: "add", Path: "/apiStages", Value: str(ref)},
		{Op: "replace", Path: "/throttle/rateLimit", Value: str("10.5")},
		{Op: "replace", Path: "/throttle/burstLimit", Value: str("20")},
		{Op: "replace", Path: "/quota/limit", Value: str("500")},
		{Op: "replace", Path: "/quota/period", Value: str("MONTH")},
		{Op: "replace", Path: "/apiStages/" + ref + "/throttle/~1pets~1{id}/GET/rateLimit", Value: str("3")},
		{Op: "replace", Path: "/apiStages/" + ref + "/throttle/~1/GET/burstLimit", Value: str("4")},
		{Op: "replace", Path: "/apiStages/" + ref + "/throttle/orders/POST/burstLimit", Value: str("5")},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := &UsagePlan{
		ID: p.ID, Name: "silver",
		APIStages: []APIStage{{APIID: f.api.ID, Stage: "dev", Throttle: map[string]ThrottleSettings{
			"/pets/{id}/GET": {RateLimit: 3}, "//GET": {BurstLimit: 4}, "/orders/POST": {BurstLimit: 5},
		}}},
		Throttle: &ThrottleSettings{BurstLimit: 20, RateLimit: 10.5},
		Quota:    &QuotaSettings{Limit: 500, Period: "MONTH"},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(UsagePlan{}), cmpIgnorePlanInternals); diff != "" {
		t.Errorf("updated plan (-want +got):\n%s", diff)
	}
	got, err = f.s.UpdateUsagePlan(p.ID, []PatchOp{
		{Op: "remove", Path: "/apiStages/" + ref + "/throttle/~1orders/POST"},
		{Op: "remove", Path: "/quota"},
	})
	if err != nil || got.Quota != nil || len(got.APIStages[0].Throttle) != 2 {
		t.Errorf("removals: %+v %v", got, err)
	}

	errTests := []struct {
		name string
		ops  []PatchOp
		code awserr.Code
		msg  string
	}{
		{"stage not in plan", []PatchOp{{Op: "replace", Path: "/apiStages/" + f.api.ID + ":prod/throttle/~1/GET/rateLimit", Value: str("1")}}, awserr.NotFound, "Invalid API Stage {api: " + f.api.ID + ", stage: prod} specified for usageplan " + p.ID},
		{"unknown stage added", []PatchOp{{Op: "add", Path: "/apiStages", Value: str(f.api.ID + ":qa")}}, awserr.NotFound, "Invalid API Stage {api: " + f.api.ID + ", stage: qa}"},
		{"empty stage added", []PatchOp{{Op: "add", Path: "/apiStages", Value: str(f.api.ID + ":")}}, awserr.BadRequest, "Invalid API Stage specified"},
		{"bad period", []PatchOp{{Op: "replace", Path: "/quota/period", Value: str("HOUR")}}, awserr.Validation, "1 validation error detected"},
		{"bad op", []PatchOp{{Op: "replace", Path: "/apiStages", Value: str(ref)}}, awserr.BadRequest, "Invalid patch path  '/apiStages' specified for op 'replace'"},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.s.KeyIndex()
			_, err := f.s.UpdateUsagePlan(p.ID, tt.ops)
			wantErr(t, err, tt.code, tt.msg)
			if f.s.KeyIndex() != before {
				t.Error("a failed update republished the index")
			}
		})
	}
	_, err = f.s.UpdateUsagePlan("nope", nil)
	wantErr(t, err, awserr.NotFound, "Invalid Usage Plan ID specified")

	// A stage deleted after it joined the plan does not block other edits.
	if err := f.s.DeleteStage(f.api.ID, "dev"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.UpdateUsagePlan(p.ID, []PatchOp{{Op: "replace", Path: "/name", Value: str("renamed")}}); err != nil {
		t.Errorf("update after the plan's stage was deleted: %v", err)
	}
}

var cmpIgnorePlanInternals = cmp.FilterPath(func(p cmp.Path) bool {
	s := p.Last().String()
	return s == ".serial" || s == ".created"
}, cmp.Ignore())

func TestUsagePlanKeys(t *testing.T) {
	f := newPlanFixture(t)
	dev := []APIStage{{APIID: f.api.ID, Stage: "dev"}}
	gold, _ := f.s.CreateUsagePlan(CreateUsagePlanInput{Name: "gold", APIStages: dev})
	silver, _ := f.s.CreateUsagePlan(CreateUsagePlanInput{Name: "silver", APIStages: dev})
	prod, _ := f.s.CreateUsagePlan(CreateUsagePlanInput{Name: "prod", APIStages: []APIStage{{APIID: f.api.ID, Stage: "prod"}}})

	pk, err := f.s.CreateUsagePlanKey(gold.ID, f.key1.ID, "API_KEY")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&UsagePlanKey{ID: f.key1.ID, Name: "k1", Type: "API_KEY", Value: f.key1.Value}, pk); diff != "" {
		t.Error(diff)
	}
	if _, err := f.s.CreateUsagePlanKey(prod.ID, f.key1.ID, "API_KEY"); err != nil {
		t.Errorf("a key may be in plans of different stages: %v", err)
	}
	ik := f.s.KeyIndex().Key(f.key1.Value)
	if p := ik.Plan(StageRef{f.api.ID, "dev"}); p == nil || p.ID != gold.ID {
		t.Errorf("dev plan of key1: %+v", p)
	}
	if p := ik.Plan(StageRef{f.api.ID, "prod"}); p == nil || p.ID != prod.ID {
		t.Errorf("prod plan of key1: %+v", p)
	}

	tests := []struct {
		name           string
		plan, key, typ string
		code           awserr.Code
		msg            string
	}{
		{"same stage twice", silver.ID, f.key1.ID, "API_KEY", awserr.Conflict, "Usage Plan " + silver.ID + " cannot be added because API Key " + f.key1.ID + " cannot reference multiple Usage Plans with the same API Stage: " + f.api.ID + ":dev"},
		{"already in plan", gold.ID, f.key1.ID, "API_KEY", awserr.Conflict, "Usage Plan Key"},
		{"unknown plan", "nope", f.key1.ID, "API_KEY", awserr.NotFound, "Invalid Usage Plan ID specified"},
		{"unknown key", gold.ID, "nope", "API_KEY", awserr.NotFound, "Invalid API Key identifier specified"},
		{"bad type", gold.ID, f.key2.ID, "KEY", awserr.BadRequest, "Invalid key type specified"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.s.CreateUsagePlanKey(tt.plan, tt.key, tt.typ)
			wantErr(t, err, tt.code, tt.msg)
		})
	}

	// Adding a stage that one of the plan's keys already reaches through another plan fails.
	_, err = f.s.UpdateUsagePlan(gold.ID, []PatchOp{{Op: "add", Path: "/apiStages", Value: str(f.api.ID + ":prod")}})
	wantErr(t, err, awserr.Conflict, "Usage Plan "+gold.ID+" cannot be added because API Key "+f.key1.ID)

	if _, err := f.s.CreateUsagePlanKey(gold.ID, f.key2.ID, "API_KEY"); err != nil {
		t.Fatal(err)
	}
	keys, _, err := f.s.ListUsagePlanKeys(gold.ID, "", "", 0)
	if err != nil || len(keys) != 2 || keys[0].Name != "k1" {
		t.Errorf("plan keys: %+v %v", keys, err)
	}
	keys, _, _ = f.s.ListUsagePlanKeys(gold.ID, "k2", "", 0)
	if len(keys) != 1 || keys[0].ID != f.key2.ID {
		t.Errorf("name query: %+v", keys)
	}
	plans, _, err := f.s.ListUsagePlans(f.key1.ID, "", 0)
	if err != nil || len(plans) != 2 || plans[0].Name != "gold" || plans[1].Name != "prod" {
		t.Errorf("plans of key1: %+v %v", plans, err)
	}

	if err := f.s.DeleteUsagePlanKey(gold.ID, f.key1.ID); err != nil {
		t.Fatal(err)
	}
	if p := f.s.KeyIndex().Key(f.key1.Value).Plan(StageRef{f.api.ID, "dev"}); p != nil {
		t.Errorf("key1 still bound to dev through %s", p.ID)
	}
	wantErr(t, f.s.DeleteUsagePlanKey(gold.ID, f.key1.ID), awserr.NotFound, "Invalid Usage Plan Key identifier specified")
	_, err = f.s.GetUsagePlanKey(gold.ID, f.key1.ID)
	wantErr(t, err, awserr.NotFound, "Invalid Usage Plan Key identifier specified")

	// Deleting a key removes it from its plans; deleting a plan unbinds its keys.
	if err := f.s.DeleteAPIKey(f.key2.ID); err != nil {
		t.Fatal(err)
	}
	if ids := f.s.KeyIndex().Plan(gold.ID).KeyIDs; len(ids) != 0 {
		t.Errorf("gold keys after key delete: %v", ids)
	}
	if err := f.s.DeleteUsagePlan(prod.ID); err != nil {
		t.Fatal(err)
	}
	if p := f.s.KeyIndex().Key(f.key1.Value).Plan(StageRef{f.api.ID, "prod"}); p != nil {
		t.Error("key1 still bound to prod after its plan was deleted")
	}
}

func TestResetClearsKeysAndPlans(t *testing.T) {
	f := newPlanFixture(t)
	p, _ := f.s.CreateUsagePlan(CreateUsagePlanInput{Name: "p"})
	serial := f.s.KeyIndex().Plan(p.ID).Serial
	f.s.Reset()
	if f.s.KeyIndex().Key(f.key1.Value) != nil || f.s.KeyIndex().Plan(p.ID) != nil {
		t.Fatal("reset kept keys or plans")
	}
	p2, _ := f.s.CreateUsagePlan(CreateUsagePlanInput{Name: "p"})
	if got := f.s.KeyIndex().Plan(p2.ID).Serial; got <= serial {
		t.Errorf("serial after reset %d, want more than %d", got, serial)
	}
}
