package lambdarunner

import (
	"regexp"
	"strings"
)

var functionNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

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
	return ref, functionNamePattern.MatchString(ref.name)
}

func (m *Manager) functionARN(name, qualifier string) string {
	arn := "arn:aws:lambda:" + m.cfg.Region + ":" + m.cfg.AccountID + ":function:" + name
	if qualifier != "" {
		arn += ":" + qualifier
	}
	return arn
}
