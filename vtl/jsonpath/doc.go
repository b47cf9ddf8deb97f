package jsonpath

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"slices"
	"strconv"

	"github.com/apigw-local/apigw-local/vtl/internal/java"
)

// Object is a JSON object that keeps its members in document order.
type Object struct {
	Keys   []string
	Values []any
}

// Get returns the member named key. A repeated key yields its last value.
func (o *Object) Get(key string) (any, bool) {
	for i := len(o.Keys) - 1; i >= 0; i-- {
		if o.Keys[i] == key {
			return o.Values[i], true
		}
	}
	return nil, false
}

// ParseJSON parses a JSON document into nil, bool, json.Number, string,
// []any and *Object values, keeping the order of object members.
func ParseJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("jsonpath: unexpected data after JSON value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := t.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := &Object{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				k := kt.(string)
				if i := slices.Index(o.Keys, k); i >= 0 {
					o.Values[i] = v
					continue
				}
				o.Keys = append(o.Keys, k)
				o.Values = append(o.Values, v)
			}
			_, err := dec.Token()
			return o, err
		case '[':
			a := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			_, err := dec.Token()
			return a, err
		}
		return nil, fmt.Errorf("jsonpath: unexpected %v", t)
	}
	return t, nil
}

// Eval applies p to a document made of nil, bool, numbers (json.Number,
// float64, int, int64), string, []any, *Object and map[string]any (whose
// members are visited in sorted order). It returns the match of a definite
// path, or a []any of all matches of any other path; ok is false when a
// definite path matches nothing.
func (p *Path) Eval(doc any) (any, bool) {
	return Evaluate[any](p, anyModel{}, doc)
}

type anyModel struct{}

func (anyModel) Kind(v any) Kind {
	switch v.(type) {
	case nil:
		return KindNull
	case bool:
		return KindBool
	case json.Number, float64, float32, int, int64, int32:
		return KindNumber
	case string:
		return KindString
	case []any:
		return KindArray
	case *Object, map[string]any:
		return KindObject
	}
	return KindOther
}

func (anyModel) Len(v any) int {
	switch v := v.(type) {
	case []any:
		return len(v)
	case *Object:
		return len(v.Keys)
	case map[string]any:
		return len(v)
	}
	return 0
}

func (anyModel) Index(v any, i int) any { return v.([]any)[i] }

func (anyModel) Entry(v any, i int) (string, any) {
	switch v := v.(type) {
	case *Object:
		return v.Keys[i], v.Values[i]
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return keys[i], v[keys[i]]
	}
	return "", nil
}

func (anyModel) Field(v any, name string) (any, bool) {
	switch v := v.(type) {
	case *Object:
		return v.Get(name)
	case map[string]any:
		x, ok := v[name]
		return x, ok
	}
	return nil, false
}

func (anyModel) Str(v any) string { s, _ := v.(string); return s }

func (anyModel) Num(v any) float64 {
	switch v := v.(type) {
	case json.Number:
		f, _ := v.Float64()
		return f
	case float64:
		return v
	case float32:
		return float64(v)
	case int:
		return float64(v)
	case int64:
		return float64(v)
	case int32:
		return float64(v)
	}
	return 0
}

func (anyModel) Bool(v any) bool { b, _ := v.(bool); return b }

func (anyModel) MakeArray(items []any) any { return append([]any{}, items...) }

func (anyModel) MakeObject(keys []string, vals []any) any {
	return &Object{Keys: keys, Values: vals}
}

func (anyModel) MakeInt(n int) any { return json.Number(strconv.Itoa(n)) }

func (anyModel) MakeFloat(f float64) any { return f }

func (anyModel) MakeString(s string) any { return s }

// Render returns v as API Gateway writes a mapped value: a string as it is,
// anything else as compact JSON. Numbers print as Java prints them
// (integers without a fraction, other numbers as Double.toString).
func Render(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return string(AppendJSON(nil, v))
}

// AppendJSON appends v as compact JSON.
func AppendJSON(dst []byte, v any) []byte {
	return appendJSON(dst, v, 0)
}

func appendJSON(dst []byte, v any, depth int) []byte {
	if depth > 1000 {
		return append(dst, "null"...)
	}
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...)
	case bool:
		return strconv.AppendBool(dst, v)
	case string:
		return java.AppendJSONString(dst, v, false)
	case json.Number:
		return appendNumber(dst, string(v))
	case float64:
		return appendFloat(dst, v)
	case float32:
		return appendFloat(dst, float64(v))
	case int:
		return strconv.AppendInt(dst, int64(v), 10)
	case int64:
		return strconv.AppendInt(dst, v, 10)
	case int32:
		return strconv.AppendInt(dst, int64(v), 10)
	case []any:
		dst = append(dst, '[')
		for i, x := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSON(dst, x, depth+1)
		}
		return append(dst, ']')
	case *Object:
		dst = append(dst, '{')
		for i, k := range v.Keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = java.AppendJSONString(dst, k, false)
			dst = append(dst, ':')
			dst = appendJSON(dst, v.Values[i], depth+1)
		}
		return append(dst, '}')
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		dst = append(dst, '{')
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = java.AppendJSONString(dst, k, false)
			dst = append(dst, ':')
			dst = appendJSON(dst, v[k], depth+1)
		}
		return append(dst, '}')
	}
	return java.AppendJSONString(dst, fmt.Sprint(v), false)
}

// appendNumber prints JSON number text as json-smart would read and write
// it: integers as integers, anything else as a Java double.
func appendNumber(dst []byte, s string) []byte {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return strconv.AppendInt(dst, n, 10)
	}
	if b, ok := new(big.Int).SetString(s, 10); ok {
		return b.Append(dst, 10)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !math.IsInf(f, 0) {
		return append(dst, s...)
	}
	if len(s) > 18 {
		return append(dst, s...)
	}
	return appendFloat(dst, f)
}

func appendFloat(dst []byte, f float64) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return append(dst, "null"...)
	}
	return java.AppendDouble(dst, f, 64)
}
