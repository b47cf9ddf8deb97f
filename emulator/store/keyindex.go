package store

import (
	"maps"
	"slices"
	"time"
)

// KeyIndex is the data plane's view of API keys and usage plans: built under s.mu after
// every change to keys, plans or their links, published through an atomic pointer and
// never modified afterwards, so a request reads it without a lock.
type KeyIndex struct {
	keys  map[string]*IndexedKey  // by value
	plans map[string]*IndexedPlan // by id
}

// StageRef names a REST API stage.
type StageRef struct{ APIID, Stage string }

// IndexedKey is an API key as the data plane checks it.
type IndexedKey struct {
	ID, Value string
	Enabled   bool
	// plans maps each API stage to the one plan that binds this key to it.
	plans map[StageRef]*IndexedPlan
}

// IndexedPlan is a usage plan as the data plane enforces it.
type IndexedPlan struct {
	ID string
	// Serial identifies the plan for per-key counters; it is unique for the store's life.
	Serial uint64
	// Created is when the plan was created: its quota offset applies to that period.
	Created  time.Time
	Throttle *ThrottleSettings
	Quota    *QuotaSettings
	// KeyIDs are the plan's API keys, sorted.
	KeyIDs  []string
	methods map[StageRef]map[MethodRef]ThrottleSettings
	stages  map[StageRef]bool
}

// MethodRef names a method by its resource path ("/" for the root) and verb.
type MethodRef struct{ Path, Verb string }

// KeyIndex returns the current index. It takes no lock.
func (s *Store) KeyIndex() *KeyIndex { return s.keys.index.Load() }

// Key finds an API key by its value.
func (ix *KeyIndex) Key(value string) *IndexedKey { return ix.keys[value] }

// Plan finds a usage plan by id.
func (ix *KeyIndex) Plan(id string) *IndexedPlan { return ix.plans[id] }

// Plan is the usage plan that admits the key to an API stage, or nil.
func (k *IndexedKey) Plan(ref StageRef) *IndexedPlan { return k.plans[ref] }

// HasStage reports whether the plan lists the API stage.
func (p *IndexedPlan) HasStage(ref StageRef) bool { return p.stages[ref] }

// MethodThrottle returns the plan's own throttle for one method of an API stage (the
// plan's "/{resourcePath}/{METHOD}" entries).
func (p *IndexedPlan) MethodThrottle(ref StageRef, m MethodRef) (ThrottleSettings, bool) {
	t, ok := p.methods[ref][m]
	return t, ok
}

// HasMethodThrottles reports whether any method of the API stage has its own throttle.
func (p *IndexedPlan) HasMethodThrottles(ref StageRef) bool { return len(p.methods[ref]) > 0 }

// publishKeysLocked rebuilds and publishes the index. Callers hold s.mu for writing.
func (s *Store) publishKeysLocked() {
	ix := &KeyIndex{keys: make(map[string]*IndexedKey, len(s.keys.apiKeys)), plans: make(map[string]*IndexedPlan, len(s.keys.plans))}
	for id, p := range s.keys.plans {
		ip := &IndexedPlan{
			ID: id, Serial: p.serial, Created: p.created,
			KeyIDs:  slices.Sorted(maps.Keys(s.keys.planKeys[id])),
			methods: map[StageRef]map[MethodRef]ThrottleSettings{},
			stages:  map[StageRef]bool{},
		}
		if p.Throttle != nil {
			t := *p.Throttle
			ip.Throttle = &t
		}
		if p.Quota != nil {
			q := *p.Quota
			ip.Quota = &q
		}
		for _, st := range p.APIStages {
			ref := StageRef{st.APIID, st.Stage}
			ip.stages[ref] = true
			if len(st.Throttle) > 0 {
				ms := make(map[MethodRef]ThrottleSettings, len(st.Throttle))
				for key, t := range st.Throttle {
					path, verb, _ := splitMethodKey(key) // "//GET" is the root: "/" and GET
					ms[MethodRef{path, verb}] = t
				}
				ip.methods[ref] = ms
			}
		}
		ix.plans[id] = ip
	}
	for id, k := range s.keys.apiKeys {
		ik := &IndexedKey{ID: id, Value: k.Value, Enabled: k.Enabled, plans: map[StageRef]*IndexedPlan{}}
		for planID, keys := range s.keys.planKeys {
			if !keys[id] {
				continue
			}
			ip := ix.plans[planID]
			for ref := range ip.stages {
				ik.plans[ref] = ip
			}
		}
		ix.keys[k.Value] = ik
	}
	s.keys.index.Store(ix)
}
