package store

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/apigw-local/apigw-local/emulator/awserr"
)

// API keys and usage plans are account-level resources: they live beside the REST APIs,
// not inside one. The data plane reads them through the immutable KeyIndex (keyindex.go),
// republished after every change.

// accountKeys is the store's state of API keys, usage plans and their links. Guarded by
// s.mu; index is read without it.
type accountKeys struct {
	apiKeys  map[string]*APIKey         // by id
	byValue  map[string]string          // key value → key id, for uniqueness
	plans    map[string]*UsagePlan      // by id
	planKeys map[string]map[string]bool // plan id → key ids
	index    atomic.Pointer[KeyIndex]   // published view for the data plane
}

func (s *Store) resetKeysLocked() {
	s.keys.apiKeys = map[string]*APIKey{}
	s.keys.plans = map[string]*UsagePlan{}
	s.keys.planKeys = map[string]map[string]bool{}
	s.keys.byValue = map[string]string{}
	s.publishKeysLocked()
}

// APIKey is an API key, as GetApiKey returns it. Value is only sent on create and when
// includeValue(s) asks for it; the management API blanks it otherwise.
type APIKey struct {
	ID              string            `json:"id"`
	Value           string            `json:"value,omitempty"`
	Name            string            `json:"name"`
	CustomerID      string            `json:"customerId,omitempty"`
	Description     string            `json:"description,omitempty"`
	Enabled         bool              `json:"enabled"`
	CreatedDate     Epoch             `json:"createdDate"`
	LastUpdatedDate Epoch             `json:"lastUpdatedDate"`
	StageKeys       []string          `json:"stageKeys"`
	Tags            map[string]string `json:"tags,omitempty"`
}

func (k *APIKey) clone() *APIKey {
	c := *k
	c.StageKeys = slices.Clone(k.StageKeys)
	if c.StageKeys == nil {
		c.StageKeys = []string{}
	}
	c.Tags = maps.Clone(k.Tags)
	return &c
}

// StageKeyInput names an API stage in CreateApiKey's stageKeys.
type StageKeyInput struct {
	RestAPIID string `json:"restApiId"`
	StageName string `json:"stageName"`
}

// CreateAPIKeyInput is the body of CreateApiKey.
type CreateAPIKeyInput struct {
	Name               string            `json:"name"`
	Description        string            `json:"description"`
	Enabled            bool              `json:"enabled"`
	GenerateDistinctID bool              `json:"generateDistinctId"`
	Value              string            `json:"value"`
	StageKeys          []StageKeyInput   `json:"stageKeys"`
	CustomerID         string            `json:"customerId"`
	Tags               map[string]string `json:"tags"`
}

// API key limits (reference/management-api.md, AWS-recorded messages).
const (
	minKeyValue = 20
	maxKeyValue = 128
	maxKeyName  = 1024
	// generatedKeyLength is the length of the values AWS generates.
	generatedKeyLength = 40
)

// APIKeyARN is the ARN AWS gives an API key (it carries its tags).
func (s *Store) APIKeyARN(id string) string {
	return "arn:aws:apigateway:" + s.cfg.Region + "::/apikeys/" + id
}

func errAPIKeyNotFound() error {
	return awserr.New(awserr.NotFound, "Invalid API Key identifier specified")
}

func checkKeyValue(v string) error {
	switch {
	case len(v) < minKeyValue:
		return awserr.New(awserr.BadRequest, "API Key value should be at least 20 characters")
	case len(v) > maxKeyValue:
		return awserr.New(awserr.BadRequest, "API Key value exceeds maximum size of 128 characters")
	}
	return nil
}

func checkKeyName(n string) error {
	if len(n) > maxKeyName {
		return awserr.New(awserr.BadRequest, "Invalid API Key name, can be at most 1024 characters.")
	}
	return nil
}

// generateKeyValue makes a 40-character [A-Za-z0-9] value from the id generator, so seeded
// stores generate the same values on every run.
func (s *Store) generateKeyValue() string {
	raw := s.cfg.IDs.NewID(2 * generatedKeyLength)
	b := []byte(raw[:generatedKeyLength])
	for i, c := range b {
		if c >= 'a' && c <= 'z' && raw[generatedKeyLength+i] < 'i' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// stageKeysLocked checks stage keys ("apiId/stage") against the REST APIs.
func (s *Store) stageKeyLocked(apiID, stage string) (string, error) {
	a, err := s.api(apiID)
	if err != nil {
		return "", err
	}
	if _, ok := a.stages[stage]; !ok {
		return "", errStageNotFound()
	}
	return apiID + "/" + stage, nil
}

// CreateAPIKey creates an API key with the given value or a generated one. A key is
// disabled unless enabled is set, as on AWS.
func (s *Store) CreateAPIKey(in CreateAPIKeyInput) (*APIKey, error) {
	if err := checkKeyName(in.Name); err != nil {
		return nil, err
	}
	if in.Value != "" {
		if err := checkKeyValue(in.Value); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.newAPIKeyLocked(in)
	if err != nil {
		return nil, err
	}
	s.publishKeysLocked()
	s.seq.Add(1)
	return k.clone(), nil
}

// newAPIKeyLocked validates and adds one key; callers publish.
func (s *Store) newAPIKeyLocked(in CreateAPIKeyInput) (*APIKey, error) {
	if in.Value != "" {
		if _, taken := s.keys.byValue[in.Value]; taken {
			return nil, awserr.New(awserr.Conflict, "API key value already exists")
		}
	}
	stageKeys := []string{}
	for _, sk := range in.StageKeys {
		key, err := s.stageKeyLocked(sk.RestAPIID, sk.StageName)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(stageKeys, key) {
			stageKeys = append(stageKeys, key)
		}
	}
	now := s.now()
	k := &APIKey{
		Name: in.Name, Description: in.Description, Enabled: in.Enabled, CustomerID: in.CustomerID,
		Value: in.Value, StageKeys: stageKeys, CreatedDate: now, LastUpdatedDate: now,
	}
	for k.Value == "" {
		if v := s.generateKeyValue(); s.keys.byValue[v] == "" {
			k.Value = v
		}
	}
	k.ID = s.newID(10, func(id string) bool { _, ok := s.keys.apiKeys[id]; return ok })
	s.keys.apiKeys[k.ID] = k
	s.keys.byValue[k.Value] = k.ID
	if len(in.Tags) > 0 {
		s.tags[s.APIKeyARN(k.ID)] = maps.Clone(in.Tags)
	}
	return s.withKeyTagsLocked(k), nil
}

// withKeyTagsLocked returns k with its tags (kept by ARN, so TagResource reaches them).
func (s *Store) withKeyTagsLocked(k *APIKey) *APIKey {
	c := k.clone()
	c.Tags = maps.Clone(s.tags[s.APIKeyARN(k.ID)])
	if len(c.Tags) == 0 {
		c.Tags = nil
	}
	return c
}

// GetAPIKey returns one API key, value included (the caller decides whether to show it).
func (s *Store) GetAPIKey(id string) (*APIKey, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := s.keys.apiKeys[id]
	if !ok {
		return nil, errAPIKeyNotFound()
	}
	return s.withKeyTagsLocked(k), nil
}

// ListAPIKeysInput filters GetApiKeys.
type ListAPIKeysInput struct {
	// NameQuery keeps keys whose name starts with it (case-sensitive, as AWS recorded).
	NameQuery  string
	CustomerID string
	Position   string
	Limit      int
}

// ListAPIKeys returns one page of API keys ordered by name, then id.
func (s *Store) ListAPIKeys(in ListAPIKeysInput) ([]*APIKey, string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	all := make([]*APIKey, 0, len(s.keys.apiKeys))
	for _, k := range s.keys.apiKeys {
		if !strings.HasPrefix(k.Name, in.NameQuery) || (in.CustomerID != "" && k.CustomerID != in.CustomerID) {
			continue
		}
		all = append(all, k)
	}
	key := func(k *APIKey) string { return k.Name + "\x00" + k.ID }
	slices.SortFunc(all, func(x, y *APIKey) int { return strings.Compare(key(x), key(y)) })
	page, next, err := paginate(all, in.Position, in.Limit, key)
	if err != nil {
		return nil, "", err
	}
	out := make([]*APIKey, len(page))
	for i, k := range page {
		out[i] = s.withKeyTagsLocked(k)
	}
	return out, next, nil
}

// apiKeyPatch is what an UpdateApiKey call edits, with the store to check stage keys.
type apiKeyPatch struct {
	k *APIKey
	s *Store
}

var apiKeyRules = []patchRule[apiKeyPatch]{
	strField[apiKeyPatch]("/name", opsReplace, func(p *apiKeyPatch) *string { return &p.k.Name }),
	strField[apiKeyPatch]("/description", opsReplace, func(p *apiKeyPatch) *string { return &p.k.Description }),
	strField[apiKeyPatch]("/customerId", opsReplace, func(p *apiKeyPatch) *string { return &p.k.CustomerID }),
	boolField[apiKeyPatch]("/enabled", func(p *apiKeyPatch) *bool { return &p.k.Enabled }),
	{path: "/stageKeys", ops: opsAddRemove, apply: func(p *apiKeyPatch, op PatchOp, _ string) error {
		apiID, stage, ok := strings.Cut(op.value(), "/")
		if !ok || apiID == "" || stage == "" {
			return awserr.New(awserr.BadRequest, "Invalid stage key value %s: use {restApiId}/{stageName}", op.value())
		}
		if op.Op == "remove" {
			p.k.StageKeys = slices.DeleteFunc(p.k.StageKeys, func(v string) bool { return v == op.value() })
			return nil
		}
		key, err := p.s.stageKeyLocked(apiID, stage)
		if err != nil {
			return err
		}
		if !slices.Contains(p.k.StageKeys, key) {
			p.k.StageKeys = append(p.k.StageKeys, key)
		}
		return nil
	}},
}

// UpdateAPIKey patches an API key (name, description, customerId, enabled, stageKeys).
func (s *Store) UpdateAPIKey(id string, ops []PatchOp) (*APIKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys.apiKeys[id]
	if !ok {
		return nil, errAPIKeyNotFound()
	}
	p := &apiKeyPatch{k: k.clone(), s: s}
	if err := applyPatch(p, apiKeyRules, ops, "updateApiKeyInput"); err != nil {
		return nil, err
	}
	if err := checkKeyName(p.k.Name); err != nil {
		return nil, err
	}
	p.k.LastUpdatedDate = s.now()
	s.keys.apiKeys[id] = p.k
	s.publishKeysLocked()
	s.seq.Add(1)
	return s.withKeyTagsLocked(p.k), nil
}

// DeleteAPIKey deletes an API key and removes it from every usage plan.
func (s *Store) DeleteAPIKey(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys.apiKeys[id]
	if !ok {
		return errAPIKeyNotFound()
	}
	delete(s.keys.apiKeys, id)
	delete(s.keys.byValue, k.Value)
	for _, keys := range s.keys.planKeys {
		delete(keys, id)
	}
	delete(s.tags, s.APIKeyARN(id))
	s.publishKeysLocked()
	s.seq.Add(1)
	return nil
}

// ImportAPIKeysResult is ImportApiKeys' answer.
type ImportAPIKeysResult struct {
	IDs      []string `json:"ids"`
	Warnings []string `json:"warnings"`
}

// ImportAPIKeys creates API keys from a CSV file whose header row names the columns
// (any order, names case-insensitive): key, name, description, enabled, usageplanIds
// (AWS developer guide, "API key file format"). usageplanIds lists plan ids separated by
// semicolons or commas. A row that cannot be imported is a warning; with failOnWarnings
// any warning fails the whole import, which then changes nothing.
func (s *Store) ImportAPIKeys(body []byte, failOnWarnings bool) (*ImportAPIKeysResult, error) {
	rows, err := readKeyCSV(body)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	res := &ImportAPIKeysResult{IDs: []string{}, Warnings: []string{}}
	// Validate everything first so a failing import changes nothing.
	type planned struct {
		in    CreateAPIKeyInput
		plans []string
	}
	var todo []planned
	seen := map[string]bool{}
	for i, row := range rows {
		line := i + 2
		warn := func(format string, args ...any) {
			res.Warnings = append(res.Warnings, fmt.Sprintf("Line %d: "+format, append([]any{line}, args...)...))
		}
		in := CreateAPIKeyInput{Name: row["name"], Description: row["description"], Value: row["key"]}
		if v := row["enabled"]; v != "" {
			switch strings.ToLower(v) {
			case "true":
				in.Enabled = true
			case "false":
			default:
				warn("invalid enabled value %q", v)
				continue
			}
		}
		if err := checkKeyValue(in.Value); err != nil {
			warn("%s", err.(*awserr.Error).Message)
			continue
		}
		if err := checkKeyName(in.Name); err != nil {
			warn("%s", err.(*awserr.Error).Message)
			continue
		}
		if s.keys.byValue[in.Value] != "" || seen[in.Value] {
			warn("API key value already exists")
			continue
		}
		var plans []string
		bad := ""
		for _, id := range strings.FieldsFunc(row["usageplanids"], func(r rune) bool { return r == ';' || r == ',' || r == ' ' }) {
			if _, ok := s.keys.plans[id]; !ok {
				bad = id
				break
			}
			plans = append(plans, id)
		}
		if bad != "" {
			warn("Invalid Usage Plan ID specified: %s", bad)
			continue
		}
		seen[in.Value] = true
		todo = append(todo, planned{in: in, plans: plans})
	}
	if failOnWarnings && len(res.Warnings) > 0 {
		return nil, awserr.New(awserr.BadRequest, "%s", strings.Join(res.Warnings, "; "))
	}
	for _, p := range todo {
		k, err := s.newAPIKeyLocked(p.in)
		if err != nil {
			// Checked above; a failure here is a bug, not user input.
			return nil, err
		}
		for _, planID := range p.plans {
			if err := s.checkOnePlanPerStageLocked(planID, k.ID); err != nil {
				res.Warnings = append(res.Warnings, err.(*awserr.Error).Message)
				continue
			}
			s.keys.planKeys[planID][k.ID] = true
		}
		res.IDs = append(res.IDs, k.ID)
	}
	s.publishKeysLocked()
	s.seq.Add(1)
	return res, nil
}

// readKeyCSV parses the import file into rows keyed by lower-cased column name.
func readKeyCSV(body []byte) ([]map[string]string, error) {
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(body), "\ufeff")))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err != nil {
		return nil, awserr.New(awserr.BadRequest, "Invalid API key file: the first line must be a header naming the columns key, name, description, enabled, usageplanIds")
	}
	cols := make([]string, len(header))
	hasKey := false
	for i, h := range header {
		cols[i] = strings.ToLower(strings.TrimSpace(h))
		switch cols[i] {
		case "key":
			hasKey = true
		case "name", "description", "enabled", "usageplanids":
		default:
			return nil, awserr.New(awserr.BadRequest, "Invalid API key file: unknown column %q (use key, name, description, enabled, usageplanIds)", h)
		}
	}
	if !hasKey {
		return nil, awserr.New(awserr.BadRequest, "Invalid API key file: the header has no key column")
	}
	var rows []map[string]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, awserr.New(awserr.BadRequest, "Invalid API key file: %v", err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		row := map[string]string{}
		for i, v := range rec {
			if i < len(cols) {
				row[cols[i]] = strings.TrimSpace(v)
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}
