package throttle

import (
	"sync"
	"time"
)

// Quota is a usage plan's quota: Limit requests per Period ("DAY", "WEEK" or "MONTH"),
// less Offset in the first period, the one that contains Start (AWS API reference,
// QuotaSettings: the offset decreases the limit for the initial period).
type Quota struct {
	Limit  int
	Offset int
	Period string
	Start  time.Time
}

// PeriodStart is the start of the calendar period containing t, in UTC: midnight for
// DAY, Monday midnight for WEEK, the 1st for MONTH. Calendar alignment follows observed
// resets (reference/throttling-keys-caching.md §3).
func PeriodStart(period string, t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch period {
	case "WEEK":
		back := (int(day.Weekday()) + 6) % 7 // days since Monday
		return day.AddDate(0, 0, -back)
	case "MONTH":
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return day
}

// limitAt is the quota's limit in the period that starts at p.
func (q Quota) limitAt(p time.Time) int {
	if p.Equal(PeriodStart(q.Period, q.Start)) {
		return q.Limit - q.Offset
	}
	return q.Limit
}

// QuotaKey identifies one API key's counter in one usage plan.
type QuotaKey struct {
	Plan uint64 // the plan's serial
	Key  string // the API key id
}

// dayIndex numbers UTC days.
func dayIndex(t time.Time) int64 { return t.UTC().Unix() / 86400 }

// keepDays bounds the daily history a counter keeps (GetUsage reaches back 90 days).
const keepDays = 100

// counter is one key's use of one plan: requests per UTC day, and per period the
// adjustments UpdateUsage made.
type counter struct {
	mu     sync.Mutex
	daily  map[int64]int
	adjust map[time.Time]int // period start → requests added (or, negative, granted back)
	oldest int64

	// The current period, cached so a request does not sum its days.
	period    string
	cur, next time.Time
	curUsed   int
}

// usedThrough is the use from the period start p through day d (inclusive). Callers hold
// c.mu.
func (c *counter) usedThrough(p time.Time, d int64) int {
	n := c.adjust[p]
	for day := dayIndex(p); day <= d; day++ {
		n += c.daily[day]
	}
	return n
}

// Quotas counts requests against usage-plan quotas. It is safe for concurrent use.
type Quotas struct {
	mu sync.RWMutex
	m  map[QuotaKey]*counter
}

// Reset forgets every count.
func (qs *Quotas) Reset() {
	qs.mu.Lock()
	defer qs.mu.Unlock()
	qs.m = nil
}

func (qs *Quotas) counter(k QuotaKey) *counter {
	qs.mu.RLock()
	c := qs.m[k]
	qs.mu.RUnlock()
	if c != nil {
		return c
	}
	qs.mu.Lock()
	defer qs.mu.Unlock()
	if qs.m == nil {
		qs.m = map[QuotaKey]*counter{}
	}
	c = qs.m[k]
	if c == nil {
		c = &counter{daily: map[int64]int{}, adjust: map[time.Time]int{}}
		qs.m[k] = c
	}
	return c
}

// Take counts one request at now unless the period's quota is used up; it reports whether
// the request is admitted. A refused request counts nothing (observed: 429s do not
// consume quota).
func (qs *Quotas) Take(k QuotaKey, q Quota, now time.Time) bool {
	c := qs.counter(k)
	c.mu.Lock()
	defer c.mu.Unlock()
	d := dayIndex(now)
	if q.Period != c.period || now.Before(c.cur) || !now.Before(c.next) {
		c.period = q.Period
		c.cur = PeriodStart(q.Period, now)
		c.next = nextPeriod(q.Period, c.cur)
		c.curUsed = c.usedThrough(c.cur, d)
	}
	if c.curUsed >= q.limitAt(c.cur) {
		return false
	}
	c.curUsed++
	c.daily[d]++
	if c.oldest == 0 {
		c.oldest = d
	}
	if d-c.oldest > 2*keepDays {
		for day := range c.daily {
			if d-day > keepDays {
				delete(c.daily, day)
			}
		}
		for start := range c.adjust {
			if d-dayIndex(start) > keepDays+31 {
				delete(c.adjust, start)
			}
		}
		c.oldest = d - keepDays
	}
	return true
}

// DayUsage is one day of GetUsage: the requests made that day and the quota left in that
// day's period after it.
type DayUsage struct {
	Used, Remaining int
}

// Usage reports one key's use for each UTC day from from to to (inclusive). Without a
// quota, Remaining is 0.
func (qs *Quotas) Usage(k QuotaKey, q *Quota, from, to time.Time) []DayUsage {
	c := qs.counter(k)
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []DayUsage
	for d := dayIndex(from); d <= dayIndex(to); d++ {
		u := DayUsage{Used: c.daily[d]}
		if q != nil {
			p := PeriodStart(q.Period, time.Unix(d*86400, 0))
			u.Remaining = max(0, q.limitAt(p)-c.usedThrough(p, d))
		}
		out = append(out, u)
	}
	return out
}

// SetRemaining makes remaining requests left in the period containing now (UpdateUsage's
// "replace /remaining"), without touching the daily counts.
func (qs *Quotas) SetRemaining(k QuotaKey, q Quota, now time.Time, remaining int) {
	c := qs.counter(k)
	c.mu.Lock()
	defer c.mu.Unlock()
	p := PeriodStart(q.Period, now)
	used := c.usedThrough(p, dayIndex(now)) - c.adjust[p]
	c.adjust[p] = q.limitAt(p) - remaining - used
	c.period = "" // recompute the cached period on the next request
}

// nextPeriod is the start of the period after the one starting at p.
func nextPeriod(period string, p time.Time) time.Time {
	switch period {
	case "WEEK":
		return p.AddDate(0, 0, 7)
	case "MONTH":
		return p.AddDate(0, 1, 0)
	}
	return p.AddDate(0, 0, 1)
}
