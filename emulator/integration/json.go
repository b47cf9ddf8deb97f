package integration

import (
	"errors"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// appendString appends s as a JSON string. Like Jackson, which writes API Gateway's events,
// it leaves '<', '>', '&' and non-ASCII text alone and escapes only what JSON requires;
// bytes that are not UTF-8 become U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				const hex = "0123456789abcdef"
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendNullable appends s as a JSON string, or null when it is empty.
func appendNullable(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return appendString(b, s)
}

// tokenKind is the kind of a JSON value the scanner met.
type tokenKind uint8

const (
	tokString tokenKind = iota + 1
	tokNumber
	tokTrue
	tokFalse
	tokNull
	tokObject // '{' consumed
	tokArray  // '[' consumed
)

var errSyntax = errors.New("not valid JSON")

// scanner reads a JSON document value by value, for strict contracts (the Lambda proxy
// response) that encoding/json's case-insensitive field matching cannot check.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// consume skips whitespace and then c, reporting whether c was there.
func (s *scanner) consume(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// end reports whether only whitespace is left.
func (s *scanner) end() bool {
	s.ws()
	return s.i == len(s.b)
}

// value reads the start of a value: scalars completely (text is a string's content, a
// number's or literal's source), objects and arrays only their opening bracket.
func (s *scanner) value() (tokenKind, string, error) {
	s.ws()
	if s.i >= len(s.b) {
		return 0, "", errSyntax
	}
	switch c := s.b[s.i]; {
	case c == '"':
		str, err := s.str()
		return tokString, str, err
	case c == '{':
		s.i++
		return tokObject, "", nil
	case c == '[':
		s.i++
		return tokArray, "", nil
	case c == 't':
		return s.literal("true", tokTrue)
	case c == 'f':
		return s.literal("false", tokFalse)
	case c == 'n':
		return s.literal("null", tokNull)
	case c == '-' || '0' <= c && c <= '9':
		return s.number()
	}
	return 0, "", errSyntax
}

func (s *scanner) literal(word string, k tokenKind) (tokenKind, string, error) {
	if len(s.b)-s.i < len(word) || string(s.b[s.i:s.i+len(word)]) != word {
		return 0, "", errSyntax
	}
	s.i += len(word)
	return k, word, nil
}

func (s *scanner) number() (tokenKind, string, error) {
	start := s.i
	if s.b[s.i] == '-' {
		s.i++
	}
	digits := func() int {
		n := 0
		for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	if digits() == 0 {
		return 0, "", errSyntax
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if digits() == 0 {
			return 0, "", errSyntax
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if digits() == 0 {
			return 0, "", errSyntax
		}
	}
	return tokNumber, string(s.b[start:s.i]), nil
}

// str reads a string whose opening quote is next, unescaping it.
func (s *scanner) str() (string, error) {
	s.i++ // opening quote
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		if c == '"' {
			out := string(s.b[start:s.i])
			s.i++
			return out, nil
		}
		if c == '\\' {
			b, err := s.strSlow(start)
			return string(b), err
		}
		if c < 0x20 {
			return "", errSyntax
		}
		s.i++
	}
	return "", errSyntax
}

// strBytes is str returning a new byte slice (a response body, copied once).
func (s *scanner) strBytes() ([]byte, error) {
	s.i++ // opening quote
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		if c == '"' {
			out := append([]byte(nil), s.b[start:s.i]...)
			s.i++
			return out, nil
		}
		if c == '\\' {
			return s.strSlow(start)
		}
		if c < 0x20 {
			return nil, errSyntax
		}
		s.i++
	}
	return nil, errSyntax
}

// strSlow unescapes a string with escapes, starting over at start.
func (s *scanner) strSlow(start int) ([]byte, error) {
	end := s.i // the closing quote bounds the unescaped length
	for end < len(s.b) && s.b[end] != '"' {
		if s.b[end] == '\\' {
			end++
		}
		end++
	}
	out := make([]byte, 0, min(end, len(s.b))-start)
	out = append(out, s.b[start:s.i]...)
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return out, nil
		case c < 0x20:
			return nil, errSyntax
		case c != '\\':
			out = append(out, c)
			s.i++
			continue
		}
		if s.i+1 >= len(s.b) {
			return nil, errSyntax
		}
		e := s.b[s.i+1]
		s.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := s.hex4()
			if !ok {
				return nil, errSyntax
			}
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if s.i+1 < len(s.b) && s.b[s.i] == '\\' && s.b[s.i+1] == 'u' {
					s.i += 2
					if r2, ok = s.hex4(); !ok {
						return nil, errSyntax
					}
				}
				r = utf16.DecodeRune(r, r2)
			}
			out = utf8.AppendRune(out, r)
		default:
			return nil, errSyntax
		}
	}
	return nil, errSyntax
}

func (s *scanner) hex4() (rune, bool) {
	if len(s.b)-s.i < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(s.b[s.i:s.i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	s.i += 4
	return rune(n), true
}
