package dataplane

import (
	"encoding/json"
	"strconv"

	"github.com/apigw-local/apigw-local/vtl/jsonpath"
)

// stringify renders an authorizer context or claim value the way API Gateway passes it to
// templates: strings as they are, numbers without a trailing .0, others as compact JSON.
func stringify(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case bool:
		return strconv.FormatBool(t)
	case float64:
		if t == float64(int64(t)) {
			return strconv.FormatInt(int64(t), 10)
		}
		return strconv.FormatFloat(t, 'f', -1, 64)
	case json.Number:
		return t.String()
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// jsonDoc is a parsed JSON body, or the fact that it did not parse.
type jsonDoc struct {
	v  any
	ok bool
}

// requestDocument parses the request body once per request for method.request.body.x
// mappings, with the JSONPath dialect mapping templates use (vtl/jsonpath).
func (x *Exchange) requestDocument() jsonDoc {
	if x.doc == nil {
		d := &jsonDoc{}
		d.v, d.ok = parseJSONDoc(x.Body)
		x.doc = d
	}
	return *x.doc
}

func parseJSONDoc(b []byte) (any, bool) {
	if len(b) == 0 {
		return nil, false
	}
	v, err := jsonpath.ParseJSON(b)
	return v, err == nil
}

// bodyPath evaluates a parameter-mapping JSONPath (written without the leading "$.", as in
// method.request.body.pets[0].name) against a parsed body: strings come out as they are,
// anything else as compact JSON.
func bodyPath(doc jsonDoc, p *jsonpath.Path) (string, bool) {
	if !doc.ok || p == nil {
		return "", false
	}
	v, ok := p.Eval(doc.v)
	if !ok {
		return "", false
	}
	return jsonpath.Render(v), true
}
