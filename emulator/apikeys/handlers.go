package apikeys

import (
	"io"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/apigw-local/apigw-local/emulator/awserr"
	"github.com/apigw-local/apigw-local/emulator/mgmt"
	"github.com/apigw-local/apigw-local/emulator/store"
	"github.com/apigw-local/apigw-local/emulator/throttle"
)

// maxImportBytes bounds an ImportApiKeys file.
const maxImportBytes = 6 << 20

// list is the apigateway (v1) list envelope.
type list[T any] struct {
	Item     []T    `json:"item"`
	Position string `json:"position,omitempty"`
}

func newList[T any](items []T, position string) list[T] {
	if items == nil {
		items = []T{}
	}
	return list[T]{Item: items, Position: position}
}

// handlers are the management operations of API keys and usage plans.
type handlers struct {
	h      mgmt.Helpers
	store  *store.Store
	quotas *throttle.Quotas
	clock  store.Clock
}

// Routes registers the API key, usage plan, usage plan key and usage operations on the
// management router (call it from mgmt.Config.Extra: these replace the built-in "not
// implemented" entries). quotas are the data plane's quota counters, which GetUsage reads
// and UpdateUsage adjusts.
func Routes(r *mux.Router, h mgmt.Helpers, s *store.Store, quotas *throttle.Quotas, clock store.Clock) {
	a := &handlers{h: h, store: s, quotas: quotas, clock: clock}
	for _, rt := range []struct {
		op, method, path string
		fn               func(http.ResponseWriter, *http.Request) error
		query            []string
	}{
		{"ImportApiKeys", "POST", "/apikeys", a.importAPIKeys, []string{"mode", "import"}},
		{"CreateApiKey", "POST", "/apikeys", a.createAPIKey, nil},
		{"GetApiKeys", "GET", "/apikeys", a.getAPIKeys, nil},
		{"GetApiKey", "GET", "/apikeys/{api_Key}", a.getAPIKey, nil},
		{"UpdateApiKey", "PATCH", "/apikeys/{api_Key}", a.updateAPIKey, nil},
		{"DeleteApiKey", "DELETE", "/apikeys/{api_Key}", a.deleteAPIKey, nil},

		{"CreateUsagePlan", "POST", "/usageplans", a.createUsagePlan, nil},
		{"GetUsagePlans", "GET", "/usageplans", a.getUsagePlans, nil},
		{"GetUsagePlan", "GET", "/usageplans/{usageplanId}", a.getUsagePlan, nil},
		{"UpdateUsagePlan", "PATCH", "/usageplans/{usageplanId}", a.updateUsagePlan, nil},
		{"DeleteUsagePlan", "DELETE", "/usageplans/{usageplanId}", a.deleteUsagePlan, nil},
		{"CreateUsagePlanKey", "POST", "/usageplans/{usageplanId}/keys", a.createUsagePlanKey, nil},
		{"GetUsagePlanKeys", "GET", "/usageplans/{usageplanId}/keys", a.getUsagePlanKeys, nil},
		{"UpdateUsage", "PATCH", "/usageplans/{usageplanId}/keys/{keyId}/usage", a.updateUsage, nil},
		{"GetUsagePlanKey", "GET", "/usageplans/{usageplanId}/keys/{keyId}", a.getUsagePlanKey, nil},
		{"DeleteUsagePlanKey", "DELETE", "/usageplans/{usageplanId}/keys/{keyId}", a.deleteUsagePlanKey, nil},
		{"GetUsage", "GET", "/usageplans/{usageplanId}/usage", a.getUsage, nil},
	} {
		m := r.Handle(rt.path, h.Handle(rt.op, rt.fn)).Methods(rt.method)
		if rt.query != nil {
			m.Queries(rt.query...)
		}
	}
}

// flag reads a boolean query parameter.
func flag(r *http.Request, name string) bool {
	return strings.EqualFold(r.URL.Query().Get(name), "true")
}

// shown returns k with its value only when asked for (AWS sends values only on create
// and with includeValue(s)=true).
func shown(k *store.APIKey, withValue bool) *store.APIKey {
	if !withValue {
		k.Value = ""
	}
	return k
}

func (a *handlers) createAPIKey(w http.ResponseWriter, r *http.Request) error {
	var in store.CreateAPIKeyInput
	if err := a.h.Decode(r, &in); err != nil {
		return err
	}
	k, err := a.store.CreateAPIKey(in)
	if err != nil {
		return err
	}
	return a.h.Write(w, http.StatusCreated, k)
}

func (a *handlers) importAPIKeys(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if f := q.Get("format"); !strings.EqualFold(f, "csv") {
		return awserr.New(awserr.BadRequest, "Invalid format %q: the only API key file format is csv", f)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxImportBytes+1))
	if err != nil {
		return awserr.New(awserr.BadRequest, "Could not read the request body: %v", err)
	}
	if len(body) > maxImportBytes {
		return awserr.New(awserr.BadRequest, "API key file exceeds the maximum size of %d bytes", maxImportBytes)
	}
	res, err := a.store.ImportAPIKeys(body, flag(r, "failonwarnings"))
	if err != nil {
		return err
	}
	return a.h.Write(w, http.StatusCreated, res)
}

func (a *handlers) getAPIKeys(w http.ResponseWriter, r *http.Request) error {
	pos, limit, err := a.h.Page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	keys, next, err := a.store.ListAPIKeys(store.ListAPIKeysInput{NameQuery: q.Get("name"), CustomerID: q.Get("customerId"), Position: pos, Limit: limit})
	if err != nil {
		return err
	}
	withValues := flag(r, "includeValues")
	for _, k := range keys {
		shown(k, withValues)
	}
	return a.h.Write(w, http.StatusOK, newList(keys, next))
}

func (a *handlers) getAPIKey(w http.ResponseWriter, r *http.Request) error {
	k, err := a.store.GetAPIKey(a.h.Var(r, "api_Key"))
	if err != nil {
		return err
	}
	return a.h.Write(w, http.StatusOK, shown(k, flag(r, "includeValue")))
}

func (a *handlers) updateAPIKey(w http.ResponseWriter, r *http.Request) error {
	ops, err := a.h.PatchOps(r)
	if err != nil {
		return err
	}
	k, err := a.store.UpdateAPIKey(a.h.Var(r, "api_Key"), ops)
	if err != nil {
		return err
	}
	return a.h.Write(w, http.StatusOK, shown(k, false))
}

func (a *handlers) deleteAPIKey(w http.ResponseWriter, r *http.Request) error {
	if err := a.store.DeleteAPIKey(a.h.Var(r, "api_Key")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

func (a *handlers) createUsagePlan(w http.ResponseWriter, r *http.Request) error {
	var in store.CreateUsagePlanInput
	if err := a.h.Decode(r, &in); err != nil {
		return err
	}
	p, err := a.store.CreateUsagePlan(in)
	if err != nil {
		return err
	}
	return a.h.Write(w, http.StatusCreated, p)
}

func (a *handlers) getUsagePlans(w http.ResponseWriter, r *http.Request) error {
	pos, limit, err := a.h.Page(r)
	if err != nil {
		return err
	}
	plans, next, err := a.store.ListUsagePlans(r.URL.Query().Get("keyId"), pos, limit)
	if err != nil {
		return err
	}
	return a.h.Write(w, http.StatusOK, newList(plans, next))
}

func (a *handlers) getUsagePlan(w http.ResponseWriter, r *http.Request) error {
	p, err := a.store.GetUsagePlan(a.h.Var(r, "usageplanId"))
	if err != nil {
		return err
	}
	return a.h.Write(w, http.StatusOK, p)
}

func (a *handlers) updateUsagePlan(w http.ResponseWriter, r *http.Request) error {
	ops, err := a.h.PatchOps(r)
	if err != nil {
		return err
	}
	p, err := a.store.UpdateUsagePlan(a.h.Var(r, "usageplanId"), ops)
	if err != nil {
		return err
	}
	return a.h.Write(w, http.StatusOK, p)
}

func (a *handlers) deleteUsagePlan(w http.ResponseWriter, r *http.Request) error {
	if err := a.store.DeleteUsagePlan(a.h.Var(r, "usageplanId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

func (a *handlers) createUsagePlanKey(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		KeyID   string `json:"keyId"`
		KeyType string `json:"keyType"`
	}
	if err := a.h.Decode(r, &in); err != nil {
		return err
	}
	k, err := a.store.CreateUsagePlanKey(a.h.Var(r, "usageplanId"), in.KeyID, in.KeyType)
	if err != nil {
		return err
	}
	return a.h.Write(w, http.StatusCreated, k)
}

func (a *handlers) getUsagePlanKeys(w http.ResponseWriter, r *http.Request) error {
	pos, limit, err := a.h.Page(r)
	if err != nil {
		return err
	}
	keys, next, err := a.store.ListUsagePlanKeys(a.h.Var(r, "usageplanId"), r.URL.Query().Get("name"), pos, limit)
	if err != nil {
		return err
	}
	return a.h.Write(w, http.StatusOK, newList(keys, next))
}

func (a *handlers) getUsagePlanKey(w http.ResponseWriter, r *http.Request) error {
	k, err := a.store.GetUsagePlanKey(a.h.Var(r, "usageplanId"), a.h.Var(r, "keyId"))
	if err != nil {
		return err
	}
	return a.h.Write(w, http.StatusOK, k)
}

func (a *handlers) deleteUsagePlanKey(w http.ResponseWriter, r *http.Request) error {
	if err := a.store.DeleteUsagePlanKey(a.h.Var(r, "usageplanId"), a.h.Var(r, "keyId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}
