package dataplane

import (
	"encoding/json"
	"strconv"

	"github.com/ohler55/ojg/jp"
	"github.com/ohler55/ojg/oj"
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

// bodyPath evaluates a parameter-mapping JSONPath (written without the leading "$.", as in
// method.request.body.pets[0].name) against a JSON body.
func bodyPath(body []byte, expr string) (string, bool) {
	doc, err := oj.Parse(body)
	if err != nil {
		return "", false
	}
	x, err := jp.ParseString("$." + expr)
	if err != nil {
		return "", false
	}
	res := x.Get(doc)
	if len(res) == 0 {
		return "", false
	}
	return stringify(res[0]), true
}
