package vtl

// The work budget (Limits.MaxSteps) is charged per list of statements
// walked rather than per node: the whole template once, a #foreach body per
// iteration, a #define block or an interpolated string each time it
// renders, plus one unit per method call and whatever host objects charge.
// A list's cost is the number of nodes in it, nested lists included, so no
// walk does more work than it paid for.

// setCosts computes the cost of n and of the lists below it.
func setCosts(n Node) int {
	if n == nil {
		return 0
	}
	c := 1
	switch n := n.(type) {
	case *ListNode:
		for _, x := range n.Nodes {
			c += setCosts(x)
		}
	case *RefNode:
		for _, x := range n.Chain {
			c += setCosts(x)
		}
	case *MethodNode:
		for _, x := range n.Args {
			c += setCosts(x)
		}
	case *IndexNode:
		c += setCosts(n.Arg)
	case *SetNode:
		c += setCosts(n.Target) + setCosts(n.Value)
	case *IfNode:
		for _, b := range n.Branches {
			c += setCosts(b.Cond) + setCosts(b.Body)
		}
		if n.Else != nil {
			c += setCosts(n.Else)
		}
	case *ForeachNode:
		c += setCosts(n.Var) + setCosts(n.Iter)
		n.cost = 1 + setCosts(n.Body)
		c += n.cost
	case *DefineNode:
		n.cost = 1 + setCosts(n.Body)
		c += n.cost
	case *BreakNode:
		c += setCosts(n.Arg)
	case *StringNode:
		if n.Interp != nil {
			n.cost = 1 + setCosts(n.Interp)
			c += n.cost
		}
	case *ListLitNode:
		for _, x := range n.Elems {
			c += setCosts(x)
		}
	case *RangeNode:
		c += setCosts(n.From) + setCosts(n.To)
	case *MapLitNode:
		for i := range n.Keys {
			c += setCosts(n.Keys[i]) + setCosts(n.Values[i])
		}
	case *BinaryNode:
		c += setCosts(n.Left) + setCosts(n.Right)
	case *NotNode:
		c += setCosts(n.X)
	case *ParenNode:
		c += setCosts(n.X)
	}
	return c
}
