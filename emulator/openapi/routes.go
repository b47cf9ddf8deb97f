package openapi

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/apigw-local/apigw-local/emulator/awserr"
	"github.com/apigw-local/apigw-local/emulator/mgmt"
	"github.com/apigw-local/apigw-local/emulator/store"
)

// maxDocumentBytes bounds an import body. AWS's limit is 6 MB; a little more is accepted.
const maxDocumentBytes = 10 << 20

// Routes registers ImportRestApi, PutRestApi and GetExport on the management router. Call it
// from mgmt.Config.Extra: registered first, these replace the built-in "not implemented"
// entries for the same operations.
func Routes(r *mux.Router, h mgmt.Helpers, st *store.Store) {
	r.Handle("/restapis", h.Handle("ImportRestApi", func(w http.ResponseWriter, req *http.Request) error {
		opts, err := importOptions(req)
		if err != nil {
			return err
		}
		body, err := readDocument(req)
		if err != nil {
			return err
		}
		api, _, err := Import(st, body, opts)
		if err != nil {
			return err
		}
		return h.Write(w, http.StatusCreated, api)
	})).Methods(http.MethodPost).Queries("mode", "import")

	r.Handle("/restapis/{restapi_id}", h.Handle("PutRestApi", func(w http.ResponseWriter, req *http.Request) error {
		opts, err := importOptions(req)
		if err != nil {
			return err
		}
		opts.Mode = req.URL.Query().Get("mode")
		body, err := readDocument(req)
		if err != nil {
			return err
		}
		api, _, err := Put(st, h.Var(req, "restapi_id"), body, opts)
		if err != nil {
			return err
		}
		return h.Write(w, http.StatusOK, api)
	})).Methods(http.MethodPut)

	r.Handle("/restapis/{restapi_id}/stages/{stage_name}/exports/{export_type}", h.Handle("GetExport", func(w http.ResponseWriter, req *http.Request) error {
		q := req.URL.Query()
		opts := ExportOptions{Type: h.Var(req, "export_type"), YAML: wantsYAML(req.Header.Get("Accept"))}
		for _, e := range q["extensions"] {
			opts.Extensions = append(opts.Extensions, strings.Split(e, ",")...)
		}
		apiID, stage := h.Var(req, "restapi_id"), h.Var(req, "stage_name")
		doc, contentType, err := Export(st, apiID, stage, opts)
		if err != nil {
			return err
		}
		ext := "json"
		if contentType == ContentTypeYAML {
			ext = "yaml"
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", fmt.Sprintf("%s_%s_%s.%s", apiID, stage, strings.ToLower(opts.Type), ext)))
		w.Header().Set("Content-Length", strconv.Itoa(len(doc)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(doc)
		return nil
	})).Methods(http.MethodGet)
}

// importOptions reads the query parameters of ImportRestApi and PutRestApi. The SDKs send
// the parameters map as plain query parameters (basepath=split&endpointConfigurationTypes=
// REGIONAL&ignore=documentation).
func importOptions(req *http.Request) (ImportOptions, error) {
	q := req.URL.Query()
	var opts ImportOptions
	if v := q.Get("failonwarnings"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return opts, awserr.New(awserr.BadRequest, "Invalid failonwarnings parameter value '%s'. Valid values are true, false.", v)
		}
		opts.FailOnWarnings = b
	}
	opts.BasePath = strings.ToLower(q.Get("basepath"))
	for _, v := range q["endpointConfigurationTypes"] {
		opts.EndpointTypes = append(opts.EndpointTypes, strings.Split(v, ",")...)
	}
	opts.IgnoreDocumentation = strings.EqualFold(q.Get("ignore"), "documentation")
	return opts, nil
}

func readDocument(req *http.Request) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(req.Body, maxDocumentBytes+1))
	if err != nil {
		return nil, awserr.New(awserr.BadRequest, "Could not read the request body: %v", err)
	}
	if len(body) > maxDocumentBytes {
		return nil, awserr.New(awserr.BadRequest, "The API definition exceeds the maximum size of %d bytes", maxDocumentBytes)
	}
	return body, nil
}

// wantsYAML reports whether an Accept header asks for YAML. The Go SDK always sends
// application/json, so JSON is the default.
func wantsYAML(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml":
			return true
		case "application/json":
			return false
		}
	}
	return false
}
