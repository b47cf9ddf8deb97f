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
//
// Text that needs no rewriting is copied in runs, so an already compact
// payload costs little more than one copy.
func AppendCompactJSON(dst []byte, src string) ([]byte, bool) {
	c := compactor{s: src, dst: dst}
	c.space()
	if !c.value(0) {
		return dst, false
	}
	c.space()
	if c.i != len(c.s) {
		return dst, false
	}
	c.flush(c.i)
	return c.dst, true
}

// span is a key in the source; fp summarises it so that most different
// keys compare unequal without comparing the strings.
type span struct {
	start, end int
	fp         uint64
}

func fingerprint(k string) uint64 {
	fp := uint64(len(k))
	if len(k) > 0 {
		fp |= uint64(k[0])<<8 | uint64(k[len(k)-1])<<16 | uint64(k[len(k)/2])<<24
	}
	return fp
}

type compactor struct {
	s    string
	i    int
	last int // start of the source not yet copied to dst
	dst  []byte
	// keys of the objects being written, innermost last; more than fit send
	// the caller to the slow path.
	keys  [128]span
	nkeys int
}

// flush copies the pending source up to end.
func (c *compactor) flush(end int) {
	c.dst = append(c.dst, c.s[c.last:end]...)
	c.last = end
}

// le64 loads eight bytes of a string as a little-endian word.
func le64(t string) uint64 {
	t = t[:8]
	return uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
		uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
}

func isJSONSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// space skips whitespace, leaving it out of the output. It is small enough
// to inline; skipSpace does the work.
func (c *compactor) space() {
	if c.i < len(c.s) && c.s[c.i] <= ' ' {
		c.skipSpace()
	}
}

func (c *compactor) skipSpace() {
	if !isJSONSpace(c.s[c.i]) {
		return
	}
	c.flush(c.i)
	for c.i < len(c.s) && isJSONSpace(c.s[c.i]) {
		c.i++
	}
	c.last = c.i
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
		c.space()
		if c.i < len(c.s) && c.s[c.i] == ']' {
			c.i++
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
			case ']':
				c.i++
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
		if strings.HasPrefix(c.s[c.i:], w) {
			c.i += len(w)
			return true
		}
	}
	return false
}

func (c *compactor) object(depth int) bool {
	c.i++
	c.space()
	if c.i < len(c.s) && c.s[c.i] == '}' {
		c.i++
		return true
	}
	mark := c.nkeys
	ok := c.members(depth, mark)
	c.nkeys = mark
	return ok
}

func (c *compactor) members(depth, mark int) bool {
	for {
		c.space()
		if c.i >= len(c.s) || c.s[c.i] != '"' {
			return false
		}
		start := c.i
		end, special := scanJSONString(c.s, start)
		if end < 0 {
			return false
		}
		k := c.s[start+1 : end-1]
		if special && strings.IndexByte(k, '\\') >= 0 {
			return false
		}
		key := span{start + 1, end - 1, fingerprint(k)}
		for _, o := range c.keys[mark:c.nkeys] {
			if o.fp == key.fp && c.s[o.start:o.end] == k {
				return false
			}
		}
		if c.nkeys == len(c.keys) {
			return false
		}
		c.keys[c.nkeys] = key
		c.nkeys++
		c.i = end
		if special && !c.rewriteString(start, end) {
			return false
		}
		c.space()
		if c.i >= len(c.s) || c.s[c.i] != ':' {
			return false
		}
		c.i++
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
		case '}':
			c.i++
			return true
		default:
			return false
		}
	}
}

// jsonStringSpecial marks the bytes that end a plain run inside a string:
// the quote, the backslash, control characters and non-ASCII.
var jsonStringSpecial = func() (t [256]bool) {
	for b := range 256 {
		t[b] = b == '"' || b == '\\' || b < 0x20 || b >= 0x7f
	}
	return t
}()

// scanJSONString finds the end of the string literal at i. special reports
// a backslash or a byte at or above 0x7f inside; end is -1 when the literal
// is malformed (unterminated, or a raw control character).
func scanJSONString(s string, i int) (end int, special bool) {
	i++
	// Skip eight plain bytes at a time: none is '"', '\\', below 0x20 or
	// at or above 0x7f.
	for i+8 <= len(s) {
		if swarSpecial(le64(s[i:])) {
			break
		}
		i += 8
	}
	for ; i < len(s); i++ {
		b := s[i]
		if !jsonStringSpecial[b] {
			continue
		}
		switch {
		case b == '"':
			return i + 1, special
		case b == '\\':
			special = true
			i++
		case b < 0x20:
			return -1, false
		default:
			special = true
		}
	}
	return -1, false
}

const (
	swarOnes = 0x0101010101010101
	swarHigh = 0x8080808080808080
)

// swarSpecial reports whether any of the eight bytes in x is '"', '\\',
// below 0x20 or at or above 0x7f.
func swarSpecial(x uint64) bool {
	q := x ^ ('"' * swarOnes)  // zero bytes where x has '"'
	b := x ^ ('\\' * swarOnes) // zero bytes where x has '\\'
	return ((q-swarOnes)&^q|(b-swarOnes)&^b|(x-0x20*swarOnes)&^x|(x+swarOnes|x))&swarHigh != 0
}

// str checks the string literal at c.i and rewrites it if json-smart would
// write it differently.
func (c *compactor) str() bool {
	start := c.i
	end, special := scanJSONString(c.s, start)
	if end < 0 {
		return false
	}
	c.i = end
	return !special || c.rewriteString(start, end)
}

// rewriteString writes the literal s[start:end] as json-smart would.
func (c *compactor) rewriteString(start, end int) bool {
	raw := c.s[start+1 : end-1]
	var text string
	if strings.IndexByte(raw, '\\') >= 0 {
		d := jsonDecoder{s: c.s, i: start}
		s, err := d.str()
		if err != nil {
			return false
		}
		text = s
	} else {
		text = raw
	}
	c.flush(start)
	c.dst = java.AppendJSONString(c.dst, text, false)
	c.last = end
	return true
}

func (c *compactor) number() bool {
	if end, ok := canonicalNumber(c.s, c.i); ok {
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
	c.flush(start)
	switch {
	case v.kind != KindFloat:
		c.dst = appendJava(c.dst, v, 0)
	case v.decimalText() != "":
		c.dst = append(c.dst, v.decimalText()...)
	default:
		c.dst = appendJSON(c.dst, v, false, 0)
	}
	c.last = c.i
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
