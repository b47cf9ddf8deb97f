package runtimeapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// goBuilder builds a Go main package into CacheDir/go/<hash>/bootstrap, the hash covering the
// package directory's files, the enclosing go.mod / go.sum / go.work and the toolchain. Before each
// environment start it compares a cheap stat fingerprint of those files and rebuilds when they
// changed. Known limit: packages of the same module outside the directory are not hashed; a change
// there alone is picked up on the next change inside the directory or by clearing the cache.
type goBuilder struct {
	resolver *Resolver
	dir      string
	name     string

	mu          sync.Mutex
	fingerprint string
	binary      string
}

// Launch returns the current binary, rebuilding it first when the sources changed.
func (b *goBuilder) Launch() (Launch, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	files, err := b.sourceFiles()
	if err != nil {
		return Launch{}, fmt.Errorf("function %s: listing Go sources in %s: %w", b.name, b.dir, err)
	}
	fp := fingerprint(files)
	if fp == b.fingerprint && b.binary != "" {
		if _, err := os.Stat(b.binary); err == nil {
			return Launch{Path: b.binary}, nil
		}
	}
	goCmd, err := b.resolver.goCommand()
	if err != nil {
		return Launch{}, fmt.Errorf("function %s: building the Go code in %s needs the go command: %w; install Go, or build an executable named bootstrap into the code directory", b.name, b.dir, err)
	}
	toolchain, err := b.resolver.goEnv(goCmd)
	if err != nil {
		return Launch{}, fmt.Errorf("function %s: %w", b.name, err)
	}
	hash, err := contentHash(files, toolchain)
	if err != nil {
		return Launch{}, fmt.Errorf("function %s: hashing Go sources: %w", b.name, err)
	}
	dir := filepath.Join(b.resolver.CacheDir, "go", hash)
	bin := filepath.Join(dir, "bootstrap")
	if _, err := os.Stat(bin); err != nil {
		if err := build(goCmd, b.dir, dir); err != nil {
			return Launch{}, fmt.Errorf("function %s: %w", b.name, err)
		}
	}
	b.fingerprint, b.binary = fp, bin
	return Launch{Path: bin}, nil
}

// build runs go build into a temporary directory renamed into place, so concurrent emulators
// sharing a cache never see half a binary.
func build(goCmd, src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("creating the build cache: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dst), filepath.Base(dst)+".tmp-")
	if err != nil {
		return fmt.Errorf("creating the build cache: %w", err)
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goCmd, "build", "-tags", "lambda.norpc", "-o", filepath.Join(tmp, "bootstrap"), ".")
	cmd.Dir = src
	cmd.Env = os.Environ()
	if os.Getenv("CGO_ENABLED") == "" {
		cmd.Env = append(cmd.Env, "CGO_ENABLED=0") // static, like binaries built for provided.al2023
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build in %s failed: %w\n%s\nfix the build error; the next cold start rebuilds", src, err, strings.TrimSpace(string(out)))
	}
	if err := os.Rename(tmp, dst); err != nil {
		if _, statErr := os.Stat(filepath.Join(dst, "bootstrap")); statErr == nil {
			return nil // another builder won the race with the same content
		}
		return fmt.Errorf("moving the build into the cache: %w", err)
	}
	return nil
}

type sourceFile struct {
	path string
	rel  string
	info fs.FileInfo
}

// sourceFiles lists the files that feed the build: everything under dir except hidden and
// testdata directories, plus the module files of the enclosing module or workspace.
func (b *goBuilder) sourceFiles() ([]sourceFile, error) {
	var files []sourceFile
	err := filepath.WalkDir(b.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != b.dir && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(b.dir, p)
		files = append(files, sourceFile{path: p, rel: rel, info: info})
		return nil
	})
	if err != nil {
		return nil, err
	}
	for d := filepath.Dir(b.dir); ; d = filepath.Dir(d) {
		found := false
		for _, n := range []string{"go.mod", "go.sum", "go.work", "go.work.sum"} {
			p := filepath.Join(d, n)
			if info, err := os.Stat(p); err == nil && info.Mode().IsRegular() {
				files = append(files, sourceFile{path: p, rel: "../" + p, info: info})
				found = found || n == "go.mod"
			}
		}
		if found || d == filepath.Dir(d) {
			break
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].rel < files[j].rel })
	return files, nil
}

func fingerprint(files []sourceFile) string {
	var sb strings.Builder
	for _, f := range files {
		sb.WriteString(f.rel)
		sb.WriteByte(0)
		sb.WriteString(strconv.FormatInt(f.info.Size(), 10))
		sb.WriteByte(0)
		sb.WriteString(strconv.FormatInt(f.info.ModTime().UnixNano(), 10))
		sb.WriteByte('\n')
	}
	return sb.String()
}

func contentHash(files []sourceFile, toolchain string) (string, error) {
	h := sha256.New()
	io.WriteString(h, toolchain)
	for _, f := range files {
		fmt.Fprintf(h, "\x00%s\x00%d\x00", f.rel, f.info.Size())
		fh, err := os.Open(f.path)
		if err != nil {
			return "", err
		}
		_, err = io.Copy(h, fh)
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:16]), nil
}

func (r *Resolver) goCommand() (string, error) {
	if r.GoCommand != "" {
		return exec.LookPath(r.GoCommand)
	}
	return exec.LookPath("go")
}

// goEnv returns what identifies the toolchain's output: version, target and build settings.
func (r *Resolver) goEnv(goCmd string) (string, error) {
	r.mu.Lock()
	if r.goEnvKey != "" {
		defer r.mu.Unlock()
		return r.goEnvKey, nil
	}
	r.mu.Unlock()
	out, err := exec.Command(goCmd, "env", "GOVERSION", "GOOS", "GOARCH", "GOFLAGS", "CGO_ENABLED", "GOEXPERIMENT").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = fmt.Errorf("%w: %s", err, ee.Stderr)
		}
		return "", fmt.Errorf("running %s env: %w", goCmd, err)
	}
	key := strings.ReplaceAll(strings.TrimSpace(string(out)), "\n", " ")
	r.mu.Lock()
	r.goEnvKey = key
	r.mu.Unlock()
	return key, nil
}
