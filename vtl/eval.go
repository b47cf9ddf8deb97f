package vtl

import (
	"math"
	"math/big"
)

// eval computes the value of an expression node.
func (s *state) eval(n Node) Value {
	switch n := n.(type) {
	case *RefNode:
		return s.evalRef(n)
	case *StringNode:
		if n.Interp == nil {
			return String(n.Text)
		}
		return String(s.renderString(n))
	case *IntNode:
		return n.Value
	case *FloatNode:
		return Float(n.Value)
	case *BoolNode:
		return Bool(n.True)
	case *WordNode:
		return String(n.Word)
	case *ListLitNode:
		s.charge(n, 64*(len(n.Elems)+1))
		l := &List{items: make([]Value, len(n.Elems))}
		for i, e := range n.Elems {
			l.items[i] = s.eval(e)
		}
		return ListValue(l)
	case *RangeNode:
		from, to, ok := s.rangeBounds(n)
		if !ok {
			return null
		}
		size := absInt(to-from) + 1
		s.charge(n, 64*size)
		l := &List{items: make([]Value, 0, size)}
		for i := range size {
			l.items = append(l.items, Int(int64(rangeAt(from, to, i))))
		}
		return ListValue(l)
	case *MapLitNode:
		s.charge(n, 64*(len(n.Keys)+1))
		m := NewMap(len(n.Keys))
		for i := range n.Keys {
			k := s.eval(n.Keys[i])
			m.Put(s.str(n.Keys[i], k), s.eval(n.Values[i]))
		}
		return MapValue(m)
	case *BinaryNode:
		return s.evalBinary(n)
	case *NotNode:
		return Bool(!s.truth(n.X))
	case *ParenNode:
		return s.eval(n.X)
	}
	s.errorf(n, "cannot evaluate %T", n)
	return null
}

// rangeBounds evaluates [from..to]. Velocity 1.7 takes intValue() of any
// numbers and gives null for anything else.
func (s *state) rangeBounds(n *RangeNode) (from, to int, ok bool) {
	a, b := s.eval(n.From), s.eval(n.To)
	if !a.isNumber() || !b.isNumber() {
		return 0, 0, false
	}
	return int(int32(javaLong(a))), int(int32(javaLong(b))), true
}

func rangeAt(from, to, i int) int {
	if from <= to {
		return from + i
	}
	return from - i
}

func absInt(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// evalRef resolves a reference. null anywhere in the chain makes it null.
func (s *state) evalRef(r *RefNode) Value {
	v := s.lookup(r.slot)
	for _, a := range r.Chain {
		if v.kind == KindNull {
			return null
		}
		v = s.access(a, v)
	}
	return v
}

// access applies one property, method call or index to v.
func (s *state) access(a Node, v Value) Value {
	switch a := a.(type) {
	case *PropNode:
		return s.property(a, v, a.Name)
	case *MethodNode:
		if v.kind == KindMap && a.Name == "get" && len(a.Args) == 1 {
			// Map.get with a string key is the commonest call; skip the
			// general dispatch.
			k := s.eval(a.Args[0])
			if k.kind == KindString {
				s.work(a, 1)
				r, _ := v.mapv().Get(k.str())
				return r
			}
			base := len(s.args)
			s.args = append(s.args, k)
			r := s.call(a, v, a.Name, s.args[base:])
			s.args = s.args[:base]
			return r
		}
		base := len(s.args)
		for _, arg := range a.Args {
			x := s.eval(arg)
			s.args = append(s.args, x)
		}
		args := s.args[base:]
		res := s.call(a, v, a.Name, args)
		s.args = s.args[:base] // stale values above base are overwritten by later calls
		return res
	case *IndexNode:
		return s.index(a, v, s.eval(a.Arg))
	}
	return null
}

// truth decides a condition as Velocity 1.7's evaluate() does: a reference
// is false when null or Boolean false and true otherwise (an empty string
// too); logical and comparison operators give their result; any other
// literal or arithmetic is false.
func (s *state) truth(n Node) bool {
	switch n := n.(type) {
	case *RefNode:
		v := s.evalRef(n)
		switch v.kind {
		case KindNull:
			return false
		case KindBool:
			return v.n != 0
		}
		return true
	case *BoolNode:
		return n.True
	case *NotNode:
		return !s.truth(n.X)
	case *ParenNode:
		return s.truth(n.X)
	case *BinaryNode:
		switch n.Op {
		case OpOr:
			return s.truth(n.Left) || s.truth(n.Right)
		case OpAnd:
			return s.truth(n.Left) && s.truth(n.Right)
		case OpEq, OpNe, OpLt, OpLe, OpGt, OpGe:
			v, _ := s.evalBinary(n).AsBool()
			return v
		}
	}
	return false
}

func (s *state) evalBinary(n *BinaryNode) Value {
	switch n.Op {
	case OpOr, OpAnd:
		return Bool(s.truth(n))
	}
	a := s.eval(n.Left)
	b := s.eval(n.Right)
	switch n.Op {
	case OpEq:
		return Bool(s.equal(n, a, b))
	case OpNe:
		return Bool(!s.equal(n, a, b))
	case OpLt, OpLe, OpGt, OpGe:
		if !a.isNumber() || !b.isNumber() {
			return Bool(false)
		}
		c, ok := compareNumbers(a, b)
		if !ok {
			return Bool(false)
		}
		switch n.Op {
		case OpLt:
			return Bool(c < 0)
		case OpLe:
			return Bool(c <= 0)
		case OpGt:
			return Bool(c > 0)
		}
		return Bool(c >= 0)
	case OpAdd:
		if a.kind == KindString || b.kind == KindString {
			var as, bs string
			if a.kind == KindNull {
				as = literal(n.Left)
			} else {
				as = s.str(n.Left, a)
			}
			if b.kind == KindNull {
				bs = literal(n.Right)
			} else {
				bs = s.str(n.Right, b)
			}
			s.chargeString(n, len(as)+len(bs))
			return String(as + bs)
		}
	}
	if !a.isNumber() || !b.isNumber() {
		return null
	}
	return arith(n.Op, a, b)
}

// literal is the source text Velocity substitutes for a null operand of
// string concatenation.
func literal(n Node) string {
	if r, ok := n.(*RefNode); ok {
		return r.Src
	}
	return n.String()
}

// equal is Velocity 1.7's == with API Gateway's treatment of null: numbers
// compare by value; objects of one class use Java equals; anything else
// compares toString() results, and null equals null and "".
func (s *state) equal(n Node, a, b Value) bool {
	if a.isNumber() && b.isNumber() {
		c, ok := compareNumbers(a, b)
		return ok && c == 0
	}
	if a.kind != KindNull && b.kind != KindNull && sameClass(a, b) {
		return javaEquals(a, b, 0)
	}
	switch {
	case a.kind == KindNull && b.kind == KindNull:
		return true
	case a.kind == KindNull:
		return s.str(n, b) == ""
	case b.kind == KindNull:
		return s.str(n, a) == ""
	}
	return s.str(n, a) == s.str(n, b)
}

// sameClass reports whether Java would find one value's class assignable
// from the other's.
func sameClass(a, b Value) bool {
	if a.kind != b.kind {
		return false
	}
	if a.kind == KindList {
		fa, fb := a.list().flavor, b.list().flavor
		return (fa == stringArray) == (fb == stringArray)
	}
	return true
}

// javaEquals is Java's equals.
func javaEquals(a, b Value, depth int) bool {
	if depth > maxValueDepth {
		return false
	}
	if a.kind != b.kind {
		return false
	}
	switch a.kind {
	case KindNull:
		return true
	case KindBool, KindInt:
		return a.n == b.n
	case KindFloat:
		return a.n == b.n || math.IsNaN(a.f()) && math.IsNaN(b.f())
	case KindBig:
		return a.big().Cmp(b.big()) == 0
	case KindString:
		return a.str() == b.str()
	case KindList:
		la, lb := a.list(), b.list()
		if la == lb {
			return true
		}
		if la.flavor == stringArray || lb.flavor == stringArray || len(la.items) != len(lb.items) {
			return false
		}
		for i := range la.items {
			if !javaEquals(la.items[i], lb.items[i], depth+1) {
				return false
			}
		}
		return true
	case KindMap, KindEntrySet:
		ma, mb := a.mapv(), b.mapv()
		if ma == mb {
			return true
		}
		if len(ma.ents) != len(mb.ents) {
			return false
		}
		for _, e := range ma.ents {
			v, ok := mb.Get(e.key)
			if !ok || !javaEquals(e.val, v, depth+1) {
				return false
			}
		}
		return true
	case KindKeySet:
		ma, mb := a.mapv(), b.mapv()
		if len(ma.ents) != len(mb.ents) {
			return false
		}
		for _, e := range ma.ents {
			if mb.find(e.key) < 0 {
				return false
			}
		}
		return true
	case KindEntry:
		ea, eb := a.entry(), b.entry()
		va, _ := ea.m.Get(ea.key)
		vb, _ := eb.m.Get(eb.key)
		return ea.key == eb.key && javaEquals(va, vb, depth+1)
	case KindObject:
		return a.obj() == b.obj()
	}
	return a.p == b.p
}

// compareNumbers compares two numbers as MathUtils.compare does.
func compareNumbers(a, b Value) (int, bool) {
	switch {
	case a.kind == KindInt && b.kind == KindInt:
		switch {
		case a.n < b.n:
			return -1, true
		case a.n > b.n:
			return 1, true
		}
		return 0, true
	case a.kind == KindFloat || b.kind == KindFloat:
		x, y := toFloat(a), toFloat(b)
		if math.IsNaN(x) || math.IsNaN(y) {
			return 0, false
		}
		switch {
		case x < y:
			return -1, true
		case x > y:
			return 1, true
		}
		return 0, true
	}
	return toBig(a).Cmp(toBig(b)), true
}

func toFloat(v Value) float64 {
	switch v.kind {
	case KindInt:
		return float64(v.n)
	case KindFloat:
		return v.f()
	case KindBig:
		f, _ := new(big.Float).SetInt(v.big()).Float64()
		return f
	}
	return 0
}

func toBig(v Value) *big.Int {
	if v.kind == KindBig {
		return v.big()
	}
	return big.NewInt(v.n)
}

// javaLong is Number.longValue().
func javaLong(v Value) int64 {
	switch v.kind {
	case KindInt:
		return v.n
	case KindFloat:
		f := v.f()
		switch {
		case math.IsNaN(f):
			return 0
		case f >= math.MaxInt64:
			return math.MaxInt64
		case f <= math.MinInt64:
			return math.MinInt64
		}
		return int64(f)
	case KindBig:
		return new(big.Int).And(v.big(), new(big.Int).SetUint64(math.MaxUint64)).Int64()
	}
	return 0
}

// arith performs + - * / % on two numbers as Velocity's MathUtils does:
// integers stay integers (widening to BigInteger on overflow, division
// truncating), anything involving a double is a double, and division or
// remainder by zero gives null.
func arith(op Operator, a, b Value) Value {
	if a.kind == KindFloat || b.kind == KindFloat {
		x, y := toFloat(a), toFloat(b)
		switch op {
		case OpAdd:
			return Float(x + y)
		case OpSub:
			return Float(x - y)
		case OpMul:
			return Float(x * y)
		}
		if y == 0 {
			return null
		}
		if op == OpDiv {
			return Float(x / y)
		}
		return Float(math.Mod(x, y))
	}
	if a.kind == KindInt && b.kind == KindInt {
		x, y := a.n, b.n
		switch op {
		case OpAdd:
			if r := x + y; (r^x)&(r^y) >= 0 {
				return Int(r)
			}
		case OpSub:
			if r := x - y; (x^y)&(r^x) >= 0 {
				return Int(r)
			}
		case OpMul:
			if x == 0 || y == 0 {
				return Int(0)
			}
			if r := x * y; r/y == x && !(x == -1 && y == math.MinInt64) && !(y == -1 && x == math.MinInt64) {
				return Int(r)
			}
		case OpDiv:
			if y == 0 {
				return null
			}
			if !(x == math.MinInt64 && y == -1) {
				return Int(x / y)
			}
		case OpMod:
			if y == 0 {
				return null
			}
			if y == -1 {
				return Int(0)
			}
			return Int(x % y)
		}
	}
	x, y := toBig(a), toBig(b)
	r := new(big.Int)
	switch op {
	case OpAdd:
		r.Add(x, y)
	case OpSub:
		r.Sub(x, y)
	case OpMul:
		r.Mul(x, y)
	case OpDiv:
		if y.Sign() == 0 {
			return null
		}
		r.Quo(x, y)
	case OpMod:
		if y.Sign() == 0 {
			return null
		}
		r.Rem(x, y)
	}
	return BigInt(r)
}
