package mgmt

import (
	"net/http"

	"github.com/apigw-local/apigw-local/emulator/store"
)

func (a *API) createRestAPI(w http.ResponseWriter, r *http.Request) error {
	var in store.CreateRestAPIInput
	if err := decode(r, &in); err != nil {
		return err
	}
	api, err := a.store.CreateRestAPI(in)
	if err != nil {
		return err
	}
	return write(w, http.StatusCreated, api)
}

func (a *API) getRestAPIs(w http.ResponseWriter, r *http.Request) error {
	pos, limit, err := page(r)
	if err != nil {
		return err
	}
	apis, next, err := a.store.ListRestAPIs(pos, limit)
	if err != nil {
		return err
	}
	return write(w, http.StatusOK, newList(apis, next))
}

func (a *API) getRestAPI(w http.ResponseWriter, r *http.Request) error {
	api, err := a.store.GetRestAPI(pathVar(r, "restapi_id"))
	if err != nil {
		return err
	}
	return write(w, http.StatusOK, api)
}

func (a *API) updateRestAPI(w http.ResponseWriter, r *http.Request) error {
	ops, err := patchOps(r)
	if err != nil {
		return err
	}
	api, err := a.store.UpdateRestAPI(pathVar(r, "restapi_id"), ops)
	if err != nil {
		return err
	}
	return write(w, http.StatusOK, api)
}

func (a *API) deleteRestAPI(w http.ResponseWriter, r *http.Request) error {
	if err := a.store.DeleteRestAPI(pathVar(r, "restapi_id")); err != nil {
		return err
	}
	return noContent(w, http.StatusAccepted)
}

// wireResource is a resource as GetResource(s) return it: without embed=methods each method
// is an empty object, as on AWS.
func wireResource(res *store.Resource, embed bool) any {
	if embed || len(res.Methods) == 0 {
		return res
	}
	type shallow struct {
		store.Resource
		Methods map[string]struct{} `json:"resourceMethods"`
	}
	s := shallow{Resource: *res, Methods: make(map[string]struct{}, len(res.Methods))}
	for verb := range res.Methods {
		s.Methods[verb] = struct{}{}
	}
	return s
}

func (a *API) getResources(w http.ResponseWriter, r *http.Request) error {
	pos, limit, err := page(r)
	if err != nil {
		return err
	}
	res, next, err := a.store.ListResources(pathVar(r, "restapi_id"), pos, limit)
	if err != nil {
		return err
	}
	embed := embeds(r, "methods")
	items := make([]any, len(res))
	for i, x := range res {
		items[i] = wireResource(x, embed)
	}
	return write(w, http.StatusOK, newList(items, next))
}

func (a *API) createResource(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		PathPart string `json:"pathPart"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	res, err := a.store.CreateResource(pathVar(r, "restapi_id"), pathVar(r, "resource_id"), in.PathPart)
	if err != nil {
		return err
	}
	return write(w, http.StatusCreated, res)
}

func (a *API) getResource(w http.ResponseWriter, r *http.Request) error {
	res, err := a.store.GetResource(pathVar(r, "restapi_id"), pathVar(r, "resource_id"))
	if err != nil {
		return err
	}
	return write(w, http.StatusOK, wireResource(res, embeds(r, "methods")))
}

func (a *API) updateResource(w http.ResponseWriter, r *http.Request) error {
	ops, err := patchOps(r)
	if err != nil {
		return err
	}
	res, err := a.store.UpdateResource(pathVar(r, "restapi_id"), pathVar(r, "resource_id"), ops)
	if err != nil {
		return err
	}
	return write(w, http.StatusOK, wireResource(res, false))
}

func (a *API) deleteResource(w http.ResponseWriter, r *http.Request) error {
	if err := a.store.DeleteResource(pathVar(r, "restapi_id"), pathVar(r, "resource_id")); err != nil {
		return err
	}
	return noContent(w, http.StatusAccepted)
}

// methodVars are the path variables every method-level operation has.
func methodVars(r *http.Request) (apiID, resourceID, verb string) {
	return pathVar(r, "restapi_id"), pathVar(r, "resource_id"), pathVar(r, "http_method")
}

func (a *API) putMethod(w http.ResponseWriter, r *http.Request) error {
	var in store.PutMethodInput
	if err := decode(r, &in); err != nil {
		return err
	}
	api, res, verb := methodVars(r)
	m, err := a.store.PutMethod(api, res, verb, in)
	if err != nil {
		return err
	}
	return write(w, http.StatusCreated, m)
}

func (a *API) getMethod(w http.ResponseWriter, r *http.Request) error {
	api, res, verb := methodVars(r)
	m, err := a.store.GetMethod(api, res, verb)
	if err != nil {
		return err
	}
	return write(w, http.StatusOK, m)
}

func (a *API) updateMethod(w http.ResponseWriter, r *http.Request) error {
	ops, err := patchOps(r)
	if err != nil {
		return err
	}
	api, res, verb := methodVars(r)
	m, err := a.store.UpdateMethod(api, res, verb, ops)
	if err != nil {
		return err
	}
	return write(w, http.StatusOK, m)
}

func (a *API) deleteMethod(w http.ResponseWriter, r *http.Request) error {
	api, res, verb := methodVars(r)
	if err := a.store.DeleteMethod(api, res, verb); err != nil {
		return err
	}
	return noContent(w, http.StatusNoContent)
}

func (a *API) putMethodResponse(w http.ResponseWriter, r *http.Request) error {
	var in store.PutMethodResponseInput
	if err := decode(r, &in); err != nil {
		return err
	}
	api, res, verb := methodVars(r)
	mr, err := a.store.PutMethodResponse(api, res, verb, pathVar(r, "status_code"), in)
	if err != nil {
		return err
	}
	return write(w, http.StatusCreated, mr)
}

func (a *API) getMethodResponse(w http.ResponseWriter, r *http.Request) error {
	api, res, verb := methodVars(r)
	mr, err := a.store.GetMethodResponse(api, res, verb, pathVar(r, "status_code"))
	if err != nil {
		return err
	}
	return write(w, http.StatusOK, mr)
}

func (a *API) updateMethodResponse(w http.ResponseWriter, r *http.Request) error {
	ops, err := patchOps(r)
	if err != nil {
		return err
	}
	api, res, verb := methodVars(r)
	mr, err := a.store.UpdateMethodResponse(api, res, verb, pathVar(r, "status_code"), ops)
	if err != nil {
		return err
	}
	// The model gives UpdateMethodResponse 201, and the SDKs accept it.
	return write(w, http.StatusCreated, mr)
}

func (a *API) deleteMethodResponse(w http.ResponseWriter, r *http.Request) error {
	api, res, verb := methodVars(r)
	if err := a.store.DeleteMethodResponse(api, res, verb, pathVar(r, "status_code")); err != nil {
		return err
	}
	return noContent(w, http.StatusNoContent)
}

func (a *API) putIntegration(w http.ResponseWriter, r *http.Request) error {
	var in store.PutIntegrationInput
	if err := decode(r, &in); err != nil {
		return err
	}
	api, res, verb := methodVars(r)
	it, err := a.store.PutIntegration(api, res, verb, in)
	if err != nil {
		return err
	}
	return write(w, http.StatusCreated, it)
}

func (a *API) getIntegration(w http.ResponseWriter, r *http.Request) error {
	api, res, verb := methodVars(r)
	it, err := a.store.GetIntegration(api, res, verb)
	if err != nil {
		return err
	}
	return write(w, http.StatusOK, it)
}

func (a *API) updateIntegration(w http.ResponseWriter, r *http.Request) error {
	ops, err := patchOps(r)
	if err != nil {
		return err
	}
	api, res, verb := methodVars(r)
	it, err := a.store.UpdateIntegration(api, res, verb, ops)
	if err != nil {
		return err
	}
	return write(w, http.StatusOK, it)
}

func (a *API) deleteIntegration(w http.ResponseWriter, r *http.Request) error {
	api, res, verb := methodVars(r)
	if err := a.store.DeleteIntegration(api, res, verb); err != nil {
		return err
	}
	return noContent(w, http.StatusNoContent)
}

func (a *API) putIntegrationResponse(w http.ResponseWriter, r *http.Request) error {
	var in store.PutIntegrationResponseInput
	if err := decode(r, &in); err != nil {
		return err
	}
	api, res, verb := methodVars(r)
	ir, err := a.store.PutIntegrationResponse(api, res, verb, pathVar(r, "status_code"), in)
	if err != nil {
		return err
	}
	return write(w, http.StatusCreated, ir)
}

func (a *API) getIntegrationResponse(w http.ResponseWriter, r *http.Request) error {
	api, res, verb := methodVars(r)
	ir, err := a.store.GetIntegrationResponse(api, res, verb, pathVar(r, "status_code"))
	if err != nil {
		return err
	}
	return write(w, http.StatusOK, ir)
}

func (a *API) updateIntegrationResponse(w http.ResponseWriter, r *http.Request) error {
	ops, err := patchOps(r)
	if err != nil {
		return err
	}
	api, res, verb := methodVars(r)
	ir, err := a.store.UpdateIntegrationResponse(api, res, verb, pathVar(r, "status_code"), ops)
	if err != nil {
		return err
	}
	return write(w, http.StatusOK, ir)
}

func (a *API) deleteIntegrationResponse(w http.ResponseWriter, r *http.Request) error {
	api, res, verb := methodVars(r)
	if err := a.store.DeleteIntegrationResponse(api, res, verb, pathVar(r, "status_code")); err != nil {
		return err
	}
	return noContent(w, http.StatusNoContent)
}
