// Package throttle emulates API Gateway's request throttling and usage-plan quotas for
// REST APIs: token buckets for the account, for each method of a stage (methodSettings
// "*/*" or "path/VERB"), for each API key of a usage plan and for each method a plan
// throttles on its own, applied in AWS's order (plan, stage method, account); and quota
// counters per plan and key over calendar periods in UTC. Every decision takes its time
// from the injected clock, so tests are exact.
//
// Known differences from AWS: throttling is exact here, where AWS calls its limits
// best-effort targets; a request refused by one bucket keeps the tokens it took from the
// buckets checked before it; WEEK quotas start on Monday 00:00 UTC (AWS does not document
// the day); a negative rate or burst (CloudFormation's -1) means "no limit".
package throttle

import (
	"math"
	"sync"
	"time"
)

// Limits are a token bucket's settings: Rate tokens per second refill a bucket of Burst
// tokens; a request takes one. A negative Rate or Burst means no limit; Burst 0 refuses
// everything; Rate 0 never refills.
type Limits struct {
	Rate  float64
	Burst int
}

// Unlimited reports whether the limits throttle nothing.
func (l Limits) Unlimited() bool { return l.Rate < 0 || l.Burst < 0 }

// nano is the fixed-point scale of tokens: buckets count billionths of a token in integers
// so that, for example, 10 ms at 100 rps is exactly one token.
const nano = 1e9

// bucket is one token bucket.
type bucket struct {
	mu     sync.Mutex
	lim    Limits
	tokens int64 // in billionths
	last   time.Time
}

func newBucket(lim Limits, now time.Time) *bucket {
	return &bucket{lim: lim, tokens: int64(lim.Burst) * nano, last: now}
}

// take refills the bucket up to now and takes one token if there is one. A change of
// limits keeps the tokens, capped to the new burst.
func (b *bucket) take(lim Limits, now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	capacity := int64(lim.Burst) * nano
	if lim != b.lim {
		b.lim = lim
		b.tokens = min(b.tokens, capacity)
	}
	b.refill(now, capacity)
	if b.tokens >= nano {
		b.tokens -= nano
		return true
	}
	return false
}

// refill adds the tokens earned since the last refill. Callers hold b.mu.
func (b *bucket) refill(now time.Time, capacity int64) {
	elapsed := now.Sub(b.last)
	if elapsed <= 0 {
		// Concurrent requests read the clock in one order and reach the bucket in another:
		// an earlier time earns nothing and never moves the mark back (moving it would
		// count the same interval twice).
		return
	}
	b.last = now
	need := capacity - b.tokens
	if need <= 0 {
		return
	}
	earned := float64(elapsed.Nanoseconds()) * b.lim.Rate
	if earned >= float64(need) {
		b.tokens = capacity
		return
	}
	b.tokens += int64(math.Round(earned))
}

// fill makes the bucket full at now.
func (b *bucket) fill(now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tokens = int64(b.lim.Burst) * nano
	b.last = now
}

// full reports whether the bucket would be full at now, so forgetting it changes nothing.
func (b *bucket) full(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	capacity := int64(b.lim.Burst) * nano
	need := capacity - b.tokens
	return need <= 0 || float64(now.Sub(b.last).Nanoseconds())*b.lim.Rate >= float64(need)
}

// pruneAt is the size above which a bucket set forgets buckets that are full again.
const pruneAt = 10000

// Buckets is a set of token buckets by key, created on first use, full. It is safe for
// concurrent use.
type Buckets[K comparable] struct {
	mu    sync.RWMutex
	m     map[K]*bucket
	limit int // next size at which to prune
}

// Take takes a token from the bucket of key, which has the limits lim, at time now. It
// reports whether there was one. Unlimited limits always admit and keep no bucket.
func (s *Buckets[K]) Take(key K, lim Limits, now time.Time) bool {
	if lim.Unlimited() {
		return true
	}
	s.mu.RLock()
	b := s.m[key]
	s.mu.RUnlock()
	if b == nil {
		b = s.add(key, lim, now)
	}
	return b.take(lim, now)
}

// Reset forgets every bucket: the next request of each key starts with a full bucket.
func (s *Buckets[K]) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m = nil
}

func (s *Buckets[K]) add(key K, lim Limits, now time.Time) *bucket {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.m[key]; b != nil {
		return b
	}
	if s.m == nil {
		s.m = map[K]*bucket{}
		s.limit = pruneAt
	}
	if len(s.m) >= s.limit {
		// A full bucket is the same as no bucket: forgetting those is invisible.
		for k, b := range s.m {
			if b.full(now) {
				delete(s.m, k)
			}
		}
		s.limit = max(pruneAt, 2*len(s.m))
	}
	b := newBucket(lim, now)
	s.m[key] = b
	return b
}

// Len is the number of buckets held.
func (s *Buckets[K]) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.m)
}
