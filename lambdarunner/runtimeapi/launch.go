package runtimeapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Launch is how to start one environment's process.
type Launch struct {
	// Path is the executable.
	Path string
	// Args are its arguments (without the program name).
	Args []string
	// Env holds extra variables the runtime needs ("K=V"); the function's own variables win.
	Env []string
}

// Launcher decides the process of each new environment. It is called before every environment
// start, so it can rebuild code that changed.
type Launcher interface {
	Launch() (Launch, error)
}

type fixedLauncher Launch

// Launch returns l.
func (l fixedLauncher) Launch() (Launch, error) { return Launch(l), nil }

//go:embed bootstrap/index.mjs bootstrap/bootstrap.py
var bootstraps embed.FS

// Resolver turns a runtime identifier into a [Launcher]: it finds interpreters, checks their
// versions, writes the embedded bootstraps and builds Go code. It remembers what it learned, so
// registering many functions probes each interpreter once. It is safe for concurrent use.
type Resolver struct {
	// CacheDir holds built Go binaries and the extracted bootstraps; it must be set.
	CacheDir string
	// Interpreters maps a runtime ("nodejs20.x", "python3.12") or a family ("nodejs", "python") to
	// an interpreter path, overriding the search on PATH.
	Interpreters map[string]string
	// GoCommand is the go tool used to build Go functions; empty means "go" on PATH.
	GoCommand string
	// Logger receives the one-line warnings about interpreter versions; may be nil.
	Logger *slog.Logger

	mu       sync.Mutex
	probes   map[string]probe
	warned   map[string]bool
	written  map[string]string
	goEnvKey string
}

type probe struct {
	exe     string
	version string
	err     error
}

// Spec is what a Resolver needs to know about a function.
type Spec struct {
	// FunctionName names the function in messages.
	FunctionName string
	// Runtime is the Lambda runtime identifier.
	Runtime string
	// Handler is the handler setting.
	Handler string
	// CodeDir is the absolute code directory.
	CodeDir string
	// Interpreter overrides the interpreter for this function.
	Interpreter string
}

var (
	nodeRuntime   = regexp.MustCompile(`^nodejs(\d+)\.x$`)
	pythonRuntime = regexp.MustCompile(`^python(3\.\d+)$`)
)

// Resolve returns the launcher for s, or an error saying what is missing and how to fix it.
func (r *Resolver) Resolve(s Spec) (Launcher, error) {
	switch {
	case nodeRuntime.MatchString(s.Runtime):
		return r.node(s)
	case pythonRuntime.MatchString(s.Runtime):
		return r.python(s)
	case s.Runtime == "go1.x" || s.Runtime == "provided" || strings.HasPrefix(s.Runtime, "provided."):
		return r.native(s)
	default:
		return nil, fmt.Errorf("function %s: runtime %q is not supported: use nodejsNN.x, python3.NN, go1.x, provided.al2 or provided.al2023", s.FunctionName, s.Runtime)
	}
}

func (r *Resolver) node(s Spec) (Launcher, error) {
	want := nodeRuntime.FindStringSubmatch(s.Runtime)[1]
	node := "node"
	if o := r.override(s, "nodejs"); o != "" {
		node = o
	}
	path, err := exec.LookPath(node)
	if err != nil {
		return nil, fmt.Errorf("function %s: runtime %s needs Node.js: %w; install it (Debian: apt-get install nodejs) or point the runtime at an interpreter", s.FunctionName, s.Runtime, err)
	}
	p := r.probe(path, "-p", `process.execPath + "\n" + process.versions.node`)
	if p.err != nil {
		return nil, fmt.Errorf("function %s: running %s: %w", s.FunctionName, path, p.err)
	}
	if major, _, _ := strings.Cut(p.version, "."); major != want {
		r.warnOnce(s.Runtime+"|"+p.exe, fmt.Sprintf("runtime %s runs on the local Node.js %s (%s)", s.Runtime, p.version, p.exe))
	}
	script, err := r.bootstrap("index.mjs")
	if err != nil {
		return nil, err
	}
	return fixedLauncher{Path: p.exe, Args: []string{script}}, nil
}

func (r *Resolver) python(s Spec) (Launcher, error) {
	want := pythonRuntime.FindStringSubmatch(s.Runtime)[1]
	// Without an override, take the first of python3.NN and python3 that runs: a name can exist
	// on PATH and still fail (a pyenv shim for a version that is not installed).
	candidates := []string{"python" + want, "python3"}
	if o := r.override(s, "python"); o != "" {
		candidates = []string{o}
	}
	var p probe
	err := errors.New("no python3.NN or python3 on PATH")
	for _, c := range candidates {
		path, lookErr := exec.LookPath(c)
		if lookErr != nil {
			err = lookErr
			continue
		}
		if p = r.probe(path, "-c", `import sys; print(sys.executable); print("%d.%d" % sys.version_info[:2])`); p.err == nil {
			err = nil
			break
		}
		err = fmt.Errorf("running %s: %w", path, p.err)
	}
	if err != nil {
		return nil, fmt.Errorf("function %s: runtime %s needs Python 3: %w; install it (Debian: apt-get install python3) or point the runtime at an interpreter", s.FunctionName, s.Runtime, err)
	}
	if p.version != want {
		r.warnOnce(s.Runtime+"|"+p.exe, fmt.Sprintf("runtime %s runs on the local Python %s (%s)", s.Runtime, p.version, p.exe))
	}
	script, err := r.bootstrap("bootstrap.py")
	if err != nil {
		return nil, err
	}
	return fixedLauncher{Path: p.exe, Args: []string{"-u", script}, Env: []string{"PYTHONUNBUFFERED=1"}}, nil
}

// override returns the interpreter configured for s: its own, else its runtime's, else its
// family's.
func (r *Resolver) override(s Spec, family string) string {
	for _, p := range []string{s.Interpreter, r.Interpreters[s.Runtime], r.Interpreters[family]} {
		if p != "" {
			return p
		}
	}
	return ""
}

// probe runs an interpreter once to learn its real executable and version (a pyenv or nvm shim
// resolves to the binary, so environments start without the shim's cost).
func (r *Resolver) probe(path string, args ...string) probe {
	key := path + "\x00" + strings.Join(args, "\x00")
	r.mu.Lock()
	if p, ok := r.probes[key]; ok {
		r.mu.Unlock()
		return p
	}
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, args...).Output()
	var p probe
	if err != nil {
		p.err = err
	} else {
		exe, ver, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
		p.exe, p.version = strings.TrimSpace(exe), strings.TrimSpace(ver)
		if p.exe == "" {
			p.exe = path
		}
	}
	r.mu.Lock()
	if r.probes == nil {
		r.probes = map[string]probe{}
	}
	r.probes[key] = p
	r.mu.Unlock()
	return p
}

func (r *Resolver) warnOnce(key, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.warned[key] {
		return
	}
	if r.warned == nil {
		r.warned = map[string]bool{}
	}
	r.warned[key] = true
	if r.Logger != nil {
		r.Logger.Warn(msg)
	}
}

// bootstrap writes an embedded bootstrap into the cache (once, content-addressed) and returns its
// path.
func (r *Resolver) bootstrap(name string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p, ok := r.written[name]; ok {
		return p, nil
	}
	b, err := bootstraps.ReadFile("bootstrap/" + name)
	if err != nil {
		return "", fmt.Errorf("reading embedded %s: %w", name, err)
	}
	sum := sha256.Sum256(b)
	dir := filepath.Join(r.CacheDir, "bootstrap", hex.EncodeToString(sum[:8]))
	p := filepath.Join(dir, name)
	if cur, err := os.ReadFile(p); err != nil || !bytes.Equal(cur, b) {
		if err := writeFileAtomic(p, b, 0o644); err != nil {
			return "", fmt.Errorf("writing the %s bootstrap into the cache: %w", name, err)
		}
	}
	if r.written == nil {
		r.written = map[string]string{}
	}
	r.written[name] = p
	return p, nil
}

// native handles go1.x and provided.*: an executable bootstrap (or, for go1.x, the executable the
// handler names) in the code directory, else a Go main package built into the cache.
func (r *Resolver) native(s Spec) (Launcher, error) {
	candidates := []string{"bootstrap"}
	if s.Runtime == "go1.x" && s.Handler != "" {
		candidates = append([]string{s.Handler}, candidates...)
	}
	for _, c := range candidates {
		p := filepath.Join(s.CodeDir, c)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			if fi.Mode()&0o111 == 0 {
				return nil, fmt.Errorf("function %s: %s is not executable: chmod +x it", s.FunctionName, p)
			}
			return fixedLauncher{Path: p}, nil
		}
	}
	if !hasGoFiles(s.CodeDir) {
		return nil, fmt.Errorf("function %s: runtime %s needs an executable named bootstrap in %s, or a Go main package there to build", s.FunctionName, s.Runtime, s.CodeDir)
	}
	b := &goBuilder{resolver: r, dir: s.CodeDir, name: s.FunctionName}
	if _, err := b.Launch(); err != nil {
		return nil, err
	}
	return b, nil
}

func hasGoFiles(dir string) bool {
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

func writeFileAtomic(path string, b []byte, perm fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	_, werr := f.Write(b)
	cerr := f.Close()
	if err := errors.Join(werr, cerr, os.Chmod(f.Name(), perm)); err != nil {
		_ = os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), path)
}
