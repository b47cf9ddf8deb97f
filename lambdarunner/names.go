package lambdarunner

import (
	"strings"
)

// validName reports whether s is a Lambda function name: 1 to 64 letters, digits, hyphens or
// underscores. (A loop, not a regexp: it runs on every invocation.)
func validName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// functionRef is a parsed FunctionName parameter.
type functionRef struct {
	name      string
	qualifier string
}

// parseFunctionRef accepts every form the Invoke API takes: "name", "name:qualifier", a partial
// ARN "123456789012:function:name[:qualifier]" and a full ARN
// "arn:aws:lambda:region:account:function:name[:qualifier]". Region and account are not checked:
// one emulator serves one account.
func parseFunctionRef(s string) (functionRef, bool) {
	if !strings.Contains(s, ":") {
		return functionRef{name: s}, validName(s)
	}
	parts := strings.Split(s, ":")
	switch {
	case len(parts) >= 7 && len(parts) <= 8 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function":
		parts = parts[6:]
	case len(parts) >= 3 && len(parts) <= 4 && parts[1] == "function":
		parts = parts[2:]
	case len(parts) > 2:
		return functionRef{}, false
	}
	ref := functionRef{name: parts[0]}
	if len(parts) == 2 {
		ref.qualifier = parts[1]
		if ref.qualifier == "" {
			return functionRef{}, false
		}
	}
	return ref, validName(ref.name)
}

func (m *Manager) functionARN(name, qualifier string) string {
	arn := "arn:aws:lambda:" + m.cfg.Region + ":" + m.cfg.AccountID + ":function:" + name
	if qualifier != "" {
		arn += ":" + qualifier
	}
	return arn
}
