package mgmt

import (
	"net/http"

	"github.com/apigw-local/apigw-local/emulator/store"
)

// The parts of a REST API addressed as /restapis/{restapi_id}/{collection}/{id} share one
// shape of handler each for create, get, list, update and delete.

func createPart[In, Out any](fn func(apiID string, in In) (Out, error)) opFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in In
		if err := decode(r, &in); err != nil {
			return err
		}
		out, err := fn(pathVar(r, "restapi_id"), in)
		if err != nil {
			return err
		}
		return write(w, http.StatusCreated, out)
	}
}

func getPart[Out any](idVar string, fn func(apiID, id string) (Out, error)) opFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		out, err := fn(pathVar(r, "restapi_id"), pathVar(r, idVar))
		if err != nil {
			return err
		}
		return write(w, http.StatusOK, out)
	}
}

func listParts[Out any](fn func(apiID, position string, limit int) ([]Out, string, error)) opFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		pos, limit, err := page(r)
		if err != nil {
			return err
		}
		items, next, err := fn(pathVar(r, "restapi_id"), pos, limit)
		if err != nil {
			return err
		}
		return write(w, http.StatusOK, newList(items, next))
	}
}

func updatePart[Out any](idVar string, fn func(apiID, id string, ops []store.PatchOp) (Out, error)) opFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ops, err := patchOps(r)
		if err != nil {
			return err
		}
		out, err := fn(pathVar(r, "restapi_id"), pathVar(r, idVar), ops)
		if err != nil {
			return err
		}
		return write(w, http.StatusOK, out)
	}
}

func deletePart(idVar string, fn func(apiID, id string) error) opFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := fn(pathVar(r, "restapi_id"), pathVar(r, idVar)); err != nil {
			return err
		}
		return noContent(w, http.StatusAccepted)
	}
}

func (a *API) putGatewayResponse(w http.ResponseWriter, r *http.Request) error {
	var in store.PutGatewayResponseInput
	if err := decode(r, &in); err != nil {
		return err
	}
	g, err := a.store.PutGatewayResponse(pathVar(r, "restapi_id"), pathVar(r, "response_type"), in)
	if err != nil {
		return err
	}
	return write(w, http.StatusCreated, g)
}

func (a *API) getDeployment(w http.ResponseWriter, r *http.Request) error {
	d, err := a.store.GetDeployment(pathVar(r, "restapi_id"), pathVar(r, "deployment_id"), embeds(r, "apisummary"))
	if err != nil {
		return err
	}
	return write(w, http.StatusOK, d)
}

func (a *API) getStages(w http.ResponseWriter, r *http.Request) error {
	stages, err := a.store.ListStages(pathVar(r, "restapi_id"), r.URL.Query().Get("deploymentId"))
	if err != nil {
		return err
	}
	return write(w, http.StatusOK, newList(stages, ""))
}

func (a *API) getTags(w http.ResponseWriter, r *http.Request) error {
	tags, err := a.store.GetTags(pathVar(r, "resource_arn"))
	if err != nil {
		return err
	}
	return write(w, http.StatusOK, map[string]any{"tags": tags})
}

func (a *API) tagResource(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Tags map[string]string `json:"tags"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := a.store.TagResource(pathVar(r, "resource_arn"), in.Tags); err != nil {
		return err
	}
	return noContent(w, http.StatusNoContent)
}

func (a *API) untagResource(w http.ResponseWriter, r *http.Request) error {
	if err := a.store.UntagResource(pathVar(r, "resource_arn"), r.URL.Query()["tagKeys"]); err != nil {
		return err
	}
	return noContent(w, http.StatusNoContent)
}

// account is what GetAccount returns: the account-level throttle AWS applies by default.
type account struct {
	CloudwatchRoleARN string         `json:"cloudwatchRoleArn,omitempty"`
	ThrottleSettings  map[string]any `json:"throttleSettings"`
	Features          []string       `json:"features"`
	APIKeyVersion     string         `json:"apiKeyVersion"`
}

func (a *API) getAccount(w http.ResponseWriter, _ *http.Request) error {
	return write(w, http.StatusOK, account{
		ThrottleSettings: map[string]any{"burstLimit": 5000, "rateLimit": 10000.0},
		Features:         []string{"UsagePlans"},
		APIKeyVersion:    "4",
	})
}

func (a *API) updateAccount(w http.ResponseWriter, r *http.Request) error {
	if _, err := patchOps(r); err != nil {
		return err
	}
	return a.getAccount(w, r)
}
