package project

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/apigw-local/apigw-local/emulator/project/cfn"
	"github.com/apigw-local/apigw-local/lambdarunner"
)

// validFunctionName is Lambda's rule for a function name: 1-64 letters, digits, hyphens and
// underscores.
func validFunctionName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// functionName is a function's Lambda name: FunctionName, else its logical id (what sam
// local uses; a deployed stack would add the stack name and a suffix).
func (s *stack) functionName(r *resource) (string, error) {
	name, err := s.str(r, "FunctionName")
	if err != nil {
		return "", err
	}
	if name == "" || !validFunctionName(name) {
		return r.id, nil
	}
	return name, nil
}

// addFunction turns an AWS::Lambda::Function into a function of the plan. What cannot run
// locally (code in S3, container images) is a note, and the function is left out.
func (s *stack) addFunction(r *resource) error {
	name, err := s.functionName(r)
	if err != nil {
		return err
	}
	if fn, _ := s.str(r, "FunctionName"); fn != "" && fn != name {
		s.plan.Notes.Add("FunctionName "+fn, r.id, "not a valid Lambda function name; the function is registered as "+name)
	}
	if s.plan.functionByName(name) != nil {
		return s.t.Errorf(r.node, "two functions are named %s: give them different FunctionName values", name)
	}
	if pt, _ := s.str(r, "PackageType"); pt == "Image" {
		s.plan.Notes.Add("PackageType: Image", r.id, "container image functions do not run (no Docker): their routes answer 500")
		return nil
	}
	runtime, err := s.str(r, "Runtime")
	if err != nil {
		return err
	}
	if runtime == "" {
		return s.t.Errorf(r.node, "function %s has no Runtime", r.id)
	}
	handler, err := s.str(r, "Handler")
	if err != nil {
		return err
	}
	fc := lambdarunner.FunctionConfig{Name: name, Runtime: runtime, Handler: handler}
	if v, err := s.prop(r, "Timeout"); err != nil {
		return err
	} else if v != nil {
		n, ok := cfn.Float(v)
		if !ok || n <= 0 {
			return s.t.Errorf(v, "%s: Timeout must be a positive number of seconds, got %s", r.id, cfn.Describe(v))
		}
		fc.Timeout = time.Duration(n * float64(time.Second))
	}
	if v, err := s.prop(r, "MemorySize"); err != nil {
		return err
	} else if v != nil {
		n, ok := cfn.Int(v)
		if !ok || n <= 0 {
			return s.t.Errorf(v, "%s: MemorySize must be a positive number of MB, got %s", r.id, cfn.Describe(v))
		}
		fc.MemorySize = n
	}
	if v, err := s.prop(r, "ReservedConcurrentExecutions"); err != nil {
		return err
	} else if v != nil {
		n, ok := cfn.Int(v)
		if !ok || n < 0 {
			return s.t.Errorf(v, "%s: ReservedConcurrentExecutions must be a number, got %s", r.id, cfn.Describe(v))
		}
		fc.ReservedConcurrency = &n
	}
	env, err := s.prop(r, "Environment")
	if err != nil {
		return err
	}
	if vars := cfn.Lookup(env, "Variables"); vars != nil {
		if vars.Kind != yaml.MappingNode {
			return s.t.Errorf(vars, "%s: Environment.Variables must be a mapping", r.id)
		}
		fc.Environment = map[string]string{}
		for k, v := range cfn.Pairs(vars) {
			str, ok := cfn.Scalar(v)
			if !ok && !cfn.IsNull(v) {
				return s.t.Errorf(v, "%s: environment variable %s must be a string, got %s", r.id, k, cfn.Describe(v))
			}
			fc.Environment[k] = str
		}
	}
	s.applyEnvVars(r.id, &fc)
	if v, _ := s.prop(r, "Layers"); v != nil && len(v.Content) > 0 {
		s.plan.Notes.Add("Layers", r.id, "layers are not mounted: code that imports from a layer fails unless it is in the code directory")
	}
	code, err := s.prop(r, "Code")
	if err != nil {
		return err
	}
	dir, source, ok, err := s.codeDir(r, runtime, handler, code)
	if err != nil || !ok {
		return err
	}
	fc.CodeDir = dir
	s.plan.Functions = append(s.plan.Functions, &Function{LogicalID: r.id, Config: fc, Source: source})
	return nil
}

// applyEnvVars applies --env-vars as sam local does: the file's "Parameters" entry, then the
// entry of the function's logical id (or name), and the shell environment, override only
// the variables the template declares.
func (s *stack) applyEnvVars(logicalID string, fc *lambdarunner.FunctionConfig) {
	for k := range fc.Environment {
		if s.opts.LookupEnv != nil && s.plan.Kind == KindSAM {
			if v, ok := s.opts.LookupEnv(k); ok {
				fc.Environment[k] = v
			}
		}
		for _, entry := range []string{"Parameters", fc.Name, logicalID} {
			if v, ok := s.opts.EnvVars[entry][k]; ok {
				fc.Environment[k] = v
			}
		}
	}
}

// codeDir finds the directory a function runs from. ok is false (with a note) when the code
// cannot run locally.
func (s *stack) codeDir(r *resource, runtime, handler string, code *yaml.Node) (dir, source string, ok bool, err error) {
	if zf := cfn.Lookup(code, "ZipFile"); zf != nil {
		text, isStr := cfn.Scalar(zf)
		if !isStr {
			return "", "", false, s.t.Errorf(zf, "%s: Code.ZipFile must be a string", r.id)
		}
		dir, err := s.inlineCode(runtime, handler, text)
		return dir, dir, err == nil, err
	}
	path, isStr := cfn.Scalar(code)
	if !isStr || strings.HasPrefix(path, "s3://") {
		s.plan.Notes.Add("code in S3", r.id, "apigw-local runs local code only: point CodeUri (or Code) at the directory or zip on disk")
		return "", "", false, nil
	}
	if path == "" {
		path = "."
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(s.t.Dir, path)
	}
	if s.plan.Kind == KindSAM && !isNativeRuntime(runtime) {
		// sam build's output, when the user built: dependencies installed, TypeScript compiled.
		built := filepath.Join(s.plan.Dir, ".aws-sam", "build", r.id)
		if fi, err := os.Stat(built); err == nil && fi.IsDir() {
			return built, built, true, nil
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		s.plan.Notes.Add("missing code", fmt.Sprintf("%s: %s", r.id, rel(s.plan.Dir, path)), "the code path does not exist: the function is not registered and its routes answer 500")
		return "", "", false, nil
	}
	if fi.IsDir() {
		buildMethod := cfn.String(cfn.Path(r.node, "Metadata", "BuildMethod"))
		switch {
		case buildMethod == "esbuild":
			s.plan.Notes.Add("BuildMethod: esbuild", r.id, "esbuild is not run: run sam build (apigw-local then runs .aws-sam/build) or point CodeUri at built JavaScript")
		case isNativeRuntime(runtime) && !hasBootstrapOrGo(path, runtime, handler):
			s.plan.Notes.Add("no bootstrap", fmt.Sprintf("%s: %s", r.id, rel(s.plan.Dir, path)), "a "+runtime+" function needs an executable named bootstrap or a Go main package in its code directory (BuildMethod "+buildMethod+" is not run): the function is not registered")
			return "", "", false, nil
		}
		return path, path, true, nil
	}
	if strings.HasSuffix(strings.ToLower(path), ".zip") || strings.HasSuffix(strings.ToLower(path), ".jar") {
		dir, err := s.extractZip(path)
		if err != nil {
			s.plan.Notes.Add("unreadable zip", fmt.Sprintf("%s: %s", r.id, rel(s.plan.Dir, path)), fmt.Sprintf("%v: the function is not registered", err))
			return "", "", false, nil
		}
		return dir, path, true, nil
	}
	s.plan.Notes.Add("code is a file", fmt.Sprintf("%s: %s", r.id, rel(s.plan.Dir, path)), "CodeUri must be a directory or a .zip: the function is not registered")
	return "", "", false, nil
}

func isNativeRuntime(runtime string) bool {
	return runtime == "go1.x" || strings.HasPrefix(runtime, "provided")
}

// cacheDir is where extracted zips and inline code go.
func (s *stack) cacheDir(kind, key string) string {
	base := s.opts.CacheDir
	if base == "" {
		if d, err := os.UserCacheDir(); err == nil {
			base = filepath.Join(d, "apigw-local")
		} else {
			base = filepath.Join(os.TempDir(), "apigw-local")
		}
	}
	return filepath.Join(base, kind, key)
}

// inlineCode writes Code.ZipFile where CloudFormation would: index.js or index.py.
func (s *stack) inlineCode(runtime, handler, text string) (string, error) {
	ext := ".js"
	if strings.HasPrefix(runtime, "python") {
		ext = ".py"
	}
	sum := sha256.Sum256([]byte(runtime + "\x00" + text))
	dir := s.cacheDir("inline", hex.EncodeToString(sum[:8]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("writing inline code: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "index"+ext), []byte(text), 0o644); err != nil {
		return "", fmt.Errorf("writing inline code: %w", err)
	}
	return dir, nil
}

// Limits on extracting a function's zip.
const (
	maxZipFiles = 50000
	maxZipBytes = 1 << 30
)

// extractZip unpacks a code zip into a directory keyed by its content, once.
func (s *stack) extractZip(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	dir := s.cacheDir("zip", hex.EncodeToString(sum[:12]))
	if _, err := os.Stat(filepath.Join(dir, ".complete")); err == nil {
		return dir, nil
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return "", err
	}
	defer zr.Close()
	if len(zr.File) > maxZipFiles {
		return "", fmt.Errorf("more than %d files", maxZipFiles)
	}
	tmp := dir + ".tmp"
	_ = os.RemoveAll(tmp)
	var total int64
	for _, f := range zr.File {
		name := filepath.Clean(filepath.FromSlash(f.Name))
		if filepath.IsAbs(name) || name == ".." || strings.HasPrefix(name, ".."+string(filepath.Separator)) {
			return "", fmt.Errorf("entry %q points outside the archive", f.Name)
		}
		dst := filepath.Join(tmp, name)
		if f.FileInfo().IsDir() {
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return "", err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return "", err
		}
		mode := f.Mode().Perm() | 0o600
		if mode&0o111 == 0 && (filepath.Base(name) == "bootstrap") {
			mode |= 0o755
		}
		n, err := writeZipEntry(f, dst, mode, maxZipBytes-total)
		if err != nil {
			return "", err
		}
		total += n
	}
	if err := os.WriteFile(filepath.Join(tmp, ".complete"), nil, 0o644); err != nil {
		return "", err
	}
	_ = os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		return "", err
	}
	return dir, nil
}

func writeZipEntry(f *zip.File, dst string, mode os.FileMode, budget int64) (int64, error) {
	rc, err := f.Open()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(out, io.LimitReader(rc, budget+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > budget {
		err = fmt.Errorf("expands to more than %d MB", maxZipBytes>>20)
	}
	return n, err
}

// rel shows a path relative to the project when it is inside it.
func rel(base, path string) string {
	if r, err := filepath.Rel(base, path); err == nil && !strings.HasPrefix(r, "..") {
		if r == "." {
			return "./"
		}
		return r
	}
	return path
}

// hasBootstrapOrGo reports whether a native function's directory has what the runner starts:
// a bootstrap (or, for go1.x, the handler) executable, or Go sources to build.
func hasBootstrapOrGo(dir, runtime, handler string) bool {
	names := []string{"bootstrap"}
	if runtime == "go1.x" && handler != "" {
		names = append(names, handler)
	}
	for _, n := range names {
		if fi, err := os.Stat(filepath.Join(dir, n)); err == nil && fi.Mode().IsRegular() {
			return true
		}
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range ents {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".go") && !strings.HasSuffix(e.Name(), "_test.go") {
			return true
		}
	}
	return false
}
