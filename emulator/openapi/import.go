package openapi

import (
	"slices"
	"strings"

	"github.com/apigw-local/apigw-local/emulator/awserr"
	"github.com/apigw-local/apigw-local/emulator/store"
)

// Base path modes of the basepath import parameter.
const (
	BasePathIgnore  = "ignore"
	BasePathPrepend = "prepend"
	BasePathSplit   = "split"
)

// ImportOptions are the parameters of ImportRestApi and PutRestApi.
type ImportOptions struct {
	// FailOnWarnings rejects a document that produces warnings (failonwarnings=true).
	FailOnWarnings bool
	// BasePath says what to do with the document's base path (Swagger basePath, or the
	// path of the first OpenAPI 3 server or its basePath variable): BasePathIgnore (the
	// default), BasePathPrepend or BasePathSplit.
	BasePath string
	// EndpointTypes sets the endpoint type (endpointConfigurationTypes: EDGE, REGIONAL or
	// PRIVATE); empty keeps EDGE for a new API and the current type for PutRestApi.
	EndpointTypes []string
	// IgnoreDocumentation drops x-amazon-apigateway-documentation without a warning
	// (ignore=documentation).
	IgnoreDocumentation bool
	// Mode is PutRestApi's mode: store.ModeMerge (the default) or store.ModeOverwrite.
	Mode string
	// ID fixes the id of an imported API (project loaders use it for stable ids). Tags are
	// the new API's tags; a CustomIDTag tag fixes the id too.
	ID   string
	Tags map[string]string
}

func (o *ImportOptions) check() error {
	switch o.BasePath {
	case "", BasePathIgnore, BasePathPrepend, BasePathSplit:
	default:
		return awserr.New(awserr.BadRequest, "Invalid basepath parameter value '%s'. Valid values are ignore, prepend, split.", o.BasePath)
	}
	for i, t := range o.EndpointTypes {
		o.EndpointTypes[i] = strings.ToUpper(strings.TrimSpace(t))
		if !slices.Contains([]string{"EDGE", "REGIONAL", "PRIVATE"}, o.EndpointTypes[i]) {
			return awserr.New(awserr.BadRequest, "Invalid endpointConfigurationTypes parameter value '%s'. Valid values are EDGE, REGIONAL, PRIVATE.", t)
		}
	}
	return nil
}

// failOnWarnings is the BadRequestException of failonwarnings=true: the warnings, rolled
// back (AWS: "warnings are returned as a message in the exception").
func failOnWarnings(warnings []string) error {
	return awserr.New(awserr.BadRequest, "Warnings found during import:\n\t%s", strings.Join(warnings, "\n\t"))
}

// Import creates a REST API from an OpenAPI 2.0 or 3.0 document (JSON or YAML), as
// ImportRestApi does, and returns it with the import warnings (also in its Warnings). A
// document that cannot be imported is a BadRequestException that says what is wrong and
// where; nothing is created then.
func Import(st *store.Store, doc []byte, opts ImportOptions) (*store.RestAPI, []string, error) {
	opts.EndpointTypes = slices.Clone(opts.EndpointTypes)
	if err := opts.check(); err != nil {
		return nil, nil, err
	}
	b, err := newBuilder(doc, opts)
	if err != nil {
		return nil, nil, err
	}
	if strings.TrimSpace(b.settings.name) == "" {
		return nil, b.warnings, invalidInput("'info.title' is required: it names the REST API.")
	}
	if opts.FailOnWarnings && len(b.warnings) > 0 {
		return nil, b.warnings, failOnWarnings(b.warnings)
	}
	api, err := st.ImportDefinition(store.ImportInput{
		ID:    opts.ID,
		Tags:  opts.Tags,
		Build: func(id string) (*store.Definition, error) { return b.definition(id, ""), nil },
	})
	if err != nil {
		return nil, b.warnings, err
	}
	api.Warnings = slices.Clone(b.warnings)
	return api, b.warnings, nil
}

// Put imports a document into an existing REST API, as PutRestApi does: opts.Mode
// store.ModeMerge (the default) adds to and replaces parts of the API, store.ModeOverwrite
// replaces its whole definition. The API keeps its name, id, stages and deployments. An
// unknown id is the store's NotFoundException; a failed import changes nothing.
func Put(st *store.Store, apiID string, doc []byte, opts ImportOptions) (*store.RestAPI, []string, error) {
	opts.EndpointTypes = slices.Clone(opts.EndpointTypes)
	mode := opts.Mode
	if mode == "" {
		mode = store.ModeMerge
	}
	if mode != store.ModeMerge && mode != store.ModeOverwrite {
		return nil, nil, awserr.New(awserr.BadRequest, "Invalid mode '%s'. Valid values are merge, overwrite.", opts.Mode)
	}
	if err := opts.check(); err != nil {
		return nil, nil, err
	}
	if _, err := st.GetRestAPI(apiID); err != nil {
		return nil, nil, err
	}
	b, err := newBuilder(doc, opts)
	if err != nil {
		return nil, nil, err
	}
	if opts.FailOnWarnings && len(b.warnings) > 0 {
		return nil, b.warnings, failOnWarnings(b.warnings)
	}
	api, err := st.ReplaceDefinition(apiID, b.definition(apiID, mode), mode)
	if err != nil {
		return nil, b.warnings, err
	}
	api.Warnings = slices.Clone(b.warnings)
	return api, b.warnings, nil
}
