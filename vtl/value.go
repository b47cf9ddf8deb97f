package vtl

import (
	"math"
	"math/big"
	"unsafe"
)

// Kind is the Java type a Value stands for.
type Kind uint8

// The kinds of Value. Each mirrors the Java class a Velocity template running
// inside API Gateway would see.
const (
	KindNull     Kind = iota // null
	KindBool                 // java.lang.Boolean
	KindInt                  // java.lang.Integer or java.lang.Long
	KindFloat                // java.lang.Double (or a long JSON decimal, kept as text like BigDecimal)
	KindBig                  // java.math.BigInteger
	KindString               // java.lang.String
	KindList                 // java.util.List: ArrayList, json-smart JSONArray, or a String[] from split
	KindMap                  // java.util.LinkedHashMap
	KindKeySet               // Map.keySet() view
	KindValues               // Map.values() view
	KindEntrySet             // Map.entrySet() view
	KindEntry                // Map.Entry
	KindObject               // a host object such as $input or $util
	KindScope                // $foreach
	KindBlock                // a #define block

	kindUnset Kind = 255 // a variable slot not yet read or set
)

var kindNames = [...]string{"null", "Boolean", "Integer", "Double", "BigInteger", "String", "List", "Map",
	"KeySet", "Values", "EntrySet", "Entry", "Object", "ForeachScope", "Block"}

// String names the kind after its Java class.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(?)"
}

// Value is one template value. The zero Value is null. Values are small
// (three words) and copied freely; lists and maps are shared by pointer, as
// Java shares objects.
type Value struct {
	kind Kind
	// n is the Int value, Bool (0/1), Float bits, or a String's length.
	n int64
	// p is a String's data, or the *List, *Map, *big.Int, *objectBox,
	// *scope, *block or *entryRef, or for a Float the *string of the
	// original text of a long decimal.
	p unsafe.Pointer
}

// entryRef is a Map.Entry.
type entryRef struct {
	m   *Map
	key string
}

// null is the null value.
var null = Value{}

// Bool returns a Boolean value.
func Bool(b bool) Value {
	if b {
		return Value{kind: KindBool, n: 1}
	}
	return Value{kind: KindBool}
}

// Int returns an Integer (or Long) value.
func Int(n int64) Value { return Value{kind: KindInt, n: n} }

// Float returns a Double value.
func Float(f float64) Value { return Value{kind: KindFloat, n: int64(math.Float64bits(f))} }

// String returns a String value.
func String(s string) Value {
	return Value{kind: KindString, n: int64(len(s)), p: unsafe.Pointer(unsafe.StringData(s))}
}

// str returns the string of a String value.
func (v Value) str() string { return unsafe.String((*byte)(v.p), int(v.n)) }

// decimalText returns the original text of a long decimal Float, or "".
func (v Value) decimalText() string {
	if v.kind == KindFloat && v.p != nil {
		return *(*string)(v.p)
	}
	return ""
}

func entryValue(m *Map, key string) Value {
	return Value{kind: KindEntry, p: unsafe.Pointer(&entryRef{m, key})}
}

func (v Value) entry() *entryRef { return (*entryRef)(v.p) }

// BigInt returns a BigInteger value, or an Int if b fits in 64 bits.
func BigInt(b *big.Int) Value {
	if b.IsInt64() {
		return Int(b.Int64())
	}
	return Value{kind: KindBig, p: unsafe.Pointer(b)}
}

// ListValue wraps l.
func ListValue(l *List) Value {
	if l == nil {
		return null
	}
	return Value{kind: KindList, p: unsafe.Pointer(l)}
}

// MapValue wraps m.
func MapValue(m *Map) Value {
	if m == nil {
		return null
	}
	return Value{kind: KindMap, p: unsafe.Pointer(m)}
}

// ObjectValue wraps a host object. It allocates; a host that hands out the
// same object often can keep the Value and reuse it.
func ObjectValue(o Object) Value {
	if o == nil {
		return null
	}
	return Value{kind: KindObject, p: unsafe.Pointer(&objectBox{o})}
}

// objectBox holds a host object, so that getting it back out of a Value is
// a cheap concrete type assertion rather than an interface conversion.
type objectBox struct{ o Object }

func (v Value) obj() Object { return (*objectBox)(v.p).o }

// Kind reports the kind of v.
func (v Value) Kind() Kind { return v.kind }

// IsNull reports whether v is null.
func (v Value) IsNull() bool { return v.kind == KindNull }

// AsString returns the string held by a String value.
func (v Value) AsString() (string, bool) {
	if v.kind == KindString {
		return v.str(), true
	}
	return "", false
}

// AsInt returns the integer held by an Int value.
func (v Value) AsInt() (int64, bool) {
	if v.kind == KindInt {
		return v.n, true
	}
	return 0, false
}

// AsFloat returns the number held by a Float value.
func (v Value) AsFloat() (float64, bool) {
	if v.kind == KindFloat {
		return v.f(), true
	}
	return 0, false
}

// AsBool returns the truth held by a Bool value.
func (v Value) AsBool() (bool, bool) {
	if v.kind == KindBool {
		return v.n != 0, true
	}
	return false, false
}

// AsList returns the list held by a List value.
func (v Value) AsList() (*List, bool) {
	if v.kind == KindList {
		return v.list(), true
	}
	return nil, false
}

// AsMap returns the map held by a Map value.
func (v Value) AsMap() (*Map, bool) {
	if v.kind == KindMap {
		return v.mapv(), true
	}
	return nil, false
}

// AsObject returns the host object held by an Object value.
func (v Value) AsObject() (Object, bool) {
	if v.kind == KindObject {
		return v.obj(), true
	}
	return nil, false
}

// String returns v as Java's toString would, with null as "null".
// Rendering a null reference in a template gives "" instead; see Render.
func (v Value) String() (str string) {
	if v.kind == KindString {
		return v.str()
	}
	var b []byte
	defer func() {
		if e := recover(); e != nil {
			if _, ok := e.(*Error); !ok && e != errTooDeep {
				panic(e)
			}
			str = string(b)
		}
	}()
	b = appendJava(b, v, 0)
	return string(b)
}

func (v Value) f() float64    { return math.Float64frombits(uint64(v.n)) }
func (v Value) list() *List   { return (*List)(v.p) }
func (v Value) mapv() *Map    { return (*Map)(v.p) }
func (v Value) big() *big.Int { return (*big.Int)(v.p) }

// isNumber reports whether v is a java.lang.Number.
func (v Value) isNumber() bool {
	return v.kind == KindInt || v.kind == KindFloat || v.kind == KindBig
}

// Object is a host value, such as API Gateway's $input, that a template can
// reach only through the names it chooses to answer. Property serves $o.name,
// Call serves $o.name(args). Unknown names give null and no error, as a
// missing Java method does in Velocity. An error fails the render.
// Implementations must not keep args.
type Object interface {
	Property(name string) (Value, error)
	Call(name string, args []Value) (Value, error)
}

// Setter is implemented by host objects that accept #set($o.name = value).
type Setter interface {
	SetProperty(name string, v Value) error
}

// Stringer is implemented by host objects that render as text.
type Stringer interface {
	JavaString() string
}

// Iterable is implemented by host objects that #foreach can walk.
type Iterable interface {
	Len() int
	At(i int) Value
}

// Tracker records that a tree of lists and maps was changed. A host that
// caches a parsed document (API Gateway's $input) shares one Tracker across
// the tree so it can tell whether the cache still matches the source.
type Tracker struct {
	Changed bool
}

// List is a java.util.List.
type List struct {
	items  []Value
	flavor listFlavor
	mod    uint32
	tr     *Tracker
}

type listFlavor uint8

const (
	arrayList   listFlavor = iota // java.util.ArrayList: renders [a, b]
	jsonArray                     // net.minidev.json.JSONArray: renders as JSON
	stringArray                   // String[] from split(): renders as [Ljava.lang.String;@hash
)

// NewList returns an ArrayList holding items.
func NewList(items ...Value) *List { return &List{items: items} }

// NewJSONArray returns a JSON array (as Jayway JsonPath with json-smart
// produces), which renders as compact JSON text.
func NewJSONArray(items ...Value) *List { return &List{items: items, flavor: jsonArray} }

// NewTrackedJSONArray returns a JSON array that reports changes to tr.
func NewTrackedJSONArray(tr *Tracker, items ...Value) *List {
	return &List{items: items, flavor: jsonArray, tr: tr}
}

// Len returns the number of elements.
func (l *List) Len() int { return len(l.items) }

// At returns element i.
func (l *List) At(i int) Value { return l.items[i] }

// Append adds v at the end.
func (l *List) Append(v Value) { l.items = append(l.items, v); l.touch() }

// IsJSON reports whether l renders as JSON text.
func (l *List) IsJSON() bool { return l.flavor == jsonArray }

func (l *List) touch() {
	l.mod++
	if l.tr != nil {
		l.tr.Changed = true
	}
}

// Map is a java.util.LinkedHashMap with String keys: it keeps insertion order.
type Map struct {
	ents  []entry
	index map[string]int
	mod   uint32
	tr    *Tracker
}

type entry struct {
	key string
	val Value
}

// indexThreshold is the size above which a Map keeps a hash index.
const indexThreshold = 12

// NewMap returns an empty map with room for n entries.
func NewMap(n int) *Map { return &Map{ents: make([]entry, 0, n)} }

// Len returns the number of entries.
func (m *Map) Len() int { return len(m.ents) }

// Key returns the key of entry i in insertion order.
func (m *Map) Key(i int) string { return m.ents[i].key }

// ValueAt returns the value of entry i in insertion order.
func (m *Map) ValueAt(i int) Value { return m.ents[i].val }

// Get returns the value stored under key.
func (m *Map) Get(key string) (Value, bool) {
	if i := m.find(key); i >= 0 {
		return m.ents[i].val, true
	}
	return null, false
}

// Put stores v under key and returns the previous value. A new key goes last;
// an existing key keeps its place.
func (m *Map) Put(key string, v Value) Value {
	m.touch()
	if i := m.find(key); i >= 0 {
		old := m.ents[i].val
		m.ents[i].val = v
		return old
	}
	m.ents = append(m.ents, entry{key, v})
	if m.index != nil {
		m.index[key] = len(m.ents) - 1
	} else if len(m.ents) > indexThreshold {
		m.buildIndex()
	}
	return null
}

// Remove deletes key and returns its value.
func (m *Map) Remove(key string) Value {
	i := m.find(key)
	if i < 0 {
		return null
	}
	m.touch()
	old := m.ents[i].val
	m.ents = append(m.ents[:i], m.ents[i+1:]...)
	if m.index != nil {
		m.buildIndex()
	}
	return old
}

func (m *Map) touch() {
	m.mod++
	if m.tr != nil {
		m.tr.Changed = true
	}
}

func (m *Map) find(key string) int {
	if m.index != nil {
		if i, ok := m.index[key]; ok {
			return i
		}
		return -1
	}
	for i := range m.ents {
		if m.ents[i].key == key {
			return i
		}
	}
	return -1
}

func (m *Map) buildIndex() {
	m.index = make(map[string]int, len(m.ents))
	for i, e := range m.ents {
		m.index[e.key] = i
	}
}

// AsNumber returns the value of an Int, Float or BigInt value as a float64.
func (v Value) AsNumber() (float64, bool) {
	if v.isNumber() {
		return toFloat(v), true
	}
	return 0, false
}

// NewTrackedMap returns an empty map that reports changes to tr.
func NewTrackedMap(n int, tr *Tracker) *Map { return &Map{ents: make([]entry, 0, n), tr: tr} }

// Reset empties the map and makes room for n entries, so that a host can
// reuse it for another render.
func (m *Map) Reset(n int) {
	clear(m.ents)
	if cap(m.ents) < n {
		m.ents = make([]entry, 0, n)
	} else {
		m.ents = m.ents[:0]
	}
	m.index = nil
	m.mod++
	m.tr = nil
}

// KeySet returns the map's keySet() view.
func (m *Map) KeySet() Value { return Value{kind: KindKeySet, p: unsafe.Pointer(m)} }

// Values returns the map's values() view.
func (m *Map) Values() Value { return Value{kind: KindValues, p: unsafe.Pointer(m)} }

// EntrySet returns the map's entrySet() view.
func (m *Map) EntrySet() Value { return Value{kind: KindEntrySet, p: unsafe.Pointer(m)} }
