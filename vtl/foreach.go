package vtl

import "unsafe"

// execForeach runs #foreach as Velocity 1.7 does: lists, arrays and map
// values (or keySet/values/entrySet views) are walked; null and other values
// give no iterations. $foreach (index, count, hasNext, first, last, parent),
// $velocityCount and $velocityHasNext are set for the body, and the loop
// variable and these are restored afterwards. Changing the collection inside
// the loop fails as Java's iterators do. The loop stops after
// Limits.MaxIterations iterations (API Gateway: 1000).
func (s *state) execForeach(n *ForeachNode) {
	var it iter
	if r, ok := n.Iter.(*RangeNode); ok {
		from, to, ok := s.rangeBounds(r)
		if !ok {
			return
		}
		it = iter{kind: iterRange, from: from, to: to}
	} else {
		it = s.iterator(s.eval(n.Iter))
	}
	if it.kind == iterNone || s.ctl != ctlNone {
		return
	}
	varSlot := n.Var.slot
	countSlot, nextSlot, scopeSlot := s.t.slotCount, s.t.slotHasNext, s.t.slotForeach
	savedVar := s.saved(varSlot)
	savedCount := s.saved(countSlot)
	savedNext := s.saved(nextSlot)
	savedScope := s.saved(scopeSlot)

	var sc *scope
	if s.loops < len(s.scopes) {
		sc = &s.scopes[s.loops]
		*sc = scope{}
	} else {
		sc = &scope{}
	}
	if scopeSlot >= 0 {
		if p := s.lookup(scopeSlot); p.kind == KindScope {
			sc.parent = p
		}
		s.setVar(scopeSlot, Value{kind: KindScope, p: unsafe.Pointer(sc)})
	}
	s.loops++
	mod := it.mod()
	for i := 0; i < it.len(); i++ {
		if i >= s.lim.MaxIterations {
			break
		}
		if it.mod() != mod {
			s.errorf(n, "java.util.ConcurrentModificationException: collection changed inside #foreach")
		}
		s.work(n, n.cost)
		v := it.at(i)
		hasNext := i+1 < it.len()
		sc.index, sc.hasNext = i, hasNext
		if countSlot >= 0 {
			s.setVar(countSlot, Int(int64(i+1)))
		}
		if nextSlot >= 0 {
			s.setVar(nextSlot, Bool(hasNext))
		}
		s.setVar(varSlot, v)
		s.walk(n.Body)
		if s.ctl == ctlBreak && (s.brk == nil || s.brk == sc) {
			s.ctl, s.brk = ctlNone, nil
			break
		}
		if s.ctl != ctlNone {
			break
		}
	}
	s.loops--
	s.restore(varSlot, savedVar)
	s.restore(countSlot, savedCount)
	s.restore(nextSlot, savedNext)
	s.restore(scopeSlot, savedScope)
}

func (s *state) saved(i int) Value {
	if i < 0 {
		return null
	}
	return s.lookup(i)
}

func (s *state) restore(i int, v Value) {
	if i >= 0 {
		s.setVar(i, v)
	}
}

type iterKind uint8

const (
	iterNone iterKind = iota
	iterList
	iterMapValues
	iterMapKeys
	iterMapEntries
	iterRange
	iterObject
)

// iter walks what #foreach iterates without copying it.
type iter struct {
	kind     iterKind
	list     *List
	m        *Map
	obj      Iterable
	from, to int
}

func (s *state) iterator(v Value) iter {
	switch v.kind {
	case KindList:
		return iter{kind: iterList, list: v.list()}
	case KindMap, KindValues:
		return iter{kind: iterMapValues, m: v.mapv()}
	case KindKeySet:
		return iter{kind: iterMapKeys, m: v.mapv()}
	case KindEntrySet:
		return iter{kind: iterMapEntries, m: v.mapv()}
	case KindObject:
		if o, ok := v.obj().(Iterable); ok {
			return iter{kind: iterObject, obj: o}
		}
	}
	return iter{}
}

func (it *iter) len() int {
	switch it.kind {
	case iterList:
		return len(it.list.items)
	case iterMapValues, iterMapKeys, iterMapEntries:
		return len(it.m.ents)
	case iterRange:
		return absInt(it.to-it.from) + 1
	case iterObject:
		return it.obj.Len()
	}
	return 0
}

func (it *iter) mod() uint32 {
	switch it.kind {
	case iterList:
		return it.list.mod
	case iterMapValues, iterMapKeys, iterMapEntries:
		return it.m.mod
	}
	return 0
}

func (it *iter) at(i int) Value {
	switch it.kind {
	case iterList:
		return it.list.items[i]
	case iterMapValues:
		return it.m.ents[i].val
	case iterMapKeys:
		return String(it.m.ents[i].key)
	case iterMapEntries:
		return entryValue(it.m, it.m.ents[i].key)
	case iterRange:
		return Int(int64(rangeAt(it.from, it.to, i)))
	case iterObject:
		return it.obj.At(i)
	}
	return null
}
