package vtl

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Java's java.util.regex is translated to Go's RE2 syntax. Constructs RE2
// cannot express (lookaround, backreferences, atomic groups, class
// intersections) are reported as errors, which fail the render as an
// unsupported pattern would fail in Java with a different message.

var regexCache sync.Map // pattern → *regexp.Regexp or error

const regexCacheMax = 1024

var regexCacheSize struct {
	sync.Mutex
	n int
}

// compileJavaRegex compiles a Java regular expression. With whole set the
// expression must match all of the input, as String.matches requires.
func compileJavaRegex(pattern string, whole bool) (*regexp.Regexp, error) {
	key := pattern
	if whole {
		key = "\x00" + pattern
	}
	if v, ok := regexCache.Load(key); ok {
		if re, ok := v.(*regexp.Regexp); ok {
			return re, nil
		}
		return nil, v.(error)
	}
	var res any
	tr, err := translateRegex(pattern)
	if whole {
		tr = `\A(?:` + tr + `)\z`
	}
	if err == nil {
		var re *regexp.Regexp
		re, err = regexp.Compile(tr)
		if err == nil {
			res = re
		}
	}
	if err != nil {
		err = fmt.Errorf("java.util.regex.PatternSyntaxException: %v in %q", err, pattern)
		res = err
	}
	regexCacheSize.Lock()
	if regexCacheSize.n < regexCacheMax {
		regexCacheSize.n++
		regexCache.Store(key, res)
	}
	regexCacheSize.Unlock()
	if err != nil {
		return nil, err
	}
	return res.(*regexp.Regexp), nil
}

var posixClasses = map[string]string{
	"Lower": `a-z`, "Upper": `A-Z`, "ASCII": `\x00-\x7F`, "Alpha": `a-zA-Z`, "Digit": `0-9`,
	"Alnum": `a-zA-Z0-9`, "Punct": `!-/:-@\[-` + "`" + `{-~`, "Graph": `!-~`, "Print": ` -~`, "Blank": ` \t`,
	"Cntrl": `\x00-\x1F\x7F`, "XDigit": `0-9a-fA-F`, "Space": ` \t\n\x0B\f\r`,
	"javaLowerCase": `\p{Ll}`, "javaUpperCase": `\p{Lu}`, "javaWhitespace": `\s\x{1C}-\x{1F}`,
	"javaMirrored": `()<>\[\]{}`, "IsAlphabetic": `\p{L}\p{Nl}`, "IsLetter": `\p{L}`,
	"IsDigit": `\p{Nd}`, "IsUppercase": `\p{Lu}`, "IsLowercase": `\p{Ll}`, "IsWhite_Space": `\s\x{85}\x{A0}\x{2028}\x{2029}`,
	"IsPunctuation": `\p{P}`,
}

// translateRegex rewrites a Java pattern in RE2 syntax.
func translateRegex(p string) (string, error) {
	var b strings.Builder
	inClass := 0
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\':
			if i+1 >= len(p) {
				return "", fmt.Errorf("unexpected internal error near index %d", i)
			}
			i++
			e := p[i]
			switch {
			case e == 'Q':
				end := strings.Index(p[i+1:], `\E`)
				lit := p[i+1:]
				if end >= 0 {
					lit = p[i+1 : i+1+end]
					i += end + 2
				} else {
					i = len(p)
				}
				b.WriteString(regexp.QuoteMeta(lit))
			case e == 'p' || e == 'P':
				name, n := bracedName(p[i+1:])
				if n == 0 && i+1 < len(p) {
					name, n = p[i+1:i+2], 1
				}
				i += n
				cls, ok := posixClasses[name]
				if !ok {
					name = strings.TrimPrefix(strings.TrimPrefix(name, "Is"), "general_category=")
					cls = `\p{` + name + `}`
				}
				if e == 'P' {
					if inClass > 0 {
						return "", fmt.Errorf("negated property inside a class is not supported")
					}
					b.WriteString("[^" + cls + "]")
				} else if inClass > 0 {
					b.WriteString(cls)
				} else {
					b.WriteString("[" + cls + "]")
				}
			case e == 'u' && i+4 < len(p):
				if _, err := strconv.ParseUint(p[i+1:i+5], 16, 32); err != nil {
					return "", fmt.Errorf("illegal Unicode escape sequence near index %d", i)
				}
				b.WriteString(`\x{` + p[i+1:i+5] + `}`)
				i += 4
			case e == '0':
				j := i + 1
				for j < len(p) && j < i+4 && p[j] >= '0' && p[j] <= '7' {
					j++
				}
				n, err := strconv.ParseUint(p[i+1:j], 8, 32)
				if err != nil || j == i+1 {
					return "", fmt.Errorf("illegal octal escape sequence near index %d", i)
				}
				fmt.Fprintf(&b, `\x{%x}`, n)
				i = j - 1
			case e == 'e':
				b.WriteString(`\x{1B}`)
			case e == 'c' && i+1 < len(p):
				fmt.Fprintf(&b, `\x{%x}`, p[i+1]^64)
				i++
			case e == 'h':
				b.WriteString(wrapClass(inClass, ` \t\x{A0}\x{1680}\x{180e}\x{2000}-\x{200a}\x{202f}\x{205f}\x{3000}`))
			case e == 'v':
				b.WriteString(wrapClass(inClass, `\n\x0B\f\r\x{85}\x{2028}\x{2029}`))
			case e == 'R' && inClass == 0:
				b.WriteString(`(?:\r\n|[\n\x0B\f\r\x{85}\x{2028}\x{2029}])`)
			case e == 'Z' && inClass == 0:
				b.WriteString(`(?:\n?\z)`)
			case e >= '1' && e <= '9' || e == 'k' || e == 'G' || e == 'X':
				return "", fmt.Errorf("\\%c is not supported", e)
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		case c == '[':
			if inClass > 0 {
				if i+1 < len(p) && p[i+1] == ':' {
					b.WriteString(`\[`)
					continue
				}
				return "", fmt.Errorf("nested character classes are not supported")
			}
			inClass++
			b.WriteByte('[')
			if i+1 < len(p) && p[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' { // a leading ] is literal
				b.WriteString(`\]`)
				i++
			}
		case c == ']' && inClass > 0:
			inClass--
			b.WriteByte(']')
		case c == '&' && inClass > 0 && i+1 < len(p) && p[i+1] == '&':
			return "", fmt.Errorf("character class intersection is not supported")
		case inClass > 0:
			b.WriteByte(c)
		case c == '(' && strings.HasPrefix(p[i:], "(?"):
			rest := p[i+2:]
			switch {
			case strings.HasPrefix(rest, "=") || strings.HasPrefix(rest, "!") ||
				strings.HasPrefix(rest, "<=") || strings.HasPrefix(rest, "<!"):
				return "", fmt.Errorf("lookaround is not supported")
			case strings.HasPrefix(rest, ">"):
				return "", fmt.Errorf("atomic groups are not supported")
			}
			b.WriteByte(c)
		case c == '{':
			j := i + 1
			for j < len(p) && (p[j] >= '0' && p[j] <= '9' || p[j] == ',') {
				j++
			}
			body := p[i+1 : j]
			if j >= len(p) || p[j] != '}' || body == "" || body[0] == ',' || strings.Count(body, ",") > 1 {
				return "", fmt.Errorf("illegal repetition near index %d", i)
			}
			b.WriteString(p[i : j+1])
			i = j
			if i+1 < len(p) && p[i+1] == '+' {
				i++ // possessive: greedy is the closest RE2 has
			}
		case (c == '*' || c == '+' || c == '?') && i+1 < len(p) && p[i+1] == '+':
			b.WriteByte(c)
			i++
		default:
			b.WriteByte(c)
		}
	}
	if inClass > 0 {
		return "", fmt.Errorf("unclosed character class")
	}
	return b.String(), nil
}

func wrapClass(inClass int, body string) string {
	if inClass > 0 {
		return body
	}
	return "[" + body + "]"
}

func bracedName(s string) (string, int) {
	if !strings.HasPrefix(s, "{") {
		return "", 0
	}
	end := strings.IndexByte(s, '}')
	if end < 0 {
		return "", 0
	}
	return s[1:end], end + 1
}

// javaReplace replaces matches of re in src using a java.util.regex
// replacement string ($1, ${name}, \ escapes). With all false only the
// first match is replaced.
func javaReplace(re *regexp.Regexp, src, repl string, all bool) (string, error) {
	n := -1
	if !all {
		n = 1
	}
	matches := re.FindAllStringSubmatchIndex(src, n)
	if len(matches) == 0 {
		return src, nil
	}
	var b strings.Builder
	last := 0
	for _, m := range matches {
		b.WriteString(src[last:m[0]])
		if err := appendReplacement(&b, re, src, m, repl); err != nil {
			return "", err
		}
		last = m[1]
	}
	b.WriteString(src[last:])
	return b.String(), nil
}

// appendReplacement follows Matcher.appendReplacement.
func appendReplacement(b *strings.Builder, re *regexp.Regexp, src string, m []int, repl string) error {
	groups := len(m)/2 - 1
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		switch c {
		case '\\':
			i++
			if i >= len(repl) {
				return fmt.Errorf("java.lang.IllegalArgumentException: character to be escaped is missing")
			}
			b.WriteByte(repl[i])
		case '$':
			i++
			if i >= len(repl) {
				return fmt.Errorf("java.lang.IllegalArgumentException: Illegal group reference: group index is missing")
			}
			var g int
			if repl[i] == '{' {
				end := strings.IndexByte(repl[i:], '}')
				if end < 0 {
					return fmt.Errorf("java.lang.IllegalArgumentException: named capturing group is missing trailing '}'")
				}
				name := repl[i+1 : i+end]
				g = re.SubexpIndex(name)
				if g < 0 {
					return fmt.Errorf("java.lang.IllegalArgumentException: No group with name {%s}", name)
				}
				i += end
			} else {
				if repl[i] < '0' || repl[i] > '9' {
					return fmt.Errorf("java.lang.IllegalArgumentException: Illegal group reference")
				}
				g = int(repl[i] - '0')
				for i+1 < len(repl) && repl[i+1] >= '0' && repl[i+1] <= '9' {
					next := g*10 + int(repl[i+1]-'0')
					if next > groups {
						break
					}
					g = next
					i++
				}
				if g > groups {
					return fmt.Errorf("java.lang.IndexOutOfBoundsException: No group %d", g)
				}
			}
			if m[2*g] >= 0 {
				b.WriteString(src[m[2*g]:m[2*g+1]])
			}
		default:
			b.WriteByte(c)
		}
	}
	return nil
}

// javaSplit follows Pattern.split: a zero-width match at the start adds no
// empty leading string; with limit 0 trailing empty strings are dropped.
func javaSplit(re *regexp.Regexp, input string, limit int) []string {
	var parts []string
	index := 0
	limited := limit > 0
	for _, m := range re.FindAllStringIndex(input, -1) {
		if !limited || len(parts) < limit-1 {
			if index == 0 && m[0] == 0 && m[1] == 0 {
				continue
			}
			parts = append(parts, input[index:m[0]])
			index = m[1]
		} else if len(parts) == limit-1 {
			break
		}
	}
	if index == 0 && len(parts) == 0 {
		return []string{input}
	}
	if !limited || len(parts) < limit {
		parts = append(parts, input[index:])
	}
	if limit == 0 {
		for len(parts) > 0 && parts[len(parts)-1] == "" {
			parts = parts[:len(parts)-1]
		}
	}
	return parts
}
