package vtl

import (
	"math"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Java strings are sequences of UTF-16 code units; lengths and indexes in
// String methods count those units. ASCII strings take a fast path.

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func toUnits(s string) []uint16 { return utf16.Encode([]rune(s)) }

func fromUnits(u []uint16) string { return string(utf16.Decode(u)) }

func javaLen(s string) int {
	if isASCII(s) {
		return len(s)
	}
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// javaSubstring returns units [begin, end) of s.
func javaSubstring(s string, begin, end int) string {
	if isASCII(s) {
		return s[begin:end]
	}
	return fromUnits(toUnits(s)[begin:end])
}

// javaIndexOf finds sub in s at or after from (in units), or -1.
func javaIndexOf(s, sub string, from int, last bool) int {
	if isASCII(s) && isASCII(sub) {
		if last {
			from = min(from, len(s)-len(sub))
			if from < 0 {
				return -1
			}
			return strings.LastIndex(s[:from+len(sub)], sub)
		}
		from = max(from, 0)
		if from > len(s) {
			return -1
		}
		i := strings.Index(s[from:], sub)
		if i < 0 {
			return -1
		}
		return from + i
	}
	u, v := toUnits(s), toUnits(sub)
	match := func(i int) bool {
		for j := range v {
			if u[i+j] != v[j] {
				return false
			}
		}
		return true
	}
	if last {
		for i := min(from, len(u)-len(v)); i >= 0; i-- {
			if match(i) {
				return i
			}
		}
		return -1
	}
	for i := max(from, 0); i+len(v) <= len(u); i++ {
		if match(i) {
			return i
		}
	}
	return -1
}

// javaTrim removes characters <= ' ' from both ends, as String.trim does.
func javaTrim(s string) string {
	i, j := 0, len(s)
	for i < j && s[i] <= ' ' {
		i++
	}
	for j > i && s[j-1] <= ' ' {
		j--
	}
	return s[i:j]
}

// javaUpper is String.toUpperCase in an English locale.
func javaUpper(s string) string {
	if !strings.ContainsRune(s, 'ß') {
		return strings.ToUpper(s)
	}
	return strings.ToUpper(strings.ReplaceAll(s, "ß", "SS"))
}

// javaHash is String.hashCode.
func javaHash(s string) int32 {
	var h int32
	if isASCII(s) {
		for i := 0; i < len(s); i++ {
			h = 31*h + int32(s[i])
		}
		return h
	}
	for _, u := range toUnits(s) {
		h = 31*h + int32(u)
	}
	return h
}

// javaCompare is String.compareTo.
func javaCompare(a, b string) int {
	ua, ub := toUnits(a), toUnits(b)
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			return int(ua[i]) - int(ub[i])
		}
	}
	return len(ua) - len(ub)
}

func foldUnits(s string) string {
	return strings.Map(func(r rune) rune { return unicode.ToLower(unicode.ToUpper(r)) }, s)
}

// intArg accepts an Integer argument for an int parameter.
func intArg(v Value) (int, bool) {
	if v.kind == KindInt && v.n >= math.MinInt32 && v.n <= math.MaxInt32 {
		return int(v.n), true
	}
	return 0, false
}

// strArg accepts a String argument, or null (Java passes null to any object
// parameter). isNull reports the latter.
func strArg(v Value) (s string, ok, isNull bool) {
	switch v.kind {
	case KindString:
		return v.str(), true, false
	case KindNull:
		return "", true, true
	}
	return "", false, false
}

// stringMethod calls a java.lang.String method. ok is false when String has
// no method of that name taking such arguments.
func (s *state) stringMethod(n Node, str, name string, args []Value) (Value, bool) {
	s.work(n, len(str)>>6)
	npe := func() { s.errorf(n, "java.lang.NullPointerException in String.%s", name) }
	oob := func(i int) {
		s.errorf(n, "java.lang.StringIndexOutOfBoundsException: String index out of range: %d", i)
	}
	switch len(args) {
	case 0:
		switch name {
		case "length":
			return Int(int64(javaLen(str))), true
		case "isEmpty":
			return Bool(str == ""), true
		case "toString", "intern":
			return String(str), true
		case "trim":
			return String(javaTrim(str)), true
		case "toLowerCase":
			return String(strings.ToLower(str)), true
		case "toUpperCase":
			return String(javaUpper(str)), true
		case "hashCode":
			return Int(int64(javaHash(str))), true
		}
	case 1:
		a := args[0]
		switch name {
		case "equals":
			return Bool(a.kind == KindString && a.str() == str), true
		case "equalsIgnoreCase":
			return Bool(a.kind == KindString && (a.str() == str || foldUnits(a.str()) == foldUnits(str))), true
		case "charAt":
			i, ok := intArg(a)
			if !ok {
				return null, false
			}
			if i < 0 || i >= javaLen(str) {
				oob(i)
			}
			return String(javaSubstring(str, i, i+1)), true
		case "substring":
			i, ok := intArg(a)
			if !ok {
				return null, false
			}
			l := javaLen(str)
			if i < 0 || i > l {
				oob(l - i)
			}
			return String(javaSubstring(str, i, l)), true
		case "indexOf", "lastIndexOf":
			sub, from := "", 0
			if name == "lastIndexOf" {
				from = math.MaxInt32
			}
			switch a.kind {
			case KindString:
				sub = a.str()
			case KindInt:
				sub = string(rune(a.n))
			case KindNull:
				npe()
			default:
				return null, false
			}
			return Int(int64(javaIndexOf(str, sub, from, name == "lastIndexOf"))), true
		}
		if name == "split" {
			re, ok := s.regexArg(n, a, false)
			if !ok {
				return null, false
			}
			return s.splitResult(n, javaSplit(re, str, 0)), true
		}
		if name == "matches" {
			re, ok := s.regexArg(n, a, true)
			if !ok {
				return null, false
			}
			return Bool(re.MatchString(str)), true
		}
		arg, ok, isNull := strArg(a)
		if !ok {
			return null, false
		}
		switch name {
		case "contains", "startsWith", "endsWith", "concat", "compareTo", "compareToIgnoreCase":
			if isNull {
				npe()
			}
		default:
			return null, false
		}
		switch name {
		case "contains":
			return Bool(strings.Contains(str, arg)), true
		case "startsWith":
			return Bool(strings.HasPrefix(str, arg)), true
		case "endsWith":
			return Bool(strings.HasSuffix(str, arg)), true
		case "concat":
			s.chargeString(n, len(str)+len(arg))
			return String(str + arg), true
		case "compareTo":
			return Int(int64(javaCompare(str, arg))), true
		case "compareToIgnoreCase":
			return Int(int64(javaCompare(foldUnits(str), foldUnits(arg)))), true
		}
	case 2:
		a, b := args[0], args[1]
		switch name {
		case "substring":
			i, ok1 := intArg(a)
			j, ok2 := intArg(b)
			if !ok1 || !ok2 {
				return null, false
			}
			l := javaLen(str)
			if i < 0 || j > l || i > j {
				oob(j - i)
			}
			return String(javaSubstring(str, i, j)), true
		case "indexOf", "lastIndexOf", "startsWith":
			from, ok := intArg(b)
			if !ok {
				return null, false
			}
			sub := ""
			switch a.kind {
			case KindString:
				sub = a.str()
			case KindInt:
				if name == "startsWith" {
					return null, false
				}
				sub = string(rune(a.n))
			case KindNull:
				npe()
			default:
				return null, false
			}
			if name == "startsWith" {
				if from < 0 || from > javaLen(str) {
					return Bool(false), true
				}
				return Bool(strings.HasPrefix(javaSubstring(str, from, javaLen(str)), sub)), true
			}
			return Int(int64(javaIndexOf(str, sub, from, name == "lastIndexOf"))), true
		case "split":
			limit, ok := intArg(b)
			re, ok2 := s.regexArg(n, a, false)
			if !ok || !ok2 {
				return null, false
			}
			return s.splitResult(n, javaSplit(re, str, limit)), true
		case "replace", "replaceAll", "replaceFirst":
			x, ok1, null1 := strArg(a)
			y, ok2, null2 := strArg(b)
			if !ok1 || !ok2 {
				return null, false
			}
			if null1 || null2 {
				npe()
			}
			var res string
			if name == "replace" {
				if x == "" && !isASCII(str) {
					u := toUnits(str)
					var sb strings.Builder
					sb.WriteString(y)
					for i := range u {
						sb.WriteString(fromUnits(u[i : i+1]))
						sb.WriteString(y)
					}
					res = sb.String()
				} else {
					res = strings.ReplaceAll(str, x, y)
				}
			} else {
				re, err := compileJavaRegex(x, false)
				if err != nil {
					s.errorf(n, "%v", err)
				}
				res, err = javaReplace(re, str, y, name == "replaceAll")
				if err != nil {
					s.errorf(n, "%v", err)
				}
			}
			s.chargeString(n, len(res))
			return String(res), true
		}
	}
	return null, false
}

func (s *state) regexArg(n Node, a Value, whole bool) (*regexp.Regexp, bool) {
	p, ok, isNull := strArg(a)
	if !ok {
		return nil, false
	}
	if isNull {
		s.errorf(n, "java.lang.NullPointerException: regex is null")
	}
	r, err := compileJavaRegex(p, whole)
	if err != nil {
		s.errorf(n, "%v", err)
	}
	return r, true
}

// splitResult wraps split's parts as a String[].
func (s *state) splitResult(n Node, parts []string) Value {
	s.charge(n, 64*len(parts))
	l := &List{items: make([]Value, len(parts)), flavor: stringArray}
	for i, p := range parts {
		l.items[i] = String(p)
	}
	return ListValue(l)
}
