package store

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/apigw-local/apigw-local/emulator/awserr"
)

// ThrottleSettings are a rate (requests per second) and a burst (bucket size).
type ThrottleSettings struct {
	BurstLimit int     `json:"burstLimit"`
	RateLimit  float64 `json:"rateLimit"`
}

// QuotaSettings cap the requests of one API key per period (DAY, WEEK or MONTH). Offset
// is subtracted from the limit in the plan's first period only.
type QuotaSettings struct {
	Limit  int    `json:"limit"`
	Offset int    `json:"offset"`
	Period string `json:"period"`
}

// APIStage binds a usage plan to a REST API stage. Throttle holds per-method limits keyed
// "/{resourcePath}/{METHOD}" (the root is "//GET").
type APIStage struct {
	APIID    string                      `json:"apiId"`
	Stage    string                      `json:"stage"`
	Throttle map[string]ThrottleSettings `json:"throttle,omitempty"`
}

// UsagePlan is a usage plan, as GetUsagePlan returns it.
type UsagePlan struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	APIStages   []APIStage        `json:"apiStages"`
	Throttle    *ThrottleSettings `json:"throttle,omitempty"`
	Quota       *QuotaSettings    `json:"quota,omitempty"`
	ProductCode string            `json:"productCode,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`

	// serial identifies the plan for the data plane's counters: unique for the store's life,
	// so a plan created after a reset never inherits an old plan's buckets or quota use.
	serial uint64
	// created is when the plan was created: the quota offset applies to that period.
	created time.Time
}

func (p *UsagePlan) clone() *UsagePlan {
	c := *p
	c.APIStages = make([]APIStage, len(p.APIStages))
	for i, st := range p.APIStages {
		st.Throttle = maps.Clone(st.Throttle)
		c.APIStages[i] = st
	}
	if p.Throttle != nil {
		t := *p.Throttle
		c.Throttle = &t
	}
	if p.Quota != nil {
		q := *p.Quota
		c.Quota = &q
	}
	c.Tags = maps.Clone(p.Tags)
	return &c
}

func (p *UsagePlan) hasStage(apiID, stage string) bool {
	return slices.ContainsFunc(p.APIStages, func(st APIStage) bool { return st.APIID == apiID && st.Stage == stage })
}

// CreateUsagePlanInput is the body of CreateUsagePlan.
type CreateUsagePlanInput struct {
	Name        string            `json:"name"`
	Description string            `json:"description"`
	APIStages   []APIStage        `json:"apiStages"`
	Throttle    *ThrottleSettings `json:"throttle"`
	Quota       *QuotaSettings    `json:"quota"`
	Tags        map[string]string `json:"tags"`
}

// UsagePlanKey is an API key's membership of a usage plan.
type UsagePlanKey struct {
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
	Type  string `json:"type"`
	Value string `json:"value,omitempty"`
}

// UsagePlanARN is the ARN AWS gives a usage plan (it carries its tags).
func (s *Store) UsagePlanARN(id string) string {
	return "arn:aws:apigateway:" + s.cfg.Region + "::/usageplans/" + id
}

func errPlanNotFound() error {
	return awserr.New(awserr.NotFound, "Invalid Usage Plan ID specified")
}

func errPlanKeyNotFound() error {
	return awserr.New(awserr.NotFound, "Invalid Usage Plan Key identifier specified")
}

// errPlanStage is AWS's recorded message for an API stage that does not exist.
func errPlanStage(apiID, stage, planID string) error {
	return awserr.New(awserr.NotFound, "Invalid API Stage {api: %s, stage: %s} specified for usageplan %s", apiID, stage, planID)
}

// validatePlanLocked checks a plan's settings and that the API stages it adds exist
// (stages already in old may have been deleted since, which must not block other edits).
func (s *Store) validatePlanLocked(p, old *UsagePlan) error {
	if strings.TrimSpace(p.Name) == "" {
		return awserr.New(awserr.BadRequest, "Invalid usage plan name specified")
	}
	seen := map[string]bool{}
	for _, st := range p.APIStages {
		if st.APIID == "" || st.Stage == "" {
			return awserr.New(awserr.BadRequest, "Invalid API Stage specified")
		}
		a, ok := s.apis[st.APIID]
		if (!ok || a.stages[st.Stage] == nil) && !(old != nil && old.hasStage(st.APIID, st.Stage)) {
			return errPlanStage(st.APIID, st.Stage, p.ID)
		}
		if seen[st.APIID+":"+st.Stage] {
			return awserr.New(awserr.Conflict, "API Stage {api: %s, stage: %s} is already associated with usageplan %s", st.APIID, st.Stage, p.ID)
		}
		seen[st.APIID+":"+st.Stage] = true
		if len(st.Throttle) > 20 {
			return awserr.New(awserr.BadRequest, "At most 20 method throttles may be set per API stage")
		}
		for key, t := range st.Throttle {
			if _, _, ok := splitMethodKey(key); !ok {
				return awserr.New(awserr.BadRequest, "Invalid method throttle key %s: use /{resourcePath}/{httpMethod}", key)
			}
			if err := checkThrottle(&t); err != nil {
				return err
			}
		}
	}
	if err := checkThrottle(p.Throttle); err != nil {
		return err
	}
	if q := p.Quota; q != nil {
		switch q.Period {
		case "DAY", "WEEK", "MONTH":
		default:
			return enumError(q.Period, "quota.period", "DAY, WEEK, MONTH")
		}
		if q.Limit < 0 || q.Offset < 0 {
			return awserr.New(awserr.BadRequest, "Quota limit and offset must not be negative")
		}
		if q.Offset > 0 && q.Offset >= q.Limit {
			return awserr.New(awserr.BadRequest, "Quota offset must be less than the quota limit")
		}
	}
	return nil
}

func checkThrottle(t *ThrottleSettings) error {
	if t != nil && (t.BurstLimit < 0 || t.RateLimit < 0) {
		return awserr.New(awserr.BadRequest, "Throttle rate and burst limits must not be negative")
	}
	return nil
}

// splitMethodKey splits "/{resourcePath}/{METHOD}" (root "//GET").
func splitMethodKey(key string) (path, verb string, ok bool) {
	i := strings.LastIndexByte(key, '/')
	if i <= 0 || !strings.HasPrefix(key, "/") {
		return "", "", false
	}
	path, verb = key[:i], key[i+1:]
	if path == "" || !(verb == "*" || slices.Contains(httpMethods, verb)) {
		return "", "", false
	}
	return path, verb, true
}

// CreateUsagePlan creates a usage plan.
func (s *Store) CreateUsagePlan(in CreateUsagePlanInput) (*UsagePlan, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := (&UsagePlan{
		Name: in.Name, Description: in.Description, APIStages: in.APIStages,
		Throttle: in.Throttle, Quota: in.Quota,
	}).clone()
	if p.APIStages == nil {
		p.APIStages = []APIStage{}
	}
	p.ID = s.newID(6, func(id string) bool { _, ok := s.keys.plans[id]; return ok })
	if err := s.validatePlanLocked(p, nil); err != nil {
		return nil, err
	}
	p.serial = s.seq.Add(1)
	p.created = s.cfg.Clock.Now()
	s.keys.plans[p.ID] = p
	s.keys.planKeys[p.ID] = map[string]bool{}
	if len(in.Tags) > 0 {
		s.tags[s.UsagePlanARN(p.ID)] = maps.Clone(in.Tags)
	}
	s.publishKeysLocked()
	return s.withPlanTagsLocked(p), nil
}

func (s *Store) withPlanTagsLocked(p *UsagePlan) *UsagePlan {
	c := p.clone()
	c.Tags = maps.Clone(s.tags[s.UsagePlanARN(p.ID)])
	if len(c.Tags) == 0 {
		c.Tags = nil
	}
	return c
}

// GetUsagePlan returns one usage plan.
func (s *Store) GetUsagePlan(id string) (*UsagePlan, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.keys.plans[id]
	if !ok {
		return nil, errPlanNotFound()
	}
	return s.withPlanTagsLocked(p), nil
}

// ListUsagePlans returns one page of usage plans ordered by name, then id; keyID keeps
// the plans that key belongs to.
func (s *Store) ListUsagePlans(keyID, position string, limit int) ([]*UsagePlan, string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if keyID != "" {
		if _, ok := s.keys.apiKeys[keyID]; !ok {
			return nil, "", errAPIKeyNotFound()
		}
	}
	all := make([]*UsagePlan, 0, len(s.keys.plans))
	for id, p := range s.keys.plans {
		if keyID == "" || s.keys.planKeys[id][keyID] {
			all = append(all, p)
		}
	}
	key := func(p *UsagePlan) string { return p.Name + "\x00" + p.ID }
	slices.SortFunc(all, func(x, y *UsagePlan) int { return strings.Compare(key(x), key(y)) })
	page, next, err := paginate(all, position, limit, key)
	if err != nil {
		return nil, "", err
	}
	out := make([]*UsagePlan, len(page))
	for i, p := range page {
		out[i] = s.withPlanTagsLocked(p)
	}
	return out, next, nil
}

// planStage finds the API stage "apiId:stage" of a plan being patched.
func planStage(p *UsagePlan, ref string) (*APIStage, error) {
	apiID, stage, _ := strings.Cut(ref, ":")
	for i := range p.APIStages {
		if p.APIStages[i].APIID == apiID && p.APIStages[i].Stage == stage {
			return &p.APIStages[i], nil
		}
	}
	return nil, errPlanStage(apiID, stage, p.ID)
}

func ensureThrottle(t **ThrottleSettings) *ThrottleSettings {
	if *t == nil {
		*t = &ThrottleSettings{}
	}
	return *t
}

func ensureQuota(q **QuotaSettings) *QuotaSettings {
	if *q == nil {
		*q = &QuotaSettings{}
	}
	return *q
}

// usagePlanRules are UpdateUsagePlan's patch paths (AWS API reference, "UpdateUsagePlan").
var usagePlanRules = []patchRule[UsagePlan]{
	strField[UsagePlan]("/name", opsReplace, func(p *UsagePlan) *string { return &p.Name }),
	strField[UsagePlan]("/description", opsReplaceRemove, func(p *UsagePlan) *string { return &p.Description }),
	strField[UsagePlan]("/productCode", opsReplaceRemove, func(p *UsagePlan) *string { return &p.ProductCode }),
	{path: "/throttle", ops: []string{"remove"}, apply: func(p *UsagePlan, _ PatchOp, _ string) error {
		p.Throttle = nil
		return nil
	}},
	{path: "/throttle/burstLimit", ops: opsReplace, apply: func(p *UsagePlan, op PatchOp, _ string) error {
		n, err := parseInt(op)
		ensureThrottle(&p.Throttle).BurstLimit = n
		return err
	}},
	{path: "/throttle/rateLimit", ops: opsReplace, apply: func(p *UsagePlan, op PatchOp, _ string) error {
		f, err := parseFloat(op)
		ensureThrottle(&p.Throttle).RateLimit = f
		return err
	}},
	{path: "/quota", ops: []string{"remove"}, apply: func(p *UsagePlan, _ PatchOp, _ string) error {
		p.Quota = nil
		return nil
	}},
	{path: "/quota/limit", ops: opsReplace, apply: func(p *UsagePlan, op PatchOp, _ string) error {
		n, err := parseInt(op)
		ensureQuota(&p.Quota).Limit = n
		return err
	}},
	{path: "/quota/offset", ops: opsReplace, apply: func(p *UsagePlan, op PatchOp, _ string) error {
		n, err := parseInt(op)
		ensureQuota(&p.Quota).Offset = n
		return err
	}},
	{path: "/quota/period", ops: opsReplace, apply: func(p *UsagePlan, op PatchOp, _ string) error {
		ensureQuota(&p.Quota).Period = op.value()
		return nil
	}},
	{path: "/apiStages", ops: opsAddRemove, apply: func(p *UsagePlan, op PatchOp, _ string) error {
		apiID, stage, ok := strings.Cut(op.value(), ":")
		if !ok || apiID == "" || stage == "" {
			return awserr.New(awserr.BadRequest, "Invalid API Stage specified")
		}
		i := slices.IndexFunc(p.APIStages, func(st APIStage) bool { return st.APIID == apiID && st.Stage == stage })
		switch {
		case op.Op == "add" && i < 0:
			p.APIStages = append(p.APIStages, APIStage{APIID: apiID, Stage: stage})
		case op.Op == "remove" && i < 0:
			return errPlanStage(apiID, stage, p.ID)
		case op.Op == "remove":
			p.APIStages = slices.Delete(p.APIStages, i, i+1)
		}
		return nil
	}},
	{path: "/apiStages/*", ops: opsAll, apply: patchPlanMethodThrottle},
}

// patchPlanMethodThrottle handles /apiStages/{apiId}:{stage}/throttle[/{resourcePath}/{method}[/rateLimit|burstLimit]].
// arg is the path after /apiStages/, ~1 already decoded, so the resource path's own
// slashes are back ("a:s/throttle//pets/GET/rateLimit").
func patchPlanMethodThrottle(p *UsagePlan, op PatchOp, arg string) error {
	ref, rest, _ := strings.Cut(arg, "/")
	st, err := planStage(p, ref)
	if err != nil {
		return err
	}
	rest, ok := strings.CutPrefix(rest, "throttle")
	if !ok || (rest != "" && rest[0] != '/') {
		return awserr.New(awserr.BadRequest, "Invalid patch path %s", op.Path)
	}
	if rest == "" {
		if op.Op != "remove" {
			return awserr.New(awserr.BadRequest, "Invalid patch path  '%s' specified for op '%s'. Please choose supported operations", op.Path, op.Op)
		}
		st.Throttle = nil
		return nil
	}
	rest = rest[1:]
	setting := ""
	if strings.HasSuffix(rest, "/rateLimit") || strings.HasSuffix(rest, "/burstLimit") {
		i := strings.LastIndexByte(rest, '/')
		rest, setting = rest[:i], rest[i+1:]
	}
	// rest is "/{resourcePath}/{METHOD}" ("//GET" for the root); tools that do not
	// ~1-encode send "pets/GET".
	key := rest
	if !strings.HasPrefix(key, "/") {
		key = "/" + key
	}
	if _, _, ok := splitMethodKey(key); !ok {
		return awserr.New(awserr.BadRequest, "Invalid patch path %s", op.Path)
	}
	if setting == "" {
		if op.Op != "remove" {
			return awserr.New(awserr.BadRequest, "Invalid patch path  '%s' specified for op '%s'. Please choose supported operations", op.Path, op.Op)
		}
		delete(st.Throttle, key)
		return nil
	}
	if op.Op == "remove" {
		return awserr.New(awserr.BadRequest, "Invalid patch path  '%s' specified for op '%s'. Please choose supported operations", op.Path, op.Op)
	}
	if st.Throttle == nil {
		st.Throttle = map[string]ThrottleSettings{}
	}
	t := st.Throttle[key]
	if setting == "rateLimit" {
		if t.RateLimit, err = parseFloat(op); err != nil {
			return err
		}
	} else if t.BurstLimit, err = parseInt(op); err != nil {
		return err
	}
	st.Throttle[key] = t
	return nil
}

// UpdateUsagePlan patches a usage plan.
func (s *Store) UpdateUsagePlan(id string, ops []PatchOp) (*UsagePlan, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.keys.plans[id]
	if !ok {
		return nil, errPlanNotFound()
	}
	c := p.clone()
	if err := applyPatch(c, usagePlanRules, ops, "updateUsagePlanInput"); err != nil {
		return nil, err
	}
	if err := s.validatePlanLocked(c, p); err != nil {
		return nil, err
	}
	for keyID := range s.keys.planKeys[id] {
		if err := s.checkStagesFreeLocked(c, keyID); err != nil {
			return nil, err
		}
	}
	s.keys.plans[id] = c
	s.publishKeysLocked()
	s.seq.Add(1)
	return s.withPlanTagsLocked(c), nil
}

// DeleteUsagePlan deletes a usage plan and its key memberships.
func (s *Store) DeleteUsagePlan(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.keys.plans[id]; !ok {
		return errPlanNotFound()
	}
	delete(s.keys.plans, id)
	delete(s.keys.planKeys, id)
	delete(s.tags, s.UsagePlanARN(id))
	s.publishKeysLocked()
	s.seq.Add(1)
	return nil
}

// checkOnePlanPerStageLocked enforces AWS's rule that a key may be in several plans but
// only one plan per API stage, before keyID joins planID.
func (s *Store) checkOnePlanPerStageLocked(planID, keyID string) error {
	return s.checkStagesFreeLocked(s.keys.plans[planID], keyID)
}

// checkStagesFreeLocked fails when another plan of keyID shares an API stage with p.
func (s *Store) checkStagesFreeLocked(p *UsagePlan, keyID string) error {
	for otherID, keys := range s.keys.planKeys {
		if otherID == p.ID || !keys[keyID] {
			continue
		}
		other := s.keys.plans[otherID]
		for _, a := range p.APIStages {
			for _, b := range other.APIStages {
				if a.APIID == b.APIID && a.Stage == b.Stage {
					return awserr.New(awserr.Conflict,
						"Usage Plan %s cannot be added because API Key %s cannot reference multiple Usage Plans with the same API Stage: %s:%s",
						p.ID, keyID, a.APIID, a.Stage)
				}
			}
		}
	}
	return nil
}

// CreateUsagePlanKey adds an API key to a usage plan.
func (s *Store) CreateUsagePlanKey(planID, keyID, keyType string) (*UsagePlanKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.keys.plans[planID]; !ok {
		return nil, errPlanNotFound()
	}
	if keyType != "API_KEY" {
		return nil, awserr.New(awserr.BadRequest, "Invalid key type specified: %s. The only key type is API_KEY", keyType)
	}
	k, ok := s.keys.apiKeys[keyID]
	if !ok {
		return nil, errAPIKeyNotFound()
	}
	if s.keys.planKeys[planID][keyID] {
		return nil, awserr.New(awserr.Conflict, "Usage Plan Key %s already exists in usage plan %s", keyID, planID)
	}
	if err := s.checkOnePlanPerStageLocked(planID, keyID); err != nil {
		return nil, err
	}
	s.keys.planKeys[planID][keyID] = true
	s.publishKeysLocked()
	s.seq.Add(1)
	return planKeyOf(k), nil
}

func planKeyOf(k *APIKey) *UsagePlanKey {
	return &UsagePlanKey{ID: k.ID, Name: k.Name, Type: "API_KEY", Value: k.Value}
}

// GetUsagePlanKey returns one key of a usage plan.
func (s *Store) GetUsagePlanKey(planID, keyID string) (*UsagePlanKey, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.keys.plans[planID]; !ok {
		return nil, errPlanNotFound()
	}
	k, ok := s.keys.apiKeys[keyID]
	if !ok || !s.keys.planKeys[planID][keyID] {
		return nil, errPlanKeyNotFound()
	}
	return planKeyOf(k), nil
}

// ListUsagePlanKeys returns one page of a plan's keys ordered by name, then id; nameQuery
// keeps names starting with it.
func (s *Store) ListUsagePlanKeys(planID, nameQuery, position string, limit int) ([]*UsagePlanKey, string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.keys.plans[planID]; !ok {
		return nil, "", errPlanNotFound()
	}
	var all []*UsagePlanKey
	for keyID := range s.keys.planKeys[planID] {
		if k := s.keys.apiKeys[keyID]; k != nil && strings.HasPrefix(k.Name, nameQuery) {
			all = append(all, planKeyOf(k))
		}
	}
	key := func(k *UsagePlanKey) string { return k.Name + "\x00" + k.ID }
	slices.SortFunc(all, func(x, y *UsagePlanKey) int { return strings.Compare(key(x), key(y)) })
	return paginate(all, position, limit, key)
}

// DeleteUsagePlanKey removes an API key from a usage plan.
func (s *Store) DeleteUsagePlanKey(planID, keyID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.keys.plans[planID]; !ok {
		return errPlanNotFound()
	}
	if !s.keys.planKeys[planID][keyID] {
		return errPlanKeyNotFound()
	}
	delete(s.keys.planKeys[planID], keyID)
	s.publishKeysLocked()
	s.seq.Add(1)
	return nil
}
