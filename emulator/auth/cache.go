package auth

import (
	"sync"
	"time"
)

// cacheKey names one authorizer's cache: per stage, as on AWS, and per deployment, so a
// redeployed authorizer starts afresh.
type cacheKey struct {
	api, stage, deployment, authorizer string
}

// maxCached bounds one authorizer's cache.
const maxCached = 10000

// resultCache keeps Lambda authorizer decisions by identity-source values until their
// TTL passes. It is safe for concurrent use.
type resultCache struct {
	mu sync.RWMutex
	m  map[cacheKey]*entries
}

type entries struct {
	mu sync.RWMutex
	m  map[string]cached
}

type cached struct {
	d       *decision
	expires time.Time
}

func (c *resultCache) entries(key cacheKey, create bool) *entries {
	c.mu.RLock()
	e := c.m[key]
	c.mu.RUnlock()
	if e != nil || !create {
		return e
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[cacheKey]*entries{}
	}
	if e = c.m[key]; e == nil {
		e = &entries{m: map[string]cached{}}
		c.m[key] = e
	}
	return e
}

// get returns the decision cached for the identity value, if it has not expired at now.
func (c *resultCache) get(key cacheKey, identity string, now time.Time) *decision {
	e := c.entries(key, false)
	if e == nil {
		return nil
	}
	e.mu.RLock()
	v, ok := e.m[identity]
	e.mu.RUnlock()
	if !ok || !now.Before(v.expires) {
		return nil
	}
	return v.d
}

// put caches a decision until expires.
func (c *resultCache) put(key cacheKey, identity string, d *decision, expires time.Time) {
	e := c.entries(key, true)
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.m) >= maxCached {
		// Full: forget half, in map order (a cache may forget; the authorizer runs again).
		for k := range e.m {
			delete(e.m, k)
			if len(e.m) < maxCached/2 {
				break
			}
		}
	}
	e.m[identity] = cached{d: d, expires: expires}
}

// reset drops every cached decision.
func (c *resultCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = nil
}

// flush drops every cached decision of one stage (FlushStageAuthorizersCache).
func (c *resultCache) flush(api, stage string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.m {
		if k.api == api && k.stage == stage {
			delete(c.m, k)
		}
	}
}
