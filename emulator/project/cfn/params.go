package cfn

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ParseOverrides reads parameter overrides the way sam deploy and sam local take them:
// "Key=Value" items, several per argument separated by spaces, or the long form
// "ParameterKey=Key,ParameterValue=Value". A value may be quoted to keep spaces.
func ParseOverrides(args []string) (map[string]string, error) {
	out := map[string]string{}
	for _, arg := range args {
		for _, item := range splitQuoted(arg) {
			if strings.HasPrefix(item, "ParameterKey=") {
				k, v, ok := strings.Cut(strings.TrimPrefix(item, "ParameterKey="), ",ParameterValue=")
				if !ok {
					return nil, fmt.Errorf("parameter override %q: write ParameterKey=Name,ParameterValue=value", item)
				}
				out[k] = unquote(v)
				continue
			}
			k, v, ok := strings.Cut(item, "=")
			if !ok || k == "" {
				return nil, fmt.Errorf("parameter override %q: write Name=value", item)
			}
			out[k] = unquote(v)
		}
	}
	return out, nil
}

// splitQuoted splits on spaces outside double or single quotes.
func splitQuoted(s string) []string {
	var out []string
	var cur strings.Builder
	var quote rune
	for _, c := range s {
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
			cur.WriteRune(c)
		case c == '"' || c == '\'':
			quote = c
			cur.WriteRune(c)
		case c == ' ' || c == '\t' || c == '\n':
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(c)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// readParameters fills r.params from the Parameters section and the overrides.
func (r *Resolver) readParameters() error {
	sec := r.t.Section("Parameters")
	var missing []string
	for name, def := range Pairs(sec) {
		if def.Kind != yaml.MappingNode {
			return r.t.Errorf(def, "parameter %s must be a mapping with a Type", name)
		}
		typ := String(Lookup(def, "Type"))
		if typ == "" {
			return r.t.Errorf(def, "parameter %s has no Type", name)
		}
		var value string
		if v, ok := r.opts.Overrides[name]; ok {
			value = v
		} else if d := Lookup(def, "Default"); d != nil {
			switch {
			case d.Kind == yaml.SequenceNode:
				value = strings.Join(Strings(d), ",")
			case IsNull(d):
				value = ""
			default:
				s, ok := Scalar(d)
				if !ok {
					return r.t.Errorf(d, "parameter %s: Default must be a string or number, got %s", name, Describe(d))
				}
				value = s
			}
		} else {
			missing = append(missing, name)
			continue
		}
		if err := checkParameter(r.t, def, name, typ, value); err != nil {
			return err
		}
		if strings.HasPrefix(typ, "List<") || typ == "CommaDelimitedList" {
			seq := NewSeq()
			if value != "" {
				for _, p := range strings.Split(value, ",") {
					seq.Content = append(seq.Content, NewString(strings.TrimSpace(p)))
				}
			}
			r.params[name] = seq
			continue
		}
		r.params[name] = NewString(value)
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		ex := make([]string, len(missing))
		for i, m := range missing {
			ex[i] = m + "=value"
		}
		return fmt.Errorf("%s: parameter %s has no Default: give a value with --parameter-overrides %s", r.t.Path, strings.Join(missing, ", "), strings.Join(ex, " "))
	}
	var unknown []string
	for k := range r.opts.Overrides {
		if Lookup(sec, k) == nil {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 && r.opts.Note != nil {
		sort.Strings(unknown)
		r.opts.Note(r.t.Path, fmt.Sprintf("--parameter-overrides names %s, which the template does not declare: ignored", strings.Join(unknown, ", ")))
	}
	return nil
}

func checkParameter(t *Template, def *yaml.Node, name, typ, value string) error {
	if av := Lookup(def, "AllowedValues"); av != nil {
		allowed := Strings(av)
		vals := []string{value}
		if strings.HasPrefix(typ, "List<") || typ == "CommaDelimitedList" {
			vals = strings.Split(value, ",")
		}
		for _, v := range vals {
			if !slices.Contains(allowed, strings.TrimSpace(v)) {
				return t.Errorf(def, "parameter %s: %q is not one of its AllowedValues [%s]", name, v, strings.Join(allowed, ", "))
			}
		}
	}
	if p := String(Lookup(def, "AllowedPattern")); p != "" {
		re, err := regexp.Compile("^(?:" + p + ")$")
		if err == nil && !re.MatchString(value) {
			return t.Errorf(def, "parameter %s: %q does not match its AllowedPattern %s", name, value, p)
		}
	}
	if typ == "Number" {
		if _, ok := Float(NewString(value)); !ok {
			return t.Errorf(def, "parameter %s is a Number, and %q is not a number", name, value)
		}
	}
	return nil
}
