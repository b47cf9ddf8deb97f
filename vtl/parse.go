package vtl

import (
	"fmt"
	"math/big"
	"runtime"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxParseDepth bounds nesting of blocks, expressions and interpolated
// strings, so that no template can exhaust the stack while parsing.
const maxParseDepth = 150

// Template is a parsed template. It is immutable and safe for concurrent
// use: every render keeps its own state.
type Template struct {
	name  string
	src   string
	root  *ListNode
	names []string // variable names by slot

	slotCount, slotHasNext, slotForeach int // $velocityCount, $velocityHasNext, $foreach; -1 if unused
	hasDefine                           bool
	rootCost                            int
}

// Parse parses src. Errors carry name:line:col.
func Parse(name, src string) (t *Template, err error) {
	t = &Template{name: name, src: src}
	p := &parser{t: t, src: src, lex: newLexer(src), slots: map[string]int{}}
	defer p.recover(&err)
	t.root = p.parse()
	t.rootCost = setCosts(t.root)
	t.names = p.names
	t.slotCount, t.slotHasNext, t.slotForeach = p.find("velocityCount"), p.find("velocityHasNext"), p.find("foreach")
	return t, nil
}

// Name returns the name given to Parse.
func (t *Template) Name() string { return t.name }

// Source returns the template text.
func (t *Template) Source() string { return t.src }

// Root returns the parse tree.
func (t *Template) Root() *ListNode { return t.root }

// String prints the parse tree back as template source.
func (t *Template) String() string { return t.root.String() }

// Names returns the variable names the template mentions, in order of first
// appearance.
func (t *Template) Names() []string { return append([]string(nil), t.names...) }

// Error is a parse or render error with its place in the template.
type Error struct {
	Name string
	Line int // 1-based
	Col  int // 1-based, in characters
	Msg  string
}

// Error formats the error as name:line:col: message.
func (e *Error) Error() string { return fmt.Sprintf("%s:%d:%d: %s", e.Name, e.Line, e.Col, e.Msg) }

// newError locates pos in src.
func newError(name, src string, pos Pos, msg string) *Error {
	p := min(max(int(pos), 0), len(src))
	line := 1 + strings.Count(src[:p], "\n")
	start := strings.LastIndexByte(src[:p], '\n') + 1
	return &Error{Name: name, Line: line, Col: 1 + utf8.RuneCountInString(src[start:p]), Msg: msg}
}

type parser struct {
	t         *Template
	src       string // the text being parsed: the template, or a string literal's content
	base      int    // offset of src within the template
	lex       *lexer
	token     [3]item
	peekCount int
	lastEnd   int
	depth     int
	slots     map[string]int
	names     []string
}

// recover turns a parse panic into an error; runtime errors are re-panicked.
func (p *parser) recover(errp *error) {
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

func (p *parser) errorf(pos int, format string, args ...any) {
	panic(newError(p.t.name, p.t.src, Pos(p.base+pos), fmt.Sprintf(format, args...)))
}

func (p *parser) unexpected(it item, context string) {
	if it.typ == itemError {
		p.errorf(it.pos, "%s", it.val)
	}
	sep := " "
	if strings.HasPrefix(context, ";") {
		sep = ""
	}
	p.errorf(it.pos, "unexpected %s%s%s", it, sep, context)
}

func (p *parser) next() item {
	if p.peekCount > 0 {
		p.peekCount--
	} else {
		p.token[0] = p.lex.nextItem()
	}
	it := p.token[p.peekCount]
	p.lastEnd = it.pos + len(it.val)
	return it
}

func (p *parser) peek() item {
	if p.peekCount > 0 {
		return p.token[p.peekCount-1]
	}
	p.peekCount = 1
	p.token[0] = p.lex.nextItem()
	return p.token[0]
}

func (p *parser) expect(t itemType, context string) item {
	it := p.next()
	if it.typ != t {
		p.unexpected(it, context)
	}
	return it
}

// space skips optional whitespace inside an expression.
func (p *parser) space() {
	for p.peek().typ == itemSpace {
		p.next()
	}
}

func (p *parser) pos(it item) Pos { return Pos(p.base + it.pos) }

func (p *parser) enter(pos int) {
	p.depth++
	if p.depth > maxParseDepth {
		p.errorf(pos, "template nests too deeply")
	}
}

func (p *parser) leave() { p.depth-- }

func (p *parser) find(name string) int {
	if i, ok := p.slots[name]; ok {
		return i
	}
	return -1
}

func (p *parser) slot(name string) int {
	if i, ok := p.slots[name]; ok {
		return i
	}
	p.slots[name] = len(p.names)
	p.names = append(p.names, name)
	return len(p.names) - 1
}

// parse:
//
//	template := statement* EOF
func (p *parser) parse() *ListNode {
	list, stop := p.block()
	if stop.typ != itemEOF {
		p.unexpected(stop, "with no open block")
	}
	return list
}

// block parses statements up to #end, #else, #elseif or the end, which it
// returns without consuming.
//
//	block := statement*
func (p *parser) block() (*ListNode, item) {
	list := &ListNode{NodeType: NodeList, Pos: p.pos(p.peek())}
	for {
		switch t := p.peek(); t.typ {
		case itemEnd, itemElse, itemElseIf, itemEOF:
			return list, t
		}
		list.Nodes = append(list.Nodes, p.statement())
	}
}

// statement:
//
//	statement := text | comment | textblock | reference | set | if | stop | directive
func (p *parser) statement() Node {
	t := p.next()
	switch t.typ {
	case itemText:
		out := t.val
		if t.out != "" {
			out = t.out
		}
		return &TextNode{NodeType: NodeText, Pos: p.pos(t), Src: t.val, Out: out}
	case itemComment:
		return &CommentNode{NodeType: NodeComment, Pos: p.pos(t), Src: t.val}
	case itemTextBlock:
		return &TextNode{NodeType: NodeText, Pos: p.pos(t), Src: t.val, Out: t.val[3 : len(t.val)-3]}
	case itemRef:
		return p.reference(t)
	case itemSet:
		return p.setDirective(t)
	case itemIf:
		return p.ifDirective(t)
	case itemStop:
		return &StopNode{NodeType: NodeStop, Pos: p.pos(t), Src: t.val}
	case itemDirective:
		return p.directive(t)
	}
	p.unexpected(t, "in template")
	return nil
}

// reference:
//
//	reference := head name index* (('.' name | '.' name '(' args ')') index*)* ['}']
func (p *parser) reference(head item) *RefNode {
	name := p.expect(itemIdent, "in reference")
	r := &RefNode{NodeType: NodeRef, Pos: p.pos(head), Head: head.val, Name: name.val, slot: p.slot(name.val)}
	h := head.val
	for len(h) > 0 && h[0] == '\\' {
		h = h[1:]
		r.Escapes++
	}
	r.Quiet = strings.HasPrefix(h, "$!")
	r.Formal = strings.HasSuffix(h, "{")
	start := head.pos + r.Escapes
	p.enter(head.pos)
	defer p.leave()
	for {
		switch t := p.peek(); t.typ {
		case itemIndexOpen:
			r.Chain = append(r.Chain, p.index())
		case itemProp:
			p.next()
			r.Chain = append(r.Chain, &PropNode{NodeType: NodeProp, Pos: p.pos(t), Name: t.val})
		case itemMethod:
			r.Chain = append(r.Chain, p.method())
		default:
			if r.Formal {
				p.expect(itemRefClose, "in ${...} reference; want }")
			}
			r.Src = p.src[start:p.lastEnd]
			return r
		}
	}
}

// index:
//
//	index := '[' [space] (string | integer | true | false | reference) [space] ']'
func (p *parser) index() *IndexNode {
	open := p.next()
	p.space()
	var arg Node
	switch t := p.next(); t.typ {
	case itemString, itemInt, itemTrue, itemFalse:
		arg = p.literal(t)
	case itemRef:
		arg = p.reference(t)
	default:
		p.unexpected(t, "in index")
	}
	p.space()
	p.expect(itemIndexClose, "in index; want ]")
	return &IndexNode{NodeType: NodeIndex, Pos: p.pos(open), Arg: arg}
}

// method:
//
//	method := '.' name '(' [param (',' param)*] ')'
func (p *parser) method() *MethodNode {
	t := p.next()
	m := &MethodNode{NodeType: NodeMethod, Pos: p.pos(t), Name: t.val}
	if p.peek().typ == itemArgsClose {
		p.next()
		return m
	}
	for {
		m.Args = append(m.Args, p.param())
		switch t := p.next(); t.typ {
		case itemComma:
		case itemArgsClose:
			return m
		default:
			p.unexpected(t, "in method arguments")
		}
	}
}

// param is a method argument, list element or map entry.
//
//	param := [space] (string | integer | range | map | list | true | false | reference | float) [space]
func (p *parser) param() Node {
	p.space()
	t := p.next()
	var n Node
	switch t.typ {
	case itemString, itemInt, itemFloat, itemTrue, itemFalse:
		n = p.literal(t)
	case itemRef:
		n = p.reference(t)
	case itemLBracket:
		n = p.listOrRange(t)
	case itemLBrace:
		n = p.mapLiteral(t)
	default:
		p.unexpected(t, "; want a value")
	}
	p.space()
	return n
}

// literal converts a string, number or boolean token.
func (p *parser) literal(t item) Node {
	switch t.typ {
	case itemString:
		return p.stringLiteral(t)
	case itemInt:
		v := null
		if n, err := strconv.ParseInt(t.val, 10, 64); err == nil {
			v = Int(n)
		} else {
			b, _ := new(big.Int).SetString(t.val, 10)
			v = BigInt(b)
		}
		return &IntNode{NodeType: NodeInt, Pos: p.pos(t), Raw: t.val, Value: v}
	case itemFloat:
		f, _ := strconv.ParseFloat(t.val, 64)
		return &FloatNode{NodeType: NodeFloat, Pos: p.pos(t), Raw: t.val, Value: f}
	case itemTrue, itemFalse:
		return &BoolNode{NodeType: NodeBool, Pos: p.pos(t), True: t.typ == itemTrue}
	}
	p.unexpected(t, "; want a literal")
	return nil
}

// stringLiteral decodes a literal as Velocity 1.7 does: in double quotes
// only \uXXXX escapes are decoded (\n stays two characters) and "" stands for
// one quote; in single quotes ” stands for one quote and nothing else
// changes. A double-quoted literal containing '$' or '#' is a template.
func (p *parser) stringLiteral(t item) *StringNode {
	q := t.val[0]
	text := t.val[1 : len(t.val)-1]
	if q == '"' {
		text = p.unescapeUnicode(t.pos+1, text)
	}
	doubled := string([]byte{q, q})
	text = strings.ReplaceAll(text, doubled, doubled[:1])
	n := &StringNode{NodeType: NodeString, Pos: p.pos(t), Raw: t.val, Text: text}
	if q == '"' && strings.ContainsAny(t.val, "$#") {
		p.enter(t.pos)
		sub := &parser{t: p.t, src: text, base: p.base + t.pos + 1, lex: newLexer(text),
			depth: p.depth, slots: p.slots, names: p.names}
		n.Interp = sub.parse()
		p.names = sub.names
		p.leave()
	}
	return n
}

// unescapeUnicode replaces each \uXXXX, as ASTStringLiteral.unescape does.
// A \u without four hex digits is an error, as it is in Velocity.
func (p *parser) unescapeUnicode(pos int, s string) string {
	if !strings.Contains(s, `\u`) {
		return s
	}
	var units []uint16
	var b strings.Builder
	flush := func() {
		if len(units) > 0 {
			b.WriteString(string(utf16.Decode(units)))
			units = units[:0]
		}
	}
	for {
		i := strings.Index(s, `\u`)
		if i < 0 {
			break
		}
		if i > 0 {
			flush()
			b.WriteString(s[:i])
		}
		if len(s) < i+6 {
			p.errorf(pos, "bad \\u escape in string literal")
		}
		n, err := strconv.ParseUint(s[i+2:i+6], 16, 16)
		if err != nil {
			p.errorf(pos, "bad \\u escape in string literal")
		}
		units = append(units, uint16(n))
		s = s[i+6:]
	}
	flush()
	b.WriteString(s)
	return b.String()
}

// listOrRange parses after '['.
//
//	range := '[' [space] (reference | integer) [space] '..' [space] (reference | integer) [space] ']'
//	list  := '[' [param (',' param)*] ']'
func (p *parser) listOrRange(open item) Node {
	p.enter(open.pos)
	defer p.leave()
	pos := p.pos(open)
	if p.peek().typ == itemRBracket {
		p.next()
		return &ListLitNode{NodeType: NodeListLit, Pos: pos}
	}
	p.space()
	var first Node
	switch t := p.peek(); t.typ {
	case itemRef:
		p.next()
		first = p.reference(t)
	case itemInt:
		p.next()
		first = p.literal(t)
	}
	if first != nil {
		p.space()
		if p.peek().typ == itemDotDot {
			p.next()
			p.space()
			var to Node
			switch t := p.next(); t.typ {
			case itemRef:
				to = p.reference(t)
			case itemInt:
				to = p.literal(t)
			default:
				p.unexpected(t, "in range")
			}
			p.space()
			p.expect(itemRBracket, "in range; want ]")
			return &RangeNode{NodeType: NodeRange, Pos: pos, From: first, To: to}
		}
	} else {
		first = p.param()
	}
	l := &ListLitNode{NodeType: NodeListLit, Pos: pos, Elems: []Node{first}}
	for {
		switch t := p.next(); t.typ {
		case itemComma:
			l.Elems = append(l.Elems, p.param())
		case itemRBracket:
			return l
		default:
			p.unexpected(t, "in list")
		}
	}
}

// mapLiteral parses after '{'.
//
//	map := '{' (param ':' param (',' param ':' param)* | [space]) '}'
func (p *parser) mapLiteral(open item) Node {
	p.enter(open.pos)
	defer p.leave()
	m := &MapLitNode{NodeType: NodeMapLit, Pos: p.pos(open)}
	p.space()
	if p.peek().typ == itemRBrace {
		p.next()
		return m
	}
	for {
		k := p.param()
		p.expect(itemColon, "in map; want :")
		v := p.param()
		m.Keys = append(m.Keys, k)
		m.Values = append(m.Values, v)
		switch t := p.next(); t.typ {
		case itemComma:
		case itemRBrace:
			return m
		default:
			p.unexpected(t, "in map")
		}
	}
}
