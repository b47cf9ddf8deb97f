package vtl

import (
	"math"
	"unsafe"
)

// Property access follows Velocity's uberspector: a getter (getX, isX) of
// the Java class, or Map.get for maps. Method calls reach only the Java
// methods listed here and the names host objects answer; anything else is
// null, as an unknown method is in Velocity. Java exceptions the real method
// would throw fail the render.

// void is what Velocity returns from a void method: an empty string.
var void = String("")

func (s *state) property(n Node, v Value, name string) Value {
	switch v.kind {
	case KindMap:
		r, _ := v.mapv().Get(name)
		return r
	case KindObject:
		r, err := v.obj().Property(name)
		if err != nil {
			s.errorf(n, "%v", err)
		}
		return r
	case KindScope:
		return s.scopeProperty((*scope)(v.p), name)
	case KindEntry:
		switch e := v.entry(); name {
		case "key":
			return String(e.key)
		case "value":
			r, _ := e.m.Get(e.key)
			return r
		}
	case KindString, KindList, KindKeySet, KindValues, KindEntrySet:
		if name == "empty" {
			r, _ := s.call(n, v, "isEmpty", nil).AsBool()
			return Bool(r)
		}
	case KindFloat:
		switch name {
		case "naN":
			return Bool(math.IsNaN(v.f()))
		case "infinite":
			return Bool(math.IsInf(v.f(), 0))
		}
	}
	return null
}

func (s *state) scopeProperty(sc *scope, name string) Value {
	switch name {
	case "index":
		return Int(int64(sc.index))
	case "count":
		return Int(int64(sc.index + 1))
	case "hasNext":
		return Bool(sc.hasNext)
	case "first":
		return Bool(sc.index < 1)
	case "last":
		return Bool(!sc.hasNext)
	case "parent":
		return sc.parent
	case "topmost":
		top := sc
		for top.parent.kind == KindScope {
			top = (*scope)(top.parent.p)
		}
		return Value{kind: KindScope, p: unsafe.Pointer(top)}
	}
	return null
}

// index serves $x[i] as Velocity 1.7's ASTIndex does: List.get(int) with a
// negative index counting from the end, or Map.get(key).
func (s *state) index(n Node, v, idx Value) Value {
	switch v.kind {
	case KindList:
		l := v.list()
		if i, ok := s.listIndex(n, len(l.items), idx); ok {
			return l.items[i]
		}
	case KindMap:
		if idx.kind == KindNull {
			return null
		}
		r, _ := v.mapv().Get(s.str(n, idx))
		return r
	case KindObject:
		if idx.kind == KindString {
			return s.property(n, v, idx.str())
		}
	}
	return null
}

// listIndex checks an index for get/set; out of range fails as Java does.
func (s *state) listIndex(n Node, size int, idx Value) (int, bool) {
	i, ok := intArg(idx)
	if !ok {
		return 0, false
	}
	if i < 0 {
		i += size
	}
	if i < 0 || i >= size {
		s.errorf(n, "java.lang.IndexOutOfBoundsException: Index: %d, Size: %d", i, size)
	}
	return i, true
}

// call invokes a method on v.
func (s *state) call(n Node, v Value, name string, args []Value) Value {
	s.step(n)
	var r Value
	ok := false
	switch v.kind {
	case KindString:
		r, ok = s.stringMethod(n, v.str(), name, args)
	case KindInt, KindFloat, KindBig:
		r, ok = s.numberMethod(n, v, name, args)
	case KindBool:
		switch {
		case name == "booleanValue" && len(args) == 0:
			r, ok = v, true
		case name == "compareTo" && len(args) == 1 && args[0].kind == KindBool:
			r, ok = Int(v.n-args[0].n), true
		}
	case KindList:
		r, ok = s.listMethod(n, v, name, args)
	case KindMap:
		r, ok = s.mapMethod(n, v.mapv(), name, args)
	case KindKeySet, KindValues, KindEntrySet:
		r, ok = s.viewMethod(n, v, name, args)
	case KindEntry:
		switch {
		case name == "getKey" && len(args) == 0:
			r, ok = String(v.entry().key), true
		case name == "getValue" && len(args) == 0:
			r, _ = v.entry().m.Get(v.entry().key)
			ok = true
		case name == "setValue" && len(args) == 1:
			r, ok = v.entry().m.Put(v.entry().key, args[0]), true
		}
	case KindScope:
		r, ok = s.scopeMethod((*scope)(v.p), name, args)
	case KindBlock:
		if name == "toString" && len(args) == 0 {
			return String(s.blockString(n, (*block)(v.p)))
		}
	case KindObject:
		res, err := v.obj().Call(name, args)
		if err != nil {
			s.errorf(n, "%v", err)
		}
		return res
	}
	if ok {
		return r
	}
	switch {
	case name == "toString" && len(args) == 0:
		return String(s.str(n, v))
	case name == "equals" && len(args) == 1:
		return Bool(javaEquals(v, args[0], 0))
	}
	return null
}

func (s *state) scopeMethod(sc *scope, name string, args []Value) (Value, bool) {
	if len(args) != 0 {
		return null, false
	}
	switch name {
	case "hasNext", "getHasNext":
		return Bool(sc.hasNext), true
	case "isFirst", "getFirst":
		return Bool(sc.index < 1), true
	case "isLast", "getLast":
		return Bool(!sc.hasNext), true
	case "getIndex":
		return Int(int64(sc.index)), true
	case "getCount":
		return Int(int64(sc.index + 1)), true
	case "getParent":
		return sc.parent, true
	case "getTopmost":
		return s.scopeProperty(sc, "topmost"), true
	case "stop":
		s.ctl, s.brk = ctlBreak, sc
		return void, true
	}
	return null, false
}

// numberMethod calls a java.lang.Number method.
func (s *state) numberMethod(n Node, v Value, name string, args []Value) (Value, bool) {
	if len(args) == 1 {
		switch name {
		case "compareTo":
			if sameNumberClass(v, args[0]) {
				c, _ := compareNumbers(v, args[0])
				return Int(int64(c)), true
			}
		}
		return null, false
	}
	if len(args) != 0 {
		return null, false
	}
	switch name {
	case "intValue":
		return Int(int64(int32(javaLong(v)))), true
	case "longValue":
		return Int(javaLong(v)), true
	case "shortValue":
		return Int(int64(int16(javaLong(v)))), true
	case "byteValue":
		return Int(int64(int8(javaLong(v)))), true
	case "doubleValue":
		return Float(toFloat(v)), true
	case "floatValue":
		return Float(float64(float32(toFloat(v)))), true
	case "hashCode":
		if v.kind == KindInt {
			return Int(int64(int32(v.n ^ v.n>>32))), true
		}
	case "isNaN":
		return Bool(v.kind == KindFloat && math.IsNaN(v.f())), true
	case "isInfinite":
		return Bool(v.kind == KindFloat && math.IsInf(v.f(), 0)), true
	}
	return null, false
}

func sameNumberClass(a, b Value) bool { return a.kind == b.kind }

// collectionArg returns the elements of a Collection argument.
func collectionArg(v Value) ([]Value, bool) {
	switch v.kind {
	case KindList:
		return v.list().items, true
	case KindKeySet, KindValues, KindEntrySet:
		m := v.mapv()
		out := make([]Value, len(m.ents))
		for i, e := range m.ents {
			switch v.kind {
			case KindKeySet:
				out[i] = String(e.key)
			case KindValues:
				out[i] = e.val
			default:
				out[i] = entryValue(m, e.key)
			}
		}
		return out, true
	}
	return nil, false
}

func indexOf(items []Value, x Value, last bool) int {
	if last {
		for i := len(items) - 1; i >= 0; i-- {
			if javaEquals(items[i], x, 0) {
				return i
			}
		}
		return -1
	}
	for i := range items {
		if javaEquals(items[i], x, 0) {
			return i
		}
	}
	return -1
}

// listMethod calls a java.util.List method. A String[] from split is a
// fixed-size list: adding or removing fails as Arrays.asList does.
func (s *state) listMethod(n Node, v Value, name string, args []Value) (Value, bool) {
	l := v.list()
	fixed := func() {
		if l.flavor == stringArray {
			s.errorf(n, "java.lang.UnsupportedOperationException: %s on a fixed-size array", name)
		}
	}
	switch len(args) {
	case 0:
		switch name {
		case "size":
			return Int(int64(len(l.items))), true
		case "isEmpty":
			return Bool(len(l.items) == 0), true
		case "clear":
			fixed()
			clear(l.items)
			l.items = l.items[:0]
			l.touch()
			return void, true
		case "toJSONString":
			if l.flavor == jsonArray {
				return String(s.str(n, v)), true
			}
		}
	case 1:
		a := args[0]
		switch name {
		case "get":
			if i, ok := s.listIndexStrict(n, len(l.items), a); ok {
				return l.items[i], true
			}
		case "add":
			fixed()
			s.charge(n, 64)
			l.items = append(l.items, a)
			l.touch()
			return Bool(true), true
		case "addAll":
			items, ok := collectionArg(a)
			if !ok {
				return null, false
			}
			fixed()
			s.charge(n, 64*len(items))
			l.items = append(l.items, items...)
			l.touch()
			return Bool(len(items) > 0), true
		case "remove":
			fixed()
			if i, ok := intArg(a); ok {
				i, _ = s.listIndexStrict(n, len(l.items), Int(int64(i)))
				old := l.items[i]
				l.items = append(l.items[:i], l.items[i+1:]...)
				l.touch()
				return old, true
			}
			if i := indexOf(l.items, a, false); i >= 0 {
				l.items = append(l.items[:i], l.items[i+1:]...)
				l.touch()
				return Bool(true), true
			}
			return Bool(false), true
		case "contains":
			return Bool(indexOf(l.items, a, false) >= 0), true
		case "containsAll":
			items, ok := collectionArg(a)
			if !ok {
				return null, false
			}
			for _, it := range items {
				if indexOf(l.items, it, false) < 0 {
					return Bool(false), true
				}
			}
			return Bool(true), true
		case "indexOf", "lastIndexOf":
			return Int(int64(indexOf(l.items, a, name == "lastIndexOf"))), true
		}
	case 2:
		a, b := args[0], args[1]
		switch name {
		case "set":
			if i, ok := s.listIndexStrict(n, len(l.items), a); ok {
				old := l.items[i]
				l.items[i] = b
				l.touch()
				return old, true
			}
		case "add":
			i, ok := intArg(a)
			if !ok {
				return null, false
			}
			fixed()
			if i < 0 || i > len(l.items) {
				s.errorf(n, "java.lang.IndexOutOfBoundsException: Index: %d, Size: %d", i, len(l.items))
			}
			s.charge(n, 64)
			l.items = append(l.items, null)
			copy(l.items[i+1:], l.items[i:])
			l.items[i] = b
			l.touch()
			return void, true
		case "subList":
			i, ok1 := intArg(a)
			j, ok2 := intArg(b)
			if !ok1 || !ok2 {
				return null, false
			}
			if i < 0 || j > len(l.items) || i > j {
				s.errorf(n, "java.lang.IndexOutOfBoundsException: subList(%d, %d) of size %d", i, j, len(l.items))
			}
			s.charge(n, 64*(j-i))
			return ListValue(&List{items: append([]Value(nil), l.items[i:j]...)}), true
		}
	}
	return null, false
}

// listIndexStrict checks an index for List.get/set/remove, which unlike
// $list[i] do not count negative indexes from the end.
func (s *state) listIndexStrict(n Node, size int, idx Value) (int, bool) {
	i, ok := intArg(idx)
	if !ok {
		return 0, false
	}
	if i < 0 || i >= size {
		s.errorf(n, "java.lang.IndexOutOfBoundsException: Index: %d, Size: %d", i, size)
	}
	return i, true
}

// mapMethod calls a java.util.Map method. Keys are strings; other keys are
// converted with toString.
func (s *state) mapMethod(n Node, m *Map, name string, args []Value) (Value, bool) {
	key := func(v Value) (string, bool) {
		if v.kind == KindNull {
			return "", false
		}
		return s.str(n, v), true
	}
	switch len(args) {
	case 0:
		switch name {
		case "size":
			return Int(int64(len(m.ents))), true
		case "isEmpty":
			return Bool(len(m.ents) == 0), true
		case "keySet":
			return m.KeySet(), true
		case "values":
			return m.Values(), true
		case "entrySet":
			return m.EntrySet(), true
		case "clear":
			clear(m.ents)
			m.ents = m.ents[:0]
			m.index = nil
			m.touch()
			return void, true
		}
	case 1:
		a := args[0]
		switch name {
		case "get", "containsKey", "remove":
			k, ok := key(a)
			switch {
			case name == "get":
				r, _ := m.Get(k)
				return r, true
			case name == "containsKey":
				return Bool(ok && m.find(k) >= 0), true
			case !ok:
				return null, true
			}
			return m.Remove(k), true
		case "containsValue":
			for _, e := range m.ents {
				if javaEquals(e.val, a, 0) {
					return Bool(true), true
				}
			}
			return Bool(false), true
		case "putAll":
			if a.kind != KindMap {
				return null, false
			}
			src := a.mapv()
			s.charge(n, 64*len(src.ents))
			for _, e := range append([]entry(nil), src.ents...) {
				m.Put(e.key, e.val)
			}
			return void, true
		}
	case 2:
		k, ok := key(args[0])
		switch name {
		case "put":
			if !ok {
				k = "null"
			}
			s.charge(n, 64)
			return m.Put(k, args[1]), true
		case "putIfAbsent":
			if !ok {
				k = "null"
			}
			if old, _ := m.Get(k); old.kind != KindNull {
				return old, true
			}
			s.charge(n, 64)
			return m.Put(k, args[1]), true
		case "getOrDefault":
			if i := m.find(k); ok && i >= 0 {
				return m.ents[i].val, true
			}
			return args[1], true
		}
	}
	return null, false
}

// viewMethod serves keySet(), values() and entrySet() results.
func (s *state) viewMethod(n Node, v Value, name string, args []Value) (Value, bool) {
	m := v.mapv()
	switch {
	case name == "size" && len(args) == 0:
		return Int(int64(len(m.ents))), true
	case name == "isEmpty" && len(args) == 0:
		return Bool(len(m.ents) == 0), true
	case name == "contains" && len(args) == 1:
		items, _ := collectionArg(v)
		return Bool(indexOf(items, args[0], false) >= 0), true
	}
	return null, false
}
