package lambdarunner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"strconv"
	"strings"
	"time"
)

// specKeys lists the keys ParseFunctionSpec accepts, for its error messages.
const specKeys = "name, runtime, handler, code, timeout, memory, reserved, interpreter"

// ParseFunctionSpec parses the --function flag:
//
//	name=hello,runtime=nodejs20.x,handler=index.handler,code=./hello[,timeout=5][,memory=256][,reserved=2][,interpreter=/usr/bin/node]
//
// timeout is in seconds ("5", "2.5") or a Go duration ("500ms"). Values cannot contain commas.
func ParseFunctionSpec(spec string) (FunctionConfig, error) {
	var fc FunctionConfig
	seen := map[string]bool{}
	for _, kv := range strings.Split(spec, ",") {
		kv = strings.TrimSpace(kv)
		if kv == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if !ok || v == "" {
			return fc, fmt.Errorf("function spec %q: %q is not key=value (keys: %s)", spec, kv, specKeys)
		}
		if seen[k] {
			return fc, fmt.Errorf("function spec %q: %s given twice", spec, k)
		}
		seen[k] = true
		switch k {
		case "name":
			fc.Name = v
		case "runtime":
			fc.Runtime = v
		case "handler":
			fc.Handler = v
		case "code", "codeuri":
			fc.CodeDir = v
		case "interpreter":
			fc.Interpreter = v
		case "timeout":
			d, err := parseTimeout(v)
			if err != nil {
				return fc, fmt.Errorf("function spec %q: timeout %q: give seconds (5, 2.5) or a duration (500ms)", spec, v)
			}
			fc.Timeout = d
		case "memory", "memorysize":
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return fc, fmt.Errorf("function spec %q: memory %q: give megabytes, e.g. memory=256", spec, v)
			}
			fc.MemorySize = n
		case "reserved", "concurrency":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return fc, fmt.Errorf("function spec %q: reserved %q: give a number of concurrent invocations, e.g. reserved=2", spec, v)
			}
			fc.ReservedConcurrency = &n
		default:
			return fc, fmt.Errorf("function spec %q: unknown key %q (keys: %s)", spec, k, specKeys)
		}
	}
	if fc.Name == "" || fc.Runtime == "" || fc.CodeDir == "" {
		return fc, fmt.Errorf("function spec %q: name, runtime and code are required, e.g. name=hello,runtime=nodejs20.x,handler=index.handler,code=./hello", spec)
	}
	return fc, nil
}

func parseTimeout(v string) (time.Duration, error) {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if f <= 0 {
			return 0, fmt.Errorf("not positive")
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(v)
	if err == nil && d <= 0 {
		err = fmt.Errorf("not positive")
	}
	return d, err
}

// EnvFile is the content of an --env-file: function name → variables, plus the "Parameters" key
// whose variables apply to every function (the format sam local takes).
type EnvFile map[string]map[string]string

// LoadEnvFile reads an --env-file: {"FunctionName": {"KEY": "value"}, "Parameters": {...}}.
// Numbers and booleans become their JSON text, null becomes "".
func LoadEnvFile(path string) (EnvFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading env file: %w", err)
	}
	var raw map[string]map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("env file %s: %w; expected {\"FunctionName\": {\"KEY\": \"value\"}}", path, err)
	}
	out := EnvFile{}
	for fn, vars := range raw {
		m := make(map[string]string, len(vars))
		for k, v := range vars {
			s, err := scalar(v)
			if err != nil {
				return nil, fmt.Errorf("env file %s: %s.%s: %w", path, fn, k, err)
			}
			m[k] = s
		}
		out[fn] = m
	}
	return out, nil
}

func scalar(v json.RawMessage) (string, error) {
	v = bytes.TrimSpace(v)
	switch {
	case len(v) == 0 || string(v) == "null":
		return "", nil
	case v[0] == '"':
		var s string
		err := json.Unmarshal(v, &s)
		return s, err
	case v[0] == '{' || v[0] == '[':
		return "", fmt.Errorf("value must be a string, number or boolean, got %s", v)
	default:
		return string(v), nil
	}
}

// Apply returns fc with the file's variables merged over its own: first "Parameters", then the
// entry named after the function.
func (e EnvFile) Apply(fc FunctionConfig) FunctionConfig {
	env := maps.Clone(fc.Environment)
	if env == nil {
		env = map[string]string{}
	}
	maps.Copy(env, e["Parameters"])
	maps.Copy(env, e[fc.Name])
	fc.Environment = env
	return fc
}
