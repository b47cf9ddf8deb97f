package vtl

import "strings"

// setDirective:
//
//	set := '#set(' [space] reference [space] '=' expression ')'
func (p *parser) setDirective(head item) Node {
	p.enter(head.pos)
	defer p.leave()
	p.space()
	t := p.next()
	if t.typ != itemRef {
		p.unexpected(t, "in #set; want a reference")
	}
	target := p.reference(t)
	p.space()
	p.expect(itemAssign, "in #set; want =")
	value := p.expression()
	closing := p.expect(itemRParen, "in #set; want )")
	return &SetNode{NodeType: NodeSet, Pos: p.pos(head), Head: head.val, Target: target, Value: value, Close: closing.val}
}

// ifDirective:
//
//	if := '#if' [space] '(' expression ')' block
//	      ('#elseif' [space] '(' expression ')' block)*
//	      ['#else' block] '#end'
func (p *parser) ifDirective(head item) Node {
	n := &IfNode{NodeType: NodeIf, Pos: p.pos(head)}
	p.enter(head.pos)
	defer p.leave()
	for t := head; ; {
		p.space()
		p.expect(itemLParen, "after "+t.val+"; want (")
		cond := p.expression()
		closing := p.expect(itemRParen, "in "+t.val+"; want )")
		body, stop := p.block()
		n.Branches = append(n.Branches, &Branch{Head: t.val, Cond: cond, Close: closing.val, Body: body})
		p.next()
		switch stop.typ {
		case itemElseIf:
			t = stop
			continue
		case itemElse:
			n.ElseSrc = stop.val
			var end item
			n.Else, end = p.block()
			p.next()
			if end.typ != itemEnd {
				p.unexpected(end, "in #else; want #end")
			}
			n.End = end.val
			return n
		case itemEnd:
			n.End = stop.val
			return n
		}
		p.unexpected(stop, "in #if; want #end")
	}
}

// directive parses #name: #foreach, #define, #break, or a directive Velocity
// would treat as a call of an undefined macro and render as written.
//
//	directive := '#' name [[space] '(' (args) ')'] [block '#end']
func (p *parser) directive(head item) Node {
	name := strings.TrimPrefix(head.val, "#")
	if strings.HasPrefix(name, "{") {
		name = name[1 : len(name)-1]
	}
	hasArgs := p.peek().typ == itemSpace || p.peek().typ == itemLParen
	switch {
	case name == "macro" || strings.HasPrefix(name, "@"):
		p.errorf(head.pos, "#%s is not supported: API Gateway does not allow Velocity macros", name)
	case name == "include" || name == "parse" || name == "evaluate" || name == "literal":
		p.errorf(head.pos, "#%s is not supported in API Gateway mapping templates", name)
	}
	p.enter(head.pos)
	defer p.leave()
	var args []Node
	var closing item
	if hasArgs {
		args, closing = p.directiveArgs(name)
	}
	switch name {
	case "foreach":
		if len(args) != 3 {
			p.errorf(head.pos, "#foreach wants ($item in $list)")
		}
		v, ok := args[0].(*RefNode)
		if !ok {
			p.errorf(head.pos, "#foreach wants a reference before 'in'")
		}
		if w, ok := args[1].(*WordNode); !ok || w.Word != "in" {
			p.errorf(head.pos, "#foreach wants 'in' after %s", v)
		}
		body := p.blockEnd(head)
		return &ForeachNode{NodeType: NodeForeach, Pos: p.pos(head), Head: head.val, Var: v, Iter: args[2],
			Close: closing.val, Body: body.Body, End: body.End}
	case "define":
		if len(args) != 1 {
			p.errorf(head.pos, "#define wants one reference")
		}
		v, ok := args[0].(*RefNode)
		if !ok {
			p.errorf(head.pos, "#define wants a reference")
		}
		body := p.blockEnd(head)
		p.t.hasDefine = true
		return &DefineNode{NodeType: NodeDefine, Pos: p.pos(head), Head: head.val, Var: v,
			Close: closing.val, Body: body.Body, End: body.End}
	case "break":
		b := &BreakNode{NodeType: NodeBreak, Pos: p.pos(head), Head: head.val}
		if hasArgs {
			if len(args) != 1 {
				p.errorf(head.pos, "#break wants at most one argument")
			}
			b.Arg, b.Close = args[0], closing.val
		}
		return b
	}
	end := head.pos + len(head.val)
	if hasArgs {
		end = closing.pos + len(closing.val)
	}
	return &DirectiveNode{NodeType: NodeDirective, Pos: p.pos(head), Name: name, Src: p.src[head.pos:end]}
}

type blockBody struct {
	Body *ListNode
	End  string
}

// blockEnd parses the body of a block directive and its #end.
func (p *parser) blockEnd(head item) blockBody {
	body, stop := p.block()
	p.next()
	if stop.typ != itemEnd {
		p.unexpected(stop, "in "+head.val+" block; want #end")
	}
	return blockBody{body, stop.val}
}

// directiveArgs parses the arguments of a directive.
//
//	args := [space] '(' ([space] [',' [space]] arg)* [space] ')'
//	arg  := reference | word | string | integer | range | float | map | list | true | false
func (p *parser) directiveArgs(name string) (args []Node, closing item) {
	p.space()
	p.expect(itemLParen, "after #"+name+"; want (")
	for {
		p.space()
		if p.peek().typ == itemComma && len(args) > 0 {
			p.next()
			p.space()
		}
		t := p.next()
		var a Node
		switch t.typ {
		case itemRParen:
			return args, t
		case itemRef:
			a = p.reference(t)
		case itemWord:
			if name != "foreach" && isKnownDirective(name) || name == "foreach" && len(args) != 1 {
				p.errorf(t.pos, "invalid argument %q to #%s", t.val, name)
			}
			a = &WordNode{NodeType: NodeWord, Pos: p.pos(t), Word: t.val}
		case itemString, itemInt, itemFloat, itemTrue, itemFalse:
			a = p.literal(t)
		case itemLBracket:
			a = p.listOrRange(t)
		case itemLBrace:
			a = p.mapLiteral(t)
		default:
			p.unexpected(t, "in #"+name+" arguments")
		}
		args = append(args, a)
	}
}

func isKnownDirective(name string) bool {
	switch name {
	case "foreach", "define", "break":
		return true
	}
	return false
}

// expression:
//
//	expression := and (('||' | 'or') and)*
func (p *parser) expression() Node {
	p.enter(p.peek().pos)
	defer p.leave()
	n := p.andExpr()
	for p.peek().typ == itemOr {
		t := p.next()
		n = p.binary(t, OpOr, n, p.andExpr())
	}
	return n
}

// andExpr:
//
//	and := equality (('&&' | 'and') equality)*
func (p *parser) andExpr() Node {
	n := p.equality()
	for p.peek().typ == itemAnd {
		t := p.next()
		n = p.binary(t, OpAnd, n, p.equality())
	}
	return n
}

// equality:
//
//	equality := relational (('==' | 'eq' | '!=' | 'ne') relational)*
func (p *parser) equality() Node {
	n := p.relational()
	for {
		switch t := p.peek(); t.typ {
		case itemEq:
			p.next()
			n = p.binary(t, OpEq, n, p.relational())
		case itemNe:
			p.next()
			n = p.binary(t, OpNe, n, p.relational())
		default:
			return n
		}
	}
}

// relational:
//
//	relational := additive (('<' | 'lt' | '>' | 'gt' | '<=' | 'le' | '>=' | 'ge') additive)*
func (p *parser) relational() Node {
	n := p.additive()
	for {
		t := p.peek()
		var op Operator
		switch t.typ {
		case itemLt:
			op = OpLt
		case itemLe:
			op = OpLe
		case itemGt:
			op = OpGt
		case itemGe:
			op = OpGe
		default:
			return n
		}
		p.next()
		n = p.binary(t, op, n, p.additive())
	}
}

// additive:
//
//	additive := multiplicative (('+' | '-') multiplicative)*
func (p *parser) additive() Node {
	n := p.multiplicative()
	for {
		switch t := p.peek(); t.typ {
		case itemPlus:
			p.next()
			n = p.binary(t, OpAdd, n, p.multiplicative())
		case itemMinus:
			p.next()
			n = p.binary(t, OpSub, n, p.multiplicative())
		default:
			return n
		}
	}
}

// multiplicative:
//
//	multiplicative := unary (('*' | '/' | '%') unary)*
func (p *parser) multiplicative() Node {
	n := p.unary()
	for {
		t := p.peek()
		var op Operator
		switch t.typ {
		case itemMul:
			op = OpMul
		case itemDiv:
			op = OpDiv
		case itemMod:
			op = OpMod
		default:
			return n
		}
		p.next()
		n = p.binary(t, op, n, p.unary())
	}
}

func (p *parser) binary(t item, op Operator, l, r Node) Node {
	return &BinaryNode{NodeType: NodeBinary, Pos: p.pos(t), Op: op, OpSrc: t.val, Left: l, Right: r}
}

// unary:
//
//	unary := [space] ('!' | 'not') unary | primary
func (p *parser) unary() Node {
	p.space()
	if t := p.peek(); t.typ == itemNot {
		p.next()
		p.enter(t.pos)
		defer p.leave()
		return &NotNode{NodeType: NodeNot, Pos: p.pos(t), OpSrc: t.val, X: p.unary()}
	}
	return p.primary()
}

// primary:
//
//	primary := [space] (string | reference | integer | range | float | map | list
//	           | true | false | '(' expression ')') [space]
func (p *parser) primary() Node {
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
	case itemLParen:
		x := p.expression()
		p.expect(itemRParen, "in parenthesised expression; want )")
		n = &ParenNode{NodeType: NodeParen, Pos: p.pos(t), X: x}
	default:
		p.unexpected(t, "in expression")
	}
	p.space()
	return n
}
