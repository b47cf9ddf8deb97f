package dataplane

import (
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/apigw-local/apigw-local/vtl/jsonpath"
)

// sourceKind is what a parameter-mapping expression reads.
type sourceKind uint8

const (
	srcInvalid           sourceKind = iota
	srcLiteral                      // 'static value'
	srcMethodPath                   // method.request.path.x
	srcMethodQuery                  // method.request.querystring.x
	srcMethodMultiQuery             // method.request.multivaluequerystring.x
	srcMethodHeader                 // method.request.header.x
	srcMethodMultiHeader            // method.request.multivalueheader.x
	srcMethodBody                   // method.request.body
	srcMethodBodyPath               // method.request.body.<jsonpath without $.>
	srcIntHeader                    // integration.response.header.x
	srcIntMultiHeader               // integration.response.multivalueheader.x
	srcIntBody                      // integration.response.body
	srcIntBodyPath                  // integration.response.body.<jsonpath without $.>
	srcStageVar                     // stageVariables.x
	srcContext                      // context.x
)

// Source is a compiled parameter-mapping expression (reference/vtl.md §6).
type Source struct {
	kind sourceKind
	// name is the literal value, the parameter, variable or header name.
	name string
	path *jsonpath.Path
	// Expr is the expression as configured.
	Expr string
}

// compileSource parses a mapping expression once. Expressions the store accepted but the
// emulator cannot evaluate (a JSONPath our dialect rejects) yield no value at run time.
func compileSource(expr string) Source {
	s := Source{Expr: expr}
	if lit, ok := literal(expr); ok {
		s.kind, s.name = srcLiteral, lit
		return s
	}
	type prefix struct {
		p    string
		kind sourceKind
	}
	for _, p := range []prefix{
		{"method.request.path.", srcMethodPath},
		{"method.request.querystring.", srcMethodQuery},
		{"method.request.multivaluequerystring.", srcMethodMultiQuery},
		{"method.request.header.", srcMethodHeader},
		{"method.request.multivalueheader.", srcMethodMultiHeader},
		{"method.request.body.", srcMethodBodyPath},
		{"integration.response.header.", srcIntHeader},
		{"integration.response.multivalueheader.", srcIntMultiHeader},
		{"integration.response.body.", srcIntBodyPath},
		{"stageVariables.", srcStageVar},
		{"context.", srcContext},
	} {
		if name, ok := strings.CutPrefix(expr, p.p); ok {
			s.kind, s.name = p.kind, name
			if p.kind == srcMethodBodyPath || p.kind == srcIntBodyPath {
				// The leading "$." is left out in mapping expressions (reference/vtl.md §2).
				path, err := jsonpath.Compile("$." + name)
				if err != nil {
					s.kind = srcInvalid
				}
				s.path = path
			}
			return s
		}
	}
	switch expr {
	case "method.request.body":
		s.kind = srcMethodBody
	case "integration.response.body":
		s.kind = srcIntBody
	}
	return s
}

// Mapping is one parameter mapping: Target ← Source.
type Mapping struct {
	// Target is the name of the header (or query string or path parameter) being set.
	Target string
	// Loc is the target's location for integration request mappings: path, querystring,
	// header, multivaluequerystring or multivalueheader.
	Loc    string
	Source Source
}

// headerMappings picks the targets with the given prefix, in name order.
func headerMappings(params map[string]string, prefix string) []Mapping {
	var out []Mapping
	for _, k := range slices.Sorted(maps.Keys(params)) {
		if name, ok := strings.CutPrefix(k, prefix); ok {
			out = append(out, Mapping{Target: name, Source: compileSource(params[k])})
		}
	}
	return out
}

// requestMappings compiles Integration.requestParameters (integration.request.{loc}.{name}).
func requestMappings(params map[string]string) []Mapping {
	var out []Mapping
	for _, k := range slices.Sorted(maps.Keys(params)) {
		rest, ok := strings.CutPrefix(k, "integration.request.")
		if !ok {
			continue
		}
		loc, name, ok := strings.Cut(rest, ".")
		if !ok {
			continue
		}
		out = append(out, Mapping{Target: name, Loc: loc, Source: compileSource(params[k])})
	}
	return out
}

// evalSource evaluates a mapping source; res is the integration response (nil on the
// request side) and ge the gateway error being rendered (nil otherwise). Multi-value
// sources are joined with commas.
func (x *Exchange) evalSource(s *Source, res *IntegrationResult, ge *GatewayError) (string, bool) {
	switch s.kind {
	case srcLiteral:
		return s.name, true
	case srcMethodPath:
		return x.PathParam(s.name)
	case srcMethodQuery:
		v := x.Query[s.name]
		if len(v) == 0 {
			return "", false
		}
		return v[len(v)-1], true
	case srcMethodMultiQuery:
		v := x.Query[s.name]
		return strings.Join(v, ","), len(v) > 0
	case srcMethodHeader:
		v := x.Req.Header.Values(s.name)
		if len(v) == 0 {
			return "", false
		}
		return v[len(v)-1], true
	case srcMethodMultiHeader:
		v := x.Req.Header.Values(s.name)
		return strings.Join(v, ","), len(v) > 0
	case srcMethodBody:
		return string(x.Body), true
	case srcMethodBodyPath:
		return bodyPath(x.requestDocument(), s.path)
	case srcStageVar:
		v, ok := x.StageVariables[s.name]
		return v, ok
	case srcContext:
		return x.ContextValue(s.name, ge)
	}
	if res == nil {
		return "", false
	}
	switch s.kind {
	case srcIntHeader:
		v := res.Header.Values(s.name)
		if len(v) == 0 {
			return "", false
		}
		return v[len(v)-1], true
	case srcIntMultiHeader:
		v := res.Header.Values(s.name)
		return strings.Join(v, ","), len(v) > 0
	case srcIntBody:
		return string(res.Body), true
	case srcIntBodyPath:
		if res.doc == nil {
			d := &jsonDoc{}
			d.v, d.ok = parseJSONDoc(res.Body)
			res.doc = d
		}
		return bodyPath(*res.doc, s.path)
	}
	return "", false
}

// evalMulti evaluates a source for a multi-value target: multi-value sources keep their
// values apart.
func (x *Exchange) evalMulti(s *Source) ([]string, bool) {
	switch s.kind {
	case srcMethodMultiQuery:
		v := x.Query[s.name]
		return v, len(v) > 0
	case srcMethodMultiHeader:
		v := x.Req.Header.Values(s.name)
		return v, len(v) > 0
	}
	v, ok := x.evalSource(s, nil, nil)
	if !ok {
		return nil, false
	}
	return []string{v}, true
}

// mapRequestParameters applies Integration.requestParameters to the integration request.
func (x *Exchange) mapRequestParameters(it *Integration, req *IntegrationRequest) {
	for i := range it.Params {
		m := &it.Params[i]
		switch m.Loc {
		case "path":
			if v, ok := x.evalSource(&m.Source, nil, nil); ok {
				if req.Path == nil {
					req.Path = make(map[string]string, len(it.Params))
				}
				req.Path[m.Target] = v
			}
		case "querystring", "multivaluequerystring":
			if v, ok := x.evalMulti(&m.Source); ok {
				if req.Query == nil {
					req.Query = make(map[string][]string, len(it.Params))
				}
				req.Query[m.Target] = slices.Clone(v)
			}
		case "header", "multivalueheader":
			if v, ok := x.evalMulti(&m.Source); ok {
				if req.Header == nil {
					req.Header = make(http.Header, len(it.Params))
				}
				req.Header[http.CanonicalHeaderKey(m.Target)] = slices.Clone(v)
			}
		}
	}
}

// applyRequestOverrides applies $context.requestOverride.* after the request template ran:
// overrides are final (reference/vtl.md §8).
func (x *Exchange) applyRequestOverrides(req *IntegrationRequest) {
	o := x.Overrides
	if o == nil {
		return
	}
	for k, v := range o.RequestHeader {
		if req.Header == nil {
			req.Header = http.Header{}
		}
		req.Header[http.CanonicalHeaderKey(k)] = slices.Clone(v)
	}
	for k, v := range o.RequestPath {
		if req.Path == nil {
			req.Path = map[string]string{}
		}
		req.Path[k] = v
	}
	for k, v := range o.RequestQueryString {
		if req.Query == nil {
			req.Query = map[string][]string{}
		}
		req.Query[k] = []string{v}
	}
}
