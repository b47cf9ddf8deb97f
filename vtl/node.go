package vtl

import (
	"strings"
)

// A Node is an element of the parse tree. The interface is sealed: only this
// package's node types implement it. String prints the node back as template
// source; text, comments and the whitespace directives consume are kept as
// written, expressions inside directives are printed in a normal form, so
// parsing the printed text gives a tree that prints the same and renders the
// same.
type Node interface {
	Type() NodeType
	Position() Pos
	String() string
	writeTo(*strings.Builder)
	node()
}

// Pos is a byte offset in the template source.
type Pos int

// Position returns p; embedding Pos gives nodes their Position method.
func (p Pos) Position() Pos { return p }

// NodeType identifies the type of a parse tree node.
type NodeType int

// Type returns t; embedding NodeType gives nodes their Type method.
func (t NodeType) Type() NodeType { return t }

// The node types.
const (
	NodeList      NodeType = iota // statements
	NodeText                      // schmoo, escapes, #[[ ]]# blocks
	NodeComment                   // ## and #* *#
	NodeRef                       // $name.prop.method(args)[index]
	NodeProp                      // .name inside a reference
	NodeMethod                    // .name(args) inside a reference
	NodeIndex                     // [arg] inside a reference
	NodeSet                       // #set
	NodeIf                        // #if/#elseif/#else/#end
	NodeForeach                   // #foreach
	NodeDefine                    // #define
	NodeBreak                     // #break
	NodeStop                      // #stop
	NodeDirective                 // an unknown directive, rendered as written
	NodeString                    // "..." or '...'
	NodeInt                       // integer literal
	NodeFloat                     // floating-point literal
	NodeBool                      // true, false
	NodeWord                      // a bare word in directive arguments (the "in" of #foreach)
	NodeListLit                   // [a, b]
	NodeRange                     // [a..b]
	NodeMapLit                    // {k: v}
	NodeBinary                    // a op b
	NodeNot                       // !a, not a
	NodeParen                     // (a)
)

// ListNode holds a sequence of statements.
type ListNode struct {
	NodeType
	Pos
	Nodes []Node
}

func (n *ListNode) writeTo(sb *strings.Builder) {
	for _, c := range n.Nodes {
		c.writeTo(sb)
	}
}

// TextNode is template text. Src is the text as written; Out is what it
// renders, which differs for escapes (\#if) and #[[ ]]# blocks.
type TextNode struct {
	NodeType
	Pos
	Src string
	Out string
}

func (n *TextNode) writeTo(sb *strings.Builder) { sb.WriteString(n.Src) }

// CommentNode is a comment, including the newline a ## comment ends with.
type CommentNode struct {
	NodeType
	Pos
	Src string
}

func (n *CommentNode) writeTo(sb *strings.Builder) { sb.WriteString(n.Src) }

// RefNode is a reference: $name followed by properties, method calls and
// indexes. Head is what precedes the name as written: backslashes, '$', '!'
// and '{'.
type RefNode struct {
	NodeType
	Pos
	Head    string
	Name    string
	Chain   []Node // *PropNode, *MethodNode, *IndexNode
	Src     string // the whole reference as written, without leading backslashes
	Escapes int    // backslashes before '$'
	Quiet   bool   // $!
	Formal  bool   // ${...}
	slot    int
}

func (n *RefNode) writeTo(sb *strings.Builder) {
	sb.WriteString(n.Head)
	sb.WriteString(n.Name)
	for _, c := range n.Chain {
		c.writeTo(sb)
	}
	if n.Formal {
		sb.WriteByte('}')
	}
}

// PropNode is .name in a reference.
type PropNode struct {
	NodeType
	Pos
	Name string
}

func (n *PropNode) writeTo(sb *strings.Builder) {
	sb.WriteByte('.')
	sb.WriteString(n.Name)
}

// MethodNode is .name(args) in a reference.
type MethodNode struct {
	NodeType
	Pos
	Name string
	Args []Node
}

func (n *MethodNode) writeTo(sb *strings.Builder) {
	sb.WriteByte('.')
	sb.WriteString(n.Name)
	sb.WriteByte('(')
	writeJoined(sb, n.Args, ", ")
	sb.WriteByte(')')
}

// IndexNode is [arg] in a reference.
type IndexNode struct {
	NodeType
	Pos
	Arg Node
}

func (n *IndexNode) writeTo(sb *strings.Builder) {
	sb.WriteByte('[')
	n.Arg.writeTo(sb)
	sb.WriteByte(']')
}

// SetNode is #set(target = value). Head holds the blanks the directive ate,
// "#set" and the parenthesis; Close holds ')' and the newline it ate.
type SetNode struct {
	NodeType
	Pos
	Head   string
	Target *RefNode
	Value  Node
	Close  string
}

func (n *SetNode) writeTo(sb *strings.Builder) {
	sb.WriteString(n.Head)
	n.Target.writeTo(sb)
	sb.WriteString(" = ")
	n.Value.writeTo(sb)
	sb.WriteString(n.Close)
}

// Branch is one #if or #elseif arm.
type Branch struct {
	Head  string // "#if", "#{elseif}", ...
	Cond  Node
	Close string
	Body  *ListNode
}

// IfNode is #if ... #elseif ... #else ... #end.
type IfNode struct {
	NodeType
	Pos
	Branches []*Branch
	ElseSrc  string // "#else" and the newline it ate; empty when there is no #else
	Else     *ListNode
	End      string
}

func (n *IfNode) writeTo(sb *strings.Builder) {
	for _, b := range n.Branches {
		sb.WriteString(b.Head)
		sb.WriteByte('(')
		b.Cond.writeTo(sb)
		sb.WriteString(b.Close)
		b.Body.writeTo(sb)
	}
	if n.Else != nil {
		sb.WriteString(n.ElseSrc)
		n.Else.writeTo(sb)
	}
	sb.WriteString(n.End)
}

// ForeachNode is #foreach($var in iter) ... #end.
type ForeachNode struct {
	NodeType
	Pos
	Head  string
	Var   *RefNode
	Iter  Node
	Close string
	Body  *ListNode
	End   string
	cost  int // work charged per iteration
}

func (n *ForeachNode) writeTo(sb *strings.Builder) {
	sb.WriteString(n.Head)
	sb.WriteByte('(')
	n.Var.writeTo(sb)
	sb.WriteString(" in ")
	n.Iter.writeTo(sb)
	sb.WriteString(n.Close)
	n.Body.writeTo(sb)
	sb.WriteString(n.End)
}

// DefineNode is #define($var) ... #end.
type DefineNode struct {
	NodeType
	Pos
	Head  string
	Var   *RefNode
	Close string
	Body  *ListNode
	End   string
	cost  int // work charged per rendering
}

func (n *DefineNode) writeTo(sb *strings.Builder) {
	sb.WriteString(n.Head)
	sb.WriteByte('(')
	n.Var.writeTo(sb)
	sb.WriteString(n.Close)
	n.Body.writeTo(sb)
	sb.WriteString(n.End)
}

// BreakNode is #break or #break($scope).
type BreakNode struct {
	NodeType
	Pos
	Head  string
	Arg   Node // nil for a bare #break
	Close string
}

func (n *BreakNode) writeTo(sb *strings.Builder) {
	sb.WriteString(n.Head)
	if n.Arg != nil {
		sb.WriteByte('(')
		n.Arg.writeTo(sb)
		sb.WriteString(n.Close)
	}
}

// StopNode is #stop.
type StopNode struct {
	NodeType
	Pos
	Src string
}

func (n *StopNode) writeTo(sb *strings.Builder) { sb.WriteString(n.Src) }

// DirectiveNode is a directive Velocity does not know (a call of a macro that
// does not exist). Like Velocity it renders as written.
type DirectiveNode struct {
	NodeType
	Pos
	Name string
	Src  string
}

func (n *DirectiveNode) writeTo(sb *strings.Builder) { sb.WriteString(n.Src) }

// StringNode is a string literal. Raw is the literal as written, quotes
// included; Text its value after \u escapes and doubled quotes. Interp is set
// for double-quoted literals containing '$' or '#', which render as templates.
type StringNode struct {
	NodeType
	Pos
	Raw    string
	Text   string
	Interp *ListNode
	cost   int // work charged per interpolation
}

func (n *StringNode) writeTo(sb *strings.Builder) { sb.WriteString(n.Raw) }

// IntNode is an integer literal.
type IntNode struct {
	NodeType
	Pos
	Raw   string
	Value Value
}

func (n *IntNode) writeTo(sb *strings.Builder) { sb.WriteString(n.Raw) }

// FloatNode is a floating-point literal.
type FloatNode struct {
	NodeType
	Pos
	Raw   string
	Value float64
}

func (n *FloatNode) writeTo(sb *strings.Builder) { sb.WriteString(n.Raw) }

// BoolNode is true or false.
type BoolNode struct {
	NodeType
	Pos
	True bool
}

func (n *BoolNode) writeTo(sb *strings.Builder) {
	if n.True {
		sb.WriteString("true")
	} else {
		sb.WriteString("false")
	}
}

// WordNode is a bare word among directive arguments.
type WordNode struct {
	NodeType
	Pos
	Word string
}

func (n *WordNode) writeTo(sb *strings.Builder) { sb.WriteString(n.Word) }

// ListLitNode is a list literal [a, b].
type ListLitNode struct {
	NodeType
	Pos
	Elems []Node
}

func (n *ListLitNode) writeTo(sb *strings.Builder) {
	sb.WriteByte('[')
	writeJoined(sb, n.Elems, ", ")
	sb.WriteByte(']')
}

// RangeNode is an integer range [from..to].
type RangeNode struct {
	NodeType
	Pos
	From, To Node
}

func (n *RangeNode) writeTo(sb *strings.Builder) {
	sb.WriteByte('[')
	n.From.writeTo(sb)
	sb.WriteString("..")
	n.To.writeTo(sb)
	sb.WriteByte(']')
}

// MapLitNode is a map literal {k: v}.
type MapLitNode struct {
	NodeType
	Pos
	Keys, Values []Node
}

func (n *MapLitNode) writeTo(sb *strings.Builder) {
	sb.WriteByte('{')
	for i := range n.Keys {
		if i > 0 {
			sb.WriteString(", ")
		}
		n.Keys[i].writeTo(sb)
		sb.WriteString(": ")
		n.Values[i].writeTo(sb)
	}
	sb.WriteByte('}')
}

// Operator is a binary operator.
type Operator uint8

// The binary operators.
const (
	OpOr Operator = iota
	OpAnd
	OpEq
	OpNe
	OpLt
	OpLe
	OpGt
	OpGe
	OpAdd
	OpSub
	OpMul
	OpDiv
	OpMod
)

// BinaryNode is left op right. OpSrc is the operator as written ("&&" or "and").
type BinaryNode struct {
	NodeType
	Pos
	Op          Operator
	OpSrc       string
	Left, Right Node
}

func (n *BinaryNode) writeTo(sb *strings.Builder) {
	n.Left.writeTo(sb)
	sb.WriteByte(' ')
	sb.WriteString(n.OpSrc)
	sb.WriteByte(' ')
	n.Right.writeTo(sb)
}

// NotNode is !x or not x.
type NotNode struct {
	NodeType
	Pos
	OpSrc string
	X     Node
}

func (n *NotNode) writeTo(sb *strings.Builder) {
	sb.WriteString(n.OpSrc)
	if n.OpSrc == "not" {
		sb.WriteByte(' ')
	}
	n.X.writeTo(sb)
}

// ParenNode is (x).
type ParenNode struct {
	NodeType
	Pos
	X Node
}

func (n *ParenNode) writeTo(sb *strings.Builder) {
	sb.WriteByte('(')
	n.X.writeTo(sb)
	sb.WriteByte(')')
}

func writeJoined(sb *strings.Builder, nodes []Node, sep string) {
	for i, c := range nodes {
		if i > 0 {
			sb.WriteString(sep)
		}
		c.writeTo(sb)
	}
}

func nodeString(n Node) string {
	var sb strings.Builder
	n.writeTo(&sb)
	return sb.String()
}

// String prints the ListNode as template source.
func (n *ListNode) String() string { return nodeString(n) }

// String prints the TextNode as template source.
func (n *TextNode) String() string { return nodeString(n) }

// String prints the CommentNode as template source.
func (n *CommentNode) String() string { return nodeString(n) }

// String prints the RefNode as template source.
func (n *RefNode) String() string { return nodeString(n) }

// String prints the PropNode as template source.
func (n *PropNode) String() string { return nodeString(n) }

// String prints the MethodNode as template source.
func (n *MethodNode) String() string { return nodeString(n) }

// String prints the IndexNode as template source.
func (n *IndexNode) String() string { return nodeString(n) }

// String prints the SetNode as template source.
func (n *SetNode) String() string { return nodeString(n) }

// String prints the IfNode as template source.
func (n *IfNode) String() string { return nodeString(n) }

// String prints the ForeachNode as template source.
func (n *ForeachNode) String() string { return nodeString(n) }

// String prints the DefineNode as template source.
func (n *DefineNode) String() string { return nodeString(n) }

// String prints the BreakNode as template source.
func (n *BreakNode) String() string { return nodeString(n) }

// String prints the StopNode as template source.
func (n *StopNode) String() string { return nodeString(n) }

// String prints the DirectiveNode as template source.
func (n *DirectiveNode) String() string { return nodeString(n) }

// String prints the StringNode as template source.
func (n *StringNode) String() string { return nodeString(n) }

// String prints the IntNode as template source.
func (n *IntNode) String() string { return nodeString(n) }

// String prints the FloatNode as template source.
func (n *FloatNode) String() string { return nodeString(n) }

// String prints the BoolNode as template source.
func (n *BoolNode) String() string { return nodeString(n) }

// String prints the WordNode as template source.
func (n *WordNode) String() string { return nodeString(n) }

// String prints the ListLitNode as template source.
func (n *ListLitNode) String() string { return nodeString(n) }

// String prints the RangeNode as template source.
func (n *RangeNode) String() string { return nodeString(n) }

// String prints the MapLitNode as template source.
func (n *MapLitNode) String() string { return nodeString(n) }

// String prints the BinaryNode as template source.
func (n *BinaryNode) String() string { return nodeString(n) }

// String prints the NotNode as template source.
func (n *NotNode) String() string { return nodeString(n) }

// String prints the ParenNode as template source.
func (n *ParenNode) String() string { return nodeString(n) }

func (*ListNode) node()      {}
func (*TextNode) node()      {}
func (*CommentNode) node()   {}
func (*RefNode) node()       {}
func (*PropNode) node()      {}
func (*MethodNode) node()    {}
func (*IndexNode) node()     {}
func (*SetNode) node()       {}
func (*IfNode) node()        {}
func (*ForeachNode) node()   {}
func (*DefineNode) node()    {}
func (*BreakNode) node()     {}
func (*StopNode) node()      {}
func (*DirectiveNode) node() {}
func (*StringNode) node()    {}
func (*IntNode) node()       {}
func (*FloatNode) node()     {}
func (*BoolNode) node()      {}
func (*WordNode) node()      {}
func (*ListLitNode) node()   {}
func (*RangeNode) node()     {}
func (*MapLitNode) node()    {}
func (*BinaryNode) node()    {}
func (*NotNode) node()       {}
func (*ParenNode) node()     {}
