package vtl

import (
	"strings"

	"github.com/apigw-local/apigw-local/vtl/internal/java"
)

// AppendCompactJSON appends the JSON document src written as JSONText would
// write ParseJSON(src), without building the values: whitespace goes,
// strings and numbers are rewritten as json-smart writes them. It reports
// false, leaving dst unchanged, when it cannot do so in one pass (invalid
// JSON, a repeated key, an escaped key, very deep nesting); callers then
// parse and serialise.
func AppendCompactJSON(dst []byte, src string) ([]byte, bool) {
	var keyBuf [64]span
	c := compactor{s: src, dst: dst, keys: keyBuf[:0]}
	c.space()
	if !c.value(0) {
		return dst, false
	}
	c.space()
	if c.i != len(c.s) {
		return dst, false
	}
	return c.dst, true
}

type span struct{ start, end int }

type compactor struct {
	s    string
	i    int
	dst  []byte
	keys []span // keys of the objects being written, innermost last
}

func (c *compactor) space() {
	for c.i < len(c.s) {
		switch c.s[c.i] {
		case ' ', '\t', '\n', '\r':
			c.i++
		default:
			return
		}
	}
}

func (c *compactor) value(depth int) bool {
	if depth > maxJSONDepth || c.i >= len(c.s) {
		return false
	}
	switch ch := c.s[c.i]; {
	case ch == '{':
		return c.object(depth)
	case ch == '[':
		c.i++
		c.dst = append(c.dst, '[')
		c.space()
		if c.i < len(c.s) && c.s[c.i] == ']' {
			c.i++
			c.dst = append(c.dst, ']')
			return true
		}
		for {
			c.space()
			if !c.value(depth + 1) {
				return false
			}
			c.space()
			if c.i >= len(c.s) {
				return false
			}
			switch c.s[c.i] {
			case ',':
				c.i++
				c.dst = append(c.dst, ',')
			case ']':
				c.i++
				c.dst = append(c.dst, ']')
				return true
			default:
				return false
			}
		}
	case ch == '"':
		return c.str()
	case ch == '-' || ch >= '0' && ch <= '9':
		return c.number()
	}
	for _, w := range [...]string{"true", "false", "null"} {
		if len(c.s)-c.i >= len(w) && c.s[c.i:c.i+len(w)] == w {
			c.i += len(w)
			c.dst = append(c.dst, w...)
			return true
		}
	}
	return false
}

func (c *compactor) object(depth int) bool {
	c.i++
	c.dst = append(c.dst, '{')
	c.space()
	if c.i < len(c.s) && c.s[c.i] == '}' {
		c.i++
		c.dst = append(c.dst, '}')
		return true
	}
	mark := len(c.keys)
	ok := c.members(depth, mark)
	c.keys = c.keys[:mark]
	return ok
}

func (c *compactor) members(depth, mark int) bool {
	for {
		c.space()
		if c.i >= len(c.s) || c.s[c.i] != '"' {
			return false
		}
		start := c.i
		if !c.skipString() {
			return false
		}
		key := span{start + 1, c.i - 1}
		if strings.IndexByte(c.s[key.start:key.end], '\\') >= 0 {
			return false
		}
		for _, o := range c.keys[mark:] {
			if c.s[o.start:o.end] == c.s[key.start:key.end] {
				return false
			}
		}
		if len(c.keys)-mark > 256 {
			return false
		}
		c.keys = append(c.keys, key)
		c.i = start
		if !c.str() {
			return false
		}
		c.space()
		if c.i >= len(c.s) || c.s[c.i] != ':' {
			return false
		}
		c.i++
		c.dst = append(c.dst, ':')
		c.space()
		if !c.value(depth + 1) {
			return false
		}
		c.space()
		if c.i >= len(c.s) {
			return false
		}
		switch c.s[c.i] {
		case ',':
			c.i++
			c.dst = append(c.dst, ',')
		case '}':
			c.i++
			c.dst = append(c.dst, '}')
			return true
		default:
			return false
		}
	}
}

// skipString moves past the string literal at c.i, checking it.
func (c *compactor) skipString() bool {
	c.i++
	for c.i < len(c.s) {
		switch ch := c.s[c.i]; {
		case ch == '"':
			c.i++
			return true
		case ch == '\\':
			c.i += 2
		case ch < 0x20:
			return false
		default:
			c.i++
		}
	}
	return false
}

// str rewrites the string literal at c.i.
func (c *compactor) str() bool {
	start := c.i
	i := start + 1
	plain, escaped := true, false
	for ; i < len(c.s); i++ {
		b := c.s[i]
		if b == '"' {
			break
		}
		switch {
		case b == '\\':
			escaped = true
			i++
		case b < 0x20:
			return false
		case b >= 0x7f:
			plain = false
		}
	}
	if i >= len(c.s) {
		return false
	}
	c.i = i + 1
	switch {
	case escaped:
		d := jsonDecoder{s: c.s, i: start}
		str, err := d.str()
		if err != nil {
			return false
		}
		c.dst = java.AppendJSONString(c.dst, str, false)
	case plain:
		c.dst = append(c.dst, c.s[start:c.i]...)
	default:
		c.dst = java.AppendJSONString(c.dst, c.s[start+1:i], false)
	}
	return true
}

func (c *compactor) number() bool {
	if end, ok := canonicalNumber(c.s, c.i); ok {
		c.dst = append(c.dst, c.s[c.i:end]...)
		c.i = end
		return true
	}
	d := jsonDecoder{s: c.s, i: c.i}
	start := c.i
	v, err := d.number()
	if err != nil {
		return false
	}
	c.i = d.i
	text := c.s[start:c.i]
	if v.kind != KindFloat {
		if text == "-0" {
			c.dst = append(c.dst, '0')
		} else {
			c.dst = append(c.dst, text...)
		}
		return true
	}
	if v.s != "" {
		c.dst = append(c.dst, v.s...)
		return true
	}
	c.dst = appendJSON(c.dst, v, false, 0)
	return true
}

// canonicalNumber reports whether the number at i is written exactly as
// json-smart would write it back, returning its end: an integer of at most
// 18 digits (not -0), or a plain decimal in [0.001, 1e7) with at most 15
// significant digits and no trailing zero, which Double.toString prints
// digit for digit.
func canonicalNumber(s string, i int) (int, bool) {
	j := i
	if j < len(s) && s[j] == '-' {
		j++
	}
	d := j
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	intDigits := j - d
	if intDigits == 0 || intDigits > 1 && s[d] == '0' {
		return 0, false
	}
	if j >= len(s) || s[j] != '.' && s[j] != 'e' && s[j] != 'E' {
		if intDigits > 18 || s[i:j] == "-0" {
			return 0, false
		}
		return j, true
	}
	if s[j] != '.' || intDigits > 7 {
		return 0, false
	}
	j++
	f := j
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	frac := j - f
	if frac == 0 || s[j-1] == '0' || j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		return 0, false
	}
	sig := intDigits + frac
	if s[d] == '0' {
		// 0.ddd: leading zeros of the fraction are not significant, and
		// values below 0.001 print in scientific notation.
		z := f
		for z < j && s[z] == '0' {
			z++
		}
		if z-f > 2 {
			return 0, false
		}
		sig = j - z
	}
	if sig > 15 {
		return 0, false
	}
	return j, true
}
