package vtl

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// maxJSONDepth bounds the nesting of parsed JSON documents.
const maxJSONDepth = 512

// ParseJSON parses a JSON document into Values the way Jayway JsonPath with
// json-smart does: objects become ordered maps (a repeated key keeps its first
// place and its last value), arrays become JSON arrays that render as JSON
// text, integers stay integers (BigInteger past 64 bits), other numbers become
// doubles (decimals longer than 18 characters keep their text, like
// BigDecimal). Strings without escapes share memory with src. When tr is not
// nil every list and map in the result reports changes to it.
func ParseJSON(src string, tr *Tracker) (Value, error) {
	d := jsonDecoder{s: src, tr: tr}
	d.space()
	v, err := d.value(0)
	if err != nil {
		return null, err
	}
	d.space()
	if d.i != len(d.s) {
		return null, d.errorf("unexpected %q after JSON value", d.s[d.i])
	}
	return v, nil
}

// JSONText returns v serialised as compact JSON, the form $input.json gives.
func JSONText(v Value) (s string, err error) {
	defer func() {
		if e := recover(); e != nil {
			if e != errTooDeep {
				panic(e)
			}
			err = errTooDeep
		}
	}()
	return string(appendJSON(nil, v, false, 0)), nil
}

// AppendJSON appends v serialised as compact JSON to dst.
func AppendJSON(dst []byte, v Value) (out []byte, err error) {
	defer func() {
		if e := recover(); e != nil {
			if e != errTooDeep {
				panic(e)
			}
			out, err = dst, errTooDeep
		}
	}()
	return appendJSON(dst, v, false, 0), nil
}

var errTooDeep = errors.New("value nested too deeply")

type jsonDecoder struct {
	s  string
	i  int
	tr *Tracker
}

func (d *jsonDecoder) errorf(format string, args ...any) error {
	return fmt.Errorf("invalid JSON at offset %d: %s", d.i, fmt.Sprintf(format, args...))
}

func (d *jsonDecoder) space() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *jsonDecoder) value(depth int) (Value, error) {
	if depth > maxJSONDepth {
		return null, d.errorf("nested too deeply")
	}
	if d.i >= len(d.s) {
		return null, d.errorf("unexpected end of input")
	}
	switch c := d.s[d.i]; {
	case c == '{':
		return d.object(depth)
	case c == '[':
		return d.array(depth)
	case c == '"':
		s, err := d.str()
		return String(s), err
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	case d.lit("true"):
		return Bool(true), nil
	case d.lit("false"):
		return Bool(false), nil
	case d.lit("null"):
		return null, nil
	default:
		return null, d.errorf("unexpected %q", c)
	}
}

func (d *jsonDecoder) lit(w string) bool {
	if len(d.s)-d.i >= len(w) && d.s[d.i:d.i+len(w)] == w {
		d.i += len(w)
		return true
	}
	return false
}

func (d *jsonDecoder) object(depth int) (Value, error) {
	d.i++ // {
	m := &Map{tr: d.tr}
	d.space()
	if d.i < len(d.s) && d.s[d.i] == '}' {
		d.i++
		return MapValue(m), nil
	}
	for {
		d.space()
		if d.i >= len(d.s) || d.s[d.i] != '"' {
			return null, d.errorf("expected object key")
		}
		k, err := d.str()
		if err != nil {
			return null, err
		}
		d.space()
		if d.i >= len(d.s) || d.s[d.i] != ':' {
			return null, d.errorf("expected ':'")
		}
		d.i++
		d.space()
		v, err := d.value(depth + 1)
		if err != nil {
			return null, err
		}
		if j := m.find(k); j >= 0 {
			m.ents[j].val = v
		} else {
			m.ents = append(m.ents, entry{k, v})
			if m.index != nil {
				m.index[k] = len(m.ents) - 1
			} else if len(m.ents) > indexThreshold {
				m.buildIndex()
			}
		}
		d.space()
		if d.i >= len(d.s) {
			return null, d.errorf("unexpected end of input")
		}
		switch d.s[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			return MapValue(m), nil
		default:
			return null, d.errorf("expected ',' or '}'")
		}
	}
}

func (d *jsonDecoder) array(depth int) (Value, error) {
	d.i++ // [
	l := &List{flavor: jsonArray, tr: d.tr}
	d.space()
	if d.i < len(d.s) && d.s[d.i] == ']' {
		d.i++
		return ListValue(l), nil
	}
	for {
		d.space()
		v, err := d.value(depth + 1)
		if err != nil {
			return null, err
		}
		l.items = append(l.items, v)
		d.space()
		if d.i >= len(d.s) {
			return null, d.errorf("unexpected end of input")
		}
		switch d.s[d.i] {
		case ',':
			d.i++
		case ']':
			d.i++
			return ListValue(l), nil
		default:
			return null, d.errorf("expected ',' or ']'")
		}
	}
}

func (d *jsonDecoder) str() (string, error) {
	d.i++ // opening quote
	start := d.i
	for d.i < len(d.s) {
		c := d.s[d.i]
		if c == '"' {
			s := d.s[start:d.i]
			d.i++
			return s, nil
		}
		if c == '\\' {
			return d.strSlow(start)
		}
		if c < 0x20 {
			return "", d.errorf("control character in string")
		}
		d.i++
	}
	return "", d.errorf("unterminated string")
}

func (d *jsonDecoder) strSlow(start int) (string, error) {
	b := make([]byte, 0, d.i-start+16)
	b = append(b, d.s[start:d.i]...)
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			d.i++
			return string(b), nil
		case c < 0x20:
			return "", d.errorf("control character in string")
		case c != '\\':
			b = append(b, c)
			d.i++
			continue
		}
		d.i++
		if d.i >= len(d.s) {
			break
		}
		e := d.s[d.i]
		d.i++
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := d.hex4()
			if !ok {
				return "", d.errorf("bad \\u escape")
			}
			if utf16.IsSurrogate(r) {
				save := d.i
				if d.i+1 < len(d.s) && d.s[d.i] == '\\' && d.s[d.i+1] == 'u' {
					d.i += 2
					if r2, ok := d.hex4(); ok {
						if p := utf16.DecodeRune(r, r2); p != utf8.RuneError {
							b = utf8.AppendRune(b, p)
							continue
						}
					}
				}
				d.i = save
				r = utf8.RuneError
			}
			b = utf8.AppendRune(b, r)
		default:
			return "", d.errorf("bad escape \\%c", e)
		}
	}
	return "", d.errorf("unterminated string")
}

func (d *jsonDecoder) hex4() (rune, bool) {
	if len(d.s)-d.i < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(d.s[d.i:d.i+4], 16, 32)
	if err != nil {
		return 0, false
	}
	d.i += 4
	return rune(n), true
}

func (d *jsonDecoder) number() (Value, error) {
	start := d.i
	if d.s[d.i] == '-' {
		d.i++
	}
	digits := d.i
	for d.i < len(d.s) && d.s[d.i] >= '0' && d.s[d.i] <= '9' {
		d.i++
	}
	if d.i == digits {
		return null, d.errorf("bad number")
	}
	if d.s[digits] == '0' && d.i-digits > 1 {
		return null, d.errorf("leading zero in number")
	}
	isFloat := false
	if d.i < len(d.s) && d.s[d.i] == '.' {
		isFloat = true
		d.i++
		f := d.i
		for d.i < len(d.s) && d.s[d.i] >= '0' && d.s[d.i] <= '9' {
			d.i++
		}
		if d.i == f {
			return null, d.errorf("bad number")
		}
	}
	if d.i < len(d.s) && (d.s[d.i] == 'e' || d.s[d.i] == 'E') {
		isFloat = true
		d.i++
		if d.i < len(d.s) && (d.s[d.i] == '+' || d.s[d.i] == '-') {
			d.i++
		}
		e := d.i
		for d.i < len(d.s) && d.s[d.i] >= '0' && d.s[d.i] <= '9' {
			d.i++
		}
		if d.i == e {
			return null, d.errorf("bad number")
		}
	}
	return numberValue(d.s[start:d.i], isFloat), nil
}

// numberValue converts number text that is already known to be well formed.
func numberValue(text string, isFloat bool) Value {
	if !isFloat {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return Int(n)
		}
		b, _ := new(big.Int).SetString(text, 10)
		return BigInt(b)
	}
	f, _ := strconv.ParseFloat(text, 64) // ±Inf on overflow, as Java
	v := Float(f)
	if len(text) > 18 {
		v.p = unsafe.Pointer(&text) // json-smart keeps long decimals as BigDecimal
	}
	return v
}
