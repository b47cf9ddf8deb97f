package throttle

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func date(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }

func TestPeriodStart(t *testing.T) {
	tests := []struct {
		name, period string
		at, want     time.Time
	}{
		{"day", "DAY", date(2026, 3, 18, 23), date(2026, 3, 18, 0)},
		{"day is UTC", "DAY", time.Date(2026, 3, 18, 23, 30, 0, 0, time.FixedZone("X", 2*3600)), date(2026, 3, 18, 0)},
		{"week from Wednesday", "WEEK", date(2026, 3, 18, 12), date(2026, 3, 16, 0)},
		{"week from Sunday", "WEEK", date(2026, 3, 22, 23), date(2026, 3, 16, 0)},
		{"week from Monday", "WEEK", date(2026, 3, 16, 0), date(2026, 3, 16, 0)},
		{"month", "MONTH", date(2026, 2, 28, 23), date(2026, 2, 1, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PeriodStart(tt.period, tt.at); !got.Equal(tt.want) {
				t.Errorf("PeriodStart(%s, %v) = %v, want %v", tt.period, tt.at, got, tt.want)
			}
		})
	}
}

func takeN(qs *Quotas, k QuotaKey, q Quota, now time.Time, n int) int {
	ok := 0
	for range n {
		if qs.Take(k, q, now) {
			ok++
		}
	}
	return ok
}

func TestQuotaPeriodsAndOffset(t *testing.T) {
	tests := []struct {
		name string
		q    Quota
		// requests at each time; want admitted per entry.
		at   []time.Time
		n    int
		want []int
	}{
		{"day resets at midnight UTC", Quota{Limit: 3, Period: "DAY", Start: date(2026, 3, 18, 1)},
			[]time.Time{date(2026, 3, 18, 10), date(2026, 3, 18, 23), date(2026, 3, 19, 0)}, 2, []int{2, 1, 2}},
		{"offset only in the first period", Quota{Limit: 5, Offset: 3, Period: "DAY", Start: date(2026, 3, 18, 1)},
			[]time.Time{date(2026, 3, 18, 10), date(2026, 3, 19, 10)}, 10, []int{2, 5}},
		{"week resets on Monday", Quota{Limit: 4, Period: "WEEK", Start: date(2026, 3, 1, 0)},
			[]time.Time{date(2026, 3, 18, 10), date(2026, 3, 22, 23), date(2026, 3, 23, 0)}, 3, []int{3, 1, 3}},
		{"month resets on the 1st", Quota{Limit: 2, Period: "MONTH", Start: date(2026, 1, 5, 0)},
			[]time.Time{date(2026, 2, 1, 0), date(2026, 2, 28, 23), date(2026, 3, 1, 0)}, 3, []int{2, 0, 2}},
		{"zero limit refuses", Quota{Limit: 0, Period: "DAY"}, []time.Time{date(2026, 3, 18, 10)}, 3, []int{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var qs Quotas
			k := QuotaKey{Plan: 1, Key: "k"}
			for i, at := range tt.at {
				if got := takeN(&qs, k, tt.q, at, tt.n); got != tt.want[i] {
					t.Errorf("at %v: admitted %d of %d, want %d", at, got, tt.n, tt.want[i])
				}
			}
		})
	}
}

func TestQuotaKeysAreSeparate(t *testing.T) {
	var qs Quotas
	q := Quota{Limit: 1, Period: "DAY"}
	now := date(2026, 3, 18, 10)
	if !qs.Take(QuotaKey{1, "a"}, q, now) || !qs.Take(QuotaKey{1, "b"}, q, now) || !qs.Take(QuotaKey{2, "a"}, q, now) {
		t.Error("keys or plans share a counter")
	}
	if qs.Take(QuotaKey{1, "a"}, q, now) {
		t.Error("second request of a admitted")
	}
}

func TestUsageAndSetRemaining(t *testing.T) {
	var qs Quotas
	k := QuotaKey{Plan: 1, Key: "k"}
	q := Quota{Limit: 10, Period: "WEEK", Start: date(2026, 3, 1, 0)}
	takeN(&qs, k, q, date(2026, 3, 16, 9), 3) // Monday
	takeN(&qs, k, q, date(2026, 3, 18, 9), 2) // Wednesday
	takeN(&qs, k, q, date(2026, 3, 23, 9), 1) // next Monday
	got := qs.Usage(k, &q, date(2026, 3, 15, 0), date(2026, 3, 23, 0))
	want := []DayUsage{
		{0, 10}, // Sunday of the week before (nothing used in it)
		{3, 7}, {0, 7}, {2, 5}, {0, 5}, {0, 5}, {0, 5}, {0, 5},
		{1, 9}, // the next week starts afresh
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("usage (-want +got):\n%s", diff)
	}
	if got := qs.Usage(k, nil, date(2026, 3, 16, 0), date(2026, 3, 16, 0)); cmp.Diff([]DayUsage{{3, 0}}, got) != "" {
		t.Errorf("usage without a quota: %v", got)
	}

	// Granting 4 remaining in the current week: 4 more requests, then refusal.
	now := date(2026, 3, 24, 9)
	qs.SetRemaining(k, q, now, 4)
	if got := takeN(&qs, k, q, now, 10); got != 4 {
		t.Errorf("after setting 4 remaining: admitted %d", got)
	}
	if u := qs.Usage(k, &q, now, now); u[0] != (DayUsage{4, 0}) {
		t.Errorf("usage after grant: %v", u)
	}
	// Setting remaining above the limit works too (AWS lets UpdateUsage grant more).
	qs.SetRemaining(k, q, now, 15)
	if got := takeN(&qs, k, q, now, 20); got != 15 {
		t.Errorf("after setting 15 remaining: admitted %d", got)
	}
}

func BenchmarkQuotaTake(b *testing.B) {
	var qs Quotas
	k := QuotaKey{Plan: 1, Key: "abcdefghij"}
	q := Quota{Limit: 1 << 30, Period: "MONTH", Start: t0}
	b.ReportAllocs()
	for b.Loop() {
		qs.Take(k, q, t0)
	}
}
