package jsonpath

import (
	"math"
	"strconv"
	"strings"
)

// Kind classifies a value of a JSON document.
type Kind uint8

// The kinds of JSON values.
const (
	KindNull Kind = iota
	KindBool
	KindNumber
	KindString
	KindArray
	KindObject
	KindOther
)

// Model lets a Path walk any in-memory representation of a JSON document.
// The vtl/apigw package implements it for template values; Eval uses one for
// plain Go values.
type Model[V any] interface {
	Kind(v V) Kind
	Len(v V) int                      // elements of an array or entries of an object
	Index(v V, i int) V               // element i of an array
	Entry(v V, i int) (string, V)     // entry i of an object, in document order
	Field(v V, name string) (V, bool) // member of an object
	Str(v V) string                   // a string's text
	Num(v V) float64                  // a number's value
	Bool(v V) bool                    // a boolean's value
	MakeArray(items []V) V            // the list an indefinite path returns
	MakeObject(keys []string, vals []V) V
	MakeInt(n int) V
	MakeFloat(f float64) V
	MakeString(s string) V
}

// maxResults bounds the matches one evaluation collects.
const maxResults = 1 << 20

// Evaluate applies p to the document root using model m. A definite path
// returns its single match; any other path returns an array of all matches
// (possibly empty). ok is false when a definite path matches nothing.
func Evaluate[V any](p *Path, m Model[V], root V) (res V, ok bool) {
	e := &evaluator[V]{m: m, root: root}
	e.run(p.steps, 0, root)
	var zero V
	var out V
	if p.definite {
		if len(e.out) == 0 {
			return zero, false
		}
		out = e.out[0]
	} else {
		out = m.MakeArray(e.out)
	}
	if p.fn == "" {
		return out, true
	}
	return e.function(p.fn, out)
}

type evaluator[V any] struct {
	m    Model[V]
	root V
	out  []V
}

func (e *evaluator[V]) emit(v V) {
	if len(e.out) < maxResults {
		e.out = append(e.out, v)
	}
}

func (e *evaluator[V]) run(steps []step, i int, cur V) {
	if i == len(steps) {
		e.emit(cur)
		return
	}
	st := &steps[i]
	if st.kind == stepScan {
		e.scan(steps, i, cur, 0)
		return
	}
	e.apply(st, steps, i, cur)
}

// apply evaluates step st (steps[i] or the inner step of a scan) on cur and
// continues with steps[i+1:].
func (e *evaluator[V]) apply(st *step, steps []step, i int, cur V) {
	m := e.m
	switch st.kind {
	case stepProp:
		if m.Kind(cur) != KindObject {
			return
		}
		if len(st.names) > 1 && i == len(steps)-1 && st == &steps[i] {
			var keys []string
			var vals []V
			for _, n := range st.names {
				if v, ok := m.Field(cur, n); ok {
					keys = append(keys, n)
					vals = append(vals, v)
				}
			}
			e.emit(m.MakeObject(keys, vals))
			return
		}
		for _, n := range st.names {
			if v, ok := m.Field(cur, n); ok {
				e.run(steps, i+1, v)
			}
		}
	case stepWild:
		switch m.Kind(cur) {
		case KindArray:
			for j := range m.Len(cur) {
				e.run(steps, i+1, m.Index(cur, j))
			}
		case KindObject:
			for j := range m.Len(cur) {
				_, v := m.Entry(cur, j)
				e.run(steps, i+1, v)
			}
		}
	case stepIndex:
		if m.Kind(cur) != KindArray {
			return
		}
		n := m.Len(cur)
		for _, idx := range st.indexes {
			if idx < 0 {
				idx += n
			}
			if idx >= 0 && idx < n {
				e.run(steps, i+1, m.Index(cur, idx))
			}
		}
	case stepSlice:
		if m.Kind(cur) != KindArray {
			return
		}
		n := m.Len(cur)
		from, to := 0, n
		if st.from != nil {
			from = *st.from
			if from < 0 {
				from = max(n+from, 0)
			}
		}
		if st.to != nil {
			to = *st.to
			if to < 0 {
				to = n + to
			}
		}
		for j := from; j < min(to, n); j++ {
			e.run(steps, i+1, m.Index(cur, j))
		}
	case stepFilter:
		switch m.Kind(cur) {
		case KindArray:
			for j := range m.Len(cur) {
				if v := m.Index(cur, j); e.test(&st.filter, v) {
					e.run(steps, i+1, v)
				}
			}
		case KindObject:
			if e.test(&st.filter, cur) {
				e.run(steps, i+1, cur)
			}
		}
	}
}

// scan serves "..": the inner step is tried on cur and on every object or
// array below it, in document order, the node before its children.
func (e *evaluator[V]) scan(steps []step, i int, cur V, depth int) {
	m := e.m
	k := m.Kind(cur)
	if (k != KindObject && k != KindArray) || depth > 1000 || len(e.out) >= maxResults {
		return
	}
	e.apply(steps[i].inner, steps, i, cur)
	for j := range m.Len(cur) {
		var v V
		if k == KindArray {
			v = m.Index(cur, j)
		} else {
			_, v = m.Entry(cur, j)
		}
		e.scan(steps, i, v, depth+1)
	}
}

// function applies a trailing function to the path's result.
func (e *evaluator[V]) function(name string, v V) (V, bool) {
	m := e.m
	var zero V
	k := m.Kind(v)
	switch name {
	case "length", "size":
		if k == KindArray || k == KindObject {
			return m.MakeInt(m.Len(v)), true
		}
		return zero, false
	case "keys":
		if k != KindObject {
			return zero, false
		}
		keys := make([]V, m.Len(v))
		for j := range keys {
			key, _ := m.Entry(v, j)
			keys[j] = m.MakeString(key)
		}
		return m.MakeArray(keys), true
	case "first", "last":
		if k != KindArray || m.Len(v) == 0 {
			return zero, false
		}
		if name == "first" {
			return m.Index(v, 0), true
		}
		return m.Index(v, m.Len(v)-1), true
	}
	if k != KindArray {
		return zero, false
	}
	var nums []float64
	for j := range m.Len(v) {
		if x := m.Index(v, j); m.Kind(x) == KindNumber {
			nums = append(nums, m.Num(x))
		}
	}
	if len(nums) == 0 {
		return zero, false
	}
	var r float64
	switch name {
	case "min":
		r = nums[0]
		for _, x := range nums {
			r = math.Min(r, x)
		}
	case "max":
		r = nums[0]
		for _, x := range nums {
			r = math.Max(r, x)
		}
	case "sum", "avg", "stddev":
		for _, x := range nums {
			r += x
		}
		if name == "avg" {
			r /= float64(len(nums))
		}
		if name == "stddev" {
			mean := r / float64(len(nums))
			var sq float64
			for _, x := range nums {
				sq += (x - mean) * (x - mean)
			}
			r = math.Sqrt(sq / float64(len(nums)))
		}
	}
	return m.MakeFloat(r), true
}

// fval is an operand of a filter comparison: a document value or a literal.
type fval[V any] struct {
	defined bool
	kind    Kind
	num     float64
	str     string
	b       bool
	doc     V
	isDoc   bool
	lit     *literal
}

func (e *evaluator[V]) operand(o *operand, cur V) fval[V] {
	switch o.kind {
	case opLiteral:
		l := &o.lit
		return fval[V]{defined: true, kind: l.kind, num: l.num, str: l.str, b: l.b, lit: l}
	case opRegex:
		return fval[V]{defined: true, kind: KindOther}
	}
	start := cur
	if o.rooted {
		start = e.root
	}
	sub := &evaluator[V]{m: e.m, root: e.root}
	v, ok := Evaluate[V](o.path, sub.m, start)
	if !ok {
		return fval[V]{}
	}
	return e.docVal(v)
}

func (e *evaluator[V]) docVal(v V) fval[V] {
	m := e.m
	f := fval[V]{defined: true, kind: m.Kind(v), doc: v, isDoc: true}
	switch f.kind {
	case KindNumber:
		f.num = m.Num(v)
	case KindString:
		f.str = m.Str(v)
	case KindBool:
		f.b = m.Bool(v)
	}
	return f
}

// elems lists an array operand.
func (e *evaluator[V]) elems(f fval[V]) ([]fval[V], bool) {
	if f.kind != KindArray {
		return nil, false
	}
	if f.lit != nil {
		out := make([]fval[V], len(f.lit.items))
		for i := range f.lit.items {
			l := &f.lit.items[i]
			out[i] = fval[V]{defined: true, kind: l.kind, num: l.num, str: l.str, b: l.b, lit: l}
		}
		return out, true
	}
	n := e.m.Len(f.doc)
	out := make([]fval[V], n)
	for i := range n {
		out[i] = e.docVal(e.m.Index(f.doc, i))
	}
	return out, true
}

func (e *evaluator[V]) test(x *expr, cur V) bool {
	switch x.kind {
	case exprOr:
		return e.test(x.left, cur) || e.test(x.right, cur)
	case exprAnd:
		return e.test(x.left, cur) && e.test(x.right, cur)
	case exprNot:
		return !e.test(x.left, cur)
	case exprExists:
		return e.operand(&x.a, cur).defined
	}
	a := e.operand(&x.a, cur)
	if x.op == "=~" {
		if x.b.kind != opRegex || !a.defined || a.kind != KindString {
			return false
		}
		return x.b.re.MatchString(a.str)
	}
	b := e.operand(&x.b, cur)
	switch x.op {
	case "==":
		return e.equal(a, b)
	case "!=":
		return !e.equal(a, b)
	case "<", "<=", ">", ">=":
		var c int
		switch {
		case a.kind == KindNumber && b.kind == KindNumber:
			c = cmpFloat(a.num, b.num)
		case a.kind == KindString && b.kind == KindString:
			c = strings.Compare(a.str, b.str)
		default:
			return false
		}
		switch x.op {
		case "<":
			return c < 0
		case "<=":
			return c <= 0
		case ">":
			return c > 0
		}
		return c >= 0
	case "in", "nin":
		items, ok := e.elems(b)
		if !ok {
			return false
		}
		found := false
		for _, it := range items {
			if e.equal(a, it) {
				found = true
				break
			}
		}
		return found == (x.op == "in")
	case "subsetof", "anyof", "noneof":
		la, ok1 := e.elems(a)
		lb, ok2 := e.elems(b)
		if !ok1 || !ok2 {
			return false
		}
		count := 0
		for _, it := range la {
			for _, jt := range lb {
				if e.equal(it, jt) {
					count++
					break
				}
			}
		}
		switch x.op {
		case "subsetof":
			return count == len(la)
		case "anyof":
			return count > 0
		}
		return count == 0
	case "contains":
		if a.kind == KindString && b.kind == KindString {
			return strings.Contains(a.str, b.str)
		}
		items, ok := e.elems(a)
		if !ok {
			return false
		}
		for _, it := range items {
			if e.equal(it, b) {
				return true
			}
		}
		return false
	case "size":
		if b.kind != KindNumber {
			return false
		}
		switch {
		case a.kind == KindString:
			return float64(len([]rune(a.str))) == b.num
		case a.kind == KindArray:
			items, _ := e.elems(a)
			return float64(len(items)) == b.num
		}
		return false
	case "empty":
		if b.kind != KindBool {
			return false
		}
		switch a.kind {
		case KindString:
			return (a.str == "") == b.b
		case KindArray:
			items, _ := e.elems(a)
			return (len(items) == 0) == b.b
		}
		return false
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// equal follows Jayway: numbers and strings compare across the two kinds
// (a string is read as a number), other kinds must match.
func (e *evaluator[V]) equal(a, b fval[V]) bool {
	if !a.defined || !b.defined {
		return false
	}
	switch {
	case a.kind == KindNumber && b.kind == KindNumber:
		return a.num == b.num
	case a.kind == KindNumber && b.kind == KindString:
		f, err := strconv.ParseFloat(b.str, 64)
		return err == nil && f == a.num
	case a.kind == KindString && b.kind == KindNumber:
		f, err := strconv.ParseFloat(a.str, 64)
		return err == nil && f == b.num
	case a.kind != b.kind:
		return false
	}
	switch a.kind {
	case KindNull:
		return true
	case KindString:
		return a.str == b.str
	case KindBool:
		return a.b == b.b
	case KindArray:
		la, _ := e.elems(a)
		lb, _ := e.elems(b)
		if len(la) != len(lb) {
			return false
		}
		for i := range la {
			if !e.equal(la[i], lb[i]) {
				return false
			}
		}
		return true
	}
	return false
}
