package dataplane

import (
	"net/url"
	"strings"

	"github.com/apigw-local/apigw-local/vtl/apigw"
)

// routeNode is one level of a deployment's resource tree. At each level a literal segment
// beats {param}, which beats {proxy+} (AWS developer guide; same rule as HTTP APIs).
type routeNode struct {
	literal map[string]*routeNode
	param   *routeNode
	greedy  *routeNode
	// name is the variable name of a param or greedy node.
	name string
	// resource is set when a resource ends at this node.
	resource *Resource
}

func (n *routeNode) insert(parts []string, r *Resource) {
	if len(parts) == 0 {
		n.resource = r
		return
	}
	p := parts[0]
	var child *routeNode
	switch {
	case strings.HasSuffix(p, "+}") && strings.HasPrefix(p, "{"):
		if n.greedy == nil {
			n.greedy = &routeNode{name: p[1 : len(p)-2]}
		}
		child = n.greedy
	case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}"):
		if n.param == nil {
			n.param = &routeNode{name: p[1 : len(p)-1]}
		}
		child = n.param
	default:
		if n.literal == nil {
			n.literal = map[string]*routeNode{}
		}
		child = n.literal[p]
		if child == nil {
			child = &routeNode{}
			n.literal[p] = child
		}
	}
	child.insert(parts[1:], r)
}

// Param is a name and value pair (path parameters, headers, query strings), kept in order.
type Param = apigw.Param

// match finds the resource for a raw (still percent-encoded) request path that starts with
// "/". The path "/" is the root. A trailing slash is ignored for matching (AWS routes
// /pets/ to /pets); an empty inner segment (a//b) matches only a greedy variable, which
// receives the rest of the path as sent. Path parameters of {name} segments are decoded;
// a greedy parameter keeps its encoding (reference/lambda-proxy.md).
func (n *routeNode) match(rawPath string, params []Param) (*Resource, []Param) {
	p := strings.TrimPrefix(rawPath, "/")
	if p == "" || p == "/" {
		return n.resource, params
	}
	return n.matchRest(p, params)
}

// matchRest matches the remaining path (no leading slash) below n.
func (n *routeNode) matchRest(rest string, params []Param) (*Resource, []Param) {
	seg, tail, more := strings.Cut(rest, "/")
	if !more || tail == "" {
		// Last segment (a trailing slash is ignored).
		if seg == "" {
			return n.resource, params
		}
	}
	if seg != "" {
		dec := seg
		if strings.IndexByte(seg, '%') >= 0 {
			if d, err := url.PathUnescape(seg); err == nil {
				dec = d
			}
		}
		if c := n.literal[dec]; c != nil {
			if r, ps := c.next(tail, more, params); r != nil {
				return r, ps
			}
		}
		if c := n.param; c != nil {
			if r, ps := c.next(tail, more, append(params, Param{Name: c.name, Value: dec})); r != nil {
				return r, ps
			}
		}
	}
	if c := n.greedy; c != nil && c.resource != nil && rest != "" {
		return c.resource, append(params, Param{Name: c.name, Value: rest})
	}
	return nil, params
}

func (n *routeNode) next(tail string, more bool, params []Param) (*Resource, []Param) {
	if !more || tail == "" {
		return n.resource, params
	}
	return n.matchRest(tail, params)
}
