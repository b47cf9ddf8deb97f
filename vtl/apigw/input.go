package apigw

import (
	"fmt"
	"strings"
	"sync"
	"unsafe"

	"github.com/apigw-local/apigw-local/vtl"
	"github.com/apigw-local/apigw-local/vtl/jsonpath"
)

// env is the per-render state behind the template variables. One
// allocation holds all of it; maps are built only when a template asks.
type env struct {
	t   *Template
	req *Request
	ctx *Context

	input  inputObj
	util   utilObj
	ctxObj contextObj
	ovr    overrideState

	body       string // a view of Request.Body, which must not change during Render
	bodyLoaded bool
	doc        vtl.Value
	docErr     error
	docLoaded  bool
	tracker    vtl.Tracker

	// maps for $input.params() and $stageVariables, reused across renders
	pathMap, queryMap, headerMap, paramsMap, stageMap vtl.Map
	haveParams, haveStage                             bool

	// Values of the objects above, made once: wrapping allocates.
	inputVal, utilVal, ctxVal vtl.Value

	rootJSON     string // $input.json('$'), which depends only on the payload
	haveRootJSON bool
	jsonBuf      []byte // holds rootJSON; reused by the next render, so nothing returned may share it
	meter        vtl.Meter
}

// envPool recycles render environments: nothing a render returns refers to
// one (results hold copies).
var envPool = sync.Pool{New: func() any { return new(env) }}

// SetMeter implements vtl.MeteredEnv.
func (e *env) SetMeter(m vtl.Meter) { e.meter = m }

// charge accounts for work proportional to n bytes.
func (e *env) charge(n int) error {
	if e.meter == nil {
		return nil
	}
	return e.meter.Charge(1 + n>>4)
}

var emptyContext Context

func newEnv(t *Template, req *Request) *env {
	e := envPool.Get().(*env)
	e.t, e.req, e.ctx = t, req, req.Context
	if e.ctx == nil {
		e.ctx = &emptyContext
	}
	if e.input.e == nil { // first use: point the objects back at the env
		e.input.e, e.util.e, e.ctxObj.e, e.ovr.e = e, e, e, e
		e.ctxObj.auth.o = &e.ctxObj
		e.inputVal, e.utilVal, e.ctxVal = vtl.ObjectValue(&e.input), vtl.ObjectValue(&e.util), vtl.ObjectValue(&e.ctxObj)
		c := &e.ctxObj
		c.identVal, c.authVal, c.errVal, c.claimsVal = vtl.ObjectValue(&c.ident), vtl.ObjectValue(&c.auth),
			vtl.ObjectValue(&c.errObj), vtl.ObjectValue(&c.claims)
	}
	e.ctxObj.ident.c, e.ctxObj.claims.c, e.ctxObj.errObj.c = e.ctx, e.ctx, e.ctx
	return e
}

// release resets the environment, field by field, and returns it to the
// pool.
func (e *env) release() {
	if e.haveParams {
		e.pathMap.Reset(0)
		e.queryMap.Reset(0)
		e.headerMap.Reset(0)
		e.paramsMap.Reset(0)
	}
	if e.haveStage {
		e.stageMap.Reset(0)
	}
	e.t, e.req, e.ctx, e.meter, e.docErr = nil, nil, nil, nil, nil
	if cap(e.jsonBuf) > 1<<20 {
		e.jsonBuf = nil // do not keep a large payload's buffer around
	}
	e.body, e.rootJSON, e.doc = "", "", vtl.Value{}
	e.bodyLoaded, e.docLoaded, e.haveParams, e.haveStage, e.haveRootJSON = false, false, false, false, false
	e.tracker = vtl.Tracker{}
	e.ctxObj.extra = nil
	if e.ovr.req != nil || e.ovr.resp != nil || e.ovr.set != nil {
		e.ovr = overrideState{e: e}
	}
	envPool.Put(e)
}

// Lookup implements vtl.Env.
func (e *env) Lookup(name string) vtl.Value {
	switch name {
	case "input":
		return e.inputVal
	case "util":
		return e.utilVal
	case "context":
		return e.ctxVal
	case "stageVariables":
		if !e.haveStage {
			e.haveStage = true
			fillMap(&e.stageMap, e.req.StageVariables)
		}
		return vtl.MapValue(&e.stageMap)
	}
	return vtl.Value{}
}

func fillMap(m *vtl.Map, ps []Param) {
	m.Reset(len(ps))
	for _, p := range ps {
		m.Put(p.Name, vtl.String(p.Value))
	}
}

// bodyText is $input.body: the payload, or "{}" when it is empty.
func (e *env) bodyText() string {
	if !e.bodyLoaded {
		e.bodyLoaded = true
		// A view, not a copy: Request.Body does not change during Render,
		// and nothing derived from it outlives the render uncopied.
		e.body = unsafe.String(unsafe.SliceData(e.req.Body), len(e.req.Body))
		if e.body == "" {
			e.body = "{}"
		}
	}
	return e.body
}

// document parses the body once per render, again only if a template
// changed the parsed tree (each $input.path call sees the payload as sent).
func (e *env) document() (vtl.Value, error) {
	if !e.docLoaded || e.tracker.Changed {
		e.tracker.Changed = false
		e.docLoaded = true
		if err := e.charge(4 * len(e.bodyText())); err != nil {
			return vtl.Value{}, err
		}
		e.doc, e.docErr = parseBody(e.bodyText(), &e.tracker)
	}
	return e.doc, e.docErr
}

func parseBody(s string, tr *vtl.Tracker) (vtl.Value, error) {
	v, err := vtl.ParseJSON(s, tr)
	if err == nil {
		return v, nil
	}
	t := strings.TrimSpace(s)
	if t == "" {
		return vtl.MapValue(vtl.NewTrackedMap(0, tr)), nil
	}
	if strings.IndexByte("{[\"", t[0]) >= 0 {
		return vtl.Value{}, fmt.Errorf("unable to parse the payload as JSON: %v", err)
	}
	return vtl.String(t), nil
}

// eval applies a JSONPath to the payload.
func (e *env) eval(path string) (vtl.Value, bool, error) {
	p, err := e.t.path(path)
	if err != nil {
		return vtl.Value{}, false, err
	}
	doc, err := e.document()
	if err != nil {
		return vtl.Value{}, false, err
	}
	cost := len(path)
	if !p.Definite() {
		cost += 8 * len(e.bodyText()) // a search may visit the whole payload
	}
	if err := e.charge(cost); err != nil {
		return vtl.Value{}, false, err
	}
	v, ok := jsonpath.Evaluate[vtl.Value](p, valueModel{&e.tracker}, doc)
	return v, ok, nil
}

// inputObj is $input.
type inputObj struct{ e *env }

func (o *inputObj) Property(name string) (vtl.Value, error) {
	if name == "body" {
		return vtl.String(o.e.bodyText()), nil
	}
	return vtl.Value{}, nil
}

func (o *inputObj) Call(name string, args []vtl.Value) (vtl.Value, error) {
	e := o.e
	switch name {
	case "getBody":
		if len(args) == 0 {
			return vtl.String(e.bodyText()), nil
		}
	case "path", "json":
		if len(args) != 1 {
			return vtl.Value{}, nil
		}
		p, ok := args[0].AsString()
		if !ok {
			return vtl.Value{}, nil
		}
		if name == "json" && p == "$" {
			// The whole payload: rewrite it in one pass when possible.
			if e.haveRootJSON {
				return vtl.String(e.rootJSON), nil
			}
			body := e.bodyText()
			if err := e.charge(len(body)); err != nil {
				return vtl.Value{}, err
			}
			if out, ok := vtl.AppendCompactJSON(e.jsonBuf[:0], body); ok && len(out) > 0 {
				// The string shares the buffer, which is not written again
				// during this render.
				e.jsonBuf = out
				e.rootJSON, e.haveRootJSON = unsafe.String(&out[0], len(out)), true
				return vtl.String(e.rootJSON), nil
			}
		}
		v, found, err := e.eval(p)
		if err != nil {
			return vtl.Value{}, fmt.Errorf("$input.%s(%q): %v", name, p, err)
		}
		if name == "path" {
			return v, nil
		}
		if !found {
			return vtl.String(""), nil
		}
		text, err := vtl.JSONText(v)
		if err != nil {
			return vtl.Value{}, fmt.Errorf("$input.json(%q): %v", p, err)
		}
		return vtl.String(text), nil
	case "params":
		switch len(args) {
		case 0:
			if !e.haveParams {
				e.haveParams = true
				fillMap(&e.pathMap, e.req.Path)
				fillMap(&e.queryMap, e.req.QueryString)
				fillMap(&e.headerMap, e.req.Header)
				e.paramsMap.Reset(3)
				e.paramsMap.Put("path", vtl.MapValue(&e.pathMap))
				e.paramsMap.Put("querystring", vtl.MapValue(&e.queryMap))
				e.paramsMap.Put("header", vtl.MapValue(&e.headerMap))
			}
			return vtl.MapValue(&e.paramsMap), nil
		case 1:
			n, ok := args[0].AsString()
			if !ok {
				return vtl.Value{}, nil
			}
			// The last value of a repeated name wins, as in the maps.
			for _, ps := range [...][]Param{e.req.Path, e.req.QueryString, e.req.Header} {
				for i := len(ps) - 1; i >= 0; i-- {
					if ps[i].Name == n {
						return vtl.String(ps[i].Value), nil
					}
				}
			}
			return vtl.String(""), nil
		}
	}
	return vtl.Value{}, nil
}

// valueModel lets jsonpath walk template values. Lists it builds report
// changes to the payload's tracker, so a changed result is not reused.
type valueModel struct{ tr *vtl.Tracker }

func (valueModel) Kind(v vtl.Value) jsonpath.Kind {
	switch v.Kind() {
	case vtl.KindNull:
		return jsonpath.KindNull
	case vtl.KindBool:
		return jsonpath.KindBool
	case vtl.KindInt, vtl.KindFloat, vtl.KindBig:
		return jsonpath.KindNumber
	case vtl.KindString:
		return jsonpath.KindString
	case vtl.KindList:
		return jsonpath.KindArray
	case vtl.KindMap:
		return jsonpath.KindObject
	}
	return jsonpath.KindOther
}

func (valueModel) Len(v vtl.Value) int {
	if l, ok := v.AsList(); ok {
		return l.Len()
	}
	if m, ok := v.AsMap(); ok {
		return m.Len()
	}
	return 0
}

func (valueModel) Index(v vtl.Value, i int) vtl.Value {
	l, _ := v.AsList()
	return l.At(i)
}

func (valueModel) Entry(v vtl.Value, i int) (string, vtl.Value) {
	m, _ := v.AsMap()
	return m.Key(i), m.ValueAt(i)
}

func (valueModel) Field(v vtl.Value, name string) (vtl.Value, bool) {
	m, _ := v.AsMap()
	return m.Get(name)
}

func (valueModel) Str(v vtl.Value) string { s, _ := v.AsString(); return s }

func (valueModel) Num(v vtl.Value) float64 { f, _ := v.AsNumber(); return f }

func (valueModel) Bool(v vtl.Value) bool { b, _ := v.AsBool(); return b }

func (m valueModel) MakeArray(items []vtl.Value) vtl.Value {
	return vtl.ListValue(vtl.NewTrackedJSONArray(m.tr, items...))
}

func (valueModel) MakeObject(keys []string, vals []vtl.Value) vtl.Value {
	m := vtl.NewMap(len(keys))
	for i, k := range keys {
		m.Put(k, vals[i])
	}
	return vtl.MapValue(m)
}

func (valueModel) MakeInt(n int) vtl.Value { return vtl.Int(int64(n)) }

func (valueModel) MakeFloat(f float64) vtl.Value { return vtl.Float(f) }

func (valueModel) MakeString(s string) vtl.Value { return vtl.String(s) }
