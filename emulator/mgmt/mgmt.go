// Package mgmt serves the apigateway (v1) management API the way the AWS SDKs and the AWS
// CLI call it: REST paths without a version prefix, JSON bodies with AWS's member names,
// dates as epoch seconds, lists under "item", typed errors with the x-amzn-ErrorType header.
//
// Handlers decode a request, call the store, and encode the result; they hold no state of
// their own. Operations the emulator does not implement answer 501 with the operation's name
// (never 500, which SDKs retry).
package mgmt

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/apigw-local/apigw-local/emulator/awserr"
	"github.com/apigw-local/apigw-local/emulator/requestid"
	"github.com/apigw-local/apigw-local/emulator/store"
)

// maxBodyBytes bounds management request bodies (AWS's import limit is 6 MB).
const maxBodyBytes = 10 << 20

// Config configures the management API.
type Config struct {
	Store      *store.Store
	Logger     *slog.Logger
	RequestIDs requestid.Source
	// Extra registers routes of later features (API keys, usage plans, import, ...) on the
	// router before the catch-all; it may replace operations this package lists as
	// unimplemented by registering the same method and path first.
	Extra func(r *mux.Router, h Helpers)
}

// API is the apigateway (v1) management API.
type API struct {
	store  *store.Store
	log    *slog.Logger
	ids    requestid.Source
	router *mux.Router
}

// New builds the management API and its routes.
func New(cfg Config) *API {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.RequestIDs == nil {
		cfg.RequestIDs = requestid.Random{}
	}
	a := &API{store: cfg.Store, log: cfg.Logger, ids: cfg.RequestIDs}
	a.router = a.routes(cfg.Extra)
	return a
}

// ServeHTTP serves one management request.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.router.ServeHTTP(w, r) }

// Helpers are the request and response helpers handlers of other packages use, so every
// management operation decodes and renders the same way.
type Helpers struct{ a *API }

// Handle wraps an operation: it stamps the request id and renders a returned error.
func (h Helpers) Handle(op string, fn func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return h.a.handle(op, fn)
}

// Decode reads a JSON body into v; an empty body leaves v as it is.
func (Helpers) Decode(r *http.Request, v any) error { return decode(r, v) }

// Write encodes v as JSON with the given status.
func (Helpers) Write(w http.ResponseWriter, status int, v any) error { return write(w, status, v) }

// Var returns a decoded path variable.
func (Helpers) Var(r *http.Request, name string) string { return pathVar(r, name) }

// Page reads the position and limit query parameters.
func (Helpers) Page(r *http.Request) (string, int, error) { return page(r) }

// PatchOps decodes a {"patchOperations": [...]} body.
func (Helpers) PatchOps(r *http.Request) ([]store.PatchOp, error) { return patchOps(r) }

type opFunc func(w http.ResponseWriter, r *http.Request) error

func (a *API) handle(op string, fn opFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := a.ids.New()
		w.Header()["x-amzn-RequestId"] = []string{id}
		if err := fn(w, r); err != nil {
			var ae *awserr.Error
			if errors.As(err, &ae) {
				a.log.Debug("management call failed", "op", op, "code", ae.Code, "message", ae.Message)
			} else {
				a.log.Error("management call failed", "op", op, "err", err)
			}
			awserr.Write(w, id, err)
		}
	})
}

// notImplemented answers 501 naming the operation.
func (a *API) notImplemented(op string) http.Handler {
	return a.handle(op, func(http.ResponseWriter, *http.Request) error {
		return awserr.New(awserr.NotImplemented, "The operation %s is not implemented by apigw-local yet", op)
	})
}

// decode reads a JSON request body into v. An empty body leaves v unchanged. Malformed JSON
// and wrong member types are BadRequestExceptions that name the problem.
func decode(r *http.Request, v any) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return awserr.New(awserr.BadRequest, "Could not read the request body: %v", err)
	}
	if len(body) > maxBodyBytes {
		return awserr.New(awserr.BadRequest, "Request body exceeds the maximum size of %d bytes", maxBodyBytes)
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return jsonError(err)
	}
	return nil
}

func jsonError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return awserr.New(awserr.BadRequest, "Invalid JSON in request body at offset %d: %s", se.Offset, se.Error())
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return awserr.New(awserr.BadRequest, "Invalid request body: expected a JSON %s, got %s", goTypeName(te.Type.Kind().String()), te.Value)
		}
		return awserr.New(awserr.BadRequest, "Invalid value for member '%s': expected %s, got %s", field, goTypeName(te.Type.Kind().String()), te.Value)
	}
	return awserr.New(awserr.BadRequest, "Invalid JSON in request body: %v", err)
}

func goTypeName(kind string) string {
	switch kind {
	case "struct", "map":
		return "object"
	case "slice":
		return "array"
	case "bool":
		return "boolean"
	case "int", "int64", "float64":
		return "number"
	case "ptr":
		return "value"
	}
	return kind
}

// write encodes v as JSON with the given status.
func write(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
	return nil
}

// noContent answers an empty body with the given status (202 or 204 for deletes).
func noContent(w http.ResponseWriter, status int) error {
	w.WriteHeader(status)
	return nil
}

// list is the v1 list envelope: items under "item", the next page under "position".
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

// pathVar returns a percent-decoded path variable (the router matches encoded paths so
// ARNs with %2F survive).
func pathVar(r *http.Request, name string) string {
	v := mux.Vars(r)[name]
	if d, err := url.PathUnescape(v); err == nil {
		return d
	}
	return v
}

// page reads the position and limit query parameters.
func page(r *http.Request) (string, int, error) {
	q := r.URL.Query()
	limit := 0
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil {
			return "", 0, awserr.New(awserr.BadRequest, "Invalid limit %q: the limit must be a number between 1 and 500", l)
		}
		limit = n
	}
	return q.Get("position"), limit, nil
}

// patchOps decodes {"patchOperations": [...]}.
func patchOps(r *http.Request) ([]store.PatchOp, error) {
	var in struct {
		PatchOperations []store.PatchOp `json:"patchOperations"`
	}
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	return in.PatchOperations, nil
}

// embeds reports whether the embed query parameter (repeatable, or comma separated) names v.
func embeds(r *http.Request, v string) bool {
	for _, e := range r.URL.Query()["embed"] {
		for _, part := range strings.Split(e, ",") {
			if strings.EqualFold(strings.TrimSpace(part), v) {
				return true
			}
		}
	}
	return false
}
