package apigw

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/apigw-local/apigw-local/vtl"
)

// utilObj is $util.
type utilObj struct{ e *env }

func (*utilObj) Property(string) (vtl.Value, error) { return vtl.Value{}, nil }

func (u *utilObj) Call(name string, args []vtl.Value) (vtl.Value, error) {
	if len(args) != 1 {
		return vtl.Value{}, nil
	}
	a := args[0]
	if a.IsNull() {
		return vtl.Value{}, nil
	}
	s, ok := a.AsString()
	if !ok {
		s = a.String()
	}
	if err := u.e.charge(len(s)); err != nil {
		return vtl.Value{}, err
	}
	switch name {
	case "escapeJavaScript":
		return vtl.String(EscapeJavaScript(s)), nil
	case "parseJson":
		v, err := vtl.ParseJSON(s, nil)
		if err != nil {
			return vtl.Value{}, fmt.Errorf("$util.parseJson: %v", err)
		}
		return v, nil
	case "urlEncode":
		return vtl.String(URLEncode(s)), nil
	case "urlDecode":
		d, err := URLDecode(s)
		if err != nil {
			return vtl.Value{}, fmt.Errorf("$util.urlDecode: %v", err)
		}
		return vtl.String(d), nil
	case "base64Encode":
		return vtl.String(base64.StdEncoding.EncodeToString([]byte(s))), nil
	case "base64Decode":
		d, err := Base64Decode(s)
		if err != nil {
			return vtl.Value{}, fmt.Errorf("$util.base64Decode: %v", err)
		}
		return vtl.String(d), nil
	}
	return vtl.Value{}, nil
}

const hexDigits = "0123456789ABCDEF"

// jsEscape marks the bytes EscapeJavaScript rewrites.
var jsEscape = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c < 0x20 || c > 0x7f || c == '"' || c == '\'' || c == '\\' || c == '/'
	}
	return t
}()

// EscapeJavaScript escapes s as Apache Commons Lang 2's
// StringEscapeUtils.escapeJavaScript does: \" \' \\ \/ \b \f \n \r \t, other
// control characters and every non-ASCII UTF-16 unit as \uXXXX (upper-case
// hex).
func EscapeJavaScript(s string) string {
	i := 0
	for i < len(s) && !jsEscape[s[i]] {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for {
		b.WriteString(s[:i])
		s = s[i:]
		if s == "" {
			return b.String()
		}
		c := s[0]
		size := 1
		switch {
		case c >= 0x80:
			r, n := utf8.DecodeRuneInString(s)
			size = n
			if r >= 0x10000 {
				r1, r2 := utf16Pair(r)
				writeU(&b, r1)
				writeU(&b, r2)
			} else {
				writeU(&b, r)
			}
		case c == '\b':
			b.WriteString(`\b`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\f':
			b.WriteString(`\f`)
		case c == '\r':
			b.WriteString(`\r`)
		case c < 0x20:
			writeU(&b, rune(c))
		default: // ' " \ /
			b.WriteByte('\\')
			b.WriteByte(c)
		}
		s = s[size:]
		i = 0
		for i < len(s) && !jsEscape[s[i]] {
			i++
		}
	}
}

func utf16Pair(r rune) (rune, rune) {
	r -= 0x10000
	return 0xd800 + (r>>10)&0x3ff, 0xdc00 + r&0x3ff
}

func writeU(b *strings.Builder, r rune) {
	b.Write([]byte{'\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf]})
}

// URLEncode encodes s as Java's URLEncoder.encode(s, "UTF-8"): letters,
// digits and ". - * _" stay, space becomes '+', everything else %XX of its
// UTF-8 bytes.
func URLEncode(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '.' || c == '-' || c == '*' || c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
		}
	}
	return b.String()
}

// URLDecode decodes s as Java's URLDecoder.decode(s, "UTF-8"): '+' is a
// space, %XX sequences are UTF-8 bytes (malformed ones become U+FFFD), and a
// '%' without two hex digits is an error.
func URLDecode(s string) (string, error) {
	if !strings.ContainsAny(s, "+%") {
		return s, nil
	}
	var b []byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 >= len(s) {
				return "", fmt.Errorf("URLDecoder: Incomplete trailing escape (%%) pattern")
			}
			h, ok1 := unhex(s[i+1])
			l, ok2 := unhex(s[i+2])
			if !ok1 || !ok2 {
				return "", fmt.Errorf("URLDecoder: Illegal hex characters in escape (%%) pattern")
			}
			b = append(b, h<<4|l)
			i += 2
		default:
			b = append(b, c)
		}
	}
	return strings.ToValidUTF8(string(b), "\uFFFD"), nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// Base64Decode decodes standard base64, ignoring whitespace and accepting
// missing padding, and reads the bytes as UTF-8.
func Base64Decode(s string) (string, error) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, s)
	s = strings.TrimRight(s, "=")
	d, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return "", err
	}
	return strings.ToValidUTF8(string(d), "\uFFFD"), nil
}
