package vtl

import (
	"hash/fnv"
	"math"
	"strconv"

	"github.com/apigw-local/apigw-local/vtl/internal/java"
)

// maxValueDepth bounds how deep toString and JSON output descend into nested
// lists and maps. Java would overflow its stack on a cycle; we stop instead.
const maxValueDepth = 100

// appendJava appends v as Java's toString writes it, with null as "null".
// It reports false when the value nests deeper than maxValueDepth.
func appendJava(dst []byte, v Value, depth int) []byte {
	if depth > maxValueDepth {
		panic(errTooDeep)
	}
	switch v.kind {
	case KindNull:
		return append(dst, "null"...)
	case KindBool:
		if v.n != 0 {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case KindInt:
		return strconv.AppendInt(dst, v.n, 10)
	case KindFloat:
		if t := v.decimalText(); t != "" {
			return append(dst, t...)
		}
		return java.AppendDouble(dst, v.f(), 64)
	case KindBig:
		return v.big().Append(dst, 10)
	case KindString:
		return append(dst, v.str()...)
	case KindList:
		l := v.list()
		switch l.flavor {
		case jsonArray:
			return appendJSON(dst, v, true, depth)
		case stringArray:
			return appendIdentity(dst, "[Ljava.lang.String;", l.items)
		}
		dst = append(dst, '[')
		for i, e := range l.items {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			if e.kind == KindList && e.p == v.p {
				dst = append(dst, "(this Collection)"...)
				continue
			}
			dst = appendJava(dst, e, depth+1)
		}
		return append(dst, ']')
	case KindMap:
		m := v.mapv()
		dst = append(dst, '{')
		for i, e := range m.ents {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = append(dst, e.key...)
			dst = append(dst, '=')
			if e.val.kind == KindMap && e.val.p == v.p {
				dst = append(dst, "(this Map)"...)
				continue
			}
			dst = appendJava(dst, e.val, depth+1)
		}
		return append(dst, '}')
	case KindKeySet, KindValues, KindEntrySet:
		m := v.mapv()
		dst = append(dst, '[')
		for i, e := range m.ents {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			switch v.kind {
			case KindKeySet:
				dst = append(dst, e.key...)
			case KindValues:
				dst = appendJava(dst, e.val, depth+1)
			default:
				dst = append(dst, e.key...)
				dst = append(dst, '=')
				dst = appendJava(dst, e.val, depth+1)
			}
		}
		return append(dst, ']')
	case KindEntry:
		e := v.entry()
		val, _ := e.m.Get(e.key)
		dst = append(dst, e.key...)
		dst = append(dst, '=')
		return appendJava(dst, val, depth+1)
	case KindObject:
		if s, ok := v.obj().(Stringer); ok {
			return append(dst, s.JavaString()...)
		}
		return dst
	case KindScope:
		return append(dst, "org.apache.velocity.runtime.directive.ForeachScope@6d06d69c"...)
	case KindBlock:
		b := (*block)(v.p)
		return b.st.appendBlock(dst, b)
	}
	return dst
}

// appendIdentity writes Java's default Object.toString, class@hash. Java's
// hash is an address; ours is derived from the contents so output is stable.
func appendIdentity(dst []byte, class string, items []Value) []byte {
	h := fnv.New32a()
	for _, it := range items {
		h.Write([]byte(it.String()))
		h.Write([]byte{0})
	}
	dst = append(dst, class...)
	dst = append(dst, '@')
	return strconv.AppendUint(dst, uint64(h.Sum32()&0x7fffffff), 16)
}

// appendJSON appends v as compact JSON the way json-smart writes it. With
// slash set it also escapes '/' as json-smart's default style does (used by
// JSONArray.toString); Jayway's own serialiser does not.
func appendJSON(dst []byte, v Value, slash bool, depth int) []byte {
	if depth > maxValueDepth {
		panic(errTooDeep)
	}
	switch v.kind {
	case KindNull:
		return append(dst, "null"...)
	case KindBool, KindInt, KindBig:
		return appendJava(dst, v, depth)
	case KindFloat:
		if f := v.f(); math.IsInf(f, 0) && v.decimalText() == "" {
			return append(dst, "null"...)
		}
		return appendJava(dst, v, depth)
	case KindString:
		return java.AppendJSONString(dst, v.str(), slash)
	case KindList:
		dst = append(dst, '[')
		for i, e := range v.list().items {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSON(dst, e, slash, depth+1)
		}
		return append(dst, ']')
	case KindMap:
		dst = append(dst, '{')
		for i, e := range v.mapv().ents {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = java.AppendJSONString(dst, e.key, slash)
			dst = append(dst, ':')
			dst = appendJSON(dst, e.val, slash, depth+1)
		}
		return append(dst, '}')
	case KindKeySet, KindValues:
		dst = append(dst, '[')
		for i, e := range v.mapv().ents {
			if i > 0 {
				dst = append(dst, ',')
			}
			if v.kind == KindKeySet {
				dst = java.AppendJSONString(dst, e.key, slash)
			} else {
				dst = appendJSON(dst, e.val, slash, depth+1)
			}
		}
		return append(dst, ']')
	}
	return java.AppendJSONString(dst, string(appendJava(nil, v, depth)), slash)
}
