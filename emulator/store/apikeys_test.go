package store

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/apigw-local/apigw-local/emulator/awserr"
)

func TestCreateAPIKey(t *testing.T) {
	s := newTestStore(t)
	k, err := s.CreateAPIKey(CreateAPIKeyInput{Name: "alice", Tags: map[string]string{"team": "a"}})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[a-z0-9]{10}$`).MatchString(k.ID) {
		t.Errorf("id %q: want 10 lowercase alphanumerics", k.ID)
	}
	if !regexp.MustCompile(`^[A-Za-z0-9]{40}$`).MatchString(k.Value) || strings.ToLower(k.Value) == k.Value {
		t.Errorf("generated value %q: want 40 mixed-case alphanumerics", k.Value)
	}
	// AWS-recorded defaults: disabled unless enabled is given, empty stageKeys.
	if k.Enabled || k.StageKeys == nil || len(k.StageKeys) != 0 || k.Tags["team"] != "a" {
		t.Errorf("defaults: %+v", k)
	}
	got, err := s.GetTags(s.APIKeyARN(k.ID))
	if err != nil || got["team"] != "a" {
		t.Errorf("tags by ARN: %v %v", got, err)
	}

	tests := []struct {
		name string
		in   CreateAPIKeyInput
		code awserr.Code
		msg  string
	}{
		{"short value", CreateAPIKeyInput{Value: strings.Repeat("a", 19)}, awserr.BadRequest, "API Key value should be at least 20 characters"},
		{"long value", CreateAPIKeyInput{Value: strings.Repeat("a", 129)}, awserr.BadRequest, "API Key value exceeds maximum size of 128 characters"},
		{"long name", CreateAPIKeyInput{Name: strings.Repeat("n", 1025)}, awserr.BadRequest, "Invalid API Key name, can be at most 1024 characters."},
		{"duplicate value", CreateAPIKeyInput{Value: k.Value}, awserr.Conflict, "API key value already exists"},
		{"unknown api in stage key", CreateAPIKeyInput{StageKeys: []StageKeyInput{{RestAPIID: "nope", StageName: "dev"}}}, awserr.NotFound, "Invalid API identifier specified"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := s.KeyIndex()
			_, err := s.CreateAPIKey(tt.in)
			wantErr(t, err, tt.code, tt.msg)
			if s.KeyIndex() != before {
				t.Error("a failed create republished the index")
			}
		})
	}
	given, err := s.CreateAPIKey(CreateAPIKeyInput{Name: "bob", Value: strings.Repeat("b", 20), Enabled: true})
	if err != nil || given.Value != strings.Repeat("b", 20) || !given.Enabled {
		t.Fatalf("given value: %+v %v", given, err)
	}
	if ik := s.KeyIndex().Key(given.Value); ik == nil || ik.ID != given.ID || !ik.Enabled {
		t.Errorf("index entry: %+v", ik)
	}
}

func TestListAndUpdateAPIKeys(t *testing.T) {
	s := newTestStore(t)
	api := deployable(t, s)
	if _, err := s.CreateDeployment(api.ID, CreateDeploymentInput{StageName: "dev"}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"beta", "alpha2", "Alpha", "alpha1"} {
		if _, err := s.CreateAPIKey(CreateAPIKeyInput{Name: n, CustomerID: "c-" + n[:1]}); err != nil {
			t.Fatal(err)
		}
	}
	names := func(ks []*APIKey) []string {
		var out []string
		for _, k := range ks {
			out = append(out, k.Name)
		}
		return out
	}
	tests := []struct {
		name string
		in   ListAPIKeysInput
		want []string
	}{
		{"all by name", ListAPIKeysInput{}, []string{"Alpha", "alpha1", "alpha2", "beta"}},
		{"prefix is case-sensitive", ListAPIKeysInput{NameQuery: "alpha"}, []string{"alpha1", "alpha2"}},
		{"customer id", ListAPIKeysInput{CustomerID: "c-b"}, []string{"beta"}},
		{"first page", ListAPIKeysInput{Limit: 2}, []string{"Alpha", "alpha1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := s.ListAPIKeys(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, names(got)); diff != "" {
				t.Error(diff)
			}
		})
	}
	_, next, _ := s.ListAPIKeys(ListAPIKeysInput{Limit: 2})
	rest, last, err := s.ListAPIKeys(ListAPIKeysInput{Limit: 2, Position: next})
	if err != nil || last != "" || cmp.Diff([]string{"alpha2", "beta"}, names(rest)) != "" {
		t.Errorf("second page: %v %q %v", names(rest), last, err)
	}

	all, _, _ := s.ListAPIKeys(ListAPIKeysInput{NameQuery: "beta"})
	id := all[0].ID
	k, err := s.UpdateAPIKey(id, []PatchOp{
		{Op: "replace", Path: "/enabled", Value: str("true")},
		{Op: "replace", Path: "/description", Value: str("second")},
		{Op: "add", Path: "/stageKeys", Value: str(api.ID + "/dev")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !k.Enabled || k.Description != "second" || cmp.Diff([]string{api.ID + "/dev"}, k.StageKeys) != "" {
		t.Errorf("updated: %+v", k)
	}
	errTests := []struct {
		name string
		ops  []PatchOp
		code awserr.Code
		msg  string
	}{
		{"value is not patchable", []PatchOp{{Op: "replace", Path: "/value", Value: str(strings.Repeat("x", 30))}}, awserr.BadRequest, "Invalid patch path /value"},
		{"bad boolean", []PatchOp{{Op: "replace", Path: "/enabled", Value: str("yes")}}, awserr.BadRequest, "Invalid boolean value"},
		{"unknown stage", []PatchOp{{Op: "add", Path: "/stageKeys", Value: str(api.ID + "/prod")}}, awserr.NotFound, "Invalid stage identifier specified"},
		{"later op fails", []PatchOp{{Op: "replace", Path: "/name", Value: str("changed")}, {Op: "replace", Path: "/nope", Value: str("x")}}, awserr.BadRequest, "Invalid patch path /nope"},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.UpdateAPIKey(id, tt.ops)
			wantErr(t, err, tt.code, tt.msg)
			if got, _ := s.GetAPIKey(id); got.Name != "beta" {
				t.Errorf("a failed update changed the key: %+v", got)
			}
		})
	}
	if err := s.DeleteAPIKey(id); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetAPIKey(id)
	wantErr(t, err, awserr.NotFound, "Invalid API Key identifier specified")
	if s.KeyIndex().Key(k.Value) != nil {
		t.Error("deleted key still in the index")
	}
}

func TestImportAPIKeys(t *testing.T) {
	s := newTestStore(t)
	plan, err := s.CreateUsagePlan(CreateUsagePlanInput{Name: "basic"})
	if err != nil {
		t.Fatal(err)
	}
	good := "Name,key,description,Enabled,usageplanIds\n" +
		"first," + strings.Repeat("k", 20) + ",A first key,TRUE," + plan.ID + "\n" +
		"second," + strings.Repeat("m", 25) + ",,false,\n"
	res, err := s.ImportAPIKeys([]byte(good), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.IDs) != 2 || len(res.Warnings) != 0 {
		t.Fatalf("import: %+v", res)
	}
	k, _ := s.GetAPIKey(res.IDs[0])
	if k.Name != "first" || !k.Enabled || k.Description != "A first key" {
		t.Errorf("first key: %+v", k)
	}
	if ids := s.KeyIndex().Plan(plan.ID).KeyIDs; cmp.Diff([]string{res.IDs[0]}, ids) != "" {
		t.Errorf("plan keys: %v", ids)
	}

	withBad := "key,name\n" + strings.Repeat("s", 10) + ",short\n" + strings.Repeat("z", 30) + ",ok\n"
	before := s.KeyIndex()
	_, err = s.ImportAPIKeys([]byte(withBad), true)
	wantErr(t, err, awserr.BadRequest, "Line 2: API Key value should be at least 20 characters")
	if s.KeyIndex() != before {
		t.Error("a failed import changed state")
	}
	res, err = s.ImportAPIKeys([]byte(withBad), false)
	if err != nil || len(res.IDs) != 1 || len(res.Warnings) != 1 {
		t.Errorf("import with warnings: %+v %v", res, err)
	}

	for name, body := range map[string]string{
		"no header":      "",
		"unknown column": "key,colour\n",
		"no key column":  "name\nx\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := s.ImportAPIKeys([]byte(body), false)
			wantErr(t, err, awserr.BadRequest, "Invalid API key file")
		})
	}
}
