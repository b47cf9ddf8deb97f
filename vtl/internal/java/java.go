// Package java formats values the way the Java libraries behind API
// Gateway's mapping templates do.
package java

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// AppendDouble appends f as Java's Double.toString (bits 64) or
// Float.toString (bits 32) would: plain notation with at least one fraction
// digit for 1e-3 <= |f| < 1e7, computerized scientific notation otherwise.
// Digits are the shortest that round-trip, as Java 19 and later print them.
func AppendDouble(dst []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	var buf [40]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, bits) // -d.ddde±xx
	neg := e[0] == '-'
	if neg {
		e = e[1:]
	}
	var digits [32]byte
	nd := 0
	i := 0
	for ; i < len(e) && e[i] != 'e'; i++ {
		if e[i] != '.' {
			digits[nd] = e[i]
			nd++
		}
	}
	exp, _ := strconv.Atoi(string(e[i+1:]))
	if neg {
		dst = append(dst, '-')
	}
	abs := math.Abs(f)
	if abs >= 1e-3 && abs < 1e7 {
		point := exp + 1
		switch {
		case point <= 0:
			dst = append(dst, "0."...)
			for j := 0; j < -point; j++ {
				dst = append(dst, '0')
			}
			return append(dst, digits[:nd]...)
		case point >= nd:
			dst = append(dst, digits[:nd]...)
			for j := nd; j < point; j++ {
				dst = append(dst, '0')
			}
			return append(dst, ".0"...)
		default:
			dst = append(dst, digits[:point]...)
			dst = append(dst, '.')
			return append(dst, digits[point:nd]...)
		}
	}
	dst = append(dst, digits[0], '.')
	if nd > 1 {
		dst = append(dst, digits[1:nd]...)
	} else {
		dst = append(dst, '0')
	}
	dst = append(dst, 'E')
	return strconv.AppendInt(dst, int64(exp), 10)
}

const hexUpper = "0123456789ABCDEF"

// AppendJSONString appends s quoted and escaped as json-smart does: the
// usual short escapes, and \uXXXX for control characters, U+007F–U+009F and
// U+2000–U+20FF. Other characters are written as they are.
func AppendJSONString(dst []byte, s string, slash bool) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c != '/' && c < 0x7f {
			i++
			continue
		}
		var esc string
		size := 1
		r := rune(c)
		switch c {
		case '"':
			esc = `\"`
		case '\\':
			esc = `\\`
		case '\b':
			esc = `\b`
		case '\f':
			esc = `\f`
		case '\n':
			esc = `\n`
		case '\r':
			esc = `\r`
		case '\t':
			esc = `\t`
		case '/':
			if !slash {
				i++
				continue
			}
			esc = `\/`
		default:
			if c >= 0x80 {
				r, size = utf8.DecodeRuneInString(s[i:])
			}
			if !(r < 0x20 || (r >= 0x7f && r <= 0x9f) || (r >= 0x2000 && r <= 0x20ff)) {
				i += size
				continue
			}
		}
		dst = append(dst, s[start:i]...)
		if esc != "" {
			dst = append(dst, esc...)
		} else {
			dst = append(dst, '\\', 'u', hexUpper[r>>12&0xf], hexUpper[r>>8&0xf], hexUpper[r>>4&0xf], hexUpper[r&0xf])
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
