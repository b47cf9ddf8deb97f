package vtl

import (
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"unsafe"
)

// Limits bound one render so that no template can hang or exhaust memory.
// Zero fields take the defaults of DefaultLimits.
type Limits struct {
	// MaxIterations is the number of iterations after which a #foreach stops,
	// as Velocity's directive.foreach.maxloops does. API Gateway sets 1000.
	MaxIterations int
	// MaxSteps bounds the evaluation work of a render.
	MaxSteps int
	// MaxOutput bounds the rendered output and any string a template builds.
	MaxOutput int
	// MaxMemory bounds, roughly in bytes, the strings and collection elements
	// a template creates.
	MaxMemory int
	// MaxDepth bounds the nesting of #define blocks and string literals
	// rendered inside one another.
	MaxDepth int
}

// DefaultLimits returns the limits used for zero fields: API Gateway's 1000
// iterations per loop and an output of at most 10 MiB (its payload limit).
func DefaultLimits() Limits {
	return Limits{MaxIterations: 1000, MaxSteps: 10_000_000, MaxOutput: 10 << 20, MaxMemory: 64 << 20, MaxDepth: 64}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxIterations <= 0 {
		l.MaxIterations = d.MaxIterations
	}
	if l.MaxSteps <= 0 {
		l.MaxSteps = d.MaxSteps
	}
	if l.MaxOutput <= 0 {
		l.MaxOutput = d.MaxOutput
	}
	if l.MaxMemory <= 0 {
		l.MaxMemory = d.MaxMemory
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	return l
}

// Env supplies the variables a template reads before it sets them, such as
// API Gateway's $input and $context. Lookup is called at most once per name
// and render; it returns null for names it does not know.
type Env interface {
	Lookup(name string) Value
}

// Meter is a render's work budget. Host objects charge it for work they do
// on a template's behalf (parsing a payload, searching it); running out fails
// the render, as running out of evaluation steps does.
type Meter interface {
	Charge(units int) error
}

// MeteredEnv is an Env that wants the render's Meter before the render
// starts. The Meter is valid only until Render returns.
type MeteredEnv interface {
	Env
	SetMeter(Meter)
}

// Render appends the output of t to dst. It is safe to call concurrently:
// all render state lives in the call. Errors carry name:line:col.
func (t *Template) Render(dst []byte, env Env, lim Limits) (out []byte, err error) {
	// A #define block keeps a pointer to its render, so only renders of
	// templates without one reuse their state.
	var s *state
	if t.hasDefine {
		s = new(state)
	} else {
		s = statePool.Get().(*state)
		defer s.release()
	}
	s.t, s.out, s.env, s.lim = t, dst, env, lim.withDefaults()
	if cap(s.vars) >= len(t.names) {
		s.vars = s.vars[:len(t.names)]
	} else {
		s.vars = make([]Value, len(t.names))
	}
	for i := range s.vars {
		s.vars[i] = Value{kind: kindUnset}
	}
	s.args = s.argBuf[:0]
	if me, ok := env.(MeteredEnv); ok {
		me.SetMeter(s)
	}
	defer s.recover(&err)
	s.work(t.root, t.rootCost)
	s.walk(t.root)
	out = s.out
	s.out = nil
	return out, nil
}

var statePool = sync.Pool{New: func() any { return new(state) }}

// release resets the state and returns it to the pool. Fields are reset
// one by one: assigning a whole state would run the write barrier over all
// of it.
func (s *state) release() {
	clear(s.vars)
	s.vars = s.vars[:0]
	s.t, s.out, s.env, s.brk = nil, nil, nil, nil
	s.steps, s.mem, s.depth, s.loops, s.ctl = 0, 0, 0, 0, ctlNone
	statePool.Put(s)
}

type ctl uint8

const (
	ctlNone  ctl = iota
	ctlBreak     // #break: leave the nearest loop or block, or the one in brk
	ctlStop      // #stop: leave everything
)

type state struct {
	t      *Template
	out    []byte
	env    Env
	lim    Limits
	vars   []Value // kindUnset until read from env or set
	steps  int
	mem    int
	depth  int
	ctl    ctl
	brk    *scope
	loops  int
	args   []Value
	argBuf [8]Value
	scopes [4]scope
}

// scope is $foreach.
type scope struct {
	index   int
	hasNext bool
	parent  Value
}

// block is a #define block bound to the render that defined it.
type block struct {
	st   *state
	node *DefineNode
}

func (s *state) recover(errp *error) {
	if e := recover(); e != nil {
		if _, ok := e.(runtime.Error); ok {
			panic(e)
		}
		err, ok := e.(*Error)
		if !ok {
			panic(e)
		}
		*errp = err
	}
}

// errorf stops the render with an error located at n.
func (s *state) errorf(n Node, format string, args ...any) {
	var pos Pos
	if n != nil {
		pos = n.Position()
	}
	panic(newError(s.t.name, s.t.src, pos, fmt.Sprintf(format, args...)))
}

func (s *state) step(n Node) {
	s.steps++
	if s.steps > s.lim.MaxSteps {
		s.errorf(n, "template exceeds %d evaluation steps", s.lim.MaxSteps)
	}
}

// work counts units of work done for node n. It is small enough to inline.
func (s *state) work(n Node, units int) {
	s.steps += units
	if s.steps > s.lim.MaxSteps {
		s.overBudget(n)
	}
}

func (s *state) overBudget(n Node) {
	s.errorf(n, "template exceeds %d evaluation steps", s.lim.MaxSteps)
}

// Charge implements Meter: units count as evaluation steps.
func (s *state) Charge(units int) error {
	s.steps += max(units, 0)
	if s.steps > s.lim.MaxSteps {
		return fmt.Errorf("template exceeds %d evaluation steps", s.lim.MaxSteps)
	}
	return nil
}

// charge accounts for memory a template creates.
func (s *state) charge(n Node, bytes int) {
	s.mem += bytes
	if s.mem > s.lim.MaxMemory {
		s.errorf(n, "template uses more than %d bytes of memory", s.lim.MaxMemory)
	}
}

// chargeString accounts for a new string and checks its length.
func (s *state) chargeString(n Node, length int) {
	if length > s.lim.MaxOutput {
		s.errorf(n, "string longer than %d bytes", s.lim.MaxOutput)
	}
	s.charge(n, length)
}

func (s *state) checkOutput(n Node) {
	if len(s.out) > s.lim.MaxOutput {
		s.errorf(n, "output exceeds %d bytes", s.lim.MaxOutput)
	}
}

// lookup reads variable i. It is small enough to inline; a variable read
// for the first time comes from the Env.
func (s *state) lookup(i int) Value {
	if v := s.vars[i]; v.kind != kindUnset {
		return v
	}
	return s.lookupEnv(i)
}

func (s *state) lookupEnv(i int) Value {
	v := null
	if s.env != nil {
		v = s.env.Lookup(s.t.names[i])
	}
	s.vars[i] = v
	return v
}

func (s *state) setVar(i int, v Value) { s.vars[i] = v }

func (s *state) walk(list *ListNode) {
	for _, n := range list.Nodes {
		s.exec(n)
		if s.ctl != ctlNone {
			return
		}
	}
}

// exec runs one statement. The work budget is charged per list walked (see
// cost), not per node.
func (s *state) exec(n Node) {
	switch n := n.(type) {
	case *TextNode:
		s.out = append(s.out, n.Out...)
		s.checkOutput(n)
	case *CommentNode:
	case *RefNode:
		s.renderRef(n)
	case *SetNode:
		s.execSet(n)
	case *IfNode:
		s.execIf(n)
	case *ForeachNode:
		s.execForeach(n)
	case *DefineNode:
		s.charge(n, 64)
		s.setVar(n.Var.slot, Value{kind: KindBlock, p: unsafe.Pointer(&block{st: s, node: n})})
	case *BreakNode:
		s.execBreak(n)
	case *StopNode:
		s.ctl = ctlStop
	case *DirectiveNode:
		s.out = append(s.out, n.Src...)
		s.checkOutput(n)
	default:
		s.errorf(n, "cannot execute %T", n)
	}
}

// renderRef writes a reference. null renders as nothing (API Gateway's
// rule). An escaped reference (\$x) prints its source, with one more
// backslash when its value is null, as Velocity 1.7 does.
func (s *state) renderRef(r *RefNode) {
	v := s.evalRef(r)
	if s.ctl != ctlNone {
		return
	}
	for i := 0; i < r.Escapes/2; i++ {
		s.out = append(s.out, '\\')
	}
	if r.Escapes%2 == 1 {
		if v.kind == KindNull {
			s.out = append(s.out, '\\')
		}
		s.out = append(s.out, r.Src...)
		s.checkOutput(r)
		return
	}
	s.writeValue(r, v)
}

// writeValue writes v as a template renders it.
func (s *state) writeValue(n Node, v Value) {
	switch v.kind {
	case KindNull:
		return
	case KindString:
		s.out = append(s.out, v.str()...)
	case KindInt:
		s.out = strconv.AppendInt(s.out, v.n, 10)
	case KindBlock:
		s.renderBlock(n, (*block)(v.p))
	default:
		s.out = s.appendJava(n, s.out, v)
	}
	s.checkOutput(n)
}

// appendJava is appendJava with depth failures reported as errors at n.
func (s *state) appendJava(n Node, dst []byte, v Value) (out []byte) {
	defer func() {
		if e := recover(); e != nil {
			if e != errTooDeep {
				panic(e)
			}
			s.errorf(n, "value nests too deeply to print")
		}
	}()
	return appendJava(dst, v, 0)
}

// str returns Java's toString of v; null gives "null".
func (s *state) str(n Node, v Value) string {
	switch v.kind {
	case KindString:
		return v.str()
	case KindBlock:
		return s.blockString(n, (*block)(v.p))
	}
	b := s.appendJava(n, nil, v)
	s.chargeString(n, len(b))
	return string(b)
}

func (s *state) enter(n Node) {
	s.depth++
	if s.depth > s.lim.MaxDepth {
		s.errorf(n, "template nests more than %d levels while rendering", s.lim.MaxDepth)
	}
}

// renderBlock renders a #define block in place. A #break inside ends it.
func (s *state) renderBlock(n Node, b *block) {
	if b.st != s {
		s.out = append(s.out, b.st.blockString(n, b)...)
		return
	}
	s.enter(n)
	s.work(n, b.node.cost)
	s.walk(b.node.Body)
	s.depth--
	if s.ctl == ctlBreak && s.brk == nil {
		s.ctl = ctlNone
	}
}

// blockString renders a #define block to a string.
func (s *state) blockString(n Node, b *block) string {
	if b.st != s {
		return b.st.blockString(n, b)
	}
	if s.out == nil {
		s.out = []byte{}
		defer func() { s.out = nil }()
	}
	start := len(s.out)
	saved := s.ctl
	s.renderBlock(n, b)
	if s.ctl == ctlNone {
		s.ctl = saved
	}
	str := string(s.out[start:])
	s.out = s.out[:start]
	return str
}

// appendBlock serves appendJava for blocks inside collections.
func (s *state) appendBlock(dst []byte, b *block) []byte {
	return append(dst, s.blockString(b.node, b)...)
}

// renderString renders an interpolated string literal.
func (s *state) renderString(n *StringNode) string {
	if s.out == nil {
		s.out = []byte{}
		defer func() { s.out = nil }()
	}
	s.enter(n)
	s.work(n, n.cost)
	start := len(s.out)
	s.walk(n.Interp)
	s.depth--
	str := string(s.out[start:])
	s.out = s.out[:start]
	s.chargeString(n, len(str))
	return str
}

// execSet assigns a variable, a property (map put or host setter) or an
// index. Velocity 1.7 with its default directive.set.null.allowed=false leaves
// the target unchanged when the value is null.
func (s *state) execSet(n *SetNode) {
	v := s.eval(n.Value)
	if s.ctl != ctlNone || v.kind == KindNull {
		return
	}
	t := n.Target
	if len(t.Chain) == 0 {
		s.setVar(t.slot, v)
		return
	}
	obj := s.lookup(t.slot)
	for _, a := range t.Chain[:len(t.Chain)-1] {
		if obj.kind == KindNull {
			return
		}
		obj = s.access(a, obj)
	}
	if obj.kind == KindNull {
		return
	}
	switch last := t.Chain[len(t.Chain)-1].(type) {
	case *PropNode:
		s.setProperty(last, obj, last.Name, v)
	case *IndexNode:
		s.setIndex(last, obj, s.eval(last.Arg), v)
	case *MethodNode:
		s.errorf(n, "cannot assign to a method call")
	}
}

func (s *state) setProperty(n Node, obj Value, name string, v Value) {
	switch obj.kind {
	case KindMap:
		s.charge(n, 64)
		obj.mapv().Put(name, v)
	case KindObject:
		if st, ok := obj.obj().(Setter); ok {
			if err := st.SetProperty(name, v); err != nil {
				s.errorf(n, "%v", err)
			}
		}
	}
}

// setIndex serves #set($a[i] = v): List.set(int, v) or Map.put(k, v).
func (s *state) setIndex(n Node, obj Value, idx, v Value) {
	switch obj.kind {
	case KindList:
		l := obj.list()
		i, ok := s.listIndex(n, l.Len(), idx)
		if !ok {
			return
		}
		l.items[i] = v
		l.touch()
	case KindMap:
		if idx.kind == KindNull {
			return
		}
		s.charge(n, 64)
		obj.mapv().Put(s.str(n, idx), v)
	case KindObject:
		if st, ok := obj.obj().(Setter); ok && idx.kind == KindString {
			if err := st.SetProperty(idx.str(), v); err != nil {
				s.errorf(n, "%v", err)
			}
		}
	}
}

func (s *state) execIf(n *IfNode) {
	for _, b := range n.Branches {
		if s.truth(b.Cond) {
			s.walk(b.Body)
			return
		}
		if s.ctl != ctlNone {
			return
		}
	}
	if n.Else != nil {
		s.walk(n.Else)
	}
}

func (s *state) execBreak(n *BreakNode) {
	if n.Arg == nil {
		s.ctl, s.brk = ctlBreak, nil
		return
	}
	v := s.eval(n.Arg)
	if v.kind != KindScope {
		s.errorf(n, "%s is not a valid scope for #break", n.Arg)
	}
	s.ctl, s.brk = ctlBreak, (*scope)(v.p)
}
