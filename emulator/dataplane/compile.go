package dataplane

import (
	"fmt"
	"log/slog"
	"maps"
	"mime"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apigw-local/apigw-local/emulator/store"
	"github.com/apigw-local/apigw-local/vtl/apigw"
)

// Deployment is a deployment snapshot compiled for serving: the route tree, parsed mapping
// templates, compiled selection patterns and parameter mappings. It is built once, when the
// deployment is created, and only read afterwards, so requests take no lock.
type Deployment struct {
	Snapshot *store.Snapshot
	root     routeNode

	// BinaryMediaTypes of the API at deployment time.
	BinaryMediaTypes []string
	binary           mediaMatcher
	// GatewayResponses are the API's customised gateway responses by type.
	GatewayResponses map[string]*GatewayResponse
}

// Resource is a compiled resource with its methods (ANY included).
type Resource struct {
	ID      string
	Path    string
	Methods map[string]*Method
}

// Method is a compiled method.
type Method struct {
	*store.Method
	Resource    *Resource
	Integration *Integration
	// Validation is the method's request validator, nil without one.
	Validation *Validation
}

// Template is a parsed mapping template, or the reason it could not be parsed (reported
// when a request needs it, with AWS's 500, as AWS reports template errors at run time).
type Template struct {
	ContentType string
	Source      string
	T           *apigw.Template
	Err         error
}

// Integration is a compiled integration.
type Integration struct {
	*store.Integration
	Timeout time.Duration
	// Proxy is set for AWS_PROXY and HTTP_PROXY: no mapping templates, no integration
	// responses; the backend's answer is the method response.
	Proxy bool
	// Params are the integration.request.* mappings (requestParameters), in target order.
	Params []Mapping
	// Endpoint is the URI of HTTP and HTTP_PROXY integrations compiled with its
	// ${stageVariables.x} and {x} placeholders; nil for other types.
	Endpoint *URITemplate
	// AWS is the parsed service ARN of AWS and AWS_PROXY integrations (nil if the URI is
	// not one).
	AWS              *AWSTarget
	RequestTemplates map[string]*Template
	// Responses are the integration responses with a selection pattern, in status order;
	// Default is the one without (nil if none).
	Responses []*IntegrationResponse
	Default   *IntegrationResponse
}

// IntegrationResponse is a compiled integration response.
type IntegrationResponse struct {
	*store.IntegrationResponse
	Status    int
	Pattern   *regexp.Regexp // nil for the default response
	Templates map[string]*Template
	// Order of Templates keys as declared (sorted), for the "first template" fallback.
	TemplateOrder []string
	// Headers are the method.response.header.* mappings, in name order.
	Headers []Mapping
}

// GatewayResponse is a compiled customised gateway response.
type GatewayResponse struct {
	*store.GatewayResponse
	Status  int // 0: use the type's default status
	Headers []Mapping
	// Templates are the response templates by lower-cased media type (the default template
	// under application/json when the API set none); Fallback is the one used when neither
	// the Accept header's type nor application/json has one: the first in media type order.
	Templates map[string]gatewayTemplate
	Fallback  gatewayTemplate
}

// Compile builds the served form of a deployment snapshot. It never fails: problems that
// AWS reports at run time (a template that does not parse, a pattern Go cannot compile)
// are kept and reported when a request reaches them.
func Compile(snap *store.Snapshot, log *slog.Logger) *Deployment {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Deployment{
		Snapshot:         snap,
		BinaryMediaTypes: snap.API.BinaryMediaTypes,
		binary:           newMediaMatcher(snap.API.BinaryMediaTypes),
		GatewayResponses: map[string]*GatewayResponse{},
	}
	schemas := newSchemaSet(snap.Models)
	for _, r := range snap.Resources {
		cr := &Resource{ID: r.ID, Path: r.Path, Methods: make(map[string]*Method, len(r.Methods))}
		for verb, m := range r.Methods {
			where := fmt.Sprintf("%s %s", verb, r.Path)
			cm := &Method{Method: m, Resource: cr, Validation: compileValidation(snap, m, schemas, where, log)}
			if m.Integration != nil {
				cm.Integration = compileIntegration(m.Integration, where, log)
			}
			cr.Methods[verb] = cm
		}
		var parts []string
		if r.Path != "/" {
			parts = strings.Split(strings.TrimPrefix(r.Path, "/"), "/")
		}
		d.root.insert(parts, cr)
	}
	for typ, g := range snap.GatewayResponses {
		cg := &GatewayResponse{GatewayResponse: g, Headers: headerMappings(g.ResponseParameters, "gatewayresponse.header.")}
		cg.Status, _ = strconv.Atoi(g.StatusCode)
		cg.Templates, cg.Fallback = compileGatewayTemplates(g.ResponseTemplates)
		d.GatewayResponses[typ] = cg
	}
	return d
}

func compileIntegration(in *store.Integration, where string, log *slog.Logger) *Integration {
	ci := &Integration{
		Integration:      in,
		Timeout:          time.Duration(in.TimeoutInMillis) * time.Millisecond,
		Proxy:            in.Type == "AWS_PROXY" || in.Type == "HTTP_PROXY",
		Params:           requestMappings(in.RequestParameters),
		RequestTemplates: compileTemplates(in.RequestTemplates, where+" request", log),
	}
	if ci.Timeout <= 0 {
		ci.Timeout = store.DefaultTimeoutMillis * time.Millisecond
	}
	switch in.Type {
	case "HTTP", "HTTP_PROXY":
		ci.Endpoint = parseURITemplate(in.URI, true)
	case "AWS", "AWS_PROXY":
		if t, ok := parseAWSTarget(in.URI); ok {
			ci.AWS = t
		} else {
			log.Warn("integration URI is not an API Gateway service ARN; requests will fail with 500", "integration", where, "uri", in.URI)
		}
	}
	statuses := slices.Sorted(maps.Keys(in.IntegrationResponses))
	for _, status := range statuses {
		ir := in.IntegrationResponses[status]
		cr := &IntegrationResponse{
			IntegrationResponse: ir,
			Templates:           compileTemplates(ir.ResponseTemplates, where+" response "+status, log),
			TemplateOrder:       slices.Sorted(maps.Keys(ir.ResponseTemplates)),
			Headers:             headerMappings(ir.ResponseParameters, "method.response.header."),
		}
		cr.Status, _ = strconv.Atoi(status)
		if ir.SelectionPattern == nil || *ir.SelectionPattern == "" {
			if ci.Default == nil {
				ci.Default = cr
			}
			continue
		}
		// Java's String.matches: the whole value must match.
		re, err := regexp.Compile(`^(?:` + *ir.SelectionPattern + `)$`)
		if err != nil {
			log.Warn("selection pattern is not supported by the emulator's regular expressions; it will never match",
				"integration", where, "status", status, "pattern", *ir.SelectionPattern, "err", err)
			continue
		}
		cr.Pattern = re
		ci.Responses = append(ci.Responses, cr)
	}
	return ci
}

// compileTemplates parses mapping templates keyed by content type (keys lower-cased).
func compileTemplates(src map[string]string, where string, log *slog.Logger) map[string]*Template {
	if len(src) == 0 {
		return nil
	}
	out := make(map[string]*Template, len(src))
	for ct, text := range src {
		key := normalMediaType(ct)
		t := &Template{ContentType: ct, Source: text}
		if text != "" {
			t.T, t.Err = apigw.Compile(where+" "+ct, text)
			if t.Err != nil {
				log.Warn("mapping template does not parse; requests that use it will fail with 500", "template", where+" "+ct, "err", t.Err)
			}
		}
		out[key] = t
	}
	return out
}

// normalMediaType returns the lower-cased media type without parameters.
func normalMediaType(ct string) string {
	ct = strings.TrimSpace(ct)
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = strings.TrimSpace(ct[:i])
	}
	if strings.ContainsAny(ct, " \t") {
		if mt, _, err := mime.ParseMediaType(ct); err == nil {
			return mt
		}
	}
	return strings.ToLower(ct)
}
