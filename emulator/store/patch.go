package store

import (
	"strconv"
	"strings"

	"github.com/apigw-local/apigw-local/emulator/awserr"
)

// PatchOp is one entry of an apigateway (v1) patchOperations list. Value is always text:
// numbers and booleans arrive as "10", "true".
type PatchOp struct {
	Op    string  `json:"op"`
	Path  string  `json:"path"`
	Value *string `json:"value,omitempty"`
	From  string  `json:"from,omitempty"`
}

func (p PatchOp) value() string {
	if p.Value == nil {
		return ""
	}
	return *p.Value
}

// validOps are the operations the model's enum allows.
var validOps = []string{"add", "remove", "move", "test", "replace", "copy"}

// checkOps validates the op names the way AWS's front end does, before any rule runs.
// input names the operation's input shape (updateRestApiInput, updateStageInput, ...).
func checkOps(ops []PatchOp, input string) error {
	for i, op := range ops {
		ok := false
		for _, v := range validOps {
			if op.Op == v {
				ok = true
			}
		}
		if !ok {
			return awserr.New(awserr.Validation,
				"1 validation error detected: Value '%s' at '%s.patchOperations.%d.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]",
				op.Op, input, i+1)
		}
		if !strings.HasPrefix(op.Path, "/") {
			return awserr.New(awserr.BadRequest, "Invalid patch path %s", op.Path)
		}
	}
	return nil
}

// patchRule applies the operations AWS accepts on one path (or a family of paths) of T.
type patchRule[T any] struct {
	// path is an exact path, or a prefix ending in "/*" whose remainder is passed to apply
	// as arg, JSON-pointer decoded (~1 → /, ~0 → ~).
	path  string
	ops   []string
	apply func(t *T, op PatchOp, arg string) error
}

// applyPatch runs ops against t in order. t must be a private copy: on error the caller
// discards it, so a failed call changes nothing.
func applyPatch[T any](t *T, rules []patchRule[T], ops []PatchOp, input string) error {
	if err := checkOps(ops, input); err != nil {
		return err
	}
	for _, op := range ops {
		if err := applyOne(t, rules, op); err != nil {
			return err
		}
	}
	return nil
}

func applyOne[T any](t *T, rules []patchRule[T], op PatchOp) error {
	for _, r := range rules {
		arg, ok := matchPatchPath(r.path, op.Path)
		if !ok {
			continue
		}
		for _, allowed := range r.ops {
			if allowed == op.Op {
				return r.apply(t, op, arg)
			}
		}
		return awserr.New(awserr.BadRequest,
			"Invalid patch path  '%s' specified for op '%s'. Please choose supported operations", op.Path, op.Op)
	}
	return awserr.New(awserr.BadRequest, "Invalid patch path %s", op.Path)
}

func matchPatchPath(pattern, path string) (string, bool) {
	if prefix, ok := strings.CutSuffix(pattern, "/*"); ok {
		rest, ok := strings.CutPrefix(path, prefix+"/")
		if !ok || rest == "" {
			return "", false
		}
		return decodePointer(rest), true
	}
	return "", pattern == path
}

// decodePointer undoes JSON-pointer escaping.
func decodePointer(s string) string {
	if !strings.Contains(s, "~") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

var (
	opsReplace       = []string{"replace"}
	opsAddRemove     = []string{"add", "remove"}
	opsAll           = []string{"add", "remove", "replace"}
	opsReplaceRemove = []string{"replace", "remove"}
)

// strField patches a string field; remove clears it.
func strField[T any](path string, ops []string, f func(*T) *string) patchRule[T] {
	return patchRule[T]{path: path, ops: ops, apply: func(t *T, op PatchOp, _ string) error {
		if op.Op == "remove" {
			*f(t) = ""
		} else {
			*f(t) = op.value()
		}
		return nil
	}}
}

// boolField patches a boolean field given as "true" or "false".
func boolField[T any](path string, f func(*T) *bool) patchRule[T] {
	return patchRule[T]{path: path, ops: opsReplace, apply: func(t *T, op PatchOp, _ string) error {
		b, err := parseBool(op)
		if err != nil {
			return err
		}
		*f(t) = b
		return nil
	}}
}

// intField patches an integer field given as text.
func intField[T any](path string, f func(*T) *int) patchRule[T] {
	return patchRule[T]{path: path, ops: opsReplace, apply: func(t *T, op PatchOp, _ string) error {
		n, err := parseInt(op)
		if err != nil {
			return err
		}
		*f(t) = n
		return nil
	}}
}

// strMapEntry patches one entry of a string map: /prefix/{key}.
func strMapEntry[T any](prefix string, f func(*T) *map[string]string) patchRule[T] {
	return patchRule[T]{path: prefix + "/*", ops: opsAll, apply: func(t *T, op PatchOp, key string) error {
		m := f(t)
		if op.Op == "remove" {
			delete(*m, key)
			return nil
		}
		if *m == nil {
			*m = map[string]string{}
		}
		(*m)[key] = op.value()
		return nil
	}}
}

// boolMapEntry patches one entry of a map of flags (requestParameters, responseParameters).
func boolMapEntry[T any](prefix string, f func(*T) *map[string]bool) patchRule[T] {
	return patchRule[T]{path: prefix + "/*", ops: opsAll, apply: func(t *T, op PatchOp, key string) error {
		m := f(t)
		if op.Op == "remove" {
			delete(*m, key)
			return nil
		}
		b := false
		if op.Value != nil && *op.Value != "" {
			var err error
			if b, err = parseBool(op); err != nil {
				return err
			}
		}
		if *m == nil {
			*m = map[string]bool{}
		}
		(*m)[key] = b
		return nil
	}}
}

// listMember adds or removes one member of a string list: /prefix/{member}. AWS ignores
// the value and takes the member from the path (/binaryMediaTypes/image~1png).
func listMember[T any](prefix string, f func(*T) *[]string) patchRule[T] {
	return patchRule[T]{path: prefix + "/*", ops: opsAddRemove, apply: func(t *T, op PatchOp, member string) error {
		l := f(t)
		idx := -1
		for i, v := range *l {
			if v == member {
				idx = i
			}
		}
		switch {
		case op.Op == "add" && idx < 0:
			*l = append(*l, member)
		case op.Op == "remove" && idx >= 0:
			*l = append((*l)[:idx], (*l)[idx+1:]...)
		}
		return nil
	}}
}

func parseBool(op PatchOp) (bool, error) {
	switch strings.ToLower(op.value()) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, awserr.New(awserr.BadRequest, "Invalid boolean value %q for patch path %s", op.value(), op.Path)
}

func parseInt(op PatchOp) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(op.value()))
	if err != nil {
		// AWS accepts "10.0" for integer settings.
		f, ferr := strconv.ParseFloat(strings.TrimSpace(op.value()), 64)
		if ferr != nil || f != float64(int(f)) {
			return 0, awserr.New(awserr.BadRequest, "Invalid integer value %q for patch path %s", op.value(), op.Path)
		}
		n = int(f)
	}
	return n, nil
}

func parseFloat(op PatchOp) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(op.value()), 64)
	if err != nil {
		return 0, awserr.New(awserr.BadRequest, "Invalid number value %q for patch path %s", op.value(), op.Path)
	}
	return f, nil
}
