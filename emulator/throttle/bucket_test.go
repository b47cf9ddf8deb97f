package throttle

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 18, 23, 59, 0, 0, time.UTC) // a Wednesday

// admitted counts how many of n requests at one instant a bucket admits.
func admitted(b *Buckets[string], key string, lim Limits, now time.Time, n int) int {
	ok := 0
	for range n {
		if b.Take(key, lim, now) {
			ok++
		}
	}
	return ok
}

// burstStep advances the clock by after, then sends n requests at once, of which want
// are admitted.
type burstStep struct {
	after time.Duration
	n     int
	want  int
}

func TestBucketCrossesLimitsExactly(t *testing.T) {
	tests := []struct {
		name string
		lim  Limits
		// steps: advance the clock by after, then send n requests; want admitted.
		steps []burstStep
	}{
		{"burst then rate", Limits{Rate: 100, Burst: 5}, []burstStep{{0, 6, 5}, {10 * time.Millisecond, 2, 1}, {25 * time.Millisecond, 3, 2}, {5 * time.Millisecond, 1, 1}, {time.Hour, 10, 5}}},
		{"fractional rate", Limits{Rate: 0.5, Burst: 1}, []burstStep{{0, 2, 1}, {time.Second, 1, 0}, {time.Second, 1, 1}, {1999 * time.Millisecond, 1, 0}, {time.Millisecond, 1, 1}}},
		{"rate zero never refills", Limits{Rate: 0, Burst: 3}, []burstStep{{0, 5, 3}, {24 * time.Hour, 5, 0}}},
		{"burst zero refuses everything", Limits{Rate: 1000, Burst: 0}, []burstStep{{0, 5, 0}, {time.Second, 5, 0}}},
		{"negative is unlimited", Limits{Rate: -1, Burst: -1}, []burstStep{{0, 1000, 1000}}},
		{"burst larger than rate", Limits{Rate: 10, Burst: 20}, []burstStep{{0, 25, 20}, {time.Second, 25, 10}, {2 * time.Second, 25, 20}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b Buckets[string]
			now := t0
			for i, s := range tt.steps {
				now = now.Add(s.after)
				if got := admitted(&b, "k", tt.lim, now, s.n); got != s.want {
					t.Fatalf("step %d (+%v, %d requests): admitted %d, want %d", i, s.after, s.n, got, s.want)
				}
			}
		})
	}
}

func TestBucketLimitChange(t *testing.T) {
	var b Buckets[string]
	lim := Limits{Rate: 1, Burst: 10}
	if got := admitted(&b, "k", lim, t0, 2); got != 2 {
		t.Fatalf("admitted %d", got)
	}
	// Lowering the burst caps the 8 tokens left at 3.
	if got := admitted(&b, "k", Limits{Rate: 1, Burst: 3}, t0, 10); got != 3 {
		t.Errorf("after lowering the burst: admitted %d, want 3", got)
	}
	// Raising it keeps what is there and refills at the new rate.
	if got := admitted(&b, "k", Limits{Rate: 5, Burst: 10}, t0.Add(time.Second), 10); got != 5 {
		t.Errorf("after raising the rate: admitted %d, want 5", got)
	}
}

func TestBucketClockGoesBack(t *testing.T) {
	var b Buckets[string]
	lim := Limits{Rate: 1, Burst: 1}
	admitted(&b, "k", lim, t0.Add(time.Second), 1)
	// A request that read the clock earlier but arrives later earns nothing and does not
	// move the mark back: the interval is not counted twice.
	if b.Take("k", lim, t0) {
		t.Error("an earlier time earned a token")
	}
	if b.Take("k", lim, t0.Add(1999*time.Millisecond)) {
		t.Error("less than a second after the mark earned a token")
	}
	if !b.Take("k", lim, t0.Add(2*time.Second)) {
		t.Error("one second after the mark should earn a token")
	}
}

func TestBucketsForgetFullBucketsOnly(t *testing.T) {
	var b Buckets[int]
	lim := Limits{Rate: 1, Burst: 1}
	for i := range pruneAt {
		b.Take(i, lim, t0)
	}
	// One second later every bucket is full again except the one used now.
	now := t0.Add(time.Second)
	b.Take(0, lim, now)
	b.Take(pruneAt, lim, now) // the insert that prunes
	if got := b.Len(); got != 2 {
		t.Fatalf("after pruning %d buckets, want 2", got)
	}
	if b.Take(0, lim, now) {
		t.Error("the bucket in use was forgotten: it admitted again at once")
	}
}

func BenchmarkBucketsTake(b *testing.B) {
	var s Buckets[stageKey]
	lim := Limits{Rate: 1e9, Burst: 1e6}
	key := stageKey{"abcdefghij", "prod", "/pets/{id}", "GET"}
	now := t0
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Microsecond)
		s.Take(key, lim, now)
	}
}
