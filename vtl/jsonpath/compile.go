// Package jsonpath implements the JSONPath dialect of Jayway JsonPath, the
// Java library API Gateway uses for $input.path, $input.json and for
// parameter mappings such as method.request.body.a.b[0].
//
// Supported: $ and @ roots (a path without one gets "$." in front, as Jayway
// does), .name and ['name'] (also several names: ['a','b']), wildcards .* and
// [*], deep scan .., indexes [0] [-1] [0,2], slices [1:3] [-2:] [:2],
// filters [?(...)] with == != < <= > >= =~ in nin subsetof anyof noneof size
// empty, && || ! and parentheses, paths from @ or $, and the functions
// length() size() min() max() avg() stddev() sum() keys() first() last() at
// the end of a path.
//
// Like Jayway, a definite path (no wildcard, scan, filter, slice or several
// indexes) yields one value, and any other path yields a list of every match.
// Missing properties yield no value rather than an error, as API Gateway
// configures Jayway to suppress exceptions.
//
// Differences from Jayway: regular expressions use Go's RE2 syntax (Java's
// lookaround and backreferences are rejected); numbers in filters compare as
// float64; function arguments are not supported.
package jsonpath

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Path is a compiled JSONPath. It is immutable and safe for concurrent use.
type Path struct {
	src      string
	steps    []step
	fn       string // trailing function, "" if none
	definite bool
}

type stepKind uint8

const (
	stepProp   stepKind = iota // .name, ['a','b']
	stepWild                   // .*, [*]
	stepIndex                  // [0], [0,1]
	stepSlice                  // [a:b]
	stepFilter                 // [?(...)]
	stepScan                   // .. followed by the step in inner
)

type step struct {
	kind    stepKind
	names   []string
	indexes []int
	from    *int
	to      *int
	filter  expr
	inner   *step
}

// maxPathLen bounds path text and maxNesting the nesting of filters.
const (
	maxPathLen = 4096
	maxNesting = 32
)

// Compile parses a Jayway JSONPath expression.
func Compile(expr string) (*Path, error) {
	if len(expr) > maxPathLen {
		return nil, fmt.Errorf("jsonpath: path longer than %d bytes", maxPathLen)
	}
	src := strings.TrimSpace(expr)
	if src == "" {
		return nil, fmt.Errorf("jsonpath: empty path")
	}
	if src[0] != '$' && src[0] != '@' {
		if src[0] == '[' {
			src = "$" + src
		} else {
			src = "$." + src
		}
	}
	c := &compiler{s: src, i: 1}
	p, err := c.path(false)
	if err != nil {
		return nil, fmt.Errorf("jsonpath: %v in %q", err, expr)
	}
	if c.i != len(c.s) {
		return nil, fmt.Errorf("jsonpath: unexpected %q at %d in %q", c.s[c.i], c.i, expr)
	}
	p.src = expr
	return p, nil
}

// String returns the expression as given to Compile.
func (p *Path) String() string { return p.src }

// Definite reports whether the path yields at most one value.
func (p *Path) Definite() bool { return p.definite }

type compiler struct {
	s     string
	i     int
	depth int
}

func (c *compiler) errorf(format string, args ...any) error {
	return fmt.Errorf("%s at position %d", fmt.Sprintf(format, args...), c.i)
}

func (c *compiler) peek() byte {
	if c.i < len(c.s) {
		return c.s[c.i]
	}
	return 0
}

func (c *compiler) space() {
	for c.i < len(c.s) && c.s[c.i] == ' ' {
		c.i++
	}
}

// path parses the steps after the root. Inside a filter it stops at the
// first character that cannot continue a path.
func (c *compiler) path(inFilter bool) (*Path, error) {
	p := &Path{definite: true}
	for c.i < len(c.s) {
		ch := c.s[c.i]
		switch {
		case strings.HasPrefix(c.s[c.i:], ".."):
			c.i += 2
			var inner step
			var err error
			switch {
			case c.peek() == '[':
				inner, err = c.bracket()
			case c.peek() == '*':
				c.i++
				inner = step{kind: stepWild}
			default:
				name := c.name()
				if name == "" {
					return nil, c.errorf("missing name after ..")
				}
				inner = step{kind: stepProp, names: []string{name}}
			}
			if err != nil {
				return nil, err
			}
			p.steps = append(p.steps, step{kind: stepScan, inner: &inner})
			p.definite = false
		case ch == '.':
			c.i++
			if c.peek() == '*' {
				c.i++
				p.steps = append(p.steps, step{kind: stepWild})
				p.definite = false
				continue
			}
			name := c.name()
			if name == "" {
				return nil, c.errorf("missing name after .")
			}
			if c.peek() == '(' {
				if err := c.function(p, name); err != nil {
					return nil, err
				}
				return p, nil
			}
			p.steps = append(p.steps, step{kind: stepProp, names: []string{name}})
		case ch == '[':
			st, err := c.bracket()
			if err != nil {
				return nil, err
			}
			p.steps = append(p.steps, st)
			switch {
			case st.kind == stepProp && len(st.names) > 1:
				// several names merge into one map only as the last step; checked below
			case st.kind == stepWild || st.kind == stepFilter || st.kind == stepSlice ||
				st.kind == stepIndex && len(st.indexes) > 1:
				p.definite = false
			}
		case inFilter:
			p.fixMultiProps()
			return p, nil
		default:
			return nil, c.errorf("unexpected %q", ch)
		}
	}
	p.fixMultiProps()
	return p, nil
}

// fixMultiProps: ['a','b'] before the last step iterates (indefinite).
func (p *Path) fixMultiProps() {
	for i, st := range p.steps {
		if st.kind == stepProp && len(st.names) > 1 && i < len(p.steps)-1 {
			p.definite = false
		}
	}
}

// name reads a dotted property name: everything up to '.', '[', '(' or a
// character that ends a path inside a filter.
func (c *compiler) name() string {
	start := c.i
	for c.i < len(c.s) {
		switch c.s[c.i] {
		case '.', '[', '(', ' ', ')', '=', '!', '<', '>', '&', '|', ',', ']':
			return c.s[start:c.i]
		}
		c.i++
	}
	return c.s[start:c.i]
}

var functions = map[string]bool{
	"length": true, "size": true, "min": true, "max": true, "avg": true, "stddev": true,
	"sum": true, "keys": true, "first": true, "last": true,
}

func (c *compiler) function(p *Path, name string) error {
	if !functions[name] {
		return c.errorf("unknown function %s()", name)
	}
	c.i++ // (
	c.space()
	if c.peek() != ')' {
		return c.errorf("function arguments are not supported")
	}
	c.i++
	p.fn = name
	return nil
}

// bracket parses [...].
func (c *compiler) bracket() (step, error) {
	c.i++ // [
	c.space()
	var st step
	switch ch := c.peek(); {
	case ch == '*':
		c.i++
		st = step{kind: stepWild}
	case ch == '?':
		c.i++
		c.space()
		if c.peek() != '(' {
			return st, c.errorf("want ( after ?")
		}
		c.i++
		c.depth++
		if c.depth > maxNesting {
			return st, c.errorf("filter nests too deeply")
		}
		e, err := c.orExpr()
		c.depth--
		if err != nil {
			return st, err
		}
		c.space()
		if c.peek() != ')' {
			return st, c.errorf("want ) to close filter")
		}
		c.i++
		st = step{kind: stepFilter, filter: e}
	case ch == '\'' || ch == '"':
		for {
			s, err := c.quoted()
			if err != nil {
				return st, err
			}
			st.names = append(st.names, s)
			c.space()
			if c.peek() != ',' {
				break
			}
			c.i++
			c.space()
		}
		st.kind = stepProp
	default:
		var err error
		st, err = c.indexes()
		if err != nil {
			return st, err
		}
	}
	c.space()
	if c.peek() != ']' {
		return st, c.errorf("want ]")
	}
	c.i++
	return st, nil
}

func (c *compiler) quoted() (string, error) {
	if c.peek() != '\'' && c.peek() != '"' {
		return "", c.errorf("want a quoted name")
	}
	q := c.s[c.i]
	c.i++
	var b strings.Builder
	for c.i < len(c.s) {
		ch := c.s[c.i]
		switch {
		case ch == '\\' && c.i+1 < len(c.s):
			b.WriteByte(c.s[c.i+1])
			c.i += 2
		case ch == q:
			c.i++
			return b.String(), nil
		default:
			b.WriteByte(ch)
			c.i++
		}
	}
	return "", c.errorf("unterminated string")
}

func (c *compiler) int() (int, bool) {
	start := c.i
	if c.peek() == '-' {
		c.i++
	}
	for c.i < len(c.s) && c.s[c.i] >= '0' && c.s[c.i] <= '9' {
		c.i++
	}
	n, err := strconv.Atoi(c.s[start:c.i])
	if err != nil {
		c.i = start
		return 0, false
	}
	return n, true
}

// indexes parses [n], [n,m,...], [a:b], [a:], [:b].
func (c *compiler) indexes() (step, error) {
	var st step
	if c.peek() == ':' {
		c.i++
		c.space()
		to, ok := c.int()
		if !ok {
			return st, c.errorf("bad slice")
		}
		return step{kind: stepSlice, to: &to}, nil
	}
	n, ok := c.int()
	if !ok {
		return st, c.errorf("bad index")
	}
	c.space()
	if c.peek() == ':' {
		c.i++
		c.space()
		st = step{kind: stepSlice, from: &n}
		if to, ok := c.int(); ok {
			st.to = &to
		}
		return st, nil
	}
	st = step{kind: stepIndex, indexes: []int{n}}
	for c.peek() == ',' {
		c.i++
		c.space()
		m, ok := c.int()
		if !ok {
			return st, c.errorf("bad index")
		}
		st.indexes = append(st.indexes, m)
		c.space()
	}
	return st, nil
}

// Filter expressions.

type exprKind uint8

const (
	exprOr exprKind = iota
	exprAnd
	exprNot
	exprExists // a bare path
	exprCompare
)

type expr struct {
	kind  exprKind
	op    string
	left  *expr
	right *expr
	a, b  operand
}

type operandKind uint8

const (
	opPath operandKind = iota
	opLiteral
	opRegex
)

type operand struct {
	kind   operandKind
	path   *Path
	rooted bool // $ rather than @
	lit    literal
	re     *regexp.Regexp
}

// literal is a constant in a filter.
type literal struct {
	kind  Kind
	num   float64
	str   string
	b     bool
	items []literal
}

func (c *compiler) orExpr() (expr, error) {
	l, err := c.andExpr()
	if err != nil {
		return l, err
	}
	for {
		c.space()
		if !strings.HasPrefix(c.s[c.i:], "||") {
			return l, nil
		}
		c.i += 2
		r, err := c.andExpr()
		if err != nil {
			return l, err
		}
		lc := l
		l = expr{kind: exprOr, left: &lc, right: &r}
	}
}

func (c *compiler) andExpr() (expr, error) {
	l, err := c.unaryExpr()
	if err != nil {
		return l, err
	}
	for {
		c.space()
		if !strings.HasPrefix(c.s[c.i:], "&&") {
			return l, nil
		}
		c.i += 2
		r, err := c.unaryExpr()
		if err != nil {
			return l, err
		}
		lc := l
		l = expr{kind: exprAnd, left: &lc, right: &r}
	}
}

func (c *compiler) unaryExpr() (expr, error) {
	c.space()
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > maxNesting {
		return expr{}, c.errorf("filter nests too deeply")
	}
	switch {
	case c.peek() == '!' && !strings.HasPrefix(c.s[c.i:], "!="):
		c.i++
		x, err := c.unaryExpr()
		if err != nil {
			return x, err
		}
		return expr{kind: exprNot, left: &x}, nil
	case c.peek() == '(':
		c.i++
		x, err := c.orExpr()
		if err != nil {
			return x, err
		}
		c.space()
		if c.peek() != ')' {
			return x, c.errorf("want )")
		}
		c.i++
		return x, nil
	}
	a, err := c.operand()
	if err != nil {
		return expr{}, err
	}
	c.space()
	op := c.operator()
	if op == "" {
		if a.kind != opPath {
			return expr{}, c.errorf("want a comparison")
		}
		return expr{kind: exprExists, a: a}, nil
	}
	c.space()
	b, err := c.operand()
	if err != nil {
		return expr{}, err
	}
	return expr{kind: exprCompare, op: op, a: a, b: b}, nil
}

var operators = []string{"==", "!=", "<=", ">=", "=~", "<", ">", "subsetof", "anyof", "noneof", "nin", "in",
	"size", "empty", "contains"}

func (c *compiler) operator() string {
	for _, op := range operators {
		if strings.HasPrefix(c.s[c.i:], op) {
			c.i += len(op)
			return op
		}
	}
	return ""
}

func (c *compiler) operand() (operand, error) {
	switch ch := c.peek(); {
	case ch == '@' || ch == '$':
		c.i++
		p, err := c.path(true)
		if err != nil {
			return operand{}, err
		}
		return operand{kind: opPath, path: p, rooted: ch == '$'}, nil
	case ch == '/':
		end := c.i + 1
		for end < len(c.s) && c.s[end] != '/' {
			if c.s[end] == '\\' {
				end++
			}
			end++
		}
		if end >= len(c.s) {
			return operand{}, c.errorf("unterminated regex")
		}
		pat := c.s[c.i+1 : end]
		c.i = end + 1
		flags := ""
		for c.i < len(c.s) && strings.IndexByte("imsux", c.s[c.i]) >= 0 {
			if c.s[c.i] != 'u' && c.s[c.i] != 'x' {
				flags += c.s[c.i : c.i+1]
			}
			c.i++
		}
		if flags != "" {
			pat = "(?" + flags + ")" + pat
		}
		re, err := regexp.Compile(`^(?:` + pat + `)$`)
		if err != nil {
			return operand{}, c.errorf("bad regex: %v", err)
		}
		return operand{kind: opRegex, re: re}, nil
	}
	l, err := c.literal()
	return operand{kind: opLiteral, lit: l}, err
}

func (c *compiler) literal() (literal, error) {
	c.space()
	switch ch := c.peek(); {
	case ch == '\'' || ch == '"':
		s, err := c.quoted()
		return literal{kind: KindString, str: s}, err
	case ch == '[':
		c.i++
		var l literal
		l.kind = KindArray
		c.space()
		for c.peek() != ']' {
			it, err := c.literal()
			if err != nil {
				return l, err
			}
			l.items = append(l.items, it)
			c.space()
			if c.peek() == ',' {
				c.i++
				c.space()
			} else if c.peek() != ']' {
				return l, c.errorf("want , or ]")
			}
		}
		c.i++
		return l, nil
	case ch == '-' || ch >= '0' && ch <= '9':
		start := c.i
		c.i++
		for c.i < len(c.s) && strings.IndexByte("0123456789.eE+-", c.s[c.i]) >= 0 {
			c.i++
		}
		f, err := strconv.ParseFloat(c.s[start:c.i], 64)
		if err != nil {
			return literal{}, c.errorf("bad number")
		}
		return literal{kind: KindNumber, num: f}, nil
	}
	for _, w := range []struct {
		s string
		l literal
	}{{"true", literal{kind: KindBool, b: true}}, {"false", literal{kind: KindBool}}, {"null", literal{kind: KindNull}}} {
		if strings.HasPrefix(c.s[c.i:], w.s) {
			c.i += len(w.s)
			return w.l, nil
		}
	}
	return literal{}, c.errorf("want a value")
}
