package vtl

import (
	"fmt"
	"strings"
)

// The lexer follows the lexical states of Velocity 1.7's JavaCC grammar
// (DEFAULT, REFERENCE, REFMODIFIER, REFMOD2, REFINDEX, DIRECTIVE) with a
// stack of modes. It is synchronous: the parser pulls items with nextItem,
// which runs state functions until one is ready.

type itemType uint8

const (
	itemError itemType = iota
	itemEOF

	// template text
	itemText      // schmoo; out holds the rendering when escapes change it
	itemComment   // ## ... newline, #* ... *#
	itemTextBlock // #[[ ... ]]#
	itemSet       // [blanks] #set [spaces] (
	itemIf        // #if or #{if}
	itemElseIf    // #elseif
	itemElse      // #else plus an eaten newline
	itemEnd       // #end plus an eaten newline
	itemStop      // #stop
	itemDirective // #name or #{name}: any other directive

	// references
	itemRef        // $ with escapes, ! and {: the head of a reference
	itemIdent      // the root name of a reference
	itemProp       // .name
	itemMethod     // .name( — arguments follow
	itemArgsClose  // ) ending method arguments
	itemIndexOpen  // [ after a reference
	itemIndexClose // ] ending an index
	itemRefClose   // } ending ${...}

	// expressions
	itemSpace
	itemString
	itemInt
	itemFloat
	itemTrue
	itemFalse
	itemWord
	itemLParen
	itemRParen // val holds ) and, when it closes a directive, the blanks and newline it ate
	itemLBracket
	itemRBracket
	itemComma
	itemDotDot
	itemColon
	itemLBrace
	itemRBrace
	itemAssign
	itemOr
	itemAnd
	itemEq
	itemNe
	itemLt
	itemLe
	itemGt
	itemGe
	itemNot
	itemPlus
	itemMinus
	itemMul
	itemDiv
	itemMod
)

// item is a token. val is its source text.
type item struct {
	typ itemType
	pos int
	val string
	out string // itemText only: rendered text, when it differs from val
}

func (i item) String() string {
	switch i.typ {
	case itemEOF:
		return "end of template"
	case itemError:
		return i.val
	}
	if len(i.val) > 20 {
		return fmt.Sprintf("%.20q...", i.val)
	}
	return fmt.Sprintf("%q", i.val)
}

type modeKind uint8

const (
	modeText      modeKind = iota // DEFAULT
	modeRef                       // REFERENCE / REFMODIFIER
	modeArgs                      // REFMOD2: method arguments
	modeIndex                     // REFINDEX
	modeDirective                 // DIRECTIVE
)

type lexMode struct {
	kind   modeKind
	formal bool // modeRef of ${...}
	parens int  // modeDirective: open parentheses
}

type stateFn func(*lexer) stateFn

type lexer struct {
	input string
	pos   int
	items []item
	head  int
	modes []lexMode
	state stateFn
}

func newLexer(input string) *lexer {
	l := &lexer{input: input, modes: make([]lexMode, 1, 8)}
	l.state = lexText
	return l
}

// nextItem returns the next item, running the lexer as far as needed.
func (l *lexer) nextItem() item {
	for l.head == len(l.items) {
		if l.state == nil {
			return item{typ: itemEOF, pos: len(l.input)}
		}
		l.items = l.items[:0]
		l.head = 0
		l.state = l.state(l)
	}
	it := l.items[l.head]
	l.head++
	return it
}

func (l *lexer) emit(t itemType, start, end int) {
	l.items = append(l.items, item{typ: t, pos: start, val: l.input[start:end]})
	l.pos = end
}

func (l *lexer) errorf(pos int, format string, args ...any) stateFn {
	l.items = append(l.items, item{typ: itemError, pos: pos, val: fmt.Sprintf(format, args...)})
	return nil
}

func (l *lexer) top() *lexMode { return &l.modes[len(l.modes)-1] }

func (l *lexer) push(m lexMode) { l.modes = append(l.modes, m) }

// pop leaves the current mode and returns the state function of the one below.
func (l *lexer) pop() stateFn {
	if len(l.modes) > 1 {
		l.modes = l.modes[:len(l.modes)-1]
	}
	return l.resume()
}

func (l *lexer) resume() stateFn {
	switch l.top().kind {
	case modeRef:
		return lexRef
	case modeText:
		return lexText
	}
	return lexExpr
}

func isLetter(c byte) bool      { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool       { return c >= '0' && c <= '9' }
func isIdentChar(c byte) bool   { return isLetter(c) || isDigit(c) || c == '-' || c == '_' }
func isWordChar(c byte) bool    { return isLetter(c) || isDigit(c) || c == '_' || c == '@' }
func isBlank(c byte) bool       { return c == ' ' || c == '\t' }
func isSpaceChar(c byte) bool   { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
func isTextSpecial(c byte) bool { return c == '$' || c == '#' || c == '\\' }

// lexText scans schmoo. Each call starts a new token, which is where #set
// may swallow the blanks before it (Velocity's SET_DIRECTIVE token).
func lexText(l *lexer) stateFn {
	if l.pos >= len(l.input) {
		l.items = append(l.items, item{typ: itemEOF, pos: l.pos})
		return nil
	}
	if n := l.matchSet(l.pos); n > 0 {
		l.emit(itemSet, l.pos, l.pos+n)
		l.push(lexMode{kind: modeDirective, parens: 1})
		return lexExpr
	}
	i := l.pos
	for i < len(l.input) && !isTextSpecial(l.input[i]) {
		i++
	}
	if i > l.pos {
		l.emit(itemText, l.pos, i)
		return lexText
	}
	switch l.input[i] {
	case '$':
		return l.lexReference(i, true)
	case '#':
		return lexHash
	}
	return lexBackslash
}

// matchSet returns the length of `[ \t]*(#set|#{set}) *(` at p, or 0.
func (l *lexer) matchSet(p int) int {
	s := l.input
	i := p
	for i < len(s) && isBlank(s[i]) {
		i++
	}
	switch {
	case strings.HasPrefix(s[i:], "#set"):
		i += 4
	case strings.HasPrefix(s[i:], "#{set}"):
		i += 6
	default:
		return 0
	}
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if i < len(s) && s[i] == '(' {
		return i + 1 - p
	}
	return 0
}

// hashWord reads the directive name after the '#' at p: a word or a
// bracketed word. It returns the name and the end of the token.
func (l *lexer) hashWord(p int) (name string, end int, ok bool) {
	s := l.input
	i := p + 1
	if i < len(s) && s[i] == '{' {
		j := i + 1
		if j >= len(s) || !(isLetter(s[j]) || s[j] == '_') {
			return "", 0, false
		}
		for j++; j < len(s) && isWordChar(s[j]); j++ {
		}
		if j >= len(s) || s[j] != '}' {
			return "", 0, false
		}
		return s[i+1 : j], j + 1, true
	}
	if i >= len(s) || !(isLetter(s[i]) || s[i] == '_' || s[i] == '@') {
		return "", 0, false
	}
	j := i + 1
	for j < len(s) && isWordChar(s[j]) {
		j++
	}
	return s[i:j], j, true
}

// newlineAfter returns the end of `[ \t]*(\r\n|\n|\r)` at p, or p when the
// blanks are not followed by a newline. Directives eat this much.
func (l *lexer) newlineAfter(p int) int {
	s := l.input
	i := p
	for i < len(s) && isBlank(s[i]) {
		i++
	}
	switch {
	case strings.HasPrefix(s[i:], "\r\n"):
		return i + 2
	case i < len(s) && (s[i] == '\n' || s[i] == '\r'):
		return i + 1
	}
	return p
}

// lexHash handles '#' in text: comments, text blocks and directives.
func lexHash(l *lexer) stateFn {
	s := l.input
	p := l.pos
	rest := s[p:]
	switch {
	case strings.HasPrefix(rest, "##"):
		end := len(s)
		if i := strings.IndexAny(rest, "\r\n"); i >= 0 {
			end = p + i + 1
			if s[p+i] == '\r' && p+i+1 < len(s) && s[p+i+1] == '\n' {
				end++
			}
		}
		l.emit(itemComment, p, end)
		return lexText
	case strings.HasPrefix(rest, "#*"):
		end := len(s) // an unterminated comment swallows the rest, as in Velocity
		if i := strings.Index(rest[2:], "*#"); i >= 0 {
			end = p + 2 + i + 2
		}
		l.emit(itemComment, p, end)
		return lexText
	case strings.HasPrefix(rest, "#[["):
		i := strings.Index(rest[3:], "]]#")
		if i < 0 {
			return l.errorf(p, "unterminated #[[ text block")
		}
		l.emit(itemTextBlock, p, p+3+i+3)
		return lexText
	}
	name, end, ok := l.hashWord(p)
	if !ok {
		l.emit(itemText, p, p+1)
		return lexText
	}
	switch name {
	case "end":
		l.emit(itemEnd, p, l.newlineAfter(end))
	case "else":
		l.emit(itemElse, p, l.newlineAfter(end))
	case "stop":
		l.emit(itemStop, p, end)
	case "if", "elseif":
		t := itemIf
		if name == "elseif" {
			t = itemElseIf
		}
		l.emit(t, p, end)
		l.push(lexMode{kind: modeDirective})
		return lexExpr
	default:
		l.emit(itemDirective, p, end)
		i := end
		for i < len(s) && isSpaceChar(s[i]) {
			i++
		}
		if i < len(s) && s[i] == '(' {
			l.push(lexMode{kind: modeDirective})
			return lexExpr
		}
	}
	return lexText
}

// escapableDirectives are the names whose escape with '\' Velocity 1.7
// honours: the grammar's own and the default pluggable directives.
var escapableDirectives = map[string]bool{
	"if": true, "end": true, "set": true, "else": true, "elseif": true, "stop": true,
	"foreach": true, "include": true, "parse": true, "macro": true, "literal": true,
	"evaluate": true, "break": true, "define": true,
}

// lexBackslash handles a run of '\' in text. Before a reference the run is
// part of the reference. Before a directive an odd run escapes it (and its
// pairs halve); an even run halves when a real directive follows.
func lexBackslash(l *lexer) stateFn {
	s := l.input
	p := l.pos
	i := p
	for i < len(s) && s[i] == '\\' {
		i++
	}
	n := i - p
	if i < len(s) && s[i] == '$' {
		return l.lexReference(p, true)
	}
	if i < len(s) && s[i] == '#' {
		if name, end, ok := l.hashWord(i); ok {
			key := name
			if n%2 == 1 {
				it := item{typ: itemText, pos: p, val: s[p:end]}
				if escapableDirectives[key] {
					it.out = strings.Repeat(`\`, n/2) + s[i:end]
				}
				l.items = append(l.items, it)
				l.pos = end
				return lexText
			}
			it := item{typ: itemText, pos: p, val: s[p:i]}
			if key != "set" && escapableDirectives[key] {
				it.out = strings.Repeat(`\`, n/2)
			}
			l.items = append(l.items, it)
			l.pos = i
			return lexText
		}
	}
	l.emit(itemText, p, i)
	return lexText
}

// lexReference scans the head of a reference starting at p (escapes, '$',
// '!', '{') and its root name. In text a '$' that starts no reference is
// schmoo; inside an expression it is an error.
func (l *lexer) lexReference(p int, inText bool) stateFn {
	s := l.input
	i := p
	for i < len(s) && s[i] == '\\' {
		i++
	}
	if i >= len(s) || s[i] != '$' {
		return l.errorf(p, "unexpected %q", s[p:min(i+1, len(s))])
	}
	j := i + 1 // after '$'
	if j < len(s) && s[j] == '!' {
		j++
	}
	formal := false
	if j < len(s) && s[j] == '{' {
		formal = true
		j++
	}
	if j < len(s) && (isLetter(s[j]) || s[j] == '_') {
		k := j + 1
		for k < len(s) && isIdentChar(s[k]) {
			k++
		}
		if name := s[j:k]; name == "true" || name == "false" {
			return l.errorf(j, "unexpected %s after $", name)
		}
		l.emit(itemRef, p, j)
		l.emit(itemIdent, j, k)
		l.push(lexMode{kind: modeRef, formal: formal})
		return lexRef
	}
	if !inText {
		return l.errorf(p, "unexpected %q", s[p:j])
	}
	l.emit(itemText, p, j)
	return lexText
}

// lexRef continues a reference after a name, ']' or ')'.
func lexRef(l *lexer) stateFn {
	s := l.input
	p := l.pos
	if p >= len(s) {
		return l.pop()
	}
	switch c := s[p]; {
	case c == '[':
		l.emit(itemIndexOpen, p, p+1)
		l.push(lexMode{kind: modeIndex})
		return lexExpr
	case c == '.' && p+1 < len(s) && isLetter(s[p+1]):
		k := p + 2
		for k < len(s) && isIdentChar(s[k]) {
			k++
		}
		if name := s[p+1 : k]; name == "true" || name == "false" {
			return l.errorf(p+1, "unexpected %s after .", name)
		}
		if k < len(s) && s[k] == '(' {
			l.items = append(l.items, item{typ: itemMethod, pos: p + 1, val: s[p+1 : k]})
			l.pos = k + 1
			l.push(lexMode{kind: modeArgs})
			return lexExpr
		}
		l.items = append(l.items, item{typ: itemProp, pos: p + 1, val: s[p+1 : k]})
		l.pos = k
		return lexRef
	case c == '}' && l.top().formal:
		l.emit(itemRefClose, p, p+1)
		return l.pop()
	}
	return l.pop()
}

// lexExpr scans the tokens of directive arguments, method arguments and
// indexes.
func lexExpr(l *lexer) stateFn {
	s := l.input
	p := l.pos
	if p >= len(s) {
		l.items = append(l.items, item{typ: itemEOF, pos: p})
		return nil
	}
	m := l.top()
	c := s[p]
	switch {
	case isSpaceChar(c):
		i := p + 1
		for i < len(s) && isSpaceChar(s[i]) {
			i++
		}
		l.emit(itemSpace, p, i)
	case c == '"' || c == '\'':
		end, ok := scanString(s, p)
		if !ok {
			return l.errorf(p, "unterminated string literal")
		}
		l.emit(itemString, p, end)
	case c == '$' || c == '\\':
		return l.lexReference(p, false)
	case isDigit(c) || (c == '-' || c == '.') && p+1 < len(s) && (isDigit(s[p+1]) ||
		s[p+1] == '.' && c == '-' && p+2 < len(s) && isDigit(s[p+2])):
		end, isFloat := scanNumber(s, p)
		if end == p {
			return l.errorf(p, "unexpected %q", string(c))
		}
		t := itemInt
		if isFloat {
			t = itemFloat
		}
		l.emit(t, p, end)
	case c == '(' && m.kind == modeDirective:
		m.parens++
		l.emit(itemLParen, p, p+1)
	case c == ')' && m.kind == modeArgs:
		l.emit(itemArgsClose, p, p+1)
		return l.pop()
	case c == ')' && m.kind == modeDirective:
		m.parens--
		if m.parens <= 0 {
			l.emit(itemRParen, p, l.newlineAfter(p+1))
			return l.pop()
		}
		l.emit(itemRParen, p, p+1)
	case c == ']' && m.kind == modeIndex:
		l.emit(itemIndexClose, p, p+1)
		return l.pop()
	case m.kind == modeIndex:
		if isLetter(c) {
			switch w := scanWord(s, p); w {
			case "true":
				l.emit(itemTrue, p, p+len(w))
				return lexExpr
			case "false":
				l.emit(itemFalse, p, p+len(w))
				return lexExpr
			}
		}
		return l.errorf(p, "unexpected %q in index", string(c))
	case c == '[':
		l.emit(itemLBracket, p, p+1)
	case c == ']':
		l.emit(itemRBracket, p, p+1)
	case c == ',':
		l.emit(itemComma, p, p+1)
	case c == '.' && strings.HasPrefix(s[p:], ".."):
		l.emit(itemDotDot, p, p+2)
	case c == ':':
		l.emit(itemColon, p, p+1)
	case c == '{':
		l.emit(itemLBrace, p, p+1)
	case c == '}':
		l.emit(itemRBrace, p, p+1)
	case isLetter(c) || c == '_' || c == '@':
		w := scanWord(s, p)
		t := itemWord
		switch w {
		case "true":
			t = itemTrue
		case "false":
			t = itemFalse
		}
		if m.kind == modeDirective {
			if op, ok := wordOps[w]; ok {
				t = op
			}
		} else if t == itemWord {
			return l.errorf(p, "unexpected %q in method arguments", w)
		}
		l.emit(t, p, p+len(w))
	case m.kind == modeDirective:
		for _, op := range symbolOps {
			if strings.HasPrefix(s[p:], op.sym) {
				l.emit(op.typ, p, p+len(op.sym))
				return lexExpr
			}
		}
		return l.errorf(p, "unexpected %q", string(c))
	default:
		return l.errorf(p, "unexpected %q", string(c))
	}
	return lexExpr
}

var wordOps = map[string]itemType{
	"and": itemAnd, "or": itemOr, "not": itemNot, "eq": itemEq, "ne": itemNe,
	"lt": itemLt, "le": itemLe, "gt": itemGt, "ge": itemGe,
}

// symbolOps are tried in order, longest first.
var symbolOps = []struct {
	sym string
	typ itemType
}{
	{"&&", itemAnd}, {"||", itemOr}, {"==", itemEq}, {"!=", itemNe}, {"<=", itemLe}, {">=", itemGe},
	{"<", itemLt}, {">", itemGt}, {"!", itemNot}, {"=", itemAssign}, {"+", itemPlus}, {"-", itemMinus},
	{"*", itemMul}, {"/", itemDiv}, {"%", itemMod},
}

func scanWord(s string, p int) string {
	i := p + 1
	for i < len(s) && isWordChar(s[i]) {
		i++
	}
	return s[p:i]
}

// scanString returns the end of the string literal at p. A doubled quote
// stands for one quote; like JavaCC the longest possible literal wins.
func scanString(s string, p int) (int, bool) {
	q := s[p]
	fallback := -1
	i := p + 1
	for i < len(s) {
		if s[i] != q {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] == q {
			j++
		}
		if (j-i)%2 == 1 {
			return j, true
		}
		fallback = i + 1
		i = j
	}
	return fallback, fallback > 0
}

// scanNumber scans an integer or floating-point literal at p. An integer
// directly followed by ".." stays an integer so that [1..3] is a range.
func scanNumber(s string, p int) (end int, isFloat bool) {
	i := p
	if s[i] == '-' {
		i++
	}
	d := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	hasInt := i > d
	if hasInt && strings.HasPrefix(s[i:], "..") {
		return i, false
	}
	if i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if !hasInt && j == i+1 {
			return p, false
		}
		return expEnd(s, j), true
	}
	if !hasInt {
		return p, false
	}
	if e := expEnd(s, i); e > i {
		return e, true
	}
	return i, false
}

// expEnd returns the end of an exponent `[eE][+-]?[0-9]+` at i, or i.
func expEnd(s string, i int) int {
	if i >= len(s) || (s[i] != 'e' && s[i] != 'E') {
		return i
	}
	j := i + 1
	if j < len(s) && (s[j] == '+' || s[j] == '-') {
		j++
	}
	k := j
	for k < len(s) && isDigit(s[k]) {
		k++
	}
	if k == j {
		return i
	}
	return k
}
