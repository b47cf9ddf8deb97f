package apikeys

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apigw-local/apigw-local/emulator/awserr"
	"github.com/apigw-local/apigw-local/emulator/store"
	"github.com/apigw-local/apigw-local/emulator/throttle"
)

// usage is GetUsage's and UpdateUsage's answer: for each key, one [used, remaining] pair
// per day (the model's items member is sent as "values").
type usage struct {
	UsagePlanID string              `json:"usagePlanId"`
	StartDate   string              `json:"startDate"`
	EndDate     string              `json:"endDate"`
	Position    string              `json:"position,omitempty"`
	Values      map[string][][2]int `json:"values"`
}

const dateLayout = "2006-01-02"

func parseDate(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, awserr.New(awserr.Validation, "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", name)
	}
	t, err := time.Parse(dateLayout, v)
	if err != nil {
		return time.Time{}, awserr.New(awserr.BadRequest, "Invalid %s %q: use the format YYYY-MM-DD", name, v)
	}
	return t, nil
}

// plan returns the published plan, or AWS's not-found error.
func (a *handlers) plan(r *http.Request) (*store.IndexedPlan, error) {
	p := a.store.KeyIndex().Plan(a.h.Var(r, "usageplanId"))
	if p == nil {
		return nil, awserr.New(awserr.NotFound, "Invalid Usage Plan ID specified")
	}
	return p, nil
}

func (a *handlers) report(p *store.IndexedPlan, keyIDs []string, from, to time.Time) usage {
	u := usage{UsagePlanID: p.ID, StartDate: from.Format(dateLayout), EndDate: to.Format(dateLayout), Values: map[string][][2]int{}}
	q := throttle.QuotaOf(p)
	for _, id := range keyIDs {
		days := a.quotas.Usage(throttle.QuotaKey{Plan: p.Serial, Key: id}, q, from, to)
		pairs := make([][2]int, len(days))
		for i, d := range days {
			pairs[i] = [2]int{d.Used, d.Remaining}
		}
		u.Values[id] = pairs
	}
	return u
}

// getUsage is GET /usageplans/{id}/usage?startDate=&endDate=[&keyId=][&position=&limit=]:
// daily use of each key of the plan (or of keyId), a page of keys at a time.
func (a *handlers) getUsage(w http.ResponseWriter, r *http.Request) error {
	p, err := a.plan(r)
	if err != nil {
		return err
	}
	from, err := parseDate(r, "startDate")
	if err != nil {
		return err
	}
	to, err := parseDate(r, "endDate")
	if err != nil {
		return err
	}
	if to.Before(from) {
		return awserr.New(awserr.BadRequest, "The end date %s is before the start date %s", to.Format(dateLayout), from.Format(dateLayout))
	}
	if to.Sub(from) > 366*24*time.Hour {
		return awserr.New(awserr.BadRequest, "The usage period may span at most one year")
	}
	ids := p.KeyIDs
	if keyID := r.URL.Query().Get("keyId"); keyID != "" {
		ids = nil
		if slices.Contains(p.KeyIDs, keyID) {
			ids = []string{keyID}
		}
	}
	position, limit, err := a.h.Page(r)
	if err != nil {
		return err
	}
	page, next, err := pageIDs(ids, position, limit)
	if err != nil {
		return err
	}
	u := a.report(p, page, from, to)
	u.Position = next
	return a.h.Write(w, http.StatusOK, u)
}

// pageIDs pages through sorted ids; the position token names the first id of the page.
func pageIDs(ids []string, position string, limit int) ([]string, string, error) {
	if limit == 0 {
		limit = store.DefaultLimit
	}
	if limit < 0 || limit > store.MaxLimit {
		return nil, "", awserr.New(awserr.BadRequest, "Invalid limit %d: the limit must be between 1 and 500", limit)
	}
	start := 0
	if position != "" {
		raw, err := base64.RawURLEncoding.DecodeString(position)
		if err != nil {
			return nil, "", awserr.New(awserr.BadRequest, "Invalid position parameter: %s", position)
		}
		start, _ = slices.BinarySearch(ids, string(raw))
	}
	end := min(start+limit, len(ids))
	next := ""
	if end < len(ids) {
		next = base64.RawURLEncoding.EncodeToString([]byte(ids[end]))
	}
	return ids[start:end], next, nil
}

// updateUsage is PATCH /usageplans/{id}/keys/{keyId}/usage with "replace /remaining":
// the key gets that many requests left in the current quota period. The answer is the
// key's usage today.
func (a *handlers) updateUsage(w http.ResponseWriter, r *http.Request) error {
	p, err := a.plan(r)
	if err != nil {
		return err
	}
	keyID := a.h.Var(r, "keyId")
	if !slices.Contains(p.KeyIDs, keyID) {
		return awserr.New(awserr.NotFound, "Invalid Usage Plan Key identifier specified")
	}
	ops, err := a.h.PatchOps(r)
	if err != nil {
		return err
	}
	q := throttle.QuotaOf(p)
	now := a.clock.Now()
	remaining := -1
	for _, op := range ops {
		if op.Path != "/remaining" {
			return awserr.New(awserr.BadRequest, "Invalid patch path %s", op.Path)
		}
		if op.Op != "replace" {
			return awserr.New(awserr.BadRequest, "Invalid patch path  '%s' specified for op '%s'. Please choose supported operations", op.Path, op.Op)
		}
		v := ""
		if op.Value != nil {
			v = strings.TrimSpace(*op.Value)
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return awserr.New(awserr.BadRequest, "Invalid remaining value %q: use a whole number of requests", v)
		}
		remaining = n
	}
	if remaining >= 0 {
		if q == nil {
			return awserr.New(awserr.BadRequest, "Usage plan %s has no quota: there is no remaining usage to set", p.ID)
		}
		a.quotas.SetRemaining(throttle.QuotaKey{Plan: p.Serial, Key: keyID}, *q, now, remaining)
	}
	today := time.Date(now.UTC().Year(), now.UTC().Month(), now.UTC().Day(), 0, 0, 0, 0, time.UTC)
	return a.h.Write(w, http.StatusOK, a.report(p, []string{keyID}, today, today))
}
